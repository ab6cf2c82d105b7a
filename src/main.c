// SPDX-License-Identifier: GPL-2.0
/*
 * nf_pptp_alg: PPTP through Linux NAT. Module init and exit only.
 */
#include <linux/module.h>

#include "nf_pptp_alg.h"

static int __init pptp_alg_init(void)
{
	int err;

	err = pptp_alg_params_check();
	if (err)
		return err;
	err = pptp_alg_mem_init();
	if (err)
		return err;
	err = pptp_alg_net_register();
	if (err)
		goto err_mem;
	err = pptp_alg_helper_register();
	if (err)
		goto err_net;
	return 0;

err_net:
	pptp_alg_net_unregister();
err_mem:
	pptp_alg_mem_exit();
	return err;
}

static void __exit pptp_alg_exit(void)
{
	pptp_alg_helper_unregister();
	pptp_alg_net_unregister();
	pptp_alg_mem_exit();
}

module_init(pptp_alg_init);
module_exit(pptp_alg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PPTP ALG: many calls per control connection, Call ID NAT, O(1) GRE map table");
MODULE_ALIAS("nfct-helper-" PPTP_ALG_NAME);
MODULE_AUTHOR("nf_pptp_alg developers");
MODULE_VERSION(NF_PPTP_ALG_VERSION);
