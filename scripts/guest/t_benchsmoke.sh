#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Short run of the issue 6 bench for make check: N = 100 calls, columns a
# (untracked), b (stock pptp helper; skipped on kernels without it) and c
# (nf_pptp_alg), one-second windows. PASS per column when it produced a
# non-zero GRE rate and set-up rate, and when the bench line was printed.
# Checks: a run and a rates check per column (a kernel without the stock
# helper skips column b's, one SKIP each), the kernel log, the bench line.
# rig-checks: 8
# rig-skip-ok: benchsmoke-b-*
# shellcheck disable=SC2034 # read by t_bench.sh
BENCH_SMOKE=1
. /tests/t_bench.sh

smoke_col() {
	awk -v c="$1" '$1 == "BENCHRES" && index($0, " col=" c " ") {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		ok = f["pps"] + 0 > 0 && f["setup_rate"] + 0 > 0
		print "col " c ": pps=" f["pps"] " setup_rate=" f["setup_rate"]
	} END { exit !ok }' $RES
}

for col in $B_COLS; do
	if [ "$col" = b ] && ! has_module nf_nat_pptp; then
		skip "benchsmoke-b-rates: no nf_nat_pptp in this kernel"
		continue
	fi
	check "benchsmoke-$col-rates" smoke_col "$col"
done
# The line is printed whatever was measured; a missing measurement is "-".
check benchsmoke-line grep -Eq '^bench: flat=[0-9][0-9.]* vs_untracked=[0-9][0-9.]* ' $B_OUT/report
