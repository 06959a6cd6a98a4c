/* report_writer.h - JSON serialisation on a second thread.  The packet
 * path builds each report object (a jansson tree, in an arena of its own)
 * and hands it over; the writer thread dumps it and writes it, in the
 * order handed over, then recycles the arena.  On two cores the costly
 * part of JSON output (jansson's dump) runs beside the packet path. */
#ifndef MXRAY_REPORT_WRITER_H
#define MXRAY_REPORT_WRITER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct arena;
struct dns_tx;
struct textbuf;
struct rw;

/* NULL when no thread could be started (write synchronously then).
 * live: flush after every object. */
struct rw *rw_start(bool live);
/* An empty arena for the next object, chosen for the calling thread's
 * jansson allocations; waits while all are in flight. */
struct arena *rw_arena(struct rw *w);
/* Write o (built in the arena rw_arena gave) to f: after `prefix`, pretty
 * with each line indented by `indent` (an even number of spaces: the
 * depth the object stands at, two per level), or compact when indent is
 * NULL, then `suffix`.  The strings must outlive the writer. */
void rw_submit(struct rw *w, json_t *o, FILE *f, const char *prefix,
	       const char *indent, const char *suffix);
/* A DNS transaction that has left the window (nothing changes it any
 * more), built into an object by the writer thread itself; it holds a
 * reference meanwhile, given back on this thread. */
void rw_submit_dns(struct rw *w, struct dns_tx *tx, const char *type,
		   FILE *f, const char *prefix, const char *indent,
		   const char *suffix);
/* Everything written; the thread joined, all freed.  0, or -1 when a
 * dump failed. */
int rw_finish(struct rw *w);

/* The same write, synchronously; b is a reused dump buffer.
 * 0, or -1 when the dump failed. */
int rw_write_json(FILE *f, json_t *o, const char *prefix, const char *indent,
		  const char *suffix, struct textbuf *b);

#endif
