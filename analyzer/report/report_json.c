/* report_json.c - building the SPEC's JSON objects with jansson.  Packet
 * strings were escaped to printable text when stored, and everything else
 * is ASCII, so jansson's UTF-8 checks are skipped (the _nocheck calls). */
#include "report/report_json.h"

#include "diagnose/delivery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keys are ASCII literals: jansson need not check them, nor measure. */
#define set(o, key, v) \
	json_object_setn_new_nocheck((o), "" key, sizeof(key) - 1, (v))
/* A key that is not a literal. */
#define set_key(o, key, v) json_object_set_new_nocheck((o), (key), (v))
#define json_string(s) json_string_nocheck(s)

json_t *rj_time(double t)
{
	return json_real(mx_round_us(t));
}

static json_t *endpoint(const struct mx_endpoint *e)
{
	char a[MX_ADDRSTR];
	json_t *o = json_object();
	if (o) {
		set(o, "ip", json_string(mx_addr_str(&e->ip, a)));
		set(o, "port", json_integer(e->port));
	}
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strv(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* A new object, with "type" first when one is given (NDJSON lines). */
static json_t *typed_object(const char *type)
{
	json_t *o = json_object();
	if (o && type)
		set(o, "type", json_string(type));
	return o;
}

json_t *rj_dns(const struct dns_tx *tx, int rel_override, const char *type)
{
	char tb[16], rb[16];
	int rel = rel_override >= 0 ? rel_override : tx->first_rel;
	json_t *o = typed_object(type);
	if (!o)
		return NULL;
	set(o, "qname", json_string(tx->qname));
	set(o, "qtype",
			    json_string(dns_type_name(tx->qtype, tb)));
	set(o, "id", json_integer(tx->id));
	set(o, "asker", endpoint(&tx->asker));
	set(o, "resolver", endpoint(&tx->resolver));
	set(o, "query_t",
			    tx->has_query ? rj_time(tx->query_t) : json_null());
	set(o, "response_t", tx->has_response
						     ? rj_time(tx->response_t)
						     : json_null());
	set(o, "rtt_s",
			    tx->has_query && tx->has_response
				    ? json_real(mx_dt(tx->query_t, tx->response_t))
				    : json_null());
	set(o, "rcode",
			    tx->has_response
				    ? json_string(dns_rcode_name(tx->rcode, rb))
				    : json_null());
	set(o, "answers", strv(tx->answers, tx->n_answers));
	set(o, "retransmissions",
			    json_integer(tx->retransmissions));
	set(o, "transport", json_string(tx->tcp ? "tcp" : "udp"));
	if (tx->tc)
		set(o, "truncated", json_true());
	if (tx->capture_cut)
		set(o, "capture_cut", json_true());
	if (tx->anomalies) { /* what the parser found wrong, by name */
		json_t *an = json_array();
		for (unsigned bit = 1; bit && bit <= tx->anomalies; bit <<= 1)
			if (tx->anomalies & bit)
				json_array_append_new(
					an, json_string(dns_anomaly_name(
						    (enum dns_anomaly)bit)));
		set(o, "anomalies", an);
	}
	set(o, "relation",
			    json_string(rel >= 0 ? dns_relation_name(rel)
						 : "other"));
	return o;
}

static json_t *event_json(const struct session *s, const struct tl_item *it)
{
	char tb[16], rb[16];
	json_t *o = json_object();
	if (!o)
		return NULL;
	set(o, "t", rj_time(it->t));
	set(o, "rel", json_real(mx_dt(s->start, it->t)));
	if (it->tie) {
		const struct dns_tx *tx = it->tie->tx;
		set(o, "actor", json_string("dns"));
		set(o, "kind", json_string(it->response
								   ? "dns_response"
								   : "dns_query"));
		set(o, "qname", json_string(tx->qname));
		set(o, "qtype",
				    json_string(dns_type_name(tx->qtype, tb)));
		set(o, "relation",
				    json_string(dns_relation_name(it->tie->rel)));
		if (it->response) {
			set(o, "rcode",
					    json_string(dns_rcode_name(tx->rcode, rb)));
			set(o, "answers",
					    strv(tx->answers, tx->n_answers));
			if (tx->has_query)
				set(
					o, "rtt_s",
					json_real(mx_dt(tx->query_t, tx->response_t)));
		} else {
			set(o, "asker", endpoint(&tx->asker));
			set(o, "resolver", endpoint(&tx->resolver));
			set(o, "retransmissions",
					    json_integer(tx->retransmissions));
		}
		return o;
	}
	const struct tl_event *e = it->ev;
	set(o, "actor", json_string(actor_name(e->actor)));
	set(o, "kind", json_string(ev_kind_name(e->kind)));
	switch (e->kind) {
	case EV_SYN:
	case EV_SYN_ACK:
		if (e->retransmission)
			set(o, "retransmission", json_true());
		break;
	case EV_BANNER:
		set(o, "code", json_integer(e->code));
		set(o, "text", str_or_null(e->text));
		break;
	case EV_COMMAND:
		set(o, "verb", str_or_null(e->verb));
		set(o, "args", str_or_null(e->text));
		break;
	case EV_REPLY:
		set(o, "code", json_integer(e->code));
		set(o, "text", str_or_null(e->text));
		set(o, "to", str_or_null(e->verb));
		set(o, "latency_s", e->latency >= 0
							    ? json_real(e->latency)
							    : json_null());
		break;
	case EV_DATA_END:
		set(o, "bytes", json_integer((json_int_t)e->bytes));
		break;
	case EV_BLOB:
		set(o, "bytes", json_integer((json_int_t)e->bytes));
		set(o, "of", str_or_null(e->verb));
		break;
	case EV_TLS:
		set(o, "bytes", json_integer((json_int_t)e->bytes));
		set(o, "until", rj_time(e->t_last));
		break;
	case EV_GAP:
		set(o, "bytes", json_integer((json_int_t)e->bytes));
		break;
	default:
		break;
	}
	return o;
}

static json_t *finding_json(const struct finding *f)
{
	char tb[16], res[MX_ADDRSTR];
	json_t *o = json_object(), *ev = json_array();
	if (!o || !ev) {
		json_decref(o);
		json_decref(ev);
		return NULL;
	}
	set(o, "code", json_string(finding_code_name(f->code)));
	set(o, "severity", json_string(severity_name(f->sev)));
	if (f->uncertain) /* dropped packets could explain it */
		set(o, "uncertain", json_true());
	set(o, "t", rj_time(f->t));
	set(o, "duration_s", f->has_duration
						     ? json_real(mx_round_us(f->duration))
						     : json_null());
	set(o, "summary", json_string(f->summary));
	for (size_t i = 0; i < f->n_evidence; i++)
		json_array_append_new(ev, json_string(f->evidence[i]));
	set(o, "evidence", ev);
	if (f->has_cause) {
		json_t *c = json_object(), *l = json_array();
		for (size_t i = 0; i < f->n_cause; i++) {
			const struct dns_tx *tx = f->cause[i].tx;
			json_array_append_new(
				l,
				json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:f}",
					  "qname", tx->qname, "qtype",
					  dns_type_name(tx->qtype, tb), "relation",
					  dns_relation_name(f->cause[i].rel),
					  "resolver",
					  mx_addr_str(&tx->resolver.ip, res),
					  "query_t", rj_time(tx->query_t),
					  "response_t",
					  tx->has_response ? rj_time(tx->response_t)
							   : json_null(),
					  "overlap_s", f->cause[i].overlap_s));
		}
		set(c, "explained_s", json_real(f->explained_s));
		set(c, "lookups", l);
		set(c, "suspects", str_or_null(f->suspects));
		set(o, "cause", c);
	}
	if (f->has_needed)
		set(o, "banner_needed_s",
				    json_real(mx_round_us(f->needed_s)));
	if (f->remedy)
		set(o, "remedy", json_string(f->remedy));
	return o;
}

static int tie_cmp(const void *a, const void *b)
{
	const struct dns_tx *x = (*(const struct dns_tie *const *)a)->tx;
	const struct dns_tx *y = (*(const struct dns_tie *const *)b)->tx;
	double tx = dns_tx_time(x), ty = dns_tx_time(y);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The delivery group as far as this attempt: the MX list and the order in
 * which the sender tried the hosts. */
static json_t *delivery_json(const struct session *s)
{
	const struct mx_group *g = s->group;
	char a[MX_ADDRSTR];
	json_t *o = json_object(), *mx = json_array(), *tried = json_array();
	for (size_t i = 0; i < g->mx->n_names; i++)
		json_array_append_new(mx, json_pack("{s:i, s:s}", "pref",
						    (int)g->mx->prefs[i], "host",
						    g->mx->names[i]));
	for (size_t i = 0; i < s->attempt && i < g->n_att; i++) {
		const struct dl_attempt *at = &g->att[i];
		enum dl_outcome out = at->outcome; /* settled by diagnose */
		json_array_append_new(
			tried,
			json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "session",
				  at->session, "host", at->host, "ip",
				  mx_addr_str(&at->server, a), "pref",
				  at->pref >= 0 ? json_integer(at->pref)
						: json_null(),
				  "start", rj_time(at->start), "outcome",
				  dl_outcome_name(out)));
	}
	set(o, "group", json_string(g->id));
	set(o, "domain", json_string(g->domain));
	set(o, "mx", mx);
	set(o, "attempt",
			    json_integer((json_int_t)(g->total - g->n_att +
						       s->attempt)));
	set(o, "tried", tried);
	set(o, "verdict",
	    json_string(mx_verdict_name(s->mx_judged ? s->mx_judged->verdict
						     : MXV_NONE)));
	return o;
}

/* {"client": c, "server": v} */
static json_t *two_counts(uint64_t c, uint64_t v)
{
	json_t *o = json_object();
	if (o) {
		set(o, "client", json_integer((json_int_t)c));
		set(o, "server", json_integer((json_int_t)v));
	}
	return o;
}

json_t *rj_session(const struct session *s, const struct finding_list *fl,
		   const char *type, struct tl_scratch *sc)
{
	json_t *o = typed_object(type), *hs, *tl, *dns, *fa;
	struct tl_item *items;
	size_t n;
	double delay, end = s->close_t > s->last ? s->close_t : s->last;

	if (!o)
		return NULL;
	set(o, "id", json_string(s->id));
	set(o, "client", endpoint(&s->client));
	set(o, "server", endpoint(&s->server));
	set(o, "start", rj_time(s->start));
	set(o, "end", rj_time(end));
	set(o, "duration_s", json_real(mx_dt(s->start, end)));
	set(o, "close", json_string(sess_close_name(s->close)));
	if (s->partial) /* the capture began after the handshake */
		set(o, "partial", json_true());
	if (s->one_sided) /* only one side's packets */
		set(o, "one_sided", json_string(one_sided_name(s->one_sided)));
	hs = json_object();
	set(hs, "syn", s->syns ? rj_time(s->start) : json_null());
	set(hs, "syn_ack", s->has_syn_ack ? rj_time(s->syn_ack_t)
							  : json_null());
	set(hs, "ack", s->has_ack ? rj_time(s->ack_t)
						  : json_null());
	set(hs, "syns", json_integer(s->syns));
	set(o, "handshake", hs);
	if (s->has_banner) {
		json_t *b = json_object();
		set(b, "t", rj_time(s->banner_t));
		set(b, "delay_s", sess_banner_delay(s, &delay)
							  ? json_real(delay)
							  : json_null());
		set(b, "code", json_integer(s->banner_code));
		set(b, "text", str_or_null(s->banner_text));
		set(o, "banner", b);
	} else {
		set(o, "banner", json_null());
	}
	set(o, "helo", str_or_null(s->helo));
	set(o, "mail_from", strv(s->mail_from, s->n_mail_from));
	set(o, "rcpt_to", strv(s->rcpt_to, s->n_rcpt_to));
	set(o, "starttls", json_boolean(s->starttls));
	if (s->group)
		set(o, "delivery", delivery_json(s));
	set(o, "bytes",
			    two_counts(s->client_bytes, s->server_bytes));
	if (s->missing[0] || s->missing[1])
		set(
			o, "missing_bytes",
			two_counts(s->missing[0], s->missing[1]));

	tl = json_array();
	items = tl_merge(s, &n, sc);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(tl, event_json(s, &items[i]));
	set(o, "timeline", tl);

	dns = json_array();
	{ /* in time order, like the timeline */
		const struct dns_tie *ord[SESS_MAX_DNS];
		for (size_t i = 0; i < s->n_dns; i++)
			ord[i] = &s->dns[i];
		qsort(ord, s->n_dns, sizeof(ord[0]), tie_cmp);
		for (size_t i = 0; i < s->n_dns; i++)
			json_array_append_new(dns, rj_dns(ord[i]->tx,
							  (int)ord[i]->rel, NULL));
	}
	set(o, "dns", dns);

	fa = json_array();
	for (size_t i = 0; i < fl->n; i++)
		json_array_append_new(fa, finding_json(&fl->v[i]));
	set(o, "findings", fa);

	{
		json_t *an = NULL;
		for (int a = 1; a < SMTP_ANOM__COUNT; a++) {
			if (!s->anomalies[a])
				continue;
			if (!an)
				an = json_object();
			set_key(an, smtp_anomaly_name(a),
					    json_integer(s->anomalies[a]));
		}
		if (an)
			set(o, "anomalies", an);
	}
	if (s->ev_dropped)
		set(o, "events_dropped",
				    json_integer((json_int_t)s->ev_dropped));
	if (s->dns_dropped)
		set(o, "dns_dropped",
				    json_integer((json_int_t)s->dns_dropped));
	set(o, "capture_loss", json_boolean(s->capture_loss));
	return o;
}
