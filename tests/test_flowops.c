/* test_flowops.c - the operation stream between the flow side and the
 * analysis (flow/flowops.c): every sample capture gives byte for byte the
 * same report in every format, and the same -w pcap, whether the flow side
 * runs on a second thread or operations are applied as they are written;
 * and every DNS message in the samples comes out of flow/dnspack.c as it
 * went in.
 *
 * Tests run from the repository root (make test), so samples are found at
 * "samples/" and "samples/lab/".
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "dns.h"
#include "flow/dnspack.h"
#include "run/pipeline.h"

#define FO_MAX_FILES 64

/* The .pcap files of dir, sorted, as "dir/name"; returns how many. */
static size_t fo_list(const char *dir, char **out, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	cr_assert_not_null(d, "cannot open %s", dir);
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".pcap")) {
			out[n] = malloc(strlen(dir) + len + 2);
			cr_assert_not_null(out[n]);
			sprintf(out[n], "%s/%s", dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	for (size_t i = 1; i < n; i++) /* few: insertion sort */
		for (size_t j = i; j > 0 && strcmp(out[j - 1], out[j]) > 0; j--) {
			char *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* The whole report of path in fmt; split: the flow side on a thread;
 * pcap: where -w writes, or NULL. */
static char *fo_report(char *path, enum report_format fmt, bool split,
		       size_t *len, FILE *pcap)
{
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	char *files[1] = {path}, *buf = NULL;
	struct engine_config cfg;
	struct report_options ro;
	struct cap_reader *cr;
	struct pipeline pl;
	bool usage_error = false;
	FILE *out;

	engine_config_defaults(&cfg);
	memset(&ro, 0, sizeof(ro));
	ro.fmt = fmt;
	fnd_config_defaults(&ro.fnd);
	cr = cap_open(files, 1, NULL, errbuf, &usage_error);
	cr_assert_not_null(cr, "%s: %s", path, errbuf);
	out = open_memstream(&buf, len);
	cr_assert_not_null(out);
	cr_assert_eq(pipeline_open(&pl, &cfg, &ro, out, errbuf), 0, "%s",
		     errbuf);
	pl.quiet = true; /* the summary holds the hints; stderr stays clean */
	if (pcap)
		cr_assert_eq(pipeline_write_packets(&pl, pcap, "w.pcap", cr,
						    errbuf),
			     0, "%s", errbuf);
	if (split)
		cr_assert_eq(engine_run(pl.eng, cr, false, runerr), 0,
			     "%s: %s", path, runerr);
	else
		cr_assert_eq(cap_run(cr, engine_packet, engine_idle, pl.eng,
				     false, runerr),
			     0, "%s: %s", path, runerr);
	cr_assert_eq(pipeline_finish(&pl, cr), 0);
	cr_assert(!pl.pcap_failed);
	pipeline_close(&pl);
	cap_free(cr);
	cr_assert_eq(fclose(out), 0);
	return buf;
}

/* What f holds. */
static char *fo_slurp(FILE *f, size_t *len)
{
	long n;
	char *buf;
	cr_assert_eq(fflush(f), 0);
	cr_assert_geq(n = ftell(f), 0);
	cr_assert_not_null(buf = malloc((size_t)n + 1));
	rewind(f);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	*len = (size_t)n;
	return buf;
}

/* -w's pcap of path, written with the flow side on a thread or not. */
static char *fo_pcap(char *path, bool split, size_t *len)
{
	size_t lr;
	FILE *f = tmpfile();
	char *r, *p;
	cr_assert_not_null(f);
	r = fo_report(path, FMT_JSON, split, &lr, f);
	p = fo_slurp(f, len);
	fclose(f);
	free(r);
	return p;
}

static void fo_compare_modes(const char *dir)
{
	static const enum report_format fmts[] = {FMT_TEXT, FMT_JSON,
						  FMT_NDJSON, FMT_HTML};
	char *files[FO_MAX_FILES];
	size_t n = fo_list(dir, files, FO_MAX_FILES);
	cr_assert_gt(n, 0, "no capture in %s", dir);
	for (size_t i = 0; i < n; i++) {
		size_t la, lb;
		char *a, *b;
		for (size_t k = 0; k < 4; k++) {
			a = fo_report(files[i], fmts[k], false, &la, NULL);
			b = fo_report(files[i], fmts[k], true, &lb, NULL);
			cr_assert_gt(la, 0, "%s: empty report", files[i]);
			cr_assert(la == lb && memcmp(a, b, la) == 0,
				  "%s (format %d): one thread and two differ",
				  files[i], (int)fmts[k]);
			free(a);
			free(b);
		}
		a = fo_pcap(files[i], false, &la);
		b = fo_pcap(files[i], true, &lb);
		cr_assert_geq(la, 24, "%s: no pcap header", files[i]);
		cr_assert(la == lb && memcmp(a, b, la) == 0,
			  "%s: -w's pcap differs with one thread and two",
			  files[i]);
		free(a);
		free(b);
		free(files[i]);
	}
}

Test(flowops, samples_one_thread_and_two_alike, .timeout = 120)
{
	fo_compare_modes("samples");
}

Test(flowops, lab_one_thread_and_two_alike, .timeout = 120)
{
	fo_compare_modes("samples/lab");
}

/* ---- dnspack ---- */

struct fo_pack {
	struct dns_msg *in, *out;
	size_t messages, records;
};

static void fo_same_rrs(const struct dns_rr *a, const struct dns_rr *b,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(a[i].name, b[i].name);
		cr_assert_eq(a[i].type, b[i].type);
		cr_assert_eq(a[i].rclass, b[i].rclass);
		cr_assert_eq(a[i].ttl, b[i].ttl);
		cr_assert_eq(a[i].pref, b[i].pref);
		cr_assert_str_eq(a[i].target, b[i].target);
		cr_assert_eq(a[i].addr_len, b[i].addr_len);
		cr_assert_eq(memcmp(a[i].addr, b[i].addr, a[i].addr_len), 0);
		cr_assert_str_eq(a[i].data, b[i].data);
	}
}

static void fo_same_msg(const struct dns_msg *a, const struct dns_msg *b)
{
	cr_assert_eq(a->id, b->id);
	cr_assert(a->qr == b->qr && a->aa == b->aa && a->tc == b->tc &&
		  a->rd == b->rd && a->ra == b->ra && a->ad == b->ad &&
		  a->cd == b->cd);
	cr_assert_eq(a->opcode, b->opcode);
	cr_assert_eq(a->rcode, b->rcode);
	cr_assert(a->qdcount == b->qdcount && a->ancount == b->ancount &&
		  a->nscount == b->nscount && a->arcount == b->arcount);
	cr_assert_eq(a->has_question, b->has_question);
	cr_assert_str_eq(a->qname, b->qname);
	cr_assert(a->qtype == b->qtype && a->qclass == b->qclass);
	cr_assert(a->n_an == b->n_an && a->n_ns == b->n_ns &&
		  a->n_ar == b->n_ar);
	fo_same_rrs(a->an, b->an, a->n_an);
	fo_same_rrs(a->ns, b->ns, a->n_ns);
	fo_same_rrs(a->ar, b->ar, a->n_ar);
	cr_assert(a->edns == b->edns && a->edns_udp == b->edns_udp &&
		  a->edns_version == b->edns_version &&
		  a->edns_do == b->edns_do);
	cr_assert_eq(a->anomalies, b->anomalies);
}

static void fo_on_packet(void *ctx, const struct cap_packet *p)
{
	struct fo_pack *k = ctx;
	struct dec_seg d;
	uint8_t *buf;
	size_t n;
	if ((p->ipver == 4 ? dec_ipv4(p->ip, p->caplen, &d)
			   : dec_ipv6(p->ip, p->caplen, &d)) != DEC_OK ||
	    d.proto != 17 || (d.src.port != 53 && d.dst.port != 53) ||
	    dns_parse(d.payload, d.len, k->in) != DX_OK)
		return;
	n = dnspack_size(k->in);
	cr_assert_not_null(buf = malloc(n));
	dnspack_write(k->in, buf);
	memset(k->out, 0xa5, sizeof(*k->out)); /* nothing left from before */
	dnspack_read(buf, k->out);
	fo_same_msg(k->in, k->out);
	k->messages++;
	k->records += k->in->n_an + k->in->n_ns + k->in->n_ar;
	free(buf);
}

Test(flowops, dns_messages_packed_and_unpacked_unchanged)
{
	char errbuf[MX_ERRBUF_SIZE], *files[FO_MAX_FILES];
	struct fo_pack k = {malloc(sizeof(struct dns_msg)),
			    malloc(sizeof(struct dns_msg)), 0, 0};
	size_t n = fo_list("samples", files, FO_MAX_FILES);
	cr_assert(k.in && k.out);
	for (size_t i = 0; i < n; i++) {
		bool usage_error;
		struct cap_reader *cr =
			cap_open(&files[i], 1, NULL, errbuf, &usage_error);
		cr_assert_not_null(cr, "%s", errbuf);
		cap_run(cr, fo_on_packet, NULL, &k, false, errbuf);
		cap_free(cr);
		free(files[i]);
	}
	/* the samples have PTR, A, AAAA, MX answers with glue */
	cr_assert_gt(k.messages, 50);
	cr_assert_gt(k.records, 50);
	free(k.in);
	free(k.out);
}
