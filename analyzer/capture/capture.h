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
};

struct cap_reader; /* opaque */

/* Open every file; NULL with errbuf ("FILE: problem") on the first that
 * fails.  bpf may be NULL.  A bad filter returns NULL with *usage_error
 * set. */
struct cap_reader *cap_open(char **files, size_t nfiles, const char *bpf,
			    char errbuf[MX_ERRBUF_SIZE], bool *usage_error);
/* Live capture on an interface (a mirror port); same errors as cap_open. */
struct cap_reader *cap_open_live(const char *iface, const char *bpf,
				 char errbuf[MX_ERRBUF_SIZE], bool *usage_error);
void cap_free(struct cap_reader *cr);
/* Async-signal-safe: make cap_run return after the current packet. */
void cap_request_stop(void);

/* Read everything, calling fn per IP packet.  Returns 0 at the end of all
 * files, -1 with errbuf when a file is damaged part way (packets before the
 * damage were delivered; the other files are read to their end first).
 * progress: print a progress line on stderr. */
int cap_run(struct cap_reader *cr, cap_packet_fn fn, cap_idle_fn idle,
	    void *ctx, bool progress, char errbuf[MX_ERRBUF_SIZE]);

size_t cap_ninputs(const struct cap_reader *cr);
const struct cap_input_stats *cap_input(const struct cap_reader *cr, size_t i);

#endif
