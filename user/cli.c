// SPDX-License-Identifier: BSD-3-Clause
/*
 * cli.c - the command line: one option table drives getopt_long and the
 * usage text; numbers, durations and subnets go through the bounded
 * parsers of cli_values.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_values.h"
#include "output/http.h"
#include "core/log.h"
#include "output/webcfg.h"

enum {
	OPT_JSON = 256,
	OPT_XDP_MODE,
	OPT_INGRESS,
	OPT_MAX_FLOWS,
	OPT_HS_TIMEOUT,
	OPT_METRICS_OUT,
	OPT_DNS_PORT,
	OPT_DNS_TIMEOUT,
	OPT_MAX_DNS,
	OPT_LISTEN,
	OPT_WEB_CONFIG,
	OPT_USER,
	OPT_MAX_CONNS,
	OPT_IDLE_TIMEOUT,
	OPT_RTT_INTERVAL,
	OPT_SUMMARY_INTERVAL,
	OPT_SOCK,
	OPT_TOP,
	OPT_TOP_WINDOW,
	OPT_LABEL_SUBNET,
};

struct wl_option {
	struct option opt;
	const char *arg;	/* metavariable, NULL for a flag */
	const char *help;
};

static const struct wl_option options[] = {
	{ { "interface", required_argument, NULL, 'i' }, "IFACE",
	  "attach to IFACE (repeat for more, up to 16)" },
	{ { "read", required_argument, NULL, 'r' }, "FILE",
	  "analyse a pcap/pcapng file offline instead" },
	{ { "jobs", required_argument, NULL, 'j' }, "N",
	  "-r: replay on N threads, flows split among them (default: the online CPUs, one per 16 MB of file at most; 1: one)" },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	  "print records as JSON lines" },
	{ { "ingress", required_argument, NULL, OPT_INGRESS },
	  "auto|xdp|xdp-skb|tc", "the ingress hook; auto: native XDP on a NIC whose driver has it, TC ingress on veth and other virtual devices (default auto)" },
	{ { "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	  "auto|native|skb", "older spelling of --ingress auto|xdp|xdp-skb" },
	{ { "sock", required_argument, NULL, OPT_SOCK },
	  "auto|tracepoint|kprobe|off", "socket-layer path for connections no watched interface carries (default auto)" },
	{ { "max-flows", required_argument, NULL, OPT_MAX_FLOWS }, "N",
	  "pending handshakes tracked (default 65536)" },
	{ { "handshake-timeout", required_argument, NULL, OPT_HS_TIMEOUT },
	  "DURATION", "no SYN-ACK this long after the latest SYN (or 2.5 x the last SYN gap, if longer) is a timeout (default 5s)" },
	{ { "max-conns", required_argument, NULL, OPT_MAX_CONNS }, "N",
	  "connections tracked (default 262144)" },
	{ { "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	  "DURATION", "a connection quiet this long is closed (default 300s)" },
	{ { "rtt-interval", required_argument, NULL, OPT_RTT_INTERVAL },
	  "DURATION", "least time between RTT samples of a side (default 0)" },
	{ { "dns-port", required_argument, NULL, OPT_DNS_PORT }, "PORT",
	  "a DNS server port (repeat for up to 8; default 53)" },
	{ { "dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT },
	  "DURATION", "a query unanswered this long is a timeout (default 5s)" },
	{ { "max-dns", required_argument, NULL, OPT_MAX_DNS }, "N",
	  "outstanding DNS queries tracked (default 65536)" },
	{ { "top", required_argument, NULL, OPT_TOP }, "N",
	  "series per server, client, domain, DNS server for the N heaviest (default 20, 0 off)" },
	{ { "top-window", required_argument, NULL, OPT_TOP_WINDOW }, "DURATION",
	  "the sliding window that ranks them (default 5m = 300s)" },
	{ { "label-subnet", required_argument, NULL, OPT_LABEL_SUBNET }, "CIDR=NAME",
	  "addresses in CIDR appear as NAME in those series (repeatable)" },
	{ { "listen", required_argument, NULL, OPT_LISTEN }, "ADDR:PORT",
	  "serve /metrics here (default 127.0.0.1:9745; :9745 = all)" },
	{ { "web-config", required_argument, NULL, OPT_WEB_CONFIG }, "FILE",
	  "TLS and basic auth for /metrics (Prometheus exporter-toolkit's web config)" },
	{ { "user", required_argument, NULL, OPT_USER }, "NAME",
	  "live: once attached, run as NAME (its uid and gid) with only the capabilities still needed" },
	{ { "metrics-out", required_argument, NULL, OPT_METRICS_OUT }, "FILE",
	  "write final metrics in Prometheus text format (offline)" },
	{ { "summary-interval", required_argument, NULL, OPT_SUMMARY_INTERVAL },
	  "DURATION", "a summary line this often on a terminal (default 10s, 0 off)" },
	{ { "verbose", no_argument, NULL, 'v' }, NULL,
	  "show libbpf/libxdp messages (twice: their debug lines too)" },
	{ { "version", no_argument, NULL, 'V' }, NULL, "print the version" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help" },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: wirelat -i IFACE [-i IFACE...] [OPTIONS]\n"
		"       wirelat -r FILE [OPTIONS]\n"
		"       wirelat top [--from URL | -i IFACE | -r FILE] [--sort KEY] (see wirelat top --help)\n\n"
		"Times TCP handshakes and DNS queries on the wire (XDP or TC ingress,\n"
		"TC egress) or in a capture file; prints one record per transaction.\n\n"
		"Options:\n");
	for (i = 0; i < N_OPTIONS; i++) {
		const struct wl_option *o = &options[i];
		char left[64];

		if (o->opt.val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->opt.val, o->opt.name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
				 o->opt.name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-34s %s\n", left, o->help);
	}
	fprintf(f,
		"\nDURATION is a number with an optional unit: ns, us, ms, s, m, h "
		"(default s); each option's range is in its error message.\n\n"
		"Examples:\n"
		"  sudo wirelat -i eth0 --json\n"
		"  wirelat -r capture.pcap --json\n"
		"  wirelat -r capture.pcapng --handshake-timeout 1s "
		"--metrics-out capture.prom\n");
}

static int bad_value(const char *opt, const char *val, int err,
		     const char *expect)
{
	pr_warn("invalid --%s '%s': %s (expected %s)\n", opt, val,
		err == -ERANGE ? "out of range" : "not understood", expect);
	return -EINVAL;
}

/* The values of --ingress and of its older spelling --xdp-mode. */
static const char *const ingress_names[] = {
	[WL_INGRESS_AUTO] = "auto",
	[WL_INGRESS_XDP] = "xdp",
	[WL_INGRESS_XDP_SKB] = "xdp-skb",
	[WL_INGRESS_TC] = "tc",
};
static const char *const xdp_mode_names[] = {
	[WL_INGRESS_AUTO] = "auto",
	[WL_INGRESS_XDP] = "native",
	[WL_INGRESS_XDP_SKB] = "skb",
	[WL_INGRESS_TC] = NULL,
};

/*
 * --ingress or --xdp-mode (@opt) = @arg, looked up in @names. Given twice
 * (either spelling), the two must agree.
 */
static int set_ingress(struct wl_config *cfg, const char *opt,
		       const char *arg, const char *const names[4])
{
	int i;

	for (i = 0; i < 4; i++)
		if (names[i] && !strcmp(arg, names[i]))
			break;
	if (i == 4)
		return bad_value(opt, arg, -EINVAL,
				 names == ingress_names ?
					 "auto, xdp, xdp-skb or tc" :
					 "auto, native or skb");
	if (cfg->ingress_opt && cfg->ingress != (enum wl_ingress)i) {
		pr_warn("--%s %s disagrees with the %s given before: give one\n",
			opt, arg, cfg->ingress_opt);
		return -EINVAL;
	}
	cfg->ingress = i;
	cfg->ingress_opt = names == ingress_names ? "--ingress" : "--xdp-mode";
	return 0;
}

static int parse_one(struct wl_config *cfg, int c, const char *arg)
{
	uint64_t v;
	int err;

	switch (c) {
	case 'i':
		if (cfg->n_ifaces >= WL_MAX_IFACES) {
			pr_warn("too many interfaces: at most %d\n",
				WL_MAX_IFACES);
			return -EINVAL;
		}
		cfg->ifnames[cfg->n_ifaces++] = arg;
		return 0;
	case 'r':
		cfg->read_file = arg;
		return 0;
	case 'j':
		err = wl_parse_u64(arg, 1, WL_JOBS_MAX, &v);
		if (err)
			return bad_value("jobs", arg, err,
					 "an integer from 1 to 64");
		cfg->jobs = v;
		return 0;
	case OPT_JSON:
		cfg->json = true;
		return 0;
	case OPT_INGRESS:
		return set_ingress(cfg, "ingress", arg, ingress_names);
	case OPT_XDP_MODE:
		return set_ingress(cfg, "xdp-mode", arg, xdp_mode_names);
	case OPT_SOCK:
		if (!strcmp(arg, "auto"))
			cfg->sock_mode = WL_SOCK_AUTO;
		else if (!strcmp(arg, "tracepoint"))
			cfg->sock_mode = WL_SOCK_TRACEPOINT;
		else if (!strcmp(arg, "kprobe"))
			cfg->sock_mode = WL_SOCK_KPROBE;
		else if (!strcmp(arg, "off"))
			cfg->sock_mode = WL_SOCK_OFF;
		else
			return bad_value("sock", arg, -EINVAL,
					 "auto, tracepoint, kprobe or off");
		cfg->sock_mode_set = true;
		return 0;
	case OPT_TOP:
		err = wl_parse_u64(arg, 0, 1000, &v);
		if (err)
			return bad_value("top", arg, err, "an integer from 0 to 1000");
		cfg->top = v;
		return 0;
	case OPT_TOP_WINDOW:
		err = wl_parse_duration(arg, 1000000000ULL, 86400000000000ULL, &v);
		if (err)
			return bad_value("top-window", arg, err,
					 "a duration from 1s to 24h");
		cfg->top_window_ns = v;
		return 0;
	case OPT_LABEL_SUBNET:
		if (cfg->n_subnets >= WL_MAX_SUBNETS) {
			pr_warn("too many --label-subnet: at most %d\n",
				WL_MAX_SUBNETS);
			return -EINVAL;
		}
		err = wl_subnet_parse(arg, &cfg->subnets[cfg->n_subnets]);
		if (err)
			return err;
		cfg->n_subnets++;
		return 0;
	case OPT_MAX_FLOWS:
		err = wl_parse_u64(arg, 1, 1u << 24, &v);
		if (err)
			return bad_value("max-flows", arg, err,
					 "an integer from 1 to 16777216");
		cfg->max_flows = v;
		return 0;
	case OPT_HS_TIMEOUT:
		err = wl_parse_duration(arg, 1000000ULL, 3600000000000ULL, &v);
		if (err)
			return bad_value("handshake-timeout", arg, err,
					 "a duration from 1ms to 1h");
		cfg->handshake_timeout_ns = v;
		return 0;
	case OPT_DNS_PORT:
		err = wl_parse_u64(arg, 1, 65535, &v);
		if (err)
			return bad_value("dns-port", arg, err,
					 "a port from 1 to 65535");
		if (cfg->n_dns_ports >= WL_MAX_DNS_PORTS) {
			pr_warn("too many --dns-port: at most %d\n",
				WL_MAX_DNS_PORTS);
			return -EINVAL;
		}
		cfg->dns_ports[cfg->n_dns_ports++] = v;
		return 0;
	case OPT_MAX_CONNS:
		err = wl_parse_u64(arg, 1, 1u << 24, &v);
		if (err)
			return bad_value("max-conns", arg, err,
					 "an integer from 1 to 16777216");
		cfg->max_conns = v;
		return 0;
	case OPT_IDLE_TIMEOUT:
		err = wl_parse_duration(arg, 1000000ULL, 86400000000000ULL, &v);
		if (err)
			return bad_value("idle-timeout", arg, err,
					 "a duration from 1ms to 24h");
		cfg->idle_timeout_ns = v;
		return 0;
	case OPT_RTT_INTERVAL:
		err = wl_parse_duration(arg, 0, 3600000000000ULL, &v);
		if (err)
			return bad_value("rtt-interval", arg, err,
					 "a duration from 0 to 1h");
		cfg->rtt_interval_ns = v;
		return 0;
	case OPT_SUMMARY_INTERVAL:
		err = wl_parse_duration(arg, 0, 86400000000000ULL, &v);
		if (err)
			return bad_value("summary-interval", arg, err,
					 "a duration from 0 to 24h");
		cfg->summary_interval_ns = v;
		return 0;
	case OPT_DNS_TIMEOUT:
		err = wl_parse_duration(arg, 1000000ULL, 3600000000000ULL, &v);
		if (err)
			return bad_value("dns-timeout", arg, err,
					 "a duration from 1ms to 1h");
		cfg->dns_timeout_ns = v;
		return 0;
	case OPT_MAX_DNS:
		err = wl_parse_u64(arg, 1, 1u << 24, &v);
		if (err)
			return bad_value("max-dns", arg, err,
					 "an integer from 1 to 16777216");
		cfg->max_dns = v;
		return 0;
	case OPT_METRICS_OUT:
		cfg->metrics_out = arg;
		return 0;
	case OPT_USER:	/* checked now: an unknown user is a bad command line */
		if (!getpwnam(arg))
			return bad_value("user", arg, -ENOENT,
					 "a user name of this system");
		cfg->user = arg;
		return 0;
	case OPT_WEB_CONFIG: {	/* checked now: a bad file is a bad command line */
		struct wl_web w;

		if (wl_web_load(arg, &w))
			return -EINVAL;
		wl_web_free(&w);
		cfg->web_config = arg;
		return 0;
	}
	case OPT_LISTEN: {
		struct sockaddr_storage ss;
		int all;

		if (wl_listen_parse(arg, &ss, &all))
			return bad_value("listen", arg, -EINVAL,
					 "ADDR:PORT, [ADDR]:PORT or :PORT");
		cfg->listen = arg;
		return 0;
	}
	case 'v':	/* -v: libbpf and libxdp info; -v -v: their debug too */
		wl_verbose++;
		return 0;
	}
	return -EINVAL;
}

int wl_config_parse(struct wl_config *cfg, int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	const char *shortopts = "i:r:j:vVh";
	size_t i;
	int c, err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = WL_DEFAULT_MAX_FLOWS;
	cfg->handshake_timeout_ns = WL_DEFAULT_HANDSHAKE_TIMEOUT_NS;
	cfg->dns_timeout_ns = WL_DEFAULT_DNS_TIMEOUT_NS;
	cfg->max_dns = WL_DEFAULT_MAX_DNS;
	cfg->max_conns = WL_DEFAULT_MAX_CONNS;
	cfg->summary_interval_ns = 10000000000ULL;
	cfg->idle_timeout_ns = WL_DEFAULT_IDLE_TIMEOUT_NS;
	cfg->listen = "127.0.0.1:9745";
	cfg->top = 20;
	cfg->top_window_ns = 300000000000ULL;

	for (i = 0; i < N_OPTIONS; i++)
		longopts[i] = options[i].opt;
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));

	opterr = 0;
	/* 0, not 1: glibc then starts afresh, also forgetting where it was
	 * inside a cluster of short options (-hv: help returned at h) of a
	 * command line that may be gone by the next call (fuzz_cli) */
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("wirelat %s\n", WL_VERSION);
			return 1;
		case '?':
			if (optopt)
				pr_warn("option -%c %s; see wirelat --help\n",
					optopt,
					strchr(shortopts, optopt) ?
						"needs a value" :
						"is unknown");
			else
				pr_warn("option '%s' is unknown or needs a value; see wirelat --help\n",
					argv[optind - 1]);
			return -EINVAL;
		default:
			err = parse_one(cfg, c, optarg);
			if (err)
				return err;
		}
	}
	if (!cfg->n_dns_ports)
		cfg->dns_ports[cfg->n_dns_ports++] = 53;
	if (optind < argc) {
		pr_warn("unexpected argument '%s'; see wirelat --help\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!cfg->read_file && !cfg->n_ifaces) {
		pr_warn("nothing to do: give -i IFACE to watch an interface or -r FILE to read a capture\n");
		return -EINVAL;
	}
	if (cfg->read_file && cfg->sock_mode_set) {
		pr_warn("--sock watches live sockets; a capture file has none: drop --sock or use -i\n");
		return -EINVAL;
	}
	if (cfg->read_file && cfg->ingress_opt) {
		pr_warn("%s chooses where wirelat attaches; a capture file is read, not attached to: drop it or use -i\n",
			cfg->ingress_opt);
		return -EINVAL;
	}
	if (!cfg->read_file && cfg->jobs) {
		pr_warn("-j splits the replay of a capture (-r) among threads; a live run has none to split: drop -j\n");
		return -EINVAL;
	}
	if (cfg->read_file && cfg->n_ifaces) {
		pr_warn("-r and -i exclude each other: analyse a file or watch interfaces\n");
		return -EINVAL;
	}
	return 0;
}
