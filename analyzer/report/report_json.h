/* report_json.h - jansson builders for sessions, DNS transactions and
 * findings, shared by the JSON and NDJSON writers.  Every builder returns
 * a new reference (caller json_decref's it) or NULL on OOM. */
#ifndef MXRAY_REPORT_JSON_H
#define MXRAY_REPORT_JSON_H

#include <jansson.h>

#include "diagnose/findings.h"
#include "model/session.h"
#include "report/timeline.h"

/* JSON dump flags: insertion order (SPEC order, deterministic) and reals
 * with 16 significant digits, enough for epoch seconds with microseconds. */
#define RJ_FLAGS (JSON_REAL_PRECISION(16) | JSON_ENSURE_ASCII)

/* type: NULL, or the value of a leading "type" key (NDJSON lines). */
json_t *rj_session(const struct session *s, const struct finding_list *fl,
		   const char *type, struct tl_scratch *sc);
/* rel_override < 0: the transaction's first relation ("other" if none). */
json_t *rj_dns(const struct dns_tx *tx, int rel_override, const char *type);
json_t *rj_time(double t);

#endif
