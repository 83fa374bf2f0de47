// SPDX-License-Identifier: BSD-2-Clause
/*
 * The buddy allocator's set-up and introspection: building the ranges,
 * descriptors, section tables, zones and zone lists from memblock at
 * boot, the policy chosen with buddy=, and the statistics (buddy_stats,
 * meminfo, buddyinfo). The allocation and free paths are in mm/buddy.c.
 *
 * Theory of operation
 * -------------------
 * mm/buddy.c states the data structures, invariants (I1..I12) and
 * locking; this file establishes them once. buddy_init_from_memblock()
 * cuts memblock's memory at 4 GiB into ranges (I1), allocates each
 * range's descriptors (and, under a policy other than binary, its tag
 * bytes) from memblock, fills the section tables (I10), writes the
 * first word of every descriptor (I2, I7) and carves every free run
 * into the largest aligned blocks (I3..I5, I8, I9), then sizes the
 * per-hart lists (mm/buddy_pcp.c) from each zone's managed pages.
 *
 * Locking: init runs on the boot hart before any other hart starts
 * (memblock asserts it) and takes no lock; what it writes is read with
 * no lock afterwards (mm/buddy.c, "Locking"). The statistics take each
 * zone's lock in turn and read the per-hart lists' counts relaxed, so
 * each zone's figures are consistent and their sum is not one instant
 * while other harts allocate.
 *
 * Failure modes: no memory for the descriptors, more than
 * BUDDY_MAX_RANGES ranges, or RAM spanning more than NR_MEM_SECTIONS
 * sections from the first range: panic with the ranges involved.
 */
#include "mm/buddy.h"

#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/trace.h"

/* buddy=<policy>: survives buddy_init_from_memblock()'s reset. */
static enum buddy_policy_id boot_policy = BUDDY_POLICY_BINARY;

/* Printed in the spinlock's BUG lines. */
static const char *const zone_lock_names[MAX_NR_ZONES] = {
	[ZONE_DMA32] = "zone DMA32",
	[ZONE_NORMAL] = "zone Normal",
};

/* ---------------------------------------------------------- policies */

int buddy_select_policy(enum buddy_policy_id id)
{
	if ((unsigned int)id >= BUDDY_NR_POLICIES)
		return -EINVAL;
	boot_policy = id;
	return 0;
}

const struct buddy_policy *buddy_active_policy(void)
{
	return &buddy.policy;
}

bool buddy_blocks_aligned(void)
{
	return buddy.binary;
}

unsigned int buddy_nr_classes(void)
{
	return buddy.nr_classes;
}

uint64_t buddy_class_pages(unsigned int cls)
{
	return cls < buddy.nr_classes ? buddy_class_size(cls) : 0;
}

uint64_t buddy_block_pages_of(const struct page *page)
{
	if (!page || !(buddy_page_flags(page) & PG_head) ||
	    page->order >= buddy.nr_classes)
		return 0;
	return buddy_class_size(page->order);
}

uint64_t buddy_order_pages(unsigned int order)
{
	if (order > MAX_ORDER)
		return 0;
	return buddy.binary ? buddy_block_pages(order)
			    : buddy_class_size(buddy.order_class[order]);
}

unsigned int buddy_block_order(const struct page *page)
{
	if (buddy.binary || page->order >= buddy.nr_classes)
		return page->order;
	return buddy.class_order[page->order];
}

/* --------------------------------------------------------------- init */

/*
 * Write the descriptors of pfns [from, to) of range ri (I2). This is
 * most of the cost of init, so each descriptor costs one store: its
 * first word (flags, order, zone, range), all that any check reads of
 * a page that heads no block. lru and private are left as memory had
 * them: the allocator writes both on every block head it links (I9,
 * I11) and private on every head it hands out; the other pages' are
 * their owners' (mm/page.h), which set what they use (slab's page->slab
 * on every page of a slab, vmalloc's private on every frame).
 */
static void init_descs(unsigned int ri, pfn_t from, pfn_t to, uint32_t flags)
{
	const struct buddy_range *r = &buddy_ranges[ri];
	const struct page tmpl = {
		.flags = flags,
		.zone = (uint8_t)buddy_range_zone(r),
		.range = (uint8_t)ri,
	};
	union page_words {
		struct page page;
		uint64_t w[4];
	} t = { .page = tmpl };
	union page_words *p = (union page_words *)&r->map[from - r->start_pfn];
	union page_words *end = (union page_words *)&r->map[to - r->start_pfn];
	const uint64_t w0 = t.w[0];

#pragma GCC unroll 8
	for (; p < end; p++)
		p->w[0] = w0;
}

/* Give the free pfns [pfn, end) of range r to its zone, largest first. */
static void release_range(const struct buddy_range *r, pfn_t pfn, pfn_t end)
{
	struct zone *z = r->zone;

	if (!buddy.binary) {
		buddy_release_classes(r, pfn, end);
		return;
	}
	z->managed_pages += end - pfn;
	while (pfn < end) {
		unsigned int order = buddy_fit_order(pfn, end);
		struct page *page = &r->map[pfn - r->start_pfn];

		buddy_link_free(z, page, order);
		/* Lowest addresses first, as allocation takes from the front. */
		list_del(&page->lru);
		list_add_tail(&page->lru, &z->free_area[order].free_list);
		pfn += buddy_block_pages(order);
	}
}

/* Cut memblock's memory ranges at 4 GiB into buddy ranges (I1). */
static void make_ranges(void)
{
	struct prange mr;

	for (unsigned int i = 0; memblock_memory_range(i, &mr); i++) {
		pfn_t pfn = paddr_to_pfn(mr.start);
		pfn_t end = paddr_to_pfn(mr.end);

		while (pfn < end) {
			pfn_t stop = end;
			struct buddy_range *r;

			if (pfn < BUDDY_DMA32_END_PFN &&
			    end > BUDDY_DMA32_END_PFN)
				stop = BUDDY_DMA32_END_PFN;
			if (buddy.nr_ranges == BUDDY_MAX_RANGES)
				panic("buddy_init_from_memblock: more than %u "
				      "ranges at [mem 0x%016lx-0x%016lx]",
				      BUDDY_MAX_RANGES, mr.start, mr.end - 1);
			r = &buddy_ranges[buddy.nr_ranges++];
			r->start_pfn = pfn;
			r->nr_pages = stop - pfn;
			r->map_bytes = r->nr_pages * sizeof(struct page);
			r->zone = &buddy.zones[pfn < BUDDY_DMA32_END_PFN
						       ? ZONE_DMA32
						       : ZONE_NORMAL];
			r->zone->present_pages += r->nr_pages;
			pfn = stop;
		}
	}
	if (buddy.nr_ranges == 0)
		panic("buddy_init_from_memblock: no usable memory");
}

/*
 * Each range's descriptors, and under a policy other than binary its
 * tag bytes right after them (mm/buddy_classes.c), in one allocation:
 * a separate one would cost a page per range, memblock's granule.
 */
static void alloc_maps(void)
{
	for (unsigned int i = 0; i < buddy.nr_ranges; i++) {
		struct buddy_range *r = &buddy_ranges[i];
		uint64_t tags = buddy.binary ? 0 : r->nr_pages;
		uint64_t bytes = r->nr_pages * sizeof(struct page) + tags;
		paddr_t pa = memblock_alloc(bytes, PAGE_SIZE, 0);

		if (pa == PADDR_INVALID)
			panic("buddy_init_from_memblock: no memory for %lu "
			      "descriptors%s of [mem 0x%016lx-0x%016lx]",
			      r->nr_pages, tags ? " and tags" : "",
			      pfn_to_paddr(r->start_pfn),
			      pfn_to_paddr(buddy_range_end(r)) - 1);
		r->map = phys_to_virt(pa);
		buddy.desc_bytes += bytes;
		if (tags) {
			buddy.tags[i] = (uint8_t *)(r->map + r->nr_pages);
			memset(buddy.tags[i], 0, tags);
		}
	}
}

/*
 * Fill mem_sections from the ranges (I10). Sections are whole when a
 * range covers them from end to end; the 4 GiB cut is on a section
 * boundary, so it never makes a section partial.
 */
static void build_sections(void)
{
	const struct buddy_range *last = &buddy_ranges[buddy.nr_ranges - 1];
	pfn_t base = ALIGN_DOWN(buddy_ranges[0].start_pfn, SECTION_PAGES);

	if (buddy_range_end(last) - base > NR_MEM_SECTIONS * SECTION_PAGES)
		panic("buddy_init_from_memblock: RAM [mem 0x%016lx-0x%016lx] "
		      "spans more than %lu sections of 128 MiB",
		      pfn_to_paddr(buddy_ranges[0].start_pfn),
		      pfn_to_paddr(buddy_range_end(last)) - 1, NR_MEM_SECTIONS);
	mem_sections.base_pfn = base;
	mem_sections.base_va = (uintptr_t)phys_to_virt(pfn_to_paddr(base));
	for (unsigned int ri = 0; ri < buddy.nr_ranges; ri++) {
		const struct buddy_range *r = &buddy_ranges[ri];
		struct page *enc = buddy_range_encode(r, base);
		pfn_t s = ALIGN_UP(r->start_pfn - base, SECTION_PAGES);
		pfn_t e = ALIGN_DOWN(buddy_range_end(r) - base, SECTION_PAGES);

		mem_sections.range_map[ri] = enc;
		for (; s < e; s += SECTION_PAGES)
			mem_sections.section_map[s >> SECTION_PFN_SHIFT] = enc;
	}
}

static void build_zonelists(void)
{
	unsigned int n = 0;

	if (buddy.zones[ZONE_NORMAL].present_pages)
		buddy.zl_kernel[n++] = &buddy.zones[ZONE_NORMAL];
	if (buddy.zones[ZONE_DMA32].present_pages)
		buddy.zl_kernel[n++] = &buddy.zones[ZONE_DMA32];
	buddy.zl_kernel[n] = NULL;
	buddy.zl_dma32[0] = buddy.zones[ZONE_DMA32].present_pages
				    ? &buddy.zones[ZONE_DMA32]
				    : NULL;
	buddy.zl_dma32[1] = NULL;
}

/*
 * Runs on the boot hart before the other harts start (memblock_alloc
 * and memblock_close assert it), so it takes no locks: it writes
 * everything the "Locking" section calls init only.
 */
void buddy_init_from_memblock(void)
{
	struct prange fr;
	unsigned int fi = 0;
	bool have;

	/*
	 * Slots past nr_ranges stay empty: the inline free relies on it.
	 * Only an earlier init (the host tests) can have filled any.
	 */
	memset(buddy_ranges, 0, buddy.nr_ranges * sizeof(buddy_ranges[0]));
	memset(&buddy, 0, sizeof(buddy));
	buddy_classes_init(boot_policy);
	memset(&mem_sections, 0, sizeof(mem_sections));
	buddy_pcp_init();
	buddy_reset_fail_ratelimit();
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		buddy.zones[z].name = buddy_zone_name(z);
		buddy.zones[z].index = z;
		buddy.zones[z].binary = buddy.binary;
		buddy.zones[z].trace_frees = mm_trace_enabled(MM_TRACE_PAGES);
		spin_lock_init(&buddy.zones[z].lock, zone_lock_names[z]);
		for (unsigned int c = 0; c < BUDDY_NR_CLASSES; c++)
			INIT_LIST_HEAD(&buddy.zones[z].free_area[c].free_list);
	}
	make_ranges();
	alloc_maps();
	build_sections();

	/*
	 * One pass per range over memblock's free ranges (sorted): the gaps
	 * are reserved pages (I7), the free runs become blocks.
	 */
	have = memblock_free_range(fi, &fr);
	for (unsigned int ri = 0; ri < buddy.nr_ranges; ri++) {
		const struct buddy_range *r = &buddy_ranges[ri];
		pfn_t pfn = r->start_pfn, end = buddy_range_end(r);

		while (pfn < end) {
			pfn_t fs = end, fe;

			while (have && paddr_to_pfn(fr.end) <= pfn)
				have = memblock_free_range(++fi, &fr);
			if (have) {
				fs = MAX(paddr_to_pfn(fr.start), pfn);
				fs = MIN(fs, end);
			}
			init_descs(ri, pfn, fs, PG_reserved);
			if (fs == end)
				break;
			fe = MIN(paddr_to_pfn(fr.end), end);
			init_descs(ri, fs, fe, 0);
			release_range(r, fs, fe);
			pfn = fe;
		}
	}
	memblock_close();
	build_zonelists();
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &buddy.zones[z];

		zone->pcp_batch =
			(unsigned int)MIN((uint64_t)BUDDY_PCP_BATCH_MAX,
					  zone->managed_pages >> 10);
		zone->pcp_high = zone->pcp_batch * BUDDY_PCP_HIGH_BATCHES;
	}
	buddy_pcp_setup();
	buddy.ready = true;
}

/* ------------------------------------------------------ introspection */

/*
 * Free pages of z (I6): its free lists under its lock, plus the pages on
 * its per-hart lists (relaxed reads of their owners' counts).
 */
static uint64_t zone_free_pages(struct zone *z)
{
	unsigned long irq = spin_lock_irqsave(&z->lock);
	uint64_t free = 0;

	for (unsigned int c = 0; c < buddy.nr_classes; c++)
		free += z->free_area[c].nr_free * buddy_class_size(c);
	spin_unlock_irqrestore(&z->lock, irq);
	return free + buddy_zone_pcp_pages(z);
}

/*
 * Each zone's figures are a consistent snapshot; the sum over zones is
 * not one instant when other harts allocate meanwhile.
 */
void buddy_stats(struct buddy_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		st->present += buddy.zones[z].present_pages;
		st->managed += buddy.zones[z].managed_pages;
		st->free += zone_free_pages(&buddy.zones[z]);
		st->pcp += buddy_zone_pcp_pages(&buddy.zones[z]);
	}
	st->failures = __atomic_load_n(&buddy.failures, __ATOMIC_RELAXED);
	st->bugs = __atomic_load_n(&buddy.bugs, __ATOMIC_RELAXED);
}

uint64_t buddy_zone_free(enum zone_type z)
{
	return (unsigned int)z < MAX_NR_ZONES ? zone_free_pages(&buddy.zones[z])
					      : 0;
}

uint64_t buddy_zone_pcp(enum zone_type z)
{
	return (unsigned int)z < MAX_NR_ZONES
		       ? buddy_zone_pcp_pages(&buddy.zones[z])
		       : 0;
}

uint64_t buddy_zone_nr_free(enum zone_type z, unsigned int cls)
{
	struct zone *zone;
	unsigned long irq;
	uint64_t n;

	if ((unsigned int)z >= MAX_NR_ZONES || cls >= buddy.nr_classes)
		return 0;
	zone = &buddy.zones[z];
	irq = spin_lock_irqsave(&zone->lock);
	n = zone->free_area[cls].nr_free;
	spin_unlock_irqrestore(&zone->lock, irq);
	return n;
}

bool buddy_zone_present(enum zone_type z)
{
	return (unsigned int)z < MAX_NR_ZONES &&
	       buddy.zones[z].present_pages != 0;
}

unsigned int buddy_metadata_per_page(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.present ? (unsigned int)DIV_ROUND_UP(buddy.desc_bytes,
						       st.present)
			  : 0;
}

/* Each zone's histogram is copied under its lock and printed without. */
void buddy_print_info(void)
{
	struct buddy_stats st;

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &buddy.zones[z];
		char line[32 + 21 * BUDDY_NR_CLASSES];
		uint64_t nr_free[BUDDY_NR_CLASSES];
		unsigned long irq;
		int n;

		if (!zone->present_pages)
			continue;
		irq = spin_lock_irqsave(&zone->lock);
		for (unsigned int c = 0; c < buddy.nr_classes; c++)
			nr_free[c] = zone->free_area[c].nr_free;
		spin_unlock_irqrestore(&zone->lock, irq);
		n = fmt_snprintf(line, sizeof(line), "buddyinfo: zone %s",
				 zone->name);
		for (unsigned int c = 0; c < buddy.nr_classes; c++)
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n,
					  " %lu", nr_free[c]);
		printk("%s pcp=%lu\n", line, buddy_zone_pcp_pages(zone));
	}
	buddy_stats(&st);
	printk("meminfo: present=%lu managed=%lu free=%lu pcp=%lu\n",
	       st.present, st.managed, st.free, st.pcp);
}
