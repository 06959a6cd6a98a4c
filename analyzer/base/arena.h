/* arena.h - a bump allocator: many small allocations that all die
 * together (one session's strings, one report object's jansson values),
 * for the price of a few mallocs, freed at once. */
#ifndef MXRAY_ARENA_H
#define MXRAY_ARENA_H

#include <stddef.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	_Alignas(8) char data[];
};

struct arena {
	struct arena_chunk *head; /* the newest chunk, allocation goes on there */
	size_t keep; /* arena_reset keeps a newest chunk up to this size */
};

/* arena_alloc when the newest chunk is full. */
void *arena_alloc_new_chunk(struct arena *a, size_t n);

/* n bytes, 8-aligned; NULL on OOM.  Inline: jansson allocates every
 * value of a report through it. */
static inline void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	n = n ? (n + 7) & ~(size_t)7 : 8;
	if (c && c->size - c->used >= n) {
		c->used += n;
		return c->data + c->used - n;
	}
	return arena_alloc_new_chunk(a, n);
}
/* A copy of the string; NULL on OOM. */
char *arena_strdup(struct arena *a, const char *s);
/* A printable copy of n untrusted bytes (mx_escape); NULL on OOM. */
char *arena_escape(struct arena *a, const char *in, size_t n);
void arena_free(struct arena *a);
/* Everything allocated forgotten; the newest (largest) chunk is kept for
 * reuse when not larger than a->keep, the others freed. */
void arena_reset(struct arena *a);

#endif
