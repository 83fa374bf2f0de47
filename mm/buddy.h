/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The binary buddy page allocator, with Linux's names and meaning.
 *
 * Blocks are 2^order pages, order 0..MAX_ORDER. Memory is split into
 * zones by physical address: ZONE_DMA32 below 4 GiB and ZONE_NORMAL
 * above. GFP_KERNEL prefers NORMAL and falls back to DMA32; GFP_DMA32
 * never returns memory at or above 4 GiB.
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
 * memblock range to the buddy lists. Panics if descriptors cannot be
 * allocated. Call once, after the linear map is live.
 */
void buddy_init_from_memblock(void);

/* Allocate 2^order contiguous pages; NULL on failure (see below). */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
/*
 * Free a block from alloc_pages. Misuse (double free, wrong order,
 * reserved page, page inside a larger block, page that is not RAM) is
 * reported with one "BUG: <what> pfn 0x... order ..." line and refused.
 */
void __free_pages(struct page *page, unsigned int order);

/* Same, by linear-map address. 0 on failure. */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)
#define alloc_page(gfp) alloc_pages((gfp), 0)
#define __free_page(page) __free_pages((page), 0)

/* Conversions. pfn_to_page returns NULL for a pfn that is not RAM. */
struct page *pfn_to_page(pfn_t pfn);
pfn_t page_to_pfn(const struct page *page);
void *page_address(const struct page *page);
/* Descriptor of the page holding linear-map address addr, or NULL. */
struct page *virt_to_page(const void *addr);
bool pfn_valid(pfn_t pfn);

/* Counters, in pages. */
struct buddy_stats {
	uint64_t present; /* pages in usable ranges */
	uint64_t managed; /* pages handed to the buddy allocator */
	uint64_t free;	  /* free now */
};
void buddy_stats(struct buddy_stats *st);
uint64_t buddy_zone_free(enum zone_type z);
/* Free blocks of `order` in zone z. */
uint64_t buddy_zone_nr_free(enum zone_type z, unsigned int order);
bool buddy_zone_present(enum zone_type z);

/*
 * Print one "buddyinfo: zone <name> <n0> <n1> ... <nMAX>" line per zone
 * with memory, and "meminfo: present=<p> managed=<m> free=<f>".
 */
void buddy_print_info(void);

/* Walk every free list and descriptor; print violations; return count. */
int buddy_check(void);

/* Bytes of page-descriptor metadata per managed page (rounded up). */
unsigned int buddy_metadata_per_page(void);

#endif /* MM_BUDDY_H */
