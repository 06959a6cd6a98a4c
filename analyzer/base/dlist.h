/* dlist.h - intrusive doubly-linked list.  The links live inside the listed
 * struct, so a member joins and leaves in O(1) without allocating, and the
 * same struct can sit on a hash chain too.  Members go in at the tail, so
 * the head is the one appended longest ago: the tables keep their entries
 * in age order this way and expire from the head. */
#ifndef MXRAY_DLIST_H
#define MXRAY_DLIST_H

#include <stddef.h>

struct dlist_link {
	struct dlist_link *prev, *next; /* NULL at the ends and off any list */
};

struct dlist {
	struct dlist_link *head, *tail; /* NULL when empty */
};

static inline void dlist_append(struct dlist *l, struct dlist_link *n)
{
	n->prev = l->tail;
	n->next = NULL;
	if (l->tail)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
}

/* head and tail move only when they are n, so unlinking a node that is on
 * no list changes nothing; n's links are cleared to mark it off the list. */
static inline void dlist_unlink(struct dlist *l, struct dlist_link *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (l->head == n)
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else if (l->tail == n)
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

/* NULL maps to NULL, so a list's head or a link's next can be passed
 * without a check (and no offset is ever applied to a null pointer). */
static inline void *dlist_owner_(struct dlist_link *n, size_t offset)
{
	return n ? (char *)n - offset : NULL;
}

/* The struct of that type holding link n as its member, or NULL. */
#define DLIST_ENTRY(n, type, member)                                           \
	((type *)dlist_owner_((n), offsetof(type, member)))

#endif
