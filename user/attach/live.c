// SPDX-License-Identifier: BSD-3-Clause
/*
 * live.c - the daemon loop. A reader thread of its own drains the record
 * ring at least every 100 ms (records are submitted without a wakeup until
 * the ring is a quarter full, include/stats.bpf.h) and prints them; the
 * main thread keeps the signals, the sweeps on CLOCK_MONOTONIC (the clock
 * of bpf_ktime_get_ns()) and the summary, so neither a long sweep nor a
 * scrape (on the HTTP server's thread) can hold records back. One lock
 * keeps their lines whole. A clean detach when wirelat is told to stop:
 * SIGINT, SIGTERM, SIGHUP, or the reader of its output going away (a
 * closed pipe, `wirelat ... | head`). SIGPIPE is ignored (main.c), so a
 * write to a closed pipe fails with EPIPE instead of killing wirelat
 * with everything still attached.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "attach/attach.h"
#include "output/http.h"
#include "output/record_copy.h"
#include "output/records.h"
#include "kernel/drops.h"
#include "metrics/listen.h"
#include "attach/live.h"
#include "core/log.h"
#include "attach/privs.h"
#include "kernel/sock.h"
#include "output/summary.h"
#include "kernel/sweep.h"
#include "wirelat.skel.h"

/* The reader polls at least this often: records wait at most this long. */
#define WL_READER_POLL_MS 100

#define SEC_NS 1000000000ULL
/* Handshakes and queries are swept every second, connections every
 * --idle-timeout/30 within these bounds. */
#define WL_CONN_SWEEP_MIN_NS SEC_NS
#define WL_CONN_SWEEP_MAX_NS (10 * SEC_NS)

static volatile sig_atomic_t stop;

/* Lines from the reader (records) and the main thread (summary) whole. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

struct reader {
	struct ring_buffer *rb;
	pthread_t thread;
	volatile int done;	/* set by the main thread at exit */
	int err;		/* the reader's failure, for the main thread */
};

/* The ingress label of wirelat_attach_info (DESIGN: metric names). */
static const char *ingress_label(const struct wl_attach *a)
{
	if (a->xdp)
		return a->xdp_mode == XDP_MODE_SKB ? "xdp_skb" : "xdp_native";
	return a->tc_ingress ? "tc" : "none";
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * True once the reader of @fd is gone: a write failed, or @fd is a pipe or
 * socket whose other end closed (POLLERR/POLLHUP, seen without writing, so
 * a quiet interface does not keep wirelat attached after `| head` exits).
 */
static bool output_gone(const struct wl_output *o, int fd)
{
	struct pollfd p = { .fd = fd };
	struct stat sb;

	if (o->broken || ferror(o->f))	/* ferror: the summary line's write */
		return true;
	if (fstat(fd, &sb) || !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)))
		return false;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The wall-clock mapping is taken as each record is printed: a clock step
 * shows in the very next record (three vDSO reads, ~60 ns a record). */
static void emit_now(struct wl_run *run, const struct wl_record *r)
{
	pthread_mutex_lock(&out_lock);
	wl_output_sync_clock(&run->out);
	wl_output_record(&run->out, r);
	pthread_mutex_unlock(&out_lock);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct wl_run *run = ctx;
	struct wl_record r;

	if (wl_record_copy(&r, data, size))
		run->emit(run, &r);
	return 0;
}

/*
 * The reader thread: epoll on the ring (woken when a quarter is full) with
 * a timeout, then whatever is there, woken or not.
 */
static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	int err;

	while (!rd->done) {
		err = ring_buffer__poll(rd->rb, WL_READER_POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rd->rb);
		if (err < 0 && err != -EINTR) {
			rd->err = err;
			stop = 1;
			break;
		}
	}
	return NULL;
}

static bool output_gone_locked(const struct wl_output *o, int fd)
{
	bool gone;

	pthread_mutex_lock(&out_lock);
	gone = output_gone(o, fd);
	pthread_mutex_unlock(&out_lock);
	return gone;
}

/* A sweep met a nearly full ring: the reader is awake (it was woken past
 * a quarter), give it a moment; unless wirelat is stopping (the reader
 * may be gone): then the sweep stops. */
static int drain_wait(struct wl_run *run)
{
	struct timespec t = { 0, 5 * 1000000L };

	(void)run;
	if (stop)
		return -EINTR;
	nanosleep(&t, NULL);
	return 0;
}

static uint64_t conn_sweep_every(const struct wl_config *cfg)
{
	uint64_t every = cfg->idle_timeout_ns / 30;

	if (every < WL_CONN_SWEEP_MIN_NS)
		return WL_CONN_SWEEP_MIN_NS;
	return every > WL_CONN_SWEEP_MAX_NS ? WL_CONN_SWEEP_MAX_NS : every;
}

int wl_live_prepare(struct wl_run *run)
{
	const struct wl_config *cfg = run->cfg;
	struct sigaction sa = { .sa_handler = on_signal };
	int i, j;

	/*
	 * Before the programs load (a second or more): a stop signal then
	 * ends the run at once after it, instead of being lost, or ignored
	 * where the parent had it ignored (a background job of a script).
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (i = 0; i < cfg->n_ifaces; i++) {
		bool lo;
		int idx = wl_ifindex(cfg->ifnames[i], &lo);

		if (idx < 0)
			return idx;
		for (j = 0; j < run->n_slots; j++) {
			if (run->ifindex[j] == (uint32_t)idx) {
				pr_warn("interface '%s' is given twice\n",
					cfg->ifnames[i]);
				return -EINVAL;
			}
		}
		run->ifindex[run->n_slots] = idx;
		run->ifname[run->n_slots] = cfg->ifnames[i];
		run->n_slots++;
	}
	return 0;
}

int wl_live_run(struct wl_run *run)
{
	struct wl_attach att[WL_MAX_IFACES] = { 0 };
	struct reader rd = { 0 };
	sigset_t block, old;
	struct ring_buffer *rb = NULL;
	struct MHD_Daemon *http = NULL;
	uint64_t next_sweep, next_conn_sweep, conn_every, next_summary = 0,
		every, next_tick;
	bool reading = false;
	int i, err = 0, http_fd;

	if (stop)	/* told to stop while the programs loaded */
		return 0;
	run->emit = emit_now;
	run->drain = drain_wait;
	run->out.flush_each = true;
	wl_output_sync_clock(&run->out);
	for (i = 0; i < run->n_slots; i++) {
		run->out.ifindex[i] = run->ifindex[i];
		run->out.ifname[i] = run->ifname[i];
	}
	run->out.n_ifaces = run->n_slots;

	/* the port first: if it is taken, nothing gets attached */
	http_fd = wl_http_bind(run, run->cfg->listen);
	if (http_fd < 0)
		return http_fd;
	rb = ring_buffer__new(bpf_map__fd(run->skel->maps.records), on_record,
			      run, NULL);
	if (!rb) {
		err = -errno;
		pr_warn("failed to open the record ring buffer: %s\n",
			strerror(-err));
		goto out;
	}
	for (i = 0; i < run->n_slots; i++) {
		att[i].ifindex = run->ifindex[i];
		att[i].ifname = run->ifname[i];
		wl_ifindex(att[i].ifname, &att[i].loopback);
		err = wl_attach_iface(run, &att[i]);
		if (err)
			goto out;
		run->ingress_hook[i] = ingress_label(&att[i]);
		run->egress_hook[i] = "tc";
		pr_info("watching %s (ingress: %s%s%s%s; egress: tc); metrics on %s://%s/metrics\n",
			att[i].ifname, att[i].ingress,
			att[i].loopback ? ", loopback" : "",
			att[i].why[0] ? ", " : "", att[i].why,
			wl_http_scheme(), run->cfg->listen);
	}

	/* after the interfaces: a connection they carry is theirs */
	err = wl_sock_attach(run);
	if (err)
		goto out;
	wl_drops_attach(run);
	/* the kernel's side: this namespace's listeners, sampled every second */
	run->out.listen = wl_listen_new();
	if (run->out.listen)
		wl_listen_sample(run->out.listen, clock_ns(CLOCK_MONOTONIC));
	/* everything attached: only what the rest of the run needs */
	err = wl_privs_drop(run, run->cfg->user);
	if (err)
		goto out;
	/* after the drop: the server's thread inherits what was kept */
	http = wl_http_serve(run, http_fd);
	http_fd = -1;	/* the daemon's now, or closed */
	if (!http) {
		err = -EIO;
		goto out;
	}

	next_sweep = clock_ns(CLOCK_MONOTONIC) + SEC_NS;
	next_tick = next_sweep;
	conn_every = conn_sweep_every(run->cfg);
	next_conn_sweep = clock_ns(CLOCK_MONOTONIC) + conn_every;
	/* a terminal reading aligned lines also gets a summary now and then */
	every = run->cfg->summary_interval_ns;
	if (every && !run->cfg->json && isatty(STDOUT_FILENO))
		next_summary = clock_ns(CLOCK_MONOTONIC) + every;
	rd.rb = rb;
	/* the reader inherits a mask without the stop signals: they go to the
	 * main thread, whose sleep they cut short */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&rd.thread, NULL, reader_main, &rd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		err = -err;
		pr_warn("failed to start the record reader: %s\n", strerror(-err));
		goto out;
	}
	reading = true;
	while (!stop) {
		struct timespec tick = { 0, 50 * 1000000L };

		nanosleep(&tick, NULL);	/* a signal cuts it short */
		if (output_gone_locked(&run->out, fileno(run->out.f))) {
			pr_info("output closed: detaching and exiting\n");
			break;
		}
		if (clock_ns(CLOCK_MONOTONIC) >= next_sweep) {
			unsigned int tables = 1u << WL_T_HANDSHAKES |
					      1u << WL_T_DNS;

			if (clock_ns(CLOCK_MONOTONIC) >= next_conn_sweep) {
				tables |= 1u << WL_T_CONNS;
				next_conn_sweep += conn_every;
			}
			/* the kernel's clock, read by the program itself */
			wl_sweep(run, 0, tables, 0);
			if (run->out.listen)
				wl_listen_sample(run->out.listen,
						 clock_ns(CLOCK_MONOTONIC));
			next_sweep += SEC_NS;
		}
		if (run->tick && clock_ns(CLOCK_MONOTONIC) >= next_tick) {
			pthread_mutex_lock(&out_lock);
			run->tick(run, run->tick_ctx);
			pthread_mutex_unlock(&out_lock);
			next_tick += 1000000000ULL;
		}
		if (next_summary && clock_ns(CLOCK_MONOTONIC) >= next_summary) {
			pthread_mutex_lock(&out_lock);
			wl_summary_print(run, stdout);
			pthread_mutex_unlock(&out_lock);
			next_summary += every;
		}
	}
out:
	if (reading) {
		rd.done = 1;
		pthread_join(rd.thread, NULL);
		if (rd.err) {
			pr_warn("reading records failed: %s\n", strerror(-rd.err));
			err = rd.err;
		}
	}
	wl_sock_detach(run);
	wl_drops_detach();
	if (http_fd >= 0)
		close(http_fd);
	wl_http_stop(http);
	for (i = 0; i < run->n_slots; i++)
		wl_detach_iface(&att[i]);
	/* what the programs wrote before they were detached */
	if (rb) {
		ring_buffer__consume(rb);
		ring_buffer__free(rb);
	}
	wl_listen_free(run->out.listen);
	run->out.listen = NULL;
	return err;
}
