/* SPDX-License-Identifier: BSD-3-Clause */
/* records.h - records as JSON lines or aligned text (where they go: struct
 * wl_output, core/state.h). */
#ifndef WIRELAT_RECORDS_H
#define WIRELAT_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "core/state.h"
#include "output/timestamp.h"	/* wl_format_ts() */

/* Print one record (a line; flushed when flush_each). */
void wl_output_record(struct wl_output *o, const struct wl_record *r);

/*
 * Live: map the monotonic clock of bpf_ktime_get_ns() to wall time as it
 * is now. Called every loop turn, so a clock step (NTP at boot, an admin's
 * date -s) shows in the next record's ts, not after a restart.
 */
void wl_output_sync_clock(struct wl_output *o);

#endif /* WIRELAT_RECORDS_H */
