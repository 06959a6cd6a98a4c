/* html_ladder.c - one session as HTML: see html_ladder.h.  The ladder is
 * inline SVG (no external reference, no script): columns for the client,
 * the server and up to HX_MAX_RES resolvers, one row per timeline item
 * (the merged timeline of timeline.c, DNS lookups included), arrows with
 * their text, the banner wait, stalls and DNS waits shaded, gaps in red,
 * long quiet gaps squeezed behind a break mark. */
#include "report/html_ladder.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diagnose/delivery.h"
#include "dns.h"

/* ---- escaping ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

bool hx_esc_n(struct textbuf *b, const char *s, size_t n, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0, end = 0;
	while (end < n && p[end]) /* never read past n or the NUL */
		end++;
	while (i < end) {
		size_t k;
		if (max_chars && chars == max_chars) {
			tb_puts(b, "&#8230;");
			return true;
		}
		chars++;
		switch (p[i]) {
		case '&': tb_puts(b, "&amp;"); i++; continue;
		case '<': tb_puts(b, "&lt;"); i++; continue;
		case '>': tb_puts(b, "&gt;"); i++; continue;
		case '"': tb_puts(b, "&quot;"); i++; continue;
		case '\'': tb_puts(b, "&#39;"); i++; continue;
		case '\n': case '\r': case '\t': tb_putc(b, ' '); i++; continue;
		default: break;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			tb_putc(b, '?');
			i++;
			continue;
		}
		k = utf8_len(p + i, end - i);
		if (k == 0) {
			tb_putc(b, '?');
			i++;
			continue;
		}
		tb_put(b, (const char *)p + i, k);
		i += k;
	}
	return false;
}

/* ---- time scale ---------------------------------------------------------- */

double hx_gap_px(double dt)
{
	if (!(dt > 0)) /* also NaN */
		return 0;
	if (dt <= HX_LINEAR_S)
		return dt * HX_PX_PER_S;
	return HX_LINEAR_S * HX_PX_PER_S + HX_LOG_PX * log2(dt / HX_LINEAR_S);
}

bool hx_gap_breaks(double dt)
{
	return dt > HX_LINEAR_S;
}

void hx_f3(struct textbuf *b, double x)
{
	tb_f3(b, x > -0.0005 && x < 0 ? 0.0 : x, 0, 0);
}

/* ---- layout -------------------------------------------------------------- */

#define HX_MAX_RES 3
#define X_TIME 62.0   /* right edge of the time labels */
#define X_CLIENT 100.0
#define X_SERVER 440.0
#define X_RES 740.0
#define RES_STEP 150.0
#define TOP 44.0
#define CHAR_PX 6.6   /* 11px monospace */

struct ladder {
	const struct session *s;
	const struct fnd_config *cfg;
	struct tl_item *it;
	size_t n, n_all;           /* rows drawn, items in all */
	double y[HX_MAX_ROWS];
	struct mx_addr res[HX_MAX_RES];
	size_t n_res;
	/* resolvers past HX_MAX_RES - 1 share the last column, which then
	 * says how many it stands for */
	size_t n_res_all;
	double width, bottom;
};

static double res_x(const struct ladder *L, const struct mx_addr *a)
{
	size_t i;
	for (i = 0; i < L->n_res; i++)
		if (mx_addr_eq(&L->res[i], a))
			return X_RES + RES_STEP * (double)i;
	return X_RES + RES_STEP * (double)(L->n_res ? L->n_res - 1 : 0);
}

static double asker_x(const struct ladder *L, const struct dns_tx *tx)
{
	return mx_addr_eq(&tx->asker.ip, &L->s->client.ip) ? X_CLIENT
							    : X_SERVER;
}

static double actor_x(int actor)
{
	return actor == ACTOR_CLIENT ? X_CLIENT : X_SERVER;
}

static void layout(struct ladder *L)
{
	struct mx_addr seen[SESS_MAX_DNS]; /* distinct resolvers, in order */
	size_t n_seen = 0;
	double y = TOP + 16;
	for (size_t i = 0; i < L->n; i++) {
		if (i)
			y += HX_ROW + hx_gap_px(L->it[i].t - L->it[i - 1].t);
		L->y[i] = y;
		if (L->it[i].tie) {
			const struct mx_addr *r = &L->it[i].tie->tx->resolver.ip;
			size_t k = 0;
			while (k < n_seen && !mx_addr_eq(&seen[k], r))
				k++;
			if (k == n_seen && n_seen < SESS_MAX_DNS)
				seen[n_seen++] = *r;
			if (k == L->n_res && L->n_res < HX_MAX_RES)
				L->res[L->n_res++] = *r;
		}
	}
	L->n_res_all = n_seen;
	L->bottom = y + HX_ROW + (L->n_all > L->n ? HX_ROW : 0);
	L->width = L->n_res ? X_RES + RES_STEP * (double)(L->n_res - 1) + 110
			    : X_SERVER + 110;
}

/* The y of capture time t on the scale of the rows. */
static double y_at(const struct ladder *L, double t)
{
	size_t i = 0;
	double full, part;
	if (L->n == 0)
		return TOP + 16;
	if (t <= L->it[0].t)
		return L->y[0];
	while (i + 1 < L->n && L->it[i + 1].t <= t)
		i++;
	if (i + 1 == L->n)
		return L->y[i] + (t > L->it[i].t ? HX_ROW / 2 : 0);
	full = hx_gap_px(L->it[i + 1].t - L->it[i].t);
	part = hx_gap_px(t - L->it[i].t);
	if (full <= 0)
		return L->y[i];
	return L->y[i] + (L->y[i + 1] - L->y[i]) * (part / full);
}

/* ---- drawing ------------------------------------------------------------- */

/* SVG text, escaped, cut to fit max_chars; a tooltip with tip, or with
 * the whole text if it was cut. */
static void text_tip(struct textbuf *b, double x, double y,
		     const char *anchor, const char *cls, const char *s,
		     size_t max_chars, const char *tip)
{
	size_t mark;
	tb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
		     "class=\"%s\">", x, y, anchor, cls);
	mark = b->len;
	if (hx_esc_n(b, s, 2048, max_chars) || tip) {
		b->len = mark; /* redo: the tooltip first, then the text */
		tb_puts(b, "<title>");
		hx_esc_n(b, tip ? tip : s, 2048, 400);
		tb_puts(b, "</title>");
		hx_esc_n(b, s, 2048, max_chars);
	}
	tb_puts(b, "</text>");
}

static void text(struct textbuf *b, double x, double y, const char *anchor,
		 const char *cls, const char *s, size_t max_chars)
{
	text_tip(b, x, y, anchor, cls, s, max_chars, NULL);
}

/* An arrow from x1 to x2 at row y, with its label above the middle. */
static void arrow(struct textbuf *b, double x1, double x2, double y,
		  const char *cls, const char *label, const char *tip)
{
	double d = x2 > x1 ? -1 : 1, y2 = y + 5, room;
	size_t maxc;
	tb_printf(b, "<g class=\"a %s\"><line x1=\"%.1f\" y1=\"%.1f\" "
		     "x2=\"%.1f\" y2=\"%.1f\"/><polygon points=\"%.1f,%.1f "
		     "%.1f,%.1f %.1f,%.1f\"/>",
		  cls, x1, y, x2, y2, x2, y2, x2 + d * 8, y2 - 4, x2 + d * 8,
		  y2 + 4);
	room = fabs(x2 - x1) - 16;
	maxc = room > CHAR_PX * 8 ? (size_t)(room / CHAR_PX) : 8;
	text_tip(b, (x1 + x2) / 2, y - 3, "middle", "lab", label, maxc, tip);
	tb_puts(b, "</g>\n");
}

static void columns(struct textbuf *b, const struct ladder *L)
{
	char lab[96], a[MX_ADDRSTR];
	const struct session *s = L->s;
	double xs[2 + HX_MAX_RES];
	size_t n = 0;
	snprintf(lab, sizeof lab, "client %s:%u", mx_addr_str(&s->client.ip, a),
		 s->client.port);
	text(b, X_CLIENT, 16, "middle", "col", lab, 44);
	xs[n++] = X_CLIENT;
	snprintf(lab, sizeof lab, "server %s:%u", mx_addr_str(&s->server.ip, a),
		 s->server.port);
	text(b, X_SERVER, 16, "middle", "col", lab, 44);
	xs[n++] = X_SERVER;
	for (size_t i = 0; i < L->n_res; i++) {
		if (i == HX_MAX_RES - 1 && L->n_res_all > HX_MAX_RES)
			snprintf(lab, sizeof lab, "%zu other resolvers",
				 L->n_res_all - (HX_MAX_RES - 1));
		else
			snprintf(lab, sizeof lab, "resolver %s",
				 mx_addr_str(&L->res[i], a));
		text(b, X_RES + RES_STEP * (double)i, i % 2 ? 32 : 16, "middle",
		     "col", lab, 30);
		xs[n++] = X_RES + RES_STEP * (double)i;
	}
	for (size_t i = 0; i < n; i++)
		tb_printf(b, "<line class=\"life\" x1=\"%.1f\" y1=\"%.1f\" "
			     "x2=\"%.1f\" y2=\"%.1f\"/>\n",
			  xs[i], TOP, xs[i], L->bottom);
}

/* A shaded band between client and server from time t0 to t1. */
static void band(struct textbuf *b, const struct ladder *L, double t0,
		 double t1, const char *cls, const char *label)
{
	double y0 = y_at(L, t0), y1 = y_at(L, t1);
	if (y1 - y0 < 4)
		y1 = y0 + 4;
	tb_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		     "height=\"%.1f\"/>",
		  cls, X_CLIENT + 2, y0, X_SERVER - X_CLIENT - 4, y1 - y0);
	text(b, (X_CLIENT + X_SERVER) / 2, y0 + 16, "middle", "blab", label, 44);
	tb_putc(b, '\n');
}

/* The wait for the greeting: from the handshake's end to the banner, or
 * to the end of the session when none came. */
static void banner_wait(struct textbuf *b, const struct ladder *L)
{
	const struct session *s = L->s;
	struct textbuf t = {0};
	double from, to, end = s->close_t > s->last ? s->close_t : s->last;
	bool slow;
	if (s->partial || s->one_sided || !(s->has_ack || s->has_syn_ack))
		return;
	from = s->has_ack ? s->ack_t : s->syn_ack_t;
	to = s->has_banner ? s->banner_t : end; /* or the first FIN */
	if (!s->has_banner && s->fin_client && s->fin_client_t < to)
		to = s->fin_client_t;
	if (!s->has_banner && s->fin_server && s->fin_server_t < to)
		to = s->fin_server_t;
	if (!(to > from))
		return;
	slow = !s->has_banner || mx_dt(from, to) > L->cfg->slow_banner;
	tb_puts(&t, s->has_banner ? "banner wait " : "no banner for ");
	hx_f3(&t, mx_dt(from, to));
	tb_puts(&t, " s");
	if (s->has_banner && slow) {
		tb_puts(&t, " (limit ");
		hx_f3(&t, L->cfg->slow_banner);
		tb_puts(&t, " s)");
	}
	tb_putc(&t, '\0');
	if (!t.oom)
		band(b, L, from, to, slow ? "wait slow" : "wait", t.p);
	tb_free(&t);
}

static void stalls(struct textbuf *b, const struct ladder *L,
		   const struct finding_list *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		char lab[96];
		if ((f->code != F_STALL_DATA && f->code != F_STALL_XEXCH50 &&
		     f->code != F_STALL_COMMAND) || !f->has_duration)
			continue;
		snprintf(lab, sizeof lab, "%s: silent %.3f s",
			 finding_code_name(f->code), f->duration);
		band(b, L, f->t, f->t + f->duration, "stall", lab);
	}
}

/* DNS waits: a bar on the resolver's line from query to answer (to the
 * bottom, dashed, when none came). */
static void dns_waits(struct textbuf *b, const struct ladder *L)
{
	for (size_t i = 0; i < L->n; i++) {
		const struct dns_tx *tx;
		double x, y0, y1;
		if (!L->it[i].tie || L->it[i].response)
			continue;
		tx = L->it[i].tie->tx;
		x = res_x(L, &tx->resolver.ip);
		y0 = L->y[i];
		y1 = tx->has_response ? y_at(L, tx->response_t) : L->bottom - 6;
		if (y1 < y0 + 4)
			y1 = y0 + 4;
		tb_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			     "width=\"6\" height=\"%.1f\"/>\n",
			  !tx->has_response ? "dnsw lost"
			  : mx_dt(tx->query_t, tx->response_t) > L->cfg->slow_dns
				  ? "dnsw slow" : "dnsw",
			  x - 3, y0, y1 - y0);
		if (!tx->has_response)
			text(b, x + 6, L->bottom - 8, "start", "lab err",
			     "never answered", 20);
	}
}

/* Long quiet gaps: a break across the columns with the real length. */
static void breaks(struct textbuf *b, const struct ladder *L)
{
	for (size_t i = 1; i < L->n; i++) {
		double dt = mx_dt(L->it[i - 1].t, L->it[i].t), y;
		char lab[48];
		if (!hx_gap_breaks(dt))
			continue;
		y = (L->y[i - 1] + L->y[i]) / 2 + 4;
		tb_printf(b, "<rect class=\"brkbg\" x=\"%.1f\" y=\"%.1f\" "
			     "width=\"%.1f\" height=\"8\"/>",
			  X_CLIENT - 30, y - 4, L->width - X_CLIENT + 10);
		for (int k = -1; k <= 1; k += 2) {
			tb_puts(b, "<polyline class=\"brk\" points=\"");
			for (double x = X_CLIENT - 30; x <= L->width - 20; x += 8)
				tb_printf(b, "%.1f,%.1f ", x,
					  y + 4 * k + ((int)(x / 8) % 2 ? 2 : -2));
			tb_puts(b, "\"/>");
		}
		snprintf(lab, sizeof lab, "%.3f s", dt);
		text(b, X_TIME, y + 4, "end", "gapl", lab, 16);
		tb_putc(b, '\n');
	}
}

/* The first line of a reply's text and how many more lines it has. */
static size_t first_line(const char *t, char *out, size_t cap)
{
	size_t n = 0, more = 0;
	if (!t)
		t = "";
	while (t[n] && t[n] != '\n')
		n++;
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), t);
	for (const char *p = t + n; *p; p++)
		more += *p == '\n';
	return more;
}

static void reply_label(char *lab, size_t cap, const struct ladder *L,
			const struct tl_event *e)
{
	char line[300], code[16] = "", tail[64] = "";
	size_t more = first_line(e->text, line, sizeof line);
	double d;
	if (e->code)
		snprintf(code, sizeof code, "%d ", e->code);
	if (e->kind == EV_BANNER && sess_banner_delay(L->s, &d))
		snprintf(tail, sizeof tail, " (after %.3f s)", d);
	else if (e->kind == EV_REPLY && e->latency >= 0)
		snprintf(tail, sizeof tail, " (%s, %.3f s)",
			 e->verb ? e->verb : "?", e->latency);
	if (more)
		snprintf(lab, cap, "%s%s [+%zu lines]%s", code, line, more, tail);
	else
		snprintf(lab, cap, "%s%s%s", code, line, tail);
}

/* The question on the query's arrow, the answer on the response's (the
 * question is on the row above); the whole in the tooltip. */
static void dns_label(char *lab, size_t cap, char *tip, size_t tcap,
		      const struct tl_item *it)
{
	const struct dns_tx *tx = it->tie->tx;
	char tb[16], rb[16], ans[200] = "", a[MX_ADDRSTR], r[MX_ADDRSTR];
	const char *q = tx->qname && tx->qname[0] ? tx->qname : ".";
	const char *type = dns_type_name(tx->qtype, tb);
	const char *rcode = dns_rcode_name(tx->rcode, rb);
	size_t o = 0;
	for (size_t i = 0; i < tx->n_answers && i < 3 && o < sizeof ans; i++)
		o += (size_t)snprintf(ans + o, sizeof ans - o, "%s%s",
				      i ? ", " : " ", tx->answers[i]);
	snprintf(tip, tcap, "%s %s? from %s to %s%s [%s], %u resent%s%s%s",
		 type, q, mx_addr_str(&tx->asker.ip, a),
		 mx_addr_str(&tx->resolver.ip, r), tx->tcp ? " (tcp)" : "",
		 dns_relation_name(it->tie->rel), tx->retransmissions,
		 tx->has_response ? ": " : ": never answered",
		 tx->has_response ? rcode : "",
		 tx->has_response ? ans : "");
	if (!it->response) {
		snprintf(lab, cap, "%s %s?%s", type, q,
			 tx->retransmissions ? " (resent)" : "");
		return;
	}
	snprintf(lab, cap, "%s%s%s (%.3f s)", rcode, ans,
		 tx->n_answers > 3 ? " ..." : "",
		 tx->has_query ? mx_dt(tx->query_t, tx->response_t) : 0.0);
}

static void event_label(char *lab, size_t cap, const struct ladder *L,
			const struct tl_event *e, const char **cls)
{
	switch (e->kind) {
	case EV_SYN: snprintf(lab, cap, "SYN%s", e->retransmission ? " (again)" : ""); break;
	case EV_SYN_ACK: snprintf(lab, cap, "SYN-ACK%s", e->retransmission ? " (again)" : ""); break;
	case EV_ACK: snprintf(lab, cap, "ACK (handshake complete)"); break;
	case EV_BANNER:
	case EV_REPLY:
		reply_label(lab, cap, L, e);
		if (sess_reply_class(e) >= 4 || e->code >= 400)
			*cls = "s bad";
		break;
	case EV_COMMAND:
		snprintf(lab, cap, "%s%s%s", e->verb ? e->verb : "",
			 e->text && *e->text ? " " : "", e->text ? e->text : "");
		break;
	case EV_DATA_START: snprintf(lab, cap, "(message body)"); *cls = "c body"; break;
	case EV_DATA_END:
		snprintf(lab, cap, ". (end of data, %llu bytes)",
			 (unsigned long long)e->bytes);
		break;
	case EV_BLOB:
		snprintf(lab, cap, "(%s binary data, %llu bytes)",
			 e->verb ? e->verb : "", (unsigned long long)e->bytes);
		*cls = "c body";
		break;
	case EV_TLS:
		snprintf(lab, cap, "TLS, %llu bytes", (unsigned long long)e->bytes);
		*cls = "tls";
		break;
	case EV_FIN: snprintf(lab, cap, "FIN"); break;
	case EV_RST: snprintf(lab, cap, "RST"); *cls = "rst"; break;
	case EV_GAP:
		snprintf(lab, cap, "GAP: %llu bytes missing from the capture",
			 (unsigned long long)e->bytes);
		*cls = "gap";
		break;
	default: snprintf(lab, cap, "%s", ev_kind_name(e->kind));
	}
}

static void row(struct textbuf *b, const struct ladder *L, size_t i)
{
	const struct tl_item *it = &L->it[i];
	char lab[512], tl[32], tip[768];
	double y = L->y[i], x1, x2;
	const char *cls;
	snprintf(tl, sizeof tl, "%+.3f", mx_dt(L->s->start, it->t) > -0.0005 &&
		 mx_dt(L->s->start, it->t) < 0 ? 0.0 : mx_dt(L->s->start, it->t));
	text(b, X_TIME, y + 4, "end", "tl", tl, 16);
	if (it->tie) {
		const struct dns_tx *tx = it->tie->tx;
		bool slow = it->response && tx->has_query &&
			    mx_dt(tx->query_t, tx->response_t) > L->cfg->slow_dns;
		dns_label(lab, sizeof lab, tip, sizeof tip, it);
		x1 = asker_x(L, tx);
		x2 = res_x(L, &tx->resolver.ip);
		cls = it->response ? (tx->rcode ? "d bad" : slow ? "d slow" : "d")
				   : "d";
		if (it->response)
			arrow(b, x2, x1, y, cls, lab, tip);
		else
			arrow(b, x1, x2, y, cls, lab, tip);
		return;
	}
	cls = it->ev->actor == ACTOR_CLIENT ? "c" : "s";
	event_label(lab, sizeof lab, L, it->ev, &cls);
	x1 = actor_x(it->ev->actor);
	x2 = it->ev->actor == ACTOR_CLIENT ? X_SERVER : X_CLIENT;
	if (it->ev->kind == EV_TIMEOUT) {
		text(b, x1 + 6, y + 4, "start", "lab err",
		     "(silent: the session timed out)", 40);
		return;
	}
	arrow(b, x1, x2, y, cls, lab, NULL);
}

static void ladder_svg(struct textbuf *b, const struct session *s,
		       const struct finding_list *fl,
		       const struct fnd_config *cfg, struct tl_scratch *sc)
{
	struct ladder L; /* some 3 KB of rows */
	size_t n;
	memset(&L, 0, sizeof L);
	L.s = s;
	L.cfg = cfg;
	L.it = tl_merge(s, &n, sc);
	L.n_all = L.it ? n : 0;
	L.n = L.n_all < HX_MAX_ROWS ? L.n_all : HX_MAX_ROWS;
	layout(&L);
	tb_printf(b, "<svg class=\"ladder\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"ladder "
		     "diagram of ",
		  L.width, L.bottom + 8, L.width, L.bottom + 8);
	hx_esc(b, s->id);
	tb_puts(b, "\">\n");
	columns(b, &L);
	banner_wait(b, &L);
	stalls(b, &L, fl);
	dns_waits(b, &L);
	breaks(b, &L);
	for (size_t i = 0; i < L.n; i++)
		row(b, &L, i);
	if (L.n_all > L.n || s->ev_dropped) {
		char lab[96];
		snprintf(lab, sizeof lab, "%zu more events not drawn",
			 L.n_all - L.n + s->ev_dropped);
		text(b, X_CLIENT, L.bottom - 4, "start", "lab err", lab, 60);
	}
	if (L.n_all == 0)
		text(b, X_CLIENT, TOP + 20, "start", "lab", "(no events)", 20);
	tb_puts(b, "</svg>\n");
}

/* ---- the session block --------------------------------------------------- */

static const char *const sev_cls[] = {"info", "warning", "error"};

int hx_worst(const struct finding_list *fl)
{
	int w = -1;
	for (size_t i = 0; i < fl->n; i++)
		if ((int)fl->v[i].sev > w)
			w = (int)fl->v[i].sev;
	return w;
}

double hx_delay(const struct session *s, const struct finding_list *fl)
{
	double d = 0, x;
	if (sess_banner_delay(s, &x) && x > d)
		d = x;
	for (size_t i = 0; i < fl->n; i++)
		if (fl->v[i].has_duration && fl->v[i].duration > d)
			d = fl->v[i].duration;
	return d;
}

static void endpoints(struct textbuf *b, const struct session *s)
{
	char a[MX_ADDRSTR];
	hx_esc(b, mx_addr_str(&s->client.ip, a));
	tb_printf(b, ":%u &#8594; ", s->client.port);
	hx_esc(b, mx_addr_str(&s->server.ip, a));
	tb_printf(b, ":%u", s->server.port);
}

static void list(struct textbuf *b, char **v, size_t n, size_t max)
{
	if (n == 0)
		tb_puts(b, "-");
	for (size_t i = 0; i < n && i < max; i++) {
		if (i)
			tb_puts(b, ", ");
		hx_esc_n(b, v[i], 1024, 120);
	}
	if (n > max)
		tb_printf(b, ", +%zu more", n - max);
}

static void facts(struct textbuf *b, const struct session *s)
{
	double d;
	tb_puts(b, "<p class=\"facts\">banner ");
	if (s->has_banner && sess_banner_delay(s, &d)) {
		tb_printf(b, "%d after <b>", s->banner_code);
		hx_f3(b, d);
		tb_puts(b, " s</b>");
	} else {
		tb_puts(b, "<b>none</b>");
	}
	tb_puts(b, " &#183; helo ");
	hx_esc_n(b, s->helo ? s->helo : "-", 512, 120);
	tb_puts(b, " &#183; from ");
	list(b, s->mail_from, s->n_mail_from, 3);
	tb_puts(b, " &#183; to ");
	list(b, s->rcpt_to, s->n_rcpt_to, 3);
	if (s->starttls)
		tb_puts(b, " &#183; STARTTLS");
	if (s->partial)
		tb_puts(b, " &#183; began before the capture");
	if (s->one_sided)
		tb_printf(b, " &#183; one-sided (%s)", one_sided_name(s->one_sided));
	if (s->capture_loss)
		tb_puts(b, " &#183; <b>packets dropped while open</b>");
	if (s->group) {
		const struct mx_group *g = s->group;
		tb_puts(b, "<br>delivery ");
		hx_esc(b, g->id);
		tb_puts(b, " to ");
		hx_esc_n(b, g->domain, 300, 120);
		tb_puts(b, ", tried:");
		for (size_t i = 0; i < s->attempt && i < g->n_att; i++) {
			tb_puts(b, i ? " &#8594; " : " ");
			hx_esc(b, g->att[i].session);
			tb_putc(b, ' ');
			hx_esc_n(b, g->att[i].host && g->att[i].host[0]
					    ? g->att[i].host : "?", 300, 80);
			tb_printf(b, " (%s)", dl_outcome_name(g->att[i].outcome));
		}
	}
	tb_puts(b, "</p>\n");
}

static void findings(struct textbuf *b, const struct finding_list *fl)
{
	tb_puts(b, "<div class=\"finds\">\n");
	for (size_t i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		tb_printf(b, "<div class=\"f %s\"><span class=\"sev %s\">%s</span> "
			     "<code>%s</code>%s<p>",
			  sev_cls[f->sev], sev_cls[f->sev], severity_name(f->sev),
			  finding_code_name(f->code),
			  f->uncertain ? " <i>(uncertain: packets were "
					 "dropped)</i>" : "");
		hx_esc_n(b, f->summary, sizeof f->summary, 0);
		tb_puts(b, "</p>");
		if (f->n_evidence)
			tb_puts(b, "<ul>");
		for (size_t j = 0; j < f->n_evidence && j < FINDING_MAX_EVIDENCE;
		     j++) {
			tb_puts(b, "<li>");
			hx_esc_n(b, f->evidence[j], 4096, 600);
			tb_puts(b, "</li>");
		}
		if (f->n_evidence)
			tb_puts(b, "</ul>");
		if (f->remedy) {
			tb_puts(b, "<p class=\"rem\"><b>Remedy:</b> ");
			hx_esc(b, f->remedy);
			tb_puts(b, "</p>");
		}
		tb_puts(b, "</div>\n");
	}
	tb_puts(b, "</div>\n");
}

void hx_session(struct textbuf *b, const struct session *s,
		const struct finding_list *fl, const struct fnd_config *cfg,
		struct tl_scratch *sc)
{
	char when[32];
	double end = s->close_t > s->last ? s->close_t : s->last;
	int w = hx_worst(fl);
	tb_puts(b, "<section class=\"sess\" id=\"");
	hx_esc(b, s->id);
	tb_printf(b, "\">\n<h3><span class=\"sev %s\">%s</span> ",
		  w >= 0 ? sev_cls[w] : "clean", w >= 0 ? severity_name(w) : "clean");
	hx_esc(b, s->id);
	tb_puts(b, " ");
	endpoints(b, s);
	tb_puts(b, " <small>");
	tb_puts(b, mx_time_str(s->start, when));
	tb_puts(b, " UTC &#183; ");
	hx_f3(b, mx_dt(s->start, end));
	tb_printf(b, " s &#183; closed: %s &#183;", sess_close_name(s->close));
	for (size_t i = 0; i < fl->n; i++)
		tb_printf(b, " %s", finding_code_name(fl->v[i].code));
	tb_puts(b, "</small></h3>\n");
	facts(b, s);
	tb_puts(b, "<div class=\"pair\"><div class=\"lad\">\n");
	ladder_svg(b, s, fl, cfg, sc);
	tb_puts(b, "</div>\n");
	findings(b, fl);
	tb_puts(b, "</div></section>\n");
}

void hx_row_head(struct textbuf *b)
{
	tb_puts(b, "<thead><tr><th>session</th><th>start (UTC)</th>"
		   "<th>client &#8594; server</th><th>banner s</th>"
		   "<th>duration s</th><th>close</th><th>worst</th>"
		   "<th>findings</th><th>helo</th><th>from</th><th>to</th>"
		   "</tr></thead>\n");
}

void hx_row(struct textbuf *b, const struct session *s,
	    const struct finding_list *fl, bool link)
{
	char when[32];
	double d, end = s->close_t > s->last ? s->close_t : s->last;
	int w = hx_worst(fl);
	tb_puts(b, "<tr><td>");
	if (link) {
		tb_puts(b, "<a href=\"#");
		hx_esc(b, s->id);
		tb_puts(b, "\">");
	}
	hx_esc(b, s->id);
	tb_puts(b, link ? "</a></td><td>" : "</td><td>");
	tb_puts(b, mx_time_str(s->start, when));
	tb_puts(b, "</td><td>");
	endpoints(b, s);
	tb_puts(b, "</td><td class=\"n\">");
	if (s->has_banner && sess_banner_delay(s, &d))
		hx_f3(b, d);
	else
		tb_puts(b, "-");
	tb_puts(b, "</td><td class=\"n\">");
	hx_f3(b, mx_dt(s->start, end));
	tb_printf(b, "</td><td>%s</td><td class=\"%s\">%s</td><td>",
		  sess_close_name(s->close), w >= 0 ? sev_cls[w] : "",
		  w >= 0 ? severity_name(w) : "-");
	for (size_t i = 0; i < fl->n; i++)
		tb_printf(b, "%s%s", i ? " " : "", finding_code_name(fl->v[i].code));
	tb_puts(b, "</td><td>");
	hx_esc_n(b, s->helo ? s->helo : "-", 512, 60);
	tb_puts(b, "</td><td>");
	list(b, s->mail_from, s->n_mail_from, 1);
	tb_puts(b, "</td><td>");
	list(b, s->rcpt_to, s->n_rcpt_to, 2);
	tb_puts(b, "</td></tr>\n");
}
