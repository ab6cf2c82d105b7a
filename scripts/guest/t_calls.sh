#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The messages and topologies the outgoing-call tests never use, with the
# scripted peer (each side checks every Call ID it receives):
#  i  incoming calls (ICRQ, ICRP, ICCN) beside outgoing ones, two clients
#     behind one masquerade asking for the same IDs; SLI both ways and WEN,
#     each received ID checked by its receiver; the calls torn down by CDN.
#  r  the PAC opens the control connection (it is the NATed side): the
#     table says pns=reply, the calls of both kinds work.
#  p  two servers behind port forwards on one public address (TCP 1723 and
#     1724, the helpers of ports=1723,1724) hand out the same PAC Call IDs:
#     the internet client must see distinct ones, each reaching its server.
#  k  one internet client reuses a Call ID on a second connection to the
#     same address: key_clash, that connection fails closed, the first one
#     keeps working.
#  m  gre_mark with a "meta mark" rule and gre_related=N: the mark is what
#     carries the GRE through a policy-drop forward chain.
#  f  fragmented GRE reaching the hooks (no conntrack, so no reassembly).
#  h  hashsize=300 gives a 512-bucket map table (map_buckets).
# rig-checks: 56
# rig-timeout: 600
. /tests/lib.sh

OUTS=
is() { [ "$1" = "$2" ] || { echo "got $1, want $2"; return 1; }; }
$RMMOD nf_pptp_alg 2>/dev/null
check calls-load $MODPROBE nf_pptp_alg ports=1723,1724 hashsize=300
$MODPROBE nft_objref 2>/dev/null
topo_up || { fail "topology"; exit 1; }

pns() {
	_ns=$1 _out=$2
	shift 2
	nsx "$_ns" pptp_peer pns "$@" >"$_out" 2>&1
}

# sli_exact OUT N: N SLIs sent, N SLIs and N WENs came back, all naming
# the PNS's own calls.
sli_exact() {
	grep '^PNS sli ' "$1"
	grep -q "^PNS sli sent=$2 got_sli=$2 got_wen=$2 bad=0$" "$1"
}

# calls_dir OUT DIR N: the PNS has N calls of direction DIR (in/out) with
# result 1.
calls_dir() {
	if [ "$2" = in ]; then
		_cd=$(grep -c '^PNS call idx=.* result=1 dir=in$' "$1")
	else
		_cd=$(grep -c '^PNS call idx=.* result=1$' "$1")
	fi
	echo "$1: $_cd calls $2"
	[ "$_cd" -eq "$3" ]
}

# ---- i: incoming calls, SLI both ways, WEN ---------------------------------
check i-ruleset nsx gw nft -f /examples/gateway-masquerade.nft
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --call-id 3000 --time 0 \
	>$RIG/i-pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/i-pac.out
OUTS="$RIG/i-pac.out $RIG/i1.out $RIG/i2.out"
stats_save $RIG/si
for c in 1 2; do
	pns c$c $RIG/i$c.out --server 10.10.10.2 --bind 192.168.10.11$((4 + c)) \
		--calls 2 --incoming 3 --call-id 20631 --sli --gre 4 \
		--write each --hold 8 --hold-silent --linger 10 &
	eval I$c=\$!
done
wait_for 30 sh -c "grep -q '^PNS gre idx=4 ' $RIG/i1.out &&
	grep -q '^PNS gre idx=4 ' $RIG/i2.out"
# While both hold: ten calls, four of them from the PAC's ICRQs, all
# translated on the PNS side.
i_table() {
	calls_file
	calls_is 10 && pns_ids_translated && pns_ids_distinct &&
	[ "$(calls_file | grep -c 'pns=orig state=established')" -eq 10 ]
}
ocheck i-table-ten-calls i_table
ocheck i-pac-six-incoming is "$(grep -c '^PAC call .* dir=in$' $RIG/i-pac.out)" 6
ocheck i-pac-sli-all-known sh -c "[ \$(grep -c '^PAC sli .* ok$' $RIG/i-pac.out) -eq 10 ] &&
	! grep -q '^PAC sli .* unknown$' $RIG/i-pac.out"
wait_for 30 sh -c "grep -q '^PNS linger seconds=' $RIG/i1.out &&
	grep -q '^PNS linger seconds=' $RIG/i2.out"
i_cleared() {
	calls_file
	lingering $RIG/i1.out && lingering $RIG/i2.out &&
	calls_is 0 && freed_only $RIG/si cdn 10
}
ocheck i-cdn-frees-all wait_for 5 i_cleared
wait $I1
R1=$?
wait $I2
R2=$?
for c in 1 2; do
	eval r=\$R$c
	ocheck "i-client$c-ok" is "$r" 0
	ocheck "i-client$c-outgoing" calls_dir $RIG/i$c.out out 2
	ocheck "i-client$c-incoming" calls_dir $RIG/i$c.out in 3
	ocheck "i-client$c-all-echoed" pns_all_echoed $RIG/i$c.out
	ocheck "i-client$c-sli-wen-exact" sli_exact $RIG/i$c.out 5
done
# Nothing was out of place or unknown: every ICCN, SLI and WEN found its
# call, and exactly ten calls were made.
ocheck i-counters-exact sh -c "
	[ $(stat_delta $RIG/si unexpected call_not_found duplicate refused) -eq 0 ] &&
	[ $(stat_delta $RIG/si calls_created) -eq 10 ]"
kill $PAC 2>/dev/null
wait $PAC 2>/dev/null

# ---- r: the PAC behind the NAT opens the connection ------------------------
# (i)'s PAC is gone: nothing else listens on the server's port.
stats_save $RIG/sr
pns srv $RIG/r-pns.out --listen 10.10.10.2 --calls 1 --incoming 2 \
	--call-id 700 --sli --gre 4 --hold 8 --hold-silent &
RP=$!
wait_for 10 sh -c "$IP netns exec srv netstat -ltn 2>/dev/null | grep -q '10.10.10.2:1723 '"
$IP netns exec c2 pptp_peer pac --connect 10.10.10.2 --bind 192.168.10.116 \
	--call-id 5000 --time 0 >$RIG/r-pac.out 2>&1 &
RA=$!
OUTS="$RIG/r-pns.out $RIG/r-pac.out"
wait_for 30 grep -q '^PNS gre idx=2 ' $RIG/r-pns.out
r_table() {
	calls_file
	calls_is 3 &&
	[ "$(calls_file | grep -c '^orig=192\.168\.10\.116:.* pns=reply state=established')" -eq 3 ]
}
ocheck r-table-pns-reply r_table
wait $RP
ocheck r-pns-ok is $? 0
if wait_for 10 sh -c "! kill -0 $RA 2>/dev/null"; then
	wait $RA
	RR=$?
else
	kill $RA 2>/dev/null
	wait $RA 2>/dev/null
	RR="still-running"
fi
ocheck r-pac-ok is "$RR" 0
ocheck r-pns-outgoing calls_dir $RIG/r-pns.out out 1
ocheck r-pns-incoming calls_dir $RIG/r-pns.out in 2
ocheck r-pns-all-echoed pns_all_echoed $RIG/r-pns.out
ocheck r-sli-wen-exact sli_exact $RIG/r-pns.out 3
ocheck r-pac-sli-all-known is "$(grep -c '^PAC sli .* ok$' $RIG/r-pac.out)" 3
ocheck r-table-empty wait_for 10 calls_is 0
ocheck r-counters-exact sh -c "
	[ $(stat_delta $RIG/sr unexpected call_not_found duplicate refused) -eq 0 ] &&
	[ $(stat_delta $RIG/sr calls_created) -eq 3 ]"

# ---- p: two port-forwarded servers, same PAC Call IDs ----------------------
cat >$RIG/pf2.nft <<EOT
table ip pptp_gw
delete table ip pptp_gw
table ip pptp_gw {
	ct helper pptp {
		type "pptp-alg" protocol tcp
		l3proto ip
	}
	ct helper pptp1724 {
		type "pptp-alg-1724" protocol tcp
		l3proto ip
	}
	chain helpers {
		type filter hook prerouting priority -150; policy accept;
		iifname "wan0" tcp dport 1723 ct helper set "pptp"
		iifname "wan0" tcp dport 1724 ct helper set "pptp1724"
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" tcp dport 1723 dnat to 192.168.10.50:1723
		iifname "wan0" tcp dport 1724 dnat to 192.168.10.116:1723
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "wan0" tcp dport 1723 ct state new accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" masquerade
	}
}
EOT
check p-ruleset nsx gw nft -f $RIG/pf2.nft
$IP netns exec lansrv pptp_peer pac --listen 192.168.10.50 --call-id 4000 --time 0 \
	>$RIG/p-pac1.out 2>&1 &
PA1=$!
$IP netns exec c2 pptp_peer pac --listen 192.168.10.116 --call-id 4000 --time 0 \
	>$RIG/p-pac2.out 2>&1 &
PA2=$!
wait_for 10 sh -c "grep -q 'PAC listening' $RIG/p-pac1.out &&
	grep -q 'PAC listening' $RIG/p-pac2.out"
OUTS="$RIG/p-pac1.out $RIG/p-pac2.out $RIG/p1.out $RIG/p2.out"
stats_save $RIG/sp
# The client's own IDs differ between its connections (as a real client's
# do); the servers' collide.
pns wc $RIG/p1.out --server 10.10.10.1 --port 1723 --bind 10.10.10.3 \
	--calls 2 --incoming 1 --call-id 100 --sli --gre 4 --hold 8 --hold-silent &
PP1=$!
pns wc $RIG/p2.out --server 10.10.10.1 --port 1724 --bind 10.10.10.3 \
	--calls 2 --incoming 1 --call-id 200 --sli --gre 4 --hold 8 --hold-silent &
PP2=$!
wait_for 30 sh -c "grep -q '^PNS gre idx=2 ' $RIG/p1.out &&
	grep -q '^PNS gre idx=2 ' $RIG/p2.out"
# Both servers chose 4000, 4001, 4002.
p_servers_collide() {
	for f in $RIG/p-pac1.out $RIG/p-pac2.out; do
		grep '^PAC call ' $f | sed 's/.*pac_id=\([0-9]*\).*/\1/' | sort -n | tr '\n' ' '
		echo
	done >$RIG/p-ids
	cat $RIG/p-ids
	[ "$(sed -n 1p $RIG/p-ids)" = "4000 4001 4002 " ] &&
	[ "$(sed -n 2p $RIG/p-ids)" = "4000 4001 4002 " ]
}
ocheck p-servers-collide p_servers_collide
# The client sees six distinct PAC IDs, so its GRE names one call each.
p_client_distinct() {
	n=$(grep -h '^PNS call ' $RIG/p1.out $RIG/p2.out | sed 's/.*pac_id=\([0-9]*\).*/\1/' | sort -u | grep -c .)
	echo "distinct PAC IDs seen by the client: $n"
	[ "$n" -eq 6 ]
}
ocheck p-client-sees-distinct p_client_distinct
# The table (pac_id=CLIENT-SIDE/SERVER-SIDE): each of 4000-4002 twice on
# the servers' side, once per connection; six distinct IDs on the client's
# side; each colliding ID moved on exactly one of the two connections
# (whichever came second), so three rows translated.
p_table() {
	calls_file | tee $RIG/p.calls
	sed 's/.* pac_id=\([0-9]*\)\/\([0-9]*\) .*/\1 \2/' $RIG/p.calls >$RIG/p.ids
	srv=$(awk '{ print $2 }' $RIG/p.ids | sort -n | tr '\n' ' ')
	cli=$(awk '{ print $1 }' $RIG/p.ids | sort -u | grep -c .)
	moved=$(awk '$1 != $2' $RIG/p.ids | grep -c .)
	echo "server side: $srv; client side distinct: $cli; translated: $moved"
	[ "$srv" = "4000 4000 4001 4001 4002 4002 " ] && [ "$cli" -eq 6 ] &&
	[ "$moved" -eq 3 ] &&
	[ "$(awk '$1 != $2 { print $2 }' $RIG/p.ids | sort -n | tr '\n' ' ')" = "4000 4001 4002 " ]
}
ocheck p-table-pac-ids-translated p_table
wait $PP1
ocheck p-client1-ok is $? 0
wait $PP2
ocheck p-client2-ok is $? 0
ocheck p-client1-all-echoed pns_all_echoed $RIG/p1.out
ocheck p-client2-all-echoed pns_all_echoed $RIG/p2.out
p_sli() {
	sli_exact $RIG/p1.out 3 && sli_exact $RIG/p2.out 3
}
ocheck p-sli-wen-exact p_sli
ocheck p-servers-sli-known sh -c "
	[ \$(grep -c '^PAC sli .* ok$' $RIG/p-pac1.out) -eq 3 ] &&
	[ \$(grep -c '^PAC sli .* ok$' $RIG/p-pac2.out) -eq 3 ]"
# Each server echoed GRE only for its own calls: the other's never reached
# it (an echo counts at the client only with the right token and call).
ocheck p-counters-exact sh -c "
	[ $(stat_delta $RIG/sp unexpected call_not_found duplicate refused key_clash) -eq 0 ] &&
	[ $(stat_delta $RIG/sp calls_created) -eq 6 ]"
ocheck p-table-empty wait_for 10 calls_is 0

# ---- k: one client, one Call ID, two connections to one address ------------
stats_save $RIG/sk
pns wc $RIG/k1.out --server 10.10.10.1 --bind 10.10.10.3 --calls 1 \
	--call-id 900 --gre 3 --hold 10 &
K1=$!
wait_for 20 grep -q '^PNS gre idx=0 ' $RIG/k1.out
pns wc $RIG/k2.out --server 10.10.10.1 --bind 10.10.10.3 --calls 1 \
	--call-id 900 --gre 3 --stall 5
K2R=$?
OUTS="$RIG/p-pac1.out $RIG/k1.out $RIG/k2.out"
ocheck k-second-refused sh -c "[ $K2R -ne 0 ] && ! grep -q '^PNS call idx=0 .*result=1$' $RIG/k2.out"
ocheck k-clash-counted is "$(stat_delta $RIG/sk key_clash)" 1
ocheck k-failed-closed is "$(stat_delta $RIG/sk failed_closed)" 1
wait $K1
ocheck k-first-ok is $? 0
ocheck k-first-all-echoed pns_all_echoed $RIG/k1.out
ocheck k-first-hold-echoed sh -c "grep '^PNS hold ' $RIG/k1.out;
	grep -q '^PNS hold idx=0 pns_id=900 sent=\([0-9]*\) recv=\1$' $RIG/k1.out"
kill $PA1 $PA2 2>/dev/null
wait $PA1 $PA2 2>/dev/null
ocheck k-table-empty wait_for 10 calls_is 0

# ---- m: gre_mark with a meta mark rule, untracked mode ----------------------
P=/sys/module/nf_pptp_alg/parameters
# The stock example with one rule more: GRE carrying the mark passes.
sed '/ct state established,related accept/a\
		ip protocol gre meta mark 0x50 counter accept' \
	/examples/gateway-masquerade.nft >$RIG/mark.nft
check m-ruleset nsx gw nft -f $RIG/mark.nft
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --call-id 6000 --time 0 \
	>$RIG/m-pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/m-pac.out
OUTS="$RIG/m-pac.out $RIG/m1.out $RIG/m2.out"
echo N >$P/gre_related
echo 0x50 >$P/gre_mark
pns c1 $RIG/m1.out --server 10.10.10.2 --bind 192.168.10.115 --calls 2 \
	--gre 4 --gre-timeout-ms 2000
ocheck m-marked-ok is $? 0
ocheck m-marked-all-echoed pns_all_echoed $RIG/m1.out
# Every probe and every echo passed the mark rule: 2 calls x 4 x 2.
m_counted() {
	nsx gw nft list chain ip pptp_gw forward | grep 'meta mark'
	nsx gw nft list chain ip pptp_gw forward |
		grep -q 'meta mark 0x00000050 counter packets 16 '
}
ocheck m-mark-rule-counted m_counted
echo 0 >$P/gre_mark
pns c1 $RIG/m2.out --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--gre 2 --gre-timeout-ms 1000
ocheck m-unmarked-dropped sh -c "[ $? -ne 0 ] &&
	grep -q '^PNS gre idx=0 pns_id=[0-9]* sent=2 recv=0$' $RIG/m2.out"
echo Y >$P/gre_related
kill $PAC 2>/dev/null
wait $PAC 2>/dev/null

# ---- f: fragmented GRE where conntrack does not reassemble -----------------
# With the ruleset gone nothing in gw uses conntrack, so nothing reassembles
# (nf_defrag_ipv4 goes with its last user), while our hooks stay. The junk
# peer's packets over the MTU leave c1 as fragments: each first fragment
# is counted and left alone; the count is at most what the peer sent. A
# call stays live meanwhile: a netns without calls does not look at GRE.
$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac-f.out 2>&1 &
PF=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac-f.out
$IP netns exec c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 \
	--calls 1 --gre 1 --hold 60 --hold-silent >$RIG/f-hold.out 2>&1 &
PH=$!
wait_for 20 calls_is 1
nsx gw nft flush ruleset
stats_save $RIG/sf
nsx c1 pptp_peer grejunk --dst 10.10.10.2 --bind 192.168.10.115 --seconds 2 \
	--seed 3 >$RIG/f-junk.out 2>&1
f_live=$(stat_of calls_live)
f_counted() {
	cat $RIG/f-junk.out
	_fs=$(sed -n 's/^GREJUNK sent=\([0-9]*\) .*/\1/p' $RIG/f-junk.out)
	_fd=$(stat_delta $RIG/sf gre_fragment)
	_ft=$(stat_delta $RIG/sf gre_translated)
	echo "calls live $f_live; gre_fragment +$_fd of ${_fs:-0} sent, gre_translated +$_ft"
	[ "$f_live" -eq 1 ] && [ "$_fd" -ge 1 ] && [ "$_fd" -le "${_fs:-0}" ] &&
		[ "$_ft" -eq 0 ]
}
ocheck f-fragments-counted f_counted
# Conntrack no longer sees the held connection's end: flush it instead.
kill $PH $PF 2>/dev/null
wait $PH $PF 2>/dev/null
nsx gw conntrack -F >/dev/null 2>&1

# ---- h: hashsize --------------------------------------------------------------
ocheck h-map-buckets is "$(stat_of map_buckets)" 512

ocheck calls-table-empty wait_for 10 calls_is 0
topo_down
# The netns go away in the background (cleanup_net), and with them the
# nft helper objects holding the module.
check calls-unload wait_for 15 $RMMOD nf_pptp_alg
dmesg_clean calls
