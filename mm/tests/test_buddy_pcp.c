// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the per-hart page lists of mm/buddy.c ("Per-hart page
 * lists"): refill and drain in batches, the high watermark, drain
 * before fail, frees on another hart, double frees of cached pages, and
 * what buddy_check(), buddyinfo and meminfo say about cached pages.
 * POSIX threads stand in for harts (lib/tests/host_cpu.c gives each its
 * own cpu_id()); the threads here run one after the other, handing
 * over through a barrier, so that every count is exact. Each case
 * starts from a fresh allocator over 64 MiB of fake RAM in one zone
 * (DMA32), whose batch and high the cases read from the zone.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/fail_alloc.h"
#include "mm/tests/host_arch.h"
#include "mm/trace.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (64UL << 20)
#define DRAIN_WORKERS 3

static struct zone *zone;

static void fresh(void)
{
	host_phys_fini();
	host_phys_init_buddy(PHYS_BASE, PHYS_SIZE);
	zone = &buddy.zones[ZONE_DMA32];
}

/* Pages on the zone's free lists (per-hart lists not included). */
static uint64_t list_pages(void)
{
	uint64_t n = 0;

	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		n += buddy_zone_nr_free(ZONE_DMA32, o) << o;
	return n;
}

/* Pages on hart cpu's list for the zone (its owner is not running). */
static uint32_t pcp_count(unsigned int cpu)
{
	return buddy_pcp_of(cpu)->zone[ZONE_DMA32].count;
}

/* ---------------------------------------------------------- bug hook */

static unsigned int bugs_seen;
static enum buddy_bug last_bug;

static void bug_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	__atomic_store_n(&last_bug, bug, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bugs_seen, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ threads */

/*
 * A helper hart: runs fn(arg) on its own thread (its own cpu_id()),
 * records its cpu, and stays alive, holding that cpu number and so its
 * list, until hart_stop(), so that no later thread inherits the list.
 */
struct hart {
	pthread_t th;
	pthread_barrier_t done, stop;
	void (*fn)(void *);
	void *arg;
	unsigned int cpu;
};

static void *hart_main(void *p)
{
	struct hart *h = p;

	h->cpu = cpu_id();
	h->fn(h->arg);
	pthread_barrier_wait(&h->done);
	pthread_barrier_wait(&h->stop);
	return NULL;
}

/* Start h running fn(arg); returns once fn has returned. */
static void hart_run(struct hart *h, void (*fn)(void *), void *arg)
{
	h->fn = fn;
	h->arg = arg;
	pthread_barrier_init(&h->done, NULL, 2);
	pthread_barrier_init(&h->stop, NULL, 2);
	if (pthread_create(&h->th, NULL, hart_main, h)) {
		fprintf(stderr, "test_buddy_pcp: pthread_create failed\n");
		abort();
	}
	pthread_barrier_wait(&h->done);
}

static void hart_stop(struct hart *h)
{
	pthread_barrier_wait(&h->stop);
	pthread_join(h->th, NULL);
	pthread_barrier_destroy(&h->done);
	pthread_barrier_destroy(&h->stop);
}

/* Pages handed between harts. */
struct batch {
	struct page **pages;
	unsigned int n;
};

static void batch_alloc(void *arg)
{
	struct batch *b = arg;

	for (unsigned int i = 0; i < b->n; i++)
		b->pages[i] = alloc_page(GFP_KERNEL);
}

static void batch_free(void *arg)
{
	struct batch *b = arg;

	for (unsigned int i = 0; i < b->n; i++)
		__free_page(b->pages[i]);
}

/* ------------------------------------------------------------- cases */

/*
 * Scenario: a fresh allocator; one order-0 allocation, then batch - 1
 * more, then one more. Expect the first to take exactly batch pages off
 * the free lists and leave batch - 1 on this hart's list; the next
 * batch - 1 to come from the list (free lists untouched, the list
 * emptied); the last to refill again; free pages (cached ones included)
 * to fall by exactly one per allocation; no violation throughout.
 */
static void pcp_refill_batch(struct ktest *t)
{
	unsigned int me = cpu_id(), batch;
	uint64_t lists0, free0;
	struct page *p;

	fresh();
	batch = zone->pcp_batch;
	KTEST_ASSERT(t, batch > 1);
	KTEST_EXPECT_EQ(t, zone->pcp_high, batch * BUDDY_PCP_HIGH_BATCHES);
	lists0 = list_pages();
	free0 = buddy_zone_free(ZONE_DMA32);
	KTEST_EXPECT_EQ(t, lists0, free0);

	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, buddy_page_flags(p) & BUDDY_PG_STATE, PG_head);
	KTEST_EXPECT_EQ(t, list_pages(), lists0 - batch);
	KTEST_EXPECT_EQ(t, pcp_count(me), batch - 1);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), batch - 1);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 - 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	for (unsigned int i = 1; i < batch; i++) {
		p = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_EQ(t, buddy_page_flags(p) & BUDDY_PG_STATE,
				PG_head);
	}
	KTEST_EXPECT_EQ(t, list_pages(), lists0 - batch);
	KTEST_EXPECT_EQ(t, pcp_count(me), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 - batch);

	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, list_pages(), lists0 - 2 * batch);
	KTEST_EXPECT_EQ(t, pcp_count(me), batch - 1);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 - batch - 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: hold high + batch order-0 pages with this hart's list empty,
 * then free them one at a time. Expect each free to add one page to the
 * list until it would pass high, when batch pages go back to the free
 * lists at once: the list never holds more than high, and every free
 * adds one to the free pages. After buddy_drain_local_pages() the list
 * is empty and the free lists hold every free page again.
 */
static void pcp_high_watermark(struct ktest *t)
{
	unsigned int me = cpu_id(), high, batch, n, drains = 0;
	struct page **held;
	uint64_t free0;

	fresh();
	high = zone->pcp_high;
	batch = zone->pcp_batch;
	n = high + batch;
	held = calloc(n, sizeof(*held));
	KTEST_ASSERT_NOT_NULL(t, held);
	for (unsigned int i = 0; i < n; i++) {
		held[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, held[i]);
	}
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, pcp_count(me), 0);
	free0 = buddy_zone_free(ZONE_DMA32);

	for (unsigned int i = 0; i < n; i++) {
		uint32_t before = pcp_count(me);

		__free_page(held[i]);
		if (before == high) {
			KTEST_EXPECT_EQ(t, pcp_count(me), high + 1 - batch);
			drains++;
		} else {
			KTEST_EXPECT_EQ(t, pcp_count(me), before + 1);
		}
		KTEST_EXPECT_LE(t, pcp_count(me), high);
		KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 + i + 1);
	}
	KTEST_EXPECT_EQ(t, drains, 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, pcp_count(me), 0);
	KTEST_EXPECT_EQ(t, list_pages(), free0 + n);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(held);
}

/*
 * Scenario: n order-0 pages allocated on hart A are freed on hart B.
 * Expect them on B's list (the freer's), A's list as A left it, the
 * free pages exact, and no violation; draining every list leaves none.
 */
static void pcp_cross_hart_free(struct ktest *t)
{
	struct hart a, b;
	struct page *pages[8];
	struct batch bt = { pages, 8 };
	uint64_t free0;
	uint32_t a_after_alloc;

	fresh();
	KTEST_ASSERT(t, zone->pcp_high >= 8);
	free0 = buddy_zone_free(ZONE_DMA32);
	hart_run(&a, batch_alloc, &bt);
	for (unsigned int i = 0; i < 8; i++)
		KTEST_ASSERT_NOT_NULL(t, pages[i]);
	a_after_alloc = pcp_count(a.cpu);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 - 8);

	hart_run(&b, batch_free, &bt);
	KTEST_EXPECT_NE(t, a.cpu, b.cpu);
	KTEST_EXPECT_EQ(t, pcp_count(b.cpu), 8);
	KTEST_EXPECT_EQ(t, pcp_count(a.cpu), a_after_alloc);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), a_after_alloc + 8);
	for (unsigned int i = 0; i < 8; i++)
		KTEST_EXPECT_EQ(t, buddy_page_flags(pages[i]), PG_pcp);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, pcp_count(a.cpu), 0);
	KTEST_EXPECT_EQ(t, pcp_count(b.cpu), 0);
	KTEST_EXPECT_EQ(t, list_pages(), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	hart_stop(&a);
	hart_stop(&b);
}

/* Hand out `n` held pages to free on a helper hart. */
struct drain_share {
	struct page **pages;
	unsigned int n;
};

/*
 * Scenario: this thread takes every free page, then DRAIN_WORKERS other
 * threads each free high pages (all stay on their lists), so that every
 * free page is cached on another hart and the free lists are empty.
 * Expect a GFP_ATOMIC allocation here to fail (it never drains other
 * harts' lists) and change nothing, and a GFP_KERNEL one made as if
 * from an interrupt handler (cpu_in_irq()) likewise; then a GFP_KERNEL
 * order-1 and an
 * order-0 allocation to succeed after draining every list, with the
 * cached pages counted exactly throughout and no violation.
 */
static void pcp_drain_before_fail(struct ktest *t)
{
	struct hart w[DRAIN_WORKERS];
	struct batch share[DRAIN_WORKERS];
	unsigned int me = cpu_id(), high, nheld = 0, cap;
	struct page **held, *p, *q;
	uint64_t cached;

	fresh();
	high = zone->pcp_high;
	cap = (unsigned int)zone->managed_pages;
	held = calloc(cap, sizeof(*held));
	KTEST_ASSERT_NOT_NULL(t, held);
	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN)))
		held[nheld++] = p;
	KTEST_EXPECT_EQ(t, nheld, zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_ASSERT(t, nheld >= DRAIN_WORKERS * high);

	/* Worker k frees a run of high consecutive held pages. */
	for (unsigned int k = 0; k < DRAIN_WORKERS; k++) {
		share[k].pages = &held[nheld - (k + 1) * high];
		share[k].n = high;
		hart_run(&w[k], batch_free, &share[k]);
		KTEST_EXPECT_EQ(t, pcp_count(w[k].cpu), high);
	}
	cached = (uint64_t)DRAIN_WORKERS * high;
	nheld -= DRAIN_WORKERS * high;
	KTEST_EXPECT_EQ(t, list_pages(), 0);
	KTEST_EXPECT_EQ(t, pcp_count(me), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), cached);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), cached);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	p = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), cached);
	/* In an interrupt handler GFP_KERNEL is atomic too. */
	host_cpu_set_in_irq(true);
	p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	host_cpu_set_in_irq(false);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), cached);

	p = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), cached - 2);
	q = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	__free_pages(p, 1);
	__free_page(q);
	for (unsigned int k = 0; k < DRAIN_WORKERS; k++)
		hart_stop(&w[k]);
	while (nheld)
		__free_page(held[--nheld]);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, list_pages(), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(held);
}

/*
 * Scenario: a page sits on this hart's list; it is freed again, with
 * order 0 and with order 1. Expect each call reported once as "BUG:
 * double free pfn 0x<pfn> order <o> caller 0x...", the hook told, and nothing
 * changed: the list count, the free pages, a clean check.
 */
static void pcp_double_free(struct ktest *t)
{
	unsigned int me = cpu_id(), seen;
	struct page *p;
	uint32_t count;
	uint64_t free0;
	char want[64];

	fresh();
	buddy_set_bug_hook(bug_hook);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_page(p);
	KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_pcp);
	count = pcp_count(me);
	free0 = buddy_zone_free(ZONE_DMA32);

	for (unsigned int order = 0; order <= 1; order++) {
		seen = bugs_seen;
		capture_start(NULL);
		__free_pages(p, order);
		capture_stop();
		snprintf(want, sizeof(want),
			 "BUG: double free pfn 0x%lx order %u caller 0x",
			 page_to_pfn(p), order);
		KTEST_EXPECT(t, capture_has(want));
		KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
		KTEST_EXPECT_EQ(t, pcp_count(me), count);
		KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0);
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
	}
	buddy_set_bug_hook(NULL);
}

/*
 * Scenario: the calls below have a constant order 0, so they take the
 * inline fast paths of mm/buddy_fast.h, and each misuse must leave them
 * for the out-of-line path that reports it: a cached page freed again,
 * the head of an order-1 block freed as order 0 (the claim succeeds,
 * then the order check refuses), a pointer 8 bytes into a descriptor,
 * and NULL. Expect one BUG line of the right kind each, naming this
 * function's call site (an address inside the test binary, not 0), the
 * order-1 head's flags given back (PG_head), and nothing else changed:
 * the list count, the free pages, a clean check; the order-1 block
 * then frees normally.
 */
static void pcp_inline_refusals(struct ktest *t)
{
	unsigned int me = cpu_id(), seen;
	struct page *p, *big;
	uint32_t count;
	uint64_t free0;
	char want[80];

	fresh();
	buddy_set_bug_hook(bug_hook);
	p = alloc_page(GFP_KERNEL);
	big = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_NOT_NULL(t, big);
	__free_page(p);
	count = pcp_count(me);
	free0 = buddy_zone_free(ZONE_DMA32);

	seen = bugs_seen;
	capture_start(NULL);
	__free_page(p);
	capture_stop();
	snprintf(want, sizeof(want),
		 "BUG: double free pfn 0x%lx order 0 caller 0x",
		 page_to_pfn(p));
	KTEST_EXPECT(t, capture_has(want));
	KTEST_EXPECT(t, !capture_has("caller 0x0\n"));
	KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
	KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);

	seen = bugs_seen;
	capture_start(NULL);
	__free_page(big);
	capture_stop();
	snprintf(want, sizeof(want),
		 "BUG: free with wrong order (allocated with 1) pfn 0x%lx "
		 "order 0 caller 0x",
		 page_to_pfn(big));
	KTEST_EXPECT(t, capture_has(want));
	KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
	KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_WRONG_ORDER);
	KTEST_EXPECT_EQ(t, buddy_page_flags(big) & BUDDY_PG_STATE, PG_head);
	KTEST_EXPECT_EQ(t, big->order, 1);

	seen = bugs_seen;
	capture_start(NULL);
	__free_page((struct page *)((char *)p + 8));
	__free_page(NULL);
	capture_stop();
	KTEST_EXPECT_EQ(t, bugs_seen, seen + 2);
	KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_NOT_RAM);

	KTEST_EXPECT_EQ(t, pcp_count(me), count);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	__free_pages(big, 1);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 + 2);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_set_bug_hook(NULL);
}

/*
 * Scenario: n order-0 pages freed in turn onto this hart's empty list,
 * then allocated again; then high + 1 pages freed with the list empty.
 * Expect the allocations to return the pages in the reverse order of
 * their frees (the hottest first: the list is a LIFO stack), and the
 * free that passes high to give back the batch freed first (the
 * coldest), keeping the pages freed last on the list.
 */
static void pcp_lifo_order(struct ktest *t)
{
	enum { N = 8 };
	unsigned int me = cpu_id(), high, batch;
	struct page *pages[N], **many;

	fresh();
	high = zone->pcp_high;
	batch = zone->pcp_batch;
	KTEST_ASSERT(t, high > N && batch < high);
	for (unsigned int i = 0; i < N; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, pages[i]);
	}
	buddy_drain_local_pages();
	for (unsigned int i = 0; i < N; i++)
		__free_page(pages[i]);
	KTEST_EXPECT_EQ(t, pcp_count(me), N);
	for (unsigned int i = N; i-- > 0;)
		KTEST_EXPECT(t, alloc_page(GFP_KERNEL) == pages[i]);
	KTEST_EXPECT_EQ(t, pcp_count(me), 0);
	for (unsigned int i = 0; i < N; i++)
		__free_page(pages[i]);
	buddy_drain_local_pages();

	many = calloc(high + 1, sizeof(*many));
	KTEST_ASSERT_NOT_NULL(t, many);
	for (unsigned int i = 0; i <= high; i++) {
		many[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, many[i]);
	}
	buddy_drain_local_pages();
	for (unsigned int i = 0; i <= high; i++)
		__free_page(many[i]);
	KTEST_EXPECT_EQ(t, pcp_count(me), high + 1 - batch);
	for (unsigned int i = 0; i <= high; i++)
		KTEST_EXPECT_EQ(t, buddy_page_flags(many[i]) == PG_pcp,
				i >= batch);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(many);
}

/*
 * Scenario: pages cached on this hart's list, then three kinds of
 * damage, each undone after the check: a cached page's flags made
 * PG_head, the list's count off by one, and a cached page's poison
 * overwritten. Expect buddy_check() clean before, at least one "I11"
 * violation for each damage, and clean again after each repair.
 */
static void pcp_check_detects(struct ktest *t)
{
	struct buddy_pcp *pcp = &buddy_pcp_of(cpu_id())->zone[ZONE_DMA32];
	struct page *p;

	fresh();
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_page(p);
	KTEST_ASSERT(t, pcp->count > 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	capture_start(NULL);
	buddy_set_page_flags(p, PG_head);
	KTEST_EXPECT_GT(t, buddy_check(), 0);
	buddy_set_page_flags(p, PG_pcp);
	pcp->count++;
	KTEST_EXPECT_GT(t, buddy_check(), 0);
	pcp->count--;
	p->private = 0;
	KTEST_EXPECT_GT(t, buddy_check(), 0);
	p->private = BUDDY_PCP_POISON;
	capture_stop();
	KTEST_EXPECT(t, capture_has("buddy_check: I11 "));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: pages cached on this hart's list. Expect buddyinfo and
 * meminfo to end in " pcp=<n>" with n the cached pages, meminfo's free
 * to include them, and after a drain "pcp=0".
 */
static void pcp_meminfo(struct ktest *t)
{
	struct buddy_stats st;
	struct page *p;
	char want[160];

	fresh();
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_page(p);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.pcp, zone->pcp_batch);
	KTEST_EXPECT_EQ(t, st.free, zone->managed_pages);

	capture_start(NULL);
	buddy_print_info();
	capture_stop();
	snprintf(want, sizeof(want),
		 "meminfo: present=%lu managed=%lu free=%lu pcp=%lu\n",
		 st.present, st.managed, st.free, st.pcp);
	KTEST_EXPECT(t, capture_has(want));
	snprintf(want, sizeof(want), " pcp=%lu\nmeminfo: ", st.pcp);
	KTEST_EXPECT(t, capture_has(want));

	buddy_drain_all_pages();
	capture_start(NULL);
	buddy_print_info();
	capture_stop();
	snprintf(want, sizeof(want), "free=%lu pcp=0\n", st.free);
	KTEST_EXPECT(t, capture_has(want));
}

/* True if every hart's GFP_KERNEL list is its DMA32 list (or, none:
 * buddy_pcp_none). */
static bool kernel_lists_are(bool none)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct buddy_pcp *want =
			none ? &buddy_pcp_none
			     : &buddy_pcp_of(cpu)->zone[ZONE_DMA32];

		if (buddy_pcp_of(cpu)->kernel != want)
			return false;
	}
	return true;
}

/*
 * Scenario: the inline GFP_KERNEL allocation reads no armed word; it
 * pops from buddy_pcp_hart.kernel, which buddy_pcp_sync_kernel() points
 * at the always-empty buddy_pcp_none while fault injection or
 * page_trace is armed. A page sits on this hart's list throughout.
 * Expect every hart's kernel list to be its zone's after init; with
 * fail_page_alloc armed at probability 100, every kernel list
 * buddy_pcp_none and alloc_page() failing, the cached page left where
 * it is; disarmed, the lists back and the cached page handed out
 * first; with page_trace on, the lists buddy_pcp_none again and the
 * cached page handed out with its "page: alloc" line; off, back.
 */
static void pcp_inline_hooks(struct ktest *t)
{
	unsigned int me = cpu_id();
	struct page *p, *q;
	uint32_t count;
	char want[64];

	fresh();
	KTEST_EXPECT(t, kernel_lists_are(false));
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_page(p);
	count = pcp_count(me);
	KTEST_ASSERT(t, buddy_pcp_of(me)->zone[ZONE_DMA32].top == p);

	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,0,-1", NULL), 0);
	fail_alloc_arm(true);
	KTEST_EXPECT(t, kernel_lists_are(true));
	KTEST_EXPECT(t, !alloc_page(GFP_KERNEL | __GFP_NOWARN));
	KTEST_EXPECT_EQ(t, pcp_count(me), count);
	fail_alloc_arm(false);
	KTEST_EXPECT(t, kernel_lists_are(false));
	q = alloc_page(GFP_KERNEL);
	KTEST_EXPECT(t, q == p);
	__free_page(q);

	capture_start(NULL);
	mm_trace_set(MM_TRACE_PAGES);
	KTEST_EXPECT(t, kernel_lists_are(true));
	q = alloc_page(GFP_KERNEL);
	mm_trace_set(0);
	capture_stop();
	KTEST_EXPECT(t, q == p);
	snprintf(want, sizeof(want), "page: alloc 0x%lx 1\n", page_to_pfn(p));
	KTEST_EXPECT(t, capture_has(want));
	KTEST_EXPECT(t, kernel_lists_are(false));
	__free_page(q);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: an allocated page whose zone byte was overwritten with a
 * value that names no zone (an I2 violation) is freed by the inline
 * path. Its claim succeeds and its order is 0, but the zone byte is
 * what picks the list there. Expect no BUG line (the free is right),
 * the page on this hart's list of its range's zone (DMA32), as PG_pcp
 * and on top, buddy_check() reporting the damaged byte, and a clean
 * check once it is repaired.
 */
static void pcp_inline_bad_zone(struct ktest *t)
{
	unsigned int me = cpu_id(), seen;
	struct page *p;
	uint32_t count;

	fresh();
	buddy_set_bug_hook(bug_hook);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	count = pcp_count(me);
	seen = bugs_seen;
	p->zone = 7;
	__free_page(p);
	KTEST_EXPECT_EQ(t, bugs_seen, seen);
	KTEST_EXPECT_EQ(t, pcp_count(me), count + 1);
	KTEST_EXPECT(t, buddy_pcp_of(me)->zone[ZONE_DMA32].top == p);
	KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_pcp);
	capture_start(NULL);
	KTEST_EXPECT_GE(t, buddy_check(), 1);
	capture_stop();
	p->zone = ZONE_DMA32;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_set_bug_hook(NULL);
}

/*
 * Scenario: an allocated page whose range byte was overwritten with
 * 200, past every range (there is one here), is freed by the inline
 * path, which indexes buddy_ranges[] with the byte and no bound test:
 * every value has a slot, and slot 200 is empty. Expect no access out
 * of the table (ASan would stop the test), the free refused with one
 * BUG line, nothing cached, the page still allocated; buddy_check()
 * reporting an empty slot made non-empty, and clean again after.
 */
static void pcp_inline_bad_range(struct ktest *t)
{
	unsigned int me = cpu_id(), seen;
	struct page *p;
	uint32_t count;

	fresh();
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 1);
	KTEST_ASSERT(t, BUDDY_RANGE_SLOTS > 200);
	buddy_set_bug_hook(bug_hook);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	count = pcp_count(me);
	seen = bugs_seen;
	p->range = 200;
	capture_start(NULL);
	__free_page(p);
	capture_stop();
	KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
	KTEST_EXPECT(t, capture_has("BUG: "));
	KTEST_EXPECT_EQ(t, pcp_count(me), count);
	KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_head);
	p->range = 0;
	__free_page(p);
	KTEST_EXPECT_EQ(t, pcp_count(me), count + 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	buddy_ranges[200].nr_pages = 1;
	capture_start(NULL);
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	capture_stop();
	KTEST_EXPECT(t, capture_has("I10 range slot 200"));
	buddy_ranges[200].nr_pages = 0;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_set_bug_hook(NULL);
}

/*
 * Scenario: a hart's lists detached (as the kernel does when a hart
 * does not come online), then lists in memory full of garbage attached
 * for it while page_trace is on, then page_trace switched off. Expect
 * the detached hart invisible to the others (buddy_pcp_of() NULL) and
 * the checker and statistics still clean; the attached lists empty,
 * with the bounds of the moment (0 while frees are traced) and the
 * always-empty kernel list while page_trace is armed; and the zone's
 * bound and the hart's own DMA32 list as kernel list once it is off.
 */
static void pcp_attach_detach(struct ktest *t)
{
	static struct buddy_pcp_hart h;
	unsigned int cpu = NR_CPUS - 1;
	struct buddy_stats st;

	fresh();
	buddy_pcp_detach(cpu);
	KTEST_EXPECT(t, buddy_pcp_of(cpu) == NULL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.pcp, 0);

	memset(&h, 0xa5, sizeof(h));
	mm_trace_set(MM_TRACE_PAGES);
	buddy_pcp_attach(cpu, &h);
	KTEST_EXPECT(t, buddy_pcp_of(cpu) == &h);
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		KTEST_EXPECT(t, h.zone[z].top == NULL);
		KTEST_EXPECT_EQ(t, h.zone[z].count, 0);
		KTEST_EXPECT_EQ(t, h.zone[z].high, 0);
	}
	KTEST_EXPECT(t, h.kernel == &buddy_pcp_none);
	mm_trace_set(0);
	KTEST_EXPECT_EQ(t, h.zone[ZONE_DMA32].high, zone->pcp_high);
	KTEST_EXPECT(t, h.kernel == &h.zone[ZONE_DMA32]);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_pcp_detach(cpu);
	fresh();
	KTEST_EXPECT(t, buddy_pcp_of(cpu) != &h && buddy_pcp_of(cpu) != NULL);
}

/* ------------------------------------------------------------- suite */

static void suite_exit(void)
{
	host_phys_fini();
}

static const struct ktest_case buddy_pcp_cases[] = {
	KTEST_CASE(pcp_refill_batch),	 KTEST_CASE(pcp_high_watermark),
	KTEST_CASE(pcp_cross_hart_free), KTEST_CASE(pcp_drain_before_fail),
	KTEST_CASE(pcp_double_free),	 KTEST_CASE(pcp_check_detects),
	KTEST_CASE(pcp_meminfo),	 KTEST_CASE(pcp_inline_refusals),
	KTEST_CASE(pcp_lifo_order),	 KTEST_CASE(pcp_inline_hooks),
	KTEST_CASE(pcp_inline_bad_zone), KTEST_CASE(pcp_inline_bad_range),
	KTEST_CASE(pcp_attach_detach),	 KTEST_END,
};

static const struct ktest_suite buddy_pcp_suite = { "buddy_pcp",
						    buddy_pcp_cases, NULL,
						    suite_exit };

KTEST_HOST_MAIN(&buddy_pcp_suite)
