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
	const char *what; /* "the report", "the packets": for messages */
	char *tmp;        /* the temporary file, NULL when written in place */
};

/* How the report reaches its name. */
enum output_mode {
	OUTPUT_RENAME,   /* a temporary file renamed at the end */
	OUTPUT_IN_PLACE, /* the name itself, emptied first */
	OUTPUT_APPEND,   /* the name itself, added to (a sensor's log) */
};

enum output_result {
	OUTPUT_OK = 0,
	OUTPUT_FAILED = -1,  /* errbuf says why */
	OUTPUT_IS_INPUT = -2, /* a usage error: errbuf says which input */
};

/* Open name (given with option opt, "-o" or "-w") for the output of
 * inputs (files; "-" is standard input).  Refuses a name that is one of
 * the inputs (the same file, by device and inode) before anything is
 * opened for writing.  A FIFO or a device is written in place whatever
 * the mode.  At most two outputs are open at once. */
enum output_result output_open(struct output *o, const char *opt,
			       const char *name, char *const *inputs,
			       size_t n_inputs, enum output_mode mode,
			       char errbuf[MX_ERRBUF_SIZE]);
/* Close; a temporary file is renamed over the name.  0, or -1 with errbuf
 * (a temporary file that cannot be renamed is kept, and errbuf names it). */
int output_close(struct output *o, char errbuf[MX_ERRBUF_SIZE]);
/* The run failed before a report: close and remove the temporary file. */
void output_discard(struct output *o);
/* Whether names a and b are one file: the same inode, or (one not made
 * yet) the same name in the same directory; /dev/null is nobody's. */
bool output_same_target(const char *a, const char *b);
/* Async-signal-safe: remove the temporary files (an interrupted run). */
void output_unlink_tmp(void);

#endif
