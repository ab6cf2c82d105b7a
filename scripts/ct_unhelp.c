// SPDX-License-Identifier: GPL-2.0
/*
 * ct_unhelp - detach the helper from one TCP conntrack through ctnetlink,
 * the way an operator's tool can (conntrack-tools has no option for it):
 * an IPCTNL_MSG_CT_NEW update naming the conntrack by its original tuple
 * and carrying CTA_HELP with an empty helper name. The kernel then clears
 * the helper without calling its destroy callback.
 *
 *   ct_unhelp SRC SPORT DST DPORT     (run inside the gateway's netns)
 *
 * Exit status 0 when the kernel acknowledged the update, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct buf {
	unsigned char b[512];
	size_t len;
};

static struct nlattr *put_attr(struct buf *m, unsigned short type,
			       const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->b + m->len);

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	if (len)
		memcpy(m->b + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
	return a;
}

static size_t nest_start(struct buf *m, unsigned short type)
{
	size_t at = m->len;

	put_attr(m, type | NLA_F_NESTED, NULL, 0);
	return at;
}

static void nest_end(struct buf *m, size_t at)
{
	((struct nlattr *)(m->b + at))->nla_len = (unsigned short)(m->len - at);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct buf m = { .len = NLMSG_HDRLEN };
	struct nlmsghdr *nh = (struct nlmsghdr *)m.b;
	struct nfgenmsg *nf;
	unsigned char reply[1024];
	unsigned char proto = IPPROTO_TCP;
	struct in_addr src, dst;
	unsigned short sport, dport;
	size_t tuple, ip, l4, help;
	struct nlmsgerr *err;
	ssize_t n;
	int fd;

	if (argc != 5 || !inet_aton(argv[1], &src) || !inet_aton(argv[3], &dst)) {
		fprintf(stderr, "usage: ct_unhelp SRC SPORT DST DPORT\n");
		return 1;
	}
	sport = htons((unsigned short)atoi(argv[2]));
	dport = htons((unsigned short)atoi(argv[4]));

	nf = (struct nfgenmsg *)(m.b + m.len);
	nf->nfgen_family = AF_INET;
	nf->version = NFNETLINK_V0;
	nf->res_id = 0;
	m.len += NLMSG_ALIGN(sizeof(*nf));

	tuple = nest_start(&m, CTA_TUPLE_ORIG);
	ip = nest_start(&m, CTA_TUPLE_IP);
	put_attr(&m, CTA_IP_V4_SRC, &src.s_addr, 4);
	put_attr(&m, CTA_IP_V4_DST, &dst.s_addr, 4);
	nest_end(&m, ip);
	l4 = nest_start(&m, CTA_TUPLE_PROTO);
	put_attr(&m, CTA_PROTO_NUM, &proto, 1);
	put_attr(&m, CTA_PROTO_SRC_PORT, &sport, 2);
	put_attr(&m, CTA_PROTO_DST_PORT, &dport, 2);
	nest_end(&m, l4);
	nest_end(&m, tuple);
	help = nest_start(&m, CTA_HELP);
	put_attr(&m, CTA_HELP_NAME, "", 1);
	nest_end(&m, help);

	nh->nlmsg_len = (unsigned int)m.len;
	nh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (sendto(fd, m.b, m.len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		perror("sendto");
		return 1;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*err))) {
		perror("recv");
		return 1;
	}
	nh = (struct nlmsghdr *)reply;
	if (nh->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "ct_unhelp: unexpected reply %u\n",
			nh->nlmsg_type);
		return 1;
	}
	err = NLMSG_DATA(nh);
	if (err->error) {
		fprintf(stderr, "ct_unhelp: %s\n", strerror(-err->error));
		return 1;
	}
	printf("ct_unhelp: helper detached from %s:%s -> %s:%s\n", argv[1],
	       argv[2], argv[3], argv[4]);
	close(fd);
	return 0;
}
