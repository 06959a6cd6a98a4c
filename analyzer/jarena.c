/* jarena.c - see jarena.h.  Chunks stay allocated between resets, so a
 * steady stream of report objects allocates nothing once the largest one
 * has been seen. */
#include "jarena.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>

#define CHUNK_SIZE ((size_t)32 << 10)
#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

struct jarena {
	struct chunk *chunks;  /* all of them, in order */
	struct chunk *current; /* where allocation continues */
};

static _Thread_local struct jarena *in_use;

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	c->next = NULL;
	return c;
}

static void *arena_alloc(struct jarena *a, size_t n)
{
	struct chunk *c;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	/* the chunks after current are free (reset); take the first that fits */
	while (a->current->size - a->current->used < n && a->current->next)
		a->current = a->current->next;
	c = a->current;
	if (c->size - c->used < n) {
		struct chunk *nc = chunk_new(n > CHUNK_SIZE ? n : CHUNK_SIZE);
		if (!nc)
			return NULL;
		c->next = nc; /* c is the last one here */
		a->current = c = nc;
	}
	c->used += n;
	return c->data + c->used - n;
}

static void *arena_malloc(size_t n)
{
	return in_use ? arena_alloc(in_use, n) : NULL;
}

static void arena_free(void *p)
{
	(void)p; /* everything goes at the next reset */
}

struct jarena *jarena_new(void)
{
	struct jarena *a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	if (!(a->chunks = a->current = chunk_new(CHUNK_SIZE))) {
		free(a);
		return NULL;
	}
	return a;
}

void jarena_reset(struct jarena *a)
{
	for (struct chunk *c = a->chunks; c; c = c->next)
		c->used = 0;
	a->current = a->chunks;
}

void jarena_free(struct jarena *a)
{
	if (!a)
		return;
	if (in_use == a)
		in_use = NULL;
	while (a->chunks) {
		struct chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	free(a);
}

void jarena_use(struct jarena *a)
{
	in_use = a;
}

void jarena_install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

void jarena_uninstall(void)
{
	json_set_alloc_funcs(malloc, free);
}
