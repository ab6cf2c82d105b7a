// SPDX-License-Identifier: GPL-2.0
/*
 * PPTP control-message stream parser. Pure C: see include/pptp_msg.h.
 */
#include "pptp_msg.h"

/* Exact Length of each control message type, RFC 2637 section 2. */
static const u16 pptp_msg_len_table[PPTP_CTRL_TYPE_MAX + 1] = {
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

static const char *const pptp_msg_names[PPTP_CTRL_TYPE_MAX + 1] = {
	[0]				= "UNKNOWN",
	[PPTP_START_CTRL_REQ]		= "SCCRQ",
	[PPTP_START_CTRL_REPLY]		= "SCCRP",
	[PPTP_STOP_CTRL_REQ]		= "StopCCRQ",
	[PPTP_STOP_CTRL_REPLY]		= "StopCCRP",
	[PPTP_ECHO_REQ]			= "ECHORQ",
	[PPTP_ECHO_REPLY]		= "ECHORP",
	[PPTP_OUT_CALL_REQ]		= "OCRQ",
	[PPTP_OUT_CALL_REPLY]		= "OCRP",
	[PPTP_IN_CALL_REQ]		= "ICRQ",
	[PPTP_IN_CALL_REPLY]		= "ICRP",
	[PPTP_IN_CALL_CONNECTED]	= "ICCN",
	[PPTP_CALL_CLEAR_REQ]		= "CCRQ",
	[PPTP_CALL_DISCONNECT_NOTIFY]	= "CDN",
	[PPTP_WAN_ERROR_NOTIFY]		= "WEN",
	[PPTP_SET_LINK_INFO]		= "SLI",
};

u16 pptp_msg_length(unsigned int type)
{
	if (type > PPTP_CTRL_TYPE_MAX)
		return 0;
	return pptp_msg_len_table[type];
}

const char *pptp_ctrl_name(unsigned int type)
{
	if (type > PPTP_CTRL_TYPE_MAX)
		type = 0;
	return pptp_msg_names[type];
}

void pptp_stream_init(struct pptp_stream *st)
{
	st->have = 0;
	st->len = 0;
	st->err = PPTP_OK;
}

static u32 pptp_get32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

/*
 * A message may be longer than its type's fixed part (mainline accepts
 * that, and the fields we use all lie in the fixed part); shorter is
 * malformed.
 */
enum pptp_err pptp_msg_check_header(const u8 *hdr, u16 *len)
{
	u16 mlen = pptp_get16(hdr);
	u16 type = pptp_get16(hdr + 8);

	if (pptp_get32(hdr + 4) != PPTP_MAGIC_COOKIE)
		return PPTP_ERR_COOKIE;
	if (pptp_get16(hdr + 2) != PPTP_MSG_CONTROL)
		return PPTP_ERR_MSG_TYPE;
	if (type == 0 || type > PPTP_CTRL_TYPE_MAX)
		return PPTP_ERR_CTRL_TYPE;
	if (mlen < pptp_msg_len_table[type])
		return PPTP_ERR_LENGTH;
	*len = mlen;
	return PPTP_OK;
}

static size_t pptp_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Consume bytes from buf[*pos..len). Stops right after the byte that
 * completes a message's peek window, so the caller can act on that message
 * while the fields it may rewrite are still in the caller's buffer.
 */
enum pptp_feed pptp_stream_feed(struct pptp_stream *st, const u8 *buf,
				size_t len, size_t *pos, struct pptp_msg *msg)
{
	while (*pos < len) {
		size_t avail = len - *pos;
		size_t take;

		if (st->err) {
			*pos = len;
			return PPTP_FEED_ERR;
		}

		if (st->len == 0) {
			/* Header incomplete: gather it into peek[]. */
			take = pptp_min(avail, PPTP_HDR_LEN - st->have);
			for (size_t i = 0; i < take; i++)
				st->peek[st->have + i] = buf[*pos + i];
			st->have += take;
			*pos += take;
			if (st->have < PPTP_HDR_LEN)
				continue;
			st->err = pptp_msg_check_header(st->peek, &st->len);
			if (st->err) {
				*pos = len;
				return PPTP_FEED_ERR;
			}
			continue;
		}

		if (st->have < PPTP_PEEK_LEN && st->have < st->len) {
			size_t want = pptp_min(PPTP_PEEK_LEN, st->len);

			take = pptp_min(avail, want - st->have);
			for (size_t i = 0; i < take; i++)
				st->peek[st->have + i] = buf[*pos + i];
			st->have += take;
			*pos += take;
			if (st->have < want)
				continue;
			msg->type = pptp_get16(st->peek + 8);
			msg->len = st->len;
			msg->start = (s64)*pos - st->have;
			for (size_t i = 0; i < want; i++)
				msg->peek[i] = st->peek[i];
			for (size_t i = want; i < PPTP_PEEK_LEN; i++)
				msg->peek[i] = 0;
			if (st->have == st->len) {
				st->have = 0;
				st->len = 0;
			}
			return PPTP_FEED_MSG;
		}

		/* Body beyond the peek window: skip it. */
		take = pptp_min(avail, (size_t)(st->len - st->have));
		st->have += take;
		*pos += take;
		if (st->have == st->len) {
			st->have = 0;
			st->len = 0;
		}
	}
	return PPTP_FEED_MORE;
}

void pptp_msg_ids(unsigned int type, struct pptp_msg_ids *ids)
{
	ids->off[0] = 0;
	ids->off[1] = 0;
	ids->owner[0] = PPTP_ID_NONE;
	ids->owner[1] = PPTP_ID_NONE;

	switch (type) {
	case PPTP_OUT_CALL_REQ:
	case PPTP_IN_CALL_REQ:
	case PPTP_CALL_CLEAR_REQ:
	case PPTP_CALL_DISCONNECT_NOTIFY:
		ids->off[0] = PPTP_OFF_CALL_ID;
		ids->owner[0] = PPTP_ID_SENDER;
		break;
	case PPTP_OUT_CALL_REPLY:
	case PPTP_IN_CALL_REPLY:
		ids->off[0] = PPTP_OFF_CALL_ID;
		ids->owner[0] = PPTP_ID_SENDER;
		ids->off[1] = PPTP_OFF_PEER_ID;
		ids->owner[1] = PPTP_ID_RECEIVER;
		break;
	case PPTP_IN_CALL_CONNECTED:
	case PPTP_WAN_ERROR_NOTIFY:
	case PPTP_SET_LINK_INFO:
		ids->off[0] = PPTP_OFF_CALL_ID;
		ids->owner[0] = PPTP_ID_RECEIVER;
		break;
	default:
		break;
	}
}
