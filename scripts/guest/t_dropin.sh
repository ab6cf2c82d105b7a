#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 11: the rulesets operators already run.
#  a  The example ruleset in its stock form (established,related accepted,
#     policy drop, no GRE rule) carries two calls; every GRE packet of them
#     shows in the forward chain as ct state related, ct helper "pptp-alg",
#     in the direction of its side; conntrack holds no GRE entry.
#  u  gre_related=N: the same ruleset drops the calls' GRE (it is
#     untracked), a rule accepting untracked GRE carries it again.
#  m  Path MTU, a hop beyond the gateway: a router on the WAN side with a
#     1000-byte link answers a DF-marked 1200-byte GRE packet with
#     fragmentation needed; the client receives it with its own addresses
#     and Call ID, lowers its path MTU and the next packets get through.
#  g  Path MTU, the gateway itself (WAN MTU 1100): the error it sends from
#     LOCAL_OUT quotes what the client sent, untouched by conntrack's NAT.
#  p  The same behind a port forward (LAN MTU 1100), where the quote must
#     change: the internet client sees the gateway's address and its own
#     Call ID in it, never the server's private address.
# rig-checks: 34
# rig-skip-ok: a-ct-mark-inherited-16
. /tests/lib.sh

load_alg
topo_up || { fail "topology"; exit 1; }
check drop-ruleset nsx gw nft -f /examples/gateway-masquerade.nft

# Counting rules (no verdict) ahead of the stock rules.
for r in "ip protocol gre counter comment \"gre-all\"" \
	 "ip protocol gre ct state related ct helper \"pptp-alg\" ct direction original counter comment \"gre-orig\"" \
	 "ip protocol gre ct state related ct helper \"pptp-alg\" ct direction reply counter comment \"gre-reply\"" \
	 "icmp type destination-unreachable ct state related ct helper \"pptp-alg\" counter comment \"icmp-related\""; do
	nsx gw nft insert rule ip pptp_gw forward "$r"
done
# The control connections get a mark; their calls' GRE shows it. A kernel
# without conntrack marks (the sanitizer kernel) refuses both rules.
MARKS=
nsx gw nft insert rule ip pptp_gw forward ip protocol gre ct mark 0x42 counter comment \"gre-mark\" 2>/dev/null &&
	nsx gw nft add rule ip pptp_gw helpers tcp dport 1723 ct mark set 0x42 2>/dev/null &&
	MARKS=1

# nft_count COMMENT: packets counted by the forward rule tagged COMMENT.
nft_count() {
	nsx gw nft list chain ip pptp_gw forward | awk -v c="\"$1\"" '
		index($0, c) { for (i = 1; i < NF; i++)
				if ($i == "packets") print $(i + 1) }'
}

# count_is COMMENT N
count_is() {
	_cn=$(nft_count "$1")
	echo "$1: ${_cn:-none} packets (want $2)"
	[ "${_cn:--1}" -eq "$2" ]
}

# delta_is FILE NAME N: counter NAME moved by exactly N since stats_save FILE.
delta_is() {
	_d=$(stat_delta "$1" "$2")
	echo "$2 +$_d (want +$3)"
	[ "$_d" -eq "$3" ]
}

# lost_first OUT: the first probe was lost (too big), every later one was
# echoed. The ICMP error may also fail one send (EMSGSIZE, not counted).
lost_first() {
	_l=$(grep '^PNS gre idx=0 ' "$1")
	echo "$_l"
	_s=$(echo "$_l" | sed -n 's/.* sent=\([0-9]*\) .*/\1/p')
	_r=$(echo "$_l" | sed -n 's/.* recv=\([0-9]*\).*/\1/p')
	[ -n "$_s" ] && [ -n "$_r" ] && [ "$_r" -ge 2 ] && [ "$_r" -eq $((_s - 1)) ]
}

# No conntrack entry for GRE (protocol 47, "gre" or "unknown").
no_gre_conntrack() {
	nsx gw conntrack -L >$RIG/ct.txt 2>&1
	cat $RIG/ct.txt
	! grep -Eq '^(gre|unknown) ' $RIG/ct.txt
}

$IP netns exec srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out

# (a) stock ruleset, two calls, 4 probes each, all echoed: 8 GRE packets
# each way.
stats_save $RIG/sa
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 2 \
	--gre 4 >$RIG/a.out 2>&1
rc=$?
check a-pns-exit-0 sh -c "[ $rc -eq 0 ]"
check a-all-echoed pns_all_echoed $RIG/a.out
check a-gre-counted-16 count_is gre-all 16
check a-related-original-8 count_is gre-orig 8
check a-related-reply-8 count_is gre-reply 8
if [ -n "$MARKS" ]; then
	check a-ct-mark-inherited-16 count_is gre-mark 16
else
	# Debian's kernels have conntrack marks: there the refusal fails.
	case $KVER in
	*-amd64) fail "a-ct-mark-inherited-16: ct mark rules refused" ;;
	*) skip "a-ct-mark-inherited-16: this kernel has no conntrack marks" ;;
	esac
fi
check a-gre-related-stat-16 delta_is $RIG/sa gre_related 16
check a-relate-failed-0 delta_is $RIG/sa relate_failed 0
check a-no-gre-conntrack no_gre_conntrack
check a-table-empty wait_for 5 calls_is 0
pns_all_echoed $RIG/a.out || { cat $RIG/a.out; diag; }

# (u) untracked mode
P=/sys/module/nf_pptp_alg/parameters/gre_related
check u-param-off sh -c "echo N >$P && [ \$(cat $P) = N ]"
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--gre 2 --gre-timeout-ms 300 >$RIG/u1.out 2>&1
check u-stock-ruleset-drops-untracked grep -q 'PNS gre idx=0 .* sent=2 recv=0' $RIG/u1.out
nsx gw nft add rule ip pptp_gw forward ip protocol gre ct state untracked accept
nsx c1 pptp_peer pns --server 10.10.10.2 --bind 192.168.10.115 --calls 1 \
	--gre 2 >$RIG/u2.out 2>&1
check u-untracked-rule-carries pns_all_echoed $RIG/u2.out
check u-param-on sh -c "echo Y >$P && [ \$(cat $P) = Y ]"
nsx gw nft -f /examples/gateway-masquerade.nft
nsx gw nft insert rule ip pptp_gw forward icmp type destination-unreachable ct state related ct helper \"pptp-alg\" counter comment \"icmp-related\"
check u-table-empty wait_for 5 calls_is 0

# (m) a router rt on the WAN (10.10.10.4) in front of far (10.20.0.2) on a
# 1000-byte link.
$IP netns add rt
$IP netns add far
$IP -n gw link add p-rt type veth peer name eth0 netns rt
$IP -n gw link set p-rt master wan0 up
$IP -n rt link set lo up
$IP -n rt addr add 10.10.10.4/24 dev eth0
$IP -n rt link set eth0 up
$IP -n rt link add eth1 mtu 1000 type veth peer name eth0 mtu 1000 netns far
$IP -n rt addr add 10.20.0.1/24 dev eth1
$IP -n rt link set eth1 up
$IP -n far link set lo up
$IP -n far addr add 10.20.0.2/24 dev eth0
$IP -n far link set eth0 up
$IP -n far route add default via 10.20.0.1
nsx rt sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
$IP -n gw route add 10.20.0.0/24 via 10.10.10.4
check m-far-reachable nsx c1 ping -c 1 -W 5 10.20.0.2
$IP netns exec far pptp_peer pac --listen 10.20.0.2 --time 0 >$RIG/far.out 2>&1 &
FAR=$!
wait_for 10 grep -q 'PAC listening' $RIG/far.out

# pmtu_run TAG [NS SERVER BIND]: one call, 4 probes of 1200 bytes, ICMP
# captured at the client (default c1 to far).
pmtu_run() {
	_ns=${2:-c1}
	nsx $_ns tcpdump -Z root -U -n -i eth0 -w $RIG/$1.pcap icmp >/dev/null 2>&1 &
	_td=$!
	sleep 2
	stats_save $RIG/s$1
	nsx $_ns pptp_peer pns --server ${3:-10.20.0.2} \
		--bind ${4:-192.168.10.115} \
		--calls 1 --gre 4 --gre-size 1200 --gre-timeout-ms 500 \
		>$RIG/$1.out 2>&1
	sleep 1
	kill $_td
	wait $_td 2>/dev/null
	nsx c1 tcpdump -n -v -r $RIG/$1.pcap >$RIG/$1.txt 2>/dev/null
	cat $RIG/$1.out $RIG/$1.txt
}

# quotes_own TAG MTU [CLIENT SERVER]: the client got fragmentation needed
# (MTU) quoting its own packet: its own address, the server's as it dials
# it, and the Call ID it uses for the call.
quotes_own() {
	_c=${3:-192.168.10.115} _s=${4:-10.20.0.2}
	_pac=$(sed -n 's/^PNS call idx=0 .* pac_id=\([0-9]*\) .*/\1/p' $RIG/$1.out)
	echo "pac_id as the client knows it: ${_pac:-none}"
	[ -n "$_pac" ] &&
	grep -q "$_s unreachable - need to frag (mtu $2)" $RIG/$1.txt &&
	grep -q "$_c > $_s: GREv1, .*call $_pac," $RIG/$1.txt
}

pmtu_run m
check m-first-probe-lost-rest-echoed lost_first $RIG/m.out
check m-icmp-translated-1 delta_is $RIG/sm icmp_translated 1
check m-icmp-from-router-to-client grep -q '10.10.10.4 > 192.168.10.115: ICMP' $RIG/m.txt
check m-icmp-quotes-own-packet quotes_own m 1000
check m-icmp-related count_is icmp-related 1
check m-client-pmtu-lowered sh -c "$IP -n c1 route get 10.20.0.2 | grep -q 'mtu 1000'"
check m-table-empty wait_for 5 calls_is 0

# (g) the gateway's own WAN link is the narrow one.
$IP -n c1 route flush cache
$IP -n gw link set wan0 mtu 1100
pmtu_run g
check g-first-probe-lost-rest-echoed lost_first $RIG/g.out
check g-icmp-local-1 delta_is $RIG/sg icmp_local 1
check g-icmp-quotes-own-packet quotes_own g 1100
check g-client-pmtu-lowered sh -c "$IP -n c1 route get 10.20.0.2 | grep -q 'mtu 1100'"

# (p) port forward to lansrv; the gateway's LAN link is the narrow one.
$IP -n gw link set wan0 mtu 1500
$IP -n gw link set lan0 mtu 1100
nsx gw nft -f /examples/gateway-portforward.nft
$IP netns exec lansrv pptp_peer pac --listen 192.168.10.50 --time 0 >$RIG/lpac.out 2>&1 &
LPAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/lpac.out
pmtu_run p wc 10.10.10.1 10.10.10.3
no_private() {
	! grep -q '192\.168\.10\.50' $RIG/p.txt
}
check p-first-probe-lost-rest-echoed lost_first $RIG/p.out
check p-icmp-local-1 delta_is $RIG/sp icmp_local 1
check p-icmp-quotes-own-packet quotes_own p 1100 10.10.10.3 10.10.10.1
check p-no-private-address no_private
check p-client-pmtu-lowered sh -c "$IP -n wc route get 10.10.10.1 | grep -q 'mtu 1100'"

kill $PAC $FAR $LPAC
wait $PAC $FAR $LPAC 2>/dev/null
nsx gw nft flush ruleset
$IP netns del far
$IP netns del rt
topo_down
dmesg_clean dropin
