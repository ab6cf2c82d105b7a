#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot one guest (Debian 6.12 by default, DEMO_KERNEL to pick),
# bring up a real pptpd/pptp tunnel through the seed's full-NAT gateway,
# and show the pings, the live call table and the counters.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO/scripts/deps.sh"
v=${DEMO_KERNEL:-$(kernels | tail -n 1)}
"$REPO/scripts/guest.sh" -k "$v" -t demo -T 600 >/dev/null
rc=$?
sed -n '/^=== demo/,/^=== dmesg/p' "$CACHE/guest-$v/console.txt" |
	grep -v '^===' | grep -v '^\[ *[0-9.]*\]'
echo "demo on $v: $([ $rc -eq 0 ] && echo ok || echo FAILED)"
exit $rc
