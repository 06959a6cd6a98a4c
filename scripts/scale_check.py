#!/usr/bin/env python3
"""scale_check.py - correctness at scale (issue 8, item 7): one busy site,
20,000 SMTP sessions served by one resolver, every session of mxray's report
checked against what the generator did.  Results only, never time.

    python3 scripts/scale_check.py                     # as `make check` runs it
    python3 scripts/scale_check.py --mxray build/x/mxray --save /tmp/r.ndjson
    python3 scripts/scale_check.py --report /tmp/r.ndjson   # a saved report
    python3 scripts/scale_check.py --teeth             # prove the checks bite

Options:
  --mxray PATH     binary under test (default ./mxray at the repo root)
  --out DIR        the capture's cache (default /tmp/mxray-scale): the
                   capture, its .meta.json and .truth.tsv.gz, reused while
                   they match the knobs and the generator's source
                   (benchgen.py, benchwire.py, gen_samples.py)
  --sessions N     SMTP sessions (default 20000; fewer only for quick runs)
  --jobs N         generator processes (the capture does not depend on it)
  --report FILE    check this saved ndjson instead of running mxray
  --save FILE      also write the ndjson mxray printed to FILE
  --timeout S      kill mxray after S seconds, a failure (default 300)
  --teeth          run mxray once, then check three doctored copies of its
                   report (one banner delay +2 us, one session dropped, one
                   PTR tie moved to another session): exit 0 only if the
                   true report passes and each doctored one fails in exactly
                   the groups that own the damage (banner; sessions and the
                   findings totals, the dropped session being a slow_ptr
                   one; ptr_of_client).  By hand, not in make test

The capture: scripts/benchgen.py --sessions 20000 --body 200-1500
--noise 0.02, every other knob its default: 16 MX hosts, one site resolver
198.51.100.53, 940 sessions/s (~2,000 open at once, ~21 s of traffic),
30 % of the clients looking up MX and A first, 9 non-mail flows (TLS, QUIC,
syslog) that must not show up.  ~65 MB, ~510,000 packets, ~51,000 DNS
transactions; deterministic (SHAKE-256 per session).  mxray runs once:
`mxray -q -r CAPTURE --format ndjson`, its stdout parsed line by line as it
comes (one session object at a time; what is kept is the truth and a set of
the ids and DNS keys seen).

The rules (what the report must say, derived from the generator's truth and
docstring and from README.md / ../shared/SPEC.md, never from mxray's output;
mxray runs with its default thresholds: --slow-banner 2, --slow-dns 1):

  truth       the truth file has one row per session, n = 1..N, and agrees
              with the .meta.json (sessions, variants, client lookups, DNS
              transactions = 2 per session with a banner + 2 per client
              that looked the site up, SMTP packets)
  run         mxray exits 0; every line is JSON of type session, dns or
              summary; one summary, the last line
  sessions    as many session lines as truth rows; id S<n> for truth row n,
              each once; client and server ip:port as in the truth
  times       start = syn_us, handshake.ack = ack_us, end = end_us (within
              1 us); close "fin" and the first FIN event from the truth's
              closer (both sides FIN in every variant)
  banner      a banner iff banner = 1; then code 220, text "<mx> ESMTP
              Postfix", delay_s = banner_delay_us / 1e6 within 1 us
  ptr_of_client   iff banner = 1 (the MX host asks PTR between handshake
              and banner; no_banner sessions ask nothing): exactly one tie,
              qname ptr_qname, PTR, id ptr_id, asker server ip:ptr_port,
              resolver 198.51.100.53:53, udp, retransmissions =
              ptr_resends, NOERROR, answers [a_qname], rtt_s = ptr_rtt_us
              / 1e6 within 1 us; else none
  a_of_ptr_name   iff banner = 1: exactly one, qname a_qname, A, id a_id,
              asker server ip:a_port, no retransmission, NOERROR, answers
              [client ip]; else none
  mx_of_domain    iff client_dns = 1 (any variant, no_banner included):
              exactly one, qname example.org, MX, id mx_id, asker client
              ip:mx_port, NOERROR, one answer per MX host; else none
  a_of_mx     iff client_dns = 1: exactly one, qname the MX host's name, A,
              id amx_id, asker client ip:amx_port, answers [server ip]
  other ties  no tie of any other relation in any session ("other",
              dnsbl_of_client, sender_domain ...): the site asks nothing else;
              the lookups of the ~125 sessions open at once on the same MX
              host belong to those sessions, not to this one
  smtp        banner = 1: helo = a_qname (EHLO names the PTR name), one MAIL
              FROM, rcpts RCPT TO, one data_end event of msg_bytes bytes;
              banner = 0: no helo, no envelope, no data_end
  delivery    iff client_dns = 1 (README: a group needs the sender's MX
              lookup): domain example.org, attempt 1, tried = this session
              alone, its host and ip, outcome delivered (no_banner:
              no_banner); a client address never comes back below 130,048
              sessions, so no group has a second attempt
  findings    per session exactly these (code, severity), nothing else:
                banner.slow warning   iff banner = 1 and banner_delay_us >
                                      2 s; duration_s = the delay; its cause
                                      lists the PTR (ptr_of_client) and the A
                                      (a_of_ptr_name) lookups, both of which
                                      lie inside the wait by construction
                dns.slow warning      iff ptr_rtt_us > 1 s (the PTR is the
                                      only lookup that can be slow: the A of
                                      the PTR name takes <= 25 ms, the
                                      client's MX and A <= 30 ms);
                                      duration_s = ptr_rtt_us
                banner.missing error  iff banner = 0 (handshake completed, no
                                      greeting until the client's FIN)
                client.gave_up error  iff banner = 0 (the client's FIN came
                                      before any greeting)
              in practice slow_ptr -> banner.slow + dns.slow, no_banner ->
              banner.missing + client.gave_up, normal / pipelining ->
              nothing.  Never banner.cut (every session ends before the
              capture does), tcp.* (every SYN answered), stall.* (every
              command answered), server.slow_replies / smtp.slow_reply
              (replies in 0.08-3 ms), smtp.reply_error (2xx/3xx only),
              dns.timeout / dns.error (all answered NOERROR), mx.* (one
              attempt per group), banner.masked.  Totals per code over the
              sessions equal the totals of these rules
  dns lines   every "type": "dns" line is a lookup of the truth (asker ip,
              port, id, qname, qtype), seen once, with its session's
              relation and retransmissions; none missing
  summary     sessions, dns_transactions = the truth's; findings per code =
              the rules' totals (every other code 0); thresholds 2 / 1;
              evicted, capture_gaps and not_analysed all 0; one input with
              the meta's packets and bytes (record headers excluded)

Prints one line per group (ok / FAIL, with counts), under a FAIL the first
10 mismatches with session ids, and "scale_check: P passed, F failed" at
the end (as scripts/lib.sh).  Exit status 0 when every group passes, 1 when
one fails, 2 on a usage error.  Python 3 standard library only.
"""

import argparse
import collections
import contextlib
import gzip
import json
import os
import sys
import tempfile
import time

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
sys.path.insert(0, SCRIPTS_DIR)
import benchgen  # noqa: E402
from measure import run_measured  # noqa: E402

SESSIONS = 20_000
BODY = "200-1500"
NOISE = 0.02
RESOLVER = {"ip": "198.51.100.53", "port": 53}
SLOW_BANNER_US = 2_000_000          # mxray's default --slow-banner
SLOW_DNS_US = 1_000_000             # mxray's default --slow-dns
SHOW = 10                           # mismatches printed per group
INT_COLUMNS = set(("n syn_us ack_us banner banner_delay_us ptr_id ptr_port ptr_resends "
                   "ptr_rtt_us a_id a_port client_dns mx_id mx_port amx_id amx_port "
                   "rcpts msg_bytes end_us packets").split())
GROUPS = ("truth", "run", "sessions", "times", "banner", "ptr_of_client",
          "a_of_ptr_name", "mx_of_domain", "a_of_mx", "other ties", "smtp",
          "delivery", "findings", "dns lines", "summary")
SERVER_RELS = ("ptr_of_client", "a_of_ptr_name")
CLIENT_RELS = ("mx_of_domain", "a_of_mx")
ALL_CODES = ("tcp.no_answer", "tcp.refused", "banner.missing", "banner.slow",
             "banner.masked", "client.gave_up", "dns.slow", "dns.timeout", "dns.error",
             "stall.data", "stall.xexch50", "stall.command", "server.slow_replies",
             "mx.no_failover", "mx.failover", "smtp.reply_error", "smtp.slow_reply",
             "banner.cut")

Row = collections.namedtuple("Row", benchgen.TRUTH_COLUMNS)


# ---------------------------------------------------------------------------
# The truth and what it implies
# ---------------------------------------------------------------------------

def load_truth(path):
    """The truth rows, as Row tuples (ints where numeric, None when empty)."""
    rows = []
    with gzip.open(path, "rt") as f:
        head = f.readline().rstrip("\n").split("\t")
        if tuple(head) != tuple(benchgen.TRUTH_COLUMNS):
            raise ValueError("%s: columns %s, expected %s" % (
                path, " ".join(head), " ".join(benchgen.TRUTH_COLUMNS)))
        for line in f:
            cols = line.rstrip("\n").split("\t")
            rows.append(Row(*(None if v == "" else int(v) if c in INT_COLUMNS else v
                              for c, v in zip(head, cols))))
    return rows


def split_ep(text):
    ip, port = text.rsplit(":", 1)
    return {"ip": ip, "port": int(port)}


def expected_ties(r):
    """{relation: the DNS fields the tie must carry} for truth row r."""
    cli, srv = split_ep(r.client), split_ep(r.server)
    out = {}
    if r.banner == 1:
        out["ptr_of_client"] = {
            "qname": r.ptr_qname, "qtype": "PTR", "id": r.ptr_id,
            "asker": {"ip": srv["ip"], "port": r.ptr_port}, "resolver": RESOLVER,
            "transport": "udp", "retransmissions": r.ptr_resends, "rcode": "NOERROR",
            "answers": [r.a_qname], "rtt_us": r.ptr_rtt_us}
        out["a_of_ptr_name"] = {
            "qname": r.a_qname, "qtype": "A", "id": r.a_id,
            "asker": {"ip": srv["ip"], "port": r.a_port}, "resolver": RESOLVER,
            "transport": "udp", "retransmissions": 0, "rcode": "NOERROR",
            "answers": [cli["ip"]]}
    if r.client_dns == 1:
        out["mx_of_domain"] = {
            "qname": "example.org", "qtype": "MX", "id": r.mx_id,
            "asker": {"ip": cli["ip"], "port": r.mx_port}, "resolver": RESOLVER,
            "transport": "udp", "retransmissions": 0, "rcode": "NOERROR",
            "n_answers": None}  # marks it: its answers are counted against the
                                # meta's mx_hosts (one per MX host)
        out["a_of_mx"] = {
            "qname": r.mx, "qtype": "A", "id": r.amx_id,
            "asker": {"ip": cli["ip"], "port": r.amx_port}, "resolver": RESOLVER,
            "transport": "udp", "retransmissions": 0, "rcode": "NOERROR",
            "answers": [srv["ip"]]}
    return out


def expected_findings(r):
    """Sorted [(code, severity)] the rules give truth row r."""
    out = []
    if r.banner == 1 and r.banner_delay_us > SLOW_BANNER_US:
        out.append(("banner.slow", "warning"))
    if r.banner == 1 and r.ptr_rtt_us > SLOW_DNS_US:
        out.append(("dns.slow", "warning"))
    if r.banner == 0:
        out.append(("banner.missing", "error"))
        out.append(("client.gave_up", "error"))
    return sorted(out)


def dns_key(d):
    a = d.get("asker") or {}
    return (a.get("ip"), a.get("port"), d.get("id"), d.get("qname"), d.get("qtype"))


# ---------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------

class Group:
    """One check group: n checked, the sessions found wrong (bad), mismatches
    not about one session (other: counts, totals), the first SHOW messages."""
    __slots__ = ("name", "n", "bad", "other", "shown", "note")

    def __init__(self, name):
        self.name, self.n, self.bad, self.other, self.shown, self.note = \
            name, 0, set(), 0, [], ""


class Checker:
    """Consumes the report's lines one by one (feed), then finish()."""

    def __init__(self, rows, meta):
        self.rows = rows
        self.meta = meta
        self.mx_hosts = meta["knobs"]["mx_hosts"]
        self.g = {name: Group(name) for name in GROUPS}
        self.seen = set()               # session ids seen
        self.dns_seen = set()
        self.lookups = {}               # dns key -> (n, relation, retransmissions)
        self.codes = collections.Counter()        # over the session lines
        self.want_codes = collections.Counter()   # over the truth
        self.summary = None
        self.summaries = 0
        self.lines = 0
        self.after_summary = 0
        self.types = collections.Counter()
        self._truth()

    def fail(self, group, sid, msg):
        g = self.g[group]
        if sid:
            g.bad.add(sid)
        else:
            g.other += 1
        if len(g.shown) < SHOW:
            g.shown.append("%s: %s" % (sid, msg) if sid else msg)

    # -- what the checks below rely on ------------------------------------
    # (the truth and the meta come from the same generator run: only what
    # this script derives from the truth is checked against the meta)

    def _truth(self):
        g, m = self.g["truth"], self.meta
        variants = collections.Counter()
        dns_tx = 0
        for k, r in enumerate(self.rows, 1):
            g.n += 1
            if r.n != k:
                self.fail("truth", None, "row %d: n = %s" % (k, r.n))
            variants[r.variant] += 1
            for rel, e in expected_ties(r).items():
                dns_tx += 1
                key = dns_key(e)
                if key in self.lookups:
                    self.fail("truth", "S%d" % r.n, "DNS key %s also in S%d" % (
                        key, self.lookups[key][0]))
                self.lookups[key] = (r.n, rel, e["retransmissions"])
            self.want_codes.update(c for c, _ in expected_findings(r))
        if dns_tx != m["dns_transactions"]:
            self.fail("truth", None, "the rules expect %d DNS transactions, the "
                      "generator made %d" % (dns_tx, m["dns_transactions"]))
        g.note = ("%d sessions %s numbered in order; %d DNS transactions expected "
                  "by the rules, each key once" % (
                      len(self.rows), json.dumps(dict(sorted(variants.items()))), dns_tx))

    # -- the report ---------------------------------------------------------

    def feed(self, line):
        self.lines += 1
        if self.summaries:
            self.after_summary += 1
        try:
            o = json.loads(line)
        except ValueError as e:
            self.fail("run", None, "line %d: not JSON: %s" % (self.lines, e))
            return
        t = o.get("type") if isinstance(o, dict) else None
        self.types[t] += 1
        if t == "session":
            self.session(o)
        elif t == "dns":
            self.dns_line(o)
        elif t == "summary":
            self.summaries += 1
            self.summary = o
        else:
            self.fail("run", None, "line %d: type %r" % (self.lines, t))

    def session(self, o):
        sid = o.get("id")
        g = self.g["sessions"]
        g.n += 1
        n = int(sid[1:]) if isinstance(sid, str) and sid[1:].isdigit() and sid[0] == "S" else 0
        if not 1 <= n <= len(self.rows):
            self.fail("sessions", sid, "no such session in the truth (%s -> %s)" % (
                o.get("client"), o.get("server")))
            return
        if sid in self.seen:
            self.fail("sessions", sid, "reported twice")
            return
        self.seen.add(sid)
        r = self.rows[n - 1]
        cli, srv = split_ep(r.client), split_ep(r.server)
        if o.get("client") != cli or o.get("server") != srv:
            self.fail("sessions", sid, "%s -> %s, truth %s -> %s" % (
                ep(o.get("client")), ep(o.get("server")), r.client, r.server))
        self.times(sid, r, o)
        self.banner(sid, r, o)
        self.ties(sid, r, o)
        self.smtp(sid, r, o)
        self.delivery(sid, r, o)
        self.findings(sid, r, o)

    def times(self, sid, r, o):
        self.g["times"].n += 1
        hs = o.get("handshake") or {}
        for what, got, want in (("start", o.get("start"), r.syn_us),
                                ("handshake.ack", hs.get("ack"), r.ack_us),
                                ("end", o.get("end"), r.end_us)):
            if not near(got, want):
                self.fail("times", sid, "%s %s, truth %s" % (what, got, us(want)))
        if o.get("close") != "fin":
            self.fail("times", sid, "close %r, truth fin (by the %s)" % (
                o.get("close"), r.closer))
        fins = [e.get("actor") for e in o.get("timeline") or () if e.get("kind") == "fin"]
        if not fins or fins[0] != r.closer:
            self.fail("times", sid, "first FIN by %s, truth %s" % (
                fins[0] if fins else "nobody", r.closer))

    def banner(self, sid, r, o):
        self.g["banner"].n += 1
        b = o.get("banner")
        if r.banner == 0:
            if b is not None:
                self.fail("banner", sid, "banner %s, truth none (no_banner)" % json.dumps(b))
            return
        if not isinstance(b, dict):
            self.fail("banner", sid, "no banner, truth one after %s s" % us(r.banner_delay_us))
            return
        if not near(b.get("delay_s"), r.banner_delay_us):
            self.fail("banner", sid, "delay_s %s, truth %s" % (
                b.get("delay_s"), us(r.banner_delay_us)))
        text = "%s ESMTP Postfix" % r.mx
        if b.get("code") != 220 or b.get("text") != text:
            self.fail("banner", sid, "%s %r, truth 220 %r" % (
                b.get("code"), b.get("text"), text))

    def ties(self, sid, r, o):
        want = expected_ties(r)
        got = collections.defaultdict(list)
        for d in o.get("dns") or ():
            got[d.get("relation")].append(d)
        for rel in SERVER_RELS + CLIENT_RELS:
            self.g[rel].n += 1
            ds, e = got.pop(rel, []), want.get(rel)
            if e is None:
                if ds:
                    self.fail(rel, sid, "%d tie(s) (%s), truth none (%s%s)" % (
                        len(ds), ", ".join(brief(d) for d in ds), r.variant,
                        "" if rel in SERVER_RELS else ", no client lookups"))
                continue
            if len(ds) != 1:
                self.fail(rel, sid, "%d ties (%s), truth one: %s %s id %d from %s:%d" % (
                    len(ds), ", ".join(brief(d) for d in ds) or "none", e["qtype"],
                    e["qname"], e["id"], e["asker"]["ip"], e["asker"]["port"]))
                continue
            d = ds[0]
            bad = [k for k in ("qname", "qtype", "id", "asker", "resolver", "transport",
                               "retransmissions", "rcode", "answers")
                   if k in e and d.get(k) != e[k]]
            if "rtt_us" in e and not near(d.get("rtt_s"), e["rtt_us"]):
                bad.append("rtt_s")
            if "n_answers" in e and len(d.get("answers") or ()) != self.mx_hosts:
                bad.append("answers")
            if bad:
                self.fail(rel, sid, "; ".join("%s %s, truth %s" % (
                    k, json.dumps(d.get(k)), self.want_text(e, k)) for k in bad))
        self.g["other ties"].n += 1
        for rel, ds in sorted(got.items(), key=lambda kv: str(kv[0])):
            self.fail("other ties", sid, "%d %r tie(s): %s" % (
                len(ds), rel, ", ".join(brief(d) for d in ds)))

    def want_text(self, e, k):
        if k == "rtt_s":
            return us(e["rtt_us"])
        if k == "answers" and "n_answers" in e:
            return "%d answers" % self.mx_hosts
        return json.dumps(e[k])

    def smtp(self, sid, r, o):
        self.g["smtp"].n += 1
        ends = [e.get("bytes") for e in o.get("timeline") or () if e.get("kind") == "data_end"]
        got = (o.get("helo"), len(o.get("mail_from") or ()), len(o.get("rcpt_to") or ()), ends)
        want = ((r.a_qname, 1, r.rcpts, [r.msg_bytes]) if r.banner == 1 else
                (None, 0, 0, []))
        if got != want:
            self.fail("smtp", sid, "helo %r, %d MAIL FROM, %d RCPT TO, data_end bytes %s; "
                      "truth %r, %d, %d, %s" % (got + want))

    def delivery(self, sid, r, o):
        self.g["delivery"].n += 1
        dv = o.get("delivery")
        if r.client_dns == 0:
            if dv is not None:
                self.fail("delivery", sid, "group %s, truth none (no client lookups)"
                          % dv.get("group"))
            return
        if not isinstance(dv, dict):
            self.fail("delivery", sid, "no delivery group, truth the client looked up MX")
            return
        outcome = "delivered" if r.banner == 1 else "no_banner"
        tried = [(t.get("session"), t.get("host"), t.get("ip"), t.get("outcome"))
                 for t in dv.get("tried") or ()]
        want = [(sid, r.mx, split_ep(r.server)["ip"], outcome)]
        if dv.get("domain") != "example.org" or dv.get("attempt") != 1 or tried != want:
            self.fail("delivery", sid, "domain %r attempt %r tried %s; truth example.org, "
                      "1, %s" % (dv.get("domain"), dv.get("attempt"), tried, want))

    def findings(self, sid, r, o):
        self.g["findings"].n += 1
        fs = o.get("findings") or []
        got = sorted((f.get("code"), f.get("severity")) for f in fs)
        self.codes.update(c for c, _ in got)
        want = expected_findings(r)
        if got != want:
            self.fail("findings", sid, "%s, truth %s (%s)" % (
                codes_text(got), codes_text(want), r.variant))
            return
        for f in fs:
            if f["code"] == "banner.slow":
                if not near(f.get("duration_s"), r.banner_delay_us):
                    self.fail("findings", sid, "banner.slow duration_s %s, truth %s" % (
                        f.get("duration_s"), us(r.banner_delay_us)))
                looks = sorted((x.get("relation"), x.get("qtype"), x.get("qname"))
                               for x in (f.get("cause") or {}).get("lookups") or ())
                wl = [("a_of_ptr_name", "A", r.a_qname), ("ptr_of_client", "PTR", r.ptr_qname)]
                if looks != wl:
                    self.fail("findings", sid, "banner.slow cause %s, truth %s" % (looks, wl))
            elif f["code"] == "dns.slow" and not near(f.get("duration_s"), r.ptr_rtt_us):
                self.fail("findings", sid, "dns.slow duration_s %s, truth %s (the PTR)" % (
                    f.get("duration_s"), us(r.ptr_rtt_us)))

    def dns_line(self, d):
        g = self.g["dns lines"]
        g.n += 1
        key = dns_key(d)
        hit = self.lookups.get(key)
        if hit is None:
            self.fail("dns lines", None, "%s (%s): no such lookup in the truth" % (
                brief(d), d.get("relation")))
            return
        n, rel, resends = hit
        sid = "S%d" % n
        if key in self.dns_seen:
            self.fail("dns lines", sid, "%s reported twice" % brief(d))
            return
        self.dns_seen.add(key)
        if d.get("relation") != rel or d.get("retransmissions") != resends:
            self.fail("dns lines", sid, "%s: relation %s, %s retransmission(s); "
                      "truth %s, %d" % (brief(d), d.get("relation"),
                                        d.get("retransmissions"), rel, resends))

    # -- the end ------------------------------------------------------------

    def finish(self):
        rows = self.rows
        # run
        g = self.g["run"]
        g.n = self.lines
        if self.summaries != 1 or self.after_summary:
            self.fail("run", None, "%d summary line(s), %d line(s) after the first" % (
                self.summaries, self.after_summary))
        # sessions
        missing = [r.n for r in rows if "S%d" % r.n not in self.seen]
        for n in missing:
            r = rows[n - 1]
            self.fail("sessions", "S%d" % n, "missing (%s -> %s, %s)" % (
                r.client, r.server, r.variant))
        if self.types["session"] != len(rows):
            self.fail("sessions", None, "%d session lines, truth %d sessions" % (
                self.types["session"], len(rows)))
        self.g["sessions"].note = "%d session lines for %d truth sessions, %d present " \
            "once with equal endpoints" % (self.types["session"], len(rows), len(
                [1 for r in rows if "S%d" % r.n in self.seen
                 and "S%d" % r.n not in self.g["sessions"].bad]))
        # dns lines
        for key, (n, rel, _) in self.lookups.items():
            if key not in self.dns_seen:
                self.fail("dns lines", "S%d" % n, "missing: %s %s id %d from %s:%d (%s)" % (
                    key[4], key[3], key[2], key[0], key[1], rel))
        # findings totals over the session lines
        for c in sorted(set(self.codes) | set(self.want_codes)):
            if self.codes[c] != self.want_codes[c]:
                self.fail("findings", None, "total %s over the sessions %d, truth %d" % (
                    c, self.codes[c], self.want_codes[c]))
        self.summary_checks()
        self.notes()
        return self.report()

    def summary_checks(self):
        s, m, g = self.summary, self.meta, self.g["summary"]
        g.n = 1
        if s is None:
            self.fail("summary", None, "no summary line")
            return
        want = {"sessions": len(self.rows), "dns_transactions": m["dns_transactions"]}
        for k, v in want.items():
            if s.get(k) != v:
                self.fail("summary", None, "%s %s, truth %d" % (k, s.get(k), v))
        fs = s.get("findings") or {}
        for c in sorted(set(fs) | set(ALL_CODES) | set(self.want_codes)):
            if fs.get(c, 0) != self.want_codes[c]:
                self.fail("summary", None, "findings %s %s, truth %d" % (
                    c, fs.get(c), self.want_codes[c]))
        th = s.get("thresholds") or {}
        if th.get("slow_banner_s") != SLOW_BANNER_US / 1e6 or \
                th.get("slow_dns_s") != SLOW_DNS_US / 1e6:
            self.fail("summary", None, "thresholds %s, these rules assume slow_banner_s 2, "
                      "slow_dns_s 1" % json.dumps(th))
        for part in ("evicted", "capture_gaps", "not_analysed"):
            d = s.get(part)
            if not isinstance(d, dict) or any(v != 0 for v in d.values()):
                self.fail("summary", None, "%s %s, truth all 0" % (part, json.dumps(d)))
        ins = s.get("inputs") or []
        wbytes = m["bytes"] - 24 - 16 * m["packets"]
        if len(ins) != 1 or ins[0].get("packets") != m["packets"] or \
                ins[0].get("bytes") != wbytes:
            self.fail("summary", None, "inputs %s, truth one with %d packets, %d bytes" % (
                json.dumps([{k: i.get(k) for k in ("packets", "bytes")} for i in ins]),
                m["packets"], wbytes))

    def notes(self):
        rows, g = self.rows, self.g
        nb = sum(r.banner for r in rows)
        ncd = sum(r.client_dns for r in rows)
        n = len(rows)
        g["run"].note = "%d lines: %s" % (self.lines, ", ".join(
            "%d %s" % (v, k) for k, v in sorted(self.types.items(), key=str)))
        g["times"].note = "%d sessions: start, handshake ACK, end within 1 us; closed by fin" \
            % g["times"].n
        g["banner"].note = "%d sessions, %d with a banner (delay within 1 us), %d without" % (
            g["banner"].n, nb, n - nb)
        for rel in SERVER_RELS:
            g[rel].note = "%d sessions: one each in the %d with a banner, none in the %d " \
                "without" % (g[rel].n, nb, n - nb)
        for rel in CLIENT_RELS:
            g[rel].note = "%d sessions: one each in the %d with client lookups, none in " \
                "the %d others" % (g[rel].n, ncd, n - ncd)
        g["other ties"].note = "%d sessions: no tie of any other relation" % g["other ties"].n
        g["smtp"].note = "%d sessions: helo, MAIL FROM, RCPT TO count, data_end bytes" \
            % g["smtp"].n
        g["delivery"].note = "%d sessions: a one-attempt group in the %d with client " \
            "lookups, none elsewhere" % (g["delivery"].n, ncd)
        g["findings"].note = "%d sessions, totals %s" % (g["findings"].n, json.dumps(
            dict(sorted(self.want_codes.items()))))
        g["dns lines"].note = "%d dns lines for %d truth lookups, each once, relation " \
            "right" % (g["dns lines"].n, len(self.lookups))
        g["summary"].note = "sessions, dns_transactions, findings, thresholds, evicted / " \
            "capture_gaps / not_analysed 0, inputs"

    def report(self):
        """Print the groups; returns the names of those that failed."""
        failed = []
        for name in GROUPS:
            g = self.g[name]
            if g.bad or g.other:
                failed.append(name)
                print("FAIL %-14s %s (%s):" % (name, ", ".join(x for x in (
                    "%d session(s) wrong" % len(g.bad) if g.bad else "",
                    "%d other mismatch(es)" % g.other if g.other else "") if x),
                    g.note or "-"))
                for line in g.shown:
                    print("       " + line)
                if len(g.bad) + g.other > len(g.shown):
                    print("       ... (%d more)" % (len(g.bad) + g.other - len(g.shown)))
            else:
                print("ok   %-14s %s" % (name, g.note))
        return failed


def near(t, want_us):
    """t (seconds, a JSON number) within 1 us of want_us (integer us)."""
    return (isinstance(t, (int, float)) and not isinstance(t, bool)
            and want_us is not None and abs(t * 1e6 - want_us) <= 1.001)


def us(v):
    return "%d.%06d" % divmod(v, 1_000_000) if v is not None else "none"


def ep(e):
    return "%s:%s" % (e.get("ip"), e.get("port")) if isinstance(e, dict) else repr(e)


def brief(d):
    return "%s %s id %s from %s" % (d.get("qtype"), d.get("qname"), d.get("id"),
                                    ep(d.get("asker")))


def codes_text(cs):
    return "[" + ", ".join("%s %s" % c for c in cs) + "]" if cs else "none"


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def run_mxray(mxray, pcap, timeout, feed, save=None):
    """mxray -q -r pcap --format ndjson, each stdout line to feed as it comes
    (measure.run_measured); returns (exit status, killed by the timeout,
    stderr text, seconds)."""
    def consume(pipe):
        with open(save, "w") if save else contextlib.nullcontext() as out:
            for raw in pipe:
                line = raw.decode("utf-8", "replace")
                if out:
                    out.write(line)
                feed(line)

    res = run_measured([mxray, "-q", "-r", pcap, "--format", "ndjson"], timeout,
                       consume)
    return res["status"], res["hung"], res["stderr"], res["wall"]


def check_lines(rows, meta, lines):
    """Check a saved report's lines; returns the names of the failed groups."""
    c = Checker(rows, meta)
    for line in lines:
        c.feed(line)
    return c.finish()


def main(argv):
    ap = argparse.ArgumentParser(
        description="Check mxray on 20,000 generated SMTP sessions against the "
        "generator's truth.", epilog="See the docstring of scripts/scale_check.py.")
    ap.add_argument("--mxray", default=os.path.join(REPO_ROOT, "mxray"))
    ap.add_argument("--out", default="/tmp/mxray-scale")
    ap.add_argument("--sessions", type=int, default=SESSIONS)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--report", default=None)
    ap.add_argument("--save", default=None)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--teeth", action="store_true")
    a = ap.parse_args(argv[1:])
    if a.sessions < 1 or a.timeout <= 0 or (a.report and (a.save or a.teeth)):
        ap.error("--sessions >= 1, --timeout > 0; --report goes without --save, --teeth")
    mxray = os.path.abspath(a.mxray)
    if not a.report and not os.access(mxray, os.X_OK):
        print("scale_check: %s: not found or not executable (run make first)" % mxray,
              file=sys.stderr)
        return 2

    knobs = benchgen.knobs_from(argparse.Namespace(
        rate=benchgen.DEFAULTS["rate"], in_flight=None,
        mx_hosts=benchgen.DEFAULTS["mx_hosts"], client_dns=benchgen.DEFAULTS["client_dns"],
        body=BODY, noise=NOISE), sessions=a.sessions)
    t0 = time.perf_counter()
    pcap, meta = benchgen.ensure_capture(a.out, knobs, max(1, a.jobs),
                                         say=lambda s: print("scale_check: " + s))
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = load_truth(pcap[:-len(".pcap")] + ".truth.tsv.gz")
    print("scale_check: %s: %d sessions, %d packets, %.1f MB, %d DNS transactions "
          "(capture ready in %.1f s, truth read in %.1f s)" % (
              pcap, meta["sessions"], meta["packets"], meta["bytes"] / 1e6,
              meta["dns_transactions"], t_gen, time.perf_counter() - t0), flush=True)

    if a.teeth:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "report.ndjson")
            run = run_mxray(mxray, pcap, a.timeout, lambda line: None, save=path)
            if run[0] != 0 or run[1]:
                print("scale_check: mxray failed (%s): %s" % (run[0], run[2].strip()))
                return 1
            import scale_teeth  # noqa: E402 (only when asked)
            return scale_teeth.teeth(rows, meta, path)

    if a.report:
        t0 = time.perf_counter()
        with open(a.report) as f:
            failed = check_lines(rows, meta, f)
        print("scale_check: checked %s in %.1f s" % (a.report, time.perf_counter() - t0))
    else:
        c = Checker(rows, meta)
        run = run_mxray(mxray, pcap, a.timeout, c.feed, a.save)
        rc, hung, err, secs = run
        if hung or rc != 0:
            c.fail("run", None, "mxray %s%s" % (
                "killed after %g s" % a.timeout if hung else "exit status %d" % rc,
                ": " + err.strip().splitlines()[-1] if err.strip() else ""))
        print("scale_check: mxray -q -r CAPTURE --format ndjson: exit %d, %.1f s "
              "(checked while it ran)" % (rc, secs), flush=True)
        failed = c.finish()
    print("scale_check: %d passed, %d failed" % (len(GROUPS) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
