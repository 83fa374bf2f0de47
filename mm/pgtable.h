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
 * TLB. A map fences only the calling hart, once per call
 * (arch_tlb_flush_page of a one-page map, else one arch_tlb_flush_all;
 * another hart that cached the old empty entry takes a spurious fault,
 * which the fault path retries). An unmap or a protection change
 * collects the changed range in a struct pt_gather and ends with ONE
 * arch_tlb_shootdown() on every hart: of the range, or of everything
 * when a table pointer was unlinked or the range passes 64 pages. Table
 * pages that an operation unlinks go back to the allocator only after
 * that shootdown. Each pt_unmap/pt_unmap_page/pt_protect call is one
 * operation; a caller that wants one shootdown for several unmaps uses
 * its own gather (pt_unmap_gather, pt_gather_finish), like Linux's
 * mmu_gather.
 *
 * Locking: each struct pgtable has a spinlock (pt->lock) that every pt_*
 * call below takes for its whole walk; it protects the tree (every
 * entry, which tables are linked), table_pages and the walk hint. The
 * kernel's tables (mm/kspace.h) are shared by all harts and protected by
 * their lock alone. Shootdowns and the freeing of gathered table pages
 * happen after the lock is dropped. The lock nests inside vmalloc's and
 * vmem's locks and outside the table-page allocator's (buddy zone locks)
 * and printk_lock. Not for interrupt handlers. Only these functions may
 * change a tree's table pointers (mm/pgtable.c caches one level-0 table
 * pointer per tree; see its I7).
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "lib/spinlock.h"
#include "mm/arch.h"
#include "mm/types.h"

#define PT_LEVELS 3
#define PT_ENTRIES 512
#define PT_VA_BITS 39
#define PT_LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (l))
#define PT_LEVEL_SIZE(l) (1UL << PT_LEVEL_SHIFT(l))
/* Largest range, in pages, that a shootdown names instead of everything. */
#define PT_FLUSH_PAGES_MAX 64

/* Supplies and takes back zeroed page-table pages (physical addresses). */
struct pt_alloc {
	/* Return a zeroed, page-aligned page, or PADDR_INVALID. */
	paddr_t (*alloc)(void *ctx);
	/* Give back a page obtained from alloc (may be NULL: never freed). */
	void (*free)(void *ctx, paddr_t pa);
	/*
	 * The valid-entry counter of a table page pa that alloc handed out,
	 * reached in O(1) (the kernel's is in the page's struct page, the
	 * pt_used field). mm/pgtable.c alone reads and writes it, under
	 * pt->lock, from the allocation until the page is freed; while the
	 * table is its tree's walk hint, the count is kept in the tree
	 * (hint_count) and this counter is behind until the hint moves on
	 * (mm/pgtable_internal.h, I9). May be
	 * NULL: then emptiness is found by scanning the table's 512 entries
	 * (boot-time allocators).
	 */
	unsigned int *(*used)(void *ctx, paddr_t pa);
	void *ctx;
};

struct pgtable {
	spinlock_t lock; /* protects every field below and the tree */
	paddr_t root; /* lock; PADDR_INVALID after pt_destroy */
	/*
	 * Set by pt_init (and by kspace_use_buddy, under the lock, at boot
	 * before other harts run); pt_gather_finish reads it unlocked. The
	 * callbacks run with the lock held (alloc always; free from
	 * pt_destroy and for tables a failed walk never linked).
	 */
	struct pt_alloc alloc;
	size_t table_pages; /* lock: tables linked in the tree, root included */
	/* lock: the one-entry walk hint (mm/pgtable.c, I7) */
	vaddr_t hint_key; /* va >> PT_LEVEL_SHIFT(1); ~0: no hint */
	pte_t *hint_table; /* its level-0 table; NULL: no hint */
	uintptr_t hint_base; /* hint_table - (hint_key << 12); 0: no hint */
	/*
	 * lock: its valid-entry count (I9), here while it is the hint's,
	 * written back to alloc.used's counter when the hint moves on
	 */
	unsigned int hint_count;
};

/*
 * The TLB work and table pages pending from one or more unmaps of one
 * tree. Owned by its caller (not locked: a gather shared between harts
 * needs the caller's lock, as vmalloc's lazy gather has).
 */
struct pt_gather {
	struct pgtable *pt;
	/* Lowest and highest leaf address changed; first > last: none. */
	vaddr_t first, last;
	bool flush_all; /* a table pointer was unlinked */
	size_t nr_tables; /* unlinked table pages waiting for the shootdown */
	paddr_t tables; /* the first; each holds the next in its entry 0 */
};

/* Allocate an empty root. Errors: -EINVAL (no alloc callback), -ENOMEM. */
int pt_init(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Switch pt to a new table-page allocator (the kernel's, from memblock to
 * buddy) and, when it keeps counters (alloc->used), set the counter of
 * every table linked now. Tables the old allocator gave go back to the
 * new one's free. Errors: -EINVAL (no alloc callback).
 */
int pt_set_alloc(struct pgtable *pt, const struct pt_alloc *alloc);

/*
 * Map [va, va + size) to [pa, pa + size) with prot, using the largest
 * leaf (1 GiB, 2 MiB, 4 KiB) that alignment allows at each step. All of
 * va, pa, size page-aligned. Nothing is replaced: if any page of the range
 * is already mapped the call fails with -EEXIST and leaves the tables as
 * they were (pages mapped by this call are unmapped again, with one
 * shootdown). prot must include PROT_READ or PROT_EXEC, and PROT_WRITE
 * needs PROT_READ. The range may end at 2^64 but must not cross the
 * non-canonical hole. Fences only the calling hart.
 * Errors: -EINVAL (misaligned, size 0, wraparound, non-canonical va,
 * pa beyond 56 bits, bad prot), -EEXIST, -ENOMEM (tables as they were).
 */
int pt_map(struct pgtable *pt, vaddr_t va, paddr_t pa, size_t size,
	   unsigned int prot);

/*
 * Map the one 4 KiB page va to pa: pt_map(pt, va, pa, PAGE_SIZE, prot)
 * without the range bookkeeping (pt_map calls it for one page). When
 * va's level-0 table is the one the last one-page call on this tree
 * walked to, this is the lock, a table index, one store and one
 * arch_tlb_flush_page(va); otherwise a walk from the root, creating
 * tables. Errors: -EINVAL (misaligned, non-canonical, pa beyond 56 bits,
 * bad prot), -EEXIST (va already mapped, by a page or a large leaf;
 * nothing changed), -ENOMEM (tables as they were).
 */
int pt_map_page(struct pgtable *pt, vaddr_t va, paddr_t pa, unsigned int prot);

/*
 * Map the n 4 KiB pages va, va + PAGE_SIZE, ... to pa[0], pa[1], ...
 * with prot: pt_map_page() n times under one lock acquisition (vmalloc
 * maps a batch of scattered frames this way). Nothing is replaced: on
 * any error the pages this call mapped are unmapped again (with one
 * shootdown) and the tables are as they were. Fences only the calling
 * hart. Errors: -EINVAL (n 0, range as for pt_map, any pa misaligned or
 * beyond 56 bits, bad prot), -EEXIST, -ENOMEM.
 */
int pt_map_pages(struct pgtable *pt, vaddr_t va, const paddr_t *pa, size_t n,
		 unsigned int prot);

/*
 * Unmap the one 4 KiB page at va, free the tables that become empty
 * (each table's valid-entry counter says so in O(1)) and shoot the page
 * down on every hart (everything, when a table was unlinked). A large
 * leaf holding va is split first.
 * Errors: -EINVAL (misaligned or non-canonical), -ENOENT (nothing mapped
 * at va; nothing changed, no shootdown), -ENOMEM (split impossible;
 * nothing unmapped). pt_unmap(pt, va, PAGE_SIZE) is the same but returns
 * 0 for -ENOENT.
 */
int pt_unmap_page(struct pgtable *pt, vaddr_t va);

/*
 * Unmap [va, va + size). Large leaves partly inside the range are split
 * first (which may need table pages: -ENOMEM). Page-table pages that
 * become empty are unlinked, then one shootdown covers the call and
 * only then are the tables freed. Pages in the range that were not
 * mapped are skipped (no shootdown when nothing was mapped). Errors:
 * -EINVAL, -ENOMEM.
 */
int pt_unmap(struct pgtable *pt, vaddr_t va, size_t size);

/* Start an empty gather for tree pt. */
void pt_gather_init(struct pt_gather *g, struct pgtable *pt);

/*
 * pt_unmap() without the shootdown: clear the leaves of [va, va + size)
 * and unlink emptied tables into g. Until pt_gather_finish(g), other
 * harts (and this one: no fence at all) may still translate the range
 * through cached entries, so neither the memory it mapped nor the
 * gathered table pages may be reused. Errors: -EINVAL, -ENOMEM (as
 * pt_unmap; what was done so far stays in g).
 */
int pt_unmap_gather(struct pt_gather *g, vaddr_t va, size_t size);

/*
 * Shoot down what g collected on every hart (one arch_tlb_shootdown of
 * [first, last] or of everything; none when g is empty), then give the
 * gathered table pages back to the tree's allocator. g is empty again.
 * Call without pt->lock held.
 */
void pt_gather_finish(struct pt_gather *g);

/* True when g holds no TLB work and no table page. */
static inline bool pt_gather_is_empty(const struct pt_gather *g)
{
	return g->first > g->last && !g->flush_all && g->nr_tables == 0;
}

/*
 * Translate va. On success returns 0 and fills (each optional) the
 * physical address of va, the leaf's PROT_* bits and its size in bytes.
 * Errors: -ENOENT (not mapped), -EINVAL (non-canonical).
 */
int pt_lookup(const struct pgtable *pt, vaddr_t va, paddr_t *pa,
	      unsigned int *prot, size_t *leaf_size);

/*
 * Change permissions of already-mapped [va, va + size) (splitting large
 * leaves at the edges), with one shootdown for the call. Errors: -ENOENT
 * if any page is unmapped (nothing changed), -EINVAL, -ENOMEM.
 */
int pt_protect(struct pgtable *pt, vaddr_t va, size_t size, unsigned int prot);

/*
 * Call fn for each leaf in address order (va, pa, size, prot): the lower
 * half first, then the upper half with va sign-extended (root entry 256
 * is 0xffffffc000000000). Stop and return fn's value when it is
 * non-zero; 0 after the last leaf. fn runs with pt->lock held: it must
 * not call any pt_* function on the same tree.
 */
typedef int (*pt_walk_fn)(void *arg, vaddr_t va, paddr_t pa, size_t size,
			  unsigned int prot);
int pt_walk(const struct pgtable *pt, pt_walk_fn fn, void *arg);

/*
 * pt_walk() restricted to the leaves that overlap [va, va + size) (each
 * reported whole). Visits only the tables that the range reaches.
 * Errors: -EINVAL (range as for pt_unmap); otherwise as pt_walk.
 */
int pt_walk_range(const struct pgtable *pt, vaddr_t va, size_t size,
		  pt_walk_fn fn, void *arg);

/* One level of pt_walk_va(). */
struct pt_walk_step {
	int level; /* 2 (root) .. 0 */
	unsigned int index; /* entry in the table, 0..511 */
	paddr_t table; /* physical address of the table read */
	pte_t pte; /* the entry found there */
};

/*
 * The hardware's walk of va, done in software and recorded level by
 * level into steps[] (PT_LEVELS of them), for people to read (the
 * memory console's `walk`). Before a table is read, table_ok(pa) must
 * say that pa is RAM reached through the linear map, so a corrupt entry
 * is reported instead of followed. Sets *nr_steps to the levels read.
 * Returns 0 when the last step is a leaf; -ENOENT when it is an empty
 * entry; -EFAULT when a table address failed table_ok (the last step
 * holds the entry pointing at it) or a level-0 entry is not a leaf;
 * -EINVAL for a non-canonical va (no step). Takes pt->lock.
 */
int pt_walk_va(const struct pgtable *pt, vaddr_t va,
	       struct pt_walk_step steps[PT_LEVELS], unsigned int *nr_steps,
	       bool (*table_ok)(paddr_t pa));

/*
 * Free every table page (not the mapped memory), root included, after a
 * shootdown of everything; pt->root becomes PADDR_INVALID. Must not be
 * any hart's active root.
 */
void pt_destroy(struct pgtable *pt);

/*
 * Check invariants (tables aligned, entries 0 or valid, no leaf
 * misaligned for its level, leaf protections valid, no empty non-root
 * table, table_pages equals the tables reachable, the one-page walk hint
 * names a linked table with the right base, every table's valid-entry
 * count equals a scan of its entries); print each violation
 * ("pt_check: I<n> ..."), return the count.
 */
int pt_check(const struct pgtable *pt);

/* True when the calling hart holds pt->lock (fault reports, ASSERTs). */
static inline bool pt_lock_is_held(const struct pgtable *pt)
{
	return spin_is_held(&pt->lock);
}

/* Sign-extension check for Sv39. */
static inline bool pt_va_is_canonical(vaddr_t va)
{
	return ((int64_t)(va << (64 - PT_VA_BITS)) >> (64 - PT_VA_BITS)) ==
	       (int64_t)va;
}

#endif /* MM_PGTABLE_H */
