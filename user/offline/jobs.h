/* SPDX-License-Identifier: BSD-3-Clause */
/* jobs.h - -j N: the replay split by flow across N threads (jobs.c). */
#ifndef WIRELAT_JOBS_H
#define WIRELAT_JOBS_H

#include "core/state.h"

struct wl_capture;

/*
 * Every frame of @pc through @n shards, each loading a BPF object of its
 * own (run->shards; their counts summed into @run), the records printed
 * in the order one replay prints them. Returns 0, or -errno after one
 * line on stderr (what was measured until then is written).
 */
int wl_jobs_replay(struct wl_run *run, struct wl_capture *pc, const char *path,
		   int n);

#endif /* WIRELAT_JOBS_H */
