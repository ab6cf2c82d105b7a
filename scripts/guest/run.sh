#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run guest tests by name (t_NAME.sh), each bounded in time, then check the
# kernel log once for warnings, oopses and sanitizer reports.
#
# A test file declares, in lines of its own:
#   # rig-timeout: SECONDS  more time than the default limit
#   # rig-checks: N         PASS, FAIL and SKIP lines it prints on a full run
#                           (the same on every kernel: a check a kernel
#                           cannot run is one SKIP line); fewer or more
#                           fail the file, so a hung or cut-short script
#                           cannot hide the checks it never ran
#   # rig-skip-ok: GLOB     a SKIP whose name (its first word, a trailing
#                           colon dropped) matches GLOB is allowed; any
#                           other SKIP line fails the file
. /tests/lib.sh

# Per-test time limit: rig.timeout= on the kernel command line, if given.
tmo=$(sed -n 's/.*rig\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
# The boot asked for rig.smp= vCPUs: a test written for several CPUs
# must not pass on fewer unnoticed.
smp=$(sed -n 's/.*rig\.smp=\([0-9]*\).*/\1/p' /proc/cmdline)
cpus=$(grep -c '^processor' /proc/cpuinfo)
echo "=== $cpus CPU(s)"
# The sanitizer kernel is built without SMP (possible CPUs "0"): there
# the tests that want two say so with a declared SKIP of their own.
if [ -z "$smp" ] || [ "$cpus" -eq "$smp" ]; then
	:
elif [ "$(cat /sys/devices/system/cpu/possible)" = 0 ]; then
	echo "=== kernel built for one CPU"
else
	echo "FAIL: booted with $cpus CPU(s), rig.smp=$smp asked"
fi
for t in "$@"; do
	f=/tests/t_$t.sh
	echo "=== $t"
	# A test may ask for more: a "# rig-timeout: SECONDS" line.
	own=$(sed -n 's/^# rig-timeout: \([0-9]*\)$/\1/p' "$f")
	# To a file (shown as it grows): peers a test leaves behind keep no
	# pipe open.
	: >/tmp/run-$t.out
	tail -f /tmp/run-$t.out &
	tp=$!
	timeout "${own:-${tmo:-${RIG_TEST_TIMEOUT:-300}}}" sh "$f" \
		>>/tmp/run-$t.out 2>&1
	rc=$?
	sleep 2
	kill $tp
	wait $tp 2>/dev/null
	if [ $rc -ne 0 ]; then
		echo "FAIL: $t script exited $rc"
	fi
	want=$(sed -n 's/^# rig-checks: \([0-9]*\)$/\1/p' "$f")
	got=$(grep -cE '^(PASS|FAIL|SKIP): ' /tmp/run-$t.out)
	if [ -z "$want" ]; then
		echo "FAIL: $t declares no '# rig-checks: N' line"
	elif [ "$got" -ne "$want" ]; then
		echo "FAIL: $t produced $got of $want checks"
	fi
	ok=$(sed -n 's/^# rig-skip-ok: \(.*\)$/\1/p' "$f")
	set -f
	sed -n 's/^SKIP: \([^ ]*\).*/\1/p' /tmp/run-$t.out |
	while read -r s; do
		s=${s%:}
		allowed=
		for g in $ok; do
			# shellcheck disable=SC2254 # GLOB is a pattern
			case $s in $g) allowed=1 ;; esac
		done
		[ -n "$allowed" ] || echo "FAIL: $t skipped $s (no rig-skip-ok line allows it)"
	done
	set +f
done
echo "=== dmesg"
dmesg_clean all-tests
if [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects younger than ~5 s are never reported: scan, wait, scan.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	if grep -q 'unreferenced object' /sys/kernel/debug/kmemleak; then
		fail "kmemleak-clean"
		head -n 60 /sys/kernel/debug/kmemleak | sed 's/^/    | /'
	else
		pass "kmemleak-clean"
	fi
fi
