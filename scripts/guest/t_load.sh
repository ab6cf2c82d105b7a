#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 2: the module loads next to mainline's PPTP helper, documents its
# parameters, is selectable from nft and iptables, and unloads cleanly.
# Its helpers carry the names README gives for ports=, and tc's act_ct
# takes them together with NAT.
# A kernel without mainline's helper or act_ct's helper option skips those
# checks one SKIP line each, so every kernel prints the same count.
# rig-checks: 31
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
check param-bounds-enforced sh -c \
	'! echo 0 >/sys/module/nf_pptp_alg/parameters/max_calls 2>/dev/null'
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
