// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-hart magazines of the object caches: Bonwick and Adams' magazine
 * layer ("Magazines and Vmem", USENIX 2001), with its depot and its
 * exchange of whole magazines by pointer. mm/slab.h holds the inline
 * fast paths that use them, mm/slab.c the slabs they are filled from
 * and emptied to, mm/slab_cpu_check.c their checker.
 *
 * What it manages
 * ---------------
 * A magazine is a stack of up to c->mag_rounds free objects ("rounds":
 * SLAB_CPU_OBJS, 30, for objects of up to SLAB_MAG_BYTES /
 * SLAB_CPU_OBJS = 546 bytes, fewer for larger ones, at least
 * SLAB_CPU_MIN_OBJS; mm/slab.h). It is an object of its own, of
 * SLAB_MAG_SIZE (256) bytes aligned to 256, from the internal cache
 * "kmem_magazine" (no magazines, no debugging, permanent):
 *
 *   magazine (256-aligned)
 *   +---------+---------+-- ... --+-----------------+-------+------+
 *   | round 0 | round 1 |         | round rounds-1  |unused | link |
 *   +---------+---------+-- ... --+-----------------+-------+------+
 *   0         8                                      ...    248
 *
 * Each hart has, per cache, a loaded magazine and a previous one
 * (struct kmem_cpu_cache, one cache line: top, end, prev, prev_n). The
 * fast paths pop from and push to the loaded one: allocation pops the
 * most recently pushed round, so an object freed on a hart is the next
 * one that hart hands out while its lines are still in the hart's cache
 * (LIFO). The loaded magazine is top rounded down to 256 and its count
 * top's low bits / 8, so the allocation's empty test is one test of
 * top's low bits and the free's full test one compare with end.
 *
 * The exchanges are Bonwick and Adams', all pointer operations:
 *   - allocation from an empty loaded magazine: if the previous one is
 *     full, swap the two (no lock); else, under c->lock, take a full
 *     magazine from the depot and give the empty one to the depot's
 *     empty list; else fill the loaded one with mag_batch objects from
 *     the slabs (mm/slab.c, slab_alloc_batch()), one lock round trip;
 *   - free into a full loaded magazine: if the previous one is empty,
 *     swap the two (no lock); else, under c->lock, the full previous one
 *     goes to the depot's full list, the loaded one becomes the previous
 *     one and an empty magazine is loaded: from the depot's empty list,
 *     or a new one allocated with no lock held. When the depot holds
 *     depot_max full magazines, or no empty magazine can be had, the
 *     previous one's rounds go back to their slabs instead and it is
 *     loaded, empty (one lock round trip for mag_rounds frees). A hart
 *     with no magazines at all that cannot get two sends the object
 *     back to its slab (the checked path).
 * A hart alternating between allocations and frees around a magazine
 * boundary swaps its two magazines and never touches the depot: the
 * previous magazine is the hysteresis that a single magazine lacks.
 *
 * The depot (under c->lock) holds whole magazines on two lists linked
 * through their last word, full ones (the newest first) and empty ones,
 * at most depot_max together (SLAB_DEPOT_MAX, and SLAB_DEPOT_BYTES of
 * objects in full ones, so large classes keep few). The bound on the
 * empty ones needs no check of its own: a new magazine is allocated
 * only when the empty list is empty and the full one is below
 * depot_max, and every other exchange trades one magazine for another,
 * so a burst of frees that filled the depot leaves exactly as many
 * empty magazines as it is allocated again, which the next burst of
 * frees reuses instead of allocating any (a depot of 32 costs 8 KiB of
 * magazines a cache at most). Objects in the depot stay
 * as they were in the magazine: counted in use in their slabs, carrying
 * the cached tag (I10), so a second free of one is still a double free.
 *
 * Magazines exist only for harts that use a cache: a hart has none
 * (top == end == slab_no_magazine, a static empty array, and prev ==
 * NULL) until its first slow path on the cache, which allocates two
 * with interrupts on and no lock held, and after a drain, which gives
 * them back. Debug caches (and SLAB_NO_CPU_CACHE ones, and the dead
 * cache) keep every hart in that state for good: their objects always
 * take the checked slow paths (I10), as Linux bypasses its per-CPU
 * caches under slab_debug. A struct kmem_cache thus holds one line per
 * hart (4 KiB at NR_CPUS 64) where inline magazines took 16 KiB, and
 * one more: c->cpu[0], in that state for good too, which the fast paths
 * of every hart use in place of their own while failslab= is armed
 * (mm/slab.h, __kmem_cpu_cache()), so that every allocation reaches the
 * injection's decision in kmem_cache_alloc_slow() and the inline path
 * tests no armed word. The slow paths always work on the hart's own
 * (kmem_cpu_of(c, cpu_id())), which may hold rounds while it is armed.
 *
 * Why whole magazines rather than batches copied under the lock (this
 * file's previous design) or Linux's sheaves: the exchange with the
 * depot costs a few pointer stores whatever the magazine size, and
 * half of the exchanges (those with the previous magazine) take no
 * lock at all. Linux's sheaves and barn are the same idea.
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
 * hart's magazine or in the depot finds the tag and is reported by the
 * slow path as a double free; of two harts freeing one object at once,
 * exactly one swap finds the mark (the other finds the tag and leaves
 * it). A refill writes the tag before an object enters a magazine, a
 * release to the slabs the free-list link (under c->lock) after it
 * leaves; the allocation flips the tag into the in-use mark. Every
 * second free is caught while the object has not been handed out
 * again; a free that races with the reallocation of the same object is
 * indistinguishable from a use after free.
 *
 * Invariants (with I10 in mm/slab.c):
 *   M1 a hart's top and end point into one magazine (top & ~255 ==
 *      (end - 1) & ~255) holding end - mag == c->mag_rounds rounds, or
 *      both are slab_no_magazine and prev is NULL, prev_n 0; the
 *      stand-in c->cpu[0], which is no hart's, is always the latter;
 *   M2 prev_n is 0 or c->mag_rounds, the rounds at prev[0..prev_n);
 *   M3 every magazine of a cache is a hart's loaded or previous one, or
 *      on exactly one depot list; depot_n (depot_empty_n) counts the
 *      full (empty) list, depot_n + depot_empty_n <= depot_max.
 *
 * Locking
 * -------
 * None on a hart's magazines: they belong to the hart. The owner reads
 * and writes them with interrupts off (so an interrupt handler on the
 * same hart cannot interleave), with plain loads and stores, and never
 * keeps a copy of top, end or prev across a point where it could wait
 * (a spinlock, whose wait loop may serve a drain that takes the
 * magazines away: the slow paths take c->lock before loading them, or
 * after storing them, and wait for nothing in between; a release to the
 * slabs under c->lock, which may wait, works on a copy of the rounds).
 * Another hart never writes them; it reads top and prev_n relaxed for
 * statistics (kmem_cpu_cached(), a snapshot). To empty every hart's
 * magazines of a cache (shrink, reap, destroy, slab_shrink_all()),
 * slab_cpu_drain_all() asks the owners: arch_call_each_cpu() runs
 * drain_fn on each hart, from its IPI handler or a wait loop, at a
 * point where the hart is in none of its magazine paths; drain_fn hands
 * the hart's two magazine pointers and counts over in its slot of
 * slab_drain (four words, nothing copied) and leaves the hart with no
 * magazines, taking no lock; then the requester gives the rounds back
 * to their slabs under c->lock, with the depot's, and the magazines
 * themselves to kmem_magazine_cache after dropping it (no two cache
 * locks held). Drains run one at a time, under slab_drain.lock; a hart
 * waiting for that lock serves the drain in flight from its spin loop
 * (mm/arch.h states why this cannot deadlock). This is Linux's SLUB
 * flush_all(), which runs the flush on each CPU, without its work
 * queue: the fast paths pay nothing for it.
 *
 * Magazines are allocated and freed with no cache lock held (lock
 * order: none; kmem_magazine_cache's lock is taken alone). Its caller
 * may hold other locks: kmem_slab_cache, whose objects are freed under
 * another cache's lock, therefore has no magazines.
 *
 * Failure modes: a magazine that cannot be allocated leaves the hart
 * as it was: a hart with no magazines takes the allocation's object
 * from the slabs (one, not a batch: there is nowhere to keep the rest)
 * and gives a freed one back to its slab through the checked path; a
 * hart with two full ones gives the previous one's rounds back to
 * their slabs, as when the depot is full. Nothing is lost.
 *
 * Back-off. Out of memory, every slow path of every cache on every hart
 * would ask for a magazine, and a failing attempt costs up to four
 * failing page allocations (two tries of slab_grow()) and lock round
 * trips of kmem_magazine, about 3,000 instructions, ten checked frees;
 * retried on each free, it made selftest=oom four times slower. Two
 * things make failures rare: kmem_magazine's slabs are one page, and
 * it keeps one empty slab even through slab_shrink_all() (15
 * magazines; mm/slab_cache.c), so a hart drained out of memory gets
 * its magazines back without a page. When one fails all the same, it
 * sets mag_short, one global read-mostly word (all magazines come from
 * one cache, and running out of memory is a global condition: one
 * failure stands for every cache and hart), and while it is set no
 * hart asks again until memory may be back:
 *   - a slab of any cache goes back to the buddy allocator, or a
 *     magazine goes back to kmem_magazine (a drain: shrink, reap,
 *     destroy, slab_shrink_all(); a spare): slab_release() and
 *     slab_moved() (mm/slab.c) call slab_cpu_backoff_end(), which
 *     clears mag_short, and the next slow path tries again;
 *   - memory freed elsewhere (free_pages(), vfree()) or an injected
 *     failure that stopped is seen by no event here, so each hart also
 *     retries on its own after SLAB_MAG_RETRY skipped attempts (a
 *     countdown in its own line of mag_backoff[]): out of memory that
 *     is one failing attempt per SLAB_MAG_RETRY slow paths, about 4 %
 *     more on the checked path's cost.
 * A successful allocation clears mag_short too. This is a generation of
 * "no magazine until memory comes back" rather than a timed retry
 * (there is no clock in mm/) or a comparison of the buddy allocator's
 * free count (which takes every zone's lock to read). The fast paths
 * read none of it: only mag_alloc() does. mag_short and the countdowns
 * are hints, read and written with relaxed atomics: a lost update costs
 * one attempt more or fewer, never an object.
 *
 * Magazines are the allocator's own, not its callers': they are
 * allocated through slab_alloc_unhooked(), past the failslab= hook
 * of kmem_cache_alloc() (as Linux's should_failslab()
 * spares its own kmem_cache cache), so failslab counts and fails only
 * callers' allocations; the page under a new magazine slab still comes
 * from alloc_pages(), where fail_page_alloc= applies.
 *
 * A cached tag overwritten while the object sits in a magazine (a use
 * after free) is reported as "in-use mark overwritten" (word before the
 * object) or "use after free" (word inside) when the object leaves the
 * magazine for its slab, and the object is kept out of use (its slab
 * quarantined).
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

/* One whole cache line per hart: no line shared between harts. */
STATIC_ASSERT(sizeof(struct kmem_cpu_cache) == SLAB_CACHE_LINE_SIZE);
/* The rounds and the link fit a magazine. */
STATIC_ASSERT(SLAB_CPU_OBJS < SLAB_MAG_SIZE / sizeof(void *));
STATIC_ASSERT(2 * SLAB_CPU_BATCH <= SLAB_CPU_OBJS);

/*
 * Where the harts with no magazine point (M1): empty to the allocation
 * (top's low bits are 0) and full to the free (top == end). Nothing is
 * ever stored in it.
 */
void *slab_no_magazine[SLAB_MAG_SIZE / sizeof(void *)]
	__attribute__((aligned(SLAB_MAG_SIZE)));

/* The magazines' cache, set up by slab_init() (mm/slab_cache.c). */
struct kmem_cache kmem_magazine_cache;

/*
 * The back-off (see "Back-off"): mag_short is set while magazine
 * allocations fail; each hart's countdown of attempts it skips before
 * it tries again anyway. Relaxed hints; each hart writes only its own
 * line of mag_backoff[] (an interrupt handler on it may race with it:
 * a lost update is one attempt more or fewer).
 */
static unsigned int mag_short;
static struct {
	unsigned int skip;
} __attribute__((aligned(SLAB_CACHE_LINE_SIZE))) mag_backoff[NR_CPUS];
STATIC_ASSERT(sizeof(mag_backoff[0]) == SLAB_CACHE_LINE_SIZE);

/*
 * The drain in flight (see "Locking"): the cache, and each hart's two
 * magazines and their counts, handed over by drain_fn. lock serialises
 * drains.
 */
static struct {
	spinlock_t lock;
	struct kmem_cache *c;
	void **mag[NR_CPUS][2];
	unsigned int n[NR_CPUS][2];
} slab_drain = { .lock = SPINLOCK_INIT("slab_drain") };

/* Rounds per magazine for objects of `size` bytes (mm/slab.h): even. */
static uint32_t mag_rounds_for(uint32_t size)
{
	uint32_t n = size ? SLAB_MAG_BYTES / size : SLAB_CPU_OBJS;

	return MIN((uint32_t)SLAB_CPU_OBJS,
		   MAX((uint32_t)SLAB_CPU_MIN_OBJS, n)) &
	       ~1u;
}

/* Leave a hart with no magazines (M1): owner, or before c is used. */
static void cpu_set_none(struct kmem_cpu_cache *pc)
{
	pc->end = slab_no_magazine;
	__kmem_cpu_set_top(pc, slab_no_magazine);
	pc->prev = NULL;
	__atomic_store_n(&pc->prev_n, 0, __ATOMIC_RELAXED);
}

void slab_cpu_init(struct kmem_cache *c)
{
	c->depot_full = NULL;
	c->depot_empty = NULL;
	c->depot_n = 0;
	c->depot_empty_n = 0;
	c->depot_max = 0;
	c->mag_rounds = mag_rounds_for(c->size);
	c->mag_batch = c->mag_rounds / 2;
	if (cpu_cache_is_on(c) && c->size)
		c->depot_max = (uint32_t)MIN(
			(unsigned long)SLAB_DEPOT_MAX,
			SLAB_DEPOT_BYTES /
				(c->mag_rounds * (unsigned long)c->size));
	for (unsigned int i = 0; i < ARRAY_SIZE(c->cpu); i++)
		cpu_set_none(&c->cpu[i]);
}

/* Push magazine m on a depot (or local) list. */
static inline void mag_push(void ***list, void **m)
{
	m[SLAB_MAG_LINK] = (void *)*list;
	*list = m;
}

static inline void **mag_pop(void ***list)
{
	void **m = *list;

	*list = (void **)m[SLAB_MAG_LINK];
	return m;
}

/* A magazine may be had again: the next allocation is tried at once. */
void slab_cpu_backoff_end(void)
{
	/* a load first: the word stays read-mostly while nothing failed */
	if (unlikely(__atomic_load_n(&mag_short, __ATOMIC_RELAXED)))
		__atomic_store_n(&mag_short, 0, __ATOMIC_RELAXED);
}

/*
 * A magazine allocation failed: back off (see "Back-off"). Called after
 * the caller has given back what it got, so that a magazine it frees
 * does not end the back-off at once.
 */
static void mag_backoff_start(void)
{
	__atomic_store_n(&mag_backoff[cpu_id()].skip, SLAB_MAG_RETRY,
			 __ATOMIC_RELAXED);
	if (!__atomic_load_n(&mag_short, __ATOMIC_RELAXED))
		__atomic_store_n(&mag_short, 1, __ATOMIC_RELAXED);
}

/*
 * A new, empty magazine, or NULL: also, without trying, while backing
 * off (mag_short set and this hart's countdown not run out). No lock
 * held. Past the failslab= hook (see "Back-off"). Never by reclaim: a
 * magazine only saves time, and reclaiming memory for one would drain
 * every cache's magazines (slab_grow() skips kmem_reap() for
 * kmem_magazine_cache, and the page allocator drains no other hart's
 * lists without __GFP_RECLAIM). Out of memory, the harts simply run
 * without magazines. A NULL that was a real failure is followed by
 * mag_backoff_start() once the caller has given back what it holds.
 */
static void **mag_alloc(gfp_t gfp, bool *failed)
{
	void **m;

	*failed = false;
	if (unlikely(__atomic_load_n(&mag_short, __ATOMIC_RELAXED))) {
		unsigned int *skip = &mag_backoff[cpu_id()].skip;
		unsigned int n = __atomic_load_n(skip, __ATOMIC_RELAXED);

		if (n) {
			__atomic_store_n(skip, n - 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	m = slab_alloc_unhooked(&kmem_magazine_cache,
				(gfp & __GFP_HIGH) | __GFP_NOWARN, 0);
	if (m)
		slab_cpu_backoff_end();
	else
		*failed = true;
	return m;
}

/* Free every magazine on a local list. No cache lock held. */
static void mag_free_list(void **list)
{
	while (list)
		kmem_cache_free(&kmem_magazine_cache, mag_pop(&list));
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
 * Make m, holding n of its rounds, this hart's loaded magazine (M1;
 * interrupts off): its top past the newest, its end after the last
 * round it can hold.
 */
static void cpu_load(struct kmem_cpu_cache *pc, void **m, unsigned int rounds,
		     unsigned int n)
{
	pc->end = m + rounds;
	__kmem_cpu_set_top(pc, m + n);
}

/*
 * Give this hart two empty magazines if it has none (M1): both are
 * allocated first, with no lock held and interrupts as the caller had
 * them, then installed with interrupts off if the hart still has none
 * (an interrupt handler may have been first; then they are freed).
 * False if memory is short.
 */
static bool cpu_attach(struct kmem_cache *c, gfp_t gfp)
{
	struct kmem_cpu_cache *pc;
	unsigned long irq;
	bool failed;
	void **a, **b;

	a = mag_alloc(gfp, &failed);
	b = a ? mag_alloc(gfp, &failed) : NULL;
	if (!b) {
		if (a)
			kmem_cache_free(&kmem_magazine_cache, a);
		if (failed)
			mag_backoff_start();
		return false;
	}
	irq = cpu_irq_save();
	pc = kmem_cpu_of(c, cpu_id());
	if (__kmem_cpu_top(pc) == slab_no_magazine) {
		pc->prev = b;
		__atomic_store_n(&pc->prev_n, 0, __ATOMIC_RELAXED);
		cpu_load(pc, a, c->mag_rounds, 0);
		a = b = NULL;
	}
	cpu_irq_restore(irq);
	if (a) {
		kmem_cache_free(&kmem_magazine_cache, a);
		kmem_cache_free(&kmem_magazine_cache, b);
	}
	return true;
}

/* The object popped for the caller: cached tag -> in-use mark (I10). */
static void *cpu_hand_out(struct kmem_cache *c, void *obj)
{
	uintptr_t o = (uintptr_t)obj;

	/* damage stays damage */
	word_store(c, o, word_load(c, o) ^ SLAB_MARK_CACHED);
	return obj;
}

void *slab_cpu_alloc(struct kmem_cache *c, gfp_t gfp)
{
	void **top, **m;
	unsigned int rounds = c->mag_rounds;
	struct kmem_cpu_cache *pc;
	bool attached = false;
	unsigned long irq;
	void *obj = NULL;

	/* A peek (harts do not migrate; an interrupt handler may change
	 * them, and the slabs are right then too): the commonest way here
	 * when a cache grows takes no interrupt mask. */
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	if (!__kmem_mag_count(top) &&
	    !__atomic_load_n(&pc->prev_n, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&c->depot_n, __ATOMIC_RELAXED) &&
	    top != slab_no_magazine)
		return NULL;
again:
	irq = cpu_irq_save();
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	if (top == slab_no_magazine) {
		cpu_irq_restore(irq);
		if (attached || !cpu_attach(c, gfp))
			return NULL;
		attached = true;
		goto again;
	}
	if (__kmem_mag_count(top)) {
		/* An interrupt handler refilled it meanwhile. */
		obj = top[-1];
		__kmem_cpu_set_top(pc, top - 1);
		cpu_irq_restore(irq);
		return cpu_hand_out(c, obj);
	}
	if (pc->prev_n) {
		/* The previous magazine is full: swap, no lock (M2). */
		m = pc->prev;
		pc->prev = __kmem_mag_of(top);
		__atomic_store_n(&pc->prev_n, 0, __ATOMIC_RELAXED);
		cpu_load(pc, m, rounds, rounds - 1);
		obj = m[rounds - 1];
		cpu_irq_restore(irq);
		return cpu_hand_out(c, obj);
	}
	cpu_irq_restore(irq);
	if (!__atomic_load_n(&c->depot_n, __ATOMIC_RELAXED))
		return NULL;

	/* A full magazine from the depot for the empty loaded one. */
	irq = spin_lock_irqsave(&c->lock);
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	if (c->depot_full && top != slab_no_magazine &&
	    !__kmem_mag_count(top)) {
		m = mag_pop(&c->depot_full);
		__atomic_store_n(&c->depot_n, c->depot_n - 1, __ATOMIC_RELAXED);
		c->depot_gets++;
		/* One full out, one empty in: the bound holds (M3). */
		mag_push(&c->depot_empty, top);
		c->depot_empty_n++;
		cpu_load(pc, m, rounds, rounds - 1);
		obj = m[rounds - 1];
	}
	spin_unlock_irqrestore(&c->lock, irq);
	return obj ? cpu_hand_out(c, obj) : NULL;
}

bool slab_cpu_make_room(struct kmem_cache *c, uintptr_t caller)
{
	void **top, **m, **spare = NULL;
	unsigned int rounds = c->mag_rounds;
	void *out[SLAB_CPU_OBJS];
	bool no_spare = false, made = false;
	struct kmem_cpu_cache *pc;
	unsigned long irq;

again:
	irq = cpu_irq_save();
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	if (top == slab_no_magazine) {
		cpu_irq_restore(irq);
		if (!cpu_attach(c, GFP_KERNEL))
			goto free_spare;
		goto done; /* two empty magazines: room */
	}
	if (top != pc->end) { /* not full: p was refused for itself */
		cpu_irq_restore(irq);
		goto free_spare;
	}
	if (!pc->prev_n) {
		/* The previous magazine is empty: swap, no lock (M2). */
		m = pc->prev;
		pc->prev = __kmem_mag_of(top);
		__atomic_store_n(&pc->prev_n, rounds, __ATOMIC_RELAXED);
		cpu_load(pc, m, rounds, 0);
		cpu_irq_restore(irq);
		goto done;
	}
	cpu_irq_restore(irq);

	/* Both full: the previous one leaves, to the depot or the slabs. */
	irq = spin_lock_irqsave(&c->lock);
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	if (top == slab_no_magazine || top != pc->end || !pc->prev_n) {
		/* A drain or an interrupt handler changed them: again. */
		spin_unlock_irqrestore(&c->lock, irq);
		goto again;
	}
	m = NULL;
	if (c->depot_n < c->depot_max) {
		if (c->depot_empty) {
			m = mag_pop(&c->depot_empty);
			c->depot_empty_n--;
		} else if (spare) {
			m = spare;
			spare = NULL;
		} else if (!no_spare) {
			bool failed;

			spin_unlock_irqrestore(&c->lock, irq);
			spare = mag_alloc(GFP_KERNEL, &failed);
			if (!spare) {
				if (failed)
					mag_backoff_start();
				no_spare = true;
			}
			goto again;
		}
	}
	if (m) {
		mag_push(&c->depot_full, pc->prev);
		__atomic_store_n(&c->depot_n, c->depot_n + 1, __ATOMIC_RELAXED);
		c->depot_puts++;
		pc->prev = __kmem_mag_of(top);
		cpu_load(pc, m, rounds, 0);
	} else {
		/* Depot full, or no empty magazine to be had: the previous
		 * magazine's rounds go back to their slabs, from a copy
		 * (the release may wait, and a drain served meanwhile takes
		 * the magazines away). */
		m = pc->prev;
		for (unsigned int i = 0; i < rounds; i++)
			out[i] = m[i];
		pc->prev = __kmem_mag_of(top);
		cpu_load(pc, m, rounds, 0);
		slab_cpu_release(c, out, rounds, caller);
		c->flushes++;
	}
	/* A spare allocated while the depot changed: kept if it fits. */
	if (spare && c->depot_n + c->depot_empty_n < c->depot_max) {
		mag_push(&c->depot_empty, spare);
		c->depot_empty_n++;
		spare = NULL;
	}
	spin_unlock_irqrestore(&c->lock, irq);
done:
	made = true;
free_spare:
	if (spare)
		kmem_cache_free(&kmem_magazine_cache, spare);
	return made;
}

unsigned int slab_cpu_batch(struct kmem_cache *c)
{
	struct kmem_cpu_cache *pc = kmem_cpu_of(c, cpu_id());
	void **top = __kmem_cpu_top(pc);

	if (!cpu_cache_is_on(c) || top == slab_no_magazine)
		return 1;
	return MIN(c->mag_batch, (unsigned int)(pc->end - top) + 1);
}

/*
 * Push refilled objects (already tagged, taken from the slabs) on this
 * hart's loaded magazine: objs[1] is handed out first, then objs[2],
 * ... Those that do not fit (an interrupt handler refilled it
 * meanwhile, or a drain took the magazines away) go back to their
 * slabs. Called with no lock held; objs[0] is the caller's.
 */
void slab_cpu_refill(struct kmem_cache *c, void *const *objs, unsigned int n,
		     uintptr_t caller)
{
	struct kmem_cpu_cache *pc;
	unsigned long irq, lirq;
	unsigned int k;
	void **top;

	if (n <= 1)
		return;
	irq = cpu_irq_save();
	pc = kmem_cpu_of(c, cpu_id());
	top = __kmem_cpu_top(pc);
	/* slab_no_magazine has no room: top == end */
	k = MIN((unsigned int)(pc->end - top), n - 1);
	for (unsigned int i = k; i >= 1; i--)
		*top++ = objs[i];
	if (k)
		__kmem_cpu_set_top(pc, top);
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
 * its magazine paths): hand this hart's magazines of slab_drain.c over
 * and leave it with none. Takes no lock.
 */
static void drain_fn(void *arg)
{
	unsigned int me = cpu_id();
	struct kmem_cpu_cache *pc = kmem_cpu_of(slab_drain.c, me);
	void **top = __kmem_cpu_top(pc);

	(void)arg;
	slab_drain.mag[me][0] = slab_drain.mag[me][1] = NULL;
	if (top == slab_no_magazine)
		return;
	slab_drain.mag[me][0] = __kmem_mag_of(top);
	slab_drain.n[me][0] = __kmem_mag_count(top);
	slab_drain.mag[me][1] = pc->prev;
	slab_drain.n[me][1] = (unsigned int)pc->prev_n;
	cpu_set_none(pc);
}

/* Release the rounds of magazine m and put it on *list (c->lock held). */
static unsigned long mag_retire(struct kmem_cache *c, void **m, unsigned int n,
				void ***list)
{
	if (n) {
		slab_cpu_release(c, m, n, RET_IP);
		c->flushes++;
	}
	mag_push(list, m);
	return n;
}

unsigned long slab_cpu_drain_all(struct kmem_cache *c)
{
	unsigned long n = 0, irq, dirq;
	void **list = NULL;
	bool any = false;

	if (!cpu_cache_is_on(c))
		return 0;
	/* No hart has magazines (a relaxed peek): bother no hart. */
	for (unsigned int cpu = 0; cpu < NR_CPUS && !any; cpu++)
		any = __atomic_load_n(&kmem_cpu_of(c, cpu)->top,
				      __ATOMIC_RELAXED) != slab_no_magazine;
	if (any) {
		dirq = spin_lock_irqsave(&slab_drain.lock);
		slab_drain.c = c;
		arch_call_each_cpu(drain_fn, NULL);
		irq = spin_lock_irqsave(&c->lock);
		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
			for (int k = 0; k < 2; k++) {
				if (!slab_drain.mag[cpu][k])
					continue;
				n += mag_retire(c, slab_drain.mag[cpu][k],
						slab_drain.n[cpu][k], &list);
				slab_drain.mag[cpu][k] = NULL;
			}
		}
		spin_unlock_irqrestore(&c->lock, irq);
		slab_drain.c = NULL;
		spin_unlock_irqrestore(&slab_drain.lock, dirq);
	}
	irq = spin_lock_irqsave(&c->lock);
	while (c->depot_full) {
		__atomic_store_n(&c->depot_n, c->depot_n - 1, __ATOMIC_RELAXED);
		n += mag_retire(c, mag_pop(&c->depot_full), c->mag_rounds,
				&list);
	}
	while (c->depot_empty) {
		mag_retire(c, mag_pop(&c->depot_empty), 0, &list);
		c->depot_empty_n--;
	}
	spin_unlock_irqrestore(&c->lock, irq);
	mag_free_list(list);
	return n;
}
