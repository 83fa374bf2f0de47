/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What mm/vmalloc.c (areas: build, lazy free, the API),
 * mm/vmalloc_purge.c (the purge and the ring of purged areas),
 * mm/vmalloc_info.c (vmallocinfo, vmalloc_describe, statistics) and
 * mm/vmalloc_check.c (vmalloc_check) share: the area descriptor, the
 * state under vmalloc_lock, and the lookups. The theory of operation,
 * the invariants V1..V8 and the locking rules are in mm/vmalloc.c. Not
 * for other users: the public API is mm/vmalloc.h.
 */
#ifndef MM_VMALLOC_INTERNAL_H
#define MM_VMALLOC_INTERNAL_H

#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/pgtable.h"
#include "mm/vmalloc.h"
#include "mm/vmem.h"

#define VM_ALLOC 0x1u /* frames from vmalloc, freed by vfree */
#define VM_MAP 0x2u /* caller's pages from vmap, unmapped by vunmap */
#define VM_LAZY 0x4u /* freed, on the lazy list until the purge (V8) */
#define VM_BUILDING 0x8u /* being built: its hart's alone (V2) */

#define VMALLOC_PROT (PROT_RW | PROT_GLOBAL)
/*
 * Pages mapped per pt_map_pages() call (one page-table lock each); an
 * area of at most this many pages is built in one vmalloc_lock section.
 */
#define VMALLOC_MAP_BATCH 16
#define VMALLOC_FREED_RING 16

/*
 * Fields are written under vmalloc_lock, except nr_pages and pages,
 * which the hart building the area writes alone while VM_BUILDING is
 * set (nobody else reads them then).
 */
struct vm_area {
	vaddr_t addr; /* first mapped byte */
	size_t size; /* mapped bytes; the guard page follows */
	uintptr_t caller; /* return address of vmalloc/vmap's caller */
	uintptr_t freer; /* VM_LAZY: return address of vfree's caller */
	unsigned int nr_pages;
	unsigned int flags; /* VM_ALLOC or VM_MAP; VM_BUILDING, VM_LAZY */
	struct list_head pages; /* VM_ALLOC: frames, via page->lru (V3) */
	struct vm_area *next; /* on the pool's free list, or the lazy list */
};

struct vm_freed {
	vaddr_t addr;
	size_t size;
	uintptr_t caller, freer;
	unsigned int nr_pages;
	unsigned int flags;
};

/* Everything here is protected by vmalloc_lock (see "Locking"). */
extern spinlock_t vmalloc_lock;
struct vmalloc_state {
	bool ready; /* also read unlocked (atomic): is_vmalloc_addr */
	struct pgtable *pt;
	vaddr_t start, end;
	struct vmem arena; /* serialised by vmalloc_lock (outer lock) */
	/* Area descriptor pool (V7). */
	struct vm_area *free_areas;
	size_t areas_total, areas_free, areas_building;
	struct list_head pool_pages; /* buddy pages of the pool, via lru */
	size_t pool_npages;
	/* Lazily freed areas and their pending TLB work (V8). */
	struct vm_area *lazy;
	struct pt_gather gather;
	struct vm_freed freed[VMALLOC_FREED_RING];
	unsigned int freed_next;
	struct vmalloc_stats st; /* meta_pages and lazy_tables computed */
};
extern struct vmalloc_state vmalloc_state;

static inline paddr_t page_paddr(const struct page *page)
{
	return pfn_to_paddr(page_to_pfn(page));
}

static inline uint32_t frame_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static inline bool vm_ready(void)
{
	return __atomic_load_n(&vmalloc_state.ready, __ATOMIC_ACQUIRE);
}

static inline const char *area_kind(unsigned int flags)
{
	return flags & VM_MAP ? "vmap" : "vmalloc";
}

/*
 * The published area (live or lazy) whose guard-inclusive range holds
 * va, or NULL (also for one being built). vmalloc_lock held: the
 * descriptor stays valid while it is.
 */
struct vm_area *vmalloc_area_find(vaddr_t va);

/*
 * The newest freed area whose guard-inclusive range holds va, from the
 * ring of the last VMALLOC_FREED_RING purged areas. vmalloc_lock held.
 */
const struct vm_freed *vmalloc_freed_find(vaddr_t va);

/*
 * Print the one BUG line for a refused vfree/vunmap (fn) of va, called
 * from caller: what lies at va (a live area, a lazily freed one, a
 * purged one from the ring, or nothing) and why it is refused. Counts
 * it in the statistics. vmalloc_lock held.
 */
void vmalloc_report_bad_free(const char *fn, vaddr_t va, uintptr_t caller,
			     const char *why);

/* Pages of metadata: arena refills and descriptor pool. Locked. */
size_t vmalloc_meta_pages(void);

/* Return descriptor a to the pool. vmalloc_lock held. */
void vmalloc_area_free(struct vm_area *a);

/*
 * Give back the frames of vmalloc area a (unmapped and shot down): each
 * leaves its page list, loses PG_vmalloc and goes back to buddy.
 */
void vmalloc_free_frames(struct vm_area *a);

/*
 * The purge (mm/vmalloc_purge.c; mm/vmalloc.c, "Lazy free"): one
 * shootdown for every lazily freed area, then their table pages,
 * frames, ranges and descriptors go back, and the newest
 * VMALLOC_FREED_RING of them go into the freed ring. vmalloc_lock held.
 */
void vmalloc_purge_locked(void);

#endif /* MM_VMALLOC_INTERNAL_H */
