// SPDX-License-Identifier: GPL-2.0
/*
 * tc_ct_helper INDEX HELPER [SNAT-ADDR]: create the tc action
 * "ct commit [nat src addr SNAT-ADDR] helper ipv4-tcp-HELPER" with index
 * INDEX (RTM_NEWACTION), the way act_ct sees it from iproute2 >= 6.2.
 * The guests carry Debian 12's iproute2 6.1, whose tc has no "helper"
 * option. Prints the kernel's extended ACK message on failure and exits 1.
 * Remove the action with "tc actions delete action ct index INDEX".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_ct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* UAPI of 6.2+, missing from the 6.1 headers this builds against. */
enum {
	CT_HELPER_NAME = TCA_CT_PAD + 1,
	CT_HELPER_FAMILY,
	CT_HELPER_PROTO,
};

static struct {
	struct nlmsghdr nh;
	struct tcamsg tca;
	char buf[1024];
} req;

static struct nlattr *put(int type, const void *data, size_t len)
{
	struct nlattr *a = (void *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static struct nlattr *nest(int type)
{
	return put(type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct nlattr *a)
{
	a->nla_len = (char *)&req + req.nh.nlmsg_len - (char *)a;
}

/* The kernel's answer: 0, or -errno with its extended ACK message shown. */
static int ack(int fd)
{
	char rbuf[8192];
	struct nlmsghdr *h = (void *)rbuf;
	struct nlmsgerr *e;
	struct nlattr *a;
	ssize_t n;
	int left;

	n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(*e)) ||
	    h->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "tc_ct_helper: no netlink ACK\n");
		return -EIO;
	}
	e = NLMSG_DATA(h);
	if (!e->error)
		return 0;
	/* Extended ACK attributes follow the echoed request header. */
	a = (void *)((char *)e + sizeof(*e));
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		a = (void *)((char *)a + NLMSG_ALIGN(e->msg.nlmsg_len) -
			     NLMSG_HDRLEN);
	left = (char *)h + h->nlmsg_len - (char *)a;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= left) {
			if (a->nla_type == NLMSGERR_ATTR_MSG)
				fprintf(stderr, "kernel: %s\n",
					(char *)a + NLA_HDRLEN);
			left -= NLA_ALIGN(a->nla_len);
			a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
		}
	}
	fprintf(stderr, "tc_ct_helper: %s\n", strerror(-e->error));
	return e->error;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct tc_ct parm = { .action = TC_ACT_PIPE };
	struct nlattr *tab, *act, *opt;
	__u16 flags = TCA_CT_ACT_COMMIT;
	__u8 family = AF_INET, proto = IPPROTO_TCP;
	struct in_addr snat;
	int fd, one = 1;

	if (argc < 3 || argc > 4 || strlen(argv[2]) >= 16 ||
	    (argc == 4 && inet_pton(AF_INET, argv[3], &snat) != 1)) {
		fprintf(stderr, "usage: tc_ct_helper INDEX HELPER [SNAT-ADDR]\n");
		return 2;
	}
	parm.index = strtoul(argv[1], NULL, 0);

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tca));
	req.nh.nlmsg_type = RTM_NEWACTION;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			     NLM_F_EXCL;
	req.tca.tca_family = AF_UNSPEC;
	tab = nest(TCA_ACT_TAB);
	act = nest(1);
	put(TCA_ACT_KIND, "ct", 3);
	opt = nest(TCA_ACT_OPTIONS);
	put(TCA_CT_PARMS, &parm, sizeof(parm));
	if (argc == 4) {
		flags |= TCA_CT_ACT_NAT | TCA_CT_ACT_NAT_SRC;
		put(TCA_CT_NAT_IPV4_MIN, &snat, sizeof(snat));
		put(TCA_CT_NAT_IPV4_MAX, &snat, sizeof(snat));
	}
	put(TCA_CT_ACTION, &flags, sizeof(flags));
	put(CT_HELPER_NAME, argv[2], strlen(argv[2]) + 1);
	put(CT_HELPER_FAMILY, &family, sizeof(family));
	put(CT_HELPER_PROTO, &proto, sizeof(proto));
	nest_end(opt);
	nest_end(act);
	nest_end(tab);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		perror("sendto");
		return 1;
	}
	return ack(fd) ? 1 : 0;
}
