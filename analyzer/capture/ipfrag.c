/* ipfrag.c - the only user of libnids: IP defragmentation.
 *
 * Our capture loop strips the link layer and hands libnids bare IPv4
 * fragments through a DLT_RAW pcap_t (so libnids' link-layer knowledge is
 * no limit).  Its TCP layer is switched off (n_tcp_streams = 0: streams are
 * ours, see tcpreasm.c), so are port-scan detection, checksum checks
 * (checksum offload) and syslog, which becomes a counter.  A rebuilt
 * packet comes back through our IP callback.
 *
 * Two things libnids lacks are added in front of it:
 *
 * - A memory bound.  libnids caps fragments per destination host only
 *   (256 KB), has no cap on hosts, times queues out by wall-clock time (a
 *   file read in seconds never expires anything) and frees no queue in
 *   nids_exit.  So we keep a ledger of every datagram libnids holds, with
 *   an upper estimate of its memory, and give a datagram up at capture
 *   time (timeout, budget, capture end) by feeding libnids an unfragmented
 *   header with the same source, destination, id and protocol: ip_defrag()
 *   then frees that queue ("fragmented frame replaced by full unfragmented
 *   copy").  We filter that header out of the callback.
 *
 * - IPv6 (RFC 8200 4.5 has the same offset/more/id scheme as IPv4).  Each
 *   IPv6 datagram gets a private IPv4 stand-in: addresses from 240.0.0.0/4
 *   (reserved, never on a real wire) unique per datagram, protocol 253
 *   (RFC 3692, so libnids hands the result to no parser of its own).  The
 *   rebuilt stand-in is turned back into an IPv6 packet here.  One
 *   reassembly engine for both families, and the same budget.
 */
#include "capture/ipfrag.h"

#include <nids.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/decode.h"
#include "base/btable.h"
#include "reader.h"

#define STANDIN_NET 0xf0000000u	 /* 240.0.0.0/4 */
#define STANDIN_MASK 0xf0000000u
#define STANDIN_PROTO 253
#define IPV4_MAX 65535
/* libnids' own cost per queue (ipq, saved header, host entry) and per
 * fragment (sk_buff, ipfrag), rounded up with malloc overhead, plus ours */
#define CHARGE_DATAGRAM 512
#define CHARGE_FRAGMENT 128
/* 64 KB of data, with room for repeats and overlaps; more is an attack */
#define MAX_DATAGRAM_CHARGE (160 * 1024)

/* A datagram libnids holds: found by the IPv4 key libnids knows it under
 * (by4: the stand-in's for IPv6) and, for IPv6, by its own key (by6).
 * Each family's ledger keeps its datagrams in age order: by4 is aged for
 * IPv4, by6 for IPv6. */
struct dgram {
	struct bt_link by4, by6;
	uint32_t src4, dst4;	     /* as libnids knows it, host order */
	uint16_t id4;
	uint8_t proto4;
	uint8_t v6;
	/* IPv6 only: the original datagram */
	uint8_t src6[16], dst6[16];
	uint32_t id6, vtc_flow;
	uint8_t hop_limit, nh;
	double first;
	size_t charged;
	uint32_t nfrags;
};


static struct {
	const struct reasm_ops *ops;
	void *ctx;
	pcap_t *dead;
	int open;
	int flushing; /* a give-up header is inside libnids */
	struct reasm_config cfg;
	struct btable t4, t6;  /* every datagram; the IPv6 ones */
	double timeout_s[2];   /* [0] IPv4, [1] IPv6 */
	uint64_t serial;	/* stand-in numbering */
	double ts;		/* of the fragment being fed */
	struct reasm_stats st;
	uint8_t pkt[IPV4_MAX + 40]; /* stand-in fragments, rebuilt IPv6 */
} R;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* An IPv4 header (no options) with a valid checksum: libnids checks it. */
static void ipv4_header(uint8_t *h, size_t total, uint16_t id, uint16_t frag,
			uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	uint32_t sum = 0;
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, (uint32_t)total);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = ttl;
	h[9] = proto;
	put32(h + 12, src);
	put32(h + 16, dst);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, ~sum & 0xffff);
}

static uint64_t hash4(uint32_t src, uint32_t dst, uint16_t id, uint8_t proto)
{
	uint8_t k[11];
	put32(k, src);
	put32(k + 4, dst);
	put16(k + 8, id);
	k[10] = proto;
	return mx_hash_bytes(k, sizeof(k), 4);
}

static uint64_t hash6(const uint8_t *src, const uint8_t *dst, uint32_t id)
{
	uint8_t k[36];
	memcpy(k, src, 16);
	memcpy(k + 16, dst, 16);
	put32(k + 32, id);
	return mx_hash_bytes(k, sizeof(k), 6);
}

static struct dgram *find4(uint32_t src, uint32_t dst, uint16_t id,
			   uint8_t proto)
{
	uint64_t h = hash4(src, dst, id, proto);
	for (struct bt_link *l = bt_chain(&R.t4, h); l; l = l->hnext) {
		struct dgram *d = BT_ENTRY(l, struct dgram, by4);
		if (l->hash == h && d->src4 == src && d->dst4 == dst &&
		    d->id4 == id && d->proto4 == proto)
			return d;
	}
	return NULL;
}

static struct dgram *find6(const uint8_t *src, const uint8_t *dst,
			   uint32_t id)
{
	uint64_t h = hash6(src, dst, id);
	for (struct bt_link *l = bt_chain(&R.t6, h); l; l = l->hnext) {
		struct dgram *d = BT_ENTRY(l, struct dgram, by6);
		if (l->hash == h && d->id6 == id && !memcmp(d->src6, src, 16) &&
		    !memcmp(d->dst6, dst, 16))
			return d;
	}
	return NULL;
}

/* Forget d (libnids no longer holds it). */
static void drop(struct dgram *d)
{
	bt_del(&R.t4, &d->by4);
	if (d->v6)
		bt_del(&R.t6, &d->by6);
	R.st.held_bytes -= d->charged;
	R.st.held_datagrams--;
	free(d);
}

/* Make libnids free d's queue, then forget it. */
static void give_up(struct dgram *d, int evicted)
{
	static struct pcap_pkthdr hh;
	ipv4_header(R.pkt, 20, d->id4, 0, 1, d->proto4, d->src4, d->dst4);
	hh.caplen = hh.len = 20;
	R.flushing = 1;
	nids_pcap_handler(NULL, &hh, R.pkt);
	R.flushing = 0;
	if (evicted)
		R.st.evicted++;
	else
		R.st.incomplete++;
	if (d->v6)
		R.st.lost6 += d->nfrags;
	else
		R.st.lost4 += d->nfrags;
	drop(d);
}

/* The oldest datagram of a family (0: IPv4, 1: IPv6), or NULL. */
static struct dgram *oldest_in(int v6)
{
	return v6 ? BT_ENTRY(bt_oldest(&R.t6), struct dgram, by6)
		  : BT_ENTRY(bt_oldest(&R.t4), struct dgram, by4);
}

/* The one after d on its family's age list (newer), or NULL. */
static struct dgram *newer_than(struct dgram *d)
{
	return d->v6 ? DLIST_ENTRY(d->by6.age.next, struct dgram, by6.age)
		     : DLIST_ENTRY(d->by4.age.next, struct dgram, by4.age);
}

static struct dgram *older_of_heads(const struct dgram *keep)
{
	struct dgram *a = oldest_in(0), *b = oldest_in(1);
	if (a && a == keep)
		a = newer_than(a);
	if (b && b == keep)
		b = newer_than(b);
	if (!a || !b)
		return a ? a : b;
	return b->first < a->first ? b : a;
}

/* Give up the oldest datagrams (never keep) until need more bytes and,
 * with add, one more datagram fit the budget. */
static void make_room(size_t need, int add, const struct dgram *keep)
{
	while (R.st.held_bytes + need > R.cfg.max_bytes ||
	       (add && R.st.held_datagrams >= R.cfg.max_datagrams)) {
		struct dgram *d = older_of_heads(keep);
		if (!d)
			break;
		give_up(d, 1);
	}
}

/* A new datagram, charged to the budget; the caller files it. */
static struct dgram *admit(int v6, size_t need)
{
	struct dgram *d;

	make_room(need + CHARGE_DATAGRAM, 1, NULL);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->v6 = (uint8_t)v6;
	d->first = R.ts;
	d->charged = CHARGE_DATAGRAM;
	R.st.held_bytes += d->charged;
	R.st.held_datagrams++;
	return d;
}

/* Filed under both keys; aged on its family's ledger only. */
static void file_dgram(struct dgram *d)
{
	bt_add(&R.t4, &d->by4, hash4(d->src4, d->dst4, d->id4, d->proto4));
	if (d->v6) {
		bt_unage(&R.t4, &d->by4);
		bt_add(&R.t6, &d->by6, hash6(d->src6, d->dst6, d->id6));
	}
}

/* Charge a fragment of caplen bytes to d; false if d grew past what one
 * datagram can honestly need (then d is given up). */
static int charge(struct dgram *d, size_t caplen)
{
	size_t c = caplen + CHARGE_FRAGMENT;
	if (d->charged + c > MAX_DATAGRAM_CHARGE) {
		give_up(d, 1);
		return 0;
	}
	make_room(c, 0, d);
	d->charged += c;
	d->nfrags++;
	R.st.held_bytes += c;
	return 1;
}

static void feed_nids(const uint8_t *ip, size_t caplen)
{
	/* static: libnids keeps a pointer to it (nids_last_pcap_header) */
	static struct pcap_pkthdr hh;
	hh.caplen = hh.len = (bpf_u_int32)caplen;
	/* libnids reads but never writes the packet; its API lacks const. */
	nids_pcap_handler(NULL, &hh, (u_char *)(uintptr_t)ip);
}

/* The IPv6 packet d stands for, around its rebuilt payload. */
static void deliver6(const struct dgram *d, const uint8_t *payload,
		     size_t plen)
{
	uint8_t *o = R.pkt;
	put32(o, d->vtc_flow);
	put16(o + 4, (uint32_t)plen);
	o[6] = d->nh;
	o[7] = d->hop_limit;
	memcpy(o + 8, d->src6, 16);
	memcpy(o + 24, d->dst6, 16);
	memmove(o + 40, payload, plen);
	R.ops->ip(R.ctx, 6, o, 40 + plen, R.ts);
}

static void on_ip(struct ip *iph, int skblen)
{
	/* libnids hands back a header it checked, with its length's worth of
	 * bytes behind it; read as bytes, it may sit at any alignment */
	const uint8_t *p = (const uint8_t *)iph;
	struct rd r;
	uint8_t vihl, proto;
	uint16_t len, id;
	uint32_t src, dst;
	struct dgram *d;

	(void)skblen;
	if (R.flushing)
		return;
	rd_init(&r, p, 20);
	vihl = rd_u8(&r);
	rd_skip(&r, 1);
	len = rd_be16(&r);
	id = rd_be16(&r);
	rd_skip(&r, 3);
	proto = rd_u8(&r);
	rd_skip(&r, 2);
	src = rd_be32(&r);
	dst = rd_be32(&r);
	R.st.reassembled++;
	d = find4(src, dst, id, proto);
	rd_init(&r, p, len);
	if (d && d->v6) {
		if (rd_seek(&r, (size_t)(vihl & 15) * 4))
			deliver6(d, r.p, rd_left(&r));
	} else if ((src & STANDIN_MASK) != STANDIN_NET) {
		R.ops->ip(R.ctx, 4, p, len, R.ts);
	}
	if (d)
		drop(d);
}

static void on_warning(int type, int err, struct ip *iph, void *data)
{
	(void)err;
	(void)iph;
	(void)data;
	if (type == NIDS_WARN_IP && !R.flushing)
		R.st.ip_invalid++;
}

/* libnids cannot continue after a failed malloc; neither can we. */
static void on_no_mem(char *where)
{
	static const char msg[] = "mxray: out of memory in IP defragmentation\n";
	(void)where;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	_exit(1);
}

int reasm_open(const struct reasm_config *cfg, const struct reasm_ops *ops,
	       void *ctx, char errbuf[MX_ERRBUF_SIZE])
{
	static struct nids_chksum_ctl no_checksums = {0, 0, NIDS_DONT_CHKSUM, 0};
	size_t nb;

	if (R.open) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "defragmenter already open");
		return -1;
	}
	memset(&R.st, 0, sizeof(R.st));
	R.cfg = *cfg;
	if (R.cfg.max_datagrams < 1)
		R.cfg.max_datagrams = 1;
	/* twice the buckets of the cap (make_room keeps the cap and the byte
	 * budget, for both families together) */
	nb = 2 * R.cfg.max_datagrams < 64 ? 64 : 2 * R.cfg.max_datagrams;
	R.dead = pcap_open_dead(DLT_RAW, IPV4_MAX);
	if (bt_init(&R.t4, R.cfg.max_datagrams, nb, (size_t)1 << 22) != 0 ||
	    bt_init(&R.t6, R.cfg.max_datagrams, nb, (size_t)1 << 22) != 0 ||
	    !R.dead) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "defragmenter: out of memory");
		goto fail;
	}
	R.ops = ops;
	R.ctx = ctx;
	R.timeout_s[0] = cfg->timeout4_s;
	R.timeout_s[1] = cfg->timeout6_s;

	nids_params.pcap_desc = R.dead;
	nids_params.filename = NULL;
	nids_params.device = NULL;
	nids_params.pcap_filter = NULL;
	nids_params.n_tcp_streams = 0; /* TCP is tcpreasm.c's */
	/* buckets of its per-destination table: each IPv6 stand-in has its
	 * own destination, so as many as datagrams we let it hold */
	nids_params.n_hosts = (int)R.cfg.max_datagrams;
	nids_params.scan_num_hosts = 0;
	nids_params.syslog = on_warning;
	nids_params.no_mem = on_no_mem;
	nids_params.promisc = 0;
	nids_params.multiproc = 0;

	if (!nids_init()) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "libnids: %s", nids_errbuf);
		goto fail;
	}
	nids_register_chksum_ctl(&no_checksums, 1);
	/* registered after nids_init, so it runs before libnids' own */
	nids_register_ip(on_ip);
	R.open = 1;
	return 0;
fail:
	if (R.dead)
		pcap_close(R.dead);
	bt_fini(&R.t4);
	bt_fini(&R.t6);
	memset(&R, 0, sizeof(R));
	return -1;
}

void reasm_expire(double now)
{
	for (int f = 0; f < 2; f++) {
		struct dgram *d;
		while ((d = oldest_in(f)) && d->first + R.timeout_s[f] <= now)
			give_up(d, 0);
	}
}

/* A new ledger entry for the datagram s is a fragment of, chained under
 * the key libnids will know it by. */
static struct dgram *new_dgram(const struct dec_seg *s)
{
	const struct dec_frag *f = &s->frag;
	int v6 = s->src.ip.family == 6;
	struct dgram *d = admit(v6, 20 + f->len + CHARGE_FRAGMENT);

	if (!d)
		on_no_mem("reasm_feed");
	if (v6) {
		memcpy(d->src6, s->src.ip.a, 16);
		memcpy(d->dst6, s->dst.ip.a, 16);
		d->id6 = f->id;
		d->vtc_flow = f->vtc_flow;
		d->hop_limit = f->ttl;
		d->nh = f->proto;
		/* unique while fewer than 2^56 datagrams: far beyond a file */
		d->src4 = STANDIN_NET | (uint32_t)((R.serial >> 28) & 0x0fffffff);
		d->dst4 = STANDIN_NET | (uint32_t)(R.serial & 0x0fffffff);
		d->id4 = (uint16_t)(R.serial >> 56);
		d->proto4 = STANDIN_PROTO;
		R.serial++;
	} else {
		d->src4 = be32(s->src.ip.a);
		d->dst4 = be32(s->dst.ip.a);
		d->id4 = (uint16_t)f->id;
		d->proto4 = f->proto;
	}
	file_dgram(d);
	return d;
}

void reasm_feed(double ts, const struct dec_seg *s)
{
	const struct dec_frag *f = &s->frag;
	int v6 = s->src.ip.family == 6;
	uint64_t *lost = v6 ? &R.st.lost6 : &R.st.lost4;
	struct dgram *d;

	if (!R.open || (!v6 && f->proto != 6 && f->proto != 17))
		return; /* IPv4: only TCP and UDP matter here */
	R.ts = ts;
	if (v6)
		R.st.fragments6++;
	else
		R.st.fragments4++;
	/* cut by the snaplen, too long for an IPv4 stand-in, or from the
	 * stand-in range: unusable */
	if (f->cut || f->offset + f->len > IPV4_MAX - 20 ||
	    (!v6 && (be32(s->src.ip.a) & STANDIN_MASK) == STANDIN_NET)) {
		R.st.ip_invalid++;
		(*lost)++;
		return;
	}
	if (v6 && f->offset == 0 && !f->more) {
		/* an atomic fragment (RFC 6946): the whole packet already */
		struct dgram one = {.vtc_flow = f->vtc_flow,
				    .hop_limit = f->ttl, .nh = f->proto};
		memcpy(one.src6, s->src.ip.a, 16);
		memcpy(one.dst6, s->dst.ip.a, 16);
		deliver6(&one, f->data, f->len);
		return;
	}
	d = v6 ? find6(s->src.ip.a, s->dst.ip.a, f->id)
	       : find4(be32(s->src.ip.a), be32(s->dst.ip.a), (uint16_t)f->id,
		       f->proto);
	if (!d)
		d = new_dgram(s);
	else if (v6 && f->offset == 0)
		d->nh = f->proto; /* the first fragment's says what follows */
	if (!charge(d, v6 ? 20 + f->len : f->pkt_len)) {
		(*lost)++;
		return;
	}
	/* may rebuild and drop d */
	if (!v6) {
		feed_nids(f->pkt, f->pkt_len);
		return;
	}
	/* the stand-in fragment: same offset, flag and data */
	ipv4_header(R.pkt, 20 + f->len, d->id4,
		    (uint16_t)((f->offset >> 3) | (f->more ? 0x2000 : 0)),
		    f->ttl, STANDIN_PROTO, d->src4, d->dst4);
	memcpy(R.pkt + 20, f->data, f->len);
	feed_nids(R.pkt, 20 + f->len);
}

void reasm_shutdown(void)
{
	if (!R.open)
		return;
	/* libnids' nids_exit frees no fragment queue: give them all up */
	while (oldest_in(0) || oldest_in(1))
		give_up(older_of_heads(NULL), 0);
	/* nids_exit frees only the head of its IP callback list, which after
	 * nids_register_ip is our node: unregister first so nothing leaks */
	nids_unregister_ip(on_ip);
	nids_exit();
	pcap_close(R.dead);
	bt_fini(&R.t4);
	bt_fini(&R.t6);
	R.dead = NULL;
	R.open = 0;
}

void reasm_get_stats(struct reasm_stats *st)
{
	*st = R.st;
}
