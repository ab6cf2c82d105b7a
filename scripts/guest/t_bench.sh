#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench (issues 6 and 13): GRE packets per second, call set-up rate
# and kernel memory per call through the gateway, measured with
# pptp_bench (closed loop, PAC in srv echoing, PNS in c1 counting), for N
# calls through one public address to one server and these columns:
#   a   untracked forwarding: no ruleset in gw (so no conntrack), srv
#       routes the LAN via gw
#   n   the NAT ruleset of c (/examples/gateway-masquerade.nft) without
#       its helper rule, plus what a gateway without a PPTP helper needs to
#       pass GRE: WAN GRE is forwarded to the client (dnat, and accepted
#       by "ct status dnat"). Conntrack tracks each call's GRE itself,
#       two entries per call (without a helper the two directions' keys
#       do not pair up), NATed like the control connections
#   b   mainline nf_conntrack_pptp + nf_nat_pptp: helper "pptp" set by nft,
#       masquerade (all the stock helper can track: one call per control
#       connection)
#   c   nf_pptp_alg with /examples/gateway-masquerade.nft
# A column runs with B_LAYOUT (default 10x4: every 10th control connection
# carries 4 calls, the others one); a trailing 1 (a1, n1, c1) puts one
# call on each control connection, as b always does. Columns with one call
# per connection stop at B_ONE_MAX calls (default 10000: 65,535
# connections from one address to one server port do not fit in its
# 64,512 unprivileged source ports); b stops there too.
# A trailing 0 (a0, c0...) measures set-up only, without GRE probes.
# Only the modules of the column are loaded (no nf_pptp_alg in a, n, b).
#
# Memory: bytes of slab objects in use after set-up minus before it
# (/proc/slabinfo, every cache shrunk first), per run; the extra bytes
# per call are (delta c - delta n) / N, (delta c1 - delta n1) / N and
# (delta b - delta n1) / N.
#
# Options, from the kernel command line (scripts/bench.sh passes them):
#   rig.bench_ns=1,100,...    N list (B_NS)
#   rig.bench_cols=a,n,...    columns (B_COLS)
#   rig.bench_layout=ExK      several calls per connection (B_LAYOUT)
#   rig.bench_one_max=N       B_ONE_MAX
#   rig.bench_ids=seq|spread  the PNS's Call IDs: consecutive, or (default)
#                             with their bytes swapped (pptp_bench
#                             --id-order)
#   rig.bench_load=W,K,S      warm-up seconds, windows, seconds each
#   rig.bench_hashsize=N      nf_pptp_alg's hashsize (default: module's)
#   rig.bench_setup_timeout=S a run's set-up time-out (default 900 s)
#   rig.bench_profile=COLS    after the measured runs, run each column once
#                             more at B_PROFILE_N calls (rig.bench_profile_n,
#                             default 1000) under perf record (cpu-clock,
#                             all CPUs) for 4 s of its load phase (COL) or
#                             its whole set-up without GRE (COL:setup), and
#                             print perf report's top symbols
# Prints the tables between BENCH-REPORT-BEGIN/END, profiles between
# BENCH-PROFILE-BEGIN/END, and the bench line:
#   bench: flat=c(hi)/c(lo) vs_untracked=min c/a vs_nat=min c/n
#          setup_vs_nat=set-up c/n at the largest N bytes_per_call=(c1-n1)/N
#          bytes_per_call_multi=(c-n)/N stock_flat=b(hi)/b(lo)
#          setup_vs_untracked=min set-up c/a
# (min over N; N for setup_vs_nat and memory: the largest N both columns
# ran, for memory at least 1000). t_benchsmoke.sh sources this with BENCH_SMOKE=1.
# Checks, whatever the options: every run completed (all calls set up and
# echoing), no echo lost or corrupted, nf_pptp_alg translated each echo's
# two packets (gre_translated), the bench line, the kernel log.
# rig-checks: 5
. /tests/lib.sh

# cmdline_opt NAME: value of rig.NAME= on the kernel command line, commas
# turned to spaces.
cmdline_opt() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^rig\.$1=//p" | tail -n 1 | tr ',' ' '
}

if [ -n "$BENCH_SMOKE" ]; then
	B_NS=${B_NS:-100}
	B_COLS=${B_COLS:-"a n b c"}
	B_LOADOPT="1 3 1"
	B_TAG=benchsmoke
	B_QUICK=1	# no warm-up run, no waiting for the slab to settle
	# Real time under a loaded host: a stall is no lost echo.
	B_LOSS="--loss-ms 5000"
else
	B_NS=$(cmdline_opt bench_ns)
	B_NS=${B_NS:-"1 100 1000 10000 65535"}
	B_COLS=$(cmdline_opt bench_cols)
	B_COLS=${B_COLS:-"a n n1 b c c1"}
	B_LOADOPT=$(cmdline_opt bench_load)
	B_LOADOPT=${B_LOADOPT:-"2 5 2"}
	B_TAG=bench
fi
B_IDS=$(cmdline_opt bench_ids)
B_IDS=${B_IDS:-spread}
B_LAYOUT=$(cmdline_opt bench_layout)
B_LAYOUT=${B_LAYOUT:-10x4}
B_ONE_MAX=$(cmdline_opt bench_one_max)
B_ONE_MAX=${B_ONE_MAX:-10000}
B_HASHSIZE=$(cmdline_opt bench_hashsize)
B_PROFILE=$(cmdline_opt bench_profile)
B_PROFILE_N=$(cmdline_opt bench_profile_n)
B_PROFILE_N=${B_PROFILE_N:-1000}
# shellcheck disable=SC2086
set -- $B_LOADOPT
B_LOAD="--warmup $1 --windows $2 --interval $3 ${B_LOSS:-}"
B_MIXED="--multi-every ${B_LAYOUT%x*} --multi-calls ${B_LAYOUT#*x}"
B_SETUP_TIMEOUT=$(cmdline_opt bench_setup_timeout)
B_SETUP_TIMEOUT=${B_SETUP_TIMEOUT:-900}
B_OUT=$RIG/bench
RES=$B_OUT/results
# A bench of one client: its quotas are the whole Call-ID space.
B_ALG_PARAMS="max_calls_host=131072 max_pending_host=131072 max_calls_net=131072"
[ -n "$B_HASHSIZE" ] && B_ALG_PARAMS="$B_ALG_PARAMS hashsize=$B_HASHSIZE"

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
	while [ $_i -lt 180 ]; do
		slab_shrink
		[ "$(slab_objs TCP)" -lt 64 ] && [ "$(slab_objs tw_sock_TCP)" -lt 64 ] && break
		sleep 1
		_i=$((_i + 1))
	done
	[ $_i -lt 180 ] || echo "    bench: TCP sockets of earlier runs still there"
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
		wait_for 60 $RMMOD "$_m" || echo "    bench: cannot unload $_m"
	done
}

# col_base COL: the column without its layout and set-up-only suffixes.
col_base() {
	_cb=${1%0}
	echo "${_cb%1}"
}

col_modules() {
	case $(col_base "$1") in
	a | n)
		unload nf_pptp_alg nf_nat_pptp nf_conntrack_pptp
		;;
	b)
		unload nf_pptp_alg
		$MODPROBE nf_nat_pptp
		;;
	c)
		# Loaded afresh: an earlier column's ruleset may have had it
		# autoloaded with the default quotas.
		unload nf_pptp_alg nf_nat_pptp nf_conntrack_pptp
		# shellcheck disable=SC2086
		load_alg $B_ALG_PARAMS
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

# Column n: c's ruleset without the helper rule; GRE from the WAN goes to
# the one client (c1) by dnat and is accepted as such.
nat_ruleset() {
	awk '/ct helper pptp \{/ { skip = 1 }
	     skip { if (/^\t\}/) skip = 0; next }
	     /ct helper set/ { next }
	     /^}/ && !done {
		print ""
		print "\tchain gre_in {"
		print "\t\ttype nat hook prerouting priority dstnat; policy accept;"
		print "\t\tiifname \"wan0\" ip protocol gre dnat to 192.168.10.115"
		print "\t}"
		done = 1
	     }
	     { print }
	     /ct state established,related accept/ { print "\t\tip protocol gre ct status dnat accept" }' \
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

# stat_file FILE NAME: a counter from a saved /proc/net/nf_pptp_alg/stats
stat_file() {
	awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1" 2>/dev/null
}

# Calls of earlier connections (the warm-up's) hold Call IDs until their
# conntracks go: wait for none, so that all 65,535 are free.
wait_no_calls() {
	_i=0
	while [ $_i -lt 60 ]; do
		[ "$(stat_of calls_live)" = 0 ] && return 0
		sleep 1
		_i=$((_i + 1))
	done
	echo "    bench: $(stat_of calls_live) calls of the warm-up still live"
}

# PERF_REC TAG: the command prefix sampling every CPU (cpu-clock, call
# graphs) while the command runs.
perf_rec() {
	echo "perf record -q -a -g -e cpu-clock -F 999 -o $B_OUT/perf-$1.data --"
}

perf_print() {
	_pd=$B_OUT/perf-$1
	echo "BENCH-PROFILE-BEGIN $1 (perf record -a -g -e cpu-clock -F 999; $2)"
	if [ -s $_pd.data ]; then
		perf report -q -i $_pd.data --stdio --no-children --sort sym \
			-g none --percent-limit 0.5 >$_pd.txt 2>$_pd.err
		grep -v '^$' $_pd.txt | head -n 50
		[ -s $_pd.txt ] || head -c 600 $_pd.err $_pd.log
	else
		echo "no profile ($(head -c 300 $_pd.log 2>/dev/null))"
	fi
	echo "BENCH-PROFILE-END"
}

# bench_run COL N [warm|profile]: one set-up and load run; appends a
# BENCHRES line (not for a warm-up or profile run).
bench_run() {
	bn_col=$1 bn_n=$2
	bn_base=$(col_base "$bn_col")
	bn_tag=$bn_col-$bn_n${3:+-$3}
	echo "    bench: $bn_tag: settling"
	settle_slab
	col_modules "$bn_col"
	if ! topo_up; then
		echo "BENCHFAIL $bn_tag topology"
		topo_down
		return 1
	fi
	$IP -n srv route add 192.168.10.0/24 via 10.10.10.1
	# Up to 65,535 connections from c1 to one server port.
	nsx c1 sh -c 'echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range'
	case $bn_base in
	b)
		stock_ruleset >$B_OUT/stock.nft
		nsx gw nft -f $B_OUT/stock.nft
		;;
	c)
		nsx gw nft -f /examples/gateway-masquerade.nft
		;;
	n)
		nat_ruleset >$B_OUT/n.nft
		nsx gw nft -f $B_OUT/n.nft
		;;
	esac
	# Conntrack's GRE entries of n never see a reply: keep them through a
	# long set-up instead of measuring their re-creation.
	nsx gw sh -c 'echo 3600 >/proc/sys/net/netfilter/nf_conntrack_gre_timeout' 2>/dev/null
	case $bn_col in
	b | b0 | *1 | *10) bn_lay= ;;
	*) bn_lay=$B_MIXED ;;
	esac
	# A trailing 0 (a0, c0...): set-up only, without GRE probes.
	[ "${bn_col%0}" != "$bn_col" ] && bn_lay="$bn_lay --probes 0 --windows 0"
	bn_load=$B_LOAD
	[ "$3" = warm ] && bn_load="--warmup 1 --windows 2 --interval 1"
	# A profile of the load phase samples 4 s of a 12 s phase.
	[ "$3" = profile ] && bn_load="--warmup 1 --windows 1 --interval 11"
	$IP netns exec srv pptp_bench pac --listen 10.10.10.2 \
		--time $((B_SETUP_TIMEOUT + 300)) >$B_OUT/pac-$bn_tag.out 2>&1 &
	bn_pac=$!
	wait_for 10 grep -q 'PAC listening' $B_OUT/pac-$bn_tag.out >/dev/null
	# Warm-up calls on their own connections (closed again): TCG translates
	# the code of the freshly loaded modules now, not in the measured set-up.
	[ "$bn_base" = c ] && echo "    bench: $bn_tag: nf_pptp_alg max_calls_host=$(cat /sys/module/nf_pptp_alg/parameters/max_calls_host) hashsize=$(cat /sys/module/nf_pptp_alg/parameters/hashsize)"
	echo "    bench: $bn_tag: gateway up, warm-up"
	timeout 180 $IP netns exec c1 pptp_bench pns --server 10.10.10.2 --calls 16 \
		--call-id 60000 --warmup 0.5 --windows 1 --interval 0.5 \
		--setup-timeout 60 >$B_OUT/warm-$bn_tag.out 2>&1
	sleep 1
	[ "$bn_base" = c ] && wait_no_calls
	[ "$bn_base" = c ] && stats_save $B_OUT/stats-$bn_tag.before
	echo "    bench: $bn_tag: set-up of $bn_n calls"
	bn_perf=
	[ "$3" = setup ] && bn_perf=$(perf_rec "$bn_tag")
	bn_t0=$(date +%s)
	# shellcheck disable=SC2086
	$bn_perf timeout $((B_SETUP_TIMEOUT + 300)) $IP netns exec c1 pptp_bench pns \
		--server 10.10.10.2 --calls "$bn_n" --id-order $B_IDS --port-base 2000 \
		$bn_load $bn_lay \
		--setup-timeout $B_SETUP_TIMEOUT --slab-snap $B_OUT/slab-$bn_tag \
		>$B_OUT/pns-$bn_tag.out 2>&1 &
	bn_pns=$!
	# Gateway state while the calls live (the load phase follows set-up).
	while kill -0 $bn_pns 2>/dev/null &&
	      ! grep -q '^BENCH mem' $B_OUT/pns-$bn_tag.out 2>/dev/null; do
		sleep 1
	done
	nsx gw conntrack -C >$B_OUT/ct-$bn_tag.out 2>/dev/null
	if [ "$3" = profile ]; then
		sleep 3
		$(perf_rec "$bn_tag") sleep 4 >$B_OUT/perf-$bn_tag.log 2>&1
	fi
	echo "    bench: $bn_tag: $(head -n 1 $B_OUT/pns-$bn_tag.out)"
	wait $bn_pns
	bn_rc=$?
	bn_t1=$(date +%s)
	# Echoes still in flight when the PNS stopped cross gw meanwhile.
	sleep 1
	[ "$bn_base" = c ] && stats_save $B_OUT/stats-$bn_tag.after
	kill $bn_pac 2>/dev/null
	wait $bn_pac
	nsx gw nft flush ruleset
	topo_down
	[ -n "$3" ] && return 0
	bn_o=$B_OUT/pns-$bn_tag.out
	bn_kb0=$(field $bn_o "BENCH mem" slab_before_kb)
	bn_kb1=$(field $bn_o "BENCH mem" slab_after_kb)
	bn_tr=
	if [ "$bn_base" = c ]; then
		bn_tr=$(($(stat_file $B_OUT/stats-$bn_tag.after gre_translated) -
			 $(stat_file $B_OUT/stats-$bn_tag.before gre_translated)))
	fi
	bn_line="BENCHRES col=$bn_col n=$bn_n conns=$(field $bn_o "BENCH setup" conns)"
	bn_line="$bn_line ok=$(field $bn_o "BENCH setup" ok) ready=$(field $bn_o "BENCH setup" ready)"
	bn_line="$bn_line setup_secs=$(field $bn_o "BENCH setup" secs)"
	bn_line="$bn_line setup_rate=$(field $bn_o "BENCH setup" rate)"
	bn_line="$bn_line setup_total=$(field $bn_o "BENCH setup" total_secs)"
	bn_line="$bn_line retries=$(field $bn_o "BENCH setup" probe_retries)"
	bn_line="$bn_line pns_secs=$(field $bn_o "BENCH done" secs)"
	bn_line="$bn_line pps=$(field $bn_o "BENCH gre" pps) pps_min=$(field $bn_o "BENCH gre" min)"
	bn_line="$bn_line pps_max=$(field $bn_o "BENCH gre" max)"
	bn_line="$bn_line sent=$(field $bn_o "BENCH gre" sent) recv=$(field $bn_o "BENCH gre" recv)"
	bn_line="$bn_line lost=$(field $bn_o "BENCH gre" lost) bad=$(field $bn_o "BENCH gre" bad)"
	bn_line="$bn_line translated=$bn_tr slab_kb=$((${bn_kb1:-0} - ${bn_kb0:-0}))"
	bn_line="$bn_line slab_bytes=$(slab_bytes $B_OUT/slab-$bn_tag)"
	bn_line="$bn_line ct=$(cat $B_OUT/ct-$bn_tag.out 2>/dev/null) rc=$bn_rc secs=$((bn_t1 - bn_t0))"
	echo "$bn_line" | tee -a $RES
	if [ $bn_rc -ne 0 ]; then
		echo "BENCHFAIL $bn_tag pptp_bench exit $bn_rc"
		sed 's/^/    | /' $bn_o | tail -n 20
		sed 's/^/    | pac: /' $B_OUT/pac-$bn_tag.out | tail -n 5
		[ -f $B_OUT/stats-$bn_tag.after ] &&
			awk '$2 != 0' $B_OUT/stats-$bn_tag.after | sed 's/^/    | stats: /'
	fi
	return 0
}

# Every run completed: a BENCHRES line with rc=0 for each one started.
runs_ok() {
	grep -h '^BENCHFAIL' $B_OUT/log
	[ "$(grep -c '^BENCHRES ' $RES)" -eq "$B_RUNS" ] || {
		echo "$(grep -c '^BENCHRES ' $RES) results for $B_RUNS runs"
		return 1
	}
	! grep '^BENCHRES ' $RES | grep -v ' rc=0 '
}

# No echo lost or corrupted in any run with a load phase.
echoes_ok() {
	awk '$1 == "BENCHRES" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["pps"] == "") next
		if (f["lost"] != 0 || f["bad"] != 0 || f["recv"] + 0 == 0) {
			print "col " f["col"] " n " f["n"] ": recv=" f["recv"] " lost=" f["lost"] " bad=" f["bad"]
			e = 1
		}
		m++
	} END { if (!m) print "no run with a load phase"; exit e || !m }' $RES
}

# nf_pptp_alg translated both packets of every echo exchanged (probes
# and load), and no more than both of every packet sent: between
# 2 x received and 2 x sent. Passes trivially only when no c column ran.
translated_ok() {
	awk '$1 == "BENCHRES" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["translated"] == "") next
		probes = (f["col"] ~ /0$/) ? 0 : 2 * f["n"]
		lo = 2 * (f["recv"] + probes)
		hi = 2 * (f["sent"] + probes + f["retries"])
		ok = f["translated"] >= lo && f["translated"] <= hi
		print "col " f["col"] " n " f["n"] ": gre_translated moved " f["translated"] ", want " lo ".." hi (ok ? "" : "  <- wrong")
		if (!ok) e = 1
		m++
	} END { exit e }' $RES
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
	awk -v kver="$KVER" -v cpus="$(nproc)" '
	function v(s, k,   i, a, m) {
		m = split(s, a, " ")
		for (i = 1; i <= m; i++)
			if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
		return ""
	}
	function r(x, y) { return (y > 0 && x != "") ? sprintf("%.3f", x / y) : "-" }
	function num(x) { return x == "" ? "-" : x }
	# bytes per call of column x over column y at N (from 1000 calls:
	# below, slab pages make the difference noise)
	function mem(x, y, n) {
		return (n >= 1000 && (x, n) in kb && (y, n) in kb) ? sprintf("%.0f", (kb[x, n] - kb[y, n]) / n) : "-"
	}
	function minr(cur, x) { return (x != "-" && (cur == "" || x + 0 < cur + 0)) ? x : cur }
	/^BENCHRES / {
		c = v($0, "col"); n = v($0, "n")
		if (v($0, "pps") != "") pps[c, n] = v($0, "pps")
		rate[c, n] = v($0, "setup_rate")
		kb[c, n] = v($0, "slab_bytes"); conns[c, n] = v($0, "conns")
		if (!(n in seen)) { seen[n] = 1; ns[++nn] = n }
	}
	END {
		for (i = 1; i <= nn; i++)
			for (j = i + 1; j <= nn; j++)
				if (ns[j] + 0 < ns[i] + 0) { t = ns[i]; ns[i] = ns[j]; ns[j] = t }
		lo = ns[1]
		# Highest N each column reached.
		for (i = 1; i <= nn; i++) {
			if (("c", ns[i]) in pps) hic = ns[i]
			if (("b", ns[i]) in pps) hib = ns[i]
		}
		print "BENCH-REPORT-BEGIN"
		printf "kernel %s, %s CPU(s); GRE echoes/s at the PNS (closed loop, 32 in flight, median of the windows)\n", kver, cpus
		printf "%6s | %9s %9s %9s %6s %6s %9s | %9s %9s %9s %6s %6s %9s %6s\n", "N", "a untr", "n nat", "c alg", "c/a", "c/n", "c(N)/c(1)", "n1 nat", "c1 alg", "b stock", "c1/n1", "b/n1", "b(N)/b(1)", "c1/b"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			printf "%6s | %9s %9s %9s %6s %6s %9s | %9s %9s %9s %6s %6s %9s %6s\n", n, num(pps["a", n]), num(pps["n", n]), num(pps["c", n]), r(pps["c", n], pps["a", n]), r(pps["c", n], pps["n", n]), r(pps["c", n], pps["c", lo]), num(pps["n1", n]), num(pps["c1", n]), num(pps["b", n]), r(pps["c1", n], pps["n1", n]), r(pps["b", n], pps["n1", n]), r(pps["b", n], pps["b", lo]), r(pps["c1", n], pps["b", n])
		}
		printf "call set-up (calls/s, first SCCRQ to last OCRP)\n"
		printf "%6s | %11s %8s %8s %8s %6s %6s | %11s %8s %8s %8s %6s %6s\n", "N", "conns c", "a", "n", "c", "c/a", "c/n", "conns c1", "n1", "c1", "b", "c1/n1", "b/n1"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			printf "%6s | %11s %8s %8s %8s %6s %6s | %11s %8s %8s %8s %6s %6s\n", n, num(conns["c", n]), num(rate["a", n]), num(rate["n", n]), num(rate["c", n]), r(rate["c", n], rate["a", n]), r(rate["c", n], rate["n", n]), num(conns["c1", n]), num(rate["n1", n]), num(rate["c1", n]), num(rate["b", n]), r(rate["c1", n], rate["n1", n]), r(rate["b", n], rate["n1", n])
		}
		printf "extra slab bytes per call (from 1000 calls)\n"
		printf "%6s | %8s %8s | %8s %8s\n", "N", "c - n", "c - a", "c1 - n1", "b - n1"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			if (n < 1000) continue
			printf "%6s | %8s %8s | %8s %8s\n", n, mem("c", "n", n), mem("c", "a", n), mem("c1", "n1", n), mem("b", "n1", n)
		}
		print "BENCH-REPORT-END"
		vs = vn = sn = su = ""
		bpc = bpm = "-"
		for (i = 1; i <= nn; i++) {
			n = ns[i]
			vs = minr(vs, r(pps["c", n], pps["a", n]))
			vn = minr(vn, r(pps["c", n], pps["n", n]))
			# Set-up against NAT: at the largest N both ran (a rate
			# of many calls, not the latency of one; the table has all).
			if (r(rate["c", n], rate["n", n]) != "-") sn = r(rate["c", n], rate["n", n])
			su = minr(su, r(rate["c", n], rate["a", n]))
			if (mem("c1", "n1", n) != "-") bpc = mem("c1", "n1", n)
			if (mem("c", "n", n) != "-") bpm = mem("c", "n", n)
		}
		printf "bench: flat=%s vs_untracked=%s vs_nat=%s setup_vs_nat=%s bytes_per_call=%s bytes_per_call_multi=%s stock_flat=%s setup_vs_untracked=%s\n", (hic == "" ? "-" : r(pps["c", hic], pps["c", lo])), (vs == "" ? "-" : vs), (vn == "" ? "-" : vn), (sn == "" ? "-" : sn), bpc, bpm, (hib == "" ? "-" : r(pps["b", hib], pps["b", lo])), (su == "" ? "-" : su)
		if (hic != "" || hib != "")
			printf "bench: flat over 1..%s calls, stock_flat over 1..%s calls\n", num(hic), num(hib)
	}' $RES
}

# The bench line is there, with a number for each ratio whose columns ran.
line_ok() {
	_l=$(grep '^bench: flat=' $B_OUT/report) || return 1
	echo "$_l"
	_has() { grep -q " col=$1 " $RES; }
	if _has c; then
		echo "$_l" | grep -q ' flat=[0-9]' || return 1
		if _has a; then
			echo "$_l" | grep -q ' vs_untracked=[0-9]' || return 1
		fi
		if _has n; then
			echo "$_l" | grep -q ' vs_nat=[0-9]' || return 1
		fi
	fi
	return 0
}

bench_main() {
	mkdir -p $B_OUT
	: >$RES
	: >$B_OUT/log
	$MODPROBE nf_conntrack
	$MODPROBE nft_objref 2>/dev/null
	# Room for every conntrack entry (control connections and, in n, two
	# GRE entries per call), and a hash sized for them.
	echo 524288 >/proc/sys/net/netfilter/nf_conntrack_max
	echo 262144 >/proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null
	echo "bench: kernel $KVER, calls $B_NS, columns $B_COLS, layout $B_LAYOUT, Call IDs $B_IDS, one call per connection up to $B_ONE_MAX, $(nproc) cpu, $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB, nf_pptp_alg $B_ALG_PARAMS"
	# First allocations after boot (slab pages, code paths) go to a warm-up.
	[ -n "$B_QUICK" ] || bench_run a 100 warm
	B_RUNS=0
	for n in $B_NS; do
		for col in $B_COLS; do
			if [ "$(col_base "$col")" = b ] && ! has_module nf_nat_pptp; then
				echo "bench: $col-$n not run: no nf_nat_pptp in this kernel"
				continue
			fi
			case $col in
			b | b0 | *1 | *10)
				if [ "$n" -gt "$B_ONE_MAX" ]; then
					echo "bench: $col-$n not run: one call per connection stops at $B_ONE_MAX calls"
					continue
				fi
				;;
			esac
			B_RUNS=$((B_RUNS + 1))
			bench_run "$col" "$n" 2>&1 | tee -a $B_OUT/log
		done
	done
	unload nf_nat_pptp nf_conntrack_pptp
	load_alg
	check "$B_TAG-runs" runs_ok
	check "$B_TAG-echoes" echoes_ok
	check "$B_TAG-translated" translated_ok
	bench_report | tee $B_OUT/report
	hi=$(echo "$B_NS" | tr ' ' '\n' | sort -n | tail -n 1)
	slab_detail c n "$hi"
	slab_detail c1 n1 "$B_ONE_MAX"
	check "$B_TAG-line" line_ok
	# COL profiles the load phase, COL:setup the set-up (without probes:
	# a 0 column).
	for col in $B_PROFILE; do
		case $col in
		*:setup)
			bench_run "${col%:setup}0" "$B_PROFILE_N" setup >/dev/null 2>&1
			perf_print "${col%:setup}0-$B_PROFILE_N-setup" "the whole set-up of $B_PROFILE_N calls, no GRE"
			;;
		*)
			bench_run "$col" "$B_PROFILE_N" profile >/dev/null 2>&1
			perf_print "$col-$B_PROFILE_N-profile" "4 s of the GRE load phase"
			;;
		esac
	done
	dmesg_clean $B_TAG
}

# BENCH_LIB=1: only define the functions (for other guest scripts).
[ -n "$BENCH_LIB" ] || bench_main
