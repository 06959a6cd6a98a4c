/* testsess.h - one SMTP session fed by hand, for the dissector tests
 * (test_smtp.c, test_smtp_ext.c, test_smtp_split.c, test_smtp_hold.c):
 * each feed gets the next whole-second time stamp, and the events are
 * recorded (testsmtp.h) for assertions.  Static inline, as testsmtp.h. */
#ifndef MXRAY_TESTSESS_H
#define MXRAY_TESTSESS_H

#include "testsmtp.h"

/* ---- fixture: one session, each feed gets the next whole-second ts ---- */

struct sess {
	struct smtp_state *st;
	struct srec r;
	double ts;
};

static inline void sess_init(struct sess *s)
{
	memset(s, 0, sizeof(*s));
	s->st = smtp_new();
	cr_assert_not_null(s->st);
}

static inline void sess_fini(struct sess *s)
{
	smtp_free(s->st);
	srec_free(&s->r);
}

static inline void feed(struct sess *s, enum smtp_dir dir, const void *p,
			size_t n)
{
	s->ts += 1.0;
	smtp_feed(s->st, dir, p, n, s->ts, srec_emit, &s->r);
}

static inline void C(struct sess *s, const char *str)
{
	feed(s, SMTP_FROM_CLIENT, str, strlen(str));
}

static inline void S(struct sess *s, const char *str)
{
	feed(s, SMTP_FROM_SERVER, str, strlen(str));
}

static inline void finish(struct sess *s)
{
	smtp_finish(s->st, srec_emit, &s->r);
}

static inline size_t count_kind(const struct srec *r,
				enum smtp_ev_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->ev[i].kind == k;
	return n;
}

static inline size_t count_anom(const struct srec *r,
				enum smtp_anomaly a)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->ev[i].kind == SMTP_EV_ANOMALY && r->ev[i].anomaly == a;
	return n;
}

/* The i-th event of kind k (0-based); fails the test if there is none. */
static inline const struct srec_ev *nth(const struct srec *r,
					enum smtp_ev_kind k, size_t i)
{
	size_t j, seen = 0;

	for (j = 0; j < r->n; j++)
		if (r->ev[j].kind == k && seen++ == i)
			return &r->ev[j];
	cr_assert_fail("no event #%zu of kind %d (only %zu)", i, (int)k, seen);
	return NULL;
}

static inline bool rec_mentions(const struct srec *r, const char *needle)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strstr(r->ev[i].verb, needle) ||
		    strstr(r->ev[i].args, needle) ||
		    strstr(r->ev[i].text, needle))
			return true;
	return false;
}

static inline void want_cmd(const struct srec_ev *e, enum smtp_cmd cmd,
			    const char *verb, const char *args)
{
	cr_assert_eq(e->kind, SMTP_EV_COMMAND);
	cr_assert_eq(e->dir, SMTP_FROM_CLIENT);
	cr_assert_eq(e->cmd, cmd, "cmd %d, want %d", e->cmd, cmd);
	cr_assert_str_eq(e->verb, verb);
	cr_assert_str_eq(e->args, args);
}

static inline void want_reply(const struct srec_ev *e, enum smtp_cmd cmd,
			      int code, const char *text)
{
	cr_assert_eq(e->kind, SMTP_EV_REPLY);
	cr_assert_eq(e->dir, SMTP_FROM_SERVER);
	cr_assert_eq(e->cmd, cmd, "reply %d answers cmd %d, want %d", e->code,
		     e->cmd, cmd);
	if (cmd != SMTP_CMD_UNKNOWN) /* else the verb is what was sent */
		cr_assert_str_eq(e->verb, smtp_cmd_name(cmd));
	cr_assert_eq(e->code, code);
	cr_assert_str_eq(e->text, text);
}

static inline void greet(struct sess *s)
{
	S(s, "220 mx.example.org ESMTP\r\n");
}

static inline void to_354(struct sess *s)
{
	greet(s);
	C(s, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
	S(s, "250 ok\r\n250 ok\r\n354 go ahead\r\n");
}

/* ---- an XEXCH50 blob ---- */

/* 1124 bytes of Exchange-ish binary with traps for a line parser. */
static inline const uint8_t *xexch_blob(void)
{
	static uint8_t b[1124];
	size_t i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 11);
	memcpy(b + 100, "\r\n.\r\n", 5);
	memcpy(b + 300, "QUIT\r\n", 6);
	memcpy(b + 500, "\0\0\0\0", 4);
	memcpy(b + 1118, "\r\n.\r\n", 5);
	b[0] = 0;
	return b;
}

#endif
