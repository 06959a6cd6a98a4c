/* btable.c - see btable.h. */
#include "base/btable.h"

#include <stdlib.h>

#include "base/util.h"

int bt_init(struct btable *t, size_t cap, size_t least, size_t most)
{
	size_t nb = mx_hash_buckets(cap, least, most);
	*t = (struct btable){0};
	if (!(t->buckets = calloc(nb, sizeof(*t->buckets))))
		return -1;
	t->mask = nb - 1;
	t->cap = cap ? cap : 1;
	return 0;
}

void bt_fini(struct btable *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

void bt_add(struct btable *t, struct bt_link *l, uint64_t h)
{
	struct bt_link **b = &t->buckets[h & t->mask];
	l->hash = h;
	l->hnext = *b;
	*b = l;
	dlist_append(&t->age, &l->age);
	l->aged = true;
	t->live++;
}

void bt_del(struct btable *t, struct bt_link *l)
{
	struct bt_link **pp = &t->buckets[l->hash & t->mask];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == l) {
			*pp = l->hnext;
			break;
		}
	l->hnext = NULL;
	bt_unage(t, l);
	t->live--;
}

void bt_touch(struct btable *t, struct bt_link *l)
{
	if (!l->aged)
		return;
	dlist_unlink(&t->age, &l->age);
	dlist_append(&t->age, &l->age);
}

void bt_unage(struct btable *t, struct bt_link *l)
{
	if (!l->aged)
		return;
	dlist_unlink(&t->age, &l->age);
	l->aged = false;
}

struct bt_link *bt_oldest(const struct btable *t)
{
	return DLIST_ENTRY(t->age.head, struct bt_link, age);
}

struct bt_link *bt_victim(struct btable *t)
{
	struct bt_link *l;
	if (t->live < t->cap || !(l = bt_oldest(t)))
		return NULL;
	t->evicted++;
	return l;
}
