/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Object caches (Bonwick's slab allocator) and kmalloc, with Linux's
 * names and meaning. mm/slab.c states the design, mm/slab_debug.c the
 * debugging options; mm/slab_internal.h lists the invariants.
 *
 * A cache hands out objects of one size. Its memory comes in slabs of
 * 2^order pages from the buddy allocator; each slab is full, partial or
 * empty. A constructor, if any, runs once per object when its slab is
 * created: a freed object stays constructed and is handed out again as
 * it was.
 *
 * The allocation and free fast paths are inline below (a couple of
 * dozen instructions inside the cache's lock); everything else is in
 * mm/slab.c, mm/slab_debug.c and mm/kmalloc.c.
 *
 * Locking: every function here may be called from any hart at once,
 * and an object allocated on one hart may be freed on any other. Each
 * cache has a spinlock (struct kmem_cache.lock) that guards its slabs;
 * the list of caches has its own (mm/slab.c states the lock order).
 * All slab locks are taken with interrupts off on the hart, so an
 * interrupt handler may allocate and free too. Creating, destroying,
 * shrinking and reaping also take the cache-list lock; a cache must not
 * be used by anyone while it is being destroyed. Constructors run with
 * no slab lock held and may allocate. The report hook runs with the
 * cache's lock held: it must not allocate or free slab memory.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/gfp.h"
#include "mm/types.h"

/* ------------------------------------------------------ cache flags */

/*
 * kmem_cache_create() flags; the first four are also slab_debug letters.
 * Bit 31 is reserved for mm-internal use (mm/slab_internal.h).
 */
#define SLAB_CONSISTENCY_CHECKS 0x0001u /* F: exact checks on every op */
#define SLAB_RED_ZONE 0x0002u /* Z: guard bytes after objects */
#define SLAB_POISON 0x0004u /* P: fill free objects, check */
#define SLAB_STORE_USER 0x0008u /* U: record last alloc/free caller */
#define SLAB_HWCACHE_ALIGN 0x0010u /* align objects to a cache line */
#define SLAB_CACHE_DMA32 0x0020u /* slabs from ZONE_DMA32 */
#define SLAB_NO_DEBUG 0x0040u /* ignore slab_debug= for this cache */
#define SLAB_DEBUG_FLAGS                                                       \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON |               \
	 SLAB_STORE_USER)

#define SLAB_NAME_MAX 32 /* bytes, with the NUL; longer names cut */
#define SLAB_CACHE_LINE_SIZE 64

/* ------------------------------------------------- layouts (mm only) */

/*
 * The structures below are public only so that the fast paths can be
 * inline; nothing outside mm/slab.c, mm/slab_debug.c and mm/kmalloc.c
 * may touch their fields. mm/slab_internal.h lists their invariants.
 */
enum kmem_slab_state {
	KMEM_SLAB_FULL,
	KMEM_SLAB_PARTIAL,
	KMEM_SLAB_EMPTY,
	KMEM_SLAB_QUARANTINED, /* free list untrusted: never allocated from */
	KMEM_NR_SLAB_STATES
};

/*
 * Slab descriptor, at the start of the slab's first page. "c->lock" is
 * the lock of the slab's cache; the other fields are set by slab_grow()
 * before the slab is linked and stay fixed while it is.
 */
struct kmem_slab {
	struct list_head list; /* on cache->lists[state]; c->lock */
	void *freelist; /* first free object, NULL when none; c->lock */
	uint32_t inuse; /* objects handed out; c->lock */
	uint32_t colour; /* bytes the objects are shifted by */
	/* Owner. kmem_cache_destroy() unlinks quarantined slabs under
	 * c->lock, then relinks them to the "destroyed" cache under its. */
	struct kmem_cache *cache;
	uintptr_t objs; /* address of object 0 */
	struct page *page; /* head page of the 2^order block */
	uint8_t state; /* enum kmem_slab_state; c->lock */
	uint8_t pad[3];
	uint32_t magic; /* KMEM_SLAB_MAGIC; cleared under c->lock at release */
};

/*
 * A cache. Fields marked "c->lock" are protected by the cache's own
 * lock; "slab_caches_lock" is the cache-list lock (mm/slab.c); the rest
 * is fixed by kmem_cache_create() before the cache is returned.
 */
struct kmem_cache {
	/* The inline fast paths take lock and read it and the fields to flags. */
	spinlock_t lock; /* protects every "c->lock" field and slab */
	struct kmem_slab *active; /* first partial slab, NULL if none or
				     debug (I5); c->lock */
	uintptr_t fp_mult; /* odd per-cache secret for free words */
	uintptr_t slab_mask; /* ~(slab_bytes - 1) */
	uintptr_t slab_bytes; /* PAGE_SIZE << order */
	uint32_t object_size; /* bytes the caller may use */
	uint32_t flags; /* SLAB_* */

	/* Geometry (fixed at creation). */
	uint32_t size; /* stride between objects */
	uint32_t align; /* object alignment */
	uint32_t order; /* slab = 2^order pages */
	uint32_t objs_per_slab; /* objects in one slab */
	uint32_t objs_offset; /* object 0 in a slab with colour 0 */
	uint32_t redzone_end; /* Z: red zone is [object_size, this) */
	uint32_t track_offset; /* U: struct kmem_track at obj + this */
	uint32_t colour_max; /* largest colour (bytes) */
	uint32_t colour_step; /* colour increment */
	uint32_t colour_next; /* colour of the next new slab; c->lock */
	uint32_t reserve; /* empty slabs kept by shrink and reap */
	void (*ctor)(void *obj); /* run once per object at slab creation */

	struct list_head lists[KMEM_NR_SLAB_STATES]; /* c->lock */
	unsigned long nr_slabs[KMEM_NR_SLAB_STATES]; /* c->lock */
	struct list_head caches; /* on the cache list; slab_caches_lock */

	/* Statistics (slow paths only); c->lock. */
	unsigned long grows, releases, bugs;
	char name[SLAB_NAME_MAX];
};

/*
 * The word before every object: a hardened free-list link while the
 * object is free, an in-use mark while it is allocated (mm/slab.c).
 */
#define SLAB_WORD_SIZE 8u

/*
 * A bad free may hand in a misaligned pointer; on the host, UBSan would
 * stop at the word's load before the allocator could report it. (The
 * target loads it as one doubleword: RISC-V emulates a misaligned one.)
 */
#ifdef HOST_TEST
typedef uintptr_t __attribute__((aligned(1))) slab_word_t;
#else
typedef uintptr_t slab_word_t;
#endif

/*
 * Out-of-line parts of the fast paths. caller is recorded under U and
 * printed in reports; 0 means the slow path's own return address, which
 * is the call site when the fast path was inlined there. The two slow
 * paths are called without c->lock and take it themselves: they trust
 * nothing the fast path saw. kmem_cache_slab_moved() is called with
 * c->lock held.
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);
void kmem_cache_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller);
void kmem_cache_slab_moved(struct kmem_cache *c, struct kmem_slab *s);

/*
 * Fast allocation, under c->lock: pop the first free object of the
 * active slab. Its word decodes to the next free object; NULL (the slab
 * becomes full) and links that leave the slab both go to the slow path
 * (after the lock is dropped), which checks them exactly. Debug caches
 * have no active slab, so they always go there. Zeroing is done after
 * the unlock: the object is the caller's by then.
 */
static inline void *__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp,
				       uintptr_t caller)
{
	unsigned long flags = spin_lock_irqsave(&c->lock);
	struct kmem_slab *s = c->active;
	uintptr_t obj, word, key, next;

	if (unlikely(!s))
		goto slow;
	obj = (uintptr_t)s->freelist;
	word = obj - SLAB_WORD_SIZE;
	key = word * c->fp_mult;
	next = *(slab_word_t *)word ^ key;
	/* NULL (slab now full) and corrupt links both leave the slab. */
	if (unlikely(next - (uintptr_t)s >= c->slab_bytes))
		goto slow;
	*(slab_word_t *)word = ~key;
	s->freelist = (void *)next;
	s->inuse++;
	spin_unlock_irqrestore(&c->lock, flags);
	if (gfp & __GFP_ZERO) /* a tail call: memset returns obj */
		return __builtin_memset((void *)obj, 0, c->object_size);
	return (void *)obj;
slow:
	spin_unlock_irqrestore(&c->lock, flags);
	return kmem_cache_alloc_slow(c, gfp, caller);
}

/*
 * Free fast path once the slab is known, under c->lock: the word before
 * p must hold this cache's in-use mark; if not (double free, a pointer
 * inside an object, another cache's object, a debug cache) the slow
 * path decides, after the lock is dropped. Then p is pushed on s's free
 * list. s is trusted only after the mark matched (I4), so a caller may
 * pass a slab derived from the object address itself (mm/slab.c, I6).
 * The mark is read and overwritten inside the lock, so of two harts
 * freeing one object at once exactly one finds it; the other reports.
 */
static inline void __kmem_slab_free(struct kmem_cache *c, struct kmem_slab *s,
				    void *p, uintptr_t caller)
{
	uintptr_t word = (uintptr_t)p - SLAB_WORD_SIZE;
	uintptr_t key = word * c->fp_mult;
	unsigned long flags = spin_lock_irqsave(&c->lock);
	void *head;

	if (unlikely(*(slab_word_t *)word != ~key)) {
		spin_unlock_irqrestore(&c->lock, flags);
		kmem_cache_free_slow(c, p, caller);
		return;
	}
	head = s->freelist;
	*(slab_word_t *)word = (uintptr_t)head ^ key;
	s->freelist = p;
	if (unlikely(--s->inuse == 0 || !head))
		kmem_cache_slab_moved(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* The slab is p masked to the slab size (mm/slab.c, I6). */
static inline void __kmem_cache_free(struct kmem_cache *c, void *p,
				     uintptr_t caller)
{
	if (unlikely(!p))
		return;
	__kmem_slab_free(c, (struct kmem_slab *)((uintptr_t)p & c->slab_mask),
			 p, caller);
}

/* ------------------------------------------------------------ caches */

/*
 * Create a cache of objects of `size` bytes aligned to `align` (0: 8;
 * else a power of two up to PAGE_SIZE; at least 8 is used). flags:
 * SLAB_* above; the slab_debug= flags given to slab_debug_setup() are
 * added unless SLAB_NO_DEBUG. ctor (may be NULL) runs on every object
 * when its slab is created, never on allocation. The name is copied.
 * Returns NULL if name is NULL, size is 0 or larger than a slab of
 * MAX_ORDER can hold, align is invalid, or memory is short.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj));

/*
 * An object from c (constructed, if c has a constructor), or NULL when
 * memory is short. __GFP_ZERO zeroes it (which undoes a constructor);
 * __GFP_DMA32 is implied by SLAB_CACHE_DMA32 and not otherwise honoured.
 */
static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	return __kmem_cache_alloc(c, gfp, 0);
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return __kmem_cache_alloc(c, gfp | __GFP_ZERO, 0);
}

/*
 * Return obj to c (NULL is ignored). A double free, a pointer that is
 * not the start of an object of c, an object of another cache, a red
 * zone overwritten (Z) or an in-use mark overwritten is reported with
 * one "BUG <cache>: ..." line and refused: nothing is freed. obj must
 * point into RAM (the 8 bytes before it are read first).
 */
static inline void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	__kmem_cache_free(c, obj, 0);
}

/*
 * Give c's empty slabs beyond its reserve back to the buddy allocator.
 * Returns the number of pages released.
 */
unsigned long kmem_cache_shrink(struct kmem_cache *c);

/*
 * Free every slab of c and c itself. With live objects, reports them
 * ("BUG <cache>: destroy with <n> live objects" and one line per object,
 * at most 16) and returns -EBUSY, changing nothing. Returns -EPERM for
 * the kmalloc caches. Quarantined slabs are never handed back to the
 * buddy allocator; they are left to an internal "destroyed" cache.
 * NULL: 0. Nobody may use c during or after the call (other caches may
 * be created, used and destroyed meanwhile).
 */
int kmem_cache_destroy(struct kmem_cache *c);

/*
 * Memory pressure: shrink every cache. Called by slab growth and large
 * kmalloc when the buddy allocator fails (then retried once); the page
 * allocator may call it too, but never while holding one of its own
 * locks (kmem_reap() frees pages under the cache locks). Returns pages
 * released.
 */
unsigned long kmem_reap(void);

/*
 * Walk c: lists and counters, free lists, in-use marks, red zones and
 * poison. Damage in free memory or to the free list is reported with a
 * BUG line (through the report hook) and quarantines the slab; an
 * overwritten red zone of an object in use is reported once (the zone is
 * rewritten, the object stays in use). Broken bookkeeping is printed as
 * "slab_check: <cache>: I<n> violated: ...". Returns the number found.
 */
int kmem_cache_validate(struct kmem_cache *c);

/*
 * kmem_cache_validate() on every cache plus the global invariants. Each
 * cache is checked under its lock, so other harts may keep allocating;
 * tests call it after their threads are joined.
 */
int slab_check(void);

/*
 * "slabinfo:" lines: per cache its name, object size, stride, active and
 * total objects, objects per slab, order, full/partial/empty/quarantined
 * slabs and pages.
 */
void slabinfo_print(void);

/* Numbers for tests and slabinfo. */
struct kmem_cache_info {
	const char *name;
	size_t object_size, size, align;
	unsigned int order, objs_per_slab, flags;
	unsigned long active_objs, total_objs;
	unsigned long nr_slabs[KMEM_NR_SLAB_STATES];
	unsigned long pages; /* held in slabs, quarantined included */
	unsigned long grows, releases, bugs;
};
/* A snapshot of c's numbers, taken under its lock. */
void kmem_cache_info(struct kmem_cache *c, struct kmem_cache_info *out);
/* Object size of c (what ksize() reports for its objects). */
size_t kmem_cache_size(const struct kmem_cache *c);

/* ------------------------------------------------- boot configuration */

/*
 * The per-boot secret for free-list hardening (bytes of /chosen
 * rng-seed). Applies to caches created afterwards.
 */
void slab_set_secret(uint64_t seed);

/*
 * slab_debug=<flags>[,<cache>[,<cache>...]] as in Linux: flags are
 * letters F (sanity checks), Z (red zones), P (poisoning), U (last
 * owner), upper or lower case; "" (bare slab_debug) means FZPU; "-"
 * means none; NULL (argument absent) clears everything. Cache names, if
 * given, limit the flags to those caches. Applies to caches created
 * afterwards. Returns 0, or -EINVAL for an unknown letter or a list too
 * long (the valid letters still apply).
 */
int slab_debug_setup(const char *flags);

/* ----------------------------------------------------------- reports */

enum slab_bug {
	SLAB_BUG_DOUBLE_FREE, /* object already free */
	SLAB_BUG_INVALID_FREE, /* pointer is not a slab/kmalloc object */
	SLAB_BUG_NOT_OBJECT_START, /* pointer inside an object */
	SLAB_BUG_WRONG_CACHE, /* object belongs to another cache */
	SLAB_BUG_REDZONE, /* Z: red zone overwritten */
	SLAB_BUG_POISON, /* P: free object written (use after free) */
	SLAB_BUG_FREEPTR, /* free-list link corrupted */
	SLAB_BUG_MARK, /* in-use mark before an object overwritten */
	SLAB_BUG_DESTROY_BUSY, /* destroy with live objects */
	SLAB_NR_BUGS
};

struct slab_report {
	enum slab_bug bug;
	const char *cache; /* cache name ("kmalloc" for non-slab memory) */
	const void *addr; /* the argument or the damaged address */
	const void *object; /* object start involved, or NULL */
	const void *slab; /* slab involved, or NULL */
	uintptr_t caller; /* who called the refused operation, or 0 */
	uintptr_t owner; /* U: last allocating caller, or 0 */
	const char *line; /* the whole "BUG <cache>: ..." line, no \n */
};

/*
 * The function that receives every report; the default prints the line.
 * NULL restores the default. Returns the previous hook (NULL if it was
 * the default). Any hart may report at any time: the hook must be safe
 * to call concurrently, and it runs with the reporting cache's lock
 * held, so it must not allocate or free slab memory. rep and its line
 * are valid only during the call.
 */
typedef void (*slab_report_fn)(const struct slab_report *rep);
slab_report_fn slab_set_report_hook(slab_report_fn hook);
/* Short name of a bug kind ("double free", ...). */
const char *slab_bug_name(enum slab_bug bug);
/* Reports since boot (all harts). */
unsigned long slab_bug_count(void);

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
#define KMALLOC_MAX_SIZE ((size_t)PAGE_SIZE << MAX_ORDER)
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

/* The class size serving `size`, 0 above KMALLOC_MAX_CACHE_SIZE or for 0. */
size_t kmalloc_size_class(size_t size);

void *__kmalloc(size_t size, gfp_t gfp);

/*
 * size bytes (at least), 8-byte aligned; NULL when memory is short or
 * size is above KMALLOC_MAX_SIZE; ZERO_SIZE_PTR for size 0.
 * __GFP_ZERO zeroes the memory.
 */
static inline void *kmalloc(size_t size, gfp_t gfp)
{
	if (__builtin_constant_p(size) && size != 0 &&
	    size <= KMALLOC_MAX_CACHE_SIZE)
		return __kmem_cache_alloc(kmalloc_caches[kmalloc_index(size)],
					  gfp, 0);
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
static inline void kfree(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	/*
	 * Fast path: a slab object, owner found through its page (I6).
	 * page->slab and s->cache do not change while an object of the
	 * slab is in use, so they are read before the cache's lock; the
	 * in-use mark, checked under it, decides whether they were right.
	 */
	page = virt_to_page(p);
	/* Relaxed atomic: the buddy allocator may read the word meanwhile
	 * (mm/slab_internal.h, page_flags_get()). */
	if (likely(page && (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) &
			    PG_slab))) {
		struct kmem_slab *s = page->slab;

		__kmem_slab_free(s->cache, s, (void *)p, 0);
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

#endif /* MM_SLAB_H */
