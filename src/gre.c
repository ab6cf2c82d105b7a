// SPDX-License-Identifier: GPL-2.0
/*
 * Enhanced-GRE (version 1) translation for live calls. Our own hooks,
 * not conntrack's GRE keymap: PRE_ROUTING finds the call by (source,
 * destination, Call ID) before conntrack sees the packet, rewrites the
 * destination and Call ID and marks the packet untracked, so conntrack
 * neither tracks nor NATs it; POST_ROUTING rewrites the source once the
 * route is chosen. Both lookups are RCU hash lookups: O(1), no lock.
 */
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
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
	u16 flags;

	gh = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(*buf), buf);
	if (!gh)
		return NULL;
	flags = ntohs(gh->flags);
	if ((flags & PPTP_GRE_VERSION_MASK) != 1)
		return NULL;
	if (ip_is_fragment(iph)) {
		pptp_alg_count(pn, PPTP_STAT_GRE_FRAGMENT);
		net_info_ratelimited("nf_pptp_alg: fragmented GRE from %pI4 left untranslated\n",
				     &iph->saddr);
		return NULL;
	}
	if (!(flags & PPTP_GRE_FLAG_K) ||
	    (flags & (PPTP_GRE_FLAG_C | PPTP_GRE_FLAG_R)) ||
	    ntohs(gh->protocol) != PPTP_GRE_PROTO_PPP) {
		pptp_alg_count(pn, PPTP_STAT_GRE_MALFORMED);
		net_info_ratelimited("nf_pptp_alg: malformed GRE v1 from %pI4\n",
				     &iph->saddr);
		return NULL;
	}
	return gh;
}

static unsigned int pptp_alg_gre_pre(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct pptp_alg_net *pn;
	const struct pptp_gre_hdr *gh;
	struct pptp_gre_hdr buf;
	struct pptp_alg_key key;
	struct pptp_alg_map *m;
	struct pptp_alg_call *call;
	struct iphdr *iph = ip_hdr(skb);
	struct nf_conntrack_zone ztmp;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *tmpl;
	unsigned long now;
	unsigned int need;
	u32 mark;

	if (iph->protocol != IPPROTO_GRE)
		return NF_ACCEPT;
	pn = pptp_alg_pernet(state->net);
	gh = pptp_alg_gre_header(skb, pn, &buf);
	if (!gh)
		return NF_ACCEPT;

	key.src = iph->saddr;
	key.dst = iph->daddr;
	key.id = ntohs(gh->call_id);
	/* A raw-table template (CT zone) says which zone's calls to look in. */
	tmpl = nf_ct_get(skb, &ctinfo);
	key.zone = nf_ct_zone_tmpl(tmpl, skb, &ztmp)->id;
	key.stage = PPTP_STAGE_PRE;
	m = pptp_alg_table_lookup(&pn->table, &key);
	/* A reservation (no call yet) is not a flow: its ID is not out. */
	if (!m || !m->call) {
		/*
		 * Not ours: conntrack and the ruleset decide. Counted only,
		 * no log line: a miss is no fault of ours, any host can
		 * send them at line rate, and the rate limiter's global lock
		 * was most of a miss's cost.
		 */
		pptp_alg_count(pn, PPTP_STAT_GRE_NO_CALL);
		return NF_ACCEPT;
	}

	need = ip_hdrlen(skb) + sizeof(struct pptp_gre_hdr);
	if (skb_ensure_writable(skb, need)) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write GRE packet, dropped\n");
		return NF_DROP;
	}
	iph = ip_hdr(skb);
	if (iph->daddr != m->new_addr) {
		csum_replace4(&iph->check, iph->daddr, m->new_addr);
		iph->daddr = m->new_addr;
	}
	if (m->new_id != key.id) {
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
	/* Keep conntrack (and its GRE NAT) away from a flow we translate. */
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

static unsigned int pptp_alg_gre_post(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct pptp_alg_net *pn;
	const struct pptp_gre_hdr *gh;
	struct pptp_gre_hdr buf;
	struct pptp_alg_key key;
	struct pptp_alg_map *m;
	struct iphdr *iph = ip_hdr(skb);
	enum ip_conntrack_info ctinfo;

	if (iph->protocol != IPPROTO_GRE)
		return NF_ACCEPT;
	/* Only packets our PRE_ROUTING hook claimed can need a new source. */
	if (nf_ct_get(skb, &ctinfo) || ctinfo != IP_CT_UNTRACKED)
		return NF_ACCEPT;
	gh = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(buf), &buf);
	if (!gh)
		return NF_ACCEPT;
	pn = pptp_alg_pernet(state->net);
	key.src = iph->saddr;
	key.dst = iph->daddr;
	key.id = ntohs(gh->call_id);
	key.zone = 0;	/* see pptp_alg_bind() */
	key.stage = PPTP_STAGE_POST;
	m = pptp_alg_table_lookup(&pn->table, &key);
	if (!m || !m->call)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, ip_hdrlen(skb))) {
		pptp_alg_count(pn, PPTP_STAT_UNWRITABLE);
		net_info_ratelimited("nf_pptp_alg: cannot write GRE packet, dropped\n");
		return NF_DROP;
	}
	iph = ip_hdr(skb);
	csum_replace4(&iph->check, iph->saddr, m->new_addr);
	iph->saddr = m->new_addr;
	return NF_ACCEPT;
}

const struct nf_hook_ops pptp_alg_gre_ops[2] = {
	{
		.hook		= pptp_alg_gre_pre,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		/* after defragmentation, before conntrack */
		.priority	= NF_IP_PRI_CONNTRACK - 10,
	},
	{
		.hook		= pptp_alg_gre_post,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		/* after conntrack's source NAT, which skips untracked */
		.priority	= NF_IP_PRI_NAT_SRC + 10,
	},
};
