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
 * demand and unlinked when emptied.
 *
 * Lazy freeing (as Linux's lazy vunmap). vfree() and vunmap() clear the
 * area's page-table entries and fence only the calling hart's TLB, so a
 * use after free on that hart faults at once (reported as "freed
 * area"). Other harts may still hold translations of the area, so it
 * goes on a lazy-purge list instead of being released: its address
 * range stays allocated, its frames (vmalloc) stay owned by vmalloc and
 * any page-table page its unmap emptied stays held. A purge then does
 * ONE arch_tlb_shootdown() for every lazily freed area together (a
 * range covering them all, or everything) and only after it gives the
 * frames and table pages back to the buddy allocator and the ranges to
 * the arena. So a freed range, and the frames and table pages behind
 * it, become reusable exactly when the next purge ends, which happens:
 *   - in the vfree/vunmap that brings the lazily held address space
 *     past VMALLOC_LAZY_MAX_BYTES (guard pages included) or the held
 *     frames plus table pages past VMALLOC_LAZY_MAX_PAGES;
 *   - in vmalloc/vmap when the arena finds no range, or when frames or
 *     table pages run out (then the allocation is retried once);
 *   - in vmalloc_purge() (tests call it before counting free pages);
 *   - in vmalloc_destroy().
 * vmap's pages belong to its caller again when vunmap returns, as in
 * Linux: another hart can reach them through a stale translation only
 * by using the unmapped address (a use-after-vunmap bug). A caller
 * about to hand such pages to something that must not be reachable that
 * way calls vmalloc_purge() first.
 *
 * Locking: all functions may be called from any hart, but not from an
 * interrupt handler: there vmalloc, vmap, vfree, vunmap and
 * vmalloc_purge print "BUG: <fn>: called from an interrupt handler
 * (caller 0x...), refused" and do nothing (a refused free leaks). They
 * serialise on vmalloc's lock for metadata
 * and take the arena, page-table and buddy locks below it. Building an
 * area's mappings and frames runs outside vmalloc's lock. See
 * mm/vmalloc.c for the order.
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
 * Release every area, lazily freed ones included (frames of vmalloc
 * areas go back to the buddy allocator, vmap areas are only unmapped),
 * every metadata page, and forget the range: everything returns to the
 * state before vmalloc_init(). For host tests and self-tests that start
 * over; no other hart may use vmalloc meanwhile.
 */
void vmalloc_destroy(void);

/*
 * Lazy-purge limits (see above). 32 MiB of address space is Linux's
 * lazy_max_pages() for one CPU; the arena is 63 GiB, so this bounds the
 * lazy list (and the purge's work), not address-space use. 1024 pages
 * (4 MiB) of frames and table pages bound the memory that a free does
 * not give back at once: 1.6 % of the smallest 256 MiB machine, and
 * still 256 four-page vfrees or four 1 MiB ones per shootdown.
 */
#define VMALLOC_LAZY_MAX_BYTES (32UL << 20)
#define VMALLOC_LAZY_MAX_PAGES 1024UL

/*
 * Purge now: one arch_tlb_shootdown() covering every lazily freed area
 * (none when there is none), then their frames and page-table pages go
 * back to the buddy allocator and their ranges to the arena.
 */
void vmalloc_purge(void);

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
 * Free an area from vmalloc(): unmap it and fence this hart's TLB; its
 * range, frames and any emptied page-table pages are released by the
 * next purge (see above), which this call may run. NULL is ignored.
 * An address that is not the start of a vmalloc area (inside an area,
 * a freed area, lazily freed or not, a vmap area, outside the range) is
 * reported with one "BUG: vfree: ..." line naming what lies there, and
 * nothing is freed.
 */
void vfree(const void *addr);

/*
 * Map count pages (anywhere in RAM, in this order) at a new virtually
 * contiguous address with prot (PROT_READ required; PROT_WRITE with
 * PROT_EXEC refused). The pages stay owned by the caller. NULL on bad
 * arguments or when the range or page-table memory is exhausted.
 */
void *vmap(struct page **pages, unsigned int count, unsigned int prot);

/*
 * Unmap an area from vmap() (lazily, like vfree: the range is released
 * by the next purge; the pages are the caller's at once); misuse is
 * reported like vfree's.
 */
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
 *    (freed by 0x...)"          (a lazily freed area, or one from a ring
 *                                of recently freed areas)
 *   "vmalloc area [0x...-0x...] size <n> pages <p> caller 0x... inside area"
 *   "vmalloc range, no area"
 * with "vmap area" instead of "vmalloc area" for vmap(). The range is the
 * mapped part, inclusive; size excludes the guard page. An area still
 * being built by vmalloc/vmap on another hart reads as "no area". When
 * the calling hart holds vmalloc's or the arena's lock (a fault inside
 * vmalloc itself) the text is "vmalloc range (vmalloc locked by this
 * hart)" instead of a deadlock.
 */
bool vmalloc_describe(vaddr_t va, char *buf, size_t len);

/*
 * Print one line per area in address order,
 *   "vmallocinfo: [0x...-0x...] size <n> pages <p> caller 0x... vmalloc"
 * (or "vmap"; a lazily freed area adds " lazily freed by 0x..."), then
 *   "vmallocinfo: <a> areas, <p> pages, <v> vmap pages, <m> metadata
 *    pages, lazily freed <l> areas <lp> pages <lt> table pages".
 */
void vmallocinfo_print(void);

/* One area as vmallocinfo_walk() reports it. */
struct vmallocinfo_area {
	vaddr_t addr; /* first mapped byte */
	size_t size; /* bytes mapped, guard page excluded */
	unsigned int nr_pages;
	uintptr_t caller;
	uintptr_t freer; /* who freed it, when lazy */
	bool vmap; /* vmap() rather than vmalloc() */
	bool lazy; /* freed, waiting for the purge */
};
/*
 * Call fn(area, arg) for every published area in address order (the
 * lines vmallocinfo_print() prints), under vmalloc's lock: fn may print
 * but must not call into vmalloc.
 */
void vmallocinfo_walk(void (*fn)(const struct vmallocinfo_area *a, void *arg),
		      void *arg);

struct vmalloc_stats {
	size_t nr_areas; /* live areas, vmalloc and vmap */
	size_t nr_pages; /* frames backing live vmalloc areas */
	size_t vmap_pages; /* pages mapped by live vmap areas */
	size_t meta_pages; /* buddy pages held for descriptors */
	size_t lazy_areas; /* freed areas waiting for a purge */
	size_t lazy_pages; /* frames those of them from vmalloc still hold */
	size_t lazy_tables; /* page-table pages their unmaps hold */
	size_t lazy_bytes; /* address space they hold, guard pages included */
	uint64_t purges; /* purges done (each one shootdown) */
	uint64_t bugs; /* refused vfree/vunmap calls */
	uint64_t failures; /* failed vmalloc/vmap calls */
};
void vmalloc_get_stats(struct vmalloc_stats *st);

/*
 * Check invariants V1..V8 of mm/vmalloc.c (arena, descriptors, frames,
 * mappings, guard pages, lazily freed areas); print one
 * "vmalloc_check: ..." line per violation and return the count.
 * O(pages of every area + tables in the range). Areas being built on
 * other harts meanwhile are skipped.
 */
int vmalloc_check(void);

#endif /* MM_VMALLOC_H */
