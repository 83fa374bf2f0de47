// SPDX-License-Identifier: BSD-2-Clause
/*
 * Allocator event tracing (see mm/trace.h for the events and lines).
 *
 * State: one mask word, read with a relaxed load at every event site
 * and written only here. No lock: a line printed from under an
 * allocator's lock takes printk_lock, a leaf. Nothing here allocates.
 */
#include "mm/trace.h"

#include "lib/fmt.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/fail_alloc.h"
#include "mm/slab.h"

/* Read at every event site, written only by mm_trace_set(); it starts
 * a cache line of its own. */
unsigned int mm_trace_mask __attribute__((aligned(64)));

void mm_trace_set(unsigned int mask)
{
	__atomic_store_n(&mm_trace_mask, mask & MM_TRACE_ALL, __ATOMIC_RELAXED);
	/* The page allocator's entries go out of line for page lines. */
	buddy_set_trace_frees(mask & MM_TRACE_PAGES);
	if (mask & MM_TRACE_PAGES)
		__atomic_or_fetch(&fail_alloc_armed, FAIL_ALLOC_TRACE,
				  __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&fail_alloc_armed, ~FAIL_ALLOC_TRACE,
				   __ATOMIC_RELAXED);
	buddy_pcp_sync_kernel();
}

unsigned int mm_trace_get(void)
{
	return __atomic_load_n(&mm_trace_mask, __ATOMIC_RELAXED);
}

/*
 * "4K", "20K", "2M", "1G": a block of `pages` pages in the largest unit
 * that divides it exactly (Fibonacci and weighted sizes are not powers
 * of two: 5 pages are "20K", 987 are "3948K").
 */
static const char *size_str(char *buf, size_t len, uint64_t pages)
{
	uint64_t bytes = pages * PAGE_SIZE;

	if (bytes % SZ_1G == 0)
		fmt_snprintf(buf, len, "%luG", (unsigned long)(bytes >> 30));
	else if (bytes % SZ_1M == 0)
		fmt_snprintf(buf, len, "%luM", (unsigned long)(bytes >> 20));
	else
		fmt_snprintf(buf, len, "%luK", (unsigned long)(bytes >> 10));
	return buf;
}

void __trace_buddy_split(const struct page *block, uint64_t whole,
			 uint64_t left, uint64_t right)
{
	char w[24], l[24], r[24];

	printk("buddy: split %s at 0x%lx -> %s + %s\n",
	       size_str(w, sizeof(w), whole),
	       (unsigned long)pfn_to_paddr(page_to_pfn(block)),
	       size_str(l, sizeof(l), left), size_str(r, sizeof(r), right));
}

void __trace_buddy_merge(const struct page *lower, uint64_t left,
			 uint64_t right, uint64_t whole)
{
	char l[24], r[24], w[24];

	printk("buddy: merge %s + %s at 0x%lx -> %s\n",
	       size_str(l, sizeof(l), left), size_str(r, sizeof(r), right),
	       (unsigned long)pfn_to_paddr(page_to_pfn(lower)),
	       size_str(w, sizeof(w), whole));
}

static const char *const slab_state_names[KMEM_NR_SLAB_STATES] = {
	[KMEM_SLAB_FULL] = "full",
	[KMEM_SLAB_PARTIAL] = "partial",
	[KMEM_SLAB_EMPTY] = "empty",
	[KMEM_SLAB_QUARANTINED] = "quarantined",
};

static const char *slab_state_name(unsigned int s)
{
	return s < KMEM_NR_SLAB_STATES ? slab_state_names[s] : "?";
}

void __trace_slab_grow(const char *cache, const void *slab, unsigned int order,
		       unsigned int objs)
{
	printk("slab: grow %s slab 0x%lx order %u objs %u\n", cache,
	       (unsigned long)slab, order, objs);
}

void __trace_slab_state(const char *cache, const void *slab, unsigned int from,
			unsigned int to)
{
	printk("slab: %s slab 0x%lx %s -> %s\n", cache, (unsigned long)slab,
	       slab_state_name(from), slab_state_name(to));
}

void __trace_slab_release(const char *cache, const void *slab,
			  unsigned int order)
{
	printk("slab: release %s slab 0x%lx order %u\n", cache,
	       (unsigned long)slab, order);
}

void __trace_vmalloc_create(vaddr_t addr, size_t size, unsigned int pages,
			    bool vmap)
{
	printk("vmalloc: create [0x%016lx-0x%016lx] size %zu pages %u %s\n",
	       (unsigned long)addr, (unsigned long)(addr + size - 1), size,
	       pages, vmap ? "vmap" : "vmalloc");
}

void __trace_vmalloc_purge(size_t areas, size_t pages, size_t tables)
{
	printk("vmalloc: purge %zu areas %zu pages %zu table pages\n", areas,
	       pages, tables);
}

void __trace_page_alloc(const struct page *page, unsigned int pages)
{
	printk("page: alloc 0x%lx %u\n", (unsigned long)page_to_pfn(page),
	       pages);
}

void __trace_page_free(const struct page *page)
{
	printk("page: free 0x%lx\n", (unsigned long)page_to_pfn(page));
}
