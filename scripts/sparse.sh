#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sparse.sh [VERSION]: build a private copy of the module with sparse
# (make C=2: every file checked, rebuilt or not) against a supported
# kernel's headers, 6.12 by default; any sparse or compiler warning or
# error fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

v=${1:-$(kernels | grep '^6\.12\.' | head -n 1)}
[ -n "$v" ] || { echo "sparse: no 6.12 kernel in scripts/kernels.conf"; exit 1; }
hdr=${KERNELDIR:-/usr/src/linux-headers-$v}
need_pkgs sparse "linux-headers-$v"

b=$CACHE/sparse/$v
# Changed files only, stamped now (not with their mtime): see kernel.sh.
mkdir -p "$b"
rsync -rlpD --checksum --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$REPO/Kbuild" "$REPO/Makefile" "$REPO/VERSION" "$REPO/src" "$REPO/include" "$b/"
log "sparse against $v"
rc=0
make -C "$hdr" M="$b" C=2 modules >"$b/sparse.log" 2>&1 || rc=$?
cat "$b/sparse.log"
if [ $rc -ne 0 ]; then
	echo "sparse: build failed ($rc)"
	exit 1
fi
n=$(grep -cE '(warning|error):' "$b/sparse.log" || true)
echo "sparse: $n findings"
[ "$n" -eq 0 ]
