/* test_findings_stall.c - a server that never answers DATA, the dot,
 * XEXCH50 or its blob stalls the message however short the silence was
 * when the client (or the server) ended the session; the QUIT the client
 * sent into that silence is part of the stall; --stall still bounds the
 * other commands and a silence the capture cut (issue 10). */
#include <criterion/criterion.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0
#define ACK_T (T0 + 0.1)

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

/* Greeting, then `cmd` at T0 + 1 never answered, the client's QUIT
 * (unanswered) at T0 + 11 and its FIN at T0 + 12 (close: how). */
static struct session *stalled(enum smtp_cmd cmd, const char *verb,
			       enum sess_close how)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	tk_handshake(s, T0 + 0.05, ACK_T);
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	tk_unanswered(s, T0 + 1, cmd, verb);
	tk_unanswered(s, T0 + 11, SMTP_CMD_QUIT, "QUIT");
	s->fin_client = how == CLOSE_FIN;
	s->fin_client_t = T0 + 12;
	s->close = how;
	s->close_t = s->last = T0 + 12;
	return s;
}

Test(findings_stall, a_dot_the_client_gave_up_on_is_a_stall)
{
	struct finding_list l = {0};
	struct session *s = stalled(SMTP_CMD_DATA_END, ".", CLOSE_FIN);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_STALL_DATA), 1, "11 s of silence, under --stall");
	cr_assert_eq(tk_count(&l, F_STALL_COMMAND), 0, "the QUIT is part of it");
	cr_assert_float_eq(l.v[0].duration, 11, 1e-6);
	cr_assert_eq(l.v[0].n_evidence, 2);
	tk_assert_has(l.v[0].evidence[1], "the client sent QUIT at +11.000 s "
					  "(unanswered), then closed the "
					  "connection at +12.000 s");
	findings_clear(&l);
	sess_free(s);
}

Test(findings_stall, an_xexch50_blob_reset_by_the_client)
{
	struct finding_list l = {0};
	struct session *s = stalled(SMTP_CMD_BLOB_END, "XEXCH50-BLOB",
				    CLOSE_RST_CLIENT);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_STALL_XEXCH50), 1);
	tk_assert_has(l.v[0].evidence[1], "then reset the connection");
	findings_clear(&l);
	sess_free(s);
}

Test(findings_stall, other_commands_and_cut_captures_keep_the_limit)
{
	struct finding_list l = {0};
	struct session *s = stalled(SMTP_CMD_RCPT, "RCPT", CLOSE_FIN);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(l.n, 0, "RCPT and QUIT silent 11 s and 1 s: under --stall");
	findings_clear(&l);
	sess_free(s);

	s = stalled(SMTP_CMD_DATA_END, ".", CLOSE_CAPTURE_END);
	s->fin_client = false;
	findings_eval(s, &cfg, &l);
	cr_assert_eq(l.n, 0, "the capture cut the silence at 11 s");
	findings_clear(&l);
	sess_free(s);
}

/* The message's fate is unknown to the sender, which will retry: the
 * attempt was cut short, not left with a plain QUIT. */
Test(findings_stall, a_stalled_message_then_quit_is_cut_short)
{
	struct session *s = stalled(SMTP_CMD_DATA_END, ".", CLOSE_FIN);
	tk_command(s, T0 + 11, SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(dl_outcome_of(s), DL_CUT_SHORT);
	sess_free(s);
	s = stalled(SMTP_CMD_RSET, "RSET", CLOSE_FIN);
	tk_command(s, T0 + 11, SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(dl_outcome_of(s), DL_QUIT);
	sess_free(s);
}
