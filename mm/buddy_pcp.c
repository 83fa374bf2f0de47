// SPDX-License-Identifier: BSD-2-Clause
/*
 * The per-hart page lists of the buddy allocator: their refill, drain
 * and statistics, and the cross-hart drain. The fast paths that use
 * them are in mm/buddy.c, inline with the zone paths they fall back to.
 *
 * Theory of operation
 * -------------------
 * Per-hart page lists (pcp, Linux's per-CPU pages)
 *   Order-0 pages, and only those (the README measures why: the slab
 *   layer keeps its larger slabs, so orders 1 to 3 are 0.17 % of a mixed
 *   kmalloc workload's instructions), go through a per-hart, per-zone list
 *   of free pages, buddy_this_hart()->zone[z] (in the hart's per-hart
 *   area, mm/buddy_fast.h): an allocation pops the
 *   hottest page, a free pushes it, neither touching the zone. The list
 *   is a LIFO stack linked through page->pcp_next (mm/buddy_fast.h draws
 *   it; its push and pop are inline there). An empty list is refilled
 *   with pcp_batch pages taken under the zone lock once, carved out of
 *   one block of that many pages when the zone has one (pcp_take(): one
 *   buddy_rmqueue() for the batch, where taking it a page at a time cost
 *   a split or an unlink per page), lowest pfn first off; a free that
 *   takes the list past pcp_high gives the pcp_batch coldest pages back
 *   (the bottom of the stack, reached by walking count - pcp_batch
 *   links from the top: once per batch of frees) under the zone lock
 *   once, where they merge. Per zone, as Linux has it: a GFP_DMA32
 *   allocation takes its zone's list only, so it still never gets a
 *   page at or above 4 GiB, and every zone keeps its own pages. batch =
 *   min(32, managed >> 10), high = 4 x batch (32 and 128 pages on a
 *   1 GiB zone: at most 512 KiB cached per hart and zone); a zone under
 *   4 MiB gets 0 and every call passes
 *   through to it (its bound is 0: every free drains at once, every
 *   allocation refills one page). Cached pages are free: buddy_stats()
 *   and meminfo count them in free and show them as pcp; buddyinfo adds
 *   pcp=<n> per zone and its histogram shows the free lists alone.
 *
 *   A cached page is PG_pcp, order 0, private BUDDY_PCP_POISON (I11):
 *   neither free in a free area (PG_buddy, which only merging and
 *   rmqueue touch) nor allocated (PG_head), so a second free of it is a
 *   double free, and buddy_check() verifies the lists. The free's
 *   claim of a head (PG_head -> PG_pcp, or PG_head -> 0 for larger
 *   orders under the zone lock) is a compare-and-swap on page->flags:
 *   two harts freeing the same page into their own lists hold no common
 *   lock, and one of them must lose and report. That atomic belongs to
 *   the page (it is shared with every other path that frees it), not to
 *   the list.
 *
 * Owner only
 *   A list is read and written by its own hart alone, with interrupts
 *   off: no lock, no atomic read-modify-write, and its cache line
 *   (struct buddy_pcp_hart, one line per hart, in the hart's own
 *   per-hart area at tp + CPU_MM_OFFSET, so that the inline paths find
 *   it with no load) is written by no other hart, but for the bounds
 *   (pcp->high), which turning page_trace on or off stores relaxed on
 *   every hart, and the kernel list pointer (kernel), which arming or
 *   disarming fault injection or page_trace stores relaxed on every
 *   hart (buddy_pcp_sync_kernel()). The count is stored relaxed,
 *   so that meminfo, buddyinfo and buddy_stats() may read other harts'
 *   counts relaxed: each is exact for its list at some instant, and
 *   their sum is not one instant while harts allocate (nor was it with
 *   locks).
 *
 *   Another hart that needs a list drained (drain before fail,
 *   buddy_drain_all_pages) or checked (buddy_check, I11) asks its owner
 *   through arch_call_each_cpu() (mm/arch.h): every hart runs a short
 *   function, from its IPI handler or from a wait loop, with interrupts
 *   off, that only detaches its lists into its slot of pcp_handoff[];
 *   the requester then gives the detached pages to the zones under the
 *   zone locks, in its own context. The function takes no lock and
 *   prints nothing, so it cannot deadlock against a hart that spins with
 *   interrupts off (mm/arch.h argues it). The price is on the owner's
 *   slow paths: they may serve such a call while they wait for a zone
 *   lock, so they never keep a copy of the list or its count across that
 *   wait. A drain detaches its pages first and then takes the zone lock;
 *   a refill takes its batch under the zone lock and only then adds it
 *   to the list, reading the list afresh.
 *
 *   Drain before fail: an allocation that finds no block first gives
 *   each zone this hart's cached pages before falling back to the next
 *   zone, then drains this hart's lists (GFP_ATOMIC, any caller without
 *   __GFP_RECLAIM, and any caller in an interrupt handler or with
 *   interrupts off) or every hart's (__GFP_RECLAIM, e.g. GFP_KERNEL,
 *   with interrupts on: such a caller is in none of its own per-hart
 *   cache paths, where its own share of the call would run) and tries
 *   every allowed zone once more. There is no emergency reserve:
 *   __GFP_HIGH changes nothing (mm/gfp.h).
 *
 *   Attaching: the other harts find a hart's lists through
 *   buddy_pcp_harts[cpu]. Buddy init attaches the boot hart's (and on
 *   the host, where threads have no per-hart area, every hart's from
 *   host_pcp[]); the kernel attaches a secondary's before starting it
 *   and detaches them if it does not come online (kernel/smp.c). An
 *   attach writes the bounds and the kernel list of the moment; it,
 *   the bound and kernel-list updates and the detach run under
 *   pcp_drain_lock, so that none of those updates misses a hart
 *   attached meanwhile.
 *
 * Invariant I11 (mm/buddy.c states all of them; buddy_check cites it):
 * a cached page is PG_pcp, order 0, private BUDDY_PCP_POISON, on
 * exactly one list, that of its zone, and on no free_area list; a
 * list's count is its length and at most its zone's pcp_high.
 *
 * Locking: none on the lists (owner only, interrupts off). pcp_drain_lock
 * serialises buddy_drain_all_pages() callers, which share pcp_handoff[],
 * and the writers of buddy_pcp_harts[] and of other harts' bounds and
 * kernel lists;
 * it is taken before the cross-hart call (kernel/smp.c's mm_call lock)
 * and the zone locks, and a hart waiting for it serves cross-hart calls
 * like any spinlock waiter. Refill and drain take the zone's lock once
 * per batch.
 *
 * Failure modes: none of its own. A refill from an empty zone returns
 * NULL and the caller falls back or fails; corrupted list metadata
 * trips an ASSERT (debug) or buddy_check().
 */
#include "lib/assert.h"
#include "lib/cpu.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/trace.h"

const struct buddy_pcp buddy_pcp_none;
struct buddy_pcp_hart *buddy_pcp_harts[NR_CPUS];
#ifdef HOST_TEST
/* The host's harts have no per-hart area: their lists, attached at init. */
static struct buddy_pcp_hart host_pcp[NR_CPUS];
#endif

/*
 * Where each hart leaves its detached lists for buddy_drain_all_pages():
 * written by hart cpu in the cross-hart call, then read and emptied by
 * the requester; pcp_drain_lock held throughout.
 */
static struct {
	struct list_head list[MAX_NR_ZONES];
} pcp_handoff[NR_CPUS];
static DEFINE_SPINLOCK(pcp_drain_lock);

/*
 * Move the n coldest pages of pcp (the bottom of its stack; at most
 * count) to the front of `to`, still PG_pcp. On pcp's owner, interrupts
 * off.
 */
static void pcp_detach(struct buddy_pcp *pcp, uint32_t n, struct list_head *to)
{
	uint32_t count = pcp->count;
	struct page **link = &pcp->top, *page;

	if (n > count)
		n = count;
	if (!n)
		return;
	/* Keep the count - n hottest: link ends at the first page to go. */
	for (uint32_t i = n; i < count; i++)
		link = &(*link)->pcp_next;
	page = *link;
	*link = NULL;
	for (uint32_t i = 0; i < n; i++) {
		struct page *next = page->pcp_next;

		ASSERT(page); /* I11: count is the stack's length */
		list_add(&page->lru, to);
		page = next;
	}
	ASSERT(!page);
	buddy_pcp_set_count(pcp, count - n);
}

/* Give the detached PG_pcp pages on `pages` to zone z, under its lock. */
static void pcp_give(struct zone *z, struct list_head *pages)
{
	if (list_empty(pages))
		return;
	spin_lock(&z->lock);
	while (!list_empty(pages)) {
		struct page *page = list_entry(pages->next, struct page, lru);
		const struct buddy_range *r = &buddy_ranges[page->range];

		ASSERT(buddy_page_flags(page) == PG_pcp); /* I11 */
		list_del(&page->lru);
		buddy_free_one(z, r, page,
			       r->start_pfn + (pfn_t)(page - r->map), 0);
	}
	spin_unlock(&z->lock);
}

void buddy_pcp_drain(struct zone *z, struct buddy_pcp *pcp, uint32_t n)
{
	struct list_head pages;

	INIT_LIST_HEAD(&pages);
	pcp_detach(pcp, n, &pages);
	pcp_give(z, &pages);
}

/*
 * Turn the block of 2^order pages at head, just taken from the zone
 * (PG_head, its other pages without allocator flags: I3, I8), into
 * 2^order one-page blocks for a per-hart list, as if it had been split
 * page by page: each PG_pcp, order 0, private BUDDY_PCP_POISON (I11),
 * linked lowest pfn first through pcp_next after *link. Returns the
 * last page's link. z->lock held.
 */
static struct page **pcp_carve(struct page *head, unsigned int order,
			       struct page **link)
{
	struct page *end = head + buddy_block_pages(order);

	for (struct page *p = head; p < end; p++) {
		buddy_set_page_flags(p, PG_pcp);
		p->order = 0;
		p->private = BUDDY_PCP_POISON;
		*link = p;
		link = &p->pcp_next;
	}
	return link;
}

/*
 * Take up to `want` (> 0) pages from z as PG_pcp pages chained after
 * *link, in as few blocks as best fit allows. First the zone's whole
 * free blocks of fewer pages than are still wanted, smallest first, as
 * taking the batch a page at a time would have used them up (so a
 * refill never splits a large block while fragments lie free); then the
 * rest split off larger blocks, the largest that fits what is still
 * wanted each time. With only large blocks free, a batch of 32 is one
 * order-5 block and one buddy_rmqueue(). Returns the pages taken (fewer
 * only when z runs out) and sets *tail to the last one's link. z->lock
 * held.
 *
 * Under the other size policies a block is a size class whose pages
 * would need their tags rewritten (I12), and with buddy tracing on the
 * trace is to show every split: both take one page at a time, by
 * buddy_rmqueue(z, 0), as before batches were carved.
 */
static uint32_t pcp_take(struct zone *z, uint32_t want, struct page **link,
			 struct page ***tail)
{
	bool carve = z->binary && !mm_trace_enabled(MM_TRACE_BUDDY);
	unsigned int order = 0;
	uint32_t n = 0;
	struct page *block;

	/*
	 * Orders by counting, not ilog2_u64(): without Zbb, GCC calls
	 * libgcc's __clzdi2 for it, dearer than these few steps.
	 */
	for (; carve && buddy_block_pages(order) <= want - n; order++) {
		struct free_area *fa = &z->free_area[order];

		while (buddy_block_pages(order) <= want - n &&
		       !list_empty(&fa->free_list)) {
			block = list_first_entry(&fa->free_list, struct page,
						 lru);
			/* I3, I4, I9 */
			ASSERT(buddy_page_flags(block) == PG_buddy &&
			       block->order == order);
			ASSERT(block->private == BUDDY_FREE_POISON);
			list_del(&block->lru);
			fa->nr_free--;
			link = pcp_carve(block, order, link);
			n += (uint32_t)buddy_block_pages(order);
		}
	}
	/*
	 * Every free block left is larger than what is still wanted (or,
	 * one page at a time, of any size): split off the largest block
	 * that fits it, until z is empty.
	 */
	while (n < want) {
		while (order > 0 && buddy_block_pages(order) > want - n)
			order--;
		block = buddy_rmqueue(z, order);
		if (!block)
			break;
		link = pcp_carve(block, order, link);
		n += (uint32_t)buddy_block_pages(order);
	}
	*tail = link;
	return n;
}

struct page *buddy_pcp_refill(struct zone *z, struct buddy_pcp *pcp)
{
	struct page *page = NULL, **tail;
	uint32_t n;

	spin_lock(&z->lock);
	/* A zone without lists (batch 0) still gives the one page asked. */
	n = pcp_take(z, MAX(z->pcp_batch, 1u), &page, &tail);
	if (n) {
		buddy_set_page_flags(page, PG_head);
		page->private = 0;
	}
	spin_unlock(&z->lock);
	if (!n)
		return NULL;
	/*
	 * The lowest pfn is the caller's; the others go on top of the
	 * stack as it is now (a call served in the wait may have drained
	 * it), the next lowest first off.
	 */
	if (n > 1) {
		*tail = pcp->top;
		pcp->top = page->pcp_next;
		buddy_pcp_set_count(pcp, pcp->count + n - 1);
	}
	return page;
}

void buddy_drain_local_pages(void)
{
	unsigned long irq;

	if (!buddy.ready)
		return;
	irq = cpu_irq_save();
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct buddy_pcp *pcp = &buddy_this_hart()->zone[zi];

		buddy_pcp_drain(&buddy.zones[zi], pcp, pcp->count);
	}
	cpu_irq_restore(irq);
}

/* The cross-hart share: detach this hart's lists into its hand-off slot. */
static void pcp_detach_all(void *unused)
{
	unsigned int cpu = cpu_id();

	(void)unused;
	/* A hart whose lists are not attached has none to detach. */
	for (unsigned int zi = 0; buddy_this_hart() && zi < MAX_NR_ZONES;
	     zi++) {
		struct buddy_pcp *pcp = &buddy_this_hart()->zone[zi];

		pcp_detach(pcp, pcp->count, &pcp_handoff[cpu].list[zi]);
	}
}

void buddy_drain_all_pages(void)
{
	unsigned long irq;

	if (!buddy.ready)
		return;
	irq = spin_lock_irqsave(&pcp_drain_lock);
	arch_call_each_cpu(pcp_detach_all, NULL);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
			pcp_give(&buddy.zones[zi], &pcp_handoff[cpu].list[zi]);
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

/*
 * Empty lists with the zones' bounds (0 while a zone's frees are traced,
 * or before init) and the kernel list that fail_alloc_armed allows.
 * pcp_drain_lock held.
 */
static void pcp_reset(struct buddy_pcp_hart *h)
{
	const struct zone *first = buddy.zl_kernel[0];
	struct buddy_pcp *kernel = (struct buddy_pcp *)&buddy_pcp_none;

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &buddy.zones[z];

		h->zone[z].top = NULL;
		buddy_pcp_set_count(&h->zone[z], 0);
		__atomic_store_n(&h->zone[z].high,
				 zone->trace_frees ? 0 : zone->pcp_high,
				 __ATOMIC_RELAXED);
	}
	if (first && !__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED))
		kernel = &h->zone[first->index];
	__atomic_store_n(&h->kernel, kernel, __ATOMIC_RELAXED);
}

/* Hart cpu's slab slot while the armed word is `armed` (buddy_fast.h). */
static uintptr_t pcp_slab_slot(unsigned int cpu, unsigned int armed)
{
	if (armed & FAIL_ALLOC_SLAB)
		return 0;
	return (cpu + 1) * (uintptr_t)BUDDY_SLAB_SLOT_SIZE;
}

void buddy_pcp_attach(unsigned int cpu, struct buddy_pcp_hart *h)
{
	unsigned long irq = spin_lock_irqsave(&pcp_drain_lock);

	pcp_reset(h);
	__atomic_store_n(&h->slab_slot,
			 pcp_slab_slot(cpu, __atomic_load_n(&fail_alloc_armed,
							    __ATOMIC_RELAXED)),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&buddy_pcp_harts[cpu], h, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

void buddy_pcp_detach(unsigned int cpu)
{
	unsigned long irq = spin_lock_irqsave(&pcp_drain_lock);
	struct buddy_pcp_hart *h = buddy_pcp_harts[cpu];

	for (unsigned int z = 0; h && z < MAX_NR_ZONES; z++)
		VERIFY(h->zone[z].count == 0 && !h->zone[z].top);
	__atomic_store_n(&buddy_pcp_harts[cpu], NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

/*
 * Init (the boot hart alone runs): empty the lists of every hart
 * attached and attach the calling hart's (the host's harts: all of
 * them, from host_pcp[]). Bounds and kernel lists are those of no zone
 * yet (buddy_pcp_setup() sets them).
 */
void buddy_pcp_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
			INIT_LIST_HEAD(&pcp_handoff[cpu].list[z]);
#ifdef HOST_TEST
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		buddy_pcp_attach(cpu, &host_pcp[cpu]);
#else
	buddy_pcp_attach(cpu_id(), buddy_this_hart());
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct buddy_pcp_hart *h = buddy_pcp_of(cpu);

		if (h)
			buddy_pcp_attach(cpu, h);
	}
#endif
}

/*
 * Point every hart's GFP_KERNEL list (buddy_pcp_hart.kernel) at its
 * first zone's list, or at buddy_pcp_none while fail_alloc_armed is set
 * or while there is no zonelist (before init). Relaxed stores: a hart
 * that still sees the old pointer lets one more allocation past the
 * hooks, as one that still saw the old armed word did when the inline
 * path tested it.
 */
void buddy_pcp_sync_kernel(void)
{
	const struct zone *first = buddy.zl_kernel[0];
	unsigned int armed =
		__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED);
	unsigned long irq = spin_lock_irqsave(&pcp_drain_lock);

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct buddy_pcp_hart *h = buddy_pcp_harts[cpu];
		struct buddy_pcp *pcp = (struct buddy_pcp *)&buddy_pcp_none;

		if (!h)
			continue;
		if (first && !armed)
			pcp = &h->zone[first->index];
		__atomic_store_n(&h->kernel, pcp, __ATOMIC_RELAXED);
		__atomic_store_n(&h->slab_slot, pcp_slab_slot(cpu, armed),
				 __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

/*
 * page_trace on: every order-0 free leaves the fast path (its bound
 * drops to 0) for the out-of-line path, which names it once it is
 * done, as it does every free of a larger order. The fast path pays
 * nothing. The bounds are stored relaxed into every hart's lists (a
 * configuration change, the one time another hart writes them), under
 * pcp_drain_lock, so that a hart attached meanwhile gets them too.
 */
void buddy_set_trace_frees(bool on)
{
	unsigned long irq = spin_lock_irqsave(&pcp_drain_lock);

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &buddy.zones[z];

		__atomic_store_n(&zone->trace_frees, on, __ATOMIC_RELAXED);
		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
			struct buddy_pcp_hart *h = buddy_pcp_harts[cpu];

			if (h)
				__atomic_store_n(&h->zone[z].high,
						 on ? 0 : zone->pcp_high,
						 __ATOMIC_RELAXED);
		}
	}
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

void buddy_pcp_setup(void)
{
	unsigned long irq = spin_lock_irqsave(&pcp_drain_lock);

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (buddy_pcp_harts[cpu])
			pcp_reset(buddy_pcp_harts[cpu]);
	spin_unlock_irqrestore(&pcp_drain_lock, irq);
}

/*
 * Pages on the per-hart lists of zone z: each list's count read relaxed
 * (exact for that list at some instant; the sum is not one instant
 * while harts allocate).
 */
uint64_t buddy_zone_pcp_pages(const struct zone *z)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (buddy_pcp_of(cpu))
			n += __atomic_load_n(
				&buddy_pcp_of(cpu)->zone[z->index].count,
				__ATOMIC_RELAXED);
	return n;
}
