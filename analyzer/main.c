/* main.c - mxray command line (tcpdump-like, see README.md): parse
 * options, wire the layers (capture -> flow engine -> DNS table and
 * diagnose -> report), print the one-line errors and choose the exit
 * status. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/heap.h"
#include "base/version.h"
#include "capture/capture.h"
#include "run/pipeline.h"

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mxray [options] -r FILE [-r FILE ...] [BPF-expression]\n"
		"       mxray [options] -i IFACE [BPF-expression]\n"
		"\n"
		"Reassembles SMTP and DNS from packet captures and prints one\n"
		"timeline per SMTP session with findings.\n"
		"\n"
		"  -r FILE                read a pcap/pcapng file ('-' = stdin); repeatable\n"
		"  -i IFACE               live capture (a mirror port); Ctrl-C ends it\n"
		"  --format FMT           text (default), json or ndjson\n"
		"  -o, --output FILE      write the report to FILE\n"
		"  --slow-banner S        banner delay that counts as slow (2)\n"
		"  --slow-dns S           DNS response time that counts as slow (1)\n"
		"  --stall S              silence after a command that is a stall (30)\n"
		"  --slow-reply S         reply to MAIL/RCPT that counts as slow (2)\n"
		"  --smtp-port N          also treat port N as SMTP (25, 587, 2525, and\n"
		"                         465 as TLS, always); repeatable\n"
		"  --idle-timeout S       a silent session is over after S (600)\n"
		"  --grace S              wait S after a close for late DNS (10)\n"
		"  --dns-window S         DNS transactions stay matchable S (600)\n"
		"  --max-sessions N       sessions tracked at once (40000)\n"
		"  --max-dns N            DNS transactions kept at once (100000)\n"
		"  -q, --quiet            no progress line or hints on stderr\n"
		"  -h, --help             this help\n"
		"  --version              print the version\n");
}

enum {
	OPT_FORMAT = 256, OPT_SLOW_BANNER, OPT_SLOW_DNS, OPT_STALL, OPT_SLOW_REPLY,
	OPT_SMTP_PORT, OPT_IDLE, OPT_GRACE, OPT_DNS_WINDOW, OPT_MAX_SESSIONS,
	OPT_MAX_DNS, OPT_VERSION,
};

static const struct option long_opts[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"slow-banner", required_argument, NULL, OPT_SLOW_BANNER},
	{"slow-dns", required_argument, NULL, OPT_SLOW_DNS},
	{"stall", required_argument, NULL, OPT_STALL},
	{"slow-reply", required_argument, NULL, OPT_SLOW_REPLY},
	{"smtp-port", required_argument, NULL, OPT_SMTP_PORT},
	{"idle-timeout", required_argument, NULL, OPT_IDLE},
	{"grace", required_argument, NULL, OPT_GRACE},
	{"dns-window", required_argument, NULL, OPT_DNS_WINDOW},
	{"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
	{"max-dns", required_argument, NULL, OPT_MAX_DNS},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e7) {
		fprintf(stderr, "mxray: %s: not a number of seconds: '%s'\n", opt,
			s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_count(const char *opt, const char *s, unsigned long lo,
		       unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
		fprintf(stderr, "mxray: %s: expected a number from %lu to %lu, "
				"got '%s'\n", opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static void on_signal(int sig)
{
	int saved = errno;
	(void)sig;
	cap_request_stop();
	errno = saved;
}

/* The trailing words form one BPF expression, as with tcpdump. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* The report's stdio buffer: static, as stdout is flushed after main. */
static char outbuf[1 << 20];

/* Everything the command line says. */
struct options {
	struct engine_config eng;
	struct report_options ro;
	char **files;
	size_t nfiles;
	const char *outname, *iface;
	char *bpf;
	bool quiet;
};

static int parse_format(const char *s, enum report_format *fmt)
{
	if (!strcmp(s, "text"))
		*fmt = FMT_TEXT;
	else if (!strcmp(s, "json"))
		*fmt = FMT_JSON;
	else if (!strcmp(s, "ndjson"))
		*fmt = FMT_NDJSON;
	else {
		fprintf(stderr, "mxray: --format: expected text, json or "
				"ndjson, got '%s'\n", s);
		return -1;
	}
	return 0;
}

static int add_smtp_port(struct engine_config *c, const char *s)
{
	unsigned long n;
	if (parse_count("--smtp-port", s, 1, 65535, &n))
		return -1;
	if (n == 53) {
		fprintf(stderr, "mxray: --smtp-port: 53 is DNS\n");
		return -1;
	}
	if (c->n_smtp_ports >= ENGINE_MAX_SMTP_PORTS) {
		fprintf(stderr, "mxray: --smtp-port: at most %d ports\n",
			ENGINE_MAX_SMTP_PORTS);
		return -1;
	}
	c->smtp_ports[c->n_smtp_ports++] = (uint16_t)n;
	return 0;
}

/* One option with a value: 0, or -1 after printing why not. */
static int parse_value(struct options *o, int c, const char *v)
{
	struct fnd_config *f = &o->ro.fnd;
	unsigned long n;
	switch (c) {
	case OPT_FORMAT:
		return parse_format(v, &o->ro.fmt);
	case OPT_SLOW_BANNER:
		return parse_seconds("--slow-banner", v, &f->slow_banner);
	case OPT_SLOW_DNS:
		return parse_seconds("--slow-dns", v, &f->slow_dns);
	case OPT_STALL:
		return parse_seconds("--stall", v, &f->stall);
	case OPT_SLOW_REPLY:
		return parse_seconds("--slow-reply", v, &f->slow_reply);
	case OPT_IDLE:
		return parse_seconds("--idle-timeout", v,
				     &o->eng.idle_timeout_s);
	case OPT_GRACE:
		return parse_seconds("--grace", v, &o->eng.grace_s);
	case OPT_DNS_WINDOW:
		return parse_seconds("--dns-window", v, &o->eng.dns_window_s);
	case OPT_SMTP_PORT:
		return add_smtp_port(&o->eng, v);
	case OPT_MAX_SESSIONS:
		if (parse_count("--max-sessions", v, 1, 10000000, &n))
			return -1;
		o->eng.max_sessions = n;
		return 0;
	case OPT_MAX_DNS:
		if (parse_count("--max-dns", v, 1, 10000000, &n))
			return -1;
		o->eng.max_dns = n;
		return 0;
	}
	usage(stderr);
	return -1;
}

/* -1: bad usage (said), 1: done (help, version), 0: run; *rc on -1. */
static int parse_options(int argc, char **argv, struct options *o, int *rc)
{
	int c;
	*rc = EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "r:i:o:qh", long_opts, NULL)) != -1) {
		if (c == 'r')
			o->files[o->nfiles++] = optarg;
		else if (c == 'i')
			o->iface = optarg;
		else if (c == 'o')
			o->outname = optarg;
		else if (c == 'q')
			o->quiet = true;
		else if (c == 'h' || c == OPT_VERSION) {
			if (c == 'h')
				usage(stdout);
			else
				printf("mxray %s\n", MXRAY_VERSION);
			return 1;
		} else if (parse_value(o, c, optarg) != 0)
			return -1;
	}
	if (o->nfiles == 0 && !o->iface) {
		fprintf(stderr, "mxray: no input: give -r FILE or -i IFACE "
				"(see --help)\n");
		return -1;
	}
	if (o->nfiles && o->iface) {
		fprintf(stderr, "mxray: -r and -i cannot be combined\n");
		return -1;
	}
	if (optind < argc && !(o->bpf = join_args(argc - optind, argv + optind))) {
		fprintf(stderr, "mxray: out of memory\n");
		*rc = EXIT_BAD_INPUT;
		return -1;
	}
	return 0;
}

/* Capture, analyse, report: 0, or an exit status after saying why. */
static int run(const struct options *o, struct cap_reader *cr, FILE *out)
{
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	struct pipeline p;
	int rc = EXIT_BAD_INPUT, r;

	if (pipeline_open(&p, &o->eng, &o->ro, out, errbuf) != 0) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		goto out;
	}
	p.quiet = o->quiet;
	if (o->iface) { /* Ctrl-C ends a live capture with a complete report */
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	/* the packet path on a second core */
	r = engine_run(p.eng, cr,
		       !o->quiet && !o->iface && isatty(STDERR_FILENO), runerr);
	if (pipeline_finish(&p, cr) != 0) {
		fprintf(stderr, "mxray: %s: write error\n",
			o->outname ? o->outname : "standard output");
		goto out;
	}
	if (r != 0) { /* the report holds everything before the damage */
		fprintf(stderr, "mxray: %s\n", runerr);
		goto out;
	}
	rc = 0;
out:
	pipeline_close(&p);
	return rc;
}

/* Open the inputs and the output, then run. */
static int open_and_run(struct options *o)
{
	bool usage_error = false;
	char errbuf[MX_ERRBUF_SIZE] = "";
	struct cap_reader *cr;
	FILE *out = stdout;
	int rc = EXIT_BAD_INPUT;

	cr = o->iface ? cap_open_live(o->iface, o->bpf, errbuf, &usage_error)
		      : cap_open(o->files, o->nfiles, o->bpf, errbuf,
				 &usage_error);
	if (!cr) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		return usage_error ? EXIT_USAGE : EXIT_BAD_INPUT;
	}
	if (o->outname && !(out = fopen(o->outname, "w"))) {
		fprintf(stderr, "mxray: %s: %s\n", o->outname, strerror(errno));
		cap_free(cr);
		return EXIT_BAD_INPUT;
	}
	/* a capture that is still being written (live, or a pipe on standard
	 * input) is reported session by session; a file in large writes */
	o->ro.live = o->iface != NULL;
	for (size_t i = 0; i < o->nfiles; i++)
		o->ro.live = o->ro.live || !strcmp(o->files[i], "-");
	if (!o->ro.live && !isatty(fileno(out)))
		setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));
	rc = run(o, cr, out);
	cap_free(cr);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "mxray: %s: %s\n", o->outname, strerror(errno));
		rc = EXIT_BAD_INPUT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {.ro = {.fmt = FMT_TEXT}};
	int rc, p;

	/* jansson seeds its hash tables randomly; a fixed seed makes runs
	 * repeatable instruction for instruction (benchmarks, callgrind) */
	json_object_seed(1);
	heap_prepare();
	engine_config_defaults(&o.eng);
	fnd_config_defaults(&o.ro.fnd);
	if (!(o.files = calloc((size_t)argc, sizeof(*o.files)))) {
		fprintf(stderr, "mxray: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	p = parse_options(argc, argv, &o, &rc);
	if (p == 0)
		rc = open_and_run(&o);
	else if (p > 0)
		rc = 0;
	free(o.bpf);
	free(o.files);
	return rc;
}
