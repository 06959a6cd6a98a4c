/* test_dns_records.c - unit tests for the DNS dissector's record counts and
 * lengths (RFC 1035 sections 4.1.1 and 4.1.3): more records than a message
 * keeps, an rdlength that disagrees with its rdata, unknown types and other
 * classes, SRV (RFC 2782), trailing bytes, several questions; and the names
 * of types, rcodes and anomalies.  Messages come from the builder in
 * testdns.h and are parsed on exact-size heap copies.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "testdns.h" /* the message builder, parse_copy, resp_a */

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
