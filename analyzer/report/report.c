/* report.c - streaming report writers.  JSON is one document written as
 * sessions finish: the "sessions" array is written in place, the "dns"
 * list is spooled to a temporary file (transactions leave the window while
 * sessions are still being written) and copied in at the end, then
 * "inputs" and "summary", which are only known at the end. */
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/jarena.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "report/report_writer.h"
#include "report/outfile.h"
#include "base/version.h"

struct report {
	FILE *out;
	struct report_options o;
	FILE *spool;      /* JSON: the "dns" list, written at the end */
	size_t n_sessions, n_dns;
	struct textbuf text; /* text of one session, reused */
	struct tl_scratch timeline; /* one session's sorted timeline, reused */
	/* JSON: values are built in an arena; the writer thread dumps them,
	 * or, without one, they are dumped here through a reused buffer */
	struct arena *arena;
	struct rw *writer;
	struct textbuf dump;
	int werr;
	double next_stats; /* capture time of the next stats line */
	uint64_t n_shown;  /* sessions the filters let through */
	/* -w: where the packets went and how many */
	const char *pcap_file;
	struct pcapout_stats pcap;
	struct held_text *held; /* text: finished sessions, by start */
	size_t n_held, held_bytes;
	struct textbuf wrapped;
	struct report_html *html; /* --format html */
};

/* Before building a JSON value: where its allocations go. */
static void json_begin(struct report *r)
{
	if (r->writer)
		rw_arena(r->writer);
}

/* A built value (NULL on OOM) to f: by the writer thread, or here. */
static void json_end(struct report *r, json_t *o, FILE *f, const char *prefix,
		     const char *indent, const char *suffix)
{
	if (r->writer) {
		rw_submit(r->writer, o, f, prefix, indent, suffix);
		jarena_use(r->arena);
		return;
	}
	if (rw_write_json(f, o, prefix, indent, suffix, &r->dump) != 0)
		r->werr = 1;
	arena_reset(r->arena);
}

/* A value built and written at once by this thread (the document's end). */
static void put_json(struct report *r, FILE *f, json_t *o, const char *indent)
{
	if (rw_write_json(f, o, "", indent, "", &r->dump) != 0)
		r->werr = 1;
}

struct report *report_new(FILE *out, const struct report_options *o,
			  char errbuf[MX_ERRBUF_SIZE])
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	r->out = out;
	r->o = *o;
	if (o->fmt == FMT_JSON || o->fmt == FMT_NDJSON) {
		if (!(r->arena = jarena_new())) {
			snprintf(errbuf, MX_ERRBUF_SIZE, "out of memory");
			free(r);
			return NULL;
		}
		jarena_install();
		jarena_use(r->arena);
		/* no thread: the same output, written here */
		r->writer = rw_start(o->live);
	}
	if (o->fmt == FMT_HTML && !(r->html = rh_new(out, &o->fnd, errbuf))) {
		report_free(r);
		return NULL;
	}
	if (o->fmt == FMT_JSON) {
		r->spool = tmpfile();
		if (!r->spool) {
			snprintf(errbuf, MX_ERRBUF_SIZE,
				 "cannot create a temporary file for the report");
			report_free(r);
			return NULL;
		}
		fprintf(out, "{\n  \"schema\": 1,\n  \"version\": \"mxray %s\",\n"
			     "  \"sessions\": [",
			MXRAY_VERSION);
	}
	return r;
}

/* ---- text in start order ----
 * Sessions end in another order than they began.  A report of files holds
 * up to REORDER_MAX finished sessions (and REORDER_BYTES of their text)
 * and writes the earliest-begun when full and all at the end: start order
 * but for sessions that outlast that many others.  Live capture writes
 * each at once. */
#define REORDER_MAX 4096
#define REORDER_BYTES ((size_t)32 << 20)

struct held_text {
	double start;
	uint64_t seq;
	char *p;
	size_t len;
};

static bool held_before(const struct held_text *a, const struct held_text *b)
{
	return a->start < b->start || (a->start == b->start && a->seq < b->seq);
}

/* One session's text to the output, wrapped on a terminal. */
static void text_write(struct report *r, const char *p, size_t len)
{
	outfile_boundary(r->out);
	if (r->o.text.width > 0) {
		tb_clear(&r->wrapped);
		rt_wrap(p, len, r->o.text.width, &r->wrapped);
		p = r->wrapped.p;
		len = r->wrapped.len;
	}
	fwrite(p, 1, len, r->out);
}

/* The earliest held session out (a binary heap on start, then seq). */
static void held_pop(struct report *r)
{
	struct held_text *h = r->held, top = h[0];
	size_t n = --r->n_held, i = 0;
	text_write(r, top.p, top.len);
	r->held_bytes -= top.len;
	free(top.p);
	h[0] = h[n];
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && held_before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && held_before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			break;
		top = h[i];
		h[i] = h[m];
		h[m] = top;
		i = m;
	}
}

static void text_out(struct report *r, const struct session *s)
{
	struct held_text t = {s->start, s->seq, NULL, r->text.len};
	size_t i;
	if (r->o.live || !(r->held || (r->held = calloc(REORDER_MAX,
						      sizeof(*r->held)))) ||
	    !(t.p = malloc(t.len ? t.len : 1))) {
		text_write(r, r->text.p, r->text.len); /* as it ends */
		return;
	}
	memcpy(t.p, r->text.p, t.len);
	for (i = r->n_held++; i > 0 && held_before(&t, &r->held[(i - 1) / 2]);
	     i = (i - 1) / 2)
		r->held[i] = r->held[(i - 1) / 2];
	r->held[i] = t;
	r->held_bytes += t.len;
	while (r->n_held == REORDER_MAX || r->held_bytes > REORDER_BYTES)
		held_pop(r);
}

static bool host_is(const struct report_filter *f, const struct session *s)
{
	for (size_t i = 0; i < f->n_hosts; i++)
		if (mx_addr_eq(&f->hosts[i], &s->client.ip) ||
		    mx_addr_eq(&f->hosts[i], &s->server.ip))
			return true;
	return f->n_hosts == 0;
}

/* Whether the filters let s through: every one given must hold (a
 * finding of at least the severity, of one of the codes, if both: the
 * same finding). */
static bool shown(const struct report_filter *f, const struct session *s,
		  const struct finding_list *fl)
{
	bool found = f->min_sev < 0 && !f->codes;
	if (!f->active)
		return true;
	if (f->summary_only || !host_is(f, s))
		return false;
	for (size_t i = 0; i < fl->n && !found; i++)
		found = (int)fl->v[i].sev >= f->min_sev &&
			(!f->codes || (f->codes >> fl->v[i].code & 1));
	return found;
}

bool report_wants_packets(const struct report *r, const struct session *s,
			  const struct finding_list *fl)
{
	struct report_filter f = r->o.filter;
	f.active = true;
	f.summary_only = false;
	if (f.min_sev < SEV_WARNING)
		f.min_sev = SEV_WARNING;
	return shown(&f, s, fl);
}

void report_packets_written(struct report *r, const char *file,
			    const struct pcapout_stats *st)
{
	r->pcap_file = file;
	r->pcap = *st;
	if (r->html)
		rh_packets_written(r->html, file, st);
}

static json_t *pcap_json(const struct report *r)
{
	const struct pcapout_stats *p = &r->pcap;
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "file",
			 r->pcap_file, "link_type", p->link_type, "sessions",
			 (json_int_t)p->sessions, "packets",
			 (json_int_t)p->packets, "packets_not_kept",
			 (json_int_t)p->not_kept, "dns_packets_not_kept",
			 (json_int_t)p->dns_not_kept, "out_of_order",
			 (json_int_t)p->out_of_order, "held_peak_bytes",
			 (json_int_t)p->peak_bytes);
}

void report_session(struct report *r, const struct session *s,
		    const struct finding_list *fl)
{
	json_t *o;
	if (r->html) /* its charts count every session */
		rh_observe(r->html, s, fl);
	if (!shown(&r->o.filter, s, fl))
		return;
	r->n_shown++;
	switch (r->o.fmt) {
	case FMT_TEXT:
		tb_clear(&r->text);
		rt_session(&r->text, s, fl, &r->timeline, &r->o.text);
		if (r->text.oom)
			r->werr = 1;
		text_out(r, s);
		break;
	case FMT_JSON:
		json_begin(r);
		o = rj_session(s, fl, NULL, &r->timeline);
		json_end(r, o, r->out, r->n_sessions ? ",\n" : "\n", "    ", "");
		break;
	case FMT_NDJSON:
		json_begin(r);
		o = rj_session(s, fl, "session", &r->timeline);
		json_end(r, o, r->out, "", NULL, "\n");
		break;
	case FMT_HTML:
		rh_session(r->html, s, fl);
		break;
	}
	r->n_sessions++;
	if (r->o.live && !r->writer) /* the writer flushes its own */
		fflush(r->out);
}

void report_dns(struct report *r, struct dns_tx *tx)
{
	json_t *o;
	if (r->html) /* its chart counts every lookup */
		rh_dns(r->html, tx);
	if (r->o.filter.summary_only)
		return;
	switch (r->o.fmt) {
	case FMT_TEXT:
	case FMT_HTML:
		break;
	case FMT_JSON:
		if (r->writer) {
			rw_submit_dns(r->writer, tx, NULL,
				      r->spool, r->n_dns ? ",\n" : "\n",
				      "    ", "");
			break;
		}
		o = rj_dns(tx, -1, NULL);
		json_end(r, o, r->spool, r->n_dns ? ",\n" : "\n", "    ", "");
		break;
	case FMT_NDJSON:
		if (r->writer) {
			rw_submit_dns(r->writer, tx, "dns",
				      r->out, "", NULL, "\n");
			break;
		}
		o = rj_dns(tx, -1, "dns");
		json_end(r, o, r->out, "", NULL, "\n");
		break;
	}
	r->n_dns++;
}

/* The live counters of one input, or all of them summed. */
static void put_live(json_t *o, uint64_t received, uint64_t kernel,
		     uint64_t iface)
{
	json_object_set_new(o, "received", json_integer((json_int_t)received));
	json_object_set_new(o, "dropped_by_kernel",
			    json_integer((json_int_t)kernel));
	json_object_set_new(o, "dropped_by_interface",
			    json_integer((json_int_t)iface));
}

static json_t *inputs_json(const struct cap_reader *cr)
{
	json_t *a = json_array();
	for (size_t i = 0; cr && i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "file", in->file,
				      "link_type", in->link_type, "packets",
				      (json_int_t)in->packets, "bytes",
				      (json_int_t)in->bytes);
		if (in->decapsulated) /* mirrored through a tunnel */
			json_object_set_new(o, "decapsulated",
					    json_integer((json_int_t)
							 in->decapsulated));
		if (in->live)
			put_live(o, in->received, in->dropped_kernel,
				 in->dropped_iface);
		json_array_append_new(a, o);
	}
	return a;
}

/* summary.capture: live capture only. */
static json_t *capture_json(const struct cap_reader *cr,
			    const struct diag_stats *ds)
{
	json_t *o = json_object();
	uint64_t rcv = 0, kern = 0, ifd = 0;
	for (size_t i = 0; i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		rcv += in->received;
		kern += in->dropped_kernel;
		ifd += in->dropped_iface;
	}
	put_live(o, rcv, kern, ifd);
	json_object_set_new(o, "sessions_with_loss",
			    json_integer((json_int_t)ds->capture_loss_sessions));
	return o;
}

void report_stats(struct report *r, const struct flow_capstats *cs,
		  uint64_t dns_held)
{
	json_t *o;
	if (r->o.stats_s <= 0 || cs->now < r->next_stats)
		return;
	r->next_stats = cs->now + r->o.stats_s;
	/* NDJSON: an object like a session's, handed to the writer; else
	 * built in the report's own arena (reset below) and written here */
	if (r->o.fmt == FMT_NDJSON)
		json_begin(r);
	else if (r->writer)
		jarena_use(r->arena);
	o = json_pack("{s:s, s:o, s:I, s:I, s:I}", "type", "stats", "t",
		      rj_time(cs->now), "packets", (json_int_t)cs->packets,
		      "sessions_open", (json_int_t)cs->sessions_open,
		      "dns_held", (json_int_t)dns_held);
	if (o && cs->live)
		put_live(o, cs->received, cs->dropped_kernel,
			 cs->dropped_iface);
	if (o)
		json_object_set_new(o, "rss_kb", json_integer(mx_rss_kib()));
	if (r->o.fmt == FMT_NDJSON) { /* in line with the sessions */
		json_end(r, o, r->out, "", NULL, "\n");
		if (!r->writer && r->o.live)
			fflush(r->out);
		return;
	}
	/* text and JSON keep their shape: the line goes to stderr (a line
	 * that cannot be rendered is lost, the report is not) */
	if (o)
		rw_write_json(stderr, o, "", NULL, "\n", &r->dump);
	json_decref(o);
	/* with a writer thread, values are built in an arena: nothing else
	 * is in it between two json_begin()s, and a decref frees nothing */
	if (r->writer)
		arena_reset(r->arena);
}

static json_t *top_json(const struct diag_top *v, size_t n, const char *key)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:f}", key, v[i].what,
						   "seconds", v[i].v));
	return a;
}

static json_t *summary_json(const struct report *r,
			    const struct cap_reader *cr,
			    const struct engine_stats *st,
			    const struct diag_stats *ds)
{
	json_t *o = json_object(), *f = json_object();
	for (int c = 0; c < F__COUNT; c++)
		json_object_set_new(f, finding_code_name(c),
				    json_integer((json_int_t)ds->findings[c]));
	json_object_set_new(o, "sessions", json_integer((json_int_t)st->sessions));
	json_object_set_new(o, "dns_transactions",
			    json_integer((json_int_t)st->dns_transactions));
	json_object_set_new(o, "findings", f);
	json_object_set_new(
		o, "thresholds",
		json_pack("{s:f, s:f, s:f, s:f}", "slow_banner_s",
			  r->o.fnd.slow_banner, "slow_dns_s", r->o.fnd.slow_dns,
			  "stall_s", r->o.fnd.stall, "slow_reply_s",
			  r->o.fnd.slow_reply));
	json_object_set_new(o, "slowest_banners",
			    top_json(ds->slow_banner, ds->n_slow_banner, "session"));
	json_object_set_new(o, "slowest_dns",
			    top_json(ds->slow_dns, ds->n_slow_dns, "lookup"));
	json_object_set_new(
		o, "evicted",
		json_pack("{s:I, s:I, s:I, s:I}", "sessions",
			  (json_int_t)st->sessions_evicted, "dns",
			  (json_int_t)st->dns_evicted, "dns_tcp_connections",
			  (json_int_t)st->dns_tcp_evicted, "fragmented_datagrams",
			  (json_int_t)st->frag.evicted));
	if (st->n_elsewhere) { /* SMTP on ports not watched: which to add */
		json_t *a = json_array();
		for (size_t i = 0; i < st->n_elsewhere; i++)
			json_array_append_new(
				a, json_pack("{s:i, s:I}", "port",
					     (int)st->elsewhere[i].port,
					     "greetings",
					     (json_int_t)st->elsewhere[i]
						     .greetings));
		json_object_set_new(o, "smtp_elsewhere", a);
	}
	json_object_set_new(
		o, "capture_gaps",
		json_pack("{s:I, s:I, s:I}", "partial_sessions",
			  (json_int_t)st->partial_sessions, "gaps",
			  (json_int_t)st->tcp_gaps, "missing_bytes",
			  (json_int_t)st->tcp_missing_bytes));
	json_object_set_new(
		o, "not_analysed",
		json_pack("{s:I, s:I, s:I, s:I}", "dns_unparsable",
			  (json_int_t)st->dns_unparsable, "ipv4_fragments",
			  (json_int_t)st->frag.lost4, "ipv6_fragments",
			  (json_int_t)st->frag.lost6, "ip_invalid",
			  (json_int_t)st->frag.ip_invalid));
	json_object_set_new(
		o, "fragments",
		json_pack("{s:I, s:I, s:I, s:I}", "ipv4",
			  (json_int_t)st->frag.fragments4, "ipv6",
			  (json_int_t)st->frag.fragments6, "reassembled",
			  (json_int_t)st->frag.reassembled, "incomplete",
			  (json_int_t)st->frag.incomplete));
	if (cr && cap_is_live(cr))
		json_object_set_new(o, "capture", capture_json(cr, ds));
	if (r->o.filter.active) /* the counts above are of all sessions */
		json_object_set_new(o, "sessions_shown",
				    json_integer((json_int_t)r->n_shown));
	if (r->o.bpf) /* DNS outside the filter was not seen either */
		json_object_set_new(o, "capture_filter", json_string(r->o.bpf));
	if (r->pcap_file)
		json_object_set_new(o, "packets_written", pcap_json(r));
	return o;
}

int report_end(struct report *r, const struct cap_reader *cr,
	       const struct engine_stats *st, const struct diag_stats *ds)
{
	json_t *sum, *in;
	char buf[8192];
	size_t n;

	/* everything handed to the writer is written before the end */
	if (rw_finish(r->writer) != 0)
		r->werr = 1;
	r->writer = NULL;
	if (r->o.fmt == FMT_HTML)
		return rh_end(r->html, cr, st, ds, r->o.filter.active,
			      r->n_shown, r->o.bpf) != 0 || r->werr
			       ? -1
			       : 0;
	sum = summary_json(r, cr, st, ds);
	in = inputs_json(cr);
	switch (r->o.fmt) {
	case FMT_TEXT:
		while (r->n_held)
			held_pop(r);
		outfile_boundary(r->out);
		rt_summary(r->out, cr, st, ds);
		rt_filters(r->out, r->o.filter.active, r->o.bpf, r->n_shown,
			   st->sessions);
		if (r->pcap_file)
			rt_packets_written(r->out, r->pcap_file, &r->pcap);
		break;
	case FMT_JSON:
		fputs(r->n_sessions ? "\n  ],\n  \"dns\": [" : "],\n  \"dns\": [",
		      r->out);
		rewind(r->spool);
		while ((n = fread(buf, 1, sizeof(buf), r->spool)) > 0)
			fwrite(buf, 1, n, r->out);
		if (ferror(r->spool))
			r->werr = 1;
		fputs(r->n_dns ? "\n  ],\n  \"inputs\": " : "],\n  \"inputs\": ",
		      r->out);
		put_json(r, r->out, in, "  ");
		fputs(",\n  \"summary\": ", r->out);
		put_json(r, r->out, sum, "  ");
		fputs("\n}\n", r->out);
		break;
	case FMT_NDJSON: {
		json_t *line = json_pack("{s:s}", "type", "summary");
		json_object_update(line, sum);
		json_object_set(line, "inputs", in);
		put_json(r, r->out, line, NULL);
		fputc('\n', r->out);
		json_decref(line);
		break;
	}
	case FMT_HTML: /* done above */
		break;
	}
	json_decref(sum);
	json_decref(in);
	if (fflush(r->out) != 0 || ferror(r->out))
		r->werr = 1;
	return r->werr ? -1 : 0;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	rw_finish(r->writer); /* when report_end was not reached */
	if (r->spool)
		fclose(r->spool);
	if (r->arena) {
		jarena_free(r->arena);
		jarena_uninstall();
	}
	while (r->n_held) /* report_end not reached: nothing more is written */
		free(r->held[--r->n_held].p);
	free(r->held);
	tb_free(&r->wrapped);
	tb_free(&r->dump);
	tb_free(&r->text);
	free(r->timeline.items);
	rh_free(r->html);
	free(r);
}
