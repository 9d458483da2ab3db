/* SPDX-License-Identifier: BSD-3-Clause */
/* sweep.h - expire what no packet came back for. */
#ifndef WIRELAT_SWEEP_H
#define WIRELAT_SWEEP_H

#include <stdint.h>
#include "state.h"

/*
 * Apply the timeout rules of include/handshake.bpf.h and include/dns.bpf.h
 * to every pending handshake and query by @clock_ns (monotonic live, the
 * capture's highest timestamp offline). Timeout records go to run->emit in
 * deadline order, table by table. With @eof (offline, end of file) every
 * connection still open closes with "eof". Returns the number emitted or
 * -errno.
 */
int wl_sweep(struct wl_run *run, uint64_t clock_ns, int eof);

#endif /* WIRELAT_SWEEP_H */
