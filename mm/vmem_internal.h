/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What mm/vmem.c (the arena: allocation, free, lookup) and
 * mm/vmem_check.c (vmem_check, vmem_dump) share: segment types and the
 * small helpers on segments, lists and the lock. The theory of
 * operation, the invariants I1..I7 and the locking rules are in
 * mm/vmem.c. Not for other users: the public API is mm/vmem.h.
 */
#ifndef MM_VMEM_INTERNAL_H
#define MM_VMEM_INTERNAL_H

#include "lib/assert.h"
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/rbtree.h"
#include "lib/spinlock.h"
#include "mm/vmem.h"

enum {
	VMEM_SEG_SPARE = 0,
	VMEM_SEG_FREE = 1,
	VMEM_SEG_ALLOC = 2,
	VMEM_SEG_CHUNK = 3, /* first slot of a refill chunk */
};

/* Descriptors per refill chunk (slot 0 links the chunks). */
#define VMEM_CHUNK_SEGS (VMEM_REFILL_SIZE / sizeof(struct vmem_seg))
STATIC_ASSERT(VMEM_REFILL_SIZE / sizeof(struct vmem_seg) >= 2);

static inline vaddr_t vmem_end(const struct vmem *vm)
{
	return vm->base + vm->size;
}

static inline size_t seg_size(const struct vmem_seg *s)
{
	return s->end - s->start;
}

static inline struct vmem_seg *seg_of(const struct list_head *l)
{
	return list_entry(l, struct vmem_seg, alink);
}

void vmem_outer_lock_missing(const struct vmem *vm);

/*
 * The lock is not part of an arena's value: readers of a const arena
 * take it too. An arena with an outer lock (vmem_set_outer_lock) takes
 * nothing and checks that its caller holds that lock.
 */
static inline void vmem_lock(const struct vmem *vm)
{
	if (vm->outer) {
		/* Inline: one load and a compare. */
		if (unlikely(!spin_is_held(vm->outer)))
			vmem_outer_lock_missing(vm);
		return;
	}
	spin_lock((spinlock_t *)&vm->lock);
}

static inline void vmem_unlock(const struct vmem *vm)
{
	if (!vm->outer)
		spin_unlock((spinlock_t *)&vm->lock);
}

/*
 * floor(log2(x)) for x != 0 by binary search: without Zbb the compiler's
 * count-leading-zeros is a libgcc loop over bytes, several times slower.
 */
static inline unsigned int highbit(uint64_t x)
{
	unsigned int n = 0;

	if (x >> 32) {
		x >>= 32;
		n += 32;
	}
	if (x >> 16) {
		x >>= 16;
		n += 16;
	}
	if (x >> 8) {
		x >>= 8;
		n += 8;
	}
	if (x >> 4) {
		x >>= 4;
		n += 4;
	}
	if (x >> 2) {
		x >>= 2;
		n += 2;
	}
	return n + (unsigned int)(x >> 1);
}

/*
 * The index of the lowest set bit of x != 0: the bit isolated (x & -x)
 * times a de Bruijn sequence puts a distinct 6-bit pattern in the top
 * bits, which a table maps back (again: no Zbb, no count instruction).
 */
static inline unsigned int lowbit(uint64_t x)
{
	static const uint8_t debruijn_index[64] = {
		0,  1,	48, 2,	57, 49, 28, 3,	61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,	13, 8,	7,  6,
	};

	return debruijn_index[((x & -x) * 0x03f79d71b4cb0a89ULL) >> 58];
}

static inline unsigned int flist_index(size_t size)
{
	return highbit(size);
}

static inline struct vmem_seg *seg_of_rb(const struct rb_node *n)
{
	return n ? container_of(n, struct vmem_seg, rb) : NULL;
}

#endif /* MM_VMEM_INTERNAL_H */
