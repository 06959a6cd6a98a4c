/* test_ipfrag.c - unit tests for IP defragmentation (analyzer/capture/
 * ipfrag.c): libnids behind a ledger that bounds its memory, IPv6
 * through IPv4 stand-ins.
 *
 * Each test opens the one defragmenter, feeds fragments built here (RFC
 * 791 for IPv4, RFC 8200 4.5 for IPv6) and checks what comes back through
 * the callback, byte for byte, and the counters.  Criterion runs each test
 * in its own process, so libnids' global state starts fresh every time.
 * Under ASan (make asan) a queue libnids kept after shutdown is a leak.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "capture/ipfrag.h"

/* ---- recorder ------------------------------------------------------------ */

struct got {
	int n;
	uint8_t pkt[70000];
	size_t len;
	double ts;
};
static struct got got;

static void on_ip(void *ctx, int ipver, const uint8_t *pkt, size_t len,
		  double ts)
{
	(void)ctx;
	cr_assert_eq(ipver, pkt[0] >> 4, "the family said is the packet's");
	got.n++;
	cr_assert_leq(len, sizeof(got.pkt));
	memcpy(got.pkt, pkt, len);
	got.len = len;
	got.ts = ts;
}

static const struct reasm_ops ops = {on_ip};

static void open_with(size_t max_dgrams, size_t max_bytes)
{
	struct reasm_config c = {max_dgrams, max_bytes, 30.0, 60.0};
	char err[MX_ERRBUF_SIZE];
	memset(&got, 0, sizeof(got));
	cr_assert_eq(reasm_open(&c, &ops, NULL, err), 0, "%s", err);
}

/* As the engine does: decode, and a fragment goes to reassembly. */
static enum dec_result feed(int ipver, double ts, const uint8_t *p, size_t n)
{
	struct dec_seg d;
	enum dec_result r = ipver == 4 ? dec_ipv4(p, n, &d) : dec_ipv6(p, n, &d);
	if (r == DEC_FRAGMENT)
		reasm_feed(ts, &d);
	return r;
}

static enum dec_result feed4(double ts, const uint8_t *p, size_t n)
{
	return feed(4, ts, p, n);
}

static enum dec_result feed6(double ts, const uint8_t *p, size_t n)
{
	return feed(6, ts, p, n);
}

static struct reasm_stats stats(void)
{
	struct reasm_stats s;
	reasm_get_stats(&s);
	return s;
}

/* ---- packet building ---------------------------------------------------- */

/* Byte i of every test datagram's transport part. */
static uint8_t body(size_t i)
{
	return (uint8_t)(i * 131 + 7);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* The RFC 791 checksum of a 20-byte header whose checksum field is still
 * zero (libnids checks it). */
static uint16_t ip4_checksum(const uint8_t *h)
{
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 fragment of the datagram (src, dst, id): transport bytes
 * [off, off + n) of body(), MF as given.  Returns its length. */
static size_t frag4(uint8_t *p, uint32_t src, uint32_t dst, uint16_t id,
		    size_t off, size_t n, int more)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + n));
	put16(p + 4, id);
	put16(p + 6, (unsigned)(off / 8) | (more ? 0x2000 : 0));
	p[8] = 64;
	p[9] = 17;
	put32(p + 12, src);
	put32(p + 16, dst);
	put16(p + 10, ip4_checksum(p));
	for (size_t i = 0; i < n; i++)
		p[20 + i] = body(off + i);
	return 20 + n;
}

static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x53, [15] = 0x53};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x25, [15] = 0x25};

/* An IPv6 fragment: fixed header (flow label 0x12345, hop limit 57), an
 * optional destination-options header before the Fragment header, then
 * transport bytes [off, off + n) of body(). */
static size_t frag6(uint8_t *p, uint32_t id, size_t off, size_t n, int more,
		    int dstopts)
{
	size_t h = 40;
	memset(p, 0, 48 + 8);
	put32(p, 0x60012345);
	p[6] = dstopts ? 60 : 44;
	p[7] = 57;
	memcpy(p + 8, SRC6, 16);
	memcpy(p + 24, DST6, 16);
	if (dstopts) { /* 8 bytes: next header, length 0, PadN */
		p[h] = 44;
		p[h + 2] = 1;
		p[h + 3] = 4;
		h += 8;
	}
	p[h] = 17;
	put16(p + h + 2, (unsigned)off | (more ? 1 : 0));
	put32(p + h + 4, id);
	h += 8;
	for (size_t i = 0; i < n; i++)
		p[h + i] = body(off + i);
	put16(p + 4, (unsigned)(h - 40 + n));
	return h + n;
}

static void expect_body(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(p[i], body(i), "byte %zu", i);
}

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
static uint8_t buf[70000];

/* Build a whole fragment in buf (frag4, frag6) and feed it at time ts. */
static void feed_frag4(double ts, uint32_t src, uint32_t dst, uint16_t id,
		       size_t off, size_t n, int more)
{
	feed4(ts, buf, frag4(buf, src, dst, id, off, n, more));
}

static void feed_frag6(double ts, uint32_t id, size_t off, size_t n, int more,
		       int dstopts)
{
	feed6(ts, buf, frag6(buf, id, off, n, more, dstopts));
}

/* ---- IPv4 ------------------------------------------------------------------ */

Test(reassembly, ipv4_out_of_order)
{
	const uint32_t src = A(198, 51, 100, 53), dst = A(203, 0, 113, 25);

	open_with(64, 1 << 20);
	feed_frag4(1.0, src, dst, 7, 2960, 500, 0);
	feed_frag4(1.1, src, dst, 7, 0, 1480, 1);
	cr_assert_eq(got.n, 0);
	feed_frag4(1.2, src, dst, 7, 1480, 1480, 1);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.len, 20 + 3460);
	cr_assert_eq((got.pkt[6] << 8 | got.pkt[7]) & 0x3fff, 0, "no MF/offset");
	expect_body(got.pkt + 20, 3460);
	cr_assert_float_eq(got.ts, 1.2, 1e-9);
	cr_assert_eq(stats().reassembled, 1);
	cr_assert_eq(stats().fragments4, 3);
	cr_assert_eq(stats().held_datagrams, 0);
	cr_assert_eq(stats().held_bytes, 0);
	reasm_shutdown();
	cr_assert_eq(stats().incomplete, 0);
}

Test(reassembly, ipv4_two_datagrams_interleaved_keep_apart)
{
	open_with(64, 1 << 20);
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 2), 1, 0, 800, 1);
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 2), 2, 0, 800, 1);
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 2), 2, 800, 16, 0);
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.pkt[4] << 8 | got.pkt[5], 2);
	cr_assert_eq(got.len, 20 + 816);
	cr_assert_eq(stats().held_datagrams, 1);
	reasm_shutdown();
	cr_assert_eq(stats().incomplete, 1);
	cr_assert_eq(stats().lost4, 1);
}

Test(reassembly, ipv4_snaplen_cut_fragment_is_not_used)
{
	size_t n;
	open_with(64, 1 << 20);
	n = frag4(buf, A(192, 0, 2, 1), A(192, 0, 2, 2), 3, 0, 1000, 1);
	feed4(1, buf, n - 100);
	cr_assert_eq(stats().ip_invalid, 1);
	cr_assert_eq(stats().lost4, 1);
	cr_assert_eq(stats().held_datagrams, 0);
	reasm_shutdown();
}

Test(reassembly, ipv4_source_in_standin_range_refused)
{
	open_with(64, 1 << 20);
	feed_frag4(1, A(240, 0, 0, 0), A(240, 0, 0, 0), 0, 0, 8, 1);
	cr_assert_eq(stats().ip_invalid, 1);
	cr_assert_eq(stats().held_datagrams, 0);
	reasm_shutdown();
}

/* ---- bounds ---------------------------------------------------------------- */

Test(reassembly, datagram_cap_evicts_oldest_and_libnids_forgets_it)
{
	open_with(4, 1 << 20);
	for (uint16_t id = 1; id <= 10; id++) {
		feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, id), id, 0, 64, 1);
		cr_assert_leq(stats().held_datagrams, 4);
	}
	cr_assert_eq(stats().evicted, 6);
	cr_assert_eq(stats().lost4, 6);
	/* the newest completes */
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 10), 10, 64, 8, 0);
	cr_assert_eq(got.n, 1);
	expect_body(got.pkt + 20, 72);
	/* an evicted one cannot: libnids no longer holds its first part */
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 1), 1, 64, 8, 0);
	cr_assert_eq(got.n, 1);
	reasm_shutdown();
}

Test(reassembly, byte_budget_holds)
{
	const size_t budget = 64 * 1024;
	open_with(1000, budget);
	for (uint16_t id = 1; id <= 200; id++) {
		feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 2), id, 0, 1480, 1);
		cr_assert_leq(stats().held_bytes, budget);
	}
	cr_assert_gt(stats().evicted, 150);
	reasm_shutdown();
	cr_assert_eq(stats().held_datagrams, 0);
}

Test(reassembly, repeated_fragment_cannot_grow_one_datagram)
{
	size_t n;
	open_with(64, 16 << 20);
	n = frag4(buf, A(192, 0, 2, 1), A(192, 0, 2, 2), 9, 0, 1480, 1);
	for (int i = 0; i < 1000; i++) {
		feed4(1, buf, n);
		cr_assert_leq(stats().held_bytes, 200 * 1024);
	}
	cr_assert_geq(stats().evicted, 1);
	reasm_shutdown();
}

Test(reassembly, lifetime_is_capture_time)
{
	open_with(64, 1 << 20);
	feed_frag4(100.0, A(192, 0, 2, 1), A(192, 0, 2, 2), 5, 0, 800, 1);
	reasm_expire(129.0);
	cr_assert_eq(stats().held_datagrams, 1);
	reasm_expire(130.5);
	cr_assert_eq(stats().held_datagrams, 0);
	cr_assert_eq(stats().incomplete, 1);
	/* the rest, after the lifetime: nothing to join it with */
	feed_frag4(131.0, A(192, 0, 2, 1), A(192, 0, 2, 2), 5, 800, 8, 0);
	cr_assert_eq(got.n, 0);
	reasm_shutdown();
	cr_assert_eq(stats().incomplete, 2);
}

/* ---- IPv6 ------------------------------------------------------------------ */

static void expect_ipv6(size_t plen)
{
	cr_assert_eq(got.len, 40 + plen);
	cr_assert_eq(got.pkt[0] >> 4, 6);
	cr_assert_eq((got.pkt[1] & 15) << 16 | got.pkt[2] << 8 | got.pkt[3],
		     0x12345, "flow label kept");
	cr_assert_eq(got.pkt[4] << 8 | got.pkt[5], plen);
	cr_assert_eq(got.pkt[6], 17, "next header from the first fragment");
	cr_assert_eq(got.pkt[7], 57);
	cr_assert_arr_eq(got.pkt + 8, SRC6, 16);
	cr_assert_arr_eq(got.pkt + 24, DST6, 16);
	expect_body(got.pkt + 40, plen);
}

Test(reassembly, ipv6_last_first_with_extension_header)
{
	open_with(64, 1 << 20);
	feed_frag6(2.0, 0xdeadbeef, 2464, 300, 0, 1);
	feed_frag6(2.1, 0xdeadbeef, 1232, 1232, 1, 1);
	feed_frag6(2.2, 0xdeadbeef, 0, 1232, 1, 1);
	cr_assert_eq(got.n, 1);
	expect_ipv6(2764);
	cr_assert_eq(stats().fragments6, 3);
	cr_assert_eq(stats().reassembled, 1);
	reasm_shutdown();
	cr_assert_eq(stats().incomplete, 0);
}

Test(reassembly, ipv6_ids_apart_and_ipv4_alongside)
{
	open_with(64, 1 << 20);
	feed_frag6(1, 1, 0, 512, 1, 0);
	feed_frag6(1, 2, 0, 512, 1, 0);
	feed_frag4(1, A(192, 0, 2, 1), A(192, 0, 2, 2), 1, 0, 512, 1);
	feed_frag6(1, 2, 512, 40, 0, 0);
	cr_assert_eq(got.n, 1);
	expect_ipv6(552);
	cr_assert_eq(stats().held_datagrams, 2);
	reasm_shutdown();
	cr_assert_eq(stats().lost6, 1);
	cr_assert_eq(stats().lost4, 1);
}

Test(reassembly, ipv6_atomic_fragment_passes_straight)
{
	open_with(64, 1 << 20);
	feed_frag6(1, 42, 0, 100, 0, 0);
	cr_assert_eq(got.n, 1);
	expect_ipv6(100);
	cr_assert_eq(stats().held_datagrams, 0);
	reasm_shutdown();
}

Test(reassembly, ipv6_cut_fragment_is_not_used)
{
	size_t n;
	open_with(64, 1 << 20);
	n = frag6(buf, 42, 0, 1000, 1, 0);
	feed6(1, buf, n - 1);
	cr_assert_eq(stats().ip_invalid, 1);
	cr_assert_eq(stats().lost6, 1);
	/* not even the fixed header: decode stops it, nothing to count */
	cr_assert_eq(feed6(1, buf, 30), DEC_OTHER);
	cr_assert_eq(stats().lost6, 1);
	cr_assert_eq(stats().held_datagrams, 0);
	reasm_shutdown();
}

Test(reassembly, ipv6_lifetime_longer_than_ipv4)
{
	open_with(64, 1 << 20);
	feed_frag6(0, 7, 0, 512, 1, 0);
	feed_frag4(0, A(192, 0, 2, 1), A(192, 0, 2, 2), 1, 0, 512, 1);
	reasm_expire(45);
	cr_assert_eq(stats().held_datagrams, 1, "IPv4 gone at 30 s, IPv6 kept");
	feed_frag6(50, 7, 512, 8, 0, 0);
	cr_assert_eq(got.n, 1);
	expect_ipv6(520);
	reasm_shutdown();
}
