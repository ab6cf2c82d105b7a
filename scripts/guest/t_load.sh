#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 2: the module loads next to mainline's PPTP helper, documents its
# parameters, is selectable from nft and iptables, and unloads cleanly.
# Its helpers carry the names README gives for ports=, and tc's act_ct
# takes them together with NAT.
# A kernel without mainline's helper or act_ct's helper option skips those
# checks one SKIP line each, so every kernel prints the same count.
# rig-checks: 43
# rig-skip-ok: load-mainline-pptp
# rig-skip-ok: both-helpers-loaded
# rig-skip-ok: unload-mainline-pptp
# rig-skip-ok: act-ct-*
. /tests/lib.sh

echo "guest: $(grep -c ^processor /proc/cpuinfo) CPUs"

check load-nf_pptp_alg $MODPROBE nf_pptp_alg
if has_module nf_conntrack_pptp; then
	check load-mainline-pptp $MODPROBE nf_conntrack_pptp
	check both-helpers-loaded sh -c \
		"$LSMOD | grep -q '^nf_pptp_alg ' && $LSMOD | grep -q '^nf_conntrack_pptp '"
else
	skip "load-mainline-pptp: mainline nf_conntrack_pptp not in this kernel"
	skip "both-helpers-loaded: mainline nf_conntrack_pptp not in this kernel"
fi

params_described() {
	n=0
	for p in /sys/module/nf_pptp_alg/parameters/*; do
		name=${p##*/}
		$MODINFO -F parm nf_pptp_alg | grep -Eq "^$name:[^ ].{8,}" || {
			echo "parameter $name has no description"
			return 1
		}
		n=$((n + 1))
	done
	$MODINFO -F parm nf_pptp_alg
	[ "$n" -ge 6 ]
}
check modinfo-params-described params_described

# 6.1 keeps the object reference expression in its own module.
$MODPROBE nft_objref 2>/dev/null
check nft-ct-helper-pptp-alg nft -f /tests/helper.nft
check nft-ruleset-lists-helper sh -c "nft list ruleset | grep -q 'type \"pptp-alg\"'"
check iptables-ct-helper-pptp-alg iptables -t raw -A PREROUTING -p tcp \
	--dport 1723 -j CT --helper pptp-alg
check iptables-rule-listed sh -c "iptables -t raw -S | grep -q 'helper pptp-alg'"
nft flush ruleset
iptables -t raw -F 2>/dev/null
nft flush ruleset

check proc-files-present test -r /proc/net/nf_pptp_alg/calls -a \
	-r /proc/net/nf_pptp_alg/stats
# Every range README gives, at both ends, for every parameter: one past
# the end is refused and leaves the value alone, the end itself is taken.
# Run-time ones through sysfs; hashsize (0444) and ports at load.
P=/sys/module/nf_pptp_alg/parameters
param_bounds() {
	_pn=$1 _lo=$2 _hi=$3
	_old=$(cat $P/$_pn) || return 1
	for _bad in $((_lo - 1)) $((_hi + 1)); do
		[ "$_bad" -lt 0 ] && continue
		if echo "$_bad" >$P/$_pn 2>/dev/null; then
			echo "$_pn took $_bad"
			return 1
		fi
		[ "$(cat $P/$_pn)" = "$_old" ] || { echo "$_pn changed to $(cat $P/$_pn)"; return 1; }
	done
	for _ok in $_lo $_hi; do
		echo "$_ok" >$P/$_pn && [ "$(cat $P/$_pn)" = "$_ok" ] ||
			{ echo "$_pn refused $_ok"; return 1; }
	done
	echo "$_old" >$P/$_pn
}
for pb in max_calls:1:65535 max_calls_net:1:1048576 gre_timeout:10:86400 \
	  gre_mark:0:4294967295 callid_probes:1:65535 max_pending:1:65535 \
	  max_calls_host:1:1048576 max_pending_host:1:1048576 \
	  max_calls_total:1:16777216 pending_timeout:5:3600; do
	n=${pb%%:*} r=${pb#*:}
	check "param-bounds-$n" param_bounds "$n" "${r%%:*}" "${r#*:}"
done
check param-bounds-gre_related sh -c \
	"! echo maybe >$P/gre_related 2>/dev/null && echo N >$P/gre_related &&
	 [ \$(cat $P/gre_related) = N ] && echo Y >$P/gre_related"
check param-runtime-writable sh -c \
	'echo 32 >/sys/module/nf_pptp_alg/parameters/max_calls &&
	 [ "$(cat /sys/module/nf_pptp_alg/parameters/max_calls)" = 32 ]'
check unload-nf_pptp_alg $RMMOD nf_pptp_alg
if has_module nf_conntrack_pptp; then
	check unload-mainline-pptp $RMMOD nf_conntrack_pptp
else
	skip "unload-mainline-pptp: mainline nf_conntrack_pptp not in this kernel"
fi
check reload-nf_pptp_alg $MODPROBE nf_pptp_alg max_calls=8
check reject-bad-param sh -c "$RMMOD nf_pptp_alg && ! $MODPROBE nf_pptp_alg max_calls=0"
check param-bounds-hashsize sh -c "! $MODPROBE nf_pptp_alg hashsize=255 &&
	! $MODPROBE nf_pptp_alg hashsize=1048577 &&
	$MODPROBE nf_pptp_alg hashsize=1048576 && $RMMOD nf_pptp_alg &&
	$MODPROBE nf_pptp_alg hashsize=256 &&
	[ \$(cat $P/hashsize) = 256 ] && $RMMOD nf_pptp_alg"
check param-bounds-ports sh -c "! $MODPROBE nf_pptp_alg ports=0 &&
	! $MODPROBE nf_pptp_alg ports=1,2,3,4,5,6,7,8,9 &&
	$MODPROBE nf_pptp_alg ports=1,2,3,4,5,6,7,8 && $RMMOD nf_pptp_alg"

# ---- helper names from ports= --------------------------------------------
# The first port's helper is "pptp-alg", further ports' "pptp-alg-<port>".
# An nft ct helper object loads only if the kernel finds a helper by that
# name (nft_ct looks it up when the object is created).
helper_named() {
	printf 'table ip hn {\n\tct helper h {\n\t\ttype "%s" protocol tcp\n\t\tl3proto ip\n\t}\n}\n' \
		"$1" >/tmp/hn.nft
	nft -f /tmp/hn.nft
	_hr=$?
	nft delete table ip hn 2>/dev/null
	return $_hr
}

helper_absent() {
	! helper_named "$1" 2>/dev/null
}

check ports-1724-load $MODPROBE nf_pptp_alg ports=1724
check ports-1724-is-pptp-alg helper_named pptp-alg
check ports-1724-not-pptp-alg-0 helper_absent pptp-alg-0
check ports-1724-unload $RMMOD nf_pptp_alg
check ports-1723,1724-load $MODPROBE nf_pptp_alg ports=1723,1724
check ports-1723,1724-is-pptp-alg helper_named pptp-alg
check ports-1723,1724-is-pptp-alg-1724 helper_named pptp-alg-1724
check ports-1723,1724-not-pptp-alg-1 helper_absent pptp-alg-1

# ---- act_ct with NAT: the NAT helper entry (nat_mod_name) -----------------
# With NAT, act_ct takes a helper only if nf_nat_helper_try_module_get()
# finds the NAT helper entry "ip_nat_pptp-alg", which the module registers
# for itself; that entry pins the module, so a NAT action holds two
# references (helper and NAT), a plain one one. Debian 12's tc (iproute2
# 6.1) has no "helper" option: tc_ct_helper sends the RTM_NEWACTION.
refcnt() {
	cat /sys/module/nf_pptp_alg/refcnt
}

act_ct_refs() {
	_r0=$(refcnt)
	tc_ct_helper "$1" "$2" ${3:+"$3"} || return 1
	_r1=$(refcnt)
	echo "refcnt $_r0 -> $_r1, want +$4"
	[ $((_r1 - _r0)) -eq "$4" ]
}

kmaj=${KVER%%.*}
kmin=${KVER#*.}
kmin=${kmin%%.*}
act_ct_skip() {
	for _s in act-ct-helper act-ct-nat-helper act-ct-nat-helper-2nd-port \
		act-ct-pins-module act-ct-delete act-ct-released; do
		skip "$_s: $1"
	done
}
if [ "$kmaj" -lt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -lt 2 ]; }; then
	act_ct_skip "act_ct of $KVER has no helper option (TCA_CT_HELPER_*, kernel 6.2+); NAT helper entry not checked here"
elif ! $MODPROBE act_ct 2>/dev/null && [ ! -d /sys/module/act_ct ]; then
	act_ct_skip "act_ct not in this kernel"
else
	check act-ct-helper act_ct_refs 101 pptp-alg "" 1
	check act-ct-nat-helper act_ct_refs 102 pptp-alg 10.10.10.1 2
	check act-ct-nat-helper-2nd-port act_ct_refs 103 pptp-alg-1724 10.10.10.1 2
	check act-ct-pins-module sh -c "! $RMMOD nf_pptp_alg"
	check act-ct-delete sh -c "for i in 101 102 103; do $TC actions delete action ct index \$i || exit 1; done"
	check act-ct-released sh -c "[ \$(cat /sys/module/nf_pptp_alg/refcnt) -eq 0 ]"
fi
check ports-1723,1724-unload $RMMOD nf_pptp_alg
$MODPROBE nf_pptp_alg
dmesg_clean load
