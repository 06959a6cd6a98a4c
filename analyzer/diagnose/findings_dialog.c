/* findings_dialog.c - the rules on the SMTP dialogue after the greeting:
 * stalls, reply errors, slow replies and tarpits (findings_int.h). */
#include "diagnose/findings_int.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

static bool owes_data(enum smtp_cmd c)
{
	return c == SMTP_CMD_DATA || c == SMTP_CMD_DATA_END ||
	       c == SMTP_CMD_XEXCH50 || c == SMTP_CMD_BLOB_END;
}

/* How the session ended after t, in words: the client's QUIT that went
 * unanswered, its FIN or reset, or the server's close or the capture's
 * end. */
static void ended_how(const struct session *s, double t, char *buf,
		      size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->n_unanswered; i++)
		if (s->unanswered[i].cmd == SMTP_CMD_QUIT &&
		    s->unanswered[i].t > t) {
			mx_appendf(buf, cap, &n, "the client sent QUIT at "
				   "%+.3f s (unanswered)",
				   fnd_rel(s, s->unanswered[i].t));
			break;
		}
	if (s->close == CLOSE_RST_CLIENT)
		mx_appendf(buf, cap, &n, "%sreset the connection at %+.3f s",
			   n ? ", then " : "the client ", fnd_rel(s, s->close_t));
	else if (s->fin_client &&
		 (!s->fin_server || s->fin_client_t <= s->fin_server_t))
		mx_appendf(buf, cap, &n, "%sclosed the connection at %+.3f s",
			   n ? ", then " : "the client ",
			   fnd_rel(s, s->fin_client_t));
	else if (!n)
		mx_appendf(buf, cap, &n, "the session ended with %s at %+.3f s",
			   sess_close_name(s->close),
			   fnd_rel(s, fnd_session_end(s)));
}

/* A command the server never answered.  DATA, the dot, XEXCH50 and its
 * blob leave the message's fate unknown to the sender whatever the
 * silence lasted when the session ended (the sender retries or bounces):
 * a stall as soon as the client or the server ended the session, the
 * QUIT that went unanswered after it part of it.  Other commands, and a
 * silence the capture or --idle-timeout cut, count from --stall s on. */
void fnd_rule_stalls(const struct session *s, const struct fnd_config *c,
		     struct finding_list *out)
{
	struct names nm;
	double end = fnd_session_end(s);
	/* ended by a party, not by --idle-timeout or the capture's end */
	bool ended = s->close == CLOSE_FIN || s->close == CLOSE_RST_CLIENT ||
		     s->close == CLOSE_RST_SERVER;
	bool data_stall = false;
	char how[200];
	fnd_names_of(s, &nm);
	for (size_t i = 0; i < s->n_unanswered; i++) {
		const struct unanswered *u = &s->unanswered[i];
		double silent = mx_dt(u->t, end);
		enum finding_code code = F_STALL_COMMAND;
		struct finding *f;
		const char *what = u->verb;
		if (u->cmd == SMTP_CMD_QUIT && data_stall)
			continue;
		if (silent < c->stall && !(owes_data(u->cmd) && ended))
			continue;
		if (u->cmd == SMTP_CMD_DATA || u->cmd == SMTP_CMD_DATA_END) {
			code = F_STALL_DATA;
			what = u->cmd == SMTP_CMD_DATA ? "DATA (no 354)"
						       : "the end-of-data dot";
		} else if (u->cmd == SMTP_CMD_XEXCH50 ||
			   u->cmd == SMTP_CMD_BLOB_END) {
			code = F_STALL_XEXCH50;
			what = u->cmd == SMTP_CMD_XEXCH50 ? "XEXCH50 (no 354)"
							 : "the XEXCH50 blob";
		}
		f = fnd_add(out, code, u->t);
		if (!f)
			return;
		fnd_set_duration(f, silent);
		fnd_summary(f, "%s never answered %s from %s; the session sat silent "
			   "for %.3f s and ended with %s.",
			nm.srv, what, nm.cli, silent, sess_close_name(s->close));
		fnd_evidence(f, "%s sent at %+.3f s, no reply until the end at %+.3f s",
			 u->verb, fnd_rel(s, u->t), fnd_rel(s, end));
		if (owes_data(u->cmd)) {
			data_stall = true;
			ended_how(s, u->t, how, sizeof(how));
			fnd_evidence(f, "%s", how);
		}
		f->remedy = code == F_STALL_XEXCH50
				    ? "a firewall may drop the XEXCH50 blob: check "
				      "its SMTP inspection, or disable XEXCH50 "
				      "between the servers"
				    : "check the server's content scanning and any "
				      "SMTP-inspecting firewall on the path";
	}
}

void fnd_rule_replies(const struct session *s, struct finding_list *out)
{
	unsigned replies = 0, slow = 0;
	double worst = 0, first_slow = 0;
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct tl_event *e = &s->ev[i];
		struct finding *f;
		if (e->kind != EV_REPLY && e->kind != EV_BANNER)
			continue;
		if (sess_reply_class(e) >= 4) {
			f = fnd_add(out, F_SMTP_REPLY_ERROR, e->t);
			if (!f)
				return;
			if (e->code == 0)
				fnd_summary(f, "The server answered %s with a line "
					   "without a reply code: %.300s (its "
					   "enhanced status code says %s)",
					   e->cmd == SMTP_CMD_NONE ? "nothing pending"
								  : fnd_verb_of(e),
					   e->text ? e->text : "",
					   sess_reply_class(e) == 4
						   ? "deferred: try again later"
						   : "failed for good");
			else if (e->kind == EV_REPLY && e->cmd == SMTP_CMD_NONE)
				fnd_summary(f, "The server sent %d %.300s with no "
					   "command pending (its command was not "
					   "captured, or the server gave up on the "
					   "client)", e->code, e->text ? e->text : "");
			else
				fnd_summary(f, "The server answered %s with %d %.300s",
					e->kind == EV_BANNER ? "the connection"
							     : fnd_verb_of(e),
					e->code, e->text ? e->text : "");
			fnd_evidence(f, "reply at %+.3f s", fnd_rel(s, e->t));
		}
		/* content checks after the dot may take long; judge the rest */
		if (e->kind != EV_REPLY || e->latency < 0 ||
		    e->cmd == SMTP_CMD_DATA_END || e->cmd == SMTP_CMD_BLOB_END)
			continue;
		replies++;
		if (e->latency >= 1.0) {
			if (!slow)
				first_slow = e->t;
			slow++;
			if (e->latency > worst)
				worst = e->latency;
		}
	}
	if (replies >= 3 && slow * 2 > replies) {
		struct finding *f = fnd_add(out, F_SERVER_SLOW_REPLIES, first_slow);
		if (!f)
			return;
		fnd_summary(f, "%u of %u server replies came 1 s or more after their "
			   "command (worst %.3f s): a tarpit or resource "
			   "conservation mode.", slow, replies, worst);
		fnd_evidence(f, "%u slow replies, first at %+.3f s", slow,
			 fnd_rel(s, first_slow));
		f->remedy = "check the server's resource conservation / tarpit "
			    "settings and its load";
	}
}

/* The session's finding with that code among out->v[first..], or NULL. */
static struct finding *find_code(struct finding_list *out, size_t first,
				 enum finding_code code)
{
	for (size_t i = first; i < out->n; i++)
		if (out->v[i].code == code)
			return &out->v[i];
	return NULL;
}

/* A reply to MAIL or RCPT slower than --slow-reply, with the server's
 * lookups (of the envelope domains, typically SPF, MX and DMARC checks)
 * that were outstanding while the client waited.  When most replies are
 * slow (server.slow_replies) and no lookup explains this one, it is that
 * finding's cause told again: it goes there as evidence. */
void fnd_rule_slow_envelope(const struct session *s,
			       const struct fnd_config *c,
			       struct finding_list *out, size_t first)
{
	char cause[600];
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct tl_event *e = &s->ev[i];
		struct finding *f, *tarpit, probe;
		double from;
		if (e->kind != EV_REPLY || e->latency <= c->slow_reply ||
		    (e->cmd != SMTP_CMD_MAIL && e->cmd != SMTP_CMD_RCPT))
			continue;
		from = e->t - e->latency;
		memset(&probe, 0, sizeof(probe));
		fnd_explain_wait(s, from, e->t, &probe);
		tarpit = find_code(out, first, F_SERVER_SLOW_REPLIES);
		if (tarpit && !(probe.n_cause &&
				probe.explained_s >= e->latency / 2)) {
			fnd_evidence(tarpit, "the reply to %s came %.3f s after "
					 "the command (limit %.3f s), no lookup "
					 "of the server explains it",
				 fnd_verb_of(e), e->latency, c->slow_reply);
			return;
		}
		f = fnd_add(out, F_SMTP_SLOW_REPLY, from);
		if (!f)
			return;
		fnd_set_duration(f, e->latency);
		fnd_explain_wait(s, from, e->t, f);
		cause[0] = '\0';
		fnd_cause_sentence(s, f, e->latency, cause, sizeof(cause));
		fnd_summary(f, "The reply to %s came %.3f s after the command (limit "
			   "%.3f s); %s.", fnd_verb_of(e), e->latency, c->slow_reply,
			cause);
		fnd_evidence(f, "%s at %+.3f s, %d at %+.3f s", fnd_verb_of(e), fnd_rel(s, from),
			 e->code, fnd_rel(s, e->t));
		fnd_add_cause_evidence(s, f);
		f->remedy = f->n_cause && f->explained_s >= e->latency / 2
				    ? "check the resolver the server uses for its "
				      "sender/recipient checks (SPF, MX, DMARC)"
				    : "check the server's load, tarpit settings and "
				      "recipient verification";
		return; /* the first one tells the story; tarpits are below */
	}
}

