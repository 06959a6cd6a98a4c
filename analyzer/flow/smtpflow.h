/* smtpflow.h - the SMTP connections: a bounded table keyed on the two
 * endpoints, the TCP handshake, FIN and RST per RFC 9293 (model/sesstcp.c
 * on the connection's own copy of the record), and each direction's bytes
 * put in order (tcpreasm.h) for the SMTP dissector, whose events go into
 * the operation stream (flowops.h) that builds the reported record.
 *
 * A connection is flow state (table links, the two stream halves, the
 * parser) and a slot in the stream.  It is over after both FINs or a
 * reset plus the grace for late DNS, after the idle timeout, when its
 * port pair is reused, when the table is full (the least recently active
 * goes), or at the end of the capture; fo_over then ends the record and
 * the connection is reused.
 */
#ifndef MXRAY_SMTPFLOW_H
#define MXRAY_SMTPFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"
#include "flow/flowops.h"
#include "model/session.h"

struct sf_config {
	const uint16_t *smtp_ports; /* borrowed */
	size_t n_smtp_ports;
	double grace_s;        /* after close, wait this long for late DNS */
	double idle_timeout_s; /* a silent session is over after this */
	size_t max_sessions;
};

struct sf_stats {
	uint64_t sessions;
	uint64_t sessions_evicted;  /* over max_sessions, oldest idle first */
	uint64_t partial_sessions; /* the capture began inside them */
	uint64_t tcp_gaps;         /* holes in SMTP streams */
	uint64_t tcp_missing_bytes;
};

struct sf_table;

/* Its sessions go into ops (borrowed). */
struct sf_table *sf_new(const struct sf_config *c, struct fo_stream *ops);
bool sf_is_smtp_port(const struct sf_table *t, uint16_t port);
/* A TCP segment to or from an SMTP port, at ts; now is the capture clock
 * (the latest timestamp so far); frame: the frame it came in, kept with
 * its session (-w), or NULL. */
void sf_segment(struct sf_table *t, const struct dec_seg *d, double ts,
		double now, const struct fr_frame *frame);
/* -w: keep each session's frames, from pool (frames.h), handed over with
 * fo_over. */
void sf_keep_frames(struct sf_table *t, struct fr_pool *pool);
/* Sessions whose grace or idle time ran out by now are over. */
void sf_expire(struct sf_table *t, double now);
/* The capture ended: every session left is over. */
void sf_finish(struct sf_table *t, double now);
void sf_get_stats(const struct sf_table *t, struct sf_stats *st);
/* Connections tracked now. */
size_t sf_open(const struct sf_table *t);
/* Frees the table; sessions still open are over first. */
void sf_free(struct sf_table *t);

#endif
