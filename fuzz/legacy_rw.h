/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user-space model of the Call ID rewriting the module did before
 * src/pptp_rewrite.c (commit 0c1846d, src/helper.c: pptp_alg_help and
 * what it calls), behind the rewriter's segment API, so that
 * fuzz/fuzz_rewrite.c can drive it (scripts/fuzz.sh legacy).
 */
#ifndef LEGACY_RW_H
#define LEGACY_RW_H

#include "pptp_rewrite.h"

#define LEGACY_LOG_LEN	4

struct legacy_rewrite {
	u32 seq;		/* sequence number of the field's first byte */
	u8 old[2];
	u8 new[2];
	bool used;
};

struct legacy_dir {
	struct pptp_stream stream;
	u32 next_seq;
	bool seq_valid;		/* anchored on the first data segment */
	bool dead;		/* abandoned: not parsed any more */
	struct legacy_rewrite log[LEGACY_LOG_LEN];
	unsigned int log_next;
};

struct legacy_rw {
	struct legacy_dir dir[2];
	struct pptp_rw_call *calls;
	bool natted[2];
};

void legacy_rw_init(struct legacy_rw *rw, bool natted_orig,
		    bool natted_reply);
enum pptp_rw_verdict legacy_rw_segment(struct legacy_rw *rw,
				       const struct pptp_rw_ops *ops,
				       void *ctx, const struct pptp_rw_seg *seg,
				       bool *changed);
void legacy_rw_destroy(struct legacy_rw *rw, const struct pptp_rw_ops *ops,
		       void *ctx);

#endif /* LEGACY_RW_H */
