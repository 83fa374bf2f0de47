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
 * Anything else (another order, __GFP_ZERO, fault injection or
 * page_trace armed, an empty list, a list over its bound, a free that
 * is not an allocated order-0 head) calls the complete out-of-line
 * path, buddy_page_alloc() or buddy_page_free() in mm/buddy.c, which
 * repeats the fast path's checks itself: the inline code decides
 * nothing that the out-of-line code does not decide again.
 *
 * The per-hart page list (mm/buddy_pcp.c states its design) is a LIFO
 * stack linked through page->pcp_next, hottest page on top:
 *
 *   buddy_this_hart()->zone[z].top -> page -> page -> ... -> page -> NULL
 *                                      hottest                coldest
 *
 * A pop is two loads and a store, a push a load and two stores: three
 * stores fewer a pair than the doubly linked list it replaced. The
 * drain gives back the coldest pages, found by walking from the top
 * (count - batch steps, once per batch of frees).
 *
 * The free's checks, every one of which the out-of-line path repeats
 * and reports when it fails (mm/buddy.c, "Failure modes"):
 *   - the pointer lies in its range's descriptor array, at a descriptor:
 *     page->range names the range, with no bound test (every value of
 *     the byte has a slot in buddy_ranges[], the unused ones empty),
 *     then one subtraction, an alignment test and one compare of the
 *     byte offset with the range's map_bytes;
 *   - the claim: a compare-and-swap of page->flags from an allocated
 *     head (PG_head, plus any owner flags, which it clears) to PG_pcp,
 *     so that of two harts freeing the page at once exactly one wins
 *     (one LR/SC loop that leaves from inside for the out-of-line path,
 *     cmpxchg_u32_masked_goto(), lib/cmpxchg.h; why not one AMO is
 *     argued at BUDDY_CLAIM_MASK);
 *   - after the claim, the head's order is 0 and its zone byte names a
 *     zone, both from one halfword load, whose value shifted is also
 *     the offset of the zone's list (read only once the descriptor is
 *     this call's; a larger block's head gets its flags back and the
 *     BUG line, a damaged zone byte its flags back and the complete
 *     free, out of line).
 *
 * Where the instructions of a pair go, measured under QEMU -icount
 * (README, "The order-0 page pair"): 45 for an alloc+free pair in a
 * loop, of which the free's pointer validation is 9, its claim 5, the
 * order and zone test 3, interrupts off and on 2 a side (the unmasked
 * csrrci/csrs pair of cpu_irq_save_local()), this hart's lists 0 to 2
 * (they sit in its per-hart area at a constant offset from tp).
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
 * (mm/buddy.c, I1). One cache line, so that buddy_ranges[page->range]
 * is a shift and an add and the inline free touches one line of it.
 * Written by buddy_init_from_memblock() only.
 */
struct buddy_range {
	pfn_t start_pfn;
	pfn_t nr_pages; /* pages [start_pfn, start_pfn + nr_pages) */
	struct page *map; /* map[i] describes start_pfn + i */
	struct zone *zone; /* every page of a range is in one zone (I1) */
	/*
	 * nr_pages * sizeof(struct page) (I10): the inline free's bound on
	 * a descriptor's byte offset in map, one compare with no shift.
	 */
	uint64_t map_bytes;
} __aligned(64);

/*
 * Indexed by page->range; init only. There is a slot for every value a
 * range byte can hold, and those past buddy.nr_ranges are empty (no
 * pages), so the inline free indexes it with no bound test: a damaged
 * byte finds an empty range and fails the descriptor-array test.
 */
#define BUDDY_RANGE_SLOTS (1u << (8 * sizeof(((struct page *)0)->range)))
extern struct buddy_range buddy_ranges[BUDDY_RANGE_SLOTS];

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
 * One hart's lists, alone in its cache line. kernel is the list the
 * inline GFP_KERNEL allocation pops from: its first zone's (Normal if
 * the machine has memory above 4 GiB, else DMA32), or buddy_pcp_none,
 * which is always empty, before init and while fault injection or
 * page_trace is armed (fail_alloc_armed), so that the inline path
 * goes out of line to their hooks with no test of its own
 * (buddy_pcp_sync_kernel(), mm/buddy_pcp.c, stores it relaxed on
 * every hart whenever init or the armed word changes it).
 */
struct buddy_pcp_hart {
	struct buddy_pcp zone[MAX_NR_ZONES];
	struct buddy_pcp *kernel; /* relaxed: see above */
	/*
	 * The slab allocator's word in this line (mm/slab.h,
	 * __kmem_cpu_cache()): the byte offset of this hart's magazines in
	 * every cache's cpu[] array, (cpu + 1) * BUDDY_SLAB_SLOT_SIZE, or 0,
	 * the always-empty slot cpu[0], while failslab is armed, so that
	 * the inline slab paths go out of line to its hook with no test of
	 * their own. 0 until attached. Stored relaxed, with kernel.
	 */
	uintptr_t slab_slot;
} __aligned(64);

/* Bytes of one hart's slot in a per-hart array (struct kmem_cpu_cache). */
#define BUDDY_SLAB_SLOT_SIZE 64

/*
 * Where each hart's lists live: in its own per-hart area, which tp
 * points at (cpu_mm_local(), lib/cpu.h; kernel/percpu.h's mm_pcp), so
 * that the inline paths reach them with no load and no index, and no
 * other hart's data shares their line. The host tests, which have no
 * per-hart area, keep them in an array (mm/buddy_pcp.c).
 *
 * buddy_pcp_harts[cpu] names hart cpu's lists for the other harts
 * (statistics, the checker, page_trace's bounds), NULL until they are
 * attached: the boot hart's by buddy init, the others' by the kernel
 * before each starts (buddy_pcp_attach()). Read it with buddy_pcp_of().
 */
extern struct buddy_pcp_hart *buddy_pcp_harts[NR_CPUS];

static inline struct buddy_pcp_hart *buddy_pcp_of(unsigned int cpu)
{
	return __atomic_load_n(&buddy_pcp_harts[cpu], __ATOMIC_ACQUIRE);
}

/*
 * Attach h as hart cpu's lists (empty, with the zones' bounds and the
 * kernel list of the moment), before the hart can allocate; detach them
 * (empty: the hart never ran) when it does not start. Either may run
 * while other harts allocate (mm/buddy_pcp.c).
 */
void buddy_pcp_attach(unsigned int cpu, struct buddy_pcp_hart *h);
void buddy_pcp_detach(unsigned int cpu);

/* The always-empty list (read only: in .rodata, so a store faults). */
extern const struct buddy_pcp buddy_pcp_none;
/*
 * Point every hart's kernel list at its zone's, or at buddy_pcp_none
 * while fail_alloc_armed is set (mm/buddy_pcp.c). Whoever changes
 * fail_alloc_armed calls it afterwards (mm/fail_alloc.c, mm/trace.c).
 */
void buddy_pcp_sync_kernel(void);

/* This hart's lists (on the target: tp plus a constant). */
static inline __attribute__((always_inline)) struct buddy_pcp_hart *
buddy_this_hart(void)
{
#ifdef HOST_TEST
	return buddy_pcp_harts[cpu_id()];
#else
	return cpu_mm_local();
#endif
}

/* This hart's slab slot (struct buddy_pcp_hart.slab_slot). */
static inline __attribute__((always_inline)) uintptr_t buddy_slab_slot(void)
{
	return __atomic_load_n(&buddy_this_hart()->slab_slot, __ATOMIC_RELAXED);
}

/* page->zone % MAX_NR_ZONES is a mask. */
STATIC_ASSERT((MAX_NR_ZONES & (MAX_NR_ZONES - 1)) == 0);

/* The complete paths, out of line (mm/buddy.c). */
struct page *buddy_page_alloc(gfp_t gfp, unsigned int order);
void buddy_page_free(struct page *page, unsigned int order);
/*
 * The fast free's way out once it has claimed the page (interrupts off,
 * old state irq, from cpu_irq_save_local()): the head's order was not 0
 * (give its flags fl back and report) or its zone byte names no zone
 * (give them back and free it out of line), or the list is past its
 * bound (trace the free, drain a batch). Both restore irq.
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
 * The allocator's bits in page->flags, which a claim tests; an owner's
 * (PG_slab, ...) may be set and are cleared.
 *
 * Why not one AMO: an amoor of PG_pcp (or an amoxor of PG_head |
 * PG_pcp) returns the old flags in one instruction, but when they turn
 * out wrong it has already written the page: a free block's PG_buddy
 * head would carry PG_pcp until the undo, and a zone-lock holder
 * merging next to it would skip it (I5), or an allocation would store
 * PG_head that the undo then corrupts. Those are exactly the racing
 * double frees the claim exists to survive, so it writes only when the
 * flags are right: LR/SC, which stores nothing on the way out.
 */
#define BUDDY_CLAIM_MASK (PG_buddy | PG_reserved | PG_head | PG_pcp)

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
	return cmpxchg_u32_masked(&page->flags, BUDDY_CLAIM_MASK, PG_head,
				  PG_pcp, fl);
}

/*
 * page->order and page->zone in one halfword load, order | zone << 8
 * (both targets are little-endian). With order 0 and zone < MAX_NR_ZONES
 * only the bits of BUDDY_OZ_ZONE_MASK can be set, and the value shifted
 * right by BUDDY_OZ_PCP_SHIFT is zone * sizeof(struct buddy_pcp), the
 * offset of the zone's list in struct buddy_pcp_hart.
 */
static inline __attribute__((always_inline)) uintptr_t
buddy_page_order_zone(const struct page *page)
{
	/* An aligned halfword (order is at 4), read as such: one lhu. */
	typedef uint16_t __attribute__((may_alias)) u16_alias;

	return *(const u16_alias *)&page->order;
}

#define BUDDY_OZ_ZONE_MASK ((uintptr_t)(MAX_NR_ZONES - 1) << 8)
#define BUDDY_OZ_PCP_SHIFT 4
STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
STATIC_ASSERT(offsetof(struct page, order) % 2 == 0);
STATIC_ASSERT(offsetof(struct page, zone) == offsetof(struct page, order) + 1);
STATIC_ASSERT(sizeof(struct buddy_pcp) << BUDDY_OZ_PCP_SHIFT == 1u << 8);
STATIC_ASSERT(offsetof(struct buddy_pcp_hart, zone) == 0);

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

	/*
	 * Fault injection or page_trace armed: GFP_KERNEL's list is then
	 * buddy_pcp_none, empty, which sends it out of line; GFP_DMA32
	 * tests the armed word (one relaxed load).
	 */
	if ((gfp & __GFP_DMA32) &&
	    unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED)))
		return buddy_page_alloc(gfp, 0);
	irq = cpu_irq_save_local();
	h = buddy_this_hart();
	if (gfp & __GFP_DMA32)
		pcp = &h->zone[ZONE_DMA32];
	else
		pcp = __atomic_load_n(&h->kernel, __ATOMIC_RELAXED);
	page = pcp->top;
	if (unlikely(!page)) {
		cpu_irq_restore(irq);
		return buddy_page_alloc(gfp, 0);
	}
	pcp->top = page->pcp_next;
	buddy_store_u32(&pcp->count, pcp->count - 1);
	buddy_store_u32(&page->flags, PG_head);
	page->private = 0;
	cpu_irq_restore_local(irq);
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
	uintptr_t oz;

	if (unlikely(!page))
		goto out_of_line;
	r = &buddy_ranges[page->range];
	off = (uintptr_t)page - (uintptr_t)r->map;
	if (unlikely(off % sizeof(*page) != 0 || off >= r->map_bytes))
		goto out_of_line;
	irq = cpu_irq_save_local();
	/* buddy_claim_pcp(), leaving for claim_failed from inside it. */
	cmpxchg_u32_masked_goto(&page->flags, BUDDY_CLAIM_MASK, PG_head, PG_pcp,
				&fl, claim_failed);
	/*
	 * Read once the descriptor is this call's: order and zone in one
	 * halfword, order | zone << 8. Order 0 and a zone byte that names a
	 * zone leave zone << 8 alone, whose shift is the list's offset in
	 * this hart's line; anything else (a larger block, or a damaged
	 * zone byte, I2) is refused out of line.
	 */
	oz = buddy_page_order_zone(page);
	if (unlikely(oz & ~BUDDY_OZ_ZONE_MASK)) {
		buddy_free_pcp_refused(page, fl, irq);
		return;
	}
	pcp = (struct buddy_pcp *)((uintptr_t)buddy_this_hart() +
				   (oz >> BUDDY_OZ_PCP_SHIFT));
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
	cpu_irq_restore_local(irq);
	return;
claim_failed:
	cpu_irq_restore(irq);
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
