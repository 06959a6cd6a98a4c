/* jdump.h - a jansson value written as jansson's own json_dump writes it
 * with the reports' flags (RJ_FLAGS, and JSON_INDENT(2) or JSON_COMPACT),
 * byte for byte, straight into a text buffer.  jansson hands its text to
 * a callback a few bytes at a time and prints every real through
 * snprintf("%.16g"); a report of a busy capture holds millions of both.
 * Here runs of plain text go in with one copy, and a real takes an exact
 * integer path (snprintf only when that path cannot be sure of the last
 * digit).  tests/test_jdump.c holds it to json_dumpb on every golden
 * file and on millions of generated values. */
#ifndef MXRAY_JDUMP_H
#define MXRAY_JDUMP_H

#include <jansson.h>

#include "base/textbuf.h"

/* v appended to b as json_dumpb(v, RJ_FLAGS | JSON_INDENT(2)) writes it
 * when v stands `depth` containers deep (its inner lines indented for
 * that depth, its first line not); indent 0: as with JSON_COMPACT.
 * 0, or -1 where jansson fails too (a string that is not UTF-8, a NaN)
 * or on OOM. */
int jd_dump(struct textbuf *b, const json_t *v, int indent, int depth);

/* "%.16g" of x as jansson writes a real (".0" added to an integer,
 * no "+" or leading zeros in an exponent) into out; its length, or -1
 * for a NaN or infinity. */
int jd_real(char out[32], double x);

#endif
