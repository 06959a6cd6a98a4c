/* main.c - mxray command line (tcpdump-like, see SPEC.md): parse options,
 * wire capture -> engine -> report, print the one-line errors and choose
 * the exit status.  The only file that prints errors and exits. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "flow/engine.h"
#include "base/heap.h"
#include "report/report.h"
#include "base/version.h"

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
		"  --smtp-port N          also treat port N as SMTP (25 always); repeatable\n"
		"  --idle-timeout S       a silent session is over after S (600)\n"
		"  --grace S              wait S after a close for late DNS (10)\n"
		"  --dns-window S         DNS transactions stay matchable S (600)\n"
		"  --max-sessions N       sessions tracked at once (40000)\n"
		"  --max-dns N            DNS transactions kept at once (100000)\n"
		"  -q, --quiet            no progress line on stderr\n"
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
	(void)sig;
	cap_request_stop();
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

int main(int argc, char **argv)
{
	struct engine_config cfg;
	struct report_options ro = {.fmt = FMT_TEXT};
	char errbuf[MX_ERRBUF_SIZE] = "", runerr[MX_ERRBUF_SIZE] = "";
	char **files = NULL, *bpf = NULL;
	const char *outname = NULL, *iface = NULL;
	size_t nfiles = 0;
	bool quiet = false, usage_error = false;
	struct cap_reader *cr = NULL;
	struct report *rep = NULL;
	struct engine *eng = NULL;
	struct engine_stats st;
	FILE *out = stdout;
	int c, rc = EXIT_USAGE, run;
	unsigned long n;

	/* jansson seeds its hash tables randomly; a fixed seed makes runs
	 * repeatable instruction for instruction (benchmarks, callgrind) */
	json_object_seed(1);
	heap_prepare();
	engine_config_defaults(&cfg);
	files = calloc((size_t)argc, sizeof(*files));
	if (!files) {
		fprintf(stderr, "mxray: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	while ((c = getopt_long(argc, argv, "r:i:o:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			files[nfiles++] = optarg;
			break;
		case 'i':
			iface = optarg;
			break;
		case 'o':
			outname = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case OPT_VERSION:
			printf("mxray %s\n", MXRAY_VERSION);
			rc = 0;
			goto out;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				ro.fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				ro.fmt = FMT_JSON;
			else if (!strcmp(optarg, "ndjson"))
				ro.fmt = FMT_NDJSON;
			else {
				fprintf(stderr, "mxray: --format: expected text, "
						"json or ndjson, got '%s'\n", optarg);
				goto out;
			}
			break;
		case OPT_SLOW_BANNER:
			if (parse_seconds("--slow-banner", optarg,
					  &cfg.fnd.slow_banner))
				goto out;
			break;
		case OPT_SLOW_DNS:
			if (parse_seconds("--slow-dns", optarg, &cfg.fnd.slow_dns))
				goto out;
			break;
		case OPT_STALL:
			if (parse_seconds("--stall", optarg, &cfg.fnd.stall))
				goto out;
			break;
		case OPT_SLOW_REPLY:
			if (parse_seconds("--slow-reply", optarg,
					  &cfg.fnd.slow_reply))
				goto out;
			break;
		case OPT_IDLE:
			if (parse_seconds("--idle-timeout", optarg,
					  &cfg.idle_timeout_s))
				goto out;
			break;
		case OPT_GRACE:
			if (parse_seconds("--grace", optarg, &cfg.grace_s))
				goto out;
			break;
		case OPT_DNS_WINDOW:
			if (parse_seconds("--dns-window", optarg,
					  &cfg.dns_window_s))
				goto out;
			break;
		case OPT_SMTP_PORT:
			if (parse_count("--smtp-port", optarg, 1, 65535, &n))
				goto out;
			if (n == 53) {
				fprintf(stderr, "mxray: --smtp-port: 53 is DNS\n");
				goto out;
			}
			if (cfg.n_smtp_ports >= ENGINE_MAX_SMTP_PORTS) {
				fprintf(stderr, "mxray: --smtp-port: at most %d "
						"ports\n", ENGINE_MAX_SMTP_PORTS);
				goto out;
			}
			cfg.smtp_ports[cfg.n_smtp_ports++] = (uint16_t)n;
			break;
		case OPT_MAX_SESSIONS:
			if (parse_count("--max-sessions", optarg, 1, 10000000, &n))
				goto out;
			cfg.max_sessions = n;
			break;
		case OPT_MAX_DNS:
			if (parse_count("--max-dns", optarg, 1, 10000000, &n))
				goto out;
			cfg.max_dns = n;
			break;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (nfiles == 0 && !iface) {
		fprintf(stderr, "mxray: no input: give -r FILE or -i IFACE "
				"(see --help)\n");
		goto out;
	}
	if (nfiles && iface) {
		fprintf(stderr, "mxray: -r and -i cannot be combined\n");
		goto out;
	}
	if (optind < argc && !(bpf = join_args(argc - optind, argv + optind))) {
		fprintf(stderr, "mxray: out of memory\n");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	ro.fnd = cfg.fnd;

	rc = EXIT_BAD_INPUT;
	cr = iface ? cap_open_live(iface, bpf, errbuf, &usage_error)
		   : cap_open(files, nfiles, bpf, errbuf, &usage_error);
	if (!cr) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		if (usage_error)
			rc = EXIT_USAGE;
		goto out;
	}
	if (outname && !(out = fopen(outname, "w"))) {
		fprintf(stderr, "mxray: %s: %s\n", outname, strerror(errno));
		out = stdout;
		goto out;
	}
	/* a capture that is still being written (live, or a pipe on standard
	 * input) is reported session by session; a file in large writes */
	ro.live = iface != NULL;
	for (size_t i = 0; i < nfiles; i++)
		ro.live = ro.live || !strcmp(files[i], "-");
	if (!ro.live && !isatty(fileno(out)))
		setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));
	rep = report_new(out, &ro, errbuf);
	if (!rep || !(eng = engine_new(&cfg, rep, errbuf))) {
		fprintf(stderr, "mxray: %s\n", errbuf);
		goto out;
	}
	if (iface) { /* Ctrl-C ends a live capture with a complete report */
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	run = cap_run(cr, engine_packet, engine_idle, eng,
		      !quiet && !iface && isatty(STDERR_FILENO), runerr);
	engine_finish(eng);
	engine_get_stats(eng, &st);
	if (report_end(rep, cr, &st) != 0) {
		fprintf(stderr, "mxray: %s: write error\n",
			outname ? outname : "standard output");
		goto out;
	}
	if (run != 0) { /* the report holds everything before the damage */
		fprintf(stderr, "mxray: %s\n", runerr);
		goto out;
	}
	rc = 0;
out:
	engine_free(eng);
	report_free(rep);
	cap_free(cr);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "mxray: %s: %s\n", outname, strerror(errno));
		rc = EXIT_BAD_INPUT;
	}
	free(bpf);
	free(files);
	return rc;
}
