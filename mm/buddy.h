/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The buddy page allocator, with Linux's names and meaning.
 *
 * Blocks are 2^order pages, order 0..MAX_ORDER, under the default binary
 * policy; buddy=fibonacci, weighted or tertiary choose another size
 * series at boot (see "policies" below). Memory is split into
 * zones by physical address: ZONE_DMA32 below 4 GiB and ZONE_NORMAL
 * above. GFP_KERNEL (and GFP_ATOMIC) prefer NORMAL and fall back to
 * DMA32; GFP_DMA32 never returns memory at or above 4 GiB.
 *
 * Any hart may call any of these at any time: each zone has a spinlock,
 * and each hart keeps a stack of cached order-0 pages per zone that
 * only it touches, with interrupts off (mm/buddy.c, "Locking";
 * mm/buddy_pcp.c); no function here returns with a lock held or calls
 * out while holding one except to printk. buddy_init_from_memblock()
 * is the exception: the boot hart calls it before the others start.
 *
 * alloc_pages() and __free_pages() are inline (mm/buddy_fast.h, at the
 * end of this file): with a constant order 0 they compile to the
 * per-hart list operation and call out of line for everything else.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include "mm/buddy_policy.h"
#include "mm/gfp.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/types.h"

#ifndef MAX_ORDER
#define MAX_ORDER 10 /* largest block: 2^10 pages = 4 MiB */
#endif

enum zone_type { ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };

/*
 * Build descriptors for every page of the usable ranges (allocated from
 * memblock, reached through the linear map), then give every free
 * memblock range to the buddy lists in the largest aligned blocks, and
 * close memblock. Panics if descriptors cannot be allocated or there is
 * no memory. Call once, after the linear map is live (host tests may
 * call it again after memblock_reset() to start over).
 */
void buddy_init_from_memblock(void);

/*
 * Allocate 2^order contiguous pages; NULL on failure: order >
 * MAX_ORDER, or no free block of that order in an allowed zone even
 * after draining per-hart lists (every hart's with __GFP_RECLAIM when
 * called with interrupts on and outside an interrupt handler, this
 * hart's only otherwise, as for GFP_ATOMIC). Order 0 comes from this
 * hart's list for the zone, refilled in batches. A
 * failure prints one rate-limited "page allocation failure: order:<n>,
 * gfp:0x<flags>" line unless __GFP_NOWARN. __GFP_ZERO zeroes the block.
 * The head's private field is 0 and its lru holds no list (its contents
 * are undefined); both belong to the caller until the free.
 *
 *     struct page *alloc_pages(gfp_t gfp, unsigned int order);
 */
/*
 * Free a block from alloc_pages. Misuse (double free, wrong order,
 * reserved page, page inside a larger block, page that is not RAM) is
 * reported with one "BUG: <what> pfn 0x... order ..." line and refused.
 * The owner's flags (PG_slab, PG_large, PG_vmalloc, PG_tail) on the head
 * are cleared here; the owner must clear any it set on other pages.
 *
 *     void __free_pages(struct page *page, unsigned int order);
 */

/* Same, by linear-map address. 0 on failure. */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
/*
 * addr 0 is ignored (as in Linux); an address that is not page aligned
 * or not RAM is reported and refused like a bad __free_pages.
 */
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)
#define alloc_page(gfp) alloc_pages((gfp), 0)
#define __free_page(page) __free_pages((page), 0)

/*
 * Give the order-0 pages cached on per-hart lists back to the zones'
 * free lists, where they merge (Linux's drain_local_pages() and
 * drain_all_pages()): this hart's lists, or every hart's, each hart
 * detaching its own in a per-hart cache call (mm/arch.h) that
 * buddy_drain_all_pages() waits for. A failing allocation does the same
 * by itself (drain before fail). Never fail; no-ops before init.
 * buddy_drain_all_pages() must not be called from an interrupt handler
 * or from inside a per-hart cache path of the calling hart (its own
 * share runs where it is called).
 */
void buddy_drain_local_pages(void);
void buddy_drain_all_pages(void);

/* Smallest order whose block holds size bytes (size > 0), as Linux's. */
unsigned int get_order(size_t size);

/*
 * Linux's exact allocations: at least size bytes (size > 0) of
 * contiguous pages, by linear-map address, NULL on failure (size 0 or
 * above the largest block, or no memory, as alloc_pages()). Binary:
 * the block of get_order(size) is split into single pages and the pages
 * past PAGE_ALIGN(size) are freed at once, as Linux does. The other
 * policies take the smallest size class that holds size: their finer
 * series waste less (Fibonacci gives 5 pages for 5, binary 8 then 3
 * back). free_pages_exact() takes the same size. __GFP_ZERO zeroes
 * what is kept.
 */
void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *addr, size_t size);

/* ------------------------------------------------------------ policies */

/*
 * buddy=<policy>: the buddy system the page allocator runs
 * (mm/buddy_policy.h: binary, fibonacci, weighted, tertiary). Call
 * before buddy_init_from_memblock(); 0, or -EINVAL for an unknown id
 * (the choice is unchanged). Default binary.
 *
 * Under binary, alloc_pages(gfp, order) returns exactly 2^order pages
 * aligned to 2^order pages. Under the others it returns the smallest
 * size class of at least 2^order pages (Fibonacci: 1, 2, 3, 5, 8, ...;
 * weighted and tertiary: 1, 2, 3, 4, 6, 8, 12, ...), aligned to a page
 * only, and __free_pages() takes the same order back. Blocks are found
 * from their page descriptors, never by masking an address.
 */
int buddy_select_policy(enum buddy_policy_id id);
/* The policy in force (after init; the selected one before). */
const struct buddy_policy *buddy_active_policy(void);
/* True if blocks are aligned to their size (binary). */
bool buddy_blocks_aligned(void);
/* Size classes of the active policy, and the pages of class cls (0 if
 * there is no such class). */
unsigned int buddy_nr_classes(void);
uint64_t buddy_class_pages(unsigned int cls);
/*
 * Pages in the allocated block headed by page, which alloc_pages()
 * returned: 2^order under binary, the class's size otherwise; 0 if
 * page heads no allocated block.
 */
uint64_t buddy_block_pages_of(const struct page *page);
/* Pages of the block alloc_pages(gfp, order) returns (order valid). */
uint64_t buddy_order_pages(unsigned int order);
/*
 * page_trace (mm/trace.h) turned on or off: frees take their
 * out-of-line path, which names each free that is done. Set by
 * mm_trace_set(); kept across buddy_init_from_memblock().
 */
void buddy_set_trace_frees(bool on);
/* The order to give __free_pages() for the block headed by page. */
unsigned int buddy_block_order(const struct page *page);

/* ------------------------------------------------------ conversions */

/*
 * Page lookup, Linux SPARSEMEM style. Physical memory is cut into
 * sections of 128 MiB (2^15 pages) counted from base_pfn, the lowest
 * RAM pfn rounded down to a section:
 *
 *   pfn - base_pfn
 *    63                         15 14                         0
 *   +-----------------------------+----------------------------+
 *   | section (< NR_MEM_SECTIONS) |  page within the section   |
 *   +-----------------------------+----------------------------+
 *
 *   section      0            1            2            3
 *             [ ...        )[ ...        )[ ...        )[ ...
 *   RAM            [ range 0              )      hole      [ range 1
 *   section_map  NULL         enc(0)       NULL         NULL
 *                (partial)    (whole)      (partial)    (partial)
 *
 * Descriptors exist only for RAM (one array per range, mm/buddy.c); a
 * hole costs no descriptors, only its 8-byte entries in the section
 * table. section_map[s] is NULL unless section s lies wholly inside one
 * range r; then it is r's *encoded* map, range_map[r]: where the
 * descriptor of base_pfn would be if r's array reached down that far (a
 * pointer outside any object, never dereferenced itself), so that
 *
 *   page = section_map[s] + (pfn - base_pfn)
 *
 * A lookup in a section whose entry is NULL (a hole, or a section that a
 * range starts or ends inside, or shares with another range) takes the
 * exact out-of-line path, buddy_pfn_to_page_slow(): a binary search
 * over the ranges, O(log ranges). So every lookup is exact: NULL for
 * any pfn that is not RAM. Sections wholly inside a range, which is
 * almost all RAM of any size (on QEMU virt all of it), need one table
 * load and no descriptor array bounds.
 *
 * The table is static: the linear map, hence usable RAM, spans at most
 * LINEAR_MAX_SIZE (128 GiB) from a 1 GiB boundary at or below base_pfn,
 * so 1024 sections (8 KiB) always do. base_pfn, base_va, range_map and
 * section_map share one object so that the inline lookups reach all of
 * them from one computed address. Written only by
 * buddy_init_from_memblock(); read-only afterwards; mm/buddy.c states
 * the invariant (I10) and buddy_check() checks it.
 */
#define SECTION_SIZE_SHIFT 27 /* 128 MiB */
#define SECTION_SIZE (1UL << SECTION_SIZE_SHIFT)
#define SECTION_PFN_SHIFT (SECTION_SIZE_SHIFT - PAGE_SHIFT)
#define SECTION_PAGES (1UL << SECTION_PFN_SHIFT)
#define NR_MEM_SECTIONS (LINEAR_MAX_SIZE >> SECTION_SIZE_SHIFT)

/*
 * One range per usable memblock region, split at 4 GiB (mm/buddy.c, I1):
 * 128 RAM ranges, one of them crossing 4 GiB. Static, as range_map[]
 * is read by every pfn_to_page() outside a whole section; the memory
 * map gives up RAM beyond it (memmap_fit_ranges(), mm/memmap.h).
 */
#define BUDDY_MAX_RANGES (MEMBLOCK_INIT_REGIONS + 1)

struct mem_sections {
	/* Per section: range_map[r] if all of it is range r's, else NULL.
	 * First, so the inline lookups index it without an offset. */
	struct page *section_map[NR_MEM_SECTIONS];
	pfn_t base_pfn; /* lowest RAM pfn, rounded down to a section */
	uintptr_t base_va; /* linear-map address of base_pfn */
	/* Per range: its map - (start_pfn - base_pfn) descriptors. */
	struct page *range_map[BUDDY_MAX_RANGES];
};
extern struct mem_sections mem_sections;

/*
 * The exact lookup behind pfn_to_page() for sections whose entry is NULL:
 * the descriptor of pfn, or NULL if pfn is not RAM. Callers use
 * pfn_to_page().
 */
struct page *buddy_pfn_to_page_slow(pfn_t pfn);

/* Descriptor of pfn; NULL if pfn is not RAM. O(1) in whole sections. */
static inline struct page *pfn_to_page(pfn_t pfn)
{
	pfn_t rel = pfn - mem_sections.base_pfn;
	uintptr_t sec = rel >> SECTION_PFN_SHIFT;
	struct page *map;

	if (unlikely(sec >= NR_MEM_SECTIONS))
		return NULL;
	map = mem_sections.section_map[sec];
	if (unlikely(!map))
		return buddy_pfn_to_page_slow(pfn);
	return map + rel;
}

/*
 * Descriptor of the page holding linear-map address addr, or NULL if it
 * is not RAM (any address may be passed: kfree() relies on it). The
 * same lookup as pfn_to_page(), from the address: about a dozen
 * instructions when the section is whole (bench=buddy measures it).
 */
static inline struct page *virt_to_page(const void *addr)
{
	uintptr_t off = (uintptr_t)addr - mem_sections.base_va;
	uintptr_t sec = off >> SECTION_SIZE_SHIFT;
	struct page *map;

	if (unlikely(sec >= NR_MEM_SECTIONS))
		return NULL;
	map = mem_sections.section_map[sec];
	if (unlikely(!map))
		return buddy_pfn_to_page_slow(mem_sections.base_pfn +
					      (off >> PAGE_SHIFT));
	return map + (off >> PAGE_SHIFT);
}

/* True if pfn is RAM (has a descriptor). */
static inline bool pfn_valid(pfn_t pfn)
{
	return pfn_to_page(pfn) != NULL;
}

/* Offset of a descriptor from its range's encoded map, in bytes. */
static inline uintptr_t __page_map_offset(const struct page *page)
{
	return (uintptr_t)page - (uintptr_t)mem_sections.range_map[page->range];
}

/* The pfn a descriptor describes (page must be a descriptor). */
static inline pfn_t page_to_pfn(const struct page *page)
{
	return mem_sections.base_pfn +
	       (__page_map_offset(page) >> PAGE_DESC_SHIFT);
}

/* The linear-map address of a descriptor's page. */
static inline void *page_address(const struct page *page)
{
	return (void *)(mem_sections.base_va +
			(__page_map_offset(page)
			 << (PAGE_SHIFT - PAGE_DESC_SHIFT)));
}

/*
 * Counters, in pages unless said otherwise. Each zone's figures are read
 * under its lock; while other harts allocate, the totals are a recent
 * value, not one instant.
 */
struct buddy_stats {
	uint64_t present; /* pages in usable ranges */
	uint64_t managed; /* pages handed to the buddy allocator */
	uint64_t free; /* free now, pcp included */
	uint64_t pcp; /* free pages cached on per-hart lists */
	uint64_t failures; /* failed allocations (calls) */
	uint64_t bugs; /* misuse reports (calls) */
};
void buddy_stats(struct buddy_stats *st);
/* Free pages of zone z, its per-hart lists' pages included. */
uint64_t buddy_zone_free(enum zone_type z);
/* Free pages of zone z cached on per-hart lists (a snapshot). */
uint64_t buddy_zone_pcp(enum zone_type z);
/* Free blocks of size class cls (binary: the order) on zone z's free
 * lists (per-hart lists not included: buddy_drain_all_pages() first for
 * an exact histogram); 0 for a class the policy lacks. */
uint64_t buddy_zone_nr_free(enum zone_type z, unsigned int cls);
/* True if zone z has any RAM. */
bool buddy_zone_present(enum zone_type z);
/* "DMA32", "Normal" (as in buddyinfo lines); "?" for a bad z. */
const char *buddy_zone_name(enum zone_type z);

/* The misuse __free_pages() and free_pages() detect and refuse. */
enum buddy_bug {
	BUDDY_BUG_NOT_RAM, /* no descriptor: not RAM, not a page */
	BUDDY_BUG_BAD_ORDER, /* order > MAX_ORDER */
	BUDDY_BUG_UNALIGNED, /* address not page aligned */
	BUDDY_BUG_RESERVED, /* page never handed to the allocator */
	BUDDY_BUG_DOUBLE_FREE, /* block, or a block holding it, is free */
	BUDDY_BUG_WRONG_ORDER, /* head allocated with another order */
	BUDDY_BUG_INSIDE_BLOCK, /* page inside a larger allocated block */
	BUDDY_NR_BUGS
};

/*
 * Called after each "BUG: ..." line with what was detected and the
 * arguments of the refused call (pfn is 0 if there was none). NULL
 * removes it. Returns the previous hook. Host tests and self-tests use
 * it to assert that a report happened. The hook runs with no allocator
 * lock held (the refused call was classified under the zone lock, which
 * is dropped before the report), on the hart that made the call, and
 * possibly on several harts at once.
 */
typedef void (*buddy_bug_hook_fn)(enum buddy_bug bug, pfn_t pfn,
				  unsigned int order);
buddy_bug_hook_fn buddy_set_bug_hook(buddy_bug_hook_fn hook);
/* Short description used in the BUG line ("double free", ...). */
const char *buddy_bug_name(enum buddy_bug bug);

/*
 * Print one "buddyinfo: zone <name> <n0> <n1> ... <nMAX> pcp=<c>" line
 * per zone with memory (free blocks per order on the free lists, and
 * the zone's pages on per-hart lists), and "meminfo: present=<p>
 * managed=<m> free=<f> pcp=<c>" (free includes the pcp pages).
 */
void buddy_print_info(void);

/*
 * Walk the ranges, the lookup tables, every descriptor and every free
 * list (mm/buddy_check.c); print one "buddy_check: I<n> ..." line per
 * violated invariant of mm/buddy.c; return how many there were (0 when
 * consistent, and before init). Each zone is checked under its lock,
 * and every hart's lists by their owner in a cross-hart call (I11), so
 * it may run while other harts allocate and free (it then
 * holds up their allocations from that zone for the length of the
 * walk).
 */
int buddy_check(void);

/*
 * Bytes of descriptor arrays per present page (holes have none), rounded
 * up. The fixed tables (ranges, zones, mem_sections: about 14 KiB in
 * all) are not per-page and are not counted; a hole costs only its
 * section entries, 8 bytes per 128 MiB.
 */
unsigned int buddy_metadata_per_page(void);

/* The inline alloc_pages() and __free_pages(), and what they read. */
#include "mm/buddy_fast.h"

#endif /* MM_BUDDY_H */
