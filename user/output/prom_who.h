/* SPDX-License-Identifier: BSD-3-Clause */
/* prom_who.h - the who-is-slow series as Prometheus text. */
#ifndef WIRELAT_PROM_WHO_H
#define WIRELAT_PROM_WHO_H

#include <stdio.h>

struct wl_who;
struct wl_run;
struct wl_snapshot;

/* The series of @w's tables, "other" from @sn's counters per interface. */
void wl_prom_who(struct wl_who *w, FILE *f, struct wl_run *run,
		 const struct wl_snapshot *sn);

#endif /* WIRELAT_PROM_WHO_H */
