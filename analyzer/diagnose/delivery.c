/* delivery.c - grouping sessions into MX delivery attempts and judging
 * failover; see delivery.h. */
#include "diagnose/delivery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"

struct dl_table {
	struct btable groups; /* by last activity */
	struct pool *pool;    /* groups and their attempts: reused */
	double window;
	uint64_t seq;
};

static const char *const outcome_names[] = {
	[DL_IN_PROGRESS] = "in_progress", [DL_DELIVERED] = "delivered",
	[DL_NO_ANSWER] = "no_answer",     [DL_REFUSED] = "refused",
	[DL_NO_BANNER] = "no_banner",     [DL_REJECTED] = "rejected_at_banner",
	[DL_TEMP_FAIL] = "temporary_failure",
	[DL_PERM_FAIL] = "permanent_failure",
	[DL_CUT_SHORT] = "cut_short",
	[DL_QUIT] = "quit_without_delivery",
	[DL_UNKNOWN] = "unknown",
};

static const char *const outcome_words[] = {
	[DL_IN_PROGRESS] = "was still in progress",
	[DL_DELIVERED] = "delivered",
	[DL_NO_ANSWER] = "did not answer the SYN",
	[DL_REFUSED] = "refused the connection",
	[DL_NO_BANNER] = "never sent a banner",
	[DL_REJECTED] = "rejected the connection in its greeting",
	[DL_TEMP_FAIL] = "answered with a 4xx",
	[DL_PERM_FAIL] = "answered with a 5xx",
	[DL_CUT_SHORT] = "ended before the message was delivered",
	[DL_QUIT] = "was left with QUIT and no delivery",
	[DL_UNKNOWN] = "had replies the capture does not hold",
};

const char *dl_outcome_name(enum dl_outcome o)
{
	return outcome_names[o];
}

const char *dl_outcome_words(enum dl_outcome o)
{
	return outcome_words[o];
}

const char *mx_verdict_name(enum mx_verdict v)
{
	return v == MXV_FAILOVER ? "failover" : v == MXV_NO_FAILOVER
							? "no_failover"
							: "none";
}

enum dl_outcome dl_outcome_of(const struct session *s)
{
	bool over = s->close != CLOSE_NONE, quit = false;
	int fail = 0;
	if (s->one_sided || sess_implicit_tls(s))
		return DL_UNKNOWN; /* the deciding replies are not seen */
	if (!s->has_syn_ack)
		return s->close == CLOSE_RST_SERVER ? DL_REFUSED : DL_NO_ANSWER;
	/* a capture that ends during the wait saw no failure */
	if (!s->has_banner)
		return (over && s->close != CLOSE_CAPTURE_END) || s->fin_client
			       ? DL_NO_BANNER
			       : DL_IN_PROGRESS;
	if (s->banner_code >= 400)
		return DL_REJECTED;
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct tl_event *e = &s->ev[i];
		if (e->kind == EV_COMMAND && e->cmd == SMTP_CMD_QUIT)
			quit = true;
		if (e->kind != EV_REPLY)
			continue;
		if (e->cmd == SMTP_CMD_DATA_END && sess_reply_class(e) == 2)
			return DL_DELIVERED;
		/* a 5xx to one RCPT is that recipient's problem, not the
		 * host's; judge the transaction commands */
		if (sess_reply_class(e) >= 4 && e->cmd != SMTP_CMD_RCPT &&
		    e->cmd != SMTP_CMD_QUIT)
			fail = sess_reply_class(e) == 5 ? 5 : (fail ? fail : 4);
	}
	if (fail == 4)
		return DL_TEMP_FAIL;
	if (fail == 5)
		return DL_PERM_FAIL;
	/* a message the server never answered for (a stall): its fate is
	 * unknown to the sender, which will retry, so not a plain QUIT */
	for (size_t i = 0; i < s->n_unanswered; i++) {
		enum smtp_cmd c = s->unanswered[i].cmd;
		if (c == SMTP_CMD_DATA || c == SMTP_CMD_DATA_END ||
		    c == SMTP_CMD_XEXCH50 || c == SMTP_CMD_BLOB_END)
			return over || s->fin_client ? DL_CUT_SHORT
						     : DL_IN_PROGRESS;
	}
	if (quit) /* the client ended it: not the host's failure */
		return DL_QUIT;
	return over || s->fin_client ? DL_CUT_SHORT : DL_IN_PROGRESS;
}

/* Failures after which RFC 5321 5.1 expects the next MX to be tried. */
static bool is_failure(enum dl_outcome o)
{
	return o == DL_NO_ANSWER || o == DL_REFUSED || o == DL_NO_BANNER ||
	       o == DL_REJECTED || o == DL_TEMP_FAIL || o == DL_CUT_SHORT;
}

/* ---- table ---- */

static uint64_t group_hash(const struct mx_addr *c, const char *domain)
{
	uint8_t k[17 + DNS_NAME_MAX];
	size_t n = strlen(domain);
	k[0] = c->family;
	memcpy(k + 1, c->a, 16);
	memcpy(k + 17, domain, n);
	return mx_hash_bytes(k, 17 + n, 0x6d78);
}

static struct mx_group *oldest_group(const struct dl_table *t)
{
	return BT_ENTRY(bt_oldest(&t->groups), struct mx_group, link);
}

static void group_unref(struct mx_group *g)
{
	if (!g || --g->refs > 0)
		return;
	dns_tx_unref(g->mx);
	for (size_t i = 0; i < g->n_att; i++)
		pool_free(g->att[i].host);
	pool_free(g->att);
	pool_free(g); /* also after dl_free: the pool goes with its last */
}

static void group_drop(struct dl_table *t, struct mx_group *g)
{
	bt_del(&t->groups, &g->link);
	group_unref(g);
}

struct dl_table *dl_new(size_t max_groups, double window_s)
{
	struct dl_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (!(t->pool = pool_new()) ||
	    bt_init(&t->groups, max_groups, 256, (size_t)1 << 22) != 0) {
		pool_close(t->pool);
		free(t);
		return NULL;
	}
	t->window = window_s;
	return t;
}

void dl_free(struct dl_table *t)
{
	struct mx_group *g;
	if (!t)
		return;
	while ((g = oldest_group(t)))
		group_drop(t, g);
	bt_fini(&t->groups);
	pool_close(t->pool);
	free(t);
}

void dl_expire(struct dl_table *t, double now)
{
	struct mx_group *g;
	while ((g = oldest_group(t)) && g->last + t->window < now)
		group_drop(t, g);
}

static struct mx_group *group_get(struct dl_table *t, const struct session *s,
				  struct dns_tx *mx)
{
	uint64_t h = group_hash(&s->client.ip, mx->qname);
	struct bt_link *l = bt_chain(&t->groups, h), *victim;
	struct mx_group *g = NULL;
	for (; l && !g; l = l->hnext) {
		struct mx_group *x = BT_ENTRY(l, struct mx_group, link);
		if (l->hash == h && mx_addr_eq(&x->client, &s->client.ip) &&
		    !strcmp(x->domain, mx->qname))
			g = x;
	}
	if (g) {
		bt_touch(&t->groups, &g->link);
	} else {
		if ((victim = bt_victim(&t->groups)))
			group_drop(t, BT_ENTRY(victim, struct mx_group, link));
		if (!(g = pool_calloc(t->pool, sizeof(*g))))
			return NULL;
		g->refs = 1; /* the table's */
		snprintf(g->id, sizeof(g->id), "G%llu",
			 (unsigned long long)++t->seq);
		g->client = s->client.ip;
		bt_add(&t->groups, &g->link, h);
	}
	if (g->mx != mx) { /* the sender looked the domain up again */
		dns_tx_ref(mx);
		dns_tx_unref(g->mx);
		g->mx = mx;
		g->domain = mx->qname; /* the same name */
	}
	return g;
}

/* The MX answer and the exchange that led this session to its server. */
static struct dns_tx *mx_of(struct session *s)
{
	struct dns_tx *mx = NULL;
	const char *host = NULL;
	for (size_t i = 0; i < s->n_dns; i++)
		if (s->dns[i].rel == REL_MX_OF_DOMAIN)
			mx = s->dns[i].tx;
	if (!mx)
		return NULL;
	for (size_t i = 0; i < s->n_dns && !host; i++)
		if (s->dns[i].rel == REL_A_OF_MX &&
		    dns_tx_mx_pref(mx, s->dns[i].tx->qname) >= 0)
			host = s->dns[i].tx->qname;
	if (!host)
		host = dns_tx_glue_host(mx, &s->server.ip);
	if (host) { /* the session holds a reference to both lookups */
		s->mx_host = host;
		s->mx_pref = dns_tx_mx_pref(mx, host);
	}
	return mx;
}

/* A previous attempt still open when the next one starts has failed only
 * if the client had visibly given up on it: SYNs resent or unanswered for
 * a few seconds, or a connection it closed.  Otherwise the two run in
 * parallel (several messages at once). */
#define DL_SYN_PATIENCE_S 3.0

static enum dl_outcome outcome_at(const struct session *p, double now)
{
	enum dl_outcome o = dl_outcome_of(p);
	bool client_left = p->fin_client || p->close == CLOSE_RST_CLIENT;
	if (p->close != CLOSE_NONE || client_left)
		return o;
	/* (no banner and cut short already need the client gone) */
	if (o == DL_NO_ANSWER && p->syns < 2 &&
	    mx_dt(p->start, now) < DL_SYN_PATIENCE_S)
		return DL_IN_PROGRESS;
	return o;
}

/* Whether the group's MX answer lists a host other than `host`. */
static bool lists_another(const struct dns_tx *mx, const char *host)
{
	for (size_t i = 0; i < mx->n_names; i++)
		if (strcmp(mx->names[i], host) != 0)
			return true;
	return false;
}

static void judge(struct mx_group *g, struct session *s,
		  const struct dl_attempt *prev)
{
	enum dl_outcome o = prev->live ? outcome_at(prev->live, s->start)
				       : prev->outcome;
	bool same = mx_addr_eq(&prev->server, &s->server.ip);
	struct mx_judgement *j;

	if (!is_failure(o))
		return; /* the next message, or a parallel delivery */
	if (same && !lists_another(g->mx, prev->host))
		return; /* one MX host: retrying it is all there is */
	if (!(j = arena_alloc(&s->strings, sizeof(*j))))
		return;
	j->verdict = same ? MXV_NO_FAILOVER : MXV_FAILOVER;
	j->number = g->total + 1;
	j->mx = g->mx;
	/* copies: the session may outlive its hold on the group */
	j->domain = arena_strdup(&s->strings, g->domain);
	snprintf(j->prev_session, sizeof(j->prev_session), "%s", prev->session);
	j->prev_host = arena_strdup(&s->strings, prev->host);
	j->prev_server = prev->server;
	j->prev_pref = prev->pref;
	j->prev_outcome = o;
	if (j->prev_host && j->domain)
		s->mx_judged = j;
}

void dl_session_start(struct dl_table *t, struct session *s)
{
	struct dns_tx *mx;
	struct mx_group *g;
	struct dl_attempt *at;

	s->mx_pref = -1;
	if (!(mx = mx_of(s)) || !(g = group_get(t, s, mx)))
		return;
	g->last = s->start;
	if (g->n_att > 0)
		judge(g, s, &g->att[g->n_att - 1]);
	if (g->n_att == g->cap_att && g->cap_att < DL_MAX_ATTEMPTS) {
		size_t cap = g->cap_att ? g->cap_att * 2 : 1;
		struct dl_attempt *na = pool_alloc(t->pool, cap * sizeof(*na));
		if (!na) /* the session is just not part of the group */
			return;
		if (g->n_att)
			memcpy(na, g->att, g->n_att * sizeof(*na));
		pool_free(g->att);
		g->att = na;
		g->cap_att = cap;
	}
	if (g->n_att == DL_MAX_ATTEMPTS) { /* keep the latest */
		if (g->att[0].live) { /* the table's reference remains */
			g->att[0].live->group = NULL;
			g->refs--;
		}
		pool_free(g->att[0].host);
		memmove(&g->att[0], &g->att[1],
			(DL_MAX_ATTEMPTS - 1) * sizeof(g->att[0]));
		g->n_att--;
		for (size_t i = 0; i < g->n_att; i++)
			if (g->att[i].live)
				g->att[i].live->attempt = i + 1;
	}
	at = &g->att[g->n_att++];
	memset(at, 0, sizeof(*at));
	snprintf(at->session, sizeof(at->session), "%s", s->id);
	at->server = s->server.ip;
	if (!(at->host = pool_strdup(t->pool, s->mx_host ? s->mx_host : ""))) {
		g->n_att--; /* the session is just not part of the group */
		return;
	}
	at->pref = s->mx_pref;
	at->start = s->start;
	at->live = s;
	at->outcome = DL_IN_PROGRESS;
	g->total++;
	g->refs++;
	s->group = g;
	s->attempt = g->n_att;
}

void dl_settle(struct session *s)
{
	struct mx_group *g = s->group;
	for (size_t i = 0; g && i < s->attempt && i < g->n_att; i++)
		if (g->att[i].live)
			g->att[i].outcome = dl_outcome_of(g->att[i].live);
}

void dl_session_release(struct session *s)
{
	struct mx_group *g = s->group;
	struct dl_attempt *at;
	if (!g)
		return;
	if (s->attempt > 0 && s->attempt <= g->n_att &&
	    (at = &g->att[s->attempt - 1])->live == s) {
		at->outcome = dl_outcome_of(s);
		at->live = NULL;
	}
	s->group = NULL;
	group_unref(g);
}
