// SPDX-License-Identifier: GPL-2.0
/*
 * Slab caches for calls and control connections. Dedicated caches keep
 * each object at its own size instead of the next kmalloc bucket (both
 * would land in kmalloc-512), which is most of the module's memory per
 * call. Objects are freed through call_rcu() rather than kfree_rcu(), so
 * the rcu_barrier() in exit really waits for every free before the caches
 * are destroyed, on 6.1 as on 6.12.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "nf_pptp_alg.h"

/* Calls in every netns: the module-wide cap (max_calls_total). */
atomic_t pptp_alg_calls_total = ATOMIC_INIT(0);
/*
 * Objects allocated and not yet given back to their cache (after the RCU
 * grace period): what the tests compare with the starting value, exact
 * even where the kernel merged our caches with others.
 */
atomic_t pptp_alg_objects[2] = { ATOMIC_INIT(0), ATOMIC_INIT(0) };

static struct kmem_cache *pptp_alg_call_cache __read_mostly;
static struct kmem_cache *pptp_alg_conn_cache __read_mostly;

struct pptp_alg_call *pptp_alg_call_alloc(void)
{
	struct pptp_alg_call *call;

	call = kmem_cache_zalloc(pptp_alg_call_cache, GFP_ATOMIC);
	if (call)
		atomic_inc(&pptp_alg_objects[0]);
	return call;
}

static void pptp_alg_call_free_cb(struct rcu_head *head)
{
	kmem_cache_free(pptp_alg_call_cache,
			container_of(head, struct pptp_alg_call, rcu));
	atomic_dec(&pptp_alg_objects[0]);
}

void pptp_alg_call_free_rcu(struct pptp_alg_call *call)
{
	call_rcu(&call->rcu, pptp_alg_call_free_cb);
}

struct pptp_alg_conn *pptp_alg_conn_alloc(void)
{
	struct pptp_alg_conn *conn;

	conn = kmem_cache_zalloc(pptp_alg_conn_cache, GFP_ATOMIC);
	if (conn)
		atomic_inc(&pptp_alg_objects[1]);
	return conn;
}

/* For a connection never published to readers. */
void pptp_alg_conn_free(struct pptp_alg_conn *conn)
{
	kmem_cache_free(pptp_alg_conn_cache, conn);
	atomic_dec(&pptp_alg_objects[1]);
}

static void pptp_alg_conn_free_cb(struct rcu_head *head)
{
	kmem_cache_free(pptp_alg_conn_cache,
			container_of(head, struct pptp_alg_conn, rcu));
	atomic_dec(&pptp_alg_objects[1]);
}

void pptp_alg_conn_free_rcu(struct pptp_alg_conn *conn)
{
	call_rcu(&conn->rcu, pptp_alg_conn_free_cb);
}

int pptp_alg_mem_init(void)
{
	pptp_alg_call_cache = KMEM_CACHE(pptp_alg_call,
					 SLAB_ACCOUNT | PPTP_ALG_SLAB_NO_MERGE);
	if (!pptp_alg_call_cache)
		return -ENOMEM;
	pptp_alg_conn_cache = KMEM_CACHE(pptp_alg_conn,
					 SLAB_ACCOUNT | PPTP_ALG_SLAB_NO_MERGE);
	if (!pptp_alg_conn_cache)
		goto err_call;
	return 0;

err_call:
	kmem_cache_destroy(pptp_alg_call_cache);
	return -ENOMEM;
}

void pptp_alg_mem_exit(void)
{
	/* Every call_rcu() free above has run once this returns. */
	rcu_barrier();
	kmem_cache_destroy(pptp_alg_conn_cache);
	kmem_cache_destroy(pptp_alg_call_cache);
}
