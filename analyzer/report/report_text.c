/* report_text.c - text timelines: relative times aligned, one line per
 * event, DNS lookups interleaved where they happened. */
#include "report/report_text.h"

#include <stdlib.h>
#include <string.h>

#include "diagnose/delivery.h"
#include "report/timeline.h"

static const char *const sev_label[] = {"info", "WARNING", "ERROR"};
/* cyan, yellow, bold red; bold for a session's first line */
static const char *const sev_colour[] = {"\033[36m", "\033[33m", "\033[1;31m"};
#define COLOUR_BOLD "\033[1m"
#define COLOUR_OFF "\033[0m"

static bool coloured(const struct text_style *st)
{
	return st && st->colour;
}

/* The severity label, padded to 7 columns, coloured on a terminal. */
static void sev_put(struct textbuf *b, enum severity sev,
		    const struct text_style *st)
{
	if (coloured(st))
		tb_puts(b, sev_colour[sev]);
	tb_pad(b, sev_label[sev], 7);
	if (coloured(st))
		tb_puts(b, COLOUR_OFF);
}

/* Reply texts hold '\n' between lines; show them joined by " | ". */
static void one_line(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (; in && *in && o + 4 < cap; in++) {
		if (*in == '\n') {
			memcpy(out + o, " | ", 3);
			o += 3;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

/* "dns" and the question, between `before` and `after` */
static void question(struct textbuf *b, const struct dns_tx *tx,
		     const char *before, const char *after)
{
	char tb[16];
	tb_pad(b, "dns", 7);
	tb_puts(b, before);
	tb_puts(b, dns_type_name(tx->qtype, tb));
	tb_putc(b, ' ');
	tb_puts(b, tx->qname[0] ? tx->qname : ".");
	tb_puts(b, after);
}

static void dns_line(struct textbuf *b, const struct tl_item *it)
{
	const struct dns_tx *tx = it->tie->tx;
	char rb[16], res[MX_ADDRSTR], ask[MX_ADDRSTR];
	if (!it->response) {
		question(b, tx, " ", "? ");
		tb_puts(b, mx_addr_str(&tx->asker.ip, ask));
		tb_puts(b, " -> ");
		tb_puts(b, mx_addr_str(&tx->resolver.ip, res));
		if (tx->tcp)
			tb_puts(b, " (tcp)");
		tb_puts(b, " [");
		tb_puts(b, dns_relation_name(it->tie->rel));
		tb_putc(b, ']');
		if (tx->retransmissions) {
			tb_puts(b, ", resent ");
			tb_u64(b, tx->retransmissions);
			tb_puts(b, tx->retransmissions == 1 ? " time" : " times");
		}
		if (!tx->has_response)
			tb_puts(b, ", NEVER ANSWERED");
		return;
	}
	question(b, tx, "   ", " ");
	tb_puts(b, dns_rcode_name(tx->rcode, rb));
	for (size_t i = 0; i < tx->n_answers && i < 4; i++) {
		tb_puts(b, i ? ", " : " ");
		tb_puts(b, tx->answers[i]);
	}
	if (tx->n_answers > 4) {
		tb_puts(b, ", +");
		tb_u64(b, tx->n_answers - 4);
		tb_puts(b, " more");
	}
	if (tx->tc)
		tb_puts(b, " [TC: truncated by the server]");
	if (tx->capture_cut)
		tb_puts(b, " [cut by the capture's snaplen: records missing]");
	if (tx->anomalies)
		tb_puts(b, " [malformed: see the JSON's anomalies]");
	if (tx->has_query) {
		tb_puts(b, "  (rtt ");
		tb_f3(b, mx_dt(tx->query_t, tx->response_t), 0, 0);
		tb_puts(b, " s)");
	}
}

/* "who" padded, then the rest of the line */
static void who_says(struct textbuf *b, const char *who, const char *what)
{
	tb_pad(b, who, 7);
	tb_putc(b, ' ');
	tb_puts(b, what);
}

static void event_line(struct textbuf *b, const struct session *s,
		       const struct tl_event *e)
{
	char text[700];
	const char *who = actor_name(e->actor);
	double d;
	switch (e->kind) {
	case EV_SYN:
		who_says(b, who, e->retransmission ? "SYN (again)" : "SYN");
		break;
	case EV_SYN_ACK:
		who_says(b, who, e->retransmission ? "SYN-ACK (again)"
						   : "SYN-ACK");
		break;
	case EV_ACK:
		who_says(b, who, "ACK (handshake complete)");
		break;
	case EV_BANNER:
	case EV_REPLY:
		one_line(e->text, text, sizeof(text));
		tb_pad(b, who, 7);
		tb_putc(b, ' ');
		if (e->code) { /* 0: a line without a reply code */
			tb_int(b, e->code);
			tb_putc(b, ' ');
		}
		tb_puts(b, text);
		if (e->kind == EV_BANNER && sess_banner_delay(s, &d)) {
			tb_puts(b, "   <- banner after ");
			tb_f3(b, d, 0, 0);
			tb_puts(b, " s");
		} else if (e->kind == EV_REPLY && e->latency >= 0) {
			tb_puts(b, "   (");
			tb_puts(b, e->verb ? e->verb : "(null)");
			tb_puts(b, ", ");
			tb_f3(b, e->latency, 0, 0);
			tb_puts(b, " s)");
		}
		break;
	case EV_COMMAND:
		who_says(b, who, e->verb ? e->verb : "");
		if (e->text && *e->text) {
			tb_putc(b, ' ');
			tb_puts(b, e->text);
		}
		break;
	case EV_DATA_START:
		who_says(b, who, "(message body starts)");
		break;
	case EV_DATA_END:
		who_says(b, who, ". (end of data, ");
		tb_u64(b, e->bytes);
		tb_puts(b, " bytes)");
		break;
	case EV_BLOB:
		who_says(b, who, "(");
		tb_puts(b, e->verb ? e->verb : "");
		tb_puts(b, " binary data, ");
		tb_u64(b, e->bytes);
		tb_puts(b, " bytes)");
		break;
	case EV_TLS:
		who_says(b, who, "(TLS, ");
		tb_u64(b, e->bytes);
		tb_puts(b, " bytes until ");
		tb_f3(b, mx_dt(s->start, e->t_last), 0, 1);
		tb_putc(b, ')');
		break;
	case EV_FIN:
		who_says(b, who, "FIN");
		break;
	case EV_RST:
		who_says(b, who, "RST");
		break;
	case EV_TIMEOUT:
		who_says(b, who, "(silent: session timed out)");
		break;
	case EV_GAP:
		who_says(b, who, "(");
		tb_u64(b, e->bytes);
		tb_puts(b, " bytes missing from the capture)");
		break;
	default:
		who_says(b, who, ev_kind_name(e->kind));
	}
}

static void list(struct textbuf *b, const char *label, char **v, size_t n)
{
	tb_puts(b, "  ");
	tb_pad(b, label, 9);
	if (n == 0)
		tb_puts(b, " -");
	for (size_t i = 0; i < n && i < 10; i++) {
		tb_puts(b, i ? ", " : " ");
		tb_puts(b, v[i]);
	}
	if (n > 10) {
		tb_puts(b, ", +");
		tb_u64(b, n - 10);
		tb_puts(b, " more");
	}
	tb_putc(b, '\n');
}

static void endpoint(struct textbuf *b, const struct mx_endpoint *e)
{
	char a[MX_ADDRSTR];
	if (e->ip.family == 6)
		tb_putc(b, '[');
	tb_puts(b, mx_addr_str(&e->ip, a));
	if (e->ip.family == 6)
		tb_putc(b, ']');
	tb_putc(b, ':');
	tb_u64(b, e->port);
}

/* The worst finding on the session's first line: the one to read first. */
static void headline(struct textbuf *b, const struct finding_list *fl,
		     const struct text_style *st)
{
	if (!fl->n)
		return;
	tb_puts(b, "  ");
	if (coloured(st))
		tb_puts(b, sev_colour[fl->v[0].sev]);
	tb_puts(b, sev_label[fl->v[0].sev]);
	tb_putc(b, ' ');
	tb_puts(b, finding_code_name(fl->v[0].code));
	if (coloured(st))
		tb_puts(b, COLOUR_OFF);
	if (fl->n > 1) {
		tb_puts(b, " (+");
		tb_u64(b, fl->n - 1);
		tb_putc(b, ')');
	}
}

static void header(struct textbuf *b, const struct session *s,
		   const struct finding_list *fl, const struct text_style *st)
{
	char when[32];
	double end = s->close_t > s->last ? s->close_t : s->last, d;

	if (coloured(st))
		tb_puts(b, COLOUR_BOLD);
	tb_puts(b, "== ");
	tb_puts(b, s->id);
	tb_puts(b, "  ");
	endpoint(b, &s->client);
	tb_puts(b, " -> ");
	endpoint(b, &s->server);
	tb_puts(b, "  ");
	tb_puts(b, mx_time_str(s->start, when));
	tb_puts(b, " UTC  ");
	tb_f3(b, mx_dt(s->start, end), 0, 0);
	tb_puts(b, " s  closed: ");
	tb_puts(b, sess_close_name(s->close));
	if (s->partial)
		tb_puts(b, "  (began before the capture)");
	if (coloured(st))
		tb_puts(b, COLOUR_OFF);
	headline(b, fl, st);
	tb_putc(b, '\n');
	if (s->capture_loss)
		tb_puts(b, "  capture-loss the capture dropped packets while "
			   "this session was open: findings marked uncertain "
			   "may be the drops, not the servers\n");
	if (s->one_sided)
		tb_puts(b, s->one_sided == ONE_SIDED_CLIENT_ONLY
				   ? "  one-sided only the client's packets are "
				     "captured: the server's replies are unseen "
				     "(its bytes show as gaps)\n"
				   : "  one-sided only the server's packets are "
				     "captured: the client's commands are unseen "
				     "(its bytes show as gaps)\n");
	if (s->has_banner && sess_banner_delay(s, &d)) {
		tb_puts(b, "  banner    ");
		tb_int(b, s->banner_code);
		tb_puts(b, " after ");
		tb_f3(b, d, 0, 0);
		tb_puts(b, " s\n");
	} else if (s->one_sided == ONE_SIDED_CLIENT_ONLY) {
		tb_puts(b, "  banner    not captured\n");
	} else {
		tb_puts(b, "  banner    none\n");
	}
	tb_puts(b, "  helo      ");
	tb_puts(b, s->helo ? s->helo : "-");
	tb_putc(b, '\n');
	list(b, "from", s->mail_from, s->n_mail_from);
	list(b, "to", s->rcpt_to, s->n_rcpt_to);
	if (sess_implicit_tls(s))
		tb_puts(b, "  tls       from the first byte (implicit TLS), the "
			   "whole session encrypted\n");
	else if (s->starttls)
		tb_puts(b, "  tls       STARTTLS, rest of the session encrypted\n");
}

static void delivery(struct textbuf *b, const struct session *s)
{
	const struct mx_group *g = s->group;
	tb_puts(b, "  delivery  ");
	tb_puts(b, g->id);
	tb_puts(b, " to ");
	tb_puts(b, g->domain);
	tb_puts(b, ", MX");
	for (size_t i = 0; i < g->mx->n_names; i++) {
		tb_puts(b, i ? ", " : " ");
		tb_u64(b, g->mx->prefs[i]);
		tb_putc(b, ' ');
		tb_puts(b, g->mx->names[i]);
	}
	tb_puts(b, "; tried:");
	for (size_t i = 0; i < s->attempt && i < g->n_att; i++) {
		const struct dl_attempt *at = &g->att[i];
		tb_puts(b, i ? " -> " : " ");
		tb_puts(b, at->session);
		tb_putc(b, ' ');
		tb_puts(b, at->host[0] ? at->host : "?");
		tb_puts(b, " (");
		tb_puts(b, dl_outcome_name(at->outcome)); /* settled */
		tb_putc(b, ')');
	}
	tb_putc(b, '\n');
}

static void findings(struct textbuf *b, const struct finding_list *fl,
		     const struct text_style *st)
{
	if (!fl->n)
		return;
	tb_puts(b, "  findings:\n");
	for (size_t i = 0; i < fl->n; i++) {
		const struct finding *x = &fl->v[i];
		tb_puts(b, "    ");
		sev_put(b, x->sev, st);
		tb_putc(b, ' ');
		tb_puts(b, finding_code_name(x->code));
		tb_puts(b, ": ");
		if (x->uncertain)
			tb_puts(b, "(uncertain: packets were dropped) ");
		tb_puts(b, x->summary);
		tb_putc(b, '\n');
		for (size_t j = 0; j < x->n_evidence; j++) {
			tb_puts(b, "            - ");
			tb_puts(b, x->evidence[j]);
			tb_putc(b, '\n');
		}
		if (x->remedy) {
			tb_puts(b, "            remedy: ");
			tb_puts(b, x->remedy);
			tb_putc(b, '\n');
		}
	}
}

/* A timeline time: seconds from the start, or (--abs) the UTC time of day
 * to the microsecond. */
static void when(struct textbuf *b, const struct session *s, double t,
		 const struct text_style *st)
{
	char buf[32];
	double r = mx_dt(s->start, t);
	tb_puts(b, "    ");
	if (st && st->abs) {
		mx_time_str(t, buf);
		tb_puts(b, strlen(buf) > 11 ? buf + 11 : buf); /* HH:MM:SS.us */
		return;
	}
	/* no "-0.000" for a lookup answered a hair before the SYN */
	tb_f3(b, r > -0.0005 && r < 0 ? 0.0 : r, 10, 0);
}

void rt_session(struct textbuf *b, const struct session *s,
		const struct finding_list *fl, struct tl_scratch *sc,
		const struct text_style *st)
{
	struct tl_item *items;
	size_t n;

	header(b, s, fl, st);
	if (s->group)
		delivery(b, s);
	findings(b, fl, st);
	if (st && st->abs)
		tb_puts(b, "  timeline (UTC):\n");
	else {
		tb_puts(b, "  timeline (seconds from the ");
		tb_puts(b, s->syns ? "first SYN" : "first packet seen");
		tb_puts(b, "):\n");
	}
	items = tl_merge(s, &n, sc);
	for (size_t i = 0; i < n; i++) {
		when(b, s, items[i].t, st);
		tb_puts(b, "  ");
		if (items[i].tie)
			dns_line(b, &items[i]);
		else
			event_line(b, s, items[i].ev);
		tb_putc(b, '\n');
	}
	if (s->ev_dropped) {
		tb_puts(b, "    (");
		tb_u64(b, s->ev_dropped);
		tb_puts(b, " more events not kept)\n");
	}
	tb_putc(b, '\n');
}

/* Live capture: what the kernel passed and dropped, per interface. */
static void live_summary(FILE *f, const struct cap_reader *cr,
			 const struct diag_stats *ds)
{
	uint64_t dropped = 0;
	for (size_t i = 0; i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		fprintf(f, "  capture   %s: %llu received by filter, %llu "
			   "dropped by kernel, %llu dropped by interface\n",
			in->file, (unsigned long long)in->received,
			(unsigned long long)in->dropped_kernel,
			(unsigned long long)in->dropped_iface);
		dropped += in->dropped_kernel + in->dropped_iface;
	}
	if (dropped)
		fprintf(f, "  capture   %llu sessions were open while packets "
			   "were dropped (capture_loss)\n",
			(unsigned long long)ds->capture_loss_sessions);
}

void rt_summary(FILE *f, const struct cap_reader *cr,
		const struct engine_stats *st, const struct diag_stats *ds)
{
	const struct diag_top *banners = ds->slow_banner, *dns = ds->slow_dns;
	size_t n_banners = ds->n_slow_banner, n_dns = ds->n_slow_dns;
	uint64_t total = 0;
	fprintf(f, "== summary\n");
	for (size_t i = 0; cr && i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		fprintf(f, "  input     %s (%s, %llu packets, %llu bytes",
			in->file, in->link_type, (unsigned long long)in->packets,
			(unsigned long long)in->bytes);
		if (in->decapsulated)
			fprintf(f, ", %llu from tunnels",
				(unsigned long long)in->decapsulated);
		fputs(")\n", f);
	}
	if (cr && cap_is_live(cr))
		live_summary(f, cr, ds);
	fprintf(f, "  sessions  %llu\n", (unsigned long long)st->sessions);
	fprintf(f, "  dns       %llu transactions\n",
		(unsigned long long)st->dns_transactions);
	for (int c = 0; c < F__COUNT; c++)
		total += ds->findings[c];
	fprintf(f, "  findings  %llu\n", (unsigned long long)total);
	for (int c = 0; c < F__COUNT; c++)
		if (ds->findings[c])
			fprintf(f, "    %-20s %llu\n", finding_code_name(c),
				(unsigned long long)ds->findings[c]);
	if (n_banners) {
		fprintf(f, "  slowest banners:\n");
		for (size_t i = 0; i < n_banners; i++)
			fprintf(f, "    %8.3f s  %s\n", banners[i].v,
				banners[i].what);
	}
	if (n_dns) {
		fprintf(f, "  slowest DNS lookups:\n");
		for (size_t i = 0; i < n_dns; i++)
			fprintf(f, "    %8.3f s  %s\n", dns[i].v, dns[i].what);
	}
	if (st->sessions_evicted || st->dns_evicted || st->dns_tcp_evicted ||
	    st->frag.evicted)
		fprintf(f, "  evicted   %llu sessions, %llu DNS transactions, "
			   "%llu DNS-over-TCP connections, %llu fragmented "
			   "datagrams (limits reached)\n",
			(unsigned long long)st->sessions_evicted,
			(unsigned long long)st->dns_evicted,
			(unsigned long long)st->dns_tcp_evicted,
			(unsigned long long)st->frag.evicted);
	for (size_t i = 0; i < st->n_elsewhere; i++)
		fprintf(f, "  elsewhere %llu SMTP greeting%s on TCP port %u, not "
			   "watched: add --smtp-port %u\n",
			(unsigned long long)st->elsewhere[i].greetings,
			st->elsewhere[i].greetings == 1 ? "" : "s",
			st->elsewhere[i].port, st->elsewhere[i].port);
	if (st->partial_sessions || st->tcp_gaps)
		fprintf(f, "  capture   %llu sessions began before the capture; "
			   "%llu gaps, %llu bytes missing\n",
			(unsigned long long)st->partial_sessions,
			(unsigned long long)st->tcp_gaps,
			(unsigned long long)st->tcp_missing_bytes);
	if (st->frag.fragments4 || st->frag.fragments6)
		fprintf(f, "  fragments %llu IPv4, %llu IPv6; datagrams: %llu "
			   "rebuilt, %llu incomplete\n",
			(unsigned long long)st->frag.fragments4,
			(unsigned long long)st->frag.fragments6,
			(unsigned long long)st->frag.reassembled,
			(unsigned long long)st->frag.incomplete);
	if (st->frag.lost4 || st->frag.lost6)
		fprintf(f, "  note      %llu IPv4 and %llu IPv6 fragments "
			   "not reassembled\n",
			(unsigned long long)st->frag.lost4,
			(unsigned long long)st->frag.lost6);
	if (st->dns_unparsable)
		fprintf(f, "  note      %llu DNS messages could not be parsed\n",
			(unsigned long long)st->dns_unparsable);
}

void rt_filters(FILE *f, bool filtered, const char *bpf, uint64_t shown,
		uint64_t sessions)
{
	if (filtered)
		fprintf(f, "  shown     %llu of %llu sessions (report filters)\n",
			(unsigned long long)shown, (unsigned long long)sessions);
	if (bpf)
		fprintf(f, "  filter    '%s': packets outside it were not "
			   "captured, DNS lookups (the server's too) among "
			   "them\n",
			bpf);
}

void rt_packets_written(FILE *f, const char *file,
			const struct pcapout_stats *st)
{
	fprintf(f, "  written   %s: %llu packet%s of %llu session%s with "
		   "warnings or errors and their DNS (%s)\n",
		file, (unsigned long long)st->packets,
		st->packets == 1 ? "" : "s", (unsigned long long)st->sessions,
		st->sessions == 1 ? "" : "s", st->link_type);
	if (st->not_kept || st->dns_not_kept)
		fprintf(f, "            not kept: %llu packets past the caps "
			   "(a session's first and last %zu KiB are kept), "
			   "%llu DNS packets\n",
			(unsigned long long)st->not_kept,
			FR_SESSION_MAX / 2 >> 10,
			(unsigned long long)st->dns_not_kept);
	if (st->out_of_order)
		fprintf(f, "            %llu packets written out of time order "
			   "(reordercap sorts them)\n",
			(unsigned long long)st->out_of_order);
}

/* The columns a terminal gives code point cp: two for the East Asian
 * wide and fullwidth blocks (CJK, Hangul, fullwidth forms, emoji), none
 * for combining marks, else one; a short table of the main blocks, as
 * wcwidth(3) has them, without depending on the locale. */
static size_t cp_columns(uint32_t cp)
{
	static const uint32_t wide[][2] = {
		{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff},
		{0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xa000, 0xa4cf},
		{0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe30, 0xfe4f},
		{0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x1f300, 0x1f64f},
		{0x1f900, 0x1f9ff}, {0x20000, 0x3fffd}};
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f))
		return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Columns of in[0..n) as a terminal shows them: ANSI escapes take none;
 * the text is valid UTF-8 (util.c escapes what is not). */
static size_t columns(const char *in, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)in[i];
		uint32_t cp = b;
		size_t more = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
		if (b == '\033') {
			while (i < n && in[i] != 'm')
				i++;
			continue;
		}
		if (more)
			cp = b & (0x3f >> more);
		for (; more && i + 1 < n &&
		       ((unsigned char)in[i + 1] & 0xc0) == 0x80; more--)
			cp = cp << 6 | ((unsigned char)in[++i] & 0x3f);
		c += cp_columns(cp);
	}
	return c;
}

/* Past k words (and the spaces after each) from i. */
static size_t past_words(const char *l, size_t n, size_t i, int k)
{
	while (k-- > 0) {
		while (i < n && l[i] != ' ')
			i++;
		while (i < n && l[i] == ' ')
			i++;
	}
	return i;
}

/* The column a broken line's rest starts at: under its text, past the
 * label of a summary line ("  helo      "), the time and actor of a
 * timeline line, the dash of evidence; else four in from its start. */
static size_t hang(const char *line, size_t n, int width)
{
	size_t i = 0, h;
	while (i < n && line[i] == ' ')
		i++;
	if (i + 2 <= n && line[i] == '-' && line[i + 1] == ' ')
		h = i + 2;
	else if (i == 2)
		h = past_words(line, n, i, 1);
	else if (i >= 4 && i < n && line[i] >= '0' && line[i] <= '9')
		h = past_words(line, n, i, 2);
	else
		h = i + 4;
	return h + 20 < (size_t)width ? h : i + 4;
}

static void wrap_line(const char *line, size_t n, int width,
		      struct textbuf *out)
{
	size_t indent = hang(line, n, width), start = 0, first = 1;
	while (columns(line + start, n - start) + (first ? 0 : indent) >
	       (size_t)width) {
		size_t room = (size_t)width - (first ? 0 : indent), cut = 0;
		/* the last space that keeps the piece within the room */
		for (size_t i = start; i < n && columns(line + start, i - start) <= room; i++)
			if (line[i] == ' ' && i > start + (first ? indent : 0))
				cut = i;
		if (!cut)
			break; /* one long word: leave it whole */
		if (!first)
			for (size_t k = 0; k < indent; k++)
				tb_putc(out, ' ');
		tb_put(out, line + start, cut - start);
		tb_putc(out, '\n');
		start = cut + 1;
		first = 0;
	}
	if (!first)
		for (size_t k = 0; k < indent; k++)
			tb_putc(out, ' ');
	tb_put(out, line + start, n - start);
}

void rt_wrap(const char *in, size_t n, int width, struct textbuf *out)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(in + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (in + i)) : n - i;
		if (width > 20)
			wrap_line(in + i, len, width, out);
		else
			tb_put(out, in + i, len);
		if (nl)
			tb_putc(out, '\n');
		i += len + (nl != NULL);
	}
}
