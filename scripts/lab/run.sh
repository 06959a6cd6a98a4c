#!/bin/bash
# run.sh - the mxray capture lab: real MTAs, a real DNS server and a few
# fakes in network namespaces on one bridge; one tcpdump per scenario on the
# bridge (like a mirror port) writes samples/lab/<scenario>.pcap.
#
#     scripts/lab/run.sh                 # every scenario (what `make lab` runs)
#     scripts/lab/run.sh slow-ptr tarpit # only these
#
# Root only.  Installs its packages (scripts/lab/deps.sh), builds everything
# from scratch in $LAB_DIR (default /var/tmp/mxray-lab), and tears it all
# down on exit, failure or interrupt: daemons, namespaces, /etc/netns/lab-*.
# Nothing leaves the machine: the namespaces have no default route and only
# documentation addresses (RFC 5737, and RFC 3849 for the IPv6 scenarios).
# See scripts/lab/README.md.
#
# Environment: LAB_OUT (default samples/lab), LAB_DIR, LAB_KEEP=1 (keep
# $LAB_DIR with the logs), LAB_TRACE=1 (timestamped shell trace),
# LAB_VERIFY=0 (skip verify.py at the end), LAB_VERIFY_STRICT=1 (fail when
# verify.py finds differences).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${LAB_OUT:-$ROOT/samples/lab}
LAB=${LAB_DIR:-/var/tmp/mxray-lab}
PY=/usr/bin/python3

ALL_SCENARIOS="normal slow-ptr ptr-timeout no-banner gave-up failover \
no-failover data-stall xexch50-stall masked-banner tarpit pipelining starttls \
normal-v6 slow-ptr-v6 helo-rejected data-stall-short banner-cut body-early \
body-early-refused one-sided"

# cast (the same as the synthetic samples where they overlap)
DNS_IP=198.51.100.53      # resolver every host uses: the delay/drop relay
MX1_IP=203.0.113.25       # mx1.example.org, MX 10
MX2_IP=203.0.113.26       # mx2.example.org, MX 20
SENDER_IP=192.0.2.10      # mail.sender.example: sending postfix, fake Exchange
CLIENT_IP=192.0.2.20      # client.sender.example: swaks
NETS="192.0.2.0/24 198.51.100.0/24 203.0.113.0/24"
# the IPv6 cast of normal-v6 and slow-ptr-v6 (RFC 3849; the synthetic *-v6
# samples use the same addresses for resolver, mx1 and sender)
DNS_IP6=2001:db8:53::53
MX1_IP6=2001:db8:25::25
MX2_IP6=2001:db8:25::26
SENDER_IP6=2001:db8:10::10
CLIENT_IP6=2001:db8:10::20
NETS6="2001:db8:10::/64 2001:db8:53::/64 2001:db8:25::/64"
# V6=1 while an IPv6 scenario runs (v6_up .. v6_down): the resolver, the
# relay and swaks's server are then the IPv6 ones
V6=0
HOSTS="dns mx1 mx2 sender client"
NAMESPACES="lab-sw lab-dns lab-mx1 lab-mx2 lab-sender lab-client"

if [ "${LAB_TRACE:-0}" = 1 ]; then
	PS4='+ ${EPOCHREALTIME} '
	set -x
fi

# L NAME: the log file of NAME in the current scenario ($SCN)
SCN=setup
L() { echo "$LAB/logs/$SCN-$1.log"; }

log() { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------ teardown

# Stop everything the lab started: processes in the lab namespaces (all of
# them started by this script), the namespaces (their veths go with them,
# the bridge with lab-sw), the per-namespace /etc files.
teardown() {
	local ns f
	# postfix masters first, so that they do not restart their children
	for f in "$LAB"/pf/*/spool/pid/master.pid; do
		if [ -s "$f" ]; then kill -TERM "$(tr -d ' ' <"$f")" 2>/dev/null || true; fi
	done
	ns_kill TERM
	sleep 0.3
	ns_kill KILL
	for ns in $NAMESPACES; do
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true
}

# ns_kill SIGNAL: send SIGNAL to every process in the lab namespaces
ns_kill() {
	local ns pid
	for ns in $NAMESPACES; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
			kill "-$1" "$pid" 2>/dev/null || true
		done
	done
}

on_exit() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ "$rc" -ne 0 ] && [ -d "$LAB/logs" ]; then
		log "failed (exit $rc) in $SCN; last lines of its logs in $LAB/logs:"
		for f in "$LAB/logs/$SCN"-*; do
			echo "---- $f" >&2
			tail -n 15 "$f" >&2
		done
	fi
	teardown
	if [ "${LAB_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
		log "work directory kept: $LAB"
	else
		rm -rf "$LAB"
	fi
	exit "$rc"
}

# ------------------------------------------------------------ topology

# host NAME IP MAC-SUFFIX: namespace lab-NAME with eth0 on the bridge
host_up() {
	local name=$1 ip=$2 mac=$3 ns=lab-$1 net own
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n lab-sw link add "p-$name" address "02:6c:61:62:01:$mac" type veth \
		peer name eth0 address "02:6c:61:62:00:$mac" netns "$ns"
	ip -n lab-sw link set "p-$name" master br-lab up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$ip/24" dev eth0
	ip -n "$ns" link set eth0 up
	# a mirror port sees what a wire carries: full checksums, no GSO
	# super-packets
	ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
	# one flat segment, the three documentation networks on-link; no
	# default route, so nothing can leave
	own=$(echo "$ip" | cut -d. -f1-3).0/24
	for net in $NETS; do
		[ "$net" = "$own" ] || ip -n "$ns" route add "$net" dev eth0
	done
	mkdir -p "/etc/netns/$ns"
	printf '127.0.0.1\tlocalhost %s\n' "$(hostname)" >"/etc/netns/$ns/hosts"
	resolv "$name"
}

# resolv NAME [OPTIONS]: /etc/netns/lab-NAME/resolv.conf (ip netns exec
# bind-mounts it over /etc/resolv.conf for each program started in NAME)
resolv() {
	local name=$1
	shift
	{
		echo "nameserver $(addr dns)"
		[ $# -gt 0 ] && echo "options $*"
		true
	} >"/etc/netns/lab-$name/resolv.conf"
}

topology_up() {
	log "topology: bridge br-lab in lab-sw; hosts $HOSTS"
	ip netns add lab-sw
	ip netns exec lab-sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n lab-sw link add br-lab address 02:6c:61:62:00:fe type bridge stp_state 0
	ip -n lab-sw link set br-lab up
	host_up dns "$DNS_IP" 53
	host_up mx1 "$MX1_IP" 25
	host_up mx2 "$MX2_IP" 26
	host_up sender "$SENDER_IP" 10
	host_up client "$CLIENT_IP" 20
}

# addr NAME: the address of host NAME, its IPv6 one while V6=1
addr() {
	local v
	case $1 in
	dns) v=DNS_IP ;; mx1) v=MX1_IP ;; mx2) v=MX2_IP ;;
	sender) v=SENDER_IP ;; client) v=CLIENT_IP ;;
	esac
	[ "$V6" = 1 ] && v=${v}6
	echo "${!v}"
}

# reverse_pointer ADDRESS: its PTR name (in-addr.arpa or ip6.arpa)
reverse_pointer() {
	"$PY" -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$1"
}

# v6_up: IPv6 for one scenario (the IPv4 scenarios keep it disabled, as
# before): in every host namespace no DAD (addresses usable at once), no
# router advertisements or autoconfiguration, the host's /64 address and
# on-link routes to the other two /64s, no default route; resolv.conf names
# the relay's IPv6 address; a second dnsmasq (dnsmasq6) serves the IPv6 zone
# data on [::1]:5354 in lab-dns.  The IPv4 dnsmasq keeps its data, so the
# IPv4 scenarios' answers (MX additionals included) do not change.
v6_up() {
	local name ns ip6 own net c
	V6=1
	for name in $HOSTS; do
		ns=lab-$name
		ip6=$(addr "$name")
		for c in all default eth0 lo; do
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.$c.accept_dad=0 \
				net.ipv6.conf.$c.accept_ra=0 net.ipv6.conf.$c.autoconf=0 \
				net.ipv6.conf.$c.router_solicitations=0
		done
		for c in all default eth0 lo; do
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.$c.disable_ipv6=0
		done
		ip -n "$ns" -6 addr add "$ip6/64" dev eth0 nodad
		own=$(echo "$ip6" | cut -d: -f1-3)::/64
		for net in $NETS6; do
			[ "$net" = "$own" ] || ip -n "$ns" -6 route add "$net" dev eth0
		done
		resolv "$name"
	done
	dnsmasq_start dnsmasq6 ::1 5354 --local=/ip6.arpa/ \
		--host-record=mx1.example.org,$MX1_IP6 \
		--host-record=mx2.example.org,$MX2_IP6 \
		--host-record=mail.sender.example,$SENDER_IP6 \
		--host-record=client.sender.example,$CLIENT_IP6 \
		--host-record=ns.example.org,$DNS_IP6
}

# v6_down: back to IPv4 only (disabling IPv6 drops the addresses and routes)
v6_down() {
	local name c
	stop_bg relay
	stop_bg dnsmasq6
	V6=0
	for name in $HOSTS; do
		for c in all default eth0 lo; do
			ip netns exec "lab-$name" sysctl -qw net.ipv6.conf.$c.disable_ipv6=1
		done
		resolv "$name"
	done
}

# ------------------------------------------------------------ processes

# spawn NAME NS CMD...: start CMD in namespace NS, remember its pid
spawn() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >>"$(L "$name")" 2>&1 &
	echo $! >"$LAB/pids/$name"
}

# alive PID: the process exists and is not a zombie (PID 1 of some
# containers never reaps the daemons that postfix double-forks)
alive() {
	local st
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

stop_bg() {
	local name=$1 pid _
	[ -f "$LAB/pids/$name" ] || return 0
	pid=$(cat "$LAB/pids/$name")
	rm -f "$LAB/pids/$name"
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		alive "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

wait_for() { # SECONDS DESCRIPTION COMMAND...
	local t=$1 what=$2 _
	shift 2
	for _ in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	die "timed out waiting for $what"
}

# dnsmasq_start NAME ADDRESS PORT [record options...]: dnsmasq in lab-dns on
# its loopback with the test zones (the relay forwards to it)
dnsmasq_start() {
	local name=$1 addr=$2 port=$3
	shift 3
	spawn "$name" lab-dns dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--user=root --group=root --pid-file= \
		--no-resolv --no-hosts --no-poll --bind-interfaces \
		--listen-address="$addr" --port="$port" --local-ttl=300 \
		--log-queries --log-facility=- \
		--local=/example.org/ --local=/sender.example/ \
		--mx-host=example.org,mx1.example.org,10 \
		--mx-host=example.org,mx2.example.org,20 "$@"
	wait_for 10 "$name" grep -q "started" "$(L "$name")"
}

# relay_start [RULE...]: the delay/drop relay on the resolver address (the
# IPv6 one in front of dnsmasq6 while V6=1)
relay_start() {
	local args=() r
	stop_bg relay
	for r in "$@"; do args+=(--rule "$r"); done
	rm -f "$LAB/relay.ready"
	if [ "$V6" = 1 ]; then
		args+=(--upstream "[::1]:5354")
	else
		args+=(--upstream 127.0.0.1:5353)
	fi
	args+=(--listen "$(addr dns)")
	spawn relay lab-dns "$PY" "$HERE/dnsrelay.py" \
		--ready "$LAB/relay.ready" "${args[@]}"
	wait_for 10 "the DNS relay" test -f "$LAB/relay.ready"
}

# ------------------------------------------------------------ postfix

# pf_make NAME IP HOSTNAME [main.cf lines...]: a fresh postfix instance
# with its own config, queue and data directories, no chroot, logging to
# $LAB/logs/SCENARIO-postfix-NAME.log through postlogd (no syslog needed).
# An IPv6 IP makes an IPv6-only instance (inet_protocols = ipv6).
pf_make() {
	local name=$1 ip=$2 hn=$3 d=$LAB/pf/$1
	local proto=ipv4 nets=127.0.0.0/8 bind=smtp_bind_address
	shift 3
	case $ip in *:*) proto=ipv6 nets='[::1]/128' bind=smtp_bind_address6 ;; esac
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/spool" "$d/data"
	chown postfix "$d/data"
	cat >"$d/etc/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $d/spool
		data_directory = $d/data
		command_directory = /usr/sbin
		daemon_directory = /usr/lib/postfix/sbin
		meta_directory = /etc/postfix
		shlib_directory = /usr/lib/postfix
		mail_owner = postfix
		setgid_group = postdrop
		maillog_file = $(L "postfix-$name")
		myhostname = $hn
		mydomain = ${hn#*.}
		myorigin = \$myhostname
		mydestination =
		inet_interfaces = $ip
		inet_protocols = $proto
		mynetworks = $nets
		$bind = $ip
		alias_maps =
		alias_database =
		biff = no
		smtpd_banner = \$myhostname ESMTP Postfix
		smtpd_tls_security_level = none
		smtp_tls_security_level = none
		smtp_connection_cache_on_demand = no
		smtp_address_preference = $proto
	EOF
	for line in "$@"; do postconf -c "$d/etc" -e "$line"; done
	cat >"$d/etc/master.cf" <<-'EOF'
		# service type  private unpriv  chroot  wakeup  maxproc command
		smtp      inet  n       -       n       -       -       smtpd
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		relay     unix  -       -       n       -       -       smtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# no `postfix check` here: `postfix start` runs the same checks and
	# creates the queue directories
}

# a receiving MTA for example.org that accepts any recipient and discards
pf_receiver() { # NAME IP HOSTNAME [main.cf lines...]
	local name=$1 ip=$2 hn=$3
	shift 3
	pf_make "$name" "$ip" "$hn" \
		"relay_domains = example.org" \
		"relay_transport = discard:" \
		"default_transport = discard:" "$@"
}

# mx1_up [main.cf lines...]: that receiving postfix on mx1, started
mx1_up() {
	pf_receiver mx1 "$(addr mx1)" mx1.example.org "$@"
	pf_start mx1
}

# sender_up: the sending postfix (mail.sender.example), started; it gives
# up on a server after 5 s without a connection or a greeting
sender_up() {
	pf_make sender "$(addr sender)" mail.sender.example \
		"smtp_connect_timeout = 5s" "smtp_helo_timeout = 5s"
	pf_start sender
}

pf_start() {
	local name=$1 d=$LAB/pf/$1
	ip netns exec "lab-$name" postfix -c "$d/etc" start >>"$(L "postfix-$name")" 2>&1 ||
		die "postfix $name did not start"
	wait_for 10 "postfix $name" test -s "$d/spool/pid/master.pid"
	if [ "$name" != sender ]; then
		wait_for 10 "postfix $name on port 25" \
			ip netns exec "lab-$name" sh -c "ss -Hltn 'sport = :25' | grep -q ."
	fi
}

pf_stop() {
	local name=$1 d=$LAB/pf/$1 pid _
	[ -s "$d/spool/pid/master.pid" ] || return 0
	pid=$(tr -d ' ' <"$d/spool/pid/master.pid")
	ip netns exec "lab-$name" postfix -c "$d/etc" stop >>"$(L "postfix-$name")" 2>&1 || true
	for _ in $(seq 100); do
		alive "$pid" || return 0
		sleep 0.1
	done
	die "postfix $name did not stop"
}

# sender_mail: hand one small message (named after the scenario) to the
# sending postfix
sender_mail() {
	printf '%s\n' \
		"From: Alice <alice@sender.example>" \
		"To: Bob <bob@example.org>" \
		"Subject: mxray lab $SCN" \
		"Date: Tue, 14 Nov 2023 22:13:20 +0000" \
		"Message-ID: <lab-$SCN@mail.sender.example>" \
		"" \
		"A small test message from the mxray capture lab ($SCN)." |
		ip netns exec lab-sender sendmail -C "$LAB/pf/sender/etc" \
			-f alice@sender.example bob@example.org
}

# sender_wait WHAT SECONDS: wait for the postfix sender's delivery result
sender_wait() {
	local want=$1 t=$2
	wait_for "$t" "the sender's delivery ($want)" \
		grep -q "status=$want" "$(L postfix-sender)"
}

# ------------------------------------------------------------ clients and fakes

# swaks_run [swaks options]: swaks from the client host to mx1 (over IPv6
# while V6=1), the message named after the scenario
swaks_run() {
	ip netns exec lab-client swaks --server "$(addr mx1)" \
		--helo client.sender.example \
		--from alice@sender.example --to bob@example.org \
		--header "Subject: mxray lab $SCN" \
		--header "Date: Tue, 14 Nov 2023 22:13:20 +0000" \
		--header "Message-Id: <lab-$SCN@client.sender.example>" \
		--body "A small test message from the mxray capture lab ($SCN)." \
		"$@" >>"$(L swaks)" 2>&1
}

# swaks_ok [swaks options]: swaks_run with a 30 s timeout, which must deliver
swaks_ok() {
	swaks_run --timeout 30 "$@" || die "$SCN: swaks failed"
}

# fake_mx1 MODE: scripts/lab/fakes.py's MODE server on mx1's address
fake_mx1() {
	spawn fake-mx1 lab-mx1 "$PY" "$HERE/fakes.py" "$1" --listen "$MX1_IP"
	wait_for 10 "the fake mx1" grep -q listening "$(L fake-mx1)"
}

# exchange_sender [options]: fakes.py's Exchange-like sender on the sender
# host, which must succeed
exchange_sender() {
	ip netns exec lab-sender "$PY" "$HERE/fakes.py" exchange-sender \
		--resolver "$DNS_IP" "$@" >>"$(L exchange)" 2>&1 ||
		die "$SCN: the fake sender failed"
}

# ------------------------------------------------------------ capture

# cap_start: tcpdump on the bridge into the scenario's capture
cap_start() { # [FILTER]: what tcpdump keeps, by default SMTP and DNS
	CAP=$LAB/cap/$SCN.pcap
	: >"$(L tcpdump)"
	spawn tcpdump lab-sw tcpdump -i br-lab -w "$CAP" -U -Z root \
		"${1:-port 25 or port 53}"
	wait_for 10 "tcpdump" grep -q "listening on" "$(L tcpdump)"
	CAP_T0=$(date +%s.%N)
}

# cap_stop: a second for the last FIN/ACKs, then tcpdump stops
cap_stop() {
	local pid
	sleep 1
	pid=$(cat "$LAB/pids/tcpdump")
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$LAB/pids/tcpdump"
	[ -s "$CAP" ] || die "$SCN: empty capture"
	log "$SCN: $(grep -h 'packets captured' "$(L tcpdump)")," \
		"$(awk -v a="$CAP_T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b-a}')"
}

# the capture holds at least one handshake to port 25
cap_check() {
	local n
	n=$(tshark -r "$CAP" -Y 'tcp.dstport == 25 && tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
	[ "$n" -ge 1 ] || die "$SCN: no SYN to port 25 in the capture"
	mv "$CAP" "$OUT/$SCN.pcap"
}

# ------------------------------------------------------------ scenarios

# shellcheck source=scripts/lab/scenarios.sh
. "$HERE/scenarios.sh"

# ------------------------------------------------------------ main

main() {
	local scn fn t0 ts verify_rc=0
	[ "$(id -u)" -eq 0 ] || die "run as root (network namespaces, postfix)"
	local want=${*:-$ALL_SCENARIOS}
	for scn in $want; do
		case " $ALL_SCENARIOS " in *" $scn "*) ;; *) die "unknown scenario $scn" ;; esac
	done

	"$HERE/deps.sh"
	# mxray is needed only by verify.py; a tree that does not build right
	# now (work in progress) must not stop the captures
	local have_mxray=1
	make -C "$ROOT" --no-print-directory all >/dev/null 2>&1 || {
		log "warning: building mxray failed; the captures are made, verify.py is skipped"
		have_mxray=0
	}

	t0=$(date +%s)
	trap on_exit EXIT
	trap 'exit 130' INT TERM
	teardown # leftovers of an interrupted run
	rm -rf "$LAB"
	mkdir -p "$LAB/logs" "$LAB/pids" "$LAB/cap" "$LAB/pf" "$OUT"
	for scn in $want; do rm -f "$OUT/$scn.pcap"; done

	topology_up
	dnsmasq_start dnsmasq 127.0.0.1 5353 --local=/in-addr.arpa/ \
		--host-record=mx1.example.org,$MX1_IP \
		--host-record=mx2.example.org,$MX2_IP \
		--host-record=mail.sender.example,$SENDER_IP \
		--host-record=client.sender.example,$CLIENT_IP \
		--host-record=ns.example.org,$DNS_IP
	for scn in $want; do
		SCN=$scn
		log "scenario $scn"
		ts=$(date +%s.%N)
		fn=scn_${scn//-/_}
		"$fn"
		cap_check
		log "scenario $scn done in $(awk -v a="$ts" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b-a}')"
	done
	log "captures written to $OUT in $(($(date +%s) - t0)) s"

	if [ "${LAB_VERIFY:-1}" = 1 ] && [ "$have_mxray" = 1 ]; then
		# shellcheck disable=SC2086
		(cd "$ROOT" && "$PY" scripts/lab/verify.py --mxray ./mxray --dir "$OUT" $want) ||
			verify_rc=$?
		if [ "$verify_rc" -ne 0 ]; then
			log "verify.py found differences between mxray and the manifest (above)"
			[ "${LAB_VERIFY_STRICT:-0}" = 1 ] && exit "$verify_rc"
		fi
	fi
	return 0
}

main "$@"
