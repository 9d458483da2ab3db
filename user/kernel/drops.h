/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drops.h - packets of the watched interfaces the kernel dropped, by the
 * kernel's drop reason (skb:kfree_skb, sock/wirelat_sock.bpf.c): the
 * kernel's side of a lost SYN or ACK (DESIGN.md, "The kernel's side").
 */
#ifndef WIRELAT_DROPS_H
#define WIRELAT_DROPS_H

#include <stdint.h>

struct wl_run;
struct wirelat;

/*
 * Before load: the program loads where skb:kfree_skb has its reason
 * (Linux 5.17 on, checked in BTF); elsewhere one line says so and wirelat
 * runs without it. Live only. Returns 0 or -errno.
 */
int wl_drops_configure(struct wl_run *run, struct wirelat *skel, int offline);

/* After the interfaces: attached (a failure is one line, not fatal). */
void wl_drops_attach(struct wl_run *run);
void wl_drops_detach(void);

#define WL_DROP_REASONS 128	/* as in sock/wirelat_sock.bpf.c; the last: other */

/* The kernel's name of drop reason @reason (NO_SOCKET), NULL if unknown. */
const char *wl_drops_reason_name(int reason);

/*
 * Drops per interface slot and reason, summed over the CPUs, added into
 * @sum[slot][reason]. 1 when counted, 0 when the program is off, -errno.
 */
int wl_drops_read(struct wl_run *run, uint64_t (*sum)[WL_DROP_REASONS]);

#endif /* WIRELAT_DROPS_H */
