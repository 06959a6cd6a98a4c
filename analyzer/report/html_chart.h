/* html_chart.h - the summary charts of --format html as inline SVG, from
 * fixed-size histograms filled as sessions and lookups go by (nothing
 * grows with the capture):
 *   - a duration distribution on a log scale (banner delays, DNS
 *     response times) with a threshold marked;
 *   - sessions over time, stacked by their worst finding, in a fixed
 *     number of bins whose width doubles when the capture outgrows them. */
#ifndef MXRAY_HTML_CHART_H
#define MXRAY_HTML_CHART_H

#include <stdbool.h>
#include <stdint.h>

#include "base/textbuf.h"

/* Bin 0: under 1 ms; bins 1..24: a quarter decade each, 1 ms to 1000 s;
 * bin 25: 1000 s and more. */
#define HC_LOG_BINS 26
struct hc_loghist {
	uint64_t n[HC_LOG_BINS];
	uint64_t total, over; /* over: above the threshold given to _add */
};
int hc_log_bin(double s);
void hc_loghist_add(struct hc_loghist *h, double s, double threshold);
/* An SVG bar chart of h; the threshold as a dashed line with its value;
 * what names the quantity ("banner delay"). */
void hc_loghist_svg(struct textbuf *b, const struct hc_loghist *h,
		    double threshold, const char *what);

/* Levels: 0 no finding, 1 info, 2 warning, 3 error. */
#define HC_TIME_BINS 96
#define HC_LEVELS 4
struct hc_timehist {
	bool any;
	double origin, width; /* bin i covers origin + i*width, width s */
	uint64_t n[HC_TIME_BINS][HC_LEVELS];
};
/* Counts a session that started at t (capture time) at its level; the
 * bins double in width (pairs merged) until t fits, on either side. */
void hc_timehist_add(struct hc_timehist *h, double t, int level);
uint64_t hc_timehist_total(const struct hc_timehist *h);
void hc_timehist_svg(struct textbuf *b, const struct hc_timehist *h);

#endif
