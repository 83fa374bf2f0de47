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
 *       an invalid non-zero entry, and allocators hand out zeroed pages.
 *       So "entry != 0" is the cheap test for "valid".
 *   I3  A leaf at level L maps a PT_LEVEL_SIZE(L)-aligned physical
 *       address; level-0 entries are never tables.
 *   I4  A leaf's protection has READ or EXEC, and WRITE only with READ
 *       (RISC-V reserves W without R).
 *   I5  No table except the root is empty: a mapping that fails frees
 *       the tables it made, and an unmap frees each table it empties.
 *       Therefore a present table always maps something.
 *   I6  pt->table_pages equals the number of tables reachable from the
 *       root, the root included.
 *   I7  The walk hint, when it names a tree, names the level-0 table
 *       linked in that tree for the hint's 2 MiB region.
 *
 * Operations. pt_map_page() and pt_unmap_page() are the one-page fast
 * paths (vmalloc, benchmarks). Every mm/arch.h helper is an out-of-line
 * call, so a full walk costs two calls per level; instead a one-entry
 * walk hint remembers the level-0 table of the last 2 MiB region a
 * one-page call walked to:
 *
 *   pt_hint = { pt, va >> 21, level-0 table (linear-map pointer) }
 *
 * A hit indexes that table directly: one load and test, one store, one
 * fence. A miss walks from the root (creating tables for a map) and
 * refills the hint. Any table unlinked from a tree clears the hint for
 * that tree (I7), so it never names a freed page. The range functions
 * walk from the root for each leaf, as xv6's mappages() does; pt_map
 * picks the largest leaf that va, pa and the remaining size allow.
 *
 * Failure and rollback. pt_map never replaces an entry. When it meets an
 * existing mapping (-EEXIST) or runs out of table pages (-ENOMEM) it
 * unmaps the leaves it installed, which by I5 frees exactly the tables
 * it created, so the tree is as it was. Tables for one leaf are all
 * allocated before any is linked, so a failing walk links nothing.
 * pt_unmap and pt_protect split the (at most two) large leaves that
 * straddle the range edges before changing anything; splitting keeps
 * every translation, so an -ENOMEM there changes no mapping.
 *
 * TLB. A changed leaf is fenced with arch_tlb_flush_page(va) (a leaf's
 * base address covers a whole superpage), up to PT_FLUSH_PAGES_MAX per
 * call; past that one arch_tlb_flush_all() is cheaper. Any change to a
 * non-leaf entry (a table linked, unlinked, or a leaf split into one)
 * needs a full fence (RISC-V: sfence.vma with rs1 = x0), and a table
 * page goes back to the allocator only after that fence, so no cached
 * walk can reach a reused page.
 *
 * Locking: single hart, no locks yet. Callers serialise all calls on
 * one struct pgtable; the hint is global, so with more harts it has to
 * become per-hart or move into struct pgtable under the same lock.
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
/* Per-call limit on single-page fences before one full fence. */
#define PT_FLUSH_PAGES_MAX 64
/* Table pages an operation may hold for freeing before it fences. */
#define PT_FREE_BATCH 16

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

/* ------------------------------------------------- table pages, fences */

/*
 * One operation's pending TLB work and table pages waiting to be freed
 * (see "TLB" above).
 */
struct pt_op {
	struct pgtable *pt;
	unsigned long leaves; /* leaf entries changed so far */
	bool flush_all; /* a full fence is owed */
	unsigned int nfree;
	paddr_t free[PT_FREE_BATCH];
};

/* The walk hint (see "Operations" above; I7). */
static struct {
	const struct pgtable *pt; /* NULL: empty */
	vaddr_t key; /* va >> PT_LEVEL_SHIFT(1) */
	pte_t *table; /* level-0 table for that region */
} pt_hint;

static inline bool pt_hint_hit(const struct pgtable *pt, vaddr_t va)
{
	return pt_hint.pt == pt && pt_hint.key == va >> PT_LEVEL_SHIFT(1);
}

static void pt_hint_set(const struct pgtable *pt, vaddr_t va, pte_t *table)
{
	pt_hint.pt = pt;
	pt_hint.key = va >> PT_LEVEL_SHIFT(1);
	pt_hint.table = table;
}

static void pt_hint_forget(const struct pgtable *pt)
{
	if (pt_hint.pt == pt)
		pt_hint.pt = NULL;
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

static void pt_free_table(struct pgtable *pt, paddr_t pa)
{
	ASSERT(pt->table_pages > 1 || pa == pt->root);
	pt->table_pages--;
	if (pt->alloc.free)
		pt->alloc.free(pt->alloc.ctx, pa);
}

static void pt_op_leaf_changed(struct pt_op *op, vaddr_t va)
{
	if (op->leaves++ < PT_FLUSH_PAGES_MAX)
		arch_tlb_flush_page(va);
	else
		op->flush_all = true;
}

/* Fence whatever is owed, then give back the tables waiting for it. */
static void pt_op_sync(struct pt_op *op)
{
	if (op->flush_all) {
		arch_tlb_flush_all();
		op->flush_all = false;
	}
	for (unsigned int i = 0; i < op->nfree; i++)
		pt_free_table(op->pt, op->free[i]);
	op->nfree = 0;
}

/* Clear the table entry *entry; free its table after the next fence. */
static void pt_op_unlink_table(struct pt_op *op, pte_t *entry)
{
	paddr_t pa = arch_pte_paddr(*entry);

	*entry = PT_EMPTY;
	pt_hint_forget(op->pt);
	op->flush_all = true;
	if (op->nfree == PT_FREE_BATCH)
		pt_op_sync(op);
	op->free[op->nfree++] = pa;
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
 * changed. Errors (in *err): -EEXIST if a leaf above `level` covers va,
 * -ENOMEM.
 */
static pte_t *pt_walk_alloc(struct pt_op *op, vaddr_t va, int level, int *err)
{
	struct pgtable *pt = op->pt;
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
 * first empty entry on the way (also returned). NULL only for a table
 * entry at level 0, which is corruption.
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
 * level down with the same translation and protection. Errors: -ENOMEM.
 */
static int pt_split_leaf(struct pt_op *op, pte_t *entry, int level)
{
	paddr_t table = pt_alloc_table(op->pt);
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
	op->flush_all = true;
	return 0;
}

/*
 * Make va a leaf boundary: split each large leaf that contains va but
 * does not start there. Errors: -ENOMEM (translations unchanged).
 */
static int pt_split_at(struct pt_op *op, vaddr_t va)
{
	pte_t *t = pt_table(op->pt->root);
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
			err = pt_split_leaf(op, entry, l);
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
 * of the address space needs no special case) below table t at level.
 * The range lies within t's span and its edges are leaf boundaries
 * (pt_split_at). Tables emptied by PT_CLEAR are unlinked and freed.
 */
static void pt_apply(struct pt_op *op, pte_t *t, int level, vaddr_t start,
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
				pt_op_leaf_changed(op, va);
			} else {
				pte_t pte = arch_pte_leaf(
					arch_pte_paddr(*entry), prot);

				if (pte != *entry) {
					*entry = pte;
					pt_op_leaf_changed(op, va);
				}
			}
		} else {
			pte_t *child = pt_table(arch_pte_paddr(*entry));

			if (level == 0)
				panic("pt_apply: table entry at level 0 va "
				      "0x%llx pte 0x%llx",
				      (unsigned long long)va,
				      (unsigned long long)*entry);
			pt_apply(op, child, level - 1, va, end, action, prot);
			if (action == PT_CLEAR && pt_table_is_empty(child))
				pt_op_unlink_table(op, entry);
		}
		if (end == last)
			break;
	}
}

/* -------------------------------------------------------------- the API */

int pt_init(struct pgtable *pt, const struct pt_alloc *alloc)
{
	if (!alloc || !alloc->alloc)
		return -EINVAL;
	pt_hint_forget(pt);
	pt->alloc = *alloc;
	pt->table_pages = 0;
	pt->root = pt_alloc_table(pt);
	if (pt->root == PADDR_INVALID)
		return -ENOMEM;
	return 0;
}

/* pt_map_page() after a hint miss: walk, creating tables, and refill. */
static __noinline int pt_map_page_walk(struct pgtable *pt, vaddr_t va,
				       paddr_t pa, unsigned int prot)
{
	struct pt_op op = { .pt = pt };
	int err = 0;
	pte_t *entry = pt_walk_alloc(&op, va, 0, &err);

	if (entry) {
		pt_hint_set(pt, va, entry - PT_INDEX(va, 0));
		if (*entry == PT_EMPTY) {
			*entry = arch_pte_leaf(pa, prot);
			pt_op_leaf_changed(&op, va);
		} else {
			err = -EEXIST;
		}
	}
	pt_op_sync(&op);
	return err;
}

int pt_map_page(struct pgtable *pt, vaddr_t va, paddr_t pa, unsigned int prot)
{
	pte_t *t0, *entry;

	if (unlikely((va | pa) & ~PAGE_MASK || pa >> PT_PA_BITS ||
		     !pt_va_is_canonical(va) || !pt_prot_is_valid(prot)))
		return -EINVAL;
	if (unlikely(!pt_hint_hit(pt, va)))
		return pt_map_page_walk(pt, va, pa, prot);
	t0 = pt_hint.table;
	entry = &t0[PT_INDEX(va, 0)];
	if (unlikely(*entry != PT_EMPTY))
		return -EEXIST;
	*entry = arch_pte_leaf(pa, prot);
	arch_tlb_flush_page(va);
	return 0;
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
	struct pt_op op = { .pt = pt };
	size_t off;
	int level, err = 0;

	if (size == PAGE_SIZE)
		return pt_map_page(pt, va, pa, prot);
	if (!pt_range_is_valid(va, size) || !pt_pa_range_is_valid(pa, size) ||
	    !pt_prot_is_valid(prot))
		return -EINVAL;

	for (off = 0; off < size; off += PT_LEVEL_SIZE(level)) {
		pte_t *entry;

		level = pt_leaf_level(va + off, pa + off, size - off);
		entry = pt_walk_alloc(&op, va + off, level, &err);

		if (!entry)
			goto undo;
		if (*entry != PT_EMPTY) {
			/* A leaf, or a table: by I5 it maps something. */
			err = -EEXIST;
			goto undo;
		}
		*entry = arch_pte_leaf(pa + off, prot);
		pt_op_leaf_changed(&op, va + off);
	}
	pt_op_sync(&op);
	return 0;

undo:
	/* Only this call's whole leaves lie in [va, va + off): no splits. */
	if (off)
		pt_apply(&op, pt_table(pt->root), PT_TOP_LEVEL, va,
			 va + off - 1, PT_CLEAR, 0);
	pt_op_sync(&op);
	return err;
}

/* Unmap or protect a valid range: split the edges, then apply. */
static int pt_change_range(struct pgtable *pt, vaddr_t va, size_t size,
			   enum pt_action action, unsigned int prot)
{
	struct pt_op op = { .pt = pt };
	vaddr_t last = va + size - 1;
	int err;

	err = pt_split_at(&op, va);
	if (!err && last + 1 != 0)
		err = pt_split_at(&op, last + 1);
	if (!err)
		pt_apply(&op, pt_table(pt->root), PT_TOP_LEVEL, va, last,
			 action, prot);
	pt_op_sync(&op);
	return err;
}

/*
 * pt_unmap_page() after a hint miss: a hole is -ENOENT, a large leaf is
 * split (pt_change_range); otherwise refill the hint and retry, which
 * then hits.
 */
static __noinline int pt_unmap_page_walk(struct pgtable *pt, vaddr_t va)
{
	int level;
	pte_t *entry = pt_find(pt, va, &level);

	if (*entry == PT_EMPTY)
		return -ENOENT;
	if (level > 0)
		return pt_change_range(pt, va, PAGE_SIZE, PT_CLEAR, 0);
	pt_hint_set(pt, va, entry - PT_INDEX(va, 0));
	return pt_unmap_page(pt, va);
}

/*
 * Finish pt_unmap_page() when neither neighbour of t0[i] (va's entry,
 * just cleared) is mapped: fence va and, if t0 is now empty, unlink it
 * and its parent if that empties too (I5), fencing before freeing.
 */
static __noinline int pt_unmap_page_release(struct pgtable *pt, vaddr_t va,
					    const pte_t *t0, unsigned int i)
{
	struct pt_op op = { .pt = pt };
	pte_t *e2, *t1;

	pt_op_leaf_changed(&op, va);
	if (!pt_table_has_other(t0, i)) {
		e2 = &pt_table(pt->root)[PT_INDEX(va, 2)];
		t1 = pt_table(arch_pte_paddr(*e2));
		pt_op_unlink_table(&op, &t1[PT_INDEX(va, 1)]);
		if (!pt_table_has_other(t1, PT_INDEX(va, 1)))
			pt_op_unlink_table(&op, e2);
	}
	pt_op_sync(&op);
	return 0;
}

int pt_unmap_page(struct pgtable *pt, vaddr_t va)
{
	unsigned int i = PT_INDEX(va, 0);
	pte_t *entry;

	if (unlikely(va & ~PAGE_MASK || !pt_va_is_canonical(va)))
		return -EINVAL;
	if (unlikely(!pt_hint_hit(pt, va)))
		return pt_unmap_page_walk(pt, va);
	entry = &pt_hint.table[i];
	if (unlikely(*entry == PT_EMPTY))
		return -ENOENT;
	ASSERT(arch_pte_is_leaf(*entry));
	*entry = PT_EMPTY;
	/* A mapped neighbour proves the table still in use (I5). */
	if (unlikely(!(i < PT_ENTRIES - 1 && entry[1] != PT_EMPTY) &&
		     !(i > 0 && entry[-1] != PT_EMPTY)))
		return pt_unmap_page_release(pt, va, pt_hint.table, i);
	arch_tlb_flush_page(va);
	return 0;
}

int pt_unmap(struct pgtable *pt, vaddr_t va, size_t size)
{
	if (size == PAGE_SIZE) {
		int err = pt_unmap_page(pt, va);

		return err == -ENOENT ? 0 : err;
	}
	if (!pt_range_is_valid(va, size))
		return -EINVAL;
	return pt_change_range(pt, va, size, PT_CLEAR, 0);
}

int pt_protect(struct pgtable *pt, vaddr_t va, size_t size, unsigned int prot)
{
	vaddr_t last = va + size - 1;
	vaddr_t cur = va;
	int level;

	if (!pt_range_is_valid(va, size) || !pt_prot_is_valid(prot))
		return -EINVAL;
	/* Every page must be mapped before anything changes. */
	for (;;) {
		pte_t *entry = pt_find(pt, cur, &level);

		if (*entry == PT_EMPTY)
			return -ENOENT;
		cur |= PT_LEVEL_SIZE(level) - 1;
		if (cur >= last)
			break;
		cur++;
	}
	return pt_change_range(pt, va, size, PT_PROTECT, prot);
}

int pt_lookup(const struct pgtable *pt, vaddr_t va, paddr_t *pa,
	      unsigned int *prot, size_t *leaf_size)
{
	pte_t *entry;
	int level;

	if (!pt_va_is_canonical(va))
		return -EINVAL;
	if (pt->root == PADDR_INVALID)
		return -ENOENT;
	entry = pt_find(pt, va, &level);
	if (*entry == PT_EMPTY)
		return -ENOENT;
	if (pa)
		*pa = arch_pte_paddr(*entry) +
		      (va & (PT_LEVEL_SIZE(level) - 1));
	if (prot)
		*prot = arch_pte_prot(*entry);
	if (leaf_size)
		*leaf_size = PT_LEVEL_SIZE(level);
	return 0;
}

static int pt_walk_table(const pte_t *t, int level, vaddr_t base, pt_walk_fn fn,
			 void *arg)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		vaddr_t va = base + ((vaddr_t)i << PT_LEVEL_SHIFT(level));
		pte_t pte = t[i];
		int ret;

		if (pte == PT_EMPTY)
			continue;
		if (level == PT_TOP_LEVEL)
			va = pt_sign_extend(va);
		if (arch_pte_is_leaf(pte))
			ret = fn(arg, va, arch_pte_paddr(pte),
				 PT_LEVEL_SIZE(level), arch_pte_prot(pte));
		else if (level > 0)
			ret = pt_walk_table(pt_table(arch_pte_paddr(pte)),
					    level - 1, va, fn, arg);
		else
			ret = 0; /* corrupt (I3); pt_check reports it */
		if (ret)
			return ret;
	}
	return 0;
}

int pt_walk(const struct pgtable *pt, pt_walk_fn fn, void *arg)
{
	if (pt->root == PADDR_INVALID)
		return 0;
	/* Lower half first, then the sign-extended upper half. */
	return pt_walk_table(pt_table(pt->root), PT_TOP_LEVEL, 0, fn, arg);
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
	if (pt->root == PADDR_INVALID)
		return;
	/* The tree may have been live: no cached walk may outlive it. */
	pt_hint_forget(pt);
	arch_tlb_flush_all();
	pt_destroy_table(pt, pt->root, PT_TOP_LEVEL);
	pt->root = PADDR_INVALID;
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
	vaddr_t va = pt_hint.key << PT_LEVEL_SHIFT(1);
	const pte_t *t = pt_table(pt->root);

	for (int l = PT_TOP_LEVEL; l > 0; l--) {
		pte_t pte = t[PT_INDEX(va, l)];

		if (!pt_entry_is_table(pte))
			return false;
		t = pt_table(arch_pte_paddr(pte));
	}
	return t == pt_hint.table;
}

int pt_check(const struct pgtable *pt)
{
	struct pt_check_state cs = { 0, 0 };

	if (pt->root == PADDR_INVALID) {
		if (pt->table_pages != 0) {
			printk("pt_check: I6 no root but table_pages %zu\n",
			       pt->table_pages);
			return 1;
		}
		return 0;
	}
	pt_check_table(&cs, pt->root, PT_TOP_LEVEL, 0, true);
	if (pt_hint.pt == pt && !pt_check_hint(pt)) {
		printk("pt_check: I7 walk hint va 0x%llx table %p is not the "
		       "linked level-0 table\n",
		       (unsigned long long)(pt_hint.key << PT_LEVEL_SHIFT(1)),
		       (void *)pt_hint.table);
		cs.errors++;
	}
	if (cs.tables != pt->table_pages) {
		printk("pt_check: I6 table_pages %zu but %zu tables "
		       "reachable\n",
		       pt->table_pages, cs.tables);
		cs.errors++;
	}
	return cs.errors;
}
