# scenarios.sh - the lab's scenarios, sourced by run.sh (which holds the
# topology, the daemons and the capture helpers they call).  One function
# scn_NAME per scenario NAME of ALL_SCENARIOS.
# shellcheck shell=bash

# ------------------------------------------------------------ scenarios
# Each scenario ($SCN) starts the daemons it needs, starts tcpdump, runs its
# client to the end (the client has closed its connections by then), stops
# tcpdump (cap_stop waits a second for the last FIN/ACKs) and its daemons.
# The IPv6 scenarios run their IPv4 twin between v6_up and v6_down.

scn_normal() {
	relay_start
	mx1_up
	sender_up
	cap_start
	sender_mail
	sender_wait sent 30
	cap_stop
	grep -q "relay=mx1.example.org\[$(addr mx1)\]:25.*status=sent" \
		"$(L postfix-sender)" || die "$SCN: not delivered to mx1"
	pf_stop sender
	pf_stop mx1
}

# An asymmetric mirror port: the normal delivery, with tcpdump keeping
# none of the receiving server's TCP packets (DNS both ways).
scn_one_sided() {
	relay_start
	mx1_up
	sender_up
	cap_start "(port 25 or port 53) and not (tcp and src host $(addr mx1))"
	sender_mail
	sender_wait sent 30
	cap_stop
	pf_stop sender
	pf_stop mx1
}

scn_slow_ptr() {
	relay_start "PTR $(reverse_pointer "$(addr client)") delay 4"
	mx1_up
	cap_start
	swaks_ok
	cap_stop
	pf_stop mx1
}

# The capture stops (as tcpdump is stopped by hand) while swaks waits for
# the greeting that postfix holds back behind its 4 s PTR lookup: about
# 1 s after the handshake; swaks is then let finish its delivery.
scn_banner_cut() {
	local pid
	relay_start "PTR $(reverse_pointer "$(addr client)") delay 4"
	mx1_up
	cap_start
	swaks_run --timeout 30 &
	pid=$!
	cap_stop # a second in: swaks still waits for the greeting
	wait "$pid" || die "$SCN: swaks failed"
	pf_stop mx1
}

scn_ptr_timeout() {
	relay_start "PTR $(reverse_pointer "$CLIENT_IP") drop"
	resolv mx1 timeout:2 attempts:2
	mx1_up
	cap_start
	swaks_ok
	cap_stop
	pf_stop mx1
	resolv mx1
}

scn_no_banner() {
	relay_start
	fake_mx1 silent-server
	cap_start
	if swaks_run --timeout 5; then die "$SCN: swaks got a banner"; fi
	cap_stop
	stop_bg fake-mx1
}

scn_gave_up() {
	relay_start "PTR $(reverse_pointer "$CLIENT_IP") delay 8"
	mx1_up
	cap_start
	# swaks: no greeting in 3 s -> QUIT, 3 s more for an answer -> close
	if swaks_run --timeout 3; then die "$SCN: swaks did not give up"; fi
	# postfix greets ~8 s after the connection, into the closed socket
	wait_for 15 "mx1 to notice the client has gone" \
		grep -q "disconnect from" "$(L postfix-mx1)"
	cap_stop
	pf_stop mx1
}

scn_failover() {
	relay_start
	fake_mx1 silent-server
	pf_receiver mx2 "$MX2_IP" mx2.example.org
	pf_start mx2
	sender_up
	cap_start
	sender_mail
	sender_wait sent 30
	cap_stop
	grep -q "relay=mx2.example.org\[$MX2_IP\]:25.*status=sent" \
		"$(L postfix-sender)" || die "$SCN: not delivered to mx2"
	grep -q "mx1.example.org.*timed out while receiving the initial server greeting" \
		"$(L postfix-sender)" || die "$SCN: no banner timeout on mx1"
	pf_stop sender
	pf_stop mx2
	stop_bg fake-mx1
}

scn_no_failover() {
	relay_start
	fake_mx1 silent-server
	cap_start
	exchange_sender --mode retry-same-mx --attempts 3 --banner-timeout 5 --pause 3
	cap_stop
	stop_bg fake-mx1
}

scn_data_stall() {
	relay_start
	fake_mx1 data-stall-server
	cap_start
	# swaks: no reply to the dot in 18 s -> QUIT, 18 s more -> close; the
	# server is silent for 36 s after the dot
	if swaks_run --timeout 18; then die "$SCN: swaks got a reply"; fi
	cap_stop
	stop_bg fake-mx1
}

# The same hung scanner, and a sender that gives up sooner than --stall:
# swaks waits 5 s for the reply to the dot, sends QUIT, waits 5 s more and
# closes; the server's silence lasts 10 s.
scn_data_stall_short() {
	relay_start
	fake_mx1 data-stall-server
	cap_start
	if swaks_run --timeout 5; then die "$SCN: swaks got a reply"; fi
	cap_stop
	stop_bg fake-mx1
}

scn_xexch50_stall() {
	relay_start
	fake_mx1 xexch50-server
	cap_start
	exchange_sender --mode xexch50 --ack-timeout 36
	cap_stop
	stop_bg fake-mx1
}

# Cisco PIX "fixup smtp" masks the greeting text with asterisks, keeping
# the reply code and a few characters; the same bytes from postfix itself.
MASKED_BANNER='*****02***********************************************************0****0****'

scn_masked_banner() {
	relay_start
	mx1_up "smtpd_banner = $MASKED_BANNER"
	cap_start
	swaks_ok
	cap_stop
	pf_stop mx1
}

# Resource conservation / tarpit with postfix itself: every restriction
# list starts with "sleep 3", client restrictions are evaluated before the
# greeting (smtpd_delay_reject = no), so the greeting and the replies to
# EHLO, MAIL, RCPT, DATA and the end-of-data dot each come ~3 s late.
scn_tarpit() {
	relay_start
	mx1_up "smtpd_delay_reject = no" \
		"smtpd_client_restrictions = sleep 3" \
		"smtpd_helo_restrictions = sleep 3" \
		"smtpd_sender_restrictions = sleep 3" \
		"smtpd_recipient_restrictions = sleep 3" \
		"smtpd_data_restrictions = sleep 3" \
		"smtpd_end_of_data_restrictions = sleep 3"
	cap_start
	swaks_ok
	cap_stop
	pf_stop mx1
}

scn_pipelining() {
	relay_start
	mx1_up
	cap_start
	swaks_ok --pipeline --to bob@example.org,carol@example.org,dave@example.org
	cap_stop
	grep -q "250-PIPELINING" "$(L swaks)" ||
		die "$SCN: PIPELINING not advertised"
	pf_stop mx1
}

scn_starttls() {
	relay_start
	if [ ! -f "$LAB/tls/mx1.crt" ]; then
		mkdir -p "$LAB/tls"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -days 3650 -subj "/CN=mx1.example.org" \
			-addext "subjectAltName=DNS:mx1.example.org" \
			-keyout "$LAB/tls/mx1.key" -out "$LAB/tls/mx1.crt" \
			>>"$(L openssl)" 2>&1 || die "openssl failed"
	fi
	mx1_up "smtpd_tls_security_level = may" \
		"smtpd_tls_cert_file = $LAB/tls/mx1.crt" \
		"smtpd_tls_key_file = $LAB/tls/mx1.key"
	cap_start
	swaks_ok -tls
	cap_stop
	grep -q "disconnect from .* starttls=1 " "$(L postfix-mx1)" ||
		die "$SCN: no STARTTLS in postfix's log"
	pf_stop mx1
}

# The IPv6 twins of normal and slow-ptr: the same software and the same
# steps over IPv6, the server's reverse lookup a PTR under ip6.arpa (+ the
# AAAA of the name), the resolver the relay on 2001:db8:53::53.

# A sender that says EHLO twice, the second time without a name: real
# Postfix refuses it (501 Syntax: EHLO hostname) and goes on; the session's
# HELO name must stay the first one.
scn_helo_rejected() {
	relay_start
	mx1_up
	cap_start
	exchange_sender --mode helo-twice
	cap_stop
	pf_stop mx1
}

# A sender that sends DATA and the message in one go, to a Postfix that
# takes it (354, then 250 for the message) and to one that refuses such
# pipelining (smtpd_data_restrictions = reject_unauth_pipelining: 503 to
# DATA, and every line of the message read as a command).
scn_body_early() {
	relay_start
	mx1_up
	cap_start
	exchange_sender --mode body-early
	cap_stop
	grep -q "DATA 354, the message 250" "$(L exchange)" ||
		die "$SCN: the message was not taken"
	pf_stop mx1
}

scn_body_early_refused() {
	relay_start
	mx1_up "smtpd_data_restrictions = reject_unauth_pipelining"
	cap_start
	exchange_sender --mode body-early
	cap_stop
	grep -q "DATA refused with 5" "$(L exchange)" ||
		die "$SCN: DATA was not refused"
	pf_stop mx1
}

scn_normal_v6() {
	v6_up
	scn_normal
	v6_down
}

scn_slow_ptr_v6() {
	v6_up
	scn_slow_ptr
	grep -q "connect from client.sender.example\[$CLIENT_IP6\]" \
		"$(L postfix-mx1)" || die "$SCN: mx1 did not see client.sender.example over IPv6"
	v6_down
}
