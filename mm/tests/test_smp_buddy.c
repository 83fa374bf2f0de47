// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency tests of mm/buddy.c, and of the spinlock under it: POSIX
 * threads stand in for harts (lib/tests/host_cpu.c gives each its own
 * cpu_id()). The Makefile builds this file twice, with ASan and UBSan
 * (BUILD/host/mm/tests/test_smp_buddy) and with ThreadSanitizer
 * (BUILD/tsan/mm/tests/test_smp_buddy); under TSan a run must end with
 * no report at all, so every access the allocator makes to shared state
 * must be ordered by a zone lock or be atomic (mm/buddy.c, "Locking").
 *
 * Fake physical memory, one set-up for the whole binary:
 *
 *   0xfc800000                  0x100000000         0x100800000
 *   [ DMA32: 56 MiB, 14336 pages )[ NORMAL: 8 MiB, 2048 pages )
 *                                          descriptors (512 KiB) ^
 *
 * so GFP_KERNEL prefers the small NORMAL zone and falls back to DMA32
 * when NORMAL has no block of the order, which happens often under the
 * storm, and GFP_DMA32 must never get a page at or above 4 GiB.
 *
 * Workers act like the owners of blocks do in the kernel: they write
 * the pages, set owner flags (PG_tail on the other pages of a block,
 * PG_vmalloc on some heads) with atomic read-modify-writes, clear the
 * tails' flags before the free, and may hand a block to another worker
 * (through an array of atomic pointers) to free.
 *
 * Host threads, unlike harts, are preempted, and a ticket lock hands
 * the lock to the waiter whose ticket is next even when the scheduler
 * has preempted it: every later waiter then spins until it runs again.
 * On a busy host (several test binaries at once) that turns into one
 * scheduler round per hand-over: 4 threads on 2 CPUs took over 120 s
 * for what 2 threads do in 0.07 s, and gating the threads to one per
 * CPU still left runs of 40 to 100 s. So before each call that takes a
 * lock, a thread waits until the lock looks free, spinning briefly and
 * then yielding (polite_wait()); it queues on the lock itself only for
 * the moment it takes to get it. The allocator still runs on all the
 * threads at once (the counter cases print how often a thread found the
 * lock held: on a host loaded to several runnable threads per CPU that
 * can be 0, the threads then interleave rather than overlap, which TSan
 * judges alike). Workers start together at a barrier and yield every so
 * often, so that they interleave even when the host gives this process
 * less than a CPU each. The double-free race threads take the lock
 * without waiting first: a real race, one lock call per round.
 *
 * Sizes, the same under TSan: the storm is 4 threads and 1,000,000
 * allocations and frees; the double-free race 2,000 rounds of 2 threads
 * and 500 rounds of 4; the lock counter 1,000,000 increments with 4 and
 * with 8 threads. On a 2-CPU host at load average 12 the binary takes
 * about 6 to 10 s under TSan and under 1 s with ASan.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/tests/host_arch.h"
#include "mm/tests/host_smp.h"

#define PHYS_BASE 0xfc800000UL
#define PHYS_SIZE (64UL << 20)
#define PFN_4G ((pfn_t)(SZ_4G >> PAGE_SHIFT))

#define MAX_THREADS 8

#define STORM_THREADS 4
#define STORM_OPS 1000000UL /* allocations + frees, all workers */
#define STORM_SLOTS 48 /* blocks a worker holds at most */
#define STORM_EXCH 128 /* hand-over slots shared by the workers */
#define STORM_BATCH 1024 /* operations between yields */
#define STORM_CHECK_EVERY 50000 /* worker 0: buddy_check() period */

#define DRAIN_BATCH 64 /* allocations between yields */

#define RACE_ROUNDS_2 2000
#define RACE_ROUNDS_4 500

#define COUNTER_TOTAL 1000000UL
#define COUNTER_BATCH 256

/* ------------------------------------------------------ threads */

/*
 * Wait until l is free, spinning a little and then yielding, before a
 * call that takes it (see the top of the file): a thread waiting here
 * holds no ticket, so being preempted here stalls nobody. Returns
 * whether it found l held (another thread really was inside).
 */
static bool polite_wait(const spinlock_t *l)
{
	unsigned int spins = 0;

	while (spin_is_locked(l))
		if (++spins % 64)
			cpu_relax();
		else
			sched_yield();
	return spins != 0;
}

/* Both zone locks: an allocation may fall back from one to the other. */
static void polite_wait_zones(void)
{
	polite_wait(&buddy.zones[ZONE_NORMAL].lock);
	polite_wait(&buddy.zones[ZONE_DMA32].lock);
}

static void start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	if (pthread_create(th, NULL, fn, arg)) {
		fprintf(stderr, "test_smp_buddy: pthread_create failed\n");
		abort();
	}
}

/* ---------------------------------------------------------- bug hook */

/* The bug hook runs with no allocator lock held, maybe on many threads. */
static unsigned long hook_calls;
static unsigned long hook_double_frees;

static void bug_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	__atomic_fetch_add(&hook_calls, 1, __ATOMIC_RELAXED);
	if (bug == BUDDY_BUG_DOUBLE_FREE)
		__atomic_fetch_add(&hook_double_frees, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------ block contents */

/*
 * A worker's block carries its tag in page->private (the owner's field
 * while allocated): allocating worker + 1, a sequence number, the order.
 * The first and last word of every page hold a stamp derived from it.
 */
#define TAG_ORDER(tag) ((unsigned int)((tag)&0xff))
#define TAG_WORKER(tag) ((unsigned int)((tag) >> 56) - 1)

static uint64_t make_tag(unsigned int worker, uint64_t seq, unsigned int order)
{
	return ((uint64_t)(worker + 1) << 56) |
	       ((seq & 0xffffffffffffULL) << 8) | order;
}

static uint64_t stamp(uint64_t tag, unsigned long i)
{
	return tag ^ (i * 0x9e3779b97f4a7c15ULL);
}

static uint64_t *page_word(struct page *p, unsigned long i, bool last)
{
	return (uint64_t *)((char *)page_address(p) + i * PAGE_SIZE +
			    (last ? PAGE_SIZE - 8 : 0));
}

/* True when every page's first and last words are zero. */
static bool block_zero(struct page *p, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (*page_word(p, i, false) || *page_word(p, i, true))
			return false;
	return true;
}

/* Take ownership: tag, stamps, owner flags (as slab or vmalloc would). */
static void block_own(struct page *p, uint64_t tag)
{
	unsigned int order = TAG_ORDER(tag);

	p->private = tag;
	for (unsigned long i = 0; i < (1UL << order); i++) {
		*page_word(p, i, false) = stamp(tag, i);
		*page_word(p, i, true) = ~stamp(tag, i);
		if (i)
			__atomic_fetch_or(&p[i].flags, PG_tail,
					  __ATOMIC_RELAXED);
	}
	if (tag & 0x100)
		__atomic_fetch_or(&p->flags, PG_vmalloc, __ATOMIC_RELAXED);
}

/* True when the block is still exactly as its owner left it. */
static bool block_intact(struct page *p)
{
	uint64_t tag = p->private;
	unsigned int order = TAG_ORDER(tag);

	if ((buddy_page_flags(p) & BUDDY_PG_STATE) != PG_head ||
	    p->order != order || order > MAX_ORDER)
		return false;
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (*page_word(p, i, false) != stamp(tag, i) ||
		    *page_word(p, i, true) != ~stamp(tag, i))
			return false;
	return true;
}

/* Give the block back: clear the tails' owner flags, then free it. */
static void block_release(struct page *p)
{
	unsigned int order = TAG_ORDER(p->private);

	for (unsigned long i = 1; i < (1UL << order); i++)
		__atomic_fetch_and(&p[i].flags, ~PG_tail, __ATOMIC_RELAXED);
	polite_wait_zones();
	__free_pages(p, order);
}

/* --------------------------------------------------------------- storm */

static struct page *storm_exch[STORM_EXCH];
static pthread_barrier_t storm_barrier;

struct storm_worker {
	unsigned int id;
	unsigned long ops; /* allocations + frees to do */
	struct page *held[STORM_SLOTS];
	unsigned int nheld;
	/* Results, read by the main thread after the join. */
	unsigned long allocs, frees, cross_frees, failures, handovers;
	unsigned long loop_frees; /* frees among the ops (not the drain) */
	unsigned long dma32_allocs, fallbacks, zeroed;
	unsigned long bad_blocks, bad_zone, bad_zero, checks, check_bad;
};

/* Orders 0..MAX_ORDER, P(o) = 2^-(o+1) (the rest on MAX_ORDER). */
static unsigned int storm_order(uint64_t r)
{
	return (unsigned int)__builtin_ctzll((r >> 24) | (1ULL << MAX_ORDER));
}

static void storm_alloc(struct storm_worker *w, uint64_t r, uint64_t seq)
{
	unsigned int order = storm_order(r);
	bool dma32 = (r & 0x30) == 0;
	bool zero = (r & 0x3c0) == 0;
	gfp_t gfp = (dma32 ? GFP_DMA32 : GFP_KERNEL) | __GFP_NOWARN |
		    (zero ? __GFP_ZERO : 0);
	struct page *p;
	pfn_t pfn;

	polite_wait_zones();
	p = alloc_pages(gfp, order);
	w->allocs++;
	if (!p) {
		w->failures++;
		return;
	}
	pfn = page_to_pfn(p);
	if (dma32) {
		w->dma32_allocs++;
		w->bad_zone += pfn + (1UL << order) > PFN_4G;
	} else {
		w->fallbacks += pfn < PFN_4G;
	}
	if (zero) {
		w->zeroed++;
		w->bad_zero += !block_zero(p, order);
	}
	block_own(p, make_tag(w->id, seq, order));
	w->held[w->nheld++] = p;
}

static void storm_free(struct storm_worker *w, unsigned int k)
{
	struct page *p = w->held[k];

	w->bad_blocks += !block_intact(p);
	w->cross_frees += TAG_WORKER(p->private) != w->id;
	w->frees++;
	w->held[k] = w->held[--w->nheld];
	block_release(p);
}

/* Swap a held block with a hand-over slot (or just leave it there). */
static void storm_handover(struct storm_worker *w, unsigned int k,
			   unsigned int slot)
{
	struct page *old = __atomic_exchange_n(&storm_exch[slot], w->held[k],
					       __ATOMIC_ACQ_REL);

	w->handovers++;
	if (old) {
		w->bad_blocks += !block_intact(old);
		w->held[k] = old;
	} else {
		w->held[k] = w->held[--w->nheld];
	}
}

static void *storm_thread(void *arg)
{
	struct storm_worker *w = arg;
	struct rand_state rs;
	unsigned long done = 0, next_check = STORM_CHECK_EVERY;
	uint64_t seq = 0;

	rand_seed(&rs, 0x5707d000 + w->id);
	pthread_barrier_wait(&storm_barrier);
	while (done < w->ops) {
		for (unsigned int b = 0; b < STORM_BATCH && done < w->ops;
		     b++) {
			uint64_t r = rand_next(&rs);
			unsigned int what = r & 7;

			if (w->nheld == 0 ||
			    (what < 4 && w->nheld < STORM_SLOTS)) {
				storm_alloc(w, r, seq++);
				done++;
			} else if (what < 6 || w->nheld == STORM_SLOTS) {
				storm_free(w, (unsigned int)rand_below(
						      &rs, w->nheld));
				done++;
			} else {
				storm_handover(
					w,
					(unsigned int)rand_below(&rs, w->nheld),
					(unsigned int)rand_below(&rs,
								 STORM_EXCH));
			}
		}
		if (w->id == 0 && done >= next_check) {
			/* Checked while the others keep going. */
			struct buddy_stats st;
			int bad = buddy_check();

			buddy_stats(&st);
			w->checks++;
			w->check_bad +=
				(unsigned long)bad + (st.free > st.managed);
			next_check += STORM_CHECK_EVERY;
		}
		sched_yield(); /* interleave the workers on a busy host */
	}
	w->loop_frees = w->frees;
	while (w->nheld)
		storm_free(w, w->nheld - 1);
	return NULL;
}

/*
 * Scenario: 4 workers make 1,000,000 allocations and frees in all:
 * orders 0..MAX_ORDER (mostly small), a quarter GFP_DMA32, some
 * __GFP_ZERO; each block stamped on every page and marked with owner
 * flags; about a quarter of the steps hand a block to another worker
 * through shared slots, so many blocks are freed by a worker that did
 * not allocate them; worker 0 runs buddy_check() every 50,000 of its
 * steps while the others go on. Expect every stamp intact at hand-over
 * and free (no page owned twice), zeroed blocks zero, no GFP_DMA32 page
 * at or above 4 GiB, some GFP_KERNEL blocks from DMA32 (fallback), at
 * least 1 % of the frees cross-thread (the share follows the host's
 * scheduling: about 22 % on an idle 2-core machine, 9 % beside QEMU
 * runs; the bound says that the hand-overs happen in numbers, not how
 * the scheduler interleaves), every concurrent check clean,
 * no BUG, and at the end (slots drained) buddy_check() == 0 and the
 * free page count back to its start.
 */
static void storm_mixed_orders(struct ktest *t)
{
	static struct storm_worker w[STORM_THREADS];
	pthread_t th[STORM_THREADS];
	struct storm_worker sum = { 0 };
	uint64_t free0 = host_buddy_free_pages();
	struct buddy_stats st0, st;
	unsigned long left = 0;

	buddy_stats(&st0);
	memset(storm_exch, 0, sizeof(storm_exch));
	pthread_barrier_init(&storm_barrier, NULL, STORM_THREADS);
	/* Any BUG line is kept to count, not shown, as in race_run(). */
	capture_start(capture_pass_not_bug);
	for (unsigned int i = 0; i < STORM_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].ops = STORM_OPS / STORM_THREADS;
		start(&th[i], storm_thread, &w[i]);
	}
	for (unsigned int i = 0; i < STORM_THREADS; i++) {
		pthread_join(th[i], NULL);
		sum.allocs += w[i].allocs;
		sum.frees += w[i].frees;
		sum.loop_frees += w[i].loop_frees;
		sum.cross_frees += w[i].cross_frees;
		sum.failures += w[i].failures;
		sum.handovers += w[i].handovers;
		sum.dma32_allocs += w[i].dma32_allocs;
		sum.fallbacks += w[i].fallbacks;
		sum.zeroed += w[i].zeroed;
		sum.bad_blocks += w[i].bad_blocks;
		sum.bad_zone += w[i].bad_zone;
		sum.bad_zero += w[i].bad_zero;
		sum.checks += w[i].checks;
		sum.check_bad += w[i].check_bad;
	}
	pthread_barrier_destroy(&storm_barrier);
	/* Blocks left in the hand-over slots: check and free them here. */
	for (unsigned int s = 0; s < STORM_EXCH; s++) {
		struct page *p = storm_exch[s];

		if (!p)
			continue;
		sum.bad_blocks += !block_intact(p);
		block_release(p);
		left++;
	}
	capture_stop();
	buddy_stats(&st);
	ktest_info(t,
		   "%lu allocs (%lu failed, %lu GFP_DMA32, %lu zeroed, %lu "
		   "fallbacks to DMA32), %lu frees (%lu cross-thread), %lu "
		   "hand-overs, %lu left in slots, %lu concurrent checks",
		   sum.allocs, sum.failures, sum.dma32_allocs, sum.zeroed,
		   sum.fallbacks, sum.frees, sum.cross_frees, sum.handovers,
		   left, sum.checks);
	KTEST_EXPECT_EQ(t, sum.allocs + sum.loop_frees, STORM_OPS);
	KTEST_EXPECT_EQ(t, sum.bad_blocks, 0);
	KTEST_EXPECT_EQ(t, sum.bad_zone, 0);
	KTEST_EXPECT_EQ(t, sum.bad_zero, 0);
	KTEST_EXPECT_GT(t, sum.fallbacks, 0);
	KTEST_EXPECT_GE(t, sum.cross_frees * 100, sum.frees);
	KTEST_EXPECT_GT(t, sum.checks, 0);
	KTEST_EXPECT_EQ(t, sum.check_bad, 0);
	KTEST_EXPECT_EQ(t, sum.frees + left, sum.allocs - sum.failures);
	KTEST_EXPECT_EQ(t, capture_count("BUG: "), 0);
	KTEST_EXPECT(t, !capture_truncated());
	KTEST_EXPECT_EQ(t, st.bugs, st0.bugs);
	KTEST_EXPECT_EQ(t, st.failures, st0.failures + sum.failures);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free0);
}

/* ------------------------------------------------------- exhaustion */

struct drain_worker {
	unsigned int id;
	gfp_t gfp;
	unsigned int start_order;
	struct page *list; /* held blocks, chained through page->lru.next */
	unsigned long pages, above_4g, below_4g, blocks;
	unsigned long bad; /* damaged blocks met while freeing */
};

static pthread_barrier_t drain_barrier;

/*
 * Take every block the zones give: blocks of order start_order until
 * there are none, then smaller ones down to order 0.
 */
static void *drain_thread(void *arg)
{
	struct drain_worker *w = arg;

	pthread_barrier_wait(&drain_barrier);
	for (int o = (int)w->start_order; o >= 0;) {
		struct page *p;

		for (unsigned int b = 0; b < DRAIN_BATCH; b++) {
			polite_wait_zones();
			p = alloc_pages(w->gfp | __GFP_NOWARN, (unsigned int)o);
			if (!p) {
				o--;
				break;
			}
			block_own(p,
				  make_tag(w->id, w->blocks, (unsigned int)o));
			p->lru.next = (struct list_head *)w->list;
			w->list = p;
			w->blocks++;
			w->pages += 1UL << o;
			if (page_to_pfn(p) >= PFN_4G)
				w->above_4g += 1UL << o;
			else
				w->below_4g += 1UL << o;
		}
		sched_yield(); /* interleave the workers on a busy host */
	}
	return NULL;
}

/* Free the blocks another worker took, checking each. */
static void *undrain_thread(void *arg)
{
	struct drain_worker *w = arg;
	unsigned long bad = 0;

	pthread_barrier_wait(&drain_barrier);
	while (w->list) {
		struct page *p = w->list;

		w->list = (struct page *)p->lru.next;
		bad += !block_intact(p);
		block_release(p);
	}
	w->bad = bad;
	return NULL;
}

/*
 * Scenario: 3 workers with GFP_KERNEL (orders 0, 1, 2) and 1 with
 * GFP_DMA32 (order 0) start together and allocate until their order
 * fails, then go down an order, until even an order-0 request fails;
 * then each worker frees another's blocks.
 * Expect every free page taken exactly once (the pages add up to the
 * free count at the start, nothing is left free, no stamp damaged), no
 * GFP_DMA32 page at or above 4 GiB, the GFP_KERNEL workers to have got
 * DMA32 pages too (fallback under contention), and after the frees
 * buddy_check() == 0 with the free count back where it started.
 */
static void exhaust_with_fallback(struct ktest *t)
{
	struct drain_worker w[4];
	pthread_t th[4];
	uint64_t free0 = host_buddy_free_pages();
	unsigned long pages = 0, kernel_below = 0, bad = 0;

	memset(w, 0, sizeof(w));
	pthread_barrier_init(&drain_barrier, NULL, 4);
	for (unsigned int i = 0; i < 4; i++) {
		w[i].id = i;
		w[i].gfp = i == 3 ? GFP_DMA32 : GFP_KERNEL;
		w[i].start_order = i % 3;
		start(&th[i], drain_thread, &w[i]);
	}
	for (unsigned int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		pages += w[i].pages;
		if (i != 3)
			kernel_below += w[i].below_4g;
	}
	ktest_info(t,
		   "GFP_KERNEL workers: %lu+%lu+%lu pages (%lu below 4 GiB); "
		   "GFP_DMA32 worker: %lu pages",
		   w[0].pages, w[1].pages, w[2].pages, kernel_below,
		   w[3].pages);
	KTEST_EXPECT_EQ(t, pages, free0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), 0);
	KTEST_EXPECT_EQ(t, w[3].above_4g, 0);
	KTEST_EXPECT_GT(t, kernel_below, 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	/* Worker i frees worker (i + 1) % 4's blocks. */
	{
		struct drain_worker v[4];

		for (unsigned int i = 0; i < 4; i++) {
			v[i] = w[(i + 1) % 4];
			start(&th[i], undrain_thread, &v[i]);
		}
		for (unsigned int i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			bad += v[i].bad;
		}
	}
	pthread_barrier_destroy(&drain_barrier);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free0);
}

/* --------------------------------------------- per-hart lists, drained */

#define PCP_STORM_WORKERS 3
#define PCP_STORM_OPS 300000UL /* allocations + frees, all workers */
#define PCP_STORM_HELD 96 /* pages a worker holds at most */
#define PCP_STORM_BATCH 256 /* operations between CPU turns */

struct pcp_storm {
	unsigned int cpu; /* host CPU gate */
	bool drainer;
	unsigned long ops, allocs, failed, bad_stamps, dma32_high;
	unsigned long drains, bad_checks;
	uint64_t seed;
	unsigned int nheld;
	struct page *held[PCP_STORM_HELD];
};

static unsigned int pcp_storm_running; /* atomic: workers not done */

static void pcp_storm_free(struct pcp_storm *w, unsigned int i)
{
	struct page *p = w->held[i];

	if (*(uint64_t *)page_address(p) != (uintptr_t)p)
		w->bad_stamps++;
	__free_page(p);
	w->held[i] = w->held[--w->nheld];
}

static pthread_barrier_t pcp_storm_start;
static unsigned long pcp_storm_drains; /* drains done so far (atomic) */

static void *pcp_storm_thread(void *arg)
{
	struct pcp_storm *w = arg;
	struct rand_state rs;
	unsigned long done = 0;

	rand_seed(&rs, w->seed);
	pthread_barrier_wait(&pcp_storm_start);
	host_cpu_enter(w->cpu);
	if (w->drainer) {
		while (__atomic_load_n(&pcp_storm_running, __ATOMIC_ACQUIRE)) {
			buddy_drain_all_pages();
			w->drains++;
			__atomic_fetch_add(&pcp_storm_drains, 1,
					   __ATOMIC_RELEASE);
			if (w->drains % 16 == 0)
				w->bad_checks += buddy_check() != 0;
			host_cpu_turn(w->cpu);
		}
		host_cpu_leave(w->cpu);
		return NULL;
	}
	while (done < w->ops) {
		for (unsigned int b = 0; b < PCP_STORM_BATCH && done < w->ops;
		     b++, done++) {
			uint64_t r = rand_next(&rs);

			if (w->nheld == 0 ||
			    ((r & 1) && w->nheld < PCP_STORM_HELD)) {
				gfp_t gfp = (r & 6) ? GFP_KERNEL : GFP_DMA32;
				struct page *p = alloc_page(gfp | __GFP_NOWARN);

				if (!p) {
					w->failed++;
					continue;
				}
				w->allocs++;
				if ((gfp & __GFP_DMA32) &&
				    page_to_pfn(p) >= PFN_4G)
					w->dma32_high++;
				*(uint64_t *)page_address(p) = (uintptr_t)p;
				w->held[w->nheld++] = p;
			} else {
				pcp_storm_free(w, (unsigned int)rand_below(
							  &rs, w->nheld));
			}
		}
		host_cpu_turn(w->cpu);
	}
	/* A short storm may end before the drainer's first turn: hold on
	 * (giving the CPU's turn away) until it has drained once. */
	while (!__atomic_load_n(&pcp_storm_drains, __ATOMIC_ACQUIRE))
		host_cpu_turn(w->cpu);
	while (w->nheld)
		pcp_storm_free(w, w->nheld - 1);
	__atomic_fetch_sub(&pcp_storm_running, 1, __ATOMIC_RELEASE);
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: PCP_STORM_WORKERS threads allocate and free order-0 pages
 * (a quarter of them GFP_DMA32) through their per-hart lists, stamping
 * each page, while one more thread drains every hart's lists over and
 * over and runs buddy_check() every 16th drain; threads take turns per
 * CPU at the host gates. Expect no failed allocation, no stamp damaged
 * (no page handed out twice), no GFP_DMA32 page at or above 4 GiB, the
 * drainer to have drained and found no violation, and at the end no
 * page cached, buddy_check() == 0 and the free count back to its start.
 */
static void pcp_drain_storm(struct ktest *t)
{
	static struct pcp_storm w[PCP_STORM_WORKERS + 1];
	unsigned int n = PCP_STORM_WORKERS + 1, ncpu;
	unsigned long ops = ktest_host_count("PCP_STORM_OPS", PCP_STORM_OPS);
	unsigned long allocs = 0, failed = 0, bad = 0, high = 0;
	uint64_t free0 = host_buddy_free_pages();
	pthread_t th[PCP_STORM_WORKERS + 1];

	memset(w, 0, sizeof(w));
	pcp_storm_drains = 0;
	pthread_barrier_init(&pcp_storm_start, NULL, n);
	ncpu = host_cpus_begin(n);
	__atomic_store_n(&pcp_storm_running, PCP_STORM_WORKERS,
			 __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++) {
		w[i].cpu = i % ncpu;
		w[i].drainer = i == PCP_STORM_WORKERS;
		w[i].ops = ops / PCP_STORM_WORKERS;
		w[i].seed = 0x9c9c0000 + i;
		start(&th[i], pcp_storm_thread, &w[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	host_cpus_end();
	pthread_barrier_destroy(&pcp_storm_start);
	for (unsigned int i = 0; i < PCP_STORM_WORKERS; i++) {
		allocs += w[i].allocs;
		failed += w[i].failed;
		bad += w[i].bad_stamps;
		high += w[i].dma32_high;
	}
	ktest_info(t, "%lu allocations on %u workers, %lu drains by one more",
		   allocs, PCP_STORM_WORKERS, w[PCP_STORM_WORKERS].drains);
	KTEST_EXPECT_GT(t, allocs, 0);
	KTEST_EXPECT_EQ(t, failed, 0);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, high, 0);
	KTEST_EXPECT_GT(t, w[PCP_STORM_WORKERS].drains, 0);
	KTEST_EXPECT_EQ(t, w[PCP_STORM_WORKERS].bad_checks, 0);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(
		t, buddy_zone_pcp(ZONE_DMA32) + buddy_zone_pcp(ZONE_NORMAL), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free0);
}

/* --------------------------------------------------- double-free race */

static pthread_barrier_t race_barrier;
static struct page *race_page;
static unsigned int race_order;
static unsigned int race_rounds;

static void *race_thread(void *arg)
{
	for (unsigned int i = 0; i < race_rounds; i++) {
		pthread_barrier_wait(&race_barrier); /* main set up a block */
		__free_pages(__atomic_load_n(&race_page, __ATOMIC_RELAXED),
			     race_order);
		pthread_barrier_wait(&race_barrier); /* all freed */
		pthread_barrier_wait(&race_barrier); /* main checked */
	}
	return NULL;
}

static void race_run(struct ktest *t, unsigned int nthreads,
		     unsigned int rounds)
{
	pthread_t th[MAX_THREADS];
	struct rand_state rs;
	uint64_t free0 = host_buddy_free_pages();
	unsigned long bad_rounds = 0, merged = 0;
	unsigned long calls0 = __atomic_load_n(&hook_calls, __ATOMIC_RELAXED);
	unsigned long df0 =
		__atomic_load_n(&hook_double_frees, __ATOMIC_RELAXED);

	rand_seed(&rs, 0xdf00 + nthreads);
	race_rounds = rounds;
	pthread_barrier_init(&race_barrier, NULL, nthreads + 1);
	for (unsigned int i = 0; i < nthreads; i++)
		start(&th[i], race_thread, NULL);
	/* The losers' BUG lines are kept to count, not shown (thousands). */
	capture_start(capture_pass_not_bug);
	for (unsigned int i = 0; i < rounds; i++) {
		unsigned long before =
			__atomic_load_n(&hook_calls, __ATOMIC_RELAXED);
		struct page *buddy_blk = NULL;
		unsigned int order = (unsigned int)rand_below(&rs, 4);
		struct page *p = alloc_pages(GFP_KERNEL, order);

		/*
		 * Every other round hold the block's buddy too, so that the
		 * winning free cannot merge and the losers see PG_buddy on
		 * the head; otherwise the block usually merges and the
		 * losers find it inside a larger free block.
		 */
		if (p && (i & 1)) {
			pfn_t b = page_to_pfn(p) ^ (1UL << order);

			buddy_blk = alloc_pages(GFP_KERNEL, order);
			if (buddy_blk && page_to_pfn(buddy_blk) != b) {
				__free_pages(buddy_blk, order);
				buddy_blk = NULL;
			}
		}
		merged += !buddy_blk;
		__atomic_store_n(&race_page, p, __ATOMIC_RELAXED);
		race_order = order;
		pthread_barrier_wait(&race_barrier);
		pthread_barrier_wait(&race_barrier);
		if (!p ||
		    __atomic_load_n(&hook_calls, __ATOMIC_RELAXED) - before !=
			    nthreads - 1 ||
		    host_buddy_free_pages() + (buddy_blk ? 1UL << order : 0) !=
			    free0)
			bad_rounds++;
		if (buddy_blk)
			__free_pages(buddy_blk, order);
		pthread_barrier_wait(&race_barrier);
	}
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	capture_stop();
	pthread_barrier_destroy(&race_barrier);
	ktest_info(t, "%u rounds of %u threads, %lu of them free to merge",
		   rounds, nthreads, merged);
	KTEST_EXPECT_EQ(t, bad_rounds, 0);
	KTEST_EXPECT_EQ(t, __atomic_load_n(&hook_calls, __ATOMIC_RELAXED),
			calls0 + (unsigned long)rounds * (nthreads - 1));
	KTEST_EXPECT_EQ(t,
			__atomic_load_n(&hook_double_frees, __ATOMIC_RELAXED),
			df0 + (unsigned long)rounds * (nthreads - 1));
	KTEST_EXPECT_EQ(t, capture_count("BUG: "), rounds * (nthreads - 1));
	KTEST_EXPECT(t, !capture_truncated());
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free0);
}

/*
 * Scenario: 2,000 rounds in which 2 threads, released together by a
 * barrier, free the same block (orders 0..3; in half the rounds its
 * buddy is held so it cannot merge). Expect in every round exactly one
 * free to succeed and the other to be reported once as a double free
 * through the hook and one "BUG: " line, the free count back each
 * round, and buddy_check() == 0 at the end.
 */
static void double_free_race_2(struct ktest *t)
{
	race_run(t, 2, RACE_ROUNDS_2);
}

/* Scenario: the same with 4 threads and 500 rounds. Expect one success
 * and three double-free reports per round. */
static void double_free_race_4(struct ktest *t)
{
	race_run(t, 4, RACE_ROUNDS_4);
}

/* ---------------------------------------------------- the lock itself */

static spinlock_t counter_lock;
static unsigned long counter; /* plain: only the lock orders it */
static unsigned long counter_busy; /* times a thread found it held */
static pthread_barrier_t counter_barrier;

static void *counter_thread(void *arg)
{
	unsigned long n = (unsigned long)arg, busy = 0;

	pthread_barrier_wait(&counter_barrier);
	while (n) {
		for (unsigned int k = 0; k < COUNTER_BATCH && n; k++, n--) {
			unsigned long flags;

			busy += polite_wait(&counter_lock);
			if (k & 1) {
				flags = spin_lock_irqsave(&counter_lock);
				counter++;
				spin_unlock_irqrestore(&counter_lock, flags);
			} else {
				spin_lock(&counter_lock);
				counter++;
				spin_unlock(&counter_lock);
			}
		}
		sched_yield(); /* interleave the threads on a busy host */
	}
	__atomic_fetch_add(&counter_busy, busy, __ATOMIC_RELAXED);
	return NULL;
}

static void counter_run(struct ktest *t, unsigned int nthreads)
{
	pthread_t th[MAX_THREADS];
	unsigned long bugs = spin_bug_count();

	spin_lock_init(&counter_lock, "counter_lock");
	counter = 0;
	counter_busy = 0;
	pthread_barrier_init(&counter_barrier, NULL, nthreads);
	for (unsigned int i = 0; i < nthreads; i++)
		start(&th[i], counter_thread,
		      (void *)(COUNTER_TOTAL / nthreads +
			       (i < COUNTER_TOTAL % nthreads)));
	for (unsigned int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&counter_barrier);
	ktest_info(t, "%u threads found the lock held %lu times", nthreads,
		   counter_busy);
	KTEST_EXPECT_EQ(t, counter, COUNTER_TOTAL);
	KTEST_EXPECT(t, !spin_is_locked(&counter_lock));
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
}

/* Scenario: 4 threads add 1,000,000 in all to a plain counter, in turn
 * under spin_lock and spin_lock_irqsave (under TSan: the lock's own
 * ordering is checked). Expect the exact total, the lock free and no
 * BUG. */
static void lock_counter_4(struct ktest *t)
{
	counter_run(t, 4);
}

/* Scenario: the same with 8 threads. Expect the exact total. */
static void lock_counter_8(struct ktest *t)
{
	counter_run(t, 8);
}

/* ------------------------------------------------------------- suite */

static int suite_init(void)
{
	host_phys_init_buddy(PHYS_BASE, PHYS_SIZE);
	buddy_set_bug_hook(bug_hook);
	return buddy_check();
}

static void suite_exit(void)
{
	buddy_set_bug_hook(NULL);
	host_phys_fini();
}

static const struct ktest_case smp_buddy_cases[] = {
	KTEST_CASE(lock_counter_4),	KTEST_CASE(lock_counter_8),
	KTEST_CASE(storm_mixed_orders), KTEST_CASE(exhaust_with_fallback),
	KTEST_CASE(pcp_drain_storm),	KTEST_CASE(double_free_race_2),
	KTEST_CASE(double_free_race_4), KTEST_END,
};

static const struct ktest_suite smp_buddy_suite = { "smp_buddy",
						    smp_buddy_cases, suite_init,
						    suite_exit };

KTEST_HOST_MAIN(&smp_buddy_suite)
