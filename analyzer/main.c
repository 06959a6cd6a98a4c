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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/heap.h"
#include "base/version.h"
#include "capture/capture.h"
#include "report/outfile.h"
#include "run/pipeline.h"
#include "run/output.h"
#include "run/privs.h"

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
		"  -i IFACE               live capture (a mirror port); repeatable (a TAP's\n"
		"                         two outputs); Ctrl-C or SIGTERM ends it\n"
		"  -B KIB                 live capture ring size in KiB (65536)\n"
		"  -Z USER                after opening the inputs and the output, run as\n"
		"                         USER (live capture as root: nobody by default;\n"
		"                         -Z root keeps root)\n"
		"  --stats S              a stats line every S seconds (ndjson: in the\n"
		"                         output; text, json: on stderr)\n"
		"  --format FMT           text (default), json, ndjson or html (one\n"
		"                         self-contained page with ladder diagrams)\n"
		"  -o, --output FILE      write the report to FILE\n"
		"  -w FILE                also write the packets of every session with a\n"
		"                         warning or error, and of its DNS, to pcap FILE\n"
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
		"  --only-findings        only sessions with a warning or an error\n"
		"  --severity LEVEL       only sessions with a finding of at least LEVEL\n"
		"                         (info, warning, error)\n"
		"  --finding CODE         only sessions with this finding; repeatable\n"
		"  --host ADDR            only sessions with ADDR as client or server;\n"
		"                         repeatable (after correlation: DNS stays)\n"
		"  --summary              the summary alone\n"
		"  --abs                  text: timeline times in UTC, not from the start\n"
		"  -q, --quiet            no progress line or hints on stderr\n"
		"  -h, --help             this help\n"
		"  --version              print the version\n");
}

enum {
	OPT_FORMAT = 256, OPT_SLOW_BANNER, OPT_SLOW_DNS, OPT_STALL, OPT_SLOW_REPLY,
	OPT_SMTP_PORT, OPT_IDLE, OPT_GRACE, OPT_DNS_WINDOW, OPT_MAX_SESSIONS,
	OPT_MAX_DNS, OPT_VERSION, OPT_STATS, OPT_ONLY_FINDINGS, OPT_SEVERITY,
	OPT_FINDING, OPT_HOST, OPT_SUMMARY, OPT_ABS,
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
	{"stats", required_argument, NULL, OPT_STATS},
	{"only-findings", no_argument, NULL, OPT_ONLY_FINDINGS},
	{"severity", required_argument, NULL, OPT_SEVERITY},
	{"finding", required_argument, NULL, OPT_FINDING},
	{"host", required_argument, NULL, OPT_HOST},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"abs", no_argument, NULL, OPT_ABS},
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
	if (sig == SIGHUP)
		outfile_request_reopen();
	else
		cap_request_stop();
	errno = saved;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	cap_request_stop(); /* an atomic store: errno untouched */
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

/* The report was written to its end (a damaged input too: what came
 * before the damage); false after a write error. */
static bool report_done;
static bool pcap_failed; /* -w's file could not be written */

/* The report's stdio buffer: static, as stdout is flushed after main. */
static char outbuf[1 << 20];

/* Everything the command line says. */
struct options {
	struct engine_config eng;
	struct report_options ro;
	char **files;
	size_t nfiles;
	char **ifaces;
	size_t nifaces;
	unsigned long buffer_kib;
	const char *outname, *user;
	const char *pcapname; /* -w */
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
	else if (!strcmp(s, "html"))
		*fmt = FMT_HTML;
	else {
		fprintf(stderr, "mxray: --format: expected text, json, ndjson "
				"or html, got '%s'\n", s);
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

/* --severity, --finding, --host: 0, or -1 after saying why not. */
static int parse_filter(struct report_filter *f, int c, const char *v)
{
	static const char *const sev[] = {"info", "warning", "error"};
	int i;
	f->active = true;
	if (c == OPT_SEVERITY) {
		for (i = 0; i < 3 && strcmp(v, sev[i]); i++)
			;
		if (i == 3) {
			fprintf(stderr, "mxray: --severity: expected info, "
					"warning or error, got '%s'\n", v);
			return -1;
		}
		if (i > f->min_sev)
			f->min_sev = i;
		return 0;
	}
	if (c == OPT_FINDING) {
		for (i = 0; i < F__COUNT && strcmp(v, finding_code_name(i)); i++)
			;
		if (i == F__COUNT) {
			fprintf(stderr, "mxray: --finding: no finding code '%s' "
					"(see the README's Findings)\n", v);
			return -1;
		}
		f->codes |= (uint32_t)1 << i;
		return 0;
	}
	if (f->n_hosts == REPORT_MAX_HOSTS ||
	    mx_addr_parse(v, &f->hosts[f->n_hosts]) != 0) {
		fprintf(stderr, "mxray: --host: %s '%s'\n",
			f->n_hosts == REPORT_MAX_HOSTS ? "too many hosts at"
						       : "not an IP address:", v);
		return -1;
	}
	f->n_hosts++;
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
	case OPT_STATS:
		if (parse_seconds("--stats", v, &o->ro.stats_s))
			return -1;
		if (o->ro.stats_s < 1) {
			fprintf(stderr, "mxray: --stats: at least 1 second, "
					"got '%s'\n", v);
			return -1;
		}
		return 0;
	case OPT_SEVERITY:
	case OPT_FINDING:
	case OPT_HOST:
		return parse_filter(&o->ro.filter, c, v);
	case 'B':
		return parse_count("-B", v, 256, 2097151, &o->buffer_kib);
	case 'Z':
		o->user = v;
		return 0;
	}
	usage(stderr);
	return -1;
}

/* getopt's complaint, in mxray's words: '?' an unknown option, ':' one
 * without its value; arg is the word it stopped at. */
static void bad_option(int c, const char *arg)
{
	if (c == ':')
		fprintf(stderr, "mxray: %s: needs a value (see --help)\n", arg);
	else if (optopt >= 256) /* a long option given a value it takes not */
		fprintf(stderr, "mxray: %s: takes no value (see --help)\n", arg);
	else if (optopt > 0)
		fprintf(stderr, "mxray: -%c: unknown option (see --help)\n",
			optopt);
	else
		fprintf(stderr, "mxray: %s: unknown option (see --help)\n", arg);
}

/* A word after the options that names a file (a shell glob such as
 * *.pcap expands to several): the user meant another -r, not a filter. */
static bool looks_like_capture(const char *word)
{
	struct stat sb;
	return strpbrk(word, "./") && stat(word, &sb) == 0 &&
	       S_ISREG(sb.st_mode);
}

/* -w names a file of its own: not standard output, not the report's. */
static int check_pcap_name(const struct options *o)
{
	if (!o->pcapname)
		return 0;
	if (!strcmp(o->pcapname, "-") || !*o->pcapname ||
	    (!o->outname && output_same_target(o->pcapname, "/dev/stdout"))) {
		fprintf(stderr, "mxray: -w %s: give a file of its own "
				"(standard output carries the report)\n",
			o->pcapname);
		return -1;
	}
	if (o->outname && output_same_target(o->outname, o->pcapname)) {
		fprintf(stderr, "mxray: -w %s: the same file as -o; the packets "
				"and the report need a file each\n",
			o->pcapname);
		return -1;
	}
	return 0;
}

/* -1: bad usage (said), 1: done (help, version), 0: run; *rc on -1. */
static int parse_options(int argc, char **argv, struct options *o, int *rc)
{
	int c;
	*rc = EXIT_USAGE;
	opterr = 0; /* its messages would name the program as it was typed */
	while ((c = getopt_long(argc, argv, ":r:i:o:w:qhB:Z:", long_opts,
				NULL)) != -1) {
		if (c == '?' || c == ':') {
			bad_option(c, argv[optind - 1]);
			return -1;
		} else if (c == 'r')
			o->files[o->nfiles++] = optarg;
		else if (c == 'i' && o->nifaces == CAP_MAX_IFACES) {
			fprintf(stderr, "mxray: -i: at most %d interfaces\n",
				CAP_MAX_IFACES);
			return -1;
		} else if (c == 'i')
			o->ifaces[o->nifaces++] = optarg;
		else if (c == 'o')
			o->outname = optarg;
		else if (c == 'w')
			o->pcapname = optarg;
		else if (c == 'q')
			o->quiet = true;
		else if (c == OPT_ABS)
			o->ro.text.abs = true;
		else if (c == OPT_ONLY_FINDINGS || c == OPT_SUMMARY) {
			o->ro.filter.active = true;
			if (c == OPT_SUMMARY)
				o->ro.filter.summary_only = true;
			else if (o->ro.filter.min_sev < SEV_WARNING)
				o->ro.filter.min_sev = SEV_WARNING;
		}
		else if (c == 'h' || c == OPT_VERSION) {
			if (c == 'h')
				usage(stdout);
			else
				printf("mxray %s\n", MXRAY_VERSION);
			return 1;
		} else if (parse_value(o, c, optarg) != 0)
			return -1;
	}
	if (o->nfiles == 0 && !o->nifaces) {
		fprintf(stderr, "mxray: no input: give -r FILE or -i IFACE "
				"(see --help)\n");
		return -1;
	}
	if (o->nfiles && o->nifaces) {
		fprintf(stderr, "mxray: -r and -i cannot be combined\n");
		return -1;
	}
	if (optind < argc && o->nfiles && looks_like_capture(argv[optind])) {
		fprintf(stderr, "mxray: '%s' is a file, not a filter expression: "
				"give each capture with its own -r (-r %s -r %s)\n",
			argv[optind], o->files[0], argv[optind]);
		return -1;
	}
	if (optind < argc && !(o->bpf = join_args(argc - optind, argv + optind))) {
		fprintf(stderr, "mxray: out of memory\n");
		*rc = EXIT_BAD_INPUT;
		return -1;
	}
	o->ro.bpf = o->bpf;
	return check_pcap_name(o);
}

/* A live capture ends with a complete report on Ctrl-C or SIGTERM;
 * SIGHUP reopens the -o file (log rotation) in text and NDJSON, whose
 * records stand alone, and ends the capture otherwise. */
static void catch_signals(const struct options *o, FILE *out)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* a write to a full pipe must not fail with EINTR (stdio would
	 * lose the record); poll() returns on a signal all the same */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o->outname && o->ro.fmt != FMT_JSON && o->ro.fmt != FMT_HTML)
		outfile_set(out, o->outname);
	else
		sa.sa_handler = on_stop_signal;
	sigaction(SIGHUP, &sa, NULL);
}

/* What the kernel dropped, per interface, as tcpdump says it. */
static void say_drops(const struct cap_reader *cr)
{
	for (size_t i = 0; i < cap_ninputs(cr); i++) {
		const struct cap_input_stats *in = cap_input(cr, i);
		fprintf(stderr, "mxray: %s: %llu packets captured, %llu packets "
				"received by filter, %llu packets dropped by "
				"kernel, %llu packets dropped by interface\n",
			in->file, (unsigned long long)in->packets,
			(unsigned long long)in->received,
			(unsigned long long)in->dropped_kernel,
			(unsigned long long)in->dropped_iface);
	}
}

/* Capture, analyse, report: 0, or an exit status after saying why. */
static int run(const struct options *o, struct cap_reader *cr, FILE *out,
	       FILE *pcap)
{
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	struct pipeline p;
	int rc = EXIT_BAD_INPUT, r;

	if (pipeline_open(&p, &o->eng, &o->ro, out, errbuf) != 0 ||
	    (pcap && pipeline_write_packets(&p, pcap, o->pcapname, cr,
					    errbuf) != 0)) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		goto out;
	}
	p.quiet = o->quiet;
	if (o->nifaces)
		catch_signals(o, out);
	/* the packet path on a second core */
	r = engine_run(p.eng, cr,
		       !o->quiet && !o->nifaces && isatty(STDERR_FILENO),
		       runerr);
	if (pipeline_finish(&p, cr) != 0) {
		fprintf(stderr, "mxray: %s: write error\n",
			o->outname ? o->outname : "standard output");
		goto out;
	}
	report_done = true;
	if (p.pcap_failed) {
		fprintf(stderr, "mxray: %s: write error\n", o->pcapname);
		pcap_failed = true;
		goto out;
	}
	if (o->nifaces)
		say_drops(cr);
	if (r != 0) { /* the report holds everything before the damage */
		fprintf(stderr, "mxray: %s\n", runerr);
		goto out;
	}
	rc = 0;
out:
	pipeline_close(&p);
	return rc;
}

/* Text to a terminal: colours unless NO_COLOR (no-color.org) or a dumb
 * terminal says no, and lines wrapped to its width. */
static void terminal_style(struct text_style *st, FILE *out)
{
	struct winsize ws;
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");
	if (!isatty(fileno(out)))
		return;
	st->colour = !(no && *no) && !(term && !strcmp(term, "dumb"));
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		st->width = ws.ws_col;
}

/* An interrupted report of files leaves no temporary file behind. */
static void on_fatal_signal(int sig)
{
	output_unlink_tmp();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The report (-o, opt "-o") or the packets (-w): a live report grows in
 * place, a sensor's text or NDJSON log is appended to, and after -Z the
 * new user may not rename in that directory; else a temporary file is
 * renamed at the end.  0, or an exit status after saying why. */
static int open_output(const struct options *o, struct output *out,
		       const char *opt, const char *name, bool live,
		       bool change)
{
	char errbuf[MX_ERRBUF_SIZE] = "";
	bool log = !strcmp(opt, "-o") && o->nifaces &&
		   o->ro.fmt != FMT_JSON && o->ro.fmt != FMT_HTML;
	enum output_result orc = output_open(
		out, opt, name, o->files, o->nfiles,
		log ? OUTPUT_APPEND : live || change ? OUTPUT_IN_PLACE
						     : OUTPUT_RENAME,
		errbuf);
	if (orc == OUTPUT_OK)
		return 0;
	fprintf(stderr, "mxray: %s\n", errbuf);
	return orc == OUTPUT_IS_INPUT ? EXIT_USAGE : EXIT_BAD_INPUT;
}

/* Keep what was written whole; rc, or EXIT_BAD_INPUT when it fails. */
static int close_output(struct output *out, bool whole, int rc)
{
	char errbuf[MX_ERRBUF_SIZE] = "";
	if (!whole) { /* a write error: nothing to keep */
		output_discard(out);
	} else if (output_close(out, errbuf) != 0) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		rc = EXIT_BAD_INPUT;
	}
	return rc;
}

/* Open the inputs and the outputs, then run. */
static int open_and_run(struct options *o)
{
	bool usage_error = false, live;
	char errbuf[MX_ERRBUF_SIZE] = "";
	struct cap_reader *cr;
	struct output out = {.f = stdout}, pcap = {0};
	int rc = EXIT_BAD_INPUT;
	enum privs_result pr;
	struct privs_plan plan;

	cr = o->nifaces ? cap_open_live(o->ifaces, o->nifaces, o->bpf,
					o->buffer_kib, errbuf, &usage_error)
			: cap_open(o->files, o->nfiles, o->bpf, errbuf,
				   &usage_error);
	if (!cr) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		return usage_error ? EXIT_USAGE : EXIT_BAD_INPUT;
	}
	/* a capture that is still being written (live, or a pipe on standard
	 * input) is reported session by session, into the file named; a
	 * file's report in large writes, renamed into place at the end */
	live = o->nifaces > 0;
	for (size_t i = 0; i < o->nfiles; i++)
		live = live || !strcmp(o->files[i], "-");
	o->ro.live = live;
	/* who to become, known before any file is opened for writing */
	if ((pr = privs_plan(o->user, o->nifaces > 0, &plan, errbuf)) !=
	    PRIVS_OK) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		cap_free(cr);
		return pr == PRIVS_NO_USER ? EXIT_USAGE : EXIT_BAD_INPUT;
	}
	if ((o->outname && (rc = open_output(o, &out, "-o", o->outname, live,
					      plan.change))) ||
	    (o->pcapname && (rc = open_output(o, &pcap, "-w", o->pcapname,
					       live, plan.change)))) {
		if (o->outname && out.f != stdout)
			output_discard(&out);
		cap_free(cr);
		return rc;
	}
	if (out.tmp || pcap.tmp) {
		signal(SIGINT, on_fatal_signal);
		signal(SIGTERM, on_fatal_signal);
		signal(SIGHUP, on_fatal_signal);
		signal(SIGQUIT, on_fatal_signal);
		/* past a file size limit: a write error, and the discard */
		signal(SIGXFSZ, SIG_IGN);
	}
	/* the capture and the outputs are open: no need for root now */
	if ((pr = privs_drop(&plan, errbuf)) != PRIVS_OK) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		cap_free(cr);
		if (o->outname)
			output_discard(&out);
		output_discard(&pcap);
		return EXIT_BAD_INPUT;
	}
	if (plan.change && !o->user && !o->quiet)
		fprintf(stderr, "mxray: capturing as user nobody from now on "
				"(-Z USER to choose another, -Z root to keep "
				"root)\n");
	if (!live && !isatty(fileno(out.f)))
		setvbuf(out.f, outbuf, _IOFBF, sizeof(outbuf));
	terminal_style(&o->ro.text, out.f);
	rc = run(o, cr, out.f, pcap.f);
	cap_free(cr);
	if (o->pcapname)
		rc = close_output(&pcap, report_done && !pcap_failed, rc);
	if (o->outname)
		rc = close_output(&out, report_done, rc);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {.ro = {.fmt = FMT_TEXT, .filter = {.min_sev = -1}}};
	int rc, p;

	/* jansson seeds its hash tables randomly; a fixed seed makes runs
	 * repeatable instruction for instruction (benchmarks, callgrind) */
	json_object_seed(1);
	heap_prepare();
	engine_config_defaults(&o.eng);
	fnd_config_defaults(&o.ro.fnd);
	o.buffer_kib = CAP_DEFAULT_BUFFER_KIB;
	if (!(o.files = calloc((size_t)argc, sizeof(*o.files))) ||
	    !(o.ifaces = calloc((size_t)argc, sizeof(*o.ifaces)))) {
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
	free(o.ifaces);
	return rc;
}
