# SPDX-License-Identifier: GPL-2.0
# Shared settings for the rig scripts; sourced, not run.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NF_PPTP_ALG_CACHE:-$HOME/.cache/nf_pptp_alg}
mkdir -p "$CACHE"

kernels() {
	grep -v '^#' "$REPO/scripts/kernels.conf" | grep -v '^$'
}

log() {
	echo "[$(date +%H:%M:%S)] $*" >&2
}

# apt-get install only what is missing, so a warm machine pays nothing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "${missing[@]}" >/dev/null; then
		apt-get update -q >/dev/null
		apt-get install -y -q "${missing[@]}" >/dev/null
	fi
}

# build_peer_tool NAME OUT [GCC-ARGS...]: scripts/NAME.c (pptp_peer,
# pptp_bench), static, with the tools' codec and the module's pure
# message code it is built on.
build_peer_tool() {
	local name=$1 out=$2
	shift 2
	gcc -O2 -Wall -Wextra -static "$@" -I"$REPO/include" -o "$out" \
		"$REPO/scripts/$name.c" "$REPO/scripts/pptp_codec.c" \
		"$REPO/src/pptp_msg.c"
}
