/* html_chart.c - the summary charts: see html_chart.h. */
#include "report/html_chart.h"

#include <math.h>
#include <string.h>

#include "base/util.h"

/* ---- durations on a log scale --------------------------------------------- */

int hc_log_bin(double s)
{
	double b;
	if (!(s >= 0.001)) /* NaN too */
		return 0;
	b = 1 + floor(4 * log10(s / 0.001));
	return b > HC_LOG_BINS - 2 ? HC_LOG_BINS - 1 : (int)b;
}

void hc_loghist_add(struct hc_loghist *h, double s, double threshold)
{
	h->n[hc_log_bin(s)]++;
	h->total++;
	if (s > threshold)
		h->over++;
}

#define LW 470.0
#define LH 178.0
#define LX0 44.0
#define LX1 456.0
#define LY0 26.0
#define LY1 138.0

/* x of a duration, in the continuous position of the bins */
static double log_x(double s)
{
	double pos, bw = (LX1 - LX0) / HC_LOG_BINS;
	if (!(s >= 0.001))
		pos = s > 0 ? 1 - fmin(1, -log10(s / 0.001)) : 0;
	else
		pos = 1 + 4 * log10(s / 0.001);
	if (pos > HC_LOG_BINS)
		pos = HC_LOG_BINS;
	return LX0 + pos * bw;
}

void hc_loghist_svg(struct textbuf *b, const struct hc_loghist *h,
		    double threshold, const char *what)
{
	static const char *const dec[] = {"1ms", "10ms", "0.1s", "1s",
					  "10s", "100s", "1000s"};
	double bw = (LX1 - LX0) / HC_LOG_BINS, tx = log_x(threshold);
	uint64_t max = 1;
	for (int i = 0; i < HC_LOG_BINS; i++)
		if (h->n[i] > max)
			max = h->n[i];
	tb_printf(b, "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
		  LW, LH, LW, LH);
	tb_printf(b, "<text x=\"%.0f\" y=\"14\" class=\"ct\">%s: %llu, %llu "
		     "over ", LX0, what, (unsigned long long)h->total,
		  (unsigned long long)h->over);
	tb_f3(b, threshold, 0, 0);
	tb_puts(b, " s</text>\n");
	tb_printf(b, "<line class=\"ax\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
		     "y2=\"%.0f\"/>\n", LX0, LY1, LX1, LY1);
	for (int i = 0; i < HC_LOG_BINS; i++) {
		double hgt, x = LX0 + i * bw;
		/* the bin's lower edge against the threshold */
		double lo = i == 0 ? 0 : 0.001 * pow(10, (i - 1) / 4.0);
		if (!h->n[i])
			continue;
		hgt = (LY1 - LY0 - 12) * (double)h->n[i] / (double)max;
		if (hgt < 2)
			hgt = 2;
		tb_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			     "width=\"%.1f\" height=\"%.1f\"><title>%llu</title>"
			     "</rect>",
			  lo >= threshold ? "bar hot" : "bar", x + 1, LY1 - hgt,
			  bw - 2, hgt, (unsigned long long)h->n[i]);
		/* the count over its bar when it fits, or when it matters
		 * (the highest bar, the bars past the limit) */
		if (h->n[i] < 100 || h->n[i] == max ||
		    i == HC_LOG_BINS - 1 || 0.001 * pow(10, i / 4.0) > threshold)
			tb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"cn\" "
				     "text-anchor=\"middle\">%llu</text>",
				  x + bw / 2, LY1 - hgt - 3,
				  (unsigned long long)h->n[i]);
		tb_putc(b, '\n');
	}
	for (int k = 0; k < 7; k++) {
		double x = LX0 + (1 + 4 * k) * bw;
		tb_printf(b, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.0f\" "
			     "x2=\"%.1f\" y2=\"%.0f\"/><text x=\"%.1f\" y=\"%.0f\" "
			     "class=\"cx\" text-anchor=\"middle\">%s</text>\n",
			  x, LY1, x, LY1 + 4, x, LY1 + 16, dec[k]);
	}
	tb_printf(b, "<line class=\"thr\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" "
		     "y2=\"%.0f\"/><text x=\"%.1f\" y=\"%.0f\" class=\"cthr\" "
		     "text-anchor=\"middle\">limit ",
		  tx, LY0 - 2, tx, LY1, tx, LY1 + 30);
	tb_f3(b, threshold, 0, 0);
	tb_puts(b, " s</text>\n</svg>\n");
}

/* ---- sessions over time --------------------------------------------------- */

static void merge_right(struct hc_timehist *h)
{
	for (int i = 0; i < HC_TIME_BINS / 2; i++)
		for (int l = 0; l < HC_LEVELS; l++)
			h->n[i][l] = h->n[2 * i][l] + h->n[2 * i + 1][l];
	memset(h->n[HC_TIME_BINS / 2], 0,
	       sizeof(h->n[0]) * (HC_TIME_BINS / 2));
	h->width *= 2;
}

/* The old range becomes the right half: origin moves back HC_TIME_BINS
 * old widths, old bins 2k and 2k+1 become bin HC_TIME_BINS/2 + k. */
static void merge_left(struct hc_timehist *h)
{
	for (int k = HC_TIME_BINS / 2 - 1; k >= 0; k--)
		for (int l = 0; l < HC_LEVELS; l++)
			h->n[HC_TIME_BINS / 2 + k][l] =
				h->n[2 * k][l] + h->n[2 * k + 1][l];
	memset(h->n[0], 0, sizeof(h->n[0]) * (HC_TIME_BINS / 2));
	h->origin -= HC_TIME_BINS * h->width;
	h->width *= 2;
}

void hc_timehist_add(struct hc_timehist *h, double t, int level)
{
	double i;
	if (!isfinite(t))
		return;
	if (level < 0)
		level = 0;
	if (level >= HC_LEVELS)
		level = HC_LEVELS - 1;
	if (!h->any) {
		h->any = true;
		h->origin = floor(t);
		h->width = 1;
	}
	/* each turn doubles the width: a few dozen at most for real times */
	for (int k = 0; k < 2200 && t < h->origin; k++)
		merge_left(h);
	for (int k = 0; k < 2200 && t >= h->origin + HC_TIME_BINS * h->width;
	     k++)
		merge_right(h);
	i = floor((t - h->origin) / h->width);
	if (!(i >= 0))
		i = 0;
	if (i > HC_TIME_BINS - 1)
		i = HC_TIME_BINS - 1;
	h->n[(int)i][level]++;
}

uint64_t hc_timehist_total(const struct hc_timehist *h)
{
	uint64_t t = 0;
	for (int i = 0; i < HC_TIME_BINS; i++)
		for (int l = 0; l < HC_LEVELS; l++)
			t += h->n[i][l];
	return t;
}

#define TW 940.0
#define TH 190.0
#define TX0 50.0
#define TX1 930.0
#define TY0 30.0
#define TY1 150.0

static uint64_t bin_sum(const struct hc_timehist *h, int i)
{
	uint64_t s = 0;
	for (int l = 0; l < HC_LEVELS; l++)
		s += h->n[i][l];
	return s;
}

static void stack(struct textbuf *b, const struct hc_timehist *h, int i,
		  double x, double w, uint64_t max)
{
	static const char *const cls[HC_LEVELS] = {"lv0", "lv1", "lv2", "lv3"};
	double y = TY1;
	for (int l = 0; l < HC_LEVELS; l++) {
		double hgt = (TY1 - TY0) * (double)h->n[i][l] / (double)max;
		if (!h->n[i][l])
			continue;
		if (hgt < 1.5)
			hgt = 1.5;
		y -= hgt;
		tb_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			     "width=\"%.1f\" height=\"%.1f\"><title>%llu</title>"
			     "</rect>",
			  cls[l], x, y, w, hgt, (unsigned long long)h->n[i][l]);
	}
	tb_putc(b, '\n');
}

void hc_timehist_svg(struct textbuf *b, const struct hc_timehist *h)
{
	int first = -1, last = -1;
	uint64_t max = 1;
	char t0[32], t1[32];
	double w;
	for (int i = 0; i < HC_TIME_BINS; i++) {
		uint64_t s = bin_sum(h, i);
		if (!s)
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (s > max)
			max = s;
	}
	tb_printf(b, "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n", TW, TH, TW, TH);
	tb_printf(b, "<text x=\"%.0f\" y=\"14\" class=\"ct\">sessions over time "
		     "by their worst finding (start of the session; bars of ",
		  TX0);
	tb_f3(b, h->any ? h->width : 0, 0, 0);
	tb_printf(b, " s; highest %llu)</text>\n", (unsigned long long)max);
	tb_printf(b, "<line class=\"ax\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
		     "y2=\"%.0f\"/>\n", TX0, TY1, TX1, TY1);
	if (first < 0) {
		tb_puts(b, "<text x=\"60\" y=\"90\" class=\"cx\">no session"
			   "</text></svg>\n");
		return;
	}
	/* a short capture: its bins among empty ones, not one wide bar */
	while (last - first + 1 < 24 && (last + 1 < HC_TIME_BINS || first > 0)) {
		if (last + 1 < HC_TIME_BINS)
			last++;
		if (last - first + 1 < 24 && first > 0)
			first--;
	}
	w = (TX1 - TX0) / (last - first + 1);
	for (int i = first; i <= last; i++)
		stack(b, h, i, TX0 + (i - first) * w + (w > 3 ? 0.5 : 0),
		      w > 3 ? w - 1 : w, max);
	mx_time_str(h->origin + first * h->width, t0);
	mx_time_str(h->origin + (last + 1) * h->width, t1);
	tb_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"cx\">%.19s</text>"
		     "<text x=\"%.0f\" y=\"%.0f\" class=\"cx\" "
		     "text-anchor=\"end\">%.19s</text>\n",
		  TX0, TY1 + 15, t0, TX1, TY1 + 15, t1);
	tb_printf(b, "<g class=\"cx\"><rect class=\"lv0\" x=\"%.0f\" y=\"%.0f\" "
		     "width=\"10\" height=\"10\"/><text x=\"%.0f\" y=\"%.0f\">"
		     "no finding</text><rect class=\"lv1\" x=\"%.0f\" "
		     "y=\"%.0f\" width=\"10\" height=\"10\"/><text x=\"%.0f\" "
		     "y=\"%.0f\">info</text><rect class=\"lv2\" x=\"%.0f\" "
		     "y=\"%.0f\" width=\"10\" height=\"10\"/><text x=\"%.0f\" "
		     "y=\"%.0f\">warning</text><rect class=\"lv3\" x=\"%.0f\" "
		     "y=\"%.0f\" width=\"10\" height=\"10\"/><text x=\"%.0f\" "
		     "y=\"%.0f\">error</text></g>\n</svg>\n",
		  TX0, TY1 + 24, TX0 + 14, TY1 + 33, TX0 + 100, TY1 + 24,
		  TX0 + 114, TY1 + 33, TX0 + 160, TY1 + 24, TX0 + 174,
		  TY1 + 33, TX0 + 245, TY1 + 24, TX0 + 259, TY1 + 33);
}
