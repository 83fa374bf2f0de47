# SPDX-License-Identifier: BSD-2-Clause
#
# One Makefile, no recursion; per-directory source lists in */objects.mk;
# every object under build/. Targets:
#   make            build/kernel.elf, build/Image, build/kernel.map
#   make run        boot in QEMU (MACHINE, MEM, SMP, BOOTARGS, DTB, QEMU_EXTRA)
#   make test       host unit tests + QEMU harness through pytest
#   make host-tests build the host unit-test binaries only
#   make host-bench mm/ beside glibc, jemalloc, mimalloc, tcmalloc (host)
#   make buddy-compare  the four buddy systems on the same traces (host)
#   make buddy-trace    record the kernel's page allocations (selftest=all)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS each
#   make fuzz-long  every libFuzzer target for FUZZ_RUNS executions each
#   make coverage   line coverage of mm/ and lib/ (host tests + corpora)
#   make dtcheck    what the kernel would decide from DTB=<file> (host)
#   make boot-files U-Boot boot media under build/boot/<BOARD> (BOARD,
#                   BOOTARGS, DTB)
#   make debug/gdb  QEMU stopped with a gdb stub / attach gdb-multiarch with
#                   the mm helpers (harness/gdb/mm.py)
#   make format     check clang-format (make format-fix rewrites)
#   make deps       install missing Debian packages (apt-get when root)
#   make plots      PNG plots of the bench figures and buddyinfo (build/plots)

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DEFAULT_GOAL := all

BUILD ?= build
CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
PYTHON ?= /usr/bin/python3
DTC ?= dtc
QEMU ?= qemu-system-riscv64

MACHINE ?= virt
MEM ?= 256M
SMP ?= 4
BOOTARGS ?=
DTB ?=
QEMU_EXTRA ?=
OPENSBI ?= /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
MAX_ORDER ?= 10
# Most harts the kernel runs on (a build option, like Linux's NR_CPUS).
NR_CPUS ?= 64
PYTEST_ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

include lib/objects.mk mm/objects.mk kernel/objects.mk arch/riscv/objects.mk

# ---------------------------------------------------------------- target
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -Iarch/riscv/include -DMAX_ORDER=$(MAX_ORDER) -DNR_CPUS=$(NR_CPUS) \
	-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -fno-common -fno-pic -fno-stack-protector \
	-fno-omit-frame-pointer -fno-strict-aliasing -MMD -MP
ASFLAGS := $(CFLAGS) -D__ASSEMBLY__
LDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,-T,arch/riscv/kernel.ld \
	-Wl,--gc-sections -Wl,-Map,$(BUILD)/kernel.map -Wl,--build-id=none

# The multilib for rv64imac/lp64 (the _zicsr_zifencei spelling hides it).
LIBGCC := $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name \
	2>/dev/null)

kernel-objs := $(patsubst %,$(BUILD)/target/%.o,$(basename \
	$(arch-srcs) $(kernel-srcs) $(mm-srcs) $(lib-srcs)))

# Runs before the MMU is on, at the load address: no jump tables, no
# loops turned into library calls.
$(BUILD)/target/arch/riscv/early_vm.o: CFLAGS += -fno-jump-tables \
	-fno-tree-loop-distribute-patterns

$(BUILD)/target/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/target/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/kernel.elf: $(kernel-objs) arch/riscv/kernel.ld
	$(CC) $(CFLAGS) $(LDFLAGS) $(kernel-objs) $(LIBGCC) -o $@

$(BUILD)/kernel.map: $(BUILD)/kernel.elf
$(BUILD)/Image: $(BUILD)/kernel.elf
	$(OBJCOPY) -O binary $< $@

# ------------------------------------------------------------------ host
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -I. \
	-Ilib/tests/include -Imm/tests/include \
	-DHOST_TEST -DDEBUG -DMAX_ORDER=$(MAX_ORDER) -DNR_CPUS=$(NR_CPUS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -MMD -MP
HOST_LDLIBS := -lfdt -lpthread

host-lib-srcs := $(filter-out $(lib-host-exclude),$(lib-srcs))
host-support-srcs := $(sort $(wildcard lib/tests/host_*.c mm/tests/host_*.c))
host-test-srcs := $(sort $(wildcard lib/tests/test_*.c mm/tests/test_*.c))
host-objs := $(patsubst %,$(BUILD)/host/%.o,$(basename \
	$(host-lib-srcs) $(filter-out $(mm-host-exclude),$(mm-srcs)) \
	$(host-support-srcs)))
host-tests := $(patsubst %.c,$(BUILD)/host/%,$(host-test-srcs))
DTCHECK := $(BUILD)/host/kernel/tools/dtcheck

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/%: $(BUILD)/host/%.o $(host-objs)
	$(HOSTCC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -o $@

# The concurrency tests (mm/tests/test_smp*.c: POSIX threads standing in
# for harts) are also built from the same sources under ThreadSanitizer,
# in their own object tree; the harness runs both builds.
TSAN_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=all, \
	$(HOST_CFLAGS)) -fsanitize=thread
tsan-objs := $(patsubst $(BUILD)/host/%,$(BUILD)/tsan/%,$(host-objs))
tsan-tests := $(patsubst %.c,$(BUILD)/tsan/%,$(wildcard mm/tests/test_smp*.c))

$(BUILD)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(TSAN_CFLAGS) -c $< -o $@

$(BUILD)/tsan/%: $(BUILD)/tsan/%.o $(tsan-objs)
	$(HOSTCC) $(TSAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

host-tests: $(host-tests) $(tsan-tests) $(DTCHECK)

# The host concurrency tests at their full size (make test runs 20 %),
# one binary at a time so that nothing else competes for the CPUs;
# SOAK_PERCENT=500 runs five times the operations, SOAK_ROUNDS repeats.
SOAK_PERCENT ?= 100
SOAK_ROUNDS ?= 1
soak-tests := $(filter $(BUILD)/host/mm/tests/test_smp% \
	$(BUILD)/host/mm/tests/test_buddy_arena,$(host-tests)) $(tsan-tests)
soak: $(soak-tests)
	@for r in $$(seq $(SOAK_ROUNDS)); do for t in $(soak-tests); do \
		echo "soak: round $$r: $$t"; \
		KTEST_OPS_PERCENT=$(SOAK_PERCENT) \
		TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
			$$t > $(BUILD)/soak.log 2>&1 || { tail -n 40 \
			$(BUILD)/soak.log; echo "soak: $$t failed"; exit 1; }; \
		grep '^    # \|passed, ' $(BUILD)/soak.log; \
	done; done; echo "soak: all passed"

# ------------------------------------------------------------- host bench
# make host-bench: mm/ beside glibc, jemalloc, mimalloc and tcmalloc on
# the host (mm/tests/bench_host.c, bench_peers.c; harness/host_bench.py
# drives it and writes $(BUILD)/bench/host.txt and host.png). Built like
# a release kernel: -O2, no DEBUG (ASSERT() compiled out, VERIFY() kept,
# as on the target), no sanitizers, in its own object tree; HOST_BENCH
# makes masking interrupts as cheap as on the target (no cross-hart
# call model: lib/tests/host_cpu.c).
#   BENCH_REPEATS    timed rounds, allocators interleaved (11)
#   BENCH_SCALE      operation counts, percent of the default (100)
#   BENCH_CG_SCALE   the same for the callgrind run (4)
#   BENCH_CALLGRIND  0 skips the instruction counts (printed as 0)
#   BENCH_QUICK      1: 3 rounds at 5 %, callgrind at 1 % (a few seconds)
#   BENCH_PIN        0 lets the scheduler place xthread's two threads
# jemalloc's TLS is initial-exec, hence the tunable (the binary also
# re-runs itself with it when started by hand).
BENCH_REPEATS ?= 11
BENCH_SCALE ?= 100
BENCH_CG_SCALE ?= 4
BENCH_CALLGRIND ?= 1
BENCH_QUICK ?= 0
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Wno-missing-prototypes -I. \
	-Ilib/tests/include -Imm/tests/include -DHOST_TEST -DHOST_BENCH \
	-DMAX_ORDER=$(MAX_ORDER) -DNR_CPUS=$(NR_CPUS) -fno-strict-aliasing \
	-MMD -MP
BENCH_LDLIBS := -lfdt -lpthread -ldl -lm
bench-objs := $(patsubst $(BUILD)/host/%,$(BUILD)/bench/obj/%,$(host-objs)) \
	$(patsubst %.c,$(BUILD)/bench/obj/%.o,$(wildcard mm/tests/bench_*.c))
bench-args = $(if $(filter 1,$(BENCH_QUICK)), \
	--repeats 3 --scale 5 --cg-scale 1, \
	--repeats $(BENCH_REPEATS) --scale $(BENCH_SCALE) \
	--cg-scale $(BENCH_CG_SCALE)) \
	$(if $(filter 0,$(BENCH_CALLGRIND)),--no-callgrind)

$(BUILD)/bench/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_CFLAGS) -c $< -o $@

$(BUILD)/bench/bench_host: $(bench-objs)
	$(HOSTCC) $(BENCH_CFLAGS) $^ $(BENCH_LDLIBS) -o $@

# make buddy-compare: the four buddy policies on the same request traces
# (mm/tests/buddy_compare.c over mm/buddy_arena.c, -O2); the driver,
# harness/buddy_compare.py, adds instruction counts from callgrind and
# writes $(BUILD)/bench/buddy-compare.txt and buddy-compare.png.
#   BUDDY_TRACE     a recorded kernel trace (default: the one in harness/;
#                   .xz is decompressed first; make buddy-trace writes it)
#   BUDDY_CALLGRIND 0 skips the instruction counts (printed as 0)
BUDDY_TRACE ?= harness/traces/selftest-all-pages.trace.xz
BUDDY_CALLGRIND ?= 1
compare-objs := $(patsubst $(BUILD)/host/%,$(BUILD)/bench/obj/%,$(host-objs))
$(BUILD)/bench/buddy_compare: $(BUILD)/bench/obj/mm/tests/buddy_compare.o \
		$(compare-objs)
	$(HOSTCC) $(BENCH_CFLAGS) $^ $(BENCH_LDLIBS) -o $@

buddy-compare: $(BUILD)/bench/buddy_compare
	$(PYTHON) harness/buddy_compare.py --bin $< --out $(BUILD)/bench \
		$(if $(wildcard $(BUDDY_TRACE)),--kernel-trace $(BUDDY_TRACE)) \
		$(if $(filter 0,$(BUDDY_CALLGRIND)),--no-callgrind)

# make buddy-trace: boot selftest=all with page_trace and write the
# kernel's page allocations to $(BUDDY_TRACE) (harness/record_trace.py).
buddy-trace: all
	$(PYTHON) harness/record_trace.py --out $(BUDDY_TRACE)

host-bench: $(BUILD)/bench/bench_host
	GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384 \
	$(PYTHON) harness/host_bench.py --bin $< --out $(BUILD)/bench \
		$(bench-args)

# ------------------------------------------------------------------ fuzz
# libFuzzer (clang) targets, mm/tests/fuzz_<name>.c, each built from the
# sources the host tests use into its own object tree ($(BUILD)/fuzz/obj):
#   fdt      the device-tree reader, the memory map built from it, the
#            kernel's reservations and linear-map fit (mm/memmap_boot.c)
#            and hart discovery
#   buddy    the buddy allocator and memblock, from a fresh memory layout
#   slab     slab caches and kmalloc (debug flags, misuse)
#   vmalloc  vmalloc, vmap and the vmem arena over real page tables
#   pgtable  the Sv39 walker against a page-by-page shadow map
# The allocator targets decode their input into operations, misuse
# included, run them against a reference model and the allocator's
# checker after every operation (mm/tests/fuzz_ops.h). `make fuzz` runs
# every target for FUZZ_SECONDS each (FUZZ_TARGETS narrows the list),
# starting from the checked-in seeds in mm/tests/corpus/<name>/ (the fdt
# target also from the compiled dts/ and dts/boards/); new inputs collect in
# $(BUILD)/fuzz/corpus/<name>. A crash, leak or hang is saved as
# $(BUILD)/fuzz/<name>-crash-* (or leak-*, timeout-*) and stops the run;
# UBSan does not recover, so undefined behaviour counts as a crash.
# `make fuzz-merge` minimises the new inputs into the seed directories.
# `make fuzz-long FUZZ_RUNS=10000000` runs each target for a fixed number
# of executions instead (harness/fuzz_long.py), FUZZ_PARALLEL at a time,
# logging to $(BUILD)/fuzz/<name>-long.log, one summary line per target.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 10000000
FUZZ_PARALLEL ?= 1
FUZZ_TARGETS ?= fdt buddy buddy_policy slab vmalloc pgtable
# The fuzz targets run on one thread: a small NR_CPUS keeps the per-hart
# loops (draining every hart's magazines and page lists) short.
FUZZ_NR_CPUS ?= 4
# A smaller machine for the fuzzers: with 1 MiB top-order blocks the
# buddy target's memory (two top-order blocks, one each side of 4 GiB)
# is 512 pages, so buddy_check() after every operation walks a quarter
# of what it would at MAX_ORDER 10; the code paths are the same (orders
# are loops up to MAX_ORDER). `make coverage` replays the corpora at
# the kernel's MAX_ORDER.
FUZZ_MAX_ORDER ?= 8
# Longest input per target (-max_len). An allocator input is a header
# and then 2 to 6 bytes per operation, and every operation is followed
# by the allocator's full checker: these lengths keep each allocator
# target at 9,000 or more executions per CPU second, 10 million in
# under 20 minutes of one core (README, Fuzzing figures), with about 8
# to 30 operations an input. Device trees are whole blobs: the largest
# board tree (dts/boards/) fits (fdt runs at about 5,000 a CPU second).
FUZZ_MAX_LEN_fdt ?= 8192
FUZZ_MAX_LEN_buddy ?= 96
FUZZ_MAX_LEN_buddy_policy ?= 96
FUZZ_MAX_LEN_slab ?= 32
FUZZ_MAX_LEN_vmalloc ?= 64
FUZZ_MAX_LEN_pgtable ?= 64
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(WARN) -Wno-missing-prototypes \
	-I. -Ilib/tests/include -Imm/tests/include \
	-DHOST_TEST -DDEBUG -DMAX_ORDER=$(FUZZ_MAX_ORDER) \
	-DNR_CPUS=$(FUZZ_NR_CPUS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP
fuzz-lib-srcs := $(host-lib-srcs) lib/tests/host_cpu.c
fuzz-mm-srcs := $(filter-out $(mm-host-exclude),$(mm-srcs)) \
	mm/tests/host_arch.c mm/tests/fuzz_ops.c
fuzz-obj = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))
fuzz-bins := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
fuzz-max-len = $(or $(FUZZ_MAX_LEN_$(1)),4096)
fuzz-dirs = $(BUILD)/fuzz/corpus/$(1) mm/tests/corpus/$(1) \
	$(if $(filter fdt,$(1)),$(BUILD)/dts $(BUILD)/dts/boards)

# The allocators are built without libFuzzer's comparison tracing
# (trace-cmp; the edge counters stay): their comparisons are of
# allocator state in loops over every page, object or table entry,
# where the callbacks cost as much as the code, and the operands are
# not input bytes (the targets decode operations with `%`), so the
# hints steer nothing. The device-tree reader and the memory map keep
# it: they compare input bytes (magic, tokens, names, cells).
fuzz-nocmp-objs := $(call fuzz-obj,$(filter-out mm/memmap% mm/linear.c \
	mm/tests/%,$(fuzz-mm-srcs)))
$(fuzz-nocmp-objs): FUZZ_COV_EXTRA := -fno-sanitize-coverage=trace-cmp

# The objects depend on a file holding the flags they were built with,
# rewritten only when those change (FUZZ_MAX_ORDER=10 on the command
# line, say): objects of two MAX_ORDERs must never be linked together.
fuzz-flags-file := $(BUILD)/fuzz/obj/flags
fuzz-flags-now := $(FUZZ_CC) $(FUZZ_CFLAGS) $(fuzz-nocmp-objs:%=-nocmp:%)
$(fuzz-flags-file): fuzz-flags-check
	@:
fuzz-flags-check:
	@mkdir -p $(dir $(fuzz-flags-file)); \
	echo '$(fuzz-flags-now)' | cmp -s - $(fuzz-flags-file) || \
		echo '$(fuzz-flags-now)' > $(fuzz-flags-file)

$(BUILD)/fuzz/obj/%.o: %.c mm/tests/fuzz_ignorelist.txt $(fuzz-flags-file)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-fsanitize-coverage-ignorelist=mm/tests/fuzz_ignorelist.txt \
		$(FUZZ_COV_EXTRA) -c $< -o $@

$(BUILD)/fuzz/fuzz_fdt: $(call fuzz-obj,mm/tests/fuzz_fdt.c \
		$(fuzz-lib-srcs) mm/memmap.c mm/memmap_boot.c mm/memmap_check.c \
		mm/linear.c)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

$(BUILD)/fuzz/fuzz_%: $(call fuzz-obj,mm/tests/fuzz_%.c $(fuzz-lib-srcs) \
		$(fuzz-mm-srcs))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -lpthread -o $@

fuzz-bins: $(fuzz-bins)

fuzz: $(fuzz-bins) dtbs
	@set -e; $(foreach t,$(FUZZ_TARGETS), \
		mkdir -p $(BUILD)/fuzz/corpus/$(t); \
		echo "fuzz: $(t) for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$(t) -max_len=$(call fuzz-max-len,$(t)) \
			-max_total_time=$(FUZZ_SECONDS) -timeout=60 \
			-print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$(t)- \
			$(call fuzz-dirs,$(t));)

# Seeds are read whole here (-max_len above every seed, unlike the
# runs): a seed cut to FUZZ_MAX_LEN_<name> would count for less than it
# reaches, and inputs it already covers would be taken in again.
fuzz-merge: $(fuzz-bins)
	@set -e; $(foreach t,$(FUZZ_TARGETS), \
		mkdir -p mm/tests/corpus/$(t) $(BUILD)/fuzz/corpus/$(t); \
		$(BUILD)/fuzz/fuzz_$(t) -merge=1 -use_counters=0 \
			-max_len=65536 \
			mm/tests/corpus/$(t) $(BUILD)/fuzz/corpus/$(t);)

fuzz-long: $(fuzz-bins) dtbs
	$(PYTHON) harness/fuzz_long.py --build $(BUILD) --runs $(FUZZ_RUNS) \
		--parallel $(FUZZ_PARALLEL) \
		$(foreach t,$(FUZZ_TARGETS),$(t):$(call fuzz-max-len,$(t)))

# -------------------------------------------------------------- coverage
# make coverage: line coverage of mm/ and lib/ from the single-threaded
# host unit tests and the fuzz targets replayed over their checked-in
# corpora (mm/tests/fuzz_replay.c stands in for libFuzzer). clang source-based coverage, no sanitizers,
# its own object tree ($(BUILD)/cov); harness/coverage.py runs them,
# merges the profiles (llvm-profdata), prints "coverage: <file> <pct>%"
# per source file of mm/ and lib/ built on the host, then "coverage:
# total <pct>%", and fails when the total is below harness/coverage_floor
# (or a binary fails).
COV_CC ?= clang
LLVM_PROFDATA ?= llvm-profdata-14
LLVM_COV ?= llvm-cov-14
COV_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -I. \
	-Ilib/tests/include -Imm/tests/include \
	-DHOST_TEST -DDEBUG -DMAX_ORDER=$(MAX_ORDER) -DNR_CPUS=$(NR_CPUS) \
	-fprofile-instr-generate -fcoverage-mapping -MMD -MP
cov-objs := $(patsubst $(BUILD)/host/%,$(BUILD)/cov/%,$(host-objs))
# The concurrency tests (test_smp_*, test_spinlock) are left out: their
# assertions on how often threads interleave are tuned for the sanitizer
# builds and the quiet machine of `make soak`, not for a profiled build
# running beside others.
cov-tests := $(filter-out $(BUILD)/cov/mm/tests/test_smp% \
	$(BUILD)/cov/lib/tests/test_spinlock, \
	$(patsubst $(BUILD)/host/%,$(BUILD)/cov/%,$(host-tests)))
cov-fuzz := $(patsubst %,$(BUILD)/cov/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(BUILD)/cov/%.o: %.c
	@mkdir -p $(dir $@)
	$(COV_CC) $(COV_CFLAGS) -c $< -o $@

# lib/tests/test_lib.c compares %hhd and %hd with the C library's using
# int arguments on purpose, which clang's -Wformat flags (gcc's does not).
$(BUILD)/cov/lib/tests/test_lib.o: COV_CFLAGS += -Wno-format

$(BUILD)/cov/%: $(BUILD)/cov/%.o $(cov-objs)
	$(COV_CC) $(COV_CFLAGS) $^ $(HOST_LDLIBS) -o $@

$(BUILD)/cov/fuzz/fuzz_%: $(BUILD)/cov/mm/tests/fuzz_%.o \
		$(BUILD)/cov/mm/tests/fuzz_replay.o \
		$(BUILD)/cov/mm/tests/fuzz_ops.o $(cov-objs)
	@mkdir -p $(dir $@)
	$(COV_CC) $(COV_CFLAGS) $^ $(HOST_LDLIBS) -o $@

coverage: $(cov-tests) $(cov-fuzz) dtbs
	$(PYTHON) harness/coverage.py --build $(BUILD) \
		--profdata $(LLVM_PROFDATA) --llvm-cov $(LLVM_COV) \
		--floor harness/coverage_floor \
		--tests $(cov-tests) --fuzz $(cov-fuzz)

# --------------------------------------------------------------- dtcheck
# make dtcheck DTB=<file.dtb or .dts>: the kernel's own device-tree,
# memory-map, console and poweroff decisions, built for the host with
# the sanitizers (kernel/tools/dtcheck.c), run on one tree. The image
# size comes
# from $(BUILD)/kernel.elf; DTCHECK_ARGS adds options (--load <addr>,
# --fdt-addr <addr>, --image-size <n>). Exit 0 ok, 1 problems, 2 usage.
dtcheck-srcs := kernel/tools/dtcheck.c kernel/tools/dtcheck_elf.c kernel/console_dt.c \
	kernel/poweroff_dt.c
DTCHECK_ARGS ?=

$(DTCHECK): $(patsubst %.c,$(BUILD)/host/%.o,$(dtcheck-srcs)) $(host-objs)
	$(HOSTCC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -o $@

dtcheck: $(DTCHECK) $(BUILD)/kernel.elf
	@test -n "$(DTB)" || { echo "usage: make dtcheck DTB=<file.dtb|.dts>"; \
		exit 2; }
	@if [ "$(suffix $(DTB))" = ".dts" ]; then \
		$(DTC) -q -I dts -O dtb -o $(BUILD)/dtcheck.dtb $(DTB) && \
		$(DTCHECK) --kernel $(BUILD)/kernel.elf $(DTCHECK_ARGS) \
			$(BUILD)/dtcheck.dtb; \
	else \
		$(DTCHECK) --kernel $(BUILD)/kernel.elf $(DTCHECK_ARGS) $(DTB); \
	fi

# ------------------------------------------------------------ device trees
# dts/*.dts: layouts for the QEMU harness; dts/boards/*.dts: real boards
# (checked with dtcheck, not booted).
dtbs := $(patsubst dts/%.dts,$(BUILD)/dts/%.dtb,$(wildcard dts/*.dts \
	dts/boards/*.dts))
$(BUILD)/dts/%.dtb: dts/%.dts
	@mkdir -p $(dir $@)
	$(DTC) -q -I dts -O dtb -o $@ $<
dtbs: $(dtbs)

# ------------------------------------------------------------ boot media
# make boot-files BOARD=<name>: the Image, a U-Boot script (boot.scr, with
# its source boot.cmd) and extlinux/extlinux.conf that load it at the
# board's ${kernel_addr_r} and start it with booti, and a README.txt,
# under $(BUILD)/boot/<name>/ (harness/boot-files.sh holds the per-board
# table). BOOTARGS: the kernel command line (none by default). DTB: a
# .dtb to put beside the Image and pass to booti, or "firmware" for
# U-Boot's own tree; by default the board's choice (README, "Boot
# media").
BOARD ?=
boot-files: all dtbs
	@DTB_DIR=$(BUILD)/dts sh harness/boot-files.sh --board '$(BOARD)' \
		--image $(BUILD)/Image --out $(BUILD)/boot/$(BOARD) \
		--bootargs '$(BOOTARGS)' $(if $(DTB),--dtb '$(DTB)')

# ------------------------------------------------------------------ phony
all: $(BUILD)/kernel.elf $(BUILD)/Image

QEMU_ARGS = -M $(MACHINE) -m $(MEM) -smp $(SMP) -nographic \
	-bios $(OPENSBI) -kernel $(BUILD)/kernel.elf \
	$(if $(BOOTARGS),-append "$(BOOTARGS)") $(if $(DTB),-dtb $(DTB)) \
	$(QEMU_EXTRA)

run: deps all
	@echo "[leave QEMU with Ctrl-A then X]"
	$(QEMU) $(QEMU_ARGS)

# make debug: QEMU stopped before the first instruction, gdb stub on
# tcp::$(GDB_PORT). make gdb (another terminal) attaches gdb-multiarch
# with the mm helpers of harness/gdb/mm.py loaded (mm-meminfo,
# mm-buddyinfo, mm-slabinfo, mm-vmallocinfo, mm-page, mm-walk).
GDB_PORT ?= 1234
debug: deps all
	@echo "[QEMU stopped; gdb stub on tcp::$(GDB_PORT); run 'make gdb' elsewhere]"
	$(QEMU) $(QEMU_ARGS) -S -gdb tcp::$(GDB_PORT)

gdb: all
	gdb-multiarch $(BUILD)/kernel.elf -ex 'set architecture riscv:rv64' \
		-ex 'source harness/gdb/mm.py' \
		-ex 'target remote localhost:$(GDB_PORT)'

test: deps all host-tests dtbs $(BUILD)/bench/bench_host \
		$(BUILD)/bench/buddy_compare fuzz-bins $(cov-tests) $(cov-fuzz)
	$(PYTHON) -m pytest harness -q -n $(JOBS) \
		--junitxml=$(BUILD)/junit.xml $(PYTEST_ARGS)

deps:
	@sh harness/deps.sh

# PNG plots under $(BUILD)/plots (harness/plots.py: bench figures against
# their targets, buddyinfo per zone after boot and after selftest=all).
plots: deps all $(BUILD)/bench/buddy_compare
	$(PYTHON) harness/plots.py --out $(BUILD)/plots

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)
format-fix:
	clang-format -i $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

.PHONY: all run debug gdb test deps host-tests soak dtbs fuzz fuzz-bins \
	fuzz-merge fuzz-long fuzz-flags-check coverage format format-fix \
	clean host-bench buddy-compare buddy-trace dtcheck plots boot-files
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
