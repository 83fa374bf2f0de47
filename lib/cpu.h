/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lib/ and mm/ need to know about the hart they run on. The target
 * implements it in arch/riscv/cpu.c from the per-hart area that tp points
 * at (kernel/percpu.h); host tests implement it in lib/tests/host_cpu.c,
 * where each POSIX thread stands in for a hart.
 */
#ifndef LIB_CPU_H
#define LIB_CPU_H

#include "lib/kernel.h"

/*
 * Build-time limit on harts the kernel runs on (logical CPU numbers are
 * 0 .. NR_CPUS - 1); harts beyond it are skipped at boot with a warning.
 * The Makefile passes NR_CPUS; 64 when it does not.
 */
#ifndef NR_CPUS
#define NR_CPUS 64
#endif

/* Logical CPU number of the caller: 0 on the boot hart. */
unsigned int cpu_id(void);
/* Hardware hart id of the caller (the mhartid the firmware reported). */
unsigned long cpu_hartid(void);

/*
 * Disable interrupts on this hart and return the previous state, for
 * cpu_irq_restore(). Interrupt handlers may take the same locks as
 * ordinary code only through the _irqsave lock forms.
 */
unsigned long cpu_irq_save(void);
void cpu_irq_restore(unsigned long flags);

/* Spin-wait hint (RISC-V Zihintpause "pause"; a no-op where absent). */
void cpu_relax(void);

#endif /* LIB_CPU_H */
