/* outfile.h - the report's output file, reopened on request (SIGHUP, for
 * log rotation) at a record boundary, so no record is split between the
 * old file and the new one and none is lost. */
#ifndef MXRAY_OUTFILE_H
#define MXRAY_OUTFILE_H

#include <stdio.h>

/* f was opened from name; reopening applies to it alone. */
void outfile_set(FILE *f, const char *name);
/* Async-signal-safe: reopen at the next record boundary. */
void outfile_request_reopen(void);
/* Called by whichever thread writes records, before each: when asked to
 * and f is the report's file, what is buffered goes to the old file and
 * f writes to the file of that name from now on (created if it was moved
 * away).  If it cannot be opened, f keeps writing where it did (said on
 * stderr). */
void outfile_boundary(FILE *f);

#endif
