/* capture.c - pcap/pcapng input through libpcap, merged by timestamp, link
 * layers stripped (IEEE 802.3 + 802.1Q/802.1ad, Linux SLL/SLL2, raw IP,
 * BSD loopback).
 */
#include "capture/capture_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "capture/linklayer.h"

#define IOBUF_SIZE ((size_t)1 << 20)

/* Set by a signal handler on whichever thread takes the signal, read by
 * the one that reads packets: an atomic (lock-free, so safe in a
 * handler), not a sig_atomic_t, which only serves one thread. */
atomic_int cap_stop_requested;

void cap_request_stop(void)
{
	atomic_store_explicit(&cap_stop_requested, 1, memory_order_relaxed);
}

/* Turn libpcap's wording into something a user can act on. */
static void open_error(char errbuf[MX_ERRBUF_SIZE], const char *file,
		       const char *pcap_msg)
{
	if (strstr(pcap_msg, "unknown file format"))
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "%s: not a pcap or pcapng capture (unknown file format)",
			 file);
	else if (strstr(pcap_msg, "file header bytes, only got 0"))
		/* nothing at all: /dev/null, an empty pipe */
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: empty file, not a capture",
			 file);
	else if (strstr(pcap_msg, "truncated dump file") ||
		 strstr(pcap_msg, "truncated pcapng"))
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "%s: truncated capture header (%s)", file, pcap_msg);
	else if (strstr(pcap_msg, "unsupported")) /* says it all */
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", file, pcap_msg);
	else
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: damaged capture header (%s)",
			 file, pcap_msg);
}

static int input_open(struct cap_input *in, const char *file, const char *bpf,
		      char errbuf[MX_ERRBUF_SIZE], bool *usage_error)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct stat sb;
	int rc = -1;

	in->st.file = strdup(file);
	if (!in->st.file) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: out of memory", file);
		goto out;
	}
	if (strcmp(file, "-") != 0) {
		if (stat(file, &sb) != 0) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", file,
				 strerror(errno));
			goto out;
		}
		if (S_ISDIR(sb.st_mode)) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: is a directory",
				 file);
			goto out;
		}
		if (access(file, R_OK) != 0) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", file,
				 strerror(errno));
			goto out;
		}
		if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "%s: empty file, not a capture", file);
			goto out;
		}
		in->size = S_ISREG(sb.st_mode) ? (long)sb.st_size : 0;
	}
	if (strcmp(file, "-") != 0) {
		/* a file is read in 1 MB blocks (stdio's default is one page,
		 * a system call each): standard input keeps the default, as
		 * it may be a live pipe */
		FILE *fp = fopen(file, "rb");
		if (!fp) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", file,
				 strerror(errno));
			goto out;
		}
		if ((in->iobuf = malloc(IOBUF_SIZE)))
			setvbuf(fp, in->iobuf, _IOFBF, IOBUF_SIZE);
		if (!(in->p = pcap_fopen_offline(fp, perr)))
			fclose(fp); /* libpcap closes it only once it took it */
	} else {
		in->p = pcap_open_offline(file, perr);
	}
	if (!in->p) {
		open_error(errbuf, strcmp(file, "-") ? file : "(stdin)", perr);
		goto out;
	}
	rc = cap_input_setup(in, file, bpf, errbuf, usage_error);
out:
	return rc;
}

/* Link type check and filter, shared by files and interfaces. */
int cap_input_setup(struct cap_input *in, const char *file, const char *bpf,
		       char errbuf[MX_ERRBUF_SIZE], bool *usage_error)
{
	const char *name;
	int rc = -1;

	in->dlt = pcap_datalink(in->p);
	name = pcap_datalink_val_to_name(in->dlt);
	snprintf(in->st.link_type, sizeof(in->st.link_type), "%s",
		 name ? name : "UNKNOWN");
	if (!cap_link_supported(in->dlt)) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "%s: unsupported link type %s (%d)", file,
			 in->st.link_type, in->dlt);
		goto out;
	}
	if (bpf && *bpf) {
		struct bpf_program prog;
		if (pcap_compile(in->p, &prog, bpf, 1,
				 PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "bad filter expression '%s': %s", bpf,
				 pcap_geterr(in->p));
			*usage_error = true;
			goto out;
		}
		if (pcap_setfilter(in->p, &prog) != 0) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: filter: %s", file,
				 pcap_geterr(in->p));
			pcap_freecode(&prog);
			goto out;
		}
		pcap_freecode(&prog);
	}
	rc = 0;
out:
	return rc;
}

struct cap_reader *cap_open(char **files, size_t nfiles, const char *bpf,
			    char errbuf[MX_ERRBUF_SIZE], bool *usage_error)
{
	struct cap_reader *cr = calloc(1, sizeof(*cr));
	*usage_error = false;
	if (!cr || !(cr->in = calloc(nfiles ? nfiles : 1, sizeof(*cr->in)))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		free(cr);
		return NULL;
	}
	cr->n = nfiles;
	for (size_t i = 0; i < nfiles; i++) {
		if (input_open(&cr->in[i], files[i], bpf, errbuf,
			       usage_error) != 0) {
			cap_free(cr);
			return NULL;
		}
	}
	return cr;
}

void cap_free(struct cap_reader *cr)
{
	if (!cr)
		return;
	for (size_t i = 0; i < cr->n; i++) {
		if (cr->in[i].p)
			pcap_close(cr->in[i].p);
		free(cr->in[i].iobuf); /* after the file is closed */
		free(cr->in[i].st.file);
	}
	free(cr->in);
	free(cr);
}

void cap_set_stats_fn(struct cap_reader *cr, cap_stats_fn fn, void *ctx)
{
	cr->stats_fn = fn;
	cr->stats_ctx = ctx;
}

bool cap_is_live(const struct cap_reader *cr)
{
	return cr->live;
}

void cap_write_format(struct cap_reader *cr, int *dlt, int *snaplen)
{
	bool mixed = false;
	*snaplen = 0;
	for (size_t i = 0; i < cr->n; i++) {
		int s = pcap_snapshot(cr->in[i].p);
		mixed = mixed || cr->in[i].dlt != cr->in[0].dlt;
		if (s > *snaplen)
			*snaplen = s;
	}
	*dlt = cr->n && !mixed ? cr->in[0].dlt : DLT_RAW;
	for (size_t i = 0; i < cr->n; i++)
		cr->in[i].write_ip = mixed;
	if (*snaplen <= 0)
		*snaplen = 262144; /* libpcap's MAXIMUM_SNAPLEN */
}

size_t cap_ninputs(const struct cap_reader *cr)
{
	return cr->n;
}

const struct cap_input_stats *cap_input(const struct cap_reader *cr, size_t i)
{
	return &cr->in[i].st;
}

/* Advance one input; on damage record the first error and stop it. */
static void input_next(struct cap_input *in, char errbuf[MX_ERRBUF_SIZE],
		       int *failed)
{
	int rc = pcap_next_ex(in->p, &in->hdr, &in->data);
	if (rc == 1) {
		in->nread++;
		return;
	}
	in->hdr = NULL;
	in->done = true;
	if (rc == PCAP_ERROR && !*failed) {
		const char *msg = pcap_geterr(in->p);
		const char *name = strcmp(in->st.file, "-") ? in->st.file
							     : "(stdin)";
		if (strstr(msg, "truncated"))
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "%s: truncated capture after %llu packets (%s)",
				 name, (unsigned long long)in->nread, msg);
		else
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "%s: damaged capture after %llu packets (%s)",
				 name, (unsigned long long)in->nread, msg);
		*failed = 1;
	}
}

static void show_progress(struct cap_reader *cr, uint64_t packets)
{
	long done = 0, total = 0;
	for (size_t i = 0; i < cr->n; i++) {
		FILE *f = cr->in[i].p ? pcap_file(cr->in[i].p) : NULL;
		total += cr->in[i].size;
		if (cr->in[i].done)
			done += cr->in[i].size;
		else if (f)
			done += ftell(f);
	}
	if (total > 0)
		fprintf(stderr, "\rmxray: %5.1f%%  %llu packets",
			100.0 * (double)done / (double)total,
			(unsigned long long)packets);
	else
		fprintf(stderr, "\rmxray: %llu packets",
			(unsigned long long)packets);
}

/* Strip the link layer and any tunnel, and hand one frame of `in` on. */
void cap_deliver(struct cap_input *in, const struct pcap_pkthdr *hdr,
		 const u_char *data, cap_packet_fn fn, void *ctx)
{
	struct cap_packet pkt;
	size_t off;
	unsigned tunnels = 0;
	in->st.packets++;
	in->st.bytes += hdr->len;
	if (cap_strip_frame(in->dlt, data, hdr->caplen, &pkt.ipver, &off,
			    &tunnels) != 0) {
		in->st.non_ip++;
		return;
	}
	in->st.decapsulated += tunnels != 0;
	pkt.hdr = hdr;
	pkt.ts = cap_tv_to_s(&hdr->ts);
	pkt.ip = data + off;
	pkt.caplen = hdr->caplen - off;
	pkt.len = hdr->len > off ? hdr->len - off : 0;
	pkt.frame = in->write_ip ? pkt.ip : data;
	pkt.frame_caplen = in->write_ip ? pkt.caplen : hdr->caplen;
	pkt.frame_len = in->write_ip ? pkt.len : hdr->len;
	pkt.sec = hdr->ts.tv_sec;
	pkt.usec = (uint32_t)hdr->ts.tv_usec;
	fn(ctx, &pkt);
}

/* The input whose current frame is the earliest, or NULL at the end of
 * all: few files, so a linear scan beats a heap. */
static struct cap_input *earliest(struct cap_reader *cr)
{
	struct cap_input *in = NULL;
	for (size_t i = 0; i < cr->n; i++)
		if (cr->in[i].hdr &&
		    (!in || cap_hdr_before(cr->in[i].hdr, in->hdr)))
			in = &cr->in[i];
	return in;
}

/* At most about once a second. */
static void maybe_progress(struct cap_reader *cr, uint64_t total,
			   struct timespec *last)
{
	struct timespec now;
	if ((total & 0x3fff) != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != last->tv_sec) {
		*last = now;
		show_progress(cr, total);
	}
}

/* Files, merged in time order. */
static int run_files(struct cap_reader *cr, cap_packet_fn fn, void *ctx,
		      bool progress, char errbuf[MX_ERRBUF_SIZE])
{
	int failed = 0;
	uint64_t total = 0;
	struct timespec last = {0, 0};
	struct cap_input *in;

	for (size_t i = 0; i < cr->n; i++)
		input_next(&cr->in[i], errbuf, &failed);
	while (!cap_stopping() && (in = earliest(cr))) {
		total++;
		cap_deliver(in, in->hdr, in->data, fn, ctx);
		if (progress)
			maybe_progress(cr, total, &last);
		input_next(in, errbuf, &failed);
	}
	if (progress && total > 0x3fff)
		fprintf(stderr, "\r%60s\r", "");
	return failed ? -1 : 0;
}

int cap_run(struct cap_reader *cr, cap_packet_fn fn, cap_idle_fn idle,
	    void *ctx, bool progress, char errbuf[MX_ERRBUF_SIZE])
{
	if (cr->live)
		return cap_run_live(cr, fn, idle, ctx, errbuf);
	return run_files(cr, fn, ctx, progress, errbuf);
}
