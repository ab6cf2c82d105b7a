#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 6: GRE packets per second, call set-up rate and kernel memory per
# call through the gateway, measured with pptp_bench (closed loop, PAC in
# srv echoing, PNS in c1 counting), for N calls and these columns:
#   a   untracked forwarding: no ruleset at all in gw (so no conntrack), srv
#       routes the LAN via gw; calls laid out like c
#   a1  the same with one call per control connection, laid out like b
#   b   mainline nf_conntrack_pptp + nf_nat_pptp: helper "pptp" set by nft,
#       masquerade; one call per control connection (all the stock helper
#       can track)
#   c   nf_pptp_alg: /examples/gateway-masquerade.nft (helper "pptp-alg",
#       masquerade, untracked GRE accepted); every 10th control connection
#       carries 4 calls, the others one
# Diagnostic columns, not in the default B_COLS, laid out like c:
#   am  a with nf_pptp_alg loaded: its GRE hooks run in every namespace but
#       find no call
#   u   conntrack and an nft ruleset like c's, no helper, no NAT, GRE
#       routed and untracked by a notrack rule
#   n   c's ruleset without the helper rule (conntrack + masquerade); GRE
#       cannot pass, so set-up only, without GRE probes
#   cr  c with the untracked-GRE accept rule first in the forward chain
#   X0  column X (a0, u0, c0...) set-up only, without GRE probes
# Only the modules of the column are loaded (no nf_pptp_alg hooks in a and
# b). Memory: bytes of slab objects in use after set-up minus before it
# (/proc/slabinfo, every cache shrunk first), per run; the extra bytes per
# call of c are (delta c - delta a) / N, of b (delta b - delta a1) / N. Prints the tables between BENCH-REPORT-BEGIN/END and a line
# "bench: flat=... vs_untracked=... setup_vs_untracked=... bytes_per_call=...
# stock_flat=...". t_benchsmoke.sh sources this with BENCH_SMOKE=1.
# Set B_NS / B_COLS to run other sizes or columns.
# Checks: one per size and column (column b is one SKIP where the kernel
# has no stock helper), and the kernel log; with the default sizes and
# columns:
# rig-checks: 17
# rig-skip-ok: bench-b-*
. /tests/lib.sh

if [ -n "$BENCH_SMOKE" ]; then
	B_NS=${B_NS:-100}
	B_COLS=${B_COLS:-"a b c"}
	B_LOAD="--warmup 1 --windows 3 --interval 1"
	B_TAG=benchsmoke
	B_QUICK=1	# no warm-up run, no waiting for the slab to settle
else
	B_NS=${B_NS:-"1 100 1000 10000"}
	B_COLS=${B_COLS:-"a a1 b c"}
	B_LOAD="--warmup 2 --windows 5 --interval 2"
	B_TAG=bench
fi
B_MIXED="--multi-every 10 --multi-calls 4"
B_SETUP_TIMEOUT=900
B_OUT=$RIG/bench
RES=$B_OUT/results

slab_kb() {
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# Active objects of slab cache $1 (0 when there is none).
slab_objs() {
	awk -v c="$1" '$1 == c { print $2; f = 1 } END { if (!f) print 0 }' /proc/slabinfo
}

# Flush per-CPU slabs so that slabinfo counts only objects in use.
slab_shrink() {
	for _f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$_f" 2>/dev/null
	done
}

# The previous run's namespaces die asynchronously (workqueue, RCU): wait
# until their TCP sockets are gone and the slab stops shrinking, so that
# none of it is freed during the next run's measurement.
settle_slab() {
	[ -n "$B_QUICK" ] && return 0
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	_i=0
	while [ $_i -lt 90 ]; do
		slab_shrink
		[ "$(slab_objs TCP)" -lt 64 ] && [ "$(slab_objs tw_sock_TCP)" -lt 64 ] && break
		sleep 1
		_i=$((_i + 1))
	done
	[ $_i -lt 90 ] || echo "    bench: TCP sockets of earlier runs still there"
	_prev=$(slab_kb)
	_i=0
	while [ $_i -lt 30 ]; do
		sleep 1
		_cur=$(slab_kb)
		_d=$((_prev - _cur))
		[ $_d -lt 0 ] && _d=$((-_d))
		[ $_d -lt 256 ] && return 0
		_prev=$_cur
		_i=$((_i + 1))
	done
	return 0
}

unload() {
	for _m in "$@"; do
		[ -d "/sys/module/$_m" ] || continue
		wait_for 30 $RMMOD "$_m" || echo "    bench: cannot unload $_m"
	done
}

col_modules() {
	case ${1%0} in
	a | a1 | u | n)
		unload nf_pptp_alg nf_nat_pptp nf_conntrack_pptp
		;;
	b)
		unload nf_pptp_alg
		$MODPROBE nf_nat_pptp
		;;
	c | cr | am)
		unload nf_nat_pptp nf_conntrack_pptp
		load_alg
		;;
	esac
}

stock_ruleset() {
	cat <<EOT
table ip bench_stock {
	ct helper pptp {
		type "pptp" protocol tcp
		l3proto ip
	}
	chain helpers {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 1723 ct helper set "pptp"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan0" oifname "wan0" ct state new accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" masquerade
	}
}
EOT
}

# Column u: conntrack and nft as in c (a NAT chain that never matches), no
# helper, GRE routed and untracked by a notrack rule.
untracked_ruleset() {
	cat <<EOT
table ip bench_u {
	chain raw {
		type filter hook prerouting priority raw; policy accept;
		ip protocol gre notrack
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan0" oifname "wan0" ct state new accept
		ip protocol gre ct state untracked accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "none0" masquerade
	}
}
EOT
}

# Column n: c's ruleset without the helper rule (conntrack and masquerade
# only); GRE cannot pass, so it measures set-up alone.
nat_ruleset() {
	sed '/ct helper set/d' /examples/gateway-masquerade.nft
}

# Column cr: c's ruleset with the untracked-GRE accept first in forward.
reordered_ruleset() {
	awk '/ip protocol gre ct state untracked accept/ { next }
	     { print }
	     /type filter hook forward/ { print "\t\tip protocol gre ct state untracked accept" }' \
		/examples/gateway-masquerade.nft
}

# slab_bytes PREFIX: bytes of slab objects in use, PREFIX.after minus
# PREFIX.before (the /proc/slabinfo copies pptp_bench made; active objects x
# object size, summed over caches).
slab_bytes() {
	[ -f "$1.before" ] && [ -f "$1.after" ] || return 0
	awk 'FNR == 1 { f++ }
	     $1 ~ /^#/ || /^slabinfo/ { next }
	     { s += (f == 1 ? -1 : 1) * $2 * $4 }
	     END { printf "%.0f\n", s }' "$1.before" "$1.after"
}

# field FILE PREFIX KEY: value of KEY= on the first line starting with PREFIX
field() {
	awk -v p="$2" -v k="$3" 'index($0, p) == 1 {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit }
	}' "$1"
}

# bench_run COL N [warm]: one set-up and load run; appends a BENCHRES line
# (not for a warm-up run).
bench_run() {
	bn_col=$1 bn_n=$2
	bn_tag=$bn_col-$bn_n${3:+-$3}
	settle_slab
	col_modules "$bn_col"
	if ! topo_up; then
		fail "$B_TAG-$bn_tag topology"
		topo_down
		return 1
	fi
	$IP -n srv route add 192.168.10.0/24 via 10.10.10.1
	case ${bn_col%0} in
	b)
		stock_ruleset >$B_OUT/stock.nft
		nsx gw nft -f $B_OUT/stock.nft
		;;
	c)
		nsx gw nft -f /examples/gateway-masquerade.nft
		;;
	cr)
		reordered_ruleset >$B_OUT/cr.nft
		nsx gw nft -f $B_OUT/cr.nft
		;;
	u)
		untracked_ruleset >$B_OUT/u.nft
		nsx gw nft -f $B_OUT/u.nft
		;;
	n)
		nat_ruleset >$B_OUT/n.nft
		nsx gw nft -f $B_OUT/n.nft
		;;
	esac
	case ${bn_col%0} in
	a | c | cr | am | u) bn_lay=$B_MIXED ;;
	n) bn_lay="$B_MIXED --probes 0 --windows 0" ;;
	*) bn_lay= ;;
	esac
	# A trailing 0 (a0, c0...): set-up only, without GRE probes.
	[ "${bn_col%0}" != "$bn_col" ] && bn_lay="$bn_lay --probes 0 --windows 0"
	$IP netns exec srv pptp_bench pac --listen 10.10.10.2 \
		--time $((B_SETUP_TIMEOUT + 300)) >$B_OUT/pac-$bn_tag.out 2>&1 &
	bn_pac=$!
	wait_for 10 grep -q 'PAC listening' $B_OUT/pac-$bn_tag.out >/dev/null
	# Warm-up calls on their own connections (closed again): TCG translates
	# the code of the freshly loaded modules now, not in the measured set-up.
	$IP netns exec c1 pptp_bench pns --server 10.10.10.2 --calls 16 \
		--call-id 60000 --warmup 0.5 --windows 1 --interval 0.5 \
		--setup-timeout 60 >$B_OUT/warm-$bn_tag.out 2>&1
	sleep 1
	bn_t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout $((B_SETUP_TIMEOUT + 240)) $IP netns exec c1 pptp_bench pns \
		--server 10.10.10.2 --calls "$bn_n" $B_LOAD $bn_lay \
		--setup-timeout $B_SETUP_TIMEOUT --slab-snap $B_OUT/slab-$bn_tag \
		>$B_OUT/pns-$bn_tag.out 2>&1 &
	bn_pns=$!
	# Gateway state while the calls live (the load phase follows set-up).
	while kill -0 $bn_pns 2>/dev/null &&
	      ! grep -q '^BENCH mem' $B_OUT/pns-$bn_tag.out 2>/dev/null; do
		sleep 1
	done
	nsx gw conntrack -C >$B_OUT/ct-$bn_tag.out 2>/dev/null
	if [ "$bn_col" = c ]; then
		nsx gw cat /proc/net/nf_pptp_alg/stats >$B_OUT/stats-$bn_tag.out 2>/dev/null
	fi
	# BENCH_PROFILE=CMD: run "CMD TAG" while the load phase goes on.
	[ -n "$BENCH_PROFILE" ] && $BENCH_PROFILE "$bn_tag"
	wait $bn_pns
	bn_rc=$?
	bn_t1=$(date +%s)
	if [ "$bn_col" = c ]; then
		nsx gw cat /proc/net/nf_pptp_alg/stats >$B_OUT/stats-$bn_tag.out 2>/dev/null
	fi
	kill $bn_pac 2>/dev/null
	wait $bn_pac
	nsx gw nft flush ruleset
	topo_down
	bn_o=$B_OUT/pns-$bn_tag.out
	bn_kb0=$(field $bn_o "BENCH mem" slab_before_kb)
	bn_kb1=$(field $bn_o "BENCH mem" slab_after_kb)
	bn_line="BENCHRES col=$bn_col n=$bn_n conns=$(field $bn_o "BENCH setup" conns)"
	bn_line="$bn_line ok=$(field $bn_o "BENCH setup" ok) ready=$(field $bn_o "BENCH setup" ready)"
	bn_line="$bn_line setup_secs=$(field $bn_o "BENCH setup" secs)"
	bn_line="$bn_line setup_rate=$(field $bn_o "BENCH setup" rate)"
	bn_line="$bn_line setup_total=$(field $bn_o "BENCH setup" total_secs)"
	bn_line="$bn_line retries=$(field $bn_o "BENCH setup" probe_retries)"
	bn_line="$bn_line pns_secs=$(field $bn_o "BENCH done" secs)"
	bn_line="$bn_line pps=$(field $bn_o "BENCH gre" pps) pps_min=$(field $bn_o "BENCH gre" min)"
	bn_line="$bn_line pps_max=$(field $bn_o "BENCH gre" max) lost=$(field $bn_o "BENCH gre" lost)"
	bn_line="$bn_line bad=$(field $bn_o "BENCH gre" bad) slab_kb=$((${bn_kb1:-0} - ${bn_kb0:-0}))"
	bn_line="$bn_line slab_bytes=$(slab_bytes $B_OUT/slab-$bn_tag)"
	bn_line="$bn_line ct=$(cat $B_OUT/ct-$bn_tag.out 2>/dev/null) rc=$bn_rc secs=$((bn_t1 - bn_t0))"
	if [ -n "$3" ]; then
		echo "warm-up: $bn_line"
		return 0
	fi
	echo "$bn_line" | tee -a $RES
	if [ $bn_rc -eq 0 ]; then
		pass "$B_TAG-$bn_tag"
	else
		fail "$B_TAG-$bn_tag (pptp_bench exit $bn_rc)"
		sed 's/^/    | /' $bn_o | tail -n 20
		sed 's/^/    | pac: /' $B_OUT/pac-$bn_tag.out | tail -n 5
		[ -f $B_OUT/stats-$bn_tag.out ] &&
			awk '$2 != 0' $B_OUT/stats-$bn_tag.out | sed 's/^/    | stats: /'
	fi
}

# slab_detail COL BASE N: caches whose growth differs most between the two
# runs, in bytes per call (active objects x object size, after - before).
slab_detail() {
	_d=$B_OUT/slab
	[ -f $_d-$1-$3.after ] && [ -f $_d-$2-$3.after ] || return 0
	echo "extra slab per call, $1 over $2, N=$3 (top caches, bytes/call):"
	# (COL after - COL before) - (BASE after - BASE before), per cache
	awk -v n="$3" '
		BEGIN { sign[1] = -1; sign[2] = 1; sign[3] = 1; sign[4] = -1 }
		FNR == 1 { f++ }
		$1 ~ /^#/ || /^slabinfo/ { next }
		{ s[$1] += sign[f] * $2 * $4 }
		END {
			for (k in s) if (s[k] != 0) printf "%s %.1f\n", k, s[k] / n
		}' $_d-$1-$3.before $_d-$1-$3.after $_d-$2-$3.before $_d-$2-$3.after |
		sort -k2 -n -r | awk '{ v = $2 < 0 ? -$2 : $2; if (v >= 8) printf "    %-28s %8.1f\n", $1, $2 }' |
		head -n 14
}

bench_report() {
	awk -v tag="$B_TAG" -v kver="$KVER" '
	function v(s, k,   i, a, m) {
		m = split(s, a, " ")
		for (i = 1; i <= m; i++)
			if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
		return ""
	}
	function r(x, y) { return (y > 0 && x != "") ? sprintf("%.3f", x / y) : "-" }
	function num(x) { return x == "" ? "-" : x }
	/^BENCHRES / {
		c = v($0, "col"); n = v($0, "n")
		pps[c, n] = v($0, "pps"); rate[c, n] = v($0, "setup_rate")
		kb[c, n] = v($0, "slab_bytes"); conns[c, n] = v($0, "conns")
		have[c] = 1
		if (!(n in seen)) { seen[n] = 1; ns[++nn] = n }
	}
	END {
		# N in ascending order
		for (i = 1; i <= nn; i++)
			for (j = i + 1; j <= nn; j++)
				if (ns[j] + 0 < ns[i] + 0) { t = ns[i]; ns[i] = ns[j]; ns[j] = t }
		lo = ns[1]; hi = ns[nn]
		base_b = have["a1"] ? "a1" : "a"
		print "BENCH-REPORT-BEGIN"
		printf "kernel %s; GRE echoes/s at the PNS (closed loop, 32 in flight, median of the windows)\n", kver
		printf "%6s | %10s %10s %7s %9s | %10s %10s %7s %9s | %7s\n", "N", "a untrack", "c alg", "c/a", "c(N)/c(1)", base_b " untrack", "b stock", "b/" base_b, "b(N)/b(1)", "c/b"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			printf "%6s | %10s %10s %7s %9s | %10s %10s %7s %9s | %7s\n", n, num(pps["a", n]), num(pps["c", n]), r(pps["c", n], pps["a", n]), r(pps["c", n], pps["c", lo]), num(pps[base_b, n]), num(pps["b", n]), r(pps["b", n], pps[base_b, n]), r(pps["b", n], pps["b", lo]), r(pps["c", n], pps["b", n])
		}
		printf "call set-up (calls/s, first SCCRQ to last OCRP) and extra slab bytes per call\n"
		printf "%6s | %11s %9s %9s %7s | %11s %9s %9s %7s | %8s %8s\n", "N", "conns a/c", "a", "c", "c/a", "conns " base_b "/b", base_b, "b", "b/" base_b, "c B/call", "b B/call"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			# Slab grows by pages: below 1000 calls the difference is noise.
			mc = (have["c"] && have["a"] && n >= 1000) ? sprintf("%.0f", (kb["c", n] - kb["a", n]) / n) : "-"
			mb = (have["b"] && have[base_b] && n >= 1000) ? sprintf("%.0f", (kb["b", n] - kb[base_b, n]) / n) : "-"
			if (n == hi) { memc = mc }
			printf "%6s | %11s %9s %9s %7s | %11s %9s %9s %7s | %8s %8s\n", n, num(conns["a", n]) "/" num(conns["c", n]), num(rate["a", n]), num(rate["c", n]), r(rate["c", n], rate["a", n]), num(conns[base_b, n]) "/" num(conns["b", n]), num(rate[base_b, n]), num(rate["b", n]), r(rate["b", n], rate[base_b, n]), mc, mb
		}
		print "BENCH-REPORT-END"
		vs = ""; su = ""
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			x = r(pps["c", n], pps["a", n]); if (x != "-" && (vs == "" || x + 0 < vs + 0)) vs = x
			x = r(rate["c", n], rate["a", n]); if (x != "-" && (su == "" || x + 0 < su + 0)) su = x
		}
		printf "bench: flat=%s vs_untracked=%s setup_vs_untracked=%s bytes_per_call=%s stock_flat=%s\n", r(pps["c", hi], pps["c", lo]), (vs == "" ? "-" : vs), (su == "" ? "-" : su), (memc == "" ? "-" : memc), r(pps["b", hi], pps["b", lo])
	}' $RES
}

bench_main() {
	mkdir -p $B_OUT
	: >$RES
	$MODPROBE nf_conntrack
	$MODPROBE nft_objref 2>/dev/null
	# Room for every stock conntrack entry (control connections and GRE).
	echo 262144 >/proc/sys/net/netfilter/nf_conntrack_max
	echo "bench: kernel $KVER, calls $B_NS, columns $B_COLS, $(nproc) cpu, $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB"
	# First allocations after boot (slab pages, code paths) go to a warm-up.
	[ -n "$B_QUICK" ] || bench_run a 100 warm
	for n in $B_NS; do
		for col in $B_COLS; do
			if [ "$col" = b ] && ! has_module nf_nat_pptp; then
				skip "$B_TAG-b-$n (no nf_nat_pptp in this kernel)"
				continue
			fi
			bench_run "$col" "$n"
		done
	done
	unload nf_nat_pptp nf_conntrack_pptp
	load_alg
	bench_report | tee $B_OUT/report
	hi=$(echo "$B_NS" | tr ' ' '\n' | sort -n | tail -n 1)
	slab_detail c a "$hi"
	if grep -q ' col=b ' $RES; then
		slab_detail b "$(grep -q ' col=a1 ' $RES && echo a1 || echo a)" "$hi"
	fi
	dmesg_clean $B_TAG
}

# BENCH_LIB=1: only define the functions (for other guest scripts).
[ -n "$BENCH_LIB" ] || bench_main
