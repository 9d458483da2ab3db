// SPDX-License-Identifier: BSD-3-Clause
/* summary.c - a readable line of totals, from the snapshot /metrics shows. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "metrics/histogram.h"
#include "metrics/snapshot.h"
#include "metrics/who.h"
#include "output/summary.h"

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
	struct wl_snapshot *sn;
	const struct wl_stats *s;
	struct wl_stats sum;
	uint64_t hs_ok = 0, hs_fail = 0, dns_ok = 0, dns_to = 0, bad = 0;
	int nslots = run->cfg->read_file ? 1 : WL_NSLOTS, i, r;
	char a[16], b[16], c[16], d[16], slow_tcp[400] = "", slow_dns[400] = "";
	struct wl_hist dns = { 0 };
	int err;

	sn = wl_snapshot_take(run, &err);
	if (!sn)
		return err;
	s = sn->s;
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < nslots; i++) {
		hs_ok += s[i].hs_result[WL_HS_COMPLETED];
		for (r = WL_HS_REFUSED; r <= WL_HS_TIMEOUT; r++)
			hs_fail += s[i].hs_result[r];
		for (r = 0; r < WL_RC_MAX; r++) {
			dns_ok += s[i].dns_responses[r];
			wl_hist_merge(&dns, &s[i].hist[WL_H_DNS + r]);
		}
		dns_to += s[i].dns_timeouts + s[i].dns_unreachable;
		wl_hist_merge(&sum.hist[WL_H_HANDSHAKE], &s[i].hist[WL_H_HANDSHAKE]);
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
		(unsigned long long)sn->entries[WL_T_CONNS],
		(unsigned long long)bad);
	/* where the time goes: the slowest server of each kind, split */
	if (slow_tcp[0])
		fprintf(f, " | slowest server %s", slow_tcp);
	if (slow_dns[0])
		fprintf(f, " | slowest DNS server %s", slow_dns);
	fputc('\n', f);
	fflush(f);
	free(sn);
	return 0;
}
