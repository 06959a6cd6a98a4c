/* jarena.c - see jarena.h.  Chunks stay allocated between resets, so a
 * steady stream of report objects allocates nothing once the largest one
 * has been seen. */
#include "jarena.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>

#define CHUNK_SIZE ((size_t)256 << 10)
#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

static struct chunk *chunks;  /* all of them, the current one first */
static struct chunk *current; /* where allocation continues */

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

static void *arena_malloc(size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	/* the chunks after current are free (reset); take the first that fits */
	while (current && current->size - current->used < n && current->next)
		current = current->next;
	if (!current || current->size - current->used < n) {
		struct chunk *c = chunk_new(n > CHUNK_SIZE ? n : CHUNK_SIZE);
		if (!c)
			return NULL;
		if (current) { /* after current, ahead of the free ones */
			c->next = current->next;
			current->next = c;
		} else {
			chunks = c;
		}
		current = c;
	}
	current->used += n;
	return current->data + current->used - n;
}

static void arena_free(void *p)
{
	(void)p; /* everything goes at the next reset */
}

int jarena_on(void)
{
	if (!chunks && !(chunks = chunk_new(CHUNK_SIZE)))
		return -1;
	current = chunks;
	json_set_alloc_funcs(arena_malloc, arena_free);
	return 0;
}

void jarena_reset(void)
{
	for (struct chunk *c = chunks; c; c = c->next)
		c->used = 0;
	current = chunks;
}

void jarena_off(void)
{
	json_set_alloc_funcs(malloc, free);
	while (chunks) {
		struct chunk *c = chunks;
		chunks = c->next;
		free(c);
	}
	current = NULL;
}
