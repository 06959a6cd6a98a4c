/* dnsconn.c - DNS-over-TCP connection table; see dnsconn.h. */
#include "flow/dnsconn.h"

#include <stdlib.h>
#include <string.h>

#include "base/dlist.h"
#include "dns.h"
#include "flow/tcpreasm.h"

#define DNS_PORT 53
#define DC_BUCKETS 2048 /* power of two, twice the usual cap */

struct dc_conn {
	struct mx_endpoint client, server; /* server: port 53 */
	struct tcpr_half half[2];           /* 0: client to server */
	struct dns_tcp_framer *framer[2];   /* allocated on first data */
	bool fin[2];
	double last;
	struct dlist_link lru;              /* by last activity */
	struct dc_conn *hnext;              /* hash chain */
	struct dc_table *t;
	int dir;                            /* direction being delivered */
};

struct dc_table {
	struct dc_conn *buckets[DC_BUCKETS];
	struct dlist lru; /* oldest activity first */
	size_t live, max;
	double idle;
	dc_msg_fn fn;
	void *ctx;
	struct tcpr_budget hold; /* out-of-order bytes, all connections */
	struct dc_stats st;
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct dc_conn *c = ctx;
	if (c->dir == 0)
		c->t->fn(c->t->ctx, msg, len, &c->client, &c->server, ts);
	else
		c->t->fn(c->t->ctx, msg, len, &c->server, &c->client, ts);
}

static void on_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct dc_conn *c = ctx;
	struct dns_tcp_framer **f = &c->framer[c->dir];
	if (!*f) {
		if (!(*f = malloc(sizeof(**f))))
			return;
		dns_tcp_init(*f);
	}
	dns_tcp_feed(*f, buf, len, ts, on_msg, c);
}

static void on_gap(void *ctx, uint64_t missing, double ts)
{
	struct dc_conn *c = ctx;
	(void)missing;
	(void)ts;
	c->t->st.gaps++;
	if (c->framer[c->dir])
		dns_tcp_gap(c->framer[c->dir]);
}

static const struct tcpr_ops dc_ops = {on_data, on_gap};

static struct dc_conn *oldest_conn(const struct dc_table *t)
{
	return DLIST_ENTRY(t->lru.head, struct dc_conn, lru);
}

static struct dc_conn **bucket(struct dc_table *t,
			       const struct mx_endpoint *client,
			       const struct mx_endpoint *server)
{
	return &t->buckets[mx_hash_pair(client, server, 0xd4c) &
			   (DC_BUCKETS - 1)];
}

static void conn_end(struct dc_table *t, struct dc_conn *c, double ts)
{
	struct dc_conn **pp = bucket(t, &c->client, &c->server);
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	for (c->dir = 0; c->dir < 2; c->dir++) {
		tcpr_flush(&c->half[c->dir], ts, &dc_ops, c);
		tcpr_free(&c->half[c->dir]);
		free(c->framer[c->dir]);
	}
	dlist_unlink(&t->lru, &c->lru);
	t->live--;
	free(c);
}

struct dc_table *dc_new(size_t max_conns, double idle_s, dc_msg_fn fn,
			void *ctx)
{
	struct dc_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max = max_conns ? max_conns : 1;
	t->hold.limit = 4u << 20;
	t->idle = idle_s;
	t->fn = fn;
	t->ctx = ctx;
	return t;
}

void dc_free(struct dc_table *t)
{
	struct dc_conn *c;
	if (!t)
		return;
	while ((c = oldest_conn(t)))
		conn_end(t, c, c->last);
	free(t);
}

void dc_expire(struct dc_table *t, double now)
{
	struct dc_conn *c;
	while ((c = oldest_conn(t)) && c->last + t->idle < now)
		conn_end(t, c, now);
}

/* The server is the side on port 53 (the destination if both are), so a
 * segment's direction is known before the look-up. */
static struct dc_conn *find(struct dc_table *t, const struct dec_seg *g,
			    int *dir)
{
	const struct mx_endpoint *client, *server;
	struct dc_conn *c;
	*dir = g->dst.port == DNS_PORT ? 0 : 1;
	client = *dir == 0 ? &g->src : &g->dst;
	server = *dir == 0 ? &g->dst : &g->src;
	for (c = *bucket(t, client, server); c; c = c->hnext)
		if (mx_ep_eq(&c->client, client) && mx_ep_eq(&c->server, server))
			return c;
	return NULL;
}

void dc_segment(struct dc_table *t, const struct dec_seg *g, double ts)
{
	int dir = 0;
	struct dc_conn *c = find(t, g, &dir);
	uint32_t seq = g->seq;

	if (!c) {
		if ((g->flags & DEC_TH_RST) ||
		    (!(g->flags & DEC_TH_SYN) && g->len == 0))
			return; /* nothing to reassemble yet */
		if (t->live >= t->max) {
			t->st.evicted++;
			conn_end(t, oldest_conn(t), ts);
		}
		struct dc_conn **b;
		if (!(c = calloc(1, sizeof(*c))))
			return;
		c->t = t;
		c->half[0].budget = c->half[1].budget = &t->hold;
		c->client = dir == 0 ? g->src : g->dst;
		c->server = dir == 0 ? g->dst : g->src;
		b = bucket(t, &c->client, &c->server);
		c->hnext = *b;
		*b = c;
		dlist_append(&t->lru, &c->lru);
		t->live++;
		t->st.connections++;
	} else {
		dlist_unlink(&t->lru, &c->lru);
		dlist_append(&t->lru, &c->lru);
	}
	c->last = ts;
	if (g->flags & DEC_TH_RST) {
		conn_end(t, c, ts);
		return;
	}
	if (g->flags & DEC_TH_SYN) {
		tcpr_syn(&c->half[dir], g->seq);
		seq++;
	}
	if (g->flags & DEC_TH_ACK) {
		c->dir = !dir;
		tcpr_ack(&c->half[!dir], g->ack, ts, &dc_ops, c);
	}
	c->dir = dir;
	tcpr_segment(&c->half[dir], seq, g->payload, g->len, g->wire_len,
		     g->flags & DEC_TH_FIN, ts, &dc_ops, c);
	if (g->flags & DEC_TH_FIN)
		c->fin[dir] = true;
	if (c->fin[0] && c->fin[1])
		conn_end(t, c, ts);
}

void dc_get_stats(const struct dc_table *t, struct dc_stats *st)
{
	*st = t->st;
}
