/* textbuf.h - a growable byte buffer for building report text without
 * stdio: one session's text is built here and written with one fwrite.
 * The number formats print exactly what printf would ("%.3f" included, by
 * exact rounding of the binary value), only without parsing a format. */
#ifndef MXRAY_TEXTBUF_H
#define MXRAY_TEXTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct textbuf {
	char *p;
	size_t len, cap;
	int oom; /* sticky: an append failed for lack of memory */
};

void tb_free(struct textbuf *b);
static inline void tb_clear(struct textbuf *b)
{
	b->len = 0;
}

/* Room for n more bytes (and a NUL): 0, or -1 (and oom set). */
int tb_reserve(struct textbuf *b, size_t n);

/* Inline: jansson's dump hands its text over a few bytes at a time. */
static inline void tb_put(struct textbuf *b, const char *s, size_t n)
{
	if (b->oom || (b->len + n + 1 > b->cap && tb_reserve(b, n) != 0))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void tb_puts(struct textbuf *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

static inline void tb_putc(struct textbuf *b, char c)
{
	if (b->oom || (b->len + 2 > b->cap && tb_reserve(b, 1) != 0))
		return;
	b->p[b->len++] = c;
}
/* printf("%-*s", width, s) */
void tb_pad(struct textbuf *b, const char *s, int width);
/* printf("%llu") / ("%d") */
void tb_u64(struct textbuf *b, uint64_t v);
void tb_int(struct textbuf *b, long long v);
/* printf("%*.3f", width, x) (width 0: no padding); "%+.3f" with plus */
void tb_f3(struct textbuf *b, double x, int width, int plus);
/* Anything else, through vsnprintf. */
void tb_printf(struct textbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
