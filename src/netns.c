// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state: the map table, the lists of calls and control
 * connections, counters, the idle-call collector, and the GRE hooks.
 */
#include <linux/netfilter.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "nf_pptp_alg.h"

#define PPTP_ALG_GC_PERIOD (5 * HZ)

static unsigned int pptp_alg_net_id __read_mostly;
/* Set during module unload: connections' state must be freed by us. */
static bool pptp_alg_unloading;

static const char *const pptp_alg_stat_names[PPTP_STAT_MAX] = {
	[PPTP_STAT_MSGS]		= "messages",
	[PPTP_STAT_CALLS_CREATED]	= "calls_created",
	[PPTP_STAT_CALLS_FREED]		= "calls_freed",
	[PPTP_STAT_BAD_COOKIE]		= "bad_cookie",
	[PPTP_STAT_BAD_MSG_TYPE]	= "bad_msg_type",
	[PPTP_STAT_BAD_CTRL_TYPE]	= "bad_ctrl_type",
	[PPTP_STAT_BAD_LENGTH]		= "bad_length",
	[PPTP_STAT_TCP_GAP]		= "tcp_gap",
	[PPTP_STAT_RETRANSMIT]		= "retransmit",
	[PPTP_STAT_SPLIT_FIELD]		= "split_field",
	[PPTP_STAT_UNEXPECTED]		= "unexpected",
	[PPTP_STAT_CALL_NOT_FOUND]	= "call_not_found",
	[PPTP_STAT_DUPLICATE]		= "duplicate",
	[PPTP_STAT_CONN_CALLS_FULL]	= "conn_calls_full",
	[PPTP_STAT_NET_CALLS_FULL]	= "net_calls_full",
	[PPTP_STAT_CALLID_EXHAUSTED]	= "callid_exhausted",
	[PPTP_STAT_KEY_CLASH]		= "key_clash",
	[PPTP_STAT_NOMEM]		= "nomem",
	[PPTP_STAT_UNWRITABLE]		= "unwritable",
	[PPTP_STAT_CALL_FAILED]		= "call_failed",
	[PPTP_STAT_IDLE_TIMEOUT]	= "idle_timeout",
	[PPTP_STAT_GRE_TRANSLATED]	= "gre_translated",
	[PPTP_STAT_GRE_NO_CALL]		= "gre_no_call",
	[PPTP_STAT_GRE_MALFORMED]	= "gre_malformed",
	[PPTP_STAT_GRE_FRAGMENT]	= "gre_fragment",
};

const char *pptp_alg_stat_name(enum pptp_alg_stat s)
{
	return s < PPTP_STAT_MAX ? pptp_alg_stat_names[s] : "?";
}

struct pptp_alg_net *pptp_alg_pernet(const struct net *net)
{
	return net_generic(net, pptp_alg_net_id);
}

void pptp_alg_count(struct pptp_alg_net *pn, enum pptp_alg_stat s)
{
	atomic64_inc(&pn->stats[s]);
}

/* Unhash every flow of @call and free it after readers are done. */
void pptp_alg_call_free_locked(struct pptp_alg_net *pn,
			       struct pptp_alg_call *call,
			       enum pptp_alg_stat why)
{
	int side, stage;

	lockdep_assert_held(&pn->lock);
	for (side = 0; side < 2; side++)
		for (stage = 0; stage < 2; stage++)
			pptp_alg_table_remove(&call->map[side][stage]);
	list_del(&call->conn_node);
	list_del(&call->net_node);
	call->conn->ncalls--;
	pn->ncalls--;
	if (why != PPTP_STAT_CALLS_FREED)
		pptp_alg_count(pn, why);
	pptp_alg_count(pn, PPTP_STAT_CALLS_FREED);
	pptp_alg_call_free_rcu(call);
}

static void pptp_alg_gc(struct work_struct *work)
{
	struct pptp_alg_net *pn = container_of(to_delayed_work(work),
					       struct pptp_alg_net, gc);
	unsigned long idle = READ_ONCE(pptp_alg_gre_timeout) * HZ;
	struct pptp_alg_call *call, *tmp;

	spin_lock_bh(&pn->lock);
	list_for_each_entry_safe(call, tmp, &pn->calls, net_node) {
		if (time_after(jiffies, READ_ONCE(call->last_seen) + idle))
			pptp_alg_call_free_locked(pn, call,
						  PPTP_STAT_IDLE_TIMEOUT);
	}
	spin_unlock_bh(&pn->lock);
	queue_delayed_work(system_power_efficient_wq, &pn->gc,
			   PPTP_ALG_GC_PERIOD);
}

static int __net_init pptp_alg_net_init(struct net *net)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(net);
	int err;

	spin_lock_init(&pn->lock);
	INIT_LIST_HEAD(&pn->calls);
	INIT_LIST_HEAD(&pn->conns);
	pn->net = net;
	pptp_callid_init(&pn->alloc, get_random_u16());
	err = pptp_alg_table_init(&pn->table, pptp_alg_hashsize,
				  get_random_u32());
	if (err)
		return err;
	err = nf_register_net_hooks(net, pptp_alg_gre_ops,
				    ARRAY_SIZE(pptp_alg_gre_ops));
	if (err)
		goto err_table;
	err = pptp_alg_proc_init(pn);
	if (err)
		goto err_hooks;
	INIT_DELAYED_WORK(&pn->gc, pptp_alg_gc);
	queue_delayed_work(system_power_efficient_wq, &pn->gc,
			   PPTP_ALG_GC_PERIOD);
	return 0;

err_hooks:
	nf_unregister_net_hooks(net, pptp_alg_gre_ops,
				ARRAY_SIZE(pptp_alg_gre_ops));
err_table:
	pptp_alg_table_free(&pn->table);
	return err;
}

static void __net_exit pptp_alg_net_exit(struct net *net)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(net);
	struct pptp_alg_call *call, *tmp;

	cancel_delayed_work_sync(&pn->gc);
	pptp_alg_proc_exit(pn);
	nf_unregister_net_hooks(net, pptp_alg_gre_ops,
				ARRAY_SIZE(pptp_alg_gre_ops));

	if (pptp_alg_unloading)
		pptp_alg_conn_release_all(pn);

	/*
	 * A dying netns: conntrack's own exit runs after ours and calls the
	 * helper's destroy for each connection, which frees its state and
	 * only needs pn->lock, still valid until every exit has run.
	 */
	spin_lock_bh(&pn->lock);
	pn->dead = true;
	list_for_each_entry_safe(call, tmp, &pn->calls, net_node)
		pptp_alg_call_free_locked(pn, call, PPTP_STAT_CALLS_FREED);
	spin_unlock_bh(&pn->lock);

	/* Packets in flight may still be reading the table. */
	synchronize_rcu();
	pptp_alg_table_free(&pn->table);
}

static struct pernet_operations pptp_alg_net_ops = {
	.init	= pptp_alg_net_init,
	.exit	= pptp_alg_net_exit,
	.id	= &pptp_alg_net_id,
	.size	= sizeof(struct pptp_alg_net),
};

int pptp_alg_net_register(void)
{
	pptp_alg_unloading = false;
	return register_pernet_subsys(&pptp_alg_net_ops);
}

void pptp_alg_net_unregister(void)
{
	pptp_alg_unloading = true;
	unregister_pernet_subsys(&pptp_alg_net_ops);
}
