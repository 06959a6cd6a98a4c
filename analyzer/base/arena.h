/* arena.h - a bump allocator: many small allocations that all die
 * together (one session's strings, one report object's jansson values),
 * for the price of a few mallocs, freed at once. */
#ifndef MXRAY_ARENA_H
#define MXRAY_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* the newest chunk, allocation goes on there */
	size_t keep; /* arena_reset keeps a newest chunk up to this size */
};

/* n bytes, 8-aligned; NULL on OOM. */
void *arena_alloc(struct arena *a, size_t n);
/* A copy of the string; NULL on OOM. */
char *arena_strdup(struct arena *a, const char *s);
/* A printable copy of n untrusted bytes (mx_escape); NULL on OOM. */
char *arena_escape(struct arena *a, const char *in, size_t n);
void arena_free(struct arena *a);
/* Everything allocated forgotten; the newest (largest) chunk is kept for
 * reuse when not larger than a->keep, the others freed. */
void arena_reset(struct arena *a);

#endif
