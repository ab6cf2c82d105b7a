// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state: set-up and teardown of the map table, the GRE hooks,
 * the /proc files and the idle-call collector's timer. What is freed and
 * when lives in src/calls.c.
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

struct pptp_alg_net *pptp_alg_pernet(const struct net *net)
{
	return net_generic(net, pptp_alg_net_id);
}

static void pptp_alg_gc(struct work_struct *work)
{
	struct pptp_alg_net *pn = container_of(to_delayed_work(work),
					       struct pptp_alg_net, gc);
	unsigned long idle = READ_ONCE(pptp_alg_gre_timeout) * HZ;

	spin_lock_bh(&pn->lock);
	pptp_alg_calls_gc(pn, idle);
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
	pn->stats = alloc_percpu(struct pptp_alg_stats);
	if (!pn->stats)
		return -ENOMEM;
	err = pptp_alg_table_init(&pn->table, pptp_alg_hashsize,
				  get_random_u32());
	if (err)
		goto err_stats;
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
err_stats:
	free_percpu(pn->stats);
	pn->stats = NULL;
	return err;
}

static void __net_exit pptp_alg_net_exit(struct net *net)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(net);

	cancel_delayed_work_sync(&pn->gc);
	pptp_alg_proc_exit(pn);
	nf_unregister_net_hooks(net, pptp_alg_gre_ops,
				ARRAY_SIZE(pptp_alg_gre_ops));

	/*
	 * Module unload: no destroy callback will come, free it all here.
	 * A dying netns: conntrack's own exit runs after ours and calls the
	 * helper's destroy for each connection, which frees its state and
	 * only needs pn->lock, still valid until every exit has run.
	 */
	spin_lock_bh(&pn->lock);
	if (pptp_alg_unloading)
		pptp_alg_conn_release_all(pn);
	else
		pptp_alg_calls_free_all(pn);
	pn->dead = true;
	spin_unlock_bh(&pn->lock);

	/* Packets in flight may still be reading the table. */
	synchronize_rcu();
	pptp_alg_table_free(&pn->table);
	free_percpu(pn->stats);
	WRITE_ONCE(pn->stats, NULL);
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
