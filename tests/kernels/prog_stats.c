// SPDX-License-Identifier: BSD-3-Clause
/*
 * prog_stats - every BPF program of the object through this kernel's
 * verifier, one at a time, in the configuration the daemon loads it in,
 * and what it cost: the verifier's "processed N insns" (its limit is 1M;
 * the distance to it is the complexity headroom on this kernel).
 *
 * The configurations are the daemon's own: the options are parsed by
 * wl_config_parse() and the skeleton opened and configured by
 * wl_bpf_open() (rodata, map sizes, the socket path, which programs load),
 * exactly as wirelat would for
 *   live     wirelat -i lo                  (--sock auto)
 *   kprobe   wirelat -i lo --sock kprobe    (where the kernel has kprobes)
 *   replay   wirelat -r FILE
 * Each program the configuration loads is then loaded alone (the others'
 * autoload off) with BPF_LOG_STATS; a program two configurations load is
 * measured in both. One line per program and configuration:
 *   NAME OK processed N insns (CONFIG)
 *   NAME FAIL ERROR: LAST VERIFIER LINE (CONFIG)
 *       then the verifier's last lines (log level 1, 64 MB), each "  | "
 *   NAME SKIP WHY
 *       no configuration loads it on this kernel (a kprobe program where
 *       there are no kprobes, a program only a newer kernel needs)
 * Exit status: 0, or 1 when a program failed. Needs root (CAP_BPF,
 * CAP_PERFMON). Not a test_* binary: tests/run.sh does not run it;
 * tests/kernels/suite.sh does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "kernel/load.h"
#include "core/state.h"
#include "kernel/probe.h"
#include "wirelat.skel.h"
#include "wirelat_count.skel.h"

#define STATS_LOG (1u << 16)
#define FULL_LOG (64u << 20)
#define TAIL_LINES 12

struct config {
	const char *name;
	int offline;
	char *argv[6];
};

static const struct config configs[] = {
	{ "live", 0, { "wirelat", "-i", "lo", NULL } },
	{ "kprobe", 0, { "wirelat", "-i", "lo", "--sock", "kprobe", NULL } },
	{ "replay", 1, { "wirelat", "-r", "/dev/null", NULL } },
};
#define N_CONFIGS (int)(sizeof(configs) / sizeof(configs[0]))

/* The daemon's skeleton for configuration @c, unloaded; NULL when the
 * daemon would refuse it here (it printed why). */
static struct wirelat *open_as(const struct config *c, struct wl_config *cfg,
			       struct wl_run *run)
{
	struct wirelat *skel = NULL;
	int argc = 0;

	while (c->argv[argc])
		argc++;
	if (wl_config_parse(cfg, argc, (char **)c->argv))
		return NULL;
	memset(run, 0, sizeof(*run));
	run->cfg = cfg;
	if (!c->offline) {
		run->n_slots = 1;
		run->ifindex[0] = 1;	/* lo, in every namespace */
		run->ifname[0] = "lo";
	}
	if (wl_bpf_open(run, c->offline, &skel))
		return NULL;
	return skel;
}

/*
 * What the daemon says as it configures and probes was printed once: the
 * repeats go to /dev/null. stderr_off() returns what stderr_on() takes.
 */
static int stderr_off(void)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	if (saved >= 0 && null >= 0)
		dup2(null, 2);
	if (null >= 0)
		close(null);
	return saved;
}

static void stderr_on(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, 2);
	close(saved);
}

/* Load @name alone, as @c configures it, with verifier log @level into
 * @buf; 0 or -errno. */
static int load_alone(const struct config *c, const char *name, int level,
		      char *buf, size_t size)
{
	struct wl_config cfg;
	struct wl_run run;
	struct wirelat *skel;
	struct bpf_program *p;
	int err, saved = stderr_off();

	skel = open_as(c, &cfg, &run);
	stderr_on(saved);
	if (!skel)
		return -EINVAL;
	bpf_object__for_each_program(p, skel->obj) {
		bool me = !strcmp(bpf_program__name(p), name);

		bpf_program__set_autoload(p, me);
		if (me) {
			buf[0] = 0;
			bpf_program__set_log_level(p, level);
			bpf_program__set_log_buf(p, buf, size);
		}
	}
	err = wirelat__load(skel);
	wirelat__destroy(skel);
	return err;
}

/* The last line of @log that is not one of the verifier's statistics. */
static const char *last_word(char *log)
{
	char *line, *save = NULL, *last = "";

	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17) &&
		    strncmp(line, "stack depth", 11) && line[0])
			last = line;
	return last;
}

static void print_tail(const char *log)
{
	const char *start = log + strlen(log);
	int n = 0;

	while (start > log && n <= TAIL_LINES)
		if (*--start == '\n' && start[1])
			n++;
	if (*start == '\n')
		start++;
	while (*start) {
		const char *end = strchrnul(start, '\n');

		printf("  | %.*s\n", (int)(end - start), start);
		start = *end ? end + 1 : end;
	}
}

static int report_failure(const struct config *c, const char *name, int err)
{
	char *log = malloc(FULL_LOG), *copy;
	char what[128];

	libbpf_strerror(err, what, sizeof(what));
	if (!log || !(copy = malloc(FULL_LOG))) {
		printf("%s FAIL %s (%s)\n", name, what, c->name);
		free(log);
		return 1;
	}
	err = load_alone(c, name, 1, log, FULL_LOG);
	if (!err) {	/* a verdict that changes with the log level */
		printf("%s FAIL %s, but loads with log level 1 (%s)\n", name,
		       what, c->name);
		free(log);
		free(copy);
		return 1;
	}
	strcpy(copy, log);
	printf("%s FAIL %s: %s%s (%s)\n", name, what, last_word(copy),
	       err == -ENOSPC ? " [log truncated at 64 MB]" : "", c->name);
	print_tail(log);
	free(log);
	free(copy);
	return 1;
}

/* Programs already measured, by name and configuration. */
static char done[64][2][64];
static int n_done;

static bool measured(const char *name, int ci)
{
	int i;

	for (i = 0; i < n_done; i++)
		if (!strcmp(done[i][0], name) &&
		    (ci < 0 || !strcmp(done[i][1], configs[ci].name)))
			return true;
	return false;
}

/*
 * The entry counter, an object of its own (sweep/wirelat_count.bpf.c),
 * on its stand-in maps: loaded where the daemon loads it (the kernel has
 * bpf_map_sum_elem_count). Returns the failures (0 or 1).
 */
static int count_object(char *buf, size_t size)
{
	struct wirelat_count *count;
	struct wl_kernel k;
	const char *s;
	int err, saved = stderr_off();

	err = wl_probe_kernel(&k, 0);
	stderr_on(saved);
	if (err || !k.sum_elem_count) {
		printf("wirelat_count SKIP this kernel has no bpf_map_sum_elem_count (Linux 6.6): the sweep's walk counts\n");
		return 0;
	}
	count = wirelat_count__open();
	if (!count) {
		printf("wirelat_count FAIL cannot open the object: %s\n",
		       strerror(errno));
		return 1;
	}
	buf[0] = 0;
	bpf_program__set_log_level(count->progs.wirelat_count, 4);
	bpf_program__set_log_buf(count->progs.wirelat_count, buf, size);
	err = wirelat_count__load(count);
	wirelat_count__destroy(count);
	if (err) {
		printf("wirelat_count FAIL %s\n", strerror(-err));
		return 1;
	}
	s = strstr(buf, "processed ");
	if (!s) {
		printf("wirelat_count FAIL loaded, but the verifier printed no statistics\n");
		return 1;
	}
	printf("wirelat_count OK processed %ld insns (count)\n",
	       strtol(s + 10, NULL, 10));
	return 0;
}

int main(void)
{
	static char stats[STATS_LOG];
	struct wl_config cfg;
	struct wl_run run;
	struct wirelat *skel;
	struct bpf_program *p;
	int fails = 0, ci, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (ci = 0; ci < N_CONFIGS; ci++) {
		const struct config *c = &configs[ci];
		char *mine[64];
		int n_mine = 0;

		skel = open_as(c, &cfg, &run);
		if (!skel) {
			printf("# %s: the daemon refuses this configuration on this kernel (above)\n",
			       c->name);
			continue;
		}
		bpf_object__for_each_program(p, skel->obj) {
			const char *name = bpf_program__name(p);

			/* a live program again under --sock kprobe: the same
			 * program in the same configuration, measured once */
			if (!bpf_program__autoload(p) ||
			    (!strcmp(c->name, "kprobe") && measured(name, 0)) ||
			    n_mine == 64)
				continue;
			mine[n_mine++] = strdup(name);
		}
		wirelat__destroy(skel);
		for (i = 0; i < n_mine; i++) {
			const char *name = mine[i];
			const char *s;
			int err;

			err = load_alone(c, name, 4, stats, sizeof(stats));
			if (err) {
				fails += report_failure(c, name, err);
			} else if ((s = strstr(stats, "processed "))) {
				printf("%s OK processed %ld insns (%s)\n", name,
				       strtol(s + 10, NULL, 10), c->name);
			} else {
				printf("%s FAIL loaded, but the verifier printed no statistics (%s)\n",
				       name, c->name);
				fails++;
			}
			if (n_done < 64) {
				snprintf(done[n_done][0], 64, "%s", name);
				snprintf(done[n_done][1], 64, "%s", c->name);
				n_done++;
			}
			free(mine[i]);
		}
	}
	fails += count_object(stats, sizeof(stats));
	/* the object's other programs: no configuration loads them here */
	skel = wirelat__open();
	if (skel) {
		bpf_object__for_each_program(p, skel->obj)
			if (!measured(bpf_program__name(p), -1))
				printf("%s SKIP no configuration loads it on this kernel\n",
				       bpf_program__name(p));
		wirelat__destroy(skel);
	}
	printf("%d failed\n", fails);
	return fails ? 1 : 0;
}
