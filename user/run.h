/* SPDX-License-Identifier: BSD-3-Clause */
/* run.h - one whole run of wirelat (live or offline), for main and top. */
#ifndef WIRELAT_RUN_H
#define WIRELAT_RUN_H

#include <stdio.h>
#include "core/config.h"

struct wl_run;

/*
 * Load, attach or replay, print records to @out until told to stop (or
 * the capture ends), write --metrics-out, detach. @tick, when set, runs
 * every second live and once at the end. Returns the exit status.
 */
int wl_run_main(const struct wl_config *cfg, FILE *out,
		void (*tick)(struct wl_run *run, void *ctx), void *ctx);

#endif /* WIRELAT_RUN_H */
