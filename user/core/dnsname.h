/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsname.h - DNS names from wire form to presentation form. */
#ifndef WIRELAT_DNSNAME_H
#define WIRELAT_DNSNAME_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest presentation form: 255 bytes as \DDD each. */
#define WL_QNAME_TEXT_MAX (255 * 4 + 2)

/*
 * Write the presentation form of the wire-form name @wire (@len bytes) to
 * @out: labels joined by '.', no trailing dot, the root as "."; bytes
 * outside printable ASCII (0x21-0x7e) and '.' or '\' inside a label as
 * \DDD. Never writes raw bytes a terminal or JSON could trip on.
 */
void wl_qname_text(const uint8_t *wire, size_t len, char *out, size_t outlen);

#endif /* WIRELAT_DNSNAME_H */
