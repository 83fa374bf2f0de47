// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/slab.c over the real buddy allocator. Fake physical
 * memory (FAKE_SIZE at FAKE_BASE) is set up once per process, aligned
 * to its largest block so the linear map keeps slab alignment (I6); the
 * buddy allocator and the caches then live for the whole run, so every
 * case cleans up after itself and checks that it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/tests/host_arch.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (64UL << 20)

/* True if `needle` occurs in `hay`. */
static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* One buddy allocator per process: buddy up, secret, kmalloc. */
static int slab_host_setup(void)
{
	static bool done;

	if (done)
		return 0;
	done = true;
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0x0123456789abcdefULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	return 0;
}

/* ---------------------------------------------------- report capture */

static struct {
	unsigned int count;
	enum slab_bug bug;
	const void *addr, *object;
	uintptr_t owner;
	char line[320];
	/* slab_lock_discipline: the cache whose lock a report must hold. */
	struct kmem_cache *locked;
	bool held;
} rep;

static void capture(const struct slab_report *r)
{
	if (rep.locked)
		rep.held = spin_is_held(&rep.locked->lock);
	rep.count++;
	rep.bug = r->bug;
	rep.addr = r->addr;
	rep.object = r->object;
	rep.owner = r->owner;
	snprintf(rep.line, sizeof(rep.line), "%s", r->line);
	printf("    # reported: %s\n", r->line);
}

static void rep_reset(void)
{
	memset(&rep, 0, sizeof(rep));
}

static int suite_init(void)
{
	if (slab_host_setup())
		return -1;
	slab_set_report_hook(capture);
	rep_reset();
	return 0;
}

static void suite_exit(void)
{
	slab_set_report_hook(NULL);
}

/* Exactly one report of `bug` since the last reset, naming `cache`. */
#define EXPECT_ONE_REPORT(t, b, cache)                                         \
	do {                                                                   \
		char _pfx[64];                                                 \
		KTEST_EXPECT_EQ(t, rep.count, 1);                              \
		KTEST_EXPECT_EQ(t, rep.bug, b);                                \
		snprintf(_pfx, sizeof(_pfx), "BUG %s: ", cache);               \
		KTEST_EXPECT(t, strncmp(rep.line, _pfx, strlen(_pfx)) == 0);   \
		rep_reset();                                                   \
	} while (0)

static unsigned long buddy_free_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

static struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info i;

	kmem_cache_info(c, &i);
	return i;
}

/* The slab descriptor of p: masked, or off the slab (page->slab). */
static uintptr_t slab_of(struct kmem_cache *c, void *p)
{
	if (c->slab_mask)
		return (uintptr_t)p & c->slab_mask;
	return (uintptr_t)virt_to_page(p)->slab;
}

/* The word of object p: before it, or its own first bytes (mm/slab.c). */
static uintptr_t *word_ptr(struct kmem_cache *c, void *p)
{
	return (uintptr_t *)((uintptr_t)p - c->word_back);
}

/* A constructor that does nothing: keeps the word outside the object. */
static void noop_ctor(void *p)
{
	(void)p;
}

/* ------------------------------------------------------------- cases */

/*
 * The tail rule (mm/slab_internal.h): at most 1/SLAB_TAIL_FRACTION of
 * the slab outside the slots within SLAB_ORDER_PREFERRED, else at most
 * 1/8 (Bonwick), at the smallest such order.
 */
static void expect_tail(struct ktest *t, const struct kmem_cache_info *ci,
			size_t waste, size_t bytes)
{
	if (ci->order <= SLAB_ORDER_PREFERRED &&
	    waste * SLAB_TAIL_FRACTION <= bytes)
		return;
	KTEST_EXPECT_LE(t, waste * 8, bytes);
	/* No order up to SLAB_ORDER_PREFERRED meets 1/SLAB_TAIL_FRACTION,
	 * not even with its slots alone (no descriptor, no colour). */
	for (unsigned int o = 0; o <= SLAB_ORDER_PREFERRED; o++) {
		size_t b = PAGE_SIZE << o;

		KTEST_EXPECT_GT(t, (b % ci->size) * SLAB_TAIL_FRACTION, b);
	}
}

/* Scenario: caches of assorted sizes and alignments, and bad arguments.
 * Expect each slab to waste at most 1/SLAB_TAIL_FRACTION outside object
 * slots (1/8 for objects too large for that in a slab of
 * SLAB_ORDER_PREFERRED), a 2 KiB object with a constructor to get a
 * multi-page slab, aligned objects, NULL for bad arguments. */
static void slab_geometry(struct ktest *t)
{
	static const size_t sizes[] = { 1,    8,    24,	  100,	200,
					500,  896,  1000, 1792, 2048,
					3000, 4096, 8192, 20000 };
	struct kmem_cache *c;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmem_cache_info ci;
		size_t bytes, waste;

		c = kmem_cache_create("geo", sizes[i], 0, 0, NULL);
		KTEST_ASSERT_NOT_NULL(t, c);
		ci = info_of(c);
		bytes = PAGE_SIZE << ci.order;
		waste = bytes - ci.objs_per_slab * ci.size;
		KTEST_EXPECT_GE(t, ci.objs_per_slab, 1);
		expect_tail(t, &ci, waste, bytes);
		/* No constructor: the word is inside, the slot the size. */
		KTEST_EXPECT_EQ(t, ci.size, ALIGN_UP(sizes[i], 8));
		if (sizes[i] == 2048) {
			/* The figures mm/slab.c's theory comment gives:
			 * descriptor off the slab, two objects a page. */
			KTEST_EXPECT_EQ(t, ci.order, 0);
			KTEST_EXPECT_EQ(t, ci.objs_per_slab, 2);
		}
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
		/* With a constructor the word is before each object. */
		c = kmem_cache_create("geo-ctor", sizes[i], 0, 0, noop_ctor);
		KTEST_ASSERT_NOT_NULL(t, c);
		ci = info_of(c);
		bytes = PAGE_SIZE << ci.order;
		waste = bytes - ci.objs_per_slab * ci.size;
		expect_tail(t, &ci, waste, bytes);
		KTEST_EXPECT_GE(t, ci.size, sizes[i] + SLAB_WORD_SIZE);
		if (sizes[i] == 2048) {
			KTEST_EXPECT_EQ(t, ci.order, 2);
			KTEST_EXPECT_EQ(t, ci.objs_per_slab, 7);
		}
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
	for (size_t align = 8; align <= PAGE_SIZE; align <<= 1) {
		void *p[5];

		c = kmem_cache_create("aligned", 40, align, 0, NULL);
		KTEST_ASSERT_NOT_NULL(t, c);
		for (int i = 0; i < 5; i++) {
			p[i] = kmem_cache_alloc(c, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, p[i]);
			KTEST_EXPECT(t, IS_ALIGNED((uintptr_t)p[i], align));
		}
		for (int i = 0; i < 5; i++)
			kmem_cache_free(c, p[i]);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
	c = kmem_cache_create("hw", 24, 0, SLAB_HWCACHE_ALIGN, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, info_of(c).align, SLAB_CACHE_LINE_SIZE);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT(t, kmem_cache_create(NULL, 8, 0, 0, NULL) == NULL);
	KTEST_EXPECT(t, kmem_cache_create("z", 0, 0, 0, NULL) == NULL);
	KTEST_EXPECT(t, kmem_cache_create("a", 8, 3, 0, NULL) == NULL);
	KTEST_EXPECT(t,
		     kmem_cache_create("a", 8, 2 * PAGE_SIZE, 0, NULL) == NULL);
	KTEST_EXPECT(t, kmem_cache_create("big", KMALLOC_MAX_SIZE * 2, 0, 0,
					  NULL) == NULL);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: fill one slab, then empty it. Expect the slab to go empty ->
 * partial -> full -> partial -> empty, distinct writable objects, and the
 * buddy allocator to get every page back at destroy. */
static void slab_lists(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("lists", 200, 0, SLAB_NO_CPU_CACHE, NULL);
	unsigned long free0 = buddy_free_pages(); /* after the cache's own */
	struct kmem_cache_info ci;
	void **objs;
	unsigned int n;

	KTEST_ASSERT_NOT_NULL(t, c);
	n = info_of(c).objs_per_slab;
	objs = calloc(n, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < n; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
		memset(objs[i], (int)i, 200);
		ci = info_of(c);
		KTEST_EXPECT_EQ(t, ci.active_objs, i + 1);
		KTEST_EXPECT_EQ(t,
				ci.nr_slabs[i + 1 < n ? KMEM_SLAB_PARTIAL
						      : KMEM_SLAB_FULL],
				1);
		KTEST_EXPECT_EQ(t, slab_of(c, objs[i]), slab_of(c, objs[0]));
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned char *b = objs[i];

		KTEST_EXPECT(t, b[0] == (unsigned char)i &&
					b[199] == (unsigned char)i);
	}
	for (unsigned int i = 0; i < n; i++) {
		kmem_cache_free(c, objs[i]);
		ci = info_of(c);
		KTEST_EXPECT_EQ(t,
				ci.nr_slabs[i + 1 < n ? KMEM_SLAB_PARTIAL
						      : KMEM_SLAB_EMPTY],
				1);
		KTEST_EXPECT_EQ(t, slab_check(), 0);
	}
	KTEST_EXPECT_EQ(t, info_of(c).grows, 1);
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), 0); /* the reserve slab */
	KTEST_EXPECT_EQ(t, buddy_free_pages(),
			free0 - (1UL << info_of(c).order));
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	free(objs);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: slab A empty, slab B partial. Expect allocation from B (the
 * partial slab) first, then A (empty) without growing, then a new slab. */
static void slab_allocation_order(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("order", 512, 0, SLAB_NO_CPU_CACHE, NULL);
	unsigned int n, total;
	void **objs, *p;
	uintptr_t a, b;

	KTEST_ASSERT_NOT_NULL(t, c);
	n = info_of(c).objs_per_slab;
	total = 2 * n;
	objs = calloc(total + 2, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < total; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	a = slab_of(c, objs[0]);
	b = slab_of(c, objs[n]);
	KTEST_ASSERT(t, a != b);
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]); /* A empty */
	kmem_cache_free(c, objs[n]); /* B partial */
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT_EQ(t, slab_of(c, p), b);
	objs[n] = p;
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT_EQ(t, slab_of(c, p), a);
	KTEST_EXPECT_EQ(t, info_of(c).grows, 2);
	objs[0] = p;
	for (unsigned int i = 1; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	p = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, slab_of(c, p) != a && slab_of(c, p) != b);
	KTEST_EXPECT_EQ(t, info_of(c).grows, 3);
	objs[total] = p;
	for (unsigned int i = 0; i <= total; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	free(objs);
}

#define RANDOM_LIVE 300

/* Run `steps` random allocs/frees over caches, filling each object with a
 * pattern; slab_check() after every step. */
static void random_ops(struct ktest *t, struct kmem_cache **caches, int nc,
		       unsigned int steps, uint64_t seed)
{
	static struct {
		unsigned char *p;
		int cache;
		unsigned char tag;
	} live[RANDOM_LIVE];
	struct rand_state r;
	unsigned int nlive = 0;

	rand_seed(&r, seed);
	for (unsigned int step = 0; step < steps; step++) {
		bool alloc = nlive == 0 ||
			     (nlive < RANDOM_LIVE && rand_below(&r, 100) < 55);

		if (alloc) {
			int ci = (int)rand_below(&r, (uint64_t)nc);
			unsigned char *p = kmem_cache_alloc(caches[ci], 0);
			unsigned char tag = (unsigned char)rand_next(&r);

			KTEST_ASSERT_NOT_NULL(t, p);
			memset(p, tag, kmem_cache_size(caches[ci]));
			live[nlive].p = p;
			live[nlive].cache = ci;
			live[nlive].tag = tag;
			nlive++;
		} else {
			unsigned int i = (unsigned int)rand_below(&r, nlive);
			size_t sz = kmem_cache_size(caches[live[i].cache]);

			KTEST_EXPECT(t,
				     live[i].p[0] == live[i].tag &&
					     live[i].p[sz - 1] == live[i].tag);
			kmem_cache_free(caches[live[i].cache], live[i].p);
			live[i] = live[--nlive];
		}
		if (slab_check() != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "slab_check failed at step %u", step);
			return;
		}
	}
	while (nlive) {
		nlive--;
		kmem_cache_free(caches[live[nlive].cache], live[nlive].p);
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: 3000 random allocs and frees over three caches (one with a
 * 2 KiB object), without debugging. Expect contents intact, slab_check()
 * clean after every step, no report, and all memory back at the end but
 * the empty slab kmem_magazine keeps (mm/slab_cache.c). */
static void slab_random(struct ktest *t)
{
	unsigned long free0, mag0;
	struct kmem_cache *c[3] = {
		kmem_cache_create("rnd-16", 16, 0, 0, NULL),
		kmem_cache_create("rnd-328", 328, 0, 0, NULL),
		kmem_cache_create("rnd-2048", 2048, 0, 0, NULL),
	};

	for (int i = 0; i < 3; i++)
		KTEST_ASSERT_NOT_NULL(t, c[i]);
	free0 = buddy_free_pages();
	mag0 = info_of(&kmem_magazine_cache).pages;
	random_ops(t, c, 3, 3000, 42);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c[i]), 0);
	KTEST_EXPECT_LE(t, info_of(&kmem_magazine_cache).pages, mag0 + 1);
	KTEST_EXPECT_EQ(t,
			buddy_free_pages() +
				(info_of(&kmem_magazine_cache).pages - mag0),
			free0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: the same random run with F, Z, P and U. Expect the same
 * results: debugging changes nothing for correct callers. */
static void slab_random_debug(struct ktest *t)
{
	unsigned long free0;
	struct kmem_cache *c[3] = {
		kmem_cache_create("dbg-8", 8, 0, SLAB_DEBUG_FLAGS, NULL),
		kmem_cache_create("dbg-100", 100, 0, SLAB_DEBUG_FLAGS, NULL),
		kmem_cache_create("dbg-2048", 2048, 64, SLAB_DEBUG_FLAGS, NULL),
	};

	for (int i = 0; i < 3; i++)
		KTEST_ASSERT_NOT_NULL(t, c[i]);
	free0 = buddy_free_pages();
	KTEST_EXPECT(t, c[0]->active == NULL);
	random_ops(t, c, 3, 2000, 7);
	KTEST_EXPECT(t, c[0]->active == NULL); /* I5: debug stays slow */
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c[i]), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

struct ctor_obj {
	uint64_t magic;
	uint64_t generation;
	char name[48];
};

static unsigned int ctor_calls;

static void ctor_fn(void *p)
{
	struct ctor_obj *o = p;

	o->magic = 0xc0257c0257c02570ULL;
	o->generation = 0;
	memset(o->name, 'c', sizeof(o->name));
	ctor_calls++;
}

static void check_ctor(struct ktest *t, unsigned int flags)
{
	struct kmem_cache *c;
	struct ctor_obj *o[4], *again;
	unsigned int n;

	ctor_calls = 0;
	c = kmem_cache_create("ctor", sizeof(struct ctor_obj), 0, flags,
			      ctor_fn);
	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, ctor_calls, 0);
	n = info_of(c).objs_per_slab;
	for (int i = 0; i < 4; i++) {
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, o[i]);
		KTEST_EXPECT_EQ(t, o[i]->magic, 0xc0257c0257c02570ULL);
		KTEST_EXPECT_EQ(t, o[i]->generation, 0);
	}
	KTEST_EXPECT_EQ(t, ctor_calls, n); /* one slab, constructed once */
	o[2]->generation = 99;
	kmem_cache_free(c, o[2]);
	again = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_EXPECT(t, again == o[2]);
	KTEST_EXPECT_EQ(t, again->generation, 99); /* handed out as it was */
	KTEST_EXPECT_EQ(t, again->magic, 0xc0257c0257c02570ULL);
	KTEST_EXPECT_EQ(t, again->name[47], 'c');
	KTEST_EXPECT_EQ(t, ctor_calls, n);
	for (int i = 0; i < 4; i++)
		kmem_cache_free(c, o[i]);
	KTEST_EXPECT_EQ(t, ctor_calls, n);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: a cache with a counting constructor, plain and with FZPU.
 * Expect the constructor to run once per object when the slab is made,
 * not on allocation, and a freed object to come back unchanged. */
static void slab_ctor(struct ktest *t)
{
	check_ctor(t, 0);
	check_ctor(t, SLAB_DEBUG_FLAGS);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: four slabs' worth of objects freed (the last ones stay in
 * the magazines and the depot, so their slabs stay in use), then
 * shrink. Expect the magazines and depot drained, every slab but the
 * reserve of one back in the buddy allocator, counted by the shrink,
 * and whatever pages kmem_magazine gave back with the magazines. */
static void slab_shrink(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("shrink", 1024, 0, 0, NULL);
	unsigned long free0, pages_per_slab, held, mag_pages;
	unsigned int n;
	void **objs;

	KTEST_ASSERT_NOT_NULL(t, c);
	n = 4 * info_of(c).objs_per_slab;
	pages_per_slab = 1UL << info_of(c).order;
	objs = calloc(n, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	/* The last ones freed sit in this thread's two magazines and the
	 * depot. */
	KTEST_EXPECT_GE(t, info_of(c).cached, 1);
	KTEST_EXPECT_LE(t, info_of(c).cached,
			(2 + c->depot_max) * (unsigned long)c->mag_rounds);
	KTEST_EXPECT_LE(t, info_of(c).cached - info_of(c).depot,
			2 * SLAB_CPU_OBJS);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	/* Slabs all of whose objects came back went back at once. */
	KTEST_EXPECT_LE(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, info_of(c).pages,
			(info_of(c).nr_slabs[KMEM_SLAB_EMPTY] +
			 info_of(c).nr_slabs[KMEM_SLAB_PARTIAL] +
			 info_of(c).nr_slabs[KMEM_SLAB_FULL]) *
				pages_per_slab);
	free0 = buddy_free_pages();
	held = info_of(c).pages;
	mag_pages = info_of(&kmem_magazine_cache).pages;
	KTEST_ASSERT(t, held > pages_per_slab); /* the depot holds some */
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), held - pages_per_slab);
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, info_of(c).cached, 0);
	/* The magazines went back to kmem_magazine, which keeps no empty
	 * slab: its pages too, if no other cache holds magazines. */
	KTEST_EXPECT_LE(t, info_of(&kmem_magazine_cache).pages, mag_pages);
	mag_pages -= info_of(&kmem_magazine_cache).pages;
	KTEST_EXPECT_EQ(t, buddy_free_pages(),
			free0 + held - pages_per_slab + mag_pages);
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	free(objs);
}

/* Scenario: five slabs' worth of objects of a cache without magazines
 * allocated, then freed, then a lone allocation and free, repeated.
 * Expect each slab that empties beyond the reserve of one to go back to
 * the buddy allocator at once (never more than one empty slab, the free
 * page count back to where it was but for the reserve), and the lone
 * pairs served by the reserve without a slab grown or released. */
static void slab_empty_bounded(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("bounded", 256, 0, SLAB_NO_CPU_CACHE, NULL);
	unsigned long free0, grows, releases, pages_per_slab;
	unsigned int n;
	void **objs;

	KTEST_ASSERT_NOT_NULL(t, c);
	n = 5 * info_of(c).objs_per_slab;
	pages_per_slab = 1UL << info_of(c).order;
	objs = calloc(n, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	free0 = buddy_free_pages();
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_FULL], 5);
	for (unsigned int i = 0; i < n; i++) {
		kmem_cache_free(c, objs[i]);
		KTEST_EXPECT_LE(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	}
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, info_of(c).releases, 4);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0 - pages_per_slab);
	grows = info_of(c).grows;
	releases = info_of(c).releases;
	for (int i = 0; i < 100; i++) {
		void *p = kmem_cache_alloc(c, 0);

		KTEST_ASSERT_NOT_NULL(t, p);
		kmem_cache_free(c, p);
	}
	KTEST_EXPECT_EQ(t, info_of(c).grows, grows);
	KTEST_EXPECT_EQ(t, info_of(c).releases, releases);
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	free(objs);
}

/* Scenario: caches of 64, 640, 1024 and 4096-byte objects, and a debug
 * cache; 40 objects of each allocated and freed. Expect magazines of 30
 * rounds for small objects and at most SLAB_MAG_BYTES of larger ones
 * (24, 16, 4), the depot holding whole magazines, none for the debug
 * cache, and never more than this hart's two magazines outside the
 * depot. */
static void slab_magazine_sizes(struct ktest *t)
{
	static const struct {
		size_t size;
		unsigned int flags, rounds;
	} cases[] = {
		{ 64, 0, 30 },
		{ 640, 0, 24 },
		{ 1024, 0, 16 },
		{ 4096, 0, 4 },
		{ 64, SLAB_DEBUG_FLAGS, 0 },
	};

	for (unsigned int k = 0; k < ARRAY_SIZE(cases); k++) {
		struct kmem_cache *c = kmem_cache_create(
			"magsize", cases[k].size, 0, cases[k].flags, NULL);
		struct kmem_cache_info ci;
		void *objs[40];

		KTEST_ASSERT_NOT_NULL(t, c);
		KTEST_EXPECT_EQ(t, info_of(c).mag_rounds, cases[k].rounds);
		for (int i = 0; i < 40; i++)
			KTEST_ASSERT_NOT_NULL(t,
					      objs[i] = kmem_cache_alloc(c, 0));
		for (int i = 0; i < 40; i++)
			kmem_cache_free(c, objs[i]);
		ci = info_of(c);
		KTEST_EXPECT_LE(t, ci.cached - ci.depot, 2 * cases[k].rounds);
		if (cases[k].rounds)
			KTEST_EXPECT_EQ(t, ci.depot,
					ci.depot_puts * cases[k].rounds);
		else
			KTEST_EXPECT_EQ(t, ci.cached, 0);
		KTEST_EXPECT_EQ(t, slab_check(), 0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
}

/* Scenario: 200 objects of 64 bytes allocated, the spare rounds of the
 * last refill drained (shrink: this hart has no magazines then), the
 * 200 freed, allocated again. Expect the frees to fill two new
 * magazines (30, then a swap, 30), then send a full one to the depot
 * every 30 frees behind a new empty one (5; 20 rounds left loaded, no
 * object back on a slab), the second round to be served from the two
 * magazines and the depot alone (no refill from the slabs; 5 full
 * magazines out, 5 empty ones back in the depot) with exactly the
 * objects freed in reverse order, a second free of an object in the
 * depot reported, and shrink to empty magazines and depot and give
 * every magazine back to kmem_magazine. */
static void slab_depot_exchange(struct ktest *t)
{
	enum { N = 200 };
	struct kmem_cache *c = kmem_cache_create("depot", 64, 0, 0, NULL);
	unsigned long mags0 = info_of(&kmem_magazine_cache).active_objs;
	static void *objs[N], *again[N];
	struct kmem_cache_info a, b;
	unsigned int wrong = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_ASSERT(t, c->depot_max * c->mag_rounds >= N);
	for (unsigned int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	/* This hart has two magazines now, and nobody else any. */
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs - mags0,
			2);
	kmem_cache_shrink(c);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.cached, 0);
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs, mags0);
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	a = info_of(c);
	KTEST_EXPECT_EQ(t, a.active_objs, 0);
	KTEST_EXPECT_EQ(t, a.flushes, b.flushes); /* nothing back on a slab */
	KTEST_EXPECT_EQ(t, a.cached, N);
	KTEST_EXPECT_EQ(t, a.depot_puts, 5);
	KTEST_EXPECT_EQ(t, a.depot, 5 * SLAB_CPU_OBJS);
	KTEST_EXPECT_EQ(t, a.cached - a.depot, SLAB_CPU_OBJS + 20);
	KTEST_EXPECT_EQ(t, a.depot_empty, 0);
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs - mags0,
			7);
	for (unsigned int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, again[i] = kmem_cache_alloc(c, 0));
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.refills, a.refills); /* no slab touched */
	KTEST_EXPECT_EQ(t, b.depot_gets, 5);
	KTEST_EXPECT_EQ(t, b.depot_empty, 5);
	KTEST_EXPECT_EQ(t, b.depot, 0);
	KTEST_EXPECT_EQ(t, b.cached, 0);
	KTEST_EXPECT_EQ(t, b.active_objs, N);
	/* Exactly the objects freed, the last freed first. */
	for (unsigned int i = 0; i < N; i++)
		wrong += again[i] != objs[N - 1 - i];
	KTEST_EXPECT_EQ(t, wrong, 0);
	/* A second free of an object sitting in the depot is reported. */
	for (unsigned int i = 0; i < N; i++)
		kmem_cache_free(c, again[i]);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_GE(t, info_of(c).depot, 1);
	kmem_cache_free(c, again[0]);
	kmem_cache_free(c, again[N / 2]);
	KTEST_EXPECT_EQ(t, rep.count, 2);
	KTEST_EXPECT(t, rep.bug == SLAB_BUG_DOUBLE_FREE);
	memset(&rep, 0, sizeof(rep));
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_shrink(c);
	b = info_of(c);
	KTEST_EXPECT_EQ(t, b.cached, 0);
	KTEST_EXPECT_EQ(t, b.depot, 0);
	KTEST_EXPECT_EQ(t, b.depot_empty, 0);
	KTEST_EXPECT_EQ(t, info_of(&kmem_magazine_cache).active_objs, mags0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: cache A's three slabs hold only free objects, all cached in
 * this hart's magazine (so the slabs count as in use); every other page
 * is taken; cache B needs a slab. Expect B's growth to reap A (drain its
 * magazine: two slabs go back at once, one stays as the reserve) and
 * succeed, and B to fail cleanly once nothing is left. */
static void slab_reap_on_pressure(struct ktest *t)
{
	struct kmem_cache *a = kmem_cache_create("reap-a", 1024, 0, 0, NULL);
	struct kmem_cache *b =
		kmem_cache_create("reap-b", 1024, 0, SLAB_NO_CPU_CACHE, NULL);
	struct list_head hoard = LIST_HEAD_INIT(hoard);
	unsigned int n, order;
	void **objs, *p, *q;
	struct page *pg;

	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_ASSERT_NOT_NULL(t, b);
	n = 3 * info_of(a).objs_per_slab;
	order = info_of(a).order;
	objs = calloc(n, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(a, 0));
	KTEST_ASSERT(t, n <= info_of(a).mag_rounds); /* all in the magazine */
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(a, objs[i]);
	KTEST_EXPECT_EQ(t, info_of(a).cached, n);
	KTEST_EXPECT_EQ(t, info_of(a).nr_slabs[KMEM_SLAB_FULL], 3);
	KTEST_EXPECT_EQ(t, info_of(a).nr_slabs[KMEM_SLAB_EMPTY], 0);
	while ((pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		list_add(&pg->lru, &hoard);
	KTEST_EXPECT(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, order) == NULL);
	p = kmem_cache_alloc(b, GFP_KERNEL);
	KTEST_EXPECT(t, p != NULL);
	KTEST_EXPECT_EQ(t, info_of(a).cached, 0);
	KTEST_EXPECT_EQ(t, info_of(a).nr_slabs[KMEM_SLAB_FULL], 0);
	KTEST_EXPECT_EQ(t, info_of(a).nr_slabs[KMEM_SLAB_EMPTY], 1);
	/* B's slab is from A's released pages; the reserve slab is kept. */
	q = kmem_cache_alloc(b, GFP_KERNEL | __GFP_NOWARN);
	KTEST_EXPECT(t, q != NULL);
	kmem_cache_free(b, q);
	kmem_cache_free(b, p);
	while (!list_empty(&hoard)) {
		pg = list_entry(hoard.next, struct page, lru);
		list_del(&pg->lru);
		__free_pages(pg, 0);
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(b), 0);
	free(objs);
}

/* Scenario: an object freed twice, without slab_debug and with FZPU.
 * Expect one "double free" report naming the object, the second free
 * refused, and the cache still consistent and usable. */
static void slab_double_free(struct ktest *t)
{
	for (int dbg = 0; dbg < 2; dbg++) {
		struct kmem_cache *c = kmem_cache_create(
			"df", 64, 0, dbg ? SLAB_DEBUG_FLAGS : 0, NULL);
		void *p, *q, *r;

		KTEST_ASSERT_NOT_NULL(t, c);
		p = kmem_cache_alloc(c, 0);
		q = kmem_cache_alloc(c, 0);
		kmem_cache_free(c, p);
		kmem_cache_free(c, q);
		KTEST_EXPECT_EQ(t, rep.count, 0);
		kmem_cache_free(c, p); /* not the list head: still caught */
		KTEST_EXPECT(t, rep.addr == p);
		if (dbg)
			KTEST_EXPECT(t, rep.owner != 0); /* U */
		KTEST_EXPECT(t, contains(rep.line, "double free"));
		EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "df");
		kmem_cache_free(c, q);
		EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "df");
		KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
		KTEST_EXPECT_EQ(t, slab_check(), 0);
		q = kmem_cache_alloc(c, 0);
		r = kmem_cache_alloc(c, 0);
		KTEST_EXPECT(t, q && r && q != r);
		kmem_cache_free(c, q);
		kmem_cache_free(c, r);
		KTEST_EXPECT_EQ(t, rep.count, 0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
}

/* Scenario: frees of a pointer inside an object (aligned and not), of a
 * page that is not a slab, and of memory that is not RAM. Expect one
 * report each ("not an object start" / "invalid free"), nothing freed. */
static void slab_invalid_free(struct ktest *t)
{
	for (int dbg = 0; dbg < 2; dbg++) {
		struct kmem_cache *c = kmem_cache_create(
			"inv", 96, 0, dbg ? SLAB_DEBUG_FLAGS : 0, NULL);
		char *p = kmem_cache_alloc(c, 0);
		struct page *pg = alloc_pages(GFP_KERNEL, 0);
		uint64_t host_var[4] = { 0 };

		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_ASSERT_NOT_NULL(t, pg);
		kmem_cache_free(c, p + 8);
		KTEST_EXPECT(t, rep.object == p);
		EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "inv");
		kmem_cache_free(c, p + 3);
		EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "inv");
		kmem_cache_free(c, (char *)page_address(pg) + 64);
		EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "inv");
		kmem_cache_free(c, &host_var[2]);
		EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "inv");
		KTEST_EXPECT_EQ(t, info_of(c).active_objs, 1);
		KTEST_EXPECT_EQ(t, slab_check(), 0);
		kmem_cache_free(c, p);
		KTEST_EXPECT_EQ(t, rep.count, 0);
		__free_pages(pg, 0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
}

/* Scenario: an object of cache A freed into cache B (same size). Expect
 * one "wrong cache" report naming both, nothing freed in either. */
static void slab_wrong_cache(struct ktest *t)
{
	struct kmem_cache *a = kmem_cache_create("wc-a", 48, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("wc-b", 48, 0, 0, NULL);
	void *p = kmem_cache_alloc(a, 0), *q = kmem_cache_alloc(b, 0);

	KTEST_ASSERT(t, p && q);
	kmem_cache_free(b, p);
	KTEST_EXPECT(t, contains(rep.line, "wc-a"));
	EXPECT_ONE_REPORT(t, SLAB_BUG_WRONG_CACHE, "wc-b");
	KTEST_EXPECT_EQ(t, info_of(a).active_objs, 1);
	KTEST_EXPECT_EQ(t, info_of(b).active_objs, 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(a, p);
	kmem_cache_free(b, q);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(b), 0);
}

/* Scenario: the words before free objects are encoded. Expect a free
 * object's word not to hold the raw next pointer, and an allocated
 * object's word not to be a plain constant. */
static void slab_hardened_words(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("hard", 32, 0, 0, NULL);
	uintptr_t *a, *b;

	KTEST_ASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c, 0);
	b = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, *word_ptr(c, a) != *word_ptr(c, b));
	kmem_cache_free(c, a);
	kmem_cache_free(c, b); /* b's word links to a (or both cached) */
	KTEST_EXPECT(t, *word_ptr(c, b) != (uintptr_t)a);
	KTEST_EXPECT(t, (*word_ptr(c, b) ^ (uintptr_t)a) !=
				(*word_ptr(c, a) ^ (uintptr_t)b));
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Corrupt the link of the first free object of c's active slab with
 * `x`, then allocate until a report; return the objects handed out. */
static void check_freeptr(struct ktest *t, uintptr_t x, bool validate_first)
{
	struct kmem_cache *c =
		kmem_cache_create("fp", 64, 0, SLAB_NO_CPU_CACHE, NULL);
	void *keep[4], *got[4] = { 0 };
	uintptr_t head, slab;
	unsigned int i;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < 4; i++)
		keep[i] = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, keep[1]);
	kmem_cache_free(c, keep[2]); /* free list: keep[2], keep[1], ... */
	slab = slab_of(c, keep[0]);
	head = (uintptr_t)keep[2];
	*word_ptr(c, (void *)head) ^= x;
	if (validate_first) {
		KTEST_EXPECT_GE(t, kmem_cache_validate(c), 1);
		EXPECT_ONE_REPORT(t, SLAB_BUG_FREEPTR, "fp");
	}
	for (i = 0; i < 4 && rep.count == 0; i++) {
		got[i] = kmem_cache_alloc(c, 0);
		KTEST_ASSERT_NOT_NULL(t, got[i]);
		/* Never a pointer off an object boundary of the slab. */
		KTEST_EXPECT(t,
			     slab_of(c, got[i]) != slab || got[i] == keep[2]);
	}
	if (!validate_first)
		EXPECT_ONE_REPORT(t, SLAB_BUG_FREEPTR, "fp");
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	/* Objects in the quarantined slab may still be freed, once. */
	kmem_cache_free(c, keep[0]);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	kmem_cache_free(c, keep[0]);
	EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "fp");
	kmem_cache_free(c, keep[3]);
	for (i = 0; i < 4; i++)
		if (got[i] && got[i] != keep[0] && got[i] != keep[3])
			kmem_cache_free(c, got[i]);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	/* The quarantined slab outlives its cache: frees into it refused. */
	KTEST_EXPECT_EQ(t, ksize(keep[0]), 0);
	kfree(keep[0]);
	KTEST_EXPECT(t, contains(rep.line, "destroyed"));
	EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "destroyed");
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: the encoded link of a free object is overwritten: entirely,
 * in its low byte only (so it decodes inside the slab, off a boundary),
 * and found by kmem_cache_validate() before any allocation. Expect one
 * "free pointer corrupted" report each time, no bad pointer handed out,
 * the slab quarantined, and frees into it still checked. */
static void slab_freeptr_corrupt(struct ktest *t)
{
	check_freeptr(t, 0x5a5a5a5a5a5a5a5aULL, false);
	check_freeptr(t, 0x28, false);
	check_freeptr(t, 0x10, true);
}

/* Scenario: with Z, a write one byte past an object in use, then one
 * past a free object. Expect a "red zone" report at the free (refused:
 * the object stays allocated) and one at the next allocation of the
 * free object (slab quarantined, another object handed out). */
static void slab_redzone(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("rz", 60, 0, SLAB_RED_ZONE, NULL);
	unsigned char *p, *q, *r;

	KTEST_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 1, 60); /* the whole object is fine */
	p[60] = 0; /* one past it is not */
	kmem_cache_free(c, p);
	KTEST_EXPECT(t, rep.addr == p + 60);
	KTEST_EXPECT(t, contains(rep.line, "red zone"));
	EXPECT_ONE_REPORT(t, SLAB_BUG_REDZONE, "rz");
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 1);
	/* The checker finds it too (once), then the free goes through. */
	KTEST_EXPECT_EQ(t, slab_check(), 1);
	EXPECT_ONE_REPORT(t, SLAB_BUG_REDZONE, "rz");
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, rep.count, 0);

	q = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, q);
	q[63] = 0x77; /* in the red zone of a free object */
	r = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, r != q);
	EXPECT_ONE_REPORT(t, SLAB_BUG_REDZONE, "rz");
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(c, r);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: with P, a write into a freed object. Expect "use after
 * free" from kmem_cache_validate() when it runs first, or else at the
 * next allocation of that object; either way the slab is quarantined
 * and the damaged object is not handed out. */
static void slab_poison(struct ktest *t)
{
	for (int via_validate = 0; via_validate < 2; via_validate++) {
		struct kmem_cache *c =
			kmem_cache_create("uaf", 128, 0, SLAB_POISON, NULL);
		unsigned char *p, *q;

		KTEST_ASSERT_NOT_NULL(t, c);
		p = kmem_cache_alloc(c, 0);
		memset(p, 0x11, 128);
		kmem_cache_free(c, p);
		KTEST_EXPECT_EQ(t, p[0], 0x6b); /* SLAB_POISON_FREE */
		KTEST_EXPECT_EQ(t, p[127], 0xa5);
		p[77] = 0x42;
		if (via_validate) {
			KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1);
			KTEST_EXPECT(t, rep.addr == p + 77);
			EXPECT_ONE_REPORT(t, SLAB_BUG_POISON, "uaf");
		}
		q = kmem_cache_alloc(c, 0);
		KTEST_EXPECT(t, q != p);
		if (!via_validate) {
			KTEST_EXPECT(t, rep.addr == p + 77);
			KTEST_EXPECT(t, contains(rep.line, "use after free"));
			EXPECT_ONE_REPORT(t, SLAB_BUG_POISON, "uaf");
		}
		KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED],
				1);
		KTEST_EXPECT_EQ(t, slab_check(), 0);
		kmem_cache_free(c, q);
		KTEST_EXPECT_EQ(t, rep.count, 0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
}

/* Scenario: destroy a cache with two live objects, then after freeing
 * them. Expect one "destroy with 2 live objects" report and -EBUSY, then
 * success with every page back in the buddy allocator; the kmalloc
 * caches refuse with -EPERM. */
static void slab_destroy_busy(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("busy", 300, 0, SLAB_STORE_USER, NULL);
	unsigned long free0 = buddy_free_pages();
	void *p, *q;

	KTEST_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, 0);
	q = kmem_cache_alloc(c, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	KTEST_EXPECT(t, contains(rep.line, "2 live objects"));
	KTEST_EXPECT(t, rep.addr == p || rep.addr == q);
	EXPECT_ONE_REPORT(t, SLAB_BUG_DESTROY_BUSY, "busy");
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(kmalloc_caches[0]), -EPERM);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(NULL), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: slab_debug= strings. Expect Linux's letters (any case), ""
 * for all, "-" for none, NULL to clear, an unknown letter to give
 * -EINVAL but keep the rest, and a cache list to limit the flags. */
static void slab_debug_parse(struct ktest *t)
{
	struct kmem_cache *c;

#define FLAGS_AFTER(arg, name, ret, want)                                      \
	do {                                                                   \
		KTEST_EXPECT_EQ(t, slab_debug_setup(arg), ret);                \
		c = kmem_cache_create(name, 40, 0, 0, NULL);                   \
		KTEST_ASSERT_NOT_NULL(t, c);                                   \
		KTEST_EXPECT_EQ(t, c->flags &SLAB_DEBUG_FLAGS, want);          \
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);                  \
	} while (0)

	FLAGS_AFTER("FZ", "x", 0, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	FLAGS_AFTER("pu", "x", 0, SLAB_POISON | SLAB_STORE_USER);
	FLAGS_AFTER("", "x", 0, SLAB_DEBUG_FLAGS);
	FLAGS_AFTER("-", "x", 0, 0);
	FLAGS_AFTER("FQ", "x", -EINVAL, SLAB_CONSISTENCY_CHECKS);
	FLAGS_AFTER("P,foo*,bar", "foobar", 0, SLAB_POISON);
	FLAGS_AFTER("P,foo*,bar", "bar", 0, SLAB_POISON);
	FLAGS_AFTER("P,foo*,bar", "barn", 0, 0);
	FLAGS_AFTER(",baz", "baz", 0, SLAB_DEBUG_FLAGS);
	FLAGS_AFTER(NULL, "x", 0, 0);
	KTEST_EXPECT_EQ(t, slab_debug_setup("Z"), 0);
	c = kmem_cache_create("nodebug", 40, 0, SLAB_NO_DEBUG, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, c->flags & SLAB_DEBUG_FLAGS, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	slab_debug_setup(NULL);
#undef FLAGS_AFTER
}

/* Scenario: F only, the free list of a partial slab broken by a write
 * after free into a free object's word, then a legitimate free. Expect
 * the consistency check to catch it at that free and quarantine. */
static void slab_consistency_checks(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("F", 40, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	uintptr_t *a, *b, *d;

	KTEST_ASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c, 0);
	b = kmem_cache_alloc(c, 0);
	d = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, a);
	a[-1] = 0; /* a's word lies in no object: a write before a */
	kmem_cache_free(c, b);
	EXPECT_ONE_REPORT(t, SLAB_BUG_FREEPTR, "F");
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(c, d);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: an object's in-use mark overwritten (a write just before
 * it; a cache with a constructor keeps its word there). Expect its free
 * to be reported and refused. */
static void slab_mark_overwritten(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("mark", 40, 0, 0, noop_ctor);
	uintptr_t *a;

	KTEST_ASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c, 0);
	a[-1] = 0x1234;
	kmem_cache_free(c, a);
	EXPECT_ONE_REPORT(t, SLAB_BUG_MARK, "mark");
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 1);
	KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 1); /* quarantines */
	EXPECT_ONE_REPORT(t, SLAB_BUG_MARK, "mark");
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	EXPECT_ONE_REPORT(t, SLAB_BUG_DESTROY_BUSY, "mark");
}

/* Scenario: successive slabs of a cache with spare room. Expect their
 * objects shifted by different colours, each within the slab. */
static void slab_colouring(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("colour", 600, 0, 0, NULL);
	uintptr_t offs[3];
	void **objs;
	unsigned int n;

	KTEST_ASSERT_NOT_NULL(t, c);
	n = info_of(c).objs_per_slab;
	KTEST_ASSERT(t, c->colour_max >= 2 * c->colour_step);
	objs = calloc(3 * n, sizeof(*objs));
	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < 3 * n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(c, 0));
	for (unsigned int s = 0; s < 3; s++)
		offs[s] = (uintptr_t)objs[s * n] & ~c->slab_mask;
	KTEST_EXPECT(t, offs[0] != offs[1] && offs[1] != offs[2]);
	for (unsigned int i = 0; i < 3 * n; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	free(objs);
}

/* Scenario: kmem_cache_zalloc on an object that held data. Expect it
 * zeroed, through the fast and the debug path. */
static void slab_zalloc(struct ktest *t)
{
	for (int dbg = 0; dbg < 2; dbg++) {
		struct kmem_cache *c = kmem_cache_create(
			"zero", 72, 0, dbg ? SLAB_DEBUG_FLAGS : 0, NULL);
		unsigned char *p, *q;

		KTEST_ASSERT_NOT_NULL(t, c);
		p = kmem_cache_alloc(c, 0);
		q = kmem_cache_alloc(c, 0); /* keeps the slab partial */
		memset(p, 0xff, 72);
		kmem_cache_free(c, p);
		p = kmem_cache_zalloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, p);
		for (int i = 0; i < 72; i++)
			KTEST_EXPECT_EQ(t, p[i], 0);
		kmem_cache_free(c, p);
		kmem_cache_free(c, q);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
}

static void bad_ctor(void *p)
{
	((unsigned char *)p)[24] = 0; /* one past a 24-byte object */
}

/* Scenario: with Z, a constructor that writes past its object, so every
 * new slab is damaged. Expect allocation to report, quarantine a bounded
 * number of slabs and return NULL rather than eat all memory. */
static void slab_bad_ctor_bounded(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("badctor", 24, 0, SLAB_RED_ZONE, bad_ctor);
	unsigned long free0 = buddy_free_pages();

	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT(t, kmem_cache_alloc(c, GFP_KERNEL) == NULL);
	KTEST_EXPECT_EQ(t, rep.count, 8);
	KTEST_EXPECT_EQ(t, rep.bug, SLAB_BUG_REDZONE);
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 8);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0 - 8);
	rep_reset();
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: slabinfo with a cache holding three objects. Expect a line
 * for it with its object size, 3 active objects and one partial slab. */
static void slab_slabinfo(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("info-cache", 100, 0, 0, NULL);
	void *p[3];
	char want[160];
	const char *line;
	struct kmem_cache_info ci;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(c, 0);
	ci = info_of(c);
	capture_start(NULL);
	slabinfo_print();
	capture_stop();
	line = capture_text();
	while (*line && strncmp(line, "slabinfo: info-cache", 20) != 0)
		line++;
	KTEST_ASSERT(t, *line != '\0');
	snprintf(want, sizeof(want),
		 "slabinfo: %-18s %7zu %6zu %8lu %8lu %7u %5u %6lu %7lu %6lu "
		 "%5lu %7lu\n",
		 "info-cache", (size_t)100, ci.size, 3UL, ci.total_objs,
		 ci.objs_per_slab, ci.order, 0UL, 1UL, 0UL, 0UL,
		 1UL << ci.order);
	KTEST_EXPECT(t, strncmp(line, want, strlen(want)) == 0);
	KTEST_EXPECT(t, capture_has("slabinfo: kmalloc-64"));
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: slab_check() on a cache whose counters were broken behind
 * its back. Expect the violation printed with its invariant and counted,
 * without a panic; repairing it makes the check clean again. */
static void slab_check_detects(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("chk", 40, 0, 0, NULL);
	void *p;

	KTEST_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, 0);
	c->nr_slabs[KMEM_SLAB_PARTIAL]++;
	KTEST_EXPECT_EQ(t, slab_check(), 1);
	c->nr_slabs[KMEM_SLAB_PARTIAL]--;
	c->active = NULL;
	KTEST_EXPECT_EQ(t, slab_check(), 1);
	c->active = (struct kmem_slab *)((uintptr_t)p & c->slab_mask);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

static struct kmem_cache *lock_cache;
static unsigned int ctor_unlocked, ctor_locked;

/* Runs at slab creation: must see no lock of its cache, may allocate. */
static void lock_ctor(void *p)
{
	void *k = kmalloc(24, GFP_KERNEL);

	if (spin_is_locked(&lock_cache->lock))
		ctor_locked++;
	else
		ctor_unlocked++;
	kfree(k);
	memset(p, 0, 64);
}

/*
 * Scenario: every entry point of a cache in turn, plain and with FZPU,
 * on a cache whose constructor allocates from kmalloc: growth with
 * constructors, fast and slow allocation and free, a double free, a
 * refused destroy, shrink, reap (which shrinks this cache too), validate
 * and info. Expect the cache's lock free after every call, never held
 * while a constructor runs, held by the caller while the report hook
 * runs, and no spinlock BUG line.
 */
static void slab_lock_discipline(struct ktest *t)
{
	unsigned long spin0 = spin_bug_count();

	for (int dbg = 0; dbg < 2; dbg++) {
		struct kmem_cache *c;
		struct kmem_cache_info ci;
		void *p, *q;

		ctor_unlocked = ctor_locked = 0;
		c = kmem_cache_create("lockd", 64, 0,
				      dbg ? SLAB_DEBUG_FLAGS : 0, lock_ctor);
		KTEST_ASSERT_NOT_NULL(t, c);
		lock_cache = c;
		p = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		q = kmem_cache_zalloc(c, GFP_KERNEL);
		KTEST_ASSERT(t, p && q);
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		KTEST_EXPECT_EQ(t, ctor_unlocked, info_of(c).objs_per_slab);
		KTEST_EXPECT_EQ(t, ctor_locked, 0);
		kmem_cache_free(c, q);
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		rep.locked = c;
		kmem_cache_free(c, q);
		rep.locked = NULL;
		KTEST_EXPECT(t, rep.held);
		EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "lockd");
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
		EXPECT_ONE_REPORT(t, SLAB_BUG_DESTROY_BUSY, "lockd");
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		kmem_cache_free(c, p);
		kmem_cache_shrink(c);
		kmem_reap();
		KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 0);
		ci = info_of(c);
		KTEST_EXPECT_EQ(t, ci.active_objs, 0);
		KTEST_EXPECT(t, !spin_is_locked(&c->lock));
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
		lock_cache = NULL;
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(slab_geometry),
	KTEST_CASE(slab_lists),
	KTEST_CASE(slab_allocation_order),
	KTEST_CASE(slab_random),
	KTEST_CASE(slab_random_debug),
	KTEST_CASE(slab_ctor),
	KTEST_CASE(slab_shrink),
	KTEST_CASE(slab_empty_bounded),
	KTEST_CASE(slab_magazine_sizes),
	KTEST_CASE(slab_depot_exchange),
	KTEST_CASE(slab_reap_on_pressure),
	KTEST_CASE(slab_double_free),
	KTEST_CASE(slab_invalid_free),
	KTEST_CASE(slab_wrong_cache),
	KTEST_CASE(slab_hardened_words),
	KTEST_CASE(slab_freeptr_corrupt),
	KTEST_CASE(slab_redzone),
	KTEST_CASE(slab_poison),
	KTEST_CASE(slab_destroy_busy),
	KTEST_CASE(slab_debug_parse),
	KTEST_CASE(slab_consistency_checks),
	KTEST_CASE(slab_mark_overwritten),
	KTEST_CASE(slab_colouring),
	KTEST_CASE(slab_zalloc),
	KTEST_CASE(slab_slabinfo),
	KTEST_CASE(slab_check_detects),
	KTEST_CASE(slab_bad_ctor_bounded),
	/* Lock rules; mm/tests/test_smp_slab.c has the threads. */
	KTEST_CASE(slab_lock_discipline),
	KTEST_END,
};

static const struct ktest_suite slab_suite = {
	.name = "slab",
	.cases = slab_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&slab_suite)
