// SPDX-License-Identifier: BSD-3-Clause
/*
 * names.c - the strings behind the enums of wirelat.h, indexed by their
 * values: metric label values and record field values. Sizes are checked
 * against the enums at compile time so a new value cannot go unnamed.
 */
#include <stddef.h>
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

const char *const wl_qtype_label_name[] = {
	[WL_QT_A] = "A", [WL_QT_AAAA] = "AAAA", [WL_QT_CNAME] = "CNAME",
	[WL_QT_MX] = "MX", [WL_QT_NS] = "NS", [WL_QT_PTR] = "PTR",
	[WL_QT_SOA] = "SOA", [WL_QT_SRV] = "SRV", [WL_QT_TXT] = "TXT",
	[WL_QT_HTTPS] = "HTTPS", [WL_QT_SVCB] = "SVCB", [WL_QT_ANY] = "ANY",
	[WL_QT_OTHER] = "other",
};
CHECK_SIZE(wl_qtype_label_name, WL_QT_MAX);

const char *const wl_rcode_label_name[] = {
	[WL_RC_NOERROR] = "NOERROR", [WL_RC_FORMERR] = "FORMERR",
	[WL_RC_SERVFAIL] = "SERVFAIL", [WL_RC_NXDOMAIN] = "NXDOMAIN",
	[WL_RC_NOTIMP] = "NOTIMP", [WL_RC_REFUSED] = "REFUSED",
	[WL_RC_OTHER] = "other",
};
CHECK_SIZE(wl_rcode_label_name, WL_RC_MAX);

const char *const wl_dns_skip_name[] = {
	[WL_DNS_SKIP_MALFORMED] = "malformed",
	[WL_DNS_SKIP_SPLIT] = "split_header",
	[WL_DNS_SKIP_FRAMING] = "framing_lost",
};
CHECK_SIZE(wl_dns_skip_name, WL_DNS_SKIP_MAX);

const char *const wl_close_reason_name[] = {
	[WL_CLOSE_FIN] = "fin",
	[WL_CLOSE_RST] = "rst",
	[WL_CLOSE_TIMEOUT] = "timeout",
	[WL_CLOSE_REUSED] = "reused",
	[WL_CLOSE_EOF] = "eof",
};
CHECK_SIZE(wl_close_reason_name, WL_CLOSE_MAX);

/* qtype values behind wl_qtype_label_name (the BPF side maps the same) */
static const unsigned qtype_value[WL_QT_OTHER] = {
	[WL_QT_A] = 1, [WL_QT_AAAA] = 28, [WL_QT_CNAME] = 5, [WL_QT_MX] = 15,
	[WL_QT_NS] = 2, [WL_QT_PTR] = 12, [WL_QT_SOA] = 6, [WL_QT_SRV] = 33,
	[WL_QT_TXT] = 16, [WL_QT_HTTPS] = 65, [WL_QT_SVCB] = 64,
	[WL_QT_ANY] = 255,
};

const char *wl_qtype_name(unsigned qtype)
{
	int i;

	for (i = 0; i < WL_QT_OTHER; i++)
		if (qtype_value[i] == qtype)
			return wl_qtype_label_name[i];
	return NULL;
}

const char *wl_rcode_name(unsigned rcode)
{
	return rcode < WL_RC_OTHER ? wl_rcode_label_name[rcode] : NULL;
}
