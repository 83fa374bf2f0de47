// SPDX-License-Identifier: BSD-2-Clause
/*
 * The per-hart magazines' checker and statistics (mm/slab_cpu.c states
 * the design and the invariants M1..M3 checked here): the walk of a
 * cache's depot, with I10 for the objects of its full magazines, the
 * calling hart's own magazines, and the relaxed count of cached
 * objects. Split off mm/slab_cpu.c along that seam: nothing here
 * changes a magazine.
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "mm/arch.h"
#include "mm/slab_internal.h"

/* Walk one depot list (at most depot_max + 1 links): its length, and
 * each full magazine's rounds still tagged (I10). */
static int depot_list_check(struct kmem_cache *c, void **m, bool full,
			    unsigned int *len)
{
	int found = 0;

	for (*len = 0; m && *len <= c->depot_max;
	     m = (void **)m[SLAB_MAG_LINK]) {
		(*len)++;
		if ((uintptr_t)m & (SLAB_MAG_SIZE - 1)) {
			SLAB_VIOLATION(c, "M3", "depot magazine %p not aligned",
				       (void *)m);
			break;
		}
		for (unsigned int i = 0; full && i < c->mag_rounds; i++) {
			uintptr_t obj = (uintptr_t)m[i];

			if (word_load(c, obj) != cached_mark(c, obj))
				SLAB_VIOLATION(c, "I10",
					       "object %p in depot magazine %p "
					       "lost its cached tag",
					       (void *)obj, (void *)m);
		}
	}
	return found;
}

int slab_cpu_check(struct kmem_cache *c)
{
	struct kmem_cpu_cache *pc = kmem_cpu_of(c, cpu_id());
	void **top = __kmem_cpu_top(pc);
	unsigned int nfull, nempty;
	int found = 0;

	ASSERT(spin_is_held(&c->lock));
	found += depot_list_check(c, c->depot_full, true, &nfull);
	found += depot_list_check(c, c->depot_empty, false, &nempty);
	if (nfull != c->depot_n || nempty != c->depot_empty_n)
		SLAB_VIOLATION(c, "M3",
			       "depot lists hold %u full and %u empty "
			       "magazines, counted %u and %u",
			       nfull, nempty, c->depot_n, c->depot_empty_n);
	if (c->depot_n + c->depot_empty_n > c->depot_max)
		SLAB_VIOLATION(c, "M3", "depot holds %u magazines, bound %u",
			       c->depot_n + c->depot_empty_n, c->depot_max);
	/* Every hart reads the stand-in while failslab is armed (M1). */
	if (c->cpu[0].top != slab_no_magazine ||
	    c->cpu[0].end != slab_no_magazine || c->cpu[0].prev ||
	    c->cpu[0].prev_n)
		SLAB_VIOLATION(c, "M1",
			       "the stand-in cpu[0] has top %p, end %p, "
			       "prev %p",
			       (void *)c->cpu[0].top, (void *)c->cpu[0].end,
			       (void *)c->cpu[0].prev);
	/* This hart only: the others may be in their fast paths. */
	if (top == slab_no_magazine) {
		if (pc->end != slab_no_magazine || pc->prev || pc->prev_n)
			SLAB_VIOLATION(c, "M1",
				       "hart %u without magazines has end %p, "
				       "prev %p",
				       cpu_id(), (void *)pc->end,
				       (void *)pc->prev);
	} else if (!cpu_cache_is_on(c) ||
		   pc->end != __kmem_mag_of(top) + c->mag_rounds ||
		   top > pc->end || !pc->prev ||
		   ((uintptr_t)pc->prev & (SLAB_MAG_SIZE - 1)) ||
		   (pc->prev_n && pc->prev_n != c->mag_rounds)) {
		SLAB_VIOLATION(c, "M1",
			       "hart %u: top %p, end %p, prev %p holding %lu",
			       cpu_id(), (void *)top, (void *)pc->end,
			       (void *)pc->prev, pc->prev_n);
	}
	return found;
}

unsigned long kmem_cpu_cached(struct kmem_cache *c)
{
	unsigned long n = 0;

	if (!cpu_cache_is_on(c))
		return 0;
	n = (unsigned long)__atomic_load_n(&c->depot_n, __ATOMIC_RELAXED) *
	    c->mag_rounds;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cpu_cache *pc = kmem_cpu_of(c, cpu);

		n += __kmem_mag_count(
			__atomic_load_n(&pc->top, __ATOMIC_RELAXED));
		n += __atomic_load_n(&pc->prev_n, __ATOMIC_RELAXED);
	}
	return n;
}
