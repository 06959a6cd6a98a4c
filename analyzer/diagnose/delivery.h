/* delivery.h - MX delivery attempts across sessions (RFC 5321 section 5.1:
 * a sender tries the MX hosts of a domain in preference order).
 *
 * Sessions from one sending host to the hosts of one domain's MX answer form
 * a delivery group.  When a new session of a group starts, the previous
 * attempt's outcome so far decides: after a failure (no answer, refused, no
 * banner, 4xx, cut short) moving to another listed host is a failover, and
 * connecting to the same host again while others are listed is not
 * (seed 004).  Deciding at the SYN, from what the previous attempt had shown
 * by then, keeps the verdict independent of the order sessions finish in.
 */
#ifndef MXRAY_DELIVERY_H
#define MXRAY_DELIVERY_H

#include <stddef.h>

#include "base/btable.h"
#include "model/dnstrack.h"
#include "model/session.h"

enum mx_verdict { MXV_NONE = 0, MXV_FAILOVER, MXV_NO_FAILOVER };

enum dl_outcome {
	DL_IN_PROGRESS,
	DL_DELIVERED,  /* 2xx after the end of data */
	DL_NO_ANSWER,  /* SYNs unanswered */
	DL_REFUSED,    /* SYN answered by RST */
	DL_NO_BANNER,  /* handshake, no greeting */
	DL_REJECTED,   /* 4xx/5xx greeting */
	DL_TEMP_FAIL,  /* 4xx to a command */
	DL_PERM_FAIL,  /* 5xx to a command */
	DL_CUT_SHORT,  /* over without delivery, QUIT or a failing reply */
	DL_QUIT,       /* the client said QUIT without delivering (every
			  recipient refused, a verification callout) */
	DL_UNKNOWN,    /* one side not captured: the replies that decide
			  the outcome are unseen */
};

#define DL_MAX_ATTEMPTS 32

struct dl_attempt {
	char session[24];
	struct mx_addr server;
	char *host; /* the MX host it connected to, "" if unknown (pool) */
	int pref;
	double start;
	struct session *live; /* NULL once reported */
	/* final once live is NULL; before, as of the last time a session
	 * of the group was reported (dl_settle) */
	enum dl_outcome outcome;
};

struct mx_group {
	unsigned refs;
	char id[24];
	struct mx_addr client;
	const char *domain; /* the question of mx */
	struct dns_tx *mx; /* the latest MX answer (one reference) */
	/* the latest attempts; grown as needed (most groups see one), as
	 * a busy site keeps tens of thousands of groups */
	struct dl_attempt *att;
	size_t n_att;    /* kept, <= DL_MAX_ATTEMPTS */
	size_t cap_att;
	size_t total;    /* ever made */
	double last;
	struct bt_link link; /* in the table, by last activity */
};

/* How an attempt followed the previous one of its group, from what that
 * one had shown when this one began (findings.c puts it into words); in
 * the session's strings. */
struct mx_judgement {
	enum mx_verdict verdict;      /* FAILOVER or NO_FAILOVER */
	size_t number;                /* this attempt's, in the group */
	const struct dns_tx *mx;      /* the MX answer (the session ties it) */
	const char *domain;           /* its question */
	/* the previous attempt */
	char prev_session[24];
	const char *prev_host;        /* "" when unknown */
	struct mx_addr prev_server;
	int prev_pref;
	enum dl_outcome prev_outcome;
};

struct dl_table;

struct dl_table *dl_new(size_t max_groups, double window_s);
void dl_free(struct dl_table *t);

/* A session started and its client-side lookups were tied: join its group
 * and judge it against the previous attempt (s->mx_judged). */
void dl_session_start(struct dl_table *t, struct session *s);
/* Before s is reported: the outcome of each attempt of its group up to
 * s's own, as things stand, into the attempts (the report shows them). */
void dl_settle(struct session *s);
/* The session was reported: its attempt keeps the final outcome, and the
 * session lets go of its group. */
void dl_session_release(struct session *s);
void dl_expire(struct dl_table *t, double now);

enum dl_outcome dl_outcome_of(const struct session *s);
const char *dl_outcome_name(enum dl_outcome o);
/* "never sent a banner": the outcome as a sentence's verb phrase. */
const char *dl_outcome_words(enum dl_outcome o);
const char *mx_verdict_name(enum mx_verdict v);

#endif
