/* dtnames.c - see dtnames.h. */
#include "model/dtnames.h"

#include <stdlib.h>
#include <string.h>

#include "base/pool.h"
#include "base/util.h"

int dt_names_init(struct dt_names *n, size_t nbuckets, struct pool *pool)
{
	n->nbuckets = nbuckets;
	n->pool = pool;
	n->buckets = calloc(nbuckets, sizeof(*n->buckets));
	return n->buckets ? 0 : -1;
}

void dt_names_fini(struct dt_names *n)
{
	/* every record has gone with the last transaction holding it */
	free(n->buckets);
	n->buckets = NULL;
}

struct dt_name *dt_name_get(struct dt_names *n, const char *name)
{
	size_t len = strlen(name);
	uint64_t h = mx_hash_bytes(name, len, 0x6e616d65);
	struct dt_name **b = &n->buckets[h & (n->nbuckets - 1)], *r;
	for (r = *b; r; r = r->hnext)
		if (r->hash == h && !strcmp(r->name, name)) {
			r->refs++;
			return r;
		}
	if (!(r = pool_alloc(n->pool, sizeof(*r) + len + 1)))
		return NULL;
	r->hash = h;
	r->refs = 1;
	r->ptr_answers = 0;
	memcpy(r->name, name, len + 1);
	r->hnext = *b;
	*b = r;
	return r;
}

void dt_name_put(struct dt_names *n, struct dt_name *r)
{
	struct dt_name **pp;
	if (!r || --r->refs > 0)
		return;
	for (pp = &n->buckets[r->hash & (n->nbuckets - 1)]; *pp;
	     pp = &(*pp)->hnext)
		if (*pp == r) {
			*pp = r->hnext;
			break;
		}
	pool_free(r);
}
