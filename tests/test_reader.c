/* test_reader.c - unit tests for the bounded reader (dissectors/reader.h).
 *
 * Every rd_* function is driven to, at and across the end of its buffer:
 * reads that fit succeed exactly, a read that would cross `end` yields 0 (or
 * NULL, or a zeroed destination), leaves the position alone and sets the
 * sticky err, after which every read fails, even one that would fit.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "reader.h"

static const uint8_t rdt_buf[8] = {0x01, 0x02, 0x03, 0x04,
				   0x05, 0x06, 0x07, 0x08};

/* Assert r is healthy and stands at offset off with left bytes to go. */
static void rdt_at(const struct rd *r, size_t off, size_t left)
{
	cr_assert_eq(r->err, 0, "unexpected err at offset %zu", rd_offset(r));
	cr_assert_eq(rd_offset(r), off, "offset %zu, want %zu", rd_offset(r),
		     off);
	cr_assert_eq(rd_left(r), left, "left %zu, want %zu", rd_left(r), left);
}

/* Assert r has failed: err set, nothing left, position frozen at off. */
static void rdt_failed(const struct rd *r, size_t off)
{
	cr_assert_eq(r->err, 1, "err not set");
	cr_assert_eq(rd_left(r), 0, "rd_left must be 0 after an error");
	cr_assert_eq(rd_offset(r), off, "offset %zu moved, want %zu",
		     rd_offset(r), off);
}

/* A fresh reader over rdt_buf[0..len) already advanced by skip bytes. */
static struct rd rdt_make(size_t len, size_t skip)
{
	struct rd r;

	rd_init(&r, rdt_buf, len);
	cr_assert_eq(rd_skip(&r, skip), 1);
	return r;
}

/* Every read of at least one byte from a fresh reader over (base, 0) fails
 * and leaves it failed at offset 0; a destination is zeroed. */
static void rdt_every_read_fails(const uint8_t *base)
{
	uint8_t dst[3] = {0xaa, 0xaa, 0xaa};
	struct rd r, s;

	rd_init(&r, base, 0);
	cr_assert_eq(rd_u8(&r), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_be16(&r), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_le16(&r), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_be32(&r), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_le32(&r), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_bytes(&r, dst, 3), 0);
	cr_assert_eq(dst[0], 0);
	cr_assert_eq(dst[1], 0);
	cr_assert_eq(dst[2], 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_null(rd_ptr(&r, 1));
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_skip(&r, 1), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	cr_assert_eq(rd_seek(&r, 1), 0);
	rdt_failed(&r, 0);
	rd_init(&r, base, 0);
	s = rd_sub(&r, 1);
	cr_assert_eq(s.err, 1);
	cr_assert_eq(rd_left(&s), 0);
	rdt_failed(&r, 0);
}

Test(reader, init_left_offset)
{
	struct rd r;

	rd_init(&r, rdt_buf, sizeof(rdt_buf));
	cr_assert_eq(r.base, rdt_buf);
	cr_assert_eq(r.p, rdt_buf);
	cr_assert_eq(r.end, rdt_buf + sizeof(rdt_buf));
	rdt_at(&r, 0, 8);
	/* rd_init resets a reader that had failed */
	r.err = 1;
	cr_assert_eq(rd_left(&r), 0);
	rd_init(&r, rdt_buf + 2, 3);
	cr_assert_eq(r.base, rdt_buf + 2);
	rdt_at(&r, 0, 3);
}

Test(reader, need)
{
	struct rd r = rdt_make(4, 3);

	cr_assert_eq(rd_need(&r, 0), 1);
	cr_assert_eq(rd_need(&r, 1), 1);
	rdt_at(&r, 3, 1); /* rd_need never moves */
	cr_assert_eq(rd_need(&r, 2), 0);
	rdt_failed(&r, 3);
	/* sticky: even a zero-byte need fails now */
	cr_assert_eq(rd_need(&r, 0), 0);
	cr_assert_eq(rd_need(&r, 1), 0);
	rdt_failed(&r, 3);
	/* a huge request must not wrap around */
	r = rdt_make(4, 0);
	cr_assert_eq(rd_need(&r, SIZE_MAX), 0);
	rdt_failed(&r, 0);
}

Test(reader, u8_to_the_end_and_past)
{
	struct rd r = rdt_make(3, 0);

	cr_assert_eq(rd_u8(&r), 0x01);
	cr_assert_eq(rd_u8(&r), 0x02);
	cr_assert_eq(rd_u8(&r), 0x03);
	rdt_at(&r, 3, 0);
	cr_assert_eq(rd_u8(&r), 0);
	rdt_failed(&r, 3);
	cr_assert_eq(rd_u8(&r), 0);
	rdt_failed(&r, 3);
}

Test(reader, be16_le16_exact_and_across_end)
{
	struct rd r = rdt_make(4, 0);

	cr_assert_eq(rd_be16(&r), 0x0102);
	cr_assert_eq(rd_le16(&r), 0x0403);
	rdt_at(&r, 4, 0);

	r = rdt_make(3, 2); /* one byte left */
	cr_assert_eq(rd_be16(&r), 0);
	rdt_failed(&r, 2);

	r = rdt_make(3, 2);
	cr_assert_eq(rd_le16(&r), 0);
	rdt_failed(&r, 2);
}

Test(reader, be32_le32_exact_and_across_end)
{
	struct rd r = rdt_make(8, 0);

	cr_assert_eq(rd_be32(&r), 0x01020304u);
	cr_assert_eq(rd_le32(&r), 0x08070605u);
	rdt_at(&r, 8, 0);

	/* 1, 2 and 3 bytes left are all too few, and nothing is consumed */
	for (size_t left = 0; left < 4; left++) {
		r = rdt_make(8, 8 - left);
		cr_assert_eq(rd_be32(&r), 0, "be32 with %zu left", left);
		rdt_failed(&r, 8 - left);
		r = rdt_make(8, 8 - left);
		cr_assert_eq(rd_le32(&r), 0, "le32 with %zu left", left);
		rdt_failed(&r, 8 - left);
	}
}

Test(reader, high_bit_values)
{
	static const uint8_t ff[4] = {0xff, 0xfe, 0x80, 0x7f};
	struct rd r;

	rd_init(&r, ff, sizeof(ff));
	cr_assert_eq(rd_be32(&r), 0xfffe807fu);
	rd_init(&r, ff, sizeof(ff));
	cr_assert_eq(rd_le32(&r), 0x7f80feffu);
	rd_init(&r, ff, sizeof(ff));
	cr_assert_eq(rd_be16(&r), 0xfffe);
	cr_assert_eq(rd_le16(&r), 0x7f80);
	rdt_at(&r, 4, 0);
}

Test(reader, err_is_sticky_for_every_read)
{
	struct rd r = rdt_make(8, 6);
	uint8_t dst[2] = {0xaa, 0xaa};

	/* fail with 2 bytes still there */
	cr_assert_eq(rd_be32(&r), 0);
	rdt_failed(&r, 6);
	/* every read would fit in the 2 bytes, yet all fail */
	cr_assert_eq(rd_u8(&r), 0);
	cr_assert_eq(rd_be16(&r), 0);
	cr_assert_eq(rd_le16(&r), 0);
	cr_assert_eq(rd_skip(&r, 1), 0);
	cr_assert_eq(rd_skip(&r, 0), 0);
	cr_assert_null(rd_ptr(&r, 1));
	cr_assert_null(rd_ptr(&r, 0));
	cr_assert_eq(rd_bytes(&r, dst, 2), 0);
	cr_assert_eq(dst[0], 0);
	cr_assert_eq(dst[1], 0);
	cr_assert_eq(rd_seek(&r, 0), 0);
	rdt_failed(&r, 6);
	{
		struct rd s = rd_sub(&r, 0);
		cr_assert_eq(s.err, 1);
		cr_assert_eq(rd_left(&s), 0);
	}
	rdt_failed(&r, 6);
}

Test(reader, bytes_exact_short_and_zero)
{
	uint8_t dst[8];
	struct rd r = rdt_make(5, 1);

	memset(dst, 0xaa, sizeof(dst));
	cr_assert_eq(rd_bytes(&r, dst, 4), 1);
	cr_assert_arr_eq(dst, rdt_buf + 1, 4);
	cr_assert_eq(dst[4], 0xaa, "wrote past n");
	rdt_at(&r, 5, 0);

	/* zero bytes at the very end: success, dst untouched */
	memset(dst, 0xaa, sizeof(dst));
	cr_assert_eq(rd_bytes(&r, dst, 0), 1);
	cr_assert_eq(dst[0], 0xaa);
	rdt_at(&r, 5, 0);

	/* short: exactly n bytes of dst zeroed, nothing past them */
	r = rdt_make(5, 2);
	memset(dst, 0xaa, sizeof(dst));
	cr_assert_eq(rd_bytes(&r, dst, 4), 0);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(dst[i], 0, "dst[%zu] not zeroed", i);
	cr_assert_eq(dst[4], 0xaa, "zeroed past n");
	rdt_failed(&r, 2);
}

Test(reader, ptr_exact_short_and_zero)
{
	struct rd r = rdt_make(6, 2);
	const uint8_t *q;

	q = rd_ptr(&r, 4);
	cr_assert_eq(q, rdt_buf + 2);
	rdt_at(&r, 6, 0);
	/* zero bytes at the end: a valid (end) pointer, no error */
	q = rd_ptr(&r, 0);
	cr_assert_eq(q, rdt_buf + 6);
	rdt_at(&r, 6, 0);
	q = rd_ptr(&r, 1);
	cr_assert_null(q);
	rdt_failed(&r, 6);

	r = rdt_make(6, 3);
	cr_assert_null(rd_ptr(&r, 4));
	rdt_failed(&r, 3);
}

Test(reader, skip_exact_short_and_zero)
{
	struct rd r = rdt_make(6, 0);

	cr_assert_eq(rd_skip(&r, 0), 1);
	rdt_at(&r, 0, 6);
	cr_assert_eq(rd_skip(&r, 6), 1);
	rdt_at(&r, 6, 0);
	cr_assert_eq(rd_skip(&r, 0), 1);
	rdt_at(&r, 6, 0);
	cr_assert_eq(rd_skip(&r, 1), 0);
	rdt_failed(&r, 6);

	r = rdt_make(6, 1);
	cr_assert_eq(rd_skip(&r, SIZE_MAX), 0);
	rdt_failed(&r, 1);
}

Test(reader, seek_bounds)
{
	struct rd r = rdt_make(6, 4);

	/* backwards, to the start, to the end (inclusive) */
	cr_assert_eq(rd_seek(&r, 1), 1);
	rdt_at(&r, 1, 5);
	cr_assert_eq(rd_u8(&r), 0x02);
	cr_assert_eq(rd_seek(&r, 0), 1);
	rdt_at(&r, 0, 6);
	cr_assert_eq(rd_seek(&r, 6), 1);
	rdt_at(&r, 6, 0);
	cr_assert_eq(rd_u8(&r), 0);
	rdt_failed(&r, 6);

	/* one past the end fails and does not move */
	r = rdt_make(6, 2);
	cr_assert_eq(rd_seek(&r, 7), 0);
	rdt_failed(&r, 2);
	/* and the error is sticky: a valid seek cannot clear it */
	cr_assert_eq(rd_seek(&r, 0), 0);
	rdt_failed(&r, 2);

	r = rdt_make(6, 2);
	cr_assert_eq(rd_seek(&r, SIZE_MAX), 0);
	rdt_failed(&r, 2);
}

Test(reader, seek_is_relative_to_base_of_a_sub_reader)
{
	struct rd r = rdt_make(8, 2);
	struct rd s = rd_sub(&r, 4); /* bytes 2..5 */

	cr_assert_eq(rd_seek(&s, 3), 1);
	cr_assert_eq(rd_u8(&s), 0x06);
	cr_assert_eq(rd_seek(&s, 4), 1);
	cr_assert_eq(rd_seek(&s, 5), 0, "seek past the sub-reader's end");
	cr_assert_eq(s.err, 1);
	rdt_at(&r, 6, 2); /* parent unaffected */
}

Test(reader, sub_advances_parent_and_is_bounded)
{
	struct rd r = rdt_make(8, 1);
	struct rd s = rd_sub(&r, 3); /* bytes 1..3 */

	rdt_at(&r, 4, 4);
	cr_assert_eq(s.base, rdt_buf + 1);
	rdt_at(&s, 0, 3);
	cr_assert_eq(rd_be16(&s), 0x0203);
	cr_assert_eq(rd_u8(&s), 0x04);
	rdt_at(&s, 3, 0);
	/* the sub-reader stops at its own end, not the parent's */
	cr_assert_eq(rd_u8(&s), 0);
	rdt_failed(&s, 3);
	/* the sub's error does not leak into the parent */
	rdt_at(&r, 4, 4);
	cr_assert_eq(rd_u8(&r), 0x05);

	/* a sub-reader that takes all that is left, and an empty one */
	s = rd_sub(&r, 3);
	rdt_at(&s, 0, 3);
	rdt_at(&r, 8, 0);
	s = rd_sub(&r, 0);
	rdt_at(&s, 0, 0);
	rdt_at(&r, 8, 0);
}

Test(reader, sub_short_errors_both)
{
	struct rd r = rdt_make(8, 5);
	struct rd s = rd_sub(&r, 4); /* only 3 left */

	cr_assert_eq(s.err, 1);
	cr_assert_eq(rd_left(&s), 0);
	cr_assert_eq(rd_u8(&s), 0);
	cr_assert_null(rd_ptr(&s, 0));
	rdt_failed(&r, 5);
}

Test(reader, empty_buffer)
{
	static const uint8_t one[1] = {0x42};
	uint8_t dst[2] = {0xaa, 0xaa};
	struct rd r;
	struct rd s;

	rd_init(&r, one, 0);
	rdt_at(&r, 0, 0);
	cr_assert_eq(rd_need(&r, 0), 1);
	cr_assert_eq(rd_skip(&r, 0), 1);
	cr_assert_eq(rd_bytes(&r, dst, 0), 1);
	cr_assert_eq(dst[0], 0xaa);
	cr_assert_eq(rd_ptr(&r, 0), one);
	cr_assert_eq(rd_seek(&r, 0), 1);
	s = rd_sub(&r, 0);
	rdt_at(&s, 0, 0);
	rdt_at(&r, 0, 0);

	cr_assert_eq(rd_u8(&r), 0, "read the byte past len");
	rdt_failed(&r, 0);

	rdt_every_read_fails(one);
}

/* rd_init(NULL, 0) is what a caller gets for "no payload"; nothing may be
 * read, and nothing may be dereferenced. */
Test(reader, null_buffer_len_zero)
{
	struct rd r;

	rd_init(&r, NULL, 0);
	cr_assert_null(r.base);
	cr_assert_null(r.p);
	cr_assert_null(r.end);
	rdt_at(&r, 0, 0);
	cr_assert_eq(rd_need(&r, 0), 1);
	rdt_at(&r, 0, 0);

	cr_assert_eq(rd_u8(&r), 0);
	rdt_failed(&r, 0);

	rdt_every_read_fails(NULL);
}

/* Zero-byte operations on a NULL/0 reader ask for nothing, so like on any
 * other empty buffer they must succeed without an error and without
 * touching the NULL pointer: NULL + 0 and memcpy(dst, NULL, 0) are
 * undefined in C11, and UBSan (make asan) aborts on them. */
Test(reader, null_buffer_zero_byte_ops)
{
	uint8_t dst[1] = {0xaa};
	struct rd r;

	rd_init(&r, NULL, 0);
	cr_assert_eq(rd_skip(&r, 0), 1);
	rdt_at(&r, 0, 0);

	rd_init(&r, NULL, 0);
	(void)rd_ptr(&r, 0); /* nothing to point at: NULL or not, no error */
	rdt_at(&r, 0, 0);

	rd_init(&r, NULL, 0);
	cr_assert_eq(rd_bytes(&r, dst, 0), 1);
	cr_assert_eq(dst[0], 0xaa);
	rdt_at(&r, 0, 0);

	rd_init(&r, NULL, 0);
	cr_assert_eq(rd_seek(&r, 0), 1);
	rdt_at(&r, 0, 0);
}

/* An empty sub-reader of a healthy reader is healthy, whatever the
 * buffer's address (compare empty_buffer, where it is). */
Test(reader, null_buffer_empty_sub)
{
	struct rd r;
	struct rd s;

	rd_init(&r, NULL, 0);
	s = rd_sub(&r, 0);
	rdt_at(&r, 0, 0);
	cr_assert_eq(s.err, 0, "rd_sub(r, 0) on a NULL/0 reader set err");
	cr_assert_eq(rd_left(&s), 0);
}
