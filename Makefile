# xdpct: eBPF/XDP TCP connection tracker.
# bpf/*.bpf.c -> build/*.bpf.o -> build/*.skel.h -> build/xdpct

BUILD     ?= build
# clang 16 for BPF: with -mcpu=v3 (32-bit ALU and jumps, which sequence-number
# compares are made of) the established fast path runs a seventh faster than
# with clang 14 (README, Design), whose v3 code the verifier refused (a read
# of an unset register).
CLANG     ?= clang-16
CC        ?= gcc
BPFTOOL   ?= bpftool
ARCH      := x86
VMLINUX   := vmlinux/$(ARCH)/vmlinux.h

CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter
INCLUDES  := -Iinclude -I$(BUILD)
LDLIBS    := -lbpf -lelf -lz

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(dir $(VMLINUX)) -Iinclude -Ibpf

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard include/xdpct/*.h)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

USER_SRCS := $(wildcard user/*.c)
USER_HDRS := $(wildcard user/*.h) $(wildcard include/xdpct/*.h)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# Everything but main(): the tests link these too.
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
LIB       := $(BUILD)/libxdpct.a

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
PKT_SRCS  := $(wildcard tests/pkt/*.c)
PKT_BINS  := $(patsubst tests/pkt/%.c,$(BUILD)/tests/pkt/%,$(PKT_SRCS))
TEST_HDRS := $(wildcard tests/lib/*.h)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))

# Debian packages the build, tests and demo need.
DEPS := clang clang-16 llvm libbpf-dev bpftool libelf-dev zlib1g-dev gcc make pkg-config \
	iproute2 nftables conntrack util-linux procps jq tmux \
	libclang-rt-14-dev gnuplot-nox \
	libpcap-dev tcpdump curl

.SECONDARY: $(BPF_OBJS) $(SKELS)

.PHONY: all deps test demo bench clean vmlinux unit pkt e2e fuzz

all: $(BUILD)/xdpct

$(BUILD) $(BUILD)/user $(BUILD)/tests/unit $(BUILD)/tests/pkt $(BUILD)/tests/tools:
	mkdir -p $@

# The Makefile too: a change to BPF_CFLAGS must rebuild the objects.
$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX) Makefile | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(BUILD)/user
	$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -Iuser -c $< -o $@

$(LIB): $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/xdpct: $(BUILD)/user/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lpcap

$(BUILD)/tests/unit/%: tests/unit/%.c $(TEST_HDRS) $(USER_HDRS) $(LIB) | $(BUILD)/tests/unit
	$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -Iuser -Itests/lib -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/pkt/%: tests/pkt/%.c $(TEST_HDRS) $(SKELS) $(LIB) | $(BUILD)/tests/pkt
	$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -Iuser -Itests/lib -o $@ $< $(LIB) $(LDLIBS) -lpthread

# Tools include the shared headers: rebuild them when a struct or counter list changes.
$(BUILD)/tests/tools/%: tests/tools/%.c $(USER_HDRS) $(TEST_HDRS) | $(BUILD)/tests/tools
	$(CC) $(CFLAGS) $(WARN) -o $@ $< $(LDLIBS)

# Fuzzing: a libFuzzer harness on include/xdpct/ (parser + state machine),
# seeded from tests/lib/frame.h. `make fuzz FUZZ_SECONDS=N` runs it; the
# e2e layer runs it for 60 s.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS    := $(BUILD)/tests/fuzz/fuzz_track $(BUILD)/tests/fuzz/fuzz_conf $(BUILD)/tests/fuzz/seeds

$(BUILD)/tests/fuzz:
	mkdir -p $@

$(BUILD)/tests/fuzz/fuzz_track: tests/fuzz/fuzz_track.c $(TEST_HDRS) $(BPF_HDRS) | $(BUILD)/tests/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -Iinclude -Itests/lib -o $@ $<

$(BUILD)/tests/fuzz/fuzz_conf: tests/fuzz/fuzz_conf.c user/conf.c user/conf.h $(BPF_HDRS) | $(BUILD)/tests/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -Iinclude -Iuser -o $@ tests/fuzz/fuzz_conf.c user/conf.c

$(BUILD)/tests/fuzz/seeds: tests/fuzz/seeds.c $(TEST_HDRS) | $(BUILD)/tests/fuzz
	$(CC) $(CFLAGS) $(WARN) -Iinclude -Itests/lib -o $@ $<

fuzz: $(FUZZ_BINS)
	BUILD=$(BUILD) tests/fuzz/run $(FUZZ_SECONDS)

# Benchmarks: baseline programs (tests/bench/*.bpf.c), the driver, the plot.
# `make bench` writes tests/bench/results/; BENCH_QUICK=1 is a smoke run.
BENCH_BPF   := $(wildcard tests/bench/*.bpf.c)
BENCH_SKELS := $(patsubst tests/bench/%.bpf.c,$(BUILD)/bench/%.skel.h,$(BENCH_BPF))
BENCH_BIN   := $(BUILD)/tests/bench/bench

.SECONDARY: $(patsubst tests/bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(BENCH_BPF)) $(BENCH_SKELS)

$(BUILD)/bench $(BUILD)/tests/bench:
	mkdir -p $@

$(BUILD)/bench/%.bpf.o: tests/bench/%.bpf.c $(BPF_HDRS) $(VMLINUX) Makefile | $(BUILD)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BENCH_BIN): tests/bench/bench.c $(TEST_HDRS) $(USER_HDRS) $(SKELS) $(BENCH_SKELS) $(LIB) | $(BUILD)/tests/bench
	$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -I$(BUILD)/bench -Iuser -Itests/lib -o $@ $< $(LIB) $(LDLIBS) -lpthread -lm

bench: $(BUILD)/xdpct $(BENCH_BIN)
	BUILD=$(BUILD) tests/bench/run $(if $(BENCH_QUICK),--quick)


# Regenerate the committed vmlinux.h from the running kernel's BTF.
vmlinux:
	mkdir -p $(dir $(VMLINUX))
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

# Install what is missing; quick when everything is there.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: all present"; fi

tests: $(BUILD)/xdpct $(UNIT_BINS) $(PKT_BINS) $(TOOL_BINS) $(FUZZ_BINS) $(BENCH_BIN)

test: tests
	tests/run

unit pkt e2e: tests
	tests/run $@

demo: $(BUILD)/xdpct $(TOOL_BINS)
	$(BUILD)/xdpct demo

clean:
	rm -rf $(BUILD)

# `make -s print-VAR`: a variable's value, for scripts that build variants
# (tests/bench/attribute.sh) with the flags the build uses.
print-%:
	@echo $($*)
