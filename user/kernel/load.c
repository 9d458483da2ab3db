// SPDX-License-Identifier: BSD-3-Clause
/*
 * load.c - open, configure and load the one BPF object. libbpf's own
 * messages are shown only with -v; failures get one line that says what
 * to do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "core/log.h"
#include "kernel/count.h"
#include "kernel/probe.h"
#include "kernel/drops.h"
#include "kernel/sock.h"
#include "core/state.h"
#include "kernel/load.h"
#include "wirelat.skel.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && wl_verbose < 2)
		return 0;
	if (!wl_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* libxdp explains its dispatcher fallback at length: only with -v */
static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list args)
{
	if (!wl_verbose || (level == LIBXDP_DEBUG && wl_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void explain_load_error(int err)
{
	char buf[128];

	libbpf_strerror(err, buf, sizeof(buf));
	if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
		pr_warn("failed to load BPF programs: %s; run as root or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON\n",
			buf);
	else if (access("/sys/kernel/btf/vmlinux", R_OK))
		pr_warn("failed to load BPF programs: %s; this kernel has no BTF (/sys/kernel/btf/vmlinux), build it with CONFIG_DEBUG_INFO_BTF=y\n",
			buf);
	else
		pr_warn("failed to load BPF programs: %s; run with -v -v for the verifier log\n",
			buf);
}

/*
 * Offline, a table cannot hold more entries than the capture has frames
 * able to open one, and its size is its start-up cost (the kernel fills
 * every element of an LRU hash when it creates it: 262144 connections are
 * most of the 0.2 s a small capture takes, and 150 MB of kernel memory).
 * A file of @bytes holds at most @bytes / @per such openings: a frame is
 * a record header (pcap 16 bytes, pcapng more) and, to open a connection
 * or a handshake, an IP and a TCP header (40 bytes); a DNS message over
 * TCP is 14 bytes at least (its length and a header), several in one
 * segment. The slack covers the LRU's free elements parked on each CPU's
 * list (128 a CPU at most), which an insert on another CPU cannot take:
 * with it the table never fills, nothing is evicted that the asked size
 * would have kept, and the records are the same. The capacity reported
 * stays the asked one (wl_table_capacity()). Live, or a file whose size
 * is unknown (a pipe): as asked (@bytes 0).
 */
#define WL_OPEN_TCP_BYTES (16 + 40)
#define WL_OPEN_DNS_BYTES 14

static uint32_t table_size(uint64_t bytes, uint32_t asked, uint32_t per)
{
	uint64_t most;

	if (!bytes)
		return asked;
	most = bytes / per + 256ull * libbpf_num_possible_cpus() + 1024;
	return most < asked ? (uint32_t)most : asked;
}

/* The capture's size in bytes, offline; 0 live or when unknown. */
static uint64_t capture_bytes(const struct wl_config *cfg, int offline)
{
	struct stat sb;

	if (!offline || !cfg->read_file || stat(cfg->read_file, &sb) ||
	    !S_ISREG(sb.st_mode))
		return 0;
	return (uint64_t)sb.st_size;
}

/* The kernel probed, libbpf's and libxdp's messages routed first. */
static int probe_kernel(struct wl_kernel *k, int offline)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
	return wl_probe_kernel(k, offline);
}

int wl_bpf_probe(int offline)
{
	struct wl_kernel kernel;

	return probe_kernel(&kernel, offline);
}

int wl_bpf_open(struct wl_run *run, int offline, struct wirelat **out)
{
	const struct wl_config *cfg = run->cfg;
	uint64_t bytes = capture_bytes(cfg, offline);
	struct wl_kernel kernel;
	struct wirelat *skel;
	int err, i;

	err = probe_kernel(&kernel, offline);
	if (err)
		return err;
	skel = wirelat__open();
	if (!skel) {
		err = -errno;
		pr_warn("failed to open the BPF object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->cfg.handshake_timeout_ns = cfg->handshake_timeout_ns;
	skel->rodata->cfg.offline = offline;
	skel->rodata->cfg.dns_timeout_ns = cfg->dns_timeout_ns;
	skel->rodata->cfg.idle_timeout_ns = cfg->idle_timeout_ns;
	skel->rodata->cfg.rtt_interval_ns = cfg->rtt_interval_ns;
	skel->rodata->cfg.n_dns_ports = cfg->n_dns_ports;
	for (i = 0; i < cfg->n_dns_ports; i++)
		skel->rodata->cfg.dns_port[i] = cfg->dns_ports[i];
	for (i = 0; i < run->n_slots; i++)
		skel->rodata->cfg.ifindex[i] = run->ifindex[i];
	skel->rodata->cfg.n_ifaces = offline ? 0 : run->n_slots;

	err = bpf_map__set_max_entries(skel->maps.handshakes,
			table_size(bytes, cfg->max_flows, WL_OPEN_TCP_BYTES));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.dns_pending,
			table_size(bytes, cfg->max_dns, WL_OPEN_DNS_BYTES));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.dns_streams,
			table_size(bytes, cfg->max_dns, WL_OPEN_TCP_BYTES));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.conns,
			table_size(bytes, cfg->max_conns, WL_OPEN_TCP_BYTES));
	if (!err && offline)	/* the replay consumes after every packet */
		err = bpf_map__set_max_entries(skel->maps.records, 1u << 24);
	if (err) {
		pr_warn("failed to size BPF maps: %s\n", strerror(-err));
		wirelat__destroy(skel);
		return err;
	}
	err = wl_sock_configure(run, skel, offline);
	if (!err)
		err = wl_drops_configure(run, skel, offline);
	if (err) {
		wirelat__destroy(skel);
		return err;
	}
	/*
	 * Offline, the batch entry point and the sweep are all that run: the
	 * others are not loaded (the verifier's time was a seventh of a
	 * 700k-packet replay).
	 */
	bpf_program__set_autoload(skel->progs.wirelat_batch, offline);
	bpf_program__set_autoload(skel->progs.wirelat_xdp, !offline);
	bpf_program__set_autoload(skel->progs.wirelat_tc_in, !offline);
	bpf_program__set_autoload(skel->progs.wirelat_tc_eg, !offline);
	/*
	 * Offline nothing runs beside the sweep's walk, whose counts are
	 * exact there (sweep.c): the entry counter's object, its own parse
	 * of the kernel's BTF and its load (9 ms of every replay thread's
	 * start) would only repeat them.
	 */
	run->count_kfunc = kernel.sum_elem_count && !offline;
	*out = skel;
	return 0;
}

int wl_bpf_load(struct wl_run *run, int offline)
{
	struct wirelat *skel;
	int err;

	err = wl_bpf_open(run, offline, &skel);
	if (err)
		return err;
	err = wirelat__load(skel);
	if (err) {
		explain_load_error(err);
		wirelat__destroy(skel);
		return err;
	}
	run->skel = skel;
	if (run->count_kfunc)	/* not loaded: the walk counts instead */
		wl_count_load(run);
	return 0;
}

/* A run's objects: the counter first (it holds the main one's maps). */
static void destroy_objects(struct wl_run *run)
{
	wl_count_destroy(run);
	wirelat__destroy(run->skel);
	run->skel = NULL;
}

void wl_bpf_destroy(struct wl_run *run)
{
	int i;

	for (i = 0; i < run->n_shards; i++)
		destroy_objects(&run->shards[i]);
	free(run->shards);
	run->shards = NULL;
	run->n_shards = 0;
	destroy_objects(run);
}
