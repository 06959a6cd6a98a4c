/* jarena.h - arenas (arena.h) for jansson, so building and dumping one
 * report object costs no malloc/free per value.  Once installed, every
 * jansson allocation of a thread comes from the arena that thread last
 * chose (jarena_use), and frees are no-ops: arena_reset() recycles a whole
 * arena at once, when no value built in it is in use any more.  Each
 * thread that touches jansson while installed must have chosen one. */
#ifndef MXRAY_JARENA_H
#define MXRAY_JARENA_H

#include "base/arena.h"

/* An arena for jansson values, kept whole across resets (NULL on OOM);
 * free it with jarena_free. */
struct arena *jarena_new(void);
void jarena_free(struct arena *a);
/* The calling thread's jansson allocations go to a from now on. */
void jarena_use(struct arena *a);
/* The calling thread's arena now (NULL: none chosen). */
struct arena *jarena_current(void);

/* Route jansson's allocations through the arenas / back to malloc. */
void jarena_install(void);
void jarena_uninstall(void);

#endif
