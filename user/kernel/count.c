// SPDX-License-Identifier: BSD-3-Clause
/*
 * count.c - the entry counter (count.h): an object of its own, loaded on
 * the main object's tables and counters (bpf_map__reuse_fd by name), so
 * that its kfunc is resolved only where the kernel has it (see
 * sweep/wirelat_count.bpf.c for why it cannot live in the main object).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "kernel/count.h"
#include "wirelat.skel.h"
#include "wirelat_count.skel.h"

/* Every map of @count becomes the main object's map of the same name. */
static int share_maps(struct wirelat_count *count, struct wirelat *skel)
{
	struct bpf_map *m, *main_map;
	int err;

	bpf_object__for_each_map(m, count->obj) {
		if (bpf_map__is_internal(m))	/* its own .bss */
			continue;
		main_map = bpf_object__find_map_by_name(skel->obj,
							bpf_map__name(m));
		if (!main_map)
			return -ENOENT;
		err = bpf_map__reuse_fd(m, bpf_map__fd(main_map));
		if (err)
			return err;
	}
	return 0;
}

int wl_count_load(struct wl_run *run)
{
	struct wirelat_count *count = wirelat_count__open();
	int err;

	if (!count)
		err = -errno;
	else
		err = share_maps(count, run->skel);
	if (!err)
		err = wirelat_count__load(count);
	if (err) {
		pr_warn("the entry counter did not load (%s): table entries and evictions are counted by the sweep's walk\n",
			strerror(-err));
		wirelat_count__destroy(count);
		return err;
	}
	run->count = count;
	return 0;
}

int wl_count_run(struct wl_run *run)
{
	struct wl_sweep_io *io = &run->skel->bss->wl_sweep_io, *cio;
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int ncpus = libbpf_num_possible_cpus(), err;

	if (!run->count)
		return 0;
	cio = &run->count->bss->wl_sweep_io;
	cio->ncpus = ncpus > 0 ? ncpus : 0;
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(run->count->progs.wirelat_count), &topts)) {
		err = -errno;
		pr_warn("running the entry-count program failed: %s\n",
			strerror(-err));
		return err;
	}
	memcpy(io->live, cio->live, sizeof(io->live));
	memcpy(io->evicted, cio->evicted, sizeof(io->evicted));
	io->evicted_known = cio->evicted_known;
	return 0;
}

void wl_count_destroy(struct wl_run *run)
{
	wirelat_count__destroy(run->count);
	run->count = NULL;
}
