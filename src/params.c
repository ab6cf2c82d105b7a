// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters. Bounds are checked when a value is set, at load time
 * and through /sys/module/nf_pptp_alg/parameters/; those that size
 * structures (ports, hashsize) are read-only after load.
 */
#include <linux/moduleparam.h>

#include "nf_pptp_alg.h"

unsigned short pptp_alg_ports[PPTP_ALG_MAX_PORTS] = { 1723 };
unsigned int pptp_alg_nports;
module_param_array_named(ports, pptp_alg_ports, ushort, &pptp_alg_nports,
			 0444);
MODULE_PARM_DESC(ports, "TCP ports of PPTP control connections (default 1723, up to 8)");

unsigned int pptp_alg_max_calls = 64;
unsigned int pptp_alg_max_calls_net = 32768;
unsigned int pptp_alg_gre_timeout = 600;
unsigned int pptp_alg_gre_mark;
unsigned int pptp_alg_hashsize = 16384;
unsigned int pptp_alg_callid_probes = 4096;
unsigned int pptp_alg_max_pending = 64;
unsigned int pptp_alg_max_calls_host = 1024;
unsigned int pptp_alg_max_pending_host = 256;
unsigned int pptp_alg_max_calls_total = 262144;
unsigned int pptp_alg_pending_timeout = 60;
bool pptp_alg_gre_related = true;

struct pptp_alg_bounds {
	const unsigned int *var;
	unsigned int lo;
	unsigned int hi;
};

static const struct pptp_alg_bounds pptp_alg_bounds[] = {
	{ &pptp_alg_max_calls, 1, 65535 },
	{ &pptp_alg_max_calls_net, 1, 1048576 },
	{ &pptp_alg_gre_timeout, 10, 86400 },
	{ &pptp_alg_gre_mark, 0, 0xffffffff },
	{ &pptp_alg_hashsize, 256, 1048576 },
	{ &pptp_alg_callid_probes, 1, 65535 },
	{ &pptp_alg_max_pending, 1, 65535 },
	{ &pptp_alg_max_calls_host, 1, 1048576 },
	{ &pptp_alg_max_pending_host, 1, 1048576 },
	{ &pptp_alg_max_calls_total, 1, 16777216 },
	{ &pptp_alg_pending_timeout, 5, 3600 },
};

static int pptp_alg_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pptp_alg_bounds); i++) {
		const struct pptp_alg_bounds *b = &pptp_alg_bounds[i];

		if (b->var == kp->arg)
			return param_set_uint_minmax(val, kp, b->lo, b->hi);
	}
	return -EINVAL;
}

static const struct kernel_param_ops pptp_alg_uint_ops = {
	.set = pptp_alg_param_set,
	.get = param_get_uint,
};

module_param_cb(max_calls, &pptp_alg_uint_ops, &pptp_alg_max_calls, 0644);
MODULE_PARM_DESC(max_calls,
		 "Most calls tracked on one control connection [1..65535, default 64]");
module_param_cb(max_calls_net, &pptp_alg_uint_ops, &pptp_alg_max_calls_net,
		0644);
MODULE_PARM_DESC(max_calls_net,
		 "Most calls tracked in one network namespace [1..1048576, default 32768]");
module_param_cb(gre_timeout, &pptp_alg_uint_ops, &pptp_alg_gre_timeout, 0644);
MODULE_PARM_DESC(gre_timeout,
		 "Seconds a call may stay without GRE or set-up progress before it is dropped [10..86400, default 600]");
module_param_cb(gre_mark, &pptp_alg_uint_ops, &pptp_alg_gre_mark, 0644);
MODULE_PARM_DESC(gre_mark,
		 "Mark set on translated GRE packets so rulesets can accept them; 0 leaves the mark alone [default 0]");
module_param_named(gre_related, pptp_alg_gre_related, bool, 0644);
MODULE_PARM_DESC(gre_related,
		 "Show a call's GRE to the filter hooks as RELATED to its control connection (default Y); N leaves it untracked");
module_param_cb(hashsize, &pptp_alg_uint_ops, &pptp_alg_hashsize, 0444);
MODULE_PARM_DESC(hashsize,
		 "Buckets of each netns's call map table, rounded up to a power of two [256..1048576, default 16384]");
module_param_cb(callid_probes, &pptp_alg_uint_ops, &pptp_alg_callid_probes,
		0644);
MODULE_PARM_DESC(callid_probes,
		 "No effect since 0.2 (a new Call ID costs a bounded bitmap walk); kept so existing configurations load [1..65535]");

module_param_cb(max_pending, &pptp_alg_uint_ops, &pptp_alg_max_pending, 0644);
MODULE_PARM_DESC(max_pending,
		 "Most calls waiting for their reply on one control connection [1..65535, default 64]");
module_param_cb(max_calls_host, &pptp_alg_uint_ops, &pptp_alg_max_calls_host,
		0644);
MODULE_PARM_DESC(max_calls_host,
		 "Most calls of one originator address (the host opening the control connections), per netns [1..1048576, default 1024]");
module_param_cb(max_pending_host, &pptp_alg_uint_ops,
		&pptp_alg_max_pending_host, 0644);
MODULE_PARM_DESC(max_pending_host,
		 "Most calls of one originator address waiting for their reply, per netns [1..1048576, default 256]");
module_param_cb(max_calls_total, &pptp_alg_uint_ops, &pptp_alg_max_calls_total,
		0644);
MODULE_PARM_DESC(max_calls_total,
		 "Most calls in all network namespaces together [1..16777216, default 262144]");
module_param_cb(pending_timeout, &pptp_alg_uint_ops, &pptp_alg_pending_timeout,
		0644);
MODULE_PARM_DESC(pending_timeout,
		 "Seconds a call may wait for its reply before it is dropped [5..3600, default 60]");

int pptp_alg_params_check(void)
{
	unsigned int i;

	if (pptp_alg_nports == 0)
		pptp_alg_nports = 1;
	for (i = 0; i < pptp_alg_nports; i++)
		if (pptp_alg_ports[i] == 0)
			return -EINVAL;
	return 0;
}
