/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to mm/buddy*.c and their tests: the allocator's state, its
 * invariants, the helpers the files share, and the block-size and buddy
 * arithmetic.
 *
 * Invariants: I1..I11 are stated once, in mm/buddy.c's theory comment;
 * buddy_check() (mm/buddy_check.c) checks them and cites the numbers.
 *
 * Locking (mm/buddy.c states it in full): zone->lock protects the
 * zone's free lists and counts and the allocator's state in the
 * descriptors of its pages but those on per-hart lists, which only the
 * list's owning hart touches, with interrupts off (no lock); everything
 * else here is written once by init. No code holds two zone locks at
 * once.
 *
 * Size classes: the free lists and page->order of a block head are
 * indexed by the block's size class under the active policy
 * (buddy=<policy>, mm/buddy_policy.h). Under binary, class k is order k
 * and the inline helpers at the end of this file do the arithmetic
 * (pfn XOR 2^order), so the hot paths are what they were before there
 * were policies. Under the others, a class is an index into
 * buddy.class_pages[] and mm/buddy_classes.c splits, merges and carves
 * with the tag arithmetic of mm/buddy_policy.h; buddy.c calls it where
 * a binary path would compute, after one test of buddy.binary.
 */
#ifndef MM_BUDDY_INTERNAL_H
#define MM_BUDDY_INTERNAL_H

#include "lib/assert.h"
#include "lib/cpu.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/buddy_policy.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/types.h"

/* First pfn of ZONE_NORMAL. */
#define BUDDY_DMA32_END_PFN ((pfn_t)(SZ_4G >> PAGE_SHIFT))

/*
 * Named poison (I9): stored in page->private of every free block head and
 * cleared when the block is handed out. A descriptor that loses it while
 * free was overwritten by someone who still thinks they own the page.
 */
#define BUDDY_FREE_POISON ((uintptr_t)0xb0dd1ef4eeb10c50ULL)
/* BUDDY_PCP_POISON, the same for a page on a per-hart list (I11), is
 * in mm/buddy_fast.h, whose inline free stores it. */

/*
 * Per-hart list sizes (mm/buddy.c, "Per-hart page lists"): a zone of
 * managed pages moves batch = min(BUDDY_PCP_BATCH_MAX, managed >> 10)
 * pages per refill or drain and caches at most high = batch *
 * BUDDY_PCP_HIGH_BATCHES on each hart. A zone under 1024 pages gets 0,
 * which makes every order-0 call go straight through to the zone.
 */
#define BUDDY_PCP_BATCH_MAX 32
#define BUDDY_PCP_HIGH_BATCHES 4
#define BUDDY_CACHE_LINE_SIZE 64

/*
 * Size classes a zone keeps free lists for: binary has MAX_ORDER + 1;
 * weighted and tertiary have two per order (2^k and 3 * 2^k), Fibonacci
 * about 1.44 per order, up to the first size of at least 2^MAX_ORDER
 * pages.
 */
#define BUDDY_NR_CLASSES (2 * MAX_ORDER + 2)

/* Flags the buddy allocator owns; the others belong to the page's owner. */
#define BUDDY_PG_STATE (PG_buddy | PG_reserved | PG_head | PG_pcp)
#define BUDDY_PG_KNOWN                                                         \
	(BUDDY_PG_STATE | PG_tail | PG_slab | PG_large | PG_vmalloc)

/*
 * Free blocks of one order, as in Linux. 32 bytes, so that the list and
 * its count share one address computed with a shift. Both fields are
 * protected by the zone's lock.
 */
struct free_area {
	struct list_head free_list; /* zone->lock */
	uint64_t nr_free; /* zone->lock: blocks on free_list */
} __aligned(32);

/*
 * lock protects free_area[] and, for every page of the zone, the
 * allocator's state in its descriptor (mm/buddy.c, "Locking"). The
 * other fields are written by buddy_init_from_memblock() only. lock is
 * first and 32 bytes, so free_area[0] shares its cache line.
 */
struct zone {
	spinlock_t lock;
	struct free_area free_area[BUDDY_NR_CLASSES]; /* lock; by class */
	uint64_t managed_pages; /* init only */
	uint64_t present_pages; /* init only */
	const char *name; /* init only */
	unsigned int index; /* init only: its index in buddy.zones[] */
	unsigned int pcp_batch; /* init only: pages per refill or drain */
	unsigned int pcp_high; /* init only: most pages on one hart's list */
	bool binary; /* init only: buddy.binary, next to the free lists */
	bool trace_frees; /* page_trace: frees go out of line (relaxed) */
};

/*
 * struct buddy_pcp (one hart's order-0 stack for one zone, I11), struct
 * buddy_pcp_hart and buddy_pcp_harts[] are in mm/buddy_fast.h, which the
 * inline fast paths read.
 */
STATIC_ASSERT(sizeof(struct buddy_pcp_hart) == BUDDY_CACHE_LINE_SIZE);

/* struct buddy_range and buddy_ranges[] are in mm/buddy_fast.h. */

/*
 * Everything but the zones' free lists is written by
 * buddy_init_from_memblock() on the boot hart before any other hart
 * runs, and read without locks afterwards; bugs and failures are
 * relaxed atomic counters.
 */
struct buddy_state {
	unsigned int nr_ranges; /* init only: used entries of buddy_ranges */
	struct zone zones[MAX_NR_ZONES]; /* each has its own lock */
	/*
	 * Zones to try, NULL-terminated, with empty zones left out:
	 * zl_kernel = NORMAL, DMA32; zl_dma32 = DMA32. Init only.
	 */
	struct zone *zl_kernel[MAX_NR_ZONES + 1];
	struct zone *zl_dma32[2];
	uint64_t desc_bytes; /* init only: bytes of descriptor arrays */
	/*
	 * The size policy, init only. binary: class == order, and none of
	 * the tables below but class_pages is read. Otherwise a block head's
	 * page->order is its class, tags[r][i] the tag byte of the block
	 * headed at range r's page i (0 inside blocks; zone lock),
	 * order_class[o] the class alloc_pages(order o) takes (the smallest
	 * of at least 2^o pages) and class_order[c] the smallest order whose
	 * class is at least c.
	 */
	bool binary;
	unsigned int nr_classes;
	pfn_t class_pages[BUDDY_NR_CLASSES];
	uint8_t order_class[MAX_ORDER + 1];
	uint8_t class_order[BUDDY_NR_CLASSES];
	uint8_t *tags[BUDDY_MAX_RANGES];
	struct buddy_policy policy;
	uint64_t bugs; /* atomic: misuse reports */
	uint64_t failures; /* atomic: failed allocations */
	bool ready; /* init only */
};

extern struct buddy_state buddy;

/* ---------------------------------------------------------------------
 * Shared by mm/buddy.c and mm/buddy_check.c.
 */

static inline pfn_t buddy_range_end(const struct buddy_range *r)
{
	return r->start_pfn + r->nr_pages;
}

static inline unsigned int buddy_range_zone(const struct buddy_range *r)
{
	return (unsigned int)(r->zone - buddy.zones);
}

/*
 * range_map[] value of a range (I10): where base_pfn's descriptor would
 * be in r's array (computed as an integer: it is outside the array).
 */
static inline struct page *buddy_range_encode(const struct buddy_range *r,
					      pfn_t base_pfn)
{
	return (struct page *)((uintptr_t)r->map -
			       (uintptr_t)(r->start_pfn - base_pfn) *
				       sizeof(struct page));
}

/*
 * The range whose descriptor array holds the pointer p, or NULL; does
 * not dereference p. *idx receives the index in the array.
 */
struct buddy_range *buddy_desc_range(const void *p, pfn_t *idx);

/*
 * page->flags after init. A block's owner sets and clears its own flags
 * (PG_slab, PG_tail, PG_large, PG_vmalloc) with no allocator lock while
 * the allocator, under the zone lock, reads the flags of neighbouring
 * pages it does not own (the buddy met while merging, a block head met
 * while classifying a bad free, buddy_check's walk). Both sides access
 * the word with relaxed atomics, so neither read tears nor races. No
 * ordering is needed: the bits the allocator decides on (PG_buddy,
 * PG_head, PG_reserved) are written under the zone lock, whose acquire
 * and release order them, or, for an order-0 page entering or leaving
 * a per-hart list (PG_head <-> PG_pcp), by that list's owner, who is
 * then the only party that may change them (the free's claim is a
 * compare-and-swap); the owner's bits are never among them.
 *
 * buddy_store_u32() (mm/buddy_fast.h) is that relaxed store. GCC 12
 * compiles a relaxed __atomic_store_n on RISC-V to an amoswap (a
 * read-modify-write), so the target uses a volatile store, which is one
 * plain sw, single-copy atomic for an aligned word (RVWMO), as Linux's
 * WRITE_ONCE is; the host keeps the C11 atomic, which ThreadSanitizer
 * understands. Loads are a plain lw either way.
 */

static inline uint32_t buddy_page_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static inline void buddy_set_page_flags(struct page *page, uint32_t flags)
{
	buddy_store_u32(&page->flags, flags);
}

/* This hart's list for zone z; interrupts off (no migration). */
static inline struct buddy_pcp *buddy_this_pcp(const struct zone *z)
{
	return &buddy_this_hart()->zone[z->index];
}

/*
 * pcp->count is written by its owner only, with a relaxed store, so
 * that another hart's relaxed read of it (statistics) is no data race.
 */
static inline void buddy_pcp_set_count(struct buddy_pcp *pcp, uint32_t n)
{
	buddy_store_u32(&pcp->count, n);
}

/*
 * Make page the head of a free block of order and link it (I3, I4, I9).
 * z->lock held.
 */
static inline void buddy_link_free(struct zone *z, struct page *page,
				   unsigned int order)
{
	buddy_set_page_flags(page, PG_buddy);
	page->order = (uint8_t)order;
	page->private = BUDDY_FREE_POISON;
	list_add(&page->lru, &z->free_area[order].free_list);
	z->free_area[order].nr_free++;
}

/*
 * Refusals and failures, reported (mm/buddy_report.c). No allocator
 * lock may be held but where one is named.
 *
 * buddy_report: one "BUG: <what><detail> pfn ... order ... caller ..."
 *   line (detail from fmt, which may be ""), counted in buddy.bugs and
 *   passed to the bug hook.
 * buddy_free_refused: classify the refused free of page (pfn, in range
 *   r) under r's zone lock, which the caller holds with interrupt state
 *   irq; drop it and report.
 * buddy_free_bad_pointer: the free of a descriptor pointer that does
 *   not lie where its page->range says: report it (classified under
 *   the lock of the range it does lie in, if any). Returns false.
 * buddy_alloc_failed: count a failed allocation and print its
 *   rate-limited "page allocation failure" line unless __GFP_NOWARN.
 * buddy_reset_fail_ratelimit: back to the boot state of that rate
 *   limit (init).
 */
void __printf(5, 6)
	buddy_report(enum buddy_bug bug, pfn_t pfn, unsigned int order,
		     uintptr_t caller, const char *fmt, ...);
void buddy_free_refused(const struct buddy_range *r, const struct page *page,
			pfn_t pfn, unsigned int order, unsigned long irq,
			uintptr_t caller);
bool buddy_free_bad_pointer(const struct page *page, unsigned int order,
			    uintptr_t caller);
void buddy_alloc_failed(gfp_t gfp, unsigned int order);
void buddy_reset_fail_ratelimit(void);

/*
 * The page calls of mm/buddy.c that mm/buddy_exact.c builds on.
 *
 * buddy_alloc_pages_untraced: alloc_pages() without fault injection
 *   and page_trace, which the caller applies to its own request.
 * buddy_alloc_class: a block of size class cls (> 0) from the zones
 *   gfp allows, draining before it fails; NULL if none.
 * buddy_free_block: free the block of class cls headed by page (in
 *   range r) under its zone lock (binary: buddy.binary); order names
 *   the call in a report, caller is the BUG line's. True if freed.
 * buddy_free_pages_caller: __free_pages() whose BUG line names caller.
 */
struct page *buddy_alloc_pages_untraced(gfp_t gfp, unsigned int order);
struct page *buddy_alloc_class(gfp_t gfp, unsigned int cls);
bool buddy_free_block(const struct buddy_range *r, struct page *page,
		      unsigned int order, unsigned int cls, bool binary,
		      uintptr_t caller);
bool buddy_free_pages_caller(struct page *page, unsigned int order,
			     uintptr_t caller);

/*
 * Take one block of `order` from z, splitting a larger one if needed,
 * as an allocated head (PG_head, private 0); NULL if z has none.
 * z->lock held. (mm/buddy.c)
 */
struct page *buddy_rmqueue(struct zone *z, unsigned int order);
/*
 * Link the block of `order` at page (pfn, in range r, zone z), merging
 * it with free buddies (I5); its flags are rewritten. z->lock held.
 */
void buddy_free_one(struct zone *z, const struct buddy_range *r,
		    struct page *page, pfn_t pfn, unsigned int order);

/*
 * mm/buddy_pcp.c. On pcp's owning hart, interrupts off:
 * buddy_pcp_drain() detaches the n coldest pages (at most count) and
 * then gives them back to z under its lock; buddy_pcp_refill() takes a
 * batch from z under its lock and then adds all but one to the list,
 * returning that one allocated (NULL if z has none). Neither keeps a
 * copy of the list or its count across the zone lock's wait, where a
 * cross-hart call may detach the list (mm/buddy_pcp.c).
 * buddy_zone_pcp_pages() sums z's lists' counts (relaxed reads).
 */
void buddy_pcp_drain(struct zone *z, struct buddy_pcp *pcp, uint32_t n);
/* Empty every hart's lists and hand-off slots; init only. */
void buddy_pcp_init(void);
/*
 * Once the zones' batches and the zonelists are known (init only): set
 * every hart's bounds (pcp_high, or 0 while the zone's trace_frees is
 * set) and the list GFP_KERNEL's fast path takes from.
 */
void buddy_pcp_setup(void);
struct page *buddy_pcp_refill(struct zone *z, struct buddy_pcp *pcp);
uint64_t buddy_zone_pcp_pages(const struct zone *z);

/*
 * mm/buddy_classes.c: the same operations under a policy other than
 * binary, with the same contracts (class for order). z->lock held.
 */
struct page *buddy_rmqueue_class(struct zone *z, unsigned int cls);
void buddy_free_one_class(struct zone *z, const struct buddy_range *r,
			  struct page *page, pfn_t pfn, unsigned int cls);
/* Carve the free pfns [pfn, end) of range r into roots; init only. */
void buddy_release_classes(const struct buddy_range *r, pfn_t pfn, pfn_t end);
/*
 * The head of the block that holds pfn of range r, which heads none:
 * the nearest head below it if its block reaches pfn, else NULL.
 */
struct page *buddy_find_container_class(const struct buddy_range *r, pfn_t pfn,
					pfn_t *head_pfn);
/* Build the class tables for policy id; init only. */
void buddy_classes_init(enum buddy_policy_id id);

/* Pages in a block of class cls (any policy). */
static inline pfn_t buddy_class_size(unsigned int cls)
{
	return buddy.class_pages[cls];
}

/* Range r's tag of page idx (policies other than binary). */
static inline uint8_t *buddy_tag(const struct buddy_range *r, pfn_t idx)
{
	return &buddy.tags[r - buddy_ranges][idx];
}

/* ---------------------------------------------------------------------
 * Block-size and buddy arithmetic (binary policy).
 */

/* Pages in a block of `order`. */
static inline pfn_t buddy_block_pages(unsigned int order)
{
	return (pfn_t)1 << order;
}

/* Smallest order whose block holds `pages` pages (pages > 0). */
static inline unsigned int buddy_order_for_pages(uint64_t pages)
{
	return order_base_2(pages);
}

/* True when a block of `order` may start at pfn. */
static inline bool buddy_pfn_aligned(pfn_t pfn, unsigned int order)
{
	return (pfn & (buddy_block_pages(order) - 1)) == 0;
}

/* Head of the block of `order` that would contain pfn. */
static inline pfn_t buddy_block_head(pfn_t pfn, unsigned int order)
{
	return pfn & ~(buddy_block_pages(order) - 1);
}

/* The buddy of the block (pfn, order): pfn ^ (1 << order). */
static inline pfn_t buddy_buddy_pfn(pfn_t pfn, unsigned int order)
{
	return pfn ^ buddy_block_pages(order);
}

/* Head of the order + 1 block that (pfn, order) and its buddy form. */
static inline pfn_t buddy_merged_pfn(pfn_t pfn, unsigned int order)
{
	return pfn & ~buddy_block_pages(order);
}

/*
 * Splitting a block of `order` keeps its lower half, of order - 1, and
 * releases the upper half, of order - 1, which starts this many pages
 * after the head. (A Fibonacci block F(k) would keep F(k-1) and release
 * F(k-2) at offset F(k-1): still independent of the pfn.)
 */
static inline pfn_t buddy_split_offset(unsigned int order)
{
	return buddy_block_pages(order - 1);
}

/*
 * Largest order of a block that may start at pfn and end by end_pfn
 * (pfn < end_pfn), capped at MAX_ORDER: how init carves free ranges.
 */
static inline unsigned int buddy_fit_order(pfn_t pfn, pfn_t end_pfn)
{
	unsigned int order = MAX_ORDER;

	while (order > 0 && (!buddy_pfn_aligned(pfn, order) ||
			     end_pfn - pfn < buddy_block_pages(order)))
		order--;
	return order;
}

#endif /* MM_BUDDY_INTERNAL_H */
