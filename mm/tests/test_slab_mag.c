// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the whole-magazine exchange of the slab's per-hart layer
 * (mm/slab_cpu.c): the swap of the loaded and previous magazines with
 * no lock, magazines that cannot be allocated and the back-off after
 * that, magazines kept out of failslab=, the depot's bound on
 * full and empty magazines together, and shrink giving the magazines'
 * memory back. One thread, over the real buddy allocator and fake
 * physical memory; the tests with several harts are in
 * mm/tests/test_smp_slab_cpu.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fault_inject.h"
#include "lib/cpu.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/tests/host_arch.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (32UL << 20)

static struct {
	unsigned int count;
	enum slab_bug bug;
	const void *addr;
} rep;

static void capture(const struct slab_report *r)
{
	rep.count++;
	rep.bug = r->bug;
	rep.addr = r->addr;
	printf("    # reported: %s\n", r->line);
}

static int suite_init(void)
{
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0x5eed5eed12345678ULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	slab_set_report_hook(capture);
	return 0;
}

static void suite_exit(void)
{
	slab_set_report_hook(NULL);
}

static struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info i;

	kmem_cache_info(c, &i);
	return i;
}

/* Magazines allocated now, for every cache. */
static unsigned long magazines(void)
{
	return info_of(&kmem_magazine_cache).active_objs;
}

/*
 * The end of a case: every object of c freed, nothing reported, the
 * checker clean, c destroyed and every magazine it had given back (the
 * count was mags0 before c existed).
 */
static void expect_all_back(struct ktest *t, struct kmem_cache *c,
			    unsigned long mags0)
{
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0);
}

/* Acquisitions of c->lock so far (its ticket counter). */
static unsigned int lock_tickets(struct kmem_cache *c)
{
	return __atomic_load_n(&c->lock.half.next, __ATOMIC_RELAXED);
}

/* Allocate n objects of c into objs, then drain this hart (shrink): it
 * has no magazines afterwards and nothing is cached. */
static bool alloc_then_drain(struct ktest *t, struct kmem_cache *c, void **objs,
			     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		objs[i] = kmem_cache_alloc(c, 0);
		if (!objs[i]) {
			KTEST_EXPECT(t, objs[i] != NULL);
			return false;
		}
	}
	kmem_cache_shrink(c);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 0);
	return true;
}

/* Set an injector's four fields and arm (or disarm) injection. */
static void inject(struct fault_attr *a, const char *how, bool on)
{
	fault_attr_parse(a, how, NULL);
	fail_alloc_arm(on);
}

/*
 * Scenario: 64 objects of 64 B allocated, this hart drained; 31 freed
 * (the 31st finds the loaded magazine full and the previous one empty),
 * then 40 times: 2 allocations and 2 frees across that boundary, then
 * 29 more freed (both magazines full) and 31 allocated (the 31st finds
 * the loaded magazine empty and the previous one full). Expect two
 * magazines only, no depot traffic at all (depot_puts, depot_gets 0),
 * no slab touched (refills and flushes unchanged), c->lock not taken
 * once, each allocation returning the last object freed; then, with 30
 * objects in the previous magazine, a second free of one reported.
 */
static void mag_swap_previous(struct ktest *t)
{
	enum { N = 64 };
	struct kmem_cache *c = kmem_cache_create("swap", 64, 0, 0, NULL);
	unsigned long mags0 = magazines();
	struct kmem_cache_info a, b;
	static void *objs[N];
	unsigned int tickets, wrong = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT_EQ(t, c->mag_rounds, 30);
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	a = info_of(c);
	tickets = lock_tickets(c);
	for (unsigned int i = 0; i < 31; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2);
	for (unsigned int k = 0; k < 40; k++) {
		void *p = kmem_cache_alloc(c, 0), *q = kmem_cache_alloc(c, 0);

		wrong += p != objs[30] || q != objs[29];
		kmem_cache_free(c, q);
		kmem_cache_free(c, p);
	}
	KTEST_EXPECT_EQ(t, lock_tickets(c), tickets);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 31); /* takes c->lock */
	tickets = lock_tickets(c);
	for (unsigned int i = 31; i < 60; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, kmem_cpu_cached(c), 60); /* no lock */
	for (unsigned int i = 0; i < 31; i++)
		wrong += kmem_cache_alloc(c, 0) != objs[59 - i];
	KTEST_EXPECT_EQ(t, wrong, 0);
	/* The swap of the loaded and the previous magazine takes no lock. */
	KTEST_EXPECT_EQ(t, lock_tickets(c), tickets);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.depot_puts, 0);
	KTEST_EXPECT_EQ(t, b.depot_gets, 0);
	KTEST_EXPECT_EQ(t, b.refills, a.refills);
	KTEST_EXPECT_EQ(t, b.flushes, a.flushes);
	KTEST_EXPECT_EQ(t, b.cached, 29);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2);
	/* Loaded full again, then swapped: objs[0..30) sit in the previous
	 * magazine. */
	kmem_cache_free(c, objs[29]);
	kmem_cache_free(c, objs[30]);
	KTEST_EXPECT_EQ(t, info_of(c).depot_puts, 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	kmem_cache_free(c, objs[5]);
	KTEST_EXPECT_EQ(t, rep.count, 1);
	KTEST_EXPECT(t, rep.bug == SLAB_BUG_DOUBLE_FREE && rep.addr == objs[5]);
	rep.count = 0;
	for (unsigned int i = 31; i < N; i++)
		kmem_cache_free(c, objs[i]);
	expect_all_back(t, c, mags0);
}

/*
 * Take every free magazine kmem_magazine holds, with the page allocator
 * failing (fail_page_alloc at 100 %, armed here and left armed), so that
 * no magazine can be allocated: returns how many were taken.
 */
enum { HOARD = 256 };
static void *hoard[HOARD];

static unsigned int hoard_magazines(struct ktest *t)
{
	unsigned int n = 0;

	inject(&fail_page_alloc, "1,100,0,-1", true);
	while (n < HOARD && (hoard[n] = kmem_cache_alloc(&kmem_magazine_cache,
							 __GFP_NOWARN)))
		n++;
	KTEST_EXPECT_LT(t, n, HOARD);
	return n;
}

/* Disarm injection and give the hoard back. */
static void unhoard(unsigned int n)
{
	inject(&fail_page_alloc, "1,0,0,-1", false);
	while (n)
		kmem_cache_free(&kmem_magazine_cache, hoard[--n]);
}

/* Calls that reached fail_page_alloc's decision (pages asked for). */
static unsigned long page_calls(void)
{
	return __atomic_load_n(&fail_page_alloc.calls, __ATOMIC_RELAXED);
}

/*
 * Scenario: no magazine can be had (every free magazine taken, the page
 * allocator failing under fail_page_alloc): (a) a free on a hart with
 * no magazines; (b) a free with both magazines full and no empty one in
 * the depot, then, magazines given back and injection off, 8 more
 * frees; (c) an allocation on a hart with no magazines. Expect in (a)
 * the object freed through the checked path straight to its slab (in
 * use one fewer, nothing cached, no report); in (b) the previous
 * magazine's 30 rounds given back to their slabs (one flush, as when
 * the depot is full) and the object pushed on it, now loaded, where the
 * next 8 go too, with the same two magazines; in (c) the one object
 * handed out from the slabs, no batch taken (no
 * refill), nothing cached.
 */
static void mag_alloc_failure(struct ktest *t)
{
	enum { N = 70 };
	struct kmem_cache *c = kmem_cache_create("magfail", 64, 0, 0, NULL);
	unsigned long mags0 = magazines();
	static void *objs[N];
	struct kmem_cache_info a, b;
	unsigned int nh;
	void *p;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	/* (a) */
	nh = hoard_magazines(t);
	kmem_cache_free(c, objs[0]);
	a = info_of(c);
	KTEST_EXPECT_EQ(t, a.active_objs, N - 1);
	KTEST_EXPECT_EQ(t, a.cached, 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0 + nh);
	unhoard(nh);
	/* (b): 60 frees fill two new magazines. */
	for (unsigned int i = 1; i <= 60; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 60);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2);
	nh = hoard_magazines(t);
	a = info_of(c);
	kmem_cache_free(c, objs[61]);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.active_objs, N - 62);
	KTEST_EXPECT_EQ(t, b.cached, 31);
	KTEST_EXPECT_EQ(t, b.flushes, a.flushes + 1);
	KTEST_EXPECT_EQ(t, b.depot_puts, 0);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2 + nh);
	unhoard(nh);
	/* Magazines back, injection off: the frees go on into the
	 * loaded magazine. */
	for (unsigned int i = 62; i < N; i++)
		kmem_cache_free(c, objs[i]);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.depot_puts, 0);
	KTEST_EXPECT_EQ(t, b.cached, 31 + N - 62);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	/* (c) */
	kmem_cache_shrink(c);
	p = kmem_cache_alloc(c, 0); /* a partial slab to take from */
	KTEST_ASSERT_NOT_NULL(t, p);
	kmem_cache_shrink(c);
	nh = hoard_magazines(t);
	a = info_of(c);
	objs[0] = kmem_cache_alloc(c, 0);
	unhoard(nh);
	KTEST_EXPECT(t, objs[0] != NULL);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.active_objs, a.active_objs + 1);
	KTEST_EXPECT_EQ(t, b.cached, 0);
	KTEST_EXPECT_EQ(t, b.refills, a.refills);
	kmem_cache_free(c, objs[0]);
	kmem_cache_free(c, p);
	expect_all_back(t, c, mags0);
}

/*
 * Scenario: failslab at 100 % on a hart with no magazines of a cache;
 * 40 objects freed, then 1 allocated. Expect the magazines allocated
 * all the same (they are the allocator's own, past the failslab hook:
 * two of them, 39 objects cached after the allocation), failslab
 * neither consulted nor injecting for them, and the caller's
 * allocation (through the hook) failed: one call, one failure.
 */
static void mag_not_failslab(struct ktest *t)
{
	enum { N = 40 };
	struct kmem_cache *c = kmem_cache_create("magslab", 64, 0, 0, NULL);
	unsigned long mags0 = magazines();
	static void *objs[N];
	void *p;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	inject(&failslab, "1,100,0,-1", true);
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, failslab.calls, 0);
	KTEST_EXPECT_EQ(t, failslab.injected, 0);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 2);
	KTEST_EXPECT_EQ(t, info_of(c).cached, N);
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, failslab.calls, 1);
	KTEST_EXPECT_EQ(t, failslab.injected, 1);
	inject(&failslab, "1,0,0,-1", false);
	KTEST_EXPECT_EQ(t, info_of(c).cached, N);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0);
}

/*
 * Scenario: 10 objects of 64 B allocated and freed (this hart's loaded
 * magazine holds them), then failslab armed to fail once. Expect every
 * hart's slab slot to be the stand-in (0) while it is armed, so that
 * the inline allocation reaches the decision although the hart's own
 * magazine has rounds: the first allocation fails, the second (the
 * budget spent) gets the last object freed from the hart's own
 * magazine, the third the one before, and their frees put them back
 * there; none of it takes c->lock,
 * and the stand-in keeps no magazine (the checker). Disarmed, the slot
 * is the hart's own again and the inline paths use it.
 */
static void failslab_stand_in(struct ktest *t)
{
	enum { N = 10 };
	struct kmem_cache *c = kmem_cache_create("standin", 64, 0, 0, NULL);
	unsigned long mags0 = magazines();
	unsigned int tickets;
	unsigned long cached;
	void *objs[N], *p, *q;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, buddy_slab_slot(),
			(cpu_id() + 1) * sizeof(struct kmem_cpu_cache));
	for (unsigned int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	cached = info_of(c).cached; /* N, and the rest of the first batch */
	KTEST_EXPECT(t, cached >= N);
	inject(&failslab, "1,100,0,1", true);
	KTEST_EXPECT_EQ(t, buddy_slab_slot(), 0);
	tickets = lock_tickets(c);
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, failslab.injected, 1);
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, p == objs[N - 1]);
	q = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, q == objs[N - 2]);
	kmem_cache_free(c, q);
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, lock_tickets(c), tickets);
	KTEST_EXPECT_EQ(t, info_of(c).cached, cached);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	inject(&failslab, "1,0,0,-1", false);
	KTEST_EXPECT_EQ(t, buddy_slab_slot(),
			(cpu_id() + 1) * sizeof(struct kmem_cpu_cache));
	tickets = lock_tickets(c);
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, p == objs[N - 1]);
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, lock_tickets(c), tickets);
	for (unsigned int i = 0; i < N; i++)
		KTEST_EXPECT(t, kmem_cache_alloc(c, 0) == objs[N - 1 - i]);
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_shrink(c);
	expect_all_back(t, c, mags0);
}

/*
 * Scenario: the back-off after a failed magazine allocation. 2,016
 * objects of 64 B (32 slabs of 63) allocated, the hart drained, every
 * free magazine taken and fail_page_alloc at 100 %; then (a) all freed,
 * on a hart that cannot get a magazine; (b) the magazines given back,
 * injection off, 100 objects allocated and freed; (c) again no magazine
 * to be had for one free, then injection off but the magazines still
 * taken, so that no event ends the back-off, and SLAB_MAG_RETRY + 1
 * allocations. Expect in (a) every object back on its slab, and
 * magazine attempts only after the first free, after each slab given
 * back to the buddy allocator and once per SLAB_MAG_RETRY frees: at
 * most 4 page allocations each (two tries of slab_grow() at two
 * alloc_pages() each) where retrying on every free would make 2,016
 * attempts; in (b) the exchange working again: every object freed
 * cached, in four magazines at least (two full ones went to the
 * depot); in (c) no magazine for SLAB_MAG_RETRY allocations, then two.
 */
static void mag_alloc_backoff(struct ktest *t)
{
	enum { N = 2016, M = 100 };
	struct kmem_cache *c = kmem_cache_create("backoff", 64, 0, 0, NULL);
	unsigned long mags0 = magazines(), calls, releases, bound;
	static void *objs[N];
	unsigned int nh;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT_EQ(t, c->objs_per_slab, 63);
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	/* (a) */
	nh = hoard_magazines(t);
	calls = page_calls();
	releases = info_of(c).releases;
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	calls = page_calls() - calls;
	releases = info_of(c).releases - releases;
	bound = 4 * (1 + releases + N / SLAB_MAG_RETRY);
	printf("    # %lu page allocations tried for magazines over %u "
	       "frees, %lu slabs given back (bound %lu)\n",
	       calls, N, releases, bound);
	KTEST_EXPECT_GE(t, releases, 30);
	KTEST_EXPECT_GT(t, calls, 0);
	KTEST_EXPECT_LE(t, calls, bound);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0 + nh);
	/* (b) */
	unhoard(nh);
	for (unsigned int i = 0; i < M; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	for (unsigned int i = 0; i < M; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_GE(t, magazines() - mags0, 4);
	KTEST_EXPECT_GE(t, info_of(c).depot_puts, 2);
	KTEST_EXPECT_GE(t, info_of(c).cached, M);
	/* (c) */
	kmem_cache_shrink(c);
	objs[0] = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_NOT_NULL(t, objs[0]);
	kmem_cache_shrink(c);
	nh = hoard_magazines(t);
	kmem_cache_free(c, objs[0]); /* fails, backs off */
	inject(&fail_page_alloc, "1,0,0,-1", false);
	for (unsigned int i = 0; i < SLAB_MAG_RETRY; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	KTEST_EXPECT_EQ(t, magazines(), mags0 + nh);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 0);
	KTEST_ASSERT_NOT_NULL(t, objs[SLAB_MAG_RETRY] = kmem_cache_alloc(c, 0));
	KTEST_EXPECT_EQ(t, magazines(), mags0 + nh + 2);
	unhoard(nh);
	for (unsigned int i = 0; i <= SLAB_MAG_RETRY; i++)
		kmem_cache_free(c, objs[i]);
	expect_all_back(t, c, mags0);
}

/*
 * Scenario: 40 objects of 64 B allocated (this hart gets magazines),
 * then slab_shrink_all() (out of memory: every magazine and every
 * empty slab given back), then with the page allocator failing the 40
 * freed. Expect kmem_magazine to keep exactly one empty slab through
 * slab_shrink_all(), and the drained hart to get its two magazines
 * from it with no page: all 40 frees cached, none to the slabs.
 */
static void mag_reserve_kept(struct ktest *t)
{
	enum { N = 40 };
	struct kmem_cache *c = kmem_cache_create("magres", 64, 0, 0, NULL);
	static void *objs[N];
	struct kmem_cache_info mi;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (unsigned int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	slab_shrink_all();
	mi = info_of(&kmem_magazine_cache);
	KTEST_EXPECT_EQ(t, mi.nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, mi.active_objs, 0); /* every hart drained */
	KTEST_EXPECT_EQ(t, info_of(c).cached, 0);
	inject(&fail_page_alloc, "1,100,0,-1", true);
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	inject(&fail_page_alloc, "1,0,0,-1", false);
	KTEST_EXPECT_EQ(t, magazines(), 2);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	KTEST_EXPECT_EQ(t, info_of(c).cached, N);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* The depot's bound (M3), checked after each step. */
static unsigned int depot_bound_bad;

static void check_bound(struct kmem_cache *c)
{
	struct kmem_cache_info i = info_of(c);

	depot_bound_bad +=
		i.depot / c->mag_rounds + i.depot_empty > c->depot_max;
}

/*
 * Scenario: objects of 16 KiB (magazines of 4 rounds, a depot of 8:
 * SLAB_DEPOT_BYTES / 64 KiB), on a drained hart: 48 freed (two
 * magazines filled, 8 full ones to the depot, then 2 magazines' worth
 * released to the slabs: the depot is full), all 48 allocated again,
 * all freed again, then shrink. Expect 10 magazines at most, ever: the
 * depot's full and empty magazines together never above 8 (the 8
 * empty ones left by the allocations are reused by the second frees,
 * no new magazine), and after the shrink nothing cached, no magazine
 * left in the depot, every magazine of the cache given back to
 * kmem_magazine, and kmem_reap() giving its slabs back too.
 */
static void mag_depot_bound_shrink(struct ktest *t)
{
	enum { N = 48 };
	struct kmem_cache *c = kmem_cache_create("bound", 16384, 0, 0, NULL);
	unsigned long mags0 = magazines(), flushes;
	struct kmem_cache_info ci;
	static void *objs[N];

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT_EQ(t, c->mag_rounds, 4);
	KTEST_ASSERT_EQ(t, c->depot_max, 8);
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	depot_bound_bad = 0;
	flushes = info_of(c).flushes;
	for (unsigned int i = 0; i < N; i++) {
		kmem_cache_free(c, objs[i]);
		check_bound(c);
	}
	ci = info_of(c);
	KTEST_EXPECT_EQ(t, ci.depot_puts, 8);
	KTEST_EXPECT_EQ(t, ci.depot, 8 * 4);
	KTEST_EXPECT_EQ(t, ci.flushes - flushes, 2); /* 8 objects to slabs */
	KTEST_EXPECT_EQ(t, ci.cached, N - 8);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 10);
	for (unsigned int i = 0; i < N; i++) {
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
		check_bound(c);
	}
	ci = info_of(c);
	KTEST_EXPECT_EQ(t, ci.depot_gets, 8);
	KTEST_EXPECT_EQ(t, ci.depot_empty, 8);
	for (unsigned int i = 0; i < N; i++) {
		kmem_cache_free(c, objs[i]);
		check_bound(c);
	}
	ci = info_of(c);
	KTEST_EXPECT_EQ(t, ci.depot_empty, 0);
	KTEST_EXPECT_EQ(t, ci.depot_puts, 16);
	KTEST_EXPECT_EQ(t, magazines() - mags0, 10);
	KTEST_EXPECT_EQ(t, depot_bound_bad, 0);
	kmem_cache_shrink(c);
	ci = info_of(c);
	KTEST_EXPECT_EQ(t, ci.cached, 0);
	KTEST_EXPECT_EQ(t, ci.depot, 0);
	KTEST_EXPECT_EQ(t, ci.depot_empty, 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0);
	kmem_reap();
	ci = info_of(&kmem_magazine_cache);
	KTEST_EXPECT_LE(t, ci.nr_slabs[KMEM_SLAB_EMPTY],
			kmem_magazine_cache.reserve);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Scenario: 100 objects of 64 B freed on a drained hart (2 full
 * magazines in the depot), then the checker run on sound state and on
 * each of: a depot count off by one, the first word of an object in a
 * depot magazine overwritten (a use after free), a depot over its
 * bound, a misaligned magazine on its empty list, this hart's previous
 * magazine holding 1 round; each repaired after. Then the objects
 * allocated again (2 empty magazines in the depot), a shrink, and a
 * hart without magazines given a previous one. Expect no violation on
 * sound state, one M3 line, one I10, one M3, two M3 (alignment and
 * count), one M1, then the shrink to free the depot's empty magazines,
 * and one M1.
 */
static void mag_checker(struct ktest *t)
{
	enum { N = 100 };
	struct kmem_cache *c = kmem_cache_create("magcheck", 64, 0, 0, NULL);
	unsigned long mags0 = magazines();
	struct kmem_cpu_cache *pc;
	static void *objs[N];
	uintptr_t saved, *word;
	uint32_t depot_max;

	KTEST_ASSERT_NOT_NULL(t, c);
	pc = kmem_cpu_of(c, cpu_id());
	depot_max = c->depot_max;
	KTEST_ASSERT(t, alloc_then_drain(t, c, objs, N));
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_ASSERT_EQ(t, info_of(c).depot_puts, 2);
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 0);
	c->depot_empty_n++;
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
	c->depot_empty_n--;
	/* objs[0] is the oldest round of the oldest depot magazine */
	word = (uintptr_t *)objs[0];
	saved = *word;
	*word = 0x1234;
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
	*word = saved;
	/* A depot over its bound. */
	c->depot_max = 1;
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
	c->depot_max = depot_max;
	/* A misaligned magazine on the empty list (and so a wrong count). */
	c->depot_empty = (void **)((uintptr_t)objs[1] | 8);
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 2);
	c->depot_empty = NULL;
	/* This hart's previous magazine holding neither 0 nor all rounds. */
	pc->prev_n = 1;
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
	pc->prev_n = c->mag_rounds;
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	for (unsigned int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	/* The depot's full magazines came back empty: shrink frees them. */
	KTEST_EXPECT_EQ(t, info_of(c).depot_empty, 2);
	kmem_cache_shrink(c);
	KTEST_EXPECT_EQ(t, info_of(c).depot_empty, 0);
	KTEST_EXPECT_EQ(t, magazines(), mags0);
	/* A hart without magazines but with a previous one. */
	pc->prev = (void **)objs[0];
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
	pc->prev = NULL;
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 0);
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Scenario: the internal caches. Expect kmem_magazine to hold objects
 * of SLAB_MAG_SIZE bytes aligned to their size, 15 in a one-page slab,
 * with one empty slab kept, no magazines and no debugging of its own,
 * and kmem_slab (freed under other caches' locks) to have no magazines
 * either.
 */
static void mag_internal_caches(struct ktest *t)
{
	struct kmem_cache_info i = info_of(&kmem_magazine_cache);
	void *m = kmem_cache_alloc(&kmem_magazine_cache, 0);

	KTEST_EXPECT_EQ(t, i.object_size, SLAB_MAG_SIZE);
	KTEST_EXPECT_EQ(t, i.size, SLAB_MAG_SIZE);
	KTEST_EXPECT_EQ(t, i.order, 0); /* one-page slabs */
	KTEST_EXPECT_EQ(t, i.objs_per_slab, 15);
	KTEST_EXPECT_EQ(t, kmem_magazine_cache.reserve, 1);
	KTEST_EXPECT_EQ(t, i.mag_rounds, 0);
	KTEST_EXPECT_EQ(t, info_of(&kmem_slab_cache).mag_rounds, 0);
	KTEST_ASSERT_NOT_NULL(t, m);
	KTEST_EXPECT_EQ(t, (uintptr_t)m % SLAB_MAG_SIZE, 0);
	kmem_cache_free(&kmem_magazine_cache, m);
}

static const struct ktest_case slab_mag_cases[] = {
	KTEST_CASE(mag_swap_previous),	    KTEST_CASE(mag_alloc_failure),
	KTEST_CASE(mag_not_failslab),	    KTEST_CASE(failslab_stand_in),
	KTEST_CASE(mag_alloc_backoff),	    KTEST_CASE(mag_reserve_kept),
	KTEST_CASE(mag_depot_bound_shrink), KTEST_CASE(mag_checker),
	KTEST_CASE(mag_internal_caches),    KTEST_END,
};

static const struct ktest_suite slab_mag_suite = {
	.name = "slab_mag",
	.cases = slab_mag_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&slab_mag_suite)
