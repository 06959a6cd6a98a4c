/* outfile.c - see outfile.h. */
#include "report/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static FILE *out_file;
static const char *out_name;
static atomic_int reopen_requested;

void outfile_set(FILE *f, const char *name)
{
	out_file = f;
	out_name = name;
}

void outfile_request_reopen(void)
{
	atomic_store_explicit(&reopen_requested, 1, memory_order_relaxed);
}

void outfile_boundary(FILE *f)
{
	int fd;
	if (f != out_file || !atomic_exchange_explicit(&reopen_requested, 0,
						       memory_order_relaxed))
		return;
	fflush(f);
	/* the FILE stays (the report and its writer hold it); the
	 * descriptor under it changes */
	fd = open(out_name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || dup2(fd, fileno(f)) < 0) {
		fprintf(stderr, "mxray: %s: cannot reopen (%s); still writing "
				"to the file that was open\n",
			out_name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
}
