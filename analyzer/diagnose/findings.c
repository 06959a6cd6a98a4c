/* findings.c - the diagnosis rules (SPEC "Finding codes"), drawn from the
 * field articles: slow or missing banners and what held them back (PTR,
 * forward and DNSBL lookups), clients giving up first, stalls after DATA or
 * the XEXCH50 blob, tarpits, refused and unanswered connections.
 * mx.failover / mx.no_failover span sessions and are not decided here. */
#include "diagnose/findings.h"
#include "diagnose/findings_int.h"

#include "diagnose/delivery.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The command an event names, as sent (its name if the copy failed). */
const char *fnd_verb_of(const struct tl_event *e)
{
	return e->verb ? e->verb : smtp_cmd_name((enum smtp_cmd)e->cmd);
}

/* Whose packets a finding rests on (findings.def). */
enum { NEED_NONE = 0, NEED_CLIENT = 1, NEED_SERVER = 2, NEED_BOTH = 3 };
enum { LOSS_KEEPS = 0, LOSS_DOUBTS = 1 };

static const struct {
	const char *name;
	enum severity sev;
	unsigned needs;
	bool loss_doubts;
} code_info[] = {
#define FINDING(e, name, sev, needs, loss) [F_##e] = {name, sev, needs, loss},
#include "diagnose/findings.def"
#undef FINDING
};

static const char *const sev_names[] = {"info", "warning", "error"};

const char *finding_code_name(enum finding_code c)
{
	return code_info[c].name;
}

const char *severity_name(enum severity s)
{
	return sev_names[s];
}

struct finding *fnd_add(struct finding_list *l, enum finding_code code,
			   double t)
{
	struct finding *f;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct finding *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = cap;
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->sev = code_info[code].sev;
	f->t = t;
	return f;
}

void fnd_set_duration(struct finding *f, double d)
{
	f->has_duration = true;
	f->duration = d;
}

__attribute__((format(printf, 2, 3))) void
fnd_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) void
fnd_evidence(struct finding *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	if (f->n_evidence >= FINDING_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->evidence[f->n_evidence] = strdup(buf);
	if (f->evidence[f->n_evidence])
		f->n_evidence++;
}

void findings_clear(struct finding_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = 0; j < l->v[i].n_evidence; j++)
			free(l->v[i].evidence[j]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* ---- helpers over the session ---- */

void fnd_names_of(const struct session *s, struct names *n)
{
	mx_addr_str(&s->client.ip, n->cli);
	mx_addr_str(&s->server.ip, n->srv);
}

double fnd_rel(const struct session *s, double t)
{
	return mx_dt(s->start, t);
}

double fnd_session_end(const struct session *s)
{
	return s->close_t > s->last ? s->close_t : s->last;
}

/* When the client gave up on the session, if it did before the server
 * closed: its first QUIT before any greeting, else its FIN or RST.  *how
 * names what it did. */
static bool client_closed_first(const struct session *s, double *t,
				const char **how)
{
	double cf = s->fin_client ? s->fin_client_t : -1;
	double sf = s->fin_server ? s->fin_server_t : -1;
	bool rst = s->close == CLOSE_RST_CLIENT &&
		   (sf < 0 || s->close_t <= sf);
	double end = -1;

	if (rst && (cf < 0 || s->close_t <= cf)) {
		end = s->close_t;
		*how = "reset the connection";
	} else if (cf >= 0 && (sf < 0 || cf <= sf)) {
		end = cf;
		*how = "closed the connection";
	} else if (rst) {
		end = s->close_t;
		*how = "reset the connection";
	}
	if (end < 0)
		return false;
	/* a client tired of waiting often says QUIT first (swaks does) */
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct tl_event *e = &s->ev[i];
		if (e->t >= end || (s->has_banner && e->t >= s->banner_t))
			break;
		if (e->kind == EV_COMMAND && e->cmd == SMTP_CMD_QUIT) {
			end = e->t;
			*how = "sent QUIT";
			break;
		}
	}
	*t = end;
	return true;
}

static bool server_side(enum dns_relation r)
{
	return r == REL_PTR_OF_CLIENT || r == REL_A_OF_PTR_NAME ||
	       r == REL_DNSBL_OF_CLIENT || r == REL_OTHER ||
	       r == REL_SENDER_DOMAIN || r == REL_RECIPIENT_DOMAIN;
}

static void describe_tx(const struct session *s, const struct dns_tx *tx,
			char *buf, size_t cap)
{
	char tb[16], rb[16], res[MX_ADDRSTR];
	size_t n = 0;
	mx_addr_str(&tx->resolver.ip, res);
	mx_appendf(buf, cap, &n, "%s %s to %s", dns_type_name(tx->qtype, tb),
		   tx->qname[0] ? tx->qname : ".", res);
	if (tx->has_query)
		mx_appendf(buf, cap, &n, " asked at %+.3f s", fnd_rel(s, tx->query_t));
	if (tx->retransmissions)
		mx_appendf(buf, cap, &n, " (%u retransmission%s)",
			   tx->retransmissions,
			   tx->retransmissions == 1 ? "" : "s");
	if (tx->has_response) {
		mx_appendf(buf, cap, &n, ", answered %s at %+.3f s",
			   dns_rcode_name(tx->rcode, rb), fnd_rel(s, tx->response_t));
		if (tx->has_query)
			mx_appendf(buf, cap, &n, " (rtt %.3f s)",
				   mx_dt(tx->query_t, tx->response_t));
	} else {
		mx_appendf(buf, cap, &n, ", never answered");
	}
}

/* Into the cause list; when it is full, in place of the lookup that
 * explains least, if this one explains more (the list is sorted after). */
static void cause_keep(struct finding *f, const struct dns_tx *tx,
		       enum dns_relation rel, double overlap)
{
	struct cause_item *c = NULL;
	if (f->n_cause < FINDING_MAX_CAUSE) {
		c = &f->cause[f->n_cause++];
	} else {
		for (size_t i = 0; i < f->n_cause; i++)
			if (!c || f->cause[i].overlap_s < c->overlap_s)
				c = &f->cause[i];
		if (c->overlap_s >= overlap)
			return;
	}
	c->tx = tx;
	c->rel = rel;
	c->overlap_s = overlap;
}

/* Seconds of [from, to] covered by the union of the server-side lookups
 * outstanding in it; fills the cause list. */
double fnd_explain_wait(const struct session *s, double from, double to,
			   struct finding *f)
{
	struct span {
		double a, b;
	} sp[SESS_MAX_DNS];
	size_t n = 0;
	double covered = 0, cur_a = 0, cur_b = 0;
	bool open = false;

	for (size_t i = 0; i < s->n_dns; i++) {
		const struct dns_tx *tx = s->dns[i].tx;
		double a, b;
		if (!server_side(s->dns[i].rel) || !tx->has_query)
			continue;
		a = tx->query_t > from ? tx->query_t : from;
		b = tx->has_response && tx->response_t < to ? tx->response_t : to;
		if (b < a) /* one asked as the wait ended is outstanding too */
			continue;
		sp[n].a = a;
		sp[n].b = b;
		n++;
		cause_keep(f, tx, s->dns[i].rel, mx_dt(a, b));
	}
	/* the lookups that explain most of the wait first (stable) */
	for (size_t i = 1; i < f->n_cause; i++)
		for (size_t j = i; j > 0 && f->cause[j].overlap_s >
						f->cause[j - 1].overlap_s;
		     j--) {
			struct cause_item t = f->cause[j];
			f->cause[j] = f->cause[j - 1];
			f->cause[j - 1] = t;
		}
	/* union of intervals: sort by start (n is small) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && sp[j].a < sp[j - 1].a; j--) {
			struct span t = sp[j];
			sp[j] = sp[j - 1];
			sp[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (open && sp[i].a <= cur_b) {
			if (sp[i].b > cur_b)
				cur_b = sp[i].b;
			continue;
		}
		if (open)
			covered += cur_b - cur_a;
		cur_a = sp[i].a;
		cur_b = sp[i].b;
		open = true;
	}
	if (open)
		covered += cur_b - cur_a;
	f->has_cause = true;
	f->explained_s = mx_round_us(covered);
	return f->explained_s;
}

void fnd_cause_sentence(const struct session *s, struct finding *f,
			   double wait, char *buf, size_t cap)
{
	char tb[16];
	size_t n = 0;
	(void)s;
	if (f->n_cause == 0 || f->explained_s < wait / 2) {
		f->suspects = "server CPU load, a tarpit or resource "
			      "conservation, or an SMTP-inspecting firewall";
		if (f->n_cause == 0)
			mx_appendf(buf, cap, &n,
				   "no DNS lookup of the server explains it; "
				   "suspect %s", f->suspects);
		else
			mx_appendf(buf, cap, &n,
				   "DNS explains only %.3f s of it; suspect %s",
				   f->explained_s, f->suspects);
		return;
	}
	mx_appendf(buf, cap, &n, "for %.3f s of it the server was waiting for DNS:",
		   f->explained_s);
	for (size_t i = 0; i < f->n_cause; i++)
		mx_appendf(buf, cap, &n, "%s %s %s (%s, %.3f s)",
			   i ? "," : "", dns_type_name(f->cause[i].tx->qtype, tb),
			   f->cause[i].tx->qname,
			   dns_relation_name(f->cause[i].rel),
			   f->cause[i].overlap_s);
}

/* What to fix, for the lookup that explains most of the wait. */
const char *fnd_cause_remedy(const struct finding *f)
{
	switch (f->cause[0].rel) {
	case REL_PTR_OF_CLIENT:
		return "fix the PTR record of the client or the server's "
		       "resolver, or disable reverse lookups before the "
		       "banner";
	case REL_A_OF_PTR_NAME:
		return "fix the zone of the client's PTR name, whose forward "
		       "lookup is slow, or the server's resolver";
	case REL_DNSBL_OF_CLIENT:
		return "check the blocklist (DNSBL) zone and whether the "
		       "server's resolver reaches it, and lower the server's "
		       "DNSBL timeout or drop that list";
	case REL_SENDER_DOMAIN:
		return "fix the DNS of the sender's domain (its zone is slow "
		       "to answer) or the server's resolver";
	case REL_RECIPIENT_DOMAIN:
		return "fix the DNS of the recipient's domain or the server's "
		       "resolver";
	default:
		return "check the server's resolver and the zone of the slow "
		       "lookup";
	}
}

void fnd_add_cause_evidence(const struct session *s, struct finding *f)
{
	char buf[400];
	for (size_t i = 0; i < f->n_cause; i++) {
		describe_tx(s, f->cause[i].tx, buf, sizeof(buf));
		fnd_evidence(f, "%s: %s", dns_relation_name(f->cause[i].rel), buf);
	}
}

/* ---- rules ---- */

static void rule_tcp(const struct session *s, struct finding_list *out)
{
	struct names nm;
	struct finding *f;
	if (s->has_syn_ack)
		return;
	fnd_names_of(s, &nm);
	if (s->close == CLOSE_RST_SERVER) {
		f = fnd_add(out, F_TCP_REFUSED, s->start);
		if (!f)
			return;
		fnd_set_duration(f, mx_dt(s->start, s->close_t));
		fnd_summary(f, "%s refused the connection from %s: its SYN was "
			   "answered by a reset (nothing listens on port %u, or "
			   "a firewall rejects it).",
			nm.srv, nm.cli, s->server.port);
		fnd_evidence(f, "SYN at +0.000 s, RST from the server at %+.3f s",
			 fnd_rel(s, s->close_t));
		f->remedy = "check that the MTA listens on this port and that "
			    "no firewall rejects the client; try the next MX";
		return;
	}
	if (s->syns == 0)
		return;
	f = fnd_add(out, F_TCP_NO_ANSWER, s->start);
	if (!f)
		return;
	fnd_set_duration(f, mx_dt(s->start, s->syn_t));
	fnd_summary(f, "%s sent %u SYN%s to %s:%u over %.3f s and got no answer.",
		nm.cli, s->syns, s->syns == 1 ? "" : "s", nm.srv,
		s->server.port, mx_dt(s->start, s->syn_t));
	fnd_evidence(f, "first SYN at +0.000 s, last at %+.3f s, no SYN-ACK",
		 fnd_rel(s, s->syn_t));
	f->remedy = "the host is down or a firewall drops port 25; the sender "
		    "should move on to the next MX";
}

/* Whether a server-side lookup tied to s was still open at t: the server
 * was busy with it when the client left. */
/* The client quit, closed or reset at closed_t before the greeting, which
 * came later or never: client.gave_up, with how long it waited (its
 * timeout, which a bounce names).  The greeting's own finding (banner.slow
 * or banner.missing) is judged besides. */
static void rule_gave_up(const struct session *s, const struct names *nm,
			 double wait_from, double closed_t, const char *how,
			 struct finding_list *out)
{
	double waited = mx_dt(wait_from, closed_t);
	char cause[600] = "";
	struct finding *f;

	if (!(f = fnd_add(out, F_CLIENT_GAVE_UP, closed_t)))
		return;
	fnd_set_duration(f, waited);
	fnd_explain_wait(s, wait_from, closed_t, f);
	if (s->has_banner) {
		f->has_needed = true;
		f->needed_s = mx_dt(closed_t, s->banner_t);
	}
	fnd_cause_sentence(s, f, waited, cause, sizeof(cause));
	if (f->has_needed)
		fnd_summary(f, "%s gave up after waiting %.3f s for the greeting of "
			   "%s, which came %.3f s later; %s.",
			nm->cli, waited, nm->srv, f->needed_s, cause);
	else
		fnd_summary(f, "%s gave up after waiting %.3f s for the greeting of "
			   "%s, which never came; %s.",
			nm->cli, waited, nm->srv, cause);
	fnd_evidence(f, "handshake done at %+.3f s, the client %s at %+.3f s",
		 fnd_rel(s, wait_from), how, fnd_rel(s, closed_t));
	fnd_add_cause_evidence(s, f);
	f->remedy = f->n_cause && f->explained_s >= waited / 2
			    ? fnd_cause_remedy(f)
			    : "check the MTA on the server (hung, overloaded) "
			      "and any SMTP-inspecting firewall in front of it";
}

/* Handshake done, no greeting until end. */
static void rule_banner_missing(const struct session *s,
				const struct names *nm, double wait_from,
				double end, struct finding_list *out)
{
	struct finding *f = fnd_add(out, F_BANNER_MISSING, wait_from);
	if (!f)
		return;
	fnd_set_duration(f, mx_dt(wait_from, end));
	fnd_summary(f, "%s completed the TCP handshake with %s but never sent a "
		   "greeting in %.3f s; the session ended with %s.",
		nm->srv, nm->cli, mx_dt(wait_from, end),
		sess_close_name(s->close));
	fnd_evidence(f, "handshake ACK at %+.3f s, no server data until %+.3f s",
		 fnd_rel(s, wait_from), fnd_rel(s, end));
	f->remedy = "check the MTA on the server (hung, overloaded) and any "
		    "SMTP-inspecting firewall in front of it; the sender should "
		    "fail over to the next MX";
}

/* The capture ended while the client waited for the greeting, before the
 * wait reached --slow-banner: nothing says the greeting would not have
 * come.  banner.cut (info), with the server's lookups still outstanding. */
static void rule_banner_cut(const struct session *s, const struct names *nm,
			    const struct fnd_config *c, double wait_from,
			    double end, struct finding_list *out)
{
	double waited = mx_dt(wait_from, end);
	struct finding *f = fnd_add(out, F_BANNER_CUT, wait_from);
	if (!f)
		return;
	fnd_set_duration(f, waited);
	fnd_explain_wait(s, wait_from, end, f);
	fnd_summary(f, "The capture ended %.3f s into %s's wait for the greeting "
		       "of %s, before the %.3f s after which a missing greeting "
		       "is reported; %s.", waited, nm->cli, nm->srv,
		    c->slow_banner,
		    f->n_cause ? "the server's lookups below were still "
				 "outstanding"
			       : "no lookup of the server was outstanding");
	fnd_evidence(f, "handshake ACK at %+.3f s, capture end at %+.3f s",
		     fnd_rel(s, wait_from), fnd_rel(s, end));
	fnd_add_cause_evidence(s, f);
	f->remedy = "capture longer to see whether and when the greeting comes";
}

/* banner.slow when the greeting took longer than the limit; false when
 * the list is full. */
static bool rule_banner_slow(const struct session *s,
			     const struct fnd_config *c, const struct names *nm,
			     double wait_from, struct finding_list *out)
{
	char cause[600] = "";
	struct finding *f;
	double delay;

	if (!sess_banner_delay(s, &delay) || delay <= c->slow_banner)
		return true;
	if (!(f = fnd_add(out, F_BANNER_SLOW, wait_from)))
		return false;
	fnd_set_duration(f, delay);
	fnd_explain_wait(s, wait_from, s->banner_t, f);
	fnd_cause_sentence(s, f, delay, cause, sizeof(cause));
	fnd_summary(f, "The greeting of %s came %.3f s after the handshake (limit "
		   "%.3f s); %s.", nm->srv, delay, c->slow_banner, cause);
	fnd_evidence(f, "handshake ACK at %+.3f s, greeting %d at %+.3f s",
		 fnd_rel(s, wait_from), s->banner_code, fnd_rel(s, s->banner_t));
	fnd_add_cause_evidence(s, f);
	f->remedy = f->n_cause && f->explained_s >= delay / 2
			    ? fnd_cause_remedy(f)
			    : "check the server's CPU load and resource "
			      "conservation mode, and any SMTP-inspecting firewall";
	return true;
}

static void rule_banner_masked(const struct session *s,
			       const struct names *nm,
			       struct finding_list *out)
{
	struct finding *f;
	if (!s->banner_text || !strstr(s->banner_text, "****"))
		return;
	if (!(f = fnd_add(out, F_BANNER_MASKED, s->banner_t)))
		return;
	fnd_summary(f, "The greeting of %s is masked with asterisks, as SMTP-fixup "
		   "firewalls do.", nm->srv);
	fnd_evidence(f, "greeting: %d %.200s", s->banner_code, s->banner_text);
	f->remedy = "turn off SMTP inspection (fixup) on the firewall in front "
		    "of the server";
}

static void rule_banner(const struct session *s, const struct fnd_config *c,
			struct finding_list *out)
{
	struct names nm;
	double closed_t = 0, wait_from;
	const char *how = "closed the connection";
	bool client_first = client_closed_first(s, &closed_t, &how);

	if (!s->has_ack && !s->has_syn_ack)
		return;
	if (sess_implicit_tls(s))
		return; /* TLS from the first byte: the greeting is inside */
	fnd_names_of(s, &nm);
	wait_from = s->has_ack ? s->ack_t : s->syn_ack_t;
	/* the client left before any greeting */
	if (client_first && (!s->has_banner || s->banner_t > closed_t))
		rule_gave_up(s, &nm, wait_from, closed_t, how, out);
	if (!s->has_banner) {
		double end = client_first ? closed_t : fnd_session_end(s);
		if (!s->has_ack)
			return;
		/* a wait the capture cut short is not a missing banner */
		if (!client_first && s->close == CLOSE_CAPTURE_END &&
		    mx_dt(wait_from, end) <= c->slow_banner)
			rule_banner_cut(s, &nm, c, wait_from, end, out);
		else
			rule_banner_missing(s, &nm, wait_from, end, out);
		return;
	}
	if (rule_banner_slow(s, c, &nm, wait_from, out))
		rule_banner_masked(s, &nm, out);
}

static void rule_dns(const struct session *s, const struct fnd_config *c,
		     struct finding_list *out)
{
	char buf[400], tb[16], rb[16];
	for (size_t i = 0; i < s->n_dns; i++) {
		const struct dns_tx *tx = s->dns[i].tx;
		enum dns_relation r = s->dns[i].rel;
		struct finding *f;
		describe_tx(s, tx, buf, sizeof(buf));
		/* a response whose query was not captured still tells its
		 * rcode; only timeouts and slowness need the query */
		if (!tx->has_query && !tx->has_response)
			continue;
		if (tx->has_query && !tx->has_response) {
			/* asked too shortly before the capture ended to be
			 * even slow: outstanding, not timed out */
			if (s->close == CLOSE_CAPTURE_END &&
			    mx_dt(tx->last_query_t, fnd_session_end(s)) <=
				    c->slow_dns)
				continue;
			f = fnd_add(out, F_DNS_TIMEOUT, tx->query_t);
			if (!f)
				return;
			fnd_set_duration(f, mx_dt(tx->query_t, fnd_session_end(s)));
			fnd_summary(f, "The %s lookup %s (%s) was never answered "
				   "(%u retransmission%s).",
				dns_type_name(tx->qtype, tb), tx->qname,
				dns_relation_name(r), tx->retransmissions,
				tx->retransmissions == 1 ? "" : "s");
			fnd_evidence(f, "%s", buf);
			f->remedy = "check the resolver the host uses and the path "
				    "to it";
			continue;
		}
		if (tx->has_query &&
		    mx_dt(tx->query_t, tx->response_t) > c->slow_dns) {
			f = fnd_add(out, F_DNS_SLOW, tx->query_t);
			if (!f)
				return;
			fnd_set_duration(f, mx_dt(tx->query_t, tx->response_t));
			fnd_summary(f, "The %s lookup %s (%s) took %.3f s (limit "
				   "%.3f s).", dns_type_name(tx->qtype, tb),
				tx->qname, dns_relation_name(r),
				mx_dt(tx->query_t, tx->response_t), c->slow_dns);
			fnd_evidence(f, "%s", buf);
			f->remedy = "check the resolver's load and its upstream "
				    "servers";
		}
		/* NXDOMAIN is how a DNSBL says "not listed"; for the server's
		 * other lookups it is an answer about someone else's name,
		 * not a failure of this session */
		if (tx->rcode == DNS_R_SERVFAIL || tx->rcode == DNS_R_REFUSED ||
		    (tx->rcode == DNS_R_NXDOMAIN && r != REL_DNSBL_OF_CLIENT &&
		     r != REL_OTHER)) {
			f = fnd_add(out, F_DNS_ERROR, tx->response_t);
			if (!f)
				return;
			fnd_summary(f, "The %s lookup %s (%s) failed with %s.",
				dns_type_name(tx->qtype, tb), tx->qname,
				dns_relation_name(r), dns_rcode_name(tx->rcode, rb));
			fnd_evidence(f, "%s", buf);
			f->remedy = r == REL_PTR_OF_CLIENT
					    ? "publish a PTR record for the client's "
					      "address"
					    : "check the zone and the resolver";
		}
	}
}

static bool finding_before(const struct finding *a, const struct finding *b)
{
	if (a->sev != b->sev)
		return a->sev > b->sev;
	return a->t < b->t;
}

/* "mx2.example.org (MX 20), ...": the hosts the MX answer lists besides
 * `host`. */
static void other_hosts(const struct dns_tx *mx, const char *host,
			char *out, size_t cap)
{
	size_t n = 0, k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < mx->n_names; i++) {
		if (!strcmp(mx->names[i], host))
			continue;
		mx_appendf(out, cap, &n, "%s%s (MX %u)", k++ ? ", " : "",
			   mx->names[i], mx->prefs[i]);
	}
}

/* Decided across sessions by delivery.c when this attempt started. */
static void rule_mx(const struct session *s, struct finding_list *out)
{
	const struct mx_judgement *j = s->mx_judged;
	const char *went_to = s->mx_host ? s->mx_host : "?", *prev, *words;
	char a[MX_ADDRSTR], b[MX_ADDRSTR], others[300];
	char said[512] = "", ev[400] = ""; /* as long as they always were */
	struct finding *f;
	size_t n = 0;

	if (!j)
		return;
	f = fnd_add(out, j->verdict == MXV_FAILOVER ? F_MX_FAILOVER
						: F_MX_NO_FAILOVER,
		s->start);
	if (!f)
		return;
	mx_addr_str(&j->prev_server, a);
	mx_addr_str(&s->client.ip, b);
	prev = j->prev_host[0] ? j->prev_host : a;
	words = dl_outcome_words(j->prev_outcome);
	/* mx_appendf truncates names that do not fit, quietly */
	mx_appendf(ev, sizeof(ev), &n,
		   "attempt %zu (%s) to %s %s %s; attempt %zu (%s) went to %s",
		   j->number - 1, j->prev_session, prev, a, words, j->number,
		   s->id, went_to);
	n = 0;
	if (j->verdict == MXV_NO_FAILOVER) {
		other_hosts(j->mx, j->prev_host, others, sizeof(others));
		mx_appendf(said, sizeof(said), &n,
			   "%s tried %s (%s) again after it %s, although %s "
			   "also lists %s.",
			   b, prev, a, words, j->domain, others);
		f->remedy = "make the sender try the next MX host after a failed "
			    "attempt (a known bug of old Exchange releases, fixed "
			    "in later service packs), and fix the failing host";
	} else {
		mx_appendf(said, sizeof(said), &n,
			   "%s moved on from %s (MX %d), which %s, to %s (MX %d) "
			   "for %s.",
			   b, prev, j->prev_pref, words, went_to, s->mx_pref,
			   j->domain);
	}
	fnd_summary(f, "%s", said);
	fnd_evidence(f, "%s", ev);
}

/* A one-sided session: no finding resting on the side not captured. */
static void drop_unseen(const struct session *s, struct finding_list *out,
			size_t first)
{
	unsigned unseen = s->one_sided == ONE_SIDED_CLIENT_ONLY   ? NEED_SERVER
			  : s->one_sided == ONE_SIDED_SERVER_ONLY ? NEED_CLIENT
								  : 0;
	size_t k = first;
	if (!unseen)
		return;
	for (size_t i = first; i < out->n; i++) {
		struct finding *f = &out->v[i];
		if (code_info[f->code].needs & unseen) {
			for (size_t j = 0; j < f->n_evidence; j++)
				free(f->evidence[j]);
			continue;
		}
		out->v[k++] = *f;
	}
	out->n = k;
}

void fnd_config_defaults(struct fnd_config *c)
{
	c->slow_banner = 2.0;
	c->slow_dns = 1.0;
	c->stall = 30.0;
	c->slow_reply = 2.0;
}

void findings_eval(const struct session *s, const struct fnd_config *c,
		   struct finding_list *out)
{
	size_t first = out->n;
	rule_mx(s, out);
	rule_tcp(s, out);
	rule_banner(s, c, out);
	rule_dns(s, c, out);
	fnd_rule_stalls(s, c, out);
	fnd_rule_replies(s, out);
	fnd_rule_slow_envelope(s, c, out, first);
	drop_unseen(s, out, first);
	for (size_t i = first; s->capture_loss && i < out->n; i++)
		out->v[i].uncertain = code_info[out->v[i].code].loss_doubts;
	/* most severe first, then by time: insertion sort keeps it stable */
	for (size_t i = first + 1; i < out->n; i++)
		for (size_t j = i; j > first && finding_before(&out->v[j],
							     &out->v[j - 1]);
		     j--) {
			struct finding t = out->v[j];
			out->v[j] = out->v[j - 1];
			out->v[j - 1] = t;
		}
}
