/* report.h - writing the report as sessions finish: text for people,
 * JSON (one document, written incrementally) and NDJSON for pipelines,
 * HTML (one page, report_html.h).
 * The JSON fields are listed in README.md ("JSON").
 */
#ifndef MXRAY_REPORT_H
#define MXRAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "capture/capture.h"
#include "diagnose/diag.h"
#include "flow/engine.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "report/pcapout.h"
#include "report/report_text.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_NDJSON, FMT_HTML };

#define REPORT_MAX_HOSTS 16

/* Which finished sessions are shown: applied after correlation, so the
 * diagnosis and the summary's counts are those of the whole capture. */
struct report_filter {
	bool active;        /* any of the below */
	bool summary_only;  /* --summary: no session, no DNS transaction */
	int min_sev;        /* --severity, --only-findings (warning); -1: any */
	uint32_t codes;     /* --finding: bit per code; 0: any */
	struct mx_addr hosts[REPORT_MAX_HOSTS]; /* --host: client or server */
	size_t n_hosts;
};

struct report_options {
	enum report_format fmt;
	struct fnd_config fnd; /* thresholds, echoed in the summary */
	bool live; /* flush after every session (live capture, a pipe) */
	double stats_s; /* a stats line every stats_s of capture time; 0: none */
	struct report_filter filter;
	const char *bpf; /* the capture filter, told in the summary */
	struct text_style text;
};

struct report;

/* out is borrowed.  NULL with errbuf on failure (e.g. no temp file). */
struct report *report_new(FILE *out, const struct report_options *o,
			  char errbuf[MX_ERRBUF_SIZE]);
void report_session(struct report *r, const struct session *s,
		    const struct finding_list *fl);
/* A DNS transaction leaving the window (the document's "dns" list). */
void report_dns(struct report *r, struct dns_tx *tx);
/* The capture's counters (flow hook): a stats line when one is due (in
 * line in NDJSON, on stderr for text and JSON). */
void report_stats(struct report *r, const struct flow_capstats *cs,
		  uint64_t dns_held);
/* -w: whether s's frames are written: a warning or an error among its
 * findings, of the codes and hosts the filters ask (--summary aside). */
bool report_wants_packets(const struct report *r, const struct session *s,
			  const struct finding_list *fl);
/* -w: what was written to file, for the summary (before report_end). */
void report_packets_written(struct report *r, const char *file,
			    const struct pcapout_stats *st);
/* Close the document with inputs and summary; 0, or -1 on a write error. */
int report_end(struct report *r, const struct cap_reader *cr,
	       const struct engine_stats *st, const struct diag_stats *ds);
void report_free(struct report *r);

#endif
