/* pool.c - see pool.h.  Classes: 16-byte steps up to 1 KB, then eight
 * steps per doubling up to 4 KB (at most an eighth wasted).  Each 32 KB
 * slab holds blocks of one class and is aligned to its size, so a block
 * finds its slab, and so its class and pool, from its own address: no
 * header per block.  Larger blocks get a slab of their own.  A slab, once
 * given to a class, stays with it: the classes' shares follow the
 * steady state the pool's first minutes set. */
#include "base/pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_SIZE ((size_t)32 << 10)
#define SLABS_PER_RUN 32 /* slabs are taken from the system 1 MB at a time */
#define CLASS_MAX ((size_t)4096)
#define N_CLASSES (64 + 16)
#define BIG 0xffffu

struct slab {
	struct pool *pool;
	uint16_t cls;      /* BIG: one block, malloc'd alone */
	max_align_t blocks[];
};

struct free_blk {
	struct free_blk *next;
};

struct pool {
	struct free_blk *free[N_CLASSES];
	char *cut[N_CLASSES], *end[N_CLASSES]; /* each class's newest slab */
	char **runs;    /* what the system gave, SLABS_PER_RUN slabs each */
	size_t n_runs;
	size_t run_left; /* slabs of the newest run not used yet */
	size_t live;  /* blocks not freed */
	size_t bytes; /* in slabs */
	int closed;
};

/* The class of an n-byte block (1 <= n <= CLASS_MAX). */
static unsigned class_of(size_t n)
{
	unsigned e;
	if (n <= 1024)
		return (unsigned)((n + 15) / 16 - 1);
	e = 63u - (unsigned)__builtin_clzll((unsigned long long)(n - 1));
	/* (2^e, 2^(e+1)] in eight steps of 2^(e-3) */
	return 64 + (e - 10) * 8 + (unsigned)((n - 1) >> (e - 3)) - 8;
}

static size_t class_size(unsigned c)
{
	unsigned e;
	if (c < 64)
		return (size_t)(c + 1) * 16;
	e = 10 + (c - 64) / 8;
	return (size_t)(8 + (c - 64) % 8 + 1) << (e - 3);
}

static struct slab *slab_of(const void *b)
{
	return (struct slab *)((uintptr_t)b & ~(uintptr_t)(SLAB_SIZE - 1));
}

struct pool *pool_new(void)
{
	return calloc(1, sizeof(struct pool));
}

static void pool_destroy(struct pool *p)
{
	for (size_t i = 0; i < p->n_runs; i++)
		free(p->runs[i]);
	free(p->runs);
	free(p);
}

/* A slab for class cls: from the newest run, or a new run (one aligned
 * allocation of many slabs, so the alignment is paid for once). */
static struct slab *slab_new(struct pool *p, unsigned cls)
{
	struct slab *s;
	if (!p->run_left) {
		char **v = realloc(p->runs, (p->n_runs + 1) * sizeof(*v));
		void *run;
		if (!v)
			return NULL;
		p->runs = v;
		if (posix_memalign(&run, SLAB_SIZE, SLABS_PER_RUN * SLAB_SIZE))
			return NULL;
		p->runs[p->n_runs++] = run;
		p->run_left = SLABS_PER_RUN;
		p->bytes += SLABS_PER_RUN * SLAB_SIZE;
	}
	p->run_left--;
	s = (struct slab *)(void *)(p->runs[p->n_runs - 1] +
				    p->run_left * SLAB_SIZE);
	s->pool = p;
	s->cls = (uint16_t)cls;
	return s;
}

/* A new block of class c from the class's newest slab, or a new one. */
static void *cut(struct pool *p, unsigned c)
{
	size_t size = class_size(c);
	void *b;
	if (!p->cut[c] || (size_t)(p->end[c] - p->cut[c]) < size) {
		struct slab *s = slab_new(p, c);
		if (!s)
			return NULL;
		/* the old slab's tail (under one block) is left */
		p->cut[c] = (char *)s->blocks;
		p->end[c] = (char *)s + SLAB_SIZE;
	}
	b = p->cut[c];
	p->cut[c] += size;
	return b;
}

void *pool_alloc(struct pool *p, size_t n)
{
	void *b;
	if (n > CLASS_MAX) {
		/* a slab of its own, as large as it needs: its address is
		 * within the first SLAB_SIZE */
		struct slab *s;
		void *m;
		if (posix_memalign(&m, SLAB_SIZE, sizeof(*s) + n) != 0)
			return NULL;
		s = m;
		s->pool = p;
		s->cls = BIG;
		b = s->blocks;
	} else {
		unsigned c = class_of(n ? n : 1);
		if (p->free[c]) {
			b = p->free[c];
			p->free[c] = p->free[c]->next;
		} else if (!(b = cut(p, c))) {
			return NULL;
		}
	}
	p->live++;
	return b;
}

void *pool_calloc(struct pool *p, size_t n)
{
	void *v = pool_alloc(p, n);
	if (v)
		memset(v, 0, n);
	return v;
}

char *pool_strdup(struct pool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pool_alloc(p, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void pool_free(void *v)
{
	struct slab *s;
	struct pool *p;
	if (!v)
		return;
	s = slab_of(v);
	p = s->pool;
	if (s->cls == BIG) {
		free(s);
	} else {
		struct free_blk *f = v;
		f->next = p->free[s->cls];
		p->free[s->cls] = f;
	}
	if (--p->live == 0 && p->closed)
		pool_destroy(p);
}

size_t pool_bytes(const struct pool *p)
{
	return p->bytes;
}

void pool_close(struct pool *p)
{
	if (!p)
		return;
	p->closed = 1;
	if (p->live == 0)
		pool_destroy(p);
}
