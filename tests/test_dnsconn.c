/* test_dnsconn.c - DNS over TCP (flow/dnsconn.c) names, with each
 * message, the frames whose segments carried it (-w): pipelined messages
 * in one segment each name it, a message over two segments names both,
 * a message the gap cut names none, and bytes a connection held when it
 * ended name no frame. */
#include <criterion/criterion.h>

#include <string.h>

#include "flow/dnsconn.h"
#include "testkit.h"

#define MAX_MSGS 8

struct got {
	size_t n;
	size_t len[MAX_MSGS];
	size_t n_frames[MAX_MSGS];
	uint64_t frames[MAX_MSGS][DC_MSG_FRAMES];
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len,
		   const struct mx_endpoint *src, const struct mx_endpoint *dst,
		   double ts, const uint64_t *frames, size_t n)
{
	struct got *g = ctx;
	(void)msg;
	(void)src;
	(void)dst;
	(void)ts;
	cr_assert_lt(g->n, MAX_MSGS);
	g->len[g->n] = len;
	g->n_frames[g->n] = n;
	memcpy(g->frames[g->n], frames, n * sizeof(*frames));
	g->n++;
}

/* The client's segment of bytes p at sequence number seq. */
static void client_seg(struct dc_table *t, uint32_t seq, const char *p,
		       size_t len, uint8_t flags, uint64_t frame)
{
	struct dec_seg g;
	memset(&g, 0, sizeof(g));
	g.proto = 6;
	g.src = tk_ep("192.0.2.10", 45009);
	g.dst = tk_ep("198.51.100.53", 53);
	g.flags = flags;
	g.seq = seq;
	g.payload = (const uint8_t *)p;
	g.len = g.wire_len = len;
	dc_segment(t, &g, 1700000000.0 + (double)frame / 1000, frame);
}

static void expect(const struct got *g, size_t i, size_t len,
		   const uint64_t *frames, size_t n)
{
	cr_assert_eq(g->len[i], len, "message %zu", i);
	cr_assert_eq(g->n_frames[i], n, "message %zu names %zu frames", i,
		     g->n_frames[i]);
	for (size_t k = 0; k < n; k++)
		cr_assert_eq(g->frames[i][k], frames[k], "message %zu", i);
}

Test(dnsconn, pipelined_messages_each_name_the_segment_that_carried_them)
{
	struct got g = {0};
	struct dc_table *t = dc_new(16, 60, on_msg, &g);
	/* three messages of 3 bytes: two whole and a third begun in frame
	 * 2, the third ended in frame 3 */
	static const char a[] = "\0\3abc\0\3def\0\3g", b[] = "hi";
	const uint64_t f2[] = {2}, f23[] = {2, 3};
	client_seg(t, 100, "", 0, DEC_TH_SYN, 1);
	client_seg(t, 101, a, sizeof(a) - 1, DEC_TH_ACK, 2);
	client_seg(t, 101 + sizeof(a) - 1, b, 2, DEC_TH_ACK, 3);
	cr_assert_eq(g.n, 3);
	expect(&g, 0, 3, f2, 1);
	expect(&g, 1, 3, f2, 1);
	expect(&g, 2, 3, f23, 2);
	dc_free(t);
}

Test(dnsconn, a_message_after_one_that_ended_at_its_segment_names_only_its_own)
{
	struct got g = {0};
	struct dc_table *t = dc_new(16, 60, on_msg, &g);
	static const char a[] = "\0\3abc", b[] = "\0\3def";
	const uint64_t f2[] = {2}, f3[] = {3};
	client_seg(t, 100, "", 0, DEC_TH_SYN, 1);
	client_seg(t, 101, a, 5, DEC_TH_ACK, 2);
	client_seg(t, 106, b, 5, DEC_TH_ACK, 3);
	cr_assert_eq(g.n, 2);
	expect(&g, 0, 3, f2, 1);
	expect(&g, 1, 3, f3, 1);
	dc_free(t);
}

Test(dnsconn, bytes_held_when_the_connection_ends_name_no_frame)
{
	struct got g = {0};
	struct dc_table *t = dc_new(16, 60, on_msg, &g);
	static const char a[] = "\0\3abc";
	client_seg(t, 100, "", 0, DEC_TH_SYN, 1);
	/* a hole of 5 bytes before it: held, then given at the end */
	client_seg(t, 106, a, 5, DEC_TH_ACK, 2);
	cr_assert_eq(g.n, 0);
	dc_expire(t, 1700000100.0);
	for (size_t i = 0; i < g.n; i++)
		cr_assert_eq(g.n_frames[i], 0, "message %zu names a frame", i);
	dc_free(t);
}
