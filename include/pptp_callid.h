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

/*
 * The bounded allocator the kernel uses. For one (peer, address it sends
 * to) the IDs in use are kept as 256 blocks of 256 bits (one block per
 * high byte, allocated only while it holds an ID) plus one bit per block
 * saying it is full. Finding a free ID reads at most the 32 bytes of the
 * full map and, in each block it tries, at most its 32 bytes: no probe
 * loop, no dependence on how many IDs are live. ID 0 is never used.
 */
struct pptp_callid_block {
	u8 used[32];
	u16 n;
};

/*
 * A connection's later calls share the block its first ID opened (the
 * rewriter's block map), so a block is opened where room is left: first
 * one with PPTP_CALLID_ROOM_WIDE free IDs, else PPTP_CALLID_ROOM_SOME.
 */
#define PPTP_CALLID_ROOM_WIDE	64
#define PPTP_CALLID_ROOM_SOME	8
#define PPTP_CALLID_TIERS	2

struct pptp_callid_space {
	u8 full[32];
	/* [tier]: the block has fewer free IDs than that tier's room */
	u8 scarce[PPTP_CALLID_TIERS][32];
};

/* The block of high byte @hi, or NULL when none of its IDs is in use. */
typedef const struct pptp_callid_block *(*pptp_callid_block_fn)(void *ctx,
								  u8 hi);

bool pptp_callid_used(const struct pptp_callid_block *b, u16 id);
/* Mark @id used (@used) or free in @b and keep @s's full bit right. */
void pptp_callid_mark(struct pptp_callid_space *s,
		      struct pptp_callid_block *b, u16 id, bool used);
/*
 * A free ID whose high byte is allowed by @blocks: @prefer (if > 0) when
 * it qualifies, else the first free one found from @start, trying each
 * block once from @start's and, inside each, low bytes from @start's.
 * 0 on success, -1 when every allowed block is full.
 */
int pptp_callid_find(const struct pptp_callid_space *s,
		     pptp_callid_block_fn block, void *ctx, const u8 *blocks,
		     int prefer, u16 start, u16 *out);

/*
 * As pptp_callid_find() without @prefer, for an ID that opens a block:
 * from the blocks @blocks allows, one with PPTP_CALLID_ROOM_WIDE free IDs
 * if there is one, else one with PPTP_CALLID_ROOM_SOME, else any with a
 * free ID. Still at most one block looked up.
 */
int pptp_callid_find_roomy(const struct pptp_callid_space *s,
			   pptp_callid_block_fn block, void *ctx,
			   const u8 *blocks, u16 start, u16 *out);

#endif /* PPTP_CALLID_H */
