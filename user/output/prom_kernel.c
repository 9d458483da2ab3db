// SPDX-License-Identifier: BSD-3-Clause
/*
 * prom_kernel.c - the kernel's side of a slow handshake (DESIGN.md, "The
 * kernel's side") in the Prometheus text format: the listeners' accept
 * queues and drops, the host's TcpExt counters, kernel drops by reason.
 */
#include <stdio.h>
#include "kernel/drops.h"
#include "metrics/snapshot.h"
#include "output/prom_format.h"
#include "output/prom_kernel.h"

static const struct {
	const char *name, *help;
} netstat_series[WL_NS_MAX] = {
	{ "wirelat_host_listen_overflows_total",
	  "TcpExt ListenOverflows of wirelat's network namespace (nstat): completing ACKs and SYNs dropped for a full accept queue." },
	{ "wirelat_host_listen_drops_total",
	  "TcpExt ListenDrops of wirelat's network namespace (nstat): everything a listener dropped." },
	{ "wirelat_host_tcp_reqqfull_drops_total",
	  "TcpExt TCPReqQFullDrop of wirelat's network namespace (nstat): SYNs dropped for a full SYN queue without SYN cookies." },
	{ "wirelat_host_syncookies_sent_total",
	  "TcpExt SyncookiesSent of wirelat's network namespace (nstat): SYNs answered with a SYN cookie." },
};

static void write_listen(FILE *f, const struct wl_listen_view *v)
{
	static const char *const name[3] = { "queue_length", "queue_limit",
					     "drops" };
	const uint64_t *sum[3] = { v->queue, v->limit, v->drops };
	int i, k;

	for (k = 0; v->ok && k < 3; k++) {
		wl_prom_header(f, k == 2 ? "wirelat_listen_drops_total" :
			       k ? "wirelat_listen_queue_limit" :
				   "wirelat_listen_queue_length",
			       k == 2 ? "counter" : "gauge",
			       k == 2 ? "Drops of the TCP listeners on the port (sock_diag SK_MEMINFO_DROPS, ss -lntm d): full accept or SYN queue; the first 32 ports seen, then other." :
			       k ? "Accept queue limit of the TCP listeners on the port (ss -lnt Send-Q: the listen() backlog), sampled every second." :
				   "Connections waiting in the accept queue of the TCP listeners on the port (ss -lnt Recv-Q), sampled every second.");
		for (i = 0; i < v->nport; i++)
			fprintf(f, "wirelat_listen_%s%s{port=\"%u\"} %llu\n",
				name[k], k == 2 ? "_total" : "", v->port[i],
				(unsigned long long)sum[k][i]);
		fprintf(f, "wirelat_listen_%s%s{port=\"other\"} %llu\n", name[k],
			k == 2 ? "_total" : "",
			(unsigned long long)sum[k][WL_LISTEN_PORTS]);
	}
	for (k = 0; v->netstat_ok && k < WL_NS_MAX; k++) {
		wl_prom_header(f, netstat_series[k].name, "counter",
			       netstat_series[k].help);
		fprintf(f, "%s %llu\n", netstat_series[k].name,
			(unsigned long long)v->netstat[k]);
	}
}

/* wirelat_kernel_drops_total{interface, reason}: the reasons seen. */
static void write_drops(FILE *f, struct wl_run *run,
			const struct wl_snapshot *sn)
{
	bool header = false;
	int slot, r;

	for (slot = 0; slot < run->n_slots; slot++)
		for (r = 1; r < WL_DROP_REASONS; r++) {
			const char *name = wl_drops_reason_name(r);
			char num[16];

			if (!sn->drops[slot][r])
				continue;	/* the reasons seen: bounded by the enum */
			if (!header) {
				wl_prom_header(f, "wirelat_kernel_drops_total", "counter",
					       "Packets of the interface the kernel dropped, by its drop reason (skb:kfree_skb; other: reasons past the first 126).");
				header = true;
			}
			snprintf(num, sizeof(num), "%d", r);
			fprintf(f, "wirelat_kernel_drops_total{interface=\"%s\",reason=\"%s\"} %llu\n",
				run->ifname[slot],
				r == WL_DROP_REASONS - 1 ? "other" :
				name ? name : num,
				(unsigned long long)sn->drops[slot][r]);
		}
}

void wl_prom_kernel(FILE *f, struct wl_run *run, const struct wl_snapshot *sn)
{
	if (sn->has_listen)
		write_listen(f, &sn->listen);
	if (sn->has_drops)
		write_drops(f, run, sn);
}
