/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host tests' half of lib/cpu.h (found as <asm/cpu.h> on the host
 * include path): out of line in lib/tests/host_cpu.c, where each POSIX
 * thread stands in for a hart.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

unsigned long cpu_hartid(void);
unsigned int cpu_id(void);
unsigned long cpu_irq_save(void);
void cpu_irq_restore(unsigned long flags);
void cpu_relax(void);

#endif /* ASM_CPU_H */
