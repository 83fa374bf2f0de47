// SPDX-License-Identifier: BSD-2-Clause
/*
 * The page allocator's address and exact-size calls, layered on the
 * page calls of mm/buddy.c: __get_free_pages(), get_zeroed_page(),
 * free_pages(), alloc_pages_exact() and free_pages_exact() (documented
 * in mm/buddy.h).
 *
 * Theory of operation
 * -------------------
 * An address is a linear-map address (mm/linear.h): the page is found
 * by pfn_to_page() of its physical address, after the address is
 * checked to be page aligned and RAM; anything else is reported as a
 * refused free (mm/buddy_report.c) and nothing changes.
 *
 * An exact allocation of n pages takes the smallest block that holds
 * them. Under binary that is 2^order pages; the block is made 2^order
 * allocated single pages (split_block(), Linux's split_page()) and the
 * pages past n are freed again, one by one, so that they merge back
 * into the zone. free_pages_exact() then frees the n pages one by one,
 * each checked as any order-0 free is. Under the other policies
 * (buddy=, mm/buddy_classes.c) there is a class of about n pages: the
 * block of that class is allocated and freed whole, and the pages past
 * n stay with it (the internal fragmentation the policy trades).
 *
 * page_trace names an exact allocation once, with its n pages, and its
 * free once, when every page of it was given back.
 *
 * Invariants and locking: those of mm/buddy.c. split_block() rewrites
 * the allocator's state in the block's descriptors under the zone lock
 * (I3, I8: the block stays allocated throughout); everything else goes
 * through mm/buddy.c's calls, which take their own locks.
 *
 * Failure modes: those of the calls underneath: NULL and the failure
 * line for an allocation (also for a size larger than the largest
 * block), and a BUG line for a refused free.
 */
#include "mm/buddy.h"

#include "mm/buddy_internal.h"
#include "mm/fail_alloc.h"
#include "mm/linear.h"
#include "mm/trace.h"

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/*
 * The descriptor of the page at linear-map address addr (not 0) for a
 * free of `order`; NULL, after the report, if addr is not page aligned
 * or not RAM.
 */
static struct page *free_addr_page(unsigned long addr, unsigned int order,
				   uintptr_t caller)
{
	pfn_t pfn = paddr_to_pfn(virt_to_phys((const void *)addr));
	struct page *page;

	if (unlikely(addr & (PAGE_SIZE - 1))) {
		buddy_report(BUDDY_BUG_UNALIGNED, pfn, order, caller, " 0x%lx",
			     addr);
		return NULL;
	}
	page = pfn_to_page(pfn);
	if (unlikely(!page))
		buddy_report(BUDDY_BUG_NOT_RAM, pfn, order, caller,
			     " (address 0x%lx)", addr);
	return page;
}

void free_pages(unsigned long addr, unsigned int order)
{
	struct page *page;

	if (addr == 0)
		return;
	page = free_addr_page(addr, order, RET_IP);
	if (page)
		buddy_free_pages_caller(page, order, RET_IP);
}

/* ------------------------------------------------ exact allocations */

/*
 * Binary: make the allocated block of `order` at page 2^order allocated
 * single pages (Linux's split_page()), under the zone lock that
 * protects the allocator's state in their descriptors.
 */
static void split_block(struct page *page, unsigned int order)
{
	struct zone *z = buddy_ranges[page->range].zone;
	unsigned long irq = spin_lock_irqsave(&z->lock);

	for (pfn_t i = 0; i < buddy_block_pages(order); i++) {
		page[i].order = 0;
		page[i].private = 0;
		buddy_set_page_flags(&page[i], PG_head);
	}
	spin_unlock_irqrestore(&z->lock, irq);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	uint64_t pages = DIV_ROUND_UP((uint64_t)size, PAGE_SIZE);
	unsigned int cls, order = get_order(size ? size : 1);
	struct page *page;

	if (size == 0)
		return NULL;
	if (unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED)) &&
	    should_fail_alloc_page(gfp, order))
		return NULL;
	if (pages > buddy_class_size(MAX(buddy.nr_classes, 1u) - 1)) {
		buddy_alloc_failed(gfp, order);
		return NULL;
	}
	if (buddy.binary) {
		page = buddy_alloc_pages_untraced(gfp, order);
		if (page && order) {
			split_block(page, order);
			for (pfn_t i = pages; i < buddy_block_pages(order); i++)
				buddy_free_block(&buddy_ranges[page->range],
						 page + i, 0, 0, true, RET_IP);
		}
	} else {
		cls = buddy_policy_class_for(&buddy.policy, pages);
		page = cls ? buddy_alloc_class(gfp, cls)
			   : buddy_alloc_pages_untraced(gfp, 0);
	}
	if (!page)
		return NULL;
	trace_page_alloc(page, (unsigned int)pages);
	return page_address(page);
}

void free_pages_exact(void *addr, size_t size)
{
	uint64_t pages = DIV_ROUND_UP((uint64_t)size, PAGE_SIZE);
	uintptr_t caller = RET_IP;
	struct page *page, *first;
	unsigned int cls;
	bool done = true;

	if (!addr)
		return;
	first = free_addr_page((unsigned long)addr, get_order(size), caller);
	if (!first)
		return;
	if (buddy.binary || pages <= 1) {
		/* Single pages (split_block), each checked as it is freed. */
		for (uint64_t i = 0; i < MAX(pages, (uint64_t)1); i++) {
			page = free_addr_page(
				(unsigned long)addr + i * PAGE_SIZE, 0, caller);
			done &= page &&
				buddy_free_block(&buddy_ranges[page->range],
						 page, 0, 0, buddy.binary,
						 caller);
		}
	} else {
		cls = buddy_policy_class_for(&buddy.policy, pages);
		done = buddy_free_block(
			&buddy_ranges[first->range], first,
			cls < buddy.nr_classes ? buddy.class_order[cls]
					       : MAX_ORDER + 1,
			cls < buddy.nr_classes ? cls : BUDDY_NR_CLASSES, false,
			caller);
	}
	if (done)
		trace_page_free(first);
}
