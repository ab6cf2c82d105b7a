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

#define PPTP_ALG_UINT_PARAM(name, var, def, lo, hi, perm, desc)		\
	unsigned int var = def;						\
	static int var##_set(const char *val, const struct kernel_param *kp) \
	{								\
		return param_set_uint_minmax(val, kp, lo, hi);		\
	}								\
	static const struct kernel_param_ops var##_ops = {		\
		.set = var##_set,					\
		.get = param_get_uint,					\
	};								\
	module_param_cb(name, &var##_ops, &var, perm);			\
	MODULE_PARM_DESC(name, desc " [" #lo ".." #hi ", default " #def "]")

PPTP_ALG_UINT_PARAM(max_calls, pptp_alg_max_calls, 64, 1, 65535, 0644,
		    "Most calls tracked on one control connection");
PPTP_ALG_UINT_PARAM(max_calls_net, pptp_alg_max_calls_net, 32768, 1, 1048576,
		    0644, "Most calls tracked in one network namespace");
PPTP_ALG_UINT_PARAM(gre_timeout, pptp_alg_gre_timeout, 600, 10, 86400, 0644,
		    "Seconds a call may stay without GRE or set-up progress before it is dropped");
PPTP_ALG_UINT_PARAM(gre_mark, pptp_alg_gre_mark, 0, 0, 0xffffffff, 0644,
		    "Mark set on translated GRE packets so rulesets can accept them (0: leave mark alone)");
PPTP_ALG_UINT_PARAM(hashsize, pptp_alg_hashsize, 16384, 256, 1048576, 0444,
		    "Buckets of each netns's call map table (rounded up to a power of two)");
PPTP_ALG_UINT_PARAM(callid_probes, pptp_alg_callid_probes, 4096, 1, 65535,
		    0644, "Most Call IDs tried when choosing a translated ID");

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
