/* SPDX-License-Identifier: BSD-3-Clause */
/* timestamp.h - record times as RFC 3339 text. */
#ifndef WIRELAT_TIMESTAMP_H
#define WIRELAT_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS" of any time_t: six ints, none cut short */
#define WL_TS_SECOND_MAX 80
/* Room wl_ts_text() needs: the second's text, '.', six digits, 'Z'. */
#define WL_TS_TEXT_MAX (WL_TS_SECOND_MAX + 8)

/* RFC 3339 UTC, exactly six fractional digits (truncated), 'Z'. */
void wl_format_ts(uint64_t ns, char *buf, size_t len);

/*
 * The same text into @out (WL_TS_TEXT_MAX bytes), not NUL-terminated;
 * returns its length. For a JSON line built in memory (output/jbuf.h).
 */
size_t wl_ts_text(uint64_t ns, char *out);

#endif /* WIRELAT_TIMESTAMP_H */
