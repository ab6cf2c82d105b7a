// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nf_pptp_alg_msg: the PPTP control-message stream parser
 * (src/pptp_msg.c) and its small helpers.
 *
 * Regression cases: every input with which the user-space fuzzer
 * (fuzz/fuzz_stream.c, run by scripts/fuzz.sh) found a crash, a sanitizer
 * report or a broken invariant becomes an entry of msg_regress_cases[] in
 * this file: the bytes of the one direction that triggered it and the
 * outcome a correct parser gives, checked both fed whole and fed one byte
 * at a time.
 *
 * Every chunk is handed to the parser in a buffer of its own exact size,
 * so that KASAN reports any read beyond the chunk.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pptp_msg.h"

#define MSG_MAX_LEN	220	/* Incoming-Call-Request, the longest type */
#define MSG_REC_MAX	32

/* Lengths from RFC 2637 section 2, restated here on purpose. */
static const u16 msg_rfc_len[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_START_CTRL_REQ]		= 156,
	[PPTP_START_CTRL_REPLY]		= 156,
	[PPTP_STOP_CTRL_REQ]		= 16,
	[PPTP_STOP_CTRL_REPLY]		= 16,
	[PPTP_ECHO_REQ]			= 16,
	[PPTP_ECHO_REPLY]		= 20,
	[PPTP_OUT_CALL_REQ]		= 168,
	[PPTP_OUT_CALL_REPLY]		= 32,
	[PPTP_IN_CALL_REQ]		= 220,
	[PPTP_IN_CALL_REPLY]		= 24,
	[PPTP_IN_CALL_CONNECTED]	= 28,
	[PPTP_CALL_CLEAR_REQ]		= 16,
	[PPTP_CALL_DISCONNECT_NOTIFY]	= 148,
	[PPTP_WAN_ERROR_NOTIFY]		= 40,
	[PPTP_SET_LINK_INFO]		= 24,
};

static size_t msg_want(u16 len)
{
	return min_t(size_t, len, PPTP_PEEK_LEN);
}

static void msg_put32(u8 *p, u32 v)
{
	pptp_put16(p, (u16)(v >> 16));
	pptp_put16(p + 2, (u16)v);
}

/* A 12-byte header with every field chosen by the caller. */
static void msg_put_header(u8 *p, u16 len, u16 msg_type, u32 cookie,
			   u16 ctrl_type)
{
	pptp_put16(p, len);
	pptp_put16(p + 2, msg_type);
	msg_put32(p + 4, cookie);
	pptp_put16(p + 8, ctrl_type);
	pptp_put16(p + 10, 0);
}

/* A valid message of @type; the body bytes differ from type to type. */
static size_t msg_build(u8 *p, u16 type)
{
	u16 len = msg_rfc_len[type];
	size_t i;

	msg_put_header(p, len, PPTP_MSG_CONTROL, PPTP_MAGIC_COOKIE, type);
	for (i = PPTP_HDR_LEN; i < len; i++)
		p[i] = (u8)(type * 29 + i * 7 + 1);
	return len;
}

/* ------------------------------------------------------------------ */
/* Chunked feeding and the invariants every reported message must meet */

struct msg_rec {
	u16 type;
	u16 len;
	s64 abs;	/* offset of byte 0 in the whole direction */
	s64 start;	/* as reported, relative to the completing chunk */
};

struct msg_run {
	const u8 *s;		/* the whole direction */
	size_t total;
	struct pptp_stream st;
	struct msg_rec rec[MSG_REC_MAX];
	unsigned int nrec;
	bool err;		/* PPTP_FEED_ERR was returned */
	const char *bad;	/* first broken invariant, NULL if none */
	size_t bad_at;
};

static void msg_run_init(struct msg_run *r, const u8 *s, size_t total)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->total = total;
	pptp_stream_init(&r->st);
}

static bool msg_run_bad(struct msg_run *r, const char *why, size_t at)
{
	if (!r->bad) {
		r->bad = why;
		r->bad_at = at;
	}
	return false;
}

/* Feed s[off, off + n) as one chunk, in a buffer of exactly n bytes. */
static bool msg_run_chunk(struct msg_run *r, size_t off, size_t n)
{
	u8 *chunk = kmemdup(r->s + off, n, GFP_KERNEL);
	size_t pos = 0;
	bool ok = true;

	if (!chunk)
		return msg_run_bad(r, "out of memory", off);

	while (ok && pos < n) {
		struct pptp_msg msg;
		size_t before = pos;
		enum pptp_feed f;
		size_t want;
		s64 abs;

		memset(&msg, 0xa5, sizeof(msg));
		f = pptp_stream_feed(&r->st, chunk, n, &pos, &msg);
		if (pos > n || pos <= before) {
			ok = msg_run_bad(r, "position did not advance", off);
			break;
		}
		if (f == PPTP_FEED_ERR) {
			r->err = true;
			if (pos != n)
				ok = msg_run_bad(r, "error left bytes", off);
			break;
		}
		if (f == PPTP_FEED_MORE) {
			if (pos != n)
				ok = msg_run_bad(r, "MORE left bytes", off);
			break;
		}
		if (f != PPTP_FEED_MSG) {
			ok = msg_run_bad(r, "unknown feed result", off);
			break;
		}
		want = msg_want(msg.len);
		abs = (s64)off + msg.start;
		if (msg.start + (s64)want != (s64)pos)
			ok = msg_run_bad(r, "peek window not ending at pos",
					 off + pos);
		else if (msg.start <= -(s64)want)
			ok = msg_run_bad(r, "no byte in this chunk", off + pos);
		else if (abs < 0 || abs + want > r->total)
			ok = msg_run_bad(r, "start out of range", off + pos);
		else if (memcmp(msg.peek, r->s + abs, want))
			ok = msg_run_bad(r, "peek differs", off + pos);
		else if (want < PPTP_PEEK_LEN &&
			 memchr_inv(msg.peek + want, 0, PPTP_PEEK_LEN - want))
			ok = msg_run_bad(r, "peek tail not zeroed", off + pos);
		else if (r->nrec == MSG_REC_MAX)
			ok = msg_run_bad(r, "too many messages", off + pos);
		if (!ok)
			break;
		r->rec[r->nrec].type = msg.type;
		r->rec[r->nrec].len = msg.len;
		r->rec[r->nrec].abs = abs;
		r->rec[r->nrec].start = msg.start;
		r->nrec++;
	}
	kfree(chunk);
	return ok;
}

/* ------------------------------------------------------------------ */
/* One valid message of each type */

struct msg_type_case {
	u16 type;
};

static const struct msg_type_case msg_type_cases[] = {
	{ PPTP_START_CTRL_REQ }, { PPTP_START_CTRL_REPLY },
	{ PPTP_STOP_CTRL_REQ }, { PPTP_STOP_CTRL_REPLY },
	{ PPTP_ECHO_REQ }, { PPTP_ECHO_REPLY },
	{ PPTP_OUT_CALL_REQ }, { PPTP_OUT_CALL_REPLY },
	{ PPTP_IN_CALL_REQ }, { PPTP_IN_CALL_REPLY },
	{ PPTP_IN_CALL_CONNECTED }, { PPTP_CALL_CLEAR_REQ },
	{ PPTP_CALL_DISCONNECT_NOTIFY }, { PPTP_WAN_ERROR_NOTIFY },
	{ PPTP_SET_LINK_INFO },
};

static void msg_type_desc(const struct msg_type_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "type %u (%s)", c->type,
		 pptp_ctrl_name(c->type));
}

KUNIT_ARRAY_PARAM(msg_type, msg_type_cases, msg_type_desc);

static void msg_valid_type_test(struct kunit *test)
{
	const struct msg_type_case *c = test->param_value;
	u16 len = msg_rfc_len[c->type];
	size_t want = msg_want(len);
	struct pptp_stream st;
	struct pptp_msg msg;
	size_t pos = 0;
	size_t i;
	u8 *buf;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	msg_build(buf, c->type);
	KUNIT_EXPECT_EQ(test, pptp_msg_length(c->type), len);

	pptp_stream_init(&st);
	memset(&msg, 0xa5, sizeof(msg));
	KUNIT_ASSERT_EQ(test, pptp_stream_feed(&st, buf, len, &pos, &msg),
			PPTP_FEED_MSG);
	KUNIT_EXPECT_EQ(test, msg.type, c->type);
	KUNIT_EXPECT_EQ(test, msg.len, len);
	KUNIT_EXPECT_EQ(test, msg.start, 0);
	/* The parser stops right after the byte completing the window. */
	KUNIT_EXPECT_EQ(test, pos, want);
	KUNIT_EXPECT_MEMEQ(test, msg.peek, buf, want);
	for (i = want; i < PPTP_PEEK_LEN; i++)
		KUNIT_EXPECT_EQ(test, msg.peek[i], 0);

	/* The rest of the message is skipped without another report. */
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf, len, &pos, &msg),
			PPTP_FEED_MORE);
	KUNIT_EXPECT_EQ(test, pos, len);
	KUNIT_EXPECT_EQ(test, st.err, PPTP_OK);

	/* The stream is in step: the same message again is reported. */
	pos = 0;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf, len, &pos, &msg),
			PPTP_FEED_MSG);
	KUNIT_EXPECT_EQ(test, msg.type, c->type);
	KUNIT_EXPECT_EQ(test, msg.start, 0);
}

/*
 * The Length rule, for every type: below the type's fixed size breaks the
 * stream; the fixed size and anything longer is accepted (mainline's
 * helper accepts longer messages, and every field we use lies in the
 * fixed part).
 */
static void msg_length_rule_test(struct kunit *test)
{
	const struct msg_type_case *c = test->param_value;
	u16 len = msg_rfc_len[c->type];
	const u16 named[] = {
		0, 1, PPTP_HDR_LEN - 1, PPTP_HDR_LEN, len - 1, len, len + 1,
		len * 2, 0x8000 | len, 0xffff,
	};
	unsigned int wrong = 0;
	u8 hdr[PPTP_HDR_LEN];
	u32 l;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(named); i++) {
		bool ok = named[i] >= len;
		struct pptp_stream st;
		struct pptp_msg msg;
		size_t pos = 0;

		msg_put_header(hdr, named[i], PPTP_MSG_CONTROL,
			       PPTP_MAGIC_COOKIE, c->type);
		pptp_stream_init(&st);
		KUNIT_EXPECT_EQ_MSG(test,
				    pptp_stream_feed(&st, hdr, sizeof(hdr),
						     &pos, &msg),
				    ok ? PPTP_FEED_MORE : PPTP_FEED_ERR,
				    "Length %u", named[i]);
		KUNIT_EXPECT_EQ_MSG(test, st.err,
				    ok ? PPTP_OK : PPTP_ERR_LENGTH,
				    "Length %u", named[i]);
		KUNIT_EXPECT_EQ_MSG(test, st.len, ok ? named[i] : 0,
				    "Length %u", named[i]);
		KUNIT_EXPECT_EQ(test, pos, sizeof(hdr));
	}

	for (l = 0; l <= 0xffff; l++) {
		enum pptp_err want = l < len ? PPTP_ERR_LENGTH : PPTP_OK;
		u16 got = 0xbeef;
		enum pptp_err e;

		msg_put_header(hdr, (u16)l, PPTP_MSG_CONTROL,
			       PPTP_MAGIC_COOKIE, c->type);
		e = pptp_msg_check_header(hdr, &got);
		if (e != want || got != (want ? 0xbeef : l)) {
			if (!wrong)
				KUNIT_FAIL(test, "Length %u: %u, len %u", l,
					   (unsigned int)e, got);
			wrong++;
		}
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
}

/*
 * A message longer than its type's fixed size, then an Echo-Request: the
 * parser skips the extra bytes and finds the next message, cut anywhere.
 */
static void msg_longer_test(struct kunit *test)
{
	const struct msg_type_case *c = test->param_value;
	const u16 extras[] = { 1, 7, 100 };
	struct msg_run *r;
	size_t i, k;
	u8 *buf;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	buf = kunit_kzalloc(test, MSG_MAX_LEN + 100 + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(extras); i++) {
		u16 len = msg_rfc_len[c->type] + extras[i];
		size_t total;

		msg_build(buf, c->type);
		memset(buf + msg_rfc_len[c->type], 0x1a, extras[i]);
		pptp_put16(buf, len);
		total = len + msg_build(buf + len, PPTP_ECHO_REQ);
		for (k = 0; k <= total; k++) {
			msg_run_init(r, buf, total);
			if (msg_run_chunk(r, 0, k))
				msg_run_chunk(r, k, total - k);
			if (r->bad || r->err || r->nrec != 2 ||
			    r->rec[0].type != c->type || r->rec[0].len != len ||
			    r->rec[0].abs != 0 ||
			    r->rec[1].type != PPTP_ECHO_REQ ||
			    r->rec[1].abs != len) {
				KUNIT_FAIL(test,
					   "extra %u cut %zu: %s err %d, %u messages",
					   extras[i], k, r->bad ? r->bad : "",
					   r->err, r->nrec);
				return;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Broken headers */

struct msg_hdr_case {
	const char *name;
	u16 len;
	u16 msg_type;
	u32 cookie;
	u16 ctrl_type;
	u8 err;
};

static const struct msg_hdr_case msg_hdr_cases[] = {
	{ "cookie 0", 16, 1, 0, PPTP_ECHO_REQ, PPTP_ERR_COOKIE },
	{ "cookie byte-swapped", 16, 1, 0x4d3c2b1a, PPTP_ECHO_REQ,
	  PPTP_ERR_COOKIE },
	{ "cookie off by one bit", 16, 1, PPTP_MAGIC_COOKIE ^ 1,
	  PPTP_ECHO_REQ, PPTP_ERR_COOKIE },
	{ "cookie all ones", 16, 1, 0xffffffff, PPTP_ECHO_REQ,
	  PPTP_ERR_COOKIE },
	{ "message type 2 (management)", 16, 2, PPTP_MAGIC_COOKIE,
	  PPTP_ECHO_REQ, PPTP_ERR_MSG_TYPE },
	{ "message type 0", 16, 0, PPTP_MAGIC_COOKIE, PPTP_ECHO_REQ,
	  PPTP_ERR_MSG_TYPE },
	{ "message type 0x0100", 16, 0x0100, PPTP_MAGIC_COOKIE,
	  PPTP_ECHO_REQ, PPTP_ERR_MSG_TYPE },
	{ "message type 0xffff", 16, 0xffff, PPTP_MAGIC_COOKIE,
	  PPTP_ECHO_REQ, PPTP_ERR_MSG_TYPE },
	{ "control type 0", 16, 1, PPTP_MAGIC_COOKIE, 0,
	  PPTP_ERR_CTRL_TYPE },
	{ "control type 16", 16, 1, PPTP_MAGIC_COOKIE, 16,
	  PPTP_ERR_CTRL_TYPE },
	{ "control type 0x0100", 16, 1, PPTP_MAGIC_COOKIE, 0x0100,
	  PPTP_ERR_CTRL_TYPE },
	{ "control type 0xffff", 16, 1, PPTP_MAGIC_COOKIE, 0xffff,
	  PPTP_ERR_CTRL_TYPE },
	{ "Echo-Request with Length 15", 15, 1, PPTP_MAGIC_COOKIE,
	  PPTP_ECHO_REQ, PPTP_ERR_LENGTH },
	{ "Outgoing-Call-Reply with Length 31", 31, 1, PPTP_MAGIC_COOKIE,
	  PPTP_OUT_CALL_REPLY, PPTP_ERR_LENGTH },
	{ "Incoming-Call-Request with Length 16", 16, 1, PPTP_MAGIC_COOKIE,
	  PPTP_IN_CALL_REQ, PPTP_ERR_LENGTH },
};

static void msg_hdr_desc(const struct msg_hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(msg_hdr, msg_hdr_cases, msg_hdr_desc);

static void msg_bad_header_test(struct kunit *test)
{
	const struct msg_hdr_case *c = test->param_value;
	u8 buf[PPTP_HDR_LEN + 8] = { 0 };
	u8 good[MSG_MAX_LEN];
	struct pptp_stream st;
	struct pptp_msg msg;
	size_t glen, pos;

	msg_put_header(buf, c->len, c->msg_type, c->cookie, c->ctrl_type);
	pptp_stream_init(&st);

	/* Nothing is judged before the header is complete. */
	pos = 0;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf, PPTP_HDR_LEN - 1,
					       &pos, &msg), PPTP_FEED_MORE);
	KUNIT_EXPECT_EQ(test, pos, PPTP_HDR_LEN - 1);
	KUNIT_EXPECT_EQ(test, st.err, PPTP_OK);

	/* Its last byte breaks the stream; the whole chunk is consumed. */
	pos = PPTP_HDR_LEN - 1;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf, sizeof(buf), &pos,
					       &msg), PPTP_FEED_ERR);
	KUNIT_EXPECT_EQ(test, pos, sizeof(buf));
	KUNIT_EXPECT_EQ(test, st.err, c->err);

	/* Sticky: a valid message afterwards is not parsed. */
	glen = msg_build(good, PPTP_OUT_CALL_REPLY);
	pos = 0;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, good, glen, &pos, &msg),
			PPTP_FEED_ERR);
	KUNIT_EXPECT_EQ(test, pos, glen);
	KUNIT_EXPECT_EQ(test, st.err, c->err);

	/* pptp_stream_init() repairs it. */
	pptp_stream_init(&st);
	pos = 0;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, good, glen, &pos, &msg),
			PPTP_FEED_MSG);
	KUNIT_EXPECT_EQ(test, msg.type, PPTP_OUT_CALL_REPLY);
}

/* ------------------------------------------------------------------ */
/* Several coalesced messages, cut up in every way */

static const u16 msg_stream_types[] = {
	PPTP_START_CTRL_REQ, PPTP_ECHO_REQ, PPTP_OUT_CALL_REPLY,
	PPTP_ECHO_REPLY, PPTP_IN_CALL_CONNECTED, PPTP_STOP_CTRL_REQ,
	PPTP_SET_LINK_INFO, PPTP_CALL_DISCONNECT_NOTIFY, PPTP_CALL_CLEAR_REQ,
	PPTP_IN_CALL_REQ, PPTP_WAN_ERROR_NOTIFY, PPTP_START_CTRL_REPLY,
	PPTP_OUT_CALL_REQ, PPTP_IN_CALL_REPLY, PPTP_STOP_CTRL_REPLY,
	PPTP_ECHO_REQ,
};

#define MSG_NSTREAM ARRAY_SIZE(msg_stream_types)

struct msg_stream {
	u8 *buf;
	size_t total;
	s64 abs[MSG_NSTREAM];
};

static void msg_stream_build(struct kunit *test, struct msg_stream *ms)
{
	size_t i, off = 0;

	ms->total = 0;
	for (i = 0; i < MSG_NSTREAM; i++)
		ms->total += msg_rfc_len[msg_stream_types[i]];
	ms->buf = kunit_kzalloc(test, ms->total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ms->buf);
	for (i = 0; i < MSG_NSTREAM; i++) {
		ms->abs[i] = off;
		off += msg_build(ms->buf + off, msg_stream_types[i]);
	}
}

/* Compare a run with the expected messages; report the first mismatch. */
static bool msg_stream_check(struct kunit *test, const struct msg_stream *ms,
			     const struct msg_run *r, const char *how,
			     size_t arg)
{
	size_t i;

	if (r->bad) {
		KUNIT_FAIL(test, "%s %zu: %s at byte %zu", how, arg, r->bad,
			   r->bad_at);
		return false;
	}
	if (r->err) {
		KUNIT_FAIL(test, "%s %zu: stream reported broken", how, arg);
		return false;
	}
	if (r->nrec != MSG_NSTREAM) {
		KUNIT_FAIL(test, "%s %zu: %u messages, expected %zu", how, arg,
			   r->nrec, MSG_NSTREAM);
		return false;
	}
	for (i = 0; i < MSG_NSTREAM; i++) {
		u16 type = msg_stream_types[i];

		if (r->rec[i].type != type ||
		    r->rec[i].len != msg_rfc_len[type] ||
		    r->rec[i].abs != ms->abs[i]) {
			KUNIT_FAIL(test,
				   "%s %zu: message %zu is type %u len %u at %lld, expected type %u len %u at %lld",
				   how, arg, i, r->rec[i].type, r->rec[i].len,
				   (long long)r->rec[i].abs, type,
				   msg_rfc_len[type], (long long)ms->abs[i]);
			return false;
		}
	}
	return true;
}

static void msg_stream_whole_test(struct kunit *test)
{
	struct msg_stream ms;
	struct msg_run *r;
	size_t i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	msg_stream_build(test, &ms);
	msg_run_init(r, ms.buf, ms.total);
	msg_run_chunk(r, 0, ms.total);
	KUNIT_EXPECT_TRUE(test, msg_stream_check(test, &ms, r, "whole", 0));
	/* One chunk: start is the message's offset in it. */
	for (i = 0; i < r->nrec; i++)
		KUNIT_EXPECT_EQ(test, r->rec[i].start, ms.abs[i]);
}

static void msg_stream_split_test(struct kunit *test)
{
	struct msg_stream ms;
	struct msg_run *r;
	size_t k, i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	msg_stream_build(test, &ms);

	for (k = 0; k <= ms.total; k++) {
		msg_run_init(r, ms.buf, ms.total);
		if (msg_run_chunk(r, 0, k))
			msg_run_chunk(r, k, ms.total - k);
		if (!msg_stream_check(test, &ms, r, "split at", k))
			return;
		/*
		 * A message whose window completed in the second chunk has
		 * a start relative to that chunk: negative when it began in
		 * the first one.
		 */
		for (i = 0; i < r->nrec; i++) {
			size_t end = ms.abs[i] + msg_want(r->rec[i].len);
			s64 want = end <= k ? ms.abs[i] : ms.abs[i] - (s64)k;

			if (r->rec[i].start != want) {
				KUNIT_FAIL(test,
					   "split at %zu: message %zu start %lld, expected %lld",
					   k, i, (long long)r->rec[i].start,
					   (long long)want);
				return;
			}
		}
	}
}

static void msg_stream_bytewise_test(struct kunit *test)
{
	struct msg_stream ms;
	struct msg_run *r;
	size_t k, i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	msg_stream_build(test, &ms);
	msg_run_init(r, ms.buf, ms.total);
	for (k = 0; k < ms.total && !r->bad; k++)
		msg_run_chunk(r, k, 1);
	KUNIT_ASSERT_TRUE(test, msg_stream_check(test, &ms, r, "bytewise",
						 0));
	/* The one-byte chunk held the window's last byte. */
	for (i = 0; i < r->nrec; i++)
		KUNIT_EXPECT_EQ(test, r->rec[i].start,
				1 - (s64)msg_want(r->rec[i].len));
}

/* A named case of the negative start: a Call ID split by the cut. */
static void msg_start_negative_test(struct kunit *test)
{
	u8 buf[32];
	struct pptp_stream st;
	struct pptp_msg msg;
	size_t len, pos;

	len = msg_build(buf, PPTP_OUT_CALL_REPLY);
	KUNIT_ASSERT_EQ(test, len, 32);
	pptp_stream_init(&st);

	/* Chunk 1: the first 13 bytes, half of the Call ID. */
	pos = 0;
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf, 13, &pos, &msg),
			PPTP_FEED_MORE);
	KUNIT_EXPECT_EQ(test, pos, 13);

	/* Chunk 2: the other 19 bytes. */
	pos = 0;
	KUNIT_ASSERT_EQ(test, pptp_stream_feed(&st, buf + 13, len - 13, &pos,
					       &msg), PPTP_FEED_MSG);
	KUNIT_EXPECT_EQ(test, msg.start, -13);
	KUNIT_EXPECT_EQ(test, pos, PPTP_PEEK_LEN - 13);
	KUNIT_EXPECT_MEMEQ(test, msg.peek, buf, PPTP_PEEK_LEN);
	KUNIT_EXPECT_EQ(test, pptp_stream_feed(&st, buf + 13, len - 13, &pos,
					       &msg), PPTP_FEED_MORE);
	KUNIT_EXPECT_EQ(test, pos, len - 13);
}

/* ------------------------------------------------------------------ */
/* pptp_msg_ids() */

struct msg_ids_case {
	unsigned int type;
	u8 off[2];
	u8 owner[2];
};

#define IDS_NONE(t) { t, { 0, 0 }, { PPTP_ID_NONE, PPTP_ID_NONE } }
#define IDS_ONE(t, who) \
	{ t, { PPTP_OFF_CALL_ID, 0 }, { who, PPTP_ID_NONE } }
#define IDS_TWO(t) \
	{ t, { PPTP_OFF_CALL_ID, PPTP_OFF_PEER_ID }, \
	  { PPTP_ID_SENDER, PPTP_ID_RECEIVER } }

/* RFC 2637: which Call ID each message carries and whose it is. */
static const struct msg_ids_case msg_ids_cases[] = {
	IDS_NONE(0),
	IDS_NONE(PPTP_START_CTRL_REQ),
	IDS_NONE(PPTP_START_CTRL_REPLY),
	IDS_NONE(PPTP_STOP_CTRL_REQ),
	IDS_NONE(PPTP_STOP_CTRL_REPLY),
	IDS_NONE(PPTP_ECHO_REQ),
	IDS_NONE(PPTP_ECHO_REPLY),
	IDS_ONE(PPTP_OUT_CALL_REQ, PPTP_ID_SENDER),
	IDS_TWO(PPTP_OUT_CALL_REPLY),
	IDS_ONE(PPTP_IN_CALL_REQ, PPTP_ID_SENDER),
	IDS_TWO(PPTP_IN_CALL_REPLY),
	IDS_ONE(PPTP_IN_CALL_CONNECTED, PPTP_ID_RECEIVER),
	IDS_ONE(PPTP_CALL_CLEAR_REQ, PPTP_ID_SENDER),
	IDS_ONE(PPTP_CALL_DISCONNECT_NOTIFY, PPTP_ID_SENDER),
	IDS_ONE(PPTP_WAN_ERROR_NOTIFY, PPTP_ID_RECEIVER),
	IDS_ONE(PPTP_SET_LINK_INFO, PPTP_ID_RECEIVER),
	IDS_NONE(16),
	IDS_NONE(0xffff),
	IDS_NONE(0xffffffff),
};

static void msg_ids_desc(const struct msg_ids_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "type %u (%s)", c->type,
		 pptp_ctrl_name(c->type));
}

KUNIT_ARRAY_PARAM(msg_ids, msg_ids_cases, msg_ids_desc);

static void msg_ids_test(struct kunit *test)
{
	const struct msg_ids_case *c = test->param_value;
	struct pptp_msg_ids ids;
	int i;

	memset(&ids, 0xee, sizeof(ids));	/* every field is written */
	pptp_msg_ids(c->type, &ids);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ_MSG(test, ids.off[i], c->off[i], "field %d", i);
		KUNIT_EXPECT_EQ_MSG(test, ids.owner[i], c->owner[i],
				    "field %d", i);
		if (!ids.off[i])
			continue;
		/* A field the helper rewrites must lie in the peek window. */
		KUNIT_EXPECT_LE(test, ids.off[i] + 2, PPTP_PEEK_LEN);
		KUNIT_EXPECT_LE(test, ids.off[i] + 2,
				pptp_msg_length(c->type));
	}
}

/* ------------------------------------------------------------------ */
/* pptp_msg_length() and pptp_ctrl_name() */

static void msg_length_name_test(struct kunit *test)
{
	const char *unknown = pptp_ctrl_name(0);
	const unsigned int out[] = { 16, 17, 0xff, 0x100, 0xffff, 0x10001,
				     0x7fffffff, 0xffffffff };
	unsigned int t, u;

	KUNIT_ASSERT_NOT_NULL(test, unknown);
	KUNIT_EXPECT_EQ(test, pptp_msg_length(0), 0);
	for (t = 1; t <= PPTP_CTRL_TYPE_MAX; t++) {
		const char *name = pptp_ctrl_name(t);

		KUNIT_EXPECT_EQ_MSG(test, pptp_msg_length(t), msg_rfc_len[t],
				    "type %u", t);
		KUNIT_ASSERT_NOT_NULL(test, name);
		KUNIT_EXPECT_STRNEQ(test, name, unknown);
		for (u = 1; u < t; u++)
			KUNIT_EXPECT_STRNEQ(test, name, pptp_ctrl_name(u));
	}
	for (t = 0; t < ARRAY_SIZE(out); t++) {
		KUNIT_EXPECT_EQ_MSG(test, pptp_msg_length(out[t]), 0,
				    "type %u", out[t]);
		KUNIT_EXPECT_STREQ(test, pptp_ctrl_name(out[t]), unknown);
	}
}

/* ------------------------------------------------------------------ */
/* Regression cases (see the comment at the top of this file) */

static const u8 msg_regress_zero_hdr[PPTP_HDR_LEN];

static const u8 msg_regress_echo_then_huge[] = {
	/* Echo-Request, Identifier 0x01020304 */
	0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x05, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
	/* Echo-Request claiming Length 0xffff: longer is accepted */
	0xff, 0xff, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x05, 0x00, 0x00,
};

static const u8 msg_regress_echo_then_short[] = {
	/* Echo-Request, Identifier 0x01020304 */
	0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x05, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
	/* Echo-Request claiming Length 15: one byte short */
	0x00, 0x0f, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x05, 0x00, 0x00, 0x01, 0x02, 0x03,
};

static const u8 msg_regress_short_tail[] = {
	/* Echo-Reply cut one byte short of its peek window */
	0x00, 0x14, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x06, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
	0x01, 0x00, 0x00,
};

static const u8 msg_regress_two_stops[] = {
	/* Stop-Control-Connection-Request and -Reply back to back */
	0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
	0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

struct msg_regress_case {
	const char *name;
	const u8 *bytes;
	size_t len;
	unsigned int nmsgs;
	u8 err;
};

#define REGRESS(n, b, m, e) { n, b, sizeof(b), m, e }

static const struct msg_regress_case msg_regress_cases[] = {
	REGRESS("zero header", msg_regress_zero_hdr, 0, PPTP_ERR_COOKIE),
	REGRESS("echo then Length 0xffff", msg_regress_echo_then_huge, 1,
		PPTP_OK),
	REGRESS("echo then Length 15", msg_regress_echo_then_short, 1,
		PPTP_ERR_LENGTH),
	REGRESS("short tail", msg_regress_short_tail, 0, PPTP_OK),
	REGRESS("two stops", msg_regress_two_stops, 2, PPTP_OK),
};

static void msg_regress_desc(const struct msg_regress_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(msg_regress, msg_regress_cases, msg_regress_desc);

static void msg_regress_test(struct kunit *test)
{
	const struct msg_regress_case *c = test->param_value;
	struct msg_run *r;
	size_t k;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);

	msg_run_init(r, c->bytes, c->len);
	msg_run_chunk(r, 0, c->len);
	KUNIT_EXPECT_NULL_MSG(test, r->bad, "whole: %s", r->bad);
	KUNIT_EXPECT_EQ(test, r->nrec, c->nmsgs);
	KUNIT_EXPECT_EQ(test, r->st.err, c->err);
	KUNIT_EXPECT_EQ(test, r->err, c->err != PPTP_OK);

	msg_run_init(r, c->bytes, c->len);
	for (k = 0; k < c->len && !r->bad && !r->err; k++)
		msg_run_chunk(r, k, 1);
	KUNIT_EXPECT_NULL_MSG(test, r->bad, "bytewise: %s", r->bad);
	KUNIT_EXPECT_EQ(test, r->nrec, c->nmsgs);
	KUNIT_EXPECT_EQ(test, r->st.err, c->err);
}

static struct kunit_case msg_test_cases[] = {
	KUNIT_CASE_PARAM(msg_valid_type_test, msg_type_gen_params),
	KUNIT_CASE_PARAM(msg_length_rule_test, msg_type_gen_params),
	KUNIT_CASE_PARAM(msg_longer_test, msg_type_gen_params),
	KUNIT_CASE_PARAM(msg_bad_header_test, msg_hdr_gen_params),
	KUNIT_CASE(msg_stream_whole_test),
	KUNIT_CASE(msg_stream_split_test),
	KUNIT_CASE(msg_stream_bytewise_test),
	KUNIT_CASE(msg_start_negative_test),
	KUNIT_CASE_PARAM(msg_ids_test, msg_ids_gen_params),
	KUNIT_CASE(msg_length_name_test),
	KUNIT_CASE_PARAM(msg_regress_test, msg_regress_gen_params),
	{}
};

static struct kunit_suite msg_test_suite = {
	.name = "nf_pptp_alg_msg",
	.test_cases = msg_test_cases,
};

kunit_test_suite(msg_test_suite);

MODULE_DESCRIPTION("KUnit tests for the nf_pptp_alg PPTP NAT helper");
MODULE_LICENSE("GPL");
