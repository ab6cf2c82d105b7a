// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed inputs of fuzz_stream into the directory named by its
 * argument: one valid message of every control type, plus a few streams
 * with several messages, chunk cuts and both directions. The input layout
 * is described at the top of fuzz_stream.c. Run by scripts/fuzz.sh, so no
 * binary seed needs to be kept in git.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_msg.h"

#define SEED_MAX	4096

static const u16 seed_len[PPTP_CTRL_TYPE_MAX + 1] = {
	0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24,
};

struct seed {
	u8 buf[SEED_MAX];
	size_t len;
};

static void put(struct seed *s, u8 b)
{
	if (s->len == SEED_MAX) {
		fprintf(stderr, "gen_corpus: seed too long\n");
		exit(1);
	}
	s->buf[s->len++] = b;
}

static void put16(struct seed *s, u16 v)
{
	put(s, v >> 8);
	put(s, v & 0xff);
}

/* Start a seed: flags, chunk sizes, direction-0 length, allocator seed. */
static void begin(struct seed *s, u8 flags, const u8 *cuts, u16 len0,
		  u16 cursor)
{
	unsigned int i;

	s->len = 0;
	put(s, flags);
	for (i = 0; i < (flags & 7u); i++)
		put(s, cuts[i]);
	put16(s, len0);
	put16(s, cursor);
}

/* A valid message; @id goes at offset 12, @peer at 14 when non-zero. */
static u16 msg(struct seed *s, u16 type, u16 id, u16 peer, u32 cookie)
{
	u16 len = seed_len[type];
	size_t start = s->len;
	unsigned int i;

	put16(s, len);
	put16(s, PPTP_MSG_CONTROL);
	put16(s, cookie >> 16);
	put16(s, cookie & 0xffff);
	put16(s, type);
	put16(s, 0);
	for (i = PPTP_HDR_LEN; i < len; i++)
		put(s, (u8)(i * 3 + type));
	if (id)
		pptp_put16(s->buf + start + PPTP_OFF_CALL_ID, id);
	if (peer)
		pptp_put16(s->buf + start + PPTP_OFF_PEER_ID, peer);
	return len;
}

static void save(const struct seed *s, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f)) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const u8 cuts_7_13[] = { 6, 12 };
	static const u8 cuts_1[] = { 0 };
	static const u8 cuts_odd[] = { 0, 18, 2, 200, 11 };
	static struct seed s;
	char name[64];
	u16 t, len0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}

	/* One valid message of every type, in one chunk, direction 0. */
	for (t = 1; t <= PPTP_CTRL_TYPE_MAX; t++) {
		begin(&s, 0, NULL, 0xffff, 1);
		msg(&s, t, 1000 + t, 2000 + t, PPTP_MAGIC_COOKIE);
		snprintf(name, sizeof(name), "type-%02u-%s", t,
			 pptp_ctrl_name(t));
		save(&s, argv[1], name);
	}

	/* Every type back to back, cut into 7- and 13-byte chunks. */
	begin(&s, 2 | 8, cuts_7_13, 0xffff, 65530);
	for (t = 1; t <= PPTP_CTRL_TYPE_MAX; t++)
		msg(&s, t, t, 64 - t, PPTP_MAGIC_COOKIE);
	save(&s, argv[1], "all-types-cut");

	/* The seed document's call, both directions, one byte at a time. */
	len0 = 0;
	begin(&s, 1, cuts_1, 0, 1226);
	len0 += msg(&s, PPTP_START_CTRL_REQ, 0, 0, PPTP_MAGIC_COOKIE);
	len0 += msg(&s, PPTP_OUT_CALL_REQ, 20631, 1, PPTP_MAGIC_COOKIE);
	len0 += msg(&s, PPTP_SET_LINK_INFO, 1280, 0, PPTP_MAGIC_COOKIE);
	len0 += msg(&s, PPTP_CALL_CLEAR_REQ, 20631, 0, PPTP_MAGIC_COOKIE);
	pptp_put16(s.buf + 2, len0);
	msg(&s, PPTP_START_CTRL_REPLY, 0, 0, PPTP_MAGIC_COOKIE);
	msg(&s, PPTP_OUT_CALL_REPLY, 1280, 20631, PPTP_MAGIC_COOKIE);
	msg(&s, PPTP_CALL_DISCONNECT_NOTIFY, 1280, 0, PPTP_MAGIC_COOKIE);
	save(&s, argv[1], "call-two-directions");

	/* Incoming call, irregular cuts, whole-space probing. */
	len0 = 0;
	begin(&s, 5 | 16, cuts_odd, 0, 65535);
	len0 += msg(&s, PPTP_IN_CALL_REQ, 7, 0, PPTP_MAGIC_COOKIE);
	len0 += msg(&s, PPTP_IN_CALL_CONNECTED, 9, 0, PPTP_MAGIC_COOKIE);
	pptp_put16(s.buf + 6, len0);
	msg(&s, PPTP_IN_CALL_REPLY, 9, 7, PPTP_MAGIC_COOKIE);
	msg(&s, PPTP_WAN_ERROR_NOTIFY, 7, 0, PPTP_MAGIC_COOKIE);
	msg(&s, PPTP_ECHO_REPLY, 0, 0, PPTP_MAGIC_COOKIE);
	save(&s, argv[1], "incoming-call-cut");

	/* A good message, then a bad cookie. */
	begin(&s, 0, NULL, 0xffff, 1);
	msg(&s, PPTP_ECHO_REQ, 0, 0, PPTP_MAGIC_COOKIE);
	msg(&s, PPTP_ECHO_REQ, 0, 0, 0x4d3c2b1a);
	save(&s, argv[1], "bad-cookie");
	return 0;
}
