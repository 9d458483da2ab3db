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

BPF_CFLAGS := -g -O2 -target bpf -Wall -Wextra -Werror \
	-Iinclude -I/usr/include/$(ARCH)-linux-gnu -MMD -MP
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(OUT) -MMD -MP
LDLIBS := -lxdp -lbpf -lelf -lz -lpcap -lmicrohttpd -lm

BPF_SRCS := xdp/wirelat_xdp.bpf.c tc/wirelat_tc.bpf.c
BPF_OBJS := $(patsubst %.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst %.c,$(OUT)/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_SRCS))

.PHONY: all test deps bench clean
.DELETE_ON_ERROR:

all: wirelat $(TEST_BINS)

$(OUT)/%.bpf.o: %.bpf.c
	@mkdir -p $(dir $@)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/wirelat.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/wirelat.skel.h: $(OUT)/wirelat.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name wirelat > $@

$(USER_OBJS): $(OUT)/wirelat.skel.h

$(OUT)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

wirelat: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(OUT)/tests/%: tests/%.c $(LIB_OBJS) $(OUT)/wirelat.skel.h
	@mkdir -p $(dir $@)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) -o $@ $(LDLIBS)

# Installs what is missing (Debian), builds, runs every test.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run.sh

deps:
	$(Q)tests/deps.sh

$(OUT)/bench_xdp: tests/bench/bench_xdp.c $(OUT)/wirelat.skel.h
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDLIBS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/bench_xdp
	$(Q)tests/bench.sh

clean:
	rm -rf $(OUT) wirelat

-include $(wildcard $(OUT)/*/*.d $(OUT)/*.d)
