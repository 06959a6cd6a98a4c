/* privs.h - giving up root once the capture and the output are open (-Z,
 * as tcpdump): a sensor left running on a mirror port should not parse
 * hostile packets with every capability. */
#ifndef MXRAY_PRIVS_H
#define MXRAY_PRIVS_H

#include <stdbool.h>

#include "base/util.h"

enum privs_result {
	PRIVS_OK = 0,
	PRIVS_FAILED = -1, /* errbuf says why */
	PRIVS_NO_USER = -2, /* -Z names no user: a usage error */
};

/* Become user (its groups, gid and uid), with no capability left and no
 * way back (the bounding set emptied, no_new_privs).  user NULL: nobody
 * when root and default_nobody (live capture), else nothing changes.
 * "root" keeps root.  Called before any thread starts: set*id changes
 * the calling thread first. */
enum privs_result privs_drop(const char *user, bool default_nobody,
			     char errbuf[MX_ERRBUF_SIZE]);

#endif
