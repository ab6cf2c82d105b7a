#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every package the build and the QEMU rig need (Debian 12).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential make gcc clang libclang-rt-14-dev kmod cpio gzip xz-utils
      zstd rsync python3 bc bison flex libelf-dev libssl-dev
      qemu-system-x86 busybox-static iproute2 nftables iptables conntrack
      tcpdump ppp pptpd pptp-linux linux-source-6.12)
while read -r v; do
	pkgs+=("linux-headers-$v")
done < <(kernels)
need_pkgs "${pkgs[@]}"
