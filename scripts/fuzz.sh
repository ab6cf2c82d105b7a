#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer targets with ASan and UBSan into fuzz/out/ and run
# them for FUZZ_SECONDS (default 60) in all:
#   fuzz_stream   the message parser and the Call ID allocator (a fifth of
#                 the time, at least 5 s), fuzz/fuzz_stream.c;
#   fuzz_rewrite  the differential property fuzzer over the stream
#                 rewriter (the rest), fuzz/fuzz_rewrite.c.
# Before fuzzing, every input in fuzz/regress/ (counterexamples found so
# far, hex text with '#' comment lines; decoded into fuzz/out/regress/) is
# replayed against fuzz_rewrite and must pass.
#
# "scripts/fuzz.sh legacy" instead builds the same harness against
# fuzz/legacy_rw.c (the Call ID rewriting before src/pptp_rewrite.c) as
# fuzz/out/fuzz_rewrite_legacy and fuzzes it for FUZZ_SECONDS until it
# finds a counterexample: exit 0 and the reproducer's path when it does.
#
# Environment:
#   FUZZ_SECONDS   run time in seconds (default 60)
#   CC             clang to use (default: clang, else clang-14)
#
# Files: fuzz/out/<target> (binaries), fuzz/out/seeds*/ (generated seeds),
# fuzz/out/corpus*/ (inputs libFuzzer found interesting; kept between
# runs), fuzz/out/crash-* (reproducers), fuzz/out/*.log.
#
# Last line of output: "FUZZ execs=N cov=C ft=F" (execs of both targets,
# coverage of fuzz_rewrite). Exit status is non-zero on any crash,
# sanitizer report or oracle failure.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/fuzz/out
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
MODE=${1:-}

say() { printf 'fuzz.sh: %s\n' "$*" >&2; }

if [ -z "${CC:-}" ]; then
	if command -v clang >/dev/null 2>&1; then
		CC=clang
	else
		CC=clang-14
	fi
fi

mkdir -p "$OUT/corpus" "$OUT/corpus_rw"
cd "$REPO"

# UBSan plus the checks outside "undefined" that the pure code passes:
# integer conversions that change a value, and array bounds known locally.
san=("-fsanitize=address,undefined,implicit-conversion,local-bounds"
     -fno-sanitize-recover=all)
common=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror
	-Wno-unused-parameter -Iinclude)
pure=(src/pptp_msg.c src/pptp_callid.c)

# The rewrite harness is built without coverage instrumentation, so that
# libFuzzer's coverage is the code under test's.
build_rewrite() {	# output [flags...] [-- files...]
	local out=$1 flags=() files=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	[ $# -eq 0 ] || { shift; files=("$@"); }
	"$CC" "${common[@]}" "${san[@]}" "${flags[@]}" \
		-c fuzz/fuzz_rewrite.c -o "$out.o"
	"$CC" "${common[@]}" "${san[@]}" "${flags[@]}" -fsanitize=fuzzer \
		"$out.o" src/pptp_rewrite.c "${pure[@]}" "${files[@]}" -o "$out"
}

# Deterministic seeds: random bytes from a fixed generator.
make_seeds() {	# directory
	rm -rf "$1"
	mkdir -p "$1"
	awk -v dir="$1" 'BEGIN {
		srand(1723);
		for (s = 0; s < 24; s++) {
			n = 64 + int(rand() * 600);
			f = sprintf("%s/seed%02d", dir, s);
			printf "" > f;
			for (i = 0; i < n; i++)
				printf "%c", int(rand() * 256) > f;
			close(f);
		}
	}'
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LC_ALL=C

bad_re='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:'
bad_re+='|invariant broken|oracle failure|SUMMARY: '

# libFuzzer's statistics of one log: "execs cov ft".
stats() {
	local execs last
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
		"$1" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$1" | tail -n 1 ||
		true)
	echo "${execs:-?} $(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last") \
$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
}

if [ "$MODE" = legacy ]; then
	build_rewrite "$OUT/fuzz_rewrite_legacy" -DFUZZ_LEGACY -Ifuzz -- \
		fuzz/legacy_rw.c
	make_seeds "$OUT/seeds_rw"
	mkdir -p "$OUT/legacy"
	rm -f "$OUT"/legacy/crash-*
	set +e
	"$OUT/fuzz_rewrite_legacy" -max_total_time="$SECONDS_TO_RUN" \
		-print_final_stats=1 -max_len=2048 -timeout=30 \
		-artifact_prefix="$OUT/legacy/" "$OUT/seeds_rw" \
		>"$OUT/legacy.log" 2>&1
	set -e
	grep -m1 'oracle failure' "$OUT/legacy.log" >&2 || true
	crash=$(find "$OUT/legacy" -name 'crash-*' | head -n 1)
	if [ -z "$crash" ]; then
		say "no counterexample found against the legacy code"
		exit 1
	fi
	say "counterexample: $crash (see $OUT/legacy.log)"
	exit 0
fi

"$CC" "${common[@]}" "${san[@]}" -fsanitize=fuzzer \
	fuzz/fuzz_stream.c "${pure[@]}" -o "$OUT/fuzz_stream"
"$CC" "${common[@]}" "${san[@]}" fuzz/gen_corpus.c src/pptp_msg.c \
	-o "$OUT/gen_corpus"
build_rewrite "$OUT/fuzz_rewrite"

rm -rf "$OUT/seeds"
mkdir -p "$OUT/seeds"
"$OUT/gen_corpus" "$OUT/seeds"
make_seeds "$OUT/seeds_rw"

# hex_decode <text file> <output>: '#' lines are comments.
hex_decode() {
	perl -ne 'next if /^#/; s/\s+//g; print pack("H*", $_)' "$1" >"$2"
}

rm -rf "$OUT/regress"
mkdir -p "$OUT/regress"
for f in fuzz/regress/*; do
	[ -f "$f" ] || continue
	case $f in *.md) continue ;; esac
	hex_decode "$f" "$OUT/regress/$(basename "$f")"
done

status=0

# Counterexamples found so far must pass.
mapfile -t regress < <(find "$OUT/regress" -type f | sort)
if [ ${#regress[@]} -gt 0 ]; then
	if "$OUT/fuzz_rewrite" "${regress[@]}" >"$OUT/regress.log" 2>&1 &&
	   ! grep -E "$bad_re" "$OUT/regress.log" >&2; then
		say "${#regress[@]} regression inputs pass"
	else
		say "a regression input fails (see $OUT/regress.log)"
		tail -n 40 "$OUT/regress.log" >&2
		status=1
	fi
fi

t_stream=$((SECONDS_TO_RUN / 5))
[ "$t_stream" -ge 5 ] || t_stream=5
t_rw=$((SECONDS_TO_RUN - t_stream))
[ "$t_rw" -ge 5 ] || t_rw=5
say "$(find "$OUT/seeds" -type f | wc -l) seeds; fuzz_stream ${t_stream} s, fuzz_rewrite ${t_rw} s"

# run <target> <seconds> <log> <max_len> <dirs...>
run() {
	local bin=$1 secs=$2 log=$3 maxlen=$4 rc
	shift 4
	set +e
	"$OUT/$bin" -max_total_time="$secs" -print_final_stats=1 \
		-max_len="$maxlen" -timeout=30 -artifact_prefix="$OUT/" \
		"$@" >"$log" 2>&1
	rc=$?
	set -e
	if [ "$rc" != 0 ]; then
		say "$bin: libFuzzer exited $rc"
		status=1
	fi
	if grep -E "$bad_re" "$log" >&2 || [ "$rc" != 0 ]; then
		status=1
		tail -n 60 "$log" >&2
		ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* \
			"$OUT"/oom-* 2>/dev/null >&2 || true
	fi
}

run fuzz_stream "$t_stream" "$OUT/fuzz.log" 4096 "$OUT/corpus" "$OUT/seeds"
run fuzz_rewrite "$t_rw" "$OUT/fuzz_rewrite.log" 2048 "$OUT/corpus_rw" \
	"$OUT/seeds_rw" "$OUT/regress"

read -r e1 _ _ <<<"$(stats "$OUT/fuzz.log")"
read -r e2 cov ft <<<"$(stats "$OUT/fuzz_rewrite.log")"
say "fuzz_stream execs=$e1, fuzz_rewrite execs=$e2"
if [ "$e1" = "?" ] || [ "$e2" = "?" ] || [ -z "$cov" ] || [ -z "$ft" ]; then
	# Expected when a seed crashes before the first status line.
	[ "$status" != 0 ] ||
		say "could not parse libFuzzer's statistics (see $OUT/*.log)"
	status=1
	execs="?"
else
	execs=$((e1 + e2))
fi

echo "FUZZ execs=${execs} cov=${cov:-?} ft=${ft:-?}"
exit "$status"
