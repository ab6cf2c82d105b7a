#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh VERSION KO OUT: pack a guest root for kernel VERSION with
# busybox, the network tools, the PPTP peers, that kernel's modules, our
# module KO and the guest test scripts into the gzip cpio OUT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

v=$1
ko=$2
out=$3
kdir=$CACHE/kernels/$v
root=$(mktemp -d "$CACHE/root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,var/run,var/log,root,lib64}
mkdir -p "$root"/usr/{bin,sbin,lib} "$root"/etc/ppp "$root"/var/run/pptp
cp /bin/busybox "$root/bin/busybox"

# Real tools (their paths as Debian installs them) plus shared libraries.
tools=(/usr/sbin/ip /usr/sbin/nft /usr/sbin/xtables-nft-multi
       /usr/sbin/conntrack /usr/bin/tcpdump /usr/sbin/pppd /usr/sbin/pptpd
       /usr/sbin/pptpctrl /usr/sbin/bcrelay /usr/sbin/pptp /usr/bin/kmod
       /usr/sbin/tc)
# make bench's profiles (NF_PPTP_ALG_PERF=1): Debian's perf, whatever its
# version (record and report of a software clock event need no match).
if [ -n "${NF_PPTP_ALG_PERF:-}" ] && [ -x /usr/bin/perf ]; then
	tools+=(/usr/bin/perf)
fi
libs=()
for t in "${tools[@]}"; do
	cp "$t" "$root$t"
	libs+=("$t")
done
for so in /usr/lib/x86_64-linux-gnu/xtables/*.so; do
	libs+=("$so")
done
mkdir -p "$root/usr/lib/x86_64-linux-gnu/xtables"
cp /usr/lib/x86_64-linux-gnu/xtables/*.so "$root/usr/lib/x86_64-linux-gnu/xtables/"
# All libraries in one directory; /lib's multiarch dir points at it.
mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/lib"
ln -s ../usr/lib/x86_64-linux-gnu "$root/lib/x86_64-linux-gnu"
for f in "${libs[@]}"; do
	ldd "$f" 2>/dev/null | awk '/=> \//{print $3}'
done | sort -u | while read -r l; do
	cp -L "$l" "$root/usr/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for t in iptables iptables-save iptables-restore; do
	ln -sf xtables-nft-multi "$root/usr/sbin/$t"
done
for t in modprobe insmod rmmod lsmod modinfo depmod; do
	ln -sf ../usr/bin/kmod "$root/sbin/$t"
done
# pptp-linux runs /bin/ip for its host route: make that iproute2.
ln -sf ../usr/sbin/ip "$root/sbin/ip"

# Our scripted peer, static so it needs nothing. It and pptp_bench share
# scripts/pptp_codec.c, built on the module's pure message code.
if [ -f "$REPO/scripts/pptp_peer.c" ]; then
	build_peer_tool pptp_peer "$root/usr/bin/pptp_peer"
fi
gcc -O2 -Wall -Wextra -static -o "$root/usr/bin/ct_unhelp" "$REPO/scripts/ct_unhelp.c"
# tc's "action ct ... helper" for act_ct (Debian 12's tc predates it).
if [ -f "$REPO/scripts/tc_ct_helper.c" ]; then
	gcc -O2 -Wall -Wextra -static -o "$root/usr/bin/tc_ct_helper" "$REPO/scripts/tc_ct_helper.c"
fi
if [ -f "$REPO/scripts/pptp_bench.c" ]; then
	build_peer_tool pptp_bench "$root/usr/bin/pptp_bench"
fi

# Kernel modules and ours, indexed for modprobe.
cp -a "${NF_PPTP_ALG_EXTRA_MODULES:-$kdir/modules}/lib" "$root/"
mkdir -p "$root/lib/modules/$v/extra"
cp "$ko" "$root/lib/modules/$v/extra/"
# Lossy links (t_isolation.sh): netem, prio and u32, and act_ct (t_load.sh),
# straight from the kernel package, since kernel.sh keeps no net/sched
# modules. Kernels without a package (the debug kernel) go without; the
# tests skip what needs them. .done lists what was taken: a cache from an
# older list is extracted again.
sched_mods="sch_netem sch_prio cls_u32 act_ct"
deb=$(ls "$CACHE"/debs/linux-image-"$v"-unsigned_*.deb 2>/dev/null | head -n1 || true)
sched=$kdir/sched
if [ -n "$deb" ] && [ "$(cat "$sched/.done" 2>/dev/null)" != "$sched_mods" ]; then
	rm -rf "$sched"
	mkdir -p "$sched"
	pats=()
	for m in $sched_mods; do
		pats+=("*/kernel/net/sched/$m.ko*")
	done
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$sched" --wildcards "${pats[@]}"
	find "$sched" -name '*.ko.xz' -exec xz -d {} +
	find "$sched" -name '*.ko.zst' -exec zstd -q -d --rm {} +
	echo "$sched_mods" >"$sched/.done"
fi
if [ -f "$sched/.done" ]; then
	mkdir -p "$root/lib/modules/$v/kernel/net/sched"
	find "$sched" -name '*.ko' -exec cp {} "$root/lib/modules/$v/kernel/net/sched/" \;
fi
depmod -b "$root" "$v"

# Minimal configuration files for a bare root.
printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:100:100::/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\ntcpdump:x:100:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
echo '127.0.0.1 localhost' >"$root/etc/hosts"
printf '1\tinet\n' >"$root/etc/iproute2_rt_protos" 2>/dev/null || true
cp /etc/protocols "$root/etc/" 2>/dev/null || true
cp /etc/services "$root/etc/" 2>/dev/null || true

cp -a "$REPO/scripts/guest" "$root/tests"
cp -a "$REPO/scripts/examples" "$root/examples" 2>/dev/null || true
cp "$REPO/scripts/guest/init" "$root/init"
chmod +x "$root/init" "$root"/tests/*.sh
echo "$v" >"$root/etc/kernel-version"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
