// SPDX-License-Identifier: BSD-2-Clause
/*
 * The buddy page allocator.
 *
 * Theory of operation
 * -------------------
 * Every page of RAM that exists has a 32-byte descriptor (struct page).
 * Descriptors live in one array per *range*: a run of contiguous usable
 * RAM as memblock reports it, cut in two where it crosses 4 GiB so that
 * each range lies in one zone. A hole between banks has no descriptors:
 *
 *   pfn   0x80000        0x88000    0xfc000      0x100000    0x104000
 *         [ range 0 DMA32 )   hole   [ range 1 DMA32 )[ range 2 NORMAL )
 *   map   ranges[0].map[]            ranges[1].map[]  ranges[2].map[]
 *
 * The arrays are allocated from memblock and thus reserved. The
 * conversions are inline in mm/buddy.h, which draws their tables:
 * page->range names the array, so page -> pfn is one load of the
 * range's encoded map (mem_sections.range_map), O(1); pfn -> page and
 * address -> page index the section table, mem_sections.section_map,
 * which has an entry for each 128 MiB section wholly inside one range,
 * O(1). A pfn in a section that a range starts or ends inside, or in a
 * hole, takes buddy_pfn_to_page_slow(), a binary search over the ranges
 * (a handful), so that pfn_to_page() stays exact everywhere. A hole
 * costs no descriptors, only 8 bytes of section table per 128 MiB.
 *
 * A free block of 2^order pages is its head descriptor (PG_buddy, order)
 * linked on its zone's free_area[order]. Allocation takes the first
 * block of the smallest order >= the request and, while it is too big,
 * splits it: the lower half is kept, the upper half goes on the free
 * list one order down. Freeing merges the block with its buddy (pfn ^
 * 2^order) while the buddy is a free head of the same order in the same
 * range, then links the result. Reserved pages are never PG_buddy, and a
 * buddy outside the range is never looked at, so no block straddles a
 * hole, a range boundary (hence 4 GiB) or a reserved region.
 *
 * The other pages of a block carry no allocator flags, so an allocation
 * or free touches only the head and, per split or merge, one buddy:
 * O(MAX_ORDER) at worst, O(1) when a block of the right order is free.
 * The block-size and buddy arithmetic is in buddy_internal.h, in one
 * place, so that another policy can replace it.
 *
 * At init the first word of every descriptor (flags, order, zone,
 * range: one 8-byte store) is written once, and each free range is
 * carved into the largest aligned blocks (buddy_fit_order), which are
 * already coalesced: two greedy neighbours are never buddies of equal
 * order below MAX_ORDER. lru and private are written when a page heads
 * a block (I9, I11) or by the page's owner, never read before. That
 * set-up, the policy choice and the statistics are in mm/buddy_init.c;
 * the calls that take addresses or exact sizes (free_pages(),
 * alloc_pages_exact(), ...) are layered on these in mm/buddy_exact.c.
 *
 * Order-0 pages go through per-hart lists first (mm/buddy_pcp.c,
 * "Per-hart page lists", which states their design, costs and
 * ownership); the fast paths of alloc_pages and __free_pages (inline
 * at the call site, mm/buddy_fast.h, and again below for calls whose
 * order or gfp is not a constant) touch only the calling hart's list,
 * with interrupts off and no lock, and the zone when a list must be
 * refilled or drained.
 *
 * Invariants (buddy_check() cites them)
 *   I1  ranges are sorted, disjoint and non-empty; none crosses 4 GiB;
 *       range->zone is DMA32 below 4 GiB and NORMAL above.
 *   I2  map[i] of range r has range == r and zone == r's zone.
 *   I3  a free head has flags == PG_buddy, order <= MAX_ORDER, a pfn
 *       aligned to 2^order, and its whole block inside its range; the
 *       block's other pages have flags == 0.
 *   I4  zone->free_area[o].free_list links exactly the zone's free heads
 *       of order o, with consistent prev/next links; .nr_free counts
 *       them.
 *   I5  no free block's buddy is a free head of the same order.
 *   I6  a zone's free pages, sum(nr_free << o), are <= managed_pages,
 *       which is the number of the zone's non-reserved pages. (Free
 *       pages are derived, not counted twice on every operation.)
 *   I7  a reserved page has flags == PG_reserved and is in no block.
 *   I8  the non-reserved pages of a range are tiled exactly by blocks,
 *       each headed by PG_buddy (free) or PG_head (allocated, with
 *       order <= MAX_ORDER, aligned, inside the range); no other page
 *       carries PG_buddy, PG_head or an unknown flag.
 *   I9  a free head's private field holds BUDDY_FREE_POISON.
 *   I10 the lookup tables match the ranges: mem_sections.base_pfn is
 *       ranges[0].start_pfn rounded down to a section and base_va its
 *       linear address; range_map[r] is map - (start_pfn - base_pfn)
 *       descriptors for each range r, NULL past the last; section_map[s]
 *       is range_map[r] when section s lies wholly inside range r, and
 *       NULL otherwise. All RAM lies within NR_MEM_SECTIONS of base_pfn.
 *       buddy_ranges[] has a slot for every value of page->range, and
 *       the slots from nr_ranges on are empty (no pages, no map); a
 *       range's map_bytes is nr_pages * sizeof(struct page).
 *   I11 a page on a per-hart list has flags == PG_pcp, order 0 and
 *       private BUDDY_PCP_POISON; it lies in the list's zone and is on
 *       exactly one list and on no free_area list (for I8 it is a block
 *       of one page; for I6 its zone's free pages count it). A list's
 *       count is its length and at most its zone's pcp_high.
 *   I12 under a policy other than binary (buddy=, mm/buddy_classes.c),
 *       where "order" above reads "size class", sizes come from
 *       buddy.class_pages[] and I3's alignment does not apply: the tag
 *       of a block head that is a right child names a split of the
 *       policy whose left sibling lies in the range, and every page
 *       that heads no block (inside a block, or reserved) has tag 0.
 *
 * buddy_check() (mm/buddy_check.c) walks all of this and cites the
 * numbers.
 *
 * Locking
 *   Per-hart lists (mm/buddy_pcp.c) have no lock: a list, its count,
 *   and the lru and private of the pages on it are touched only by the
 *   owning hart, with interrupts off, on its own paths and in the
 *   cross-hart calls it serves (arch_call_each_cpu, mm/arch.h), which
 *   detach a list into a hand-off slot for another hart to give to the
 *   zone. A page enters a list by the compare-and-swap PG_head ->
 *   PG_pcp on its flags (cmpxchg_u32_masked(), lib/cmpxchg.h: owner
 *   bits may be set) and leaves it by a store of PG_head (allocated)
 *   or under the zone lock (merged). Other harts read counts relaxed,
 *   and store a list's bound (high) only when page_trace is switched
 *   and its GFP_KERNEL list pointer (kernel) only when fault injection
 *   or page_trace is armed or disarmed, both under pcp_drain_lock.
 *
 *   zone->lock, one ticket spinlock per zone, always taken with the
 *   _irqsave forms (so that interrupt handlers may allocate later). It
 *   protects
 *     - the zone's free_area[o].free_list and nr_free (I4, I6);
 *     - in the descriptor of every page of the zone: the allocator's
 *       flags (PG_buddy, PG_head) and order of every page, and lru and
 *       private of free heads (I3, I5, I8, I9).
 *   A page's zone is fixed (page->range -> ranges[]->zone, written by
 *   init), so __free_pages finds the lock from the page with no lock
 *   held, and then does every check of the free under it: two harts
 *   freeing the same block get one free and one "BUG: double free".
 *
 *   Written only by buddy_init_from_memblock() (on the boot hart, before
 *   the other harts start: it asserts that through memblock) and read
 *   with no lock afterwards: ranges[], nr_ranges, the zonelists,
 *   desc_bytes, ready, zone->managed_pages, present_pages and name,
 *   mem_sections, and page->zone and page->range. PG_reserved is
 *   written only by init too.
 *
 *   Atomics: buddy.bugs and buddy.failures are relaxed counters; fail_rl
 *   is lib's atomic ratelimit; bug_hook is stored with release and
 *   loaded with acquire, so a hook sees what its installer wrote before
 *   installing it. page->flags is shared with the block's owner, who
 *   sets its own flags (PG_slab, ...) with no allocator lock: both sides
 *   access it with relaxed atomics (buddy_page_flags(), where the
 *   ordering is argued).
 *
 *   Lock order: callers' locks (slab, vmalloc) -> pcp_drain_lock
 *   (buddy_drain_all_pages) or buddy_check's check lock -> the
 *   cross-hart call's lock (kernel/smp.c) -> zone->lock -> printk_lock.
 *   A refill or drain takes its zone's lock once per batch. A zone lock
 *   is a leaf but for printk_lock (buddy_check prints with it held); no
 *   code holds two zone locks at once: the zone fallback drops one
 *   zone's lock before taking the next one's, and the statistics and
 *   the checker visit the zones one at a time.
 *
 *   Done with no allocator lock held: zeroing for __GFP_ZERO, the
 *   allocation-failure line, and the report of a refused free. The
 *   refused free is classified under the zone lock (the state it
 *   describes is then stable) and printed, counted and passed to the bug
 *   hook after the lock is dropped, so a hook may call the allocator.
 *   Hooks may run on several harts at once.
 *
 * Failure modes
 *   - fail_page_alloc= armed and its decision says fail
 *     (mm/fail_alloc.h): NULL before anything is looked at, no line.
 *   - No block of the order in any allowed zone, even after draining
 *     the per-hart lists it may drain, or order > MAX_ORDER: NULL, one
 *     rate-limited "page allocation failure" line unless __GFP_NOWARN.
 *     Nothing changes but the drained lists.
 *   - Misuse of a free (double free, wrong order, reserved page, page
 *     inside a larger block, unaligned address, not RAM, bad order):
 *     one "BUG: <what> pfn 0x... order ... caller 0x..." line (the
 *     return address in the freeing function), the bug hook, and the
 *     call is refused before anything changes. The checks are here;
 *     classifying and reporting a refused free is in
 *     mm/buddy_report.c.
 *   - No memory for descriptors at init, or RAM spanning more than
 *     NR_MEM_SECTIONS (128 GiB) from base_pfn: panic.
 *   - Corrupted metadata met on the fast path: ASSERT (debug builds);
 *     buddy_check() finds it in any build.
 */
#include "mm/buddy.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/buddy_internal.h"
#include "mm/fail_alloc.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/trace.h"

STATIC_ASSERT(sizeof(struct page) == 32);
/* init_descs writes the first word only: flags, order, zone, range. */
STATIC_ASSERT(offsetof(struct page, lru) == 8);
STATIC_ASSERT(sizeof(struct page) == 1UL << PAGE_DESC_SHIFT);
STATIC_ASSERT(SZ_4G % SECTION_SIZE == 0); /* zones split at sections */
STATIC_ASSERT(SZ_1G % SECTION_SIZE == 0); /* linear map base (layout.h) */
STATIC_ASSERT(MAX_ORDER >= 0 && MAX_ORDER <= 20);
STATIC_ASSERT(BUDDY_MAX_RANGES <= BUDDY_RANGE_SLOTS);
STATIC_ASSERT(MAX_NR_ZONES <= UINT8_MAX);
STATIC_ASSERT(sizeof(struct buddy_range) == 64);

struct buddy_state buddy;
struct buddy_range buddy_ranges[BUDDY_RANGE_SLOTS];
struct mem_sections mem_sections;

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal",
};

/* ------------------------------------------------------------ lookups */

const char *buddy_zone_name(enum zone_type z)
{
	return (unsigned int)z < MAX_NR_ZONES ? zone_names[z] : "?";
}

/* The range holding pfn, or NULL (I1: sorted, so binary search). */
static struct buddy_range *pfn_range(pfn_t pfn)
{
	unsigned int lo = 0, hi = buddy.nr_ranges;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		struct buddy_range *r = &buddy_ranges[mid];

		if (pfn < r->start_pfn)
			hi = mid;
		else if (pfn - r->start_pfn >= r->nr_pages)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

struct buddy_range *buddy_desc_range(const void *p, pfn_t *idx)
{
	for (unsigned int i = 0; i < buddy.nr_ranges; i++) {
		struct buddy_range *r = &buddy_ranges[i];
		uintptr_t off = (uintptr_t)p - (uintptr_t)r->map;

		if (off % sizeof(struct page) == 0 &&
		    off / sizeof(struct page) < r->nr_pages) {
			*idx = off / sizeof(struct page);
			return r;
		}
	}
	return NULL;
}

struct page *buddy_pfn_to_page_slow(pfn_t pfn)
{
	struct buddy_range *r = pfn_range(pfn);

	return r ? &r->map[pfn - r->start_pfn] : NULL;
}

unsigned int get_order(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return buddy_order_for_pages(DIV_ROUND_UP((uint64_t)size, PAGE_SIZE));
}

/* ----------------------------------------------------- free-list core */

/*
 * Unlink a free head from its list. Its flags, order and private are
 * left for the caller to rewrite; z->lock held.
 */
static inline void unlink_free(struct zone *z, struct page *page,
			       unsigned int order)
{
	struct list_head *next = page->lru.next, *prev = page->lru.prev;

	next->prev = prev;
	prev->next = next;
	z->free_area[order].nr_free--;
}

/*
 * Take a block of `order` from z, splitting a larger one if needed;
 * NULL if z has none. z->lock held.
 */
static inline __attribute__((always_inline)) struct page *
rmqueue_binary(struct zone *z, unsigned int order)
{
	struct page *page;
	unsigned int o;

	for (o = order; o <= MAX_ORDER; o++)
		if (!list_empty(&z->free_area[o].free_list))
			goto found;
	return NULL;

found:
	page = list_first_entry(&z->free_area[o].free_list, struct page, lru);
	/* I3, I4 */
	ASSERT(buddy_page_flags(page) == PG_buddy && page->order == o);
	ASSERT(page->private == BUDDY_FREE_POISON); /* I9 */
	unlink_free(z, page, o);
	while (o > order) {
		struct page *upper = page + buddy_split_offset(o);

		trace_buddy_split(page, buddy_block_pages(o),
				  buddy_block_pages(o - 1),
				  buddy_block_pages(o - 1));
		o--;
		ASSERT(buddy_page_flags(upper) == 0); /* I3 */
		buddy_link_free(z, upper, o);
	}
	buddy_set_page_flags(page, PG_head);
	page->order = (uint8_t)order;
	page->private = 0;
	return page;
}

struct page *buddy_rmqueue(struct zone *z, unsigned int order)
{
	if (unlikely(!z->binary))
		return buddy_rmqueue_class(z, order);
	return rmqueue_binary(z, order);
}

/*
 * Link the block of `order` at page (pfn, in range r, zone z), merging
 * it with free buddies (I5). The caller has taken it out of every other
 * state: its flags are rewritten here. z->lock held.
 */
static inline __attribute__((always_inline)) void
free_one_binary(struct zone *z, const struct buddy_range *r, struct page *page,
		pfn_t pfn, unsigned int order)
{
	pfn_t start = r->start_pfn, nr = r->nr_pages;

	while (order < MAX_ORDER) {
		pfn_t bpfn = buddy_buddy_pfn(pfn, order);
		struct page *b;

		if (bpfn - start >= nr)
			break; /* the buddy is not in this range */
		b = page + ((intptr_t)bpfn - (intptr_t)pfn);
		/* b may be another owner's page: flags by atomic load. */
		if (buddy_page_flags(b) != PG_buddy || b->order != order)
			break;
		unlink_free(z, b, order);
		/* The higher of the two becomes an ordinary page (I3). */
		if (b < page) {
			buddy_set_page_flags(page, 0);
			page = b;
		} else {
			buddy_set_page_flags(b, 0);
		}
		trace_buddy_merge(page, buddy_block_pages(order),
				  buddy_block_pages(order),
				  buddy_block_pages(order + 1));
		pfn = buddy_merged_pfn(pfn, order);
		order++;
	}
	buddy_link_free(z, page, order);
}

void buddy_free_one(struct zone *z, const struct buddy_range *r,
		    struct page *page, pfn_t pfn, unsigned int order)
{
	if (unlikely(!z->binary))
		buddy_free_one_class(z, r, page, pfn, order);
	else
		free_one_binary(z, r, page, pfn, order);
}

/* ----------------------------------------------------------- the API */

/*
 * Try the zones from zl on, each under its own lock in turn. Before
 * falling back from a zone, give it this hart's cached pages of that
 * zone (they may merge into the block wanted) and try it once more, so
 * that a hart's own cache never sends it to a less preferred zone.
 */
static struct page *zonelist_rmqueue(struct zone *const *zl, unsigned int cls)
{
	struct page *page = NULL;

	for (; !page && zl && *zl; zl++) {
		struct zone *z = *zl;
		struct buddy_pcp *pcp;
		unsigned long irq = spin_lock_irqsave(&z->lock);

		page = buddy_rmqueue(z, cls);
		spin_unlock_irqrestore(&z->lock, irq);
		if (page)
			break;
		irq = cpu_irq_save();
		pcp = buddy_this_pcp(z);
		if (pcp->count) {
			buddy_pcp_drain(z, pcp, pcp->count);
			spin_lock(&z->lock);
			page = buddy_rmqueue(z, cls);
			spin_unlock(&z->lock);
		}
		cpu_irq_restore(irq);
	}
	return page;
}

/*
 * Everything but the fast path, with no lock held: zero the block the
 * fast path got (page), or else try the zones from zl on, each under its
 * own lock in turn; then drain this hart's per-hart lists and, if the
 * caller may reclaim (__GFP_RECLAIM, not in an interrupt handler, where
 * every allocation is GFP_ATOMIC as in Linux, and with interrupts on,
 * so that it is inside none of its own per-hart cache paths), every
 * hart's (mm/buddy_pcp.c), and try all of the zones again (drain
 * before fail); zero what they give, or fail. The block is of
 * class cls (binary: cls == order; cls >= nr_classes: none fits); order
 * is what the failure line names.
 */
static struct page *__attribute__((noinline))
alloc_pages_slow(gfp_t gfp, unsigned int order, unsigned int cls,
		 struct page *page, struct zone *const *zl)
{
	struct zone *const *all =
		(gfp & __GFP_DMA32) ? buddy.zl_dma32 : buddy.zl_kernel;

	if (!page && zl)
		page = zonelist_rmqueue(zl, cls);
	if (!page && cls < buddy.nr_classes && buddy.ready) {
		/* An interrupt handler is atomic whatever its flags say. */
		if ((gfp & __GFP_RECLAIM) && !cpu_in_irq() && cpu_irq_enabled())
			buddy_drain_all_pages();
		else
			buddy_drain_local_pages();
		page = zonelist_rmqueue(all, cls);
	}
	if (unlikely(!page)) {
		buddy_alloc_failed(gfp, order);
		return NULL;
	}
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0,
		       PAGE_SIZE * buddy_class_size(cls));
	return page;
}

/*
 * The order-0 path past a hit on this hart's list, out of line, still
 * with interrupts off: take a page from the list (__GFP_ZERO) or refill
 * it from z, then let alloc_pages_slow() zero, fall back or drain.
 */
static struct page *__attribute__((noinline))
alloc_pcp_slow(gfp_t gfp, struct zone *const *zl, struct buddy_pcp *pcp,
	       unsigned long irq)
{
	struct zone *z = zl[0];
	struct page *page = pcp->top;

	if (page) {
		ASSERT(buddy_page_flags(page) == PG_pcp); /* I11 */
		pcp->top = page->pcp_next;
		buddy_pcp_set_count(pcp, pcp->count - 1);
		buddy_set_page_flags(page, PG_head);
		page->private = 0;
	} else {
		page = buddy_pcp_refill(z, pcp);
	}
	cpu_irq_restore(irq);
	if (likely(page && !(gfp & __GFP_ZERO)))
		return page;
	return alloc_pages_slow(gfp, 0, 0, page, zl + 1);
}

/* Orders above 0, out of line: the zones' free lists, as before pcp. */
static struct page *alloc_pages_hooked(gfp_t gfp, unsigned int order);

static struct page *__attribute__((noinline))
alloc_pages_zone(gfp_t gfp, unsigned int order, struct zone *const *zl,
		 bool hooks)
{
	struct zone *z = zl[0];
	struct list_head *head;
	struct page *page;
	unsigned long irq;

	/* Hooks for orders above 0 (order 0: __alloc_pages). */
	if (hooks &&
	    unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED)))
		return alloc_pages_hooked(gfp, order);
	if (unlikely(order > MAX_ORDER || !z))
		return alloc_pages_slow(gfp, order, BUDDY_NR_CLASSES, NULL,
					NULL);
	/* Other policies: the class for order, from the zones in turn. */
	if (unlikely(!z->binary))
		return alloc_pages_slow(gfp, order, buddy.order_class[order],
					NULL, zl);
	/*
	 * The first zone, under its lock; a free block of exactly this
	 * order, else a split of a larger one.
	 */
	head = &z->free_area[order].free_list;
	irq = spin_lock_irqsave(&z->lock);
	if (likely(head->next != head)) {
		page = list_entry(head->next, struct page, lru);
		ASSERT(buddy_page_flags(page) == PG_buddy &&
		       page->order == order);
		ASSERT(page->private == BUDDY_FREE_POISON);
		unlink_free(z, page, order);
		buddy_set_page_flags(page, PG_head);
		page->private = 0;
	} else {
		page = rmqueue_binary(z, order);
	}
	spin_unlock_irqrestore(&z->lock, irq);
	if (likely(page && !(gfp & __GFP_ZERO)))
		return page;
	/* From z again: this hart's cached pages of z may make the block. */
	return alloc_pages_slow(gfp, order, order, page, zl);
}

/*
 * The complete alloc_pages(), inlined twice: into buddy_page_alloc()
 * and, without the test of the hooks (fault injection, page_trace:
 * hooks false), into alloc_pages_hooked(). Its order-0 part is the
 * inline fast path of mm/buddy_fast.h again, for callers whose order or
 * gfp is not a constant; orders above 0 are tested in
 * alloc_pages_zone().
 */
static inline __attribute__((always_inline)) struct page *
__alloc_pages(gfp_t gfp, unsigned int order, bool hooks)
{
	struct zone *const *zl =
		(gfp & __GFP_DMA32) ? buddy.zl_dma32 : buddy.zl_kernel;
	struct zone *z = zl[0];
	struct buddy_pcp *pcp;
	struct page *page;
	unsigned long irq;

	if (unlikely(order != 0 || !z))
		return alloc_pages_zone(gfp, order, zl, hooks);
	if (hooks &&
	    unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED)))
		return alloc_pages_hooked(gfp, order);
	/*
	 * Fast path: a page from this hart's list for z, which only this
	 * hart touches, with interrupts off (mm/buddy_pcp.c). Everything
	 * else is out of line, so that this path saves no registers.
	 */
	irq = cpu_irq_save();
	pcp = buddy_this_pcp(z);
	page = pcp->top;
	if (unlikely(!page || (gfp & __GFP_ZERO)))
		return alloc_pcp_slow(gfp, zl, pcp, irq);
	ASSERT(buddy_page_flags(page) == PG_pcp); /* I11 */
	pcp->top = page->pcp_next;
	buddy_pcp_set_count(pcp, pcp->count - 1);
	buddy_set_page_flags(page, PG_head);
	page->private = 0;
	cpu_irq_restore(irq);
	return page;
}

/*
 * fail_page_alloc= or page_trace is armed: decide whether to fail,
 * allocate, and name the request (mm/trace.h names each request once,
 * at the API: alloc_pages_exact() and free_pages_exact() call around
 * these entries for their own pages).
 */
static struct page *__attribute__((noinline))
alloc_pages_hooked(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (should_fail_alloc_page(gfp, order))
		return NULL;
	page = __alloc_pages(gfp, order, false);
	if (page)
		trace_page_alloc(page, 1u << order);
	return page;
}

struct page *buddy_page_alloc(gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, true);
}

struct page *buddy_alloc_pages_untraced(gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, false);
}

struct page *buddy_alloc_class(gfp_t gfp, unsigned int cls)
{
	struct zone *const *zl =
		(gfp & __GFP_DMA32) ? buddy.zl_dma32 : buddy.zl_kernel;

	return alloc_pages_slow(gfp, buddy.class_order[cls], cls, NULL,
				zl[0] ? zl : NULL);
}

/*
 * An order-0 free refused by the list path: if the claim succeeded but
 * the block's order is not 0, give the head its flags fl back. Then
 * classify under the zone lock and report (buddy_free_refused()). Interrupts
 * off with the old state irq.
 */
static bool __attribute__((noinline))
free_pcp_refused(const struct buddy_range *r, struct page *page, uint32_t fl,
		 unsigned long irq, uintptr_t caller)
{
	pfn_t pfn = r->start_pfn + (pfn_t)(page - r->map);

	if (buddy_page_flags(page) == PG_pcp && page->order != 0)
		buddy_set_page_flags(page, fl);
	spin_lock(&r->zone->lock);
	buddy_free_refused(r, page, pfn, 0, irq, caller);
	return false;
}

/*
 * Free the block of class cls headed by page (in range r) under its
 * zone lock, merging it with free buddies (I5). The head is claimed
 * (PG_head -> 0) by compare-and-swap, so that of two harts freeing the
 * same block one wins and the other reports a double free; the class
 * is read under the zone lock (page->order is written only under it).
 * order names the call in a report. True if the free was done.
 */
static inline __attribute__((always_inline)) bool
free_block(const struct buddy_range *r, struct page *page, unsigned int order,
	   unsigned int cls, bool binary, uintptr_t caller)
{
	pfn_t pfn = r->start_pfn + (pfn_t)(page - r->map);
	struct zone *z = r->zone;
	unsigned long irq = spin_lock_irqsave(&z->lock);
	uint32_t fl = buddy_page_flags(page);

	if (unlikely((fl & BUDDY_PG_STATE) != PG_head || page->order != cls ||
		     !__atomic_compare_exchange_n(&page->flags, &fl, 0, false,
						  __ATOMIC_RELAXED,
						  __ATOMIC_RELAXED))) {
		buddy_free_refused(r, page, pfn, order, irq, caller);
		return false;
	}
	if (binary)
		free_one_binary(z, r, page, pfn, cls);
	else
		buddy_free_one_class(z, r, page, pfn, cls);
	spin_unlock_irqrestore(&z->lock, irq);
	return true;
}

bool buddy_free_block(const struct buddy_range *r, struct page *page,
		      unsigned int order, unsigned int cls, bool binary,
		      uintptr_t caller)
{
	return free_block(r, page, order, cls, binary, caller);
}

/* A free of `order` under a policy other than binary, out of line. */
static bool __attribute__((noinline))
free_pages_class(const struct buddy_range *r, struct page *page,
		 unsigned int order, uintptr_t caller)
{
	return free_block(r, page, order,
			  order <= MAX_ORDER ? buddy.order_class[order]
					     : BUDDY_NR_CLASSES,
			  false, caller);
}

/*
 * An order-0 free that took this hart's list past its bound (pcp->high:
 * pcp_high, or 0 with page_trace): trace it, drain a batch if the list
 * holds more than pcp_high. Interrupts off with the old state irq, which
 * it restores.
 */
static void pcp_free_over(struct zone *z, struct buddy_pcp *pcp,
			  struct page *page, unsigned long irq)
{
	if (unlikely(__atomic_load_n(&z->trace_frees, __ATOMIC_RELAXED)))
		trace_page_free(page);
	if (pcp->count > z->pcp_high)
		buddy_pcp_drain(z, pcp, MAX(z->pcp_batch, 1u));
	cpu_irq_restore(irq);
}

void buddy_free_pcp_over(struct page *page, unsigned long irq)
{
	struct zone *z = buddy_ranges[page->range].zone;

	pcp_free_over(z, buddy_this_pcp(z), page, irq);
}

/*
 * Everything __free_pages does past its fast path, out of line: a free
 * of an order above 0, under the zone lock, merging it with free
 * buddies (I5), by free_block(). Frees of order 0 and of larger orders
 * race with no common lock, so the head is claimed (PG_head -> PG_pcp,
 * or -> 0) by compare-and-swap: of two harts freeing the same block,
 * one wins and the other reports a double free. True if the free was
 * done (merged into the zone).
 */
static bool __attribute__((noinline))
free_pages_slow(const struct buddy_range *r, struct page *page,
		unsigned int order, uintptr_t caller)
{
	struct zone *z = r->zone;
	bool done;

	if (unlikely(!z->binary))
		done = free_pages_class(r, page, order, caller);
	else /* An order above MAX_ORDER matches no head's (I3, I8). */
		done = free_block(r, page, order, order, true, caller);
	if (done &&
	    unlikely(__atomic_load_n(&z->trace_frees, __ATOMIC_RELAXED)))
		trace_page_free(page);
	return done;
}

/*
 * The complete free. The checks refuse anything but the head of an
 * allocated block of this order whose pointer lies in its range's
 * descriptor array. Which range (hence which zone and list) is found
 * with no lock: page->range never changes. What can change is claimed
 * by the compare-and-swap on the page's flags (order 0) or checked
 * under the zone's lock. Order 0 is the inline fast path of
 * mm/buddy_fast.h again (an order-0 page onto this hart's list,
 * interrupts off, no lock; the order is read after the claim, when the
 * descriptor is this call's), with the reports it leaves to this path.
 */
static inline __attribute__((always_inline)) bool
free_pages_from(struct page *page, unsigned int order, uintptr_t caller)
{
	const struct buddy_range *r;
	struct buddy_pcp *pcp;
	struct zone *z;
	unsigned long irq;
	uintptr_t off;
	uint32_t fl, count;

	if (unlikely(!page || page->range >= BUDDY_MAX_RANGES))
		goto bad_pointer;
	r = &buddy_ranges[page->range];
	off = (uintptr_t)page - (uintptr_t)r->map;
	if (unlikely(off % sizeof(*page) != 0 ||
		     off / sizeof(*page) >= r->nr_pages))
		goto bad_pointer;
	if (unlikely(order != 0))
		return free_pages_slow(r, page, order, caller);
	z = r->zone;
	irq = cpu_irq_save();
	if (unlikely(!buddy_claim_pcp(page, &fl) || page->order != 0))
		return free_pcp_refused(r, page, fl, irq, caller);
	pcp = buddy_this_pcp(z);
	page->private = BUDDY_PCP_POISON;
	page->pcp_next = pcp->top;
	pcp->top = page;
	count = pcp->count + 1;
	buddy_pcp_set_count(pcp, count);
	if (unlikely(count > __atomic_load_n(&pcp->high, __ATOMIC_RELAXED)))
		pcp_free_over(z, pcp, page, irq);
	else
		cpu_irq_restore(irq);
	return true;
bad_pointer:
	return buddy_free_bad_pointer(page, order, caller);
}

/*
 * The inline free claimed page but read an order or a zone byte it does
 * not take. An order above 0 is refused and reported with the flags
 * given back; order 0 means a zone byte that names no zone (I2, which
 * buddy_check() reports): the flags go back and the complete path frees
 * the page, finding its zone from its range as it always does.
 */
void buddy_free_pcp_refused(struct page *page, uint32_t fl, unsigned long irq)
{
	const struct buddy_range *r = &buddy_ranges[page->range];

	if (page->order != 0) {
		free_pcp_refused(r, page, fl, irq, RET_IP);
		return;
	}
	buddy_set_page_flags(page, fl);
	cpu_irq_restore(irq);
	free_pages_from(page, 0, RET_IP);
}

/* A refused free's BUG line names the caller: the return address here. */
void buddy_page_free(struct page *page, unsigned int order)
{
	free_pages_from(page, order, RET_IP);
}

bool buddy_free_pages_caller(struct page *page, unsigned int order,
			     uintptr_t caller)
{
	return free_pages_from(page, order, caller);
}
