/* test_dns.c - unit tests for the DNS dissector (RFC 1035, 3596, 6891, 7766).
 *
 * Messages are assembled byte by byte in the tests (hand-written hex for the
 * first one, a small builder for the rest), and every parse of a cut or
 * mutated message runs on an exact-size heap copy so that ASan sees any
 * read past the end.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

/* ---- message builder --------------------------------------------------- */

struct mb {
	uint8_t b[8192];
	size_t n;
};

static void mb_u8(struct mb *m, unsigned v)
{
	cr_assert_lt(m->n, sizeof m->b);
	m->b[m->n++] = (uint8_t)v;
}

static void mb_u16(struct mb *m, unsigned v)
{
	mb_u8(m, v >> 8 & 0xff);
	mb_u8(m, v & 0xff);
}

static void mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, v >> 16);
	mb_u16(m, v & 0xffff);
}

static void mb_raw(struct mb *m, const void *p, size_t n)
{
	cr_assert_leq(m->n + n, sizeof m->b);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void mb_hdr(struct mb *m, unsigned id, unsigned flags, unsigned qd,
		   unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

/* Labels of a dotted name (no escapes); no terminator.  Returns the offset
 * of the first label, for compression pointers. */
static size_t mb_labels(struct mb *m, const char *dotted)
{
	size_t start = m->n;
	const char *p = dotted, *dot;
	size_t len;

	while (*p != '\0') {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		mb_u8(m, (unsigned)len);
		mb_raw(m, p, len);
		p += len + (dot ? 1 : 0);
	}
	return start;
}

static void mb_ptr(struct mb *m, size_t off)
{
	mb_u8(m, 0xC0 | (unsigned)(off >> 8));
	mb_u8(m, off & 0xff);
}

/* A full name ending in the root label; returns its offset. */
static size_t mb_name(struct mb *m, const char *dotted)
{
	size_t off = mb_labels(m, dotted);

	mb_u8(m, 0);
	return off;
}

/* "prefix" labels then a pointer to off; returns the name's offset. */
static size_t mb_name_ptr(struct mb *m, const char *prefix, size_t off)
{
	size_t start = mb_labels(m, prefix);

	mb_ptr(m, off);
	return start;
}

/* A question: the name, qtype, class IN; returns the name's offset. */
static size_t mb_question(struct mb *m, const char *dotted, unsigned qtype)
{
	size_t off = mb_name(m, dotted);

	mb_u16(m, qtype);
	mb_u16(m, 1);
	return off;
}

/* type, class, ttl and a placeholder rdlength; returns where rdata starts. */
static size_t mb_rr(struct mb *m, unsigned type, unsigned rclass,
		    uint32_t ttl)
{
	mb_u16(m, type);
	mb_u16(m, rclass);
	mb_u32(m, ttl);
	mb_u16(m, 0);
	return m->n;
}

static void mb_rr_end(struct mb *m, size_t rdata_start)
{
	size_t len = m->n - rdata_start;

	m->b[rdata_start - 2] = (uint8_t)(len >> 8);
	m->b[rdata_start - 1] = (uint8_t)(len & 0xff);
}

/* An OPT record with the root owner and no options: rclass is the UDP
 * size, ttl the extended rcode, version and flags. */
static void mb_opt(struct mb *m, unsigned udp, uint32_t ttl)
{
	mb_u8(m, 0);
	mb_rr_end(m, mb_rr(m, DNS_T_OPT, udp, ttl));
}

static void mb_a(struct mb *m, unsigned a, unsigned b, unsigned c, unsigned d)
{
	size_t s = mb_rr(m, DNS_T_A, 1, 300);

	mb_u8(m, a);
	mb_u8(m, b);
	mb_u8(m, c);
	mb_u8(m, d);
	mb_rr_end(m, s);
}

/* A wire name of labels with the given lengths, filled with 'a'. */
static size_t wire_name(uint8_t *w, const int *lens, int n, int fill)
{
	size_t o = 0;
	int i;

	for (i = 0; i < n; i++) {
		w[o++] = (uint8_t)lens[i];
		memset(w + o, i == 0 ? fill : 'a', (size_t)lens[i]);
		o += (size_t)lens[i];
	}
	w[o++] = 0;
	return o;
}

/* Parse an exact-size heap copy, so ASan catches any over-read. */
static int parse_copy(const uint8_t *b, size_t n, struct dns_msg *out)
{
	uint8_t *c = malloc(n ? n : 1);
	int ret;

	cr_assert_not_null(c);
	if (n)
		memcpy(c, b, n);
	ret = dns_parse(c, n, out);
	free(c);
	return ret;
}

/* The struct is ~85 KB: keep it off the stack and start from garbage so
 * "fully initialised" is actually tested. */
static struct dns_msg *new_msg(void)
{
	struct dns_msg *m = malloc(sizeof *m);

	cr_assert_not_null(m);
	memset(m, 0xA5, sizeof *m);
	return m;
}

/* ---- whole messages ---------------------------------------------------- */

/* Response to WWW.Example.COM/A with two compressed answers. */
static const uint8_t resp_a[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	/* 12: question */
	0x03, 'W', 'W', 'W', 0x07, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
	0x03, 'C', 'O', 'M', 0x00, 0x00, 0x01, 0x00, 0x01,
	/* 33: answer, owner -> 12 */
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
	0xc0, 0x00, 0x02, 0x01,
	/* 49: answer, owner -> 16 ("Example.COM") */
	0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
	0xc0, 0x00, 0x02, 0x02,
};
#define RESP_A_QEND 33

Test(dns, a_response_with_compression)
{
	struct dns_msg *m = new_msg();

	cr_assert_eq(parse_copy(resp_a, sizeof resp_a, m), DX_OK);
	cr_assert_eq(m->id, 0x1234);
	cr_assert(m->qr && m->rd && m->ra);
	cr_assert(!m->aa && !m->tc && !m->ad && !m->cd);
	cr_assert_eq(m->opcode, 0);
	cr_assert_eq(m->rcode, DNS_R_NOERROR);
	cr_assert_eq(m->qdcount, 1);
	cr_assert_eq(m->ancount, 2);
	cr_assert(m->has_question);
	cr_assert_str_eq(m->qname, "www.example.com"); /* lower-cased */
	cr_assert_eq(m->qtype, DNS_T_A);
	cr_assert_eq(m->qclass, 1);
	cr_assert_eq(m->n_an, 2);
	cr_assert_eq(m->n_ns, 0);
	cr_assert_eq(m->n_ar, 0);
	cr_assert_str_eq(m->an[0].name, "WWW.Example.COM"); /* case kept */
	cr_assert_eq(m->an[0].type, DNS_T_A);
	cr_assert_eq(m->an[0].ttl, 3600);
	cr_assert_eq(m->an[0].addr_len, 4);
	cr_assert_eq(memcmp(m->an[0].addr, "\xc0\x00\x02\x01", 4), 0);
	cr_assert_str_eq(m->an[0].data, "192.0.2.1");
	cr_assert_str_eq(m->an[1].name, "Example.COM");
	cr_assert_str_eq(m->an[1].data, "192.0.2.2");
	cr_assert_str_eq(m->an[1].target, "");
	cr_assert_eq(m->anomalies, 0);
	cr_assert_eq(m->edns, false);
	free(m);
}

static void aaaa_rr(struct mb *m, const char *hex32)
{
	unsigned v;
	size_t s;
	int i;

	mb_ptr(m, 12);
	s = mb_rr(m, DNS_T_AAAA, 1, 60);
	for (i = 0; i < 16; i++) {
		cr_assert_eq(sscanf(hex32 + 2 * i, "%2x", &v), 1);
		mb_u8(m, v);
	}
	mb_rr_end(m, s);
}

Test(dns, aaaa_rfc5952_text)
{
	static const struct {
		const char *hex, *text;
	} c[] = {
		{"20010db8000000000000000000000001", "2001:db8::1"},
		{"00000000000000000000000000000000", "::"},
		{"00000000000000000000000000000001", "::1"},
		{"20010db8000000000001000000000001", "2001:db8::1:0:0:1"},
		{"20010000000000010000000000000001", "2001:0:0:1::1"},
		{"20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"},
		{"00000000000000000000ffffc0000201", "::ffff:192.0.2.1"},
		{"fe80000000000000abcd000000000000", "fe80::abcd:0:0:0"},
		{"00010000000000000000000000000000", "1::"},
		{"0abc00000000000000000000000000ff", "abc::ff"},
	};
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t i, n = sizeof c / sizeof c[0];

	mb_hdr(&b, 7, 0x8180, 1, (unsigned)n, 0, 0);
	mb_question(&b, "v6.example", DNS_T_AAAA);
	for (i = 0; i < n; i++)
		aaaa_rr(&b, c[i].hex);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->n_an, n);
	for (i = 0; i < n; i++) {
		cr_assert_str_eq(m->an[i].data, c[i].text, "case %zu", i);
		cr_assert_eq(m->an[i].addr_len, 16);
	}
	cr_assert_eq(m->an[0].addr[0], 0x20);
	cr_assert_eq(m->an[0].addr[15], 0x01);
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, mx_two_records)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t q, s;

	mb_hdr(&b, 9, 0x8580, 1, 2, 0, 0);
	q = mb_question(&b, "example.org", DNS_T_MX);
	mb_ptr(&b, q);
	s = mb_rr(&b, DNS_T_MX, 1, 3600);
	mb_u16(&b, 10);
	mb_name_ptr(&b, "mx1", q);
	mb_rr_end(&b, s);
	mb_ptr(&b, q);
	s = mb_rr(&b, DNS_T_MX, 1, 3600);
	mb_u16(&b, 20);
	mb_name(&b, "MX2.example.net");
	mb_rr_end(&b, s);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->aa);
	cr_assert_eq(m->qtype, DNS_T_MX);
	cr_assert_eq(m->n_an, 2);
	cr_assert_eq(m->an[0].pref, 10);
	cr_assert_str_eq(m->an[0].target, "mx1.example.org");
	cr_assert_str_eq(m->an[0].data, "10 mx1.example.org");
	cr_assert_eq(m->an[1].pref, 20);
	cr_assert_str_eq(m->an[1].target, "MX2.example.net");
	cr_assert_str_eq(m->an[1].data, "20 MX2.example.net");
	cr_assert_eq(m->an[1].addr_len, 0);
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, ptr_record)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	uint8_t addr[16];
	size_t s;

	mb_hdr(&b, 1, 0x8180, 1, 1, 0, 0);
	mb_question(&b, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_PTR, 1, 86400);
	mb_name(&b, "mail.example.net");
	mb_rr_end(&b, s);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_str_eq(m->qname, "10.2.0.192.in-addr.arpa");
	cr_assert_str_eq(m->an[0].name, "10.2.0.192.in-addr.arpa");
	cr_assert_str_eq(m->an[0].target, "mail.example.net");
	cr_assert_str_eq(m->an[0].data, "mail.example.net");
	cr_assert_eq(dns_parse_reverse(m->qname, addr), 4);
	cr_assert_eq(memcmp(addr, "\xc0\x00\x02\x0a", 4), 0);
	free(m);
}

Test(dns, cname_chain)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s, a_name, b_name;

	mb_hdr(&b, 2, 0x8180, 1, 3, 0, 0);
	mb_question(&b, "www.example.com", DNS_T_A);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_CNAME, 1, 60);
	a_name = mb_name(&b, "a.cdn.example.net");
	mb_rr_end(&b, s);
	mb_ptr(&b, a_name); /* owner compressed into the previous rdata */
	s = mb_rr(&b, DNS_T_CNAME, 1, 60);
	b_name = mb_name_ptr(&b, "b", a_name + 2); /* b.cdn.example.net */
	mb_rr_end(&b, s);
	mb_ptr(&b, b_name);
	mb_a(&b, 198, 51, 100, 7);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->n_an, 3);
	cr_assert_str_eq(m->an[0].name, "www.example.com");
	cr_assert_eq(m->an[0].type, DNS_T_CNAME);
	cr_assert_str_eq(m->an[0].target, "a.cdn.example.net");
	cr_assert_str_eq(m->an[1].name, "a.cdn.example.net");
	cr_assert_str_eq(m->an[1].target, "b.cdn.example.net");
	cr_assert_str_eq(m->an[1].data, "b.cdn.example.net");
	cr_assert_str_eq(m->an[2].name, "b.cdn.example.net");
	cr_assert_str_eq(m->an[2].data, "198.51.100.7");
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

/* Response with one TXT answer holding the given strings. */
static void txt_msg(struct mb *b, const uint8_t *const *strs,
		    const size_t *lens, size_t n)
{
	size_t s, i;

	mb_hdr(b, 3, 0x8180, 1, 1, 0, 0);
	mb_question(b, "example.org", DNS_T_TXT);
	mb_ptr(b, 12);
	s = mb_rr(b, DNS_T_TXT, 1, 60);
	for (i = 0; i < n; i++) {
		mb_u8(b, (unsigned)lens[i]);
		mb_raw(b, strs[i], lens[i]);
	}
	mb_rr_end(b, s);
}

Test(dns, txt_odd_bytes)
{
	static const uint8_t s1[] = "v=spf1 -all";
	static const uint8_t s2[] = {'a', '\\', 'b', 0x01, 0xff, '"', 0x7f};
	const uint8_t *strs[] = {s1, (const uint8_t *)"", s2};
	size_t lens[] = {sizeof s1 - 1, 0, sizeof s2};
	struct mb b;
	struct dns_msg *m = new_msg();

	txt_msg(&b, strs, lens, 3);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->n_an, 1);
	cr_assert_str_eq(m->an[0].data,
			 "v=spf1 -alla\\x5cb\\x01\\xff\"\\x7f");
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, txt_truncated_with_ellipsis_on_escape_boundary)
{
	uint8_t ctl[255], letters[200];
	const uint8_t *strs[] = {ctl};
	const uint8_t *strs2[] = {letters, letters};
	size_t lens[] = {sizeof ctl}, lens2[] = {200, 200};
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t n;

	memset(ctl, 0x01, sizeof ctl); /* every byte renders as "\x01" */
	txt_msg(&b, strs, lens, 1);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	n = strlen(m->an[0].data);
	cr_assert_leq(n, DNS_RDATA_TEXT - 1);
	cr_assert_str_eq(m->an[0].data + n - 3, "...");
	cr_assert_eq((n - 3) % 4, 0, "an escape was cut: %zu", n);
	cr_assert_eq(n, 316 + 3);
	cr_assert_eq(strncmp(m->an[0].data, "\\x01\\x01", 8), 0);

	memset(letters, 'A', sizeof letters);
	txt_msg(&b, strs2, lens2, 2);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	n = strlen(m->an[0].data);
	cr_assert_eq(n, DNS_RDATA_TEXT - 1);
	cr_assert_str_eq(m->an[0].data + n - 3, "...");
	cr_assert_eq(m->an[0].data[200], 'A', "strings concatenated");

	/* 'A' + 78 escapes = 313 chars; the 80th escape cuts there, and the
	 * letters after it must not be appended behind the "...". */
	letters[0] = 'A';
	memset(letters + 1, 0x01, 80);
	memset(letters + 81, 'Z', 10);
	lens2[0] = 91;
	txt_msg(&b, strs2, lens2, 1);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	n = strlen(m->an[0].data);
	cr_assert_eq(n, 313 + 3);
	cr_assert_str_eq(m->an[0].data + 309, "\\x01...");
	free(m);
}

Test(dns, txt_string_past_rdlength)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;

	mb_hdr(&b, 3, 0x8180, 1, 2, 0, 0);
	mb_question(&b, "example.org", DNS_T_TXT);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_TXT, 1, 60);
	mb_u8(&b, 10); /* claims 10 bytes, rdata has 3 */
	mb_raw(&b, "abc", 3);
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	mb_a(&b, 192, 0, 2, 9);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->anomalies & DNS_ANOM_RDLEN);
	cr_assert_str_eq(m->an[0].data, "\\# 4");
	cr_assert_eq(m->n_an, 2);
	cr_assert_str_eq(m->an[1].data, "192.0.2.9");
	free(m);
}

Test(dns, nxdomain_with_soa_in_authority)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	char buf[16];
	size_t zone, s;

	mb_hdr(&b, 4, 0x8183, 1, 0, 1, 0);
	zone = mb_question(&b, "nope.example.org", DNS_T_A) + 5;
	mb_ptr(&b, zone);
	s = mb_rr(&b, DNS_T_SOA, 1, 300);
	mb_name_ptr(&b, "ns1", zone);
	mb_name_ptr(&b, "hostmaster", zone);
	mb_u32(&b, 2024010101u);
	mb_u32(&b, 7200);
	mb_u32(&b, 3600);
	mb_u32(&b, 1209600);
	mb_u32(&b, 300);
	mb_rr_end(&b, s);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->rcode, DNS_R_NXDOMAIN);
	cr_assert_str_eq(dns_rcode_name(m->rcode, buf), "NXDOMAIN");
	cr_assert_eq(m->n_an, 0);
	cr_assert_eq(m->n_ns, 1);
	cr_assert_str_eq(m->ns[0].name, "example.org");
	cr_assert_eq(m->ns[0].type, DNS_T_SOA);
	cr_assert_str_eq(m->ns[0].data, "ns1.example.org hostmaster.example.org"
					" 2024010101 7200 3600 1209600 300");
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

/* SOA text can pass DNS_RDATA_TEXT: the cut falls between escapes. */
Test(dns, soa_text_truncated_between_escapes)
{
	static const int mlens[] = {63, 63, 63, 61}; /* 253 characters */
	static const int rlens[] = {63};             /* 63 x "\032" */
	uint8_t w[300];
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s, n;
	int i;

	mb_hdr(&b, 8, 0x8180, 1, 1, 0, 0);
	mb_question(&b, "example.org", DNS_T_SOA);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_SOA, 1, 60);
	mb_raw(&b, w, wire_name(w, mlens, 4, 'm'));
	mb_raw(&b, w, wire_name(w, rlens, 1, ' '));
	for (i = 0; i < 5; i++)
		mb_u32(&b, 1);
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->anomalies, 0);
	n = strlen(m->an[0].data);
	/* rname starts at 254; whole escapes fit up to 314, then "...". */
	cr_assert_eq(n, 314 + 3);
	cr_assert_str_eq(m->an[0].data + 310, "\\032...");
	cr_assert_eq(m->an[0].data[253], ' ');
	free(m);
}

Test(dns, edns_opt_do_bit_and_extended_rcode)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	char buf[16];
	size_t s;

	mb_hdr(&b, 5, 0x8180, 1, 0, 0, 2);
	mb_question(&b, "example.org", DNS_T_A);
	mb_name_ptr(&b, "ns1", 12); /* glue */
	mb_a(&b, 192, 0, 2, 53);
	mb_u8(&b, 0); /* OPT: root owner */
	s = mb_rr(&b, DNS_T_OPT, 1232, 0x01008000u); /* ext 1, v0, DO */
	mb_u16(&b, 10); /* COOKIE option, ignored */
	mb_u16(&b, 8);
	mb_raw(&b, "\1\2\3\4\5\6\7\10", 8);
	mb_rr_end(&b, s);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->edns);
	cr_assert_eq(m->edns_udp, 1232);
	cr_assert_eq(m->edns_version, 0);
	cr_assert(m->edns_do);
	cr_assert_eq(m->rcode, 16);
	cr_assert_str_eq(dns_rcode_name(m->rcode, buf), "BADVERS");
	cr_assert_eq(m->n_ar, 1); /* OPT is not stored */
	cr_assert_eq(m->ar[0].type, DNS_T_A);
	cr_assert_str_eq(m->ar[0].name, "ns1.example.org");
	cr_assert_eq(m->anomalies, 0);

	/* Header rcode kept in the low bits; version and DO read apart. */
	mb_hdr(&b, 5, 0x8183, 1, 0, 0, 1);
	mb_question(&b, "example.org", DNS_T_A);
	mb_opt(&b, 4096, 0x00010000u);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->edns);
	cr_assert_eq(m->rcode, DNS_R_NXDOMAIN);
	cr_assert_eq(m->edns_version, 1);
	cr_assert(!m->edns_do);
	cr_assert_eq(m->edns_udp, 4096);
	cr_assert_eq(m->n_ar, 0);
	free(m);
}

Test(dns, opt_placement_and_repeats)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	/* OPT in the answer section is an ordinary (odd) record. */
	mb_hdr(&b, 5, 0x8180, 1, 1, 0, 2);
	mb_question(&b, "example.org", DNS_T_A);
	mb_opt(&b, 512, 0x02000000u);
	/* Two OPTs in additional: the first one counts. */
	mb_opt(&b, 1400, 0x00008000u);
	mb_opt(&b, 4096, 0x03010000u);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->n_an, 1);
	cr_assert_eq(m->an[0].type, DNS_T_OPT);
	cr_assert_str_eq(m->an[0].data, "\\# 0");
	cr_assert(m->edns);
	cr_assert_eq(m->edns_udp, 1400);
	cr_assert(m->edns_do);
	cr_assert_eq(m->edns_version, 0);
	cr_assert_eq(m->rcode, 0);
	cr_assert_eq(m->n_ar, 0);
	free(m);
}

Test(dns, update_delete_has_empty_rdata)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;

	/* RFC 2136: zone, no prerequisites, updates "delete all MX" (class
	 * ANY, rdlength 0) then "add A" with an empty rdata, which is wrong. */
	mb_hdr(&b, 9, 0x2800, 1, 0, 1, 0);
	mb_question(&b, "example.org", DNS_T_SOA);
	mb_name_ptr(&b, "host", 12);
	s = mb_rr(&b, DNS_T_MX, 255, 0);
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->anomalies, 0);

	b.b[9] = 2; /* nscount */
	mb_name_ptr(&b, "host", 12);
	s = mb_rr(&b, DNS_T_A, 1, 0);
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->n_ns, 2);
	cr_assert_str_eq(m->ns[0].data, "\\# 0");
	cr_assert_eq(m->anomalies, DNS_ANOM_RDLEN); /* from the second only */
	free(m);
}

Test(dns, tc_bit_and_header_flags)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	mb_hdr(&b, 0xbeef, 0x8330, 1, 0, 0, 0); /* QR TC RD AD CD */
	mb_question(&b, "big.example", DNS_T_TXT);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->tc && m->qr && m->rd && m->ad && m->cd);
	cr_assert(!m->ra && !m->aa);
	cr_assert_eq(m->id, 0xbeef);

	mb_hdr(&b, 1, 0x2800, 1, 0, 0, 0); /* opcode 5 UPDATE */
	mb_question(&b, "example", DNS_T_SOA);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->opcode, 5);
	cr_assert(!m->qr);
	free(m);
}

Test(dns, invalid_opcode_and_empty_query)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	mb_hdr(&b, 1, 0x3000, 1, 0, 0, 0); /* opcode 6 (DSO) is the last */
	mb_question(&b, "example", DNS_T_A);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->opcode, 6);

	mb_hdr(&b, 1, 0x3800, 1, 0, 0, 0); /* opcode 7 */
	mb_question(&b, "example", DNS_T_A);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert_eq(m->opcode, 7);

	mb_hdr(&b, 1, 0x0100, 0, 0, 0, 0); /* query without question */
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(!m->has_question);

	mb_hdr(&b, 1, 0x8184, 0, 0, 0, 0); /* NOTIMP reply, no question */
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(!m->has_question);
	cr_assert_str_eq(m->qname, "");
	cr_assert_eq(m->rcode, DNS_R_NOTIMP);
	free(m);
}

Test(dns, truncated_header)
{
	struct dns_msg *m = new_msg();
	size_t n;

	for (n = 0; n < 12; n++) {
		cr_assert_eq(parse_copy(resp_a, n, m), DX_TRUNC, "len %zu", n);
		cr_assert_eq(m->id, 0); /* zeroed, not half-filled */
		cr_assert_eq(m->n_an, 0);
		cr_assert_eq(m->qname[0], '\0');
	}
	cr_assert_eq(dns_parse(NULL, 0, m), DX_TRUNC);
	free(m);
}

Test(dns, truncated_question)
{
	struct dns_msg *m = new_msg();

	cr_assert_eq(parse_copy(resp_a, 20, m), DX_TRUNC); /* in the name */
	cr_assert(!m->has_question);
	cr_assert_str_eq(m->qname, "");
	cr_assert_eq(m->id, 0x1234); /* the header was fine */
	cr_assert_eq(parse_copy(resp_a, 30, m), DX_TRUNC); /* in qtype */
	cr_assert_eq(parse_copy(resp_a, 32, m), DX_TRUNC); /* in qclass */
	cr_assert(!m->has_question);
	cr_assert_eq(parse_copy(resp_a, RESP_A_QEND, m), DX_OK);
	cr_assert(m->has_question);
	free(m);
}

Test(dns, truncated_rr_keeps_earlier_records)
{
	struct dns_msg *m = new_msg();
	size_t cut;

	for (cut = 49; cut < sizeof resp_a; cut++) {
		cr_assert_eq(parse_copy(resp_a, cut, m), DX_OK, "cut %zu", cut);
		cr_assert(m->anomalies & DNS_ANOM_TRUNC_RR);
		cr_assert(!(m->anomalies & DNS_ANOM_TRAILING));
		cr_assert_eq(m->n_an, 1);
		cr_assert_str_eq(m->an[0].data, "192.0.2.1");
	}
	free(m);
}

Test(dns, every_prefix_of_a_response)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t q_end, n, s;
	int ret;

	/* MX response with glue and EDNS: names, rdata names, OPT. */
	mb_hdr(&b, 11, 0x8180, 1, 1, 1, 2);
	mb_question(&b, "example.org", DNS_T_MX);
	q_end = b.n;
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_MX, 1, 60);
	mb_u16(&b, 5);
	mb_name_ptr(&b, "mx", 12);
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_NS, 1, 60);
	mb_name_ptr(&b, "ns", 12);
	mb_rr_end(&b, s);
	mb_name_ptr(&b, "mx", 12);
	mb_a(&b, 192, 0, 2, 25);
	mb_opt(&b, 1232, 0x8000);

	for (n = 0; n <= b.n; n++) {
		ret = parse_copy(b.b, n, m);
		if (n < q_end) {
			cr_assert_eq(ret, DX_TRUNC, "len %zu", n);
		} else {
			cr_assert_eq(ret, DX_OK, "len %zu", n);
			cr_assert_str_eq(m->qname, "example.org");
			cr_assert_eq(!!(m->anomalies & DNS_ANOM_TRUNC_RR),
				     n < b.n, "len %zu", n);
		}
	}
	cr_assert_eq(m->anomalies, 0);
	cr_assert_str_eq(m->an[0].data, "5 mx.example.org");
	cr_assert_str_eq(m->ns[0].data, "ns.example.org");
	cr_assert_str_eq(m->ar[0].data, "192.0.2.25");
	cr_assert(m->edns_do);

	/* The same for the hand-written response. */
	for (n = 0; n <= sizeof resp_a; n++) {
		ret = parse_copy(resp_a, n, m);
		cr_assert_eq(ret, n < RESP_A_QEND ? DX_TRUNC : DX_OK);
	}
	free(m);
}

Test(dns, mutated_messages_never_crash)
{
	uint8_t c[sizeof resp_a];
	struct dns_msg *m = new_msg();
	uint32_t x = 12345;
	size_t i, k;
	int ret;

	for (i = 0; i < 5000; i++) {
		memcpy(c, resp_a, sizeof c);
		for (k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			c[(x >> 8) % sizeof c] = (uint8_t)(x >> 20);
		}
		ret = parse_copy(c, sizeof c, m);
		cr_assert(ret == DX_OK || ret == DX_TRUNC || ret == DX_INVALID);
		cr_assert_lt(strlen(m->qname), DNS_NAME_MAX);
		cr_assert_leq(m->n_an, DNS_MAX_RRS);
	}
	free(m);
}

/* ---- names ------------------------------------------------------------- */

/* Query whose question name is the raw bytes given (terminator included). */
static void raw_query(struct mb *b, const void *name, size_t n)
{
	mb_hdr(b, 1, 0x0100, 1, 0, 0, 0);
	mb_raw(b, name, n);
	mb_u16(b, 1);
	mb_u16(b, 1);
}

Test(dns, pointer_to_itself)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	raw_query(&b, "\xc0\x0c", 2);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_NAME_LOOP);
	cr_assert(!m->has_question);

	/* In an answer owner name: the record is dropped, the message is
	 * still DNS. */
	mb_hdr(&b, 1, 0x8180, 1, 1, 0, 0);
	mb_question(&b, "example.org", DNS_T_A);
	mb_ptr(&b, b.n);
	mb_a(&b, 192, 0, 2, 1);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->anomalies & DNS_ANOM_NAME_LOOP);
	cr_assert_eq(m->n_an, 0);
	free(m);
}

Test(dns, pointer_forwards)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	/* 12: ptr -> 18, 14: qtype qclass, 18: "a" -- a valid name, but
	 * ahead of the pointer. */
	mb_hdr(&b, 1, 0x8180, 1, 0, 0, 0);
	mb_ptr(&b, 18);
	mb_u16(&b, 1);
	mb_u16(&b, 1);
	mb_name(&b, "a");
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_NAME_LOOP);

	/* A forward pointer inside CNAME rdata: generic rendering, no RDLEN. */
	mb_hdr(&b, 1, 0x8180, 1, 1, 0, 0);
	mb_question(&b, "a", DNS_T_A);
	mb_ptr(&b, 12);
	mb_u16(&b, DNS_T_CNAME);
	mb_u16(&b, 1);
	mb_u32(&b, 1);
	mb_u16(&b, 2);
	mb_ptr(&b, b.n + 2);
	mb_name(&b, "x");
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->anomalies & DNS_ANOM_NAME_LOOP);
	cr_assert(!(m->anomalies & DNS_ANOM_RDLEN));
	cr_assert_eq(m->n_an, 1);
	cr_assert_str_eq(m->an[0].data, "\\# 2");
	cr_assert_str_eq(m->an[0].target, "");
	cr_assert(m->anomalies & DNS_ANOM_TRAILING); /* the "x" after it */
	free(m);
}

Test(dns, two_pointers_at_each_other)
{
	uint8_t msg[16] = {0};
	char out[DNS_NAME_MAX];
	unsigned anom = 0;
	struct rd r;

	msg[12] = 0xc0;
	msg[13] = 14;
	msg[14] = 0xc0;
	msg[15] = 12;
	rd_init(&r, msg, sizeof msg);
	rd_seek(&r, 12);
	cr_assert_eq(dns_read_name(&r, msg, sizeof msg, out, false, &anom),
		     DX_INVALID);
	cr_assert_eq(anom, DNS_ANOM_NAME_LOOP);
	cr_assert_str_eq(out, "");

	anom = 0;
	rd_seek(&r, 14); /* 14 -> 12 is backwards, then 12 -> 14 is not */
	cr_assert_eq(dns_read_name(&r, msg, sizeof msg, out, false, &anom),
		     DX_INVALID);
	cr_assert_eq(anom, DNS_ANOM_NAME_LOOP);
}

Test(dns, pointer_chain_and_hop_cap)
{
	struct mb b;
	char out[DNS_NAME_MAX];
	unsigned anom = 0;
	struct rd r;
	size_t a, bb, c, p[70];
	int k;

	mb_hdr(&b, 0, 0, 0, 0, 0, 0);
	a = mb_name(&b, "a");
	bb = mb_name_ptr(&b, "b", a);
	c = mb_name_ptr(&b, "c", bb);
	mb_ptr(&b, c);
	mb_u8(&b, 0x99);
	rd_init(&r, b.b, b.n);
	rd_seek(&r, c + 4);
	cr_assert_eq(dns_read_name(&r, b.b, b.n, out, false, &anom), DX_OK);
	cr_assert_str_eq(out, "c.b.a");
	cr_assert_eq(rd_offset(&r), c + 6); /* only past the pointer */
	cr_assert_eq(anom, 0);

	/* Pointer k points at pointer k-1: k+1 hops to reach "a". */
	p[0] = b.n;
	mb_ptr(&b, a);
	for (k = 1; k < 70; k++) {
		p[k] = b.n;
		mb_ptr(&b, p[k - 1]);
	}
	rd_init(&r, b.b, b.n);
	rd_seek(&r, p[DNS_PTR_HOPS - 1]);
	cr_assert_eq(dns_read_name(&r, b.b, b.n, out, false, &anom), DX_OK);
	cr_assert_str_eq(out, "a");
	rd_seek(&r, p[DNS_PTR_HOPS]);
	cr_assert_eq(dns_read_name(&r, b.b, b.n, out, false, &anom),
		     DX_INVALID);
	cr_assert_eq(anom, DNS_ANOM_NAME_LOOP);
}

Test(dns, label_length_limits)
{
	uint8_t name[80];
	struct mb b;
	struct dns_msg *m = new_msg();

	name[0] = 63;
	memset(name + 1, 'x', 63);
	name[64] = 0;
	raw_query(&b, name, 65);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(strlen(m->qname), 63);

	name[0] = 64; /* 0x40: an extended label type, not a length */
	memset(name + 1, 'x', 64);
	name[65] = 0;
	raw_query(&b, name, 66);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_BAD_LABEL);

	raw_query(&b, "\x80\x01x\x00", 4);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_BAD_LABEL);
	free(m);
}

Test(dns, name_length_limits)
{
	static const int ok[] = {63, 63, 63, 61};   /* 255 octets on the wire */
	static const int over[] = {63, 63, 63, 62}; /* 256 */
	static const int five[] = {50, 50, 50, 50, 50};
	static const int esc_ok[] = {63, 2}, esc_over[] = {63, 3};
	uint8_t w[400];
	struct mb b;
	struct dns_msg *m = new_msg();

	raw_query(&b, w, wire_name(w, ok, 4, 'a'));
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(strlen(m->qname), 253);

	raw_query(&b, w, wire_name(w, over, 4, 'a'));
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_NAME_TOO_LONG);

	raw_query(&b, w, wire_name(w, five, 5, 'a'));
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_NAME_TOO_LONG);

	/* 63 spaces render as 252 chars of \032: 252 + ".aa" = 255 fits. */
	raw_query(&b, w, wire_name(w, esc_ok, 2, ' '));
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(strlen(m->qname), 255);
	cr_assert_eq(strncmp(m->qname, "\\032\\032", 8), 0);
	cr_assert_str_eq(m->qname + 252, ".aa");

	raw_query(&b, w, wire_name(w, esc_over, 2, ' '));
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_INVALID);
	cr_assert(m->anomalies & DNS_ANOM_NAME_TOO_LONG);
	cr_assert_str_eq(m->qname, "");
	free(m);
}

/* An escape that would end exactly one past the 255th character: 62
 * spaces (248) + ".abc" (252) + "\032" would need 256. */
Test(dns, escape_at_name_buffer_edge)
{
	uint8_t w[80];
	char *out = malloc(DNS_NAME_MAX); /* exact size: ASan sees a 257th */
	unsigned anom = 0;
	struct rd r;

	cr_assert_not_null(out);
	memset(w, ' ', sizeof w);
	w[0] = 62;
	w[63] = 4;
	memcpy(w + 64, "abc \0", 5);
	rd_init(&r, w, 69);
	cr_assert_eq(dns_read_name(&r, w, 69, out, false, &anom), DX_INVALID);
	cr_assert_eq(anom, DNS_ANOM_NAME_TOO_LONG);
	cr_assert_str_eq(out, "");

	w[67] = 'd'; /* plain letter instead: 253 characters, fine */
	rd_init(&r, w, 69);
	anom = 0;
	cr_assert_eq(dns_read_name(&r, w, 69, out, false, &anom), DX_OK);
	cr_assert_eq(strlen(out), 253);
	cr_assert_str_eq(out + 248, ".abcd");
	free(out);
}

Test(dns, label_escaping_and_case)
{
	static const uint8_t name[] = {3, 'A', '.', 'b', 4, 'X', ' ', 'Y', '\\',
				       2, 0xc3, 0x9f, 0};
	char out[DNS_NAME_MAX];
	unsigned anom = 0;
	struct rd r;

	rd_init(&r, name, sizeof name);
	cr_assert_eq(dns_read_name(&r, name, sizeof name, out, true, &anom),
		     DX_OK);
	cr_assert_str_eq(out, "a\\046b.x\\032y\\092.\\195\\159");
	cr_assert_eq(rd_left(&r), 0);
	rd_init(&r, name, sizeof name);
	cr_assert_eq(dns_read_name(&r, name, sizeof name, out, false, &anom),
		     DX_OK);
	cr_assert_str_eq(out, "A\\046b.X\\032Y\\092.\\195\\159");

	rd_init(&r, (const uint8_t *)"", 1); /* the root */
	cr_assert_eq(dns_read_name(&r, r.base, 1, out, true, &anom), DX_OK);
	cr_assert_str_eq(out, "");
	cr_assert_eq(anom, 0);
}

/* ---- record counts and lengths ----------------------------------------- */

Test(dns, more_than_max_rrs)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;
	unsigned i;

	mb_hdr(&b, 6, 0x8180, 1, 40, 1, 0);
	mb_question(&b, "many.example", DNS_T_A);
	for (i = 0; i < 40; i++) {
		mb_ptr(&b, 12);
		mb_a(&b, 10, 0, 0, i);
	}
	mb_ptr(&b, 17); /* "example" */
	s = mb_rr(&b, DNS_T_NS, 1, 60);
	mb_name(&b, "ns.example");
	mb_rr_end(&b, s);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->ancount, 40);
	cr_assert_eq(m->n_an, DNS_MAX_RRS);
	cr_assert_str_eq(m->an[DNS_MAX_RRS - 1].data, "10.0.0.31");
	cr_assert_eq(m->anomalies, DNS_ANOM_TOO_MANY_RRS);
	cr_assert_eq(m->n_ns, 1); /* the extra answers were skipped over */
	cr_assert_str_eq(m->ns[0].data, "ns.example");
	free(m);
}

Test(dns, rdlength_mismatch)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;

	mb_hdr(&b, 8, 0x8180, 1, 4, 0, 0);
	mb_question(&b, "example.org", DNS_T_A);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_A, 1, 60);
	mb_raw(&b, "\xc0\x00\x02\x01\x02", 5); /* A with 5 bytes */
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_AAAA, 1, 60);
	mb_raw(&b, "\x20\x01\x0d\xb8", 4); /* AAAA with 4 */
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_CNAME, 1, 60);
	mb_name(&b, "x");
	mb_u8(&b, 0); /* a byte after the name */
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	mb_a(&b, 192, 0, 2, 4);

	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->anomalies, DNS_ANOM_RDLEN);
	cr_assert_eq(m->n_an, 4);
	cr_assert_str_eq(m->an[0].data, "\\# 5");
	cr_assert_eq(m->an[0].addr_len, 0);
	cr_assert_str_eq(m->an[1].data, "\\# 4");
	cr_assert_str_eq(m->an[2].data, "\\# 4");
	cr_assert_str_eq(m->an[2].target, "");
	cr_assert_str_eq(m->an[3].data, "192.0.2.4");

	/* A name running past rdlength, though the message goes on. */
	mb_hdr(&b, 8, 0x8180, 1, 2, 0, 0);
	mb_question(&b, "example.org", DNS_T_A);
	mb_ptr(&b, 12);
	mb_u16(&b, DNS_T_CNAME);
	mb_u16(&b, 1);
	mb_u32(&b, 60);
	mb_u16(&b, 3);
	mb_raw(&b, "\x03" "abc", 4); /* 4 bytes of name, 3 of rdata */
	mb_u8(&b, 0);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert(m->anomalies & DNS_ANOM_RDLEN);
	cr_assert_str_eq(m->an[0].data, "\\# 3");
	free(m);
}

Test(dns, rdlength_mismatch_soa_and_txt)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s, soa;
	int i;

	mb_hdr(&b, 8, 0x8180, 1, 2, 0, 0);
	mb_question(&b, "example.org", DNS_T_SOA);
	mb_ptr(&b, 12);
	s = soa = mb_rr(&b, DNS_T_SOA, 1, 60);
	mb_name_ptr(&b, "ns", 12);
	mb_name_ptr(&b, "hm", 12);
	for (i = 0; i < 5; i++)
		mb_u32(&b, 1);
	mb_u8(&b, 0); /* one byte too many */
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_TXT, 1, 60); /* TXT needs one string at least */
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->anomalies, DNS_ANOM_RDLEN);
	cr_assert_str_eq(m->an[0].data, "\\# 31");
	cr_assert_str_eq(m->an[1].data, "\\# 0");

	b.n = s - 12 - 1; /* drop the TXT and the extra byte: a good SOA */
	b.b[7] = 1;       /* ancount */
	mb_rr_end(&b, soa);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_eq(m->anomalies, 0);
	cr_assert_str_eq(m->an[0].data,
			 "ns.example.org hm.example.org 1 1 1 1 1");
	free(m);
}

Test(dns, unknown_type_and_other_class)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;

	mb_hdr(&b, 8, 0x8180, 1, 2, 0, 0);
	mb_question(&b, "example.org", 257);
	mb_ptr(&b, 12);
	s = mb_rr(&b, 257, 1, 60); /* CAA: not rendered */
	mb_raw(&b, "\x00\x05issueca.example", 17);
	mb_rr_end(&b, s);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_A, 3, 0); /* class CH: A is not an address */
	mb_name(&b, "ch");
	mb_u16(&b, 0x1234);
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_str_eq(m->an[0].data, "\\# 17");
	cr_assert_str_eq(m->an[1].data, "\\# 6");
	cr_assert_eq(m->an[1].addr_len, 0);
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, srv_record)
{
	struct mb b;
	struct dns_msg *m = new_msg();
	size_t s;

	mb_hdr(&b, 8, 0x8180, 1, 1, 0, 0);
	mb_question(&b, "_sip._tcp.example.org", DNS_T_SRV);
	mb_ptr(&b, 12);
	s = mb_rr(&b, DNS_T_SRV, 1, 60);
	mb_u16(&b, 10);
	mb_u16(&b, 5);
	mb_u16(&b, 5060);
	mb_name_ptr(&b, "sip", 22);
	mb_rr_end(&b, s);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_str_eq(m->an[0].data, "10 5 5060 sip.example.org");
	cr_assert_str_eq(m->an[0].target, "sip.example.org");
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, trailing_bytes)
{
	uint8_t c[sizeof resp_a + 3];
	struct dns_msg *m = new_msg();

	memcpy(c, resp_a, sizeof resp_a);
	memcpy(c + sizeof resp_a, "\0\1\2", 3);
	cr_assert_eq(parse_copy(c, sizeof c, m), DX_OK);
	cr_assert_eq(m->anomalies, DNS_ANOM_TRAILING);
	cr_assert_eq(m->n_an, 2);
	cr_assert_eq(parse_copy(c, sizeof resp_a + 1, m), DX_OK); /* one */
	cr_assert_eq(m->anomalies, DNS_ANOM_TRAILING);
	cr_assert_eq(parse_copy(resp_a, sizeof resp_a, m), DX_OK);
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

Test(dns, several_questions_are_skipped)
{
	struct mb b;
	struct dns_msg *m = new_msg();

	mb_hdr(&b, 8, 0x8180, 2, 1, 0, 0);
	mb_question(&b, "first.example", DNS_T_A);
	mb_name_ptr(&b, "second", 18);
	mb_u16(&b, 28);
	mb_u16(&b, 1);
	mb_ptr(&b, 12);
	mb_a(&b, 192, 0, 2, 77);
	cr_assert_eq(parse_copy(b.b, b.n, m), DX_OK);
	cr_assert_str_eq(m->qname, "first.example");
	cr_assert_eq(m->n_an, 1);
	cr_assert_str_eq(m->an[0].data, "192.0.2.77");
	cr_assert_eq(m->anomalies, 0);
	free(m);
}

/* ---- value names ------------------------------------------------------- */

Test(dns, value_names)
{
	char buf[16];

	cr_assert_str_eq(dns_type_name(DNS_T_A, buf), "A");
	cr_assert_str_eq(dns_type_name(DNS_T_AAAA, buf), "AAAA");
	cr_assert_str_eq(dns_type_name(DNS_T_MX, buf), "MX");
	cr_assert_str_eq(dns_type_name(DNS_T_OPT, buf), "OPT");
	cr_assert_str_eq(dns_type_name(DNS_T_ANY, buf), "ANY");
	cr_assert_str_eq(dns_type_name(46, buf), "RRSIG");
	cr_assert_str_eq(dns_type_name(4242, buf), "TYPE4242");
	cr_assert_str_eq(buf, "TYPE4242");
	cr_assert_str_eq(dns_type_name(65535, buf), "TYPE65535");
	cr_assert_str_eq(dns_rcode_name(0, buf), "NOERROR");
	cr_assert_str_eq(dns_rcode_name(5, buf), "REFUSED");
	cr_assert_str_eq(dns_rcode_name(10, buf), "NOTZONE");
	cr_assert_str_eq(dns_rcode_name(16, buf), "BADVERS");
	cr_assert_str_eq(dns_rcode_name(12, buf), "RCODE12");
	cr_assert_str_eq(dns_rcode_name(4095, buf), "RCODE4095");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_NAME_LOOP), "name_loop");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_NAME_TOO_LONG),
			 "name_too_long");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_BAD_LABEL), "bad_label");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_TRUNC_RR), "trunc_rr");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_RDLEN), "rdlength");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_TOO_MANY_RRS),
			 "too_many_rrs");
	cr_assert_str_eq(dns_anomaly_name(DNS_ANOM_TRAILING), "trailing_bytes");
}

/* ---- reverse and DNSBL names ------------------------------------------- */

Test(dns, reverse_ipv4_round_trip)
{
	static const uint8_t a[4] = {192, 0, 2, 10};
	uint8_t back[16];
	char name[DNS_NAME_MAX];

	dns_reverse_name(4, a, name);
	cr_assert_str_eq(name, "10.2.0.192.in-addr.arpa");
	cr_assert_eq(dns_parse_reverse(name, back), 4);
	cr_assert_eq(memcmp(back, a, 4), 0);
	cr_assert_eq(dns_parse_reverse("0.0.0.0.IN-ADDR.Arpa", back), 4);
	cr_assert_eq(dns_parse_reverse("255.255.255.255.in-addr.arpa", back),
		     4);
	cr_assert_eq(back[0], 255);
}

Test(dns, reverse_ipv6_round_trip)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				      0,    0,    0,    0,    0, 0, 0xab, 0x1f};
	uint8_t back[16];
	char name[DNS_NAME_MAX], upper[DNS_NAME_MAX];
	size_t i;

	dns_reverse_name(6, a, name);
	cr_assert_str_eq(name, "f.1.b.a.0.0.0.0.0.0.0.0.0.0.0.0."
			       "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	cr_assert_eq(dns_parse_reverse(name, back), 6);
	cr_assert_eq(memcmp(back, a, 16), 0);
	for (i = 0; name[i]; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z'
					  ? name[i] - 32 : name[i]);
	upper[i] = '\0';
	cr_assert_eq(dns_parse_reverse(upper, back), 6);
	cr_assert_eq(memcmp(back, a, 16), 0);
}

Test(dns, reverse_rejects_malformed)
{
	static const char *bad[] = {
		"2.0.192.in-addr.arpa",        "1.10.2.0.192.in-addr.arpa",
		"010.2.0.192.in-addr.arpa",    "256.2.0.192.in-addr.arpa",
		"a.2.0.192.in-addr.arpa",      "10..0.192.in-addr.arpa",
		"10.2.0.192.in-addr.arpa.net", "in-addr.arpa",
		"10.2.0.192in-addr.arpa",      "1000.2.0.192.in-addr.arpa",
		"10.2.0.192.ip6.arpa",         "-1.2.0.192.in-addr.arpa",
		"10.2.0.192.zen.example.net",  "",
	};
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	char good[DNS_NAME_MAX], name[2 * DNS_NAME_MAX];
	uint8_t addr[16];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(addr, 0x55, sizeof addr);
		cr_assert_eq(dns_parse_reverse(bad[i], addr), 0, "%s", bad[i]);
		cr_assert_eq(addr[0], 0, "addr not cleared for %s", bad[i]);
	}
	dns_reverse_name(6, a6, good);
	cr_assert_eq(dns_parse_reverse(good, addr), 6);
	/* Variations of the valid ip6.arpa name good = "1.0.0....2.ip6.arpa" */
	cr_assert_eq(dns_parse_reverse(good + 2, addr), 0);  /* 31 nibbles */
	snprintf(name, sizeof name, "1.%s", good);           /* 33 nibbles */
	cr_assert_eq(dns_parse_reverse(name, addr), 0);
	snprintf(name, sizeof name, "10%s", good + 1);       /* two digits */
	cr_assert_eq(dns_parse_reverse(name, addr), 0);
	snprintf(name, sizeof name, "g%s", good + 1);        /* not hex */
	cr_assert_eq(dns_parse_reverse(name, addr), 0);
	snprintf(name, sizeof name, "%s.x", good);           /* not last */
	cr_assert_eq(dns_parse_reverse(name, addr), 0);
	snprintf(name, sizeof name, "%s", good);
	name[2] = '.';                                       /* empty label */
	cr_assert_eq(dns_parse_reverse(name, addr), 0);
	name[2] = 'A';                                       /* upper hex ok */
	cr_assert_eq(dns_parse_reverse(name, addr), 6);
	cr_assert_eq(addr[15], 0xa1);
}

Test(dns, dnsbl_names)
{
	static const char v6[] = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				 "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
	static const char *bad[] = {
		"10.2.0.192.in-addr.arpa", "10.2.0.192",
		"2.0.192.zen.example.net", "10.2.0.x.zen.example.net",
		"10.2.0.192.zen..net",     "10.2.0.192.",
		"10.2.0.256.zen.example",  "10.2.0.192.sub.in-addr.arpa",
		"zen.example.net",         "",
	};
	uint8_t addr[16];
	char zone[DNS_NAME_MAX], name[DNS_NAME_MAX];
	size_t i;

	cr_assert_eq(dns_parse_dnsbl("10.2.0.192.zen.example.net", addr, zone),
		     4);
	cr_assert_eq(memcmp(addr, "\xc0\x00\x02\x0a", 4), 0);
	cr_assert_str_eq(zone, "zen.example.net");
	cr_assert_eq(dns_parse_dnsbl("127.0.0.2.bl", addr, NULL), 4);
	cr_assert_eq(addr[0], 2);
	cr_assert_eq(addr[3], 127);

	snprintf(name, sizeof name, "%s.dnsbl.example.org", v6);
	cr_assert_eq(dns_parse_dnsbl(name, addr, zone), 6);
	cr_assert_str_eq(zone, "dnsbl.example.org");
	cr_assert_eq(memcmp(addr, "\x20\x01\x0d\xb8", 4), 0);
	cr_assert_eq(addr[15], 1);

	snprintf(name, sizeof name, "%s.ip6.arpa", v6);
	cr_assert_eq(dns_parse_dnsbl(name, addr, zone), 0);
	cr_assert_str_eq(zone, "");
	cr_assert_eq(dns_parse_reverse(name, addr), 6); /* a PTR name */

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strcpy(zone, "junk");
		cr_assert_eq(dns_parse_dnsbl(bad[i], addr, zone), 0, "%s",
			     bad[i]);
		cr_assert_str_eq(zone, "");
	}
}

/* ---- TCP framing ------------------------------------------------------- */

struct sink {
	int n;
	size_t len[8];
	double ts[8];
	uint8_t msg[8][128];
};

static void sink_fn(void *ctx, const uint8_t *msg, size_t len, double ts)
{
	struct sink *s = ctx;

	cr_assert_lt(s->n, 8);
	cr_assert_leq(len, sizeof s->msg[0]);
	s->len[s->n] = len;
	s->ts[s->n] = ts;
	memcpy(s->msg[s->n], msg, len);
	s->n++;
}

static struct dns_tcp_framer *new_framer(void)
{
	struct dns_tcp_framer *f = malloc(sizeof *f);

	cr_assert_not_null(f);
	memset(f, 0x5a, sizeof *f);
	dns_tcp_init(f);
	return f;
}

/* msg with its 2-byte length prefix, as DNS over TCP sends it. */
static size_t framed(uint8_t *out, const uint8_t *msg, size_t len)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memcpy(out + 2, msg, len);
	return len + 2;
}

Test(dns, tcp_two_messages_in_one_chunk)
{
	struct dns_tcp_framer *f = new_framer();
	struct sink s = {0};
	uint8_t st[256];
	size_t n;
	struct dns_msg *m = new_msg();

	n = framed(st, resp_a, sizeof resp_a);
	st[n++] = 0; /* a zero-length message is skipped */
	st[n++] = 0;
	n += framed(st + n, resp_a, RESP_A_QEND);
	dns_tcp_feed(f, st, n, 7.5, sink_fn, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.len[0], sizeof resp_a);
	cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
	cr_assert_eq(s.len[1], RESP_A_QEND);
	cr_assert_eq(memcmp(s.msg[1], resp_a, RESP_A_QEND), 0);
	cr_assert_eq(s.ts[0], 7.5);
	cr_assert_eq(s.ts[1], 7.5);
	cr_assert_eq(parse_copy(s.msg[0], s.len[0], m), DX_OK);
	cr_assert_eq(m->n_an, 2);

	/* An empty message at a chunk's end delivers nothing later either. */
	dns_tcp_feed(f, (const uint8_t *)"\0\0", 2, 8.0, sink_fn, &s);
	dns_tcp_feed(f, st, sizeof resp_a + 2, 9.0, sink_fn, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.len[2], sizeof resp_a);
	cr_assert_eq(s.ts[2], 9.0);
	free(m);
	free(f);
}

Test(dns, tcp_split_at_every_byte)
{
	struct dns_tcp_framer *f = new_framer();
	uint8_t st[256];
	size_t n = framed(st, resp_a, sizeof resp_a), k, i;

	for (k = 0; k <= n; k++) {
		struct sink s = {0};

		dns_tcp_init(f);
		dns_tcp_feed(f, st, k, 1.0, sink_fn, &s);
		cr_assert_eq(s.n, k == n ? 1 : 0, "split %zu", k);
		dns_tcp_feed(f, st + k, n - k, 2.0, sink_fn, &s);
		cr_assert_eq(s.n, 1, "split %zu", k);
		cr_assert_eq(s.len[0], sizeof resp_a);
		cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
		/* An empty first chunk holds no length byte. */
		cr_assert_eq(s.ts[0], k == 0 ? 2.0 : 1.0, "split %zu", k);
	}

	/* One byte per chunk: the ts is that of the first length byte. */
	{
		struct sink s = {0};

		dns_tcp_init(f);
		for (i = 0; i < n; i++)
			dns_tcp_feed(f, st + i, 1, 10.0 + (double)i, sink_fn,
				     &s);
		cr_assert_eq(s.n, 1);
		cr_assert_eq(s.ts[0], 10.0);
		cr_assert_eq(memcmp(s.msg[0], resp_a, sizeof resp_a), 0);
	}
	free(f);
}

Test(dns, tcp_chunk_ending_inside_length)
{
	struct dns_tcp_framer *f = new_framer();
	struct sink s = {0};
	uint8_t st[256];
	size_t a, n;

	a = framed(st, resp_a, RESP_A_QEND);
	n = a + framed(st + a, resp_a, sizeof resp_a);
	dns_tcp_feed(f, st, a + 1, 3.0, sink_fn, &s); /* one length byte */
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.len[0], RESP_A_QEND);
	dns_tcp_feed(f, st + a + 1, n - a - 1, 4.0, sink_fn, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.len[1], sizeof resp_a);
	cr_assert_eq(memcmp(s.msg[1], resp_a, sizeof resp_a), 0);
	cr_assert_eq(s.ts[1], 3.0);

	/* Nothing left over: the next message starts clean. */
	dns_tcp_feed(f, st, a, 5.0, sink_fn, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.ts[2], 5.0);
	cr_assert_eq(s.len[2], RESP_A_QEND);
	free(f);
}
