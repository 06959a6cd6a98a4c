/* reassembly.c - the only user of libnids (RFC 791 defragmentation, RFC 793
 * stream reassembly).
 *
 * Our own capture loop strips the link layer and hands libnids bare IPv4
 * through a DLT_RAW pcap_t (so libnids' link-layer knowledge is no limit),
 * with checksum verification off (captures taken on a mail server with
 * checksum offload carry bad TCP/UDP checksums), scan detection off and
 * syslog replaced by counters.  libnids is global; so is this wrapper.
 */
#include "reassembly.h"

#include <arpa/inet.h>
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

/* libnids hands us `void **param` per listener; that slot is our handle. */
static struct reasm_stream *slot_handle(void **param)
{
	return (struct reasm_stream *)param;
}

static double last_ts(void)
{
	const struct pcap_pkthdr *h = nids_last_pcap_header;
	if (!h)
		return 0;
	return (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
}

static void endpoint_from(struct mx_endpoint *e, u_int addr, u_short port)
{
	uint8_t b[4];
	memcpy(b, &addr, 4); /* network order already */
	mx_addr_set4(&e->ip, b);
	e->port = port;
}

static void on_tcp(struct tcp_stream *t, void **param)
{
	double ts = last_ts();
	switch (t->nids_state) {
	case NIDS_JUST_EST: {
		struct mx_endpoint c, s;
		void *user;
		endpoint_from(&c, t->addr.saddr, t->addr.source);
		endpoint_from(&s, t->addr.daddr, t->addr.dest);
		user = R.ops->open(R.ctx, &c, &s, ts, slot_handle(param));
		*param = user;
		if (user) {
			t->client.collect++;
			t->server.collect++;
		}
		break;
	}
	case NIDS_DATA:
		if (!*param)
			break;
		/* client.* holds what the client received, i.e. server bytes */
		if (t->client.count_new)
			R.ops->data(R.ctx, *param, 1,
				    (const uint8_t *)t->client.data,
				    (size_t)t->client.count_new, ts);
		if (t->server.count_new && *param)
			R.ops->data(R.ctx, *param, 0,
				    (const uint8_t *)t->server.data,
				    (size_t)t->server.count_new, ts);
		break;
	case NIDS_CLOSE:
	case NIDS_RESET:
	case NIDS_TIMED_OUT:
	case NIDS_EXITING: {
		enum reasm_close how = REASM_CLOSE_FIN;
		if (t->nids_state == NIDS_RESET)
			how = REASM_CLOSE_RST;
		else if (t->nids_state == NIDS_TIMED_OUT) {
			how = REASM_CLOSE_TIMEOUT;
			R.stats.streams_evicted++;
		} else if (t->nids_state == NIDS_EXITING)
			how = REASM_CLOSE_EXIT;
		if (*param)
			R.ops->close(R.ctx, *param, how, ts);
		*param = NULL;
		break;
	}
	default:
		break;
	}
}

static void on_ip(struct ip *iph, int skblen)
{
	/* the header may sit at any alignment (after a 14-byte Ethernet
	 * header, say): read the length as bytes, not through struct ip */
	const uint8_t *p = (const uint8_t *)iph;
	size_t len = (size_t)p[2] << 8 | p[3];
	(void)skblen;
	R.ops->ip(R.ctx, p, len, last_ts());
}

/* libnids reports anomalies through syslog(); count them instead. */
static void on_warning(int type, int err, struct ip *iph, void *data)
{
	(void)iph;
	(void)data;
	if (type == NIDS_WARN_IP)
		R.stats.ip_invalid++;
	else if (type == NIDS_WARN_TCP) {
		if (err == NIDS_WARN_TCP_TOOMUCH)
			R.stats.streams_evicted++;
		else if (err == NIDS_WARN_TCP_BIGQUEUE)
			R.stats.queue_overflow++;
		else
			R.stats.tcp_invalid++;
	}
}

/* libnids cannot continue after a failed malloc; neither can we. */
static void on_no_mem(char *where)
{
	static const char msg[] = "mxray: out of memory in TCP reassembly\n";
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
		snprintf(errbuf, MX_ERRBUF_SIZE, "reassembler already open");
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
	/* libnids tracks up to 3/4 of n_tcp_streams; its hash has that many
	 * buckets. */
	nids_params.n_tcp_streams = cfg->max_streams / 3 * 4 + 4;
	nids_params.n_hosts = cfg->max_frag_hosts;
	nids_params.scan_num_hosts = 0; /* no port-scan detection */
	nids_params.syslog = on_warning;
	nids_params.no_mem = on_no_mem;
	nids_params.promisc = 0;
	nids_params.multiproc = 0;
	nids_params.tcp_workarounds = 1;

	if (!nids_init()) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "libnids: %s", nids_errbuf);
		pcap_close(R.dead);
		R.dead = NULL;
		goto out;
	}
	nids_register_chksum_ctl(&no_checksums, 1);
	/* registered after nids_init, so it runs before libnids' TCP code */
	nids_register_ip(on_ip);
	nids_register_tcp(on_tcp);
	R.open = 1;
	rc = 0;
out:
	return rc;
}

void reasm_feed_ipv4(const struct pcap_pkthdr *h, const uint8_t *ip,
		     size_t caplen, size_t len)
{
	/* static: libnids keeps a pointer to it (nids_last_pcap_header) and
	 * reads it again at shutdown */
	static struct pcap_pkthdr hh;
	if (!R.open)
		return;
	hh = *h;
	hh.caplen = (bpf_u_int32)caplen;
	hh.len = (bpf_u_int32)len;
	/* libnids reads but never writes the packet; its API lacks const. */
	nids_pcap_handler(NULL, &hh, (u_char *)(uintptr_t)ip);
}

void reasm_detach(struct reasm_stream *h)
{
	if (h)
		*(void **)h = NULL;
}

void reasm_shutdown(void)
{
	if (!R.open)
		return;
	/* nids_exit frees only the head of its IP callback list, which after
	 * nids_register_ip is our node: unregister first so nothing leaks */
	nids_unregister_ip(on_ip);
	nids_exit(); /* streams still open get NIDS_EXITING via on_tcp */
	nids_unregister_tcp(on_tcp);
	pcap_close(R.dead);
	R.dead = NULL;
	R.open = 0;
}

void reasm_get_stats(struct reasm_stats *st)
{
	*st = R.stats;
}
