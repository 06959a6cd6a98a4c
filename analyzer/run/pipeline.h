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
};

/* 0, or -1 with errbuf (everything made so far is freed by
 * pipeline_close).  out is borrowed. */
int pipeline_open(struct pipeline *p, const struct engine_config *ec,
		  const struct report_options *ro, FILE *out,
		  char errbuf[MX_ERRBUF_SIZE]);
/* The capture is over: every open session ends, the DNS window empties
 * into the report, and the document closes with the summary of cr's
 * inputs.  report_end's result: 0, or -1 on a write error. */
int pipeline_finish(struct pipeline *p, const struct cap_reader *cr);
/* Frees it all; what was not finished is reported first. */
void pipeline_close(struct pipeline *p);

#endif
