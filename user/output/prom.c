// SPDX-License-Identifier: BSD-3-Clause
/*
 * prom.c - the metrics of DESIGN.md in the Prometheus text format:
 * base units (seconds), _total counters, classic histograms with the
 * fixed buckets of include/hist.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "core/names.h"
#include "metrics/snapshot.h"
#include "output/prom.h"
#include "output/prom_format.h"
#include "output/prom_kernel.h"
#include "output/prom_who.h"

static const struct {
	int id;
	const char *name;
	const char *help;
} hists[] = {
	{ WL_H_SYN_TO_SYNACK, "wirelat_tcp_syn_to_synack_seconds",
	  "Last SYN to first SYN-ACK: the server-side leg." },
	{ WL_H_SYNACK_TO_ACK, "wirelat_tcp_synack_to_ack_seconds",
	  "First SYN-ACK to the client's ACK of it: the client-side leg." },
	{ WL_H_HANDSHAKE, "wirelat_tcp_handshake_seconds",
	  "First SYN to the ACK completing the handshake." },
	{ WL_H_RESPONSE, "wirelat_tcp_response_seconds",
	  "Request/response turns: the client's last request payload to the server's first new payload after it, at the observation point." },
	{ WL_H_SERVER_TIME, "wirelat_tcp_server_time_seconds",
	  "Turns less the connection's least server-side RTT: the server's own time." },
};

/* Counters of tracked connections by direction: a __u64[2] in wl_stats. */
static const struct {
	const char *name;
	const char *help;
	size_t off;
} by_dir[] = {
	{ "wirelat_tcp_retransmits_total",
	  "Retransmitted segments of tracked connections (starting below the highest sequence seen), by direction.",
	  offsetof(struct wl_stats, retransmits) },
	{ "wirelat_tcp_segments_total",
	  "Data segments (with payload, retransmissions included) of tracked connections, by direction.",
	  offsetof(struct wl_stats, segments) },
	{ "wirelat_tcp_payload_bytes_total",
	  "TCP payload bytes of tracked connections (retransmissions included), by direction.",
	  offsetof(struct wl_stats, payload_bytes) },
	{ "wirelat_tcp_seq_gaps_total",
	  "Data segments starting beyond the highest sequence seen: data lost before the observation point.",
	  offsetof(struct wl_stats, seq_gaps) },
	{ "wirelat_tcp_dup_acks_total",
	  "Pure ACKs repeating the direction's previous acknowledgment number and window (RFC 5681).",
	  offsetof(struct wl_stats, dup_acks) },
	{ "wirelat_tcp_zero_windows_total",
	  "Advertised windows of 0 after a non-zero one: the receiving application stopped reading.",
	  offsetof(struct wl_stats, zero_windows) },
};

static void write_conns(FILE *f, struct wl_run *run,
			const struct wl_snapshot *sn)
{
	const struct wl_stats *s = sn->s;
	int nslots = sn->nslots;
	static const char *const side[2] = { "server", "client" };
	static const char *const dir[2] = { "c2s", "s2c" };
	char labels[128];
	size_t k;
	int slot, i;

	wl_prom_header(f, "wirelat_tcp_connections_active", "gauge",
	       "Connections tracked at the last sweep (every second).");
	for (slot = 0; slot < nslots; slot++)
		fprintf(f,
			"wirelat_tcp_connections_active{interface=\"%s\"} %llu\n",
			wl_prom_slot_name(run, slot),
			(unsigned long long)sn->slot_entries[WL_T_CONNS][slot]);
	wl_prom_header(f, "wirelat_tcp_connections_closed_total", "counter",
	       "Connections closed, by reason.");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < WL_CLOSE_MAX; i++)
			fprintf(f,
				"wirelat_tcp_connections_closed_total{interface=\"%s\",reason=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_close_reason_name[i],
				(unsigned long long)s[slot].conn_closed[i]);
	for (k = 0; k < sizeof(by_dir) / sizeof(by_dir[0]); k++) {
		wl_prom_header(f, by_dir[k].name, "counter", by_dir[k].help);
		for (slot = 0; slot < nslots; slot++)
			for (i = 0; i < 2; i++)
				fprintf(f,
					"%s{interface=\"%s\",direction=\"%s\"} %llu\n",
					by_dir[k].name, wl_prom_slot_name(run, slot), dir[i],
					(unsigned long long)((const __u64 *)((const char *)&s[slot] +
									by_dir[k].off))[i]);
	}
	wl_prom_header(f, "wirelat_tcp_rtt_seconds", "histogram",
	       "Continuous RTT from the observation point to one side and back.");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < 2; i++) {
			snprintf(labels, sizeof(labels),
				 "interface=\"%s\",side=\"%s\"",
				 wl_prom_slot_name(run, slot), side[i]);
			wl_prom_histogram(f, "wirelat_tcp_rtt_seconds", labels,
				  &s[slot].hist[WL_H_RTT_SERVER + i]);
		}
}

static void write_packets(FILE *f, struct wl_run *run,
			  const struct wl_snapshot *sn)
{
	const struct wl_stats *s = sn->s;
	int nslots = sn->nslots;
	int slot, d, r;

	wl_prom_header(f, "wirelat_packets_total", "counter",
	       "Packets seen, by hook direction and parse result.");
	for (slot = 0; slot < nslots; slot++)
		for (d = 0; d < WL_DIR_MAX; d++)
			for (r = 0; r < WL_PKT_MAX; r++)
				fprintf(f,
					"wirelat_packets_total{interface=\"%s\",direction=\"%s\",result=\"%s\"} %llu\n",
					wl_prom_slot_name(run, slot), wl_dir_name[d],
					wl_pkt_result_name[r],
					(unsigned long long)(s[slot].packets[d][r] +
							     run->ustats[slot].packets[d][r]));
	wl_prom_header(f, "wirelat_malformed_packets_total", "counter",
	       "Malformed packets by reason; they never produce a record.");
	for (slot = 0; slot < nslots; slot++)
		for (r = 0; r < WL_MAL_MAX; r++)
			fprintf(f,
				"wirelat_malformed_packets_total{interface=\"%s\",reason=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_malformed_name[r],
				(unsigned long long)(s[slot].malformed[r] +
						     run->ustats[slot].malformed[r]));
}

static void write_tcp(FILE *f, struct wl_run *run,
		      const struct wl_snapshot *sn)
{
	const struct wl_stats *s = sn->s;
	int nslots = sn->nslots;
	char labels[128];
	size_t h;
	int slot, r;

	for (h = 0; h < sizeof(hists) / sizeof(hists[0]); h++) {
		wl_prom_header(f, hists[h].name, "histogram", hists[h].help);
		for (slot = 0; slot < nslots; slot++) {
			snprintf(labels, sizeof(labels), "interface=\"%s\"",
				 wl_prom_slot_name(run, slot));
			wl_prom_histogram(f, hists[h].name, labels,
				  &s[slot].hist[hists[h].id]);
		}
	}
	wl_prom_header(f, "wirelat_tcp_handshakes_total", "counter",
	       "TCP handshakes by result.");
	for (slot = 0; slot < nslots; slot++)
		for (r = 0; r < WL_HS_MAX; r++)
			fprintf(f,
				"wirelat_tcp_handshakes_total{interface=\"%s\",result=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_hs_result_name[r],
				(unsigned long long)s[slot].hs_result[r]);
	write_conns(f, run, sn);
}

/* Counters with only the interface label: one kernel field each. */
static const struct {
	const char *name;
	const char *help;
	size_t off;	/* of the __u64 in struct wl_stats */
} simple[] = {
	{ "wirelat_tcp_syn_retransmits_total",
	  "SYNs repeated with the same ISN.",
	  offsetof(struct wl_stats, syn_retransmits) },
	{ "wirelat_tcp_synack_retransmits_total",
	  "SYN-ACKs repeated with the same ISN.",
	  offsetof(struct wl_stats, synack_retransmits) },
	{ "wirelat_tcp_accept_queue_drops_total",
	  "SYN-ACKs a server sent again after the client's ACK: its kernel dropped the ACK (a full accept queue).",
	  offsetof(struct wl_stats, accept_queue_drops) },
	{ "wirelat_tcp_challenge_acks_total",
	  "Bare ACKs a server sent in answer to a SYN (RFC 5961: it held an old connection on the tuple).",
	  offsetof(struct wl_stats, challenge_acks) },
	{ "wirelat_negative_durations_total",
	  "Durations below zero (capture time went backwards), not in any histogram.",
	  offsetof(struct wl_stats, negative_durations) },
	{ "wirelat_dns_query_retransmits_total",
	  "Queries repeated (same socket, ID and question) before the answer.",
	  offsetof(struct wl_stats, dns_query_retransmits) },
	{ "wirelat_dns_unsolicited_responses_total",
	  "Responses with no query at all (a spoofing or poisoning signal).",
	  offsetof(struct wl_stats, dns_unsolicited) },
	{ "wirelat_dns_duplicate_responses_total",
	  "Further responses to a query already answered.",
	  offsetof(struct wl_stats, dns_duplicate) },
	{ "wirelat_dns_mismatched_responses_total",
	  "Responses to an outstanding socket and ID whose question differs.",
	  offsetof(struct wl_stats, dns_mismatched) },
	{ "wirelat_dns_late_responses_total",
	  "Responses to a query that had already timed out.",
	  offsetof(struct wl_stats, dns_late) },
};

static void write_simple(FILE *f, struct wl_run *run,
			 const struct wl_snapshot *sn)
{
	const struct wl_stats *s = sn->s;
	int nslots = sn->nslots;
	size_t i;
	int slot;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		wl_prom_header(f, simple[i].name, "counter", simple[i].help);
		for (slot = 0; slot < nslots; slot++)
			fprintf(f, "%s{interface=\"%s\"} %llu\n", simple[i].name,
				wl_prom_slot_name(run, slot),
				(unsigned long long)*(const __u64 *)((const char *)&s[slot] +
								     simple[i].off));
	}
}

static void write_dns(FILE *f, struct wl_run *run,
		      const struct wl_snapshot *sn)
{
	const struct wl_stats *s = sn->s;
	int nslots = sn->nslots;
	char labels[128];
	int slot, i;

	wl_prom_header(f, "wirelat_dns_response_seconds", "histogram",
	       "First query to the first matching response, by rcode.");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < WL_RC_MAX; i++) {
			snprintf(labels, sizeof(labels),
				 "interface=\"%s\",rcode=\"%s\"",
				 wl_prom_slot_name(run, slot), wl_rcode_label_name[i]);
			wl_prom_histogram(f, "wirelat_dns_response_seconds", labels,
				  &s[slot].hist[WL_H_DNS + i]);
		}
	wl_prom_header(f, "wirelat_dns_queries_total", "counter",
	       "DNS transactions started, by qtype (retransmissions not included).");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < WL_QT_MAX; i++)
			fprintf(f,
				"wirelat_dns_queries_total{interface=\"%s\",qtype=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_qtype_label_name[i],
				(unsigned long long)s[slot].dns_queries[i]);
	wl_prom_header(f, "wirelat_dns_responses_total", "counter",
	       "Responses matched with their query, by rcode.");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < WL_RC_MAX; i++)
			fprintf(f,
				"wirelat_dns_responses_total{interface=\"%s\",rcode=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_rcode_label_name[i],
				(unsigned long long)s[slot].dns_responses[i]);
	wl_prom_header(f, "wirelat_dns_timeouts_total", "counter",
	       "Queries that got no response: timeout, or an ICMP unreachable.");
	for (slot = 0; slot < nslots; slot++) {
		fprintf(f,
			"wirelat_dns_timeouts_total{interface=\"%s\",reason=\"timeout\"} %llu\n",
			wl_prom_slot_name(run, slot),
			(unsigned long long)s[slot].dns_timeouts);
		fprintf(f,
			"wirelat_dns_timeouts_total{interface=\"%s\",reason=\"unreachable\"} %llu\n",
			wl_prom_slot_name(run, slot),
			(unsigned long long)s[slot].dns_unreachable);
	}
	wl_prom_header(f, "wirelat_dns_skipped_messages_total", "counter",
	       "DNS messages not looked at: malformed, split header, TCP framing lost.");
	for (slot = 0; slot < nslots; slot++)
		for (i = 0; i < WL_DNS_SKIP_MAX; i++)
			fprintf(f,
				"wirelat_dns_skipped_messages_total{interface=\"%s\",reason=\"%s\"} %llu\n",
				wl_prom_slot_name(run, slot), wl_dns_skip_name[i],
				(unsigned long long)s[slot].dns_skipped[i]);
}

static const char *const table_name[WL_T_MAX] = {
	[WL_T_HANDSHAKES] = "handshakes",
	[WL_T_DNS] = "dns",
	[WL_T_CONNS] = "connections",
};

/*
 * Entries and evictions as the sweep last counted them (a scrape never
 * walks a table): handshakes and queries at most a second old,
 * connections at most --idle-timeout/30 (10 s).
 */
static void write_tables(FILE *f, const struct wl_snapshot *sn)
{
	int t;

	wl_prom_header(f, "wirelat_flow_table_entries", "gauge",
	       "Entries in each flow table at its last sweep.");
	for (t = 0; t < WL_T_MAX; t++)
		fprintf(f, "wirelat_flow_table_entries{table=\"%s\"} %llu\n",
			table_name[t],
			(unsigned long long)sn->entries[t]);
	wl_prom_header(f, "wirelat_flow_table_capacity", "gauge",
	       "Entries each flow table can hold.");
	for (t = 0; t < WL_T_MAX; t++)
		fprintf(f, "wirelat_flow_table_capacity{table=\"%s\"} %llu\n",
			table_name[t], (unsigned long long)sn->capacity[t]);
	wl_prom_header(f, "wirelat_flow_table_evictions_total", "counter",
	       "Entries the LRU pushed out to make room.");
	for (t = 0; t < WL_T_MAX; t++)
		fprintf(f,
			"wirelat_flow_table_evictions_total{table=\"%s\"} %llu\n",
			table_name[t],
			(unsigned long long)sn->evictions[t]);
}

static void write_sock(FILE *f, const struct wl_sock_stats *ss)
{
	static const char *const result[WL_SOCK_MAX] = {
		[WL_SOCK_COMPLETED] = "completed",
		[WL_SOCK_REFUSED] = "refused",
		[WL_SOCK_TIMEOUT] = "timeout",
		[WL_SOCK_OTHER] = "other",
	};
	int i;

	wl_prom_header(f, "wirelat_sock_connect_seconds", "histogram",
	       "Socket path: connect latency of connections no watched interface carried (passive opens: the SYN-ACK to ACK leg).");
	wl_prom_histogram(f, "wirelat_sock_connect_seconds", "", &ss->connect);
	wl_prom_header(f, "wirelat_sock_connections_total", "counter",
	       "Socket path: connects of connections no watched interface carried, by result.");
	for (i = 0; i < WL_SOCK_MAX; i++)
		fprintf(f, "wirelat_sock_connections_total{result=\"%s\"} %llu\n",
			result[i], (unsigned long long)ss->result[i]);
}

static void write_attach(FILE *f, struct wl_run *run)
{
	int i;

	wl_prom_header(f, "wirelat_attach_info", "gauge",
	       "How each interface is watched (1 per interface).");
	if (run->cfg->read_file) {
		fprintf(f,
			"wirelat_attach_info{interface=\"pcap\",ingress=\"none\",egress=\"none\"} 1\n");
		return;
	}
	for (i = 0; i < run->n_slots; i++)
		fprintf(f,
			"wirelat_attach_info{interface=\"%s\",ingress=\"%s\",egress=\"%s\"} 1\n",
			run->ifname[i],
			run->ingress_hook[i] ? run->ingress_hook[i] : "none",
			run->egress_hook[i] ? run->egress_hook[i] : "none");
}

int wl_metrics_write(struct wl_run *run, FILE *f)
{
	struct wl_snapshot *sn;
	int err;

	sn = wl_snapshot_take(run, &err);
	if (!sn)
		return err;
	write_packets(f, run, sn);
	write_tcp(f, run, sn);
	write_dns(f, run, sn);
	write_simple(f, run, sn);
	write_sock(f, &sn->sock);
	wl_prom_header(f, "wirelat_records_dropped_total", "counter",
	       "Records lost because the ring buffer was full.");
	fprintf(f, "wirelat_records_dropped_total %llu\n",
		(unsigned long long)sn->records_dropped);
	write_tables(f, sn);
	if (run->who)
		wl_prom_who(run->who, f, run, sn);
	wl_prom_kernel(f, run, sn);	/* live: the kernel's side */
	write_attach(f, run);
	wl_prom_header(f, "wirelat_build_info", "gauge", "wirelat version.");
	fprintf(f, "wirelat_build_info{version=\"%s\"} 1\n", WL_VERSION);
	free(sn);
	return ferror(f) ? -EIO : 0;
}

int wl_metrics_write_file(struct wl_run *run, const char *path)
{
	char tmp[4096];
	FILE *f;
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		err = -errno;
		pr_warn("cannot write metrics to %s: %s\n", tmp, strerror(-err));
		return err;
	}
	err = wl_metrics_write(run, f);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		pr_warn("cannot write metrics to %s: %s\n", path, strerror(-err));
		unlink(tmp);
	}
	return err;
}
