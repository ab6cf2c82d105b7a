#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build fuzz/fuzz_stream.c with libFuzzer, ASan and UBSan into fuzz/out/,
# generate the seed corpus and fuzz for FUZZ_SECONDS (default 60).
#
# Environment:
#   FUZZ_SECONDS   run time in seconds (default 60)
#   CC             clang to use (default: clang, else clang-14)
#
# Files: fuzz/out/fuzz_stream (target), fuzz/out/seeds/ (generated seeds),
# fuzz/out/corpus/ (inputs libFuzzer found interesting; kept between runs),
# fuzz/out/crash-* (reproducers), fuzz/out/fuzz.log.
#
# Last line of output: "FUZZ execs=N cov=C ft=F". Exit status is non-zero
# on any crash, sanitizer report or broken invariant.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/fuzz/out
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
LOG=$OUT/fuzz.log

say() { printf 'fuzz.sh: %s\n' "$*" >&2; }

if [ -z "${CC:-}" ]; then
	if command -v clang >/dev/null 2>&1; then
		CC=clang
	else
		CC=clang-14
	fi
fi

mkdir -p "$OUT/corpus"
cd "$REPO"

# UBSan plus the checks outside "undefined" that the pure code passes:
# integer conversions that change a value, and array bounds known locally.
san=("-fsanitize=address,undefined,implicit-conversion,local-bounds"
     -fno-sanitize-recover=all)
common=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror
	-Wno-unused-parameter -Iinclude)
pure=(src/pptp_msg.c src/pptp_callid.c)

"$CC" "${common[@]}" "${san[@]}" -fsanitize=fuzzer \
	fuzz/fuzz_stream.c "${pure[@]}" -o "$OUT/fuzz_stream"
"$CC" "${common[@]}" "${san[@]}" fuzz/gen_corpus.c src/pptp_msg.c \
	-o "$OUT/gen_corpus"

rm -rf "$OUT/seeds"
mkdir -p "$OUT/seeds"
"$OUT/gen_corpus" "$OUT/seeds"
say "$(find "$OUT/seeds" -type f | wc -l) seeds, fuzzing for ${SECONDS_TO_RUN} s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

set +e
"$OUT/fuzz_stream" -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 \
	-max_len=4096 -timeout=10 -artifact_prefix="$OUT/" \
	"$OUT/corpus" "$OUT/seeds" >"$LOG" 2>&1
rc=$?
set -e

status=0
if [ "$rc" != 0 ]; then
	say "libFuzzer exited $rc"
	status=1
fi
bad_re='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:'
bad_re+='|invariant broken|SUMMARY: '
if grep -E "$bad_re" "$LOG" >&2; then
	status=1
fi
if [ "$status" != 0 ]; then
	tail -n 40 "$LOG" >&2
	ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* "$OUT"/oom-* \
		2>/dev/null >&2 || true
fi

# "stat::number_of_executed_units: N"; coverage from the last status line
# ("#N DONE cov: C ft: F corp: ...").
execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
	"$LOG" | tail -n 1)
last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$LOG" | tail -n 1 || true)
cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
if [ -z "$execs" ] || [ -z "$cov" ] || [ -z "$ft" ]; then
	# Expected when a seed crashes before the first status line.
	[ "$status" != 0 ] ||
		say "could not parse libFuzzer's statistics (see $LOG)"
	status=1
fi

echo "FUZZ execs=${execs:-?} cov=${cov:-?} ft=${ft:-?}"
exit "$status"
