#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the Debian source and binary package of the DKMS module.
# Stages the module source and debian/ in build/deb/nf-pptp-alg-<version>/,
# runs dpkg-buildpackage -us -uc there (source + binary, unsigned), and
# leaves in build/deb/: nf-pptp-alg_<v>.dsc, nf-pptp-alg_<v>.tar.xz,
# nf-pptp-alg-dkms_<v>_all.deb, .buildinfo and .changes.
# Installs the build tools it lacks (Debian 12).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs build-essential dpkg-dev debhelper dh-dkms fakeroot

ver=$(sed -n '/^[^#]/{p;q}' "$REPO/VERSION")
[ -n "$ver" ] || { echo "deb: no version line in VERSION" >&2; exit 1; }
clver=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
upver=${clver#*:}
upver=${upver%-*}
if [ "$upver" != "$ver" ]; then
	echo "deb: VERSION says $ver but debian/changelog's top entry is $clver;" >&2
	echo "deb: add a changelog entry first: dch -v $ver" >&2
	exit 1
fi

out=$REPO/build/deb
stage=$out/nf-pptp-alg-$ver
rm -rf "$out"
mkdir -p "$out"

# Only sources: never the objects of an in-tree build.
make -C "$REPO" --no-print-directory -s dkms-source DKMS_SRC="$stage"
install -m 644 "$REPO/dkms.conf" "$stage/dkms.conf"	# keep the placeholder
install -m 644 "$REPO/LICENSE" "$REPO/README.md" "$stage/"
cp -a "$REPO/debian" "$stage/debian"

log "dpkg-buildpackage nf-pptp-alg $ver"
(cd "$stage" && dpkg-buildpackage -us -uc)
rm -rf "$stage"

echo "deb: packages in ${out#"$REPO"/}/:"
find "$out" -maxdepth 1 -type f -printf '  %f\n' | sort
