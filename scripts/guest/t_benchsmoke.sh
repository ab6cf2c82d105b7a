#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Short run of make bench for make check: N = 100 calls, columns a
# (untracked), n (NAT without a helper), b (mainline's helper; not run on
# kernels without it) and c (nf_pptp_alg), one-second windows, the checks
# of t_bench.sh: every run completed, no echo lost or corrupted,
# gre_translated moved by both packets of every echo, the bench line, the
# kernel log.
# rig-checks: 5
# shellcheck disable=SC2034 # read by t_bench.sh
BENCH_SMOKE=1
. /tests/t_bench.sh
