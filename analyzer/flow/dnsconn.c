/* dnsconn.c - DNS-over-TCP connection table; see dnsconn.h. */
#include "flow/dnsconn.h"

#include <stdlib.h>
#include <string.h>

#include "base/btable.h"
#include "dns.h"
#include "flow/tcpreasm.h"

#define DNS_PORT 53

struct dc_conn {
	struct bt_link link;                /* by last activity */
	struct mx_endpoint client, server; /* server: port 53 */
	struct tcpr_half half[2];           /* 0: client to server */
	struct dns_tcp_framer *framer[2];   /* allocated on first data */
	bool fin[2];
	double last;
	struct dc_table *t;
	/* per direction, the frames of the message being framed (-w) */
	uint64_t frames[2][DC_MSG_FRAMES];
	size_t n_frames[2];
};

struct dc_table {
	struct btable conns;
	double idle;
	dc_msg_fn fn;
	void *ctx;
	struct tcpr_budget hold; /* out-of-order bytes, all connections */
	uint64_t frame; /* the segment being read's frame, or 0 */
	int frame_dir;  /* ... and the direction it went */
	struct dc_stats st;
};

/* One direction of a connection, as the reassembler's context. */
struct dc_dir {
	struct dc_conn *c;
	int dir; /* 0: from the client */
};

static void note_frame(struct dc_conn *c, int dir);

static void on_msg(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	const struct dc_dir *d = ctx;
	struct dc_conn *c = d->c;
	const uint64_t *fr = c->frames[d->dir];
	size_t n = c->n_frames[d->dir];
	if (d->dir == 0)
		c->t->fn(c->t->ctx, msg, len, &c->client, &c->server, ts, fr, n);
	else
		c->t->fn(c->t->ctx, msg, len, &c->server, &c->client, ts, fr, n);
	/* the segment that ended it may carry the next one (pipelined
	 * queries, batched answers): on_data forgets it if not */
	c->n_frames[d->dir] = 0;
	note_frame(c, d->dir);
}

/* The frame being read carries bytes of direction dir's message. */
static void note_frame(struct dc_conn *c, int dir)
{
	size_t n = c->n_frames[dir];
	if (c->t->frame && dir == c->t->frame_dir && n < DC_MSG_FRAMES &&
	    (n == 0 || c->frames[dir][n - 1] != c->t->frame))
		c->frames[dir][c->n_frames[dir]++] = c->t->frame;
}

static void on_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct dc_dir *d = ctx;
	struct dns_tcp_framer **f = &d->c->framer[d->dir];
	if (!*f) {
		if (!(*f = malloc(sizeof(**f))))
			return;
		dns_tcp_init(*f);
	}
	note_frame(d->c, d->dir);
	dns_tcp_feed(*f, buf, len, ts, on_msg, d);
	if ((*f)->len_have == 0) /* no message begun: nothing carried */
		d->c->n_frames[d->dir] = 0;
}

static void on_gap(void *ctx, uint64_t missing, double ts)
{
	struct dc_dir *d = ctx;
	(void)missing;
	(void)ts;
	d->c->t->st.gaps++;
	d->c->n_frames[d->dir] = 0; /* the message they carried is lost */
	if (d->c->framer[d->dir])
		dns_tcp_gap(d->c->framer[d->dir]);
}

static const struct tcpr_ops dc_ops = {on_data, on_gap};

static uint64_t conn_hash(const struct mx_endpoint *client,
			  const struct mx_endpoint *server)
{
	return mx_hash_pair(client, server, 0xd4c);
}

static void conn_end(struct dc_table *t, struct dc_conn *c, double ts)
{
	bt_del(&t->conns, &c->link);
	t->frame = 0; /* what it held was not carried by the segment read */
	for (int dir = 0; dir < 2; dir++) {
		struct dc_dir d = {c, dir};
		tcpr_flush(&c->half[dir], ts, &dc_ops, &d);
		tcpr_free(&c->half[dir]);
		free(c->framer[dir]);
	}
	free(c);
}

static struct dc_conn *oldest_conn(const struct dc_table *t)
{
	return BT_ENTRY(bt_oldest(&t->conns), struct dc_conn, link);
}

struct dc_table *dc_new(size_t max_conns, double idle_s, dc_msg_fn fn,
			void *ctx)
{
	struct dc_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	/* twice the buckets of the cap: chains stay short */
	if (bt_init(&t->conns, max_conns, 2 * max_conns, 2 * max_conns) != 0) {
		free(t);
		return NULL;
	}
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
	bt_fini(&t->conns);
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
	struct bt_link *l;
	uint64_t h;
	*dir = g->dst.port == DNS_PORT ? 0 : 1;
	client = *dir == 0 ? &g->src : &g->dst;
	server = *dir == 0 ? &g->dst : &g->src;
	h = conn_hash(client, server);
	for (l = bt_chain(&t->conns, h); l; l = l->hnext) {
		struct dc_conn *c = BT_ENTRY(l, struct dc_conn, link);
		if (l->hash == h && mx_ep_eq(&c->client, client) &&
		    mx_ep_eq(&c->server, server))
			return c;
	}
	return NULL;
}

/* A connection for a segment that starts one (a SYN, or data: the
 * capture began inside it); NULL for anything else. */
static struct dc_conn *conn_new(struct dc_table *t, const struct dec_seg *g,
				int dir, double ts)
{
	struct bt_link *victim;
	struct dc_conn *c;
	if ((g->flags & DEC_TH_RST) || (!(g->flags & DEC_TH_SYN) && g->len == 0))
		return NULL; /* nothing to reassemble yet */
	if ((victim = bt_victim(&t->conns)))
		conn_end(t, BT_ENTRY(victim, struct dc_conn, link), ts);
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	c->t = t;
	c->half[0].budget = c->half[1].budget = &t->hold;
	c->client = dir == 0 ? g->src : g->dst;
	c->server = dir == 0 ? g->dst : g->src;
	bt_add(&t->conns, &c->link, conn_hash(&c->client, &c->server));
	t->st.connections++;
	return c;
}

void dc_segment(struct dc_table *t, const struct dec_seg *g, double ts,
		uint64_t frame)
{
	int dir = 0;
	struct dc_conn *c = find(t, g, &dir);
	struct dc_dir snd, rcv;

	if (c)
		bt_touch(&t->conns, &c->link);
	else if (!(c = conn_new(t, g, dir, ts)))
		return;
	t->frame = frame;
	t->frame_dir = dir;
	c->last = ts;
	if (g->flags & DEC_TH_RST) {
		conn_end(t, c, ts);
		return;
	}
	snd = (struct dc_dir){c, dir};
	rcv = (struct dc_dir){c, !dir};
	tcpr_conn_segment(c->half, dir, g->flags & DEC_TH_SYN,
			  g->flags & DEC_TH_ACK, g->flags & DEC_TH_FIN, g->seq,
			  g->ack, g->payload, g->len, g->wire_len, ts, &dc_ops,
			  &snd, &rcv);
	if (g->flags & DEC_TH_FIN)
		c->fin[dir] = true;
	if (c->fin[0] && c->fin[1])
		conn_end(t, c, ts);
}

void dc_get_stats(const struct dc_table *t, struct dc_stats *st)
{
	*st = t->st;
	st->evicted = t->conns.evicted;
}
