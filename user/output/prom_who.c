// SPDX-License-Identifier: BSD-3-Clause
/*
 * prom_who.c - the who-is-slow series (metrics/who.h) in the Prometheus
 * text format: each named key's series, then "other" per interface as the
 * global series (the snapshot's) less the named ones, so a sum over the
 * label is the global series.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "metrics/histogram.h"
#include "metrics/snapshot.h"
#include "metrics/who.h"
#include "output/prom_format.h"
#include "output/prom_who.h"

/* A label value: backslash, quote and newline escaped. */
static void label_value(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; *in && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"')
			out[o++] = '\\';
		else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
			continue;
		}
		out[o++] = *in;
	}
	out[o] = 0;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* What one write needs: the named entries of each table, the globals. */
struct who_out {
	struct wl_who *w;
	FILE *f;
	struct wl_run *run;
	const struct wl_stats *s;
	int nslots;
	const struct wl_topn_entry *named[WL_WHO_MAX][1024];
	int n[WL_WHO_MAX];
};

static void labels_of(const struct who_out *o, const char *label,
		      const char *key, int slot, char *buf, size_t len)
{
	char v[2 * WL_TOPN_KEY_MAX];	/* escaping at most doubles it */

	label_value(v, sizeof(v), key);
	snprintf(buf, len, "interface=\"%s\",%s=\"%s\"",
		 wl_prom_slot_name(o->run, slot), label, v);
}

/* A histogram per named key of @table, then "other" per slot from @global. */
static const struct wl_hist *hist_of(const struct wl_topn_entry *e,
				     const char *name)
{
	const struct wl_who_series *d = e->data;

	return strstr(name, "server_time") ? &d->server_time : &d->lat;
}

static void write_hist(struct who_out *o, int table, const char *name,
		       const char *label, const char *help,
		       void (*global)(const struct who_out *, int, struct wl_hist *))
{
	char labels[3 * WL_TOPN_KEY_MAX];
	struct wl_hist other;
	int i, slot;

	wl_prom_header(o->f, name, "histogram", help);
	for (i = 0; i < o->n[table]; i++) {
		const struct wl_topn_entry *e = o->named[table][i];

		if ((int)e->slot >= o->nslots)
			continue;
		labels_of(o, label, e->key, e->slot, labels, sizeof(labels));
		wl_prom_histogram(o->f, name, labels, hist_of(e, name));
	}
	for (slot = 0; slot < o->nslots; slot++) {
		global(o, slot, &other);
		for (i = 0; i < o->n[table]; i++)
			if ((int)o->named[table][i]->slot == slot)
				wl_hist_less(&other, hist_of(o->named[table][i], name));
		labels_of(o, label, "other", slot, labels, sizeof(labels));
		wl_prom_histogram(o->f, name, labels, &other);
	}
}

static void global_handshake(const struct who_out *o, int slot,
			     struct wl_hist *h)
{
	*h = o->s[slot].hist[WL_H_HANDSHAKE];
}

static void global_server_time(const struct who_out *o, int slot,
			       struct wl_hist *h)
{
	*h = o->s[slot].hist[WL_H_SERVER_TIME];
}

/* Every rcode's latencies together. */
static void global_dns(const struct who_out *o, int slot, struct wl_hist *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	for (rc = 0; rc < WL_RC_MAX; rc++)
		wl_hist_merge(h, &o->s[slot].hist[WL_H_DNS + rc]);
}

static void global_dns_server_time(const struct who_out *o, int slot,
				   struct wl_hist *h)
{
	*h = o->w->dns_server_time[slot];
}

/* Counters per named key and reason, then "other" = @global less them. */
static void write_fail(struct who_out *o, int table, const char *name,
		       const char *label, const char *help,
		       const char *const *reasons, const int *index, int nreasons,
		       uint64_t (*global)(const struct who_out *, int, int))
{
	char labels[3 * WL_TOPN_KEY_MAX];
	int i, r, slot;

	wl_prom_header(o->f, name, "counter", help);
	for (r = 0; r < nreasons; r++) {
		for (i = 0; i < o->n[table]; i++) {
			const struct wl_topn_entry *e = o->named[table][i];
			const struct wl_who_series *d = e->data;

			if ((int)e->slot >= o->nslots)
				continue;
			labels_of(o, label, e->key, e->slot, labels, sizeof(labels));
			fprintf(o->f, "%s{%s,reason=\"%s\"} %llu\n", name, labels,
				reasons[r], (unsigned long long)d->fail[index[r]]);
		}
		for (slot = 0; slot < o->nslots; slot++) {
			uint64_t v = global(o, slot, index[r]);

			for (i = 0; i < o->n[table]; i++)
				if ((int)o->named[table][i]->slot == slot)
					v = less(v, ((const struct wl_who_series *)
							     o->named[table][i]->data)->fail[index[r]]);
			labels_of(o, label, "other", slot, labels, sizeof(labels));
			fprintf(o->f, "%s{%s,reason=\"%s\"} %llu\n", name, labels,
				reasons[r], (unsigned long long)v);
		}
	}
}

static uint64_t global_server_fail(const struct who_out *o, int slot,
				   int reason)
{
	static const int hs[WL_FAIL_MAX] = {
		[WL_FAIL_REFUSED] = WL_HS_REFUSED,
		[WL_FAIL_ABORTED] = WL_HS_ABORTED,
		[WL_FAIL_UNREACHABLE] = WL_HS_UNREACHABLE,
		[WL_FAIL_TIMEOUT] = WL_HS_TIMEOUT,
	};

	return o->s[slot].hs_result[hs[reason]];
}

static uint64_t global_domain_fail(const struct who_out *o, int slot,
				   int reason)
{
	const struct wl_stats *s = &o->s[slot];

	switch (reason) {
	case WL_DOM_TIMEOUT:
		return s->dns_timeouts + s->dns_unreachable;
	case WL_DOM_SERVFAIL:
		return s->dns_responses[WL_RC_SERVFAIL];
	default:
		return s->dns_responses[WL_RC_NXDOMAIN];
	}
}

/*
 * A u64 field (at @off) of the named keys of @table as a counter or gauge
 * (@type), then "other" per slot = @global less the named.
 */
static void write_u64(struct who_out *o, int table, const char *type,
		      const char *name, const char *label, const char *help,
		      size_t off, uint64_t (*global)(const struct who_out *, int))
{
	char labels[3 * WL_TOPN_KEY_MAX];
	int i, slot;

	wl_prom_header(o->f, name, type, help);
	for (i = 0; i < o->n[table]; i++) {
		const struct wl_topn_entry *e = o->named[table][i];

		if ((int)e->slot >= o->nslots)
			continue;
		labels_of(o, label, e->key, e->slot, labels, sizeof(labels));
		fprintf(o->f, "%s{%s} %llu\n", name, labels,
			(unsigned long long)*(const uint64_t *)((const char *)e->data + off));
	}
	for (slot = 0; slot < o->nslots; slot++) {
		uint64_t v = global(o, slot);

		for (i = 0; i < o->n[table]; i++)
			if ((int)o->named[table][i]->slot == slot)
				v = less(v, *(const uint64_t *)((const char *)
					o->named[table][i]->data + off));
		labels_of(o, label, "other", slot, labels, sizeof(labels));
		fprintf(o->f, "%s{%s} %llu\n", name, labels, (unsigned long long)v);
	}
}

/* connections open: the sweep's count of the connection table */
static uint64_t global_active(const struct who_out *o, int slot)
{
	return o->run->table_slot_entries[WL_T_CONNS][slot];
}

static uint64_t global_segments(const struct who_out *o, int slot)
{
	return o->s[slot].segments[0] + o->s[slot].segments[1];
}

static uint64_t global_retransmits(const struct who_out *o, int slot)
{
	return o->s[slot].retransmits[0] + o->s[slot].retransmits[1];
}

static uint64_t global_accept_queue_drops(const struct who_out *o, int slot)
{
	return o->s[slot].accept_queue_drops;
}

void wl_prom_who(struct wl_who *w, FILE *f, struct wl_run *run,
		 const struct wl_snapshot *sn)
{
	static const int server_idx[4] = { WL_FAIL_REFUSED, WL_FAIL_TIMEOUT,
					   WL_FAIL_UNREACHABLE, WL_FAIL_ABORTED };
	static const char *const server_reasons[4] = { "refused", "timeout",
						       "unreachable", "aborted" };
	static const int domain_idx[WL_DOM_MAX] = { WL_DOM_TIMEOUT,
						    WL_DOM_SERVFAIL,
						    WL_DOM_NXDOMAIN };
	struct who_out *o;
	uint64_t now;
	int t;

	if (!w->cfg->top)
		return;
	o = calloc(1, sizeof(*o));
	if (!o)
		return;
	o->w = w;
	o->f = f;
	o->run = run;
	o->s = sn->s;
	o->nslots = sn->nslots;
	pthread_mutex_lock(&w->lock);
	now = wl_who_now(w);
	for (t = 0; t < WL_WHO_MAX; t++)
		o->n[t] = wl_topn_named(&w->t[t], now, o->named[t]);
	write_hist(o, WL_WHO_SERVERS, "wirelat_server_handshake_seconds", "server",
		   "First SYN to the ACK, per server of the top N (by attempts over --top-window) and other.",
		   global_handshake);
	write_hist(o, WL_WHO_SERVERS, "wirelat_server_time_seconds", "server",
		   "Request/response turns less the server-side RTT, per server of the top N and other (each connection's turns at their average, from its tcp_close).",
		   global_server_time);
	write_fail(o, WL_WHO_SERVERS, "wirelat_server_failures_total", "server",
		   "Failed handshakes per server of the top N and other, by reason.",
		   server_reasons, server_idx, 4, global_server_fail);
	write_u64(o, WL_WHO_SERVERS, "counter", "wirelat_server_segments_total", "server",
			     "Data segments (both directions, retransmissions included) of the closed connections of each server of the top N; other: the rest of wirelat_tcp_segments_total.",
			     offsetof(struct wl_who_series, segments), global_segments);
	write_u64(o, WL_WHO_SERVERS, "counter", "wirelat_server_retransmits_total", "server",
			     "Retransmitted segments (both directions) of the closed connections of each server of the top N; other: the rest of wirelat_tcp_retransmits_total.",
			     offsetof(struct wl_who_series, retransmits), global_retransmits);
	write_u64(o, WL_WHO_SERVERS, "counter", "wirelat_server_accept_queue_drops_total", "server",
		  "SYN-ACKs sent again after the client's ACK (a full accept queue) on the closed connections of each server of the top N; other: the rest of wirelat_tcp_accept_queue_drops_total.",
		  offsetof(struct wl_who_series, accept_queue_drops), global_accept_queue_drops);
	write_u64(o, WL_WHO_SERVERS, "gauge", "wirelat_server_connections_active", "server",
		  "Connections open (from their handshake) per server of the top N; other: the rest of the tracked connections.",
		  offsetof(struct wl_who_series, active), global_active);
	write_u64(o, WL_WHO_CLIENTS, "gauge", "wirelat_client_connections_active", "client",
		  "Connections open (from their handshake) per client of the top N; other: the rest of the tracked connections.",
		  offsetof(struct wl_who_series, active), global_active);
	write_hist(o, WL_WHO_DOMAINS, "wirelat_dns_domain_response_seconds", "domain",
		   "DNS latency per registrable domain (Public Suffix List) of the top N and other.",
		   global_dns);
	write_fail(o, WL_WHO_DOMAINS, "wirelat_dns_domain_failures_total", "domain",
		   "Queries per registrable domain of the top N and other that timed out or got SERVFAIL or NXDOMAIN.",
		   wl_who_domain_fail_name, domain_idx, WL_DOM_MAX, global_domain_fail);
	write_hist(o, WL_WHO_DNS_SERVERS, "wirelat_dns_server_response_seconds", "server",
		   "DNS latency per DNS server of the top N and other.", global_dns);
	write_hist(o, WL_WHO_DNS_SERVERS, "wirelat_dns_server_time_seconds", "server",
		   "DNS latency less the server's network baseline (its least latency over 5 minutes), per DNS server of the top N and other.",
		   global_dns_server_time);
	wl_prom_header(f, "wirelat_top_replacements_total", "counter",
		       "Keys that took the place of another in a top-N candidate table (churn).");
	for (t = 0; t < WL_WHO_MAX; t++)
		fprintf(f, "wirelat_top_replacements_total{table=\"%s\"} %llu\n",
			wl_who_table_name[t], (unsigned long long)w->t[t].replacements);
	pthread_mutex_unlock(&w->lock);
	free(o);
}
