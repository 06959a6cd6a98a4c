#!/bin/sh
# deps.sh - install the Debian packages the capture lab needs, only those
# missing.  Idempotent: apt-get update runs only when something is missing.
# postfix is preseeded to "No configuration" so the package sets up no
# system instance; dnsmasq-base is the bare binary without a system service.
set -eu

PKGS="iproute2 ethtool tcpdump tshark postfix dnsmasq-base swaks \
libnet-ssleay-perl libio-socket-ssl-perl openssl python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "lab/deps.sh: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "lab/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# no system mail instance, no setuid dumpcap question
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
