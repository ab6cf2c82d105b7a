#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make dkms-test: the DKMS packaging end to end, as root on Debian 12.
#  1. make deb; install nf-pptp-alg-dkms with apt (its postinst must not
#     fail although the running kernel has no headers);
#  2. for each kernel in scripts/kernels.conf: dkms build + install, the .ko
#     under /lib/modules/<v>/updates/dkms/, vermagic <v>;
#  3. apt-get purge: /usr/src copy, dkms registration and .ko files gone;
#  4. make dkms-install / dkms-remove (no package) for the first kernel.
# One "PASS: dkms-<what>" or "FAIL: dkms-<what>: why" line per check, then
# "dkms-test: N passed, N failed"; exits non-zero on any failure. Step
# output goes to build/dkms-test/*.log. Leaves the package purged.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

NAME=nf_pptp_alg
PKG=nf-pptp-alg-dkms
VER=$(sed -n '/^[^#]/{p;q}' "$REPO/VERSION")
LOGS=$REPO/build/dkms-test
running=$(uname -r)
made_running_dir=
passed=0
failed=0

pass() {
	echo "PASS: dkms-$1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: dkms-$1: $2"
	failed=$((failed + 1))
}

# run NAME CMD...: CMD's output to $LOGS/NAME.log; on failure show its tail.
run() {
	local name=$1
	shift
	if "$@" >"$LOGS/$name.log" 2>&1; then
		return 0
	fi
	tail -n 30 "$LOGS/$name.log" | sed 's/^/    | /'
	return 1
}

# dkms status, captured whole (a grep -q reading a pipe would cut it short
# and pipefail would count that as a failure); its readelf noise dropped.
dstatus() {
	dkms status "$@" 2>/dev/null
}

pkg_installed() {
	dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'
}

# The installed module of kernel $1, whichever compression dkms chose.
installed_ko() {
	find "/lib/modules/$1/updates/dkms" -maxdepth 1 -name "$NAME.ko*" \
		-print -quit 2>/dev/null
}

# check_ko TAG KERNEL: the module is installed for KERNEL, built for it.
check_ko() {
	local tag=$1 v=$2 ko vm
	ko=$(installed_ko "$v")
	if [ -z "$ko" ]; then
		fail "$tag-$v" "no /lib/modules/$v/updates/dkms/$NAME.ko*"
		return
	fi
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
	case "$vm" in
	"$v" | "$v "*) pass "$tag-$v" ;;
	*) fail "$tag-$v" "$ko has vermagic '$vm'" ;;
	esac
}

# Kernels with headers but no linux-image (no modules.dep) get depmod's
# index files when dkms installs into them; such files that this run made
# go again at the end, once no module is left there.
declare -A had_depmod=()
drop_depmod_files() {
	local v
	for v in "${kvers[@]}"; do
		[ -n "${had_depmod[$v]:-}" ] && continue
		[ -e "/lib/modules/$v/modules.dep" ] || continue
		[ -z "$(find "/lib/modules/$v" -name '*.ko*' -print -quit)" ] || continue
		rm -f "/lib/modules/$v"/modules.{alias,alias.bin,builtin.alias.bin} \
			"/lib/modules/$v"/modules.{builtin.bin,dep,dep.bin,devname} \
			"/lib/modules/$v"/modules.{softdep,symbols,symbols.bin}
		rmdir "/lib/modules/$v/updates/dkms" "/lib/modules/$v/updates" 2>/dev/null
	done
}

# Everything this test may have left: the package, a registration made by
# make dkms-install, the /usr/src copy, depmod files it caused, and the
# running kernel's empty /lib/modules directory if this script made it.
cleanup() {
	pkg_installed && apt-get purge -y -q "$PKG" >>"$LOGS/cleanup.log" 2>&1
	if command -v dkms >/dev/null && [ -n "$(dstatus -m $NAME -v "$VER")" ]; then
		dkms remove -m $NAME -v "$VER" --all >>"$LOGS/cleanup.log" 2>&1
	fi
	rm -rf "/usr/src/$NAME-$VER"
	[ -n "$made_running_dir" ] && rm -rf "/lib/modules/$running"
	made_running_dir=
	drop_depmod_files
}

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: dkms-root: must run as root (installs packages)"
	echo "dkms-test: 0 passed, 1 failed"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
rm -rf "$LOGS"
mkdir -p "$LOGS"
mapfile -t kvers < <(kernels)
hdrs=()
for v in "${kvers[@]}"; do
	hdrs+=("linux-headers-$v")
	[ -e "/lib/modules/$v/modules.dep" ] && had_depmod[$v]=1
done
trap cleanup EXIT
cleanup
need_pkgs "${hdrs[@]}"

# 1. Package build and installation.
if run deb make -C "$REPO" --no-print-directory deb &&
	deb=$(ls "$REPO"/build/deb/${PKG}_"$VER"_all.deb 2>/dev/null) &&
	ls "$REPO"/build/deb/nf-pptp-alg_"$VER".dsc >/dev/null 2>&1; then
	pass deb-build
else
	fail deb-build "make deb (build/dkms-test/deb.log)"
	echo "dkms-test: $passed passed, $failed failed"
	exit 1
fi

conf=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$NAME-$VER/dkms.conf" 2>/dev/null)
files=$(dpkg-deb -c "$deb")
if grep -qx "PACKAGE_VERSION=\"$VER\"" <<<"$conf" &&
	grep -q "usr/src/$NAME-$VER/Kbuild$" <<<"$files" &&
	! grep -qE '\.(o|ko|cmd)$' <<<"$files"; then
	pass deb-contents
else
	fail deb-contents "dkms.conf without version $VER, no Kbuild, or build products"
fi

# apt pulls in dkms (a stale package list gets one apt-get update), then the
# postinst runs dkms for the running kernel, which has no headers. Where it
# has no /lib/modules directory either (a VM or container, as here), the
# postinst builds for every kernel in /lib/modules that has headers instead;
# the other case is postinst-no-headers below.
install_deb() {
	apt-get install -y -q --no-install-recommends "$deb" && return 0
	apt-get update -q && apt-get install -y -q --no-install-recommends "$deb"
}
if run pkg-install install_deb && pkg_installed; then
	pass pkg-install
else
	fail pkg-install "apt-get install $deb (build/dkms-test/pkg-install.log)"
fi
if [ -f "/usr/src/$NAME-$VER/dkms.conf" ] && [ -n "$(dstatus -m $NAME -v "$VER")" ]; then
	pass pkg-added
else
	fail pkg-added "no /usr/src/$NAME-$VER or not registered with dkms"
fi

# The postinst again, with the running kernel present in /lib/modules but
# without headers (the usual case on a gateway without linux-headers):
# the build is skipped and the script succeeds.
if [ ! -e "/lib/modules/$running/build/include" ]; then
	if [ ! -e "/lib/modules/$running" ]; then
		mkdir "/lib/modules/$running" && made_running_dir=1
	fi
	if run postinst-no-headers "/var/lib/dpkg/info/$PKG.postinst" configure "$VER" &&
		grep -q "skipped since the" "$LOGS/postinst-no-headers.log"; then
		pass postinst-no-headers
	else
		fail postinst-no-headers "postinst failed or did not skip $running (build/dkms-test/postinst-no-headers.log)"
	fi
	if [ -n "$made_running_dir" ]; then
		rm -rf "/lib/modules/$running"
		made_running_dir=
	fi
else
	echo "SKIP: dkms-postinst-no-headers: running kernel $running has headers"
fi

# 2. DKMS builds and installs for every supported kernel. --force rebuilds
# what the postinst may already have built.
for v in "${kvers[@]}"; do
	if run "build-$v" dkms build -m $NAME -v "$VER" -k "$v" --force &&
		grep -qE ': (built|installed)' <<<"$(dstatus -m $NAME -v "$VER" -k "$v")"; then
		pass "build-$v"
	else
		fail "build-$v" "dkms build -k $v (build/dkms-test/build-$v.log)"
		continue
	fi
	if run "install-$v" dkms install -m $NAME -v "$VER" -k "$v" --force &&
		grep -q ': installed' <<<"$(dstatus -m $NAME -v "$VER" -k "$v")"; then
		pass "install-$v"
	else
		fail "install-$v" "dkms install -k $v (build/dkms-test/install-$v.log)"
	fi
	check_ko ko "$v"
done

# 3. Purge removes everything the package and DKMS put in place.
if run pkg-purge apt-get purge -y -q "$PKG" && ! pkg_installed; then
	pass pkg-purge
else
	fail pkg-purge "apt-get purge $PKG (build/dkms-test/pkg-purge.log)"
fi
if [ ! -e "/usr/src/$NAME-$VER" ]; then
	pass purge-source
else
	fail purge-source "/usr/src/$NAME-$VER still there"
fi
if [ -z "$(dstatus -m $NAME)" ] && [ ! -e "/var/lib/dkms/$NAME/$VER" ]; then
	pass purge-registration
else
	fail purge-registration "dkms still lists $NAME: $(dstatus -m $NAME | tr '\n' ' ')"
fi
left=$(find /lib/modules -path "*/updates/dkms/$NAME.ko*" 2>/dev/null)
if [ -z "$left" ]; then
	pass purge-modules
else
	fail purge-modules "left: ${left//$'\n'/ }"
fi

# 4. make dkms-install / dkms-remove without the package.
v=${kvers[0]}
if run make-install make -C "$REPO" --no-print-directory dkms-install KERNELRELEASE="$v"; then
	pass make-install
	check_ko make-ko "$v"
else
	fail make-install "make dkms-install KERNELRELEASE=$v (build/dkms-test/make-install.log)"
fi
if run make-remove make -C "$REPO" --no-print-directory dkms-remove &&
	[ -z "$(installed_ko "$v")" ] && [ ! -e "/usr/src/$NAME-$VER" ] &&
	[ -z "$(dstatus -m $NAME)" ]; then
	pass make-remove
else
	fail make-remove "module, /usr/src copy or registration left (build/dkms-test/make-remove.log)"
fi

cleanup
echo "dkms-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
