// SPDX-License-Identifier: BSD-3-Clause
/* run.c - one whole run: load, watch or replay, metrics, detach (run.h). */
#include <stdio.h>
#include "attach/live.h"
#include "output/prom.h"
#include "offline/offline.h"
#include "run.h"
#include "core/state.h"
#include "kernel/load.h"
#include "metrics/who.h"

static void observe_record(void *ctx, const struct wl_record *r)
{
	wl_who_record(ctx, r);
}

int wl_run_main(const struct wl_config *cfg, FILE *out,
		void (*tick)(struct wl_run *run, void *ctx), void *ctx)
{
	struct wl_run run = { .cfg = cfg };
	struct wl_who who;
	int err;

	run.out.f = out;
	run.out.json = cfg->json;
	run.tick = tick;
	run.tick_ctx = ctx;
	if (cfg->read_file) {
		run.out.fixed_ifname = "pcap";
		run.n_slots = 1;
		run.ifname[0] = "pcap";
	} else {
		err = wl_live_prepare(&run);
		if (err)
			return 1;
	}

	/* -j N: the replay loads an object per thread (offline.c) */
	if (!cfg->read_file || wl_offline_jobs(cfg) == 1) {
		err = wl_bpf_load(&run, cfg->read_file != NULL);
		if (err)
			return 1;
	}
	err = wl_who_init(&who, &run, cfg->read_file == NULL);
	if (err) {
		wl_bpf_destroy(&run);
		return 1;
	}
	/* offline, the breakdowns only feed --metrics-out and wirelat top */
	if (!cfg->read_file || cfg->metrics_out || tick) {
		run.who = &who;
		run.out.observe = observe_record;
		run.out.observe_ctx = &who;
	}
	if (cfg->read_file)
		err = wl_offline_run(&run);
	else
		err = wl_live_run(&run);
	fflush(out);
	/* metrics of a file cut short are still written: what was measured
	 * (-j N on a file that does not open loaded nothing: nothing to say) */
	if (run.skel || run.n_shards) {
		if (cfg->metrics_out &&
		    wl_metrics_write_file(&run, cfg->metrics_out))
			err = err ? err : -1;
		/* the last view: what the whole run saw */
		if (tick)
			tick(&run, ctx);
	}
	wl_bpf_destroy(&run);
	wl_who_free(&who);
	return err ? 1 : 0;
}

