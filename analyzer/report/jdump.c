/* jdump.c - see jdump.h.  The layout rules are jansson 2.14's (dump.c):
 * "{" or "[", then a new line per member at one level deeper, "," ending
 * all but the last, the closing bracket on a line of its own at the
 * container's level; empty containers as "{}" and "[]"; ": " after a key
 * (":" when compact); strings escaped as JSON_ENSURE_ASCII asks, \uXXXX
 * in capitals, surrogate pairs beyond the BMP, and the same UTF-8 checks
 * (a string that fails them fails the dump). */
#include "report/jdump.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- reals ---- */

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"68697071727374757677787980818283848586878889909192939495969798"
	"99";

static const double pow10_exact[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The 16 significant digits of a (> 0) as printf rounds them - the exact
 * binary value, halves to even - as c in [1e15, 1e16), with a's decimal
 * exponent x in [-4, 15] (where "%.16g" writes no exponent): 1, or 0
 * when outside that range or too close to a half to be sure.  a * 10^k
 * is split exactly into hi + lo (fma gives the product's rounding error);
 * from 2^53 on hi is an even integer and lo says where the rest lies. */
static int digits16(double a, uint64_t *c, int *x)
{
	uint64_t bits;
	int e2, e;
	memcpy(&bits, &a, sizeof bits);
	e2 = (int)((bits >> 52) & 0x7ff) - 1022; /* a in [2^(e2-1), 2^e2) */
	if (e2 < -16 || e2 > 56) /* below 1e-4 or from 1e16 (or subnormal) */
		return 0;
	/* floor((e2 - 1) * log10(2)), or one less */
	e = (e2 - 1) * 1233;
	e = e >= 0 ? e >> 12 : -((-e + 4095) >> 12);
	for (int tries = 0; tries < 3; tries++) {
		double p, hi, lo;
		uint64_t q;
		if (e < -4 || e > 15)
			return 0;
		p = pow10_exact[15 - e];
		hi = a * p;
		lo = fma(a, p, -hi);
		if (hi >= 9007199254740992.0) { /* 2^53: an even integer */
			q = (uint64_t)hi;
			/* a half either way is a tie, and q is the even side */
			if (lo > 0.5)
				q++;
			else if (lo < -0.5)
				q--;
		} else {
			double f = (double)(int64_t)hi, r;
			r = fma(a, p, -f); /* a * p - f rounded once */
			if (r < 0)
				r = fma(a, p, -(f -= 1));
			/* beside 0.5 r tells the side of the half; at 0.5 it
			 * cannot */
			if (r < 0 || r >= 1 || r == 0.5)
				return 0;
			q = (uint64_t)f + (r > 0.5);
		}
		if (q >= 10000000000000000u)
			e++;
		else if (q < 1000000000000000u)
			e--;
		else {
			*c = q;
			*x = e;
			return 1;
		}
	}
	return 0;
}

/* jansson's own way, for what digits16 leaves: snprintf, then a ".0"
 * for an integer, and no "+" or leading zeros in the exponent. */
static int real_by_printf(char out[32], double x)
{
	char *e, *from;
	int n = snprintf(out, 32, "%.16g", x);
	size_t len;
	if (n < 0 || n >= 29)
		return -1;
	len = (size_t)n;
	for (char *p = out; *p; p++)
		if (*p == ',') /* a locale's decimal point */
			*p = '.';
	if (!strchr(out, '.') && !strchr(out, 'e')) {
		memcpy(out + len, ".0", 3);
		len += 2;
	}
	if ((e = strchr(out, 'e'))) {
		e++;
		from = e + 1;
		if (*e == '-')
			e++;
		while (*from == '0')
			from++;
		if (from != e) {
			memmove(e, from, len - (size_t)(from - out) + 1);
			len -= (size_t)(from - e);
		}
	}
	return (int)len;
}

int jd_real(char out[32], double x)
{
	char d[16];
	uint64_t c;
	int e, n = 0, last;
	if (isnan(x) || isinf(x))
		return -1;
	if (x == 0) {
		const char *z = signbit(x) ? "-0.0" : "0.0";
		size_t n0 = strlen(z);
		memcpy(out, z, n0 + 1);
		return (int)n0;
	}
	if (!digits16(fabs(x), &c, &e))
		return real_by_printf(out, x);
	for (int i = 14; i >= 0; i -= 2, c /= 100) /* two digits a step */
		memcpy(d + i, digit_pairs + 2 * (c % 100), 2);
	for (last = 15; last > 0 && d[last] == '0'; last--)
		;
	if (x < 0)
		out[n++] = '-';
	if (e >= 0) {
		memcpy(out + n, d, (size_t)e + 1);
		n += e + 1;
		out[n++] = '.';
		if (last > e) {
			memcpy(out + n, d + e + 1, (size_t)(last - e));
			n += last - e;
		} else {
			out[n++] = '0'; /* jansson's ".0" */
		}
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = e + 1; i < 0; i++)
			out[n++] = '0';
		memcpy(out + n, d, (size_t)last + 1);
		n += last + 1;
	}
	out[n] = '\0';
	return n;
}

/* ---- strings ---- */

/* Bytes written as they are: printable ASCII (and DEL) but '"' and '\\'. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80 on: UTF-8, escaped */
};

/* The code point of the UTF-8 sequence at p (at most n bytes) and its
 * length, or 0 where jansson's utf8_iterate refuses it. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xC2 || p[0] > 0xF4)
		return 0; /* continuation byte, overlong ASCII, beyond 4 bytes */
	len = p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
	if (len > n)
		return 0;
	v = p[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (len == 2 && v < 0x80) || (len == 3 && v < 0x800) ||
	    (len == 4 && v < 0x10000))
		return 0;
	*cp = v;
	return len;
}

static void put_u4(struct textbuf *b, uint32_t v)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15],
		     hex[(v >> 4) & 15], hex[v & 15]};
	tb_put(b, s, 6);
}

static int put_string(struct textbuf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;
	tb_putc(b, '"');
	while (s < end) {
		const unsigned char *run = s;
		uint32_t cp;
		size_t k;
		while (s < end && plain[*s])
			s++;
		if (s > run)
			tb_put(b, (const char *)run, (size_t)(s - run));
		if (s == end)
			break;
		if (!(k = utf8_next(s, (size_t)(end - s), &cp)))
			return -1;
		s += k;
		switch (cp) {
		case '\\': tb_put(b, "\\\\", 2); break;
		case '"': tb_put(b, "\\\"", 2); break;
		case '\b': tb_put(b, "\\b", 2); break;
		case '\f': tb_put(b, "\\f", 2); break;
		case '\n': tb_put(b, "\\n", 2); break;
		case '\r': tb_put(b, "\\r", 2); break;
		case '\t': tb_put(b, "\\t", 2); break;
		default:
			if (cp < 0x10000) {
				put_u4(b, cp);
			} else { /* a UTF-16 surrogate pair */
				cp -= 0x10000;
				put_u4(b, 0xD800 | ((cp & 0xFFC00) >> 10));
				put_u4(b, 0xDC00 | (cp & 0x3FF));
			}
		}
	}
	tb_putc(b, '"');
	return 0;
}

/* ---- containers ---- */

static void new_line(struct textbuf *b, int indent, int depth)
{
	size_t n = (size_t)indent * (size_t)depth;
	if (!indent)
		return;
	if (tb_reserve(b, n + 1) != 0)
		return;
	b->p[b->len++] = '\n';
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

static int put_value(struct textbuf *b, const json_t *v, int indent, int depth);

static int put_array(struct textbuf *b, const json_t *v, int indent, int depth)
{
	size_t n = json_array_size(v);
	tb_putc(b, '[');
	if (n)
		new_line(b, indent, depth + 1);
	for (size_t i = 0; i < n; i++) {
		if (put_value(b, json_array_get(v, i), indent, depth + 1) != 0)
			return -1;
		if (i + 1 < n) {
			tb_putc(b, ',');
			new_line(b, indent, depth + 1);
		} else {
			new_line(b, indent, depth);
		}
	}
	tb_putc(b, ']');
	return 0;
}

static int put_object(struct textbuf *b, const json_t *v, int indent,
		      int depth)
{
	json_t *o = (json_t *)v; /* the iterators do not change it */
	void *it = json_object_iter(o);
	tb_putc(b, '{');
	if (it)
		new_line(b, indent, depth + 1);
	while (it) {
		void *next = json_object_iter_next(o, it);
		if (put_string(b, json_object_iter_key(it),
			       json_object_iter_key_len(it)) != 0)
			return -1;
		tb_put(b, ": ", indent ? 2 : 1);
		if (put_value(b, json_object_iter_value(it), indent,
			      depth + 1) != 0)
			return -1;
		if (next) {
			tb_putc(b, ',');
			new_line(b, indent, depth + 1);
		} else {
			new_line(b, indent, depth);
		}
		it = next;
	}
	tb_putc(b, '}');
	return 0;
}

static int put_value(struct textbuf *b, const json_t *v, int indent, int depth)
{
	char real[32];
	int n;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return put_object(b, v, indent, depth);
	case JSON_ARRAY:
		return put_array(b, v, indent, depth);
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		tb_int(b, (long long)json_integer_value(v));
		return 0;
	case JSON_REAL:
		if ((n = jd_real(real, json_real_value(v))) < 0)
			return -1;
		tb_put(b, real, (size_t)n);
		return 0;
	case JSON_TRUE:
		tb_put(b, "true", 4);
		return 0;
	case JSON_FALSE:
		tb_put(b, "false", 5);
		return 0;
	case JSON_NULL:
		tb_put(b, "null", 4);
		return 0;
	}
	return -1;
}

int jd_dump(struct textbuf *b, const json_t *v, int indent, int depth)
{
	if (!v || put_value(b, v, indent, depth) != 0)
		return -1;
	return b->oom ? -1 : 0;
}
