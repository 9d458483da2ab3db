// SPDX-License-Identifier: BSD-3-Clause
/*
 * ifkind.c - is an interface a NIC's own driver or a virtual device?
 *
 * --ingress auto needs to know, because native XDP on a virtual device
 * costs the traffic its segmentation offload: on a veth the peer stops
 * sending GSO super-packets once an XDP program is attached (12x less TCP
 * throughput here), and virtio_net turns the host's receive offloads
 * (GUEST_TSO, GUEST_CSUM) off. The rule, from what the kernel says about
 * the interface in wirelat's own network namespace (no sysfs, which may
 * show another namespace):
 *
 *   - a link kind (IFLA_INFO_KIND: veth, bridge, tun, macvlan, ipvlan,
 *     vxlan, geneve, bond, vlan, wireguard, netkit...): virtual. Every
 *     device made through rtnetlink has one; a NIC driver's has none.
 *   - no kind, and the driver (ETHTOOL_GDRVINFO) names no bus
 *     (bus_info empty or "N/A"), or cannot be asked: virtual.
 *   - otherwise a NIC; virtio_net is one whose native XDP turns offloads
 *     off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include "attach/ifkind.h"

/* IFLA_INFO_KIND inside the IFLA_LINKINFO of one RTM_NEWLINK message. */
static void kind_of_msg(struct nlmsghdr *nh, char *kind, size_t size)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *rta, *sub;
	int sublen;

	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if ((rta->rta_type & NLA_TYPE_MASK) != IFLA_LINKINFO)
			continue;
		sublen = RTA_PAYLOAD(rta);
		for (sub = RTA_DATA(rta); RTA_OK(sub, sublen);
		     sub = RTA_NEXT(sub, sublen)) {
			if ((sub->rta_type & NLA_TYPE_MASK) != IFLA_INFO_KIND)
				continue;
			snprintf(kind, size, "%.*s", (int)RTA_PAYLOAD(sub),
				 (char *)RTA_DATA(sub));
			return;
		}
	}
}

/*
 * The link kind of @ifindex into @kind ("" when it has none), by an
 * RTM_GETLINK request. Returns 0 or -errno.
 */
static int link_kind(int ifindex, char *kind, size_t size)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST,
		.nh.nlmsg_seq = 1,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};
	static char buf[32768] __attribute__((aligned(4)));
	struct nlmsghdr *nh;
	ssize_t len;
	int fd, err = -ENOENT;

	kind[0] = 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0) {
		err = -errno;
		goto out;
	}
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
	     nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			err = e->error ? e->error : -EIO;
			break;
		}
		if (nh->nlmsg_type == RTM_NEWLINK) {
			kind_of_msg(nh, kind, size);
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}

/* Driver name and bus of @ifname (SIOCETHTOOL). Returns 0 or -errno. */
static int drvinfo(const char *ifname, struct ethtool_drvinfo *di)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	memset(di, 0, sizeof(*di));
	di->cmd = ETHTOOL_GDRVINFO;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)di;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

int wl_ifkind(int ifindex, const char *ifname, struct wl_ifkind *k)
{
	struct ethtool_drvinfo di;
	int kerr, derr;

	memset(k, 0, sizeof(*k));
	kerr = link_kind(ifindex, k->kind, sizeof(k->kind));
	derr = drvinfo(ifname, &di);
	if (!derr)
		snprintf(k->driver, sizeof(k->driver), "%.*s",
			 (int)sizeof(di.driver), di.driver);
	if (k->kind[0] || derr || !di.bus_info[0] ||
	    !strcmp(di.bus_info, "N/A")) {
		k->is_virtual = true;
		return kerr && derr ? kerr : 0;
	}
	k->native_xdp_costly = !strcmp(k->driver, "virtio_net");
	return 0;
}

const char *wl_ifkind_name(const struct wl_ifkind *k, char *buf, int size)
{
	if (k->kind[0])
		snprintf(buf, size, "a %s device", k->kind);
	else if (k->is_virtual && k->driver[0])
		snprintf(buf, size, "a virtual device (driver %s)", k->driver);
	else if (k->is_virtual)
		snprintf(buf, size, "a device of unknown kind");
	else
		snprintf(buf, size, "driver %s", k->driver);
	return buf;
}
