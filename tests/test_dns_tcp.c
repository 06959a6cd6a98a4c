/* test_dns_tcp.c - unit tests for DNS over TCP framing (RFC 1035 section
 * 4.2.2, RFC 7766 section 8): the two-byte length prefix, several messages
 * in one chunk, a message cut at every byte or fed a byte at a time, a
 * chunk ending inside the length, and the time stamp each message gets.
 * The messages framed are testdns.h's hand-written response.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "testdns.h" /* parse_copy, new_msg, resp_a */

/* ---- TCP framing ------------------------------------------------------- */

struct sink {
	int n;
	size_t len[8];
	double ts[8];
	uint8_t msg[8][128];
};

static void sink_fn(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct sink *s = ctx;

	cr_assert_lt(s->n, 8);
	cr_assert_leq(len, sizeof s->msg[0]);
	s->len[s->n] = len;
	s->ts[s->n] = ts;
	memcpy(s->msg[s->n], msg, len);
	s->n++;
}

static struct dns_tcp_framer *new_framer(void)
{
	struct dns_tcp_framer *f = malloc(sizeof *f);

	cr_assert_not_null(f);
	memset(f, 0x5a, sizeof *f);
	dns_tcp_init(f);
	return f;
}

/* msg with its 2-byte length prefix, as DNS over TCP sends it. */
static size_t framed(uint8_t *out, const uint8_t *msg, size_t len)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memcpy(out + 2, msg, len);
	return len + 2;
}

Test(dns, tcp_two_messages_in_one_chunk)
{
	struct dns_tcp_framer *f = new_framer();
	struct sink s = {0};
	uint8_t st[256];
	size_t n;
	struct dns_msg *m = new_msg();

	n = framed(st, resp_a, sizeof resp_a);
	st[n++] = 0; /* a zero-length message is skipped */
	st[n++] = 0;
	n += framed(st + n, resp_a, RESP_A_QEND);
	dns_tcp_feed(f, st, n, 7.5, sink_fn, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.len[0], sizeof resp_a);
	cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
	cr_assert_eq(s.len[1], RESP_A_QEND);
	cr_assert_eq(memcmp(s.msg[1], resp_a, RESP_A_QEND), 0);
	cr_assert_eq(s.ts[0], 7.5);
	cr_assert_eq(s.ts[1], 7.5);
	cr_assert_eq(parse_copy(s.msg[0], s.len[0], m), DX_OK);
	cr_assert_eq(m->n_an, 2);

	/* An empty message at a chunk's end delivers nothing later either. */
	dns_tcp_feed(f, (const uint8_t *)"\0\0", 2, 8.0, sink_fn, &s);
	dns_tcp_feed(f, st, sizeof resp_a + 2, 9.0, sink_fn, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.len[2], sizeof resp_a);
	cr_assert_eq(s.ts[2], 9.0);
	free(m);
	free(f);
}

Test(dns, tcp_split_at_every_byte)
{
	struct dns_tcp_framer *f = new_framer();
	uint8_t st[256];
	size_t n = framed(st, resp_a, sizeof resp_a), k, i;

	for (k = 0; k <= n; k++) {
		struct sink s = {0};

		dns_tcp_init(f);
		dns_tcp_feed(f, st, k, 1.0, sink_fn, &s);
		cr_assert_eq(s.n, k == n ? 1 : 0, "split %zu", k);
		dns_tcp_feed(f, st + k, n - k, 2.0, sink_fn, &s);
		cr_assert_eq(s.n, 1, "split %zu", k);
		cr_assert_eq(s.len[0], sizeof resp_a);
		cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
		/* An empty first chunk holds no length byte. */
		cr_assert_eq(s.ts[0], k == 0 ? 2.0 : 1.0, "split %zu", k);
	}

	/* One byte per chunk: the ts is that of the first length byte. */
	{
		struct sink s = {0};

		dns_tcp_init(f);
		for (i = 0; i < n; i++)
			dns_tcp_feed(f, st + i, 1, 10.0 + (double)i, sink_fn,
				     &s);
		cr_assert_eq(s.n, 1);
		cr_assert_eq(s.ts[0], 10.0);
		cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
	}
	free(f);
}

Test(dns, tcp_chunk_ending_inside_length)
{
	struct dns_tcp_framer *f = new_framer();
	struct sink s = {0};
	uint8_t st[256];
	size_t a, n;

	a = framed(st, resp_a, RESP_A_QEND);
	n = a + framed(st + a, resp_a, sizeof resp_a);
	dns_tcp_feed(f, st, a + 1, 3.0, sink_fn, &s); /* one length byte */
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.len[0], RESP_A_QEND);
	dns_tcp_feed(f, st + a + 1, n - a - 1, 4.0, sink_fn, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.len[1], sizeof resp_a);
	cr_assert_eq(memcmp(s.msg[1], resp_a, sizeof resp_a), 0);
	cr_assert_eq(s.ts[1], 3.0);

	/* Nothing left over: the next message starts clean. */
	dns_tcp_feed(f, st, a, 5.0, sink_fn, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.ts[2], 5.0);
	cr_assert_eq(s.len[2], RESP_A_QEND);
	free(f);
}
