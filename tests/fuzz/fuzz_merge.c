/* fuzz_merge.c - libFuzzer target for several capture files read as one,
 * merged by timestamp (capture.c: cap_open with nfiles > 1, cap_run), and
 * the whole pipeline behind it, wired as in fuzz_pipeline.c.
 *
 * The input is split into files at the separator FZ_SEP (8 bytes, in
 * merge.dict):
 *
 *     A                   A given twice (a capture merged with itself:
 *                         every timestamp ties)
 *     A SEP B             two files
 *     A SEP B SEP C...    three files; C is the rest, separators and all
 *
 * Each file is written to its own memfd (rewritten per input) and opened
 * as /proc/self/fd/N.  Each file is first read alone (cap_open with one
 * file, cap_run counting what it delivers); then all of them together,
 * feeding the engine, with the report in the format of fuzz_pipeline
 * (size % 3: JSON, text, NDJSON).  make_corpus.py writes pcap and pcapng
 * seeds in this form.
 *
 * Oracles, besides ASan/UBSan/LSan and the pipeline's (the JSON report is
 * one JSON object, NDJSON one object per line with one summary):
 *   - cap_open of the set fails exactly when a file alone fails, with the
 *     message of the first such file ("NULL ... on the first that fails");
 *   - every file is read to its end or to its damage whatever the others
 *     hold: per input, packets / bytes / non-IP / short frames and the link
 *     type equal those of the file read alone; cap_run fails exactly when
 *     a file alone fails, with one of those files' messages;
 *   - the packets delivered are those of the files read alone, each once
 *     (compared as a multiset of time, lengths, IP version and bytes);
 *   - when every file alone delivers all its frames in time order, the
 *     merged delivery is in time order;
 *   - the report's "inputs" (JSON, NDJSON) list the files in order with
 *     the packets each had.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"
#include "run/pipeline.h"
#define FZ_MEMFD
#include "fuzz_common.h"

#define FZ_SEP "\xffMXNEXT\xff"
#define FZ_SEP_LEN 8
#define FZ_MAX_FILES 3

static int fz_fd[FZ_MAX_FILES] = {-1, -1, -1};
static char fz_path[FZ_MAX_FILES][64];

/* What one reading delivered. */
struct fz_pkt {
	uint64_t key; /* hash of time, lengths, IP version, bytes */
	long sec, usec;
};

struct fz_log {
	struct fz_pkt *p;
	size_t n, cap;
};

struct fz_single {
	bool opened;
	char openerr[MX_ERRBUF_SIZE];
	int rc;
	char runerr[MX_ERRBUF_SIZE];
	struct cap_input_stats st; /* file: not kept */
	struct fz_log log;
	bool sorted;
};

struct fz_merged {
	struct engine *eng;
	struct fz_log log;
};

static void fz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_merge: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1); /* as main.c: runs repeat exactly */
	for (int i = 0; i < FZ_MAX_FILES; i++) {
		fz_fd[i] = fz_memfd_open("mxray-fuzz-merge", fz_path[i]);
		if (fz_fd[i] < 0)
			fz_die("memfd_create failed", NULL);
	}
	return 0;
}

static void fz_write(int fd, const uint8_t *data, size_t size)
{
	if (fz_memfd_write(fd, data, size) != 0)
		fz_die("cannot write a memfd", NULL);
}

static uint64_t fz_mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void fz_record(struct fz_log *lg, const struct cap_packet *pkt)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	long sec = (long)pkt->hdr->ts.tv_sec, usec = (long)pkt->hdr->ts.tv_usec;
	uint64_t lens[3] = {pkt->caplen, pkt->len, (uint64_t)pkt->ipver};

	h = fz_mix(h, &sec, sizeof(sec));
	h = fz_mix(h, &usec, sizeof(usec));
	h = fz_mix(h, lens, sizeof(lens));
	h = fz_mix(h, pkt->ip, pkt->caplen);
	if (lg->n == lg->cap) {
		lg->cap = lg->cap ? lg->cap * 2 : 256;
		lg->p = realloc(lg->p, lg->cap * sizeof(*lg->p));
		if (!lg->p)
			fz_die("out of memory in the harness", NULL);
	}
	lg->p[lg->n++] = (struct fz_pkt){h, sec, usec};
}

static bool fz_before(const struct fz_pkt *a, const struct fz_pkt *b)
{
	return a->sec != b->sec ? a->sec < b->sec : a->usec < b->usec;
}

static bool fz_in_order(const struct fz_log *lg)
{
	for (size_t i = 1; i < lg->n; i++)
		if (fz_before(&lg->p[i], &lg->p[i - 1]))
			return false;
	return true;
}

static void fz_on_single(void *ctx, const struct cap_packet *pkt)
{
	fz_record(ctx, pkt);
}

static void fz_on_merged(void *ctx, const struct cap_packet *pkt)
{
	struct fz_merged *m = ctx;
	fz_record(&m->log, pkt);
	engine_packet(m->eng, pkt);
}

static int fz_cmp_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The merged packets are the singles' packets, each once. */
static void fz_check_same_packets(const struct fz_single *s, size_t n,
				  const struct fz_log *merged)
{
	size_t total = 0, k = 0;
	uint64_t *a, *b;

	for (size_t i = 0; i < n; i++)
		total += s[i].log.n;
	if (total != merged->n)
		fz_die("the merge delivered another number of packets than "
		       "the files read alone", NULL);
	if (total == 0)
		return;
	a = malloc(total * sizeof(*a));
	b = malloc(total * sizeof(*b));
	if (!a || !b)
		fz_die("out of memory in the harness", NULL);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < s[i].log.n; j++)
			a[k++] = s[i].log.p[j].key;
	for (size_t j = 0; j < total; j++)
		b[j] = merged->p[j].key;
	qsort(a, total, sizeof(*a), fz_cmp_key);
	qsort(b, total, sizeof(*b), fz_cmp_key);
	if (memcmp(a, b, total * sizeof(*a)) != 0)
		fz_die("the merge delivered other packets than the files "
		       "read alone", NULL);
	free(a);
	free(b);
}

/* The report's inputs: the files in order, each with its packets. */
static void fz_check_inputs(json_t *in, const struct fz_single *s, size_t n)
{
	if (!json_is_array(in) || json_array_size(in) != n)
		fz_die("the report does not list every input", NULL);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(in, i);
		json_t *pk = json_object_get(o, "packets");
		json_t *f = json_object_get(o, "file");
		if (!json_is_integer(pk) ||
		    (uint64_t)json_integer_value(pk) != s[i].st.packets)
			fz_die("an input's packets in the report differ from "
			       "the file read alone", NULL);
		if (!json_is_string(f) ||
		    strcmp(json_string_value(f), fz_path[i]) != 0)
			fz_die("the report's inputs are not the files in "
			       "order", NULL);
	}
}

static void fz_check_json(const char *buf, size_t len,
			  const struct fz_single *s, size_t n)
{
	json_error_t err;
	json_t *doc = json_loadb(buf, len, 0, &err);
	if (!doc || !json_is_object(doc)) {
		fprintf(stderr, "%.*s\n", (int)(len > 4000 ? 4000 : len), buf);
		fz_die("JSON report is not one JSON object", err.text);
	}
	if (!json_is_array(json_object_get(doc, "sessions")) ||
	    !json_is_array(json_object_get(doc, "dns")) ||
	    !json_is_object(json_object_get(doc, "summary")))
		fz_die("JSON report lacks sessions/dns/summary", NULL);
	fz_check_inputs(json_object_get(doc, "inputs"), s, n);
	json_decref(doc);
}

static void fz_check_ndjson(const char *buf, size_t len,
			    const struct fz_single *s, size_t n)
{
	const char *p = buf, *end = buf + len;
	int summary = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t err;
		json_t *o, *type;
		if (!nl)
			fz_die("NDJSON report does not end with a newline", NULL);
		o = json_loadb(p, (size_t)(nl - p), 0, &err);
		if (!o || !json_is_object(o)) {
			fprintf(stderr, "%.*s\n", (int)(nl - p), p);
			fz_die("NDJSON line is not a JSON object", err.text);
		}
		type = json_object_get(o, "type");
		if (json_is_string(type) &&
		    !strcmp(json_string_value(type), "summary")) {
			summary++;
			fz_check_inputs(json_object_get(o, "inputs"), s, n);
		}
		json_decref(o);
		p = nl + 1;
	}
	if (summary != 1)
		fz_die("NDJSON report does not have exactly one summary", NULL);
}

/* One file alone: open, read, count. */
static void fz_read_alone(size_t i, struct fz_single *s)
{
	char *files[1] = {fz_path[i]};
	bool usage = false;
	struct cap_reader *cr = cap_open(files, 1, NULL, s->openerr, &usage);

	if (!cr) {
		if (usage || !s->openerr[0])
			fz_die("cap_open of one file failed oddly", s->openerr);
		return;
	}
	s->opened = true;
	s->rc = cap_run(cr, fz_on_single, NULL, &s->log, false, s->runerr);
	if (s->rc != 0 && !s->runerr[0])
		fz_die("cap_run failed without a message", NULL);
	s->st = *cap_input(cr, 0);
	s->st.file = NULL;
	s->sorted = s->st.non_ip == 0 && fz_in_order(&s->log);
	cap_free(cr);
}

/* Split at the separator: see the top of the file. */
static size_t fz_split(const uint8_t *data, size_t size,
		       const uint8_t **part, size_t *plen)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; n < FZ_MAX_FILES - 1 && i + FZ_SEP_LEN <= size;) {
		if (memcmp(data + i, FZ_SEP, FZ_SEP_LEN) == 0) {
			part[n] = data + start;
			plen[n++] = i - start;
			i += FZ_SEP_LEN;
			start = i;
		} else {
			i++;
		}
	}
	part[n] = data + start;
	plen[n++] = size - start;
	if (n == 1) { /* no separator: the capture merged with itself */
		part[1] = part[0];
		plen[1] = plen[0];
		n = 2;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[FZ_MAX_FILES];
	size_t plen[FZ_MAX_FILES], n, first_bad = SIZE_MAX;
	struct fz_single single[FZ_MAX_FILES];
	char *files[FZ_MAX_FILES];
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	struct engine_config cfg;
	struct report_options ro;
	struct cap_reader *cr = NULL;
	struct pipeline pl;
	struct fz_merged m = {NULL, {NULL, 0, 0}};
	bool usage_error = false, any_fail = false, all_sorted = true;
	char *obuf = NULL;
	size_t olen = 0;
	FILE *out = NULL;
	int ended = -1, rc;

	memset(&pl, 0, sizeof(pl)); /* pipeline_close is safe on it */
	n = fz_split(data, size, part, plen);
	memset(single, 0, sizeof(single));
	for (size_t i = 0; i < n; i++) {
		fz_write(fz_fd[i], part[i], plen[i]);
		files[i] = fz_path[i];
	}
	for (size_t i = 0; i < n; i++) {
		fz_read_alone(i, &single[i]);
		if (!single[i].opened && first_bad == SIZE_MAX)
			first_bad = i;
		any_fail |= single[i].opened && single[i].rc != 0;
		all_sorted &= single[i].sorted;
	}

	engine_config_defaults(&cfg);
	cfg.smtp_ports[cfg.n_smtp_ports++] = 587;
	cfg.max_sessions = 8;
	cfg.max_dns = 16;
	memset(&ro, 0, sizeof(ro));
	ro.fmt = size % 3 == 0 ? FMT_JSON : size % 3 == 1 ? FMT_TEXT
							  : FMT_NDJSON;
	fnd_config_defaults(&ro.fnd);

	cr = cap_open(files, n, NULL, errbuf, &usage_error);
	if (!cr) {
		if (usage_error)
			fz_die("cap_open reports a usage error without a filter",
			       errbuf);
		if (first_bad == SIZE_MAX)
			fz_die("cap_open of the set failed, each file alone "
			       "opens", errbuf);
		if (strcmp(errbuf, single[first_bad].openerr) != 0)
			fz_die("cap_open of the set does not name the first "
			       "file that fails", errbuf);
		goto out;
	}
	if (first_bad != SIZE_MAX)
		fz_die("cap_open of the set succeeded, a file alone fails",
		       single[first_bad].openerr);
	if (cap_ninputs(cr) != n)
		fz_die("cap_ninputs is not the number of files", NULL);
	out = open_memstream(&obuf, &olen);
	if (!out)
		fz_die("open_memstream failed", NULL);
	if (pipeline_open(&pl, &cfg, &ro, out, errbuf) != 0)
		fz_die("pipeline_open failed", errbuf);
	m.eng = pl.eng;
	rc = cap_run(cr, fz_on_merged, engine_idle, &m, false, runerr);
	if ((rc != 0) != any_fail)
		fz_die(rc ? "the merge failed, no file alone does"
			  : "the merge succeeded, a file alone fails",
		       runerr);
	if (rc != 0) {
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = single[i].rc != 0 &&
				!strcmp(single[i].runerr, runerr);
		if (!known)
			fz_die("the merge's error is no file's own", runerr);
	}
	for (size_t i = 0; i < n; i++) {
		const struct cap_input_stats *a = cap_input(cr, i);
		const struct cap_input_stats *b = &single[i].st;
		if (a->packets != b->packets || a->bytes != b->bytes ||
		    a->non_ip != b->non_ip ||
		    a->short_frames != b->short_frames ||
		    strcmp(a->link_type, b->link_type) != 0 ||
		    strcmp(a->file, fz_path[i]) != 0)
			fz_die("an input's counts in the merge differ from the "
			       "file read alone", fz_path[i]);
	}
	fz_check_same_packets(single, n, &m.log);
	if (all_sorted && !fz_in_order(&m.log))
		fz_die("files each in time order merged out of order", NULL);
	ended = pipeline_finish(&pl, cr);
out:
	pipeline_close(&pl);
	if (out) {
		if (fclose(out) != 0)
			fz_die("closing the memory stream failed", NULL);
		if (ended != 0)
			fz_die("report_end failed on a memory stream", NULL);
		if (ro.fmt == FMT_JSON)
			fz_check_json(obuf, olen, single, n);
		else if (ro.fmt == FMT_NDJSON)
			fz_check_ndjson(obuf, olen, single, n);
	}
	cap_free(cr);
	free(obuf);
	free(m.log.p);
	for (size_t i = 0; i < n; i++)
		free(single[i].log.p);
	return 0;
}
