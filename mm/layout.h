/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel virtual address-space layout (Sv39: 39-bit virtual addresses,
 * sign-extended; only the top 256 GiB half is used, everything below is
 * unmapped so NULL and small wild pointers fault).
 *
 *   0x0000000000000000 +----------------------------+
 *                      | unmapped (user half, NULL) |
 *   0x0000004000000000 +----------------------------+
 *                      | non-canonical hole         |
 *   0xffffffc000000000 +----------------------------+ VMALLOC_START
 *                      | vmalloc / vmap (63 GiB)    |
 *   0xffffffcfc0000000 +----------------------------+ MMU_SCRATCH_START
 *                      | mmu self-test scratch 1 GiB|
 *   0xffffffd000000000 +----------------------------+ VMALLOC_END
 *                      | unmapped                   |
 *   0xffffffd800000000 +----------------------------+ PAGE_OFFSET
 *                      | linear map of RAM          |
 *                      | (up to 128 GiB, RW, NX)    |
 *   0xfffffff800000000 +----------------------------+ LINEAR_END
 *                      | unmapped                   |
 *   0xffffffff00000000 +----------------------------+ EARLY_IO_VA
 *                      | early MMIO: 2 x 1 GiB, boot |
 *                      | only, removed after switch |
 *   0xffffffff80000000 +----------------------------+ KERNEL_VA
 *                      | kernel image (W^X)         |
 *   0xffffffffbfc00000 +----------------------------+ FDT_VA
 *                      | device tree window (4 MiB) |
 *   0xffffffffc0000000 +----------------------------+ IOREMAP_START
 *                      | MMIO mappings (UART, ...)  |
 *   0xfffffffffffff000 +----------------------------+ IOREMAP_END
 *
 * The linear map keeps virtual and physical addresses congruent modulo
 * 1 GiB (va = pa + va_pa_offset, offset chosen from the lowest RAM
 * address rounded down to 1 GiB), so the largest leaves always fit.
 */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

#include "mm/types.h"

#define VMALLOC_START 0xffffffc000000000UL
#define VMALLOC_END 0xffffffd000000000UL
/* The vmalloc arena is [VMALLOC_START, MMU_SCRATCH_START); the last
 * gigabyte of the region belongs to the mmu self-test and bench=mmu. */
#define MMU_SCRATCH_START 0xffffffcfc0000000UL
#define MMU_SCRATCH_SIZE (VMALLOC_END - MMU_SCRATCH_START)
#define PAGE_OFFSET 0xffffffd800000000UL
#define LINEAR_END 0xfffffff800000000UL
#define LINEAR_MAX_SIZE (LINEAR_END - PAGE_OFFSET)
#define EARLY_IO_VA 0xffffffff00000000UL
#define EARLY_IO_SLOTS 2
#define KERNEL_VA 0xffffffff80000000UL
#define FDT_VA 0xffffffffbfc00000UL
#define FDT_WINDOW_SIZE (4UL << 20)
#define IOREMAP_START 0xffffffffc0000000UL
#define IOREMAP_END 0xfffffffffffff000UL

#endif /* MM_LAYOUT_H */
