#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sanitizer kernel: the one scripts/kunit.sh builds from Debian's
# linux-source-6.12 with kunit/.kunitconfig (KASAN, lockdep, kmemleak,
# DEBUG_ATOMIC_SLEEP, netfilter, PPP, and no NF_CONNTRACK_PPTP, so no
# conntrack GRE keymap). Guest tests boot it as kernel "debug".
#   debugkernel.sh module       build nf_pptp_alg.ko against it, print path
#   debugkernel.sh modules DIR  write DIR/lib/modules/<release>/ index files
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$CACHE/linux-source-6.12
build=$CACHE/kunit-build

if [ ! -f "$build/arch/x86/boot/bzImage" ] || [ ! -f "$build/Module.symvers" ]; then
	log "debug kernel missing: building it with scripts/kunit.sh"
	"$REPO/scripts/kunit.sh" >&2
fi
rel=$(cat "$build/include/config/kernel.release")

case ${1:-} in
module)
	b=$CACHE/debug-module
	mkdir -p "$b"
	rsync -rlpD --checksum --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		"$REPO/Kbuild" "$REPO/Makefile" "$REPO/VERSION" "$REPO/src" "$REPO/include" "$b/"
	make -s -C "$src" ARCH=x86_64 O="$build" M="$b" modules \
		>"$b/build.log" 2>&1 || { cat "$b/build.log" >&2; exit 1; }
	if grep -q 'warning:' "$b/build.log"; then
		cat "$b/build.log" >&2
		exit 1
	fi
	echo "$b/nf_pptp_alg.ko"
	;;
modules)
	d=$2/lib/modules/$rel
	rm -rf "$2"
	mkdir -p "$d/kernel"
	cp "$build"/modules.builtin* "$build"/modules.order "$d/" 2>/dev/null || true
	touch "$d/modules.order" "$d/modules.builtin"
	echo "$rel"
	;;
*)
	echo "usage: $0 module | modules DIR" >&2
	exit 2
	;;
esac
