/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel address space (layout in mm/layout.h): the live page table,
 * the linear map of RAM, the kernel image with W^X permissions, the
 * device tree window and MMIO mappings.
 */
#ifndef MM_KSPACE_H
#define MM_KSPACE_H

#include "mm/memmap.h"
#include "mm/pgtable.h"

/* The kernel image's sections, as physical and virtual ranges. */
struct kspace_image {
	paddr_t pa_start;	/* physical load address */
	vaddr_t text_start, text_end;	  /* R+X */
	vaddr_t rodata_start, rodata_end; /* R */
	vaddr_t data_start, data_end;	  /* RW (data and bss) */
	vaddr_t guard_start, guard_end;	  /* unmapped stack guard page(s) */
	vaddr_t end;			  /* end of the image */
	paddr_t fdt_pa;			  /* device tree blob */
};

/*
 * Build the final kernel tables from memblock pages: linear map of every
 * usable range (no-map regions left out) with the largest leaves, the
 * image with W^X, the FDT window; then switch to them. The linear map
 * must already be reachable (early gigapage map). Panics on failure.
 */
void kspace_init(const struct memmap *map, const struct kspace_image *img);

/* The live kernel page table. */
struct pgtable *kspace_pgtable(void);

/*
 * Page-table page allocator for the live tables: memblock before the
 * buddy allocator is up, buddy pages after kspace_use_buddy().
 */
const struct pt_alloc *kspace_pt_alloc(void);
void kspace_use_buddy(void);

/*
 * Map MMIO [pa, pa + size) read/write, device, not executable, in the
 * IOREMAP area; returns the virtual address of pa or NULL.
 */
void *ioremap(paddr_t pa, size_t size);

/* Count leaves that are both writable and executable (printing each). */
unsigned int kspace_wx_audit(void);

/*
 * Describe what lies at va for fault reports ("unmapped", "kernel text",
 * "read-only data", "stack guard page", "linear map", "vmalloc: ...").
 */
void kspace_describe(vaddr_t va, char *buf, size_t len);

#endif /* MM_KSPACE_H */
