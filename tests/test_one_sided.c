/* test_one_sided.c - a session of which the capture holds one side only
 * (issue 10, item 3): no finding that rests on the side not captured, and
 * a delivery outcome of "unknown" instead of a failure. */
#include <criterion/criterion.h>

#include <string.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

/* The client's side of a delivery: SYN, its ACK of the unseen SYN-ACK,
 * EHLO .. DATA and a body whose dot was never answered as far as the
 * capture can tell, then FIN. */
static struct session *client_side(enum one_sided o)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	s->syns = 1;
	s->syn_t = T0;
	s->has_ack = true;
	s->ack_t = T0 + 0.01;
	tk_command(s, T0 + 0.05, SMTP_CMD_EHLO, "EHLO", "mail.sender.example");
	tk_command(s, T0 + 0.06, SMTP_CMD_DATA, "DATA", "");
	tk_unanswered(s, T0 + 0.06, SMTP_CMD_DATA, "DATA");
	s->fin_client = true;
	s->fin_client_t = T0 + 0.2;
	s->close = CLOSE_CAPTURE_END;
	s->close_t = s->last = T0 + 0.2;
	s->one_sided = (uint8_t)o;
	return s;
}

static size_t eval_n(struct session *s, struct finding_list *l)
{
	memset(l, 0, sizeof(*l));
	findings_eval(s, &cfg, l);
	return l->n;
}

/* The same facts read as two-sided give the errors only the server's
 * packets could support; read as client-only they give none. */
Test(one_sided, client_only_gets_no_server_finding)
{
	struct finding_list l;
	struct session *s = client_side(ONE_SIDED_NONE);

	cr_assert_gt(eval_n(s, &l), 0);
	cr_assert_eq(tk_count(&l, F_TCP_NO_ANSWER), 1);
	findings_clear(&l);
	sess_free(s);

	s = client_side(ONE_SIDED_CLIENT_ONLY);
	cr_assert_eq(eval_n(s, &l), 0, "%zu findings, the first %s", l.n,
		     l.n ? finding_code_name(l.v[0].code) : "");
	findings_clear(&l);
	cr_assert_eq(dl_outcome_of(s), DL_UNKNOWN);
	cr_assert_str_eq(dl_outcome_name(DL_UNKNOWN), "unknown");
	sess_free(s);
}

/* The server's side only: a 5xx it sent is evidence (it rests on the
 * server's packets); a stall needs the client's as well. */
Test(one_sided, server_only_keeps_server_findings)
{
	struct finding_list l;
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);

	tk_handshake(s, T0 + 0.001, T0 + 0.002);
	tk_greeting(s, T0 + 0.01, 220, "mx ESMTP");
	tk_command(s, T0 + 0.02, SMTP_CMD_MAIL, "MAIL", "FROM:<a@b.example>");
	tk_reply(s, T0 + 0.03, SMTP_CMD_MAIL, "MAIL", T0 + 0.02, 550,
		 "5.7.1 no");
	tk_command(s, T0 + 0.04, SMTP_CMD_QUIT, "QUIT", "");
	tk_unanswered(s, T0 + 0.04, SMTP_CMD_QUIT, "QUIT");
	s->close = CLOSE_FIN;
	s->close_t = s->last = T0 + 60;
	s->one_sided = ONE_SIDED_SERVER_ONLY;
	eval_n(s, &l);
	cr_assert_eq(tk_count(&l, F_SMTP_REPLY_ERROR), 1);
	cr_assert_eq(tk_count(&l, F_STALL_COMMAND), 0);
	findings_clear(&l);
	s->one_sided = ONE_SIDED_NONE;
	eval_n(s, &l);
	cr_assert_eq(tk_count(&l, F_STALL_COMMAND), 1);
	findings_clear(&l);
	sess_free(s);
}
