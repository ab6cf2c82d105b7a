/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences. Kbuild force-includes it
 * into every kernel object of this module, so no other file needs version
 * tests. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * Almost everything the module uses has one spelling on both: the helper
 * API (nf_ct_helper_init(), the destroy callback), nf_register_net_hooks(),
 * proc_create_net*(), param_set_uint_minmax() and get_random_u16() are
 * present unchanged in 6.1 and 6.12; xfrm_decode_session() is not (below).
 * The GRE keymap API, whose signature changed inside stable series, is
 * deliberately not used. A future difference goes here, keyed on the API's
 * own feature macro where one exists and on LINUX_VERSION_CODE only where
 * none does.
 */
#ifndef NF_PPTP_ALG_COMPAT_H
#define NF_PPTP_ALG_COMPAT_H

#ifdef __KERNEL__
#include <linux/version.h>
#include <linux/slab.h>

/*
 * SLAB_NO_MERGE (6.4+) keeps our caches apart in /proc/slabinfo and
 * /sys/kernel/slab; 6.1 may merge them with others of the same size. The
 * module's own object counts (stats: objects_*) are exact on both.
 */
#ifdef SLAB_NO_MERGE
#define PPTP_ALG_SLAB_NO_MERGE	SLAB_NO_MERGE
#else
#define PPTP_ALG_SLAB_NO_MERGE	0
#endif

/*
 * xfrm_decode_session() gained its struct net argument in 6.8; no feature
 * macro tells the two apart.
 */
#ifdef CONFIG_XFRM
#include <linux/socket.h>
#include <net/xfrm.h>
static inline int pptp_alg_xfrm_decode(struct net *net, struct sk_buff *skb,
				       struct flowi *fl)
{
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
	return xfrm_decode_session(net, skb, fl, AF_INET);
#else
	return xfrm_decode_session(skb, fl, AF_INET);
#endif
}
#endif
#endif

#endif /* NF_PPTP_ALG_COMPAT_H */
