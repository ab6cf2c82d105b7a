// SPDX-License-Identifier: GPL-2.0
/*
 * pptp_bench - closed-loop PPTP load generator for scripts/bench.sh
 *
 * Build: gcc -O2 -Wall -Wextra -static -Iinclude with scripts/pptp_codec.c
 * and src/pptp_msg.c (the initramfs links it static, like the scripted
 * peer, so it needs nothing in the guest).
 *
 * One process per role, each a single epoll loop. Both need CAP_NET_RAW
 * (a raw IPPROTO_GRE socket) and raise RLIMIT_NOFILE so thousands of
 * control connections fit. Only the control messages a call needs (SCCRQ,
 * SCCRP, OCRQ, OCRP, EchoRQ, EchoRP) and enhanced GRE; no PPP.
 *
 * PAC (server):
 *   pptp_bench pac [--listen ADDR] [--port PORT] [--call-id BASE]
 *                  [--time SECONDS]
 *
 *   Answers SCCRQ (SCCRP, result 1), EchoRQ (EchoRP) and each OCRQ with an
 *   OCRP (result 1) whose Call ID is a fresh PAC Call ID (BASE, BASE+1...,
 *   0 and live IDs skipped; default BASE 1) and whose Peer Call ID is the
 *   OCRQ's Call ID as received. A GRE v1 packet keyed with a live PAC Call
 *   ID is echoed, payload unchanged, to the control connection's peer
 *   address with the key set to the PNS Call ID learned from that OCRQ.
 *   A call lives until its control connection closes. Runs for --time
 *   seconds (default 900) or until SIGTERM/SIGINT. Output:
 *     PAC listening ADDR:PORT
 *     PAC summary conns=N calls=N echoed=N unknown=N
 *   (unknown: GRE for no live call, or not PPTP GRE).
 *
 * PNS (client):
 *   pptp_bench pns --server ADDR --calls N [--port PORT] [--bind ADDR]
 *                  [--call-id FIRST] [--id-order seq|spread]
 *                  [--port-base PORT]
 *                  [--multi-every E] [--multi-calls K]
 *                  [--concurrency C] [--probes P] [--setup-timeout S]
 *                  [--window W] [--warmup S] [--windows K] [--interval S]
 *                  [--payload BYTES] [--loss-ms MS] [--settle S]
 *                  [--slab-snap PREFIX]
 *
 *   Set-up: N calls over control connections; connection i (from 0)
 *   carries K calls when E > 0 and i % E == E - 1, else one (default: one
 *   call per connection). Up to C connections (default 64) are in set-up
 *   at once: connect, SCCRQ, SCCRP, then one OCRQ at a time, each after
 *   the previous OCRP. Call I has PNS Call ID FIRST + I (default FIRST 1;
 *   --id-order spread: FIRST + I with its two bytes swapped). With
 *   --port-base, connection K comes from local port PORT + K (the
 *   kernel's free-port search is slow with 50,000 ports in use).
 *   After its OCRP a call makes P GRE exchanges (default 2), each sent once
 *   the previous echo returned (retried after 1 s, 5 times at most), so
 *   conntrack's GRE entries of the stock helper see replies and leave the
 *   30 s unreplied time-out while set-up continues. A call is ready after
 *   its last exchange. The set-up rate is calls with OCRP result 1 per
 *   second from the first SCCRQ to the last OCRP. Bounded by
 *   --setup-timeout (default 600 s).
 *
 *   Memory: with --slab-snap, /proc/slabinfo is copied to PREFIX.before
 *   ahead of the first connection and to PREFIX.after once set-up ended and
 *   --settle seconds (default 1) passed; /proc/meminfo's Slab is printed.
 *   Each time every cache in /sys/kernel/slab is shrunk first, so that
 *   slabinfo's active objects are the objects in use (SLUB otherwise counts
 *   the free objects of per-CPU slabs as active).
 *
 *   GRE load: a closed loop over the ready calls, round robin: W packets
 *   in flight (default 32), sent to --server with the PAC Call ID from the
 *   OCRP as key; each echo (keyed with the call's PNS Call ID, payload
 *   naming the same call) is counted and replaced by a packet on the next
 *   call. Echoes per second are counted over K windows of S seconds
 *   (default 5 x 2 s) after a warm-up (default 2 s). When no echo came for
 *   --loss-ms (default 1000), the packets in flight count as lost and W
 *   new ones go out. --windows 0 skips the load phase. Payload: BYTES
 *   (default 32, at least 16) after the 12-byte GRE header.
 *
 *   Output (stdout):
 *     BENCH setup calls=N conns=C ok=N failed=N ready=N secs=T rate=R
 *                 total_secs=T probe_retries=N  (total: with the probes)
 *     BENCH mem slab_before_kb=N slab_after_kb=N shrink_failed=N
 *                                                         (--slab-snap)
 *     BENCH window idx=I secs=T echoes=N pps=R            (each window)
 *     BENCH gre calls=N window=W pps=MEDIAN min=R max=R sent=N recv=N
 *               lost=N bad=N conn_lost=N
 *     BENCH done secs=T                                   (since start)
 *   At the end every control connection is reset (SO_LINGER 0), so that no
 *   socket lingers in FIN_WAIT or TIME_WAIT after the run.
 *   Exit status 0 when every call got OCRP result 1 and became ready and
 *   (with a load phase) echoes came back; 1 otherwise; 2 on usage or
 *   socket errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pptp_codec.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24
#endif

#define PPTP_PORT		1723
#define PPTP_RX_MAX		512

#define BENCH_MAGIC		0x50424E43U
#define BENCH_BODY		16	/* magic, call index, kind, sequence */
#define KIND_LOAD		0xFF
#define PAYLOAD_MAX		1400
#define MAX_CALLS		65535
#define MAX_WINDOWS		100
#define PROBE_RETRY_S		1.0
#define PROBE_TRIES		5
#define EVENTS			256
#define GRE_BATCH		64	/* load phase: packets read per wake-up */

static sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: pptp_bench pac [--listen ADDR] [--port P] [--call-id BASE] [--time S]\n"
		"       pptp_bench pns --server ADDR --calls N [--port P] [--bind ADDR]\n"
		"              [--call-id FIRST] [--id-order seq|spread] [--port-base P]\n"
		"              [--multi-every E] [--multi-calls K]\n"
		"              [--concurrency C] [--probes P] [--setup-timeout S]\n"
		"              [--window W] [--warmup S] [--windows K] [--interval S]\n"
		"              [--payload BYTES] [--loss-ms MS] [--settle S]\n"
		"              [--slab-snap PREFIX]\n");
	exit(2);
}

static unsigned long num_arg(const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "bad number '%s' (%lu..%lu)\n", s, lo, hi);
		bad_usage();
	}
	return v;
}

static double secs_arg(const char *s, double lo, double hi)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "bad duration '%s' (%g..%g)\n", s, lo, hi);
		bad_usage();
	}
	return v;
}

static u32 addr_arg(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "bad IPv4 address '%s'\n", s);
		bad_usage();
	}
	return a.s_addr;
}

/* Thousands of sockets: lift the descriptor limit (root may pass it). */
static void raise_nofile(unsigned long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	if (!setrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit(RLIMIT_NOFILE)");
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int gre_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_GRE);
	int sz = 4 << 20;

	if (fd < 0)
		die("socket(SOCK_RAW, IPPROTO_GRE)");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static void ep_add(int ep, int fd, u32 events, u32 tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl(ADD)");
}

static void ep_mod(int ep, int fd, u32 events, u32 tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev))
		die("epoll_ctl(MOD)");
}

/* ---- PPTP control messages ---- */

static int msg_send(int fd, const u8 *b)
{
	ssize_t len = pptp_ctl_len(b);

	return send(fd, b, len, MSG_NOSIGNAL) == len ? 0 : -1;
}

static size_t msg_start(u8 *b, enum pptp_ctrl_type type)
{
	return pptp_ctl_start(b, type, 0, "pptp_bench", "nf_pptp_alg");
}

static int echo_reply(int fd, const u8 *rq)
{
	u8 b[PPTP_CTL_BUF];

	pptp_ctl_echo_reply(b, rq);
	return msg_send(fd, b);
}

/* The control connection's reassembler, with its buffer. */
struct rxbuf {
	struct pptp_rx rx;
	u8 b[PPTP_RX_MAX];
};

static void rx_init(struct rxbuf *rx)
{
	pptp_rx_init(&rx->rx, rx->b, sizeof(rx->b), PPTP_RX_MAX);
}

typedef int (*msg_fn)(void *ctx, const u8 *m, u16 len);

/*
 * Read what the socket holds and hand each complete control message to
 * @fn. Returns 0 while the connection is fine, -1 on EOF, a read error,
 * bad framing, or when @fn asks to drop the connection.
 */
static int rx_pump(int fd, struct rxbuf *rx, msg_fn fn, void *ctx)
{
	for (;;) {
		ssize_t n = pptp_rx_read(&rx->rx, fd);
		const u8 *m;
		int len;

		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		while ((len = pptp_rx_next(&rx->rx, &m)) > 0)
			if (fn(ctx, m, (u16)len))
				return -1;
		if (len < 0)
			return -1;
	}
}

/* ---- PAC ---- */

struct pac_call {
	u32 peer;	/* control connection peer, network order */
	u16 pns_id;	/* OCRQ Call ID as received */
	u16 next;	/* next call of the same connection, 0 = none */
	u8 live;
};

struct pac_conn {
	struct rxbuf rx;
	int fd;
	u32 peer;
	u16 first;	/* first call, 0 = none */
};

static struct {
	int ep;
	int lfd;
	int gfd;
	struct pac_conn **conns;	/* by descriptor */
	unsigned long nfds;
	struct pac_call *calls;		/* by PAC Call ID */
	u16 next_id;
	unsigned int live;
	u64 nconns;
	u64 ncalls;
	u64 echoed;
	u64 unknown;
} pac;

static u16 pac_alloc_id(void)
{
	unsigned int i;

	for (i = 0; i < 65536; i++) {
		u16 id = pac.next_id++;

		if (id && !pac.calls[id].live)
			return id;
	}
	return 0;
}

/* A message shorter than its type's fixed part drops the connection. */
static bool msg_short(const u8 *m, u16 len)
{
	return len < pptp_msg_length(pptp_ctl_type(m));
}

static int pac_msg(void *ctx, const u8 *m, u16 len)
{
	struct pac_conn *c = ctx;
	struct pac_call *call;
	u8 b[PPTP_CTL_BUF];
	u16 id;

	switch (pptp_ctl_type(m)) {
	case PPTP_START_CTRL_REQ:
		msg_start(b, PPTP_START_CTRL_REPLY);
		return msg_send(c->fd, b);
	case PPTP_ECHO_REQ:
		if (msg_short(m, len))
			return -1;
		return echo_reply(c->fd, m);
	case PPTP_OUT_CALL_REQ:
		if (msg_short(m, len))
			return -1;
		id = pac_alloc_id();
		pptp_ctl_init(b, PPTP_OUT_CALL_REPLY);
		pptp_set(b, PPTP_F_CALL_ID, id);
		pptp_set(b, PPTP_F_PEER_ID, pptp_get(m, PPTP_F_CALL_ID));
		/* connected / no resources */
		pptp_set(b, PPTP_F_RESULT, id ? PPTP_OCRP_CONNECTED : 4);
		pptp_set(b, PPTP_F_SPEED, 100000000);
		pptp_set(b, PPTP_F_WINDOW, 64);
		if (id) {
			call = &pac.calls[id];
			call->peer = c->peer;
			call->pns_id = pptp_get(m, PPTP_F_CALL_ID);
			call->next = c->first;
			call->live = 1;
			c->first = id;
			pac.live++;
			pac.ncalls++;
		}
		return msg_send(c->fd, b);
	default:
		return 0;
	}
}

static void pac_close(int fd)
{
	struct pac_conn *c = pac.conns[fd];
	u16 id;

	for (id = c->first; id; id = pac.calls[id].next) {
		pac.calls[id].live = 0;
		pac.live--;
	}
	pac.conns[fd] = NULL;
	close(fd);
	free(c);
}

static void pac_accept(void)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		struct pac_conn *c;
		int one = 1;
		int fd;

		fd = accept4(pac.lfd, (struct sockaddr *)&sa, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if ((unsigned long)fd >= pac.nfds || !c) {
			free(c);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->peer = sa.sin_addr.s_addr;
		rx_init(&c->rx);
		pac.conns[fd] = c;
		pac.nconns++;
		ep_add(pac.ep, fd, EPOLLIN, (u32)fd);
	}
}

static void pac_gre(void)
{
	u8 b[2048];

	for (;;) {
		struct sockaddr_in to = { .sin_family = AF_INET };
		ssize_t n = recv(pac.gfd, b, sizeof(b), 0);
		struct pac_call *call;
		struct pptp_gre_ip ip;

		if (n < 0)
			return;
		if (!pptp_gre_parse_ip(b, (size_t)n, &ip)) {
			pac.unknown++;
			continue;
		}
		call = &pac.calls[ip.gre.call_id];
		if (!call->live) {
			pac.unknown++;
			continue;
		}
		/* the packet goes back as it came, keyed for the PNS */
		pptp_gre_set_call_id(b + ip.off, call->pns_id);
		to.sin_addr.s_addr = call->peer;
		if (sendto(pac.gfd, b + ip.off, ip.len, 0,
			   (struct sockaddr *)&to,
			   sizeof(to)) == (ssize_t)ip.len)
			pac.echoed++;
	}
}

static int pac_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "call-id", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev[EVENTS];
	struct rlimit rl;
	double t_end;
	char abuf[INET_ADDRSTRLEN];
	int one = 1;
	int o;

	sa.sin_port = htons(PPTP_PORT);
	pac.next_id = 1;
	t_end = 900;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			sa.sin_addr.s_addr = addr_arg(optarg);
			break;
		case 'p':
			sa.sin_port = htons((u16)num_arg(optarg, 1, 65535));
			break;
		case 'c':
			pac.next_id = (u16)num_arg(optarg, 1, 65535);
			break;
		case 't':
			t_end = secs_arg(optarg, 0.1, 86400);
			break;
		default:
			bad_usage();
		}
	}
	signals();
	raise_nofile(262144);
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	pac.nfds = rl.rlim_cur;
	pac.conns = calloc(pac.nfds, sizeof(*pac.conns));
	pac.calls = calloc(65536, sizeof(*pac.calls));
	if (!pac.conns || !pac.calls)
		die("calloc");

	pac.ep = epoll_create1(EPOLL_CLOEXEC);
	if (pac.ep < 0)
		die("epoll_create1");
	pac.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pac.lfd < 0)
		die("socket");
	setsockopt(pac.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pac.lfd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	if (listen(pac.lfd, 4096))
		die("listen");
	pac.gfd = gre_socket();
	ep_add(pac.ep, pac.lfd, EPOLLIN, (u32)pac.lfd);
	ep_add(pac.ep, pac.gfd, EPOLLIN, (u32)pac.gfd);
	printf("PAC listening %s:%u\n",
	       inet_ntop(AF_INET, &sa.sin_addr, abuf, sizeof(abuf)),
	       ntohs(sa.sin_port));
	fflush(stdout);

	t_end += now_s();
	while (!stop_requested) {
		double left = t_end - now_s();
		int i, n;

		if (left <= 0)
			break;
		n = epoll_wait(pac.ep, ev, EVENTS, left > 1 ? 1000 : (int)(left * 1000) + 1);
		for (i = 0; i < n; i++) {
			int fd = (int)ev[i].data.u32;
			struct pac_conn *c;

			if (fd == pac.lfd) {
				pac_accept();
				continue;
			}
			if (fd == pac.gfd) {
				pac_gre();
				continue;
			}
			c = pac.conns[fd];
			if (c && rx_pump(fd, &c->rx, pac_msg, c))
				pac_close(fd);
		}
	}
	printf("PAC summary conns=%llu calls=%llu echoed=%llu unknown=%llu\n",
	       (unsigned long long)pac.nconns, (unsigned long long)pac.ncalls,
	       (unsigned long long)pac.echoed, (unsigned long long)pac.unknown);
	return 0;
}

/* ---- PNS ---- */

enum { C_IDLE, C_CONNECTING, C_START, C_CALLS, C_UP, C_FAILED };
enum { K_NONE, K_REQ, K_PROBE, K_READY, K_FAILED };

struct pns_conn {
	struct rxbuf rx;
	int fd;
	u32 first;	/* index of its first call */
	u16 ncalls;
	u16 next;	/* calls requested so far */
	u8 state;
};

struct pns_call {
	double t_sent;	/* last probe sent */
	u32 conn;
	u16 pns_id;
	u16 pac_id;
	u8 state;
	u8 probe;	/* exchange in flight, from 1 */
	u8 tries;
};

static struct {
	/* options */
	struct sockaddr_in server;
	u32 bind_addr;
	u32 port_base;
	u32 ncalls;
	u32 first_id;
	int spread;
	u32 multi_every;
	u32 multi_calls;
	u32 concurrency;
	u32 probes;
	u32 window;
	u32 nwindows;
	u32 payload;
	double setup_timeout;
	double warmup;
	double interval;
	double loss_s;
	double settle;
	const char *snap;
	/* state */
	int ep;
	int gfd;
	struct pns_conn *conns;
	u32 nconns;
	struct pns_call *calls;
	int by_id[65536];	/* PNS Call ID -> call index, -1 = none */
	u32 *ready;
	u32 nready;
	u32 next_conn;
	u32 active;		/* connections in set-up */
	u32 settled;		/* calls with an OCRP or given up */
	u32 ok;			/* OCRP result 1 */
	u32 probing;
	u32 gseq;
	double t_first;		/* first SCCRQ */
	double t_last;		/* last OCRP */
	/* load phase */
	int sending;
	int measuring;
	u32 inflight;
	u32 cursor;
	double t_last_rx;
	u64 win_count;
	u64 sent;
	u64 recv;
	u64 lost;
	u64 bad;
	u64 conn_lost;
	u64 retries;		/* probes sent again */
	u64 shrink_failed;	/* caches that refused to shrink */
	double t_start;
} pns;

/*
 * The payload of a bench packet: magic, call index, kind and the next
 * sequence number at offsets 0, 4, 8 and 12, zero padded.
 */
static int pns_gre_send(u32 idx, u32 kind)
{
	struct pns_call *call = &pns.calls[idx];
	u8 b[PPTP_GRE_HDR_MAX + PAYLOAD_MAX];
	struct pptp_gre g = {
		.call_id = call->pac_id,
		.payload_len = (u16)pns.payload,
		.has_seq = true,
		.seq = pns.gseq++,
	};
	size_t hlen = pptp_gre_hdr_len(&g), len;
	u8 *body = b + hlen;

	memset(body, 0, pns.payload);
	pptp_codec_put32(body, BENCH_MAGIC);
	pptp_codec_put32(body + 4, idx);
	pptp_codec_put32(body + 8, kind);
	pptp_codec_put32(body + 12, pns.gseq);
	len = pptp_gre_build(b, &g);
	return sendto(pns.gfd, b, len, 0, (struct sockaddr *)&pns.server,
		      sizeof(pns.server)) == (ssize_t)len ? 0 : -1;
}

static void pns_probe(u32 idx, double t)
{
	struct pns_call *call = &pns.calls[idx];

	call->t_sent = t;
	pns_gre_send(idx, call->probe);
}

static void pns_call_ready(u32 idx)
{
	pns.calls[idx].state = K_READY;
	pns.ready[pns.nready++] = idx;
}

static void pns_call_failed(struct pns_call *call)
{
	if (call->state == K_PROBE)
		pns.probing--;
	if (call->state == K_NONE || call->state == K_REQ)
		pns.settled++;
	call->state = K_FAILED;
}

static int pns_request(struct pns_conn *c)
{
	u32 idx = c->first + c->next++;
	struct pns_call *call = &pns.calls[idx];
	u8 b[PPTP_CTL_BUF];

	pptp_ctl_ocrq(b, call->pns_id, (u16)idx, "bench");
	call->state = K_REQ;
	return msg_send(c->fd, b);
}

static void pns_conn_fail(struct pns_conn *c)
{
	u32 i;

	if (c->state == C_FAILED)
		return;
	if (c->state == C_UP)
		pns.conn_lost++;
	else if (c->state != C_IDLE)
		pns.active--;
	for (i = 0; i < c->ncalls; i++) {
		struct pns_call *call = &pns.calls[c->first + i];

		if (call->state != K_READY)
			pns_call_failed(call);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = C_FAILED;
}

static int pns_msg(void *ctx, const u8 *m, u16 len)
{
	struct pns_conn *c = ctx;
	struct pns_call *call;
	int idx;

	switch (pptp_ctl_type(m)) {
	case PPTP_START_CTRL_REPLY:
		if (c->state != C_START || msg_short(m, len) ||
		    pptp_get(m, PPTP_F_RESULT) != 1)
			return -1;
		c->state = C_CALLS;
		return pns_request(c);
	case PPTP_ECHO_REQ:
		return msg_short(m, len) ? -1 : echo_reply(c->fd, m);
	case PPTP_OUT_CALL_REPLY:
		if (msg_short(m, len))
			return -1;
		idx = pns.by_id[pptp_get(m, PPTP_F_PEER_ID)];
		if (idx < 0 || pns.calls[idx].conn != (u32)(c - pns.conns) ||
		    pns.calls[idx].state != K_REQ) {
			pns.bad++;
			return 0;
		}
		call = &pns.calls[idx];
		pns.t_last = now_s();
		pns.settled++;
		if (pptp_get(m, PPTP_F_RESULT) != PPTP_OCRP_CONNECTED) {
			call->state = K_FAILED;
		} else {
			pns.ok++;
			call->pac_id = pptp_get(m, PPTP_F_CALL_ID);
			if (pns.probes) {
				call->state = K_PROBE;
				call->probe = 1;
				pns.probing++;
				pns_probe((u32)idx, pns.t_last);
			} else {
				pns_call_ready((u32)idx);
			}
		}
		if (c->next < c->ncalls)
			return pns_request(c);
		c->state = C_UP;
		pns.active--;
		return 0;
	default:
		return 0;
	}
}

static void pns_open(struct pns_conn *c)
{
	struct sockaddr_in la = { .sin_family = AF_INET };
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		pns_conn_fail(c);
		return;
	}
	c->fd = fd;
	c->state = C_CONNECTING;
	rx_init(&c->rx);
	pns.active++;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (pns.port_base) {
		/*
		 * Connection K from port BASE + K: the kernel's search for a
		 * free ephemeral port grows with the ports in use towards
		 * one server port, and makes 50,000 connections take minutes.
		 */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		la.sin_addr.s_addr = pns.bind_addr;
		la.sin_port = htons((u16)(pns.port_base + (c - pns.conns)));
		if (bind(fd, (struct sockaddr *)&la, sizeof(la))) {
			perror("bind");
			pns_conn_fail(c);
			return;
		}
	} else if (pns.bind_addr) {
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			   sizeof(one));
		la.sin_addr.s_addr = pns.bind_addr;
		if (bind(fd, (struct sockaddr *)&la, sizeof(la))) {
			perror("bind");
			pns_conn_fail(c);
			return;
		}
	}
	if (connect(fd, (struct sockaddr *)&pns.server, sizeof(pns.server)) &&
	    errno != EINPROGRESS) {
		perror("connect");
		pns_conn_fail(c);
		return;
	}
	ep_add(pns.ep, fd, EPOLLOUT, (u32)(c - pns.conns) + 1);
}

static void pns_conn_event(struct pns_conn *c, u32 events)
{
	if (c->state == C_FAILED)
		return;
	if (c->state == C_CONNECTING) {
		u8 b[PPTP_CTL_BUF];
		socklen_t sl = sizeof(int);
		int err = 0;

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) || err) {
			pns_conn_fail(c);
			return;
		}
		msg_start(b, PPTP_START_CTRL_REQ);
		if (!pns.t_first)
			pns.t_first = now_s();
		if (msg_send(c->fd, b)) {
			pns_conn_fail(c);
			return;
		}
		c->state = C_START;
		ep_mod(pns.ep, c->fd, EPOLLIN, (u32)(c - pns.conns) + 1);
		return;
	}
	if (events & EPOLLIN) {
		if (rx_pump(c->fd, &c->rx, pns_msg, c))
			pns_conn_fail(c);
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		pns_conn_fail(c);
	}
}

static void pns_fill(void)
{
	while (pns.sending && pns.inflight < pns.window) {
		u32 idx = pns.ready[pns.cursor];

		if (++pns.cursor == pns.nready)
			pns.cursor = 0;
		if (pns_gre_send(idx, KIND_LOAD))
			break;
		pns.inflight++;
		pns.sent++;
	}
}

static void pns_echo(u32 idx, u32 kind, double t)
{
	struct pns_call *call = &pns.calls[idx];

	if (kind == KIND_LOAD) {
		pns.recv++;
		if (pns.measuring)
			pns.win_count++;
		if (pns.inflight)
			pns.inflight--;
		pns.t_last_rx = t;
		pns_fill();
		return;
	}
	if (call->state != K_PROBE || kind != call->probe)
		return;		/* late echo of a retried probe */
	if (call->probe < pns.probes) {
		call->probe++;
		call->tries = 0;
		pns_probe(idx, t);
		return;
	}
	pns.probing--;
	pns_call_ready(idx);
}

/*
 * Drain the socket; in the load phase read at most GRE_BATCH packets: each
 * echo sends the next packet, which the peer may echo before this loop
 * sees an empty queue, and the window clock is only read between batches.
 */
static void pns_gre(void)
{
	u32 i, limit = pns.sending ? GRE_BATCH : ~0U;
	double t = now_s();
	u8 b[2048];

	for (i = 0; i < limit; i++) {
		ssize_t n = recv(pns.gfd, b, sizeof(b), 0);
		struct pptp_gre_ip ip;
		const u8 *p;
		int idx;

		if (n < 0)
			return;
		if (!pptp_gre_parse_ip(b, (size_t)n, &ip)) {
			pns.bad++;
			continue;
		}
		p = ip.gre.payload;
		idx = pns.by_id[ip.gre.call_id];
		if (ip.gre.payload_len < BENCH_BODY || idx < 0 ||
		    pptp_codec_get32(p) != BENCH_MAGIC ||
		    pptp_codec_get32(p + 4) != (u32)idx) {
			pns.bad++;
			continue;
		}
		pns_echo((u32)idx, pptp_codec_get32(p + 8), t);
	}
}

static void pns_wait(double secs)
{
	struct epoll_event ev[EVENTS];
	int ms = secs <= 0 ? 0 : (int)(secs * 1000) + 1;
	int i, n;

	n = epoll_wait(pns.ep, ev, EVENTS, ms);
	for (i = 0; i < n; i++) {
		u32 tag = ev[i].data.u32;

		if (!tag)
			pns_gre();
		else
			pns_conn_event(&pns.conns[tag - 1], ev[i].events);
	}
}

/* Resend probes whose echo is late; give up on a call after a few. */
static void pns_probe_retry(double t)
{
	u32 i;

	for (i = 0; i < pns.ncalls; i++) {
		struct pns_call *call = &pns.calls[i];

		if (call->state != K_PROBE || t - call->t_sent < PROBE_RETRY_S)
			continue;
		if (++call->tries > PROBE_TRIES) {
			pns_call_failed(call);
		} else {
			pns.retries++;
			pns_probe(i, t);
		}
	}
}

static unsigned long slab_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long kb = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lu", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Flush every SLUB cache's per-CPU slabs (and free empty slabs) so that
 * /proc/slabinfo counts as active only the objects really in use.
 */
static void slab_shrink_all(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.' || e->d_type == DT_LNK)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) != 1)
			pns.shrink_failed++;
		close(fd);
	}
	closedir(d);
}

static void copy_file(const char *from, const char *prefix, const char *suffix)
{
	char path[512];
	char buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(path, sizeof(path), "%s%s", prefix, suffix);
	in = fopen(from, "r");
	out = fopen(path, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

static void pns_setup(void)
{
	double t0 = now_s(), next_scan = t0;
	double deadline = t0 + pns.setup_timeout;

	while (!stop_requested) {
		double t = now_s();

		if (pns.settled >= pns.ncalls && !pns.probing)
			break;
		if (t > deadline) {
			fprintf(stderr, "pptp_bench: set-up timed out\n");
			break;
		}
		while (pns.active < pns.concurrency && pns.next_conn < pns.nconns)
			pns_open(&pns.conns[pns.next_conn++]);
		if (t >= next_scan) {
			pns_probe_retry(t);
			next_scan = t + 0.25;
		}
		pns_wait(0.1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The closed loop; returns the median echoes per second over the windows. */
static double pns_load(void)
{
	double pps[MAX_WINDOWS], sorted[MAX_WINDOWS];
	double t_meas, t_win = 0, med;
	u32 wi = 0;

	if (!pns.nwindows || !pns.nready)
		return 0;
	pns.sending = 1;
	pns.t_last_rx = now_s();
	t_meas = pns.t_last_rx + pns.warmup;
	pns_fill();
	while (!stop_requested && wi < pns.nwindows) {
		double t = now_s(), wait;

		if (!pns.measuring && t >= t_meas) {
			pns.measuring = 1;
			pns.win_count = 0;
			t_win = t;
		} else if (pns.measuring && t >= t_win + pns.interval) {
			pps[wi] = (double)pns.win_count / (t - t_win);
			printf("BENCH window idx=%u secs=%.3f echoes=%llu pps=%.1f\n",
			       wi, t - t_win, (unsigned long long)pns.win_count,
			       pps[wi]);
			wi++;
			pns.win_count = 0;
			t_win = t;
		}
		if (t - pns.t_last_rx > pns.loss_s) {
			pns.lost += pns.inflight;
			pns.inflight = 0;
			pns.t_last_rx = t;
			pns_fill();
		}
		wait = pns.measuring ? t_win + pns.interval - t : t_meas - t;
		pns_wait(wait > 0.05 ? 0.05 : wait);
	}
	pns.sending = 0;
	if (!wi)
		return 0;
	memcpy(sorted, pps, wi * sizeof(double));
	qsort(sorted, wi, sizeof(double), cmp_double);
	med = wi % 2 ? sorted[wi / 2] : (sorted[wi / 2 - 1] + sorted[wi / 2]) / 2;
	printf("BENCH gre calls=%u window=%u pps=%.1f min=%.1f max=%.1f ",
	       pns.nready, pns.window, med, sorted[0], sorted[wi - 1]);
	printf("sent=%llu recv=%llu lost=%llu bad=%llu conn_lost=%llu\n",
	       (unsigned long long)pns.sent, (unsigned long long)pns.recv,
	       (unsigned long long)pns.lost, (unsigned long long)pns.bad,
	       (unsigned long long)pns.conn_lost);
	return med;
}

/*
 * End every control connection with a reset (SO_LINGER 0): no FIN_WAIT or
 * TIME_WAIT sockets outlive the run and get freed during the next one.
 */
static void pns_reset_all(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	u32 i;

	for (i = 0; i < pns.nconns; i++) {
		struct pns_conn *c = &pns.conns[i];

		if (c->fd < 0)
			continue;
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->fd);
		c->fd = -1;
	}
}

/*
 * --id-order spread: the bytes of FIRST + I swapped, a one-to-one map of
 * 1..65535, so that the calls of one connection differ in their high
 * byte (each opens a block of its own at the gateway), as random IDs do.
 */
static u16 pns_call_id(u32 v)
{
	return pns.spread ? (u16)((v & 0xff) << 8 | (v >> 8 & 0xff)) : (u16)v;
}

/* Lay the calls out over connections; returns the number of connections. */
static u32 pns_layout(void)
{
	u32 i = 0, c = 0;

	while (i < pns.ncalls) {
		struct pns_conn *conn = &pns.conns[c];
		u32 k = 1, j;

		if (pns.multi_every && c % pns.multi_every == pns.multi_every - 1)
			k = pns.multi_calls;
		if (k > pns.ncalls - i)
			k = pns.ncalls - i;
		conn->fd = -1;
		conn->first = i;
		conn->ncalls = (u16)k;
		for (j = 0; j < k; j++, i++) {
			pns.calls[i].conn = c;
			pns.calls[i].pns_id = pns_call_id(pns.first_id + i);
			pns.by_id[pns.calls[i].pns_id] = (int)i;
		}
		c++;
	}
	return c;
}

static int pns_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "calls", required_argument, NULL, 'n' },
		{ "call-id", required_argument, NULL, 'c' },
		{ "id-order", required_argument, NULL, 'o' },
		{ "port-base", required_argument, NULL, 'B' },
		{ "multi-every", required_argument, NULL, 'e' },
		{ "multi-calls", required_argument, NULL, 'k' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "probes", required_argument, NULL, 'P' },
		{ "setup-timeout", required_argument, NULL, 'T' },
		{ "window", required_argument, NULL, 'w' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "windows", required_argument, NULL, 'K' },
		{ "interval", required_argument, NULL, 'i' },
		{ "payload", required_argument, NULL, 'L' },
		{ "loss-ms", required_argument, NULL, 'l' },
		{ "settle", required_argument, NULL, 'S' },
		{ "slab-snap", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long kb_before = 0, kb_after;
	double secs, rate, pps;
	int o, rc;

	pns.server.sin_family = AF_INET;
	pns.server.sin_port = htons(PPTP_PORT);
	pns.first_id = 1;
	pns.multi_calls = 1;
	pns.concurrency = 64;
	pns.probes = 2;
	pns.setup_timeout = 600;
	pns.window = 32;
	pns.warmup = 2;
	pns.nwindows = 5;
	pns.interval = 2;
	pns.payload = 32;
	pns.loss_s = 1;
	pns.settle = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			pns.server.sin_addr.s_addr = addr_arg(optarg);
			break;
		case 'p':
			pns.server.sin_port = htons((u16)num_arg(optarg, 1, 65535));
			break;
		case 'b':
			pns.bind_addr = addr_arg(optarg);
			break;
		case 'n':
			pns.ncalls = (u32)num_arg(optarg, 1, MAX_CALLS);
			break;
		case 'c':
			pns.first_id = (u32)num_arg(optarg, 1, 65535);
			break;
		case 'B':
			pns.port_base = (u32)num_arg(optarg, 1024, 65535);
			break;
		case 'o':
			if (!strcmp(optarg, "spread"))
				pns.spread = 1;
			else if (strcmp(optarg, "seq"))
				bad_usage();
			break;
		case 'e':
			pns.multi_every = (u32)num_arg(optarg, 0, MAX_CALLS);
			break;
		case 'k':
			pns.multi_calls = (u32)num_arg(optarg, 1, 64);
			break;
		case 'C':
			pns.concurrency = (u32)num_arg(optarg, 1, MAX_CALLS);
			break;
		case 'P':
			pns.probes = (u32)num_arg(optarg, 0, 10);
			break;
		case 'T':
			pns.setup_timeout = secs_arg(optarg, 1, 86400);
			break;
		case 'w':
			pns.window = (u32)num_arg(optarg, 1, 4096);
			break;
		case 'W':
			pns.warmup = secs_arg(optarg, 0, 3600);
			break;
		case 'K':
			pns.nwindows = (u32)num_arg(optarg, 0, MAX_WINDOWS);
			break;
		case 'i':
			pns.interval = secs_arg(optarg, 0.1, 3600);
			break;
		case 'L':
			pns.payload = (u32)num_arg(optarg, BENCH_BODY, PAYLOAD_MAX);
			break;
		case 'l':
			pns.loss_s = (double)num_arg(optarg, 10, 60000) / 1000;
			break;
		case 'S':
			pns.settle = secs_arg(optarg, 0, 3600);
			break;
		case 'm':
			pns.snap = optarg;
			break;
		default:
			bad_usage();
		}
	}
	if (!pns.server.sin_addr.s_addr || !pns.ncalls)
		bad_usage();
	if (pns.first_id + pns.ncalls - 1 > 65535) {
		fprintf(stderr, "--call-id + --calls must stay below 65536\n");
		bad_usage();
	}
	signals();
	memset(pns.by_id, 0xff, sizeof(pns.by_id));
	pns.conns = calloc(pns.ncalls, sizeof(*pns.conns));
	pns.calls = calloc(pns.ncalls, sizeof(*pns.calls));
	pns.ready = calloc(pns.ncalls, sizeof(*pns.ready));
	if (!pns.conns || !pns.calls || !pns.ready)
		die("calloc");
	pns.nconns = pns_layout();
	if (pns.port_base && pns.port_base + pns.nconns > 65536) {
		fprintf(stderr, "--port-base + connections must stay below 65536\n");
		bad_usage();
	}
	raise_nofile(pns.nconns + 64);
	pns.ep = epoll_create1(EPOLL_CLOEXEC);
	if (pns.ep < 0)
		die("epoll_create1");
	pns.gfd = gre_socket();
	ep_add(pns.ep, pns.gfd, EPOLLIN, 0);

	if (pns.snap) {
		slab_shrink_all();
		copy_file("/proc/slabinfo", pns.snap, ".before");
		kb_before = slab_kb();
	}
	pns.t_start = now_s();
	pns_setup();
	secs = pns.t_last > pns.t_first ? pns.t_last - pns.t_first : 0;
	rate = secs > 0 ? pns.ok / secs : 0;
	printf("BENCH setup calls=%u conns=%u ok=%u failed=%u ready=%u secs=%.3f rate=%.1f ",
	       pns.ncalls, pns.nconns, pns.ok, pns.ncalls - pns.nready,
	       pns.nready, secs, rate);
	printf("total_secs=%.3f probe_retries=%llu\n", now_s() - pns.t_start,
	       (unsigned long long)pns.retries);
	fflush(stdout);
	if (pns.snap) {
		double until = now_s() + pns.settle;

		while (now_s() < until)
			pns_wait(until - now_s());
		slab_shrink_all();
		kb_after = slab_kb();
		copy_file("/proc/slabinfo", pns.snap, ".after");
		printf("BENCH mem slab_before_kb=%lu slab_after_kb=%lu shrink_failed=%llu\n",
		       kb_before, kb_after,
		       (unsigned long long)pns.shrink_failed);
		fflush(stdout);
	}
	pps = pns_load();
	pns_reset_all();
	printf("BENCH done secs=%.3f\n", now_s() - pns.t_start);
	rc = pns.ok == pns.ncalls && pns.nready == pns.ncalls &&
	     (!pns.nwindows || pps > 0) ? 0 : 1;
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		bad_usage();
	if (!strcmp(argv[1], "pac"))
		return pac_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pns"))
		return pns_main(argc - 1, argv + 1);
	bad_usage();
	return 2;
}
