/* testdns.h - the DNS message builder shared by the dissector tests
 * (test_dns.c, test_dns_names.c, test_dns_records.c, test_dns_tcp.c).
 *
 * Messages are assembled byte by byte (struct mb and the mb_* writers),
 * every parse runs on an exact-size heap copy (parse_copy) so that ASan
 * sees any read past the end, and a struct dns_msg starts from garbage
 * (new_msg) so that "fully initialised" is actually tested.  resp_a is one
 * hand-written response the tests cut, mutate and frame.
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTDNS_H
#define MXRAY_TESTDNS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

/* ---- message builder --------------------------------------------------- */

struct mb {
	uint8_t b[8192];
	size_t n;
};

static inline void mb_u8(struct mb *m, unsigned v)
{
	cr_assert_lt(m->n, sizeof m->b);
	m->b[m->n++] = (uint8_t)v;
}

static inline void mb_u16(struct mb *m, unsigned v)
{
	mb_u8(m, v >> 8 & 0xff);
	mb_u8(m, v & 0xff);
}

static inline void mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, v >> 16);
	mb_u16(m, v & 0xffff);
}

static inline void mb_raw(struct mb *m, const void *p, size_t n)
{
	cr_assert_leq(m->n + n, sizeof m->b);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static inline void mb_hdr(struct mb *m, unsigned id, unsigned flags,
			  unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

/* Labels of a dotted name (no escapes); no terminator.  Returns the offset
 * of the first label, for compression pointers. */
static inline size_t mb_labels(struct mb *m, const char *dotted)
{
	size_t start = m->n;
	const char *p = dotted, *dot;
	size_t len;

	while (*p != '\0') {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		mb_u8(m, (unsigned)len);
		mb_raw(m, p, len);
		p += len + (dot ? 1 : 0);
	}
	return start;
}

static inline void mb_ptr(struct mb *m, size_t off)
{
	mb_u8(m, 0xC0 | (unsigned)(off >> 8));
	mb_u8(m, off & 0xff);
}

/* A full name ending in the root label; returns its offset. */
static inline size_t mb_name(struct mb *m, const char *dotted)
{
	size_t off = mb_labels(m, dotted);

	mb_u8(m, 0);
	return off;
}

/* "prefix" labels then a pointer to off; returns the name's offset. */
static inline size_t mb_name_ptr(struct mb *m, const char *prefix, size_t off)
{
	size_t start = mb_labels(m, prefix);

	mb_ptr(m, off);
	return start;
}

/* A question: the name, qtype, class IN; returns the name's offset. */
static inline size_t mb_question(struct mb *m, const char *dotted,
				 unsigned qtype)
{
	size_t off = mb_name(m, dotted);

	mb_u16(m, qtype);
	mb_u16(m, 1);
	return off;
}

/* type, class, ttl and a placeholder rdlength; returns where rdata starts. */
static inline size_t mb_rr(struct mb *m, unsigned type, unsigned rclass,
			   uint32_t ttl)
{
	mb_u16(m, type);
	mb_u16(m, rclass);
	mb_u32(m, ttl);
	mb_u16(m, 0);
	return m->n;
}

static inline void mb_rr_end(struct mb *m, size_t rdata_start)
{
	size_t len = m->n - rdata_start;

	m->b[rdata_start - 2] = (uint8_t)(len >> 8);
	m->b[rdata_start - 1] = (uint8_t)(len & 0xff);
}

/* An OPT record with the root owner and no options: rclass is the UDP
 * size, ttl the extended rcode, version and flags. */
static inline void mb_opt(struct mb *m, unsigned udp, uint32_t ttl)
{
	mb_u8(m, 0);
	mb_rr_end(m, mb_rr(m, DNS_T_OPT, udp, ttl));
}

static inline void mb_a(struct mb *m, unsigned a, unsigned b, unsigned c,
			unsigned d)
{
	size_t s = mb_rr(m, DNS_T_A, 1, 300);

	mb_u8(m, a);
	mb_u8(m, b);
	mb_u8(m, c);
	mb_u8(m, d);
	mb_rr_end(m, s);
}

/* A wire name of labels with the given lengths, filled with 'a'. */
static inline size_t wire_name(uint8_t *w, const int *lens, int n, int fill)
{
	size_t o = 0;
	int i;

	for (i = 0; i < n; i++) {
		w[o++] = (uint8_t)lens[i];
		memset(w + o, i == 0 ? fill : 'a', (size_t)lens[i]);
		o += (size_t)lens[i];
	}
	w[o++] = 0;
	return o;
}

/* Parse an exact-size heap copy, so ASan catches any over-read. */
static inline int parse_copy(const uint8_t *b, size_t n, struct dns_msg *out)
{
	uint8_t *c = malloc(n ? n : 1);
	int ret;

	cr_assert_not_null(c);
	if (n)
		memcpy(c, b, n);
	ret = dns_parse(c, n, out);
	free(c);
	return ret;
}

/* The struct is ~85 KB: keep it off the stack and start from garbage so
 * "fully initialised" is actually tested. */
static inline struct dns_msg *new_msg(void)
{
	struct dns_msg *m = malloc(sizeof *m);

	cr_assert_not_null(m);
	memset(m, 0xA5, sizeof *m);
	return m;
}

/* ---- a hand-written response ------------------------------------------ */

/* Response to WWW.Example.COM/A with two compressed answers. */
static const uint8_t resp_a[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	/* 12: question */
	0x03, 'W', 'W', 'W', 0x07, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
	0x03, 'C', 'O', 'M', 0x00, 0x00, 0x01, 0x00, 0x01,
	/* 33: answer, owner -> 12 */
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
	0xc0, 0x00, 0x02, 0x01,
	/* 49: answer, owner -> 16 ("Example.COM") */
	0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
	0xc0, 0x00, 0x02, 0x02,
};
#define RESP_A_QEND 33

#endif
