/* SPDX-License-Identifier: BSD-3-Clause */
/* names.h - label and record strings for the enums of wirelat.h. */
#ifndef WIRELAT_NAMES_H
#define WIRELAT_NAMES_H

extern const char *const wl_dir_name[];
extern const char *const wl_pkt_result_name[];
extern const char *const wl_malformed_name[];
extern const char *const wl_hs_result_name[];
extern const char *const wl_fail_reason_name[];
extern const char *const wl_qtype_label_name[];
extern const char *const wl_rcode_label_name[];
extern const char *const wl_dns_skip_name[];
extern const char *const wl_close_reason_name[];

/* Name of a qtype / rcode value, NULL when it has none (printed as a number). */
const char *wl_qtype_name(unsigned qtype);
const char *wl_rcode_name(unsigned rcode);

#endif /* WIRELAT_NAMES_H */
