// SPDX-License-Identifier: BSD-2-Clause
/*
 * kmalloc: general-purpose memory from size-class caches (mm/slab.c)
 * and, above KMALLOC_MAX_CACHE_SIZE, whole buddy blocks.
 *
 * Size classes
 * ------------
 * Multiples of 8 up to 64, then four classes per power of two:
 *
 *   8 16 24 32 40 48 56 64 | 80 96 112 128 | 160 192 224 256 | ...
 *   ... | 5120 6144 7168 8192
 *
 * In (2^k, 2^(k+1)] the classes are 2^k + j * 2^(k-2), j = 1..4, so a
 * request wastes less than 20% of its class and, for sizes drawn
 * log-uniformly from 8 to 4096, about 10.3% on average (computed by
 * kmalloc_waste_pct_x100() from this table: waste = (class - size) /
 * class, the fraction of the object the caller cannot use). The
 * classes keep no word beside their objects (the free-list link lives
 * inside the free object, mm/slab.c), so a class takes exactly its size
 * in a slab: nothing else is to be counted.
 *
 * Finding the class: sizes up to KMALLOC_SMALL_MAX index a table of
 * cache pointers by (size + 7) >> 3, larger ones a second table by
 * (size + 127) >> 7 (every class above 512 is a multiple of 128): one
 * load either way. Constant sizes are folded at compile time by the
 * inline kmalloc() in mm/slab.h.
 *
 * Large allocations are 2^order pages; the head page has PG_large and
 * the buddy allocator's PG_head with the order, so kfree() and ksize()
 * find them from the page descriptor like slab objects (PG_slab ->
 * page->slab -> cache).
 *
 * Invariants
 *   K1  kmalloc_caches[i] serves exactly kmalloc_class_size[i] bytes and
 *       kmalloc_index() maps every size in (class i-1, class i] to i.
 *   K2  kmalloc_small[(s + 7) >> 3] == kmalloc_caches[kmalloc_index(s)]
 *       for 1 <= s <= KMALLOC_SMALL_MAX, and likewise kmalloc_big[(s +
 *       127) >> 7] up to KMALLOC_MAX_CACHE_SIZE.
 *   K3  a large allocation's head page has PG_large and PG_head, order =
 *       its order; kfree() clears PG_large before freeing the block.
 *   K4  every object of class i is aligned to kmalloc_class_align() of
 *       its size (power-of-two sizes naturally, up to PAGE_SIZE).
 *   K5  no kmalloc cache has a constructor: the inline allocation pops
 *       with __kmem_cache_alloc_no_ctor() (mm/slab.h), which takes the
 *       free word of any object it pops to be the object's first bytes.
 * kmalloc_init() VERIFYs K1, K2 and K5.
 *
 * Failure modes: NULL on memory shortage or impossible sizes (after one
 * slab_shrink_all() and retry for large blocks); misuse of kfree() (a pointer
 * that is not a kmalloc object, not its start, or a block already
 * freed) is reported as "BUG kmalloc: ..." or by the owning cache, and
 * refused.
 *
 * Locking: kmalloc and kfree may be called from any hart at once; an
 * object may be freed on another hart than allocated it. Objects up to
 * KMALLOC_MAX_CACHE_SIZE come from this hart's magazine of their cache
 * and, once per batch, from the cache under its lock (mm/slab.c and
 * mm/slab_cpu.c state the order); kmalloc adds no lock of its own to
 * those paths. Its global
 * state:
 *   - the class tables (kmalloc_caches, kmalloc_small, kmalloc_big) are
 *     written once by kmalloc_init(), under kmalloc_init_lock, which
 *     runs on the boot hart before any kmalloc and before the other
 *     harts start (host tests: before their threads), and are read-only
 *     afterwards, so reads need no lock. kmalloc_init_lock only makes a
 *     second or concurrent call wait and then do nothing; it comes
 *     before slab_caches_lock in the lock order.
 *   - a large block's PG_large (K3) belongs to whoever holds the block:
 *     set before kmalloc returns it, cleared by kfree() with an atomic
 *     fetch-and before the block goes back to the buddy allocator
 *     (relaxed atomics, as every owner's access to page->flags: see
 *     page_flags_get() in mm/slab_internal.h). Of two harts freeing one
 *     block at once, exactly one clears it and frees; the other finds
 *     it clear and reports a double free. A second free that comes after
 *     the block went back is classified from its buddy flags, as on one
 *     hart. The buddy allocator serialises the rest under its own locks.
 */
#include "mm/kmalloc.h"

#include "lib/assert.h"
#include "lib/fmt.h"
#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

#define KMALLOC_SMALL_MAX 512u
#define KMALLOC_BIG_SHIFT 7 /* classes above 512 are multiples of 128 */
#define KMALLOC_NAME "kmalloc"
#define KMALLOC_WASTE_SEED 0x6b6d616c6c6f63ULL /* "kmalloc" */
#define KMALLOC_WASTE_SAMPLES 100000u
#define KMALLOC_WASTE_LO 8u /* sampled sizes: [8, 4096) */
#define KMALLOC_WASTE_OCTAVES 9u

static const uint16_t kmalloc_class_size[KMALLOC_NR_CLASSES] = {
	8,    16,   24,	  32,	40,   48,   56,	  64,	80,   96,   112,  128,
	160,  192,  224,  256,	320,  384,  448,  512,	640,  768,  896,  1024,
	1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};

/* Written by kmalloc_init() only, under kmalloc_init_lock; then fixed. */
struct kmem_cache *kmalloc_caches[KMALLOC_NR_CLASSES];
static struct kmem_cache *kmalloc_small[KMALLOC_SMALL_MAX / 8 + 1];
static struct kmem_cache
	*kmalloc_big[(KMALLOC_MAX_CACHE_SIZE >> KMALLOC_BIG_SHIFT) + 1];
static DEFINE_SPINLOCK(kmalloc_init_lock);

/*
 * K4: the alignment of a class, as Linux guarantees it: the largest
 * power of two dividing the size, up to PAGE_SIZE, so a power-of-two
 * size is naturally aligned (kmalloc(64) on a 64-byte boundary, and
 * kmalloc(4096) is one whole page) and every object to at least 8.
 * Above PAGE_SIZE the slabs are page-aligned blocks (binary: aligned to
 * their size, so 8192 is naturally aligned there too).
 */
size_t kmalloc_class_align(size_t size)
{
	size_t a = size & -size;

	return MIN(MAX(a, (size_t)8), (size_t)PAGE_SIZE);
}

/* Create the caches and fill the tables (kmalloc_init_lock held). */
static void kmalloc_init_tables(void)
{
	char name[SLAB_NAME_MAX];

	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		size_t size = kmalloc_class_size[i];

		/* K1 */
		VERIFY3U(kmalloc_index(size), ==, i);
		VERIFY3U(kmalloc_index(i ? kmalloc_class_size[i - 1] + 1u : 1u),
			 ==, i);
		fmt_snprintf(name, sizeof(name), "kmalloc-%zu", size);
		kmalloc_caches[i] =
			kmem_cache_create(name, size, kmalloc_class_align(size),
					  SLAB_PERMANENT, NULL);
		if (!kmalloc_caches[i])
			panic("kmalloc_init: cannot create %s", name);
		VERIFY(!kmalloc_caches[i]->ctor); /* K5 */
	}
	for (size_t s = 1; s <= KMALLOC_MAX_CACHE_SIZE; s++) {
		struct kmem_cache **slot =
			s <= KMALLOC_SMALL_MAX
				? &kmalloc_small[(s + 7) >> 3]
				: &kmalloc_big[(s + (1u << KMALLOC_BIG_SHIFT) -
						1) >>
					       KMALLOC_BIG_SHIFT];

		/* K2 */
		VERIFY(!*slot || *slot == kmalloc_caches[kmalloc_index(s)]);
		*slot = kmalloc_caches[kmalloc_index(s)];
	}
}

void kmalloc_init(void)
{
	unsigned long irq = spin_lock_irqsave(&kmalloc_init_lock);

	if (!kmalloc_caches[0])
		kmalloc_init_tables();
	spin_unlock_irqrestore(&kmalloc_init_lock, irq);
}

size_t kmalloc_size_class(size_t size)
{
	if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE)
		return 0;
	return kmalloc_class_size[kmalloc_index(size)];
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order;
	struct page *page;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	order = get_order(size);
	page = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!page) {
		if (!cpu_in_irq()) /* atomic there: no reclaim */
			slab_shrink_all();
		page = alloc_pages(gfp, order);
		if (!page)
			return NULL;
	}
	page_flags_set(page, PG_large); /* K3 */
	return page_address(page);
}

/* kmalloc on behalf of `caller` (the slow paths record it under U). */
static inline __attribute__((always_inline)) void *
kmalloc_caller(size_t size, gfp_t gfp, uintptr_t caller)
{
	if (likely(size - 1 < KMALLOC_SMALL_MAX))
		return __kmem_cache_alloc_no_ctor(
			kmalloc_small[(size + 7) >> 3], gfp, caller);
	if (size == 0)
		return ZERO_SIZE_PTR;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return __kmem_cache_alloc_no_ctor(
			kmalloc_big[(size + (1u << KMALLOC_BIG_SHIFT) - 1) >>
				    KMALLOC_BIG_SHIFT],
			gfp, caller);
	return kmalloc_large(size, gfp);
}

/*
 * Only tail calls (slab's fast path inlined), so no frame (lib/kernel.h).
 * caller 0: the slow paths take their own return address, which after
 * a tail call is this function's caller; reading it here would make GCC
 * save ra on every run. That relies on GCC's sibling calls (-O2): the
 * kmalloc self-test kmalloc_owner_is_caller fails without them.
 */
__no_frame void *__kmalloc(size_t size, gfp_t gfp)
{
	return kmalloc_caller(size, gfp, 0);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc_caller(bytes, gfp | __GFP_ZERO, RET_IP);
}

/* kfree() of anything that is not a slab object. */
static void kfree_large(struct page *page, const void *p, uintptr_t caller)
{
	uint32_t flags = page ? page_flags_get(page) : 0;

	if ((flags & PG_large) && (flags & PG_head)) {
		if (p == page_address(page)) {
			/* K3: of concurrent frees only one clears PG_large. */
			if (page_flags_clear(page, PG_large) & PG_large) {
				__free_pages(page, buddy_block_order(page));
				return;
			}
			slab_report(SLAB_BUG_DOUBLE_FREE, KMALLOC_NAME, p, p,
				    NULL, caller, 0,
				    "double free of %p: large block freed by "
				    "another hart at the same time (caller %p)",
				    p, (void *)caller);
			return;
		}
		slab_report(SLAB_BUG_NOT_OBJECT_START, KMALLOC_NAME, p,
			    page_address(page), NULL, caller, 0,
			    "invalid free of %p: not an object start (large "
			    "allocation %p, caller %p)",
			    p, page_address(page), (void *)caller);
	} else if (flags & (PG_buddy | PG_pcp)) {
		slab_report(SLAB_BUG_DOUBLE_FREE, KMALLOC_NAME, p, NULL, NULL,
			    caller, 0,
			    "double free of %p: its pages are already free "
			    "(caller %p)",
			    p, (void *)caller);
	} else {
		slab_report(SLAB_BUG_INVALID_FREE, KMALLOC_NAME, p, NULL, NULL,
			    caller, 0,
			    "invalid free of %p: not a kmalloc object "
			    "(%s, caller %p)",
			    p,
			    page ? "page not allocated by kmalloc" : "not RAM",
			    (void *)caller);
	}
}

/* kfree()'s out-of-line part (mm/slab.h): buddy-backed blocks, misuse. */
void kfree_slow(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	page = virt_to_page(p);
	if (likely(page && (page_flags_get(page) & PG_slab))) {
		__kmem_cache_free(page->slab->cache, (void *)p, RET_IP);
		return;
	}
	kfree_large(page, p, RET_IP);
}

size_t ksize(const void *p)
{
	struct page *page;
	uint32_t flags;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	page = virt_to_page(p);
	if (!page)
		return 0;
	flags = page_flags_get(page);
	if (flags & PG_slab)
		return kmem_obj_size(p);
	if ((flags & PG_large) && (flags & PG_head) && p == page_address(page))
		return PAGE_SIZE * buddy_block_pages_of(page);
	return 0;
}

void *krealloc(void *p, size_t new_size, gfp_t gfp)
{
	size_t old;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return kmalloc_caller(new_size, gfp, RET_IP);
	if (new_size == 0) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	old = ksize(p);
	if (old == 0) {
		slab_report(SLAB_BUG_INVALID_FREE, KMALLOC_NAME, p, NULL, NULL,
			    RET_IP, 0,
			    "invalid krealloc of %p: not a kmalloc object "
			    "(caller %p)",
			    p, (void *)RET_IP);
		return NULL;
	}
	if (new_size <= old) {
		if (gfp & __GFP_ZERO)
			memset((char *)p + new_size, 0, old - new_size);
		return p;
	}
	n = kmalloc_caller(new_size, gfp, RET_IP);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	kfree(p);
	return n;
}

/*
 * An integer in [lo, 2 lo) with probability proportional to 1/size:
 * uniform candidates, each kept with probability lo / candidate.
 */
static size_t sample_octave(struct rand_state *r, size_t lo)
{
	for (;;) {
		size_t s = lo + rand_below(r, lo);

		if (rand_below(r, s) < lo)
			return s;
	}
}

unsigned int kmalloc_waste_pct_x100(unsigned int samples)
{
	struct rand_state r;
	uint64_t ppm = 0;

	if (samples == 0)
		return 0;
	rand_seed(&r, KMALLOC_WASTE_SEED);
	for (unsigned int i = 0; i < samples; i++) {
		/* Equal weight per octave and 1/size inside it: log-uniform. */
		size_t lo = (size_t)KMALLOC_WASTE_LO
			    << rand_below(&r, KMALLOC_WASTE_OCTAVES);
		size_t size = sample_octave(&r, lo);
		size_t cls = kmalloc_class_size[kmalloc_index(size)];

		ppm += (uint64_t)(cls - size) * 1000000u / cls;
	}
	return (unsigned int)((ppm / samples + 50) / 100);
}

unsigned int kmalloc_waste_pct(void)
{
	return DIV_ROUND_UP(kmalloc_waste_pct_x100(KMALLOC_WASTE_SAMPLES),
			    100u);
}
