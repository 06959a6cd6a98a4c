/* test_outfile.c - the report file reopened on SIGHUP (issue 11): what was
 * written before stays in the file that was moved away, what comes after
 * goes to a new file of the name given, nothing is lost or split; a file
 * that cannot be reopened leaves the report writing where it did. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/outfile.h"

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;
	cr_assert_not_null(f, "%s should exist", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

Test(outfile, rotation_moves_on_at_a_record_boundary)
{
	char dir[] = "/tmp/mxray-outfile-XXXXXX", name[128], moved[128];
	FILE *f;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(name, sizeof(name), "%s/report.ndjson", dir);
	snprintf(moved, sizeof(moved), "%s/report.ndjson.1", dir);
	f = fopen(name, "w");
	cr_assert_not_null(f);
	outfile_set(f, name);
	outfile_boundary(f); /* nothing asked: nothing happens */
	fputs("{\"line\": 1}\n", f);
	fputs("{\"line\": 2", f); /* buffered, not yet flushed */
	cr_assert_eq(rename(name, moved), 0);
	outfile_request_reopen();
	outfile_boundary(stdout); /* another stream: not this one's business */
	fputs("}\n", f); /* the record ends before the boundary */
	outfile_boundary(f);
	fputs("{\"line\": 3}\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(slurp(moved), "{\"line\": 1}\n{\"line\": 2}\n");
	cr_assert_str_eq(slurp(name), "{\"line\": 3}\n");
	unlink(name);
	unlink(moved);
	rmdir(dir);
}

Test(outfile, a_file_that_cannot_be_reopened_keeps_the_old_one,
     .init = cr_redirect_stderr)
{
	char dir[] = "/tmp/mxray-outfile-XXXXXX", name[128], gone[160];
	FILE *f;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(name, sizeof(name), "%s/report.txt", dir);
	snprintf(gone, sizeof(gone), "%s/no-such-dir/report.txt", dir);
	f = fopen(name, "w");
	cr_assert_not_null(f);
	outfile_set(f, gone);
	fputs("before\n", f);
	outfile_request_reopen();
	outfile_boundary(f);
	fputs("after\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(slurp(name), "before\nafter\n");
	{
		char said[512] = "";
		FILE *err = cr_get_redirected_stderr();
		fflush(stderr);
		cr_assert_not_null(fgets(said, sizeof(said), err));
		cr_assert_not_null(strstr(said, "no-such-dir/report.txt: cannot "
						"reopen (No such file or "
						"directory); still writing"),
				   "said: %s", said);
	}
	unlink(name);
	rmdir(dir);
}
