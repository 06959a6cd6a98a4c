/* diag.c - see diag.h. */
#include "diagnose/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

#include "diagnose/correlate.h"
#include "diagnose/delivery.h"

/* Times the capture dropped packets, oldest first.  Spans come about once
 * a second while drops go on; past the bound the oldest two merge, which
 * can only mark more sessions, never fewer. */
#define DIAG_LOSS_SPANS 64
struct loss_span {
	double from, to;
};

struct diag {
	struct diag_config cfg;
	struct loss_span loss[DIAG_LOSS_SPANS];
	size_t n_loss;
	struct dt_table *dns;
	struct dl_table *deliveries;
	struct diag_sink sink;
	struct diag_stats st;
};

struct diag *diag_new(const struct diag_config *c, struct dt_table *dns,
		      const struct diag_sink *sink)
{
	struct diag *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *c;
	d->dns = dns;
	d->sink = *sink;
	if (!(d->deliveries = dl_new(c->max_groups, c->dns_window_s))) {
		free(d);
		return NULL;
	}
	return d;
}

static void top_add(struct diag_top *v, size_t *n, double val,
		    const char *what)
{
	size_t i = *n < DIAG_TOP_N ? (*n)++ : DIAG_TOP_N - 1;
	if (*n == DIAG_TOP_N && i == DIAG_TOP_N - 1 && v[i].v >= val)
		return;
	v[i].v = val;
	snprintf(v[i].what, sizeof(v[i].what), "%s", what);
	for (; i > 0 && v[i].v > v[i - 1].v; i--) {
		struct diag_top t = v[i];
		v[i] = v[i - 1];
		v[i - 1] = t;
	}
}

/* Whether top_add would take val: most values would not, and their
 * description need not be written. */
static bool top_wants(const struct diag_top *v, size_t n, double val)
{
	return n < DIAG_TOP_N || v[DIAG_TOP_N - 1].v < val;
}

static void note_slow_banner(struct diag *d, const struct session *s)
{
	char what[300], a[MX_ADDRSTR], b[MX_ADDRSTR];
	double delay;
	if (!sess_banner_delay(s, &delay) ||
	    !top_wants(d->st.slow_banner, d->st.n_slow_banner, delay))
		return;
	snprintf(what, sizeof(what), "%s %s -> %s", s->id,
		 mx_addr_str(&s->client.ip, a), mx_addr_str(&s->server.ip, b));
	top_add(d->st.slow_banner, &d->st.n_slow_banner, delay, what);
}

void diag_dns_done(struct diag *d, struct dns_tx *tx)
{
	if (tx->has_query && tx->has_response &&
	    top_wants(d->st.slow_dns, d->st.n_slow_dns,
		      mx_dt(tx->query_t, tx->response_t))) {
		char what[300], tb[16];
		snprintf(what, sizeof(what), "%s %s",
			 dns_type_name(tx->qtype, tb), tx->qname);
		top_add(d->st.slow_dns, &d->st.n_slow_dns,
			mx_dt(tx->query_t, tx->response_t), what);
	}
	if (d->sink.on_dns)
		d->sink.on_dns(d->sink.ctx, tx);
}

void diag_session_start(void *diag, struct session *s)
{
	struct diag *d = diag;
	corr_client_side(d->dns, s, d->cfg.dns_window_s);
	dl_session_start(d->deliveries, s);
}

void diag_banner(void *diag, struct session *s)
{
	struct diag *d = diag;
	corr_server_side(d->dns, s, s->banner_t);
}

static void loss_add(struct diag *d, double from, double to)
{
	struct loss_span *v = d->loss;
	if (d->n_loss && from <= v[d->n_loss - 1].to + 1.5) {
		v[d->n_loss - 1].to = to; /* drops go on */
		return;
	}
	if (d->n_loss == DIAG_LOSS_SPANS) {
		v[1].from = v[0].from;
		memmove(v, v + 1, (DIAG_LOSS_SPANS - 1) * sizeof(*v));
		d->n_loss--;
	}
	v[d->n_loss++] = (struct loss_span){from, to};
}

/* Where a session's evidence begins: its first packet, or a lookup tied
 * to it that came before (the client's MX lookup): a drop there can
 * explain a dns.timeout as well as one during the session. */
static double first_seen(const struct session *s)
{
	double t = s->start;
	for (size_t i = 0; i < s->n_dns; i++)
		if (s->dns[i].tx->has_query && s->dns[i].tx->query_t < t)
			t = s->dns[i].tx->query_t;
	return t;
}

static bool loss_during(const struct diag *d, double start, double end)
{
	for (size_t i = 0; i < d->n_loss; i++)
		if (d->loss[i].from <= end && d->loss[i].to >= start)
			return true;
	return false;
}

void diag_capstats(void *diag, const struct flow_capstats *cs)
{
	struct diag *d = diag;
	struct dt_stats ds;
	if (cs->loss_to > 0)
		loss_add(d, cs->loss_from, cs->loss_to);
	if (!d->sink.on_stats)
		return;
	dt_get_stats(d->dns, &ds);
	d->sink.on_stats(d->sink.ctx, cs, ds.live);
}

void diag_session_done(void *diag, struct session *s)
{
	struct diag *d = diag;
	struct finding_list fl = {0};
	double end = s->close_t > s->last ? s->close_t : s->last;

	if (d->n_loss && loss_during(d, first_seen(s), end)) {
		s->capture_loss = true;
		d->st.capture_loss_sessions++;
	}
	/* the server's lookups: those the client waited for, else all it
	 * made while the session lasted */
	corr_server_side(d->dns, s, s->has_banner ? s->banner_t : end);
	corr_envelope(d->dns, s, end);
	findings_eval(s, &d->cfg.fnd, &fl);
	for (size_t i = 0; i < fl.n; i++)
		d->st.findings[fl.v[i].code]++;
	note_slow_banner(d, s);
	dl_settle(s);
	if (d->sink.on_session)
		d->sink.on_session(d->sink.ctx, s, &fl);
	findings_clear(&fl);
	dl_session_release(s); /* its group keeps the final outcome */
}

void diag_tick(void *diag, double now)
{
	struct diag *d = diag;
	dl_expire(d->deliveries, now);
}

void diag_get_stats(const struct diag *d, struct diag_stats *st)
{
	*st = d->st;
}

void diag_free(struct diag *d)
{
	if (!d)
		return;
	dl_free(d->deliveries);
	free(d);
}
