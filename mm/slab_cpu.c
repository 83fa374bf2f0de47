// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-hart magazines of the object caches: Bonwick and Adams' magazine
 * layer ("Magazines and Vmem", USENIX 2001), with the depot folded into
 * the slab layer. mm/slab.h holds the inline fast paths that use them,
 * mm/slab.c the slabs they are refilled from and flushed to.
 *
 * What it manages
 * ---------------
 * Every cache has one magazine per hart (struct kmem_cpu_cache, four
 * cache lines each, indexed by cpu_id()): a stack of up to c->mag_rounds
 * free objects ("rounds": SLAB_CPU_OBJS, 30, for objects of up to
 * SLAB_MAG_BYTES / SLAB_CPU_OBJS = 546 bytes, fewer for larger ones so
 * that a magazine holds at most SLAB_MAG_BYTES, but at least
 * SLAB_CPU_MIN_OBJS; mm/slab.h). Allocation
 * pops the most recently pushed round, free pushes one, so an object
 * freed on a hart is the next one that hart hands out while its lines
 * are still in the hart's cache (LIFO). An empty magazine is refilled
 * with a batch of c->mag_batch (half the rounds) objects taken from the
 * slabs under c->lock (one lock round trip per batch); a full one gives
 * its mag_batch oldest rounds away (to the depot, below).
 *
 * The depot. A full magazine's mag_batch oldest rounds do not go
 * back to their slabs one at a time: they go, as one batch, to the
 * cache's depot (Bonwick and Adams' depot of full magazines, under
 * c->lock), and an empty magazine is refilled from the depot before the
 * slabs. An exchange with the depot is one copy of mag_batch pointers,
 * straight between the magazine and the depot under c->lock
 * (slab_cpu_flush(), slab_cpu_depot_refill()), plus the move of the
 * newer rounds down after a flush; one with the slabs decodes, checks
 * and relinks each object and may move slabs between lists. Objects in
 * the depot stay as they were in the magazine: counted in use in their
 * slabs, carrying the cached tag (I10), so a second free of one is still
 * a double free. The depot is bounded (depot_max batches: SLAB_DEPOT_MAX, and
 * SLAB_DEPOT_BYTES of objects, so large classes keep few); a batch that
 * finds it full goes to the slabs. Shrink, reap, destroy and
 * slab_shrink_all() empty it with the magazines.
 *
 * Why magazines and a depot rather than Linux's sheaves: the two are the
 * same idea (a per-CPU array exchanged in bulk with a shared layer, the
 * depot or Linux's barn); the depot here holds batches rather than
 * whole magazines, so that a magazine stays inline in the hart's two
 * cache lines (no pointer to follow on the fast paths) and an exchange
 * moves half a magazine, as Bonwick and Adams' "previous" magazine
 * does, leaving the hart with both allocation and free headroom.
 *
 * The word of each object (mm/slab.c) gets a third value:
 *
 *   in a magazine:  ~key ^ SLAB_MARK_CACHED     ("cached tag")
 *
 * The fast free path turns the word into the cached tag with one
 * atomic swap that must find the in-use mark where the word is before
 * the object, or the value it has just read and checked where the word
 * is inside (mm/slab.h, __kmem_cpu_push()); a swap that finds anything
 * else puts it back. A second free of an object that sits in any
 * hart's magazine finds the tag and is reported by the slow path as a
 * double free; of two harts freeing one object at once, exactly one
 * swap finds the mark (the other finds the tag and leaves it). A refill
 * writes the tag before an object enters a magazine, a flush or drain
 * the free-list link (under
 * c->lock) after it leaves; the fast allocation flips the tag into the
 * in-use mark. The coverage is the same as without magazines: every
 * second free is caught while the object has not been handed out
 * again; a free that races with the reallocation of the same object is
 * indistinguishable from a use after free.
 *
 * Invariant I10 (stated with the others in mm/slab.c): an object in a
 * magazine counts as in use in its slab and carries the cached tag; a
 * debug cache's magazines stay empty, so its objects always take the
 * checked slow paths, as Linux bypasses its per-CPU caches under
 * slab_debug.
 *
 * Locking
 * -------
 * None on a magazine: it belongs to its hart. The owner reads and
 * writes it with interrupts off (so an interrupt handler on the same
 * hart cannot interleave), with plain loads and stores, and never keeps
 * a copy of its count across a point where it could wait (a spinlock,
 * whose wait loop may serve a drain: the slow paths take c->lock before
 * loading the count, or after storing it, and wait for nothing in
 * between). Another hart never writes it; it reads the count
 * relaxed for statistics (kmem_cpu_cached(), a snapshot). To empty
 * every hart's magazine of a cache (shrink, reap, destroy,
 * slab_shrink_all()), slab_cpu_drain_all() asks the owners:
 * arch_call_each_cpu() runs drain_fn on each hart, from its IPI
 * handler or a wait loop, at a point where the hart is in none of its
 * magazine paths; drain_fn copies the rounds into that hart's slot of a
 * hand-off buffer and stores a count of 0, taking no lock; then the
 * requester gives the objects back to their slabs under c->lock. The
 * hand-off buffer is one (slab_drain.objs, NR_CPUS x SLAB_CPU_OBJS
 * pointers) under slab_drain.lock, so drains run one at a time; a hart
 * waiting for that lock serves the drain in flight from its spin loop
 * (mm/arch.h states why this cannot deadlock). This is Linux's SLUB
 * flush_all(), which runs the flush on each CPU, without its work
 * queue: the fast paths pay nothing for it.
 *
 * Failure modes: none of its own. A cached tag overwritten while the
 * object sits in a magazine (a use after free) is reported as "in-use
 * mark overwritten" (word before the object) or "use after free" (word
 * inside) when the object leaves the magazine, and the object is kept
 * out of use (its slab quarantined).
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

/* Four whole cache lines per hart: no line shared between harts. */
STATIC_ASSERT(sizeof(struct kmem_cpu_cache) == 4 * SLAB_CACHE_LINE_SIZE);

/*
 * The drain in flight (see "Locking"): the cache, and each hart's
 * rounds copied out by drain_fn. lock serialises drains.
 */
static struct {
	spinlock_t lock;
	struct kmem_cache *c;
	int n[NR_CPUS];
	void *objs[NR_CPUS][SLAB_CPU_OBJS];
} slab_drain = { .lock = SPINLOCK_INIT("slab_drain") };

/* Rounds per magazine for objects of `size` bytes (mm/slab.h): even. */
static uint32_t mag_rounds_for(uint32_t size)
{
	uint32_t n = size ? SLAB_MAG_BYTES / size : SLAB_CPU_OBJS;

	return MIN((uint32_t)SLAB_CPU_OBJS,
		   MAX((uint32_t)SLAB_CPU_MIN_OBJS, n)) &
	       ~1u;
}

void slab_cpu_init(struct kmem_cache *c)
{
	uint32_t rounds;

	c->depot_n = 0;
	c->depot_max = 0;
	c->mag_rounds = mag_rounds_for(c->size);
	c->mag_batch = c->mag_rounds / 2;
	if (cpu_cache_is_on(c) && c->size)
		c->depot_max = (uint32_t)MIN(
			(unsigned long)SLAB_DEPOT_MAX,
			SLAB_DEPOT_BYTES /
				(c->mag_batch * (unsigned long)c->size));

	rounds = cpu_cache_is_on(c) ? c->mag_rounds : 0;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		struct kmem_cpu_cache *pc = &c->cpu[i];

		pc->end = pc->objs + rounds;
		__kmem_cpu_set_top(pc, pc->objs);
	}
}

/*
 * Give objects that left a magazine back to their slabs (c->lock held).
 * Each still carries the cached tag (I10) unless a use after free wrote
 * over it: then it is reported and its slab quarantined.
 */
void slab_cpu_release(struct kmem_cache *c, void *const *objs, unsigned int n,
		      uintptr_t caller)
{
	ASSERT(spin_is_held(&c->lock));
	for (unsigned int i = 0; i < n; i++) {
		uintptr_t obj = (uintptr_t)objs[i], w = word_load(c, obj);
		struct kmem_slab *s = slab_of_obj(c, obj);

		if (w != cached_mark(c, obj)) {
			slab_report(SLAB_BUG_MARK, c->name, word_of(c, obj),
				    (void *)obj, s, caller, 0,
				    "%s: cached tag of free object %p (0x%lx "
				    "at %p) written while in a magazine; slab "
				    "quarantined",
				    word_inside(c) ? "use after free"
						   : "in-use mark overwritten",
				    (void *)obj, (unsigned long)w,
				    (void *)word_of(c, obj));
			slab_quarantine(c, s);
			continue;
		}
		slab_free_object(c, s, obj, caller);
	}
}

/*
 * Copy n object pointers, lowest first (so dst may overlap src from
 * below, as when a magazine's rounds move down). A loop rather than
 * memcpy(): n is at most SLAB_CPU_OBJS, and the call, its frame and
 * its alignment tests would cost as much as the copy; the empty asm
 * keeps GCC from turning the loop back into a memcpy() call, and the
 * loop is unrolled by two (3.5 instructions a pointer instead of 5).
 */
static inline void ptrs_copy(void **dst, void *const *src, unsigned int n)
{
#pragma GCC unroll 2
	for (unsigned int i = 0; i < n; i++) {
		void *v = src[i];

		__asm__("" : "+r"(v));
		dst[i] = v;
	}
}

/*
 * Refill this hart's empty magazine from the depot's newest batch, with
 * one copy straight into the magazine under c->lock (interrupts off: the
 * count is loaded and stored with no wait in between), and return the
 * batch's newest object for the caller, its tag turned into the in-use
 * mark as the fast path does. NULL if the depot is empty or the
 * magazine is bypassed or cannot take the batch (an interrupt handler
 * refilled it meanwhile).
 */
void *slab_cpu_depot_refill(struct kmem_cache *c)
{
	int b = (int)c->mag_batch, n;
	struct kmem_cpu_cache *pc;
	uintptr_t obj = 0;
	unsigned long irq;
	void **batch;

	irq = spin_lock_irqsave(&c->lock);
	pc = __kmem_cpu_cache(c);
	n = __kmem_cpu_take(pc);
	if (c->depot_n && n >= 0 && n + b - 1 <= __kmem_cpu_limit(pc)) {
		__atomic_store_n(&c->depot_n, c->depot_n - 1, __ATOMIC_RELAXED);
		batch = c->depot[c->depot_n];
		ptrs_copy(pc->objs + n, batch, (unsigned int)b - 1);
		__kmem_cpu_put(pc, n + b - 1);
		obj = (uintptr_t)batch[b - 1];
		c->depot_gets++;
	}
	spin_unlock_irqrestore(&c->lock, irq);
	if (obj) /* cached tag -> in-use mark; damage stays damage (I10) */
		word_store(c, obj, word_load(c, obj) ^ SLAB_MARK_CACHED);
	return (void *)obj;
}

/*
 * Make room on this hart's magazine of c if it is full: with room for
 * two batches in the depot, all its rounds go there (two copies under
 * c->lock, straight from the magazine, its newest batch on top); else
 * its mag_batch oldest rounds go to the depot, or back to their slabs
 * when the depot is full, and the newer rounds move down (a second
 * copy). The count is loaded and stored under c->lock
 * with no wait in between; the release to the slabs (which may wait for
 * the buddy allocator's locks) comes after the store. True if room was
 * made; false if the magazine was not full or is bypassed.
 */
bool slab_cpu_flush(struct kmem_cache *c, uintptr_t caller)
{
	void *out[SLAB_CPU_BATCH], **dst = out;
	int b = (int)c->mag_batch, n;
	struct kmem_cpu_cache *pc;
	bool made = false;
	unsigned long irq;

	/* A peek first (harts do not migrate): a bad free whose magazine is
	 * not full takes no lock here. */
	pc = __kmem_cpu_cache(c);
	if (__kmem_cpu_take(pc) != __kmem_cpu_limit(pc))
		return false;
	irq = spin_lock_irqsave(&c->lock);
	n = __kmem_cpu_take(pc);
	/* A full magazine holds two batches: mag_rounds is even. */
	if (n == __kmem_cpu_limit(pc) && c->depot_n + 2 <= c->depot_max) {
		/* Room for the whole magazine: two batches, newest on top,
		 * and nothing to move down. */
		ptrs_copy(c->depot[c->depot_n], pc->objs, (unsigned int)b);
		ptrs_copy(c->depot[c->depot_n + 1], pc->objs + b,
			  (unsigned int)b);
		__kmem_cpu_put(pc, 0);
		__atomic_store_n(&c->depot_n, c->depot_n + 2, __ATOMIC_RELAXED);
		c->depot_puts += 2;
		made = true;
	} else if (n == __kmem_cpu_limit(pc)) { /* never SLAB_CPU_LOCKED */
		if (c->depot_n < c->depot_max)
			dst = c->depot[c->depot_n];
		ptrs_copy(dst, pc->objs, (unsigned int)b);
		ptrs_copy(pc->objs, pc->objs + b, (unsigned int)(n - b));
		__kmem_cpu_put(pc, n - b);
		made = true;
		if (dst != out) {
			__atomic_store_n(&c->depot_n, c->depot_n + 1,
					 __ATOMIC_RELAXED);
			c->depot_puts++;
		} else {
			slab_cpu_release(c, out, (unsigned int)b, caller);
			c->flushes++;
		}
	}
	spin_unlock_irqrestore(&c->lock, irq);
	return made;
}

/* Give every batch in the depot back to the slabs (c->lock held). */
static unsigned long depot_drain(struct kmem_cache *c)
{
	unsigned long n = 0;

	ASSERT(spin_is_held(&c->lock));
	while (c->depot_n) {
		__atomic_store_n(&c->depot_n, c->depot_n - 1, __ATOMIC_RELAXED);
		slab_cpu_release(c, c->depot[c->depot_n], c->mag_batch, RET_IP);
		c->flushes++;
		n += c->mag_batch;
	}
	return n;
}

/*
 * Push refilled objects (already tagged, taken from the slabs) on this
 * hart's magazine: objs[1] is handed out first, then objs[2], ... Those
 * that do not fit (an interrupt handler refilled it meanwhile) go back
 * to their slabs. Called with no lock held; objs[0] is the caller's.
 */
void slab_cpu_refill(struct kmem_cache *c, void *const *objs, unsigned int n,
		     uintptr_t caller)
{
	struct kmem_cpu_cache *pc;
	unsigned long irq, lirq;
	unsigned int k;
	int have;

	if (n <= 1)
		return;
	irq = cpu_irq_save();
	pc = __kmem_cpu_cache(c);
	have = __kmem_cpu_take(pc);
	if (have == SLAB_CPU_LOCKED) /* bypassed: nothing is cached */
		k = 0;
	else
		k = MIN((unsigned int)(__kmem_cpu_limit(pc) - have), n - 1);
	for (unsigned int i = k; i >= 1; i--)
		pc->objs[have++] = objs[i];
	if (k)
		__kmem_cpu_put(pc, have);
	cpu_irq_restore(irq);
	if (k + 1 < n) {
		lirq = spin_lock_irqsave(&c->lock);
		slab_cpu_release(c, objs + k + 1, n - k - 1, caller);
		c->flushes++;
		spin_unlock_irqrestore(&c->lock, lirq);
	}
}

/*
 * Run on each hart by arch_call_each_cpu() (interrupts off, in none of
 * its magazine paths): hand this hart's rounds of slab_drain.c over.
 * Takes no lock.
 */
static void drain_fn(void *arg)
{
	struct kmem_cpu_cache *pc = __kmem_cpu_cache(slab_drain.c);
	unsigned int me = cpu_id();
	int n = __kmem_cpu_take(pc);

	(void)arg;
	slab_drain.n[me] = 0;
	if (n <= 0) /* empty, or bypassed */
		return;
	memcpy(slab_drain.objs[me], pc->objs, (size_t)n * sizeof(void *));
	slab_drain.n[me] = (int)n;
	__kmem_cpu_put(pc, 0);
}

unsigned long slab_cpu_drain_all(struct kmem_cache *c)
{
	unsigned long n = 0, irq, dirq;
	bool any = false;

	if (!cpu_cache_is_on(c))
		return 0;
	/* Nothing cached anywhere (a relaxed peek): bother no hart. */
	for (unsigned int cpu = 0; cpu < NR_CPUS && !any; cpu++)
		any = __atomic_load_n(&c->cpu[cpu].top, __ATOMIC_RELAXED) !=
		      c->cpu[cpu].objs;
	if (any) {
		dirq = spin_lock_irqsave(&slab_drain.lock);
		slab_drain.c = c;
		arch_call_each_cpu(drain_fn, NULL);
		irq = spin_lock_irqsave(&c->lock);
		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
			if (slab_drain.n[cpu] <= 0)
				continue;
			slab_cpu_release(c, slab_drain.objs[cpu],
					 (unsigned int)slab_drain.n[cpu],
					 RET_IP);
			c->flushes++;
			n += (unsigned long)slab_drain.n[cpu];
			slab_drain.n[cpu] = 0;
		}
		spin_unlock_irqrestore(&c->lock, irq);
		slab_drain.c = NULL;
		spin_unlock_irqrestore(&slab_drain.lock, dirq);
	}
	if (__atomic_load_n(&c->depot_n, __ATOMIC_RELAXED)) {
		irq = spin_lock_irqsave(&c->lock);
		n += depot_drain(c);
		spin_unlock_irqrestore(&c->lock, irq);
	}
	return n;
}

unsigned long kmem_cpu_cached(struct kmem_cache *c)
{
	unsigned long n = 0;

	if (!cpu_cache_is_on(c))
		return 0;
	n = (unsigned long)__atomic_load_n(&c->depot_n, __ATOMIC_RELAXED) *
	    c->mag_batch;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cpu_cache *pc = &c->cpu[cpu];

		n += (unsigned long)(__atomic_load_n(&pc->top,
						     __ATOMIC_RELAXED) -
				     pc->objs);
	}
	return n;
}
