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

int pptp_callid_pick(struct pptp_callid_alloc *a, u16 want, bool keep,
		     u32 max_probes, pptp_callid_busy_fn busy, void *ctx,
		     u16 *out)
{
	u16 id = a->cursor;

	if (keep && want != 0 && !busy(ctx, want)) {
		*out = want;
		return 0;
	}

	if (max_probes > PPTP_CALLID_SPACE)
		max_probes = PPTP_CALLID_SPACE;

	for (u32 i = 0; i < max_probes; i++) {
		id = (u16)(id % PPTP_CALLID_SPACE + 1);
		if (!busy(ctx, id)) {
			a->cursor = id;
			*out = id;
			return 0;
		}
	}
	return -1;
}
