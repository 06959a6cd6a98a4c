/* diag.h - the diagnose layer's entry points.  The flow layer says when a
 * session starts, is greeted and is over; this turns that into DNS ties
 * (correlate.h), delivery verdicts (delivery.h) and findings (findings.h),
 * and hands each finished session with its findings to a sink that main
 * wires to the report.  Nothing here prints.
 */
#ifndef MXRAY_DIAG_H
#define MXRAY_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "diagnose/findings.h"
#include "flow/flowops.h"
#include "model/dnstrack.h"
#include "model/session.h"

struct diag_config {
	struct fnd_config fnd;
	double dns_window_s; /* how far back a client's MX lookup counts */
	size_t max_groups;   /* delivery groups held at once */
};

/* Where finished sessions go: called once per session, in the order they
 * end; s and fl are borrowed for the call.  DNS transactions leaving the
 * window go to on_dns. */
struct diag_sink {
	void (*on_session)(void *ctx, const struct session *s,
			   const struct finding_list *fl);
	void (*on_dns)(void *ctx, struct dns_tx *tx);
	void *ctx;
	/* the capture's counters, with the DNS transactions held (may be
	 * NULL) */
	void (*on_stats)(void *ctx, const struct flow_capstats *cs,
			 uint64_t dns_held);
};

#define DIAG_TOP_N 5

/* One entry of a "slowest" list. */
struct diag_top {
	char what[300];
	double v;
};

struct diag_stats {
	uint64_t findings[F__COUNT]; /* by code, over all sessions */
	/* the slowest banners and DNS lookups, slowest first */
	struct diag_top slow_banner[DIAG_TOP_N], slow_dns[DIAG_TOP_N];
	size_t n_slow_banner, n_slow_dns;
	uint64_t capture_loss_sessions; /* open while packets were dropped */
};

struct diag;

/* dns is borrowed: the table the flow layer fills.  NULL on OOM. */
struct diag *diag_new(const struct diag_config *c, struct dt_table *dns,
		      const struct diag_sink *sink);
/* The flow layer's hooks (ctx is the diag): */
/* a new session: the client's lookups that led to it, its delivery group */
void diag_session_start(void *diag, struct session *s);
/* the greeting arrived: tie the server's lookups the client waited for */
void diag_banner(void *diag, struct session *s);
/* over: last ties, findings, the sink; then it lets go of its group */
void diag_session_done(void *diag, struct session *s);
/* capture time advanced (about once a second) */
void diag_tick(void *diag, double now);
/* the capture's counters; drops mark the sessions open then */
void diag_capstats(void *diag, const struct flow_capstats *cs);
/* A DNS transaction left the window (the DNS table's expiry callback). */
void diag_dns_done(struct diag *d, struct dns_tx *tx);

void diag_get_stats(const struct diag *d, struct diag_stats *st);
void diag_free(struct diag *d);

#endif
