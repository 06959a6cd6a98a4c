/* output.h - the -o file: never one of the inputs, and never half a
 * report under the name asked for.  A report of files is written to a
 * temporary file in the same directory and renamed over the name at the
 * end; a live capture writes to the name at once (tail -f, log shippers,
 * SIGHUP rotation need the file while it grows). */
#ifndef MXRAY_OUTPUT_H
#define MXRAY_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/util.h"

struct output {
	FILE *f;
	const char *name; /* as given */
	char *tmp;        /* the temporary file, NULL when written in place */
};

enum output_result {
	OUTPUT_OK = 0,
	OUTPUT_FAILED = -1,  /* errbuf says why */
	OUTPUT_IS_INPUT = -2, /* a usage error: errbuf says which input */
};

/* Open name for the report of inputs (files; "-" is standard input).
 * in_place: write to name directly (live capture).  Refuses a name that
 * is one of the inputs (the same file, by device and inode) before
 * anything is opened for writing. */
enum output_result output_open(struct output *o, const char *name,
			       char *const *inputs, size_t n_inputs,
			       bool in_place, char errbuf[MX_ERRBUF_SIZE]);
/* Close; a temporary file is renamed over the name.  0, or -1 with errbuf
 * (the temporary file is removed then). */
int output_close(struct output *o, char errbuf[MX_ERRBUF_SIZE]);
/* The run failed before a report: close and remove the temporary file. */
void output_discard(struct output *o);
/* Async-signal-safe: remove the temporary file (an interrupted run). */
void output_unlink_tmp(void);

#endif
