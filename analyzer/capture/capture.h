/* capture.h - packets from capture files or a live interface: open,
 * filter, merge, strip the link layer.
 *
 * One or more pcap/pcapng files (or "-" for stdin) are read as one capture
 * in timestamp order; a live interface is read the same way.  Each frame's link layer (Ethernet with 0-2 VLAN tags,
 * Linux SLL/SLL2, raw IP, BSD loopback) is removed and the IP packet is
 * handed to the caller.
 */
#ifndef MXRAY_CAPTURE_H
#define MXRAY_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "capture/linklayer.h"

struct pcap_pkthdr;

/* One IP packet: version 4 or 6, caplen bytes present of wire length len. */
struct cap_packet {
	const struct pcap_pkthdr *hdr;
	double ts;
	int ipver;
	const uint8_t *ip;
	size_t caplen;
	size_t len;
	/* what -w writes of it (cap_write_format): the whole frame, or the
	 * IP packet when the inputs' link types differ */
	const uint8_t *frame;
	size_t frame_caplen, frame_len;
	int64_t sec;   /* ts as the capture has it */
	uint32_t usec;
};

typedef void (*cap_packet_fn)(void *ctx, const struct cap_packet *pkt);
/* Live capture only: called when no packet came for a while, with the
 * wall-clock time, so timers still run on a quiet link. */
typedef void (*cap_idle_fn)(void *ctx, double now);

struct cap_input_stats {
	char *file;
	char link_type[32];
	uint64_t packets;
	uint64_t bytes;
	uint64_t non_ip;   /* frames of other protocols (ARP ...) */
	uint64_t short_frames; /* too short for their link header */
	uint64_t decapsulated; /* frames whose IP packet was in a tunnel */
	/* live capture (pcap_stats, polled once a second and at the end) */
	bool live;
	uint64_t received;       /* packets the kernel's filter passed */
	uint64_t dropped_kernel; /* ... of them lost: the ring was full */
	uint64_t dropped_iface;  /* lost by the interface (its rx_dropped) */
};

/* All inputs' counters summed. */
struct cap_totals {
	uint64_t packets; /* frames read */
	uint64_t received, dropped_kernel, dropped_iface;
};
/* Live capture only: called about once a second of wall time, and once
 * more at the end, on the thread that reads packets. */
typedef void (*cap_stats_fn)(void *ctx, const struct cap_totals *t,
			     double now);

#define CAP_MAX_IFACES 16
#define CAP_DEFAULT_BUFFER_KIB (64u << 10)

struct cap_reader; /* opaque */

/* Open every file; NULL with errbuf ("FILE: problem") on the first that
 * fails.  bpf may be NULL.  A bad filter returns NULL with *usage_error
 * set. */
struct cap_reader *cap_open(char **files, size_t nfiles, const char *bpf,
			    char errbuf[MX_ERRBUF_SIZE], bool *usage_error);
/* Live capture on n interfaces (a mirror port, a TAP's two outputs),
 * merged in timestamp order, each with a ring of buffer_kib KiB; same
 * errors as cap_open. */
struct cap_reader *cap_open_live(char **ifaces, size_t n, const char *bpf,
				 size_t buffer_kib, char errbuf[MX_ERRBUF_SIZE],
				 bool *usage_error);
/* Who hears the live counters (cap_stats_fn); before cap_run. */
void cap_set_stats_fn(struct cap_reader *cr, cap_stats_fn fn, void *ctx);
/* The live inputs' counters now (pcap_stats), summed into t. */
void cap_poll_stats(struct cap_reader *cr, struct cap_totals *t);
bool cap_is_live(const struct cap_reader *cr);
void cap_free(struct cap_reader *cr);
/* Async-signal-safe: make cap_run return after the current packet. */
void cap_request_stop(void);

/* Read everything, calling fn per IP packet.  Returns 0 at the end of all
 * files, -1 with errbuf when a file is damaged part way (packets before the
 * damage were delivered; the other files are read to their end first).
 * progress: print a progress line on stderr. */
int cap_run(struct cap_reader *cr, cap_packet_fn fn, cap_idle_fn idle,
	    void *ctx, bool progress, char errbuf[MX_ERRBUF_SIZE]);

/* How -w will write the frames of these inputs (cap_packet.frame): with
 * their link type (DLT_*) when all share one, else as raw IP (DLT_RAW);
 * and the largest snapshot length.  Before cap_run. */
void cap_write_format(struct cap_reader *cr, int *dlt, int *snaplen);

size_t cap_ninputs(const struct cap_reader *cr);
const struct cap_input_stats *cap_input(const struct cap_reader *cr, size_t i);

#endif
