/* test_delivery_outcome.c - unit tests for the outcome delivery.c records
 * for each attempt of an MX delivery group (dl_outcome_of): no answer,
 * refused, no banner, a rejecting greeting, 4xx and 5xx to MAIL, a
 * delivery, a 550 to RCPT (the recipient's problem, not the host's), a
 * session cut short; their names; and a temporary failure followed by a
 * failover.  Sessions and attempts are built with testdl.h.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "testdl.h" /* the fixture: lookups, attempts, outcomes */

/* ---- outcomes ------------------------------------------------------------- */

static void expect_outcome(struct session *s, enum dl_outcome want,
			   const char *name)
{
	enum dl_outcome got = dl_outcome_of(s);
	cr_expect_eq(got, want, "outcome %s, want %s", dl_outcome_name(got),
		     dl_outcome_name(want));
	cr_expect_str_eq(dl_outcome_name(want), name);
	ended(s);
}

Test(delivery, outcome_of_tcp_failures)
{
	struct session *s = bare();
	unanswered(s);
	expect_outcome(s, DL_NO_ANSWER, "no_answer");
	s = bare();
	refused(s);
	expect_outcome(s, DL_REFUSED, "refused");
}

Test(delivery, outcome_of_no_banner)
{
	struct session *s = bare();
	handshake(s);
	expect_outcome(s, DL_IN_PROGRESS, "in_progress"); /* still waiting */
	s = bare();
	no_banner(s);
	expect_outcome(s, DL_NO_BANNER, "no_banner");
	/* the client's FIN alone already decides (the session is closing) */
	s = bare();
	handshake(s);
	s->fin_client = true;
	s->fin_client_t = s->ack_t + 20;
	expect_outcome(s, DL_NO_BANNER, "no_banner");
	/* the server resets after the handshake */
	s = bare();
	handshake(s);
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->ack_t + 1;
	expect_outcome(s, DL_NO_BANNER, "no_banner");
}

Test(delivery, outcome_of_a_rejecting_greeting)
{
	struct session *s = bare();
	handshake(s);
	greeting(s, 554, "5.7.1 mx1.example.org: no SMTP service here");
	close_fin_server_first(s);
	expect_outcome(s, DL_REJECTED, "rejected_at_banner");
	s = bare();
	handshake(s);
	greeting(s, 421, "4.3.2 Service not available");
	expect_outcome(s, DL_REJECTED, "rejected_at_banner");
}

Test(delivery, outcome_of_a_4xx_to_mail)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 451, "4.3.0 Temporary lookup failure");
	quit(s, 221, "Bye");
	close_fin_server_first(s);
	expect_outcome(s, DL_TEMP_FAIL, "temporary_failure");
}

Test(delivery, outcome_of_a_5xx_to_mail)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 553, "5.7.1 Sender rejected");
	close_fin_server_first(s);
	expect_outcome(s, DL_PERM_FAIL, "permanent_failure");
}

Test(delivery, outcome_of_a_delivery)
{
	struct session *s = bare();
	delivered(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
	/* decided at the 250 to the dot, before the session ends */
	s = bare();
	up_to_rcpt(s, 250);
	data(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
	/* a 5xx to an earlier command (EHLO) that the client got past */
	s = bare();
	greet(s);
	ehlo(s, 500, "5.5.1 Command unrecognized");
	exchange(s, SMTP_CMD_HELO, "HELO", "mail.sender.example", 250, "ok");
	mail(s, 250, "ok");
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<bob@example.org>", 250, "ok");
	data(s);
	close_fin_server_first(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
}

Test(delivery, outcome_of_a_550_to_rcpt_is_not_a_host_failure)
{
	struct session *s = bare();
	enum dl_outcome o;
	rcpt_refused_then_quit(s);
	o = dl_outcome_of(s);
	cr_assert_neq(o, DL_PERM_FAIL, "a 5xx to RCPT is that recipient's");
	cr_assert_neq(o, DL_TEMP_FAIL);
	cr_assert_neq(o, DL_DELIVERED);
	ended(s);

	/* one recipient refused, another accepted and delivered */
	s = bare();
	up_to_rcpt(s, 550);
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<carol@example.org>", 250, "ok");
	data(s);
	close_fin_server_first(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
}

Test(delivery, outcome_of_a_session_cut_short)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	expect_outcome(s, DL_IN_PROGRESS, "in_progress");

	s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 250, "ok");
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->last + 1;
	expect_outcome(s, DL_CUT_SHORT, "cut_short");

	/* a 4xx to QUIT does not make a failure of the session: the client
	 * ended it without delivering */
	s = bare();
	greet(s);
	quit(s, 421, "closing");
	close_fin_server_first(s);
	expect_outcome(s, DL_QUIT, "quit_without_delivery");
}

Test(delivery, outcome_and_verdict_names)
{
	cr_assert_str_eq(dl_outcome_name(DL_IN_PROGRESS), "in_progress");
	cr_assert_str_eq(dl_outcome_name(DL_CUT_SHORT), "cut_short");
	cr_assert_str_eq(mx_verdict_name(MXV_NONE), "none");
	cr_assert_str_eq(mx_verdict_name(MXV_FAILOVER), "failover");
	cr_assert_str_eq(mx_verdict_name(MXV_NO_FAILOVER), "no_failover");
}

/* After a 4xx to MAIL, moving on is a failover; after a 5xx to MAIL (a
 * permanent answer) coming back is not judged. */
Test(delivery, temporary_failure_then_failover_permanent_failure_no_verdict)
{
	struct fx f;
	struct dns_tx *mx, *a1;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a1);
	greet(s1);
	mail(s1, 451, "4.3.0 try again later");
	close_fin_server_first(s1);
	s2 = attempt(&f, CLIENT, MX2_IP, T0 + 10, mx,
		     a_lookup(&f, CLIENT, MX2, MX2_IP, T0 + 9.9));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	tk_assert_has(mx_words(s2, 0), "4xx");
	ended(s1);
	ended(s2);

	s1 = attempt(&f, CLIENT, MX1_IP, T0 + 100, mx, a1);
	greet(s1);
	mail(s1, 553, "5.7.1 rejected");
	close_fin_server_first(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 110, mx, a1);
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}
