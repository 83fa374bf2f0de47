/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The order-0 fast paths of alloc_pages() and __free_pages(), inline at
 * the call site, and the few layouts they read. Include mm/buddy.h,
 * never this file: it is that header's tail.
 *
 * Why inline: an order-0 pair on this hart's page list is about twenty
 * loads and stores. Out of line, GCC added a call, a return and a stack
 * frame to each half (-fno-omit-frame-pointer), tested gfp and order at
 * run time, and rebuilt every address and constant on every call. Here
 * a call with a constant order 0 and a gfp without __GFP_ZERO (a test
 * at run time when gfp is not a constant) compiles to the list
 * operation alone, and a loop keeps the constants in registers.
 * Anything else (another order, __GFP_ZERO, fault injection or page_trace armed, an empty list,
 * a list over its bound, a free that is not an allocated order-0 head)
 * calls the complete out-of-line path, buddy_page_alloc() or
 * buddy_page_free() in mm/buddy.c, which repeats the fast path's
 * checks itself: the inline code decides nothing that the out-of-line
 * code does not decide again.
 *
 * The per-hart page list (mm/buddy_pcp.c states its design) is a LIFO
 * stack linked through page->pcp_next, hottest page on top:
 *
 *   buddy_pcp[cpu].zone[z].top -> page -> page -> ... -> page -> NULL
 *                                 hottest                coldest
 *
 * A pop is two loads and a store, a push a load and two stores: three
 * stores fewer a pair than the doubly linked list it replaced. The
 * drain gives back the coldest pages, found by walking from the top
 * (count - batch steps, once per batch of frees).
 *
 * The free's checks, every one of which the out-of-line path repeats
 * and reports when it fails (mm/buddy.c, "Failure modes"):
 *   - the pointer lies in its range's descriptor array, at a descriptor
 *     (page->range names the range: one load, a shift, two compares);
 *   - the claim: a compare-and-swap of page->flags from an allocated
 *     head (PG_head, plus any owner flags, which it clears) to PG_pcp,
 *     so that of two harts freeing the page at once exactly one wins;
 *   - after the claim, the head's order is 0 (read only once the
 *     descriptor is this call's; a larger block's head gets its flags
 *     back and the BUG line, out of line).
 */
#ifndef MM_BUDDY_FAST_H
#define MM_BUDDY_FAST_H

#include "lib/assert.h"
#include "lib/cmpxchg.h"
#include "lib/cpu.h"
#include "lib/kernel.h"
#include "mm/fail_alloc.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/types.h"

struct zone;

/*
 * A run of physically contiguous RAM with its own descriptor array
 * (mm/buddy.c, I1). 32 bytes, so that buddy_ranges[page->range] is a
 * shift and an add. Written by buddy_init_from_memblock() only.
 */
struct buddy_range {
	pfn_t start_pfn;
	pfn_t nr_pages; /* pages [start_pfn, start_pfn + nr_pages) */
	struct page *map; /* map[i] describes start_pfn + i */
	struct zone *zone; /* every page of a range is in one zone (I1) */
};

/* Indexed by page->range; init only. */
extern struct buddy_range buddy_ranges[BUDDY_MAX_RANGES];

/*
 * One hart's order-0 page list for one zone (I11). Only its owning hart
 * reads or writes top and count, with interrupts off, on its own fast
 * and slow paths and in the cross-hart calls it serves (mm/buddy_pcp.c);
 * other harts read count alone, relaxed, for statistics. high is the
 * free fast path's bound: the zone's pcp_high, or 0 while page_trace
 * sends every free out of line (buddy_set_trace_frees() stores it,
 * relaxed, on every hart: a rare configuration change).
 */
struct buddy_pcp {
	struct page *top; /* owner: PG_pcp pages, hottest first */
	uint32_t count; /* owner (relaxed stores): pages on the stack */
	uint32_t high; /* relaxed: more pages than this: drain */
};

/*
 * One hart's lists, alone in its cache line. kernel_off is the byte
 * offset of the list GFP_KERNEL takes from (its first zone's: Normal
 * if the machine has memory above 4 GiB, else DMA32), set by init; 0
 * (DMA32, which is empty then) before.
 */
struct buddy_pcp_hart {
	struct buddy_pcp zone[MAX_NR_ZONES];
	uint32_t kernel_off; /* init only */
} __aligned(64);

/* Indexed by cpu_id(); written at init, then by each owner alone. */
extern struct buddy_pcp_hart buddy_pcp[NR_CPUS];

/* page->zone % MAX_NR_ZONES is a mask. */
STATIC_ASSERT((MAX_NR_ZONES & (MAX_NR_ZONES - 1)) == 0);

/* The complete paths, out of line (mm/buddy.c). */
struct page *buddy_page_alloc(gfp_t gfp, unsigned int order);
void buddy_page_free(struct page *page, unsigned int order);
/*
 * The fast free's way out once it has claimed the page (interrupts off,
 * old state irq): the head's order was not 0 (give its flags fl back
 * and report), or the list is past its bound (trace the free, drain a
 * batch). Both restore irq.
 */
void buddy_free_pcp_refused(struct page *page, uint32_t fl, unsigned long irq);
void buddy_free_pcp_over(struct page *page, unsigned long irq);

/*
 * Relaxed accesses to words another hart may read or write: the page
 * flags (shared with the block's owner), a list's count and bound. On
 * the target they are one plain lw or sw through a volatile pointer, as
 * Linux's READ_ONCE and WRITE_ONCE (mm/buddy_internal.h,
 * buddy_page_flags(), argues why: GCC 12 turns a relaxed atomic store
 * into an amoswap, and its atomic loads defeat address reuse); the host
 * keeps the C11 atomics, which ThreadSanitizer understands.
 */
#ifdef HOST_TEST
#define buddy_store_u32(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define buddy_load_u32(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#else
#define buddy_store_u32(p, v) (*(volatile uint32_t *)(p) = (v))
#define buddy_load_u32(p) (*(const volatile uint32_t *)(p))
#endif

/*
 * Claim an allocated head for a per-hart list: atomically, if
 * page->flags has PG_head as its only allocator bit (owner bits may be
 * set), make it PG_pcp. *fl receives the flags it had. False, with the
 * flags unchanged, if they were anything else: of two harts freeing the
 * page at once, exactly one gets true.
 */
static inline __attribute__((always_inline)) bool
buddy_claim_pcp(struct page *page, uint32_t *fl)
{
	return cmpxchg_u32_masked(&page->flags,
				  PG_buddy | PG_reserved | PG_head | PG_pcp,
				  PG_head, PG_pcp, fl);
}

/* Named poison of a page on a per-hart list (I11). */
#define BUDDY_PCP_POISON ((uintptr_t)0x9c9ca11ed0ff11e5ULL)

/*
 * Order 0, gfp known at compile time without __GFP_ZERO: pop this
 * hart's hottest page for the gfp's first zone, or go out of line.
 */
static inline __attribute__((always_inline)) struct page *
buddy_alloc_page_fast(gfp_t gfp)
{
	struct buddy_pcp_hart *h;
	struct buddy_pcp *pcp;
	struct page *page;
	unsigned long irq;

	/* Fault injection or page_trace armed: one relaxed load when off. */
	if (unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED)))
		return buddy_page_alloc(gfp, 0);
	irq = cpu_irq_save();
	h = &buddy_pcp[cpu_id()];
	if (gfp & __GFP_DMA32)
		pcp = &h->zone[ZONE_DMA32];
	else
		pcp = (struct buddy_pcp *)((uintptr_t)h + h->kernel_off);
	page = pcp->top;
	if (unlikely(!page)) {
		cpu_irq_restore(irq);
		return buddy_page_alloc(gfp, 0);
	}
	pcp->top = page->pcp_next;
	buddy_store_u32(&pcp->count, pcp->count - 1);
	buddy_store_u32(&page->flags, PG_head);
	page->private = 0;
	cpu_irq_restore(irq);
	return page;
}

/* Order 0 known at compile time: push page on its zone's list. */
static inline __attribute__((always_inline)) void
buddy_free_page_fast(struct page *page)
{
	const struct buddy_range *r;
	struct buddy_pcp *pcp;
	unsigned long irq;
	uintptr_t off;
	uint32_t fl, count, high;

	if (unlikely(!page || page->range >= BUDDY_MAX_RANGES))
		goto out_of_line;
	r = &buddy_ranges[page->range];
	off = (uintptr_t)page - (uintptr_t)r->map;
	if (unlikely(off % sizeof(*page) != 0 ||
		     off / sizeof(*page) >= r->nr_pages))
		goto out_of_line;
	irq = cpu_irq_save();
	if (unlikely(!buddy_claim_pcp(page, &fl))) {
		cpu_irq_restore(irq);
		goto out_of_line;
	}
	if (unlikely(page->order != 0)) {
		buddy_free_pcp_refused(page, fl, irq);
		return;
	}
	/* The mask keeps a damaged zone byte (I2) inside this hart's line. */
	pcp = &buddy_pcp[cpu_id()].zone[page->zone % MAX_NR_ZONES];
	high = buddy_load_u32(&pcp->high);
	page->private = BUDDY_PCP_POISON;
	page->pcp_next = pcp->top;
	pcp->top = page;
	count = pcp->count + 1;
	buddy_store_u32(&pcp->count, count);
	if (unlikely(count > high)) {
		buddy_free_pcp_over(page, irq);
		return;
	}
	cpu_irq_restore(irq);
	return;
out_of_line:
	buddy_page_free(page, 0);
}

/*
 * alloc_pages() and __free_pages() (documented in mm/buddy.h): the fast
 * path inline where order is a constant 0 (for an allocation, without
 * __GFP_ZERO: tested at compile time for a constant gfp, else at run
 * time, as for vmalloc's frames, which take their caller's gfp), else
 * a call of the complete path.
 */
static inline __attribute__((always_inline)) struct page *
alloc_pages(gfp_t gfp, unsigned int order)
{
	if (__builtin_constant_p(order) && order == 0 && !(gfp & __GFP_ZERO))
		return buddy_alloc_page_fast(gfp);
	return buddy_page_alloc(gfp, order);
}

static inline __attribute__((always_inline)) void
__free_pages(struct page *page, unsigned int order)
{
	if (__builtin_constant_p(order) && order == 0)
		buddy_free_page_fast(page);
	else
		buddy_page_free(page, order);
}

#endif /* MM_BUDDY_FAST_H */
