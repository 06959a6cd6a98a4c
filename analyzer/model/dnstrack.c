/* dnstrack.c - DNS transaction table (RFC 1035 section 7.3 matching rules:
 * id, question and addresses) with time-window expiry and secondary
 * indexes for correlation. */
#include "model/dnstrack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dt_key_kind {
	K_MATCH = 1,  /* asker, resolver, transport, id, qtype, qname: the
			 window table's key, no index entry */
	K_QUESTION,   /* asker, qtype, qname */
	K_ADDR,       /* asker, an answered (or glue) address */
	K_MXNAME,     /* asker, an MX exchange name */
	K_DNSBL,      /* asker, the address a DNSBL query encodes */
};

#define KEY_MAX (2 * 19 + 1 + 2 + 2 + DNS_NAME_MAX + 1)
/* idx of a K_ADDR entry: which of tx->addrs, or of tx->glue with this bit */
#define IDX_GLUE 0x80

/* An index entry holds no key: it names the transaction and which of its
 * values it stands for, and the key is rebuilt from them on a hash match. */
struct dt_node {
	struct dt_node *prev, *next; /* bucket chain, newest first */
	struct dt_node *tx_next;     /* the transaction's other entries */
	struct dns_tx *tx;
	uint64_t hash;
	uint8_t kind, idx;
};

#define NODES_PER_CHUNK 512
struct dt_chunk {
	struct dt_chunk *next;
	struct dt_node n[NODES_PER_CHUNK];
};

/* One asking host's live transactions, oldest first, in a ring: creation
 * order is expiry order, so a transaction always leaves from the front.
 * An entry copies what the walks filter on (a transaction's time is fixed
 * when it is created), so a walk over a busy asker reads the ring in order
 * and touches only the transactions it hands out. */
struct dt_ent {
	double clock, time;
	uint64_t seq;
	struct dns_tx *tx;
	const struct dt_name *qname_rec; /* see dns_tx */
	struct mx_addr about;
};

struct dt_asker {
	struct dt_asker *hnext; /* hash chain, or the free list */
	struct mx_addr ip;
	uint64_t hash;
	struct dt_ent *ring;
	size_t head, n, cap;
};

struct dt_table {
	struct dt_config cfg;
	dt_expire_fn expire_fn;
	void *expire_ctx;
	struct dt_node **buckets;
	size_t nbuckets; /* power of two */
	struct dt_asker **askers;
	size_t naskers;  /* power of two */
	struct btable window; /* live transactions by match key, oldest first */
	uint64_t seq;
	/* capture clock (latest message time) and the most a transaction's
	 * time ever lagged it: bounds for the time-limited walks */
	double clock, disorder;
	uint64_t ptr_answers_gone;
	struct dt_node *free_nodes;
	struct dt_chunk *chunks;
	struct dt_asker *free_askers;
	struct dt_names names;
	/* transactions, their answers and names: reused, not malloc'd */
	struct pool *pool;
	struct dt_stats st;
};

/* ---- keys ---- */

struct keybuf {
	uint8_t b[KEY_MAX];
	size_t n;
};

static void kb_put(struct keybuf *k, const void *p, size_t n)
{
	if (k->n + n > sizeof(k->b))
		n = sizeof(k->b) - k->n;
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void kb_init(struct keybuf *k, enum dt_key_kind kind,
		    const struct mx_addr *asker)
{
	k->n = 0;
	k->b[k->n++] = (uint8_t)kind;
	if (asker) {
		kb_put(k, &asker->family, 1);
		kb_put(k, asker->a, 16);
	}
}

static void kb_addr(struct keybuf *k, const struct mx_addr *a)
{
	kb_put(k, &a->family, 1);
	kb_put(k, a->a, 16);
}

static void kb_u16(struct keybuf *k, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	kb_put(k, b, 2);
}

static void kb_str(struct keybuf *k, const char *s)
{
	kb_put(k, s, strlen(s));
}

static void key_match(struct keybuf *k, const struct mx_endpoint *asker,
		      const struct mx_endpoint *resolver, bool tcp, uint16_t id,
		      uint16_t qtype, const char *qname)
{
	uint8_t t = tcp;
	kb_init(k, K_MATCH, &asker->ip);
	kb_u16(k, asker->port);
	kb_addr(k, &resolver->ip);
	kb_u16(k, resolver->port);
	kb_put(k, &t, 1);
	kb_u16(k, id);
	kb_u16(k, qtype);
	kb_str(k, qname);
}

static void key_question(struct keybuf *k, const struct mx_addr *asker,
			 const char *qname, uint16_t qtype)
{
	kb_init(k, K_QUESTION, asker);
	kb_u16(k, qtype);
	kb_str(k, qname);
}

static void key_addr(struct keybuf *k, enum dt_key_kind kind,
		     const struct mx_addr *asker, const struct mx_addr *a)
{
	kb_init(k, kind, asker);
	kb_addr(k, a);
}

static void key_name(struct keybuf *k, enum dt_key_kind kind,
		     const struct mx_addr *asker, const char *s)
{
	kb_init(k, kind, asker);
	kb_str(k, s);
}

/* The key an entry of tx stands for. */
static void key_of(struct keybuf *k, const struct dns_tx *tx, uint8_t kind,
		   uint8_t idx)
{
	const struct mx_addr *asker = &tx->asker.ip;
	switch (kind) {
	case K_MATCH:
		key_match(k, &tx->asker, &tx->resolver, tx->tcp, tx->id,
			  tx->qtype, tx->qname);
		break;
	case K_QUESTION:
		key_question(k, asker, tx->qname, tx->qtype);
		break;
	case K_ADDR:
		key_addr(k, K_ADDR, asker,
			 idx & IDX_GLUE ? &tx->glue[idx & ~IDX_GLUE]
					: &tx->addrs[idx]);
		break;
	case K_MXNAME:
		key_name(k, K_MXNAME, asker, tx->names[idx]);
		break;
	default: /* K_DNSBL */
		key_addr(k, K_DNSBL, asker, &tx->dnsbl);
		break;
	}
}

/* ---- index ---- */

static size_t bucket_of(const struct dt_table *t, uint64_t h)
{
	return (size_t)(h & (t->nbuckets - 1));
}

static struct dt_node *node_get(struct dt_table *t)
{
	struct dt_node *n = t->free_nodes;
	if (!n) {
		struct dt_chunk *c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = t->chunks;
		t->chunks = c;
		for (size_t i = 0; i < NODES_PER_CHUNK; i++) {
			c->n[i].tx_next = t->free_nodes;
			t->free_nodes = &c->n[i];
		}
		n = t->free_nodes;
	}
	t->free_nodes = n->tx_next;
	return n;
}

static void node_add(struct dt_table *t, struct dns_tx *tx, uint8_t kind,
		     uint8_t idx)
{
	struct keybuf k;
	struct dt_node *n = node_get(t);
	size_t b;
	if (!n)
		return; /* out of memory: the transaction is just not found */
	key_of(&k, tx, kind, idx);
	n->tx = tx;
	n->kind = kind;
	n->idx = idx;
	n->hash = mx_hash_bytes(k.b, k.n, 0);
	b = bucket_of(t, n->hash);
	n->prev = NULL;
	n->next = t->buckets[b];
	if (n->next)
		n->next->prev = n;
	t->buckets[b] = n;
	n->tx_next = tx->nodes;
	tx->nodes = n;
}

static void node_del(struct dt_table *t, struct dt_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		t->buckets[bucket_of(t, n->hash)] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->tx_next = t->free_nodes;
	t->free_nodes = n;
}

/* Newest first; with a finite `from`, stop at the first transaction created
 * when the clock was already before it (every older one was too, and a
 * transaction's time is never later than the clock at its creation). */
static void visit(struct dt_table *t, const struct keybuf *k, double from,
		  dt_visit_fn fn, void *ctx)
{
	uint64_t h = mx_hash_bytes(k->b, k->n, 0);
	struct dt_node *n = t->buckets[bucket_of(t, h)], *next;
	struct keybuf nk;
	for (; n; n = next) {
		next = n->next;
		if (n->hash != h || n->kind != k->b[0])
			continue;
		key_of(&nk, n->tx, n->kind, n->idx);
		if (nk.n != k->n || memcmp(nk.b, k->b, k->n) != 0)
			continue;
		if (n->tx->clock < from || fn(ctx, n->tx))
			return;
	}
}

/* ---- askers ---- */

static uint64_t asker_hash(const struct mx_addr *a)
{
	struct keybuf k;
	kb_init(&k, 0, a);
	return mx_hash_bytes(k.b, k.n, 0x61736b);
}

static struct dt_asker *asker_find(const struct dt_table *t,
				   const struct mx_addr *a, uint64_t h)
{
	struct dt_asker *r = t->askers[h & (t->naskers - 1)];
	for (; r; r = r->hnext)
		if (r->hash == h && mx_addr_eq(&r->ip, a))
			return r;
	return NULL;
}

static struct dt_ent *ring_at(const struct dt_asker *r, size_t i)
{
	return &r->ring[(r->head + i) & (r->cap - 1)];
}

static int ring_push(struct dt_asker *r, const struct dt_ent *e)
{
	if (r->n == r->cap) { /* grow, unrolled into order */
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct dt_ent *v = malloc(cap * sizeof(*v));
		if (!v)
			return -1;
		for (size_t i = 0; i < r->n; i++)
			v[i] = *ring_at(r, i);
		free(r->ring);
		r->ring = v;
		r->cap = cap;
		r->head = 0;
	}
	*ring_at(r, r->n) = *e;
	r->n++;
	return 0;
}

/* An empty record leaves the hash for the free list, its ring kept. */
static void asker_release(struct dt_table *t, struct dt_asker *r)
{
	struct dt_asker **pp = &t->askers[r->hash & (t->naskers - 1)];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == r) {
			*pp = r->hnext;
			break;
		}
	r->hnext = t->free_askers;
	t->free_askers = r;
}

static void asker_add(struct dt_table *t, struct dns_tx *tx, double time)
{
	struct dt_ent e = {tx->clock, time, tx->seq, tx, tx->qname_rec,
			   tx->about};
	uint64_t h = asker_hash(&tx->asker.ip);
	struct dt_asker *r = asker_find(t, &tx->asker.ip, h);
	if (!r) {
		size_t b = h & (t->naskers - 1);
		if ((r = t->free_askers))
			t->free_askers = r->hnext;
		else if (!(r = calloc(1, sizeof(*r))))
			return;
		r->ip = tx->asker.ip;
		r->hash = h;
		r->head = r->n = 0;
		r->hnext = t->askers[b];
		t->askers[b] = r;
	}
	if (ring_push(r, &e) == 0)
		tx->by_asker = r;
	else if (r->n == 0)
		asker_release(t, r);
}

static void asker_del(struct dt_table *t, struct dns_tx *tx)
{
	struct dt_asker *r = tx->by_asker;
	if (!r)
		return;
	tx->by_asker = NULL;
	/* transactions leave the window oldest first, as they were created
	 * and pushed: this one is the front */
	r->head = (r->head + 1) & (r->cap - 1);
	r->n--;
	if (r->n == 0)
		asker_release(t, r);
}

/* ---- transactions ---- */


static void names_drop(struct dt_table *t, struct dns_tx *tx);

static struct dns_tx *oldest_tx(const struct dt_table *t)
{
	return BT_ENTRY(bt_oldest(&t->window), struct dns_tx, link);
}

static void tx_expire(struct dt_table *t, struct dns_tx *tx)
{
	struct dt_node *n, *next;
	for (n = tx->nodes; n; n = next) {
		next = n->tx_next;
		node_del(t, n);
	}
	tx->nodes = NULL;
	asker_del(t, tx);
	names_drop(t, tx);
	bt_del(&t->window, &tx->link);
	if (t->expire_fn)
		t->expire_fn(t->expire_ctx, tx);
	dns_tx_unref(tx);
}

static struct dns_tx *tx_new(struct dt_table *t, const struct dns_msg *m,
			     const struct mx_endpoint *asker,
			     const struct mx_endpoint *resolver, bool tcp,
			     uint64_t match_hash)
{
	struct bt_link *victim = bt_victim(&t->window); /* at the cap */
	struct dns_tx *tx;
	if (victim) /* the oldest leaves early */
		tx_expire(t, BT_ENTRY(victim, struct dns_tx, link));
	if (!(tx = dns_tx_new(t->pool, m->qname)))
		return NULL;
	tx->seq = ++t->seq;
	tx->asker = *asker;
	tx->resolver = *resolver;
	tx->tcp = tcp;
	tx->id = m->id;
	tx->qtype = m->qtype;
	tx->clock = t->clock;
	bt_add(&t->window, &tx->link, match_hash);
	t->st.transactions++;
	return tx;
}

/* Index a new transaction, asked (or first answered) at `time`, under its
 * match key, question, asker and the client address a DNSBL name
 * carries. */
static void tx_index_question(struct dt_table *t, struct dns_tx *tx,
			      double time)
{
	uint8_t a[16];
	int fam;

	node_add(t, tx, K_QUESTION, 0);
	fam = dns_parse_dnsbl(tx->qname, a, NULL);
	if (fam) {
		mx_addr_set(&tx->dnsbl, fam, a);
		node_add(t, tx, K_DNSBL, 0);
	}
	if ((fam = dns_parse_reverse(tx->qname, a)))
		mx_addr_set(&tx->about, fam, a);
	else
		tx->about = tx->dnsbl;
	if (tx->qtype == DNS_T_A || tx->qtype == DNS_T_AAAA)
		tx->qname_rec = dt_name_get(&t->names, tx->qname);
	asker_add(t, tx, time);
}

/* A PTR answer's name i: one more live answer giving it. */
static void ptr_target_add(struct dt_table *t, struct dns_tx *tx, size_t i)
{
	if (!tx->target_recs &&
	    !(tx->target_recs = pool_calloc(t->pool, tx->n_names *
						     sizeof(*tx->target_recs))))
		return;
	if ((tx->target_recs[i] = dt_name_get(&t->names, tx->names[i])))
		tx->target_recs[i]->ptr_answers++;
}

/* Leaving the window: its names no longer count. */
static void names_drop(struct dt_table *t, struct dns_tx *tx)
{
	dt_name_put(&t->names, tx->qname_rec);
	tx->qname_rec = NULL;
	if (tx->target_recs) /* a PTR answer: walks may see more "other" */
		t->ptr_answers_gone++;
	for (size_t i = 0; tx->target_recs && i < tx->n_names; i++)
		if (tx->target_recs[i]) {
			tx->target_recs[i]->ptr_answers--;
			dt_name_put(&t->names, tx->target_recs[i]);
		}
	pool_free(tx->target_recs);
	tx->target_recs = NULL;
}

/* The response's records into the transaction, and into the indexes. */
static void tx_fill_response(struct dt_table *t, struct dns_tx *tx,
			     const struct dns_msg *m, double ts)
{
	if (dns_tx_fill(t->pool, tx, m, ts) != 0)
		return;
	for (size_t i = 0; i < tx->n_addrs; i++)
		node_add(t, tx, K_ADDR, (uint8_t)i);
	for (size_t i = 0; i < tx->n_names; i++)
		if (tx->name_types[i] == DNS_T_MX)
			node_add(t, tx, K_MXNAME, (uint8_t)i);
		else if (tx->name_types[i] == DNS_T_PTR)
			ptr_target_add(t, tx, i);
	for (size_t i = 0; i < tx->n_glue; i++)
		node_add(t, tx, K_ADDR, (uint8_t)(IDX_GLUE | i));
}

struct find_open {
	struct dns_tx *tx;
};

static int find_unanswered(void *ctx, struct dns_tx *tx)
{
	struct find_open *f = ctx;
	if (!tx->has_response && tx->has_query) {
		f->tx = tx;
		return 1;
	}
	return 0;
}

static int find_any(void *ctx, struct dns_tx *tx)
{
	struct find_open *f = ctx;
	f->tx = tx;
	return 1;
}

/* The live transactions with match key k, newest first, until fn says
 * stop. */
static void visit_match(struct dt_table *t, const struct keybuf *k,
			uint64_t h, dt_visit_fn fn, void *ctx)
{
	struct bt_link *l = bt_chain(&t->window, h), *next;
	struct keybuf nk;
	for (; l; l = next) {
		struct dns_tx *tx = BT_ENTRY(l, struct dns_tx, link);
		next = l->hnext;
		if (l->hash != h)
			continue;
		key_of(&nk, tx, K_MATCH, 0);
		if (nk.n == k->n && memcmp(nk.b, k->b, k->n) == 0 &&
		    fn(ctx, tx))
			return;
	}
}

struct dns_tx *dt_message(struct dt_table *t, const struct dns_msg *m,
			  const struct mx_endpoint *src,
			  const struct mx_endpoint *dst, bool tcp, double ts)
{
	const struct mx_endpoint *asker = m->qr ? dst : src;
	const struct mx_endpoint *resolver = m->qr ? src : dst;
	struct find_open f = {NULL};
	struct keybuf k;
	struct dns_tx *tx;
	uint64_t h;

	if (!m->has_question)
		return NULL;
	if (ts > t->clock)
		t->clock = ts;
	else if (t->clock - ts > t->disorder)
		t->disorder = t->clock - ts;
	key_match(&k, asker, resolver, tcp, m->id, m->qtype, m->qname);
	h = mx_hash_bytes(k.b, k.n, 0);
	visit_match(t, &k, h, find_unanswered, &f);
	if (!m->qr) {
		if (f.tx) { /* same id, same question, still open: a resend */
			f.tx->retransmissions++;
			f.tx->last_query_t = ts;
			return f.tx;
		}
		tx = tx_new(t, m, asker, resolver, tcp, h);
		if (!tx)
			return NULL;
		tx->has_query = true;
		tx->query_t = tx->last_query_t = ts;
		tx_index_question(t, tx, ts);
	} else {
		if (!f.tx) {
			visit_match(t, &k, h, find_any, &f);
			if (f.tx) /* a duplicate response */
				return f.tx;
			tx = tx_new(t, m, asker, resolver, tcp, h);
			if (!tx)
				return NULL;
			tx_index_question(t, tx, ts); /* fill sets response_t */
		} else {
			tx = f.tx;
		}
		tx_fill_response(t, tx, m, ts);
	}
	return tx;
}

void dt_expire(struct dt_table *t, double now)
{
	struct dns_tx *tx;
	while ((tx = oldest_tx(t)) && dns_tx_time(tx) + t->cfg.window_s < now)
		tx_expire(t, tx);
}

struct dt_table *dt_new(const struct dt_config *cfg, dt_expire_fn fn,
			void *ctx)
{
	struct dt_table *t = calloc(1, sizeof(*t));
	size_t nb;
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_tx < 1) /* room for the newest */
		t->cfg.max_tx = 1;
	nb = mx_hash_buckets(t->cfg.max_tx * 4, 1024, (size_t)1 << 24);
	t->nbuckets = nb;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->naskers = mx_hash_buckets(t->cfg.max_tx, 256, (size_t)1 << 20);
	t->askers = calloc(t->naskers, sizeof(*t->askers));
	t->clock = -INFINITY;
	t->pool = pool_new();
	if (!t->buckets || !t->askers || !t->pool ||
	    bt_init(&t->window, t->cfg.max_tx, 1024, (size_t)1 << 24) != 0 ||
	    dt_names_init(&t->names, t->naskers, t->pool) != 0) {
		pool_close(t->pool);
		bt_fini(&t->window);
		free(t->buckets);
		free(t->askers);
		free(t);
		return NULL;
	}
	t->expire_fn = fn;
	t->expire_ctx = ctx;
	return t;
}

void dt_free(struct dt_table *t)
{
	struct dns_tx *tx;
	if (!t)
		return;
	while ((tx = oldest_tx(t)))
		tx_expire(t, tx);
	/* every record is empty now, so on the free list */
	while (t->free_askers) {
		struct dt_asker *r = t->free_askers;
		t->free_askers = r->hnext;
		free(r->ring);
		free(r);
	}
	while (t->chunks) {
		struct dt_chunk *c = t->chunks;
		t->chunks = c->next;
		free(c);
	}
	dt_names_fini(&t->names);
	pool_close(t->pool); /* freed with the last transaction a session holds */
	bt_fini(&t->window);
	free(t->askers);
	free(t->buckets);
	free(t);
}

void dt_by_question(struct dt_table *t, const struct mx_addr *asker,
		    const char *qname, uint16_t qtype, double from,
		    dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_question(&k, asker, qname, qtype);
	visit(t, &k, from, fn, ctx);
}

void dt_by_answer_addr(struct dt_table *t, const struct mx_addr *asker,
		       const struct mx_addr *a, dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_addr(&k, K_ADDR, asker, a);
	visit(t, &k, -INFINITY, fn, ctx);
}

void dt_by_mx_name(struct dt_table *t, const struct mx_addr *asker,
		   const char *name, dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_name(&k, K_MXNAME, asker, name);
	visit(t, &k, -INFINITY, fn, ctx);
}

void dt_by_dnsbl_addr(struct dt_table *t, const struct mx_addr *asker,
		      const struct mx_addr *a, double from, dt_visit_fn fn,
		      void *ctx)
{
	struct keybuf k;
	key_addr(&k, K_DNSBL, asker, a);
	visit(t, &k, from, fn, ctx);
}

/* The ring positions [first, last) of asker's transactions made after
 * number after_seq that can have been asked at or before `until`: a
 * transaction asked then was created while the clock read at most
 * until + disorder, and seq and clock only grow along the ring. */
/* In r's entries from lo on, where `before` holds for a prefix: the
 * first where it does not.  The answer is usually near the newest end,
 * whose cache lines were just written: steps back from there double
 * before the binary search, so a busy resolver's long ring costs a few
 * probes near its end, not a search across all of it. */
static size_t ring_bound(const struct dt_asker *r, size_t lo, uint64_t seq,
			 double clock, bool by_seq)
{
	size_t hi = r->n, step = 1;
#define BEFORE(i) (by_seq ? ring_at(r, i)->seq <= seq \
			  : ring_at(r, i)->clock <= clock)
	if (lo >= hi || !BEFORE(lo)) /* e.g. no lower bound on seq */
		return lo;
	while (hi - lo > step && !BEFORE(hi - step)) {
		hi -= step;
		step *= 2;
	}
	if (hi - lo > step)
		lo = hi - step;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (BEFORE(mid))
			lo = mid + 1;
		else
			hi = mid;
	}
#undef BEFORE
	return lo;
}

static const struct dt_asker *asker_span(const struct dt_table *t,
					 const struct mx_addr *asker,
					 uint64_t after_seq, double until,
					 size_t *first, size_t *last)
{
	const struct dt_asker *r = asker_find(t, asker, asker_hash(asker));
	if (!r)
		return NULL;
	*first = ring_bound(r, 0, after_seq, 0, true);
	*last = ring_bound(r, *first, 0, until + t->disorder, false);
	return r;
}

bool dt_asker_new_in(struct dt_table *t, const struct mx_addr *asker,
		     uint64_t after_seq, double from, double until)
{
	size_t first, i;
	const struct dt_asker *r =
		asker_span(t, asker, after_seq, until, &first, &i);
	while (r && i-- > first) {
		const struct dt_ent *e = ring_at(r, i);
		if (e->time >= from && e->time <= until)
			return true;
	}
	return false;
}

void dt_by_asker(struct dt_table *t, const struct mx_addr *asker,
		 uint64_t after_seq, double until, dt_visit_fn fn, void *ctx)
{
	size_t first, i;
	const struct dt_asker *r =
		asker_span(t, asker, after_seq, until, &first, &i);
	while (r && i-- > first)
		if (fn(ctx, ring_at(r, i)->tx))
			return;
}

/* Recognizably about another host than `client`: a reverse or DNSBL name
 * of another address, or the forward check of a name a live PTR answer
 * (whoever asked) gave. */
static bool ent_about_other(const struct dt_ent *e,
			    const struct mx_addr *client)
{
	if (e->about.family)
		return !mx_addr_eq(&e->about, client);
	return e->qname_rec && e->qname_rec->ptr_answers > 0;
}

void dt_asker_others(struct dt_table *t, const struct mx_addr *asker,
		     const struct mx_addr *client, double from, double until,
		     dt_visit_fn fn, void *ctx)
{
	size_t first, i;
	const struct dt_asker *r = asker_span(t, asker, 0, until, &first, &i);
	while (r && i-- > first) {
		const struct dt_ent *e = ring_at(r, i);
		if (e->time < from)
			return;
		if (e->time <= until && !ent_about_other(e, client) &&
		    fn(ctx, e->tx))
			return;
	}
}

uint64_t dt_last_seq(const struct dt_table *t)
{
	return t->seq;
}

uint64_t dt_ptr_answers_gone(const struct dt_table *t)
{
	return t->ptr_answers_gone;
}

void dt_get_stats(const struct dt_table *t, struct dt_stats *st)
{
	*st = t->st;
	st->live = t->window.live;
	st->evicted = t->window.evicted;
}

void dt_count_unparsable(struct dt_table *t)
{
	t->st.unparsable++;
}
