/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Object caches (Bonwick's slab allocator), with Linux's names and
 * meaning. mm/slab.c states the design, mm/slab_cpu.c the per-hart
 * magazines, mm/slab_debug.c the debugging options; mm/slab_internal.h
 * lists the invariants. kmalloc sits on top, in mm/kmalloc.h.
 *
 * A cache hands out objects of one size. Its memory comes in slabs of
 * 2^order pages from the buddy allocator; each slab is full, partial or
 * empty. A constructor, if any, runs once per object when its slab is
 * created: a freed object stays constructed and is handed out again as
 * it was.
 *
 * The allocation and free fast paths are inline below: each hart keeps
 * a loaded magazine of free objects per cache (struct kmem_cpu_cache
 * points into it), and the fast paths pop from and push to the calling
 * hart's loaded magazine only, with interrupts off and no shared lock;
 * everything else is in mm/slab.c, mm/slab_cpu.c, mm/slab_debug.c and
 * mm/kmalloc.c.
 *
 * Locking: every function here may be called from any hart at once,
 * and an object allocated on one hart may be freed on any other. Each
 * cache has a spinlock (struct kmem_cache.lock) that guards its slabs
 * and depot; each hart's magazine of each cache belongs to that hart
 * alone (others ask it to empty it); the list of caches has its own
 * lock (mm/slab.c states the lock order). All slab locks are taken
 * with interrupts off on the hart, so an interrupt handler may allocate
 * and free too. Creating, destroying,
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
#include "mm/fail_alloc.h"
#include "mm/gfp.h"
#include "mm/types.h"

/* ------------------------------------------------------ cache flags */

/*
 * kmem_cache_create() flags; the first four are also slab_debug letters.
 * Bits 30 and 31 are reserved for mm-internal use (mm/slab_internal.h).
 */
#define SLAB_CONSISTENCY_CHECKS 0x0001u /* F: exact checks on every op */
#define SLAB_RED_ZONE 0x0002u /* Z: guard bytes after objects */
#define SLAB_POISON 0x0004u /* P: fill free objects, check */
#define SLAB_STORE_USER 0x0008u /* U: record last alloc/free caller */
#define SLAB_HWCACHE_ALIGN 0x0010u /* align objects to a cache line */
#define SLAB_CACHE_DMA32 0x0020u /* slabs from ZONE_DMA32 */
#define SLAB_NO_DEBUG 0x0040u /* ignore slab_debug= for this cache */
#define SLAB_NO_CPU_CACHE 0x0080u /* no per-hart magazines (slab layer) */
#define SLAB_DEBUG_FLAGS                                                       \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON |               \
	 SLAB_STORE_USER)

#define SLAB_NAME_MAX 32 /* bytes, with the NUL; longer names cut */
#define SLAB_MAX_SIZE ((size_t)PAGE_SIZE << MAX_ORDER) /* largest object */
#define SLAB_CACHE_LINE_SIZE 64

/*
 * Slab order (mm/slab_cache.c): the smallest order up to
 * SLAB_ORDER_PREFERRED (Linux's PAGE_ALLOC_COSTLY_ORDER and
 * slub_max_order: larger blocks are the first to run out when memory is
 * fragmented) leaving at most 1/SLAB_TAIL_FRACTION of the slab outside
 * any slot; else, as before, Bonwick's rule: the smallest order leaving
 * at most 1/8, else the one wasting the smallest fraction. Why 1/32
 * rather than Bonwick's 1/8: host-bench's mixed workload took 1.32 x
 * the bytes requested at 1/8, 1.28 at 1/32 (slab tails 0.51 -> 0.21 MB
 * of 6.52), for no more instructions; the 896, 1,792 and 3,584-byte
 * kmalloc classes wasted 1/8 of each page.
 */
#define SLAB_TAIL_FRACTION 32
#define SLAB_ORDER_PREFERRED 3

/* ------------------------------------------------- layouts (mm only) */

/*
 * Magazines (mm/slab_cpu.c): separate SLAB_MAG_SIZE-byte objects
 * aligned to their size, from the internal cache "kmem_magazine",
 * allocated when a hart first uses a cache. Rounds (free objects) sit
 * at offsets 0, 8, ..., 8 * (rounds - 1); the last word links a
 * magazine on a depot list. A hart's loaded magazine is therefore
 * top & ~(SLAB_MAG_SIZE - 1) and its count (top & (SLAB_MAG_SIZE - 1))
 * / 8: the fast allocation finds it empty with one test of top's low
 * bits, the free finds it full with one compare against end.
 *
 * A magazine holds c->mag_rounds rounds: SLAB_CPU_OBJS for objects of
 * up to SLAB_MAG_BYTES / SLAB_CPU_OBJS bytes, fewer for larger ones (at
 * most SLAB_MAG_BYTES of objects, at least 4 rounds), as Bonwick and
 * Adams size magazines per cache: a hart's idle magazines of the 36
 * kmalloc classes would otherwise hold a megabyte of large objects. A
 * refill from the slabs moves mag_rounds / 2 objects (at most
 * SLAB_CPU_BATCH). Why 30: with batches copied in and out of an inline
 * magazine, 14 rounds cost kmalloc.64_pair_rt 236 guest instructions a
 * pair, 30 cost 146, 62 cost 121 for twice the memory again; 30 is
 * also what fits a 256-byte magazine beside its link.
 */
#define SLAB_MAG_SIZE 256 /* bytes of a magazine, and its alignment */
#define SLAB_CPU_OBJS 30 /* rounds per magazine, at most */
#define SLAB_CPU_BATCH 15 /* objects moved at a refill from slabs, at most */
#define SLAB_CPU_MIN_OBJS 4 /* rounds per magazine, at least */
#define SLAB_MAG_BYTES (16u << 10) /* object bytes a magazine holds */
/*
 * After a magazine allocation failed, a hart skips this many attempts
 * before it tries again, unless memory comes back first (mm/slab_cpu.c,
 * "Back-off"). Why 256: a failing attempt costs about ten checked
 * frees (3,000 instructions), so out of memory the retries add about
 * 4 % to the slow paths, and a hart that missed the memory coming back
 * gets magazines again within 256 slow paths of any cache.
 */
#define SLAB_MAG_RETRY 256
/*
 * The depot (mm/slab_cpu.c): full and empty magazines, at most
 * SLAB_DEPOT_MAX together and SLAB_DEPOT_BYTES of objects in the full
 * ones a cache (given back under memory pressure, before any
 * allocation fails).
 * Why 512 KiB: host-bench's mixed workload (36 classes, 10k live
 * objects of 8..4096 B) ran 7.28 million instructions at 128 KiB, 6.55
 * at 256 and 5.90 at 512. 32 magazines of 30 rounds are the 64 batches
 * of 15 the depot held when it stored half magazines: the same objects.
 */
#define SLAB_DEPOT_MAX 32 /* full magazines a cache's depot holds */
#define SLAB_DEPOT_BYTES (512u << 10) /* and object bytes, at most */

/*
 * One hart's magazines of one cache: one cache line, read and written
 * by that hart only, with interrupts off. Other harts only read top and
 * prev_n (relaxed snapshots, for statistics); to empty the magazines
 * they ask the owner (arch_call_each_cpu()). A hart that has none yet,
 * and every hart of a cache that bypasses them (debug caches), has top
 * == end == slab_no_magazine (mm/slab_cpu.c): a static, always empty
 * array of SLAB_MAG_SIZE bytes, empty to the allocation and full to the
 * free, so both take the slow paths, which tell the cases apart.
 */
struct kmem_cpu_cache {
	void **top; /* past the newest round of the loaded magazine;
		       top[-1] is handed out next */
	void **end; /* loaded + c->mag_rounds: full when top == end */
	void **prev; /* the previous magazine, NULL with no magazines */
	unsigned long prev_n; /* rounds in prev: 0 or c->mag_rounds */
} __attribute__((aligned(SLAB_CACHE_LINE_SIZE)));

/*
 * The structures below are public only so that the fast paths can be
 * inline; nothing outside mm/slab*.c and mm/kmalloc.c may touch their
 * fields. mm/slab_internal.h lists their invariants.
 */
enum kmem_slab_state {
	KMEM_SLAB_FULL,
	KMEM_SLAB_PARTIAL,
	KMEM_SLAB_EMPTY,
	KMEM_SLAB_QUARANTINED, /* free list untrusted: never allocated from */
	KMEM_NR_SLAB_STATES
};

#define KMEM_SLAB_MAGIC 0x51ab51abu /* I6 */

/*
 * Slab descriptor, at the start of the slab's first page, or off the
 * slab (from the internal "kmem_slab" cache) for caches of large
 * objects without a word before them (mm/slab.c). "c->lock" is
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
	/* What the fast free reads, first: one line, fixed at creation. */
	uintptr_t fp_mult; /* odd per-cache secret for free words */
	uintptr_t slab_mask; /* ~(slab_bytes - 1), 0: slabs not aligned or
				descriptor off the slab (look it up) */
	uint64_t div_magic; /* 2^64 / size rounded up: d % size == 0 iff
			       d * div_magic < div_magic (d < 2^32) */
	uint32_t objs_span; /* objs_per_slab * size */
	uint32_t word_back; /* the word is at obj - word_back: 8, or 0 */
	uint32_t object_size; /* bytes the caller may use */
	uint32_t flags; /* SLAB_* */
	uintptr_t free_mask; /* slab_mask where the fast free may mask p:
				word inside, one-page slabs; else 0 */

	/*
	 * Per-hart magazines, each its own line: hart cpu's are cpu[cpu +
	 * 1] (kmem_cpu_of()); cpu[0] never has any, and the fast paths of
	 * every hart read it while failslab is armed (__kmem_cpu_cache()).
	 */
	struct kmem_cpu_cache cpu[NR_CPUS + 1];

	spinlock_t lock; /* protects every "c->lock" field and slab */
	struct kmem_slab *active; /* first partial slab, NULL if none or
				     debug (I5); c->lock */
	uintptr_t slab_bytes; /* PAGE_SIZE << order */

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

	/* The depot: whole magazines, linked by their last word; c->lock. */
	void **depot_full; /* full magazines, the newest first */
	void **depot_empty; /* empty magazines */
	uint32_t depot_n; /* full magazines on depot_full */
	uint32_t depot_empty_n; /* empty magazines on depot_empty */
	uint32_t depot_max; /* bound on depot_n + depot_empty_n (fixed) */
	uint32_t mag_rounds; /* a magazine's rounds (fixed at creation) */
	uint32_t mag_batch; /* objects per refill from slabs: rounds / 2 */

	/* Statistics (slow paths only); c->lock. */
	unsigned long grows, releases, bugs;
	unsigned long refills, flushes; /* magazine batches from/to slabs */
	unsigned long depot_gets, depot_puts; /* full magazines from/to the
						 depot */
	char name[SLAB_NAME_MAX];
};

/*
 * Each object has a word (mm/slab.c, "The word of each object"): before
 * the object in caches with a constructor or debug flags, else its own
 * first 8 bytes (the free pointer inside the free object, as in SLUB).
 * It holds a hardened free-list link while the object is on its slab's
 * free list, a "cached" tag while it sits in a hart's magazine, and an
 * in-use mark while it is allocated (user data once the caller writes
 * it, where the word is inside the object).
 */
#define SLAB_WORD_SIZE sizeof(uintptr_t)
/*
 * Flipped into the in-use mark: an object in a magazine (mm/slab.c).
 * Every byte differs, so a write of part of the word (where the word is
 * the object's first bytes) can never turn the mark into the tag: some
 * byte of the mark survives and differs from the tag's.
 */
#define SLAB_MARK_CACHED 0x5a5a5a5a5a5a5a5aUL

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
 * is the call site when the fast path was inlined there. The slow paths
 * are called with no lock held and interrupts as the caller had them,
 * and trust nothing the fast path saw.
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);
void kmem_cache_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller);

STATIC_ASSERT(sizeof(struct kmem_cpu_cache) == BUDDY_SLAB_SLOT_SIZE);

/* Hart cpu's magazines of c (the slow paths, statistics, the checker). */
static inline struct kmem_cpu_cache *kmem_cpu_of(struct kmem_cache *c,
						 unsigned int cpu)
{
	return &c->cpu[cpu + 1];
}

/*
 * The magazines the fast paths use, with interrupts off: this hart's,
 * or, while failslab is armed, c->cpu[0], which has none, so that both
 * paths go out of line, where the failslab decision is (the armed word
 * costs them no test). The offset is one load from this hart's own line
 * of mm data (buddy_slab_slot(): on the target tp plus a constant), no
 * multiply. The empty asm hides how the address was computed, so that
 * GCC reaches top and end from it with constant offsets instead of
 * refolding the sum into each access. The slow paths use
 * kmem_cpu_of(c, cpu_id()), the hart's own in either case.
 */
static inline struct kmem_cpu_cache *__kmem_cpu_cache(struct kmem_cache *c)
{
	uintptr_t base = (uintptr_t)c + buddy_slab_slot();

	__asm__("" : "+r"(base));
	return &((struct kmem_cache *)base)->cpu[0];
}

/* The loaded magazine's top (past its newest round). Owner: plain. */
static inline void **__kmem_cpu_top(struct kmem_cpu_cache *pc)
{
	return __atomic_load_n(&pc->top, __ATOMIC_RELAXED);
}

/*
 * Store the top back. Other harts read it relaxed (kmem_cpu_cached()),
 * so it is a single-copy-atomic store: on the target a volatile sd (GCC
 * 12 compiles a relaxed __atomic_store_n to an amoswap on RISC-V), on
 * the host the C11 atomic, which ThreadSanitizer understands.
 */
static inline void __kmem_cpu_set_top(struct kmem_cpu_cache *pc, void **top)
{
#ifdef HOST_TEST
	__atomic_store_n(&pc->top, top, __ATOMIC_RELAXED);
#else
	*(void **volatile *)&pc->top = top;
#endif
}

/* The magazine top points into, and the rounds below top in it. */
static inline void **__kmem_mag_of(void **top)
{
	return (void **)((uintptr_t)top & ~(uintptr_t)(SLAB_MAG_SIZE - 1));
}

static inline unsigned int __kmem_mag_count(void **top)
{
	return (unsigned int)(((uintptr_t)top & (SLAB_MAG_SIZE - 1)) /
			      sizeof(void *));
}

/*
 * A relaxed store of an object's word (another hart's double free may
 * read it meanwhile): a volatile sd on the target, single-copy atomic
 * (GCC 12 turns a relaxed __atomic_store_n into an amoswap on RISC-V),
 * the C11 atomic on the host, which ThreadSanitizer understands.
 */
static inline void __kmem_word_store(uintptr_t *word, uintptr_t w)
{
#ifdef HOST_TEST
	__atomic_store_n(word, w, __ATOMIC_RELAXED);
#else
	*(volatile uintptr_t *)word = w;
#endif
}

/*
 * Fast allocation: pop the most recently freed object of this hart's
 * magazine (LIFO: its lines are likely still in this hart's cache) and
 * turn its "cached" tag into the in-use mark where the word is before
 * the object, or zero it where the word is the object's first bytes (a
 * store, no load: that destroys the tag, so that the caller's later
 * free is not taken for a second one). Interrupts are off from
 * the load of the count to its store, so nothing else on this hart runs
 * in between, and no other hart writes the magazine: no lock and no
 * atomic on it. An empty loaded magazine, or none (a hart's first use,
 * a debug cache, the stand-in while failslab= is armed), goes to the
 * slow path, which decides failslab, swaps in the previous magazine,
 * exchanges it with the depot or fills it from the slabs.
 * The mark is written with a relaxed atomic store: a double free on
 * another hart may be reading the word meanwhile (it finds the tag or
 * the mark, never half of each). Zeroing is done after the put: the
 * object is the caller's by then.
 *
 * no_ctor: the caller knows that c has no constructor (kmalloc's
 * caches), so the word of any object popped here is inside it: only a
 * constructor or debug flags put it before the object (cache_layout()),
 * and a debug cache has no magazine to pop from. The test of
 * c->word_back then compiles away.
 */
static inline __attribute__((always_inline)) void *
__kmem_cache_alloc_fast(struct kmem_cache *c, gfp_t gfp, uintptr_t caller,
			bool no_ctor)
{
	unsigned long flags;
	struct kmem_cpu_cache *pc;
	uintptr_t obj, *word;
	void **top;

	flags = cpu_irq_save_local();
	pc = __kmem_cpu_cache(c);
	top = __kmem_cpu_top(pc);

	/* empty (top at the magazine's start), or no magazine */
	if (unlikely(!((uintptr_t)top & (SLAB_MAG_SIZE - 1))))
		goto slow;
	obj = (uintptr_t)top[-1];
	if (no_ctor || likely(!c->word_back)) {
		/* the word is the caller's first bytes: just not the tag */
		__kmem_word_store((uintptr_t *)obj, 0);
	} else {
		/* cached tag -> in-use mark; damage stays damage (I10) */
		word = (uintptr_t *)(obj - SLAB_WORD_SIZE);
		__kmem_word_store(word,
				  __atomic_load_n(word, __ATOMIC_RELAXED) ^
					  SLAB_MARK_CACHED);
	}
	__kmem_cpu_set_top(pc, top - 1);
	cpu_irq_restore_local(flags);
	if (gfp & __GFP_ZERO) /* a tail call: memset returns obj */
		return __builtin_memset((void *)obj, 0, c->object_size);
	return (void *)obj;
slow:
	cpu_irq_restore(flags);
	return kmem_cache_alloc_slow(c, gfp, caller);
}

/*
 * failslab= (mm/fail_alloc.h) costs the fast path nothing: while it is
 * armed, __kmem_cpu_cache() gives every hart the magazines that have
 * nothing, and kmem_cache_alloc_slow() decides first.
 */
static inline __attribute__((always_inline)) void *
__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	return __kmem_cache_alloc_fast(c, gfp, caller, false);
}

/* __kmem_cache_alloc() of a cache without constructor (kmalloc's). */
static inline __attribute__((always_inline)) void *
__kmem_cache_alloc_no_ctor(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	return __kmem_cache_alloc_fast(c, gfp, caller, true);
}

/*
 * Push p on this hart's magazine (mine: its own, from a slow path;
 * else __kmem_cpu_cache()'s) if its word still holds `expect`,
 * swapping it for the cached tag with one atomic swap (amoswap.d): of
 * two harts freeing one object at once exactly one finds `expect`, the
 * other finds the tag and leaves it. A swap that finds anything else (a
 * write racing with the free) puts that value back for the slow path to
 * judge. False (nothing changed) if the magazine is full or bypassed,
 * or the word was not `expect`.
 */
static inline __attribute__((always_inline)) bool
__kmem_cpu_push(struct kmem_cache *c, void *p, uintptr_t *word,
		uintptr_t expect, uintptr_t tag, bool mine)
{
	struct kmem_cpu_cache *pc;
	unsigned long flags = cpu_irq_save_local();
	uintptr_t old;
	void **top;

	pc = mine ? kmem_cpu_of(c, cpu_id()) : __kmem_cpu_cache(c);
	top = __kmem_cpu_top(pc);
	if (unlikely(top == pc->end)) /* full, or bypassed */
		goto refuse;
	old = __atomic_exchange_n(word, tag, __ATOMIC_RELAXED);
	if (unlikely(old != expect)) {
		if (old != tag) /* not a second free: undo */
			__kmem_word_store(word, old);
		goto refuse;
	}
	*top = p;
	__kmem_cpu_set_top(pc, top + 1);
	cpu_irq_restore_local(flags);
	return true;
refuse:
	cpu_irq_restore_local(flags);
	return false;
}

/*
 * Fast free of p, known to lie in slab s of c, in a cache whose word is
 * the object's own first bytes (word_back 0; no constructor, no debug
 * flags). With no in-use mark to vouch for p, it is checked first: an
 * object start of s (a multiply, no division), and its first word
 * neither c's cached tag nor a link into s, which is what a second free
 * would find (a conservative test: the slow path tells a real double
 * free from user data that merely looks like one). Then the word is
 * swapped for the cached tag, as for the other caches. False if any of
 * that fails (nothing done): the caller sends p to the slow path, which
 * reports or frees it.
 */
static inline __attribute__((always_inline)) bool
__kmem_slab_push(struct kmem_cache *c, struct kmem_slab *s, void *p, bool mine)
{
	uintptr_t obj = (uintptr_t)p, d = obj - s->objs, key, w, x;

	if (unlikely(d >= c->objs_span || d * c->div_magic >= c->div_magic))
		return false;
	key = obj * c->fp_mult;
	w = __atomic_load_n((uintptr_t *)obj, __ATOMIC_RELAXED);
	x = w ^ key;
	if (unlikely(x - s->objs < c->objs_span || x == 0 ||
		     x == ~SLAB_MARK_CACHED))
		return false;
	return __kmem_cpu_push(c, p, (uintptr_t *)obj, w,
			       ~key ^ SLAB_MARK_CACHED, mine);
}

/*
 * Whether s, found by masking or through a page descriptor, is a slab
 * of c. A masked s is the start of the freed pointer's own page, which
 * is mapped but may be anything: in the host tests, a stack page whose
 * bytes AddressSanitizer keeps as red zones, so there the read is not
 * instrumented (and not inlined: an uninstrumented function cannot be).
 */
#ifdef HOST_TEST
static __attribute__((no_sanitize_address, noinline, unused)) bool
__kmem_slab_is(const struct kmem_slab *s, const struct kmem_cache *c)
#else
static inline bool __kmem_slab_is(const struct kmem_slab *s,
				  const struct kmem_cache *c)
#endif
{
	return s->cache == c && s->magic == KMEM_SLAB_MAGIC;
}

/*
 * Fast free: push p on this hart's magazine, or return false (nothing
 * done) for the slow path. Caches with the word inside the object find
 * p's slab first: by masking with free_mask when c's slabs are one page
 * holding their descriptor (a read of p's own page; the commonest case,
 * so the mask is applied before anything is tested: a NULL result, from
 * a zero mask or a pointer into page 0, is sorted out after), else
 * through p's page descriptor; then __kmem_slab_push(). Caches with the
 * word before the object: p must be 8-byte aligned with its word on p's
 * own page (else the slow path validates p through its page before
 * reading anything) and the word must hold c's in-use mark, which
 * vouches for p: a double free, a pointer inside an object, an object
 * of another cache or of a debug cache (whose mark differs) fails. A
 * full magazine fails too: the slow path loads an empty one and tries
 * again (mine: on its own magazines, __kmem_cpu_push()).
 */
static inline __attribute__((always_inline)) bool
__kmem_cache_push_on(struct kmem_cache *c, void *p, bool mine)
{
	uintptr_t obj = (uintptr_t)p, word = obj - SLAB_WORD_SIZE;
	struct kmem_slab *s = (struct kmem_slab *)(obj & c->free_mask);

	if (unlikely(!s)) {
		struct page *page;

		if (c->free_mask) /* p in page 0: NULL, for the slow path */
			return false;
		if (c->word_back) {
			/* NULL is on page 0's first word too: the slow path
			 * ignores it. */
			if (unlikely((obj & (SLAB_WORD_SIZE - 1)) |
				     ((word ^ obj) >> PAGE_SHIFT)))
				return false;
			return __kmem_cpu_push(
				c, p, (uintptr_t *)word, ~(word * c->fp_mult),
				~(word * c->fp_mult) ^ SLAB_MARK_CACHED, mine);
		}
		page = virt_to_page(p);
		if (unlikely(!page ||
			     !(__atomic_load_n(&page->flags, __ATOMIC_RELAXED) &
			       PG_slab)))
			return false;
		s = page->slab;
	}
	if (unlikely(!__kmem_slab_is(s, c)))
		return false;
	return __kmem_slab_push(c, s, p, mine);
}

static inline __attribute__((always_inline)) bool
__kmem_cache_push(struct kmem_cache *c, void *p)
{
	return __kmem_cache_push_on(c, p, false);
}

static inline __attribute__((always_inline)) void
__kmem_cache_free(struct kmem_cache *c, void *p, uintptr_t caller)
{
	if (unlikely(!__kmem_cache_push(c, p)))
		kmem_cache_free_slow(c, p, caller);
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
static inline __attribute__((always_inline)) void *
kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	return __kmem_cache_alloc(c, gfp, 0);
}

static inline __attribute__((always_inline)) void *
kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return __kmem_cache_alloc(c, gfp | __GFP_ZERO, 0);
}

/*
 * Return obj to c (NULL is ignored). A double free, a pointer that is
 * not the start of an object of c, an object of another cache, a red
 * zone overwritten (Z) or an in-use mark overwritten is reported with
 * one "BUG <cache>: ..." line and refused: nothing is freed, and a
 * second free of an object that sits in a hart's magazine is caught
 * too. The 8 bytes before obj are read before obj is validated only
 * when they lie on obj's own page, so obj must be mapped memory (any
 * pointer the caller could use); the first byte of a page after an
 * unmapped one (a vmalloc area after its guard page) is validated
 * through its page descriptor first and reported.
 */
static inline __attribute__((always_inline)) void
kmem_cache_free(struct kmem_cache *c, void *obj)
{
	__kmem_cache_free(c, obj, 0);
}

/*
 * Give the objects in every hart's magazine of c back to their slabs,
 * then c's empty slabs beyond its reserve back to the buddy allocator.
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
 * Memory pressure: shrink every cache (kmem_cache_shrink()). The page
 * allocator may call it, but never while holding one of its own locks
 * (kmem_reap() frees pages under the cache locks). Returns pages
 * released.
 */
unsigned long kmem_reap(void);

/*
 * Out of memory: empty every hart's magazine of every cache and give
 * every empty slab back, reserves included (but the one page of
 * magazines kmem_magazine keeps). Called by slab growth and
 * large kmalloc when the buddy allocator fails, before they give up;
 * same rules as kmem_reap(). Returns pages released.
 */
unsigned long slab_shrink_all(void);

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

/*
 * Sums over every cache (the internal "destroyed" cache included), each
 * cache read under its lock: caches, objects in use (magazines not
 * counted), pages held in slabs, and of those the pages of quarantined
 * slabs, which are never given back (a checker or a bad free found their
 * free list damaged).
 */
struct slab_totals {
	unsigned long caches, active_objs, pages, quarantined_pages;
};
void slab_get_totals(struct slab_totals *t);

/* Numbers for tests and slabinfo. */
struct kmem_cache_info {
	const char *name;
	size_t object_size, size, align;
	unsigned int order, objs_per_slab, flags;
	unsigned long active_objs, total_objs;
	unsigned long nr_slabs[KMEM_NR_SLAB_STATES];
	unsigned long pages; /* held in slabs, quarantined included */
	unsigned long quarantined_pages; /* of those, in quarantined slabs
					    (the "destroyed" cache's are of
					    every order) */
	unsigned long cached; /* free, in magazines, depot included (not in
				 active_objs) */
	unsigned long grows, releases, bugs;
	unsigned long refills, flushes; /* magazine batches from/to slabs */
	unsigned long depot; /* objects in the depot's full magazines
				(within cached) */
	unsigned long depot_empty; /* empty magazines in the depot */
	unsigned int mag_rounds; /* rounds per magazine, 0: bypassed */
	unsigned long depot_gets, depot_puts; /* full magazines from/to it */
};
/* A snapshot of c's numbers, taken under its lock. */
void kmem_cache_info(struct kmem_cache *c, struct kmem_cache_info *out);
/* Object size of c (what ksize() reports for its objects). */
size_t kmem_cache_size(const struct kmem_cache *c);

/*
 * Call fn(info, arg) for every cache in list order with a snapshot of
 * its numbers (kmem_cache_info()), for callers that format slabinfo
 * their own way (the console's JSON). fn runs under slab_caches_lock:
 * it may print, but must not create or destroy a cache.
 */
void slabinfo_walk(void (*fn)(const struct kmem_cache_info *info, void *arg),
		   void *arg);

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

#endif /* MM_SLAB_H */
