#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest.sh [-k VERSION]... [-t TEST,TEST] [-T SECONDS]: boot each kernel in
# QEMU (TCG, no NIC, RIG_SMP vCPUs, default 1) with our module and run guest
# tests. Prints every PASS/FAIL/SKIP line prefixed with the kernel, then
# "SKIPPED [v] K" and "GUEST v: N passed, M failed".
# Exits non-zero on any failure, a missing GUEST-DONE, or a time-out. A
# SKIP counts as a failure unless its test allows it with a
# "# rig-skip-ok: GLOB" line; scripts/guest/run.sh judges that and prints
# a FAIL line for each one not allowed, and also one for a test that
# printed other than its "# rig-checks: N" lines.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tests=${RIG_TESTS:-load}
limit=${RIG_BOOT_TIMEOUT:-2400}
vers=()
while getopts "k:t:T:" o; do
	case $o in
	k) vers+=("$OPTARG") ;;
	t) tests=$OPTARG ;;
	T) limit=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ ${#vers[@]} -eq 0 ] && mapfile -t vers < <(kernels)

rc=0
for v in "${vers[@]}"; do
	out=$CACHE/guest-$v
	mkdir -p "$out"
	if [ "${v#debug}" != "$v" ]; then
		# The sanitizer kernel built from linux-source (scripts/debugkernel.sh).
		ko=$("$REPO/scripts/debugkernel.sh" module) || { echo "FAIL [$v] build"; rc=1; continue; }
		kernel=$CACHE/kunit-build/arch/x86/boot/bzImage
		kv=$(cat "$CACHE/kunit-build/include/config/kernel.release")
		"$REPO/scripts/debugkernel.sh" modules "$out/mods" >/dev/null || { echo "FAIL [$v] debug-modules"; rc=1; continue; }
		NF_PPTP_ALG_EXTRA_MODULES=$out/mods "$REPO/scripts/initramfs.sh" "$kv" "$ko" "$out/initrd.gz" || { echo "FAIL [$v] initramfs"; rc=1; continue; }
	else
		ko=$("$REPO/scripts/kernel.sh" "$v") || { echo "FAIL [$v] module-build"; rc=1; continue; }
		kernel=$CACHE/kernels/$v/vmlinuz
		"$REPO/scripts/initramfs.sh" "$v" "$ko" "$out/initrd.gz" || { echo "FAIL [$v] initramfs"; rc=1; continue; }
	fi
	log "booting $v: $tests"
	# Several vCPUs run round-robin in one TCG thread: with a thread per
	# vCPU (MTTCG) the guest kernel's own code patching (jump labels)
	# faulted now and then beside hot code (Oops: int3), at boot too.
	tcg=tcg
	[ "${RIG_SMP:-1}" -gt 1 ] && tcg=tcg,thread=single
	timeout --foreground -k 10 "$limit" qemu-system-x86_64 -accel "${RIG_TCG:-$tcg}" -cpu max \
		-smp "${RIG_SMP:-1}" -m "${RIG_MEM:-2048}" -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$out/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=3 rig.tests=$tests rig.smp=${RIG_SMP:-1}${RIG_TEST_TIMEOUT:+ rig.timeout=$RIG_TEST_TIMEOUT}" \
		</dev/null >"$out/console.log" 2>&1
	qrc=$?
	tr -d '\r' <"$out/console.log" >"$out/console.txt"
	grep -E '^(PASS|FAIL|SKIP): ' "$out/console.txt" | sed "s/^\([A-Z]*\): /\1 [$v] /"
	np=$(grep -c '^PASS: ' "$out/console.txt")
	nf=$(grep -c '^FAIL: ' "$out/console.txt")
	ns=$(grep -c '^SKIP: ' "$out/console.txt")
	# The guest's verdict on its SKIPs must be there to trust them.
	if [ "$ns" -gt 0 ] && ! grep -q '^=== dmesg' "$out/console.txt"; then
		echo "FAIL [$v] $ns SKIP line(s) never judged (run.sh did not finish)"
		nf=$((nf + 1))
	fi
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		echo "FAIL [$v] boot timed out after ${limit}s"
		nf=$((nf + 1))
	fi
	if ! grep -q '^GUEST-DONE' "$out/console.txt"; then
		echo "FAIL [$v] guest did not finish (no GUEST-DONE); console tail:"
		tail -n 40 "$out/console.txt" | sed 's/^/    | /'
		nf=$((nf + 1))
	fi
	if [ "$nf" -gt 0 ]; then
		grep -B2 -A30 '^FAIL: ' "$out/console.txt" | grep '^    | ' | head -n 80
		rc=1
	fi
	echo "SKIPPED [$v] $ns (not counted as failures only where allowed)"
	echo "GUEST $v: $np passed, $nf failed"
done
exit $rc
