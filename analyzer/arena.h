/* arena.h - a per-owner bump allocator: many small allocations that all
 * die together (one session's strings), for the price of a few mallocs,
 * freed at once. */
#ifndef MXRAY_ARENA_H
#define MXRAY_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* the newest chunk, allocation goes on there */
};

/* n bytes, 8-aligned; NULL on OOM. */
void *arena_alloc(struct arena *a, size_t n);
/* A printable copy of n untrusted bytes (mx_escape); NULL on OOM. */
char *arena_escape(struct arena *a, const char *in, size_t n);
void arena_free(struct arena *a);
/* Everything freed but the first chunk, kept empty for reuse. */
void arena_reset(struct arena *a);

#endif
