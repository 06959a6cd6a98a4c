#!/bin/sh
# deps.sh - install the Debian packages mxray needs, only those missing;
# extra package names given as arguments are added (the lab passes its own).
# Idempotent: apt-get update runs only when something must be installed.
set -eu

# time: make bench reads peak RSS from GNU time -v; tshark: make test cross-checks the lab captures' banner delays with it;
# clang-14 with its libFuzzer runtime: the fuzz smoke; man-db and groff-base:
# scripts/test-install.sh renders the man page; bash-completion loads the
# completion it installs; chromium: test-html.sh renders the HTML report
# headless and screenshots it
PKGS="build-essential pkg-config libpcap-dev libnids-dev libjansson-dev \
libcriterion-dev python3 python3-jsonschema valgrind tshark clang-14 libclang-rt-14-dev time tcpreplay \
man-db groff-base bash-completion chromium $*"

# python3-jsonschema: scripts/check-schema.py (docs/mxray.schema.json)
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# no system mail instance if postfix comes in, no setuid dumpcap question
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
