#!/usr/bin/env python3
"""Check mxray's JSON against docs/mxray.schema.json.

Validates every golden under tests/expected/ (*.json: the whole document;
*.ndjson: each line against the NDJSON line schema; other files are text
goldens and are skipped), and with --mxray BIN the output BIN writes now,
in json and ndjson with --stats 1, on a few TESTLIST cases (every one with
--all): the ndjson lines, the json document and the stats lines the json run
writes on stderr.  It also checks the schema itself against the draft
2020-12 metaschema and its finding codes and severities against
analyzer/diagnose/findings.def.  FILEs given on the command line are
checked instead of the goldens.

Prints one "FAIL file[:line]: $.json.path: message" per problem and ends
with "schema: N passed, M failed" (one check per file or per run); exit
status 1 if any check failed.  Needs python3-jsonschema (scripts/deps.sh).
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

try:
    import jsonschema
except ImportError:  # a python3 that is not Debian's: try Debian's modules
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import jsonschema
    except ImportError:
        print("schema: python3-jsonschema is not installed (scripts/deps.sh)")
        sys.exit(1)
from jsonschema.exceptions import best_match

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SCHEMA = "docs/mxray.schema.json"
# TESTLIST cases run with --mxray: between them every optional part of the
# report (partial, one_sided, gap, missing_bytes, blob, tls, DNS anomalies,
# capture_cut, delivery, smtp_elsewhere, decapsulated, several inputs,
# report filters, a BPF expression)
FRESH = ["slow-ptr", "midstream", "odd-lost-segment", "odd-one-sided-server",
         "lab-one-sided", "dns-bad-record", "odd-snaplen", "xexch50-stall",
         "starttls", "failover", "no-failover", "other-ports", "encap-gre-ip",
         "all-merged", "dns-tcp", "tarpit", "bpf-filter", "filter-code-host",
         "filter-summary"]
# and cases of their own: a short --idle-timeout gives timeout events and
# the close "timeout"; -w gives the summary's packets_written
EXTRA = {"slow-ptr-idle": ("samples/slow-ptr.pcap", ["--idle-timeout", "1"]),
         "no-failover-w": ("samples/no-failover.pcap", ["-w", "/dev/null"])}
MAX_ERRORS = 8  # per file, then "... and N more"


def no_constant(name):
    raise ValueError("%s is not JSON" % name)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise ValueError("key %r twice in one object" % k)
    return dict(pairs)


def loads(text):
    """Strict JSON: no NaN or Infinity, no key twice in an object."""
    return json.loads(text, parse_constant=no_constant,
                      object_pairs_hook=no_duplicates)


class Checker:
    def __init__(self, schema):
        cls = jsonschema.Draft202012Validator
        self.schema = schema
        self.defs = {}
        for name in ("DOCUMENT", "NDJSON_LINE", "STATS"):
            sub = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                   "$ref": "#/$defs/" + name}
            self.defs[name] = cls(sub)
        self.passed = 0
        self.failed = 0

    @staticmethod
    def path(err):
        s = "$"
        for p in err.absolute_path:
            s += "[%d]" % p if isinstance(p, int) else "." + str(p)
        return s

    def errors(self, name, obj):
        """The problems of obj against $defs/name, as 'path: message'."""
        out = []
        for e in self.defs[name].iter_errors(obj):
            e = best_match([e])  # into anyOf / oneOf: the closest branch
            msg = e.message
            if len(msg) > 300:
                msg = msg[:300] + "..."
            key = [(0, p, "") if isinstance(p, int) else (1, 0, p)
                   for p in e.absolute_path]
            out.append((key, self.path(e) + ": " + msg))
        return [m for _, m in sorted(out)]

    def result(self, label, problems):
        """One check: label passes without problems, else one FAIL each."""
        if not problems:
            self.passed += 1
            return
        self.failed += 1
        for where, msg in problems[:MAX_ERRORS]:
            print("FAIL %s: %s" % (label + where, msg))
        if len(problems) > MAX_ERRORS:
            print("FAIL %s: ... and %d more" % (label, len(problems) - MAX_ERRORS))

    def document(self, text):
        try:
            doc = loads(text)
        except ValueError as e:
            return [("", "not JSON: %s" % e)]
        return [("", m) for m in self.errors("DOCUMENT", doc)]

    def ndjson(self, text):
        problems, types = [], []
        self.types = types
        lines = text.splitlines()
        if not lines:
            return [("", "no line")]
        for n, line in enumerate(lines, 1):
            try:
                obj = loads(line)
            except ValueError as e:
                problems.append((":%d" % n, "not JSON: %s" % e))
                types.append(None)
                continue
            types.append(obj.get("type") if isinstance(obj, dict) else None)
            problems += [(":%d" % n, m) for m in self.errors("NDJSON_LINE", obj)]
        if types.count("summary") != 1 or types[-1] != "summary":
            problems.append((":%d" % len(lines),
                             "the last line, and only it, must be the summary"))
        return problems

    def stats_lines(self, text):
        """Lines on stderr: the stats lines must match STATS."""
        problems, n_stats = [], 0
        for n, line in enumerate(text.splitlines(), 1):
            if not line.startswith("{"):
                continue  # mxray's own messages
            try:
                obj = loads(line)
            except ValueError as e:
                problems.append((" (stderr):%d" % n, "not JSON: %s" % e))
                continue
            n_stats += 1
            problems += [(" (stderr):%d" % n, m) for m in self.errors("STATS", obj)]
        return problems, n_stats


def findings_def_problems(schema):
    """findings.def and the schema's codes and severities must agree."""
    text = open("analyzer/diagnose/findings.def").read()
    defined = dict(re.findall(r'^FINDING\(\w+,\s*"([^"]+)",\s*SEV_(\w+)', text, re.M))
    defs = schema["$defs"]
    problems = []
    codes = defs["FINDING_CODE"]["enum"]
    if sorted(codes) != sorted(defined):
        problems.append(("", "$defs.FINDING_CODE lacks %s, has %s not in findings.def"
                         % (sorted(set(defined) - set(codes)),
                            sorted(set(codes) - set(defined)))))
    req = defs["SUMMARY"]["properties"]["findings"]["required"]
    if sorted(req) != sorted(defined):
        problems.append(("", "summary.findings.required differs from findings.def: %s"
                         % sorted(set(req) ^ set(defined))))
    sev = {}
    for rule in defs["FINDING"]["allOf"]:
        for c in rule["if"]["properties"]["code"]["enum"]:
            sev[c] = rule["then"]["properties"]["severity"]["const"]
    for c, s in sorted(defined.items()):
        if sev.get(c) != s.lower():
            problems.append(("", "severity of %s: findings.def says %s, the schema %s"
                             % (c, s.lower(), sev.get(c))))
    return problems


def testlist():
    cases = {}
    for line in open("tests/TESTLIST"):
        f = line.split()
        if f and not f[0].startswith("#"):
            cases[f[0]] = (f[1], f[3:])
    return cases


def run(cmd):
    """(status, stdout, stderr, problem): JSON text must be UTF-8."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    try:
        return p.returncode, p.stdout.decode("utf-8"), err, None
    except UnicodeDecodeError as e:
        return p.returncode, "", err, "output not UTF-8: %s" % e


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mxray", metavar="BIN", help="also check what BIN writes now")
    ap.add_argument("--all", action="store_true",
                    help="with --mxray: every TESTLIST case, not a chosen few")
    ap.add_argument("files", nargs="*", metavar="FILE",
                    help="check these (*.ndjson: per line, else a document) "
                         "instead of the goldens")
    a = ap.parse_args()
    files = [os.path.abspath(f) for f in a.files]
    binary = os.path.abspath(a.mxray) if a.mxray else None
    os.chdir(ROOT)

    schema = json.load(open(SCHEMA))
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print("FAIL %s: not a valid draft 2020-12 schema: %s" % (SCHEMA, e.message))
        print("schema: 0 passed, 1 failed")
        return 1
    ck = Checker(schema)
    ck.result(SCHEMA + " vs findings.def", findings_def_problems(schema))

    if not files:
        for d, _, names in sorted(os.walk("tests/expected")):
            files += [os.path.join(d, n) for n in sorted(names)]
    for f in files:
        label = os.path.relpath(f) if f.startswith(ROOT) else f
        if f.endswith(".ndjson"):
            ck.result(label, ck.ndjson(open(f, encoding="utf-8").read()))
        elif f.endswith(".json") or a.files:
            ck.result(label, ck.document(open(f, encoding="utf-8").read()))
        # else: a text golden (tests/expected/text/), not JSON

    if binary:
        cases = testlist()
        names = (sorted(cases) if a.all else FRESH) + sorted(EXTRA)
        cases.update(EXTRA)
        n_stats = 0
        for name in names:
            if name not in cases:
                ck.result("fresh " + name, [("", "not in tests/TESTLIST")])
                continue
            pcap, opts = cases[name]
            for fmt in ("json", "ndjson"):
                cmd = [binary, "-q", "-r", pcap, "--format", fmt, "--stats", "1"] + opts
                label = "%s (%s)" % (name, " ".join(shlex.quote(c) for c in cmd[1:]))
                rc, out, err, bad = run(cmd)
                if rc != 0 or bad:
                    said = [l for l in err.splitlines() if l and not l.startswith("{")]
                    ck.result(label, [("", bad or "exit status %d: %s"
                                       % (rc, said[0][:300] if said else "(nothing on stderr)"))])
                    continue
                if fmt == "json":
                    problems, n = ck.stats_lines(err)
                    ck.result(label, ck.document(out) + problems)
                else:
                    ck.result(label, ck.ndjson(out))
                    n = ck.types.count("stats")
                n_stats += n
        # --stats 1 must have written stats lines, or they went unchecked
        ck.result("stats lines", [] if n_stats else
                  [("", "no stats line in any --stats 1 run")])

    print("schema: %d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
