#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 10: the module's cost and lifetimes. (1) 200 network namespaces
# without PPTP get no table, no hooks, no collector; (2) the first control
# connection sets a netns up; (3) echoes keep a quiet tunnel's calls; (4)
# one host flooding OCRQs at a server that never answers takes only its
# own quota, another host's calls go through, and the waiting calls time
# out; (5) with GRE flowing on several calls, state goes and nothing is
# left (conntrack -F, helper detached through ctnetlink, CCRQ, netns
# deleted, module unloaded). The guest has 2 vCPUs; run.sh ends with the
# kmemleak scan and dmesg checks.
# rig-timeout: 720
# rig-checks: 43
# rig-skip-ok: memcg-setup-charged
# rig-skip-ok: *hooks*
# rig-skip-ok: two-vcpus
. /tests/lib.sh

PARAMS=/sys/module/nf_pptp_alg/parameters
C1=192.168.10.115
C2=192.168.10.116

pns() {
	_ns=$1 _out=$2
	shift 2
	if [ "$_ns" = c1 ]; then _src=$C1; else _src=$C2; fi
	nsx "$_ns" pptp_peer pns --bind "$_src" "$@" >"$_out" 2>&1
}

# ocheck (lib.sh) prints the peer outputs named in $OUTS on failure.
OUTS=

is() { [ "$1" = "$2" ] || { echo "got $1, want $2"; return 1; }; }
live_is() { is "$(stat_of "$1")" "$2"; }

# Where the time goes (the suite's budget is tight on the slow kernels).
T0=$(date +%s)
section() { echo "    --- $* (t=$(($(date +%s) - T0)) s)"; }

mem_avail() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# objs calls|conns: our objects not yet back in their slab caches (the
# module's own exact count, read in the initial netns), and for the record
# what SLUB says where the cache is not merged with others.
objs() {
	awk -v k="objects_$1" '$1 == k { print $2 }' /proc/net/nf_pptp_alg/stats
}
slab_note() {
	for _c in pptp_alg_call pptp_alg_conn; do
		_d=/sys/kernel/slab/$_c
		if [ -d "$_d" ] && ! [ -L "$_d" ]; then
			echo 1 >"$_d/shrink"
			echo "    slab $_c: $(cut -d' ' -f1 "$_d/objects") objects"
		fi
	done
}

# GRE hooks of nf_pptp_alg registered in netns $1; "unsupported" when the
# kernel cannot list hooks (the listing must show lkeep's own hooks), so
# that no check passes by default.
hooks_in() {
	nsx lkeep nft list hooks ip 2>/dev/null | grep -q 'hook ' ||
		{ echo unsupported; return; }
	nsx "$1" nft list hooks ip >/tmp/hooks.out 2>&1 || { echo unsupported; return; }
	grep -c pptp_alg_gre /tmp/hooks.out
}

# hooks_check NAME NS N: netns NS has N of our hooks. Debian's 6.1 has no
# NETFILTER_NETLINK_HOOK: there, and only there, the check is a SKIP.
hooks_check() {
	_h=$(hooks_in "$2")
	if [ "$_h" = unsupported ]; then
		# Debian's 6.12 lists hooks: only there is "unsupported" a failure.
		case $KVER in
		6.12.*-amd64) ;;
		*)
			skip "$1: this kernel cannot list hooks here"
			return ;;
		esac
	fi
	ocheck "$1" is "$_h" "$3"
}

# netns_make N PREFIX / netns_gone PREFIX
netns_make() {
	_i=0
	while [ $_i -lt "$1" ]; do
		$IP netns add "$2$_i" || return 1
		_i=$((_i + 1))
	done
}
netns_gone() {
	for _n in $(ls /var/run/netns | grep "^$1"); do
		$IP netns del "$_n"
	done
	return 0
}

# Memory (KiB) that creating 200 netns takes, once earlier ones are freed.
netns_cost() {
	sleep 3
	_a=$(mem_avail)
	netns_make 200 "$1" || { echo 0; return 1; }
	_b=$(mem_avail)
	echo $((_a - _b))
}

# ---- 1. 200 netns without PPTP -----------------------------------------------
section unused netns
# The concurrency below needs a second CPU (check.sh boots this with two).
if [ "$(cat /sys/devices/system/cpu/possible)" = 0 ]; then
	# The sanitizer kernel is built without SMP (kunit/.kunitconfig).
	skip "two-vcpus: this kernel is built for one CPU"
else
	ocheck two-vcpus is "$(grep -c ^processor /proc/cpuinfo)" 2
fi
$MODPROBE nf_conntrack
$MODPROBE nf_nat
# A netns holding netfilter hooks at every IPv4 hook for the whole test,
# so the kernel's hook static keys never flip 0 <-> 1 while GRE floods
# run on the other vCPU (the gateway netns is deleted and made again
# below): under TCG with 2 vCPUs, code patching beside hot code has been
# seen to fault (Oops: int3 in ip_forward).
$IP netns add lkeep
nsx lkeep nft -f - <<'EOT'
table ip lkeep {
	chain pre { type filter hook prerouting priority 0; ct state new; }
	chain in { type filter hook input priority 0; }
	chain fwd { type filter hook forward priority 0; }
	chain out { type filter hook output priority 0; }
	chain post { type nat hook postrouting priority srcnat; masquerade; }
}
EOT
[ -d /sys/module/nf_pptp_alg ] && $RMMOD nf_pptp_alg
base=$(netns_cost za)
netns_gone za
load_alg
$MODPROBE nft_objref 2>/dev/null
with=$(netns_cost zb)
echo "    200 netns: $base KiB without nf_pptp_alg, $with KiB with it"
# The table alone was 128 KiB per netns (allocated at netns creation);
# what is left is the /proc files and a few hundred bytes of state.
ocheck unused-netns-memory sh -c "[ $base -gt 0 ] && [ $(( (with - base) / 200 )) -lt 48 ]"
ready=0
for n in $(ls /var/run/netns | grep '^zb'); do
	r=$(nsx "$n" awk '$1 == "netns_ready" { print $2 }' /proc/net/nf_pptp_alg/stats)
	[ "$r" = 0 ] || ready=$((ready + 1))
done
ocheck unused-netns-not-set-up is "$ready" 0
hooks_check unused-netns-no-hooks zb7 0
netns_gone zb

# ---- 2. set-up on the first control connection -------------------------------
section set-up
# From here on this shell, and the gateway netns it creates, live in a
# memory cgroup of their own (where the kernel has the controller).
CG=/sys/fs/cgroup
MEMCG=
mkdir -p $CG
mount -t cgroup2 none $CG 2>/dev/null
if grep -qw memory $CG/cgroup.controllers 2>/dev/null; then
	echo +memory >$CG/cgroup.subtree_control
	mkdir -p $CG/pptp
	echo $$ >$CG/pptp/cgroup.procs && MEMCG=$CG/pptp
fi
# Kernel memory (KiB) charged to that cgroup.
cg_kernel() {
	awk '$1 == "kernel" { print int($2 / 1024) }' $MEMCG/memory.stat
}
topo_up || { fail "topology"; exit 1; }
check life-ruleset nsx gw nft -f /examples/gateway-masquerade.nft
nsx srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
nsx wc pptp_peer pac --listen 10.10.10.3 --time 0 --silent >$RIG/silent.out 2>&1 &
SILENT=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out
wait_for 10 grep -q 'PAC listening' $RIG/silent.out
call0=$(objs calls)
conn0=$(objs conns)
slab_note

ocheck setup-not-before-pptp live_is netns_ready 0
# Its call table reads as empty (no table behind it yet).
ocheck setup-calls-readable-before calls_is 0
hooks_check setup-no-hooks-before gw 0
OUTS=$RIG/l-first.out
[ -n "$MEMCG" ] && k0=$(cg_kernel)
pns c1 $RIG/l-first.out --server 10.10.10.2 --calls 1 --gre 2
ocheck setup-first-call-works pns_all_echoed $RIG/l-first.out
ocheck setup-one-syn-waited live_is setup_wait 1
ocheck setup-ready live_is netns_ready 1
hooks_check setup-hooks-after gw 5
# The set-up (a 128 KiB table) runs in a kworker, yet is charged to the
# cgroup of the netns's creator.
if [ -n "$MEMCG" ]; then
	k1=$(cg_kernel)
	echo "    cgroup kernel memory: $k0 KiB before the first connection, $k1 after"
	ocheck memcg-setup-charged sh -c "[ $((k1 - k0)) -ge 120 ]"
else
	# Debian's kernels have the controller: only the sanitizer kernel may skip.
	case $KVER in
	*-amd64) fail "memcg-setup-charged (no cgroup2 memory controller)" ;;
	*) skip "memcg-setup-charged: no cgroup2 memory controller in this kernel" ;;
	esac
fi

# ---- 3. echoes keep a quiet tunnel -----------------------------------------
section echoes
echo 10 >$PARAMS/gre_timeout
stats_save $RIG/s3
OUTS=$RIG/l-echo.out
pns c1 $RIG/l-echo.out --server 10.10.10.2 --calls 1 --gre 1 --hold 30 \
	--hold-silent --hold-echo --end ccrq &
P1=$!
wait_for 20 calls_is 1
# Without the echoes the call would go 10..15 s after its last GRE.
sleep 17
ocheck echo-quiet-call-kept calls_is 1
wait $P1
ocheck echo-pns-ok is $? 0
ocheck echo-no-idle-reap is "$(stat_delta $RIG/s3 idle_timeout)" 0
echo 600 >$PARAMS/gre_timeout

# ---- 4. quotas: a flood of OCRQs nobody answers ---------------------------
section quotas
echo 8 >$PARAMS/max_pending_host
echo 10 >$PARAMS/pending_timeout
stats_save $RIG/s4
OUTS="$RIG/l-flood1.out $RIG/l-fair.out"
for k in 1 2 3; do
	(exec $IP netns exec c1 pptp_peer pns --bind $C1 --server 10.10.10.3 \
		--calls 8 --gre 0 --write each --stall 60 \
		>$RIG/l-flood$k.out 2>&1) &
	eval F$k=$!
done
refused_ge() { [ "$(stat_delta $RIG/s4 host_pending_full)" -ge "$1" ]; }
wait_for 20 refused_ge 16
ocheck quota-pending-capped live_is calls_pending 8
ocheck quota-refused-exactly is "$(stat_delta $RIG/s4 host_pending_full)" 16
pns c2 $RIG/l-fair.out --server 10.10.10.2 --calls 4 --gre 3
ocheck quota-other-host-served pns_all_echoed $RIG/l-fair.out
ocheck quota-other-host-not-refused is "$(stat_delta $RIG/s4 host_pending_full)" 16
ocheck quota-waiting-calls-time-out wait_for 25 live_is calls_pending 0
ocheck quota-timeout-counted is "$(stat_delta $RIG/s4 pending_timeout)" 8
kill $F1 $F2 $F3 2>/dev/null
wait $F1 $F2 $F3 2>/dev/null
echo 256 >$PARAMS/max_pending_host
echo 60 >$PARAMS/pending_timeout
ocheck quota-table-empty wait_for 5 calls_is 0

# ---- 5. teardown while GRE flows ------------------------------------------
section teardown
# flood NS OUT CALLS: GRE as fast as the echoes come back, until killed
# ($! is the peer itself: the subshell execs into it).
flood() {
	if [ "$1" = c1 ]; then _src=$C1; else _src=$C2; fi
	(exec $IP netns exec "$1" pptp_peer pns --bind "$_src" \
		--server 10.10.10.2 --calls "$3" --gre 1000000 \
		--gre-interval-ms 0 --gre-timeout-ms 200 --end close \
		>"$2" 2>&1) &
}

# settled: no call left and no call object; connection objects are those
# the counter knows (a connection's state lives as long as its conntrack,
# e.g. TIME_WAIT after the peer closed).
settled() {
	live_is calls_live 0 && is "$(objs calls)" "$call0" &&
	is "$(objs conns)" "$((conn0 + $(stat_of conns_live)))"
}
echo "    slab objects at the start: calls $call0, connections $conn0"

# 5a: conntrack -F
OUTS="$RIG/l-f1.out $RIG/l-f2.out"
flood c1 $RIG/l-f1.out 4; A=$!
flood c2 $RIG/l-f2.out 4; B=$!
ocheck flush-calls-up wait_for 20 calls_is 8
sleep 2
ocheck flush-gre-flowing stat_ge gre_translated 100
nsx gw conntrack -F >/dev/null 2>&1
ocheck flush-state-gone wait_for 5 settled
ocheck flush-no-connection live_is conns_live 0
kill $A $B; wait $A $B 2>/dev/null

# 5b: helper detached through ctnetlink: the collector frees the orphan.
stats_save $RIG/s5
OUTS="$RIG/l-d1.out $RIG/l-d2.out"
flood c1 $RIG/l-d1.out 4; A=$!
flood c2 $RIG/l-d2.out 2; B=$!
ocheck detach-calls-up wait_for 20 calls_is 6
sport=$(nsx gw conntrack -L -p tcp --dport 1723 -s $C1 2>/dev/null |
	sed -n 's/.*sport=\([0-9]*\) dport=1723 .*/\1/p' | head -n 1)
ocheck detach-ctnetlink nsx gw ct_unhelp $C1 "$sport" 10.10.10.2 1723
ocheck detach-orphan-freed wait_for 12 calls_is 2
ocheck detach-only-that-conn live_is conns_live 1
ocheck detach-counted is "$(stat_delta $RIG/s5 orphans)" 1
kill $A $B; wait $A $B 2>/dev/null
ocheck detach-settled wait_for 5 settled

# 5c: CCRQ teardown with GRE in flight.
OUTS=$RIG/l-c.out
pns c1 $RIG/l-c.out --server 10.10.10.2 --calls 4 --gre 200 \
	--gre-interval-ms 0 --gre-timeout-ms 200 --end ccrq
ocheck ccrq-pns-ok is $? 0
ocheck ccrq-settled wait_for 5 settled

# 5d: the gateway's netns deleted with live calls and GRE flowing.
flood c1 $RIG/l-n1.out 4; A=$!
flood c2 $RIG/l-n2.out 4; B=$!
ocheck netns-calls-up wait_for 20 calls_is 8
kill $PAC $SILENT 2>/dev/null
$IP netns del gw
sleep 3
kill $A $B 2>/dev/null; wait $A $B 2>/dev/null
topo_down
slab_back() {
	is "$(objs calls)" "$call0" && is "$(objs conns)" "$conn0"
}
ocheck netns-slab-back wait_for 15 slab_back
slab_note
dmesg_clean lifetime-netns

# 5e: module unload with live calls and GRE flowing.
topo_up || { fail "topology"; exit 1; }
nsx gw nft -f /examples/gateway-masquerade.nft
nsx srv pptp_peer pac --listen 10.10.10.2 --time 0 >$RIG/pac.out 2>&1 &
PAC=$!
wait_for 10 grep -q 'PAC listening' $RIG/pac.out
OUTS="$RIG/l-u1.out $RIG/l-u2.out"
flood c1 $RIG/l-u1.out 4; A=$!
flood c2 $RIG/l-u2.out 4; B=$!
ocheck unload-calls-up wait_for 25 calls_is 8
nsx gw nft flush ruleset
had=0
[ -e /sys/kernel/slab/pptp_alg_call ] && [ -e /sys/kernel/slab/pptp_alg_conn ] && had=1
ocheck unload-with-live-calls $RMMOD nf_pptp_alg
ocheck unload-gone sh -c "! [ -d /sys/module/nf_pptp_alg ]"
# Every object came back before the caches went: a cache destroyed with
# objects left stays (and warns).
ocheck unload-caches-gone sh -c "[ $had -eq 1 ] && ! [ -e /sys/kernel/slab/pptp_alg_call ] &&
	! [ -e /sys/kernel/slab/pptp_alg_conn ]"
kill $A $B $PAC 2>/dev/null; wait $A $B $PAC 2>/dev/null
topo_down
$IP netns del lkeep
load_alg
section end
dmesg_clean lifetime
