/* test_smtp_split.c - the SMTP dissector must not care where TCP cuts the
 * stream: whole sessions (plain, XEXCH50, STARTTLS, odd ones, random ones)
 * replayed cut at every byte and fed a byte at a time must give the events
 * of the whole feed (srec_check_splits in testsmtp.h).  Timestamps are
 * never compared. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsess.h" /* one session fed by hand; the recorder */

/* ---- split everywhere ---- */

/* A chunk of the client's or the server's bytes (a string literal). */
#define CHUNK(d, bytes, n) {.dir = (d), .p = (const uint8_t *)(bytes), .len = (n)}
#define CS(str) CHUNK(SMTP_FROM_CLIENT, str, sizeof(str) - 1)
#define SS(str) CHUNK(SMTP_FROM_SERVER, str, sizeof(str) - 1)

/* The unsplit run, whose events each test checks before comparing. */
static struct srec run_whole(const struct schunk *ch, size_t n)
{
	struct srec o = {.merge_tls = true};

	srec_replay(ch, n, SREC_NO_SPLIT, 0, false, &o);
	return o;
}

/* Every split and the byte-by-byte feed give what the whole feed gives. */
static void split_everywhere(const struct schunk *ch, size_t n,
			     const char *what)
{
	struct srec whole = run_whole(ch, n);

	srec_check_splits(ch, n, &whole, what);
	srec_free(&whole);
}

Test(smtp, split_everywhere_plain)
{
	static const struct schunk ch[] = {
		SS("220 mx.example.org ESMTP\r\n"),
		CS("EHLO client.example.org\r\n"),
		SS("250-mx.example.org\r\n250-PIPELINING\r\n"
		   "250-SIZE 10240000\r\n250 8BITMIME\r\n"),
		CS("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
		   "RCPT TO:<c@example.net>\r\nRCPT TO:<d@example.net>\r\n"
		   "DATA\r\n"),
		SS("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n"
		   "250 2.1.5 Ok\r\n354 go ahead\r\n"),
		CS("From: a@example.org\r\nSubject: hi\r\n\r\n..dot\r\n..\r\n"
		   ".x\r\n.\r\nQUIT\r\n"),
		SS("250 2.0.0 queued\r\n221 2.0.0 bye\r\n"),
	};
	size_t n = sizeof(ch) / sizeof(ch[0]);
	struct srec o = run_whole(ch, n);

	cr_assert_eq(count_kind(&o, SMTP_EV_COMMAND), 7);
	cr_assert_eq(count_kind(&o, SMTP_EV_REPLY), 9);
	cr_assert_eq(nth(&o, SMTP_EV_DATA_END, 0)->bytes, 51);
	cr_assert_eq(nth(&o, SMTP_EV_REPLY, 8)->cmd, SMTP_CMD_QUIT);
	cr_assert_eq(count_kind(&o, SMTP_EV_ANOMALY), 0);
	srec_check_splits(ch, n, &o, "plain");
	srec_free(&o);
}

Test(smtp, split_everywhere_xexch50)
{
	struct schunk ch[] = {
		SS("220 mx.example.org ESMTP\r\n"),
		CS("EHLO ex.example.org\r\n"),
		SS("250-mx\r\n250-PIPELINING\r\n250-XEXCH50\r\n250 OK\r\n"),
		CS("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"),
		SS("250 ok\r\n250 ok\r\n"),
		CS("XEXCH50 1124 2\r\n"),
		SS("354 Send binary data\r\n"),
		CHUNK(SMTP_FROM_CLIENT, NULL, 1124), /* the blob, set below */
		SS("250 XEXCH50 OK\r\n"),
		CS("DATA\r\n"),
		SS("354 go\r\n"),
		CS("body\r\n.\r\nQUIT\r\n"),
		SS("250 ok\r\n221 bye\r\n"),
	};
	size_t n = sizeof(ch) / sizeof(ch[0]);
	struct srec o;

	ch[7].p = xexch_blob();
	o = run_whole(ch, n);
	cr_assert_eq(nth(&o, SMTP_EV_BLOB, 0)->bytes, 1124);
	want_reply(nth(&o, SMTP_EV_REPLY, 5), SMTP_CMD_BLOB_END, 250,
		   "XEXCH50 OK");
	cr_assert_eq(nth(&o, SMTP_EV_REPLY, 8)->cmd, SMTP_CMD_QUIT);
	cr_assert_eq(count_kind(&o, SMTP_EV_COMMAND), 6);
	cr_assert_eq(count_kind(&o, SMTP_EV_UNANSWERED), 0);
	srec_check_splits(ch, n, &o, "xexch50");
	srec_free(&o);
	/* and the stall: everything up to the blob, then silence */
	o = run_whole(ch, 8);
	cr_assert_eq(nth(&o, SMTP_EV_UNANSWERED, 0)->cmd, SMTP_CMD_BLOB_END);
	srec_check_splits(ch, 8, &o, "xexch50-stall");
	srec_free(&o);
}

Test(smtp, split_everywhere_starttls)
{
	static const struct schunk ch[] = {
		SS("220 mx.example.org ESMTP\r\n"),
		CS("EHLO c.example.org\r\n"),
		SS("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
		CS("STARTTLS\r\n\x16\x03\x01\x02\0"),
		SS("220 2.0.0 Ready to start TLS\r\n\x16\x03\x03\0\x7a\r\n"),
		CS("\x01\0\x01\xfc\x03\x03\r\nQUIT\r\n"),
		SS("\x14\x03\x03\0\x01\x01\n250 ok\r\n"),
		CS("\x17\x03\x03\0\x20"),
	};
	size_t n = sizeof(ch) / sizeof(ch[0]);
	struct srec o = run_whole(ch, n);

	cr_assert(o.tls);
	cr_assert_eq(count_kind(&o, SMTP_EV_COMMAND), 2);
	/* client: 5 buffered at the 220, then 14 and 5; server: 7, 15 */
	cr_assert_eq(count_kind(&o, SMTP_EV_TLS), 5);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 0)->dir, SMTP_FROM_CLIENT);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 0)->bytes, 5);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 1)->bytes, 7);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 2)->bytes, 14);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 3)->bytes, 15);
	cr_assert_eq(nth(&o, SMTP_EV_TLS, 4)->bytes, 5);
	srec_check_splits(ch, n, &o, "starttls");
	srec_free(&o);
}

Test(smtp, split_everywhere_odd_session)
{
	static char longline[5000 + 9];
	static uint8_t bdat[300 + 18] = "\r\n.\r\nQUIT\r\n\0\0";
	struct schunk ch[] = {
		SS("220 mx\n"),
		CS("EHLO x\n"),
		SS("250-mx\r\n251-CHUNKING\r\n250 AUTH LOGIN PLAIN\r\n"),
		CS("AUTH LOGIN\r\n"),
		SS("334 VXNlcm5hbWU6\r\n"),
		CS("YWxpY2U=\r\n"),
		SS("334 UGFzc3dvcmQ6\r\n"),
		CS("czNjcmV0\r\n"),
		SS("235 ok\r\n"),
		CHUNK(SMTP_FROM_CLIENT, longline, 5008),
		SS("500 too long\r\n250 ok\r\nbogus\r\n"),
		CS("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 300\r\n"),
		CHUNK(SMTP_FROM_CLIENT, bdat, 318),
		SS("250 ok\r\n250 ok\r\n250 300\r\n250 done\r\n421 bye\r\n"),
		CS("QUIT\r\n"),
	};
	size_t n = sizeof(ch) / sizeof(ch[0]);
	struct srec o;

	memset(longline, 'A', 5000);
	memcpy(longline + 5000, "\r\nNOOP\r\n", 8);
	memcpy(bdat + 300, "BDAT 5 LAST\r\nhello", 18);
	o = run_whole(ch, n);
	cr_assert_eq(count_anom(&o, SMTP_ANOM_BARE_LF), 2);
	cr_assert_eq(count_anom(&o, SMTP_ANOM_CODE_MISMATCH), 1);
	cr_assert_eq(count_anom(&o, SMTP_ANOM_LINE_TOO_LONG), 1);
	cr_assert_eq(count_anom(&o, SMTP_ANOM_BAD_REPLY), 1);
	cr_assert_eq(count_anom(&o, SMTP_ANOM_UNSOLICITED), 1);
	cr_assert_eq(count_kind(&o, SMTP_EV_BLOB), 2);
	cr_assert_eq(nth(&o, SMTP_EV_UNANSWERED, 0)->cmd, SMTP_CMD_QUIT);
	cr_assert_not(rec_mentions(&o, "YWxpY2U"));
	cr_assert_not(rec_mentions(&o, "czNjcmV0"));
	srec_check_splits(ch, n, &o, "odd");
	srec_free(&o);
}

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random sessions glued from protocol fragments and junk bytes: whatever
 * the bytes mean, cutting them differently must not change the events. */
Test(smtp, split_everywhere_random_sessions)
{
	static const char *const frag[] = {"220 hi\r\n", "250 ok\r\n",
		"354 go\r\n", "250-PIPELINING\r\n", "334 eA==\r\n", "220 tls\r\n",
		"500 no\r\n", "250-a\r\n251 b\r\n", "EHLO x\r\n", "DATA\r\n",
		"MAIL FROM:<a@b>\r\n", "BDAT 7\r\n", "BDAT 3 LAST\r\n",
		"XEXCH50 9 2\r\n", "STARTTLS\r\n", "AUTH LOGIN\r\n", "QUIT\r\n",
		".\r\n", "\r\n.\r\n", "..\r\n", "\n", ".\n", "\r", "x", "junk"};
	static uint8_t buf[8][72];
	struct schunk ch[8];
	uint32_t x = 2463534242u;
	size_t it, i, len, k;
	const char *f;

	for (it = 0; it < 5; it++) {
		for (i = 0; i < 8; i++) {
			for (len = 0; len < sizeof(buf[i]) - 24;) {
				k = xorshift(&x) % 30;
				if (k >= sizeof(frag) / sizeof(frag[0])) {
					buf[i][len++] = (uint8_t)xorshift(&x);
					continue;
				}
				f = frag[k];
				memcpy(buf[i] + len, f, strlen(f));
				len += strlen(f);
			}
			ch[i] = (struct schunk)CHUNK(xorshift(&x) & 1
							     ? SMTP_FROM_SERVER
							     : SMTP_FROM_CLIENT,
						     buf[i], len);
		}
		split_everywhere(ch, 8, "random");
	}
}
