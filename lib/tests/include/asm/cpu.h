/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host tests' half of lib/cpu.h (found as <asm/cpu.h> on the host
 * include path): out of line in lib/tests/host_cpu.c, where each POSIX
 * thread stands in for a hart.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <stdbool.h>

unsigned long cpu_hartid(void);
unsigned int cpu_id(void);
unsigned long cpu_irq_save(void);
/* False unless a test said otherwise with host_cpu_set_in_irq(). */
bool cpu_in_irq(void);
/* Make this thread look like an interrupt handler (true) or not. */
void host_cpu_set_in_irq(bool on);
void cpu_irq_restore(unsigned long flags);
void cpu_relax(void);

#endif /* ASM_CPU_H */
