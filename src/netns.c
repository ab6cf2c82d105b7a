// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state. A netns pays nothing until its first PPTP control
 * connection: netns creation sets up only the lock, the lists and the
 * /proc files. The first connection the helper sees queues the set-up
 * (map table, originator quotas, GRE hooks, collector) in process
 * context; its SYN is dropped meanwhile and TCP sends it again. Teardown
 * of everything, calls included, happens in our own exit, for a dying
 * netns as for module unload. What is freed and when lives in
 * src/calls.c.
 */
#include <linux/memcontrol.h>
#include <linux/netfilter.h>
#include <linux/sched/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>

#include "nf_pptp_alg.h"

#define PPTP_ALG_GC_PERIOD	(5 * HZ)
/* Calls and connections looked at per lock hold by the collector. */
#define PPTP_ALG_GC_BATCH	64

static unsigned int pptp_alg_net_id __read_mostly;

struct pptp_alg_net *pptp_alg_pernet(const struct net *net)
{
	return net_generic(net, pptp_alg_net_id);
}

/*
 * Walk every call and connection once, in batches: bottom halves are
 * off only for one batch at a time, and the conntrack references of
 * orphaned connections are dropped outside the lock.
 */
static void pptp_alg_gc(struct work_struct *work)
{
	struct pptp_alg_net *pn = container_of(to_delayed_work(work),
					       struct pptp_alg_net, gc);
	struct nf_conn *put[PPTP_ALG_GC_BATCH];
	unsigned int todo, done, nput, i;

	spin_lock_bh(&pn->lock);
	todo = pn->ncalls + pn->nconns;
	spin_unlock_bh(&pn->lock);
	while (todo) {
		spin_lock_bh(&pn->lock);
		done = pptp_alg_gc_batch(pn, PPTP_ALG_GC_BATCH, put, &nput);
		spin_unlock_bh(&pn->lock);
		for (i = 0; i < nput; i++)
			nf_ct_put(put[i]);
		if (!done)
			break;
		todo = done >= todo ? 0 : todo - done;
		cond_resched();
	}
	queue_delayed_work(system_power_efficient_wq, &pn->gc,
			   PPTP_ALG_GC_PERIOD);
}

static void pptp_alg_setup(struct work_struct *work)
{
	struct pptp_alg_net *pn = container_of(work, struct pptp_alg_net,
					       setup);
	struct mem_cgroup *old_memcg;
	struct hlist_head *hosts;
	int err;

	/* A kworker has no cgroup: charge the netns's creator's. */
	old_memcg = set_active_memcg(pn->memcg);
	hosts = kcalloc(PPTP_ALG_HOST_BUCKETS, sizeof(*hosts),
			GFP_KERNEL_ACCOUNT);
	if (!hosts)
		goto err;
	pptp_alg_hosts_init(hosts);
	err = pptp_alg_table_init(&pn->table, pptp_alg_hashsize,
				  get_random_u32());
	if (err)
		goto err_hosts;
	err = nf_register_net_hooks(pn->net, pptp_alg_gre_ops,
				    ARRAY_SIZE(pptp_alg_gre_ops));
	if (err)
		goto err_table;
	set_active_memcg(old_memcg);
	pn->hooked = true;
	spin_lock_bh(&pn->lock);
	pn->hosts = hosts;
	/* Lockless readers (/proc) see the table once they see @ready. */
	smp_store_release(&pn->ready, true);
	spin_unlock_bh(&pn->lock);
	queue_delayed_work(system_power_efficient_wq, &pn->gc,
			   PPTP_ALG_GC_PERIOD);
	return;

err_table:
	pptp_alg_table_free(&pn->table);
err_hosts:
	kfree(hosts);
err:
	set_active_memcg(old_memcg);
	/* The next connection tries again. */
	net_info_ratelimited("nf_pptp_alg: netns set-up failed, retried on the next connection\n");
	spin_lock_bh(&pn->lock);
	pn->setup_queued = false;
	spin_unlock_bh(&pn->lock);
}

void pptp_alg_net_setup_queue(struct pptp_alg_net *pn)
{
	bool queue;

	spin_lock_bh(&pn->lock);
	queue = !pn->setup_queued && !pn->dead;
	pn->setup_queued = true;
	spin_unlock_bh(&pn->lock);
	if (queue)
		queue_work(system_unbound_wq, &pn->setup);
}

static int __net_init pptp_alg_net_init(struct net *net)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(net);
	int err;

	spin_lock_init(&pn->lock);
	INIT_LIST_HEAD(&pn->calls);
	INIT_LIST_HEAD(&pn->conns);
	INIT_WORK(&pn->setup, pptp_alg_setup);
	INIT_DELAYED_WORK(&pn->gc, pptp_alg_gc);
	pn->net = net;
	pptp_callid_init(&pn->alloc, get_random_u16());
	pn->stats = alloc_percpu_gfp(struct pptp_alg_stats, GFP_KERNEL_ACCOUNT);
	if (!pn->stats)
		return -ENOMEM;
	err = pptp_alg_proc_init(pn);
	if (err)
		goto err_stats;
	/* The creator of the netns pays for what PPTP there allocates. */
	pn->memcg = get_mem_cgroup_from_mm(current->mm);
	return 0;

err_stats:
	free_percpu(pn->stats);
	pn->stats = NULL;
	return err;
}

static void __net_exit pptp_alg_net_exit(struct net *net)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(net);

	/* No set-up can start after this. */
	spin_lock_bh(&pn->lock);
	pn->dead = true;
	spin_unlock_bh(&pn->lock);
	cancel_work_sync(&pn->setup);
	cancel_delayed_work_sync(&pn->gc);
	pptp_alg_proc_exit(pn);
	if (pn->hooked)
		nf_unregister_net_hooks(net, pptp_alg_gre_ops,
					ARRAY_SIZE(pptp_alg_gre_ops));
	/*
	 * Our exit runs before conntrack's, which waits for every conntrack
	 * reference to go: ours go here, with all the state, so no destroy
	 * callback finds anything left to free.
	 */
	pptp_alg_conn_release_all(pn);
	if (pn->ready) {
		/* Packets in flight may still be reading the table. */
		synchronize_rcu();
		pptp_alg_table_free(&pn->table);
		kfree(pn->hosts);
	}
	/*
	 * Without set-up there are no hooks; the helper's last packets were
	 * waited for by cleanup_net()'s grace period after pre_exit.
	 */
	free_percpu(pn->stats);
	WRITE_ONCE(pn->stats, NULL);
	mem_cgroup_put(pn->memcg);
}

static struct pernet_operations pptp_alg_net_ops = {
	.init	= pptp_alg_net_init,
	.exit	= pptp_alg_net_exit,
	.id	= &pptp_alg_net_id,
	.size	= sizeof(struct pptp_alg_net),
};

int pptp_alg_net_register(void)
{
	return register_pernet_subsys(&pptp_alg_net_ops);
}

void pptp_alg_net_unregister(void)
{
	unregister_pernet_subsys(&pptp_alg_net_ops);
}
