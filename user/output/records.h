/* SPDX-License-Identifier: BSD-3-Clause */
/* output.h - records as JSON lines or aligned text. */
#ifndef WIRELAT_OUTPUT_H
#define WIRELAT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "wirelat.h"

struct wl_listen;

struct wl_output {
	FILE *f;
	bool json;
	int64_t ts_offset_ns;	/* added to record ts: monotonic -> wall */
	const char *fixed_ifname;	/* offline: "pcap" */
	uint32_t ifindex[WL_MAX_IFACES];
	const char *ifname[WL_MAX_IFACES];
	int n_ifaces;
	bool flush_each;	/* live: a line as soon as it is known */
	bool broken;		/* a write failed (EPIPE: the reader is gone) */
	uint64_t written;
	/* told of every record as it is printed (the who-is-slow tables) */
	void (*observe)(void *ctx, const struct wl_record *r);
	void *observe_ctx;
	/* live: the local listeners a slow handshake may name (listen.c) */
	struct wl_listen *listen;
};

/*
 * Copy a ring buffer record of @size bytes (a TCP record stops before the
 * qname) into @r, zero-filled. Returns 1, or 0 for a size that is no record.
 */
int wl_record_copy(struct wl_record *r, const void *data, size_t size);

/* Print one record (a line; flushed when flush_each). */
void wl_output_record(struct wl_output *o, const struct wl_record *r);

/*
 * Live: map the monotonic clock of bpf_ktime_get_ns() to wall time as it
 * is now. Called every loop turn, so a clock step (NTP at boot, an admin's
 * date -s) shows in the next record's ts, not after a restart.
 */
void wl_output_sync_clock(struct wl_output *o);

/* RFC 3339 UTC, exactly six fractional digits (truncated), 'Z'. */
void wl_format_ts(uint64_t ns, char *buf, size_t len);

#endif /* WIRELAT_OUTPUT_H */
