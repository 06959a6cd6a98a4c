/* fuzz_pipeline.c - libFuzzer target for the whole pipeline: pcap/pcapng
 * bytes in, report out, wired as analyzer/main.c wires it:
 *
 *   cap_open -> pipeline_open -> cap_run(engine_packet)
 *   -> pipeline_finish -> pipeline_close
 *
 * Only the public interfaces of capture.h and run/pipeline.h are used, so
 * the target does not care which TCP reassembler sits behind them.
 *
 * cap_open takes file names, so each input is written to one memfd per
 * process (rewritten and truncated per input) and opened as
 * /proc/self/fd/N.  The report goes to a memory stream and is checked:
 * the report format is picked from the input size (size % 3: JSON, text,
 * NDJSON, so a reproducer always runs the same way); a JSON report must be
 * one valid JSON document, an NDJSON report one valid JSON object per line.
 * The -w pcap (pipeline_write_packets) goes to a temporary file and must
 * read back with libpcap to its end.
 *
 * The engine is created and freed per input: the reassembler behind it is
 * a process-wide singleton (libnids), so this also checks that
 * engine_new/engine_free can be repeated.  State caps are small
 * (--max-sessions 8, --max-dns 16) so that eviction is reached, and
 * because the default caps would make every engine_new allocate tables for
 * 100,000 sessions.  Port 587 is an SMTP port too.
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

static int fz_fd = -1;
static char fz_path[64];
static FILE *fz_pcap; /* -w's file, emptied per input */

static void fz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_pipeline: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* as main.c: jansson's hash seed fixed, runs repeat exactly */
	json_object_seed(1);
	fz_fd = fz_memfd_open("mxray-fuzz-pcap", fz_path);
	if (fz_fd < 0)
		fz_die("memfd_create failed", NULL);
	if (!(fz_pcap = tmpfile()))
		fz_die("tmpfile failed", NULL);
	return 0;
}

/* The -w file holds a pcap that libpcap reads to its end. */
static void fz_check_pcap(void)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	int fd = dup(fileno(fz_pcap)), r;
	FILE *f = NULL;
	pcap_t *p;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0 || !(f = fdopen(fd, "rb")))
		fz_die("cannot reread the -w file", NULL);
	if (!(p = pcap_fopen_offline(f, err)))
		fz_die("the -w file is not a pcap", err);
	while ((r = pcap_next_ex(p, &h, &d)) == 1)
		;
	if (r != PCAP_ERROR_BREAK)
		fz_die("the -w file is damaged", pcap_geterr(p));
	pcap_close(p);
}

static void fz_check_json(const char *buf, size_t len)
{
	json_error_t err;
	json_t *doc = json_loadb(buf, len, 0, &err);
	if (!doc || !json_is_object(doc)) {
		fprintf(stderr, "%.*s\n", (int)(len > 4000 ? 4000 : len), buf);
		fz_die("JSON report is not one JSON object", err.text);
	}
	if (!json_is_array(json_object_get(doc, "sessions")) ||
	    !json_is_array(json_object_get(doc, "dns")) ||
	    !json_is_array(json_object_get(doc, "inputs")) ||
	    !json_is_object(json_object_get(doc, "summary")))
		fz_die("JSON report lacks sessions/dns/inputs/summary", NULL);
	json_decref(doc);
}

static void fz_check_ndjson(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int summary = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t err;
		json_t *o;
		if (!nl)
			fz_die("NDJSON report does not end with a newline", NULL);
		o = json_loadb(p, (size_t)(nl - p), 0, &err);
		if (!o || !json_is_object(o)) {
			fprintf(stderr, "%.*s\n", (int)(nl - p), p);
			fz_die("NDJSON line is not a JSON object", err.text);
		}
		if (json_is_string(json_object_get(o, "type")) &&
		    !strcmp(json_string_value(json_object_get(o, "type")),
			    "summary"))
			summary++;
		json_decref(o);
		p = nl + 1;
	}
	if (summary != 1)
		fz_die("NDJSON report does not have exactly one summary", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	char *files[1] = {fz_path};
	struct engine_config cfg;
	struct report_options ro;
	struct cap_reader *cr = NULL;
	struct pipeline pl;
	bool usage_error = false;
	char *obuf = NULL;
	size_t olen = 0;
	FILE *out = NULL;
	int ended = -1;

	memset(&pl, 0, sizeof(pl)); /* pipeline_close is safe on it */
	if (fz_memfd_write(fz_fd, data, size) != 0)
		fz_die("cannot write the input to the memfd", NULL);

	engine_config_defaults(&cfg);
	cfg.smtp_ports[cfg.n_smtp_ports++] = 587;
	cfg.max_sessions = 8;
	cfg.max_dns = 16;
	memset(&ro, 0, sizeof(ro));
	ro.fmt = size % 3 == 0 ? FMT_JSON : size % 3 == 1 ? FMT_TEXT
							  : FMT_NDJSON;
	fnd_config_defaults(&ro.fnd);

	cr = cap_open(files, 1, NULL, errbuf, &usage_error);
	if (!cr) {
		if (usage_error)
			fz_die("cap_open reports a usage error without a filter",
			       errbuf);
		if (!errbuf[0])
			fz_die("cap_open failed without a message", NULL);
		goto out; /* not a capture: the one-line error path */
	}
	out = open_memstream(&obuf, &olen);
	if (!out)
		fz_die("open_memstream failed", NULL);
	if (pipeline_open(&pl, &cfg, &ro, out, errbuf) != 0)
		fz_die("pipeline_open failed (repeated use of the "
		       "defragmenter?)", errbuf);
	if (fflush(fz_pcap) != 0 || ftruncate(fileno(fz_pcap), 0) != 0)
		fz_die("cannot empty the -w file", NULL);
	rewind(fz_pcap);
	if (pipeline_write_packets(&pl, fz_pcap, "fuzz.pcap", cr, errbuf) != 0)
		fz_die("pipeline_write_packets failed", errbuf);
	if (cap_run(cr, engine_packet, engine_idle, pl.eng, false, runerr) != 0 &&
	    !runerr[0])
		fz_die("cap_run failed without a message", NULL);
	ended = pipeline_finish(&pl, cr);
	if (pl.pcap_failed)
		fz_die("writing the -w file failed", NULL);
	pipeline_close(&pl); /* closes its copy of the -w file */
	fz_check_pcap();
out:
	pipeline_close(&pl);
	cap_free(cr);
	if (out) {
		if (fclose(out) != 0)
			fz_die("closing the memory stream failed", NULL);
		if (ended != 0)
			fz_die("report_end failed on a memory stream", NULL);
		if (ro.fmt == FMT_JSON)
			fz_check_json(obuf, olen);
		else if (ro.fmt == FMT_NDJSON)
			fz_check_ndjson(obuf, olen);
	}
	free(obuf);
	return 0;
}
