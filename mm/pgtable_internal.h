/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What mm/pgtable.c (table pages, the walk hint, gathers, the walker and
 * the one-page fast paths), mm/pgtable_range.c (pt_map, pt_unmap,
 * pt_protect: ranges, with large leaves split at the edges) and
 * mm/pgtable_check.c (pt_walk, pt_check) share: the invariants of a
 * translation tree, and the helpers they use. Not for other users: the
 * public API is mm/pgtable.h.
 *
 * Invariants (pt_check() verifies each and cites its number):
 *   I1  Every table, the root included, is page-aligned.
 *   I2  Every entry is either 0 (empty) or valid: mm/pgtable.c never
 *       writes an invalid non-zero entry into a linked table, and
 *       allocators hand out zeroed pages. So "entry != 0" is the cheap test for
 *       "valid".
 *   I3  A leaf at level L maps a PT_LEVEL_SIZE(L)-aligned physical
 *       address; level-0 entries are never tables.
 *   I4  A leaf's protection has READ or EXEC, and WRITE only with READ
 *       (RISC-V reserves W without R).
 *   I5  No table except the root is empty: a mapping that fails unlinks
 *       the tables it made, and an unmap unlinks each table it empties,
 *       at the moment its counter (I9) reaches 0. Therefore a present
 *       table always maps something.
 *   I6  pt->table_pages equals the number of tables reachable from the
 *       root, the root included (an unlinked table waiting in a gather
 *       no longer counts).
 *   I7  The walk hint, when set, names the level-0 table linked in the
 *       tree for the hint's 2 MiB region, and hint_base is that table's
 *       address minus the region's start >> 9 (pt_hint_entry).
 *   I8  A table page unlinked from a tree goes back to the allocator
 *       only after an arch_tlb_shootdown() of everything that followed
 *       the unlink (pt_gather_finish), so no hart's cached walk can
 *       reach a reused page.
 *   I9  pt->hint_count equals the number of non-zero entries of the
 *       hint's table, and when the allocator keeps counters (struct
 *       pt_alloc.used), so does every other linked table's counter.
 *       Every store that fills or empties an entry adjusts the count
 *       (pt_used_of: the hint's, else the allocator's), so "is this
 *       table empty?" is one load, never a 512-entry scan. The hint's
 *       table's own counter is written when the hint leaves it: the
 *       fast paths update a field of the tree, not a counter reached
 *       through a pointer (one load fewer each).
 */
#ifndef MM_PGTABLE_INTERNAL_H
#define MM_PGTABLE_INTERNAL_H

#include "lib/assert.h"
#include "mm/linear.h"
#include "mm/pgtable.h"

#define PT_INDEX(va, level)                                                    \
	((unsigned int)((va) >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))
#define PT_TOP_LEVEL (PT_LEVELS - 1)
#define PT_EMPTY ((pte_t)0)
/* Sv39 PTEs hold a 44-bit PPN: 56-bit physical addresses. */
#define PT_PA_BITS 56

#define PT_PROT_ALL                                                            \
	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GLOBAL | PROT_DEVICE)

/*
 * I4 for each of the 32 values of the PROT_* bits, as one bit mask:
 * READ or EXEC, and WRITE only with READ.
 */
#define PT_PROT_OK(p)                                                          \
	((uint32_t)(((p) & (PROT_READ | PROT_EXEC)) &&                         \
		    (!((p)&PROT_WRITE) || ((p)&PROT_READ)))                    \
	 << (p))
#define PT_PROT_OK4(p)                                                         \
	(PT_PROT_OK(p) | PT_PROT_OK((p) + 1) | PT_PROT_OK((p) + 2) |           \
	 PT_PROT_OK((p) + 3))
#define PT_PROT_OK_MASK                                                        \
	(PT_PROT_OK4(0) | PT_PROT_OK4(4) | PT_PROT_OK4(8) | PT_PROT_OK4(12) |  \
	 PT_PROT_OK4(16) | PT_PROT_OK4(20) | PT_PROT_OK4(24) |                 \
	 PT_PROT_OK4(28))
STATIC_ASSERT(PT_PROT_ALL == 31);

/* I4, and no unknown bits. */
static inline bool pt_prot_is_valid(unsigned int prot)
{
	return prot <= PT_PROT_ALL && (PT_PROT_OK_MASK >> prot) & 1;
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
static inline bool pt_range_is_valid(vaddr_t va, size_t size)
{
	vaddr_t last = va + size - 1;

	if ((va | size) & ~PAGE_MASK || size == 0 || last < va)
		return false;
	if (!pt_va_is_canonical(va) || !pt_va_is_canonical(last))
		return false;
	return (int64_t)(va ^ last) >= 0;
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

/*
 * The halves of pt_lock() and pt_unlock() for the fast paths (one page,
 * and a run in the hint's table), which make no call that returns
 * (lib/spinlock.h: spin_lock_begin).
 */
static inline bool pt_lock_begin(const struct pgtable *pt, uint32_t *ticket)
{
	return spin_lock_begin((spinlock_t *)&pt->lock, ticket);
}

static inline bool pt_unlock_if_held(const struct pgtable *pt)
{
	return spin_unlock_if_held((spinlock_t *)&pt->lock);
}

/* Valid entries of t (I2: non-zero means valid). */
static inline unsigned int pt_table_used(const pte_t *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		n += t[i] != PT_EMPTY;
	return n;
}

/* The table holding entry e (tables are page-aligned, I1). */
static inline pte_t *pt_table_of(const pte_t *e)
{
	return (pte_t *)((uintptr_t)e & PAGE_MASK);
}

/*
 * The valid-entry counter of linked table t (I9): the hint's, else the
 * allocator's; NULL when the allocator keeps none. pt->lock held.
 */
static inline unsigned int *pt_used_of(const struct pgtable *pt, const pte_t *t)
{
	if (t == pt->hint_table)
		return (unsigned int *)&pt->hint_count;
	if (pt->alloc.used)
		return pt->alloc.used(pt->alloc.ctx, virt_to_phys(t));
	return NULL;
}

/* Keep the one-page fast paths' frames small: slow halves stay out. */
#define __noinline __attribute__((noinline))

/* Table t gained (delta > 0) or lost valid entries. pt->lock held. */
static inline void pt_used_add(struct pgtable *pt, const pte_t *t, int delta)
{
	unsigned int *used = pt_used_of(pt, t);

	if (used)
		*used += (unsigned int)delta;
}

/* True when table t has no valid entry: its counter, else a scan. */
static inline bool pt_used_is_zero(const struct pgtable *pt, const pte_t *t)
{
	const unsigned int *used = pt_used_of(pt, t);

	return used ? *used == 0 : pt_table_used(t) == 0;
}

/*
 * The walk hint (mm/pgtable.c, "Operations"; I7). pt->lock held.
 * Without a hint the key is PT_HINT_NONE, which no va >> 21 equals.
 */
#define PT_HINT_NONE (~(vaddr_t)0)

static inline bool pt_hint_hit(const struct pgtable *pt, vaddr_t va)
{
	return pt->hint_key == va >> PT_LEVEL_SHIFT(1);
}

/*
 * &hint_table[PT_INDEX(va, 0)] for a page-aligned va in the hint's
 * region, in one shift and one add (an index and its scaling take
 * three): the entry's byte offset is VPN[0] * 8, va bits 20..12 moved to
 * bits 11..3, and bits 11..9 of a page-aligned va are 0, so va >> 9 is
 * that offset plus the region's start >> 9 (hint_key << 12), which
 * hint_base has subtracted already (I7).
 */
static inline pte_t *pt_hint_entry(const struct pgtable *pt, vaddr_t va)
{
	STATIC_ASSERT(sizeof(pte_t) == 8 &&
		      PT_LEVEL_SHIFT(1) - PAGE_SHIFT == 9);
	ASSERT((va & ~PAGE_MASK) == 0 && pt_hint_hit(pt, va));
	return (pte_t *)(pt->hint_base + (va >> (PAGE_SHIFT - 3)));
}

/* hint_base for the hint (key, table): see pt_hint_entry(). */
static inline uintptr_t pt_hint_base(vaddr_t key, const pte_t *table)
{
	return (uintptr_t)table - (key << (PT_LEVEL_SHIFT(1) - 9));
}

/* Point the hint at va's level-0 table (linked) and its counter. */
void pt_hint_set(struct pgtable *pt, vaddr_t va, pte_t *table);

/* The fence a fast path's change owes (pt_unlock_bad_fence). */
enum pt_owe { PT_OWE_NONE, PT_OWE_LOCAL, PT_OWE_SHOOTDOWN };

/*
 * A fast path's unlock found pt->lock not held: report it (pt_unlock),
 * then fence [va, va + size) as owe says (mm/pgtable.c). Returns 0.
 */
int pt_unlock_bad_fence(struct pgtable *pt, vaddr_t va, size_t size,
			enum pt_owe owe);

/*
 * A zeroed table page from pt->alloc, its counter set to 0 (I9) and
 * counted in table_pages; PADDR_INVALID when the allocator has none.
 */
paddr_t pt_alloc_table(struct pgtable *pt);

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
void pt_gather_unlink(struct pt_gather *g, pte_t *entry);

/*
 * The local fence owed by a map (mm/pgtable.c, "TLB"): one per call, of
 * the page when the call made one leaf and linked no table, else of
 * everything.
 */
struct pt_map_op {
	unsigned long leaves;
	vaddr_t va; /* the first leaf */
	bool flush_all; /* a table was linked */
};

static inline void pt_map_op_leaf(struct pt_map_op *op, vaddr_t va)
{
	if (op->leaves++ == 0)
		op->va = va;
}

/* Issue the fence op collected, then reset it. pt->lock not held. */
void pt_map_op_finish(struct pt_map_op *op);

/*
 * The entry that maps va at `level`, creating the missing tables above
 * it; linking owes this hart a full fence (op). NULL with *err -EEXIST
 * (a leaf above `level` covers va) or -ENOMEM, nothing changed.
 * pt->lock held.
 */
pte_t *pt_walk_alloc(struct pgtable *pt, struct pt_map_op *op, vaddr_t va,
		     int level, int *err);

/*
 * The entry mapping va: a leaf (with its level) or the first empty entry
 * on the way. pt->lock held.
 */
pte_t *pt_find(const struct pgtable *pt, vaddr_t va, int *level);

/*
 * The level-0 table for va is now empty (its counter is 0): unlink it,
 * and its level-1 parent if that empties too (I5). pt->lock held.
 */
void pt_release_l0(struct pt_gather *g, vaddr_t va);

/*
 * Unmap the 4 KiB page va into g, pt->lock held. Errors: -ENOENT,
 * -ENOMEM (a large leaf could not be split).
 */
int pt_unmap_page_locked(struct pt_gather *g, vaddr_t va);

/* --------------------------------------- ranges (mm/pgtable_range.c) */

enum pt_action { PT_CLEAR, PT_PROTECT };

/*
 * Apply `action` to every leaf in [start, last] below table t at level,
 * collecting the changed leaves in g (edges must be leaf boundaries);
 * tables emptied by PT_CLEAR are unlinked into g. pt->lock held.
 */
void pt_apply(struct pt_gather *g, pte_t *t, int level, vaddr_t start,
	      vaddr_t last, enum pt_action action, unsigned int prot);

/*
 * Unmap or protect the valid range [va, va + size): split the large
 * leaves at its edges, then apply. Errors: -ENOMEM (no translation
 * changed). pt->lock held.
 */
int pt_change_range(struct pt_gather *g, vaddr_t va, size_t size,
		    enum pt_action action, unsigned int prot);

#endif /* MM_PGTABLE_INTERNAL_H */
