/* dns.h - DNS message dissector (RFC 1035, 3596 AAAA, 6891 EDNS, 7766 TCP).
 *
 * Pure functions from bytes to a parsed struct: no I/O, no globals, no
 * allocation.  Names are decompressed into fixed buffers; compression
 * pointers must point strictly backwards and hops are capped, so a hostile
 * message cannot loop or overflow.  The caller owns every struct.
 */
#ifndef MXRAY_DNS_H
#define MXRAY_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#define DNS_NAME_MAX 256   /* 255 presentation bytes + NUL */
#define DNS_RDATA_TEXT 320 /* rendered rdata, truncated with "..." */
#define DNS_MAX_RRS 32     /* records kept per section; the rest are counted */
/* struct dns_msg is about 80 KB: callers keep one and reuse it. */
#define DNS_PTR_HOPS 64    /* compression pointers followed per name */

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_OPT = 41,
	DNS_T_ANY = 255,
};

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5,
};

/* Anomalies found while parsing; a bit set (dns_anomaly_name names a bit).
 * The unit and fuzz tests check them; the reports do not show them yet. */
enum dns_anomaly {
	DNS_ANOM_NAME_LOOP = 1 << 0,     /* pointer not strictly backwards */
	DNS_ANOM_NAME_TOO_LONG = 1 << 1, /* > 255 bytes or label > 63 */
	DNS_ANOM_BAD_LABEL = 1 << 2,     /* reserved label type 0x40/0x80 */
	DNS_ANOM_TRUNC_RR = 1 << 3,      /* message ends inside a record */
	DNS_ANOM_RDLEN = 1 << 4,         /* rdata length disagrees with type */
	DNS_ANOM_TOO_MANY_RRS = 1 << 5,  /* more than DNS_MAX_RRS in a section */
	DNS_ANOM_TRAILING = 1 << 6,      /* bytes after the last record */
};

/* One resource record, rendered for people.
 * data: A/AAAA as an address ("192.0.2.1", "2001:db8::1"); PTR/CNAME/NS as
 * a name without trailing dot; MX as "10 mx.example.org" (pref also in
 * `pref`, exchange also in `target`); TXT as its strings concatenated,
 * non-printable bytes as \xNN; SOA as "mname rname serial refresh retry
 * expire minimum"; other types as "\# <len>" (RFC 3597 style, no hex). */
struct dns_rr {
	char name[DNS_NAME_MAX];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t pref;                /* MX preference, else 0 */
	char target[DNS_NAME_MAX];    /* MX exchange / PTR / CNAME / NS name */
	uint8_t addr[16];             /* A (4 bytes) or AAAA (16 bytes) */
	uint8_t addr_len;             /* 4, 16, or 0 when not an address */
	char data[DNS_RDATA_TEXT];
};

struct dns_msg {
	uint16_t id;
	bool qr, aa, tc, rd, ra, ad, cd;
	uint8_t opcode;
	uint16_t rcode; /* 4 bits, extended with EDNS upper bits */
	uint16_t qdcount, ancount, nscount, arcount;

	bool has_question;        /* first question parsed */
	char qname[DNS_NAME_MAX]; /* lower-cased, no trailing dot; "" = root */
	uint16_t qtype, qclass;

	/* records stored (<= DNS_MAX_RRS each); the arrays hold nothing
	 * meaningful past them: dns_parse does not clear 83 KB each time */
	size_t n_an, n_ns, n_ar;
	struct dns_rr an[DNS_MAX_RRS];
	struct dns_rr ns[DNS_MAX_RRS];
	struct dns_rr ar[DNS_MAX_RRS]; /* OPT is not stored here */

	bool edns;           /* OPT record present */
	uint16_t edns_udp;   /* requestor's UDP payload size */
	uint8_t edns_version;
	bool edns_do;

	unsigned anomalies; /* enum dns_anomaly bits */
};

/* Parse one DNS message of len bytes (UDP payload, or one TCP-framed message
 * without its 2-byte length).
 * Returns DX_OK when header and question parsed (records may still be
 * partial, see anomalies), DX_TRUNC when the header or question is cut
 * short, DX_INVALID when it cannot be a DNS message (e.g. qdcount == 0 on
 * a query, or opcode > 6).  `out` is fully initialised in every case.
 * Names are lower-cased for the question only; records keep their case. */
int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *out);

/* Read a possibly compressed name at r's position into out (lower-cased when
 * lower is true, no trailing dot, "" for the root).  `msg`/`msg_len` is the
 * whole message for pointer targets.  Advances r past the name in place.
 * Returns DX_OK, DX_TRUNC or DX_INVALID and ORs anomalies into *anom. */
int dns_read_name(struct rd *r, const uint8_t *msg, size_t msg_len,
		  char out[DNS_NAME_MAX], bool lower, unsigned *anom);

/* Names for values ("A", "NOERROR", "name_loop").  Unknown values render as
 * "TYPE65", "RCODE12" into a static table-less buffer supplied by caller. */
const char *dns_type_name(uint16_t type, char buf[16]);
const char *dns_rcode_name(uint16_t rcode, char buf[16]);
const char *dns_anomaly_name(enum dns_anomaly bit);

/* Build the reverse name for an address: "10.2.0.192.in-addr.arpa" for
 * 192.0.2.10 (family 4) or the 32-nibble ip6.arpa name (family 6). */
void dns_reverse_name(int family, const uint8_t *addr, char out[DNS_NAME_MAX]);

/* If qname is a reverse name (in-addr.arpa / ip6.arpa, full length) fill
 * addr with the address and return its family (4 or 6), else return 0. */
int dns_parse_reverse(const char *qname, uint8_t addr[16]);

/* If qname is a DNSBL-style lookup "d.c.b.a.zone" (4 decimal labels then at
 * least one more label, not in-addr.arpa) or the 32-nibble IPv6 form under
 * a zone other than ip6.arpa, fill addr, write the zone to zone (may be NULL)
 * and return the family; else return 0. */
int dns_parse_dnsbl(const char *qname, uint8_t addr[16],
		    char zone[DNS_NAME_MAX]);

/* DNS over TCP (RFC 7766): a per-direction framer that reassembles the
 * 2-byte length prefixed messages from arbitrary stream chunks.
 * The buffer is caller-owned and inline (65535 + 2 bytes), so no allocation.
 * Callback gets each complete message; returns nothing. */
struct dns_tcp_framer {
	uint8_t len_hdr[2];
	size_t len_have;  /* bytes of len_hdr we have (0..2) */
	size_t msg_len;   /* expected message length when len_have == 2 */
	size_t msg_have;  /* bytes of the message buffered */
	double msg_ts;    /* time of the first byte of the current message */
	uint8_t msg[65535];
};

typedef void (*dns_tcp_msg_fn)(void *ctx, const uint8_t *msg, size_t len,
			       double ts);

void dns_tcp_init(struct dns_tcp_framer *f);
/* Feed a chunk that arrived at time ts; calls fn for every message it
 * completes (the message's ts is that of its first length byte).  The msg
 * pointer is into the framer and valid only during the callback. */
void dns_tcp_feed(struct dns_tcp_framer *f, const uint8_t *buf, size_t len,
		  double ts, dns_tcp_msg_fn fn, void *ctx);

/* Bytes of the stream were lost: drop the message being framed. */
void dns_tcp_gap(struct dns_tcp_framer *f);

#endif
