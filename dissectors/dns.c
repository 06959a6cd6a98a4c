/* dns.c - DNS message dissector (RFC 1035 messages and names, RFC 3596 AAAA,
 * RFC 2782 SRV, RFC 3597 unknown types, RFC 5952 IPv6 text, RFC 6891 EDNS,
 * RFC 7766 TCP framing in dns_tcp.c, RFC 5782 DNSBL names in dns_names.c).
 *
 * Every byte of a message is read through struct rd (reader.h); rdata is
 * parsed through a sub-reader limited to rdlength, so a lying record can
 * disturb only itself.  Compression pointers must point strictly backwards
 * and each further hop strictly below the previous one, so name
 * decompression always terminates; the hop count is capped on top of that.
 */
#include "dns.h"

#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#define DNS_WIRE_NAME_MAX 255 /* RFC 1035 2.3.4: octets, root label included */
#define DNS_OPCODE_MAX 6      /* 6 = DSO (RFC 8490); 7..15 are unassigned */
#define DNS_C_IN 1
#define DNS_C_NONE 254
#define DNS_C_ANY 255

/* Outcome of interpreting one rdata. */
enum dns_rdres {
	DNS_RD_OK,  /* rendered */
	DNS_RD_LEN, /* rdlength disagrees with the type: DNS_ANOM_RDLEN */
	DNS_RD_BAD, /* a name inside was invalid; its anomaly is already set */
};

/* tcpdump `struct tok`: a value and its name. */
struct dns_tok {
	uint16_t v;
	const char *s;
};

static const struct dns_tok dns_types[] = {
	{1, "A"},          {2, "NS"},          {5, "CNAME"},
	{6, "SOA"},        {10, "NULL"},       {11, "WKS"},
	{12, "PTR"},       {13, "HINFO"},      {15, "MX"},
	{16, "TXT"},       {17, "RP"},         {18, "AFSDB"},
	{24, "SIG"},       {25, "KEY"},        {28, "AAAA"},
	{29, "LOC"},       {33, "SRV"},        {35, "NAPTR"},
	{36, "KX"},        {37, "CERT"},       {39, "DNAME"},
	{41, "OPT"},       {42, "APL"},        {43, "DS"},
	{44, "SSHFP"},     {45, "IPSECKEY"},   {46, "RRSIG"},
	{47, "NSEC"},      {48, "DNSKEY"},     {49, "DHCID"},
	{50, "NSEC3"},     {51, "NSEC3PARAM"}, {52, "TLSA"},
	{53, "SMIMEA"},    {55, "HIP"},        {59, "CDS"},
	{60, "CDNSKEY"},   {61, "OPENPGPKEY"}, {62, "CSYNC"},
	{63, "ZONEMD"},    {64, "SVCB"},       {65, "HTTPS"},
	{99, "SPF"},       {249, "TKEY"},      {250, "TSIG"},
	{251, "IXFR"},     {252, "AXFR"},      {255, "ANY"},
	{256, "URI"},      {257, "CAA"},
};

/* Header rcodes (RFC 1035, 2136) and EDNS extended ones (RFC 6891, 7873).
 * 17..22 exist only inside TSIG/TKEY records, never in the rcode field. */
static const struct dns_tok dns_rcodes[] = {
	{0, "NOERROR"},  {1, "FORMERR"},  {2, "SERVFAIL"},  {3, "NXDOMAIN"},
	{4, "NOTIMP"},   {5, "REFUSED"},  {6, "YXDOMAIN"},  {7, "YXRRSET"},
	{8, "NXRRSET"},  {9, "NOTAUTH"},  {10, "NOTZONE"},  {11, "DSOTYPENI"},
	{16, "BADVERS"}, {23, "BADCOOKIE"},
};

/* Stable names for the JSON output, Zeek "weird" style. */
static const struct dns_tok dns_anoms[] = {
	{DNS_ANOM_NAME_LOOP, "name_loop"},
	{DNS_ANOM_NAME_TOO_LONG, "name_too_long"},
	{DNS_ANOM_BAD_LABEL, "bad_label"},
	{DNS_ANOM_TRUNC_RR, "trunc_rr"},
	{DNS_ANOM_RDLEN, "rdlength"},
	{DNS_ANOM_TOO_MANY_RRS, "too_many_rrs"},
	{DNS_ANOM_TRAILING, "trailing_bytes"},
};

#define DNS_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *dns_tok_find(const struct dns_tok *t, size_t n, unsigned v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return NULL;
}

/* The table's name, else "<prefix><value>" in the caller's buf. */
static const char *dns_tok_name(const struct dns_tok *t, size_t n,
				unsigned v, const char *prefix, char buf[16])
{
	const char *s = dns_tok_find(t, n, v);

	if (s == NULL && buf != NULL) {
		snprintf(buf, 16, "%s%u", prefix, v);
		s = buf;
	}
	return s ? s : prefix;
}

const char *dns_type_name(uint16_t type, char buf[16])
{
	return dns_tok_name(dns_types, DNS_NELEM(dns_types), type, "TYPE", buf);
}

const char *dns_rcode_name(uint16_t rcode, char buf[16])
{
	return dns_tok_name(dns_rcodes, DNS_NELEM(dns_rcodes), rcode, "RCODE",
			    buf);
}

const char *dns_anomaly_name(enum dns_anomaly bit)
{
	const char *s = dns_tok_find(dns_anoms, DNS_NELEM(dns_anoms),
				     (unsigned)bit);
	return s ? s : "unknown";
}

/* ---- text builder for rendered rdata --------------------------------- */

/* Appends whole pieces (an escape is one piece, so it is never cut in
 * half).  `safe` remembers the last piece boundary that still leaves room
 * for "...", so when a piece does not fit we cut back there and mark the
 * truncation without losing more than necessary. */
struct dns_tb {
	char *buf;
	size_t cap; /* bytes in buf, NUL included; at least 4 */
	size_t len;
	size_t safe;
	bool full;
};

static void dns_tb_put(struct dns_tb *t, const char *s, size_t n)
{
	if (t->full)
		goto out;
	if (t->len + n > t->cap - 1) {
		memcpy(t->buf + t->safe, "...", 4);
		t->len = t->safe + 3;
		t->full = true;
		goto out;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
	if (t->len + 3 <= t->cap - 1)
		t->safe = t->len;
out:
	return;
}

static void dns_tb_u32(struct dns_tb *t, uint32_t v)
{
	char tmp[16];
	int n = snprintf(tmp, sizeof tmp, "%" PRIu32, v);

	if (n > 0)
		dns_tb_put(t, tmp, (size_t)n);
}

/* A presentation name, cut only between characters or whole \DDD escapes. */
static void dns_tb_name(struct dns_tb *t, const char *name)
{
	size_t i = 0, n;

	while (name[i] != '\0') {
		n = 1;
		if (name[i] == '\\') /* \DDD: complete, from dns_read_name */
			while (n < 4 && name[i + n] != '\0')
				n++;
		dns_tb_put(t, name + i, n);
		i += n;
	}
}

/* ---- names ------------------------------------------------------------ */

/* Offset of p inside msg, if it lies there.  Compared as integers because
 * a reader passed in by a caller need not point into msg at all. */
static bool dns_off_in_msg(const uint8_t *p, const uint8_t *msg,
			   size_t msg_len, size_t *off)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)msg;

	if (msg == NULL || p == NULL || a < b || a - b > msg_len)
		return false;
	*off = (size_t)(a - b);
	return true;
}

/* Copy one n-byte label from r into out at *olen (after a '.' unless it is
 * the first), escaping as RFC 1035 5.1 \DDD every byte that would be
 * ambiguous in presentation form ('.', '\', space, control, non-ASCII).
 * DX_INVALID when out would pass 255 characters. */
static int dns_put_label(struct rd *r, size_t n, char *out, size_t *olen,
			 bool lower)
{
	size_t i, o = *olen;
	uint8_t b;
	int ret = DX_INVALID;

	if (o > 0) {
		if (o + 1 > DNS_NAME_MAX - 1)
			goto out;
		out[o++] = '.';
	}
	for (i = 0; i < n; i++) {
		b = rd_u8(r);
		if (b == '.' || b == '\\' || b <= 0x20 || b >= 0x7F) {
			if (o + 4 > DNS_NAME_MAX - 1)
				goto out;
			out[o++] = '\\';
			out[o++] = (char)('0' + b / 100);
			out[o++] = (char)('0' + b / 10 % 10);
			out[o++] = (char)('0' + b % 10);
		} else {
			if (o + 1 > DNS_NAME_MAX - 1)
				goto out;
			if (lower && b >= 'A' && b <= 'Z')
				b = (uint8_t)(b + ('a' - 'A'));
			out[o++] = (char)b;
		}
	}
	ret = DX_OK;
out:
	*olen = o;
	return ret;
}

/* dns_read_name; *delimited tells whether r is past the name's bytes in
 * place even when it is invalid (the fault lay behind a pointer, which
 * ends the name where it stands). */
static int dns_read_name_at(struct rd *r, const uint8_t *msg, size_t msg_len,
			    char out[DNS_NAME_MAX], bool lower, unsigned *anom,
			    bool *delimited)
{
	struct rd m;            /* the whole message, once a pointer is taken */
	struct rd *cur = r;
	bool ends_in_place = false; /* a pointer was read: r is past it */
	size_t olen = 0;        /* presentation bytes written */
	size_t wire = 1;        /* wire length, root label counted up front */
	size_t limit = msg_len; /* the next pointer target must be below this */
	size_t at = 0, target;
	unsigned hops = 0, a = 0;
	bool known;
	uint8_t c;
	int ret = DX_OK;

	out[0] = '\0';
	rd_init(&m, msg, msg_len);
	for (;;) {
		known = dns_off_in_msg(cur->p, msg, msg_len, &at);
		c = rd_u8(cur);
		if (cur->err) {
			ret = DX_TRUNC;
			goto out;
		}
		if (c == 0)
			break;
		switch (c & 0xC0) {
		case 0x00:
			wire += 1 + (size_t)c;
			if (wire > DNS_WIRE_NAME_MAX) {
				a |= DNS_ANOM_NAME_TOO_LONG;
				ret = DX_INVALID;
				goto out;
			}
			if (!rd_need(cur, c)) {
				ret = DX_TRUNC;
				goto out;
			}
			ret = dns_put_label(cur, c, out, &olen, lower);
			if (ret != DX_OK) {
				a |= DNS_ANOM_NAME_TOO_LONG;
				goto out;
			}
			break;
		case 0xC0:
			target = (size_t)(c & 0x3F) << 8;
			target |= rd_u8(cur);
			if (cur->err) {
				ret = DX_TRUNC;
				goto out;
			}
			ends_in_place = true; /* a pointer ends the bytes */
			/* Strictly below the pointer itself and below the
			 * previous target: offsets only decrease, no loop. */
			if (known && at < limit)
				limit = at;
			if (target >= limit || ++hops > DNS_PTR_HOPS) {
				a |= DNS_ANOM_NAME_LOOP;
				ret = DX_INVALID;
				goto out;
			}
			limit = target;
			rd_seek(&m, target);
			cur = &m;
			break;
		default: /* 0x40 extended (RFC 6891 retires it), 0x80 reserved */
			a |= DNS_ANOM_BAD_LABEL;
			ret = DX_INVALID;
			goto out;
		}
	}
out:
	out[ret == DX_OK ? olen : 0] = '\0';
	if (anom != NULL)
		*anom |= a;
	*delimited = ret == DX_OK || (ret == DX_INVALID && ends_in_place);
	return ret;
}

int dns_read_name(struct rd *r, const uint8_t *msg, size_t msg_len,
		  char out[DNS_NAME_MAX], bool lower, unsigned *anom)
{
	bool delimited;
	return dns_read_name_at(r, msg, msg_len, out, lower, anom, &delimited);
}

/* ---- rdata ------------------------------------------------------------ */

/* RFC 5952: lower-case hex, no leading zeros, the longest run (first on a
 * tie) of two or more zero groups as "::", dotted quad for ::ffff:0:0/96. */
static void dns_fmt_ip6(const uint8_t a[16], char out[48])
{
	uint16_t w[8];
	int i, bs = -1, bl = 0, cl = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
	    w[5] == 0xffff) {
		snprintf(out, 48, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14],
			 a[15]);
		goto out;
	}
	for (i = 0; i < 8; i++) { /* longest zero run, the first on a tie */
		cl = w[i] == 0 ? cl + 1 : 0;
		if (cl > bl) {
			bl = cl;
			bs = i - cl + 1;
		}
	}
	if (bl < 2) /* RFC 5952 4.2.2: never "::" for a single group */
		bs = -1;
	for (i = 0; i < 8; i++) {
		if (i == bs) {
			out[o++] = ':';
			out[o++] = ':';
			i += bl - 1;
			continue;
		}
		if (i > 0 && i != bs + bl)
			out[o++] = ':';
		o += (size_t)snprintf(out + o, 48 - o, "%x", (unsigned)w[i]);
	}
	out[o] = '\0';
out:
	return;
}

/* A name that must be the whole rest of the rdata when `last`. */
static int dns_rdata_name(struct rd *s, const uint8_t *msg, size_t msg_len,
			  char out[DNS_NAME_MAX], bool last, unsigned *anom)
{
	int ret = dns_read_name(s, msg, msg_len, out, false, anom);

	if (ret == DX_TRUNC) /* the name runs past rdlength */
		ret = DNS_RD_LEN;
	else if (ret != DX_OK)
		ret = DNS_RD_BAD;
	else
		ret = (last && rd_left(s) != 0) ? DNS_RD_LEN : DNS_RD_OK;
	return ret;
}

static int dns_rdata_addr(struct rd *s, struct dns_rr *rr, size_t n)
{
	int ret = DNS_RD_LEN;

	if (rd_left(s) != n)
		goto out;
	rd_bytes(s, rr->addr, n);
	rr->addr_len = (uint8_t)n;
	if (n == 4)
		snprintf(rr->data, sizeof rr->data, "%u.%u.%u.%u", rr->addr[0],
			 rr->addr[1], rr->addr[2], rr->addr[3]);
	else
		dns_fmt_ip6(rr->addr, rr->data);
	ret = DNS_RD_OK;
out:
	return ret;
}

/* TXT (RFC 1035 3.3.14): one or more <length><bytes> strings, shown
 * concatenated, as SPF (RFC 7208 3.3) and DKIM (RFC 6376 3.6.2.2) read a
 * record split into strings.  Printable ASCII passes; backslash and
 * everything else become \xNN so the text is unambiguous and safe for any
 * later encoder. */
static int dns_rdata_txt(struct rd *s, struct dns_tb *t)
{
	char esc[8];
	size_t n, i;
	uint8_t b;
	int ret = DNS_RD_LEN;

	if (rd_left(s) == 0)
		goto out;
	while (rd_left(s) > 0) {
		n = rd_u8(s);
		if (!rd_need(s, n))
			goto out;
		for (i = 0; i < n; i++) {
			b = rd_u8(s);
			if (b >= 0x20 && b < 0x7F && b != '\\') {
				esc[0] = (char)b;
				dns_tb_put(t, esc, 1);
			} else {
				snprintf(esc, sizeof esc, "\\x%02x", b);
				dns_tb_put(t, esc, 4);
			}
		}
	}
	ret = DNS_RD_OK;
out:
	return ret;
}

static int dns_rdata_soa(struct rd *s, const uint8_t *msg, size_t msg_len,
			 struct dns_tb *t, unsigned *anom)
{
	char mname[DNS_NAME_MAX], rname[DNS_NAME_MAX];
	uint32_t v[5];
	int i, ret;

	ret = dns_rdata_name(s, msg, msg_len, mname, false, anom);
	if (ret != DNS_RD_OK)
		goto out;
	ret = dns_rdata_name(s, msg, msg_len, rname, false, anom);
	if (ret != DNS_RD_OK)
		goto out;
	for (i = 0; i < 5; i++)
		v[i] = rd_be32(s);
	if (s->err || rd_left(s) != 0) {
		ret = DNS_RD_LEN;
		goto out;
	}
	dns_tb_name(t, mname);
	dns_tb_put(t, " ", 1);
	dns_tb_name(t, rname);
	for (i = 0; i < 5; i++) {
		dns_tb_put(t, " ", 1);
		dns_tb_u32(t, v[i]);
	}
out:
	return ret;
}

/* MX: preference + exchange; SRV: priority weight port + target. */
static int dns_rdata_pref_name(struct rd *s, const uint8_t *msg,
			       size_t msg_len, struct dns_rr *rr,
			       struct dns_tb *t, unsigned *anom)
{
	uint16_t v[3];
	int i, n = rr->type == DNS_T_SRV ? 3 : 1;
	int ret = DNS_RD_LEN;

	for (i = 0; i < n; i++)
		v[i] = rd_be16(s);
	if (s->err)
		goto out;
	ret = dns_rdata_name(s, msg, msg_len, rr->target, true, anom);
	if (ret != DNS_RD_OK)
		goto out;
	if (rr->type == DNS_T_MX)
		rr->pref = v[0];
	for (i = 0; i < n; i++) {
		dns_tb_u32(t, v[i]);
		dns_tb_put(t, " ", 1);
	}
	dns_tb_name(t, rr->target);
out:
	return ret;
}

/* Render the rdata in s (exactly rdlength bytes) into rr.  Anything that
 * does not match its type falls back to RFC 3597 "\# <len>". */
static void dns_render_rdata(struct rd *s, const uint8_t *msg, size_t msg_len,
			     struct dns_rr *rr, unsigned *anom)
{
	struct dns_tb t = {rr->data, sizeof rr->data, 0, 0, false};
	size_t rdlen = rd_left(s);
	int ret = DNS_RD_BAD; /* "not interpreted": generic, no anomaly */

	/* RFC 2136 UPDATE deletes carry class ANY/NONE and empty rdata. */
	if (rdlen == 0 &&
	    (rr->rclass == DNS_C_ANY || rr->rclass == DNS_C_NONE))
		goto out;
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		/* These formats are defined for class IN only (CH A is not). */
		if (rr->rclass == DNS_C_IN)
			ret = dns_rdata_addr(s, rr,
					     rr->type == DNS_T_A ? 4 : 16);
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		ret = dns_rdata_name(s, msg, msg_len, rr->target, true, anom);
		if (ret == DNS_RD_OK)
			dns_tb_name(&t, rr->target);
		break;
	case DNS_T_MX:
	case DNS_T_SRV:
		ret = dns_rdata_pref_name(s, msg, msg_len, rr, &t, anom);
		break;
	case DNS_T_TXT:
		ret = dns_rdata_txt(s, &t);
		break;
	case DNS_T_SOA:
		ret = dns_rdata_soa(s, msg, msg_len, &t, anom);
		break;
	default:
		break;
	}
out:
	if (ret != DNS_RD_OK) {
		if (ret == DNS_RD_LEN)
			*anom |= DNS_ANOM_RDLEN;
		rr->pref = 0;
		rr->target[0] = '\0';
		memset(rr->addr, 0, sizeof rr->addr);
		rr->addr_len = 0;
		snprintf(rr->data, sizeof rr->data, "\\# %zu", rdlen);
	}
}

/* ---- messages --------------------------------------------------------- */

/* One resource record.  DX_TRUNC / DX_INVALID mean the record cannot be
 * delimited, so the rest of the message cannot be found either;
 * DNS_RR_SKIPPED that its owner name is invalid (the anomaly is set) but
 * its end is known: it is left out and the next record is read, so one
 * bad record does not hide the good ones after it. */
#define DNS_RR_SKIPPED (-100)
static int dns_parse_rr(struct rd *r, const uint8_t *msg, size_t msg_len,
			struct dns_rr *rr, unsigned *anom)
{
	struct rd s;
	uint16_t rdlen;
	int ret;
	bool delimited;

	memset(rr, 0, sizeof *rr);
	ret = dns_read_name_at(r, msg, msg_len, rr->name, false, anom,
			       &delimited);
	if (ret == DX_INVALID && delimited) {
		rd_skip(r, 8); /* type, class, ttl */
		rdlen = rd_be16(r);
		s = rd_sub(r, rdlen);
		return r->err || s.err ? DX_TRUNC : DNS_RR_SKIPPED;
	}
	if (ret != DX_OK)
		goto out;
	rr->type = rd_be16(r);
	rr->rclass = rd_be16(r);
	rr->ttl = rd_be32(r);
	rdlen = rd_be16(r);
	s = rd_sub(r, rdlen);
	if (r->err || s.err) {
		ret = DX_TRUNC;
		goto out;
	}
	dns_render_rdata(&s, msg, msg_len, rr, anom);
out:
	return ret;
}

/* RFC 6891 6.1.3: TTL = extended rcode (8) | version (8) | DO | Z (15). */
static void dns_apply_opt(struct dns_msg *out, const struct dns_rr *rr)
{
	if (!out->edns) { /* a second OPT is a FORMERR; keep the first */
		out->edns = true;
		out->edns_udp = rr->rclass;
		out->edns_version = (uint8_t)(rr->ttl >> 16);
		out->edns_do = (rr->ttl & 0x8000) != 0;
		out->rcode = (uint16_t)((rr->ttl >> 24) << 4 |
					(out->rcode & 0x0F));
	}
}

/* Parse `count` records into arr (at most DNS_MAX_RRS kept); with arr NULL
 * they are questions, only skipped.  Returns false when parsing of the
 * message has to stop. */
static bool dns_parse_section(struct rd *r, const uint8_t *msg,
			      size_t msg_len, unsigned count,
			      struct dns_rr *arr, size_t *n, bool additional,
			      struct dns_msg *out)
{
	struct dns_rr rr;
	unsigned i;
	int ret;
	bool go_on = true;

	for (i = 0; i < count; i++) {
		if (arr == NULL) {
			ret = dns_read_name(r, msg, msg_len, rr.name, false,
					    &out->anomalies);
			if (ret == DX_OK && !rd_skip(r, 4))
				ret = DX_TRUNC;
		} else {
			ret = dns_parse_rr(r, msg, msg_len, &rr,
					   &out->anomalies);
		}
		if (ret == DNS_RR_SKIPPED)
			continue;
		if (ret != DX_OK) {
			if (ret == DX_TRUNC)
				out->anomalies |= DNS_ANOM_TRUNC_RR;
			go_on = false;
			goto out;
		}
		if (arr == NULL)
			continue;
		if (additional && rr.type == DNS_T_OPT)
			dns_apply_opt(out, &rr);
		else if (*n < DNS_MAX_RRS)
			arr[(*n)++] = rr;
		else
			out->anomalies |= DNS_ANOM_TOO_MANY_RRS;
	}
out:
	return go_on;
}

/* Everything zero but the record arrays (83 KB, read only up to n_an,
 * n_ns and n_ar, each record written whole when it is stored). */
static void dns_msg_clear(struct dns_msg *m)
{
	memset(m, 0, offsetof(struct dns_msg, an));
	memset(&m->edns, 0, sizeof(*m) - offsetof(struct dns_msg, edns));
}

int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out)
{
	struct rd r;
	uint16_t flags;
	int ret = DX_TRUNC;

	dns_msg_clear(out);
	rd_init(&r, buf, len);
	out->id = rd_be16(&r);
	flags = rd_be16(&r);
	out->qdcount = rd_be16(&r);
	out->ancount = rd_be16(&r);
	out->nscount = rd_be16(&r);
	out->arcount = rd_be16(&r);
	if (r.err) {
		dns_msg_clear(out);
		goto out;
	}
	out->qr = (flags & 0x8000) != 0;
	out->opcode = (uint8_t)(flags >> 11 & 0x0F);
	out->aa = (flags & 0x0400) != 0;
	out->tc = (flags & 0x0200) != 0;
	out->rd = (flags & 0x0100) != 0;
	out->ra = (flags & 0x0080) != 0;
	out->ad = (flags & 0x0020) != 0;
	out->cd = (flags & 0x0010) != 0;
	out->rcode = flags & 0x000F;
	if (out->opcode > DNS_OPCODE_MAX || (!out->qr && out->qdcount == 0)) {
		ret = DX_INVALID;
		goto out;
	}
	if (out->qdcount > 0) {
		ret = dns_read_name(&r, buf, len, out->qname, true,
				    &out->anomalies);
		if (ret != DX_OK)
			goto out;
		out->qtype = rd_be16(&r);
		out->qclass = rd_be16(&r);
		if (r.err) {
			out->qtype = out->qclass = 0;
			ret = DX_TRUNC;
			goto out;
		}
		out->has_question = true;
	}
	/* From here on the message is DNS; damage is reported as anomalies. */
	ret = DX_OK;
	if ((out->qdcount > 1 &&
	     !dns_parse_section(&r, buf, len, out->qdcount - 1u, NULL, NULL,
				false, out)) ||
	    !dns_parse_section(&r, buf, len, out->ancount, out->an,
			       &out->n_an, false, out) ||
	    !dns_parse_section(&r, buf, len, out->nscount, out->ns,
			       &out->n_ns, false, out) ||
	    !dns_parse_section(&r, buf, len, out->arcount, out->ar,
			       &out->n_ar, true, out))
		goto out;
	if (rd_left(&r) > 0)
		out->anomalies |= DNS_ANOM_TRAILING;
out:
	return ret;
}
