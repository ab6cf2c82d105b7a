// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/nf_pptp_alg/{calls,stats}: the live map table and the
 * counters of the netns that reads them. Plain text, one record per line,
 * key=value fields, so operators need no tool of ours.
 */
#include <linux/proc_fs.h>
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

static void *pptp_alg_calls_start(struct seq_file *seq, loff_t *pos)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(seq_file_net(seq));

	spin_lock_bh(&pn->lock);
	return seq_list_start(&pn->calls, *pos);
}

static void *pptp_alg_calls_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(seq_file_net(seq));

	return seq_list_next(v, &pn->calls, pos);
}

static void pptp_alg_calls_stop(struct seq_file *seq, void *v)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(seq_file_net(seq));

	spin_unlock_bh(&pn->lock);
}

static int pptp_alg_calls_show(struct seq_file *seq, void *v)
{
	struct pptp_alg_call *c = list_entry(v, struct pptp_alg_call, net_node);
	struct pptp_alg_conn *cn = c->conn;
	unsigned long now = jiffies;
	const struct pptp_rw_call *r = &c->rw;
	int pns = r->pns_side, pac = !r->pns_side;

	seq_printf(seq,
		   "orig=%pI4:%u->%pI4:%u reply=%pI4:%u->%pI4:%u pns=%s state=%s",
		   &cn->addr[0][0], ntohs(cn->port[0][0]),
		   &cn->addr[0][1], ntohs(cn->port[0][1]),
		   &cn->addr[1][0], ntohs(cn->port[1][0]),
		   &cn->addr[1][1], ntohs(cn->port[1][1]),
		   pns == PPTP_SIDE_ORIG ? "orig" : "reply",
		   r->state < ARRAY_SIZE(pptp_alg_state_names) ?
		   pptp_alg_state_names[r->state] : "?");
	/*
	 * IDs as "value on the PNS's side/value on the PAC's side"; "-"
	 * while the PAC's ID is not known yet (0 is a valid ID).
	 */
	seq_printf(seq, " pns_id=%u/%u", r->id[pns][PPTP_RW_PNS],
		   r->id[pac][PPTP_RW_PNS]);
	if (r->known & PPTP_RW_KNOWN(pac, PPTP_RW_PAC))
		seq_printf(seq, " pac_id=%u/%u", r->id[pns][PPTP_RW_PAC],
			   r->id[pac][PPTP_RW_PAC]);
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

	seq_printf(seq, "calls_live %u\n", READ_ONCE(pn->ncalls));
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
			     sizeof(struct seq_net_private)))
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
