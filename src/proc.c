// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/nf_pptp_alg/{calls,stats}: the live map table and the
 * counters of the netns that reads them. Plain text, one record per line,
 * key=value fields, so operators need no tool of ours.
 */
#include <linux/proc_fs.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "nf_pptp_alg.h"

static const char *const pptp_alg_state_names[] = {
	[0]			= "?",
	[PPTP_RW_OUT_PENDING]	= "out-pending",
	[PPTP_RW_IN_PENDING]	= "in-pending",
	[PPTP_RW_IN_REPLIED]	= "in-replied",
	[PPTP_RW_ESTABLISHED]	= "established",
	[PPTP_RW_CLEARING]	= "clearing",
};

/*
 * The calls file walks the map table itself, bucket by bucket, under
 * rcu_read_lock() held from ->start to ->stop: no lock a writer or the GRE
 * path takes, and O(calls + buckets) per full read. Each call is shown
 * from one entry only, its primary one (pptp_alg_calls_primary()), so a
 * call with both sides bound is one line. A call is listed from its first
 * GRE flow's insertion until it is freed; one whose flows could not be
 * installed (the connection then fails closed) or not yet bound is not.
 *
 * seq_file stops and restarts the walk for every buffer it fills. A
 * restart resumes in the bucket it stopped in, counting from the bucket's
 * end: entries are added at a chain's head, so calls set up (and those
 * freed among the ones already shown) meanwhile move nothing. Only a call
 * freed in the rest of that bucket between two read()s can make one line
 * of it show twice; a table that does not change is listed exactly once.
 * Any other position (lseek, pread) is found by a walk from the start.
 */
struct pptp_alg_calls_iter {
	struct seq_net_private p;	/* first: seq_file_net() */
	unsigned int bucket;		/* bucket of the entry at @pos */
	unsigned int left;		/* entries from it to its bucket's end */
	loff_t pos;			/* position of the entry ->stop got */
	bool resumable;			/* @bucket and @left describe @pos */
};

static const struct pptp_alg_table *pptp_alg_calls_table(struct seq_file *seq)
{
	return &pptp_alg_pernet(seq_file_net(seq))->table;
}

/*
 * The entry a call is shown from: its PRE entry of the lowest arrival
 * side whose PRE entry is hashed. Reservations (no call) and POST entries
 * are never shown. @m itself counts as hashed: the reader found it.
 */
static bool pptp_alg_calls_primary(const struct pptp_alg_map *m)
{
	const struct pptp_alg_call *c = READ_ONCE(m->call);
	int side;

	if (!c || m->key.stage != PPTP_STAGE_PRE)
		return false;
	for (side = 0; side < 2; side++) {
		const struct pptp_alg_map *pre = &c->map[side][PPTP_STAGE_PRE];

		if (pre == m)
			return true;
		if (READ_ONCE(pre->hashed))
			return false;
	}
	return false;
}

/* The primary entry after @m in bucket @b (its first one if @m is NULL). */
static struct pptp_alg_map *
pptp_alg_calls_walk(const struct pptp_alg_table *t, unsigned int b,
		    const struct pptp_alg_map *m)
{
	struct hlist_node *n;

	n = m ? rcu_dereference(hlist_next_rcu(&m->node)) :
		rcu_dereference(hlist_first_rcu(&t->buckets[b]));
	for (; n; n = rcu_dereference(hlist_next_rcu(n))) {
		struct pptp_alg_map *e = hlist_entry(n, struct pptp_alg_map,
						     node);

		if (!pptp_alg_calls_primary(e))
			continue;
		/*
		 * A reservation is re-hashed without a grace period, so a
		 * reader standing on it can be led into another chain: the
		 * rest of that chain is not ours (it is listed with its own
		 * bucket).
		 */
		if (pptp_alg_table_bucket(t, &e->key) != b)
			return NULL;
		return e;
	}
	return NULL;
}

/* The first primary entry in bucket @b or after; sets it->bucket. */
static struct pptp_alg_map *
pptp_alg_calls_from(struct pptp_alg_calls_iter *it,
		    const struct pptp_alg_table *t, unsigned int b)
{
	struct pptp_alg_map *m;

	for (; b <= t->mask; b++) {
		m = pptp_alg_calls_walk(t, b, NULL);
		if (m) {
			it->bucket = b;
			return m;
		}
	}
	it->bucket = b;
	return NULL;
}

static struct pptp_alg_map *
pptp_alg_calls_step(struct pptp_alg_calls_iter *it,
		    const struct pptp_alg_table *t, const struct pptp_alg_map *m)
{
	struct pptp_alg_map *e = pptp_alg_calls_walk(t, it->bucket, m);

	return e ?: pptp_alg_calls_from(it, t, it->bucket + 1);
}

/* Where the last read stopped: it->left entries before its bucket's end. */
static struct pptp_alg_map *
pptp_alg_calls_resume(struct pptp_alg_calls_iter *it,
		      const struct pptp_alg_table *t)
{
	unsigned int b = it->bucket, n = 0;
	struct pptp_alg_map *m;

	if (b > t->mask)
		return NULL;
	for (m = pptp_alg_calls_walk(t, b, NULL); m;
	     m = pptp_alg_calls_walk(t, b, m))
		n++;
	m = pptp_alg_calls_walk(t, b, NULL);
	for (; m && n > it->left; n--)
		m = pptp_alg_calls_walk(t, b, m);
	return m ?: pptp_alg_calls_from(it, t, b + 1);
}

static void *pptp_alg_calls_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct pptp_alg_calls_iter *it = seq->private;
	const struct pptp_alg_table *t = pptp_alg_calls_table(seq);
	struct pptp_alg_map *m;
	loff_t i;

	rcu_read_lock();
	/* No table before the netns's first control connection set it up. */
	if (!smp_load_acquire(&pptp_alg_pernet(seq_file_net(seq))->ready))
		return NULL;
	if (*pos && *pos == it->pos && it->resumable) {
		m = pptp_alg_calls_resume(it, t);
	} else {
		m = pptp_alg_calls_from(it, t, 0);
		for (i = 0; m && i < *pos; i++)
			m = pptp_alg_calls_step(it, t, m);
	}
	it->pos = *pos;
	return m;
}

static void *pptp_alg_calls_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct pptp_alg_calls_iter *it = seq->private;

	it->pos = ++*pos;
	return pptp_alg_calls_step(it, pptp_alg_calls_table(seq), v);
}

static void pptp_alg_calls_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	struct pptp_alg_calls_iter *it = seq->private;
	const struct pptp_alg_table *t = pptp_alg_calls_table(seq);
	const struct pptp_alg_map *m;

	/* @v, not shown yet, is where the next read starts. */
	it->left = 0;
	for (m = v; m; m = pptp_alg_calls_walk(t, it->bucket, m))
		it->left++;
	it->resumable = true;
	rcu_read_unlock();
}

/*
 * Calls and connections are freed after a grace period, so @v's call and
 * its connection stay readable here. The connection's addresses and the
 * call's creation time never change; IDs, state and counters change under
 * pn->lock or per packet: each is read once, and a line taken while the
 * call changes may mix its old and new values.
 */
static int pptp_alg_calls_show(struct seq_file *seq, void *v)
{
	const struct pptp_alg_map *m = v;
	const struct pptp_alg_call *c = READ_ONCE(m->call);
	const struct pptp_alg_conn *cn = c->conn;
	const struct pptp_rw_call *r = &c->rw;
	unsigned long now = jiffies;
	int pns = READ_ONCE(r->pns_side) ? PPTP_SIDE_REPLY : PPTP_SIDE_ORIG;
	int pac = !pns;
	u8 state = READ_ONCE(r->state);

	seq_printf(seq,
		   "orig=%pI4:%u->%pI4:%u reply=%pI4:%u->%pI4:%u pns=%s state=%s",
		   &cn->addr[0][0], ntohs(cn->port[0][0]),
		   &cn->addr[0][1], ntohs(cn->port[0][1]),
		   &cn->addr[1][0], ntohs(cn->port[1][0]),
		   &cn->addr[1][1], ntohs(cn->port[1][1]),
		   pns == PPTP_SIDE_ORIG ? "orig" : "reply",
		   state < ARRAY_SIZE(pptp_alg_state_names) ?
		   pptp_alg_state_names[state] : "?");
	/*
	 * IDs as "value on the PNS's side/value on the PAC's side"; "-"
	 * while the PAC's ID is not known yet (0 is a valid ID).
	 */
	seq_printf(seq, " pns_id=%u/%u", READ_ONCE(r->id[pns][PPTP_RW_PNS]),
		   READ_ONCE(r->id[pac][PPTP_RW_PNS]));
	if (READ_ONCE(r->known) & PPTP_RW_KNOWN(pac, PPTP_RW_PAC))
		seq_printf(seq, " pac_id=%u/%u",
			   READ_ONCE(r->id[pns][PPTP_RW_PAC]),
			   READ_ONCE(r->id[pac][PPTP_RW_PAC]));
	else
		seq_puts(seq, " pac_id=-");
	seq_printf(seq,
		   " age=%u idle=%u gre_from_pns=%lld/%lld gre_from_pac=%lld/%lld\n",
		   jiffies_to_msecs(now - c->created) / 1000,
		   jiffies_to_msecs(now - READ_ONCE(c->last_seen)) / 1000,
		   (long long)atomic64_read(&c->pkts[pns]),
		   (long long)atomic64_read(&c->bytes[pns]),
		   (long long)atomic64_read(&c->pkts[pac]),
		   (long long)atomic64_read(&c->bytes[pac]));
	return 0;
}

static const struct seq_operations pptp_alg_calls_ops = {
	.start	= pptp_alg_calls_start,
	.next	= pptp_alg_calls_next,
	.stop	= pptp_alg_calls_stop,
	.show	= pptp_alg_calls_show,
};

static int pptp_alg_stats_show(struct seq_file *seq, void *v)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(seq_file_single_net(seq));
	unsigned int i;
	bool ready;

	seq_printf(seq, "calls_live %u\n", READ_ONCE(pn->ncalls));
	seq_printf(seq, "calls_pending %u\n", READ_ONCE(pn->npending));
	seq_printf(seq, "conns_live %u\n", READ_ONCE(pn->nconns));
	/* Pairs with set-up's release: the table exists once @ready does. */
	ready = smp_load_acquire(&pn->ready);
	seq_printf(seq, "netns_ready %u\n", ready ? 1 : 0);
	seq_printf(seq, "map_buckets %u\n", ready ? pn->table.mask + 1 : 0);
	/* Module-wide: objects not yet back in their caches. */
	seq_printf(seq, "objects_calls %d\n", atomic_read(&pptp_alg_objects[0]));
	seq_printf(seq, "objects_conns %d\n", atomic_read(&pptp_alg_objects[1]));
	for (i = 0; i < PPTP_STAT_MAX; i++)
		seq_printf(seq, "%s %llu\n", pptp_alg_stat_name(i),
			   (unsigned long long)pptp_alg_stat_read(pn, i));
	return 0;
}

int pptp_alg_proc_init(struct pptp_alg_net *pn)
{
	struct net *net = pn->net;

	pn->proc_dir = proc_net_mkdir(net, "nf_pptp_alg", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net("calls", 0400, pn->proc_dir, &pptp_alg_calls_ops,
			     sizeof(struct pptp_alg_calls_iter)))
		goto err;
	if (!proc_create_net_single("stats", 0444, pn->proc_dir,
				    pptp_alg_stats_show, NULL))
		goto err;
	return 0;
err:
	remove_proc_subtree("nf_pptp_alg", net->proc_net);
	return -ENOMEM;
}

void pptp_alg_proc_exit(struct pptp_alg_net *pn)
{
	remove_proc_subtree("nf_pptp_alg", pn->net->proc_net);
}
