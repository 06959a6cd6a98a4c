/* report_html.h - --format html: one self-contained page (inline CSS and
 * SVG, no external reference; a few lines of script only sort tables).
 *
 * Streaming, like the other formats: sessions without findings are
 * written as table rows as they finish (at most RH_MAX_ROWS, then
 * counted); sessions with findings are rendered when they finish and the
 * worst RH_MAX_LADDERS of them (by severity, then delay) are kept in a
 * bounded heap, written at the end, the others listed in a table spooled
 * to a temporary file (at most RH_MAX_ROWS rows).  The summary is known
 * only at the end: it is written last and shown first (CSS flex order).
 * Memory is bounded by the heap's rendered ladders (HX_MAX_ROWS rows
 * each) and the charts' fixed histograms. */
#ifndef MXRAY_REPORT_HTML_H
#define MXRAY_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"
#include "diagnose/diag.h"
#include "diagnose/findings.h"
#include "flow/engine.h"
#include "model/session.h"
#include "report/pcapout.h"

#define RH_MAX_LADDERS 200
/* and at most this much of their HTML held (a ladder of hundreds of rows
 * behind long breaks is over 1 MB): past it the least bad are listed */
#define RH_MAX_LADDER_BYTES ((size_t)64 << 20)
#define RH_MAX_ROWS 5000

/* ---- the bounded set of ladders ------------------------------------------ */
struct rh_key {
	int sev;      /* worst severity, -1 none */
	double delay; /* hx_delay */
	uint64_t seq; /* report order: the earlier wins a tie */
};
/* true if a deserves a ladder more than b */
bool rh_worse(const struct rh_key *a, const struct rh_key *b);

struct rh_entry {
	struct rh_key key;
	double start;
	char *block; /* the session's HTML (owned) */
	char *row;   /* its index row (owned) */
};
/* A min-heap of at most cap entries: v[0] is the least bad kept. */
struct rh_pick {
	struct rh_entry *v;
	size_t n, cap;
};
/* Would k get a place (room left, or worse than the least bad kept)? */
bool rh_pick_wants(const struct rh_pick *p, const struct rh_key *k);
/* Adds e (the caller asked rh_pick_wants); when full, the least bad
 * entry leaves into *out and true is returned (the caller owns it). */
bool rh_pick_put(struct rh_pick *p, const struct rh_entry *e,
		 struct rh_entry *out);
/* The least bad entry out (p not empty). */
void rh_pick_pop(struct rh_pick *p, struct rh_entry *out);

/* ---- the report ------------------------------------------------------------ */
struct report_html;

/* Writes the page's head and opens the table of clean sessions.  out is
 * borrowed; NULL with errbuf on failure (no temporary file, OOM). */
struct report_html *rh_new(FILE *out, const struct fnd_config *fnd,
			   char errbuf[MX_ERRBUF_SIZE]);
/* Every session, shown or not (the charts count the whole capture, as
 * the summary does). */
void rh_observe(struct report_html *h, const struct session *s,
		const struct finding_list *fl);
/* A session the filters show: a row, or a ladder candidate. */
void rh_session(struct report_html *h, const struct session *s,
		const struct finding_list *fl);
/* A DNS transaction leaving the window (the response-time chart). */
void rh_dns(struct report_html *h, const struct dns_tx *tx);
/* The rest of the page: tables, ladders, the summary (filtered: report
 * filters were given, shown sessions passed them; bpf: the capture
 * filter or NULL); 0 or -1 on a write error. */
int rh_end(struct report_html *h, const struct cap_reader *cr,
	   const struct engine_stats *st, const struct diag_stats *ds,
	   bool filtered, uint64_t shown, const char *bpf);
/* -w: what went to file, said in the summary (before rh_end). */
void rh_packets_written(struct report_html *h, const char *file,
			const struct pcapout_stats *st);
void rh_free(struct report_html *h);

#endif
