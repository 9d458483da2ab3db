/* SPDX-License-Identifier: BSD-3-Clause */
/* config.h - the daemon's configuration, filled from the command line. */
#ifndef WIRELAT_CONFIG_H
#define WIRELAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "wirelat.h"
#include "metrics/who.h"

/* --ingress: the hook that measures what an interface receives */
enum wl_ingress {
	WL_INGRESS_AUTO = 0,	/* per interface: XDP on a NIC, else TC */
	WL_INGRESS_XDP,		/* native XDP */
	WL_INGRESS_XDP_SKB,	/* XDP in skb (generic) mode */
	WL_INGRESS_TC,		/* TC (clsact) ingress */
};

/* --sock: the socket-layer fallback (DESIGN.md, attach rules) */
enum wl_sock_mode {
	WL_SOCK_AUTO = 0,	/* the tracepoint, else kprobes, else none */
	WL_SOCK_TRACEPOINT,
	WL_SOCK_KPROBE,
	WL_SOCK_OFF,
};

struct wl_config {
	const char *ifnames[WL_MAX_IFACES];
	int n_ifaces;
	const char *read_file;		/* -r: offline analysis */
	const char *metrics_out;	/* --metrics-out */
	const char *listen;		/* --listen ADDR:PORT (live) */
	const char *web_config;		/* --web-config FILE: TLS, basic auth */
	const char *user;		/* --user NAME: after attach (privs.c) */
	bool json;
	enum wl_ingress ingress;
	const char *ingress_opt;	/* the option that set it, for errors */
	enum wl_sock_mode sock_mode;
	bool sock_mode_set;		/* --sock given (offline: refused) */
	uint32_t max_flows;
	uint64_t handshake_timeout_ns;
	uint64_t dns_timeout_ns;
	uint64_t idle_timeout_ns;
	uint64_t rtt_interval_ns;
	uint32_t max_conns;
	uint64_t summary_interval_ns;	/* 0: no summary lines */
	uint32_t max_dns;
	uint16_t dns_ports[WL_MAX_DNS_PORTS];
	int n_dns_ports;
	int top;			/* --top N: named keys per breakdown */
	uint64_t top_window_ns;		/* --top-window */
	struct wl_subnet subnets[WL_MAX_SUBNETS];	/* --label-subnet */
	int n_subnets;
	uint32_t jobs;			/* -j: replay threads, 0 the CPUs */
};

#define WL_JOBS_MAX 64

/*
 * Fill @cfg from argv. Returns 0 to run, 1 when help or version was
 * printed (exit 0), or -EINVAL after one line on stderr (exit 2).
 */
int wl_config_parse(struct wl_config *cfg, int argc, char **argv);

/* Parse "3", "2.5s", "500ms", "250us", "100ns" into ns; -EINVAL/-ERANGE. */
int wl_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		      uint64_t *out);

/* Parse a decimal integer within [min, max]; -EINVAL/-ERANGE. */
int wl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* WIRELAT_CONFIG_H */
