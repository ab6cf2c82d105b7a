// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nf_pptp_alg_callid: the Call ID allocator
 * (src/pptp_callid.c). The "in use" test is a bitmap over the whole 16-bit
 * ID space that also counts how often it was asked.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "pptp_callid.h"

#define CALLID_IDS	65536U	/* bitmap size: IDs 0..65535 */
#define CALLID_USABLE	65535U	/* 1..65535 */

struct callid_ctx {
	unsigned long *busy;	/* bit n set: Call ID n is in use */
	u32 calls;		/* busy() calls so far */
	bool saw_zero;		/* busy() was asked about ID 0 */
};

static bool callid_busy(void *ctx, u16 id)
{
	struct callid_ctx *c = ctx;

	c->calls++;
	if (!id)
		c->saw_zero = true;
	return test_bit(id, c->busy);
}

static struct callid_ctx *callid_ctx_new(struct kunit *test)
{
	struct callid_ctx *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->busy = kunit_kcalloc(test, BITS_TO_LONGS(CALLID_IDS),
				sizeof(unsigned long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->busy);
	return c;
}

/* Mark every usable ID busy. */
static void callid_fill(struct callid_ctx *c)
{
	bitmap_fill(c->busy, CALLID_IDS);
	clear_bit(0, c->busy);	/* 0 must not matter either way */
}

/* The ID @dist steps after @cursor in the allocator's order. */
static u16 callid_after(u16 cursor, u32 dist)
{
	return (u16)((cursor + CALLID_USABLE - 1 + dist) % CALLID_USABLE + 1);
}

static void callid_unique_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	unsigned int i, bad = 0;
	u32 id;

	/* Every third ID is taken by someone else from the start. */
	for (id = 3; id < CALLID_IDS; id += 3)
		set_bit(id, c->busy);

	pptp_callid_init(&a, 1234);
	for (i = 0; i < 20000; i++) {
		u16 out = 0;
		int ret;

		ret = pptp_callid_pick(&a, 0, false, CALLID_USABLE,
				       callid_busy, c, &out);
		if (ret || !out || test_bit(out, c->busy)) {
			if (!bad)
				KUNIT_FAIL(test, "pick %u: ret %d id %u", i,
					   ret, out);
			bad++;
			continue;
		}
		set_bit(out, c->busy);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

static void callid_keep_free_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u16 out = 0;

	pptp_callid_init(&a, 100);

	/* A free wanted ID survives, and costs one question. */
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 777, true, 16,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 777);
	KUNIT_EXPECT_EQ(test, c->calls, 1);
	KUNIT_EXPECT_EQ(test, a.cursor, 100);

	/* Without keep the wanted ID is ignored: the cursor decides. */
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 777, false, 16,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 101);
	KUNIT_EXPECT_EQ(test, a.cursor, 101);

	/* ID 0 is never kept, even when asked to. */
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, true, 16,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 102);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

static void callid_translate_busy_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u16 out = 0;

	pptp_callid_init(&a, 100);
	set_bit(777, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 777, true, 16,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 101);
	KUNIT_EXPECT_EQ(test, a.cursor, 101);

	/* The cursor's next ID is busy too: the one after it is taken. */
	set_bit(102, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 777, true, 16,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 103);
	KUNIT_EXPECT_EQ(test, a.cursor, 103);
}

static void callid_exhaust_reuse_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	unsigned int i, bad = 0;
	u16 out;

	pptp_callid_init(&a, 4242);
	for (i = 0; i < CALLID_USABLE; i++) {
		int ret;

		out = 0;
		ret = pptp_callid_pick(&a, 0, false, CALLID_USABLE,
				       callid_busy, c, &out);
		if (ret || !out || test_bit(out, c->busy)) {
			if (!bad)
				KUNIT_FAIL(test, "pick %u: ret %d id %u", i,
					   ret, out);
			bad++;
			continue;
		}
		set_bit(out, c->busy);
	}
	KUNIT_ASSERT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(c->busy, CALLID_IDS),
			CALLID_USABLE);
	KUNIT_EXPECT_FALSE(test, test_bit(0, c->busy));

	/* Full: every ID is asked about once, then the pick fails. */
	out = 0xbeef;
	c->calls = 0;
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, CALLID_USABLE,
					       callid_busy, c, &out), -1);
	KUNIT_EXPECT_EQ(test, out, 0xbeef);
	KUNIT_EXPECT_EQ(test, c->calls, CALLID_USABLE);

	out = 0xbeef;
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 5, true, CALLID_USABLE,
					       callid_busy, c, &out), -1);
	KUNIT_EXPECT_EQ(test, out, 0xbeef);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);

	/* Freeing one ID makes exactly that one come back. */
	clear_bit(31337, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, CALLID_USABLE,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 31337);
	KUNIT_EXPECT_EQ(test, a.cursor, 31337);
	set_bit(out, c->busy);

	/* Two freed IDs come back in cursor order, across the wrap. */
	clear_bit(10, c->busy);
	clear_bit(65000, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, CALLID_USABLE,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 65000);
	set_bit(out, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, CALLID_USABLE,
					       callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 10);
	set_bit(out, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, CALLID_USABLE,
					       callid_busy, c, &out), -1);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

struct callid_probe_case {
	u32 probes;	/* max_probes */
	u32 dist;	/* the only free ID is this far after the cursor */
	bool keep;	/* ask to keep a busy wanted ID first */
	int ret;
	u32 calls;	/* busy() calls expected */
};

static const struct callid_probe_case callid_probe_cases[] = {
	{ 0, 1, false, -1, 0 },
	{ 0, 1, true, -1, 1 },
	{ 1, 1, false, 0, 1 },
	{ 1, 2, false, -1, 1 },
	{ 10, 10, false, 0, 10 },
	{ 10, 11, false, -1, 10 },
	{ 10, 11, true, -1, 11 },
	{ 4096, 4096, false, 0, 4096 },
	{ 4096, 4097, false, -1, 4096 },
	{ 65534, 65535, false, -1, 65534 },
	{ 65535, 65535, false, 0, 65535 },	/* the cursor's own ID */
	{ 65535, 0, false, -1, 65535 },		/* none free */
	{ 65536, 0, false, -1, 65535 },
	{ 0xffffffff, 0, false, -1, 65535 },
	{ 0xffffffff, 0, true, -1, 65536 },
};

static void callid_probe_desc(const struct callid_probe_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "max_probes %u free at +%u%s",
		 c->probes, c->dist, c->keep ? " keep" : "");
}

KUNIT_ARRAY_PARAM(callid_probe, callid_probe_cases, callid_probe_desc);

static void callid_max_probes_test(struct kunit *test)
{
	const struct callid_probe_case *p = test->param_value;
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	const u16 seed = 1000;
	u16 free_id = 0;
	u16 out = 0xbeef;

	callid_fill(c);
	if (p->dist) {
		free_id = callid_after(seed, p->dist);
		clear_bit(free_id, c->busy);
	}
	pptp_callid_init(&a, seed);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 4321, p->keep, p->probes,
					       callid_busy, c, &out), p->ret);
	KUNIT_EXPECT_EQ(test, c->calls, p->calls);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
	if (p->ret == 0) {
		KUNIT_EXPECT_EQ(test, out, free_id);
		KUNIT_EXPECT_EQ(test, a.cursor, free_id);
	} else {
		KUNIT_EXPECT_EQ(test, out, 0xbeef);
		KUNIT_EXPECT_EQ(test, a.cursor, seed);
	}
}

struct callid_wrap_case {
	u16 seed;
	u16 busy;	/* one busy ID, 0 for none */
	u16 first;
	u16 second;
};

static const struct callid_wrap_case callid_wrap_cases[] = {
	{ 65535, 0, 1, 2 },
	{ 65535, 1, 2, 3 },
	{ 65534, 0, 65535, 1 },
	{ 65534, 65535, 1, 2 },
	{ 0, 0, 1, 2 },
	{ 0, 1, 2, 3 },
};

static void callid_wrap_desc(const struct callid_wrap_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %u busy %u", c->seed,
		 c->busy);
}

KUNIT_ARRAY_PARAM(callid_wrap, callid_wrap_cases, callid_wrap_desc);

static void callid_wrap_test(struct kunit *test)
{
	const struct callid_wrap_case *w = test->param_value;
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u16 out = 0;

	if (w->busy)
		set_bit(w->busy, c->busy);
	pptp_callid_init(&a, w->seed);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, 4, callid_busy,
					       c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, w->first);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, false, 4, callid_busy,
					       c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, w->second);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

/* Only ID 0 "free": it must still never be handed out. */
static void callid_never_zero_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u16 out = 0xbeef;

	callid_fill(c);
	pptp_callid_init(&a, 65535);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick(&a, 0, true, 0xffffffff,
					       callid_busy, c, &out), -1);
	KUNIT_EXPECT_EQ(test, out, 0xbeef);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

/* ------------------------------------------------------------------ */
/* pptp_callid_pick_in(): only IDs in the allowed high-byte blocks */

#define CALLID_NBLK	256

static void callid_blocks(u8 *b, const u8 *list, unsigned int n)
{
	unsigned int i;

	memset(b, 0, CALLID_NBLK / 8);
	for (i = 0; i < n; i++)
		b[list[i] >> 3] |= (u8)(1U << (list[i] & 7));
}

static bool callid_block_ok(const u8 *b, u16 id)
{
	return b[id >> 11] & (1U << ((id >> 8) & 7));
}

struct callid_in_case {
	const char *name;
	u8 blk[3];
	u8 nblk;
	u16 seed;
	u16 busy_lo, busy_hi;	/* busy range, 0 0 for none */
	int prefer;
	u32 probes;
	int ret;
	u16 out;
	u32 calls;		/* busy() calls expected */
};

static const struct callid_in_case callid_in_cases[] = {
	{ "block 5 from 1225", { 5 }, 1, 1225, 0, 0, -1, 16, 0, 1280, 1 },
	{ "block 5, prefer in it", { 5 }, 1, 1225, 0, 0, 1300, 16, 0, 1300,
	  1 },
	{ "block 5, prefer outside", { 5 }, 1, 1225, 0, 0, 20631, 16, 0,
	  1280, 1 },
	{ "block 5, prefer busy", { 5 }, 1, 1225, 1300, 1300, 1300, 16, 0,
	  1280, 2 },
	{ "block 5, prefer busy, block start busy", { 5 }, 1, 1225, 1280,
	  1300, 1300, 64, 0, 1301, 23 },
	{ "block 0, prefer 0 never", { 0 }, 1, 0, 0, 0, 0, 16, 0, 1, 1 },
	{ "block 0, prefer 0x10000", { 0 }, 1, 7, 0, 0, 0x10000, 16, 0, 8,
	  1 },
	{ "block 0 after the wrap", { 0 }, 1, 65535, 0, 0, -1, 16, 0, 1, 1 },
	{ "block 0xff from 0", { 0xff }, 1, 0, 0, 0, -1, 16, 0, 0xff00, 1 },
	{ "block 0xff, its last ID", { 0xff }, 1, 0xfffe, 0, 0, -1, 16, 0,
	  0xffff, 1 },
	{ "two blocks, cursor in the second", { 3, 0xfe }, 2, 0xfe80, 0, 0,
	  -1, 16, 0, 0xfe81, 1 },
	{ "two blocks, second full", { 3, 0xfe }, 2, 0xfe80, 0xfe00, 0xfeff,
	  -1, 256, 0, 0x0300, 128 },
	{ "block 3, free only behind the cursor", { 3 }, 1, 0x0380, 0x0381,
	  0x03ff, -1, 256, 0, 0x0300, 128 },
	{ "block 3 full", { 3 }, 1, 0x0380, 0x0300, 0x03ff, 0x0310, 65535,
	  -1, 0, 1 + 127 + 256 },
	{ "block 0 full", { 0 }, 1, 0, 1, 0xff, -1, 65535, -1, 0, 255 + 255 },
	{ "probes run out first", { 3 }, 1, 0x0380, 0x0300, 0x03ff, -1, 10,
	  -1, 0, 10 },
	{ "no block allowed", { 0 }, 0, 1000, 0, 0, 1000, 65535, -1, 0, 0 },
};

KUNIT_ARRAY_PARAM_DESC(callid_in, callid_in_cases, name);

static void callid_pick_in_test(struct kunit *test)
{
	const struct callid_in_case *p = test->param_value;
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u8 blocks[CALLID_NBLK / 8];
	u16 out = 0xbeef;
	u32 id;

	callid_blocks(blocks, p->blk, p->nblk);
	for (id = p->busy_lo; p->busy_hi && id <= p->busy_hi; id++)
		set_bit(id, c->busy);
	pptp_callid_init(&a, p->seed);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick_in(&a, blocks, p->prefer,
						  p->probes, callid_busy, c,
						  &out), p->ret);
	KUNIT_EXPECT_EQ(test, c->calls, p->calls);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
	if (p->ret) {
		KUNIT_EXPECT_EQ(test, out, 0xbeef);
		KUNIT_EXPECT_EQ(test, a.cursor, p->seed);
		return;
	}
	KUNIT_EXPECT_EQ(test, out, p->out);
	KUNIT_EXPECT_TRUE(test, callid_block_ok(blocks, out));
	/* A kept preference leaves the cursor; a walk moves it there. */
	KUNIT_EXPECT_EQ(test, a.cursor, out == p->prefer ? p->seed : out);
}

/*
 * Three blocks handed out to the last ID: every one lies in them, none
 * twice, never 0; then the full blocks fail within a bounded walk.
 */
static void callid_pick_in_exhaust_test(struct kunit *test)
{
	static const u8 list[] = { 0, 0x80, 0xff };
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a;
	u8 blocks[CALLID_NBLK / 8];
	unsigned int n = 0, bad = 0;
	u16 out;

	callid_blocks(blocks, list, ARRAY_SIZE(list));
	pptp_callid_init(&a, 0x8040);
	while (n < 1000) {
		out = 0;
		if (pptp_callid_pick_in(&a, blocks, n & 1 ? -1 : 0x8041,
					CALLID_USABLE, callid_busy, c, &out))
			break;
		if (!out || !callid_block_ok(blocks, out) ||
		    test_bit(out, c->busy)) {
			if (!bad)
				KUNIT_FAIL(test, "pick %u: id %u", n, out);
			bad++;
		}
		set_bit(out, c->busy);
		n++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, n, 255 + 256 + 256);
	KUNIT_EXPECT_EQ(test, bitmap_weight(c->busy, CALLID_IDS), n);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);

	/* Full: at most two turns over the allowed IDs are asked. */
	c->calls = 0;
	out = 0xbeef;
	KUNIT_EXPECT_EQ(test, pptp_callid_pick_in(&a, blocks, 0x8041,
						  0xffffffff, callid_busy, c,
						  &out), -1);
	KUNIT_EXPECT_EQ(test, out, 0xbeef);
	KUNIT_EXPECT_LE(test, c->calls, 1 + 2 * n);
	KUNIT_EXPECT_FALSE(test, c->saw_zero);

	/* One freed ID in an allowed block comes back; one outside not. */
	clear_bit(0x8000, c->busy);
	KUNIT_EXPECT_EQ(test, pptp_callid_pick_in(&a, blocks, -1, CALLID_USABLE,
						  callid_busy, c, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x8000);
}

/* pptp_callid_pick() is pick_in() over every block. */
static void callid_pick_all_blocks_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct pptp_callid_alloc a, b;
	u8 all[CALLID_NBLK / 8];
	unsigned int i;
	u16 x, y;

	memset(all, 0xff, sizeof(all));
	for (i = 1; i < CALLID_IDS; i += 5)
		set_bit(i, c->busy);
	pptp_callid_init(&a, 60000);
	pptp_callid_init(&b, 60000);
	for (i = 0; i < 3000; i++) {
		int ra = pptp_callid_pick(&a, (u16)(i * 37), i & 1,
					  CALLID_USABLE, callid_busy, c, &x);
		int rb = pptp_callid_pick_in(&b, all, i & 1 ? (u16)(i * 37) :
					     -1, CALLID_USABLE, callid_busy,
					     c, &y);

		KUNIT_ASSERT_EQ(test, ra, rb);
		KUNIT_ASSERT_EQ(test, x, y);
		set_bit(x, c->busy);
	}
	KUNIT_EXPECT_FALSE(test, c->saw_zero);
}

/* ---- the bounded allocator: pptp_callid_find() and its bitmaps ---- */

struct find_ctx {
	struct pptp_callid_space s;
	struct pptp_callid_block *blk[256];	/* NULL: no ID of it used */
	unsigned long *used;			/* the oracle, one bit per ID */
	u32 lookups;				/* block() calls */
	struct kunit *test;
};

static const struct pptp_callid_block *find_block(void *ctx, u8 hi)
{
	struct find_ctx *f = ctx;

	f->lookups++;
	return f->blk[hi];
}

static struct find_ctx *find_ctx_new(struct kunit *test)
{
	struct find_ctx *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->used = kunit_kcalloc(test, BITS_TO_LONGS(CALLID_IDS),
				sizeof(unsigned long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->used);
	f->test = test;
	return f;
}

/* As the kernel glue does: a block exists only while it holds an ID. */
static void find_mark(struct find_ctx *f, u16 id, bool used)
{
	unsigned int hi = id >> 8;

	if (id == 0)
		return;
	if (!f->blk[hi]) {
		if (!used)
			return;
		f->blk[hi] = kunit_kzalloc(f->test, sizeof(*f->blk[hi]),
					   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(f->test, f->blk[hi]);
	}
	pptp_callid_mark(&f->s, f->blk[hi], id, used);
	if (used)
		set_bit(id, f->used);
	else
		clear_bit(id, f->used);
	if (!f->blk[hi]->n) {
		kunit_kfree(f->test, f->blk[hi]);
		f->blk[hi] = NULL;
	}
}

/* Is any ID with an allowed high byte free, by the oracle? */
static bool find_oracle_any(const struct find_ctx *f, const u8 *blocks)
{
	unsigned int id;

	for (id = 1; id < CALLID_IDS; id++)
		if (callid_block_ok(blocks, (u16)id) && !test_bit(id, f->used))
			return true;
	return false;
}

/* The full and scarce bits of every block agree with the oracle. */
static void find_summary_check(const struct find_ctx *f)
{
	static const unsigned int room[PPTP_CALLID_TIERS] = {
		PPTP_CALLID_ROOM_WIDE, PPTP_CALLID_ROOM_SOME,
	};
	unsigned int hi, lo, t, free;

	for (hi = 0; hi < CALLID_NBLK; hi++) {
		free = 0;
		for (lo = hi ? 0 : 1; lo < 256; lo++)
			free += !test_bit(hi << 8 | lo, f->used);
		KUNIT_ASSERT_EQ_MSG(f->test, callid_block_ok(f->s.full, (u16)(hi << 8)),
				    free == 0, "block %u", hi);
		for (t = 0; t < PPTP_CALLID_TIERS; t++)
			KUNIT_ASSERT_EQ_MSG(f->test,
					    callid_block_ok(f->s.scarce[t], (u16)(hi << 8)),
					    free < room[t], "block %u tier %u", hi, t);
	}
}

/* Mark the first @n IDs of block @hi used (block 0: from ID 1). */
static void find_fill(struct find_ctx *f, unsigned int hi, unsigned int n)
{
	unsigned int lo;

	for (lo = hi ? 0 : 1; n; lo++, n--)
		find_mark(f, (u16)(hi << 8 | lo), true);
}

/*
 * An ID that opens a block goes where its connection's next calls find
 * room: block 0x10 has one free ID, 0x11 has 156, 0x12 six. From a start
 * in 0x10, plain find() takes 0x10's last ID; the roomy one takes 0x11
 * while it has 64 free, then (56 free) still 0x11 over the tier of 8, and
 * only with 0x11 not allowed the last free IDs of 0x10. One lookup each.
 */
static void callid_find_roomy_test(struct kunit *test)
{
	struct find_ctx *f = find_ctx_new(test);
	u8 all[CALLID_NBLK / 8], three[CALLID_NBLK / 8];
	u16 out;

	memset(all, 0xff, sizeof(all));
	memset(three, 0, sizeof(three));
	three[0x10 >> 3] = 0x07;	/* blocks 0x10, 0x11, 0x12 */
	find_fill(f, 0x10, 255);
	find_fill(f, 0x11, 100);
	find_fill(f, 0x12, 250);
	find_summary_check(f);

	KUNIT_ASSERT_EQ(test, pptp_callid_find(&f->s, find_block, f, all, -1,
					       0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x10ff);
	f->lookups = 0;
	KUNIT_ASSERT_EQ(test, pptp_callid_find_roomy(&f->s, find_block, f, all,
						     0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out >> 8, 0x11);
	KUNIT_EXPECT_EQ(test, f->lookups, 1U);

	/* 0x11 down to 56 free: below the wide tier, within the other. */
	find_fill(f, 0x11, 200);
	find_summary_check(f);
	f->lookups = 0;
	KUNIT_ASSERT_EQ(test, pptp_callid_find_roomy(&f->s, find_block, f,
						     three, 0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out >> 8, 0x11);
	KUNIT_EXPECT_EQ(test, f->lookups, 1U);
	/* With all blocks allowed an empty one is wider still. */
	KUNIT_ASSERT_EQ(test, pptp_callid_find_roomy(&f->s, find_block, f, all,
						     0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out >> 8, 0x13);

	/* Only the scarce blocks allowed: any free ID, from the start. */
	three[0x10 >> 3] = 0x05;	/* 0x10 and 0x12 */
	f->lookups = 0;
	KUNIT_ASSERT_EQ(test, pptp_callid_find_roomy(&f->s, find_block, f,
						     three, 0x1000, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x10ff);
	KUNIT_EXPECT_EQ(test, f->lookups, 1U);
	find_mark(f, 0x10ff, true);
	find_fill(f, 0x12, 256);
	KUNIT_EXPECT_EQ(test, pptp_callid_find_roomy(&f->s, find_block, f,
						     three, 0x1000, &out), -1);
	find_summary_check(f);
}

/*
 * Property: over random marks, frees and requests, find() returns a free,
 * allowed, non-zero ID exactly when the oracle has one; takes @prefer
 * when it qualifies; and asks for at most two blocks (prefer's and the
 * one it picks from), whatever the occupancy.
 */
static void callid_find_oracle_test(struct kunit *test)
{
	struct find_ctx *f = find_ctx_new(test);
	u32 state = 0x12345678, step, found = 0, none = 0, took = 0;

	for (step = 0; step < 6000; step++) {
		u8 blocks[CALLID_NBLK / 8];
		int prefer, rc;
		u16 start, out = 0;
		unsigned int i, op;

		state = state * 1103515245 + 12345;
		op = (state >> 16) % 8;
		/* Dense: mostly a few blocks, sometimes everything allowed. */
		memset(blocks, 0, sizeof(blocks));
		if (op == 0) {
			memset(blocks, 0xff, sizeof(blocks));
		} else {
			/* Mostly blocks 0..7 (2047 IDs), so they fill up. */
			for (i = 0; i < 1 + op; i++) {
				state = state * 1103515245 + 12345;
				blocks[op < 6 ? 0 : (state >> 16) % 4] |=
					(u8)(1U << ((state >> 8) & 7));
			}
		}
		state = state * 1103515245 + 12345;
		prefer = (state >> 8) & 1 ? (int)((state >> 12) & 0x1fff) : -1;
		state = state * 1103515245 + 12345;
		start = (u16)((state >> 8) & 0x1fff);
		f->lookups = 0;
		rc = pptp_callid_find(&f->s, find_block, f, blocks, prefer,
				      start, &out);
		KUNIT_ASSERT_LE(test, f->lookups, 2U);
		if (rc) {
			KUNIT_ASSERT_FALSE_MSG(test, find_oracle_any(f, blocks),
					       "step %u: none found", step);
			none++;
			/* Free something so the space keeps moving. */
			state = state * 1103515245 + 12345;
			find_mark(f, (u16)((state >> 8) & 0x7ff), false);
			continue;
		}
		KUNIT_ASSERT_NE(test, out, 0);
		KUNIT_ASSERT_TRUE(test, callid_block_ok(blocks, out));
		KUNIT_ASSERT_FALSE_MSG(test, test_bit(out, f->used),
				       "step %u: id %u is live", step, out);
		if (prefer > 0 && callid_block_ok(blocks, (u16)prefer) &&
		    !test_bit(prefer, f->used)) {
			KUNIT_ASSERT_EQ(test, out, (u16)prefer);
			took++;
		}
		find_mark(f, out, true);
		found++;
		/* One in three steps frees a random ID again. */
		state = state * 1103515245 + 12345;
		if ((state >> 8) % 3 == 0)
			find_mark(f, (u16)((state >> 10) & 0x7ff), false);
	}
	find_summary_check(f);
	/* The walk filled the low blocks and hit both outcomes. */
	KUNIT_EXPECT_GT(test, found, 1000U);
	KUNIT_EXPECT_GT(test, none, 100U);
	KUNIT_EXPECT_GT(test, took, 100U);
}

/* The whole space: 65535 IDs, each once, then the one freed comes back. */
static void callid_find_full_test(struct kunit *test)
{
	struct find_ctx *f = find_ctx_new(test);
	u8 all[CALLID_NBLK / 8];
	unsigned int n = 0;
	u16 out, start = 0x7777;

	memset(all, 0xff, sizeof(all));
	while (!pptp_callid_find(&f->s, find_block, f, all, -1, start, &out)) {
		KUNIT_ASSERT_NE(test, out, 0);
		KUNIT_ASSERT_FALSE(test, test_bit(out, f->used));
		find_mark(f, out, true);
		start = out;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, CALLID_USABLE);
	KUNIT_EXPECT_EQ(test, f->s.full[0], 0xff);
	find_mark(f, 0x1234, false);
	f->lookups = 0;
	KUNIT_EXPECT_EQ(test, pptp_callid_find(&f->s, find_block, f, all, -1,
					       0xfe00, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x1234);
	KUNIT_EXPECT_EQ(test, f->lookups, 1U);
}

static int callid_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The adversarial case of the old probing allocator: every ID from the
 * cursor on is taken except at the far end, so each pick walks. The same
 * occupancy through find() asks one block. Prints the worst and median
 * time per new ID of both (a measurement, not asserted: the assertion is
 * on the work, probes against block lookups).
 */
static void callid_find_adversarial_test(struct kunit *test)
{
	struct callid_ctx *c = callid_ctx_new(test);
	struct find_ctx *f = find_ctx_new(test);
	u64 *t_old, *t_new, t0;
	struct pptp_callid_alloc a;
	u8 all[CALLID_NBLK / 8];
	u32 worst_probes = 0, worst_lookups = 0;
	unsigned int i, id, n = 200;
	unsigned long flags;
	u16 out;
	int rc;

	t_old = kunit_kcalloc(test, n, sizeof(u64), GFP_KERNEL);
	t_new = kunit_kcalloc(test, n, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t_old);
	KUNIT_ASSERT_NOT_NULL(test, t_new);
	memset(all, 0xff, sizeof(all));
	/* 4000 IDs parked in front of the cursor, the rest free. */
	for (id = 1001; id < 5001; id++) {
		set_bit(id, c->busy);
		find_mark(f, (u16)id, true);
	}
	for (i = 0; i < n; i++) {
		pptp_callid_init(&a, 1000);
		c->calls = 0;
		/* Interrupts off: the time is the allocator's, not a tick's. */
		local_irq_save(flags);
		t0 = ktime_get_ns();
		rc = pptp_callid_pick(&a, 0, false, 65535, callid_busy, c, &out);
		t_old[i] = ktime_get_ns() - t0;
		local_irq_restore(flags);
		KUNIT_ASSERT_EQ(test, rc, 0);
		KUNIT_ASSERT_EQ(test, out, 5001 + i);
		worst_probes = max(worst_probes, c->calls);
		set_bit(out, c->busy);

		f->lookups = 0;
		local_irq_save(flags);
		t0 = ktime_get_ns();
		rc = pptp_callid_find(&f->s, find_block, f, all, -1, 1001, &out);
		t_new[i] = ktime_get_ns() - t0;
		local_irq_restore(flags);
		KUNIT_ASSERT_EQ(test, rc, 0);
		KUNIT_ASSERT_FALSE(test, test_bit(out, f->used));
		worst_lookups = max(worst_lookups, f->lookups);
		find_mark(f, out, true);
	}
	sort(t_old, n, sizeof(u64), callid_cmp_u64, NULL);
	sort(t_new, n, sizeof(u64), callid_cmp_u64, NULL);
	kunit_info(test,
		   "callid-bench: probing worst=%lluns median=%lluns probes=%u; bitmap worst=%lluns median=%lluns lookups=%u\n",
		   t_old[n - 1], t_old[n / 2], worst_probes,
		   t_new[n - 1], t_new[n / 2], worst_lookups);
	KUNIT_EXPECT_GE(test, worst_probes, 4000U);
	KUNIT_EXPECT_LE(test, worst_lookups, 1U);
}

static struct kunit_case callid_test_cases[] = {
	KUNIT_CASE(callid_unique_test),
	KUNIT_CASE(callid_keep_free_test),
	KUNIT_CASE(callid_translate_busy_test),
	KUNIT_CASE(callid_exhaust_reuse_test),
	KUNIT_CASE_PARAM(callid_max_probes_test, callid_probe_gen_params),
	KUNIT_CASE_PARAM(callid_wrap_test, callid_wrap_gen_params),
	KUNIT_CASE(callid_never_zero_test),
	KUNIT_CASE_PARAM(callid_pick_in_test, callid_in_gen_params),
	KUNIT_CASE(callid_pick_in_exhaust_test),
	KUNIT_CASE(callid_pick_all_blocks_test),
	KUNIT_CASE(callid_find_roomy_test),
	KUNIT_CASE(callid_find_oracle_test),
	KUNIT_CASE(callid_find_full_test),
	KUNIT_CASE(callid_find_adversarial_test),
	{}
};

static struct kunit_suite callid_test_suite = {
	.name = "nf_pptp_alg_callid",
	.test_cases = callid_test_cases,
};

kunit_test_suite(callid_test_suite);
