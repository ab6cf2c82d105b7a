// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of calls and control connections, in one place: the kernel
 * side of the stream rewriter's ops (call objects, Call ID reservations,
 * GRE flows in the map table, retransmission stores, counters and log
 * lines), the idle-call collector, and the teardown of a connection, of a
 * netns and of the module. Every function here runs under pn->lock.
 */
#include <linux/slab.h>

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

static struct pptp_rw_call *pptp_alg_call_new(void *ctx)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);
	struct pptp_alg_net *pn = conn->pn;
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
	call->created = jiffies;
	call->last_seen = jiffies;
	conn->ncalls++;
	pn->ncalls++;
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
		for (stage = 0; stage < 2; stage++)
			pptp_alg_table_remove(&call->map[side][stage]);
	if (call->listed)
		list_del(&call->net_node);
	conn->ncalls--;
	pn->ncalls--;
	if (why != PPTP_STAT_CALLS_FREED)
		pptp_alg_count(pn, why);
	pptp_alg_count(pn, PPTP_STAT_CALLS_FREED);
	pptp_alg_call_free_rcu(call);
}

static void pptp_alg_call_free(void *ctx, struct pptp_rw_call *rwc,
			       enum pptp_rw_free why)
{
	struct pptp_alg_call *call = container_of(rwc, struct pptp_alg_call,
						  rw);

	pptp_alg_call_put(call, why == PPTP_RW_FREE_FAILED ?
			  PPTP_STAT_CALL_FAILED : PPTP_STAT_CALLS_FREED);
}

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

/* The only high byte @blocks allows, or -1 when it allows several or none. */
static int pptp_alg_one_block(const u8 *blocks)
{
	int i, one = -1;

	for (i = 0; i < PPTP_RW_BLOCKS; i++) {
		if (!(blocks[i >> 3] & (1U << (i & 7))))
			continue;
		if (one >= 0)
			return -1;
		one = i;
	}
	return one;
}

/*
 * The ID the far side will use for the peer on side @o is unique per
 * (far peer, address it sends to): that pair and the ID are the key its
 * GRE is found by. A reservation is a table entry without a call, so no
 * other connection can take the ID while its first byte is on the wire.
 */
static int pptp_alg_reserve(void *ctx, int o, const u8 *blocks, int prefer,
			    u16 *out)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);
	struct pptp_alg_net *pn = conn->pn;
	struct pptp_alg_map *m = &conn->resv[o];
	int t = !o;
	struct pptp_alg_busy_ctx busy = {
		.pn = pn,
		.key = {
			.src = pptp_alg_real(conn, t),
			.dst = pptp_alg_seen(conn, t),
			.stage = PPTP_STAGE_PRE,
		},
	};
	bool had = m->hashed;
	u16 cursor = pn->alloc.cursor;
	int one = pptp_alg_one_block(blocks);
	int rc;
	u16 id;

	/*
	 * Within one block (a kept ID's, or the block a connection's IDs
	 * share) start at a rotating position and leave the cursor alone:
	 * the cursor must not be pulled into the ID range a server uses for
	 * its own IDs, and a freed ID should not come back at once.
	 */
	if (one >= 0 && prefer < 0) {
		prefer = one << 8 | pn->rotor++;
		if (!prefer)
			prefer = pn->rotor++;
	}
	pptp_alg_table_remove(m);
	rc = pptp_callid_pick_in(&pn->alloc, blocks, prefer,
				 READ_ONCE(pptp_alg_callid_probes),
				 pptp_alg_id_busy, &busy, &id);
	if (one >= 0) {
		pn->alloc.cursor = cursor;
	} else if (!rc && prefer < 0) {
		/*
		 * A new block: its first ID also takes the rotating low byte,
		 * so every ID's low byte comes from one sequence and an ID
		 * freed comes back only some 256 reservations later.
		 */
		u16 alt = (id & 0xff00) | pn->rotor++;

		if (alt && !pptp_alg_id_busy(&busy, alt))
			id = alt;
	}
	if (rc) {
		if (had)
			pptp_alg_table_insert(&pn->table, m);
		pptp_alg_count(pn, PPTP_STAT_CALLID_EXHAUSTED);
		net_info_ratelimited("nf_pptp_alg: no free Call ID for %pI4 -> %pI4\n",
				     &busy.key.src, &busy.key.dst);
		return -EBUSY;
	}
	m->call = NULL;
	m->side = t;
	m->key = busy.key;
	m->key.id = id;
	if (pptp_alg_table_insert(&pn->table, m))
		return -EEXIST;
	*out = id;
	return 0;
}

static void pptp_alg_release(void *ctx, int o)
{
	struct pptp_alg_conn *conn = pptp_alg_ctx_conn(ctx);

	pptp_alg_table_remove(&conn->resv[o]);
}

static int pptp_alg_flow_insert(struct pptp_alg_net *pn, struct pptp_alg_map *m)
{
	if (!pptp_alg_table_insert(&pn->table, m))
		return 0;
	pptp_alg_count(pn, PPTP_STAT_KEY_CLASH);
	net_info_ratelimited("nf_pptp_alg: GRE flow %pI4 -> %pI4 id %u already mapped\n",
			     &m->key.src, &m->key.dst, m->key.id);
	return -EEXIST;
}

/*
 * The peer on side @o owns id[o][role]; the other side knows it as
 * id[t][role]. Hash the flows that carry GRE towards that peer: PRE finds
 * GRE from the far peer by the ID it uses, POST gives it the source
 * address the peer expects.
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

	pptp_alg_table_remove(&conn->resv[o]);
	pre->call = call;
	pre->side = t;
	pre->key.src = pptp_alg_real(conn, t);
	pre->key.dst = pptp_alg_seen(conn, t);
	pre->key.id = rwc->id[t][role];
	pre->key.stage = PPTP_STAGE_PRE;
	pre->new_addr = pptp_alg_real(conn, o);
	pre->new_id = rwc->id[o][role];
	if (!call->listed) {
		list_add_tail(&call->net_node, &pn->calls);
		call->listed = true;
	}
	if (pptp_alg_flow_insert(pn, pre))
		return -EEXIST;

	if (pptp_alg_real(conn, t) == pptp_alg_seen(conn, o))
		return 0;
	post->call = call;
	post->side = t;
	post->key.src = pptp_alg_real(conn, t);
	post->key.dst = pptp_alg_real(conn, o);
	post->key.id = rwc->id[o][role];
	post->key.stage = PPTP_STAGE_POST;
	post->new_addr = pptp_alg_seen(conn, o);
	/* Same hosts reusing an ID on two connections: ambiguous. */
	return pptp_alg_flow_insert(pn, post);
}

static u8 *pptp_alg_store_get(void *ctx)
{
	return kmalloc(PPTP_RW_STORE, GFP_ATOMIC);
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
					const __be16 port[2][2])
{
	struct pptp_alg_conn *conn = pptp_alg_conn_alloc();
	int d;

	if (!conn) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no memory for a control connection\n");
		return NULL;
	}
	conn->pn = pn;
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

/* The conntrack is going away, or the module or netns: free all state. */
void pptp_alg_conn_destroy(struct pptp_alg_conn *conn)
{
	lockdep_assert_held(&conn->pn->lock);
	if (conn->dead)
		return;
	conn->dead = true;
	pptp_rw_destroy(&conn->rw, &pptp_alg_rw_ops, conn);
	list_del(&conn->net_node);
}

/*
 * Module unload: the helper is unregistered, so no destroy callback will
 * come for the connections still holding state. Free it here.
 */
void pptp_alg_conn_release_all(struct pptp_alg_net *pn)
{
	struct pptp_alg_conn *conn, *tmp;

	list_for_each_entry_safe(conn, tmp, &pn->conns, net_node) {
		pptp_alg_conn_destroy(conn);
		pptp_alg_conn_free_rcu(conn);
	}
}

void pptp_alg_calls_gc(struct pptp_alg_net *pn, unsigned long idle)
{
	struct pptp_alg_call *call, *tmp;

	list_for_each_entry_safe(call, tmp, &pn->calls, net_node) {
		if (time_after(jiffies, READ_ONCE(call->last_seen) + idle)) {
			pptp_rw_call_unlink(&call->rw);
			pptp_alg_call_put(call, PPTP_STAT_IDLE_TIMEOUT);
		}
	}
}

/*
 * A dying netns: its connections' destroy callbacks come later, after the
 * map table is gone, so everything hashed in it (calls and reservations)
 * goes now; what is left of a connection is freed by its callback.
 */
void pptp_alg_calls_free_all(struct pptp_alg_net *pn)
{
	struct pptp_alg_conn *conn;

	list_for_each_entry(conn, &pn->conns, net_node) {
		pptp_rw_destroy(&conn->rw, &pptp_alg_rw_ops, conn);
		conn->rw.closed = true;
	}
}
