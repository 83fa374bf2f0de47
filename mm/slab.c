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
 * order is the smallest of at most 3 (32 KiB) that leaves at most 1/32
 * of the slab outside any object slot, else the smallest leaving at
 * most 1/8 (Bonwick's bound; mm/slab.h, SLAB_TAIL_FRACTION); a 2 KiB
 * object gets one page holding two objects, or, in a cache with a
 * constructor (whose slots also hold the 8-byte word), a 4-page slab
 * of 7 (both pinned by a host test in mm/tests/test_slab.c).
 * Every slab is full, partial or empty and sits on the cache's list for
 * that state; a fourth list holds quarantined slabs (below). Allocation
 * takes the first partial slab, then an empty one, and only then makes a
 * new slab. A cache keeps at most `reserve` empty slabs (one, like
 * Linux's min_partial: a lone allocation and free never reach the buddy
 * allocator): a free that empties a slab beyond it gives the oldest
 * empty slab back at once (slab_moved()), and kmem_cache_shrink() and
 * memory pressure (kmem_reap(), called when the buddy allocator fails)
 * trim any that two growths at once left over; only slab_shrink_all(),
 * the last resort before an allocation fails, gives back the reserves
 * too (all but kmem_magazine's one page: mm/slab_cache.c). Free
 * objects held in magazines and the depot keep their slabs in use
 * until a shrink, reap or slab_shrink_all() drains them.
 *
 * In front of the slabs, each hart has two magazines of up to
 * c->mag_rounds free objects per cache, exchanged whole with a depot
 * (mm/slab_cpu.c): the inline fast paths pop and push on the loaded
 * one, and only when both are empty and the depot has no full one does
 * an allocation come here, to take a batch of c->mag_batch objects
 * under c->lock.
 * Shrink, reap, destroy and slab_shrink_all() drain every hart's
 * magazines first, so objects cached on any hart count as free for
 * them.
 *
 * A slab, with its descriptor at the start of its first page, like
 * Bonwick's small-object slabs (here with the word before each object,
 * as in a cache with a constructor):
 *
 *   base = page_address(head), aligned to slab_bytes if slab_mask
 *   +--------+-----+--------+---------------+--------+-- ... --+-------+
 *   | struct |word0| obj 0  | tail 0 |word1 | obj 1  |         |unused |
 *   | slab   |     |        |        |      |        |         |       |
 *   +--------+-----+--------+---------------+--------+-- ... --+-------+
 *   |<- objs_offset + colour ->|<--- size (stride) --->|
 *
 *   one slot:  word (8, if before) | object (object_size) | red zone (Z)
 *              | track (U: alloc and free caller) | pad to align
 *
 * Caches whose slot is at least PAGE_SIZE / 8 and whose word is inside
 * the object keep the descriptor off the slab, in an object of the
 * internal cache "kmem_slab" (SLAB_OFF_SLAB, Bonwick's large-object
 * slabs), so that a 512-byte class fits 8 objects a page and a 4 KiB
 * one a whole page each; their objects find it through page->slab.
 *
 * The colour (Bonwick's cache colouring) shifts the objects of each new
 * slab by one more cache line, within the otherwise unused space, so
 * that objects of different slabs do not all compete for the same lines.
 * Colours are multiples of the alignment, so colouring never breaks it.
 *
 * The word of each object says whether the object is free. Where it
 * lies depends on the cache (word_back):
 *   - caches without a constructor or debug flags: the object's own
 *     first 8 bytes (word_back 0), as SLUB keeps its free pointer
 *     inside the free object. A slot is then exactly the object, so
 *     kmalloc's power-of-two classes are naturally aligned and waste
 *     nothing beside their objects;
 *   - caches with a constructor: the 8 bytes before the object, so that
 *     constructed state survives a free;
 *   - debug caches (slab_debug=F, Z, P or U): before the object too, so
 *     that poisoning covers the whole object and the in-use mark stays
 *     checkable.
 *
 *   free:    next ^ key       next: the following free object, or NULL
 *   in use:  ~key             (~key ^ SLAB_MARK_DEBUG in debug caches)
 *            (word inside: written at allocation, then the caller's)
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
 * before it is followed; the slab is then quarantined. Where the word
 * is before the object, the in-use mark makes the always-on double-free
 * check one compare, and also refuses pointers into the middle of an
 * object and objects of another cache (whose key differs) before
 * anything is written. An object in a magazine carries a third value,
 * the cached tag ~key ^ SLAB_MARK_CACHED (mm/slab_cpu.c): the fast free
 * swaps the mark for the tag with one atomic swap that must find the
 * mark (anything else is put back), so a second free of an object that
 * sits in any hart's magazine finds the tag and is reported here.
 *
 * Where the word is inside, an object in use carries no mark once its
 * caller writes it, so each of the mark's jobs is done another way, on
 * every free (always on, as SLUB's freelist and object-start checks):
 *   - which slab and cache: the slab is found by masking p when slabs
 *     are one page holding their descriptor (p's own page: safe to
 *     read for any pointer the caller could use), else through p's
 *     page descriptor (PG_slab, page->slab); its descriptor must name
 *     c and carry KMEM_SLAB_MAGIC;
 *   - an object start: p - objs below objs_span and divisible by the
 *     stride, tested with one multiply (d * div_magic < div_magic,
 *     Lemire's divisibility test) instead of a division;
 *   - a double free: the word of a free object is its cached tag or a
 *     link that decodes to NULL or into the slab. The fast free sends
 *     those (and, with a 2^-48 chance, user data that decodes near the
 *     slab) to the slow path, which tells them apart exactly and
 *     reports or frees. The swap of the tag for the value read (it
 *     must find that value) still lets exactly one of two harts
 *     freeing one object win.
 *   - the live objects (destroy with objects in use, the checker): the
 *     objects not on the free list (slab_obj_in_use(), a walk).
 * An object in use thus shows its mark until written: a pointer never
 * written and freed twice is still caught at the second free (the
 * first left the tag or a link), and a write after free into a
 * magazine's object is reported when the object leaves the magazine.
 *
 * Fast paths (inline in mm/slab.h) and how debugging stays off them: a
 * debug cache (any of F Z P U) has no magazines, for good (I10),
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
 *   I4  where the word is before the object, every object not on the
 *       free list carries the in-use mark of its cache or the cached
 *       tag (quarantined slabs excepted); where it is inside, I3's
 *       count is the whole check.
 *   I5  active is the first partial slab of a cache without debug
 *       flags, and NULL for a cache with them.
 *   I6  a slab is the 2^order-page buddy block it starts (the first
 *       2^order pages of the block under a policy other than binary),
 *       aligned to slab_bytes when slab_mask is not 0, with its
 *       descriptor at base unless SLAB_OFF_SLAB; each of its pages has
 *       PG_slab and page->slab == the descriptor, which has
 *       KMEM_SLAB_MAGIC, its cache, and objs == base + objs_offset +
 *       colour with colour <= colour_max.
 *   I7  (Z) the red zone of an object in use is all SLAB_RED_ACTIVE, of
 *       a free object all SLAB_RED_INACTIVE (mm/slab_debug.c checks it).
 *   I8  (P, caches without a constructor) a free object holds
 *       SLAB_POISON_FREE bytes ending in SLAB_POISON_END.
 *   I9  every cache is on the cache list exactly once.
 *   I10 an object in a hart's magazine or the depot (mm/slab_cpu.c) is
 *       counted in its slab's inuse, is on no free list and carries the
 *       cached tag; a debug cache's (and the dead cache's, and
 *       SLAB_NO_CPU_CACHE ones') harts have no magazines for good, so
 *       their objects always take the checked slow paths. mm/slab_cpu.c
 *       states the magazines' own invariants, M1..M3.
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
 *   slab_drain.lock   one drain of every hart's magazines of a cache
 *                     at a time (mm/slab_cpu.c): the hand-off buffer.
 *
 *   A magazine (mm/slab_cpu.c) has no lock: it belongs to its hart,
 *   which uses it with interrupts off; other harts ask the owner to
 *   empty it (arch_call_each_cpu()).
 *
 *   Lock order:  slab_caches_lock -> slab_drain.lock -> c->lock
 *                -> kmem_slab_cache.lock -> buddy's zone locks
 *                -> printk_lock
 *
 *   kmem_slab_cache (the descriptors of SLAB_OFF_SLAB caches) is the
 *   one cache whose lock is taken under another's: slab_release() frees
 *   a descriptor under c->lock. It is a leaf: its own slabs hold their
 *   descriptors, so nothing under its lock takes another cache's.
 *   kmem_reap() and slab_shrink_all() shrink it last, after the other
 *   caches gave their descriptors back.
 *
 * The buddy allocator's locks are its own business, but slab_release()
 * frees pages under c->lock, so the buddy allocator must not call into
 * this file (kmem_reap() included) while it holds one. Apart from the
 * leaf kmem_slab_cache.lock above, no code holds two cache locks at once
 * (one cache's lock while taking another's would be an ABBA deadlock
 * with a hart doing the opposite):
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
 * ordered by c->lock or by the magazine's acquire and release. Without
 * locks: a cache's geometry, flags, fp_mult, ctor
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
struct kmem_cache kmem_slab_cache; /* descriptors off the slab */

/* ------------------------------------------------------------ helpers */

/* The slab holding p, through its page descriptor, or NULL (I6). */
struct kmem_slab *slab_lookup(const void *p)
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

/*
 * After a free made s empty or no longer full (c->lock held). An empty
 * slab beyond c's reserve goes back to the buddy allocator at once (the
 * oldest empty one, not s), as Linux's SLUB discards an empty slab
 * beyond min_partial: empty slabs stay bounded without a reaper.
 */
void slab_moved(struct kmem_cache *c, struct kmem_slab *s)
{
	ASSERT(spin_is_held(&c->lock));
	if (c == &kmem_magazine_cache)
		slab_cpu_backoff_end(); /* a magazine to be had again */
	if (s->state == KMEM_SLAB_QUARANTINED) {
		s->freelist = NULL; /* the free just marked the object */
	} else if (s->inuse == 0) {
		slab_set_state(c, s, KMEM_SLAB_EMPTY);
		if (c->nr_slabs[KMEM_SLAB_EMPTY] > c->reserve)
			slab_cache_trim(c, c->reserve);
	} else if (s->state == KMEM_SLAB_FULL) {
		slab_set_state(c, s, KMEM_SLAB_PARTIAL);
	}
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
	struct kmem_slab *s = NULL;
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
	if (c->flags & SLAB_OFF_SLAB) {
		/* kmem_slab_cache is on-slab: this does not recurse. */
		s = kmem_cache_alloc(
			&kmem_slab_cache,
			gfp & (__GFP_HIGH | __GFP_RECLAIM | __GFP_NOWARN));
		if (!s) {
			*irq = spin_lock_irqsave(&c->lock);
			return NULL;
		}
	}
	page = alloc_pages(pgfp | __GFP_NOWARN, c->order);
	/*
	 * Magazines and surplus empty slabs first, then everything; not
	 * in an interrupt handler, which is atomic (it takes its own
	 * hart's cached pages only, in alloc_pages), nor for a magazine,
	 * which would drain the magazines it is meant to hold.
	 */
	if (!page && !cpu_in_irq() && c != &kmem_magazine_cache) {
		kmem_reap();
		page = alloc_pages(pgfp | __GFP_NOWARN, c->order);
		if (!page)
			slab_shrink_all();
	}
	if (!page) {
		page = alloc_pages(pgfp | (gfp & __GFP_NOWARN), c->order);
		if (!page) {
			if (c->flags & SLAB_OFF_SLAB)
				kmem_cache_free(&kmem_slab_cache, s);
			*irq = spin_lock_irqsave(&c->lock);
			return NULL;
		}
	}
	base = (uintptr_t)page_address(page);
	if (c->slab_mask && !IS_ALIGNED(base, c->slab_bytes))
		panic("slab_grow: %s: slab at %p not aligned to its size 0x%lx "
		      "(linear map not congruent?)",
		      c->name, (void *)base, (unsigned long)c->slab_bytes);
	if (!(c->flags & SLAB_OFF_SLAB))
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
	slab_cpu_backoff_end(); /* a page for a magazine */
	/* Lock order: c->lock -> kmem_slab_cache.lock, a leaf. */
	if (c->flags & SLAB_OFF_SLAB)
		kmem_cache_free(&kmem_slab_cache, s);
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

/*
 * Drain every hart's magazine of c, then trim to `keep` empty slabs.
 * Returns the pages released meanwhile: slabs the drain emptied beyond
 * the reserve went back at once (slab_moved()), so count releases.
 */
static unsigned long cache_shrink(struct kmem_cache *c, unsigned long keep)
{
	unsigned long irq, rel0;

	irq = spin_lock_irqsave(&c->lock);
	rel0 = c->releases;
	spin_unlock_irqrestore(&c->lock, irq);
	slab_cpu_drain_all(c);
	irq = spin_lock_irqsave(&c->lock);
	slab_cache_trim(c, keep);
	rel0 = c->releases - rel0;
	spin_unlock_irqrestore(&c->lock, irq);
	return rel0 * buddy_order_pages(c->order);
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

		if (c != &kmem_slab_cache && c != &kmem_magazine_cache)
			pages += cache_shrink(c, all ? 0 : c->reserve);
	}
	/* Last: the caches above gave their magazines and the slabs
	 * released above their descriptors back. kmem_magazine keeps its
	 * reserve even now (mm/slab_cache.c, slab_init()). */
	if (kmem_magazine_cache.name[0])
		pages += cache_shrink(&kmem_magazine_cache,
				      kmem_magazine_cache.reserve);
	if (kmem_slab_cache.name[0])
		pages += cache_shrink(&kmem_slab_cache,
				      all ? 0 : kmem_slab_cache.reserve);
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

		slab_report(SLAB_BUG_FREEPTR, c->name, word_of(c, obj),
			    (void *)obj, s, caller, 0,
			    "free pointer corrupted: link of free object %p "
			    "(at %p) decodes to %p, %s; slab quarantined",
			    (void *)obj, (void *)word_of(c, obj), (void *)next,
			    inside ? "not at an object boundary"
				   : "outside the slab");
		goto quarantine;
	}
	if (cache_is_debug(c) && slab_debug_alloc(c, s, obj, caller))
		goto quarantine;
	word_store(c, obj, used_mark(c, obj));
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
	word_store(c, obj, cached_mark(c, obj));
	s->freelist = (void *)next;
	s->inuse++;
	if (!next)
		slab_set_state(c, s, KMEM_SLAB_FULL);
	return obj;
}

/*
 * A batch from the slabs (slab_alloc_unhooked() found no full
 * magazine): everything is looked at afresh under c->lock. slab_grow()
 * drops and retakes it; when it fails after draining every magazine
 * (slab_shrink_all()), the lists are searched once more, as the drain
 * may have given c's own cached objects back. A hart with a loaded
 * magazine takes a batch (slab_cpu_batch()): the first object is the
 * caller's, the others refill the magazine; one without (a debug cache,
 * or no magazine could be allocated) takes the caller's object only.
 */
static __attribute__((noinline)) void *
slab_alloc_batch(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	struct list_head *partial = &c->lists[KMEM_SLAB_PARTIAL];
	struct list_head *empty = &c->lists[KMEM_SLAB_EMPTY];
	unsigned int tries = 0, n = 1, want;
	void *batch[SLAB_CPU_BATCH];
	bool regrown = false;
	struct kmem_slab *s;
	uintptr_t obj = 0;
	unsigned long irq;

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
	want = slab_cpu_batch(c); /* 1: nowhere to keep more */
	if (want > 1) {
		while (n < want &&
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

/*
 * Called with no lock held (the fast path released its magazine): the
 * previous magazine or a full one from the depot first (pointer
 * exchanges, no slab touched; mm/slab_cpu.c), else slab_alloc_batch().
 * The common case stays in this small function, with no stack frame
 * for the batch. Past the failslab= hook: the allocator's own magazines
 * come here directly (mm/slab_cpu.c, mag_alloc()).
 */
static inline __attribute__((always_inline)) void *
alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	void *obj;

	if (cpu_cache_is_on(c) && (obj = slab_cpu_alloc(c, gfp))) {
		if (gfp & __GFP_ZERO)
			memset(obj, 0, c->object_size);
		return obj;
	}
	return slab_alloc_batch(c, gfp, caller);
}

void *slab_alloc_unhooked(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	return alloc_slow(c, gfp, caller ? caller : RET_IP);
}

/*
 * The inline allocation's way out, also the way in for every allocation
 * while failslab= is armed (all magazines look empty then,
 * __kmem_cpu_cache()): the injection's decision first. caller 0 is
 * this function's return address, which is the call site when the fast
 * path was inlined there.
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	if (!caller)
		caller = RET_IP;
	if (unlikely(__atomic_load_n(&fail_alloc_armed, __ATOMIC_RELAXED) &
		     FAIL_ALLOC_SLAB) &&
	    should_failslab(c->object_size, gfp))
		return NULL;
	return alloc_slow(c, gfp, caller);
}
