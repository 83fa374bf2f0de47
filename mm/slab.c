// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object caches: Bonwick's slab allocator ("The Slab Allocator: An
 * Object-Caching Kernel Memory Allocator", 1994), with Linux's names.
 * This file holds caches and slabs, the allocation and free paths,
 * growing, shrinking, reaping and destroying; mm/slab_debug.c holds the
 * debugging options, the report path, the checker and slabinfo;
 * mm/slab_internal.h what the two share.
 *
 * What it manages
 * ---------------
 * A cache (struct kmem_cache) hands out objects of one size. Its memory
 * comes in slabs: blocks of 2^order pages from the buddy allocator. The
 * order is the smallest that leaves at most 1/8 of the slab outside any
 * object slot (Bonwick's bound); a 2 KiB object gets an 8-page slab.
 * Every slab is full, partial or empty and sits on the cache's list for
 * that state; a fourth list holds quarantined slabs (below). Allocation
 * takes the first partial slab, then an empty one, and only then makes a
 * new slab. Empty slabs stay cached until kmem_cache_shrink() or memory
 * pressure (kmem_reap(), called when the buddy allocator fails) gives
 * back all but `reserve` of them.
 *
 * A slab (descriptor at the start of its first page, like Bonwick's
 * small-object slabs):
 *
 *   base = page_address(head), aligned to slab_bytes
 *   +--------+-----+--------+---------------+--------+-- ... --+-------+
 *   | struct |word0| obj 0  | tail 0 |word1 | obj 1  |         |unused |
 *   | slab   |     |        |        |      |        |         |       |
 *   +--------+-----+--------+---------------+--------+-- ... --+-------+
 *   |<- objs_offset + colour ->|<--- size (stride) --->|
 *
 *   one slot:  word (8) | object (object_size) | red zone (Z) |
 *              track (U: alloc and free caller) | pad to align
 *
 * The colour (Bonwick's cache colouring) shifts the objects of each new
 * slab by one more cache line, within the otherwise unused space, so
 * that objects of different slabs do not all compete for the same lines.
 *
 * The word before each object (never inside it, so constructed state
 * survives a free) says whether the object is free:
 *
 *   free:    next ^ key       next: the following free object, or NULL
 *   in use:  ~key             (~key ^ SLAB_MARK_DEBUG in debug caches)
 *   key  =   (address of the word) * fp_mult
 *
 * fp_mult is an odd per-cache secret derived from the per-boot secret
 * (slab_set_secret(): /chosen rng-seed) and the cache's address. This is
 * Linux's CONFIG_SLAB_FREELIST_HARDENED (ptr ^ secret ^ swab(addr)) with
 * one change: rv64imac has no byte-reverse instruction (swab is a
 * 30-instruction libgcc call), so the address is mixed by a multiply,
 * which like swab moves the low address bits that differ between slots
 * into the high bits. A link overwritten by a stray write decodes to a
 * pointer outside the slab (or off an object boundary) and is caught
 * before it is followed; the slab is then quarantined. The in-use mark
 * makes the always-on double-free check one compare, and also refuses
 * pointers into the middle of an object and objects of another cache
 * (whose key differs) before anything is written.
 *
 * Fast paths (inline in mm/slab.h) and how debugging stays off them: a
 * debug cache (any of F Z P U) never has `active` set, so its
 * allocations always take the slow path, and its in-use mark differs
 * from ~key, so its frees fail the fast path's compare and take the slow
 * path too. The fast paths therefore test no flags at all. The slow
 * paths do every check exactly, through the page descriptors, and call
 * the slab_debug_*() hooks (mm/slab_debug.c) for debug caches only.
 *
 * The inline free finds the slab by masking the object's address with
 * slab_mask: a buddy block is aligned to its size physically, and the
 * linear map keeps that alignment (it is congruent modulo 1 GiB, see
 * mm/layout.h); slab_grow() panics if it does not (I6). The masked
 * pointer is used only after the in-use mark matched, which shows (but
 * for a 2^-64 chance) that the object is one of this cache's, in use.
 *
 * Invariants (kmem_cache_validate() and slab_check() cite them)
 * ----------
 *   I1  every slab is on the list of its state, and nr_slabs[state]
 *       counts that list.
 *   I2  state agrees with inuse: FULL has inuse == objs_per_slab and no
 *       free list; PARTIAL has 0 < inuse < objs_per_slab; EMPTY has
 *       inuse == 0; QUARANTINED has no free list and inuse <= objs.
 *   I3  the free list of a slab that is not quarantined starts at
 *       freelist, every link decodes to NULL or to an object start of the
 *       same slab, no object appears twice, and its length is
 *       objs_per_slab - inuse.
 *   I4  every object not on the free list carries the in-use mark of its
 *       cache (quarantined slabs excepted).
 *   I5  active is the first partial slab of a cache without debug
 *       flags, and NULL for a cache with them.
 *   I6  a slab is the 2^order-page buddy block it starts, aligned to
 *       slab_bytes; each of its pages has PG_slab and page->slab == the
 *       slab; the descriptor has KMEM_SLAB_MAGIC, its cache, and objs ==
 *       base + objs_offset + colour with colour <= colour_max.
 *   I7, I8  red zones (Z) and poison (P): stated in mm/slab_debug.c.
 *   I9  every cache is on the cache list exactly once.
 *
 * Failure modes: misuse (double free, foreign pointer, wrong cache,
 * overwritten red zone, poison or mark) is reported with one
 * "BUG <cache>: ..." line through the report hook and refused; damage
 * found in free memory quarantines the slab: it is never allocated from
 * again and never returned to the buddy allocator (objects still in use
 * in it may be freed). Nothing here panics except a slab that is not
 * aligned to its size (the linear map broke I6's premise).
 *
 * Locking
 * -------
 * Any hart may call anything here at any time, and an object allocated
 * on one hart may be freed on any other. There are two kinds of lock,
 * ticket spinlocks (lib/spinlock.h), always taken with interrupts off
 * (the _irqsave forms: an interrupt handler may allocate):
 *
 *   slab_caches_lock  the list of every cache (I9) and what new caches
 *                     are made with: slab_ready, slab_secret,
 *                     slab_cache_seq, and the slab_debug= settings in
 *                     mm/slab_debug.c. Held while create and destroy
 *                     change the list and while kmem_reap(),
 *                     slab_check() and slabinfo walk it.
 *   c->lock           one per cache: its lists and counters (I1), its
 *                     active slab (I5), colour_next and statistics, and
 *                     in each of its slabs the list link, state,
 *                     freelist, inuse and the words before the objects
 *                     (I2-I4), with red zones, poison and owners of the
 *                     debug options (I7, I8). The inline fast paths take
 *                     it too.
 *
 *   Lock order:  slab_caches_lock -> c->lock -> buddy's zone locks
 *                -> printk_lock
 *
 * The buddy allocator's locks are its own business, but slab_release()
 * frees pages under c->lock, so the buddy allocator must not call into
 * this file (kmem_reap() included) while it holds one. No code holds
 * two cache locks at once (one cache's lock while taking another's
 * would be an ABBA deadlock with a hart doing the opposite):
 * kmem_reap() and slab_check() take one cache's lock at a time, and
 * kmem_cache_destroy() hands quarantined slabs to slab_dead_cache only
 * after dropping the dying cache's lock. Nothing calls the buddy
 * allocator's alloc_pages(), kmem_reap() or a constructor with a cache
 * lock held: slab_grow() drops c->lock for all three and takes it again
 * to link the new slab (another hart may have grown the cache meanwhile;
 * both slabs are linked). Reports (hook and printk) are made with
 * c->lock held.
 *
 * The fast paths drop the lock before calling a slow path; the slow path
 * takes it again and checks everything afresh, trusting nothing the
 * fast path saw. Without locks: a cache's geometry, flags, fp_mult, ctor
 * and name are written before kmem_cache_create() returns it and never
 * again, and the other fields of a slab's descriptor before the slab is
 * linked. page->flags and page->slab of a slab's pages change only
 * while none of its objects is handed out (before the slab is linked,
 * and at its release under c->lock), so the unlocked reads of kfree()
 * and ksize() see fixed values for any object in use. A double free
 * that races with the release of the object's own slab (reaped between
 * the two frees) is misuse this cannot always catch.
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/slab_internal.h"

/* Secret used until slab_set_secret() (golden ratio). */
#define SLAB_DEFAULT_SECRET 0x9e3779b97f4a7c15ULL

#define SLAB_EMPTY_RESERVE 1 /* empty slabs a cache keeps */
#define SLAB_DESTROY_LIST_MAX 16
#define SLAB_ALLOC_TRIES 8 /* slabs one allocation may quarantine */

/* Protected by slab_caches_lock. */
DEFINE_SPINLOCK(slab_caches_lock);
struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
static bool slab_ready; /* kmem_cache_boot and slab_dead_cache set up */
static uint64_t slab_secret = SLAB_DEFAULT_SECRET;
static uint64_t slab_cache_seq;

/* Set up by slab_init(); then each is guarded by its own lock. */
struct kmem_cache slab_dead_cache; /* orphans of destroyed caches */
static struct kmem_cache kmem_cache_boot; /* the cache of caches */

/* ------------------------------------------------------------ helpers */

/* The slab holding p, through its page descriptor, or NULL (I6). */
static struct kmem_slab *slab_lookup(const void *p)
{
	struct page *page = virt_to_page(p);
	struct kmem_slab *s;

	if (!page || !(page_flags_get(page) & PG_slab))
		return NULL;
	s = page->slab;
	if (!s || s->magic != KMEM_SLAB_MAGIC)
		return NULL;
	return s;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* ------------------------------------------------------- slab lists */

/* I5: active is the first partial slab, and never set in a debug cache. */
static void update_active(struct kmem_cache *c)
{
	struct list_head *p = &c->lists[KMEM_SLAB_PARTIAL];

	ASSERT(spin_is_held(&c->lock));
	c->active = (!cache_is_debug(c) && !list_empty(p))
			    ? list_first_entry(p, struct kmem_slab, list)
			    : NULL;
}

/* Move s to the list of `state` (I1); partial slabs queue at the tail so
 * the active one stays first. */
static void slab_set_state(struct kmem_cache *c, struct kmem_slab *s,
			   enum kmem_slab_state state)
{
	list_del(&s->list);
	c->nr_slabs[s->state]--;
	s->state = (uint8_t)state;
	if (state == KMEM_SLAB_PARTIAL)
		list_add_tail(&s->list, &c->lists[state]);
	else
		list_add(&s->list, &c->lists[state]);
	c->nr_slabs[state]++;
	update_active(c);
}

/* Never allocate from s again; its free list is not to be followed. */
void slab_quarantine(struct kmem_cache *c, struct kmem_slab *s)
{
	ASSERT(spin_is_held(&c->lock));
	s->freelist = NULL;
	c->bugs++;
	if (s->state != KMEM_SLAB_QUARANTINED)
		slab_set_state(c, s, KMEM_SLAB_QUARANTINED);
}

/* After a free made s empty or no longer full (c->lock held). */
void kmem_cache_slab_moved(struct kmem_cache *c, struct kmem_slab *s)
{
	ASSERT(spin_is_held(&c->lock));
	if (s->state == KMEM_SLAB_QUARANTINED)
		s->freelist = NULL; /* the free just marked the object */
	else if (s->inuse == 0)
		slab_set_state(c, s, KMEM_SLAB_EMPTY);
	else if (s->state == KMEM_SLAB_FULL)
		slab_set_state(c, s, KMEM_SLAB_PARTIAL);
}

/* ------------------------------------------------- growing, releasing */

/*
 * Make a new slab for c and link it on the empty list. Called and
 * returns with c->lock held (*irq: the interrupt state to restore when
 * dropping it), but drops the lock meanwhile: for the buddy allocator,
 * for kmem_reap() when that fails (which takes every cache's lock in
 * turn), and for the constructors. The new slab is private to this hart
 * until it is linked, so it is set up without the lock. Returns NULL if
 * no memory could be had. Another hart may have grown or shrunk c
 * meanwhile; the caller uses the slab returned, which is still empty.
 */
static struct kmem_slab *slab_grow(struct kmem_cache *c, gfp_t gfp,
				   unsigned long *irq)
{
	gfp_t pgfp = gfp & (__GFP_HIGH | __GFP_RECLAIM);
	unsigned long n = 1UL << c->order;
	struct kmem_slab *s;
	struct page *page;
	uintptr_t base, next = 0;
	uint32_t colour;

	ASSERT(spin_is_held(&c->lock));
	colour = c->colour_next;
	c->colour_next += c->colour_step;
	if (c->colour_next > c->colour_max)
		c->colour_next = 0;
	spin_unlock_irqrestore(&c->lock, *irq);

	if (c->flags & SLAB_CACHE_DMA32)
		pgfp |= __GFP_DMA32;
	page = alloc_pages(pgfp | __GFP_NOWARN, c->order);
	if (!page) {
		kmem_reap();
		page = alloc_pages(pgfp | (gfp & __GFP_NOWARN), c->order);
		if (!page) {
			*irq = spin_lock_irqsave(&c->lock);
			return NULL;
		}
	}
	base = (uintptr_t)page_address(page);
	if (!IS_ALIGNED(base, c->slab_bytes))
		panic("slab_grow: %s: slab at %p not aligned to its size 0x%lx "
		      "(linear map not congruent?)",
		      c->name, (void *)base, (unsigned long)c->slab_bytes);
	s = (struct kmem_slab *)base;
	*s = (struct kmem_slab){ .cache = c,
				 .page = page,
				 .colour = colour,
				 .magic = KMEM_SLAB_MAGIC };
	/* A block never crosses a range, so its descriptors are adjacent. */
	for (unsigned long i = 0; i < n; i++) {
		page[i].slab = s;
		page_flags_set(&page[i], PG_slab);
	}
	s->objs = base + c->objs_offset + s->colour;
	/* Link object 0 first; construct each object once, here. */
	for (unsigned long i = c->objs_per_slab; i-- > 0;) {
		uintptr_t obj = obj_at(c, s, i);

		if (cache_is_debug(c))
			slab_debug_obj_init(c, obj);
		if (c->ctor)
			c->ctor((void *)obj);
		link_store(c, obj, next);
		next = obj;
	}
	s->freelist = (void *)next;
	s->state = KMEM_SLAB_EMPTY;

	*irq = spin_lock_irqsave(&c->lock);
	list_add(&s->list, &c->lists[KMEM_SLAB_EMPTY]);
	c->nr_slabs[KMEM_SLAB_EMPTY]++;
	c->grows++;
	return s;
}

/* Unlink s and give its pages back (c->lock held; buddy's nest in it). */
static unsigned long slab_release(struct kmem_cache *c, struct kmem_slab *s)
{
	struct page *page = s->page;
	unsigned long n = 1UL << c->order;

	ASSERT(spin_is_held(&c->lock));
	list_del(&s->list);
	c->nr_slabs[s->state]--;
	s->magic = 0;
	for (unsigned long i = 0; i < n; i++) {
		page_flags_clear(&page[i], PG_slab);
		page[i].private = 0;
	}
	__free_pages(page, c->order);
	c->releases++;
	return n;
}

/* Release empty slabs beyond `keep`; returns pages. */
static unsigned long cache_trim(struct kmem_cache *c, unsigned long keep)
{
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	unsigned long pages = 0;

	ASSERT(spin_is_held(&c->lock));
	while (c->nr_slabs[KMEM_SLAB_EMPTY] > keep)
		pages += slab_release(
			c, list_entry(empty->prev, struct kmem_slab, list));
	return pages;
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	unsigned long pages = cache_trim(c, c->reserve);

	spin_unlock_irqrestore(&c->lock, irq);
	return pages;
}

/* Takes slab_caches_lock, then each cache's lock in turn (never two). */
unsigned long kmem_reap(void)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p;
	unsigned long pages = 0;

	list_for_each (p, &slab_caches)
		pages += kmem_cache_shrink(
			list_entry(p, struct kmem_cache, caches));
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return pages;
}

/* ------------------------------------------------------- allocation */

/*
 * Take the first free object of s after checking everything the fast
 * path does not; commit it, or report, quarantine s and return 0.
 * c->lock held.
 */
static uintptr_t slab_take(struct kmem_cache *c, struct kmem_slab *s,
			   uintptr_t caller)
{
	uintptr_t obj = (uintptr_t)s->freelist, next;

	ASSERT(spin_is_held(&c->lock));
	if (!is_obj_start(c, s, obj)) {
		slab_report(SLAB_BUG_FREEPTR, c->name, (void *)obj, NULL, s,
			    caller, 0,
			    "free pointer corrupted: free list of slab %p "
			    "leads to %p, not at an object boundary; slab "
			    "quarantined",
			    (void *)s, (void *)obj);
		goto quarantine;
	}
	next = link_decode(c, obj);
	if (!link_ok(c, s, next)) {
		bool inside = next - slab_base(s) < c->slab_bytes;

		slab_report(SLAB_BUG_FREEPTR, c->name, word_of(obj),
			    (void *)obj, s, caller, 0,
			    "free pointer corrupted: link of free object %p "
			    "(at %p) decodes to %p, %s; slab quarantined",
			    (void *)obj, (void *)word_of(obj), (void *)next,
			    inside ? "not at an object boundary"
				   : "outside the slab");
		goto quarantine;
	}
	if (cache_is_debug(c) && slab_debug_alloc(c, s, obj, caller))
		goto quarantine;
	*word_of(obj) = used_mark(c, obj);
	s->freelist = (void *)next;
	s->inuse++;
	return obj;
quarantine:
	slab_quarantine(c, s);
	return 0;
}

/*
 * Called without c->lock (the fast path dropped it); everything is
 * looked at afresh under it. slab_grow() drops and retakes it.
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	struct list_head *partial = &c->lists[KMEM_SLAB_PARTIAL];
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	unsigned int tries = 0;
	struct kmem_slab *s;
	uintptr_t obj = 0;
	unsigned long irq;

	if (!caller)
		caller = RET_IP;
	irq = spin_lock_irqsave(&c->lock);
	do {
		/* Each failed try quarantined a slab; do not eat memory. */
		if (tries++ == SLAB_ALLOC_TRIES)
			goto fail;
		if (!list_empty(partial)) {
			s = list_first_entry(partial, struct kmem_slab, list);
		} else {
			if (!list_empty(empty))
				s = list_first_entry(empty, struct kmem_slab,
						     list);
			else if (!(s = slab_grow(c, gfp, &irq)))
				goto fail;
			/* Lock held since s was found empty: it still is. */
			slab_set_state(c, s, KMEM_SLAB_PARTIAL);
		}
		if ((c->flags & SLAB_CONSISTENCY_CHECKS) &&
		    slab_freelist_check(c, s, caller, false))
			continue;
		obj = slab_take(c, s, caller);
	} while (!obj);
	if (!s->freelist)
		slab_set_state(c, s, KMEM_SLAB_FULL);
	spin_unlock_irqrestore(&c->lock, irq);
	if (gfp & __GFP_ZERO) /* the object is the caller's now */
		memset((void *)obj, 0, c->object_size);
	return (void *)obj;
fail:
	spin_unlock_irqrestore(&c->lock, irq);
	return NULL;
}

/* -------------------------------------------------------------- free */

/* Push a checked, in-use object (the slow path's version of the push;
 * c->lock held). */
static void slab_put(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		     uintptr_t caller)
{
	void *head = s->freelist;

	ASSERT(spin_is_held(&c->lock));
	if (cache_is_debug(c))
		slab_debug_free(c, obj, caller);
	link_store(c, obj, (uintptr_t)head);
	s->freelist = (void *)obj;
	s->inuse--;
	if (s->inuse == 0 || !head)
		kmem_cache_slab_moved(c, s);
}

/*
 * Called without c->lock (the fast path dropped it). Under the lock, p's
 * slab is looked up afresh and must be c's: a slab of c is released only
 * under c->lock, so it stays c's until the unlock, and its in-use mark
 * decides. Misuse is reported with the lock held.
 */
void kmem_cache_free_slow(struct kmem_cache *c, void *p, uintptr_t caller)
{
	uintptr_t obj = (uintptr_t)p, off, w;
	struct kmem_slab *s;
	unsigned long irq;
	long idx;

	if (!caller)
		caller = RET_IP;
	irq = spin_lock_irqsave(&c->lock);
	s = slab_lookup(p);
	if (!s) {
		slab_report(SLAB_BUG_INVALID_FREE, c->name, p, NULL, NULL,
			    caller, 0,
			    "invalid free of %p: not a slab object (caller %p)",
			    p, (void *)caller);
		goto refuse;
	}
	if (s->cache != c || c == &slab_dead_cache) {
		if (s->cache == &slab_dead_cache)
			slab_report(SLAB_BUG_INVALID_FREE, c->name, p, NULL, s,
				    caller, 0,
				    "invalid free of %p: its cache was "
				    "destroyed (caller %p)",
				    p, (void *)caller);
		else
			slab_report(SLAB_BUG_WRONG_CACHE, c->name, p, NULL, s,
				    caller, 0,
				    "free of %p into the wrong cache: it "
				    "belongs to %s (caller %p)",
				    p, s->cache->name, (void *)caller);
		goto refuse;
	}
	idx = obj_index(c, s, obj, &off);
	if (idx < 0 || off != 0) {
		if (idx < 0)
			slab_report(SLAB_BUG_NOT_OBJECT_START, c->name, p, NULL,
				    s, caller, 0,
				    "invalid free of %p: not an object start "
				    "(outside the objects of slab %p, caller "
				    "%p)",
				    p, (void *)s, (void *)caller);
		else
			slab_report(SLAB_BUG_NOT_OBJECT_START, c->name, p,
				    (void *)(obj - off), s, caller,
				    owner_of(c, obj - off),
				    "invalid free of %p: not an object start "
				    "(object %p + 0x%lx, caller %p)",
				    p, (void *)(obj - off), (unsigned long)off,
				    (void *)caller);
		goto refuse;
	}
	w = *word_of(obj);
	if (w != used_mark(c, obj)) {
		if (link_ok(c, s, w ^ word_key(c, obj)))
			slab_report(SLAB_BUG_DOUBLE_FREE, c->name, p, p, s,
				    caller, owner_of(c, obj),
				    "double free of %p (slab %p, caller %p)%s",
				    p, (void *)s, (void *)caller,
				    slab_owner_note(owner_of(c, obj)));
		else
			slab_report(SLAB_BUG_MARK, c->name, word_of(obj), p, s,
				    caller, owner_of(c, obj),
				    "in-use mark of %p overwritten (0x%lx at "
				    "%p): write before the object or past the "
				    "one before it; not freed (caller %p)%s",
				    p, (unsigned long)w, (void *)word_of(obj),
				    (void *)caller,
				    slab_owner_note(owner_of(c, obj)));
		goto refuse;
	}
	if (cache_is_debug(c) && slab_debug_free_check(c, s, obj, caller))
		goto refuse;
	if (s->state == KMEM_SLAB_QUARANTINED ||
	    ((c->flags & SLAB_CONSISTENCY_CHECKS) &&
	     slab_freelist_check(c, s, caller, false))) {
		/* Mark it free (a second free is then a double free), but
		 * never hand it out again. */
		link_store(c, obj, 0);
		s->inuse--;
	} else {
		slab_put(c, s, obj, caller);
	}
	spin_unlock_irqrestore(&c->lock, irq);
	return;
refuse:
	c->bugs++;
	spin_unlock_irqrestore(&c->lock, irq);
}

size_t kmem_obj_size(const void *p)
{
	struct kmem_slab *s = slab_lookup(p);

	if (!s || s->cache == &slab_dead_cache ||
	    !is_obj_start(s->cache, s, (uintptr_t)p))
		return 0;
	return s->cache->object_size;
}

/* ----------------------------------------------------------- creation */

/* Objects of `stride` after `first`, ending `end` past the last start. */
static unsigned long layout_objs(uintptr_t bytes, uintptr_t first,
				 uintptr_t end, uintptr_t stride)
{
	if (bytes < first + end)
		return 0;
	return (bytes - first - end) / stride + 1;
}

/*
 * Fill in c's geometry (see the slab picture). Returns -EINVAL when an
 * object does not fit a slab of MAX_ORDER.
 */
static int cache_layout(struct kmem_cache *c, size_t size, size_t align)
{
	uintptr_t end, first, stride, best_waste = 0, bytes;
	unsigned int best = MAX_ORDER + 1;

	if (c->flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, (size_t)SLAB_CACHE_LINE_SIZE);
	align = MAX(align, (size_t)SLAB_WORD_SIZE);
	end = ALIGN_UP((uintptr_t)size, (uintptr_t)SLAB_WORD_SIZE);
	if (c->flags & SLAB_RED_ZONE)
		end += SLAB_REDZONE_SIZE;
	c->redzone_end = (uint32_t)end;
	c->track_offset = (uint32_t)end;
	if (c->flags & SLAB_STORE_USER)
		end += sizeof(struct kmem_track);
	stride = ALIGN_UP(end + SLAB_WORD_SIZE, (uintptr_t)align);
	first = ALIGN_UP(sizeof(struct kmem_slab) + SLAB_WORD_SIZE,
			 (uintptr_t)align);
	/* Smallest order wasting at most 1/8 outside the slots (Bonwick),
	 * else the one wasting the smallest fraction. */
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		unsigned long n;
		uintptr_t waste;

		bytes = PAGE_SIZE << o;
		n = layout_objs(bytes, first, end, stride);
		if (n == 0 || n > UINT32_MAX)
			continue;
		waste = bytes - n * stride;
		if (best > MAX_ORDER ||
		    waste * (PAGE_SIZE << best) < best_waste * bytes) {
			best = o;
			best_waste = waste;
		}
		if (waste * 8 <= bytes) {
			best = o;
			break;
		}
	}
	if (best > MAX_ORDER)
		return -EINVAL;
	bytes = PAGE_SIZE << best;
	c->object_size = (uint32_t)size;
	c->align = (uint32_t)align;
	c->size = (uint32_t)stride;
	c->order = best;
	c->slab_bytes = bytes;
	c->slab_mask = ~(bytes - 1);
	c->objs_offset = (uint32_t)first;
	c->objs_per_slab = (uint32_t)layout_objs(bytes, first, end, stride);
	c->colour_step = (uint32_t)MAX(align, (size_t)SLAB_CACHE_LINE_SIZE);
	c->colour_max = (uint32_t)ALIGN_DOWN(
		bytes - first - (c->objs_per_slab - 1) * stride - end,
		(uintptr_t)c->colour_step);
	c->colour_next = 0;
	return 0;
}

/*
 * Set c up and put it on the cache list (slab_caches_lock held: the
 * secret, sequence and slab_debug= settings are read under it). c is not
 * published to anyone else before this returns.
 */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size,
		       size_t align, unsigned int flags, void (*ctor)(void *))
{
	size_t len = strnlen(name, SLAB_NAME_MAX - 1);

	ASSERT(spin_is_held(&slab_caches_lock));
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	spin_lock_init(&c->lock, c->name);
	if (!(flags & SLAB_NO_DEBUG))
		flags |= slab_debug_cache_flags(c->name);
	c->flags = flags;
	c->ctor = ctor;
	c->reserve = SLAB_EMPTY_RESERVE;
	if (cache_layout(c, size, align))
		return -EINVAL;
	c->fp_mult = splitmix64(slab_secret ^ (uintptr_t)c ^
				splitmix64(++slab_cache_seq)) |
		     1;
	for (int i = 0; i < KMEM_NR_SLAB_STATES; i++)
		INIT_LIST_HEAD(&c->lists[i]);
	list_add_tail(&c->caches, &slab_caches);
	return 0;
}

/* The two static caches, on first use (slab_caches_lock held). */
static void slab_init(void)
{
	ASSERT(spin_is_held(&slab_caches_lock));
	if (slab_ready)
		return;
	if (cache_setup(&kmem_cache_boot, "kmem_cache",
			sizeof(struct kmem_cache), 8, SLAB_PERMANENT, NULL))
		panic("slab_init: cannot lay out the cache of caches");
	/* Holds orphaned quarantined slabs; never allocates. */
	memcpy(slab_dead_cache.name, "destroyed", sizeof("destroyed"));
	spin_lock_init(&slab_dead_cache.lock, slab_dead_cache.name);
	slab_dead_cache.flags = SLAB_PERMANENT | SLAB_CONSISTENCY_CHECKS;
	slab_dead_cache.fp_mult = splitmix64(slab_secret ^ 0xdeadULL) | 1;
	for (int i = 0; i < KMEM_NR_SLAB_STATES; i++)
		INIT_LIST_HEAD(&slab_dead_cache.lists[i]);
	list_add_tail(&slab_dead_cache.caches, &slab_caches);
	slab_ready = true;
}

/*
 * The new cache's descriptor comes from kmem_cache_boot with no lock
 * held (that may grow it, and growing may reap, which takes
 * slab_caches_lock); it is set up and listed under slab_caches_lock.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c;
	unsigned long irq;
	int err;

	if (!name || size == 0 || size > KMALLOC_MAX_SIZE ||
	    (align && (!is_power_of_2(align) || align > PAGE_SIZE)))
		return NULL;
	irq = spin_lock_irqsave(&slab_caches_lock);
	slab_init();
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	c = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!c)
		return NULL;
	irq = spin_lock_irqsave(&slab_caches_lock);
	err = cache_setup(c, name, size, align ? align : 8, flags, ctor);
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	if (err) {
		kmem_cache_free(&kmem_cache_boot, c);
		return NULL;
	}
	return c;
}

size_t kmem_cache_size(const struct kmem_cache *c)
{
	return c->object_size;
}

/*
 * Hand the quarantined slabs on `orphans` (unlinked from a dying cache,
 * none of their objects in use) to the dead cache, under its lock.
 */
static void slab_orphan(struct list_head *orphans)
{
	unsigned long irq = spin_lock_irqsave(&slab_dead_cache.lock);

	while (!list_empty(orphans)) {
		struct kmem_slab *s =
			list_first_entry(orphans, struct kmem_slab, list);

		list_del(&s->list);
		s->cache = &slab_dead_cache;
		list_add(&s->list,
			 &slab_dead_cache.lists[KMEM_SLAB_QUARANTINED]);
		slab_dead_cache.nr_slabs[KMEM_SLAB_QUARANTINED]++;
	}
	spin_unlock_irqrestore(&slab_dead_cache.lock, irq);
}

/*
 * The first object of c still in use; with `print`, also list up to
 * SLAB_DESTROY_LIST_MAX of them (with their owners under U). c->lock
 * held.
 */
static uintptr_t live_objects(struct kmem_cache *c, bool print)
{
	unsigned long listed = 0;
	uintptr_t first = 0;
	struct list_head *p;

	ASSERT(spin_is_held(&c->lock));
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++) {
		list_for_each (p, &c->lists[st]) {
			struct kmem_slab *s =
				list_entry(p, struct kmem_slab, list);

			for (unsigned long i = 0; i < c->objs_per_slab; i++) {
				uintptr_t o = obj_at(c, s, i);

				if (*word_of(o) != used_mark(c, o))
					continue;
				if (!first)
					first = o;
				if (print && listed++ < SLAB_DESTROY_LIST_MAX)
					printk("slab: %s: live object %p%s\n",
					       c->name, (void *)o,
					       slab_owner_note(owner_of(c, o)));
			}
		}
	}
	return first;
}

/*
 * Under slab_caches_lock, so that no walker of the list (kmem_reap(),
 * slab_check(), slabinfo) still looks at c when it is freed; c->lock is
 * held while c's slabs are counted, detached and released, and dropped
 * before the orphans go to the dead cache (never two cache locks).
 */
int kmem_cache_destroy(struct kmem_cache *c)
{
	struct list_head orphans = LIST_HEAD_INIT(orphans);
	unsigned long live = 0, norphans, irq_list, irq;
	struct list_head *p, *n;
	uintptr_t first;

	if (!c)
		return 0;
	if (c->flags & SLAB_PERMANENT)
		return -EPERM;
	irq_list = spin_lock_irqsave(&slab_caches_lock);
	irq = spin_lock_irqsave(&c->lock);
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++)
		list_for_each (p, &c->lists[st])
			live += list_entry(p, struct kmem_slab, list)->inuse;
	if (live) {
		first = live_objects(c, false);
		slab_report(SLAB_BUG_DESTROY_BUSY, c->name, (void *)first,
			    (void *)first, NULL, RET_IP, 0,
			    "destroy with %lu live objects; refused", live);
		live_objects(c, true);
		c->bugs++;
		spin_unlock_irqrestore(&c->lock, irq);
		spin_unlock_irqrestore(&slab_caches_lock, irq_list);
		return -EBUSY;
	}
	list_del(&c->caches);
	norphans = c->nr_slabs[KMEM_SLAB_QUARANTINED];
	list_for_each_safe (p, n, &c->lists[KMEM_SLAB_QUARANTINED]) {
		list_del(p);
		list_add_tail(p, &orphans);
	}
	c->nr_slabs[KMEM_SLAB_QUARANTINED] = 0;
	cache_trim(c, 0);
	spin_unlock_irqrestore(&c->lock, irq);
	slab_orphan(&orphans);
	spin_unlock_irqrestore(&slab_caches_lock, irq_list);
	if (norphans)
		printk("slab: %s: destroyed; %lu quarantined slab(s) kept in "
		       "\"destroyed\"\n",
		       c->name, norphans);
	kmem_cache_free(&kmem_cache_boot, c);
	return 0;
}

/* ------------------------------------------------------- configuration */

void slab_set_secret(uint64_t seed)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);

	slab_secret = splitmix64(seed ^ SLAB_DEFAULT_SECRET);
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}
