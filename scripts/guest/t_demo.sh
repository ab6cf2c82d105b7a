#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's topology end to end. Client 192.168.10.115 dials
# the gateway's LAN address 192.168.10.114; the gateway forwards to the
# server 10.10.10.2 and replaces the source with 10.10.10.1 (full NAT).
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
topo_down
