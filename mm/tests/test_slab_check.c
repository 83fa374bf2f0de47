// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the slab checker and the slab statistics
 * (mm/slab_debug.c): each invariant of mm/slab.c broken by hand in a
 * real slab must be named by kmem_cache_validate() and slab_check()
 * (one "slab_check: <cache>: I<n> violated: ..." line), a damaged free
 * list must be reported and its slab quarantined, and the cache must
 * check clean again once the damage is undone or contained. Also the
 * slabinfo walk and totals, bug names and counts, report lines, and
 * misuse and failures on the allocation paths: a cached object's tag
 * overwritten in a magazine, a free list damaged before an allocation,
 * a free outside a slab's objects, slabs that cannot grow, DMA32
 * caches, and kmalloc's large blocks, ksize() and krealloc().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fault_inject.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/fail_alloc.h"
#include "mm/linear.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"
#include "mm/tests/host_arch.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (32UL << 20)
/* mm/slab_debug.c's SLAB_REPORT_LINE_SIZE: a report line, NUL included. */
#define REPORT_LINE_SIZE 320

static int setup(void)
{
	static bool done;

	if (!done) {
		done = true;
		host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
		slab_set_secret(0x0123456789abcdefULL);
		slab_debug_setup(NULL);
		kmalloc_init();
	}
	return 0;
}

/* The slab holding obj. */
static struct kmem_slab *slab_of(struct kmem_cache *c, void *obj)
{
	if (c->slab_mask)
		return (struct kmem_slab *)((uintptr_t)obj & c->slab_mask);
	return virt_to_page(obj)->slab;
}

/* Validate c with printk captured; the count of violations. */
static int validate(struct kmem_cache *c)
{
	int n;

	capture_start(NULL);
	n = kmem_cache_validate(c);
	capture_stop();
	return n;
}

/*
 * Scenario: a partial slab whose header is damaged one field at a time
 * (magic, state, colour, its head page, a page's slab pointer), and the
 * cache's partial count and active slab. Expect exactly one violation
 * each, the line naming the invariant, and a clean check once the field
 * is put back.
 */
static void shape_violations(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-shape", 64, 0, SLAB_NO_CPU_CACHE, NULL);
	void *obj;
	struct kmem_slab *s;
	struct kmem_slab saved;
	struct page *pg;

	KTEST_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	s = slab_of(c, obj);
	saved = *s;
	KTEST_EXPECT_EQ(t, validate(c), 0);

	s->magic = 0xdead;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t,
		     capture_has("slab_check: chk-shape: I6 violated: slab "));
	KTEST_EXPECT(t, capture_has("has magic 0xdead"));
	s->magic = saved.magic;

	s->state = KMEM_SLAB_FULL;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("on the partial list says full"));
	s->state = 200;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("on the partial list says ?"));
	s->state = saved.state;

	s->colour = c->colour_max + 8;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("I6 violated: slab ") &&
				capture_has(", colour "));
	s->colour = saved.colour;

	s->page = saved.page + 1;
	KTEST_EXPECT(t, validate(c) >= 1);
	KTEST_EXPECT(t, capture_has("is not its block (page at "));
	s->page = saved.page;

	pg = &s->page[0];
	pg->slab = NULL;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("I6 violated: page 0 of slab "));
	pg->slab = s;

	c->nr_slabs[KMEM_SLAB_PARTIAL]++;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("I1 violated: partial list holds 1 slabs, "
				    "counted 2"));
	c->nr_slabs[KMEM_SLAB_PARTIAL]--;

	c->active = NULL;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t,
		     capture_has("I5 violated: active slab 0x0000000000000000 "
				 "is not the first partial"));
	c->active = s;

	KTEST_EXPECT_EQ(t, validate(c), 0);
	capture_start(NULL);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	capture_stop();
	kmem_cache_free(c, obj);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Scenario: a debug cache (no active slab by design, I5) given one.
 * Expect the I5 line for debug caches.
 */
static void debug_cache_active(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("chk-debug", 64, 0,
						 SLAB_CONSISTENCY_CHECKS, NULL);
	void *obj;

	KTEST_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	KTEST_EXPECT_EQ(t, validate(c), 0);
	c->active = slab_of(c, obj);
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t,
		     capture_has("I5 violated: debug cache has active slab"));
	c->active = NULL;
	KTEST_EXPECT_EQ(t, validate(c), 0);
	kmem_cache_free(c, obj);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Scenario: free lists damaged three ways in partial slabs: the head
 * pointing into the middle of an object, one more object counted in
 * use than the list leaves free, a free object's link overwritten with
 * its in-use mark (which decodes to no object). Expect one "BUG
 * chk-free: free pointer corrupted: ..." report each with its cause,
 * the slab quarantined, and the cache checking clean after.
 */
static void freelist_damage(struct ktest *t)
{
	static const char *const causes[] = {
		"free list leads off an object boundary",
		"free list longer than the free count (a loop?)",
		"link to no object of the slab",
	};
	struct kmem_cache *c =
		kmem_cache_create("chk-free", 128, 0, SLAB_NO_CPU_CACHE, NULL);
	unsigned long bugs = slab_bug_count(), quarantined;
	struct kmem_cache_info info;

	KTEST_ASSERT(t, c != NULL);
	for (unsigned int k = 0; k < 3; k++) {
		void *obj = kmem_cache_alloc(c, GFP_KERNEL);
		struct kmem_slab *s;

		KTEST_ASSERT(t, obj != NULL);
		s = slab_of(c, obj);
		if (k == 0)
			s->freelist = (char *)s->freelist + 8;
		else if (k == 1)
			s->inuse++;
		else
			word_store(c, (uintptr_t)s->freelist,
				   used_mark(c, (uintptr_t)s->freelist));
		capture_start(NULL);
		KTEST_EXPECT(t, kmem_cache_validate(c) >= 1);
		capture_stop();
		KTEST_EXPECT(
			t,
			capture_has("BUG chk-free: free pointer corrupted: "));
		KTEST_EXPECT(t, capture_has(causes[k]));
		KTEST_EXPECT(t, capture_has("slab quarantined"));
		KTEST_EXPECT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
		KTEST_EXPECT_EQ(t, validate(c), 0);
	}
	kmem_cache_info(c, &info);
	quarantined = info.nr_slabs[KMEM_SLAB_QUARANTINED];
	KTEST_EXPECT_EQ(t, quarantined, 3);
	KTEST_EXPECT_EQ(t, slab_bug_count(), bugs + 3);
	/* Quarantined slabs are never freed: destroy keeps them. */
	capture_start(NULL);
	kmem_cache_destroy(c);
	capture_stop();
}

/* Quarantine c's one (empty) slab, then destroy c: the slab moves to the
 * "destroyed" cache. */
static void quarantine_one(struct ktest *t, struct kmem_cache *c)
{
	void *obj = kmem_cache_alloc(c, GFP_KERNEL);
	struct kmem_slab *s;

	KTEST_ASSERT(t, obj != NULL);
	s = slab_of(c, obj);
	kmem_cache_free(c, obj); /* the slab stays: the empty reserve */
	s->freelist = (char *)s->freelist + 8; /* off an object boundary */
	capture_start(NULL);
	KTEST_EXPECT(t, kmem_cache_validate(c) >= 1);
	KTEST_EXPECT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	capture_stop();
}

static void find_destroyed(const struct kmem_cache_info *i, void *arg)
{
	if (strcmp(i->name, "destroyed") == 0)
		*(struct kmem_cache_info *)arg = *i;
}

/*
 * Scenario: slabs of order 0 and order 2 quarantined, their caches
 * destroyed, so that the "destroyed" cache holds slabs of two orders.
 * Expect slab_get_totals() to count 1 + 4 more quarantined pages, and
 * the destroyed cache's quarantined pages to be all of its pages (a
 * count by the cache's own order said 2 for 5, and the self-test
 * balance then found pages it could not explain).
 */
static void quarantined_pages_any_order(struct ktest *t)
{
	struct kmem_cache *a =
		kmem_cache_create("chk-q0", 128, 0, SLAB_NO_CPU_CACHE, NULL);
	struct kmem_cache *b =
		kmem_cache_create("chk-q2", 3000, 0, SLAB_NO_CPU_CACHE, NULL);
	struct kmem_cache_info dead = { 0 }, ia, ib;
	struct slab_totals before, after;

	KTEST_ASSERT(t, a && b);
	kmem_cache_info(a, &ia);
	kmem_cache_info(b, &ib);
	KTEST_ASSERT_EQ(t, ia.order, 0);
	KTEST_ASSERT_EQ(t, ib.order, 2);
	slab_get_totals(&before);
	quarantine_one(t, a);
	quarantine_one(t, b);
	slab_get_totals(&after);
	KTEST_EXPECT_EQ(t, after.quarantined_pages - before.quarantined_pages,
			1 + 4);
	slabinfo_walk(find_destroyed, &dead);
	KTEST_EXPECT_GE(t, dead.pages, 1 + 4);
	KTEST_EXPECT_EQ(t, dead.quarantined_pages, dead.pages);
}

/*
 * Scenario: a full slab one of whose objects is counted free (inuse one
 * short). Expect the I2 line for full slabs, a free-count report, the
 * slab quarantined, and a clean check after.
 */
static void full_slab_count(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-full", 1024, 0, SLAB_NO_CPU_CACHE, NULL);
	void *objs[64];
	unsigned int n;
	struct kmem_slab *s;

	KTEST_ASSERT(t, c != NULL);
	KTEST_ASSERT(t, c->objs_per_slab <= 64);
	for (n = 0; n < c->objs_per_slab; n++) {
		objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT(t, objs[n] != NULL);
	}
	s = slab_of(c, objs[0]);
	KTEST_ASSERT_EQ(t, s->state, KMEM_SLAB_FULL);
	s->inuse--;
	KTEST_EXPECT(t, validate(c) >= 2);
	KTEST_EXPECT(
		t, capture_has("slab_check: chk-full: I2 violated: full slab"));
	KTEST_EXPECT(t, capture_has("holds 0 objects, expected 1"));
	KTEST_EXPECT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
	KTEST_EXPECT_EQ(t, validate(c), 0);
	capture_start(NULL);
	kmem_cache_destroy(c);
	capture_stop();
}

/*
 * Scenario: slab counts that contradict the list a slab is on: a
 * partial slab counting no object in use; then that slab, quarantined,
 * given a free list; then an empty slab counting one object in use.
 * Expect the I2 line for each state ("partial slab ... inuse 0 of",
 * "quarantined slab ... inuse 0", "empty slab ... inuse 1"), the
 * damaged healthy slabs reported and quarantined, and a clean check
 * after each repair.
 */
static void state_counts(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-state", 256, 0, SLAB_NO_CPU_CACHE, NULL);
	struct kmem_cache_info info;
	struct kmem_slab *s, *e;
	void *obj, *obj2;

	KTEST_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	s = slab_of(c, obj);
	s->inuse = 0;
	KTEST_EXPECT(t, validate(c) >= 2);
	KTEST_EXPECT(t,
		     capture_has("slab_check: chk-state: I2 violated: partial "
				 "slab ") &&
			     capture_has(": inuse 0 of "));
	KTEST_EXPECT(t, capture_has("BUG chk-state: free pointer corrupted: "));
	KTEST_ASSERT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
	KTEST_EXPECT_EQ(t, validate(c), 0);

	s->freelist = obj;
	KTEST_EXPECT_EQ(t, validate(c), 1);
	KTEST_EXPECT(t, capture_has("I2 violated: quarantined slab ") &&
				capture_has(": inuse 0\n"));
	s->freelist = NULL;
	KTEST_EXPECT_EQ(t, validate(c), 0);

	obj2 = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj2 != NULL);
	e = slab_of(c, obj2);
	KTEST_ASSERT(t, e != s);
	kmem_cache_free(c, obj2);
	kmem_cache_info(c, &info);
	KTEST_ASSERT_EQ(t, info.nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_ASSERT_EQ(t, e->state, KMEM_SLAB_EMPTY);
	e->inuse = 1;
	KTEST_EXPECT(t, validate(c) >= 2);
	KTEST_EXPECT(t, capture_has("I2 violated: empty slab ") &&
				capture_has(": inuse 1\n"));
	KTEST_EXPECT_EQ(t, e->state, KMEM_SLAB_QUARANTINED);
	KTEST_EXPECT_EQ(t, validate(c), 0);
	capture_start(NULL);
	kmem_cache_destroy(c);
	capture_stop();
}

/*
 * Scenario: an object freed into this hart's magazine (it carries the
 * cached tag), its tag overwritten (a use after free), then the
 * magazines drained by kmem_cache_shrink(). Expect "BUG chk-mag:
 * use after free: cached tag of free object ... written while
 * in a magazine; slab quarantined", the slab quarantined, a clean
 * check.
 */
static void magazine_tag_overwritten(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("chk-mag", 96, 0, 0, NULL);
	struct kmem_slab *s;
	void *obj;

	KTEST_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	s = slab_of(c, obj);
	kmem_cache_free(c, obj);
	KTEST_ASSERT_EQ(t, word_load(c, (uintptr_t)obj),
			cached_mark(c, (uintptr_t)obj));
	word_store(c, (uintptr_t)obj, 0x5a5a5a5a);
	capture_start(NULL);
	kmem_cache_shrink(c);
	capture_stop();
	KTEST_EXPECT(t, capture_has("BUG chk-mag: use after free: cached "
				    "tag of free object "));
	KTEST_EXPECT(t,
		     capture_has("(0x5a5a5a5a at ") &&
			     capture_has(") written while in a magazine; slab "
					 "quarantined\n"));
	KTEST_EXPECT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
	KTEST_EXPECT_EQ(t, validate(c), 0);
	capture_start(NULL);
	kmem_cache_destroy(c);
	capture_stop();
}

/*
 * Scenario: a partial slab whose free-list head is moved 8 bytes into
 * an object, then an allocation (no consistency checks, so the take
 * meets it); then a free of an address in a slab's header, before its
 * objects.
 * Expect "BUG chk-take: free pointer corrupted: free list of slab ...
 * leads to ..., not at an object boundary; slab quarantined" and an
 * object from a new slab; then "invalid free of ...: not an object
 * start (outside the objects of slab ...)", refused; clean checks.
 */
static void take_and_free_misuse(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-take", 64, 0, SLAB_NO_CPU_CACHE, NULL);
	struct kmem_slab *s;
	void *obj, *obj2;
	char want[160];

	KTEST_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	s = slab_of(c, obj);
	s->freelist = (char *)s->freelist + 8;
	snprintf(want, sizeof(want),
		 "leads to 0x%016lx, not at an object boundary",
		 (unsigned long)s->freelist);
	capture_start(NULL);
	obj2 = kmem_cache_alloc(c, GFP_KERNEL);
	capture_stop();
	KTEST_EXPECT(t,
		     capture_has("BUG chk-take: free pointer corrupted: free "
				 "list of slab "));
	KTEST_EXPECT(t, capture_has(want));
	KTEST_EXPECT_EQ(t, s->state, KMEM_SLAB_QUARANTINED);
	KTEST_ASSERT(t, obj2 != NULL);
	KTEST_EXPECT(t, slab_of(c, obj2) != s);
	KTEST_EXPECT_EQ(t, validate(c), 0);

	capture_start(NULL);
	kmem_cache_free(c, (char *)slab_of(c, obj2) + 8);
	capture_stop();
	KTEST_EXPECT(t,
		     capture_has("BUG chk-take: invalid free of ") &&
			     capture_has(": not an object start (outside the "
					 "objects of slab "));
	KTEST_EXPECT_EQ(t, validate(c), 0);
	kmem_cache_free(c, obj2);
	capture_start(NULL);
	kmem_cache_destroy(c);
	capture_stop();
}

/*
 * Scenario: every page allocation failing (fail_page_alloc armed at
 * 100%): a fresh cache's first allocation, a large kmalloc; every slab
 * allocation failing (failslab): a cache creation (its descriptor is a
 * slab object); then a DMA32 cache once allocations work again.
 * Expect NULL from all three without a BUG line and the cache still
 * sound; the DMA32 object below 4 GiB.
 */
static void grow_fails(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-oom", 128, 0, SLAB_NO_CPU_CACHE, NULL);
	struct kmem_cache *d =
		kmem_cache_create("chk-dma32", 128, 0, SLAB_CACHE_DMA32, NULL);
	unsigned long bugs = slab_bug_count();
	void *obj;

	KTEST_ASSERT(t, c && d);
	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,0,-1", NULL), 0);
	fail_alloc_arm(true);
	capture_start(NULL);
	KTEST_EXPECT(t, kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN) == NULL);
	KTEST_EXPECT(t,
		     kmalloc(4 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	capture_stop();
	fail_alloc_arm(false);
	KTEST_ASSERT_EQ(t, fault_attr_parse(&failslab, "1,100,0,-1", NULL), 0);
	fail_alloc_arm(true);
	KTEST_EXPECT(t, kmem_cache_create("chk-none", 64, 0, 0, NULL) == NULL);
	fail_alloc_arm(false);
	KTEST_EXPECT_EQ(t, slab_bug_count(), bugs);
	KTEST_EXPECT_EQ(t, validate(c), 0);
	obj = kmem_cache_alloc(d, GFP_KERNEL);
	KTEST_ASSERT(t, obj != NULL);
	KTEST_EXPECT_LT(t, virt_to_phys(obj), SZ_4G);
	kmem_cache_free(d, obj);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(d), 0);
}

/*
 * Scenario: ksize() of an address outside RAM; krealloc() shrinking a
 * 100-byte object (its whole slot filled) to 50 bytes with __GFP_ZERO.
 * Expect 0; the same pointer back with bytes 50 to the end of the slot
 * zeroed and the first 50 kept.
 */
static void kmalloc_edges(struct ktest *t)
{
	static char not_ram[64];
	unsigned char *p = kmalloc(100, GFP_KERNEL), *q;
	size_t size, bad = 0;

	KTEST_EXPECT_EQ(t, ksize(not_ram + 8), 0);
	KTEST_ASSERT(t, p != NULL);
	size = ksize(p);
	KTEST_ASSERT(t, size >= 100);
	memset(p, 0xff, size);
	q = krealloc(p, 50, GFP_KERNEL | __GFP_ZERO);
	KTEST_ASSERT(t, q == p);
	KTEST_EXPECT_EQ(t, q[49], 0xff);
	for (size_t i = 50; i < size; i++)
		bad += q[i] != 0;
	KTEST_EXPECT_EQ(t, bad, 0);
	kfree(q);
}

struct walk_sum {
	unsigned long caches, active_objs, pages;
	bool seen;
};

static void walk_one(const struct kmem_cache_info *i, void *arg)
{
	struct walk_sum *w = arg;

	w->caches++;
	w->active_objs += i->active_objs;
	w->pages += i->pages;
	if (strcmp(i->name, "chk-walk") == 0) {
		w->seen = true;
		if (i->active_objs != 3 || i->object_size != 200)
			w->seen = false;
	}
}

/*
 * Scenario: a cache with three objects in use among the others.
 * Expect slabinfo_walk() to visit it with those numbers, and
 * slab_get_totals() to add up exactly what the walk saw.
 */
static void walk_and_totals(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("chk-walk", 200, 0, SLAB_NO_CPU_CACHE, NULL);
	struct walk_sum w = { 0 };
	struct slab_totals tot;
	void *o[3];

	KTEST_ASSERT(t, c != NULL);
	for (int i = 0; i < 3; i++)
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
	slabinfo_walk(walk_one, &w);
	slab_get_totals(&tot);
	KTEST_EXPECT(t, w.seen);
	KTEST_EXPECT(t, w.caches >= 2);
	KTEST_EXPECT_EQ(t, tot.caches, w.caches);
	KTEST_EXPECT_EQ(t, tot.active_objs, w.active_objs);
	KTEST_EXPECT_EQ(t, tot.pages, w.pages);
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, o[i]);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Scenario: bug names in and out of range, and a report without a hook
 * for a cache whose name fills the whole line. Expect the table's
 * names, "?" outside it, and one printed line cut to the line size.
 */
static void names_and_reports(struct ktest *t)
{
	char name[REPORT_LINE_SIZE + 16];
	slab_report_fn hook = slab_set_report_hook(NULL);
	unsigned long bugs = slab_bug_count();

	KTEST_EXPECT_STREQ(t, slab_bug_name(SLAB_BUG_FREEPTR),
			   "free pointer corrupted");
	KTEST_EXPECT_STREQ(t, slab_bug_name(SLAB_NR_BUGS), "?");
	KTEST_EXPECT_STREQ(t, slab_bug_name((enum slab_bug) - 1), "?");

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	capture_start(NULL);
	slab_report(SLAB_BUG_MARK, name, NULL, NULL, NULL, 0, 0, "tail %d", 1);
	slab_report(SLAB_BUG_MARK, "short", NULL, NULL, NULL, 0, 0, "what %d",
		    2);
	capture_stop();
	slab_set_report_hook(hook);
	KTEST_EXPECT_EQ(t, slab_bug_count(), bugs + 2);
	KTEST_EXPECT(t, strncmp(capture_text(), "BUG nnnn", 8) == 0);
	KTEST_EXPECT(t, strchr(capture_text(), '\n') ==
				capture_text() + REPORT_LINE_SIZE - 1);
	KTEST_EXPECT(t, capture_has("\nBUG short: what 2\n"));
}

static const struct ktest_case slab_check_cases[] = {
	/* The checker. */
	KTEST_CASE(shape_violations),
	KTEST_CASE(debug_cache_active),
	KTEST_CASE(freelist_damage),
	KTEST_CASE(full_slab_count),
	KTEST_CASE(state_counts),
	/* Misuse and failures met by the allocation paths. */
	KTEST_CASE(magazine_tag_overwritten),
	KTEST_CASE(take_and_free_misuse),
	KTEST_CASE(grow_fails),
	KTEST_CASE(kmalloc_edges),
	/* Statistics and reports. */
	KTEST_CASE(walk_and_totals),
	KTEST_CASE(quarantined_pages_any_order),
	KTEST_CASE(names_and_reports),
	KTEST_END,
};
static const struct ktest_suite slab_check_suite = { "slab_check",
						     slab_check_cases, setup,
						     NULL };

KTEST_HOST_MAIN(&slab_check_suite)
