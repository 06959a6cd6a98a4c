/* reader.h - bounded reader over untrusted packet bytes.
 *
 * Every read of packet bytes in mxray goes through a struct rd.  A read that
 * would cross `end` sets the sticky `err` flag and yields 0 (or copies
 * nothing), so a parser can run to its next check point and test rd.err once
 * instead of checking every field.  Nothing here allocates or longjmps.
 */
#ifndef MXRAY_READER_H
#define MXRAY_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *base; /* start of the whole buffer (for offsets) */
	const uint8_t *p;    /* next byte to read */
	const uint8_t *end;  /* one past the last readable byte */
	int err;             /* sticky: set once a read ran past end */
};

static inline void rd_init(struct rd *r, const uint8_t *buf, size_t len)
{
	r->base = buf;
	r->p = buf;
	r->end = buf ? buf + len : buf;
	r->err = 0;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->err ? 0 : (size_t)(r->end - r->p);
}

static inline size_t rd_offset(const struct rd *r)
{
	return (size_t)(r->p - r->base);
}

static inline int rd_need(struct rd *r, size_t n)
{
	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = 1;
		return 0;
	}
	return 1;
}

/* The next byte without taking it; 0 when there is none. */
static inline uint8_t rd_peek_u8(const struct rd *r)
{
	return rd_left(r) > 0 ? *r->p : 0;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return *r->p++;
}

static inline uint16_t rd_be16(struct rd *r)
{
	uint16_t v;
	if (!rd_need(r, 2))
		return 0;
	v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return v;
}

static inline uint32_t rd_be32(struct rd *r)
{
	uint32_t v;
	if (!rd_need(r, 4))
		return 0;
	v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3];
	r->p += 4;
	return v;
}

static inline uint16_t rd_le16(struct rd *r)
{
	uint16_t v;
	if (!rd_need(r, 2))
		return 0;
	v = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	return v;
}

static inline uint32_t rd_le32(struct rd *r)
{
	uint32_t v;
	if (!rd_need(r, 4))
		return 0;
	v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
	    (uint32_t)r->p[1] << 8 | (uint32_t)r->p[0];
	r->p += 4;
	return v;
}

/* Copy n bytes into dst; on a short buffer dst is zeroed and err set. */
static inline int rd_bytes(struct rd *r, void *dst, size_t n)
{
	if (n == 0) /* no pointer arithmetic or memcpy on a NULL buffer */
		return !r->err;
	if (!rd_need(r, n)) {
		memset(dst, 0, n);
		return 0;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	return 1;
}

/* Borrow a pointer to the next n bytes and advance; NULL on a short buffer. */
static inline const uint8_t *rd_ptr(struct rd *r, size_t n)
{
	const uint8_t *q;
	if (!rd_need(r, n))
		return NULL;
	q = r->p;
	if (n)
		r->p += n;
	return q;
}

static inline int rd_skip(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return 0;
	if (n)
		r->p += n;
	return 1;
}

/* The bytes before the next byte c (memchr, so bulk data is scanned fast):
 * *span borrows them, *n is their count, and the reader advances past them
 * (c is left to read).  Returns 1 when c follows, 0 when the buffer ended
 * first (everything left was consumed). */
static inline int rd_span_to(struct rd *r, uint8_t c, const uint8_t **span,
			     size_t *n)
{
	size_t left = rd_left(r);
	const uint8_t *hit = left ? memchr(r->p, c, left) : NULL;
	*span = r->p;
	*n = hit ? (size_t)(hit - r->p) : left;
	r->p += *n;
	return hit != NULL;
}

/* Reposition to an absolute offset from base (for DNS compression). */
static inline int rd_seek(struct rd *r, size_t off)
{
	if (r->err || off > (size_t)(r->end - r->base)) {
		r->err = 1;
		return 0;
	}
	r->p = off ? r->base + off : r->base;
	return 1;
}

/* A sub-reader over the next n bytes; the parent advances past them. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s;
	/* decide on length, not on the pointer: a NULL buffer of 0 bytes
	 * yields a valid empty sub-reader */
	if (!rd_need(r, n)) {
		rd_init(&s, NULL, 0);
		s.err = 1;
		return s;
	}
	rd_init(&s, r->p, n);
	if (n)
		r->p += n;
	return s;
}

/* Read no further than n bytes from here: a length field in the data may
 * shorten what is read, never extend it past the buffer. */
static inline void rd_limit(struct rd *r, size_t n)
{
	if (n < rd_left(r))
		r->end = r->p + n;
}

/* Results shared by the dissectors: truncated and invalid stay apart. */
enum dx_result {
	DX_OK = 0,
	DX_TRUNC = -1,   /* the bytes end before the structure does */
	DX_INVALID = -2, /* the bytes are there but make no sense */
};

#endif
