// SPDX-License-Identifier: GPL-2.0
/*
 * pptp_codec - PPTP control messages and enhanced GRE for the test tools.
 * See pptp_codec.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pptp_codec.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * Where each field other than the Call IDs lies, per message type (RFC
 * 2637 section 2); size 1, 2 or 4 is a number, more is text. The Call IDs
 * come from the module's pptp_msg_ids().
 */
struct pptp_layout {
	u8 type;
	u8 field;
	u8 off;
	u8 size;
};

static const struct pptp_layout pptp_layouts[] = {
	{ PPTP_START_CTRL_REQ, PPTP_F_VERSION, 12, 2 },
	{ PPTP_START_CTRL_REQ, PPTP_F_FRAMING_CAP, 16, 4 },
	{ PPTP_START_CTRL_REQ, PPTP_F_BEARER_CAP, 20, 4 },
	{ PPTP_START_CTRL_REQ, PPTP_F_MAX_CHANNELS, 24, 2 },
	{ PPTP_START_CTRL_REQ, PPTP_F_FIRMWARE, 26, 2 },
	{ PPTP_START_CTRL_REQ, PPTP_F_HOST, 28, 64 },
	{ PPTP_START_CTRL_REQ, PPTP_F_VENDOR, 92, 64 },

	{ PPTP_START_CTRL_REPLY, PPTP_F_VERSION, 12, 2 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_RESULT, 14, 1 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_ERROR, 15, 1 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_FRAMING_CAP, 16, 4 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_BEARER_CAP, 20, 4 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_MAX_CHANNELS, 24, 2 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_FIRMWARE, 26, 2 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_HOST, 28, 64 },
	{ PPTP_START_CTRL_REPLY, PPTP_F_VENDOR, 92, 64 },

	{ PPTP_STOP_CTRL_REQ, PPTP_F_REASON, 12, 1 },
	{ PPTP_STOP_CTRL_REPLY, PPTP_F_RESULT, 12, 1 },
	{ PPTP_STOP_CTRL_REPLY, PPTP_F_ERROR, 13, 1 },

	{ PPTP_ECHO_REQ, PPTP_F_IDENT, 12, 4 },
	{ PPTP_ECHO_REPLY, PPTP_F_IDENT, 12, 4 },
	{ PPTP_ECHO_REPLY, PPTP_F_RESULT, PPTP_OFF_RESULT, 1 },
	{ PPTP_ECHO_REPLY, PPTP_F_ERROR, PPTP_OFF_RESULT + 1, 1 },

	{ PPTP_OUT_CALL_REQ, PPTP_F_SERIAL, 14, 2 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_MIN_BPS, 16, 4 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_MAX_BPS, 20, 4 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_BEARER, 24, 4 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_FRAMING, 28, 4 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_WINDOW, 32, 2 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_PHONE_LEN, 36, 2 },
	{ PPTP_OUT_CALL_REQ, PPTP_F_PHONE, 40, 64 },

	{ PPTP_OUT_CALL_REPLY, PPTP_F_RESULT, PPTP_OFF_RESULT, 1 },
	{ PPTP_OUT_CALL_REPLY, PPTP_F_ERROR, PPTP_OFF_RESULT + 1, 1 },
	{ PPTP_OUT_CALL_REPLY, PPTP_F_SPEED, 20, 4 },
	{ PPTP_OUT_CALL_REPLY, PPTP_F_WINDOW, 24, 2 },

	{ PPTP_IN_CALL_REQ, PPTP_F_SERIAL, 14, 2 },
	{ PPTP_IN_CALL_REQ, PPTP_F_BEARER, 16, 4 },
	{ PPTP_IN_CALL_REQ, PPTP_F_DIALED_LEN, 24, 2 },
	{ PPTP_IN_CALL_REQ, PPTP_F_DIALED, 28, 64 },

	{ PPTP_IN_CALL_REPLY, PPTP_F_RESULT, PPTP_OFF_RESULT, 1 },
	{ PPTP_IN_CALL_REPLY, PPTP_F_ERROR, PPTP_OFF_RESULT + 1, 1 },
	{ PPTP_IN_CALL_REPLY, PPTP_F_WINDOW, 18, 2 },

	{ PPTP_IN_CALL_CONNECTED, PPTP_F_SPEED, 16, 4 },
	{ PPTP_IN_CALL_CONNECTED, PPTP_F_WINDOW, 20, 2 },
	{ PPTP_IN_CALL_CONNECTED, PPTP_F_FRAMING, 24, 4 },

	{ PPTP_CALL_DISCONNECT_NOTIFY, PPTP_F_RESULT, 14, 1 },
	{ PPTP_CALL_DISCONNECT_NOTIFY, PPTP_F_ERROR, 15, 1 },
	{ PPTP_CALL_DISCONNECT_NOTIFY, PPTP_F_STATS, 20, 128 },

	{ PPTP_SET_LINK_INFO, PPTP_F_SEND_ACCM, 16, 4 },
	{ PPTP_SET_LINK_INFO, PPTP_F_RECV_ACCM, 20, 4 },
};

/* Offset and size of @f in messages of @type; false when it has none. */
static bool pptp_locate(unsigned int type, enum pptp_field f,
			unsigned int *off, unsigned int *size)
{
	enum pptp_id_owner want = PPTP_ID_NONE;
	struct pptp_msg_ids ids;
	size_t i;

	if (f == PPTP_F_CALL_ID)
		want = PPTP_ID_SENDER;
	else if (f == PPTP_F_PEER_ID)
		want = PPTP_ID_RECEIVER;
	if (want != PPTP_ID_NONE) {
		pptp_msg_ids(type, &ids);
		for (i = 0; i < 2; i++) {
			if (ids.off[i] && ids.owner[i] == want) {
				*off = ids.off[i];
				*size = 2;
				return true;
			}
		}
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(pptp_layouts); i++) {
		const struct pptp_layout *l = &pptp_layouts[i];

		if (l->type == type && l->field == f) {
			*off = l->off;
			*size = l->size;
			return true;
		}
	}
	return false;
}

/* A field the type lacks means the tool itself is wrong. */
static void pptp_locate_or_die(const u8 *m, enum pptp_field f,
			       unsigned int *off, unsigned int *size)
{
	unsigned int type = pptp_ctl_type(m);

	if (!pptp_locate(type, f, off, size)) {
		fprintf(stderr, "pptp_codec: %s has no field %d\n",
			pptp_ctrl_name(type), (int)f);
		abort();
	}
}

bool pptp_has(unsigned int type, enum pptp_field f)
{
	unsigned int off, size;

	return pptp_locate(type, f, &off, &size);
}

size_t pptp_ctl_init(u8 *m, enum pptp_ctrl_type type)
{
	u16 len = pptp_msg_length(type);

	memset(m, 0, len);
	pptp_put16(m, len);
	pptp_put16(m + 2, PPTP_MSG_CONTROL);
	pptp_codec_put32(m + 4, PPTP_MAGIC_COOKIE);
	pptp_put16(m + 8, type);
	return len;
}

void pptp_set(u8 *m, enum pptp_field f, u32 v)
{
	unsigned int off, size;

	pptp_locate_or_die(m, f, &off, &size);
	if (size == 1)
		m[off] = (u8)v;
	else if (size == 2)
		pptp_put16(m + off, (u16)v);
	else
		pptp_codec_put32(m + off, v);
}

u32 pptp_get(const u8 *m, enum pptp_field f)
{
	unsigned int off, size;

	pptp_locate_or_die(m, f, &off, &size);
	if (size == 1)
		return m[off];
	if (size == 2)
		return pptp_get16(m + off);
	return pptp_codec_get32(m + off);
}

void pptp_set_str(u8 *m, enum pptp_field f, const char *s)
{
	unsigned int off, size;
	size_t n = strlen(s);

	pptp_locate_or_die(m, f, &off, &size);
	if (n > size - 1)
		n = size - 1;
	memset(m + off, 0, size);
	memcpy(m + off, s, n);
}

void pptp_get_str(const u8 *m, enum pptp_field f, char *buf, size_t size)
{
	unsigned int off, fsize;
	size_t n = 0;

	pptp_locate_or_die(m, f, &off, &fsize);
	while (n + 1 < size && n < fsize && m[off + n])
		n++;
	memcpy(buf, m + off, n);
	buf[n] = '\0';
}

size_t pptp_ctl_start(u8 *m, enum pptp_ctrl_type type, u16 max_channels,
		      const char *host, const char *vendor)
{
	size_t len = pptp_ctl_init(m, type);

	pptp_set(m, PPTP_F_VERSION, PPTP_PROTO_VERSION);
	if (type == PPTP_START_CTRL_REPLY)
		pptp_set(m, PPTP_F_RESULT, 1);
	pptp_set(m, PPTP_F_FRAMING_CAP, 3);	/* async and sync */
	pptp_set(m, PPTP_F_BEARER_CAP, 3);	/* analog and digital */
	pptp_set(m, PPTP_F_MAX_CHANNELS, max_channels);
	pptp_set(m, PPTP_F_FIRMWARE, 1);
	pptp_set_str(m, PPTP_F_HOST, host);
	pptp_set_str(m, PPTP_F_VENDOR, vendor);
	return len;
}

size_t pptp_ctl_ocrq(u8 *m, u16 call_id, u16 serial, const char *phone)
{
	size_t len = pptp_ctl_init(m, PPTP_OUT_CALL_REQ);

	pptp_set(m, PPTP_F_CALL_ID, call_id);
	pptp_set(m, PPTP_F_SERIAL, serial);
	pptp_set(m, PPTP_F_MIN_BPS, 2400);
	pptp_set(m, PPTP_F_MAX_BPS, 10000000);
	pptp_set(m, PPTP_F_BEARER, 3);		/* any */
	pptp_set(m, PPTP_F_FRAMING, 3);		/* any */
	pptp_set(m, PPTP_F_WINDOW, 64);
	pptp_set(m, PPTP_F_PHONE_LEN, (u16)strlen(phone));
	pptp_set_str(m, PPTP_F_PHONE, phone);
	return len;
}

size_t pptp_ctl_echo_reply(u8 *m, const u8 *rq)
{
	size_t len = pptp_ctl_init(m, PPTP_ECHO_REPLY);

	pptp_set(m, PPTP_F_IDENT, pptp_get(rq, PPTP_F_IDENT));
	pptp_set(m, PPTP_F_RESULT, 1);
	return len;
}

void pptp_rx_init(struct pptp_rx *rx, u8 *buf, size_t size, size_t max_len)
{
	rx->buf = buf;
	rx->size = size;
	rx->max_len = max_len < size ? max_len : size;
	rx->start = 0;
	rx->end = 0;
}

/*
 * Never called with a full buffer: the caller takes every whole message
 * out first, and what stays is less than max_len <= size bytes.
 */
ssize_t pptp_rx_read(struct pptp_rx *rx, int fd)
{
	ssize_t n;

	if (rx->start) {
		memmove(rx->buf, rx->buf + rx->start, rx->end - rx->start);
		rx->end -= rx->start;
		rx->start = 0;
	}
	do {
		n = recv(fd, rx->buf + rx->end, rx->size - rx->end, 0);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		rx->end += n;
	return n;
}

int pptp_rx_next(struct pptp_rx *rx, const u8 **msg)
{
	const u8 *p = rx->buf + rx->start;
	size_t avail = rx->end - rx->start;
	u16 len;

	if (avail < 2)
		return 0;
	len = pptp_get16(p);
	if (len < PPTP_HDR_LEN || len > rx->max_len)
		return -1;
	if (avail >= 8 && (pptp_get16(p + 2) != PPTP_MSG_CONTROL ||
			   pptp_codec_get32(p + 4) != PPTP_MAGIC_COOKIE))
		return -1;
	if (avail < len)
		return 0;
	*msg = p;
	rx->start += len;
	return len;
}

size_t pptp_gre_hdr_len(const struct pptp_gre *g)
{
	return 8 + (g->has_seq ? 4 : 0) + (g->has_ack ? 4 : 0);
}

size_t pptp_gre_build(u8 *p, const struct pptp_gre *g)
{
	u16 flags = PPTP_GRE_K | PPTP_GRE_VER;
	size_t hlen = 8;

	if (g->has_seq)
		flags |= PPTP_GRE_S;
	if (g->has_ack)
		flags |= PPTP_GRE_A;
	pptp_put16(p, flags);
	pptp_put16(p + 2, PPTP_GRE_PPP);
	pptp_put16(p + 4, g->payload_len);
	pptp_put16(p + 6, g->call_id);
	if (g->has_seq) {
		pptp_codec_put32(p + hlen, g->seq);
		hlen += 4;
	}
	if (g->has_ack) {
		pptp_codec_put32(p + hlen, g->ack);
		hlen += 4;
	}
	if (g->payload)
		memcpy(p + hlen, g->payload, g->payload_len);
	return hlen + g->payload_len;
}

void pptp_gre_set_call_id(u8 *p, u16 call_id)
{
	pptp_put16(p + 6, call_id);
}

bool pptp_gre_parse(const u8 *p, size_t len, struct pptp_gre *g)
{
	size_t hlen = 8;
	u16 flags;

	if (len < hlen)
		return false;
	flags = pptp_get16(p);
	if ((flags & PPTP_GRE_VER_MASK) != PPTP_GRE_VER ||
	    !(flags & PPTP_GRE_K) ||
	    (flags & (PPTP_GRE_C | PPTP_GRE_R | PPTP_GRE_SSR)) ||
	    pptp_get16(p + 2) != PPTP_GRE_PPP)
		return false;
	g->has_seq = flags & PPTP_GRE_S;
	g->has_ack = flags & PPTP_GRE_A;
	g->seq = 0;
	g->ack = 0;
	if (g->has_seq) {
		if (len < hlen + 4)
			return false;
		g->seq = pptp_codec_get32(p + hlen);
		hlen += 4;
	}
	if (g->has_ack) {
		if (len < hlen + 4)
			return false;
		g->ack = pptp_codec_get32(p + hlen);
		hlen += 4;
	}
	g->payload_len = pptp_get16(p + 4);
	if (g->payload_len > len - hlen)
		return false;
	g->call_id = pptp_get16(p + 6);
	g->payload = p + hlen;
	return true;
}

bool pptp_gre_parse_ip(const u8 *pkt, size_t len, struct pptp_gre_ip *ip)
{
	size_t ihl, tot;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return false;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = pptp_get16(pkt + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return false;
	if (pkt[9] != IPPROTO_GRE || (pptp_get16(pkt + 6) & 0x3fff))
		return false;		/* not GRE, or a fragment */
	memcpy(&ip->saddr, pkt + 12, 4);
	memcpy(&ip->daddr, pkt + 16, 4);
	ip->off = ihl;
	ip->len = tot - ihl;
	return pptp_gre_parse(pkt + ihl, tot - ihl, &ip->gre);
}
