/* test_smtp_hold.c - the SMTP dissector between DATA (or XEXCH50) and its
 * reply: what the client sends before the 354 is the body if the 354
 * comes, commands if the server refuses, and is told at the end if no
 * reply ever comes.  Events only, as test_smtp.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testsess.h"

#define HOLD_BODY "Subject: hi\r\n\r\nbody\r\n"
#define HOLD_SESSION "DATA\r\n" HOLD_BODY ".\r\nQUIT\r\n"

Test(smtp_hold, data_without_354_left_unanswered)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	C(&s, "MAIL FROM:<a@b>\r\n");
	S(&s, "250 ok\r\n");
	C(&s, "DATA\r\n");
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 1);
	e = nth(&s.r, SMTP_EV_UNANSWERED, 0);
	cr_assert_eq(e->cmd, SMTP_CMD_DATA);
	cr_assert_str_eq(e->verb, "DATA");
	cr_assert_eq(e->cmd_ts, 4.0);
	cr_assert_eq(e->ts, 4.0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

Test(smtp_hold, data_refused_means_no_body_mode)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\n");
	S(&s, "554 5.5.1 Error: no valid recipients\r\n");
	C(&s, "QUIT\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 0);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
	/* message text sent anyway after the refusal is flagged */
	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\n");
	S(&s, "554 no\r\n");
	C(&s, "Subject: hi\r\n\r\nbody\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_UNKNOWN, "SUBJECT:",
		 "hi");
	sess_fini(&s);
}

/* The whole message right behind DATA: nothing is read until the reply;
 * the 354 makes it the body, and the 250 answers its dot, not a line.  Not
 * waiting for the 354 is told (once). */
Test(smtp_hold, body_before_354_is_the_body)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, HOLD_SESSION);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 0);
	S(&s, "354 go ahead\r\n250 2.0.0 Ok: queued\r\n221 bye\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 2);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_QUIT, "QUIT", "");
	/* the body's times are those of its bytes, not of the 354 */
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_START, 0)->ts, 2.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->ts, 2.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes,
		     strlen(HOLD_BODY));
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_DATA, 354,
		   "go ahead");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_DATA_END, 250,
		   "2.0.0 Ok: queued");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 3), SMTP_CMD_QUIT, 221, "bye");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 1);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->ts, 2.0);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	sess_fini(&s);
}

/* The same bytes refused (Postfix's reject_unauth_pipelining): the server
 * read every line as a command, and so does the dissector. */
Test(smtp_hold, body_before_refusal_is_commands)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, HOLD_SESSION);
	S(&s, "554 5.5.0 Error: SMTP protocol synchronization\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 6);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_UNKNOWN, "SUBJECT:",
		 "hi");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_UNKNOWN, "BODY", "");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 5), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(nth(&s.r, SMTP_EV_COMMAND, 5)->ts, 2.0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 1);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	S(&s, "502 5.5.2 Error: command not recognized\r\n"
	      "500 5.5.2 Error: bad syntax\r\n"
	      "502 5.5.2 Error: command not recognized\r\n"
	      "502 5.5.2 Error: command not recognized\r\n221 2.0.0 Bye\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 6), SMTP_CMD_QUIT, 221,
		   "2.0.0 Bye");
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	sess_fini(&s);
}

/* No reply ever: a body the server never agreed to is told once, at the
 * end, and never read as commands. */
Test(smtp_hold, body_never_answered_is_told_at_the_end)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\n" HOLD_BODY);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 1);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->ts, 2.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_UNANSWERED, 0)->cmd, SMTP_CMD_DATA);
	sess_fini(&s);
}

/* A client that waited in vain for the 354 and said QUIT: its QUIT is
 * part of the story, with its own time. */
Test(smtp_hold, quit_after_unanswered_data_is_a_command)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\n");
	C(&s, "QUIT\r\n");
	finish(&s);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(nth(&s.r, SMTP_EV_COMMAND, 1)->ts, 3.0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 2);
	cr_assert_eq(nth(&s.r, SMTP_EV_UNANSWERED, 1)->cmd, SMTP_CMD_QUIT);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

/* A partial line sent before the 354 counts as body once it comes. */
Test(smtp_hold, partial_line_before_354_counts_as_body)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\nSubj");
	S(&s, "354 go\r\n");
	C(&s, "ect: x\r\n.\r\nQUIT\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_START, 0)->ts, 2.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 12);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	sess_fini(&s);
}

/* More than SMTP_HOLD_MAX before any reply is a message: taken as the
 * body at once, said once; the 354 that follows changes nothing and the
 * 250 answers the dot. */
Test(smtp_hold, overflow_takes_the_body)
{
	char piece[1024];
	size_t k, n = 2 * SMTP_HOLD_MAX / sizeof(piece);
	struct sess s;

	memset(piece, 'x', sizeof(piece));
	piece[sizeof(piece) - 2] = '\r';
	piece[sizeof(piece) - 1] = '\n';
	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\n");
	for (k = 0; k < n; k++)
		feed(&s, SMTP_FROM_CLIENT, piece, sizeof(piece));
	C(&s, ".\r\nQUIT\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->ts, 3.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_START, 0)->ts, 3.0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, n * sizeof(piece));
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 2);
	S(&s, "354 go\r\n250 queued\r\n221 bye\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_DATA, 354, "go");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_DATA_END, 250,
		   "queued");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 3), SMTP_CMD_QUIT, 221, "bye");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 1);
	sess_fini(&s);
}

/* A hole in the held bytes falls where it fell: inside the body. */
Test(smtp_hold, gap_in_held_bytes_stays_in_place)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\nSubject: x\r\n");
	smtp_gap(s.st, SMTP_FROM_CLIENT, 100, 3.0, srec_emit, &s.r);
	s.ts = 3.0;
	C(&s, "more\r\n.\r\n");
	S(&s, "354 go\r\n250 ok\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 12 + 100 + 6);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_DATA_END, 250, "ok");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 1);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_DATA_NO_354), 1);
	sess_fini(&s);
}

/* Held commands that turn out to be commands may hold again; only the
 * body sent before its 354 is told. */
Test(smtp_hold, refused_data_then_a_second_data)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "DATA\r\nRSET\r\nDATA\r\nbody\r\n.\r\n");
	S(&s, "503 5.5.1 Error: need RCPT command\r\n250 ok\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 3);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_DATA, "DATA", "");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 0);
	S(&s, "354 go\r\n250 queued\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 6);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 4), SMTP_CMD_DATA_END, 250,
		   "queued");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->cmd, SMTP_CMD_DATA);
	sess_fini(&s);
}

/* XEXCH50's blob sent before its 354 is the blob once the 354 comes; if
 * the server does not know XEXCH50 the next line is a command. */
Test(smtp_hold, xexch50_blob_before_354)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "XEXCH50 8 2\r\nABCDEFGH");
	S(&s, "354 Send binary data\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_BLOB, 0)->bytes, 8);
	S(&s, "250 2.0.0 XEXCH50 OK\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_BLOB_END, 250,
		   "2.0.0 XEXCH50 OK");
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->cmd, SMTP_CMD_XEXCH50);
	sess_fini(&s);

	sess_init(&s);
	greet(&s);
	C(&s, "XEXCH50 8 2\r\nNOOP\r\n");
	S(&s, "500 5.3.3 Unrecognized command\r\n250 ok\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_BLOB), 0);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_NOOP, 250, "ok");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

/* However TCP cut the held bytes, the events are the same. */
Test(smtp_hold, split_everywhere)
{
	static const char *const server[] = {
		"354 go ahead\r\n250 queued\r\n221 bye\r\n",
		"554 5.5.0 Error: SMTP protocol synchronization\r\n",
	};

	for (size_t i = 0; i < 2; i++) {
		const char *c = "EHLO a\r\n" HOLD_SESSION;
		const struct schunk ch[] = {
			{SMTP_FROM_SERVER, (const uint8_t *)"220 mx\r\n", 8,
			 1.0, 0},
			{SMTP_FROM_CLIENT, (const uint8_t *)c, strlen(c), 2.0,
			 0},
			{SMTP_FROM_SERVER, (const uint8_t *)"250 mx\r\n", 8,
			 3.0, 0},
			{SMTP_FROM_SERVER, (const uint8_t *)server[i],
			 strlen(server[i]), 4.0, 0},
		};
		struct srec ref = {.merge_tls = true};

		srec_replay(ch, 4, SREC_NO_SPLIT, 0, false, &ref);
		cr_assert_eq(count_kind(&ref, SMTP_EV_DATA_START), i == 0);
		srec_check_splits(ch, 4, &ref, i ? "refused" : "accepted");
		srec_free(&ref);
	}
}

/* ---- the server's packets not captured (smtp_unseen) ---- */

static void unseen_session(struct sess *s)
{
	sess_init(s);
	smtp_unseen(s->st, SMTP_FROM_SERVER);
	C(s, "EHLO a\r\nMAIL FROM:<a@b>\r\n");
}

/* The client's own bytes decide: a line after DATA that is no command is
 * the body; nothing waits for a reply, so nothing is unanswered. */
Test(smtp_hold, server_unseen_body_follows_data)
{
	struct sess s;

	unseen_session(&s);
	C(&s, "DATA\r\n");
	C(&s, HOLD_BODY ".\r\nMAIL FROM:<a@b>\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, strlen(HOLD_BODY));
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_START, 0)->ts, 3.0);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

/* A DATA the server refused: the client says RSET, a command. */
Test(smtp_hold, server_unseen_refused_data_then_rset)
{
	struct sess s;

	unseen_session(&s);
	C(&s, "DATA\r\nRS");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 3);
	C(&s, "ET\r\nQUIT\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_RSET, "RSET", "");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 4), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 0);
	sess_fini(&s);
}

/* STARTTLS followed by a TLS handshake record is TLS; followed by a
 * command it was refused. */
Test(smtp_hold, server_unseen_starttls)
{
	static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x05,
					1,    0,    0,    1,    0};
	struct sess s;

	unseen_session(&s);
	C(&s, "STARTTLS\r\n");
	feed(&s, SMTP_FROM_CLIENT, hello, sizeof(hello));
	cr_assert_eq(nth(&s.r, SMTP_EV_TLS, 0)->bytes, sizeof(hello));
	cr_assert(t_is_tls(s.st));
	sess_fini(&s);

	unseen_session(&s);
	C(&s, "STARTTLS\r\nQUIT\r\n");
	cr_assert_not(t_is_tls(s.st));
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_QUIT, "QUIT", "");
	sess_fini(&s);
}

/* AUTH LOGIN's answers to the unseen 334s are credentials: hidden. */
Test(smtp_hold, server_unseen_auth_lines_hidden)
{
	struct sess s;

	unseen_session(&s);
	C(&s, "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nMAIL FROM:<a@b>\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 6);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_AUTH_DATA,
		 "AUTH-DATA", "***");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 4), SMTP_CMD_AUTH_DATA,
		 "AUTH-DATA", "***");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 5), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	cr_assert_not(rec_mentions(&s.r, "dXNlcg"));
	sess_fini(&s);
}

/* The client's packets not captured: replies answer nothing, quietly. */
Test(smtp_hold, client_unseen_replies_are_not_unsolicited)
{
	struct sess s;

	sess_init(&s);
	smtp_unseen(s.st, SMTP_FROM_CLIENT);
	S(&s, "220 mx\r\n250 ok\r\n354 go\r\n250 queued\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 4);
	cr_assert(nth(&s.r, SMTP_EV_REPLY, 0)->greeting);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

/* Port 465: TLS from the first byte, both ways; nothing is a command. */
Test(smtp_hold, implicit_tls_from_the_first_byte)
{
	struct sess s;

	sess_init(&s);
	smtp_implicit_tls(s.st);
	C(&s, "\x16\x03\x01 EHLO lookalike\r\n");
	S(&s, "220 lookalike\r\n");
	cr_assert(t_is_tls(s.st));
	cr_assert_eq(count_kind(&s.r, SMTP_EV_TLS), 2);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 0);
	sess_fini(&s);
}

/* A shared budget bounds what all parsers hold: past it a hold is taken
 * as the body at once; what is re-read or dropped is given back. */
Test(smtp_hold, shared_budget_bounds_the_holds)
{
	struct smtp_budget b = {0, 40};
	struct sess s, t;

	sess_init(&s);
	sess_init(&t);
	smtp_set_budget(s.st, &b);
	smtp_set_budget(t.st, &b);
	greet(&s);
	greet(&t);
	C(&s, "DATA\r\n" HOLD_BODY); /* 21 bytes held */
	cr_assert_eq(b.used, strlen(HOLD_BODY));
	C(&t, "DATA\r\n" HOLD_BODY); /* would pass 40: the body at once */
	cr_assert_eq(b.used, strlen(HOLD_BODY));
	cr_assert_eq(count_kind(&t.r, SMTP_EV_DATA_START), 1);
	cr_assert_eq(count_anom(&t.r, SMTP_ANOM_DATA_NO_354), 1);
	S(&s, "354 go\r\n");
	cr_assert_eq(b.used, 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 1);
	C(&t, ".\r\nDATA\r\nx");
	cr_assert_eq(b.used, 1);
	smtp_reset(t.st);
	cr_assert_eq(b.used, 0, "a reset session gives its share back");
	sess_fini(&s);
	sess_fini(&t);
}

/* The server unseen, a client sending DATA lines without end: each DATA
 * holds what follows, and each hold is decided in a loop, not by
 * recursion (thousands of them in one segment must not grow the stack). */
Test(smtp_hold, server_unseen_data_lines_without_end)
{
	size_t k, n = 2000; /* 12 KB: under SMTP_HOLD_MAX */
	char *buf = malloc(n * 6 + 1);
	struct sess s;

	cr_assert_not_null(buf);
	for (k = 0; k < n; k++)
		memcpy(buf + 6 * k, "DATA\r\n", 6);
	unseen_session(&s);
	C(&s, "DATA\r\n");
	feed(&s, SMTP_FROM_CLIENT, buf, n * 6);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 3 + n);
	finish(&s);
	sess_fini(&s);
	free(buf);
}
