/* test_tcpreorder.c - a receiver's ACK stamped a little before the data it
 * acknowledges (two mirrored directions merged slightly out of order) is
 * not a loss; an ACK of bytes that never come still is, at the ACK's time,
 * once TCPR_REORDER_S passed or the acking side sent data of its own
 * (issue 10). */
#include <criterion/criterion.h>

#include <string.h>

#include "flow/tcpreasm.h"

struct log {
	size_t data, gaps;   /* bytes delivered, gap events */
	uint64_t missing;
	double gap_ts;
	size_t order[8]; /* 1: data, 2: gap, in the order they came */
	size_t n;
};

static void on_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct log *l = ctx;
	(void)buf;
	(void)ts;
	l->data += len;
	if (l->n < 8)
		l->order[l->n++] = 1;
}

static void on_gap(void *ctx, uint64_t missing, double ts)
{
	struct log *l = ctx;
	l->gaps++;
	l->missing += missing;
	l->gap_ts = ts;
	if (l->n < 8)
		l->order[l->n++] = 2;
}

static const struct tcpr_ops ops = {on_data, on_gap};
static const uint8_t bytes[64] = "250 2.1.0 Ok\r\n";

#define CISN 1000u /* client's ISN */
#define SISN 5000u /* server's */

/* A handshake: h[0] client to server, h[1] server to client. */
static void open_conn(struct tcpr_half h[2], struct log l[2])
{
	memset(l, 0, 2 * sizeof(*l));
	tcpr_init(&h[0]);
	tcpr_init(&h[1]);
	tcpr_conn_segment(h, 0, true, false, false, CISN, 0, NULL, 0, 0, 1.0,
			  &ops, &l[0], &l[1]);
	tcpr_conn_segment(h, 1, true, true, false, SISN, CISN + 1, NULL, 0, 0,
			  1.001, &ops, &l[1], &l[0]);
	tcpr_conn_segment(h, 0, false, true, false, CISN + 1, SISN + 1, NULL, 0,
			  0, 1.002, &ops, &l[0], &l[1]);
}

/* The client's pure ACK of 14 server bytes at t_ack. */
static void client_acks(struct tcpr_half h[2], struct log l[2], double t)
{
	tcpr_conn_segment(h, 0, false, true, false, CISN + 1, SISN + 1 + 14,
			  NULL, 0, 0, t, &ops, &l[0], &l[1]);
}

static void server_sends(struct tcpr_half h[2], struct log l[2], double t)
{
	tcpr_conn_segment(h, 1, false, true, false, SISN + 1, CISN + 1, bytes,
			  14, 14, t, &ops, &l[1], &l[0]);
}

Test(tcpreorder, an_ack_just_before_its_data_is_no_loss)
{
	struct tcpr_half h[2];
	struct log l[2];
	open_conn(h, l);
	client_acks(h, l, 2.0);
	server_sends(h, l, 2.000005);
	tcpr_flush(&h[1], 3.0, &ops, &l[1]);
	cr_assert_eq(l[1].gaps, 0);
	cr_assert_eq(l[1].data, 14);
}

Test(tcpreorder, data_that_never_comes_is_a_gap_at_the_acks_time)
{
	struct tcpr_half h[2];
	struct log l[2];
	open_conn(h, l);
	client_acks(h, l, 2.0);
	/* the server's next segment, 50 ms on, starts after the hole */
	tcpr_conn_segment(h, 1, false, true, false, SISN + 15, CISN + 1,
			  bytes, 14, 14, 2.05, &ops, &l[1], &l[0]);
	cr_assert_eq(l[1].gaps, 1);
	cr_assert_eq(l[1].missing, 14);
	cr_assert_float_eq(l[1].gap_ts, 2.0, 1e-9);
	cr_assert_eq(l[1].order[0], 2, "the gap before the data after it");
	cr_assert_eq(l[1].data, 14);
}

Test(tcpreorder, the_acking_side_sending_data_ends_the_wait)
{
	struct tcpr_half h[2];
	struct log l[2];
	open_conn(h, l);
	client_acks(h, l, 2.0);
	/* the client's next command, 1 ms later: it read the server's
	 * reply, which the capture does not have */
	tcpr_conn_segment(h, 0, false, true, false, CISN + 1, SISN + 1 + 14,
			  (const uint8_t *)"QUIT\r\n", 6, 6, 2.001, &ops, &l[0],
			  &l[1]);
	cr_assert_eq(l[1].gaps, 1);
	cr_assert_eq(l[1].missing, 14);
	cr_assert_eq(l[0].data, 6);
}

Test(tcpreorder, an_ack_riding_on_the_receivers_data_is_a_gap_at_once)
{
	struct tcpr_half h[2];
	struct log l[2];
	open_conn(h, l);
	/* the client's data acknowledges 14 server bytes never captured */
	tcpr_conn_segment(h, 0, false, true, false, CISN + 1, SISN + 1 + 14,
			  (const uint8_t *)"QUIT\r\n", 6, 6, 2.0, &ops, &l[0],
			  &l[1]);
	cr_assert_eq(l[1].gaps, 1);
	cr_assert_float_eq(l[1].gap_ts, 2.0, 1e-9);
}
