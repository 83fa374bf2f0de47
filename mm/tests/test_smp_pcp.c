// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the cross-hart calls (mm/arch.h arch_call_each_cpu,
 * modelled in mm/tests/host_arch.c and lib/tests/host_cpu.c) and of the
 * owner-only per-hart page lists that depend on them (mm/buddy_pcp.c):
 * drains served by a hart spinning on a lock with interrupts off, by a
 * hart blocked with interrupts on, by a hart whose thread has finished;
 * two harts requesting at once; refill and drain while others drain.
 * POSIX threads stand in for harts (each its own cpu_id()). Built with
 * ASan+UBSan and, as a test_smp* file, under ThreadSanitizer too. Each
 * case starts from a fresh allocator over 64 MiB of fake RAM in one
 * zone (DMA32).
 */
#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "lib/spinlock.h"
#include "lib/tests/host_ktest.h"
#include "mm/arch.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (64UL << 20)
#define REQUEST_ROUNDS 200

static struct zone *zone;

static void fresh(void)
{
	host_phys_fini();
	host_phys_init_buddy(PHYS_BASE, PHYS_SIZE);
	zone = &buddy.zones[ZONE_DMA32];
}

/* Hart cpu's list count, read as meminfo does (relaxed). */
static uint32_t pcp_count(unsigned int cpu)
{
	return __atomic_load_n(&buddy_pcp_of(cpu)->zone[ZONE_DMA32].count,
			       __ATOMIC_RELAXED);
}

static void start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	if (pthread_create(th, NULL, fn, arg)) {
		fprintf(stderr, "test_smp_pcp: pthread_create failed\n");
		abort();
	}
}

/* Wait until *flag is set, as a hart waits: serving calls meanwhile. */
static void wait_flag(const int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void set_flag(int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

/* ----------------------------------------------------- the mechanism */

/*
 * Per cpu number: calls seen and calls seen with interrupts on. Each
 * slot is written only by whoever runs that cpu number's share, which
 * the model makes exclusive, so plain increments must add up (and
 * ThreadSanitizer would see a race if they were not exclusive).
 */
static struct {
	unsigned long runs, irq_on;
} seen[NR_CPUS];

static void note_call(void *arg)
{
	unsigned int cpu = cpu_id();

	(void)arg;
	seen[cpu].runs++;
	if (cpu_irq_enabled())
		seen[cpu].irq_on++;
}

static void *exit_at_once(void *arg)
{
	*(unsigned int *)arg = cpu_id();
	return NULL;
}

struct blocked {
	pthread_t th;
	unsigned int cpu;
	int ready, go;
};

/* Take a cpu number, then block (interrupts on) until told to go. */
static void *block_until_go(void *arg)
{
	struct blocked *b = arg;

	b->cpu = cpu_id();
	set_flag(&b->ready);
	while (!__atomic_load_n(&b->go, __ATOMIC_ACQUIRE))
		sched_yield();
	return NULL;
}

/*
 * Scenario: one helper thread blocked with interrupts on, one that has
 * already exited, and the rest of the cpu numbers never used; call
 * arch_call_each_cpu() twice from this thread. Expect every cpu number
 * to run the function exactly once per call, always with interrupts off,
 * and the requester to have served at least the idle numbers itself.
 */
static void call_reaches_every_cpu(struct ktest *t)
{
	struct blocked b = { 0 };
	unsigned int gone = 0;
	unsigned long proxied = host_arch_cpu_proxied;
	pthread_t th;

	memset(seen, 0, sizeof(seen));
	start(&th, exit_at_once, &gone);
	pthread_join(th, NULL);
	start(&b.th, block_until_go, &b);
	wait_flag(&b.ready);
	arch_call_each_cpu(note_call, NULL);
	arch_call_each_cpu(note_call, NULL);
	set_flag(&b.go);
	pthread_join(b.th, NULL);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		KTEST_EXPECT_EQ(t, seen[cpu].runs, 2);
		KTEST_EXPECT_EQ(t, seen[cpu].irq_on, 0);
	}
	KTEST_EXPECT_GE(t, host_arch_cpu_proxied - proxied, 2 * (NR_CPUS - 1));
}

struct requester {
	pthread_t th;
	int ready, *go;
	unsigned int rounds;
};

static void *request_rounds(void *arg)
{
	struct requester *r = arg;

	set_flag(&r->ready);
	wait_flag(r->go);
	for (unsigned int i = 0; i < r->rounds; i++)
		arch_call_each_cpu(note_call, NULL);
	return NULL;
}

/*
 * Scenario: two threads call arch_call_each_cpu() REQUEST_ROUNDS times
 * each, at the same time, while this thread waits for them in a spin
 * loop with interrupts off. Expect both to finish (no deadlock), every
 * cpu number to have run the function 2 x REQUEST_ROUNDS times and
 * never with interrupts on.
 */
static void two_requesters(struct ktest *t)
{
	struct requester r[2];
	int go = 0;
	unsigned long irq;

	memset(seen, 0, sizeof(seen));
	for (unsigned int i = 0; i < 2; i++) {
		r[i] = (struct requester){ .go = &go,
					   .rounds = REQUEST_ROUNDS };
		start(&r[i].th, request_rounds, &r[i]);
		wait_flag(&r[i].ready);
	}
	irq = cpu_irq_save();
	set_flag(&go);
	/* Interrupts off: only the wait loop can serve this thread's share. */
	while (seen[cpu_id()].runs < 2 * REQUEST_ROUNDS)
		cpu_relax();
	cpu_irq_restore(irq);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(r[i].th, NULL);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		KTEST_EXPECT_EQ(t, seen[cpu].runs, 2 * REQUEST_ROUNDS);
		KTEST_EXPECT_EQ(t, seen[cpu].irq_on, 0);
	}
}

/* --------------------------------------------------- drains and fails */

/* A hart that frees `n` pages onto its list, then does `then`. */
struct freer {
	pthread_t th;
	struct page **pages;
	unsigned int n, cpu;
	int freed, got_lock, go;
	spinlock_t *lock; /* spin on it with interrupts off, or NULL */
};

static void *free_then_spin(void *arg)
{
	struct freer *f = arg;
	unsigned long irq;

	f->cpu = cpu_id();
	for (unsigned int i = 0; i < f->n; i++)
		__free_page(f->pages[i]);
	set_flag(&f->freed);
	if (f->lock) {
		irq = spin_lock_irqsave(f->lock);
		set_flag(&f->got_lock);
		spin_unlock_irqrestore(f->lock, irq);
	}
	return NULL;
}

/* Every free page of the zone, held; returns how many. */
static unsigned int take_all(struct page **held, unsigned int cap)
{
	unsigned int n = 0;
	struct page *p;

	while (n < cap && (p = alloc_page(GFP_KERNEL | __GFP_NOWARN)))
		held[n++] = p;
	return n;
}

/*
 * Scenario: this thread holds every page; a helper frees pcp_high of
 * them (all stay on its list) and then spins, interrupts off, on a
 * spinlock this thread holds. With the lock still held, this thread
 * (interrupts on) allocates with GFP_KERNEL. Expect the allocation to
 * succeed through a drain that the spinning helper served inside its
 * wait (it has not got the lock yet), its list to be empty, the free
 * pages exact and buddy_check() clean.
 */
static void drain_served_while_spinning(struct ktest *t)
{
	static DEFINE_SPINLOCK(held_lock);
	unsigned int cap, nheld, high;
	struct page **held, *p;
	struct freer f = { 0 };

	fresh();
	high = zone->pcp_high;
	cap = (unsigned int)zone->managed_pages;
	held = calloc(cap, sizeof(*held));
	KTEST_ASSERT_NOT_NULL(t, held);
	nheld = take_all(held, cap);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_ASSERT(t, nheld >= high && high > 0);

	/* Held with interrupts on: this thread stays a requester. */
	spin_lock(&held_lock);
	f.pages = &held[nheld - high];
	f.n = high;
	f.lock = &held_lock;
	nheld -= high;
	start(&f.th, free_then_spin, &f);
	wait_flag(&f.freed);
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), high);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), high);

	KTEST_EXPECT(t, cpu_irq_enabled());
	p = alloc_page(GFP_KERNEL);
	KTEST_EXPECT(t, p != NULL);
	KTEST_EXPECT(t, !__atomic_load_n(&f.got_lock, __ATOMIC_ACQUIRE));
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), high - 1);

	spin_unlock(&held_lock);
	pthread_join(f.th, NULL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	if (p)
		__free_page(p);
	while (nheld)
		__free_page(held[--nheld]);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(held);
}

/*
 * Scenario: this thread holds every page; a helper frees pcp_high of
 * them onto its list and exits, so its cpu number is idle with pages
 * cached. Expect buddy_check() clean, a GFP_ATOMIC allocation to fail
 * (it drains no other hart), then a GFP_KERNEL one to succeed through a
 * drain that the requester served on the idle hart's behalf, leaving
 * its list empty.
 */
static void drain_idle_hart(struct ktest *t)
{
	unsigned int cap, nheld, high;
	struct page **held, *p;
	struct freer f = { 0 };

	fresh();
	high = zone->pcp_high;
	cap = (unsigned int)zone->managed_pages;
	held = calloc(cap, sizeof(*held));
	KTEST_ASSERT_NOT_NULL(t, held);
	nheld = take_all(held, cap);
	KTEST_ASSERT(t, nheld >= high && high > 0);
	f.pages = &held[nheld - high];
	f.n = high;
	nheld -= high;
	start(&f.th, free_then_spin, &f);
	pthread_join(f.th, NULL);
	KTEST_EXPECT_NE(t, f.cpu, cpu_id());
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), high);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	p = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), high);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), high - 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	__free_page(p);
	while (nheld)
		__free_page(held[--nheld]);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(held);
}

/*
 * Scenario: with interrupts off (as inside a per-hart cache path), a
 * GFP_KERNEL allocation finds every free page on another hart's list.
 * Expect it to fail without asking other harts (their list untouched),
 * since its own share of the call would run inside that path.
 */
static void no_remote_drain_with_irqs_off(struct ktest *t)
{
	unsigned int cap, nheld, high;
	struct page **held, *p;
	struct freer f = { 0 };
	unsigned long irq, calls;

	fresh();
	high = zone->pcp_high;
	cap = (unsigned int)zone->managed_pages;
	held = calloc(cap, sizeof(*held));
	KTEST_ASSERT_NOT_NULL(t, held);
	nheld = take_all(held, cap);
	f.pages = &held[nheld - high];
	f.n = high;
	nheld -= high;
	start(&f.th, free_then_spin, &f);
	pthread_join(f.th, NULL);

	calls = host_arch_cpu_calls;
	irq = cpu_irq_save();
	p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	cpu_irq_restore(irq);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, host_arch_cpu_calls, calls);
	KTEST_EXPECT_EQ(t, pcp_count(f.cpu), high);

	while (nheld)
		__free_page(held[--nheld]);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	free(held);
}

/* ------------------------------------------- owners busy while drained */

#define CHURN_PAGES 96

struct churner {
	pthread_t th;
	int *stop;
	unsigned long ops, fails;
};

/*
 * Allocate and free order-0 pages in bursts (refills and drains over
 * high included) until told to stop; every page written and checked.
 */
static void *churn(void *arg)
{
	struct churner *c = arg;
	struct page *pages[CHURN_PAGES];

	while (!__atomic_load_n(c->stop, __ATOMIC_ACQUIRE)) {
		unsigned int n = 0;

		for (; n < CHURN_PAGES; n++) {
			pages[n] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (!pages[n]) {
				c->fails++;
				break;
			}
			*(unsigned long *)page_address(pages[n]) = n;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (*(unsigned long *)page_address(pages[i]) != i)
				c->fails++;
			__free_page(pages[i]);
		}
		c->ops += n;
	}
	return NULL;
}

/*
 * Scenario: two threads allocate and free order-0 pages in bursts (their
 * lists refill and drain) while this thread drains every hart's lists
 * and runs buddy_check() REQUEST_ROUNDS / 4 times each. Expect no
 * failed allocation, no page corrupted, every check clean, and after
 * the threads stop and a last drain every page back in the zone.
 */
static void drain_while_owners_churn(struct ktest *t)
{
	struct churner c[2];
	int stop = 0, bad = 0;

	fresh();
	for (unsigned int i = 0; i < 2; i++) {
		c[i] = (struct churner){ .stop = &stop };
		start(&c[i].th, churn, &c[i]);
	}
	for (unsigned int r = 0; r < REQUEST_ROUNDS / 4; r++) {
		buddy_drain_all_pages();
		bad += buddy_check();
	}
	set_flag(&stop);
	for (unsigned int i = 0; i < 2; i++) {
		pthread_join(c[i].th, NULL);
		KTEST_EXPECT_EQ(t, c[i].fails, 0);
		ktest_info(t, "thread %u: %lu pages", i, c[i].ops);
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* ------------------------------------------------------------- suite */

static void suite_exit(void)
{
	host_phys_fini();
}

static const struct ktest_case smp_pcp_cases[] = {
	KTEST_CASE(call_reaches_every_cpu),
	KTEST_CASE(two_requesters),
	KTEST_CASE(drain_served_while_spinning),
	KTEST_CASE(drain_idle_hart),
	KTEST_CASE(no_remote_drain_with_irqs_off),
	KTEST_CASE(drain_while_owners_churn),
	KTEST_END,
};

static const struct ktest_suite smp_pcp_suite = { "smp_pcp", smp_pcp_cases,
						  NULL, suite_exit };

KTEST_HOST_MAIN(&smp_pcp_suite)
