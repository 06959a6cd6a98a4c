/* dns_tcp.c - DNS over TCP framing (RFC 7766 section 8, RFC 1035 4.2.2):
 * 2-byte length prefixed messages rebuilt from stream chunks split
 * anywhere.  No I/O, no allocation: the buffer lives in the framer. */
#include "dns.h"

#include <string.h>


void dns_tcp_init(struct dns_tcp_framer *f)
{
	memset(f, 0, sizeof *f);
}

void dns_tcp_feed(struct dns_tcp_framer *f, const uint8_t *buf, size_t len,
		  double ts, dns_tcp_msg_fn fn, void *ctx)
{
	struct rd r;
	size_t n;

	rd_init(&r, buf, len);
	while (rd_left(&r) > 0) {
		if (f->len_have < 2) {
			if (f->len_have == 0)
				f->msg_ts = ts;
			f->len_hdr[f->len_have++] = rd_u8(&r);
			if (f->len_have == 2) {
				f->msg_len = (size_t)f->len_hdr[0] << 8 |
					     f->len_hdr[1];
				f->msg_have = 0;
				if (f->msg_len == 0) /* nothing to deliver */
					f->len_have = 0;
			}
			continue;
		}
		/* Always through f->msg: one path, and 64 KiB at most. */
		n = f->msg_len - f->msg_have;
		if (n > rd_left(&r))
			n = rd_left(&r);
		rd_bytes(&r, f->msg + f->msg_have, n);
		f->msg_have += n;
		if (f->msg_have < f->msg_len)
			continue;
		if (fn != NULL)
			fn(ctx, f->msg, f->msg_len, f->msg_ts);
		f->len_have = 0;
		f->msg_have = 0;
		f->msg_len = 0;
	}
}

void dns_tcp_gap(struct dns_tcp_framer *f)
{
	/* the message in progress lost bytes: drop it and frame anew from
	 * the next byte (a resync heuristic; a cut-in-half message after
	 * the gap shows up as unparsable) */
	f->len_have = 0;
	f->msg_len = 0;
	f->msg_have = 0;
}
