/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What an order costs under the page allocator's policy (buddy=), for
 * the self-tests and benches that count pages: alloc_pages(gfp, order)
 * returns a block of the policy's smallest size class of at least
 * 2^order pages (binary: exactly 2^order, aligned to its size; the
 * others: 1, 2, 3, 5, 8, ... or 1, 2, 3, 4, 6, 8, ... pages, aligned to
 * a page only). Every free page count a test expects goes through here,
 * so that it holds under every policy instead of assuming 2^order.
 */
#ifndef KERNEL_SELFTESTS_BLOCK_PAGES_H
#define KERNEL_SELFTESTS_BLOCK_PAGES_H

#include <stdint.h>

#include "mm/buddy.h"
#include "mm/buddy_policy.h"

/* The size class alloc_pages(order) takes (binary: the order itself). */
static inline unsigned int order_class(unsigned int order)
{
	return buddy_policy_class_for(buddy_active_policy(), 1ULL << order);
}

/* Pages in the block alloc_pages(gfp, order) returns. */
static inline uint64_t order_block_pages(unsigned int order)
{
	return buddy_class_pages(order_class(order));
}

/* Pages in the smallest class that holds `pages`; 0 if none does. */
static inline uint64_t fit_block_pages(uint64_t pages)
{
	unsigned int c = buddy_policy_class_for(buddy_active_policy(), pages);

	return c == BUDDY_CLASS_NONE ? 0 : buddy_class_pages(c);
}

#endif /* KERNEL_SELFTESTS_BLOCK_PAGES_H */
