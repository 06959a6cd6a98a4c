/* pool.h - a size-class allocator for objects that come and go at a
 * steady rate (DNS transactions and what hangs off them).  A freed block
 * goes on its class's free list and the next allocation of that class
 * takes it, so once the window is full nothing goes to malloc.  Memory is
 * never handed back to other classes or the system before the pool goes:
 * the pool holds what its peak needed, which the window's caps bound.
 *
 * A block knows its pool, so it can be freed without it, also after
 * pool_close: a transaction that a session still holds outlives the DNS
 * table.  The pool is freed with its last block.  One thread only. */
#ifndef MXRAY_POOL_H
#define MXRAY_POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(void);
/* n bytes, 16-aligned; NULL on OOM.  Blocks above 4 KB are malloc'd
 * alone. */
void *pool_alloc(struct pool *p, size_t n);
/* The same, zeroed. */
void *pool_calloc(struct pool *p, size_t n);
/* A copy of the string; NULL on OOM. */
char *pool_strdup(struct pool *p, const char *s);
/* Any block of any pool, or NULL. */
void pool_free(void *b);
/* Bytes of slabs held (blocks in use, free, and uncut), not counting
 * the blocks above 4 KB. */
size_t pool_bytes(const struct pool *p);
/* No more allocations: the pool goes when its blocks have gone. */
void pool_close(struct pool *p);

#endif
