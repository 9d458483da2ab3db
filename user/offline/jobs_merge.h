/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jobs_merge.h - -j N's merger: the shards' records back into the order
 * one replay gives them, to the writer (jobs_merge.c).
 */
#ifndef WIRELAT_JOBS_MERGE_H
#define WIRELAT_JOBS_MERGE_H

/*
 * The merger's thread (@arg: the struct wl_fleet): until every shard is
 * done, takes a part of each and hands their records to fl->writer; its
 * error (-ENOMEM) goes to fl->err.
 */
void *wl_merge_main(void *arg);

#endif /* WIRELAT_JOBS_MERGE_H */
