/* privs.c - see privs.h. */
#include "run/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

/* Capabilities are numbered from 0; the kernel refuses (EINVAL) the
 * first number past the last it knows. */
#define PRIVS_MAX_CAP 64

static void empty_bounding_set(void)
{
	for (int cap = 0; cap < PRIVS_MAX_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
		    errno == EINVAL)
			break;
}

enum privs_result privs_drop(const char *user, bool default_nobody,
			     char errbuf[MX_ERRBUF_SIZE])
{
	struct passwd *pw;

	if (!user) {
		if (!default_nobody || geteuid() != 0)
			return PRIVS_OK;
		user = "nobody";
	}
	errno = 0;
	if (!(pw = getpwnam(user))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "-Z: no such user '%s'%s%s",
			 user, errno ? ": " : "", errno ? strerror(errno) : "");
		return PRIVS_NO_USER;
	}
	if (pw->pw_uid == 0)
		return PRIVS_OK; /* -Z root: asked to keep it */
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return PRIVS_OK;
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "-Z %s: only root can change to another user", user);
		return PRIVS_FAILED;
	}
	empty_bounding_set();
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "-Z %s: cannot change to it: %s",
			 user, strerror(errno));
		return PRIVS_FAILED;
	}
	/* setuid from root to another uid clears the permitted and
	 * effective capabilities; make sure, and that nothing regains them
	 * (a setuid program run later) */
	if (setuid(0) == 0 || getuid() != pw->pw_uid) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "-Z %s: root could be regained; stopping", user);
		return PRIVS_FAILED;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return PRIVS_OK;
}
