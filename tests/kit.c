/* test__kit.c - the shared test builders declared in testkit.h.  It holds
 * no tests: it is named test__*.c only because the Makefile compiles and
 * links tests/test_*.c (TEST_SRC) into the unit-test binary, and nothing
 * else under tests/.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- addresses ----------------------------------------------------------- */

struct mx_endpoint tk_ep(const char *ip, uint16_t port)
{
	struct mx_endpoint e;
	memset(&e, 0, sizeof e);
	cr_assert_eq(mx_addr_parse(ip, &e.ip), 0, "bad test address %s", ip);
	e.port = port;
	return e;
}

struct mx_addr tk_addr(const char *ip)
{
	return tk_ep(ip, 0).ip;
}

/* ---- DNS messages ------------------------------------------------------- */

struct dns_msg *tk_msg(uint16_t id, bool qr, const char *qname,
		       uint16_t qtype)
{
	struct dns_msg *m = calloc(1, sizeof *m);
	cr_assert_not_null(m);
	m->id = id;
	m->qr = qr;
	m->rd = true;
	m->ra = qr;
	m->qdcount = 1;
	m->has_question = true;
	snprintf(m->qname, sizeof m->qname, "%s", qname);
	m->qtype = qtype;
	m->qclass = 1;
	return m;
}

/* The next record of a section (n stored, count in the header). */
static struct dns_rr *rr_add(struct dns_rr *sec, size_t *n, uint16_t *count,
			     const char *owner, uint16_t type)
{
	struct dns_rr *rr;
	cr_assert_lt(*n, DNS_MAX_RRS);
	rr = &sec[(*n)++];
	(*count)++;
	memset(rr, 0, sizeof *rr);
	snprintf(rr->name, sizeof rr->name, "%s", owner);
	rr->type = type;
	rr->rclass = 1;
	rr->ttl = 300;
	return rr;
}

void tk_add_addr(struct dns_msg *m, bool additional, const char *owner,
		 const char *ip)
{
	struct mx_addr a = tk_addr(ip);
	uint16_t type = a.family == 4 ? DNS_T_A : DNS_T_AAAA;
	struct dns_rr *rr =
		additional ? rr_add(m->ar, &m->n_ar, &m->arcount, owner, type)
			   : rr_add(m->an, &m->n_an, &m->ancount, owner, type);
	rr->addr_len = a.family == 4 ? 4 : 16;
	memcpy(rr->addr, a.a, rr->addr_len);
	snprintf(rr->data, sizeof rr->data, "%s", ip);
}

void tk_add_name(struct dns_msg *m, uint16_t type, const char *target)
{
	struct dns_rr *rr =
		rr_add(m->an, &m->n_an, &m->ancount, m->qname, type);
	snprintf(rr->target, sizeof rr->target, "%s", target);
	snprintf(rr->data, sizeof rr->data, "%s", target);
}

void tk_add_mx(struct dns_msg *m, unsigned pref, const char *target)
{
	struct dns_rr *rr =
		rr_add(m->an, &m->n_an, &m->ancount, m->qname, DNS_T_MX);
	rr->pref = (uint16_t)pref;
	snprintf(rr->target, sizeof rr->target, "%s", target);
	snprintf(rr->data, sizeof rr->data, "%u %s", pref, target);
}

struct dns_msg *tk_answer_addr(uint16_t id, const char *qname,
			       const char *ip)
{
	struct dns_msg *m = tk_msg(
		id, true, qname,
		tk_addr(ip).family == 4 ? DNS_T_A : DNS_T_AAAA);
	tk_add_addr(m, false, qname, ip);
	return m;
}

struct dns_msg *tk_answer_name(uint16_t id, const char *qname,
			       uint16_t qtype, const char *target)
{
	struct dns_msg *m = tk_msg(id, true, qname, qtype);
	tk_add_name(m, qtype, target);
	return m;
}

/* ---- the DNS transaction table ------------------------------------------ */

struct dt_table *tk_dt_new(double window_s, size_t max_tx, dt_expire_fn fn,
			   void *ctx)
{
	struct dt_config cfg = {.window_s = window_s, .max_tx = max_tx};
	struct dt_table *t = dt_new(&cfg, fn, ctx);
	cr_assert_not_null(t);
	return t;
}

struct dns_tx *tk_query(struct dt_table *t, const struct mx_endpoint *asker,
			const struct mx_endpoint *res, uint16_t id,
			const char *qname, uint16_t qtype, double ts)
{
	struct dns_msg *m = tk_msg(id, false, qname, qtype);
	struct dns_tx *tx = dt_message(t, m, asker, res, false, ts);
	free(m);
	return tx;
}

struct dns_tx *tk_respond(struct dt_table *t, struct dns_msg *m,
			  const struct mx_endpoint *res,
			  const struct mx_endpoint *asker, double ts)
{
	struct dns_tx *tx = dt_message(t, m, res, asker, false, ts);
	free(m);
	return tx;
}

struct dns_tx *tk_lookup(struct dt_table *t, const struct mx_endpoint *asker,
			 const struct mx_endpoint *res, struct dns_msg *m,
			 double tq, double tr)
{
	struct dns_tx *tx =
		tk_query(t, asker, res, m->id, m->qname, m->qtype, tq);
	cr_assert_not_null(tx);
	if (tr > 0)
		cr_assert_eq(tk_respond(t, m, res, asker, tr), tx,
			     "response did not match its query");
	else
		free(m);
	return tx;
}

/* ---- sessions ------------------------------------------------------------ */

struct session *tk_session(const char *client, uint16_t cport,
			   const char *server, double t)
{
	struct session *s = calloc(1, sizeof *s);
	cr_assert_not_null(s);
	s->client = tk_ep(client, cport);
	s->server = tk_ep(server, 25);
	s->start = s->syn_t = s->last = t;
	s->syns = 1;
	return s;
}

void tk_handshake(struct session *s, double syn_ack_t, double ack_t)
{
	s->has_syn_ack = true;
	s->syn_ack_t = syn_ack_t;
	s->syn_acks = 1;
	s->has_ack = true;
	s->ack_t = s->last = ack_t;
}

static void ev_init(struct smtp_event *ev, enum smtp_ev_kind k,
		    enum smtp_dir d, double t)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = k;
	ev->dir = d;
	ev->ts = t;
	ev->verb = "";
	ev->args = "";
	ev->text = "";
}

void tk_greeting(struct session *s, double t, int code, const char *text)
{
	struct smtp_event ev;
	ev_init(&ev, SMTP_EV_REPLY, SMTP_FROM_SERVER, t);
	ev.cmd = SMTP_CMD_NONE;
	ev.code = code;
	ev.text = text;
	ev.lines = 1;
	ev.greeting = true;
	sess_on_smtp(s, &ev);
	s->last = t;
}

void tk_command(struct session *s, double t, enum smtp_cmd cmd,
		const char *verb, const char *args)
{
	struct smtp_event ev;
	ev_init(&ev, SMTP_EV_COMMAND, SMTP_FROM_CLIENT, t);
	ev.cmd = cmd;
	ev.verb = verb;
	ev.args = args;
	sess_on_smtp(s, &ev);
	s->last = t;
}

void tk_reply(struct session *s, double t, enum smtp_cmd cmd,
	      const char *verb, double cmd_t, int code, const char *text)
{
	struct smtp_event ev;
	ev_init(&ev, SMTP_EV_REPLY, SMTP_FROM_SERVER, t);
	ev.cmd = cmd;
	ev.verb = verb;
	ev.cmd_ts = cmd_t;
	ev.code = code;
	ev.text = text;
	ev.lines = 1;
	sess_on_smtp(s, &ev);
	s->last = t;
}

void tk_unanswered(struct session *s, double t, enum smtp_cmd cmd,
		   const char *verb)
{
	struct smtp_event ev;
	ev_init(&ev, SMTP_EV_UNANSWERED, SMTP_FROM_CLIENT, t);
	ev.cmd = cmd;
	ev.verb = verb;
	ev.cmd_ts = t;
	sess_on_smtp(s, &ev);
	s->last = t;
}

size_t tk_count(const struct finding_list *l, enum finding_code c)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].code == c;
	return n;
}

const struct finding *tk_get(const struct finding_list *l, enum finding_code c)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].code == c)
			return &l->v[i];
	cr_assert_fail("no %s finding", finding_code_name(c));
	return NULL;
}

const struct finding *tk_the(const struct finding_list *l, enum finding_code c)
{
	cr_assert_eq(tk_count(l, c), 1, "%s: %zu findings, want 1",
		     finding_code_name(c), tk_count(l, c));
	return tk_get(l, c);
}
