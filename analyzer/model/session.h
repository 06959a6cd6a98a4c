/* session.h - the record of one SMTP session (one TCP connection to an
 * SMTP port): its handshake times, the timeline of SMTP events, the DNS
 * lookups tied to it, its delivery attempt.  The flow layer's operations
 * fill it (flow/flowops.h; flow/smtpflow.h keeps the connection state)
 * from the first packet the capture has of the connection; the diagnose
 * and report layers read it when the session is over, and then it is
 * cleared for reuse.
 */
#ifndef MXRAY_SESSION_H
#define MXRAY_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/dlist.h"
#include "model/dnstrack.h"
#include "model/frames.h"
#include "smtp.h"
#include "base/util.h"

struct mx_group;     /* diagnose/delivery.h */
struct mx_judgement; /* diagnose/delivery.h */

enum sess_close {
	CLOSE_NONE = 0,
	CLOSE_FIN,
	CLOSE_RST_CLIENT,
	CLOSE_RST_SERVER,
	CLOSE_TIMEOUT,
	CLOSE_CAPTURE_END,
};

/* A capture that holds only one side's packets (an asymmetric mirror). */
enum one_sided {
	ONE_SIDED_NONE = 0,
	ONE_SIDED_CLIENT_ONLY, /* the server's packets are not captured */
	ONE_SIDED_SERVER_ONLY, /* the client's packets are not captured */
};

enum ev_kind {
	EV_SYN,
	EV_SYN_ACK,
	EV_ACK,
	EV_BANNER,
	EV_COMMAND,
	EV_REPLY,
	EV_DATA_START,
	EV_DATA_END,
	EV_BLOB,
	EV_TLS,
	EV_DNS_QUERY,    /* built at report time from the ties */
	EV_DNS_RESPONSE, /* built at report time from the ties */
	EV_FIN,
	EV_RST,
	EV_TIMEOUT,
	EV_GAP, /* bytes missing from the capture (extension of SPEC's kinds) */
};

enum actor { ACTOR_CLIENT, ACTOR_SERVER, ACTOR_DNS };

struct tl_event {
	double t;
	uint8_t kind;   /* enum ev_kind */
	uint8_t actor;  /* enum actor */
	bool retransmission; /* SYN / SYN-ACK resent */
	uint8_t cmd;    /* enum smtp_cmd: COMMAND's; REPLY: the command
			   answered (NONE: none pending); BLOB: of which */
	int code;       /* REPLY/BANNER */
	uint64_t bytes; /* DATA_END, BLOB, TLS */
	double latency; /* REPLY: seconds since the command it answers */
	char *verb;     /* the same as sent, for people (s->strings) */
	char *text;     /* COMMAND args; REPLY text (s->strings, escaped) */
	double t_last;  /* TLS: last byte of a coalesced run */
};

enum dns_relation {
	REL_PTR_OF_CLIENT,
	REL_A_OF_PTR_NAME,
	REL_DNSBL_OF_CLIENT,
	REL_MX_OF_DOMAIN,
	REL_A_OF_MX,
	REL_OTHER,
	REL_SENDER_DOMAIN,    /* the server's lookups of the MAIL FROM domain */
	REL_RECIPIENT_DOMAIN, /* ... of a RCPT TO domain */
};

/* What the server-side walk covered when the banner came (correlate.c),
 * so the walk before the report is skipped when nothing can have changed. */
struct corr_mark {
	bool done;
	bool other;             /* the "other" walk ran, from other_from */
	double until, other_from;
	uint64_t last_seq, ptr_gone;
};

struct dns_tie {
	struct dns_tx *tx; /* one reference held */
	enum dns_relation rel;
};

struct unanswered {
	enum smtp_cmd cmd;
	char verb[16];
	double t;
};

#define SESS_MAX_UNANSWERED 8
#define SESS_MAX_DNS 64

struct session {
	struct mx_endpoint client, server; /* first: what a look-up reads */
	uint64_t seq;    /* creation order */
	char id[24];

	/* TCP, from the raw packet hook */
	double start;  /* first SYN */
	double last;   /* last packet either way */
	uint32_t client_isn, server_isn;
	unsigned syns, syn_acks;
	bool has_syn_ack, has_ack;
	double syn_t, syn_ack_t, ack_t;
	bool fin_client, fin_server;
	double fin_client_t, fin_server_t;
	bool partial;   /* the capture began after the handshake */
	uint8_t one_sided; /* enum one_sided: only one side's packets */
	uint64_t missing[2];      /* bytes lost from the capture, per side */
	bool capture_loss; /* the capture dropped packets while it was open */
	enum sess_close close;
	double close_t; /* when it became over (closing list order) */

	/* SMTP */
	/* the session's strings but helo (event texts, banner, envelope):
	 * they live as long as the session and go with it at once */
	struct arena strings;
	bool has_banner;
	double banner_t;
	int banner_code;
	char *banner_text;
	/* the last HELO/EHLO/LHLO name the server did not refuse, in
	 * helo_buf, or NULL; until the reply, the name before it waits in
	 * helo_prev_buf (helo_prev_set) to come back if the server refuses */
	char *helo;
	char *helo_buf;  /* kept for the next session, like the arrays */
	size_t helo_cap;
	char *helo_prev_buf;
	size_t helo_prev_cap;
	bool helo_prev_set;
	char **mail_from;
	size_t n_mail_from, cap_mail_from;
	char **rcpt_to;
	size_t n_rcpt_to, cap_rcpt_to;
	bool starttls;
	uint64_t client_bytes, server_bytes;
	struct unanswered *unanswered; /* up to SESS_MAX_UNANSWERED, in strings */
	size_t n_unanswered;
	unsigned anomalies[SMTP_ANOM__COUNT];

	struct tl_event *ev;
	size_t n_ev, cap_ev;
	size_t ev_dropped;

	struct dns_tie *dns; /* grows up to SESS_MAX_DNS; owned */
	size_t n_dns, cap_dns;
	size_t dns_dropped;
	struct corr_mark server_walk;


	/* MX delivery attempt (delivery.c), when the client's MX lookup that
	 * led here was seen */
	struct mx_group *group; /* one reference held */
	size_t attempt;         /* 1-based number within the group */
	/* the MX host it went to: a name in a lookup tied to it, or NULL */
	const char *mx_host;
	int mx_pref;            /* -1 when unknown */
	/* how it followed the group's previous attempt, decided at the SYN
	 * (in s->strings), or NULL when there is nothing to say */
	struct mx_judgement *mx_judged;

	/* -w: its frames (the flow side's, handed over when it is over),
	 * the capture's number of its first frame, and its place among the
	 * records not yet over (flowops.c) */
	struct fr_chain frames;
	uint64_t first_frame;
	struct dlist_link open_link;
};

/* Append an event; returns it (zeroed but for t/kind/actor) or NULL when
 * the per-session cap is hit (the drop is counted). */
struct tl_event *sess_add_event(struct session *s, double t, enum ev_kind k,
				enum actor a);

/* A printable copy of s in the session's strings; NULL for NULL or OOM. */
char *sess_strdup(struct session *s, const char *str);

/* Tie a DNS transaction (takes a reference); duplicates are ignored. */
void sess_tie_dns(struct session *s, struct dns_tx *tx, enum dns_relation r);
bool sess_has_dns(const struct session *s, const struct dns_tx *tx);

/* The SMTP dissector's events, turned into timeline entries. */
void sess_on_smtp(void *session, const struct smtp_event *ev);

/* Release everything the session holds and zero it, keeping its buffers
 * (events, ties, first string chunk) for the next session that reuses the
 * record. */
void sess_clear(struct session *s);
/* Everything it holds, buffers too; the record itself is the caller's. */
void sess_release(struct session *s);
/* sess_release, then free(s). */
void sess_free(struct session *s);

/* Banner delay per SPEC: from the handshake ACK (else the SYN-ACK) to the
 * first byte of the greeting; false when unknown. */
bool sess_banner_delay(const struct session *s, double *delay);

/* A TCP segment of the session, as sesstcp.c reads it. */
struct sess_seg {
	double ts;
	uint32_t seq, ackno;
	bool syn, ack, fin, rst;
};
/* The segment's handshake, FIN and RST facts into the record (and
 * s->last), and its timeline events if events; true if it made the
 * session start closing. */
bool sess_tcp_segment(struct session *s, bool from_client,
		      const struct sess_seg *g, bool events);
/* Closing (both FINs, or a reset) since ts, unless it already is: true if
 * it was not. */
bool sess_closing(struct session *s, enum sess_close why, double ts);
/* Over, by why at capture clock now, when nothing closed it before: a
 * timeout's event says which side went silent. */
void sess_end(struct session *s, enum sess_close why, double now);

const char *sess_close_name(enum sess_close c);
const char *one_sided_name(enum one_sided o);
/* A reply's class (2, 3, 4, 5): its code's first digit, or for a reply
 * line without a code (code 0) that of the enhanced status code it holds;
 * 0 if neither. */
int sess_reply_class(const struct tl_event *e);
/* TLS from the first byte (port 465): TLS came, no greeting before it, and
 * the capture saw the session begin (a partial STARTTLS session is not). */
bool sess_implicit_tls(const struct session *s); /* "client_only" ... */
const char *ev_kind_name(enum ev_kind k);
const char *actor_name(enum actor a);
const char *dns_relation_name(enum dns_relation r);

#define SESS_MAX_EVENTS 5000

#endif
