/* report_html.c - --format html: see report_html.h.  The page's parts, in
 * the order they are written: head and style; the table of sessions
 * without findings (rows as sessions finish); at the end the table of
 * sessions with findings beyond the ladders (copied from its spool), the
 * ladders kept, and the summary with its charts.  A flex column puts them
 * on screen in the reverse order: summary, ladders, the rest. */
#include "report/report_html.h"

#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "base/version.h"
#include "dns.h"
#include "report/html_chart.h"
#include "report/html_ladder.h"
#include "report/timeline.h"

/* ---- the bounded set ------------------------------------------------------ */

bool rh_worse(const struct rh_key *a, const struct rh_key *b)
{
	if (a->sev != b->sev)
		return a->sev > b->sev;
	if (a->delay != b->delay)
		return a->delay > b->delay;
	return a->seq < b->seq;
}

bool rh_pick_wants(const struct rh_pick *p, const struct rh_key *k)
{
	return p->cap && (p->n < p->cap || rh_worse(k, &p->v[0].key));
}

static void swap(struct rh_entry *a, struct rh_entry *b)
{
	struct rh_entry t = *a;
	*a = *b;
	*b = t;
}

/* min-heap on "least bad at the root" */
static void sift_down(struct rh_pick *p, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < p->n && rh_worse(&p->v[m].key, &p->v[l].key))
			m = l;
		if (r < p->n && rh_worse(&p->v[m].key, &p->v[r].key))
			m = r;
		if (m == i)
			return;
		swap(&p->v[i], &p->v[m]);
		i = m;
	}
}

bool rh_pick_put(struct rh_pick *p, const struct rh_entry *e,
		 struct rh_entry *out)
{
	size_t i;
	if (p->n == p->cap) {
		*out = p->v[0];
		p->v[0] = *e;
		sift_down(p, 0);
		return true;
	}
	i = p->n++;
	p->v[i] = *e;
	while (i > 0 && rh_worse(&p->v[(i - 1) / 2].key, &p->v[i].key)) {
		swap(&p->v[i], &p->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return false;
}

void rh_pick_pop(struct rh_pick *p, struct rh_entry *out)
{
	*out = p->v[0];
	p->v[0] = p->v[--p->n];
	sift_down(p, 0);
}

/* ---- the report ------------------------------------------------------------ */

struct report_html {
	FILE *out;
	struct fnd_config fnd;
	struct textbuf tb;
	struct tl_scratch tl;
	struct rh_pick pick;
	size_t pick_bytes;       /* HTML held by the kept ladders */
	FILE *spool;             /* rows of sessions with findings not drawn */
	const char *pcap_file;   /* -w, or NULL */
	struct pcapout_stats pcap;
	uint64_t seq;
	uint64_t n_flagged;      /* shown sessions with a finding */
	uint64_t n_over, n_over_rows;
	uint64_t n_clean, n_clean_rows;
	struct hc_loghist banner, dns;
	uint64_t dns_unanswered;
	struct hc_timehist when;
	uint64_t by_sev[3];      /* sessions by worst finding, all of them */
	int werr;
};

static const char STYLE[] =
	":root{--c:#1d4ed8;--s:#047857;--d:#7c3aed;--e:#dc2626;--w:#d97706;"
	"--i:#2563eb}\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f1f5f9;"
	"color:#0f172a}\n"
	"/* written in the order clean, rest, ladders, summary: shown "
	"reversed */\n"
	".page{display:flex;flex-direction:column;gap:16px;padding:14px 18px}\n"
	".summary{order:1}.ladders{order:2}.over{order:3}.clean{order:4}\n"
	".box,.sess{background:#fff;border:1px solid #cbd5e1;border-radius:6px;"
	"padding:8px 14px}\n.sess{margin:0 0 14px}\n"
	"h1{font-size:20px;margin:2px 0 6px}h2{font-size:17px;margin:4px 0 8px}"
	"h3{font-size:15px;margin:4px 0}h3 small{font-weight:400;color:#475569}\n"
	"table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px "
	"solid #e2e8f0;padding:2px 8px;text-align:left;vertical-align:top}\n"
	"th{background:#f1f5f9;cursor:pointer}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums}\n"
	".sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;"
	"font-size:12px;font-weight:600;text-transform:uppercase}\n"
	".sev.error{background:var(--e)}.sev.warning{background:var(--w)}"
	".sev.info{background:var(--i)}.sev.clean{background:#64748b}\n"
	"td.error{color:var(--e);font-weight:600}td.warning{color:var(--w);"
	"font-weight:600}td.info{color:var(--i)}\n"
	".facts{margin:2px 0 8px;font-size:13px;color:#334155}\n"
	".pair{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
	".lad{overflow-x:auto;max-width:100%}.finds{flex:1 1 320px;"
	"min-width:280px}\n"
	".f{border-left:4px solid #94a3b8;padding:2px 10px;margin:0 0 10px;"
	"font-size:13px}.f.error{border-color:var(--e)}.f.warning{"
	"border-color:var(--w)}.f.info{border-color:var(--i)}\n"
	".f p{margin:3px 0}.f ul{margin:2px 0;padding-left:18px;color:#334155}"
	".rem{color:#065f46}\n"
	"svg text{font:11px ui-monospace,Menlo,Consolas,monospace}\n"
	"svg .col{font-weight:700;fill:#0f172a}svg .life{stroke:#94a3b8}\n"
	"svg .tl{fill:#64748b}svg .gapl{fill:#b45309;font-style:italic}\n"
	"svg .a line{stroke:var(--k);stroke-width:1.4}svg .a polygon{"
	"fill:var(--k)}svg .a text{fill:#0f172a}\n"
	"svg .c{--k:var(--c)}svg .s{--k:var(--s)}svg .d{--k:var(--d)}"
	"svg .d.slow{--k:var(--w)}svg .bad{--k:var(--e)}svg .bad text{"
	"fill:var(--e)}\n"
	"svg .body line{stroke-dasharray:6 3}svg .tls{--k:#64748b}"
	"svg .tls line{stroke-width:4}svg .rst{--k:var(--e)}\n"
	"svg .gap{--k:var(--e)}svg .gap line{stroke-dasharray:3 3}"
	"svg .gap text{fill:var(--e);font-weight:700}\n"
	"svg .wait{fill:#fde68a;opacity:.5}svg .wait.slow{fill:#f59e0b;"
	"opacity:.3}svg .stall{fill:#ef4444;opacity:.18}\n"
	"svg .blab{fill:#92400e;font-weight:700}svg .err{fill:var(--e)}\n"
	"svg .dnsw{fill:var(--d);opacity:.35}svg .dnsw.slow{fill:var(--w);"
	"opacity:.7}svg .dnsw.lost{fill:var(--e);opacity:.35}\n"
	"svg .brk{fill:none;stroke:#64748b;stroke-width:1.2}svg .brkbg{"
	"fill:#fff}\n"
	".charts{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;"
	"border:1px solid #e2e8f0}\n"
	".chart text{font:11px system-ui,sans-serif;fill:#334155}.chart .ct{"
	"font-weight:700}.chart .bar{fill:#60a5fa}.chart .bar.hot{fill:"
	"var(--w)}\n"
	".chart .thr{stroke:var(--e);stroke-dasharray:4 3;stroke-width:1.5}"
	".chart .cthr{fill:var(--e)}.chart .ax,.chart .tick{stroke:#475569}\n"
	".lv0{fill:#94a3b8}.lv1{fill:#60a5fa}.lv2{fill:var(--w)}.lv3{"
	"fill:var(--e)}\n"
	".kv td:first-child{color:#475569}.cols{display:flex;flex-wrap:wrap;"
	"gap:24px}\n";

/* Sorting by a click on a column head; the page needs none of it. */
static const char SCRIPT[] =
	"document.querySelectorAll('th').forEach(function(th){th.onclick="
	"function(){var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
	"d=th.dataset.d=th.dataset.d==='1'?'-1':'1';var r=Array.prototype."
	"slice.call(b.rows);r.sort(function(x,y){var a=x.cells[i].textContent,"
	"c=y.cells[i].textContent,p=parseFloat(a),q=parseFloat(c);return("
	"isNaN(p)||isNaN(q)?a.localeCompare(c):p-q)*d;});r.forEach(function(x)"
	"{b.appendChild(x);});};});\n";

static void put(struct report_html *h, const struct textbuf *b)
{
	if (b->oom || fwrite(b->p, 1, b->len, h->out) != b->len)
		h->werr = 1;
}

struct report_html *rh_new(FILE *out, const struct fnd_config *fnd,
			   char errbuf[MX_ERRBUF_SIZE])
{
	struct report_html *h = calloc(1, sizeof(*h));
	if (!h || !(h->pick.v = calloc(RH_MAX_LADDERS, sizeof(*h->pick.v)))) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		free(h);
		return NULL;
	}
	h->pick.cap = RH_MAX_LADDERS;
	h->out = out;
	h->fnd = *fnd;
	if (!(h->spool = tmpfile())) {
		snprintf(errbuf, MX_ERRBUF_SIZE,
			 "cannot create a temporary file for the report");
		rh_free(h);
		return NULL;
	}
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		     "charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
		     "width=device-width\">\n<title>mxray report</title>\n"
		     "<style>\n%s</style></head>\n<body>\n"
		     "<!-- The summary is only known at the end of the capture, "
		     "so it is written last; the page is a flex column whose "
		     "order puts it first on screen. -->\n"
		     "<div class=\"page\">\n<section class=\"clean box\" "
		     "id=\"clean\"><h2>Sessions without findings</h2>\n"
		     "<details><summary>the table (click to expand)</summary>\n"
		     "<table>",
		STYLE);
	hx_row_head(&h->tb);
	put(h, &h->tb);
	tb_clear(&h->tb);
	fputs("<tbody>\n", out);
	return h;
}

void rh_observe(struct report_html *h, const struct session *s,
		const struct finding_list *fl)
{
	double d;
	int w = hx_worst(fl);
	if (s->has_banner && sess_banner_delay(s, &d))
		hc_loghist_add(&h->banner, d, h->fnd.slow_banner);
	hc_timehist_add(&h->when, s->start, w + 1);
	if (w >= 0)
		h->by_sev[w]++;
}

void rh_dns(struct report_html *h, const struct dns_tx *tx)
{
	if (tx->has_query && tx->has_response)
		hc_loghist_add(&h->dns, mx_dt(tx->query_t, tx->response_t),
			       h->fnd.slow_dns);
	else if (tx->has_query)
		h->dns_unanswered++;
}

/* A session with findings that gets no ladder: a row in the spool. */
static void over_row(struct report_html *h, const char *row)
{
	h->n_over++;
	if (h->n_over_rows >= RH_MAX_ROWS)
		return;
	h->n_over_rows++;
	if (fputs(row, h->spool) == EOF)
		h->werr = 1;
}

static char *take(struct textbuf *b)
{
	char *p = b->oom ? NULL : malloc(b->len + 1);
	if (p) {
		memcpy(p, b->p, b->len);
		p[b->len] = '\0';
	}
	tb_clear(b);
	return p;
}

/* A kept ladder that loses its place: its row, without the link, goes
 * to the list of those not drawn. */
static void demote(struct report_html *h, struct rh_entry *gone)
{
	char *a = strstr(gone->row, "<a href=");
	char *z = a ? strstr(a, "\">") : NULL;
	char *c = z ? strstr(z, "</a>") : NULL;
	h->pick_bytes -= strlen(gone->row) + strlen(gone->block);
	tb_clear(&h->tb);
	if (a && z && c) {
		tb_put(&h->tb, gone->row, (size_t)(a - gone->row));
		tb_put(&h->tb, z + 2, (size_t)(c - z - 2));
		tb_puts(&h->tb, c + 4);
		tb_putc(&h->tb, '\0');
		if (!h->tb.oom)
			over_row(h, h->tb.p);
		tb_clear(&h->tb);
	} else {
		over_row(h, gone->row);
	}
	free(gone->row);
	free(gone->block);
}

static void flagged(struct report_html *h, const struct session *s,
		    const struct finding_list *fl)
{
	struct rh_entry e = {0}, gone;
	e.key.sev = hx_worst(fl);
	e.key.delay = hx_delay(s, fl);
	e.key.seq = h->seq++;
	e.start = s->start;
	h->n_flagged++;
	tb_clear(&h->tb);
	if (!rh_pick_wants(&h->pick, &e.key)) {
		hx_row(&h->tb, s, fl, false);
		tb_putc(&h->tb, '\0');
		if (!h->tb.oom)
			over_row(h, h->tb.p);
		tb_clear(&h->tb);
		return;
	}
	hx_row(&h->tb, s, fl, true);
	e.row = take(&h->tb);
	hx_session(&h->tb, s, fl, &h->fnd, &h->tl);
	e.block = take(&h->tb);
	if (!e.row || !e.block) {
		free(e.row);
		free(e.block);
		h->werr = 1;
		return;
	}
	h->pick_bytes += strlen(e.row) + strlen(e.block);
	if (rh_pick_put(&h->pick, &e, &gone))
		demote(h, &gone);
	while (h->pick_bytes > RH_MAX_LADDER_BYTES && h->pick.n > 1) {
		rh_pick_pop(&h->pick, &gone);
		demote(h, &gone);
	}
}

void rh_session(struct report_html *h, const struct session *s,
		const struct finding_list *fl)
{
	if (fl->n) {
		flagged(h, s, fl);
		return;
	}
	h->n_clean++;
	if (h->n_clean_rows >= RH_MAX_ROWS)
		return;
	h->n_clean_rows++;
	tb_clear(&h->tb);
	hx_row(&h->tb, s, fl, false);
	put(h, &h->tb);
	tb_clear(&h->tb);
}

/* ---- the end ---------------------------------------------------------------- */

/* filtered: report filters are on, so what is listed is what they let
 * through, which the page must not pass off as the capture's count. */
static void close_clean(struct report_html *h, bool filtered)
{
	fputs("</tbody></table></details>\n<p>", h->out);
	if (!h->n_clean && filtered)
		fputs("No session without findings is shown: the report "
		      "filters hide them.</p></section>\n", h->out);
	if (!h->n_clean && filtered)
		return;
	fprintf(h->out, "%llu session%s without findings%s",
		(unsigned long long)h->n_clean, h->n_clean == 1 ? "" : "s",
		filtered ? " shown (report filters)" : "");
	if (h->n_clean > h->n_clean_rows)
		fprintf(h->out, "; the first %llu are listed, %llu more are "
				"not (the table is bounded)",
			(unsigned long long)h->n_clean_rows,
			(unsigned long long)(h->n_clean - h->n_clean_rows));
	fputs(".</p></section>\n", h->out);
}

static void write_over(struct report_html *h)
{
	char buf[8192];
	size_t n;
	if (!h->n_over)
		return;
	fprintf(h->out, "<section class=\"over box\" id=\"more\"><h2>Sessions "
			"with findings not drawn (%llu)</h2>\n<p>Only the %d "
			"worst sessions (by severity, then delay) get a ladder "
			"diagram; these are the others.",
		(unsigned long long)h->n_over, RH_MAX_LADDERS);
	if (h->n_over > h->n_over_rows)
		fprintf(h->out, " The first %llu are listed, %llu more are "
				"not (the table is bounded).",
			(unsigned long long)h->n_over_rows,
			(unsigned long long)(h->n_over - h->n_over_rows));
	fputs("</p>\n<details open><summary>the table</summary><table>",
	      h->out);
	tb_clear(&h->tb);
	hx_row_head(&h->tb);
	put(h, &h->tb);
	tb_clear(&h->tb);
	fputs("<tbody>\n", h->out);
	rewind(h->spool);
	while ((n = fread(buf, 1, sizeof buf, h->spool)) > 0)
		if (fwrite(buf, 1, n, h->out) != n)
			h->werr = 1;
	if (ferror(h->spool))
		h->werr = 1;
	fputs("</tbody></table></details></section>\n", h->out);
}

static int by_start(const void *a, const void *b)
{
	const struct rh_entry *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->key.seq < y->key.seq ? -1 : x->key.seq > y->key.seq;
}

static void write_ladders(struct report_html *h, bool filtered)
{
	struct rh_pick *p = &h->pick;
	if (!h->n_flagged) {
		fprintf(h->out, "<section class=\"ladders\" id=\"ladders\">"
				"<div class=\"box\"><h2>Sessions with findings"
				"</h2>\n<p>%s</p></div></section>\n",
			filtered ? "None is shown (report filters)."
				 : "None: no session has a finding.");
		return;
	}
	qsort(p->v, p->n, sizeof(*p->v), by_start);
	fprintf(h->out, "<section class=\"ladders\" id=\"ladders\">\n"
			"<div class=\"box\"><h2>Sessions with findings (%llu)"
			"</h2>\n<p>",
		(unsigned long long)h->n_flagged);
	if (h->n_over)
		fprintf(h->out, "Ladder diagrams of the %zu worst, by severity "
				"then delay, in time order; the %llu others are "
				"listed in the table further down.",
			p->n, (unsigned long long)h->n_over);
	else
		fprintf(h->out, "A ladder diagram for each, in time order.");
	fputs(" Time runs down from the first SYN: gaps up to 1 s to scale, "
	      "longer quiet gaps squeezed behind a zigzag break that gives "
	      "their real length. Shaded: the wait for the banner (amber), "
	      "stalls (red), each DNS lookup on its resolver's line.</p>\n"
	      "<details open><summary>index</summary><table>", h->out);
	tb_clear(&h->tb);
	hx_row_head(&h->tb);
	put(h, &h->tb);
	tb_clear(&h->tb);
	fputs("<tbody>\n", h->out);
	for (size_t i = 0; i < p->n; i++)
		fputs(p->v[i].row, h->out);
	fputs("</tbody></table></details></div>\n", h->out);
	for (size_t i = 0; i < p->n; i++)
		fputs(p->v[i].block, h->out);
	fputs("</section>\n", h->out);
}

static void kv(struct textbuf *b, const char *k, uint64_t v)
{
	tb_printf(b, "<tr><td>%s</td><td class=\"n\">%llu</td></tr>\n", k,
		  (unsigned long long)v);
}

static void inputs(struct textbuf *b, const struct cap_reader *cr)
{
	tb_puts(b, "<table><thead><tr><th>input</th><th>link</th><th>packets"
		   "</th><th>bytes</th><th>from tunnels</th><th>dropped</th>"
		   "</tr></thead><tbody>\n");
	for (size_t i = 0; cr && i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		tb_puts(b, "<tr><td>");
		hx_esc(b, in->file);
		tb_puts(b, "</td><td>");
		hx_esc(b, in->link_type);
		tb_printf(b, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu"
			     "</td><td class=\"n\">%llu</td><td class=\"n\">",
			  (unsigned long long)in->packets,
			  (unsigned long long)in->bytes,
			  (unsigned long long)in->decapsulated);
		if (in->live)
			tb_printf(b, "%llu", (unsigned long long)(in->dropped_kernel +
							      in->dropped_iface));
		else
			tb_puts(b, "-");
		tb_puts(b, "</td></tr>\n");
	}
	tb_puts(b, "</tbody></table>\n");
}

/* each code's severity, as findings.def gives it */
static const enum severity code_sev[F__COUNT] = {
#define FINDING(e, name, sev, needs, loss) sev,
#include "diagnose/findings.def"
#undef FINDING
};

static void counts(struct textbuf *b, const struct report_html *h,
		   const struct engine_stats *st, const struct diag_stats *ds)
{
	uint64_t total = 0;
	tb_puts(b, "<div class=\"cols\"><table class=\"kv\"><tbody>\n");
	kv(b, "sessions", st->sessions);
	kv(b, "with an error", h->by_sev[SEV_ERROR]);
	kv(b, "with a warning at worst", h->by_sev[SEV_WARNING]);
	kv(b, "with info at worst", h->by_sev[SEV_INFO]);
	kv(b, "DNS transactions", st->dns_transactions);
	kv(b, "DNS never answered", h->dns_unanswered);
	if (st->sessions_evicted || st->dns_evicted) {
		kv(b, "sessions evicted (limit)", st->sessions_evicted);
		kv(b, "DNS transactions evicted (limit)", st->dns_evicted);
	}
	if (st->partial_sessions || st->tcp_gaps) {
		kv(b, "sessions begun before the capture", st->partial_sessions);
		kv(b, "gaps in TCP streams", st->tcp_gaps);
		kv(b, "bytes missing", st->tcp_missing_bytes);
	}
	tb_puts(b, "</tbody></table>\n<table><thead><tr><th>finding</th>"
		   "<th>severity</th><th>count</th></tr></thead><tbody>\n");
	for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
		for (int c = 0; c < F__COUNT; c++) {
			if (!ds->findings[c] || (int)code_sev[c] != sev)
				continue;
			total += ds->findings[c];
			tb_printf(b, "<tr><td><code>%s</code></td><td class="
				     "\"%s\">%s</td><td class=\"n\">%llu</td>"
				     "</tr>\n", finding_code_name(c),
				  severity_name(sev), severity_name(sev),
				  (unsigned long long)ds->findings[c]);
		}
	tb_printf(b, "<tr><td><b>all</b></td><td></td><td class=\"n\"><b>%llu"
		     "</b></td></tr>\n</tbody></table>\n",
		  (unsigned long long)total);
}

static void slowest(struct textbuf *b, const char *title,
		    const struct diag_top *v, size_t n, const char *what)
{
	tb_printf(b, "<table><thead><tr><th>%s</th><th>seconds</th></tr>"
		     "</thead><tbody>\n", title);
	for (size_t i = 0; i < n; i++) {
		tb_puts(b, "<tr><td>");
		hx_esc_n(b, v[i].what, sizeof v[i].what, 0);
		tb_puts(b, "</td><td class=\"n\">");
		hx_f3(b, v[i].v);
		tb_puts(b, "</td></tr>\n");
	}
	if (!n)
		tb_printf(b, "<tr><td>(no %s)</td><td></td></tr>\n", what);
	tb_puts(b, "</tbody></table>\n");
}

static void summary(struct textbuf *b, struct report_html *h,
		    const struct cap_reader *cr, const struct engine_stats *st,
		    const struct diag_stats *ds)
{
	tb_printf(b, "<section class=\"summary box\" id=\"summary\">\n<h1>"
		     "mxray report</h1>\n<p>mxray %s &#183; thresholds: slow "
		     "banner ", MXRAY_VERSION);
	hx_f3(b, h->fnd.slow_banner);
	tb_puts(b, " s, slow DNS ");
	hx_f3(b, h->fnd.slow_dns);
	tb_puts(b, " s, stall ");
	hx_f3(b, h->fnd.stall);
	tb_puts(b, " s, slow reply ");
	hx_f3(b, h->fnd.slow_reply);
	tb_puts(b, " s</p>\n");
	inputs(b, cr);
	tb_puts(b, "<h2>Sessions and findings</h2>\n");
	counts(b, h, st, ds);
	tb_puts(b, "<div class=\"cols\">");
	slowest(b, "slowest banners", ds->slow_banner, ds->n_slow_banner,
		"banner");
	slowest(b, "slowest DNS lookups", ds->slow_dns, ds->n_slow_dns,
		"lookup");
	tb_puts(b, "</div></div>\n<h2>Charts</h2>\n<div class=\"charts\">\n");
	hc_loghist_svg(b, &h->banner, h->fnd.slow_banner, "banner delay");
	hc_loghist_svg(b, &h->dns, h->fnd.slow_dns, "DNS response time");
	hc_timehist_svg(b, &h->when);
	tb_puts(b, "</div>\n");
}

int rh_end(struct report_html *h, const struct cap_reader *cr,
	   const struct engine_stats *st, const struct diag_stats *ds,
	   bool filtered, uint64_t shown, const char *bpf)
{
	close_clean(h, filtered);
	write_over(h);
	write_ladders(h, filtered);
	tb_clear(&h->tb);
	summary(&h->tb, h, cr, st, ds);
	if (filtered)
		tb_printf(&h->tb, "<p>Shown: %llu of %llu sessions (report "
				  "filters); the counts and charts are of all "
				  "of them.</p>\n",
			  (unsigned long long)shown,
			  (unsigned long long)st->sessions);
	if (h->pcap_file) {
		tb_puts(&h->tb, "<p>The packets of the sessions with warnings "
				"or errors, and of their DNS, were written to "
				"<code>");
		hx_esc(&h->tb, h->pcap_file);
		tb_printf(&h->tb, "</code>: %llu packets of %llu sessions (%s)",
			  (unsigned long long)h->pcap.packets,
			  (unsigned long long)h->pcap.sessions,
			  h->pcap.link_type);
		if (h->pcap.not_kept || h->pcap.dns_not_kept)
			tb_printf(&h->tb, "; %llu not kept (caps)",
				  (unsigned long long)(h->pcap.not_kept +
						       h->pcap.dns_not_kept));
		tb_puts(&h->tb, ".</p>\n");
	}
	if (bpf) {
		tb_puts(&h->tb, "<p>Capture filter <code>");
		hx_esc(&h->tb, bpf);
		tb_puts(&h->tb, "</code>: packets outside it were not captured, "
				"DNS lookups among them.</p>\n");
	}
	tb_puts(&h->tb, "</section>\n");
	put(h, &h->tb);
	tb_clear(&h->tb);
	fprintf(h->out, "</div>\n<script>\n%s</script>\n</body></html>\n",
		SCRIPT);
	if (fflush(h->out) != 0 || ferror(h->out))
		h->werr = 1;
	return h->werr ? -1 : 0;
}

void rh_packets_written(struct report_html *h, const char *file,
			const struct pcapout_stats *st)
{
	h->pcap_file = file;
	h->pcap = *st;
}

void rh_free(struct report_html *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->pick.n; i++) {
		free(h->pick.v[i].block);
		free(h->pick.v[i].row);
	}
	free(h->pick.v);
	if (h->spool)
		fclose(h->spool);
	tb_free(&h->tb);
	free(h->tl.items);
	free(h);
}
