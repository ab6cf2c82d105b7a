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
