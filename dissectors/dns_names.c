/* dns_names.c - reverse names (RFC 1035 3.5 in-addr.arpa, RFC 3596 ip6.arpa)
 * and DNSBL-style names (RFC 5782): building and recognising them.  Pure
 * string functions over presentation-format names, no I/O. */
#include "dns.h"

#include <stdio.h>
#include <string.h>


static char dns_lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Length of s if it fits a name buffer; a caller's string need not.
 * memchr stops at the first match (C11 7.24.5.1), so a short s is safe. */
static bool dns_name_len(const char *s, size_t *len)
{
	const char *z = memchr(s, '\0', DNS_NAME_MAX);

	*len = z ? (size_t)(z - s) : 0;
	return z != NULL;
}

static bool dns_ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (dns_lc(a[i]) != dns_lc(b[i]))
			return false;
	return true;
}

/* s (length n) is suffix or ends in "." + suffix, case-insensitively;
 * *pre gets the length before that dot (0 for an exact match). */
static bool dns_has_suffix(const char *s, size_t n, const char *suffix,
			   size_t *pre)
{
	size_t k = strlen(suffix);

	if (n < k || (n > k && s[n - k - 1] != '.') ||
	    !dns_ieq(s + n - k, suffix, k))
		return false;
	*pre = n > k ? n - k - 1 : 0;
	return true;
}

static int dns_hexval(char c)
{
	c = dns_lc(c);
	return (c >= '0' && c <= '9')   ? c - '0'
	       : (c >= 'a' && c <= 'f') ? c - 'a' + 10
					: -1;
}

/* Exactly "d.c.b.a" in s[0..n): decimal 0..255, no leading zeros. */
static bool dns_parse_v4_labels(const char *s, size_t n, uint8_t addr[16])
{
	size_t i = 0, start, digits;
	unsigned v;
	int lab;

	for (lab = 3; lab >= 0; lab--) {
		start = i;
		v = 0;
		digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || digits > 3 || v > 255 ||
		    (digits > 1 && s[start] == '0'))
			return false;
		addr[lab] = (uint8_t)v;
		if (lab > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

/* Exactly 32 one-hex-digit labels in s[0..n), least significant first. */
static bool dns_parse_v6_labels(const char *s, size_t n, uint8_t addr[16])
{
	size_t k;
	int v;

	if (n != 63)
		return false;
	for (k = 0; k < 32; k++) {
		v = dns_hexval(s[2 * k]);
		if (v < 0 || (k < 31 && s[2 * k + 1] != '.'))
			return false;
		if (k % 2 == 0)
			addr[15 - k / 2] = (uint8_t)v;
		else
			addr[15 - k / 2] |= (uint8_t)(v << 4);
	}
	return true;
}

void dns_reverse_name(int family, const uint8_t *addr, char out[DNS_NAME_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	out[0] = '\0';
	if (addr == NULL)
		goto out;
	if (family == 4) {
		snprintf(out, DNS_NAME_MAX, "%u.%u.%u.%u.in-addr.arpa",
			 addr[3], addr[2], addr[1], addr[0]);
	} else if (family == 6) {
		for (i = 15; i >= 0; i--) {
			out[o++] = hex[addr[i] & 0x0F];
			out[o++] = '.';
			out[o++] = hex[addr[i] >> 4];
			out[o++] = '.';
		}
		memcpy(out + o, "ip6.arpa", sizeof "ip6.arpa");
	}
out:
	return;
}

int dns_parse_reverse(const char *qname, uint8_t addr[16])
{
	size_t len, pre;
	int fam = 0;

	memset(addr, 0, 16);
	if (qname == NULL || !dns_name_len(qname, &len))
		goto out;
	if (dns_has_suffix(qname, len, "in-addr.arpa", &pre) &&
	    dns_parse_v4_labels(qname, pre, addr))
		fam = 4;
	else if (dns_has_suffix(qname, len, "ip6.arpa", &pre) &&
		 dns_parse_v6_labels(qname, pre, addr))
		fam = 6;
out:
	if (fam == 0)
		memset(addr, 0, 16);
	return fam;
}

/* A zone: non-empty labels separated by single dots. */
static bool dns_zone_ok(const char *z, size_t n)
{
	size_t i;

	if (n == 0 || z[0] == '.' || z[n - 1] == '.')
		return false;
	for (i = 1; i < n; i++)
		if (z[i] == '.' && z[i - 1] == '.')
			return false;
	return true;
}

int dns_parse_dnsbl(const char *qname, uint8_t addr[16],
		    char zone[DNS_NAME_MAX])
{
	size_t len, i, dots = 0, zl, pre;
	const char *z = NULL;
	int fam = 0;

	memset(addr, 0, 16);
	if (zone != NULL)
		zone[0] = '\0';
	if (qname == NULL || !dns_name_len(qname, &len))
		goto out;
	/* IPv6 first: 32 nibble labels may also start with 4 decimal ones. */
	if (len > 64 && qname[63] == '.' &&
	    dns_parse_v6_labels(qname, 63, addr)) {
		fam = 6;
		z = qname + 64;
	} else {
		memset(addr, 0, 16);
		for (i = 0; i < len && dots < 4; i++)
			if (qname[i] == '.' && ++dots == 4)
				break;
		if (dots == 4 && dns_parse_v4_labels(qname, i, addr)) {
			fam = 4;
			z = qname + i + 1;
		}
	}
	if (fam == 0)
		goto out;
	zl = len - (size_t)(z - qname);
	/* Under the reverse trees it is a PTR lookup, not a DNSBL one. */
	if (!dns_zone_ok(z, zl) ||
	    dns_has_suffix(z, zl, "in-addr.arpa", &pre) ||
	    dns_has_suffix(z, zl, "ip6.arpa", &pre)) {
		fam = 0;
		goto out;
	}
	if (zone != NULL)
		memcpy(zone, z, zl + 1);
out:
	if (fam == 0)
		memset(addr, 0, 16);
	return fam;
}
