/* SPDX-License-Identifier: BSD-3-Clause */
/* prom_format.h - the pieces of the Prometheus text format. */
#ifndef WIRELAT_PROM_FORMAT_H
#define WIRELAT_PROM_FORMAT_H

#include <stdio.h>
#include "core/state.h"

/* A slot's interface label: the interface, "pcap" offline, "other". */
const char *wl_prom_slot_name(struct wl_run *run, int slot);

/* "# HELP" and "# TYPE" lines of a metric. */
void wl_prom_header(FILE *f, const char *name, const char *type,
		    const char *help);

/* The _bucket, _sum and _count lines of @h; @labels may be "". */
void wl_prom_histogram(FILE *f, const char *name, const char *labels,
		       const struct wl_hist *h);

#endif /* WIRELAT_PROM_FORMAT_H */
