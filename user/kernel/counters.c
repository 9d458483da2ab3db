// SPDX-License-Identifier: BSD-3-Clause
/*
 * counters.c - the kernel's counters, read (counters.h): per-CPU map
 * elements summed over the CPUs, and with -j over the replay's shards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/counters.h"
#include "wirelat.skel.h"

/* @sum += @add, both @bytes of __u64 counters (the fields' own type). */
static void add_u64(void *sum, const void *add, size_t bytes)
{
	const __u64 *src = add;
	__u64 *dst = sum;
	size_t i;

	for (i = 0; i < bytes / sizeof(__u64); i++)
		dst[i] += src[i];
}

/* The per-CPU arrays read here: the counters per slot, the socket path's. */
enum counters_map { STATS, SOCK_STATS };

static int map_fd(struct wl_run *run, enum counters_map m)
{
	return bpf_map__fd(m == STATS ? run->skel->maps.stats :
					run->skel->maps.sock_stats);
}

/*
 * Elements 0..@n-1 (@size bytes each, every field a u64 counter) of map
 * @m, each summed over the CPUs and, -j, over the shards, into @sum; an
 * element whose lookup fails counts zero. Returns 0 or -errno.
 */
static int read_summed(struct wl_run *run, enum counters_map m, void *sum,
		       size_t size, int n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, k, err = 0;
	uint32_t key;
	char *buf;

	memset(sum, 0, size * n);
	if (!run->n_shards && !run->skel)	/* nothing loaded, nothing counted */
		return -ENODEV;
	if (ncpu < 0)
		return ncpu;
	/* room for one shard's @n elements, or one element on every CPU */
	buf = calloc(run->n_shards ? n : ncpu, size);
	if (!buf)
		return -ENOMEM;
	for (k = 0; !err && k < run->n_shards; k++) {
		err = read_summed(&run->shards[k], m, buf, size, n);
		if (!err)
			add_u64(sum, buf, size * n);
	}
	for (key = 0; !run->n_shards && key < (uint32_t)n; key++)
		if (!bpf_map_lookup_elem(map_fd(run, m), &key, buf))
			for (cpu = 0; cpu < ncpu; cpu++)
				add_u64((char *)sum + key * size,
					buf + cpu * size, size);
	free(buf);
	return err;
}

int wl_counters_read(struct wl_run *run, struct wl_stats *sum, int nslots)
{
	return read_summed(run, STATS, sum, sizeof(*sum), nslots);
}

int wl_sock_counters_read(struct wl_run *run, struct wl_sock_stats *sum)
{
	return read_summed(run, SOCK_STATS, sum, sizeof(*sum), 1);
}

uint64_t wl_table_capacity(struct wl_run *run, int t)
{
	/*
	 * As asked: -j's shards share it (jobs.c), and offline a table may
	 * be made smaller where it cannot fill (load.c, table_size()).
	 */
	switch (t) {
	case WL_T_HANDSHAKES:
		return run->cfg->max_flows;
	case WL_T_DNS:
		return run->cfg->max_dns;
	default:
		return run->cfg->max_conns;
	}
}
