/* test_textbuf.c - the report's number and address formats print exactly
 * what printf and inet_ntop print: checked against snprintf on ties, signs, widths and a million
 * values of the kinds reports hold (microsecond-rounded times and deltas). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "base/util.h"

static void check_f3(double x, int width, int plus)
{
	struct textbuf b = {0};
	char want[64];
	snprintf(want, sizeof want, plus ? "%+*.3f" : "%*.3f", width, x);
	tb_f3(&b, x, width, plus);
	tb_putc(&b, '\0');
	cr_assert_str_eq(b.p, want, "x=%.17g width %d plus %d", x, width, plus);
	tb_free(&b);
}

Test(textbuf, f3_ties_signs_and_widths_as_printf)
{
	static const double v[] = {
		0.0, -0.0, 0.0005, -0.0005, 0.0015, 0.0025, 0.0625, 0.1875,
		1.0005, 2.0005, 4.0305, 0.0004999, -0.0004999, 0.9995, 9.9995,
		99.9995, 999.9995, 1e-300, -1e-300, 0.1, 0.2, 0.3, 1234567.8905,
		1e11 + 0.0005, 123456789.0125, 0.0029999999999999996,
		-3.0000000000000004, 1e12, -1e13, INFINITY, -INFINITY, NAN};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		for (int w = 0; w <= 10; w += 2)
			for (int plus = 0; plus < 2; plus++)
				check_f3(v[i], w, plus);
}

Test(textbuf, f3_matches_printf_on_a_million_report_values)
{
	unsigned long long s = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 1000000; i++) {
		double x;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		switch (i % 4) {
		case 0: /* a delta rounded to the microsecond, as mx_dt gives */
			x = mx_round_us((double)(s % 100000000000ULL) / 1e6 -
					50000.0);
			break;
		case 1: /* the difference of two epoch times */
			x = mx_dt(1700000000.0 + (double)(s % 1000000) / 1e6,
				  1700000000.0 + (double)(s >> 40) / 1e6);
			break;
		case 2: /* halves of a thousandth, the rounding edge */
			x = ((double)(s % 20000000) + 0.5) / 1000.0;
			break;
		default: /* any bits in a plain range */
			x = (double)(s >> 11) / (double)(1ULL << 53) * 2000.0 - 1000.0;
		}
		check_f3(x, i % 3 ? 10 : 0, i % 5 == 0);
	}
}

Test(textbuf, integers_padding_and_growth)
{
	struct textbuf b = {0};
	char want[4096 * 3];
	size_t n = 0;
	tb_u64(&b, 0);
	tb_u64(&b, 18446744073709551615ULL);
	tb_int(&b, -9223372036854775807LL - 1);
	tb_pad(&b, "dns", 7);
	tb_pad(&b, "toolongword", 3);
	tb_printf(&b, "[%s %d]", "x", 42);
	for (int i = 0; i < 4096; i++) /* past the first allocation */
		tb_putc(&b, 'a');
	n = (size_t)snprintf(want, sizeof want, "%llu%llu%lld%-7s%-3s[%s %d]", 0ULL,
			     18446744073709551615ULL, -9223372036854775807LL - 1,
			     "dns", "toolongword", "x", 42);
	memset(want + n, 'a', 4096);
	n += 4096;
	cr_assert_eq(b.len, n);
	cr_assert(memcmp(b.p, want, n) == 0);
	cr_assert_eq(b.oom, 0);
	tb_free(&b);
}

/* IPv4 addresses are printed without inet_ntop's sprintf: the same text. */
Test(textbuf, ipv4_addresses_as_inet_ntop)
{
	char got[MX_ADDRSTR], want[INET_ADDRSTRLEN];
	struct mx_addr x;
	for (unsigned long v = 0; v < (1ul << 32); v += 65537) {
		uint8_t q[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
				(uint8_t)(v >> 8), (uint8_t)v};
		mx_addr_set4(&x, q);
		inet_ntop(AF_INET, q, want, sizeof want);
		cr_assert_str_eq(mx_addr_str(&x, got), want);
	}
	for (unsigned v = 0; v < 256; v++) { /* every octet in every place */
		uint8_t q[4] = {(uint8_t)v, (uint8_t)(255 - v), 0, (uint8_t)v};
		mx_addr_set4(&x, q);
		inet_ntop(AF_INET, q, want, sizeof want);
		cr_assert_str_eq(mx_addr_str(&x, got), want);
	}
}

/* The escaping of packet strings, which copies runs of plain bytes at once,
 * against a byte-by-byte model of the same rules: printable ASCII and LF
 * as they are, valid UTF-8 kept (the inputs hold only 2-byte sequences:
 * lead C3, continuation 80 or A9), any other byte as
 * \xNN, and when the next piece would leave no room for "..." and the NUL,
 * "..." ends the text. */
static size_t model_escape(const unsigned char *p, size_t n, char *out,
			   size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		char tmp[8];
		size_t k = 1, step = 1;
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n') {
			tmp[0] = (char)p[i];
		} else if (i + 1 < n && p[i] >= 0xc2 && p[i] <= 0xdf &&
			   (p[i + 1] & 0xc0) == 0x80) { /* 2-byte UTF-8 */
			memcpy(tmp, p + i, 2);
			k = step = 2;
		} else {
			snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
			k = 4;
		}
		if (o + k + 4 > outsz) {
			o = o + 3 < outsz ? o : outsz - 4;
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, tmp, k);
		o += k;
		i += step;
	}
	out[o] = '\0';
	return o;
}

Test(textbuf, escape_matches_a_byte_by_byte_model)
{
	static const unsigned char alphabet[] = {'a', 'Z', ' ', '~', '\n', '\r',
						 0x00, 0x7f, 0x80, 0xff, 0xc3,
						 0xa9, '.', '\\'};
	unsigned long long x = 0x2545F4914F6CDD1DULL;
	unsigned char in[300];
	char got[1300], want[1300];
	for (int round = 0; round < 200000; round++) {
		size_t n, outsz;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % 120;
		outsz = 4 + (x >> 20) % 300;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly plain runs, as in SMTP text */
			in[i] = x % 4 ? (unsigned char)('a' + x % 26)
				      : alphabet[(x >> 8) % sizeof alphabet];
		}
		size_t wl = model_escape(in, n, want, outsz);
		size_t gl = mx_escape_len((const char *)in, n, got, outsz);
		cr_assert_eq(gl, wl, "round %d n %zu outsz %zu: %s | %s", round, n,
			     outsz, got, want);
		cr_assert_str_eq(got, want, "round %d n %zu outsz %zu", round, n,
				 outsz);
	}
}
