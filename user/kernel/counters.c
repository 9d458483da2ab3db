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

/*
 * Element @key of the per-CPU array @fd, summed over the CPUs into @sum
 * (@size bytes of __u64 counters: the fields' own type, so no aliasing);
 * zero when the lookup fails. @percpu: room for every CPU's copy.
 */
static void sum_percpu(int fd, uint32_t key, void *sum, void *percpu,
		       size_t size, int ncpu)
{
	__u64 *dst = sum;
	size_t i;
	int cpu;

	memset(sum, 0, size);
	if (bpf_map_lookup_elem(fd, &key, percpu))
		return;
	for (cpu = 0; cpu < ncpu; cpu++) {
		const __u64 *src = (const __u64 *)((char *)percpu + cpu * size);

		for (i = 0; i < size / 8; i++)
			dst[i] += src[i];
	}
}

/* -j: every shard's counters summed (each field a u64 counter). */
static int read_shards(struct wl_run *run, struct wl_stats *sum, int nslots)
{
	struct wl_stats *one = calloc(nslots, sizeof(*one));
	size_t i, words = nslots * sizeof(*one) / sizeof(__u64);
	int k, err = 0;

	if (!one)
		return -ENOMEM;
	memset(sum, 0, nslots * sizeof(*sum));
	for (k = 0; !err && k < run->n_shards; k++) {
		err = wl_counters_read(&run->shards[k], one, nslots);
		for (i = 0; !err && i < words; i++)
			((__u64 *)sum)[i] += ((const __u64 *)one)[i];
	}
	free(one);
	return err;
}


int wl_counters_read(struct wl_run *run, struct wl_stats *sum, int nslots)
{
	int fd, ncpu = libbpf_num_possible_cpus();
	struct wl_stats *percpu;
	int slot;

	if (run->n_shards)
		return read_shards(run, sum, nslots);
	if (!run->skel)		/* nothing loaded, nothing counted */
		return -ENODEV;
	fd = bpf_map__fd(run->skel->maps.stats);
	if (ncpu < 0)
		return ncpu;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	/* every field is a u64 counter but the scratch word */
	for (slot = 0; slot < nslots; slot++)
		sum_percpu(fd, slot, &sum[slot], percpu, sizeof(*percpu), ncpu);
	free(percpu);
	return 0;
}

int wl_sock_counters_read(struct wl_run *run, struct wl_sock_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct wl_sock_stats *percpu;

	memset(sum, 0, sizeof(*sum));
	if (run->n_shards) {	/* -j: every shard's, summed */
		struct wl_sock_stats one;
		size_t i;
		int k;

		for (k = 0; k < run->n_shards; k++) {
			if (wl_sock_counters_read(&run->shards[k], &one))
				return -ENOMEM;
			for (i = 0; i < sizeof(one) / sizeof(__u64); i++)
				((__u64 *)sum)[i] += ((const __u64 *)&one)[i];
		}
		return 0;
	}
	if (ncpu < 0)
		return ncpu;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	sum_percpu(bpf_map__fd(run->skel->maps.sock_stats), 0, sum, percpu,
		   sizeof(*sum), ncpu);
	free(percpu);
	return 0;
}

uint64_t wl_table_capacity(struct wl_run *run, int t)
{
	uint64_t n = 0;
	int k;

	if (run->n_shards) {
		for (k = 0; k < run->n_shards; k++)
			n += wl_table_capacity(&run->shards[k], t);
		return n;
	}
	switch (t) {
	case WL_T_HANDSHAKES:
		return bpf_map__max_entries(run->skel->maps.handshakes);
	case WL_T_DNS:
		return bpf_map__max_entries(run->skel->maps.dns_pending);
	default:
		return bpf_map__max_entries(run->skel->maps.conns);
	}
}
