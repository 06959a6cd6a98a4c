# shellcheck shell=sh
# netns.sh - sourced (". scripts/netns.sh") by test-live.sh, live-rate.sh and
# soak.sh, POSIX sh, needs root: a private wire for live-capture tests.
#
#   ns_setup                   two new namespaces joined by a veth pair:
#                              $NS_TX holds $IF_TX (tcpreplay sends there),
#                              $NS_RX holds $IF_RX (the capture listens there)
#   ns_pair TX RX              one more veth pair, TX in $NS_TX, RX in $NS_RX
#   ns_replay FILE SPEED [tcpreplay options]
#                              replay FILE onto $IF_TX, in the foreground; SPEED
#                              is "top", "N" (a --multiplier), "Nmbps" or
#                              "orig" (the capture's own timing); tcpreplay's
#                              report goes to standard output
#   ns_replay_bg FILE SPEED [tcpreplay options]
#                              the same in the background; $! is tcpreplay's
#                              pid (stop it with ns_stop, it reports on SIGINT)
#   ns_capture CMD [ARG...]    start CMD in $NS_RX in the background; $! is
#                              CMD's own pid (ip netns exec execs it, no fork),
#                              so /proc/$!/status is the capturing process
#   ns_wait_ready PID          wait until the capture PID has its packet socket
#   ns_stop PID [SIG [SECONDS]]
#                              send SIG (default INT) to PID, wait for it up to
#                              SECONDS (default 20), then SIGKILL; returns the
#                              exit status (137 after the SIGKILL)
#   ns_teardown                kill what is still running in the namespaces
#                              and delete them (the veth goes with them);
#                              idempotent, run by the EXIT trap ns_setup sets
#
# Why this shape:
#  * interface names belong to a namespace: the capturing process has to run
#    in the namespace that holds the capture end (pcap_open_live / -i looks
#    the name up in its own namespace), hence ip netns exec for both sides;
#  * two namespaces rather than one, and the veth is created straight inside
#    them (ip link add ... netns): nothing ever appears in the host's
#    namespace, and the names (fixed, short, below IFNAMSIZ) cannot clash with
#    another run, whose namespaces have other names;
#  * no addresses and IPv6 switched off on both ends before they come up:
#    otherwise the kernel sends its own router solicitations, MLD reports and
#    DAD probes onto the wire and the capture holds packets the replayed file
#    does not (with this setup a top-speed replay of the 100 MB bench capture
#    arrives byte for byte, in order, nothing added);
#  * MTU 9000: the samples and the bench captures have frames up to 1514
#    bytes (Ethernet header + 1500), which a 1500 MTU takes, but tcpreplay
#    refuses a frame above the MTU ("Message too long"), so leave room for
#    jumbo captures;
#  * offloads off (GRO, GSO, TSO, VLAN tag stripping): veth has GRO off by
#    default and tcpreplay's frames are not segmented, but with GRO on the
#    receiving end would merge TCP segments into one larger frame before the
#    capture sees it, and the capture would not be the replayed file;
#  * the EXIT trap replaces lib.sh's (it removes $tmp too, when set); INT and
#    TERM exit through it, so an interrupted run leaves no namespace behind.
#    Only a SIGKILLed run does: `ip netns list | grep mxray-` finds them.

NS_TX=
NS_RX=
IF_TX=mxtx0
IF_RX=mxrx0
NS_PIDS=

ns_teardown() {
	for ns_p in $NS_PIDS; do
		kill -TERM "$ns_p" 2>/dev/null || :
	done
	for ns_n in $NS_TX $NS_RX; do
		# anything else left running in our namespaces was started by us
		for ns_p in $(ip netns pids "$ns_n" 2>/dev/null); do
			kill -KILL "$ns_p" 2>/dev/null || :
		done
		ip netns del "$ns_n" 2>/dev/null || :
	done
	NS_TX='' NS_RX='' NS_PIDS=''
}

ns_setup() {
	# shellcheck disable=SC2154 # $tmp: the caller's scratch directory, if any
	trap 'ns_teardown; [ -z "${tmp:-}" ] || rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# pid + a random part: unique even when two runs share a pid namespace
	ns_id="$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
	NS_TX="mxray-$ns_id-tx"
	ip netns add "$NS_TX" || { NS_TX=; return 1; }
	NS_RX="mxray-$ns_id-rx"
	ip netns add "$NS_RX" || { NS_RX=; return 1; }
	ns_pair "$IF_TX" "$IF_RX" || return 1
	# both ends up with carrier before anyone sends
	ns_t=0
	while ! ip -n "$NS_RX" link show "$IF_RX" | grep -q LOWER_UP; do
		ns_t=$((ns_t + 1))
		[ "$ns_t" -le 50 ] || { echo "netns.sh: $IF_RX has no carrier" >&2; return 1; }
		sleep 0.1
	done
}

# ns_pair TX RX: one more veth pair, TX in $NS_TX and RX in $NS_RX, set up
# as the first (a TAP's second direction, say)
ns_pair() {
	ip link add "$1" netns "$NS_TX" mtu 9000 type veth \
		peer name "$2" netns "$NS_RX" mtu 9000 || return 1
	for ns_side in "$NS_TX $1" "$NS_RX $2"; do
		# shellcheck disable=SC2086 # split on purpose: namespace, interface
		set -- $ns_side
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" || return 1
		# not every kernel has every feature: keep what it refuses; without
		# ethtool, the veth defaults (GRO off) are left
		for ns_f in gro gso tso rxvlan txvlan; do
			command -v ethtool >/dev/null || break
			ip netns exec "$1" ethtool -K "$2" "$ns_f" off 2>/dev/null || :
		done
		ip -n "$1" link set "$2" up || return 1
	done
}

ns_replay() {
	ns_file=$1
	ns_speed=$2
	shift 2
	case $ns_speed in
	top) set -- --topspeed "$@" ;;
	orig) ;;
	*mbps) set -- --mbps="${ns_speed%mbps}" "$@" ;;
	*) set -- --multiplier="$ns_speed" "$@" ;;
	esac
	# --no-flow-stats: the flow table costs time at top speed and is not used
	if [ -n "${NS_BG:-}" ]; then
		ip netns exec "$NS_TX" tcpreplay --no-flow-stats -i "$IF_TX" "$@" "$ns_file" &
		NS_PIDS="$NS_PIDS $!"
	else
		ip netns exec "$NS_TX" tcpreplay --no-flow-stats -i "$IF_TX" "$@" "$ns_file"
	fi
}

# as ns_replay, in the background ($! is tcpreplay's pid), e.g. for --loop=0
ns_replay_bg() {
	NS_BG=1
	ns_replay "$@"
	NS_BG=
}

ns_capture() {
	ip netns exec "$NS_RX" "$@" &
	NS_PIDS="$NS_PIDS $!"
}

# ns_wait_ready PID: the capture PID is listening once its packet socket
# exists (/proc/PID/net/packet lists the packet sockets of PID's namespace:
# a header line, then one per socket), plus half a second for its ring and
# filter; at most 5 s, and not at all once PID has ended
ns_wait_ready() {
	ns_t=0
	while [ "$(wc -l 2>/dev/null <"/proc/$1/net/packet" || echo 0)" -le 1 ]; do
		ns_t=$((ns_t + 1))
		# gone (or a zombie: its /proc/PID/net is empty): nothing to wait for
		[ "$ns_t" -le 45 ] && [ -e "/proc/$1" ] && [ "$(ns_state "$1")" != Z ] || return 0
		sleep 0.1
	done
	sleep 0.5
}

# the state letter of /proc/PID/stat (after the ")" that ends the name)
ns_state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1
}

ns_stop() {
	ns_p=$1
	kill "-${2:-INT}" "$ns_p" 2>/dev/null || :
	ns_t=0
	# an exited child stays a zombie (state Z) until wait reaps it
	while [ -e "/proc/$ns_p" ] && [ "$(ns_state "$ns_p")" != Z ]; do
		ns_t=$((ns_t + 1))
		if [ "$ns_t" -gt $((${3:-20} * 10)) ]; then
			echo "netns.sh: pid $ns_p still running after ${3:-20} s: SIGKILL" >&2
			kill -KILL "$ns_p" 2>/dev/null || :
			break
		fi
		sleep 0.1
	done
	ns_rc=0
	wait "$ns_p" || ns_rc=$?
	return "$ns_rc"
}
