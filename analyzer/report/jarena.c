/* jarena.c - see jarena.h.  The arena keeps its largest chunk across
 * resets, so a steady stream of report objects allocates nothing once the
 * largest one has been seen. */
#include "report/jarena.h"

#include <jansson.h>
#include <stdlib.h>

/* a session's values take tens of KB; one far larger is not kept */
#define KEEP ((size_t)4 << 20)

static _Thread_local struct arena *in_use;

static void *arena_malloc(size_t n)
{
	return in_use ? arena_alloc(in_use, n) : NULL;
}

static void arena_nofree(void *p)
{
	(void)p; /* everything goes at the next reset */
}

struct arena *jarena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (a)
		a->keep = KEEP;
	return a;
}

void jarena_free(struct arena *a)
{
	if (!a)
		return;
	if (in_use == a)
		in_use = NULL;
	arena_free(a);
	free(a);
}

void jarena_use(struct arena *a)
{
	in_use = a;
}

struct arena *jarena_current(void)
{
	return in_use;
}

void jarena_install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_nofree);
}

void jarena_uninstall(void)
{
	json_set_alloc_funcs(malloc, free);
}
