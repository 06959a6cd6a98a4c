#!/usr/bin/env python3
"""dnsrelay.py - the lab's "slow resolver": a UDP DNS relay in front of
dnsmasq that delays or drops answers by rule.

    dnsrelay.py --listen 198.51.100.53 --upstream 127.0.0.1:5353 \
        --rule 'PTR 20.2.0.192.in-addr.arpa delay 4' \
        --rule 'PTR *.in-addr.arpa drop' --log relay.log --ready FILE
    dnsrelay.py --listen 2001:db8:53::53 --upstream '[::1]:5354' \
        --rule 'PTR 0.2.0.0.*.ip6.arpa delay 4'

The kernel of the lab machine has no netem qdisc, so the DNS faults of the
scenarios are made here.  Every query that reaches --listen is matched
against the rules in order (first match wins):

    QTYPE NAME-GLOB [from ASKER-IP] delay SECONDS   answer SECONDS after the query
    QTYPE NAME-GLOB [from ASKER-IP] drop            never answer
    (QTYPE may be '*'; NAME-GLOB is an fnmatch pattern, case-insensitive)

Queries without a matching rule are answered as soon as dnsmasq answers.
--listen and --upstream may be IPv4 or IPv6 addresses (the upstream as
HOST:PORT, an IPv6 one as [ADDR]:PORT); the socket families follow them.
The relay behaves like a recursive resolver waiting on a slow upstream: a
retransmission of a query it is still working on (same asker address, port
and DNS id) is absorbed, so each query gets at most one answer, sent at
query time + delay.  Answers leave from the listening socket (source port 53).

Python 3 standard library only.
"""

import argparse
import fnmatch
import os
import socket
import struct
import sys
import threading
import time


def parse_question(msg):
    """(qname, qtype name) of a DNS message, or (None, None)."""
    if len(msg) < 12:
        return None, None
    qd = struct.unpack("!H", msg[4:6])[0]
    if qd < 1:
        return None, None
    labels, i = [], 12
    while i < len(msg):
        n = msg[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0:
            return None, None
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(msg):
        return None, None
    qtype = struct.unpack("!H", msg[i:i + 2])[0]
    names = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
             16: "TXT", 28: "AAAA", 33: "SRV", 255: "ANY"}
    return ".".join(labels).lower(), names.get(qtype, str(qtype))


class Rule:
    def __init__(self, text):
        w = text.split()
        if len(w) < 3:
            raise ValueError("rule %r: QTYPE NAME [from IP] delay S | drop" % text)
        self.text = text
        self.qtype, self.glob = w[0].upper(), w[1].lower()
        w = w[2:]
        self.asker = None
        if w[0] == "from":
            self.asker, w = w[1], w[2:]
        if w[0] == "drop" and len(w) == 1:
            self.action, self.delay = "drop", None
        elif w[0] == "delay" and len(w) == 2:
            self.action, self.delay = "delay", float(w[1])
        else:
            raise ValueError("rule %r: action must be 'delay S' or 'drop'" % text)

    def matches(self, qname, qtype, asker):
        return ((self.qtype == "*" or self.qtype == qtype)
                and fnmatch.fnmatchcase(qname, self.glob)
                and (self.asker is None or self.asker == asker))


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def parse_hostport(text):
    """'1.2.3.4:53' or '[::1]:53' -> (host, port)"""
    host, port = text.rsplit(":", 1)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


class Relay:
    def __init__(self, args):
        self.rules = [Rule(r) for r in args.rule]
        self.upstream = parse_hostport(args.upstream)
        self.sock = socket.socket(family(args.listen), socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((args.listen, args.port))
        self.pending = set()        # (asker ip, port, id) being worked on
        self.lock = threading.Lock()
        self.logf = open(args.log, "a", buffering=1) if args.log else sys.stderr
        self.t0 = time.monotonic()

    def log(self, fmt, *a):
        with self.lock:
            self.logf.write("%9.3f %s\n" % (time.monotonic() - self.t0, fmt % a))

    def serve(self):
        while True:
            msg, peer = self.sock.recvfrom(4096)
            t_query = time.monotonic()
            if len(msg) < 12 or msg[2] & 0x80:      # not a query
                continue
            qname, qtype = parse_question(msg)
            qid = struct.unpack("!H", msg[:2])[0]
            key = (peer[0], peer[1], qid)
            rule = next((r for r in self.rules
                         if qname is not None and r.matches(qname, qtype, peer[0])),
                        None)
            what = "%s %s id %d from %s:%d" % (
                qtype, qname, qid,
                "[%s]" % peer[0] if ":" in peer[0] else peer[0], peer[1])
            if rule and rule.action == "drop":
                self.log("drop     %s  [%s]", what, rule.text)
                continue
            with self.lock:
                if key in self.pending:
                    dup = True
                else:
                    dup = False
                    self.pending.add(key)
            if dup:
                self.log("absorb   %s (retransmission of a pending query)", what)
                continue
            delay = rule.delay if rule else 0.0
            self.log("query    %s  delay %.3f%s", what, delay,
                     "  [%s]" % rule.text if rule else "")
            threading.Thread(target=self.answer, daemon=True,
                             args=(msg, peer, key, t_query, delay, what)).start()

    def answer(self, msg, peer, key, t_query, delay, what):
        try:
            up = socket.socket(family(self.upstream[0]), socket.SOCK_DGRAM)
            up.settimeout(3.0)
            up.sendto(msg, self.upstream)
            resp, _ = up.recvfrom(65535)
            up.close()
        except OSError as e:
            self.log("upstream %s: %s", what, e)
            with self.lock:
                self.pending.discard(key)
            return
        wait = t_query + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        with self.lock:
            self.pending.discard(key)
        self.sock.sendto(resp, peer)
        self.log("answer   %s after %.3f s", what, time.monotonic() - t_query)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--upstream", default="127.0.0.1:5353")
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--log")
    ap.add_argument("--ready", help="file created once the socket is bound")
    args = ap.parse_args()
    relay = Relay(args)
    relay.log("listening on %s port %d, upstream %s port %d, rules: %s", args.listen,
              args.port, relay.upstream[0], relay.upstream[1],
              "; ".join(r.text for r in relay.rules) or "none")
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    try:
        relay.serve()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
