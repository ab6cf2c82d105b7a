// SPDX-License-Identifier: GPL-2.0
/*
 * Call ID allocator. Pure C: see include/pptp_callid.h.
 */
#include "pptp_callid.h"

#define PPTP_CALLID_SPACE 65535U	/* 1..65535; 0 is reserved */

void pptp_callid_init(struct pptp_callid_alloc *a, u16 seed)
{
	a->cursor = seed;
}

static bool pptp_callid_block_ok(const u8 *blocks, u16 id)
{
	unsigned int b = id >> 8;

	return blocks[b >> 3] & (1U << (b & 7));
}

int pptp_callid_pick_in(struct pptp_callid_alloc *a, const u8 *blocks,
			int prefer, u32 max_probes, pptp_callid_busy_fn busy,
			void *ctx, u16 *out)
{
	u16 id = a->cursor;
	u32 probes = 0, skips = 0;

	if (prefer > 0 && prefer <= 0xffff &&
	    pptp_callid_block_ok(blocks, (u16)prefer) &&
	    !busy(ctx, (u16)prefer)) {
		*out = (u16)prefer;
		return 0;
	}
	if (max_probes > PPTP_CALLID_SPACE)
		max_probes = PPTP_CALLID_SPACE;

	/*
	 * A whole block that is not allowed costs one step, so the walk is
	 * bounded by max_probes lookups plus one turn over the 256 blocks.
	 */
	while (probes < max_probes && skips <= 256) {
		id = (u16)(id % PPTP_CALLID_SPACE + 1);
		if (!pptp_callid_block_ok(blocks, id)) {
			skips++;
			id |= 0xff;
			continue;
		}
		probes++;
		if (!busy(ctx, id)) {
			a->cursor = id;
			*out = id;
			return 0;
		}
	}
	return -1;
}

int pptp_callid_pick(struct pptp_callid_alloc *a, u16 want, bool keep,
		     u32 max_probes, pptp_callid_busy_fn busy, void *ctx,
		     u16 *out)
{
	u8 all[32];
	unsigned int i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = 0xff;
	return pptp_callid_pick_in(a, all, keep ? want : -1, max_probes, busy,
				   ctx, out);
}

static bool pptp_bit(const u8 *map, unsigned int i)
{
	return map[i >> 3] & (1U << (i & 7));
}

bool pptp_callid_used(const struct pptp_callid_block *b, u16 id)
{
	return id == 0 || (b && pptp_bit(b->used, id & 0xff));
}

static void pptp_callid_setbit(u8 *map, unsigned int i, bool on)
{
	if (on)
		map[i >> 3] |= (u8)(1U << (i & 7));
	else
		map[i >> 3] &= (u8)~(1U << (i & 7));
}

void pptp_callid_mark(struct pptp_callid_space *s,
		      struct pptp_callid_block *b, u16 id, bool used)
{
	unsigned int lo = id & 0xff, hi = id >> 8;
	/* Block 0 holds 255 usable IDs: 0 is never handed out. */
	unsigned int cap = hi ? 256 : 255;
	u8 bit = (u8)(1U << (lo & 7));

	if (id == 0 || pptp_bit(b->used, lo) == used)
		return;
	if (used) {
		b->used[lo >> 3] |= bit;
		b->n++;
	} else {
		b->used[lo >> 3] &= (u8)~bit;
		b->n--;
	}
	pptp_callid_setbit(s->full, hi, b->n >= cap);
	pptp_callid_setbit(s->scarce[0], hi, cap - b->n < PPTP_CALLID_ROOM_WIDE);
	pptp_callid_setbit(s->scarce[1], hi, cap - b->n < PPTP_CALLID_ROOM_SOME);
}

/* First free low byte of block @hi at or after @lo0, cyclically; -1: none. */
static int pptp_callid_free_lo(const struct pptp_callid_block *b,
			       unsigned int hi, unsigned int lo0)
{
	unsigned int k, i;

	if (!b)
		return (hi == 0 && lo0 == 0) ? 1 : (int)lo0;
	/* At most 33 bytes read: the start byte twice, the others once. */
	for (k = 0; k <= 32; k++) {
		unsigned int byte = ((lo0 >> 3) + k) & 31;
		u8 v = b->used[byte];

		if (v == 0xff)
			continue;
		for (i = 0; i < 8; i++) {
			unsigned int lo = byte << 3 | i;

			/* The start byte: first pass from lo0, last below it. */
			if (k == 0 && lo < lo0)
				continue;
			if (k == 32 && lo >= lo0)
				break;
			if (hi == 0 && lo == 0)
				continue;
			if (!(v & (1U << i)))
				return (int)lo;
		}
	}
	return -1;
}

int pptp_callid_find(const struct pptp_callid_space *s,
		     pptp_callid_block_fn block, void *ctx, const u8 *blocks,
		     int prefer, u16 start, u16 *out)
{
	unsigned int b0 = start >> 8, lo0 = start & 0xff, k;

	if (prefer > 0 && prefer <= 0xffff &&
	    pptp_bit(blocks, (unsigned int)prefer >> 8) &&
	    !pptp_callid_used(block(ctx, (u8)(prefer >> 8)), (u16)prefer)) {
		*out = (u16)prefer;
		return 0;
	}
	/* Each block once; a block allowed and not full has a free ID. */
	for (k = 0; k < 256; k++) {
		unsigned int hi = (b0 + k) & 0xff;
		int lo;

		/* Skip eight blocks at a time where none qualifies. */
		if ((hi & 7) == 0 && k + 8 <= 256 &&
		    !(blocks[hi >> 3] & (u8)~s->full[hi >> 3])) {
			k += 7;
			continue;
		}
		if (!pptp_bit(blocks, hi) || pptp_bit(s->full, hi))
			continue;
		lo = pptp_callid_free_lo(block(ctx, (u8)hi), hi, lo0);
		if (lo < 0)
			continue;
		*out = (u16)(hi << 8 | (unsigned int)lo);
		return 0;
	}
	return -1;
}

int pptp_callid_find_roomy(const struct pptp_callid_space *s,
			   pptp_callid_block_fn block, void *ctx,
			   const u8 *blocks, u16 start, u16 *out)
{
	u8 room[32], any;
	unsigned int t, i;

	/*
	 * A block not scarce at a tier is not full either: the first one
	 * allowed has a free ID, so a tier with any such block succeeds
	 * with one lookup and a tier without any costs none.
	 */
	for (t = 0; t < PPTP_CALLID_TIERS; t++) {
		any = 0;
		for (i = 0; i < sizeof(room); i++) {
			room[i] = blocks[i] & (u8)~s->scarce[t][i];
			any |= room[i];
		}
		if (any && !pptp_callid_find(s, block, ctx, room, -1, start, out))
			return 0;
	}
	return pptp_callid_find(s, block, ctx, blocks, -1, start, out);
}
