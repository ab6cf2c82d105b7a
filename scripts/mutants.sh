#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make mutants: apply each deliberate break in scripts/mutants/*.patch (or
# the ones named) to a copy of the tree, boot the guest tests its "# tests:"
# line names against it, and print one row per mutant: the checks that
# failed, killed or survived. Every mutant must be killed (exit 1 if one
# survived or did not build). Not part of make check: each mutant is a
# guest boot.
#   MUTANT_KERNEL   kernel to boot (default: the last in kernels.conf, 6.12)
#   MUTANT_JOBS     mutants run at once, each with a cache copy of its own
#                   (default 1; each boot takes one core)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

die() {
	echo "mutants: $*" >&2
	exit 2
}

kver=${MUTANT_KERNEL:-$(kernels | tail -n1)}
jobs=${MUTANT_JOBS:-1}
out=$CACHE/mutants
mkdir -p "$out"
if [ $# -gt 0 ]; then
	list=()
	for m in "$@"; do
		list+=("$REPO/scripts/mutants/$m.patch")
	done
else
	list=("$REPO"/scripts/mutants/*.patch)
fi

# run_one PATCH SLOT: a tree copy with the break applied, booted with a
# cache of its own (slot 0 uses the main cache) so that boots can overlap.
run_one() {
	local p=$1 slot=$2 name tests tree cache
	name=$(basename "$p" .patch)
	tests=$(sed -n 's/^# tests: //p' "$p")
	tree=$out/tree-$slot
	rm -rf "$tree"
	mkdir -p "$tree"
	# The tracked files (a tree without git, such as an export: all).
	if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$REPO" && git ls-files -z | xargs -0 cp --parents -t "$tree")
	else
		cp -a "$REPO/." "$tree"
	fi
	if ! patch -s -p1 -d "$tree" <"$p"; then
		echo "NOAPPLY" >"$out/$name.verdict"
		return
	fi
	cache=$CACHE
	if [ "$slot" -gt 0 ]; then
		cache=$CACHE-mutant$slot
		mkdir -p "$cache"
		# Packages and kernel images are shared; the module build
		# (kernels/V/build) and guest dirs are the slot's own.
		for d in debs kunit-build linux-source-6.12; do
			[ -e "$CACHE/$d" ] && [ ! -e "$cache/$d" ] && ln -s "$CACHE/$d" "$cache/$d"
		done
		for k in "$CACHE"/kernels/*/; do
			k=$(basename "$k")
			mkdir -p "$cache/kernels/$k"
			for f in vmlinuz modules sched .extracted; do
				[ -e "$CACHE/kernels/$k/$f" ] && [ ! -e "$cache/kernels/$k/$f" ] &&
					ln -s "$CACHE/kernels/$k/$f" "$cache/kernels/$k/$f"
			done
		done
	fi
	# Two vCPUs, as make check boots the tests that need them; the
	# others run the same on two.
	RIG_SMP=${RIG_SMP:-2} NF_PPTP_ALG_CACHE=$cache \
		"$tree/scripts/guest.sh" -k "$kver" -t "$tests" \
		>"$out/$name.log" 2>&1 || true
	grep -E '^FAIL \[' "$out/$name.log" | sed 's/^FAIL \[[^]]*\] //' |
		tr '\n' ' ' >"$out/$name.failed" || true
	if grep -q '^FAIL \[[^]]*\] module-build' "$out/$name.log"; then
		# Not a kill: the break must compile for the tests to judge it.
		echo nobuild >"$out/$name.verdict"
	elif [ -s "$out/$name.failed" ]; then
		echo killed >"$out/$name.verdict"
	else
		echo survived >"$out/$name.verdict"
	fi
}

i=0
for p in "${list[@]}"; do
	[ -f "$p" ] || die "no such mutant: $p"
	run_one "$p" $((i % jobs)) &
	i=$((i + 1))
	if [ $((i % jobs)) -eq 0 ]; then
		wait
	fi
done
wait

bad=0
printf '%-28s %-9s %s\n' mutant verdict "checks that failed"
for p in "${list[@]}"; do
	name=$(basename "$p" .patch)
	v=$(cat "$out/$name.verdict")
	printf '%-28s %-9s %s\n' "$name" "$v" "$(cat "$out/$name.failed" 2>/dev/null)"
	[ "$v" = killed ] || bad=1
done
exit $bad
