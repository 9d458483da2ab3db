// SPDX-License-Identifier: BSD-3-Clause
/* dnsname.c - presentation form of a wire-form DNS name (RFC 1035 5.1). */
#include <stdio.h>
#include "core/dnsname.h"

static int needs_escape(uint8_t c)
{
	/* printable ASCII (space included, as tshark shows it) stays */
	return c < 0x20 || c > 0x7e || c == '.' || c == '\\';
}

void wl_qname_text(const uint8_t *wire, size_t len, char *out, size_t outlen)
{
	size_t pos = 0, o = 0;

	if (outlen < 2)
		return;
	while (pos < len && wire[pos] != 0) {
		size_t l = wire[pos++], i;

		if (o && o + 1 < outlen)
			out[o++] = '.';
		for (i = 0; i < l && pos < len; i++, pos++) {
			uint8_t c = wire[pos];

			if (o + 5 >= outlen)
				break;
			if (needs_escape(c))
				o += snprintf(out + o, outlen - o, "\\%03u", c);
			else
				out[o++] = c;
		}
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = 0;
}
