/* html_ladder.h - one SMTP session as HTML for --format html: HTML
 * escaping of packet strings, the compressed time scale of the ladder
 * diagrams, and the session's block (header, ladder in inline SVG with
 * client, server and resolver columns, findings with evidence and
 * remedy).  Pure rendering into a textbuf: no I/O, nothing kept. */
#ifndef MXRAY_HTML_LADDER_H
#define MXRAY_HTML_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/textbuf.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "report/timeline.h"

/* ---- escaping -------------------------------------------------------------
 * Appends at most n bytes of s (stopping at a NUL) with & < > " ' as
 * character references, line breaks and tabs as spaces, other control
 * bytes and bytes that are not valid UTF-8 as '?' (the strings come from
 * packets; mx_escape has already made them printable, this does not rely
 * on it).  At most max_chars characters (0: no limit); a longer string is
 * cut and ends with an ellipsis.  Returns true if it was cut. */
bool hx_esc_n(struct textbuf *b, const char *s, size_t n, size_t max_chars);
static inline void hx_esc(struct textbuf *b, const char *s)
{
	hx_esc_n(b, s ? s : "", SIZE_MAX, 0);
}

/* ---- time scale -----------------------------------------------------------
 * Rows of a ladder are at least HX_ROW pixels apart; a quiet gap of dt
 * seconds between two rows adds hx_gap_px(dt): linear (HX_PX_PER_S) up to
 * HX_LINEAR_S, logarithmic beyond, so a 4 s banner wait stays visible and a
 * 10-minute silence does not take the page.  The function is continuous
 * and increasing; gaps past HX_LINEAR_S are drawn with a break mark that
 * gives their real length. */
#define HX_ROW 20.0
#define HX_PX_PER_S 60.0
#define HX_LINEAR_S 1.0
#define HX_LOG_PX 20.0 /* pixels per doubling past HX_LINEAR_S */
double hx_gap_px(double dt);
bool hx_gap_breaks(double dt);

/* Rows drawn per ladder at most; the rest is counted on the page. */
#define HX_MAX_ROWS 400

/* The session's HTML block (a <section> with id = the session id):
 * header, facts, the ladder and the findings. */
void hx_session(struct textbuf *b, const struct session *s,
		const struct finding_list *fl, const struct fnd_config *cfg,
		struct tl_scratch *sc);

/* Its worst severity (-1: no finding) and "delay": the banner delay or the
 * longest finding, whichever is longer (what ranks ladders). */
int hx_worst(const struct finding_list *fl);
double hx_delay(const struct session *s, const struct finding_list *fl);

/* One table row (<tr>) for the session tables: id (a link to its ladder
 * when link), start, endpoints, banner delay, duration, close, worst
 * severity, finding codes, helo, envelope. */
void hx_row(struct textbuf *b, const struct session *s,
	    const struct finding_list *fl, bool link);
/* The <thead> matching hx_row. */
void hx_row_head(struct textbuf *b);

/* Numbers as the other reports print them: "%.3f" exactly. */
void hx_f3(struct textbuf *b, double x);

#endif
