/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The binary buddy page allocator, with Linux's names and meaning.
 *
 * Blocks are 2^order pages, order 0..MAX_ORDER. Memory is split into
 * zones by physical address: ZONE_DMA32 below 4 GiB and ZONE_NORMAL
 * above. GFP_KERNEL (and GFP_ATOMIC) prefer NORMAL and fall back to
 * DMA32; GFP_DMA32 never returns memory at or above 4 GiB.
 *
 * Single hart, no locks yet: callers must not allocate from interrupt
 * context while another allocation is in progress.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include "mm/gfp.h"
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
 * MAX_ORDER, or no free block of that order in an allowed zone. A
 * failure prints one rate-limited "page allocation failure: order:<n>,
 * gfp:0x<flags>" line unless __GFP_NOWARN. __GFP_ZERO zeroes the block.
 * The head's private field is 0 and its lru holds no list (its contents
 * are undefined); both belong to the caller until the free.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
/*
 * Free a block from alloc_pages. Misuse (double free, wrong order,
 * reserved page, page inside a larger block, page that is not RAM) is
 * reported with one "BUG: <what> pfn 0x... order ..." line and refused.
 * The owner's flags (PG_slab, PG_large, PG_vmalloc, PG_tail) on the head
 * are cleared here; the owner must clear any it set on other pages.
 */
void __free_pages(struct page *page, unsigned int order);

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

/* Smallest order whose block holds size bytes (size > 0), as Linux's. */
unsigned int get_order(size_t size);

/* Conversions. pfn_to_page returns NULL for a pfn that is not RAM. */
struct page *pfn_to_page(pfn_t pfn);
pfn_t page_to_pfn(const struct page *page);
void *page_address(const struct page *page);
/* Descriptor of the page holding linear-map address addr, or NULL. */
struct page *virt_to_page(const void *addr);
bool pfn_valid(pfn_t pfn);

/* Counters, in pages unless said otherwise. */
struct buddy_stats {
	uint64_t present; /* pages in usable ranges */
	uint64_t managed; /* pages handed to the buddy allocator */
	uint64_t free; /* free now */
	uint64_t failures; /* failed allocations (calls) */
	uint64_t bugs; /* misuse reports (calls) */
};
void buddy_stats(struct buddy_stats *st);
uint64_t buddy_zone_free(enum zone_type z);
/* Free blocks of `order` in zone z. */
uint64_t buddy_zone_nr_free(enum zone_type z, unsigned int order);
/* True if zone z has any RAM. */
bool buddy_zone_present(enum zone_type z);

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
 * it to assert that a report happened.
 */
typedef void (*buddy_bug_hook_fn)(enum buddy_bug bug, pfn_t pfn,
				  unsigned int order);
buddy_bug_hook_fn buddy_set_bug_hook(buddy_bug_hook_fn hook);
/* Short description used in the BUG line ("double free", ...). */
const char *buddy_bug_name(enum buddy_bug bug);

/*
 * Print one "buddyinfo: zone <name> <n0> <n1> ... <nMAX>" line per zone
 * with memory, and "meminfo: present=<p> managed=<m> free=<f>".
 */
void buddy_print_info(void);

/* Walk every free list and descriptor; print violations; return count. */
int buddy_check(void);

/*
 * Bytes of descriptor arrays per present page (holes have none), rounded
 * up. The fixed tables (ranges, zones: a few KiB) are not per-page and
 * are not counted.
 */
unsigned int buddy_metadata_per_page(void);

#endif /* MM_BUDDY_H */
