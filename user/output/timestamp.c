// SPDX-License-Identifier: BSD-3-Clause
/* timestamp.c - record times as RFC 3339 text (timestamp.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output/timestamp.h"

/*
 * "YYYY-MM-DDTHH:MM:SS" of the whole second formatted last, per thread
 * (the offline writer's and the live loop's): records come in time order,
 * so gmtime_r and its time zone lock run once a second of capture, not
 * once a record.
 */
struct ts_second {
	bool valid;
	time_t secs;
	size_t len;
	char text[WL_TS_SECOND_MAX];
};
static _Thread_local struct ts_second ts_last;

static const struct ts_second *ts_second_of(time_t secs)
{
	struct tm tm = { 0 };	/* defined text even if gmtime_r failed */
	int len;

	if (ts_last.valid && ts_last.secs == secs)
		return &ts_last;
	gmtime_r(&secs, &tm);
	len = snprintf(ts_last.text, sizeof(ts_last.text),
		       "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		       tm.tm_sec);
	ts_last.len = len < 0 ? 0 : (size_t)len;
	ts_last.secs = secs;
	ts_last.valid = true;
	return &ts_last;
}

size_t wl_ts_text(uint64_t ns, char *out)
{
	time_t secs = ns / 1000000000ULL;
	unsigned usec = (ns % 1000000000ULL) / 1000;
	const struct ts_second *sec = ts_second_of(secs);
	char *p = out + sec->len;
	int i;

	memcpy(out, sec->text, sec->len);
	*p++ = '.';
	for (i = 5; i >= 0; i--) {	/* usec < 10^6: exactly six digits */
		p[i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	p += 6;
	*p++ = 'Z';
	return (size_t)(p - out);
}

void wl_format_ts(uint64_t ns, char *buf, size_t len)
{
	char ts[WL_TS_TEXT_MAX];
	size_t n = wl_ts_text(ns, ts);

	if (!len)
		return;
	if (n >= len)	/* cut short as snprintf would */
		n = len - 1;
	memcpy(buf, ts, n);
	buf[n] = '\0';
}
