// SPDX-License-Identifier: BSD-3-Clause
/* fuzz_common.c - the harnesses' one loaded run (fuzz_common.h). */
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "kernel/load.h"
#include "output/prom.h"
#include "fuzz_common.h"
#include "wirelat.skel.h"

static struct wl_config cfg;
static struct wl_run run;

/* Small tables: emptying them between inputs stays cheap. */
static const char *const small_tables[] = {
	"--max-flows", "1024", "--max-conns", "1024", "--max-dns", "1024",
	NULL,
};

struct wl_run *wl_fuzz_run(const char *const *args)
{
	char *argv[64] = { "wirelat", "-r", "/dev/null" };
	int argc = 3;

	if (run.skel)
		return &run;
	if (!args)
		args = small_tables;
	while (*args && argc < 63)
		argv[argc++] = (char *)*args++;
	if (wl_config_parse(&cfg, argc, argv)) {
		fprintf(stderr, "fuzz: bad harness options\n");
		abort();
	}
	run.cfg = &cfg;
	run.n_slots = 1;
	run.ifname[0] = "pcap";
	run.out.fixed_ifname = "pcap";
	if (wl_bpf_load(&run, 1)) {
		fprintf(stderr, "fuzz: the BPF object does not load (root?)\n");
		abort();
	}
	return &run;
}

static void clear_map(struct bpf_map *m)
{
	enum bpf_map_type t = bpf_map__type(m);
	size_t ksz = bpf_map__key_size(m);
	uint8_t key[512], next[512];
	int fd = bpf_map__fd(m);

	if ((t != BPF_MAP_TYPE_HASH && t != BPF_MAP_TYPE_LRU_HASH &&
	     t != BPF_MAP_TYPE_PERCPU_HASH &&
	     t != BPF_MAP_TYPE_LRU_PERCPU_HASH) ||
	    fd < 0 || ksz > sizeof(key))
		return;
	/* always from the first key: the one just deleted has no next */
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, ksz);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

void wl_fuzz_clear_tables(struct wl_run *r)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, r->skel->obj)
		clear_map(m);
	/* the next sweep walks every table: nothing is known of them */
	memset(r->walked, 0, sizeof(r->walked));
}

const char *wl_fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("wirelat-fuzz", 0);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) !=
						 (ssize_t)size))
		return NULL;
	return path;
}

/*
 * libFuzzer sees the coverage of userspace only, not of the BPF program:
 * each counter the program moved (packet class, malformed reason, result,
 * histogram bucket, ...) is a feature of its own, so an input that makes
 * the program take a new path is kept.
 */
#define N_EXTRA (sizeof(struct wl_stats) / 8)
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t bpf_paths[N_EXTRA];

void wl_fuzz_note_paths(const struct wl_stats *a, const struct wl_stats *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;

	for (size_t i = 0; i < N_EXTRA; i++)
		if (x[i] != y[i] && bpf_paths[i] < 255)
			bpf_paths[i]++;
}
