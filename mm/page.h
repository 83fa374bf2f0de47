/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct page: one descriptor per 4 KiB page of RAM that exists (holes
 * between banks have none). Exactly 32 bytes, 1 << PAGE_DESC_SHIFT
 * (STATIC_ASSERT in buddy.c), so that the conversions in mm/buddy.h
 * scale by shifts.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "lib/list.h"
#include "mm/types.h"

struct kmem_slab;

/*
 * page->flags bits. The buddy allocator owns PG_buddy, PG_reserved,
 * PG_head and PG_pcp; the other pages of a block carry none of them. It does
 * not mark tails (that would cost a store per page on every allocation):
 * PG_tail, PG_slab, PG_large and PG_vmalloc are set by the block's
 * owner, which must clear them on every non-head page before freeing
 * (__free_pages clears the head's; buddy_check reports leftovers on
 * free pages).
 */
#define PG_buddy 0x01u /* head of a free buddy block; order = its order */
#define PG_reserved 0x02u /* never handed to the buddy allocator */
#define PG_head 0x04u /* head of an allocated block; order = its order */
#define PG_tail 0x08u /* inside an allocated block (owner-maintained) */
#define PG_slab 0x10u /* belongs to a slab; slab = its descriptor */
#define PG_large 0x20u /* head of a large kmalloc (buddy-backed) */
#define PG_vmalloc 0x40u /* backs a vmalloc area */
#define PG_pcp 0x80u /* free, cached on a per-hart list (order 0) */

#define PAGE_DESC_SHIFT 5 /* log2(sizeof(struct page)) */

struct page {
	uint32_t flags;
	uint8_t order; /* PG_buddy / PG_head: block order */
	uint8_t zone; /* zone index; never changes */
	uint8_t range; /* index of the memory range this page lies in */
	uint8_t reserved; /* 0 (written by init) */
	union {
		/* Free list link (PG_buddy); the owner's while allocated. */
		struct list_head lru;
		/* PG_pcp: the next page down its per-hart stack. */
		struct page *pcp_next;
	};
	union {
		/* Owner's while allocated; a poison value while free. */
		uintptr_t private;
		struct kmem_slab *slab; /* PG_slab: every page of the slab */
		/* A page-table page: its valid entries (mm/pgtable.c, I9). */
		unsigned int pt_used;
	};
};

#endif /* MM_PAGE_H */
