/* test_textwrap.c - text for a terminal (issue 12): lines past the width
 * are broken at spaces and the rest indented under their text; colour
 * codes take no column; nothing is lost or reordered; a word longer than
 * the width stays whole. */
#include <criterion/criterion.h>

#include <string.h>

#include "base/textbuf.h"
#include "report/report_text.h"

/* out with the breaks undone: each "\n" + indent back to one space. */
static void unwrap(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < cap; i++) {
		if (in[i] == '\n' && in[i + 1] == ' ') {
			while (in[i + 1] == ' ')
				i++;
			out[o++] = ' ';
			continue;
		}
		out[o++] = in[i];
	}
	out[o] = 0;
}

static size_t longest_line(const char *s)
{
	size_t best = 0, cur = 0;
	for (; *s; s++) {
		if (*s == '\033') { /* a colour code: no column */
			while (*s && *s != 'm')
				s++;
			continue;
		}
		cur = *s == '\n' ? 0 : cur + 1;
		best = cur > best ? cur : best;
	}
	return best;
}

static const char finding[] =
	"    WARNING banner.slow: The greeting of 203.0.113.25 came 4.030 s "
	"after the handshake (limit 2.000 s); for 4.010 s of it the server "
	"was waiting for DNS.\n";

Test(textwrap, long_lines_break_at_spaces_within_the_width)
{
	struct textbuf b = {0};
	char back[512];
	tb_put(&b, "", 0);
	rt_wrap(finding, strlen(finding), 50, &b);
	tb_putc(&b, 0);
	cr_assert_leq(longest_line(b.p), 50, "%s", b.p);
	cr_assert_gt(strchr(b.p, '\n') - b.p, 30, "the first piece fills the line");
	cr_assert(strstr(b.p, "\n        ") != NULL, "rest hangs under the text: %s",
		  b.p);
	unwrap(b.p, back, sizeof(back));
	cr_assert_str_eq(back + 0, finding, "nothing lost or moved");
	tb_free(&b);
}

Test(textwrap, colour_codes_take_no_column)
{
	static const char in[] = "\033[33mWARNING\033[0m 1234567890 abcdefghijk\n";
	struct textbuf b = {0};
	/* 30 visible columns: fits 30, not 29 */
	rt_wrap(in, strlen(in), 30, &b);
	tb_putc(&b, 0);
	cr_assert_str_eq(b.p, in);
	tb_clear(&b);
	rt_wrap(in, strlen(in), 29, &b);
	tb_putc(&b, 0);
	cr_assert_str_neq(b.p, in);
	tb_free(&b);
}

Test(textwrap, a_word_longer_than_the_width_stays_whole)
{
	static const char in[] =
		"  helo      averyveryveryveryveryveryveryveryverylongname.example\n";
	struct textbuf b = {0};
	rt_wrap(in, strlen(in), 30, &b);
	tb_putc(&b, 0);
	cr_assert(strstr(b.p, "averyveryveryveryveryveryveryveryverylongname.example"),
		  "%s", b.p);
	tb_free(&b);
}

Test(textwrap, timeline_lines_hang_under_their_text)
{
	static const char in[] =
		"         0.023  dns     PTR 10.2.0.192.in-addr.arpa? 203.0.113.25 -> "
		"198.51.100.53 [ptr_of_client], resent 1 time\n";
	struct textbuf b = {0};
	const char *second;
	rt_wrap(in, strlen(in), 70, &b);
	tb_putc(&b, 0);
	second = strchr(b.p, '\n') + 1;
	cr_assert_eq(strspn(second, " "), 24, "under the text column: %s", b.p);
	tb_free(&b);
}

Test(textwrap, wide_characters_take_two_columns)
{
	/* four words of four CJK characters (8 columns each) and three
	 * spaces: 35 columns in 19 characters; a width of 30 must break it,
	 * 35 must not; an accent that combines takes no column (23 columns
	 * in 24 characters) */
	static const char in[] = "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87 \xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87 \xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87 \xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\n";
	static const char accent[] = "abcdefghij klmnopqrs\xcc\x81 tu\n";
	struct textbuf b = {0};
	rt_wrap(in, strlen(in), 35, &b);
	tb_putc(&b, 0);
	cr_assert_str_eq(b.p, in);
	tb_clear(&b);
	rt_wrap(in, strlen(in), 30, &b);
	tb_putc(&b, 0);
	cr_assert_str_neq(b.p, in, "35 columns do not fit in 30");
	tb_clear(&b);
	rt_wrap(accent, strlen(accent), 23, &b);
	tb_putc(&b, 0);
	cr_assert_str_eq(b.p, accent);
	tb_free(&b);
}
