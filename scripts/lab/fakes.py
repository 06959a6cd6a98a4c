#!/usr/bin/env python3
"""fakes.py - the lab's small fake SMTP peers, for the behaviours no real
software at hand shows on demand.  Python 3 standard library only; every
byte they send is fixed, so their side of a capture is deterministic.

    fakes.py silent-server     --listen 203.0.113.25
        completes the TCP handshake (the kernel does) and never greets: a
        hung MTA, or a firewall that accepts for a dead host (seed 004).
    fakes.py data-stall-server --listen 203.0.113.25
        a normal ESMTP dialogue until the end-of-data dot, then silence: a
        content scanner that hangs (no 250 after the dot).
    fakes.py xexch50-server    --listen 203.0.113.25
        an Exchange 2003-like receiver that advertises XEXCH50, answers
        "354 Send binary data" and never acknowledges the blob (seed 003).
    fakes.py exchange-sender   --resolver 198.51.100.53 --mode xexch50
        an Exchange-like sender: MX and A lookups, EHLO, MAIL, RCPT,
        XEXCH50 1124 2, the 1124-byte blob, then it waits --ack-timeout
        seconds for the acknowledgement and drops the connection.
    fakes.py exchange-sender   --resolver 198.51.100.53 --mode retry-same-mx
        the Exchange 5.5 IMS of seed 004: MX lookup, A lookup of the
        preferred host, connect, wait --banner-timeout for a greeting that
        never comes, close; then the same again (--attempts times,
        --pause seconds apart) instead of moving to the next MX host.
    fakes.py exchange-sender   --resolver 198.51.100.53 --mode helo-twice
        a sender that says EHLO twice, the second time without a name
        (refused with 501 by Postfix), then delivers one message as usual.
    fakes.py exchange-sender   --resolver 198.51.100.53 --mode body-early
        a sender that does not wait for the 354: EHLO, MAIL, RCPT, then
        DATA and the whole message in one write.  It reads whatever the
        server makes of that (354 and 250, or a refusal of DATA and one
        reply per line read as a command) and says QUIT.

Servers run until killed; each connection is closed when the client closes.
The sender exits 0 when it did what its mode describes, with one log line
per step on stderr.
"""

import argparse
import hashlib
import socket
import struct
import sys
import threading
import time

T0 = time.monotonic()


def log(fmt, *a):
    sys.stderr.write("%8.3f %s\n" % (time.monotonic() - T0, fmt % a))
    sys.stderr.flush()


# ---------------------------------------------------------------- servers

class Conn:
    """Line reader over a socket, keeping unread bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln.decode("latin-1")

    def until(self, marker):
        while marker not in self.buf:
            self.fill()
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, text):
        self.sock.sendall(text.encode("latin-1"))

    def drain(self):
        """Stay silent, read and discard until the peer closes."""
        self.buf = b""
        while True:
            self.fill()
            self.buf = b""


def serve(listen, port, handler):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((listen, port))
    ls.listen(16)
    log("%s listening on %s:%d", handler.__name__, listen, port)

    def run(sock, peer):
        c = Conn(sock)
        try:
            handler(c)
        except (EOFError, ConnectionError, OSError):
            pass
        finally:
            log("connection from %s:%d closed", peer[0], peer[1])
            sock.close()

    while True:
        sock, peer = ls.accept()
        log("connection from %s:%d", peer[0], peer[1])
        threading.Thread(target=run, args=(sock, peer), daemon=True).start()


def silent_server(c):
    c.drain()


def data_stall_server(c):
    c.send("220 mx1.example.org ESMTP\r\n")
    while True:
        ln = c.line()
        verb = ln.split(" ", 1)[0].upper()
        if verb == "EHLO":
            c.send("250-mx1.example.org\r\n250-PIPELINING\r\n"
                   "250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n"
                   "250 8BITMIME\r\n")
        elif verb == "HELO":
            c.send("250 mx1.example.org\r\n")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            c.send("250 2.1.0 Ok\r\n")
        elif verb == "DATA":
            c.send("354 End data with <CR><LF>.<CR><LF>\r\n")
            body = c.until(b"\r\n.\r\n")
            log("end of data after %d bytes: going silent", len(body))
            c.drain()
        elif verb == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return
        else:
            c.send("502 5.5.2 Error: command not recognized\r\n")


EXCHANGE_EHLO = [
    "mx1.example.org Hello [%s]", "TURN", "SIZE", "ETRN", "PIPELINING", "DSN",
    "ENHANCEDSTATUSCODES", "8bitmime", "BINARYMIME", "CHUNKING", "VRFY",
    "X-EXPS GSSAPI NTLM LOGIN", "X-EXPS=LOGIN", "AUTH GSSAPI NTLM LOGIN",
    "AUTH=LOGIN", "X-LINK2STATE", "XEXCH50", "OK"]


def xexch50_server(c):
    c.send("220 mx1.example.org Microsoft ESMTP MAIL Service, "
           "Version: 6.0.3790.3959 ready\r\n")
    while True:
        ln = c.line()
        w = ln.split()
        verb = w[0].upper() if w else ""
        if verb == "EHLO":
            peer = c.sock.getpeername()[0]
            lines = [l % peer if "%s" in l else l for l in EXCHANGE_EHLO]
            c.send("".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", l)
                           for i, l in enumerate(lines)))
        elif verb == "MAIL":
            c.send("250 2.1.0 %s....Sender OK\r\n" % ln[10:].strip("<> "))
        elif verb == "RCPT":
            c.send("250 2.1.5 %s \r\n" % ln[8:].strip("<> "))
        elif verb == "XEXCH50" and len(w) >= 2 and w[1].isdigit():
            c.send("354 Send binary data\r\n")
            blob = c.exactly(int(w[1]))
            log("XEXCH50 blob of %d bytes received: never acknowledging it",
                len(blob))
            c.drain()
        elif verb == "QUIT":
            c.send("221 2.0.0 mx1.example.org Service closing transmission "
                   "channel\r\n")
            return
        else:
            c.send("500 5.3.3 Unrecognized command\r\n")


# ---------------------------------------------------------------- DNS client

QTYPES = {"A": 1, "MX": 15}


def dns_name(msg, i):
    labels, jumped, end = [], False, None
    for _ in range(128):
        n = msg[i]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = i + 2
            i = ((n & 0x3F) << 8) | msg[i + 1]
            jumped = True
            continue
        if n == 0:
            i += 1
            break
        labels.append(msg[i + 1:i + 1 + n].decode("ascii"))
        i += 1 + n
    return ".".join(labels), (end if jumped else i)


class Resolver:
    """Stub resolver with Exchange-like small sequential query ids."""

    def __init__(self, server, timeout=5.0, tries=2):
        self.server = server
        self.timeout = timeout
        self.tries = tries
        self.next_id = 1

    def query(self, qname, qtype):
        qid = self.next_id
        self.next_id += 1
        q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        for label in qname.split("."):
            q += bytes([len(label)]) + label.encode("ascii")
        q += b"\x00" + struct.pack("!HH", QTYPES[qtype], 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(self.timeout)
        try:
            for attempt in range(self.tries):
                s.sendto(q, (self.server, 53))
                log("dns: %s %s? (id %d)", qtype, qname, qid)
                try:
                    while True:
                        resp, _ = s.recvfrom(4096)
                        if resp[:2] == q[:2]:
                            return self.parse(resp, qtype)
                except socket.timeout:
                    continue
        finally:
            s.close()
        raise RuntimeError("no answer to %s %s" % (qtype, qname))

    @staticmethod
    def parse(msg, qtype):
        qd, an = struct.unpack("!HH", msg[4:8])
        i = 12
        for _ in range(qd):
            _, i = dns_name(msg, i)
            i += 4
        out = []
        for _ in range(an):
            _, i = dns_name(msg, i)
            rtype, _, _, rdlen = struct.unpack("!HHIH", msg[i:i + 10])
            i += 10
            rdata = i
            i += rdlen
            if rtype == 15 and qtype == "MX":
                pref = struct.unpack("!H", msg[rdata:rdata + 2])[0]
                out.append((pref, dns_name(msg, rdata + 2)[0]))
            elif rtype == 1 and qtype == "A":
                out.append(socket.inet_ntoa(msg[rdata:rdata + 4]))
        log("dns:   %s answer %s", qtype, out)
        return out


# ---------------------------------------------------------------- sender

def blob_bytes(n):
    out, k = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"mxray lab XEXCH50 blob %d" % k).digest()
        k += 1
    return out[:n]


class Client:
    def __init__(self, addr, port, timeout):
        self.sock = socket.create_connection((addr, port), timeout=timeout)
        self.c = Conn(self.sock)

    def reply(self, timeout):
        self.sock.settimeout(timeout)
        lines = []
        while True:
            ln = self.c.line()
            lines.append(ln)
            if len(ln) < 4 or ln[3] != "-":
                return int(ln[:3]), lines

    def cmd(self, text, timeout=30):
        log("send: %s", text)
        self.c.send(text + "\r\n")
        return self.reply(timeout)

    def close(self):
        self.sock.close()


def mx_target(res, domain):
    mxs = sorted(res.query(domain, "MX"))
    if not mxs:
        raise RuntimeError("no MX for %s" % domain)
    host = mxs[0][1]
    addrs = res.query(host, "A")
    if not addrs:
        raise RuntimeError("no A for %s" % host)
    return host, addrs[0], mxs


def exchange_sender(a):
    res = Resolver(a.resolver)
    if a.mode == "retry-same-mx":
        for n in range(1, a.attempts + 1):
            host, addr, mxs = mx_target(res, a.domain)
            log("attempt %d: %s [%s] (MX list %s)", n, host, addr, mxs)
            cl = Client(addr, 25, a.banner_timeout)
            try:
                code, _ = cl.reply(a.banner_timeout)
                log("attempt %d: greeting %d (unexpected here)", n, code)
                cl.cmd("QUIT")
                cl.close()
                return 1
            except socket.timeout:
                log("attempt %d: no greeting in %.1f s, dropping the connection",
                    n, a.banner_timeout)
            cl.close()
            if n < a.attempts:
                time.sleep(a.pause)
        log("gave up on %s after %d attempts, never tried the next MX",
            host, a.attempts)
        return 0

    if a.mode == "helo-twice":
        return helo_twice(res, a)
    if a.mode == "body-early":
        return body_early(res, a)

    # xexch50
    host, addr, _ = mx_target(res, a.domain)
    cl = Client(addr, 25, 30)
    code, _ = cl.reply(30)
    log("greeting %d", code)
    code, ehlo = cl.cmd("EHLO %s" % a.helo)
    advertised = any(l[4:].split(" ")[0].upper() == "XEXCH50" for l in ehlo)
    cl.cmd("MAIL FROM:<%s>" % a.mail_from)
    cl.cmd("RCPT TO:<%s>" % a.rcpt_to)
    if not advertised:
        log("XEXCH50 not advertised")
        return 1
    code, _ = cl.cmd("XEXCH50 %d 2" % a.blob_size)
    if code != 354:
        log("XEXCH50 refused with %d", code)
        return 1
    cl.sock.sendall(blob_bytes(a.blob_size))
    log("sent the %d-byte blob, waiting %.1f s for the acknowledgement",
        a.blob_size, a.ack_timeout)
    try:
        code, _ = cl.reply(a.ack_timeout)
        log("blob acknowledged with %d (unexpected here)", code)
        return 1
    except socket.timeout:
        log("no acknowledgement of the blob in %.1f s: dropping the connection",
            a.ack_timeout)
    cl.close()
    return 0


def helo_twice(res, a):
    _, addr, _ = mx_target(res, a.domain)
    cl = Client(addr, 25, 30)
    code, _ = cl.reply(30)
    log("greeting %d", code)
    steps = [("EHLO %s" % a.helo, 250), ("EHLO", 501),
             ("MAIL FROM:<%s>" % a.mail_from, 250),
             ("RCPT TO:<%s>" % a.rcpt_to, 250), ("DATA", 354)]
    for text, want in steps:
        code, _ = cl.cmd(text)
        if code != want:
            log("%s answered %d, not %d", text, code, want)
            return 1
    code, _ = cl.cmd("Subject: mxray lab helo-rejected\r\n"
                     "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                     "Message-Id: <lab-helo-rejected@mail.sender.example>\r\n"
                     "\r\n"
                     "EHLO twice, the second one without a name.\r\n.")
    if code != 250:
        log("the message answered %d", code)
        return 1
    cl.cmd("QUIT")
    cl.close()
    return 0


BODY_EARLY = ["Subject: mxray lab body-early",
              "Date: Tue, 14 Nov 2023 22:13:20 +0000",
              "Message-Id: <lab-body-early@mail.sender.example>",
              "",
              "Sent right behind DATA, before any 354."]


def body_early(res, a):
    _, addr, _ = mx_target(res, a.domain)
    cl = Client(addr, 25, 30)
    code, _ = cl.reply(30)
    log("greeting %d", code)
    for text in ("EHLO %s" % a.helo, "MAIL FROM:<%s>" % a.mail_from,
                 "RCPT TO:<%s>" % a.rcpt_to):
        code, _ = cl.cmd(text)
        if code != 250:
            log("%s answered %d", text, code)
            return 1
    log("send: DATA and the message at once")
    cl.c.send("DATA\r\n" + "\r\n".join(BODY_EARLY) + "\r\n.\r\n")
    code, _ = cl.reply(30)
    if code == 354:
        code, _ = cl.reply(30)
        log("DATA 354, the message %d", code)
    else:
        # The server reads every line and the dot as commands, and may
        # hang up on the first that looks like a header (Postfix does).
        codes = []
        try:
            for _ in range(len(BODY_EARLY) + 1):
                codes.append(cl.reply(30)[0])
        except (ConnectionError, EOFError, ValueError, IndexError):
            pass
        log("DATA refused with %d, then %s", code, codes)
        if len(codes) <= len(BODY_EARLY):
            log("the server hung up")
            cl.close()
            return 0
    cl.cmd("QUIT")
    cl.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    for name in ("silent-server", "data-stall-server", "xexch50-server"):
        p = sub.add_parser(name)
        p.add_argument("--listen", required=True)
        p.add_argument("--port", type=int, default=25)
    p = sub.add_parser("exchange-sender")
    p.add_argument("--resolver", required=True)
    p.add_argument("--mode", choices=("xexch50", "retry-same-mx", "helo-twice",
                                                 "body-early"), required=True)
    p.add_argument("--domain", default="example.org")
    p.add_argument("--helo", default="mail.sender.example")
    p.add_argument("--mail-from", default="alice@sender.example")
    p.add_argument("--rcpt-to", default="bob@example.org")
    p.add_argument("--blob-size", type=int, default=1124)
    p.add_argument("--ack-timeout", type=float, default=36.0)
    p.add_argument("--banner-timeout", type=float, default=5.0)
    p.add_argument("--attempts", type=int, default=3)
    p.add_argument("--pause", type=float, default=3.0)
    a = ap.parse_args()
    if a.what == "exchange-sender":
        sys.exit(exchange_sender(a))
    handler = {"silent-server": silent_server,
               "data-stall-server": data_stall_server,
               "xexch50-server": xexch50_server}[a.what]
    try:
        serve(a.listen, a.port, handler)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
