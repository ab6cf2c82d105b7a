// SPDX-License-Identifier: GPL-2.0
/*
 * pptp_peer - scripted PPTP (RFC 2637) peer for the nf_pptp_alg tests
 *
 * Build (static, for the busybox initramfs; scripts/initramfs.sh builds it):
 *   gcc -O2 -Wall -Wextra -static -Iinclude, linked with
 *   scripts/pptp_codec.c and src/pptp_msg.c
 * The message and GRE layouts are pptp_codec.h's.
 *
 * It speaks only the PPTP control protocol and enhanced GRE (no PPP), with
 * exactly the Call IDs, message grouping and timing a test asks for.
 * Both roles need CAP_NET_RAW for the raw IPPROTO_GRE socket.
 *
 * PAC (server) role:
 *   pptp_peer pac [--listen ADDR | --connect ADDR [--bind ADDR]]
 *                 [--port PORT] [--call-id BASE]
 *                 [--max-conns N] [--time SECONDS] [--exit-after-conns N]
 *                 [--refuse] [--write normal|each|split-random]
 *                 [--seed S] [--split-gap-ms MS] [--quiet] [--verbose]
 *
 *   --listen ADDR         address to listen on (default 0.0.0.0); a
 *                         specific address is also bound to the GRE socket
 *   --connect ADDR        instead of listening, open one control
 *                         connection to ADDR:PORT (a PNS run with
 *                         --listen) and serve it like an accepted one;
 *                         when it closes, print the summary and exit 0
 *   --bind ADDR           with --connect: local address of the control
 *                         connection, also bound to the GRE socket
 *   --port PORT           TCP port (default 1723)
 *   --call-id BASE        first PAC Call ID; +1 per call over all
 *                         connections, 0 and live IDs skipped (default 1280)
 *   --max-conns N         simultaneous control connections (default 64);
 *                         further ones wait in the listen backlog
 *   --time SECONDS        run time, 0 = until signalled (default 60)
 *   --refuse              answer every OCRQ with result 7 (do not accept)
 *   --silent              never answer an OCRQ (a server that hangs: the
 *                         PNS's calls stay waiting for their reply)
 *   --cdn-pns-id          CDN carries the PNS's Call ID (as received), not
 *                         the PAC's, as accel-ppp sends it
 *   --exit-after-conns N  also exit once N connections were accepted and
 *                         all of them are closed again (default 0 = off)
 *   --write MODE          how replies reach the socket:
 *     normal        one write() per reply, Nagle left on (default)
 *     each          TCP_NODELAY, one write() per reply: replies to
 *                   back-to-back requests leave as separate segments
 *     split-random  TCP_NODELAY; every reply written in pieces of 1..7
 *                   bytes (sizes drawn from --seed), at least
 *                   --split-gap-ms apart, so each piece is its own
 *                   segment; a piece always ends in the middle of each
 *                   Call ID field (offsets 13 and, in OCRP and ICRP, 15).
 *                   The PAC serves nothing else while it writes a reply.
 *   --seed S              seed of the split-random piece sizes (default 1)
 *   --split-gap-ms MS     gap between split-random pieces (default 10)
 *
 *   Answers SCCRQ (SCCRP, result 1), EchoRQ (EchoRP), OCRQ (OCRP, result 1,
 *   Peer Call ID = OCRQ Call ID as received), CCRQ (CDN with the PAC ID,
 *   result 3), StopCCRQ (clears the connection's calls, StopCCRP result 1).
 *   Incoming calls: when the SCCRQ's Host Name is "pptp_peer in=N" (N up
 *   to 64, as pns --incoming N writes it), the SCCRP is followed by N
 *   ICRQs, each with a fresh PAC Call ID (allocated like the OCRPs'). An
 *   ICRP with result 1 whose Peer Call ID names one of them makes the
 *   call: its PNS ID is the ICRP's Call ID as received, and the ICCN
 *   sent back carries exactly that ID. From then on it is served like an
 *   outgoing call (GRE, CCRQ, StopCCRQ, SLI).
 *   SLI: when its Peer Call ID is the PAC ID of a call on this connection,
 *   answered at once with an SLI and then a WEN, both naming that call by
 *   its PNS ID as received, so the answers leave in the order the SLIs
 *   came (each copy of a repeated SLI is answered); an SLI naming no such
 *   call (e.g. pns --bogus's) gets no answer.
 *   Every GRE v1 data packet keyed with a live PAC Call ID is echoed to its
 *   source address with the key set to that call's PNS ID; the S bit is
 *   mirrored (own sequence numbers per call), the payload is unchanged.
 *   SIGTERM/SIGINT end the run cleanly.  Output (stdout, line buffered):
 *     PAC listening ADDR:PORT
 *     PAC connected local=ADDR:PORT                  (--connect, instead)
 *     PAC conn conn=K from=ADDR:PORT                 (not with --quiet)
 *     PAC call conn=K pns_id=X pac_id=Y from=ADDR:PORT
 *     PAC call conn=K pns_id=X pac_id=Y from=ADDR:PORT dir=in
 *                                          (incoming, once its ICRP came)
 *     PAC sli conn=K pac_id=Y ok           (SLI for a call: SLI+WEN sent)
 *     PAC sli conn=K id=V unknown          (SLI for no call: no answer)
 *     PAC clear pac_id=Y echoed=N     (CCRQ, StopCCRQ, conn close or exit)
 *     PAC close conn=K reason=WHY                    (not with --quiet)
 *     PAC split pieces=N id_cuts=M                   (--write split-random)
 *     PAC summary calls=N echoed=M
 *   K counts connections from 1; calls=N counts both kinds.  Exit status
 *   0.
 *
 * PNS (client) role:
 *   pptp_peer pns --server ADDR [--port PORT] [--bind ADDR] [--calls N]
 *                 [--incoming N] [--call-id FIRST] [--same-id]
 *                 [--write normal|each|coalesce|coalesce-all|split|
 *                          split-random]
 *                 [--split-at K] [--split-gap-ms MS] [--seed S]
 *                 [--gre N] [--gre-interval-ms MS]
 *                 [--gre-timeout-ms MS] [--no-seq] [--hold SECONDS]
 *                 [--end ccrq|stop|close] [--linger SECONDS]
 *                 [--sli] [--gre-size BYTES] [--stall SECONDS]
 *                 [--dup] [--bogus] [--quiet] [--verbose]
 *
 *   pptp_peer pns --listen ADDR [...]   (the same options but --bind)
 *
 *   --server ADDR         PAC address; also the GRE peer
 *   --listen ADDR         instead of --server: listen on ADDR:PORT, accept
 *                         one control connection (within 60 s, else a
 *                         stall), close the listener and go on as if
 *                         connected: the SCCRQ is still ours, the GRE
 *                         peer is the connection's peer (a PAC run with
 *                         --connect, e.g. the PNS on a NAT's reply side)
 *   --port PORT           TCP port (default 1723)
 *   --bind ADDR           local source address of the control connection
 *                         (the GRE socket is always bound to the control
 *                         connection's local address)
 *   --calls N             outgoing calls on the connection, 0..256
 *                         (default 1; 0 only with --incoming)
 *   --incoming N          incoming calls, 0..64 (default 0): the SCCRQ's
 *                         Host Name "pptp_peer in=N" asks the PAC (pac
 *                         role) for N ICRQs after its SCCRP. Each is
 *                         answered with an ICRP (Call ID = our ID for the
 *                         call, Peer Call ID = the ICRQ's Call ID, result
 *                         1); the ICCN that follows must name the call by
 *                         our own ID, else a PNS error line and the call
 *                         fails. Incoming calls then take part in all
 *                         that outgoing calls do (GRE, --hold, --sli,
 *                         the end phase)
 *   --call-id FIRST       PNS Call ID of call 0; outgoing call I uses
 *                         FIRST+I, incoming call J FIRST+calls+J
 *                         (default 1)
 *   --same-id             every call uses FIRST
 *   --write MODE          how control messages reach the socket:
 *     normal        one write() per message, Nagle left on (default)
 *     each          TCP_NODELAY, one write() per message: the OCRQs (and
 *                   CCRQs) leave back to back as separate segments,
 *                   several in flight before any reply
 *     coalesce      TCP_NODELAY; SCCRQ alone, then all OCRQs in one write,
 *                   all SLIs in one write, all CCRQs in one write
 *     coalesce-all  like coalesce, but SCCRQ and all OCRQs share one write
 *                   (the OCRQs go out before the SCCRP arrived)
 *     split         TCP_NODELAY; every message written in pieces of
 *                   --split-at bytes, at least 50 ms (--split-gap-ms)
 *                   apart, so each piece is its own TCP segment
 *     split-random  like split, but pieces of 1..7 bytes drawn from
 *                   --seed, 10 ms (--split-gap-ms) apart, and a piece
 *                   always ends in the middle of each Call ID field
 *                   (offset 13 of OCRQ, CCRQ, SLI, ...)
 *                 One write of up to ~1400 bytes leaves as one segment
 *                 (SCCRQ 156 + 8 OCRQs of 168 fit); bigger writes are cut
 *                 at the MSS by TCP.
 *   --split-at K          piece size for --write split (default 7)
 *   --split-gap-ms MS     gap between pieces of split and split-random
 *   --seed S              seed of the split-random piece sizes (default 1)
 *   --gre N               GRE probes per connected call (default 3, 0 = no
 *                         GRE at all, not even during --hold)
 *   --gre-interval-ms MS  minimum gap between probes of a call (default 10)
 *   --gre-timeout-ms MS   give up waiting for a probe's echo (default 1000);
 *                         the next probe of a call is sent once the echo of
 *                         the previous one came or this timeout passed
 *   --no-seq              send GRE without the S bit (flags 0x2001 instead
 *                         of 0x3001)
 *   --hold-silent         send no GRE probes during --hold
 *   --hold-echo           send an EchoRQ every second during --hold (the
 *                         control connection stays busy, the GRE quiet)
 *   --hold SECONDS        then keep the connection open (answering EchoRQ)
 *                         and send one probe per call per second (default 0)
 *   --end MODE            ccrq:  CCRQ per call, wait for every CDN (default)
 *                         stop:  StopCCRQ, wait for StopCCRP
 *                         close: just close the socket
 *   --linger SECONDS      after --end ccrq or stop has its answers, keep
 *                         the control connection open (answering EchoRQ)
 *                         for SECONDS before closing it, so that what the
 *                         CDNs or Stop did is seen apart from the FIN
 *                         (default 0)
 *   --sli                 once the calls are up, send one SLI per connected
 *                         call (in idx order) naming its PAC ID, and wait
 *                         (as for other replies) for the PAC's SLI and WEN
 *                         answering each. The PAC answers each SLI with an
 *                         SLI and a WEN, in that order and in the order
 *                         the SLIs arrive, and TCP keeps order: so the
 *                         j-th SLI and the j-th WEN received (from 0) must
 *                         both name, by our own ID, the call whose SLI was
 *                         the j-th written (with --dup each call's SLI is
 *                         written twice, so each call is expected twice in
 *                         a row), and the j-th WEN must come after the j-th
 *                         SLI. Anything else is bad (below)
 *   --gre-size BYTES      GRE probe payload, zero-padded (default 20); the
 *                         kernel sends it with DF while the route's path
 *                         MTU allows (path-MTU tests)
 *   --stall SECONDS       give up (exit 2) when a wait for a control reply
 *                         makes no progress for this long (default 10)
 *   --dup                 write every control message twice in a row; the
 *                         PAC then makes two calls per OCRQ, and the
 *                         second OCRP and CDN of each are ignored (below)
 *   --bogus               before the OCRQs, send a CCRQ, an SLI and a WEN
 *                         naming call 0's PNS ID (no call has it yet);
 *                         once the calls are up, an OCRP and an ICRP with
 *                         Call ID = call 0's PNS ID and Peer Call ID = its
 *                         PAC ID: replies a PNS never sends for its own
 *                         outgoing call
 *
 *   GRE probes are sent to the PAC with key = the PAC Call ID from OCRP or
 *   ICRQ; the 20-byte payload carries a magic, a per-process token, the
 *   call index, the PNS ID, a probe number and the phase.  An echo counts
 *   for call I when it comes from the PAC, its key equals call I's PNS ID
 *   and the payload names call I with this process's token.
 *   Output (stdout, line buffered), idx counts from 0:
 *     PNS connected local=ADDR:PORT                  (not with --quiet)
 *     PNS refused result=R                           (OCRP naming Peer
 *                                                     Call ID 0: a NAT
 *                                                     helper refused it)
 *     PNS call idx=I pns_id=X pac_id=Y result=R      (one per call, after
 *                                                     all OCRPs; a missing
 *                                                     OCRP shows 0s)
 *     PNS call idx=I pns_id=X pac_id=Y result=R dir=in
 *                          (incoming calls, idx after the outgoing ones;
 *                           result 1 once the right ICCN came, else 0)
 *     PNS gre idx=I pns_id=X sent=S recv=R           (if --gre > 0)
 *     PNS hold idx=I pns_id=X sent=S recv=R          (if --hold and --gre
 *                                                     > 0; hold probes only)
 *     PNS cdn pac_id=Y                               (each CDN received)
 *     PNS cdn pns_id=X        (a CDN naming the call by its PNS ID instead)
 *     PNS stopccrp result=R                          (--end stop)
 *     PNS linger seconds=N          (--linger: end phase done, socket open)
 *     PNS linger end                (--linger: about to close the socket)
 *     PNS error ...                                  (protocol problems)
 *     PNS stall waiting=WHAT                         (then exit 2)
 *     PNS sli sent=S got_sli=A got_wen=B bad=C       (--sli)
 *     PNS split pieces=N id_cuts=M                   (split-random)
 *     PNS summary calls_ok=A calls=N gre_sent=S gre_recv=R
 *   gre_sent/gre_recv count all probes and echoes, hold included; calls=N
 *   counts both kinds.  sli: S SLIs written by --sli (twice per call with
 *   --dup; --bogus's early SLI is not counted), A SLIs and B WENs received
 *   that named the call their place in the sequence expects (see --sli),
 *   C SLIs and WENs that did not: naming another ID (even one of our
 *   other calls), a WEN ahead of its SLI, or one beyond the S-th of its
 *   type, whenever it comes before the summary.  Each bad one also prints
 *   "PNS error SLI|WEN #J peer_call_id=V ..." (J counts from 0 per type;
 *   without --sli S is 0, so any SLI or WEN gets only that line).
 *   An OCRP or CDN that matches no waiting call is reported with a PNS
 *   error line and otherwise ignored; it does not change the exit status.
 *   Exit status: 0 when every outgoing call got OCRP result 1, every
 *   incoming call its right ICCN, every call at least one echo (if --gre
 *   > 0), with --sli A == B == S and C == 0, and the control connection
 *   was not lost or refused before the end phase finished; 1 otherwise;
 *   2 on usage or setup errors (socket, connect) and stalls.
 *
 * Junk role (random bytes on a control connection):
 *   pptp_peer junk --server ADDR [--port PORT] [--bind ADDR] [--bytes N]
 *                  [--seed S] [--after-sccrq] [--quiet] [--verbose]
 *
 *   Connects (TCP_NODELAY); with --after-sccrq sends an SCCRQ and waits
 *   for the SCCRP first.  Then writes N (default 512) pseudo-random bytes
 *   drawn from seed S (default 1) in writes of random size, the first at
 *   least 12 bytes so that one segment carries a whole message header;
 *   half-closes, reads until the peer closes (at most 2 s) and closes.
 *   A peer that resets the connection ends the writing early; that is
 *   expected, not an error.  Output (stdout):
 *     JUNK connected local=ADDR:PORT                 (not with --quiet)
 *     JUNK sccrp result=R                            (--after-sccrq)
 *     JUNK sent=N writes=W reset=0|1
 *   Exit status 0; 2 on usage errors, connect failure or no SCCRP.
 *
 * GRE junk role:
 *   pptp_peer grejunk --dst ADDR [--bind ADDR] [--seconds S] [--seed S]
 *                     [--ids LO-HI]
 *
 *   Sends random GRE version 1 packets to ADDR through a raw socket as
 *   fast as it can for S seconds (default 5): keys from LO..HI (default
 *   1-65535), random S and A bits, 0..1500 payload bytes; mixed in are
 *   malformed ones: random flags, C or R set, K clear, routing bits, a
 *   protocol other than PPP, a Payload Length that lies, and headers cut
 *   short anywhere from 0 bytes to one byte before their end.
 *   Output (stdout):
 *     GREJUNK sent=N errors=E          (E: failed sendto calls)
 *     GREJUNK kinds wellformed=W malformed=M other=O
 *   W + M + O = N: each packet sent is classed by its bytes as
 *   nf_pptp_alg's GRE hook (src/gre.c) classes it, which reads only the
 *   first 8 bytes (flags, protocol, Payload Length, key):
 *     other      shorter than 8 bytes (a header cut there): the hook
 *                leaves it alone, counted nowhere.  (Not version 1 would
 *                be too, but every packet is version 1.)
 *     malformed  version 1 with K clear, C or R set, or a protocol other
 *                than PPP (0x880B): the hook counts gre_malformed.  These
 *                are the C, R, K-clear and protocol kinds, and the
 *                random-flags kind unless its flags happen to have K set
 *                and C and R clear (a random protocol that happens to be
 *                PPP is wellformed).
 *     wellformed the rest: the hook looks the key up with the addresses
 *                (gre_no_call unless a call has them, which translates
 *                it).  Besides the plain ones these are the kinds the hook
 *                does not check: the s and recursion bits set, a Payload
 *                Length that lies, and a header cut after the key (in the
 *                sequence or acknowledgment number).
 *   A packet over the path MTU (payloads near 1500) leaves as fragments;
 *   the classes hold where the hook sees it reassembled (conntrack's
 *   defragmentation, on in every namespace where conntrack runs), else it
 *   counts gre_fragment or nothing instead.
 *   Exit status 0; 2 on usage or setup errors or when nothing was sent.
 *
 * --verbose traces every control message and unmatched GRE packet to
 * stderr; --quiet turns that off and drops the optional lines above.
 * Do not run both roles in one namespace with overlapping Call IDs: the
 * raw sockets would then see each other's packets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pptp_codec.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define EXIT_PASS		0
#define EXIT_FAILED		1
#define EXIT_ERROR		2

#define PPTP_PORT		1723
#define PPTP_RX_MAX		1024	/* sanity bound for the Length field */
#define PPTP_RX_BUF		4096
#define GRE_MAX_PAYLOAD		1500

/* A PNS asks for N incoming calls with the SCCRQ Host Name "pptp_peer in=N" */
#define PNS_HOST_IN		"pptp_peer in="
#define PNS_MAX_IN		64

static bool opt_quiet;
static bool opt_verbose;

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void dbg(const char *fmt, ...)
{
	va_list ap;

	if (!opt_verbose || opt_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* optional stdout lines, dropped by --quiet */
static void note(const char *fmt, ...)
{
	va_list ap;

	if (opt_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void warnx(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pptp_peer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pptp_peer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		die(EXIT_ERROR, "bad %s '%s' (want %ld..%ld)", what, s, min, max);
	return v;
}

/* Index of @s in @names (@n entries); dies naming @what otherwise. */
static int parse_choice(const char *s, const char *const *names, int n,
			const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	die(EXIT_ERROR, "bad %s '%s'", what, s);
	return -1;
}

static u32 parse_addr(const char *s, const char *what)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die(EXIT_ERROR, "bad %s '%s' (want dotted IPv4)", what, s);
	return a.s_addr;
}

/* xorshift32: reproducible junk for a given --seed */
static u32 rnd_state;

static u32 rnd(void)
{
	u32 x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rnd_state = x;
	return x;
}

static void rnd_seed(u32 seed)
{
	int i;

	rnd_state = seed * 2654435761U ^ 0x9E3779B9U;
	if (!rnd_state)
		rnd_state = 1;
	for (i = 0; i < 16; i++)	/* spread small seeds */
		rnd();
}

/* @lo..@hi, both included; @hi - @lo < 0xffffffff */
static u32 rnd_range(u32 lo, u32 hi)
{
	return lo + rnd() % (hi - lo + 1);
}

/* @addr in network byte order; @buf at least INET_ADDRSTRLEN */
static const char *ip_str(u32 addr, char *buf)
{
	struct in_addr a = { .s_addr = addr };

	if (!inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN))
		snprintf(buf, INET_ADDRSTRLEN, "?");
	return buf;
}

static int write_all(int fd, const u8 *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static void set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die(EXIT_ERROR, "TCP_NODELAY: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* --write split-random: pieces of 1..7 bytes, cut inside the Call IDs */

#define SPLIT_MAX_PIECE		7
#define SPLIT_RANDOM_GAP_MS	10

struct split_stats {
	unsigned long pieces;	/* writes */
	unsigned long id_cuts;	/* piece boundaries inside a Call ID field */
};

/*
 * Offsets in a message of @type at which a piece must end: the middle of
 * each Call ID field the module reads (pptp_msg_ids()), in order.
 */
static int split_cuts(unsigned int type, unsigned int *cut)
{
	struct pptp_msg_ids ids;
	int i, n = 0;

	pptp_msg_ids(type, &ids);
	for (i = 0; i < 2; i++)
		if (ids.off[i])
			cut[n++] = ids.off[i] + 1;
	return n;
}

/*
 * Write @len bytes (whole control messages) in pieces of 1..7 bytes drawn
 * from the --seed generator, each at least @gap_ms after the previous one
 * (*@last_write), so that with TCP_NODELAY every piece is its own segment.
 * Every Call ID field is cut in the middle. Returns 0 or -1 (errno set).
 */
static int split_random_write(int fd, const u8 *m, size_t len,
			      long gap_ms, long long *last_write,
			      struct split_stats *st)
{
	unsigned int cut[2], mlen, pos, n;
	long long wait;
	int ncuts, ci;

	while (len) {
		mlen = len >= PPTP_HDR_LEN ? pptp_ctl_len(m) : 0;
		if (mlen < PPTP_HDR_LEN || mlen > len)
			mlen = len;	/* not a message: cut it anyway */
		ncuts = mlen >= PPTP_HDR_LEN ?
			split_cuts(pptp_ctl_type(m), cut) : 0;
		ci = 0;
		for (pos = 0; pos < mlen; pos += n) {
			n = rnd_range(1, SPLIT_MAX_PIECE);
			if (ci < ncuts && pos + n > cut[ci])
				n = cut[ci] - pos;
			if (n > mlen - pos)
				n = mlen - pos;
			wait = *last_write + gap_ms - now_ms();
			if (wait > 0)
				sleep_ms(wait);
			if (write_all(fd, m + pos, n) < 0)
				return -1;
			*last_write = now_ms();
			st->pieces++;
			if (ci < ncuts && pos + n == cut[ci]) {
				st->id_cuts++;
				ci++;
			}
		}
		m += mlen;
		len -= mlen;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* PPTP control messages and GRE (layouts: pptp_codec.h)               */

/* The SCCRQ a PNS opens with. */
static size_t sccrq_build(u8 *m, const char *host)
{
	return pptp_ctl_start(m, PPTP_START_CTRL_REQ, 0, host,
			      "nf_pptp_alg test");
}

/* Known messages must have their exact length; unknown types pass. */
static bool ctl_len_ok(const u8 *m, size_t len, const char *who)
{
	unsigned int type = pptp_ctl_type(m);
	u16 want = pptp_msg_length(type);

	if (!want || len == want)
		return true;
	warnx("%s: ignoring %s with length %zu (want %u)", who,
	      pptp_ctrl_name(type), len, want);
	return false;
}

/* An SLI naming @peer_id, the ACCMs all ones. */
static size_t sli_build(u8 *m, u16 peer_id)
{
	size_t len = pptp_ctl_init(m, PPTP_SET_LINK_INFO);

	pptp_set(m, PPTP_F_PEER_ID, peer_id);
	pptp_set(m, PPTP_F_SEND_ACCM, 0xffffffff);
	pptp_set(m, PPTP_F_RECV_ACCM, 0xffffffff);
	return len;
}

/* The reassembler of one control connection, with its buffer. */
struct stream {
	struct pptp_rx rx;
	u8 buf[PPTP_RX_BUF];
};

static void stream_init(struct stream *st)
{
	pptp_rx_init(&st->rx, st->buf, sizeof(st->buf), PPTP_RX_MAX);
}

static int gre_send(int fd, u32 daddr, u16 call_id, bool with_seq,
		    u32 seq, const u8 *payload, size_t plen)
{
	u8 pkt[PPTP_GRE_HDR_MAX + GRE_MAX_PAYLOAD];
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = daddr,
	};
	struct pptp_gre g = {
		.call_id = call_id,
		.payload_len = plen,
		.has_seq = with_seq,
		.seq = seq,
		.payload = payload,
	};
	size_t len;
	ssize_t n;

	if (plen > GRE_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	len = pptp_gre_build(pkt, &g);
	do {
		n = sendto(fd, pkt, len, 0, (struct sockaddr *)&sin,
			   sizeof(sin));
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

/* Raw GRE socket; receives every GRE packet (IP header included). */
static int gre_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	int sz = 1 << 20;

	if (fd < 0)
		die(EXIT_ERROR, "raw GRE socket: %s (needs CAP_NET_RAW)",
		    strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

/* Pin the source address of our GRE packets (and filter on it). */
static void gre_bind(int fd, u32 addr)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = addr,
	};
	char a[INET_ADDRSTRLEN];

	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die(EXIT_ERROR, "bind GRE socket to %s: %s", ip_str(addr, a),
		    strerror(errno));
}

static u8 rxbuf[65536];

/* ------------------------------------------------------------------ */
/* PAC                                                                 */

#define PAC_MAX_CONNS		256
#define PAC_MAX_CALLS		4096

enum pac_write { PAC_W_NORMAL, PAC_W_EACH, PAC_W_SPLIT_RANDOM };

static const char *const pac_write_names[] = {
	[PAC_W_NORMAL] = "normal",
	[PAC_W_EACH] = "each",
	[PAC_W_SPLIT_RANDOM] = "split-random",
};

struct pac_conn {
	int fd;			/* -1: slot free */
	unsigned int id;	/* K, counts connections from 1 */
	bool started;		/* SCCRQ answered (ICRQs sent) */
	struct sockaddr_in peer;
	struct stream rx;
};

struct pac_call {
	bool live;		/* slot in use (@pac_id taken) */
	bool incoming;		/* made by our ICRQ */
	bool wait_icrp;		/* incoming, PNS ID not known yet */
	int slot;		/* connection slot */
	unsigned long serial;	/* creation order */
	u16 pns_id;	/* as received in OCRQ or ICRP */
	u16 pac_id;
	u32 tx_seq;
	unsigned long echoed;
};

static struct {
	int lfd;
	int gfd;
	u32 laddr;		/* --listen or --bind address, or 0 */
	bool connect;		/* --connect: one connection we open */
	int max_conns;
	int nconns;
	unsigned int conn_seq;
	unsigned int exit_after;
	bool refuse;		/* answer every OCRQ with result 7 */
	bool silent;		/* answer no OCRQ at all */
	bool cdn_pns_id;	/* CDN carries the PNS's Call ID */
	int wmode;		/* PAC_W_* */
	long split_gap;		/* ms between split-random pieces */
	long long last_write;
	struct split_stats split;
	int top;		/* call slots ever used: 0..top-1 */
	u16 next_id;
	unsigned long serial;	/* calls created, pending ones included */
	unsigned long calls_total;
	unsigned long echoed_total;
	struct pac_conn conn[PAC_MAX_CONNS];
	struct pac_call call[PAC_MAX_CALLS];
} pac;

static atomic_int got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * The call that holds @pac_id; with @up only one whose PNS ID is known.
 * Runs for every GRE packet, so it only scans the slots ever used.
 */
static struct pac_call *pac_find(u16 pac_id, bool up)
{
	struct pac_call *c;
	int i;

	for (i = 0; i < pac.top; i++) {
		c = &pac.call[i];
		if (c->live && c->pac_id == pac_id && !(up && c->wait_icrp))
			return c;
	}
	return NULL;
}

static u16 pac_alloc_id(void)
{
	unsigned int tries;

	for (tries = 0; tries < 0x10000; tries++) {
		u16 id = pac.next_id++;

		if (id && !pac_find(id, false))
			return id;
	}
	return 0;
}

/* An incoming call the PNS never answered goes without a line. */
static void pac_clear(struct pac_call *c)
{
	if (!c->wait_icrp)
		printf("PAC clear pac_id=%u echoed=%lu\n", c->pac_id,
		       c->echoed);
	c->live = false;
}

/* A free call slot for @slot's connection with a fresh PAC ID, or NULL. */
static struct pac_call *pac_new_call(int slot)
{
	struct pac_call *c = NULL;
	u16 id;
	int i;

	for (i = 0; i < PAC_MAX_CALLS && !c; i++)
		if (!pac.call[i].live)
			c = &pac.call[i];
	if (!c)
		return NULL;
	id = pac_alloc_id();
	if (!id)
		return NULL;
	if (c - pac.call >= pac.top)
		pac.top = c - pac.call + 1;
	memset(c, 0, sizeof(*c));
	c->live = true;
	c->slot = slot;
	c->serial = pac.serial++;
	c->pac_id = id;
	return c;
}

static void pac_clear_conn(int slot)
{
	unsigned long best;
	int i, pick;

	/* in creation order, so the output is deterministic */
	for (;;) {
		pick = -1;
		best = 0;
		for (i = 0; i < PAC_MAX_CALLS; i++) {
			struct pac_call *c = &pac.call[i];

			if (c->live && c->slot == slot &&
			    (pick < 0 || c->serial < best)) {
				pick = i;
				best = c->serial;
			}
		}
		if (pick < 0)
			return;
		pac_clear(&pac.call[pick]);
	}
}

static void pac_close(int slot, const char *why)
{
	struct pac_conn *pc = &pac.conn[slot];

	pac_clear_conn(slot);
	close(pc->fd);
	pc->fd = -1;
	pac.nconns--;
	note("PAC close conn=%u reason=%s\n", pc->id, why);
}

static int pac_send(int slot, const u8 *m, size_t len)
{
	struct pac_conn *pc = &pac.conn[slot];

	int r;

	dbg("PAC conn=%u tx %s len=%zu\n", pc->id,
	    pptp_ctrl_name(pptp_ctl_type(m)), len);
	if (pac.wmode == PAC_W_SPLIT_RANDOM)
		r = split_random_write(pc->fd, m, len, pac.split_gap,
				       &pac.last_write, &pac.split);
	else
		r = write_all(pc->fd, m, len);
	if (r < 0) {
		warnx("PAC conn=%u: write: %s", pc->id, strerror(errno));
		return -1;
	}
	return 0;
}

static int pac_ocrq(int slot, const u8 *m)
{
	struct pac_conn *pc = &pac.conn[slot];
	u16 pns_id = pptp_get(m, PPTP_F_CALL_ID);
	char a[INET_ADDRSTRLEN];
	struct pac_call *c;
	u8 r[PPTP_CTL_BUF];
	size_t rlen;

	if (pac.silent) {
		printf("PAC silent pns_id=%u\n", pns_id);
		return 0;
	}
	rlen = pptp_ctl_init(r, PPTP_OUT_CALL_REPLY);
	pptp_set(r, PPTP_F_PEER_ID, pns_id);
	if (pac.refuse) {
		printf("PAC refuse pns_id=%u\n", pns_id);
		pptp_set(r, PPTP_F_RESULT, 7);		/* do not accept */
		return pac_send(slot, r, rlen);
	}
	c = pac_new_call(slot);
	if (!c) {
		warnx("PAC conn=%u: call table full, refusing OCRQ", pc->id);
		pptp_set(r, PPTP_F_RESULT, 2);		/* general error */
		return pac_send(slot, r, rlen);
	}
	c->pns_id = pns_id;
	pac.calls_total++;
	printf("PAC call conn=%u pns_id=%u pac_id=%u from=%s:%u\n", pc->id,
	       pns_id, c->pac_id, ip_str(pc->peer.sin_addr.s_addr, a),
	       ntohs(pc->peer.sin_port));

	pptp_set(r, PPTP_F_CALL_ID, c->pac_id);
	pptp_set(r, PPTP_F_RESULT, PPTP_OCRP_CONNECTED);
	pptp_set(r, PPTP_F_SPEED, 64000);
	pptp_set(r, PPTP_F_WINDOW, 64);
	return pac_send(slot, r, rlen);
}

/*
 * The number of incoming calls a PNS asks for in its SCCRQ's Host Name,
 * "pptp_peer in=N"; 0 for any other name.
 */
static unsigned int pac_incoming_wanted(const u8 *sccrq)
{
	static const char tag[] = PNS_HOST_IN;
	char host[64], *end;
	unsigned long n;

	pptp_get_str(sccrq, PPTP_F_HOST, host, sizeof(host));
	if (strncmp(host, tag, sizeof(tag) - 1))
		return 0;
	n = strtoul(host + sizeof(tag) - 1, &end, 10);
	if (*end || n > PNS_MAX_IN)
		return 0;
	return n;
}

/* ICRQ: a call to the PNS, whose PNS ID its ICRP will tell. */
static int pac_icrq(int slot)
{
	struct pac_call *c = pac_new_call(slot);
	u8 m[PPTP_CTL_BUF];
	size_t len;

	if (!c) {
		warnx("PAC conn=%u: call table full, no ICRQ",
		      pac.conn[slot].id);
		return 0;
	}
	c->incoming = true;
	c->wait_icrp = true;
	len = pptp_ctl_init(m, PPTP_IN_CALL_REQ);
	pptp_set(m, PPTP_F_CALL_ID, c->pac_id);
	pptp_set(m, PPTP_F_SERIAL, (u16)c->serial);
	pptp_set(m, PPTP_F_BEARER, 1);			/* analog */
	pptp_set(m, PPTP_F_DIALED_LEN, 4);
	pptp_set_str(m, PPTP_F_DIALED, "1723");
	return pac_send(slot, m, len);
}

/* ICRP: the PNS took an incoming call; ICCN echoes its ID as received. */
static int pac_icrp(int slot, const u8 *m)
{
	struct pac_conn *pc = &pac.conn[slot];
	u16 pac_id = pptp_get(m, PPTP_F_PEER_ID);
	struct pac_call *c = pac_find(pac_id, false);
	char a[INET_ADDRSTRLEN];
	u8 r[PPTP_CTL_BUF];
	size_t len;

	if (!c || c->slot != slot || !c->wait_icrp) {
		warnx("PAC conn=%u: ICRP for no waiting call %u", pc->id,
		      pac_id);
		return 0;
	}
	if (pptp_get(m, PPTP_F_RESULT) != PPTP_ICRP_CONNECT) {
		warnx("PAC conn=%u: ICRP result %u for call %u", pc->id,
		      pptp_get(m, PPTP_F_RESULT), pac_id);
		c->live = false;
		return 0;
	}
	c->pns_id = pptp_get(m, PPTP_F_CALL_ID);
	c->wait_icrp = false;
	pac.calls_total++;
	printf("PAC call conn=%u pns_id=%u pac_id=%u from=%s:%u dir=in\n",
	       pc->id, c->pns_id, pac_id, ip_str(pc->peer.sin_addr.s_addr, a),
	       ntohs(pc->peer.sin_port));

	len = pptp_ctl_init(r, PPTP_IN_CALL_CONNECTED);
	pptp_set(r, PPTP_F_PEER_ID, c->pns_id);
	pptp_set(r, PPTP_F_SPEED, 64000);
	pptp_set(r, PPTP_F_WINDOW, 64);
	pptp_set(r, PPTP_F_FRAMING, 1);			/* async */
	return pac_send(slot, r, len);
}

/*
 * SLI naming one of this connection's calls by its PAC ID: answered with
 * an SLI and a WEN naming it by its PNS ID. Others get no answer.
 */
static int pac_sli(int slot, const u8 *m)
{
	struct pac_conn *pc = &pac.conn[slot];
	u16 id = pptp_get(m, PPTP_F_PEER_ID);
	struct pac_call *c = pac_find(id, true);
	u8 r[PPTP_CTL_BUF];
	size_t len;

	if (!c || c->slot != slot) {
		printf("PAC sli conn=%u id=%u unknown\n", pc->id, id);
		return 0;
	}
	printf("PAC sli conn=%u pac_id=%u ok\n", pc->id, id);
	if (pac_send(slot, r, sli_build(r, c->pns_id)) < 0)
		return -1;
	len = pptp_ctl_init(r, PPTP_WAN_ERROR_NOTIFY);
	pptp_set(r, PPTP_F_PEER_ID, c->pns_id);
	return pac_send(slot, r, len);
}

static int pac_ccrq(int slot, const u8 *m)
{
	u16 pns_id = pptp_get(m, PPTP_F_CALL_ID);
	struct pac_call *c = NULL;
	u8 r[PPTP_CTL_BUF];
	size_t rlen;
	int i;

	/* with repeated PNS IDs on one connection, the oldest call goes */
	for (i = 0; i < PAC_MAX_CALLS; i++) {
		struct pac_call *t = &pac.call[i];

		if (t->live && !t->wait_icrp && t->slot == slot &&
		    t->pns_id == pns_id && (!c || t->serial < c->serial))
			c = t;
	}
	if (!c) {
		warnx("PAC conn=%u: CCRQ for unknown call %u", pac.conn[slot].id,
		      pns_id);
		return 0;
	}
	rlen = pptp_ctl_init(r, PPTP_CALL_DISCONNECT_NOTIFY);
	/* accel-ppp puts the PNS's ID where RFC 2637 has the PAC's */
	pptp_set(r, PPTP_F_CALL_ID, pac.cdn_pns_id ? c->pns_id : c->pac_id);
	pptp_set(r, PPTP_F_RESULT, 3);		/* disconnected on CCRQ */
	pptp_set_str(r, PPTP_F_STATS, "pptp_peer");
	pac_clear(c);
	return pac_send(slot, r, rlen);
}

static int pac_msg(int slot, const u8 *m, size_t len)
{
	unsigned int type = pptp_ctl_type(m), n;
	u8 r[PPTP_CTL_BUF];
	size_t rlen;

	dbg("PAC conn=%u rx %s len=%zu\n", pac.conn[slot].id,
	    pptp_ctrl_name(type), len);
	if (!ctl_len_ok(m, len, "PAC"))
		return 0;

	switch (type) {
	case PPTP_START_CTRL_REQ:
		rlen = pptp_ctl_start(r, PPTP_START_CTRL_REPLY, 64,
				      "pptp_peer-pac", "nf_pptp_alg test");
		if (pac_send(slot, r, rlen) < 0)
			return -1;
		/* incoming calls once per connection, not per SCCRQ copy */
		n = pac.conn[slot].started ? 0 : pac_incoming_wanted(m);
		pac.conn[slot].started = true;
		for (; n > 0; n--)
			if (pac_icrq(slot) < 0)
				return -1;
		return 0;
	case PPTP_ECHO_REQ:
		return pac_send(slot, r, pptp_ctl_echo_reply(r, m));
	case PPTP_OUT_CALL_REQ:
		return pac_ocrq(slot, m);
	case PPTP_CALL_CLEAR_REQ:
		return pac_ccrq(slot, m);
	case PPTP_IN_CALL_REPLY:
		return pac_icrp(slot, m);
	case PPTP_SET_LINK_INFO:
		return pac_sli(slot, m);
	case PPTP_STOP_CTRL_REQ:
		pac_clear_conn(slot);
		rlen = pptp_ctl_init(r, PPTP_STOP_CTRL_REPLY);
		pptp_set(r, PPTP_F_RESULT, 1);
		return pac_send(slot, r, rlen);
	default:
		return 0;	/* WEN, EchoRP, ...: nothing to answer */
	}
}

static void pac_read_conn(int slot)
{
	struct pac_conn *pc = &pac.conn[slot];
	const u8 *msg;
	ssize_t n;
	int len;

	n = pptp_rx_read(&pc->rx.rx, pc->fd);
	if (n == 0) {
		pac_close(slot, "eof");
		return;
	}
	if (n < 0) {
		pac_close(slot, strerror(errno));
		return;
	}
	while ((len = pptp_rx_next(&pc->rx.rx, &msg)) > 0) {
		if (pac_msg(slot, msg, len) < 0) {
			pac_close(slot, "write-error");
			return;
		}
	}
	if (len < 0) {
		warnx("PAC conn=%u: bad control framing", pc->id);
		pac_close(slot, "bad-framing");
	}
}

/* Serve the control connection @fd to @peer like every other. */
static void pac_add_conn(int fd, const struct sockaddr_in *peer)
{
	char a[INET_ADDRSTRLEN];
	struct pac_conn *pc;
	int slot;

	for (slot = 0; slot < PAC_MAX_CONNS; slot++)
		if (pac.conn[slot].fd < 0)
			break;
	if (slot == PAC_MAX_CONNS) {	/* cannot happen, see max_conns */
		close(fd);
		return;
	}
	pc = &pac.conn[slot];
	if (pac.wmode != PAC_W_NORMAL)
		set_nodelay(fd);
	pc->fd = fd;
	pc->id = ++pac.conn_seq;
	pc->peer = *peer;
	pc->started = false;
	stream_init(&pc->rx);
	pac.nconns++;
	note("PAC conn conn=%u from=%s:%u\n", pc->id,
	     ip_str(peer->sin_addr.s_addr, a), ntohs(peer->sin_port));
}

static void pac_accept(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd;

	fd = accept4(pac.lfd, (struct sockaddr *)&sin, &slen, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			warnx("accept: %s", strerror(errno));
		return;
	}
	pac_add_conn(fd, &sin);
}

/* --connect: open the one control connection the PAC serves. */
static void pac_connect(const char *server, unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET }, local;
	socklen_t slen = sizeof(local);
	char a[INET_ADDRSTRLEN];
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	if (pac.laddr) {
		sin.sin_addr.s_addr = pac.laddr;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die(EXIT_ERROR, "bind %s: %s", ip_str(pac.laddr, a),
			    strerror(errno));
	}
	sin.sin_addr.s_addr = parse_addr(server, "--connect");
	sin.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die(EXIT_ERROR, "connect %s:%u: %s", server, port,
		    strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&local, &slen) < 0)
		die(EXIT_ERROR, "getsockname: %s", strerror(errno));
	printf("PAC connected local=%s:%u\n",
	       ip_str(local.sin_addr.s_addr, a), ntohs(local.sin_port));
	pac_add_conn(fd, &sin);
}

static void pac_read_gre(void)
{
	char a[INET_ADDRSTRLEN];
	struct pptp_gre_ip ip;
	struct pac_call *c;
	ssize_t n;

	for (;;) {
		n = recv(pac.gfd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (!pptp_gre_parse_ip(rxbuf, n, &ip) || !ip.gre.payload_len)
			continue;
		if (pac.laddr && ip.daddr != pac.laddr)
			continue;
		c = pac_find(ip.gre.call_id, true);
		if (!c) {
			dbg("PAC gre from %s key %u: no such call\n",
			    ip_str(ip.saddr, a), ip.gre.call_id);
			continue;
		}
		if (gre_send(pac.gfd, ip.saddr, c->pns_id, ip.gre.has_seq,
			     c->tx_seq, ip.gre.payload,
			     ip.gre.payload_len) < 0) {
			warnx("PAC gre echo to %s: %s", ip_str(ip.saddr, a),
			      strerror(errno));
			continue;
		}
		c->tx_seq++;
		c->echoed++;
		pac.echoed_total++;
	}
}

static void pac_usage(FILE *f)
{
	fputs("usage: pptp_peer pac [--listen ADDR | --connect ADDR [--bind ADDR]]\n"
	      "                     [--port PORT] [--call-id BASE]\n"
	      "                     [--max-conns N] [--time SECONDS]\n"
	      "                     [--exit-after-conns N] [--refuse]\n"
	      "                     [--write normal|each|split-random] [--seed S]\n"
	      "                     [--split-gap-ms MS] [--quiet] [--verbose]\n",
	      f);
}

enum {
	OPT_LISTEN = 256, OPT_PORT, OPT_CALL_ID, OPT_MAX_CONNS, OPT_TIME,
	OPT_EXIT_AFTER, OPT_SERVER, OPT_BIND, OPT_CALLS, OPT_SAME_ID,
	OPT_WRITE, OPT_SPLIT_AT, OPT_GRE, OPT_GRE_INTERVAL, OPT_GRE_TIMEOUT,
	OPT_NO_SEQ, OPT_HOLD, OPT_END, OPT_SLI, OPT_STALL, OPT_REFUSE, OPT_SILENT,
	OPT_CDN_PNS_ID,
	OPT_HOLD_SILENT, OPT_HOLD_ECHO, OPT_DUP, OPT_BOGUS, OPT_BYTES, OPT_SEED,
	OPT_LINGER, OPT_GRE_SIZE,
	OPT_AFTER_SCCRQ, OPT_DST, OPT_SECONDS, OPT_IDS, OPT_SPLIT_GAP,
	OPT_CONNECT, OPT_INCOMING,
};

static int pac_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "connect", required_argument, NULL, OPT_CONNECT },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "call-id", required_argument, NULL, OPT_CALL_ID },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "exit-after-conns", required_argument, NULL, OPT_EXIT_AFTER },
		{ "refuse", no_argument, NULL, OPT_REFUSE },
		{ "silent", no_argument, NULL, OPT_SILENT },
		{ "cdn-pns-id", no_argument, NULL, OPT_CDN_PNS_ID },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "split-gap-ms", required_argument, NULL, OPT_SPLIT_GAP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pollfd pfd[PAC_MAX_CONNS + 2];
	int slot_of[PAC_MAX_CONNS + 2];
	const char *listen_str = NULL, *connect_str = NULL, *bind_str = NULL;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	long long deadline = 0;
	struct sigaction sa;
	char a[INET_ADDRSTRLEN];
	unsigned int port = PPTP_PORT;
	long run_time = 60;
	u32 seed = 1;
	int opt, one = 1, i, n, gre_idx, listen_idx;

	pac.max_conns = 64;
	pac.next_id = 1280;
	pac.split_gap = SPLIT_RANDOM_GAP_MS;
	while ((opt = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_LISTEN:
			listen_str = optarg;
			break;
		case OPT_CONNECT:
			connect_str = optarg;
			pac.connect = true;
			break;
		case OPT_BIND:
			bind_str = optarg;
			break;
		case OPT_PORT:
			port = parse_num(optarg, 1, 65535, "--port");
			break;
		case OPT_CALL_ID:
			pac.next_id = parse_num(optarg, 1, 65535, "--call-id");
			break;
		case OPT_MAX_CONNS:
			pac.max_conns = parse_num(optarg, 1, PAC_MAX_CONNS,
						  "--max-conns");
			break;
		case OPT_TIME:
			run_time = parse_num(optarg, 0, 86400, "--time");
			break;
		case OPT_EXIT_AFTER:
			pac.exit_after = parse_num(optarg, 0, 1000000,
						   "--exit-after-conns");
			break;
		case OPT_REFUSE:
			pac.refuse = true;
			break;
		case OPT_SILENT:
			pac.silent = true;
			break;
		case OPT_CDN_PNS_ID:
			pac.cdn_pns_id = true;
			break;
		case OPT_WRITE:
			pac.wmode = parse_choice(optarg, pac_write_names,
						 ARRAY_SIZE(pac_write_names),
						 "--write");
			break;
		case OPT_SEED:
			seed = parse_num(optarg, 0, 0x7fffffff, "--seed");
			break;
		case OPT_SPLIT_GAP:
			pac.split_gap = parse_num(optarg, 0, 10000,
						  "--split-gap-ms");
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			pac_usage(stdout);
			return EXIT_PASS;
		default:
			pac_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc || (connect_str && listen_str) ||
	    (bind_str && !connect_str)) {
		pac_usage(stderr);
		return EXIT_ERROR;
	}
	if (pac.connect)
		pac.laddr = bind_str ? parse_addr(bind_str, "--bind") : 0;
	else
		pac.laddr = parse_addr(listen_str ? listen_str : "0.0.0.0",
				       "--listen");
	rnd_seed(seed);
	for (i = 0; i < PAC_MAX_CONNS; i++)
		pac.conn[i].fd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	pac.gfd = gre_socket();
	if (pac.laddr)
		gre_bind(pac.gfd, pac.laddr);

	pac.lfd = -1;
	if (pac.connect) {
		pac_connect(connect_str, port);
	} else {
		pac.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (pac.lfd < 0)
			die(EXIT_ERROR, "socket: %s", strerror(errno));
		setsockopt(pac.lfd, SOL_SOCKET, SO_REUSEADDR, &one,
			   sizeof(one));
		sin.sin_addr.s_addr = pac.laddr;
		sin.sin_port = htons(port);
		if (bind(pac.lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die(EXIT_ERROR, "bind %s:%u: %s", ip_str(pac.laddr, a),
			    port, strerror(errno));
		if (listen(pac.lfd, 64) < 0)
			die(EXIT_ERROR, "listen: %s", strerror(errno));
		printf("PAC listening %s:%u\n", ip_str(pac.laddr, a), port);
	}

	if (run_time)
		deadline = now_ms() + run_time * 1000;
	while (!got_signal) {
		long long now = now_ms();
		int timeout = 500;

		if (deadline) {
			if (now >= deadline)
				break;
			if (deadline - now < timeout)
				timeout = deadline - now;
		}
		if (pac.exit_after && pac.conn_seq >= pac.exit_after &&
		    !pac.nconns)
			break;
		if (pac.connect && !pac.nconns)
			break;		/* the one connection is over */

		n = 0;
		listen_idx = -1;
		if (pac.lfd >= 0 && pac.nconns < pac.max_conns) {
			pfd[n].fd = pac.lfd;
			pfd[n].events = POLLIN;
			listen_idx = n++;
		}
		pfd[n].fd = pac.gfd;
		pfd[n].events = POLLIN;
		gre_idx = n++;
		for (i = 0; i < PAC_MAX_CONNS; i++) {
			if (pac.conn[i].fd < 0)
				continue;
			pfd[n].fd = pac.conn[i].fd;
			pfd[n].events = POLLIN;
			slot_of[n++] = i;
		}

		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die(EXIT_ERROR, "poll: %s", strerror(errno));
		}
		/* GRE first: echo what arrived before control changes */
		if (pfd[gre_idx].revents)
			pac_read_gre();
		for (i = gre_idx + 1; i < n; i++)
			if (pfd[i].revents)
				pac_read_conn(slot_of[i]);
		if (listen_idx >= 0 && pfd[listen_idx].revents)
			pac_accept();
	}

	for (i = 0; i < PAC_MAX_CONNS; i++)
		if (pac.conn[i].fd >= 0)
			pac_close(i, got_signal ? "signal" : "exit");
	if (pac.wmode == PAC_W_SPLIT_RANDOM)
		printf("PAC split pieces=%lu id_cuts=%lu\n", pac.split.pieces,
		       pac.split.id_cuts);
	printf("PAC summary calls=%lu echoed=%lu\n", pac.calls_total,
	       pac.echoed_total);
	return EXIT_PASS;
}

/* ------------------------------------------------------------------ */
/* PNS                                                                 */

#define PNS_MAX_CALLS		256
#define PNS_PL_MAGIC		0x504E5345U	/* "PNSE" */
#define PNS_PL_LEN		20
#define PNS_SPLIT_GAP_MS	50
#define PNS_ACCEPT_WAIT_MS	60000	/* --listen: wait for the PAC */

enum pns_write {
	W_NORMAL, W_COALESCE, W_COALESCE_ALL, W_SPLIT, W_EACH, W_SPLIT_RANDOM,
};

enum pns_end { END_CCRQ, END_STOP, END_CLOSE };

static const char *const pns_write_names[] = {
	[W_NORMAL] = "normal",
	[W_COALESCE] = "coalesce",
	[W_COALESCE_ALL] = "coalesce-all",
	[W_SPLIT] = "split",
	[W_EACH] = "each",
	[W_SPLIT_RANDOM] = "split-random",
};

static const char *const pns_end_names[] = {
	[END_CCRQ] = "ccrq",
	[END_STOP] = "stop",
	[END_CLOSE] = "close",
};

enum pns_phase { PH_NONE, PH_GRE, PH_HOLD };

struct pns_call {
	u16 pns_id;
	u16 pac_id;	/* from OCRP or ICRQ */
	bool incoming;	/* asked for by the PAC's ICRQ */
	bool have_ocrp;
	bool have_icrq;	/* answered with our ICRP */
	bool have_iccn;	/* ICCN came (result 1 if it named us right) */
	bool cdn;
	int result;
	int error;
	u32 gre_seq;	/* next GRE sequence number */
	u32 probe;		/* number of the last probe sent */
	bool awaiting;		/* echo of @probe outstanding */
	long long last_send;
	unsigned int tries;	/* probes attempted in the GRE phase */
	unsigned long sent;
	unsigned long recv;
	unsigned long hold_sent;
	unsigned long hold_recv;
};

static struct {
	/* options */
	u32 server;		/* PAC address, also the GRE peer */
	u32 bind_addr;
	u32 listen_addr;	/* --listen: the PAC connects to us */
	bool listen;
	unsigned int port;
	int ncalls;		/* outgoing calls: call[0..ncalls-1] */
	int nin;		/* incoming calls: the nin after them */
	int ntotal;
	unsigned int first_id;
	bool same_id;
	enum pns_write wmode;
	unsigned int split_at;
	long split_gap;		/* ms between pieces; -1: the mode's default */
	struct split_stats split;
	unsigned int gre;
	long gre_interval;
	long gre_timeout;
	long hold;
	bool hold_silent;	/* no GRE probes while holding */
	bool hold_echo;		/* EchoRQ once a second while holding */
	int refused;		/* OCRPs with Peer Call ID 0 */
	enum pns_end end;
	long linger;		/* seconds open after the end phase */
	bool sli;
	unsigned int gre_size;	/* probe payload bytes, padded */
	bool no_seq;
	long stall_ms;
	bool dup;		/* every control message twice */
	bool bogus;		/* messages naming calls wrongly */

	/* state */
	int cfd;
	int gfd;
	bool ctl_open;
	bool ctl_lost;		/* closed or refused before we were done */
	u32 local_addr;
	u32 token;
	struct stream rx;
	long long last_progress;
	long long last_write;
	bool got_sccrp;
	int sccrp_result;
	bool got_stopccrp;
	int stopccrp_result;
	enum pns_phase phase;
	bool send_warned;
	/*
	 * --sli: the PAC answers the SLIs in the order they arrive, so the
	 * j-th SLI and the j-th WEN received answer the j-th SLI written.
	 */
	unsigned long sli_sent;	/* SLIs written (both copies with --dup) */
	unsigned long rx_sli;	/* SLIs and WENs received, right or not */
	unsigned long rx_wen;
	unsigned long got_sli;	/* ... naming the call their place says */
	unsigned long got_wen;
	unsigned long bad_sli;	/* ... naming another, or one too many */
	unsigned long bad_wen;
	/* call index of the j-th SLI written */
	u16 sli_call[2 * (PNS_MAX_CALLS + PNS_MAX_IN)];
	bool iccn_bad;		/* an ICCN named the wrong call */
	size_t batch_len;
	u8 batch[2 * (PPTP_CTL_BUF +
		      (PNS_MAX_CALLS + PNS_MAX_IN) * PPTP_CTL_BUF)];
	struct pns_call call[PNS_MAX_CALLS + PNS_MAX_IN];
} pns;

static void pns_progress(void)
{
	pns.last_progress = now_ms();
}

static bool pns_connected(const struct pns_call *c)
{
	return (c->incoming ? c->have_iccn : c->have_ocrp) && c->result == 1;
}

static void pns_ctl_lost(const char *why)
{
	if (!pns.ctl_open)
		return;
	printf("PNS error control connection lost: %s\n", why);
	close(pns.cfd);
	pns.cfd = -1;
	pns.ctl_open = false;
	pns.ctl_lost = true;
}

/* Put @len bytes on the control connection according to --write. */
static int pns_ctl_write(const u8 *m, size_t len)
{
	size_t off, chunk;
	long long wait;

	if (!pns.ctl_open)
		return -1;
	if (pns.wmode == W_SPLIT_RANDOM) {
		if (split_random_write(pns.cfd, m, len, pns.split_gap,
				       &pns.last_write, &pns.split) < 0)
			goto fail;
		pns_progress();
		return 0;
	}
	if (pns.wmode != W_SPLIT) {
		if (write_all(pns.cfd, m, len) < 0)
			goto fail;
		pns_progress();
		return 0;
	}
	for (off = 0; off < len; off += chunk) {
		chunk = len - off < pns.split_at ? len - off : pns.split_at;
		wait = pns.last_write + pns.split_gap - now_ms();
		if (wait > 0)
			sleep_ms(wait);
		if (write_all(pns.cfd, m + off, chunk) < 0)
			goto fail;
		pns.last_write = now_ms();
	}
	pns_progress();
	return 0;
fail:
	pns_ctl_lost(strerror(errno));
	return -1;
}

/*
 * Queue a message: coalescing modes collect, the others write at once.
 * With --dup the message goes out twice in a row.
 */
static void pns_queue(const u8 *m, size_t len)
{
	int n;

	dbg("PNS tx %s len=%zu%s\n", pptp_ctrl_name(pptp_ctl_type(m)), len,
	    pns.dup ? " twice" : "");
	for (n = pns.dup ? 2 : 1; n > 0; n--) {
		if (pns.wmode == W_COALESCE || pns.wmode == W_COALESCE_ALL) {
			memcpy(pns.batch + pns.batch_len, m, len);
			pns.batch_len += len;
		} else if (pns_ctl_write(m, len) < 0) {
			return;
		}
	}
}

/* An answer to the PAC: written at once, twice with --dup. */
static void pns_reply(const u8 *m, size_t len)
{
	dbg("PNS tx %s len=%zu%s\n", pptp_ctrl_name(pptp_ctl_type(m)), len,
	    pns.dup ? " twice" : "");
	if (pns_ctl_write(m, len) == 0 && pns.dup)
		pns_ctl_write(m, len);
}

static void pns_flush(void)
{
	if (pns.batch_len)
		pns_ctl_write(pns.batch, pns.batch_len);
	pns.batch_len = 0;
}

/* With --incoming N the Host Name asks the PAC for N incoming calls. */
static void pns_queue_sccrq(void)
{
	char host[64] = "pptp_peer-pns";
	u8 m[PPTP_CTL_BUF];

	if (pns.nin)
		snprintf(host, sizeof(host), PNS_HOST_IN "%d", pns.nin);
	pns_queue(m, sccrq_build(m, host));
}

/* --bogus, before the OCRQs: call messages for an ID no call has yet */
static void pns_queue_bogus_early(void)
{
	u16 id = pns.call[0].pns_id;
	u8 m[PPTP_CTL_BUF];
	size_t len;

	len = pptp_ctl_init(m, PPTP_CALL_CLEAR_REQ);
	pptp_set(m, PPTP_F_CALL_ID, id);
	pns_queue(m, len);
	len = sli_build(m, id);
	pns_queue(m, len);
	len = pptp_ctl_init(m, PPTP_WAN_ERROR_NOTIFY);
	pptp_set(m, PPTP_F_PEER_ID, id);
	pns_queue(m, len);
}

/* --bogus, calls up: replies to its own call that a PNS never sends */
static void pns_queue_bogus_late(void)
{
	static const enum pptp_ctrl_type types[] = {
		PPTP_OUT_CALL_REPLY, PPTP_IN_CALL_REPLY,
	};
	struct pns_call *c = &pns.call[0];
	u8 m[PPTP_CTL_BUF];
	size_t len, i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		len = pptp_ctl_init(m, types[i]);
		pptp_set(m, PPTP_F_CALL_ID, c->pns_id);
		pptp_set(m, PPTP_F_PEER_ID, c->pac_id);
		pptp_set(m, PPTP_F_RESULT, 1);		/* connected */
		pns_queue(m, len);
	}
	pns_flush();
}

static void pns_queue_ocrqs(void)
{
	u8 m[PPTP_CTL_BUF];
	size_t len;
	int i;

	if (pns.bogus)
		pns_queue_bogus_early();
	for (i = 0; i < pns.ncalls; i++) {
		len = pptp_ctl_ocrq(m, pns.call[i].pns_id, (u16)(i + 1),
				    "1723");
		pns_queue(m, len);
	}
}

/* ICRQ: the next incoming call takes it; our ICRP names both IDs. */
static void pns_icrq(const u8 *m)
{
	u16 pac_id = pptp_get(m, PPTP_F_CALL_ID);
	struct pns_call *c = NULL;
	u8 r[PPTP_CTL_BUF];
	size_t len;
	int i;

	for (i = pns.ncalls; i < pns.ntotal && !c; i++)
		if (!pns.call[i].have_icrq)
			c = &pns.call[i];
	if (!c) {
		printf("PNS error unexpected ICRQ call_id=%u\n", pac_id);
		return;
	}
	c->have_icrq = true;
	c->pac_id = pac_id;
	len = pptp_ctl_init(r, PPTP_IN_CALL_REPLY);
	pptp_set(r, PPTP_F_CALL_ID, c->pns_id);
	pptp_set(r, PPTP_F_PEER_ID, pac_id);
	pptp_set(r, PPTP_F_RESULT, PPTP_ICRP_CONNECT);
	pptp_set(r, PPTP_F_WINDOW, 64);
	pns_reply(r, len);
}

/*
 * ICCN: the PAC answers our ICRPs in order, so it is the oldest answered
 * call's; it must name that call by our own ID.
 */
static void pns_iccn(const u8 *m)
{
	u16 id = pptp_get(m, PPTP_F_PEER_ID);
	struct pns_call *c = NULL;
	int i;

	for (i = pns.ncalls; i < pns.ntotal && !c; i++)
		if (pns.call[i].have_icrq && !pns.call[i].have_iccn)
			c = &pns.call[i];
	if (!c) {
		printf("PNS error unexpected ICCN peer_call_id=%u\n", id);
		pns.iccn_bad = true;
		return;
	}
	c->have_iccn = true;
	if (id != c->pns_id) {
		printf("PNS error ICCN idx=%d peer_call_id=%u want=%u\n",
		       (int)(c - pns.call), id, c->pns_id);
		return;
	}
	c->result = PPTP_ICRP_CONNECT;
}

/*
 * The j-th SLI and the j-th WEN from the PAC answer the j-th SLI we wrote
 * (TCP keeps the order, the PAC answers in it): both must name that SLI's
 * call by our own ID, and the WEN must follow its SLI. Whatever else
 * comes, or comes once all are answered, is bad.
 */
static void pns_sli_wen(const u8 *m)
{
	bool sli = pptp_ctl_type(m) == PPTP_SET_LINK_INFO;
	const char *what = sli ? "SLI" : "WEN";
	u16 id = pptp_get(m, PPTP_F_PEER_ID);
	unsigned long j = sli ? pns.rx_sli++ : pns.rx_wen++;
	const struct pns_call *c;
	bool ok = false;

	if (j >= pns.sli_sent) {
		printf("PNS error %s #%lu peer_call_id=%u answers no SLI (%lu sent)\n",
		       what, j, id, pns.sli_sent);
	} else {
		c = &pns.call[pns.sli_call[j]];
		if (id != c->pns_id)
			printf("PNS error %s #%lu peer_call_id=%u want=%u idx=%u\n",
			       what, j, id, c->pns_id, pns.sli_call[j]);
		else if (!sli && j >= pns.rx_sli)
			printf("PNS error WEN #%lu peer_call_id=%u before its SLI\n",
			       j, id);
		else
			ok = true;
	}
	if (sli && ok)
		pns.got_sli++;
	else if (sli)
		pns.bad_sli++;
	else if (ok)
		pns.got_wen++;
	else
		pns.bad_wen++;
}

static void pns_msg(const u8 *m, size_t len)
{
	unsigned int type = pptp_ctl_type(m);
	u8 r[PPTP_CTL_BUF];
	struct pns_call *c;
	u16 id;
	size_t rlen;
	int i;

	dbg("PNS rx %s len=%zu\n", pptp_ctrl_name(type), len);
	if (!ctl_len_ok(m, len, "PNS"))
		return;
	pns_progress();

	switch (type) {
	case PPTP_START_CTRL_REPLY:
		pns.got_sccrp = true;
		pns.sccrp_result = pptp_get(m, PPTP_F_RESULT);
		break;
	case PPTP_OUT_CALL_REPLY:
		/* first call still waiting with this ID (--same-id: in order) */
		id = pptp_get(m, PPTP_F_PEER_ID);
		c = NULL;
		for (i = 0; i < pns.ncalls && !c; i++)
			if (!pns.call[i].have_ocrp && pns.call[i].pns_id == id)
				c = &pns.call[i];
		if (!c && id == 0) {
			/* A NAT helper refused to track the call. */
			printf("PNS refused result=%u\n",
			       pptp_get(m, PPTP_F_RESULT));
			pns.refused++;
			break;
		}
		if (!c) {
			printf("PNS error unexpected OCRP peer_call_id=%u\n", id);
			break;
		}
		c->have_ocrp = true;
		c->pac_id = pptp_get(m, PPTP_F_CALL_ID);
		c->result = pptp_get(m, PPTP_F_RESULT);
		c->error = pptp_get(m, PPTP_F_ERROR);
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		id = pptp_get(m, PPTP_F_CALL_ID);
		c = NULL;
		for (i = 0; i < pns.ntotal && !c; i++)
			if (pns_connected(&pns.call[i]) && !pns.call[i].cdn &&
			    pns.call[i].pac_id == id)
				c = &pns.call[i];
		for (i = 0; i < pns.ntotal && !c; i++)
			if (pns_connected(&pns.call[i]) && !pns.call[i].cdn &&
			    pns.call[i].pns_id == id)
				c = &pns.call[i];
		if (!c) {
			printf("PNS error unexpected CDN call_id=%u\n", id);
			break;
		}
		c->cdn = true;
		if (c->pac_id == id)
			printf("PNS cdn pac_id=%u\n", id);
		else
			printf("PNS cdn pns_id=%u\n", id);
		break;
	case PPTP_IN_CALL_REQ:
		pns_icrq(m);
		break;
	case PPTP_IN_CALL_CONNECTED:
		pns_iccn(m);
		break;
	case PPTP_SET_LINK_INFO:
	case PPTP_WAN_ERROR_NOTIFY:
		pns_sli_wen(m);
		break;
	case PPTP_ECHO_REQ:
		pns_reply(r, pptp_ctl_echo_reply(r, m));
		break;
	case PPTP_STOP_CTRL_REPLY:
		pns.got_stopccrp = true;
		pns.stopccrp_result = pptp_get(m, PPTP_F_RESULT);
		break;
	case PPTP_STOP_CTRL_REQ:
		rlen = pptp_ctl_init(r, PPTP_STOP_CTRL_REPLY);
		pptp_set(r, PPTP_F_RESULT, 1);
		pns_reply(r, rlen);
		pns_ctl_lost("StopCCRQ from PAC");
		break;
	default:
		break;
	}
}

static void pns_read_ctl(void)
{
	const u8 *msg;
	ssize_t n;
	int len = 0;

	n = pptp_rx_read(&pns.rx.rx, pns.cfd);
	if (n == 0) {
		pns_ctl_lost("closed by peer");
		return;
	}
	if (n < 0) {
		pns_ctl_lost(strerror(errno));
		return;
	}
	while (pns.ctl_open && (len = pptp_rx_next(&pns.rx.rx, &msg)) > 0)
		pns_msg(msg, len);
	if (pns.ctl_open && len < 0)
		pns_ctl_lost("bad control framing");
}

/*
 * A probe's payload: magic, token, call index, PNS ID, probe number and
 * phase at offsets 0, 4, 8, 10, 12 and 16, zero padded.
 */
struct probe {
	u32 token;
	u16 idx;
	u16 pns_id;
	u32 number;
	u8 phase;
};

static void probe_put(u8 *pl, size_t plen, const struct probe *p)
{
	memset(pl, 0, plen);
	pptp_codec_put32(pl, PNS_PL_MAGIC);
	pptp_codec_put32(pl + 4, p->token);
	pptp_put16(pl + 8, p->idx);
	pptp_put16(pl + 10, p->pns_id);
	pptp_codec_put32(pl + 12, p->number);
	pl[16] = p->phase;
}

/* false unless @pl is a probe payload */
static bool probe_get(const u8 *pl, size_t plen, struct probe *p)
{
	if (plen < PNS_PL_LEN || pptp_codec_get32(pl) != PNS_PL_MAGIC)
		return false;
	p->token = pptp_codec_get32(pl + 4);
	p->idx = pptp_get16(pl + 8);
	p->pns_id = pptp_get16(pl + 10);
	p->number = pptp_codec_get32(pl + 12);
	p->phase = pl[16];
	return true;
}

static void pns_read_gre(void)
{
	char a[INET_ADDRSTRLEN];
	struct pptp_gre_ip ip;
	struct pns_call *c;
	struct probe pr;
	ssize_t n;

	for (;;) {
		n = recv(pns.gfd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (!pptp_gre_parse_ip(rxbuf, n, &ip))
			continue;
		if (ip.saddr != pns.server ||
		    (pns.local_addr && ip.daddr != pns.local_addr))
			continue;
		if (!probe_get(ip.gre.payload, ip.gre.payload_len, &pr) ||
		    pr.token != pns.token) {
			dbg("PNS gre from %s key %u: not our probe\n",
			    ip_str(ip.saddr, a), ip.gre.call_id);
			continue;
		}
		if (pr.idx >= (unsigned int)pns.ntotal ||
		    pns.call[pr.idx].pns_id != ip.gre.call_id) {
			dbg("PNS gre key %u idx %u: mismatch\n",
			    ip.gre.call_id, pr.idx);
			continue;
		}
		c = &pns.call[pr.idx];
		c->recv++;
		if (pr.phase == PH_HOLD)
			c->hold_recv++;
		if (pr.phase == pns.phase && pr.number == c->probe)
			c->awaiting = false;
		pns_progress();
	}
}

/* Wait up to @timeout_ms for control data or GRE and process it. */
static void pns_pump(long long timeout_ms)
{
	struct pollfd pfd[2];
	int n = 0;

	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms > 1000)
		timeout_ms = 1000;
	pfd[n].fd = pns.gfd;
	pfd[n++].events = POLLIN;
	if (pns.ctl_open) {
		pfd[n].fd = pns.cfd;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, n, timeout_ms) < 0) {
		if (errno == EINTR)
			return;
		die(EXIT_ERROR, "poll: %s", strerror(errno));
	}
	if (pfd[0].revents)
		pns_read_gre();
	if (n > 1 && pfd[1].revents)
		pns_read_ctl();
}

static bool pns_have_sccrp(void)
{
	return pns.got_sccrp;
}

/* Every call answered; OCRPs naming Peer Call ID 0 answer some call. */
static bool pns_have_ocrps(void)
{
	int i, missing = 0;

	for (i = 0; i < pns.ncalls; i++)
		if (!pns.call[i].have_ocrp)
			missing++;
	return missing <= pns.refused;
}

/* Every incoming call got its ICCN. */
static bool pns_have_iccns(void)
{
	int i;

	for (i = pns.ncalls; i < pns.ntotal; i++)
		if (!pns.call[i].have_iccn)
			return false;
	return true;
}

/* Every SLI we sent got its SLI and WEN back (or something wrong did). */
static bool pns_have_sli_answers(void)
{
	return pns.rx_sli >= pns.sli_sent && pns.rx_wen >= pns.sli_sent;
}

static bool pns_have_cdns(void)
{
	int i;

	for (i = 0; i < pns.ntotal; i++)
		if (pns_connected(&pns.call[i]) && !pns.call[i].cdn)
			return false;
	return true;
}

static bool pns_have_stopccrp(void)
{
	return pns.got_stopccrp;
}

/* false when the control connection went away first */
static bool pns_wait(bool (*done)(void), const char *what)
{
	pns_progress();
	while (!done()) {
		if (!pns.ctl_open) {
			printf("PNS error no %s: control connection closed\n",
			       what);
			return false;
		}
		if (now_ms() - pns.last_progress > pns.stall_ms) {
			printf("PNS stall waiting=%s\n", what);
			die(EXIT_ERROR, "no progress for %ld ms waiting for %s",
			    pns.stall_ms, what);
		}
		pns_pump(100);
	}
	return true;
}

static void pns_probe(struct pns_call *c, enum pns_phase phase)
{
	size_t plen = pns.gre_size ? pns.gre_size : PNS_PL_LEN;
	char a[INET_ADDRSTRLEN];
	u8 pl[GRE_MAX_PAYLOAD];
	struct probe pr = {
		.token = pns.token,
		.idx = c - pns.call,
		.pns_id = c->pns_id,
		.number = ++c->probe,
		.phase = phase,
	};

	probe_put(pl, plen, &pr);

	c->last_send = now_ms();
	c->awaiting = false;
	if (gre_send(pns.gfd, pns.server, c->pac_id, !pns.no_seq, c->gre_seq,
		     pl, plen) < 0) {
		if (!pns.send_warned)
			warnx("PNS gre send to %s: %s",
			      ip_str(pns.server, a), strerror(errno));
		pns.send_warned = true;
		return;
	}
	c->gre_seq++;
	c->sent++;
	if (phase == PH_HOLD)
		c->hold_sent++;
	c->awaiting = true;
	pns_progress();
}

static void pns_gre_phase(void)
{
	struct pns_call *c;
	long long now, due, t;
	bool busy;
	int i;

	pns.phase = PH_GRE;
	for (;;) {
		now = now_ms();
		due = now + 1000;
		busy = false;
		for (i = 0; i < pns.ntotal; i++) {
			c = &pns.call[i];
			if (!pns_connected(c))
				continue;
			if (c->awaiting &&
			    now - c->last_send >= pns.gre_timeout)
				c->awaiting = false;
			if (c->awaiting) {
				t = c->last_send + pns.gre_timeout;
			} else if (c->tries < pns.gre) {
				t = c->last_send + pns.gre_interval;
				if (t <= now) {
					c->tries++;
					pns_probe(c, PH_GRE);
					t = now + (c->awaiting ?
						   pns.gre_timeout :
						   pns.gre_interval);
				}
			} else {
				continue;
			}
			busy = true;
			if (t < due)
				due = t;
		}
		if (!busy)
			break;
		pns_pump(due - now_ms());
	}
	pns.phase = PH_NONE;
	for (i = 0; i < pns.ntotal; i++) {
		c = &pns.call[i];
		printf("PNS gre idx=%d pns_id=%u sent=%lu recv=%lu\n", i,
		       c->pns_id, c->sent, c->recv);
	}
}

static void pns_hold_phase(void)
{
	long long end = now_ms() + pns.hold * 1000, next = now_ms(), now;
	int i;

	pns.phase = PH_HOLD;
	while ((now = now_ms()) < end) {
		if (now >= next) {
			if (pns.gre && !pns.hold_silent)
				for (i = 0; i < pns.ntotal; i++)
					if (pns_connected(&pns.call[i]))
						pns_probe(&pns.call[i], PH_HOLD);
			if (pns.hold_echo) {
				u8 m[PPTP_CTL_BUF];
				size_t len = pptp_ctl_init(m, PPTP_ECHO_REQ);

				pptp_set(m, PPTP_F_IDENT, (u32)now);
				pns_queue(m, len);
				pns_flush();
			}
			next += 1000;
		}
		pns_pump((next < end ? next : end) - now);
	}
	pns.phase = PH_NONE;
	if (!pns.gre)
		return;
	for (i = 0; i < pns.ntotal; i++)
		printf("PNS hold idx=%d pns_id=%u sent=%lu recv=%lu\n", i,
		       pns.call[i].pns_id, pns.call[i].hold_sent,
		       pns.call[i].hold_recv);
}

static void pns_print_calls(void)
{
	struct pns_call *c;
	int i;

	for (i = 0; i < pns.ntotal; i++) {
		c = &pns.call[i];
		printf("PNS call idx=%d pns_id=%u pac_id=%u result=%d%s\n", i,
		       c->pns_id, c->pac_id, c->result,
		       c->incoming ? " dir=in" : "");
	}
}

static void pns_end_phase(void)
{
	u8 m[PPTP_CTL_BUF];
	size_t len;
	int i;

	if (!pns.ctl_open)
		return;
	switch (pns.end) {
	case END_CCRQ:
		for (i = 0; i < pns.ntotal; i++) {
			if (!pns_connected(&pns.call[i]) || pns.call[i].cdn)
				continue;
			len = pptp_ctl_init(m, PPTP_CALL_CLEAR_REQ);
			pptp_set(m, PPTP_F_CALL_ID, pns.call[i].pns_id);
			pns_queue(m, len);
		}
		pns_flush();
		pns_wait(pns_have_cdns, "CDN");
		break;
	case END_STOP:
		len = pptp_ctl_init(m, PPTP_STOP_CTRL_REQ);
		pptp_set(m, PPTP_F_REASON, 1);		/* general request */
		pns_queue(m, len);
		pns_flush();
		if (pns_wait(pns_have_stopccrp, "StopCCRP"))
			printf("PNS stopccrp result=%d\n", pns.stopccrp_result);
		break;
	case END_CLOSE:
		break;
	}
	if (pns.linger && pns.end != END_CLOSE && pns.ctl_open) {
		long long end = now_ms() + pns.linger * 1000;

		printf("PNS linger seconds=%ld\n", pns.linger);
		while (pns.ctl_open && now_ms() < end)
			pns_pump(end - now_ms());
		printf("PNS linger end\n");
	}
	if (pns.ctl_open) {
		pns_pump(0);	/* drain, so close() sends FIN, not RST */
		if (pns.ctl_open)
			close(pns.cfd);
		pns.ctl_open = false;
	}
}

static void pns_usage(FILE *f)
{
	fputs("usage: pptp_peer pns --server ADDR | --listen ADDR [--port PORT]\n"
	      "         [--bind ADDR] [--calls N] [--incoming N]\n"
	      "         [--call-id FIRST] [--same-id]\n"
	      "         [--write normal|each|coalesce|coalesce-all|split|split-random]\n"
	      "         [--split-at K] [--split-gap-ms MS] [--seed S]\n"
	      "         [--gre N] [--gre-interval-ms MS] [--gre-timeout-ms MS]\n"
	      "         [--no-seq] [--hold SECONDS] [--hold-silent] [--hold-echo]\n"
	      "         [--end ccrq|stop|close] [--linger SECONDS]\n"
	      "         [--sli] [--gre-size BYTES] [--stall SECONDS] [--dup] [--bogus]\n"
	      "         [--quiet] [--verbose]\n",
	      f);
}

/* --write's Nagle setting; a time limit for connect() and blocking writes */
static void pns_ctl_options(void)
{
	struct timeval tv = { .tv_sec = pns.stall_ms / 1000 };

	if (pns.wmode != W_NORMAL)
		set_nodelay(pns.cfd);
	setsockopt(pns.cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The control connection is up: its reader, and GRE from its address. */
static void pns_ctl_ready(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char a[INET_ADDRSTRLEN];

	pns.ctl_open = true;
	stream_init(&pns.rx);
	if (getsockname(pns.cfd, (struct sockaddr *)&sin, &slen) < 0)
		die(EXIT_ERROR, "getsockname: %s", strerror(errno));
	pns.local_addr = sin.sin_addr.s_addr;
	gre_bind(pns.gfd, pns.local_addr);
	note("PNS connected local=%s:%u\n", ip_str(pns.local_addr, a),
	     ntohs(sin.sin_port));
}

static void pns_connect(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char a[INET_ADDRSTRLEN];

	pns.cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pns.cfd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	if (pns.bind_addr) {
		sin.sin_addr.s_addr = pns.bind_addr;
		if (bind(pns.cfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die(EXIT_ERROR, "bind %s: %s",
			    ip_str(pns.bind_addr, a), strerror(errno));
	}
	pns_ctl_options();
	sin.sin_addr.s_addr = pns.server;
	sin.sin_port = htons(pns.port);
	if (connect(pns.cfd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("PNS error connect: %s\n", strerror(errno));
		die(EXIT_ERROR, "connect %s:%u: %s", ip_str(pns.server, a),
		    pns.port, strerror(errno));
	}
	pns_ctl_ready();
}

/*
 * --listen: the PAC opens the control connection. One is accepted, the
 * listener closed, and the connection's peer is the GRE peer.
 */
static void pns_accept(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	char a[INET_ADDRSTRLEN];
	struct pollfd pfd;
	int lfd, one = 1, n;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_addr.s_addr = pns.listen_addr;
	sin.sin_port = htons(pns.port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die(EXIT_ERROR, "bind %s:%u: %s", ip_str(pns.listen_addr, a),
		    pns.port, strerror(errno));
	if (listen(lfd, 1) < 0)
		die(EXIT_ERROR, "listen: %s", strerror(errno));
	pfd.fd = lfd;
	pfd.events = POLLIN;
	do {
		n = poll(&pfd, 1, PNS_ACCEPT_WAIT_MS);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		printf("PNS stall waiting=connection\n");
		die(EXIT_ERROR, "no connection to %s:%u within %d ms",
		    ip_str(pns.listen_addr, a), pns.port, PNS_ACCEPT_WAIT_MS);
	}
	pns.cfd = accept4(lfd, (struct sockaddr *)&sin, &slen, SOCK_CLOEXEC);
	if (pns.cfd < 0)
		die(EXIT_ERROR, "accept: %s", strerror(errno));
	close(lfd);
	pns.server = sin.sin_addr.s_addr;
	pns_ctl_options();
	pns_ctl_ready();
}

static int pns_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "calls", required_argument, NULL, OPT_CALLS },
		{ "incoming", required_argument, NULL, OPT_INCOMING },
		{ "call-id", required_argument, NULL, OPT_CALL_ID },
		{ "same-id", no_argument, NULL, OPT_SAME_ID },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ "split-at", required_argument, NULL, OPT_SPLIT_AT },
		{ "split-gap-ms", required_argument, NULL, OPT_SPLIT_GAP },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "gre", required_argument, NULL, OPT_GRE },
		{ "gre-interval-ms", required_argument, NULL,
		  OPT_GRE_INTERVAL },
		{ "gre-timeout-ms", required_argument, NULL, OPT_GRE_TIMEOUT },
		{ "no-seq", no_argument, NULL, OPT_NO_SEQ },
		{ "hold", required_argument, NULL, OPT_HOLD },
		{ "hold-silent", no_argument, NULL, OPT_HOLD_SILENT },
		{ "hold-echo", no_argument, NULL, OPT_HOLD_ECHO },
		{ "end", required_argument, NULL, OPT_END },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "sli", no_argument, NULL, OPT_SLI },
		{ "gre-size", required_argument, NULL, OPT_GRE_SIZE },
		{ "stall", required_argument, NULL, OPT_STALL },
		{ "dup", no_argument, NULL, OPT_DUP },
		{ "bogus", no_argument, NULL, OPT_BOGUS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL, *listen = NULL;
	unsigned long sent = 0, recv = 0;
	u8 m[PPTP_CTL_BUF];
	int opt, i, n, ok_calls = 0;
	u32 seed = 1;
	bool pass;
	size_t len;

	pns.port = PPTP_PORT;
	pns.ncalls = 1;
	pns.first_id = 1;
	pns.split_at = 7;
	pns.split_gap = -1;
	pns.gre = 3;
	pns.gre_interval = 10;
	pns.gre_timeout = 1000;
	pns.stall_ms = 10000;
	pns.end = END_CCRQ;
	while ((opt = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SERVER:
			server = optarg;
			break;
		case OPT_PORT:
			pns.port = parse_num(optarg, 1, 65535, "--port");
			break;
		case OPT_BIND:
			pns.bind_addr = parse_addr(optarg, "--bind");
			break;
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_CALLS:
			pns.ncalls = parse_num(optarg, 0, PNS_MAX_CALLS,
					       "--calls");
			break;
		case OPT_INCOMING:
			pns.nin = parse_num(optarg, 0, PNS_MAX_IN,
					    "--incoming");
			break;
		case OPT_CALL_ID:
			pns.first_id = parse_num(optarg, 0, 65535,
						 "--call-id");
			break;
		case OPT_SAME_ID:
			pns.same_id = true;
			break;
		case OPT_WRITE:
			pns.wmode = parse_choice(optarg, pns_write_names,
						 ARRAY_SIZE(pns_write_names),
						 "--write");
			break;
		case OPT_SPLIT_AT:
			pns.split_at = parse_num(optarg, 1, 65535,
						 "--split-at");
			break;
		case OPT_SPLIT_GAP:
			pns.split_gap = parse_num(optarg, 0, 10000,
						  "--split-gap-ms");
			break;
		case OPT_SEED:
			seed = parse_num(optarg, 0, 0x7fffffff, "--seed");
			break;
		case OPT_GRE:
			pns.gre = parse_num(optarg, 0, 1000000, "--gre");
			break;
		case OPT_GRE_INTERVAL:
			pns.gre_interval = parse_num(optarg, 0, 600000,
						     "--gre-interval-ms");
			break;
		case OPT_GRE_TIMEOUT:
			pns.gre_timeout = parse_num(optarg, 1, 600000,
						    "--gre-timeout-ms");
			break;
		case OPT_NO_SEQ:
			pns.no_seq = true;
			break;
		case OPT_HOLD:
			pns.hold = parse_num(optarg, 0, 86400, "--hold");
			break;
		case OPT_END:
			pns.end = parse_choice(optarg, pns_end_names,
					       ARRAY_SIZE(pns_end_names), "--end");
			break;
		case OPT_HOLD_SILENT:
			pns.hold_silent = true;
			break;
		case OPT_HOLD_ECHO:
			pns.hold_echo = true;
			break;
		case OPT_LINGER:
			pns.linger = parse_num(optarg, 0, 3600, "--linger");
			break;
		case OPT_SLI:
			pns.sli = true;
			break;
		case OPT_GRE_SIZE:
			pns.gre_size = parse_num(optarg, PNS_PL_LEN,
						 GRE_MAX_PAYLOAD, "--gre-size");
			break;
		case OPT_STALL:
			pns.stall_ms = parse_num(optarg, 1, 3600,
						 "--stall") * 1000;
			break;
		case OPT_DUP:
			pns.dup = true;
			break;
		case OPT_BOGUS:
			pns.bogus = true;
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			pns_usage(stdout);
			return EXIT_PASS;
		default:
			pns_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc || !server == !listen ||
	    (listen && pns.bind_addr)) {
		pns_usage(stderr);
		return EXIT_ERROR;
	}
	if (!pns.ncalls && !pns.nin)
		die(EXIT_ERROR, "bad --calls '0' (want 1..%d, or 0 with --incoming)",
		    PNS_MAX_CALLS);
	if (server)
		pns.server = parse_addr(server, "--server");
	else
		pns.listen_addr = parse_addr(listen, "--listen");
	pns.listen = !server;
	if (pns.split_gap < 0)
		pns.split_gap = pns.wmode == W_SPLIT_RANDOM ?
				SPLIT_RANDOM_GAP_MS : PNS_SPLIT_GAP_MS;
	rnd_seed(seed);
	/* outgoing call I has FIRST+I, incoming call J FIRST+calls+J */
	pns.ntotal = pns.ncalls + pns.nin;
	for (i = 0; i < pns.ntotal; i++) {
		pns.call[i].pns_id = pns.same_id ? pns.first_id :
				     (pns.first_id + i) & 0xffff;
		pns.call[i].incoming = i >= pns.ncalls;
	}
	pns.token = (u32)getpid() * 2654435761U ^ (u32)now_ms();

	pns.gfd = gre_socket();
	if (pns.listen)
		pns_accept();
	else
		pns_connect();

	/* SCCRQ, OCRQs and their replies */
	pns_queue_sccrq();
	if (pns.wmode == W_COALESCE_ALL)
		pns_queue_ocrqs();
	pns_flush();
	if (!pns_wait(pns_have_sccrp, "SCCRP"))
		goto out;
	if (pns.sccrp_result != 1)
		printf("PNS error SCCRP result=%d\n", pns.sccrp_result);
	if (pns.wmode != W_COALESCE_ALL) {
		pns_queue_ocrqs();
		pns_flush();
	}
	if (!pns_wait(pns_have_ocrps, "OCRP"))
		goto out;
	if (pns.nin && !pns_wait(pns_have_iccns, "ICCN"))
		goto out;
	pns_print_calls();

	if (pns.sli) {
		for (i = 0; i < pns.ntotal; i++) {
			if (!pns_connected(&pns.call[i]))
				continue;
			len = sli_build(m, pns.call[i].pac_id);
			pns_queue(m, len);
			/* pns_queue() writes it twice with --dup */
			for (n = pns.dup ? 2 : 1; n > 0; n--)
				pns.sli_call[pns.sli_sent++] = i;
		}
		pns_flush();
		pns_wait(pns_have_sli_answers, "SLI");
	}
	if (pns.bogus)
		pns_queue_bogus_late();

	if (pns.gre)
		pns_gre_phase();
	if (pns.hold)
		pns_hold_phase();
	pns_end_phase();
	goto summary;

out:
	pns_print_calls();
summary:
	pass = !pns.ctl_lost && !pns.iccn_bad;
	for (i = 0; i < pns.ntotal; i++) {
		struct pns_call *c = &pns.call[i];

		if (pns_connected(c))
			ok_calls++;
		else
			pass = false;
		if (pns.gre && !c->recv)
			pass = false;
		sent += c->sent;
		recv += c->recv;
	}
	if (pns.sli) {
		printf("PNS sli sent=%lu got_sli=%lu got_wen=%lu bad=%lu\n",
		       pns.sli_sent, pns.got_sli, pns.got_wen,
		       pns.bad_sli + pns.bad_wen);
		if (pns.got_sli != pns.sli_sent ||
		    pns.got_wen != pns.sli_sent || pns.bad_sli || pns.bad_wen)
			pass = false;
	}
	if (pns.wmode == W_SPLIT_RANDOM)
		printf("PNS split pieces=%lu id_cuts=%lu\n", pns.split.pieces,
		       pns.split.id_cuts);
	printf("PNS summary calls_ok=%d calls=%d gre_sent=%lu gre_recv=%lu\n",
	       ok_calls, pns.ntotal, sent, recv);
	return pass ? EXIT_PASS : EXIT_FAILED;
}

/* ------------------------------------------------------------------ */
/* junk: random bytes on a control connection                          */

#define JUNK_MAX_WRITE		256
#define JUNK_WAIT_MS		10000
#define JUNK_LINGER_MS		2000

static void junk_usage(FILE *f)
{
	fputs("usage: pptp_peer junk --server ADDR [--port PORT] [--bind ADDR]\n"
	      "         [--bytes N] [--seed S] [--after-sccrq] [--quiet] [--verbose]\n",
	      f);
}

/* Read messages until an SCCRP arrives; its result code, or -1. */
static int junk_wait_sccrp(int fd)
{
	static struct stream rx;
	long long end = now_ms() + JUNK_WAIT_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const u8 *msg;
	int len, n;

	stream_init(&rx);
	while (now_ms() < end) {
		n = poll(&pfd, 1, end - now_ms());
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if (pptp_rx_read(&rx.rx, fd) <= 0)
			return -1;
		while ((len = pptp_rx_next(&rx.rx, &msg)) > 0) {
			dbg("JUNK rx %s len=%d\n",
			    pptp_ctrl_name(pptp_ctl_type(msg)), len);
			if (pptp_ctl_type(msg) == PPTP_START_CTRL_REPLY &&
			    len == pptp_msg_length(PPTP_START_CTRL_REPLY))
				return pptp_get(msg, PPTP_F_RESULT);
		}
		if (len < 0)
			return -1;
	}
	return -1;
}

static int junk_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "bytes", required_argument, NULL, OPT_BYTES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "after-sccrq", no_argument, NULL, OPT_AFTER_SCCRQ },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = JUNK_WAIT_MS / 1000 };
	u8 buf[PPTP_RX_MAX];
	socklen_t slen = sizeof(sin);
	char a[INET_ADDRSTRLEN];
	const char *server = NULL;
	unsigned int port = PPTP_PORT, writes = 0;
	unsigned long bytes = 512, sent = 0;
	u32 bind_addr = 0, seed = 1;
	bool after_sccrq = false, reset = false;
	struct pollfd pfd;
	long long end;
	size_t chunk, i;
	int opt, fd, result;

	while ((opt = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SERVER:
			server = optarg;
			break;
		case OPT_PORT:
			port = parse_num(optarg, 1, 65535, "--port");
			break;
		case OPT_BIND:
			bind_addr = parse_addr(optarg, "--bind");
			break;
		case OPT_BYTES:
			bytes = parse_num(optarg, 1, 100000000, "--bytes");
			break;
		case OPT_SEED:
			seed = parse_num(optarg, 0, 0x7fffffff, "--seed");
			break;
		case OPT_AFTER_SCCRQ:
			after_sccrq = true;
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			junk_usage(stdout);
			return EXIT_PASS;
		default:
			junk_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc || !server) {
		junk_usage(stderr);
		return EXIT_ERROR;
	}
	rnd_seed(seed);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	if (bind_addr) {
		sin.sin_addr.s_addr = bind_addr;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die(EXIT_ERROR, "bind %s: %s", ip_str(bind_addr, a),
			    strerror(errno));
	}
	set_nodelay(fd);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	sin.sin_addr.s_addr = parse_addr(server, "--server");
	sin.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("JUNK error connect: %s\n", strerror(errno));
		die(EXIT_ERROR, "connect %s:%u: %s", server, port,
		    strerror(errno));
	}
	if (getsockname(fd, (struct sockaddr *)&sin, &slen) == 0)
		note("JUNK connected local=%s:%u\n",
		     ip_str(sin.sin_addr.s_addr, a), ntohs(sin.sin_port));

	if (after_sccrq) {
		if (write_all(fd, buf, sccrq_build(buf, "pptp_peer-junk")) < 0)
			die(EXIT_ERROR, "write SCCRQ: %s", strerror(errno));
		result = junk_wait_sccrp(fd);
		if (result < 0) {
			printf("JUNK error no SCCRP\n");
			die(EXIT_ERROR, "no SCCRP from %s:%u", server, port);
		}
		printf("JUNK sccrp result=%d\n", result);
	}

	/* the first write carries at least a whole message header */
	while (sent < bytes) {
		chunk = rnd_range(writes ? 1 : PPTP_HDR_LEN, JUNK_MAX_WRITE);
		if (chunk > bytes - sent)
			chunk = bytes - sent;
		for (i = 0; i < chunk; i++)
			buf[i] = rnd();
		if (write_all(fd, buf, chunk) < 0) {
			dbg("JUNK write: %s\n", strerror(errno));
			reset = true;
			break;
		}
		sent += chunk;
		writes++;
	}

	/* FIN, then wait for the peer's close so both directions end */
	shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	end = now_ms() + JUNK_LINGER_MS;
	while (now_ms() < end && poll(&pfd, 1, end - now_ms()) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno != EINTR) {
			reset = true;
			break;
		}
		if (n == 0)
			break;
	}
	close(fd);
	printf("JUNK sent=%lu writes=%u reset=%d\n", sent, writes, reset);
	return EXIT_PASS;
}

/* ------------------------------------------------------------------ */
/* grejunk: random GRE version 1 at full speed                         */

#define GREJUNK_POOL		4096

static u8 grejunk_pool[GREJUNK_POOL];

static void grejunk_usage(FILE *f)
{
	fputs("usage: pptp_peer grejunk --dst ADDR [--bind ADDR] [--seconds S]\n"
	      "         [--seed S] [--ids LO-HI]\n",
	      f);
}

/* What nf_pptp_alg's GRE hook (src/gre.c) makes of a grejunk packet */
enum grejunk_class { GJ_WELLFORMED, GJ_MALFORMED, GJ_OTHER, GJ_NCLASS };

/* Length of the header up to and including the key, all the hook reads */
#define GREJUNK_HOOK_LEN	8

/*
 * Classify the @len bytes of GRE header and payload at @p as the hook
 * does: fewer than GREJUNK_HOOK_LEN bytes, or not version 1, and it is
 * left alone uncounted; version 1 without K, with C or R, or with a
 * protocol other than PPP is counted gre_malformed; the rest is looked up
 * by its key (gre_no_call when no call has it).
 */
static enum grejunk_class grejunk_classify(const u8 *p, size_t len)
{
	u16 flags;

	if (len < GREJUNK_HOOK_LEN)
		return GJ_OTHER;
	flags = pptp_get16(p);
	if ((flags & PPTP_GRE_VER_MASK) != PPTP_GRE_VER)
		return GJ_OTHER;
	if (!(flags & PPTP_GRE_K) || (flags & (PPTP_GRE_C | PPTP_GRE_R)) ||
	    pptp_get16(p + 2) != PPTP_GRE_PPP)
		return GJ_MALFORMED;
	return GJ_WELLFORMED;
}

/*
 * One random GRE v1 packet into @p (the payload of a raw GRE send): a
 * well-formed one, whose flags, protocol and Payload Length may then lie
 * or whose header is cut short (grejunk_classify() says which the hook
 * counts malformed).
 */
static size_t grejunk_build(u8 *p, u32 lo, u32 hi)
{
	u16 flags = PPTP_GRE_K | PPTP_GRE_VER;
	u32 kind = rnd() % 16;
	struct pptp_gre g = { 0 };
	u16 proto, wire_len;
	size_t len;

	g.payload_len = rnd() % 4 ? rnd_range(0, 64) :
				    rnd_range(0, GRE_MAX_PAYLOAD);
	if (rnd() & 1)
		flags |= PPTP_GRE_S;
	if (!(rnd() & 3))
		flags |= PPTP_GRE_A;
	switch (kind) {
	case 0:		/* anything, still version 1 */
		flags = (rnd() & ~PPTP_GRE_VER_MASK) | PPTP_GRE_VER;
		break;
	case 1:
		flags |= PPTP_GRE_C;
		break;
	case 2:
		flags |= PPTP_GRE_R;
		break;
	case 3:
		flags &= ~PPTP_GRE_K;
		break;
	case 4:
		flags |= PPTP_GRE_SSR | (rnd() & PPTP_GRE_RECUR);
		break;
	default:
		break;
	}
	proto = kind == 5 ? (u16)rnd() : PPTP_GRE_PPP;
	wire_len = kind == 6 ? (u16)rnd() : g.payload_len;
	g.call_id = rnd_range(lo, hi);
	g.has_seq = flags & PPTP_GRE_S;
	if (g.has_seq)
		g.seq = rnd();
	g.has_ack = flags & PPTP_GRE_A;
	if (g.has_ack)
		g.ack = rnd();
	g.payload = grejunk_pool + rnd() % (GREJUNK_POOL - g.payload_len);
	len = pptp_gre_build(p, &g);
	pptp_put16(p, flags);
	pptp_put16(p + 2, proto);
	pptp_put16(p + 4, wire_len);
	if (kind == 7)	/* cut inside the header */
		len = rnd() % pptp_gre_hdr_len(&g);
	return len;
}

static int grejunk_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, OPT_DST },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "ids", required_argument, NULL, OPT_IDS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	u8 pkt[PPTP_GRE_HDR_MAX + GRE_MAX_PAYLOAD];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long sent = 0, errors = 0, kinds[GJ_NCLASS] = { 0 };
	u32 bind_addr = 0, seed = 1, lo = 1, hi = 65535;
	const char *dst = NULL;
	long seconds = 5;
	long long end;
	char *dash;
	size_t len;
	int opt, fd;
	unsigned int i;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DST:
			dst = optarg;
			break;
		case OPT_BIND:
			bind_addr = parse_addr(optarg, "--bind");
			break;
		case OPT_SECONDS:
			seconds = parse_num(optarg, 1, 3600, "--seconds");
			break;
		case OPT_SEED:
			seed = parse_num(optarg, 0, 0x7fffffff, "--seed");
			break;
		case OPT_IDS:
			dash = strchr(optarg, '-');
			if (dash)
				*dash++ = '\0';
			lo = parse_num(optarg, 0, 65535, "--ids LO");
			hi = dash ? parse_num(dash, lo, 65535, "--ids HI") : lo;
			break;
		case 'h':
			grejunk_usage(stdout);
			return EXIT_PASS;
		default:
			grejunk_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc || !dst) {
		grejunk_usage(stderr);
		return EXIT_ERROR;
	}
	sin.sin_addr.s_addr = parse_addr(dst, "--dst");
	rnd_seed(seed);
	for (i = 0; i < GREJUNK_POOL; i++)
		grejunk_pool[i] = rnd();

	fd = gre_socket();
	if (bind_addr)
		gre_bind(fd, bind_addr);
	end = now_ms() + seconds * 1000;
	for (;;) {
		/* a clock read per 64 packets is plenty */
		if ((sent + errors) % 64 == 0 && now_ms() >= end)
			break;
		len = grejunk_build(pkt, lo, hi);
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sin,
			   sizeof(sin)) < 0) {
			errors++;
		} else {
			sent++;
			kinds[grejunk_classify(pkt, len)]++;
		}
	}
	close(fd);
	printf("GREJUNK sent=%lu errors=%lu\n", sent, errors);
	printf("GREJUNK kinds wellformed=%lu malformed=%lu other=%lu\n",
	       kinds[GJ_WELLFORMED], kinds[GJ_MALFORMED], kinds[GJ_OTHER]);
	return sent ? EXIT_PASS : EXIT_ERROR;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (argc >= 2 && !strcmp(argv[1], "pac"))
		return pac_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "pns"))
		return pns_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "junk"))
		return junk_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "grejunk"))
		return grejunk_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		pac_usage(stdout);
		pns_usage(stdout);
		junk_usage(stdout);
		grejunk_usage(stdout);
		return EXIT_PASS;
	}
	pac_usage(stderr);
	pns_usage(stderr);
	junk_usage(stderr);
	grejunk_usage(stderr);
	return EXIT_ERROR;
}
