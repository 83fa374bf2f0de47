/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the slab allocator (mm/slab*.c) and kmalloc (mm/kmalloc.c):
 * the slot layout, the word before each object, and the calls between
 * the files of the allocator. The debugging half's hooks and the report
 * path are in mm/slab_debug.h.
 *
 * Invariants: I1..I10 are stated once, in mm/slab.c's theory comment;
 * kmem_cache_validate() and slab_check() check them and cite the numbers.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/types.h"

/* kmem_cache_create() flag, mm-internal: kmalloc's caches, never destroyed. */
#define SLAB_PERMANENT 0x80000000u
/* Set by the layout: the descriptor comes from kmem_slab_cache. */
#define SLAB_OFF_SLAB 0x40000000u

/* Named patterns, as Linux's poison.h (illumos uses 0xdeadbeef). */
#define SLAB_POISON_FREE 0x6b /* bytes of a free object (P, I8) */
#define SLAB_POISON_END 0xa5 /* its last byte */
#define SLAB_RED_ACTIVE 0xcc /* red zone of an object in use (Z, I7) */
#define SLAB_RED_INACTIVE 0xbb /* red zone of a free object (Z, I7) */
/* Flipped into the in-use mark of debug caches (keeps them off the
 * inline free path). */
#define SLAB_MARK_DEBUG 0x2UL

#define SLAB_REDZONE_SIZE 8 /* bytes after each object (Z) */

/* Stored at obj + track_offset when U. */
struct kmem_track {
	uintptr_t alloc_ip; /* last allocating caller */
	uintptr_t free_ip; /* last freeing caller */
};

/*
 * The cache-list lock (mm/slab.c, "Locking"): protects slab_caches and
 * the configuration new caches are made with (secret, slab_debug=).
 * Taken before any cache's lock, always with interrupts off.
 */
extern spinlock_t slab_caches_lock;
/* Every cache, kmem_cache_boot and slab_dead_cache included (I9);
 * slab_caches_lock. */
extern struct list_head slab_caches;
/* Holds the quarantined slabs of destroyed caches; never allocates. */
extern struct kmem_cache slab_dead_cache;
/* The descriptors of SLAB_OFF_SLAB caches' slabs (its own are on-slab). */
extern struct kmem_cache kmem_slab_cache;

/* ------------------------------------------------------------ helpers */

/*
 * page->flags of a slab's or a large kmalloc's pages. The owner sets and
 * clears its bits (PG_slab, PG_large) with no allocator lock while the
 * buddy allocator, under its zone lock, may read the word of a page it
 * does not own (a buddy met while merging); both sides use relaxed
 * atomics (mm/buddy.c, "Locking"), so neither access tears or races.
 * Relaxed is enough: these bits order nothing. What the flags guard is
 * published by c->lock (a slab is linked under it after its flags are
 * set) or by handing the pointer over, and released under c->lock or
 * before __free_pages(), whose zone lock orders the buddy's later
 * writes.
 */
static inline uint32_t page_flags_get(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static inline void page_flags_set(struct page *page, uint32_t bits)
{
	__atomic_fetch_or(&page->flags, bits, __ATOMIC_RELAXED);
}

/* Clear bits; returns the flags from just before. */
static inline uint32_t page_flags_clear(struct page *page, uint32_t bits)
{
	return __atomic_fetch_and(&page->flags, ~bits, __ATOMIC_RELAXED);
}

static inline bool cache_is_debug(const struct kmem_cache *c)
{
	return (c->flags & SLAB_DEBUG_FLAGS) != 0;
}

/* The per-hart magazines are used (I10): no debug flags, no
 * SLAB_NO_CPU_CACHE, not the dead cache. */
static inline bool cpu_cache_is_on(const struct kmem_cache *c)
{
	return !cache_is_debug(c) && !(c->flags & SLAB_NO_CPU_CACHE) &&
	       c != &slab_dead_cache;
}

static inline bool cache_poisons(const struct kmem_cache *c)
{
	return (c->flags & SLAB_POISON) && !c->ctor;
}

static inline slab_word_t *word_of(const struct kmem_cache *c, uintptr_t obj)
{
	return (slab_word_t *)(obj - c->word_back);
}

/*
 * The word of an object start (8-byte aligned). Relaxed atomics: the
 * fast free path of another hart may swap it at any time
 * (a double free), with no lock; c->lock orders everything else.
 */
static inline uintptr_t word_load(const struct kmem_cache *c, uintptr_t obj)
{
	return __atomic_load_n((uintptr_t *)(obj - c->word_back),
			       __ATOMIC_RELAXED);
}

static inline void word_store(const struct kmem_cache *c, uintptr_t obj,
			      uintptr_t w)
{
	__atomic_store_n((uintptr_t *)(obj - c->word_back), w,
			 __ATOMIC_RELAXED);
}

static inline uintptr_t word_key(const struct kmem_cache *c, uintptr_t obj)
{
	return (obj - c->word_back) * c->fp_mult;
}

/* The word is the object's first bytes: no in-use mark survives use. */
static inline bool word_inside(const struct kmem_cache *c)
{
	return c->word_back == 0;
}

/* The in-use mark (mm/slab.c, "The word before each object"). */
static inline uintptr_t used_mark(const struct kmem_cache *c, uintptr_t obj)
{
	uintptr_t m = ~word_key(c, obj);

	return cache_is_debug(c) ? m ^ SLAB_MARK_DEBUG : m;
}

/* The tag of an object sitting in a magazine (never in debug caches). */
static inline uintptr_t cached_mark(const struct kmem_cache *c, uintptr_t obj)
{
	return ~word_key(c, obj) ^ SLAB_MARK_CACHED;
}

static inline uintptr_t link_decode(const struct kmem_cache *c, uintptr_t obj)
{
	return word_load(c, obj) ^ word_key(c, obj);
}

static inline void link_store(const struct kmem_cache *c, uintptr_t obj,
			      uintptr_t next)
{
	word_store(c, obj, next ^ word_key(c, obj));
}

static inline struct kmem_track *track_of(const struct kmem_cache *c,
					  uintptr_t obj)
{
	return (struct kmem_track *)(obj + c->track_offset);
}

static inline uintptr_t owner_of(const struct kmem_cache *c, uintptr_t obj)
{
	return (c->flags & SLAB_STORE_USER) ? track_of(c, obj)->alloc_ip : 0;
}

/*
 * The slab of an object known to be one of c's (it came out of a
 * magazine): by masking its address when the cache's slabs are aligned
 * to their size (one page, or any size under the binary buddy policy:
 * slab_mask), else through its page descriptor.
 */
static inline struct kmem_slab *slab_of_obj(const struct kmem_cache *c,
					    uintptr_t obj)
{
	if (likely(c->slab_mask))
		return (struct kmem_slab *)(obj & c->slab_mask);
	return virt_to_page((const void *)obj)->slab;
}

/* The first byte of s's block (s itself unless the descriptor is off
 * the slab). */
static inline uintptr_t slab_base(const struct kmem_slab *s)
{
	return (uintptr_t)page_address(s->page);
}

static inline uintptr_t obj_at(const struct kmem_cache *c,
			       const struct kmem_slab *s, unsigned long i)
{
	return s->objs + i * c->size;
}

/*
 * Index of the slot of s that holds address p (slot i spans
 * [obj_i, obj_i + size)), or -1 if p lies before object 0 or past the
 * last slot; *off receives p's offset from the object start.
 */
static inline long obj_index(const struct kmem_cache *c,
			     const struct kmem_slab *s, uintptr_t p,
			     uintptr_t *off)
{
	uintptr_t d, i;

	if (p < s->objs)
		return -1;
	d = p - s->objs;
	i = d / c->size;
	if (i >= c->objs_per_slab)
		return -1;
	*off = d - i * c->size;
	return (long)i;
}

static inline bool is_obj_start(const struct kmem_cache *c,
				const struct kmem_slab *s, uintptr_t p)
{
	uintptr_t off;

	return obj_index(c, s, p, &off) >= 0 && off == 0;
}

/* A free object's link is sound: NULL or an object start of s (I3). */
static inline bool link_ok(const struct kmem_cache *c,
			   const struct kmem_slab *s, uintptr_t next)
{
	return next == 0 || is_obj_start(c, s, next);
}

/*
 * Whether object o of s is in use (handed out or in a magazine): its
 * in-use mark or cached tag where the word is before it; where the word
 * is inside, not on s's free list (a walk: for error paths only).
 * c->lock held, s not quarantined.
 */
static inline bool slab_obj_in_use(const struct kmem_cache *c,
				   const struct kmem_slab *s, uintptr_t o)
{
	unsigned long steps = c->objs_per_slab;

	if (!word_inside(c))
		return word_load(c, o) == used_mark(c, o) ||
		       word_load(c, o) == cached_mark(c, o);
	for (uintptr_t f = (uintptr_t)s->freelist; f && steps--;
	     f = link_decode(c, f))
		if (f == o)
			return false;
	return true;
}

/* ---------------------------------------------------------- mm/slab.c */

/*
 * Functions below that take a cache c are called with c->lock held,
 * unless they say otherwise.
 */

/*
 * Never allocate from s again; its free list is not to be followed.
 * Counts a bug against c.
 */
void slab_quarantine(struct kmem_cache *c, struct kmem_slab *s);
/* The slab holding p, through its page descriptor, or NULL (I6). No
 * lock needed. */
struct kmem_slab *slab_lookup(const void *p);
/* After a free made s empty or no longer full: its list (I1). */
void slab_moved(struct kmem_cache *c, struct kmem_slab *s);

/*
 * Objects of c sitting in the harts' magazines and the depot now (a
 * snapshot: relaxed reads of each hart's top and prev_n). No lock.
 */
unsigned long kmem_cpu_cached(struct kmem_cache *c);

/*
 * The object size if p starts an object of a live cache, else 0 (what
 * ksize() reports for slab memory). No lock: p's slab cannot change
 * while p is in use.
 */
size_t kmem_obj_size(const void *p);

/*
 * Put obj, counted in s->inuse and checked, back on s's free list (a
 * quarantined slab only marks it free). c->lock held.
 */
void slab_free_object(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		      uintptr_t caller);

/* Release c's empty slabs beyond `keep`; returns pages. c->lock held. */
unsigned long slab_cache_trim(struct kmem_cache *c, unsigned long keep);

/*
 * kmem_cache_alloc_slow() past its failslab= decision (mm/slab.c): for
 * the allocator's own magazines. caller 0: the return address.
 */
void *slab_alloc_unhooked(struct kmem_cache *c, gfp_t gfp, uintptr_t caller);

/* ------------------------------------------------------ mm/slab_cpu.c */

/* Set up c's depot and its harts' state: no magazines (slab_no_magazine). */
void slab_cpu_init(struct kmem_cache *c);
/* Give objects taken out of a magazine back to their slabs (c->lock). */
void slab_cpu_release(struct kmem_cache *c, void *const *objs, unsigned int n,
		      uintptr_t caller);
/*
 * The allocation's slow path in front of the slabs: an object from the
 * loaded magazine (there may be some: the fast path used cpu[0] while
 * failslab was armed, or an interrupt handler refilled it), the
 * previous magazine or a full one from the depot (in use, tag turned
 * into the in-use mark), or NULL for the slabs; a hart with no
 * magazines gets two first. No lock held.
 */
void *slab_cpu_alloc(struct kmem_cache *c, gfp_t gfp);
/*
 * If this hart's loaded magazine is full (or it has none), load an
 * empty one: the previous, one from the depot or a new one. True if
 * there is room now. No lock held.
 */
bool slab_cpu_make_room(struct kmem_cache *c, uintptr_t caller);
/*
 * Objects a batch from the slabs should hold: the caller's and as many
 * as fit this hart's loaded magazine, at most c->mag_batch; 1 if the
 * hart has no magazine (bypassed, or none could be allocated). c->lock
 * held (interrupts off).
 */
unsigned int slab_cpu_batch(struct kmem_cache *c);
/*
 * A slab went back to the buddy allocator, or a magazine to
 * kmem_magazine: end the back-off after a failed magazine allocation
 * (mm/slab_cpu.c, "Back-off"). Any context, any lock held.
 */
void slab_cpu_backoff_end(void);
/* Push objs[1..n) of a refill on this hart's magazine; no lock held. */
void slab_cpu_refill(struct kmem_cache *c, void *const *objs, unsigned int n,
		     uintptr_t caller);
/*
 * Empty every hart's magazines of c and the depot into the slabs, and
 * give every magazine back to kmem_magazine_cache; returns objects. No
 * lock held.
 */
unsigned long slab_cpu_drain_all(struct kmem_cache *c);
/*
 * Walk c's depot (M3, and I10 for its objects) and this hart's
 * magazines (M1, M2); print each violation, return their number.
 * c->lock held, interrupts off.
 */
int slab_cpu_check(struct kmem_cache *c);
/* The magazines' cache (mm/slab_cpu.c), set up by slab_init(). */
extern struct kmem_cache kmem_magazine_cache;
/*
 * One checker line, "slab_check: <cache>: <inv> violated: ...", counted
 * in the caller's `found` (mm/slab_debug.c, mm/slab_cpu_check.c; the
 * caller includes lib/printk.h).
 */
#define SLAB_VIOLATION(c, inv, fmt, ...)                                       \
	do {                                                                   \
		printk("slab_check: %s: " inv " violated: " fmt "\n",          \
		       (c)->name, ##__VA_ARGS__);                              \
		found++;                                                       \
	} while (0)
/* A magazine's last word: its link on a depot list (mm/slab_cpu.c). */
#define SLAB_MAG_LINK (SLAB_MAG_SIZE / sizeof(void *) - 1)
/*
 * Where a hart with no magazines points (M1): empty to the allocation,
 * full to the free; nothing is ever stored in it (mm/slab_cpu.c).
 */
extern void *slab_no_magazine[SLAB_MAG_SIZE / sizeof(void *)];

#endif /* MM_SLAB_INTERNAL_H */
