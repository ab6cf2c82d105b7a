/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pptp_codec - PPTP control messages and enhanced GRE for the user-space
 * test tools (pptp_peer, pptp_bench).
 *
 * Built on the module's own layouts in include/pptp_msg.h: the header,
 * Magic Cookie, message types, the Call ID offsets (pptp_msg_ids()) and
 * the length table (pptp_msg_length()) come from there and src/pptp_msg.c,
 * which the tools link. This file adds the remaining fields of each
 * message, a whole-message reassembler for a control connection and the
 * enhanced GRE header (RFC 2637 section 4.1). Link pptp_codec.c and
 * src/pptp_msg.c, with include/ on the include path.
 */
#ifndef PPTP_CODEC_H
#define PPTP_CODEC_H

#include <sys/types.h>

#include "pptp_msg.h"

#define PPTP_CTL_BUF		256	/* holds any message we build */
#define PPTP_PROTO_VERSION	0x0100

/* Named fields of control messages; which types have which is in the .c */
enum pptp_field {
	PPTP_F_CALL_ID,		/* the sender's own Call ID */
	PPTP_F_PEER_ID,		/* the receiver's Call ID ("Peer's Call ID") */
	PPTP_F_RESULT,		/* Result Code of a reply or CDN */
	PPTP_F_ERROR,		/* Error Code beside it */
	PPTP_F_VERSION,		/* SCCRQ, SCCRP: protocol version */
	PPTP_F_FRAMING_CAP,	/* SCCRQ, SCCRP */
	PPTP_F_BEARER_CAP,	/* SCCRQ, SCCRP */
	PPTP_F_MAX_CHANNELS,	/* SCCRQ, SCCRP */
	PPTP_F_FIRMWARE,	/* SCCRQ, SCCRP */
	PPTP_F_HOST,		/* SCCRQ, SCCRP: Host Name, 64 bytes */
	PPTP_F_VENDOR,		/* SCCRQ, SCCRP: Vendor Name, 64 bytes */
	PPTP_F_REASON,		/* StopCCRQ */
	PPTP_F_IDENT,		/* EchoRQ, EchoRP: Identifier */
	PPTP_F_SERIAL,		/* OCRQ, ICRQ: Call Serial Number */
	PPTP_F_MIN_BPS,		/* OCRQ */
	PPTP_F_MAX_BPS,		/* OCRQ */
	PPTP_F_BEARER,		/* OCRQ, ICRQ: bearer type */
	PPTP_F_FRAMING,		/* OCRQ, ICCN: framing type */
	PPTP_F_WINDOW,		/* OCRQ, OCRP, ICRP, ICCN: receive window */
	PPTP_F_PHONE_LEN,	/* OCRQ */
	PPTP_F_PHONE,		/* OCRQ: Phone Number, 64 bytes */
	PPTP_F_SPEED,		/* OCRP, ICCN: connect speed */
	PPTP_F_DIALED_LEN,	/* ICRQ */
	PPTP_F_DIALED,		/* ICRQ: Dialed Number, 64 bytes */
	PPTP_F_STATS,		/* CDN: Call Statistics, 128 bytes */
	PPTP_F_SEND_ACCM,	/* SLI */
	PPTP_F_RECV_ACCM,	/* SLI */
	PPTP_F_COUNT,
};

static inline u32 pptp_codec_get32(const u8 *p)
{
	return (u32)pptp_get16(p) << 16 | pptp_get16(p + 2);
}

static inline void pptp_codec_put32(u8 *p, u32 v)
{
	pptp_put16(p, (u16)(v >> 16));
	pptp_put16(p + 2, (u16)v);
}

/* Header fields of a message at least PPTP_HDR_LEN long. */
static inline u16 pptp_ctl_len(const u8 *m)
{
	return pptp_get16(m);
}

static inline unsigned int pptp_ctl_type(const u8 *m)
{
	return pptp_get16(m + 8);
}

/* Zero a message of @type, fill its header; returns its Length. */
size_t pptp_ctl_init(u8 *m, enum pptp_ctrl_type type);

/*
 * Numeric fields of the message type in @m's header. A field the type
 * does not have is a bug in the caller: the tool aborts.
 */
bool pptp_has(unsigned int type, enum pptp_field f);
void pptp_set(u8 *m, enum pptp_field f, u32 v);
u32 pptp_get(const u8 *m, enum pptp_field f);

/* Text fields: zero padded, at most size - 1 bytes of @s are kept. */
void pptp_set_str(u8 *m, enum pptp_field f, const char *s);
/* Copy a text field into @buf (@size bytes), always NUL terminated. */
void pptp_get_str(const u8 *m, enum pptp_field f, char *buf, size_t size);

/*
 * SCCRQ or SCCRP as the tools send them: version 1.0, async and sync
 * framing, analog and digital bearer, firmware revision 1, @max_channels,
 * @host and @vendor; an SCCRP says result 1 (established).
 */
size_t pptp_ctl_start(u8 *m, enum pptp_ctrl_type type, u16 max_channels,
		      const char *host, const char *vendor);

/* An OCRQ for call @call_id (any bearer and framing, 2400..10M bit/s). */
size_t pptp_ctl_ocrq(u8 *m, u16 call_id, u16 serial, const char *phone);

/* The EchoRP (result 1) to the EchoRQ @rq. */
size_t pptp_ctl_echo_reply(u8 *m, const u8 *rq);

/*
 * Whole-message reassembler of one control connection. The caller owns
 * @buf (@size bytes, at least @max_len); a message whose Length is below
 * PPTP_HDR_LEN or above @max_len, or whose Message Type or Magic Cookie
 * is wrong, breaks the stream. Unknown control types pass.
 */
struct pptp_rx {
	u8 *buf;
	size_t size;
	size_t max_len;
	size_t start;		/* first byte not handed out yet */
	size_t end;		/* bytes in buf */
};

void pptp_rx_init(struct pptp_rx *rx, u8 *buf, size_t size, size_t max_len);
/* One recv(): bytes read, 0 on EOF, -1 on error (errno set). */
ssize_t pptp_rx_read(struct pptp_rx *rx, int fd);
/*
 * The next whole message: its length with *@msg pointing at it (valid
 * until the next pptp_rx_read()), 0 when more bytes are needed, -1 when
 * the framing is broken.
 */
int pptp_rx_next(struct pptp_rx *rx, const u8 **msg);

/* Enhanced GRE, version 1 (RFC 2637 section 4.1) */
#define PPTP_GRE_C		0x8000	/* checksum present */
#define PPTP_GRE_R		0x4000	/* routing present */
#define PPTP_GRE_K		0x2000	/* key present */
#define PPTP_GRE_S		0x1000	/* sequence number present */
#define PPTP_GRE_SSR		0x0800	/* strict source route */
#define PPTP_GRE_RECUR		0x0700	/* recursion control */
#define PPTP_GRE_A		0x0080	/* acknowledgment number present */
#define PPTP_GRE_VER_MASK	0x0007
#define PPTP_GRE_VER		1
#define PPTP_GRE_PPP		0x880B
#define PPTP_GRE_HDR_MAX	16

struct pptp_gre {
	u16 call_id;		/* the key's Call ID */
	u16 payload_len;
	bool has_seq;
	bool has_ack;
	u32 seq;
	u32 ack;
	const u8 *payload;
};

/* A received IPv4 datagram carrying GRE. */
struct pptp_gre_ip {
	u32 saddr;		/* network byte order */
	u32 daddr;
	size_t off;		/* of the GRE header in the datagram */
	size_t len;		/* from the GRE header to the datagram's end */
	struct pptp_gre gre;
};

size_t pptp_gre_hdr_len(const struct pptp_gre *g);
/*
 * Write the header (K set, S and A as asked, version 1, protocol PPP) and
 * the payload into @p; returns header plus payload length. With @g->payload
 * NULL the payload is left alone: the caller puts it at
 * @p + pptp_gre_hdr_len(@g).
 */
size_t pptp_gre_build(u8 *p, const struct pptp_gre *g);
/* Rewrite the key's Call ID of the GRE header at @p. */
void pptp_gre_set_call_id(u8 *p, u16 call_id);
/*
 * Parse @len bytes from a GRE header on: true for version 1 with K set,
 * C, R and strict source route clear, protocol PPP, and the header and
 * Payload Length within @len.
 */
bool pptp_gre_parse(const u8 *p, size_t len, struct pptp_gre *g);
/*
 * Parse an IPv4 datagram as a raw socket hands it out: false unless it is
 * unfragmented GRE that pptp_gre_parse() accepts.
 */
bool pptp_gre_parse_ip(const u8 *pkt, size_t len, struct pptp_gre_ip *ip);

#endif /* PPTP_CODEC_H */
