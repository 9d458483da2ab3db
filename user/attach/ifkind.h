/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifkind.h - what kind of device an interface is, for --ingress auto:
 * native XDP on a NIC's own driver, TC ingress on everything virtual.
 */
#ifndef WIRELAT_IFKIND_H
#define WIRELAT_IFKIND_H

#include <stdbool.h>

struct wl_ifkind {
	char kind[32];		/* IFLA_INFO_KIND: "veth", "bridge"...; "" none */
	char driver[32];	/* ETHTOOL_GDRVINFO driver; "" unknown */
	bool is_virtual;	/* made by a link type, or no bus behind it */
	bool native_xdp_costly;	/* a NIC whose native XDP turns offloads off */
};

/*
 * Look at interface @ifindex (@ifname) in this network namespace: its
 * rtnetlink link kind and its driver. Returns 0, or -errno when neither
 * could be read (the caller then treats it as virtual).
 */
int wl_ifkind(int ifindex, const char *ifname, struct wl_ifkind *k);

/* One short phrase for the watching line: "a veth device", "driver ixgbe". */
const char *wl_ifkind_name(const struct wl_ifkind *k, char *buf, int size);

#endif /* WIRELAT_IFKIND_H */
