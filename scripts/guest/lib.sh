# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test scripts (busybox sh). Busybox prefers its own
# applets for ip and the module tools, so the real ones go by full path.
IP=/usr/sbin/ip
MODPROBE=/sbin/modprobe
RMMOD=/sbin/rmmod
LSMOD=/sbin/lsmod
MODINFO=/sbin/modinfo
KVER=$(uname -r)

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output.
check() {
	_name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		pass "$_name"
	else
		fail "$_name"
		sed 's/^/    | /' /tmp/check.out | head -n 30
	fi
}

# Out-of-tree (O, 4096) and unsigned-module (E, 8192) taints are expected.
dmesg_clean() {
	_bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|possible circular|inconsistent lock|kmemleak: [0-9]+ new|general protection|refcount_t:' | head -n 20)
	_taint=$(( $(cat /proc/sys/kernel/tainted) & ~12288 ))
	if [ -z "$_bad" ] && [ "$_taint" -eq 0 ]; then
		pass "dmesg-clean-$1"
	else
		fail "dmesg-clean-$1 (taint $_taint)"
		echo "$_bad" | sed 's/^/    | /'
		dmesg | tail -n 60 | sed 's/^/    | /'
	fi
}

# Load nf_pptp_alg with its dependencies unless it is built in.
load_alg() {
	[ -d /sys/module/nf_pptp_alg ] && return 0
	$MODPROBE nf_pptp_alg "$@"
}

has_module() {
	$MODINFO "$1" >/dev/null 2>&1
}
