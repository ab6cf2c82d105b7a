// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of calls and control connections, in one place: the kernel
 * side of the stream rewriter's ops (call objects, Call ID reservations,
 * GRE flows in the map table, retransmission stores, counters and log
 * lines), the idle-call collector, and the teardown of a connection, of a
 * netns and of the module. Every function here runs under pn->lock.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "nf_pptp_alg.h"

/* What the rewriter's ops need: the connection being worked on. */
static struct pptp_alg_conn *pptp_alg_ctx_conn(void *ctx)
{
	return ctx;
}

/* The address the peer on @side really has. */
static __be32 pptp_alg_real(const struct pptp_alg_conn *conn, int side)
{
	return conn->addr[side][0];
}

/* The address the peer on @side sends to. */
static __be32 pptp_alg_seen(const struct pptp_alg_conn *conn, int side)
{
	return conn->addr[side][1];
}

/* ---- the Call-ID bitmaps (pptp_callid.c) kept beside the table ---- */

struct pptp_alg_idpair {
	struct pptp_alg_map m;		/* key: PAIR stage, id 0 */
	struct pptp_callid_space s;
	unsigned int nblocks;
	struct rcu_head rcu;
};

struct pptp_alg_idblock {
	struct pptp_alg_map m;		/* key: BLOCK stage, id = high byte */
	struct pptp_callid_block b;
	struct rcu_head rcu;
};

static struct pptp_alg_idpair *pptp_alg_idpair_find(struct pptp_alg_net *pn,
						    const struct pptp_alg_key *k)
{
	struct pptp_alg_key pk = *k;
	struct pptp_alg_map *m;

	pk.id = 0;
	pk.stage = PPTP_STAGE_PAIR;
	m = pptp_alg_table_lookup(&pn->table, &pk);
	return m ? container_of(m, struct pptp_alg_idpair, m) : NULL;
}

static struct pptp_alg_idblock *
pptp_alg_idblock_find(struct pptp_alg_net *pn, const struct pptp_alg_key *k,
		      u8 hi)
{
	struct pptp_alg_key bk = *k;
	struct pptp_alg_map *m;

	bk.id = hi;
	bk.stage = PPTP_STAGE_BLOCK;
	m = pptp_alg_table_lookup(&pn->table, &bk);
	return m ? container_of(m, struct pptp_alg_idblock, m) : NULL;
}

/*
 * Keep the bitmaps equal to the set of IDs hashed at stage PRE for the
 * key's (source, destination, zone): they are what a new ID is chosen
 * from, the table stays the proof that no live ID is handed out twice.
 */
static int pptp_alg_id_mark(struct pptp_alg_net *pn,
			    const struct pptp_alg_key *k, bool used)
{
	struct pptp_alg_idpair *pair = pptp_alg_idpair_find(pn, k);
	struct pptp_alg_idblock *blk;
	bool new_pair = false;

	if (k->id == 0)
		return 0;
	if (!pair) {
		if (!used)
			return 0;
		pair = kzalloc(sizeof(*pair), GFP_ATOMIC | __GFP_ACCOUNT);
		if (!pair)
			return -ENOMEM;
		pair->m.key = *k;
		pair->m.key.id = 0;
		pair->m.key.stage = PPTP_STAGE_PAIR;
		pptp_alg_table_insert(&pn->table, &pair->m);
		new_pair = true;
	}
	blk = pptp_alg_idblock_find(pn, k, k->id >> 8);
	if (!blk) {
		if (!used)
			return 0;
		blk = kzalloc(sizeof(*blk), GFP_ATOMIC | __GFP_ACCOUNT);
		if (!blk) {
			if (new_pair) {
				pptp_alg_table_remove(&pair->m);
				kfree_rcu(pair, rcu);
			}
			return -ENOMEM;
		}
		blk->m.key = *k;
		blk->m.key.id = k->id >> 8;
		blk->m.key.stage = PPTP_STAGE_BLOCK;
		pptp_alg_table_insert(&pn->table, &blk->m);
		pair->nblocks++;
	}
	pptp_callid_mark(&pair->s, &blk->b, k->id, used);
	if (blk->b.n)
		return 0;
	pptp_alg_table_remove(&blk->m);
	kfree_rcu(blk, rcu);
	if (--pair->nblocks == 0) {
		pptp_alg_table_remove(&pair->m);
		kfree_rcu(pair, rcu);
	}
	return 0;
}

/* Hash @m; a GRE flow's ID (stage PRE) is also marked used. */
static int pptp_alg_map_add(struct pptp_alg_net *pn, struct pptp_alg_map *m)
{
	if (pptp_alg_table_insert(&pn->table, m))
		return -EEXIST;
	if (m->key.stage == PPTP_STAGE_PRE && pptp_alg_id_mark(pn, &m->key, true)) {
		pptp_alg_table_remove(m);
		return -ENOMEM;
	}
	return 0;
}

static void pptp_alg_map_del(struct pptp_alg_net *pn, struct pptp_alg_map *m)
{
	if (!m->hashed)
		return;
	pptp_alg_table_remove(m);
	if (m->key.stage == PPTP_STAGE_PRE)
		pptp_alg_id_mark(pn, &m->key, false);
}

/* ---- quotas ---- */

static u32 pptp_alg_host_hash(__be32 addr, u16 zone)
{
	return jhash_2words((__force u32)addr, zone, 0) &
	       (PPTP_ALG_HOST_BUCKETS - 1);
}

void pptp_alg_hosts_init(struct hlist_head *hosts)
{
	unsigned int i;

	for (i = 0; i < PPTP_ALG_HOST_BUCKETS; i++)
		INIT_HLIST_HEAD(&hosts[i]);
}

static struct pptp_alg_host *pptp_alg_host_get(struct pptp_alg_net *pn,
					       __be32 addr, u16 zone)
{
	struct hlist_head *b = &pn->hosts[pptp_alg_host_hash(addr, zone)];
	struct pptp_alg_host *h;

	hlist_for_each_entry(h, b, node) {
		if (h->addr == addr && h->zone == zone) {
			h->nconns++;
			return h;
		}
	}
	h = kzalloc(sizeof(*h), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!h)
		return NULL;
	h->addr = addr;
	h->zone = zone;
	h->nconns = 1;
	hlist_add_head(&h->node, b);
	return h;
}

static void pptp_alg_host_put(struct pptp_alg_host *h)
{
	if (--h->nconns)
		return;
	hlist_del(&h->node);
	kfree(h);
}

static bool pptp_alg_state_pending(u8 state)
{
	return state == PPTP_RW_OUT_PENDING || state == PPTP_RW_IN_PENDING;
}

static void pptp_alg_unpend(struct pptp_alg_call *call)
{
	struct pptp_alg_conn *conn = call->conn;

	if (!call->pending)
		return;
	call->pending = false;
	conn->npending--;
	conn->host->npending--;
	conn->pn->npending--;
}

/*
 * Refuse a new call when any quota it would count against is spent:
 * the connection's, its originator's (live and waiting for a reply,
 * apart), the netns's and the module's. The originator's quota is what
 * keeps one LAN host (or one internet host, for a port-forwarded server)
 * from taking every call the others could have.
 */
static enum pptp_alg_stat pptp_alg_quota(struct pptp_alg_conn *conn)
{
	struct pptp_alg_host *h = conn->host;

	if (conn->ncalls >= READ_ONCE(pptp_alg_max_calls))
		return PPTP_STAT_CONN_CALLS_FULL;
	if (conn->npending >= READ_ONCE(pptp_alg_max_pending))
		return PPTP_STAT_CONN_PENDING_FULL;
	if (h->ncalls >= READ_ONCE(pptp_alg_max_calls_host))
		return PPTP_STAT_HOST_CALLS_FULL;
	if (h->npending >= READ_ONCE(pptp_alg_max_pending_host))
		return PPTP_STAT_HOST_PENDING_FULL;
	if (conn->pn->ncalls >= READ_ONCE(pptp_alg_max_calls_net))
		return PPTP_STAT_NET_CALLS_FULL;
	if (atomic_inc_return(&pptp_alg_calls_total) >
	    READ_ONCE(pptp_alg_max_calls_total)) {
		atomic_dec(&pptp_alg_calls_total);
		return PPTP_STAT_TOTAL_CALLS_FULL;
	}
	return PPTP_STAT_MAX;
}

static struct pptp_rw_call *pptp_alg_call_new(void *ctx)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);
	struct pptp_alg_net *pn = conn->pn;
	struct pptp_alg_call *call;
	enum pptp_alg_stat full;

	full = pptp_alg_quota(conn);
	if (full != PPTP_STAT_MAX) {
		pptp_alg_count(pn, full);
		net_info_ratelimited("nf_pptp_alg: new call from %pI4 refused: %s\n",
				     &conn->addr[0][0],
				     pptp_alg_stat_name(full));
		return NULL;
	}
	call = pptp_alg_call_alloc();
	if (!call) {
		atomic_dec(&pptp_alg_calls_total);
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no memory for a call\n");
		return NULL;
	}
	call->conn = conn;
	call->created = jiffies;
	call->last_seen = jiffies;
	call->pending = true;
	conn->ncalls++;
	conn->npending++;
	conn->host->ncalls++;
	conn->host->npending++;
	/* Read locklessly by the GRE hook's early return. */
	WRITE_ONCE(pn->ncalls, pn->ncalls + 1);
	pn->npending++;
	pptp_alg_count(pn, PPTP_STAT_CALLS_CREATED);
	return &call->rw;
}

/* Unhash every flow of @call and free it once readers are done. */
static void pptp_alg_call_put(struct pptp_alg_call *call,
			      enum pptp_alg_stat why)
{
	struct pptp_alg_conn *conn = call->conn;
	struct pptp_alg_net *pn = conn->pn;
	int side, stage;

	lockdep_assert_held(&pn->lock);
	for (side = 0; side < 2; side++)
		for (stage = 0; stage < PPTP_STAGE_FLOWS; stage++)
			pptp_alg_map_del(pn, &call->map[side][stage]);
	if (call->listed)
		list_del(&call->net_node);
	pptp_alg_unpend(call);
	conn->ncalls--;
	conn->host->ncalls--;
	WRITE_ONCE(pn->ncalls, pn->ncalls - 1);
	atomic_dec(&pptp_alg_calls_total);
	if (why != PPTP_STAT_CALLS_FREED)
		pptp_alg_count(pn, why);
	pptp_alg_count(pn, PPTP_STAT_CALLS_FREED);
	pptp_alg_call_free_rcu(call);
}

/* The counter a freed call moves besides calls_freed (itself: none). */
static const enum pptp_alg_stat pptp_alg_free_stat[PPTP_RW_FREE_MAX] = {
	[PPTP_RW_FREE_CDN]	= PPTP_STAT_CALLS_FREED_CDN,
	[PPTP_RW_FREE_STOP]	= PPTP_STAT_CALLS_FREED_STOP,
	[PPTP_RW_FREE_FIN]	= PPTP_STAT_CALLS_FREED_FIN,
	[PPTP_RW_FREE_TEARDOWN]	= PPTP_STAT_CALLS_FREED_TEARDOWN,
	[PPTP_RW_FREE_UNPARSED]	= PPTP_STAT_CALLS_FREED,
	[PPTP_RW_FREE_FAILED]	= PPTP_STAT_CALL_FAILED,
	[PPTP_RW_FREE_UNUSED]	= PPTP_STAT_CALLS_FREED,
	[PPTP_RW_FREE_CLOSED]	= PPTP_STAT_CALLS_FREED,
};

static void pptp_alg_call_free(void *ctx, struct pptp_rw_call *rwc,
			       enum pptp_rw_free why)
{
	struct pptp_alg_call *call = container_of(rwc, struct pptp_alg_call,
						  rw);

	pptp_alg_call_put(call, pptp_alg_free_stat[why]);
}

struct pptp_alg_find_ctx {
	struct pptp_alg_net *pn;
	struct pptp_alg_key key;
};

static const struct pptp_callid_block *pptp_alg_find_block(void *arg, u8 hi)
{
	struct pptp_alg_find_ctx *c = arg;
	struct pptp_alg_idblock *blk = pptp_alg_idblock_find(c->pn, &c->key,
							     hi);

	return blk ? &blk->b : NULL;
}

/* The only high byte @blocks allows, or -1 when it allows several or none. */
static int pptp_alg_one_block(const u8 *blocks)
{
	int i, one = -1;

	for (i = 0; i < PPTP_RW_BLOCKS / 8; i++) {
		if (!blocks[i])
			continue;
		if (one >= 0 || (blocks[i] & (blocks[i] - 1)))
			return -1;
		one = i * 8 + __ffs(blocks[i]);
	}
	return one;
}

/*
 * The ID the far side will use for the peer on side @o is unique per
 * (far peer, address it sends to, zone): that and the ID are the key its
 * GRE is found by. A reservation is a table entry without a call, so no
 * other connection can take the ID while its first byte is on the wire.
 * The choice costs one bitmap walk (pptp_callid_find()) and at most two
 * table lookups, however many IDs are live.
 */
static void pptp_alg_resv_drop(struct pptp_alg_conn *conn, int o)
{
	struct pptp_alg_resv *r = conn->resv[o];

	if (!r)
		return;
	conn->resv[o] = NULL;
	pptp_alg_map_del(conn->pn, &r->m);
	kfree_rcu(r, rcu);
}

/* The netns whose lock this CPU holds while it looks up a conntrack. */
static DEFINE_PER_CPU(struct pptp_alg_net *, pptp_alg_lookup_pn);

/*
 * For the destroy callback: called back from pptp_alg_mainline_uses() on
 * this CPU, pn->lock is held by the caller, deep in its own update of the
 * table; taking the lock would deadlock and freeing state now would pull
 * it from under that update. Mark @conn for the collector instead (its
 * conntrack stays allocated: the shadow holds it as master). Up to one
 * collector period later its calls go, as an orphan's do.
 */
bool pptp_alg_conn_defer(struct pptp_alg_conn *conn)
{
	if (raw_cpu_read(pptp_alg_lookup_pn) != conn->pn)
		return false;
	lockdep_assert_held(&conn->pn->lock);
	conn->doomed = true;
	pptp_alg_count(conn->pn, PPTP_STAT_DESTROY_DEFERRED);
	return true;
}

/*
 * Mainline's pptp helper, loaded beside us during a migration, gives a PNS
 * behind its NAT the Call ID equal to the control connection's translated
 * TCP source port (6.1 and 6.12: the port is the only ID it can be sure
 * is unique). Its calls' GRE from @k->src to @k->dst then carries such a
 * port as key: an ID we hand out on that pair must not be one of them,
 * or our GRE hook, which runs before conntrack, would take their packets.
 * One conntrack lookup, under pn->lock. The lookup kills the expired
 * conntracks it meets on its way (nf_ct_gc_expired()), and killing one of
 * our control connections calls our destroy callback right here, on this
 * CPU, with pn->lock held: pptp_alg_lookup_pn tells the callback so, and
 * it leaves that connection's state to the collector
 * (pptp_alg_conn_defer()). Dropping the reference is safe: only
 * nf_ct_delete() calls a helper's destroy, never the last put.
 */
static bool pptp_alg_mainline_uses(struct pptp_alg_net *pn,
				   const struct pptp_alg_key *k, u16 id)
{
	const struct nf_conntrack_helper *helper;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	struct nf_conntrack_zone zone;
	const struct nf_conn_help *help;
	struct nf_conn *ct;
	bool used;

	memset(&tuple, 0, sizeof(tuple));
	tuple.src.l3num = NFPROTO_IPV4;
	tuple.src.u3.ip = k->src;
	tuple.src.u.tcp.port = htons(PPTP_ALG_MAINLINE_PORT);
	tuple.dst.u3.ip = k->dst;
	tuple.dst.u.tcp.port = htons(id);
	tuple.dst.protonum = IPPROTO_TCP;
	nf_ct_zone_init(&zone, k->zone, NF_CT_DEFAULT_ZONE_DIR, 0);
	/* BHs are off under pn->lock: this CPU stays ours meanwhile. */
	__this_cpu_write(pptp_alg_lookup_pn, pn);
	h = nf_conntrack_find_get(pn->net, &zone, &tuple);
	__this_cpu_write(pptp_alg_lookup_pn, NULL);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	rcu_read_lock();
	help = nfct_help(ct);
	helper = help ? rcu_dereference(help->helper) : NULL;
	used = helper && helper->me != THIS_MODULE &&
	       !strcmp(helper->name, "pptp");
	rcu_read_unlock();
	nf_ct_put(ct);
	return used;
}

static int pptp_alg_reserve(void *ctx, int o, const u8 *blocks, int prefer,
			    u16 *out)
{
	static const struct pptp_callid_space none;
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);
	struct pptp_alg_net *pn = conn->pn;
	struct pptp_alg_resv *old = conn->resv[o], *r;
	int t = !o;
	struct pptp_alg_find_ctx fc = {
		.pn = pn,
		.key = {
			.src = pptp_alg_real(conn, t),
			.dst = pptp_alg_seen(conn, t),
			.zone = conn->zone,
			.stage = PPTP_STAGE_PRE,
		},
	};
	struct pptp_alg_idpair *pair;
	int one = pptp_alg_one_block(blocks);
	u16 start, id;
	int rc, tries;

	/* Asked for the ID it already holds: nothing changes. */
	if (old && prefer >= 0 && old->m.key.id == prefer) {
		*out = old->m.key.id;
		return 0;
	}
	/*
	 * Low bytes come from one rotating sequence, so an ID freed comes
	 * back only some 256 reservations later. Within one block (a kept
	 * ID's, or the block a connection's IDs share) the cursor is left
	 * alone: it must not be pulled into the range a server uses for its
	 * own IDs.
	 */
	if (one >= 0)
		start = (u16)(one << 8 | pn->rotor++);
	else
		start = (u16)((pn->alloc.cursor & 0xff00) | pn->rotor++);
	pair = pptp_alg_idpair_find(pn, &fc.key);
	for (tries = 0;; tries++) {
		const struct pptp_callid_space *sp = pair ? &pair->s : &none;

		/* Opening a block: its connection's next calls need room. */
		if (one < 0 && prefer < 0)
			rc = pptp_callid_find_roomy(sp, pptp_alg_find_block,
						    &fc, blocks, start, &id);
		else
			rc = pptp_callid_find(sp, pptp_alg_find_block, &fc,
					      blocks, prefer, start, &id);
		if (rc || !pptp_alg_mainline_uses(pn, &fc.key, id))
			break;
		/* Bounded: a few IDs past each one mainline holds. */
		pptp_alg_count(pn, PPTP_STAT_MAINLINE_SKIP);
		if (tries == PPTP_ALG_MAINLINE_TRIES) {
			rc = -EBUSY;
			break;
		}
		prefer = -1;
		start = id + 1;
	}
	if (rc) {
		/* The one held already may be the only one left: keep it. */
		if (old && (blocks[old->m.key.id >> 11] &
			    (1U << ((old->m.key.id >> 8) & 7)))) {
			*out = old->m.key.id;
			return 0;
		}
		pptp_alg_count(pn, PPTP_STAT_CALLID_EXHAUSTED);
		net_info_ratelimited("nf_pptp_alg: no free Call ID for %pI4 -> %pI4\n",
				     &fc.key.src, &fc.key.dst);
		return -EBUSY;
	}
	if (one < 0 && prefer < 0)
		pn->alloc.cursor = id;
	r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!r) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		return -ENOMEM;
	}
	r->m.side = t;
	r->m.key = fc.key;
	r->m.key.id = id;
	rc = pptp_alg_map_add(pn, &r->m);
	if (rc) {
		kfree(r);
		pptp_alg_count(pn, rc == -ENOMEM ? PPTP_STAT_NOMEM :
				   PPTP_STAT_KEY_CLASH);
		return rc;
	}
	/* The previous reservation, if any, is replaced (old one freed). */
	pptp_alg_resv_drop(conn, o);
	conn->resv[o] = r;
	*out = id;
	return 0;
}

static void pptp_alg_release(void *ctx, int o)
{
	pptp_alg_resv_drop(pptp_alg_ctx_conn(ctx), o);
}

static int pptp_alg_flow_insert(struct pptp_alg_net *pn, struct pptp_alg_map *m)
{
	int rc = pptp_alg_map_add(pn, m);

	if (!rc)
		return 0;
	if (rc == -ENOMEM) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		return rc;
	}
	pptp_alg_count(pn, PPTP_STAT_KEY_CLASH);
	net_info_ratelimited("nf_pptp_alg: GRE flow %pI4 -> %pI4 id %u already mapped\n",
			     &m->key.src, &m->key.dst, m->key.id);
	return -EEXIST;
}

/*
 * Entries a call works without: a clash leaves that direction's GRE
 * untracked (not related) or its ICMP errors untranslated, and is counted.
 */
static void pptp_alg_flow_insert_opt(struct pptp_alg_net *pn,
				     struct pptp_alg_map *m)
{
	int rc = pptp_alg_map_add(pn, m);

	if (rc)
		pptp_alg_count(pn, PPTP_STAT_RELATE_FAILED);
	if (rc == -EEXIST)
		net_info_ratelimited("nf_pptp_alg: GRE flow %pI4 -> %pI4 id %u (stage %u) already mapped, left unrelated\n",
				     &m->key.src, &m->key.dst, m->key.id,
				     m->key.stage);
}

/*
 * The peer on side @o owns id[o][role]; the other side knows it as
 * id[t][role]. Hash the flows that carry GRE towards that peer: PRE finds
 * GRE from the far peer by the ID it uses; POST finds it half translated
 * (new destination and ID, old source), to relate it and give it the
 * source the peer expects; ICMP finds it as the peer received it.
 */
static int pptp_alg_bind(void *ctx, struct pptp_rw_call *rwc, int o, int role)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);
	struct pptp_alg_call *call = container_of(rwc, struct pptp_alg_call,
						  rw);
	struct pptp_alg_net *pn = conn->pn;
	int t = !o;
	struct pptp_alg_map *pre = &call->map[t][PPTP_STAGE_PRE];
	struct pptp_alg_map *post = &call->map[t][PPTP_STAGE_POST];
	struct pptp_alg_map *icmp = &call->map[t][PPTP_STAGE_ICMP];
	bool snat;

	pptp_alg_resv_drop(conn, o);
	/* The reply is in: the call no longer waits (see the quotas). */
	if (!pptp_alg_state_pending(rwc->state))
		pptp_alg_unpend(call);
	pre->call = call;
	pre->side = t;
	pre->key.src = pptp_alg_real(conn, t);
	pre->key.dst = pptp_alg_seen(conn, t);
	pre->key.id = rwc->id[t][role];
	pre->key.zone = conn->zone;
	pre->key.stage = PPTP_STAGE_PRE;
	pre->new_addr = pptp_alg_real(conn, o);
	pre->new_id = rwc->id[o][role];
	if (!call->listed) {
		list_add_tail(&call->net_node, &pn->calls);
		call->listed = true;
	}
	if (pptp_alg_flow_insert(pn, pre))
		return -EEXIST;

	snat = pptp_alg_real(conn, t) != pptp_alg_seen(conn, o);
	post->call = call;
	post->side = t;
	post->key.src = pptp_alg_real(conn, t);
	post->key.dst = pptp_alg_real(conn, o);
	post->key.id = rwc->id[o][role];
	/*
	 * Zone 0: after PRE_ROUTING the packet is untracked and its zone is
	 * gone. Two zones' flows with one key clash (refused), never cross.
	 */
	post->key.zone = 0;
	post->key.stage = PPTP_STAGE_POST;
	post->new_addr = pptp_alg_seen(conn, o);

	icmp->call = call;
	icmp->side = t;
	icmp->key = post->key;
	icmp->key.src = pptp_alg_seen(conn, o);
	icmp->key.stage = PPTP_STAGE_ICMP;
	icmp->new_addr = pptp_alg_real(conn, t);
	pptp_alg_flow_insert_opt(pn, icmp);

	/* Same hosts reusing an ID on two connections: ambiguous. */
	if (snat)
		return pptp_alg_flow_insert(pn, post);
	/* The source stays: the entry only relates the packet. */
	pptp_alg_flow_insert_opt(pn, post);
	return 0;
}

static u8 *pptp_alg_store_get(void *ctx)
{
	return kmalloc(PPTP_RW_STORE, GFP_ATOMIC | __GFP_ACCOUNT);
}

static void pptp_alg_store_put(void *ctx, u8 *store)
{
	kfree(store);
}

static const struct {
	enum pptp_alg_stat stat;
	const char *what;	/* log line; NULL: no line (not a rejection) */
} pptp_alg_events[PPTP_RW_EV_MAX] = {
	[PPTP_RW_EV_MSG]		= { PPTP_STAT_MSGS, NULL },
	[PPTP_RW_EV_BAD_COOKIE]		= { PPTP_STAT_BAD_COOKIE,
					    "bad Magic Cookie" },
	[PPTP_RW_EV_BAD_MSG_TYPE]	= { PPTP_STAT_BAD_MSG_TYPE,
					    "PPTP Message Type not control" },
	[PPTP_RW_EV_BAD_CTRL_TYPE]	= { PPTP_STAT_BAD_CTRL_TYPE,
					    "unknown Control Message Type" },
	[PPTP_RW_EV_BAD_LENGTH]		= { PPTP_STAT_BAD_LENGTH,
					    "Length below the message's size" },
	[PPTP_RW_EV_GAP]		= { PPTP_STAT_TCP_GAP,
					    "segment beyond a hole dropped" },
	[PPTP_RW_EV_RETRANSMIT]		= { PPTP_STAT_RETRANSMIT, NULL },
	[PPTP_RW_EV_STORE_FULL]		= { PPTP_STAT_STORE_FULL,
					    "too many unacked bytes, segment dropped" },
	[PPTP_RW_EV_NO_STORE]		= { PPTP_STAT_NOMEM,
					    "no memory to keep the segment, dropped" },
	[PPTP_RW_EV_MIDSTREAM]		= { PPTP_STAT_MIDSTREAM,
					    "NATed, joined without SYN, dropped" },
	[PPTP_RW_EV_CLOSED]		= { PPTP_STAT_CLOSED_DROP,
					    "connection failed closed, segment dropped" },
	[PPTP_RW_EV_SPLIT_FIELD]	= { PPTP_STAT_SPLIT_FIELD, NULL },
	[PPTP_RW_EV_NOT_FOUND]		= { PPTP_STAT_CALL_NOT_FOUND,
					    "message for an unknown Call ID" },
	[PPTP_RW_EV_UNEXPECTED]		= { PPTP_STAT_UNEXPECTED,
					    "message unexpected in the call's state" },
	[PPTP_RW_EV_DUPLICATE]		= { PPTP_STAT_DUPLICATE,
					    "repeated call request or reply" },
	[PPTP_RW_EV_REFUSED]		= { PPTP_STAT_REFUSED,
					    "call refused, its Call ID sent as 0" },
	[PPTP_RW_EV_CALL_FAILED]	= { PPTP_STAT_MSGS, NULL },
	[PPTP_RW_EV_BIND_FAILED]	= { PPTP_STAT_FAILED_CLOSED,
					    "GRE flows could not be installed" },
	[PPTP_RW_EV_FAIL_CLOSED]	= { PPTP_STAT_FAILED_CLOSED,
					    "failed closed, calls freed" },
};

static void pptp_alg_event(void *ctx, enum pptp_rw_event ev, unsigned int arg)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);

	if (ev >= PPTP_RW_EV_MAX)
		return;
	/* Echoes and SLI keep a quiet tunnel's calls from looking idle. */
	if (ev == PPTP_RW_EV_MSG)
		conn->last_msg = jiffies;
	/* A failed call is counted when it is freed (call_failed). */
	if (ev != PPTP_RW_EV_CALL_FAILED && ev != PPTP_RW_EV_BIND_FAILED)
		pptp_alg_count(conn->pn, pptp_alg_events[ev].stat);
	if (pptp_alg_events[ev].what)
		net_info_ratelimited("nf_pptp_alg: %pI4:%u -> %pI4:%u: %s (%u)\n",
				     &conn->addr[0][0],
				     ntohs(conn->port[0][0]),
				     &conn->addr[0][1],
				     ntohs(conn->port[0][1]),
				     pptp_alg_events[ev].what, arg);
}

const struct pptp_rw_ops pptp_alg_rw_ops = {
	.call_new	= pptp_alg_call_new,
	.call_free	= pptp_alg_call_free,
	.reserve	= pptp_alg_reserve,
	.release	= pptp_alg_release,
	.bind		= pptp_alg_bind,
	.store_get	= pptp_alg_store_get,
	.store_put	= pptp_alg_store_put,
	.event		= pptp_alg_event,
};

struct pptp_alg_conn *pptp_alg_conn_new(struct pptp_alg_net *pn,
					const __be32 addr[2][2],
					const __be16 port[2][2], u16 zone)
{
	struct pptp_alg_conn *conn = pptp_alg_conn_alloc();
	int d;

	if (!conn) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no memory for a control connection\n");
		return NULL;
	}
	conn->pn = pn;
	conn->zone = zone;
	conn->created = jiffies;
	conn->last_msg = jiffies;
	for (d = 0; d < 2; d++) {
		conn->addr[d][0] = addr[d][0];
		conn->addr[d][1] = addr[d][1];
		conn->port[d][0] = port[d][0];
		conn->port[d][1] = port[d][1];
	}
	/* A side is NATed when its peer is known by another address. */
	pptp_rw_init(&conn->rw, addr[0][0] != addr[1][1],
		     addr[1][0] != addr[0][1]);
	return conn;
}

/*
 * The conntrack a call's GRE (and the ICMP errors about it) is shown to
 * the filter hooks with, one per control connection (gre.c attaches it
 * between destination and source NAT). Like the conntrack of an expected
 * connection, its master is the control connection: "ct state related"
 * matches, and "ct helper" and xt_helper, which name the master's helper,
 * say "pptp-alg". It is never confirmed nor hashed, so conntrack -L does
 * not list it, and it is born dying: should it ever reach confirmation,
 * conntrack drops the packet instead of inserting it, and no delete can
 * unlink it from lists it is not on. Protocol 0 keeps it out of every
 * protocol's own path (the GRE keymap on destroy, flow offload, TCP state,
 * ct helper and ct expectation objects, which name TCP or UDP). It holds
 * the reference to the control connection's conntrack that the state
 * needs (see below). Called without pn->lock: when the conntrack table
 * is full, the allocation evicts unassured conntracks, whose helper
 * destroy (ours among them) takes pn->lock.
 */
struct nf_conn *pptp_alg_shadow_new(struct nf_conn *ct)
{
	struct nf_conntrack_tuple t[2];
	struct nf_conn *sh;
	int d;

	for (d = 0; d < 2; d++) {
		memset(&t[d], 0, sizeof(t[d]));
		t[d].src.l3num = NFPROTO_IPV4;
		t[d].src.u3.ip = ct->tuplehash[d].tuple.src.u3.ip;
		t[d].dst.u3.ip = ct->tuplehash[d].tuple.dst.u3.ip;
		t[d].dst.dir = d;
	}
	sh = nf_conntrack_alloc(nf_ct_net(ct), nf_ct_zone(ct), &t[0], &t[1],
				GFP_ATOMIC);
	if (IS_ERR_OR_NULL(sh))
		return NULL;
	__set_bit(IPS_DYING_BIT, &sh->status);
	nf_conntrack_get(&ct->ct_general);
	sh->master = ct;
#if IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
	/* As an expected connection inherits its master's mark. */
	WRITE_ONCE(sh->mark, READ_ONCE(ct->mark));
#endif
	/* Allocated unreferenced (RCU lookups); ours from now on. */
	refcount_set(&sh->ct_general.use, 1);
	return sh;
}

/*
 * Attach @conn to @ct, under the lock the destroy callback takes, and
 * only while @ct is not dying: the destroy that follows a dying mark
 * either has run already (then nothing is attached) or will find @conn.
 * The conntrack is referenced (by the shadow, as its master) so its
 * helper area stays readable for the collector, which also frees state
 * whose destroy never comes (helper detached through ctnetlink, conntrack
 * dropped before confirmation).
 * Returns 0, or -EAGAIN when the state must not be attached (the caller
 * then drops @shadow, unlocked).
 */
int pptp_alg_conn_publish(struct pptp_alg_conn *conn, struct nf_conn *ct,
			  struct nf_conn *shadow)
{
	struct pptp_alg_net *pn = conn->pn;
	struct pptp_alg_conn **slot = nfct_help_data(ct);

	lockdep_assert_held(&pn->lock);
	if (pn->dead || !pn->ready || nf_ct_is_dying(ct) || READ_ONCE(*slot))
		return -EAGAIN;
	conn->host = pptp_alg_host_get(pn, conn->addr[0][0], conn->zone);
	if (!conn->host) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		return -EAGAIN;
	}
	/* The shadow's reference to @ct is the state's from now on. */
	conn->shadow = shadow;
	conn->ct = ct;
	list_add_tail(&conn->net_node, &pn->conns);
	pn->nconns++;
	/* Readers outside the lock see a complete conn. */
	smp_store_release(slot, conn);
	return 0;
}

/*
 * Free all state of @conn, which its owner has taken from the conntrack's
 * helper area. Returns the reference to drop once pn->lock is released
 * (the shadow's, which holds the control connection's: dropping it may
 * run conntrack's destroy path).
 */
struct nf_conn *pptp_alg_conn_destroy(struct pptp_alg_conn *conn)
{
	struct nf_conn *ct = conn->shadow;

	lockdep_assert_held(&conn->pn->lock);
	if (conn->dead)
		return NULL;
	conn->dead = true;
	pptp_rw_destroy(&conn->rw, &pptp_alg_rw_ops, conn);
	pptp_alg_resv_drop(conn, 0);
	pptp_alg_resv_drop(conn, 1);
	list_del(&conn->net_node);
	conn->pn->nconns--;
	pptp_alg_host_put(conn->host);
	conn->host = NULL;
	/* Readers of conn->shadow recheck it once they hold a reference. */
	WRITE_ONCE(conn->shadow, NULL);
	return ct;
}

/* Take @conn from its conntrack; false when its destroy callback did. */
static bool pptp_alg_conn_detach(struct pptp_alg_conn *conn)
{
	struct pptp_alg_conn **slot = nfct_help_data(conn->ct);

	return cmpxchg(slot, conn, NULL) == conn;
}

/*
 * Netns exit or module unload: every connection's state goes now, whether
 * or not a destroy callback would still come (it finds nothing). One
 * connection per lock hold; the conntrack references are dropped outside
 * the lock, before conntrack's own exit waits for them.
 */
void pptp_alg_conn_release_all(struct pptp_alg_net *pn)
{
	struct pptp_alg_conn *conn;
	struct nf_conn *ct;

	for (;;) {
		ct = NULL;
		spin_lock_bh(&pn->lock);
		conn = list_first_entry_or_null(&pn->conns,
						struct pptp_alg_conn, net_node);
		if (conn) {
			if (pptp_alg_conn_detach(conn)) {
				ct = pptp_alg_conn_destroy(conn);
				pptp_alg_conn_free_rcu(conn);
			} else {
				/* Not reached: the callback detaches under the lock. */
				WARN_ON_ONCE(1);
				list_del_init(&conn->net_node);
				pn->nconns--;
			}
		}
		spin_unlock_bh(&pn->lock);
		if (!conn)
			break;
		if (ct)
			nf_ct_put(ct);
		cond_resched();
	}
}

/* A conntrack whose destroy callback will never reach us. */
static bool pptp_alg_conn_orphan(const struct pptp_alg_conn *conn)
{
	const struct nf_conn *ct = conn->ct;
	struct nf_conn_help *help = nfct_help(ct);

	/* Its destroy came while we held the lock (pptp_alg_conn_defer()). */
	if (conn->doomed)
		return true;
	if (!help || !rcu_access_pointer(help->helper))
		return true;
	/* Dropped before confirmation: conntrack frees it without destroy. */
	return !nf_ct_is_confirmed(ct) && !nf_ct_is_dying(ct) &&
	       time_after(jiffies, conn->created + 30 * HZ);
}

static void pptp_alg_call_reap(struct pptp_alg_call *call,
			       enum pptp_alg_stat why)
{
	pptp_rw_call_unlink(&call->rw);
	pptp_alg_call_put(call, why);
}

/*
 * One bounded step of the collector, under pn->lock: look at up to
 * @budget calls and @budget connections, each list walked as a ring (what
 * was looked at goes to the tail), so successive steps cover everything
 * once while the lock is dropped in between. A call goes when it waited
 * longer than pending_timeout for its reply, or when neither its GRE nor
 * its connection's control messages (echoes, SLI) showed up for
 * gre_timeout. Conntrack references of orphans freed here are returned
 * in @put (room for @budget) for the caller to drop unlocked.
 */
unsigned int pptp_alg_gc_batch(struct pptp_alg_net *pn, unsigned int budget,
			       struct nf_conn **put, unsigned int *nput)
{
	unsigned long idle = READ_ONCE(pptp_alg_gre_timeout) * HZ;
	unsigned long wait = READ_ONCE(pptp_alg_pending_timeout) * HZ;
	unsigned long now = jiffies;
	struct pptp_alg_call *call;
	struct pptp_alg_conn *conn;
	unsigned int n = 0, i, lim;

	lockdep_assert_held(&pn->lock);
	lim = min(budget, pn->ncalls);
	for (i = 0; i < lim && !list_empty(&pn->calls); i++, n++) {
		unsigned long seen;

		call = list_first_entry(&pn->calls, struct pptp_alg_call,
					net_node);
		list_move_tail(&call->net_node, &pn->calls);
		seen = READ_ONCE(call->last_seen);
		if (time_after(call->conn->last_msg, seen))
			seen = call->conn->last_msg;
		if (call->rw.state == PPTP_RW_OUT_PENDING ||
		    call->rw.state == PPTP_RW_IN_PENDING ||
		    call->rw.state == PPTP_RW_IN_REPLIED) {
			if (time_after(now, call->created + wait))
				pptp_alg_call_reap(call, PPTP_STAT_PENDING_TIMEOUT);
		} else if (time_after(now, seen + idle)) {
			pptp_alg_call_reap(call, PPTP_STAT_IDLE_TIMEOUT);
		}
	}
	*nput = 0;
	lim = min(budget, pn->nconns);
	for (i = 0; i < lim; i++, n++) {
		conn = list_first_entry(&pn->conns, struct pptp_alg_conn,
					net_node);
		list_move_tail(&conn->net_node, &pn->conns);
		if (!pptp_alg_conn_orphan(conn) || !pptp_alg_conn_detach(conn))
			continue;
		if (conn->doomed) {
			put[(*nput)++] = pptp_alg_conn_destroy(conn);
			pptp_alg_conn_free_rcu(conn);
			continue;
		}
		pptp_alg_count(pn, PPTP_STAT_ORPHANS);
		net_info_ratelimited("nf_pptp_alg: %pI4:%u -> %pI4:%u: conntrack lost its helper, state freed\n",
				     &conn->addr[0][0], ntohs(conn->port[0][0]),
				     &conn->addr[0][1], ntohs(conn->port[0][1]));
		put[(*nput)++] = pptp_alg_conn_destroy(conn);
		pptp_alg_conn_free_rcu(conn);
	}
	return n;
}
