// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobs.c - -j N: this thread reads the capture and hands each frame, by the
 * hash of its flow (shard.c), to one of N shards, each a thread with a
 * loaded BPF object of its own replaying its frames exactly as the single
 * replay does (jobs_shard.c, replay.c: the same batches, sweeps at the
 * same points of the file, the same end of file: the reader sends every
 * shard each sweep). A flow's state lives in one shard, so each flow gets
 * the records it gets in one replay; the merger thread (jobs_merge.c)
 * puts them back in one replay's order and hands them to the writer.
 * Tables are each 1/N of the size asked (together the same memory); only
 * when they fill up (LRU evictions) can the records differ from -j 1's.
 * Here: the fleet started and stopped, the reader, the shards' counts
 * summed for the metrics.
 */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "core/log.h"
#include "kernel/load.h"
#include "offline/capture.h"
#include "offline/jobs.h"
#include "offline/jobs_merge.h"
#include "offline/jobs_shard.h"
#include "offline/shard.h"

/* Table size @total split in @n, shard @i's share (together @total). */
static uint32_t share(uint32_t total, int i, int n)
{
	uint32_t v = total / n + ((uint32_t)i < total % n);

	return v ? v : 1;
}

/* What the shards counted, into @run (the metrics read their maps). */
static void sum_shards(struct wl_run *run)
{
	int i, t, slot, d, k;

	for (i = 0; i < run->n_shards; i++) {
		struct wl_run *r = &run->shards[i];

		for (slot = 0; slot < WL_NSLOTS; slot++) {
			for (d = 0; d < WL_DIR_MAX; d++)
				for (k = 0; k < WL_PKT_MAX; k++)
					run->ustats[slot].packets[d][k] +=
						r->ustats[slot].packets[d][k];
			for (k = 0; k < WL_MAL_MAX; k++)
				run->ustats[slot].malformed[k] +=
					r->ustats[slot].malformed[k];
		}
		for (t = 0; t < WL_T_MAX; t++) {
			run->table_entries[t] += r->table_entries[t];
			run->table_evictions[t] += r->table_evictions[t];
			for (slot = 0; slot < WL_NSLOTS; slot++)
				run->table_slot_entries[t][slot] +=
					r->table_slot_entries[t][slot];
		}
	}
}

/*
 * Read the capture, frames to the shards; then the end of file to all (or
 * a stop: the output is gone, a shard failed, the file is bad: *@bad).
 */
static int read_frames(struct wl_fleet *fl, struct wl_run *run,
		       struct wl_capture *pc,
		       const char *path, int *bad)
{
	struct wl_eth_frame eth = { .dlt = wl_capture_datalink(pc) };
	struct wl_sweep_clock sc = { 0 };
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	struct wl_shard *s;
	struct wl_item it;
	uint64_t n = 0, clock;
	size_t len;
	int err = 0, rc, ok;

	memset(&it, 0, sizeof(it));
	while ((rc = wl_capture_next(pc, &h, &bytes)) == 1) {
		it.ts = wl_capture_ts(h);
		if (wl_replay_sweep_due(&sc, it.ts, &clock)) {
			struct wl_item sweep = { .kind = WL_ITEM_SWEEP,
						 .ts = clock };

			err = wl_shard_push_all(fl, &sweep);
			if (err)
				break;
		}
		ok = wl_capture_to_eth(&eth, run, h, bytes, &len, &it.wire_len);
		if (ok < 0) {
			err = ok;
			break;
		}
		if (ok) {
			it.kind = WL_ITEM_FRAME;
			it.len = len;
			it.seq = n;
			it.clock = sc.clock_ns;
			s = &fl->sh[wl_shard_hash(eth.buf, len) % fl->n];
			err = wl_shard_push(s, &it, eth.buf);
			if (err)
				break;
		}
		if (__atomic_load_n(&run->out.broken, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&fl->err, __ATOMIC_RELAXED))
			break;
		if (!(++n & 0xfff))
			wl_capture_progress(pc, path, n, 0);
	}
	wl_capture_progress(pc, path, n, 1);
	memset(&it, 0, sizeof(it));
	it.kind = !err && rc == PCAP_ERROR_BREAK ? WL_ITEM_EOF : WL_ITEM_STOP;
	it.clock = sc.clock_ns;
	wl_shard_push_all(fl, &it);
	free(eth.buf);
	*bad = !err && rc == PCAP_ERROR;
	return err;
}

int wl_jobs_replay(struct wl_run *run, struct wl_capture *pc,
		   const char *path, int n)
{
	struct wl_fleet fl = { .n = n };
	int i, started = 0, err = 0, merger = 0, bad = 0;

	/* what every thread would say alike (no privilege, an old kernel),
	 * said once */
	err = wl_bpf_probe(1);
	if (err)
		return err;
	fl.sh = calloc(n, sizeof(*fl.sh));
	run->shards = calloc(n, sizeof(*run->shards));
	if (!fl.sh || !run->shards) {
		free(fl.sh);
		free(run->shards);
		run->shards = NULL;
		return -ENOMEM;
	}
	run->n_shards = n;
	pthread_mutex_init(&fl.lock, NULL);
	pthread_cond_init(&fl.cond, NULL);
	for (i = 0; i < n; i++) {
		struct wl_shard *s = &fl.sh[i];

		s->fl = &fl;
		s->id = i;
		s->cfg = *run->cfg;
		s->cfg.max_flows = share(run->cfg->max_flows, i, n);
		s->cfg.max_dns = share(run->cfg->max_dns, i, n);
		s->cfg.max_conns = share(run->cfg->max_conns, i, n);
		s->run = &run->shards[i];
		*s->run = *run;
		s->run->cfg = &s->cfg;
		s->run->shards = NULL;
		s->run->n_shards = 0;
		s->run->who = NULL;
		s->run->skel = NULL;
		memset(s->run->ustats, 0, sizeof(s->run->ustats));
		if (pthread_create(&s->thread, NULL, wl_shard_main, s)) {
			err = -EAGAIN;
			pr_warn("could not start replay thread %d of %d\n",
				i + 1, n);
			break;
		}
		started++;
	}
	/* every shard loaded before the first frame, or none replays */
	pthread_mutex_lock(&fl.lock);
	for (i = 0; i < started; i++) {
		while (!fl.sh[i].loaded)
			pthread_cond_wait(&fl.cond, &fl.lock);
		if (fl.sh[i].loaded < 0 && !err)
			err = fl.sh[i].loaded;
	}
	pthread_mutex_unlock(&fl.lock);
	if (!err) {
		if (wl_writer_start(&fl.writer, wl_replay_print, run))
			pr_debug("no output thread: records are written in line\n");
		if (pthread_create(&fl.merger, NULL, wl_merge_main, &fl))
			err = -EAGAIN;
		else
			merger = 1;
	}
	if (!err) {
		err = read_frames(&fl, run, pc, path, &bad);
	} else {
		struct wl_item stop = { .kind = WL_ITEM_STOP };

		fl.n = started;
		wl_shard_push_all(&fl, &stop);
	}
	for (i = 0; i < started; i++)
		pthread_join(fl.sh[i].thread, NULL);
	if (merger)
		pthread_join(fl.merger, NULL);
	wl_writer_stop(&fl.writer);
	if (bad) {	/* what was measured is written: say what is wrong */
		wl_capture_read_error(pc, path);
		err = -EIO;
	}
	if (!err)
		err = fl.err;
	for (i = 0; i < n; i++) {
		/* the metrics read the maps: the objects stay loaded */
		fl.sh[i].run->cfg = run->cfg;
		wl_shard_free(&fl.sh[i]);
	}
	sum_shards(run);
	pthread_mutex_destroy(&fl.lock);
	pthread_cond_destroy(&fl.cond);
	free(fl.sh);
	return err;
}
