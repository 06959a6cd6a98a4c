/* pipeline.h - the layers of one analysis wired together: the DNS table
 * (model), the diagnose layer, the report as their sink, and the flow
 * engine that feeds them.  main and the whole-pipeline fuzz targets run
 * mxray through it; packets go to engine_packet(p->eng, ...).
 */
#ifndef MXRAY_PIPELINE_H
#define MXRAY_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "capture/capture.h"
#include "diagnose/diag.h"
#include "flow/engine.h"
#include "model/dnstrack.h"
#include "report/report.h"

struct pipeline {
	struct dt_table *dns;
	struct report *rep;
	struct diag *diag;
	struct engine *eng;
	bool quiet; /* no hints on stderr (the summary has them too) */
	/* -w: the frames kept, their writer, the session just judged if
	 * its frames are wanted; a write error to it */
	struct fr_pool *frame_pool;
	struct fr_dns *dns_frames;
	struct pcapout *pcap;
	const char *pcap_name;
	const struct session *wanted;
	double dns_window_s;
	bool live; /* the -w file is flushed after each tick */
	bool pcap_failed;
};

/* 0, or -1 with errbuf (everything made so far is freed by
 * pipeline_close).  out is borrowed. */
int pipeline_open(struct pipeline *p, const struct engine_config *ec,
		  const struct report_options *ro, FILE *out,
		  char errbuf[MX_ERRBUF_SIZE]);
/* -w: write the frames of the sessions with warnings or errors, and of
 * the DNS tied to them, to f (borrowed; named name in the summary), in
 * cr's link type.  Before engine_run.  0, or -1 with errbuf. */
int pipeline_write_packets(struct pipeline *p, FILE *f, const char *name,
			   struct cap_reader *cr, char errbuf[MX_ERRBUF_SIZE]);
/* The capture is over: every open session ends, the DNS window empties
 * into the report, and the document closes with the summary of cr's
 * inputs.  report_end's result: 0, or -1 on a write error (a write error
 * to the -w file sets pcap_failed instead). */
int pipeline_finish(struct pipeline *p, const struct cap_reader *cr);
/* Frees it all; what was not finished is reported first. */
void pipeline_close(struct pipeline *p);

#endif
