#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh [-k VERSION]... [-t TEST]: make bench. Boots each kernel once
# (default: 6.12.111+deb12-amd64, then 6.1.0-47-amd64; BENCH_KERNELS
# overrides) and runs the guest test t_bench.sh (or TEST, e.g.
# benchsmoke): N calls through the gateway, columns a (untracked), n (NAT
# without a helper), b (mainline's helper), c (nf_pptp_alg) and c1/n1 (one
# call per control connection); see scripts/guest/t_bench.sh. Prints each
# kernel's tables, profiles and bench line ("bench[VERSION]: ..."), then
# the first kernel's line as the last line:
#   bench: flat=X vs_untracked=Y vs_nat=Z setup_vs_nat=S bytes_per_call=W
#          bytes_per_call_multi=M stock_flat=V setup_vs_untracked=U
#
# Options (environment, or make variables: make bench BENCH_NS="1 100"):
#   BENCH_KERNELS   kernel versions, in order
#   BENCH_NS        call counts (default "1 100 1000 10000 65535")
#   BENCH_COLS      columns (default "a n n1 b c c1"; also a1, and a
#                   trailing 0 for set-up only: a0, c0...)
#   BENCH_LAYOUT    EVERYxCALLS: every EVERY-th connection carries CALLS
#                   calls, the others one (default 10x4)
#   BENCH_IDS       the PNS's Call IDs: seq (consecutive) or (default)
#                   spread (bytes swapped: a connection's calls differ in
#                   their high byte)
#   BENCH_ONE_MAX   most calls of a one-call-per-connection column
#                   (b, n1, c1; default 10000)
#   BENCH_LOAD      "WARMUP WINDOWS SECONDS" of the GRE load phase
#                   (default "2 5 2")
#   BENCH_HASHSIZE  nf_pptp_alg's hashsize parameter (default 65536: the
#                   table sized for 65,535 calls, as an operator would)
#   BENCH_PROFILE   columns to profile with perf, in a second boot in real
#                   time (under -icount perf's cpu-clock samples only the
#                   idle loop) (default "a n c n:setup c:setup"; COL:setup samples the
#                   set-up without GRE; "" for none), at BENCH_PROFILE_N
#                   calls (default 1000); perf comes from linux-perf
#   BENCH_SETUP_TIMEOUT  a run's set-up time-out in guest seconds (900)
#   BENCH_LOGLEVEL  the guest's console loglevel (default 3)
#   BENCH_MEM       guest memory in MiB (default 4096: 65,535 calls)
#   BENCH_SMP       guest vCPUs (default 1)
#   BENCH_TIMEOUT   bound of the guest test in guest seconds (default
#                   10800); the boot may take twice that plus 600 s
#   BENCH_ICOUNT    QEMU -icount (default "shift=2,align=off,sleep=on";
#                   empty for real time): guest time then counts executed
#                   instructions (4 ns each), so the rates measure the
#                   work per packet and do not move when other jobs share
#                   the host's CPUs
# Boots like guest.sh, but from a private directory, $CACHE/bench-rig
# (module build, initramfs, console.log), so a concurrent make check
# cannot overwrite them.
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
tmo=${BENCH_TIMEOUT:-10800}
icount=${BENCH_ICOUNT-shift=2,align=off,sleep=on}
mem=${BENCH_MEM:-4096}
smp=${BENCH_SMP:-1}
profile=${BENCH_PROFILE-a n c n:setup c:setup}
BENCH_HASHSIZE=${BENCH_HASHSIZE-65536}
priv=$CACHE/bench-rig

# rig.NAME=VALUE for the guest, spaces turned to commas.
opts="rig.timeout=$tmo"
for kv in bench_ns:BENCH_NS bench_cols:BENCH_COLS bench_layout:BENCH_LAYOUT \
	  bench_one_max:BENCH_ONE_MAX bench_load:BENCH_LOAD bench_ids:BENCH_IDS \
	  bench_hashsize:BENCH_HASHSIZE bench_profile_n:BENCH_PROFILE_N \
	  bench_setup_timeout:BENCH_SETUP_TIMEOUT; do
	var=${kv#*:}
	[ -n "${!var:-}" ] || continue
	opts="$opts rig.${kv%%:*}=$(echo "${!var}" | tr -s ' ' ',')"
done
# Profiles run in a second boot in real time: under -icount perf's
# cpu-clock samples only the idle loop.
popts=
if [ -n "$profile" ]; then
	popts="rig.timeout=$tmo rig.bench_ns=1 rig.bench_cols=c"
	popts="$popts rig.bench_profile=$(echo "$profile" | tr -s ' ' ',')"
	[ -n "${BENCH_HASHSIZE:-}" ] && popts="$popts rig.bench_hashsize=$BENCH_HASHSIZE"
	[ -n "${BENCH_PROFILE_N:-}" ] && popts="$popts rig.bench_profile_n=$BENCH_PROFILE_N"
	command -v perf >/dev/null || need_pkgs linux-perf
fi

# boot VERSION ICOUNT OPTS LOG: one guest running $test.
boot() {
	timeout --foreground -k 10 $((2 * tmo + 600)) qemu-system-x86_64 \
		-accel tcg -cpu max ${2:+-icount "$2"} -m "$mem" -smp "$smp" \
		-nographic -no-reboot -nic none \
		-kernel "$CACHE/kernels/$1/vmlinuz" -initrd "$out/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=${BENCH_LOGLEVEL:-3} rig.tests=$test $3" \
		</dev/null >"$4" 2>&1
}

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
	NF_PPTP_ALG_PERF=${profile:+1} NF_PPTP_ALG_CACHE=$priv \
		"$REPO/scripts/initramfs.sh" "$v" "$ko" "$out/initrd.gz" ||
		{ echo "FAIL [$v] initramfs"; rc=1; continue; }
	log "bench: booting $v: $test${icount:+ (icount $icount)}, up to ${tmo}s"
	t0=$(date +%s)
	boot "$v" "$icount" "$opts" "$out/console.log"
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
	if [ -n "$popts" ]; then
		log "bench: booting $v again for the profiles, real time"
		boot "$v" "" "$popts" "$out/profile.log"
		tr -d '\r' <"$out/profile.log" | tee "$out/profile.txt" |
			sed -n '/^BENCH-PROFILE-BEGIN/,/^BENCH-PROFILE-END/p'
		grep -q '^GUEST-DONE' "$out/profile.txt" ||
			{ echo "FAIL [$v] profile boot did not finish"; rc=1; }
	fi
	grep -E '^bench: .* not run|^bench: flat over' "$con"
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
