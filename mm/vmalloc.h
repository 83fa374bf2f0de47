/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vmalloc: virtually contiguous kernel memory backed by order-0 frames
 * that need not be physically contiguous, with Linux's names and meaning.
 *
 * Each area is [addr, addr + size) mapped read+write, not executable,
 * followed by one unmapped guard page:
 *
 *   addr                      addr + size     addr + size + PAGE_SIZE
 *   | page 0 | page 1 | ... | page n-1 | guard (never mapped) |
 *
 * Addresses come from a vmem arena (mm/vmem.h) over the range given to
 * vmalloc_init(); frames from the buddy allocator; mappings through the
 * page-table API (mm/pgtable.h), whose table pages are allocated on
 * demand and freed when emptied. Single hart, no locks yet.
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/types.h"

/*
 * Manage [start, end) of the address space of pt (tables come from
 * pt->alloc). The kernel passes kspace_pgtable() and VMALLOC_START,
 * VMALLOC_END - 1 GiB (the top 1 GiB is the MMU self-test's scratch
 * area); host tests pass their own table. The buddy allocator must be
 * up. May be called again after vmalloc_destroy() (host tests).
 * Errors: -EINVAL (range empty, not page aligned or not canonical),
 * -EBUSY (already initialised), -ENOMEM.
 */
int vmalloc_init(struct pgtable *pt, vaddr_t start, vaddr_t end);

/*
 * Release every area (frames of vmalloc areas go back to the buddy
 * allocator, vmap areas are only unmapped), every metadata page, and
 * forget the range: everything returns to the state before
 * vmalloc_init(). For host tests and self-tests that start over.
 */
void vmalloc_destroy(void);

/*
 * Allocate size bytes (rounded up to pages) of virtually contiguous
 * memory, read+write and not executable; the return address of the
 * caller is recorded for vmallocinfo and fault reports. NULL (with one
 * rate-limited "vmalloc: allocation failure" line) when size is 0, the
 * address range or the memory is exhausted, or vmalloc is not
 * initialised; nothing is left allocated on failure.
 */
void *vmalloc(size_t size);
/* vmalloc() with the memory zeroed. */
void *vzalloc(size_t size);
/*
 * vmalloc() with allocation flags for the frames: __GFP_ZERO zeroes,
 * __GFP_NOWARN silences the failure line, __GFP_DMA32 takes frames
 * below 4 GiB.
 */
void *__vmalloc(size_t size, gfp_t gfp);

/*
 * Free an area from vmalloc(): unmap it (fencing the TLB), then give
 * its frames and any emptied page-table pages back. NULL is ignored.
 * An address that is not the start of a vmalloc area (inside an area,
 * a freed area, a vmap area, outside the range) is reported with one
 * "BUG: vfree: ..." line naming what lies there, and nothing is freed.
 */
void vfree(const void *addr);

/*
 * Map count pages (anywhere in RAM, in this order) at a new virtually
 * contiguous address with prot (PROT_READ required; PROT_WRITE with
 * PROT_EXEC refused). The pages stay owned by the caller. NULL on bad
 * arguments or when the range or page-table memory is exhausted.
 */
void *vmap(struct page **pages, unsigned int count, unsigned int prot);

/* Unmap an area from vmap(); misuse is reported like vfree's. */
void vunmap(const void *addr);

/*
 * The frame mapped at a vmalloc or vmap address (any byte of the page),
 * or NULL if addr is not mapped in the vmalloc range.
 */
struct page *vmalloc_to_page(const void *addr);

/* True if addr lies in the range vmalloc manages (mapped or not). */
bool is_vmalloc_addr(const void *addr);

/*
 * For fault reports: if va lies in the vmalloc range, write what is there
 * to buf and return true; false otherwise (buf untouched). The text is
 * one of
 *   "vmalloc area [0x...-0x...] size <n> pages <p> caller 0x... guard page"
 *   "vmalloc area [0x...-0x...] size <n> pages <p> caller 0x... freed area
 *    (freed by 0x...)"          (from a ring of recently freed areas)
 *   "vmalloc area [0x...-0x...] size <n> pages <p> caller 0x... inside area"
 *   "vmalloc range, no area"
 * with "vmap area" instead of "vmalloc area" for vmap(). The range is the
 * mapped part, inclusive; size excludes the guard page.
 */
bool vmalloc_describe(vaddr_t va, char *buf, size_t len);

/*
 * Print one line per area in address order,
 *   "vmallocinfo: [0x...-0x...] size <n> pages <p> caller 0x... vmalloc"
 * (or "vmap"), then "vmallocinfo: <a> areas, <p> pages, <m> metadata
 * pages".
 */
void vmallocinfo_print(void);

struct vmalloc_stats {
	size_t nr_areas; /* live areas, vmalloc and vmap */
	size_t nr_pages; /* frames backing live vmalloc areas */
	size_t vmap_pages; /* pages mapped by live vmap areas */
	size_t meta_pages; /* buddy pages held for descriptors */
	uint64_t bugs; /* refused vfree/vunmap calls */
	uint64_t failures; /* failed vmalloc/vmap calls */
};
void vmalloc_get_stats(struct vmalloc_stats *st);

/*
 * Check invariants V1..V7 of mm/vmalloc.c (arena, descriptors, frames,
 * mappings and guard pages); print one "vmalloc_check: ..." line per
 * violation and return the count. O(mapped pages + leaves).
 */
int vmalloc_check(void);

#endif /* MM_VMALLOC_H */
