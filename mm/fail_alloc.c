// SPDX-License-Identifier: BSD-2-Clause
/*
 * fail_page_alloc and failslab (see mm/fail_alloc.h): the two fault_attr
 * instances, their filters, and the decisions the allocators call.
 *
 * Configuration (fault_attr_parse(), the filters) is written by the boot
 * hart before fail_alloc_arm(); afterwards only the attrs' own state
 * changes, under their locks. fail_alloc_armed is written by
 * fail_alloc_arm() alone and read with relaxed loads on the allocators'
 * entries: a hart that sees the old value for a moment lets one more
 * call through, or asks an attr that then decides as configured. The
 * page allocator's inline GFP_KERNEL path reads no armed word: every
 * change here tells it (buddy_pcp_sync_kernel(), mm/buddy_fast.h).
 */
#include "mm/fail_alloc.h"

#include "mm/buddy.h"

struct fault_attr fail_page_alloc = FAULT_ATTR_INIT("fail_page_alloc");
struct fault_attr failslab = FAULT_ATTR_INIT("failslab");
struct fail_alloc_filters fail_alloc_filters;
unsigned int fail_alloc_armed;

void fail_alloc_arm(bool on)
{
	unsigned int bits = 0;

	if (on && fail_page_alloc.configured && fail_page_alloc.probability)
		bits |= FAIL_ALLOC_PAGE;
	if (on && failslab.configured && failslab.probability)
		bits |= FAIL_ALLOC_SLAB;
	__atomic_and_fetch(&fail_alloc_armed, FAIL_ALLOC_TRACE,
			   __ATOMIC_RELAXED);
	__atomic_or_fetch(&fail_alloc_armed, bits, __ATOMIC_RELAXED);
	buddy_pcp_sync_kernel();
}

unsigned int fail_alloc_hold(void)
{
	unsigned int armed = __atomic_fetch_and(
		&fail_alloc_armed, FAIL_ALLOC_TRACE, __ATOMIC_RELAXED);

	buddy_pcp_sync_kernel();
	return armed & ~FAIL_ALLOC_TRACE;
}

void fail_alloc_restore(unsigned int armed)
{
	__atomic_or_fetch(&fail_alloc_armed, armed & ~FAIL_ALLOC_TRACE,
			  __ATOMIC_RELAXED);
	buddy_pcp_sync_kernel();
}

bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	if (!(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED) &
	      FAIL_ALLOC_PAGE))
		return false;
	if (order < fail_alloc_filters.page_min_order)
		return false;
	if (fail_alloc_filters.page_ignore_gfp_wait && (gfp & __GFP_RECLAIM))
		return false;
	return fault_should_fail(&fail_page_alloc, 1UL << order);
}

bool should_failslab(unsigned long object_size, gfp_t gfp)
{
	if (!(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED) &
	      FAIL_ALLOC_SLAB))
		return false;
	if (fail_alloc_filters.slab_ignore_gfp_wait && (gfp & __GFP_RECLAIM))
		return false;
	return fault_should_fail(&failslab, object_size);
}
