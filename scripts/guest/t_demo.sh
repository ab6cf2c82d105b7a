#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's topology end to end. Client 192.168.10.115 dials
# the gateway's LAN address 192.168.10.114; the gateway forwards to the
# server 10.10.10.2 and replaces the source with 10.10.10.1 (full NAT).
# Then what the seed is about: two clients dialing at once with the same
# Call ID, over a control path that loses and reorders TCP segments and
# cuts every message into 5-byte pieces, each getting its own echoes.
# rig-checks: 11
. /tests/lib.sh

load_alg
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "topology"; exit 1; }
ppp_files
ppp_modules
check demo-ruleset nsx gw nft -f /examples/gateway-fullnat.nft
check demo-pptpd pptpd_start srv 10.10.10.2
check demo-tunnel-up pptp_client c1 client1 192.168.10.114 192.168.10.115
echo
echo "---- client 192.168.10.115: ping through the tunnel to the server's PPP address"
nsx c1 $IP -4 addr show dev pppclient1 | sed 's/^/    /'
nsx c1 ping -c 4 -W 3 172.16.0.1 | sed 's/^/    /'
check demo-ping nsx c1 ping -c 2 -W 3 172.16.0.1
echo
echo "---- gateway: /proc/net/nf_pptp_alg/calls (the map table)"
calls_file | sed 's/^/    /'
echo
echo "---- gateway: /proc/net/nf_pptp_alg/stats"
nsx gw cat /proc/net/nf_pptp_alg/stats | sed 's/^/    /'
echo
client_down client1
kill_ppp
check demo-table-empty-after-hangup wait_for 20 calls_is 0

echo
echo "---- two scripted clients, both with Call IDs 20631 and 20632, control"
echo "     messages in 5-byte segments, 15% of TCP segments lost and 25% reordered"
echo "     on the client->gateway and gateway->client legs (GRE untouched)"
nsx srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/demo-pac.out 2>&1 &
DPAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/demo-pac.out
lossy=0
if has_netem; then
	netem_tcp c1 eth0 delay 10ms 5ms reorder 25% 50% loss 15% &&
	netem_tcp c2 eth0 delay 10ms 5ms reorder 25% 50% loss 15% &&
	netem_tcp gw lan0 delay 10ms 5ms reorder 25% 50% loss 15% && lossy=1
fi
check demo-lossy-path [ "$lossy" -eq 1 ]
for i in 1 2; do
	timeout 150 $IP netns exec c$i pptp_peer pns --server 192.168.10.114 \
		--bind 192.168.10.11$((4 + i)) --call-id 20631 \
		--calls 2 --write split --split-at 5 --gre 5 \
		--gre-timeout-ms 3000 --hold 6 >$RIG/demo-c$i.out 2>&1 &
	eval DP$i=$!
done
established_is() {
	[ "$(calls_file | grep -c 'state=established')" -eq "$1" ]
}
wait_for 90 established_is 4
echo
echo "---- gateway: /proc/net/nf_pptp_alg/calls with both clients up"
calls_file | sed 's/^/    /'
wait $DP1
R1=$?
wait $DP2
R2=$?
echo
for i in 1 2; do
	echo "---- client 192.168.10.11$((4 + i)): its calls and echoes"
	grep -E '^PNS (call|gre|summary)' $RIG/demo-c$i.out | sed 's/^/    /'
done
echo "---- server: the PNS Call IDs it saw"
grep '^PAC call' $RIG/demo-pac.out | sed 's/^/    /'
echo "---- TCP segments the lossy legs dropped: c1 $(netem_dropped c1 eth0)," \
	"c2 $(netem_dropped c2 eth0), gateway $(netem_dropped gw lan0)"
echo "---- gateway: what the lossy, split control path took"
nsx gw grep -E '^(tcp_gap|retransmit|split_field|duplicate|refused|failed_closed) ' \
	/proc/net/nf_pptp_alg/stats | sed 's/^/    /'
check demo-client1-echoes [ "$R1" -eq 0 ]
check demo-client2-echoes [ "$R2" -eq 0 ]
check demo-client1-all-echoed pns_all_echoed $RIG/demo-c1.out
check demo-client2-all-echoed pns_all_echoed $RIG/demo-c2.out
check demo-server-ids-distinct sh -c \
	"[ \$(grep -c '^PAC call' $RIG/demo-pac.out) -eq 4 ] &&
	 [ \$(grep '^PAC call' $RIG/demo-pac.out | grep -o 'pns_id=[0-9]*' | sort -u | wc -l) -eq 4 ]"
kill $DPAC 2>/dev/null
netem_off c1 eth0
netem_off c2 eth0
netem_off gw lan0
topo_down
