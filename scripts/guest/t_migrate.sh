#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 11: migrating from mainline's pptp helper, both live in one gateway.
# c1's control connection is on mainline's "pptp", c2's on "pptp-alg"; same
# server, same Call ID asked. Mainline gives c1's call the ID of its
# translated TCP source port on the server's side, so this module must not
# give c2's call that ID on that address pair, or its GRE hook would take
# mainline's packets. The allocator is deterministic in a fresh netns: two
# probe calls of c2 show the step between its choices, and c1's source
# port is set (snat) to the ID it would pick next; it must skip exactly
# that one and take the next. Both calls echo while both live. Then the README's procedure: ruleset switched to pptp-alg only,
# mainline unloaded; c2's call echoes throughout, c1's next call runs on
# pptp-alg. A kernel without mainline's helper skips every check.
# rig-checks: 14
# rig-skip-ok: migrate-* dmesg-clean-migrate
# rig-timeout: 400
. /tests/lib.sh

CHECKS="migrate-mainline-loaded migrate-ruleset migrate-both-up
migrate-probes migrate-mainline-skip-1 migrate-c2-id-moved migrate-c1-mainline-echoed
migrate-switch-ruleset migrate-mainline-unloaded migrate-c1-on-alg-echoed
migrate-c2-hold-never-dropped migrate-c2-all-echoed migrate-table-empty
dmesg-clean-migrate"

if ! has_module nf_nat_pptp || ! has_module nf_conntrack_pptp; then
	for c in $CHECKS; do
		skip "$c: mainline's pptp helper is not in this kernel"
	done
	exit 0
fi

load_alg
topo_up || { fail "topology"; exit 1; }
check migrate-mainline-loaded $MODPROBE nf_nat_pptp

$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out

# c2_id: the server-side PNS ID of c2's one live call, from /proc.
c2_id() {
	calls_file | sed -n 's/^orig=192\.168\.10\.116:.*pns_id=[0-9]*\/\([0-9]*\).*/\1/p'
}
c2_live() {
	[ -n "$(c2_id)" ]
}
# probe N: one call of c2 (stock ruleset), its server-side ID in $RIG/idN.
probe() {
	nsx c2 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.116 \
		--calls 1 --call-id 40001 --gre 1 --hold 3 >$RIG/p$1.out 2>&1 &
	_pp=$!
	wait_for 10 c2_live
	c2_id >$RIG/id$1
	wait $_pp
	wait_for 5 calls_is 0
}
nsx gw nft -f /examples/gateway-masquerade.nft
probe 1
probe 2
X1=$(cat $RIG/id1)
X2=$(cat $RIG/id2)
P=$((2 * ${X2:-0} - ${X1:-0}))
probes_ok() {
	echo "probe IDs $X1 $X2, next predicted $P"
	[ -n "$X1" ] && [ -n "$X2" ] && [ "$X2" -gt "$X1" ] &&
	[ "$P" -ge 1 ] && [ "$P" -lt 65535 ]
}
check migrate-probes probes_ok
nsx gw nft delete table ip pptp_gw

sed "s/@PORT@/$P/" >$RIG/mig.nft <<'EOT'
table ip mig {
	ct helper mainline {
		type "pptp" protocol tcp
		l3proto ip
	}
	ct helper alg {
		type "pptp-alg" protocol tcp
		l3proto ip
	}
	chain helpers {
		type filter hook prerouting priority filter; policy accept;
		ip saddr 192.168.10.115 tcp dport 1723 ct helper set "mainline"
		ip saddr 192.168.10.116 tcp dport 1723 ct helper set "alg"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan0" oifname "wan0" ct state new accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.168.10.115 tcp dport 1723 oifname "wan0" snat to 10.10.10.1:@PORT@
		oifname "wan0" masquerade
	}
}
EOT
check migrate-ruleset nsx gw nft -f $RIG/mig.nft

stats_save $RIG/s0
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--call-id 40001 --gre 4 --hold 15 >$RIG/c1.out 2>&1 &
C1=$!
wait_for 10 grep -q '^PNS call idx=0' $RIG/c1.out
nsx c2 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.116 --calls 1 \
	--call-id 40001 --gre 4 --hold 50 >$RIG/c2.out 2>&1 &
C2=$!
wait_for 10 grep -q '^PNS call idx=0' $RIG/c2.out
check migrate-both-up sh -c "grep -q '^PNS call idx=0 .* result=1' $RIG/c1.out && grep -q '^PNS call idx=0 .* result=1' $RIG/c2.out"

skip_is_1() {
	_d=$(stat_delta $RIG/s0 mainline_skip)
	echo "mainline_skip +$_d (want +1)"
	[ "$_d" -eq 1 ]
}
check migrate-mainline-skip-1 skip_is_1

# Our one call (c2's): not mainline's ID $P, the next one instead.
c2_moved() {
	calls_file
	_w=$(c2_id)
	echo "c2's call: server-side ID ${_w:-none} (mainline holds $P)"
	[ "$(calls_count)" -eq 1 ] && [ "$_w" = $((P + 1)) ]
}
check migrate-c2-id-moved c2_moved

# hold_ok OUT: every probe of the call echoed, the held ones too.
hold_ok() {
	grep '^PNS hold idx=0' "$1"
	grep -q '^PNS hold idx=0 ' "$1" &&
	awk '/^PNS hold idx=0 / { split($5, s, "="); split($6, r, "=");
		ok = s[2] > 5 && s[2] == r[2] } END { exit !ok }' "$1"
}

c1_ok() {
	cat $RIG/c1.out
	pns_all_echoed $RIG/c1.out && hold_ok $RIG/c1.out
}
wait $C1
check migrate-c1-mainline-echoed c1_ok

# The procedure (README): pptp-alg for every connection, then mainline out.
switch() {
	nsx gw nft -f /examples/gateway-masquerade.nft &&
	nsx gw nft delete table ip mig
}
check migrate-switch-ruleset switch
unload_mainline() {
	$RMMOD nf_nat_pptp && $RMMOD nf_conntrack_pptp &&
	! $LSMOD | grep -q '^nf_conntrack_pptp '
}
check migrate-mainline-unloaded unload_mainline
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--call-id 40001 --gre 4 >$RIG/c1b.out 2>&1
check migrate-c1-on-alg-echoed pns_all_echoed $RIG/c1b.out

wait $C2
check migrate-c2-hold-never-dropped hold_ok $RIG/c2.out
check migrate-c2-all-echoed pns_all_echoed $RIG/c2.out
check migrate-table-empty wait_for 5 calls_is 0
kill $PAC
wait $PAC 2>/dev/null
nsx gw nft flush ruleset
topo_down
dmesg_clean migrate
