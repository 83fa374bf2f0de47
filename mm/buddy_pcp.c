// SPDX-License-Identifier: BSD-2-Clause
/*
 * The per-hart page lists of the buddy allocator: their refill, drain
 * and statistics. The fast paths that use them are in mm/buddy.c,
 * inline with the zone paths they fall back to.
 *
 * Theory of operation
 * -------------------
 * Per-hart page lists (pcp, Linux's per-CPU pages)
 *   Order-0 pages, and only those, go through a per-hart, per-zone list
 *   of free pages, buddy_pcp[cpu_id()].zone[z]: an allocation pops the
 *   hottest page, a free pushes it, neither touching the zone. An empty
 *   list is refilled with pcp_batch pages taken under the zone lock
 *   once; a free that takes the list past pcp_high gives the pcp_batch
 *   coldest pages back (merging them) under the zone lock once. Per
 *   zone, as Linux has it: a GFP_DMA32 allocation takes its zone's list
 *   only, so it still never gets a page at or above 4 GiB, and every
 *   zone keeps its own pages. batch = min(32, managed >> 10), high = 4 x
 *   batch (32 and 128 pages on a 1 GiB zone: at most 512 KiB cached per
 *   hart and zone); a zone under 4 MiB gets 0 and every call passes
 *   through to it. Cached pages are free: buddy_stats() and meminfo
 *   count them in free and show them as pcp; buddyinfo adds pcp=<n> per
 *   zone and its histogram shows the free lists alone.
 *
 *   A cached page is PG_pcp, order 0, private BUDDY_PCP_POISON (I11):
 *   neither free in a free area (PG_buddy, which only merging and
 *   rmqueue touch) nor allocated (PG_head), so a second free of it is a
 *   double free, and buddy_check() verifies the lists. The free's
 *   claim of a head (PG_head -> PG_pcp, or PG_head -> 0 for larger
 *   orders under the zone lock) is a compare-and-swap on page->flags:
 *   two harts freeing the same page into their own lists hold no common
 *   lock, and one of them must lose and report.
 *
 *   Drain before fail: an allocation that finds no block first gives
 *   each zone this hart's cached pages before falling back to the next
 *   zone, then drains this hart's lists (GFP_ATOMIC and any caller
 *   without __GFP_RECLAIM) or every hart's (__GFP_RECLAIM, e.g.
 *   GFP_KERNEL) and tries every allowed zone once more. There is no
 *   emergency reserve: __GFP_HIGH changes nothing (mm/gfp.h).
 *
 *   Why a lock per list: another hart must be able to drain a list
 *   (drain before fail, buddy_drain_all_pages) and check it, and mm has
 *   no way to make a remote hart run code (no IPI, no work queue). So,
 *   as in Linux 6.x (pcp->lock), each list has a lock taken by its
 *   owner on every order-0 call and by a remote hart only to drain,
 *   count or check it. It is a test-and-set word in the list's own
 *   cache line (buddy_pcp_hart is one 64-byte line per hart), not a
 *   ticket lock: uncontended it is one amoswap.w.aq to take and a
 *   fence + store to drop, and in the steady state the line stays in
 *   its owner's cache, so the fast path writes no shared line. The cost
 *   against an owner-only list is those three instructions per call
 *   and, while a remote hart drains, a short spin by the owner.
 *   Interrupts are off while a list lock is held, so an interrupt
 *   handler cannot find its own hart's list locked.
 *
 * Invariant I11 (mm/buddy.c states all of them; buddy_check cites it):
 * a cached page is PG_pcp, order 0, private BUDDY_PCP_POISON, on
 * exactly one list, that of its zone, and on no free_area list; a
 * list's count is its length and at most its zone's pcp_high.
 *
 * Locking: pcp->lock before zone->lock (mm/buddy.c, "Locking"). Refill
 * and drain run with the list's lock held and interrupts off and take
 * the zone's lock once per batch. A remote drain or count takes one
 * list lock at a time.
 *
 * Failure modes: none of its own. A refill from an empty zone returns
 * NULL and the caller falls back or fails; corrupted list metadata
 * trips an ASSERT (debug) or buddy_check().
 */
#include "lib/assert.h"
#include "lib/cpu.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"

struct buddy_pcp_hart buddy_pcp[NR_CPUS];

void buddy_pcp_lock_wait(struct buddy_pcp *pcp)
{
	unsigned long spins = 0;

	do {
		while (__atomic_load_n(&pcp->lock, __ATOMIC_RELAXED))
			if (++spins % SPIN_YIELD_EVERY)
				cpu_relax();
			else
				cpu_yield();
	} while (__atomic_exchange_n(&pcp->lock, 1, __ATOMIC_ACQUIRE));
}

/*
 * Give the n coldest pages of pcp (the list's tail) back to zone z,
 * under z->lock taken once. pcp's lock held, interrupts off.
 */
void buddy_pcp_drain(struct zone *z, struct buddy_pcp *pcp, uint32_t n)
{
	uint32_t count = pcp->count;

	if (n > count)
		n = count;
	if (!n)
		return;
	spin_lock(&z->lock);
	for (uint32_t i = 0; i < n; i++) {
		struct page *page =
			list_entry(pcp->list.prev, struct page, lru);
		const struct buddy_range *r = &buddy.ranges[page->range];

		ASSERT(buddy_page_flags(page) == PG_pcp); /* I11 */
		list_del(&page->lru);
		buddy_free_one(z, r, page,
			       r->start_pfn + (pfn_t)(page - r->map), 0);
	}
	spin_unlock(&z->lock);
	buddy_pcp_set_count(pcp, count - n);
}

/*
 * pcp is empty: take max(batch, 1) order-0 pages from zone z under its
 * lock taken once, cache all but the first and return that one as an
 * allocated page; NULL if z has none. pcp's lock held, interrupts off.
 */
struct page *buddy_pcp_refill(struct zone *z, struct buddy_pcp *pcp)
{
	uint32_t n = 0, want = z->pcp_batch;
	struct page *page, *p;

	spin_lock(&z->lock);
	page = buddy_rmqueue(z, 0);
	if (page)
		for (; n + 1 < want && (p = buddy_rmqueue(z, 0)); n++) {
			buddy_set_page_flags(p, PG_pcp);
			p->private = BUDDY_PCP_POISON;
			list_add_tail(&p->lru, &pcp->list);
		}
	spin_unlock(&z->lock);
	buddy_pcp_set_count(pcp, pcp->count + n);
	return page;
}

/* Drain every list of one hart (remote or not), one lock at a time. */
static void pcp_drain_hart(unsigned int cpu)
{
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct buddy_pcp *pcp = &buddy_pcp[cpu].zone[zi];
		unsigned long irq;

		irq = cpu_irq_save();
		buddy_pcp_lock(pcp);
		buddy_pcp_drain(&buddy.zones[zi], pcp, pcp->count);
		buddy_pcp_unlock(pcp);
		cpu_irq_restore(irq);
	}
}

void buddy_drain_local_pages(void)
{
	if (buddy.ready)
		pcp_drain_hart(cpu_id());
}

void buddy_drain_all_pages(void)
{
	if (!buddy.ready)
		return;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		pcp_drain_hart(cpu);
}

/*
 * Pages on the per-hart lists of zone z, each list's count read under
 * its lock (the sum is not one instant while harts allocate).
 */
uint64_t buddy_zone_pcp_pages(const struct zone *z)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct buddy_pcp *pcp = &buddy_pcp[cpu].zone[z->index];
		unsigned long irq = cpu_irq_save();

		buddy_pcp_lock(pcp);
		n += pcp->count;
		buddy_pcp_unlock(pcp);
		cpu_irq_restore(irq);
	}
	return n;
}
