/* util.c - addresses, escaping and time helpers shared by the analyzer. */
#include "base/util.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void mx_addr_set4(struct mx_addr *x, const uint8_t v4[4])
{
	memset(x, 0, sizeof(*x));
	x->family = 4;
	memcpy(x->a, v4, 4);
}

void mx_addr_set6(struct mx_addr *x, const uint8_t v6[16])
{
	memset(x, 0, sizeof(*x));
	x->family = 6;
	memcpy(x->a, v6, 16);
}

void mx_addr_set(struct mx_addr *x, int family, const uint8_t *a)
{
	if (family == 4)
		mx_addr_set4(x, a);
	else
		mx_addr_set6(x, a);
}

bool mx_addr_eq(const struct mx_addr *x, const struct mx_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

bool mx_ep_eq(const struct mx_endpoint *x, const struct mx_endpoint *y)
{
	return x->port == y->port && mx_addr_eq(&x->ip, &y->ip);
}

const char *mx_addr_str(const struct mx_addr *x, char out[MX_ADDRSTR])
{
	if (x->family == 4) { /* as inet_ntop, without its sprintf */
		char *o = out;
		for (int i = 0; i < 4; i++) {
			unsigned v = x->a[i];
			if (i)
				*o++ = '.';
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
		}
		*o = '\0';
	} else if (x->family == 6) {
		inet_ntop(AF_INET6, x->a, out, MX_ADDRSTR);
	} else {
		snprintf(out, MX_ADDRSTR, "?");
	}
	return out;
}

int mx_addr_parse(const char *s, struct mx_addr *x)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, s, b) == 1) {
		mx_addr_set4(x, b);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		mx_addr_set6(x, b);
		return 0;
	}
	return -1;
}

/* FNV-1a over the bytes, then a murmur3 finaliser so low bits mix well for
 * power-of-two tables. */
/* Eight bytes at a time, each word mixed in by a multiply, then the
 * murmur3 finaliser: keys here are 20-300 bytes, looked up several times
 * per packet. */
uint64_t mx_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), w;
	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t mx_hash_pair(const struct mx_endpoint *a, const struct mx_endpoint *b,
		      uint64_t seed)
{
	uint8_t k[2 * 19];
	const struct mx_endpoint *e[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		uint8_t *p = k + 19 * i;
		p[0] = e[i]->ip.family;
		memcpy(p + 1, e[i]->ip.a, 16);
		p[17] = (uint8_t)(e[i]->port >> 8);
		p[18] = (uint8_t)e[i]->port;
	}
	return mx_hash_bytes(k, sizeof(k), seed);
}

size_t mx_hash_buckets(size_t want, size_t least, size_t most)
{
	size_t nb = least;
	while (nb < want && nb < most)
		nb <<= 1;
	return nb;
}

/* Length of a valid UTF-8 sequence at p (2..4), or 0. */
static size_t utf8_seq_len(const unsigned char *p, size_t left)
{
	size_t n;
	uint32_t cp;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n';
}

size_t mx_escape_len(const char *in, size_t n, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < n;) {
		char tmp[8];
		size_t k, seq = 0, run = 0;
		/* a run of plain bytes, copied at once as far as it fits (a
		 * byte fits while room for "..." and NUL stays after it) */
		while (i + run < n && plain(p[i + run]))
			run++;
		if (run) {
			size_t room = outsz >= o + 5 ? outsz - 4 - o : 0;
			size_t take = run < room ? run : room;
			memcpy(out + o, p + i, take);
			o += take;
			i += take;
			if (take == run)
				continue;
			tmp[0] = (char)p[i]; /* the byte that does not fit */
			k = 1;
		} else if ((seq = utf8_seq_len(p + i, n - i)) > 0) {
			memcpy(tmp, p + i, seq);
			k = seq;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
			k = 4;
		}
		if (o + k + 4 > outsz) { /* room for "..." and NUL */
			if (outsz >= 4) {
				o = o + 3 < outsz ? o : outsz - 4;
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, k);
		o += k;
		i += seq ? seq : 1;
	}
	o = o < outsz ? o : outsz - 1;
	out[o] = '\0';
	return o;
}

char *mx_escape(const char *in, size_t n, char *out, size_t outsz)
{
	mx_escape_len(in, n, out, outsz);
	return out;
}

char *mx_escape_dup(const char *in, size_t n)
{
	size_t cap = n * 4 + 4;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	return mx_escape(in, n, out, cap);
}

double mx_round_us(double t)
{
	return round(t * 1e6) / 1e6;
}

double mx_dt(double from, double to)
{
	/* exact microseconds while both fit, with room for their difference,
	 * in a long long; absurd timestamps (a damaged or hostile capture)
	 * fall back to plain doubles instead of overflowing */
	if (fabs(from) < 4e12 && fabs(to) < 4e12)
		return (double)(llround(to * 1e6) - llround(from * 1e6)) / 1e6;
	return round((to - from) * 1e6) / 1e6;
}

const char *mx_time_str(double t, char out[32])
{
	long long us = fabs(t) < 4e12 ? llround(t * 1e6) : -1;
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	if (us < 0 || !gmtime_r(&s, &tm)) {
		snprintf(out, 32, "%.6f", t);
		return out;
	}
	{
		size_t n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(out + n, 32 - n, ".%06d", (int)(us % 1000000));
	}
	return out;
}

void mx_lower(const char *in, char *out, size_t outsz)
{
	size_t i = 0;
	if (outsz == 0)
		return;
	for (; in[i] && i + 1 < outsz; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

void mx_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (*len + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*len += (size_t)n;
	if (*len >= cap)
		*len = cap - 1;
}

long mx_rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}
