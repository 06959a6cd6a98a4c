/* live.c - live capture on one or more interfaces (a mirror port, the two
 * outputs of a TAP): libpcap's memory-mapped ring, read in batches without
 * a system call per packet, interfaces merged in timestamp order, and the
 * kernel's drop counters polled once a second.
 */
#include "capture/capture_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIVE_SNAPLEN 262144
/* The kernel hands the ring's blocks over when full or after this long:
 * the most a packet waits on a quiet link. */
#define LIVE_BLOCK_MS 50
/* Merging interfaces: a packet is delivered before the others' packets of
 * the same moment are known only once it is this old (well past a block's
 * hand-over), so a TAP's two directions come out in order. */
#define LIVE_MERGE_HOLD_S 0.25
#define LIVE_IDLE_MS 500
/* Packets delivered between two looks at the clock, the stop flag and the
 * counters: under a steady flood the ring is never empty. */
#define LIVE_BATCH 4096

/* One interface, opened and activated.  0, or -1 with errbuf. */
static int live_open(struct cap_input *in, const char *iface, const char *bpf,
		     size_t buffer_kib, char errbuf[MX_ERRBUF_SIZE],
		     bool *usage_error)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc;

	in->st.file = strdup(iface);
	in->st.live = true;
	in->p = pcap_create(iface, perr);
	if (!in->st.file || !in->p) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", iface,
			 in->p ? "out of memory" : perr);
		return -1;
	}
	/* Whole packets, promiscuous (a mirror port carries others'
	 * traffic).  Not immediate mode: libpcap then falls back to
	 * TPACKET_V2, whose ring slots are each as large as the snaplen
	 * (256 KB on links with offloads), so a 32 MB ring held 128 packets
	 * and dropped under load.  TPACKET_V3 packs packets into blocks. */
	pcap_set_snaplen(in->p, LIVE_SNAPLEN);
	pcap_set_promisc(in->p, 1);
	pcap_set_timeout(in->p, LIVE_BLOCK_MS);
	if (buffer_kib > (size_t)INT32_MAX / 1024)
		buffer_kib = (size_t)INT32_MAX / 1024;
	pcap_set_buffer_size(in->p, (int)(buffer_kib * 1024));
	rc = pcap_activate(in->p);
	if (rc > 0) /* a warning: capturing goes on (no promiscuous mode...) */
		fprintf(stderr, "mxray: %s: warning: %s\n", iface,
			rc == PCAP_WARNING_PROMISC_NOTSUP
				? "promiscuous mode not supported"
				: pcap_geterr(in->p));
	if (rc < 0) {
		const char *why = pcap_geterr(in->p);
		if (rc == PCAP_ERROR_PERM_DENIED)
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "%s: capture needs root or CAP_NET_RAW (%s)",
				 iface, why);
		else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: no such interface",
				 iface);
		else
			snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", iface, why);
		return -1;
	}
	if (cap_input_setup(in, iface, bpf, errbuf, usage_error) != 0)
		return -1;
	/* non-blocking reads and our own poll: libpcap's blocking read may
	 * wait forever on a quiet link (TPACKET_V3), starving the timers and
	 * ignoring Ctrl-C */
	in->fd = pcap_get_selectable_fd(in->p);
	if (in->fd < 0 || pcap_setnonblock(in->p, 1, perr) != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: cannot poll the capture",
			 iface);
		return -1;
	}
	in->empty = true;
	return 0;
}

struct cap_reader *cap_open_live(char **ifaces, size_t n, const char *bpf,
				 size_t buffer_kib, char errbuf[MX_ERRBUF_SIZE],
				 bool *usage_error)
{
	struct cap_reader *cr = calloc(1, sizeof(*cr));
	*usage_error = false;
	if (!cr || !(cr->in = calloc(n ? n : 1, sizeof(*cr->in)))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		free(cr);
		return NULL;
	}
	cr->n = n;
	cr->live = true;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ifaces[i], ifaces[j])) {
				snprintf(errbuf, MX_ERRBUF_SIZE,
					 "%s: given twice with -i", ifaces[i]);
				*usage_error = true;
				cap_free(cr);
				return NULL;
			}
		if (live_open(&cr->in[i], ifaces[i], bpf, buffer_kib, errbuf,
			      usage_error) != 0) {
			cap_free(cr);
			return NULL;
		}
	}
	return cr;
}

void cap_poll_stats(struct cap_reader *cr, struct cap_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < cr->n; i++) {
		struct cap_input *in = &cr->in[i];
		struct pcap_stat ps;
		/* libpcap keeps the kernel's counters (which reset on each
		 * read) summed up since the interface was opened */
		/* libpcap's counters are 32 bits and wrap (at 1 Mpps after
		 * 72 minutes): add their differences to 64-bit totals */
		if (in->st.live && in->p && pcap_stats(in->p, &ps) == 0) {
			in->st.received += (uint32_t)(ps.ps_recv - in->raw[0]);
			in->st.dropped_kernel +=
				(uint32_t)(ps.ps_drop - in->raw[1]);
			in->st.dropped_iface +=
				(uint32_t)(ps.ps_ifdrop - in->raw[2]);
			in->raw[0] = ps.ps_recv;
			in->raw[1] = ps.ps_drop;
			in->raw[2] = ps.ps_ifdrop;
		}
		t->packets += in->st.packets;
		t->received += in->st.received;
		t->dropped_kernel += in->st.dropped_kernel;
		t->dropped_iface += in->st.dropped_iface;
	}
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Once a second of wall time: the counters to whoever watches them. */
static void maybe_stats(struct cap_reader *cr, double now, double *next)
{
	struct cap_totals t;
	if (now < *next)
		return;
	*next = now + 1.0;
	cap_poll_stats(cr, &t);
	if (cr->stats_fn)
		cr->stats_fn(cr->stats_ctx, &t, now);
}

/* Take the next packet of every input that has none and is not known to
 * be empty.  0, or -1 with errbuf on a capture error. */
static int fill(struct cap_reader *cr, char errbuf[MX_ERRBUF_SIZE])
{
	for (size_t i = 0; i < cr->n; i++) {
		struct cap_input *in = &cr->in[i];
		int rc;
		if (in->hdr || in->empty)
			continue;
		rc = pcap_next_ex(in->p, &in->hdr, &in->data);
		if (rc == 1)
			continue;
		in->hdr = NULL;
		if (rc == 0) {
			in->empty = true; /* until poll() says otherwise */
		} else if (rc != PCAP_ERROR_BREAK) {
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "%s: capture failed: %s", in->st.file,
				 pcap_geterr(in->p));
			return -1;
		}
	}
	return 0;
}

/* The held packet to deliver now, or NULL: the earliest, once no other
 * interface can still have an earlier one. */
static struct cap_input *next_ready(struct cap_reader *cr, double now)
{
	struct cap_input *best = NULL;
	bool waiting = false;
	for (size_t i = 0; i < cr->n; i++) {
		struct cap_input *in = &cr->in[i];
		if (!in->hdr)
			waiting = true;
		else if (!best || cap_hdr_before(in->hdr, best->hdr))
			best = in;
	}
	if (best && waiting &&
	    now - cap_tv_to_s(&best->hdr->ts) < LIVE_MERGE_HOLD_S)
		return NULL;
	return best;
}

/* How far capture time may move on a quiet link: not past a packet held
 * for the merge, nor into the ring block the kernel has not handed over. */
static double quiet_until(const struct cap_reader *cr, double now)
{
	double t = now - LIVE_BLOCK_MS / 1000.0;
	for (size_t i = 0; i < cr->n; i++)
		if (cr->in[i].hdr && cap_tv_to_s(&cr->in[i].hdr->ts) < t)
			t = cap_tv_to_s(&cr->in[i].hdr->ts);
	return t;
}

/* Wait for the empty inputs; those that became readable are tried again.
 * An input libpcap asks to read on a timer (an interface that went down:
 * that it is gone is only seen by reading) is tried again regardless.
 * Returns how many are to be tried. */
static int wait_inputs(struct cap_reader *cr, int timeout_ms)
{
	struct pollfd pfd[CAP_MAX_IFACES];
	size_t map[CAP_MAX_IFACES], k = 0;
	int ready = 0;
	for (size_t i = 0; i < cr->n && k < CAP_MAX_IFACES; i++)
		if (cr->in[i].empty) {
			pfd[k] = (struct pollfd){.fd = cr->in[i].fd,
						 .events = POLLIN};
			map[k++] = i;
		}
	if (k == 0)
		return 0;
	for (size_t j = 0; j < k; j++) {
		const struct timeval *tv =
			pcap_get_required_select_timeout(cr->in[map[j]].p);
		int ms = tv ? (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000) : -1;
		if (tv && ms < timeout_ms) {
			timeout_ms = ms;
			cr->in[map[j]].empty = false; /* read it after the wait */
		}
	}
	if (poll(pfd, k, timeout_ms) > 0) /* else a timeout, or EINTR */
		for (size_t j = 0; j < k; j++)
			if (pfd[j].revents)
				cr->in[map[j]].empty = false;
	for (size_t j = 0; j < k; j++)
		ready += !cr->in[map[j]].empty;
	return ready;
}

int cap_run_live(struct cap_reader *cr, cap_packet_fn fn, cap_idle_fn idle,
		 void *ctx, char errbuf[MX_ERRBUF_SIZE])
{
	double next_stats = 0, now = wall_now();
	struct cap_totals t;
	int rc = 0;

	for (size_t i = 0; i < cr->n; i++)
		cr->in[i].empty = false;
	while (!cap_stopping()) {
		struct cap_input *in;
		size_t batch = 0;
		if ((rc = fill(cr, errbuf)) != 0)
			break;
		/* the clock is read once per batch, not per packet */
		while (batch++ < LIVE_BATCH && (in = next_ready(cr, now))) {
			cap_deliver(in, in->hdr, in->data, fn, ctx);
			in->hdr = NULL;
			if (fill(cr, errbuf) != 0) {
				rc = -1;
				break;
			}
		}
		if (rc)
			break;
		now = wall_now();
		maybe_stats(cr, now, &next_stats);
		if (wait_inputs(cr, next_ready(cr, now) ? 0 :
				    cr->n > 1 ? LIVE_BLOCK_MS : LIVE_IDLE_MS) == 0) {
			now = wall_now();
			if (idle && !next_ready(cr, now))
				idle(ctx, quiet_until(cr, now));
		}
		now = wall_now();
	}
	/* the last word on drops, for the report's end */
	cap_poll_stats(cr, &t);
	if (cr->stats_fn)
		cr->stats_fn(cr->stats_ctx, &t, wall_now());
	return rc;
}
