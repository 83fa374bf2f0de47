/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kmalloc and friends, with Linux's names and meaning: general-purpose
 * memory from size-class object caches (mm/slab.h) and, above
 * KMALLOC_MAX_CACHE_SIZE, whole buddy blocks. mm/kmalloc.c states the
 * design. kmalloc is a client of the slab allocator: this header
 * includes mm/slab.h, never the other way round.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include "mm/buddy.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/slab.h"

/* ------------------------------------------------------------ kmalloc */

/*
 * Size classes from 8 bytes to KMALLOC_MAX_CACHE_SIZE, four per power of
 * two above 64 (8, 16, ..., 64, 80, 96, 112, 128, 160, ...): sizes drawn
 * log-uniformly from 8 to 4096 waste about 10.3% on average (see
 * kmalloc_waste_pct()). Larger requests, up to KMALLOC_MAX_SIZE, are
 * whole buddy blocks. Every object is aligned to 8 bytes.
 */
#define KMALLOC_MIN_SIZE 8u
#define KMALLOC_MAX_CACHE_SIZE 8192u
#define KMALLOC_MAX_SIZE SLAB_MAX_SIZE
#define KMALLOC_NR_CLASSES 36

/* kmalloc(0) and krealloc(p, 0): faults on access (page 0 is unmapped). */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(p) ((uintptr_t)(p) <= (uintptr_t)ZERO_SIZE_PTR)

extern struct kmem_cache *kmalloc_caches[KMALLOC_NR_CLASSES];

/*
 * Create the kmalloc caches ("kmalloc-8" ... "kmalloc-8192"), after
 * slab_set_secret() and slab_debug_setup(). Panics if it cannot. A
 * second call does nothing.
 */
void kmalloc_init(void);

/*
 * Class index for 1 <= size <= KMALLOC_MAX_CACHE_SIZE. Folds to a
 * constant for constant sizes; no count-leading-zeros (rv64imac has no
 * instruction for it). Runtime kmalloc uses tables instead.
 */
static inline unsigned int kmalloc_index(size_t size)
{
	unsigned int k = 6; /* 2^k < size <= 2^(k+1) */

	if (size <= 64)
		return (unsigned int)((size + 7) >> 3) - 1;
	while (size > ((size_t)2 << k))
		k++;
	return 8 + (k - 6) * 4 +
	       (unsigned int)((size - 1 - ((size_t)1 << k)) >> (k - 2));
}

/* The alignment of the class of `size` bytes (K4, mm/kmalloc.c). */
size_t kmalloc_class_align(size_t size);
/* The class size serving `size`, 0 above KMALLOC_MAX_CACHE_SIZE or for 0. */
size_t kmalloc_size_class(size_t size);

void *__kmalloc(size_t size, gfp_t gfp);

/*
 * size bytes (at least), aligned to kmalloc_class_align() of its class
 * (a power-of-two size naturally, up to PAGE_SIZE; at least 8); NULL
 * when memory is short or size is above KMALLOC_MAX_SIZE; ZERO_SIZE_PTR
 * for size 0.
 * __GFP_ZERO zeroes the memory.
 */
static inline void *kmalloc(size_t size, gfp_t gfp)
{
	if (__builtin_constant_p(size) && size != 0 &&
	    size <= KMALLOC_MAX_CACHE_SIZE)
		return __kmem_cache_alloc_no_ctor(
			kmalloc_caches[kmalloc_index(size)], gfp, 0);
	return __kmalloc(size, gfp);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

/* n * size bytes, zeroed; NULL if the product overflows. */
void *kcalloc(size_t n, size_t size, gfp_t gfp);

/*
 * Resize p to new_size bytes keeping min(old, new) bytes of contents:
 * p itself if it is already big enough (ksize), else a new object (p is
 * freed). NULL p: kmalloc. new_size 0: frees p and returns
 * ZERO_SIZE_PTR. On failure returns NULL and p is untouched.
 */
void *krealloc(void *p, size_t new_size, gfp_t gfp);

/*
 * Free memory from kmalloc and friends. NULL and ZERO_SIZE_PTR are
 * ignored; misuse is reported like kmem_cache_free()'s and refused.
 */
void kfree_slow(const void *p);
static inline __attribute__((always_inline)) void kfree(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	/*
	 * Fast path: a slab object, owner found through its page (I6).
	 * page->slab and s->cache do not change while an object of the
	 * slab is in use, so they are read with no lock; the object-start
	 * and free-word checks of __kmem_slab_push() (or, in a debug
	 * cache, the in-use mark) decide whether p is one in use.
	 */
	page = virt_to_page(p);
	/* Relaxed atomic: the buddy allocator may read the word meanwhile
	 * (mm/slab_internal.h, page_flags_get()). */
	if (likely(page && (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) &
			    PG_slab))) {
		struct kmem_slab *s = page->slab;
		struct kmem_cache *c = s->cache;

		if (likely(c->word_back == 0
				   ? __kmem_slab_push(c, s, (void *)p, false)
				   : __kmem_cache_push(c, (void *)p)))
			return; /* (a debug cache's word is before the object) */
		kmem_cache_free_slow(c, (void *)p, 0);
		return;
	}
	kfree_slow(p); /* large allocations and misuse */
}

/* Usable size of a kmalloc object (its class or block size); 0 for
 * NULL/ZERO_SIZE_PTR or a pointer that is not the start of one. */
size_t ksize(const void *p);

/*
 * Average internal waste of the class table, (class - size) / class for
 * `samples` integer sizes drawn log-uniformly from [8, 4096) with
 * lib/rand.h (seed fixed), in hundredths of a percent (1052 = 10.52%).
 */
unsigned int kmalloc_waste_pct_x100(unsigned int samples);
/* The same, rounded up to whole percent (what bench=kmalloc reports). */
unsigned int kmalloc_waste_pct(void);

#endif /* MM_KMALLOC_H */
