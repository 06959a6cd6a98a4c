/* smtpflow.c - see smtpflow.h. */
#include "flow/smtpflow.h"

#include <stdlib.h>
#include <string.h>

#include "base/btable.h"
#include "flow/tcpreasm.h"
#include "smtp.h"

#define TH_FIN DEC_TH_FIN
#define TH_SYN DEC_TH_SYN
#define TH_RST DEC_TH_RST
#define TH_ACK DEC_TH_ACK

/* Out-of-order data held across all sessions; beyond it holes count as
 * lost at once. */
#define HOLD_BUDGET (32u << 20)
/* Client bytes held between DATA and its reply, all sessions: 1,000
 * sessions' worth of SMTP_HOLD_MAX. */
#define SMTP_HOLD_BUDGET (16u << 20)
/* Connections kept for reuse: a busy site ends hundreds a second and
 * starts as many, so a connection and its buffers go round without
 * malloc; beyond this many spare ones they are freed. */
#define POOL_MAX 4096
/* Submissions (RFC 8314): TLS from the first byte. */
#define SMTPS_PORT 465

/* The record right after the table link: a look-up reads the hash and
 * then the endpoints.  It is the flow's own copy, with the TCP facts only
 * (sesstcp.c); the reported one is built from the operation stream. */
/* What each side's packets show of the other (one_sided_check). */
struct conn_sides {
	bool seen[2];      /* a packet of the side (0 client, 1 server) */
	bool ack0_set[2];  /* the side's first acknowledgment */
	uint32_t ack0[2];
	double ack0_t[2];
	uint8_t one_sided; /* ONE_SIDED_*, decided once */
};

struct smtp_conn {
	struct bt_link link; /* aged while live, on the closing list after */
	struct session rec;
	uint32_t slot; /* in the operation stream, for this connection's life */
	struct tcpr_half half[2]; /* 0 client->server, 1 back */
	struct conn_sides sides;
	struct smtp_state *smtp;
	struct smtp_state *smtp_spare; /* reset, from a previous session */
	struct smtp_conn *pool_next;
};

struct sf_table {
	struct sf_config cfg;
	struct fo_stream *ops;
	/* slots of freed connections, for new ones */
	uint32_t *free_slots;
	size_t n_free_slots, cap_free_slots;
	uint32_t next_slot;
	/* live connections, oldest activity first; those over wait out the
	 * grace on the closing list instead, by close time */
	struct btable conns;
	struct dlist closing;
	uint64_t seq;
	struct tcpr_budget hold; /* out-of-order bytes held, all sessions */
	struct smtp_budget smtp_hold; /* SMTP bytes held before a reply */
	struct smtp_conn *pool;
	size_t n_pool;
	double now;
	struct sf_stats st;
	/* -w: each session's frames go in its record's chain, from pool;
	 * frame is the one being read */
	struct fr_pool *frame_pool;
	const struct fr_frame *frame;
};

bool sf_is_smtp_port(const struct sf_table *t, uint16_t p)
{
	for (size_t i = 0; i < t->cfg.n_smtp_ports; i++)
		if (t->cfg.smtp_ports[i] == p)
			return true;
	return false;
}

/* ---- table ---- */

/* Both directions of a connection hash alike (the endpoints in a fixed
 * order), so one walk finds a session from either side's packet. */
static uint64_t conn_hash(const struct mx_endpoint *a,
			  const struct mx_endpoint *b)
{
	int c = memcmp(a->ip.a, b->ip.a, 16);
	bool swap = c > 0 || (c == 0 && a->port > b->port);
	return mx_hash_pair(swap ? b : a, swap ? a : b, 0x5e55);
}

/* The connection of a packet from src to dst; *from_client tells the
 * side. */
static struct smtp_conn *conn_find(struct sf_table *t,
				   const struct mx_endpoint *src,
				   const struct mx_endpoint *dst,
				   bool *from_client)
{
	uint64_t h = conn_hash(src, dst);
	struct bt_link *l = bt_chain(&t->conns, h);
	for (; l; l = l->hnext) {
		struct smtp_conn *x = BT_ENTRY(l, struct smtp_conn, link);
		if (l->hash != h)
			continue;
		if (mx_ep_eq(&x->rec.client, src) &&
		    mx_ep_eq(&x->rec.server, dst)) {
			*from_client = true;
			return x;
		}
		if (mx_ep_eq(&x->rec.client, dst) &&
		    mx_ep_eq(&x->rec.server, src)) {
			*from_client = false;
			return x;
		}
	}
	return NULL;
}

static struct smtp_conn *oldest_idle(const struct sf_table *t)
{
	return BT_ENTRY(bt_oldest(&t->conns), struct smtp_conn, link);
}

/* A live connection is aged (on the table's idle list) until it closes;
 * then it waits out the grace on the closing list. */
static bool is_closing(const struct smtp_conn *c)
{
	return !c->link.aged;
}

static struct smtp_conn *first_closing(const struct sf_table *t)
{
	return DLIST_ENTRY(t->closing.head, struct smtp_conn, link.age);
}

/* ---- a session's byte streams ---- */

/* Context of one direction's delivery: the reassembler calls back with
 * bytes or a gap, which go to the SMTP dissector. */
struct sdir {
	struct sf_table *t;
	struct smtp_conn *c;
	int dir; /* 0: from the client */
	bool in_feed;  /* inside smtp_feed */
	unsigned fed;  /* events from it */
};

/* The SMTP parser for the first stream bytes (a previous session's,
 * reset, when the connection is reused); NULL on OOM. */
static struct smtp_state *smtp_start(struct sf_table *t, struct smtp_conn *c)
{
	c->smtp = c->smtp_spare ? c->smtp_spare : smtp_new();
	c->smtp_spare = NULL;
	smtp_set_budget(c->smtp, &t->smtp_hold);
	if (c->smtp && c->rec.partial)
		smtp_no_greeting(c->smtp);
	if (c->smtp && c->rec.server.port == SMTPS_PORT)
		smtp_implicit_tls(c->smtp);
	return c->smtp;
}

/* The dissector's events go into the stream as they come. */
static void emit_smtp(void *ctx, const struct smtp_event *ev)
{
	struct sdir *d = ctx;
	d->fed += d->in_feed;
	fo_smtp(d->t->ops, d->c->slot, ev, d->in_feed);
}

static void stream_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct sdir *d = ctx;
	struct smtp_conn *c = d->c;
	if (!c->smtp && !smtp_start(d->t, c))
		return;
	d->in_feed = true;
	d->fed = 0;
	smtp_feed(c->smtp, d->dir ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT, buf,
		  len, ts, emit_smtp, d);
	d->in_feed = false;
	if (d->fed)
		fo_fed(d->t->ops, c->slot);
}

static void stream_gap(void *ctx, uint64_t missing, double ts)
{
	struct sdir *d = ctx;
	struct smtp_conn *c = d->c;
	fo_gap(d->t->ops, c->slot, d->dir, missing, ts);
	d->t->st.tcp_gaps++;
	d->t->st.tcp_missing_bytes += missing;
	if (c->smtp)
		smtp_gap(c->smtp, d->dir ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT,
			 missing, ts, emit_smtp, d);
}

static const struct tcpr_ops stream_ops = {stream_data, stream_gap};

/* ---- a session's life ---- */

/* The connection's flow state released, its record cleared, for the
 * next session (buffers and the parser kept). */
static void conn_clear(struct smtp_conn *c)
{
	struct smtp_state *spare = c->smtp ? c->smtp : c->smtp_spare;
	tcpr_free(&c->half[0]);
	tcpr_free(&c->half[1]);
	memset(c->half, 0, sizeof(c->half));
	memset(&c->sides, 0, sizeof(c->sides));
	if (spare)
		smtp_reset(spare);
	c->smtp = NULL;
	c->smtp_spare = spare;
	sess_clear(&c->rec);
}

/* The slot goes back for a new connection; when that cannot be kept,
 * the slot is just not reused. */
static void slot_put(struct sf_table *t, uint32_t slot)
{
	if (t->n_free_slots == t->cap_free_slots) {
		size_t n = t->cap_free_slots ? t->cap_free_slots * 2 : 256;
		uint32_t *v = realloc(t->free_slots, n * sizeof(*v));
		if (!v)
			return;
		t->free_slots = v;
		t->cap_free_slots = n;
	}
	t->free_slots[t->n_free_slots++] = slot;
}

static void conn_free(struct sf_table *t, struct smtp_conn *c)
{
	slot_put(t, c->slot);
	tcpr_free(&c->half[0]);
	tcpr_free(&c->half[1]);
	smtp_free(c->smtp); /* at most one of the two is set */
	smtp_free(c->smtp_spare);
	sess_release(&c->rec);
	free(c);
}

/* A session is over: what the flow still holds goes into the stream,
 * then its end; the connection is reused or freed. */
static void conn_over(struct sf_table *t, struct smtp_conn *c,
		      enum sess_close why)
{
	struct session *s = &c->rec;
	if (is_closing(c))
		dlist_unlink(&t->closing, &c->link.age);
	bt_del(&t->conns, &c->link);
	for (int dir = 0; dir < 2; dir++) { /* what was held out of order */
		struct sdir d = {t, c, dir, false, 0};
		tcpr_flush(&c->half[dir], s->last, &stream_ops, &d);
	}
	if (c->smtp) {
		struct sdir d = {t, c, 0, false, 0};
		smtp_finish(c->smtp, emit_smtp, &d);
	}
	/* bytes each side sent, once: retransmissions are not counted */
	fo_over(t->ops, c->slot, why, t->now, s->last,
		c->half[0].delivered + c->half[0].missing,
		c->half[1].delivered + c->half[1].missing, &s->frames);
	if (t->n_pool < POOL_MAX) {
		conn_clear(c);
		c->pool_next = t->pool;
		t->pool = c;
		t->n_pool++;
	} else {
		conn_free(t, c);
	}
}

static struct smtp_conn *conn_new(struct sf_table *t,
				  const struct mx_endpoint *client,
				  const struct mx_endpoint *srv, double ts,
				  bool partial)
{
	struct bt_link *victim = bt_victim(&t->conns);
	struct smtp_conn *c;
	struct session *s;
	if (victim) /* the least recently active one */
		conn_over(t, BT_ENTRY(victim, struct smtp_conn, link),
			  CLOSE_TIMEOUT);
	if ((c = t->pool)) { /* cleared when it went to the pool */
		t->pool = c->pool_next;
		t->n_pool--;
		c->pool_next = NULL;
	} else if (!(c = calloc(1, sizeof(*c)))) {
		return NULL;
	} else {
		c->slot = t->n_free_slots ? t->free_slots[--t->n_free_slots]
					  : t->next_slot++;
	}
	s = &c->rec;
	s->seq = ++t->seq;
	s->client = *client;
	s->server = *srv;
	s->start = s->last = ts;
	c->half[0].budget = c->half[1].budget = &t->hold;
	s->partial = partial;
	bt_add(&t->conns, &c->link, conn_hash(client, srv));
	t->st.sessions++;
	if (partial)
		t->st.partial_sessions++;
	fo_start(t->ops, c->slot, s->seq, client, srv, ts, partial,
		 t->frame ? t->frame->seq : 0);
	return c;
}

/* Both sides closed, or a reset (the record says since when): over after
 * the grace period. */
static void conn_closing(struct sf_table *t, struct smtp_conn *c)
{
	bt_unage(&t->conns, &c->link);
	dlist_append(&t->closing, &c->link.age);
}

/* A decoded TCP segment and its capture time. */
struct tcp_seg {
	const struct dec_seg *d;
	double ts;
};

/* The bytes of a segment, in order, to the SMTP dissector; its ACK tells
 * the other direction what the receiver got. */
static void stream_seg(struct sf_table *t, struct smtp_conn *c,
		       bool from_client, const struct tcp_seg *g)
{
	const struct dec_seg *d = g->d;
	int dir = from_client ? 0 : 1;
	struct sdir snd = {t, c, dir, false, 0}, rcv = {t, c, !dir, false, 0};

	if (d->flags & TH_RST)
		return;
	tcpr_conn_segment(c->half, dir, d->flags & TH_SYN, d->flags & TH_ACK,
			  d->flags & TH_FIN, d->seq, d->ack, d->payload, d->len,
			  d->wire_len, g->ts, &stream_ops, &snd, &rcv);
}

/* The connection a segment belongs to, new if it starts one (a SYN to an
 * SMTP port, a SYN-ACK from one, or data of a connection the capture began
 * inside: the side on the SMTP port is the server); NULL if none.  A SYN with a new ISN on
 * a pair whose session is closing or established ends that session. */
static struct smtp_conn *conn_for(struct sf_table *t, const struct tcp_seg *g,
				  bool *from_client)
{
	const struct dec_seg *d = g->d;
	bool syn = (d->flags & TH_SYN) && !(d->flags & TH_ACK);
	struct smtp_conn *c = conn_find(t, &d->src, &d->dst, from_client);

	if (c && *from_client && syn && c->rec.syns > 0 &&
	    d->seq != c->rec.client_isn && (is_closing(c) || c->rec.has_ack)) {
		/* the port pair is reused by a new connection */
		conn_over(t, c, CLOSE_TIMEOUT);
		c = NULL;
	}
	if (c)
		return c;
	if (syn && !(d->flags & TH_RST) && sf_is_smtp_port(t, d->dst.port)) {
		*from_client = true;
		return conn_new(t, &d->src, &d->dst, g->ts, false);
	}
	if ((d->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    !(d->flags & TH_RST) && sf_is_smtp_port(t, d->src.port)) {
		/* a SYN-ACK whose SYN the capture missed (or never had: a
		 * capture of the server's side only): the handshake is seen */
		*from_client = false;
		return conn_new(t, &d->dst, &d->src, g->ts, false);
	}
	if ((d->flags & (TH_SYN | TH_RST)) || d->wire_len == 0)
		return NULL;
	*from_client = sf_is_smtp_port(t, d->dst.port);
	return *from_client ? conn_new(t, &d->src, &d->dst, g->ts, true)
			    : conn_new(t, &d->dst, &d->src, g->ts, true);
}

/* A side acknowledges bytes of the other beyond its first acknowledgment,
 * and the capture has no packet of that other side at all: a one-sided
 * capture (an asymmetric mirror port).  The other stream then starts at
 * that first acknowledgment, so what it sent shows as gaps, and the
 * dissector reads the seen side without waiting for the unseen one.  The
 * handshake's ACK of a client that sent a SYN proves the SYN-ACK. */
static void one_sided_check(struct sf_table *t, struct smtp_conn *c,
			    bool from_client, const struct sess_seg *g,
			    bool data)
{
	struct conn_sides *x = &c->sides;
	int me = from_client ? 0 : 1;
	double handshake_t = -1;

	x->seen[me] = true;
	if (x->one_sided || !g->ack || g->syn || g->rst)
		return;
	if (!x->ack0_set[me]) {
		x->ack0_set[me] = true;
		x->ack0[me] = g->ackno;
		x->ack0_t[me] = g->ts;
		return;
	}
	/* only a segment with data of its own: a pure ACK may have been
	 * merged into the capture a little before the data it covers */
	if (!data || (int32_t)(g->ackno - x->ack0[me]) <= 0 || x->seen[!me])
		return;
	x->one_sided = from_client ? ONE_SIDED_CLIENT_ONLY
				   : ONE_SIDED_SERVER_ONLY;
	tcpr_start_at(&c->half[!me], x->ack0[me]);
	if (c->smtp || smtp_start(t, c))
		smtp_unseen(c->smtp,
			    from_client ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT);
	if (from_client && c->rec.syns > 0)
		handshake_t = x->ack0_t[0];
	fo_one_sided(t->ops, c->slot, x->one_sided, handshake_t);
}

void sf_segment(struct sf_table *t, const struct dec_seg *d, double ts,
		double now, const struct fr_frame *frame)
{
	struct tcp_seg g = {d, ts};
	struct sess_seg sg = {ts,
			      d->seq,
			      d->ack,
			      d->flags & TH_SYN,
			      d->flags & TH_ACK,
			      d->flags & TH_FIN,
			      d->flags & TH_RST};
	bool from_client = true, news;
	struct smtp_conn *c;

	t->now = now;
	t->frame = frame;
	if (!(c = conn_for(t, &g, &from_client)))
		return;
	if (frame && t->frame_pool)
		fr_chain_add(t->frame_pool, &c->rec.frames, frame,
			     FR_SESSION_MAX);
	bt_touch(&t->conns, &c->link); /* a closing one stays in place */
	/* only these can change the record's TCP facts (sesstcp.c) */
	news = sg.syn || sg.rst || sg.fin ||
	       (from_client && sg.ack && c->rec.has_syn_ack && !c->rec.has_ack);
	if (sess_tcp_segment(&c->rec, from_client, &sg, false))
		conn_closing(t, c);
	if (news)
		fo_segment(t->ops, c->slot, from_client, &sg);
	one_sided_check(t, c, from_client, &sg, d->wire_len > 0);
	stream_seg(t, c, from_client, &g);
}

void sf_expire(struct sf_table *t, double now)
{
	struct smtp_conn *c;
	t->now = now;
	while ((c = first_closing(t)) &&
	       c->rec.close_t + t->cfg.grace_s <= now)
		conn_over(t, c, CLOSE_FIN);
	while ((c = oldest_idle(t)) &&
	       c->rec.last + t->cfg.idle_timeout_s <= now)
		conn_over(t, c, CLOSE_TIMEOUT);
}

/* The closing ones keep the close they were given. */
void sf_finish(struct sf_table *t, double now)
{
	struct smtp_conn *c;
	if (now > t->now) /* the capture's last packet, whatever it was */
		t->now = now;
	while ((c = first_closing(t)))
		conn_over(t, c, CLOSE_FIN);
	while ((c = oldest_idle(t)))
		conn_over(t, c, CLOSE_CAPTURE_END);
}

struct sf_table *sf_new(const struct sf_config *cfg, struct fo_stream *ops)
{
	struct sf_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->ops = ops;
	t->hold.limit = HOLD_BUDGET;
	t->smtp_hold.limit = SMTP_HOLD_BUDGET;
	if (bt_init(&t->conns, cfg->max_sessions, 1024, (size_t)1 << 24) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

void sf_get_stats(const struct sf_table *t, struct sf_stats *st)
{
	*st = t->st;
	st->sessions_evicted = t->conns.evicted;
}

size_t sf_open(const struct sf_table *t)
{
	return t->conns.live;
}

void sf_keep_frames(struct sf_table *t, struct fr_pool *pool)
{
	t->frame_pool = pool;
}

void sf_free(struct sf_table *t)
{
	if (!t)
		return;
	sf_finish(t, t->now);
	while (t->pool) {
		struct smtp_conn *c = t->pool;
		t->pool = c->pool_next;
		conn_free(t, c);
	}
	bt_fini(&t->conns);
	free(t->free_slots);
	free(t);
}
