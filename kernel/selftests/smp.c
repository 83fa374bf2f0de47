// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=smp: the memory subsystem on every online hart at once.
 *
 * A storm runs the same loop on every online hart (smp_call_all): each
 * step allocates an object, fills it with a tag naming the hart and the
 * step, and swaps it into a random slot of a shared exchange table; the
 * object it gets back was, most of the time, allocated by another hart.
 * It checks that object's tag and frees it, so most frees happen on a
 * different hart than the allocation. Afterwards the table is drained
 * and the allocator's checker runs; the conservation checks compare
 * free pages and objects in use with their values before the storm.
 *
 * Workers never call KTEST_EXPECT (the case's struct ktest belongs to
 * the hart running the case): they count errors and keep the first
 * message, and the case reports them when the storm is over.
 *
 * With one hart online the storms still run (every free is then on the
 * allocating hart) and the cross-hart cases skip with a reason.
 */
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "lib/fmt.h"
#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/linear.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define STORM_SLOTS 64
#define STORM_TAG_WORDS 4

struct storm_slot {
	void *obj;
	unsigned int size; /* bytes, or the order for pages */
	unsigned int cpu; /* allocating hart */
	uint64_t tag;
};

struct storm {
	const char *name;
	unsigned long ops; /* per hart */
	void *(*alloc)(struct storm *s, struct rand_state *r, unsigned int *sz);
	void (*free)(struct storm *s, void *obj, unsigned int sz);
	void *(*addr)(void *obj); /* where the tag lives */
	struct kmem_cache *cache;

	spinlock_t lock; /* slots */
	struct storm_slot slots[STORM_SLOTS];
	unsigned long errors, cross, allocs, fails; /* atomics */
	spinlock_t err_lock;
	char first_error[128];
};

static void storm_error(struct storm *s, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED) == 0) {
		spin_lock(&s->err_lock);
		va_start(ap, fmt);
		fmt_vsnprintf(s->first_error, sizeof(s->first_error), fmt, ap);
		va_end(ap);
		spin_unlock(&s->err_lock);
	}
}

static void tag_write(void *p, uint64_t tag)
{
	uint64_t *w = p;

	for (int i = 0; i < STORM_TAG_WORDS; i++)
		w[i] = tag ^ (uint64_t)i;
}

static bool tag_ok(const void *p, uint64_t tag)
{
	const uint64_t *w = p;

	for (int i = 0; i < STORM_TAG_WORDS; i++)
		if (w[i] != (tag ^ (uint64_t)i))
			return false;
	return true;
}

/* Check and free what came out of the table. */
static void storm_retire(struct storm *s, struct storm_slot *old)
{
	if (!old->obj)
		return;
	if (!tag_ok(s->addr(old->obj), old->tag))
		storm_error(s, "%s: object %p from cpu %u lost its tag",
			    s->name, old->obj, old->cpu);
	if (old->cpu != cpu_id())
		__atomic_fetch_add(&s->cross, 1, __ATOMIC_RELAXED);
	s->free(s, old->obj, old->size);
}

static void storm_worker(void *arg)
{
	struct storm *s = arg;
	unsigned int me = cpu_id();
	struct rand_state r;

	rand_seed(&r, 0x5eed0000ULL + me * 7919ULL);
	for (unsigned long i = 0; i < s->ops; i++) {
		struct storm_slot mine = { NULL, 0, me, 0 }, old;
		unsigned int k = (unsigned int)rand_below(&r, STORM_SLOTS);

		mine.obj = s->alloc(s, &r, &mine.size);
		if (!mine.obj) {
			__atomic_fetch_add(&s->fails, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_fetch_add(&s->allocs, 1, __ATOMIC_RELAXED);
		mine.tag = ((uint64_t)me << 48) ^ (i * 0x9e3779b97f4a7c15ULL);
		tag_write(s->addr(mine.obj), mine.tag);
		spin_lock(&s->lock);
		old = s->slots[k];
		s->slots[k] = mine;
		spin_unlock(&s->lock);
		storm_retire(s, &old);
	}
}

/* Run s on every hart, then drain the table; report into t. */
static void storm_run(struct ktest *t, struct storm *s)
{
	spin_lock_init(&s->lock, "storm");
	spin_lock_init(&s->err_lock, "storm_err");
	smp_call_all(storm_worker, s);
	for (int k = 0; k < STORM_SLOTS; k++) {
		storm_retire(s, &s->slots[k]);
		s->slots[k].obj = NULL;
	}
	ktest_info(t,
		   "%s: %u harts, %lu allocations, %lu freed on another "
		   "hart, %lu failed",
		   s->name, smp_num_online(), s->allocs, s->cross, s->fails);
	KTEST_EXPECT_EQ(t, s->errors, 0);
	if (s->errors)
		ktest_info(t, "first error: %s", s->first_error);
	KTEST_EXPECT_EQ(t, s->fails, 0);
	if (smp_num_online() > 1)
		KTEST_EXPECT_GT(t, s->cross, 0);
}

static uint64_t free_pages_now(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

static unsigned long ops_per_hart(unsigned long total)
{
	unsigned int n = smp_num_online();

	return total / n < 2000 ? 2000 : total / n;
}

/* ------------------------------------------------------------- cases */

struct hart_seen {
	unsigned long hartid[NR_CPUS];
	unsigned int cpu[NR_CPUS];
	uintptr_t tp[NR_CPUS];
};

static void record_self(void *arg)
{
	struct hart_seen *seen = arg;
	struct percpu *p = this_cpu();
	unsigned int c = cpu_id();

	seen->hartid[c] = cpu_hartid();
	seen->cpu[c] = p->cpu;
	seen->tp[c] = (uintptr_t)p;
}

/* Scenario: call a function on each online hart in turn, then on all at
 * once. Expect each call to run on the hart asked for, with its own
 * per-hart area (distinct tp) naming its hart id and cpu number. */
static void smp_calls_reach_each_hart(struct ktest *t)
{
	static struct hart_seen seen;
	unsigned int n = smp_num_online();

	memset(&seen, 0, sizeof(seen));
	for (unsigned int c = 0; c < n; c++)
		KTEST_EXPECT_EQ(t, smp_call_on(c, record_self, &seen), 0);
	for (unsigned int c = 0; c < n; c++) {
		KTEST_EXPECT_EQ(t, seen.cpu[c], c);
		KTEST_EXPECT_EQ(t, seen.hartid[c], smp_cpu_hartid(c));
		for (unsigned int d = 0; d < c; d++)
			KTEST_EXPECT_NE(t, seen.tp[c], seen.tp[d]);
	}
	memset(&seen, 0, sizeof(seen));
	smp_call_all(record_self, &seen);
	for (unsigned int c = 0; c < n; c++)
		KTEST_EXPECT_EQ(t, seen.hartid[c], smp_cpu_hartid(c));
	KTEST_EXPECT_EQ(t, smp_call_on(n, record_self, &seen), -EINVAL);
}

/*
 * Lock handoffs in all, shared by the harts: a ticket lock hands over
 * in order, so with more vCPU threads than host CPUs every handoff may
 * wait for the next holder's thread to be scheduled (a convoy); the
 * count per hart falls as harts are added to keep the run bounded.
 */
#define COUNTER_ADDS_TOTAL 100000

struct counter_test {
	spinlock_t lock;
	unsigned long adds; /* per hart, per form */
	unsigned long value; /* plain: only the lock makes it exact */
	unsigned long irq_value;
};

static void counter_worker(void *arg)
{
	struct counter_test *ct = arg;

	for (unsigned long i = 0; i < ct->adds; i++) {
		unsigned long flags;

		spin_lock(&ct->lock);
		*(volatile unsigned long *)&ct->value = ct->value + 1;
		spin_unlock(&ct->lock);
		flags = spin_lock_irqsave(&ct->lock);
		*(volatile unsigned long *)&ct->irq_value = ct->irq_value + 1;
		spin_unlock_irqrestore(&ct->lock, flags);
	}
}

/* Scenario: every online hart adds 1 to two plain counters (100,000 /
 * harts times each, at least 2,000), under one ticket lock (plain and
 * irqsave forms). Expect both totals to be exactly harts x adds and no
 * spinlock BUG lines. */
static void smp_spinlock_counter(struct ktest *t)
{
	static struct counter_test ct;
	unsigned long bugs = spin_bug_count();
	unsigned int n = smp_num_online();

	spin_lock_init(&ct.lock, "counter");
	ct.value = ct.irq_value = 0;
	ct.adds = ops_per_hart(COUNTER_ADDS_TOTAL);
	smp_call_all(counter_worker, &ct);
	KTEST_EXPECT_EQ(t, ct.value, (unsigned long)n * ct.adds);
	KTEST_EXPECT_EQ(t, ct.irq_value, (unsigned long)n * ct.adds);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
	KTEST_EXPECT(t, !spin_is_locked(&ct.lock));
}

/* Pages: orders 0..3. */
static void *pages_alloc(struct storm *s, struct rand_state *r,
			 unsigned int *sz)
{
	unsigned int order = (unsigned int)rand_below(r, 4);
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

	*sz = order;
	return pg;
}

static void pages_free(struct storm *s, void *obj, unsigned int sz)
{
	__free_pages(obj, sz);
}

static void *pages_addr(void *obj)
{
	return page_address(obj);
}

static void *plain_addr(void *obj)
{
	return obj;
}

/* Scenario: a storm of alloc_pages/__free_pages of orders 0..3 on every
 * hart, most blocks freed by another hart. Expect no lost tag, no
 * failure, buddy_check() clean and the free page count as before. */
static void smp_buddy_storm(struct ktest *t)
{
	static struct storm s;
	uint64_t before = free_pages_now();

	memset(&s, 0, sizeof(s));
	s.name = "buddy";
	s.ops = ops_per_hart(60000);
	s.alloc = pages_alloc;
	s.free = pages_free;
	s.addr = pages_addr;
	storm_run(t, &s);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, free_pages_now(), before);
}

static unsigned long ctor_calls;

static void storm_ctor(void *obj)
{
	__atomic_fetch_add(&ctor_calls, 1, __ATOMIC_RELAXED);
	memset(obj, 0, 96);
}

static void *cache_alloc(struct storm *s, struct rand_state *r,
			 unsigned int *sz)
{
	*sz = 0;
	return kmem_cache_alloc(s->cache, GFP_KERNEL);
}

static void cache_free(struct storm *s, void *obj, unsigned int sz)
{
	kmem_cache_free(s->cache, obj);
}

/* Scenario: a storm on one kmem_cache (96-byte objects, a constructor)
 * on every hart, most objects freed by another hart. Expect no lost tag,
 * slab_check() clean, no objects left in use, and every page back in the
 * buddy allocator once the cache is destroyed. */
static void smp_slab_storm(struct ktest *t)
{
	static struct storm s;
	struct kmem_cache_info info;
	uint64_t before;

	kmem_reap();
	before = free_pages_now();
	memset(&s, 0, sizeof(s));
	s.name = "slab";
	s.ops = ops_per_hart(60000);
	s.alloc = cache_alloc;
	s.free = cache_free;
	s.addr = plain_addr;
	s.cache = kmem_cache_create("smp-storm", 96, 0, 0, storm_ctor);
	KTEST_ASSERT(t, s.cache != NULL);
	storm_run(t, &s);
	kmem_cache_info(s.cache, &info);
	KTEST_EXPECT_EQ(t, info.active_objs, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(s.cache), 0);
	kmem_reap();
	KTEST_EXPECT_EQ(t, free_pages_now(), before);
}

static void *kmalloc_alloc(struct storm *s, struct rand_state *r,
			   unsigned int *sz)
{
	/* Log-uniform-ish 32 .. 4096 bytes: room for the tag. */
	unsigned int shift = 5 + (unsigned int)rand_below(r, 8);
	size_t size = ((size_t)1 << shift) +
		      (size_t)rand_below(r, (uint64_t)1 << shift);

	if (size > 4096)
		size = 4096;
	*sz = (unsigned int)size;
	return kmalloc(size, GFP_KERNEL);
}

static void kmalloc_free(struct storm *s, void *obj, unsigned int sz)
{
	if (ksize(obj) < sz)
		storm_error(s, "kmalloc: ksize(%p) %zu < %u", obj, ksize(obj),
			    sz);
	kfree(obj);
}

static unsigned long kmalloc_in_use(void)
{
	unsigned long n = 0;

	for (int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache_info info;

		if (!kmalloc_caches[i])
			continue;
		kmem_cache_info(kmalloc_caches[i], &info);
		n += info.active_objs;
	}
	return n;
}

/* Scenario: a kmalloc/kfree storm of sizes 32..4096 on every hart, most
 * objects freed by another hart. Expect no lost tag, ksize() at least
 * the request, slab_check() clean and as many kmalloc objects in use as
 * before. */
static void smp_kmalloc_storm(struct ktest *t)
{
	static struct storm s;
	unsigned long in_use = kmalloc_in_use();

	memset(&s, 0, sizeof(s));
	s.name = "kmalloc";
	s.ops = ops_per_hart(60000);
	s.alloc = kmalloc_alloc;
	s.free = kmalloc_free;
	s.addr = plain_addr;
	storm_run(t, &s);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmalloc_in_use(), in_use);
}

static void *vmalloc_alloc(struct storm *s, struct rand_state *r,
			   unsigned int *sz)
{
	unsigned int pages = 1 + (unsigned int)rand_below(r, 4);

	*sz = pages;
	return vmalloc((size_t)pages * PAGE_SIZE);
}

static void vmalloc_free(struct storm *s, void *obj, unsigned int sz)
{
	/* The last page too: the whole area is mapped on this hart. */
	uint64_t *last = (uint64_t *)((char *)obj + sz * PAGE_SIZE) - 1;

	*last = 0;
	vfree(obj);
}

/* Scenario: a vmalloc/vfree storm of 1..4-page areas on every hart,
 * most areas freed (and first written) by another hart than the one
 * that mapped them. Expect no lost tag, vmalloc_check() clean, and after
 * vmalloc_purge() the free page count and the area count as before. */
static void smp_vmalloc_storm(struct ktest *t)
{
	static struct storm s;
	struct vmalloc_stats st0, st1;
	uint64_t before;

	vmalloc_purge();
	vmalloc_get_stats(&st0);
	before = free_pages_now();
	memset(&s, 0, sizeof(s));
	s.name = "vmalloc";
	s.ops = ops_per_hart(12000);
	s.alloc = vmalloc_alloc;
	s.free = vmalloc_free;
	s.addr = plain_addr;
	storm_run(t, &s);
	vmalloc_purge();
	vmalloc_get_stats(&st1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, st1.nr_areas, st0.nr_areas);
	KTEST_EXPECT_EQ(t, st1.nr_pages, st0.nr_pages);
	/* Metadata pages the storm added stay cached for reuse. */
	KTEST_EXPECT_EQ(t, free_pages_now() + (st1.meta_pages - st0.meta_pages),
			before);
}

/* ---------------------------------------------------- TLB shootdown */

struct probe {
	volatile uint8_t *addr;
	int err;
	uint8_t val;
};

static void probe_read(void *arg)
{
	struct probe *pr = arg;

	pr->err = arch_probe_read(pr->addr, &pr->val);
}

#define TLB_MARK_OLD 0xaa
#define TLB_MARK_FREED 0xee
#define TLB_MARK_NEW 0x55
#define TLB_TRIES 64

/*
 * The shootdown scenario on harts 0 (here) and `other`. Returns what the
 * other hart read at the reused address (or -1 if it faulted, or -2 if
 * the set-up could not reuse range and frame).
 */
static int tlb_scenario(struct ktest *t, unsigned int other)
{
	static void *extra[TLB_TRIES];
	static struct page *held[TLB_TRIES];
	struct probe pr;
	uint8_t *p, *q = NULL;
	struct page *old_frame, *frame = NULL;
	int nextra = 0, nheld = 0, result = -2;

	p = vmalloc(PAGE_SIZE);
	if (!p)
		return -2;
	memset(p, TLB_MARK_OLD, PAGE_SIZE);
	old_frame = vmalloc_to_page(p);
	/* 1. The other hart reads p: its TLB now maps p to old_frame. */
	pr.addr = p;
	smp_call_on(other, probe_read, &pr);
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, TLB_MARK_OLD);

	/* 2. This hart frees the area; range and frame are reused. */
	vfree(p);
	vmalloc_purge();
	for (int i = 0; i < TLB_TRIES && !frame; i++) {
		struct page *pg = alloc_page(GFP_KERNEL);

		if (pg == old_frame)
			frame = pg;
		else if (pg)
			held[nheld++] = pg;
	}
	for (int i = 0; i < TLB_TRIES && frame; i++) {
		void *v = vmalloc(PAGE_SIZE);

		if (v == p) {
			q = v;
			break;
		}
		if (v)
			extra[nextra++] = v;
	}
	if (frame && q) {
		memset(page_address(frame), TLB_MARK_FREED, PAGE_SIZE);
		memset(q, TLB_MARK_NEW, PAGE_SIZE);
		/* 3. The other hart reads p again. */
		pr.addr = q;
		smp_call_on(other, probe_read, &pr);
		result = pr.err ? -1 : pr.val;
	}
	if (q)
		vfree(q);
	while (nextra)
		vfree(extra[--nextra]);
	while (nheld)
		__free_page(held[--nheld]);
	if (frame)
		__free_page(frame);
	vmalloc_purge();
	return result;
}

/* Scenario: hart 1 reads a vmalloc page (its TLB caches the mapping);
 * hart 0 vfrees the area, and the range and the frame are handed out
 * again (the frame now holds 0xee, the range maps a new frame holding
 * 0x55); hart 1 reads the address again. Expect 0x55 (or a fault caught
 * by the probe), never 0xee through a stale translation. */
static void smp_tlb_shootdown_reuse(struct ktest *t)
{
	unsigned long before = smp_shootdown_count();
	int got;

	if (smp_num_online() < 2) {
		ktest_skip(t, "needs 2 harts online");
		return;
	}
	got = tlb_scenario(t, 1);
	if (got == -2) {
		ktest_skip(t, "could not reuse the range and the frame");
		return;
	}
	ktest_info(t, "hart %lu read 0x%x after the reuse (-1: fault)",
		   smp_cpu_hartid(1), got);
	KTEST_EXPECT_NE(t, got, TLB_MARK_FREED);
	KTEST_EXPECT(t, got == TLB_MARK_NEW || got == -1);
	KTEST_EXPECT_GT(t, smp_shootdown_count(), before);
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(smp_calls_reach_each_hart), KTEST_CASE(smp_spinlock_counter),
	KTEST_CASE(smp_buddy_storm),	       KTEST_CASE(smp_slab_storm),
	KTEST_CASE(smp_kmalloc_storm),	       KTEST_CASE(smp_vmalloc_storm),
	KTEST_CASE(smp_tlb_shootdown_reuse),   KTEST_END,
};

static const struct ktest_suite smp_suite = { "smp", smp_cases, NULL, NULL };
KTEST_SUITE_REGISTER(smp_suite, 70);
