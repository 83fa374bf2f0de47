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
	paddr_t pa_start; /* physical load address */
	vaddr_t text_start, text_end; /* R+X */
	vaddr_t rodata_start, rodata_end; /* R */
	vaddr_t data_start, data_end; /* RW (data and bss) */
	vaddr_t guard_start, guard_end; /* boot stack guard page */
	vaddr_t guard2_start, guard2_end; /* trap stack guard page */
	vaddr_t end; /* end of the image */
	paddr_t fdt_pa; /* device tree blob */
};

/*
 * Early boot, still on the boot tables (whose root the caller passes as a
 * pointer): map the 1 GiB region holding MMIO address pa in one of the
 * EARLY_IO_SLOTS gigapage slots at EARLY_IO_VA and return the virtual
 * address of pa (NULL when the slots are used up). Lets the console and
 * the poweroff device work before the final tables exist.
 */
void *kspace_early_ioremap(pte_t *boot_root, paddr_t pa);

/*
 * Early boot, before the memory map exists: map the RAM [pa, pa + size)
 * at its future linear-map address (the linear map starting at physical
 * linear_base), with gigapages in the boot root as
 * kspace_early_linear_map() will, and return that address. For the
 * memory map's own tables (struct memmap_boot's map_tables).
 */
void *kspace_early_map_ram(pte_t *boot_root, paddr_t pa, uint64_t size,
			   paddr_t linear_base);

/*
 * Early boot: choose va_pa_offset from the lowest usable address and map
 * every 1 GiB region that holds usable RAM with a gigapage in the boot
 * root, so memblock pages can be written through phys_to_virt() while
 * the final tables are built. Ranges beyond LINEAR_MAX_SIZE from the
 * lowest RAM, or beyond the BUDDY_MAX_RANGES ranges the page allocator
 * holds, are dropped from the map with a warning (memmap_fit_linear(),
 * memmap_fit_ranges()). Returns the number of bytes dropped.
 */
uint64_t kspace_early_linear_map(pte_t *boot_root, struct memmap *map);

/*
 * Build the final kernel tables from memblock pages: linear map of every
 * usable range (no-map regions left out) with the largest leaves, the
 * image with W^X, the FDT window; then switch to them. The linear map
 * must already be reachable (early gigapage map). Panics on failure.
 */
void kspace_init(const struct memmap *map, const struct kspace_image *img);

/*
 * After kspace_init(): move a mapping made by kspace_early_ioremap() to a
 * page-granular ioremap() mapping and return the new address.
 */
void *kspace_ioremap_move(void *early_va, size_t size);
/* Drop the early MMIO gigapages (after every user has moved). */
void kspace_early_io_drop(void);

/*
 * The live kernel page table, shared by every hart: use it only through
 * the pt_* functions, which take its lock (mm/pgtable.h).
 */
struct pgtable *kspace_pgtable(void);

/*
 * Page-table page allocator for the live tables: memblock before the
 * buddy allocator is up, buddy pages after kspace_use_buddy() (which
 * sets the valid-entry counter in each table page's struct page).
 */
const struct pt_alloc *kspace_pt_alloc(void);
void kspace_use_buddy(void);

/*
 * Map MMIO [pa, pa + size) read/write, device, not executable, in the
 * IOREMAP area; returns the virtual address of pa or NULL. Any hart may
 * call it (the cursor has its own lock).
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
