/* test_session.c - the session record's HELO name: the last one the
 * server did not refuse (issue 10: a 501 to a bare EHLO erased it). */
#include <criterion/criterion.h>

#include "model/session.h"
#include "testkit.h"

#define T0 1700000000.0

static struct session *greeted(void)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	tk_handshake(s, T0 + 0.001, T0 + 0.002);
	tk_greeting(s, T0 + 0.01, 220, "mx1.example.org ESMTP");
	return s;
}

static void helo(struct session *s, double t, const char *args, int code)
{
	tk_command(s, t, SMTP_CMD_EHLO, "EHLO", args);
	if (code)
		tk_reply(s, t + 0.001, SMTP_CMD_EHLO, "EHLO", t, code,
			 code < 400 ? "mx1.example.org" : "Syntax: EHLO hostname");
}

Test(session, a_refused_ehlo_keeps_the_accepted_name)
{
	struct session *s = greeted();
	helo(s, T0 + 0.02, "mail.sender.example", 250);
	helo(s, T0 + 0.03, "", 501);
	cr_assert_str_eq(s->helo, "mail.sender.example");
	/* and a next one the server takes replaces it */
	helo(s, T0 + 0.04, "other.sender.example", 250);
	cr_assert_str_eq(s->helo, "other.sender.example");
	helo(s, T0 + 0.05, "bad..name", 550);
	cr_assert_str_eq(s->helo, "other.sender.example");
	sess_free(s);
}

Test(session, no_name_accepted_yet_means_none)
{
	struct session *s = greeted();
	helo(s, T0 + 0.02, "", 501);
	cr_assert_null(s->helo);
	helo(s, T0 + 0.03, "mail.sender.example", 250);
	cr_assert_str_eq(s->helo, "mail.sender.example");
	sess_free(s);
}

Test(session, an_unanswered_name_counts)
{
	/* the reply never seen (a stall, a capture that stops): the name the
	 * client gave is all there is */
	struct session *s = greeted();
	helo(s, T0 + 0.02, "mail.sender.example", 250);
	helo(s, T0 + 0.03, "again.sender.example", 0);
	cr_assert_str_eq(s->helo, "again.sender.example");
	sess_free(s);
}

Test(session, helo_buffers_survive_reuse)
{
	/* a record cleared for the next session keeps both buffers and
	 * starts with no name */
	struct session *s = greeted();
	helo(s, T0 + 0.02, "first.sender.example", 250);
	helo(s, T0 + 0.03, "second.sender.example", 250);
	sess_clear(s);
	cr_assert_null(s->helo);
	cr_assert_not_null(s->helo_buf);
	cr_assert_not_null(s->helo_prev_buf);
	tk_greeting(s, T0 + 1, 220, "mx1.example.org ESMTP");
	helo(s, T0 + 1.01, "", 501);
	cr_assert_null(s->helo);
	sess_free(s);
}
