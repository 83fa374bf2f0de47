/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the harts are: their ISA and MMU from the device tree, and the
 * memory-attribute scheme the kernel's page tables use. kernel/cpufeature.c
 * states the rules.
 */
#ifndef KERNEL_CPUFEATURE_H
#define KERNEL_CPUFEATURE_H

#include "lib/fdt.h"
#include "lib/riscv_isa.h"

/*
 * Scan /cpus, take the extensions every usable hart and the boot hart
 * share, and fix the page tables' memory-attribute scheme from them
 * (arch_set_mattr). Prints nothing. Boot hart, once, after the device
 * tree is open and before any ioremap or the final page tables.
 */
void cpufeature_init(const struct fdt *fdt, unsigned long boot_hartid);

/*
 * Print the "cpu:" lines (one per cpu node, ISA warnings, the memory
 * attributes). Panics if the device tree says the boot hart has no MMU:
 * the porter's statement is believed, as Linux believes it.
 */
void cpufeature_report(void);

/* The scheme cpufeature_init() chose. */
enum riscv_mattr cpufeature_mattr(void);
/* Extensions on every hart that may run the kernel (RISCV_ISA_BIT...). */
uint64_t cpufeature_common_ext(void);

#endif /* KERNEL_CPUFEATURE_H */
