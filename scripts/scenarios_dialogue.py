"""scenarios_dialogue.py - the samples of whole SMTP and DNS dialogues:
the happy path, slow and failing lookups, missing banners, stalls,
PIPELINING, STARTTLS, DNS over TCP, MX failover, tarpits and their IPv6
twins.  Each @scenario function returns its Capture; gen_samples.py
writes them.
"""

from sampleparts import *  # noqa: F401,F403

@scenario(1, "normal.pcap", "happy path: MX + A lookups, handshake, PTR + A "
          "checks by the server, banner after 27 ms, one message delivered, QUIT")
def s_normal(n, cast=V4, subject="Test message"):
    cap, ids, conn, t_ack = opening(n, Ethernet(), cast)
    t = checks_then_banner(cap, ids, conn, t_ack, cast)
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, subject, SHORT_BODY))
    return cap


@scenario(2, "slow-ptr.pcap", "banner held back 4.03 s: the server's PTR query "
          "is retransmitted at +2 s and answered at +4 s, then delivery as usual")
def s_slow_ptr(n, cast=V4):
    cap, ids, conn, t_ack = opening(n, Ethernet([(ETH_P_8021Q, 25)]), cast)
    server_client_checks(cap, ids, t_ack + us(ms=10), ptr_rtt=us(seconds=4),
                         a_rtt=us(ms=10), ptr_retransmit=[us(seconds=2)],
                         cast=cast)
    # PTR at ack+0.010, re-sent at ack+2.010, answered at ack+4.010; A query
    # 412 µs later, answered 10 ms after that; banner at exactly ack+4.030.
    t = conn.send(t_ack + us(seconds=4, ms=30), SERVER, lines(BANNER_POSTFIX))
    ehlo = ["250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
            "250-VRFY", "250-ETRN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
            "250-DSN", "250 SMTPUTF8"]
    smtp_delivery(conn, t, ehlo, message(n, "Slow banner test", SHORT_BODY))
    return cap


@scenario(3, "no-banner.pcap", "seed 004: handshake completes but the server "
          "never sends a greeting (no DNS by the server either); client FINs 30 s "
          "after its ACK")
def s_no_banner(n):
    cap, _, conn, t_ack = opening(n, LinuxSLL(capture_host=CLIENT_IP))
    silent_server(conn, t_ack, wait=us(seconds=30))
    return cap


@scenario(4, "gave-up.pcap", "the server's PTR query is never answered (sent "
          "+0.001 s, re-sent +5 s); the client resets 10 s after its ACK, no banner")
def s_gave_up(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    # PTR at ack+0.001 s, re-sent at ack+5.000 s, never answered
    udp_lookup(cap, ids, t_ack + us(ms=1), SERVER_IP, V4.client_ptr, "PTR", None,
               retransmit_at=[us(seconds=5) - us(ms=1)])
    conn.rst(t_ack + us(seconds=10), CLIENT)
    return cap


@scenario(5, "data-stall.pcap", "message body (3 segments) and end dot are "
          "TCP-ACKed but never answered; client FINs 45 s later, server ACKs "
          "then resets")
def s_data_stall(n):
    cap, ids, conn, t_ack = opening(n, LinuxSLL2(capture_host=CLIENT_IP))
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t, [
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 52428800",
        "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 CHUNKING"])
    body = ["Hello Bob,", "", "the attached report follows inline."] + [
        "%02d: mxray sample line, long enough to fill three TCP segments. %s"
        % (i, "0123456789" * 2) for i in range(1, 32)] + ["..", "Alice"]
    data = message(n, "Quarterly report", body)
    assert 2896 < len(data) <= 3 * MAX_SEG, len(data)
    conn.send(t + us(ms=6, micro=650), CLIENT, data, peer_ack=us(ms=6, micro=2))
    t_dot = conn.last_data_t                   # the segment ending in ".\r\n"
    t = conn.fin(t_dot + us(seconds=45), CLIENT)
    t = conn.ack(t + us(ms=6, micro=110), SERVER)
    conn.rst(t + us(micro=905), SERVER)
    return cap


@scenario(6, "xexch50-stall.pcap", "seed 003: Exchange XEXCH50 1124-byte blob "
          "is TCP-ACKed but never answered; client FINs 60 s later")
def s_xexch50(n):
    cap, ids, conn, t_ack = opening(n, Ethernet([(ETH_P_8021AD, 100),
                                                 (ETH_P_8021Q, 25)]))
    t = server_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn.send(t + us(ms=1, micro=120), SERVER,
                  lines("220 mx1.example.org Microsoft ESMTP MAIL Service ready"))
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=3, micro=870), SERVER, lines(
        "250-mx1.example.org Hello [192.0.2.10]", "250-TURN", "250-SIZE",
        "250-ETRN", "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES",
        "250-8bitmime", "250-BINARYMIME", "250-CHUNKING", "250-VRFY",
        "250-X-EXPS GSSAPI NTLM LOGIN", "250-X-EXPS=LOGIN",
        "250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN", "250-X-LINK2STATE",
        "250-XEXCH50", "250 OK"))
    t = conn.send(t + us(ms=6, micro=640), CLIENT, lines(
        "MAIL FROM:<%s> SIZE=2318" % MAIL_FROM, "RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=9, micro=415), SERVER, lines(
        "250 2.1.0 %s....Sender OK" % MAIL_FROM, "250 2.1.5 %s " % RCPT_TO))
    t = conn.send(t + us(ms=6, micro=233), CLIENT, lines("XEXCH50 1124 2"))
    t = conn.send(t + us(ms=3, micro=902), SERVER, lines("354 Send binary data"))
    conn.send(t + us(ms=6, micro=180), CLIENT, xexch50_blob(),
              peer_ack=us(ms=40, micro=211))
    t = conn.fin(conn.last_data_t + us(seconds=60), CLIENT)
    t = conn.fin(t + us(ms=6, micro=77), SERVER)
    conn.ack(t + us(ms=6, micro=301), CLIENT)
    return cap


def xexch50_blob():
    """1124 bytes of binary MAPI-ish data with NULs and an embedded CRLF.CRLF."""
    blob = bytearray(det_bytes("xexch50-blob", 1124))
    blob[0:16] = b"\x02\x00\x00\x00\x00\x00\x00\x00\x4d\x44\x42\x45\x46\x00\x00\x01"
    blob[100:108] = b"\x00" * 8
    blob[512:517] = b"\r\n.\r\n"
    blob[1100:1124] = b"\x00\x00\x00\x00" + b"\x1f\x00\x37\x00" * 5
    assert len(blob) == 1124
    return bytes(blob)


@scenario(7, "pipelining.pcap", "PIPELINING: MAIL, 3 x RCPT and DATA in one "
          "client segment, the five replies in one server segment")
def s_pipelining(n):
    cap, ids, conn, t_ack = opening(n, RawIP())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
        "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250 DSN"))
    rcpts = ["bob@example.org", "carol@example.org", "dave@example.org"]
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines(
        "MAIL FROM:<%s>" % MAIL_FROM, *["RCPT TO:<%s>" % r for r in rcpts]
        + ["DATA"]))
    t = conn.send(t + us(ms=12, micro=48), SERVER, lines(
        REPLY_MAIL, REPLY_RCPT, REPLY_RCPT, REPLY_RCPT, REPLY_DATA))
    body = ["Hello all,", "", "one message, three recipients, one round trip.",
            "..", "Alice"]
    t = conn.send(t + us(ms=6, micro=650), CLIENT, message(n, "Pipelined", body, rcpts))
    t = conn.send(t + us(ms=24, micro=990), SERVER, lines(REPLY_QUEUED))
    t = conn.send(t + us(ms=6, micro=420), CLIENT, lines("QUIT"))
    t = conn.send(t + us(ms=4, micro=3), SERVER, lines(REPLY_BYE))
    conn.close(t + us(ms=6, micro=300), CLIENT, us(ms=6, micro=80), us(ms=5, micro=950))
    return cap


# ---- TLS records (opaque, but well-formed enough for dissectors) ---------

def tls_record(ctype, body, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def tls_handshake(htype, body):
    return bytes([htype]) + len(body).to_bytes(3, "big") + body


def _ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def tls_client_hello():
    """A TLS 1.3 ClientHello in a 517-byte record (16 03 01 02 00 ...)."""
    sni = SERVER_NAME.encode()
    suites = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9,
              0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    sigalgs = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
               0x0401, 0x0501, 0x0601]
    exts = (_ext(0, struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni)
            + _ext(11, b"\x01\x00")
            + _ext(10, struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018))
            + _ext(35, b"") + _ext(22, b"") + _ext(23, b"")
            + _ext(13, struct.pack("!H%dH" % len(sigalgs), 2 * len(sigalgs), *sigalgs))
            + _ext(43, b"\x04\x03\x04\x03\x03")
            + _ext(45, b"\x01\x01")
            + _ext(51, struct.pack("!HHH", 36, 0x001D, 32) + det_bytes("tls/c-share", 32)))
    head = (b"\x03\x03" + det_bytes("tls/c-random", 32)
            + b"\x20" + det_bytes("tls/session-id", 32)
            + struct.pack("!H%dH" % len(suites), 2 * len(suites), *suites)
            + b"\x01\x00")
    # pad so that the record body is 512 bytes: 4 (handshake hdr) + head +
    # 2 (extensions length) + exts + 4 (padding ext hdr) + pad
    pad = 512 - 4 - len(head) - 2 - len(exts) - 4
    assert pad >= 0
    exts += _ext(21, b"\x00" * pad)
    hello = tls_handshake(1, head + struct.pack("!H", len(exts)) + exts)
    rec = tls_record(0x16, hello, version=0x0301)
    assert len(rec) == 517
    return rec


def tls_server_flight():
    """ServerHello, ChangeCipherSpec, then the encrypted handshake records."""
    exts = (_ext(43, b"\x03\x04")
            + _ext(51, struct.pack("!HH", 0x001D, 32) + det_bytes("tls/s-share", 32)))
    sh = tls_handshake(2, b"\x03\x03" + det_bytes("tls/s-random", 32)
                       + b"\x20" + det_bytes("tls/session-id", 32)
                       + struct.pack("!HB", 0x1301, 0)
                       + struct.pack("!H", len(exts)) + exts)
    out = tls_record(0x16, sh) + tls_record(0x14, b"\x01")
    # EncryptedExtensions, Certificate, CertificateVerify, Finished
    for i, plain_len in enumerate([6, 1933, 264, 36]):
        out += tls_appdata("tls/s-hs%d" % i, plain_len)
    return out


def tls_appdata(label, plain_len):
    """An encrypted TLS 1.3 record: plaintext + content type + 16-byte tag."""
    return tls_record(0x17, det_bytes(label, plain_len + 1 + 16))


@scenario(8, "starttls.pcap", "STARTTLS accepted (220 2.0.0), then TLS 1.3 "
          "records only: ClientHello, server flight in two segments, app data")
def s_starttls(n):
    cap, ids, conn, t_ack = opening(n, BsdNull())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
        "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN",
        "250 SMTPUTF8"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines("STARTTLS"))
    t = conn.send(t + us(ms=3, micro=11), SERVER, lines("220 2.0.0 Ready to start TLS"))
    t = conn.send(t + us(ms=7, micro=402), CLIENT, tls_client_hello())
    t = conn.send(t + us(ms=9, micro=838), SERVER, tls_server_flight())
    t = conn.send(t + us(ms=8, micro=125), CLIENT,
                  tls_record(0x14, b"\x01") + tls_appdata("tls/c-fin", 36))
    # the SMTP dialogue, encrypted: (client plaintext, server plaintext) sizes
    exchanges = [("EHLO", 26, 200), ("MAIL", 34, 14), ("RCPT", 26, 14),
                 ("DATA", 6, 37), ("body", 402, 33), ("QUIT", 6, 15)]
    for i, (what, c_len, s_len) in enumerate(exchanges):
        t = conn.send(t + us(ms=6, micro=300 + 17 * i), CLIENT,
                      tls_appdata("tls/c-%s" % what, c_len))
        t = conn.send(t + us(ms=5, micro=100 + 29 * i), SERVER,
                      tls_appdata("tls/s-%s" % what, s_len))
    # close_notify alerts (encrypted), then FIN both ways, client first
    t = conn.send(t + us(ms=6, micro=212), CLIENT, tls_appdata("tls/c-close", 2))
    t = conn.fin(t + us(micro=40), CLIENT)
    t = conn.send(t + us(ms=6, micro=95), SERVER, tls_appdata("tls/s-close", 2))
    t = conn.fin(t + us(micro=38), SERVER)
    conn.ack(t + us(ms=6, micro=140), CLIENT)
    return cap


@scenario(9, "dns-tcp.pcap", "pcapng; the client's MX and A lookups go over "
          "one TCP connection to the resolver (query length split from the "
          "message), then a normal delivery", fmt="pcapng")
def s_dns_tcp(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    dns = TcpConn(cap, CLIENT_IP, 45000 + n, RESOLVER_IP, 53, "s%d/dns" % n)
    _, _, t = dns.handshake(0, us(ms=7, micro=20), us(ms=7, micro=20))
    qid, _ = ids.next(CLIENT_IP)
    q = dns_message(qid, DOMAIN, "MX")
    t = dns.send(t + us(micro=85), CLIENT, struct.pack("!H", len(q)))
    t = dns.send(t + us(micro=31), CLIENT, q)
    r = dns_message(qid, DOMAIN, "MX", True, MX_ANSWERS)
    t = dns.send(t + us(ms=21, micro=407), SERVER, struct.pack("!H", len(r)) + r)
    qid, _ = ids.next(CLIENT_IP)
    q = dns_message(qid, SERVER_NAME, "A")
    t = dns.send(t + us(micro=690), CLIENT, struct.pack("!H", len(q)) + q)
    r = dns_message(qid, SERVER_NAME, "A", True,
                    [(SERVER_NAME, "A", 3600, SERVER_IP)])
    t = dns.send(t + us(ms=13, micro=66), SERVER, struct.pack("!H", len(r)) + r)
    t = dns.close(t + us(micro=310), CLIENT, us(ms=7, micro=3), us(ms=7, micro=11))
    conn, t_ack = smtp_connect(cap, n, t + us(micro=902))
    t = checks_then_banner(cap, ids, conn, t_ack)
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, "DNS over TCP", SHORT_BODY))
    return cap


@scenario(10, "syn-unanswered.pcap", "SYNs to mx1 at t, t+1, t+3, t+7 never "
          "answered; the client then looks up mx2 and is refused (RST/ACK)")
def s_syn_unanswered(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    t = client_mx_lookups(cap, ids, 0)
    conn = TcpConn(cap, CLIENT_IP, 40100 + n * 10, SERVER_IP, 25, "s%d/smtp0" % n)
    t0 = t + us(micro=523)
    for delay in (0, 1, 3, 7):
        conn.syn(t0 + us(seconds=delay))
    t = udp_lookup(cap, ids, t0 + us(seconds=15), CLIENT_IP, SERVER2_NAME, "A",
                   us(ms=11, micro=804), [(SERVER2_NAME, "A", 3600, SERVER2_IP)])
    conn2 = TcpConn(cap, CLIENT_IP, 40100 + n * 10 + 1, SERVER2_IP, 25,
                    "s%d/smtp1" % n)
    t = conn2.syn(t + us(micro=498))
    conn2.refuse(t + us(ms=6, micro=288))
    return cap


# ---- MX failover, envelope checks, SMTP-fixup firewalls, tarpits -----------

BANNER_MX2 = "220 mx2.example.org ESMTP Postfix"
EHLO_MX2 = ["250-mx2.example.org", "250-PIPELINING", "250-SIZE 10240000",
            "250-8BITMIME", "250-STARTTLS", "250 SMTPUTF8"]


class IdsMx2(Ids):
    """Ids that also number the lookups of mx2 (203.0.113.26) as asker."""

    def __init__(self, number):
        super().__init__(number)
        self.n[SERVER2_IP] = 0

    def next(self, asker):
        if asker != SERVER2_IP:
            return super().next(asker)
        k = self.n[asker]
        self.n[asker] = k + 1
        return 0xA000 + self.number * 0x100 + k, 35000 + self.number * 20 + k


def mx2_client_checks(cap, ids, t):
    """mx2's PTR lookup of the client, then A of the PTR name."""
    t = udp_lookup(cap, ids, t, SERVER2_IP, V4.client_ptr, "PTR", us(ms=9, micro=617),
                   [(V4.client_ptr, "PTR", 3600, CLIENT_NAME)])
    return udp_lookup(cap, ids, t + us(micro=388), SERVER2_IP, CLIENT_NAME, "A",
                      us(ms=10, micro=942), [(CLIENT_NAME, "A", 3600, CLIENT_IP)])


@scenario(11, "no-failover.pcap", "seed 004 repeated: one MX lookup (10 mx1, "
          "20 mx2), then three attempts, each an A lookup of mx1 and a "
          "connection to mx1 from a new port; every handshake completes, no "
          "banner, the client FINs 20 s after its ACK and tries mx1 again 5 s "
          "after its FIN, never mx2")
def s_no_failover(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    for attempt in (1, 2):
        t_fin, _ = silent_server(conn, t_ack)
        t = a_of_mx1(cap, ids, t_fin + us(seconds=5))
        conn, t_ack = smtp_connect(cap, n, t + us(micro=523), port_offset=attempt)
    silent_server(conn, t_ack)
    return cap


@scenario(12, "failover.pcap", "MX lookup (10 mx1, 20 mx2), A mx1, handshake "
          "with mx1 but no banner, the client FINs 20 s after its ACK; then A "
          "mx2, connection to mx2 (203.0.113.26), mx2's PTR + A checks, banner "
          "after 22 ms, one message delivered")
def s_failover(n):
    cap, ids = Capture(n, Ethernet()), IdsMx2(n)
    t = client_mx_lookups(cap, ids, 0)
    conn, t_ack = smtp_connect(cap, n, t + us(micro=523))
    _, t = silent_server(conn, t_ack)
    t = udp_lookup(cap, ids, t + us(ms=1, micro=204), CLIENT_IP, SERVER2_NAME, "A",
                   us(ms=11, micro=804), [(SERVER2_NAME, "A", 3600, SERVER2_IP)])
    conn2, t_ack = smtp_connect(cap, n, t + us(micro=498), port_offset=1,
                                server=SERVER2_IP)
    t = mx2_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn2.send(t + us(micro=457), SERVER, lines(BANNER_MX2))
    smtp_delivery(conn2, t, EHLO_MX2, message(n, "Failover test", SHORT_BODY))
    return cap


SPF_RECORD = "v=spf1 ip4:192.0.2.10 -all"


@scenario(13, "slow-spf.pcap", "after MAIL FROM:<alice@sender.example> the "
          "server asks TXT sender.example (SPF) at +0.8 ms, answered 3.000 s "
          "later; the 250 to MAIL comes 3.010 s after MAIL, then delivery as "
          "usual")
def s_slow_spf(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t_mail = smtp_ehlo_mail(conn, t)
    # the SPF lookup, with the server's delayed ACK of MAIL while it waits
    qid, port = ids.next(SERVER_IP)
    t_q = cap.udp(t_mail + us(micro=812), SERVER_IP, port, RESOLVER_IP, 53,
                  dns_message(qid, SENDER_DOMAIN, "TXT"))
    conn.ack(t_mail + us(ms=40), SERVER)
    cap.udp(t_q + us(seconds=3), RESOLVER_IP, 53, SERVER_IP, port,
            dns_message(qid, SENDER_DOMAIN, "TXT", True,
                        [(SENDER_DOMAIN, "TXT", 3600, SPF_RECORD)]))
    t = conn.send(t_mail + us(seconds=3, ms=10), SERVER, lines(REPLY_MAIL))
    smtp_rcpt_to_close(conn, t, message(n, "Slow SPF test", SHORT_BODY))
    return cap


@scenario(14, "masked-banner.pcap", "SMTP-fixup firewall: the greeting is "
          "\"220 ****************************\", EHLO gets 500 5.5.1 Command "
          "unrecognized: \"XXXX ****\", the client falls back to HELO and "
          "delivers one message")
def s_masked_banner(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack, banner="220 " + "*" * 28)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=2, micro=880), SERVER,
                  lines('500 5.5.1 Command unrecognized: "XXXX ****"'))
    t = conn.send(t + us(ms=6, micro=412), CLIENT, lines("HELO " + CLIENT_NAME))
    t = conn.send(t + us(ms=3, micro=95), SERVER, lines("250 mx1.example.org"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    smtp_rcpt_to_close(conn, t, message(n, "Masked banner test", SHORT_BODY))
    return cap


@scenario(15, "tarpit.pcap", "tarpit: banner 30 ms after the handshake, then "
          "every server reply (EHLO, MAIL, RCPT, 354 to DATA, 250 to the dot, "
          "QUIT) exactly 3 s after its command, which the server ACKs after "
          "40 ms; no DNS by the server after the banner")
def s_tarpit(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    server_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn.send(t_ack + us(ms=30), SERVER, lines(BANNER_POSTFIX))
    exchanges = [(lines("EHLO " + CLIENT_NAME), lines(*EHLO_POSTFIX)),
                 (lines("MAIL FROM:<%s>" % MAIL_FROM), lines(REPLY_MAIL)),
                 (lines("RCPT TO:<%s>" % RCPT_TO), lines(REPLY_RCPT)),
                 (lines("DATA"), lines(REPLY_DATA)),
                 (message(n, "Tarpit test", SHORT_BODY), lines(REPLY_QUEUED)),
                 (lines("QUIT"), lines(REPLY_BYE))]
    for command, reply in exchanges:
        conn.send(t + us(ms=6, micro=523), CLIENT, command, peer_ack=us(ms=40))
        t = conn.send(conn.last_data_t + us(seconds=3), SERVER, reply)
    conn.close(t + us(micro=150), SERVER, us(ms=6, micro=200), us(ms=5, micro=900))
    return cap


# ---- IPv6: the same dialogues as normal.pcap and slow-ptr.pcap -------------

@scenario(16, "normal-v6.pcap", "normal.pcap over IPv6: MX + AAAA lookups, "
          "handshake, the server's PTR lookup of the client's ip6.arpa name "
          "+ AAAA of the PTR name, banner after 27 ms, one message delivered, "
          "QUIT")
def s_normal_v6(n):
    return s_normal(n, V6)


@scenario(17, "slow-ptr-v6.pcap", "slow-ptr.pcap over IPv6: banner held back "
          "4.03 s: the server's PTR query of the client's ip6.arpa name is "
          "retransmitted at +2 s and answered at +4 s, AAAA of the PTR name "
          "10 ms, then delivery as usual")
def s_slow_ptr_v6(n):
    return s_slow_ptr(n, V6)
