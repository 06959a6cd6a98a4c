/* report_text.c - text timelines: relative times aligned, one line per
 * event, DNS lookups interleaved where they happened. */
#include "report_text.h"

#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "report_json.h" /* rj_timeline */

static const char *const sev_label[] = {"info", "WARNING", "ERROR"};

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

static void dns_line(FILE *f, const struct session *s,
		     const struct rj_item *it)
{
	const struct dns_tx *tx = it->tie->tx;
	char tb[16], rb[16], res[MX_ADDRSTR], ask[MX_ADDRSTR];
	(void)s;
	if (!it->response) {
		fprintf(f, "%-7s %s %s? %s -> %s%s [%s]", "dns",
			dns_type_name(tx->qtype, tb),
			tx->qname[0] ? tx->qname : ".",
			mx_addr_str(&tx->asker.ip, ask),
			mx_addr_str(&tx->resolver.ip, res),
			tx->tcp ? " (tcp)" : "",
			dns_relation_name(it->tie->rel));
		if (tx->retransmissions)
			fprintf(f, ", resent %u time%s", tx->retransmissions,
				tx->retransmissions == 1 ? "" : "s");
		if (!tx->has_response)
			fputs(", NEVER ANSWERED", f);
		return;
	}
	fprintf(f, "%-7s   %s %s %s", "dns", dns_type_name(tx->qtype, tb),
		tx->qname[0] ? tx->qname : ".", dns_rcode_name(tx->rcode, rb));
	for (size_t i = 0; i < tx->n_answers && i < 4; i++)
		fprintf(f, "%s%s", i ? ", " : " ", tx->answers[i]);
	if (tx->n_answers > 4)
		fprintf(f, ", +%zu more", tx->n_answers - 4);
	if (tx->tc)
		fputs(" [TC: truncated by the server]", f);
	if (tx->capture_cut)
		fputs(" [cut by the capture's snaplen: records missing]", f);
	if (tx->has_query)
		fprintf(f, "  (rtt %.3f s)", mx_dt(tx->query_t, tx->response_t));
}

static void event_line(FILE *f, const struct session *s,
		       const struct tl_event *e)
{
	char text[700];
	const char *who = actor_name(e->actor);
	double d;
	switch (e->kind) {
	case EV_SYN:
		fprintf(f, "%-7s SYN%s", who, e->retransmission ? " (again)" : "");
		break;
	case EV_SYN_ACK:
		fprintf(f, "%-7s SYN-ACK%s", who,
			e->retransmission ? " (again)" : "");
		break;
	case EV_ACK:
		fprintf(f, "%-7s ACK (handshake complete)", who);
		break;
	case EV_BANNER:
		one_line(e->text, text, sizeof(text));
		fprintf(f, "%-7s %d %s", who, e->code, text);
		if (sess_banner_delay(s, &d))
			fprintf(f, "   <- banner after %.3f s", d);
		break;
	case EV_COMMAND:
		fprintf(f, "%-7s %s%s%s", who, e->verb ? e->verb : "",
			e->text && *e->text ? " " : "", e->text ? e->text : "");
		break;
	case EV_REPLY:
		one_line(e->text, text, sizeof(text));
		fprintf(f, "%-7s %d %s", who, e->code, text);
		if (e->latency >= 0)
			fprintf(f, "   (%s, %.3f s)", e->verb, e->latency);
		break;
	case EV_DATA_START:
		fprintf(f, "%-7s (message body starts)", who);
		break;
	case EV_DATA_END:
		fprintf(f, "%-7s . (end of data, %llu bytes)", who,
			(unsigned long long)e->bytes);
		break;
	case EV_BLOB:
		fprintf(f, "%-7s (%s binary data, %llu bytes)", who,
			e->verb ? e->verb : "", (unsigned long long)e->bytes);
		break;
	case EV_TLS:
		fprintf(f, "%-7s (TLS, %llu bytes until %+.3f)", who,
			(unsigned long long)e->bytes, mx_dt(s->start, e->t_last));
		break;
	case EV_FIN:
		fprintf(f, "%-7s FIN", who);
		break;
	case EV_RST:
		fprintf(f, "%-7s RST", who);
		break;
	case EV_TIMEOUT:
		fprintf(f, "%-7s (silent: session timed out)", who);
		break;
	case EV_GAP:
		fprintf(f, "%-7s (%llu bytes missing from the capture)", who,
			(unsigned long long)e->bytes);
		break;
	default:
		fprintf(f, "%-7s %s", who, ev_kind_name(e->kind));
	}
}

static void list(FILE *f, const char *label, char **v, size_t n)
{
	fprintf(f, "  %-9s", label);
	if (n == 0)
		fputs(" -", f);
	for (size_t i = 0; i < n && i < 10; i++)
		fprintf(f, "%s%s", i ? ", " : " ", v[i]);
	if (n > 10)
		fprintf(f, ", +%zu more", n - 10);
	fputc('\n', f);
}

void rt_session(FILE *f, const struct session *s,
		const struct finding_list *fl)
{
	char a[MX_ADDRSTR], b[MX_ADDRSTR], when[32];
	double end = s->close_t > s->last ? s->close_t : s->last, d;
	struct rj_item *items;
	size_t n;

	fprintf(f, "== %s  %s%s%s:%u -> %s%s%s:%u  %s UTC  %.3f s  closed: %s%s\n",
		s->id, s->client.ip.family == 6 ? "[" : "",
		mx_addr_str(&s->client.ip, a),
		s->client.ip.family == 6 ? "]" : "", s->client.port,
		s->server.ip.family == 6 ? "[" : "",
		mx_addr_str(&s->server.ip, b),
		s->server.ip.family == 6 ? "]" : "", s->server.port,
		mx_time_str(s->start, when), mx_dt(s->start, end),
		sess_close_name(s->close),
		s->partial ? "  (began before the capture)" : "");
	if (s->has_banner && sess_banner_delay(s, &d))
		fprintf(f, "  banner    %d after %.3f s\n", s->banner_code, d);
	else
		fprintf(f, "  banner    none\n");
	fprintf(f, "  helo      %s\n", s->helo ? s->helo : "-");
	list(f, "from", s->mail_from, s->n_mail_from);
	list(f, "to", s->rcpt_to, s->n_rcpt_to);
	if (s->starttls)
		fprintf(f, "  tls       STARTTLS, rest of the session encrypted\n");
	if (s->group) {
		const struct mx_group *g = s->group;
		fprintf(f, "  delivery  %s to %s, MX", g->id, g->domain);
		for (size_t i = 0; i < g->mx->n_names; i++)
			fprintf(f, "%s %u %s", i ? "," : "", g->mx->prefs[i],
				g->mx->names[i]);
		fprintf(f, "; tried:");
		for (size_t i = 0; i < s->attempt && i < g->n_att; i++) {
			const struct dl_attempt *at = &g->att[i];
			fprintf(f, "%s %s %s (%s)", i ? " ->" : "", at->session,
				at->host[0] ? at->host : "?",
				dl_outcome_name(at->live ? dl_outcome_of(at->live)
							 : at->outcome));
		}
		fputc('\n', f);
	}

	if (fl->n) {
		fprintf(f, "  findings:\n");
		for (size_t i = 0; i < fl->n; i++) {
			const struct finding *x = &fl->v[i];
			fprintf(f, "    %-7s %s: %s\n", sev_label[x->sev],
				finding_code_name(x->code), x->summary);
			for (size_t j = 0; j < x->n_evidence; j++)
				fprintf(f, "            - %s\n", x->evidence[j]);
			if (x->remedy)
				fprintf(f, "            remedy: %s\n", x->remedy);
		}
	}
	fprintf(f, "  timeline (seconds from the %s):\n",
		s->syns ? "first SYN" : "first packet seen");
	items = rj_timeline(s, &n);
	for (size_t i = 0; i < n; i++) {
		double r = mx_dt(s->start, items[i].t);
		/* no "-0.000" for a lookup answered a hair before the SYN */
		fprintf(f, "    %10.3f  ", r > -0.0005 && r < 0 ? 0.0 : r);
		if (items[i].tie)
			dns_line(f, s, &items[i]);
		else
			event_line(f, s, items[i].ev);
		fputc('\n', f);
	}
	free(items);
	if (s->ev_dropped)
		fprintf(f, "    (%zu more events not kept)\n", s->ev_dropped);
	fputc('\n', f);
}

void rt_summary(FILE *f, const struct cap_reader *cr,
		const struct engine_stats *st, const struct rt_top *banners,
		size_t n_banners, const struct rt_top *dns, size_t n_dns)
{
	uint64_t total = 0;
	fprintf(f, "== summary\n");
	for (size_t i = 0; cr && i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		fprintf(f, "  input     %s (%s, %llu packets, %llu bytes)\n",
			in->file, in->link_type, (unsigned long long)in->packets,
			(unsigned long long)in->bytes);
	}
	fprintf(f, "  sessions  %llu\n", (unsigned long long)st->sessions);
	fprintf(f, "  dns       %llu transactions\n",
		(unsigned long long)st->dns_transactions);
	for (int c = 0; c < F__COUNT; c++)
		total += st->findings[c];
	fprintf(f, "  findings  %llu\n", (unsigned long long)total);
	for (int c = 0; c < F__COUNT; c++)
		if (st->findings[c])
			fprintf(f, "    %-20s %llu\n", finding_code_name(c),
				(unsigned long long)st->findings[c]);
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
