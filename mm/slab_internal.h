/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the slab allocator (mm/slab.c, mm/slab_debug.c) and
 * kmalloc (mm/kmalloc.c): the slot layout, the word before each object,
 * and the calls between the allocator and its debugging half.
 *
 * Invariants (mm/slab.c states I1-I6 and I9 in full, mm/slab_debug.c I7
 * and I8; kmem_cache_validate() and slab_check() cite them):
 *   I1  every slab is on the list of its state, and nr_slabs[state]
 *       counts that list.
 *   I2  state agrees with inuse: FULL is all in use with no free list,
 *       PARTIAL some, EMPTY none; QUARANTINED has no free list and
 *       inuse <= objs_per_slab.
 *   I3  the free list of a slab that is not quarantined links object
 *       starts of that slab, each once, objs_per_slab - inuse of them.
 *   I4  every object not on the free list carries its cache's in-use
 *       mark (quarantined slabs excepted).
 *   I5  active is the first partial slab of a cache without debug flags,
 *       NULL for a cache with them.
 *   I6  a slab is the 2^order-page buddy block it starts, aligned to
 *       slab_bytes, each page PG_slab with page->slab == the slab; its
 *       magic, cache, colour and objs agree with the cache.
 *   I7  (Z) a red zone is all SLAB_RED_ACTIVE while its object is in
 *       use, all SLAB_RED_INACTIVE while it is free.
 *   I8  (P, caches without a constructor) a free object holds
 *       SLAB_POISON_FREE bytes ending in SLAB_POISON_END.
 *   I9  every cache is on the cache list exactly once.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/types.h"

/* kmem_cache_create() flag, mm-internal: kmalloc's caches, never destroyed. */
#define SLAB_PERMANENT 0x80000000u

#define KMEM_SLAB_MAGIC 0x51ab51abu /* I6 */

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

static inline bool cache_poisons(const struct kmem_cache *c)
{
	return (c->flags & SLAB_POISON) && !c->ctor;
}

static inline slab_word_t *word_of(uintptr_t obj)
{
	return (slab_word_t *)(obj - SLAB_WORD_SIZE);
}

static inline uintptr_t word_key(const struct kmem_cache *c, uintptr_t obj)
{
	return (obj - SLAB_WORD_SIZE) * c->fp_mult;
}

/* The in-use mark (mm/slab.c, "The word before each object"). */
static inline uintptr_t used_mark(const struct kmem_cache *c, uintptr_t obj)
{
	uintptr_t m = ~word_key(c, obj);

	return cache_is_debug(c) ? m ^ SLAB_MARK_DEBUG : m;
}

static inline uintptr_t link_decode(const struct kmem_cache *c, uintptr_t obj)
{
	return *word_of(obj) ^ word_key(c, obj);
}

static inline void link_store(const struct kmem_cache *c, uintptr_t obj,
			      uintptr_t next)
{
	*word_of(obj) = next ^ word_key(c, obj);
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

static inline uintptr_t slab_base(const struct kmem_slab *s)
{
	return (uintptr_t)s;
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

/*
 * The object size if p starts an object of a live cache, else 0 (what
 * ksize() reports for slab memory). No lock: p's slab cannot change
 * while p is in use.
 */
size_t kmem_obj_size(const void *p);

/* ---------------------------------------------------- mm/slab_debug.c */

/*
 * The slab_debug= flags (slab_debug_setup()) that a new cache called
 * `name` takes on, 0 if the option names other caches. Called with
 * slab_caches_lock held.
 */
unsigned int slab_debug_cache_flags(const char *name);

/*
 * The hooks of the slow paths, called only for caches with
 * SLAB_DEBUG_FLAGS (which never take the fast paths, I5):
 * - slab_debug_obj_init: obj belongs to a new slab and is free; before
 *   its constructor runs, set its red zone inactive, clear its owners
 *   and poison it. The slab is not linked yet: no lock is held.
 * - slab_debug_alloc: the free object obj of s is about to be handed
 *   out to caller. Checks its red zone and poison (I7, I8): damage is
 *   reported and returns 1 with nothing changed (the caller then
 *   quarantines s); else arms the red zone, records caller as the owner
 *   and returns 0.
 * - slab_debug_free_check: obj of s, in use, is being freed by caller.
 *   Checks its red zone (I7): damage is reported and returns 1 (the
 *   caller refuses the free), else 0.
 * - slab_debug_free: obj passed every check and goes on the free list:
 *   poisons it, sets its red zone inactive, records caller as the
 *   last to free it.
 * All but the first are called with c->lock held.
 */
void slab_debug_obj_init(const struct kmem_cache *c, uintptr_t obj);
int slab_debug_alloc(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		     uintptr_t caller);
int slab_debug_free_check(struct kmem_cache *c, struct kmem_slab *s,
			  uintptr_t obj, uintptr_t caller);
void slab_debug_free(const struct kmem_cache *c, uintptr_t obj,
		     uintptr_t caller);

/*
 * Follow s's free list (I3; with `contents`, I7 and I8 for its objects
 * too). Damage is reported and quarantines s; returns 1 if there was
 * any, else 0. caller goes into the report. c->lock held.
 */
int slab_freelist_check(struct kmem_cache *c, struct kmem_slab *s,
			uintptr_t caller, bool contents);

/*
 * ", last owner 0x..." when U recorded one (owner != 0), else "",
 * formatted into buf (SLAB_OWNER_NOTE_SIZE bytes). slab_owner_note()
 * supplies a buffer on the caller's stack that lives until the end of
 * the enclosing block, so a note can be passed straight to a report.
 */
#define SLAB_OWNER_NOTE_SIZE 40
const char *slab_owner_note_buf(char *buf, uintptr_t owner);
#define slab_owner_note(owner)                                                 \
	slab_owner_note_buf((char[SLAB_OWNER_NOTE_SIZE]){ 0 }, (owner))

/*
 * Report through the hook (slab_set_report_hook()) and count it. fmt
 * continues "BUG <cache>: ". kmalloc uses it for pointers that are not
 * in any cache. Any lock may be held (the line is built on the stack);
 * the slab allocator reports with the cache's lock held.
 */
void slab_report(enum slab_bug bug, const char *cache, const void *addr,
		 const void *object, const void *slab, uintptr_t caller,
		 uintptr_t owner, const char *fmt, ...) __printf(8, 9);

#endif /* MM_SLAB_INTERNAL_H */
