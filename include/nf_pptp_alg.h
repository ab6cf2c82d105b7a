/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of nf_pptp_alg shared between src/ files.
 *
 * Vocabulary: a "side" is one half of the NAT gateway as seen by the PPTP
 * control connection: the side of the TCP originator (0, the conntrack
 * ORIGINAL direction) or of the responder (1, REPLY). A "role" is PNS or PAC.
 * Each call has four Call IDs: each role's ID as seen on each side.
 */
#ifndef NF_PPTP_ALG_H
#define NF_PPTP_ALG_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/types.h>

#include "pptp_msg.h"
#include "pptp_callid.h"
#include "pptp_rewrite.h"

#define PPTP_ALG_NAME		"pptp-alg"
#define PPTP_ALG_MAX_PORTS	8
/* Mainline's helper: its only port, and how many of its IDs we step over. */
#define PPTP_ALG_MAINLINE_PORT	1723
#define PPTP_ALG_MAINLINE_TRIES	8

enum pptp_alg_side { PPTP_SIDE_ORIG = 0, PPTP_SIDE_REPLY = 1 };

/*
 * A GRE packet is looked up at PRE_ROUTING before conntrack (stage PRE:
 * the new destination and Call ID) and, by its half-translated form, after
 * destination NAT and at POST_ROUTING (stage POST: the conntrack to relate
 * it to, and the new source, which cannot be changed before routing
 * without tripping the martian-source check). Stage ICMP keys the fully
 * translated form, which is what an ICMP error about the packet quotes.
 */
enum pptp_alg_stage {
	PPTP_STAGE_PRE = 0,
	PPTP_STAGE_POST = 1,
	PPTP_STAGE_ICMP = 2,
	PPTP_STAGE_FLOWS = 3,	/* stages a call hashes per arrival side */
};

/* Per-netns counters; names in src/stats.c, meanings and policy in README. */
enum pptp_alg_stat {
	PPTP_STAT_MSGS,
	PPTP_STAT_CALLS_CREATED,
	PPTP_STAT_CALLS_FREED,
	PPTP_STAT_BAD_COOKIE,
	PPTP_STAT_BAD_MSG_TYPE,
	PPTP_STAT_BAD_CTRL_TYPE,
	PPTP_STAT_BAD_LENGTH,
	PPTP_STAT_TCP_GAP,
	PPTP_STAT_RETRANSMIT,
	PPTP_STAT_STORE_FULL,
	PPTP_STAT_MIDSTREAM,
	PPTP_STAT_FAILED_CLOSED,
	PPTP_STAT_CLOSED_DROP,
	PPTP_STAT_SPLIT_FIELD,
	PPTP_STAT_REFUSED,
	PPTP_STAT_UNEXPECTED,
	PPTP_STAT_CALL_NOT_FOUND,
	PPTP_STAT_DUPLICATE,
	PPTP_STAT_CONN_CALLS_FULL,
	PPTP_STAT_NET_CALLS_FULL,
	PPTP_STAT_CALLID_EXHAUSTED,
	PPTP_STAT_KEY_CLASH,
	PPTP_STAT_NOMEM,
	PPTP_STAT_UNWRITABLE,
	PPTP_STAT_CALL_FAILED,
	PPTP_STAT_IDLE_TIMEOUT,
	PPTP_STAT_PENDING_TIMEOUT,
	PPTP_STAT_CONN_PENDING_FULL,
	PPTP_STAT_HOST_CALLS_FULL,
	PPTP_STAT_HOST_PENDING_FULL,
	PPTP_STAT_TOTAL_CALLS_FULL,
	PPTP_STAT_ORPHANS,
	PPTP_STAT_SETUP_WAIT,
	PPTP_STAT_GRE_TRANSLATED,
	PPTP_STAT_GRE_NO_CALL,
	PPTP_STAT_GRE_MALFORMED,
	PPTP_STAT_GRE_FRAGMENT,
	PPTP_STAT_CALLS_FREED_CDN,
	PPTP_STAT_CALLS_FREED_STOP,
	PPTP_STAT_CALLS_FREED_FIN,
	PPTP_STAT_CALLS_FREED_TEARDOWN,
	PPTP_STAT_GRE_RELATED,
	PPTP_STAT_RELATE_FAILED,
	PPTP_STAT_ICMP_TRANSLATED,
	PPTP_STAT_ICMP_LOCAL,
	PPTP_STAT_XFRM_DROP,
	PPTP_STAT_MAINLINE_SKIP,
	PPTP_STAT_DESTROY_DEFERRED,
	PPTP_STAT_MAX,
};

/*
 * Stages PAIR and BLOCK are not GRE flows: they hold the Call-ID
 * allocator's bitmaps for one (source, destination, zone), see calls.c.
 */
enum pptp_alg_stage_x { PPTP_STAGE_PAIR = 3, PPTP_STAGE_BLOCK = 4 };

/* One CPU's share of the per-netns counters (src/stats.c). */
struct pptp_alg_stats {
	u64 cnt[PPTP_STAT_MAX];
};

struct pptp_alg_key {
	__be32 src;
	__be32 dst;
	u16 id;
	u16 zone;
	u8 stage;
};

struct pptp_alg_call;
struct pptp_alg_host;
struct nf_conn;

/* One entry of the map table: how to translate one GRE flow at one stage. */
struct pptp_alg_map {
	struct hlist_node node;
	struct pptp_alg_key key;
	struct pptp_alg_call *call;
	__be32 new_addr;	/* PRE: new destination; POST: new source */
	u16 new_id;		/* PRE only */
	u8 side;		/* side the packet arrives from */
	bool hashed;		/* in the table; lockless readers: READ_ONCE */
};

struct pptp_alg_table {
	struct hlist_head *buckets;
	unsigned int mask;
	u32 seed;
};

struct pptp_alg_conn;

/*
 * A Call ID reserved while its field is on the wire: a table entry
 * without a call. Each reservation is a new object, freed after a grace
 * period, so a lookup standing on an old one is never moved to another
 * chain (hlist entries must not be re-hashed under RCU readers).
 */
struct pptp_alg_resv {
	struct pptp_alg_map m;
	struct rcu_head rcu;
};

struct pptp_alg_call {
	struct pptp_rw_call rw;		/* IDs, state; pn->lock */
	struct pptp_alg_map map[2][PPTP_STAGE_FLOWS];	/* [arrival side][stage] */
	struct list_head net_node;	/* pn->lock, once bound */
	struct pptp_alg_conn *conn;
	bool listed;			/* on pn->calls */
	bool pending;			/* counted as waiting for its reply */
	unsigned long created;
	unsigned long last_seen;	/* jiffies; written locklessly */
	/*
	 * [arrival side]. Atomic, not per CPU: GRE of one call can be
	 * translated on two CPUs at once (RSS, RPS, local senders), and a
	 * per-CPU copy per call would multiply the call's size.
	 */
	atomic64_t pkts[2];
	atomic64_t bytes[2];
	struct rcu_head rcu;
};

/*
 * Per control connection; owned by the conntrack (helper data pointer).
 * Everything but the addresses is guarded by pn->lock.
 */
struct pptp_alg_conn {
	struct pptp_rw rw;
	struct pptp_alg_resv *resv[2];	/* [owner side] ID being handed out */
	struct list_head net_node;
	unsigned int ncalls;		/* bound or being set up */
	unsigned int npending;		/* of which waiting for their reply */
	bool dead;
	bool doomed;			/* destroy deferred to the collector */
	u16 zone;
	__be32 addr[2][2];		/* [ct direction][0 src, 1 dst] */
	__be16 port[2][2];
	struct nf_conn *ct;		/* alive while the state lives */
	struct nf_conn *shadow;		/* GRE's conntrack, master @ct (calls.c) */
	struct pptp_alg_host *host;	/* the originator's quota */
	unsigned long created;
	unsigned long last_msg;		/* jiffies of the last control message */
	struct pptp_alg_net *pn;
	struct rcu_head rcu;
};

/* Quota of one originator address (the host opening control connections). */
struct pptp_alg_host {
	struct hlist_node node;
	__be32 addr;
	u16 zone;
	unsigned int nconns;
	unsigned int ncalls;
	unsigned int npending;
};

#define PPTP_ALG_HOST_BUCKETS	256

/*
 * Per netns. Nothing but this struct exists until the first control
 * connection asks for the rest (@ready): the table, the host quotas, the
 * GRE hooks and the collector are set up by @setup, in process context.
 */
struct pptp_alg_net {
	spinlock_t lock;	/* table writers, call and conn lists, calls */
	struct pptp_alg_table table;
	struct hlist_head *hosts;
	struct list_head calls;
	struct list_head conns;
	unsigned int ncalls;
	unsigned int npending;
	unsigned int nconns;
	struct pptp_callid_alloc alloc;
	u8 rotor;		/* start inside a block, see calls.c */
	bool dead;
	bool ready;		/* set-up done: table and hooks live */
	bool setup_queued;
	bool hooked;
	struct work_struct setup;
	struct delayed_work gc;
	struct net *net;
	struct mem_cgroup *memcg;	/* of the netns's creator, charged */
	struct proc_dir_entry *proc_dir;
	struct pptp_alg_stats __percpu *stats;	/* NULL once the netns exits */
};

/* params.c */
extern unsigned short pptp_alg_ports[PPTP_ALG_MAX_PORTS];
extern unsigned int pptp_alg_nports;
extern unsigned int pptp_alg_max_calls;
extern unsigned int pptp_alg_max_calls_net;
extern unsigned int pptp_alg_gre_timeout;
extern unsigned int pptp_alg_gre_mark;
extern bool pptp_alg_gre_related;
extern unsigned int pptp_alg_hashsize;
extern unsigned int pptp_alg_callid_probes;
extern unsigned int pptp_alg_max_pending;
extern unsigned int pptp_alg_max_calls_host;
extern unsigned int pptp_alg_max_pending_host;
extern unsigned int pptp_alg_max_calls_total;
extern unsigned int pptp_alg_pending_timeout;
int pptp_alg_params_check(void);

/* mem.c */
int pptp_alg_mem_init(void);
void pptp_alg_mem_exit(void);
struct pptp_alg_call *pptp_alg_call_alloc(void);
void pptp_alg_call_free_rcu(struct pptp_alg_call *call);
struct pptp_alg_conn *pptp_alg_conn_alloc(void);
void pptp_alg_conn_free(struct pptp_alg_conn *conn);
void pptp_alg_conn_free_rcu(struct pptp_alg_conn *conn);
extern atomic_t pptp_alg_calls_total;
extern atomic_t pptp_alg_objects[2];	/* [0 calls, 1 connections] */

/* calltab.c: the map table; lookups under RCU, writers under pn->lock */
int pptp_alg_table_init(struct pptp_alg_table *t, unsigned int size, u32 seed);
void pptp_alg_table_free(struct pptp_alg_table *t);
struct pptp_alg_map *pptp_alg_table_lookup(const struct pptp_alg_table *t,
					   const struct pptp_alg_key *key);
int pptp_alg_table_insert(struct pptp_alg_table *t, struct pptp_alg_map *m);
void pptp_alg_table_remove(struct pptp_alg_map *m);
unsigned int pptp_alg_table_bucket(const struct pptp_alg_table *t,
				   const struct pptp_alg_key *key);

/* stats.c */
void pptp_alg_count(struct pptp_alg_net *pn, enum pptp_alg_stat s);
u64 pptp_alg_stat_read(const struct pptp_alg_net *pn, enum pptp_alg_stat s);
const char *pptp_alg_stat_name(enum pptp_alg_stat s);

/* netns.c */
struct pptp_alg_net *pptp_alg_pernet(const struct net *net);
int pptp_alg_net_register(void);
void pptp_alg_net_unregister(void);

/* calls.c: lifetime of calls and control connections; pn->lock held */
extern const struct pptp_rw_ops pptp_alg_rw_ops;
struct pptp_alg_conn *pptp_alg_conn_new(struct pptp_alg_net *pn,
					const __be32 addr[2][2],
					const __be16 port[2][2], u16 zone);
struct nf_conn *pptp_alg_shadow_new(struct nf_conn *ct);
int pptp_alg_conn_publish(struct pptp_alg_conn *conn, struct nf_conn *ct,
			  struct nf_conn *shadow);
struct nf_conn *pptp_alg_conn_destroy(struct pptp_alg_conn *conn);
bool pptp_alg_conn_defer(struct pptp_alg_conn *conn);
void pptp_alg_conn_release_all(struct pptp_alg_net *pn);
unsigned int pptp_alg_gc_batch(struct pptp_alg_net *pn, unsigned int budget,
			       struct nf_conn **put, unsigned int *nput);
void pptp_alg_hosts_init(struct hlist_head *hosts);
void pptp_alg_net_setup_queue(struct pptp_alg_net *pn);

/* helper.c */
int pptp_alg_helper_register(void);
void pptp_alg_helper_unregister(void);

/* gre.c */
extern const struct nf_hook_ops pptp_alg_gre_ops[5];

/* proc.c */
int pptp_alg_proc_init(struct pptp_alg_net *pn);
void pptp_alg_proc_exit(struct pptp_alg_net *pn);

#endif /* NF_PPTP_ALG_H */
