/* SPDX-License-Identifier: BSD-3-Clause */
/* top_view.h - `wirelat top`, the terminal view of who is slow. */
#ifndef WIRELAT_TOP_VIEW_H
#define WIRELAT_TOP_VIEW_H

/* argv[0] is "top". Returns the exit status (0, 1 runtime, 2 usage). */
int wl_top_main(int argc, char **argv);

#endif /* WIRELAT_TOP_VIEW_H */
