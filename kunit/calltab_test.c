// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nf_pptp_alg_calltab: the per-netns GRE map table
 * (src/calltab.c). Tables are made tiny so that entries share buckets and
 * every operation walks a chain. Writers hold a lock of the test's own, as
 * the module's writers hold the netns lock; lookups run under RCU.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "nf_pptp_alg.h"

#define TAB_NENTRIES	64

struct tab_ctx {
	struct pptp_alg_table t;
	spinlock_t lock;	/* writers */
};

static void tab_free_action(void *arg)
{
	struct tab_ctx *tc = arg;

	pptp_alg_table_free(&tc->t);
}

static struct tab_ctx *tab_new(struct kunit *test, unsigned int size)
{
	struct tab_ctx *tc;

	tc = kunit_kzalloc(test, sizeof(*tc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tc);
	spin_lock_init(&tc->lock);
	KUNIT_ASSERT_EQ(test, pptp_alg_table_init(&tc->t, size, 0x5eed), 0);
	KUNIT_ASSERT_NOT_NULL(test, tc->t.buckets);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tab_free_action,
							tc), 0);
	return tc;
}

static int tab_insert(struct tab_ctx *tc, struct pptp_alg_map *m)
{
	int ret;

	spin_lock_bh(&tc->lock);
	ret = pptp_alg_table_insert(&tc->t, m);
	spin_unlock_bh(&tc->lock);
	return ret;
}

static void tab_remove(struct tab_ctx *tc, struct pptp_alg_map *m)
{
	spin_lock_bh(&tc->lock);
	pptp_alg_table_remove(m);
	spin_unlock_bh(&tc->lock);
}

static struct pptp_alg_map *tab_lookup(struct tab_ctx *tc,
				       const struct pptp_alg_key *k)
{
	struct pptp_alg_map *m;

	rcu_read_lock();
	m = pptp_alg_table_lookup(&tc->t, k);
	rcu_read_unlock();
	return m;
}

static struct pptp_alg_map *tab_map_new(struct kunit *test, __be32 src,
					__be32 dst, u16 id, u8 stage)
{
	struct pptp_alg_map *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->key.src = src;
	m->key.dst = dst;
	m->key.id = id;
	m->key.stage = stage;
	m->new_id = id ^ 0x8000;
	return m;
}

/* The i-th of a family of distinct keys that vary every field. */
static struct pptp_alg_map *tab_map_nth(struct kunit *test, unsigned int i)
{
	return tab_map_new(test, htonl(0x0a000001 + i % 5),
			   htonl(0xc0a80001 + i % 3), (u16)(1000 + i),
			   i & 1 ? PPTP_STAGE_POST : PPTP_STAGE_PRE);
}

struct tab_size_case {
	unsigned int size;
	unsigned int mask;
};

static const struct tab_size_case tab_size_cases[] = {
	{ 1, 0 },	/* one bucket: every entry in one chain */
	{ 3, 3 },
	{ 4, 3 },
	{ 5, 7 },
};

static void tab_size_desc(const struct tab_size_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %u", c->size);
}

KUNIT_ARRAY_PARAM(tab_size, tab_size_cases, tab_size_desc);

static void tab_insert_lookup_remove_test(struct kunit *test)
{
	const struct tab_size_case *sc = test->param_value;
	struct tab_ctx *tc = tab_new(test, sc->size);
	struct pptp_alg_map *m[TAB_NENTRIES];
	struct pptp_alg_key missing = {
		.src = htonl(0x0a0000ff), .dst = htonl(0xc0a800ff),
		.id = 1000, .stage = PPTP_STAGE_PRE,
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, tc->t.mask, sc->mask);
	KUNIT_EXPECT_NULL(test, tab_lookup(tc, &missing));

	for (i = 0; i < TAB_NENTRIES; i++) {
		m[i] = tab_map_nth(test, i);
		KUNIT_ASSERT_EQ_MSG(test, tab_insert(tc, m[i]), 0, "entry %u",
				    i);
		KUNIT_EXPECT_TRUE(test, m[i]->hashed);
	}
	for (i = 0; i < TAB_NENTRIES; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, tab_lookup(tc, &m[i]->key), m[i],
					"entry %u", i);
	KUNIT_EXPECT_NULL(test, tab_lookup(tc, &missing));

	/* Remove every other entry: chains are cut in the middle. */
	for (i = 0; i < TAB_NENTRIES; i += 2) {
		tab_remove(tc, m[i]);
		KUNIT_EXPECT_FALSE(test, m[i]->hashed);
	}
	for (i = 0; i < TAB_NENTRIES; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, tab_lookup(tc, &m[i]->key),
					i % 2 ? m[i] : NULL, "entry %u", i);

	/* Removed entries can go back in. */
	for (i = 0; i < TAB_NENTRIES; i += 2)
		KUNIT_EXPECT_EQ(test, tab_insert(tc, m[i]), 0);
	for (i = 0; i < TAB_NENTRIES; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, tab_lookup(tc, &m[i]->key), m[i],
					"entry %u", i);

	for (i = 0; i < TAB_NENTRIES; i++)
		tab_remove(tc, m[i]);
	for (i = 0; i < TAB_NENTRIES; i++)
		KUNIT_EXPECT_NULL(test, tab_lookup(tc, &m[i]->key));
}

static void tab_duplicate_test(struct kunit *test)
{
	struct tab_ctx *tc = tab_new(test, 4);
	struct pptp_alg_map *a, *b;

	a = tab_map_new(test, htonl(0x0a000001), htonl(0x0a000002), 1226,
			PPTP_STAGE_PRE);
	b = tab_map_new(test, htonl(0x0a000001), htonl(0x0a000002), 1226,
			PPTP_STAGE_PRE);
	b->new_id = 20631;	/* different payload, same key */

	KUNIT_EXPECT_EQ(test, tab_insert(tc, a), 0);
	KUNIT_EXPECT_EQ(test, tab_insert(tc, b), -EEXIST);
	KUNIT_EXPECT_FALSE(test, b->hashed);
	KUNIT_EXPECT_PTR_EQ(test, tab_lookup(tc, &b->key), a);

	/* Inserting the same entry twice is refused as well. */
	KUNIT_EXPECT_EQ(test, tab_insert(tc, a), -EEXIST);
	KUNIT_EXPECT_TRUE(test, a->hashed);

	/* Once the first is gone the key is free again. */
	tab_remove(tc, a);
	KUNIT_EXPECT_EQ(test, tab_insert(tc, b), 0);
	KUNIT_EXPECT_PTR_EQ(test, tab_lookup(tc, &a->key), b);
	tab_remove(tc, b);
}

struct tab_field_case {
	const char *name;
	__be32 src;
	__be32 dst;
	u16 id;
	u8 stage;
	u16 zone;
};

#define TAB_SRC	htonl(0xc0a80a73)	/* 192.168.10.115 */
#define TAB_DST	htonl(0x0a0a0a02)	/* 10.10.10.2 */

/* The first row is the base key; each other differs in one field only. */
static const struct tab_field_case tab_field_cases[] = {
	{ "base", TAB_SRC, TAB_DST, 1226, PPTP_STAGE_PRE },
	{ "stage", TAB_SRC, TAB_DST, 1226, PPTP_STAGE_POST },
	{ "id", TAB_SRC, TAB_DST, 1227, PPTP_STAGE_PRE },
	{ "id byte-swapped", TAB_SRC, TAB_DST, 0xca04, PPTP_STAGE_PRE },
	{ "src", htonl(0xc0a80a74), TAB_DST, 1226, PPTP_STAGE_PRE },
	{ "dst", TAB_SRC, htonl(0x0a0a0a03), 1226, PPTP_STAGE_PRE },
	{ "src and dst swapped", TAB_DST, TAB_SRC, 1226, PPTP_STAGE_PRE },
	/* Tenants with overlapping addresses: the zone alone tells apart. */
	{ "zone", TAB_SRC, TAB_DST, 1226, PPTP_STAGE_PRE, 7 },
	{ "zone byte-swapped", TAB_SRC, TAB_DST, 1226, PPTP_STAGE_PRE, 0x700 },
};

static void tab_distinct_fields_test(struct kunit *test)
{
	struct pptp_alg_map *m[ARRAY_SIZE(tab_field_cases)];
	/* One bucket: only the key comparison can tell the entries apart. */
	struct tab_ctx *tc = tab_new(test, 1);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(tab_field_cases); i++) {
		const struct tab_field_case *f = &tab_field_cases[i];

		m[i] = tab_map_new(test, f->src, f->dst, f->id, f->stage);
		m[i]->key.zone = f->zone;
		KUNIT_EXPECT_EQ_MSG(test, tab_insert(tc, m[i]), 0, "%s",
				    f->name);
	}
	for (i = 0; i < ARRAY_SIZE(tab_field_cases); i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, tab_lookup(tc, &m[i]->key), m[i],
					"%s", tab_field_cases[i].name);

	/* Removing one leaves each of the others in place. */
	for (i = 0; i < ARRAY_SIZE(tab_field_cases); i++) {
		tab_remove(tc, m[i]);
		KUNIT_EXPECT_NULL_MSG(test, tab_lookup(tc, &m[i]->key), "%s",
				      tab_field_cases[i].name);
		for (j = i + 1; j < ARRAY_SIZE(tab_field_cases); j++)
			KUNIT_EXPECT_PTR_EQ_MSG(test,
						tab_lookup(tc, &m[j]->key),
						m[j], "%s after %s gone",
						tab_field_cases[j].name,
						tab_field_cases[i].name);
	}
}

static void tab_remove_twice_test(struct kunit *test)
{
	struct tab_ctx *tc = tab_new(test, 1);
	struct pptp_alg_map *a, *b, *c;

	a = tab_map_nth(test, 0);
	b = tab_map_nth(test, 1);
	c = tab_map_nth(test, 2);
	KUNIT_ASSERT_EQ(test, tab_insert(tc, a), 0);
	KUNIT_ASSERT_EQ(test, tab_insert(tc, b), 0);
	KUNIT_ASSERT_EQ(test, tab_insert(tc, c), 0);

	tab_remove(tc, b);
	tab_remove(tc, b);
	KUNIT_EXPECT_FALSE(test, b->hashed);
	KUNIT_EXPECT_NULL(test, tab_lookup(tc, &b->key));
	KUNIT_EXPECT_PTR_EQ(test, tab_lookup(tc, &a->key), a);
	KUNIT_EXPECT_PTR_EQ(test, tab_lookup(tc, &c->key), c);

	/* An entry that never was in the table can be removed too. */
	tab_remove(tc, tab_map_nth(test, 3));

	tab_remove(tc, a);
	tab_remove(tc, c);
	tab_remove(tc, a);
	KUNIT_EXPECT_NULL(test, tab_lookup(tc, &a->key));
	KUNIT_EXPECT_NULL(test, tab_lookup(tc, &c->key));
	KUNIT_EXPECT_TRUE(test, hlist_empty(&tc->t.buckets[0]));
}

static void tab_free_test(struct kunit *test)
{
	struct pptp_alg_table t;

	KUNIT_ASSERT_EQ(test, pptp_alg_table_init(&t, 256, 1), 0);
	KUNIT_EXPECT_EQ(test, t.mask, 255);
	KUNIT_EXPECT_EQ(test, t.seed, 1);
	pptp_alg_table_free(&t);
	KUNIT_EXPECT_NULL(test, t.buckets);
}

static struct kunit_case calltab_test_cases[] = {
	KUNIT_CASE_PARAM(tab_insert_lookup_remove_test, tab_size_gen_params),
	KUNIT_CASE(tab_duplicate_test),
	KUNIT_CASE(tab_distinct_fields_test),
	KUNIT_CASE(tab_remove_twice_test),
	KUNIT_CASE(tab_free_test),
	{}
};

static struct kunit_suite calltab_test_suite = {
	.name = "nf_pptp_alg_calltab",
	.test_cases = calltab_test_cases,
};

kunit_test_suite(calltab_test_suite);
