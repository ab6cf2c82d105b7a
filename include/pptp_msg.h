/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPTP control-message stream parser (RFC 2637, section 2).
 *
 * Pure code: it sees bytes, never an skb, and keeps per-direction state in a
 * struct the caller owns. One TCP direction is fed in arbitrary chunks; the
 * parser reports each message once its first PPTP_PEEK_LEN bytes (or the
 * whole message, if shorter) have arrived, because every field the NAT
 * helper reads or rewrites lies there. The rest of a message is skipped, so
 * the memory per direction is bounded by PPTP_PEEK_LEN whatever the sender
 * does.
 */
#ifndef PPTP_MSG_H
#define PPTP_MSG_H

#include "pptp_types.h"

#define PPTP_MAGIC_COOKIE	0x1A2B3C4DU
#define PPTP_HDR_LEN		12
#define PPTP_PEEK_LEN		20
#define PPTP_MSG_CONTROL	1

enum pptp_ctrl_type {
	PPTP_START_CTRL_REQ = 1,
	PPTP_START_CTRL_REPLY = 2,
	PPTP_STOP_CTRL_REQ = 3,
	PPTP_STOP_CTRL_REPLY = 4,
	PPTP_ECHO_REQ = 5,
	PPTP_ECHO_REPLY = 6,
	PPTP_OUT_CALL_REQ = 7,
	PPTP_OUT_CALL_REPLY = 8,
	PPTP_IN_CALL_REQ = 9,
	PPTP_IN_CALL_REPLY = 10,
	PPTP_IN_CALL_CONNECTED = 11,
	PPTP_CALL_CLEAR_REQ = 12,
	PPTP_CALL_DISCONNECT_NOTIFY = 13,
	PPTP_WAN_ERROR_NOTIFY = 14,
	PPTP_SET_LINK_INFO = 15,
	PPTP_CTRL_TYPE_MAX = 15,
};

/* Offsets inside a message of the fields the helper uses. */
#define PPTP_OFF_CALL_ID	12
#define PPTP_OFF_PEER_ID	14
#define PPTP_OFF_RESULT		16

/* Result Code values that mean success in call replies. */
#define PPTP_OCRP_CONNECTED	1
#define PPTP_ICRP_CONNECT	1

/* Why a stream stopped being parsable; 0 means it is fine. */
enum pptp_err {
	PPTP_OK = 0,
	PPTP_ERR_COOKIE,	/* Magic Cookie is not 0x1A2B3C4D */
	PPTP_ERR_MSG_TYPE,	/* PPTP Message Type is not 1 (control) */
	PPTP_ERR_CTRL_TYPE,	/* Control Message Type 0 or above 15 */
	PPTP_ERR_LENGTH,	/* Length below the message type's size */
	PPTP_ERR_MAX,
};

enum pptp_feed {
	PPTP_FEED_MORE = 0,	/* chunk used up, no message completed */
	PPTP_FEED_MSG,		/* a message's peek window is complete */
	PPTP_FEED_ERR,		/* malformed header: stream is broken */
};

struct pptp_stream {
	u8 peek[PPTP_PEEK_LEN];
	u16 have;	/* bytes of the current message seen so far */
	u16 len;	/* its Length once the header checked out, else 0 */
	u8 err;		/* enum pptp_err once broken; sticky */
};

struct pptp_msg {
	u16 type;
	u16 len;
	/*
	 * Offset of the message's first byte relative to the start of the
	 * chunk that completed the peek window; negative when the message
	 * began in an earlier chunk.
	 */
	s64 start;
	u8 peek[PPTP_PEEK_LEN];
};

u16 pptp_msg_length(unsigned int type);
const char *pptp_ctrl_name(unsigned int type);

void pptp_stream_init(struct pptp_stream *st);
enum pptp_feed pptp_stream_feed(struct pptp_stream *st, const u8 *buf,
				size_t len, size_t *pos, struct pptp_msg *msg);

static inline u16 pptp_get16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline void pptp_put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/*
 * Where a message's Call ID fields lie and whose ID each one carries.
 * "Own" is the ID chosen by the sender of the message, "peer" the ID chosen
 * by its receiver.
 */
enum pptp_id_owner {
	PPTP_ID_NONE = 0,
	PPTP_ID_SENDER,
	PPTP_ID_RECEIVER,
};

struct pptp_msg_ids {
	u8 off[2];		/* message offsets, 0 when unused */
	u8 owner[2];		/* enum pptp_id_owner */
};

void pptp_msg_ids(unsigned int type, struct pptp_msg_ids *ids);

/* Check a 12-byte header; on success *len is its Length field. */
enum pptp_err pptp_msg_check_header(const u8 *hdr, u16 *len);

#endif /* PPTP_MSG_H */
