// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object caches: the slow free path. mm/slab.c states the design, the
 * invariants and the locking; this file is its free half, split off
 * along that seam: kmem_cache_free_slow() (what the inline fast paths of
 * mm/slab.h send here: a full magazine, anything they could not vouch
 * for, misuse), which validates the pointer through its page descriptor
 * before reading anything and then classifies it exactly (wrong cache,
 * not an object start, double free, overwritten mark), and the push of
 * a checked object back on its slab's free list.
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

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
 * Everything the fast path could not vouch for. Called without c->lock;
 * under it, p's slab is looked up afresh and must be c's: a slab of c
 * is released only under c->lock, so it stays c's until the unlock, and
 * its in-use mark decides. Misuse is reported with the lock held. An
 * object that passes goes straight back to its slab (this path is rare:
 * a magazine that stayed full, user data that looked like a link).
 */
static __attribute__((noinline)) void
slab_free_checked(struct kmem_cache *c, void *p, uintptr_t caller)
{
	uintptr_t obj = (uintptr_t)p, off, w;
	struct kmem_slab *s;
	unsigned long irq;
	long idx;

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
	w = word_load(c, obj);
	if (word_inside(c)) {
		/* No mark: free if the word is neither tag nor link. */
		if (link_ok(c, s, w ^ word_key(c, obj)) ||
		    (cpu_cache_is_on(c) && w == cached_mark(c, obj))) {
			slab_report(SLAB_BUG_DOUBLE_FREE, c->name, p, p, s,
				    caller, 0,
				    "double free of %p (slab %p, caller %p)", p,
				    (void *)s, (void *)caller);
			goto refuse;
		}
	} else if (w != used_mark(c, obj)) {
		if (link_ok(c, s, w ^ word_key(c, obj)) ||
		    (cpu_cache_is_on(c) && w == cached_mark(c, obj)))
			slab_report(SLAB_BUG_DOUBLE_FREE, c->name, p, p, s,
				    caller, owner_of(c, obj),
				    "double free of %p (slab %p, caller %p)%s",
				    p, (void *)s, (void *)caller,
				    slab_owner_note(owner_of(c, obj)));
		else
			slab_report(SLAB_BUG_MARK, c->name, word_of(c, obj), p,
				    s, caller, owner_of(c, obj),
				    "in-use mark of %p overwritten (0x%lx at "
				    "%p): write before the object or past the "
				    "one before it; not freed (caller %p)%s",
				    p, (unsigned long)w,
				    (void *)word_of(c, obj), (void *)caller,
				    slab_owner_note(owner_of(c, obj)));
		goto refuse;
	}
	if (cache_is_debug(c) && slab_debug_free_check(c, s, obj, caller))
		goto refuse;
	/*
	 * With magazines on, a fast free on another hart may be swapping
	 * this word right now (a double free racing with this one): claim
	 * the object with one compare-and-swap from the value checked, as
	 * a push would, so that exactly one of the two wins.
	 */
	if (cpu_cache_is_on(c) &&
	    !__atomic_compare_exchange_n((uintptr_t *)word_of(c, obj), &w,
					 cached_mark(c, obj), false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		slab_report(SLAB_BUG_DOUBLE_FREE, c->name, p, p, s, caller, 0,
			    "double free of %p: freed by another hart at the "
			    "same time (caller %p)",
			    p, (void *)caller);
		goto refuse;
	}
	slab_free_object(c, s, obj, caller);
	spin_unlock_irqrestore(&c->lock, irq);
	return;
refuse:
	c->bugs++;
	spin_unlock_irqrestore(&c->lock, irq);
}

/*
 * Called without c->lock (the fast path dropped it). A full magazine is
 * the common case: an empty one is loaded (slab_cpu_make_room()) and
 * the fast push is tried again on the hart's own magazines, checking p
 * as before. While failslab= is armed the fast path saw the stand-in
 * (mm/slab.h, __kmem_cpu_cache()), so the push is tried on the hart's
 * own first. Anything else, and a second failure, goes to
 * slab_free_checked().
 */
void kmem_cache_free_slow(struct kmem_cache *c, void *p, uintptr_t caller)
{
	if (!p) /* the fast path sends NULL here */
		return;
	if (!caller)
		caller = RET_IP;
	if (cpu_cache_is_on(c)) {
		/* (a hart that has not seen a change of the slot yet only
		 * tries once more, or goes on to make room) */
		if (unlikely(__atomic_load_n(&fail_alloc_armed,
					     __ATOMIC_RELAXED) &
			     FAIL_ALLOC_SLAB) &&
		    __kmem_cache_push_on(c, p, true))
			return;
		if (slab_cpu_make_room(c, caller) &&
		    __kmem_cache_push_on(c, p, true))
			return;
	}
	slab_free_checked(c, p, caller);
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
