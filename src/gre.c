// SPDX-License-Identifier: GPL-2.0
/*
 * Enhanced-GRE (version 1) translation for live calls, and the ICMP errors
 * that quote such packets. Our own hooks, not conntrack's GRE keymap:
 *
 *  PRE_ROUTING, before conntrack: find the call by (source, destination,
 *	Call ID), rewrite the destination and Call ID, mark the packet
 *	untracked so conntrack neither tracks nor NATs it.
 *  PRE_ROUTING, after destination NAT: attach the control connection's
 *	shadow conntrack (calls.c) as RELATED (gre_related), so the filter
 *	hooks see what mainline's helper shows them: ct state related, ct
 *	helper "pptp-alg". NAT never sees it attached.
 *  LOCAL_OUT, before destination NAT: ICMP errors this host sends about
 *	a packet it forwards.
 *  POST_ROUTING and LOCAL_IN, before source NAT: detach it again (so
 *	neither NAT, nor confirmation, nor the helper ever gets the packet
 *	with it), then rewrite the source.
 *
 * ICMP errors quoting a translated packet get the same treatment, with the
 * quoted packet turned back into what its sender sent. All lookups are
 * RCU hash lookups: O(1), no lock.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "nf_pptp_alg.h"

#define PPTP_GRE_PROTO_PPP	0x880B
#define PPTP_GRE_FLAG_C		0x8000
#define PPTP_GRE_FLAG_R		0x4000
#define PPTP_GRE_FLAG_K		0x2000
#define PPTP_GRE_VERSION_MASK	0x0007

/* Enhanced GRE header up to and including the key (RFC 2637 4.1). */
struct pptp_gre_hdr {
	__be16 flags;
	__be16 protocol;
	__be16 payload_len;
	__be16 call_id;
};

static bool pptp_alg_gre_wellformed(const struct pptp_gre_hdr *gh)
{
	u16 flags = ntohs(gh->flags);

	return (flags & PPTP_GRE_FLAG_K) &&
	       !(flags & (PPTP_GRE_FLAG_C | PPTP_GRE_FLAG_R)) &&
	       ntohs(gh->protocol) == PPTP_GRE_PROTO_PPP;
}

/*
 * Returns the header if this is a well-formed PPTP GRE packet, NULL if it
 * is not GRE version 1 at all (left alone, not counted) or is malformed.
 */
static const struct pptp_gre_hdr *
pptp_alg_gre_header(struct sk_buff *skb, struct pptp_alg_net *pn,
		    struct pptp_gre_hdr *buf)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct pptp_gre_hdr *gh;

	gh = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(*buf), buf);
	if (!gh)
		return NULL;
	if ((ntohs(gh->flags) & PPTP_GRE_VERSION_MASK) != 1)
		return NULL;
	if (ip_is_fragment(iph)) {
		pptp_alg_count(pn, PPTP_STAT_GRE_FRAGMENT);
		net_info_ratelimited("nf_pptp_alg: fragmented GRE from %pI4 left untranslated\n",
				     &iph->saddr);
		return NULL;
	}
	if (!pptp_alg_gre_wellformed(gh)) {
		pptp_alg_count(pn, PPTP_STAT_GRE_MALFORMED);
		net_info_ratelimited("nf_pptp_alg: malformed GRE v1 from %pI4\n",
				     &iph->saddr);
		return NULL;
	}
	return gh;
}

/* An ICMP error and the PPTP GRE packet it quotes. */
struct pptp_alg_icmp {
	unsigned int inner;	/* offset of the quoted IP header */
	unsigned int gre;	/* offset of the quoted GRE header */
	struct iphdr iph;
	struct pptp_gre_hdr gh;
};

/*
 * True when @skb is an unfragmented ICMP error (unreachable, time
 * exceeded, parameter problem) quoting the first fragment of a well-formed
 * PPTP GRE packet; every read is bounded by the packet.
 */
static bool pptp_alg_icmp_parse(const struct sk_buff *skb,
				struct pptp_alg_icmp *q)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct icmphdr ich_buf;
	const struct icmphdr *ich;
	const struct iphdr *in;
	const struct pptp_gre_hdr *gh;

	if (iph->protocol != IPPROTO_ICMP || ip_is_fragment(iph))
		return false;
	ich = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(ich_buf),
				 &ich_buf);
	if (!ich || (ich->type != ICMP_DEST_UNREACH &&
		     ich->type != ICMP_TIME_EXCEEDED &&
		     ich->type != ICMP_PARAMETERPROB))
		return false;
	q->inner = ip_hdrlen(skb) + sizeof(*ich);
	in = skb_header_pointer(skb, q->inner, sizeof(q->iph), &q->iph);
	if (!in || in->version != 4 || in->ihl < 5 ||
	    in->protocol != IPPROTO_GRE || (in->frag_off & htons(IP_OFFSET)))
		return false;
	if (in != &q->iph)
		q->iph = *in;
	q->gre = q->inner + q->iph.ihl * 4;
	gh = skb_header_pointer(skb, q->gre, sizeof(q->gh), &q->gh);
	if (!gh || (ntohs(gh->flags) & PPTP_GRE_VERSION_MASK) != 1 ||
	    !pptp_alg_gre_wellformed(gh))
		return false;
	if (gh != &q->gh)
		q->gh = *gh;
	return true;
}

static struct pptp_alg_map *pptp_alg_find(struct pptp_alg_net *pn,
					  __be32 src, __be32 dst, u16 id,
					  u16 zone, u8 stage)
{
	struct pptp_alg_key key = {
		.src = src, .dst = dst, .id = id, .zone = zone, .stage = stage,
	};
	struct pptp_alg_map *m = pptp_alg_table_lookup(&pn->table, &key);

	/* A reservation (no call yet) is not a flow: its ID is not out. */
	return m && m->call ? m : NULL;
}

/*
 * A GRE packet our first hook translated, by its half-translated form
 * (new destination and Call ID, old source): stage POST, zone 0.
 */
static struct pptp_alg_map *pptp_alg_find_half(struct pptp_alg_net *pn,
					       const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct pptp_gre_hdr *gh;
	struct pptp_gre_hdr buf;

	gh = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(buf), &buf);
	if (!gh)
		return NULL;
	return pptp_alg_find(pn, iph->saddr, iph->daddr, ntohs(gh->call_id), 0,
			     PPTP_STAGE_POST);
}

/* Keep conntrack (and its NAT) away from a packet we translate. */
static void pptp_alg_untrack(struct sk_buff *skb)
{
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

/*
 * The packet carries a shadow conntrack of ours (calls.c), attached by us:
 * its master is a control connection our helper serves (we register no
 * expectations, so no other conntrack of ours has a master).
 */
static struct nf_conn *pptp_alg_attached(const struct sk_buff *skb,
					 enum ip_conntrack_info *ctinfo)
{
	struct nf_conn *ct = nf_ct_get(skb, ctinfo);
	const struct nf_conntrack_helper *helper;
	const struct nf_conn_help *help;

	if (!ct || !ct->master ||
	    (*ctinfo != IP_CT_RELATED && *ctinfo != IP_CT_RELATED_REPLY) ||
	    nf_ct_protonum(ct->master) != IPPROTO_TCP)
		return NULL;
	help = nfct_help(ct->master);
	helper = help ? rcu_dereference(help->helper) : NULL;
	return helper && helper->me == THIS_MODULE ? ct : NULL;
}

/*
 * Attach the shadow conntrack of @call's control connection as RELATED,
 * in the direction of @side (the ORIGINAL side's packets are RELATED, the
 * other side's RELATED_REPLY, as for the connection's own packets). The
 * connection's reference keeps the shadow alive while conn->shadow is
 * set; conntracks are SLAB_TYPESAFE_BY_RCU, so a reference taken on a
 * freed and reused one is seen by conn->shadow having changed meanwhile,
 * and given back.
 */
static void pptp_alg_relate(struct pptp_alg_net *pn, struct sk_buff *skb,
			    const struct pptp_alg_call *call, int side)
{
	struct pptp_alg_conn *conn = READ_ONCE(call->conn);
	struct nf_conn *sh = READ_ONCE(conn->shadow);

	if (!sh || !refcount_inc_not_zero(&sh->ct_general.use))
		goto fail;
	/* Read conn->shadow again only after our reference is visible. */
	smp_mb__after_atomic();
	if (READ_ONCE(conn->shadow) != sh || nf_ct_is_dying(sh->master)) {
		nf_ct_put(sh);
		goto fail;
	}
	nf_reset_ct(skb);
	nf_ct_set(skb, sh, side == PPTP_SIDE_ORIG ? IP_CT_RELATED :
						    IP_CT_RELATED_REPLY);
	pptp_alg_count(pn, PPTP_STAT_GRE_RELATED);
	return;
fail:
	/* Its connection is going: the packet stays untracked. */
	pptp_alg_count(pn, PPTP_STAT_RELATE_FAILED);
}

/*
 * Write the quoted packet's addresses and Call ID and fix both checksums
 * (the quoted IP header's and the ICMP message's, recomputed: the quote
 * may be cut anywhere after the GRE key).
 */
static int pptp_alg_icmp_rewrite(struct sk_buff *skb,
				 const struct pptp_alg_icmp *q,
				 __be32 src, __be32 dst, u16 id)
{
	unsigned int ihl = ip_hdrlen(skb);
	struct icmphdr *ich;
	struct iphdr *in;
	struct pptp_gre_hdr *gh;

	if (skb_ensure_writable(skb, q->gre + sizeof(*gh)))
		return -ENOMEM;
	in = (void *)skb->data + q->inner;
	gh = (void *)skb->data + q->gre;
	in->saddr = src;
	in->daddr = dst;
	in->check = 0;
	in->check = ip_fast_csum(in, in->ihl);
	gh->call_id = htons(id);
	ich = (void *)skb->data + ihl;
	ich->checksum = 0;
	ich->checksum = csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0));
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

static void pptp_alg_set_daddr(struct sk_buff *skb, __be32 addr)
{
	struct iphdr *iph = ip_hdr(skb);

	if (iph->daddr == addr)
		return;
	csum_replace4(&iph->check, iph->daddr, addr);
	iph->daddr = addr;
	/* A route looked up for the old destination must not be used. */
	skb_dst_drop(skb);
}

static unsigned int pptp_alg_gre_pre(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct pptp_alg_net *pn;
	const struct pptp_gre_hdr *gh;
	struct pptp_gre_hdr buf;
	struct pptp_alg_map *m;
	struct pptp_alg_call *call;
	struct iphdr *iph = ip_hdr(skb);
	struct nf_conntrack_zone ztmp;
	enum ip_conntrack_info ctinfo;
	struct pptp_alg_icmp q;
	unsigned long now;
	u16 zone, id;
	u32 mark;

	if (iph->protocol != IPPROTO_GRE && iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	pn = pptp_alg_pernet(state->net);
	/*
	 * No calls, nothing to translate: no parsing, lookup or count. A
	 * call that is being set up or removed meanwhile is no different
	 * from one that comes or goes a packet later.
	 */
	if (!READ_ONCE(pn->ncalls))
		return NF_ACCEPT;
	if (iph->protocol != IPPROTO_GRE) {
		if (!pptp_alg_icmp_parse(skb, &q))
			return NF_ACCEPT;
		/* Ours once it quotes a packet we sent: translated after NAT. */
		if (pptp_alg_find(pn, q.iph.saddr, q.iph.daddr,
				  ntohs(q.gh.call_id), 0, PPTP_STAGE_ICMP))
			pptp_alg_untrack(skb);
		return NF_ACCEPT;
	}
	gh = pptp_alg_gre_header(skb, pn, &buf);
	if (!gh)
		return NF_ACCEPT;

	/* @gh may point into the skb: gone once it is made writable. */
	id = ntohs(gh->call_id);
	/* A raw-table template (CT zone) says which zone's calls to look in. */
	zone = nf_ct_zone_tmpl(nf_ct_get(skb, &ctinfo), skb, &ztmp)->id;
	m = pptp_alg_find(pn, iph->saddr, iph->daddr, id, zone, PPTP_STAGE_PRE);
	if (!m) {
		/*
		 * Not ours: conntrack and the ruleset decide. Counted only,
		 * no log line: a miss is no fault of ours, any host can
		 * send them at line rate, and the rate limiter's global lock
		 * was most of a miss's cost.
		 */
		pptp_alg_count(pn, PPTP_STAT_GRE_NO_CALL);
		return NF_ACCEPT;
	}

	if (skb_ensure_writable(skb, ip_hdrlen(skb) + sizeof(*gh))) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write GRE packet, dropped\n");
		return NF_DROP;
	}
	pptp_alg_set_daddr(skb, m->new_addr);
	if (m->new_id != id) {
		struct pptp_gre_hdr *wh = (void *)(skb->data + ip_hdrlen(skb));

		wh->call_id = htons(m->new_id);
	}

	pptp_alg_count(pn, PPTP_STAT_GRE_TRANSLATED);
	call = m->call;
	atomic64_inc(&call->pkts[m->side]);
	atomic64_add(skb->len, &call->bytes[m->side]);
	now = jiffies;
	/* Skip the store (and the cache-line write) within one tick. */
	if (READ_ONCE(call->last_seen) != now)
		WRITE_ONCE(call->last_seen, now);

	mark = READ_ONCE(pptp_alg_gre_mark);
	if (mark)
		skb->mark = mark;
	pptp_alg_untrack(skb);
	return NF_ACCEPT;
}

/*
 * After destination NAT. A GRE packet we translated is found by its
 * half-translated form (stage POST) and related to its control connection.
 * An ICMP error quoting a packet we sent is turned into one about the
 * packet its receiver sent, and sent to that host.
 */
static unsigned int pptp_alg_gre_relate(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	enum ip_conntrack_info ctinfo;
	struct pptp_alg_net *pn;
	const struct pptp_alg_map *m, *pre;
	struct pptp_alg_icmp q;

	if (iph->protocol != IPPROTO_GRE && iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	/* Only what our first hook marked can be ours. */
	if (nf_ct_get(skb, &ctinfo) || ctinfo != IP_CT_UNTRACKED)
		return NF_ACCEPT;
	pn = pptp_alg_pernet(state->net);

	if (iph->protocol == IPPROTO_GRE) {
		if (!READ_ONCE(pptp_alg_gre_related))
			return NF_ACCEPT;
		m = pptp_alg_find_half(pn, skb);
		if (m)
			pptp_alg_relate(pn, skb, m->call, m->side);
		return NF_ACCEPT;
	}

	if (!pptp_alg_icmp_parse(skb, &q))
		return NF_ACCEPT;
	m = pptp_alg_find(pn, q.iph.saddr, q.iph.daddr, ntohs(q.gh.call_id), 0,
			  PPTP_STAGE_ICMP);
	if (!m)
		return NF_ACCEPT;
	/* What the sender on side t sent: its call's PRE key. */
	pre = &m->call->map[m->side][PPTP_STAGE_PRE];
	if (pptp_alg_icmp_rewrite(skb, &q, pre->key.src, pre->key.dst,
				  pre->key.id)) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write ICMP error, dropped\n");
		return NF_DROP;
	}
	pptp_alg_set_daddr(skb, pre->key.src);
	pptp_alg_count(pn, PPTP_STAT_ICMP_TRANSLATED);
	/* It travels towards side t: the reverse of that side's packets. */
	if (READ_ONCE(pptp_alg_gre_related))
		pptp_alg_relate(pn, skb, m->call, !m->side);
	return NF_ACCEPT;
}

#ifdef CONFIG_XFRM
/*
 * The source changed after routing: what IPsec policy applies may have
 * changed with it. Route again through the policy lookup, as conntrack's
 * source NAT does for the packets it rewrites.
 */
static int pptp_alg_xfrm_reroute(struct net *net, struct sk_buff *skb)
{
	struct dst_entry *dst, *route;
	struct flowi fl;
	int err;

	if (IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED)
		return 0;
	err = pptp_alg_xfrm_decode(net, skb, &fl);
	if (err < 0)
		return err;
	route = skb_dst(skb);
	if (!route)
		return 0;
	if (route->xfrm)
		route = ((struct xfrm_dst *)route)->route;
	if (!dst_hold_safe(route))
		return -EHOSTUNREACH;
	dst = xfrm_lookup(net, route, &fl, NULL, 0);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	if (skb_headroom(skb) < dst->dev->hard_header_len &&
	    pskb_expand_head(skb, dst->dev->hard_header_len -
			     skb_headroom(skb), 0, GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}
#else
static int pptp_alg_xfrm_reroute(struct net *net, struct sk_buff *skb)
{
	return 0;
}
#endif

static unsigned int pptp_alg_set_saddr(struct pptp_alg_net *pn,
				       struct sk_buff *skb, __be32 addr,
				       const struct nf_hook_state *state)
{
	struct iphdr *iph = ip_hdr(skb);

	if (iph->saddr == addr)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, ip_hdrlen(skb))) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write GRE packet, dropped\n");
		return NF_DROP;
	}
	iph = ip_hdr(skb);
	csum_replace4(&iph->check, iph->saddr, addr);
	iph->saddr = addr;
	if (pptp_alg_xfrm_reroute(state->net, skb)) {
		pptp_alg_count(pn, PPTP_STAT_XFRM_DROP);
		net_info_ratelimited("nf_pptp_alg: no IPsec route for translated GRE to %pI4, dropped\n",
				     &iph->daddr);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/* The quoted packet of an ICMP error is GRE: read its protocol byte. */
static bool pptp_alg_quotes_gre(const struct sk_buff *skb)
{
	u8 proto_buf;
	const u8 *proto;

	proto = skb_header_pointer(skb, ip_hdrlen(skb) + sizeof(struct icmphdr) +
				   offsetof(struct iphdr, protocol),
				   sizeof(proto_buf), &proto_buf);
	return proto && *proto == IPPROTO_GRE;
}

/*
 * Before source NAT, on the way out (POST_ROUTING) or in (LOCAL_IN): take
 * off the conntrack we attached (conntrack's ICMP errors about the control
 * connection itself carry it too and are left alone). Returns true when
 * the packet is one of ours, now untracked.
 */
static bool pptp_alg_detach(struct sk_buff *skb, struct nf_conn **owner)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = pptp_alg_attached(skb, &ctinfo);
	const struct iphdr *iph = ip_hdr(skb);

	if (!ct)
		return false;
	if (iph->protocol != IPPROTO_GRE &&
	    (iph->protocol != IPPROTO_ICMP || !pptp_alg_quotes_gre(skb)))
		return false;
	if (owner)
		*owner = ct;
	else
		pptp_alg_untrack(skb);
	return true;
}

static unsigned int pptp_alg_gre_post(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct iphdr *iph = ip_hdr(skb);
	struct pptp_alg_net *pn;
	const struct pptp_alg_map *m;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = NULL;
	struct pptp_alg_icmp q;
	u16 zone = 0;

	if (iph->protocol != IPPROTO_GRE && iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	if (pptp_alg_detach(skb, &ct)) {
		const struct pptp_alg_conn **slot = nfct_help_data(ct->master);
		const struct pptp_alg_conn *conn = READ_ONCE(*slot);

		/* Freed with its state after a grace period; we are in one. */
		if (conn)
			zone = conn->zone;
		pptp_alg_untrack(skb);
	} else if (nf_ct_get(skb, &ctinfo) || ctinfo != IP_CT_UNTRACKED) {
		/* Only packets our PRE_ROUTING hooks claimed. */
		return NF_ACCEPT;
	}
	pn = pptp_alg_pernet(state->net);

	if (iph->protocol == IPPROTO_GRE) {
		m = pptp_alg_find_half(pn, skb);
		if (m)
			return pptp_alg_set_saddr(pn, skb, m->new_addr, state);
		if (!ct)
			return NF_ACCEPT;
		/*
		 * Related after destination NAT by this very entry, freed
		 * since: its source may not leave untranslated (fail closed).
		 */
		pptp_alg_count(pn, PPTP_STAT_RELATE_FAILED);
		return NF_DROP;
	}

	/*
	 * An ICMP error we turned around quotes its receiver's own packet.
	 * Its source is translated when that receiver knows the far peer by
	 * another address, as conntrack's NAT does for ICMP errors.
	 */
	if (!pptp_alg_icmp_parse(skb, &q))
		return NF_ACCEPT;
	m = pptp_alg_find(pn, q.iph.saddr, q.iph.daddr, ntohs(q.gh.call_id),
			  zone, PPTP_STAGE_PRE);
	if (!m || m->key.dst == m->new_addr)
		return NF_ACCEPT;
	return pptp_alg_set_saddr(pn, skb, m->key.dst, state);
}

static unsigned int pptp_alg_gre_in(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	pptp_alg_detach(skb, NULL);
	return NF_ACCEPT;
}

/*
 * Before destination NAT on LOCAL_OUT: an ICMP error this host sends
 * about a GRE packet it was forwarding (fragmentation needed, time
 * exceeded) quotes the packet half translated and carries our conntrack
 * (icmp_send() attaches it), which conntrack's NAT would apply to the
 * quote as if it were TCP. Quote what the sender sent instead, untracked.
 */
static unsigned int pptp_alg_gre_local(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	enum ip_conntrack_info ctinfo;
	const struct pptp_alg_map *m, *pre;
	struct pptp_alg_net *pn;
	struct pptp_alg_icmp q;

	if (iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	if (!pptp_alg_attached(skb, &ctinfo) && nf_ct_get(skb, &ctinfo))
		return NF_ACCEPT;
	if (!pptp_alg_icmp_parse(skb, &q))
		return NF_ACCEPT;
	pn = pptp_alg_pernet(state->net);
	m = pptp_alg_find(pn, q.iph.saddr, q.iph.daddr, ntohs(q.gh.call_id), 0,
			  PPTP_STAGE_POST);
	if (!m)
		return NF_ACCEPT;
	pre = &m->call->map[m->side][PPTP_STAGE_PRE];
	if (pptp_alg_icmp_rewrite(skb, &q, q.iph.saddr, pre->key.dst,
				  pre->key.id)) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write ICMP error, dropped\n");
		return NF_DROP;
	}
	pptp_alg_untrack(skb);
	pptp_alg_count(pn, PPTP_STAT_ICMP_LOCAL);
	return NF_ACCEPT;
}

const struct nf_hook_ops pptp_alg_gre_ops[5] = {
	{
		.hook		= pptp_alg_gre_pre,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		/* after defragmentation, before conntrack */
		.priority	= NF_IP_PRI_CONNTRACK - 10,
	},
	{
		.hook		= pptp_alg_gre_relate,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		/* after destination NAT, before any filter */
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook		= pptp_alg_gre_local,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		/* after conntrack, before destination NAT */
		.priority	= NF_IP_PRI_NAT_DST - 1,
	},
	{
		.hook		= pptp_alg_gre_post,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		/* after the filters, before source NAT and confirmation */
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
	{
		.hook		= pptp_alg_gre_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		/* after the filters, before source NAT and confirmation */
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
};
