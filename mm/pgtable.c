// SPDX-License-Identifier: BSD-2-Clause
/*
 * Portable Sv39 page tables: the walker behind mm/pgtable.h, with its
 * table pages, walk hint, gathers and one-page fast paths. The range
 * operations (pt_map, pt_unmap, pt_unmap_gather, pt_protect) are in
 * mm/pgtable_range.c, the walks and the checker in mm/pgtable_check.c.
 *
 * What it manages. One translation tree per struct pgtable. Each table
 * is one 4 KiB page of 512 entries taken from pt->alloc and reached
 * through the linear map (phys_to_virt). How an entry is encoded, and
 * how the TLB is fenced, belongs to mm/arch.h; this file only knows the
 * shape of the tree:
 *
 *   va  63      39 38    30 29    21 20    12 11       0
 *      +----------+--------+--------+--------+----------+
 *      | = bit 38 | VPN[2] | VPN[1] | VPN[0] |  offset  |
 *      +----------+--------+--------+--------+----------+
 *                      |        |        |
 *   root (level 2) ----'        |        |   entry: 0, 1 GiB leaf or table
 *   level 1 table --------------'        |   entry: 0, 2 MiB leaf or table
 *   level 0 table -----------------------'   entry: 0 or 4 KiB leaf
 *
 * Root entries 0..255 cover the lower half [0, 256 GiB); entries
 * 256..511 the upper half [0xffffffc000000000, 2^64), which is where the
 * kernel lives. Walks report upper-half addresses sign-extended.
 *
 * Invariants I1..I9 (tables aligned, entries 0 or valid, leaves
 * aligned, protections valid, no empty non-root table, table_pages, the
 * walk hint, table pages freed after the shootdown, valid-entry
 * counters) are stated in mm/pgtable_internal.h, shared with
 * mm/pgtable_check.c, whose pt_check() verifies each and cites its
 * number.
 *
 * Operations. pt_map_page() and pt_unmap_page() are the one-page fast
 * paths (vmalloc, benchmarks). The PTE encoding is inline (mm/arch.h),
 * but a full walk still costs a load and a test per level; instead a
 * one-entry walk hint in each struct pgtable remembers the level-0 table
 * of the last 2 MiB region a one-page call walked to:
 *
 *   pt->hint_key = va >> 21, pt->hint_table = level-0 table (linear map)
 *   pt->hint_base = hint_table - (hint_key << 12)
 *   pt->hint_count = its valid-entry count (I9; written back to the
 *                    allocator's counter when the hint moves on)
 *
 * A hit finds its entry at hint_base + (va >> 9) (pt_hint_entry: a
 * shift and an add), then one load and test, one store and the
 * counter's increment or decrement.
 * The fast paths make no call that returns, and are __no_frame (on
 * RISC-V a call would cost a stack frame and saved registers on every
 * run): the lock is taken in two halves (spin_lock_begin; waiting and
 * the recursion check are a tail call), and every uncommon case
 * (a miss, an occupied or last entry, a lock not held at unlock, other
 * harts to shoot down) is a tail call to an out-of-line half. A miss
 * walks from the root (creating tables for a map) and refills the hint.
 * Any table unlinked from a tree clears the hint (I7), so the hint never
 * names an unlinked page. The counters (I9) live where the allocator
 * keeps them (the kernel's in the table page's struct page), are set to
 * 0 when a table is allocated, and tell every unmap in O(1) whether it
 * emptied the table. pt_unmap_gather() of a range inside one 2 MiB
 * region clears the entries of that one level-0 table directly
 * (mm/pgtable_range.c), and pt_map_pages() maps a run of pages under
 * one lock: a run inside the hint's table whose entries are all empty
 * on a fast path like pt_map_page's (every entry checked before any is
 * written, so nothing is ever taken back), any other run filling each
 * level-0 table's part of it in one pass.
 * The other range functions walk from the root for each leaf, as xv6's
 * mappages() does; pt_map picks the largest leaf that va, pa and the
 * remaining size allow.
 *
 * Failure and rollback. pt_map never replaces an entry. When it meets an
 * existing mapping (-EEXIST) or runs out of table pages (-ENOMEM) it
 * unmaps the leaves it installed, which by I5 unlinks exactly the tables
 * it created, so the tree is as it was. Tables for one leaf are all
 * allocated before any is linked, so a failing walk links nothing (and
 * frees its unlinked pages at once: no hart ever saw them). pt_unmap
 * and pt_protect split the (at most two) large leaves that straddle the
 * range edges before changing anything; splitting keeps every
 * translation, so an -ENOMEM there changes no mapping.
 *
 * TLB. The tree is shared by every hart, and each may cache any part of
 * it. What a change owes depends on its kind:
 *
 *   empty -> leaf, empty -> table (map): only this hart fences, once
 *     per call: arch_tlb_flush_page when the call made one leaf and
 *     linked no table, else one arch_tlb_flush_all. A hart that cached
 *     the empty entry takes one spurious fault, which the fault path
 *     retries after a local fence.
 *   leaf -> empty, leaf -> other leaf (unmap, protect): every hart must
 *     fence before the old memory or permission is gone for good (with
 *     one hart online, arch_tlb_is_local(), pt_unmap_page's shootdown is
 *     its own inline page fence). The
 *     struct pt_gather of the operation collects the lowest and highest
 *     leaf address changed (a leaf's address covers its superpage) and
 *     pt_gather_finish() issues ONE arch_tlb_shootdown(first, size),
 *     or of everything when the range passes PT_FLUSH_PAGES_MAX pages.
 *   table -> empty (unlink): RISC-V's sfence.vma with an address need
 *     not drop cached non-leaf entries, so the shootdown is of
 *     everything; the table page is held in the gather until then (I8),
 *     chained through its entry 0 (a page-aligned address has V clear,
 *     so a stale walk through the held page still sees no valid entry).
 *   leaf -> table (split): the new table keeps every translation, so
 *     no fence is owed for the split itself; the leaves then changed
 *     are fenced as above (an address fence drops the cached superpage
 *     leaf that covers it).
 *
 * A gather may span several calls: vmalloc keeps one for all lazily
 * freed areas and finishes it on a purge (mm/vmalloc.c).
 *
 * Locking: pt->lock (a spinlock in struct pgtable) protects the tree,
 * table_pages, the walk hint and every linked table's counter; every
 * public function takes it for its whole walk and drops it before any
 * shootdown (pt_destroy, whose tree nobody else may use, excepted).
 * Lookups take it too (a table may be unlinked under a walker
 * otherwise), so pt_walk's callback must not call back into the same
 * tree. A gather is its
 * caller's: it is only touched under pt->lock by the pt_* call filling
 * it, and otherwise protected by whatever protects the caller's copy.
 * Lock order: vmalloc's lock -> vmem arena lock -> pt->lock -> the
 * table allocator's locks (buddy zone locks) -> printk_lock. The
 * allocator callbacks run with pt->lock held and must not call pt_*.
 *
 * Failure modes: allocator exhaustion is reported as -ENOMEM. A table
 * entry found at level 0 or an allocator handing out a misaligned page
 * is corruption and panics with the values involved.
 */
#include "mm/pgtable.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/linear.h"
#include "mm/pgtable_internal.h"

/* -------------------------------------------------- hint, table pages */

/* No hint (pt_init; pt_hint_forget after the write-back). */
static void pt_hint_clear(struct pgtable *pt)
{
	pt->hint_key = PT_HINT_NONE;
	pt->hint_table = NULL;
	pt->hint_base = 0;
	pt->hint_count = 0;
}

/* Give the hint's count back to its table's counter (I9), and drop it. */
static void pt_hint_forget(struct pgtable *pt)
{
	if (pt->hint_table && pt->alloc.used)
		*pt->alloc.used(pt->alloc.ctx, virt_to_phys(pt->hint_table)) =
			pt->hint_count;
	pt_hint_clear(pt);
}

/* Point the hint at va's level-0 table (linked) and take its count. */
void pt_hint_set(struct pgtable *pt, vaddr_t va, pte_t *table)
{
	if (table == pt->hint_table && pt->hint_key == va >> PT_LEVEL_SHIFT(1))
		return;
	pt_hint_forget(pt);
	pt->hint_key = va >> PT_LEVEL_SHIFT(1);
	pt->hint_table = table;
	pt->hint_base = pt_hint_base(pt->hint_key, table);
	pt->hint_count = pt->alloc.used ? *pt->alloc.used(pt->alloc.ctx,
							  virt_to_phys(table))
					: pt_table_used(table);
}

paddr_t pt_alloc_table(struct pgtable *pt)
{
	paddr_t pa = pt->alloc.alloc(pt->alloc.ctx);

	if (pa == PADDR_INVALID)
		return PADDR_INVALID;
	if (pa & ~PAGE_MASK)
		panic("pt_alloc_table: allocator returned misaligned table "
		      "pa 0x%llx",
		      (unsigned long long)pa);
	if (pt->alloc.used)
		*pt->alloc.used(pt->alloc.ctx, pa) = 0; /* zeroed page (I9) */
	pt->table_pages++;
	return pa;
}

/* Free a table that is not (or never was) reachable by any hart. */
static void pt_free_table(struct pgtable *pt, paddr_t pa)
{
	ASSERT(pt->table_pages > 1 || pa == pt->root);
	pt->table_pages--;
	if (pt->alloc.free)
		pt->alloc.free(pt->alloc.ctx, pa);
}

/* ------------------------------------------------------------- gathers */

void pt_gather_init(struct pt_gather *g, struct pgtable *pt)
{
	g->pt = pt;
	g->first = ~(vaddr_t)0;
	g->last = 0;
	g->flush_all = false;
	g->nr_tables = 0;
	g->tables = 0;
}

/*
 * Clear the table entry *entry (pt->lock held) and keep its table in g
 * until the shootdown of everything that the unlink now owes (I8).
 */
void pt_gather_unlink(struct pt_gather *g, pte_t *entry)
{
	paddr_t pa = arch_pte_paddr(*entry);

	*entry = PT_EMPTY;
	pt_used_add(g->pt, pt_table_of(entry), -1);
	g->pt->table_pages--;
	pt_hint_forget(g->pt);
	g->flush_all = true;
	/* A page-aligned address has V clear: the held page stays "empty". */
	pt_table(pa)[0] = (pte_t)g->tables;
	g->tables = pa;
	g->nr_tables++;
}

void pt_gather_finish(struct pt_gather *g)
{
	struct pgtable *pt = g->pt;
	paddr_t pa = g->tables;

	ASSERT(!pt_lock_is_held(pt));
	if (g->flush_all ||
	    (g->first <= g->last &&
	     g->last - g->first >= PT_FLUSH_PAGES_MAX * PAGE_SIZE))
		arch_tlb_shootdown(0, TLB_FLUSH_ALL);
	else if (g->first <= g->last)
		arch_tlb_shootdown(g->first, g->last - g->first + PAGE_SIZE);
	/* Only now may the unlinked tables be reused (I8). */
	for (size_t i = 0; i < g->nr_tables; i++) {
		pte_t *t = pt_table(pa);
		paddr_t next = (paddr_t)t[0];

		t[0] = PT_EMPTY;
		if (pt->alloc.free)
			pt->alloc.free(pt->alloc.ctx, pa);
		pa = next;
	}
	pt_gather_init(g, pt);
}

void pt_map_op_finish(struct pt_map_op *op)
{
	if (op->flush_all || op->leaves > 1)
		arch_tlb_flush_all();
	else if (op->leaves == 1)
		arch_tlb_flush_page(op->va);
	op->leaves = 0;
	op->flush_all = false;
}

/* -------------------------------------------------------------- walking */

/*
 * Return the entry that maps va at `level`, creating the missing tables
 * above it (xv6's walk() with alloc, stopping at any level). All tables
 * needed are allocated before any is linked, so on failure nothing has
 * changed. Linking owes this hart a full fence (op). Errors (in *err):
 * -EEXIST if a leaf above `level` covers va, -ENOMEM. pt->lock held.
 */
pte_t *pt_walk_alloc(struct pgtable *pt, struct pt_map_op *op, vaddr_t va,
		     int level, int *err)
{
	pte_t *t = pt_table(pt->root);
	paddr_t fresh[PT_LEVELS - 1] = { 0 };
	int l, n, need;

	for (l = PT_TOP_LEVEL; l > level; l--) {
		pte_t *entry = &t[PT_INDEX(va, l)];

		if (*entry == PT_EMPTY)
			break;
		if (arch_pte_is_leaf(*entry)) {
			*err = -EEXIST;
			return NULL;
		}
		t = pt_table(arch_pte_paddr(*entry));
	}
	if (l == level)
		return &t[PT_INDEX(va, level)];

	/* Levels l-1 .. level need new tables; link them bottom-up. */
	need = l - level;
	for (n = 0; n < need; n++) {
		fresh[n] = pt_alloc_table(pt);
		if (fresh[n] == PADDR_INVALID)
			goto nomem;
	}
	for (n = need - 1; n > 0; n--) {
		pte_t *parent = pt_table(fresh[n - 1]);

		parent[PT_INDEX(va, l - n)] = arch_pte_table(fresh[n]);
		pt_used_add(pt, parent, 1);
	}
	t[PT_INDEX(va, l)] = arch_pte_table(fresh[0]);
	pt_used_add(pt, t, 1);
	op->flush_all = true;
	return &pt_table(fresh[need - 1])[PT_INDEX(va, level)];

nomem:
	while (n-- > 0)
		pt_free_table(pt, fresh[n]);
	*err = -ENOMEM;
	return NULL;
}

/*
 * Find the entry mapping va: a leaf (returned with its level) or the
 * first empty entry on the way (also returned). A table entry at level
 * 0 is corruption and panics. pt->lock held.
 */
pte_t *pt_find(const struct pgtable *pt, vaddr_t va, int *level)
{
	pte_t *t = pt_table(pt->root);

	for (int l = PT_TOP_LEVEL; l >= 0; l--) {
		pte_t *entry = &t[PT_INDEX(va, l)];

		if (*entry == PT_EMPTY || arch_pte_is_leaf(*entry)) {
			*level = l;
			return entry;
		}
		if (l == 0)
			panic("pt_find: table entry at level 0 for va 0x%llx "
			      "pte 0x%llx",
			      (unsigned long long)va,
			      (unsigned long long)*entry);
		t = pt_table(arch_pte_paddr(*entry));
	}
	return NULL; /* not reached */
}

/* -------------------------------------------------------------- the API */

int pt_init(struct pgtable *pt, const struct pt_alloc *alloc)
{
	spin_lock_init(&pt->lock, "pgtable");
	pt->root = PADDR_INVALID;
	pt->table_pages = 0;
	pt_hint_clear(pt);
	if (!alloc || !alloc->alloc)
		return -EINVAL;
	pt->alloc = *alloc;
	pt->root = pt_alloc_table(pt);
	if (pt->root == PADDR_INVALID)
		return -ENOMEM;
	return 0;
}

/* Set the counter of table t (at level) and of every table below (I9). */
static void pt_recount(struct pgtable *pt, pte_t *t, int level)
{
	for (unsigned int i = 0; level > 0 && i < PT_ENTRIES; i++)
		if (pt_entry_is_table(t[i]))
			pt_recount(pt, pt_table(arch_pte_paddr(t[i])),
				   level - 1);
	*pt->alloc.used(pt->alloc.ctx, virt_to_phys(t)) = pt_table_used(t);
}

int pt_set_alloc(struct pgtable *pt, const struct pt_alloc *alloc)
{
	if (!alloc || !alloc->alloc)
		return -EINVAL;
	pt_lock(pt);
	pt_hint_forget(pt); /* into the old allocator's counter */
	pt->alloc = *alloc;
	if (alloc->used && pt->root != PADDR_INVALID)
		pt_recount(pt, pt_table(pt->root), PT_TOP_LEVEL);
	pt_unlock(pt);
	return 0;
}

/*
 * The one-page fast paths below make no call that returns (a call costs
 * a stack frame and saved registers on every run): everything that is
 * not the common case is a tail call to one of these out-of-line
 * halves.
 */

/*
 * pt_map_page() past its fast path, pt->lock held (dropped here): a
 * hint miss walks, creating tables, and refills the hint; an occupied
 * entry is -EEXIST.
 */
static __noinline int pt_map_page_locked(struct pgtable *pt, vaddr_t va,
					 paddr_t pa, unsigned int prot)
{
	struct pt_map_op op = { 0, 0, false };
	int err = 0;
	pte_t *entry;

	if (pt_hint_hit(pt, va)) {
		entry = &pt->hint_table[PT_INDEX(va, 0)];
	} else {
		entry = pt_walk_alloc(pt, &op, va, 0, &err);
		if (entry)
			pt_hint_set(pt, va, pt_table_of(entry));
	}
	if (entry) {
		if (*entry == PT_EMPTY) {
			*entry = arch_pte_leaf(pa, prot);
			pt->hint_count++;
			pt_map_op_leaf(&op, va);
		} else {
			err = -EEXIST;
		}
	}
	pt_unlock(pt);
	pt_map_op_finish(&op);
	return err;
}

/* pt_map_page() found the lock taken: wait for ticket, then go on. */
static __noinline int pt_map_page_wait(struct pgtable *pt, uint32_t ticket,
				       vaddr_t va, paddr_t pa,
				       unsigned int prot)
{
	spin_lock_finish(&pt->lock, ticket);
	return pt_map_page_locked(pt, va, pa, prot);
}

/*
 * A fast path made its change but did not hold pt->lock when it came
 * to release it (corruption, or a lock re-initialised under it):
 * pt_unlock() reports it. Then the fence the change owes for [va, va +
 * size): PT_OWE_LOCAL after a map (this hart: the page, or everything
 * for a run), PT_OWE_SHOOTDOWN after a one-page unmap (every hart),
 * PT_OWE_NONE after an unmap into the caller's gather. Returns 0.
 */
__noinline int pt_unlock_bad_fence(struct pgtable *pt, vaddr_t va, size_t size,
				   enum pt_owe owe)
{
	pt_unlock(pt);
	if (owe == PT_OWE_SHOOTDOWN)
		arch_tlb_shootdown(va, size);
	else if (owe == PT_OWE_LOCAL && size == PAGE_SIZE)
		arch_tlb_flush_page(va);
	else if (owe == PT_OWE_LOCAL)
		arch_tlb_flush_all();
	return 0;
}

__no_frame int pt_map_page(struct pgtable *pt, vaddr_t va, paddr_t pa,
			   unsigned int prot)
{
	uint32_t ticket;
	pte_t *entry, bits;

	/* Offset bits of va or pa, pa beyond 56 bits: one test. */
	if (unlikely(((va | pa) << (64 - PAGE_SHIFT) | pa >> PT_PA_BITS) ||
		     !pt_va_is_canonical(va) || prot > PT_PROT_ALL))
		return -EINVAL;
	/* The rest of I4 (pt_prot_is_valid): 0 for a prot no leaf has. */
	bits = arch_pte_leaf_bits(prot);
	if (unlikely(bits == 0))
		return -EINVAL;
	if (unlikely(!pt_lock_begin(pt, &ticket)))
		return pt_map_page_wait(pt, ticket, va, pa, prot);
	if (unlikely(!pt_hint_hit(pt, va)))
		return pt_map_page_locked(pt, va, pa, prot);
	entry = pt_hint_entry(pt, va);
	if (unlikely(*entry != PT_EMPTY))
		return pt_map_page_locked(pt, va, pa, prot);
	*entry = arch_pte_leaf_of(pa, bits);
	pt->hint_count++;
	if (unlikely(!pt_unlock_if_held(pt)))
		return pt_unlock_bad_fence(pt, va, PAGE_SIZE, PT_OWE_LOCAL);
	arch_tlb_flush_page(va);
	return 0;
}

/*
 * pt_map_pages() failed with err after mapping n pages at va, pt->lock
 * held (dropped here): unmap them as pt_map does (only this call's
 * 4 KiB leaves, no split), with one shootdown. Returns err.
 */
static __noinline int pt_map_pages_undo(struct pgtable *pt, vaddr_t va,
					size_t n, int err)
{
	struct pt_gather g;

	pt_gather_init(&g, pt);
	if (n)
		pt_apply(&g, pt_table(pt->root), PT_TOP_LEVEL, va,
			 va + n * PAGE_SIZE - 1, PT_CLEAR, 0);
	pt_unlock(pt);
	pt_gather_finish(&g);
	return err;
}

/*
 * pt_map_pages() past its fast path, pt->lock held (dropped here): a run
 * that misses the hint, crosses a level-0 table or meets an entry in
 * use. One pass per level-0 table (the hint's): its part of the run.
 */
static __noinline int pt_map_pages_locked(struct pgtable *pt, vaddr_t va,
					  const paddr_t *pa, size_t n,
					  unsigned int prot)
{
	struct pt_map_op op = { 0, 0, false };
	size_t i;
	int err = 0;

	for (i = 0; i < n;) {
		vaddr_t v = va + i * PAGE_SIZE;
		unsigned int first = PT_INDEX(v, 0);
		size_t stop = MIN(n, i + (PT_ENTRIES - first)), run = i;
		pte_t *entry;

		if (unlikely(!pt_hint_hit(pt, v))) {
			entry = pt_walk_alloc(pt, &op, v, 0, &err);
			if (!entry)
				break;
			pt_hint_set(pt, v, pt_table_of(entry));
		}
		entry = &pt->hint_table[first];
		for (; i < stop; i++, entry++) {
			if (unlikely(*entry != PT_EMPTY)) {
				err = -EEXIST;
				break;
			}
			*entry = arch_pte_leaf(pa[i], prot);
		}
		pt->hint_count += (unsigned int)(i - run);
		if (unlikely(err))
			break;
	}
	if (unlikely(err))
		return pt_map_pages_undo(pt, va, i, err);
	op.leaves = n;
	op.va = va;
	pt_unlock(pt);
	pt_map_op_finish(&op);
	return 0;
}

/* pt_map_pages() found the lock taken: wait for ticket, then go on. */
static __noinline int pt_map_pages_wait(struct pgtable *pt, uint32_t ticket,
					vaddr_t va, const paddr_t *pa, size_t n,
					unsigned int prot)
{
	spin_lock_finish(&pt->lock, ticket);
	return pt_map_pages_locked(pt, va, pa, n, prot);
}

__no_frame int pt_map_pages(struct pgtable *pt, vaddr_t va, const paddr_t *pa,
			    size_t n, unsigned int prot)
{
	uint32_t ticket;
	pte_t *entry, bits;
	size_t i;

	if (n == 0 || n > SIZE_MAX / PAGE_SIZE ||
	    !pt_range_is_valid(va, n * PAGE_SIZE) || prot > PT_PROT_ALL)
		return -EINVAL;
	/* The rest of I4, as in pt_map_page(). */
	bits = arch_pte_leaf_bits(prot);
	if (bits == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (pa[i] & ~PAGE_MASK || pa[i] >> PT_PA_BITS)
			return -EINVAL;
	if (unlikely(!pt_lock_begin(pt, &ticket)))
		return pt_map_pages_wait(pt, ticket, va, pa, n, prot);
	/*
	 * Fast path: the whole run lies in the hint's table and every entry
	 * is empty (all checked before any is written, so nothing is undone
	 * and no hart can have cached a leaf this call takes back).
	 */
	if (unlikely(!pt_hint_hit(pt, va) || n > PT_ENTRIES - PT_INDEX(va, 0)))
		return pt_map_pages_locked(pt, va, pa, n, prot);
	entry = pt_hint_entry(pt, va);
	for (i = 0; i < n; i++)
		if (unlikely(entry[i] != PT_EMPTY))
			return pt_map_pages_locked(pt, va, pa, n, prot);
	for (i = 0; i < n; i++)
		entry[i] = arch_pte_leaf_of(pa[i], bits);
	pt->hint_count += (unsigned int)n;
	if (unlikely(!pt_unlock_if_held(pt)))
		return pt_unlock_bad_fence(pt, va, n * PAGE_SIZE, PT_OWE_LOCAL);
	/* The local fence a map owes (pt_map_op_finish, no table linked). */
	if (n == 1)
		arch_tlb_flush_page(va);
	else
		arch_tlb_flush_all();
	return 0;
}

/*
 * The level-0 table for va is now empty (its counter is 0): unlink it,
 * and its level-1 parent if that empties too (I5). pt->lock held.
 */
__noinline void pt_release_l0(struct pt_gather *g, vaddr_t va)
{
	pte_t *e2, *t1;

	e2 = &pt_table(g->pt->root)[PT_INDEX(va, 2)];
	t1 = pt_table(arch_pte_paddr(*e2));
	pt_gather_unlink(g, &t1[PT_INDEX(va, 1)]);
	if (pt_used_is_zero(g->pt, t1))
		pt_gather_unlink(g, e2);
}

/*
 * Unmap the 4 KiB page va into g, pt->lock held: the hint's table
 * directly, or after a walk that refills the hint; a large leaf is
 * split (pt_change_range). Errors: -ENOENT, -ENOMEM.
 */
int pt_unmap_page_locked(struct pt_gather *g, vaddr_t va)
{
	struct pgtable *pt = g->pt;
	pte_t *entry;

	if (unlikely(!pt_hint_hit(pt, va))) {
		int level;

		entry = pt_find(pt, va, &level);
		if (*entry == PT_EMPTY)
			return -ENOENT;
		if (level > 0)
			return pt_change_range(g, va, PAGE_SIZE, PT_CLEAR, 0);
		pt_hint_set(pt, va, pt_table_of(entry));
	}
	entry = &pt->hint_table[PT_INDEX(va, 0)];
	if (unlikely(*entry == PT_EMPTY))
		return -ENOENT;
	ASSERT(arch_pte_is_leaf(*entry));
	*entry = PT_EMPTY;
	pt_gather_leaf(g, va);
	if (unlikely(--pt->hint_count == 0))
		pt_release_l0(g, va);
	return 0;
}

/* pt_unmap_page() past its fast path, pt->lock held (dropped here). */
static __noinline int pt_unmap_page_slow(struct pgtable *pt, vaddr_t va)
{
	struct pt_gather g;
	int err;

	pt_gather_init(&g, pt);
	err = pt_unmap_page_locked(&g, va);
	pt_unlock(pt);
	pt_gather_finish(&g);
	return err;
}

/* pt_unmap_page() found the lock taken: wait for ticket, then go on. */
static __noinline int pt_unmap_page_wait(struct pgtable *pt, uint32_t ticket,
					 vaddr_t va)
{
	spin_lock_finish(&pt->lock, ticket);
	return pt_unmap_page_slow(pt, va);
}

/* The shootdown of one unmapped page when other harts are online. */
static __noinline int pt_unmap_page_shootdown(vaddr_t va)
{
	arch_tlb_shootdown(va, PAGE_SIZE);
	return 0;
}

__no_frame int pt_unmap_page(struct pgtable *pt, vaddr_t va)
{
	unsigned int n;
	uint32_t ticket;
	pte_t *entry;

	if (unlikely(va & ~PAGE_MASK || !pt_va_is_canonical(va)))
		return -EINVAL;
	if (unlikely(!pt_lock_begin(pt, &ticket)))
		return pt_unmap_page_wait(pt, ticket, va);
	/*
	 * Fast path: a hint hit on a table that keeps other entries (I5:
	 * it stays linked), so the gather would hold just va.
	 */
	if (unlikely(!pt_hint_hit(pt, va)))
		return pt_unmap_page_slow(pt, va);
	entry = pt_hint_entry(pt, va);
	n = pt->hint_count; /* read once: the entry's store may alias it */
	if (unlikely(*entry == PT_EMPTY || n <= 1))
		return pt_unmap_page_slow(pt, va);
	ASSERT(arch_pte_is_leaf(*entry));
	*entry = PT_EMPTY;
	pt->hint_count = n - 1;
	if (unlikely(!pt_unlock_if_held(pt)))
		return pt_unlock_bad_fence(pt, va, PAGE_SIZE, PT_OWE_SHOOTDOWN);
	/* One hart online: the shootdown is this hart's fence. */
	if (unlikely(!arch_tlb_is_local()))
		return pt_unmap_page_shootdown(va);
	arch_tlb_flush_page(va);
	return 0;
}

int pt_lookup(const struct pgtable *pt, vaddr_t va, paddr_t *pa,
	      unsigned int *prot, size_t *leaf_size)
{
	pte_t *entry;
	pte_t pte;
	int level;

	if (!pt_va_is_canonical(va))
		return -EINVAL;
	pt_lock(pt);
	if (pt->root == PADDR_INVALID) {
		pt_unlock(pt);
		return -ENOENT;
	}
	entry = pt_find(pt, va, &level);
	pte = *entry;
	pt_unlock(pt);
	if (pte == PT_EMPTY)
		return -ENOENT;
	if (pa)
		*pa = arch_pte_paddr(pte) + (va & (PT_LEVEL_SIZE(level) - 1));
	if (prot)
		*prot = arch_pte_prot(pte);
	if (leaf_size)
		*leaf_size = PT_LEVEL_SIZE(level);
	return 0;
}

static void pt_destroy_table(struct pgtable *pt, paddr_t table, int level)
{
	pte_t *t = pt_table(table);

	for (unsigned int i = 0; level > 0 && i < PT_ENTRIES; i++)
		if (pt_entry_is_table(t[i]))
			pt_destroy_table(pt, arch_pte_paddr(t[i]), level - 1);
	pt_free_table(pt, table);
}

void pt_destroy(struct pgtable *pt)
{
	pt_lock(pt);
	if (pt->root == PADDR_INVALID) {
		pt_unlock(pt);
		return;
	}
	/* The tree may have been live on any hart (I8). */
	pt_hint_forget(pt);
	arch_tlb_shootdown(0, TLB_FLUSH_ALL);
	pt_destroy_table(pt, pt->root, PT_TOP_LEVEL);
	pt->root = PADDR_INVALID;
	pt_unlock(pt);
}
