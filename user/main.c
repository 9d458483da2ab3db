// SPDX-License-Identifier: BSD-3-Clause
/*
 * main.c - wirelat: parse the command line, load the BPF object, then
 * either watch interfaces (-i) or analyse a capture (-r).
 *
 * Exit status: 0 success, 1 runtime failure (bad capture, attach or load
 * failed), 2 bad command line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "offline.h"
#include "state.h"
#include "who.h"

static void observe_record(void *ctx, const struct wl_record *r)
{
	wl_who_record(ctx, r);
}

int main(int argc, char **argv)
{
	struct wl_config cfg;
	struct wl_run run = { .cfg = &cfg };
	struct wl_who who;
	int err;

	/* a closed pipe is an EPIPE to handle, not a death with programs
	 * still attached (live.c detaches and exits) */
	signal(SIGPIPE, SIG_IGN);
	err = wl_config_parse(&cfg, argc, argv);
	if (err)
		return err > 0 ? 0 : 2;

	run.out.f = stdout;
	run.out.json = cfg.json;
	if (cfg.read_file) {
		run.out.fixed_ifname = "pcap";
		run.n_slots = 1;
		run.ifname[0] = "pcap";
	} else {
		err = wl_live_prepare(&run);
		if (err)
			return 1;
	}

	err = wl_bpf_load(&run, cfg.read_file != NULL);
	if (err)
		return 1;
	err = wl_who_init(&who, &run, cfg.read_file == NULL);
	if (err) {
		wl_bpf_destroy(&run);
		return 1;
	}
	run.who = &who;
	run.out.observe = observe_record;
	run.out.observe_ctx = &who;
	if (cfg.read_file)
		err = wl_offline_run(&run);
	else
		err = wl_live_run(&run);
	fflush(stdout);
	/* metrics of a file cut short are still written: what was measured */
	if (cfg.metrics_out && wl_metrics_write_file(&run, cfg.metrics_out))
		err = err ? err : -1;
	wl_bpf_destroy(&run);
	wl_who_free(&who);
	return err ? 1 : 0;
}
