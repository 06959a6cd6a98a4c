/* correlate.c - DNS-to-session ties; see correlate.h for the rules. */
#include "diagnose/correlate.h"

#include <stdio.h>
#include <string.h>

/* A small slack: a resolver query may be stamped a hair before the SYN
 * that caused it when two capture points are merged. */
#define SLACK_S 0.5

struct walk {
	struct dt_table *t;
	struct session *s;
	double from, until;
	enum dns_relation rel;
	const struct mx_addr *asker; /* the indexes are keyed on it */
};

static bool in_period(const struct dns_tx *tx, double from, double until)
{
	double t = dns_tx_time(tx);
	return t >= from && t <= until;
}

/* ---- client side: MX and A of MX, answered before the SYN ---- */

static int visit_mx_for_name(void *ctx, struct dns_tx *tx)
{
	struct walk *w = ctx;
	if (tx->qtype != DNS_T_MX || !tx->has_response ||
	    tx->response_t > w->until ||
	    tx->response_t < w->from)
		return 0;
	sess_tie_dns(w->s, tx, REL_MX_OF_DOMAIN);
	return 1; /* the newest answer is the one that was used */
}

static int visit_addr_answer(void *ctx, struct dns_tx *tx)
{
	struct walk *w = ctx;
	if (!tx->has_response || tx->response_t > w->until ||
	    tx->response_t < w->from)
		return 0;
	if (tx->qtype == DNS_T_MX) { /* the address came as MX glue */
		sess_tie_dns(w->s, tx, REL_MX_OF_DOMAIN);
		return 0;
	}
	if (tx->qtype != DNS_T_A && tx->qtype != DNS_T_AAAA)
		return 0;
	sess_tie_dns(w->s, tx, REL_A_OF_MX);
	dt_by_mx_name(w->t, w->asker, tx->qname, visit_mx_for_name, w);
	return 1;
}

void corr_client_side(struct dt_table *t, struct session *s, double window)
{
	struct walk w = {.t = t, .s = s, .from = s->start - window,
			 .until = s->start + SLACK_S, .asker = &s->client.ip};
	dt_by_answer_addr(t, w.asker, &s->server.ip, visit_addr_answer, &w);
}

/* ---- server side: lookups about the client ---- */

static int visit_tie(void *ctx, struct dns_tx *tx)
{
	struct walk *w = ctx;
	if (in_period(tx, w->from, w->until))
		sess_tie_dns(w->s, tx, w->rel);
	return 0;
}

static void tie_forward_of_ptr(struct walk *w, const struct dns_tx *ptr)
{
	struct walk f = *w;
	f.rel = REL_A_OF_PTR_NAME;
	f.from = dns_tx_time(ptr);
	for (size_t i = 0; i < ptr->n_names; i++) {
		dt_by_question(w->t, f.asker, ptr->names[i], DNS_T_A, f.from,
			       visit_tie, &f);
		dt_by_question(w->t, f.asker, ptr->names[i], DNS_T_AAAA,
			       f.from, visit_tie, &f);
	}
}

/* A busy server asks about many clients at once: a lookup recognizably
 * about another client (its PTR, its DNSBL entries, the forward check of a
 * name some PTR answer gave) is not this session's "other"; the table
 * leaves those out. */
static int visit_other(void *ctx, struct dns_tx *tx)
{
	struct walk *w = ctx;
	sess_tie_dns(w->s, tx, REL_OTHER); /* not again if tied already */
	return 0;
}

static void tie_others(struct walk *w)
{
	dt_asker_others(w->t, w->asker, &w->s->client.ip, w->from, w->until,
			visit_other, w);
}

/* A walk repeated over the period of the last one ties nothing new when
 * the server asked nothing in it since: the lookups seen then were tied
 * for good, or are out of the period, or were about another client (which
 * holds while no PTR answer has left the window), and with nothing dropped
 * at the session's cap then, a repeat drops nothing either. */
static bool repeat_is_idle(struct dt_table *t, struct session *s,
			   const struct walk *w, bool other, double other_from,
			   bool *other_again)
{
	const struct corr_mark *m = &s->server_walk;
	if (!m->done || m->until != w->until || m->other != other ||
	    (other && m->other_from != other_from) ||
	    dt_asker_new_in(t, w->asker, m->last_seq, w->from, w->until))
		return false;
	/* an old lookup may have stopped being about another client */
	*other_again = other && m->ptr_gone != dt_ptr_answers_gone(t);
	return true;
}

static void mark_walk(struct dt_table *t, struct session *s, double until,
		      bool other, double other_from)
{
	struct corr_mark *m = &s->server_walk;
	m->done = s->dns_dropped == 0;
	m->until = until;
	m->other = other;
	m->other_from = other_from;
	m->last_seq = dt_last_seq(t);
	m->ptr_gone = dt_ptr_answers_gone(t);
}

void corr_server_side(struct dt_table *t, struct session *s, double until)
{
	char rev[DNS_NAME_MAX];
	struct walk w = {.t = t, .s = s, .from = s->start - SLACK_S,
			 .until = until, .asker = &s->server.ip};
	/* whatever else the server asked while the client waited, from the
	 * handshake on */
	bool other = s->has_ack || s->has_syn_ack, other_again = false;
	double other_from = s->has_ack ? s->ack_t : s->syn_ack_t;

	if (repeat_is_idle(t, s, &w, other, other_from, &other_again)) {
		if (other_again) {
			w.from = other_from;
			tie_others(&w);
			mark_walk(t, s, until, other, other_from);
		}
		return;
	}
	dns_reverse_name(s->client.ip.family, s->client.ip.a, rev);
	w.rel = REL_PTR_OF_CLIENT;
	dt_by_question(t, w.asker, rev, DNS_T_PTR, w.from, visit_tie, &w);
	for (size_t i = 0; i < s->n_dns; i++)
		if (s->dns[i].rel == REL_PTR_OF_CLIENT)
			tie_forward_of_ptr(&w, s->dns[i].tx);
	w.rel = REL_DNSBL_OF_CLIENT;
	dt_by_dnsbl_addr(t, w.asker, &s->client.ip, w.from, visit_tie, &w);
	if (other) {
		w.from = other_from;
		tie_others(&w);
	}
	mark_walk(t, s, until, other, other_from);
}

/* ---- envelope domains ---- */

static void tie_domain(struct walk *w, const char *domain)
{
	static const uint16_t types[] = {DNS_T_MX, DNS_T_A, DNS_T_AAAA,
					 DNS_T_TXT};
	char name[DNS_NAME_MAX];
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		dt_by_question(w->t, w->asker, domain, types[i], w->from,
			       visit_tie, w);
	if (snprintf(name, sizeof(name), "_dmarc.%s", domain) <
	    (int)sizeof(name))
		dt_by_question(w->t, w->asker, name, DNS_T_TXT, w->from,
			       visit_tie, w);
}

/* "alice@Sender.Example" -> "sender.example"; false without a domain. */
static bool domain_of(const char *path, char out[DNS_NAME_MAX])
{
	const char *at = strrchr(path, '@');
	if (!at || !at[1])
		return false;
	mx_lower(at + 1, out, DNS_NAME_MAX);
	return true;
}

/* Domains whose walk tied all it found: walking one again ties nothing
 * (ties are never duplicated) and, with nothing dropped, drops nothing. */
struct done_domains {
	char v[8 + 16][DNS_NAME_MAX];
	size_t n;
};

static void tie_domain_once(struct walk *w, struct done_domains *d,
			    const char *path)
{
	char dom[DNS_NAME_MAX];
	size_t dropped = w->s->dns_dropped;
	if (!domain_of(path, dom))
		return;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i], dom))
			return;
	tie_domain(w, dom);
	if (w->s->dns_dropped == dropped)
		memcpy(d->v[d->n++], dom, sizeof(dom));
}

void corr_envelope(struct dt_table *t, struct session *s, double until)
{
	struct done_domains done = {.n = 0};
	struct walk w = {.t = t, .s = s, .from = s->start - SLACK_S,
			 .until = until, .asker = &s->server.ip};
	w.rel = REL_SENDER_DOMAIN;
	for (size_t i = 0; i < s->n_mail_from && i < 8; i++)
		tie_domain_once(&w, &done, s->mail_from[i]);
	w.rel = REL_RECIPIENT_DOMAIN;
	for (size_t i = 0; i < s->n_rcpt_to && i < 16; i++)
		tie_domain_once(&w, &done, s->rcpt_to[i]);
}
