#!/bin/sh
# test-html.sh - --format html looked at, not assumed: the pages of three
# samples rendered by headless Chromium, whose DOM must hold what matters
# (the banner delay, the PTR name, the finding codes, one ladder per session
# with findings, the summary shown first); every sample's page well-formed
# (tags balanced, by python3's html.parser) and free of external references
# (no http:// or https://, no src= or href= but '#' anchors, no url() but
# '#'); and a screenshot of each of the three that is not blank (PNG decoded
# with zlib: a reasonable share of pixels off the background, several
# colours).  With a second argument, the screenshots are copied there as
# html-<sample>.png (docs/ keeps them).
set -u
bin=${1:?usage: test-html.sh MXRAY [SHOT_DIR]}
shots=${2:-}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

chrome=$(command -v chromium || command -v chromium-browser || :)

# python3 checks: well-formed (balanced tags) and self-contained
cat >"$tmp/check.py" <<'EOF'
import re, sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "input", "hr", "link", "wbr", "col", "area",
        "base", "source", "track", "embed", "param"}
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "srcset",
             "poster", "data", "background", "cite", "manifest", "ping"}
class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.refs, self.in_style = [], [], [], False
    def attrs(self, tag, attrs):
        for k, v in attrs:
            v = v or ""
            if (k in URL_ATTRS and not v.startswith("#")) or "://" in v:
                self.refs.append("%s %s=%r" % (tag, k, v))
            if k == "style":
                self.urls(v)
    def urls(self, css):
        self.refs += [m for m in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css)
                      if not m.startswith("#")]
        self.refs += re.findall(r"@import", css)
    def handle_starttag(self, tag, attrs):
        self.attrs(tag, attrs)
        self.in_style = tag == "style"
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.attrs(tag, attrs)
    def handle_data(self, data):
        if self.in_style:
            self.urls(data)
    def handle_endtag(self, tag):
        self.in_style = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at line %d, open: %s" % (
                tag, self.getpos()[0], self.stack[-1] if self.stack else None))
            return
        self.stack.pop()
# --strict: no http:// or https:// anywhere, not even as text, and no src=
# or href= but to a '#' anchor (the three samples have no URL in their
# packets; other captures may, and show it as text)
strict = sys.argv[1] == "--strict"
bad = 0
for path in sys.argv[1 + strict:]:
    text = open(path, encoding="utf-8").read()   # must be UTF-8 too
    p = Check()
    p.feed(text)
    p.close()
    if p.stack:
        p.errors.append("left open: %s" % p.stack[-3:])
    if not text.lstrip().lower().startswith("<!doctype html>"):
        p.errors.append("no doctype")
    refs = p.refs
    if strict:
        refs += re.findall(r"https?://|\bsrc\s*=|\bhref\s*=\s*\"?[^#\"]", text)
    for e in p.errors[:3]:
        print("%s: not well-formed: %s" % (path, e)); bad += 1
    if refs:
        print("%s: external references: %s" % (path, refs[:5])); bad += 1
sys.exit(1 if bad else 0)
EOF

# a PNG not blank: decoded by hand (8-bit RGB or RGBA, non-interlaced)
cat >"$tmp/png.py" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and not interlace, hdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
counts = {}
for line in rows[::2]:                       # every other row is plenty
    for x in range(0, stride, bpp * 2):
        px = line[x:x + 3]
        counts[px] = counts.get(px, 0) + 1
total = sum(counts.values())
white = counts.get(b"\xff\xff\xff", 0)
bg = max(counts, key=counts.get)
off_bg = total - counts[bg]
colours = sum(1 for k, v in counts.items() if v >= 20)
print("%dx%d: %.1f%% non-white, %.1f%% off the background #%s, %d colours"
      % (w, h, 100.0 * (total - white) / total, 100.0 * off_bg / total,
         bg.hex(), colours))
sys.exit(0 if off_bg >= 0.03 * total and total - white >= 0.03 * total
         and colours >= 8 else 1)
EOF

# every sample's page: well-formed and self-contained
pages=""
for f in samples/*.pcap samples/odd/*.pcap samples/lab/*.pcap; do
	[ -f "$f" ] || continue
	page="$tmp/all-$(echo "$f" | tr '/' '_').html"
	if timeout 20 "$bin" -q -r "$f" --format html -o "$page" 2>"$tmp/err"; then
		pages="$pages $page"
	else
		ko "$f: --format html failed: $(head -n 1 "$tmp/err")"
	fi
done
# shellcheck disable=SC2086
if python3 "$tmp/check.py" $pages; then ok; else ko "pages above"; fi

# report filters: the page says what they hide, and never passes what is
# shown off as the capture's count
"$bin" -q -r samples/slow-ptr.pcap --format html --only-findings -o "$tmp/of.html"
if grep -q "No session without findings is shown: the report filters hide them" "$tmp/of.html" &&
	! grep -q "0 sessions without findings" "$tmp/of.html"; then
	ok
else
	ko "--only-findings: the page does not say the filters hide the clean sessions"
fi
"$bin" -q -r samples/normal.pcap --format html --summary -o "$tmp/sum.html"
if grep -q "None is shown (report filters)" "$tmp/sum.html" &&
	! grep -q "Sessions with findings (0)" "$tmp/sum.html"; then
	ok
else
	ko "--summary: the page does not say the filters hide the sessions"
fi

# -w: the summary says where the packets went
"$bin" -q -r samples/no-failover.pcap --format html -w "$tmp/w.pcap" -o "$tmp/w.html"
if grep -q "were written to <code>$tmp/w.pcap</code>: 29 packets of 3 sessions" "$tmp/w.html"; then
	ok
else
	ko "-w: the HTML summary does not say where the packets went"
fi

# the three samples, rendered
render() { # sample expected-ladders needle...
	name=$1 want=$2
	shift 2
	page="$tmp/$name.html"
	if ! timeout 20 "$bin" -q -r "samples/$name.pcap" --format html \
		-o "$page" 2>"$tmp/err"; then
		ko "$name: --format html failed: $(head -n 1 "$tmp/err")"
		return
	fi
	if python3 "$tmp/check.py" --strict "$page"; then ok; else ko "$name: page above"; fi
	if [ -z "$chrome" ]; then
		ko "$name: chromium not installed (scripts/deps.sh installs it)"
		return
	fi
	# a copy with one line of script that tells where the summary is
	cp "$page" "$tmp/$name-probe.html"
	cat >>"$tmp/$name-probe.html" <<'EOF'
<script>document.body.setAttribute('data-order', document.getElementById('summary').getBoundingClientRect().top < document.getElementById('ladders').getBoundingClientRect().top ? 'summary-first' : 'summary-not-first');</script>
EOF
	timeout 30 "$chrome" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/chrome" --dump-dom \
		"file://$tmp/$name-probe.html" >"$tmp/$name.dom" 2>/dev/null
	if [ ! -s "$tmp/$name.dom" ]; then
		ko "$name: chromium rendered no DOM"
		return
	fi
	ok
	for needle in "$@"; do
		if grep -qF -- "$needle" "$tmp/$name.dom"; then
			ok
		else
			ko "$name: rendered DOM lacks '$needle'"
		fi
	done
	got=$(grep -o '<svg class="ladder"' "$tmp/$name.dom" | wc -l)
	if [ "$got" -eq "$want" ]; then ok; else ko "$name: $got ladders, expected $want"; fi
	if grep -q 'data-order="summary-first"' "$tmp/$name.dom"; then
		ok
	else
		ko "$name: the summary is not shown first"
	fi
	timeout 30 "$chrome" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/chrome" --hide-scrollbars \
		--screenshot="$tmp/$name.png" --window-size=1280,2400 \
		"file://$page" >/dev/null 2>&1
	if [ -s "$tmp/$name.png" ] && python3 "$tmp/png.py" "$tmp/$name.png" >"$tmp/png.out" 2>&1; then
		ok
		echo "   $name.png: $(cat "$tmp/png.out")"
		[ -n "$shots" ] && cp "$tmp/$name.png" "$shots/html-$name.png"
	else
		ko "$name: screenshot blank or unreadable: $(tail -n 1 "$tmp/png.out" 2>/dev/null)"
	fi
}

render slow-ptr 1 "4.030 s" "banner wait 4.030 s" \
	"10.2.0.192.in-addr.arpa" "banner.slow" "dns.slow" "limit 2.000 s" \
	"slowest banners"
render no-failover 3 "mx.no_failover" "banner.missing" "client.gave_up" \
	"no banner for 20.000 s" "Sessions with findings (3)"
render xexch50-stall 1 "stall.xexch50" "XEXCH50 binary data, 1124 bytes" \
	"stall.xexch50: silent 60.012 s" "60.012 s"

finish html
