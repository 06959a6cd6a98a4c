/* dnspack.c - see dnspack.h.  Fixed parts are copied whole with memcpy
 * (the bytes need no alignment), strings with their NUL. */
#include "flow/dnspack.h"

#include <string.h>

/* struct dns_msg up to its records, and the counts. */
struct head {
	uint16_t id, rcode, qdcount, ancount, nscount, arcount, qtype, qclass,
		edns_udp;
	uint8_t opcode, edns_version;
	bool qr, aa, tc, rd, ra, ad, cd, has_question, edns, edns_do;
	unsigned anomalies;
	uint32_t n_an, n_ns, n_ar;
};

/* A record but its strings. */
struct rr {
	uint32_t ttl;
	uint16_t type, rclass, pref;
	uint8_t addr[16];
	uint8_t addr_len;
};

static size_t str_size(const char *s, size_t max)
{
	return strnlen(s, max - 1) + 1;
}

static size_t rr_size(const struct dns_rr *r)
{
	return sizeof(struct rr) + str_size(r->name, sizeof(r->name)) +
	       str_size(r->target, sizeof(r->target)) +
	       str_size(r->data, sizeof(r->data));
}

size_t dnspack_size(const struct dns_msg *m)
{
	size_t n = sizeof(struct head) + str_size(m->qname, sizeof(m->qname));
	for (size_t i = 0; i < m->n_an; i++)
		n += rr_size(&m->an[i]);
	for (size_t i = 0; i < m->n_ns; i++)
		n += rr_size(&m->ns[i]);
	for (size_t i = 0; i < m->n_ar; i++)
		n += rr_size(&m->ar[i]);
	return n;
}

static uint8_t *put_str(uint8_t *out, const char *s, size_t max)
{
	size_t n = str_size(s, max);
	memcpy(out, s, n - 1);
	out[n - 1] = '\0';
	return out + n;
}

static uint8_t *put_rrs(uint8_t *out, const struct dns_rr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct dns_rr *r = &v[i];
		struct rr x = {r->ttl, r->type, r->rclass, r->pref, {0},
			       r->addr_len};
		memcpy(x.addr, r->addr, sizeof(x.addr));
		memcpy(out, &x, sizeof(x));
		out += sizeof(x);
		out = put_str(out, r->name, sizeof(r->name));
		out = put_str(out, r->target, sizeof(r->target));
		out = put_str(out, r->data, sizeof(r->data));
	}
	return out;
}

void dnspack_write(const struct dns_msg *m, uint8_t *out)
{
	struct head h = {m->id,	     m->rcode,	      m->qdcount,
			 m->ancount, m->nscount,      m->arcount,
			 m->qtype,   m->qclass,	      m->edns_udp,
			 m->opcode,  m->edns_version, m->qr,
			 m->aa,	     m->tc,	      m->rd,
			 m->ra,	     m->ad,	      m->cd,
			 m->has_question, m->edns,    m->edns_do,
			 m->anomalies, (uint32_t)m->n_an, (uint32_t)m->n_ns,
			 (uint32_t)m->n_ar};
	memcpy(out, &h, sizeof(h));
	out = put_str(out + sizeof(h), m->qname, sizeof(m->qname));
	out = put_rrs(out, m->an, m->n_an);
	out = put_rrs(out, m->ns, m->n_ns);
	put_rrs(out, m->ar, m->n_ar);
}

static const uint8_t *get_str(const uint8_t *in, char *s)
{
	size_t n = strlen((const char *)in) + 1;
	memcpy(s, in, n);
	return in + n;
}

static const uint8_t *get_rrs(const uint8_t *in, struct dns_rr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dns_rr *r = &v[i];
		struct rr x;
		memcpy(&x, in, sizeof(x));
		in += sizeof(x);
		r->ttl = x.ttl;
		r->type = x.type;
		r->rclass = x.rclass;
		r->pref = x.pref;
		memcpy(r->addr, x.addr, sizeof(r->addr));
		r->addr_len = x.addr_len;
		in = get_str(in, r->name);
		in = get_str(in, r->target);
		in = get_str(in, r->data);
	}
	return in;
}

void dnspack_read(const uint8_t *in, struct dns_msg *m)
{
	struct head h;
	memcpy(&h, in, sizeof(h));
	m->id = h.id;
	m->rcode = h.rcode;
	m->qdcount = h.qdcount;
	m->ancount = h.ancount;
	m->nscount = h.nscount;
	m->arcount = h.arcount;
	m->qtype = h.qtype;
	m->qclass = h.qclass;
	m->edns_udp = h.edns_udp;
	m->opcode = h.opcode;
	m->edns_version = h.edns_version;
	m->qr = h.qr;
	m->aa = h.aa;
	m->tc = h.tc;
	m->rd = h.rd;
	m->ra = h.ra;
	m->ad = h.ad;
	m->cd = h.cd;
	m->has_question = h.has_question;
	m->edns = h.edns;
	m->edns_do = h.edns_do;
	m->anomalies = h.anomalies;
	m->n_an = h.n_an;
	m->n_ns = h.n_ns;
	m->n_ar = h.n_ar;
	in = get_str(in + sizeof(h), m->qname);
	in = get_rrs(in, m->an, m->n_an);
	in = get_rrs(in, m->ns, m->n_ns);
	get_rrs(in, m->ar, m->n_ar);
}
