#!/bin/sh
# deps.sh - the capture lab's packages on top of mxray's own (installed by
# ../deps.sh, only those missing).  postfix comes preseeded to "No
# configuration" (no system instance); dnsmasq-base is the bare binary;
# libio-socket-inet6-perl gives swaks IPv6 (normal-v6, slow-ptr-v6).
exec "$(dirname "$0")/../deps.sh" iproute2 ethtool tcpdump postfix \
	dnsmasq-base swaks libnet-ssleay-perl libio-socket-ssl-perl \
	libio-socket-inet6-perl openssl
