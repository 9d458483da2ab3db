// SPDX-License-Identifier: BSD-3-Clause
/*
 * names.c - the strings behind the enums of wirelat.h, indexed by their
 * values: metric label values and record field values. Sizes are checked
 * against the enums at compile time so a new value cannot go unnamed.
 */
#include "wirelat.h"
#include "names.h"

#define CHECK_SIZE(arr, n) \
	_Static_assert(sizeof(arr) / sizeof(arr[0]) == (n), #arr " size")

const char *const wl_dir_name[] = {
	[WL_DIR_INGRESS] = "ingress",
	[WL_DIR_EGRESS] = "egress",
};
CHECK_SIZE(wl_dir_name, WL_DIR_MAX);

const char *const wl_pkt_result_name[] = {
	[WL_PKT_PARSED] = "parsed",
	[WL_PKT_MALFORMED] = "malformed",
	[WL_PKT_TRUNCATED] = "truncated",
	[WL_PKT_FRAGMENT] = "fragment",
	[WL_PKT_OTHER] = "other",
};
CHECK_SIZE(wl_pkt_result_name, WL_PKT_MAX);

const char *const wl_malformed_name[] = {
	[WL_MAL_ETH_SHORT] = "eth_short",
	[WL_MAL_VLAN_SHORT] = "vlan_short",
	[WL_MAL_VLAN_DEPTH] = "vlan_depth",
	[WL_MAL_IPV4_SHORT] = "ipv4_short",
	[WL_MAL_IPV4_VERSION] = "ipv4_version",
	[WL_MAL_IPV4_IHL] = "ipv4_ihl",
	[WL_MAL_IPV4_LENGTH] = "ipv4_length",
	[WL_MAL_IPV6_SHORT] = "ipv6_short",
	[WL_MAL_IPV6_VERSION] = "ipv6_version",
	[WL_MAL_IPV6_LENGTH] = "ipv6_length",
	[WL_MAL_IPV6_EXT] = "ipv6_ext",
	[WL_MAL_IPV6_EXT_DEPTH] = "ipv6_ext_depth",
	[WL_MAL_TCP_SHORT] = "tcp_short",
	[WL_MAL_TCP_DOFF] = "tcp_doff",
	[WL_MAL_TCP_OPTION] = "tcp_option",
	[WL_MAL_UDP_SHORT] = "udp_short",
	[WL_MAL_UDP_LENGTH] = "udp_length",
	[WL_MAL_ICMP_SHORT] = "icmp_short",
};
CHECK_SIZE(wl_malformed_name, WL_MAL_MAX);

const char *const wl_hs_result_name[] = {
	[WL_HS_COMPLETED] = "completed",
	[WL_HS_REFUSED] = "refused",
	[WL_HS_ABORTED] = "aborted",
	[WL_HS_UNREACHABLE] = "unreachable",
	[WL_HS_TIMEOUT] = "timeout",
	[WL_HS_UNOBSERVED] = "unobserved",
	[WL_HS_LATE] = "late",
};
CHECK_SIZE(wl_hs_result_name, WL_HS_MAX);

const char *const wl_fail_reason_name[] = {
	[WL_FAIL_REFUSED] = "refused",
	[WL_FAIL_ABORTED] = "aborted",
	[WL_FAIL_UNREACHABLE] = "unreachable",
	[WL_FAIL_TIMEOUT] = "timeout",
};
CHECK_SIZE(wl_fail_reason_name, WL_FAIL_MAX);
