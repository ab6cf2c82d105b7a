// SPDX-License-Identifier: GPL-2.0
/*
 * PPTP control-stream rewriter. Pure C: see include/pptp_rewrite.h.
 *
 * Invariants, for every byte stream and every segmentation, loss,
 * reordering, duplication and retransmission pattern:
 *
 * I1  No Call ID field (OCRQ, OCRP, ICRQ, ICRP, ICCN, CCRQ, CDN, WEN, SLI)
 *     leaves a NATed side untranslated when its translation differs.
 * I2  A retransmission carries exactly the bytes the first transmission of
 *     that sequence range carried, until the receiver has acked them. When
 *     the bytes to keep would exceed PPTP_RW_STORE, the segment is dropped.
 * I3  GRE from the far side reaches only the host whose call it is: every
 *     translated ID is reserved in the map table before its first byte
 *     leaves, and is unique per (far peer, address it sends to).
 * I4  State advances only for bytes that are forwarded: every reason to
 *     drop a segment is known before its first new byte is read.
 * I5  Where I1-I4 cannot be kept for a NATed connection (malformed stream,
 *     no SYN seen, GRE flows that cannot be installed) it fails closed: its
 *     calls are freed and no payload segment of it is forwarded any more.
 *
 * How: each direction is anchored at its SYN (ISN + 1), and a segment that
 * starts beyond the bytes seen is dropped, so every byte is read exactly
 * once and in order. Each output byte is a function of the stream up to
 * and including that byte, never of later bytes in its segment, so any
 * segmentation yields the bytes of the whole stream delivered at once. A
 * field's first byte is translated by the connection's block map, a
 * one-to-one pairing of high bytes seen on the two sides: IDs that share
 * a high byte on one side share one on the other, whoever owns them, and a
 * new translation takes a high byte not yet used on the side it is seen
 * on. So the high byte alone names the translated high byte, both ways,
 * and the second byte then names the call. Output bytes are kept until acked and written over any
 * retransmission of them; bytes the receiver has already acked go out as
 * zeros, which it discards.
 */
#include "pptp_rewrite.h"

#define PPTP_RW_RESULT_ERROR	2	/* General Error, for refused calls */

struct pptp_rw_ctx {
	struct pptp_rw *rw;
	const struct pptp_rw_ops *ops;
	void *ctx;
};

static void rw_event(const struct pptp_rw_ctx *x, enum pptp_rw_event ev,
		     unsigned int arg)
{
	x->ops->event(x->ctx, ev, arg);
}

static int rw_owner(const struct pptp_rw_call *c, int role)
{
	return role == PPTP_RW_PNS ? c->pns_side : !c->pns_side;
}

static bool rw_both_known(const struct pptp_rw_call *c, int role)
{
	u8 both = PPTP_RW_KNOWN(0, role) | PPTP_RW_KNOWN(1, role);

	return (c->known & both) == both;
}

static void rw_link(struct pptp_rw *rw, struct pptp_rw_call *c)
{
	c->next = rw->calls;
	if (c->next)
		c->next->pprev = &c->next;
	rw->calls = c;
	c->pprev = &rw->calls;
}

void pptp_rw_call_unlink(struct pptp_rw_call *c)
{
	if (!c->pprev)
		return;
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->next = NULL;
	c->pprev = NULL;
}

static void rw_free_call(const struct pptp_rw_ctx *x, struct pptp_rw_call *c,
			 enum pptp_rw_free why)
{
	pptp_rw_call_unlink(c);
	x->ops->call_free(x->ctx, c, why);
}

/*
 * Find the call whose @roles peer, owned by side @o, is known on side @s
 * by @v (only the high byte compared when @hi_only).
 */
static struct pptp_rw_call *rw_find(struct pptp_rw *rw, int o, int s,
				    unsigned int roles, u16 v, bool hi_only,
				    int *role)
{
	struct pptp_rw_call *c;
	int r;

	for (c = rw->calls; c; c = c->next) {
		for (r = 0; r < 2; r++) {
			u16 id = c->id[s][r];

			if (!(roles & (1U << r)) || rw_owner(c, r) != o ||
			    !rw_both_known(c, r))
				continue;
			if (hi_only ? (id >> 8) == (v >> 8) : id == v) {
				*role = r;
				return c;
			}
		}
	}
	return NULL;
}

/*
 * The connection's block map: a one-to-one pairing of high bytes seen on
 * side 0 with high bytes seen on side 1, whoever owns the ID. Every call's
 * known ID pair is in it, and so is the pair of a new ID whose first byte
 * has left and whose second has not (the other direction may read a field
 * in between). Finds the partner on side !@s of high byte @h on side @s.
 */
static bool rw_hi_pair(const struct pptp_rw *rw, int s, u8 h, u8 *out)
{
	const struct pptp_rw_call *c;
	int r, ds;

	for (c = rw->calls; c; c = c->next) {
		for (r = 0; r < 2; r++) {
			if (rw_both_known(c, r) && (c->id[s][r] >> 8) == h) {
				*out = (u8)(c->id[!s][r] >> 8);
				return true;
			}
		}
	}
	for (ds = 0; ds < 2; ds++) {
		const struct pptp_rw_dir *d = &rw->dir[ds];
		u8 mine = d->hdr[PPTP_OFF_CALL_ID], theirs = (u8)(d->resv >> 8);

		if (!d->reserved)
			continue;
		if (ds == s && mine == h) {
			*out = theirs;
			return true;
		}
		if (ds != s && theirs == h) {
			*out = mine;
			return true;
		}
	}
	return false;
}

static void blk_set(u8 *b, unsigned int i)
{
	b[i >> 3] |= (u8)(1U << (i & 7));
}

static void blk_clear(u8 *b, unsigned int i)
{
	b[i >> 3] &= (u8)~(1U << (i & 7));
}

static bool blk_test(const u8 *b, unsigned int i)
{
	return b[i >> 3] & (1U << (i & 7));
}

static void blk_only(u8 *b, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < PPTP_RW_BLOCKS / 8; j++)
		b[j] = 0;
	blk_set(b, i);
}

/* High bytes no ID seen on side @t of this connection uses. */
static void rw_free_blocks(struct pptp_rw *rw, int t, u8 *b)
{
	struct pptp_rw_call *c;
	unsigned int j;
	int r, ds;

	for (j = 0; j < PPTP_RW_BLOCKS / 8; j++)
		b[j] = 0xff;
	for (c = rw->calls; c; c = c->next)
		for (r = 0; r < 2; r++)
			if (c->known & PPTP_RW_KNOWN(t, r))
				blk_clear(b, c->id[t][r] >> 8);
	for (ds = 0; ds < 2; ds++) {
		const struct pptp_rw_dir *d = &rw->dir[ds];

		if (d->reserved)
			blk_clear(b, ds == t ? d->hdr[PPTP_OFF_CALL_ID] :
				  d->resv >> 8);
	}
}

static void rw_drop_pending(const struct pptp_rw_ctx *x, int s)
{
	struct pptp_rw_dir *d = &x->rw->dir[s];

	if (d->reserved)
		x->ops->release(x->ctx, s);
	d->reserved = false;
	if (d->fresh)
		x->ops->call_free(x->ctx, d->fresh, PPTP_RW_FREE_UNUSED);
	d->fresh = NULL;
}

void pptp_rw_release_calls(struct pptp_rw *rw, const struct pptp_rw_ops *ops,
			   void *ctx, enum pptp_rw_free why)
{
	struct pptp_rw_ctx x = { rw, ops, ctx };

	while (rw->calls)
		rw_free_call(&x, rw->calls, why);
}

static void rw_fail_closed(const struct pptp_rw_ctx *x, enum pptp_rw_event ev,
			   unsigned int arg)
{
	struct pptp_rw *rw = x->rw;
	int s;

	rw_event(x, ev, arg);
	rw_event(x, PPTP_RW_EV_FAIL_CLOSED, arg);
	rw->closed = true;
	pptp_rw_release_calls(rw, x->ops, x->ctx, PPTP_RW_FREE_CLOSED);
	for (s = 0; s < 2; s++)
		rw_drop_pending(x, s);
}

/* Is the side natted at all: then a broken stream must not pass. */
static bool rw_natted(const struct pptp_rw *rw)
{
	return rw->natted[0] || rw->natted[1];
}

static const enum pptp_rw_event rw_err_event[PPTP_ERR_MAX] = {
	[PPTP_ERR_COOKIE]	= PPTP_RW_EV_BAD_COOKIE,
	[PPTP_ERR_MSG_TYPE]	= PPTP_RW_EV_BAD_MSG_TYPE,
	[PPTP_ERR_CTRL_TYPE]	= PPTP_RW_EV_BAD_CTRL_TYPE,
	[PPTP_ERR_LENGTH]	= PPTP_RW_EV_BAD_LENGTH,
};

/*
 * A header that does not check out: message boundaries are lost for good.
 * On a NATed connection that fails closed; otherwise nothing needs
 * translating, so the direction is passed through unparsed (its calls can
 * no longer be followed and are freed).
 */
static void rw_malformed(const struct pptp_rw_ctx *x, int s, enum pptp_err err)
{
	if (rw_natted(x->rw)) {
		rw_fail_closed(x, rw_err_event[err], s);
		return;
	}
	rw_event(x, rw_err_event[err], s);
	x->rw->dir[s].dead = true;
	pptp_rw_release_calls(x->rw, x->ops, x->ctx, PPTP_RW_FREE_UNPARSED);
}

/* ---- new IDs: OCRQ and ICRQ (requests), OCRP and ICRP (replies) ---- */

static int rw_new_role(u16 type)
{
	return type == PPTP_OUT_CALL_REQ || type == PPTP_IN_CALL_REPLY ?
	       PPTP_RW_PNS : PPTP_RW_PAC;
}

static bool rw_is_request(u16 type)
{
	return type == PPTP_OUT_CALL_REQ || type == PPTP_IN_CALL_REQ;
}

/* A NATed PNS always gets a fresh ID: its clients may all pick the same. */
static bool rw_fresh_policy(const struct pptp_rw *rw, int o, int role)
{
	return role == PPTP_RW_PNS && rw->natted[o];
}

static u8 rw_new_hi(const struct pptp_rw_ctx *x, int s, u16 type, u8 h)
{
	struct pptp_rw *rw = x->rw;
	struct pptp_rw_dir *d = &rw->dir[s];
	int role = rw_new_role(type);
	u8 blocks[PPTP_RW_BLOCKS / 8];
	int rc = -1;
	u16 got;
	u8 b;

	d->refused = false;
	d->reserved = false;
	d->dup = false;
	if (rw_is_request(type)) {
		d->fresh = x->ops->call_new(x->ctx);
		if (!d->fresh)
			goto refuse;
	}
	if (rw_hi_pair(rw, s, h, &b)) {
		/* The block map already names this high byte's partner. */
		blk_only(blocks, b);
		rc = x->ops->reserve(x->ctx, s, blocks, -1, &got);
	} else {
		rw_free_blocks(rw, !s, blocks);
		if (!rw_fresh_policy(rw, s, role) && blk_test(blocks, h)) {
			u8 only[PPTP_RW_BLOCKS / 8];

			blk_only(only, h);
			rc = x->ops->reserve(x->ctx, s, only, -1, &got);
		}
		if (rc)
			rc = x->ops->reserve(x->ctx, s, blocks, -1, &got);
	}
	if (rc)
		goto refuse;
	d->reserved = true;
	d->resv = got;
	return (u8)(got >> 8);

refuse:
	/*
	 * The request or reply leaves with Call ID 0, which the allocator
	 * never hands out, so no GRE can be keyed to it.
	 */
	rw_event(x, PPTP_RW_EV_REFUSED, type);
	rw_drop_pending(x, s);
	d->refused = true;
	return 0;
}

static u8 rw_new_lo(const struct pptp_rw_ctx *x, int s, u16 type, u8 l)
{
	struct pptp_rw *rw = x->rw;
	struct pptp_rw_dir *d = &rw->dir[s];
	int role = rw_new_role(type);
	u16 raw = (u16)(d->hdr[PPTP_OFF_CALL_ID] << 8 | l);
	struct pptp_rw_call *c;
	int r;

	d->own_raw = raw;
	if (d->refused)
		return 0;
	c = rw_find(rw, s, s, 1U << role, raw, false, &r);
	if (c) {
		/* A repeat: it maps onto the call this ID already has. */
		rw_event(x, PPTP_RW_EV_DUPLICATE, type);
		rw_drop_pending(x, s);
		d->dup = true;
		return (u8)c->id[!s][role];
	}
	if (!rw_fresh_policy(rw, s, role)) {
		u8 only[PPTP_RW_BLOCKS / 8];
		u16 got;

		/* Keep the sender's own ID when it is free. */
		blk_only(only, d->resv >> 8);
		if (!x->ops->reserve(x->ctx, s, only, raw, &got))
			d->resv = got;
	}
	if (rw_is_request(type)) {
		c = d->fresh;
		d->fresh = NULL;
		d->reserved = false;
		c->pns_side = (u8)(role == PPTP_RW_PNS ? s : !s);
		c->id[s][role] = raw;
		c->id[!s][role] = d->resv;
		c->known = (u8)(PPTP_RW_KNOWN(0, role) | PPTP_RW_KNOWN(1, role));
		c->state = role == PPTP_RW_PNS ? PPTP_RW_OUT_PENDING :
						 PPTP_RW_IN_PENDING;
		rw_link(rw, c);
		if (x->ops->bind(x->ctx, c, s, role)) {
			rw_fail_closed(x, PPTP_RW_EV_BIND_FAILED, type);
			return 0;
		}
	}
	return (u8)d->resv;
}

/* The Result Code of a reply: the call it answers is now complete. */
static u8 rw_reply_result(const struct pptp_rw_ctx *x, int s, u16 type,
			  u8 result)
{
	struct pptp_rw *rw = x->rw;
	struct pptp_rw_dir *d = &rw->dir[s];
	int role = rw_new_role(type);
	int want = role == PPTP_RW_PAC ? PPTP_RW_OUT_PENDING :
					 PPTP_RW_IN_PENDING;
	u16 peer = pptp_get16(d->hdr + PPTP_OFF_PEER_ID);
	struct pptp_rw_call *c;
	int r;

	c = rw_find(rw, !s, s, 1U << !role, peer, false, &r);
	if (!c) {
		rw_event(x, PPTP_RW_EV_NOT_FOUND, type);
		rw_drop_pending(x, s);
		/*
		 * A NATed requester's IDs are never 0 on this side, so this
		 * answers a request we refused: make it give up at once
		 * rather than believe a call is up whose GRE goes nowhere.
		 */
		if (peer == 0 && rw->natted[!s])
			return PPTP_RW_RESULT_ERROR;
		return result;
	}
	if (c->state != want || d->dup) {
		if (!d->dup)
			rw_event(x, PPTP_RW_EV_UNEXPECTED, type);
		goto out;
	}
	if (d->refused) {
		/* Its ID left as 0: make the requester give up at once. */
		rw_free_call(x, c, PPTP_RW_FREE_FAILED);
		return PPTP_RW_RESULT_ERROR;
	}
	if (result != PPTP_OCRP_CONNECTED) {
		rw_event(x, PPTP_RW_EV_CALL_FAILED, type);
		rw_free_call(x, c, PPTP_RW_FREE_FAILED);
		goto out;
	}
	c->id[s][role] = d->own_raw;
	c->id[!s][role] = d->resv;
	c->known |= (u8)(PPTP_RW_KNOWN(0, role) | PPTP_RW_KNOWN(1, role));
	c->state = role == PPTP_RW_PAC ? PPTP_RW_ESTABLISHED :
					 PPTP_RW_IN_REPLIED;
	d->reserved = false;
	if (x->ops->bind(x->ctx, c, s, role))
		rw_fail_closed(x, PPTP_RW_EV_BIND_FAILED, type);
	return result;
out:
	rw_drop_pending(x, s);
	return result;
}

/* ---- IDs of existing calls ---- */

/*
 * Where a field naming an existing call may find it: up to two (owner
 * side, roles) readings, tried in order. Only CDN has two: RFC 2637 puts
 * the PAC's own ID there, accel-ppp the PNS's.
 */
struct rw_reading {
	int n;
	int owner[2];
	unsigned int roles[2];
};

static void rw_readings(u16 type, int s, struct rw_reading *rd)
{
	rd->n = 1;
	switch (type) {
	case PPTP_OUT_CALL_REPLY:	/* Peer's Call ID: the PNS's */
		rd->owner[0] = !s;
		rd->roles[0] = 1U << PPTP_RW_PNS;
		break;
	case PPTP_IN_CALL_REPLY:	/* Peer's Call ID: the PAC's */
		rd->owner[0] = !s;
		rd->roles[0] = 1U << PPTP_RW_PAC;
		break;
	case PPTP_CALL_CLEAR_REQ:
		rd->owner[0] = s;
		rd->roles[0] = 1U << PPTP_RW_PNS;
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		rd->n = 2;
		rd->owner[0] = s;
		rd->roles[0] = 1U << PPTP_RW_PAC;
		rd->owner[1] = !s;
		rd->roles[1] = 1U << PPTP_RW_PNS;
		break;
	case PPTP_SET_LINK_INFO:	/* the receiver's, PNS or PAC */
		rd->owner[0] = !s;
		rd->roles[0] = 3;
		break;
	default:			/* ICCN, WEN: the PNS's */
		rd->owner[0] = !s;
		rd->roles[0] = 1U << PPTP_RW_PNS;
		break;
	}
}

static u8 rw_known_hi(const struct pptp_rw_ctx *x, int s, u8 h)
{
	struct pptp_rw_dir *d = &x->rw->dir[s];

	if (!rw_hi_pair(x->rw, s, h, &d->out_hi))
		d->out_hi = h;
	return d->out_hi;
}

static struct pptp_rw_call *rw_known_lo(const struct pptp_rw_ctx *x, int s,
					u16 type, int k, u8 l, u8 *out)
{
	struct pptp_rw_dir *d = &x->rw->dir[s];
	u16 v = (u16)(d->hdr[k - 1] << 8 | l);
	struct rw_reading rd;
	struct pptp_rw_call *c;
	int i, r;

	rw_readings(type, s, &rd);
	for (i = 0; i < rd.n; i++) {
		c = rw_find(x->rw, rd.owner[i], s, rd.roles[i], v, false, &r);
		/* Only a reading whose high byte already left can match. */
		if (c && (c->id[!s][r] >> 8) == d->out_hi) {
			*out = (u8)c->id[!s][r];
			return c;
		}
	}
	*out = l;
	return NULL;
}

static void rw_call_msg(const struct pptp_rw_ctx *x, u16 type,
			struct pptp_rw_call *c)
{
	if (!c) {
		rw_event(x, PPTP_RW_EV_NOT_FOUND, type);
		return;
	}
	switch (type) {
	case PPTP_IN_CALL_CONNECTED:
		if (c->state != PPTP_RW_IN_REPLIED)
			rw_event(x, PPTP_RW_EV_UNEXPECTED, type);
		else
			c->state = PPTP_RW_ESTABLISHED;
		break;
	case PPTP_CALL_CLEAR_REQ:
		c->state = PPTP_RW_CLEARING;
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		rw_free_call(x, c, PPTP_RW_FREE_CDN);
		break;
	default:	/* WEN, SLI */
		break;
	}
}

/* One byte at offset @k (12..19) of a message of @type from side @s. */
static u8 rw_field_byte(const struct pptp_rw_ctx *x, int s, u16 type, int k,
			u8 in, bool last)
{
	u8 out = in;

	switch (type) {
	case PPTP_OUT_CALL_REQ:
	case PPTP_IN_CALL_REQ:
	case PPTP_OUT_CALL_REPLY:
	case PPTP_IN_CALL_REPLY:
		if (k == PPTP_OFF_CALL_ID)
			out = rw_new_hi(x, s, type, in);
		else if (k == PPTP_OFF_CALL_ID + 1)
			out = rw_new_lo(x, s, type, in);
		else if (rw_is_request(type))
			break;
		else if (k == PPTP_OFF_PEER_ID)
			out = rw_known_hi(x, s, in);
		else if (k == PPTP_OFF_PEER_ID + 1)
			rw_known_lo(x, s, type, k, in, &out);
		else if (k == PPTP_OFF_RESULT)
			out = rw_reply_result(x, s, type, in);
		break;
	case PPTP_IN_CALL_CONNECTED:
	case PPTP_CALL_CLEAR_REQ:
	case PPTP_CALL_DISCONNECT_NOTIFY:
	case PPTP_WAN_ERROR_NOTIFY:
	case PPTP_SET_LINK_INFO:
		if (k == PPTP_OFF_CALL_ID)
			out = rw_known_hi(x, s, in);
		else if (k == PPTP_OFF_CALL_ID + 1)
			rw_call_msg(x, type, rw_known_lo(x, s, type, k, in, &out));
		break;
	default:
		return in;
	}
	if (last && (k == PPTP_OFF_CALL_ID ||
		     (k == PPTP_OFF_PEER_ID && (type == PPTP_OUT_CALL_REPLY ||
						type == PPTP_IN_CALL_REPLY))))
		rw_event(x, PPTP_RW_EV_SPLIT_FIELD, type);
	return out;
}

/* The next byte of side @s's stream: returns the byte to send. */
static u8 rw_byte(const struct pptp_rw_ctx *x, int s, u8 in, bool last)
{
	struct pptp_rw_dir *d = &x->rw->dir[s];
	unsigned int k = d->have;
	enum pptp_err err;
	u8 out = in;
	u16 type;

	if (d->dead)
		return in;
	if (k < PPTP_PEEK_LEN)
		d->hdr[k] = in;
	d->have = (u16)(k + 1);
	type = pptp_get16(d->hdr + 8);
	if (k == PPTP_HDR_LEN - 1) {
		err = pptp_msg_check_header(d->hdr, &d->len);
		if (err) {
			d->have = 0;
			rw_malformed(x, s, err);
			return in;
		}
		rw_event(x, PPTP_RW_EV_MSG, type);
		if (type == PPTP_STOP_CTRL_REQ || type == PPTP_STOP_CTRL_REPLY)
			pptp_rw_release_calls(x->rw, x->ops, x->ctx,
					      PPTP_RW_FREE_STOP);
	} else if (k >= PPTP_HDR_LEN && k < PPTP_PEEK_LEN) {
		out = rw_field_byte(x, s, type, (int)k, in, last);
	}
	if (d->len && d->have == d->len) {
		rw_drop_pending(x, s);
		d->have = 0;
		d->len = 0;
	}
	return out;
}

void pptp_rw_init(struct pptp_rw *rw, bool natted_orig, bool natted_reply)
{
	unsigned int i;
	u8 *p = (u8 *)rw;

	for (i = 0; i < sizeof(*rw); i++)
		p[i] = 0;
	rw->natted[0] = natted_orig;
	rw->natted[1] = natted_reply;
}

/* The receiver on the other side acked up to @ack: forget those bytes. */
static void rw_ack(const struct pptp_rw_ctx *x, int s, u32 ack)
{
	struct pptp_rw_dir *o = &x->rw->dir[!s];

	if (!o->anchored || (s32)(ack - o->acked) <= 0)
		return;
	if ((s32)(ack - o->next_seq) > 0)
		ack = o->next_seq;	/* a FIN's sequence number, or bogus */
	o->acked = ack;
	if (o->acked == o->next_seq && o->store) {
		x->ops->store_put(x->ctx, o->store);
		o->store = NULL;
	}
}

enum pptp_rw_verdict pptp_rw_segment(struct pptp_rw *rw,
				     const struct pptp_rw_ops *ops, void *ctx,
				     const struct pptp_rw_seg *seg,
				     bool *changed)
{
	struct pptp_rw_ctx x = { rw, ops, ctx };
	int s = seg->side;
	struct pptp_rw_dir *d = &rw->dir[s];
	u32 seq = seg->seq;
	size_t i, nold;
	s32 fresh;

	*changed = false;
	if (seg->syn) {
		/*
		 * Anchored once: a repeated SYN carries the same ISN, and a
		 * new connection on the same tuple gets a new conntrack.
		 */
		if (!d->anchored) {
			d->next_seq = seq + 1;
			d->acked = seq + 1;
			d->anchored = true;
		}
		seq++;
	}
	if (!seg->len)
		goto done;
	if (rw->closed) {
		rw_event(&x, PPTP_RW_EV_CLOSED, s);
		return PPTP_RW_DROP;
	}
	if (!d->anchored) {
		/*
		 * Joined mid-stream (conntrack picked the connection up
		 * without its SYN): message boundaries are unknown. A NATed
		 * one cannot be translated, so its payload is dropped until
		 * the peers reconnect; any other passes unparsed.
		 */
		if (rw_natted(rw)) {
			rw_event(&x, PPTP_RW_EV_MIDSTREAM, s);
			return PPTP_RW_DROP;
		}
		goto done;
	}
	if ((s32)(seq - d->next_seq) > 0) {
		/* Bytes before it are missing: let TCP resend in order. */
		rw_event(&x, PPTP_RW_EV_GAP, s);
		return PPTP_RW_DROP;
	}
	fresh = (s32)(seq + (u32)seg->len - d->next_seq);
	if (fresh > 0) {
		if ((u64)(d->next_seq - d->acked) + (u64)fresh > PPTP_RW_STORE) {
			rw_event(&x, PPTP_RW_EV_STORE_FULL, s);
			return PPTP_RW_DROP;
		}
		if (!d->store) {
			d->store = ops->store_get(ctx);
			if (!d->store) {
				rw_event(&x, PPTP_RW_EV_NO_STORE, s);
				return PPTP_RW_DROP;
			}
		}
		nold = seg->len - (size_t)fresh;
	} else {
		nold = seg->len;
	}

	if (nold)
		rw_event(&x, PPTP_RW_EV_RETRANSMIT, s);
	for (i = 0; i < nold; i++) {
		u32 at = seq + (u32)i;
		u8 v = 0;

		if ((s32)(at - d->acked) >= 0 && d->store)
			v = d->store[at & (PPTP_RW_STORE - 1)];
		if (seg->data[i] != v) {
			seg->data[i] = v;
			*changed = true;
		}
	}
	for (; i < seg->len; i++) {
		u32 at = seq + (u32)i;
		u8 in = seg->data[i];
		u8 out = rw_byte(&x, s, in, i + 1 == seg->len);

		if (rw->closed)
			return PPTP_RW_DROP;
		if (out != in) {
			seg->data[i] = out;
			*changed = true;
		}
		d->store[at & (PPTP_RW_STORE - 1)] = out;
	}
	if (fresh > 0)
		d->next_seq = seq + (u32)seg->len;
done:
	if (seg->has_ack)
		rw_ack(&x, s, seg->ack);
	if ((seg->fin || seg->rst) && rw->calls)
		/* RFC 2637: closing the control connection ends its calls. */
		pptp_rw_release_calls(rw, ops, ctx, PPTP_RW_FREE_FIN);
	return PPTP_RW_ACCEPT;
}

void pptp_rw_destroy(struct pptp_rw *rw, const struct pptp_rw_ops *ops,
		     void *ctx)
{
	struct pptp_rw_ctx x = { rw, ops, ctx };
	int s;

	pptp_rw_release_calls(rw, ops, ctx, PPTP_RW_FREE_TEARDOWN);
	for (s = 0; s < 2; s++) {
		rw_drop_pending(&x, s);
		if (rw->dir[s].store)
			ops->store_put(ctx, rw->dir[s].store);
		rw->dir[s].store = NULL;
	}
}
