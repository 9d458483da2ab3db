/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top_table.h - the tables of `wirelat top`: the who-is-slow series of a
 * /metrics page read back into rows (one per named key, summed over the
 * interfaces) and drawn sorted.
 */
#ifndef WIRELAT_TOP_TABLE_H
#define WIRELAT_TOP_TABLE_H

#include <stdbool.h>
#include <stdio.h>
#include "hist.h"

#define WL_TOP_ROWS_MAX 4096
#define WL_TOP_NAME_MAX 256

enum { WL_TOP_SERVERS, WL_TOP_DOMAINS, WL_TOP_DNS, WL_TOP_TABLES };

enum wl_top_sort {
	WL_TOP_P99,
	WL_TOP_P50,
	WL_TOP_COUNT,
	WL_TOP_FAILURES,
	WL_TOP_RETRANS,
	WL_TOP_ACCQ,
};

struct wl_top_row {
	char name[WL_TOP_NAME_MAX];
	double bucket[WL_HIST_BUCKETS];	/* cumulative, summed over interfaces */
	double count;			/* latency observations */
	double failures;
	double segments, retransmits;
	double accept_queue_drops;	/* SYN-ACKs after the ACK */
	double p50, p99;
	double st_bucket[WL_HIST_BUCKETS];	/* server time (DNS servers) */
	double st_p99;
};

struct wl_top_view {
	struct wl_top_row *rows[WL_TOP_TABLES];
	int n[WL_TOP_TABLES];
	enum wl_top_sort sort;
	int max_rows;
	const char *source;
	bool tty;
};

/* Forget the rows of the last page. */
void wl_top_reset(struct wl_top_view *v);

/* The series of a /metrics @page into @v's rows. 0 or -errno. */
int wl_top_parse(struct wl_top_view *v, const char *page);

/* The tables, sorted by v->sort, at most v->max_rows each. */
void wl_top_render(struct wl_top_view *v, FILE *f);

#endif /* WIRELAT_TOP_TABLE_H */
