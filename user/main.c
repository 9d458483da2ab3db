// SPDX-License-Identifier: BSD-3-Clause
/*
 * main.c - wirelat: parse the command line, load the BPF object, then
 * either watch interfaces (-i) or analyse a capture (-r); `wirelat top`
 * is the terminal view (top_view.c) over the same run.
 *
 * Exit status: 0 success, 1 runtime failure (bad capture, attach or load
 * failed), 2 bad command line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "run.h"
#include "top_view.h"

int main(int argc, char **argv)
{
	struct wl_config cfg;
	int err;

	/* a closed pipe is an EPIPE to handle, not a death with programs
	 * still attached (live.c detaches and exits) */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], "top"))
		return wl_top_main(argc - 1, argv + 1);
	err = wl_config_parse(&cfg, argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	return wl_run_main(&cfg, stdout, NULL, NULL);
}
