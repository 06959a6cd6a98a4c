/* engine.c - packet dispatch (SMTP ports to smtpflow.c, DNS over UDP to
 * the DNS table, DNS over TCP through dnsconn.c, fragments to the
 * defragmenter) and the capture-time timers. */
#include "flow/engine.h"
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "flow/dnsconn.h"
#include "flow/flowops.h"
#include "model/dnstrack.h"
#include "base/heap.h"
#include "capture/ipfrag.h"
#include "flow/smtpflow.h"


#define DNS_PORT 53
#define MAX_DNS_TCP_CONNS 1024
#define DNS_TCP_IDLE_S 60.0
/* IP fragments: incomplete datagrams held at once, and their memory;
 * lifetimes as Linux' ipfrag_time and RFC 8200 */
#define MAX_FRAG_DATAGRAMS 4096
#define MAX_FRAG_BYTES (16u << 20)
#define FRAG_TIMEOUT4_S 30.0
#define FRAG_TIMEOUT6_S 60.0
/* -w: the frames of this many datagrams in pieces, the latest ones, so
 * that a DNS message rebuilt from fragments names all of them */
#define FRAG_KEYS 64

struct frag_frames {
	struct mx_addr src, dst;
	uint32_t id;
	uint8_t proto;
	size_t n;
	uint64_t frames[DNS_TX_FRAMES];
};

struct engine {
	struct engine_config cfg;
	struct dt_table *dns; /* borrowed */
	bool finished;
	struct fo_stream *ops; /* to the records, the DNS table, the hooks */
	struct dc_table *dns_tcp;
	struct sf_table *smtp;

	double now;
	double next_tick;
	struct engine_stats st;

	/* the capture's counters: the inputs' frames read so far, and the
	 * live capture's, polled about once a second on this thread */
	const struct cap_reader *cr; /* engine_run's; NULL when fed directly */
	struct cap_totals cap;
	uint64_t dropped;       /* at the last poll */
	double last_poll;       /* wall time of it */
	double loss_from, loss_to; /* drops not yet told; loss_to 0: none */

	/* -w: frames are numbered and kept (frames.h); frame is the one
	 * being read, or NULL when none are kept */
	bool keep_frames;
	uint64_t frame_seq;
	struct fr_frame cur;
	const struct fr_frame *frame;
	/* the datagrams in pieces, and the one a fragment being read is of */
	struct frag_frames frags[FRAG_KEYS];
	size_t frag_next;
	struct frag_frames *frag;
};

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	/* relay, submission, the common alternative, and submissions (TLS
	 * from the first byte, RFC 8314) */
	c->smtp_ports[0] = 25;
	c->smtp_ports[1] = 587;
	c->smtp_ports[2] = 2525;
	c->smtp_ports[3] = 465;
	c->n_smtp_ports = 4;
	c->grace_s = 10.0;
	c->idle_timeout_s = 600.0;
	c->dns_window_s = 600.0;
	/* measured with scripts/hostile.py: a SYN flood or this many idle
	 * sessions, and a DNS flood, each stay well under 256 MB */
	c->max_sessions = 40000;
	c->max_dns = 100000;
}


/* ---- DNS ---- */

static void on_dns_tcp_msg(void *ctx, const uint8_t *msg, size_t len,
			   const struct mx_endpoint *src,
			   const struct mx_endpoint *dst, double ts,
			   const uint64_t *frames, size_t n)
{
	struct engine *e = ctx;
	fo_dns(e->ops, msg, len, src, dst, true, false, ts, frames, n);
}

/* -w: the numbers of the frames that carried the datagram of d (given to
 * fo_frame): the current one, or every fragment of a rebuilt datagram. */
static size_t dns_frames(struct engine *e, const uint64_t **frames)
{
	if (e->frag) {
		*frames = e->frag->frames;
		return e->frag->n;
	}
	if (!e->frame || !fo_frame(e->ops, e->frame))
		return 0;
	*frames = &e->frame->seq;
	return 1;
}

/* The entry of d's datagram: its own, else a free one, else the next in
 * turn gives way.  Keyed as the defragmenter keys them: IPv6 fragments
 * of one packet may name different next headers (RFC 8200 4.5). */
static struct frag_frames *frag_entry(struct engine *e,
				      const struct dec_seg *d)
{
	bool v4 = d->src.ip.family == 4;
	struct frag_frames *x, *free_one = NULL;
	for (size_t i = 0; i < FRAG_KEYS; i++) {
		x = &e->frags[i];
		if (!x->n) {
			free_one = free_one ? free_one : x;
			continue;
		}
		if (x->id == d->frag.id && (!v4 || x->proto == d->frag.proto) &&
		    mx_addr_eq(&x->src, &d->src.ip) &&
		    mx_addr_eq(&x->dst, &d->dst.ip))
			return x;
	}
	x = free_one ? free_one : &e->frags[e->frag_next++ % FRAG_KEYS];
	*x = (struct frag_frames){d->src.ip, d->dst.ip, d->frag.id,
				  d->frag.proto, 0, {0}};
	return x;
}

/* -w: a fragment's frame goes to the DNS frames (a DNS message may be
 * rebuilt from it) and is noted with its datagram's others; not one the
 * defragmenter will not take (cut by the snaplen, IPv4 other than TCP
 * or UDP). */
static void note_fragment(struct engine *e, const struct dec_seg *d)
{
	struct frag_frames *x;
	if (d->frag.cut || (d->src.ip.family == 4 && d->frag.proto != 6 &&
			    d->frag.proto != 17))
		return;
	x = frag_entry(e, d);
	if (fo_frame(e->ops, e->frame) && x->n < DNS_TX_FRAMES)
		x->frames[x->n++] = e->frame->seq;
	e->frag = x->n ? x : NULL;
}

/* ---- packets ---- */

/* A segment of a port not watched that looks like an SMTP greeting
 * ("220 ... ESMTP"): counted per source port, so the summary can say
 * which --smtp-port would show those sessions.  Only the first bytes of
 * segments that start with "220" are looked at. */
static void note_elsewhere(struct engine *e, const struct dec_seg *d)
{
	struct engine_stats *st = &e->st;
	struct rd r;
	uint32_t last4 = 0; /* the line's last four bytes, lower-cased */
	size_t i;
	bool smtp = false;
	uint8_t b;

	rd_init(&r, d->payload, d->len < 128 ? d->len : 128);
	if (rd_u8(&r) != '2' || rd_u8(&r) != '2' || rd_u8(&r) != '0' ||
	    ((b = rd_u8(&r)) != ' ' && b != '-') || r.err)
		return;
	while (!smtp && rd_left(&r) > 0 && (b = rd_u8(&r)) != '\n') {
		last4 = last4 << 8 | (uint8_t)(b | 0x20);
		smtp = last4 == ((uint32_t)'s' << 24 | 'm' << 16 | 't' << 8 | 'p');
	}
	if (!smtp)
		return;
	for (i = 0; i < st->n_elsewhere; i++)
		if (st->elsewhere[i].port == d->src.port)
			break;
	if (i == st->n_elsewhere) {
		if (i == ENGINE_MAX_ELSEWHERE)
			return;
		st->elsewhere[i].port = d->src.port;
		st->n_elsewhere++;
	}
	st->elsewhere[i].greetings++;
}

static void on_segment(struct engine *e, const struct dec_seg *d, double ts)
{
	const uint64_t *frames = NULL;
	size_t n;
	if (d->proto == 17) {
		if (d->src.port != DNS_PORT && d->dst.port != DNS_PORT)
			return;
		n = dns_frames(e, &frames);
		fo_dns(e->ops, d->payload, d->len, &d->src, &d->dst, false,
		       d->len < d->wire_len, ts, frames, n);
		return;
	}
	if (sf_is_smtp_port(e->smtp, d->src.port) ||
	    sf_is_smtp_port(e->smtp, d->dst.port)) {
		sf_segment(e->smtp, d, ts, e->now, e->frame);
	} else if (d->src.port == DNS_PORT || d->dst.port == DNS_PORT) {
		/* segments with bytes may carry a message (-w) */
		n = d->len > 0 ? dns_frames(e, &frames) : 0;
		dc_segment(e->dns_tcp, d, ts, n ? frames[n - 1] : 0);
	} else if (d->len > 0) {
		note_elsewhere(e, d);
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
	if (e->frag) /* rebuilt: its frames are named */
		e->frag->n = 0;
}

static const struct reasm_ops engine_reasm_ops = {on_defragmented};

/* The counters to the analysis side (stats lines, and the times of
 * drops, which mark the sessions open then). */
static void emit_capstats(struct engine *e)
{
	uint64_t frames = 0;
	for (size_t i = 0; e->cr && i < cap_ninputs(e->cr); i++)
		frames += cap_input(e->cr, i)->packets;
	struct flow_capstats cs = {
		.now = e->now,
		.packets = frames,
		.sessions_open = sf_open(e->smtp),
		.live = e->cr && cap_is_live(e->cr),
		.received = e->cap.received,
		.dropped_kernel = e->cap.dropped_kernel,
		.dropped_iface = e->cap.dropped_iface,
		.loss_from = e->loss_from,
		.loss_to = e->loss_to,
	};
	fo_capstats(e->ops, &cs);
	e->loss_from = e->loss_to = 0;
}

void engine_capstats(void *engine, const struct cap_totals *t, double now)
{
	struct engine *e = engine;
	uint64_t dropped = t->dropped_kernel + t->dropped_iface;
	if (dropped > e->dropped) {
		/* lost somewhere since the last poll (or the start) */
		if (e->loss_to == 0)
			e->loss_from = e->last_poll;
		e->loss_to = now;
	}
	e->dropped = dropped;
	e->last_poll = now;
	e->cap = *t;
}

static void tick(struct engine *e)
{
	/* drops first: a session that ends in this tick is marked too */
	emit_capstats(e);
	sf_expire(e->smtp, e->now);
	dc_expire(e->dns_tcp, e->now);
	/* the DNS window, then the hooks' tick */
	fo_tick(e->ops, e->now, e->frame_seq + 1);
	fo_flush(e->ops); /* reports are due within a second or so */
	reasm_expire(e->now);
}

void engine_packet(void *engine, const struct cap_packet *p)
{
	struct engine *e = engine;
	struct dec_seg d;
	enum dec_result r;

	if (p->ts > e->now)
		e->now = p->ts;
	if (e->keep_frames) {
		e->cur = (struct fr_frame){++e->frame_seq, p->sec, p->usec,
					   (uint32_t)p->frame_caplen,
					   (uint32_t)p->frame_len, p->frame};
		e->frame = &e->cur;
	}
	r = p->ipver == 4 ? dec_ipv4(p->ip, p->caplen, &d)
			  : dec_ipv6(p->ip, p->caplen, &d);
	if (r == DEC_OK)
		on_segment(e, &d, p->ts);
	else if (r == DEC_FRAGMENT) {
		if (e->frame)
			note_fragment(e, &d);
		reasm_feed(p->ts, &d);
		e->frag = NULL;
	}
	e->frame = NULL; /* timers end sessions and DNS connections */
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
	struct sf_config sc;

	if (!e)
		goto oom;
	e->cfg = *cfg;
	e->dns = dns;
	sc.smtp_ports = e->cfg.smtp_ports;
	sc.n_smtp_ports = cfg->n_smtp_ports;
	sc.grace_s = cfg->grace_s;
	sc.idle_timeout_s = cfg->idle_timeout_s;
	sc.max_sessions = cfg->max_sessions;
	if (!(e->ops = fo_new(dns, hooks)))
		goto oom;
	e->smtp = sf_new(&sc, e->ops);
	e->dns_tcp = dc_new(MAX_DNS_TCP_CONNS, DNS_TCP_IDLE_S, on_dns_tcp_msg, e);
	if (!e->smtp || !e->dns_tcp)
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

void engine_keep_frames(struct engine *e, struct fr_pool *pool,
			struct fr_dns *dns)
{
	e->keep_frames = true;
	sf_keep_frames(e->smtp, pool);
	fo_keep_frames(e->ops, pool, dns);
}

uint64_t engine_oldest_open_frame(const struct engine *e, double *start)
{
	return fo_oldest_open_frame(e->ops, start);
}

/* The flow side's counters. */
static void flow_stats(const struct engine *e, struct engine_stats *st)
{
	struct sf_stats ss;
	sf_get_stats(e->smtp, &ss);
	st->sessions = ss.sessions;
	st->sessions_evicted = ss.sessions_evicted;
	st->partial_sessions = ss.partial_sessions;
	st->tcp_gaps = ss.tcp_gaps;
	st->tcp_missing_bytes = ss.tcp_missing_bytes;
	reasm_get_stats(&st->frag);
}

/* On the flow side: what it says here is complete, and nothing reads the
 * DNS table, which may still be the other thread's. */
void engine_finish(struct engine *e)
{
	struct dc_stats cs;
	if (e->finished)
		return;
	reasm_shutdown();
	/* DNS over TCP still open goes into the DNS table before the
	 * sessions that may tie it are reported */
	dc_get_stats(e->dns_tcp, &cs);
	dc_free(e->dns_tcp);
	e->dns_tcp = NULL;
	e->st.dns_tcp_connections = cs.connections;
	e->st.dns_tcp_evicted = cs.evicted;
	emit_capstats(e); /* drops at the end mark the sessions still open */
	sf_finish(e->smtp, e->now);
	flow_stats(e, &e->st); /* reasm_get_stats works after shutdown */
	e->finished = true;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	struct dt_stats ds;
	*st = e->st;
	if (!e->finished) /* else they were saved then */
		flow_stats(e, st);
	dt_get_stats(e->dns, &ds);
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
	if (!e->finished)
		reasm_shutdown();
	sf_free(e->smtp); /* sessions still open are over first */
	fo_free(e->ops);
	free(e);
}

struct producer {
	struct engine *e;
	struct cap_reader *cr;
	bool progress;
	char *errbuf;
	int rc;
};

static void produce(void *arg)
{
	struct producer *p = arg;
	p->rc = cap_run(p->cr, engine_packet, engine_idle, p->e, p->progress,
			p->errbuf);
	engine_finish(p->e);
}

int engine_run(struct engine *e, struct cap_reader *cr, bool progress,
	       char errbuf[MX_ERRBUF_SIZE])
{
	struct producer p = {e, cr, progress, errbuf, 0};
	cap_set_stats_fn(cr, engine_capstats, e);
	e->cr = cr;
	if (fo_run_split(e->ops, produce, &p) != 0)
		produce(&p); /* no second thread: all on this one */
	return p.rc;
}
