/* engine.h - the analysis pipeline: IP packets in, finished sessions and
 * expired DNS transactions out to a report, streaming.
 *
 * The engine owns the session table, the DNS table and the reassembler.
 * Time is capture time: timers (closing grace, idle timeout, DNS window)
 * advance with packet timestamps, so a file and a live capture behave the
 * same.
 */
#ifndef MXRAY_ENGINE_H
#define MXRAY_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "diagnose/findings.h"
#include "capture/ipfrag.h"
#include "base/util.h"

struct report;

#define ENGINE_MAX_SMTP_PORTS 16

struct engine_config {
	uint16_t smtp_ports[ENGINE_MAX_SMTP_PORTS];
	size_t n_smtp_ports;
	struct fnd_config fnd;
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
	uint64_t findings[F__COUNT];
};

struct engine;

/* NULL with errbuf on failure.  The report is borrowed. */
struct engine *engine_new(const struct engine_config *cfg, struct report *rep,
			  char errbuf[MX_ERRBUF_SIZE]);
/* One IP packet from the capture (a cap_packet_fn). */
void engine_packet(void *engine, const struct cap_packet *pkt);
/* Live capture on a quiet link: advance the timers to wall-clock now (a
 * cap_idle_fn). */
void engine_idle(void *engine, double now);
/* End of capture: report every session still open, flush DNS. */
void engine_finish(struct engine *e);
void engine_get_stats(const struct engine *e, struct engine_stats *st);
void engine_free(struct engine *e);

#endif
