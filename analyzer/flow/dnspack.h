/* dnspack.h - a parsed DNS message packed into bytes and back, so the
 * flow side can parse a message and the analysis take it as parsed: every
 * field of struct dns_msg that holds something (the records kept, their
 * strings without their unused tails).  The bytes are this process's own,
 * never a packet's. */
#ifndef MXRAY_DNSPACK_H
#define MXRAY_DNSPACK_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

/* The bytes dnspack_write will write for m. */
size_t dnspack_size(const struct dns_msg *m);
void dnspack_write(const struct dns_msg *m, uint8_t *out);
/* m as it was packed into in. */
void dnspack_read(const uint8_t *in, struct dns_msg *m);

#endif
