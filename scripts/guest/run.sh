#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run guest tests by name (t_NAME.sh), each bounded in time, then check the
# kernel log once for warnings, oopses and sanitizer reports.
. /tests/lib.sh

# Per-test time limit: rig.timeout= on the kernel command line, if given.
tmo=$(sed -n 's/.*rig\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
for t in "$@"; do
	echo "=== $t"
	# A test may ask for more: a "# rig-timeout: SECONDS" line.
	own=$(sed -n 's/^# rig-timeout: \([0-9]*\)$/\1/p' "/tests/t_$t.sh")
	timeout "${own:-${tmo:-${RIG_TEST_TIMEOUT:-300}}}" sh "/tests/t_$t.sh"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $t script exited $rc"
	fi
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
