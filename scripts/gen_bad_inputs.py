#!/usr/bin/env python3
"""gen_bad_inputs.py - write the damaged and odd captures of tests/bad-input/.

    python3 scripts/gen_bad_inputs.py                  # into tests/bad-input
    python3 scripts/gen_bad_inputs.py DIR              # somewhere else
    python3 scripts/gen_bad_inputs.py --check          # regenerate into a temp
                                                       # dir, compare with the
                                                       # committed files

Python 3 standard library only; deterministic (every byte comes from the
scenarios of scripts/gen_samples.py, which are deterministic themselves), so
two runs write byte-identical files.  What each file is and what mxray must
do with it is in FILES below; the expected exit status and stderr line of
each is in tests/bad-input/CASES, the extra checks (report before the damage,
same report as samples/normal.pcap) are in scripts/run-bad-input.sh.

The first files are plain text, an empty file, and damaged variants of
samples/normal.pcap (truncated header, truncated last record, absurd
caplen).
The "no permission" case is not a file here: a mode of 000 cannot be
committed to git, so scripts/run-bad-input.sh makes it at run time.
"""

import os
import struct
import sys

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
sys.path.insert(0, SCRIPTS_DIR)
import gen_samples as gs  # noqa: E402

LINKTYPE_USER0 = 147
PCAP_HDR = 24
REC_HDR = 16


def scenario_frames(filename):
    """(linktype, [(µs, frame)]) of one sample scenario of gen_samples."""
    spec = next(s for s in gs.SCENARIOS if s[1] == filename)
    cap = spec[3](spec[0])
    return cap.link.linktype, cap.frames()


def record_offsets(pcap):
    """Offsets of every record header of a little-endian microsecond pcap."""
    off, out = PCAP_HDR, []
    while off < len(pcap):
        out.append(off)
        off += REC_HDR + struct.unpack_from("<I", pcap, off + 8)[0]
    return out


def pcap_custom(linktype, frames, endian="<", nanosecond=False):
    """Classic pcap in either byte order, micro- or nanosecond timestamps."""
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = bytearray(struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0,
                                gs.SNAPLEN, linktype))
    for ts, data in frames:
        if nanosecond:
            sec, frac = ts // 1_000_000, (ts % 1_000_000) * 1000
        else:
            sec, frac = ts // 1_000_000, ts % 1_000_000
        out += struct.pack(endian + "IIII", sec, frac, len(data), len(data))
        out += data
    return bytes(out)


def pcapng_blocks(pcapng):
    """[(offset, type, total length)] of a little-endian pcapng."""
    off, out = 0, []
    while off < len(pcapng):
        btype, total = struct.unpack_from("<II", pcapng, off)
        out.append((off, btype, total))
        off += total
    return out


def build():
    """{file name: bytes} of every file of tests/bad-input."""
    files = {}

    # -- text, empty, and damaged variants of normal.pcap ---------------------
    lt, normal_frames = scenario_frames("normal.pcap")
    normal = gs.pcap_bytes(lt, normal_frames)
    recs = record_offsets(normal)
    last = recs[-1]
    caplen = struct.unpack_from("<I", normal, last + 8)[0]
    files["not-a-capture.pcap"] = b"This is a plain text file, not a packet capture.\n"
    files["empty.pcap"] = b""
    files["truncated-header.pcap"] = normal[:10]
    files["truncated-record.pcap"] = normal[:last + REC_HDR + caplen // 2]
    files["bad-caplen.pcap"] = normal[:PCAP_HDR] + struct.pack(
        "<IIII", 1700000000, 0, 0x7FFFFFFF, 0x7FFFFFFF)

    # -- the last record cut inside its 16-byte record header ----------------
    files["truncated-record-header.pcap"] = normal[:last + 8]

    # -- wrong magic: normal.pcap whole, its first 4 bytes changed -----------
    # (a file that is a pcap in every other respect: the magic alone decides)
    files["wrong-magic.pcap"] = struct.pack("<I", 0xA1B2C3D5) + normal[4:]

    # -- an absurd caplen on a record that is not the first ------------------
    # normal.pcap (one whole session, 26 packets ... closed by FINs) followed
    # by slow-ptr.pcap's packets (scenario 2, 1000 s later); the first record
    # of the second scenario claims caplen = len = 0x7fffffff.  The session of
    # normal.pcap must still be reported in full; the damage is after it.
    lt2, slow_frames = scenario_frames("slow-ptr.pcap")
    assert lt2 == lt
    two = gs.pcap_bytes(lt, normal_frames + slow_frames)
    bad_at = record_offsets(two)[len(normal_frames)]
    huge = bytearray(two)
    struct.pack_into("<II", huge, bad_at + 8, 0x7FFFFFFF, 0x7FFFFFFF)
    files["huge-caplen-later.pcap"] = bytes(huge)

    # -- a caplen just beyond the file's snaplen, on a later record ----------
    # (bigger than the snaplen of 262144 but small enough that a reader could
    # try to allocate it; the bytes that follow are a real packet)
    over = bytearray(two)
    struct.pack_into("<II", over, bad_at + 8, gs.SNAPLEN + 1, gs.SNAPLEN + 1)
    files["caplen-over-snaplen-later.pcap"] = bytes(over)

    # -- pcapng, the same packets, with unknown blocks in the middle ---------
    ng = gs.pcapng_bytes(lt, normal_frames)
    blocks = pcapng_blocks(ng)
    # after the SHB, the IDB and 10 EPBs: one block of an unassigned type,
    # one of the "local use" range (top bit set), then two after 20 EPBs:
    # a Custom Block that may not be copied (0x40000BAD, PEN 32473 = the
    # documentation enterprise number) and a Decryption Secrets Block of an
    # unknown secrets type
    cut1 = blocks[2 + 10][0]
    cut2 = blocks[2 + 20][0]
    unknown1 = gs._pcapng_block(0x00000BAD, b"mxray: a block type nobody "
                                b"assigned, to be skipped")
    unknown2 = gs._pcapng_block(0x8BAD0001, b"local use" + bytes(range(32)))
    custom = gs._pcapng_block(0x40000BAD, struct.pack("<I", 32473) +
                              b"custom block, do not copy")
    dsb = gs._pcapng_block(0x0000000A, struct.pack("<II", 0x4D585259, 8) +
                           b"\x00" * 8)
    files["pcapng-unknown-blocks.pcapng"] = (ng[:cut1] + unknown1 + unknown2 +
                                             ng[cut1:cut2] + custom + dsb +
                                             ng[cut2:])

    # -- pcapng cut inside an EPB (the 21st packet's block) ------------------
    off, _, total = blocks[2 + 20]
    files["pcapng-truncated-block.pcapng"] = ng[:off + total // 2]

    # -- pcapng whose block trailer disagrees with its header ----------------
    # (the 21st EPB's trailing total length is off by 4: damage inside a
    # block that is whole in size)
    mism = bytearray(ng)
    struct.pack_into("<I", mism, off + total - 4, total + 4)
    files["pcapng-bad-trailer.pcapng"] = bytes(mism)

    # -- pcapng whose section header is corrupt ------------------------------
    # block type right (0x0a0d0d0a), byte-order magic right, but the major
    # version is 9: no reader can know what follows
    shb_total = blocks[0][2]
    bad_ver = bytearray(ng)
    struct.pack_into("<H", bad_ver, 12, 9)
    files["pcapng-bad-shb-version.pcapng"] = bytes(bad_ver)
    # ... and one whose SHB length is smaller than an SHB can be
    bad_len = bytearray(ng)
    struct.pack_into("<I", bad_len, 4, 12)
    files["pcapng-bad-shb-length.pcapng"] = bytes(bad_len)
    # ... and one whose byte-order magic is garbage (the file then has no
    # byte order: it is not a pcapng that can be read at all)
    bad_bom = bytearray(ng)
    struct.pack_into("<I", bad_bom, 8, 0x12345678)
    files["pcapng-bad-shb-magic.pcapng"] = bytes(bad_bom)
    assert shb_total > 28

    # -- a link type mxray does not decode (DLT_USER0) -----------------------
    files["linktype-user0.pcap"] = gs.pcap_bytes(LINKTYPE_USER0, normal_frames)

    # -- a capture with no packets: a valid header alone ---------------------
    files["zero-packets.pcap"] = gs.pcap_bytes(lt, [])
    files["zero-packets.pcapng"] = gs.pcapng_bytes(lt, [])

    # -- honest variants of normal.pcap that must give the same report -------
    files["nanosecond.pcap"] = pcap_custom(lt, normal_frames, nanosecond=True)
    files["big-endian.pcap"] = pcap_custom(lt, normal_frames, endian=">")
    files["big-endian-nanosecond.pcap"] = pcap_custom(lt, normal_frames, ">", True)
    return files


def write_all(outdir):
    os.makedirs(outdir, exist_ok=True)
    files = build()
    for name, data in sorted(files.items()):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    return files


def main(argv):
    args = argv[1:]
    if args == ["--check"]:
        files = build()
        bad = 0
        for name, data in sorted(files.items()):
            path = os.path.join(REPO_ROOT, "tests", "bad-input", name)
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except OSError as e:
                print("%s: %s" % (path, e.strerror))
                same = False
            if not same:
                print("%s differs from what gen_bad_inputs.py writes" % path)
                bad += 1
        print("gen_bad_inputs --check: %d files, %d differ" % (len(files), bad))
        return 1 if bad else 0
    if len(args) > 1 or (args and args[0].startswith("-")):
        sys.stderr.write("usage: gen_bad_inputs.py [DIR | --check]\n")
        return 2
    outdir = args[0] if args else os.path.join(REPO_ROOT, "tests", "bad-input")
    files = write_all(outdir)
    print("wrote %d files to %s" % (len(files), outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
