/* engine.c - packet dispatch, the session table (TCP flags per RFC 9293:
 * SYN, SYN-ACK, handshake ACK, FIN, RST), stream delivery to the SMTP
 * dissector, DNS over UDP and TCP, and the capture-time timers. */
#include "flow/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "flow/dnsconn.h"
#include "model/dnstrack.h"
#include "base/heap.h"
#include "capture/ipfrag.h"
#include "model/session.h"
#include "flow/tcpreasm.h"

#define TH_FIN DEC_TH_FIN
#define TH_SYN DEC_TH_SYN
#define TH_RST DEC_TH_RST
#define TH_ACK DEC_TH_ACK

#define DNS_PORT 53
#define MAX_DNS_TCP_CONNS 1024
#define DNS_TCP_IDLE_S 60.0
/* IP fragments: incomplete datagrams held at once, and their memory;
 * lifetimes as Linux' ipfrag_time and RFC 8200 */
#define MAX_FRAG_DATAGRAMS 4096
#define MAX_FRAG_BYTES (16u << 20)
#define FRAG_TIMEOUT4_S 30.0
#define FRAG_TIMEOUT6_S 60.0

struct engine {
	struct engine_config cfg;
	struct flow_hooks hooks;
	struct dt_table *dns; /* borrowed */
	bool finished;
	struct dc_table *dns_tcp;
	struct dns_msg *msg; /* scratch for dns_parse, allocated once */

	struct session **buckets;
	size_t nbuckets;
	size_t live;
	/* a session is on one of the two, through the same link */
	struct dlist idle;    /* live, oldest activity first */
	struct dlist closing; /* over, by close time, awaiting the grace */
	uint64_t seq;

	struct tcpr_budget hold; /* out-of-order bytes held, all sessions */

	/* reported sessions, cleared, for the next ones (through hnext) */
	struct session *pool;
	size_t n_pool;

	double now;
	double next_tick;
	struct engine_stats st;
};

/* Out-of-order data held across all sessions; beyond it holes count as
 * lost at once. */
#define HOLD_BUDGET (32u << 20)
/* Reported session records kept for reuse: a busy site reports hundreds
 * a second and starts as many, so a record and its buffers go round
 * without malloc; beyond this many spare ones they are freed. */
#define SESS_POOL_MAX 4096

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->smtp_ports[0] = 25;
	c->n_smtp_ports = 1;
	c->grace_s = 10.0;
	c->idle_timeout_s = 600.0;
	c->dns_window_s = 600.0;
	/* measured with scripts/hostile.py: a SYN flood or this many idle
	 * sessions, and a DNS flood, each stay well under 256 MB */
	c->max_sessions = 40000;
	c->max_dns = 100000;
}

static bool is_smtp_port(const struct engine *e, uint16_t p)
{
	for (size_t i = 0; i < e->cfg.n_smtp_ports; i++)
		if (e->cfg.smtp_ports[i] == p)
			return true;
	return false;
}

/* ---- session table ---- */

/* Both directions of a connection hash alike (the endpoints in a fixed
 * order), so one walk finds a session from either side's packet. */
static size_t sess_bucket(const struct engine *e, const struct mx_endpoint *a,
			  const struct mx_endpoint *b)
{
	int c = memcmp(a->ip.a, b->ip.a, 16);
	bool swap = c > 0 || (c == 0 && a->port > b->port);
	return (size_t)(mx_hash_pair(swap ? b : a, swap ? a : b, 0x5e55) &
			(e->nbuckets - 1));
}

/* The session of a packet from src to dst; *from_client tells the side. */
static struct session *sess_find(struct engine *e,
				 const struct mx_endpoint *src,
				 const struct mx_endpoint *dst, bool *from_client)
{
	struct session *x = e->buckets[sess_bucket(e, src, dst)];
	for (; x; x = x->hnext) {
		if (mx_ep_eq(&x->client, src) && mx_ep_eq(&x->server, dst)) {
			*from_client = true;
			return x;
		}
		if (mx_ep_eq(&x->client, dst) && mx_ep_eq(&x->server, src)) {
			*from_client = false;
			return x;
		}
	}
	return NULL;
}

static struct session *first_session(const struct dlist *l)
{
	return DLIST_ENTRY(l->head, struct session, lru);
}

static void hash_unlink(struct engine *e, struct session *s)
{
	struct session **pp = &e->buckets[sess_bucket(e, &s->client, &s->server)];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
}

/* ---- a session's byte streams ---- */

/* Context of one direction's delivery: the reassembler calls back with
 * bytes or a gap, which go to the SMTP dissector. */
struct sdir {
	struct engine *e;
	struct session *s;
	int dir; /* 0: from the client */
};

static void stream_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct sdir *d = ctx;
	struct session *s = d->s;
	bool had_banner = s->has_banner;
	if (!s->smtp && !sess_smtp_start(s))
		return;
	smtp_feed(s->smtp, d->dir ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT, buf,
		  len, ts, sess_on_smtp, s);
	if (!had_banner && s->has_banner && d->e->hooks.banner)
		d->e->hooks.banner(d->e->hooks.ctx, s);
}

static void stream_gap(void *ctx, uint64_t missing, double ts)
{
	struct sdir *d = ctx;
	struct session *s = d->s;
	struct tl_event *ev = sess_add_event(s, ts, EV_GAP,
					     d->dir ? ACTOR_SERVER : ACTOR_CLIENT);
	if (ev)
		ev->bytes = missing;
	s->missing[d->dir] += missing;
	d->e->st.tcp_gaps++;
	d->e->st.tcp_missing_bytes += missing;
	if (s->smtp)
		smtp_gap(s->smtp, d->dir ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT,
			 missing, ts, sess_on_smtp, s);
}

static const struct tcpr_ops stream_ops = {stream_data, stream_gap};

/* A session is over: complete its record, hand it on, reuse or free it. */
static void sess_report(struct engine *e, struct session *s,
			enum sess_close why)
{
	dlist_unlink(s->closing ? &e->closing : &e->idle, &s->lru);
	hash_unlink(e, s);
	e->live--;

	for (int dir = 0; dir < 2; dir++) { /* what was held out of order */
		struct sdir d = {e, s, dir};
		tcpr_flush(&s->half[dir], s->last, &stream_ops, &d);
	}
	/* bytes each side sent, once: retransmissions are not counted */
	s->client_bytes = s->half[0].delivered + s->half[0].missing;
	s->server_bytes = s->half[1].delivered + s->half[1].missing;
	if (s->smtp)
		smtp_finish(s->smtp, sess_on_smtp, s);
	if (s->close == CLOSE_NONE) {
		s->close = why;
		s->close_t = why == CLOSE_TIMEOUT && e->now > s->last ? e->now
								     : s->last;
		if (why == CLOSE_TIMEOUT) {
			/* the side that went silent: the server while it owes
			 * the greeting or a reply, else the client */
			struct tl_event *ev = sess_add_event(
				s, s->close_t, EV_TIMEOUT, ACTOR_CLIENT);
			if (ev && s->has_syn_ack &&
			    (!s->has_banner || s->n_unanswered))
				ev->actor = ACTOR_SERVER;
		}
	}
	if (e->hooks.session_done)
		e->hooks.session_done(e->hooks.ctx, s);
	if (e->n_pool < SESS_POOL_MAX) {
		sess_clear(s);
		s->hnext = e->pool;
		e->pool = s;
		e->n_pool++;
	} else {
		sess_free(s);
	}
}

static struct session *sess_create(struct engine *e,
				   const struct mx_endpoint *c,
				   const struct mx_endpoint *srv, double ts)
{
	struct session *s;
	size_t b;
	if (e->live >= e->cfg.max_sessions && e->idle.head) {
		e->st.sessions_evicted++;
		sess_report(e, first_session(&e->idle), CLOSE_TIMEOUT);
	}
	if ((s = e->pool)) { /* cleared when it went to the pool */
		e->pool = s->hnext;
		e->n_pool--;
		s->hnext = NULL;
	} else if (!(s = calloc(1, sizeof(*s)))) {
		return NULL;
	}
	s->seq = ++e->seq;
	snprintf(s->id, sizeof(s->id), "S%llu", (unsigned long long)s->seq);
	s->client = *c;
	s->server = *srv;
	s->start = s->last = ts;
	s->half[0].budget = s->half[1].budget = &e->hold;
	b = sess_bucket(e, c, srv);
	s->hnext = e->buckets[b];
	e->buckets[b] = s;
	dlist_append(&e->idle, &s->lru);
	e->live++;
	e->st.sessions++;
	if (e->hooks.session_start)
		e->hooks.session_start(e->hooks.ctx, s);
	return s;
}

/* Both sides closed, or a reset: report after the grace period. */
static void sess_closing(struct engine *e, struct session *s,
			 enum sess_close why, double ts)
{
	if (s->closing)
		return;
	s->close = why;
	s->close_t = ts;
	dlist_unlink(&e->idle, &s->lru);
	s->closing = true;
	dlist_append(&e->closing, &s->lru);
}

/* A decoded TCP segment and its capture time. */
struct tcp_seg {
	const struct dec_seg *d;
	double ts;
};

static void on_client_seg(struct engine *e, struct session *s,
			  const struct tcp_seg *g)
{
	struct tl_event *ev;
	if ((g->d->flags & TH_SYN) && !(g->d->flags & TH_ACK)) {
		s->syns++;
		if (s->syns == 1)
			s->client_isn = g->d->seq;
		s->syn_t = g->ts;
		ev = sess_add_event(s, g->ts, EV_SYN, ACTOR_CLIENT);
		if (ev)
			ev->retransmission = s->syns > 1;
		return;
	}
	if (g->d->flags & TH_RST) {
		sess_add_event(s, g->ts, EV_RST, ACTOR_CLIENT);
		sess_closing(e, s, CLOSE_RST_CLIENT, g->ts);
		return;
	}
	if (s->has_syn_ack && !s->has_ack && (g->d->flags & TH_ACK) &&
	    g->d->ack == s->server_isn + 1) {
		s->has_ack = true;
		s->ack_t = g->ts;
		sess_add_event(s, g->ts, EV_ACK, ACTOR_CLIENT);
	}
	if ((g->d->flags & TH_FIN) && !s->fin_client) {
		s->fin_client = true;
		s->fin_client_t = g->ts;
		sess_add_event(s, g->ts, EV_FIN, ACTOR_CLIENT);
		if (s->fin_server)
			sess_closing(e, s, CLOSE_FIN, g->ts);
	}
}

static void on_server_seg(struct engine *e, struct session *s,
			  const struct tcp_seg *g)
{
	struct tl_event *ev;
	if ((g->d->flags & TH_SYN) && (g->d->flags & TH_ACK)) {
		s->syn_acks++;
		if (!s->has_syn_ack) {
			s->has_syn_ack = true;
			s->syn_ack_t = g->ts;
			s->server_isn = g->d->seq;
		}
		ev = sess_add_event(s, g->ts, EV_SYN_ACK, ACTOR_SERVER);
		if (ev)
			ev->retransmission = s->syn_acks > 1;
		return;
	}
	if (g->d->flags & TH_RST) {
		sess_add_event(s, g->ts, EV_RST, ACTOR_SERVER);
		sess_closing(e, s, CLOSE_RST_SERVER, g->ts);
		return;
	}
	if ((g->d->flags & TH_FIN) && !s->fin_server) {
		s->fin_server = true;
		s->fin_server_t = g->ts;
		sess_add_event(s, g->ts, EV_FIN, ACTOR_SERVER);
		if (s->fin_client)
			sess_closing(e, s, CLOSE_FIN, g->ts);
	}
}

/* The bytes of a segment, in order, to the SMTP dissector; its ACK tells
 * the other direction what the receiver got. */
static void stream_seg(struct engine *e, struct session *s, bool from_client,
		       const struct tcp_seg *g)
{
	int dir = from_client ? 0 : 1;
	struct sdir snd = {e, s, dir}, rcv = {e, s, !dir};
	uint32_t seq = g->d->seq;

	if (g->d->flags & TH_RST)
		return;
	if (g->d->flags & TH_SYN) {
		tcpr_syn(&s->half[dir], g->d->seq);
		seq++;
	}
	if (g->d->flags & TH_ACK)
		tcpr_ack(&s->half[!dir], g->d->ack, g->ts, &stream_ops, &rcv);
	tcpr_segment(&s->half[dir], seq, g->d->payload, g->d->len,
		     g->d->wire_len, g->d->flags & TH_FIN, g->ts, &stream_ops,
		     &snd);
}

/* Every TCP segment to or from an SMTP port: the handshake, FIN and RST
 * times, connections never established, and streams whose start the
 * capture missed (the side on the SMTP port is the server). */
static void on_tcp_seg(struct engine *e, const struct tcp_seg *g)
{
	struct session *s;
	bool from_client = true;

	s = sess_find(e, &g->d->src, &g->d->dst, &from_client);
	if (s && from_client && (g->d->flags & TH_SYN) && !(g->d->flags & TH_ACK) &&
	    s->syns > 0 && g->d->seq != s->client_isn &&
	    (s->closing || s->has_ack)) {
		/* the port pair is reused by a new connection */
		sess_report(e, s, CLOSE_TIMEOUT);
		s = NULL;
	}
	if (!s) {
		bool syn = (g->d->flags & TH_SYN) && !(g->d->flags & (TH_ACK | TH_RST));
		if (syn && is_smtp_port(e, g->d->dst.port)) {
			s = sess_create(e, &g->d->src, &g->d->dst, g->ts);
			from_client = true;
		} else if (!(g->d->flags & (TH_SYN | TH_RST)) && g->d->wire_len > 0) {
			/* the capture began inside this connection */
			from_client = is_smtp_port(e, g->d->dst.port);
			s = from_client ? sess_create(e, &g->d->src, &g->d->dst, g->ts)
					: sess_create(e, &g->d->dst, &g->d->src, g->ts);
			if (s) {
				s->partial = true;
				e->st.partial_sessions++;
			}
		}
		if (!s)
			return;
	}
	s->last = g->ts;
	if (!s->closing) { /* keep the idle list ordered by activity */
		dlist_unlink(&e->idle, &s->lru);
		dlist_append(&e->idle, &s->lru);
	}
	if (from_client)
		on_client_seg(e, s, g);
	else
		on_server_seg(e, s, g);
	stream_seg(e, s, from_client, g);
}

/* ---- DNS ---- */

/* cut: the capture's snaplen kept only len bytes of the message */
static void dns_message(struct engine *e, const uint8_t *buf, size_t len,
			const struct mx_endpoint *src,
			const struct mx_endpoint *dst, bool tcp, bool cut,
			double ts)
{
	struct dns_tx *tx;
	if (dns_parse(buf, len, e->msg) != DX_OK) {
		dt_count_unparsable(e->dns);
		return;
	}
	tx = dt_message(e->dns, e->msg, src, dst, tcp, ts);
	if (tx && cut && e->msg->qr)
		tx->capture_cut = true;
}

static void on_dns_tcp_msg(void *ctx, const uint8_t *msg, size_t len,
			   const struct mx_endpoint *src,
			   const struct mx_endpoint *dst, double ts)
{
	dns_message(ctx, msg, len, src, dst, true, false, ts);
}

/* ---- packets ---- */

static void on_segment(struct engine *e, const struct dec_seg *d, double ts)
{
	if (d->proto == 17) {
		if (d->src.port == DNS_PORT || d->dst.port == DNS_PORT)
			dns_message(e, d->payload, d->len, &d->src, &d->dst,
				    false, d->len < d->wire_len, ts);
		return;
	}
	if (is_smtp_port(e, d->src.port) || is_smtp_port(e, d->dst.port)) {
		struct tcp_seg g = {d, ts};
		on_tcp_seg(e, &g);
	} else if (d->src.port == DNS_PORT || d->dst.port == DNS_PORT) {
		dc_segment(e->dns_tcp, d, ts);
	}
}

/* An IPv4 or IPv6 packet rebuilt from fragments. */
static void on_defragmented(void *ctx, int ipver, const uint8_t *pkt,
			    size_t len, double ts)
{
	struct engine *e = ctx;
	struct dec_seg d;
	enum dec_result r = ipver == 6 ? dec_ipv6(pkt, len, &d)
				       : dec_ipv4(pkt, len, &d);
	if (r == DEC_OK)
		on_segment(e, &d, ts);
}

static const struct reasm_ops engine_reasm_ops = {on_defragmented};

static void tick(struct engine *e)
{
	struct session *s;
	while ((s = first_session(&e->closing)) &&
	       s->close_t + e->cfg.grace_s <= e->now)
		sess_report(e, s, CLOSE_FIN);
	while ((s = first_session(&e->idle)) &&
	       s->last + e->cfg.idle_timeout_s <= e->now)
		sess_report(e, s, CLOSE_TIMEOUT);
	dc_expire(e->dns_tcp, e->now);
	dt_expire(e->dns, e->now);
	if (e->hooks.tick)
		e->hooks.tick(e->hooks.ctx, e->now);
	reasm_expire(e->now);
}

void engine_packet(void *engine, const struct cap_packet *p)
{
	struct engine *e = engine;
	struct dec_seg d;
	enum dec_result r;

	if (p->ts > e->now)
		e->now = p->ts;
	r = p->ipver == 4 ? dec_ipv4(p->ip, p->caplen, &d)
			  : dec_ipv6(p->ip, p->caplen, &d);
	if (r == DEC_OK)
		on_segment(e, &d, p->ts);
	else if (r == DEC_FRAGMENT)
		reasm_feed(p->ts, &d);
	if (e->now >= e->next_tick) {
		tick(e);
		e->next_tick = e->now + 1.0;
	}
	heap_advise(); /* a compare, but after the heap grew */
}

void engine_idle(void *engine, double now)
{
	struct engine *e = engine;
	if (now > e->now)
		e->now = now;
	if (e->now >= e->next_tick) {
		tick(e);
		e->next_tick = e->now + 1.0;
	}
}

struct engine *engine_new(const struct engine_config *cfg,
			  struct dt_table *dns, const struct flow_hooks *hooks,
			  char errbuf[MX_ERRBUF_SIZE])
{
	struct engine *e = calloc(1, sizeof(*e));
	struct reasm_config rc;
	size_t nb;

	if (!e)
		goto oom;
	e->cfg = *cfg;
	e->hooks = *hooks;
	e->dns = dns;
	e->hold.limit = HOLD_BUDGET;
	nb = mx_hash_buckets(cfg->max_sessions, 1024, (size_t)1 << 24);
	e->nbuckets = nb;
	e->buckets = calloc(nb, sizeof(*e->buckets));
	e->msg = malloc(sizeof(*e->msg));
	e->dns_tcp = dc_new(MAX_DNS_TCP_CONNS, DNS_TCP_IDLE_S, on_dns_tcp_msg, e);
	if (!e->buckets || !e->msg || !e->dns_tcp)
		goto oom;
	rc.max_datagrams = MAX_FRAG_DATAGRAMS;
	rc.max_bytes = MAX_FRAG_BYTES;
	rc.timeout4_s = FRAG_TIMEOUT4_S;
	rc.timeout6_s = FRAG_TIMEOUT6_S;
	if (reasm_open(&rc, &engine_reasm_ops, e, errbuf) != 0) {
		engine_free(e);
		return NULL;
	}
	return e;
oom:
	snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
	engine_free(e);
	return NULL;
}

/* The capture is over: report every session left (the closing ones keep
 * the close they were given). */
static void report_remaining(struct engine *e)
{
	struct session *s;
	while ((s = first_session(&e->closing)))
		sess_report(e, s, CLOSE_FIN);
	while ((s = first_session(&e->idle)))
		sess_report(e, s, CLOSE_CAPTURE_END);
}

void engine_finish(struct engine *e)
{
	struct reasm_stats rs;
	struct dc_stats cs;
	reasm_shutdown();
	reasm_get_stats(&rs);
	e->st.frag = rs;
	/* DNS over TCP still open goes into the DNS table before the
	 * sessions that may tie it are reported */
	dc_get_stats(e->dns_tcp, &cs);
	dc_free(e->dns_tcp);
	e->dns_tcp = NULL;
	e->st.dns_tcp_connections = cs.connections;
	e->st.dns_tcp_evicted = cs.evicted;
	report_remaining(e);
	engine_get_stats(e, &e->st);
	e->finished = true;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	struct dt_stats ds;
	*st = e->st;
	if (e->finished)
		return; /* the counters were saved then */
	dt_get_stats(e->dns, &ds);
	reasm_get_stats(&st->frag);
	st->dns_transactions = ds.transactions;
	st->dns_evicted = ds.evicted;
	st->dns_unparsable = ds.unparsable;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	dc_free(e->dns_tcp);
	e->dns_tcp = NULL;
	if (!e->finished) {
		reasm_shutdown();
		report_remaining(e);
	}
	while (e->pool) {
		struct session *s = e->pool;
		e->pool = s->hnext;
		sess_free(s);
	}
	free(e->buckets);
	free(e->msg);
	free(e);
}
