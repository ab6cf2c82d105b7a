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
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* PPTP_TYPES_H */
