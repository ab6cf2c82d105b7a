// SPDX-License-Identifier: GPL-2.0
/*
 * The conntrack helper "pptp-alg": follows every PPTP control message of a
 * TCP 1723 connection, keeps the calls it carries, and rewrites Call IDs
 * in place (same length, so TCP sequence numbers never move) when the
 * connection is NATed.
 */
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_pptp_alg.h"

#define PPTP_ALG_CHUNK 256

static struct nf_conntrack_helper pptp_alg_helpers[PPTP_ALG_MAX_PORTS];
static unsigned int pptp_alg_nhelpers;

static const struct nf_conntrack_expect_policy pptp_alg_exp_policy = {
	.max_expected	= 0,
	.timeout	= 0,
};

/* Everything one skb's worth of handling needs. */
struct pptp_alg_pkt {
	struct sk_buff *skb;
	struct nf_conn *ct;
	struct pptp_alg_conn *conn;
	struct pptp_alg_net *pn;
	unsigned int protoff;	/* TCP header */
	unsigned int dataoff;	/* TCP payload */
	unsigned int plen;	/* payload length */
	u32 seq;		/* sequence number of payload byte 0 */
	int side;		/* direction the segment travels from */
	bool dropped;		/* could not make the skb writable */
};

static __be32 pptp_alg_real(const struct nf_conn *ct, int side)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[side].tuple;

	return t->src.u3.ip;
}

/* The address the peer on @side sends to. */
static __be32 pptp_alg_seen(const struct nf_conn *ct, int side)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[side].tuple;

	return t->dst.u3.ip;
}

/* Is the peer on @side known to the other side by another address? */
static bool pptp_alg_side_natted(const struct nf_conn *ct, int side)
{
	return pptp_alg_real(ct, side) != pptp_alg_seen(ct, !side);
}

/*
 * Replace one payload byte and fix the TCP checksum incrementally. The
 * checksum is a sum of 16-bit words counted from the TCP header, whose
 * length is a multiple of four, so payload parity decides which half of
 * the word the byte occupies.
 */
static bool pptp_alg_put_byte(struct pptp_alg_pkt *p, unsigned int off, u8 val)
{
	struct sk_buff *skb = p->skb;
	struct tcphdr *th;
	u8 *b;
	__be16 oldw, neww;

	if (skb_ensure_writable(skb, p->dataoff + off + 1)) {
		p->dropped = true;
		return false;
	}
	b = skb->data + p->dataoff + off;
	if (*b == val)
		return true;
	th = (struct tcphdr *)(skb->data + p->protoff);
	if (off & 1) {
		oldw = htons(*b);
		neww = htons(val);
	} else {
		oldw = htons(*b << 8);
		neww = htons(val << 8);
	}
	*b = val;
	inet_proto_csum_replace2(&th->check, skb, oldw, neww, false);
	return true;
}

static void pptp_alg_log_rewrite(struct pptp_alg_dir *d, u32 seq, u16 oldv,
				 u16 newv)
{
	struct pptp_alg_rewrite *r = &d->log[d->log_next];

	d->log_next = (d->log_next + 1) % PPTP_ALG_LOG_LEN;
	r->seq = seq;
	pptp_put16(r->old, oldv);
	pptp_put16(r->new, newv);
	r->used = true;
}

/* Rewrite a two-byte ID field at payload offset @off. */
static bool pptp_alg_put_id(struct pptp_alg_pkt *p, s64 off, u16 oldv,
			    u16 newv)
{
	u8 v[2];

	if (oldv == newv)
		return true;
	pptp_put16(v, newv);
	if (!pptp_alg_put_byte(p, off, v[0]) ||
	    !pptp_alg_put_byte(p, off + 1, v[1]))
		return false;
	pptp_alg_log_rewrite(&p->conn->dir[p->side], p->seq + (u32)off, oldv,
			     newv);
	return true;
}

/*
 * Replay logged rewrites onto a retransmission of bytes already seen:
 * the sender resends its own IDs, which must leave with the same
 * translation as the first time.
 */
static void pptp_alg_replay(struct pptp_alg_pkt *p, unsigned int limit)
{
	struct pptp_alg_dir *d = &p->conn->dir[p->side];
	unsigned int i, j;

	for (i = 0; i < PPTP_ALG_LOG_LEN; i++) {
		struct pptp_alg_rewrite *r = &d->log[i];

		if (!r->used)
			continue;
		for (j = 0; j < 2; j++) {
			u32 off = r->seq + j - p->seq;
			u8 cur;

			if (off >= limit)
				continue;
			if (skb_copy_bits(p->skb, p->dataoff + off, &cur, 1))
				continue;
			if (cur == r->old[j])
				pptp_alg_put_byte(p, off, r->new[j]);
		}
	}
}

/* ---- calls ---- */

struct pptp_alg_busy_ctx {
	struct pptp_alg_net *pn;
	struct pptp_alg_key key;
};

static bool pptp_alg_id_busy(void *arg, u16 id)
{
	struct pptp_alg_busy_ctx *c = arg;

	c->key.id = id;
	return pptp_alg_table_lookup(&c->pn->table, &c->key);
}

/*
 * The peer on side @o owns Call ID id[o][role]. Choose the ID the other
 * side will see for it and hash the flows that carry GRE towards that peer.
 * A PNS behind source NAT always gets a fresh ID (many clients may pick the
 * same one); any other ID keeps its value unless it would collide. @can_write
 * false means the field cannot be rewritten, so the value must be kept.
 */
static int pptp_alg_assign(struct pptp_alg_pkt *p, struct pptp_alg_call *call,
			   int o, int role, bool can_write)
{
	struct pptp_alg_net *pn = p->pn;
	struct nf_conn *ct = p->ct;
	int t = !o;
	struct pptp_alg_busy_ctx busy = {
		.pn = pn,
		.key = {
			.src = pptp_alg_real(ct, t),
			.dst = pptp_alg_seen(ct, t),
			.stage = PPTP_STAGE_PRE,
		},
	};
	struct pptp_alg_map *pre = &call->map[t][PPTP_STAGE_PRE];
	struct pptp_alg_map *post = &call->map[t][PPTP_STAGE_POST];
	bool keep = !can_write ||
		    !(role == PPTP_ROLE_PNS && pptp_alg_side_natted(ct, o));
	u32 probes = can_write ? READ_ONCE(pptp_alg_callid_probes) : 0;
	u16 id;

	if (pptp_callid_pick(&pn->alloc, call->id[o][role], keep, probes,
			     pptp_alg_id_busy, &busy, &id)) {
		pptp_alg_count(pn, PPTP_STAT_CALLID_EXHAUSTED);
		net_info_ratelimited("nf_pptp_alg: no free Call ID for %pI4 -> %pI4\n",
				     &busy.key.src, &busy.key.dst);
		return -EBUSY;
	}
	call->id[t][role] = id;

	pre->call = call;
	pre->side = t;
	pre->key = busy.key;
	pre->key.id = id;
	pre->new_addr = pptp_alg_real(ct, o);
	pre->new_id = call->id[o][role];
	if (pptp_alg_table_insert(&pn->table, pre))
		return -EEXIST;

	if (pptp_alg_real(ct, t) == pptp_alg_seen(ct, o))
		return 0;
	post->call = call;
	post->side = t;
	post->key.src = pptp_alg_real(ct, t);
	post->key.dst = pptp_alg_real(ct, o);
	post->key.id = call->id[o][role];
	post->key.stage = PPTP_STAGE_POST;
	post->new_addr = pptp_alg_seen(ct, o);
	if (pptp_alg_table_insert(&pn->table, post)) {
		/* Same hosts reusing an ID on two connections: ambiguous. */
		pptp_alg_count(pn, PPTP_STAT_KEY_CLASH);
		net_info_ratelimited("nf_pptp_alg: GRE flow %pI4 -> %pI4 id %u already mapped\n",
				     &post->key.src, &post->key.dst, post->key.id);
		return -EEXIST;
	}
	return 0;
}

static struct pptp_alg_call *pptp_alg_call_new(struct pptp_alg_pkt *p,
					       int pns_side)
{
	struct pptp_alg_conn *conn = p->conn;
	struct pptp_alg_net *pn = p->pn;
	struct pptp_alg_call *call;

	if (conn->ncalls >= READ_ONCE(pptp_alg_max_calls)) {
		pptp_alg_count(pn, PPTP_STAT_CONN_CALLS_FULL);
		net_info_ratelimited("nf_pptp_alg: control connection %pI4:%u already has %u calls\n",
				     &conn->addr[0][0], ntohs(conn->port[0][0]),
				     conn->ncalls);
		return NULL;
	}
	if (pn->ncalls >= READ_ONCE(pptp_alg_max_calls_net)) {
		pptp_alg_count(pn, PPTP_STAT_NET_CALLS_FULL);
		net_info_ratelimited("nf_pptp_alg: %u calls in this netns, refusing more\n",
				     pn->ncalls);
		return NULL;
	}
	call = pptp_alg_call_alloc();
	if (!call) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no memory for a call\n");
		return NULL;
	}
	call->conn = conn;
	call->pns_side = pns_side;
	call->created = jiffies;
	call->last_seen = jiffies;
	list_add_tail(&call->conn_node, &conn->calls);
	list_add_tail(&call->net_node, &pn->calls);
	conn->ncalls++;
	pn->ncalls++;
	pptp_alg_count(pn, PPTP_STAT_CALLS_CREATED);
	return call;
}

/*
 * Find the call of this connection whose PNS sits on @pns_side and whose
 * @role peer is known on @side by @id.
 */
static struct pptp_alg_call *pptp_alg_call_find(struct pptp_alg_conn *conn,
						int pns_side, int side,
						int role, u16 id)
{
	struct pptp_alg_call *call;

	if (!id)
		return NULL;
	list_for_each_entry(call, &conn->calls, conn_node) {
		if (call->pns_side == pns_side && call->id[side][role] == id)
			return call;
	}
	return NULL;
}

static void pptp_alg_not_found(struct pptp_alg_pkt *p, const struct pptp_msg *m,
			       u16 id)
{
	pptp_alg_count(p->pn, PPTP_STAT_CALL_NOT_FOUND);
	net_info_ratelimited("nf_pptp_alg: %s for unknown Call ID %u\n",
			     pptp_ctrl_name(m->type), id);
}

static void pptp_alg_unexpected(struct pptp_alg_pkt *p,
				const struct pptp_msg *m,
				const struct pptp_alg_call *call)
{
	pptp_alg_count(p->pn, PPTP_STAT_UNEXPECTED);
	net_info_ratelimited("nf_pptp_alg: %s unexpected in call state %u\n",
			     pptp_ctrl_name(m->type), call->state);
}

/* Translate a field carrying a known ID of @call's @role to the other side. */
static void pptp_alg_xlate(struct pptp_alg_pkt *p, s64 moff, unsigned int fld,
			   struct pptp_alg_call *call, int role)
{
	int s = p->side;

	if (call->id[s][role] == call->id[!s][role])
		return;
	if (!pptp_field_in_chunk(moff, fld, p->plen)) {
		pptp_alg_count(p->pn, PPTP_STAT_SPLIT_FIELD);
		net_info_ratelimited("nf_pptp_alg: Call ID field split across segments, left untranslated\n");
		return;
	}
	pptp_alg_put_id(p, moff + fld, call->id[s][role], call->id[!s][role]);
}

/* A new call's owner ID arrived in field @fld: assign and rewrite it. */
static int pptp_alg_own_id(struct pptp_alg_pkt *p, s64 moff,
			   struct pptp_alg_call *call, int role, u16 id)
{
	bool can_write = pptp_field_in_chunk(moff, PPTP_OFF_CALL_ID, p->plen);
	int s = p->side;

	call->id[s][role] = id;
	if (pptp_alg_assign(p, call, s, role, can_write))
		return -1;
	if (!can_write)
		pptp_alg_count(p->pn, PPTP_STAT_SPLIT_FIELD);
	else
		pptp_alg_put_id(p, moff + PPTP_OFF_CALL_ID, id,
				call->id[!s][role]);
	return 0;
}

static void pptp_alg_release_calls(struct pptp_alg_pkt *p)
{
	struct pptp_alg_call *call, *tmp;

	list_for_each_entry_safe(call, tmp, &p->conn->calls, conn_node)
		pptp_alg_call_free_locked(p->pn, call, PPTP_STAT_CALLS_FREED);
}

/*
 * A call we do not track must not carry its sender's raw Call ID through a
 * NAT: behind one public address that raw ID can equal an ID we handed out
 * to another host's call, and the far side's GRE would reach that call.
 * Call ID 0 is never handed out, so its GRE matches nothing; in a reply the
 * Result Code also becomes "general error" so the requester gives up at
 * once. Fields split across segments stay as they are.
 */
static void pptp_alg_refuse(struct pptp_alg_pkt *p, s64 moff, u16 id,
			    bool reply)
{
	if (!pptp_alg_side_natted(p->ct, p->side) ||
	    !pptp_field_in_chunk(moff, PPTP_OFF_CALL_ID, p->plen))
		return;
	pptp_alg_put_id(p, moff + PPTP_OFF_CALL_ID, id, 0);
	if (reply && moff + PPTP_OFF_RESULT >= 0)
		pptp_alg_put_byte(p, moff + PPTP_OFF_RESULT, 2);
}

static void pptp_alg_on_request(struct pptp_alg_pkt *p,
				const struct pptp_msg *m, s64 moff)
{
	/* OCRQ comes from the PNS, ICRQ from the PAC. */
	int role = m->type == PPTP_OUT_CALL_REQ ? PPTP_ROLE_PNS : PPTP_ROLE_PAC;
	int pns_side = role == PPTP_ROLE_PNS ? p->side : !p->side;
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	struct pptp_alg_call *call;

	call = pptp_alg_call_find(p->conn, pns_side, p->side, role, id);
	if (call) {
		/* A repeated request maps onto the call it already made. */
		pptp_alg_count(p->pn, PPTP_STAT_DUPLICATE);
		pptp_alg_xlate(p, moff, PPTP_OFF_CALL_ID, call, role);
		return;
	}
	call = pptp_alg_call_new(p, pns_side);
	if (!call) {
		pptp_alg_refuse(p, moff, id, false);
		return;
	}
	call->state = role == PPTP_ROLE_PNS ? PPTP_CALL_OUT_PENDING :
					      PPTP_CALL_IN_PENDING;
	if (pptp_alg_own_id(p, moff, call, role, id)) {
		pptp_alg_call_free_locked(p->pn, call, PPTP_STAT_CALLS_FREED);
		pptp_alg_refuse(p, moff, id, false);
	}
}

static void pptp_alg_on_reply(struct pptp_alg_pkt *p, const struct pptp_msg *m,
			      s64 moff)
{
	/* OCRP comes from the PAC, ICRP from the PNS. */
	int role = m->type == PPTP_OUT_CALL_REPLY ? PPTP_ROLE_PAC : PPTP_ROLE_PNS;
	int want = role == PPTP_ROLE_PAC ? PPTP_CALL_OUT_PENDING :
					   PPTP_CALL_IN_PENDING;
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	u16 peer = pptp_get16(m->peek + PPTP_OFF_PEER_ID);
	u8 result = m->peek[PPTP_OFF_RESULT];
	int pns_side = role == PPTP_ROLE_PNS ? p->side : !p->side;
	struct pptp_alg_call *call;

	call = pptp_alg_call_find(p->conn, pns_side, p->side, !role, peer);
	if (!call) {
		pptp_alg_not_found(p, m, peer);
		return;
	}
	pptp_alg_xlate(p, moff, PPTP_OFF_PEER_ID, call, !role);

	if (call->state != want) {
		if (call->id[p->side][role] == id) {
			/* Duplicate of the reply that set this call up. */
			pptp_alg_count(p->pn, PPTP_STAT_DUPLICATE);
			pptp_alg_xlate(p, moff, PPTP_OFF_CALL_ID, call, role);
		} else {
			pptp_alg_unexpected(p, m, call);
		}
		return;
	}
	if (result != 1) {
		pptp_alg_call_free_locked(p->pn, call, PPTP_STAT_CALL_FAILED);
		return;
	}
	if (pptp_alg_own_id(p, moff, call, role, id)) {
		pptp_alg_call_free_locked(p->pn, call, PPTP_STAT_CALLS_FREED);
		pptp_alg_refuse(p, moff, id, true);
		return;
	}
	call->state = role == PPTP_ROLE_PAC ? PPTP_CALL_ESTABLISHED :
					      PPTP_CALL_IN_REPLIED;
}

/*
 * Messages that name an existing call by one ID at offset 12: the sender's
 * own ID (CCRQ from the PNS, CDN from the PAC) or the receiver's (ICCN and
 * WEN from the PAC; SLI from either side).
 */
static void pptp_alg_on_call_msg(struct pptp_alg_pkt *p,
				 const struct pptp_msg *m, s64 moff)
{
	u16 id = pptp_get16(m->peek + PPTP_OFF_CALL_ID);
	struct pptp_alg_conn *conn = p->conn;
	int s = p->side;
	struct pptp_alg_call *call;
	int role;

	switch (m->type) {
	case PPTP_CALL_CLEAR_REQ:
		role = PPTP_ROLE_PNS;
		call = pptp_alg_call_find(conn, s, s, role, id);
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		role = PPTP_ROLE_PAC;
		call = pptp_alg_call_find(conn, !s, s, role, id);
		break;
	case PPTP_SET_LINK_INFO:
		role = PPTP_ROLE_PNS;
		call = pptp_alg_call_find(conn, !s, s, role, id);
		if (!call) {
			role = PPTP_ROLE_PAC;
			call = pptp_alg_call_find(conn, s, s, role, id);
		}
		break;
	default:	/* ICCN, WEN */
		role = PPTP_ROLE_PNS;
		call = pptp_alg_call_find(conn, !s, s, role, id);
		break;
	}
	if (!call) {
		pptp_alg_not_found(p, m, id);
		return;
	}
	pptp_alg_xlate(p, moff, PPTP_OFF_CALL_ID, call, role);

	switch (m->type) {
	case PPTP_IN_CALL_CONNECTED:
		if (call->state != PPTP_CALL_IN_REPLIED) {
			pptp_alg_unexpected(p, m, call);
			break;
		}
		call->state = PPTP_CALL_ESTABLISHED;
		break;
	case PPTP_CALL_CLEAR_REQ:
		call->state = PPTP_CALL_CLEARING;
		break;
	case PPTP_CALL_DISCONNECT_NOTIFY:
		pptp_alg_call_free_locked(p->pn, call, PPTP_STAT_CALLS_FREED);
		break;
	default:
		break;
	}
}

static void pptp_alg_handle_msg(struct pptp_alg_pkt *p,
				const struct pptp_msg *m, s64 moff)
{
	struct pptp_alg_net *pn = p->pn;

	pptp_alg_count(pn, PPTP_STAT_MSGS);
	spin_lock(&pn->lock);
	if (p->conn->dead || pn->dead)
		goto out;
	switch (m->type) {
	case PPTP_OUT_CALL_REQ:
	case PPTP_IN_CALL_REQ:
		pptp_alg_on_request(p, m, moff);
		break;
	case PPTP_OUT_CALL_REPLY:
	case PPTP_IN_CALL_REPLY:
		pptp_alg_on_reply(p, m, moff);
		break;
	case PPTP_IN_CALL_CONNECTED:
	case PPTP_CALL_CLEAR_REQ:
	case PPTP_CALL_DISCONNECT_NOTIFY:
	case PPTP_WAN_ERROR_NOTIFY:
	case PPTP_SET_LINK_INFO:
		pptp_alg_on_call_msg(p, m, moff);
		break;
	case PPTP_STOP_CTRL_REQ:
	case PPTP_STOP_CTRL_REPLY:
		pptp_alg_release_calls(p);
		break;
	default:
		break;
	}
out:
	spin_unlock(&pn->lock);
}

static const enum pptp_alg_stat pptp_alg_err_stat[PPTP_ERR_MAX] = {
	[PPTP_ERR_COOKIE]	= PPTP_STAT_BAD_COOKIE,
	[PPTP_ERR_MSG_TYPE]	= PPTP_STAT_BAD_MSG_TYPE,
	[PPTP_ERR_CTRL_TYPE]	= PPTP_STAT_BAD_CTRL_TYPE,
	[PPTP_ERR_LENGTH]	= PPTP_STAT_BAD_LENGTH,
};

static void pptp_alg_abandon(struct pptp_alg_pkt *p, enum pptp_alg_stat why)
{
	p->conn->dir[p->side].dead = true;
	pptp_alg_count(p->pn, why);
	net_info_ratelimited("nf_pptp_alg: %pI4:%u -> %pI4:%u: %s, no longer parsing this direction\n",
			     &p->conn->addr[p->side][0],
			     ntohs(p->conn->port[p->side][0]),
			     &p->conn->addr[p->side][1],
			     ntohs(p->conn->port[p->side][1]),
			     pptp_alg_stat_name(why));
}

/* Parse payload bytes [from, plen) of the segment. */
static void pptp_alg_parse(struct pptp_alg_pkt *p, unsigned int from)
{
	struct pptp_alg_dir *d = &p->conn->dir[p->side];
	u8 buf[PPTP_ALG_CHUNK];
	unsigned int off;

	for (off = from; off < p->plen && !p->dropped; ) {
		unsigned int len = min_t(unsigned int, p->plen - off,
					 sizeof(buf));
		struct pptp_msg m;
		size_t pos = 0;
		enum pptp_feed r;

		if (skb_copy_bits(p->skb, p->dataoff + off, buf, len))
			return;
		while ((r = pptp_stream_feed(&d->stream, buf, len, &pos, &m)) ==
		       PPTP_FEED_MSG) {
			pptp_alg_handle_msg(p, &m, (s64)off + m.start);
			if (p->dropped)
				return;
		}
		if (r == PPTP_FEED_ERR) {
			pptp_alg_abandon(p, pptp_alg_err_stat[d->stream.err]);
			return;
		}
		off += len;
	}
}

static struct pptp_alg_conn *pptp_alg_conn_get(struct nf_conn *ct,
					       struct pptp_alg_net *pn)
{
	struct pptp_alg_conn **slot = nfct_help_data(ct);
	struct pptp_alg_conn *conn = READ_ONCE(*slot);
	int d;

	if (conn)
		return conn;
	conn = pptp_alg_conn_alloc();
	if (!conn) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no memory for a control connection\n");
		return NULL;
	}
	spin_lock_init(&conn->lock);
	INIT_LIST_HEAD(&conn->calls);
	conn->pn = pn;
	for (d = 0; d < 2; d++) {
		const struct nf_conntrack_tuple *t = &ct->tuplehash[d].tuple;

		pptp_stream_init(&conn->dir[d].stream);
		conn->addr[d][0] = t->src.u3.ip;
		conn->addr[d][1] = t->dst.u3.ip;
		conn->port[d][0] = t->src.u.tcp.port;
		conn->port[d][1] = t->dst.u.tcp.port;
	}
	/* _bh: locally generated segments reach the helper with BHs on. */
	spin_lock_bh(&pn->lock);
	if (pn->dead || cmpxchg(slot, NULL, conn)) {
		spin_unlock_bh(&pn->lock);
		pptp_alg_conn_free(conn);
		return READ_ONCE(*slot);
	}
	list_add_tail(&conn->net_node, &pn->conns);
	spin_unlock_bh(&pn->lock);
	return conn;
}

static int pptp_alg_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct pptp_alg_pkt p = { .skb = skb, .ct = ct, .protoff = protoff };
	struct pptp_alg_dir *d;
	struct tcphdr _th;
	const struct tcphdr *th;
	bool closing;
	s32 behind;

	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	if (nf_ct_l3num(ct) != NFPROTO_IPV4)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	/* th may point into the skb head, which a rewrite can reallocate. */
	closing = th->fin || th->rst;
	p.dataoff = protoff + th->doff * 4;
	p.plen = p.dataoff < skb->len ? skb->len - p.dataoff : 0;
	p.seq = ntohl(th->seq);
	p.side = CTINFO2DIR(ctinfo);
	if (!p.plen && !closing)
		return NF_ACCEPT;

	p.pn = pptp_alg_pernet(nf_ct_net(ct));
	p.conn = pptp_alg_conn_get(ct, p.pn);
	if (!p.conn)
		return NF_ACCEPT;

	spin_lock_bh(&p.conn->lock);
	d = &p.conn->dir[p.side];
	if (p.conn->dead || d->dead || !p.plen)
		goto out;
	if (!d->seq_valid) {
		d->next_seq = p.seq;
		d->seq_valid = true;
	}
	behind = (s32)(d->next_seq - p.seq);
	if (behind < 0) {
		/* Bytes we never saw: message boundaries are lost. */
		pptp_alg_abandon(&p, PPTP_STAT_TCP_GAP);
		goto out;
	}
	if (behind > 0) {
		pptp_alg_count(p.pn, PPTP_STAT_RETRANSMIT);
		pptp_alg_replay(&p, min_t(u32, behind, p.plen));
	}
	if ((u32)behind < p.plen) {
		pptp_alg_parse(&p, behind);
		d->next_seq = p.seq + p.plen;
	}
out:
	if (closing) {
		/* RFC 2637: closing the control connection ends its calls. */
		spin_lock(&p.pn->lock);
		if (!p.conn->dead && !p.pn->dead)
			pptp_alg_release_calls(&p);
		spin_unlock(&p.pn->lock);
	}
	spin_unlock_bh(&p.conn->lock);
	if (p.dropped) {
		pptp_alg_count(p.pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write control segment, dropped\n");
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/* Conntrack is going away: so are its calls and its state. */
static void pptp_alg_destroy(struct nf_conn *ct)
{
	struct pptp_alg_conn **slot = nfct_help_data(ct);
	struct pptp_alg_conn *conn = READ_ONCE(*slot);
	struct pptp_alg_net *pn;
	struct pptp_alg_call *call, *tmp;

	if (!conn)
		return;
	pn = conn->pn;
	spin_lock_bh(&conn->lock);
	spin_lock(&pn->lock);
	if (!conn->dead) {
		conn->dead = true;
		list_for_each_entry_safe(call, tmp, &conn->calls, conn_node)
			pptp_alg_call_free_locked(pn, call,
						  PPTP_STAT_CALLS_FREED);
		list_del(&conn->net_node);
	}
	spin_unlock(&pn->lock);
	spin_unlock_bh(&conn->lock);
	pptp_alg_conn_free_rcu(conn);
}

/*
 * Module unload: the helper is unregistered, so no destroy callback will
 * come for the connections still holding state. Free it here.
 */
void pptp_alg_conn_release_all(struct pptp_alg_net *pn)
{
	struct pptp_alg_conn *conn, *tmp;

	spin_lock_bh(&pn->lock);
	list_for_each_entry_safe(conn, tmp, &pn->conns, net_node) {
		struct pptp_alg_call *call, *ctmp;

		list_for_each_entry_safe(call, ctmp, &conn->calls, conn_node)
			pptp_alg_call_free_locked(pn, call,
						  PPTP_STAT_CALLS_FREED);
		conn->dead = true;
		list_del(&conn->net_node);
		pptp_alg_conn_free_rcu(conn);
	}
	spin_unlock_bh(&pn->lock);
}

int pptp_alg_helper_register(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < pptp_alg_nports; i++) {
		struct nf_conntrack_helper *h = &pptp_alg_helpers[i];

		/*
		 * NFPROTO_UNSPEC: an IPv4 helper on TCP 1723 would clash with
		 * mainline's "pptp" (the core refuses two helpers with one
		 * tuple), and both must load in one kernel. Lookups by name
		 * from nft and xt_CT accept an UNSPEC helper for IPv4; help()
		 * ignores other families.
		 */
		nf_ct_helper_init(h, NFPROTO_UNSPEC, IPPROTO_TCP, PPTP_ALG_NAME,
				  1723, pptp_alg_ports[i], i,
				  &pptp_alg_exp_policy, 0, pptp_alg_help, NULL,
				  THIS_MODULE);
		h->data_len = sizeof(struct pptp_alg_conn *);
		h->destroy = pptp_alg_destroy;
		err = nf_conntrack_helper_register(h);
		if (err)
			goto err_unwind;
		pptp_alg_nhelpers++;
	}
	return 0;

err_unwind:
	pptp_alg_helper_unregister();
	return err;
}

void pptp_alg_helper_unregister(void)
{
	while (pptp_alg_nhelpers)
		nf_conntrack_helper_unregister(&pptp_alg_helpers[--pptp_alg_nhelpers]);
}
