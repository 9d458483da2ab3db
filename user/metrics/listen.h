/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * listen.h - the kernel's side of a slow handshake, where the server is
 * on this host (DESIGN.md, "The kernel's side"): every listening TCP
 * socket's accept queue (length, limit) and drops, read through sock_diag
 * as `ss -lnt` reads them, and the namespace's ListenOverflows,
 * ListenDrops, TCPReqQFullDrop and SyncookiesSent (/proc/net/netstat, as
 * nstat reads them). Both are the network namespace wirelat runs in:
 * watch a server's host by running wirelat in the server's namespace.
 */
#ifndef WIRELAT_LISTEN_H
#define WIRELAT_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "wirelat.h"

struct wl_listen;

/* Sampled every second: a NULL return (no memory) turns it off. */
struct wl_listen *wl_listen_new(void);
void wl_listen_free(struct wl_listen *l);

/* One sample at @now_ns (CLOCK_MONOTONIC); 0 or -errno (one line said). */
int wl_listen_sample(struct wl_listen *l, uint64_t now_ns);

#define WL_LISTEN_PORTS 32	/* ports with series of their own; then "other" */

/* The host's TcpExt counters wirelat reads */
enum wl_netstat {
	WL_NS_OVERFLOWS,	/* ListenOverflows */
	WL_NS_DROPS,		/* ListenDrops */
	WL_NS_REQQFULL,		/* TCPReqQFullDrop */
	WL_NS_COOKIES,		/* SyncookiesSent */
	WL_NS_MAX,
};

/* The last sample: per listening port (bounded, then "other") and the host's. */
struct wl_listen_view {
	bool ok;			/* the last dump worked */
	int nport;			/* ports named, in the order first seen */
	uint16_t port[WL_LISTEN_PORTS];
	/* the listeners on each named port summed; [WL_LISTEN_PORTS]: other */
	uint64_t queue[WL_LISTEN_PORTS + 1];
	uint64_t limit[WL_LISTEN_PORTS + 1];
	uint64_t drops[WL_LISTEN_PORTS + 1];
	bool netstat_ok;
	uint64_t netstat[WL_NS_MAX];
};

void wl_listen_view(struct wl_listen *l, struct wl_listen_view *v);

/*
 * The local listener a slow handshake or a held first turn waited for:
 * when @r waited (SYN retransmissions, SYN-ACKs after the ACK) on a
 * listener of this host whose drops rose between the record's start and
 * now, "ADDR:PORT" in @name and the rise in @drops; 0 when it names none.
 */
int wl_listen_cause(struct wl_listen *l, const struct wl_record *r,
		    char *name, size_t len, uint64_t *drops);

#endif /* WIRELAT_LISTEN_H */
