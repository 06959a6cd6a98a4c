/* test_tcpreasm.c - unit tests for one direction of TCP put back in order
 * (analyzer/flow/tcpreasm.c; RFC 9293 section 3.4 sequence numbers): in
 * order, retransmissions and overlaps, out of order, and holes (gaps, the
 * hold cap, the budget, a new ISN).  The end of the stream, sequence
 * number wraparound, snaplen cuts, a capture starting mid-way and freeing
 * are in test_tcpreasm_edges.c.
 *
 * A recorder (testtcpr.h) stands in for the SMTP dissector and payloads
 * are slices of one deterministic stream, so a test checks that what came
 * out is exactly the stream with the holes it expects.
 *
 * Run under ASan (make asan): a held segment never freed is a leak, one
 * freed twice or read after free is an error.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/tcpreasm.h"
#include "testtcpr.h" /* the recorder, the stream, struct dir */

/* ---- in order ------------------------------------------------------------ */

Test(tcpreasm, in_order_delivery)
{
	struct dir d;

	dir_open(&d, 1000, true);
	seg(&d, 0, 26, 1.0);
	seg(&d, 26, 100, 1.1);
	seg(&d, 100, 1548, 1.2);
	expect_events(d.r, "D26 D74 D1448");
	expect_delivered(&d, 0, 1548);
	cr_expect_eq(d.h.next, seq_at(&d, 1548));
	cr_expect_eq(d.h.delivered, 1548);
	cr_expect_eq(d.h.missing, 0);
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_eq(d.r->ev[0].ts, 1.0, "data keeps its segment's time");
	cr_expect_eq(d.r->ev[2].ts, 1.2);
	dir_close(&d);
}

Test(tcpreasm, syn_then_data)
{
	struct dir d;

	dir_open(&d, 0x12345678, false);
	cr_expect_not(d.h.started);
	tcpr_syn(&d.h, d.isn);
	cr_expect(d.h.started);
	cr_expect_eq(d.h.next, d.isn + 1, "data starts after the SYN");
	seg(&d, 0, 35, 2.0);
	/* a retransmitted SYN (even with another ISN) changes nothing now */
	tcpr_syn(&d.h, d.isn + 5000);
	seg(&d, 35, 70, 2.1);
	expect_events(d.r, "D35 D35");
	expect_delivered(&d, 0, 70);
	flush(&d, 3.0);
	expect_events(d.r, "D35 D35");
	dir_close(&d);
}

Test(tcpreasm, empty_segments_and_pure_acks_deliver_nothing)
{
	struct dir d;

	dir_open(&d, 77, true);
	seg(&d, 0, 0, 1.0);
	ack(&d, 0, 1.1);
	seg(&d, 0, 10, 1.2);
	ack(&d, 10, 1.3);
	seg(&d, 10, 10, 1.4);
	expect_events(d.r, "D10");
	flush(&d, 2.0);
	expect_events(d.r, "D10");
	dir_close(&d);
}

/* ---- retransmissions and overlaps ---------------------------------------- */

Test(tcpreasm, retransmission_ignored)
{
	struct dir d;

	dir_open(&d, 5000, true);
	seg(&d, 0, 100, 1.0);
	seg(&d, 0, 100, 1.1);    /* the same segment again */
	seg(&d, 100, 200, 1.2);
	seg(&d, 0, 100, 1.3);    /* an old one, late */
	seg(&d, 50, 150, 1.4);   /* inside what was delivered */
	seg(&d, 200, 300, 1.5);
	expect_events(d.r, "D100 D100 D100");
	expect_delivered(&d, 0, 300);
	cr_expect_eq(d.h.delivered, 300);
	cr_expect_eq(d.h.missing, 0);
	dir_close(&d);
}

Test(tcpreasm, overlap_trimmed)
{
	struct dir d;

	dir_open(&d, 5000, true);
	seg(&d, 0, 1448, 1.0);
	seg(&d, 724, 2172, 1.1); /* half old, half new */
	seg(&d, 2172, 2200, 1.2);
	expect_events(d.r, "D1448 D724 D28");
	expect_delivered(&d, 0, 2200);
	dir_close(&d);
}

Test(tcpreasm, held_segments_overlapping_each_other)
{
	struct dir d;

	dir_open(&d, 9, true);
	seg(&d, 200, 300, 1.0);
	seg(&d, 150, 250, 1.1);  /* overlaps the held one */
	seg(&d, 100, 160, 1.2);
	seg(&d, 200, 300, 1.3);  /* held twice */
	expect_events(d.r, "");
	seg(&d, 0, 100, 1.4);
	expect_delivered(&d, 0, 300);
	cr_expect_eq(d.r->gap_bytes, 0);
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_null(d.h.held);
	dir_close(&d);
}

/* ---- out of order -------------------------------------------------------- */

Test(tcpreasm, out_of_order_held_and_drained)
{
	struct dir d;

	dir_open(&d, 1000, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 1458, 2906, 1.1); /* the third segment before the second */
	expect_events(d.r, "D10");
	seg(&d, 10, 1458, 1.2);
	expect_events(d.r, "D10 D1448 D1448");
	expect_delivered(&d, 0, 2906);
	cr_expect_eq(d.r->gap_bytes, 0);
	dir_close(&d);

	/* segment 2 before segment 1, as in samples/odd/reorder.pcap */
	dir_open(&d, 1000, true);
	ack(&d, 0, 0.5);
	seg(&d, 1448, 2896, 1.0);
	expect_events(d.r, "");
	cr_expect_eq(d.h.held_bytes, 1448, "the early segment is held");
	ack(&d, 0, 1.05);         /* the receiver's duplicate ACK */
	expect_events(d.r, "");
	seg(&d, 0, 1448, 1.1);
	expect_events(d.r, "D1448 D1448");
	cr_expect_eq(d.r->ev[1].ts, 1.0, "held data keeps its own time");
	cr_expect_eq(d.h.held_bytes, 0);
	expect_delivered(&d, 0, 2896);
	dir_close(&d);
}

Test(tcpreasm, three_segments_in_reverse)
{
	struct dir d;

	dir_open(&d, 1, true);
	seg(&d, 200, 300, 1.0);
	seg(&d, 100, 200, 1.1);
	cr_expect_eq(d.h.held_bytes, 200);
	seg(&d, 0, 100, 1.2);
	expect_events(d.r, "D100 D100 D100");
	expect_delivered(&d, 0, 300);
	dir_close(&d);
}

/* ---- holes ---------------------------------------------------------------- */

Test(tcpreasm, hole_then_ack_past_it)
{
	struct dir d;

	dir_open(&d, 4242, true);
	seg(&d, 0, 1448, 1.0);
	/* [1448, 2896) never captured */
	seg(&d, 2896, 4344, 1.2);
	expect_events(d.r, "D1448");
	ack(&d, 1448, 1.25);      /* not past the hole */
	expect_events(d.r, "D1448");
	ack(&d, 4344, 1.3);       /* past it: those bytes reached the peer */
	expect_events(d.r, "D1448 G1448 D1448");
	/* known at the ACK, stamped before the held data it precedes, so
	 * the timeline stays in order */
	cr_expect_eq(d.r->ev[1].ts, 1.2, "the gap sorts before the held data");
	expect_delivered(&d, 0, 1448, 2896, 4344);
	cr_expect_eq(d.h.missing, 1448);
	cr_expect_eq(d.h.delivered, 2896);
	flush(&d, 2.0);
	expect_events(d.r, "D1448 G1448 D1448");
	dir_close(&d);
}

/* An ACK that ends exactly at the hole's end (= the first held byte): the
 * receiver has every byte of the hole, so it is as lost to the capture as
 * with an ACK one byte further (tcpr_segment already treats acked == seq as
 * proof).  samples/odd/lost-segment.pcap has this ACK (frame 24); the gap
 * is declared only at the next ACK. */
Test(tcpreasm, ack_exactly_at_hole_end)
{
	struct dir d;

	dir_open(&d, 4242, true);
	seg(&d, 0, 1448, 1.0);
	seg(&d, 2896, 4344, 1.2);
	ack(&d, 2896, 1.3);
	expect_events(d.r, "D1448 G1448 D1448");
	dir_close(&d);
}

Test(tcpreasm, data_beyond_next_already_acked_is_an_immediate_gap)
{
	struct dir d;

	dir_open(&d, 31337, true);
	seg(&d, 0, 27, 1.0);       /* MAIL FROM */
	/* [27, 54) RCPT TO lost; the server's reply ACKs it */
	ack(&d, 54, 1.1);          /* declared here, before the reply is read */
	expect_events(d.r, "D27 G27");
	seg(&d, 54, 60, 1.2);      /* DATA */
	expect_events(d.r, "D27 G27 D6");
	cr_expect_eq(d.r->ev[1].ts, 1.1);
	cr_expect_eq(d.h.held_bytes, 0, "nothing held: the hole is final");
	expect_delivered(&d, 0, 27, 54, 60);
	dir_close(&d);
}

Test(tcpreasm, data_beyond_the_ack_is_held_not_a_gap)
{
	struct dir d;

	dir_open(&d, 31337, true);
	seg(&d, 0, 10, 1.0);
	ack(&d, 10, 1.05);
	seg(&d, 20, 30, 1.1);      /* [10, 20) may still come */
	expect_events(d.r, "D10");
	seg(&d, 10, 20, 1.2);
	expect_events(d.r, "D10 D10 D10");
	expect_delivered(&d, 0, 30);
	dir_close(&d);
}

Test(tcpreasm, hold_cap_declares_the_gap_and_drains)
{
	struct dir d;
	const size_t hole = 100, step = 1000;
	size_t off = hole;

	dir_open(&d, 0xABCDEF, true);
	/* no ACK ever: only the cap can end the wait */
	while (off + step - hole <= TCPR_HOLD_MAX) {
		seg(&d, off, off + step, 1.0);
		off += step;
	}
	expect_events(d.r, "");
	cr_expect_leq(d.h.held_bytes, TCPR_HOLD_MAX);
	seg(&d, off, off + step, 2.0); /* one more: over the cap */
	off += step;
	cr_assert_gt(d.r->n, 1);
	cr_expect_eq(d.r->ev[0].kind, 'G');
	cr_expect_eq(d.r->ev[0].n, hole, "the gap is the hole before the "
		     "held data");
	expect_delivered(&d, hole, off);
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_eq(d.h.next, seq_at(&d, off));
	/* and the stream goes on */
	seg(&d, off, off + 10, 3.0);
	cr_expect_eq(d.h.next, seq_at(&d, off + 10));
	dir_close(&d);
}

Test(tcpreasm, hold_cap_drains_only_up_to_the_next_hole)
{
	struct dir d;
	size_t off = 10;

	dir_open(&d, 5, true);
	seg(&d, 0, 5, 0.5);
	/* hole [5, 10), then held data, then a second hole [60010, 60020) */
	while (off < 60010) {
		seg(&d, off, off + 1000, 1.0);
		off += 1000;
	}
	expect_events(d.r, "D5");
	/* one more segment at a time until the cap declares the first hole
	 * (seg fails the test if that never happens) */
	off += 10;
	while (d.r->n == 1) {
		seg(&d, off, off + 1000, 2.0);
		off += 1000;
	}
	cr_expect_eq(d.r->ev[1].kind, 'G');
	cr_expect_eq(d.r->ev[1].n, 5);
	cr_expect_eq(d.h.next, seq_at(&d, 60010), "drained up to the second "
		     "hole only");
	cr_expect_gt(d.h.held_bytes, 0, "the data after the second hole "
		     "is still held");
	flush(&d, 3.0);
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_eq(d.r->gap_bytes, 15);
	cr_expect_eq(d.h.next, seq_at(&d, off));
	dir_close(&d);
}

Test(tcpreasm, segment_too_big_to_hold_is_a_gap_at_once)
{
	struct dir d;
	size_t big = TCPR_HOLD_MAX + 1000;

	dir_open(&d, 5, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 20, 20 + big, 1.1); /* a GRO super-segment, say */
	expect_delivered(&d, 0, 10, 20, 20 + big);
	cr_expect_eq(d.r->gap_bytes, 10);
	cr_expect_eq(d.h.held_bytes, 0);
	dir_close(&d);
}

/* The hold cap is per direction: when the data held goes over it, holes
 * are declared until it is back under, not just the first one (found by
 * tests/fuzz/fuzz_tcpreasm.c: one byte held before a second hole let the
 * rest stay over the cap, and a direction could grow past it call after
 * call). */
Test(tcpreasm, hold_cap_kept_when_the_first_hole_frees_little)
{
	struct dir d;

	dir_open(&d, 300, true);
	seg(&d, 10, 11, 1.0);           /* one byte after the hole [0, 10) */
	seg(&d, 20, 60020, 1.1);        /* after a second hole [11, 20) */
	expect_events(d.r, "");
	seg(&d, 60030, 66030, 1.2);     /* over the cap */
	expect_events(d.r, "G10 D1 G9 D60000");
	cr_expect_leq(d.h.held_bytes, TCPR_HOLD_MAX);
	cr_expect_eq(d.h.held_bytes, 6000);
	cr_expect_eq(d.h.next, seq_at(&d, 60020));
	dir_close(&d);
}

/* A hole declared final is skipped only up to the data held inside it:
 * those bytes were captured and are delivered, never counted lost
 * (found by tests/fuzz/fuzz_tcpreasm.c). */
Test(tcpreasm, budget_refusal_keeps_held_data_inside_the_hole)
{
	struct dir d;
	struct tcpr_budget b = {0, 150};

	dir_open(&d, 40, true);
	d.h.budget = &b;
	seg(&d, 0, 10, 1.0);
	seg(&d, 100, 200, 1.1);         /* held: 100 of 150 */
	seg(&d, 300, 400, 1.2);         /* refused by the budget */
	expect_events(d.r, "D10 G90 D100 G100 D100");
	expect_delivered(&d, 0, 10, 100, 200, 300, 400);
	cr_expect_eq(d.h.missing, 190);
	cr_expect_eq(b.used, 0);
	cr_expect_eq(d.h.held_bytes, 0);
	dir_close(&d);
}

Test(tcpreasm, ack_past_two_holes_keeps_the_data_between_them)
{
	struct dir d;

	dir_open(&d, 40, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 100, 200, 1.1);         /* held after the hole [10, 100) */
	seg(&d, 300, 400, 1.2);         /* held after the hole [200, 300) */
	ack(&d, 500, 1.3);              /* declares the first hole */
	expect_events(d.r, "D10 G90 D100");
	seg(&d, 450, 460, 1.4);         /* acknowledged: the holes are final */
	expect_events(d.r, "D10 G90 D100 G100 D100 G50 D10");
	expect_delivered(&d, 0, 10, 100, 200, 300, 400, 450, 460);
	cr_expect_eq(d.h.held_bytes, 0);
	dir_close(&d);
}

Test(tcpreasm, snaplen_cut_keeps_held_data_inside_the_cut_part)
{
	struct dir d;

	dir_open(&d, 40, true);
	seg(&d, 50, 60, 1.0);           /* held */
	seg_cut(&d, 0, 20, 100, 1.1);   /* 20 of 100 bytes captured */
	expect_events(d.r, "D20 G30 D10 G40");
	expect_delivered(&d, 0, 20, 50, 60);
	cr_expect_eq(d.h.next, seq_at(&d, 100));
	dir_close(&d);

	dir_open(&d, 40, true);
	seg(&d, 50, 60, 1.0);
	seg_cut(&d, 0, 0, 100, 1.1);    /* headers only */
	expect_events(d.r, "G50 D10 G40");
	dir_close(&d);
}

/* A SYN with another ISN before anything was delivered starts a new
 * attempt: data held against the old ISN is dropped, not delivered after a
 * gap up to it (found by tests/fuzz/fuzz_tcpreasm.c: 2^31 away, the old
 * data also broke the order of the held list). */
Test(tcpreasm, syn_with_another_isn_drops_data_held_for_the_old_one)
{
	struct dir d;

	dir_open(&d, 100000, true);
	seg(&d, 100, 200, 1.0);         /* held: [0, 100) not seen */
	cr_expect_eq(d.h.held_bytes, 100);
	tcpr_syn(&d.h, d.isn - 1000);   /* a new ISN, 1000 lower */
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_null(d.h.held);
	flush(&d, 2.0);
	expect_events(d.r, "");
	dir_close(&d);

	/* the same ISN again keeps what is held */
	dir_open(&d, 100000, true);
	seg(&d, 100, 200, 1.0);
	tcpr_syn(&d.h, d.isn);
	cr_expect_eq(d.h.held_bytes, 100);
	seg(&d, 0, 100, 1.1);
	expect_events(d.r, "D100 D100");
	dir_close(&d);
}
