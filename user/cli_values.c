// SPDX-License-Identifier: BSD-3-Clause
/*
 * cli_values.c - the values options take, parsed with bounds (cli.h):
 * integers, durations with units, CIDR=NAME. Each rejects what it cannot
 * read whole; the caller names the option.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cli_values.h"
#include "core/log.h"

int wl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int wl_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		      uint64_t *out)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }, { "", 1e9 },
	};
	double v;
	char *end;
	size_t i;

	/* decimal only: strtod() takes nan, inf, hex and leading blanks */
	if (!s || !(isdigit((unsigned char)*s) || *s == '.') ||
	    strpbrk(s, "xX"))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		v *= units[i].mult;
		if (v < (double)min_ns || v > (double)max_ns ||
		    v + 0.5 >= 18446744073709551616.0)	/* 2^64 */
			return -ERANGE;
		*out = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

int wl_subnet_parse(const char *arg, struct wl_subnet *s)
{
	char buf[128], *eq, *slash, *end;
	long len;

	memset(s, 0, sizeof(*s));
	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (!eq || !eq[1] || strlen(eq + 1) >= sizeof(s->name))
		goto bad;
	*eq = 0;
	strcpy(s->name, eq + 1);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = 0;
	if (inet_pton(AF_INET, buf, s->addr) == 1)
		s->family = 4;
	else if (inet_pton(AF_INET6, buf, s->addr) == 1)
		s->family = 6;
	else
		goto bad;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || len < 0 ||
	    len > (s->family == 4 ? 32 : 128))
		goto bad;
	s->len = len;
	return 0;
bad:
	pr_warn("invalid --label-subnet '%s' (expected CIDR=NAME, e.g. 198.51.100.0/24=web, 2001:db8::/32=lab; NAME up to %d bytes)\n",
		arg, WL_SUBNET_NAME_MAX - 1);
	return -EINVAL;
}
