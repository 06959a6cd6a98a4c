/* test_pool.c - the size-class pool: blocks are aligned, sized as asked,
 * reused by their class once freed (no new slab in steady state), and
 * the pool outlives pool_close while any block is held. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"

Test(pool, every_size_aligned_writable_and_distinct)
{
	struct pool *p = pool_new();
	unsigned char *v[5000];
	cr_assert_not_null(p);
	for (size_t n = 0; n < 5000; n++) {
		v[n] = pool_alloc(p, n);
		cr_assert_not_null(v[n]);
		cr_assert_eq((uintptr_t)v[n] % 16, 0, "size %zu", n);
		memset(v[n], (int)(n & 0xff), n);
	}
	/* no block overlaps another: each still holds its own pattern */
	for (size_t n = 0; n < 5000; n++)
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(v[n][i], (unsigned char)(n & 0xff),
				     "size %zu byte %zu", n, i);
	for (size_t n = 0; n < 5000; n++)
		pool_free(v[n]);
	pool_close(p);
}

Test(pool, a_freed_block_is_reused_by_its_class)
{
	struct pool *p = pool_new();
	void *a = pool_alloc(p, 100), *b;
	pool_free(a);
	b = pool_alloc(p, 110); /* the same class as 100 (112 with header: 128) */
	cr_assert_eq(a, b);
	pool_free(b);
	b = pool_alloc(p, 1000); /* another class: not that block */
	cr_assert_neq(a, b);
	pool_free(b);
	pool_close(p);
}

Test(pool, steady_churn_cuts_no_new_slab)
{
	/* a window of 1000 live blocks of mixed sizes, each freed and
	 * replaced by one of its size 100 times over: every replacement
	 * takes a freed block, the slabs held stay those of the first fill */
	struct pool *p = pool_new();
	void *live[1000];
	size_t first;
	for (size_t i = 0; i < 1000; i++)
		live[i] = pool_alloc(p, 40 + (i * 37) % 600);
	first = pool_bytes(p);
	cr_assert_gt(first, 0);
	for (size_t round = 0; round < 100; round++)
		for (size_t i = 0; i < 1000; i++) {
			pool_free(live[i]);
			live[i] = pool_alloc(p, 40 + ((i + round) * 37) % 600);
			cr_assert_not_null(live[i]);
		}
	/* sizes moved between blocks: a class may run short once and cut
	 * one more slab; not one per round */
	cr_assert_leq(pool_bytes(p), first + (64 << 10),
		      "%zu bytes after the churn, %zu after the first fill",
		      pool_bytes(p), first);
	for (size_t i = 0; i < 1000; i++)
		pool_free(live[i]);
	pool_close(p);
}

Test(pool, blocks_outlive_pool_close)
{
	struct pool *p = pool_new();
	char *a = pool_alloc(p, 64), *big = pool_alloc(p, 100000);
	cr_assert_not_null(big);
	memset(big, 1, 100000);
	pool_close(p);
	/* still usable; freeing the last one frees the pool (ASan and
	 * valgrind see a leak or a use after free otherwise) */
	strcpy(a, "still here");
	cr_assert_str_eq(a, "still here");
	pool_free(big);
	pool_free(a);
}

Test(pool, calloc_zeroes_a_reused_block)
{
	struct pool *p = pool_new();
	unsigned char *a = pool_alloc(p, 200), *b;
	memset(a, 0xab, 200);
	pool_free(a);
	b = pool_calloc(p, 200);
	cr_assert_eq(a, b);
	for (size_t i = 0; i < 200; i++)
		cr_assert_eq(b[i], 0);
	pool_free(b);
	pool_close(p);
}
