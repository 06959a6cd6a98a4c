/* capture_int.h - what capture.c (files) and live.c (interfaces) share:
 * one input's state, the reader, and the frame hand-over.  Private to
 * analyzer/capture/. */
#ifndef MXRAY_CAPTURE_INT_H
#define MXRAY_CAPTURE_INT_H

#include <pcap.h>
#include <stdatomic.h>
#include <sys/time.h>

#include "capture/capture.h"

struct cap_input {
	pcap_t *p;
	int dlt;
	struct pcap_pkthdr *hdr; /* current packet, NULL when done */
	const u_char *data;
	long size;               /* file size, for progress; 0 for stdin */
	char *iobuf;             /* the file's stdio buffer (glibc ignores a
				    size given without one) */
	bool done;
	bool empty;              /* live: the ring had nothing at last look */
	int fd;                  /* live: what poll() waits on */
	uint64_t nread;          /* frames read */
	bool write_ip;           /* -w: the inputs' link types differ, so
				    the IP packet is written, not the frame */
	unsigned raw[3];         /* live: pcap_stats' last (32-bit) counters */
	struct cap_input_stats st;
};

struct cap_reader {
	struct cap_input *in;
	size_t n;
	bool live;
	cap_stats_fn stats_fn;
	void *stats_ctx;
};

extern atomic_int cap_stop_requested;

static inline bool cap_stopping(void)
{
	return atomic_load_explicit(&cap_stop_requested, memory_order_relaxed);
}

static inline double cap_tv_to_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static inline bool cap_hdr_before(const struct pcap_pkthdr *a,
				  const struct pcap_pkthdr *b)
{
	if (a->ts.tv_sec != b->ts.tv_sec)
		return a->ts.tv_sec < b->ts.tv_sec;
	return a->ts.tv_usec < b->ts.tv_usec;
}

/* Link type check and BPF filter, for files and interfaces alike. */
int cap_input_setup(struct cap_input *in, const char *file, const char *bpf,
		    char errbuf[MX_ERRBUF_SIZE], bool *usage_error);

/* Strip the link layer (and tunnels) of the frame and hand it on. */
void cap_deliver(struct cap_input *in, const struct pcap_pkthdr *hdr,
		 const u_char *data, cap_packet_fn fn, void *ctx);

/* Interfaces: read until cap_request_stop() or an error (live.c). */
int cap_run_live(struct cap_reader *cr, cap_packet_fn fn, cap_idle_fn idle,
		 void *ctx, char errbuf[MX_ERRBUF_SIZE]);

#endif
