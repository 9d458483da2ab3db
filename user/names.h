/* SPDX-License-Identifier: BSD-3-Clause */
/* names.h - label and record strings for the enums of wirelat.h. */
#ifndef WIRELAT_NAMES_H
#define WIRELAT_NAMES_H

extern const char *const wl_dir_name[];
extern const char *const wl_pkt_result_name[];
extern const char *const wl_malformed_name[];
extern const char *const wl_hs_result_name[];
extern const char *const wl_fail_reason_name[];

#endif /* WIRELAT_NAMES_H */
