/* SPDX-License-Identifier: BSD-3-Clause */
/* privs.h - least privilege once the programs are attached. */
#ifndef WIRELAT_PRIVS_H
#define WIRELAT_PRIVS_H

#include "core/state.h"

/*
 * Live, once everything is attached: keep only the capabilities the rest
 * of the run needs (CAP_NET_ADMIN to detach at exit; CAP_BPF where the
 * kernel checks it on every bpf() call, tried here), drop the others from
 * the effective, permitted, inheritable, ambient and (with CAP_SETPCAP)
 * bounding sets, set no_new_privs, and with @user switch to that user's
 * uid and gid (no supplementary groups). Returns 0 or -errno (one line
 * said).
 */
int wl_privs_drop(struct wl_run *run, const char *user);

#endif /* WIRELAT_PRIVS_H */
