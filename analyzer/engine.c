/* engine.c - packet dispatch (RFC 791/8200 headers, RFC 793 flags, RFC 768),
 * the session table and the capture-time timers. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "delivery.h"
#include "dnstrack.h"
#include "reader.h"
#include "reassembly.h"
#include "report.h"
#include "session.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

#define DNS_PORT 53
#define MAX_DNS_TCP_STREAMS 1024

/* A DNS-over-TCP connection: one framer per direction. */
struct dnstcp {
	int stream_kind; /* STREAM_DNS; must stay the first member */
	struct mx_endpoint client, server;
	struct dns_tcp_framer f[2];
	struct engine *e;
	int dir; /* direction being fed, for the framer callback */
	double ts;
};

struct engine {
	struct engine_config cfg;
	struct report *rep;
	struct dt_table *dns;
	struct dl_table *deliveries;
	struct dns_msg *msg; /* scratch for dns_parse, allocated once */

	struct session **buckets;
	size_t nbuckets;
	size_t live;
	struct session *lru_head, *lru_tail;   /* live, oldest activity first */
	struct session *close_head, *close_tail; /* closing, by close time */
	uint64_t seq;
	size_t dns_tcp_live;

	double now;
	double next_tick;
	struct engine_stats st;
};

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->smtp_ports[0] = 25;
	c->n_smtp_ports = 1;
	c->fnd.slow_banner = 2.0;
	c->fnd.slow_dns = 1.0;
	c->fnd.stall = 30.0;
	c->fnd.slow_reply = 2.0;
	c->grace_s = 10.0;
	c->idle_timeout_s = 600.0;
	c->dns_window_s = 600.0;
	c->max_sessions = 100000;
	c->max_dns = 200000;
}

static bool is_smtp_port(const struct engine *e, uint16_t p)
{
	for (size_t i = 0; i < e->cfg.n_smtp_ports; i++)
		if (e->cfg.smtp_ports[i] == p)
			return true;
	return false;
}

/* ---- session table ---- */

static size_t sess_bucket(const struct engine *e, const struct mx_endpoint *c,
			  const struct mx_endpoint *s)
{
	/* explicit bytes: struct padding must not reach the hash */
	uint8_t k[2 * 19];
	k[0] = c->ip.family;
	memcpy(k + 1, c->ip.a, 16);
	k[17] = (uint8_t)(c->port >> 8);
	k[18] = (uint8_t)c->port;
	k[19] = s->ip.family;
	memcpy(k + 20, s->ip.a, 16);
	k[36] = (uint8_t)(s->port >> 8);
	k[37] = (uint8_t)s->port;
	return (size_t)(mx_hash_bytes(k, sizeof(k), 0x5e55) &
			(e->nbuckets - 1));
}

static struct session *sess_find(struct engine *e, const struct mx_endpoint *c,
				 const struct mx_endpoint *s)
{
	struct session *x = e->buckets[sess_bucket(e, c, s)];
	for (; x; x = x->hnext)
		if (mx_ep_eq(&x->client, c) && mx_ep_eq(&x->server, s))
			return x;
	return NULL;
}

static void lru_unlink(struct engine *e, struct session *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else if (e->lru_head == s)
		e->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else if (e->lru_tail == s)
		e->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_append(struct engine *e, struct session *s)
{
	s->lru_prev = e->lru_tail;
	s->lru_next = NULL;
	if (e->lru_tail)
		e->lru_tail->lru_next = s;
	else
		e->lru_head = s;
	e->lru_tail = s;
}

/* The closing list reuses the lru links: a session is on one or the
 * other. */
static void close_unlink(struct engine *e, struct session *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else if (e->close_head == s)
		e->close_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else if (e->close_tail == s)
		e->close_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
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

/* Report a finished session and free it. */
static void sess_report(struct engine *e, struct session *s,
			enum sess_close why)
{
	struct finding_list fl = {0};
	double until;

	if (s->closing)
		close_unlink(e, s);
	else
		lru_unlink(e, s);
	hash_unlink(e, s);
	e->live--;

	if (s->stream) {
		reasm_detach(s->stream);
		s->stream = NULL;
	}
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
	until = s->has_banner ? s->banner_t : (s->close_t > s->last ? s->close_t : s->last);
	corr_server_side(e->dns, s, until);
	corr_envelope(e->dns, s, s->close_t > s->last ? s->close_t : s->last);

	findings_eval(s, &e->cfg.fnd, &fl);
	for (size_t i = 0; i < fl.n; i++)
		e->st.findings[fl.v[i].code]++;
	report_session(e->rep, s, &fl);
	findings_clear(&fl);
	sess_free(s);
}

static struct session *sess_create(struct engine *e,
				   const struct mx_endpoint *c,
				   const struct mx_endpoint *srv, double ts)
{
	struct session *s;
	size_t b;
	if (e->live >= e->cfg.max_sessions && e->lru_head) {
		e->st.sessions_evicted++;
		sess_report(e, e->lru_head, CLOSE_TIMEOUT);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->stream_kind = STREAM_SMTP;
	s->seq = ++e->seq;
	snprintf(s->id, sizeof(s->id), "S%llu", (unsigned long long)s->seq);
	s->client = *c;
	s->server = *srv;
	s->start = s->last = ts;
	b = sess_bucket(e, c, srv);
	s->hnext = e->buckets[b];
	e->buckets[b] = s;
	lru_append(e, s);
	e->live++;
	e->st.sessions++;
	corr_client_side(e->dns, s, e->cfg.dns_window_s);
	dl_session_start(e->deliveries, s);
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
	lru_unlink(e, s);
	s->closing = true;
	s->lru_prev = e->close_tail;
	if (e->close_tail)
		e->close_tail->lru_next = s;
	else
		e->close_head = s;
	e->close_tail = s;
}

struct tcp_seg {
	struct mx_endpoint src, dst;
	uint8_t flags;
	uint32_t seq, ack;
	size_t paylen;
	double ts;
};

static void on_client_seg(struct engine *e, struct session *s,
			  const struct tcp_seg *g)
{
	struct tl_event *ev;
	if ((g->flags & TH_SYN) && !(g->flags & TH_ACK)) {
		s->syns++;
		if (s->syns == 1)
			s->client_isn = g->seq;
		s->syn_t = g->ts;
		ev = sess_add_event(s, g->ts, EV_SYN, ACTOR_CLIENT);
		if (ev)
			ev->retransmission = s->syns > 1;
		return;
	}
	if (g->flags & TH_RST) {
		sess_add_event(s, g->ts, EV_RST, ACTOR_CLIENT);
		sess_closing(e, s, CLOSE_RST_CLIENT, g->ts);
		return;
	}
	if (s->has_syn_ack && !s->has_ack && (g->flags & TH_ACK) &&
	    g->ack == s->server_isn + 1) {
		s->has_ack = true;
		s->ack_t = g->ts;
		sess_add_event(s, g->ts, EV_ACK, ACTOR_CLIENT);
	}
	s->client_bytes += g->paylen;
	if ((g->flags & TH_FIN) && !s->fin_client) {
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
	if ((g->flags & TH_SYN) && (g->flags & TH_ACK)) {
		s->syn_acks++;
		if (!s->has_syn_ack) {
			s->has_syn_ack = true;
			s->syn_ack_t = g->ts;
			s->server_isn = g->seq;
		}
		ev = sess_add_event(s, g->ts, EV_SYN_ACK, ACTOR_SERVER);
		if (ev)
			ev->retransmission = s->syn_acks > 1;
		return;
	}
	if (g->flags & TH_RST) {
		sess_add_event(s, g->ts, EV_RST, ACTOR_SERVER);
		sess_closing(e, s, CLOSE_RST_SERVER, g->ts);
		return;
	}
	s->server_bytes += g->paylen;
	if ((g->flags & TH_FIN) && !s->fin_server) {
		s->fin_server = true;
		s->fin_server_t = g->ts;
		sess_add_event(s, g->ts, EV_FIN, ACTOR_SERVER);
		if (s->fin_client)
			sess_closing(e, s, CLOSE_FIN, g->ts);
	}
}

/* Every TCP segment to or from an SMTP port, before reassembly: the
 * handshake, FIN and RST times, and connections never established. */
static void on_tcp_seg(struct engine *e, const struct tcp_seg *g)
{
	struct session *s;
	bool from_client = true;

	s = sess_find(e, &g->src, &g->dst);
	if (!s) {
		s = sess_find(e, &g->dst, &g->src);
		from_client = false;
	}
	if (s && from_client && (g->flags & TH_SYN) && !(g->flags & TH_ACK) &&
	    s->syns > 0 && g->seq != s->client_isn &&
	    (s->closing || s->has_ack)) {
		/* the port pair is reused by a new connection */
		sess_report(e, s, CLOSE_TIMEOUT);
		s = NULL;
	}
	if (!s) {
		if (!(g->flags & TH_SYN) || (g->flags & (TH_ACK | TH_RST)) ||
		    !is_smtp_port(e, g->dst.port))
			return; /* mid-stream without its SYN: not tracked */
		s = sess_create(e, &g->src, &g->dst, g->ts);
		if (!s)
			return;
		from_client = true;
	}
	s->last = g->ts;
	if (!s->closing) { /* keep the idle list ordered by activity */
		lru_unlink(e, s);
		lru_append(e, s);
	}
	if (from_client)
		on_client_seg(e, s, g);
	else
		on_server_seg(e, s, g);
}

/* ---- DNS ---- */

static void dns_message(struct engine *e, const uint8_t *buf, size_t len,
			const struct mx_endpoint *src,
			const struct mx_endpoint *dst, bool tcp, double ts)
{
	if (dns_parse(buf, len, e->msg) != DX_OK) {
		dt_count_unparsable(e->dns);
		return;
	}
	dt_message(e->dns, e->msg, src, dst, tcp, ts);
}

static void dnstcp_msg(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct dnstcp *d = ctx;
	if (d->dir == 0)
		dns_message(d->e, msg, len, &d->client, &d->server, true, ts);
	else
		dns_message(d->e, msg, len, &d->server, &d->client, true, ts);
}

/* ---- transport decoding ---- */

static void endpoints(struct tcp_seg *g, int ver, const uint8_t *src,
		      const uint8_t *dst, uint16_t sp, uint16_t dp)
{
	if (ver == 4) {
		mx_addr_set4(&g->src.ip, src);
		mx_addr_set4(&g->dst.ip, dst);
	} else {
		mx_addr_set6(&g->src.ip, src);
		mx_addr_set6(&g->dst.ip, dst);
	}
	g->src.port = sp;
	g->dst.port = dp;
}

/* L4 of a whole (defragmented) packet: proto, payload r, addresses. */
static void transport(struct engine *e, int ver, uint8_t proto, struct rd *r,
		      const uint8_t *src, const uint8_t *dst, double ts)
{
	struct tcp_seg g;
	if (proto == 6) {
		uint16_t sp = rd_be16(r), dp = rd_be16(r);
		uint8_t off;
		g.seq = rd_be32(r);
		g.ack = rd_be32(r);
		off = rd_u8(r) >> 4;
		g.flags = rd_u8(r);
		if (r->err || off < 5)
			return;
		if (!is_smtp_port(e, sp) && !is_smtp_port(e, dp))
			return;
		rd_skip(r, (size_t)off * 4 - 14);
		g.paylen = rd_left(r);
		g.ts = ts;
		endpoints(&g, ver, src, dst, sp, dp);
		on_tcp_seg(e, &g);
		if (ver == 6 && g.paylen)
			e->st.ipv6_tcp_unreassembled++;
	} else if (proto == 17) {
		uint16_t sp = rd_be16(r), dp = rd_be16(r), ulen = rd_be16(r);
		size_t plen;
		rd_skip(r, 2);
		if (r->err || (sp != DNS_PORT && dp != DNS_PORT) || ulen < 8)
			return;
		plen = ulen - 8u;
		if (plen > rd_left(r))
			plen = rd_left(r); /* snaplen cut: parse what is there */
		endpoints(&g, ver, src, dst, sp, dp);
		dns_message(e, r->p, plen, &g.src, &g.dst, false, ts);
	}
}

/* Defragmented IPv4 from the reassembler. */
static void on_ipv4(void *ctx, const uint8_t *pkt, size_t len, double ts)
{
	struct engine *e = ctx;
	struct rd r;
	uint8_t vihl, proto, src[4], dst[4];
	rd_init(&r, pkt, len);
	vihl = rd_u8(&r);
	rd_skip(&r, 8);
	proto = rd_u8(&r);
	rd_skip(&r, 2);
	rd_bytes(&r, src, 4);
	rd_bytes(&r, dst, 4);
	if (r.err || (vihl & 0x0f) < 5)
		return;
	rd_skip(&r, (size_t)(vihl & 0x0f) * 4 - 20);
	transport(e, 4, proto, &r, src, dst, ts);
}

static void *on_stream_open(void *ctx, const struct mx_endpoint *c,
			    const struct mx_endpoint *srv, double ts,
			    struct reasm_stream *h)
{
	struct engine *e = ctx;
	struct session *s = sess_find(e, c, srv);
	(void)ts;
	if (s) {
		if (s->stream || s->closing)
			return NULL;
		s->stream = h;
		return s;
	}
	if (srv->port == DNS_PORT && e->dns_tcp_live < MAX_DNS_TCP_STREAMS) {
		struct dnstcp *d = malloc(sizeof(*d));
		if (!d)
			return NULL;
		d->stream_kind = STREAM_DNS;
		d->client = *c;
		d->server = *srv;
		d->e = e;
		dns_tcp_init(&d->f[0]);
		dns_tcp_init(&d->f[1]);
		e->dns_tcp_live++;
		e->st.dns_tcp_streams++;
		return d;
	}
	return NULL;
}

/* Both kinds of stream user start with their kind (C11 6.7.2.1p15). */
static bool user_is_dns(void *user)
{
	return *(const int *)user == STREAM_DNS;
}

static void on_stream_data(void *ctx, void *user, int from_server,
			   const uint8_t *buf, size_t len, double ts)
{
	struct engine *e = ctx;
	(void)e;
	if (user_is_dns(user)) {
		struct dnstcp *d = user;
		d->dir = from_server;
		dns_tcp_feed(&d->f[from_server], buf, len, ts, dnstcp_msg, d);
		return;
	}
	struct session *s = user;
	if (!s->smtp && !(s->smtp = smtp_new()))
		return;
	bool had_banner = s->has_banner;
	smtp_feed(s->smtp, from_server ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT,
		  buf, len, ts, sess_on_smtp, s);
	if (!had_banner && s->has_banner) /* tie the lookups it waited for */
		corr_server_side(e->dns, s, s->banner_t);
}

static void on_stream_close(void *ctx, void *user, enum reasm_close how,
			    double ts)
{
	struct engine *e = ctx;
	(void)how;
	(void)ts;
	if (user_is_dns(user)) {
		free(user);
		e->dns_tcp_live--;
		return;
	}
	((struct session *)user)->stream = NULL;
}

static const struct reasm_ops engine_reasm_ops = {
	.ip = on_ipv4,
	.open = on_stream_open,
	.data = on_stream_data,
	.close = on_stream_close,
};

/* ---- packets ---- */

static bool ipv4_wanted(const struct engine *e, const struct cap_packet *p)
{
	struct rd r;
	uint8_t vihl, proto;
	uint16_t frag, sp, dp;
	rd_init(&r, p->ip, p->caplen);
	vihl = rd_u8(&r);
	rd_skip(&r, 5);
	frag = rd_be16(&r);
	rd_skip(&r, 1);
	proto = rd_u8(&r);
	if (r.err || (vihl & 0x0f) < 5)
		return false;
	if (frag & 0x3fff) /* a fragment: ports may be in another piece */
		return true;
	if (proto != 6 && proto != 17)
		return false;
	rd_seek(&r, (size_t)(vihl & 0x0f) * 4);
	sp = rd_be16(&r);
	dp = rd_be16(&r);
	if (r.err)
		return false;
	if (proto == 17)
		return sp == DNS_PORT || dp == DNS_PORT;
	return sp == DNS_PORT || dp == DNS_PORT || is_smtp_port(e, sp) ||
	       is_smtp_port(e, dp);
}

static void on_ipv6(struct engine *e, const struct cap_packet *p)
{
	struct rd r;
	uint8_t nh, src[16], dst[16];
	uint16_t plen;
	rd_init(&r, p->ip, p->caplen);
	rd_skip(&r, 4);
	plen = rd_be16(&r);
	nh = rd_u8(&r);
	rd_skip(&r, 1);
	rd_bytes(&r, src, 16);
	rd_bytes(&r, dst, 16);
	if (r.err)
		return;
	if (rd_left(&r) > plen) /* Ethernet padding */
		r.end = r.p + plen;
	/* extension headers; a fragment we cannot reassemble yet ends it */
	for (int hops = 0; hops < 8 && !r.err; hops++) {
		if (nh == 0 || nh == 43 || nh == 60) {
			uint8_t next = rd_u8(&r), hlen = rd_u8(&r);
			rd_skip(&r, (size_t)hlen * 8 + 6);
			nh = next;
		} else if (nh == 44) {
			uint8_t next = rd_u8(&r);
			uint16_t off;
			rd_skip(&r, 1);
			off = rd_be16(&r);
			rd_skip(&r, 4);
			if (off & 0xfff9)
				return;
			nh = next;
		} else {
			break;
		}
	}
	if (!r.err)
		transport(e, 6, nh, &r, src, dst, p->ts);
}

static void tick(struct engine *e)
{
	while (e->close_head &&
	       e->close_head->close_t + e->cfg.grace_s <= e->now)
		sess_report(e, e->close_head, CLOSE_FIN);
	while (e->lru_head &&
	       e->lru_head->last + e->cfg.idle_timeout_s <= e->now)
		sess_report(e, e->lru_head, CLOSE_TIMEOUT);
	dt_expire(e->dns, e->now);
	dl_expire(e->deliveries, e->now);
}

void engine_packet(void *engine, const struct cap_packet *p)
{
	struct engine *e = engine;
	if (p->ts > e->now)
		e->now = p->ts;
	if (p->ipver == 4) {
		if (ipv4_wanted(e, p))
			reasm_feed_ipv4(p->hdr, p->ip, p->caplen, p->len);
	} else {
		on_ipv6(e, p);
	}
	if (e->now >= e->next_tick) {
		tick(e);
		e->next_tick = e->now + 1.0;
	}
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

static void on_dns_expired(void *ctx, struct dns_tx *tx)
{
	struct engine *e = ctx;
	report_dns(e->rep, tx);
}

struct engine *engine_new(const struct engine_config *cfg, struct report *rep,
			  char errbuf[MX_ERRBUF_SIZE])
{
	struct engine *e = calloc(1, sizeof(*e));
	struct dt_config dc;
	struct reasm_config rc;
	size_t nb = 1024;

	if (!e)
		goto oom;
	e->cfg = *cfg;
	e->rep = rep;
	while (nb < cfg->max_sessions && nb < ((size_t)1 << 24))
		nb <<= 1;
	e->nbuckets = nb;
	e->buckets = calloc(nb, sizeof(*e->buckets));
	e->msg = malloc(sizeof(*e->msg));
	dc.window_s = cfg->dns_window_s;
	dc.max_tx = cfg->max_dns;
	e->dns = dt_new(&dc, on_dns_expired, e);
	e->deliveries = dl_new(cfg->max_sessions, cfg->dns_window_s);
	if (!e->buckets || !e->msg || !e->dns || !e->deliveries)
		goto oom;
	rc.max_streams = (int)(cfg->max_sessions + MAX_DNS_TCP_STREAMS);
	rc.max_frag_hosts = 4096;
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

void engine_finish(struct engine *e)
{
	struct reasm_stats rs;
	/* deliver what the reassembler still holds, then close everything */
	reasm_shutdown();
	reasm_get_stats(&rs);
	e->st.ip_invalid = rs.ip_invalid;
	e->st.tcp_invalid = rs.tcp_invalid;
	e->st.streams_evicted = rs.streams_evicted;
	while (e->close_head)
		sess_report(e, e->close_head, CLOSE_FIN);
	while (e->lru_head)
		sess_report(e, e->lru_head, CLOSE_CAPTURE_END);
	engine_get_stats(e, &e->st);
	dt_free(e->dns); /* reports every transaction still in the window */
	e->dns = NULL;
	dl_free(e->deliveries);
	e->deliveries = NULL;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	struct dt_stats ds;
	*st = e->st;
	if (!e->dns)
		return; /* finished: the counters were saved then */
	dt_get_stats(e->dns, &ds);
	st->dns_transactions = ds.transactions;
	st->dns_evicted = ds.evicted;
	st->dns_unparsable = ds.unparsable;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->dns) {
		reasm_shutdown();
		while (e->close_head)
			sess_report(e, e->close_head, CLOSE_FIN);
		while (e->lru_head)
			sess_report(e, e->lru_head, CLOSE_CAPTURE_END);
		dt_free(e->dns);
	}
	dl_free(e->deliveries);
	free(e->buckets);
	free(e->msg);
	free(e);
}
