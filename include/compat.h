/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel-version differences are handled. Force-included
 * into every kernel object of this module by Kbuild, so no other file tests
 * LINUX_VERSION_CODE. Supported: Debian 12's 6.1 and 6.12 kernels.
 */
#ifndef NF_PPTP_ALG_COMPAT_H
#define NF_PPTP_ALG_COMPAT_H

#ifdef __KERNEL__
#include <linux/version.h>
#include <linux/timer.h>

/* timer_delete_sync() became the name in 6.2; 6.1 only has del_timer_sync(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define timer_delete_sync(t) del_timer_sync(t)
#endif

/* get_random_u16() arrived in 6.1 (and is in Debian's 6.1); keep a fallback. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define get_random_u16() ((u16)get_random_u32())
#endif

#endif /* __KERNEL__ */
#endif /* NF_PPTP_ALG_COMPAT_H */
