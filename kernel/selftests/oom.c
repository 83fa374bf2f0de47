// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=oom: out-of-memory cycles. OOM_ROUNDS rounds; each round
 * drives every allocator into failure and back:
 *
 *   pages    for every order 0..MAX_ORDER, alloc_pages() until it fails,
 *            then free every block (under any buddy= policy: a block is
 *            the policy's class for the order, block_pages.h);
 *   kmalloc  for every size class, kmalloc() until it fails, then kfree;
 *   vmalloc  areas of 1, 2, 3, ... pages until one fails, then vfree.
 *
 * After each allocator's phase the per-hart caches and lazily freed
 * vmalloc areas are drained, and the free pages and the slab objects in
 * use must be exactly what they were before it (vmalloc's descriptor
 * pages, kept for reuse by design, are counted apart); after each round
 * buddy_check(), slab_check() and vmalloc_check() must be clean.
 * Without fault injection a failure must also be real exhaustion: no
 * free block of the order (or larger) left, per-hart lists included.
 *
 * Cost at 1 GiB under QEMU: exhausting all of RAM page by page, object
 * by object, 100 times, would take hours. Orders >= OOM_BIG_ORDER do
 * exhaust all of RAM (at most 4,096 blocks each at 1 GiB); for the
 * small orders and vmalloc a *ballast* of large blocks is taken first,
 * so that only OOM_REMAINDER_PAGES free pages are left to exhaust, and
 * for the kmalloc classes only OOM_KMALLOC_PAGES. Blocks and objects are
 * chained through themselves (page->lru and private for blocks, the
 * first word of an object or area), so holding all of memory needs no
 * other storage.
 */
#include "kernel/fault_inject.h"
#include "kernel/selftest.h"
#include "kernel/selftests/block_pages.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define OOM_ROUNDS 100
#define OOM_BIG_ORDER 6 /* orders from here up exhaust all of RAM */
#define OOM_REMAINDER_PAGES 1024 /* left free for small orders, vmalloc */
#define OOM_KMALLOC_PAGES 16 /* left free for the kmalloc classes */
#define OOM_GFP (GFP_KERNEL | __GFP_NOWARN)

struct oom_count {
	uint64_t free; /* free pages, nothing cached or lazily held */
	unsigned long objs; /* slab objects in use */
	size_t meta; /* vmalloc descriptor pages (kept for reuse) */
};

static void oom_count(struct oom_count *c)
{
	struct buddy_stats bs;
	struct slab_totals st;
	struct vmalloc_stats vs;

	vmalloc_purge();
	slab_shrink_all();
	buddy_drain_all_pages();
	buddy_stats(&bs);
	slab_get_totals(&st);
	vmalloc_get_stats(&vs);
	c->free = bs.free;
	c->objs = st.active_objs;
	c->meta = vs.meta_pages;
}

/* After a phase: everything back but vmalloc's reusable metadata. */
static bool oom_balanced(struct ktest *t, const char *phase, unsigned int round,
			 const struct oom_count *before)
{
	struct oom_count now;
	uint64_t meta;

	oom_count(&now);
	meta = now.meta > before->meta ? now.meta - before->meta : 0;
	if (now.free + meta == before->free && now.objs == before->objs)
		return true;
	ktest_fail(t, __FILE__, __LINE__,
		   "round %u, %s: free pages %lu -> %lu (vmalloc metadata "
		   "+%lu), slab objects %lu -> %lu",
		   round, phase, (unsigned long)before->free,
		   (unsigned long)now.free, (unsigned long)meta, before->objs,
		   now.objs);
	return false;
}

/*
 * Free blocks in every zone that an allocation of order o could take
 * (per-hart lists drained): of its class or larger (binary: order >= o).
 */
static uint64_t blocks_at_least(unsigned int o)
{
	uint64_t n = 0;

	buddy_drain_all_pages();
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int c = order_class(o); c < buddy_nr_classes();
		     c++)
			n += buddy_zone_nr_free(z, c);
	return n;
}

static void blocks_free(struct list_head *l)
{
	while (!list_empty(l)) {
		struct page *p = list_first_entry(l, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, (unsigned int)p->private);
	}
}

/*
 * Take blocks, largest first, until only `keep` free pages are left (or
 * an allocation fails); chain them on l.
 */
static void ballast_take(struct list_head *l, uint64_t keep)
{
	struct buddy_stats bs;

	for (int o = MAX_ORDER; o >= 0; o--) {
		for (;;) {
			struct page *p;

			buddy_stats(&bs);
			if (bs.free < keep + order_block_pages((unsigned int)o))
				break;
			p = alloc_pages(OOM_GFP, (unsigned int)o);
			if (!p)
				break;
			p->private = (unsigned long)o;
			list_add(&p->lru, l);
		}
	}
}

/* Blocks of order o until failure; free them. The count, or -1. */
static long oom_pages(struct ktest *t, unsigned int round, unsigned int o)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct oom_count before;
	struct page *p;
	long n = 0;

	oom_count(&before);
	while ((p = alloc_pages(OOM_GFP, o))) {
		p->private = o;
		list_add(&p->lru, &held);
		n++;
	}
	if (!fault_inject_enabled() && blocks_at_least(o)) {
		ktest_fail(t, __FILE__, __LINE__,
			   "round %u: order %u failed with %lu free blocks of "
			   "order >= %u",
			   round, o, (unsigned long)blocks_at_least(o), o);
		n = -1;
	}
	blocks_free(&held);
	return oom_balanced(t, "pages", round, &before) ? n : -1;
}

/* Objects of kmalloc class size until failure; free them. */
static long oom_kmalloc(struct ktest *t, unsigned int round, size_t size)
{
	struct oom_count before;
	void **head = NULL, **p;
	long n = 0;

	oom_count(&before);
	while ((p = kmalloc(size, OOM_GFP))) {
		*p = head;
		head = p;
		n++;
	}
	while (head) {
		p = *head;
		kfree(head);
		head = p;
	}
	return oom_balanced(t, "kmalloc", round, &before) ? n : -1;
}

/* Areas of 1, 2, 3, ... pages until one fails; free them. */
static long oom_vmalloc(struct ktest *t, unsigned int round)
{
	struct oom_count before;
	void **head = NULL, **p;
	long n = 0;

	oom_count(&before);
	while ((p = __vmalloc((size_t)(n + 1) * PAGE_SIZE, OOM_GFP))) {
		*p = head;
		head = p;
		n++;
	}
	while (head) {
		p = *head;
		vfree(head);
		head = p;
	}
	return oom_balanced(t, "vmalloc", round, &before) ? n : -1;
}

/* One round; false after the first failure (reported). */
static bool oom_round(struct ktest *t, unsigned int round, bool verbose)
{
	struct list_head ballast = LIST_HEAD_INIT(ballast);
	struct oom_count start;
	long n, total = 0, areas;
	int nb, ns, nv;

	oom_count(&start);
	for (unsigned int o = OOM_BIG_ORDER; o <= MAX_ORDER; o++) {
		if ((n = oom_pages(t, round, o)) < 0)
			return false;
		total += n;
	}
	ballast_take(&ballast, OOM_REMAINDER_PAGES);
	for (unsigned int o = 0; o < OOM_BIG_ORDER; o++) {
		if ((n = oom_pages(t, round, o)) < 0)
			goto fail;
		total += n;
	}
	if ((areas = oom_vmalloc(t, round)) < 0)
		goto fail;
	ballast_take(&ballast, OOM_KMALLOC_PAGES);
	n = 0;
	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		long k = oom_kmalloc(t, round,
				     kmem_cache_size(kmalloc_caches[i]));

		if (k < 0)
			goto fail;
		n += k;
	}
	blocks_free(&ballast);
	if (!oom_balanced(t, "round", round, &start))
		return false;
	nb = buddy_check();
	ns = slab_check();
	nv = vmalloc_check();
	if (nb || ns || nv) {
		ktest_fail(t, __FILE__, __LINE__,
			   "round %u: buddy_check %d, slab_check %d, "
			   "vmalloc_check %d",
			   round, nb, ns, nv);
		return false;
	}
	if (verbose)
		ktest_info(t,
			   "round %u: %ld blocks, %ld vmalloc areas, %ld "
			   "kmalloc objects until failure; all returned",
			   round, total, areas, n);
	return true;
fail:
	blocks_free(&ballast);
	return false;
}

/*
 * Scenario: OOM_ROUNDS rounds of exhausting pages of every order, every
 * kmalloc class and vmalloc of growing sizes, freeing all after each.
 * Expect every phase to give back exactly what it took and the checkers
 * clean after every round.
 */
static void oom_cycles(struct ktest *t)
{
	for (unsigned int r = 1; r <= OOM_ROUNDS; r++)
		if (!oom_round(t, r, r == 1 || r == OOM_ROUNDS))
			return;
}

static const struct ktest_case oom_cases[] = {
	KTEST_CASE(oom_cycles),
	KTEST_END,
};

static const struct ktest_suite oom_suite = {
	.name = "oom",
	.cases = oom_cases,
};
KTEST_SUITE_REGISTER(oom_suite, 80);
