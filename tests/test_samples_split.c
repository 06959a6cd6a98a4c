/* test_samples_split.c - the dissectors must not care where TCP cuts the
 * stream: SMTP (RFC 5321, 2920, 3207, XEXCH50) and DNS over TCP (RFC 7766)
 * replayed from every sample capture, split at every byte.
 *
 * Each sample capture (samples/NAME.pcap) is read once with libpcap; the
 * link layer is removed with cap_strip_link, the IPv4 and TCP headers are
 * parsed with struct rd, and the payload of the first port-25 connection
 * becomes a list of (direction, bytes) chunks.  The samples are in order
 * and loss-free (the loader checks the sequence numbers to be sure), so
 * those chunks are the stream.  The session is then fed to the SMTP
 * dissector whole, with each chunk cut in two at every position, and one
 * byte at a time; the events must be the same every time
 * (srec_check_splits in testsmtp.h, shared with test_smtp_split.c).
 * Timestamps are not compared.  TLS events are one per feed call by
 * design, so runs of TLS events of one direction are merged (bytes summed)
 * before comparing.
 *
 * Tests run from the repository root (make test), so samples are found at
 * "samples/".
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <inttypes.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "dns.h"
#include "reader.h"
#include "testsmtp.h"

#define SS_SAMPLES_DIR "samples"
#define SS_NAME_MAX 256
#define SS_ERR_MAX 2048
#define SS_NO_SPLIT ((size_t)-1)

#define SS_TCP_FIN 0x01
#define SS_TCP_SYN 0x02
#define SS_TCP_ACK 0x10

/* ---- loading a capture into chunks ---- */

/* The first connection to one server port in one capture. */
struct ss_stream {
	struct schunk *c;     /* the payloads in order; SMTP_FROM_CLIENT is
				 towards the server port */
	size_t n, cap;
	size_t frames;        /* frames in the file */
	bool have_conn;       /* a SYN to the port was seen */
	uint8_t cli_ip[4], srv_ip[4];
	uint16_t cli_port, srv_port;
	bool seq_known[2];    /* the SYN of that direction was seen */
	uint32_t next_seq[2]; /* next in-order sequence number per dir */
};

static void ss_stream_free(struct ss_stream *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((void *)s->c[i].p); /* ss_chunk_add's copy */
	free(s->c);
	memset(s, 0, sizeof(*s));
}

/* A copy of one TCP segment's payload becomes the stream's next chunk. */
static int ss_chunk_add(struct ss_stream *s, enum smtp_dir dir, double ts,
			const uint8_t *p, size_t len)
{
	uint8_t *copy;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct schunk *grown = realloc(s->c, cap * sizeof(*grown));
		if (!grown)
			return -1;
		s->c = grown;
		s->cap = cap;
	}
	copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	s->c[s->n++] = (struct schunk){.dir = dir, .p = copy, .len = len,
				       .ts = ts, .frame = s->frames};
	return 0;
}

/* One IPv4 packet (ip[0..caplen)).  Returns 0, or -1 with err filled when
 * the packet breaks the samples' promise (truncated, fragmented, out of
 * order) so that the stream would not be the real one. */
static int ss_packet(struct ss_stream *s, const uint8_t *ip, size_t caplen,
		     double ts, uint16_t port, char *err, size_t errsz)
{
	struct rd r, pkt, dgram, tcp;
	uint8_t vihl, proto, src[4], dst[4], doff, flags;
	uint16_t ip_len, frag, sport, dport;
	uint32_t seq;
	size_t ihl, plen;
	const uint8_t *payload;
	enum smtp_dir dir;

	rd_init(&r, ip, caplen);
	vihl = rd_u8(&r);
	rd_skip(&r, 1); /* TOS */
	ip_len = rd_be16(&r);
	rd_skip(&r, 2); /* id */
	frag = rd_be16(&r);
	rd_skip(&r, 1); /* TTL */
	proto = rd_u8(&r);
	rd_skip(&r, 2); /* checksum */
	rd_bytes(&r, src, 4);
	rd_bytes(&r, dst, 4);
	if (r.err) {
		snprintf(err, errsz, "frame %zu: IPv4 header truncated",
			 s->frames);
		return -1;
	}
	if (proto != 6)
		return 0;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20 || ip_len < ihl) {
		snprintf(err, errsz, "frame %zu: bad IHL %zu / total length %u",
			 s->frames, ihl, ip_len);
		return -1;
	}
	if ((frag & 0x3fff) != 0) {
		snprintf(err, errsz, "frame %zu: fragmented TCP", s->frames);
		return -1;
	}
	/* The frame may be padded past ip_len (Ethernet minimum): only the
	 * datagram's own bytes count. */
	rd_init(&pkt, ip, caplen);
	dgram = rd_sub(&pkt, ip_len);
	if (dgram.err) {
		snprintf(err, errsz, "frame %zu: IPv4 total length %u but "
			 "only %zu bytes captured", s->frames, ip_len, caplen);
		return -1;
	}
	rd_skip(&dgram, ihl);
	tcp = dgram; /* read the fixed header, then skip it with options */
	sport = rd_be16(&tcp);
	dport = rd_be16(&tcp);
	seq = rd_be32(&tcp);
	rd_skip(&tcp, 4); /* ack */
	doff = (uint8_t)(rd_u8(&tcp) >> 4);
	flags = rd_u8(&tcp);
	if (tcp.err || doff < 5 || !rd_skip(&dgram, (size_t)doff * 4)) {
		snprintf(err, errsz, "frame %zu: TCP header truncated or bad "
			 "data offset", s->frames);
		return -1;
	}
	plen = rd_left(&dgram);
	payload = rd_ptr(&dgram, plen);

	if (!s->have_conn) {
		if ((flags & (SS_TCP_SYN | SS_TCP_ACK)) != SS_TCP_SYN ||
		    dport != port)
			return 0;
		s->have_conn = true;
		memcpy(s->cli_ip, src, 4);
		memcpy(s->srv_ip, dst, 4);
		s->cli_port = sport;
		s->srv_port = dport;
	}
	if (memcmp(src, s->cli_ip, 4) == 0 && memcmp(dst, s->srv_ip, 4) == 0 &&
	    sport == s->cli_port && dport == s->srv_port)
		dir = SMTP_FROM_CLIENT;
	else if (memcmp(src, s->srv_ip, 4) == 0 &&
		 memcmp(dst, s->cli_ip, 4) == 0 && sport == s->srv_port &&
		 dport == s->cli_port)
		dir = SMTP_FROM_SERVER;
	else
		return 0;

	if (flags & SS_TCP_SYN) {
		s->seq_known[dir] = true;
		s->next_seq[dir] = seq + 1;
		seq++; /* data on a SYN starts after it */
	}
	if (plen > 0) {
		if (!s->seq_known[dir]) {
			snprintf(err, errsz, "frame %zu: data before the SYN",
				 s->frames);
			return -1;
		}
		if (seq != s->next_seq[dir]) {
			snprintf(err, errsz, "frame %zu: seq %" PRIu32
				 ", expected %" PRIu32 " (not in order or a "
				 "retransmission)", s->frames, seq,
				 s->next_seq[dir]);
			return -1;
		}
		s->next_seq[dir] += (uint32_t)plen;
		if (ss_chunk_add(s, dir, ts, payload, plen) != 0) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	}
	if (flags & SS_TCP_FIN)
		s->next_seq[dir] += 1;
	return 0;
}

/* Read samples/<name>, keeping the payload of the first connection to
 * port.  Returns 0, or -1 with err. */
static int ss_load(const char *name, uint16_t port, struct ss_stream *s,
		   char *err, size_t errsz)
{
	char path[SS_NAME_MAX + sizeof(SS_SAMPLES_DIR) + 1];
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int dlt, rc = -1, nx, ipver;
	size_t off;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", SS_SAMPLES_DIR, name);
	p = pcap_open_offline(path, perr);
	if (!p) {
		snprintf(err, errsz, "%s: %s", path, perr);
		return -1;
	}
	dlt = pcap_datalink(p);
	while ((nx = pcap_next_ex(p, &hdr, &data)) != PCAP_ERROR_BREAK) {
		if (nx == PCAP_ERROR) {
			snprintf(err, errsz, "%s: %s", path, pcap_geterr(p));
			goto out;
		}
		if (nx != 1)
			continue;
		s->frames++;
		if (cap_strip_link(dlt, data, hdr->caplen, &ipver, &off) != 0 ||
		    ipver != 4)
			continue;
		if (ss_packet(s, data + off, hdr->caplen - off,
			      (double)hdr->ts.tv_sec + hdr->ts.tv_usec / 1e6,
			      port, err, errsz) != 0)
			goto out;
	}
	rc = 0;
out:
	pcap_close(p);
	return rc;
}

/* Every *.pcap in samples/, sorted.  Caller frees names and the array. */
static int ss_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **ss_list_samples(size_t *count)
{
	DIR *d = opendir(SS_SAMPLES_DIR);
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, len;

	cr_assert_not_null(d, "cannot open directory '%s' (tests must run "
			   "from the repository root, as make test does)",
			   SS_SAMPLES_DIR);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || len >= SS_NAME_MAX ||
		    strcmp(de->d_name + len - 5, ".pcap") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			cr_assert_not_null(grown);
			names = grown;
		}
		names[n] = strdup(de->d_name);
		cr_assert_not_null(names[n]);
		n++;
	}
	closedir(d);
	cr_assert_gt(n, 0, "no %s/*.pcap found (tests must run from the "
		     "repository root, as make test does)", SS_SAMPLES_DIR);
	qsort(names, n, sizeof(*names), ss_name_cmp);
	*count = n;
	return names;
}

static void ss_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- the SMTP session ---- */

/* Load name's first port-25 session and its whole-feed events. */
static void ss_load_smtp(const char *name, struct ss_stream *s,
			 struct srec *ref)
{
	char err[SS_ERR_MAX];

	cr_assert_eq(ss_load(name, 25, s, err, sizeof(err)), 0, "%s: %s",
		     name, err);
	*ref = (struct srec){.merge_tls = true};
	srec_replay(s->c, s->n, SREC_NO_SPLIT, 0, false, ref);
}

/* Every sample, every chunk, every split. */
Test(samples_split, smtp_every_sample_every_split, .timeout = 300)
{
	size_t nnames, nruns = 0, nsessions = 0;
	char **names = ss_list_samples(&nnames);
	struct ss_stream s;
	struct srec ref;

	for (size_t k = 0; k < nnames; k++) {
		ss_load_smtp(names[k], &s, &ref);
		if (s.n > 0) {
			nsessions++;
			cr_expect_gt(ref.n, 0, "%s: %zu chunks but no events",
				     names[k], s.n);
		}
		nruns += srec_check_splits(s.c, s.n, &ref, names[k]);
		srec_free(&ref);
		ss_stream_free(&s);
	}
	cr_log_info("%zu samples, %zu SMTP sessions with data, %zu replays",
		    nnames, nsessions, nruns);
	cr_assert_gt(nsessions, 0, "no sample has SMTP payload on port 25");
	ss_free_names(names, nnames);
}

/* ---- facts about particular samples, so the above is not vacuous ---- */

/* Index of the first event at or after from matching kind (and cmd, unless
 * SMTP_CMD__COUNT); r->n when there is none. */
static size_t ss_find(const struct srec *r, size_t from,
		      enum smtp_ev_kind kind, enum smtp_cmd cmd)
{
	for (size_t i = from; i < r->n; i++)
		if (r->ev[i].kind == kind &&
		    (cmd == SMTP_CMD__COUNT || r->ev[i].cmd == cmd))
			return i;
	return r->n;
}

static size_t ss_count(const struct srec *r, enum smtp_ev_kind kind,
		       enum smtp_cmd cmd)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->ev[i].kind == kind &&
		     (cmd == SMTP_CMD__COUNT || r->ev[i].cmd == cmd);
	return n;
}

Test(samples_split, normal_facts)
{
	struct ss_stream s;
	struct srec ref;
	size_t i;

	ss_load_smtp("normal.pcap", &s, &ref);
	cr_assert_gt(s.n, 0, "normal.pcap: no port-25 payload");

	i = ss_find(&ref, 0, SMTP_EV_REPLY, SMTP_CMD__COUNT);
	cr_assert_lt(i, ref.n, "normal.pcap: no reply at all");
	cr_assert(ref.ev[i].greeting, "normal.pcap: first reply not greeting");
	cr_assert_eq(ref.ev[i].code, 220, "normal.pcap: greeting code %d",
		     ref.ev[i].code);
	cr_assert_eq(ref.ev[i].cmd, SMTP_CMD_NONE);

	i = ss_find(&ref, 0, SMTP_EV_COMMAND, SMTP_CMD_MAIL);
	cr_assert_lt(i, ref.n, "normal.pcap: no MAIL command");
	cr_assert_str_eq(ref.ev[i].verb, "MAIL");
	cr_assert_str_eq(ref.ev[i].args, "FROM:<alice@sender.example>");
	cr_assert_eq(ref.ev[i].dir, SMTP_FROM_CLIENT);

	i = ss_find(&ref, i, SMTP_EV_DATA_END, SMTP_CMD__COUNT);
	cr_assert_lt(i, ref.n, "normal.pcap: no DATA_END after MAIL");
	cr_assert_gt(ref.ev[i].bytes, 0);
	cr_assert_eq(ss_count(&ref, SMTP_EV_UNANSWERED, SMTP_CMD__COUNT), 0,
		     "normal.pcap: everything is answered");
	cr_assert_eq(ss_count(&ref, SMTP_EV_ANOMALY, SMTP_CMD__COUNT), 0,
		     "normal.pcap: no anomalies expected");
	srec_free(&ref);
	ss_stream_free(&s);
}

Test(samples_split, pipelining_facts)
{
	static const enum smtp_cmd order[] = {
		SMTP_CMD_MAIL, SMTP_CMD_RCPT, SMTP_CMD_RCPT,
		SMTP_CMD_RCPT, SMTP_CMD_DATA,
	};
	const size_t norder = sizeof(order) / sizeof(order[0]);
	struct ss_stream s;
	struct srec ref;
	size_t i, k;

	ss_load_smtp("pipelining.pcap", &s, &ref);
	cr_assert_eq(ss_count(&ref, SMTP_EV_COMMAND, SMTP_CMD_RCPT), 3,
		     "pipelining.pcap: %zu RCPT commands, want 3",
		     ss_count(&ref, SMTP_EV_COMMAND, SMTP_CMD_RCPT));

	/* the five replies after the MAIL reply answer, in order, MAIL,
	 * RCPT x3 and DATA */
	i = ss_find(&ref, 0, SMTP_EV_REPLY, SMTP_CMD_MAIL);
	cr_assert_lt(i, ref.n, "pipelining.pcap: no reply to MAIL");
	for (k = 0; k < norder; k++) {
		cr_assert_lt(i, ref.n, "pipelining.pcap: only %zu of the "
			     "pipelined replies", k);
		cr_assert_eq(ref.ev[i].cmd, order[k],
			     "pipelining.pcap: pipelined reply %zu answers %s, "
			     "want %s", k, smtp_cmd_name(ref.ev[i].cmd),
			     smtp_cmd_name(order[k]));
		cr_assert_str_eq(ref.ev[i].verb, smtp_cmd_name(order[k]));
		i = ss_find(&ref, i + 1, SMTP_EV_REPLY, SMTP_CMD__COUNT);
	}
	/* the MAIL, RCPT x3 and DATA went in one client segment */
	i = ss_find(&ref, 0, SMTP_EV_COMMAND, SMTP_CMD_MAIL);
	for (k = 0; k < norder; k++, i++) {
		cr_assert_lt(i, ref.n);
		cr_assert_eq(ref.ev[i].kind, SMTP_EV_COMMAND);
		cr_assert_eq(ref.ev[i].cmd, order[k]);
	}
	cr_assert_eq(ss_count(&ref, SMTP_EV_DATA_END, SMTP_CMD__COUNT), 1);
	srec_free(&ref);
	ss_stream_free(&s);
}

Test(samples_split, xexch50_stall_facts)
{
	struct ss_stream s;
	struct srec ref;
	size_t i;

	ss_load_smtp("xexch50-stall.pcap", &s, &ref);
	i = ss_find(&ref, 0, SMTP_EV_COMMAND, SMTP_CMD_XEXCH50);
	cr_assert_lt(i, ref.n, "xexch50-stall.pcap: no XEXCH50 command");
	cr_assert_str_eq(ref.ev[i].args, "1124 2");
	i = ss_find(&ref, i, SMTP_EV_REPLY, SMTP_CMD_XEXCH50);
	cr_assert_lt(i, ref.n, "xexch50-stall.pcap: XEXCH50 not answered");
	cr_assert_eq(ref.ev[i].code, 354);
	i = ss_find(&ref, i, SMTP_EV_BLOB, SMTP_CMD__COUNT);
	cr_assert_lt(i, ref.n, "xexch50-stall.pcap: no BLOB event");
	cr_assert_eq(ref.ev[i].bytes, 1124, "xexch50-stall.pcap: blob of %"
		     PRIu64 " bytes", ref.ev[i].bytes);
	cr_assert_eq(ref.ev[i].blob_of, SMTP_CMD_XEXCH50);
	cr_assert_eq(ref.ev[i].dir, SMTP_FROM_CLIENT);
	cr_assert(!ref.ev[i].from_finish);

	i = ss_find(&ref, i, SMTP_EV_UNANSWERED, SMTP_CMD_BLOB_END);
	cr_assert_lt(i, ref.n, "xexch50-stall.pcap: no UNANSWERED for the "
		     "blob");
	cr_assert(ref.ev[i].from_finish,
		  "UNANSWERED must come from smtp_finish");
	cr_assert_eq(ss_count(&ref, SMTP_EV_REPLY, SMTP_CMD_BLOB_END), 0);
	srec_free(&ref);
	ss_stream_free(&s);
}

Test(samples_split, starttls_facts)
{
	struct ss_stream s;
	struct srec ref;
	size_t i, j;

	ss_load_smtp("starttls.pcap", &s, &ref);
	i = ss_find(&ref, 0, SMTP_EV_COMMAND, SMTP_CMD_STARTTLS);
	cr_assert_lt(i, ref.n, "starttls.pcap: no STARTTLS command");
	i = ss_find(&ref, i, SMTP_EV_REPLY, SMTP_CMD_STARTTLS);
	cr_assert_lt(i, ref.n, "starttls.pcap: STARTTLS not answered");
	cr_assert_eq(ref.ev[i].code, 220);
	cr_assert_eq(ss_find(&ref, 0, SMTP_EV_TLS, SMTP_CMD__COUNT),
		     i + 1, "starttls.pcap: TLS events must start right after "
		     "the 220 to STARTTLS");
	/* after that, nothing but TLS (both ways) */
	for (j = i + 1; j < ref.n; j++)
		cr_assert_eq(ref.ev[j].kind, SMTP_EV_TLS,
			     "starttls.pcap: event %zu after TLS is %s", j,
			     srec_kind_name(ref.ev[j].kind));
	cr_assert_gt(ref.tls_bytes[SMTP_FROM_CLIENT], 0);
	cr_assert_gt(ref.tls_bytes[SMTP_FROM_SERVER], 0);
	/* every post-STARTTLS payload byte is counted as TLS */
	{
		uint64_t tail[2] = {0, 0};
		size_t k;
		for (k = 0; k < s.n; k++)
			if (s.c[k].len > 0 && s.c[k].p[0] == 0x16)
				break; /* the ClientHello record */
		cr_assert_lt(k, s.n, "starttls.pcap: no TLS handshake record");
		for (; k < s.n; k++)
			tail[s.c[k].dir] += s.c[k].len;
		cr_assert_eq(ref.tls_bytes[0], tail[0]);
		cr_assert_eq(ref.tls_bytes[1], tail[1]);
	}
	srec_free(&ref);
	ss_stream_free(&s);
}

/* ---- DNS over TCP ---- */

#define SS_DNS_MSGS 16

struct ss_dns_rec {
	uint8_t *msg[SS_DNS_MSGS];
	size_t len[SS_DNS_MSGS];
	size_t n;     /* messages stored */
	size_t total; /* messages delivered, stored or not */
};

static void ss_dns_clear(struct ss_dns_rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->msg[i]);
	memset(r, 0, sizeof(*r));
}

static void ss_dns_msg(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct ss_dns_rec *r = ctx;

	(void)ts;
	r->total++;
	if (r->n == SS_DNS_MSGS)
		return;
	r->msg[r->n] = malloc(len ? len : 1);
	cr_assert_not_null(r->msg[r->n]);
	memcpy(r->msg[r->n], msg, len);
	r->len[r->n] = len;
	r->n++;
}

static bool ss_dns_same(const struct ss_dns_rec *want,
			const struct ss_dns_rec *got, char *why, size_t whysz)
{
	if (want->total != got->total) {
		snprintf(why, whysz, "%zu messages, want %zu", got->total,
			 want->total);
		return false;
	}
	for (size_t i = 0; i < want->n; i++) {
		if (want->len[i] != got->len[i]) {
			snprintf(why, whysz, "message %zu: %zu bytes, want %zu",
				 i, got->len[i], want->len[i]);
			return false;
		}
		if (memcmp(want->msg[i], got->msg[i], want->len[i]) != 0) {
			snprintf(why, whysz, "message %zu: bytes differ", i);
			return false;
		}
	}
	return true;
}

/* One direction of the DNS connection: its chunks, and the same bytes as
 * one contiguous stream. */
struct ss_dns_dir {
	const struct schunk *c[64];
	size_t n;
	uint8_t *all;
	size_t all_len;
};

/* Feed dir's chunks to a fresh framer; chunk split_i is cut at split_p. */
static void ss_dns_replay(struct dns_tcp_framer *f,
			  const struct ss_dns_dir *d, size_t split_i,
			  size_t split_p, struct ss_dns_rec *out)
{
	dns_tcp_init(f);
	ss_dns_clear(out);
	for (size_t i = 0; i < d->n; i++) {
		const struct schunk *c = d->c[i];
		if (i == split_i) {
			dns_tcp_feed(f, c->p, split_p, c->ts, ss_dns_msg, out);
			dns_tcp_feed(f, c->p + split_p, c->len - split_p,
				     c->ts, ss_dns_msg, out);
		} else {
			dns_tcp_feed(f, c->p, c->len, c->ts, ss_dns_msg, out);
		}
	}
}

/* Check one direction's framing, whole against every split. */
static void ss_dns_check_dir(struct dns_tcp_framer *f,
			     const struct ss_dns_dir *d, const char *dname,
			     struct ss_dns_rec *ref)
{
	struct ss_dns_rec got = {0};
	char why[SS_ERR_MAX];
	size_t p, i;

	ss_dns_replay(f, d, SS_NO_SPLIT, 0, ref);
	cr_assert_eq(ref->n, ref->total, "dns-tcp.pcap %s: over %d messages",
		     dname, SS_DNS_MSGS);

	/* each segment cut at every position */
	for (i = 0; i < d->n; i++) {
		for (p = 1; p < d->c[i]->len; p++) {
			ss_dns_replay(f, d, i, p, &got);
			cr_assert(ss_dns_same(ref, &got, why, sizeof(why)),
				  "dns-tcp.pcap %s: chunk %zu (frame %zu) split "
				  "at %zu: %s", dname, i, d->c[i]->frame, p,
				  why);
		}
	}
	/* the direction's stream as one piece, as two at every byte, and
	 * one byte at a time */
	for (p = 0; p < d->all_len; p++) {
		dns_tcp_init(f);
		ss_dns_clear(&got);
		dns_tcp_feed(f, d->all, p, 0.0, ss_dns_msg, &got);
		dns_tcp_feed(f, d->all + p, d->all_len - p, 0.0, ss_dns_msg,
			     &got);
		cr_assert(ss_dns_same(ref, &got, why, sizeof(why)),
			  "dns-tcp.pcap %s: stream split at byte %zu: %s", dname,
			  p, why);
	}
	dns_tcp_init(f);
	ss_dns_clear(&got);
	for (p = 0; p < d->all_len; p++)
		dns_tcp_feed(f, d->all + p, 1, 0.0, ss_dns_msg, &got);
	cr_assert(ss_dns_same(ref, &got, why, sizeof(why)),
		  "dns-tcp.pcap %s: byte-by-byte: %s", dname, why);
	/* nothing is left half-framed at the end of the stream */
	cr_assert_eq(f->len_have, 0, "dns-tcp.pcap %s: stream ends inside a "
		     "length prefix", dname);
	ss_dns_clear(&got);
}

/* Message i of rec parses, with the expected question. */
static void ss_dns_want(const struct ss_dns_rec *rec, size_t i, bool qr,
			const char *qname, uint16_t qtype,
			struct dns_msg *m)
{
	int rc;

	cr_assert_lt(i, rec->n);
	rc = dns_parse(rec->msg[i], rec->len[i], m);
	cr_assert_eq(rc, DX_OK, "dns-tcp.pcap %s %zu: dns_parse %d",
		     qr ? "response" : "query", i, rc);
	cr_assert_eq(m->qr, qr);
	cr_assert(m->has_question);
	cr_assert_str_eq(m->qname, qname);
	cr_assert_eq(m->qtype, qtype, "%s: qtype %u", qname, m->qtype);
	cr_assert_eq(m->anomalies, 0, "%s: anomalies 0x%x", qname,
		     m->anomalies);
}

Test(samples_split, dns_tcp_every_split)
{
	char err[SS_ERR_MAX];
	struct ss_stream s;
	struct ss_dns_dir dirs[2];
	struct ss_dns_rec ref[2];
	struct dns_tcp_framer *f = malloc(sizeof(*f));
	struct dns_msg *m = malloc(sizeof(*m));
	uint16_t qid[2];
	size_t i;
	int d;

	cr_assert_not_null(f);
	cr_assert_not_null(m);
	cr_assert_eq(ss_load("dns-tcp.pcap", 53, &s, err, sizeof(err)), 0,
		     "dns-tcp.pcap: %s", err);
	cr_assert(s.have_conn, "dns-tcp.pcap: no TCP connection to port 53");
	memset(dirs, 0, sizeof(dirs));
	memset(ref, 0, sizeof(ref));
	for (i = 0; i < s.n; i++) {
		struct ss_dns_dir *dd = &dirs[s.c[i].dir];
		cr_assert_lt(dd->n, sizeof(dd->c) / sizeof(dd->c[0]));
		dd->c[dd->n++] = &s.c[i];
		dd->all_len += s.c[i].len;
	}
	for (d = 0; d < 2; d++) {
		size_t at = 0;
		cr_assert_gt(dirs[d].n, 0, "dns-tcp.pcap: no %s payload",
			     d ? "server" : "client");
		dirs[d].all = malloc(dirs[d].all_len);
		cr_assert_not_null(dirs[d].all);
		for (i = 0; i < dirs[d].n; i++) {
			memcpy(dirs[d].all + at, dirs[d].c[i]->p,
			       dirs[d].c[i]->len);
			at += dirs[d].c[i]->len;
		}
	}
	/* the sample sends the client's first length prefix on its own */
	cr_assert_eq(dirs[0].c[0]->len, 2,
		     "dns-tcp.pcap: first client segment is %zu bytes, want "
		     "the 2-byte length alone", dirs[0].c[0]->len);

	ss_dns_check_dir(f, &dirs[0], "client", &ref[0]);
	ss_dns_check_dir(f, &dirs[1], "server", &ref[1]);

	cr_assert_eq(ref[0].n, 2, "dns-tcp.pcap: %zu queries, want 2",
		     ref[0].n);
	cr_assert_eq(ref[1].n, 2, "dns-tcp.pcap: %zu responses, want 2",
		     ref[1].n);
	ss_dns_want(&ref[0], 0, false, "example.org", DNS_T_MX, m);
	qid[0] = m->id;
	ss_dns_want(&ref[0], 1, false, "mx1.example.org", DNS_T_A, m);
	qid[1] = m->id;

	ss_dns_want(&ref[1], 0, true, "example.org", DNS_T_MX, m);
	cr_assert_eq(m->id, qid[0]);
	cr_assert_eq(m->rcode, DNS_R_NOERROR);
	cr_assert_geq(m->n_an, 1);
	for (i = 0; i < m->n_an; i++)
		if (m->an[i].type == DNS_T_MX &&
		    strcmp(m->an[i].target, "mx1.example.org") == 0)
			break;
	cr_assert_lt(i, m->n_an, "dns-tcp.pcap: no MX mx1.example.org");

	ss_dns_want(&ref[1], 1, true, "mx1.example.org", DNS_T_A, m);
	cr_assert_eq(m->id, qid[1]);
	cr_assert_geq(m->n_an, 1);
	cr_assert_eq(m->an[0].type, DNS_T_A);
	cr_assert_eq(m->an[0].addr_len, 4);
	cr_assert_str_eq(m->an[0].data, "203.0.113.25");

	for (d = 0; d < 2; d++) {
		ss_dns_clear(&ref[d]);
		free(dirs[d].all);
	}
	free(m);
	free(f);
	ss_stream_free(&s);
}
