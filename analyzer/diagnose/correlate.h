/* correlate.h - tie DNS transactions to SMTP sessions (the policy layer:
 * it reads only the DNS table's indexes and the session's facts).
 *
 * Relations (SPEC "relation"):
 *   mx_of_domain    the client's MX lookup whose answer (or glue) led to
 *                   the server's address, before the SYN
 *   a_of_mx         the client's A/AAAA lookup of an MX host answered with
 *                   the server's address, before the SYN
 *   ptr_of_client   the server's PTR lookup of the client's address, asked
 *                   between the SYN and the banner
 *   a_of_ptr_name   the server's forward lookup of the name that PTR gave
 *   dnsbl_of_client the server's DNSBL-style lookups of the reversed
 *                   client address
 *   other           anything else the server host asked while the client
 *                   waited for the banner
 *   sender_domain,  the server's lookups of the MAIL FROM / RCPT TO domains
 *   recipient_domain (MX, A, AAAA, TXT for SPF, _dmarc TXT) during the
 *                   session: they hold back the replies to MAIL and RCPT
 */
#ifndef MXRAY_CORRELATE_H
#define MXRAY_CORRELATE_H

#include "model/dnstrack.h"
#include "model/session.h"

/* At the first SYN: the client's MX / A lookups that led here. */
void corr_client_side(struct dt_table *t, struct session *s, double window);

/* The server's lookups about the client; call when the banner arrives and
 * again before the report (ties are de-duplicated).  `until` is the end of
 * the period examined (banner time, or session end if no banner). */
void corr_server_side(struct dt_table *t, struct session *s, double until);

/* The server's lookups of the envelope domains, asked before `until`. */
void corr_envelope(struct dt_table *t, struct session *s, double until);

#endif
