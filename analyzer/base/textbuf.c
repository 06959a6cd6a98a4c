/* textbuf.c - see textbuf.h. */
#include "base/textbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tb_reserve(struct textbuf *b, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = 1;
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

void tb_free(struct textbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void tb_pad(struct textbuf *b, const char *s, int width)
{
	size_t n = strlen(s);
	tb_put(b, s, n);
	for (; (int)n < width; n++)
		tb_putc(b, ' ');
}

/* Digits of v, right-aligned to width with spaces, after an optional sign. */
static void put_num(struct textbuf *b, char sign, uint64_t v, int frac3,
		    uint64_t thousandths, int width)
{
	char d[48];
	int i = sizeof(d);
	if (frac3) {
		d[--i] = (char)('0' + thousandths % 10);
		d[--i] = (char)('0' + thousandths / 10 % 10);
		d[--i] = (char)('0' + thousandths / 100);
		d[--i] = '.';
	}
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (sign)
		d[--i] = sign;
	for (int n = (int)sizeof(d) - i; n < width; n++)
		tb_putc(b, ' ');
	tb_put(b, d + i, sizeof(d) - (size_t)i);
}

void tb_u64(struct textbuf *b, uint64_t v)
{
	put_num(b, 0, v, 0, 0, 0);
}

void tb_int(struct textbuf *b, long long v)
{
	if (v < 0)
		put_num(b, '-', (uint64_t)0 - (uint64_t)v, 0, 0, 0);
	else
		put_num(b, 0, (uint64_t)v, 0, 0, 0);
}

/* Round |x| * 1000 to an integer as printf does: on the exact binary
 * value, halves to even.  fma gives the exact sign of x * 1000 - c. */
void tb_f3(struct textbuf *b, double x, int width, int plus)
{
	double a = fabs(x), q, r;
	uint64_t n;
	char sign = signbit(x) ? '-' : plus ? '+' : 0;
	if (!(a < 1e12)) { /* huge, inf or nan: printf's own business */
		tb_printf(b, plus ? "%+*.3f" : "%*.3f", width, x);
		return;
	}
	q = floor(a * 1000.0);
	if (fma(a, 1000.0, -q) < 0) /* a * 1000 rounded up past an integer */
		q -= 1;
	else if (fma(a, 1000.0, -(q + 1)) >= 0)
		q += 1;
	r = fma(a, 1000.0, -(q + 0.5));
	if (r > 0 || (r == 0 && fmod(q, 2.0) != 0))
		q += 1;
	n = (uint64_t)q;
	put_num(b, sign, n / 1000, 1, n % 1000, width);
}

void tb_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || tb_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
