// SPDX-License-Identifier: GPL-2.0
/*
 * The conntrack helper "pptp-alg": hands every segment of a TCP 1723
 * connection to the stream rewriter (src/pptp_rewrite.c), which follows
 * the PPTP control messages and rewrites Call IDs in place (same length,
 * so TCP sequence numbers never move). This file is the conntrack glue
 * only: the skb, the locks, the checksum and the helper's registration.
 */
#include <linux/ip.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/rcupdate.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_pptp_alg.h"

static struct nf_conntrack_helper pptp_alg_helpers[PPTP_ALG_MAX_PORTS];
static unsigned int pptp_alg_nhelpers;

/*
 * act_ct (tc "action ct nat ... helper") and Open vSwitch attach a helper to
 * a NATed conntrack only after nf_nat_helper_try_module_get() found a NAT
 * helper entry named like the helper's nat_mod_name ("ip_nat_pptp-alg"),
 * requesting that module when none is registered; the entry is also looked
 * up again when the action goes (nf_nat_helper_put(), which warns when it
 * is missing). An empty nat_mod_name would not skip any of this. This
 * module rewrites for NAT itself, so it registers the entry for itself:
 * the references act_ct or OVS take then pin this module.
 */
static struct nf_conntrack_nat_helper pptp_alg_nat_helper =
	NF_CT_NAT_HELPER_INIT(PPTP_ALG_NAME);

static const struct nf_conntrack_expect_policy pptp_alg_exp_policy = {
	.max_expected	= 0,
	.timeout	= 0,
};

static struct pptp_alg_conn *pptp_alg_conn_get(struct nf_conn *ct,
					       struct pptp_alg_net *pn)
{
	struct pptp_alg_conn **slot = nfct_help_data(ct);
	/* Pairs with the release in pptp_alg_conn_publish(). */
	struct pptp_alg_conn *conn = smp_load_acquire(slot);
	struct nf_conn *shadow;
	__be32 addr[2][2];
	__be16 port[2][2];
	int d, err;

	if (conn)
		return conn;
	if (!READ_ONCE(pn->ready)) {
		/* The netns's first control connection: set up, then retry. */
		pptp_alg_net_setup_queue(pn);
		pptp_alg_count(pn, PPTP_STAT_SETUP_WAIT);
		return NULL;
	}
	for (d = 0; d < 2; d++) {
		const struct nf_conntrack_tuple *t = &ct->tuplehash[d].tuple;

		addr[d][0] = t->src.u3.ip;
		addr[d][1] = t->dst.u3.ip;
		port[d][0] = t->src.u.tcp.port;
		port[d][1] = t->dst.u.tcp.port;
	}
	conn = pptp_alg_conn_new(pn, addr, port, nf_ct_zone(ct)->id);
	if (!conn)
		return NULL;
	shadow = pptp_alg_shadow_new(ct);
	if (!shadow) {
		pptp_alg_count(pn, PPTP_STAT_NOMEM);
		net_info_ratelimited("nf_pptp_alg: no conntrack for a control connection's GRE\n");
		pptp_alg_conn_free(conn);
		return NULL;
	}
	/* _bh: locally generated segments reach the helper with BHs on. */
	spin_lock_bh(&pn->lock);
	err = pptp_alg_conn_publish(conn, ct, shadow);
	spin_unlock_bh(&pn->lock);
	if (err) {
		/* Not the last reference to @ct: the packet holds one. */
		nf_ct_put(shadow);
		pptp_alg_conn_free(conn);
		/* Another CPU's conn, if it won: see the acquire above. */
		return smp_load_acquire(slot);
	}
	return conn;
}

static bool pptp_alg_ct_natted(const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[0].tuple;
	const struct nf_conntrack_tuple *r = &ct->tuplehash[1].tuple;

	return o->src.u3.ip != r->dst.u3.ip || o->dst.u3.ip != r->src.u3.ip;
}

static int pptp_alg_segment(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct pptp_alg_net *pn)
{
	struct pptp_rw_seg seg = { .side = CTINFO2DIR(ctinfo) };
	enum pptp_rw_verdict verdict;
	struct pptp_alg_conn *conn;
	const struct tcphdr *th;
	struct tcphdr _th, *wth;
	unsigned int dataoff;
	__wsum before = 0;
	bool changed;

	if (nf_ct_l3num(ct) != NFPROTO_IPV4 || ctinfo == IP_CT_RELATED ||
	    ctinfo == IP_CT_RELATED_REPLY)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	dataoff = protoff + th->doff * 4;
	seg.len = dataoff < skb->len ? skb->len - dataoff : 0;
	seg.seq = ntohl(th->seq);
	seg.ack = ntohl(th->ack_seq);
	seg.syn = th->syn;
	seg.fin = th->fin;
	seg.rst = th->rst;
	seg.has_ack = th->ack;

	conn = pptp_alg_conn_get(ct, pn);
	if (!conn) {
		/*
		 * Without state a NATed stream cannot be translated; and no
		 * SYN passes before the netns is set up, so that every
		 * connection is anchored (TCP sends the SYN again).
		 */
		if (seg.syn || (seg.len && pptp_alg_ct_natted(ct)))
			return NF_DROP;
		return NF_ACCEPT;
	}
	if (seg.len) {
		/* Writable before the rewriter reads: a drop later is too late. */
		if (skb_ensure_writable(skb, dataoff + seg.len)) {
			pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
			net_info_ratelimited("nf_pptp_alg: cannot write control segment, dropped\n");
			return NF_DROP;
		}
		seg.data = skb->data + dataoff;
		before = csum_partial(seg.data, seg.len, 0);
	}

	spin_lock_bh(&pn->lock);
	if (conn->dead || pn->dead) {
		spin_unlock_bh(&pn->lock);
		return NF_ACCEPT;
	}
	verdict = pptp_rw_segment(&conn->rw, &pptp_alg_rw_ops, conn, &seg,
				  &changed);
	spin_unlock_bh(&pn->lock);
	if (verdict == PPTP_RW_DROP)
		return NF_DROP;
	if (changed) {
		/* The payload starts at an even offset of the TCP header. */
		wth = (struct tcphdr *)(skb->data + protoff);
		inet_proto_csum_replace_by_diff(&wth->check, skb,
						csum_sub(csum_partial(seg.data,
								      seg.len,
								      0),
							 before),
						false, false);
	}
	return NF_ACCEPT;
}

/*
 * What this connection's segments allocate (its state, calls, stores,
 * Call-ID bitmaps) is charged to the memory cgroup of the netns, also
 * in softirq, where the kernel would otherwise charge no one.
 */
static int pptp_alg_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct pptp_alg_net *pn = pptp_alg_pernet(nf_ct_net(ct));
	struct mem_cgroup *old = set_active_memcg(pn->memcg);
	int verdict;

	verdict = pptp_alg_segment(skb, protoff, ct, ctinfo, pn);
	set_active_memcg(old);
	return verdict;
}

/*
 * Conntrack is going away: so are its calls and its state. Runs under
 * RCU (nf_ct_helper_destroy()), so @conn stays readable even if the
 * collector frees it meanwhile; whoever detaches it frees it.
 */
static void pptp_alg_destroy(struct nf_conn *ct)
{
	struct pptp_alg_conn **slot = nfct_help_data(ct);
	struct pptp_alg_conn *conn = READ_ONCE(*slot);
	struct nf_conn *put = NULL;
	struct pptp_alg_net *pn;

	if (!conn)
		return;
	pn = conn->pn;
	/* From our own conntrack lookup, pn->lock held: see calls.c. */
	if (pptp_alg_conn_defer(conn))
		return;
	spin_lock_bh(&pn->lock);
	if (cmpxchg(slot, conn, NULL) == conn) {
		put = pptp_alg_conn_destroy(conn);
		pptp_alg_conn_free_rcu(conn);
	}
	spin_unlock_bh(&pn->lock);
	/* Our reference; conntrack's caller still holds its own. */
	if (put)
		nf_ct_put(put);
}

/*
 * Names operators can rely on: the first port of ports= is "pptp-alg" (what
 * README and every example rule use), each further port "pptp-alg-<port>",
 * so a name says which port it serves whatever the order of the list.
 * nf_ct_helper_init() would call the helper "pptp-alg-<index>" as soon as
 * its port is not 1723, even alone in ports=.
 */
static void pptp_alg_helper_name(struct nf_conntrack_helper *h, unsigned int i)
{
	BUILD_BUG_ON(sizeof(PPTP_ALG_NAME "-65535") > NF_CT_HELPER_NAME_LEN);
	if (i == 0)
		snprintf(h->name, sizeof(h->name), "%s", PPTP_ALG_NAME);
	else
		snprintf(h->name, sizeof(h->name), "%s-%u", PPTP_ALG_NAME,
			 pptp_alg_ports[i]);
}

int pptp_alg_helper_register(void)
{
	unsigned int i;
	int err;

	BUILD_BUG_ON(sizeof(NF_NAT_HELPER_NAME(PPTP_ALG_NAME)) >
		     NF_CT_HELPER_NAME_LEN);
	/* Before the helpers: once a helper can be found, so can its NAT. */
	nf_nat_helper_register(&pptp_alg_nat_helper);
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
		pptp_alg_helper_name(h, i);
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
	nf_nat_helper_unregister(&pptp_alg_nat_helper);
	/*
	 * No reader may still walk the NAT entry when this module goes:
	 * nf_conntrack_helper_unregister() waits for them, else wait here.
	 */
	if (!pptp_alg_nhelpers)
		synchronize_rcu();
	while (pptp_alg_nhelpers)
		nf_conntrack_helper_unregister(&pptp_alg_helpers[--pptp_alg_nhelpers]);
}
