// SPDX-License-Identifier: GPL-2.0
/*
 * Differential property fuzzer over the PPTP stream rewriter
 * (src/pptp_rewrite.c), built by scripts/fuzz.sh with libFuzzer, ASan and
 * UBSan. With -DFUZZ_LEGACY the same harness drives fuzz/legacy_rw.c, a
 * user-space model of the rewriting done before src/pptp_rewrite.c.
 *
 * One input describes 2-3 PPTP control connections through one NAT
 * (masquerade, port forward, full NAT or none) that share one map table
 * and one Call ID allocator, and a random but valid conversation on each:
 * SCCRQ/SCCRP, outgoing and incoming calls, SLI both ways, WEN, CCRQ and
 * CDN (RFC or accel-ppp style), repeated requests and replies, Echo,
 * StopCCRQ/RP, colliding Call IDs and messages longer than their fixed
 * part. The conversation is causal: a message is built only from what its
 * sender has received (the PAC answers the IDs it got, translated).
 *
 * Reference run: each flight (a run of messages from one side of one
 * connection) goes through the rewriter as one segment, then an ACK.
 * Test run: a fresh rewriter and map table get the same flights in the
 * same order, but as random segments down to one byte, with loss before
 * and after the NAT, retransmission at other boundaries, reordering and
 * duplication, and receivers that reassemble from rcv_nxt and ACK back
 * through the rewriter. The next flight starts once the previous one is
 * fully received.
 *
 * Oracles (a failure prints the case and aborts):
 *  - every byte each receiver reassembles equals the reference output;
 *    a byte received twice is received equal (I2);
 *  - final call tables, map tables and the counts of the semantic events
 *    are equal in both runs;
 *  - on the reference itself: bytes outside the Call ID and Result fields
 *    are never changed; every field naming the receiver's own call
 *    arrives as the receiver's raw ID, every field naming the sender's
 *    call arrives as the ID the receiver first got for it (I1: no field
 *    leaves untranslated); every ID a far side has learned is bound in
 *    the map table under that far side's key to the call of the host
 *    that owns it, and those (key, ID) pairs are distinct across all
 *    connections (I3);
 *  - the map table matches the call lists; bind never fails and always
 *    consumes a reservation; release has a reservation to release; after
 *    teardown no entry, call or store is left (LeakSanitizer checks the
 *    memory).
 *
 * Input: bytes 0-7 configuration, then the conversation script (one to
 * three bytes per step); the network's random choices come from a
 * generator seeded by bytes 4-7. Environment: FUZZ_VERBOSE=1 traces a
 * case; FUZZ_NO_ACCEL_CDN=1 stops connections sending accel-ppp style
 * CDNs (the PNS's ID in Call ID); FUZZ_EXACT_LEN=1 sends no message longer than its
 * type's fixed size; FUZZ_DUP_AT_LIMIT=1 repeats requests at the call
 * limit too (the known bug in fuzz/known/README).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_callid.h"
#include "pptp_rewrite.h"

#ifdef FUZZ_LEGACY
#include "legacy_rw.h"
#define RW_STATE	struct legacy_rw
#define RW_INIT		legacy_rw_init
#define RW_SEGMENT	legacy_rw_segment
#define RW_DESTROY	legacy_rw_destroy
#define RW_NAME		"legacy"
#else
#define RW_STATE	struct pptp_rw
#define RW_INIT		pptp_rw_init
#define RW_SEGMENT	pptp_rw_segment
#define RW_DESTROY	pptp_rw_destroy
#define RW_NAME		"rewrite"
#endif

#define NCONN_MAX	3
#define STREAM_MAX	24576	/* bytes per direction of a connection */
#define FLIGHT_MAX	4000	/* bytes per flight, below PPTP_RW_STORE */
#define MSG_MAX		256
#define FLIGHTS_MAX	1024
#define GCALLS		12	/* live calls per connection */
#define TAB_MAX		256
#define Q_MAX		48
#define CHAOS_STEPS	600	/* per flight, then the network is benign */
#define STALL_STEPS	100000

/* ---- configuration ---- */

struct cfg {
	int nconn;
	bool natted[2];
	int addr[NCONN_MAX];		/* client host of each connection */
	int pns_side[NCONN_MAX];
	bool accel[NCONN_MAX];		/* CDN carries the PNS's ID */
	int limit;			/* calls per connection */
	u16 seed;			/* allocator cursor */
	u32 isn[NCONN_MAX][2];
	int loss, dup, reorder, maxseg, store_fail;
	u64 rng;
};

static struct cfg cfg;
static bool verbose;
static bool accel_cdn;		/* accel-ppp style CDNs (FUZZ_NO_ACCEL_CDN: none) */
static bool exact_len;		/* FUZZ_EXACT_LEN: no longer messages */
static bool dup_at_limit;	/* FUZZ_DUP_AT_LIMIT: see step() */

static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void dump_case(void);

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_" RW_NAME ": oracle failure: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	dump_case();
	abort();
}

static u64 rnd(void)
{
	u64 x = cfg.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	cfg.rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static u32 rndn(u32 n)
{
	return n ? (u32)(rnd() % n) : 0;
}

/*
 * The map table key of IDs owned by the peer on side @o of connection
 * @c: the address pair of the other side (its real address, the address
 * it sends to). Side 0 is the client, side 1 the server.
 */
static int key_of(int c, int o)
{
	if (o == 0)
		return cfg.natted[0] ? 100 : 200 + cfg.addr[c];
	return 300 + cfg.addr[c] * 2 + cfg.natted[1];
}

/* ---- the model: map table, calls, stores (struct pptp_rw_ops) ---- */

struct entry {
	bool used, bound;
	int key;
	u16 id;
	int conn, o, role;
	struct pptp_rw_call *call;
};

struct mcall {
	struct pptp_rw_call rw;
	int conn;
};

struct model;

struct mconn {
	struct model *m;
	int c;
	RW_STATE rw;
	int ncalls;
	int resv[2];		/* table index of side o's reservation */
};

struct model {
	const char *name;
	struct mconn conn[NCONN_MAX];
	struct entry tab[TAB_MAX];
	struct pptp_callid_alloc alloc;
	long stores, calls;
	unsigned long ev[PPTP_RW_EV_MAX];
	bool chaos;		/* test run: store_get may fail */
};

static struct model ref_m, test_m;

static int owner_of(const struct pptp_rw_call *k, int role)
{
	return role == PPTP_RW_PNS ? k->pns_side : !k->pns_side;
}

static bool both_known(const struct pptp_rw_call *k, int role)
{
	u8 b = PPTP_RW_KNOWN(0, role) | PPTP_RW_KNOWN(1, role);

	return (k->known & b) == b;
}

static struct pptp_rw_call *m_call_new(void *ctx)
{
	struct mconn *mc = ctx;
	struct mcall *k;

	if (mc->ncalls >= cfg.limit)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		abort();
	k->conn = mc->c;
	mc->ncalls++;
	mc->m->calls++;
	return &k->rw;
}

static void m_call_free(void *ctx, struct pptp_rw_call *call,
			enum pptp_rw_free why)
{
	struct mconn *mc = ctx;
	struct model *m = mc->m;
	struct mcall *k = (struct mcall *)call;
	int i;

	if (call->pprev || call->next)
		fail("%s: call_free of a call still linked", m->name);
	if ((unsigned int)why >= PPTP_RW_FREE_MAX)
		fail("%s: call_free reason %d", m->name, why);
	if (k->conn != mc->c)
		fail("%s: call of connection %d freed by %d", m->name,
		     k->conn, mc->c);
	for (i = 0; i < TAB_MAX; i++)
		if (m->tab[i].used && m->tab[i].call == call)
			m->tab[i].used = false;
	mc->ncalls--;
	m->calls--;
	free(k);
}

struct busy_arg {
	struct model *m;
	int key;
};

static bool m_busy(void *arg, u16 id)
{
	struct busy_arg *b = arg;
	int i;

	if (!id)
		fail("busy() asked about Call ID 0");
	for (i = 0; i < TAB_MAX; i++)
		if (b->m->tab[i].used && b->m->tab[i].key == b->key &&
		    b->m->tab[i].id == id)
			return true;
	return false;
}

static int m_reserve(void *ctx, int o, const u8 *blocks, int prefer,
		     u16 *out)
{
	struct mconn *mc = ctx;
	struct model *m = mc->m;
	struct busy_arg b = { m, key_of(mc->c, o) };
	int old, i;
	u16 id;

	if (o != 0 && o != 1)
		fail("%s: reserve for side %d", m->name, o);
	old = mc->resv[o];
	if (old >= 0)
		m->tab[old].used = false;
	if (pptp_callid_pick_in(&m->alloc, blocks, prefer, 65535, m_busy, &b,
				&id)) {
		/* The reservation held so far stays. */
		if (old >= 0)
			m->tab[old].used = true;
		return -1;
	}
	if (!id || !(blocks[id >> 11] & (1U << ((id >> 8) & 7))))
		fail("%s: picked %u outside the blocks", m->name, id);
	for (i = 0; i < TAB_MAX && m->tab[i].used; i++)
		;
	if (i == TAB_MAX)
		fail("%s: map table full", m->name);
	memset(&m->tab[i], 0, sizeof(m->tab[i]));
	m->tab[i].used = true;
	m->tab[i].key = b.key;
	m->tab[i].id = id;
	m->tab[i].conn = mc->c;
	m->tab[i].o = o;
	mc->resv[o] = i;
	*out = id;
	return 0;
}

static void m_release(void *ctx, int o)
{
	struct mconn *mc = ctx;

	if (o != 0 && o != 1)
		fail("release for side %d", o);
	if (mc->resv[o] < 0)
		fail("%s: conn %d side %d: release without a reservation",
		     mc->m->name, mc->c, o);
	mc->m->tab[mc->resv[o]].used = false;
	mc->resv[o] = -1;
}

static int m_bind(void *ctx, struct pptp_rw_call *call, int o, int role)
{
	struct mconn *mc = ctx;
	struct model *m = mc->m;
	struct entry *e;

	if (o != 0 && o != 1)
		fail("bind for side %d", o);
	if (mc->resv[o] < 0)
		fail("%s: conn %d side %d: bind without a reservation",
		     m->name, mc->c, o);
	e = &m->tab[mc->resv[o]];
	if (owner_of(call, role) != o || !both_known(call, role))
		fail("%s: bind of a call whose role %d is not side %d's",
		     m->name, role, o);
	if (e->id != call->id[!o][role])
		fail("%s: bind: reserved %u but the call says %u", m->name,
		     e->id, call->id[!o][role]);
	e->bound = true;
	e->call = call;
	e->role = role;
	mc->resv[o] = -1;
	return 0;
}

static u8 *m_store_get(void *ctx)
{
	struct mconn *mc = ctx;
	u8 *p;

	if (mc->m->chaos && cfg.store_fail && rndn(cfg.store_fail) == 0)
		return NULL;
	p = malloc(PPTP_RW_STORE);
	if (!p)
		abort();
	memset(p, 0xee, PPTP_RW_STORE);
	mc->m->stores++;
	return p;
}

static void m_store_put(void *ctx, u8 *store)
{
	struct mconn *mc = ctx;

	mc->m->stores--;
	free(store);
}

static void m_event(void *ctx, enum pptp_rw_event ev, unsigned int arg)
{
	struct mconn *mc = ctx;

	if ((unsigned int)ev >= PPTP_RW_EV_MAX)
		fail("bad event %u", (unsigned int)ev);
	mc->m->ev[ev]++;
	trace("  [%s c%d] event %d (%u)\n", mc->m->name, mc->c, ev, arg);
}

static const struct pptp_rw_ops m_ops = {
	.call_new = m_call_new,
	.call_free = m_call_free,
	.reserve = m_reserve,
	.release = m_release,
	.bind = m_bind,
	.store_get = m_store_get,
	.store_put = m_store_put,
	.event = m_event,
};

static void model_init(struct model *m, const char *name, bool chaos)
{
	int c;

	memset(m, 0, sizeof(*m));
	m->name = name;
	m->chaos = chaos;
	pptp_callid_init(&m->alloc, cfg.seed);
	for (c = 0; c < cfg.nconn; c++) {
		m->conn[c].m = m;
		m->conn[c].c = c;
		m->conn[c].resv[0] = -1;
		m->conn[c].resv[1] = -1;
		RW_INIT(&m->conn[c].rw, cfg.natted[0], cfg.natted[1]);
	}
}

/* One segment through the rewriter of connection @c. */
static enum pptp_rw_verdict model_seg(struct model *m, int c, int side,
				      u32 seq, u32 ack, bool syn,
				      bool has_ack, u8 *data, size_t len)
{
	struct pptp_rw_seg seg = {
		.side = side, .seq = seq, .ack = ack, .syn = syn,
		.has_ack = has_ack, .data = data, .len = len,
	};
	u8 *orig = NULL;
	enum pptp_rw_verdict v;
	bool changed = true;

	if (len) {
		orig = malloc(len);
		if (!orig)
			abort();
		memcpy(orig, data, len);
	}
	v = RW_SEGMENT(&m->conn[c].rw, &m_ops, &m->conn[c], &seg, &changed);
	if (v != PPTP_RW_ACCEPT && v != PPTP_RW_DROP)
		fail("%s: bad verdict %d", m->name, v);
	if (len && !changed && memcmp(orig, data, len))
		fail("%s: bytes changed but *changed is false", m->name);
	free(orig);
	trace("  [%s c%d] seg side %d seq %u len %zu%s%s -> %s\n", m->name, c,
	      side, seq, len, syn ? " SYN" : "", has_ack ? " ACK" : "",
	      v == PPTP_RW_DROP ? "DROP" : "ok");
	return v;
}

/* The map table agrees with the call lists, and no entry is stale. */
static void model_check_table(struct model *m, bool idle)
{
	static int used[TAB_MAX];
	struct pptp_rw_call *k;
	int c, r, i, j, n = 0, bound = 0, matched = 0;

	for (i = 0; i < TAB_MAX; i++) {
		if (!m->tab[i].used)
			continue;
		if (m->tab[i].bound)
			bound++;
		else if (idle)
			fail("%s: reservation (conn %d side %d id %u) left",
			     m->name, m->tab[i].conn, m->tab[i].o,
			     m->tab[i].id);
		for (j = 0; j < n; j++)
			if (m->tab[used[j]].key == m->tab[i].key &&
			    m->tab[used[j]].id == m->tab[i].id)
				fail("%s: key %d id %u twice in the table",
				     m->name, m->tab[i].key, m->tab[i].id);
		used[n++] = i;
	}
	for (c = 0; c < cfg.nconn; c++) {
		for (k = m->conn[c].rw.calls; k; k = k->next) {
			for (r = 0; r < 2; r++) {
				const struct entry *e = NULL;
				int o = owner_of(k, r);

				if (!both_known(k, r))
					continue;
				for (j = 0; j < n; j++) {
					e = &m->tab[used[j]];
					if (e->bound && e->call == k &&
					    e->role == r)
						break;
				}
				if (j == n)
					fail("%s: conn %d call role %d has no table entry",
					     m->name, c, r);
				if (e->key != key_of(c, o) ||
				    e->id != k->id[!o][r] || e->conn != c)
					fail("%s: conn %d role %d: key %d id %u, call %u",
					     m->name, c, r, e->key, e->id,
					     k->id[!o][r]);
				matched++;
			}
		}
	}
	if (matched != bound)
		fail("%s: %d bound table entries for %d call IDs", m->name,
		     bound, matched);
}

/* ---- the conversation ---- */

enum gstate {
	GS_OCRQ_SENT = 1, GS_OCRQ_RCVD, GS_OCRP_SENT,
	GS_ICRQ_SENT, GS_ICRQ_RCVD, GS_ICRP_SENT, GS_ICRP_RCVD,
	GS_ICCN_SENT, GS_EST, GS_CCRQ_SENT, GS_CCRQ_RCVD, GS_GONE,
};

struct gcall {
	bool used;
	u8 st;
	bool out;		/* outgoing call */
	bool pns_seen_set, pac_seen_set;
	bool pns_raw_set, pac_raw_set;
	u16 pns_raw, pns_seen, pac_raw, pac_seen;
	u32 req_off, rep_off;	/* request and reply in the stream */
	u16 req_len, rep_len;
};

#define GM_DUP		1
#define GM_ACCEL	2

struct gmsg {
	u8 c, side, type, flags;
	int call;
	u32 off;
	u16 len;
	u8 result;
};

struct flight {
	u8 c, side;
	u32 start, end;
	int m0, m1;
};

struct gconn {
	struct gcall call[GCALLS];
	bool stopping, replied, done;
	int stopper;
};

static struct {
	u8 in[NCONN_MAX][2][STREAM_MAX];
	u8 ref[NCONN_MAX][2][STREAM_MAX];
	u32 len[NCONN_MAX][2];
	struct gmsg msg[MSG_MAX];
	int nmsg;
	struct flight fl[FLIGHTS_MAX];
	int nfl;
	int open;		/* flight being written, -1 */
	struct gconn g[NCONN_MAX];
	const u8 *p;		/* the script */
	size_t n;
	bool full;
} G;

static const u16 msg_size[PPTP_CTRL_TYPE_MAX + 1] = {
	0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24,
};

static u8 get8(void)
{
	if (!G.n)
		return 0;
	G.n--;
	return *G.p++;
}

static void dump_case(void)
{
	int c, i;

	fprintf(stderr, "case: %d conns, natted {%d,%d}, limit %d, seed %u\n",
		cfg.nconn, cfg.natted[0], cfg.natted[1], cfg.limit, cfg.seed);
	fprintf(stderr, "  loss %d%% dup %d%% reorder %d maxseg %d store_fail %d\n",
		cfg.loss, cfg.dup, cfg.reorder, cfg.maxseg, cfg.store_fail);
	for (c = 0; c < cfg.nconn; c++)
		fprintf(stderr, "  conn %d: host %d, PNS side %d%s, ISN %u/%u, %u/%u B\n",
			c, cfg.addr[c], cfg.pns_side[c],
			cfg.accel[c] ? ", accel-ppp CDN" : "",
			cfg.isn[c][0], cfg.isn[c][1], G.len[c][0],
			G.len[c][1]);
	for (i = 0; i < G.nmsg; i++) {
		const struct gmsg *g = &G.msg[i];
		const u8 *in = G.in[g->c][g->side] + g->off;
		const u8 *out = G.ref[g->c][g->side] + g->off;

		fprintf(stderr, "  msg %d: conn %d side %d @%u+%u %s%s %04x %04x -> %04x %04x\n",
			i, g->c, g->side, g->off, g->len,
			pptp_ctrl_name(g->type),
			g->flags & GM_DUP ? " (repeat)" : "",
			pptp_get16(in + 12), pptp_get16(in + 14),
			pptp_get16(out + 12), pptp_get16(out + 14));
	}
}

static void close_flight(void);

/* Make the open flight one of side @side of @c with room for a message. */
static void flight_for(int c, int side)
{
	struct flight *f;

	if (G.open >= 0) {
		f = &G.fl[G.open];
		if (f->c != c || f->side != side ||
		    f->end - f->start + 400 > FLIGHT_MAX)
			close_flight();
	}
	if (G.open >= 0)
		return;
	if (G.nfl == FLIGHTS_MAX) {
		G.full = true;
		return;
	}
	f = &G.fl[G.nfl];
	f->c = (u8)c;
	f->side = (u8)side;
	f->start = G.len[c][side];
	f->end = f->start;
	f->m0 = G.nmsg;
	f->m1 = G.nmsg;
	G.open = G.nfl++;
}

/* Append a message to the open flight; NULL when the case is full. */
static u8 *emit(int c, int side, int type, int call, u8 flags,
		struct gmsg **gm)
{
	struct flight *f;
	struct gmsg *g;
	u8 b = get8();
	u16 len = msg_size[type];
	u8 *p;
	int i;

	flight_for(c, side);
	if (G.open < 0 || G.nmsg == MSG_MAX)
		return NULL;
	f = &G.fl[G.open];
	if ((b & 0xe0) == 0xe0 && !exact_len)
		len += (b & 0x1f) * 5;
	if (G.len[c][side] + len + 400 > STREAM_MAX) {
		G.full = true;
		return NULL;
	}
	p = G.in[c][side] + G.len[c][side];
	for (i = 0; i < len; i++)
		p[i] = (u8)rnd();
	pptp_put16(p, len);
	pptp_put16(p + 2, PPTP_MSG_CONTROL);
	pptp_put16(p + 4, 0x1a2b);
	pptp_put16(p + 6, 0x3c4d);
	pptp_put16(p + 8, (u16)type);
	pptp_put16(p + 10, 0);
	g = &G.msg[G.nmsg++];
	g->c = (u8)c;
	g->side = (u8)side;
	g->type = (u8)type;
	g->flags = flags;
	g->call = call;
	g->off = G.len[c][side];
	g->len = len;
	g->result = 0;
	G.len[c][side] += len;
	f->end = G.len[c][side];
	f->m1 = G.nmsg;
	*gm = g;
	return p;
}

static u16 pick_id(int c, bool pns)
{
	static const u16 pool[16] = {
		0, 1, 2, 0x0100, 0x0101, 0x01ff, 0x0200, 0x4000,
		0x4001, 0x8000, 0xff00, 0xfffe, 0xffff, 0x1234, 0x0080, 0x0201,
	};
	u8 b = get8();
	u16 id = b >= 0xc0 ? (u16)((b & 0x3f) << 8 | get8()) : pool[b & 15];
	int i, tries;

	for (tries = 0; tries < 64; tries++) {
		for (i = 0; i < GCALLS; i++) {
			const struct gcall *k = &G.g[c].call[i];

			if (!k->used)
				continue;
			if (pns ? k->pns_raw_set && k->pns_raw == id :
				  k->pac_raw_set && k->pac_raw == id)
				break;
		}
		if (i == GCALLS)
			return id;
		id = pool[(b + tries + 1) & 15];
	}
	return (u16)(0x3000 + b);
}

/* ---- receiving a message of the reference output ---- */

static void expect(const struct gmsg *g, const char *what, u16 got, u16 want)
{
	if (got != want)
		fail("conn %d: %s from side %d at %u: %s is %#x, expected %#x",
		     g->c, pptp_ctrl_name(g->type), g->side, g->off, what, got,
		     want);
}

static void free_gcall(struct gcall *k)
{
	memset(k, 0, sizeof(*k));
}

static void rcv_msg(const struct gmsg *g)
{
	const u8 *in = G.in[g->c][g->side] + g->off;
	const u8 *out = G.ref[g->c][g->side] + g->off;
	struct gconn *gc = &G.g[g->c];
	struct gcall *k = g->call >= 0 ? &gc->call[g->call] : NULL;
	bool reply = g->type == PPTP_OUT_CALL_REPLY ||
		     g->type == PPTP_IN_CALL_REPLY;
	u16 id = pptp_get16(out + 12), peer = pptp_get16(out + 14);
	int i;

	for (i = 0; i < g->len; i++) {
		bool field = g->type >= PPTP_OUT_CALL_REQ &&
			     (i == 12 || i == 13 ||
			      (reply && i >= 14 && i <= 16));

		if (!field && in[i] != out[i])
			fail("conn %d: %s byte %d changed %#x -> %#x", g->c,
			     pptp_ctrl_name(g->type), i, in[i], out[i]);
	}
	switch (g->type) {
	case PPTP_OUT_CALL_REQ:
	case PPTP_IN_CALL_REQ:
		if (g->flags & GM_DUP) {
			expect(g, "repeated Call ID", id,
			       g->type == PPTP_OUT_CALL_REQ ? k->pns_seen :
							      k->pac_seen);
			break;
		}
		if (!id) {
			/* Refused: the receiver never hears of the call. */
			free_gcall(k);
			break;
		}
		if (g->type == PPTP_OUT_CALL_REQ) {
			k->pns_seen = id;
			k->pns_seen_set = true;
			k->st = GS_OCRQ_RCVD;
		} else {
			k->pac_seen = id;
			k->pac_seen_set = true;
			k->st = GS_ICRQ_RCVD;
		}
		break;
	case PPTP_OUT_CALL_REPLY:
	case PPTP_IN_CALL_REPLY:
		expect(g, "Peer Call ID", peer,
		       g->type == PPTP_OUT_CALL_REPLY ? k->pns_raw : k->pac_raw);
		if (g->flags & GM_DUP) {
			expect(g, "repeated Call ID", id,
			       g->type == PPTP_OUT_CALL_REPLY ? k->pac_seen :
								k->pns_seen);
			expect(g, "repeated Result", out[16], g->result);
			break;
		}
		if (g->result != 1) {
			expect(g, "failure Result", out[16], g->result);
			free_gcall(k);
			break;
		}
		if (!id) {
			expect(g, "Result of a refused reply", out[16], 2);
			free_gcall(k);
			break;
		}
		expect(g, "Result", out[16], 1);
		if (g->type == PPTP_OUT_CALL_REPLY) {
			k->pac_seen = id;
			k->pac_seen_set = true;
			k->st = GS_EST;
		} else {
			k->pns_seen = id;
			k->pns_seen_set = true;
			k->st = GS_ICRP_RCVD;
		}
		break;
	case PPTP_IN_CALL_CONNECTED:
		expect(g, "Peer Call ID", id, k->pns_raw);
		k->st = GS_EST;
		break;
	case PPTP_WAN_ERROR_NOTIFY:
		expect(g, "Peer Call ID", id, k->pns_raw);
		break;
	case PPTP_SET_LINK_INFO:
		expect(g, "Peer Call ID", id,
		       g->side == cfg.pns_side[g->c] ? k->pac_raw : k->pns_raw);
		break;
	case PPTP_CALL_CLEAR_REQ:
		expect(g, "Call ID", id, k->pns_seen);
		k->st = GS_CCRQ_RCVD;
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		if (g->flags & GM_ACCEL)
			expect(g, "Call ID (accel-ppp)", id, k->pns_raw);
		else
			expect(g, "Call ID", id, k->pac_seen);
		free_gcall(k);
		break;
	case PPTP_STOP_CTRL_REQ:
		for (i = 0; i < GCALLS; i++)
			free_gcall(&gc->call[i]);
		break;
	case PPTP_STOP_CTRL_REPLY:
		gc->done = true;
		break;
	default:
		break;
	}
}

/*
 * Every ID a far side has learned is bound in the reference map table,
 * under the key of the side that owns it, to a call of that connection
 * that holds the owner's raw ID (GRE sent to it reaches the right host);
 * the (key, ID) pairs are distinct across connections.
 */
static void check_views(void)
{
	int c, i, r, t;

	for (c = 0; c < cfg.nconn; c++) {
		for (i = 0; i < GCALLS; i++) {
			const struct gcall *k = &G.g[c].call[i];

			if (!k->used)
				continue;
			for (r = 0; r < 2; r++) {
				bool set = r ? k->pac_seen_set :
					       k->pns_seen_set;
				u16 seen = r ? k->pac_seen : k->pns_seen;
				u16 raw = r ? k->pac_raw : k->pns_raw;
				int o = r ? !cfg.pns_side[c] :
					    cfg.pns_side[c];
				const struct entry *e = NULL;

				if (!set)
					continue;
				for (t = 0; t < TAB_MAX; t++) {
					e = &ref_m.tab[t];
					if (e->used && e->key == key_of(c, o) &&
					    e->id == seen)
						break;
				}
				if (t == TAB_MAX || !e->bound)
					fail("conn %d: %s ID %#x (raw %#x) known, not bound",
					     c, r ? "PAC" : "PNS", seen, raw);
				if (e->conn != c || e->role != r ||
				    e->call->id[o][r] != raw)
					fail("conn %d: %s ID %#x (raw %#x) maps to %d/%d/%#x",
					     c, r ? "PAC" : "PNS", seen, raw,
					     e->conn, e->role,
					     e->call->id[o][r]);
			}
		}
	}
}

/* Deliver the open flight in one segment, then its ACK. */
static void close_flight(void)
{
	struct flight *f;
	int c, s, i;
	u8 *buf;
	size_t n;

	if (G.open < 0)
		return;
	f = &G.fl[G.open];
	G.open = -1;
	c = f->c;
	s = f->side;
	n = f->end - f->start;
	buf = malloc(n);
	if (!buf)
		abort();
	memcpy(buf, G.in[c][s] + f->start, n);
	trace("flight %d: conn %d side %d bytes %u..%u\n", (int)(f - G.fl), c,
	      s, f->start, f->end);
	if (model_seg(&ref_m, c, s, cfg.isn[c][s] + 1 + f->start,
		      cfg.isn[c][!s] + 1 + G.len[c][!s], false, true, buf,
		      n) != PPTP_RW_ACCEPT)
		fail("reference: flight %d dropped", (int)(f - G.fl));
	memcpy(G.ref[c][s] + f->start, buf, n);
	free(buf);
	model_seg(&ref_m, c, !s, cfg.isn[c][!s] + 1 + G.len[c][!s],
		  cfg.isn[c][s] + 1 + f->end, false, true, NULL, 0);
	for (i = f->m0; i < f->m1; i++)
		rcv_msg(&G.msg[i]);
	model_check_table(&ref_m, true);
	check_views();
}

/* ---- conversation steps ---- */

static int find_call(int c, u8 st1, u8 st2, bool any_live)
{
	int cand[GCALLS], n = 0, i;

	for (i = 0; i < GCALLS; i++) {
		const struct gcall *k = &G.g[c].call[i];

		if (!k->used)
			continue;
		if (k->st == st1 || k->st == st2 ||
		    (any_live && k->st == GS_EST))
			cand[n++] = i;
	}
	if (!n)
		return -1;
	return cand[get8() % n];
}

static int free_slot(int c)
{
	int i;

	for (i = 0; i < GCALLS; i++)
		if (!G.g[c].call[i].used)
			return i;
	return -1;
}

static void copy_msg(int c, int side, u32 off, u16 len, u8 *p)
{
	memcpy(p, G.in[c][side] + off, len);
}

/*
 * Known bug (fuzz/known/README): at the call limit the rewriter refuses a
 * repeated request instead of mapping it onto its call. Such repeats are
 * not generated unless FUZZ_DUP_AT_LIMIT: the calls the rewriter may hold
 * when it reads one are those it holds now plus the new requests of the
 * open flight.
 */
static bool at_limit(int c)
{
	int n = ref_m.conn[c].ncalls, i;

	if (dup_at_limit || G.open < 0)
		return false;
	for (i = G.fl[G.open].m0; i < G.fl[G.open].m1; i++)
		if (!(G.msg[i].flags & GM_DUP) &&
		    (G.msg[i].type == PPTP_OUT_CALL_REQ ||
		     G.msg[i].type == PPTP_IN_CALL_REQ))
			n++;
	return n + 1 >= cfg.limit;
}

/*
 * An accel-ppp CDN carrying a value that is also a live call's PAC ID on
 * this connection is ambiguous on the wire; the rewriter then takes the
 * RFC reading (the PAC's own ID), so such a server would clear the wrong
 * call with or without the gateway. Send the RFC form instead.
 */
static bool pac_owns(const struct gconn *gc, u16 id)
{
	int j;

	for (j = 0; j < GCALLS; j++) {
		const struct gcall *o = &gc->call[j];

		if (o->used && o->st != GS_GONE && o->pac_raw_set &&
		    o->pac_raw == id)
			return true;
	}
	return false;
}

static void step(void)
{
	u8 a = get8(), b;
	int c = a % cfg.nconn, pns, pac, i;
	struct gconn *gc = &G.g[c];
	struct gcall *k;
	struct gmsg *g;
	u8 *p;

	pns = cfg.pns_side[c];
	pac = !pns;
	if (gc->done)
		return;
	if (gc->stopping) {
		if (!gc->replied &&
		    emit(c, !gc->stopper, PPTP_STOP_CTRL_REPLY, -1, 0, &g))
			gc->replied = true;
		return;
	}
	switch ((a >> 2) % 15) {
	case 0:		/* OCRQ */
	case 1:
		flight_for(c, pns);
		i = free_slot(c);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, pns, PPTP_OUT_CALL_REQ, i, 0, &g);
		if (!p)
			return;
		memset(k, 0, sizeof(*k));
		k->used = true;
		k->out = true;
		k->st = GS_OCRQ_SENT;
		k->pns_raw = pick_id(c, true);
		k->pns_raw_set = true;
		pptp_put16(p + 12, k->pns_raw);
		k->req_off = g->off;
		k->req_len = g->len;
		break;
	case 2:		/* OCRP */
	case 3:
		flight_for(c, pac);
		i = find_call(c, GS_OCRQ_RCVD, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		b = get8();
		p = emit(c, pac, PPTP_OUT_CALL_REPLY, i, 0, &g);
		if (!p)
			return;
		k->pac_raw = pick_id(c, false);
		k->pac_raw_set = true;
		pptp_put16(p + 12, k->pac_raw);
		pptp_put16(p + 14, k->pns_seen);
		p[16] = (b & 7) ? 1 : 3 + (b >> 6);
		g->result = p[16];
		k->rep_off = g->off;
		k->rep_len = g->len;
		k->st = p[16] == 1 ? GS_OCRP_SENT : GS_GONE;
		break;
	case 4:		/* ICRQ */
		flight_for(c, pac);
		i = free_slot(c);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, pac, PPTP_IN_CALL_REQ, i, 0, &g);
		if (!p)
			return;
		memset(k, 0, sizeof(*k));
		k->used = true;
		k->st = GS_ICRQ_SENT;
		k->pac_raw = pick_id(c, false);
		k->pac_raw_set = true;
		pptp_put16(p + 12, k->pac_raw);
		k->req_off = g->off;
		k->req_len = g->len;
		break;
	case 5:		/* ICRP */
		flight_for(c, pns);
		i = find_call(c, GS_ICRQ_RCVD, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		b = get8();
		p = emit(c, pns, PPTP_IN_CALL_REPLY, i, 0, &g);
		if (!p)
			return;
		k->pns_raw = pick_id(c, true);
		k->pns_raw_set = true;
		pptp_put16(p + 12, k->pns_raw);
		pptp_put16(p + 14, k->pac_seen);
		p[16] = (b & 7) ? 1 : 2 + (b >> 7);
		g->result = p[16];
		k->rep_off = g->off;
		k->rep_len = g->len;
		k->st = p[16] == 1 ? GS_ICRP_SENT : GS_GONE;
		break;
	case 6:		/* ICCN */
		flight_for(c, pac);
		i = find_call(c, GS_ICRP_RCVD, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, pac, PPTP_IN_CALL_CONNECTED, i, 0, &g);
		if (!p)
			return;
		pptp_put16(p + 12, k->pns_seen);
		k->st = GS_ICCN_SENT;
		break;
	case 7:		/* SLI, either way */
		b = get8();
		flight_for(c, b & 1 ? pac : pns);
		i = find_call(c, GS_EST, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, b & 1 ? pac : pns, PPTP_SET_LINK_INFO, i, 0, &g);
		if (!p)
			return;
		pptp_put16(p + 12, b & 1 ? k->pns_seen : k->pac_seen);
		break;
	case 8:		/* WEN */
		flight_for(c, pac);
		i = find_call(c, GS_EST, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, pac, PPTP_WAN_ERROR_NOTIFY, i, 0, &g);
		if (!p)
			return;
		pptp_put16(p + 12, k->pns_seen);
		break;
	case 9:		/* CCRQ */
		flight_for(c, pns);
		i = find_call(c, GS_EST, 0, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		p = emit(c, pns, PPTP_CALL_CLEAR_REQ, i, 0, &g);
		if (!p)
			return;
		pptp_put16(p + 12, k->pns_raw);
		k->st = GS_CCRQ_SENT;
		break;
	case 10:	/* CDN */
		flight_for(c, pac);
		i = find_call(c, GS_CCRQ_RCVD, GS_EST, false);
		if (i < 0)
			return;
		k = &gc->call[i];
		b = cfg.accel[c] && !pac_owns(gc, k->pns_seen);
		p = emit(c, pac, PPTP_CALL_DISCONNECT_NOTIFY, i,
			 b ? GM_ACCEL : 0, &g);
		if (!p)
			return;
		pptp_put16(p + 12, b ? k->pns_seen : k->pac_raw);
		k->st = GS_GONE;
		break;
	case 11:	/* a request again */
		b = get8();
		if (b & 1) {
			flight_for(c, pns);
			if (at_limit(c))
				return;
			i = find_call(c, GS_OCRQ_RCVD, GS_OCRP_SENT, false);
			if (i < 0)
				return;
			k = &gc->call[i];
			p = emit(c, pns, PPTP_OUT_CALL_REQ, i, GM_DUP, &g);
		} else {
			flight_for(c, pac);
			if (at_limit(c))
				return;
			i = find_call(c, GS_ICRQ_RCVD, GS_ICRP_SENT, false);
			if (i < 0)
				return;
			k = &gc->call[i];
			p = emit(c, pac, PPTP_IN_CALL_REQ, i, GM_DUP, &g);
		}
		if (!p)
			return;
		if (g->len != k->req_len) {
			/* Repeated with another length: keep the first. */
			G.len[c][g->side] -= g->len;
			g->len = k->req_len;
			G.len[c][g->side] += g->len;
			G.fl[G.open].end = G.len[c][g->side];
		}
		copy_msg(c, g->side, k->req_off, k->req_len, p);
		break;
	case 12:	/* a reply again */
		b = get8();
		if (b & 1) {
			flight_for(c, pac);
			i = find_call(c, GS_EST, GS_EST, false);
			if (i < 0 || !gc->call[i].out)
				return;
			k = &gc->call[i];
			p = emit(c, pac, PPTP_OUT_CALL_REPLY, i, GM_DUP, &g);
		} else {
			flight_for(c, pns);
			i = find_call(c, GS_ICRP_RCVD, GS_ICCN_SENT, false);
			if (i < 0)
				return;
			k = &gc->call[i];
			p = emit(c, pns, PPTP_IN_CALL_REPLY, i, GM_DUP, &g);
		}
		if (!p)
			return;
		if (g->len != k->rep_len) {
			G.len[c][g->side] -= g->len;
			g->len = k->rep_len;
			G.len[c][g->side] += g->len;
			G.fl[G.open].end = G.len[c][g->side];
		}
		copy_msg(c, g->side, k->rep_off, k->rep_len, p);
		g->result = 1;
		break;
	case 13:	/* Echo */
		b = get8();
		flight_for(c, b & 1);
		p = emit(c, b & 1, PPTP_ECHO_REQ, -1, 0, &g);
		if (!p)
			return;
		flight_for(c, !(b & 1));
		emit(c, !(b & 1), PPTP_ECHO_REPLY, -1, 0, &g);
		break;
	default:	/* StopCCRQ, rarely */
		b = get8();
		if (b < 0xf0)
			return;
		flight_for(c, b & 1);
		p = emit(c, b & 1, PPTP_STOP_CTRL_REQ, -1, 0, &g);
		if (!p)
			return;
		gc->stopping = true;
		gc->stopper = b & 1;
		break;
	}
}

/* ---- the test run's network ---- */

struct pkt {
	u8 c, side;		/* sender */
	bool post;		/* through the NAT already */
	bool syn, has_ack;
	u32 seq, ack;
	u16 len;
	u8 *data;
};

struct tx {
	u32 una, nxt, lim;	/* stream offsets */
};

struct rx {
	u32 nxt;
	u8 buf[STREAM_MAX];
	u8 have[STREAM_MAX];
};

static struct {
	struct tx tx[NCONN_MAX][2];
	struct rx rx[NCONN_MAX][2];	/* bytes sent by side s */
	struct pkt *q[Q_MAX];
	int nq;
	bool tiny;		/* this flight goes in 1-4 byte segments */
} N;

static void q_push(struct pkt *p)
{
	if (N.nq == Q_MAX) {
		free(p->data);
		free(p);
		return;
	}
	N.q[N.nq++] = p;
}

static struct pkt *pkt_new(int c, int side, u32 seq, u32 ack, bool syn,
			   const u8 *data, u16 len)
{
	struct pkt *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->c = (u8)c;
	p->side = (u8)side;
	p->seq = seq;
	p->ack = ack;
	p->syn = syn;
	p->has_ack = true;
	p->len = len;
	if (len) {
		p->data = malloc(len);
		if (!p->data)
			abort();
		memcpy(p->data, data, len);
	}
	return p;
}

static void pkt_free(struct pkt *p)
{
	free(p->data);
	free(p);
}

/* Where in the conversation stream offset @o of (c, s) lies. */
static void where(int c, int s, u32 o)
{
	int i;

	for (i = 0; i < G.nmsg; i++) {
		const struct gmsg *g = &G.msg[i];

		if (g->c == c && g->side == s && o >= g->off &&
		    o < g->off + g->len) {
			fprintf(stderr, "  (byte %u of msg %d, %s%s)\n",
				o - g->off, i, pptp_ctrl_name(g->type),
				g->flags & GM_DUP ? " repeat" : "");
			return;
		}
	}
}

static void ack_from(int c, int r);

static void host_rcv(struct pkt *p)
{
	int c = p->c, s = p->side, i;
	struct rx *x = &N.rx[c][s];
	struct tx *t = &N.tx[c][!s];
	s32 off = (s32)(p->seq - (cfg.isn[c][s] + 1));
	s32 a;

	for (i = 0; i < p->len; i++) {
		s32 o = off + i;

		if (o < (s32)x->nxt)
			continue;
		if ((u32)o >= G.len[c][s])
			fail("conn %d side %d: byte %d beyond the stream", c,
			     s, o);
		if (x->have[o]) {
			if (x->buf[o] != p->data[i])
				fail("conn %d side %d: byte %d received as %#x then %#x",
				     c, s, o, x->buf[o], p->data[i]);
			continue;
		}
		x->have[o] = 1;
		x->buf[o] = p->data[i];
		if (x->buf[o] != G.ref[c][s][o]) {
			where(c, s, (u32)o);
			fail("conn %d side %d: byte %d received as %#x, reference %#x",
			     c, s, o, x->buf[o], G.ref[c][s][o]);
		}
	}
	while (x->nxt < G.len[c][s] && x->have[x->nxt])
		x->nxt++;
	if (p->has_ack && !p->syn) {
		a = (s32)(p->ack - (cfg.isn[c][!s] + 1));
		if (a > (s32)t->una && a <= (s32)t->nxt)
			t->una = (u32)a;
	}
	if (p->len)
		ack_from(c, !s);
}

/* Side @r of connection @c sends a pure ACK. */
static void ack_from(int c, int r)
{
	q_push(pkt_new(c, r, cfg.isn[c][r] + 1 + N.tx[c][r].nxt,
		       cfg.isn[c][!r] + 1 + N.rx[c][!r].nxt, false, NULL, 0));
}

static void nat(struct pkt *p)
{
	if (model_seg(&test_m, p->c, p->side, p->seq, p->ack, p->syn,
		      p->has_ack, p->data, p->len) == PPTP_RW_DROP) {
		pkt_free(p);
		return;
	}
	p->post = true;
	q_push(p);
}

static void deliver(int i, bool chaos)
{
	struct pkt *p = N.q[i], *d;

	if (chaos && cfg.dup && rndn(100) < (u32)cfg.dup) {
		d = pkt_new(p->c, p->side, p->seq, p->ack, p->syn, p->data,
			    p->len);
		d->post = p->post;
		N.q[i] = d;
	} else {
		memmove(N.q + i, N.q + i + 1, (N.nq - i - 1) * sizeof(*N.q));
		N.nq--;
	}
	if (chaos && cfg.loss && rndn(100) < (u32)cfg.loss) {
		pkt_free(p);
		return;
	}
	if (!p->post) {
		nat(p);
		return;
	}
	host_rcv(p);
	pkt_free(p);
}

/* Side @s of @c sends a segment; false when it has nothing to send. */
static bool transmit(int c, int s, bool chaos)
{
	struct tx *t = &N.tx[c][s];
	u32 start, len, end;

	if (t->una >= t->lim)
		return false;
	if (!chaos) {
		start = t->una;
		len = 1460;
	} else {
		if (t->nxt < t->lim && rndn(4))
			start = t->nxt;
		else
			start = t->una + rndn(t->nxt - t->una + 1);
		if (start > t->una && rndn(8) == 0)
			start -= rndn(start - t->una + 1);
		len = N.tiny ? 1 + rndn(4) : 1 + rndn((u32)cfg.maxseg);
	}
	end = start + len < t->lim ? start + len : t->lim;
	if (end <= start)
		return false;
	q_push(pkt_new(c, s, cfg.isn[c][s] + 1 + start,
		       cfg.isn[c][!s] + 1 + N.rx[c][!s].nxt, false,
		       G.in[c][s] + start, (u16)(end - start)));
	if (end > t->nxt)
		t->nxt = end;
	return true;
}

static bool net_step(int fc, int fs, bool chaos)
{
	int c, s;
	u32 r;

	if (!chaos) {
		if (N.nq) {
			deliver(0, false);
			return true;
		}
		if (transmit(fc, fs, false))
			return true;
		for (c = 0; c < cfg.nconn; c++)
			for (s = 0; s < 2; s++)
				if (transmit(c, s, false))
					return true;
		return false;
	}
	r = rndn(100);
	if (r < 30 || !N.nq) {
		if (rndn(4)) {
			c = fc;
			s = fs;
		} else {
			c = (int)rndn((u32)cfg.nconn);
			s = (int)rndn(2);
		}
		transmit(c, s, true);
	} else if (r < 92) {
		deliver(cfg.reorder ? (int)rndn((u32)N.nq) : 0, true);
	} else {
		c = (int)rndn((u32)cfg.nconn);
		ack_from(c, (int)rndn(2));
	}
	return true;
}

static void test_run(void)
{
	int c, f, s;
	u32 steps, chaos;
	u8 none = 0;

	memset(&N, 0, sizeof(N));
	for (c = 0; c < cfg.nconn; c++) {
		model_seg(&test_m, c, 0, cfg.isn[c][0], 0, true, false, &none,
			  0);
		if (rndn(4) == 0)
			model_seg(&test_m, c, 0, cfg.isn[c][0], 0, true, false,
				  &none, 0);
		model_seg(&test_m, c, 1, cfg.isn[c][1], cfg.isn[c][0] + 1, true,
			  true, &none, 0);
		model_seg(&test_m, c, 0, cfg.isn[c][0] + 1, cfg.isn[c][1] + 1,
			  false, true, &none, 0);
	}
	for (f = 0; f < G.nfl; f++) {
		const struct flight *fl = &G.fl[f];

		trace("test flight %d: conn %d side %d bytes %u..%u\n", f,
		      fl->c, fl->side, fl->start, fl->end);
		N.tx[fl->c][fl->side].lim = fl->end;
		/* A quarter of the flights go through a benign network. */
		chaos = rndn(4) ? CHAOS_STEPS : 0;
		N.tiny = rndn(3) == 0;
		for (steps = 0; N.rx[fl->c][fl->side].nxt < fl->end; steps++) {
			if (!net_step(fl->c, fl->side, steps < chaos) ||
			    steps > STALL_STEPS)
				fail("test run: flight %d stalls at byte %u of %u",
				     f, N.rx[fl->c][fl->side].nxt, fl->end);
		}
	}
	/* Drain: every sender hears its last ACK, nothing stays queued. */
	for (steps = 0;; steps++) {
		bool busy = N.nq > 0;

		for (c = 0; c < cfg.nconn; c++)
			for (s = 0; s < 2; s++)
				if (N.tx[c][s].una < N.tx[c][s].lim)
					busy = true;
		if (!busy)
			break;
		if (!net_step(0, 0, false) || steps > STALL_STEPS)
			fail("test run: drain stalls");
	}
}

/* ---- comparing the runs ---- */

struct csnap {
	u8 state, pns_side, known;
	u16 id[4];
};

static int snap_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct csnap));
}

static int snap(struct model *m, int c, struct csnap *out, int max)
{
	struct pptp_rw_call *k;
	int n = 0, i;

	for (k = m->conn[c].rw.calls; k; k = k->next) {
		if (n == max)
			fail("%s: more than %d calls", m->name, max);
		memset(&out[n], 0, sizeof(out[n]));
		out[n].state = k->state;
		out[n].pns_side = k->pns_side;
		out[n].known = k->known;
		for (i = 0; i < 4; i++)
			if (k->known & (1U << i))
				out[n].id[i] = k->id[i >> 1][i & 1];
		n++;
	}
	qsort(out, n, sizeof(*out), snap_cmp);
	return n;
}

struct tsnap {
	int key, conn, o, bound;
	u16 id;
};

static int tsnap_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tsnap));
}

static int tab_snap(struct model *m, struct tsnap *out)
{
	int i, n = 0;

	for (i = 0; i < TAB_MAX; i++) {
		if (!m->tab[i].used)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].key = m->tab[i].key;
		out[n].conn = m->tab[i].conn;
		out[n].o = m->tab[i].o;
		out[n].bound = m->tab[i].bound;
		out[n].id = m->tab[i].id;
		n++;
	}
	qsort(out, n, sizeof(*out), tsnap_cmp);
	return n;
}

static const enum pptp_rw_event semantic_ev[] = {
	PPTP_RW_EV_MSG, PPTP_RW_EV_NOT_FOUND, PPTP_RW_EV_UNEXPECTED,
	PPTP_RW_EV_DUPLICATE, PPTP_RW_EV_REFUSED, PPTP_RW_EV_CALL_FAILED,
};

static const enum pptp_rw_event never_ev[] = {
	PPTP_RW_EV_BAD_COOKIE, PPTP_RW_EV_BAD_MSG_TYPE,
	PPTP_RW_EV_BAD_CTRL_TYPE, PPTP_RW_EV_BAD_LENGTH,
	PPTP_RW_EV_MIDSTREAM, PPTP_RW_EV_CLOSED, PPTP_RW_EV_BIND_FAILED,
};

static void compare_runs(void)
{
	static struct csnap a[64], b[64];
	static struct tsnap ta[TAB_MAX], tb[TAB_MAX];
	int c, s, na, nb, i;

	for (c = 0; c < cfg.nconn; c++) {
		for (s = 0; s < 2; s++) {
			const struct rx *x = &N.rx[c][s];

			if (x->nxt != G.len[c][s])
				fail("conn %d side %d: %u of %u bytes received",
				     c, s, x->nxt, G.len[c][s]);
			if (memcmp(x->buf, G.ref[c][s], G.len[c][s]))
				fail("conn %d side %d: stream differs", c, s);
		}
		na = snap(&ref_m, c, a, 64);
		nb = snap(&test_m, c, b, 64);
		if (na != nb || memcmp(a, b, na * sizeof(*a)))
			fail("conn %d: call tables differ (%d vs %d calls)", c,
			     na, nb);
	}
	na = tab_snap(&ref_m, ta);
	nb = tab_snap(&test_m, tb);
	if (na != nb || memcmp(ta, tb, na * sizeof(*ta)))
		fail("map tables differ (%d vs %d entries)", na, nb);
	for (i = 0; i < (int)(sizeof(semantic_ev) / sizeof(*semantic_ev));
	     i++)
		if (ref_m.ev[semantic_ev[i]] != test_m.ev[semantic_ev[i]])
			fail("event %d counted %lu times, %lu in the reference",
			     semantic_ev[i], test_m.ev[semantic_ev[i]],
			     ref_m.ev[semantic_ev[i]]);
	for (i = 0; i < (int)(sizeof(never_ev) / sizeof(*never_ev)); i++)
		if (ref_m.ev[never_ev[i]] || test_m.ev[never_ev[i]])
			fail("event %d in a valid conversation", never_ev[i]);
}

static void teardown(struct model *m)
{
	int c, i;

	for (c = 0; c < cfg.nconn; c++)
		RW_DESTROY(&m->conn[c].rw, &m_ops, &m->conn[c]);
	for (i = 0; i < TAB_MAX; i++)
		if (m->tab[i].used)
			fail("%s: entry (conn %d side %d id %u) left at the end",
			     m->name, m->tab[i].conn, m->tab[i].o,
			     m->tab[i].id);
	if (m->calls || m->stores)
		fail("%s: %ld calls, %ld stores left at the end", m->name,
		     m->calls, m->stores);
}

/* ---- the input ---- */

static void setup(const u8 *d)
{
	static const int maxsegs[8] = { 1, 2, 3, 7, 16, 40, 300, 1460 };
	static const u32 isns[4] = { 0, 0xffffffffU, 0xfffffff0U, 0x7ffffff8U };
	int c, s, topo = d[0] & 3;

	memset(&cfg, 0, sizeof(cfg));
	cfg.nconn = 2 + ((d[0] >> 2) & 1);
	cfg.natted[0] = topo == 0 || topo == 2;
	cfg.natted[1] = topo == 1 || topo == 2;
	if ((d[0] & 0x38) == 0x38) {
		cfg.natted[0] = false;
		cfg.natted[1] = false;
	}
	cfg.limit = d[0] >> 6 ? (d[0] >> 6) * 2 : 1000;
	for (c = 0; c < NCONN_MAX; c++) {
		cfg.addr[c] = (d[1] >> c) & 1;
		cfg.pns_side[c] = ((d[1] >> (c + 3)) & 7) == 7;
		cfg.accel[c] = accel_cdn && ((d[2] >> c) & 9) == 9;
	}
	cfg.seed = pptp_get16(d + 2);
	cfg.loss = (d[1] >> 6) * 12;
	cfg.dup = ((d[2] >> 4) & 3) * 8;
	cfg.reorder = (d[2] >> 6) & 1;
	cfg.maxseg = maxsegs[d[3] & 7];
	cfg.store_fail = (d[3] & 0x18) == 0x18 ? 8 : 0;
	cfg.rng = ((u64)pptp_get16(d + 4) << 32 | pptp_get16(d + 6)) * 2 + 1;
	for (c = 0; c < NCONN_MAX; c++)
		for (s = 0; s < 2; s++)
			cfg.isn[c][s] = rndn(2) ? (u32)rnd() :
				isns[rndn(4)] - rndn(300);
}

int fuzz_one_input(const u8 *data, size_t size);

/* libFuzzer's entry point has a CamelCase name: an asm label gives it. */
int fuzz_one_input(const u8 *data, size_t size)
	__asm__("LLVMFuzzerTestOneInput");

int fuzz_one_input(const u8 *data, size_t size)
{
	int c, steps;

	if (size < 8)
		return 0;
	verbose = !!getenv("FUZZ_VERBOSE");
	accel_cdn = !getenv("FUZZ_NO_ACCEL_CDN");
	exact_len = !!getenv("FUZZ_EXACT_LEN");
	dup_at_limit = !!getenv("FUZZ_DUP_AT_LIMIT");
	setup(data);
	memset(&G, 0, sizeof(G));
	G.open = -1;
	G.p = data + 8;
	G.n = size - 8;
	model_init(&ref_m, "reference", false);
	model_init(&test_m, "test", true);

	for (c = 0; c < cfg.nconn; c++) {
		u8 none = 0;
		struct gmsg *g;

		model_seg(&ref_m, c, 0, cfg.isn[c][0], 0, true, false, &none, 0);
		model_seg(&ref_m, c, 1, cfg.isn[c][1], cfg.isn[c][0] + 1, true,
			  true, &none, 0);
		model_seg(&ref_m, c, 0, cfg.isn[c][0] + 1, cfg.isn[c][1] + 1,
			  false, true, &none, 0);
		emit(c, 0, PPTP_START_CTRL_REQ, -1, 0, &g);
		emit(c, 1, PPTP_START_CTRL_REPLY, -1, 0, &g);
	}
	for (steps = 0; G.n && !G.full && G.nmsg < MSG_MAX - 4; steps++)
		step();
	close_flight();
	trace("%d messages in %d flights\n", G.nmsg, G.nfl);

	test_run();
	compare_runs();
	model_check_table(&test_m, true);
	teardown(&ref_m);
	teardown(&test_m);
	return 0;
}
