// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the pure PPTP code: the control-message stream
 * parser (src/pptp_msg.c) and the Call ID allocator (src/pptp_callid.c).
 * Built by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined.
 *
 * Input layout:
 *   byte 0        flags: bits 0-2 number k of chunk-size bytes,
 *                 bit 3 "keep" for Call ID picks, bit 4 probe the whole
 *                 ID space, bits 5-7 unused
 *   bytes 1..k    chunk sizes minus one, used in turn; k = 0 feeds each
 *                 direction in one chunk
 *   2 bytes       length of direction 0 (big-endian, clamped), the rest
 *                 of the stream is direction 1
 *   2 bytes       Call ID allocator seed
 *   the rest      the two byte streams
 *
 * The two directions are fed in alternating chunks, each chunk copied to a
 * heap buffer of its exact size so AddressSanitizer catches any read past
 * it. Each direction is also parsed by a deliberately naive reference
 * model over the whole stream; the chunked parser must report the same
 * messages at the same offsets and break at the same header.
 *
 * A crash found here becomes a regression case in kunit/msg_test.c
 * (msg_regress_cases[]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_msg.h"
#include "pptp_callid.h"

#define FUZZ_MAX_MSGS	4096
#define CALLID_SMALL	64	/* IDs above this are always busy */

/*
 * RFC 2637 Length of each control message type, restated on purpose: a
 * message may be longer (mainline accepts that), not shorter.
 */
static const u16 ref_len[PPTP_CTRL_TYPE_MAX + 1] = {
	0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24,
};

struct ref_msg {
	u16 type;
	u16 len;
	size_t abs;
};

struct dir {
	const u8 *buf;		/* the whole direction */
	size_t len;
	size_t fed;		/* bytes handed to the parser so far */
	struct pptp_stream st;
	bool broken;		/* the parser said PPTP_FEED_ERR */
	unsigned int nmsg;	/* messages reported so far */
	/* the reference model's verdict */
	struct ref_msg ref[FUZZ_MAX_MSGS];
	unsigned int nref;
	u8 ref_err;
};

struct ids_state {
	unsigned long busy[(CALLID_SMALL + 1 + 63) / 64];
	struct pptp_callid_alloc alloc;
	u32 calls;
	bool keep;
	bool huge;
};

static void fail(const char *what, size_t a, size_t b)
{
	fprintf(stderr, "fuzz_stream: invariant broken: %s (%zu, %zu)\n",
		what, a, b);
	abort();
}

static u32 get32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) |
	       p[3];
}

/* The naive model: walk whole messages from offset 0. */
static void ref_parse(struct dir *d)
{
	size_t o = 0;

	d->nref = 0;
	d->ref_err = PPTP_OK;
	while (o + PPTP_HDR_LEN <= d->len) {
		const u8 *h = d->buf + o;
		u16 len = pptp_get16(h);
		u16 type = pptp_get16(h + 8);
		size_t want;

		if (get32(h + 4) != PPTP_MAGIC_COOKIE)
			d->ref_err = PPTP_ERR_COOKIE;
		else if (pptp_get16(h + 2) != PPTP_MSG_CONTROL)
			d->ref_err = PPTP_ERR_MSG_TYPE;
		else if (type < 1 || type > PPTP_CTRL_TYPE_MAX)
			d->ref_err = PPTP_ERR_CTRL_TYPE;
		else if (len < ref_len[type])
			d->ref_err = PPTP_ERR_LENGTH;
		if (d->ref_err)
			return;
		want = len < PPTP_PEEK_LEN ? len : PPTP_PEEK_LEN;
		if (o + want > d->len || d->nref == FUZZ_MAX_MSGS)
			return;
		d->ref[d->nref].type = type;
		d->ref[d->nref].len = len;
		d->ref[d->nref].abs = o;
		d->nref++;
		o += len;
	}
}

static bool ids_busy(void *ctx, u16 id)
{
	struct ids_state *s = ctx;

	s->calls++;
	if (!id)
		fail("busy() asked about Call ID 0", 0, 0);
	if (id > CALLID_SMALL)
		return true;
	return s->busy[id / 64] & (1UL << (id % 64));
}

static bool ids_test(const struct ids_state *s, u32 id)
{
	if (id == 0 || id > CALLID_SMALL)
		return true;
	return s->busy[id / 64] & (1UL << (id % 64));
}

/* Steps from the cursor to the first free ID, 0 when none is free. */
static u32 ids_first_free(const struct ids_state *s, u16 cursor, u32 limit)
{
	u32 id = cursor;
	u32 i;

	for (i = 1; i <= limit; i++) {
		id = id % 65535 + 1;
		if (!ids_test(s, id))
			return i;
	}
	return 0;
}

/* Pick a Call ID for a field of a message and check the answer. */
static void ids_pick(struct ids_state *s, u16 want, u32 probes)
{
	u32 limit = probes < 65535 ? probes : 65535;
	bool kept = s->keep && want && !ids_test(s, want);
	u16 cursor = s->alloc.cursor;
	u32 steps = ids_first_free(s, cursor, limit);
	u16 out = 0;
	int ret;

	s->calls = 0;
	ret = pptp_callid_pick(&s->alloc, want, s->keep, probes, ids_busy, s,
			       &out);
	if (s->calls > limit + (s->keep && want))
		fail("too many busy() calls", s->calls, limit);
	if (ret == 0) {
		if (!out || ids_test(s, out))
			fail("picked a busy ID", out, ret);
		if (kept && out != want)
			fail("free wanted ID not kept", out, want);
		if (!kept && (!steps || out != (cursor + steps - 1) % 65535 + 1))
			fail("not the first free ID", out, steps);
		s->busy[out / 64] |= 1UL << (out % 64);
	} else {
		if (ret != -1)
			fail("bad return", (size_t)ret, 0);
		if (kept || steps)
			fail("a free ID was not found", want, steps);
		if (s->alloc.cursor != cursor)
			fail("cursor moved on failure", s->alloc.cursor,
			     cursor);
	}
}

static void ids_release(struct ids_state *s, u16 id)
{
	id = id % CALLID_SMALL + 1;
	s->busy[id / 64] &= ~(1UL << (id % 64));
}

static void check_msg(struct dir *d, const struct pptp_msg *msg,
		      const u8 *chunk, size_t chunk_len, size_t pos,
		      struct ids_state *ids)
{
	size_t want, abs, i;
	struct pptp_msg_ids mi;
	s64 sabs;
	const struct ref_msg *r;

	if (msg->type < 1 || msg->type > PPTP_CTRL_TYPE_MAX)
		fail("type out of range", msg->type, 0);
	if (msg->len < pptp_msg_length(msg->type) || !msg->len)
		fail("len below the type's size", msg->len, msg->type);
	if (!pptp_ctrl_name(msg->type))
		fail("no name", msg->type, 0);
	want = msg->len < PPTP_PEEK_LEN ? msg->len : PPTP_PEEK_LEN;
	if (msg->start + (s64)want != (s64)pos)
		fail("peek window does not end at pos", want, pos);
	sabs = (s64)(d->fed - chunk_len) + msg->start;
	if (sabs < 0)
		fail("start before the stream", (size_t)-sabs, d->fed);
	abs = (size_t)sabs;
	if (abs + want > d->len)
		fail("start beyond the stream", abs, d->len);
	if (d->nmsg >= d->nref)
		fail("message the model does not have", abs, d->nref);
	r = &d->ref[d->nmsg++];
	if (r->abs != abs || r->type != msg->type || r->len != msg->len)
		fail("message differs from the model", abs, r->abs);
	if (memcmp(msg->peek, d->buf + abs, want))
		fail("peek differs from the stream", abs, want);
	for (i = want; i < PPTP_PEEK_LEN; i++)
		if (msg->peek[i])
			fail("peek tail not zero", i, msg->peek[i]);

	pptp_msg_ids(msg->type, &mi);
	for (i = 0; i < 2; i++) {
		unsigned int off = mi.off[i];
		s64 first = msg->start + off;
		bool in;
		u16 v;

		if (mi.owner[i] > PPTP_ID_RECEIVER)
			fail("bad owner", i, mi.owner[i]);
		if (!off) {
			if (mi.owner[i] != PPTP_ID_NONE)
				fail("owner without field", i, mi.owner[i]);
			continue;
		}
		if (off >= PPTP_PEEK_LEN || off + 2 > want)
			fail("Call ID field outside the peek window", off,
			     want);
		in = first >= 0 && (u64)first + 2 <= chunk_len;
		v = pptp_get16(msg->peek + off);
		/* Read the bytes where a NAT helper would write them. */
		if (in && pptp_get16(chunk + first) != v)
			fail("field in chunk differs from peek", off, v);
		if (msg->type == PPTP_CALL_CLEAR_REQ ||
		    msg->type == PPTP_CALL_DISCONNECT_NOTIFY)
			ids_release(ids, v);
		else
			ids_pick(ids, v, ids->huge ? 0xffffffffU : v % 130);
	}
}

static void feed_chunk(struct dir *d, size_t n, struct ids_state *ids)
{
	u8 *chunk = malloc(n ? n : 1);
	size_t pos = 0;

	if (!chunk)
		abort();
	memcpy(chunk, d->buf + d->fed, n);
	d->fed += n;
	while (pos < n) {
		struct pptp_msg msg;
		size_t before = pos;
		enum pptp_feed f;

		memset(&msg, 0xa5, sizeof(msg));
		f = pptp_stream_feed(&d->st, chunk, n, &pos, &msg);
		if (pos <= before || pos > n)
			fail("position did not advance", before, pos);
		if (f == PPTP_FEED_ERR) {
			if (pos != n)
				fail("error left bytes", pos, n);
			if (!d->st.err)
				fail("error without a reason", 0, 0);
			d->broken = true;
		} else if (f == PPTP_FEED_MORE) {
			if (pos != n)
				fail("MORE left bytes", pos, n);
			if (d->broken)
				fail("broken stream recovered", pos, n);
		} else if (f == PPTP_FEED_MSG) {
			if (d->broken)
				fail("message after an error", pos, n);
			check_msg(d, &msg, chunk, n, pos, ids);
		} else {
			fail("unknown feed result", f, 0);
		}
	}
	free(chunk);
}

int fuzz_one_input(const u8 *data, size_t size);

/*
 * libFuzzer's entry point has a CamelCase name; an asm label gives our
 * function that symbol name.
 */
int fuzz_one_input(const u8 *data, size_t size)
	__asm__("LLVMFuzzerTestOneInput");

int fuzz_one_input(const u8 *data, size_t size)
{
	static struct dir dirs[2];
	struct ids_state ids;
	const u8 *cuts, *rest;
	size_t ncuts, rest_len, len0, turn, i;

	/* Bounds the number of messages the model may have to hold. */
	if (size < 1 || size > 16 * FUZZ_MAX_MSGS)
		return 0;
	ncuts = data[0] & 7;
	if (size < 1 + ncuts + 4)
		return 0;
	cuts = data + 1;
	memset(&ids, 0, sizeof(ids));
	ids.keep = data[0] & 8;
	ids.huge = data[0] & 16;
	pptp_callid_init(&ids.alloc, pptp_get16(cuts + ncuts + 2));
	rest = cuts + ncuts + 4;
	rest_len = size - (rest - data);
	len0 = pptp_get16(cuts + ncuts);
	if (len0 > rest_len)
		len0 = rest_len;

	for (i = 0; i < 2; i++) {
		memset(&dirs[i], 0, sizeof(dirs[i]));
		dirs[i].buf = i ? rest + len0 : rest;
		dirs[i].len = i ? rest_len - len0 : len0;
		pptp_stream_init(&dirs[i].st);
		ref_parse(&dirs[i]);
	}

	for (turn = 0; dirs[0].fed < dirs[0].len ||
	     dirs[1].fed < dirs[1].len; turn++) {
		struct dir *d = &dirs[turn & 1];
		size_t n = d->len - d->fed;

		if (ncuts && n > (size_t)cuts[turn % ncuts] + 1)
			n = cuts[turn % ncuts] + 1;
		if (n)
			feed_chunk(d, n, &ids);
	}

	for (i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];

		if (d->nmsg != d->nref)
			fail("messages missing", d->nmsg, d->nref);
		if (d->broken == !d->ref_err)
			fail("error disagrees with the model", d->broken,
			     d->ref_err);
		if (d->st.err != d->ref_err)
			fail("error reason differs", d->st.err, d->ref_err);
	}
	return 0;
}
