#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 5: every example ruleset under /examples loads and carries calls.
# The nft files are exercised by t_real.sh and t_peer.sh; here the
# iptables-restore files get the same traffic from the scripted peers.
# Issue 11: the files are the stock form (ESTABLISHED,RELATED, policy
# DROP, no GRE rule); every GRE packet shows as RELATED with helper
# pptp-alg to a counting rule put ahead of them.
# rig-checks: 11
. /tests/lib.sh

load_alg
topo_up || { fail "topology"; exit 1; }


# A counting rule (no target) for GRE that is RELATED, helper pptp-alg.
related_rule_add() {
	nsx gw iptables -I FORWARD 1 -p gre -m conntrack --ctstate RELATED \
		-m helper --helper pptp-alg
}

# related_count_is N: the counting rule saw exactly N packets.
related_count_is() {
	nsx gw iptables -L FORWARD -v -n -x | grep 'helper match'
	_n=$(nsx gw iptables -L FORWARD -v -n -x | awk '/helper match/ { print $1 }')
	echo "related GRE: ${_n:-none} (want $1)"
	[ "${_n:--1}" -eq "$1" ]
}

# scenario NAME RULES PAC_NS PAC_ADDR PNS_NS PNS_ADDR DIAL_ADDR
scenario() {
	nsx gw nft flush ruleset
	check "$1-iptables-restore" nsx gw iptables-restore "$2"
	related_rule_add
	$IP netns exec "$3" pptp_peer pac --listen "$4" --time 0 \
		>$RIG/$1-pac.out 2>&1 &
	_pac=$!
	wait_for 10 grep -q 'PAC listening' $RIG/$1-pac.out
	nsx "$5" pptp_peer pns --server "$7" --bind "$6" --calls 2 \
		--call-id 20631 --gre 4 >$RIG/$1-pns.out 2>&1
	_rc=$?
	check "$1-calls-carry-gre" sh -c "[ $_rc -eq 0 ]"
	check "$1-all-echoed" pns_all_echoed $RIG/$1-pns.out
	# 2 calls x 4 probes, each echoed
	check "$1-gre-related-16" related_count_is 16
	check "$1-table-empty-after" wait_for 5 calls_is 0
	if ! pns_all_echoed $RIG/$1-pns.out; then
		sed 's/^/    | /' $RIG/$1-pns.out $RIG/$1-pac.out
		diag
	fi
	kill $_pac
	wait $_pac 2>/dev/null
}

scenario masq /examples/gateway-masquerade.iptables srv 10.10.10.2 \
	c1 192.168.10.115 10.10.10.2
scenario portfwd /examples/gateway-portforward.iptables lansrv 192.168.10.50 \
	wc 10.10.10.3 10.10.10.1
nsx gw iptables-restore </dev/null 2>/dev/null
nsx gw nft flush ruleset
topo_down
dmesg_clean rulesets
