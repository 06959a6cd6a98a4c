/* pipeline.c - see pipeline.h. */
#include "run/pipeline.h"

#include <stdio.h>
#include <string.h>

static void to_report_dns(void *rep, struct dns_tx *tx)
{
	report_dns(rep, tx);
}

/* The DNS table's expiry: diagnose notes it, then the report gets it. */
static void dns_done(void *pipeline, struct dns_tx *tx)
{
	struct pipeline *p = pipeline;
	if (p->diag) /* (there is no transaction before it exists) */
		diag_dns_done(p->diag, tx);
}

static void to_report_session(void *rep, const struct session *s,
			      const struct finding_list *fl)
{
	report_session(rep, s, fl);
}

static void to_report_stats(void *rep, const struct flow_capstats *cs,
			    uint64_t dns_held)
{
	report_stats(rep, cs, dns_held);
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
				   diag_capstats};

	memset(p, 0, sizeof(*p));
	if (!(p->rep = report_new(out, ro, errbuf)))
		return -1;
	sink = (struct diag_sink){to_report_session, to_report_dns, p->rep,
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
	return report_end(p->rep, cr, &st, &ds);
}

void pipeline_close(struct pipeline *p)
{
	engine_free(p->eng); /* sessions still open end here */
	dt_free(p->dns);
	diag_free(p->diag);
	report_free(p->rep);
	memset(p, 0, sizeof(*p));
}
