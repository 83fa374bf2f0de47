/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation fault injection, Linux's fail_page_alloc and failslab
 * (lib/fault_inject.h has the four fields and their meaning).
 *
 *   fail_page_alloc  alloc_pages() and everything built on it fails
 *                    before it looks at a free list; size is 2^order
 *                    pages (so space counts pages, as in Linux).
 *   failslab         kmem_cache_alloc() and kmalloc() of a slab size
 *                    fail before they take from a magazine; size is the
 *                    cache's object size in bytes.
 *
 * Filters, with Linux's debugfs names (but off by default, so that
 * injection reaches GFP_KERNEL callers, which here are nearly all):
 *   page.ignore_gfp_wait   callers with __GFP_RECLAIM are never failed
 *   page.min_order         orders below it are never failed
 *   slab.ignore_gfp_wait   as for pages, for slab allocations
 * (Linux's ignore-gfp-highmem has nothing to filter: there is no highmem.)
 *
 * An injected failure returns NULL at once: no "page allocation
 * failure" line, no drain, no slab shrink, as in Linux.
 *
 * Cost when off: the out-of-line entries test one read-mostly word,
 * fail_alloc_armed, and call the decision only when it is set. The
 * inline GFP_KERNEL page and slab paths test nothing: whoever changes
 * the word calls buddy_pcp_sync_kernel() (mm/buddy_fast.h), which gives
 * every hart an empty page list while any bit is set and the empty
 * slab magazine slot while failslab is, so that they go out of line.
 */
#ifndef MM_FAIL_ALLOC_H
#define MM_FAIL_ALLOC_H

#include <stdbool.h>

#include "lib/fault_inject.h"
#include "lib/kernel.h"
#include "mm/gfp.h"

#define FAIL_ALLOC_PAGE 0x1u /* fail_alloc_armed: pages */
#define FAIL_ALLOC_SLAB 0x2u /* fail_alloc_armed: slab */
/*
 * fail_alloc_armed: page_trace (mm/trace.h) is on. It shares the word so
 * that the page allocator's entries test one word for all of their
 * out-of-line hooks; mm_trace_set() owns the bit, and the functions
 * below leave it as it is.
 */
#define FAIL_ALLOC_TRACE 0x4u

struct fail_alloc_filters {
	bool page_ignore_gfp_wait;
	unsigned int page_min_order;
	bool slab_ignore_gfp_wait;
};

extern struct fault_attr fail_page_alloc;
extern struct fault_attr failslab;
extern struct fail_alloc_filters fail_alloc_filters;
/* FAIL_ALLOC_* bits of the injectors that are armed; read-mostly. */
extern unsigned int fail_alloc_armed;

/*
 * Arm (or, with false, disarm) every configured injector with a
 * probability above 0. Until then nothing is injected (the kernel arms
 * injection after boot: boot-time allocations must not fail).
 */
void fail_alloc_arm(bool on);

/*
 * Hold injection off for a while: returns the armed bits to give back
 * to fail_alloc_restore(). For self-tests whose subject is not an
 * allocation failure (a deliberate corruption that must be detected and
 * cleaned up), where a refused allocation midway would leave damage.
 */
unsigned int fail_alloc_hold(void);
void fail_alloc_restore(unsigned int armed);

/* The out-of-line decisions; callers test fail_alloc_armed first. */
bool should_fail_alloc_page(gfp_t gfp, unsigned int order);
bool should_failslab(unsigned long object_size, gfp_t gfp);

#endif /* MM_FAIL_ALLOC_H */
