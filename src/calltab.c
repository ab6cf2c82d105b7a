// SPDX-License-Identifier: GPL-2.0
/*
 * The map table: per-netns hash of live GRE flows keyed by (outer source,
 * outer destination, Call ID in the GRE key, stage). Fixed bucket array
 * sized at load time so a lookup never races a resize; readers use RCU,
 * writers hold the owning netns lock.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "nf_pptp_alg.h"

int pptp_alg_table_init(struct pptp_alg_table *t, unsigned int size, u32 seed)
{
	unsigned int n = roundup_pow_of_two(size);

	t->buckets = kvcalloc(n, sizeof(*t->buckets), GFP_KERNEL_ACCOUNT);
	if (!t->buckets)
		return -ENOMEM;
	t->mask = n - 1;
	t->seed = seed;
	return 0;
}

void pptp_alg_table_free(struct pptp_alg_table *t)
{
	kvfree(t->buckets);
	t->buckets = NULL;
}

static u32 pptp_alg_key_hash(const struct pptp_alg_table *t,
			     const struct pptp_alg_key *k)
{
	return jhash_3words((__force u32)k->src, (__force u32)k->dst,
			    ((u32)k->stage << 16) | k->id,
			    t->seed ^ k->zone) & t->mask;
}

static bool pptp_alg_key_eq(const struct pptp_alg_key *a,
			    const struct pptp_alg_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->id == b->id &&
	       a->zone == b->zone && a->stage == b->stage;
}

struct pptp_alg_map *pptp_alg_table_lookup(const struct pptp_alg_table *t,
					   const struct pptp_alg_key *key)
{
	struct pptp_alg_map *m;

	hlist_for_each_entry_rcu(m, &t->buckets[pptp_alg_key_hash(t, key)],
				 node) {
		if (pptp_alg_key_eq(&m->key, key))
			return m;
	}
	return NULL;
}

int pptp_alg_table_insert(struct pptp_alg_table *t, struct pptp_alg_map *m)
{
	if (pptp_alg_table_lookup(t, &m->key))
		return -EEXIST;
	hlist_add_head_rcu(&m->node, &t->buckets[pptp_alg_key_hash(t, &m->key)]);
	WRITE_ONCE(m->hashed, true);
	return 0;
}

void pptp_alg_table_remove(struct pptp_alg_map *m)
{
	if (!m->hashed)
		return;
	hlist_del_rcu(&m->node);
	WRITE_ONCE(m->hashed, false);
}

/* The bucket @key belongs in (for dumps, which walk bucket by bucket). */
unsigned int pptp_alg_table_bucket(const struct pptp_alg_table *t,
				   const struct pptp_alg_key *key)
{
	return pptp_alg_key_hash(t, key);
}
