/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocator event tracing: one printk line per event, as it happens,
 * for the memory console's `trace on` (kernel/shell.c) and boot
 * arguments that want the same events. Events and their lines:
 *
 *   buddy    "buddy: split 16K at 0x80400000 -> 8K + 8K"
 *            "buddy: merge 8K + 8K at 0x80400000 -> 16K"
 *            (block sizes, physical address of the block)
 *   slab     "slab: grow <cache> slab 0x<va> order <n> objs <n>"
 *            "slab: <cache> slab 0x<va> <state> -> <state>"
 *              (states: empty, partial, full, quarantined)
 *            "slab: release <cache> slab 0x<va> order <n>"
 *   vmalloc  "vmalloc: create [0x<start>-0x<end>] size <bytes> pages <n>
 *             <vmalloc|vmap>"  (mapped part, inclusive end)
 *            "vmalloc: purge <a> areas <p> pages <t> table pages"
 *   pages    "page: alloc 0x<pfn> <pages>"   (boot argument page_trace)
 *            "page: free 0x<pfn>"
 *            one line per page allocation the page allocator's callers
 *            make (alloc_pages() and the calls built on it, the per-hart
 *            lists' hits included) with the pages asked for, and one per
 *            allocation given back, naming its first pfn: a recorded
 *            trace of the kernel's own requests (harness/record_trace.py
 *            turns it into make buddy-compare's input). Not a console
 *            group: it is armed at boot, before the first allocation.
 *
 * Cost when off: each call site is one load of a read-mostly word and
 * a branch not taken; the formatting is out of line (mm/trace.c). The
 * lines are printed where the event happens, possibly under the
 * allocator's locks (printk_lock is a leaf in every lock order), so a
 * trace line comes out before the result of the call that caused it.
 * The mask is a relaxed atomic: a hart may see a change a little late.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/kernel.h"
#include "mm/types.h"

#define MM_TRACE_BUDDY 0x1u
#define MM_TRACE_SLAB 0x2u
#define MM_TRACE_VMALLOC 0x4u
#define MM_TRACE_PAGES 0x8u
#define MM_TRACE_ALL                                                           \
	(MM_TRACE_BUDDY | MM_TRACE_SLAB | MM_TRACE_VMALLOC | MM_TRACE_PAGES)

/* Which events print (MM_TRACE_* bits); written only by mm_trace_set(). */
extern unsigned int mm_trace_mask;

/* Replace the mask (bits outside MM_TRACE_ALL are dropped). */
void mm_trace_set(unsigned int mask);
unsigned int mm_trace_get(void);

static inline bool mm_trace_enabled(unsigned int what)
{
	return unlikely(__atomic_load_n(&mm_trace_mask, __ATOMIC_RELAXED) &
			what);
}

struct page;

/* Out-of-line halves; call the trace_*() wrappers below. */
void __trace_buddy_split(const struct page *block, uint64_t whole,
			 uint64_t left, uint64_t right);
void __trace_buddy_merge(const struct page *lower, uint64_t left,
			 uint64_t right, uint64_t whole);
void __trace_slab_grow(const char *cache, const void *slab, unsigned int order,
		       unsigned int objs);
void __trace_slab_state(const char *cache, const void *slab, unsigned int from,
			unsigned int to);
void __trace_slab_release(const char *cache, const void *slab,
			  unsigned int order);
void __trace_vmalloc_create(vaddr_t addr, size_t size, unsigned int pages,
			    bool vmap);
void __trace_vmalloc_purge(size_t areas, size_t pages, size_t tables);
void __trace_page_alloc(const struct page *page, unsigned int pages);
void __trace_page_free(const struct page *page);

/*
 * The block of `whole` pages at block is split into `left` + `right`
 * pages (binary: two halves; other policies: mm/buddy_policy.h).
 */
static inline void trace_buddy_split(const struct page *block, uint64_t whole,
				     uint64_t left, uint64_t right)
{
	if (mm_trace_enabled(MM_TRACE_BUDDY))
		__trace_buddy_split(block, whole, left, right);
}

/* Buddies of `left` + `right` pages join into `whole` pages at lower. */
static inline void trace_buddy_merge(const struct page *lower, uint64_t left,
				     uint64_t right, uint64_t whole)
{
	if (mm_trace_enabled(MM_TRACE_BUDDY))
		__trace_buddy_merge(lower, left, right, whole);
}

/* A new slab of 2^order pages holding objs objects (empty). */
static inline void trace_slab_grow(const char *cache, const void *slab,
				   unsigned int order, unsigned int objs)
{
	if (mm_trace_enabled(MM_TRACE_SLAB))
		__trace_slab_grow(cache, slab, order, objs);
}

/* A slab moves between lists (enum kmem_slab_state values). */
static inline void trace_slab_state(const char *cache, const void *slab,
				    unsigned int from, unsigned int to)
{
	if (mm_trace_enabled(MM_TRACE_SLAB))
		__trace_slab_state(cache, slab, from, to);
}

/* A slab's pages go back to the buddy allocator. */
static inline void trace_slab_release(const char *cache, const void *slab,
				      unsigned int order)
{
	if (mm_trace_enabled(MM_TRACE_SLAB))
		__trace_slab_release(cache, slab, order);
}

/* An area (size bytes mapped, guard page not included) goes live. */
static inline void trace_vmalloc_create(vaddr_t addr, size_t size,
					unsigned int pages, bool vmap)
{
	if (mm_trace_enabled(MM_TRACE_VMALLOC))
		__trace_vmalloc_create(addr, size, pages, vmap);
}

/* A purge gives back lazily freed areas, their frames and table pages. */
static inline void trace_vmalloc_purge(size_t areas, size_t pages,
				       size_t tables)
{
	if (mm_trace_enabled(MM_TRACE_VMALLOC))
		__trace_vmalloc_purge(areas, pages, tables);
}

/*
 * A caller got the block at page for a request of `pages` pages (the
 * request, not the block: 2^order for alloc_pages(), the exact count
 * for alloc_pages_exact()).
 */
static inline void trace_page_alloc(const struct page *page, unsigned int pages)
{
	if (mm_trace_enabled(MM_TRACE_PAGES))
		__trace_page_alloc(page, pages);
}

/* A caller gave back the allocation that starts at page (once per
 * allocation, however many blocks the allocator frees for it). */
static inline void trace_page_free(const struct page *page)
{
	if (mm_trace_enabled(MM_TRACE_PAGES))
		__trace_page_free(page);
}

#endif /* MM_TRACE_H */
