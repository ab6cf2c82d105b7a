#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 11 (3): after the source rewrite the IPsec policy lookup runs again.
# The gateway (10.10.10.1) and the server (10.10.10.2) protect GRE between
# them with ESP in transport mode; the server accepts GRE from the gateway
# only through ESP. A client behind masquerade makes a call: its GRE is
# routed (and its policy looked up) with the client's own source, and
# matches the policy only once the module has set the gateway's source, so
# without the second lookup it would leave in clear and the server would
# drop it. A kernel without CONFIG_XFRM skips every check.
# rig-checks: 7
# rig-skip-ok: xfrm-* dmesg-clean-xfrm
. /tests/lib.sh

CHECKS="xfrm-states xfrm-policies xfrm-call-echoed xfrm-wan-esp-only
xfrm-drop-0 xfrm-table-empty dmesg-clean-xfrm"

if ! $IP xfrm state list >/dev/null 2>&1; then
	for c in $CHECKS; do
		skip "$c: this kernel has no IPsec (CONFIG_XFRM)"
	done
	exit 0
fi

load_alg
topo_up || { fail "topology"; exit 1; }
nsx gw nft -f /examples/gateway-masquerade.nft

K1=0x0123456789abcdef0123456789abcdef
K2=0x00112233445566778899aabbccddeeff00112233
# states NS: both SAs between the gateway and the server.
states() {
	$IP -n "$1" xfrm state add src 10.10.10.1 dst 10.10.10.2 proto esp \
		spi 0x1001 mode transport enc 'cbc(aes)' $K1 \
		auth 'hmac(sha1)' $K2 &&
	$IP -n "$1" xfrm state add src 10.10.10.2 dst 10.10.10.1 proto esp \
		spi 0x1002 mode transport enc 'cbc(aes)' $K1 \
		auth 'hmac(sha1)' $K2
}
# policy NS DIR SRC DST: GRE from SRC to DST goes through ESP.
policy() {
	$IP -n "$1" xfrm policy add src "$3" dst "$4" proto gre dir "$2" \
		tmpl src "$3" dst "$4" proto esp mode transport
}
both_states() {
	states gw && states srv
}
check xfrm-states both_states
policies() {
	policy gw out 10.10.10.1 10.10.10.2 &&
	policy gw in 10.10.10.2 10.10.10.1 &&
	policy srv out 10.10.10.2 10.10.10.1 &&
	policy srv in 10.10.10.1 10.10.10.2
}
check xfrm-policies policies

$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out
nsx gw tcpdump -Z root -U -n -i wan0 -w $RIG/wan.pcap 'esp or proto gre' >/dev/null 2>&1 &
TD=$!
sleep 2
stats_save $RIG/s0
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--gre 4 >$RIG/x.out 2>&1
check xfrm-call-echoed pns_all_echoed $RIG/x.out
sleep 1
kill $TD
wait $TD 2>/dev/null
# Every GRE packet crossed the WAN inside ESP (4 probes, 4 echoes).
esp_only() {
	nsx gw tcpdump -n -r $RIG/wan.pcap >$RIG/wan.txt 2>/dev/null
	_e=$(grep -c ': ESP(' $RIG/wan.txt)
	_g=$(grep -c ': GREv1' $RIG/wan.txt)
	echo "WAN: $_e ESP, $_g clear GRE"
	[ "$_e" -ge 8 ] && [ "$_g" -eq 0 ]
}
check xfrm-wan-esp-only esp_only
xfrm_drop_0() {
	_d=$(stat_delta $RIG/s0 xfrm_drop)
	echo "xfrm_drop +$_d"
	[ "$_d" -eq 0 ]
}
check xfrm-drop-0 xfrm_drop_0
check xfrm-table-empty wait_for 5 calls_is 0
kill $PAC
wait $PAC 2>/dev/null
nsx gw nft flush ruleset
topo_down
dmesg_clean xfrm
