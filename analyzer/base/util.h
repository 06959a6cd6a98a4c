/* util.h - addresses, printable escaping of packet strings, time helpers.
 *
 * Packet strings may hold any byte; before they reach a report (and jansson,
 * which rejects invalid UTF-8) they are escaped here.
 */
#ifndef MXRAY_UTIL_H
#define MXRAY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MX_ERRBUF_SIZE 512
#define MX_ADDRSTR 48 /* "ffff:...:ffff" + NUL, with room */

/* An IPv4 or IPv6 address; family 4 or 6, v4 in a[0..3], rest zero. */
struct mx_addr {
	uint8_t family;
	uint8_t a[16];
};

struct mx_endpoint {
	struct mx_addr ip;
	uint16_t port;
};

void mx_addr_set4(struct mx_addr *x, const uint8_t v4[4]);
void mx_addr_set6(struct mx_addr *x, const uint8_t v6[16]);
/* family 4 or 6, as dns_parse_reverse / dns_parse_dnsbl return it */
void mx_addr_set(struct mx_addr *x, int family, const uint8_t *a);
bool mx_addr_eq(const struct mx_addr *x, const struct mx_addr *y);
bool mx_ep_eq(const struct mx_endpoint *x, const struct mx_endpoint *y);
/* Render an address ("192.0.2.1", "2001:db8::1") into out[MX_ADDRSTR]. */
const char *mx_addr_str(const struct mx_addr *x, char out[MX_ADDRSTR]);
/* Parse dotted/colon text; returns 0 or -1. */
int mx_addr_parse(const char *s, struct mx_addr *x);

/* 64-bit hashing for the tables (mix of bytes, seedable). */
uint64_t mx_hash_bytes(const void *p, size_t n, uint64_t seed);
/* Bucket count for a hash table of about want entries: the least power of
 * two >= want, starting at least (a power of two), capped at most. */
size_t mx_hash_buckets(size_t want, size_t least, size_t most);
/* Hash of an ordered endpoint pair, from explicit bytes (struct padding
 * never reaches it). */
uint64_t mx_hash_pair(const struct mx_endpoint *a, const struct mx_endpoint *b,
		      uint64_t seed);

/* Escape n bytes for a report: printable ASCII, '\n' (it joins the lines
 * of a multi-line reply) and valid UTF-8 stay, other bytes become \xNN, backslash stays as is.  Always NUL-terminates out;
 * truncates (with "...") when out is too small.  Returns out. */
char *mx_escape(const char *in, size_t n, char *out, size_t outsz);
/* The same, returning the length written (before the NUL). */
size_t mx_escape_len(const char *in, size_t n, char *out, size_t outsz);
/* Same, into a fresh heap string (caller frees); NULL on OOM. */
char *mx_escape_dup(const char *in, size_t n);

/* Times are seconds as doubles (pcap gives microseconds).  Differences are
 * rounded to the microsecond so reports don't show 4.0299999. */
double mx_round_us(double t);
double mx_dt(double from, double to);
/* "2023-11-14 22:13:20.000000" in UTC into out[32]. */
const char *mx_time_str(double t, char out[32]);

/* Lower-case copy bounded by outsz. */
void mx_lower(const char *in, char *out, size_t outsz);

/* Safe formatted append: writes at *len, never beyond cap, keeps NUL. */
void mx_appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* This process's resident memory in KiB (/proc/self/statm), -1 if not
 * known. */
long mx_rss_kib(void);

#endif
