/* timeline.c - see timeline.h. */
#include "report/timeline.h"

#include <stdlib.h>
#include <string.h>

static int item_cmp(const void *a, const void *b)
{
	const struct tl_item *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int ev_rank(const struct tl_event *e)
{
	return e->kind == EV_FIN || e->kind == EV_RST || e->kind == EV_TIMEOUT;
}

struct tl_item *tl_merge(const struct session *s, size_t *n,
			    struct tl_scratch *sc)
{
	size_t cap = s->n_ev + 2 * s->n_dns, k = 0;
	struct tl_item *v;
	*n = 0;
	if (cap == 0)
		return NULL;
	if (cap > sc->cap) {
		size_t c = sc->cap ? sc->cap : 64;
		while (c < cap)
			c *= 2;
		if (!(v = realloc(sc->items, c * sizeof(*v))))
			return NULL;
		sc->items = v;
		sc->cap = c;
	}
	v = sc->items;
	memset(v, 0, cap * sizeof(*v));
	for (size_t i = 0; i < s->n_ev; i++) {
		v[k].t = s->ev[i].t;
		v[k].rank = ev_rank(&s->ev[i]);
		v[k].ev = &s->ev[i];
		k++;
	}
	for (size_t i = 0; i < s->n_dns; i++) {
		const struct dns_tx *tx = s->dns[i].tx;
		if (tx->has_query) {
			v[k].t = tx->query_t;
			v[k].tie = &s->dns[i];
			k++;
		}
		if (tx->has_response) {
			v[k].t = tx->response_t;
			v[k].tie = &s->dns[i];
			v[k].response = true;
			k++;
		}
	}
	for (size_t i = 0; i < k; i++)
		v[i].pos = i;
	/* qsort is not stable; the position key makes the order total */
	qsort(v, k, sizeof(*v), item_cmp);
	*n = k;
	return v;
}
