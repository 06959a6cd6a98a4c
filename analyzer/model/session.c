/* session.c - building one SMTP session's record from dissector events. */
#include "model/session.h"


#include <stdlib.h>
#include <string.h>

static const char *const close_names[] = {
	[CLOSE_NONE] = "open",
	[CLOSE_FIN] = "fin",
	[CLOSE_RST_CLIENT] = "rst_client",
	[CLOSE_RST_SERVER] = "rst_server",
	[CLOSE_TIMEOUT] = "timeout",
	[CLOSE_CAPTURE_END] = "capture_end",
};

static const char *const kind_names[] = {
	[EV_SYN] = "syn",
	[EV_SYN_ACK] = "syn_ack",
	[EV_ACK] = "ack",
	[EV_BANNER] = "banner",
	[EV_COMMAND] = "command",
	[EV_REPLY] = "reply",
	[EV_DATA_START] = "data_start",
	[EV_DATA_END] = "data_end",
	[EV_BLOB] = "blob",
	[EV_TLS] = "tls",
	[EV_DNS_QUERY] = "dns_query",
	[EV_DNS_RESPONSE] = "dns_response",
	[EV_FIN] = "fin",
	[EV_RST] = "rst",
	[EV_TIMEOUT] = "timeout",
	[EV_GAP] = "gap",
};

static const char *const actor_names[] = {"client", "server", "dns"};

static const char *const relation_names[] = {
	[REL_PTR_OF_CLIENT] = "ptr_of_client",
	[REL_A_OF_PTR_NAME] = "a_of_ptr_name",
	[REL_DNSBL_OF_CLIENT] = "dnsbl_of_client",
	[REL_MX_OF_DOMAIN] = "mx_of_domain",
	[REL_A_OF_MX] = "a_of_mx",
	[REL_OTHER] = "other",
	[REL_SENDER_DOMAIN] = "sender_domain",
	[REL_RECIPIENT_DOMAIN] = "recipient_domain",
};

const char *one_sided_name(enum one_sided o)
{
	return o == ONE_SIDED_CLIENT_ONLY   ? "client_only"
	       : o == ONE_SIDED_SERVER_ONLY ? "server_only"
					    : "none";
}

const char *sess_close_name(enum sess_close c)
{
	return close_names[c];
}

const char *ev_kind_name(enum ev_kind k)
{
	return kind_names[k];
}

const char *actor_name(enum actor a)
{
	return actor_names[a];
}

const char *dns_relation_name(enum dns_relation r)
{
	return relation_names[r];
}

struct tl_event *sess_add_event(struct session *s, double t, enum ev_kind k,
				enum actor a)
{
	struct tl_event *e;
	if (s->n_ev >= SESS_MAX_EVENTS) {
		s->ev_dropped++;
		return NULL;
	}
	if (s->n_ev == s->cap_ev) {
		size_t cap = s->cap_ev ? s->cap_ev * 2 : 8;
		struct tl_event *ne = realloc(s->ev, cap * sizeof(*ne));
		if (!ne) {
			s->ev_dropped++;
			return NULL;
		}
		s->ev = ne;
		s->cap_ev = cap;
	}
	e = &s->ev[s->n_ev++];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->kind = (uint8_t)k;
	e->actor = (uint8_t)a;
	return e;
}

bool sess_has_dns(const struct session *s, const struct dns_tx *tx)
{
	for (size_t i = 0; i < s->n_dns; i++)
		if (s->dns[i].tx == tx)
			return true;
	return false;
}

void sess_tie_dns(struct session *s, struct dns_tx *tx, enum dns_relation r)
{
	if (sess_has_dns(s, tx))
		return;
	if (s->n_dns >= SESS_MAX_DNS) {
		s->dns_dropped++;
		return;
	}
	if (s->n_dns == s->cap_dns) {
		size_t cap = s->cap_dns ? s->cap_dns * 2 : 4;
		struct dns_tie *nd = realloc(s->dns, cap * sizeof(*nd));
		if (!nd) {
			s->dns_dropped++;
			return;
		}
		s->dns = nd;
		s->cap_dns = cap;
	}
	dns_tx_ref(tx);
	if (tx->first_rel < 0)
		tx->first_rel = (int)r;
	s->dns[s->n_dns].tx = tx;
	s->dns[s->n_dns].rel = r;
	s->n_dns++;
}

bool sess_banner_delay(const struct session *s, double *delay)
{
	if (!s->has_banner)
		return false;
	if (s->has_ack)
		*delay = mx_dt(s->ack_t, s->banner_t);
	else if (s->has_syn_ack)
		*delay = mx_dt(s->syn_ack_t, s->banner_t);
	else
		return false;
	return true;
}

char *sess_strdup(struct session *s, const char *str)
{
	return str ? arena_escape(&s->strings, str, strlen(str)) : NULL;
}

/* The HELO name, escaped into a buffer the record keeps from session to
 * session (not the arena: a client may repeat HELO without end). */
static void set_helo(struct session *s, const char *args)
{
	size_t n = strlen(args), need = n * 4 + 4; /* never truncated */
	if (need > s->helo_cap) {
		char *b = realloc(s->helo_buf, need);
		if (!b) {
			s->helo = NULL;
			return;
		}
		s->helo_buf = b;
		s->helo_cap = need;
	}
	s->helo = mx_escape(args, n, s->helo_buf, s->helo_cap);
}

static void swap_helo_bufs(struct session *s)
{
	char *b = s->helo_buf;
	size_t cap = s->helo_cap;
	s->helo_buf = s->helo_prev_buf;
	s->helo_cap = s->helo_prev_cap;
	s->helo_prev_buf = b;
	s->helo_prev_cap = cap;
}

/* A HELO-family command: its name counts from now on (a capture that
 * misses the reply keeps it), the one before is kept until the reply. */
static void helo_propose(struct session *s, const char *args)
{
	s->helo_prev_set = s->helo != NULL;
	swap_helo_bufs(s);
	set_helo(s, args);
}

/* The server's reply to it: a refusal brings the name before back. */
static void helo_answered(struct session *s, int code)
{
	if (code >= 400) {
		swap_helo_bufs(s);
		s->helo = s->helo_prev_set ? s->helo_buf : NULL;
	}
	s->helo_prev_set = false;
}

/* "FROM:<a@b> SIZE=1" -> "a@b"; keeps the raw text if no brackets. */
static char *path_of(struct session *s, const char *args)
{
	const char *lt = strchr(args, '<'), *gt;
	if (lt && (gt = strchr(lt, '>')) != NULL)
		return arena_escape(&s->strings, lt + 1, (size_t)(gt - lt - 1));
	lt = strchr(args, ':');
	lt = lt ? lt + 1 : args;
	while (*lt == ' ')
		lt++;
	return arena_escape(&s->strings, lt, strcspn(lt, " "));
}

/* The pointer arrays grow by doubling and stay with the record for the
 * next session; their strings are in the arena. */
static void strv_add(char ***v, size_t *n, size_t *cap, char *str)
{
	char **nv;
	if (!str || *n >= 1000)
		return;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 2;
		if (!(nv = realloc(*v, ncap * sizeof(**v))))
			return;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = str;
}

static bool has_prefix_ci(const char *s, const char *p)
{
	for (; *p; s++, p++) {
		char c = *s;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != *p)
			return false;
	}
	return true;
}

static void on_command(struct session *s, const struct smtp_event *ev)
{
	struct tl_event *e = sess_add_event(s, ev->ts, EV_COMMAND,
					    ACTOR_CLIENT);
	if (e) {
		e->cmd = (uint8_t)ev->cmd;
		e->verb = sess_strdup(s, ev->verb);
		e->text = sess_strdup(s, ev->args);
	}
	switch (ev->cmd) {
	case SMTP_CMD_HELO:
	case SMTP_CMD_EHLO:
	case SMTP_CMD_LHLO:
		helo_propose(s, ev->args);
		break;
	case SMTP_CMD_MAIL:
		if (has_prefix_ci(ev->args, "FROM:"))
			strv_add(&s->mail_from, &s->n_mail_from, &s->cap_mail_from,
				 path_of(s, ev->args));
		break;
	case SMTP_CMD_RCPT:
		if (has_prefix_ci(ev->args, "TO:"))
			strv_add(&s->rcpt_to, &s->n_rcpt_to, &s->cap_rcpt_to,
				 path_of(s, ev->args));
		break;
	default:
		break;
	}
}

bool sess_implicit_tls(const struct session *s)
{
	return s->starttls && !s->has_banner && !s->partial;
}

int sess_reply_class(const struct tl_event *e)
{
	const char *t = e->text;
	if (e->code)
		return e->code / 100;
	/* no code: the class of the enhanced status code it began with */
	return t && (t[0] == '2' || t[0] == '4' || t[0] == '5') && t[1] == '.'
		       ? t[0] - '0'
		       : 0;
}

static void on_reply(struct session *s, const struct smtp_event *ev)
{
	struct tl_event *e;
	if (ev->greeting && !s->has_banner) {
		s->has_banner = true;
		s->banner_t = ev->ts;
		s->banner_code = ev->code;
		s->banner_text = sess_strdup(s, ev->text);
		e = sess_add_event(s, ev->ts, EV_BANNER, ACTOR_SERVER);
		if (e) {
			e->code = ev->code;
			e->text = s->banner_text;
		}
		return;
	}
	e = sess_add_event(s, ev->ts, EV_REPLY, ACTOR_SERVER);
	if (!e)
		return;
	e->code = ev->code;
	e->text = sess_strdup(s, ev->text);
	e->cmd = (uint8_t)ev->cmd;
	e->verb = sess_strdup(s, ev->cmd == SMTP_CMD_NONE ? "" : ev->verb);
	e->latency = ev->cmd == SMTP_CMD_NONE ? -1 : mx_dt(ev->cmd_ts, ev->ts);
	if (ev->cmd == SMTP_CMD_HELO || ev->cmd == SMTP_CMD_EHLO ||
	    ev->cmd == SMTP_CMD_LHLO)
		helo_answered(s, ev->code);
}

static void on_tls(struct session *s, const struct smtp_event *ev)
{
	enum actor a = ev->dir == SMTP_FROM_CLIENT ? ACTOR_CLIENT
						   : ACTOR_SERVER;
	struct tl_event *last = s->n_ev ? &s->ev[s->n_ev - 1] : NULL;
	/* one event per run of TLS bytes in one direction keeps the
	 * timeline readable and bounded */
	if (last && last->kind == EV_TLS && last->actor == a) {
		last->bytes += ev->bytes;
		last->t_last = ev->ts;
		return;
	}
	last = sess_add_event(s, ev->ts, EV_TLS, a);
	if (last) {
		last->bytes = ev->bytes;
		last->t_last = ev->ts;
	}
}

void sess_on_smtp(void *session, const struct smtp_event *ev)
{
	struct session *s = session;
	struct tl_event *e;

	switch (ev->kind) {
	case SMTP_EV_COMMAND:
		on_command(s, ev);
		break;
	case SMTP_EV_REPLY:
		on_reply(s, ev);
		break;
	case SMTP_EV_DATA_START:
		sess_add_event(s, ev->ts, EV_DATA_START, ACTOR_CLIENT);
		break;
	case SMTP_EV_DATA_END:
		e = sess_add_event(s, ev->ts, EV_DATA_END, ACTOR_CLIENT);
		if (e)
			e->bytes = ev->bytes;
		break;
	case SMTP_EV_BLOB:
		e = sess_add_event(s, ev->ts, EV_BLOB, ACTOR_CLIENT);
		if (e) {
			e->bytes = ev->bytes;
			e->cmd = (uint8_t)ev->blob_of;
			e->verb = sess_strdup(s, smtp_cmd_name(ev->blob_of));
		}
		break;
	case SMTP_EV_TLS:
		s->starttls = true; /* TLS came: the 220 alone proves nothing */
		on_tls(s, ev);
		break;
	case SMTP_EV_UNANSWERED:
		/* the few sessions that have any keep them in their arena */
		if (!s->unanswered &&
		    !(s->unanswered = arena_alloc(
			      &s->strings,
			      SESS_MAX_UNANSWERED * sizeof(*s->unanswered))))
			break;
		if (s->n_unanswered < SESS_MAX_UNANSWERED) {
			struct unanswered *u = &s->unanswered[s->n_unanswered++];
			u->cmd = ev->cmd;
			mx_escape(ev->verb, strlen(ev->verb), u->verb,
				  sizeof(u->verb));
			u->t = ev->cmd_ts;
		}
		break;
	case SMTP_EV_ANOMALY:
		if (ev->anomaly < SMTP_ANOM__COUNT)
			s->anomalies[ev->anomaly]++;
		break;
	}
}

/* An event array, string chunk or address list this large is not kept
 * for the next session. */
#define SESS_KEEP_EVENTS 64
#define SESS_KEEP_STRINGS ((size_t)16 << 10)
#define SESS_KEEP_PATHS 16

/* The buffers a record keeps from one session to the next. */
struct sess_keep {
	struct tl_event *ev;
	size_t cap_ev;
	struct dns_tie *dns;
	size_t cap_dns;
	char *helo_buf, *helo_prev_buf;
	size_t helo_cap, helo_prev_cap;
	char **mail_from, **rcpt_to;
	size_t cap_mail_from, cap_rcpt_to;
	struct arena strings;
};

static void keep_paths(char ***v, size_t *cap)
{
	if (*cap > SESS_KEEP_PATHS) {
		free(*v);
		*v = NULL;
		*cap = 0;
	}
}

void sess_clear(struct session *s)
{
	struct sess_keep k;

	for (size_t i = 0; i < s->n_dns; i++)
		dns_tx_unref(s->dns[i].tx);
	s->strings.keep = SESS_KEEP_STRINGS;
	arena_reset(&s->strings);
	if (s->cap_ev > SESS_KEEP_EVENTS) {
		free(s->ev);
		s->ev = NULL;
		s->cap_ev = 0;
	}
	keep_paths(&s->mail_from, &s->cap_mail_from);
	keep_paths(&s->rcpt_to, &s->cap_rcpt_to);
	k = (struct sess_keep){.ev = s->ev,
			       .cap_ev = s->cap_ev,
			       .dns = s->dns,
			       .cap_dns = s->cap_dns,
			       .helo_buf = s->helo_buf,
			       .helo_prev_buf = s->helo_prev_buf,
			       .helo_cap = s->helo_cap,
			       .helo_prev_cap = s->helo_prev_cap,
			       .mail_from = s->mail_from,
			       .rcpt_to = s->rcpt_to,
			       .cap_mail_from = s->cap_mail_from,
			       .cap_rcpt_to = s->cap_rcpt_to,
			       .strings = s->strings};
	memset(s, 0, sizeof(*s));
	s->ev = k.ev;
	s->cap_ev = k.cap_ev;
	s->dns = k.dns;
	s->cap_dns = k.cap_dns;
	s->helo_buf = k.helo_buf;
	s->helo_cap = k.helo_cap;
	s->helo_prev_buf = k.helo_prev_buf;
	s->helo_prev_cap = k.helo_prev_cap;
	s->mail_from = k.mail_from;
	s->rcpt_to = k.rcpt_to;
	s->cap_mail_from = k.cap_mail_from;
	s->cap_rcpt_to = k.cap_rcpt_to;
	s->strings = k.strings;
}

void sess_release(struct session *s)
{
	sess_clear(s);
	free(s->ev);
	free(s->dns);
	free(s->helo_buf);
	free(s->helo_prev_buf);
	free(s->mail_from);
	free(s->rcpt_to);
	arena_free(&s->strings);
	memset(s, 0, sizeof(*s));
}

void sess_free(struct session *s)
{
	if (!s)
		return;
	sess_release(s);
	free(s);
}
