/* findings_int.h - what the rule files of the diagnose layer share:
 * building a finding and the questions they ask of a session.  Private
 * to findings*.c. */
#ifndef MXRAY_FINDINGS_INT_H
#define MXRAY_FINDINGS_INT_H

#include "diagnose/findings.h"

struct names {
	char cli[MX_ADDRSTR], srv[MX_ADDRSTR];
};

/* A new finding at t in l (zeroed but code, severity, t); NULL on OOM. */
struct finding *fnd_add(struct finding_list *l, enum finding_code code,
			double t);
void fnd_set_duration(struct finding *f, double d);
__attribute__((format(printf, 2, 3))) void
fnd_summary(struct finding *f, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void
fnd_evidence(struct finding *f, const char *fmt, ...);

/* The command an event answers ("MAIL", "." ...). */
const char *fnd_verb_of(const struct tl_event *e);
void fnd_names_of(const struct session *s, struct names *n);
/* t relative to the session's first SYN. */
double fnd_rel(const struct session *s, double t);
double fnd_session_end(const struct session *s);
/* Seconds of [from, to] the server's outstanding lookups cover; fills
 * f's cause list. */
double fnd_explain_wait(const struct session *s, double from, double to,
			struct finding *f);
/* The cause in words (or the suspects) for a wait of `wait` seconds. */
void fnd_cause_sentence(const struct session *s, struct finding *f,
			double wait, char *buf, size_t cap);
/* the remedy for the cause's first (dominant) lookup; needs n_cause > 0 */
const char *fnd_cause_remedy(const struct finding *f);
void fnd_add_cause_evidence(const struct session *s, struct finding *f);

/* findings_dialog.c: the rules on the SMTP dialogue after the greeting */
void fnd_rule_stalls(const struct session *s, const struct fnd_config *c,
		     struct finding_list *out);
void fnd_rule_replies(const struct session *s, struct finding_list *out);
void fnd_rule_slow_envelope(const struct session *s,
			    const struct fnd_config *c,
			    struct finding_list *out, size_t first);

#endif
