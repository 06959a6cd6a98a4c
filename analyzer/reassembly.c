/* reassembly.c - the only user of libnids: IPv4 defragmentation (RFC 791).
 *
 * Our capture loop strips the link layer and hands libnids bare IPv4
 * fragments through a DLT_RAW pcap_t (so libnids' link-layer knowledge is
 * no limit).  Its TCP layer is switched off (n_tcp_streams = 0: streams are
 * ours, see tcpreasm.c), so are port-scan detection, checksum checks
 * (checksum offload) and syslog, which becomes a counter.  A rebuilt
 * packet comes back through our IP callback.
 */
#include "reassembly.h"

#include <nids.h>
#include <pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct {
	const struct reasm_ops *ops;
	void *ctx;
	pcap_t *dead;
	int open;
	struct reasm_stats stats;
} R;

static double last_ts(void)
{
	const struct pcap_pkthdr *h = nids_last_pcap_header;
	if (!h)
		return 0;
	return (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
}

/* Every packet libnids passes on is one we fed it: only fragments are fed,
 * so a packet arriving here was rebuilt. */
static void on_ip(struct ip *iph, int skblen)
{
	/* the header may sit at any alignment: read the length as bytes */
	const uint8_t *p = (const uint8_t *)iph;
	size_t len = (size_t)p[2] << 8 | p[3];
	(void)skblen;
	R.ops->ip(R.ctx, p, len, last_ts());
}

static void on_warning(int type, int err, struct ip *iph, void *data)
{
	(void)err;
	(void)iph;
	(void)data;
	if (type == NIDS_WARN_IP)
		R.stats.ip_invalid++;
}

/* libnids cannot continue after a failed malloc; neither can we. */
static void on_no_mem(char *where)
{
	static const char msg[] = "mxray: out of memory in IP defragmentation\n";
	(void)where;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	_exit(1);
}

int reasm_open(const struct reasm_config *cfg, const struct reasm_ops *ops,
	       void *ctx, char errbuf[MX_ERRBUF_SIZE])
{
	static struct nids_chksum_ctl no_checksums = {0, 0, NIDS_DONT_CHKSUM, 0};
	int rc = -1;

	if (R.open) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "defragmenter already open");
		goto out;
	}
	R.dead = pcap_open_dead(DLT_RAW, 65535);
	if (!R.dead) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "pcap_open_dead failed");
		goto out;
	}
	R.ops = ops;
	R.ctx = ctx;
	memset(&R.stats, 0, sizeof(R.stats));

	nids_params.pcap_desc = R.dead;
	nids_params.filename = NULL;
	nids_params.device = NULL;
	nids_params.pcap_filter = NULL;
	nids_params.n_tcp_streams = 0; /* TCP is tcpreasm.c's */
	nids_params.n_hosts = cfg->max_frag_hosts;
	nids_params.scan_num_hosts = 0;
	nids_params.syslog = on_warning;
	nids_params.no_mem = on_no_mem;
	nids_params.promisc = 0;
	nids_params.multiproc = 0;

	if (!nids_init()) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "libnids: %s", nids_errbuf);
		pcap_close(R.dead);
		R.dead = NULL;
		goto out;
	}
	nids_register_chksum_ctl(&no_checksums, 1);
	/* registered after nids_init, so it runs before libnids' own */
	nids_register_ip(on_ip);
	R.open = 1;
	rc = 0;
out:
	return rc;
}

void reasm_feed_ipv4(const struct pcap_pkthdr *h, const uint8_t *ip,
		     size_t caplen, size_t len)
{
	/* static: libnids keeps a pointer to it (nids_last_pcap_header) */
	static struct pcap_pkthdr hh;
	if (!R.open)
		return;
	hh = *h;
	hh.caplen = (bpf_u_int32)caplen;
	hh.len = (bpf_u_int32)len;
	/* libnids reads but never writes the packet; its API lacks const. */
	nids_pcap_handler(NULL, &hh, (u_char *)(uintptr_t)ip);
}

void reasm_shutdown(void)
{
	if (!R.open)
		return;
	/* nids_exit frees only the head of its IP callback list, which after
	 * nids_register_ip is our node: unregister first so nothing leaks */
	nids_unregister_ip(on_ip);
	nids_exit();
	pcap_close(R.dead);
	R.dead = NULL;
	R.open = 0;
}

void reasm_get_stats(struct reasm_stats *st)
{
	*st = R.stats;
}
