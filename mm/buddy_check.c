// SPDX-License-Identifier: BSD-2-Clause
/*
 * buddy_check(): the white-box checker of the buddy allocator.
 *
 * Theory of operation
 * -------------------
 * mm/buddy.c states the allocator's invariants I1..I10; this file walks
 * everything they constrain and prints one "buddy_check: I<n> ..." line
 * per violation (the first BUDDY_CHECK_MAX_PRINT of them, then a
 * count), citing the invariant:
 *
 *   ranges               I1   check_ranges()
 *   lookup tables        I10  check_sections(): base, every range's
 *                             encoded map, every section entry
 *   every descriptor     I2, I7, I8 (the walk in check_zone())
 *   every block          I3, I5, I8, I9  check_block()
 *   every free list      I4   check_list(), cycles bounded
 *   per-hart lists       I11  pcp_check_own() on each list's owner,
 *                             and PG_pcp descriptors in the walk
 *   zone counters        I4, I6
 *
 * It returns the number of violations instead of stopping at the first
 * (as Zephyr's heap validator does), changes nothing, and never follows
 * a pointer it has not first found inside a descriptor array, so a
 * corrupted list ends that list's walk rather than the kernel. Tests
 * call it after every step.
 *
 * Cost: O(present pages + NR_MEM_SECTIONS + free blocks).
 *
 * Locking: the ranges and lookup tables are written only by init and
 * are read with no lock. Each zone is walked (its ranges' descriptors,
 * its free lists, its counters) under its own lock, taken with
 * interrupts off and held for the whole walk, so that what is checked
 * is one consistent state even while other harts allocate and free in
 * that zone: a sound allocator shows no violation then either. (Owners'
 * flags on allocated pages may change during the walk; they are read
 * atomically and only the allocator's bits are judged.) Zones are
 * visited one at a time; violations are printed with the zone lock
 * held (printk_lock is below it in the lock order). The violation count
 * lives on the caller's stack, so harts may check at the same time.
 *
 * The per-hart lists have no lock (mm/buddy_pcp.c): each is walked by
 * its owner, in a cross-hart call (arch_call_each_cpu) that records
 * what it finds in the owner's slot of pcp_findings[] (it may not
 * print), and the caller prints the findings afterwards; check_lock
 * keeps one checker at a time on those slots. A page moves between
 * PG_head and PG_pcp on its owner's fast paths without the zone lock,
 * so the zone walk judges a PG_pcp descriptor only by what is fixed
 * while the zone lock is held (flags exactly PG_pcp, order 0, counted
 * as a free page of one); its poison and its list are the owner's
 * walk's. What neither walk can see while harts run is a PG_pcp page
 * on no list at all: the two walks see different instants, so their
 * totals are not compared.
 */
#include "mm/buddy.h"

#include <stdarg.h>

#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"

/* buddy_check() prints at most this many violations, then a summary. */
#define BUDDY_CHECK_MAX_PRINT 32

/* One run of buddy_check(). */
struct check {
	int bad; /* violations found */
};

static void __printf(2, 3) complain(struct check *c, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (c->bad++ >= BUDDY_CHECK_MAX_PRINT)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("buddy_check: %s\n", msg);
}

static void check_ranges(struct check *c)
{
	for (unsigned int i = 0; i < buddy.nr_ranges; i++) {
		const struct buddy_range *r = &buddy_ranges[i];
		pfn_t end = buddy_range_end(r);
		unsigned int zone = r->start_pfn < BUDDY_DMA32_END_PFN
					    ? ZONE_DMA32
					    : ZONE_NORMAL;

		if (r->nr_pages == 0 || !r->map)
			complain(c,
				 "I1 range %u at pfn 0x%lx is empty or has "
				 "no map",
				 i, r->start_pfn);
		if (r->map_bytes != r->nr_pages * sizeof(struct page))
			complain(c,
				 "I10 range %u map_bytes %lu, want %lu pages "
				 "of descriptors",
				 i, (unsigned long)r->map_bytes, r->nr_pages);
		if (i > 0 &&
		    buddy_range_end(&buddy_ranges[i - 1]) > r->start_pfn)
			complain(c,
				 "I1 range %u at pfn 0x%lx overlaps or "
				 "precedes range %u",
				 i, r->start_pfn, i - 1);
		if (buddy_range_zone(r) != zone ||
		    (r->start_pfn < BUDDY_DMA32_END_PFN &&
		     end > BUDDY_DMA32_END_PFN))
			complain(c,
				 "I1 range %u pfn [0x%lx, 0x%lx) zone %u "
				 "crosses 4 GiB or is in the wrong zone",
				 i, r->start_pfn, end, buddy_range_zone(r));
	}
}

/* I2 for map[i] of range ri. */
static inline void check_ids(struct check *c, unsigned int ri, pfn_t i)
{
	const struct buddy_range *r = &buddy_ranges[ri];
	const struct page *p = &r->map[i];

	if (unlikely(p->range != ri || p->zone != buddy_range_zone(r)))
		complain(c,
			 "I2 pfn 0x%lx names range %u zone %u, lies in range "
			 "%u zone %u",
			 r->start_pfn + i, p->range, p->zone, ri,
			 buddy_range_zone(r));
}

/*
 * I12 (policies other than binary): the tag of the block of `size`
 * pages headed at range r's page i names a split that exists if it is
 * a right block, whose left sibling then lies in the range; the pages
 * inside the block have tag 0.
 */
static void check_tags(struct check *c, const struct buddy_range *r, pfn_t i,
		       pfn_t size)
{
	const struct page *p = &r->map[i];
	uint8_t tag = *buddy_tag(r, i);
	unsigned int bcls, pcls;
	int64_t delta;

	if (buddy_tag_right(tag) &&
	    (!buddy_policy_buddy(&buddy.policy, p->order, tag, &delta, &bcls,
				 &pcls) ||
	     (pfn_t)-delta > i))
		complain(c,
			 "I12 block pfn 0x%lx: tag 0x%x of class %u names no "
			 "split inside its range",
			 r->start_pfn + i, tag, p->order);
	if (tag & ~(BUDDY_TAG_ID_MASK | BUDDY_TAG_MEM_MASK))
		complain(c, "I12 block pfn 0x%lx: tag 0x%x has unknown bits",
			 r->start_pfn + i, tag);
	for (pfn_t j = 1; j < size && j < r->nr_pages - i; j++)
		if (*buddy_tag(r, i + j)) {
			complain(c,
				 "I12 pfn 0x%lx inside block pfn 0x%lx has tag "
				 "0x%x",
				 r->start_pfn + i + j, r->start_pfn + i,
				 *buddy_tag(r, i + j));
			break;
		}
}

/* I5 (policies other than binary): the free block at i has no free buddy. */
static void check_buddy_class(struct check *c, const struct buddy_range *r,
			      pfn_t i)
{
	const struct page *p = &r->map[i];
	uint8_t tag = *buddy_tag(r, i);
	unsigned int bcls, pcls;
	const struct page *b;
	int64_t delta;
	pfn_t bi;

	if (!buddy_policy_buddy(&buddy.policy, p->order, tag, &delta, &bcls,
				&pcls))
		return;
	bi = (pfn_t)((int64_t)i + delta);
	if (bi >= r->nr_pages || buddy_class_size(bcls) > r->nr_pages - bi)
		return;
	b = &r->map[bi];
	if (buddy_page_flags(b) == PG_buddy && b->order == bcls &&
	    buddy_tag_partners(tag, *buddy_tag(r, bi)))
		complain(c,
			 "I5 free blocks pfn 0x%lx and 0x%lx of classes %u and "
			 "%u are buddies, not merged",
			 r->start_pfn + i, r->start_pfn + bi, p->order, bcls);
}

/*
 * Check the block headed at map[i], whose flags the caller read as fl
 * (I3, I5, I8, I9), and return how many pages it spans (at least 1).
 * fl is not read again: an order-0 head's owner may free it to its
 * per-hart list meanwhile (PG_head -> PG_pcp, no zone lock), and the
 * block is checked as it was at that one read.
 */
static pfn_t check_block(struct check *c, unsigned int ri, pfn_t i, uint32_t fl,
			 uint64_t *tally)
{
	const struct buddy_range *r = &buddy_ranges[ri];
	const struct page *p = &r->map[i];
	pfn_t pfn = r->start_pfn + i, size, j;
	bool free = fl & PG_buddy;
	const char *what = free ? "free" : "allocated";
	unsigned int o = p->order;

	if (free && fl != PG_buddy)
		complain(c, "I3 free head pfn 0x%lx has flags 0x%x", pfn, fl);
	if (!free && (fl & BUDDY_PG_STATE) != PG_head)
		complain(c, "I8 allocated head pfn 0x%lx has flags 0x%x", pfn,
			 fl);
	if (o >= buddy.nr_classes) {
		complain(c, "I%d %s head pfn 0x%lx has order %u > %u",
			 free ? 3 : 8, what, pfn, o, buddy.nr_classes - 1);
		return 1;
	}
	size = buddy_class_size(o);
	if (buddy.binary && !buddy_pfn_aligned(pfn, o))
		complain(c, "I%d %s block pfn 0x%lx not aligned to order %u",
			 free ? 3 : 8, what, pfn, o);
	if (size > r->nr_pages - i) {
		complain(c,
			 "I%d %s block pfn 0x%lx order %u runs past its range "
			 "end 0x%lx",
			 free ? 3 : 8, what, pfn, o, buddy_range_end(r));
		size = r->nr_pages - i;
	}
	if (!buddy.binary)
		check_tags(c, r, i, size);
	for (j = 1; j < size; j++) {
		/* The owner of an allocated block may change its flags. */
		uint32_t qf = buddy_page_flags(p + j);

		check_ids(c, ri, i + j);
		if (free ? qf != 0 : (qf & BUDDY_PG_STATE) != 0)
			complain(c,
				 "I%d pfn 0x%lx inside %s block pfn 0x%lx "
				 "order %u has flags 0x%x",
				 free ? 3 : 8, pfn + j, what, pfn, o, qf);
		else if (qf & ~BUDDY_PG_KNOWN)
			complain(c, "I8 pfn 0x%lx has unknown flags 0x%x",
				 pfn + j, qf);
	}
	if (!free)
		return size;

	if (p->private != BUDDY_FREE_POISON)
		complain(c,
			 "I9 free head pfn 0x%lx private 0x%lx, not poison "
			 "0x%lx",
			 pfn, (unsigned long)p->private,
			 (unsigned long)BUDDY_FREE_POISON);
	if (!buddy.binary)
		check_buddy_class(c, r, i);
	else if (o < MAX_ORDER) {
		pfn_t b = buddy_buddy_pfn(pfn, o);

		if (b - r->start_pfn < r->nr_pages &&
		    buddy_page_flags(&r->map[b - r->start_pfn]) == PG_buddy &&
		    r->map[b - r->start_pfn].order == o)
			complain(c,
				 "I5 free blocks pfn 0x%lx and 0x%lx of order "
				 "%u are buddies, not merged",
				 pfn, b, o);
	}
	tally[o]++;
	return size;
}

/* Walk one free list (I4); return its length. */
static uint64_t check_list(struct check *c, unsigned int zi, unsigned int o,
			   uint64_t limit)
{
	const struct list_head *head = &buddy.zones[zi].free_area[o].free_list;
	const char *zn = buddy.zones[zi].name;
	const struct list_head *e, *prev = head;
	uint64_t n = 0;

	for (e = head->next; e != head; prev = e, e = e->next) {
		const struct page *p = list_entry(e, struct page, lru);
		pfn_t idx;
		const struct buddy_range *r = buddy_desc_range(p, &idx);

		if (!r) {
			complain(c,
				 "I4 zone %s order %u: entry %p is not a page "
				 "descriptor",
				 zn, o, (const void *)e);
			return n;
		}
		if (e->prev != prev)
			complain(c,
				 "I4 zone %s order %u: pfn 0x%lx prev link "
				 "broken",
				 zn, o, r->start_pfn + idx);
		uint32_t fl = buddy_page_flags(p);

		if (fl != PG_buddy || p->order != o ||
		    buddy_range_zone(r) != zi)
			complain(c,
				 "I4 zone %s order %u: pfn 0x%lx flags 0x%x "
				 "order %u zone %u on the wrong list",
				 zn, o, r->start_pfn + idx, fl, p->order,
				 buddy_range_zone(r));
		if (++n > limit) {
			complain(c,
				 "I4 zone %s order %u: list longer than %lu, "
				 "cycle?",
				 zn, o, limit);
			return n;
		}
	}
	if (head->prev != prev)
		complain(c, "I4 zone %s order %u: head prev link broken", zn,
			 o);
	return n;
}

/*
 * Findings of the per-hart list walks (I11), one slot per hart, written
 * by that hart in the cross-hart call and printed by the checker, which
 * holds check_lock meanwhile. The first PCP_FINDINGS_MAX of a hart's
 * findings are kept and the rest counted.
 */
#define PCP_FINDINGS_MAX 4

enum pcp_finding_kind {
	PCP_NOT_DESC, /* a: the entry */
	PCP_WRONG, /* pfn, a: flags, b: zone */
	PCP_STATE, /* pfn, a: order, b: private */
	PCP_CYCLE, /* a: the limit */
	PCP_COUNT, /* a: length, b: count */
};

struct pcp_finding {
	uint8_t kind, zone;
	pfn_t pfn;
	uint64_t a, b;
};

static struct {
	unsigned int n; /* findings, kept or not */
	struct pcp_finding f[PCP_FINDINGS_MAX];
} pcp_findings[NR_CPUS];
static DEFINE_SPINLOCK(check_lock);

static void pcp_note(unsigned int cpu, enum pcp_finding_kind kind,
		     unsigned int zi, pfn_t pfn, uint64_t a, uint64_t b)
{
	unsigned int i = pcp_findings[cpu].n++;

	if (i < PCP_FINDINGS_MAX)
		pcp_findings[cpu].f[i] = (struct pcp_finding){
			.kind = (uint8_t)kind,
			.zone = (uint8_t)zi,
			.pfn = pfn,
			.a = a,
			.b = b,
		};
}

/*
 * Walk this hart's stack for zone zi (I11): every entry a PG_pcp, order
 * 0, poisoned descriptor of the zone, the length equal to count and at
 * most the zone's pcp_high. At most limit entries are followed (a cycle
 * ends the walk), and none that is not a descriptor in a descriptor
 * array. On the list's owner, interrupts off: notes, never prints.
 */
static void pcp_walk_own(unsigned int cpu, unsigned int zi, uint64_t limit)
{
	const struct buddy_pcp *pcp = &buddy_this_hart()->zone[zi];
	const struct zone *z = &buddy.zones[zi];
	const struct page *p;
	uint64_t n = 0;

	for (p = pcp->top; p; p = p->pcp_next) {
		pfn_t idx;
		const struct buddy_range *r = buddy_desc_range(p, &idx);

		if (!r) {
			pcp_note(cpu, PCP_NOT_DESC, zi, 0, (uintptr_t)p, 0);
			return;
		}
		if (buddy_page_flags(p) != PG_pcp || buddy_range_zone(r) != zi)
			pcp_note(cpu, PCP_WRONG, zi, r->start_pfn + idx,
				 buddy_page_flags(p), buddy_range_zone(r));
		else if (p->order != 0 || p->private != BUDDY_PCP_POISON)
			pcp_note(cpu, PCP_STATE, zi, r->start_pfn + idx,
				 p->order, p->private);
		if (++n > limit) {
			pcp_note(cpu, PCP_CYCLE, zi, 0, limit, 0);
			return;
		}
	}
	if (n != pcp->count || n > z->pcp_high)
		pcp_note(cpu, PCP_COUNT, zi, 0, n, pcp->count);
}

/* The cross-hart share: walk this hart's lists; arg bounds each walk. */
static void pcp_check_own(void *arg)
{
	unsigned int cpu = cpu_id();

	pcp_findings[cpu].n = 0;
	/* A hart whose lists are not attached has none to walk. */
	for (unsigned int zi = 0; buddy_this_hart() && zi < MAX_NR_ZONES; zi++)
		pcp_walk_own(cpu, zi, *(const uint64_t *)arg);
}

/* Print what hart cpu's walk found. */
static void pcp_report(struct check *c, unsigned int cpu)
{
	unsigned int n = pcp_findings[cpu].n;

	for (unsigned int i = 0; i < n; i++) {
		const struct pcp_finding *f = &pcp_findings[cpu].f[i];
		const char *zn = buddy.zones[f->zone].name;

		if (i >= PCP_FINDINGS_MAX) {
			complain(c, "I11 hart %u: %u more findings", cpu,
				 n - PCP_FINDINGS_MAX);
			c->bad += (int)(n - PCP_FINDINGS_MAX - 1);
			return;
		}
		switch (f->kind) {
		case PCP_NOT_DESC:
			complain(c,
				 "I11 zone %s hart %u: entry 0x%lx is not a "
				 "page descriptor",
				 zn, cpu, (unsigned long)f->a);
			break;
		case PCP_WRONG:
			complain(c,
				 "I11 zone %s hart %u: pfn 0x%lx flags 0x%lx "
				 "zone %lu on the wrong list",
				 zn, cpu, f->pfn, (unsigned long)f->a,
				 (unsigned long)f->b);
			break;
		case PCP_STATE:
			complain(c,
				 "I11 zone %s hart %u: pcp pfn 0x%lx order %lu "
				 "private 0x%lx",
				 zn, cpu, f->pfn, (unsigned long)f->a,
				 (unsigned long)f->b);
			break;
		case PCP_CYCLE:
			complain(c,
				 "I11 zone %s hart %u: list longer than %lu, "
				 "cycle?",
				 zn, cpu, (unsigned long)f->a);
			break;
		default:
			complain(c,
				 "I11 zone %s hart %u: list holds %lu, count "
				 "%lu, high %u",
				 zn, cpu, (unsigned long)f->a,
				 (unsigned long)f->b,
				 buddy.zones[f->zone].pcp_high);
			break;
		}
	}
}

/* I11 on every hart's lists, each walked by its owner. */
static void check_pcp_lists(struct check *c, uint64_t present)
{
	unsigned long irq = spin_lock_irqsave(&check_lock);

	arch_call_each_cpu(pcp_check_own, &present);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		pcp_report(c, cpu);
	spin_unlock_irqrestore(&check_lock, irq);
}

/* I10: the lookup tables of mm/buddy.h agree with the ranges. */
static void check_sections(struct check *c)
{
	const struct mem_sections *ms = &mem_sections;
	const struct buddy_range *first = &buddy_ranges[0];
	const struct buddy_range *last = &buddy_ranges[buddy.nr_ranges - 1];
	pfn_t base = ALIGN_DOWN(first->start_pfn, SECTION_PAGES);
	uintptr_t base_va = (uintptr_t)phys_to_virt(pfn_to_paddr(base));
	unsigned int ri = 0;

	if (ms->base_pfn != base || ms->base_va != base_va)
		complain(c,
			 "I10 base pfn 0x%lx va 0x%lx, want pfn 0x%lx va "
			 "0x%lx",
			 ms->base_pfn, (unsigned long)ms->base_va, base,
			 (unsigned long)base_va);
	if (buddy_range_end(last) - base > NR_MEM_SECTIONS * SECTION_PAGES)
		complain(c,
			 "I10 RAM up to pfn 0x%lx lies beyond the %lu sections "
			 "from pfn 0x%lx",
			 buddy_range_end(last), NR_MEM_SECTIONS, base);
	for (unsigned int i = 0; i < BUDDY_MAX_RANGES; i++) {
		const struct page *want = NULL;

		if (i < buddy.nr_ranges)
			want = buddy_range_encode(&buddy_ranges[i], base);
		if (ms->range_map[i] != want)
			complain(c, "I10 range %u encoded map %p, want %p", i,
				 (const void *)ms->range_map[i],
				 (const void *)want);
	}
	/* The inline free indexes every slot a range byte can name. */
	for (unsigned int i = buddy.nr_ranges; i < BUDDY_RANGE_SLOTS; i++)
		if (buddy_ranges[i].nr_pages || buddy_ranges[i].map ||
		    buddy_ranges[i].map_bytes)
			complain(c,
				 "I10 range slot %u past the last range holds "
				 "%lu pages at %p",
				 i, buddy_ranges[i].nr_pages,
				 (const void *)buddy_ranges[i].map);
	/* Ranges are sorted (I1): one pass over sections and ranges. */
	for (unsigned long s = 0; s < NR_MEM_SECTIONS; s++) {
		pfn_t lo = base + (s << SECTION_PFN_SHIFT);
		pfn_t hi = lo + SECTION_PAGES;
		const struct buddy_range *r = NULL;
		const struct page *want = NULL;

		while (ri < buddy.nr_ranges &&
		       buddy_range_end(&buddy_ranges[ri]) <= lo)
			ri++;
		if (ri < buddy.nr_ranges)
			r = &buddy_ranges[ri];
		if (r && r->start_pfn <= lo && buddy_range_end(r) >= hi)
			want = buddy_range_encode(r, base);
		if (ms->section_map[s] != want)
			complain(c,
				 "I10 section %lu pfn [0x%lx, 0x%lx) entry %p, "
				 "want %p (%s)",
				 s, lo, hi, (const void *)ms->section_map[s],
				 (const void *)want,
				 want ? "whole in one range"
				      : "not wholly RAM of one range");
	}
}

/* Range r's zone index, or 0 if r names no zone (check_ranges says so). */
static unsigned int range_zone_index(const struct buddy_range *r)
{
	unsigned int zi = buddy_range_zone(r);

	return zi < MAX_NR_ZONES ? zi : 0;
}

/*
 * Everything zone zi's lock protects: the descriptors of its ranges
 * (I2, I3, I5, I7, I8, I9), its free lists (I4) and counters (I4, I6).
 * present bounds a list walk (a cycle ends it).
 */
static void check_zone(struct check *c, unsigned int zi, uint64_t present)
{
	struct zone *z = &buddy.zones[zi];
	uint64_t tally[BUDDY_NR_CLASSES] = { 0 };
	uint64_t managed = 0, free = 0, pcp_pages = 0;
	unsigned long irq = spin_lock_irqsave(&z->lock);

	for (unsigned int ri = 0; ri < buddy.nr_ranges; ri++) {
		const struct buddy_range *r = &buddy_ranges[ri];

		if (range_zone_index(r) != zi)
			continue;
		for (pfn_t i = 0; i < r->nr_pages;) {
			const struct page *p = &r->map[i];
			uint32_t fl = buddy_page_flags(p);
			pfn_t n = 1;

			check_ids(c, ri, i);
			if (fl & ~BUDDY_PG_KNOWN)
				complain(c,
					 "I8 pfn 0x%lx has unknown flags 0x%x",
					 r->start_pfn + i, fl);
			if (!buddy.binary && (fl & PG_reserved) &&
			    *buddy_tag(r, i))
				complain(c,
					 "I12 reserved pfn 0x%lx has tag 0x%x",
					 r->start_pfn + i, *buddy_tag(r, i));
			if (fl & PG_reserved) {
				if (fl != PG_reserved)
					complain(c,
						 "I7 reserved pfn 0x%lx has "
						 "flags 0x%x",
						 r->start_pfn + i, fl);
				i++;
				continue;
			}
			if (fl & PG_pcp) {
				/* Poison and list: the owner's walk. */
				if (fl != PG_pcp || p->order != 0)
					complain(c,
						 "I11 pcp pfn 0x%lx flags 0x%x "
						 "order %u",
						 r->start_pfn + i, fl,
						 p->order);
				pcp_pages++;
			} else if (fl & (PG_buddy | PG_head))
				n = check_block(c, ri, i, fl, tally);
			else
				complain(c,
					 "I8 pfn 0x%lx (flags 0x%x) is in no "
					 "block",
					 r->start_pfn + i, fl);
			managed += n;
			i += n;
		}
	}

	for (unsigned int o = 0; o < BUDDY_NR_CLASSES; o++) {
		uint64_t n = check_list(c, zi, o, present);
		uint64_t want = o < buddy.nr_classes ? tally[o] : 0;

		if (n != z->free_area[o].nr_free || n != want)
			complain(c,
				 "I4 zone %s order %u: list holds %lu, "
				 "nr_free %lu, descriptors show %lu",
				 z->name, o, n, z->free_area[o].nr_free, want);
		if (o < buddy.nr_classes)
			free += z->free_area[o].nr_free * buddy_class_size(o);
	}
	free += pcp_pages;
	if (free > z->managed_pages)
		complain(c,
			 "I6 zone %s has %lu free pages, more than the "
			 "%lu it manages",
			 z->name, free, z->managed_pages);
	if (managed != z->managed_pages)
		complain(c, "I6 zone %s managed %lu, descriptors show %lu",
			 z->name, z->managed_pages, managed);
	spin_unlock_irqrestore(&z->lock, irq);
}

int buddy_check(void)
{
	struct check c = { 0 };
	uint64_t present = 0;

	if (!buddy.ready)
		return 0;
	check_ranges(&c);
	check_sections(&c);
	for (unsigned int ri = 0; ri < buddy.nr_ranges; ri++)
		present += buddy_ranges[ri].nr_pages;
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
		check_zone(&c, zi, present);
	check_pcp_lists(&c, present);
	if (c.bad > BUDDY_CHECK_MAX_PRINT)
		printk("buddy_check: %d violations, %d not printed\n", c.bad,
		       c.bad - BUDDY_CHECK_MAX_PRINT);
	return c.bad;
}
