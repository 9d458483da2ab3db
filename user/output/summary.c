// SPDX-License-Identifier: BSD-3-Clause
/* summary.c - a readable line of totals, from the same maps as /metrics. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output/prom.h"
#include "output/summary.h"
#include "metrics/who.h"

/* Upper bound (seconds) of the bucket holding quantile @q of @h. */
double wl_hist_quantile(const struct wl_hist *h, double q)
{
	uint64_t total = 0, cum = 0;
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++)
		total += h->bucket[k];
	if (!total)
		return NAN;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		cum += h->bucket[k];
		if (cum >= q * total)
			return 1e-5 * pow(2.0, k / 2.0);
	}
	return INFINITY;
}

static void add_hist(struct wl_hist *to, const struct wl_hist *from)
{
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++)
		to->bucket[k] += from->bucket[k];
	to->sum_ns += from->sum_ns;
}

static void ms(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (isinf(s))
		snprintf(buf, len, ">59s");
	else
		snprintf(buf, len, "%.3gms", s * 1e3);
}

int wl_summary_print(struct wl_run *run, FILE *f)
{
	struct wl_stats *s = calloc(WL_NSLOTS, sizeof(*s)), sum;
	uint64_t hs_ok = 0, hs_fail = 0, dns_ok = 0, dns_to = 0, bad = 0;
	int nslots = run->cfg->read_file ? 1 : WL_NSLOTS, i, r;
	char a[16], b[16], c[16], d[16], slow_tcp[400] = "", slow_dns[400] = "";
	struct wl_hist dns = { 0 };
	int err;

	if (!s)
		return -ENOMEM;
	err = wl_metrics_read(run, s, nslots);
	if (err) {
		free(s);
		return err;
	}
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < nslots; i++) {
		hs_ok += s[i].hs_result[WL_HS_COMPLETED];
		for (r = WL_HS_REFUSED; r <= WL_HS_TIMEOUT; r++)
			hs_fail += s[i].hs_result[r];
		for (r = 0; r < WL_RC_MAX; r++) {
			dns_ok += s[i].dns_responses[r];
			add_hist(&dns, &s[i].hist[WL_H_DNS + r]);
		}
		dns_to += s[i].dns_timeouts + s[i].dns_unreachable;
		add_hist(&sum.hist[WL_H_HANDSHAKE], &s[i].hist[WL_H_HANDSHAKE]);
		for (r = 0; r < WL_DIR_MAX; r++)
			bad += s[i].packets[r][WL_PKT_MALFORMED];
	}
	ms(a, sizeof(a), wl_hist_quantile(&sum.hist[WL_H_HANDSHAKE], 0.5));
	ms(b, sizeof(b), wl_hist_quantile(&sum.hist[WL_H_HANDSHAKE], 0.99));
	ms(c, sizeof(c), wl_hist_quantile(&dns, 0.5));
	ms(d, sizeof(d), wl_hist_quantile(&dns, 0.99));
	if (run->who) {
		wl_who_slowest(run->who, 0, slow_tcp, sizeof(slow_tcp));
		wl_who_slowest(run->who, 1, slow_dns, sizeof(slow_dns));
	}
	fprintf(f,
		"-- handshakes %llu ok %llu failed (p50 %s p99 %s) | dns %llu answered %llu timed out (p50 %s p99 %s) | %llu connections open | %llu malformed",
		(unsigned long long)hs_ok, (unsigned long long)hs_fail, a, b,
		(unsigned long long)dns_ok, (unsigned long long)dns_to, c, d,
		(unsigned long long)run->table_entries[WL_T_CONNS],
		(unsigned long long)bad);
	/* where the time goes: the slowest server of each kind, split */
	if (slow_tcp[0])
		fprintf(f, " | slowest server %s", slow_tcp);
	if (slow_dns[0])
		fprintf(f, " | slowest DNS server %s", slow_dns);
	fputc('\n', f);
	fflush(f);
	free(s);
	return 0;
}
