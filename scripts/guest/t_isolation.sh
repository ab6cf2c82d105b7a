#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Call ID isolation through the masquerading gateway under hostile TCP:
# several clients behind one NAT, all with the same PNS Call IDs (call I of
# every client has Call ID 20631 + I, so each ID is in use by every client
# at once), while the control connections lose, reorder and split their
# segments. (Not --same-id: a PNS repeating a live Call ID on one connection
# is "a request repeated", which the module maps onto the first call.) Every
# scenario asserts that each client gets every echo of every call, that
# the PAC sees only distinct PNS Call IDs and, where the wire shows it, that
# no raw client Call ID leaves on the WAN side; and each one asserts its own
# precondition (loss, a gap at the gateway, small segments), so a quiet
# link cannot pass for a hostile one.
#   base     no disturbance: the control for the rig itself
#   a        netem loss + reordering on TCP only, all four legs, 3 clients
#   b        1..7-byte pieces cut inside the Call ID fields, PNS and PAC
#   c-drop   the gateway loses each client's first OCRQ once: the later
#            OCRQs arrive beyond the hole, the retransmission fills it
#   c-reord  netem holds every other segment of one client back (netem)
# Scenarios that need netem (sch_netem, sch_prio, cls_u32) SKIP without it.
# rig-checks: 41
. /tests/lib.sh

ID=20631
SRV=10.10.10.2
T0=$(date +%s)

load_alg
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "iso-topology"; exit 1; }
add_c3 || { fail "iso-topology-c3"; exit 1; }
check iso-ruleset nsx gw nft -f /examples/gateway-masquerade.nft
# Every write its own segment: no autocorking of small writes.
echo 0 >/proc/sys/net/ipv4/tcp_autocorking 2>/dev/null
for n in c1 c2 c3 srv gw; do
	nsx $n sh -c 'echo 0 >/proc/sys/net/ipv4/tcp_autocorking' 2>/dev/null
done
nsx gw cat /proc/net/nf_pptp_alg/stats >$RIG/stats.old

# ---- helpers ------------------------------------------------------------------
# checkv NAME CMD...: like check, but shows CMD's output on PASS too (the
# numbers behind a verdict belong in the log).
checkv() {
	_cv=$(check "$@")
	echo "$_cv"
	case $_cv in
	PASS:*) sed 's/^/    | /' /tmp/check.out | head -n 30 ;;
	esac
}

# Background jobs are started as plain commands (ip netns exec execs them),
# never as shell functions: $! must be the process itself.
pac_start() {
	_o=$1
	shift
	$IP netns exec srv pptp_peer pac --listen $SRV --time 600 "$@" \
		>"$_o" 2>&1 &
	PAC=$!
	wait_for 10 grep -q 'PAC listening' "$_o"
}

pac_stop() {
	kill -TERM $PAC 2>/dev/null
	wait $PAC 2>/dev/null
}

# cap_start TAG: capture the control connections on both gateway bridges.
cap_start() {
	$IP netns exec gw tcpdump -Z root -U -n -i lan0 -w $RIG/$1-lan.pcap \
		'tcp port 1723' >/dev/null 2>&1 &
	TDL=$!
	$IP netns exec gw tcpdump -Z root -U -n -i wan0 -w $RIG/$1-wan.pcap \
		'tcp port 1723' >/dev/null 2>&1 &
	TDW=$!
	sleep 2
}

cap_stop() {
	sleep 1
	kill -TERM $TDL $TDW 2>/dev/null
	wait $TDL $TDW 2>/dev/null
}

# pns NS ADDR OUT ARGS...: one scripted PNS, bounded in time; its exit
# status goes to OUT.rc.
pns() {
	_ns=$1 _bind=$2 _out=$3
	shift 3
	timeout 150 $IP netns exec "$_ns" pptp_peer pns --server $SRV \
		--bind "$_bind" --call-id $ID "$@" >"$_out" 2>&1
	echo $? >"$_out.rc"
}

# pac_distinct FILE N: the PAC saw N calls, all with different PNS IDs.
pac_distinct() {
	_n=$(grep -c '^PAC call' "$1")
	_d=$(grep '^PAC call' "$1" | sed 's/.*pns_id=\([0-9]*\).*/\1/' |
		sort -u | grep -c .)
	echo "PAC calls=$_n distinct_pns_ids=$_d want=$2"
	grep '^PAC call' "$1" | sed 's/.*pns_id=\([0-9]*\).*/\1/' | sort |
		uniq -c | sort -rn | head -n 5
	[ "$_n" -eq "$2" ] && [ "$_d" -eq "$2" ]
}

# wire_ids TAG CALLS: no OCRQ with one of the clients' raw Call IDs on the
# WAN side, some on the LAN side (so the pattern does match the capture).
wire_ids() {
	_hi=$((ID + $2 - 1))
	_lan=$(ocrqs_with_id $RIG/$1-lan.pcap $ID $_hi)
	_wan=$(ocrqs_with_id $RIG/$1-wan.pcap $ID $_hi)
	echo "OCRQs with a Call ID in $ID..$_hi: lan=$_lan wan=$_wan"
	[ "$_lan" -gt 0 ] && [ "$_wan" -eq 0 ]
}

# clients TAG N: per-client checks over $RIG/TAG-cI.out, I = 1..N.
clients() {
	_i=1
	while [ $_i -le "$2" ]; do
		_f=$RIG/$1-c$_i.out
		sed 's/^/    | /' "$_f"
		check "iso-$1-client$_i-ok" sh -c "[ \"\$(cat $_f.rc)\" = 0 ]"
		check "iso-$1-client$_i-all-echoed" pns_all_echoed "$_f"
		_i=$((_i + 1))
	done
}

# stats_show TAG: what the module's counters did since the last call.
stats_show() {
	echo "    --- $1: module counters that moved"
	nsx gw cat /proc/net/nf_pptp_alg/stats >$RIG/stats.new
	awk 'NR == FNR { o[$1] = $2; next } $2 != o[$1] { printf "%s +%d ", $1, $2 - o[$1] }' \
		$RIG/stats.old $RIG/stats.new | fold -s -w 96 | sed 's/^/    | /'
	echo
	mv $RIG/stats.new $RIG/stats.old
}

# runn TAG N ARGS...: N clients (c1..cN) at once, each with ARGS and its
# own --seed (split-random piece sizes).
runn() {
	_tag=$1 _nc=$2
	shift 2
	_pids=
	_i=1
	while [ $_i -le "$_nc" ]; do
		pns c$_i 192.168.10.$((114 + _i)) $RIG/$_tag-c$_i.out \
			--seed $((_i * 1000 + 7)) "$@" &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	wait $_pids
}

# exchange TAG N "PAC-ARGS" PNS-ARGS...: a fresh PAC, captures on both
# gateway sides and N clients at once.
exchange() {
	_xt=$1 _xn=$2 _xp=$3
	shift 3
	pac_start $RIG/$_xt-pac.out $_xp
	cap_start $_xt
	runn $_xt $_xn "$@"
	cap_stop
	pac_stop
}

elapsed() {
	echo $(($(date +%s) - T0))
}

# ---- base: the same exchange with nothing disturbed ------------------------------
exchange base 3 "--write each" --calls 6 --write each --gre 2 \
	--gre-timeout-ms 2000 --stall 15
clients base 3
checkv iso-base-pac-distinct-ids pac_distinct $RIG/base-pac.out 18
checkv iso-base-wire-ids-translated wire_ids base 6
stats_show base
echo "    elapsed $(elapsed)s"

# ---- (a) loss and reordering on TCP, all four legs -------------------------------
LEGS="c1:eth0 c2:eth0 c3:eth0 gw:lan0 gw:wan0 srv:eth0"
if has_netem; then
	a_ok=1
	a_rounds=0
	a_holes=0
	a_drops=0
	: >$RIG/a-fail
	for leg in $LEGS; do
		netem_tcp ${leg%%:*} ${leg#*:} delay 10ms 8ms reorder 25% 50% loss 10% ||
			a_ok=0
	done
	if [ $a_ok -eq 0 ]; then
		fail "iso-a-netem-setup"
	fi
	# netem draws at random: until the gateway saw a gap, at most 3 rounds.
	while [ $a_ok -eq 1 ] && [ $a_rounds -lt 3 ] && [ $a_holes -eq 0 ]; do
		a_rounds=$((a_rounds + 1))
		r=a$a_rounds
		exchange $r 3 "--write each" --calls 6 --write each --gre 2 \
			--gre-timeout-ms 2000 --stall 20
		# Gaps the helper saw: client->server at lan0, server->client at
		# wan0, both where the segments arrive at the gateway.
		set -- $(tcp_order $RIG/$r-lan.pcap 'tcp dst port 1723')
		h1=$1 l1=$2
		set -- $(tcp_order $RIG/$r-wan.pcap 'tcp src port 1723')
		h2=$1 l2=$2
		a_holes=$((a_holes + h1 + h2))
		echo "    round $r: beyond-hole segments at gw: from clients=$h1 from server=$h2; late: $l1/$l2 (elapsed $(elapsed)s)"
		for i in 1 2 3; do
			[ "$(cat $RIG/$r-c$i.out.rc)" = 0 ] ||
				echo "$r client$i-rc" >>$RIG/a-fail
			pns_all_echoed $RIG/$r-c$i.out ||
				echo "$r client$i-echo" >>$RIG/a-fail
		done
		if ! pac_distinct $RIG/$r-pac.out 18 >$RIG/$r-distinct.out; then
			echo "$r pac" >>$RIG/a-fail
		fi
		if ! wire_ids $r 6 >$RIG/$r-wire.out; then
			echo "$r wire" >>$RIG/a-fail
		fi
		[ "$(elapsed)" -gt 150 ] && break
	done
	for leg in $LEGS; do
		d=$(netem_dropped ${leg%%:*} ${leg#*:})
		echo "    netem ${leg}: dropped $d"
		a_drops=$((a_drops + d))
		netem_off ${leg%%:*} ${leg#*:}
	done
	# Verdicts over all rounds; the peers' output of the last round.
	[ $a_rounds -gt 0 ] || echo "no round" >>$RIG/a-fail
	for i in 1 2 3; do
		[ $a_rounds -gt 0 ] && sed 's/^/    | /' $RIG/$r-c$i.out
		check "iso-a-client$i-ok" sh -c "cat $RIG/a-fail; ! grep -q -e 'client$i-rc' -e 'no round' $RIG/a-fail"
		check "iso-a-client$i-all-echoed" sh -c "cat $RIG/a-fail; ! grep -q -e 'client$i-echo' -e 'no round' $RIG/a-fail"
	done
	a_distinct() {
		for f in $RIG/a[0-9]-distinct.out; do
			echo "-- $f"
			cat "$f"
		done
		! grep -q -e '^a[0-9] pac$' -e 'no round' $RIG/a-fail
	}
	checkv iso-a-pac-distinct-ids a_distinct
	a_wire() {
		cat $RIG/a[0-9]-wire.out
		! grep -q -e '^a[0-9] wire$' -e 'no round' $RIG/a-fail
	}
	checkv iso-a-wire-ids-translated a_wire
	checkv iso-a-loss-happened sh -c "echo 'netem dropped $a_drops'; [ $a_drops -gt 0 ]"
	checkv iso-a-gap-at-gateway sh -c "echo 'beyond-hole segments $a_holes in $a_rounds rounds'; [ $a_holes -gt 0 ]"
	stats_show a
	echo "    elapsed $(elapsed)s"
else
	skip "iso-a (no sch_netem/sch_prio/cls_u32 in this kernel)"
fi

# ---- (b) pieces of 1..7 bytes, boundaries inside the Call IDs ------------------------
exchange b 2 "--write split-random --seed 4242" --calls 3 \
	--write split-random --gre 2 --gre-timeout-ms 4000 --stall 15
clients b 2
grep '^PAC split' $RIG/b-pac.out | sed 's/^/    | /'
checkv iso-b-pac-distinct-ids pac_distinct $RIG/b-pac.out 6
b_small() {
	# client pieces as they reach the gateway, PAC pieces likewise
	cs=$(small_segs $RIG/b-lan.pcap 'tcp dst port 1723')
	ss=$(small_segs $RIG/b-wan.pcap 'tcp src port 1723')
	cc=$(cat $RIG/b-c1.out $RIG/b-c2.out | sed -n 's/^PNS split .*id_cuts=\([0-9]*\).*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }')
	sc=$(sed -n 's/^PAC split .*id_cuts=\([0-9]*\).*/\1/p' $RIG/b-pac.out)
	echo "segments of 1..7 bytes: from clients=$cs from server=$ss; Call ID cuts: clients=$cc server=${sc:-0}"
	[ "$cs" -gt 20 ] && [ "$ss" -gt 20 ] && [ "$cc" -gt 0 ] && [ "${sc:-0}" -gt 0 ]
}
checkv iso-b-split-on-the-wire b_small
stats_show b
echo "    elapsed $(elapsed)s"

# ---- (c) a segment beyond a hole, the hole filled later -------------------------------
# c-drop: the gateway drops each client's first OCRQ segment once, before
# conntrack sees it; the client's next OCRQs reach conntrack beyond the hole
# and its retransmission fills it. Works on every kernel (nftables only).
nsx gw nft -f - <<EOT
table ip iso_hole {
	set dropped {
		type ipv4_addr
		flags dynamic
	}
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		tcp dport 1723 @ih,64,16 0x0007 ip saddr != @dropped add @dropped { ip saddr } counter drop
	}
}
EOT
check iso-c-drop-ruleset nsx gw nft list table ip iso_hole
exchange cd 2 "--write each" --calls 6 --write each --gre 2 \
	--gre-timeout-ms 2000 --stall 15
clients cd 2
checkv iso-cd-pac-distinct-ids pac_distinct $RIG/cd-pac.out 12
checkv iso-cd-wire-ids-translated wire_ids cd 6
cd_hole() {
	nsx gw nft list table ip iso_hole | grep counter
	drops=$(nsx gw nft list table ip iso_hole |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	set -- $(tcp_order $RIG/cd-lan.pcap 'tcp dst port 1723')
	# The capture on lan0 precedes the drop: the dropped OCRQ shows, and
	# its retransmission after the later OCRQs shows as late.
	echo "dropped=$drops late=$2"
	[ "${drops:-0}" -eq 2 ] && [ "$2" -ge 2 ]
}
checkv iso-cd-hole-then-fill cd_hole
nsx gw nft delete table ip iso_hole
stats_show cd
echo "    elapsed $(elapsed)s"

# c-reord: netem on c1's egress with "delay 200ms reorder 100% gap 2"
# delays the 1st, 3rd, 5th ... TCP segment by 200 ms and sends the 2nd,
# 4th ... at once, so of c1's back-to-back OCRQs the later ones overtake the
# earlier ones. c2 is undisturbed and has the same Call IDs.
if has_netem; then
	if netem_tcp c1 eth0 delay 200ms reorder 100% gap 2; then
		exchange cr 2 "--write each" --calls 6 --write each --gre 2 \
			--gre-timeout-ms 2000 --stall 15
		netem_off c1 eth0
		clients cr 2
		checkv iso-cr-pac-distinct-ids pac_distinct $RIG/cr-pac.out 12
		checkv iso-cr-wire-ids-translated wire_ids cr 6
		cr_hole() {
			set -- $(tcp_order $RIG/cr-lan.pcap 'tcp dst port 1723 and src host 192.168.10.115')
			echo "client1 segments beyond a hole at the gateway: $1, late: $2"
			[ "$1" -gt 0 ]
		}
		checkv iso-cr-gap-at-gateway cr_hole
		stats_show cr
	else
		fail "iso-cr-netem-setup"
	fi
else
	skip "iso-c-reord (no sch_netem/sch_prio/cls_u32 in this kernel)"
fi
echo "    isolation total elapsed $(elapsed)s"

topo_down_c3
topo_down
dmesg_clean isolation
