/* privs.c - see privs.h. */
#include "run/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Capabilities are numbered from 0; the kernel refuses (EINVAL) the
 * first number past the last it knows. */
#define PRIVS_MAX_CAP 64

enum privs_result privs_plan(const char *user, bool default_nobody,
			     struct privs_plan *plan,
			     char errbuf[MX_ERRBUF_SIZE])
{
	struct passwd *pw;
	bool by_default = !user;

	memset(plan, 0, sizeof(*plan));
	if (!user) {
		if (!default_nobody || geteuid() != 0)
			return PRIVS_OK;
		user = "nobody";
	}
	errno = 0;
	if (!(pw = getpwnam(user))) {
		if (by_default)
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "no user 'nobody' to capture as: give -Z USER "
				 "(or -Z root to keep root)");
		else
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "-Z: no such user '%s'%s%s", user,
				 errno ? ": " : "", errno ? strerror(errno) : "");
		return PRIVS_NO_USER;
	}
	if (pw->pw_uid == 0 || pw->pw_uid == geteuid())
		return PRIVS_OK; /* -Z root, or who we are already */
	if (geteuid() != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "-Z %s: only root can change to another user", user);
		return PRIVS_FAILED;
	}
	plan->change = true;
	snprintf(plan->name, sizeof(plan->name), "%s", pw->pw_name);
	plan->uid = pw->pw_uid;
	plan->gid = pw->pw_gid;
	return PRIVS_OK;
}

/* No capability at all: ambient, then permitted, effective, inheritable. */
static int clear_capabilities(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return (int)syscall(SYS_capset, &hdr, data);
}

static enum privs_result become(const struct privs_plan *plan,
				char errbuf[MX_ERRBUF_SIZE])
{
	for (int cap = 0; cap < PRIVS_MAX_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
			if (errno == EINVAL)
				break;
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "-Z %s: cannot empty the capability bounding "
				 "set: %s", plan->name, strerror(errno));
			return PRIVS_FAILED;
		}
	if (initgroups(plan->name, plan->gid) != 0 ||
	    setgid(plan->gid) != 0 || setuid(plan->uid) != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "-Z %s: cannot change to it: %s",
			 plan->name, strerror(errno));
		return PRIVS_FAILED;
	}
	if (setuid(0) == 0 || getuid() != plan->uid) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "-Z %s: root could be regained; stopping", plan->name);
		return PRIVS_FAILED;
	}
	return PRIVS_OK;
}

enum privs_result privs_drop(const struct privs_plan *plan,
			     char errbuf[MX_ERRBUF_SIZE])
{
	enum privs_result r;
	if (plan->change && (r = become(plan, errbuf)) != PRIVS_OK)
		return r;
	if (geteuid() == 0) /* root kept (-Z root, reading files) */
		return PRIVS_OK;
	/* setuid from root cleared them already; a user given some (file
	 * or ambient capabilities) gives them up now */
	if (clear_capabilities() != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "cannot give up capabilities: %s", strerror(errno));
		return PRIVS_FAILED;
	}
	return PRIVS_OK;
}
