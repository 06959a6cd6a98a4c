/* test_smtp.c - unit tests for the SMTP dissector (RFC 5321, 2920): the
 * greeting, EHLO and pipelined commands, DATA and dot-stuffing, how lines
 * are split and capped, replies (multi-line, unsolicited, over the text
 * cap, never ended), and a second transaction after RSET.  Every test
 * feeds bytes and asserts on the events emitted, never on the dissector's
 * internals.  AUTH, XEXCH50, BDAT and STARTTLS are in test_smtp_ext.c, the
 * "split everywhere" replays in test_smtp_split.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsess.h" /* one session fed by hand; the recorder */

/* ---- basics ---- */

Test(smtp, greeting)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	cr_assert_eq(s.r.n, 1);
	e = &s.r.ev[0];
	want_reply(e, SMTP_CMD_NONE, 220, "mx.example.org ESMTP");
	cr_assert(e->greeting);
	cr_assert_str_eq(e->verb, "");
	cr_assert_eq(e->lines, 1);
	cr_assert_eq(e->ts, 1.0);
	C(&s, "NOOP\r\n");
	S(&s, "250 ok\r\n");
	e = nth(&s.r, SMTP_EV_REPLY, 1);
	want_reply(e, SMTP_CMD_NOOP, 250, "ok");
	cr_assert_not(e->greeting);
	cr_assert_eq(e->cmd_ts, 2.0);
	cr_assert_eq(e->ts, 3.0);
	sess_fini(&s);
}

Test(smtp, ehlo_multiline_keywords)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	C(&s, "EHLO client.example.org\r\n");
	S(&s, "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	      "250-starttls\r\n250 8BITMIME\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_EHLO, "EHLO",
		 "client.example.org");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 2);
	e = nth(&s.r, SMTP_EV_REPLY, 1);
	want_reply(e, SMTP_CMD_EHLO, 250,
		   "mx.example.org\nPIPELINING\nSIZE 10240000\nstarttls\n"
		   "8BITMIME");
	cr_assert_eq(e->lines, 5);
	cr_assert_not(t_is_tls(s.st));
	sess_fini(&s);
}

Test(smtp, pipelined_commands_get_their_own_replies)
{
	static const enum smtp_cmd cmds[] = {SMTP_CMD_MAIL, SMTP_CMD_RCPT,
		SMTP_CMD_RCPT, SMTP_CMD_RCPT, SMTP_CMD_DATA};
	static const int codes[] = {250, 251, 550, 252, 354};
	struct sess s;
	const struct srec_ev *e;
	size_t i;

	sess_init(&s);
	greet(&s);
	C(&s, "MAIL FROM:<a@example.org> SIZE=100\r\n"
	      "RCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n"
	      "RCPT TO:<d@example.net>\r\nDATA\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 5);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@example.org> SIZE=100");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_RCPT, "RCPT",
		 "TO:<c@example.net>");
	S(&s, "250 2.1.0 Ok\r\n251 2.1.5 b\r\n550 5.1.1 c unknown\r\n"
	      "252 2.1.5 d\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 6);
	for (i = 0; i < 5; i++) {
		e = nth(&s.r, SMTP_EV_REPLY, i + 1);
		cr_assert_eq(e->cmd, cmds[i], "reply %zu", i);
		cr_assert_eq(e->code, codes[i], "reply %zu", i);
		cr_assert_eq(e->cmd_ts, 2.0);
		cr_assert_eq(e->ts, 3.0);
	}
	cr_assert_str_eq(nth(&s.r, SMTP_EV_REPLY, 3)->text, "5.1.1 c unknown");
	/* and the 354 put the client into body mode */
	C(&s, "QUIT\r\n.\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 5);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 6);
	sess_fini(&s);
}

/* ---- DATA ---- */

Test(smtp, data_body_dot_stuffing_and_quit_in_same_chunk)
{
	const char *body = "Subject: test\r\n\r\n..leading dot\r\n..\r\n"
			   ".x\r\nQUIT\r\nend\r\n";
	char buf[256];
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	to_354(&s);
	snprintf(buf, sizeof(buf), "%s.\r\nQUIT\r\n", body);
	C(&s, buf);
	e = nth(&s.r, SMTP_EV_DATA_START, 0);
	cr_assert_eq(e->ts, 4.0);
	e = nth(&s.r, SMTP_EV_DATA_END, 0);
	cr_assert_eq(e->bytes, strlen(body));
	cr_assert_eq(e->cmd, SMTP_CMD_DATA_END);
	cr_assert_str_eq(e->verb, ".");
	/* MAIL RCPT DATA QUIT: nothing from the body was taken as a command */
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 4);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert(&s.r.ev[s.r.n - 1] == nth(&s.r, SMTP_EV_COMMAND, 3));
	S(&s, "250 2.0.0 Ok: queued as 4F1\r\n221 2.0.0 Bye\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 4), SMTP_CMD_DATA_END, 250,
		   "2.0.0 Ok: queued as 4F1");
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 4)->cmd_ts, 4.0);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 5), SMTP_CMD_QUIT, 221,
		   "2.0.0 Bye");
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

Test(smtp, data_empty_body)
{
	struct sess s;

	sess_init(&s);
	to_354(&s);
	C(&s, ".");
	C(&s, "\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_START), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_START, 0)->bytes, 0);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 0);
	/* DATA_END carries the time of the segment holding the dot */
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->ts, 4.0);
	S(&s, "250 ok\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 4), SMTP_CMD_DATA_END, 250, "ok");
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 4)->cmd_ts, 4.0);
	sess_fini(&s);
}

/* The final "\r\n.\r\n" cut in every combination of its 6 boundaries. */
Test(smtp, data_end_dot_split_every_way)
{
	static const char pre[] = "line1\r\n..\r\nline2";
	static const char tail[] = "\r\n.\r\nQUIT\r\n";
	char all[64];
	size_t base = strlen(pre), len, mask, i, from;
	struct sess s;

	len = (size_t)snprintf(all, sizeof(all), "%s%s", pre, tail);
	for (mask = 0; mask < 64; mask++) {
		sess_init(&s);
		to_354(&s);
		from = 0;
		for (i = 0; i < 6; i++) {
			if (!(mask & ((size_t)1 << i)) || base + i == from)
				continue;
			feed(&s, SMTP_FROM_CLIENT, all + from, base + i - from);
			from = base + i;
		}
		feed(&s, SMTP_FROM_CLIENT, all + from, len - from);
		cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_END), 1, "mask %zu",
			     mask);
		cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, base + 2,
			     "mask %zu", mask);
		want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_QUIT, "QUIT",
			 "");
		cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 4);
		cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
		sess_fini(&s);
	}
}

/* ---- line splitting ---- */

Test(smtp, bare_lf_lines_reported_once_per_direction)
{
	struct sess s;

	sess_init(&s);
	S(&s, "220 mx\n");
	C(&s, "EHLO a\nMAIL FROM:<a@b>\n");
	S(&s, "250 ok\n250 ok\n");
	cr_assert(nth(&s.r, SMTP_EV_REPLY, 0)->greeting);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_EHLO, "EHLO", "a");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_MAIL, 250, "ok");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BARE_LF), 2);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->dir, SMTP_FROM_SERVER);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 1)->dir, SMTP_FROM_CLIENT);
	C(&s, "DATA\n");
	S(&s, "354 go\n");
	C(&s, "a\nb\n.\nQUIT\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 4);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BARE_LF), 2);
	sess_fini(&s);
}

Test(smtp, bare_lf_in_body_and_mixed_dot_forms)
{
	static const char *const ends[] = {"x\r\n.\n", "x\n.\r\n", "x\n.\n"};
	struct sess s;
	size_t i;

	for (i = 0; i < 3; i++) {
		sess_init(&s);
		to_354(&s);
		C(&s, ends[i]);
		cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_END), 1, "%zu", i);
		cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes,
			     i == 0 ? 3 : 2);
		cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BARE_LF), 1);
		sess_fini(&s);
	}
}

/* Only a line that is exactly "." ends the body, whatever the line end. */
Test(smtp, data_dot_lines_that_do_not_end)
{
	struct sess s;

	sess_init(&s);
	to_354(&s);
	C(&s, "..\n.y\n.\r.\r\n\r.\r\n.\rx.\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_END), 0);
	C(&s, ".\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 21);
	sess_fini(&s);
}

static void long_line_then_noop(size_t piece)
{
	size_t n = 10000, len, off, k;
	char *buf = malloc(n + 16);
	struct sess s;

	cr_assert_not_null(buf);
	memset(buf, 'A', n);
	memcpy(buf + n, "\r\nNOOP\r\n", 8);
	len = n + 8;
	sess_init(&s);
	greet(&s);
	for (off = 0; off < len; off += k) {
		k = len - off < piece ? len - off : piece;
		feed(&s, SMTP_FROM_CLIENT, buf + off, k);
	}
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_LINE_TOO_LONG), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->dir, SMTP_FROM_CLIENT);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->ts, 2.0);
	/* the head of the long line still counts as one (unknown) command,
	 * so that the server's complaint about it pairs with it */
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 2);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_UNKNOWN,
		 "AAAAAAAAAAAAAAAA", "");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_NOOP, "NOOP", "");
	S(&s, "500 5.5.2 Error: line too long\r\n250 ok\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_UNKNOWN, 500,
		   "5.5.2 Error: line too long");
	cr_assert_str_eq(nth(&s.r, SMTP_EV_REPLY, 1)->verb, "AAAAAAAAAAAAAAAA");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_NOOP, 250, "ok");
	sess_fini(&s);
	free(buf);
}

Test(smtp, overlong_line_discarded_then_resume)
{
	long_line_then_noop(100000);
	long_line_then_noop(1000);
	long_line_then_noop(7);
}

Test(smtp, line_max_boundary)
{
	char buf[SMTP_LINE_MAX + 8];
	struct sess s;

	/* exactly SMTP_LINE_MAX bytes, CRLF included: fits */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "NOOP ", 5);
	memcpy(buf + SMTP_LINE_MAX - 2, "\r\n", 2);
	sess_init(&s);
	feed(&s, SMTP_FROM_CLIENT, buf, SMTP_LINE_MAX);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	cr_assert_eq(nth(&s.r, SMTP_EV_COMMAND, 0)->cmd, SMTP_CMD_NOOP);
	cr_assert_eq(strlen(nth(&s.r, SMTP_EV_COMMAND, 0)->args),
		     SMTP_ARGS_MAX - 1);
	sess_fini(&s);
	/* one more byte: too long */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "NOOP ", 5);
	memcpy(buf + SMTP_LINE_MAX - 1, "\r\n", 2);
	sess_init(&s);
	feed(&s, SMTP_FROM_CLIENT, buf, SMTP_LINE_MAX + 1);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_LINE_TOO_LONG), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_COMMAND, 0)->cmd, SMTP_CMD_NOOP);
	sess_fini(&s);
}

/* An over-long reply line keeps its code, so the reply stays whole. */
Test(smtp, overlong_reply_line)
{
	char buf[6000];
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	C(&s, "EHLO c\r\n");
	memset(buf, 'k', sizeof(buf));
	memcpy(buf, "250-mx\r\n250-", 12);
	memcpy(buf + sizeof(buf) - 25, "\r\n250 PIPELINING\r\n", 19);
	feed(&s, SMTP_FROM_SERVER, buf, sizeof(buf) - 6);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_LINE_TOO_LONG), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->dir, SMTP_FROM_SERVER);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 2);
	e = nth(&s.r, SMTP_EV_REPLY, 1);
	cr_assert_eq(e->cmd, SMTP_CMD_EHLO);
	cr_assert_eq(e->lines, 3);
	sess_fini(&s);
}

Test(smtp, verbs_nul_and_unknown)
{
	static const char cmd[] = "NOOP a\0b\r\n";
	struct sess s;

	sess_init(&s);
	feed(&s, SMTP_FROM_CLIENT, cmd, sizeof(cmd) - 1);
	C(&s, "mail from:<x@y>\r\n");
	C(&s, "xyzzy-very-long-verb-name arg one\r\n");
	C(&s, "\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_NOOP, "NOOP", "a?b");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_MAIL, "MAIL",
		 "from:<x@y>");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_UNKNOWN,
		 "XYZZY-VERY-LONG-", "arg one");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_UNKNOWN, "", "");
	sess_fini(&s);
}

/* Arguments at and around the SMTP_ARGS_MAX cap, AUTH included. */
Test(smtp, args_cap)
{
	char line[SMTP_ARGS_MAX + 64];
	const char *args;
	struct sess s;

	sess_init(&s);
	memcpy(line, "VRFY ", 5);
	memset(line + 5, 'v', SMTP_ARGS_MAX);
	memcpy(line + 5 + SMTP_ARGS_MAX, "\r\n", 2);
	feed(&s, SMTP_FROM_CLIENT, line, SMTP_ARGS_MAX + 7);
	cr_assert_eq(strlen(nth(&s.r, SMTP_EV_COMMAND, 0)->args),
		     SMTP_ARGS_MAX - 1);
	/* a huge mechanism name pushes the payload to the cap: the payload
	 * must still be hidden and the args stay within the cap */
	memcpy(line, "AUTH ", 5);
	memset(line + 5, 'M', SMTP_ARGS_MAX - 3);
	memcpy(line + SMTP_ARGS_MAX + 2, " c2VjcmV0\r\n", 11);
	feed(&s, SMTP_FROM_CLIENT, line, SMTP_ARGS_MAX + 13);
	args = nth(&s.r, SMTP_EV_COMMAND, 1)->args;
	cr_assert_leq(strlen(args), SMTP_ARGS_MAX - 1);
	cr_assert_str_eq(args + strlen(args) - 4, " ***");
	cr_assert_not(rec_mentions(&s.r, "c2"));
	sess_fini(&s);
}

/* ---- replies ---- */

Test(smtp, multiline_reply_code_mismatch_and_first_line_ts)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	C(&s, "EHLO x\r\n");
	S(&s, "250-first\r\n");
	S(&s, "251-second\r\n2");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 1);
	S(&s, "50 third\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_CODE_MISMATCH), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 2);
	e = nth(&s.r, SMTP_EV_REPLY, 1);
	want_reply(e, SMTP_CMD_EHLO, 250, "first\nsecond\nthird");
	cr_assert_eq(e->lines, 3);
	cr_assert_eq(e->ts, 3.0);
	cr_assert_eq(e->cmd_ts, 2.0);
	sess_fini(&s);
}

Test(smtp, reply_text_capped)
{
	char buf[3 * 700 + 16];
	struct sess s;
	size_t i;

	sess_init(&s);
	greet(&s);
	C(&s, "HELP\r\n");
	for (i = 0; i < 3; i++) {
		memcpy(buf + i * 700, "214-", 4);
		memset(buf + i * 700 + 4, 'h', 694);
		memcpy(buf + i * 700 + 698, "\r\n", 2);
	}
	memcpy(buf + 2100, "214 end\r\n", 9);
	feed(&s, SMTP_FROM_SERVER, buf, 2109);
	cr_assert_eq(strlen(nth(&s.r, SMTP_EV_REPLY, 1)->text),
		     SMTP_TEXT_MAX - 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 1)->lines, 4);
	sess_fini(&s);
}

Test(smtp, unsolicited_reply)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	S(&s, "421 4.3.2 Service shutting down\r\n");
	cr_assert_eq(s.r.n, 3);
	cr_assert_eq(s.r.ev[1].kind, SMTP_EV_ANOMALY);
	cr_assert_eq(s.r.ev[1].anomaly, SMTP_ANOM_UNSOLICITED);
	want_reply(&s.r.ev[2], SMTP_CMD_NONE, 421, "4.3.2 Service shutting down");
	cr_assert_not(s.r.ev[2].greeting);
	sess_fini(&s);
}

Test(smtp, bad_reply_lines_ignored)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "NOOP\r\n");
	S(&s, "hello\r\n25\r\n2500 x\r\n650 x\r\n250 ok\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BAD_REPLY), 4);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 2);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_NOOP, 250, "ok");
	sess_fini(&s);
}

Test(smtp, client_talks_before_greeting)
{
	struct sess s;

	sess_init(&s);
	C(&s, "EHLO early\r\n");
	S(&s, "220 hi\r\n250 ok\r\n");
	cr_assert(nth(&s.r, SMTP_EV_REPLY, 0)->greeting);
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 0)->cmd, SMTP_CMD_NONE);
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_EHLO, 250, "ok");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

Test(smtp, pending_full_drops_oldest)
{
	char buf[(SMTP_PENDING_MAX + 1) * 7];
	struct sess s;
	size_t i;

	for (i = 0; i <= SMTP_PENDING_MAX; i++)
		memcpy(buf + i * 6, i == 0 ? "HELP\r\n" : "NOOP\r\n", 6);
	sess_init(&s);
	greet(&s);
	feed(&s, SMTP_FROM_CLIENT, buf, (SMTP_PENDING_MAX + 1) * 6);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_PENDING_FULL), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->cmd, SMTP_CMD_HELP);
	S(&s, "250 ok\r\n");
	/* HELP was dropped, so the first reply answers a NOOP */
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 1)->cmd, SMTP_CMD_NOOP);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED),
		     SMTP_PENDING_MAX - 1);
	sess_fini(&s);
}

/* ---- transactions ---- */

Test(smtp, rset_and_second_transaction)
{
	static const enum smtp_cmd want[] = {SMTP_CMD_MAIL, SMTP_CMD_RCPT,
		SMTP_CMD_RSET, SMTP_CMD_MAIL, SMTP_CMD_RCPT, SMTP_CMD_DATA,
		SMTP_CMD_DATA_END, SMTP_CMD_QUIT};
	struct sess s;
	size_t i;

	sess_init(&s);
	greet(&s);
	C(&s, "MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
	S(&s, "250 ok\r\n550 no such user\r\n");
	C(&s, "RSET\r\n");
	S(&s, "250 reset\r\n");
	C(&s, "MAIL FROM:<a@b>\r\nRCPT TO:<z@y>\r\nDATA\r\n");
	S(&s, "250 ok\r\n250 ok\r\n354 go\r\n");
	C(&s, "hello\r\n.\r\nQUIT\r\n");
	S(&s, "250 queued\r\n221 bye\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 9);
	for (i = 0; i < 8; i++)
		cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, i + 1)->cmd, want[i],
			     "reply %zu", i);
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 2)->code, 550);
	cr_assert_eq(nth(&s.r, SMTP_EV_DATA_END, 0)->bytes, 7);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	sess_fini(&s);
}

Test(smtp, names)
{
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_NONE), "");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_MAIL), "MAIL");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_XFORWARD), "XFORWARD");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_UNKNOWN), "UNKNOWN");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_DATA_END), ".");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_BLOB_END), "XEXCH50-BLOB");
	cr_assert_str_eq(smtp_cmd_name(SMTP_CMD_AUTH_DATA), "AUTH-DATA");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_LINE_TOO_LONG),
			 "line_too_long");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_BARE_LF), "bare_lf");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_BAD_REPLY), "bad_reply");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_UNSOLICITED),
			 "unsolicited_reply");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_PENDING_FULL),
			 "pending_full");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_CODE_MISMATCH),
			 "code_mismatch");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_DATA_NO_354),
			 "data_without_354");
	cr_assert_str_eq(smtp_anomaly_name(SMTP_ANOM_BAD_LENGTH),
			 "bad_length");
	smtp_free(NULL);
	cr_assert_not(t_is_tls(NULL));
}

/* ---- replies over the text cap, replies never ended ----------------------- */

Test(smtp, reply_over_text_cap_is_cut_and_said_once)
{
	struct sess s;
	char line[100];
	sess_init(&s);
	greet(&s);
	C(&s, "EHLO client.example\r\n");
	for (int i = 0; i < 40; i++) { /* 40 x 64 bytes: well over 1 KB */
		snprintf(line, sizeof(line), "250-%059d\r\n", i);
		S(&s, line);
	}
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_TOO_LONG), 1);
	S(&s, "250 SMTPUTF8\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 2);
	cr_assert_eq(strlen(nth(&s.r, SMTP_EV_REPLY, 1)->text),
		     SMTP_TEXT_MAX - 1, "text kept up to the cap");
	cr_assert_eq(nth(&s.r, SMTP_EV_REPLY, 1)->lines, 41);
	/* the next reply starts afresh */
	C(&s, "NOOP\r\n");
	S(&s, "250 ok\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_TOO_LONG), 1);
	finish(&s);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_UNTERMINATED), 0);
	sess_fini(&s);
}

Test(smtp, reply_just_under_text_cap_is_not_cut)
{
	struct sess s;
	char text[SMTP_TEXT_MAX + 16];
	sess_init(&s);
	greet(&s);
	C(&s, "NOOP\r\n");
	/* "250 " + SMTP_TEXT_MAX - 1 characters: exactly what fits */
	memcpy(text, "250 ", 4);
	memset(text + 4, 'x', SMTP_TEXT_MAX - 1);
	memcpy(text + 4 + SMTP_TEXT_MAX - 1, "\r\n", 3);
	S(&s, text);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_TOO_LONG), 0);
	C(&s, "NOOP\r\n");
	text[4 + SMTP_TEXT_MAX - 1] = 'x';
	memcpy(text + 4 + SMTP_TEXT_MAX, "\r\n", 3);
	S(&s, text); /* one more character */
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_TOO_LONG), 1);
	sess_fini(&s);
}

Test(smtp, reply_never_ended_is_said_at_finish)
{
	struct sess s;
	sess_init(&s);
	greet(&s);
	C(&s, "EHLO client.example\r\n");
	S(&s, "250-mx.example.org\r\n250-PIPELINING\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 1, "only the greeting");
	finish(&s);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_REPLY_UNTERMINATED), 1);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 1);
	sess_fini(&s);
}
