/* findings.h - diagnosis rules over one finished session.
 *
 * Each rule reads the session's facts (handshake, timeline, unanswered
 * commands, tied DNS lookups) and may add findings: a stable code, a
 * severity, when it began, how long it lasted, one plain sentence for a
 * ticket, and the evidence lines it rests on.
 */
#ifndef MXRAY_FINDINGS_H
#define MXRAY_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/session.h"

enum finding_code {
#define FINDING(e, name, sev, needs, loss) F_##e,
#include "diagnose/findings.def"
#undef FINDING
	F__COUNT
};

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

#define FINDING_MAX_EVIDENCE 8
#define FINDING_MAX_CAUSE 8

struct cause_item {
	const struct dns_tx *tx;
	enum dns_relation rel;
	double overlap_s; /* seconds of the wait this lookup was outstanding */
};

struct finding {
	enum finding_code code;
	enum severity sev;
	/* the session was open while the capture dropped packets, and those
	 * could explain this finding (findings.def) */
	bool uncertain;
	double t;
	bool has_duration;
	double duration;
	char summary[512];
	char *evidence[FINDING_MAX_EVIDENCE]; /* owned */
	size_t n_evidence;
	/* banner.slow (and client.gave_up): what the wait is explained by */
	bool has_cause;
	double explained_s;
	struct cause_item cause[FINDING_MAX_CAUSE];
	size_t n_cause;
	const char *suspects; /* when DNS does not explain the wait */
	/* client.gave_up: how much longer the banner needed, if known */
	bool has_needed;
	double needed_s;
	const char *remedy; /* known remedy, for the text report */
};

struct finding_list {
	struct finding *v;
	size_t n, cap;
};

struct fnd_config {
	double slow_banner; /* s */
	double slow_dns;    /* s */
	double stall;       /* s */
	double slow_reply;  /* s, a reply to MAIL or RCPT */
};

/* The thresholds the command line's help gives as defaults. */
void fnd_config_defaults(struct fnd_config *c);
void findings_eval(const struct session *s, const struct fnd_config *c,
		   struct finding_list *out);
void findings_clear(struct finding_list *l);

const char *finding_code_name(enum finding_code c);
const char *severity_name(enum severity s);

#endif
