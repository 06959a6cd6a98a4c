/* test_jdump.c - jd_dump writes what jansson's json_dumpb writes with the
 * reports' flags, byte for byte: every golden JSON file (parsed, then
 * dumped both ways, indented at several depths and compact), reals of
 * every kind the reports hold and of every magnitude, strings of every
 * byte and of random UTF-8, valid and not. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jdump.h"
#include "report/report_json.h"

/* jansson's text for v at depth (the dump of v wrapped in depth arrays,
 * the wrappers' lines cut off, as report_writer.c once did), or NULL. */
static char *jansson_text(json_t *v, int indent, int depth, size_t *len)
{
	json_t *w = json_incref(v);
	size_t flags = RJ_FLAGS | JSON_ENCODE_ANY |
		       (indent ? JSON_INDENT(indent) : JSON_COMPACT);
	size_t n, head = 0, tail = 0;
	char *buf;
	for (int i = 0; i < depth; i++) {
		json_t *a = json_array();
		json_array_append_new(a, w);
		w = a;
	}
	n = json_dumpb(w, NULL, 0, flags);
	if (n == 0) {
		json_decref(w);
		return NULL;
	}
	buf = malloc(n + 1);
	cr_assert_eq(json_dumpb(w, buf, n, flags), n);
	json_decref(w);
	buf[n] = '\0';
	if (indent) /* "[\n  [\n    " ... "\n  ]\n]" */
		for (int i = 0; i < depth; i++) {
			head += 2 + (size_t)(indent * (i + 1));
			tail += 2 + (size_t)(indent * i);
		}
	else
		head = tail = (size_t)depth;
	cr_assert_geq(n, head + tail);
	memmove(buf, buf + head, n - head - tail);
	*len = n - head - tail;
	buf[*len] = '\0';
	return buf;
}

static void same_as_jansson(json_t *v, int indent, int depth, const char *what)
{
	struct textbuf b = {0};
	size_t n = 0;
	char *want = jansson_text(v, indent, depth, &n);
	int rc = jd_dump(&b, v, indent, depth);
	if (!want) {
		cr_assert_neq(rc, 0, "%s: jansson fails, jd_dump does not", what);
	} else {
		cr_assert_eq(rc, 0, "%s: jd_dump fails, jansson does not", what);
		cr_assert_eq(b.len, n, "%s (indent %d, depth %d): %zu bytes, "
				       "jansson %zu", what, indent, depth,
			     b.len, n);
		cr_assert(memcmp(b.p, want, n) == 0,
			  "%s (indent %d, depth %d): differs from jansson",
			  what, indent, depth);
	}
	free(want);
	tb_free(&b);
}

static size_t golden_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	cr_assert_not_null(d, "%s", dir);
	while ((e = readdir(d))) {
		char path[512];
		json_error_t err;
		json_t *v;
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		v = json_load_file(path, JSON_DECODE_ANY, &err);
		cr_assert_not_null(v, "%s: %s", path, err.text);
		for (int depth = 0; depth < 4; depth++) {
			same_as_jansson(v, 2, depth, path);
			same_as_jansson(v, 0, depth, path);
		}
		json_decref(v);
		n++;
	}
	closedir(d);
	return n;
}

Test(jdump, every_golden_file_as_jansson_writes_it)
{
	size_t n = golden_in("tests/expected") + golden_in("tests/expected/lab");
	cr_assert_gt(n, 30, "only %zu golden files found", n);
}

static void real_as_printf(double x)
{
	char got[32], want[64];
	int n = jd_real(got, x);
	json_t *r = json_real(x);
	size_t m;
	if (!isfinite(x)) /* json_real refuses them */
		return;
	/* jansson's dump of the real is the reference */
	m = json_dumpb(r, want, sizeof want - 1, RJ_FLAGS | JSON_ENCODE_ANY);
	json_decref(r);
	cr_assert_gt(m, 0, "%.17g", x);
	want[m] = '\0';
	cr_assert_eq(n, (int)m, "%.17g: \"%s\", jansson \"%s\"", x, got, want);
	cr_assert_str_eq(got, want, "%.17g", x);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
	/* xorshift64*: reproducible, no libc state */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717u;
}

Test(jdump, reals_as_jansson_writes_them)
{
	static const double fixed[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1e-4, 9.9999999999999e-5,
		1e-5, 1e15, 1e16, 9999999999999998.0, 1e17, 1e22, 1e300,
		-1e-300, 5e-324, 1.7976931348623157e308, 0.30000000000000004,
		1700000000.0, 1700000000.072011, 1700000000.000001,
		123456.7890125, 2.5, 0.0625, 9007199254740993.0,
		4503599627370497.5, 0.000123456789012345678};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		real_as_printf(fixed[i]);
		real_as_printf(-fixed[i]);
	}
	for (int i = 0; i < 300000; i++) {
		/* what the reports hold: epoch seconds and delays to the
		 * microsecond */
		double t = 1.6e9 + (double)(rnd() % 400000000000000u) / 1e6;
		double d = (double)(int64_t)(rnd() % 2000000000u - 1000000000) / 1e6;
		real_as_printf(round(t * 1e6) / 1e6);
		real_as_printf(d);
		real_as_printf(round(d * 1e4) / 1e4);
	}
	for (int i = 0; i < 200000; i++) {
		/* 16 digits from 9007... on (past 2^53 once scaled), and 17
		 * digits ending in 5: halves and near-halves, every exponent
		 * where "%.16g" writes no exponent */
		char txt[48];
		uint64_t m = 9007199254740992u +
			     rnd() % (10000000000000000u - 9007199254740992u);
		int k = (int)(rnd() % 24);
		snprintf(txt, sizeof txt, "%llue-%d", (unsigned long long)m, k);
		real_as_printf(strtod(txt, NULL));
		m = 10000000000000000u + rnd() % 90000000000000000u;
		m = m - m % 10 + 5;
		snprintf(txt, sizeof txt, "%llue-%d", (unsigned long long)m, k);
		real_as_printf(strtod(txt, NULL));
	}
	for (int i = 0; i < 300000; i++) {
		/* any double at all, of every exponent */
		uint64_t bits = rnd();
		double x;
		memcpy(&x, &bits, sizeof x);
		if (isnan(x) || isinf(x))
			continue;
		real_as_printf(x);
		/* and a few digits short of 16, where halves sit */
		real_as_printf(round(x * 1e3) / 1e3);
	}
}

Test(jdump, strings_as_jansson_writes_them)
{
	char s[64];
	/* every byte alone, then random byte strings (mostly not UTF-8:
	 * both refuse them) and random code points encoded as UTF-8 */
	for (int c = 0; c < 256; c++) {
		json_t *v;
		s[0] = (char)c;
		v = json_stringn_nocheck(s, 1);
		same_as_jansson(v, 2, 0, "one byte");
		json_decref(v);
	}
	for (int i = 0; i < 20000; i++) {
		size_t n = rnd() % sizeof s;
		json_t *v, *o;
		for (size_t j = 0; j < n; j++) {
			uint64_t r = rnd();
			s[j] = (char)(r % 4 ? 0x20 + r % 0x60 : r >> 8);
		}
		v = json_stringn_nocheck(s, n);
		same_as_jansson(v, 0, 0, "random bytes");
		o = json_object();
		json_object_set_new_nocheck(o, "k", v);
		same_as_jansson(o, 2, 1, "random bytes in an object");
		json_decref(o);
	}
	for (int i = 0; i < 20000; i++) {
		size_t n = 0;
		json_t *v;
		while (n + 4 < sizeof s) {
			uint32_t cp = (uint32_t)(rnd() % 0x110000);
			if (cp >= 0xD800 && cp <= 0xDFFF)
				continue;
			if (cp < 0x80) {
				s[n++] = (char)cp;
			} else if (cp < 0x800) {
				s[n++] = (char)(0xC0 | cp >> 6);
				s[n++] = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				s[n++] = (char)(0xE0 | cp >> 12);
				s[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				s[n++] = (char)(0x80 | (cp & 0x3F));
			} else {
				s[n++] = (char)(0xF0 | cp >> 18);
				s[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
				s[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				s[n++] = (char)(0x80 | (cp & 0x3F));
			}
		}
		v = json_stringn_nocheck(s, n);
		same_as_jansson(v, 2, 0, "random UTF-8");
		json_decref(v);
	}
}

Test(jdump, containers_empty_nested_and_mixed)
{
	json_t *v = json_pack("{s:[], s:{}, s:[[],{},[i,f,n,b,b]],"
			      " s:{s:{s:[{}]}}, s:I}",
			      "a", "b", "c", 1, 2.5, 1, 0, "d", "e", "f", "g",
			      (json_int_t)-9223372036854775807);
	cr_assert_not_null(v);
	for (int depth = 0; depth < 5; depth++) {
		same_as_jansson(v, 2, depth, "mixed");
		same_as_jansson(v, 0, depth, "mixed");
	}
	json_decref(v);
}
