/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Portable Sv39 page-table walker and mapping API.
 *
 *   38        30 29        21 20        12 11           0
 *  +------------+------------+------------+--------------+
 *  |  VPN[2]    |  VPN[1]    |  VPN[0]    | page offset  |
 *  +------------+------------+------------+--------------+
 *     level 2      level 1      level 0
 *   1 GiB leaf   2 MiB leaf   4 KiB leaf
 *
 * Page-table pages come from an allocator callback and are reached
 * through the linear map (phys_to_virt). An all-zero entry is empty, so
 * the allocator must hand out zeroed pages.
 *
 * TLB: every call that changes a leaf fences it (arch_tlb_flush_page, or
 * one arch_tlb_flush_all when more than 64 leaves change); any change to
 * a table pointer gets arch_tlb_flush_all before a table page is freed.
 * Single hart, no locks: callers serialise all pt_* calls. Only these
 * functions may change a tree's table pointers (mm/pgtable.c caches
 * one level-0 table pointer; see its I7).
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "mm/arch.h"
#include "mm/types.h"

#define PT_LEVELS 3
#define PT_ENTRIES 512
#define PT_VA_BITS 39
#define PT_LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (l))
#define PT_LEVEL_SIZE(l) (1UL << PT_LEVEL_SHIFT(l))

/* Supplies and takes back zeroed page-table pages (physical addresses). */
struct pt_alloc {
	/* Return a zeroed, page-aligned page, or PADDR_INVALID. */
	paddr_t (*alloc)(void *ctx);
	/* Give back a page obtained from alloc (may be NULL: never freed). */
	void (*free)(void *ctx, paddr_t pa);
	void *ctx;
};

struct pgtable {
	paddr_t root;
	struct pt_alloc alloc;
	size_t table_pages; /* page-table pages currently held, root included */
};

/* Allocate an empty root. Errors: -ENOMEM. */
int pt_init(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Map [va, va + size) to [pa, pa + size) with prot, using the largest
 * leaf (1 GiB, 2 MiB, 4 KiB) that alignment allows at each step. All of
 * va, pa, size page-aligned. Nothing is replaced: if any page of the range
 * is already mapped the call fails with -EEXIST and leaves the tables as
 * they were (pages mapped by this call are unmapped again). prot must
 * include PROT_READ or PROT_EXEC, and PROT_WRITE needs PROT_READ. The
 * range may end at 2^64 but must not cross the non-canonical hole.
 * Errors: -EINVAL (misaligned, size 0, wraparound, non-canonical va,
 * pa beyond 56 bits, bad prot), -EEXIST, -ENOMEM (tables as they were).
 */
int pt_map(struct pgtable *pt, vaddr_t va, paddr_t pa, size_t size,
	   unsigned int prot);

/*
 * Map the one 4 KiB page va to pa: pt_map(pt, va, pa, PAGE_SIZE, prot)
 * without the range bookkeeping (pt_map calls it for one page). When
 * va's level-0 table is the one the last one-page call walked to, this
 * is a table index, one store and one arch_tlb_flush_page(va); otherwise
 * a walk from the root, creating tables. Errors: -EINVAL (misaligned, non-canonical,
 * pa beyond 56 bits, bad prot), -EEXIST (va already mapped, by a page or
 * a large leaf; nothing changed), -ENOMEM (tables as they were).
 */
int pt_map_page(struct pgtable *pt, vaddr_t va, paddr_t pa, unsigned int prot);

/*
 * Unmap the one 4 KiB page at va, flush its TLB entry and free the
 * tables that become empty (cheap while a neighbouring page is mapped).
 * A large leaf holding va is split first.
 * Errors: -EINVAL (misaligned or non-canonical), -ENOENT (nothing mapped
 * at va; nothing changed), -ENOMEM (split impossible; nothing unmapped).
 * pt_unmap(pt, va, PAGE_SIZE) is the same but returns 0 for -ENOENT.
 */
int pt_unmap_page(struct pgtable *pt, vaddr_t va);

/*
 * Unmap [va, va + size). Large leaves partly inside the range are split
 * first (which may need table pages: -ENOMEM). Page-table pages that
 * become empty are freed. The TLB is flushed for each unmapped page.
 * Pages in the range that were not mapped are skipped. Errors: -EINVAL,
 * -ENOMEM.
 */
int pt_unmap(struct pgtable *pt, vaddr_t va, size_t size);

/*
 * Translate va. On success returns 0 and fills (each optional) the
 * physical address of va, the leaf's PROT_* bits and its size in bytes.
 * Errors: -ENOENT (not mapped), -EINVAL (non-canonical).
 */
int pt_lookup(const struct pgtable *pt, vaddr_t va, paddr_t *pa,
	      unsigned int *prot, size_t *leaf_size);

/*
 * Change permissions of already-mapped [va, va + size) (splitting large
 * leaves at the edges). Errors: -ENOENT if any page is unmapped (nothing
 * changed), -EINVAL, -ENOMEM.
 */
int pt_protect(struct pgtable *pt, vaddr_t va, size_t size, unsigned int prot);

/*
 * Call fn for each leaf in address order (va, pa, size, prot): the lower
 * half first, then the upper half with va sign-extended (root entry 256
 * is 0xffffffc000000000). Stop and return fn's value when it is
 * non-zero; 0 after the last leaf. fn must not change the tables.
 */
typedef int (*pt_walk_fn)(void *arg, vaddr_t va, paddr_t pa, size_t size,
			  unsigned int prot);
int pt_walk(const struct pgtable *pt, pt_walk_fn fn, void *arg);

/*
 * Free every table page (not the mapped memory), root included, after a
 * full TLB fence; pt->root becomes PADDR_INVALID. Must not be the active
 * root.
 */
void pt_destroy(struct pgtable *pt);

/*
 * Check invariants (tables aligned, entries 0 or valid, no leaf
 * misaligned for its level, leaf protections valid, no empty non-root
 * table, table_pages equals the tables reachable, the one-page walk hint
 * names a linked table); print each violation ("pt_check: I<n> ..."),
 * return the count.
 */
int pt_check(const struct pgtable *pt);

/* Sign-extension check for Sv39. */
static inline bool pt_va_is_canonical(vaddr_t va)
{
	return ((int64_t)(va << (64 - PT_VA_BITS)) >> (64 - PT_VA_BITS)) ==
	       (int64_t)va;
}

#endif /* MM_PGTABLE_H */
