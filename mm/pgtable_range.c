// SPDX-License-Identifier: BSD-2-Clause
/*
 * Page-table ranges: pt_map(), pt_unmap(), pt_unmap_gather() and
 * pt_protect() of mm/pgtable.h, on the tree, hint, gathers and walker of
 * mm/pgtable.c (theory of operation, TLB rules and locking there;
 * invariants I1..I9 in mm/pgtable_internal.h).
 *
 * pt_map picks the largest leaf that va, pa and the remaining size
 * allow and walks from the root for each, as xv6's mappages() does; a
 * failure unmaps the leaves it installed, which by I5 unlinks exactly
 * the tables it made. pt_unmap and pt_protect first split the (at most
 * two) large leaves that straddle the range edges (pt_split_at; a split
 * keeps every translation, so its -ENOMEM changes no mapping), then
 * apply the change leaf by leaf (pt_apply), unlinking every table an
 * unmap empties into the caller's gather. An unmap inside one 2 MiB
 * region clears the entries of that one level-0 table directly
 * (pt_unmap_l0); when that table is the walk hint's, every entry is a
 * leaf and the table keeps other entries, pt_unmap_gather does it on a
 * fast path without a call that returns (vfree's path, as
 * pt_unmap_page's in mm/pgtable.c).
 *
 * Locking: every public function here takes pt->lock for its whole walk
 * and drops it before the shootdown, as in mm/pgtable.c.
 */
#include "mm/pgtable.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/linear.h"
#include "mm/pgtable_internal.h"

static bool pt_pa_range_is_valid(paddr_t pa, size_t size)
{
	return !(pa & ~PAGE_MASK) && pa + size > pa &&
	       (pa + size - 1) >> PT_PA_BITS == 0;
}

/* ----------------------------------------------------- split, apply */

/*
 * Replace the large leaf *entry (at level) by a table of 512 leaves one
 * level down with the same translation and protection (no fence owed:
 * see "TLB" above). Errors: -ENOMEM.
 */
static int pt_split_leaf(struct pgtable *pt, pte_t *entry, int level)
{
	paddr_t table = pt_alloc_table(pt);
	size_t child = PT_LEVEL_SIZE(level - 1);
	paddr_t pa = arch_pte_paddr(*entry);
	unsigned int prot = arch_pte_prot(*entry);
	pte_t *t;

	if (table == PADDR_INVALID)
		return -ENOMEM;
	t = pt_table(table);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		t[i] = arch_pte_leaf(pa + i * child, prot);
	pt_used_add(pt, t, PT_ENTRIES);
	*entry = arch_pte_table(table);
	return 0;
}

/*
 * Make va a leaf boundary: split each large leaf that contains va but
 * does not start there. Errors: -ENOMEM (translations unchanged).
 */
static int pt_split_at(struct pgtable *pt, vaddr_t va)
{
	pte_t *t = pt_table(pt->root);
	int err;

	for (int l = PT_TOP_LEVEL; l > 0; l--) {
		pte_t *entry;

		/* Aligned for level l: no leaf of this size or less straddles. */
		if (IS_ALIGNED(va, PT_LEVEL_SIZE(l)))
			return 0;
		entry = &t[PT_INDEX(va, l)];
		if (*entry == PT_EMPTY)
			return 0;
		if (arch_pte_is_leaf(*entry)) {
			err = pt_split_leaf(pt, entry, l);
			if (err)
				return err;
		}
		t = pt_table(arch_pte_paddr(*entry));
	}
	return 0;
}

/*
 * Apply `action` to every leaf in [start, last] (inclusive, so the top
 * of the address space needs no special case) below table t at level,
 * collecting the changed leaves in g. The range lies within t's span
 * and its edges are leaf boundaries (pt_split_at). Tables emptied by
 * PT_CLEAR are unlinked into g.
 */
void pt_apply(struct pt_gather *g, pte_t *t, int level, vaddr_t start,
	      vaddr_t last, enum pt_action action, unsigned int prot)
{
	vaddr_t mask = PT_LEVEL_SIZE(level) - 1;
	unsigned int *used = pt_used_of(g->pt, t);

	for (vaddr_t va = start;; va = (va | mask) + 1) {
		pte_t *entry = &t[PT_INDEX(va, level)];
		vaddr_t end = MIN(va | mask, last);

		if (*entry == PT_EMPTY) {
			/* skip */
		} else if (arch_pte_is_leaf(*entry)) {
			VERIFY3U(va & mask, ==, 0);
			VERIFY3U(end, ==, va | mask);
			if (action == PT_CLEAR) {
				*entry = PT_EMPTY;
				if (used)
					(*used)--;
				pt_gather_leaf(g, va);
			} else {
				pte_t pte = arch_pte_leaf(
					arch_pte_paddr(*entry), prot);

				if (pte != *entry) {
					*entry = pte;
					pt_gather_leaf(g, va);
				}
			}
		} else {
			pte_t *child = pt_table(arch_pte_paddr(*entry));

			if (level == 0)
				panic("pt_apply: table entry at level 0 va "
				      "0x%llx pte 0x%llx",
				      (unsigned long long)va,
				      (unsigned long long)*entry);
			pt_apply(g, child, level - 1, va, end, action, prot);
			if (action == PT_CLEAR && pt_used_is_zero(g->pt, child))
				pt_gather_unlink(g, entry);
		}
		if (end == last)
			break;
	}
}

/* Unmap or protect a valid range: split the edges, then apply. Locked. */
int pt_change_range(struct pt_gather *g, vaddr_t va, size_t size,
		    enum pt_action action, unsigned int prot)
{
	struct pgtable *pt = g->pt;
	vaddr_t last = va + size - 1;
	int err;

	err = pt_split_at(pt, va);
	if (!err && last + 1 != 0)
		err = pt_split_at(pt, last + 1);
	if (!err)
		pt_apply(g, pt_table(pt->root), PT_TOP_LEVEL, va, last, action,
			 prot);
	return err;
}

/* -------------------------------------------------------------- the API */

/* Largest level whose leaf fits at va/pa with `left` bytes to go. */
static inline int pt_leaf_level(vaddr_t va, paddr_t pa, size_t left)
{
	for (int l = PT_TOP_LEVEL; l > 0; l--)
		if (IS_ALIGNED(va | pa, PT_LEVEL_SIZE(l)) &&
		    left >= PT_LEVEL_SIZE(l))
			return l;
	return 0;
}

int pt_map(struct pgtable *pt, vaddr_t va, paddr_t pa, size_t size,
	   unsigned int prot)
{
	struct pt_map_op op = { 0, 0, false };
	struct pt_gather g;
	size_t off;
	int level, err = 0;

	if (size == PAGE_SIZE)
		return pt_map_page(pt, va, pa, prot);
	if (!pt_range_is_valid(va, size) || !pt_pa_range_is_valid(pa, size) ||
	    !pt_prot_is_valid(prot))
		return -EINVAL;

	pt_lock(pt);
	for (off = 0; off < size; off += PT_LEVEL_SIZE(level)) {
		pte_t *entry;

		level = pt_leaf_level(va + off, pa + off, size - off);
		entry = pt_walk_alloc(pt, &op, va + off, level, &err);

		if (!entry)
			goto undo;
		if (*entry != PT_EMPTY) {
			/* A leaf, or a table: by I5 it maps something. */
			err = -EEXIST;
			goto undo;
		}
		*entry = arch_pte_leaf(pa + off, prot);
		pt_used_add(pt, pt_table_of(entry), 1);
		pt_map_op_leaf(&op, va + off);
	}
	pt_unlock(pt);
	pt_map_op_finish(&op);
	return 0;

undo:
	/*
	 * Only this call's whole leaves lie in [va, va + off): no splits.
	 * Another hart may have cached them: one shootdown (everything,
	 * for the unlinked tables) covers the local hart too.
	 */
	pt_gather_init(&g, pt);
	if (off)
		pt_apply(&g, pt_table(pt->root), PT_TOP_LEVEL, va, va + off - 1,
			 PT_CLEAR, 0);
	pt_unlock(pt);
	pt_gather_finish(&g);
	return err;
}

/*
 * Unmap [va, va + n pages) inside one 2 MiB region, pt->lock held: when
 * the region has a level-0 table, clear its entries directly (no
 * per-page walk); a large leaf goes the general way. Errors: -ENOMEM
 * (a split failed).
 */
static int pt_unmap_l0(struct pt_gather *g, vaddr_t va, unsigned int n)
{
	struct pgtable *pt = g->pt;
	unsigned int i0 = PT_INDEX(va, 0), cleared = 0, lo = 0, hi = 0;
	pte_t *t0;

	if (!pt_hint_hit(pt, va)) {
		int level;
		pte_t *entry = pt_find(pt, va, &level);

		if (level > 0) {
			/* Empty above level 0 (nothing here), or a leaf. */
			if (*entry == PT_EMPTY)
				return 0;
			return pt_change_range(g, va, (size_t)n * PAGE_SIZE,
					       PT_CLEAR, 0);
		}
		pt_hint_set(pt, va, pt_table_of(entry));
	}
	t0 = pt->hint_table;
	for (unsigned int i = i0; i < i0 + n; i++) {
		if (t0[i] == PT_EMPTY)
			continue;
		ASSERT(arch_pte_is_leaf(t0[i]));
		t0[i] = PT_EMPTY;
		if (cleared++ == 0)
			lo = i;
		hi = i;
	}
	if (cleared == 0)
		return 0;
	/* The gather keeps the lowest and highest leaf: add just those. */
	pt_gather_leaf(g, va + (vaddr_t)(lo - i0) * PAGE_SIZE);
	pt_gather_leaf(g, va + (vaddr_t)(hi - i0) * PAGE_SIZE);
	pt->hint_count -= cleared;
	if (pt->hint_count == 0)
		pt_release_l0(g, va);
	return 0;
}

/* pt_unmap_gather() past its fast path, pt->lock held (dropped here). */
static __noinline int pt_unmap_gather_locked(struct pt_gather *g, vaddr_t va,
					     size_t size)
{
	struct pgtable *pt = g->pt;
	int err = 0;

	if (size == PAGE_SIZE) {
		err = pt_unmap_page_locked(g, va);
		if (err == -ENOENT)
			err = 0;
	} else if (va >> PT_LEVEL_SHIFT(1) ==
		   (va + size - 1) >> PT_LEVEL_SHIFT(1)) {
		err = pt_unmap_l0(g, va, (unsigned int)(size >> PAGE_SHIFT));
	} else {
		err = pt_change_range(g, va, size, PT_CLEAR, 0);
	}
	pt_unlock(pt);
	return err;
}

/* pt_unmap_gather() found the lock taken: wait for ticket, then go on. */
static __noinline int pt_unmap_gather_wait(struct pt_gather *g, uint32_t ticket,
					   vaddr_t va, size_t size)
{
	spin_lock_finish(&g->pt->lock, ticket);
	return pt_unmap_gather_locked(g, va, size);
}

__no_frame int pt_unmap_gather(struct pt_gather *g, vaddr_t va, size_t size)
{
	struct pgtable *pt = g->pt;
	size_t n = size >> PAGE_SHIFT, i;
	unsigned int used;
	uint32_t ticket;
	pte_t *entry;

	if (!pt_range_is_valid(va, size))
		return -EINVAL;
	if (unlikely(!pt_lock_begin(pt, &ticket)))
		return pt_unmap_gather_wait(g, ticket, va, size);
	/*
	 * Fast path (vfree's): the range lies in the hint's table, every
	 * entry in it is a leaf (all checked before any is cleared), and
	 * the table keeps other entries, so it stays linked (I5) and the
	 * gather gets just the lowest and highest leaf.
	 */
	if (unlikely(!pt_hint_hit(pt, va) || n > PT_ENTRIES - PT_INDEX(va, 0)))
		return pt_unmap_gather_locked(g, va, size);
	used = pt->hint_count;
	if (unlikely(used <= n))
		return pt_unmap_gather_locked(g, va, size);
	entry = pt_hint_entry(pt, va);
	for (i = 0; i < n; i++) {
		if (unlikely(entry[i] == PT_EMPTY))
			return pt_unmap_gather_locked(g, va, size);
		ASSERT(arch_pte_is_leaf(entry[i]));
	}
	/*
	 * One doubleword store per entry, as Linux's WRITE_ONCE: other
	 * harts' page-table walkers read these entries concurrently, and a
	 * loop GCC turned into memset() could clear them byte by byte.
	 */
	for (i = 0; i < n; i++)
		*(volatile pte_t *)&entry[i] = PT_EMPTY;
	pt->hint_count = used - (unsigned int)n;
	pt_gather_leaf(g, va);
	pt_gather_leaf(g, va + size - PAGE_SIZE);
	if (unlikely(!pt_unlock_if_held(pt)))
		return pt_unlock_bad_fence(pt, va, size, PT_OWE_NONE);
	return 0;
}

int pt_unmap(struct pgtable *pt, vaddr_t va, size_t size)
{
	struct pt_gather g;
	int err;

	if (size == PAGE_SIZE) {
		err = pt_unmap_page(pt, va);
		return err == -ENOENT ? 0 : err;
	}
	pt_gather_init(&g, pt);
	err = pt_unmap_gather(&g, va, size);
	pt_gather_finish(&g);
	return err;
}

int pt_protect(struct pgtable *pt, vaddr_t va, size_t size, unsigned int prot)
{
	struct pt_gather g;
	vaddr_t last = va + size - 1;
	vaddr_t cur = va;
	int level, err;

	if (!pt_range_is_valid(va, size) || !pt_prot_is_valid(prot))
		return -EINVAL;
	pt_gather_init(&g, pt);
	pt_lock(pt);
	/* Every page must be mapped before anything changes. */
	for (;;) {
		pte_t *entry = pt_find(pt, cur, &level);

		if (*entry == PT_EMPTY) {
			pt_unlock(pt);
			return -ENOENT;
		}
		cur |= PT_LEVEL_SIZE(level) - 1;
		if (cur >= last)
			break;
		cur++;
	}
	err = pt_change_range(&g, va, size, PT_PROTECT, prot);
	pt_unlock(pt);
	pt_gather_finish(&g);
	return err;
}
