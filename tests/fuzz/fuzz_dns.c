/* fuzz_dns.c - libFuzzer target for the DNS dissector (dissectors/dns.c,
 * dns_names.c, dns_tcp.c: RFC 1035, 3596, 6891, 7766).
 *
 * The input is one DNS message (a UDP payload), and at the same time a TCP
 * byte stream of 2-byte length prefixed messages.  Per input:
 *   1. dns_parse on the whole input;
 *   2. dns_tcp_feed of the input in one piece, and again cut in two at a
 *      position taken from the input's first two bytes (the DNS id): the
 *      framer must deliver the same messages both ways, and each is parsed;
 *      then once more with dns_tcp_gap at the cut (bytes lost there);
 *   3. dns_read_name at offset 12 (the question) and at an offset taken
 *      from bytes 2-3, over the message itself and over a copy (a reader
 *      that does not point into msg), lower-cased and not;
 *   4. dns_parse_reverse / dns_parse_dnsbl on the parsed names and on the
 *      input taken as a NUL-terminated string (an exact-size heap copy, so
 *      ASan sees any read past the NUL);
 *   5. round trips: dns_reverse_name of an address taken from the input
 *      must parse back with dns_parse_reverse, and as a DNSBL name under a
 *      zone with dns_parse_dnsbl.
 * Oracles besides ASan/UBSan: names fit DNS_NAME_MAX, record counts stay
 * within DNS_MAX_RRS, the framer split does not matter, round trips hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "fuzz_common.h"

static struct dns_msg fz_msg;
static struct dns_tcp_framer fz_framer;

static void fz_die(const char *what)
{
	fprintf(stderr, "fuzz_dns: oracle failed: %s\n", what);
	abort();
}

static void fz_check_name(const char *s, const char *what)
{
	if (strnlen(s, DNS_NAME_MAX) >= DNS_NAME_MAX)
		fz_die(what);
}

static void fz_strings(const char *name)
{
	uint8_t addr[16];
	char zone[DNS_NAME_MAX];
	int fam;

	fam = dns_parse_reverse(name, addr);
	if (fam != 0 && fam != 4 && fam != 6)
		fz_die("dns_parse_reverse family");
	fam = dns_parse_dnsbl(name, addr, zone);
	if (fam != 0 && fam != 4 && fam != 6)
		fz_die("dns_parse_dnsbl family");
	fz_check_name(zone, "dnsbl zone unterminated");
	(void)dns_parse_dnsbl(name, addr, NULL);
}

static void fz_check_msg(const struct dns_msg *m)
{
	char buf[16];
	const struct dns_rr *sec[3] = {m->an, m->ns, m->ar};
	size_t n[3] = {m->n_an, m->n_ns, m->n_ar};

	fz_check_name(m->qname, "qname unterminated");
	for (int s = 0; s < 3; s++) {
		if (n[s] > DNS_MAX_RRS)
			fz_die("more records stored than DNS_MAX_RRS");
		for (size_t i = 0; i < n[s]; i++) {
			const struct dns_rr *rr = &sec[s][i];
			fz_check_name(rr->name, "rr name unterminated");
			fz_check_name(rr->target, "rr target unterminated");
			if (strnlen(rr->data, DNS_RDATA_TEXT) >= DNS_RDATA_TEXT)
				fz_die("rr data unterminated");
			if (rr->addr_len != 0 && rr->addr_len != 4 &&
			    rr->addr_len != 16)
				fz_die("rr addr_len");
			(void)dns_type_name(rr->type, buf);
			fz_strings(rr->name);
			fz_strings(rr->target);
		}
	}
	(void)dns_type_name(m->qtype, buf);
	(void)dns_rcode_name(m->rcode, buf);
	for (unsigned bit = 1; bit != 0 && bit <= m->anomalies; bit <<= 1)
		if (m->anomalies & bit)
			if (!dns_anomaly_name((enum dns_anomaly)bit))
				fz_die("anomaly without a name");
	fz_strings(m->qname);
}

static void fz_parse(const uint8_t *p, size_t len)
{
	int rc = dns_parse(p, len, &fz_msg);
	if (rc != DX_OK && rc != DX_TRUNC && rc != DX_INVALID)
		fz_die("dns_parse result");
	fz_check_msg(&fz_msg);
}

/* What the framer delivered, for comparing two feedings. */
struct fz_frames {
	size_t n;
	uint64_t h;
};

static void fz_on_msg(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct fz_frames *f = ctx;
	(void)ts;
	if (len == 0 || len > 65535)
		fz_die("framed message length");
	f->n++;
	for (size_t i = 0; i < len; i++)
		f->h = (f->h ^ msg[i]) * 0x100000001b3ULL;
	f->h = (f->h ^ len) * 0x100000001b3ULL;
	fz_parse(msg, len);
}

static void fz_tcp(const uint8_t *data, size_t size)
{
	struct fz_frames one = {0, 0xcbf29ce484222325ULL}, two = one;
	size_t cut = size >= 2 ? ((size_t)data[0] << 8 | data[1]) % (size + 1)
			       : 0;

	dns_tcp_init(&fz_framer);
	dns_tcp_feed(&fz_framer, data, size, 1.0, fz_on_msg, &one);
	dns_tcp_init(&fz_framer);
	dns_tcp_feed(&fz_framer, data, cut, 1.0, fz_on_msg, &two);
	dns_tcp_feed(&fz_framer, data + cut, size - cut, 2.0, fz_on_msg, &two);
	if (one.n != two.n || one.h != two.h)
		fz_die("framer output depends on where the stream is cut");
	/* bytes lost at the cut: the message being framed is dropped */
	dns_tcp_init(&fz_framer);
	dns_tcp_feed(&fz_framer, data, cut, 1.0, fz_on_msg, &two);
	dns_tcp_gap(&fz_framer);
	dns_tcp_feed(&fz_framer, data + cut, size - cut, 2.0, fz_on_msg, &two);
	dns_tcp_gap(&fz_framer);
	/* a NULL callback only frames */
	dns_tcp_feed(&fz_framer, data, size, 3.0, NULL, NULL);
}

static void fz_names(const uint8_t *data, size_t size)
{
	char out[DNS_NAME_MAX];
	unsigned anom;
	size_t offs[2] = {12, 0};
	uint8_t *copy;
	struct rd r;

	if (size >= 4)
		offs[1] = ((size_t)data[2] << 8 | data[3]) % size;
	for (int i = 0; i < 2; i++) {
		for (int lower = 0; lower < 2; lower++) {
			if (offs[i] > size)
				continue;
			rd_init(&r, data, size);
			rd_skip(&r, offs[i]);
			anom = 0;
			(void)dns_read_name(&r, data, size, out, lower, &anom);
			fz_check_name(out, "dns_read_name output");
			if (r.p < data || r.p > data + size)
				fz_die("reader left the message");
			fz_strings(out);
		}
	}
	/* a reader over other memory than msg (pointers then go into msg) */
	copy = malloc(size ? size : 1);
	if (!copy)
		return;
	if (size)
		memcpy(copy, data, size);
	rd_init(&r, copy, size);
	rd_skip(&r, offs[1]);
	anom = 0;
	(void)dns_read_name(&r, data, size, out, true, &anom);
	fz_check_name(out, "dns_read_name output (foreign reader)");
	free(copy);
}

static void fz_raw_strings(const uint8_t *data, size_t size)
{
	/* exact size: the parsers may look at most DNS_NAME_MAX bytes or up
	 * to the NUL, whichever comes first */
	size_t n = size > 1024 ? 1024 : size;
	char *s = malloc(n + 1);
	if (!s)
		return;
	if (n)
		memcpy(s, data, n);
	s[n] = '\0';
	fz_strings(s);
	free(s);
}

static void fz_roundtrip(const uint8_t *data, size_t size)
{
	uint8_t a[16] = {0}, back[16];
	char name[DNS_NAME_MAX], bl[DNS_NAME_MAX + 32], zone[DNS_NAME_MAX];
	size_t n;

	memcpy(a, data + (size > 16 ? size - 16 : 0), size < 16 ? size : 16);
	for (int fam = 4; fam <= 6; fam += 2) {
		if (fam == 4)
			memset(a + 4, 0, 12);
		dns_reverse_name(fam, a, name);
		fz_check_name(name, "dns_reverse_name output");
		if (dns_parse_reverse(name, back) != fam ||
		    memcmp(a, back, 16) != 0)
			fz_die("dns_reverse_name does not parse back");
		/* the same labels under a DNSBL zone */
		n = strlen(name) - (fam == 4 ? strlen("in-addr.arpa")
					     : strlen("ip6.arpa"));
		snprintf(bl, sizeof(bl), "%.*szen.example", (int)n, name);
		if (dns_parse_dnsbl(bl, back, zone) != fam ||
		    memcmp(a, back, 16) != 0 || strcmp(zone, "zen.example"))
			fz_die("DNSBL name does not parse back");
	}
	dns_reverse_name(5, a, name); /* no such family: empty */
	if (name[0] != '\0')
		fz_die("dns_reverse_name of an unknown family");
	dns_reverse_name(4, NULL, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_parse(data, size);
	fz_tcp(data, size);
	fz_names(data, size);
	fz_raw_strings(data, size);
	fz_roundtrip(data, size);
	return 0;
}
