// SPDX-License-Identifier: BSD-3-Clause
/*
 * top_table.c - the tables of `wirelat top` (top_table.h): the /metrics
 * text parsed back into rows, quantiles estimated from the buckets as
 * Prometheus's histogram_quantile() does, the rows sorted and drawn (a
 * terminal is cleared and redrawn, anything else gets plain text).
 */
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output/top_table.h"

static const char *const table_title[WL_TOP_TABLES] = {
	"SERVER", "DOMAIN", "DNS SERVER",
};

static struct wl_top_row *row_of(struct wl_top_view *v, int t, const char *name)
{
	int i;

	for (i = 0; i < v->n[t]; i++)
		if (!strcmp(v->rows[t][i].name, name))
			return &v->rows[t][i];
	if (v->n[t] >= WL_TOP_ROWS_MAX)
		return NULL;
	memset(&v->rows[t][i], 0, sizeof(v->rows[t][i]));
	snprintf(v->rows[t][i].name, WL_TOP_NAME_MAX, "%s", name);
	v->n[t]++;
	return &v->rows[t][i];
}

/* The value of label @key in "{a="x",b="y"}" into @out (unescaped). */
static bool label(const char *labels, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t o = 0;

	snprintf(pat, sizeof(pat), "%s=\"", key);
	p = strstr(labels, pat);
	/* a match at the start or after a comma, not inside another name */
	while (p && p != labels && p[-1] != ',' && p[-1] != '{')
		p = strstr(p + 1, pat);
	if (!p)
		return false;
	for (p += strlen(pat); *p && *p != '"' && o + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[o++] = *p;
	}
	out[o] = 0;
	return true;
}

/* Index of the bucket whose printed le is @le (as output/prom_format.c prints it). */
static int bucket_index(const char *le)
{
	char buf[32];
	int k;

	if (!strcmp(le, "+Inf"))
		return WL_HIST_FINITE;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		snprintf(buf, sizeof(buf), "%.6g", 1e-5 * pow(2.0, k / 2.0));
		if (!strcmp(buf, le))
			return k;
	}
	return -1;
}

static const struct {
	const char *metric;
	int table;
	const char *label;
} hist_metrics[] = {
	{ "wirelat_server_handshake_seconds", WL_TOP_SERVERS, "server" },
	{ "wirelat_dns_domain_response_seconds", WL_TOP_DOMAINS, "domain" },
	{ "wirelat_dns_server_response_seconds", WL_TOP_DNS, "server" },
};

/* One line of the exposition format into the rows. */
static void parse_line(struct wl_top_view *v, const char *line)
{
	char name[128], labels[1024], key[WL_TOP_NAME_MAX], le[32];
	const char *brace = strchr(line, '{'), *end;
	struct wl_top_row *r;
	double val;
	size_t i, nlen;

	if (line[0] == '#' || !brace)
		return;
	end = strrchr(line, '}');
	if (!end || end < brace)
		return;
	nlen = brace - line;
	if (nlen >= sizeof(name) || (size_t)(end - brace) >= sizeof(labels))
		return;
	memcpy(name, line, nlen);
	name[nlen] = 0;
	memcpy(labels, brace, end - brace + 1);
	labels[end - brace + 1] = 0;
	val = strtod(end + 1, NULL);
	for (i = 0; i < sizeof(hist_metrics) / sizeof(hist_metrics[0]); i++) {
		size_t ml = strlen(hist_metrics[i].metric);

		if (strncmp(name, hist_metrics[i].metric, ml) ||
		    !label(labels, hist_metrics[i].label, key, sizeof(key)) ||
		    !strcmp(key, "other"))
			continue;
		r = row_of(v, hist_metrics[i].table, key);
		if (!r)
			return;
		if (!strcmp(name + ml, "_bucket") && label(labels, "le", le, sizeof(le))) {
			int k = bucket_index(le);

			if (k >= 0)
				r->bucket[k] += val;
		} else if (!strcmp(name + ml, "_count")) {
			r->count += val;
		}
		return;
	}
	if ((!strcmp(name, "wirelat_dns_server_time_seconds_bucket") ||
	     !strcmp(name, "wirelat_server_time_seconds_bucket")) &&
	    label(labels, "server", key, sizeof(key)) && strcmp(key, "other") &&
	    label(labels, "le", le, sizeof(le))) {
		int k = bucket_index(le);

		if (k >= 0 && (r = row_of(v, name[8] == 'd' ? WL_TOP_DNS : WL_TOP_SERVERS, key)))
			r->st_bucket[k] += val;
		return;
	}
	if (!strcmp(name, "wirelat_server_failures_total") &&
	    label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, WL_TOP_SERVERS, key)))
			r->failures += val;
	} else if (!strcmp(name, "wirelat_dns_domain_failures_total") &&
		   label(labels, "domain", key, sizeof(key)) && strcmp(key, "other")) {
		/* NXDOMAIN is an answer, not the domain failing: timeouts and SERVFAIL */
		if (label(labels, "reason", le, sizeof(le)) && strcmp(le, "nxdomain") &&
		    (r = row_of(v, WL_TOP_DOMAINS, key)))
			r->failures += val;
	} else if (!strcmp(name, "wirelat_server_accept_queue_drops_total") &&
		   label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, WL_TOP_SERVERS, key)))
			r->accept_queue_drops += val;
	} else if ((!strcmp(name, "wirelat_server_segments_total") ||
		    !strcmp(name, "wirelat_server_retransmits_total")) &&
		   label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, WL_TOP_SERVERS, key))) {
			if (!strcmp(name, "wirelat_server_segments_total"))
				r->segments += val;
			else
				r->retransmits += val;
		}
	}
}

/* histogram_quantile(): linear inside the bucket that holds rank q. */
static double quantile_of(const double *bucket, double q)
{
	double total = bucket[WL_HIST_FINITE], rank = q * total, lo = 0, prev = 0;
	int k;

	if (total <= 0)
		return NAN;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		double hi = 1e-5 * pow(2.0, k / 2.0);

		if (bucket[k] >= rank) {
			double in = bucket[k] - prev;

			return in > 0 ? lo + (hi - lo) * (rank - prev) / in : hi;
		}
		lo = hi;
		prev = bucket[k];
	}
	return lo;	/* in +Inf: the highest finite bound, as Prometheus */
}

static double quantile(const struct wl_top_row *r, double q)
{
	return quantile_of(r->bucket, q);
}

int wl_top_parse(struct wl_top_view *v, const char *page)
{
	const char *p = page;
	char line[2048];
	int t, i;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = 0;
			parse_line(v, line);
		}
		p += len + (nl ? 1 : 0);
	}
	for (t = 0; t < WL_TOP_TABLES; t++)
		for (i = 0; i < v->n[t]; i++) {
			v->rows[t][i].p50 = quantile(&v->rows[t][i], 0.5);
			v->rows[t][i].p99 = quantile(&v->rows[t][i], 0.99);
			v->rows[t][i].st_p99 = quantile_of(v->rows[t][i].st_bucket, 0.99);
		}
	return 0;
}

static double sort_value(const struct wl_top_row *r, enum wl_top_sort k)
{
	double v;

	switch (k) {
	case WL_TOP_P50:
		v = r->p50;
		break;
	case WL_TOP_COUNT:
		v = r->count + r->failures;
		break;
	case WL_TOP_FAILURES:
		v = r->failures;
		break;
	case WL_TOP_RETRANS:
		v = r->segments > 0 ? r->retransmits / r->segments : -1;
		break;
	case WL_TOP_ACCQ:
		v = r->accept_queue_drops;
		break;
	default:
		v = r->p99;
		break;
	}
	return isnan(v) ? -1 : v;
}

static int by_key(const void *a, const void *b, void *arg)
{
	const struct wl_top_row *x = a, *y = b;
	enum wl_top_sort k = *(const enum wl_top_sort *)arg;
	double vx = sort_value(x, k), vy = sort_value(y, k);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void fmt_s(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (s < 1)
		snprintf(buf, len, "%.2fms", s * 1e3);
	else
		snprintf(buf, len, "%.2fs", s);
}

/*
 * Where the time goes: of a DNS server's p99, the server's part (its time
 * beyond its own baseline) and the network's (the rest); of a TCP server,
 * the p99 of its turns' server time, and its handshake p99 as the
 * network's (a SYN-ACK comes from the kernel, not the application).
 */
static void split(FILE *f, const struct wl_top_row *r, int dns)
{
	char a[32], b[32];
	double net = r->p99;

	if (dns)
		net = isnan(r->st_p99) || isnan(r->p99) ? NAN :
		      r->p99 > r->st_p99 ? r->p99 - r->st_p99 : 0;
	fmt_s(a, sizeof(a), r->st_p99);
	fmt_s(b, sizeof(b), net);
	fprintf(f, " %8s %8s", a, b);
}

void wl_top_render(struct wl_top_view *v, FILE *f)
{
	static const char *const sort_name[] = { "p99", "p50", "count",
						  "failures", "retrans",
						  "accq" };
	char ts[40], a[32], b[32], c[32];
	time_t now = time(NULL);
	int t, i;

	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	if (v->tty)
		fputs("\033[H\033[2J", f);	/* home, clear */
	fprintf(f, "wirelat top - %s - %s - sorted by %s%s\n", v->source, ts,
		sort_name[v->sort], v->tty ? " (Ctrl-C quits)" : "");
	for (t = 0; t < WL_TOP_TABLES; t++) {
		qsort_r(v->rows[t], v->n[t], sizeof(struct wl_top_row), by_key, &v->sort);
		fprintf(f, "\n%-40s %8s %10s %10s", table_title[t], "COUNT",
			"P50", "P99");
		fprintf(f, "%s\n", t == WL_TOP_SERVERS ? "     FAIL   RETX%   ACCQ  SRV P99  NETWORK" :
				  t == WL_TOP_DOMAINS ? "     FAIL" :
						   "  SRV P99  NETWORK");
		if (!v->n[t])
			fprintf(f, "(none yet)\n");
		for (i = 0; i < v->n[t] && i < v->max_rows; i++) {
			const struct wl_top_row *r = &v->rows[t][i];

			fmt_s(a, sizeof(a), r->p50);
			fmt_s(b, sizeof(b), r->p99);
			snprintf(c, sizeof(c), "%.0f", r->failures);
			fprintf(f, "%-40.40s %8.0f %10s %10s", r->name,
				r->count + r->failures, a, b);
			if (t != WL_TOP_DNS)
				fprintf(f, " %8s", c);
			if (t == WL_TOP_SERVERS) {
				if (r->segments > 0)
					fprintf(f, " %7.2f", 100.0 * r->retransmits / r->segments);
				else
					fprintf(f, " %7s", "-");
				fprintf(f, " %6.0f", r->accept_queue_drops);
			}
			if (t != WL_TOP_DOMAINS)
				split(f, r, t == WL_TOP_DNS);
			fputc('\n', f);
		}
	}
	fflush(f);
}

void wl_top_reset(struct wl_top_view *v)
{
	int t;

	for (t = 0; t < WL_TOP_TABLES; t++)
		v->n[t] = 0;
}
