/* SPDX-License-Identifier: BSD-3-Clause */
/* load.h - the one BPF object: opened, configured from the run, loaded. */
#ifndef WIRELAT_LOAD_H
#define WIRELAT_LOAD_H

#include "core/state.h"

struct wirelat;

/*
 * Open the skeleton after probing the kernel (user/kernel/probe.c), set rodata
 * from the config (offline or live with the run's interfaces), size the
 * maps and choose the programs to load, into *@skel. Returns 0 or -errno
 * with one line printed. wl_bpf_load() then loads; a tool that loads
 * programs one by one (tests/kernels) starts from here.
 */
int wl_bpf_open(struct wl_run *run, int offline, struct wirelat **skel);

/*
 * Open the skeleton, set rodata from the config (offline or live with the
 * run's interfaces), size the maps and load. Returns 0 or -errno with one
 * line printed.
 */
int wl_bpf_load(struct wl_run *run, int offline);

/*
 * Only the kernel's probe, with libbpf's messages routed as a load routes
 * them: what -j asks once before its threads each load (one line for a
 * missing feature or privilege, not one a thread). 0 or -errno.
 */
int wl_bpf_probe(int offline);

void wl_bpf_destroy(struct wl_run *run);

#endif /* WIRELAT_LOAD_H */
