/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PPTP control-stream rewriter: TCP sequence tracking, the message
 * parser feed, Call ID field translation and the retransmission store of
 * one control connection. Pure C (no skb, no locks, no printk): the kernel
 * glue (src/helper.c) and the user-space fuzzer drive it alike, and supply
 * the Call ID allocator, the call objects and the counters through
 * struct pptp_rw_ops. The invariants it keeps are at the top of
 * src/pptp_rewrite.c and in README.
 */
#ifndef PPTP_REWRITE_H
#define PPTP_REWRITE_H

#include "pptp_msg.h"

/* Bytes one direction keeps for retransmission (a power of two). */
#define PPTP_RW_STORE		4096U
#define PPTP_RW_BLOCKS		256	/* high bytes of a Call ID */

enum pptp_rw_role { PPTP_RW_PNS = 0, PPTP_RW_PAC = 1 };

enum pptp_rw_call_state {
	PPTP_RW_OUT_PENDING = 1,	/* OCRQ seen, waiting for OCRP */
	PPTP_RW_IN_PENDING,		/* ICRQ seen, waiting for ICRP */
	PPTP_RW_IN_REPLIED,		/* ICRP seen, waiting for ICCN */
	PPTP_RW_ESTABLISHED,
	PPTP_RW_CLEARING,		/* CCRQ seen, waiting for CDN */
};

/* What happened; the glue turns each into a counter (and a log line). */
enum pptp_rw_event {
	PPTP_RW_EV_MSG,			/* a message header checked out */
	PPTP_RW_EV_BAD_COOKIE,
	PPTP_RW_EV_BAD_MSG_TYPE,
	PPTP_RW_EV_BAD_CTRL_TYPE,
	PPTP_RW_EV_BAD_LENGTH,
	PPTP_RW_EV_GAP,			/* segment beyond a hole: dropped */
	PPTP_RW_EV_RETRANSMIT,		/* bytes replayed from the store */
	PPTP_RW_EV_STORE_FULL,		/* unacked bytes at the bound: dropped */
	PPTP_RW_EV_NO_STORE,		/* no memory for the store: dropped */
	PPTP_RW_EV_MIDSTREAM,		/* no SYN seen on a NATed connection */
	PPTP_RW_EV_CLOSED,		/* segment of a failed-closed connection */
	PPTP_RW_EV_SPLIT_FIELD,		/* a Call ID field spans two segments */
	PPTP_RW_EV_NOT_FOUND,		/* message names an unknown call */
	PPTP_RW_EV_UNEXPECTED,		/* message not valid in the call state */
	PPTP_RW_EV_DUPLICATE,		/* request or reply repeated */
	PPTP_RW_EV_REFUSED,		/* new call refused (limits, IDs) */
	PPTP_RW_EV_CALL_FAILED,		/* reply with a failure result */
	PPTP_RW_EV_BIND_FAILED,		/* GRE flows could not be installed */
	PPTP_RW_EV_FAIL_CLOSED,		/* the connection failed closed */
	PPTP_RW_EV_MAX,
};

/* Why a call is freed (passed to ops->call_free). */
enum pptp_rw_free {
	PPTP_RW_FREE_CDN,	/* its Call-Disconnect-Notify */
	PPTP_RW_FREE_STOP,	/* Stop-Control-Connection-Request or -Reply */
	PPTP_RW_FREE_FIN,	/* FIN or RST on the control connection */
	PPTP_RW_FREE_TEARDOWN,	/* the connection's state destroyed */
	PPTP_RW_FREE_UNPARSED,	/* a direction is no longer parsed */
	PPTP_RW_FREE_FAILED,	/* the reply refused the call */
	PPTP_RW_FREE_UNUSED,	/* allocated for a request that was a repeat */
	PPTP_RW_FREE_CLOSED,	/* the connection failed closed */
	PPTP_RW_FREE_MAX,
};

/*
 * One call as the rewriter sees it; the glue embeds it in its own call
 * object. id[side][role] is the Call ID of @role's peer as seen on @side;
 * bit (side * 2 + role) of @known says it is set (0 is a valid Call ID).
 */
struct pptp_rw_call {
	struct pptp_rw_call *next;
	struct pptp_rw_call **pprev;
	u16 id[2][2];
	u8 known;
	u8 pns_side;
	u8 state;
};

#define PPTP_RW_KNOWN(side, role)	(1U << ((side) * 2 + (role)))

/* Per direction of the connection: bytes sent by the peer on that side. */
struct pptp_rw_dir {
	u32 next_seq;		/* first byte not yet seen */
	u32 acked;		/* first byte the receiver has not acked */
	u8 *store;		/* output bytes [acked, next_seq), by seq */
	bool anchored;		/* SYN seen: next_seq is exact */
	bool dead;		/* not parsed any more (not NATed) */
	/* The message being read. */
	u8 hdr[PPTP_PEEK_LEN];	/* its first input bytes */
	u16 have;		/* bytes of it seen */
	u16 len;		/* its Length once the header checked out */
	/* Decisions taken at a field's first byte, used at its second. */
	u8 out_hi;		/* high byte sent for the field */
	u8 owner;		/* side whose peer owns the ID in the field */
	bool refused;		/* new ID: sent as 0 (call refused) */
	bool reserved;		/* new ID: ops->reserve holds @resv */
	bool dup;		/* new ID already had a translation */
	u16 resv;		/* new ID: the translation reserved */
	u16 own_raw;		/* reply: the sender's own ID, as received */
	struct pptp_rw_call *fresh;	/* request: call not yet bound */
};

struct pptp_rw {
	struct pptp_rw_dir dir[2];
	struct pptp_rw_call *calls;
	bool natted[2];		/* peer on side known by another address */
	bool closed;		/* failed closed: nothing more is forwarded */
};

struct pptp_rw_ops {
	/* A new call object (zeroed rw part), or NULL to refuse the call. */
	struct pptp_rw_call *(*call_new)(void *ctx);
	/* Unhash and free a call the rewriter has already unlinked. */
	void (*call_free)(void *ctx, struct pptp_rw_call *call,
			  enum pptp_rw_free why);
	/*
	 * Reserve a Call ID for the peer on side @o as seen on the other
	 * side, replacing any reservation @o holds. Its high byte must be
	 * one whose bit is set in @blocks; @prefer (if >= 0) is taken when
	 * it qualifies and is free. 0 on success; on failure the previous
	 * reservation, if any, stays.
	 */
	int (*reserve)(void *ctx, int o, const u8 *blocks, int prefer,
		       u16 *out);
	void (*release)(void *ctx, int o);
	/*
	 * @call's @role peer on side @o now has both IDs known: install its
	 * GRE flows, consuming @o's reservation (also when it fails).
	 * Non-zero fails closed.
	 */
	int (*bind)(void *ctx, struct pptp_rw_call *call, int o, int role);
	u8 *(*store_get)(void *ctx);
	void (*store_put)(void *ctx, u8 *store);
	void (*event)(void *ctx, enum pptp_rw_event ev, unsigned int arg);
};

/* A TCP segment as the rewriter needs it. */
struct pptp_rw_seg {
	int side;		/* sender's side */
	u32 seq;
	u32 ack;
	bool syn, fin, rst, has_ack;
	u8 *data;		/* payload, rewritten in place */
	size_t len;
};

enum pptp_rw_verdict {
	PPTP_RW_ACCEPT = 0,
	PPTP_RW_DROP,
};

void pptp_rw_init(struct pptp_rw *rw, bool natted_orig, bool natted_reply);
/* Handle one segment; *changed tells whether payload bytes were changed. */
enum pptp_rw_verdict pptp_rw_segment(struct pptp_rw *rw,
				     const struct pptp_rw_ops *ops, void *ctx,
				     const struct pptp_rw_seg *seg,
				     bool *changed);
/* Free every call (FIN/RST, teardown). */
void pptp_rw_release_calls(struct pptp_rw *rw, const struct pptp_rw_ops *ops,
			   void *ctx, enum pptp_rw_free why);
/* Unlink one call (the glue's idle collector frees it afterwards). */
void pptp_rw_call_unlink(struct pptp_rw_call *call);
/* Free calls, reservations and stores; may be called again (a no-op). */
void pptp_rw_destroy(struct pptp_rw *rw, const struct pptp_rw_ops *ops,
		     void *ctx);

#endif /* PPTP_REWRITE_H */
