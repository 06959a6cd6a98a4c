/* test_dns_names.c - unit tests for names in the DNS dissector (RFC 1035
 * sections 2.3.4, 3.1 and 4.1.4): compression pointers (to themselves,
 * forwards, at each other, the hop cap), label and name length limits,
 * escaping and case; and reverse (in-addr.arpa, ip6.arpa) and DNSBL names
 * built and parsed.  Messages come from the builder in testdns.h and are
 * parsed on exact-size heap copies, so that ASan sees any over-read.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "testdns.h" /* the message builder, parse_copy */

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
