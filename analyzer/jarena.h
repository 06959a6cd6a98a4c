/* jarena.h - a bump arena for jansson, so building and dumping one report
 * object costs no malloc/free per value.  While it is on, every jansson
 * allocation comes from the arena and frees are no-ops; jarena_reset()
 * recycles all of it at once, and may only be called when no jansson value
 * built since the last reset is still in use. */
#ifndef MXRAY_JARENA_H
#define MXRAY_JARENA_H

/* Route jansson's allocations to the arena (0, or -1 on OOM). */
int jarena_on(void);
/* Forget everything allocated since the last reset (chunks are kept). */
void jarena_reset(void);
/* Back to malloc/free; the arena's memory is released. */
void jarena_off(void);

#endif
