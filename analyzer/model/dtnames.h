/* dtnames.h - DNS names shared by the transactions in the window, each
 * with how many live PTR answers name it.  "Is this A lookup's name the
 * answer of some PTR lookup?" is then one read of the name's record,
 * looked up once when the lookup is made, instead of an index search each
 * time a correlation walk passes it. */
#ifndef MXRAY_DTNAMES_H
#define MXRAY_DTNAMES_H

#include <stddef.h>
#include <stdint.h>

struct dt_name {
	struct dt_name *hnext;
	uint64_t hash;
	unsigned refs;        /* transactions holding it */
	unsigned ptr_answers; /* live PTR answers giving this name */
	char name[];
};

struct pool;

struct dt_names {
	struct dt_name **buckets;
	size_t nbuckets; /* power of two */
	struct pool *pool; /* the records' (the table's) */
};

/* 0, or -1 on OOM. */
int dt_names_init(struct dt_names *n, size_t nbuckets, struct pool *pool);
void dt_names_fini(struct dt_names *n);
/* The record of name (created), with one more reference; NULL on OOM. */
struct dt_name *dt_name_get(struct dt_names *n, const char *name);
/* One reference less; freed at none.  NULL is ignored. */
void dt_name_put(struct dt_names *n, struct dt_name *r);

#endif
