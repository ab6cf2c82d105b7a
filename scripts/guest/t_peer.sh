#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 3 (d)-(f) with the scripted peer: hostile Call ID reuse behind one
# NAT, several calls per control connection (plain, coalesced, split), the
# call table against the peers' own counts, and every kind of teardown.
# CCRQ/CDN and Stop are checked while the PNS still holds its connection
# open (--linger), by their own counters, so a FIN cannot stand in for them.
# rig-checks: 59
# rig-timeout: 600
. /tests/lib.sh

load_alg
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "topology"; exit 1; }
check peer-ruleset nsx gw nft -f /examples/gateway-masquerade.nft

$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out

pns() {
	_ns=$1 _bind=$2 _out=$3
	shift 3
	nsx "$_ns" pptp_peer pns --server 10.10.10.2 --bind "$_bind" "$@" \
		>"$_out" 2>&1
}


# (d) two clients behind one NAT, both with Call ID 20631
$IP netns exec gw tcpdump -Z root -U -n -i lan0 -w $RIG/lan.pcap 'tcp port 1723' >/dev/null 2>&1 &
TD1=$!
$IP netns exec gw tcpdump -Z root -U -n -i wan0 -w $RIG/wan.pcap 'tcp port 1723' >/dev/null 2>&1 &
TD2=$!
sleep 2
stats_save $RIG/sd
pns c1 192.168.10.115 $RIG/d1.out --call-id 20631 --same-id --gre 5 \
	--linger 12 &
P1=$!
pns c2 192.168.10.116 $RIG/d2.out --call-id 20631 --same-id --gre 5 \
	--linger 12 &
P2=$!
# Both CDNs came back and both connections are still open: the calls must
# be gone by CDN alone (none by FIN, which has not come yet).
wait_for 30 sh -c "grep -q '^PNS linger seconds=' $RIG/d1.out &&
	grep -q '^PNS linger seconds=' $RIG/d2.out"
d_cleared() {
	calls_file
	lingering $RIG/d1.out && lingering $RIG/d2.out &&
	calls_is 0 && freed_only $RIG/sd cdn 2 &&
	lingering $RIG/d1.out && lingering $RIG/d2.out
}
check d-table-empty-after-ccrq wait_for 5 d_cleared
wait $P1
R1=$?
wait $P2
R2=$?
sleep 1
kill -INT $TD1 $TD2
wait $TD1 $TD2 2>/dev/null
cat $RIG/d1.out $RIG/d2.out | sed 's/^/    | /'
check d-client1-echoes sh -c "[ $R1 -eq 0 ]"
check d-client2-echoes sh -c "[ $R2 -eq 0 ]"
check d-client1-all-echoed pns_all_echoed $RIG/d1.out
check d-client2-all-echoed pns_all_echoed $RIG/d2.out
ocrq_with_id() {
	tcpdump -n -r "$1" \
		"tcp[((tcp[12]&0xf0)>>2)+8:2] = 7 and tcp[((tcp[12]&0xf0)>>2)+12:2] = $2" \
		2>/dev/null | grep -c .
}
# ocrqs PCAP: OCRQs with any Call ID (each starts its segment here).
ocrqs() {
	tcpdump -n -r "$1" "tcp[((tcp[12]&0xf0)>>2)+8:2] = 7" 2>/dev/null | grep -c .
}
d_wire() {
	lan=$(ocrq_with_id $RIG/lan.pcap 20631)
	wan=$(ocrq_with_id $RIG/wan.pcap 20631)
	wall=$(ocrqs $RIG/wan.pcap)
	echo "OCRQs with Call ID 20631: lan=$lan wan=$wan (wan: $wall OCRQs in all)"
	tcpdump -n -r $RIG/lan.pcap 2>&1 | head -n 8
	# Both captures saw both OCRQs; only the LAN one with the raw ID.
	[ "$lan" -eq 2 ] && [ "$wall" -eq 2 ] && [ "$wan" -eq 0 ]
}
check d-wire-ids-translated d_wire
d_pac_distinct() {
	grep 'PAC call' $RIG/pac.out
	n=$(grep 'PAC call' $RIG/pac.out | sed 's/.*pns_id=\([0-9]*\).*/\1/' | sort -u | grep -c .)
	[ "$n" -eq 2 ]
}
check d-server-sees-distinct-ids d_pac_distinct
check d-fin-found-no-call freed_only $RIG/sd cdn 2

# (e) three calls on one control connection, each write style
for w in normal coalesce coalesce-all split; do
	pns c1 192.168.10.115 $RIG/e-$w.out --calls 3 --call-id 100 \
		--write $w --sli --gre 4
	check "e-three-calls-$w" sh -c "[ $? -eq 0 ]"
	check "e-three-calls-$w-all-echoed" pns_all_echoed $RIG/e-$w.out
done
check e-no-call-lost sh -c "[ \"\$(grep -c 'PAC call' $RIG/pac.out)\" -eq 14 ]"

# The call table against the peer's own numbers while the calls live.
stats_save $RIG/sf
pns c1 192.168.10.115 $RIG/t.out --calls 3 --call-id 300 --gre 6 \
	--hold 6 --hold-silent --end ccrq --linger 12 &
P1=$!
wait_for 20 grep -q 'PNS gre idx=2' $RIG/t.out
sleep 1
calls_file >$RIG/t.calls
table_matches() {
	cat $RIG/t.calls
	[ "$(grep -c 'state=established' $RIG/t.calls)" -eq 3 ] || return 1
	for i in 0 1 2; do
		l=$(grep "^PNS gre idx=$i " $RIG/t.out)
		id=$(echo "$l" | sed 's/.*pns_id=\([0-9]*\).*/\1/')
		sent=$(echo "$l" | sed 's/.*sent=\([0-9]*\).*/\1/')
		recv=$(echo "$l" | sed 's/.*recv=\([0-9]*\).*/\1/')
		row=$(grep " pns_id=$id/" $RIG/t.calls) || return 1
		fp=$(echo "$row" | sed 's/.*gre_from_pns=\([0-9]*\)\/.*/\1/')
		fa=$(echo "$row" | sed 's/.*gre_from_pac=\([0-9]*\)\/.*/\1/')
		echo "call $id: peer sent=$sent recv=$recv table pns=$fp pac=$fa"
		[ "$fp" -eq "$sent" ] && [ "$fa" -eq "$recv" ] || return 1
	done
}
check f-table-matches-peer-counts table_matches
wait_for 30 grep -q '^PNS linger seconds=' $RIG/t.out
empty_freed() {
	calls_is 0 && freed_only "$@"
}

# cleared_by OUT FILE PATH N: the PNS writing OUT still holds its
# connection, the table is empty, and N calls left it since FILE, by PATH.
cleared_by() {
	calls_file
	lingering "$1" && calls_is 0 && freed_only "$2" "$3" "$4" &&
	lingering "$1"
}
check f-table-empty-after-ccrq wait_for 5 cleared_by $RIG/t.out $RIG/sf cdn 3
wait $P1
check f-ccrq-fin-found-no-call freed_only $RIG/sf cdn 3

# Stop frees both calls while the connection stays open; a bare close
# frees them by FIN.
stats_save $RIG/sf
pns c1 192.168.10.115 $RIG/f-stop.out --calls 2 --call-id 400 --gre 2 \
	--end stop --linger 12 &
P1=$!
wait_for 30 grep -q '^PNS linger seconds=' $RIG/f-stop.out
check f-table-empty-after-stop wait_for 5 cleared_by $RIG/f-stop.out $RIG/sf stop 2
wait $P1
check f-stop-session-ok sh -c "[ $? -eq 0 ]"
check f-stop-fin-found-no-call freed_only $RIG/sf stop 2
stats_save $RIG/sf
pns c1 192.168.10.115 $RIG/f-close.out --calls 2 --call-id 400 --gre 2 --end close
check f-close-session-ok sh -c "[ $? -eq 0 ]"
check f-table-empty-after-close wait_for 5 empty_freed $RIG/sf fin 2

# Many calls: more lines than one seq_file buffer (4 KiB) holds, so every
# read of the table restarts the walk several times. Two clients behind one
# NAT with the same Call IDs, 60 calls each: every call listed exactly once,
# with well-formed lines, whatever the reader's buffer size. The clients
# print their echo counts when their probes are done, so each waits up to
# 5 s for an echo (the sanitizer kernel, beside another guest, was seen
# taking over 1 s for some of 240): the counts compared below are final.
stats_save $RIG/g.stats
for c in 1 2; do
	pns c$c 192.168.10.11$((4 + c)) $RIG/g$c.out --calls 60 --call-id 500 \
		--gre 2 --gre-timeout-ms 5000 --hold 90 --hold-silent --end ccrq &
	eval G$c=\$!
done
wait_for 60 sh -c "grep -q '^PNS gre idx=59 ' $RIG/g1.out &&
	grep -q '^PNS gre idx=59 ' $RIG/g2.out"
# "ADDR PNS-ID" of every call, as the clients know them.
for c in 1 2; do
	sed -n "s/^PNS call idx=[0-9]* pns_id=\([0-9]*\) .*result=1$/192.168.10.11$((4 + c)) \1/p" \
		$RIG/g$c.out
done | sort >$RIG/g.want
calls_file >$RIG/g.cat
nsx gw dd if=/proc/net/nf_pptp_alg/calls bs=1000 2>/dev/null >$RIG/g.dd
nsx gw dd if=/proc/net/nf_pptp_alg/calls bs=97 2>/dev/null >$RIG/g.dd97
# table_lists FILE: exactly the wanted calls, once each, every line whole.
table_lists() {
	re='^orig=[0-9.]*:[0-9]*->10\.10\.10\.2:1723 reply=10\.10\.10\.2:1723->10\.10\.10\.1:[0-9]* pns=orig state=established pns_id=[0-9]*/[0-9]* pac_id=[0-9]*/[0-9]* age=[0-9]* idle=[0-9]* gre_from_pns=[0-9]*/[0-9]* gre_from_pac=[0-9]*/[0-9]*$'
	bad=$(grep -vc "$re" "$1")
	sed 's/^orig=\([0-9.]*\):.* pns_id=\([0-9]*\)\/.*/\1 \2/' "$1" | sort >"$1.got"
	echo "$(wc -l <"$1") lines ($(wc -c <"$1") bytes), $bad malformed," \
		"$(wc -l <$RIG/g.want) calls wanted"
	uniq -d "$1.got" | head -n 5 | sed 's/^/duplicate: /'
	diff $RIG/g.want "$1.got" | head -n 10
	[ "$bad" -eq 0 ] && [ "$(wc -l <$RIG/g.want)" -eq 120 ] &&
		[ "$(wc -c <"$1")" -gt 16384 ] && cmp -s $RIG/g.want "$1.got"
}
check g-many-calls-setup sh -c "[ \$(grep -c 'result=1$' $RIG/g1.out) -eq 60 ] &&
	[ \$(grep -c 'result=1$' $RIG/g2.out) -eq 60 ]"
check g-table-lists-each-call-once table_lists $RIG/g.cat
check g-table-lists-each-call-once-bs1000 table_lists $RIG/g.dd
check g-table-lists-each-call-once-bs97 table_lists $RIG/g.dd97
# Counters against what the clients counted: every probe and every echo
# was translated once, and the table's per-call counts add up to the same.
g_counts() {
	sent=$(cat $RIG/g1.out $RIG/g2.out | awk '/^PNS gre / { split($5, v, "="); n += v[2] } END { print n + 0 }')
	recv=$(cat $RIG/g1.out $RIG/g2.out | awk '/^PNS gre / { split($6, v, "="); n += v[2] } END { print n + 0 }')
	calls_file >$RIG/g.now
	fp=$(sed 's/.*gre_from_pns=\([0-9]*\)\/.*/\1/' $RIG/g.now | awk '{ n += $1 } END { print n + 0 }')
	fa=$(sed 's/.*gre_from_pac=\([0-9]*\)\/.*/\1/' $RIG/g.now | awk '{ n += $1 } END { print n + 0 }')
	tr=$(stat_delta $RIG/g.stats gre_translated)
	cr=$(stat_delta $RIG/g.stats calls_created)
	echo "peers sent=$sent recv=$recv table pns=$fp pac=$fa" \
		"gre_translated+$tr calls_created+$cr calls_live=$(stat_of calls_live)"
	[ "$sent" -eq 240 ] && [ "$fp" -eq "$sent" ] && [ "$fa" -eq "$recv" ] &&
		[ "$tr" -eq $((sent + recv)) ] && [ "$cr" -eq 120 ] &&
		[ "$(stat_of calls_live)" -eq 120 ]
}
check g-counters-exact wait_for 5 g_counts
wait $G1
R1=$?
wait $G2
R2=$?
check g-many-calls-session-ok sh -c "[ $R1 -eq 0 ] && [ $R2 -eq 0 ]"
g_freed() {
	fr=$(stat_delta $RIG/g.stats calls_freed)
	echo "calls_freed+$fr rows=$(calls_count)"
	[ "$fr" -eq 120 ] && calls_is 0
}
check g-many-calls-freed wait_for 5 g_freed

# GRE in a netns whose calls are all gone costs nothing: no lookup, no
# count, no log line (t_fault.sh counts misses while calls live). The junk's
# malformed packets are not parsed either.
before=$(stat_of gre_no_call)
before_m=$(stat_of gre_malformed)
dmesg >$RIG/g-dmesg.before
nsx c1 pptp_peer grejunk --dst 10.10.10.2 --bind 192.168.10.115 --seconds 1 \
	--ids 60000-60100 >$RIG/g-junk.out 2>&1
no_call_quiet() {
	n=$(stat_of gre_no_call)
	m=$(stat_of gre_malformed)
	w=$(sed -n 's/^GREJUNK kinds wellformed=\([0-9]*\) .*/\1/p' $RIG/g-junk.out)
	echo "calls_live $(stat_of calls_live); gre_no_call $before -> $n; gre_malformed $before_m -> $m; $(cat $RIG/g-junk.out)"
	dmesg | tail -n +$(($(wc -l <$RIG/g-dmesg.before) + 1)) |
		grep 'nf_pptp_alg:' >$RIG/g-dmesg.new
	head -n 3 $RIG/g-dmesg.new
	[ "$(stat_of calls_live)" -eq 0 ] && [ "${w:-0}" -gt 0 ] &&
		[ "$n" -eq "$before" ] && [ "$m" -eq "$before_m" ] &&
		[ ! -s $RIG/g-dmesg.new ]
}
check g-gre-no-calls-no-work no_call_quiet

# A refused call leaves nothing behind.
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --port 1724 --refuse --time 0 \
	>$RIG/pac-refuse.out 2>&1 &
PR=$!
sleep 1
nsx gw nft add rule ip pptp_gw helpers tcp dport 1724 ct helper set \"pptp\"
before=$(stat_of call_failed)
pns c1 192.168.10.115 $RIG/f-refuse.out --port 1724 --calls 2 --gre 0 --hold 2 --hold-silent
refused() {
	[ "$(stat_of call_failed)" -eq $((before + 2)) ] && calls_is 0
}
check f-failed-reply-frees-call refused
kill $PR

# conntrack -F with live calls: the destroy callback empties the table.
pns c1 192.168.10.115 $RIG/f-flush.out --calls 2 --gre 2 --hold 8 --hold-silent --end close &
P1=$!
check f-calls-live-before-flush wait_for 20 calls_is 2
stats_save $RIG/sflush
nsx gw conntrack -F >/dev/null 2>&1
check f-table-empty-after-conntrack-flush wait_for 5 \
	empty_freed $RIG/sflush teardown 2
wait $P1

# accel-ppp answers CCRQ with a CDN naming the PNS's Call ID instead of its
# own: the gateway must map it back to the client's ID and free the call.
kill $PAC
wait $PAC 2>/dev/null
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 --cdn-pns-id >$RIG/pac-accel.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac-accel.out
nf_before=$(stat_of call_not_found)
stats_save $RIG/saccel
pns c1 192.168.10.115 $RIG/f-accel.out --call-id 20631 --calls 2 --gre 2 \
	--end ccrq --linger 12 &
P1=$!
wait_for 30 grep -q '^PNS linger seconds=' $RIG/f-accel.out
check f-accel-table-empty wait_for 5 cleared_by $RIG/f-accel.out $RIG/saccel cdn 2
wait $P1
R1=$?
sed 's/^/    | /' $RIG/f-accel.out
check f-accel-cdn-session-ok sh -c "[ $R1 -eq 0 ]"
check f-accel-cdn-names-client-ids sh -c \
	"grep -q '^PNS cdn pns_id=20631$' $RIG/f-accel.out &&
	 grep -q '^PNS cdn pns_id=20632$' $RIG/f-accel.out"
# Each CDN found its call (and freed it): no "unknown Call ID" on the way.
check f-accel-cdn-found-its-call sh -c "[ $(stat_of call_not_found) -eq $nf_before ]"

# GRE idle time-out.
echo 10 >/sys/module/nf_pptp_alg/parameters/gre_timeout
stats_save $RIG/sidle
pns c1 192.168.10.115 $RIG/f-idle.out --calls 1 --gre 1 --hold 25 --hold-silent --end close &
P1=$!
check f-idle-call-live wait_for 20 calls_is 1
check f-idle-call-expires wait_for 22 calls_is 0
idle_counted() {
	_it=$(stat_delta $RIG/sidle idle_timeout)
	_if=$(stat_delta $RIG/sidle calls_freed)
	echo "idle_timeout +$_it calls_freed +$_if (want +1 each)"
	[ "$_it" -eq 1 ] && [ "$_if" -eq 1 ]
}
check f-idle-counted idle_counted
wait $P1
echo 600 >/sys/module/nf_pptp_alg/parameters/gre_timeout

# Module unload with live calls carrying GRE, then reload.
pns c1 192.168.10.115 $RIG/f-unload.out --calls 2 --gre 2 --hold 8 --end close &
P1=$!
check f-calls-live-before-unload wait_for 20 calls_is 2
nsx gw nft flush ruleset
check f-calls-live-at-unload calls_is 2
check f-unload-with-live-calls $RMMOD nf_pptp_alg
check f-unloaded sh -c "[ ! -e /sys/module/nf_pptp_alg ]"
wait $P1
check f-reload $MODPROBE nf_pptp_alg
check f-reload-table-empty calls_is 0
check f-ruleset-after-reload nsx gw nft -f /examples/gateway-masquerade.nft

# netns exit of the gateway with live calls.
pns c1 192.168.10.115 $RIG/f-netns.out --calls 2 --gre 2 --hold 8 --end close &
P1=$!
wait_for 20 calls_is 2
# The PAC stays up: its FIN would free the calls before the netns goes.
check f-calls-live-before-netns-del calls_is 2
check f-netns-del-with-live-calls $IP netns del gw
wait $P1
kill $PAC
wait $PAC 2>/dev/null
sleep 2
topo_down
dmesg_clean peer

# The module still serves a new gateway netns after that.
check f-topology-after-netns-del topo_up
check f-ruleset-after-netns-del nsx gw nft -f /examples/gateway-masquerade.nft
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac-again.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac-again.out
stats_save $RIG/sagain
pns c1 192.168.10.115 $RIG/f-again.out --calls 2 --gre 2 --end ccrq
check f-session-after-netns-del sh -c "[ $? -eq 0 ]"
check f-calls-after-netns-del freed_only $RIG/sagain cdn 2
kill $PAC
wait $PAC 2>/dev/null
topo_down
dmesg_clean peer-after-netns-del
