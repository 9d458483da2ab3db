/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * who.h - who is slow: the bounded breakdowns of DESIGN.md by server,
 * client, registrable domain and DNS server, fed from the records as they
 * are printed. Each table names its N heaviest keys over a sliding window
 * (topn.h); everything else is the series "other", computed as the global
 * series less the named ones, so a sum over the label is the global series.
 */
#ifndef WIRELAT_WHO_H
#define WIRELAT_WHO_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "metrics/topn.h"
#include "core/config.h"
#include "wirelat.h"

struct wl_run;
struct wl_config;

enum wl_who_table {
	WL_WHO_SERVERS = 0,
	WL_WHO_CLIENTS,
	WL_WHO_DOMAINS,
	WL_WHO_DNS_SERVERS,
	WL_WHO_MAX,
};

/* Failure reasons per table: servers, then domains. */
enum { WL_WHO_FAIL_MAX = 4 };

/* What a named key carries: the records of its key since it took its entry. */
struct wl_who_series {
	struct wl_hist lat;	/* handshake (servers), response (domains, DNS servers) */
	uint64_t fail[WL_WHO_FAIL_MAX];
	uint64_t active;	/* connections open (servers, clients); never below 0 */
	uint64_t segments;	/* servers: data segments of closed connections, both ways */
	uint64_t retransmits;	/* servers: their retransmissions */
	uint64_t accept_queue_drops;	/* servers: SYN-ACKs after the ACK */
	/* DNS servers: the least latency per sub-window of the baseline window */
	uint64_t base_min[WL_TOPN_SUBWIN];
	uint64_t base_epoch[WL_TOPN_SUBWIN];
	struct wl_hist server_time;	/* DNS servers: latency less the baseline */
};

/* DNS: a server's network baseline is its least latency over 5 minutes. */
#define WL_DNS_BASELINE_NS 300000000000ULL

struct wl_who {
	pthread_mutex_t lock;	/* records come on the reader, scrapes on HTTP */
	struct wl_topn t[WL_WHO_MAX];
	void *psl;		/* psl_ctx_t: the Public Suffix List */
	const struct wl_config *cfg;
	struct wl_run *run;
	uint64_t now_ns;	/* the latest record's time: the window's end */
	/* DNS server time of every record, per slot: "other" is it less the named */
	struct wl_hist dns_server_time[WL_NSLOTS];
	int live;		/* the window also ends at CLOCK_MONOTONIC now */
};

/* Tables of top keys (0: none) over the top window of @run's config. 0 or -errno. */
int wl_who_init(struct wl_who *w, struct wl_run *run, int live);
void wl_who_free(struct wl_who *w);

/* One record, as it is printed. */
void wl_who_record(struct wl_who *w, const struct wl_record *r);

/* The label value of @r's server (@client: its client) into @buf. */
void wl_who_addr_key(const struct wl_who *w, const struct wl_record *r,
		     int client, char *buf, size_t len);

/*
 * Where the time goes, for the summary line: the named server (TCP, and
 * DNS) whose p99 is the highest, as "ADDR server S network N" (S: the p99
 * of its server time; N: TCP, its handshake p99; DNS, its p99 less S) into
 * @buf; "" when there is none yet.
 */
void wl_who_slowest(struct wl_who *w, int dns, char *buf, size_t len);

/* The end of the sliding window now: the latest record's time (live, the
 * clock's if later). Call with @w->lock held to read the tables. */
uint64_t wl_who_now(const struct wl_who *w);

/* Label values of the tables (wirelat_top_replacements_total{table}). */
extern const char *const wl_who_table_name[WL_WHO_MAX];

/* wirelat_dns_domain_failures_total{reason}: a domain series' fail[] */
enum { WL_DOM_TIMEOUT = 0, WL_DOM_SERVFAIL, WL_DOM_NXDOMAIN, WL_DOM_MAX };
extern const char *const wl_who_domain_fail_name[WL_DOM_MAX];

#endif /* WIRELAT_WHO_H */
