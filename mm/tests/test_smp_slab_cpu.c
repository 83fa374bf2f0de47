// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the per-hart magazines (mm/slab_cpu.c): LIFO reuse, batch
 * refills and flushes against the slabs, double frees of objects that
 * sit in a magazine, draining another hart's magazine (shrink, destroy,
 * out of memory), and frees that must be validated before any word is
 * read. POSIX threads stand in for harts (lib/tests/host_cpu.c gives
 * each its own cpu_id()), over the real buddy allocator and fake
 * physical memory. Built with ASan and UBSan, and as a test_smp_* file
 * with ThreadSanitizer too.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The host's mmap protections; mm/arch.h has its own PROT_* names. */
static const int host_prot_rw = PROT_READ | PROT_WRITE;
static const int host_prot_none = PROT_NONE;
#undef PROT_READ
#undef PROT_WRITE
#undef PROT_EXEC

#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/tests/host_arch.h"
#include "mm/tests/host_smp.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (32UL << 20)
#define STORM_THREADS 4
#define STORM_OPS 200000UL
#define GATE_BATCH 128

static void host_setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0xc0ffee11c0ffee11ULL);
	slab_debug_setup(NULL);
	kmalloc_init();
}

/* Reports may come from any thread: counted with atomics. */
static struct {
	unsigned long count, double_frees, invalid;
	const void *addr;
} rep;

static void capture(const struct slab_report *r)
{
	__atomic_fetch_add(&rep.count, 1, __ATOMIC_RELAXED);
	if (r->bug == SLAB_BUG_DOUBLE_FREE)
		__atomic_fetch_add(&rep.double_frees, 1, __ATOMIC_RELAXED);
	if (r->bug == SLAB_BUG_INVALID_FREE)
		__atomic_fetch_add(&rep.invalid, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rep.addr, r->addr, __ATOMIC_RELAXED);
	printf("    # reported: %s\n", r->line);
}

static int suite_init(void)
{
	host_setup();
	memset(&rep, 0, sizeof(rep));
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

static unsigned long buddy_free_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

/* Run fn(arg) on a new thread (another cpu_id()) and wait for it. */
static void on_other_hart(void *(*fn)(void *), void *arg)
{
	pthread_t th;

	pthread_create(&th, NULL, fn, arg);
	pthread_join(th, NULL);
}

/* ------------------------------------------------------- one hart */

/*
 * Scenario: allocate a, b, c; free a, then b, then c. Expect the next
 * three allocations to return c, b, a (last freed first), with no
 * report and nothing counted in use afterwards.
 */
static void magazine_lifo(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("mag-lifo", 96, 0, 0, NULL);
	void *a, *b, *c;

	KTEST_ASSERT_NOT_NULL(t, k);
	a = kmem_cache_alloc(k, 0);
	b = kmem_cache_alloc(k, 0);
	c = kmem_cache_alloc(k, 0);
	KTEST_ASSERT(t, a && b && c);
	kmem_cache_free(k, a);
	kmem_cache_free(k, b);
	kmem_cache_free(k, c);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == c);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == b);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == a);
	kmem_cache_free(k, a);
	kmem_cache_free(k, b);
	kmem_cache_free(k, c);
	KTEST_EXPECT_EQ(t, info_of(k).active_objs, 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/*
 * Scenario: 200 allocations in a row, then their 200 frees, on one
 * thread. Expect the slabs to be visited once per batch: at most
 * ceil(200 / SLAB_CPU_BATCH) + 1 refills, plus one short one per slab
 * used up (a refill takes no new slab), never more than SLAB_CPU_OBJS
 * objects cached after the allocations; after the frees none back on a
 * slab, both magazines of this hart full and every other object in
 * the depot's full magazines (one sent every SLAB_CPU_OBJS frees past
 * the two); every object distinct, slab_check() clean throughout, and
 * after shrink no object cached and the slabs down to the reserve.
 */
static void magazine_batches(struct ktest *t)
{
	enum { N = 200 };
	struct kmem_cache *k = kmem_cache_create("mag-batch", 64, 0, 0, NULL);
	static void *objs[N];
	struct kmem_cache_info ci;
	unsigned int dup = 0;
	unsigned long held;

	KTEST_ASSERT_NOT_NULL(t, k);
	for (int i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(k, 0);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
		memset(objs[i], 0x5a, 64);
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			dup += objs[i] == objs[j];
	KTEST_EXPECT_EQ(t, dup, 0);
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.active_objs, N);
	/* A refill takes no new slab: one short batch per slab used up. */
	KTEST_EXPECT_LE(t, ci.refills, N / SLAB_CPU_BATCH + 1 + ci.grows);
	KTEST_EXPECT_GE(t, ci.refills, N / SLAB_CPU_BATCH);
	KTEST_EXPECT_LE(t, ci.cached, SLAB_CPU_OBJS);
	held = ci.cached + N; /* the refill's spare rounds, then the N */
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	for (int i = 0; i < N; i++)
		kmem_cache_free(k, objs[i]);
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	/* Full magazines went to the depot whole (room for all). */
	KTEST_EXPECT_EQ(t, ci.flushes, 0);
	KTEST_EXPECT_EQ(t, ci.cached, held);
	KTEST_EXPECT_EQ(t, ci.depot_puts,
			(held - 2 * SLAB_CPU_OBJS + SLAB_CPU_OBJS - 1) /
				SLAB_CPU_OBJS);
	KTEST_EXPECT_EQ(t, ci.depot, ci.depot_puts * SLAB_CPU_OBJS);
	KTEST_EXPECT_GT(t, ci.cached - ci.depot, SLAB_CPU_OBJS);
	KTEST_EXPECT_LE(t, ci.cached - ci.depot, 2 * SLAB_CPU_OBJS);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_shrink(k);
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.cached, 0);
	KTEST_EXPECT_EQ(t, ci.nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(
		t, ci.nr_slabs[KMEM_SLAB_PARTIAL] + ci.nr_slabs[KMEM_SLAB_FULL],
		0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/*
 * Allocate n objects of k into objs, empty this thread's magazine (the
 * last refill's spare rounds), note k's numbers in *before, then free
 * the n objects in order. False if an allocation failed.
 */
static bool alloc_shrink_free(struct ktest *t, struct kmem_cache *k,
			      void **objs, int n,
			      struct kmem_cache_info *before)
{
	for (int i = 0; i < n; i++) {
		objs[i] = kmem_cache_alloc(k, 0);
		if (!objs[i]) {
			KTEST_EXPECT(t, objs[i] != NULL);
			return false;
		}
	}
	kmem_cache_shrink(k);
	*before = info_of(k);
	for (int i = 0; i < n; i++)
		kmem_cache_free(k, objs[i]);
	return true;
}

/*
 * n allocations of size bytes (this hart drained after them: no
 * magazines), their n frees in order, then n allocations again, on one
 * thread, where the depot has room for every full magazine. Expect the
 * frees to fill two new magazines, then send one full magazine to the
 * depot every `rounds` frees, the second round to hand the objects out
 * in exactly the reverse order of their frees, from the two magazines
 * and the depot alone (its full magazines traded for as many empty
 * ones), and nothing cached at the end.
 */
static void round_trip(struct ktest *t, size_t size, int n)
{
	struct kmem_cache *k = kmem_cache_create("depot-rt", size, 0, 0, NULL);
	static void *objs[300];
	struct kmem_cache_info ci0, ci, ci2;
	unsigned int wrong = 0;

	KTEST_ASSERT_NOT_NULL(t, k);
	KTEST_ASSERT(t, n <= 300);
	KTEST_ASSERT(t, alloc_shrink_free(t, k, objs, n, &ci0));
	ci = info_of(k);
	KTEST_ASSERT(t, n > 2 * (int)ci.mag_rounds);
	KTEST_EXPECT_EQ(t, ci.depot_puts,
			(n - 2 * ci.mag_rounds + ci.mag_rounds - 1) /
				ci.mag_rounds);
	KTEST_EXPECT_EQ(t, ci.depot, ci.depot_puts * ci.mag_rounds);
	KTEST_EXPECT_EQ(t, ci.depot_empty, 0);
	KTEST_EXPECT_EQ(t, ci.cached, n);
	KTEST_EXPECT_EQ(t, ci.flushes, ci0.flushes);
	for (int i = 0; i < n; i++)
		wrong += kmem_cache_alloc(k, 0) != objs[n - 1 - i];
	KTEST_EXPECT_EQ(t, wrong, 0);
	ci2 = info_of(k);
	KTEST_EXPECT_EQ(t, ci2.depot_gets, ci.depot_puts);
	KTEST_EXPECT_EQ(t, ci2.depot_empty, ci.depot_puts);
	KTEST_EXPECT_EQ(t, ci2.refills, ci.refills);
	KTEST_EXPECT_EQ(t, ci2.cached, 0);
	KTEST_EXPECT_EQ(t, ci2.active_objs, n);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	for (int i = 0; i < n; i++)
		kmem_cache_free(k, objs[i]);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/*
 * Scenario: the round trip of 300 objects of 64 B (magazines of 30; 8
 * full magazines in the depot, 60 objects on this hart). Then 90 of
 * 6,000 B (magazines of 4, a depot of 21: SLAB_DEPOT_BYTES / 24,000):
 * 21 full magazines fill the depot exactly. Expect the exact reverse
 * order both times, which a swap or exchange that loaded the wrong
 * magazine, or popped from the wrong end, would break.
 */
static void depot_round_trip(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, SLAB_DEPOT_BYTES / (4 * 6000), 21);
	round_trip(t, 64, 300);
	round_trip(t, 6000, 90);
}

/*
 * Scenario: 300 objects of 4 KiB freed in a row, on a hart with no
 * magazines. Their magazines hold 4 rounds (SLAB_MAG_BYTES), and the
 * depot holds SLAB_DEPOT_MAX of them (SLAB_DEPOT_BYTES allows 32 too).
 * Expect the full magazines that find the depot full to give their
 * rounds back to their slabs (one flush each) and be reused empty, no
 * magazine allocated past the depot's 32 and this hart's 2: both
 * magazines full, the depot full, every other object free in its slab,
 * and slab_check() clean.
 */
static void depot_overflow(struct ktest *t)
{
	enum { N = 300 };
	struct kmem_cache *k = kmem_cache_create("depot-of", 4096, 0, 0, NULL);
	unsigned long mags0 = info_of(&kmem_magazine_cache).active_objs;
	unsigned long depot_max, r;
	static void *objs[N];
	struct kmem_cache_info ci0, ci;

	KTEST_ASSERT_NOT_NULL(t, k);
	KTEST_ASSERT(t, alloc_shrink_free(t, k, objs, N, &ci0));
	ci = info_of(k);
	r = ci.mag_rounds;
	KTEST_EXPECT_EQ(t, r, SLAB_MAG_BYTES / 4096);
	depot_max = SLAB_DEPOT_BYTES / (r * 4096);
	KTEST_EXPECT_EQ(t, depot_max, SLAB_DEPOT_MAX);
	KTEST_EXPECT_EQ(t, ci.depot_puts, depot_max);
	KTEST_EXPECT_EQ(t, ci.depot, depot_max * r);
	/* one exchange every r frees past the first 2r */
	KTEST_EXPECT_EQ(t, ci.flushes - ci0.flushes + ci.depot_puts,
			(N - 2 * r) / r);
	KTEST_EXPECT_EQ(t, ci.cached, 2 * r + ci.depot);
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs - mags0,
			depot_max + 2);
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/*
 * Scenario: an object is freed (it goes into this hart's magazine),
 * then freed again, with kmem_cache_free() and, for a kmalloc object,
 * with kfree(). Expect one "double free of <p>" report each, naming the
 * object, and the object handed out only once by the next two
 * allocations.
 */
static void magazine_double_free(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("mag-df", 48, 0, 0, NULL);
	void *p, *q, *r;
	char want[96];

	KTEST_ASSERT_NOT_NULL(t, k);
	p = kmem_cache_alloc(k, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	kmem_cache_free(k, p);
	KTEST_EXPECT_GE(t, info_of(k).cached, 1);
	memset(&rep, 0, sizeof(rep));
	kmem_cache_free(k, p);
	KTEST_EXPECT_EQ(t, rep.double_frees, 1);
	KTEST_EXPECT(t, rep.addr == p);
	q = kmem_cache_alloc(k, 0);
	r = kmem_cache_alloc(k, 0);
	KTEST_EXPECT(t, q == p);
	KTEST_EXPECT(t, r != p && r != NULL);
	kmem_cache_free(k, q);
	kmem_cache_free(k, r);

	p = kmalloc(200, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	kfree(p);
	memset(&rep, 0, sizeof(rep));
	kfree(p);
	KTEST_EXPECT_EQ(t, rep.double_frees, 1);
	snprintf(want, sizeof(want), "double free of %p", p);
	q = kmalloc(200, 0);
	r = kmalloc(200, 0);
	KTEST_EXPECT(t, q == p && r != p);
	kfree(q);
	kfree(r);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
	memset(&rep, 0, sizeof(rep));
}

/*
 * Scenario: kmem_cache_free() and kfree() of the first byte of a page
 * whose preceding page is inaccessible (PROT_NONE, like a vmalloc
 * guard page), and of a misaligned pointer into a slab object. Expect
 * one "invalid free" or "not an object start" report each and no
 * fault: the pointer is validated before any word is read.
 */
static void free_validates_first(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("mag-guard", 64, 0, 0, NULL);
	long psz = sysconf(_SC_PAGESIZE);
	char *area, *obj;

	KTEST_ASSERT_NOT_NULL(t, k);
	area = mmap(NULL, 2 * (size_t)psz, host_prot_rw,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTEST_ASSERT(t, area != MAP_FAILED);
	KTEST_ASSERT_EQ(t, mprotect(area, (size_t)psz, host_prot_none), 0);
	memset(&rep, 0, sizeof(rep));
	kmem_cache_free(k, area + psz);
	KTEST_EXPECT_EQ(t, rep.invalid, 1);
	kfree(area + psz);
	KTEST_EXPECT_EQ(t, rep.invalid, 2);
	KTEST_EXPECT_EQ(t, rep.count, 2);
	munmap(area, 2 * (size_t)psz);

	obj = kmem_cache_alloc(k, 0);
	KTEST_ASSERT_NOT_NULL(t, obj);
	memset(&rep, 0, sizeof(rep));
	kmem_cache_free(k, obj + 3);
	KTEST_EXPECT_EQ(t, rep.count, 1);
	kfree(obj + 8);
	KTEST_EXPECT_EQ(t, rep.count, 2);
	KTEST_EXPECT_EQ(t, info_of(k).active_objs, 1);
	kmem_cache_free(k, obj);
	KTEST_EXPECT_EQ(t, info_of(k).active_objs, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
	memset(&rep, 0, sizeof(rep));
}

/* ----------------------------------------------------- other harts */

struct fill {
	struct kmem_cache *c;
	unsigned int n; /* objects to allocate, then free */
	unsigned int cpu; /* the thread's cpu_id() */
	unsigned long failed;
};

/* Allocate n objects, free them all: they end in this hart's magazine
 * (the last SLAB_CPU_OBJS at most) and slabs. */
static void *fill_and_free(void *arg)
{
	struct fill *f = arg;
	void *objs[64];

	f->cpu = cpu_id();
	for (unsigned int i = 0; i < f->n; i++)
		if (!(objs[i] = kmem_cache_alloc(f->c, 0)))
			f->failed++;
	for (unsigned int i = 0; i < f->n; i++)
		kmem_cache_free(f->c, objs[i]);
	return NULL;
}

/*
 * Scenario: another thread allocates 10 objects and frees them, so they
 * sit in its magazine, and exits. On the main thread, shrink, then
 * fill it again and destroy. Expect at least 10 cached objects before
 * the shrink, none after with every slab but the reserve released, and
 * destroy to return 0 with every page back in the buddy allocator
 * although the objects were cached on another hart.
 */
static void drain_other_hart(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("mag-drain", 256, 0, 0, NULL);
	unsigned long free0 = buddy_free_pages();
	struct fill f = { .c = k, .n = 10 };
	struct kmem_cache_info ci;

	KTEST_ASSERT_NOT_NULL(t, k);
	on_other_hart(fill_and_free, &f);
	KTEST_EXPECT_EQ(t, f.failed, 0);
	KTEST_EXPECT_NE(t, f.cpu, cpu_id());
	ci = info_of(k);
	/* the 10 freed, plus what was left of the last refill */
	KTEST_EXPECT_GE(t, ci.cached, 10);
	KTEST_EXPECT_LE(t, ci.cached, SLAB_CPU_OBJS);
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	kmem_cache_shrink(k);
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.cached, 0);
	KTEST_EXPECT_EQ(t, ci.nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);

	on_other_hart(fill_and_free, &f);
	KTEST_EXPECT_GE(t, info_of(k).cached, 10);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* fill_and_free(), then wait for the others: the threads are alive at
 * once, so each has its own cpu_id(). */
static pthread_barrier_t several_done;

static void *fill_free_wait(void *arg)
{
	fill_and_free(arg);
	pthread_barrier_wait(&several_done);
	return NULL;
}

/*
 * Scenario: three other threads at once and then this one each
 * allocate 64 objects of 256 B and free them (each hart fills its two
 * magazines and sends one to the depot, unless it took one from there
 * meanwhile); the threads exit; the cache is destroyed. Expect four
 * distinct harts, every magazine allocated either one of their eight
 * or in the depot, destroy to return 0 with no report, and every
 * magazine of the cache given back to kmem_magazine.
 */
static void destroy_several_harts(struct ktest *t)
{
	enum { THREADS = 3 };
	struct kmem_cache *k = kmem_cache_create("mag-many", 256, 0, 0, NULL);
	unsigned long mags0 = info_of(&kmem_magazine_cache).active_objs;
	struct fill f[THREADS + 1];
	pthread_t th[THREADS];
	struct kmem_cache_info ci;

	KTEST_ASSERT_NOT_NULL(t, k);
	pthread_barrier_init(&several_done, NULL, THREADS);
	for (unsigned int i = 0; i <= THREADS; i++)
		f[i] = (struct fill){ .c = k, .n = 64 };
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, fill_free_wait, &f[i]);
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&several_done);
	fill_and_free(&f[THREADS]);
	for (unsigned int i = 0; i <= THREADS; i++) {
		KTEST_EXPECT_EQ(t, f[i].failed, 0);
		for (unsigned int j = 0; j < i; j++)
			KTEST_EXPECT_NE(t, f[i].cpu, f[j].cpu);
	}
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	KTEST_EXPECT_GE(t, ci.depot_puts, 1);
	/* M3: every magazine is one of the four harts' two, or in the
	 * depot. */
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs - mags0,
			2 * (THREADS + 1) + ci.depot / ci.mag_rounds +
				ci.depot_empty);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs, mags0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/*
 * Scenario: a cache of 2 KiB objects (7 to a slab) has one slab, all of
 * whose free objects sit in another thread's magazine; then every free
 * page of the buddy allocator is taken. Expect an allocation from the
 * cache on this thread, and one from a second cache that needs a new
 * slab, both to succeed: the out-of-memory path drains the other
 * hart's magazine (slab_shrink_all()) before failing. Expect NULL,
 * cleanly, once nothing at all is left.
 */
static void oom_drains_magazines(struct ktest *t)
{
	struct kmem_cache *a = kmem_cache_create("mag-oom-a", 2048, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("mag-oom-b", 2048, 0,
						 SLAB_NO_CPU_CACHE, NULL);
	struct list_head hoard = LIST_HEAD_INIT(hoard);
	struct fill f = { .c = a, .n = 1 };
	unsigned long free0;
	void *p, *q, *extra[8];
	unsigned int nextra = 0;
	struct page *pg;

	KTEST_ASSERT(t, a && b);
	kmem_reap();
	free0 = buddy_free_pages();
	on_other_hart(fill_and_free, &f);
	KTEST_EXPECT_EQ(t, info_of(a).cached, info_of(a).objs_per_slab);
	while ((pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		list_add(&pg->lru, &hoard);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), 0);
	/* a: its only free objects are on the other hart. */
	p = kmem_cache_alloc(a, GFP_KERNEL | __GFP_NOWARN);
	KTEST_EXPECT(t, p != NULL);
	KTEST_EXPECT_EQ(t, info_of(a).cached < info_of(a).objs_per_slab, 1);
	/* b: needs pages; the drain and a's shrink give them. */
	kmem_cache_free(a, p);
	q = kmem_cache_alloc(b, GFP_KERNEL | __GFP_NOWARN);
	KTEST_EXPECT(t, q != NULL);
	while (nextra < 8 &&
	       (extra[nextra] = kmem_cache_alloc(b, GFP_KERNEL | __GFP_NOWARN)))
		nextra++;
	KTEST_EXPECT_LT(t, nextra, 8); /* runs out cleanly */
	while (nextra)
		kmem_cache_free(b, extra[--nextra]);
	kmem_cache_free(b, q);
	while (!list_empty(&hoard)) {
		pg = list_entry(hoard.next, struct page, lru);
		list_del(&pg->lru);
		__free_pages(pg, 0);
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(b), 0);
	kmem_reap();
	KTEST_EXPECT_GE(t, buddy_free_pages() + 64, free0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* ------------------------------------------------------------ storm */

static struct kmem_cache *storm_cache;
static pthread_barrier_t storm_start;
/* Objects in flight from one thread to the next (atomic slots). */
static void *handoff[STORM_THREADS][64];

struct storm {
	pthread_t th;
	unsigned int id, cpu;
	unsigned long ops, bad;
};

/*
 * Allocate, write the owner's id, pass every other object to the next
 * thread, free what the previous thread passed (cross-hart frees); the
 * last thread shrinks and the first destroys nothing. Gates (host_smp.h)
 * every GATE_BATCH operations.
 */
static void *storm_worker(void *arg)
{
	struct storm *w = arg;
	unsigned int next = (w->id + 1) % STORM_THREADS;
	void *mine[16];
	unsigned int n = 0;

	pthread_barrier_wait(&storm_start);
	host_cpu_enter(w->cpu);
	for (unsigned long i = 0; i < STORM_OPS / STORM_THREADS; i++) {
		void **slot = &handoff[next][i % 64];
		void *p = kmem_cache_alloc(storm_cache, 0), *q;

		if (!p) {
			w->bad++;
			break;
		}
		*(unsigned long *)p = w->id;
		if (i & 1) {
			q = __atomic_exchange_n(slot, p, __ATOMIC_ACQ_REL);
			if (q)
				kmem_cache_free(storm_cache, q);
		} else {
			mine[n++] = p;
			if (n == 16)
				while (n) {
					q = mine[--n];
					if (*(unsigned long *)q != w->id)
						w->bad++;
					kmem_cache_free(storm_cache, q);
				}
		}
		q = __atomic_exchange_n(&handoff[w->id][i % 64], NULL,
					__ATOMIC_ACQ_REL);
		if (q)
			kmem_cache_free(storm_cache, q);
		if (w->id == STORM_THREADS - 1 && i % 4096 == 0)
			kmem_cache_shrink(storm_cache);
		w->ops++;
		if (w->ops % GATE_BATCH == 0)
			host_cpu_turn(w->cpu);
	}
	while (n)
		kmem_cache_free(storm_cache, mine[--n]);
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: four threads allocate from one cache and free both their
 * own objects and objects handed over by another thread, while one of
 * them shrinks the cache (draining every hart's magazine) now and then.
 * Expect no report, no object handed out twice (each keeps its owner's
 * mark until freed), slab_check() clean, every object back after the
 * handoff slots are emptied, and destroy to succeed with pages back.
 */
static void magazine_storm(struct ktest *t)
{
	struct storm w[STORM_THREADS] = { 0 };
	unsigned long free0;
	unsigned int ncpu;

	kmem_reap(); /* what is held for speed, down to the reserves */
	free0 = buddy_free_pages();
	storm_cache = kmem_cache_create("mag-storm", 64, 0, 0, NULL);
	KTEST_ASSERT_NOT_NULL(t, storm_cache);
	memset(handoff, 0, sizeof(handoff));
	ncpu = host_cpus_begin(STORM_THREADS);
	pthread_barrier_init(&storm_start, NULL, STORM_THREADS);
	for (unsigned int i = 0; i < STORM_THREADS; i++) {
		w[i].id = i;
		w[i].cpu = i % ncpu;
		pthread_create(&w[i].th, NULL, storm_worker, &w[i]);
	}
	for (unsigned int i = 0; i < STORM_THREADS; i++)
		pthread_join(w[i].th, NULL);
	pthread_barrier_destroy(&storm_start);
	host_cpus_end();
	for (unsigned int i = 0; i < STORM_THREADS; i++) {
		KTEST_EXPECT_EQ(t, w[i].bad, 0);
		for (unsigned int j = 0; j < 64; j++)
			if (handoff[i][j])
				kmem_cache_free(storm_cache, handoff[i][j]);
	}
	KTEST_EXPECT_EQ(t, info_of(storm_cache).active_objs, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(storm_cache), 0);
	/* kmem_cache's magazines, where the descriptor went: reserves. */
	kmem_reap();
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
}

static const struct ktest_case slab_cpu_cases[] = {
	KTEST_CASE(magazine_lifo),
	KTEST_CASE(magazine_batches),
	KTEST_CASE(magazine_double_free),
	KTEST_CASE(free_validates_first),
	KTEST_CASE(drain_other_hart),
	KTEST_CASE(oom_drains_magazines),
	KTEST_CASE(magazine_storm),
	KTEST_CASE(depot_round_trip),
	KTEST_CASE(depot_overflow),
	KTEST_CASE(destroy_several_harts),
	KTEST_END,
};

static const struct ktest_suite slab_cpu_suite = {
	.name = "slab_cpu",
	.cases = slab_cpu_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&slab_cpu_suite)
