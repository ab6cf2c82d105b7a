#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 2: the module loads next to mainline's PPTP helper, documents its
# parameters, is selectable from nft and iptables, and unloads cleanly.
. /tests/lib.sh

check load-nf_pptp_alg $MODPROBE nf_pptp_alg
if has_module nf_conntrack_pptp; then
	check load-mainline-pptp $MODPROBE nf_conntrack_pptp
	check both-helpers-loaded sh -c \
		"$LSMOD | grep -q '^nf_pptp_alg ' && $LSMOD | grep -q '^nf_conntrack_pptp '"
else
	skip "mainline nf_conntrack_pptp not in this kernel"
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
fi
check reload-nf_pptp_alg $MODPROBE nf_pptp_alg max_calls=8
check reject-bad-param sh -c "$RMMOD nf_pptp_alg && ! $MODPROBE nf_pptp_alg max_calls=0"
$MODPROBE nf_pptp_alg
dmesg_clean load
