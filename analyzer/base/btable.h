/* btable.h - the bounded table every flow, group and transaction table
 * uses: entries found by a 64-bit hash of their key (the owner compares
 * the key itself), kept in age order (the head is the entry added or
 * touched longest ago) for expiry and eviction, at most `cap` at once,
 * evictions counted.
 *
 * Intrusive: an entry embeds a struct bt_link, so adding, finding and
 * removing allocate nothing.  A chain is newest first.  An owner that
 * orders some entries differently (connections waiting out their grace,
 * by close time) takes them off the age list with bt_unage and may put
 * the link's `age` member on a list of its own; they are still found,
 * and are never chosen for eviction.
 */
#ifndef MXRAY_BTABLE_H
#define MXRAY_BTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/dlist.h"

struct bt_link {
	struct bt_link *hnext; /* hash chain, newest first */
	struct dlist_link age;
	uint64_t hash;
	bool aged; /* on the table's age list */
};

struct btable {
	struct bt_link **buckets;
	size_t mask;    /* buckets - 1 (a power of two) */
	size_t live;    /* entries in the table, aged or not */
	size_t cap;
	uint64_t evicted;
	struct dlist age;
};

/* Buckets for cap entries (a power of two, at least `least`, at most
 * `most`): 0, or -1 on OOM. */
int bt_init(struct btable *t, size_t cap, size_t least, size_t most);
/* The buckets; the entries are the owner's to free first. */
void bt_fini(struct btable *t);

/* The chain that entries of hash h are on: walk it through hnext, skip
 * links whose hash differs, then compare the key. */
static inline struct bt_link *bt_chain(const struct btable *t, uint64_t h)
{
	return t->buckets[h & t->mask];
}

/* As the newest entry. */
void bt_add(struct btable *t, struct bt_link *l, uint64_t h);
/* Out of the table (and off the age list if it is on it). */
void bt_del(struct btable *t, struct bt_link *l);
/* The newest again (an aged entry only). */
void bt_touch(struct btable *t, struct bt_link *l);
/* Off the age list, still found; never evicted. */
void bt_unage(struct btable *t, struct bt_link *l);
/* The oldest aged entry, or NULL. */
struct bt_link *bt_oldest(const struct btable *t);
/* When the table is full: the oldest aged entry, counted as evicted (the
 * owner ends it, which bt_dels it, before adding); else NULL. */
struct bt_link *bt_victim(struct btable *t);

/* The struct holding link l as `member`, or NULL for NULL. */
#define BT_ENTRY(l, type, member)                                              \
	((type *)bt_owner_((l), offsetof(type, member)))
static inline void *bt_owner_(struct bt_link *l, size_t offset)
{
	return l ? (char *)l - offset : NULL;
}

#endif
