#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# peer-selftest.sh [REGEX]: pptp_peer against itself on this host, no
# module and no guest: two network namespaces joined by a veth pair, a PAC
# in one and a PNS in the other (pns --listen / pac --connect for the
# reversed roles). Every scenario (those whose name matches REGEX) must
# exit 0 on both sides with every call made, every probe echoed, the SLI
# and WEN answers exact and no PNS error beyond the ones --dup causes.
# Needs root (namespaces, raw GRE sockets); a few seconds per scenario.
# Not part of make check: it tests the test tool, not the module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

filter=${1:-.}
tmp=$(mktemp -d)
na=pst-a-$$
nb=pst-b-$$
cleanup() {
	ip netns del "$na" 2>/dev/null || true
	ip netns del "$nb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

build_peer_tool pptp_peer "$tmp/pptp_peer" -Werror
peer=$tmp/pptp_peer

ip netns add "$na"
ip netns add "$nb"
ip link add "pa$$" netns "$na" type veth peer name "pb$$" netns "$nb"
ip -n "$na" addr add 10.201.0.1/24 dev "pa$$"
ip -n "$nb" addr add 10.201.0.2/24 dev "pb$$"
ip -n "$nb" addr add 10.201.0.12/24 dev "pb$$"
for n in "$na" "$nb"; do
	ip -n "$n" link set lo up
done
ip -n "$na" link set "pa$$" up
ip -n "$nb" link set "pb$$" up

in_b() { ip netns exec "$nb" "$@"; }

failed=0
ran=0

# verdict NAME PNS_OUT PNS_RC [PAC_OUT PAC_RC]
verdict() {
	local name=$1 out=$2 rc=$3 pout=${4:-} prc=${5:-0} why=
	[ "$rc" -eq 0 ] || why="$why pns-exit=$rc"
	[ "$prc" -eq 0 ] || why="$why pac-exit=$prc"
	awk '/^PNS summary / { split($3, a, "="); split($4, n, "=");
		ok = a[2] == n[2] } END { exit !ok }' "$out" || why="$why calls"
	awk '/^PNS (gre|hold) / { split($5, s, "="); split($6, r, "=");
		if (s[2] != r[2]) bad = 1 } END { exit bad }' "$out" ||
		why="$why echoes"
	if grep -q '^PNS sli ' "$out" &&
	   ! grep -q '^PNS sli sent=\([0-9]*\) got_sli=\1 got_wen=\1 bad=0$' \
		"$out"; then
		why="$why sli"
	fi
	if grep '^PNS error' "$out" |
	   grep -vq 'unexpected \(OCRP\|CDN\)'; then
		why="$why pns-error"
	fi
	ran=$((ran + 1))
	if [ -n "$why" ]; then
		echo "FAIL $name:$why"
		sed 's/^/    /' "$out" ${pout:+"$pout"}
		failed=$((failed + 1))
	else
		echo "ok   $name: $(grep '^PNS summary' "$out" | cut -d' ' -f3-)"
	fi
}

# pair NAME "PAC ARGS" "PNS ARGS": a PAC listening in A, one PNS run in B.
pair() {
	local name=$1 pac rc prc
	[[ $name =~ $filter ]] || return 0
	# ip execs the peer, so $! is the PAC itself
	# shellcheck disable=SC2086
	ip netns exec "$na" "$peer" pac --listen 10.201.0.1 --time 0 $2 \
		>"$tmp/$name.pac" 2>&1 &
	pac=$!
	for _ in $(seq 50); do
		grep -qs 'PAC listening' "$tmp/$name.pac" && break
		sleep 0.1
	done
	rc=0
	# shellcheck disable=SC2086
	timeout 120 ip netns exec "$nb" "$peer" pns --server 10.201.0.1 $3 \
		>"$tmp/$name.pns" 2>&1 || rc=$?
	kill -TERM "$pac" 2>/dev/null || true
	prc=0
	wait "$pac" || prc=$?
	verdict "$name" "$tmp/$name.pns" "$rc" "$tmp/$name.pac" "$prc"
}

# reversed NAME "PNS ARGS" "PAC ARGS": pns --listen in B, pac --connect
# from A.
reversed() {
	local name=$1 pns rc prc
	[[ $name =~ $filter ]] || return 0
	# shellcheck disable=SC2086
	timeout 120 ip netns exec "$nb" "$peer" pns --listen 10.201.0.2 $2 \
		>"$tmp/$name.pns" 2>&1 &
	pns=$!
	for _ in $(seq 50); do
		in_b ss -ltn | grep -q '10.201.0.2:1723 ' && break
		sleep 0.1
	done
	prc=0
	# shellcheck disable=SC2086
	timeout 120 ip netns exec "$na" "$peer" pac --connect 10.201.0.2 \
		--time 0 $3 >"$tmp/$name.pac" 2>&1 || prc=$?
	rc=0
	wait "$pns" || rc=$?
	verdict "$name" "$tmp/$name.pns" "$rc" "$tmp/$name.pac" "$prc"
}

m="--calls 2 --incoming 3"
pair out-8-each "--write each" "--calls 8 --write each"
pair out-coalesce "" "--calls 8 --write coalesce --sli"
pair out-coalesce-all "" "--calls 8 --write coalesce-all"
pair out-split "" "--calls 2 --write split --split-gap-ms 2"
pair out-dup "" "--calls 3 --dup --sli"
pair out-bogus "" "--calls 3 --bogus --sli"
pair out-cdn-pns-id "--cdn-pns-id" "--calls 3"
pair in-only "" "--calls 0 --incoming 3 --sli"
pair mixed "" "$m --sli --hold 2"
pair mixed-max "" "--calls 8 --incoming 64 --sli --gre 2"
pair mixed-stop "" "$m --sli --end stop --linger 1"
pair mixed-close "" "$m --sli --end close"
pair mixed-same-id "" "$m --sli --same-id --call-id 500"
pair mixed-no-seq "" "$m --no-seq --hold 1 --hold-echo"
pair mixed-each "--write each" "$m --sli --write each"
pair mixed-split-random "--write split-random --split-gap-ms 1 --seed 3" \
	"$m --sli --write split-random --split-gap-ms 1 --seed 4"
pair mixed-dup "" "$m --sli --dup"
pair mixed-dup-coalesce "" "$m --sli --dup --write coalesce"
pair mixed-dup-split-random "--write split-random --split-gap-ms 1 --seed 5" \
	"$m --sli --dup --write split-random --split-gap-ms 1 --seed 6"
pair many-dup-each "--write each" \
	"--calls 16 --incoming 16 --sli --dup --write each"
pair mixed-id-wrap "--call-id 65534" "$m --sli"
reversed rev-bind "--calls 1 --incoming 2 --sli --hold 2" "--bind 10.201.0.1"
reversed rev-each "$m --sli --write each --end stop" "--write each"
reversed rev-split-random "$m --sli --write split-random --split-gap-ms 1" \
	"--write split-random --split-gap-ms 1 --bind 10.201.0.1"
reversed rev-dup-split-random \
	"$m --sli --dup --write split-random --split-gap-ms 1 --seed 7" \
	"--write split-random --split-gap-ms 1 --seed 8"

echo "peer-selftest: $ran scenarios, $failed failed"
[ "$failed" -eq 0 ]
