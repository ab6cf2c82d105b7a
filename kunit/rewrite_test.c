// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nf_pptp_alg_rewrite: the PPTP control-stream rewriter
 * (src/pptp_rewrite.c) driven through model ops defined here.
 *
 * The model: calls come from kzalloc() up to a limit, Call IDs from a
 * pptp_callid_pick_in() allocator seeded at RWT_SEED (so the first ID it
 * hands out is 1226, the value of the design document's walk-through),
 * busy when bound in a small table of the side whose peer they translate;
 * stores come from kmalloc() filled with a poison byte; every event is
 * counted per type. The model checks the ops contract itself (a bind
 * consumes the reservation of the ID the call got, release follows a
 * reservation, a freed call is unlinked) and counts every breach.
 *
 * A conversation is a list of messages with the side that sends each; the
 * reference run delivers every message as one segment. Each case compares
 * its output bytes with the reference's and asserts the exact translated
 * values, and that its precondition held (the field was really split, the
 * segment was really dropped...).
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pptp_callid.h"
#include "pptp_rewrite.h"

#define RWT_SEED	1225	/* the model's first Call ID is 1226 */
#define RWT_BOUND	32
#define RWT_STEPS	24
#define RWT_STREAM	10240	/* output bytes kept per direction */
#define RWT_ISN0	1000
#define RWT_ISN1	500000
#define RWT_POISON	0xee	/* a fresh store's bytes */
#define RWT_MSG_MAX	272	/* longest message a case builds */

/* ------------------------------------------------------------------ */
/* The model ops */

struct rwt_bound {
	bool used;
	u8 o;
	u16 id;
	struct pptp_rw_call *call;
};

struct rwt_model {
	struct pptp_callid_alloc alloc;
	bool held[2];			/* reservation of side o's peer */
	u16 resv[2];
	struct rwt_bound bound[RWT_BOUND];
	u16 busy_lo, busy_hi;		/* IDs taken elsewhere (both o) */
	unsigned int live, limit;
	unsigned int frees[PPTP_RW_FREE_MAX];
	unsigned int stores;
	unsigned int reserves;
	bool fail_reserve, fail_bind, fail_store;
	unsigned int ev[PPTP_RW_EV_MAX];
	unsigned int breaches;		/* ops contract broken */
};

struct rwt_busy_ctx {
	struct rwt_model *m;
	int o;
};

static bool rwt_busy(void *ctx, u16 id)
{
	struct rwt_busy_ctx *b = ctx;
	unsigned int i;

	if (!id)
		b->m->breaches++;	/* the allocator never asks about 0 */
	if (id >= b->m->busy_lo && id <= b->m->busy_hi)
		return true;
	for (i = 0; i < RWT_BOUND; i++)
		if (b->m->bound[i].used && b->m->bound[i].o == b->o &&
		    b->m->bound[i].id == id)
			return true;
	return false;
}

struct rwt_call {
	struct pptp_rw_call rw;
	unsigned long magic;
};

#define RWT_MAGIC	0x5054505043414c4cUL

static struct pptp_rw_call *rwt_call_new(void *ctx)
{
	struct rwt_model *m = ctx;
	struct rwt_call *c;

	if (m->live >= m->limit)
		return NULL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->magic = RWT_MAGIC;
	m->live++;
	return &c->rw;
}

static void rwt_call_free(void *ctx, struct pptp_rw_call *call,
			  enum pptp_rw_free why)
{
	struct rwt_call *c = container_of(call, struct rwt_call, rw);
	struct rwt_model *m = ctx;
	unsigned int i;

	if (c->magic != RWT_MAGIC || call->pprev || !m->live ||
	    why >= PPTP_RW_FREE_MAX) {
		m->breaches++;
		return;
	}
	for (i = 0; i < RWT_BOUND; i++)
		if (m->bound[i].used && m->bound[i].call == call)
			m->bound[i].used = false;
	m->frees[why]++;
	m->live--;
	c->magic = 0;
	kfree(c);
}

/* Calls freed by an orderly end: CDN, Stop, FIN/RST, teardown, unparsed. */
static unsigned int rwt_cleared(const struct rwt_model *m)
{
	return m->frees[PPTP_RW_FREE_CDN] + m->frees[PPTP_RW_FREE_STOP] +
	       m->frees[PPTP_RW_FREE_FIN] + m->frees[PPTP_RW_FREE_TEARDOWN] +
	       m->frees[PPTP_RW_FREE_UNPARSED];
}

static int rwt_reserve(void *ctx, int o, const u8 *blocks, int prefer,
		       u16 *out)
{
	struct rwt_model *m = ctx;
	struct rwt_busy_ctx b = { m, o };
	u16 got;

	m->reserves++;
	if (o < 0 || o > 1) {
		m->breaches++;
		return -1;
	}
	if (m->fail_reserve)
		return -1;
	if (pptp_callid_pick_in(&m->alloc, blocks, prefer, 65535, rwt_busy,
				&b, &got))
		return -1;
	if (!got || !(blocks[got >> 11] & (1U << ((got >> 8) & 7))))
		m->breaches++;
	m->held[o] = true;
	m->resv[o] = got;
	*out = got;
	return 0;
}

static void rwt_release(void *ctx, int o)
{
	struct rwt_model *m = ctx;

	if (o < 0 || o > 1 || !m->held[o]) {
		m->breaches++;
		return;
	}
	m->held[o] = false;
}

static int rwt_bind(void *ctx, struct pptp_rw_call *call, int o, int role)
{
	struct rwt_model *m = ctx;
	unsigned int i;

	if (o < 0 || o > 1 || role < 0 || role > 1 || !m->held[o] ||
	    m->resv[o] != call->id[!o][role] ||
	    !(call->known & PPTP_RW_KNOWN(!o, role))) {
		m->breaches++;
		return -1;
	}
	m->held[o] = false;
	if (m->fail_bind)
		return -1;
	for (i = 0; i < RWT_BOUND; i++) {
		if (m->bound[i].used)
			continue;
		m->bound[i].used = true;
		m->bound[i].o = (u8)o;
		m->bound[i].id = call->id[!o][role];
		m->bound[i].call = call;
		return 0;
	}
	m->breaches++;
	return -1;
}

static u8 *rwt_store_get(void *ctx)
{
	struct rwt_model *m = ctx;
	u8 *p;

	if (m->fail_store)
		return NULL;
	p = kmalloc(PPTP_RW_STORE, GFP_KERNEL);
	if (!p)
		return NULL;
	memset(p, RWT_POISON, PPTP_RW_STORE);
	m->stores++;
	return p;
}

static void rwt_store_put(void *ctx, u8 *store)
{
	struct rwt_model *m = ctx;

	if (!m->stores) {
		m->breaches++;
		return;
	}
	m->stores--;
	kfree(store);
}

static void rwt_event(void *ctx, enum pptp_rw_event ev, unsigned int arg)
{
	struct rwt_model *m = ctx;

	if (ev >= PPTP_RW_EV_MAX) {
		m->breaches++;
		return;
	}
	m->ev[ev]++;
}

static const struct pptp_rw_ops rwt_ops = {
	.call_new = rwt_call_new,
	.call_free = rwt_call_free,
	.reserve = rwt_reserve,
	.release = rwt_release,
	.bind = rwt_bind,
	.store_get = rwt_store_get,
	.store_put = rwt_store_put,
	.event = rwt_event,
};

static unsigned int rwt_nbound(const struct rwt_model *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < RWT_BOUND; i++)
		n += m->bound[i].used;
	return n;
}

/* ------------------------------------------------------------------ */
/* Messages and conversations */

struct rwt_step {
	u8 side;
	u16 type;
	u16 extra;		/* bytes beyond the type's fixed Length */
	s32 f12, f14;		/* input fields at 12 and 14, -1: filler */
	s16 result;		/* input byte 16, -1: filler */
	s32 o12, o14;		/* expected output fields, -1: unchecked */
	s16 ores;		/* expected output byte 16, -1: unchecked */
};

#define MSG(s, t) { s, t, 0, -1, -1, -1, -1, -1, -1 }
#define MSG1(s, t, in, out) { s, t, 0, in, -1, -1, out, -1, -1 }
#define REPLY(s, t, in12, in14, res, out12, out14, ores) \
	{ s, t, 0, in12, in14, res, out12, out14, ores }

/*
 * Client (PNS, side 0, NATed) and server (PAC, side 1): an outgoing call
 * (client 20631, server 20481 whose high byte is the client's) and an
 * incoming call (server 2571, client 20632), every Call ID message, the
 * server's own Set-Link-Info, both calls cleared, then Stop.
 */
static const struct rwt_step rwt_std[] = {
	/* 0 */ MSG(0, PPTP_START_CTRL_REQ),
	/* 1 */ MSG(1, PPTP_START_CTRL_REPLY),
	/* 2: a NATed PNS gets the allocator's first ID */
	/* 2 */ MSG1(0, PPTP_OUT_CALL_REQ, 20631, 1226),
	/* 3: 0x50 is taken on side 0 by the client: block 0x04 */
	/* 3 */ REPLY(1, PPTP_OUT_CALL_REPLY, 20481, 1226, 1, 1228, 20631, 1),
	/* 4 */ MSG1(0, PPTP_SET_LINK_INFO, 1228, 20481),
	/* 5 */ MSG1(1, PPTP_WAN_ERROR_NOTIFY, 1226, 20631),
	/* 6: block 0x0a is free on side 0: the server keeps its ID */
	/* 6 */ MSG1(1, PPTP_IN_CALL_REQ, 2571, 2571),
	/* 7: high byte 0x50 already maps to 0x04: next free there */
	/* 7 */ REPLY(0, PPTP_IN_CALL_REPLY, 20632, 2571, 1, 1024, 2571, 1),
	/* 8 */ MSG1(1, PPTP_IN_CALL_CONNECTED, 1024, 20632),
	/* 9 */ MSG1(0, PPTP_SET_LINK_INFO, 2571, 2571),
	/* 10 */ MSG1(1, PPTP_SET_LINK_INFO, 1226, 20631),
	/* 11 */ MSG(0, PPTP_ECHO_REQ),
	/* 12 */ MSG(1, PPTP_ECHO_REPLY),
	/* 13 */ MSG1(0, PPTP_CALL_CLEAR_REQ, 20631, 1226),
	/* 14 */ MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 20481, 1228),
	/* 15 */ MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 2571, 2571),
	/* 16 */ MSG(0, PPTP_STOP_CTRL_REQ),
	/* 17 */ MSG(1, PPTP_STOP_CTRL_REPLY),
};

#define RWT_NSTD ARRAY_SIZE(rwt_std)

static u16 rwt_fixed_len(u16 type)
{
	return pptp_msg_length(type);
}

/* Write message @st into @p (its whole Length); returns the Length. */
static size_t rwt_build(u8 *p, const struct rwt_step *st, u8 salt)
{
	u16 len = rwt_fixed_len(st->type) + st->extra;
	size_t i;

	pptp_put16(p, len);
	pptp_put16(p + 2, PPTP_MSG_CONTROL);
	pptp_put16(p + 4, (u16)(PPTP_MAGIC_COOKIE >> 16));
	pptp_put16(p + 6, (u16)PPTP_MAGIC_COOKIE);
	pptp_put16(p + 8, st->type);
	pptp_put16(p + 10, 0);
	for (i = PPTP_HDR_LEN; i < len; i++)
		p[i] = (u8)(st->type * 29 + i * 7 + 1 + salt);
	if (st->f12 >= 0)
		pptp_put16(p + PPTP_OFF_CALL_ID, (u16)st->f12);
	if (st->f14 >= 0 && len >= PPTP_OFF_PEER_ID + 2)
		pptp_put16(p + PPTP_OFF_PEER_ID, (u16)st->f14);
	if (st->result >= 0 && len > PPTP_OFF_RESULT)
		p[PPTP_OFF_RESULT] = (u8)st->result;
	return len;
}

/* One connection under test, with the output of each direction. */
struct rwt_conn {
	struct pptp_rw rw;
	struct rwt_model m;
	u32 isn[2];
	u32 sent[2];		/* stream bytes delivered so far */
	bool no_autoack;	/* data segments carry no ACK */
	u8 out[2][RWT_STREAM];
	/* Stream offset and Length of each step. */
	u32 at[RWT_STEPS];
	u16 len[RWT_STEPS];
	unsigned int drops;	/* segments dropped */
	unsigned int breaches;	/* harness: a step could not be delivered */
};

/* Deliver one segment; the payload is copied to a buffer of its size. */
static enum pptp_rw_verdict rwt_seg(struct rwt_conn *c, int side, u32 off,
				    const u8 *data, size_t len, bool syn,
				    bool fin, bool *changed)
{
	struct pptp_rw_seg seg = {
		.side = side,
		.seq = c->isn[side] + 1 + off,
		.ack = c->isn[!side] + 1 + c->sent[!side],
		.syn = syn,
		.fin = fin,
		.has_ack = !c->no_autoack,
		.len = len,
	};
	enum pptp_rw_verdict v;
	bool ch = false;
	u8 *buf = NULL;

	if (syn)
		seg.seq = c->isn[side];
	if (len) {
		buf = kmemdup(data, len, GFP_KERNEL);
		if (!buf) {
			c->breaches++;
			return PPTP_RW_DROP;
		}
	}
	seg.data = buf;
	v = pptp_rw_segment(&c->rw, &rwt_ops, &c->m, &seg, &ch);
	if (v == PPTP_RW_ACCEPT && len) {
		if (off + len <= RWT_STREAM)
			memcpy(c->out[side] + off, buf, len);
		else
			c->breaches++;
		if (off + len > c->sent[side])
			c->sent[side] = off + len;
	} else if (v != PPTP_RW_ACCEPT) {
		c->drops++;
		/* Dropped before its first byte was read, unless failing closed. */
		if (len && memcmp(buf, data, len) && !c->rw.closed)
			c->breaches++;
	}
	if (changed)
		*changed = ch;
	kfree(buf);
	return v;
}

/* A pure ACK from @side acking @off bytes of the other direction. */
static void rwt_ack(struct rwt_conn *c, int side, u32 off)
{
	struct pptp_rw_seg seg = {
		.side = side,
		.seq = c->isn[side] + 1 + c->sent[side],
		.ack = c->isn[!side] + 1 + off,
		.has_ack = true,
	};
	bool ch;

	if (pptp_rw_segment(&c->rw, &rwt_ops, &c->m, &seg, &ch) !=
	    PPTP_RW_ACCEPT || ch)
		c->breaches++;
}

static void rwt_conn_init(struct rwt_conn *c, bool nat0, bool nat1,
			  u32 isn0, u32 isn1, bool syn)
{
	memset(c, 0, sizeof(*c));
	pptp_rw_init(&c->rw, nat0, nat1);
	pptp_callid_init(&c->m.alloc, RWT_SEED);
	c->m.limit = 16;
	c->isn[0] = isn0;
	c->isn[1] = isn1;
	if (syn) {
		rwt_seg(c, 0, 0, NULL, 0, true, false, NULL);
		rwt_seg(c, 1, 0, NULL, 0, true, false, NULL);
		rwt_ack(c, 0, 0);
	}
}

static struct rwt_conn *rwt_conn_new(struct kunit *test, bool nat0,
				     bool nat1, u32 isn0, u32 isn1, bool syn)
{
	struct rwt_conn *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	if (c)
		rwt_conn_init(c, nat0, nat1, isn0, isn1, syn);
	return c;
}

/* End of a case: everything the rewriter took is given back. */
static void rwt_conn_end(struct kunit *test, struct rwt_conn *c)
{
	pptp_rw_destroy(&c->rw, &rwt_ops, &c->m);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, c->m.stores, 0);
	KUNIT_EXPECT_FALSE(test, c->m.held[0]);
	KUNIT_EXPECT_FALSE(test, c->m.held[1]);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 0);
	KUNIT_EXPECT_EQ(test, c->m.breaches, 0);
	KUNIT_EXPECT_EQ(test, c->breaches, 0);
}

/*
 * Deliver steps [from, to) of @conv, each cut at the offsets of @cuts
 * (a message's own offsets, ascending, 0-terminated) when it is step
 * @cut_step; returns the verdict of the last segment.
 */
static enum pptp_rw_verdict rwt_play(struct rwt_conn *c,
				     const struct rwt_step *conv,
				     unsigned int from, unsigned int to,
				     unsigned int cut_step, const u16 *cuts)
{
	enum pptp_rw_verdict v = PPTP_RW_ACCEPT;
	u8 msg[RWT_MSG_MAX];
	unsigned int i;

	for (i = from; i < to; i++) {
		int s = conv[i].side;
		size_t len = rwt_build(msg, &conv[i], 0);
		size_t a = 0;
		unsigned int k;

		c->at[i] = c->sent[s];
		c->len[i] = (u16)len;
		for (k = 0; i == cut_step && cuts && cuts[k]; k++) {
			if (cuts[k] <= a || cuts[k] >= len) {
				c->breaches++;
				continue;
			}
			v = rwt_seg(c, s, c->at[i] + a, msg + a, cuts[k] - a,
				    false, false, NULL);
			a = cuts[k];
		}
		v = rwt_seg(c, s, c->at[i] + a, msg + a, len - a, false,
			    false, NULL);
	}
	return v;
}

static u16 rwt_out16(const struct rwt_conn *c, unsigned int step, int off)
{
	return pptp_get16(c->out[rwt_std[step].side] + c->at[step] + off);
}

static void rwt_check_step(struct kunit *test, const struct rwt_conn *c,
			   const struct rwt_step *st, unsigned int i)
{
	const u8 *p = c->out[st->side] + c->at[i];

	if (st->o12 >= 0)
		KUNIT_EXPECT_EQ_MSG(test, pptp_get16(p + PPTP_OFF_CALL_ID),
				    st->o12, "step %u field 12", i);
	if (st->o14 >= 0)
		KUNIT_EXPECT_EQ_MSG(test, pptp_get16(p + PPTP_OFF_PEER_ID),
				    st->o14, "step %u field 14", i);
	if (st->ores >= 0)
		KUNIT_EXPECT_EQ_MSG(test, p[PPTP_OFF_RESULT], st->ores,
				    "step %u result", i);
}

/* Play @conv on @c, each message cut at @cut (0: whole); check all. */
static void rwt_play_check(struct kunit *test, struct rwt_conn *c,
			   const struct rwt_step *conv, unsigned int n, u16 cut)
{
	u16 cuts[2] = { cut, 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		rwt_play(c, conv, i, i + 1, i, cut ? cuts : NULL);
	for (i = 0; i < n; i++)
		rwt_check_step(test, c, &conv[i], i);
}

/* The standard conversation delivered whole: the reference. */
static struct rwt_conn *rwt_reference(struct kunit *test,
				      const struct rwt_step *conv,
				      unsigned int n)
{
	struct rwt_conn *c = rwt_conn_new(test, true, false, RWT_ISN0,
					  RWT_ISN1, true);

	if (c)
		rwt_play(c, conv, 0, n, n, NULL);
	return c;
}

static void rwt_expect_same(struct kunit *test, const struct rwt_conn *a,
			    const struct rwt_conn *b)
{
	int s;

	for (s = 0; s < 2; s++) {
		KUNIT_EXPECT_EQ_MSG(test, a->sent[s], b->sent[s], "side %d",
				    s);
		KUNIT_EXPECT_MEMEQ_MSG(test, a->out[s], b->out[s],
				       min(a->sent[s], b->sent[s]),
				       "side %d", s);
	}
}

/* A reference run and a connection for the case to drive. */
static void rwt_pair(struct kunit *test, struct rwt_conn **ref,
		     struct rwt_conn **c)
{
	*ref = rwt_reference(test, rwt_std, RWT_NSTD);
	*c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, *ref);
	KUNIT_ASSERT_NOT_NULL(test, *c);
}

/* The case played the whole standard conversation: same as reference. */
static void rwt_done(struct kunit *test, struct rwt_conn *ref,
		     struct rwt_conn *c, unsigned int drops)
{
	rwt_expect_same(test, ref, c);
	KUNIT_EXPECT_EQ(test, c->drops, drops);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], RWT_NSTD);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 2);
	rwt_conn_end(test, ref);
	rwt_conn_end(test, c);
}

/* ------------------------------------------------------------------ */
/* The reference itself: every exact value */

static void rwt_std_whole_test(struct kunit *test)
{
	struct rwt_conn *c = rwt_reference(test, rwt_std, RWT_NSTD);
	unsigned int i;
	u8 msg[RWT_MSG_MAX];

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->drops, 0);
	for (i = 0; i < RWT_NSTD; i++) {
		size_t len = rwt_build(msg, &rwt_std[i], 0);

		rwt_check_step(test, c, &rwt_std[i], i);
		/* Bytes outside the Call ID fields pass unchanged. */
		KUNIT_EXPECT_MEMEQ_MSG(test, c->out[rwt_std[i].side] + c->at[i],
				       msg, PPTP_OFF_CALL_ID, "step %u", i);
		if (len > 17)
			KUNIT_EXPECT_MEMEQ_MSG(test, c->out[rwt_std[i].side] +
					       c->at[i] + 17, msg + 17,
					       len - 17, "step %u", i);
	}
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], RWT_NSTD);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 0);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NOT_FOUND], 0);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_UNEXPECTED], 0);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_REFUSED], 0);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_RETRANSMIT], 0);
	/* Both calls were cleared by their CDN, not by Stop. */
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_CDN], 2);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 2);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	rwt_conn_end(test, c);
}

/* ------------------------------------------------------------------ */
/* (a) Every Call ID field, cut right before, inside and right after */

struct rwt_field_case {
	const char *name;
	unsigned int step;
	u8 off;
	u8 cut;		/* 0: at off, 1: between the bytes, 2: after */
};

static const struct rwt_field_case rwt_field_cases[] = {
	{ "OCRQ Call ID before", 2, 12, 0 },
	{ "OCRQ Call ID split", 2, 12, 1 },
	{ "OCRQ Call ID after", 2, 12, 2 },
	{ "OCRP Call ID before", 3, 12, 0 },
	{ "OCRP Call ID split", 3, 12, 1 },
	{ "OCRP Call ID after", 3, 12, 2 },
	{ "OCRP Peer Call ID before", 3, 14, 0 },
	{ "OCRP Peer Call ID split", 3, 14, 1 },
	{ "OCRP Peer Call ID after", 3, 14, 2 },
	{ "SLI from PNS before", 4, 12, 0 },
	{ "SLI from PNS split", 4, 12, 1 },
	{ "SLI from PNS after", 4, 12, 2 },
	{ "WEN before", 5, 12, 0 },
	{ "WEN split", 5, 12, 1 },
	{ "WEN after", 5, 12, 2 },
	{ "ICRQ Call ID before", 6, 12, 0 },
	{ "ICRQ Call ID split", 6, 12, 1 },
	{ "ICRQ Call ID after", 6, 12, 2 },
	{ "ICRP Call ID before", 7, 12, 0 },
	{ "ICRP Call ID split", 7, 12, 1 },
	{ "ICRP Call ID after", 7, 12, 2 },
	{ "ICRP Peer Call ID before", 7, 14, 0 },
	{ "ICRP Peer Call ID split", 7, 14, 1 },
	{ "ICRP Peer Call ID after", 7, 14, 2 },
	{ "ICCN before", 8, 12, 0 },
	{ "ICCN split", 8, 12, 1 },
	{ "ICCN after", 8, 12, 2 },
	{ "SLI from PAC before", 10, 12, 0 },
	{ "SLI from PAC split", 10, 12, 1 },
	{ "SLI from PAC after", 10, 12, 2 },
	{ "CCRQ before", 13, 12, 0 },
	{ "CCRQ split", 13, 12, 1 },
	{ "CCRQ after", 13, 12, 2 },
	{ "CDN before", 14, 12, 0 },
	{ "CDN split", 14, 12, 1 },
	{ "CDN after", 14, 12, 2 },
};

KUNIT_ARRAY_PARAM_DESC(rwt_field, rwt_field_cases, name);

static void rwt_field_split_test(struct kunit *test)
{
	const struct rwt_field_case *f = test->param_value;
	const struct rwt_step *st = &rwt_std[f->step];
	u16 cuts[2] = { (u16)(f->off + f->cut), 0 };
	struct rwt_conn *ref, *c;
	s32 want;

	rwt_pair(test, &ref, &c);
	rwt_play(c, rwt_std, 0, RWT_NSTD, f->step, cuts);

	/* Precondition: the field was split exactly when cut inside it. */
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD],
			f->cut == 1 ? 1 : 0);
	want = f->off == PPTP_OFF_CALL_ID ? st->o12 : st->o14;
	KUNIT_EXPECT_EQ(test, rwt_out16(c, f->step, f->off), want);
	KUNIT_EXPECT_EQ(test, rwt_out16(ref, f->step, f->off), want);
	rwt_done(test, ref, c, 0);
}

/* Every cut of every message, and the whole conversation bytewise. */
static void rwt_every_cut_test(struct kunit *test)
{
	struct rwt_conn *ref, *c;
	unsigned int i, k, bad = 0;

	ref = rwt_reference(test, rwt_std, RWT_NSTD);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, c);
	for (i = 0; i < RWT_NSTD; i++) {
		for (k = 1; k < ref->len[i]; k++) {
			u16 cuts[2] = { (u16)k, 0 };
			int s;

			rwt_conn_init(c, true, false, RWT_ISN0, RWT_ISN1,
				      true);
			rwt_play(c, rwt_std, 0, RWT_NSTD, i, cuts);
			for (s = 0; s < 2; s++)
				if (c->sent[s] != ref->sent[s] ||
				    memcmp(c->out[s], ref->out[s], c->sent[s]))
					bad++;
			if (c->drops || c->m.ev[PPTP_RW_EV_MSG] != RWT_NSTD)
				bad++;
			pptp_rw_destroy(&c->rw, &rwt_ops, &c->m);
			if (c->m.live || c->m.stores || c->m.breaches ||
			    c->breaches)
				bad++;
			if (bad) {
				KUNIT_FAIL(test, "step %u cut at %u differs",
					   i, k);
				return;
			}
		}
	}
	rwt_conn_end(test, ref);
}

static void rwt_bytewise_test(struct kunit *test)
{
	struct rwt_conn *ref, *c;
	u16 cuts[RWT_MSG_MAX];
	unsigned int i, k;

	rwt_pair(test, &ref, &c);
	for (i = 0; i < RWT_NSTD; i++) {
		for (k = 1; k < ref->len[i]; k++)
			cuts[k - 1] = (u16)k;
		cuts[ref->len[i] - 1] = 0;
		rwt_play(c, rwt_std, i, i + 1, i, cuts);
	}
	/* Every Call ID field fell on a cut. */
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 14);
	rwt_done(test, ref, c, 0);
}

/* ------------------------------------------------------------------ */
/* (b) A segment beyond the bytes seen is dropped, nothing else changes */

struct rwt_gap_case {
	const char *name;
	unsigned int step;
	u16 cut;	/* bytes of the message delivered first */
	u16 skip;	/* the early segment starts this far beyond */
	u16 glen;	/* its length, 0: to the message's end */
};

static const struct rwt_gap_case rwt_gap_cases[] = {
	{ "OCRQ: all but byte 0", 2, 0, 1, 0 },
	{ "OCRQ: Call ID low byte on", 2, 12, 1, 0 },
	{ "OCRQ: one byte past the hole", 2, 12, 1, 1 },
	{ "OCRP: result byte alone", 3, 13, 3, 1 },
	{ "OCRP: Peer Call ID on", 3, 12, 2, 0 },
	{ "ICRP: far tail", 7, 5, 15, 0 },
	{ "CDN: Call ID onward", 14, 10, 2, 0 },
};

KUNIT_ARRAY_PARAM_DESC(rwt_gap, rwt_gap_cases, name);

static void rwt_gap_test(struct kunit *test)
{
	const struct rwt_gap_case *g = test->param_value;
	const struct rwt_step *st = &rwt_std[g->step];
	struct rwt_conn *ref, *c;
	struct pptp_rw before;
	unsigned int ev_before[PPTP_RW_EV_MAX];
	u8 msg[RWT_MSG_MAX];
	size_t len, glen, from;
	bool changed = true;
	u32 at;

	rwt_pair(test, &ref, &c);
	rwt_play(c, rwt_std, 0, g->step, g->step, NULL);
	len = rwt_build(msg, st, 0);
	at = c->sent[st->side];
	c->at[g->step] = at;
	c->len[g->step] = (u16)len;
	if (g->cut)
		KUNIT_ASSERT_EQ(test, rwt_seg(c, st->side, at, msg, g->cut,
					      false, false, NULL),
				PPTP_RW_ACCEPT);

	from = g->cut + g->skip;
	glen = g->glen ? g->glen : len - from;
	KUNIT_ASSERT_LE(test, from + glen, len);
	memcpy(&before, &c->rw, sizeof(before));
	memcpy(ev_before, c->m.ev, sizeof(ev_before));
	KUNIT_EXPECT_EQ(test, rwt_seg(c, st->side, at + from, msg + from, glen,
				      false, false, &changed),
			PPTP_RW_DROP);
	KUNIT_EXPECT_FALSE(test, changed);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_GAP],
			ev_before[PPTP_RW_EV_GAP] + 1);
	c->m.ev[PPTP_RW_EV_GAP]--;
	/* Nothing else happened: no event, no state change. */
	KUNIT_EXPECT_MEMEQ(test, c->m.ev, ev_before, sizeof(ev_before));
	KUNIT_EXPECT_MEMEQ(test, &c->rw, &before, sizeof(before));

	/* The in-order rest, then the rest of the conversation. */
	KUNIT_EXPECT_EQ(test, rwt_seg(c, st->side, at + g->cut, msg + g->cut,
				      len - g->cut, false, false, NULL),
			PPTP_RW_ACCEPT);
	rwt_play(c, rwt_std, g->step + 1, RWT_NSTD, RWT_NSTD, NULL);
	rwt_check_step(test, c, st, g->step);
	rwt_done(test, ref, c, 1);
}

/* ------------------------------------------------------------------ */
/* (c) Retransmissions replay the first transmission's bytes */

struct rwt_rexmit_case {
	const char *name;
	unsigned int step;
	u16 first;	/* bytes sent first */
	u16 from;	/* the retransmission starts here... */
	u16 to;		/* ...and ends here (0: the message's end) */
	bool salt;	/* the sender's retransmitted bytes differ */
};

static const struct rwt_rexmit_case rwt_rexmit_cases[] = {
	{ "OCRQ whole again", 2, 0, 0, 0, false },
	{ "OCRQ whole again, other bytes", 2, 0, 0, 0, true },
	{ "OCRQ half field, overlap on", 2, 13, 10, 0, true },
	{ "OCRQ header only, overlap on", 2, 12, 0, 0, true },
	{ "OCRP up to result, overlap on", 3, 16, 12, 0, true },
	{ "OCRP half peer field, overlap on", 3, 15, 14, 0, true },
	{ "OCRP inner part again", 3, 0, 13, 18, true },
	{ "ICRP split, overlap on", 7, 13, 0, 0, true },
	{ "ICCN whole again", 8, 0, 0, 0, true },
	{ "CDN half field, overlap on", 14, 13, 12, 0, true },
};

KUNIT_ARRAY_PARAM_DESC(rwt_rexmit, rwt_rexmit_cases, name);

static void rwt_rexmit_test(struct kunit *test)
{
	const struct rwt_rexmit_case *r = test->param_value;
	const struct rwt_step *st = &rwt_std[r->step];
	u8 msg[RWT_MSG_MAX], again[RWT_MSG_MAX], first[RWT_MSG_MAX];
	struct rwt_conn *ref, *c;
	size_t len, to, i;
	bool changed;
	u32 at;

	rwt_pair(test, &ref, &c);
	/* No ACKs: every byte sent stays unacked. */
	c->no_autoack = true;
	rwt_play(c, rwt_std, 0, r->step, r->step, NULL);
	len = rwt_build(msg, st, 0);
	at = c->sent[st->side];
	c->at[r->step] = at;
	c->len[r->step] = (u16)len;
	to = r->to ? r->to : len;
	/* The sender's bytes: its old ones may differ, its new ones not. */
	memcpy(again, msg, len);
	for (i = r->from; r->salt && i < (r->first ? r->first : to); i++)
		again[i] ^= 0x5a;

	/* First transmission: [0, first) or [0, to) when first is 0. */
	if (!r->first) {
		KUNIT_ASSERT_EQ(test, rwt_seg(c, st->side, at, msg, to, false,
					      false, NULL), PPTP_RW_ACCEPT);
	} else {
		KUNIT_ASSERT_EQ(test, rwt_seg(c, st->side, at, msg, r->first,
					      false, false, NULL),
				PPTP_RW_ACCEPT);
	}
	memcpy(first, c->out[st->side] + at, r->first ? r->first : to);

	/* The retransmission: old bytes replayed, new ones rewritten. */
	KUNIT_EXPECT_EQ(test, rwt_seg(c, st->side, at + r->from,
				      again + r->from, to - r->from, false,
				      false, &changed), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_RETRANSMIT], 1);
	KUNIT_EXPECT_MEMEQ(test, c->out[st->side] + at + r->from,
			   first + r->from,
			   (r->first ? r->first : to) - r->from);
	if (to < len)
		rwt_seg(c, st->side, at + to, msg + to, len - to, false, false,
			NULL);
	else if (r->first && r->salt)
		/* The sender's differing bytes did not leak into new ones. */
		KUNIT_EXPECT_TRUE(test, changed);

	c->no_autoack = false;
	rwt_play(c, rwt_std, r->step + 1, RWT_NSTD, RWT_NSTD, NULL);
	rwt_check_step(test, c, st, r->step);
	rwt_done(test, ref, c, 0);
}

/* Bytes the receiver acked go out as zeros; the store is then freed. */
static void rwt_acked_zero_test(struct kunit *test)
{
	struct rwt_conn *ref, *c;
	u8 msg[RWT_MSG_MAX], zero[168] = { 0 };
	size_t len;
	bool changed;
	u32 at;

	rwt_pair(test, &ref, &c);
	c->no_autoack = true;
	rwt_play(c, rwt_std, 0, 2, 2, NULL);
	rwt_ack(c, 1, c->sent[0]);
	rwt_ack(c, 0, c->sent[1]);
	KUNIT_EXPECT_EQ(test, c->m.stores, 0);

	len = rwt_build(msg, &rwt_std[2], 0);
	KUNIT_ASSERT_EQ(test, len, 168);
	at = c->sent[0];
	c->at[2] = at;
	KUNIT_ASSERT_EQ(test, rwt_seg(c, 0, at, msg, len, false, false, NULL),
			PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, rwt_out16(c, 2, 12), 1226);
	KUNIT_EXPECT_EQ(test, c->m.stores, 1);

	/* The server acks up to byte 14 of the OCRQ, past its Call ID. */
	rwt_ack(c, 1, at + 14);
	KUNIT_EXPECT_EQ(test, c->m.stores, 1);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, at + 4, msg + 4, 20, false, false,
				      &changed), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_TRUE(test, changed);
	KUNIT_EXPECT_MEMEQ(test, c->out[0] + at + 4, zero, 10);
	KUNIT_EXPECT_MEMEQ(test, c->out[0] + at + 14, ref->out[0] + at + 14,
			   10);

	/* All acked: the store goes, any retransmission is zeros. */
	rwt_ack(c, 1, at + len);
	KUNIT_EXPECT_EQ(test, c->m.stores, 0);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, at, msg, len, false, false,
				      &changed), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_MEMEQ(test, c->out[0] + at, zero, len);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_RETRANSMIT], 2);
	/* Its Call ID did not make a second call. */
	KUNIT_EXPECT_EQ(test, c->m.live, 1);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], 3);
	rwt_conn_end(test, ref);
	rwt_conn_end(test, c);
}

/* Unacked bytes beyond PPTP_RW_STORE: the segment is dropped. */
static void rwt_store_full_test(struct kunit *test)
{
	static const struct rwt_step echo = MSG(0, PPTP_ECHO_REQ);
	struct rwt_conn *c;
	u8 msg[16], *big;
	unsigned int i, n = PPTP_RW_STORE / 16;
	u32 base;

	big = kunit_kzalloc(test, PPTP_RW_STORE + 16, GFP_KERNEL);
	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->no_autoack = true;
	KUNIT_ASSERT_EQ(test, rwt_build(msg, &echo, 0), 16);
	base = c->sent[0];
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, rwt_seg(c, 0, base + i * 16, msg, 16,
					      false, false, NULL),
				PPTP_RW_ACCEPT);
	/* Exactly PPTP_RW_STORE bytes unacked: one more byte is too many. */
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_STORE_FULL], 0);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base + n * 16, msg, 1, false,
				      false, NULL), PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_STORE_FULL], 1);
	/* A retransmission of stored bytes still passes. */
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base, msg, 16, false, false,
				      NULL), PPTP_RW_ACCEPT);
	/* One acked message frees room for exactly one more. */
	rwt_ack(c, 1, base + 16);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base + n * 16, msg, 16, false,
				      false, NULL), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base + (n + 1) * 16, msg, 16,
				      false, false, NULL), PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_STORE_FULL], 2);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], n + 1);

	/* Acked all: one segment of PPTP_RW_STORE + 1 bytes is too big. */
	rwt_ack(c, 1, base + (n + 1) * 16);
	KUNIT_EXPECT_EQ(test, c->m.stores, 0);
	for (i = 0; i <= n; i++)
		memcpy(big + i * 16, msg, 16);
	base = c->sent[0];
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base, big, PPTP_RW_STORE + 1,
				      false, false, NULL), PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_STORE_FULL], 3);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, base, big, PPTP_RW_STORE, false,
				      false, NULL), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], 2 * n + 1);
	KUNIT_EXPECT_EQ(test, c->drops, 3);
	rwt_conn_end(test, c);
}

/* No memory for a store: dropped, and the retry goes through. */
static void rwt_no_store_test(struct kunit *test)
{
	struct rwt_conn *ref, *c;
	u8 msg[RWT_MSG_MAX];
	size_t len;

	rwt_pair(test, &ref, &c);
	rwt_play(c, rwt_std, 0, 2, 2, NULL);
	len = rwt_build(msg, &rwt_std[2], 0);
	c->m.fail_store = true;
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, c->sent[0], msg, len, false, false,
				      NULL), PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NO_STORE], 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, c->m.reserves, 0);
	c->m.fail_store = false;
	rwt_play(c, rwt_std, 2, RWT_NSTD, RWT_NSTD, NULL);
	rwt_done(test, ref, c, 1);
}

/* ------------------------------------------------------------------ */
/* (d) Sequence numbers wrapping inside a Call ID field */

struct rwt_wrap_case {
	const char *name;
	unsigned int step;
	u8 off;
	s8 shift;	/* byte off + shift has sequence number 0 */
};

static const struct rwt_wrap_case rwt_wrap_cases[] = {
	{ "OCRQ Call ID, split over the wrap", 2, 12, 1 },
	{ "OCRQ Call ID, wrap at its first byte", 2, 12, 0 },
	{ "OCRQ Call ID, wrap after it", 2, 12, 2 },
	{ "OCRP Peer Call ID, split over the wrap", 3, 14, 1 },
	{ "ICRP Call ID, split over the wrap", 7, 12, 1 },
	{ "ICCN, split over the wrap", 8, 12, 1 },
	{ "CDN, split over the wrap", 14, 12, 1 },
};

KUNIT_ARRAY_PARAM_DESC(rwt_wrap, rwt_wrap_cases, name);

static void rwt_wrap_test(struct kunit *test)
{
	const struct rwt_wrap_case *w = test->param_value;
	const struct rwt_step *st = &rwt_std[w->step];
	u16 cuts[2] = { (u16)(w->off + 1), 0 };
	struct rwt_conn *ref, *c;
	u32 isn[2] = { RWT_ISN0, RWT_ISN1 };
	u8 junk[8];
	u32 zero_at;

	ref = rwt_reference(test, rwt_std, RWT_NSTD);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	/* Stream offset of the byte that gets sequence number 0. */
	zero_at = ref->at[w->step] + w->off + w->shift;
	isn[st->side] = (u32)0 - 1 - zero_at;
	c = rwt_conn_new(test, true, false, isn[0], isn[1], true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->isn[st->side] + 1 + zero_at, 0);
	rwt_play(c, rwt_std, 0, w->step + 1, w->step, cuts);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 1);
	KUNIT_EXPECT_EQ(test, rwt_out16(c, w->step, w->off),
			w->off == PPTP_OFF_CALL_ID ? st->o12 : st->o14);

	/* A retransmission across the wrap replays the stored bytes. */
	memset(junk, 0x77, sizeof(junk));
	c->no_autoack = true;
	KUNIT_EXPECT_EQ(test, rwt_seg(c, st->side, zero_at - 4, junk, 8, false,
				      false, NULL), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_RETRANSMIT], 1);
	c->no_autoack = false;

	rwt_play(c, rwt_std, w->step + 1, RWT_NSTD, RWT_NSTD, NULL);
	rwt_done(test, ref, c, 0);
}

/* ------------------------------------------------------------------ */
/* (e) Call ID 0 is a valid ID both ways */

static const struct rwt_step rwt_zero_pns[] = {
	MSG(0, PPTP_START_CTRL_REQ),
	MSG(1, PPTP_START_CTRL_REPLY),
	MSG1(0, PPTP_OUT_CALL_REQ, 0, 1226),
	REPLY(1, PPTP_OUT_CALL_REPLY, 1280, 1226, 1, 1280, 0, 1),
	MSG1(0, PPTP_SET_LINK_INFO, 1280, 1280),
	MSG1(1, PPTP_WAN_ERROR_NOTIFY, 1226, 0),
	MSG1(0, PPTP_CALL_CLEAR_REQ, 0, 1226),
	MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 1280, 1280),
	/* The next call: ID 0 is free again, 1226 is not reused. */
	MSG1(0, PPTP_OUT_CALL_REQ, 0, 1281),
};

static const struct rwt_step rwt_zero_pac[] = {
	MSG(0, PPTP_START_CTRL_REQ),
	MSG(1, PPTP_START_CTRL_REPLY),
	MSG1(0, PPTP_OUT_CALL_REQ, 20631, 1226),
	/*
	 * Block 0 is free on side 0 and kept, but ID 0 is never handed out:
	 * the high byte's reservation walks to 1, the low byte's to 2.
	 */
	REPLY(1, PPTP_OUT_CALL_REPLY, 0, 1226, 1, 2, 20631, 1),
	MSG1(0, PPTP_SET_LINK_INFO, 2, 0),
	MSG1(1, PPTP_SET_LINK_INFO, 1226, 20631),
	MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 0, 2),
	/*
	 * The PAC's next call reuses 0, found free again; the client's new
	 * translation 3 now holds high byte 0 on side 1, paired with 0x50:
	 * the PAC's 0 takes the next free ID in 0x50 on side 0.
	 */
	MSG1(0, PPTP_OUT_CALL_REQ, 20631, 3),
	REPLY(1, PPTP_OUT_CALL_REPLY, 0, 3, 1, 20481, 20631, 1),
	MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 0, 20481),
};

struct rwt_conv_case {
	const char *name;
	const struct rwt_step *steps;
	unsigned int n;
	bool nat0, nat1;
	unsigned int cleared;	/* calls freed as cleared */
	unsigned int live;	/* calls left at the end */
};

static const struct rwt_conv_case rwt_zero_cases[] = {
	{ "PNS Call ID 0 (NATed)", rwt_zero_pns, ARRAY_SIZE(rwt_zero_pns),
	  true, false, 1, 1 },
	{ "PAC Call ID 0 (pptpd)", rwt_zero_pac, ARRAY_SIZE(rwt_zero_pac),
	  true, false, 2, 0 },
};

KUNIT_ARRAY_PARAM_DESC(rwt_zero, rwt_zero_cases, name);

/* A conversation whole, then with every field split: same bytes. */
static void rwt_conv_check(struct kunit *test, const struct rwt_conv_case *cc)
{
	struct rwt_conn *ref, *c;

	ref = rwt_conn_new(test, cc->nat0, cc->nat1, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	rwt_play_check(test, ref, cc->steps, cc->n, 0);
	KUNIT_EXPECT_EQ(test, ref->drops, 0);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&ref->m), cc->cleared);
	KUNIT_EXPECT_EQ(test, ref->m.live, cc->live);
	KUNIT_EXPECT_EQ(test, ref->m.ev[PPTP_RW_EV_NOT_FOUND], 0);
	KUNIT_EXPECT_EQ(test, ref->m.ev[PPTP_RW_EV_DUPLICATE], 0);

	c = rwt_conn_new(test, cc->nat0, cc->nat1, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play_check(test, c, cc->steps, cc->n, 13);
	rwt_expect_same(test, ref, c);
	KUNIT_EXPECT_GE(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 1);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), cc->cleared);
	rwt_conn_end(test, ref);
	rwt_conn_end(test, c);
}

static void rwt_zero_test(struct kunit *test)
{
	rwt_conv_check(test, test->param_value);
}

/* ------------------------------------------------------------------ */
/* (f) Longer messages are read by their Length; shorter fail closed */

static const u16 rwt_long_extra[RWT_NSTD] = {
	4, 0, 12, 100, 1, 7, 36, 2, 3, 200, 0, 0, 4, 1, 9, 0, 20, 0,
};

/* The standard conversation with longer messages: same fields. */
static void rwt_longer_test(struct kunit *test)
{
	struct rwt_step rwt_long_steps[RWT_NSTD];
	struct rwt_conn *ref, *c;
	unsigned int i, k, bad = 0;
	u8 msg[RWT_MSG_MAX];

	for (i = 0; i < RWT_NSTD; i++) {
		rwt_long_steps[i] = rwt_std[i];
		rwt_long_steps[i].extra = rwt_long_extra[i];
	}
	ref = rwt_reference(test, rwt_long_steps, RWT_NSTD);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, ref->drops, 0);
	KUNIT_EXPECT_EQ(test, ref->m.ev[PPTP_RW_EV_MSG], RWT_NSTD);
	KUNIT_EXPECT_EQ(test, ref->m.ev[PPTP_RW_EV_BAD_LENGTH], 0);
	for (i = 0; i < RWT_NSTD; i++) {
		size_t len = rwt_build(msg, &rwt_long_steps[i], 0);

		KUNIT_EXPECT_EQ(test, len, rwt_fixed_len(rwt_std[i].type) +
				rwt_long_extra[i]);
		rwt_check_step(test, ref, &rwt_long_steps[i], i);
		/* The extra bytes pass unchanged. */
		if (len > 17)
			KUNIT_EXPECT_MEMEQ_MSG(test, ref->out[rwt_std[i].side] +
					       ref->at[i] + 17, msg + 17,
					       len - 17, "step %u", i);
	}
	KUNIT_EXPECT_EQ(test, rwt_cleared(&ref->m), 2);

	/* Cut around the end of every message: the boundaries hold. */
	for (i = 0; i < RWT_NSTD && !bad; i++) {
		for (k = ref->len[i] - 3; k < ref->len[i]; k++) {
			u16 cuts[3] = { 13, (u16)k, 0 };
			int s;

			if (k <= 13)
				continue;
			rwt_conn_init(c, true, false, RWT_ISN0, RWT_ISN1,
				      true);
			rwt_play(c, rwt_long_steps, 0, RWT_NSTD, i, cuts);
			for (s = 0; s < 2; s++)
				if (c->sent[s] != ref->sent[s] ||
				    memcmp(c->out[s], ref->out[s], c->sent[s]))
					bad++;
			if (c->drops || c->breaches)
				bad++;
			pptp_rw_destroy(&c->rw, &rwt_ops, &c->m);
			if (bad)
				KUNIT_FAIL(test, "step %u cut at %u differs",
					   i, k);
		}
	}
	rwt_conn_end(test, ref);
}

struct rwt_short_case {
	u16 type;
	bool natted;
};

static const struct rwt_short_case rwt_short_cases[] = {
	{ PPTP_OUT_CALL_REQ, true }, { PPTP_OUT_CALL_REPLY, true },
	{ PPTP_IN_CALL_REQ, true }, { PPTP_IN_CALL_REPLY, true },
	{ PPTP_IN_CALL_CONNECTED, true }, { PPTP_CALL_CLEAR_REQ, true },
	{ PPTP_CALL_DISCONNECT_NOTIFY, true },
	{ PPTP_WAN_ERROR_NOTIFY, true }, { PPTP_SET_LINK_INFO, true },
	{ PPTP_ECHO_REQ, true }, { PPTP_START_CTRL_REQ, true },
	{ PPTP_OUT_CALL_REQ, false }, { PPTP_CALL_DISCONNECT_NOTIFY, false },
	{ PPTP_ECHO_REPLY, false },
};

static void rwt_short_desc(const struct rwt_short_case *sc, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s",
		 pptp_ctrl_name(sc->type), sc->natted ? " NATed" : "");
}

KUNIT_ARRAY_PARAM(rwt_short, rwt_short_cases, rwt_short_desc);

static void rwt_shorter_test(struct kunit *test)
{
	const struct rwt_short_case *sc = test->param_value;
	struct rwt_step bad = MSG(0, sc->type);
	struct rwt_conn *c;
	u8 msg[RWT_MSG_MAX], echo[16], orig[RWT_MSG_MAX];
	static const struct rwt_step echo_st = MSG(1, PPTP_ECHO_REQ);
	size_t len;
	bool changed;
	int side;

	c = rwt_conn_new(test, sc->natted, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	/* Call 1 established: 20631 <-> 20481. */
	rwt_play(c, rwt_std, 0, 4, 4, NULL);
	KUNIT_ASSERT_EQ(test, c->m.live, 1);
	KUNIT_ASSERT_EQ(test, c->drops, 0);

	bad.side = sc->type == PPTP_OUT_CALL_REQ ||
		   sc->type == PPTP_IN_CALL_REPLY ||
		   sc->type == PPTP_CALL_CLEAR_REQ ||
		   sc->type == PPTP_SET_LINK_INFO ? 0 : 1;
	side = bad.side;
	len = rwt_build(msg, &bad, 0);
	/* One byte short, and the segment holds the whole fixed size. */
	pptp_put16(msg, (u16)(len - 1));
	memcpy(orig, msg, len);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, side, c->sent[side], msg, len, false,
				      false, &changed),
			sc->natted ? PPTP_RW_DROP : PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_BAD_LENGTH], 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 0);
	rwt_build(echo, &echo_st, 0);
	if (sc->natted) {
		KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_CLOSED], 1);
		KUNIT_EXPECT_TRUE(test, c->rw.closed);
		/* Every later payload segment, either way, is dropped. */
		KUNIT_EXPECT_EQ(test, rwt_seg(c, side, c->sent[side], msg, len,
					      false, false, NULL),
				PPTP_RW_DROP);
		KUNIT_EXPECT_EQ(test, rwt_seg(c, 1, c->sent[1], echo, 16,
					      false, false, NULL),
				PPTP_RW_DROP);
		KUNIT_EXPECT_EQ(test, rwt_seg(c, 0, c->sent[0], echo, 1,
					      false, false, NULL),
				PPTP_RW_DROP);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_CLOSED], 3);
		/* Pure ACKs still pass. */
		rwt_ack(c, 0, c->sent[1]);
		KUNIT_EXPECT_EQ(test, c->drops, 4);
	} else {
		/* Nothing to translate: the direction passes unparsed. */
		KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 1);
		KUNIT_EXPECT_FALSE(test, changed);
		KUNIT_EXPECT_MEMEQ(test, c->out[side] + c->sent[side] - len,
				   orig, len);
		KUNIT_EXPECT_TRUE(test, c->rw.dir[side].dead);
		KUNIT_EXPECT_FALSE(test, c->rw.closed);
		rwt_build(msg, &rwt_std[2], 0);
		KUNIT_EXPECT_EQ(test, rwt_seg(c, side, c->sent[side], msg, 168,
					      false, false, &changed),
				PPTP_RW_ACCEPT);
		KUNIT_EXPECT_FALSE(test, changed);
		KUNIT_EXPECT_EQ(test, rwt_seg(c, !side, c->sent[!side], echo,
					      16, false, false, NULL),
				PPTP_RW_ACCEPT);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], 5);
		KUNIT_EXPECT_EQ(test, c->drops, 0);
	}
	rwt_conn_end(test, c);
}

/* ------------------------------------------------------------------ */
/* (g) accel-ppp: a CDN with the PNS's Call ID instead of the PAC's */

static void rwt_accel_cdn_test(struct kunit *test)
{
	static const struct rwt_step cdn =
		MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 1226, 20631);
	unsigned int k;

	for (k = 0; k < 4; k++) {
		u16 cuts[2] = { (u16)(11 + k), 0 };
		struct rwt_step conv[RWT_STEPS];
		struct rwt_conn *c;

		memcpy(conv, rwt_std, 6 * sizeof(conv[0]));
		conv[6] = cdn;
		/* The client's next call: the old one is really gone. */
		conv[7] = rwt_std[2];
		conv[7].o12 = 1229;
		c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
		KUNIT_ASSERT_NOT_NULL(test, c);
		rwt_play(c, conv, 0, 7, 6, cuts);
		KUNIT_EXPECT_EQ_MSG(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD],
				    k == 2 ? 1 : 0, "cut %u", 11 + k);
		KUNIT_EXPECT_EQ(test, rwt_out16(c, 6, 12), 20631);
		KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 1);
		KUNIT_EXPECT_EQ(test, c->m.live, 0);
		KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 0);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NOT_FOUND], 0);
		rwt_play(c, conv, 7, 8, 8, NULL);
		rwt_check_step(test, c, &conv[7], 7);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_DUPLICATE], 0);
		KUNIT_EXPECT_EQ(test, c->drops, 0);
		rwt_conn_end(test, c);
	}
}

/*
 * accel-ppp's own Call ID shares its high byte with the client's
 * translated ID on the server's side: both pair with the client's 0x50,
 * so a CDN naming either is read unambiguously.
 */
static void rwt_accel_cdn_shared_hi_test(struct kunit *test)
{
	static const struct rwt_step conv[] = {
		MSG(0, PPTP_START_CTRL_REQ),
		MSG(1, PPTP_START_CTRL_REPLY),
		MSG1(0, PPTP_OUT_CALL_REQ, 20631, 1226),
		/* 1234 shares 1226's high byte 0x04: it goes to 0x50 too */
		REPLY(1, PPTP_OUT_CALL_REPLY, 1234, 1226, 1, 20481, 20631, 1),
		MSG1(0, PPTP_SET_LINK_INFO, 20481, 1234),
		MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 1226, 20631),
	};
	struct rwt_conn *c;

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play_check(test, c, conv, ARRAY_SIZE(conv), 13);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 4);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 1);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NOT_FOUND], 0);
	KUNIT_EXPECT_EQ(test, c->drops, 0);
	rwt_conn_end(test, c);
}

/*
 * The other direction names a new ID between the two bytes of one: the
 * server's ICRQ has sent high byte 0x0a (kept: 0x0a on side 0) when the
 * client's OCRQ with high byte 0x0a arrives. The pending pair binds the
 * client's 0x0a to 0x0a on side 1 too, so the map stays one-to-one.
 */
static void rwt_interleave_test(struct kunit *test)
{
	static const struct rwt_step conv[] = {
		/* 0 */ MSG(0, PPTP_START_CTRL_REQ),
		/* 1 */ MSG(1, PPTP_START_CTRL_REPLY),
		/* 2 */ MSG1(1, PPTP_IN_CALL_REQ, 2571, 2571),
		/* 3 */ MSG1(0, PPTP_OUT_CALL_REQ, 2679, 2561),
		/* 4 */ REPLY(1, PPTP_OUT_CALL_REPLY, 3073, 2561, 1, 3073, 2679,
			      1),
		/* 5 */ REPLY(0, PPTP_IN_CALL_REPLY, 2680, 2571, 1, 2560, 2571,
			      1),
		/* 6 */ MSG1(1, PPTP_IN_CALL_CONNECTED, 2560, 2680),
		/* 7 */ MSG1(0, PPTP_SET_LINK_INFO, 2571, 2571),
		/* 8 */ MSG1(0, PPTP_SET_LINK_INFO, 3073, 3073),
		/* 9 */ MSG1(1, PPTP_WAN_ERROR_NOTIFY, 2561, 2679),
		/* 10 */ MSG1(1, PPTP_SET_LINK_INFO, 2560, 2680),
		/* 11 */ MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 2571, 2571),
		/* 12 */ MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 3073, 3073),
	};
	struct rwt_conn *c;
	u8 msg[RWT_MSG_MAX];
	unsigned int i;
	size_t len;

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, conv, 0, 2, 2, NULL);
	/* The ICRQ up to its Call ID's first byte, the OCRQ, the rest. */
	len = rwt_build(msg, &conv[2], 0);
	c->at[2] = c->sent[1];
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 1, c->at[2], msg, 13, false, false,
				      NULL), PPTP_RW_ACCEPT);
	rwt_play(c, conv, 3, 4, 4, NULL);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 1, c->at[2] + 13, msg + 13, len - 13,
				      false, false, NULL), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 1);
	rwt_play(c, conv, 4, ARRAY_SIZE(conv), ARRAY_SIZE(conv), NULL);
	for (i = 0; i < ARRAY_SIZE(conv); i++)
		rwt_check_step(test, c, &conv[i], i);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 2);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NOT_FOUND], 0);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_UNEXPECTED], 0);
	KUNIT_EXPECT_EQ(test, c->drops, 0);
	rwt_conn_end(test, c);
}

/* ------------------------------------------------------------------ */
/* A SYN after data: a direction is anchored once */

struct rwt_syn_case {
	const char *name;
	int side;
	s32 delta;	/* SYN seq: the ISN + delta, or next + delta */
	bool from_next;
	bool acked;	/* everything acked first (no store left) */
};

static const struct rwt_syn_case rwt_syn_cases[] = {
	{ "client SYN repeated, idle", 0, 0, false, true },
	{ "client SYN repeated, unacked", 0, 0, false, false },
	{ "server SYN-ACK repeated, idle", 1, 0, false, true },
	{ "client SYN just ahead of the stream", 0, 4, true, true },
	{ "client SYN just behind the stream", 0, -4, true, true },
	{ "server SYN with another ISN", 1, 0x40000000, false, true },
};

KUNIT_ARRAY_PARAM_DESC(rwt_syn, rwt_syn_cases, name);

static void rwt_late_syn_test(struct kunit *test)
{
	const struct rwt_syn_case *sc = test->param_value;
	struct pptp_rw_seg syn = { .side = sc->side, .syn = true };
	struct rwt_conn *ref, *c;
	bool ch = true;

	rwt_pair(test, &ref, &c);
	rwt_play(c, rwt_std, 0, 4, 4, NULL);
	if (sc->acked) {
		rwt_ack(c, 1, c->sent[0]);
		rwt_ack(c, 0, c->sent[1]);
		KUNIT_ASSERT_EQ(test, c->m.stores, 0);
	}
	syn.seq = c->isn[sc->side] + sc->delta;
	if (sc->from_next)
		syn.seq += 1 + c->sent[sc->side];
	KUNIT_EXPECT_EQ(test, pptp_rw_segment(&c->rw, &rwt_ops, &c->m, &syn,
					      &ch), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_FALSE(test, ch);
	KUNIT_EXPECT_EQ(test, c->rw.dir[sc->side].next_seq,
			c->isn[sc->side] + 1 + c->sent[sc->side]);
	rwt_play(c, rwt_std, 4, RWT_NSTD, RWT_NSTD, NULL);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_GAP], 0);
	rwt_done(test, ref, c, 0);
}

/* ------------------------------------------------------------------ */
/* (h) No SYN seen */

struct rwt_mid_case {
	const char *name;
	bool nat0, nat1;
	bool syn0, syn1;	/* SYN seen from side 0, side 1 */
	int side;		/* sender of the data */
	bool drop;
};

static const struct rwt_mid_case rwt_mid_cases[] = {
	{ "NATed client, no SYN", true, false, false, false, 0, true },
	{ "NATed client, server data, no SYN", true, false, false, false, 1,
	  true },
	{ "NATed server, no SYN", false, true, false, false, 0, true },
	{ "NATed, only the server's SYN missing", true, false, true, false,
	  1, true },
	{ "not NATed, no SYN", false, false, false, false, 0, false },
	{ "not NATed, server data, no SYN", false, false, false, false, 1,
	  false },
};

KUNIT_ARRAY_PARAM_DESC(rwt_mid, rwt_mid_cases, name);

static void rwt_midstream_test(struct kunit *test)
{
	const struct rwt_mid_case *mc = test->param_value;
	struct rwt_step st = rwt_std[2];
	struct rwt_conn *c;
	u8 msg[RWT_MSG_MAX];
	size_t len;
	bool changed = true;

	c = rwt_conn_new(test, mc->nat0, mc->nat1, RWT_ISN0, RWT_ISN1, false);
	KUNIT_ASSERT_NOT_NULL(test, c);
	if (mc->syn0)
		rwt_seg(c, 0, 0, NULL, 0, true, false, NULL);
	if (mc->syn1)
		rwt_seg(c, 1, 0, NULL, 0, true, false, NULL);
	st.side = (u8)mc->side;
	len = rwt_build(msg, &st, 0);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, mc->side, 0, msg, len, false, false,
				      &changed),
			mc->drop ? PPTP_RW_DROP : PPTP_RW_ACCEPT);
	KUNIT_EXPECT_FALSE(test, changed);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MIDSTREAM], mc->drop ? 1 : 0);
	/* Nothing was parsed: no call, no ID taken. */
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MSG], 0);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, c->m.reserves, 0);
	if (!mc->drop)
		KUNIT_EXPECT_MEMEQ(test, c->out[mc->side], msg, len);
	/* And it stays so. */
	KUNIT_EXPECT_EQ(test, rwt_seg(c, mc->side, len, msg, len, false, false,
				      NULL),
			mc->drop ? PPTP_RW_DROP : PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_MIDSTREAM], mc->drop ? 2 : 0);
	rwt_conn_end(test, c);
}

/* ------------------------------------------------------------------ */
/* (i) Refusals, failures and repeats */

/* Call limit 0: the request leaves with Call ID 0; so does ICRQ. */
static void rwt_refuse_limit_test(struct kunit *test)
{
	static const struct rwt_step conv[] = {
		MSG(0, PPTP_START_CTRL_REQ),
		MSG(1, PPTP_START_CTRL_REPLY),
		MSG1(0, PPTP_OUT_CALL_REQ, 20631, 0),
		/* The reply to it names no call: it gets Result 2. */
		REPLY(1, PPTP_OUT_CALL_REPLY, 1280, 0, 1, 1280, 0, 2),
		MSG1(1, PPTP_IN_CALL_REQ, 2571, 0),
		MSG1(1, PPTP_CALL_DISCONNECT_NOTIFY, 1280, 1280),
	};
	struct rwt_conn *c;

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->m.limit = 0;
	rwt_play_check(test, c, conv, ARRAY_SIZE(conv), 13);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], 4);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_REFUSED], 2);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_NOT_FOUND], 2);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 0);
	KUNIT_EXPECT_FALSE(test, c->m.held[1]);
	KUNIT_EXPECT_EQ(test, c->drops, 0);
	rwt_conn_end(test, c);
}

struct rwt_refuse_case {
	const char *name;
	unsigned int setup;	/* std steps played first */
	struct rwt_step msg;	/* sent with reserve() failing */
	unsigned int refused, failed, unused, live, bound;
};

static const struct rwt_refuse_case rwt_refuse_cases[] = {
	{ "OCRQ, no ID", 2, MSG1(0, PPTP_OUT_CALL_REQ, 20631, 0),
	  1, 0, 1, 0, 0 },
	{ "ICRQ, no ID", 2, MSG1(1, PPTP_IN_CALL_REQ, 2571, 0),
	  1, 0, 1, 0, 0 },
	{ "OCRP, no ID: General Error", 3,
	  REPLY(1, PPTP_OUT_CALL_REPLY, 20481, 1226, 1, 0, 20631, 2),
	  1, 1, 0, 0, 0 },
	{ "ICRP, no ID: General Error", 7,
	  REPLY(0, PPTP_IN_CALL_REPLY, 20632, 2571, 1, 0, 2571, 2),
	  1, 1, 0, 1, 2 },
	{ "second OCRQ, no ID", 4, MSG1(0, PPTP_OUT_CALL_REQ, 30000, 0),
	  1, 0, 1, 1, 2 },
};

KUNIT_ARRAY_PARAM_DESC(rwt_refuse, rwt_refuse_cases, name);

static void rwt_refuse_id_test(struct kunit *test)
{
	const struct rwt_refuse_case *r = test->param_value;
	u16 cuts[2] = { 13, 0 };
	struct rwt_step conv[RWT_STEPS];
	struct rwt_conn *c;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
		KUNIT_ASSERT_NOT_NULL(test, c);
		memcpy(conv, rwt_std, r->setup * sizeof(conv[0]));
		conv[r->setup] = r->msg;
		rwt_play(c, conv, 0, r->setup, r->setup, NULL);
		c->m.fail_reserve = true;
		rwt_play(c, conv, r->setup, r->setup + 1, r->setup,
			 k ? cuts : NULL);
		rwt_check_step(test, c, &conv[r->setup], r->setup);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_REFUSED], r->refused);
		KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_FAILED],
				r->failed);
		KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_UNUSED],
				r->unused);
		KUNIT_EXPECT_EQ(test, c->m.live, r->live);
		KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), r->bound);
		KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_SPLIT_FIELD], k);
		KUNIT_EXPECT_EQ(test, c->drops, 0);
		rwt_conn_end(test, c);
	}
}

/* A reply whose Result is a failure frees the call. */
static void rwt_call_failed_test(struct kunit *test)
{
	struct rwt_step conv[RWT_STEPS];
	struct rwt_conn *c;

	memcpy(conv, rwt_std, 3 * sizeof(conv[0]));
	conv[3] = (struct rwt_step)
		REPLY(1, PPTP_OUT_CALL_REPLY, 20481, 1226, 3, 1228, 20631, 3);
	conv[4] = rwt_std[2];
	conv[4].o12 = 1229;
	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, conv, 0, 5, 5, NULL);
	rwt_check_step(test, c, &conv[3], 3);
	rwt_check_step(test, c, &conv[4], 4);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_CALL_FAILED], 1);
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_FAILED], 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 1);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 1);
	KUNIT_EXPECT_FALSE(test, c->m.held[1]);
	rwt_conn_end(test, c);
}

/* A repeated request maps onto the call its ID already has. */
static void rwt_duplicate_test(struct kunit *test)
{
	struct rwt_step conv[RWT_STEPS];
	struct rwt_conn *c;

	memcpy(conv, rwt_std, 4 * sizeof(conv[0]));
	conv[4] = rwt_std[2];
	conv[5] = rwt_std[3];
	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, conv, 0, 6, 6, NULL);
	rwt_check_step(test, c, &conv[4], 4);
	rwt_check_step(test, c, &conv[5], 5);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_DUPLICATE], 2);
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_UNUSED], 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 1);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 2);
	KUNIT_EXPECT_FALSE(test, c->m.held[0]);
	KUNIT_EXPECT_FALSE(test, c->m.held[1]);
	rwt_conn_end(test, c);
}

/* GRE flows that cannot be installed fail the connection closed. */
static void rwt_bind_failed_test(struct kunit *test)
{
	struct rwt_conn *c;
	u8 msg[RWT_MSG_MAX];
	size_t len;

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, rwt_std, 0, 2, 2, NULL);
	c->m.fail_bind = true;
	KUNIT_EXPECT_EQ(test, rwt_play(c, rwt_std, 2, 3, 3, NULL),
			PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_BIND_FAILED], 1);
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_CLOSED], 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_TRUE(test, c->rw.closed);
	c->m.fail_bind = false;
	len = rwt_build(msg, &rwt_std[3], 0);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 1, c->sent[1], msg, len, false, false,
				      NULL), PPTP_RW_DROP);
	KUNIT_EXPECT_EQ(test, c->m.ev[PPTP_RW_EV_CLOSED], 1);
	rwt_conn_end(test, c);
}

/* FIN ends the calls; a Stop-Control-Connection-Request too. */
static void rwt_fin_stop_test(struct kunit *test)
{
	struct rwt_conn *c;

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, rwt_std, 0, 9, 9, NULL);
	KUNIT_ASSERT_EQ(test, c->m.live, 2);
	rwt_play(c, rwt_std, 16, 17, 17, NULL);
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_STOP], 2);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 2);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	KUNIT_EXPECT_EQ(test, rwt_nbound(&c->m), 0);
	rwt_conn_end(test, c);

	c = rwt_conn_new(test, true, false, RWT_ISN0, RWT_ISN1, true);
	KUNIT_ASSERT_NOT_NULL(test, c);
	rwt_play(c, rwt_std, 0, 4, 4, NULL);
	KUNIT_ASSERT_EQ(test, c->m.live, 1);
	KUNIT_EXPECT_EQ(test, rwt_seg(c, 1, c->sent[1], NULL, 0, false, true,
				      NULL), PPTP_RW_ACCEPT);
	KUNIT_EXPECT_EQ(test, c->m.frees[PPTP_RW_FREE_FIN], 1);
	KUNIT_EXPECT_EQ(test, rwt_cleared(&c->m), 1);
	KUNIT_EXPECT_EQ(test, c->m.live, 0);
	rwt_conn_end(test, c);
}

static struct kunit_case rwt_test_cases[] = {
	KUNIT_CASE(rwt_std_whole_test),
	KUNIT_CASE_PARAM(rwt_field_split_test, rwt_field_gen_params),
	KUNIT_CASE(rwt_every_cut_test),
	KUNIT_CASE(rwt_bytewise_test),
	KUNIT_CASE_PARAM(rwt_gap_test, rwt_gap_gen_params),
	KUNIT_CASE_PARAM(rwt_rexmit_test, rwt_rexmit_gen_params),
	KUNIT_CASE(rwt_acked_zero_test),
	KUNIT_CASE(rwt_store_full_test),
	KUNIT_CASE(rwt_no_store_test),
	KUNIT_CASE_PARAM(rwt_wrap_test, rwt_wrap_gen_params),
	KUNIT_CASE_PARAM(rwt_zero_test, rwt_zero_gen_params),
	KUNIT_CASE(rwt_longer_test),
	KUNIT_CASE_PARAM(rwt_shorter_test, rwt_short_gen_params),
	KUNIT_CASE(rwt_accel_cdn_test),
	KUNIT_CASE(rwt_accel_cdn_shared_hi_test),
	KUNIT_CASE(rwt_interleave_test),
	KUNIT_CASE_PARAM(rwt_late_syn_test, rwt_syn_gen_params),
	KUNIT_CASE_PARAM(rwt_midstream_test, rwt_mid_gen_params),
	KUNIT_CASE(rwt_refuse_limit_test),
	KUNIT_CASE_PARAM(rwt_refuse_id_test, rwt_refuse_gen_params),
	KUNIT_CASE(rwt_call_failed_test),
	KUNIT_CASE(rwt_duplicate_test),
	KUNIT_CASE(rwt_bind_failed_test),
	KUNIT_CASE(rwt_fin_stop_test),
	{}
};

static struct kunit_suite rwt_test_suite = {
	.name = "nf_pptp_alg_rewrite",
	.test_cases = rwt_test_cases,
};

kunit_test_suite(rwt_test_suite);
