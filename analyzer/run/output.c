/* output.c - see output.h. */
#include "run/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* For the signal handler: the temporary files (the report, -w's). */
#define MAX_TMP 2
static char tmp_for_signal[MAX_TMP][4096];

static void note_tmp(const char *tmp)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (!tmp_for_signal[i][0]) {
			snprintf(tmp_for_signal[i], sizeof(tmp_for_signal[i]),
				 "%s", tmp);
			return;
		}
}

static void forget_tmp(const char *tmp)
{
	for (int i = 0; tmp && i < MAX_TMP; i++)
		if (!strcmp(tmp_for_signal[i], tmp))
			tmp_for_signal[i][0] = 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

bool output_same_target(const char *a, const char *b)
{
	struct stat x, y, null;
	const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
	char da[4096], db[4096];
	if (stat(a, &x) == 0 && stat(b, &y) == 0)
		return same_file(&x, &y) &&
		       !(stat("/dev/null", &null) == 0 &&
			 x.st_rdev == null.st_rdev && S_ISCHR(x.st_mode));
	snprintf(da, sizeof da, "%.*s", na ? (int)(na - a) + 1 : 1,
		 na ? a : ".");
	snprintf(db, sizeof db, "%.*s", nb ? (int)(nb - b) + 1 : 1,
		 nb ? b : ".");
	return !strcmp(na ? na + 1 : a, nb ? nb + 1 : b) &&
	       stat(da, &x) == 0 && stat(db, &y) == 0 && same_file(&x, &y);
}

/* Which input name is, if any; NULL when none (or name does not exist). */
static const char *input_named(const char *name, char *const *inputs,
			       size_t n)
{
	struct stat out, in;
	if (stat(name, &out) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int r = strcmp(inputs[i], "-") ? stat(inputs[i], &in)
					       : fstat(STDIN_FILENO, &in);
		/* a terminal or /dev/null as both is harmless */
		if (r == 0 && S_ISREG(in.st_mode) && same_file(&out, &in))
			return strcmp(inputs[i], "-") ? inputs[i]
						      : "standard input";
	}
	return NULL;
}

/* name's directory with "/.NAME.XXXXXX" (mkstemp's template), or NULL. */
static char *tmp_template(const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t dir = slash ? (size_t)(slash - name) + 1 : 0;
	size_t len = strlen(name) + 16;
	char *t = malloc(len);
	if (t)
		snprintf(t, len, "%.*s.%s.XXXXXX", (int)dir, name, name + dir);
	return t;
}

/* old: the file the report replaces (its mode is kept), or NULL */
static enum output_result open_tmp(struct output *o, const struct stat *old,
				   char errbuf[MX_ERRBUF_SIZE])
{
	mode_t mask = umask(0);
	int fd;
	umask(mask);
	if (!(o->tmp = tmp_template(o->name))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		return OUTPUT_FAILED;
	}
	if ((fd = mkstemp(o->tmp)) < 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", o->name,
			 strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return OUTPUT_FAILED;
	}
	/* the mode of the file it replaces, else as fopen would have made
	 * it (mkstemp makes 0600) */
	fchmod(fd, old ? old->st_mode & 07777 : 0666 & ~mask);
	if (!(o->f = fdopen(fd, "w"))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", o->name,
			 strerror(errno));
		close(fd);
		output_discard(o);
		return OUTPUT_FAILED;
	}
	note_tmp(o->tmp);
	return OUTPUT_OK;
}

enum output_result output_open(struct output *o, const char *opt,
			       const char *name, char *const *inputs,
			       size_t n_inputs, enum output_mode mode,
			       char errbuf[MX_ERRBUF_SIZE])
{
	struct stat sb;
	const char *in;

	memset(o, 0, sizeof(*o));
	o->name = name;
	o->what = strcmp(opt, "-w") ? "the report" : "the packets";
	if ((in = input_named(name, inputs, n_inputs))) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "%s %s: that is the input %s; refusing to write %s "
			 "over it", opt, name, in, o->what);
		return OUTPUT_IS_INPUT;
	}
	if (stat(name, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: is a directory", name);
		return OUTPUT_FAILED;
	}
	/* a FIFO, a device (/dev/null) cannot be renamed over, and a rename
	 * would replace a symbolic link or split a hard link: those are
	 * written in place */
	if (mode == OUTPUT_RENAME) {
		bool exists = lstat(name, &sb) == 0;
		if (!exists || (S_ISREG(sb.st_mode) && sb.st_nlink == 1))
			return open_tmp(o, exists ? &sb : NULL, errbuf);
	}
	if (!(o->f = fopen(name, mode == OUTPUT_APPEND ? "a" : "w"))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", name,
			 strerror(errno));
		return OUTPUT_FAILED;
	}
	return OUTPUT_OK;
}

int output_close(struct output *o, char errbuf[MX_ERRBUF_SIZE])
{
	int rc = 0;
	if (o->f && fclose(o->f) != 0) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s", o->name,
			 strerror(errno));
		rc = -1;
	}
	o->f = NULL;
	if (o->tmp && rc == 0 && rename(o->tmp, o->name) != 0) {
		/* the report is whole: keep it, and say where it is */
		snprintf(errbuf, MX_ERRBUF_SIZE, "%s: %s; %s %s in %s",
			 o->name, strerror(errno), o->what,
			 strcmp(o->what, "the report") ? "are" : "is", o->tmp);
		rc = -1;
	} else if (o->tmp && rc != 0) {
		unlink(o->tmp);
	}
	forget_tmp(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	return rc;
}

void output_discard(struct output *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	forget_tmp(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}

void output_unlink_tmp(void)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_for_signal[i][0])
			unlink(tmp_for_signal[i]);
}
