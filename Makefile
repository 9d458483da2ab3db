# wirelat - one Makefile: BPF objects linked into build/wirelat.bpf.o, its
# skeleton, the daemon ./wirelat, the tests. `make V=1` shows commands.

ARCH := $(shell uname -m)
CLANG ?= clang
CC ?= cc
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
OUT := build

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# bpf_tracing.h's register names for the kprobes of the socket path
BPF_ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Wextra -Werror -D__TARGET_ARCH_$(BPF_ARCH) \
	-Iinclude -I/usr/include/$(ARCH)-linux-gnu -MD -MP
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude -Iuser -I$(OUT) -MMD -MP
LDLIBS := -lxdp -lbpf -lelf -lz -lpcap -lmicrohttpd -lpsl -lpthread -lm \
	-lgnutls -lyaml -lcrypt
# `make test SANITIZE=1`: userspace (daemon, tests) with ASan and UBSan, by
# clang (its UBSan writes reports to UBSAN_OPTIONS's log_path, gcc's to
# stderr only: tests/run_sanitized.sh collects the logs); the flags in use
# are kept in $(OUT)/cflags, so switching rebuilds everything
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ifeq ($(SANITIZE),1)
CC := $(CLANG)
CFLAGS += $(SAN_FLAGS)
# test_parse builds frames in place: an IPv4 header at offset 14 (2 mod 4),
# as on the wire; x86 loads it unaligned (wirelat's own code is checked)
$(OUT)/tests/test_parse: private CFLAGS += -fno-sanitize=alignment
endif

BPF_SRCS := xdp/wirelat_xdp.bpf.c tc/wirelat_tc.bpf.c sock/wirelat_sock.bpf.c \
	sweep/wirelat_sweep.bpf.c
BPF_OBJS := $(patsubst %.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst %.c,$(OUT)/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_SRCS))
# test-only BPF (loss on demand for live tests): not part of wirelat
TEST_BPF := $(patsubst %.bpf.c,$(OUT)/%.bpf.o,$(wildcard tests/bpf/*.bpf.c))

.PHONY: all test deps bench clean test-kernels
.DELETE_ON_ERROR:

all: wirelat $(TEST_BINS) $(TEST_BPF) $(OUT)/tests/seccomp_exec

# BPF_CFLAGS has -MD, not -MMD: the dependency file lists system headers
# too, and tests/check_bpf_headers.sh fails the build when one of them is
# the C library's (it needs gnu/stubs-32.h under -target bpf).
$(OUT)/%.bpf.o: %.bpf.c
	@mkdir -p $(dir $@)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)tests/check_bpf_headers.sh $(@:.o=.d)

# tests/check_cfg.py fails the build on a loop Linux before 6.4 rejects
$(OUT)/wirelat.bpf.o: $(BPF_OBJS) tests/check_cfg.py Makefile
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $(BPF_OBJS)
	$(Q)tests/check_cfg.py $@

$(OUT)/wirelat.skel.h: $(OUT)/wirelat.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name wirelat > $@

# the entry counter is an object of its own (sweep/wirelat_count.bpf.c says why)
$(OUT)/wirelat_count.skel.h: $(OUT)/sweep/wirelat_count.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name wirelat_count > $@

$(USER_OBJS): $(OUT)/wirelat.skel.h $(OUT)/wirelat_count.skel.h $(OUT)/cflags

# rewritten only when the flags change (SANITIZE=1 and back)
.PHONY: FORCE
$(OUT)/cflags: FORCE
	@mkdir -p $(OUT)
	@echo '$(CC) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS)' > $@

$(OUT)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

wirelat: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(OUT)/tests/%: tests/%.c $(LIB_OBJS) $(OUT)/wirelat.skel.h $(OUT)/cflags
	@mkdir -p $(dir $@)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) -o $@ $(LDLIBS)

# a unit's seccomp filters without systemd (tests/test_systemd.sh)
$(OUT)/tests/seccomp_exec: tests/seccomp_exec.c $(OUT)/cflags
	@mkdir -p $(dir $@)
	$(call msg,TOOL,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

# Installs what is missing (Debian), builds, runs every test.
test: deps
	$(Q)$(MAKE) --no-print-directory all fuzz-build
ifeq ($(SANITIZE),1)
	$(Q)tests/run_sanitized.sh
else
	$(Q)tests/run.sh
endif

deps:
	$(Q)tests/deps.sh

$(OUT)/bench_xdp: tests/bench/bench_xdp.c $(OUT)/wirelat.skel.h
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDLIBS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/bench_xdp
	$(Q)tests/bench.sh

# Debian 12's stock kernels in qemu, then this one: the tests that do not
# need this machine's kernel, and each program's verifier cost
# (tests/kernels/run.sh; prog_stats is no test_*: tests/run.sh skips it).
$(OUT)/tests/prog_stats: tests/kernels/prog_stats.c $(LIB_OBJS) $(OUT)/wirelat.skel.h $(OUT)/wirelat_count.skel.h
	@mkdir -p $(dir $@)
	$(call msg,TOOL,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser $< $(LIB_OBJS) -o $@ $(LDLIBS)

test-kernels: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/tests/prog_stats
	$(Q)tests/kernels/run.sh

# ---- fuzzing (libFuzzer) ----------------------------------------------------
# `make fuzz [FUZZ_S=60]`: each harness of tests/fuzz/ for FUZZ_S seconds,
# from its kept corpus (tests/fuzz/corpus/NAME) and its seeds; a crash
# fails the run and leaves its input as build/fuzz/NAME-crash-* (tests/fuzz/run.sh).
# The userspace objects again, instrumented for coverage, under build/fuzz.
FUZZ_S ?= 60
FUZZ_NAMES := capture frame http cli
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(OUT) \
	-Iuser -MMD -MP -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LIB_OBJS := $(patsubst $(OUT)/user/%,$(OUT)/fuzz/user/%,$(LIB_OBJS))
FUZZ_BINS := $(addprefix $(OUT)/fuzz/fuzz_,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-build
# kept, not removed as intermediates: the next build reuses them
.SECONDARY: $(FUZZ_LIB_OBJS) $(OUT)/fuzz/fuzz_common.o
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)FUZZ_S=$(FUZZ_S) tests/fuzz/run.sh $(FUZZ_NAMES)

$(OUT)/fuzz/user/%.o: user/%.c $(OUT)/wirelat.skel.h $(OUT)/wirelat_count.skel.h
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUT)/fuzz/fuzz_common.o: tests/fuzz/fuzz_common.c $(OUT)/wirelat.skel.h
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(OUT)/fuzz/fuzz_common.o $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< \
		$(OUT)/fuzz/fuzz_common.o $(FUZZ_LIB_OBJS) -o $@ $(LDLIBS)

clean:
	rm -rf $(OUT) wirelat

# ---- demo, install, uninstall ---------------------------------------------
# `make demo [DURATION=seconds]`: tests/demo.sh on a veth pair (README).
# `make install [PREFIX=/usr/local] [DESTDIR=]`: the binary, wirelat(8), the
# systemd unit (its /usr/local paths rewritten to PREFIX) and its cleanup
# helper, dashboards/* and the deploy files under $(DATADIR); every path
# written is listed in $(DATADIR)/install-manifest, and `make uninstall`
# removes exactly those (and the directories of its own that are then empty).
PREFIX ?= /usr/local
DESTDIR ?=
DURATION ?= 60
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/wirelat
LIBEXECDIR ?= $(PREFIX)/lib/wirelat
UNITDIR ?= $(PREFIX)/lib/systemd/system
DASHBOARD_FILES = $(wildcard dashboards/*)
DEPLOY_FILES = deploy/prometheus.yml deploy/wirelat.env $(wildcard deploy/kubernetes/*.yaml)

.PHONY: demo install uninstall

demo: deps
	$(Q)$(MAKE) --no-print-directory wirelat
	$(Q)tests/demo.sh $(DURATION)

install: wirelat
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)set -e; d='$(DESTDIR)'; m="$$d$(DATADIR)/install-manifest"; \
	mkdir -p "$$d$(DATADIR)"; : >"$$m.new"; \
	put() { install -D -m "$$1" "$$2" "$$d$$3"; echo "$$3" >>"$$m.new"; }; \
	put 0755 wirelat '$(SBINDIR)/wirelat'; \
	put 0644 man/wirelat.8 '$(MANDIR)/man8/wirelat.8'; \
	put 0755 deploy/wirelat-cleanup '$(LIBEXECDIR)/wirelat-cleanup'; \
	sed 's|/usr/local|$(PREFIX)|g' deploy/wirelat.service >"$$m.unit"; \
	put 0644 "$$m.unit" '$(UNITDIR)/wirelat.service'; rm -f "$$m.unit"; \
	for f in $(DASHBOARD_FILES) $(DEPLOY_FILES); do put 0644 "$$f" "$(DATADIR)/$$f"; done; \
	echo '$(DATADIR)/install-manifest' >>"$$m.new"; \
	if [ -f "$$m" ]; then cat "$$m" >>"$$m.new"; fi; \
	sort -u "$$m.new" >"$$m"; rm -f "$$m.new"
	@echo "installed under $(DESTDIR)$(PREFIX) (list: $(DATADIR)/install-manifest)"
	@echo "next: cp $(DATADIR)/deploy/wirelat.env /etc/default/wirelat, edit it, systemctl daemon-reload, systemctl enable --now wirelat"

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)set -e; d='$(DESTDIR)'; m="$$d$(DATADIR)/install-manifest"; \
	if [ -f "$$m" ]; then list=$$(cat "$$m"); else \
		echo "no $$m: removing the files make install writes"; \
		list='$(SBINDIR)/wirelat $(MANDIR)/man8/wirelat.8 $(LIBEXECDIR)/wirelat-cleanup $(UNITDIR)/wirelat.service $(addprefix $(DATADIR)/,$(DASHBOARD_FILES) $(DEPLOY_FILES))'; \
	fi; \
	for f in $$list; do rm -f "$$d$$f"; done; \
	for dir in $(DATADIR)/deploy/kubernetes $(DATADIR)/deploy $(DATADIR)/dashboards $(DATADIR) $(LIBEXECDIR); do \
		rmdir "$$d$$dir" 2>/dev/null || true; \
	done

-include $(wildcard $(OUT)/*/*.d $(OUT)/*/*/*.d $(OUT)/*.d)
