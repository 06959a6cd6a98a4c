/* dnstrack.h - DNS transactions: query/response matching, rtt,
 * retransmissions, unanswered queries, in a bounded time window.
 *
 * A transaction is matched on (asker, resolver, transport, id, qname,
 * qtype).  Transactions are reference counted: the table holds one
 * reference while a transaction is in its window; a session that ties a
 * lookup holds another, so a tie outlives the window safely.  When a
 * transaction leaves the window it is handed to the expiry callback (for
 * the report's "dns" list) exactly once.
 *
 * Secondary indexes answer the correlation questions keyed on what
 * identifies the answer wanted, so a look-up never walks the lookups of
 * other hosts: by asker and question, by asker and answered address, by
 * asker and MX exchange name, by asker and the address a DNSBL-style name
 * encodes, and by asker alone (in creation order, searched by time); an
 * A/AAAA lookup's name record (dtnames.h) counts the live PTR answers that
 * give that name.  Index entries and asker records come from pools, so a
 * busy window allocates nothing for them once warm.  The record of one
 * transaction and its response is dnstx.c's.
 */
#ifndef MXRAY_DNSTRACK_H
#define MXRAY_DNSTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/btable.h"
#include "dns.h"
#include "model/dtnames.h"
#include "base/pool.h"
#include "base/util.h"

#define DNS_TX_FRAMES 6

struct dt_node;  /* index entry, private */
struct dt_asker; /* the asker's transactions in creation order, private */

struct dns_tx {
	unsigned refs;
	uint64_t seq; /* creation order, for stable output */
	struct mx_endpoint asker, resolver;
	bool tcp;
	uint16_t id;
	char *qname; /* in qname_buf */
	uint16_t qtype;

	bool has_query;
	double query_t;  /* first query */
	double last_query_t;
	unsigned retransmissions;
	bool has_response;
	double response_t;
	uint16_t rcode;
	bool tc;          /* the server set TC: the answer did not fit */
	bool capture_cut; /* the capture's snaplen cut the response */
	unsigned anomalies; /* the response's DNS_ANOM_* bits (a bad record
			       left out, trailing bytes ...) */

	/* The response's records, all in one allocation (mem): */
	char *mem;
	char **answers; /* rendered answer-section records */
	size_t n_answers;
	char **names;   /* PTR/CNAME/MX targets (lower-case) */
	uint16_t *prefs; /* parallel to names: MX preference, else 0 */
	uint16_t *name_types; /* parallel to names: the record's type */
	size_t n_names;
	struct mx_addr *addrs; /* A/AAAA answers */
	size_t n_addrs;
	struct mx_addr *glue;  /* additional-section addresses (MX glue) */
	char **glue_names;     /* parallel to glue: the owner names */
	size_t n_glue;

	int first_rel;  /* relation of the first session that tied it, or -1 */

	/* -w: the capture's numbers of its frames (model/frames.h), the
	 * first DNS_TX_FRAMES of them */
	uint64_t frame_seq[DNS_TX_FRAMES];
	uint8_t n_frames;

	/* private */
	double clock;            /* the table's clock when it was created */
	struct mx_addr dnsbl;    /* the address a DNSBL name encodes, or 0 */
	/* A/AAAA: the record of its name, for "does a PTR answer give
	 * it?"; PTR: the records of the names its answer gives (those of
	 * PTR records, NULL for others), parallel to names */
	struct dt_name *qname_rec;
	struct dt_name **target_recs;

	/* The address the question is about, read once from its name: a
	 * reverse (in-addr.arpa, ip6.arpa) name, else a DNSBL-style one;
	 * family 0 when neither. */
	struct mx_addr about;
	struct dt_node *nodes;   /* its index entries, through tx_next */
	struct dt_asker *by_asker;
	/* in the window (link.aged), found by its match key */
	struct bt_link link;
	char qname_buf[]; /* as long as the name */
};

struct dt_table; /* opaque */

typedef void (*dt_expire_fn)(void *ctx, struct dns_tx *tx);

struct dt_config {
	double window_s;  /* how long a transaction stays matchable */
	size_t max_tx;    /* cap; the oldest are expired first */
};

struct dt_table *dt_new(const struct dt_config *cfg, dt_expire_fn fn,
			void *ctx);
/* Expires everything left (fn is called for each), then frees. */
void dt_free(struct dt_table *t);

/* One parsed DNS message seen from src to dst at ts.  Returns the
 * transaction it created or updated (borrowed), or NULL when ignored. */
struct dns_tx *dt_message(struct dt_table *t, const struct dns_msg *m,
			  const struct mx_endpoint *src,
			  const struct mx_endpoint *dst, bool tcp, double ts);

/* Expire transactions whose window ended before now. */
void dt_expire(struct dt_table *t, double now);

/* A transaction record from pool with that question name and one
 * reference, all else zero (the table fills the rest; tests build their
 * own).  It may outlive the pool's owner (pool.h). */
struct dns_tx *dns_tx_new(struct pool *pool, const char *qname);
/* The response's records into the record (once), from pool: 0, or -1 on
 * OOM (the response is then kept without its records). */
int dns_tx_fill(struct pool *pool, struct dns_tx *tx, const struct dns_msg *m,
		double ts);
void dns_tx_ref(struct dns_tx *tx);
void dns_tx_unref(struct dns_tx *tx);

/* Index look-ups: call fn for every live transaction with that key, newest
 * first; stop early when fn returns non-zero.  `asker` is the host that
 * asked.  Where a look-up takes `from`, the walk ends at the first
 * transaction that cannot have been asked at or after it (its time is
 * earlier, and so is every older one's, disorder in the capture included):
 * the visitor still filters by time itself. */
typedef int (*dt_visit_fn)(void *ctx, struct dns_tx *tx);
void dt_by_question(struct dt_table *t, const struct mx_addr *asker,
		    const char *qname, uint16_t qtype, double from,
		    dt_visit_fn fn, void *ctx);
void dt_by_answer_addr(struct dt_table *t, const struct mx_addr *asker,
		       const struct mx_addr *a, dt_visit_fn fn, void *ctx);
void dt_by_mx_name(struct dt_table *t, const struct mx_addr *asker,
		   const char *name, dt_visit_fn fn, void *ctx);
void dt_by_dnsbl_addr(struct dt_table *t, const struct mx_addr *asker,
		      const struct mx_addr *a, double from, dt_visit_fn fn,
		      void *ctx);
/* Every transaction asker made after transaction number `after_seq` (0:
 * all), newest first, skipping at once those that cannot have been asked
 * at or before `until` (INFINITY: none skipped). */
void dt_by_asker(struct dt_table *t, const struct mx_addr *asker,
		 uint64_t after_seq, double until, dt_visit_fn fn, void *ctx);
/* What asker asked in [from, until] that is not recognizably about
 * another host than `client` (a reverse or DNSBL name of another address,
 * or the forward check of a name a live PTR answer gave), newest first,
 * ending at the first transaction asked before `from` (as ever: a capture
 * out of time order may hide an older one behind it). */
void dt_asker_others(struct dt_table *t, const struct mx_addr *asker,
		     const struct mx_addr *client, double from, double until,
		     dt_visit_fn fn, void *ctx);
/* Whether asker made a transaction after number after_seq that was asked
 * in [from, until]: a walk over that period repeated now would find it. */
bool dt_asker_new_in(struct dt_table *t, const struct mx_addr *asker,
		     uint64_t after_seq, double from, double until);
struct dt_stats {
	uint64_t transactions; /* created */
	uint64_t live;
	uint64_t evicted;      /* expired early because of max_tx */
	uint64_t unparsable;   /* messages dns_parse rejected */
};
void dt_get_stats(const struct dt_table *t, struct dt_stats *st);
/* The seq of the newest transaction so far, and how many transactions
 * with PTR answers have left the window: a walk repeated later sees
 * nothing new where neither changed. */
uint64_t dt_last_seq(const struct dt_table *t);
uint64_t dt_ptr_answers_gone(const struct dt_table *t);
void dt_count_unparsable(struct dt_table *t);

/* The time a transaction sorts by: its query, else its response. */
double dns_tx_time(const struct dns_tx *tx);

/* MX transactions: the preference of exchange `host` (-1 if not listed),
 * and the exchange whose glue address is `a` (NULL if none). */
int dns_tx_mx_pref(const struct dns_tx *tx, const char *host);
const char *dns_tx_glue_host(const struct dns_tx *tx, const struct mx_addr *a);

#endif
