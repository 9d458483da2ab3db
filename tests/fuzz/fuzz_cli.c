// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_cli.c - libFuzzer harness: the command line. The input is split at
 * NUL bytes into arguments after "wirelat" and parsed by wl_config_parse()
 * (durations, CIDR labels, ports, addresses, counts, repeated and clashing
 * options); the first argument also goes straight to the value parsers.
 * Invariants: a parse that succeeds leaves every value within the range
 * --help gives; one that fails said why (its line is checked by
 * tests/test_bad_input.sh) and returned -EINVAL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_values.h"
#include "fuzz_common.h"
#include "output/http.h"
#include "metrics/who.h"

#define MAX_ARGS 32

static void check_config(const struct wl_config *c)
{
	int i;

	WL_FUZZ_CHECK(c->max_flows >= 1 && c->max_flows <= 1u << 24, "%u",
		      c->max_flows);
	WL_FUZZ_CHECK(c->max_conns >= 1 && c->max_conns <= 1u << 24, "%u",
		      c->max_conns);
	WL_FUZZ_CHECK(c->max_dns >= 1 && c->max_dns <= 1u << 24, "%u",
		      c->max_dns);
	WL_FUZZ_CHECK(c->handshake_timeout_ns >= 1000000 &&
			      c->handshake_timeout_ns <= 3600000000000ULL,
		      "%llu", (unsigned long long)c->handshake_timeout_ns);
	WL_FUZZ_CHECK(c->n_dns_ports >= 1 && c->n_dns_ports <= WL_MAX_DNS_PORTS,
		      "%d", c->n_dns_ports);
	for (i = 0; i < c->n_dns_ports; i++)
		WL_FUZZ_CHECK(c->dns_ports[i] >= 1, "port %d", i);
	WL_FUZZ_CHECK(c->top >= 0 && c->top <= 1000, "%d", c->top);
	WL_FUZZ_CHECK(c->n_subnets >= 0 && c->n_subnets <= WL_MAX_SUBNETS,
		      "%d", c->n_subnets);
	WL_FUZZ_CHECK(c->n_ifaces >= 0 && c->n_ifaces <= WL_MAX_IFACES, "%d",
		      c->n_ifaces);
	WL_FUZZ_CHECK(!c->read_file != !c->n_ifaces, "-r xor -i");
	for (i = 0; i < c->n_subnets; i++)
		WL_FUZZ_CHECK(c->subnets[i].len <=
				      (c->subnets[i].family == 4 ? 32 : 128),
			      "prefix %u", c->subnets[i].len);
}

/* The first argument through each value parser on its own. */
static void parse_values(const char *s)
{
	struct sockaddr_storage ss;
	struct wl_subnet sn;
	uint64_t v;
	int all;

	if (!wl_parse_duration(s, 0, UINT64_MAX, &v))
		WL_FUZZ_CHECK(1, " ");
	if (!wl_parse_duration(s, 1000000, 3600000000000ULL, &v))
		WL_FUZZ_CHECK(v >= 1000000 && v <= 3600000000000ULL, "%llu",
			      (unsigned long long)v);
	if (!wl_parse_u64(s, 1, 65535, &v))
		WL_FUZZ_CHECK(v >= 1 && v <= 65535, "%llu",
			      (unsigned long long)v);
	if (!wl_listen_parse(s, &ss, &all))
		WL_FUZZ_CHECK(ss.ss_family == AF_INET ||
				      ss.ss_family == AF_INET6,
			      "family %d", ss.ss_family);
	if (!wl_subnet_parse(s, &sn))
		WL_FUZZ_CHECK(sn.name[0], "a subnet without a name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2] = { "wirelat" };
	struct wl_config cfg;
	char *buf, *p, *end;
	int argc = 1, err;

	if (size > 4096)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = 0;
	for (p = buf, end = buf + size; p <= end && argc <= MAX_ARGS;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	parse_values(argv[1]);
	err = wl_config_parse(&cfg, argc, argv);
	WL_FUZZ_CHECK(err == 0 || err == 1 || err == -EINVAL, "returned %d",
		      err);
	if (!err)
		check_config(&cfg);
	free(buf);
	return 0;
}
