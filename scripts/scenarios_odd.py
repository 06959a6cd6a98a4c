"""scenarios_odd.py - samples that are hard on the reading more than on the
diagnosis (TCP streams reordered, lossy, cut by the snaplen or begun
mid-way, offloaded checksums, IP fragments) and the later diagnosis
samples built on them.  Each @scenario function returns its Capture;
gen_samples.py writes them.  samples/odd/ holds the captures whose TCP
streams are deliberately not whole and in order.
"""

from sampleparts import *  # noqa: F401,F403
from scenarios_dialogue import *  # noqa: F401,F403
from samplewire import _pseudo_header

# ---- odd but honest captures ------------------------------------------------

def long_body(nlines):
    """Body lines of a longer message (71 bytes each on the wire)."""
    return ["Hello Bob,", ""] + [
        "%03d: a longer mxray sample message, several TCP segments long. %s"
        % (i, "abcdef") for i in range(1, nlines + 1)] + ["..", "Alice"]


def play(conn, t, side, data, plan):
    """Send data from side as the plan says, one step after another:
    (delay, "seg", start, end) emits data[start:end] at that offset (PSH when
    it ends the data), (delay, "lost", start, end) emits nothing (the
    capture missed it), (delay, "ack", upto) is a pure ACK from the peer of
    data[:upto].  Delays are from the previous step.  Returns the time of
    the last packet; conn.last_data_t is that of the last data segment."""
    base = conn.ends[side].nxt
    for step in plan:
        t += step[0]
        if step[1] == "ack":
            conn.ack(t, 1 - side, upto=base + step[2])
        elif step[1] == "seg":
            start, end = step[2], step[3]
            flags = ACK | (PSH if end == len(data) else 0)
            conn.segment(t, side, start, data[start:end], flags=flags)
            conn.last_data_t = t
    conn.advance(side, len(data))
    return t


def reorder_plan(size):
    """The 5 KB body of reorder.pcap: four segments' worth of bytes.  In the
    capture the second segment comes before the first (the receiver answers
    with a duplicate ACK), then the second is retransmitted (a spurious
    retransmission: a duplicate), and after the third a re-packetised
    retransmission covers its second half and 724 new bytes."""
    s = MAX_SEG
    return [(0, "seg", s, 2 * s),                       # segment 2 first
            (us(micro=180), "ack", 0),                  # duplicate ACK
            (us(micro=30), "seg", 0, s),                # segment 1
            (us(micro=170), "ack", 2 * s),
            (us(micro=20), "seg", s, 2 * s),            # duplicate of segment 2
            (us(micro=180), "ack", 2 * s),              # D-SACK duplicate ACK
            (us(micro=30), "seg", 2 * s, 3 * s),        # segment 3
            (us(micro=14), "seg", 2 * s + s // 2, 3 * s + s // 2),  # half old, half new
            (us(micro=366), "ack", 3 * s + s // 2),
            (us(micro=30), "seg", 3 * s + s // 2, size)]  # the rest and the dot


@scenario(18, "odd/reorder.pcap", "a normal delivery whose 5 KB DATA body "
          "(5236 bytes) arrives out of order: segment 2 before segment 1 "
          "(duplicate ACK), segment 2 sent again (a duplicate), and a "
          "retransmission covering the second half of segment 3 and 724 new "
          "bytes; no byte is missing")
def s_reorder(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = smtp_to_354(conn, checks_then_banner(cap, ids, conn, t_ack))
    data = message(n, "Reordered segments", long_body(70))
    assert len(data) == 5236 and 3 * MAX_SEG + MAX_SEG // 2 < len(data) <= 4 * MAX_SEG
    play(conn, t + us(ms=6, micro=650), CLIENT, data,
         reorder_plan(len(data)))
    smtp_after_body(conn, conn.last_data_t)
    return cap


@scenario(19, "odd/lost-segment.pcap", "two deliveries with segments the "
          "capture missed: in the first the second of four client segments of "
          "the DATA body (1448 bytes) is missing, the server's ACKs cover it, "
          "then the end dot, 250, QUIT; in the second (port +1) the client's "
          "\"RCPT TO:<bob@example.org>\" segment is missing, the server ACKs it "
          "with its 250 2.1.5 reply, then DATA and the rest as usual")
def s_lost_segment(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = smtp_to_354(conn, checks_then_banner(cap, ids, conn, t_ack))
    data = message(n, "Lost segment", long_body(62))
    s = MAX_SEG
    assert 3 * s < len(data) <= 4 * s, len(data)
    # the receiver ACKs every second segment, 6 ms after it
    play(conn, t + us(ms=6, micro=650), CLIENT, data,
         [(0, "seg", 0, s), (us(micro=14), "lost", s, 2 * s),
          (us(micro=14), "seg", 2 * s, 3 * s),
          (us(micro=14), "seg", 3 * s, len(data)),
          (us(ms=5, micro=974), "ack", 2 * s),
          (us(micro=14), "ack", len(data))])
    t = smtp_after_body(conn, conn.last_data_t)

    conn2, t_ack = smtp_connect(cap, n, t + us(seconds=5), port_offset=1)
    t = checks_then_banner(cap, ids, conn2, t_ack)
    t = smtp_mail_ok(conn2, smtp_ehlo_mail(conn2, t))
    conn2.advance(CLIENT, len(lines("RCPT TO:<%s>" % RCPT_TO)))  # not captured
    t = conn2.send(t + us(ms=6, micro=12) + us(ms=8, micro=873), SERVER,
                   lines(REPLY_RCPT))
    t = conn2.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    t = conn2.send(t + us(ms=4, micro=561), SERVER, lines(REPLY_DATA))
    smtp_body_to_close(conn2, t, message(n, "Lost RCPT segment", SHORT_BODY))
    return cap


@scenario(20, "midstream.pcap", "the capture starts inside a session: its "
          "first packet is the client's MAIL FROM (no handshake, greeting or "
          "EHLO captured), then RCPT, DATA, the body, QUIT and the close; 5 s "
          "later a second session (with MX + A and PTR + A lookups) whose "
          "capture ends after the 250 to RCPT, without FIN")
def s_midstream(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    conn = TcpConn(cap, CLIENT_IP, 40100 + n * 10, SERVER_IP, 25, "s%d/smtp0" % n)
    conn.established(len(lines("EHLO " + CLIENT_NAME)),
                     len(lines(BANNER_POSTFIX)) + len(lines(*EHLO_POSTFIX)))
    t = conn.send(0, CLIENT, lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    t = smtp_rcpt_to_close(conn, t, message(n, "Mid-stream start", SHORT_BODY))

    t = client_mx_lookups(cap, ids, t + us(seconds=5))
    conn2, t_ack = smtp_connect(cap, n, t + us(micro=523), port_offset=1)
    t = checks_then_banner(cap, ids, conn2, t_ack)
    t = smtp_mail_ok(conn2, smtp_ehlo_mail(conn2, t))
    t = conn2.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    conn2.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    return cap


SNAPLEN_SHORT = 96


@scenario(21, "odd/snaplen.pcap", "the normal.pcap dialogue captured with "
          "snaplen 96 (tcpdump -s 96): every frame longer than 96 bytes keeps "
          "its first 96 (42 bytes of TCP payload, 54 of DNS) with its "
          "original length recorded: the EHLO reply, the body and the longer "
          "DNS responses are cut; the greeting (35 bytes) fits")
def s_snaplen(n):
    cap = s_normal(n, subject="Short snaplen")
    cap.snaplen = SNAPLEN_SHORT
    return cap


def offloaded(pkt):
    """pkt with the TCP or UDP checksum as a NIC with checksum offload leaves
    it in a capture taken on the sender: the pseudo-header sum, not the
    checksum (the IPv4 header checksum stays right)."""
    ihl = (pkt[0] & 0x0F) * 4
    proto, src, dst = pkt[9], socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    at = ihl + (16 if proto == IPPROTO_TCP else 6)
    partial = ~inet_checksum(_pseudo_header(src, dst, proto, len(pkt) - ihl)) & 0xFFFF
    assert partial not in (0, struct.unpack_from("!H", pkt, at)[0])
    return pkt[:at] + struct.pack("!H", partial) + pkt[at + 2:]


@scenario(22, "badcsum.pcap", "the packets of normal.pcap (same times, ids "
          "and ports, not scenario 22's start time) with every TCP and UDP "
          "checksum wrong, as a capture on a host with checksum offload has "
          "them (the pseudo-header sum in place of the checksum)")
def s_badcsum(n):
    src = s_normal(1)
    cap = Capture(n, src.link)
    cap.base = src.base
    for ts, pkt in src.packets:
        cap.add(ts - cap.base, offloaded(pkt))
    return cap


LONG_SUFFIX = ("outbound-relay-pool-eu-west-1a.delivery-cluster-0007."
               "secondary-datacenter-frankfurt-rack-b12."
               "mail-infrastructure-with-a-deliberately-long-label-0042.sender.example")
LONG_PTR_NAME = "mta-0042-egress-node-17." + LONG_SUFFIX
LONG_CNAME = "anycast-frontends-and-load-balancers-for-outbound-mail." + LONG_SUFFIX
POOL_SIZE = 60
# a long SPF record is split into character-strings (RFC 7208 3.3)
SPF_STRINGS = [["v=spf1 a:%s" % LONG_CNAME,
                " ip4:192.0.2.0/24 include:_spf.sender.example -all"]] + [
    "verification-token-%02d=%s" % (i, det_bytes("txt/%d" % i, 48).hex())
    for i in range(1, 21)]


def pool_addr(i):
    """The relay pool: the client first, then 192.0.2.100 ..."""
    return CLIENT_IP if i == 0 else "192.0.2.%d" % (99 + i)


POOL_ANSWERS = [(LONG_PTR_NAME, "CNAME", 300, LONG_CNAME)] + [
    (LONG_CNAME, "A", 300, pool_addr(i)) for i in range(POOL_SIZE)]
TXT_ANSWERS = [(SENDER_DOMAIN, "TXT", 3600, s) for s in SPF_STRINGS]
POOL_LEN = len(dns_message(0, LONG_PTR_NAME, "A", True, POOL_ANSWERS, edns_udp=4096))
TXT_LEN = len(dns_message(0, SENDER_DOMAIN, "TXT", True, TXT_ANSWERS,
                          edns_udp=4096))


@scenario(23, "fragments.pcap", "a normal delivery whose DNS is large: the "
          "client's PTR name is long (%d bytes) and its A lookup answers a "
          "CNAME to another long name and %d A records (EDNS, %s bytes, "
          "compression pointers back to the question and the CNAME target); "
          "after MAIL the server's TXT lookup of sender.example gets 21 TXT "
          "records (%s bytes) as two IPv4 fragments"
          % (len(LONG_PTR_NAME), POOL_SIZE, POOL_LEN, TXT_LEN))
def s_fragments(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = udp_lookup(cap, ids, t_ack + us(micro=480), SERVER_IP, V4.client_ptr, "PTR",
                   us(ms=14, micro=733), [(V4.client_ptr, "PTR", 3600, LONG_PTR_NAME)])
    t = udp_lookup(cap, ids, t + us(micro=412), SERVER_IP, LONG_PTR_NAME, "A",
                   us(ms=11, micro=209), POOL_ANSWERS, edns_udp=4096)
    t = conn.send(t + us(micro=457), SERVER, lines(BANNER_POSTFIX))
    fragmented_txt_delivery(cap, ids, conn, t, V4,
                            message(n, "Large DNS answers", SHORT_BODY))
    return cap


@scenario(24, "fragments-v6.pcap", "normal-v6.pcap with a large DNS answer: "
          "after MAIL the server's TXT lookup of sender.example gets the 21 TXT "
          "records (%s bytes) as three IPv6 fragments (Fragment header), the "
          "last one sent first" % TXT_LEN)
def s_fragments_v6(n):
    cap, ids, conn, t_ack = opening(n, Ethernet(), V6)
    t = checks_then_banner(cap, ids, conn, t_ack, V6)
    fragmented_txt_delivery(cap, ids, conn, t, V6,
                            message(n, "Large DNS answers over IPv6", SHORT_BODY),
                            mtu=1280, reverse=True)
    return cap


@scenario(25, "helo-rejected.pcap", "EHLO client.example accepted, then a "
          "second EHLO without a name refused with 501 (as Postfix does), then "
          "delivery as usual: the session's HELO name stays the accepted one")
def s_helo_rejected(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*EHLO_POSTFIX))
    t = conn.send(t + us(ms=5, micro=318), CLIENT, lines("EHLO"))
    t = conn.send(t + us(ms=1, micro=207), SERVER,
                  lines("501 Syntax: EHLO hostname"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT,
                  lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    smtp_rcpt_to_close(conn, t, message(n, "Second EHLO refused", SHORT_BODY))
    return cap


@scenario(26, "banner-cut.pcap", "the capture stops 0.6 s after the "
          "handshake while the client waits for the greeting: the server's "
          "PTR query of the client (sent +0.001 s) is still unanswered")
def s_banner_cut(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    udp_lookup(cap, ids, t_ack + us(ms=1), SERVER_IP, V4.client_ptr, "PTR",
               None)
    # the client's keep-alive-free wait: nothing more until the capture ends
    conn.ack(t_ack + us(ms=600), CLIENT)
    return cap


@scenario(27, "data-stall-quit.pcap", "the end-of-data dot is TCP-ACKed "
          "but never answered; 10 s later the client sends QUIT (ACKed, "
          "unanswered) and closes 1 s after that, the server then closes: a "
          "stall shorter than --stall that the client gave up on")
def s_data_stall_quit(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t)
    conn.send(t + us(ms=6, micro=650), CLIENT,
              message(n, "Stalled after the dot", SHORT_BODY),
              peer_ack=us(ms=6, micro=2))
    t_dot = conn.last_data_t
    conn.send(t_dot + us(seconds=10), CLIENT, lines("QUIT"),
              peer_ack=us(ms=5, micro=310))
    t = conn.fin(conn.last_data_t + us(seconds=1), CLIENT)
    t = conn.ack(t + us(ms=5, micro=20), SERVER)
    conn.fin(t + us(micro=400), SERVER)
    return cap


@scenario(28, "odd/cross-reorder.pcap", "two mirror directions merged "
          "slightly out of order: the client's ACKs of the EHLO reply and of "
          "the 354 are stamped 5 us and 3 us before those replies; no byte "
          "is missing and the message is delivered")
def s_cross_reorder(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)

    def reply_acked_early(t, text, early):
        data = lines(*text)
        conn.ack(t - early, CLIENT, upto=conn.ends[SERVER].nxt + len(data))
        return conn.send(t, SERVER, data)

    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = reply_acked_early(t + us(ms=6, micro=105), EHLO_POSTFIX, us(micro=5))
    t = conn.send(t + us(ms=6, micro=801), CLIENT,
                  lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    t = conn.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    t = conn.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    t = reply_acked_early(t + us(ms=4, micro=561), [REPLY_DATA], us(micro=3))
    smtp_body_to_close(conn, t, message(n, "Cross-direction reordering",
                                        SHORT_BODY))
    return cap


@scenario(29, "body-early.pcap", "a pipelining client that does not wait "
          "for the 354: MAIL, RCPT, DATA and a 9 KB message in one burst; "
          "the server's 250, 250 and 354 come 31 ms later, then 250 queued "
          "for the message")
def s_body_early(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*EHLO_POSTFIX))
    burst = lines("MAIL FROM:<%s>" % MAIL_FROM, "RCPT TO:<%s>" % RCPT_TO,
                  "DATA") + message(n, "Sent before the 354", long_body(120))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, burst,
                  peer_ack=us(micro=310))
    t = conn.send(t + us(ms=31, micro=40), SERVER,
                  lines(REPLY_MAIL, REPLY_RCPT, REPLY_DATA))
    smtp_after_body(conn, t)
    return cap


@scenario(30, "odd/one-sided.pcap", "the client's side only (an asymmetric "
          "mirror port): a normal session delivering two messages with "
          "every TCP packet of the server left out; the client's ACKs "
          "acknowledge the greeting and each reply; DNS both ways")
def s_one_sided(n, keep_side=CLIENT):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t)
    t = conn.send(t + us(ms=6, micro=650), CLIENT,
                  message(n, "First of two", SHORT_BODY))
    t = conn.send(t + us(ms=21, micro=337), SERVER, lines(REPLY_QUEUED))
    t = conn.send(t + us(ms=6, micro=801), CLIENT,
                  lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    smtp_rcpt_to_close(conn, t, message(n, "Second of two", SHORT_BODY))
    unseen = ip_bytes(SERVER_IP if keep_side == CLIENT else CLIENT_IP)
    cap.packets = [(ts, p) for ts, p in cap.packets
                   if not (p[9] == IPPROTO_TCP and p[12:16] == unseen)]
    return cap


@scenario(31, "odd/one-sided-server.pcap", "the server's side only: the session "
          "of one-sided.pcap with every TCP packet of the client left out; "
          "the server's ACKs acknowledge each command and message")
def s_one_sided_server(n):
    return s_one_sided(n, SERVER)


@scenario(32, "slow-dnsbl.pcap", "banner held back 4.0 s by the server's "
          "DNSBL lookup of the client (A 10.2.0.192.bl.example.net, "
          "NXDOMAIN after 4.0 s) after a fast PTR (2 ms) and A (2 ms); then "
          "delivery as usual")
def s_slow_dnsbl(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = server_client_checks(cap, ids, t_ack + us(micro=480),
                             ptr_rtt=us(ms=2, micro=114),
                             a_rtt=us(ms=1, micro=987))
    t = udp_lookup(cap, ids, t + us(micro=305), SERVER_IP,
                   "10.2.0.192.bl.example.net", "A", us(seconds=4, ms=2),
                   rcode="NXDOMAIN")
    t = conn.send(t + us(micro=457), SERVER, lines(BANNER_POSTFIX))
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, "Slow DNSBL",
                                                 SHORT_BODY))
    return cap


DEFERRAL_NO_CODE = ("4.7.0 [TS04] Messages from 192.0.2.10 temporarily "
                    "deferred due to user complaints - 4.16.55.1; see "
                    "https://postmaster.example/error-codes")


@scenario(33, "no-code-reply.pcap", "after the end-of-data dot the server "
          "answers with a line that has no reply code, only the enhanced "
          "status code 4.7.0 (a deferral, as some large mail providers "
          "send it), and closes; the client closes too")
def s_no_code_reply(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t)
    t = conn.send(t + us(ms=6, micro=650), CLIENT,
                  message(n, "Deferred without a code", SHORT_BODY))
    t = conn.send(t + us(ms=48, micro=211), SERVER, lines(DEFERRAL_NO_CODE))
    conn.close(t + us(micro=120), SERVER, us(ms=5, micro=310),
               us(ms=4, micro=870))
    return cap


@scenario(34, "starttls-plain.pcap", "a capture from a TLS-decrypting "
          "device: STARTTLS is answered 220, then the dialogue goes on in "
          "clear (EHLO again, MAIL, RCPT, DATA, the message, QUIT)")
def s_starttls_plain(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*EHLO_POSTFIX))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines("STARTTLS"))
    t = conn.send(t + us(ms=3, micro=11), SERVER,
                  lines("220 2.0.0 Ready to start TLS"))
    smtp_delivery(conn, t + us(ms=9, micro=402), EHLO_POSTFIX,
                  message(n, "Decrypted by the firewall", SHORT_BODY))
    return cap


@scenario(35, "other-ports.pcap", "SMTP off port 25: a delivery to the "
          "submission port 587, one to 2525, an implicit-TLS session on 465 "
          "(TLS from the first byte), and a delivery to port 10025 (a "
          "content filter's re-injection port), which only --smtp-port "
          "10025 makes a session")
def s_other_ports(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    t = us(ms=1)
    for k, port in enumerate((587, 2525, 10025)):
        conn, t_ack = smtp_connect(cap, n, t, port_offset=k, sport=port)
        t = conn.send(t_ack + us(ms=2, micro=15), SERVER, lines(BANNER_POSTFIX))
        t = smtp_delivery(conn, t, EHLO_POSTFIX,
                          message(n, "To port %d" % port, SHORT_BODY))
        t += us(ms=50)
    conn, t_ack = smtp_connect(cap, n, t, port_offset=3, sport=465)
    t = conn.send(t_ack + us(ms=1, micro=2), CLIENT, tls_client_hello())
    t = conn.send(t + us(ms=9, micro=838), SERVER, tls_server_flight())
    t = conn.send(t + us(ms=8, micro=125), CLIENT,
                  tls_record(0x14, b"\x01") + tls_appdata("tls/c-fin", 36))
    t = conn.send(t + us(ms=5, micro=100), SERVER,
                  tls_appdata("tls/s-banner", 36))
    t = conn.send(t + us(ms=6, micro=300), CLIENT, tls_appdata("tls/c-quit", 6))
    t = conn.send(t + us(ms=4, micro=200), SERVER, tls_appdata("tls/s-bye", 15))
    conn.close(t + us(micro=150), SERVER, us(ms=6, micro=200),
               us(ms=5, micro=900))
    return cap


@scenario(36, "dns-bad-record.pcap", "the server's PTR lookup of the client "
          "is answered with two records: the first with an owner name whose "
          "compression pointer points forward (malformed), the second the "
          "valid PTR mail.sender.example; then the A of that name and a "
          "normal delivery")
def s_dns_bad_record(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    ptr = V4.client_ptr
    qid, port = ids.next(SERVER_IP)
    t = cap.udp(t_ack + us(micro=480), SERVER_IP, port, RESOLVER_IP, 53,
                dns_message(qid, ptr, "PTR"))
    head = len(dns_message(qid, ptr, "PTR", True))
    good = dns_message(qid, ptr, "PTR", True, [(ptr, "PTR", 3600, CLIENT_NAME)])
    bad = b"\xc0\xff" + struct.pack("!HHIH", 12, 1, 3600, 2) + b"\xc0\x0c"
    resp = good[:6] + struct.pack("!H", 2) + good[8:head] + bad + good[head:]
    t = cap.udp(t + us(ms=14, micro=733), RESOLVER_IP, 53, SERVER_IP, port, resp)
    t = udp_lookup(cap, ids, t + us(micro=412), SERVER_IP, CLIENT_NAME, "A",
                   us(ms=11, micro=209), [(CLIENT_NAME, "A", 3600, CLIENT_IP)])
    t = conn.send(t + us(micro=457), SERVER, lines(BANNER_POSTFIX))
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, "A bad DNS record",
                                                 SHORT_BODY))
    return cap


def fragmented_txt_delivery(cap, ids, conn, t, cast, body, **fragments):
    """From the greeting (at t) on: EHLO, MAIL, the server's TXT lookup of
    the sender's domain (EDNS) answered with TXT_ANSWERS in IP fragments
    (Capture.udp_fragments with the given options), the 250 to MAIL, then
    RCPT .. QUIT and the close."""
    t_mail = smtp_ehlo_mail(conn, t)
    qid, port = ids.next(cast.server)
    t_q = cap.udp(t_mail + us(micro=812), cast.server, port, cast.resolver, 53,
                  dns_message(qid, SENDER_DOMAIN, "TXT", edns_udp=4096))
    t = cap.udp_fragments(t_q + us(ms=24, micro=310), cast.resolver, 53,
                          cast.server, port,
                          dns_message(qid, SENDER_DOMAIN, "TXT", True,
                                      TXT_ANSWERS, edns_udp=4096), **fragments)
    t = conn.send(t + us(ms=1, micro=93), SERVER, lines(REPLY_MAIL))
    return smtp_rcpt_to_close(conn, t, body)
