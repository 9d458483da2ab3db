// SPDX-License-Identifier: BSD-3-Clause
/*
 * prom_format.c - the pieces of the Prometheus text format (0.0.4) every
 * writer of series uses: HELP and TYPE, classic histograms with the fixed
 * buckets of include/hist.h in seconds, the interface label.
 */
#include <math.h>
#include <stdint.h>
#include "output/prom_format.h"

const char *wl_prom_slot_name(struct wl_run *run, int slot)
{
	if (run->cfg->read_file)
		return "pcap";
	return slot < run->n_slots ? run->ifname[slot] : "other";
}

void wl_prom_header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void wl_prom_histogram(FILE *f, const char *name, const char *labels,
		      const struct wl_hist *h)
{
	const char *sep = *labels ? "," : "";	/* a series without labels */
	uint64_t cum = 0;
	int k;

	for (k = 0; k < WL_HIST_FINITE; k++) {
		cum += h->bucket[k];
		fprintf(f, "%s_bucket{%s%sle=\"%.6g\"} %llu\n", name, labels,
			sep, 1e-5 * pow(2.0, k / 2.0), (unsigned long long)cum);
	}
	cum += h->bucket[WL_HIST_FINITE];
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		(unsigned long long)cum);
	if (*labels) {
		fprintf(f, "%s_sum{%s} %.9f\n", name, labels, h->sum_ns / 1e9);
		fprintf(f, "%s_count{%s} %llu\n", name, labels,
			(unsigned long long)cum);
	} else {
		fprintf(f, "%s_sum %.9f\n", name, h->sum_ns / 1e9);
		fprintf(f, "%s_count %llu\n", name, (unsigned long long)cum);
	}
}
