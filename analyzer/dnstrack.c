/* dnstrack.c - DNS transaction table (RFC 1035 section 7.3 matching rules:
 * id, question and addresses) with time-window expiry and secondary
 * indexes for correlation. */
#include "dnstrack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dt_key_kind {
	K_MATCH = 1, /* asker, resolver, transport, id, qtype, qname */
	K_QUESTION,  /* qtype, qname */
	K_ADDR,      /* an answered (or glue) address */
	K_MXNAME,    /* an MX exchange name */
	K_DNSBL,     /* the address a DNSBL query encodes */
	K_ASKER,     /* the asking host */
	K_PTR_TARGET, /* a name some PTR answer gave */
};

#define KEY_MAX (2 * 19 + 1 + 2 + 2 + DNS_NAME_MAX + 1)

struct dt_node {
	struct dt_node *prev, *next; /* bucket chain, newest first */
	struct dns_tx *tx;
	uint64_t hash;
	uint16_t keylen;
	uint8_t key[]; /* kind byte first */
};

struct dt_table {
	struct dt_config cfg;
	dt_expire_fn expire_fn;
	void *expire_ctx;
	struct dt_node **buckets;
	size_t nbuckets; /* power of two */
	struct dlist window; /* live transactions, oldest first */
	uint64_t seq;
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

static void kb_init(struct keybuf *k, enum dt_key_kind kind)
{
	k->n = 0;
	k->b[k->n++] = (uint8_t)kind;
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
	kb_init(k, K_MATCH);
	kb_addr(k, &asker->ip);
	kb_u16(k, asker->port);
	kb_addr(k, &resolver->ip);
	kb_u16(k, resolver->port);
	kb_put(k, &t, 1);
	kb_u16(k, id);
	kb_u16(k, qtype);
	kb_str(k, qname);
}

static void key_question(struct keybuf *k, const char *qname, uint16_t qtype)
{
	kb_init(k, K_QUESTION);
	kb_u16(k, qtype);
	kb_str(k, qname);
}

static void key_addr(struct keybuf *k, enum dt_key_kind kind,
		     const struct mx_addr *a)
{
	kb_init(k, kind);
	kb_addr(k, a);
}

static void key_name(struct keybuf *k, enum dt_key_kind kind, const char *s)
{
	kb_init(k, kind);
	kb_str(k, s);
}

/* ---- index ---- */

static size_t bucket_of(const struct dt_table *t, uint64_t h)
{
	return (size_t)(h & (t->nbuckets - 1));
}

static int node_add(struct dt_table *t, struct dns_tx *tx,
		    const struct keybuf *k)
{
	struct dt_node *n;
	size_t b;
	if (tx->n_nodes == tx->cap_nodes) {
		size_t cap = tx->cap_nodes ? tx->cap_nodes * 2 : 8;
		struct dt_node **nn = realloc(tx->nodes, cap * sizeof(*nn));
		if (!nn)
			return -1;
		tx->nodes = nn;
		tx->cap_nodes = cap;
	}
	n = malloc(sizeof(*n) + k->n);
	if (!n)
		return -1;
	n->tx = tx;
	n->hash = mx_hash_bytes(k->b, k->n, 0);
	n->keylen = (uint16_t)k->n;
	memcpy(n->key, k->b, k->n);
	b = bucket_of(t, n->hash);
	n->prev = NULL;
	n->next = t->buckets[b];
	if (n->next)
		n->next->prev = n;
	t->buckets[b] = n;
	tx->nodes[tx->n_nodes++] = n;
	return 0;
}

static void node_del(struct dt_table *t, struct dt_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		t->buckets[bucket_of(t, n->hash)] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	free(n);
}

static void visit(struct dt_table *t, const struct keybuf *k, dt_visit_fn fn,
		  void *ctx)
{
	uint64_t h = mx_hash_bytes(k->b, k->n, 0);
	struct dt_node *n = t->buckets[bucket_of(t, h)], *next;
	for (; n; n = next) {
		next = n->next;
		if (n->hash == h && n->keylen == k->n &&
		    memcmp(n->key, k->b, k->n) == 0 && fn(ctx, n->tx))
			return;
	}
}

/* ---- transactions ---- */

void dns_tx_ref(struct dns_tx *tx)
{
	tx->refs++;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void dns_tx_unref(struct dns_tx *tx)
{
	if (!tx || --tx->refs > 0)
		return;
	strv_free(tx->answers, tx->n_answers);
	strv_free(tx->names, tx->n_names);
	free(tx->prefs);
	free(tx->addrs);
	free(tx->glue);
	strv_free(tx->glue_names, tx->n_glue);
	free(tx->nodes);
	free(tx);
}

double dns_tx_time(const struct dns_tx *tx)
{
	return tx->has_query ? tx->query_t : tx->response_t;
}

static struct dns_tx *oldest_tx(const struct dt_table *t)
{
	return DLIST_ENTRY(t->window.head, struct dns_tx, window);
}

static void tx_expire(struct dt_table *t, struct dns_tx *tx)
{
	for (size_t i = 0; i < tx->n_nodes; i++)
		node_del(t, tx->nodes[i]);
	tx->n_nodes = 0;
	dlist_unlink(&t->window, &tx->window);
	tx->in_window = false;
	t->st.live--;
	if (t->expire_fn)
		t->expire_fn(t->expire_ctx, tx);
	dns_tx_unref(tx);
}

static struct dns_tx *tx_new(struct dt_table *t, const struct dns_msg *m,
			     const struct mx_endpoint *asker,
			     const struct mx_endpoint *resolver, bool tcp)
{
	struct dns_tx *tx = calloc(1, sizeof(*tx));
	if (!tx)
		return NULL;
	tx->refs = 1; /* the table's */
	tx->first_rel = -1;
	tx->seq = ++t->seq;
	tx->asker = *asker;
	tx->resolver = *resolver;
	tx->tcp = tcp;
	tx->id = m->id;
	memcpy(tx->qname, m->qname, sizeof(tx->qname));
	tx->qtype = m->qtype;
	tx->in_window = true;
	dlist_append(&t->window, &tx->window);
	t->st.transactions++;
	t->st.live++;
	return tx;
}

/* Index a new transaction under its match key, question, asker and the
 * client address a DNSBL name carries. */
static void tx_index_question(struct dt_table *t, struct dns_tx *tx)
{
	struct keybuf k;
	uint8_t a[16];
	int fam;

	key_match(&k, &tx->asker, &tx->resolver, tx->tcp, tx->id, tx->qtype,
		  tx->qname);
	node_add(t, tx, &k);
	key_question(&k, tx->qname, tx->qtype);
	node_add(t, tx, &k);
	key_addr(&k, K_ASKER, &tx->asker.ip);
	node_add(t, tx, &k);
	fam = dns_parse_dnsbl(tx->qname, a, NULL);
	if (fam) {
		struct mx_addr x;
		mx_addr_set(&x, fam, a);
		key_addr(&k, K_DNSBL, &x);
		node_add(t, tx, &k);
	}
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int addr_push(struct mx_addr **v, size_t *n, const struct dns_rr *rr)
{
	struct mx_addr *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -1;
	*v = nv;
	if (rr->addr_len == 4)
		mx_addr_set4(&nv[*n], rr->addr);
	else
		mx_addr_set6(&nv[*n], rr->addr);
	(*n)++;
	return 0;
}

/* names and prefs grow together so they stay parallel */
static int name_push(struct dns_tx *tx, const char *name, uint16_t pref)
{
	uint16_t *np = realloc(tx->prefs, (tx->n_names + 1) * sizeof(*np));
	if (!np)
		return -1;
	tx->prefs = np;
	np[tx->n_names] = pref;
	return strv_push(&tx->names, &tx->n_names, name);
}

static int glue_push(struct dns_tx *tx, const struct dns_rr *rr)
{
	char name[DNS_NAME_MAX];
	char **nn = realloc(tx->glue_names,
			    (tx->n_glue + 1) * sizeof(*tx->glue_names));
	if (!nn)
		return -1;
	tx->glue_names = nn;
	mx_lower(rr->name, name, sizeof(name));
	if (!(nn[tx->n_glue] = strdup(name)))
		return -1;
	/* addr_push advances n_glue, after the name is in place */
	if (addr_push(&tx->glue, &tx->n_glue, rr) != 0) {
		free(nn[tx->n_glue]);
		return -1;
	}
	return 0;
}

int dns_tx_mx_pref(const struct dns_tx *tx, const char *host)
{
	for (size_t i = 0; i < tx->n_names; i++)
		if (!strcmp(tx->names[i], host))
			return tx->prefs[i];
	return -1;
}

const char *dns_tx_glue_host(const struct dns_tx *tx, const struct mx_addr *a)
{
	for (size_t i = 0; i < tx->n_glue; i++)
		if (mx_addr_eq(&tx->glue[i], a))
			return tx->glue_names[i];
	return NULL;
}

static void tx_fill_response(struct dt_table *t, struct dns_tx *tx,
			     const struct dns_msg *m, double ts)
{
	struct keybuf k;
	char tb[16], name[DNS_NAME_MAX];

	tx->has_response = true;
	tx->response_t = ts;
	tx->rcode = m->rcode;
	tx->tc = m->tc;
	for (size_t i = 0; i < m->n_an; i++) {
		const struct dns_rr *rr = &m->an[i];
		char line[DNS_NAME_MAX + DNS_RDATA_TEXT + 32];
		if (rr->type == tx->qtype)
			snprintf(line, sizeof(line), "%s", rr->data);
		else
			snprintf(line, sizeof(line), "%s %s",
				 dns_type_name(rr->type, tb), rr->data);
		strv_push(&tx->answers, &tx->n_answers, line);
		if (rr->addr_len) {
			addr_push(&tx->addrs, &tx->n_addrs, rr);
			key_addr(&k, K_ADDR, &tx->addrs[tx->n_addrs - 1]);
			node_add(t, tx, &k);
		} else if (rr->target[0]) {
			mx_lower(rr->target, name, sizeof(name));
			name_push(tx, name, rr->type == DNS_T_MX ? rr->pref : 0);
			if (rr->type == DNS_T_MX) {
				key_name(&k, K_MXNAME, name);
				node_add(t, tx, &k);
			} else if (rr->type == DNS_T_PTR) {
				key_name(&k, K_PTR_TARGET, name);
				node_add(t, tx, &k);
			}
		}
	}
	if (m->ancount > m->n_an) { /* kept only DNS_MAX_RRS, or the capture cut the message: say so */
		char line[64];
		snprintf(line, sizeof(line), "(+%u more records not shown)",
			 (unsigned)(m->ancount - m->n_an));
		strv_push(&tx->answers, &tx->n_answers, line);
	}
	/* MX glue: addresses of the exchanges in the additional section */
	if (tx->qtype == DNS_T_MX) {
		for (size_t i = 0; i < m->n_ar; i++) {
			if (!m->ar[i].addr_len)
				continue;
			if (glue_push(tx, &m->ar[i]) != 0)
				continue;
			key_addr(&k, K_ADDR, &tx->glue[tx->n_glue - 1]);
			node_add(t, tx, &k);
		}
	}
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

struct dns_tx *dt_message(struct dt_table *t, const struct dns_msg *m,
			  const struct mx_endpoint *src,
			  const struct mx_endpoint *dst, bool tcp, double ts)
{
	const struct mx_endpoint *asker = m->qr ? dst : src;
	const struct mx_endpoint *resolver = m->qr ? src : dst;
	struct find_open f = {NULL};
	struct keybuf k;
	struct dns_tx *tx;

	if (!m->has_question)
		return NULL;
	key_match(&k, asker, resolver, tcp, m->id, m->qtype, m->qname);
	visit(t, &k, find_unanswered, &f);
	if (!m->qr) {
		if (f.tx) { /* same id, same question, still open: a resend */
			f.tx->retransmissions++;
			f.tx->last_query_t = ts;
			return f.tx;
		}
		tx = tx_new(t, m, asker, resolver, tcp);
		if (!tx)
			return NULL;
		tx->has_query = true;
		tx->query_t = tx->last_query_t = ts;
		tx_index_question(t, tx);
	} else {
		if (!f.tx) {
			visit(t, &k, find_any, &f);
			if (f.tx) /* a duplicate response */
				return f.tx;
			tx = tx_new(t, m, asker, resolver, tcp);
			if (!tx)
				return NULL;
			tx_index_question(t, tx);
		} else {
			tx = f.tx;
		}
		tx_fill_response(t, tx, m, ts);
	}
	while (t->st.live > t->cfg.max_tx && t->window.head) {
		t->st.evicted++;
		tx_expire(t, oldest_tx(t));
	}
	return tx->in_window ? tx : NULL;
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
	if (t->cfg.max_tx < 1) /* the newest must survive its own insertion */
		t->cfg.max_tx = 1;
	nb = mx_hash_buckets(t->cfg.max_tx * 2, 1024, (size_t)1 << 24);
	t->nbuckets = nb;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets) {
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
	free(t->buckets);
	free(t);
}

void dt_by_question(struct dt_table *t, const char *qname, uint16_t qtype,
		    dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_question(&k, qname, qtype);
	visit(t, &k, fn, ctx);
}

void dt_by_answer_addr(struct dt_table *t, const struct mx_addr *a,
		       dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_addr(&k, K_ADDR, a);
	visit(t, &k, fn, ctx);
}

void dt_by_mx_name(struct dt_table *t, const char *name, dt_visit_fn fn,
		   void *ctx)
{
	struct keybuf k;
	key_name(&k, K_MXNAME, name);
	visit(t, &k, fn, ctx);
}

void dt_by_dnsbl_addr(struct dt_table *t, const struct mx_addr *a,
		      dt_visit_fn fn, void *ctx)
{
	struct keybuf k;
	key_addr(&k, K_DNSBL, a);
	visit(t, &k, fn, ctx);
}

void dt_by_asker(struct dt_table *t, const struct mx_addr *a, dt_visit_fn fn,
		 void *ctx)
{
	struct keybuf k;
	key_addr(&k, K_ASKER, a);
	visit(t, &k, fn, ctx);
}

void dt_by_ptr_target(struct dt_table *t, const char *name, dt_visit_fn fn,
		      void *ctx)
{
	struct keybuf k;
	key_name(&k, K_PTR_TARGET, name);
	visit(t, &k, fn, ctx);
}

void dt_get_stats(const struct dt_table *t, struct dt_stats *st)
{
	*st = t->st;
}

void dt_count_unparsable(struct dt_table *t)
{
	t->st.unparsable++;
}
