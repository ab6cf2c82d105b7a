#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh [-k VERSION]... [-t TEST]: make bench. Boots each kernel once
# (default: 6.12.111+deb12-amd64, then 6.1.0-47-amd64; BENCH_KERNELS
# overrides) with 2 GiB and runs the guest test t_bench.sh (or TEST, e.g.
# benchsmoke): N = 1, 100, 1000, 10000 calls through the gateway with no
# conntrack (a, a1), mainline's pptp helper (b) and nf_pptp_alg (c); see
# scripts/guest/t_bench.sh. Prints each kernel's tables and bench line
# ("bench[VERSION]: ..."), then the first kernel's line as the last line:
#   bench: flat=X vs_untracked=Y setup_vs_untracked=Z bytes_per_call=W stock_flat=V
#
# The guest runs with QEMU's -icount (BENCH_ICOUNT, default
# "shift=2,align=off,sleep=on"; empty for real time): guest time then
# counts executed instructions (4 ns each), so the rates measure the work
# per packet and do not move when other jobs share the host's CPUs.
# BENCH_TIMEOUT (default 3600) bounds the guest test in guest seconds; the
# boot may take twice that plus 600 s of wall time. Boots like guest.sh,
# but from a private directory, $CACHE/bench-rig (module build, initramfs,
# console.log), so a concurrent make check cannot overwrite them.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test=bench
vers=()
while getopts "k:t:" o; do
	case $o in
	k) vers+=("$OPTARG") ;;
	t) test=$OPTARG ;;
	*) exit 2 ;;
	esac
done
if [ ${#vers[@]} -eq 0 ]; then
	read -r -a vers <<<"${BENCH_KERNELS:-6.12.111+deb12-amd64 6.1.0-47-amd64}"
fi
tmo=${BENCH_TIMEOUT:-3600}
icount=${BENCH_ICOUNT-shift=2,align=off,sleep=on}
priv=$CACHE/bench-rig

start=$(date +%s)
rc=0
first=
for v in "${vers[@]}"; do
	# Kernel image and modules are shared (read only), the rest is ours.
	if [ ! -f "$CACHE/kernels/$v/.extracted" ]; then
		"$REPO/scripts/kernel.sh" "$v" >/dev/null || { echo "FAIL [$v] kernel"; rc=1; continue; }
	fi
	mkdir -p "$priv/kernels/$v" "$priv/guest-$v"
	for f in vmlinuz modules .extracted; do
		ln -sfn "$CACHE/kernels/$v/$f" "$priv/kernels/$v/$f"
	done
	out=$priv/guest-$v
	ko=$(NF_PPTP_ALG_CACHE=$priv "$REPO/scripts/kernel.sh" "$v") ||
		{ echo "FAIL [$v] module-build"; rc=1; continue; }
	NF_PPTP_ALG_CACHE=$priv "$REPO/scripts/initramfs.sh" "$v" "$ko" "$out/initrd.gz" ||
		{ echo "FAIL [$v] initramfs"; rc=1; continue; }
	log "bench: booting $v: $test${icount:+ (icount $icount)}, up to ${tmo}s"
	t0=$(date +%s)
	timeout --foreground -k 10 $((2 * tmo + 600)) qemu-system-x86_64 \
		-accel tcg -cpu max ${icount:+-icount "$icount"} -m 2048 \
		-nographic -no-reboot -nic none \
		-kernel "$CACHE/kernels/$v/vmlinuz" -initrd "$out/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=3 rig.tests=$test rig.timeout=$tmo" \
		</dev/null >"$out/console.log" 2>&1
	qrc=$?
	t1=$(date +%s)
	tr -d '\r' <"$out/console.log" >"$out/console.txt"
	con=$out/console.txt
	grep -E '^(PASS|FAIL|SKIP): ' "$con" | sed "s/^\([A-Z]*\): /\1 [$v] /"
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ] || ! grep -q '^GUEST-DONE' "$con"; then
		echo "FAIL [$v] guest did not finish (qemu exit $qrc); console tail:"
		tail -n 30 "$con" | sed 's/^/    | /'
		rc=1
	fi
	grep -q '^FAIL: ' "$con" && rc=1
	echo
	echo "=== $v (boot and run: $((t1 - t0)) s)"
	sed -n '/^BENCH-REPORT-BEGIN/,/^BENCH-REPORT-END/p' "$con" |
		grep -v '^BENCH-REPORT-'
	awk '/^extra slab per call/ { p = 1; print; next }
	     p && /^    [^|]/ { print; next }
	     { p = 0 }' "$con"
	line=$(grep '^bench: flat=' "$con" | tail -n 1)
	if [ -z "$line" ]; then
		echo "bench[$v]: no result (see $con)"
		rc=1
		continue
	fi
	echo "bench[$v]:${line#bench:}"
	[ -z "$first" ] && first=$line
done
echo
echo "bench run time: $(($(date +%s) - start)) s"
echo "${first:-bench: no result}"
exit $rc
