// SPDX-License-Identifier: BSD-3-Clause
/*
 * who.c - who is slow (see who.h): keys from records, the series of the
 * named keys, "other" as the global series less the named ones.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "core/dnsname.h"
#include "hist.h"
#include "core/log.h"
#include "output/prom.h"
#include "core/names.h"
#include "core/state.h"
#include "output/summary.h"
#include "metrics/who.h"

static const char *const table_name[WL_WHO_MAX] = {
	[WL_WHO_SERVERS] = "servers",
	[WL_WHO_CLIENTS] = "clients",
	[WL_WHO_DOMAINS] = "domains",
	[WL_WHO_DNS_SERVERS] = "dns_servers",
};

/* wirelat_dns_domain_failures_total{reason} */
enum { WL_DOM_TIMEOUT = 0, WL_DOM_SERVFAIL, WL_DOM_NXDOMAIN, WL_DOM_MAX };
static const char *const domain_fail_name[WL_DOM_MAX] = {
	"timeout", "servfail", "nxdomain",
};

int wl_subnet_parse(const char *arg, struct wl_subnet *s)
{
	char buf[128], *eq, *slash, *end;
	long len;

	memset(s, 0, sizeof(*s));
	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (!eq || !eq[1] || strlen(eq + 1) >= sizeof(s->name))
		goto bad;
	*eq = 0;
	strcpy(s->name, eq + 1);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = 0;
	if (inet_pton(AF_INET, buf, s->addr) == 1)
		s->family = 4;
	else if (inet_pton(AF_INET6, buf, s->addr) == 1)
		s->family = 6;
	else
		goto bad;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || len < 0 ||
	    len > (s->family == 4 ? 32 : 128))
		goto bad;
	s->len = len;
	return 0;
bad:
	pr_warn("invalid --label-subnet '%s' (expected CIDR=NAME, e.g. 198.51.100.0/24=web, 2001:db8::/32=lab; NAME up to %d bytes)\n",
		arg, WL_TOPN_KEY_MAX - 1);
	return -EINVAL;
}

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

/*
 * @acc less @h. Where @h's buckets are observations @acc holds too (every
 * table but server time) that is bucket by bucket. Server time puts a
 * connection's turns in the bucket of their average (tcp_record()), so
 * a bucket of @h can exceed @acc's: the difference is then taken on the
 * cumulative counts, each the least of those at or above it (never below
 * zero), so the result stays a histogram (non-decreasing) and its count
 * is exactly @acc's less @h's: the sum over the label is the global count.
 */
static void hist_less(struct wl_hist *acc, const struct wl_hist *h)
{
	int64_t cum[WL_HIST_BUCKETS], c = 0, low;
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++) {
		c += (int64_t)acc->bucket[k] - (int64_t)h->bucket[k];
		cum[k] = c;
	}
	low = INT64_MAX;
	for (k = WL_HIST_BUCKETS - 1; k >= 0; k--) {
		if (cum[k] < low)
			low = cum[k];
		cum[k] = low > 0 ? low : 0;
	}
	for (k = 0; k < WL_HIST_BUCKETS; k++)
		acc->bucket[k] = cum[k] - (k ? cum[k - 1] : 0);
	acc->sum_ns -= acc->sum_ns > h->sum_ns ? h->sum_ns : acc->sum_ns;
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
	const char *(*slot_name)(struct wl_run *, int);
	const struct wl_topn_entry *named[WL_WHO_MAX][1024];
	int n[WL_WHO_MAX];
};

static void labels_of(const struct who_out *o, const char *label,
		      const char *key, int slot, char *buf, size_t len)
{
	char v[2 * WL_TOPN_KEY_MAX];	/* escaping at most doubles it */

	label_value(v, sizeof(v), key);
	snprintf(buf, len, "interface=\"%s\",%s=\"%s\"",
		 o->slot_name(o->run, slot), label, v);
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
				hist_less(&other, hist_of(o->named[table][i], name));
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

static void global_dns(const struct who_out *o, int slot, struct wl_hist *h)
{
	int rc, k;

	memset(h, 0, sizeof(*h));
	for (rc = 0; rc < WL_RC_MAX; rc++) {
		for (k = 0; k < WL_HIST_BUCKETS; k++)
			h->bucket[k] += o->s[slot].hist[WL_H_DNS + rc].bucket[k];
		h->sum_ns += o->s[slot].hist[WL_H_DNS + rc].sum_ns;
	}
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

static uint64_t now_of(const struct wl_who *w)
{
	struct timespec ts;
	uint64_t mono;

	if (!w->live)
		return w->now_ns;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return mono > w->now_ns ? mono : w->now_ns;
}

void wl_who_write(struct wl_who *w, FILE *f, struct wl_run *run,
		  const struct wl_stats *s, int nslots,
		  const char *(*slot_name)(struct wl_run *, int))
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
	o->s = s;
	o->nslots = nslots;
	o->slot_name = slot_name;
	pthread_mutex_lock(&w->lock);
	now = now_of(w);
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
		   domain_fail_name, domain_idx, WL_DOM_MAX, global_domain_fail);
	write_hist(o, WL_WHO_DNS_SERVERS, "wirelat_dns_server_response_seconds", "server",
		   "DNS latency per DNS server of the top N and other.", global_dns);
	write_hist(o, WL_WHO_DNS_SERVERS, "wirelat_dns_server_time_seconds", "server",
		   "DNS latency less the server's network baseline (its least latency over 5 minutes), per DNS server of the top N and other.",
		   global_dns_server_time);
	wl_prom_header(f, "wirelat_top_replacements_total", "counter",
		       "Keys that took the place of another in a top-N candidate table (churn).");
	for (t = 0; t < WL_WHO_MAX; t++)
		fprintf(f, "wirelat_top_replacements_total{table=\"%s\"} %llu\n",
			table_name[t], (unsigned long long)w->t[t].replacements);
	pthread_mutex_unlock(&w->lock);
	free(o);
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
	n = wl_topn_named(t, now_of(w), named);
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
