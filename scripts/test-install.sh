#!/bin/sh
# test-install.sh - "make install" and "make uninstall" into a scratch
# DESTDIR with PREFIX=/usr, and what they install: the binary (MXRAY byte
# for byte, runs --version), the man page docs/mxray.1 (gzip -9n; renders
# without warnings as lintian checks it, its options are those of --help,
# its finding codes and severities those of findings.def) and the bash
# completion docs/completion/mxray (sourced in a bare bash, it completes
# options, formats, captures, interfaces and users); then uninstall must
# leave nothing but empty directories.  A few seconds.
set -u
bin=${1:?usage: test-install.sh MXRAY}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dest=$tmp/dest
man1=$dest/usr/share/man/man1/mxray.1.gz
comp=$dest/usr/share/bash-completion/completions/mxray
# make builds and installs $(BIN): MXRAY's directory is the build directory,
# and only one of this tree's (make must not build elsewhere)
case ${bin#./} in
mxray) set -- ;;
build/*/mxray) d=${bin#./}; set -- "BUILD=${d%/mxray}" ;;
*)
	ko "MXRAY must be ./mxray or build/.../mxray, as make builds it: $bin"
	finish install
	exit
	;;
esac

# sorted words, one a line, for comparing lists
words() { tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort; }

# same WHAT EXPECTED GOT: two lists of words must be equal
same() {
	if [ "$(echo "$2" | words)" = "$(echo "$3" | words)" ]; then
		ok
	else
		ko "$1: expected [$(echo "$2" | words | tr '\n' ' ')]," \
			"got [$(echo "$3" | words | tr '\n' ' ')]"
	fi
}

# completions DIR WORD...: what the installed completion offers for the
# command line WORD... (the last word is the one being completed), run in
# DIR by a bash that reads no start-up file, one offer a line
completions() {
	(cd "$1" && shift && bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		_mxray
		printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@")
}

# the options "mxray --help" lists (its first column)
help_opts=$("$bin" --help | awk '/^  -/ {
	for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); print $i } }')

# --- make install
if make --no-print-directory install DESTDIR="$dest" PREFIX=/usr "$@" \
	>"$tmp/log" 2>&1; then
	ok
else
	ko "make install failed:"
	cat "$tmp/log"
fi
same "installed files" "usr/bin/mxray usr/share/man/man1/mxray.1.gz
usr/share/bash-completion/completions/mxray" \
	"$(cd "$dest" 2>/dev/null && find . ! -type d | sed 's|^\./||')"
# PREFIX defaults to /usr/local
if make --no-print-directory -n install DESTDIR=/x "$@" 2>&1 |
	grep -q "/x/usr/local/bin/mxray"; then
	ok
else
	ko "make -n install: PREFIX is not /usr/local by default"
fi

# --- the binary
if cmp -s "$bin" "$dest/usr/bin/mxray"; then ok; else ko "usr/bin/mxray is not $bin"; fi
if [ "$(stat -c %a "$dest/usr/bin/mxray" 2>/dev/null)" = 755 ]; then ok; else ko "usr/bin/mxray: mode not 755"; fi
version=$("$dest/usr/bin/mxray" --version 2>&1)
case $version in
"mxray "[0-9]*) ok ;;
*) ko "usr/bin/mxray --version: '$version'" ;;
esac

# --- the man page
if gzip -t "$man1" 2>/dev/null && [ "$(stat -c %a "$man1")" = 644 ]; then
	ok
else
	ko "mxray.1.gz: not gzip or not mode 644"
fi
if ! command -v man >/dev/null; then
	ko "man is not installed (scripts/deps.sh installs man-db)"
else
	# lintian's check (manpage-has-errors-from-man), and groff's every warning
	man --warnings -E UTF-8 -l -Tutf8 -Z "$man1" >/dev/null 2>"$tmp/manerr"
	zcat "$man1" | groff -man -Tutf8 -ww -z 2>>"$tmp/manerr"
	if [ -s "$tmp/manerr" ]; then
		ko "mxray.1 has warnings:"
		cat "$tmp/manerr"
	else
		ok
	fi
	MANWIDTH=80 man -l "$man1" >"$tmp/man.txt" 2>/dev/null
	for h in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT FINDINGS \
		"EXIT STATUS" EXAMPLES "SEE ALSO"; do
		if grep -qx "$h" "$tmp/man.txt"; then ok; else ko "mxray.1 rendered: no $h section"; fi
	done
	if grep -q "mxray \[options\] -r file" "$tmp/man.txt" &&
		grep -q "mxray \[options\] -i iface" "$tmp/man.txt"; then
		ok
	else
		ko "mxray.1 rendered: the SYNOPSIS lacks the -r or the -i form"
	fi
fi
# the page's version is the binary's
th=$(zcat "$man1" | sed -n 's/^\.TH MXRAY 1 [^ ]* "\([^"]*\)".*/\1/p')
if [ "$th" = "$version" ]; then ok; else ko "mxray.1 .TH says '$th', the binary '$version'"; fi
# the tag of each .TP entry of a section of the page: roff escapes removed
tags() {
	zcat "$man1" | sed -n "/^\.SH $1\$/,/^\.SH /p" |
		sed -n '/^\.TP/{n;p;}' | sed 's/\\-/-/g; s/\\f[BIRP]//g'
}
same "mxray.1 OPTIONS against --help" "$help_opts" \
	"$(tags OPTIONS | grep -oE '(^|[ ,"])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,"')"
same "mxray.1 FINDINGS against findings.def" \
	"$(sed -n 's/^FINDING([A-Z0-9_]*, "\([^"]*\)", SEV_\([A-Z]*\),.*/\1:\2/p' \
		analyzer/diagnose/findings.def | tr '[:upper:]' '[:lower:]')" \
	"$(tags FINDINGS | sed -n 's/^\.BR \([a-z0-9_.]*\) " (\([a-z]*\))"$/\1:\2/p')"

# --- the completion
if [ "$(stat -c %a "$comp" 2>/dev/null)" = 644 ]; then ok; else ko "completion: not mode 644"; fi
got=$(bash --norc --noprofile -c '. "$1" && complete -p mxray' _ "$comp" 2>&1)
if [ "$got" = "complete -F _mxray mxray" ]; then ok; else ko "completion does not source cleanly: $got"; fi
# bash-completion finds it by the command's name under PREFIX
got=$(XDG_DATA_DIRS=$dest/usr/share BASH_COMPLETION_USER_DIR=/nonexistent \
	bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion &&
	__load_completion mxray && complete -p mxray' 2>&1)
if [ "$got" = "complete -F _mxray mxray" ]; then ok; else ko "bash-completion does not load it: $got"; fi
same "mxray --for<TAB>" "--format" "$(completions . mxray --for)"
same "mxray --format <TAB>" "text json ndjson html" "$(completions . mxray --format '')"
same "mxray --format=j<TAB>" "json" "$(completions . mxray --format = j)"
same "mxray -<TAB> against --help" "$help_opts" "$(completions . mxray -)"
same "mxray --severity <TAB>" "info warning error" \
	"$(completions . mxray --severity '')"
same "mxray --finding <TAB> against findings.def" \
	"$(sed -n 's/^FINDING([A-Z0-9_]*, "\([^"]*\)".*/\1/p' \
		analyzer/diagnose/findings.def)" \
	"$(completions . mxray --finding '')"
same "mxray --finding b<TAB>" "banner.missing banner.cut banner.slow banner.masked" \
	"$(completions . mxray --finding b)"
# every format offered is one the binary takes
for f in $(completions . mxray --format ''); do
	if "$bin" -q -r samples/normal.pcap --format "$f" >/dev/null 2>&1; then ok; else ko "--format $f: refused by $bin"; fi
done
mkdir -p "$tmp/caps/sub dir"
touch "$tmp/caps/a.pcap" "$tmp/caps/b.pcapng" "$tmp/caps/c.CAP" \
	"$tmp/caps/d.txt" "$tmp/caps/e f.pcap"
same "mxray -r <TAB>" "a.pcap b.pcapng c.CAP e?f.pcap sub?dir -" \
	"$(completions "$tmp/caps" mxray -r '' | tr ' ' '?')"
same "mxray -r s<TAB>" "sub?dir" "$(completions "$tmp/caps" mxray -r s | tr ' ' '?')"
same "mxray -o d<TAB>" "d.txt" "$(completions "$tmp/caps" mxray -o d)"
same "mxray -i <TAB>" "$(ls /sys/class/net 2>/dev/null)" "$(completions . mxray -i '')"
same "mxray -Z roo<TAB>" "root" "$(completions . mxray -Z roo)"
same "mxray --stall <TAB>" "" "$(completions "$tmp/caps" mxray --stall '')"

# --- make uninstall
if make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr "$@" \
	>"$tmp/log" 2>&1; then
	ok
else
	ko "make uninstall failed:"
	cat "$tmp/log"
fi
same "left after make uninstall" "" "$(find "$dest" ! -type d)"

finish install
