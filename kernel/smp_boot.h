/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Byte offsets in struct percpu (kernel/percpu.h) of the start block that
 * a secondary hart reads in head.S with the MMU off; kernel/smp.c checks
 * them against the struct with STATIC_ASSERTs. Assembly-safe.
 */
#ifndef KERNEL_SMP_BOOT_H
#define KERNEL_SMP_BOOT_H

#define SMP_BOOT_SATP 16
#define SMP_BOOT_SP 24
#define SMP_BOOT_SSCRATCH 32
#define SMP_BOOT_SELF 40

#endif /* KERNEL_SMP_BOOT_H */
