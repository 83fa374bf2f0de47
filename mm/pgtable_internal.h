/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What mm/pgtable.c (the walker and its one-page fast paths) and
 * mm/pgtable_check.c (pt_walk, pt_check) share: the invariants of a
 * translation tree, and the small helpers both use. Not for other
 * users: the public API is mm/pgtable.h.
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
 *       tree for the hint's 2 MiB region, and hint_used points at that
 *       table's counter (the allocator's, or hint_scratch holding the
 *       table's count when the allocator keeps none).
 *   I8  A table page unlinked from a tree goes back to the allocator
 *       only after an arch_tlb_shootdown() of everything that followed
 *       the unlink (pt_gather_finish), so no hart's cached walk can
 *       reach a reused page.
 *   I9  When the allocator keeps counters (struct pt_alloc.used), every
 *       linked table's counter equals its number of non-zero entries.
 *       Every store that fills or empties an entry adjusts it, so
 *       "is this table empty?" is one load, never a 512-entry scan.
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
		return pt->hint_used;
	if (pt->alloc.used)
		return pt->alloc.used(pt->alloc.ctx, virt_to_phys(t));
	return NULL;
}

#endif /* MM_PGTABLE_INTERNAL_H */
