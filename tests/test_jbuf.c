// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_jbuf.c - the JSON line's appenders (user/output/jbuf.c) and the
 * record time (user/output/timestamp.c) against what the printf family
 * wrote before them: JSON lines must stay byte for byte what they were.
 * Lines longer than the buffer must come out whole (flushed mid-line).
 *
 * Exit 0 when every check passes, 1 otherwise; one line per failed check.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output/jbuf.h"
#include "output/timestamp.h"

static int failures;

static void check_mem(const char *what, const char *got, size_t got_len,
		      const char *want, size_t want_len)
{
	if (got_len == want_len && !memcmp(got, want, want_len))
		return;
	failures++;
	printf("FAIL %s: got %zu bytes \"%.*s\", want %zu \"%.*s\"\n", what,
	       got_len, (int)(got_len > 200 ? 200 : got_len), got, want_len,
	       (int)(want_len > 200 ? 200 : want_len), want);
}

/* What @fill appended to a line on a memory stream, checked against @want. */
static void check_line(const char *what,
		       void (*fill)(struct wl_jbuf *, void *), void *arg,
		       const char *want, size_t want_len)
{
	struct wl_jbuf jb;
	char *got;
	size_t len;
	FILE *f = open_memstream(&got, &len);

	wl_jb_init(&jb, f);
	fill(&jb, arg);
	wl_jb_flush(&jb);
	fclose(f);
	check_mem(what, got, len, want, want_len);
	free(got);
}

static void fill_u64(struct wl_jbuf *jb, void *arg)
{
	wl_jb_u64(jb, *(uint64_t *)arg);
}

static void fill_i64(struct wl_jbuf *jb, void *arg)
{
	wl_jb_i64(jb, *(int64_t *)arg);
}

static void test_numbers(void)
{
	static const uint64_t edge[] = { 0, 1, 9, 10, 99, 100, 101, 999, 1000,
		65535, 4294967295ULL, 4294967296ULL, 999999999999999999ULL,
		1000000000000000000ULL, 9223372036854775807ULL,
		9223372036854775808ULL, 18446744073709551615ULL };
	char want[32];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 20000; i++) {
		uint64_t u;
		int64_t s;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* the edges, then random values of every length */
		u = i < sizeof(edge) / sizeof(edge[0]) ? edge[i] : x >> (x % 64);
		s = (int64_t)u;
		snprintf(want, sizeof(want), "%" PRIu64, u);
		check_line("u64", fill_u64, &u, want, strlen(want));
		snprintf(want, sizeof(want), "%" PRId64, s);
		check_line("i64", fill_i64, &s, want, strlen(want));
		s = -(int64_t)(u >> 1);
		snprintf(want, sizeof(want), "%" PRId64, s);
		check_line("i64 negative", fill_i64, &s, want, strlen(want));
	}
}

static void fill_json_str(struct wl_jbuf *jb, void *arg)
{
	wl_jb_json_str(jb, arg);
}

static void test_json_str(void)
{
	static const char *const cases[][2] = {
		{ "eth0", "eth0" },
		{ "a\"b\\c", "a\\\"b\\\\c" },
		{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		/* not UTF-8: overlong, surrogate, past U+10FFFF, cut short */
		{ "\xc0\xaf", "\\u00c0\\u00af" },
		{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" },
		{ "\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080" },
		{ "\xe2\x82", "\\u00e2\\u0082" },
		{ "\xff", "\\u00ff" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_line(cases[i][0], fill_json_str, (void *)cases[i][0],
			   cases[i][1], strlen(cases[i][1]));
}

/* Escaped bytes, numbers and a piece bigger than the buffer: 4x its size. */
static void fill_long(struct wl_jbuf *jb, void *arg)
{
	const char *big = arg;
	int i;

	for (i = 0; i < WL_JB_CAP / 4; i++) {
		wl_jb_json_str(jb, "\x01\"");
		wl_jb_key_u64(jb, "k", (uint64_t)i);
	}
	wl_jb_str(jb, big);
	wl_jb_lit(jb, "}\n");
}

static void test_long_line(void)
{
	size_t cap = 16 * WL_JB_CAP, n = 0;
	char *want = malloc(cap), *big = malloc(2 * WL_JB_CAP + 1);
	int i;

	memset(big, 'x', 2 * WL_JB_CAP);
	big[2 * WL_JB_CAP] = '\0';
	for (i = 0; i < WL_JB_CAP / 4; i++)
		n += snprintf(want + n, cap - n, "\\u0001\\\",\"k\":%d", i);
	n += snprintf(want + n, cap - n, "%s}\n", big);
	check_line("line past the buffer", fill_long, big, want, n);
	free(want);
	free(big);
}

/* What wl_format_ts() printed before its second was cached. */
static void ts_before(uint64_t ns, char *buf, size_t len)
{
	time_t secs = ns / 1000000000ULL;
	unsigned usec = (ns % 1000000000ULL) / 1000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, usec);
}

static void test_ts(void)
{
	/* the same second again, the next, one back, the ends of the range */
	static const uint64_t ns[] = { 1700000000000040000ULL,
		1700000000999999999ULL, 1700000001000000000ULL,
		1699999999999999999ULL, 1700000000000000999ULL, 0, 999,
		951782400123456789ULL /* 2000-02-29 */,
		18446744073709551615ULL };
	char got[48], want[48];
	size_t i, len;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (len = 0; len <= sizeof(got); len++) {
			memset(got, '#', sizeof(got));
			memset(want, '#', sizeof(want));
			wl_format_ts(ns[i], got, len);
			ts_before(ns[i], want, len);
			check_mem("wl_format_ts", got, sizeof(got), want,
				  sizeof(want));
		}
}

int main(void)
{
	test_numbers();
	test_json_str();
	test_long_line();
	test_ts();
	printf("test_jbuf: %d failures\n", failures);
	return failures ? 1 : 0;
}
