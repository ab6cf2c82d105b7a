#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 4 item 4: faults through the masquerading gateway, driven by the
# scripted peer: (1) an OCRQ flood past max_calls, (2) random bytes on TCP
# 1723, (3) random GRE version 1 at full speed, (4) duplicated and
# out-of-place control messages, (5) the per-netns call limit. After each:
# no oops or warning, the call table and the counters agree, and a
# bystander tunnel got every echo. conntrack -F and module unload with live
# calls are covered by t_peer.sh.
# rig-checks: 65
# rig-timeout: 600
. /tests/lib.sh

PARAMS=/sys/module/nf_pptp_alg/parameters
C1=192.168.10.115
C2=192.168.10.116

load_alg
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "topology"; exit 1; }
check fault-ruleset nsx gw nft -f /examples/gateway-masquerade.nft

nsx srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out

# pns NS OUT ARGS...: a scripted PNS in c1 or c2, bound to its address.
pns() {
	_ns=$1 _out=$2
	shift 2
	if [ "$_ns" = c1 ]; then _src=$C1; else _src=$C2; fi
	nsx "$_ns" pptp_peer pns --server 10.10.10.2 --bind "$_src" "$@" \
		>"$_out" 2>&1
}

# fcheck: ocheck (lib.sh) with the current step's peer outputs in $OUTS.
OUTS=
fcheck() {
	ocheck "$@"
}

# echoed OUT [FIRST LAST]: every probe of calls FIRST..LAST (default: all)
# came back, in the GRE phase (at least one probe) and while holding.
echoed() {
	grep -q '^PNS summary' "$1" &&
	awk -v lo="${2:-0}" -v hi="${3:-65535}" '
		/^PNS (gre|hold) / {
			split($3, i, "="); split($5, s, "="); split($6, r, "=")
			if (i[2] + 0 < lo || i[2] + 0 > hi) next
			if (s[2] != r[2] || ($2 == "gre" && s[2] == 0)) bad = 1
			n++
		}
		END { exit bad || n == 0 }' "$1"
}

# moved FILE MIN MAX NAME...: the named counters moved together by MIN to
# MAX since FILE (where the exact count depends on TCP retransmissions or
# on random junk, MAX is what the wire shows could have been counted).
moved() {
	_mf=$1 _min=$2 _max=$3
	shift 3
	_d=$(stat_delta "$_mf" "$@")
	echo "$* moved by $_d (want $_min..$_max)"
	[ "$_d" -ge "$_min" ] && [ "$_d" -le "$_max" ]
}

# moved_by FILE N NAME...: the named counters together moved by exactly N.
moved_by() {
	_mf=$1 _n=$2
	shift 2
	_d=$(stat_delta "$_mf" "$@")
	echo "$* moved by $_d (want $_n)"
	[ "$_d" -eq "$_n" ]
}

is() {
	echo "$1 = $2 (want $3)"
	[ "$2" -eq "$3" ]
}

# only_calls_of ADDR N: the table holds N calls, all from ADDR.
only_calls_of() {
	calls_file
	[ "$(calls_count)" -eq "$2" ] && [ "$(calls_of "$1")" -eq "$2" ]
}

calls_of_is() {
	[ "$(calls_of "$1")" -eq "$2" ]
}

# watch_max ADDR PID FILE: keep in FILE the most calls from ADDR seen at
# once while PID runs.
watch_max() {
	_wm=0
	echo 0 >"$3"
	while kill -0 "$2" 2>/dev/null; do
		_wn=$(calls_of "$1")
		[ "$_wn" -gt "$_wm" ] && _wm=$_wn && echo "$_wm" >"$3"
		sleep 0.2
	done
}

# table_matches OUT CALLS ADDR: the calls from ADDR in the table snapshot
# CALLS are exactly the peer's calls, established, with the PAC IDs its
# first OCRPs gave (no call reused, doubled or re-keyed).
table_matches() {
	grep "^orig=$3:" "$2"
	_tn=$(grep -c "^orig=$3:" "$2")
	_tw=$(grep -c '^PNS call ' "$1")
	echo "rows from $3: $_tn, peer calls: $_tw"
	[ "$_tn" -eq "$_tw" ] || return 1
	grep '^PNS call ' "$1" | while read -r _ _ _ _x _y _; do
		_tr=$(grep "^orig=$3:.*state=established pns_id=${_x#pns_id=}/[0-9]* pac_id=${_y#pac_id=}/" "$2" | grep -c .)
		echo "$_x $_y: $_tr row(s)"
		[ "$_tr" -eq 1 ] || exit 1
	done
}

# show_moved FILE: print the counters that moved since stats_save FILE.
show_moved() {
	stats_save $RIG/now
	awk 'NR == FNR { old[$1] = $2; next }
		$1 != "calls_live" && $2 != old[$1] {
			printf " %s+%d", $1, $2 - old[$1] }
		END { print "" }' "$1" $RIG/now | sed 's/^/    counters moved:/'
}

# step_end N: nothing left over, counters consistent, no oops or warning.
step_end() {
	show_moved $RIG/s$1
	fcheck "$1-table-empty" wait_for 5 calls_is 0
	fcheck "$1-counters-consistent" stats_consistent
	dmesg_clean "fault-$1"
}

# ---- 1: OCRQ flood on one control connection past max_calls ---------------
# 40 OCRQs on one connection with max_calls 16: the helper tracks the first
# 16, counts the rest conn_calls_full and sends them on with Call ID 0, so
# their OCRPs come back naming Peer Call ID 0 (counted call_not_found) and
# the PNS sees 24 refusals; its first 16 calls must work.
echo 16 >$PARAMS/max_calls
stats_save $RIG/s1
OUTS="$RIG/1-good.out $RIG/1-flood.out"
pns c2 $RIG/1-good.out --calls 2 --call-id 700 --gre 3 --hold 12 &
PG=$!
wait_for 20 grep -q '^PNS gre idx=1 ' $RIG/1-good.out
pns c1 $RIG/1-flood.out --calls 40 --call-id 100 --gre 1 --hold 5 \
	--hold-silent &
PF=$!
watch_max $C1 $PF $RIG/1.max &
WM=$!
wait_for 30 grep -q '^PNS gre idx=15 ' $RIG/1-flood.out
calls_file >$RIG/1.calls
wait $PF
RF=$?
wait $WM
wait $PG
RG=$?
flood_held() {
	_ids=$(grep "^orig=$C1:.*state=established" $RIG/1.calls |
		sed 's/.* pns_id=\([0-9]*\)\/.*/\1/' | sort -n | tr '\n' ' ')
	echo "established calls from c1 while holding: $_ids"
	echo "most calls from c1 seen at once: $(cat $RIG/1.max)"
	[ "$_ids" = "$(seq 100 115 | tr '\n' ' ')" ] &&
	[ "$(cat $RIG/1.max)" -le 16 ]
}
fcheck 1-table-holds-max-calls flood_held
fcheck 1-conn-calls-full-counted moved_by $RIG/s1 24 conn_calls_full
fcheck 1-untracked-replies-not-found moved_by $RIG/s1 24 call_not_found
# refusals_clean OUT N OK CALLS: N refusals, OK of CALLS calls connected.
refusals_clean() {
	grep -q "calls_ok=$3 calls=$4" "$1" &&
	is "refusals seen by the PNS" "$(grep -c '^PNS refused ' "$1")" "$2"
}
fcheck 1-flood-refused-cleanly refusals_clean $RIG/1-flood.out 24 16 40
fcheck 1-tracked-calls-echoed echoed $RIG/1-flood.out 0 15
# 1: its calls past max_calls carry no GRE.
fcheck 1-flood-exit-1 is exit "$RF" 1
fcheck 1-bystander-exit-0 is exit "$RG" 0
fcheck 1-bystander-all-echoed echoed $RIG/1-good.out
echo 64 >$PARAMS/max_calls
step_end 1

# ---- 2: random bytes on TCP 1723 --------------------------------------------
# Six junk connections (three after a valid SCCRQ/SCCRP) while a good client
# holds: behind the masquerade each one fails closed (one bad_* count, its
# calls freed, the rest of its payload dropped, so the PAC never sees it and
# the junk peer gives up after 2 s), and nothing else changes.
stats_save $RIG/s2
$IP netns exec gw tcpdump -Z root -U -n -i lan0 -w $RIG/2-lan.pcap \
	"src host $C1 and tcp dst port 1723" >/dev/null 2>&1 &
TD=$!
sleep 2
OUTS="$RIG/2-good.out $RIG/2-junk.out"
: >$RIG/2-junk.out
pns c2 $RIG/2-good.out --calls 2 --call-id 800 --gre 3 --hold 40 &
PG=$!
wait_for 20 grep -q '^PNS gre idx=1 ' $RIG/2-good.out
RJ=0
for s in 1 2 3 4 5 6; do
	a=
	[ $((s % 2)) -eq 0 ] && a=--after-sccrq
	nsx c1 pptp_peer junk --server 10.10.10.2 --bind $C1 \
		--bytes $((s * 300)) --seed $s $a >>$RIG/2-junk.out 2>&1 || RJ=1
done
fcheck 2-junk-peers-ran is junk-failures $RJ 0
fcheck 2-junk-sccrp-answered is sccrp "$(grep -c 'JUNK sccrp result=1' $RIG/2-junk.out)" 3
fcheck 2-table-only-bystander only_calls_of $C2 2
fcheck 2-junk-failed-closed is failed_closed "$(stat_delta $RIG/s2 failed_closed)" 6
sleep 1
kill -INT $TD
wait $TD 2>/dev/null
# Each drop is one of the junk peers' payload segments (retransmissions
# included) as they reached the gateway.
JSEGS=$(tcpdump -n -r $RIG/2-lan.pcap \
	'(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0' 2>/dev/null | grep -c .)
fcheck 2-junk-payload-dropped moved $RIG/s2 1 "$JSEGS" closed_drop
wait $PG
RG=$?
fcheck 2-bad-framing-counted moved_by $RIG/s2 6 bad_cookie bad_length \
	bad_ctrl_type bad_msg_type
# Three junk SCCRQ/SCCRP pairs and the bystander's ten (SCCRQ, SCCRP, two
# OCRQ, OCRP, CCRQ and CDN): the junk itself parses to no message.
fcheck 2-messages-counted moved_by $RIG/s2 16 messages
fcheck 2-bystander-exit-0 is exit "$RG" 0
fcheck 2-bystander-all-echoed echoed $RIG/2-good.out
step_end 2

# ---- 3: random GRE version 1 at full speed -----------------------------------
# Keys 1-4096 include the PAC's Call IDs (1280 up), so some junk reaches live
# PAC calls and is echoed back into the bystander's call, which must ignore
# it; c1's own packets match no call (their source is not the bystander's).
stats_save $RIG/s3
OUTS="$RIG/3-good.out $RIG/3-junk.out"
pns c2 $RIG/3-good.out --calls 2 --call-id 900 --gre 3 --hold 10 &
PG=$!
wait_for 20 grep -q '^PNS gre idx=1 ' $RIG/3-good.out
nsx c1 pptp_peer grejunk --dst 10.10.10.2 --bind $C1 --seconds 5 --seed 7 \
	--ids 1-4096 >$RIG/3-junk.out 2>&1
RJ=$?
sed 's/^/    /' $RIG/3-junk.out
fcheck 3-table-only-bystander only_calls_of $C2 2
wait $PG
RG=$?
fcheck 3-grejunk-sent is exit $RJ 0
# Each count is one of the junk packets of its kind, as the peer made
# them (what it sent is the most; a packet lost on the way counts nowhere,
# and well-formed ones keyed to a live call are translated instead).
JW=$(sed -n 's/^GREJUNK kinds wellformed=\([0-9]*\) .*/\1/p' $RIG/3-junk.out)
JM=$(sed -n 's/^GREJUNK kinds .* malformed=\([0-9]*\) .*/\1/p' $RIG/3-junk.out)
fcheck 3-gre-no-call-counted moved $RIG/s3 1 "${JW:-0}" gre_no_call
fcheck 3-gre-malformed-counted moved $RIG/s3 1 "${JM:-0}" gre_malformed
fcheck 3-gre-counts-within-sent moved $RIG/s3 2 "$((${JW:-0} + ${JM:-0}))" gre_no_call gre_malformed
fcheck 3-bystander-exit-0 is exit "$RG" 0
fcheck 3-bystander-all-echoed echoed $RIG/3-good.out
# The junk leaves conntrack GRE entries behind (keys 1-4096, unreplied,
# masqueraded); the later steps run with them in place.
junk_tracked() {
	_n=$(nsx gw conntrack -L 2>/dev/null | grep -cE '^(gre|unknown) ')
	echo "GRE conntrack entries left by the junk: $_n"
	[ "$_n" -gt 0 ]
}
fcheck 3-junk-gre-tracked junk_tracked
step_end 3

# ---- 4: duplicated and out-of-place control messages ------------------------
# --dup: every OCRQ twice. The helper maps the copy onto the call it made
# (duplicate); the PAC makes a second call per copy, whose OCRP the helper
# counts unexpected and the PNS ignores. --bogus: CCRQ, SLI and WEN for IDs
# no call has yet, then OCRP and ICRP from the PNS naming its own call.
stats_save $RIG/s4
OUTS="$RIG/4-good.out $RIG/4-dup.out $RIG/4-bogus.out"
pns c2 $RIG/4-good.out --calls 2 --call-id 1000 --gre 3 --hold 14 &
PG=$!
wait_for 20 grep -q '^PNS gre idx=1 ' $RIG/4-good.out
pns c1 $RIG/4-dup.out --calls 3 --call-id 1100 --dup --sli --gre 3 \
	--hold 3 --hold-silent &
P=$!
wait_for 20 grep -q '^PNS gre idx=2 ' $RIG/4-dup.out
calls_file >$RIG/4-dup.calls
wait $P
R=$?
fcheck 4-dup-exit-0 is exit $R 0
fcheck 4-dup-all-echoed echoed $RIG/4-dup.out
fcheck 4-dup-calls-intact table_matches $RIG/4-dup.out $RIG/4-dup.calls $C1
fcheck 4-dup-duplicate-counted moved_by $RIG/s4 3 duplicate
fcheck 4-dup-second-ocrp-unexpected moved_by $RIG/s4 3 unexpected
fcheck 4-dup-calls-freed wait_for 5 calls_of_is $C1 0

stats_save $RIG/s4b
pns c1 $RIG/4-bogus.out --calls 3 --call-id 1200 --bogus --gre 3 \
	--hold 3 --hold-silent &
P=$!
wait_for 20 grep -q '^PNS gre idx=2 ' $RIG/4-bogus.out
calls_file >$RIG/4-bogus.calls
wait $P
R=$?
fcheck 4-bogus-exit-0 is exit $R 0
fcheck 4-bogus-all-echoed echoed $RIG/4-bogus.out
fcheck 4-bogus-calls-intact table_matches $RIG/4-bogus.out $RIG/4-bogus.calls $C1
fcheck 4-bogus-not-found-counted moved_by $RIG/s4b 4 call_not_found
# The ICRP repeats call 0's PNS ID: one duplicate. The OCRP's Peer Call ID
# (call 0's PAC ID) names no PNS-side call: one of the four call_not_found
# above, with the CCRQ, SLI and WEN.
fcheck 4-bogus-replies-counted moved_by $RIG/s4b 1 duplicate unexpected
wait $PG
RG=$?
fcheck 4-bystander-exit-0 is exit "$RG" 0
fcheck 4-bystander-all-echoed echoed $RIG/4-good.out
step_end 4

# ---- 5: the netns call limit --------------------------------------------------
# max_calls_net 5, two clients with 3 calls each, the second starting once
# the first is up: its third OCRQ is refused (net_calls_full) and leaves
# with Call ID 0. The 5 tracked calls reach the PAC under distinct IDs. The
# refused call asks for the very ID the PAC knows the first client's third
# call by: had it passed raw, the PAC's GRE for it would land in that call
# (the first client sends nothing while it holds, so whatever GRE from the
# PAC its calls count meanwhile is foreign).
echo 5 >$PARAMS/max_calls_net
stats_save $RIG/s5
OUTS="$RIG/5-a.out $RIG/5-b.out $RIG/5.before $RIG/5.pac"
pac_lines=$(grep -c . $RIG/pac.out)
pns c1 $RIG/5-a.out --calls 3 --call-id 1300 --gre 2 --hold 15 --hold-silent &
PA=$!
wait_for 20 grep -q '^PNS gre idx=2 ' $RIG/5-a.out
calls_file >$RIG/5.before
x=$(sed -n 's/.* pns_id=1302\/\([0-9]*\) .*/\1/p' $RIG/5.before)
first=$((${x:-1302} - 2))
[ "$first" -ge 1 ] || first=1300
pns c2 $RIG/5-b.out --calls 3 --call-id $first --gre 2 --hold 10 --hold-silent &
PB=$!
wait_for 20 grep -q '^PNS gre idx=1 ' $RIG/5-b.out
sleep 1
calls_file >$RIG/5.calls
tail -n +$((pac_lines + 1)) $RIG/pac.out | grep '^PAC call ' >$RIG/5.pac
limit_held() {
	cat $RIG/5.calls
	is rows "$(grep -c . $RIG/5.calls)" 5 &&
	is rows-from-c1 "$(grep -c "^orig=$C1:" $RIG/5.calls)" 3 &&
	is rows-from-c2 "$(grep -c "^orig=$C2:" $RIG/5.calls)" 2
}
# The PNS IDs the PAC sees for the tracked calls: distinct, each on exactly
# one of the PAC's calls of this step.
pac_ids_distinct() {
	cat $RIG/5.pac
	_ids=$(sed 's/.* pns_id=[0-9]*\/\([0-9]*\) .*/\1/' $RIG/5.calls)
	is distinct-ids "$(echo "$_ids" | sort -u | grep -c .)" 5 || return 1
	for _id in $_ids; do
		is "PAC calls with pns_id $_id" \
			"$(grep -c " pns_id=$_id " $RIG/5.pac)" 1 || return 1
	done
}
# from_pac CALLS: GRE packets from the PAC counted in c1's calls.
from_pac() {
	grep "^orig=$C1:" "$1" | sed 's/.*gre_from_pac=\([0-9]*\)\/.*/\1/' |
		awk '{ n += $1 } END { print n + 0 }'
}
not_aliased() {
	echo "refused call asked for Call ID $x (c1's third call at the PAC)"
	cat $RIG/5.pac
	grep "^orig=$C1:" $RIG/5.before $RIG/5.calls
	is "GRE from the PAC in c1's silent calls" \
		$(($(from_pac $RIG/5.calls) - $(from_pac $RIG/5.before))) 0
}
fcheck 5-table-holds-max-calls-net limit_held
fcheck 5-net-calls-full-counted moved_by $RIG/s5 1 net_calls_full
fcheck 5-pac-side-ids-distinct pac_ids_distinct
fcheck 5-refused-call-gre-not-aliased not_aliased
wait $PB
RB=$?
wait $PA
RA=$?
# The refused call reached the PAC as Call ID 0 and its reply came back.
refused_as_zero() {
	grep -q ' pns_id=0 ' $RIG/5.pac && grep -q '^PNS refused ' $RIG/5-b.out
}
fcheck 5-refused-call-sent-as-id-0 refused_as_zero
fcheck 5-first-client-exit-0 is exit $RA 0
fcheck 5-first-client-all-echoed echoed $RIG/5-a.out
fcheck 5-second-client-tracked-echoed echoed $RIG/5-b.out 0 1
fcheck 5-second-client-refused-cleanly refusals_clean $RIG/5-b.out 1 2 3
# 1: its refused call carries no GRE.
fcheck 5-second-client-exit-1 is exit "$RB" 1
echo 32768 >$PARAMS/max_calls_net
step_end 5

kill $PAC
wait $PAC
topo_down
dmesg_clean fault
