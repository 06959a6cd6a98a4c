/* engine.h - the flow layer's front: IP packets in; SMTP sessions and DNS
 * messages out, as operations (flowops.h) that build the session records
 * and fill the DNS table (model/).  What happens to a session when it
 * starts, is greeted and is over is the hooks' business (run/pipeline.c
 * wires them to the diagnose layer).
 *
 * The engine owns the session table, the DNS-over-TCP connections, the IP
 * defragmenter and the operation stream; the DNS table is borrowed.
 * Time is capture time: timers (closing grace, idle timeout, DNS window)
 * advance with packet timestamps, so a file and a live capture behave the
 * same.
 */
#ifndef MXRAY_ENGINE_H
#define MXRAY_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/ipfrag.h"
#include "base/util.h"
#include "model/dnstrack.h"
#include "flow/smtpflow.h"

#define ENGINE_MAX_SMTP_PORTS 16
#define ENGINE_MAX_ELSEWHERE 8 /* other ports with SMTP greetings, told */

struct engine_config {
	uint16_t smtp_ports[ENGINE_MAX_SMTP_PORTS];
	size_t n_smtp_ports;
	double grace_s;        /* after close, wait this long for late DNS */
	double idle_timeout_s; /* a silent session is over after this */
	double dns_window_s;   /* DNS transactions stay matchable this long */
	size_t max_sessions;
	size_t max_dns;
};


void engine_config_defaults(struct engine_config *c);

/* Counters for the summary. */
struct engine_stats {
	uint64_t sessions;
	uint64_t sessions_evicted;  /* over max_sessions, oldest idle first */
	uint64_t dns_transactions;
	uint64_t dns_evicted;
	uint64_t dns_unparsable;
	uint64_t dns_tcp_connections;
	uint64_t dns_tcp_evicted;  /* over the DNS-over-TCP table's cap */
	uint64_t partial_sessions; /* the capture began inside them */
	uint64_t tcp_gaps;         /* holes in SMTP streams */
	uint64_t tcp_missing_bytes;
	struct reasm_stats frag;   /* IP fragments */
	/* TCP ports not watched whose flows open with an SMTP greeting */
	struct {
		uint16_t port;
		uint64_t greetings;
	} elsewhere[ENGINE_MAX_ELSEWHERE];
	size_t n_elsewhere;
};

struct engine;

/* NULL with errbuf on failure.  The DNS table is borrowed. */
struct engine *engine_new(const struct engine_config *cfg,
			  struct dt_table *dns, const struct flow_hooks *hooks,
			  char errbuf[MX_ERRBUF_SIZE]);
/* Read cr to its end (cap_run's result and errbuf), then engine_finish:
 * the packet path on a second thread, the analysis on this one
 * (flowops.h), or both here when no thread can be had.  engine_packet
 * called directly (the fuzz targets, tests) applies every operation at
 * once, on the calling thread. */
int engine_run(struct engine *e, struct cap_reader *cr, bool progress,
	       char errbuf[MX_ERRBUF_SIZE]);
/* One IP packet from the capture (a cap_packet_fn). */
void engine_packet(void *engine, const struct cap_packet *pkt);
/* Live capture on a quiet link: advance the timers to wall-clock now (a
 * cap_idle_fn). */
void engine_idle(void *engine, double now);
/* Live capture: the counters (a cap_stats_fn). */
void engine_capstats(void *engine, const struct cap_totals *t, double now);
/* End of capture: DNS over TCP still open into the DNS table, then every
 * session still open is over. */
void engine_finish(struct engine *e);
void engine_get_stats(const struct engine *e, struct engine_stats *st);
/* -w: keep the frames of every session and of DNS (frames.h), handed to
 * the frames hook when a session is over.  Before the first packet. */
void engine_keep_frames(struct engine *e, struct fr_pool *pool,
			struct fr_dns *dns);
/* The analysis side, -w: frames numbered from this one on may still
 * belong to a session not yet over, which began at *start
 * (fo_oldest_open_frame). */
uint64_t engine_oldest_open_frame(const struct engine *e, double *start);
void engine_free(struct engine *e);

#endif
