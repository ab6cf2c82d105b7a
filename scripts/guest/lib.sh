# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test scripts (busybox sh). Busybox prefers its own
# applets for ip and the module tools, so the real ones go by full path.
IP=/usr/sbin/ip
MODPROBE=/sbin/modprobe
RMMOD=/sbin/rmmod
LSMOD=/sbin/lsmod
MODINFO=/sbin/modinfo
KVER=$(uname -r)

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output.
check() {
	_name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		pass "$_name"
	else
		fail "$_name"
		sed 's/^/    | /' /tmp/check.out | head -n 30
	fi
}

# Expected taints: out-of-tree (O, 4096), unsigned module (E, 8192) and,
# on the debug kernel whose KUnit suites ran at boot, test (N, 262144).
dmesg_clean() {
	_bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|possible circular|inconsistent lock|kmemleak: [0-9]+ new|general protection|refcount_t:' | head -n 20)
	_taint=$(( $(cat /proc/sys/kernel/tainted) & ~274432 ))
	if [ -z "$_bad" ] && [ "$_taint" -eq 0 ]; then
		pass "dmesg-clean-$1"
	else
		fail "dmesg-clean-$1 (taint $_taint)"
		echo "$_bad" | sed 's/^/    | /'
		dmesg | tail -n 60 | sed 's/^/    | /'
	fi
}

# Load nf_pptp_alg with its dependencies unless it is built in.
load_alg() {
	[ -d /sys/module/nf_pptp_alg ] && return 0
	$MODPROBE nf_pptp_alg "$@"
}

has_module() {
	$MODINFO "$1" >/dev/null 2>&1
}

# ---- topology -------------------------------------------------------------
# gw: the NAT gateway. lan0 (bridge, 192.168.10.114/24) and wan0 (bridge,
# 10.10.10.1/24). Hosts hang off the bridges through veth pairs:
#   c1 192.168.10.115, c2 192.168.10.116, lansrv 192.168.10.50 (LAN)
#   srv 10.10.10.2, wc 10.10.10.3 (WAN)
RIG=/tmp/rig

nsx() {
	_n=$1
	shift
	$IP netns exec "$_n" "$@"
}

add_host() {
	_name=$1 _br=$2 _addr=$3 _gwaddr=$4
	$IP netns add "$_name"
	$IP -n gw link add "p-$_name" type veth peer name eth0 netns "$_name"
	$IP -n gw link set "p-$_name" master "$_br" up
	$IP -n "$_name" link set lo up
	$IP -n "$_name" addr add "$_addr/24" dev eth0
	$IP -n "$_name" link set eth0 up
	[ -n "$_gwaddr" ] && $IP -n "$_name" route add default via "$_gwaddr"
	return 0
}

topo_up() {
	$MODPROBE bridge 2>/dev/null
	$MODPROBE veth 2>/dev/null
	mkdir -p $RIG
	$IP netns add gw || return 1
	$IP -n gw link set lo up
	nsx gw sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
	for _b in lan0:192.168.10.114 wan0:10.10.10.1; do
		$IP -n gw link add "${_b%%:*}" type bridge
		$IP -n gw addr add "${_b#*:}/24" dev "${_b%%:*}"
		$IP -n gw link set "${_b%%:*}" up
	done
	add_host c1 lan0 192.168.10.115 192.168.10.114
	add_host c2 lan0 192.168.10.116 192.168.10.114
	add_host lansrv lan0 192.168.10.50 192.168.10.114
	add_host srv wan0 10.10.10.2 ""
	add_host wc wan0 10.10.10.3 ""
	# Bridges need a moment to forward (no STP, forward delay 0 by default
	# for bridges without STP); make sure both sides answer.
	nsx c1 ping -c 1 -W 5 192.168.10.114 >/dev/null 2>&1
	nsx srv ping -c 1 -W 5 10.10.10.1 >/dev/null 2>&1
	return 0
}

topo_down() {
	for _n in c1 c2 lansrv srv wc gw; do
		$IP netns del "$_n" 2>/dev/null
	done
	return 0
}

calls_file() {
	nsx gw cat /proc/net/nf_pptp_alg/calls
}

stat_of() {
	nsx gw awk -v k="$1" '$1 == k { print $2 }' /proc/net/nf_pptp_alg/stats
}

# calls_count: rows in the call table; fails (printing nothing) when the
# table cannot be read, so that no comparison mistakes that for 0 rows.
calls_count() {
	_cc=$(calls_file) || {
		echo "cannot read /proc/net/nf_pptp_alg/calls in gw" >&2
		return 1
	}
	printf '%s' "$_cc" | grep -c .
	return 0
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	_t=$1
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
		_t=$((_t - 1))
	done
	"$@"
}

# ---- real PPTP peers: pptpd and pptp-linux ---------------------------------
ppp_files() {
	mkdir -p $RIG /etc/ppp /var/run/pptp
	: >/etc/ppp/options
	cat >/etc/ppp/chap-secrets <<EOT
client1 pptpd secret1 *
client2 pptpd secret2 *
client3 pptpd secret3 *
EOT
	chmod 600 /etc/ppp/chap-secrets
	cat >$RIG/options.pptpd <<EOT
name pptpd
require-chap
refuse-pap
refuse-eap
refuse-mschap
refuse-mschap-v2
noccp
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
mtu 1400
mru 1400
lcp-echo-interval 0
EOT
	cat >$RIG/options.client <<EOT
noauth
refuse-pap
refuse-eap
refuse-mschap
refuse-mschap-v2
noccp
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
noipdefault
mtu 1400
mru 1400
lcp-echo-interval 0
EOT
}

# pptpd_start NS LISTEN_ADDR
pptpd_start() {
	cat >$RIG/pptpd-$1.conf <<EOT
option $RIG/options.pptpd
localip 172.16.0.1
remoteip 172.16.0.10-40
EOT
	nsx "$1" /usr/sbin/pptpd -c $RIG/pptpd-$1.conf -l "$2" -p $RIG/pptpd-$1.pid
	wait_for 10 nsx "$1" sh -c "netstat -ltn 2>/dev/null | grep -q ':1723 '"
}

# pptp_client NS USER SERVER BIND: bring a tunnel up (pppd updetach).
pptp_client() {
	nsx "$1" timeout 60 /usr/sbin/pppd pty \
		"/usr/sbin/pptp $3 --nolaunchpppd --localbind $4" \
		file $RIG/options.client name "$2" remotename pptpd \
		user "$2" ifname "ppp$2" updetach \
		logfile $RIG/pppd-$2.log
}

# Stop the client side first so it clears its calls (CCRQ/CDN, StopCCRQ).
client_down() {
	for _u in "$@"; do
		[ -f /var/run/ppp$_u.pid ] && kill "$(head -n 1 /var/run/ppp$_u.pid)" 2>/dev/null
	done
	sleep 2
	return 0
}

diag() {
	echo "    --- diag: calls"
	calls_file | sed 's/^/    | /'
	echo "    --- diag: stats (non-zero)"
	nsx gw cat /proc/net/nf_pptp_alg/stats | awk '$2 != 0' | sed 's/^/    | /'
	for _f in $RIG/pppd-*.log; do
		[ -f "$_f" ] && { echo "    --- $_f"; tail -n 15 "$_f" | sed 's/^/    | /'; }
	done
	nsx gw conntrack -L 2>/dev/null | head -n 20 | sed 's/^/    | /'
	dmesg | tail -n 10 | sed 's/^/    | /'
}

kill_ppp() {
	killall pppd pptp pptpd pptpctrl 2>/dev/null
	sleep 1
	killall -9 pppd pptp pptpd pptpctrl 2>/dev/null
	return 0
}

calls_is() {
	_ci=$(calls_count) || return 1
	[ "$_ci" -eq "$1" ]
}

# freed_only FILE PATH N: since stats_save FILE exactly N calls left the
# table, all of them by PATH (the calls_freed_PATH counter).
freed_only() {
	_fa=$(stat_delta "$1" calls_freed)
	_fp=$(stat_delta "$1" "calls_freed_$2")
	echo "since $1: calls_freed +$_fa, calls_freed_$2 +$_fp (want +$3 each)"
	[ "$_fa" -eq "$3" ] && [ "$_fp" -eq "$3" ]
}

# lingering OUT: the PNS writing OUT has answered its end phase and still
# holds its control connection open (pptp_peer pns --linger).
lingering() {
	grep -q '^PNS linger seconds=' "$1" && ! grep -q '^PNS linger end' "$1"
}

# stat_ge NAME N: counter NAME is at least N.
stat_ge() {
	[ "$(stat_of "$1")" -ge "$2" ]
}

# Every call's PNS ID differs between its two sides (PNS behind SNAT).
pns_ids_translated() {
	calls_file | awk '{
		split($0, f, "pns_id="); split(f[2], v, "[/ ]");
		if (v[1] == v[2]) bad = 1
	} END { exit bad || NR == 0 }'
}

# Distinct PNS IDs on the PAC's side across all calls.
pns_ids_distinct() {
	_n=$(calls_file | sed 's/.*pns_id=[0-9]*\/\([0-9]*\).*/\1/' | sort -u | grep -c .)
	[ "$_n" -eq "$(calls_count)" ]
}

ppp_modules() {
	for _m in ppp_generic ppp_async ppp_synctty slhc; do
		$MODPROBE $_m 2>/dev/null
	done
	return 0
}

# ---- fault tests (t_fault.sh) ------------------------------------------------
# ocheck NAME CMD...: like check, and on failure also print the outputs of
# the peers named in $OUTS and the gateway's state.
ocheck() {
	_ocn=$1
	shift
	if "$@" >/tmp/ocheck.out 2>&1; then
		pass "$_ocn"
		return 0
	fi
	fail "$_ocn"
	sed 's/^/    | /' /tmp/ocheck.out | head -n 40
	for _f in $OUTS; do
		echo "    --- $_f"
		tail -n 40 "$_f" | sed 's/^/    | /'
	done
	diag
	return 1
}

# calls_of ADDR: calls whose control connection was opened from ADDR.
calls_of() {
	calls_file | grep -c "^orig=$1:"
}

# stats_save FILE: keep the counters for stat_delta.
stats_save() {
	nsx gw cat /proc/net/nf_pptp_alg/stats >"$1"
}

# stat_delta FILE NAME...: how far the named counters moved together since
# stats_save FILE.
stat_delta() {
	_sf=$1
	shift
	_sd=0
	for _sk in "$@"; do
		_so=$(awk -v k="$_sk" '$1 == k { print $2 }' "$_sf")
		_sd=$((_sd + $(stat_of "$_sk") - ${_so:-0}))
	done
	echo "$_sd"
}

# Counters agree with the table: calls_live is the number of rows and equals
# calls_created - calls_freed. Only meaningful while no call comes or goes.
stats_consistent() {
	_live=$(stat_of calls_live)
	_rows=$(calls_count)
	_cr=$(stat_of calls_created)
	_fr=$(stat_of calls_freed)
	echo "calls_live=$_live rows=$_rows created=$_cr freed=$_fr"
	[ "$_live" -eq "$_rows" ] && [ $((_cr - _fr)) -eq "$_live" ]
}

# ---- isolation tests (t_isolation.sh) ----------------------------------------
TC=/usr/sbin/tc

# A third LAN client, c3 192.168.10.117, for the tests that need one; gone
# again with topo_down_c3 (before topo_down).
add_c3() {
	add_host c3 lan0 192.168.10.117 192.168.10.114 || return 1
	# A bridge takes the lowest MAC of its ports: a new port can change
	# lan0's address under the neighbour entries the LAN hosts hold.
	for _n in c1 c2 lansrv; do
		$IP -n $_n neigh flush all 2>/dev/null
	done
	for _n in c1 c2 c3; do
		nsx $_n ping -c 1 -W 5 192.168.10.114 >/dev/null 2>&1
	done
	return 0
}

topo_down_c3() {
	$IP netns del c3 2>/dev/null
	return 0
}

# pns_all_echoed FILE: every call in a pptp_peer pns output got all its echoes.
pns_all_echoed() {
	grep -q 'PNS summary' "$1" &&
	awk '/^PNS gre / { split($5, s, "="); split($6, r, "=");
		if (s[2] == 0 || s[2] != r[2]) bad = 1; n++ }
		END { exit bad || n == 0 }' "$1"
}

has_netem() {
	$MODPROBE sch_prio 2>/dev/null
	$MODPROBE sch_netem 2>/dev/null
	$MODPROBE cls_u32 2>/dev/null
	# Built in (the debug kernel) they do not show in /sys/module: try.
	$IP netns add nqtest 2>/dev/null || return 1
	nsx nqtest $TC qdisc add dev lo root handle 1: prio &&
	nsx nqtest $TC qdisc add dev lo parent 1:3 handle 30: netem delay 1ms &&
	nsx nqtest $TC filter add dev lo parent 1:0 protocol ip prio 1 \
		u32 match ip protocol 6 0xff flowid 1:3
	_r=$?
	$IP netns del nqtest
	return $_r
}

# netem_tcp NS DEV NETEM-ARGS...: TCP leaving DEV in NS goes through netem
# with NETEM-ARGS; everything else (GRE, ARP, ICMP) bypasses it, and so do
# SYNs (TCP flags at byte 33 with a 20-byte IP header), so that connect()
# never waits out SYN back-off: the data, ACKs and FINs take the hits.
netem_tcp() {
	_nn=$1 _nd=$2
	shift 2
	nsx "$_nn" $TC qdisc add dev "$_nd" root handle 1: prio &&
	nsx "$_nn" $TC qdisc add dev "$_nd" parent 1:3 handle 30: netem "$@" &&
	nsx "$_nn" $TC filter add dev "$_nd" parent 1:0 protocol ip prio 1 \
		u32 match ip protocol 6 0xff match u8 0x02 0x02 at 33 flowid 1:2 &&
	nsx "$_nn" $TC filter add dev "$_nd" parent 1:0 protocol ip prio 2 \
		u32 match ip protocol 6 0xff flowid 1:3
}

netem_off() {
	nsx "$1" $TC qdisc del dev "$2" root 2>/dev/null
	return 0
}

# netem_dropped NS DEV: packets the netem on DEV dropped (0 without one).
netem_dropped() {
	nsx "$1" $TC -s qdisc show dev "$2" | awk '
		/^qdisc netem/ { n = 1; next }
		/^qdisc/ { n = 0 }
		n && /dropped/ { sub(/.*dropped /, ""); sub(/,.*/, ""); d += $0 }
		END { print d + 0 }'
}

# tcp_order PCAP FILTER: "HOLES LATE" over the data segments of a capture
# taken where they arrive: HOLES start past the highest byte seen so far in
# their direction (a gap in front of them), LATE start below it
# (retransmitted or overtaken).
tcp_order() {
	tcpdump -n -S -r "$1" "$2" 2>/dev/null | awk '
	{ f = $3 " " $5 }
	/Flags \[S/ && match($0, / seq [0-9]+,/) {
		hi[f] = substr($0, RSTART + 5, RLENGTH - 6) + 1
		next
	}
	match($0, / seq [0-9]+:[0-9]+,/) {
		split(substr($0, RSTART + 5, RLENGTH - 6), s, ":")
		if (f in hi) {
			if (s[1] + 0 > hi[f])
				holes++
			else if (s[1] + 0 < hi[f])
				late++
		}
		if (!(f in hi) || s[2] + 0 > hi[f])
			hi[f] = s[2] + 0
	}
	END { print holes + 0, late + 0 }'
}

# ocrqs_with_id PCAP LO [HI]: OCRQs with a Call ID in LO..HI anywhere in the
# captured segments (also behind other messages in one segment).
ocrqs_with_id() {
	_pats=
	_id=$2
	while [ "$_id" -le "${3:-$2}" ]; do
		_pats="$_pats $(printf '00a800011a2b3c4d00070000%04x' "$_id")"
		_id=$((_id + 1))
	done
	tcpdump -n -x -r "$1" 2>/dev/null | awk -v pats="$_pats" '
	function count(s,    c, i, k, t) {
		c = 0
		for (k = 1; k <= np; k++) {
			t = s
			while ((i = index(t, pat[k])) > 0) {
				if (i % 2 == 1)
					c++
				t = substr(t, i + 1)
			}
		}
		return c
	}
	BEGIN { np = split(pats, pat, " ") }
	/^[^ \t]/ { n += count(h); h = ""; next }
	{ for (i = 2; i <= NF; i++) h = h $i }
	END { n += count(h); print n + 0 }'
}

# small_segs PCAP FILTER: TCP segments carrying 1..7 payload bytes.
small_segs() {
	_pl='(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2))'
	tcpdump -n -r "$1" "($2) and $_pl > 0 and $_pl < 8" 2>/dev/null | grep -c .
}
