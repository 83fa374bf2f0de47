# SPDX-License-Identifier: BSD-2-Clause
# arch/riscv/: entry, traps, SBI, the mm/arch.h and kernel/arch.h seams.
arch-srcs := $(sort $(wildcard arch/riscv/*.c arch/riscv/*.S))
