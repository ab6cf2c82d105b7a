#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl (--strict --no-tree -f) over every C source
# and header; any error, warning or check fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cp=${CHECKPATCH:-}
if [ -z "$cp" ]; then
	# Use the full tree when kunit.sh extracted it, else just the script.
	src=$CACHE/linux-source-6.12
	[ -f "$src/scripts/checkpatch.pl" ] || src=$CACHE/checkpatch/linux-source-6.12
	if [ ! -f "$src/scripts/checkpatch.pl" ]; then
		need_pkgs linux-source-6.12
		mkdir -p "$CACHE/checkpatch"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$CACHE/checkpatch" \
			linux-source-6.12/scripts/checkpatch.pl \
			linux-source-6.12/scripts/spelling.txt \
			linux-source-6.12/scripts/const_structs.checkpatch
	fi
	cp=$src/scripts/checkpatch.pl
fi

cd "$REPO"
bad=0
n=0
while read -r f; do
	n=$((n + 1))
	# compat.h is the one file allowed a version test (see its header).
	ign=
	[ "$f" = include/compat.h ] && ign=--ignore=LINUX_VERSION_CODE
	if ! out=$(perl "$cp" --strict --no-tree --show-types -q $ign \
			-f "$f" 2>&1); then
		echo "$out"
		bad=$((bad + 1))
	elif [ -n "$out" ]; then
		echo "$out"
		bad=$((bad + 1))
	fi
done < <(git ls-files '*.c' '*.h'; git ls-files --others --exclude-standard '*.c' '*.h')
# Every tracked file carries an SPDX line.
while read -r f; do
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier' || {
		echo "$f: no SPDX-License-Identifier line"
		bad=$((bad + 1))
	}
done < <(git ls-files | grep -Ev '^(LICENSE|\.gitignore|fuzz/corpus/.*|debian/(compat|changelog|source/format))$')
echo "style: $n files checked, $bad with findings"
[ "$bad" -eq 0 ]
