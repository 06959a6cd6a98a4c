#!/usr/bin/env python3
"""make_corpus.py - seed corpora for the libFuzzer targets in tests/fuzz/.

    python3 tests/fuzz/make_corpus.py OUTDIR [CAPTURE ...]

Reads the sample captures (default samples/*.pcap and samples/lab/*.pcap;
pcap or pcapng; Ethernet with VLAN tags, Linux SLL/SLL2, raw IP, BSD
loopback) and writes, replacing what was there:

  OUTDIR/pipeline/  each capture as it is (and samples/encap/*.pcap, the
                    tunnelled ones), plus a few built captures
                    (DNS compression loop in a UDP packet, DNS over IPv6,
                    IPv4 fragments, an SMTP session over IPv6)
  OUTDIR/smtp/      each TCP port 25/587 connection's payload, in order,
                    in fuzz_smtp's script format (see fuzz_smtp.c): one
                    piece per TCP segment, with the time since the previous
                    segment in 10 ms steps; plus hand-written edge cases
  OUTDIR/dns/       each DNS payload: UDP messages, each message of a TCP
                    stream and the TCP stream of each direction as it is
                    (length prefixed); plus hand-written edge cases
                    (compression loops, long names, many records ...)
  OUTDIR/tcpreasm/  each TCP connection (also of samples/odd/*.pcap) as a
                    fuzz_tcpreasm script (see fuzz_tcpreasm.c): SYNs,
                    segments with ACK, FIN and snaplen cut, pure ACKs,
                    clock steps; plus hand-written edge cases
  OUTDIR/merge/     fuzz_merge inputs: 2-3 capture files (pcap, nanosecond
                    and big-endian pcap, pcapng) joined by its separator:
                    samples cut into files whose packets interleave, pairs
                    of samples, damaged and odd files among good ones

Standard library only (and scripts/gen_samples.py's checksum and pcapng
block).  The file names carry the capture's name, so a finding can be traced
back to its seed.
"""
import glob
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'scripts'))
from gen_samples import _pcapng_block, inet_checksum  # noqa: E402

SMTP_PORTS = (25, 587)
DNS_PORT = 53

# the cast of the built captures, as byte lists
C4, S4, R4 = [192, 0, 2, 10], [203, 0, 113, 25], [198, 51, 100, 53]
C6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [0x10]
S6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [0x25]
R6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [0x53]

# ---------------------------------------------------------------- reading


# the first 4 bytes of a classic pcap: (byte order, nanosecond timestamps)
PCAP_MAGICS = {b'\xd4\xc3\xb2\xa1': ('<', False), b'\xa1\xb2\xc3\xd4': ('>', False),
               b'\x4d\x3c\xb2\xa1': ('<', True), b'\xa1\xb2\x3c\x4d': ('>', True)}


def read_capture(path):
    """Yield (ts, linktype, frame) for every packet of a pcap or pcapng."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in PCAP_MAGICS:
        yield from _read_pcap(data, *PCAP_MAGICS[magic])
    elif magic == b'\x0a\x0d\x0d\x0a':
        yield from _read_pcapng(data)


def _read_pcap(data, e, nano):
    if len(data) < 24:
        return
    linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        frame = data[off:off + caplen]
        off += caplen
        yield sec + frac / (1e9 if nano else 1e6), linktype, frame


def _read_pcapng(data):
    off = 0
    e = '<'
    ifaces = []  # (linktype, ts resolution)
    while off + 12 <= len(data):
        btype = struct.unpack(e + 'I', data[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            ifaces = []
        blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            lt = struct.unpack(e + 'H', body[:2])[0]
            res = 1e6
            o = 8
            while o + 4 <= len(body):
                code, ln = struct.unpack(e + 'HH', body[o:o + 4])
                if code == 0:
                    break
                if code == 9 and ln >= 1:
                    v = body[o + 4]
                    res = (2 ** (v & 0x7f)) if v & 0x80 else 10 ** v
                o += 4 + ((ln + 3) & ~3)
            ifaces.append((lt, res))
        elif btype == 6:  # EPB
            iid, hi, lo, caplen, _ = struct.unpack(e + 'IIIII', body[:20])
            if iid < len(ifaces):
                lt, res = ifaces[iid]
                yield ((hi << 32) | lo) / res, lt, body[20:20 + caplen]
        elif btype == 3 and ifaces:  # SPB
            lt, _ = ifaces[0]
            yield 0.0, lt, body[4:]
        off += blen


def strip_link(lt, fr):
    """Return the IP packet of a frame, or None."""
    if lt == 1:  # Ethernet, VLAN tags
        if len(fr) < 14:
            return None
        et = struct.unpack('>H', fr[12:14])[0]
        o = 14
        while et in (0x8100, 0x88a8, 0x9100) and len(fr) >= o + 4:
            et = struct.unpack('>H', fr[o + 2:o + 4])[0]
            o += 4
        return fr[o:] if et in (0x0800, 0x86dd) else None
    if lt == 113:  # Linux SLL
        return fr[16:] if len(fr) >= 16 else None
    if lt == 276:  # Linux SLL2
        return fr[20:] if len(fr) >= 20 else None
    if lt in (101, 228, 229, 12, 14):  # raw IP
        return fr
    if lt in (0, 108):  # BSD loopback
        return fr[4:] if len(fr) >= 4 else None
    return None


def parse_ip(ip):
    """(src, dst, proto, payload) of an unfragmented IPv4/IPv6 packet."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0]
        frag = struct.unpack('>H', ip[6:8])[0]
        if frag & 0x3fff:
            return None
        return ip[12:16], ip[16:20], ip[9], ip[ihl:max(tot, ihl)]
    if v == 6 and len(ip) >= 40:
        plen = struct.unpack('>H', ip[4:6])[0]
        return ip[8:24], ip[24:40], ip[6], ip[40:40 + plen]
    return None


def l4_wire_len(ip):
    """Length of the IP payload as sent (the IP header's own figure)."""
    if ip[0] >> 4 == 4:
        return struct.unpack('>H', ip[2:4])[0] - (ip[0] & 15) * 4
    return struct.unpack('>H', ip[4:6])[0]


def packets(path):
    """Yield (ts, src, dst, proto, sport, dport, l4) for TCP and UDP; for
    TCP, l4 also has the ACK and the payload's length on the wire."""
    for ts, lt, fr in read_capture(path):
        ip = strip_link(lt, fr)
        p = parse_ip(ip)
        if not p:
            continue
        src, dst, proto, l4 = p
        if proto == 17 and len(l4) >= 8:
            sp, dp = struct.unpack('>HH', l4[:4])
            yield ts, src, dst, 17, sp, dp, {'payload': l4[8:]}
        elif proto == 6 and len(l4) >= 20:
            sp, dp, seq, ack = struct.unpack('>HHII', l4[:12])
            doff = (l4[12] >> 4) * 4
            flags = l4[13]
            yield ts, src, dst, 6, sp, dp, {
                'seq': seq, 'ack': ack, 'flags': flags,
                'payload': l4[doff:],
                'wire': max(0, l4_wire_len(ip) - doff)}


def tcp_streams(path, ports):
    """Connections to one of ports: list of (key, [(dir, ts, bytes)]) with
    dir 0 client->server, 1 server->client, retransmissions removed."""
    conns = {}
    order = []
    for ts, src, dst, proto, sp, dp, t in packets(path):
        if proto != 6:
            continue
        if dp in ports:
            key, d = (src, sp, dst, dp), 0
        elif sp in ports:
            key, d = (dst, dp, src, sp), 1
        else:
            continue
        c = conns.get(key)
        if c is None:
            c = conns[key] = {'next': [None, None], 'pieces': []}
            order.append(key)
        if t['flags'] & 0x02:  # SYN
            c['next'][d] = (t['seq'] + 1) & 0xffffffff
            continue
        data = t['payload']
        if not data:
            continue
        seq = t['seq']
        nxt = c['next'][d]
        if nxt is not None:
            ahead = (seq - nxt) & 0xffffffff
            if ahead >= 0x80000000:  # starts before next: trim the old part
                behind = (nxt - seq) & 0xffffffff
                if behind >= len(data):
                    continue  # a retransmission
                data = data[behind:]
                seq = nxt
        c['next'][d] = (seq + len(data)) & 0xffffffff
        c['pieces'].append((d, ts, data))
    return [(k, conns[k]['pieces']) for k in order if conns[k]['pieces']]


# ---------------------------------------------------------------- encoding


def smtp_script(pieces):
    """Encode [(dir, ts, bytes)] in fuzz_smtp's format; an int instead of
    bytes is a gap of that many lost bytes."""
    out = bytearray()
    last = pieces[0][1] if pieces else 0.0
    for d, ts, data in pieces:
        step = min(int(round(max(0.0, ts - last) / 0.01)), 63)
        last = ts
        if isinstance(data, int):
            out += bytes([(step << 2) | 2 | d]) + struct.pack('<H', min(data, 65535))
            continue
        for i in range(0, max(len(data), 1), 65535):
            chunk = data[i:i + 65535]
            out += bytes([(step << 2) | d])
            out += struct.pack('<H', len(chunk)) + chunk
            step = 0
    return bytes(out)


def S(*pieces):
    """Hand-written script: pieces of ('c'|'s', bytes)."""
    return smtp_script([(0 if d == 'c' else 1, i * 0.05, b)
                        for i, (d, b) in enumerate(pieces)])


def smtp_edge_cases():
    g = b'220 mx.example.org ESMTP\r\n'
    ehlo = b'250-mx.example.org\r\n250-PIPELINING\r\n250-STARTTLS\r\n' \
           b'250-CHUNKING\r\n250 8BITMIME\r\n'
    return {
        'starttls': S(('s', g), ('c', b'EHLO a\r\n'), ('s', ehlo),
                      ('c', b'STARTTLS\r\n\x16\x03\x01'),
                      ('s', b'220 go ahead\r\n\x16\x03\x03\x00\x10'),
                      ('c', b'\x16\x03\x01\x00\x05hello')),
        'bdat': S(('s', g), ('c', b'EHLO a\r\nMAIL FROM:<a@b>\r\n'
                              b'RCPT TO:<c@d>\r\nBDAT 5\r\nhelloBDAT 0 LAST\r\n'),
                  ('s', ehlo + b'250 ok\r\n250 ok\r\n250 5 bytes\r\n'
                   b'250 done\r\n'), ('c', b'QUIT\r\n'), ('s', b'221 bye\r\n')),
        'bdat-bogus': S(('s', g), ('c', b'BDAT 99999999999999999999\r\n'
                                   b'BDAT\r\nBDAT -1 LAST\r\nBDAT 3x\r\n')),
        'xexch50': S(('s', g), ('c', b'EHLO a\r\nMAIL FROM:<a@b>\r\n'
                                 b'RCPT TO:<c@d>\r\nXEXCH50 8 2\r\n'),
                     ('s', b'250 ok\r\n250 ok\r\n250 ok\r\n354 send blob\r\n'),
                     ('c', b'\x00\x01\x02\r\n\r\n.\x00'),
                     ('s', b'250 blob ok\r\n')),
        'data': S(('s', g), ('c', b'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'),
                  ('s', b'250 ok\r\n250 ok\r\n354 go\r\n'),
                  ('c', b'Subject: x\r\n\r\n..dot\r\nbare\nlf\r\n.\r'),
                  ('c', b'\n'), ('s', b'250 queued\r\n')),
        'data-refused': S(('s', g), ('c', b'DATA\r\nline\r\n.\r\n'),
                          ('s', b'503 need MAIL\r\n')),
        'auth': S(('s', g), ('c', b'AUTH LOGIN\r\n'), ('s', b'334 VXNlcm5hbWU6\r\n'),
                  ('c', b'dXNlcg==\r\n'), ('s', b'334 UGFzc3dvcmQ6\r\n'),
                  ('c', b'cGFzcw==\r\n'), ('s', b'235 ok\r\n'),
                  ('c', b'AUTH PLAIN AHVzZXIAcGFzcw==\r\n'), ('s', b'503 already\r\n'),
                  ('c', b'AUTH LOGIN\r\n'), ('s', b'334 x\r\n'), ('c', b'*\r\n'),
                  ('s', b'501 cancelled\r\n')),
        'multiline-never-ends': S(('s', g), ('c', b'EHLO a\r\n'),
                                  ('s', b'250-a\r\n' * 300)),
        'code-mismatch': S(('s', b'220-a\r\n221-b\r\n220 c\r\n'),
                           ('c', b'HELO x\r\n'), ('s', b'250-x\r\n251 y\r\n')),
        'long-line': S(('s', g), ('c', b'MAIL FROM:<' + b'a' * 5000 + b'>\r\n'),
                       ('s', b'500 too long\r\n' + b'5' * 9000)),
        'bare-lf': S(('s', b'220 hi\n'), ('c', b'HELO x\n'), ('s', b'250 ok\n'),
                     ('c', b'QUIT\r\n'), ('s', b'221 bye\n')),
        'pipeline-overflow': S(('s', g), ('c', b'NOOP\r\n' * 80),
                               ('s', b'250 ok\r\n' * 70)),
        'unsolicited': S(('s', g + b'250 what\r\n'), ('s', b'xyz\r\n99 short\r\n'),
                         ('s', b'600 high\r\n0999 \r\n')),
        'nul-bytes': S(('s', b'220 a\x00b\r\n'), ('c', b'HE\x00LO x\x00\r\n'),
                       ('s', b'250 \xff\xfe\r\n')),
        'gap-in-line': S(('s', g), ('c', b'EHLO a\r\nMAIL FR'), ('c', 100),
                         ('c', b'OM:<a@b>\r\nRCPT TO:<c@d>\r\n'),
                         ('s', b'250 ok\r\n250-x'), ('s', 7), ('s', b'y\r\n250 ok\r\n')),
        'gap-in-data': S(('s', g), ('c', b'DATA\r\n'), ('s', b'354 go\r\n'),
                         ('c', b'body\r\nmore'), ('c', 1000), ('c', b'\r\n.\r\n'),
                         ('s', b'250 ok\r\n')),
        'gap-in-blob': S(('s', g), ('c', b'BDAT 100 LAST\r\nabc'), ('c', 90),
                         ('c', b'1234567QUIT\r\n'), ('s', b'250 ok\r\n221 bye\r\n')),
        'finish-pending': S(('s', g), ('c', b'EHLO a\r\nMAIL FROM:<a@b>\r\n'
                                        b'RCPT TO:<c@d>\r\nDATA\r\nQUIT\r\npartial')),
    }


# ---------------------------------------------------------------- DNS


def dns_name(name):
    out = b''
    for label in name.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\x00'


def dns_header(qid=0x1234, flags=0x8180, qd=1, an=0, ns=0, ar=0):
    return struct.pack('>HHHHHH', qid, flags, qd, an, ns, ar)


def rr(name_wire, rtype, rdata, ttl=300):
    return name_wire + struct.pack('>HHIH', rtype, 1, ttl, len(rdata)) + rdata


def dns_edge_cases():
    q = dns_name('10.2.0.192.in-addr.arpa') + struct.pack('>HH', 12, 1)
    cases = {}
    # a pointer to itself, a forward pointer, a two-pointer loop
    cases['ptr-self'] = dns_header(qd=1) + b'\xc0\x0c' + b'\x00\x01\x00\x01'
    cases['ptr-forward'] = dns_header(qd=1) + b'\xc0\x12\x00\x01\x00\x01' + \
        dns_name('a.example')
    loop = dns_header(qd=1, an=1) + dns_name('x.example') + b'\x00\x01\x00\x01'
    loop += b'\xc0\x20' + struct.pack('>HHIH', 5, 1, 60, 2) + b'\xc0\x1e'
    cases['ptr-loop'] = loop
    # a long chain of backward pointers (more hops than allowed)
    body = bytearray(dns_header(qd=1)) + b'\x01a\x00'
    for _ in range(80):
        prev = len(body) - 2 if len(body) > 15 else 12
        body += bytes([0xc0 | (prev >> 8), prev & 0xff])
    cases['ptr-chain'] = bytes(body) + b'\x00\x01\x00\x01'
    # names at and over the limits
    cases['name-255'] = dns_header(qd=1) + dns_name('.'.join(['a' * 63] * 3 + ['b' * 61])) + b'\x00\x01\x00\x01'
    cases['name-256'] = dns_header(qd=1) + dns_name('.'.join(['a' * 63] * 4)) + b'\x00\x01\x00\x01'
    cases['label-64'] = dns_header(qd=1) + b'\x40' + b'a' * 64 + b'\x00\x00\x01\x00\x01'
    cases['label-reserved'] = dns_header(qd=1) + b'\x80\x01' + b'\x00\x01\x00\x01'
    cases['escapes'] = dns_header(qd=1) + b'\x05a.b\\\xff\x03 \x00\x7f\x00\x00\x01\x00\x01'
    # many records, every type, bad rdata lengths
    ans = b''.join(rr(b'\xc0\x0c', 1, bytes([192, 0, 2, i])) for i in range(40))
    cases['many-a'] = dns_header(an=40) + q + ans
    types = [rr(b'\xc0\x0c', 1, b'\x01\x02\x03'),
             rr(b'\xc0\x0c', 28, bytes(range(16))),
             rr(b'\xc0\x0c', 28, b'\x00' * 15),
             rr(b'\xc0\x0c', 12, dns_name('mail.sender.example')),
             rr(b'\xc0\x0c', 5, b'\xc0\x0c'),
             rr(b'\xc0\x0c', 2, dns_name('ns.example')),
             rr(b'\xc0\x0c', 15, b'\x00\x0a' + dns_name('mx1.example.org')),
             rr(b'\xc0\x0c', 15, b'\x00'),
             rr(b'\xc0\x0c', 16, b'\x0bv=spf1 -all\x03\x00\xff\n\x05short'),
             rr(b'\xc0\x0c', 6, dns_name('ns.example') + dns_name('h.example') +
                struct.pack('>IIIII', 1, 2, 3, 4, 5)),
             rr(b'\xc0\x0c', 6, dns_name('ns.example')),
             rr(b'\xc0\x0c', 33, b'\x00\x01\x00\x02\x00\x19' + dns_name('smtp.example')),
             rr(b'\xc0\x0c', 99, b'\xde\xad')]
    cases['types'] = dns_header(an=len(types)) + q + b''.join(types)
    opt = b'\x00' + struct.pack('>HHIH', 41, 4096, 0x00008000, 0)
    cases['edns'] = dns_header(flags=0x8183, ar=1) + q + opt
    cases['edns-ext-rcode'] = dns_header(flags=0x8183, ar=1) + q + \
        b'\x00' + struct.pack('>HHIH', 41, 512, 0x01000000, 4) + b'\x00\x0a\x00\x00'
    cases['tc'] = dns_header(flags=0x8380) + q
    cases['trunc-rr'] = dns_header(an=2) + q + rr(b'\xc0\x0c', 12, dns_name('x'))[:7]
    cases['trailing'] = dns_header(an=0) + q + b'junk'
    cases['query-qd0'] = dns_header(flags=0x0100, qd=0)
    cases['opcode7'] = dns_header(flags=0x3900)
    cases['header-only'] = dns_header()[:11]
    # DNSBL / ip6.arpa questions (fuzz_dns reads names out of them)
    cases['dnsbl'] = dns_header(flags=0x0100) + dns_name('10.2.0.192.zen.spamhaus.org') + b'\x00\x01\x00\x01'
    six = '.'.join('0123456789abcdef0123456789abcdef') + '.ip6.arpa'
    cases['ip6-arpa'] = dns_header(flags=0x0100) + dns_name(six) + b'\x00\x0c\x00\x01'
    cases['dnsbl6'] = dns_header(flags=0x0100) + dns_name(six.replace('ip6.arpa', 'dnsbl.example')) + b'\x00\x01\x00\x01'
    # TCP framing: two messages, a zero length, a length past the end
    m = cases['types']
    cases['tcp-stream'] = struct.pack('>H', len(m)) + m + b'\x00\x00' + \
        struct.pack('>H', len(q) + 12) + dns_header() + q + b'\xff\xff\x00'
    return cases


# ---------------------------------------------------------------- captures


def pcap_file(frames, linktype=1, snaplen=65535, nano=False, big=False):
    """frames: (ts, frame); frames longer than snaplen are cut to it.
    nano: nanosecond timestamps (magic a1b23c4d); big: big-endian."""
    e = '>' if big else '<'
    out = struct.pack(e + 'IHHiIII', 0xa1b23c4d if nano else 0xa1b2c3d4,
                      2, 4, 0, 0, snaplen, linktype)
    for ts, fr in frames:
        cap = fr[:snaplen]
        frac = int((ts % 1) * (1e9 if nano else 1e6))
        out += struct.pack(e + 'IIII', int(ts), frac, len(cap), len(fr))
        out += cap
    return out


def pcapng_file(frames, linktype=1, tsresol=6):
    """frames: (ts, frame) as one section, one interface, enhanced packet
    blocks; tsresol: if_tsresol (6: microseconds, 9: nanoseconds)."""
    out = _pcapng_block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))
    opts = struct.pack('<HHB3x', 9, 1, tsresol) + struct.pack('<HH', 0, 0)
    out += _pcapng_block(1, struct.pack('<HHI', linktype, 0, 65535) + opts)
    for ts, fr in frames:
        units = int(round(ts * 10 ** tsresol))
        out += _pcapng_block(6, struct.pack('<IIIII', 0, units >> 32,
                                            units & 0xffffffff, len(fr), len(fr)) + fr)
    return out


def ipv4(src, dst, proto, payload, ident=1, frag=0, more=False, total=None):
    flags_off = (0x2000 if more else 0) | (frag // 8)
    tl = total if total is not None else 20 + len(payload)
    h = struct.pack('>BBHHHBBH4s4s', 0x45, 0, tl, ident, flags_off, 64, proto,
                    0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack('>H', inet_checksum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack('>IHBB16s16s', 0x60000000, len(payload), nh, 64,
                       bytes(src), bytes(dst)) + payload


def eth(ip, v6=False):
    return b'\x02' * 6 + b'\x04' * 6 + (b'\x86\xdd' if v6 else b'\x08\x00') + ip


def udp(sp, dp, data):
    return struct.pack('>HHHH', sp, dp, 8 + len(data), 0) + data


def tcp(sp, dp, seq, ack, flags, data=b''):
    return struct.pack('>HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535,
                       0, 0) + data


def smtp_over(ipf, ethf, cli, srv, t0, convo):
    """Frames of a whole SMTP session: handshake, convo [(dir, bytes)], FIN."""
    fr = []
    cs, ss = 1000, 5000
    t = t0

    def add(d, flags, data=b''):
        nonlocal cs, ss, t
        t += 0.01
        if d == 0:
            seg = tcp(40000, 25, cs, ss, flags, data)
            fr.append((t, ethf(ipf(cli, srv, 6, seg))))
            cs += len(data) + (1 if flags & 0x03 else 0)
        else:
            seg = tcp(25, 40000, ss, cs, flags, data)
            fr.append((t, ethf(ipf(srv, cli, 6, seg))))
            ss += len(data) + (1 if flags & 0x03 else 0)
    add(0, 0x02)
    add(1, 0x12)
    add(0, 0x10)
    for d, data in convo:
        add(d, 0x18, data)
    add(0, 0x11)
    add(1, 0x11)
    add(0, 0x10)
    return fr


def built_captures(dns_cases):
    caps = {}
    # DNS loops and oddities over UDP/IPv4, each as a query and a response
    frames = []
    t = 1700000000.0
    for name in ('ptr-self', 'ptr-loop', 'ptr-chain', 'name-256', 'types',
                 'many-a', 'edns-ext-rcode', 'trunc-rr'):
        t += 0.1
        frames.append((t, eth(ipv4(S4, R4, 17, udp(33333, 53, dns_cases[name])))))
        frames.append((t + 0.05, eth(ipv4(R4, S4, 17, udp(53, 33333, dns_cases[name])))))
    caps['dns-oddities'] = pcap_file(frames)
    # DNS over IPv6, PTR under ip6.arpa
    q = dns_cases['ip6-arpa']
    resp = bytearray(q)
    resp[2:4] = b'\x81\x80'
    resp[6:8] = b'\x00\x01'
    resp = bytes(resp) + rr(b'\xc0\x0c', 12, dns_name('mail.sender.example'))
    caps['dns-ipv6'] = pcap_file([
        (t + 1, eth(ipv6(S6, R6, 17, udp(40001, 53, q)), v6=True)),
        (t + 2.5, eth(ipv6(R6, S6, 17, udp(53, 40001, resp)), v6=True))])
    # a DNS response in two IPv4 fragments
    big = udp(53, 33333, dns_cases['many-a'])
    ipb = ipv4(R4, S4, 17, big)[20:]
    caps['dns-fragments'] = pcap_file([
        (t, eth(ipv4(S4, R4, 17, udp(33333, 53, dns_cases['many-a'][:12] +
                                     dns_cases['many-a'][12:12 + 29])))),
        (t + 0.1, eth(ipv4(R4, S4, 17, ipb[:200], ident=7, more=True))),
        (t + 0.2, eth(ipv4(R4, S4, 17, ipb[200:], ident=7, frag=200)))])
    convo = [(1, b'220 mx ESMTP\r\n'), (0, b'EHLO a\r\n'),
             (1, b'250-mx\r\n250 PIPELINING\r\n'),
             (0, b'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n'),
             (1, b'250 ok\r\n250 ok\r\n354 go\r\n'),
             (0, b'Subject: x\r\n\r\nhi\r\n.\r\n'), (1, b'250 queued\r\n'),
             (0, b'QUIT\r\n'), (1, b'221 bye\r\n')]
    caps['smtp-ipv6'] = pcap_file(smtp_over(ipv6, lambda ip: eth(ip, v6=True),
                                            C6, S6, t, convo))
    caps['smtp-raw-ipv4'] = pcap_file(smtp_over(ipv4, lambda ip: ip, C4, S4, t,
                                                convo), linktype=101)
    # the same session damaged the ways a capture can be: frame indexes
    # 0-2 are the handshake, 3.. the conversation, the last three the close
    fr = smtp_over(ipv4, eth, C4, S4, t, convo)
    caps['smtp-lost-segment'] = pcap_file(fr[:6] + fr[7:])       # MAIL..DATA lost
    caps['smtp-midstream'] = pcap_file(fr[4:])                   # no handshake
    caps['smtp-reordered'] = pcap_file(fr[:5] + [fr[6], fr[5]] + fr[7:])
    caps['smtp-retransmitted'] = pcap_file(fr[:7] + [fr[6], fr[5]] + fr[7:])
    caps['smtp-snaplen'] = pcap_file(fr, snaplen=70)            # payloads cut
    return caps


# ---------------------------------------------------------------- TCP reassembly


class ReasmScript:
    """A script in fuzz_tcpreasm.c's format, built from absolute sequence
    numbers: a record is written with 16-bit steps from the cursors when
    they fit, else with ABS (both its numbers absolute)."""
    SEG, ACK, SYN, FLUSH, RESET, CLOCK, BIG = 0, 1, 2, 3, 4, 5, 7
    ABS, FIN, CUT, ACKF = 0x10, 0x20, 0x40, 0x80

    def __init__(self, budget=None):
        """budget: the shared limit in 2 KiB steps (0..127), None: none."""
        self.b = bytearray([0x80 if budget is None else budget])
        self.cur = [1000, 0xfffff000]  # as fuzz_tcpreasm.c starts them

    @staticmethod
    def _step(v, base):
        d = (v - base) & 0xffffffff
        if d >= 0x80000000:
            d -= 1 << 32
        return d if -32768 <= d <= 32767 else None

    def seg(self, d, seq, wire, cap=None, fin=False, ack=None):
        """A segment of d: wire bytes at seq, cap of them captured; ack:
        what d acknowledges of the other direction."""
        assert wire <= 65535 + 65536
        kind = self.BIG if wire > 65535 else self.SEG
        op = d | kind << 1 | (self.FIN if fin else 0)
        rs = self._step(seq, self.cur[d])
        ra = None if ack is None else self._step(ack, self.cur[1 - d])
        absolute = rs is None or (ack is not None and ra is None)
        body = struct.pack('<I', seq & 0xffffffff) if absolute else \
            struct.pack('<h', rs)
        body += struct.pack('<H', wire - 65536 if kind == self.BIG else wire)
        if cap is not None and cap < wire:
            op |= self.CUT
            c = max(k for k in range(256) if (wire * k) >> 8 <= cap)
            body += bytes([c])
        if ack is not None:
            op |= self.ACKF
            body += struct.pack('<I', ack & 0xffffffff) if absolute else \
                struct.pack('<h', ra)
        self.b += bytes([op | (self.ABS if absolute else 0)]) + body
        self.cur[d] = (seq + wire + (1 if fin else 0)) & 0xffffffff
        return self

    def ack(self, d, ack):
        """A pure ACK sent by d."""
        r = self._step(ack, self.cur[1 - d])
        if r is None:
            self.b += bytes([d | self.ACK << 1 | self.ABS]) + \
                struct.pack('<I', ack & 0xffffffff)
        else:
            self.b += bytes([d | self.ACK << 1]) + struct.pack('<h', r)
        return self

    def syn(self, d, isn):
        first = (isn + 1) & 0xffffffff
        r = self._step(first, self.cur[d])
        if r is None:
            self.b += bytes([d | self.SYN << 1 | self.ABS]) + \
                struct.pack('<I', first)
        else:
            self.b += bytes([d | self.SYN << 1]) + struct.pack('<h', r)
        self.cur[d] = first
        return self

    def flush(self, d):
        self.b += bytes([d | self.FLUSH << 1])
        return self

    def reset(self, d):
        self.b += bytes([d | self.RESET << 1])
        return self

    def clock(self, seconds):
        steps = int(seconds / 0.01)
        while steps > 0:
            self.b += bytes([self.CLOCK << 1, min(steps, 255)])
            steps -= 255
        return self

    def data(self):
        return bytes(self.b)


def reasm_scripts(path):
    """Each TCP connection of a capture as a fuzz_tcpreasm script: SYNs,
    segments (with their ACKs, FINs and snaplen cuts) and pure ACKs, in
    capture order; direction 0 sent the first packet seen."""
    conns = {}
    order = []
    for ts, src, dst, proto, sp, dp, t in packets(path):
        if proto != 6:
            continue
        a, b = (src, sp), (dst, dp)
        key = (a, b) if (a, b) <= (b, a) else (b, a)
        c = conns.get(key)
        if c is None:
            c = conns[key] = {'first': a, 'pk': []}
            order.append(key)
        c['pk'].append((ts, 0 if a == c['first'] else 1, t))
    out = []
    for key in order:
        sc = ReasmScript(budget=0x7f)
        last = None
        for ts, d, t in conns[key]['pk']:
            if last is not None and ts - last >= 0.01:
                sc.clock(ts - last)
            last = ts
            fl, seq = t['flags'], t['seq']
            ack = t['ack'] if fl & 0x10 else None
            if fl & 0x04:  # RST: flow/smtpflow.c passes it over
                continue
            if fl & 0x02:
                sc.syn(d, seq)
                seq += 1
            wire = max(t['wire'], len(t['payload']))
            if wire or fl & 0x01:
                sc.seg(d, seq, wire, cap=len(t['payload']),
                       fin=bool(fl & 0x01), ack=ack)
            elif ack is not None:
                sc.ack(d, ack)
        out.append(sc.data())
    return out


def reasm_edge_cases():
    """Hand-written scripts: offsets from ISN + 1 of 1000 (client, 0) and
    5000 (server, 1)."""
    C, S = 1000, 5000
    R = ReasmScript
    cases = {}
    cases['conversation'] = R().syn(0, C - 1).syn(1, S - 1) \
        .seg(1, S, 30, ack=C).seg(0, C, 12, ack=S + 30) \
        .seg(1, S + 30, 60, ack=C + 12).seg(0, C + 12, 100, ack=S + 90) \
        .ack(1, C + 112).seg(0, C + 112, 0, fin=True, ack=S + 90) \
        .seg(1, S + 90, 0, fin=True, ack=C + 113).ack(0, S + 91).data()
    cases['reorder'] = R().syn(0, C - 1).seg(0, C + 100, 100) \
        .seg(0, C + 200, 50).seg(0, C, 100).ack(1, C + 250).data()
    cases['retransmit-overlap'] = R().syn(0, C - 1).seg(0, C, 100) \
        .seg(0, C, 100).seg(0, C + 50, 100).seg(0, C + 300, 20) \
        .seg(0, C + 290, 40).seg(0, C + 150, 200).data()
    cases['hole-ack-past'] = R().syn(0, C - 1).seg(0, C, 100) \
        .seg(0, C + 200, 100).ack(1, C + 100).ack(1, C + 300).data()
    cases['ack-only-lost'] = R().syn(0, C - 1).seg(0, C, 27) \
        .ack(1, C + 54).seg(0, C + 54, 6).ack(1, C + 60).data()
    cases['two-holes-ack'] = R().syn(0, C - 1).seg(0, C, 10) \
        .seg(0, C + 100, 100).seg(0, C + 300, 100).ack(1, C + 500) \
        .seg(0, C + 450, 10).data()
    cases['budget-refusal'] = R(budget=1).syn(0, C - 1).syn(1, S - 1) \
        .seg(0, C, 10).seg(0, C + 100, 1000).seg(1, S + 10, 1000) \
        .seg(0, C + 3000, 1500).seg(1, S, 10).data()
    cases['hold-cap'] = R().syn(0, C - 1).seg(0, C + 10, 1) \
        .seg(0, C + 20, 60000).seg(0, C + 60030, 6000).data()
    cases['hold-cap-budget'] = R(budget=40).syn(0, C - 1).syn(1, S - 1) \
        .seg(0, C + 10, 40000).seg(1, S + 10, 40000) \
        .seg(0, C + 40020, 30000).seg(1, S + 40020, 30000).data()
    cases['too-big'] = R().syn(0, C - 1).seg(0, C, 10) \
        .seg(0, C + 20, 70000).seg(0, C + 10, 10).data()
    cases['snaplen'] = R().syn(0, C - 1).seg(0, C, 98, cap=42) \
        .seg(0, C + 98, 90, cap=42).seg(0, C + 188, 500, cap=0) \
        .seg(0, C + 750, 10).seg(0, C + 688, 100, cap=20).data()
    cases['snaplen-held'] = R().syn(0, C - 1).seg(0, C + 50, 10) \
        .seg(0, C, 100, cap=20).seg(0, C + 150, 10).seg(0, C + 100, 100, cap=0) \
        .data()
    cases['wrap'] = R().syn(0, 0xffffffef).seg(0, 0xfffffff0, 10) \
        .seg(0, 0x4, 20).seg(0, 0xfffffffa, 10).seg(0, 0x30, 40) \
        .ack(1, 0x58).data()
    cases['midstream'] = R().ack(1, C + 500).seg(0, C + 500, 34) \
        .seg(0, C + 400, 100).seg(0, C + 534, 26).seg(0, C + 600, 10) \
        .ack(1, C + 610).data()
    cases['fin'] = R().syn(0, C - 1).seg(0, C, 10).seg(0, C + 20, 0, fin=True) \
        .ack(1, C + 21).seg(0, C + 10, 5, fin=True).ack(1, C + 16).data()
    cases['flush-midway'] = R().syn(0, C - 1).seg(0, C + 10, 10).flush(0) \
        .seg(0, C + 40, 10).seg(0, C, 10).flush(0).seg(0, C + 20, 30) \
        .data()
    cases['reset-reuse'] = R(budget=10).syn(0, C - 1).seg(0, C, 10) \
        .seg(0, C + 100, 5000).reset(0).syn(0, C + 9999) \
        .seg(0, C + 10000, 10).seg(0, C + 10100, 5000).flush(0).data()
    cases['syn-late'] = R().syn(0, C - 1).seg(0, C + 50, 10).syn(0, C + 9) \
        .seg(0, C + 10, 40).syn(0, C + 500).seg(0, C + 60, 10).data()
    cases['time'] = R().syn(0, C - 1).seg(0, C + 10, 10).clock(3.0) \
        .seg(0, C, 10).clock(100.0).ack(1, C + 40).data()
    return cases


# ---------------------------------------------------------------- merge

MERGE_SEP = b'\xffMXNEXT\xff'  # fuzz_merge.c's FZ_SEP


def merge_seeds(files, dns_cases):
    """fuzz_merge inputs: captures cut into 2 or 3 files (pcap, pcapng,
    nanosecond and big-endian pcap) whose timestamps interleave, pairs of
    captures, a capture alone (merged with itself), and damaged or odd
    files among good ones."""
    seeds = {}
    caps = []
    for path in files:
        fr = list(read_capture(path))
        if fr and len(set(lt for _, lt, _ in fr)) == 1:
            caps.append((seed_base(path), fr[0][1], [(ts, f) for ts, _, f in fr]))
    for base, lt, fr in caps:
        if 'lab' in base:
            continue  # the bundled samples are enough as a base
        seeds['split2-%s' % base] = MERGE_SEP.join(
            [pcap_file(fr[0::2], lt), pcap_file(fr[1::2], lt)])
        seeds['split2ng-%s' % base] = MERGE_SEP.join(
            [pcapng_file(fr[0::2], lt), pcapng_file(fr[1::2], lt, tsresol=9)])
        seeds['split3-%s' % base] = MERGE_SEP.join(
            [pcap_file(fr[0::3], lt, nano=True), pcapng_file(fr[1::3], lt),
             pcap_file(fr[2::3], lt, big=True)])
    for (a, lta, fa), (b, ltb, fb) in zip(caps[0::2], caps[1::2]):
        seeds['pair-%s-%s' % (a, b)] = MERGE_SEP.join(
            [pcap_file(fa, lta), pcapng_file(fb, ltb)])
    for base, lt, fr in caps[:3]:
        seeds['self-%s' % base] = pcap_file(fr, lt)
    if caps:
        base, lt, fr = caps[0]
        whole = pcap_file(fr, lt)
        seeds['damaged-third'] = MERGE_SEP.join(
            [pcap_file(fr[0::2], lt), pcap_file(fr[1::2], lt), whole[:len(whole) - 7]])
        seeds['empty-second'] = MERGE_SEP.join([whole, b''])
        seeds['not-a-capture'] = MERGE_SEP.join([whole, b'EHLO x\r\n', whole])
        seeds['out-of-order'] = MERGE_SEP.join(
            [pcap_file(list(reversed(fr)), lt), pcapng_file(fr, lt)])
        # the same packets at the same times in every file: ties
        seeds['ties3'] = MERGE_SEP.join([pcap_file(fr, lt), pcapng_file(fr, lt),
                                         pcap_file(fr, lt, nano=True)])
    # other link types side by side: raw IP, Ethernet, IPv6
    convo = [(1, b'220 mx ESMTP\r\n'), (0, b'HELO a\r\n'), (1, b'250 ok\r\n'),
             (0, b'QUIT\r\n'), (1, b'221 bye\r\n')]
    t = 1700000000.0
    raw = smtp_over(ipv4, lambda ip: ip, C4, S4, t, convo)
    e6 = smtp_over(ipv6, lambda ip: eth(ip, v6=True), C6, S6, t + 0.005, convo)
    dns = [(t + 0.002 + 0.01 * i, eth(ipv4(S4, C4, 17, udp(33333, 53, dns_cases[k]))))
           for i, k in enumerate(('types', 'many-a', 'edns'))]
    seeds['linktypes3'] = MERGE_SEP.join([pcap_file(raw, 101), pcapng_file(e6, 1),
                                          pcap_file(dns, 1, snaplen=80)])
    # one SMTP session whose two directions were captured apart
    fr = smtp_over(ipv4, eth, C4, S4, t, convo)
    seeds['directions'] = MERGE_SEP.join([pcap_file(fr[0::2]), pcapng_file(fr[1::2])])
    return seeds


# ---------------------------------------------------------------- main


def seed_base(path):
    """The start of a seed's name: the capture's path without extension,
    '/' turned into '_' (samples/lab/normal.pcap: samples_lab_normal)."""
    return os.path.splitext(os.path.relpath(path).replace(os.sep, '_'))[0]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    files = sys.argv[2:] or sorted(glob.glob('samples/*.pcap') +
                                   glob.glob('samples/*.pcapng') +
                                   glob.glob('samples/lab/*.pcap'))
    # the lost, reordered and cut segments of samples/odd/ are what TCP
    # reassembly is about: its scripts and the merge seeds use them too
    odd = [] if sys.argv[2:] else sorted(glob.glob('samples/odd/*.pcap'))
    targets = ('pipeline', 'smtp', 'dns', 'tcpreasm', 'merge')
    for t in targets:
        shutil.rmtree(os.path.join(out, t), ignore_errors=True)
        os.makedirs(os.path.join(out, t))

    def put(target, name, data):
        with open(os.path.join(out, target, name), 'wb') as f:
            f.write(data)

    for path in files:
        base = seed_base(path)
        with open(path, 'rb') as f:
            put('pipeline', base + os.path.splitext(path)[1], f.read())
        for i, (_, pieces) in enumerate(tcp_streams(path, SMTP_PORTS)):
            put('smtp', '%s-%d' % (base, i), smtp_script(pieces))
        n = 0
        for _, _, _, proto, sp, dp, t in packets(path):
            if proto == 17 and DNS_PORT in (sp, dp) and t['payload']:
                put('dns', '%s-udp%d' % (base, n), t['payload'])
                n += 1
        for i, (_, pieces) in enumerate(tcp_streams(path, (DNS_PORT,))):
            for d in (0, 1):
                stream = b''.join(p[2] for p in pieces if p[0] == d)
                if not stream:
                    continue
                put('dns', '%s-tcp%d-%d' % (base, i, d), stream)
                k = 0
                while len(stream) >= 2:
                    ln = struct.unpack('>H', stream[:2])[0]
                    put('dns', '%s-tcp%d-%d-msg%d' % (base, i, d, k),
                        stream[2:2 + ln])
                    stream = stream[2 + ln:]
                    k += 1
    # mirror encapsulations and tunnels (ERSPAN, GRE, VXLAN, MPLS, PPPoE):
    # whole captures for the pipeline, whose link layer peels them
    encap = [] if sys.argv[2:] else sorted(glob.glob('samples/encap/*.pcap'))
    for path in encap:
        with open(path, 'rb') as f:
            put('pipeline', seed_base(path) + '.pcap', f.read())
    for name, data in smtp_edge_cases().items():
        put('smtp', 'edge-' + name, data)
    dns_cases = dns_edge_cases()
    for name, data in dns_cases.items():
        put('dns', 'edge-' + name, data)
    for name, data in built_captures(dns_cases).items():
        put('pipeline', 'built-%s.pcap' % name, data)
    for name, data in reasm_edge_cases().items():
        put('tcpreasm', 'edge-' + name, data)
    for path in files + odd:
        for i, script in enumerate(reasm_scripts(path)):
            put('tcpreasm', '%s-%d' % (seed_base(path), i), script)
    for name, data in merge_seeds(files + odd, dns_cases).items():
        put('merge', name, data)
    for t in targets:
        print('make_corpus: %-8s %3d seeds in %s' %
              (t, len(os.listdir(os.path.join(out, t))), os.path.join(out, t)))


if __name__ == '__main__':
    main()
