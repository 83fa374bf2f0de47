// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object caches: Bonwick's slab allocator ("The Slab Allocator: An
 * Object-Caching Kernel Memory Allocator", 1994), with Linux's names.
 * This file holds caches and slabs, the slow allocation and free paths,
 * growing, shrinking, reaping and destroying; mm/slab_cpu.c the per-hart
 * magazines in front of the slabs (Bonwick and Adams, 2001) that the
 * inline fast paths of mm/slab.h use; mm/slab_debug.c the debugging
 * options, the report path, the checker and slabinfo;
 * mm/slab_internal.h what they share.
 *
 * What it manages
 * ---------------
 * A cache (struct kmem_cache) hands out objects of one size. Its memory
 * comes in slabs: blocks of 2^order pages from the buddy allocator. The
 * order is the smallest that leaves at most 1/8 of the slab outside any
 * object slot (Bonwick's bound); a 2 KiB object gets a 4-page slab of
 * 7 objects (each slot is 2 KiB and the 8-byte word; pinned by a host
 * test in mm/tests/test_slab.c).
 * Every slab is full, partial or empty and sits on the cache's list for
 * that state; a fourth list holds quarantined slabs (below). Allocation
 * takes the first partial slab, then an empty one, and only then makes a
 * new slab. Empty slabs stay cached until kmem_cache_shrink() or memory
 * pressure (kmem_reap(), called when the buddy allocator fails) gives
 * back all but `reserve` of them (one, like Linux's min_partial: a lone
 * allocation and free never reach the buddy allocator); only
 * slab_shrink_all(), the last resort before an allocation fails, gives
 * back the reserves too.
 *
 * In front of the slabs, each hart has a magazine of up to
 * SLAB_CPU_OBJS free objects per cache (mm/slab_cpu.c): the inline fast
 * paths pop and push there, and only an empty or full magazine comes
 * here, to move a batch of SLAB_CPU_BATCH objects under c->lock.
 * Shrink, reap, destroy and slab_shrink_all() drain every hart's
 * magazines first, so objects cached on any hart count as free for
 * them.
 *
 * A slab (descriptor at the start of its first page, like Bonwick's
 * small-object slabs):
 *
 *   base = page_address(head), aligned to slab_bytes if slab_mask
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
 * (whose key differs) before anything is written. An object in a
 * magazine carries a third value, the cached tag ~key ^
 * SLAB_MARK_CACHED (mm/slab_cpu.c): the fast free swaps the mark for
 * the tag with one compare-and-swap, so a second free of an object that
 * sits in any hart's magazine fails the swap and is reported here.
 *
 * Fast paths (inline in mm/slab.h) and how debugging stays off them: a
 * debug cache (any of F Z P U) has its magazines held for good (I10),
 * so its allocations always come here, and its in-use mark differs from
 * ~key, so its frees fail the fast path's swap and come here too (as
 * Linux bypasses its per-CPU caches under slab_debug). The fast paths
 * therefore test no flags at all. The slow paths do every check
 * exactly, through the page descriptors, and call the slab_debug_*()
 * hooks (mm/slab_debug.c) for debug caches only. Before the fast free
 * reads the word before p, p must be 8-byte aligned with that word on
 * its own page; anything else is validated here through its page first
 * (so the start of a vmalloc area, after a guard page, is reported, not
 * faulted on).
 *
 * Objects leaving a magazine find their slab with slab_of_obj(): by
 * masking their address with slab_mask when the slab is aligned to its
 * size (a slab of one page; any slab under the binary buddy policy, whose
 * blocks are aligned physically, and the linear map keeps that: it is
 * congruent modulo 1 GiB, see mm/layout.h), else through the page
 * descriptor, as every other lookup does. slab_grow() panics if a slab
 * that should be aligned is not (I6). Only
 * objects that entered the magazine through a successful swap of this
 * cache's in-use mark (which shows, but for a 2^-64 chance, that they
 * are this cache's objects in use) or through a refill are masked.
 *
 * Invariants (the one list; kmem_cache_validate() and slab_check() cite
 * them)
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
 *   I6  a slab is the 2^order-page buddy block it starts (the first
 *       2^order pages of the block under a policy other than binary),
 *       aligned to slab_bytes when slab_mask is not 0; each of its pages has PG_slab and page->slab == the
 *       slab; the descriptor has KMEM_SLAB_MAGIC, its cache, and objs ==
 *       base + objs_offset + colour with colour <= colour_max.
 *   I7  (Z) the red zone of an object in use is all SLAB_RED_ACTIVE, of
 *       a free object all SLAB_RED_INACTIVE (mm/slab_debug.c checks it).
 *   I8  (P, caches without a constructor) a free object holds
 *       SLAB_POISON_FREE bytes ending in SLAB_POISON_END.
 *   I9  every cache is on the cache list exactly once.
 *   I10 an object in a hart's magazine (mm/slab_cpu.c) is counted in its
 *       slab's inuse, is on no free list and carries the cached tag; a
 *       debug cache's (and the dead cache's) magazines are empty and
 *       held for good, so their objects always take the checked slow
 *       paths.
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
 *                     debug options (I7, I8). Taken once per magazine
 *                     batch, never by the inline fast paths.
 *   magazine          one per hart and cache (mm/slab_cpu.c): its count
 *                     exchanged with SLAB_CPU_LOCKED. A leaf: nothing is
 *                     locked while one is held, so it is outside the
 *                     order below, and c->lock may be held while one is
 *                     taken (never the other way round).
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
 * The fast paths release the magazine before calling a slow path; the
 * slow path takes what it needs again and checks everything afresh,
 * trusting nothing the fast path saw. The word before an object is
 * read and written with relaxed atomics: a fast free on another hart
 * may swap it with no lock (a double free); everything else about it is
 * ordered by c->lock or by the magazine's acquire and release. Without locks: a cache's geometry, flags, fp_mult, ctor
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
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"
#include "mm/trace.h"

#define SLAB_ALLOC_TRIES 8 /* slabs one allocation may quarantine */

/* Protected by slab_caches_lock. */
DEFINE_SPINLOCK(slab_caches_lock);
struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);

/* Set up by slab_init(); then each is guarded by its own lock. */
struct kmem_cache slab_dead_cache; /* orphans of destroyed caches */

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
	trace_slab_state(c->name, s, s->state, state);
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
static void slab_moved(struct kmem_cache *c, struct kmem_slab *s)
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
	/*
	 * Magazines and surplus empty slabs first, then everything; not
	 * in an interrupt handler, which is atomic (it takes its own
	 * hart's cached pages only, in alloc_pages).
	 */
	if (!page && !cpu_in_irq()) {
		kmem_reap();
		page = alloc_pages(pgfp | __GFP_NOWARN, c->order);
		if (!page)
			slab_shrink_all();
	}
	if (!page) {
		page = alloc_pages(pgfp | (gfp & __GFP_NOWARN), c->order);
		if (!page) {
			*irq = spin_lock_irqsave(&c->lock);
			return NULL;
		}
	}
	base = (uintptr_t)page_address(page);
	if (c->slab_mask && !IS_ALIGNED(base, c->slab_bytes))
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
	trace_slab_grow(c->name, s, c->order, c->objs_per_slab);
	return s;
}

/* Unlink s and give its pages back (c->lock held; buddy's nest in it). */
static unsigned long slab_release(struct kmem_cache *c, struct kmem_slab *s)
{
	struct page *page = s->page;
	unsigned long n = 1UL << c->order;

	ASSERT(spin_is_held(&c->lock));
	trace_slab_release(c->name, s, c->order);
	list_del(&s->list);
	c->nr_slabs[s->state]--;
	s->magic = 0;
	for (unsigned long i = 0; i < n; i++) {
		page_flags_clear(&page[i], PG_slab);
		page[i].private = 0;
	}
	__free_pages(page, c->order);
	c->releases++;
	return buddy_order_pages(c->order); /* the block, not just 2^order */
}

/* Release empty slabs beyond `keep`; returns pages. */
unsigned long slab_cache_trim(struct kmem_cache *c, unsigned long keep)
{
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	unsigned long pages = 0;

	ASSERT(spin_is_held(&c->lock));
	while (c->nr_slabs[KMEM_SLAB_EMPTY] > keep)
		pages += slab_release(
			c, list_entry(empty->prev, struct kmem_slab, list));
	return pages;
}

/* Drain every hart's magazine of c, then trim to `keep` empty slabs. */
static unsigned long cache_shrink(struct kmem_cache *c, unsigned long keep)
{
	unsigned long irq, pages;

	slab_cpu_drain_all(c);
	irq = spin_lock_irqsave(&c->lock);
	pages = slab_cache_trim(c, keep);
	spin_unlock_irqrestore(&c->lock, irq);
	return pages;
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	return cache_shrink(c, c->reserve);
}

/* Takes slab_caches_lock, then each cache's lock in turn (never two). */
static unsigned long reap(bool all)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p;
	unsigned long pages = 0;

	list_for_each (p, &slab_caches) {
		struct kmem_cache *c = list_entry(p, struct kmem_cache, caches);

		pages += cache_shrink(c, all ? 0 : c->reserve);
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return pages;
}

unsigned long kmem_reap(void)
{
	return reap(false);
}

unsigned long slab_shrink_all(void)
{
	return reap(true);
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
	word_store(obj, used_mark(c, obj));
	s->freelist = (void *)next;
	s->inuse++;
	return obj;
quarantine:
	slab_quarantine(c, s);
	return 0;
}

/*
 * One more object of c for a magazine refill, from a partial or empty
 * slab but never a new one; 0 if there is none or it is damaged (then
 * the slab is quarantined and the refill stops). Tagged "cached" (I10).
 */
static uintptr_t slab_take_cached(struct kmem_cache *c, uintptr_t caller)
{
	struct list_head *partial = &c->lists[KMEM_SLAB_PARTIAL];
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	struct kmem_slab *s;
	uintptr_t obj, next;

	ASSERT(spin_is_held(&c->lock));
	if (!list_empty(partial)) {
		s = list_first_entry(partial, struct kmem_slab, list);
	} else if (!list_empty(empty)) {
		s = list_first_entry(empty, struct kmem_slab, list);
		slab_set_state(c, s, KMEM_SLAB_PARTIAL);
	} else {
		return 0;
	}
	/* The head was checked when it became the head (I3): only its
	 * link is; a bad one goes to slab_take(), which reports it. */
	obj = (uintptr_t)s->freelist;
	next = link_decode(c, obj);
	if (unlikely(!link_ok(c, s, next))) {
		slab_take(c, s, caller);
		return 0;
	}
	word_store(obj, cached_mark(c, obj));
	s->freelist = (void *)next;
	s->inuse++;
	if (!next)
		slab_set_state(c, s, KMEM_SLAB_FULL);
	return obj;
}

/*
 * Called with no lock held (the fast path released its magazine);
 * everything is looked at afresh under c->lock. slab_grow() drops and
 * retakes it; when it fails after draining every magazine
 * (slab_shrink_all()), the lists are searched once more, as the drain
 * may have given c's own cached objects back. Caches with magazines
 * take a batch: the first object is the caller's, the others refill
 * this hart's magazine.
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	struct list_head *partial = &c->lists[KMEM_SLAB_PARTIAL];
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	unsigned int tries = 0, n = 1;
	void *batch[SLAB_CPU_BATCH];
	bool regrown = false;
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
			if (!list_empty(empty)) {
				s = list_first_entry(empty, struct kmem_slab,
						     list);
			} else if (!(s = slab_grow(c, gfp, &irq))) {
				if (regrown)
					goto fail;
				regrown = true;
				continue;
			}
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
	batch[0] = (void *)obj;
	if (cpu_cache_is_on(c)) {
		while (n < SLAB_CPU_BATCH &&
		       (batch[n] = (void *)slab_take_cached(c, caller)))
			n++;
		c->refills++;
	}
	spin_unlock_irqrestore(&c->lock, irq);
	slab_cpu_refill(c, batch, n, caller);
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
		slab_moved(c, s);
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
	unsigned int nflush = 0;
	void *flush[SLAB_CPU_BATCH];
	struct kmem_slab *s;
	unsigned long irq;
	long idx;

	if (!p) /* the fast path sends NULL here */
		return;
	if (!caller)
		caller = RET_IP;
	/* A full magazine: flush its oldest rounds, then push p on it. The
	 * word is read only if it lies on p's page (I6 makes that safe for
	 * a slab object; anything else is validated below first). */
	if (cpu_cache_is_on(c) && !(obj & (SLAB_WORD_SIZE - 1)) &&
	    !(((obj - SLAB_WORD_SIZE) ^ obj) >> PAGE_SHIFT) &&
	    slab_cpu_free(c, p, flush, &nflush)) {
		if (nflush) {
			irq = spin_lock_irqsave(&c->lock);
			slab_cpu_release(c, flush, nflush, caller);
			c->flushes++;
			spin_unlock_irqrestore(&c->lock, irq);
		}
		return;
	}
	irq = spin_lock_irqsave(&c->lock);
	if (nflush) {
		slab_cpu_release(c, flush, nflush, caller);
		c->flushes++;
	}
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
	w = word_load(obj);
	if (w != used_mark(c, obj)) {
		if (link_ok(c, s, w ^ word_key(c, obj)) ||
		    (cpu_cache_is_on(c) && w == cached_mark(c, obj)))
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
	slab_free_object(c, s, obj, caller);
	spin_unlock_irqrestore(&c->lock, irq);
	return;
refuse:
	c->bugs++;
	spin_unlock_irqrestore(&c->lock, irq);
}

void slab_free_object(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		      uintptr_t caller)
{
	ASSERT(spin_is_held(&c->lock));
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
}

size_t kmem_obj_size(const void *p)
{
	struct kmem_slab *s = slab_lookup(p);

	if (!s || s->cache == &slab_dead_cache ||
	    !is_obj_start(s->cache, s, (uintptr_t)p))
		return 0;
	return s->cache->object_size;
}
