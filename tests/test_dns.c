/* test_dns.c - unit tests for the DNS dissector (RFC 1035, 3596, 6891, 7766):
 * whole messages record type by record type (A, AAAA, MX, PTR, CNAME, TXT,
 * SOA, OPT, an UPDATE), the header's flags, and every cut or mutated copy
 * of a response.
 *
 * Messages are assembled byte by byte in the tests (hand-written hex for the
 * first one, the builder in testdns.h for the rest), and every parse of a
 * cut or mutated message runs on an exact-size heap copy so that ASan sees
 * any read past the end.  Names are tested in test_dns_names.c, record
 * counts and lengths in test_dns_records.c, TCP framing in test_dns_tcp.c.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "testdns.h" /* the message builder, parse_copy, resp_a */

/* ---- whole messages ---------------------------------------------------- */

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
