/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h - what a run is told: the configuration the command line
 * (cli.c) fills and every layer reads.
 */
#ifndef WIRELAT_CONFIG_H
#define WIRELAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "wirelat.h"

/* a --label-subnet NAME: a label value of the who-is-slow series */
#define WL_SUBNET_NAME_MAX 256

/* --label-subnet CIDR=NAME */
struct wl_subnet {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;		/* prefix length */
	uint8_t addr[16];
	char name[WL_SUBNET_NAME_MAX];
};

#define WL_MAX_SUBNETS 64

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
	const char *user;		/* --user NAME: after attach (attach/privs.c) */
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

#endif /* WIRELAT_CONFIG_H */
