/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer types for the pure PPTP code, which builds both in the kernel and
 * in user space (fuzzing, unit tools). Nothing here may pull in skb, locks
 * or printk.
 */
#ifndef PPTP_TYPES_H
#define PPTP_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
#endif

#endif /* PPTP_TYPES_H */
