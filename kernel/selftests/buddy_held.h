/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the page allocator's self-tests (kernel/selftests/buddy.c,
 * buddy_policy.c): the free-list histogram a case compares before and
 * after, and blocks held on a list through page->lru with their order
 * (or class) in page->private, which belong to the owner while a block
 * is allocated, so that holding every page of memory needs no other
 * storage. White-box: BUDDY_NR_CLASSES from mm/buddy_internal.h.
 */
#ifndef KERNEL_SELFTESTS_BUDDY_HELD_H
#define KERNEL_SELFTESTS_BUDDY_HELD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"

/* Free blocks per zone and size class (binary: order), and free pages. */
struct histo {
	uint64_t nr_free[MAX_NR_ZONES][BUDDY_NR_CLASSES];
	uint64_t free[MAX_NR_ZONES];
};

/*
 * Every hart's per-hart lists are drained first, so that the histogram
 * shows blocks as they merge; cached pages count as free either way.
 */
static inline void histo_take(struct histo *h)
{
	buddy_drain_all_pages();
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		h->free[z] = buddy_zone_free(z);
		for (unsigned int c = 0; c < BUDDY_NR_CLASSES; c++)
			h->nr_free[z][c] = buddy_zone_nr_free(z, c);
	}
}

static inline bool histo_same(const struct histo *a)
{
	struct histo b;

	histo_take(&b);
	return memcmp(a, &b, sizeof(b)) == 0;
}

static inline void hold(struct list_head *held, struct page *p,
			unsigned int order)
{
	p->private = order;
	list_add(&p->lru, held);
}

/* page->private of a held block of a class, from alloc_pages_exact(). */
#define HELD_EXACT 0x10000UL

/*
 * A block of exactly size class cls from the zones gfp selects: binary
 * by its order; the others through alloc_pages_exact(), which takes the
 * smallest class holding the pages asked for (classes between the
 * powers of two have no order). Held with the class tagged HELD_EXACT.
 */
static inline struct page *alloc_class(struct list_head *held, gfp_t gfp,
				       unsigned int cls)
{
	struct page *p;
	void *va;

	if (buddy_blocks_aligned()) {
		p = alloc_pages(gfp, cls);
		if (p)
			hold(held, p, cls);
		return p;
	}
	va = alloc_pages_exact(buddy_class_pages(cls) * PAGE_SIZE, gfp);
	if (!va)
		return NULL;
	p = virt_to_page(va);
	hold(held, p, cls);
	p->private |= HELD_EXACT;
	return p;
}

/* Free every held block; returns how many there were. */
static inline unsigned long release_all(struct list_head *held)
{
	unsigned long n = 0;

	while (!list_empty(held)) {
		struct page *p = list_first_entry(held, struct page, lru);

		list_del(&p->lru);
		if (p->private & HELD_EXACT)
			free_pages_exact(
				page_address(p),
				buddy_class_pages(p->private & ~HELD_EXACT) *
					PAGE_SIZE);
		else
			__free_pages(p, (unsigned int)p->private);
		n++;
	}
	return n;
}

#endif /* KERNEL_SELFTESTS_BUDDY_HELD_H */
