/* SPDX-License-Identifier: BSD-3-Clause */
/* offline.h - analyse a capture file with the XDP program (-r). */
#ifndef WIRELAT_OFFLINE_H
#define WIRELAT_OFFLINE_H

#include "core/state.h"

/*
 * Replay every packet of run->cfg->read_file through the XDP program with
 * BPF_PROG_TEST_RUN, with its own timestamp. Returns 0, or -errno after
 * one line on stderr (records produced until then are printed).
 */
int wl_offline_run(struct wl_run *run);

/*
 * The replay threads -j asks for (cfg->jobs; 0: the online CPUs, fewer
 * for a capture file under 16 MB a thread: see offline.c). With
 * more than one, wl_offline_run() loads a BPF object per thread and
 * run->skel stays NULL; with one, it replays through run->skel.
 */
int wl_offline_jobs(const struct wl_config *cfg);

#endif /* WIRELAT_OFFLINE_H */
