#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 3 (a)-(c): real pptpd servers and pptp-linux clients through the
# gateway with nf_pptp_alg: masquerade, port forward, the seed's full NAT.
# rig-checks: 24
. /tests/lib.sh

load_alg
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "topology"; exit 1; }
ppp_files
ppp_modules

tunnel_ping() {
	# ppp interfaces come up with the server's address as peer.
	nsx "$1" ping -c 3 -W 3 172.16.0.1
}

# (a) two clients behind masquerade, one server
check a-ruleset-masquerade nsx gw nft -f /examples/gateway-masquerade.nft
check a-pptpd-up pptpd_start srv 10.10.10.2
check a-client1-tunnel pptp_client c1 client1 10.10.10.2 192.168.10.115
check a-client2-tunnel pptp_client c2 client2 10.10.10.2 192.168.10.116
check a-client1-ping tunnel_ping c1
check a-client2-ping tunnel_ping c2
check a-two-calls-in-table calls_is 2
check a-pns-ids-translated pns_ids_translated
check a-gre-counted stat_ge gre_translated 1
diag
client_down client1 client2
kill_ppp
check a-table-empty-after-teardown wait_for 20 calls_is 0

# (b) a server behind a DNAT port forward, reached from the WAN
check b-ruleset-portforward nsx gw nft -f /examples/gateway-portforward.nft
check b-pptpd-up pptpd_start lansrv 192.168.10.50
check b-wan-client-tunnel pptp_client wc client3 10.10.10.1 10.10.10.3
check b-wan-client-ping tunnel_ping wc
# The teardown check below means something only if the call was there.
check b-call-in-table calls_is 1
diag
client_down client3
kill_ppp
check b-table-empty-after-teardown wait_for 20 calls_is 0

# (c) the seed: client 192.168.10.115 -> 192.168.10.114 | 10.10.10.1 -> 10.10.10.2
check c-ruleset-fullnat nsx gw nft -f /examples/gateway-fullnat.nft
check c-pptpd-up pptpd_start srv 10.10.10.2
check c-client-tunnel pptp_client c1 client1 192.168.10.114 192.168.10.115
check c-client-ping tunnel_ping c1
seed_entry() {
	calls_file | grep -q 'orig=192.168.10.115:[0-9]*->192.168.10.114:1723 reply=10.10.10.2:1723->10.10.10.1:[0-9]* pns=orig state=established'
}
check c-table-shows-translation seed_entry
check c-pns-id-translated pns_ids_translated
diag
client_down client1
kill_ppp
check c-table-empty-after-teardown wait_for 20 calls_is 0

topo_down
dmesg_clean real
