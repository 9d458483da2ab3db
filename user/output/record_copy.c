// SPDX-License-Identifier: BSD-3-Clause
/* record_copy.c - ring buffer records copied, offline records packed (record_copy.h). */
#include <string.h>
#include "output/record_copy.h"

static int is_dns(uint8_t type)
{
	return type == WL_REC_DNS || type == WL_REC_DNS_TIMEOUT;
}

/* The bytes a record of @type fills (wirelat.h), at the start of it. */
static size_t record_head(uint8_t type)
{
	switch (type) {
	case WL_REC_HANDSHAKE:
	case WL_REC_HANDSHAKE_FAILED:
		return WL_RECORD_HS_SIZE;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		return WL_RECORD_DNS_HEAD;
	default:
		return WL_RECORD_TCP_SIZE;
	}
}

int wl_record_copy(struct wl_record *r, const void *data, size_t size)
{
	const struct wl_record *in = data;
	size_t head;

	if (size < WL_RECORD_HS_SIZE)
		return 0;
	head = record_head(in->type);
	if (size < head)
		return 0;
	if (is_dns(in->type) && size < sizeof(*r))
		return 0;
	memset(r, 0, sizeof(*r));
	memcpy(r, data, head);
	if (is_dns(in->type))	/* qname_len bytes of the name */
		memcpy(r->qname, in->qname, in->dns.qname_len);
	return 1;
}

static size_t name_len(const struct wl_record *r)
{
	return is_dns(r->type) ? r->dns.qname_len : 0;
}

size_t wl_record_packed_size(const struct wl_record *r)
{
	return (record_head(r->type) + name_len(r) + 7) & ~(size_t)7;
}

void wl_record_pack(void *dst, const struct wl_record *r)
{
	size_t head = record_head(r->type);

	memcpy(dst, r, head);
	memcpy((uint8_t *)dst + head, r->qname, name_len(r));
}

void wl_record_unpack(struct wl_record *r, const void *src)
{
	const struct wl_record *in = src;
	size_t head = record_head(in->type), len = name_len(in);

	memcpy(r, src, head);
	memset((uint8_t *)r + head, 0, sizeof(*r) - head);
	memcpy(r->qname, (const uint8_t *)src + head, len);
}
