/* test_smtp_ext.c - unit tests for the SMTP dissector's extensions: AUTH
 * with its secrets redacted (RFC 4954), the XEXCH50 blob and its ack,
 * BDAT chunks (RFC 3030), and STARTTLS switching both directions to TLS
 * (RFC 3207).  Every test feeds bytes and asserts on the events emitted,
 * never on the dissector's internals. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsess.h" /* one session fed by hand; the recorder */

/* ---- AUTH ---- */

Test(smtp, auth_plain_redacted)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n");
	S(&s, "235 2.7.0 Authentication successful\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_AUTH, "AUTH",
		 "PLAIN ***");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_AUTH, 235,
		   "2.7.0 Authentication successful");
	C(&s, "MAIL FROM:<a@b>\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	cr_assert_not(rec_mentions(&s.r, "AGFsaWNl"));
	sess_fini(&s);
}

Test(smtp, auth_login_exchange_redacted)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	greet(&s);
	C(&s, "AUTH LOGIN\r\n");
	S(&s, "334 VXNlcm5hbWU6\r\n");
	C(&s, "YWxpY2U=\r\n");
	S(&s, "334 UGFzc3dvcmQ6\r\n");
	C(&s, "czNjcmV0\r\n");
	S(&s, "235 ok\r\n");
	C(&s, "MAIL FROM:<alice@example.org>\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_AUTH, "AUTH", "LOGIN");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_AUTH, 334,
		   "VXNlcm5hbWU6");
	e = nth(&s.r, SMTP_EV_COMMAND, 1);
	want_cmd(e, SMTP_CMD_AUTH_DATA, "AUTH-DATA", "***");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_AUTH_DATA, 334,
		   "UGFzc3dvcmQ6");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_AUTH_DATA,
		 "AUTH-DATA", "***");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 3), SMTP_CMD_AUTH_DATA, 235, "ok");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<alice@example.org>");
	cr_assert_not(rec_mentions(&s.r, "YWxpY2U"));
	cr_assert_not(rec_mentions(&s.r, "czNjcmV0"));
	sess_fini(&s);
}

/* ---- XEXCH50 ---- */

static void to_xexch50_354(struct sess *s)
{
	greet(s);
	C(s, "EHLO ex.example.org\r\n");
	S(s, "250-mx\r\n250-XEXCH50\r\n250 OK\r\n");
	C(s, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n");
	S(s, "250 ok\r\n250 ok\r\n");
	C(s, "XEXCH50 1124 2\r\n");
	S(s, "354 Send binary data\r\n");
}

Test(smtp, xexch50_blob_then_ack)
{
	const uint8_t *blob = xexch_blob();
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	to_xexch50_354(&s);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 3), SMTP_CMD_XEXCH50, "XEXCH50",
		 "1124 2");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 4), SMTP_CMD_XEXCH50, 354,
		   "Send binary data");
	feed(&s, SMTP_FROM_CLIENT, blob, 600);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_BLOB), 0);
	feed(&s, SMTP_FROM_CLIENT, blob + 600, 524);
	e = nth(&s.r, SMTP_EV_BLOB, 0);
	cr_assert_eq(e->bytes, 1124);
	cr_assert_eq(e->blob_of, SMTP_CMD_XEXCH50);
	cr_assert_eq(e->ts, 9.0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 4);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_DATA_END), 0);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	S(&s, "250 XEXCH50 OK\r\n");
	e = nth(&s.r, SMTP_EV_REPLY, 5);
	want_reply(e, SMTP_CMD_BLOB_END, 250, "XEXCH50 OK");
	cr_assert_str_eq(e->verb, "XEXCH50-BLOB");
	cr_assert_eq(e->cmd_ts, 9.0);
	C(&s, "DATA\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 4), SMTP_CMD_DATA, "DATA", "");
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 1);
	cr_assert_eq(nth(&s.r, SMTP_EV_UNANSWERED, 0)->cmd, SMTP_CMD_DATA);
	sess_fini(&s);
}

/* The firewall-eats-the-blob stall: the ack never comes. */
Test(smtp, xexch50_stall_reports_blob_unanswered)
{
	struct sess s;
	const struct srec_ev *e;

	sess_init(&s);
	to_xexch50_354(&s);
	feed(&s, SMTP_FROM_CLIENT, xexch_blob(), 1124);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 1);
	e = nth(&s.r, SMTP_EV_UNANSWERED, 0);
	cr_assert_eq(e->cmd, SMTP_CMD_BLOB_END);
	cr_assert_str_eq(e->verb, "XEXCH50-BLOB");
	cr_assert_eq(e->cmd_ts, 8.0);
	sess_fini(&s);
}

Test(smtp, xexch50_refused_means_no_blob)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "XEXCH50 1124 2\r\n");
	S(&s, "500 5.3.3 Unrecognized command\r\n");
	C(&s, "DATA\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_DATA, "DATA", "");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_BLOB), 0);
	S(&s, "503 5.5.1 Error: need RCPT command\r\n");
	C(&s, "XEXCH50 lots 2\r\n");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BAD_LENGTH), 1);
	sess_fini(&s);
}

/* ---- BDAT ---- */

Test(smtp, bdat_chunks)
{
	uint8_t a[400], b[600 + 32];
	size_t i;
	struct sess s;
	const struct srec_ev *e;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)i;
	memcpy(a + 10, "\r\n.\r\nQUIT\r\nBDAT 5\r\n", 19);
	memset(b, '.', 600);
	memcpy(b + 600, "BDAT 10 LAST\r\n0123456789", 24);
	sess_init(&s);
	greet(&s);
	C(&s, "BDAT 1000\r\n");
	feed(&s, SMTP_FROM_CLIENT, a, sizeof(a));
	feed(&s, SMTP_FROM_CLIENT, b, 624);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_COMMAND), 2);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 0), SMTP_CMD_BDAT, "BDAT", "1000");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_BDAT, "BDAT",
		 "10 LAST");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_BLOB), 2);
	e = nth(&s.r, SMTP_EV_BLOB, 0);
	cr_assert_eq(e->bytes, 1000);
	cr_assert_eq(e->blob_of, SMTP_CMD_BDAT);
	e = nth(&s.r, SMTP_EV_BLOB, 1);
	cr_assert_eq(e->bytes, 10);
	cr_assert_eq(e->blob_of, SMTP_CMD_BDAT);
	S(&s, "250 2.0.0 1000 octets received\r\n250 2.0.0 Message accepted\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 1), SMTP_CMD_BDAT, 250,
		   "2.0.0 1000 octets received");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_BDAT, 250,
		   "2.0.0 Message accepted");
	C(&s, "QUIT\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_QUIT, "QUIT", "");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_ANOMALY), 0);
	sess_fini(&s);
}

Test(smtp, bdat_bad_length)
{
	static const char *const bad[] = {"BDAT\r\n", "BDAT abc LAST\r\n",
		"BDAT 12x\r\n", "BDAT 1099511627777\r\n",
		"BDAT 99999999999999999999999 LAST\r\n"};
	struct sess s;
	size_t i;

	for (i = 0; i < 5; i++) {
		sess_init(&s);
		C(&s, bad[i]);
		C(&s, "NOOP\r\n");
		cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BAD_LENGTH), 1, "%s",
			     bad[i]);
		cr_assert_eq(nth(&s.r, SMTP_EV_ANOMALY, 0)->cmd, SMTP_CMD_BDAT);
		cr_assert_eq(count_kind(&s.r, SMTP_EV_BLOB), 0);
		want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_NOOP, "NOOP",
			 "");
		sess_fini(&s);
	}
	sess_init(&s);
	C(&s, "BDAT 0 LAST\r\n");
	cr_assert_eq(nth(&s.r, SMTP_EV_BLOB, 0)->bytes, 0);
	C(&s, "NOOP\r\n");
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_NOOP, "NOOP", "");
	sess_fini(&s);
}

/* ---- STARTTLS ---- */

Test(smtp, starttls_switches_both_directions)
{
	uint8_t tls[1400];
	struct sess s;
	const struct srec_ev *e;
	size_t n0;

	memset(tls, 0x16, sizeof(tls));
	memcpy(tls + 5, "\r\nQUIT\r\n250 ok\r\n", 16);
	sess_init(&s);
	greet(&s);
	C(&s, "EHLO c\r\n");
	S(&s, "250-mx\r\n250 STARTTLS\r\n");
	C(&s, "STARTTLS\r\n");
	cr_assert_not(t_is_tls(s.st));
	S(&s, "220 2.0.0 Ready to start TLS\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 2), SMTP_CMD_STARTTLS, 220,
		   "2.0.0 Ready to start TLS");
	cr_assert_not(t_is_tls(s.st), "the next byte decides");
	n0 = s.r.n;
	feed(&s, SMTP_FROM_CLIENT, tls, 517);
	cr_assert(t_is_tls(s.st));
	feed(&s, SMTP_FROM_SERVER, tls, 1400);
	feed(&s, SMTP_FROM_CLIENT, tls, 80);
	cr_assert_eq(s.r.n, n0 + 3);
	e = &s.r.ev[n0];
	cr_assert_eq(e->kind, SMTP_EV_TLS);
	cr_assert_eq(e->dir, SMTP_FROM_CLIENT);
	cr_assert_eq(e->bytes, 517);
	cr_assert_eq(e->ts, 6.0);
	cr_assert_eq(s.r.ev[n0 + 1].kind, SMTP_EV_TLS);
	cr_assert_eq(s.r.ev[n0 + 1].dir, SMTP_FROM_SERVER);
	cr_assert_eq(s.r.ev[n0 + 1].bytes, 1400);
	cr_assert_eq(s.r.ev[n0 + 2].bytes, 80);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	sess_fini(&s);
}

/* A capture from a TLS-decrypting device: after the 220 the client goes
 * on in clear, and so does the dissector (issue 10, item 10). */
Test(smtp, plaintext_after_starttls_stays_smtp)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "STARTTLS\r\n");
	S(&s, "220 2.0.0 Ready to start TLS\r\n");
	C(&s, "EHLO c\r\nMAIL FROM:<a@b>\r\n");
	S(&s, "250 mx\r\n250 2.1.0 Ok\r\n");
	cr_assert_not(t_is_tls(s.st));
	cr_assert_eq(count_kind(&s.r, SMTP_EV_TLS), 0);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 2), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 3), SMTP_CMD_MAIL, 250,
		   "2.1.0 Ok");
	sess_fini(&s);
	/* the server speaking TLS first decides as well */
	sess_init(&s);
	greet(&s);
	C(&s, "STARTTLS\r\n");
	S(&s, "220 go\r\n");
	feed(&s, SMTP_FROM_SERVER, "\x16\x03\x03", 3);
	cr_assert(t_is_tls(s.st));
	sess_fini(&s);
}

/* A reply line with an enhanced status code and no reply code (a deferral
 * after the dot, issue 10, item 9) answers its command, code 0. */
Test(smtp, reply_without_code_answers_its_command)
{
	struct sess s;

	sess_init(&s);
	to_354(&s);
	C(&s, "Subject: x\r\n\r\nhi\r\n.\r\n");
	S(&s, "4.7.0 [TS04] Messages from 192.0.2.10 temporarily deferred\r\n");
	want_reply(nth(&s.r, SMTP_EV_REPLY, 4), SMTP_CMD_DATA_END, 0,
		   "4.7.0 [TS04] Messages from 192.0.2.10 temporarily deferred");
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BAD_REPLY), 1);
	/* not an enhanced status code: only the anomaly, as before */
	S(&s, "4.7 x\r\nhello\r\n6.1.1 x\r\n4.1.1234 x\r\n");
	cr_assert_eq(count_kind(&s.r, SMTP_EV_REPLY), 5);
	cr_assert_eq(count_anom(&s.r, SMTP_ANOM_BAD_REPLY), 5);
	finish(&s);
	cr_assert_eq(count_kind(&s.r, SMTP_EV_UNANSWERED), 0);
	sess_fini(&s);
}

Test(smtp, starttls_bytes_in_same_chunk_and_buffered)
{
	static const char cl[] = "STARTTLS\r\n\x16\x03\x01";
	static const char sv[] = "220 go\r\n\x16\x03\x03\0\x7a";
	struct sess s;
	size_t n0;

	sess_init(&s);
	greet(&s);
	feed(&s, SMTP_FROM_CLIENT, cl, sizeof(cl) - 1);
	n0 = s.r.n;
	feed(&s, SMTP_FROM_SERVER, sv, sizeof(sv) - 1);
	cr_assert_eq(s.r.n, n0 + 3);
	want_reply(&s.r.ev[n0], SMTP_CMD_STARTTLS, 220, "go");
	cr_assert_eq(s.r.ev[n0 + 1].kind, SMTP_EV_TLS);
	cr_assert_eq(s.r.ev[n0 + 1].dir, SMTP_FROM_CLIENT);
	cr_assert_eq(s.r.ev[n0 + 1].bytes, 3);
	cr_assert_eq(s.r.ev[n0 + 2].kind, SMTP_EV_TLS);
	cr_assert_eq(s.r.ev[n0 + 2].dir, SMTP_FROM_SERVER);
	cr_assert_eq(s.r.ev[n0 + 2].bytes, 5);
	sess_fini(&s);
}

Test(smtp, starttls_refused_stays_clear)
{
	struct sess s;

	sess_init(&s);
	greet(&s);
	C(&s, "STARTTLS\r\n");
	S(&s, "454 4.7.0 TLS not available\r\n");
	C(&s, "MAIL FROM:<a@b>\r\n");
	cr_assert_not(t_is_tls(s.st));
	cr_assert_eq(count_kind(&s.r, SMTP_EV_TLS), 0);
	want_cmd(nth(&s.r, SMTP_EV_COMMAND, 1), SMTP_CMD_MAIL, "MAIL",
		 "FROM:<a@b>");
	sess_fini(&s);
}
