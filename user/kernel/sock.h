/* SPDX-License-Identifier: BSD-3-Clause */
/* sock.h - the socket-layer fallback path: choose, load, attach, detach. */
#ifndef WIRELAT_SOCK_H
#define WIRELAT_SOCK_H

#include "core/state.h"

struct wirelat;

extern const char *const wl_sock_mode_name[];

/*
 * Before the object loads: resolve --sock against what the kernel has
 * (offline: off), load only the programs that will be used, size the
 * socket path's maps and tell it wirelat's network namespace. Returns 0,
 * or -errno after one line naming the missing kernel feature.
 */
int wl_sock_configure(struct wl_run *run, struct wirelat *skel, int offline);

/* After load: attach the chosen programs. 0 or -errno after one line. */
int wl_sock_attach(struct wl_run *run);

/* Detach whatever wl_sock_attach() attached; safe to call twice. */
void wl_sock_detach(struct wl_run *run);

#endif /* WIRELAT_SOCK_H */
