/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_common.h - what the libFuzzer harnesses share: one wirelat run with
 * the BPF object loaded for offline replay, once per process (loading
 * verifies the programs: far too slow per input), and its flow tables
 * emptied between inputs so that an input's result is its own.
 */
#ifndef WIRELAT_FUZZ_COMMON_H
#define WIRELAT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include "core/state.h"

/*
 * The process's run, loaded on first use with @args (argv after "wirelat",
 * NULL-terminated; "-r" is added) or NULL for small tables. Aborts when
 * the object cannot be loaded: a harness without it tests nothing.
 */
struct wl_run *wl_fuzz_run(const char *const *args);

/* Delete every entry of the run's hash tables (not the counters). */
void wl_fuzz_clear_tables(struct wl_run *run);

/* A file (a memfd) holding @data, as "/proc/self/fd/N"; NULL on failure. */
const char *wl_fuzz_file(const uint8_t *data, size_t size);

/* The BPF program's paths between two reads of its counters, as libFuzzer
 * features (extra counters). */
void wl_fuzz_note_paths(const struct wl_stats *a, const struct wl_stats *b);

/* abort() with a line saying which invariant broke. */
#define WL_FUZZ_CHECK(cond, ...)                                          \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			abort();                                          \
		}                                                         \
	} while (0)

#endif /* WIRELAT_FUZZ_COMMON_H */
