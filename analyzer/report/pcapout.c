/* pcapout.c - see pcapout.h.  Held sessions sit in a binary heap keyed
 * on the number of their next frame; each merges its own frames with
 * those of its DNS as it goes. */
#include "report/pcapout.h"

#include <pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One session's frames waiting to be written. */
struct held {
	struct fr_chain own, dns; /* dns: in capture order */
	struct fr_cursor cur[2];
	struct fr_frame next[2];
	bool more[2];
	uint64_t key; /* the number of the next frame of either */
};

struct pcapout {
	pcap_t *dead;
	pcap_dumper_t *d;
	struct fr_pool *pool; /* borrowed */
	struct fr_dns *dns;   /* borrowed */
	struct held **heap;
	size_t n, cap;
	size_t held_bytes; /* the held sessions' chunks and records */
	uint64_t last; /* the number of the last frame written */
	bool failed;
	struct pcapout_stats st;
};

struct pcapout *pcapout_new(FILE *f, int dlt, int snaplen,
			    struct fr_pool *pool, struct fr_dns *dns,
			    char errbuf[MX_ERRBUF_SIZE])
{
	struct pcapout *po = calloc(1, sizeof(*po));
	const char *name = pcap_datalink_val_to_name(dlt);
	int fd = -1;
	FILE *df = NULL;

	if (!po) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	po->pool = pool;
	po->dns = dns;
	snprintf(po->st.link_type, sizeof(po->st.link_type), "%s",
		 name ? name : "UNKNOWN");
	/* pcap_dump_close closes the stream it was given: a duplicate, so
	 * the output's owner still closes (and renames) its own */
	fflush(f);
	if (!(po->dead = pcap_open_dead(dlt, snaplen)) ||
	    (fd = dup(fileno(f))) < 0 || !(df = fdopen(fd, "wb")) ||
	    !(po->d = pcap_dump_fopen(po->dead, df))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s",
			 po->dead && df ? pcap_geterr(po->dead)
					: "cannot write the pcap file");
		if (df)
			fclose(df);
		else if (fd >= 0)
			close(fd);
		pcapout_free(po);
		return NULL;
	}
	return po;
}

/* ---- the heap ---- */

static void set_key(struct held *h)
{
	uint64_t a = h->more[0] ? h->next[0].seq : UINT64_MAX;
	uint64_t b = h->more[1] ? h->next[1].seq : UINT64_MAX;
	h->key = a < b ? a : b;
}

static void sift_up(struct pcapout *po, size_t i)
{
	struct held *h = po->heap[i];
	for (; i > 0 && po->heap[(i - 1) / 2]->key > h->key; i = (i - 1) / 2)
		po->heap[i] = po->heap[(i - 1) / 2];
	po->heap[i] = h;
}

static void sift_down(struct pcapout *po, size_t i)
{
	struct held *h = po->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= po->n)
			break;
		if (c + 1 < po->n && po->heap[c + 1]->key < po->heap[c]->key)
			c++;
		if (po->heap[c]->key >= h->key)
			break;
		po->heap[i] = po->heap[c];
		i = c;
	}
	po->heap[i] = h;
}

static void held_free(struct pcapout *po, struct held *h)
{
	po->held_bytes -= h->own.bytes + h->dns.bytes + sizeof(*h);
	fr_chain_release(po->pool, &h->own);
	fr_chain_release(po->pool, &h->dns);
	free(h);
}

/* ---- writing ---- */

static void write_frame(struct pcapout *po, const struct fr_frame *f)
{
	struct pcap_pkthdr ph;
	memset(&ph, 0, sizeof(ph));
	ph.ts.tv_sec = (time_t)f->sec;
	ph.ts.tv_usec = (suseconds_t)f->usec;
	ph.caplen = f->caplen;
	ph.len = f->len;
	pcap_dump((u_char *)po->d, &ph, f->bytes);
	if (f->seq < po->last)
		po->st.out_of_order++;
	else
		po->last = f->seq;
	po->st.packets++;
	po->st.bytes += f->caplen;
}

/* Which of h's two lists holds its next frame: 0 its own, 1 its DNS. */
static int next_side(const struct held *h)
{
	return h->more[0] && (!h->more[1] || h->next[0].seq < h->next[1].seq)
		       ? 0
		       : 1;
}

/* The heap's first held frame is written; its session leaves the heap
 * when it has no more. */
static void write_first(struct pcapout *po)
{
	struct held *h = po->heap[0];
	int i = next_side(h);
	write_frame(po, &h->next[i]);
	h->more[i] = fr_next(&h->cur[i], &h->next[i]);
	set_key(h);
	if (h->key == UINT64_MAX) {
		po->heap[0] = po->heap[--po->n];
		held_free(po, h);
	}
	if (po->n)
		sift_down(po, 0);
}

static void write_below(struct pcapout *po, uint64_t mark)
{
	while (po->n && po->heap[0]->key < mark)
		write_first(po);
}

/* ---- sessions ---- */

static int by_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The session's DNS frames that no other session took before, in
 * capture order. */
static void take_dns(struct pcapout *po, const struct session *s,
		     struct fr_chain *out)
{
	uint64_t seqs[SESS_MAX_DNS * DNS_TX_FRAMES];
	size_t n = 0;
	struct fr_frame f;

	for (size_t i = 0; i < s->n_dns; i++)
		for (size_t j = 0; j < s->dns[i].tx->n_frames; j++)
			seqs[n++] = s->dns[i].tx->frame_seq[j];
	qsort(seqs, n, sizeof(*seqs), by_seq);
	for (size_t i = 0; i < n; i++) {
		int r;
		if (i > 0 && seqs[i] == seqs[i - 1])
			continue;
		if ((r = fr_dns_take(po->dns, seqs[i], &f)) < 0)
			po->st.dns_not_kept++; /* out of the DNS frames' window */
		else if (r > 0 && !fr_chain_add(po->pool, out, &f, 0))
			po->st.dns_not_kept++;
	}
}

static bool heap_room(struct pcapout *po)
{
	size_t cap = po->cap ? po->cap * 2 : 64;
	struct held **v;
	if (po->n < po->cap)
		return true;
	if (!(v = realloc(po->heap, cap * sizeof(*v))))
		return false;
	po->heap = v;
	po->cap = cap;
	return true;
}

void pcapout_session(struct pcapout *po, struct session *s)
{
	struct held *h = heap_room(po) ? calloc(1, sizeof(*h)) : NULL;
	if (!h) {
		po->st.not_kept += s->frames.frames;
		return; /* the caller frees them */
	}
	h->own = s->frames; /* the chunks are ours now */
	s->frames = (struct fr_chain){0};
	take_dns(po, s, &h->dns);
	po->st.sessions++;
	po->st.not_kept += h->own.dropped;
	h->more[0] = fr_first(&h->own, &h->cur[0], &h->next[0]);
	h->more[1] = fr_first(&h->dns, &h->cur[1], &h->next[1]);
	set_key(h);
	po->held_bytes += h->own.bytes + h->dns.bytes + sizeof(*h);
	if (h->key == UINT64_MAX) { /* nothing was kept */
		held_free(po, h);
		return;
	}
	po->heap[po->n++] = h;
	sift_up(po, po->n - 1);
	while (po->n && po->held_bytes > PO_HELD_MAX)
		write_first(po); /* the order may suffer: counted */
}

/* The capture time of held session h's next frame. */
static double next_time(const struct held *h)
{
	int i = next_side(h);
	return (double)h->next[i].sec + h->next[i].usec / 1e6;
}

void pcapout_advance(struct pcapout *po, uint64_t open_frame,
		     double open_start, double now)
{
	uint64_t dns = fr_dns_oldest_untaken(po->dns,
					     open_start - PO_DNS_LOOKBACK_S);
	write_below(po, open_frame < dns ? open_frame : dns);
	/* frame numbers follow time: the heap's first is the oldest */
	while (po->n && next_time(po->heap[0]) < now - PO_MAX_WAIT_S)
		write_first(po);
}

void pcapout_flush(struct pcapout *po)
{
	if (pcap_dump_flush(po->d) != 0)
		po->failed = true;
}

int pcapout_end(struct pcapout *po)
{
	write_below(po, UINT64_MAX);
	if (pcap_dump_flush(po->d) != 0 || ferror(pcap_dump_file(po->d)))
		po->failed = true;
	return po->failed ? -1 : 0;
}

void pcapout_get_stats(const struct pcapout *po, struct pcapout_stats *st)
{
	*st = po->st;
	st->peak_bytes = fr_pool_peak(po->pool);
}

void pcapout_free(struct pcapout *po)
{
	if (!po)
		return;
	while (po->n)
		held_free(po, po->heap[--po->n]);
	free(po->heap);
	if (po->d)
		pcap_dump_close(po->d);
	if (po->dead)
		pcap_close(po->dead);
	free(po);
}
