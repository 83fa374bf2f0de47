// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=smp_pcp: the per-hart cache calls (smp_call_each_cpu, which
 * is mm/arch.h's arch_call_each_cpu) and the owner-only per-hart caches
 * that rely on them: the page lists (mm/buddy_pcp.c) and the slab
 * magazines (mm/slab_cpu.c). Another hart's list or magazine is
 * emptied by an IPI its owner serves, never by the requester touching
 * it. With one hart online, or with allocation failures injected, the
 * cross-hart case skips with a reason.
 */
#include "kernel/fault_inject.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "lib/cpu.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/slab.h"

struct call_seen {
	unsigned int runs[NR_CPUS];
	unsigned int irq_on[NR_CPUS];
	unsigned int in_handler[NR_CPUS];
};

static void note_call(void *arg)
{
	struct call_seen *s = arg;
	unsigned int c = cpu_id();

	s->runs[c]++;
	if (cpu_irq_enabled())
		s->irq_on[c]++;
	if (cpu_in_irq())
		s->in_handler[c]++;
}

/* Scenario: smp_call_each_cpu() three times from this hart. Expect every
 * online hart (this one included) to run the function once per call,
 * each time with interrupts off, and no hart that is not online to run
 * it. (How many ran it from their IPI handler is printed.) */
static void smp_pcp_call_reaches_each_hart(struct ktest *t)
{
	static struct call_seen s;
	unsigned int n = smp_num_online(), me = cpu_id(), handled = 0;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		smp_call_each_cpu(note_call, &s);
	for (unsigned int c = 0; c < n; c++) {
		KTEST_EXPECT_EQ(t, s.runs[c], 3);
		KTEST_EXPECT_EQ(t, s.irq_on[c], 0);
		if (c != me)
			handled += s.in_handler[c];
	}
	ktest_info(t, "%u harts, %u of %u remote shares in an IPI handler", n,
		   handled, 3 * (n - 1));
	for (unsigned int c = n; c < NR_CPUS; c++)
		KTEST_EXPECT_EQ(t, s.runs[c], 0);
}

/*
 * The cross-hart cases need a second hart, and allocations that fail
 * only when memory is really short (their premises count pages); else
 * they skip with the reason.
 */
static bool cross_hart_premise(struct ktest *t)
{
	if (smp_num_online() < 2) {
		ktest_skip(t, "needs 2 harts online");
		return false;
	}
	if (fault_inject_enabled()) {
		ktest_skip(t, "allocation failures are being injected");
		return false;
	}
	return true;
}

/* Free every page chained on the list arg (runs on the other hart). */
static void free_chain(void *arg)
{
	struct list_head *chain = arg;

	while (!list_empty(chain)) {
		struct page *p = list_first_entry(chain, struct page, lru);

		list_del(&p->lru);
		__free_page(p);
	}
}

/* Scenario: this hart (A) takes every free page, chained through the
 * pages' descriptors; hart B frees pcp_high of them, which all stay on
 * B's list, so that B's list holds every free page. Expect a GFP_ATOMIC
 * allocation on A to fail and leave B's list alone, a GFP_KERNEL one to
 * succeed after B, asked by IPI, detached its list (B's list empty, the
 * free pages exact), and buddy_check() clean once all is given back. */
static void smp_pcp_drain_by_ipi(struct ktest *t)
{
	struct list_head held, to_b;
	struct buddy_stats st;
	struct page *p;
	unsigned int high, moved = 0;
	enum zone_type z;

	if (!cross_hart_premise(t))
		return;
	INIT_LIST_HEAD(&held);
	INIT_LIST_HEAD(&to_b);
	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN)))
		list_add(&p->lru, &held);
	KTEST_ASSERT(t, !list_empty(&held));
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.free, 0);
	p = list_first_entry(&held, struct page, lru);
	z = (enum zone_type)p->zone;
	high = buddy.zones[z].pcp_high;
	if (high == 0) {
		free_chain(&held);
		ktest_skip(t, "zone without per-hart lists");
		return;
	}
	/* pcp_high pages of the zone of the first, for B to free. */
	for (struct list_head *e = held.next, *nx; e != &held && moved < high;
	     e = nx) {
		nx = e->next;
		if (list_entry(e, struct page, lru)->zone == z) {
			list_move(e, &to_b);
			moved++;
		}
	}
	KTEST_EXPECT_EQ(t, smp_call_on(1, free_chain, &to_b), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(z), moved);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.free, moved);

	p = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	KTEST_EXPECT(t, p == NULL);
	if (p) /* Given back below whatever happened. */
		list_add(&p->lru, &held);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(z), moved);
	p = alloc_page(GFP_KERNEL);
	KTEST_EXPECT(t, p != NULL);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(z), 0);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.free, moved - 1);
	if (p)
		list_add(&p->lru, &held);
	free_chain(&held);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(z), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

#define SLAB_IPI_OBJS 20

struct slab_fill {
	struct kmem_cache *c;
	unsigned int got;
	void *objs[SLAB_IPI_OBJS];
};

/* Allocate SLAB_IPI_OBJS objects, then free them (on the other hart). */
static void fill_and_free(void *arg)
{
	struct slab_fill *f = arg;

	for (f->got = 0; f->got < SLAB_IPI_OBJS; f->got++)
		if (!(f->objs[f->got] = kmem_cache_alloc(f->c, GFP_KERNEL)))
			break;
	for (unsigned int i = 0; i < f->got; i++)
		kmem_cache_free(f->c, f->objs[i]);
}

/* Pages free plus pages in every cache's slabs. */
static unsigned long pages_accounted(void)
{
	struct buddy_stats st;
	struct slab_totals tot;

	buddy_stats(&st);
	slab_get_totals(&tot);
	return st.free + tot.pages;
}

/* Scenario: hart B allocates 20 objects of a cache and frees them, so
 * they sit in B's magazines (and the cache's depot); then this hart (A)
 * shrinks the cache, and after B fills it again, destroys it. Expect
 * objects cached on B before each, none after the shrink (B, asked by
 * IPI, handed its magazines over) with every slab empty, destroy to
 * succeed with no live object, and every page back (the magazines'
 * too: they are counted in kmem_magazine's slabs). */
static void smp_pcp_slab_drain_by_ipi(struct ktest *t)
{
	static struct slab_fill f;
	struct kmem_cache_info ci;
	unsigned long pages0;

	if (!cross_hart_premise(t))
		return;
	f.c = kmem_cache_create("st-ipi", 128, 0, 0, NULL);
	KTEST_ASSERT(t, f.c != NULL);
	kmem_cache_info(f.c, &ci);
	if (ci.flags & SLAB_DEBUG_FLAGS) {
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(f.c), 0);
		ktest_skip(t, "slab_debug: the magazines are bypassed");
		return;
	}
	pages0 = pages_accounted();
	KTEST_EXPECT_EQ(t, smp_call_on(1, fill_and_free, &f), 0);
	KTEST_EXPECT_EQ(t, f.got, SLAB_IPI_OBJS);
	kmem_cache_info(f.c, &ci);
	KTEST_EXPECT_GE(t, ci.cached, SLAB_IPI_OBJS);
	KTEST_EXPECT_GT(t, ci.cached - ci.depot, 0); /* on B's magazine */
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	kmem_cache_shrink(f.c);
	kmem_cache_info(f.c, &ci);
	KTEST_EXPECT_EQ(t, ci.cached, 0);
	KTEST_EXPECT_EQ(
		t, ci.nr_slabs[KMEM_SLAB_FULL] + ci.nr_slabs[KMEM_SLAB_PARTIAL],
		0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, smp_call_on(1, fill_and_free, &f), 0);
	kmem_cache_info(f.c, &ci);
	KTEST_EXPECT_GT(t, ci.cached - ci.depot, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(f.c), 0);
	KTEST_EXPECT_EQ(t, pages_accounted(), pages0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

static const struct ktest_case smp_pcp_cases[] = {
	KTEST_CASE(smp_pcp_call_reaches_each_hart),
	KTEST_CASE(smp_pcp_drain_by_ipi),
	KTEST_CASE(smp_pcp_slab_drain_by_ipi),
	KTEST_END,
};

static const struct ktest_suite smp_pcp_suite = { "smp_pcp", smp_pcp_cases,
						  NULL, NULL };
KTEST_SUITE_REGISTER(smp_pcp_suite, 71);
