// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_capture.c - libFuzzer harness: the input is a capture file, read by
 * the offline reader end to end (libpcap, every link type it accepts, the
 * frames through the real batch and sweep programs with BPF_PROG_TEST_RUN,
 * records formatted as JSON and fed to the who-is-slow tables, the
 * metrics written). Seeded from pcaps/ and pcaps/third-party/. A bad file
 * must give an error, never a crash or a sanitizer report. The counters
 * the BPF program moved guide libFuzzer too (fuzz_common.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "kernel/counters.h"
#include "output/prom.h"
#include "offline/offline.h"
#include "metrics/who.h"

static void observe(void *ctx, const struct wl_record *r)
{
	wl_who_record(ctx, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wl_stats before, after;
	static struct wl_who who;
	struct wl_run *run = wl_fuzz_run(NULL);
	struct wl_config *cfg = (struct wl_config *)run->cfg;
	FILE *null;

	if (!run->who) {
		if (wl_who_init(&who, run, 0))
			abort();
		run->who = &who;
		run->out.observe = observe;
		run->out.observe_ctx = &who;
	}
	cfg->read_file = wl_fuzz_file(data, size);
	if (!cfg->read_file)
		abort();
	wl_fuzz_clear_tables(run);
	/* a stream per input: the reader sets its buffer before any write */
	null = fopen("/dev/null", "w");
	if (!null)
		abort();
	run->out.f = null;
	run->out.json = size & 1;	/* both formats, by the input */
	run->out.broken = false;
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	if (wl_counters_read(run, &before, 1))
		abort();
	wl_offline_run(run);
	if (wl_counters_read(run, &after, 1))
		abort();
	wl_fuzz_note_paths(&before, &after);
	fflush(null);
	wl_metrics_write(run, null);
	fclose(null);
	return 0;
}
