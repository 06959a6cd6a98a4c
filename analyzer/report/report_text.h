/* report_text.h - the human-readable report: per session, findings first
 * (sentence, evidence, remedy), then an aligned timeline with DNS
 * interleaved; a summary at the end. */
#ifndef MXRAY_REPORT_TEXT_H
#define MXRAY_REPORT_TEXT_H

#include <stdio.h>

#include "capture/capture.h"
#include "diagnose/diag.h"
#include "flow/engine.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "base/textbuf.h"
#include "report/pcapout.h"

/* How text is shown: colour and width when it goes to a terminal. */
struct text_style {
	bool colour; /* ANSI colours (a terminal, NO_COLOR unset) */
	int width;   /* wrap lines past this many columns; 0: never */
	bool abs;    /* timeline times as UTC times of day (--abs) */
};

/* Appends the session's text to b (style may be NULL: plain). */
struct tl_scratch;
void rt_session(struct textbuf *b, const struct session *s,
		const struct finding_list *fl, struct tl_scratch *sc,
		const struct text_style *style);
/* in, n bytes of text, to out with every line longer than width columns
 * (ANSI colour codes take none) broken at spaces, the rest indented under
 * where the line's words began. */
void rt_wrap(const char *in, size_t n, int width, struct textbuf *out);

void rt_summary(FILE *f, const struct cap_reader *cr,
		const struct engine_stats *st, const struct diag_stats *ds);
/* The summary's word on report filters (filtered: some were given) and
 * the capture filter (bpf, or NULL). */
/* -w: the file, and what went into it. */
void rt_packets_written(FILE *f, const char *file,
			const struct pcapout_stats *st);
void rt_filters(FILE *f, bool filtered, const char *bpf, uint64_t shown,
		uint64_t sessions);

#endif
