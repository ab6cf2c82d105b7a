#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites in kunit/ under QEMU (x86_64, TCG) with KASAN,
# lockdep and kmemleak, in a cached copy of the Linux 6.12 source tree.
#
# The tree is prepared idempotently: net/netfilter/nf_pptp_alg_kunit/ gets
# symlinks to kunit/*.c, the four src/ files the tests link against and
# include/, and net/netfilter/{Kconfig,Makefile} get one line each.
#
# Environment:
#   NF_PPTP_ALG_CACHE   cache dir (default ~/.cache/nf_pptp_alg)
#   KUNIT_JOBS          make jobs (default 2)
#   KUNIT_TIMEOUT       seconds for the QEMU run (default 600)
#
# Last line of output: "KUNIT passed=P failed=F" (F counts crashed tests
# too; "?" when kunit.py's summary could not be parsed). Exit status is
# non-zero when kunit.py fails, any test fails, the summary is missing, or
# the console shows a kernel bug report (KASAN, lockdep, WARN, Oops...).

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NF_PPTP_ALG_CACHE:-$HOME/.cache/nf_pptp_alg}
VER=6.12
SRC=$CACHE/linux-source-$VER
TARBALL=/usr/src/linux-source-$VER.tar.xz
BUILD=$CACHE/kunit-build
KUNITCONFIG=$REPO/kunit/.kunitconfig
JOBS=${KUNIT_JOBS:-2}
TIMEOUT=${KUNIT_TIMEOUT:-600}
DIR=nf_pptp_alg_kunit
LINKDIR=$SRC/net/netfilter/$DIR
LOG=$CACHE/kunit-run.log
CONSOLE=$BUILD/test.log

say() { printf 'kunit.sh: %s\n' "$*" >&2; }
die() { say "$*"; echo "KUNIT passed=? failed=?"; exit 1; }

mkdir -p "$CACHE"

# One run at a time per cache: the build dir and the tree are shared.
exec 9>"$CACHE/kunit.lock"
if ! flock -n 9; then
	say "waiting for another kunit.sh run on $CACHE"
	flock 9
fi

# --- build dependencies and the source tree ------------------------------

need_pkgs=0
[ -f "$TARBALL" ] || [ -d "$SRC" ] || need_pkgs=1
for tool in bison flex bc python3 qemu-system-x86_64; do
	command -v "$tool" >/dev/null 2>&1 || need_pkgs=1
done
if [ "$need_pkgs" = 1 ]; then
	say "installing build dependencies"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y linux-source-$VER bison flex libelf-dev \
		libssl-dev bc python3 qemu-system-x86
fi

if [ ! -d "$SRC" ]; then
	say "extracting $TARBALL into $CACHE (about 1.7 GB)"
	tmp=$(mktemp -d "$CACHE/.extract.XXXXXX")
	tar -xJf "$TARBALL" -C "$tmp"
	mv "$tmp/linux-source-$VER" "$SRC"
	rmdir "$tmp"
fi

# --- link our directory into the tree ------------------------------------

if [ -L "$LINKDIR" ]; then
	rm -f "$LINKDIR"
fi
mkdir -p "$LINKDIR"
# Drop links left by an earlier checkout whose target is gone.
find "$LINKDIR" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$REPO"/kunit/*.c "$REPO/src/pptp_msg.c" \
	 "$REPO/src/pptp_callid.c" "$REPO/src/calltab.c" \
	 "$REPO/src/pptp_rewrite.c"; do
	[ -f "$f" ] || die "missing $f"
	ln -sfn "$f" "$LINKDIR/$(basename "$f")"
done
ln -sfn "$REPO/include" "$LINKDIR/include"
ln -sfn "$REPO/kunit/Kconfig" "$LINKDIR/Kconfig"
ln -sfn "$REPO/kunit/Kbuild" "$LINKDIR/Kbuild"

kconfig=$SRC/net/netfilter/Kconfig
kline="source \"net/netfilter/$DIR/Kconfig\""
if ! grep -qxF "$kline" "$kconfig"; then
	# net/netfilter/Kconfig is sourced inside "if NETFILTER"; its own
	# sub-directories (ipset, ipvs) are sourced at its end, so do we.
	printf '\n%s\n' "$kline" >>"$kconfig"
fi
mkfile=$SRC/net/netfilter/Makefile
mline="obj-y += $DIR/"
if ! grep -qxF "$mline" "$mkfile"; then
	printf '\n%s\n' "$mline" >>"$mkfile"
fi

cd "$SRC"
KUNIT_PY=(python3 tools/testing/kunit/kunit.py)
COMMON=(--arch=x86_64 "--build_dir=$BUILD" "--kunitconfig=$KUNITCONFIG")

# --- fail fast: compile only our directory -------------------------------
#
# A compile error would otherwise show only when a cold build reaches net/.
# Our objects are removed first so every run sees their warnings.

start=$(date +%s)
"${KUNIT_PY[@]}" config "${COMMON[@]}" >&2 ||
	die "kunit.py config failed"
grep -qx 'CONFIG_NF_PPTP_ALG_KUNIT_TEST=y' "$BUILD/.config" ||
	die "CONFIG_NF_PPTP_ALG_KUNIT_TEST did not make it into $BUILD/.config"
rm -f "$BUILD/net/netfilter/$DIR"/*.o
quick=$CACHE/kunit-quick.log
if ! make ARCH=x86_64 O="$BUILD" -j"$JOBS" "net/netfilter/$DIR/" \
	>"$quick" 2>&1; then
	grep -E 'error|warning' "$quick" >&2 || tail -n 40 "$quick" >&2
	die "compiling net/netfilter/$DIR/ failed (full log: $quick)"
fi
if grep -E "$DIR/.*(warning|error):" "$quick" >&2; then
	die "compiler warnings in net/netfilter/$DIR/ (full log: $quick)"
fi
say "net/netfilter/$DIR/ compiles cleanly ($(($(date +%s) - start)) s)"

# --- build and run -------------------------------------------------------

# kasan_multi_shot: KASAN reports every bad access, not just the first of
# the boot, so each test that makes one fails.
set +e
"${KUNIT_PY[@]}" run "${COMMON[@]}" --jobs "$JOBS" \
	--qemu_args='-accel tcg' --timeout "$TIMEOUT" \
	--kernel_args=kasan_multi_shot 2>&1 | tee "$LOG"
kunit_rc=${PIPESTATUS[0]}
set -e
say "kunit.py exited $kunit_rc after $(($(date +%s) - start)) s (log: $LOG)"

status=0
[ "$kunit_rc" = 0 ] || status=1

# kunit.py copies the raw serial console to $BUILD/test.log.
bug_re='BUG:|Oops|WARNING:|inconsistent lock state|possible recursive locking'
bug_re+='|possible circular locking|suspicious RCU usage|general protection'
bug_re+='|Kernel panic|UBSAN:|kmemleak: .*suspected memory leak'
if [ ! -s "$CONSOLE" ]; then
	say "no console log at $CONSOLE"
	status=1
elif grep -E "$bug_re" "$CONSOLE" >&2; then
	say "kernel bug report(s) on the console (see $CONSOLE)"
	status=1
fi

# "Testing complete. Ran N tests: passed: P, failed: F, crashed: C, ..."
# (a count is left out when it is zero).
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$LOG" |
	  grep -o 'Testing complete\. Ran [0-9]* tests:.*' | tail -n 1 || true)
if [ -z "$summary" ]; then
	say "no summary line from kunit.py"
	echo "KUNIT passed=? failed=?"
	exit 1
fi
count() {
	local n
	n=$(grep -o "$1: [0-9]*" <<<"$summary" | grep -o '[0-9]*$' || true)
	echo "${n:-0}"
}
total=$(grep -o 'Ran [0-9]*' <<<"$summary" | grep -o '[0-9]*$')
passed=$(count passed)
failed=$(($(count failed) + $(count crashed)))
errors=$(count errors)
[ "$failed" = 0 ] || status=1
[ "$errors" = 0 ] || { say "$errors parser errors"; status=1; }
[ "$total" -gt 0 ] || { say "no tests ran"; status=1; }

# Measurements some cases print (e.g. callid-bench: the allocator's worst
# and median time per new ID, before and after).
grep -ao '[a-z-]*-bench: .*' "$CONSOLE" || true
echo "KUNIT passed=$passed failed=$failed"
exit "$status"
