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
#include <linux/slab.h>
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
	{}
};

static struct kunit_suite callid_test_suite = {
	.name = "nf_pptp_alg_callid",
	.test_cases = callid_test_cases,
};

kunit_test_suite(callid_test_suite);
