// SPDX-License-Identifier: BSD-3-Clause
/*
 * who.c - who is slow (see who.h): keys from records, the series of the
 * named keys (output/prom_who.c presents them, "other" as the global
 * series less the named ones).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/config.h"
#include "core/dnsname.h"
#include "hist.h"
#include "core/log.h"
#include "core/names.h"
#include "core/state.h"
#include "metrics/histogram.h"
#include "metrics/who.h"

const char *const wl_who_table_name[WL_WHO_MAX] = {
	[WL_WHO_SERVERS] = "servers",
	[WL_WHO_CLIENTS] = "clients",
	[WL_WHO_DOMAINS] = "domains",
	[WL_WHO_DNS_SERVERS] = "dns_servers",
};

const char *const wl_who_domain_fail_name[WL_DOM_MAX] = {
	"timeout", "servfail", "nxdomain",
};

/* a subnet's name is a label value, kept as a top-N key */
_Static_assert(WL_SUBNET_NAME_MAX <= WL_TOPN_KEY_MAX,
	       "a --label-subnet name must fit a top-N key");

static int in_subnet(const struct wl_subnet *s, int family, const uint8_t *a)
{
	int full = s->len / 8, rest = s->len % 8;

	if (s->family != family || memcmp(s->addr, a, full))
		return 0;
	return !rest || ((s->addr[full] ^ a[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* The longest --label-subnet holding @a, or NULL. */
static const struct wl_subnet *subnet_of(const struct wl_config *cfg,
					 int family, const uint8_t *a)
{
	const struct wl_subnet *best = NULL;
	int i;

	for (i = 0; i < cfg->n_subnets; i++)
		if (in_subnet(&cfg->subnets[i], family, a) &&
		    (!best || cfg->subnets[i].len > best->len))
			best = &cfg->subnets[i];
	return best;
}

void wl_who_addr_key(const struct wl_who *w, const struct wl_record *r,
		     int client, char *buf, size_t len)
{
	const uint8_t *a = client ? r->client_ip : r->server_ip;
	const struct wl_subnet *s = subnet_of(w->cfg, r->family, a);
	char ip[INET6_ADDRSTRLEN];

	if (s) {
		snprintf(buf, len, "%s", s->name);
		return;
	}
	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	if (client)
		snprintf(buf, len, "%s", ip);
	else if (r->family == 6)
		snprintf(buf, len, "[%s]:%u", ip, r->server_port);
	else
		snprintf(buf, len, "%s:%u", ip, r->server_port);
}

/* The registrable domain (eTLD+1) of the record's qname, lower case. */
static void domain_key(const struct wl_who *w, const struct wl_record *r,
		       char *buf, size_t len)
{
	char name[WL_QNAME_TEXT_MAX];
	const char *reg = NULL;
	size_t n;
	char *p;

	wl_qname_text(r->qname, r->dns.qname_len, name, sizeof(name));
	for (p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	if (w->psl)
		reg = psl_registrable_domain(w->psl, name);
	/* a public suffix itself (a TLD query) or the root: the name */
	reg = reg ? reg : name;
	n = strlen(reg) < len - 1 ? strlen(reg) : len - 1;	/* a long name: cut */
	memcpy(buf, reg, n);
	buf[n] = 0;
}

int wl_who_init(struct wl_who *w, struct wl_run *run, int live)
{
	const struct wl_config *cfg = run->cfg;
	int i, err;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->run = run;
	w->live = live;
	pthread_mutex_init(&w->lock, NULL);
	for (i = 0; i < WL_WHO_MAX; i++) {
		err = wl_topn_init(&w->t[i], cfg->top, cfg->top_window_ns,
				   sizeof(struct wl_who_series));
		if (err) {
			pr_warn("no memory for the --top %d tables\n", cfg->top);
			wl_who_free(w);
			return err;
		}
	}
	if (cfg->top) {
		/* the system's list if installed (publicsuffix), else libpsl's own */
		w->psl = (void *)psl_latest(NULL);
		if (!w->psl)
			w->psl = (void *)psl_builtin();
	}
	return 0;
}

void wl_who_free(struct wl_who *w)
{
	int i;

	for (i = 0; i < WL_WHO_MAX; i++)
		wl_topn_free(&w->t[i]);
	if (w->psl && w->psl != (void *)psl_builtin())
		psl_free(w->psl);
	w->psl = NULL;
}

/* @n observations of @v (the turns of a connection, at their average). */
static void observe_n(struct wl_hist *h, int64_t v, uint32_t n)
{
	uint32_t k;

	if (v < 0 || !n)
		return;
	k = wl_hist_index(v);
	h->bucket[k > WL_HIST_FINITE ? WL_HIST_FINITE : k] += n;
	h->sum_ns += (uint64_t)v * n;
}

/* One observation: as the kernel, a negative one is never histogrammed. */
static void observe(struct wl_hist *h, int64_t v)
{
	observe_n(h, v, 1);
}

static uint32_t slot_of(const struct wl_who *w, const struct wl_record *r)
{
	return wl_run_slot(w->run, r->ifindex);
}

static void tcp_record(struct wl_who *w, const struct wl_record *r,
		       uint32_t slot, uint64_t now)
{
	struct wl_who_series *srv, *cli;
	char key[WL_TOPN_KEY_MAX];

	wl_who_addr_key(w, r, 0, key, sizeof(key));
	if (r->type == WL_REC_CLOSE) {
		/* the end of a connection, not a transaction */
		srv = wl_topn_find(&w->t[WL_WHO_SERVERS], slot, key);
		if (srv) {
			srv->segments += r->close.segments[0] + r->close.segments[1];
			srv->retransmits += r->close.retrans[0] + r->close.retrans[1];
			srv->accept_queue_drops += r->close.accept_queue_drops;
			/* the record has the average: its turns in its bucket */
			observe_n(&srv->server_time, r->close.srv_avg_ns,
				  r->close.turns);
		}
		if (r->close.midstream)
			return;	/* never counted open */
		if (srv && srv->active > 0)
			srv->active--;
		wl_who_addr_key(w, r, 1, key, sizeof(key));
		cli = wl_topn_find(&w->t[WL_WHO_CLIENTS], slot, key);
		if (cli && cli->active > 0)
			cli->active--;
		return;
	}
	srv = wl_topn_hit(&w->t[WL_WHO_SERVERS], slot, key, now);
	wl_who_addr_key(w, r, 1, key, sizeof(key));
	cli = wl_topn_hit(&w->t[WL_WHO_CLIENTS], slot, key, now);
	if (r->type == WL_REC_HANDSHAKE) {
		observe(&srv->lat, r->hs.handshake_ns);
		srv->active++;
		cli->active++;
	} else if (r->reason < WL_FAIL_MAX) {
		srv->fail[r->reason]++;
	}
}

/*
 * The server's network baseline with @lat_ns (just measured) in it: the
 * least latency of the last 5 minutes, kept as one minimum per tenth.
 */
static uint64_t dns_baseline(struct wl_who_series *srv, uint64_t lat_ns,
			     uint64_t now)
{
	uint64_t sub = WL_DNS_BASELINE_NS / WL_TOPN_SUBWIN, cur = now / sub;
	uint64_t base = lat_ns;
	int i = cur % WL_TOPN_SUBWIN;

	/* epoch + 1: 0 marks a sub-window never used */
	if (srv->base_epoch[i] != cur + 1) {
		srv->base_epoch[i] = cur + 1;
		srv->base_min[i] = lat_ns;
	} else if (lat_ns < srv->base_min[i]) {
		srv->base_min[i] = lat_ns;
	}
	for (i = 0; i < WL_TOPN_SUBWIN; i++)
		if (srv->base_epoch[i] && srv->base_epoch[i] + WL_TOPN_SUBWIN > cur + 1 &&
		    srv->base_min[i] < base)
			base = srv->base_min[i];
	return base;
}

static void dns_record(struct wl_who *w, const struct wl_record *r,
		       uint32_t slot, uint64_t now)
{
	struct wl_who_series *dom, *srv;
	char key[WL_TOPN_KEY_MAX];

	domain_key(w, r, key, sizeof(key));
	dom = wl_topn_hit(&w->t[WL_WHO_DOMAINS], slot, key, now);
	wl_who_addr_key(w, r, 0, key, sizeof(key));
	srv = wl_topn_hit(&w->t[WL_WHO_DNS_SERVERS], slot, key, now);
	if (r->type == WL_REC_DNS_TIMEOUT) {
		dom->fail[WL_DOM_TIMEOUT]++;
		return;
	}
	observe(&dom->lat, r->dns.latency_ns);
	observe(&srv->lat, r->dns.latency_ns);
	if (r->dns.latency_ns >= 0) {
		int64_t st = r->dns.latency_ns -
			     (int64_t)dns_baseline(srv, r->dns.latency_ns, now);

		observe(&srv->server_time, st);
		if (slot < WL_NSLOTS)
			observe(&w->dns_server_time[slot], st);
	}
	if (r->dns.rcode == 2)
		dom->fail[WL_DOM_SERVFAIL]++;
	else if (r->dns.rcode == 3)
		dom->fail[WL_DOM_NXDOMAIN]++;
}

void wl_who_record(struct wl_who *w, const struct wl_record *r)
{
	uint32_t slot;

	/* the breakdowns split the wire's global series */
	if (!w->cfg->top || r->source != WL_SRC_WIRE)
		return;
	slot = slot_of(w, r);
	pthread_mutex_lock(&w->lock);
	if (r->ts_ns > w->now_ns)
		w->now_ns = r->ts_ns;
	switch (r->type) {
	case WL_REC_HANDSHAKE:
	case WL_REC_HANDSHAKE_FAILED:
	case WL_REC_CLOSE:
		tcp_record(w, r, slot, w->now_ns);
		break;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		dns_record(w, r, slot, w->now_ns);
		break;
	}
	pthread_mutex_unlock(&w->lock);
}

uint64_t wl_who_now(const struct wl_who *w)
{
	struct timespec ts;
	uint64_t mono;

	if (!w->live)
		return w->now_ns;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return mono > w->now_ns ? mono : w->now_ns;
}

/*
 * The p99 of @h as its bucket's bound (seconds; the summary's estimate,
 * wl_hist_quantile()), the last finite bound for +Inf, -1 when empty.
 */
static double p99_bound(const struct wl_hist *h)
{
	double v = wl_hist_quantile(h, 0.99);

	if (isnan(v))
		return -1;
	return isinf(v) ? wl_hist_bound_ns[WL_HIST_FINITE - 1] / 1e9 : v;
}

void wl_who_slowest(struct wl_who *w, int dns, char *buf, size_t len)
{
	const struct wl_topn_entry *named[1024], *best = NULL;
	struct wl_topn *t = &w->t[dns ? WL_WHO_DNS_SERVERS : WL_WHO_SERVERS];
	double best_p99 = -1, srv, net;
	int i, n;

	buf[0] = 0;
	if (!w->cfg->top)
		return;
	pthread_mutex_lock(&w->lock);
	n = wl_topn_named(t, wl_who_now(w), named);
	for (i = 0; i < n; i++) {
		const struct wl_who_series *d = named[i]->data;
		double p = p99_bound(&d->lat);

		if (!dns)	/* a TCP server's response: server time + network */
			p = p99_bound(&d->server_time) + p;
		if (p > best_p99) {
			best_p99 = p;
			best = named[i];
		}
	}
	if (best) {
		const struct wl_who_series *d = best->data;

		srv = p99_bound(&d->server_time);
		net = p99_bound(&d->lat);
		if (dns)
			net = srv >= 0 && net > srv ? net - srv : 0;
		snprintf(buf, len, "%s server %.3gms network %.3gms", best->key,
			 srv >= 0 ? srv * 1e3 : 0.0, net >= 0 ? net * 1e3 : 0.0);
	}
	pthread_mutex_unlock(&w->lock);
}
