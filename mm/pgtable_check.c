// SPDX-License-Identifier: BSD-2-Clause
/*
 * Read-only walks of a translation tree: pt_walk() and pt_walk_range()
 * report its leaves in address order, pt_check() verifies invariants
 * I1..I9 (mm/pgtable_internal.h) the way Zephyr's heap validator does:
 * a white-box walk that prints each violation ("pt_check: I<n> ...")
 * and returns their count instead of stopping, so tests call it after
 * every step.
 *
 * Data: the tree's tables as mm/pgtable.c left them, each reached
 * through the linear map; pt_check also reads every table's valid-entry
 * count (I9: the walk hint's hint_count for its table, the allocator's
 * counter, struct pt_alloc.used, for the others) and compares each with
 * a scan of the 512 entries.
 *
 * Locking: each function takes pt->lock for its whole walk, as every
 * pt_* call does (mm/pgtable.c, "Locking"), so a table cannot be
 * unlinked under it; pt_walk's callback runs with the lock held and
 * must not call back into the same tree.
 *
 * Failure modes: none of its own. Corruption is reported, not fixed:
 * a table entry at level 0 is skipped by the walk and counted by
 * pt_check (I3).
 */
#include "mm/pgtable.h"

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/pgtable_internal.h"

/* ----------------------------------------------------------------- walk */

int pt_walk_va(const struct pgtable *pt, vaddr_t va,
	       struct pt_walk_step steps[PT_LEVELS], unsigned int *nr_steps,
	       bool (*table_ok)(paddr_t pa))
{
	paddr_t table;
	int err = -EFAULT;

	*nr_steps = 0;
	if (!pt_va_is_canonical(va))
		return -EINVAL;
	pt_lock(pt);
	table = pt->root;
	for (int level = PT_LEVELS - 1; level >= 0; level--) {
		struct pt_walk_step *s = &steps[*nr_steps];

		if (table == PADDR_INVALID || !table_ok(table))
			break; /* -EFAULT */
		s->level = level;
		s->index = (unsigned int)(va >> PT_LEVEL_SHIFT(level)) &
			   (PT_ENTRIES - 1);
		s->table = table;
		s->pte = pt_table(table)[s->index];
		(*nr_steps)++;
		if (!arch_pte_is_valid(s->pte)) {
			err = -ENOENT;
			break;
		}
		if (arch_pte_is_leaf(s->pte)) {
			err = 0;
			break;
		}
		/* A table pointer at level 0 (I3 broken) ends the loop
		 * with -EFAULT. */
		table = arch_pte_paddr(s->pte);
	}
	pt_unlock(pt);
	return err;
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

/* ---------------------------------------------------------------- check */

struct pt_check_state {
	const struct pgtable *pt;
	size_t tables;
	int errors;
};

static void pt_check_table(struct pt_check_state *cs, paddr_t table, int level,
			   vaddr_t base, bool is_root)
{
	const unsigned int *counter;
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
	counter = pt_used_of(cs->pt, t);
	if (counter && *counter != used) {
		printk("pt_check: I9 table pa 0x%llx at level %d va 0x%llx "
		       "counts %u valid entries, has %u\n",
		       (unsigned long long)table, level,
		       (unsigned long long)base, *counter, used);
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
	struct pt_check_state cs = { pt, 0, 0 };

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
	} else if (pt->hint_table &&
		   pt->hint_base !=
			   pt_hint_base(pt->hint_key, pt->hint_table)) {
		printk("pt_check: I7 walk hint va 0x%llx base 0x%llx is not "
		       "its table %p less 0x%llx\n",
		       (unsigned long long)(pt->hint_key << PT_LEVEL_SHIFT(1)),
		       (unsigned long long)pt->hint_base,
		       (void *)pt->hint_table,
		       (unsigned long long)(pt->hint_key
					    << (PT_LEVEL_SHIFT(1) - 9)));
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
