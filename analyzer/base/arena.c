/* arena.c - see arena.h.  Chunks double in size from 1 KB, so a session
 * with a few dozen events costs one or two mallocs in all, and a reused
 * arena none. */
#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define FIRST_CHUNK 1024

static struct arena_chunk *chunk_for(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;
	if (c && c->size - c->used >= n)
		return c;
	size = c ? c->size * 2 : FIRST_CHUNK;
	while (size < n)
		size *= 2;
	if (!(c = malloc(sizeof(*c) + size)))
		return NULL;
	c->size = size;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	return c;
}

void *arena_alloc_new_chunk(struct arena *a, size_t n)
{
	struct arena_chunk *c = chunk_for(a, n); /* n rounded already */
	if (!c)
		return NULL;
	c->used += n;
	return c->data + c->used - n;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *p = arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

char *arena_escape(struct arena *a, const char *in, size_t n)
{
	size_t cap = n * 4 + 4, used; /* as mx_escape_dup: never truncated */
	struct arena_chunk *c = chunk_for(a, cap);
	char *out;
	if (!c)
		return NULL;
	out = c->data + c->used;
	/* keep only what the text took, rounded for the next allocation */
	used = (mx_escape_len(in, n, out, cap) + 1 + 7) & ~(size_t)7;
	c->used += used;
	return out;
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *newest = a->head;
	if (newest && newest->size <= a->keep) {
		a->head = newest->next; /* the older, smaller ones go */
		newest->next = NULL;
		newest->used = 0;
	} else {
		newest = NULL;
	}
	arena_free(a);
	a->head = newest;
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}
