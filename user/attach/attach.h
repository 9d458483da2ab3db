/* SPDX-License-Identifier: BSD-3-Clause */
/* attach.h - put the programs on an interface and take them off again. */
#ifndef WIRELAT_ATTACH_H
#define WIRELAT_ATTACH_H

#include <stdbool.h>
#include "core/state.h"

struct xdp_program;

struct wl_attach {
	int ifindex;
	const char *ifname;
	struct xdp_program *xdp;	/* XDP ingress, when attached */
	int xdp_mode;			/* enum xdp_attach_mode used */
	bool tc_ingress;		/* ingress measured on TC instead */
	bool tc_egress;
	bool created_clsact;		/* we made the qdisc: we remove it */
	bool loopback;
	const char *ingress;		/* "xdp", "xdp-skb", "tc" or "none" */
	char why[160];			/* how that hook was chosen */
};

/* TC filters of wirelat sit at this handle and priority on clsact. */
#define WL_TC_HANDLE 0x574c
#define WL_TC_PRIORITY 0x574c

/*
 * Attach ingress on the hook --ingress asks for (auto: native XDP on a
 * NIC's driver that runs it, TC ingress on virtual devices; TC ingress
 * also where another XDP program holds the hook) and TC egress to
 * @a->ifname; loopback gets egress only. Sets @a->ingress and @a->why.
 * Programs a killed wirelat left behind are recognised by name and removed
 * first. Returns 0 or -errno after one line saying what to do.
 */
int wl_attach_iface(struct wl_run *run, struct wl_attach *a);

/* Undo everything wl_attach_iface() did; safe on a partial attach. */
void wl_detach_iface(struct wl_attach *a);

/* Resolve @name: ifindex, or -ENODEV after one line. */
int wl_ifindex(const char *name, bool *loopback);

#endif /* WIRELAT_ATTACH_H */
