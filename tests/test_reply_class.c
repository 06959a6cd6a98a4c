/* test_reply_class.c - a reply line without a reply code, only an enhanced
 * status code (issue 10, item 9): its class is the verdict, for the
 * findings and the delivery outcome. */
#include <criterion/criterion.h>

#include <string.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

static struct session *deferred_after_dot(const char *text)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	tk_handshake(s, T0 + 0.001, T0 + 0.002);
	tk_greeting(s, T0 + 0.01, 220, "mx ESMTP");
	tk_command(s, T0 + 0.02, SMTP_CMD_DATA_END, ".", "");
	tk_reply(s, T0 + 0.03, SMTP_CMD_DATA_END, ".", T0 + 0.02, 0, text);
	s->fin_server = true;
	s->fin_server_t = T0 + 0.04;
	s->close = CLOSE_FIN;
	s->close_t = s->last = T0 + 0.05;
	return s;
}

Test(reply_class, deferral_without_code_is_a_reply_error)
{
	struct finding_list l = {0};
	struct session *s = deferred_after_dot(
		"4.7.0 [TS04] Messages from 192.0.2.10 temporarily deferred");
	const struct finding *f;

	cr_assert_eq(sess_reply_class(&s->ev[s->n_ev - 1]), 4);
	cr_assert_eq(dl_outcome_of(s), DL_TEMP_FAIL);
	findings_eval(s, &cfg, &l);
	f = tk_the(&l, F_SMTP_REPLY_ERROR);
	tk_assert_has(f->summary, "without a reply code");
	tk_assert_has(f->summary, "[TS04]");
	tk_assert_has(f->summary, "deferred: try again later");
	findings_clear(&l);
	sess_free(s);

	s = deferred_after_dot("2.0.0 queued as 1234");
	cr_assert_eq(dl_outcome_of(s), DL_DELIVERED);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_SMTP_REPLY_ERROR), 0);
	findings_clear(&l);
	sess_free(s);
}
