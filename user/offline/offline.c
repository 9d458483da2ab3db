// SPDX-License-Identifier: BSD-3-Clause
/*
 * offline.c - -r FILE: the capture opened (capture.c), then replayed
 * through the XDP program with BPF_PROG_TEST_RUN, on this thread
 * (replay.c) or, with -j N (N > 1), split by flow across N threads
 * (jobs.c), each frame with its capture time; the records printed in
 * the same order either way. The folder, top down: offline.c -> jobs.c
 * (-> jobs_merge.c, jobs_shard.c, shard.c) -> replay.c (-> reorder.c,
 * writer.c) -> capture.c -> linktype.c.
 */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "offline/capture.h"
#include "offline/jobs.h"
#include "offline/offline.h"
#include "offline/replay.h"

/*
 * The records written in 1 MB blocks: with stdio's 4 kB, a write() a page
 * was a tenth of a big replay (a syscall costs microseconds on a VM).
 * stdio takes a size only with a buffer: this one lives as long as the
 * stream. (The capture is read so too: capture.c.)
 */
#define WL_IO_BUF (1u << 20)
static char write_buf[WL_IO_BUF];

int wl_offline_run(struct wl_run *run)
{
	const char *path = run->cfg->read_file;
	struct wl_capture *pc = NULL;
	int err;

	err = wl_capture_open(path, &pc);
	if (err)
		return err;
	/* not a terminal: in blocks (WL_IO_BUF); nothing written before */
	if (!isatty(fileno(run->out.f)))
		setvbuf(run->out.f, write_buf, _IOFBF, sizeof(write_buf));
	if (run->skel)
		err = wl_replay_capture(run, pc, path);
	else
		err = wl_jobs_replay(run, pc, path, wl_offline_jobs(run->cfg));
	wl_capture_close(pc);
	return err;
}

/*
 * Every thread loads the programs (the verifier: 0.25-0.6 s of a CPU
 * here) before it replays a frame, so by default a small capture is one
 * thread's: one per WL_JOBS_BYTES of file, up to the online CPUs (a file
 * whose size cannot be known gets them all).
 */
#define WL_JOBS_BYTES (16u << 20)

int wl_offline_jobs(const struct wl_config *cfg)
{
	long n = cfg->jobs ? (long)cfg->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	struct stat sb;

	if (!cfg->jobs && !stat(cfg->read_file, &sb) && S_ISREG(sb.st_mode) &&
	    sb.st_size / WL_JOBS_BYTES + 1 < n)
		n = sb.st_size / WL_JOBS_BYTES + 1;
	return n < 1 ? 1 : n > WL_JOBS_MAX ? WL_JOBS_MAX : (int)n;
}
