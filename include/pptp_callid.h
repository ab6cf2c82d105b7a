/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call ID allocator. Pure C: the caller supplies the "is this ID in use"
 * test (in the kernel, a map-table lookup made under the table lock), so the
 * allocator owns no memory and can be tested and fuzzed in user space.
 */
#ifndef PPTP_CALLID_H
#define PPTP_CALLID_H

#include "pptp_types.h"

struct pptp_callid_alloc {
	u16 cursor;	/* last ID handed out; 0 is never handed out */
};

typedef bool (*pptp_callid_busy_fn)(void *ctx, u16 id);

void pptp_callid_init(struct pptp_callid_alloc *a, u16 seed);

/*
 * Pick a Call ID that @busy says is free. When @keep is set and @want is
 * free, @want is returned unchanged (a peer's own ID survives NAT when it
 * cannot collide). Otherwise IDs are tried in order from the cursor, at most
 * @max_probes of them: expected O(1) while the ID space is sparse, bounded
 * when it is full. Returns 0 on success, -1 when no free ID was found.
 */
int pptp_callid_pick(struct pptp_callid_alloc *a, u16 want, bool keep,
		     u32 max_probes, pptp_callid_busy_fn busy, void *ctx,
		     u16 *out);

/*
 * As pptp_callid_pick(), but only IDs whose high byte has its bit set in
 * the 256-bit map @blocks qualify, @prefer included (-1: none). The
 * stream rewriter keeps IDs that share a high byte in one block.
 */
int pptp_callid_pick_in(struct pptp_callid_alloc *a, const u8 *blocks,
			int prefer, u32 max_probes, pptp_callid_busy_fn busy,
			void *ctx, u16 *out);

#endif /* PPTP_CALLID_H */
