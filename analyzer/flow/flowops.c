/* flowops.c - see flowops.h.  An operation is a header and a fixed part,
 * then its strings or message bytes, 8-aligned, written where it is
 * applied from: a scratch buffer applied at once, or the block being
 * filled for the other thread. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "flow/flowops.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/blockq.h"
#include "dns.h"
#include "flow/dnspack.h"

/* the largest operation: a parsed DNS message with all the records kept */
#define OP_MAX ((size_t)128 << 10)
#define BLOCK_SIZE ((size_t)256 << 10)
#define NBLOCKS 8
/* Released records kept with their buffers for the next sessions. */
#define POOL_MAX 4096

enum op_type { OP_START, OP_SEG, OP_FEED, OP_SMTP, OP_GAP, OP_OVER, OP_DNS,
	       OP_TICK, OP_ONE_SIDED, OP_CAPSTATS, OP_FRAME };

struct op_hdr {
	uint32_t size; /* all of it, 8-aligned */
	uint8_t type;
	uint8_t flag;  /* per type: partial, from_client, in a feed, dir, why,
			  tcp|cut */
	uint16_t spare;
	uint32_t slot;
	uint32_t spare2;
};

struct op_start {
	uint64_t seq;
	struct mx_endpoint client, server;
	double ts;
	uint64_t first_frame;
};

struct op_smtp {
	struct smtp_event ev; /* its strings follow, in this order */
	uint32_t nverb, nargs, ntext;
};

struct op_gap {
	uint64_t missing;
	double ts;
};

struct op_over {
	double now, last;
	uint64_t client_bytes, server_bytes;
	struct fr_chain frames; /* its chunks go with it */
};

struct op_dns {
	struct mx_endpoint src, dst;
	double ts;
	uint32_t packed;   /* bytes of the parsed message */
	uint32_t n_frames; /* its frames' numbers (-w) */
	/* the parsed message follows, packed (dnspack.h); then, 8-aligned,
	 * the n_frames numbers */
};

struct op_tick {
	double now;
	uint64_t next_frame;
};

#define DNS_TCP 1
#define DNS_CUT 2
#define DNS_BAD 4 /* not parsed: nothing follows */

struct fo_slot {
	struct session *s;
	/* the greeting came among the events of the bytes being fed: the
	 * banner hook runs when they are done */
	bool banner_due;
};

struct fo_stream {
	/* the applying side */
	struct dt_table *dns;
	struct flow_hooks hooks;
	struct dns_msg *msg; /* the message unpacked */
	struct fo_slot *slots;
	size_t nslots;
	struct session **spare;
	size_t nspare;
	/* -w: the frames' pool and the DNS frames; the records not yet over,
	 * oldest first; the first frame after the last tick */
	struct fr_pool *pool;
	struct fr_dns *dns_frames;
	struct dlist open;
	uint64_t tick_frame;
	double tick_t;
	/* the flow side: where the next operation goes */
	struct blockq *q; /* while split */
	uint8_t *blk;
	size_t used, cap;
	bool lost; /* the applying side quit: operations go nowhere */
	uint8_t *scratch;
	struct dns_msg *parsed; /* dns_parse's scratch */
};

/* ---- applying ---- */

static struct session *record_new(struct fo_stream *f, uint32_t slot)
{
	struct session *s;
	if (slot >= f->nslots) {
		size_t n = f->nslots ? f->nslots : 1024;
		struct fo_slot *v;
		while (n <= slot)
			n *= 2;
		if (!(v = realloc(f->slots, n * sizeof(*v))))
			return NULL;
		memset(v + f->nslots, 0, (n - f->nslots) * sizeof(*v));
		f->slots = v;
		f->nslots = n;
	}
	s = f->nspare ? f->spare[--f->nspare] : calloc(1, sizeof(*s));
	f->slots[slot].s = s;
	f->slots[slot].banner_due = false;
	return s;
}

static void record_release(struct fo_stream *f, uint32_t slot)
{
	struct session *s = f->slots[slot].s;
	f->slots[slot].s = NULL;
	dlist_unlink(&f->open, &s->open_link);
	if (f->pool)
		fr_chain_release(f->pool, &s->frames);
	if (f->nspare < POOL_MAX) {
		sess_clear(s);
		f->spare[f->nspare++] = s;
	} else {
		sess_free(s);
	}
}

static void apply_start(struct fo_stream *f, const struct op_hdr *h)
{
	const struct op_start *o = (const void *)(h + 1);
	struct session *s = record_new(f, h->slot);
	if (!s)
		return; /* out of memory: the session is not reported */
	s->seq = o->seq;
	snprintf(s->id, sizeof(s->id), "S%llu", (unsigned long long)o->seq);
	s->client = o->client;
	s->server = o->server;
	s->start = s->last = o->ts;
	s->first_frame = o->first_frame;
	if (f->pool)
		dlist_append(&f->open, &s->open_link);
	if (f->hooks.session_start)
		f->hooks.session_start(f->hooks.ctx, s);
	s->partial = h->flag;
}

static void apply_smtp(struct fo_slot *sl, const struct op_hdr *h)
{
	const struct op_smtp *o = (const void *)(h + 1);
	const char *p = (const char *)(o + 1);
	struct smtp_event ev = o->ev;
	bool had_banner = sl->s->has_banner;
	ev.verb = p;
	ev.args = p + o->nverb + 1;
	ev.text = ev.args + o->nargs + 1;
	sess_on_smtp(sl->s, &ev);
	if (!had_banner && sl->s->has_banner && h->flag)
		sl->banner_due = true;
}

static void apply_gap(struct session *s, const struct op_hdr *h)
{
	const struct op_gap *o = (const void *)(h + 1);
	struct tl_event *ev = sess_add_event(s, o->ts, EV_GAP,
					     h->flag ? ACTOR_SERVER : ACTOR_CLIENT);
	if (ev)
		ev->bytes = o->missing;
	s->missing[h->flag ? 1 : 0] += o->missing;
}

static void apply_one_sided(struct session *s, const struct op_hdr *h)
{
	double t = *(const double *)(h + 1);
	s->one_sided = h->flag;
	if (t >= 0 && !s->has_ack) { /* the handshake completed, unseen */
		s->has_ack = true;
		s->ack_t = t;
		sess_add_event(s, t, EV_ACK, ACTOR_CLIENT);
	}
}

static void apply_over(struct fo_stream *f, struct session *s,
		       const struct op_hdr *h)
{
	const struct op_over *o = (const void *)(h + 1);
	s->last = o->last;
	s->client_bytes = o->client_bytes;
	s->server_bytes = o->server_bytes;
	s->frames = o->frames;
	sess_end(s, (enum sess_close)h->flag, o->now);
	if (f->hooks.session_done)
		f->hooks.session_done(f->hooks.ctx, s);
	if (f->hooks.frames)
		f->hooks.frames(f->hooks.frames_ctx, s, o->now);
	record_release(f, h->slot);
}

static void apply_dns(struct fo_stream *f, const struct op_hdr *h)
{
	const struct op_dns *o = (const void *)(h + 1);
	struct dns_tx *tx;
	if (h->flag & DNS_BAD) {
		dt_count_unparsable(f->dns);
		return;
	}
	dnspack_read((const uint8_t *)(o + 1), f->msg);
	tx = dt_message(f->dns, f->msg, &o->src, &o->dst, h->flag & DNS_TCP,
			o->ts);
	if (tx && (h->flag & DNS_CUT) && f->msg->qr)
		tx->capture_cut = true;
	for (uint32_t i = 0; tx && i < o->n_frames; i++) {
		uint64_t fr;
		bool dup = false;
		memcpy(&fr, (const uint8_t *)(o + 1) +
				    ((o->packed + 7) & ~(size_t)7) + 8 * i,
		       sizeof(fr));
		for (uint8_t k = 0; k < tx->n_frames; k++)
			dup = dup || tx->frame_seq[k] == fr;
		if (!dup && tx->n_frames < DNS_TX_FRAMES)
			tx->frame_seq[tx->n_frames++] = fr;
	}
}

static void apply_frame(struct fo_stream *f, const struct op_hdr *h)
{
	struct fr_frame fr;
	memcpy(&fr, h + 1, sizeof(fr));
	fr.bytes = (const uint8_t *)(h + 1) + sizeof(fr);
	if (f->dns_frames)
		fr_dns_add(f->dns_frames, &fr);
}

static void apply_tick(struct fo_stream *f, const struct op_hdr *h)
{
	const struct op_tick *o = (const void *)(h + 1);
	f->tick_frame = o->next_frame;
	f->tick_t = o->now;
	dt_expire(f->dns, o->now);
	if (f->hooks.tick)
		f->hooks.tick(f->hooks.ctx, o->now);
	if (f->hooks.frames)
		f->hooks.frames(f->hooks.frames_ctx, NULL, o->now);
}

static void apply(struct fo_stream *f, const struct op_hdr *h)
{
	struct fo_slot *sl;
	struct session *s;
	switch (h->type) {
	case OP_START:
		apply_start(f, h);
		return;
	case OP_DNS:
		apply_dns(f, h);
		return;
	case OP_FRAME:
		apply_frame(f, h);
		return;
	case OP_TICK:
		apply_tick(f, h);
		return;
	case OP_CAPSTATS:
		if (f->hooks.capstats)
			f->hooks.capstats(f->hooks.ctx,
					  (const struct flow_capstats *)(h + 1));
		return;
	default:
		break;
	}
	if (h->slot >= f->nslots || !(s = (sl = &f->slots[h->slot])->s)) {
		/* a record that could not be had; its frames go back */
		if (h->type == OP_OVER && f->pool) {
			struct fr_chain c = ((const struct op_over *)(h + 1))->frames;
			fr_chain_release(f->pool, &c);
		}
		return;
	}
	switch (h->type) {
	case OP_SEG:
		sess_tcp_segment(s, h->flag, (const struct sess_seg *)(h + 1),
				 true);
		break;
	case OP_FEED:
		if (sl->banner_due && f->hooks.banner)
			f->hooks.banner(f->hooks.ctx, s);
		sl->banner_due = false;
		break;
	case OP_SMTP:
		apply_smtp(sl, h);
		break;
	case OP_GAP:
		apply_gap(s, h);
		break;
	case OP_ONE_SIDED:
		apply_one_sided(s, h);
		break;
	case OP_OVER:
		apply_over(f, s, h);
		break;
	}
}

/* ---- writing ---- */

static size_t op_size(size_t n)
{
	return (sizeof(struct op_hdr) + n + 7) & ~(size_t)7;
}

/* Room for an operation with n bytes after its header; its header. */
static struct op_hdr *op_begin(struct fo_stream *f, uint8_t type,
			       uint32_t slot, uint8_t flag, size_t n)
{
	size_t size = op_size(n);
	struct op_hdr *h;
	if (!f->q || f->lost) {
		f->used = 0; /* applied at once, or dropped */
	} else if (f->used + size > f->cap) {
		fo_flush(f); /* a new block, or lost: used is 0 either way */
	}
	h = (struct op_hdr *)(f->blk + f->used);
	memset(h, 0, sizeof(*h));
	h->size = (uint32_t)size;
	h->type = type;
	h->flag = flag;
	h->slot = slot;
	f->used += size;
	return h;
}

/* Written: without a second thread, applied now. */
static void op_end(struct fo_stream *f, struct op_hdr *h)
{
	if (!f->q)
		apply(f, h);
}

void fo_start(struct fo_stream *f, uint32_t slot, uint64_t seq,
	      const struct mx_endpoint *client, const struct mx_endpoint *server,
	      double ts, bool partial, uint64_t first_frame)
{
	struct op_hdr *h = op_begin(f, OP_START, slot, partial,
				    sizeof(struct op_start));
	*(struct op_start *)(h + 1) = (struct op_start){seq, *client, *server,
							ts, first_frame};
	op_end(f, h);
}

void fo_segment(struct fo_stream *f, uint32_t slot, bool from_client,
		const struct sess_seg *g)
{
	struct op_hdr *h = op_begin(f, OP_SEG, slot, from_client, sizeof(*g));
	*(struct sess_seg *)(h + 1) = *g;
	op_end(f, h);
}

void fo_fed(struct fo_stream *f, uint32_t slot)
{
	op_end(f, op_begin(f, OP_FEED, slot, 0, 0));
}

void fo_smtp(struct fo_stream *f, uint32_t slot, const struct smtp_event *ev,
	     bool in_feed)
{
	size_t nv = strlen(ev->verb), na = strlen(ev->args),
	       nt = strlen(ev->text);
	struct op_hdr *h = op_begin(f, OP_SMTP, slot, in_feed,
				    sizeof(struct op_smtp) + nv + na + nt + 3);
	struct op_smtp *o = (struct op_smtp *)(h + 1);
	char *p = (char *)(o + 1);
	o->ev = *ev;
	o->nverb = (uint32_t)nv;
	o->nargs = (uint32_t)na;
	o->ntext = (uint32_t)nt;
	memcpy(p, ev->verb, nv + 1);
	memcpy(p + nv + 1, ev->args, na + 1);
	memcpy(p + nv + na + 2, ev->text, nt + 1);
	op_end(f, h);
}

void fo_gap(struct fo_stream *f, uint32_t slot, int dir, uint64_t missing,
	    double ts)
{
	struct op_hdr *h = op_begin(f, OP_GAP, slot, (uint8_t)dir,
				    sizeof(struct op_gap));
	*(struct op_gap *)(h + 1) = (struct op_gap){missing, ts};
	op_end(f, h);
}

void fo_one_sided(struct fo_stream *f, uint32_t slot, uint8_t which,
		  double handshake_t)
{
	struct op_hdr *h = op_begin(f, OP_ONE_SIDED, slot, which,
				    sizeof(handshake_t));
	*(double *)(h + 1) = handshake_t;
	op_end(f, h);
}

void fo_over(struct fo_stream *f, uint32_t slot, enum sess_close why,
	     double now, double last, uint64_t client_bytes,
	     uint64_t server_bytes, struct fr_chain *frames)
{
	struct op_hdr *h = op_begin(f, OP_OVER, slot, (uint8_t)why,
				    sizeof(struct op_over));
	*(struct op_over *)(h + 1) = (struct op_over){
		now, last, client_bytes, server_bytes, *frames};
	*frames = (struct fr_chain){0};
	op_end(f, h);
}

/* Parsed here, on the flow side; the analysis takes it as parsed. */
void fo_dns(struct fo_stream *f, const uint8_t *msg, size_t len,
	    const struct mx_endpoint *src, const struct mx_endpoint *dst,
	    bool tcp, bool cut, double ts, const uint64_t *frames, size_t nf)
{
	uint8_t flag = (uint8_t)((tcp ? DNS_TCP : 0) | (cut ? DNS_CUT : 0));
	bool ok = dns_parse(msg, len, f->parsed) == DX_OK;
	size_t n = ok ? dnspack_size(f->parsed) : 0;
	size_t at = (n + 7) & ~(size_t)7; /* where the frames' numbers go */
	struct op_hdr *h;
	struct op_dns *o;

	if (nf > DNS_TX_FRAMES)
		nf = DNS_TX_FRAMES;
	if (sizeof(*o) + at + 8 * nf > OP_MAX - sizeof(*h))
		nf = 0; /* never: a packed message stays far below OP_MAX */
	h = op_begin(f, OP_DNS, 0, ok ? flag : DNS_BAD,
		     sizeof(*o) + (nf ? at + 8 * nf : n));
	o = (struct op_dns *)(h + 1);
	*o = (struct op_dns){*src, *dst, ts, (uint32_t)n, (uint32_t)nf};
	if (ok)
		dnspack_write(f->parsed, (uint8_t *)(o + 1));
	if (nf)
		memcpy((uint8_t *)(o + 1) + at, frames, 8 * nf);
	op_end(f, h);
}

bool fo_frame(struct fo_stream *f, const struct fr_frame *frame)
{
	struct op_hdr *h;
	/* a frame too large for one operation is not written */
	if (sizeof(*frame) + frame->caplen > OP_MAX - sizeof(*h))
		return false;
	h = op_begin(f, OP_FRAME, 0, 0, sizeof(*frame) + frame->caplen);
	memcpy(h + 1, frame, sizeof(*frame));
	memcpy((uint8_t *)(h + 1) + sizeof(*frame), frame->bytes,
	       frame->caplen);
	op_end(f, h);
	return true;
}

void fo_tick(struct fo_stream *f, double now, uint64_t next_frame)
{
	struct op_hdr *h = op_begin(f, OP_TICK, 0, 0, sizeof(struct op_tick));
	*(struct op_tick *)(h + 1) = (struct op_tick){now, next_frame};
	op_end(f, h);
}

void fo_capstats(struct fo_stream *f, const struct flow_capstats *cs)
{
	struct op_hdr *h = op_begin(f, OP_CAPSTATS, 0, 0, sizeof(*cs));
	*(struct flow_capstats *)(h + 1) = *cs;
	op_end(f, h);
}

void fo_flush(struct fo_stream *f)
{
	if (!f->q || f->lost || f->used == 0)
		return;
	bq_filled(f->q, f->used, false);
	f->used = 0;
	if (!(f->blk = bq_fill(f->q))) {
		f->lost = true;
		f->blk = f->scratch;
		f->cap = OP_MAX;
	}
}

/* ---- two threads ---- */

struct producer {
	struct fo_stream *f;
	void (*produce)(void *);
	void *arg;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	p->produce(p->arg);
	if (!p->f->lost)
		bq_filled(p->f->q, p->f->used, true);
	return NULL;
}

int fo_run_split(struct fo_stream *f, void (*produce)(void *), void *arg)
{
	struct producer p = {f, produce, arg};
	const uint8_t *b;
	pthread_t th;
	size_t used;

	if (!(f->q = bq_new(NBLOCKS, BLOCK_SIZE)))
		return 1;
	f->blk = bq_fill(f->q);
	f->used = 0;
	f->cap = BLOCK_SIZE;
	if (pthread_create(&th, NULL, producer_main, &p) != 0) {
		bq_free(f->q);
		f->q = NULL;
		f->blk = f->scratch;
		f->cap = OP_MAX;
		return 1;
	}
	pthread_setname_np(th, "mxray-flow");
	while ((b = bq_take(f->q, &used))) {
		for (size_t off = 0; off < used;) {
			const struct op_hdr *h = (const void *)(b + off);
			apply(f, h);
			off += h->size;
		}
		bq_taken(f->q);
	}
	pthread_join(th, NULL);
	bq_free(f->q);
	f->q = NULL;
	f->blk = f->scratch;
	f->used = 0;
	f->cap = OP_MAX;
	return 0;
}

/* ---- life ---- */

void fo_keep_frames(struct fo_stream *f, struct fr_pool *pool,
		    struct fr_dns *dns)
{
	f->pool = pool;
	f->dns_frames = dns;
}

uint64_t fo_oldest_open_frame(const struct fo_stream *f, double *start)
{
	const struct session *s =
		DLIST_ENTRY(f->open.head, struct session, open_link);
	if (s && s->first_frame < f->tick_frame) {
		*start = s->start;
		return s->first_frame;
	}
	*start = f->tick_t;
	return f->tick_frame;
}

struct fo_stream *fo_new(struct dt_table *dns, const struct flow_hooks *hooks)
{
	struct fo_stream *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->dns = dns;
	f->hooks = *hooks;
	f->msg = malloc(sizeof(*f->msg));
	f->parsed = malloc(sizeof(*f->parsed));
	f->spare = malloc(POOL_MAX * sizeof(*f->spare));
	f->scratch = malloc(OP_MAX);
	if (!f->msg || !f->parsed || !f->spare || !f->scratch) {
		fo_free(f);
		return NULL;
	}
	f->blk = f->scratch;
	f->cap = OP_MAX;
	return f;
}

void fo_free(struct fo_stream *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nslots; i++) {
		if (f->slots[i].s && f->pool)
			fr_chain_release(f->pool, &f->slots[i].s->frames);
		sess_free(f->slots[i].s);
	}
	while (f->nspare)
		sess_free(f->spare[--f->nspare]);
	free(f->slots);
	free(f->spare);
	free(f->msg);
	free(f->parsed);
	free(f->scratch);
	free(f);
}
