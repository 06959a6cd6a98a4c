"""sampleparts.py - building blocks of the sample scenarios (the IPv4 and
IPv6 casts, DNS lookups, pieces of SMTP dialogue) and the scenario registry
(@scenario, SCENARIOS) that gen_samples.py writes from.  Integer
microseconds throughout; nothing random.
"""

from samplewire import *  # noqa: F401,F403 (the wire vocabulary)

# --------------------------------------------------------------------------
# 5. Building blocks shared by the scenarios
# --------------------------------------------------------------------------

MX_ANSWERS = [(DOMAIN, "MX", 3600, (10, SERVER_NAME)),
              (DOMAIN, "MX", 3600, (20, SERVER2_NAME))]


class Cast:
    """The addresses of one scenario's hosts and the record type that maps
    names to them (A over IPv4, AAAA over IPv6)."""

    def __init__(self, client, server, resolver, addr_type):
        self.client, self.server, self.resolver = client, server, resolver
        self.addr_type = addr_type
        self.client_ptr = reverse_name(client)


V4 = Cast(CLIENT_IP, SERVER_IP, RESOLVER_IP, "A")
V6 = Cast(CLIENT_IP6, SERVER_IP6, RESOLVER_IP6, "AAAA")


class Ids:
    """Per-scenario DNS ids and UDP source ports: distinct and predictable."""

    def __init__(self, number, cast=V4):
        self.number = number
        self.client = cast.client
        self.n = {cast.client: 0, cast.server: 0}

    def next(self, asker):
        k = self.n[asker]
        self.n[asker] = k + 1
        if asker == self.client:
            return 0x4000 + self.number * 0x100 + k, 53000 + self.number * 20 + k
        return 0x8000 + self.number * 0x100 + k, 33000 + self.number * 20 + k


def udp_lookup(cap, ids, t, asker, qname, qtype, rtt, answers=(),
               retransmit_at=(), rcode="NOERROR", resolver=RESOLVER_IP,
               edns_udp=None):
    """A UDP DNS lookup from asker to the resolver.

    t: query time; rtt: response delay after the first query, or None for no
    answer; retransmit_at: delays (after the first query) of re-sent queries
    (same id, same port); edns_udp: both messages carry an OPT record.
    Returns the time of the last packet.
    """
    qid, port = ids.next(asker)
    query = dns_message(qid, qname, qtype, edns_udp=edns_udp)
    first = cap.udp(t, asker, port, resolver, 53, query)
    last = first
    for delay in retransmit_at:
        last = cap.udp(first + delay, asker, port, resolver, 53, query)
    if rtt is not None:
        resp = dns_message(qid, qname, qtype, True, answers, rcode, edns_udp)
        last = cap.udp(first + rtt, resolver, 53, asker, port, resp)
    return last


def client_mx_lookups(cap, ids, t, cast=V4):
    """The sender's MX lookup of example.org, then the A (AAAA) lookup of mx1."""
    t = udp_lookup(cap, ids, t, cast.client, DOMAIN, "MX", us(ms=18, micro=312),
                   MX_ANSWERS, resolver=cast.resolver)
    return a_of_mx1(cap, ids, t + us(micro=738), cast)


def a_of_mx1(cap, ids, t, cast=V4):
    """The sender's A (AAAA) lookup of mx1."""
    return udp_lookup(cap, ids, t, cast.client, SERVER_NAME, cast.addr_type,
                      us(ms=12, micro=527),
                      [(SERVER_NAME, cast.addr_type, 3600, cast.server)],
                      resolver=cast.resolver)


def server_client_checks(cap, ids, t, ptr_rtt=us(ms=14, micro=733),
                         a_rtt=us(ms=11, micro=209), ptr_retransmit=(), cast=V4):
    """The receiving MTA's PTR lookup of the client, then A (AAAA) of the PTR
    name."""
    t = udp_lookup(cap, ids, t, cast.server, cast.client_ptr, "PTR", ptr_rtt,
                   [(cast.client_ptr, "PTR", 3600, CLIENT_NAME)],
                   retransmit_at=ptr_retransmit, resolver=cast.resolver)
    return udp_lookup(cap, ids, t + us(micro=412), cast.server, CLIENT_NAME,
                      cast.addr_type, a_rtt,
                      [(CLIENT_NAME, cast.addr_type, 3600, cast.client)],
                      resolver=cast.resolver)


def smtp_connect(cap, number, t, cast=V4, port_offset=0, server=None,
                 sport=25):
    """The client's connection to port sport (25) of the cast's server (or
    of server); returns (conn, time of the client's ACK)."""
    conn = TcpConn(cap, cast.client, 40100 + number * 10 + port_offset,
                   server or cast.server, sport,
                   "s%d/smtp%d" % (number, port_offset))
    _, _, t_ack = conn.handshake(t, us(ms=6, micro=310), us(ms=6, micro=310))
    return conn, t_ack


def lines(*ls):
    return "".join(l + "\r\n" for l in ls).encode()


def message(number, subject, body_lines, rcpts=(RCPT_TO,)):
    """RFC 5322 message as sent after DATA (dot-stuffed, with the end dot)."""
    date = email.utils.formatdate(
        (BASE_US + (number - 1) * SCENARIO_SPACING_US) // 1_000_000, usegmt=True)
    hdr = ["From: Alice <%s>" % MAIL_FROM,
           "To: " + ", ".join("<%s>" % r for r in rcpts),
           "Subject: " + subject,
           "Date: " + date,
           "Message-ID: <sample%d.4ABC123@sender.example>" % number,
           "MIME-Version: 1.0",
           "Content-Type: text/plain; charset=us-ascii",
           ""]
    stuffed = [("." + l) if l.startswith(".") else l for l in body_lines]
    return lines(*(hdr + stuffed + ["."]))


SHORT_BODY = ["Hello Bob,",
              "",
              "this is a short test message from the mxray samples.",
              "The next line starts with a dot and is dot-stuffed on the wire:",
              "..",
              "Regards,",
              "Alice"]

EHLO_POSTFIX = ["250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
                "250-8BITMIME", "250-STARTTLS", "250 SMTPUTF8"]

REPLY_MAIL = "250 2.1.0 Ok"
REPLY_RCPT = "250 2.1.5 Ok"
REPLY_DATA = "354 End data with <CR><LF>.<CR><LF>"
REPLY_QUEUED = "250 2.0.0 Ok: queued as 4ABC123"
REPLY_BYE = "221 2.0.0 Bye"
BANNER_POSTFIX = "220 mx1.example.org ESMTP Postfix"


def opening(n, link, cast=V4):
    """How most scenarios start: the sender's MX and A (AAAA) lookups, then
    its connection to mx1 523 µs after the last answer.  Returns (capture,
    ids, conn, time of the client's ACK)."""
    cap, ids = Capture(n, link), Ids(n, cast)
    t = client_mx_lookups(cap, ids, 0, cast)
    conn, t_ack = smtp_connect(cap, n, t + us(micro=523), cast)
    return cap, ids, conn, t_ack


def checks_then_banner(cap, ids, conn, t_ack, cast=V4, banner=BANNER_POSTFIX):
    """The server's PTR + A (AAAA) checks of the client 480 µs after the
    handshake, then its greeting 457 µs after the last answer.  Returns the
    time of the greeting."""
    t = server_client_checks(cap, ids, t_ack + us(micro=480), cast=cast)
    return conn.send(t + us(micro=457), SERVER, lines(banner))


def silent_server(conn, t_ack, wait=us(seconds=20)):
    """No greeting: the client FINs `wait` after its ACK, the server ACKs and
    FINs, the client ACKs.  Returns (client FIN time, last packet time)."""
    t_fin = conn.fin(t_ack + wait, CLIENT)
    t = conn.ack(t_fin + us(ms=6, micro=305), SERVER)
    t = conn.fin(t + us(micro=211), SERVER)
    return t_fin, conn.ack(t + us(ms=6, micro=298), CLIENT)


# The SMTP dialogue of the samples, one command or reply per segment, in
# pieces that the scenarios put together; each takes the time of the packet
# before it and returns that of its last one.


def smtp_ehlo_mail(conn, t, ehlo_reply=EHLO_POSTFIX):
    """EHLO, its reply, MAIL FROM; t = time of the greeting."""
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*ehlo_reply))
    return conn.send(t + us(ms=6, micro=801), CLIENT,
                     lines("MAIL FROM:<%s>" % MAIL_FROM))


def smtp_mail_ok(conn, t):
    """The 250 to MAIL; t = time of MAIL."""
    return conn.send(t + us(ms=5, micro=234), SERVER, lines(REPLY_MAIL))


def smtp_rcpt_to_354(conn, t):
    """RCPT TO, its 250, DATA, the 354; t = time of the reply to MAIL."""
    t = conn.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    t = conn.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    return conn.send(t + us(ms=4, micro=561), SERVER, lines(REPLY_DATA))


def smtp_to_354(conn, t, ehlo_reply=EHLO_POSTFIX):
    """EHLO .. the 354 to DATA; t = time of the greeting."""
    t = smtp_mail_ok(conn, smtp_ehlo_mail(conn, t, ehlo_reply))
    return smtp_rcpt_to_354(conn, t)


def smtp_after_body(conn, t):
    """The 250 to the end dot, QUIT, 221 and the server's close; t = time
    of the segment that ended the body."""
    t = conn.send(t + us(ms=21, micro=337), SERVER, lines(REPLY_QUEUED))
    t = conn.send(t + us(ms=6, micro=420), CLIENT, lines("QUIT"))
    t = conn.send(t + us(ms=4, micro=3), SERVER, lines(REPLY_BYE))
    return conn.close(t + us(micro=150), SERVER, us(ms=6, micro=200),
                      us(ms=5, micro=900))


def smtp_body_to_close(conn, t, body):
    """The message (body, as message() makes it), then smtp_after_body; t =
    time of the 354."""
    return smtp_after_body(conn, conn.send(t + us(ms=6, micro=650), CLIENT, body))


def smtp_rcpt_to_close(conn, t, body):
    """RCPT .. QUIT and the server's close; t = time of the reply to MAIL."""
    return smtp_body_to_close(conn, smtp_rcpt_to_354(conn, t), body)


def smtp_delivery(conn, t, ehlo_reply, body):
    """EHLO .. QUIT and the server's close; t = time of the greeting."""
    return smtp_body_to_close(conn, smtp_to_354(conn, t, ehlo_reply), body)


# --------------------------------------------------------------------------
# 6. Scenarios
# --------------------------------------------------------------------------

SCENARIOS = []   # (number, file name, "pcap" or "pcapng", function, description)


def scenario(number, filename, description, fmt="pcap"):
    def register(fn):
        SCENARIOS.append((number, filename, fmt, fn, description))
        return fn
    return register
