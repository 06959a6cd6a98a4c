/* test_tcpreasm_edges.c - unit tests for one direction of TCP put back in
 * order (analyzer/flow/tcpreasm.c; RFC 9293 section 3.4 sequence numbers)
 * at its edges: the end of the stream (flush, the FIN), sequence numbers
 * wrapping past 2^32, snaplen cuts, a capture starting mid-way, and
 * freeing a half with segments still held.
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

/* ---- the end of the stream ------------------------------------------------ */

Test(tcpreasm, flush_reports_held_data_after_its_gap)
{
	struct dir d;

	dir_open(&d, 100, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 40, 50, 1.1);
	seg(&d, 20, 30, 1.2);
	expect_events(d.r, "D10");
	flush(&d, 9.0);
	expect_events(d.r, "D10 G10 D10 G10 D10");
	expect_delivered(&d, 0, 10, 20, 30, 40, 50);
	cr_expect_eq(d.r->ev[1].ts, 9.0);
	cr_expect_eq(d.h.held_bytes, 0);
	cr_expect_null(d.h.held);
	dir_close(&d);
}

Test(tcpreasm, flush_reports_acked_bytes_never_seen)
{
	struct dir d;

	dir_open(&d, 100, true);
	seg(&d, 0, 10, 1.0);
	ack(&d, 25, 1.5);         /* [10, 25) acked, never captured */
	expect_events(d.r, "D10 G15");
	flush(&d, 9.0);
	expect_events(d.r, "D10 G15");
	cr_expect_eq(d.h.missing, 15);
	/* a second flush adds nothing */
	flush(&d, 9.5);
	expect_events(d.r, "D10 G15");
	dir_close(&d);
}

Test(tcpreasm, flush_without_acks_reports_only_held)
{
	struct dir d;

	dir_open(&d, 100, true);
	seg(&d, 0, 10, 1.0);
	flush(&d, 9.0);
	expect_events(d.r, "D10");
	dir_close(&d);
}

Test(tcpreasm, fin_sequence_number_not_counted_as_missing)
{
	struct dir d;

	/* FIN on the last data segment; the peer ACKs the FIN */
	dir_open(&d, 7000, true);
	seg(&d, 0, 10, 1.0);
	tcpr_segment(&d.h, seq_at(&d, 10), stream + 10, 5, 5, true, 1.1, &ops,
		     d.r);
	ack(&d, 16, 1.2);
	flush(&d, 2.0);
	expect_events(d.r, "D10 D5");
	cr_expect_eq(d.h.missing, 0);
	dir_close(&d);

	/* FIN alone */
	dir_open(&d, 7000, true);
	seg(&d, 0, 10, 1.0);
	tcpr_segment(&d.h, seq_at(&d, 10), NULL, 0, 0, true, 1.1, &ops, d.r);
	ack(&d, 11, 1.2);
	flush(&d, 2.0);
	expect_events(d.r, "D10");
	dir_close(&d);

	/* data lost before the FIN: the hole is the data only */
	dir_open(&d, 7000, true);
	seg(&d, 0, 10, 1.0);
	tcpr_segment(&d.h, seq_at(&d, 20), NULL, 0, 0, true, 1.1, &ops, d.r);
	ack(&d, 21, 1.2);
	flush(&d, 2.0);
	expect_events(d.r, "D10 G10");
	dir_close(&d);
}

/* ---- sequence space -------------------------------------------------------- */

Test(tcpreasm, wraparound_near_2_32)
{
	struct dir d;

	/* the ISN 16 below 2^32: offsets 15.. are past the wrap */
	dir_open(&d, 0xFFFFFFF0u, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 20, 40, 1.1);     /* crosses zero, held */
	seg(&d, 10, 20, 1.2);
	cr_expect_eq(d.h.next, seq_at(&d, 40));
	cr_expect_lt(d.h.next, 0x100u, "next wrapped");
	seg(&d, 5, 15, 1.3);      /* a retransmission across the wrap */
	/* a hole after the wrap, closed by an ACK past it */
	seg(&d, 60, 100, 1.4);
	ack(&d, 100, 1.5);
	expect_events(d.r, "D10 D10 D20 G20 D40");
	expect_delivered(&d, 0, 40, 60, 100);
	cr_expect_eq(d.h.missing, 20);
	dir_close(&d);
}

Test(tcpreasm, wraparound_acks_and_flush)
{
	struct dir d;

	dir_open(&d, 0xFFFFFF00u, true);
	seg(&d, 0, 200, 1.0);
	ack(&d, 100, 1.1);
	ack(&d, 300, 1.2);        /* past the wrap, past what was seen */
	ack(&d, 150, 1.3);        /* an old ACK does not move it back */
	cr_expect_eq(d.h.acked, seq_at(&d, 300));
	flush(&d, 2.0);
	expect_events(d.r, "D200 G100");
	dir_close(&d);
}

/* ---- snaplen --------------------------------------------------------------- */

Test(tcpreasm, snaplen_cut_is_a_gap_of_the_cut_part)
{
	struct dir d;

	dir_open(&d, 2500, true);
	seg_cut(&d, 0, 42, 98, 1.0);      /* an EHLO reply cut to 42 bytes */
	cr_expect_eq(d.h.next, seq_at(&d, 98));
	seg_cut(&d, 98, 42, 90, 1.1);
	seg(&d, 188, 230, 1.2);           /* short enough to fit */
	expect_events(d.r, "D42 G56 D42 G48 D42");
	expect_delivered(&d, 0, 42, 98, 140, 188, 230);
	cr_expect_eq(d.h.missing, 104);
	cr_expect_eq(d.r->ev[1].ts, 1.0);
	dir_close(&d);
}

Test(tcpreasm, snaplen_cut_everything)
{
	struct dir d;

	dir_open(&d, 2500, true);
	seg(&d, 0, 10, 1.0);
	seg_cut(&d, 10, 0, 500, 1.1);     /* headers only */
	seg(&d, 510, 520, 1.2);
	expect_events(d.r, "D10 G500 D10");
	dir_close(&d);
}

/* ---- the capture starts mid-way ------------------------------------------- */

Test(tcpreasm, stream_starting_midway)
{
	struct dir d;

	dir_open(&d, 0x7FFFFFF0u, false); /* no SYN ever seen */
	ack(&d, 500, 0.9);                /* a pure ACK first: nothing yet */
	cr_expect_not(d.h.started);
	seg(&d, 500, 534, 1.0);           /* MAIL FROM, the first data seen */
	cr_expect(d.h.started);
	cr_expect_eq(d.h.next, seq_at(&d, 534));
	seg(&d, 400, 500, 1.1);           /* older than the start: ignored */
	seg(&d, 534, 560, 1.2);
	expect_events(d.r, "D34 D26");
	expect_delivered(&d, 500, 560);
	flush(&d, 2.0);
	expect_events(d.r, "D34 D26");
	dir_close(&d);
}

Test(tcpreasm, stream_starting_midway_with_a_hole)
{
	struct dir d;

	dir_open(&d, 1, false);
	seg(&d, 1000, 1010, 1.0);
	seg(&d, 1020, 1030, 1.1);
	ack(&d, 1030, 1.2);
	expect_events(d.r, "D10 G10 D10");
	dir_close(&d);
}

/* ---- memory ---------------------------------------------------------------- */

Test(tcpreasm, free_with_held_segments)
{
	struct dir d;

	dir_open(&d, 10, true);
	seg(&d, 0, 10, 1.0);
	seg(&d, 100, 1548, 1.1);
	seg(&d, 3000, 3001, 1.2);
	seg(&d, 2000, 2500, 1.3);
	cr_expect_eq(d.h.held_bytes, 1448 + 1 + 500);
	tcpr_free(&d.h);          /* ASan: nothing leaks, nothing read after */
	cr_expect_null(d.h.held);
	cr_expect_eq(d.h.held_bytes, 0);
	tcpr_free(&d.h);          /* twice is harmless */
	/* reusable after tcpr_init */
	tcpr_init(&d.h);
	tcpr_syn(&d.h, d.isn);
	seg(&d, 0, 10, 2.0);
	cr_expect_eq(d.h.delivered, 10);
	dir_close(&d);
}

/* tcpr_init makes any memory a fresh half, which tcpr_free leaves as is. */
Test(tcpreasm, free_of_a_fresh_half)
{
	struct tcpr_half h;

	memset(&h, 0xA5, sizeof(h));
	tcpr_init(&h);
	tcpr_free(&h);
	cr_expect_not(h.started);
	cr_expect_not(h.have_ack);
	cr_expect_not(h.fin);
	cr_expect_null(h.held);
	cr_expect_eq(h.held_bytes, 0);
	cr_expect_null(h.budget);
	cr_expect_eq(h.delivered, 0);
	cr_expect_eq(h.missing, 0);
}
