/* test_dns_badrr.c - one malformed record among good ones (issue 10, item
 * 11): a record whose owner name is invalid but whose end is known (its
 * compression pointer ends it in place) is left out with its anomaly, and
 * the records after it are kept; one whose end cannot be found still ends
 * the parse there. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "dns.h"

/* Header (3 answers) and the question a.example A IN at offset 12. */
static const uint8_t head[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
	1,    'a',  7,    'e',  'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};

/* An A record for the question's name (pointer to offset 12). */
static size_t good_a(uint8_t *p, uint8_t last_octet)
{
	static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0,   0, 0x0e,
				     0x10, 0,    4, 192, 0, 2, 0};
	memcpy(p, rr, sizeof(rr));
	p[sizeof(rr) - 1] = last_octet;
	return sizeof(rr);
}

static struct dns_msg *parse(const uint8_t *bad, size_t nbad)
{
	uint8_t buf[256];
	size_t n = 0;
	struct dns_msg *m = calloc(1, sizeof(*m));

	cr_assert_not_null(m);
	memcpy(buf, head, sizeof(head));
	n = sizeof(head);
	n += good_a(buf + n, 1);
	memcpy(buf + n, bad, nbad);
	n += nbad;
	n += good_a(buf + n, 2);
	cr_assert_eq(dns_parse(buf, n, m), DX_OK);
	return m;
}

Test(dns_badrr, a_record_with_a_bad_pointer_is_left_out)
{
	/* owner: a pointer forward (to 0xff), then an A of 4 bytes */
	static const uint8_t bad[] = {0xc0, 0xff, 0, 1, 0, 1, 0, 0, 0, 60,
				      0,    4,    10, 0, 0, 1};
	struct dns_msg *m = parse(bad, sizeof(bad));

	cr_assert_eq(m->n_an, 2, "the good records on both sides stay");
	cr_assert_str_eq(m->an[0].data, "192.0.2.1");
	cr_assert_str_eq(m->an[1].data, "192.0.2.2");
	cr_assert(m->anomalies & DNS_ANOM_NAME_LOOP);
	cr_assert_not(m->anomalies & DNS_ANOM_TRUNC_RR);
	free(m);
}

Test(dns_badrr, a_record_whose_end_is_unknown_ends_the_parse)
{
	/* owner: a reserved label type (0x40) in place: where the name ends
	 * cannot be known, nor where the next record begins */
	static const uint8_t bad[] = {0x41, 'x', 0, 0, 1, 0, 1, 0, 0, 0, 60,
				      0,    4,   10, 0, 0, 1};
	struct dns_msg *m = parse(bad, sizeof(bad));

	cr_assert_eq(m->n_an, 1);
	cr_assert_str_eq(m->an[0].data, "192.0.2.1");
	cr_assert(m->anomalies & DNS_ANOM_BAD_LABEL);
	free(m);
}
