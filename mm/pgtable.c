// SPDX-License-Identifier: BSD-2-Clause
/*
 * Portable Sv39 page tables: the walker behind mm/pgtable.h.
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
 * Invariants (pt_check() verifies each and cites its number):
 *   I1  Every table, the root included, is page-aligned.
 *   I2  Every entry is either 0 (empty) or valid: this file never writes
 *       an invalid non-zero entry into a linked table, and allocators
 *       hand out zeroed pages. So "entry != 0" is the cheap test for
 *       "valid".
 *   I3  A leaf at level L maps a PT_LEVEL_SIZE(L)-aligned physical
 *       address; level-0 entries are never tables.
 *   I4  A leaf's protection has READ or EXEC, and WRITE only with READ
 *       (RISC-V reserves W without R).
 *   I5  No table except the root is empty: a mapping that fails unlinks
 *       the tables it made, and an unmap unlinks each table it empties.
 *       Therefore a present table always maps something.
 *   I6  pt->table_pages equals the number of tables reachable from the
 *       root, the root included (an unlinked table waiting in a gather
 *       no longer counts).
 *   I7  The walk hint, when set, names the level-0 table linked in the
 *       tree for the hint's 2 MiB region, and its count of valid
 *       entries, when known, is that table's.
 *   I8  A table page unlinked from a tree goes back to the allocator
 *       only after an arch_tlb_shootdown() of everything that followed
 *       the unlink (pt_gather_finish), so no hart's cached walk can
 *       reach a reused page.
 *
 * Operations. pt_map_page() and pt_unmap_page() are the one-page fast
 * paths (vmalloc, benchmarks). Every mm/arch.h helper is an out-of-line
 * call, so a full walk costs two calls per level; instead a one-entry
 * walk hint in each struct pgtable remembers the level-0 table of the
 * last 2 MiB region a one-page call walked to:
 *
 *   pt->hint_key = va >> 21, pt->hint_table = level-0 table (linear map)
 *   pt->hint_used = valid entries in that table (or "not counted")
 *
 * A hit indexes that table directly: one load and test, one store. A
 * miss walks from the root (creating tables for a map) and refills the
 * hint. Any table unlinked from a tree clears its hint (I7), so the hint
 * never names an unlinked page. The count tells an unmap whether it
 * emptied the table without scanning 512 entries (a table kept sparse
 * by lazily freed vmalloc areas would otherwise cost a long scan on
 * every free): it is 0 for a table a map just created, "not counted"
 * after a walk to an existing one until an unmap finds both neighbours
 * of its entry empty and counts once, and kept exact by the one-page
 * paths; the range paths mark it "not counted". pt_unmap_gather() of a
 * range inside one 2 MiB region clears the entries of that one level-0
 * table directly, and pt_map_pages() maps a run of pages through the
 * hint under one lock. The other range functions walk from the root for
 * each leaf, as xv6's mappages() does; pt_map picks the largest leaf
 * that va, pa and the remaining size allow.
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
 *   empty -> leaf, empty -> table (map): only this hart fences
 *     (arch_tlb_flush_page per new leaf up to PT_FLUSH_PAGES_MAX, then
 *     one arch_tlb_flush_all; one arch_tlb_flush_all when a table was
 *     linked). A hart that cached the empty entry takes one spurious
 *     fault, which the fault path retries after a local fence.
 *   leaf -> empty, leaf -> other leaf (unmap, protect): every hart must
 *     fence before the old memory or permission is gone for good. The
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
 * table_pages and the walk hint; every public function takes it for
 * its whole walk and drops it before any shootdown (pt_destroy, whose
 * tree nobody else may use, excepted). Lookups take it too
 * (a table may be unlinked under a walker otherwise), so pt_walk's
 * callback must not call back into the same tree. A gather is its
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

#define PT_INDEX(va, level)                                                    \
	((unsigned int)((va) >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))
#define PT_TOP_LEVEL (PT_LEVELS - 1)
#define PT_EMPTY ((pte_t)0)
/* Sv39 PTEs hold a 44-bit PPN: 56-bit physical addresses. */
#define PT_PA_BITS 56

/* pt->hint_used when the hint's table has not been counted. */
#define PT_HINT_UNCOUNTED (~0u)

/* Keep the one-page fast paths' frames small: slow halves stay out. */
#define __noinline __attribute__((noinline))

#define PT_PROT_ALL                                                            \
	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GLOBAL | PROT_DEVICE)

/* I4, and no unknown bits. */
static inline bool pt_prot_is_valid(unsigned int prot)
{
	if (prot & ~PT_PROT_ALL)
		return false;
	if (!(prot & (PROT_READ | PROT_EXEC)))
		return false;
	return !(prot & PROT_WRITE) || (prot & PROT_READ);
}

static inline pte_t *pt_table(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* A valid non-leaf entry (I2: non-zero means valid). */
static inline bool pt_entry_is_table(pte_t pte)
{
	return pte != PT_EMPTY && !arch_pte_is_leaf(pte);
}

/* Sign-extend a 39-bit address (root index >= 256 is the upper half). */
static inline vaddr_t pt_sign_extend(vaddr_t va)
{
	return (vaddr_t)((int64_t)(va << (64 - PT_VA_BITS)) >>
			 (64 - PT_VA_BITS));
}

/*
 * [va, va + size) is page-aligned, non-empty, does not wrap (va + size
 * may be exactly 2^64) and lies within one canonical half.
 */
static bool pt_range_is_valid(vaddr_t va, size_t size)
{
	vaddr_t last = va + size - 1;

	if ((va | size) & ~PAGE_MASK || size == 0 || last < va)
		return false;
	if (!pt_va_is_canonical(va) || !pt_va_is_canonical(last))
		return false;
	return (int64_t)(va ^ last) >= 0;
}

static bool pt_pa_range_is_valid(paddr_t pa, size_t size)
{
	return !(pa & ~PAGE_MASK) && pa + size > pa &&
	       (pa + size - 1) >> PT_PA_BITS == 0;
}

/*
 * The lock is not part of a tree's value: lookups on a const tree take
 * it too.
 */
static inline void pt_lock(const struct pgtable *pt)
{
	spin_lock((spinlock_t *)&pt->lock);
}

static inline void pt_unlock(const struct pgtable *pt)
{
	spin_unlock((spinlock_t *)&pt->lock);
}

/* -------------------------------------------------- hint, table pages */

/* The walk hint (see "Operations" above; I7). pt->lock held. */
static inline bool pt_hint_hit(const struct pgtable *pt, vaddr_t va)
{
	return pt->hint_table && pt->hint_key == va >> PT_LEVEL_SHIFT(1);
}

static void pt_hint_set(struct pgtable *pt, vaddr_t va, pte_t *table,
			unsigned int used)
{
	pt->hint_key = va >> PT_LEVEL_SHIFT(1);
	pt->hint_table = table;
	pt->hint_used = used;
}

/* Valid entries of t (I2: non-zero means valid). */
static unsigned int pt_table_used(const pte_t *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		n += t[i] != PT_EMPTY;
	return n;
}

/*
 * The hint's table lost `cleared` entries, the first at index i: true
 * when it is now empty. Counts it once when not counted yet and a
 * neighbour of i does not already prove it in use.
 */
static bool pt_hint_emptied(struct pgtable *pt, unsigned int i, unsigned int n,
			    unsigned int cleared)
{
	const pte_t *t0 = pt->hint_table;

	if (pt->hint_used != PT_HINT_UNCOUNTED) {
		pt->hint_used -= cleared;
		return pt->hint_used == 0;
	}
	if ((i > 0 && t0[i - 1] != PT_EMPTY) ||
	    (i + n < PT_ENTRIES && t0[i + n] != PT_EMPTY))
		return false;
	pt->hint_used = pt_table_used(t0);
	return pt->hint_used == 0;
}

static void pt_hint_forget(struct pgtable *pt)
{
	pt->hint_table = NULL;
	pt->hint_used = PT_HINT_UNCOUNTED;
}

static paddr_t pt_alloc_table(struct pgtable *pt)
{
	paddr_t pa = pt->alloc.alloc(pt->alloc.ctx);

	if (pa == PADDR_INVALID)
		return PADDR_INVALID;
	if (pa & ~PAGE_MASK)
		panic("pt_alloc_table: allocator returned misaligned table "
		      "pa 0x%llx",
		      (unsigned long long)pa);
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

/* The leaf at va changed: every hart must fence va before it is reused. */
static inline void pt_gather_leaf(struct pt_gather *g, vaddr_t va)
{
	if (va < g->first)
		g->first = va;
	if (va > g->last)
		g->last = va;
}

/*
 * Clear the table entry *entry (pt->lock held) and keep its table in g
 * until the shootdown of everything that the unlink now owes (I8).
 */
static void pt_gather_unlink(struct pt_gather *g, pte_t *entry)
{
	paddr_t pa = arch_pte_paddr(*entry);

	*entry = PT_EMPTY;
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

/*
 * Local fences owed by a map (see "TLB" above): a page fence per new
 * leaf while few, else one full local fence at the end.
 */
struct pt_map_op {
	unsigned long leaves;
	bool flush_all;
};

static inline void pt_map_op_leaf(struct pt_map_op *op, vaddr_t va)
{
	if (op->leaves++ < PT_FLUSH_PAGES_MAX)
		arch_tlb_flush_page(va);
	else
		op->flush_all = true;
}

static void pt_map_op_finish(struct pt_map_op *op)
{
	if (op->flush_all)
		arch_tlb_flush_all();
	op->flush_all = false;
}

/*
 * True when t has a valid entry other than t[i]. Looks outwards from i:
 * neighbouring pages are the likeliest to be mapped, so the common case
 * stops after an entry or two.
 */
static inline bool pt_table_has_other(const pte_t *t, unsigned int i)
{
	for (unsigned int d = 1; d < PT_ENTRIES; d++) {
		if (i + d < PT_ENTRIES && t[i + d] != PT_EMPTY)
			return true;
		if (d <= i && t[i - d] != PT_EMPTY)
			return true;
	}
	return false;
}

static bool pt_table_is_empty(const pte_t *t)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (t[i] != PT_EMPTY)
			return false;
	return true;
}

/* -------------------------------------------------------------- walking */

/*
 * Return the entry that maps va at `level`, creating the missing tables
 * above it (xv6's walk() with alloc, stopping at any level). All tables
 * needed are allocated before any is linked, so on failure nothing has
 * changed. Linking owes this hart a full fence (op). Errors (in *err):
 * -EEXIST if a leaf above `level` covers va, -ENOMEM. pt->lock held.
 */
static pte_t *pt_walk_alloc(struct pgtable *pt, struct pt_map_op *op,
			    vaddr_t va, int level, int *err)
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
	for (n = need - 1; n > 0; n--)
		pt_table(fresh[n - 1])[PT_INDEX(va, l - n)] =
			arch_pte_table(fresh[n]);
	t[PT_INDEX(va, l)] = arch_pte_table(fresh[0]);
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
static pte_t *pt_find(const struct pgtable *pt, vaddr_t va, int *level)
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

enum pt_action { PT_CLEAR, PT_PROTECT };

/*
 * Apply `action` to every leaf in [start, last] (inclusive, so the top
 * of the address space needs no special case) below table t at level,
 * collecting the changed leaves in g. The range lies within t's span
 * and its edges are leaf boundaries (pt_split_at). Tables emptied by
 * PT_CLEAR are unlinked into g.
 */
static void pt_apply(struct pt_gather *g, pte_t *t, int level, vaddr_t start,
		     vaddr_t last, enum pt_action action, unsigned int prot)
{
	vaddr_t mask = PT_LEVEL_SIZE(level) - 1;

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
			if (action == PT_CLEAR && pt_table_is_empty(child))
				pt_gather_unlink(g, entry);
		}
		if (end == last)
			break;
	}
}

/* Unmap or protect a valid range: split the edges, then apply. Locked. */
static int pt_change_range(struct pt_gather *g, vaddr_t va, size_t size,
			   enum pt_action action, unsigned int prot)
{
	struct pgtable *pt = g->pt;
	vaddr_t last = va + size - 1;
	int err;

	if (action == PT_CLEAR)
		pt->hint_used = PT_HINT_UNCOUNTED;
	err = pt_split_at(pt, va);
	if (!err && last + 1 != 0)
		err = pt_split_at(pt, last + 1);
	if (!err)
		pt_apply(g, pt_table(pt->root), PT_TOP_LEVEL, va, last, action,
			 prot);
	return err;
}

/* -------------------------------------------------------------- the API */

int pt_init(struct pgtable *pt, const struct pt_alloc *alloc)
{
	spin_lock_init(&pt->lock, "pgtable");
	pt->root = PADDR_INVALID;
	pt->table_pages = 0;
	pt_hint_forget(pt);
	if (!alloc || !alloc->alloc)
		return -EINVAL;
	pt->alloc = *alloc;
	pt->root = pt_alloc_table(pt);
	if (pt->root == PADDR_INVALID)
		return -ENOMEM;
	return 0;
}

/*
 * pt_map_page() after a hint miss, pt->lock held (and dropped here):
 * walk, creating tables, and refill the hint.
 */
static __noinline int pt_map_page_walk(struct pgtable *pt, vaddr_t va,
				       paddr_t pa, unsigned int prot)
{
	struct pt_map_op op = { 0, false };
	int err = 0;
	pte_t *entry = pt_walk_alloc(pt, &op, va, 0, &err);

	if (entry) {
		/* Tables linked: the level-0 one is new, hence empty. */
		pt_hint_set(pt, va, entry - PT_INDEX(va, 0),
			    op.flush_all ? 0 : PT_HINT_UNCOUNTED);
		if (*entry == PT_EMPTY) {
			*entry = arch_pte_leaf(pa, prot);
			if (pt->hint_used != PT_HINT_UNCOUNTED)
				pt->hint_used++;
			pt_map_op_leaf(&op, va);
		} else {
			err = -EEXIST;
		}
	}
	pt_unlock(pt);
	pt_map_op_finish(&op);
	return err;
}

int pt_map_page(struct pgtable *pt, vaddr_t va, paddr_t pa, unsigned int prot)
{
	pte_t *entry;

	if (unlikely((va | pa) & ~PAGE_MASK || pa >> PT_PA_BITS ||
		     !pt_va_is_canonical(va) || !pt_prot_is_valid(prot)))
		return -EINVAL;
	pt_lock(pt);
	if (unlikely(!pt_hint_hit(pt, va)))
		return pt_map_page_walk(pt, va, pa, prot);
	entry = &pt->hint_table[PT_INDEX(va, 0)];
	if (unlikely(*entry != PT_EMPTY)) {
		pt_unlock(pt);
		return -EEXIST;
	}
	*entry = arch_pte_leaf(pa, prot);
	if (pt->hint_used != PT_HINT_UNCOUNTED)
		pt->hint_used++;
	pt_unlock(pt);
	arch_tlb_flush_page(va);
	return 0;
}

int pt_map_pages(struct pgtable *pt, vaddr_t va, const paddr_t *pa, size_t n,
		 unsigned int prot)
{
	struct pt_map_op op = { 0, false };
	struct pt_gather g;
	size_t i;
	int err = 0;

	if (n == 0 || n > SIZE_MAX / PAGE_SIZE ||
	    !pt_range_is_valid(va, n * PAGE_SIZE) || !pt_prot_is_valid(prot))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (pa[i] & ~PAGE_MASK || pa[i] >> PT_PA_BITS)
			return -EINVAL;
	pt_lock(pt);
	for (i = 0; i < n; i++) {
		vaddr_t v = va + i * PAGE_SIZE;
		pte_t *entry;

		if (unlikely(!pt_hint_hit(pt, v))) {
			struct pt_map_op walk = { 0, false };

			entry = pt_walk_alloc(pt, &walk, v, 0, &err);
			if (!entry)
				break;
			pt_hint_set(pt, v, entry - PT_INDEX(v, 0),
				    walk.flush_all ? 0 : PT_HINT_UNCOUNTED);
			op.flush_all |= walk.flush_all;
		}
		entry = &pt->hint_table[PT_INDEX(v, 0)];
		if (unlikely(*entry != PT_EMPTY)) {
			err = -EEXIST;
			break;
		}
		*entry = arch_pte_leaf(pa[i], prot);
		if (pt->hint_used != PT_HINT_UNCOUNTED)
			pt->hint_used++;
		pt_map_op_leaf(&op, v);
	}
	if (likely(!err)) {
		pt_unlock(pt);
		pt_map_op_finish(&op);
		return 0;
	}
	/* Undo as pt_map does: only this call's 4 KiB leaves, no split. */
	pt_gather_init(&g, pt);
	pt->hint_used = PT_HINT_UNCOUNTED;
	if (i)
		pt_apply(&g, pt_table(pt->root), PT_TOP_LEVEL, va,
			 va + i * PAGE_SIZE - 1, PT_CLEAR, 0);
	pt_unlock(pt);
	pt_gather_finish(&g);
	return err;
}

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
	struct pt_map_op op = { 0, false };
	struct pt_gather g;
	size_t off;
	int level, err = 0;

	if (size == PAGE_SIZE)
		return pt_map_page(pt, va, pa, prot);
	if (!pt_range_is_valid(va, size) || !pt_pa_range_is_valid(pa, size) ||
	    !pt_prot_is_valid(prot))
		return -EINVAL;

	pt_lock(pt);
	pt->hint_used = PT_HINT_UNCOUNTED; /* leaves may land in its table */
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
 * The level-0 table for va is now empty: unlink it, and its level-1
 * parent if that empties too (I5). pt->lock held.
 */
static __noinline void pt_release_l0(struct pt_gather *g, vaddr_t va)
{
	pte_t *e2, *t1;

	e2 = &pt_table(g->pt->root)[PT_INDEX(va, 2)];
	t1 = pt_table(arch_pte_paddr(*e2));
	pt_gather_unlink(g, &t1[PT_INDEX(va, 1)]);
	if (!pt_table_has_other(t1, PT_INDEX(va, 1)))
		pt_gather_unlink(g, e2);
}

/*
 * Unmap the 4 KiB page va into g, pt->lock held: the hint's table
 * directly, or after a walk that refills the hint; a large leaf is
 * split (pt_change_range). Errors: -ENOENT, -ENOMEM.
 */
static int pt_unmap_page_locked(struct pt_gather *g, vaddr_t va)
{
	struct pgtable *pt = g->pt;
	unsigned int i = PT_INDEX(va, 0);
	pte_t *entry;

	if (unlikely(!pt_hint_hit(pt, va))) {
		int level;

		entry = pt_find(pt, va, &level);
		if (*entry == PT_EMPTY)
			return -ENOENT;
		if (level > 0)
			return pt_change_range(g, va, PAGE_SIZE, PT_CLEAR, 0);
		pt_hint_set(pt, va, entry - i, PT_HINT_UNCOUNTED);
	}
	entry = &pt->hint_table[i];
	if (unlikely(*entry == PT_EMPTY))
		return -ENOENT;
	ASSERT(arch_pte_is_leaf(*entry));
	*entry = PT_EMPTY;
	pt_gather_leaf(g, va);
	if (unlikely(pt_hint_emptied(pt, i, 1, 1)))
		pt_release_l0(g, va);
	return 0;
}

int pt_unmap_page(struct pgtable *pt, vaddr_t va)
{
	struct pt_gather g;
	pte_t *entry;
	int err;

	if (unlikely(va & ~PAGE_MASK || !pt_va_is_canonical(va)))
		return -EINVAL;
	pt_lock(pt);
	/*
	 * Fast path: a hint hit on a counted table that keeps other
	 * entries (I5: it stays linked), so the gather would hold just va.
	 */
	if (likely(pt_hint_hit(pt, va) && pt->hint_used > 1 &&
		   pt->hint_used != PT_HINT_UNCOUNTED)) {
		entry = &pt->hint_table[PT_INDEX(va, 0)];
		if (likely(*entry != PT_EMPTY)) {
			ASSERT(arch_pte_is_leaf(*entry));
			*entry = PT_EMPTY;
			pt->hint_used--;
			pt_unlock(pt);
			arch_tlb_shootdown(va, PAGE_SIZE);
			return 0;
		}
	}
	pt_gather_init(&g, pt);
	err = pt_unmap_page_locked(&g, va);
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
	unsigned int i0 = PT_INDEX(va, 0), cleared = 0;
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
		pt_hint_set(pt, va, entry - i0, PT_HINT_UNCOUNTED);
	}
	t0 = pt->hint_table;
	for (unsigned int i = i0; i < i0 + n; i++) {
		if (t0[i] == PT_EMPTY)
			continue;
		ASSERT(arch_pte_is_leaf(t0[i]));
		t0[i] = PT_EMPTY;
		pt_gather_leaf(g, va + (vaddr_t)(i - i0) * PAGE_SIZE);
		cleared++;
	}
	if (cleared && pt_hint_emptied(pt, i0, n, cleared))
		pt_release_l0(g, va);
	return 0;
}

int pt_unmap_gather(struct pt_gather *g, vaddr_t va, size_t size)
{
	struct pgtable *pt = g->pt;
	int err = 0;

	if (!pt_range_is_valid(va, size))
		return -EINVAL;
	pt_lock(pt);
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

/*
 * Report every leaf below table t (at level, covering from base) that
 * overlaps [lo, hi] (inclusive, sign-extended addresses).
 */
static int pt_walk_table(const pte_t *t, int level, vaddr_t base, vaddr_t lo,
			 vaddr_t hi, pt_walk_fn fn, void *arg)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		vaddr_t va = base + ((vaddr_t)i << PT_LEVEL_SHIFT(level));
		pte_t pte = t[i];
		int ret;

		if (pte == PT_EMPTY)
			continue;
		if (level == PT_TOP_LEVEL)
			va = pt_sign_extend(va);
		if (va > hi || va + (PT_LEVEL_SIZE(level) - 1) < lo)
			continue;
		if (arch_pte_is_leaf(pte))
			ret = fn(arg, va, arch_pte_paddr(pte),
				 PT_LEVEL_SIZE(level), arch_pte_prot(pte));
		else if (level > 0)
			ret = pt_walk_table(pt_table(arch_pte_paddr(pte)),
					    level - 1, va, lo, hi, fn, arg);
		else
			ret = 0; /* corrupt (I3); pt_check reports it */
		if (ret)
			return ret;
	}
	return 0;
}

static int pt_walk_locked(const struct pgtable *pt, vaddr_t lo, vaddr_t hi,
			  pt_walk_fn fn, void *arg)
{
	int ret = 0;

	pt_lock(pt);
	/* Root order: the lower half, then the sign-extended upper half. */
	if (pt->root != PADDR_INVALID)
		ret = pt_walk_table(pt_table(pt->root), PT_TOP_LEVEL, 0, lo, hi,
				    fn, arg);
	pt_unlock(pt);
	return ret;
}

int pt_walk(const struct pgtable *pt, pt_walk_fn fn, void *arg)
{
	return pt_walk_locked(pt, 0, ~(vaddr_t)0, fn, arg);
}

int pt_walk_range(const struct pgtable *pt, vaddr_t va, size_t size,
		  pt_walk_fn fn, void *arg)
{
	if (!pt_range_is_valid(va, size))
		return -EINVAL;
	return pt_walk_locked(pt, va, va + size - 1, fn, arg);
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

/* ---------------------------------------------------------------- check */

struct pt_check_state {
	size_t tables;
	int errors;
};

static void pt_check_table(struct pt_check_state *cs, paddr_t table, int level,
			   vaddr_t base, bool is_root)
{
	const pte_t *t;
	unsigned int used = 0;

	cs->tables++;
	if (table & ~PAGE_MASK) {
		printk("pt_check: I1 table pa 0x%llx at level %d (va 0x%llx) "
		       "not page-aligned\n",
		       (unsigned long long)table, level,
		       (unsigned long long)base);
		cs->errors++;
		return;
	}
	t = pt_table(table);
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		vaddr_t va = base + ((vaddr_t)i << PT_LEVEL_SHIFT(level));
		pte_t pte = t[i];

		if (level == PT_TOP_LEVEL)
			va = pt_sign_extend(va);
		if (pte == PT_EMPTY)
			continue;
		used++;
		if (!arch_pte_is_valid(pte)) {
			printk("pt_check: I2 invalid non-zero pte 0x%llx at "
			       "level %d va 0x%llx\n",
			       (unsigned long long)pte, level,
			       (unsigned long long)va);
			cs->errors++;
		} else if (arch_pte_is_leaf(pte)) {
			paddr_t pa = arch_pte_paddr(pte);
			unsigned int prot = arch_pte_prot(pte);

			if (!IS_ALIGNED(pa, PT_LEVEL_SIZE(level))) {
				printk("pt_check: I3 leaf va 0x%llx pa 0x%llx "
				       "misaligned for level %d\n",
				       (unsigned long long)va,
				       (unsigned long long)pa, level);
				cs->errors++;
			}
			if (!pt_prot_is_valid(prot)) {
				printk("pt_check: I4 leaf va 0x%llx prot 0x%x "
				       "invalid\n",
				       (unsigned long long)va, prot);
				cs->errors++;
			}
		} else if (level == 0) {
			printk("pt_check: I3 table pte 0x%llx at level 0 va "
			       "0x%llx\n",
			       (unsigned long long)pte, (unsigned long long)va);
			cs->errors++;
		} else {
			pt_check_table(cs, arch_pte_paddr(pte), level - 1, va,
				       false);
		}
	}
	if (!is_root && used == 0) {
		printk("pt_check: I5 empty table pa 0x%llx at level %d va "
		       "0x%llx\n",
		       (unsigned long long)table, level,
		       (unsigned long long)base);
		cs->errors++;
	}
}

/* I7: the hint's table is the one linked for its region. */
static bool pt_check_hint(const struct pgtable *pt)
{
	vaddr_t va = pt->hint_key << PT_LEVEL_SHIFT(1);
	const pte_t *t = pt_table(pt->root);

	for (int l = PT_TOP_LEVEL; l > 0; l--) {
		pte_t pte = t[PT_INDEX(va, l)];

		if (!pt_entry_is_table(pte))
			return false;
		t = pt_table(arch_pte_paddr(pte));
	}
	return t == pt->hint_table;
}

int pt_check(const struct pgtable *pt)
{
	struct pt_check_state cs = { 0, 0 };

	pt_lock(pt);
	if (pt->root == PADDR_INVALID) {
		if (pt->table_pages != 0) {
			printk("pt_check: I6 no root but table_pages %zu\n",
			       pt->table_pages);
			cs.errors++;
		}
		goto out;
	}
	pt_check_table(&cs, pt->root, PT_TOP_LEVEL, 0, true);
	if (pt->hint_table && !pt_check_hint(pt)) {
		printk("pt_check: I7 walk hint va 0x%llx table %p is not the "
		       "linked level-0 table\n",
		       (unsigned long long)(pt->hint_key << PT_LEVEL_SHIFT(1)),
		       (void *)pt->hint_table);
		cs.errors++;
	} else if (pt->hint_table && pt->hint_used != PT_HINT_UNCOUNTED &&
		   pt->hint_used != pt_table_used(pt->hint_table)) {
		printk("pt_check: I7 walk hint va 0x%llx counts %u entries, "
		       "table has %u\n",
		       (unsigned long long)(pt->hint_key << PT_LEVEL_SHIFT(1)),
		       pt->hint_used, pt_table_used(pt->hint_table));
		cs.errors++;
	}
	if (cs.tables != pt->table_pages) {
		printk("pt_check: I6 table_pages %zu but %zu tables "
		       "reachable\n",
		       pt->table_pages, cs.tables);
		cs.errors++;
	}
out:
	pt_unlock(pt);
	return cs.errors;
}
