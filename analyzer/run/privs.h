/* privs.h - giving up root once the capture and the output are open (-Z,
 * as tcpdump): a sensor left running on a mirror port should not parse
 * hostile packets with every capability. */
#ifndef MXRAY_PRIVS_H
#define MXRAY_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/util.h"

enum privs_result {
	PRIVS_OK = 0,
	PRIVS_FAILED = -1,  /* errbuf says why */
	PRIVS_NO_USER = -2, /* -Z names no user: a usage error */
};

/* Who to become, decided before anything is opened (so a mistyped -Z
 * touches no file). */
struct privs_plan {
	bool change;  /* root becomes another user */
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* user: -Z's value or NULL; default_nobody: live capture, where root
 * without -Z becomes nobody ("root" keeps root). */
enum privs_result privs_plan(const char *user, bool default_nobody,
			     struct privs_plan *plan,
			     char errbuf[MX_ERRBUF_SIZE]);
/* Carry the plan out: the user's groups, gid and uid, the capability
 * bounding set emptied; then, whoever we are, no capability left (a
 * non-root user given CAP_NET_RAW keeps none once the capture is open)
 * and no way back (no_new_privs).  Before any thread starts: set*id
 * changes the calling thread first. */
enum privs_result privs_drop(const struct privs_plan *plan,
			     char errbuf[MX_ERRBUF_SIZE]);

#endif
