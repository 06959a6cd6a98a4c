/* pipeline.c - see pipeline.h. */
#include "run/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void to_report_dns(void *pipeline, struct dns_tx *tx)
{
	report_dns(((struct pipeline *)pipeline)->rep, tx);
}

/* The DNS table's expiry: diagnose notes it, then the report gets it. */
static void dns_done(void *pipeline, struct dns_tx *tx)
{
	struct pipeline *p = pipeline;
	if (p->diag) /* (there is no transaction before it exists) */
		diag_dns_done(p->diag, tx);
}

static void to_report_session(void *pipeline, const struct session *s,
			      const struct finding_list *fl)
{
	struct pipeline *p = pipeline;
	report_session(p->rep, s, fl);
	if (p->pcap && report_wants_packets(p->rep, s, fl))
		p->wanted = s;
}

/* -w: after a session's judgement, its frames; after a tick (s NULL),
 * whatever no session still to come can precede is written. */
static void to_pcap(void *pipeline, struct session *s, double now)
{
	struct pipeline *p = pipeline;
	uint64_t open;
	double start;
	if (!p->pcap)
		return;
	if (s && s == p->wanted)
		pcapout_session(p->pcap, s);
	p->wanted = NULL;
	if (!s) {
		/* a lookup older than this is tied by no session any more,
		 * but by a long one that tied it early */
		fr_dns_expire(p->dns_frames, now - 2 * p->dns_window_s);
		open = engine_oldest_open_frame(p->eng, &start);
		/* a file is read in order whatever it costs in memory; a
		 * live capture's file must not lag behind for long */
		pcapout_advance(p->pcap, open, start,
				p->live ? now : -INFINITY);
		if (p->live)
			pcapout_flush(p->pcap);
	}
}

static void to_report_stats(void *pipeline, const struct flow_capstats *cs,
			    uint64_t dns_held)
{
	report_stats(((struct pipeline *)pipeline)->rep, cs, dns_held);
}

int pipeline_open(struct pipeline *p, const struct engine_config *ec,
		  const struct report_options *ro, FILE *out,
		  char errbuf[MX_ERRBUF_SIZE])
{
	struct dt_config dc = {ec->dns_window_s, ec->max_dns};
	struct diag_config gc = {ro->fnd, ec->dns_window_s, ec->max_sessions};
	struct diag_sink sink;
	struct flow_hooks hooks = {diag_session_start, diag_banner,
				   diag_session_done, diag_tick, NULL,
				   diag_capstats, to_pcap, p};

	memset(p, 0, sizeof(*p));
	if (!(p->rep = report_new(out, ro, errbuf)))
		return -1;
	p->dns_window_s = ec->dns_window_s;
	p->live = ro->live;
	sink = (struct diag_sink){to_report_session, to_report_dns, p,
				  to_report_stats};
	/* a transaction leaving the window: diagnose, then the report */
	if (!(p->dns = dt_new(&dc, dns_done, p)) ||
	    !(p->diag = diag_new(&gc, p->dns, &sink))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	hooks.ctx = p->diag;
	return (p->eng = engine_new(ec, p->dns, &hooks, errbuf)) ? 0 : -1;
}

int pipeline_write_packets(struct pipeline *p, FILE *f, const char *name,
			   struct cap_reader *cr, char errbuf[MX_ERRBUF_SIZE])
{
	int dlt, snaplen;
	cap_write_format(cr, &dlt, &snaplen);
	if (!(p->frame_pool = fr_pool_new(FR_POOL_MAX)) ||
	    !(p->dns_frames = fr_dns_new(p->frame_pool, FR_DNS_MAX))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	if (!(p->pcap = pcapout_new(f, dlt, snaplen, p->frame_pool,
				    p->dns_frames, errbuf)))
		return -1;
	p->pcap_name = name;
	engine_keep_frames(p->eng, p->frame_pool, p->dns_frames);
	return 0;
}

int pipeline_finish(struct pipeline *p, const struct cap_reader *cr)
{
	struct engine_stats st;
	struct diag_stats ds;
	engine_finish(p->eng);
	engine_get_stats(p->eng, &st);
	for (size_t i = 0; !p->quiet && i < st.n_elsewhere; i++)
		fprintf(stderr, "mxray: %llu SMTP greeting%s on TCP port %u, "
				"which is not watched: add --smtp-port %u to "
				"analyse those sessions\n",
			(unsigned long long)st.elsewhere[i].greetings,
			st.elsewhere[i].greetings == 1 ? "" : "s",
			st.elsewhere[i].port, st.elsewhere[i].port);
	dt_free(p->dns); /* sessions first, then what is left of the window */
	p->dns = NULL;
	diag_get_stats(p->diag, &ds);
	if (p->pcap) { /* every session has been judged */
		struct pcapout_stats ps;
		p->pcap_failed = pcapout_end(p->pcap) != 0;
		pcapout_get_stats(p->pcap, &ps);
		report_packets_written(p->rep, p->pcap_name, &ps);
	}
	return report_end(p->rep, cr, &st, &ds);
}

void pipeline_close(struct pipeline *p)
{
	engine_free(p->eng); /* sessions still open end here */
	dt_free(p->dns);
	pcapout_free(p->pcap);
	fr_dns_free(p->dns_frames);
	fr_pool_free(p->frame_pool);
	diag_free(p->diag);
	report_free(p->rep);
	memset(p, 0, sizeof(*p));
}
