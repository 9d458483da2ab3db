// SPDX-License-Identifier: BSD-3-Clause
/*
 * names.c - the strings behind the enums of wirelat.h, indexed by their
 * values: metric label values and record field values. Sizes are checked
 * against the enums at compile time so a new value cannot go unnamed.
 */
#include <stddef.h>
#include "wirelat.h"
#include "core/names.h"

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
	[WL_FAIL_EOF] = "eof",
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

/* The other IANA type names, for records only (labels stay bounded). */
static const struct {
	unsigned value;
	const char *name;
} iana_qtype[] = {
	{ 3, "MD" }, { 4, "MF" }, { 7, "MB" }, { 8, "MG" }, { 9, "MR" },
	{ 10, "NULL" }, { 11, "WKS" }, { 13, "HINFO" }, { 14, "MINFO" },
	{ 17, "RP" }, { 18, "AFSDB" }, { 19, "X25" }, { 20, "ISDN" },
	{ 21, "RT" }, { 22, "NSAP" }, { 23, "NSAP-PTR" }, { 24, "SIG" },
	{ 25, "KEY" }, { 26, "PX" }, { 27, "GPOS" }, { 29, "LOC" }, { 30, "NXT" },
	{ 31, "EID" }, { 32, "NIMLOC" }, { 34, "ATMA" }, { 35, "NAPTR" },
	{ 36, "KX" }, { 37, "CERT" }, { 38, "A6" }, { 39, "DNAME" },
	{ 40, "SINK" }, { 41, "OPT" }, { 42, "APL" }, { 43, "DS" },
	{ 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" },
	{ 52, "TLSA" }, { 53, "SMIMEA" }, { 55, "HIP" }, { 56, "NINFO" },
	{ 57, "RKEY" }, { 58, "TALINK" }, { 59, "CDS" }, { 60, "CDNSKEY" },
	{ 61, "OPENPGPKEY" }, { 62, "CSYNC" }, { 63, "ZONEMD" }, { 99, "SPF" },
	{ 100, "UINFO" }, { 101, "UID" }, { 102, "GID" }, { 103, "UNSPEC" },
	{ 104, "NID" }, { 105, "L32" }, { 106, "L64" }, { 107, "LP" },
	{ 108, "EUI48" }, { 109, "EUI64" }, { 249, "TKEY" }, { 250, "TSIG" },
	{ 251, "IXFR" }, { 252, "AXFR" }, { 253, "MAILB" }, { 254, "MAILA" },
	{ 256, "URI" }, { 257, "CAA" }, { 258, "AVC" }, { 259, "DOA" },
	{ 260, "AMTRELAY" }, { 32768, "TA" }, { 32769, "DLV" },
};

const char *wl_qtype_name(unsigned qtype)
{
	size_t i;

	for (i = 0; i < WL_QT_OTHER; i++)
		if (qtype_value[i] == qtype)
			return wl_qtype_label_name[i];
	for (i = 0; i < sizeof(iana_qtype) / sizeof(iana_qtype[0]); i++)
		if (iana_qtype[i].value == qtype)
			return iana_qtype[i].name;
	return NULL;
}

/* rcodes of the header's 4 bits past the labelled ones (IANA) */
static const char *const iana_rcode[] = {
	[6] = "YXDOMAIN", [7] = "YXRRSET", [8] = "NXRRSET",
	[9] = "NOTAUTH", [10] = "NOTZONE", [11] = "DSOTYPENI",
};

const char *wl_rcode_name(unsigned rcode)
{
	if (rcode < WL_RC_OTHER)
		return wl_rcode_label_name[rcode];
	return rcode < sizeof(iana_rcode) / sizeof(iana_rcode[0]) ?
		       iana_rcode[rcode] : NULL;
}
