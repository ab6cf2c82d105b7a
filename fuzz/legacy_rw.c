// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-rewriter Call ID handling (git show 0c1846d:src/helper.c), as a
 * user-space model behind the rewriter's API: see fuzz/legacy_rw.h. What
 * it keeps of the old code:
 *  - each direction's next_seq is anchored on its first data segment (SYNs
 *    never reached the helper);
 *  - a segment beyond next_seq abandons the direction (it is still
 *    accepted, and nothing of that direction is parsed any more);
 *  - messages come from pptp_stream_feed(), and a Length other than the
 *    type's exact size abandons the direction (the old header check);
 *  - a Call ID field is rewritten only when both its bytes lie in the
 *    segment that completes the message's first 20 bytes; a split field
 *    leaves untranslated, and a split new ID keeps its value if free;
 *  - retransmitted bytes get the last four rewrites replayed where they
 *    still hold the old bytes;
 *  - a refused call's ID leaves as 0 only when the sender's side is NATed.
 * The calls, the map table, the limits and the allocator are the
 * harness's (struct pptp_rw_ops); counters become rewriter events.
 */
#include "legacy_rw.h"

struct legacy_pkt {
	struct legacy_rw *rw;
	const struct pptp_rw_ops *ops;
	void *ctx;
	const struct pptp_rw_seg *seg;
	bool *changed;
	bool dropped;		/* a byte beyond the segment was written */
};

static void lg_event(struct legacy_pkt *p, enum pptp_rw_event ev)
{
	p->ops->event(p->ctx, ev, (unsigned int)p->seg->side);
}

void legacy_rw_init(struct legacy_rw *rw, bool natted_orig, bool natted_reply)
{
	unsigned int i;
	u8 *b = (u8 *)rw;

	for (i = 0; i < sizeof(*rw); i++)
		b[i] = 0;
	pptp_stream_init(&rw->dir[0].stream);
	pptp_stream_init(&rw->dir[1].stream);
	rw->natted[0] = natted_orig;
	rw->natted[1] = natted_reply;
}

static bool lg_in_chunk(s64 start, unsigned int field, size_t len)
{
	s64 first = start + field;

	return first >= 0 && (u64)first + 2 <= len;
}

static bool lg_put_byte(struct legacy_pkt *p, s64 off, u8 val)
{
	u8 *b;

	if (off < 0 || (u64)off >= p->seg->len) {
		p->dropped = true;
		return false;
	}
	b = p->seg->data + off;
	if (*b != val) {
		*b = val;
		*p->changed = true;
	}
	return true;
}

static void lg_log(struct legacy_dir *d, u32 seq, u16 oldv, u16 newv)
{
	struct legacy_rewrite *r = &d->log[d->log_next];

	d->log_next = (d->log_next + 1) % LEGACY_LOG_LEN;
	r->seq = seq;
	pptp_put16(r->old, oldv);
	pptp_put16(r->new, newv);
	r->used = true;
}

static bool lg_put_id(struct legacy_pkt *p, s64 off, u16 oldv, u16 newv)
{
	u8 v[2];

	if (oldv == newv)
		return true;
	pptp_put16(v, newv);
	if (!lg_put_byte(p, off, v[0]) || !lg_put_byte(p, off + 1, v[1]))
		return false;
	lg_log(&p->rw->dir[p->seg->side], p->seg->seq + (u32)off, oldv, newv);
	return true;
}

static void lg_replay(struct legacy_pkt *p, unsigned int limit)
{
	struct legacy_dir *d = &p->rw->dir[p->seg->side];
	unsigned int i, j;

	for (i = 0; i < LEGACY_LOG_LEN; i++) {
		struct legacy_rewrite *r = &d->log[i];

		if (!r->used)
			continue;
		for (j = 0; j < 2; j++) {
			u32 off = r->seq + j - p->seg->seq;

			if (off >= limit)
				continue;
			if (p->seg->data[off] == r->old[j])
				lg_put_byte(p, off, r->new[j]);
		}
	}
}

static void lg_link(struct legacy_rw *rw, struct pptp_rw_call *c)
{
	c->next = rw->calls;
	if (c->next)
		c->next->pprev = &c->next;
	rw->calls = c;
	c->pprev = &rw->calls;
}

static void lg_free(struct legacy_pkt *p, struct pptp_rw_call *c,
		    enum pptp_rw_free why)
{
	pptp_rw_call_unlink(c);
	p->ops->call_free(p->ctx, c, why);
}

/* pptp_alg_assign(): choose the ID side !o sees for @c's @role peer. */
static int lg_assign(struct legacy_pkt *p, struct pptp_rw_call *c, int o,
		     int role, bool can_write)
{
	u16 want = c->id[o][role], id;
	bool keep = !can_write ||
		    !(role == PPTP_RW_PNS && p->rw->natted[o]);
	u8 all[PPTP_RW_BLOCKS / 8];
	unsigned int i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = 0xff;
	if (p->ops->reserve(p->ctx, o, all, keep ? want : -1, &id))
		return -1;
	if (!can_write && id != want) {
		/* No probes: only the wanted ID itself would do. */
		p->ops->release(p->ctx, o);
		return -1;
	}
	c->id[!o][role] = id;
	c->known |= (u8)(PPTP_RW_KNOWN(0, role) | PPTP_RW_KNOWN(1, role));
	return p->ops->bind(p->ctx, c, o, role);
}

static struct pptp_rw_call *lg_find(struct legacy_rw *rw, int pns_side,
				    int side, int role, u16 id)
{
	struct pptp_rw_call *c;

	if (!id)
		return NULL;
	for (c = rw->calls; c; c = c->next)
		if (c->pns_side == pns_side && c->id[side][role] == id)
			return c;
	return NULL;
}

static void lg_xlate(struct legacy_pkt *p, s64 moff, unsigned int fld,
		     struct pptp_rw_call *c, int role)
{
	int s = p->seg->side;

	if (c->id[s][role] == c->id[!s][role])
		return;
	if (!lg_in_chunk(moff, fld, p->seg->len)) {
		lg_event(p, PPTP_RW_EV_SPLIT_FIELD);
		return;
	}
	lg_put_id(p, moff + fld, c->id[s][role], c->id[!s][role]);
}

static int lg_own_id(struct legacy_pkt *p, s64 moff, struct pptp_rw_call *c,
		     int role, u16 id)
{
	bool can_write = lg_in_chunk(moff, PPTP_OFF_CALL_ID, p->seg->len);
	int s = p->seg->side;

	c->id[s][role] = id;
	if (lg_assign(p, c, s, role, can_write))
		return -1;
	if (!can_write)
		lg_event(p, PPTP_RW_EV_SPLIT_FIELD);
	else
		lg_put_id(p, moff + PPTP_OFF_CALL_ID, id, c->id[!s][role]);
	return 0;
}

static void lg_release_calls(struct legacy_pkt *p, enum pptp_rw_free why)
{
	while (p->rw->calls)
		lg_free(p, p->rw->calls, why);
}

static void lg_refuse(struct legacy_pkt *p, s64 moff, u16 id, bool reply)
{
	lg_event(p, PPTP_RW_EV_REFUSED);
	if (!p->rw->natted[p->seg->side] ||
	    !lg_in_chunk(moff, PPTP_OFF_CALL_ID, p->seg->len))
		return;
	lg_put_id(p, moff + PPTP_OFF_CALL_ID, id, 0);
	if (reply && moff + PPTP_OFF_RESULT >= 0)
		lg_put_byte(p, moff + PPTP_OFF_RESULT, 2);
}

static void lg_on_request(struct legacy_pkt *p, const struct pptp_msg *m,
			  s64 moff)
{
	int role = m->type == PPTP_OUT_CALL_REQ ? PPTP_RW_PNS : PPTP_RW_PAC;
	int s = p->seg->side;
	int pns_side = role == PPTP_RW_PNS ? s : !s;
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	struct pptp_rw_call *c;

	c = lg_find(p->rw, pns_side, s, role, id);
	if (c) {
		lg_event(p, PPTP_RW_EV_DUPLICATE);
		lg_xlate(p, moff, PPTP_OFF_CALL_ID, c, role);
		return;
	}
	c = p->ops->call_new(p->ctx);
	if (!c) {
		lg_refuse(p, moff, id, false);
		return;
	}
	c->pns_side = (u8)pns_side;
	c->state = role == PPTP_RW_PNS ? PPTP_RW_OUT_PENDING :
					 PPTP_RW_IN_PENDING;
	lg_link(p->rw, c);
	if (lg_own_id(p, moff, c, role, id)) {
		lg_free(p, c, PPTP_RW_FREE_FAILED);
		lg_refuse(p, moff, id, false);
	}
}

static void lg_on_reply(struct legacy_pkt *p, const struct pptp_msg *m,
			s64 moff)
{
	int role = m->type == PPTP_OUT_CALL_REPLY ? PPTP_RW_PAC : PPTP_RW_PNS;
	int want = role == PPTP_RW_PAC ? PPTP_RW_OUT_PENDING :
					 PPTP_RW_IN_PENDING;
	int s = p->seg->side;
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	u16 peer = pptp_get16(m->peek + PPTP_OFF_PEER_ID);
	u8 result = m->peek[PPTP_OFF_RESULT];
	int pns_side = role == PPTP_RW_PNS ? s : !s;
	struct pptp_rw_call *c;

	c = lg_find(p->rw, pns_side, s, !role, peer);
	if (!c) {
		lg_event(p, PPTP_RW_EV_NOT_FOUND);
		return;
	}
	lg_xlate(p, moff, PPTP_OFF_PEER_ID, c, !role);
	if (c->state != want) {
		if (c->id[s][role] == id) {
			lg_event(p, PPTP_RW_EV_DUPLICATE);
			lg_xlate(p, moff, PPTP_OFF_CALL_ID, c, role);
		} else {
			lg_event(p, PPTP_RW_EV_UNEXPECTED);
		}
		return;
	}
	if (result != 1) {
		lg_event(p, PPTP_RW_EV_CALL_FAILED);
		lg_free(p, c, PPTP_RW_FREE_FAILED);
		return;
	}
	if (lg_own_id(p, moff, c, role, id)) {
		lg_free(p, c, PPTP_RW_FREE_FAILED);
		lg_refuse(p, moff, id, true);
		return;
	}
	c->state = role == PPTP_RW_PAC ? PPTP_RW_ESTABLISHED :
					 PPTP_RW_IN_REPLIED;
}

static void lg_on_call_msg(struct legacy_pkt *p, const struct pptp_msg *m,
			   s64 moff)
{
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	struct legacy_rw *rw = p->rw;
	int s = p->seg->side;
	struct pptp_rw_call *c;
	int role;

	switch (m->type) {
	case PPTP_CALL_CLEAR_REQ:
		role = PPTP_RW_PNS;
		c = lg_find(rw, s, s, role, id);
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		role = PPTP_RW_PAC;
		c = lg_find(rw, !s, s, role, id);
		break;
	case PPTP_SET_LINK_INFO:
		role = PPTP_RW_PNS;
		c = lg_find(rw, !s, s, role, id);
		if (!c) {
			role = PPTP_RW_PAC;
			c = lg_find(rw, s, s, role, id);
		}
		break;
	default:	/* ICCN, WEN */
		role = PPTP_RW_PNS;
		c = lg_find(rw, !s, s, role, id);
		break;
	}
	if (!c) {
		lg_event(p, PPTP_RW_EV_NOT_FOUND);
		return;
	}
	lg_xlate(p, moff, PPTP_OFF_CALL_ID, c, role);
	switch (m->type) {
	case PPTP_IN_CALL_CONNECTED:
		if (c->state != PPTP_RW_IN_REPLIED)
			lg_event(p, PPTP_RW_EV_UNEXPECTED);
		else
			c->state = PPTP_RW_ESTABLISHED;
		break;
	case PPTP_CALL_CLEAR_REQ:
		c->state = PPTP_RW_CLEARING;
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		lg_free(p, c, PPTP_RW_FREE_CDN);
		break;
	default:
		break;
	}
}

static void lg_handle(struct legacy_pkt *p, const struct pptp_msg *m,
		      s64 moff)
{
	lg_event(p, PPTP_RW_EV_MSG);
	switch (m->type) {
	case PPTP_OUT_CALL_REQ:
	case PPTP_IN_CALL_REQ:
		lg_on_request(p, m, moff);
		break;
	case PPTP_OUT_CALL_REPLY:
	case PPTP_IN_CALL_REPLY:
		lg_on_reply(p, m, moff);
		break;
	case PPTP_IN_CALL_CONNECTED:
	case PPTP_CALL_CLEAR_REQ:
	case PPTP_CALL_DISCONNECT_NOTIFY:
	case PPTP_WAN_ERROR_NOTIFY:
	case PPTP_SET_LINK_INFO:
		lg_on_call_msg(p, m, moff);
		break;
	case PPTP_STOP_CTRL_REQ:
	case PPTP_STOP_CTRL_REPLY:
		lg_release_calls(p, PPTP_RW_FREE_STOP);
		break;
	default:
		break;
	}
}

static void lg_abandon(struct legacy_pkt *p, enum pptp_rw_event why)
{
	p->rw->dir[p->seg->side].dead = true;
	lg_event(p, why);
}

static void lg_parse(struct legacy_pkt *p, size_t from)
{
	struct legacy_dir *d = &p->rw->dir[p->seg->side];
	const u8 *buf = p->seg->data + from;
	size_t len = p->seg->len - from, pos = 0;
	enum pptp_feed r;
	struct pptp_msg m;

	while ((r = pptp_stream_feed(&d->stream, buf, len, &pos, &m)) ==
	       PPTP_FEED_MSG) {
		if (m.len != pptp_msg_length(m.type)) {
			/* The old header check wanted the exact Length. */
			lg_abandon(p, PPTP_RW_EV_BAD_LENGTH);
			return;
		}
		lg_handle(p, &m, (s64)from + m.start);
		if (p->dropped)
			return;
	}
	if (r == PPTP_FEED_ERR)
		lg_abandon(p, PPTP_RW_EV_BAD_LENGTH);
}

enum pptp_rw_verdict legacy_rw_segment(struct legacy_rw *rw,
				       const struct pptp_rw_ops *ops,
				       void *ctx, const struct pptp_rw_seg *seg,
				       bool *changed)
{
	struct legacy_pkt p = { rw, ops, ctx, seg, changed, false };
	struct legacy_dir *d = &rw->dir[seg->side];
	bool closing = seg->fin || seg->rst;
	s32 behind;

	*changed = false;
	/* SYNs are not IP_CT_ESTABLISHED: the old helper never saw them. */
	if (seg->syn || (!seg->len && !closing))
		return PPTP_RW_ACCEPT;
	if (d->dead || !seg->len)
		goto out;
	if (!d->seq_valid) {
		d->next_seq = seg->seq;
		d->seq_valid = true;
	}
	behind = (s32)(d->next_seq - seg->seq);
	if (behind < 0) {
		lg_abandon(&p, PPTP_RW_EV_GAP);
		goto out;
	}
	if (behind > 0) {
		lg_event(&p, PPTP_RW_EV_RETRANSMIT);
		lg_replay(&p, (u32)behind < seg->len ? (u32)behind :
						       (u32)seg->len);
	}
	if ((u32)behind < seg->len) {
		lg_parse(&p, (u32)behind);
		d->next_seq = seg->seq + (u32)seg->len;
	}
out:
	if (closing)
		lg_release_calls(&p, PPTP_RW_FREE_FIN);
	return p.dropped ? PPTP_RW_DROP : PPTP_RW_ACCEPT;
}

void legacy_rw_destroy(struct legacy_rw *rw, const struct pptp_rw_ops *ops,
		       void *ctx)
{
	struct pptp_rw_seg seg = { .side = 0 };
	bool changed;
	struct legacy_pkt p = { rw, ops, ctx, &seg, &changed, false };

	lg_release_calls(&p, PPTP_RW_FREE_TEARDOWN);
}
