// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns counters: their names (as /proc/net/nf_pptp_alg/stats shows
 * them), the increment and the sum. Meanings and the rejection policy are
 * in README. Each CPU counts into its own copy, so the GRE path of many
 * calls on many CPUs never bounces one cache line; a read sums the copies.
 */
#include <linux/percpu.h>

#include "nf_pptp_alg.h"

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
	[PPTP_STAT_STORE_FULL]		= "store_full",
	[PPTP_STAT_MIDSTREAM]		= "midstream",
	[PPTP_STAT_FAILED_CLOSED]	= "failed_closed",
	[PPTP_STAT_CLOSED_DROP]		= "closed_drop",
	[PPTP_STAT_SPLIT_FIELD]		= "split_field",
	[PPTP_STAT_REFUSED]		= "refused",
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
	[PPTP_STAT_PENDING_TIMEOUT]	= "pending_timeout",
	[PPTP_STAT_CONN_PENDING_FULL]	= "conn_pending_full",
	[PPTP_STAT_HOST_CALLS_FULL]	= "host_calls_full",
	[PPTP_STAT_HOST_PENDING_FULL]	= "host_pending_full",
	[PPTP_STAT_TOTAL_CALLS_FULL]	= "total_calls_full",
	[PPTP_STAT_ORPHANS]		= "orphans",
	[PPTP_STAT_SETUP_WAIT]		= "setup_wait",
	[PPTP_STAT_GRE_TRANSLATED]	= "gre_translated",
	[PPTP_STAT_GRE_NO_CALL]		= "gre_no_call",
	[PPTP_STAT_GRE_MALFORMED]	= "gre_malformed",
	[PPTP_STAT_GRE_FRAGMENT]	= "gre_fragment",
	[PPTP_STAT_CALLS_FREED_CDN]	= "calls_freed_cdn",
	[PPTP_STAT_CALLS_FREED_STOP]	= "calls_freed_stop",
	[PPTP_STAT_CALLS_FREED_FIN]	= "calls_freed_fin",
	[PPTP_STAT_CALLS_FREED_TEARDOWN] = "calls_freed_teardown",
	[PPTP_STAT_GRE_RELATED]		= "gre_related",
	[PPTP_STAT_RELATE_FAILED]	= "relate_failed",
	[PPTP_STAT_ICMP_TRANSLATED]	= "icmp_translated",
	[PPTP_STAT_ICMP_LOCAL]		= "icmp_local",
	[PPTP_STAT_XFRM_DROP]		= "xfrm_drop",
	[PPTP_STAT_MAINLINE_SKIP]	= "mainline_skip",
	[PPTP_STAT_DESTROY_DEFERRED]	= "destroy_deferred",
};

const char *pptp_alg_stat_name(enum pptp_alg_stat s)
{
	return s < PPTP_STAT_MAX ? pptp_alg_stat_names[s] : "?";
}

/*
 * From any context: this_cpu_inc() is one instruction on x86 and safe
 * against preemption and interrupts everywhere, so process context with
 * BHs on (locally sent segments) and softirq cannot lose an increment.
 */
void pptp_alg_count(struct pptp_alg_net *pn, enum pptp_alg_stat s)
{
	struct pptp_alg_stats __percpu *st = READ_ONCE(pn->stats);

	/*
	 * NULL only once our netns exit freed them, after which nothing of
	 * ours runs in that netns; kept as a guard, it costs one branch.
	 */
	if (likely(st))
		this_cpu_inc(st->cnt[s]);
}

/*
 * Not a snapshot: increments on other CPUs land while we add. Each copy
 * only grows, so the sum is never below what was counted before the read.
 */
u64 pptp_alg_stat_read(const struct pptp_alg_net *pn, enum pptp_alg_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(pn->stats, cpu)->cnt[s]);
	return sum;
}
