#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel.sh VERSION: make sure $CACHE/kernels/VERSION holds the kernel image
# and its modules (decompressed, so busybox and kmod can read them), and
# build nf_pptp_alg.ko against that kernel's headers into the same place.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

v=$1
kdir=$CACHE/kernels/$v
hdr=${KERNELDIR:-/usr/src/linux-headers-$v}

if [ ! -f "$kdir/.extracted" ]; then
	mkdir -p "$CACHE/debs" "$kdir"
	deb=$(ls "$CACHE"/debs/linux-image-"$v"-unsigned_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading linux-image-$v-unsigned"
		(cd "$CACHE/debs" && apt-get download -q "linux-image-$v-unsigned" >/dev/null 2>&1) ||
			{ apt-get update -q >/dev/null;
			  (cd "$CACHE/debs" && apt-get download -q "linux-image-$v-unsigned" >/dev/null 2>&1); }
		deb=$(ls "$CACHE"/debs/linux-image-"$v"-unsigned_*.deb | head -n1)
	fi
	rm -rf "$kdir/x"
	dpkg-deb -x "$deb" "$kdir/x"
	cp "$kdir/x/boot/vmlinuz-$v" "$kdir/vmlinuz"
	# Only what the tests load: networking, PPP, veth and their libraries.
	m=$kdir/x/lib/modules/$v
	rm -rf "$kdir/modules"
	mkdir -p "$kdir/modules/lib/modules/$v/kernel/drivers/net"
	cp -a "$m"/modules.order "$m"/modules.builtin* "$kdir/modules/lib/modules/$v/"
	for d in net lib crypto arch; do
		[ -d "$m/kernel/$d" ] && cp -a "$m/kernel/$d" "$kdir/modules/lib/modules/$v/kernel/"
	done
	cp -a "$m/kernel/drivers/net/veth.ko"* "$m/kernel/drivers/net/ppp" \
		"$m/kernel/drivers/net/slip" \
		"$kdir/modules/lib/modules/$v/kernel/drivers/net/"
	for d in wireless mac80211 bluetooth sunrpc ceph 9p rxrpc nfc ieee802154 \
		 mac802154 tipc sctp rds batman-adv can dsa openvswitch smc mpls \
		 vmw_vsock sched appletalk atm ax25 netrom rose x25 lapb phonet \
		 qrtr mptcp psample caif dccp; do
		rm -rf "$kdir/modules/lib/modules/$v/kernel/net/$d"
	done
	find "$kdir/modules" -name '*.ko.xz' -exec xz -d {} +
	find "$kdir/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} +
	rm -rf "$kdir/x"
	touch "$kdir/.extracted"
fi

# Build the module from a private copy so kernels do not overwrite each other.
# Changed files only (by content), stamped with the copy's time: a source
# going back to an older version (another checkout) must still be rebuilt.
b=$kdir/build
mkdir -p "$b"
rsync -rlpD --checksum --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$REPO/Kbuild" "$REPO/Makefile" "$REPO/VERSION" "$REPO/src" "$REPO/include" "$b/"
make -s -C "$hdr" M="$b" modules >"$b/build.log" 2>&1 || {
	cat "$b/build.log" >&2
	exit 1
}
if grep -q 'warning:' "$b/build.log"; then
	cat "$b/build.log" >&2
	exit 1
fi
echo "$b/nf_pptp_alg.ko"
