#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: everything CI runs. Installs what it needs, builds the module
# for every supported kernel, runs checkpatch, sparse, the short fuzz run,
# KUnit and the QEMU guest tests on every kernel, and ends with
# "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
report=$CACHE/check-report.txt
: >"$report"

result() {
	if [ "$1" = PASS ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	echo "$1 $2" | tee -a "$report"
}

# step NAME CMD...: one test whose verdict is CMD's exit status.
step() {
	local name=$1 log
	shift
	log=$CACHE/step-$name.log
	log "step $name"
	if "$@" >"$log" 2>&1; then
		result PASS "$name"
	else
		result FAIL "$name"
		tail -n 60 "$log" | sed 's/^/    | /'
	fi
}

"$REPO/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

while read -r v; do
	step "build-$v" "$REPO/scripts/kernel.sh" "$v"
done < <(kernels)
step style "$REPO/scripts/style.sh"
# sparse (make C=2) against the 6.12 headers: no finding allowed.
step sparse "$REPO/scripts/sparse.sh"
# Debian package + DKMS build for every supported header set.
step dkms-deb "$REPO/scripts/dkms-test.sh"
# A missing fuzz script is a failure, not a step quietly left out.
step fuzz-short env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" bash "$REPO/scripts/fuzz.sh"

# KUnit: every test case counts.
log "kunit"
klog=$CACHE/step-kunit.log
"$REPO/scripts/kunit.sh" >"$klog" 2>&1
krc=$?
kline=$(grep -E '^KUNIT passed=[0-9]+ failed=[0-9]+' "$klog" | tail -n 1)
if [ -n "$kline" ]; then
	kp=$(echo "$kline" | sed 's/.*passed=\([0-9]*\).*/\1/')
	kf=$(echo "$kline" | sed 's/.*failed=\([0-9]*\).*/\1/')
	passed=$((passed + kp))
	failed=$((failed + kf))
	echo "KUnit: $kp passed, $kf failed" | tee -a "$report"
	grep -a -- '-bench: ' "$klog" | tee -a "$report"
fi
if [ $krc -ne 0 ] || [ -z "$kline" ]; then
	result FAIL "kunit-run"
	tail -n 80 "$klog" | sed 's/^/    | /'
fi

# Guest tests on every kernel: every PASS/FAIL line counts. The sanitizer
# kernel's boots (the longest) run beside the Debian kernels' ones: each
# boot without -smp takes one of the two cores.
glog=$CACHE/step-guest.log
dlog=$CACHE/step-guest-debug.log
kargs=()
while read -r v; do
	kargs+=(-k "$v")
done < <(kernels)
# The sanitizer kernel KUnit just built runs the same scenarios; not the
# bench smoke, which under KASAN and lockdep outlasts its time limit.
(
	drc=0
	"$REPO/scripts/guest.sh" -k debug -t "${RIG_DEBUG_TESTS:-load,real,peer,calls,fault,rulesets,dropin,migrate,xfrm,isolation}" || drc=1
	RIG_SMP=2 "$REPO/scripts/guest.sh" -k debug -t "${RIG_SMP_TESTS:-lifetime}" || drc=1
	exit $drc
) >"$dlog" 2>&1 &
dpid=$!
"$REPO/scripts/guest.sh" "${kargs[@]}" -t "${RIG_TESTS:-load,real,calls,rulesets,dropin,migrate,xfrm,isolation,benchsmoke}" >"$glog" 2>&1
grc=$?
# The concurrency, fault and teardown tests boot with 2 vCPUs of their
# own: softirqs on both CPUs race the control path and the collector.
RIG_SMP=2 "$REPO/scripts/guest.sh" "${kargs[@]}" -t "${RIG_SMP_TESTS:-lifetime,fault,peer}" >>"$glog" 2>&1 || grc=1
wait $dpid || grc=1
cat "$dlog" >>"$glog"
cat "$glog"
gp=$(grep -c '^PASS \[' "$glog")
gf=$(grep -c '^FAIL \[' "$glog")
passed=$((passed + gp))
failed=$((failed + gf))
if [ $grc -ne 0 ] && [ "$gf" -eq 0 ]; then
	result FAIL "guest-run"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
