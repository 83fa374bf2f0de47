// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency tests of mm/slab.c and mm/kmalloc.c: POSIX threads stand
 * in for harts (lib/tests/host_cpu.c) over the real buddy allocator and
 * fake physical memory, set up once per process as in test_slab.c. The
 * Makefile builds this file twice, with ASan and UBSan
 * (BUILD/host/mm/tests/test_smp_slab) and with ThreadSanitizer
 * (BUILD/tsan/mm/tests/test_smp_slab); both must pass and TSan must
 * report nothing.
 *
 * Every worker thread records its failures in its own counters and the
 * main thread checks them after the join: ktest's state and printk's
 * sink are not the workers' to touch. Objects move between threads
 * through per-thread inboxes of atomic pointers (acquire-release
 * exchanges), so a good share of them is freed on another thread than
 * the one that allocated them. Each worker is pinned to a CPU, and
 * workers that share one take turns (CPU gates): with more
 * runnable workers than CPUs, ticket locks convoy behind a descheduled
 * ticket holder (mm/tests/host_smp.h).
 *
 * Operations (one allocation or one free each; creating or destroying a
 * cache counts as one too) per storm, all threads together:
 *
 *                          ASan build    TSan build (5-15x slower)
 *   (a) kmem_cache storm    1,200,000    1,000,000
 *   (b) kmalloc storm       1,200,000    1,000,000
 *   (d) create/destroy        600,000      400,000
 *   (c) double-free rounds     20,000 x 2   10,000 x 2 (3 ops each)
 *
 * so each allocator sees over 1,000,000 operations in either build.
 * SMP_SLAB_OPS in the environment sets every storm's count,
 * SMP_SLAB_ROUNDS the rounds; else KTEST_OPS_PERCENT scales the
 * defaults (lib/tests/host_ktest.h; `make test` runs 20 %, `make soak`
 * all of them).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/tests/host_smp.h"
#include "mm/tests/host_arch.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (128UL << 20)

#define NTHREADS 4
#ifdef __SANITIZE_THREAD__
#define CACHE_STORM_OPS 1000000UL
#define KMALLOC_STORM_OPS 1000000UL
#define CHURN_OPS 400000UL
#define DF_ROUNDS 10000UL /* per pair of threads */
#else
#define CACHE_STORM_OPS 1200000UL
#define KMALLOC_STORM_OPS 1200000UL
#define CHURN_OPS 600000UL
#define DF_ROUNDS 20000UL
#endif
#define LOCAL_MAX 128 /* objects a thread holds at most */
#define INBOX_SLOTS 512 /* objects in flight to one thread, at most */
#define MAIL_PROBES 16 /* inbox slots looked at for one object */
#define SHRINK_EVERY 8192 /* thread 0's ops between shrinks/reaps */
#define CHECK_EVERY 16384 /* thread 1's ops between slab_check()s */
#define REPORT_PRINT_MAX 4 /* expected reports printed per case */
#define PAIR_BATCH 64 /* double-free rounds between turns */

/* A storm's operation count: SMP_SLAB_OPS if set, else dflt scaled. */
static unsigned long storm_ops(unsigned long dflt)
{
	return ktest_host_count("SMP_SLAB_OPS", dflt);
}

/* One buddy allocator per process: buddy up, secret, kmalloc. */
static void smp_host_setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0x5eed5eed5eed5eedULL);
	slab_debug_setup(NULL);
	kmalloc_init();
}

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

/* ------------------------------------------------------------ reports */

/*
 * Reports arrive on any thread, with the reporting cache's lock held:
 * the hook only counts (atomics) and prints the first few lines.
 */
#define REP_CACHES 4
static struct {
	unsigned long count;
	unsigned long double_frees;
	unsigned long printed;
	/* Double frees per cache named in names[] (case c). */
	const char *names[REP_CACHES];
	unsigned long per_cache[REP_CACHES];
} rep;

static void capture(const struct slab_report *r)
{
	__atomic_fetch_add(&rep.count, 1, __ATOMIC_RELAXED);
	if (r->bug == SLAB_BUG_DOUBLE_FREE) {
		__atomic_fetch_add(&rep.double_frees, 1, __ATOMIC_RELAXED);
		for (int i = 0; i < REP_CACHES; i++)
			if (rep.names[i] && strcmp(r->cache, rep.names[i]) == 0)
				__atomic_fetch_add(&rep.per_cache[i], 1,
						   __ATOMIC_RELAXED);
	}
	if (__atomic_fetch_add(&rep.printed, 1, __ATOMIC_RELAXED) <
	    REPORT_PRINT_MAX)
		printf("    # reported: %s\n", r->line);
}

/* Called between cases only (no worker runs). */
static void rep_reset(void)
{
	memset(&rep, 0, sizeof(rep));
}

static int suite_init(void)
{
	smp_host_setup();
	rep_reset();
	slab_set_report_hook(capture);
	return 0;
}

static void suite_exit(void)
{
	slab_set_report_hook(NULL);
}

/* --------------------------------------------------- slabinfo capture */

/* Caches listed by slabinfo and the pages they hold (no worker runs). */
static void slab_census(unsigned long *caches, unsigned long *pages)
{
	const char *line;

	capture_start(NULL);
	slabinfo_print();
	capture_stop();
	*caches = 0;
	*pages = 0;
	for (line = capture_text(); *line;) {
		const char *end = strchr(line, '\n');
		const char *last;

		if (!end)
			break;
		last = end;
		while (last > line && last[-1] != ' ')
			last--;
		if (strncmp(line, "slabinfo: name ", 15) != 0 &&
		    strncmp(line, "slabinfo: ", 10) == 0) {
			(*caches)++;
			*pages += strtoul(last, NULL, 10);
		}
		line = end + 1;
	}
}

/* ----------------------------------------------------------- workers */

/* Start line shared by the workers of one storm. */
static pthread_barrier_t start_line;
static struct host_gate pair_gate; /* see smp_double_free */

/*
 * Objects in flight between threads (cases a, b, d): inbox[i] holds
 * objects sent to thread i by the others. The exchanges are acq_rel:
 * the receiver sees the sender's writes to the object, the sender sees
 * the writes of whoever put there the object it displaces.
 */
static void *inbox[NTHREADS][INBOX_SLOTS];

/* Send p to another thread; returns the object it displaced, if any. */
static void *mail_send(struct rand_state *r, unsigned int me, void *p)
{
	unsigned int to =
		(me + 1 + (unsigned int)rand_below(r, NTHREADS - 1)) % NTHREADS;

	return __atomic_exchange_n(&inbox[to][rand_below(r, INBOX_SLOTS)], p,
				   __ATOMIC_ACQ_REL);
}

/* An object another thread sent to me (a few slots tried), or NULL. */
static void *mail_take(struct rand_state *r, unsigned int me)
{
	unsigned int at = (unsigned int)rand_below(r, INBOX_SLOTS);

	for (unsigned int i = 0; i < MAIL_PROBES; i++) {
		void **slot = &inbox[me][(at + i) % INBOX_SLOTS];

		if (__atomic_load_n(slot, __ATOMIC_RELAXED))
			return __atomic_exchange_n(slot, NULL,
						   __ATOMIC_ACQ_REL);
	}
	return NULL;
}

struct worker {
	pthread_t thread;
	unsigned int id; /* 0 .. NTHREADS - 1 */
	unsigned long target; /* operations to do */
	unsigned long ops; /* done */
	unsigned long frees, cross; /* frees; of objects another allocated */
	unsigned long alloc_fail; /* NULL from an allocator */
	unsigned long corrupt; /* object contents not as left */
	unsigned long check_fail; /* concurrent slab_check() != 0 */
	unsigned long other_fail; /* anything else */
	unsigned long turn_ops; /* ops at the last turn at the gate */
	unsigned int cpu; /* its CPU and gate (host_smp.h) */
	struct kmem_cache *cache;
};

/* Start together, then wait for a first turn on this worker's CPU. */
static void worker_start(struct worker *w)
{
	pthread_barrier_wait(&start_line);
	host_cpu_enter(w->cpu);
}

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Elapsed time of the last run_workers() (and double-free run), in ms. */
static unsigned long run_ms;

static void run_workers(struct worker *w, unsigned int n, void *(*fn)(void *),
			unsigned long total_ops)
{
	unsigned int ncpu = host_cpus_begin(n);
	unsigned long t0 = now_ms();

	pthread_barrier_init(&start_line, NULL, n);
	for (unsigned int i = 0; i < n; i++) {
		w[i].id = i;
		w[i].cpu = i % ncpu;
		w[i].target = total_ops / n;
		pthread_create(&w[i].thread, NULL, fn, &w[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start_line);
	host_cpus_end();
	run_ms = now_ms() - t0;
}

/* Sum of the workers' failure counters, each reported. */
static void expect_clean_workers(struct ktest *t, struct worker *w,
				 unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		KTEST_EXPECT_EQ(t, w[i].alloc_fail, 0);
		KTEST_EXPECT_EQ(t, w[i].corrupt, 0);
		KTEST_EXPECT_EQ(t, w[i].check_fail, 0);
		KTEST_EXPECT_EQ(t, w[i].other_fail, 0);
	}
}

static unsigned long sum_ops(struct worker *w, unsigned int n,
			     unsigned long *frees, unsigned long *cross)
{
	unsigned long ops = 0;

	*frees = *cross = 0;
	for (unsigned int i = 0; i < n; i++) {
		ops += w[i].ops;
		*frees += w[i].frees;
		*cross += w[i].cross;
	}
	return ops;
}

/* Thread 0 shrinks or reaps now and then, thread 1 checks. */
static void housekeeping(struct worker *w, struct kmem_cache *c)
{
	if (w->id == 0 && w->ops % SHRINK_EVERY == 0) {
		if ((w->ops / SHRINK_EVERY) & 1)
			kmem_reap();
		else if (c)
			kmem_cache_shrink(c);
	}
	if (w->id == 1 && w->ops % CHECK_EVERY == 0 && slab_check() != 0)
		w->check_fail++;
}

/* ------------------------------------------- (a) kmem_cache storm */

#define OBJ_WORDS 5
#define CTOR_MAGIC 0xc0257c0257c02570ULL
#define CTOR_FILL 0x0c0c0c0c0c0c0c0cULL

/* 64 bytes: the constructed state is owner 0 and CTOR_FILL words. */
struct storm_obj {
	uint64_t magic;
	uint64_t owner; /* allocating thread + 1; 0 while free */
	uint64_t seq; /* the owner's allocation number */
	uint64_t word[OBJ_WORDS];
};

static unsigned long ctor_calls;

static void storm_ctor(void *p)
{
	struct storm_obj *o = p;

	o->magic = CTOR_MAGIC;
	o->owner = 0;
	o->seq = 0;
	for (int i = 0; i < OBJ_WORDS; i++)
		o->word[i] = CTOR_FILL;
	__atomic_fetch_add(&ctor_calls, 1, __ATOMIC_RELAXED);
}

static uint64_t obj_pattern(const struct storm_obj *o, int i)
{
	return ((uint64_t)(uintptr_t)o * 0x9e3779b97f4a7c15ULL) ^
	       (o->owner << 56) ^ (o->seq << 8) ^ (uint64_t)i;
}

static bool obj_constructed(const struct storm_obj *o)
{
	if (o->magic != CTOR_MAGIC || o->owner || o->seq)
		return false;
	for (int i = 0; i < OBJ_WORDS; i++)
		if (o->word[i] != CTOR_FILL)
			return false;
	return true;
}

static void obj_take(struct worker *w, struct storm_obj *o, uint64_t seq)
{
	if (!obj_constructed(o))
		w->corrupt++;
	o->owner = w->id + 1;
	o->seq = seq;
	for (int i = 0; i < OBJ_WORDS; i++)
		o->word[i] = obj_pattern(o, i);
}

/* Check the owner's pattern, put the constructed state back, free. */
static void obj_release(struct worker *w, void *p)
{
	struct storm_obj *o = p;
	bool ok =
		o->magic == CTOR_MAGIC && o->owner >= 1 && o->owner <= NTHREADS;

	for (int i = 0; ok && i < OBJ_WORDS; i++)
		ok = o->word[i] == obj_pattern(o, i);
	if (!ok)
		w->corrupt++;
	if (o->owner != w->id + 1)
		w->cross++;
	o->owner = 0;
	o->seq = 0;
	for (int i = 0; i < OBJ_WORDS; i++)
		o->word[i] = CTOR_FILL;
	kmem_cache_free(w->cache, o);
	w->frees++;
	w->ops++;
}

/*
 * One free step. x < 70: free one of the thread's own objects. Else send
 * one of its own to another thread, freeing the object that displaces
 * (if any), and free one that another thread sent (if its inbox has
 * one): most of those were allocated by another thread.
 */
static void free_step(struct worker *w, struct rand_state *r, void **local,
		      unsigned int *n, unsigned int x,
		      void (*release)(struct worker *w, void *p))
{
	unsigned int i = (unsigned int)rand_below(r, *n);
	void *p = local[i], *q;

	local[i] = local[--*n];
	if (x >= 70) {
		p = mail_send(r, w->id, p);
		q = mail_take(r, w->id);
		if (q)
			release(w, q);
	}
	if (p)
		release(w, p);
}

static void *storm_cache_worker(void *arg)
{
	struct worker *w = arg;
	void *local[LOCAL_MAX];
	unsigned int n = 0;
	struct rand_state r;
	uint64_t seq = 0;

	rand_seed(&r, 0xa11ce + w->id);
	worker_start(w);
	while (w->ops < w->target) {
		unsigned int x = (unsigned int)rand_below(&r, 100);

		if (n == 0 || (n < LOCAL_MAX && x < 50)) {
			struct storm_obj *o =
				kmem_cache_alloc(w->cache, GFP_KERNEL);

			if (!o) {
				w->alloc_fail++;
				break;
			}
			obj_take(w, o, ++seq);
			local[n++] = o;
			w->ops++;
		} else {
			free_step(w, &r, local, &n, x, obj_release);
		}
		housekeeping(w, w->cache);
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
	}
	while (n)
		obj_release(w, local[--n]);
	host_cpu_leave(w->cpu);
	return NULL;
}

/* Free what is left in the inboxes (no worker runs). */
static unsigned long drain_inboxes(void (*release)(void *p, void *ctx),
				   void *ctx)
{
	unsigned long n = 0;

	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < INBOX_SLOTS; i++)
			if (inbox[t][i]) {
				release(inbox[t][i], ctx);
				inbox[t][i] = NULL;
				n++;
			}
	return n;
}

static void drain_obj(void *p, void *ctx)
{
	obj_release(ctx, p);
}

/*
 * Scenario: four threads allocate 64-byte objects from one cache with a
 * constructor and free them, many of them after passing them to another
 * thread through its inbox; each object carries its owner's pattern,
 * checked before the free; thread 0 shrinks and reaps, thread 1 runs
 * slab_check() meanwhile. Expect every object constructed when handed
 * out and intact when freed, at least one free in fifty by another
 * thread than the allocating one, slab_check() clean during and after, no
 * report, the cache back to 0 objects in use and, once shrunk (which
 * drains the magazines the workers left), numbers that agree (slabs,
 * pages, one constructor call per object of every slab made),
 * and every page back in the buddy allocator after destroy.
 */
static void smp_cache_storm(struct ktest *t)
{
	struct worker w[NTHREADS] = { 0 };
	unsigned long free0, ops, frees, cross, slabs, spin0 = spin_bug_count();
	struct kmem_cache_info ci;
	struct kmem_cache *c;

	ctor_calls = 0;
	c = kmem_cache_create("smp-storm", sizeof(struct storm_obj), 0, 0,
			      storm_ctor);
	KTEST_ASSERT_NOT_NULL(t, c);
	kmem_reap(); /* other caches down to their reserve: reaps keep it */
	free0 = buddy_free_pages();
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	for (int i = 0; i < NTHREADS; i++)
		w[i].cache = c;
	run_workers(w, NTHREADS, storm_cache_worker,
		    storm_ops(CACHE_STORM_OPS));
	drain_inboxes(drain_obj, &w[0]);
	expect_clean_workers(t, w, NTHREADS);
	ops = sum_ops(w, NTHREADS, &frees, &cross);
	ktest_info(t,
		   "%lu operations, %lu frees, %lu by another thread, %lu ms",
		   ops, frees, cross, run_ms);
	KTEST_EXPECT_GE(t, ops, storm_ops(CACHE_STORM_OPS) - NTHREADS);
	/* Typically 10-30%; how much depends on the host's scheduling:
	 * with magazines a shortened storm lasts some 30 ms, and a worker
	 * may run whole time slices while the others wait at its gate. */
	KTEST_EXPECT_GE(t, cross * 50, frees);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 0);
	/* The exited workers' magazines still hold objects: drain them. */
	kmem_cache_shrink(c);
	KTEST_EXPECT_EQ(t, slab_check(), 0);

	ci = info_of(c);
	slabs = ci.nr_slabs[KMEM_SLAB_FULL] + ci.nr_slabs[KMEM_SLAB_PARTIAL] +
		ci.nr_slabs[KMEM_SLAB_EMPTY];
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	KTEST_EXPECT_EQ(t, ci.nr_slabs[KMEM_SLAB_QUARANTINED], 0);
	KTEST_EXPECT_EQ(t, slabs, ci.nr_slabs[KMEM_SLAB_EMPTY]);
	KTEST_EXPECT_EQ(t, ci.total_objs, slabs * ci.objs_per_slab);
	KTEST_EXPECT_EQ(t, ci.pages, slabs << ci.order);
	KTEST_EXPECT_EQ(t, ci.grows - ci.releases, slabs);
	KTEST_EXPECT_EQ(t, ctor_calls, ci.grows * ci.objs_per_slab);
	KTEST_EXPECT_EQ(t, ci.bugs, 0);
	ktest_info(t, "%lu slabs grown, %lu released meanwhile, %lu left",
		   ci.grows, ci.releases, slabs);
	KTEST_EXPECT_EQ(t, free0 - buddy_free_pages(), ci.pages);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	/* c's descriptor went to kmem_cache's magazines, which may have
	 * taken a new magazine: down to the reserves again. */
	kmem_reap();
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
}

/* ------------------------------------------------ (b) kmalloc storm */

#define LARGE_ONE_IN 512 /* share of large (buddy) allocations */
#define LARGE_MAX (64UL << 10)

/* A size in 8..8192 (log-uniform octave, uniform inside), or large. */
static size_t storm_size(struct rand_state *r)
{
	unsigned int k;
	size_t lo;

	if (rand_below(r, LARGE_ONE_IN) == 0)
		return KMALLOC_MAX_CACHE_SIZE + 1 +
		       rand_below(r, LARGE_MAX - KMALLOC_MAX_CACHE_SIZE);
	k = 3 + (unsigned int)rand_below(r, 10); /* [8, 8192) */
	lo = (size_t)1 << k;
	return lo + rand_below(r, lo + (k == 12)); /* 8192 included */
}

/* Header word: owner thread and size; the rest a byte pattern of both. */
static uint8_t km_byte(uint64_t head)
{
	return (uint8_t)(head * 0x9e3779b97f4a7c15ULL >> 56);
}

static void km_fill(struct worker *w, void *p, size_t size)
{
	uint64_t head = ((uint64_t)(w->id + 1) << 32) | size;

	*(uint64_t *)p = head;
	memset((char *)p + 8, km_byte(head), size - 8);
}

/* Check the first and last 64 bytes and every 61st byte between. */
static bool km_intact(const void *p)
{
	uint64_t head = *(const uint64_t *)p;
	size_t size = (size_t)(uint32_t)head, owner = head >> 32;
	const uint8_t *b = p;
	uint8_t want = km_byte(head);

	if (owner < 1 || owner > NTHREADS || size < 8 || size > LARGE_MAX ||
	    ksize(p) < size)
		return false;
	for (size_t i = 8; i < size; i += (i < 64 || i + 64 >= size) ? 1 : 61)
		if (b[i] != want)
			return false;
	return true;
}

static void km_release(struct worker *w, void *p)
{
	if (!km_intact(p))
		w->corrupt++;
	if ((*(uint64_t *)p >> 32) != w->id + 1)
		w->cross++;
	kfree(p);
	w->frees++;
	w->ops++;
}

static void *storm_kmalloc_worker(void *arg)
{
	struct worker *w = arg;
	void *local[LOCAL_MAX];
	unsigned int n = 0;
	struct rand_state r;

	rand_seed(&r, 0xb0b + w->id);
	worker_start(w);
	while (w->ops < w->target) {
		unsigned int x = (unsigned int)rand_below(&r, 100);

		if (n == 0 || (n < LOCAL_MAX && x < 50)) {
			size_t size = storm_size(&r);
			void *p = kmalloc(size, GFP_KERNEL);

			if (!p) {
				w->alloc_fail++;
				break;
			}
			if (size <= KMALLOC_MAX_CACHE_SIZE &&
			    ksize(p) != kmalloc_size_class(size))
				w->other_fail++;
			km_fill(w, p, size);
			local[n++] = p;
			w->ops++;
		} else {
			free_step(w, &r, local, &n, x, km_release);
		}
		housekeeping(w, NULL);
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
	}
	while (n)
		km_release(w, local[--n]);
	host_cpu_leave(w->cpu);
	return NULL;
}

static void drain_km(void *p, void *ctx)
{
	km_release(ctx, p);
}

/* Pages held by the kmalloc caches, and their objects in use. */
static void kmalloc_held(unsigned long *pages, unsigned long *objs)
{
	*pages = *objs = 0;
	for (int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache_info ci = info_of(kmalloc_caches[i]);

		*pages += ci.pages;
		*objs += ci.active_objs;
	}
}

/*
 * Scenario: four threads kmalloc sizes from 8 to 8192 bytes (one in 512
 * a large block of up to 64 KiB), write an owner and size pattern, and
 * kfree, many after passing them to another thread; thread 0 reaps,
 * thread 1 runs slab_check() meanwhile. Every class first holds one
 * empty slab (its reserve). Expect contents intact, ksize() the class of
 * the size, at least one free in ten on another thread, no report,
 * slab_check() clean, and after kmem_reap() every kmalloc cache back to
 * its reserve slab with the objects in use it had, and the buddy
 * allocator's free pages back to their starting value.
 */
static void smp_kmalloc_storm(struct ktest *t)
{
	struct worker w[NTHREADS] = { 0 };
	unsigned long free0, held0, objs0, held1, objs1, ops, frees, cross;
	unsigned long caches0, pages0, caches1, pages1;
	unsigned long spin0 = spin_bug_count();

	/* Warm up: one empty slab in every class, then count. */
	for (int i = 0; i < KMALLOC_NR_CLASSES; i++)
		kmem_cache_free(kmalloc_caches[i],
				kmem_cache_alloc(kmalloc_caches[i], 0));
	kmem_reap();
	free0 = buddy_free_pages();
	kmalloc_held(&held0, &objs0);
	slab_census(&caches0, &pages0);

	run_workers(w, NTHREADS, storm_kmalloc_worker,
		    storm_ops(KMALLOC_STORM_OPS));
	drain_inboxes(drain_km, &w[0]);
	expect_clean_workers(t, w, NTHREADS);
	ops = sum_ops(w, NTHREADS, &frees, &cross);
	ktest_info(t,
		   "%lu operations, %lu frees, %lu by another thread, %lu ms",
		   ops, frees, cross, run_ms);
	KTEST_EXPECT_GE(t, ops, storm_ops(KMALLOC_STORM_OPS) - NTHREADS);
	KTEST_EXPECT_GE(t, cross * 10, frees);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_reap();
	kmalloc_held(&held1, &objs1);
	KTEST_EXPECT_EQ(t, objs1, objs0);
	KTEST_EXPECT_EQ(t, held1, held0);
	/* Every page free or held by a cache: the descriptors of large
	 * classes' slabs (kmem_slab) may be spread over more pages now. */
	slab_census(&caches1, &pages1);
	KTEST_EXPECT_EQ(t, buddy_free_pages() + pages1, free0 + pages0);
	for (int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache_info ci = info_of(kmalloc_caches[i]);

		KTEST_EXPECT_LE(t, ci.nr_slabs[KMEM_SLAB_EMPTY], 1);
		KTEST_EXPECT_EQ(t, ci.nr_slabs[KMEM_SLAB_QUARANTINED], 0);
		KTEST_EXPECT_EQ(t, ci.bugs, 0);
	}
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
}

/* ------------------------------------------- (c) concurrent double free */

/*
 * Two threads of a pair meet at a spinning barrier (sense reversal), so
 * that their frees overlap as closely as the machine allows; they yield
 * while waiting, as there may be fewer cores than threads.
 */
struct pair {
	unsigned int arrived, sense;
	void *obj; /* the object of this round (written before a sync) */
	unsigned long rounds, mismatches, first_bad;
	struct kmem_cache *cache[2]; /* even / odd rounds; NULL: kfree */
	size_t size[2]; /* kmalloc sizes for kfree rounds */
	int rep_idx[2]; /* rep.names index of each round's cache */
};

static void pair_sync(struct pair *pp, unsigned int *sense)
{
	*sense ^= 1;
	if (__atomic_add_fetch(&pp->arrived, 1, __ATOMIC_ACQ_REL) == 2) {
		__atomic_store_n(&pp->arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&pp->sense, *sense, __ATOMIC_RELEASE);
		return;
	}
	for (unsigned int spins = 0;
	     __atomic_load_n(&pp->sense, __ATOMIC_ACQUIRE) != *sense; spins++)
		if (spins > 64)
			sched_yield();
		else
			cpu_relax();
}

struct df_worker {
	pthread_t thread;
	struct pair *pair;
	bool leader;
	unsigned int cpu; /* its CPU (host_smp.h) */
	unsigned long alloc_fail;
};

static void df_free(struct pair *pp, unsigned long round, void *p)
{
	struct kmem_cache *c = pp->cache[round & 1];

	if (c)
		kmem_cache_free(c, p);
	else
		kfree(p);
}

static void *df_thread(void *arg)
{
	struct df_worker *w = arg;
	struct pair *pp = w->pair;
	unsigned int sense = 0;

	host_pin_to_cpu(w->cpu);
	pthread_barrier_wait(&start_line);
	for (unsigned long round = 0; round < pp->rounds; round++) {
		unsigned int k = round & 1;

		if (w->leader) {
			struct kmem_cache *c = pp->cache[k];

			/* A pair needs two CPUs: one pair per two at a time. */
			if (round % PAIR_BATCH == 0)
				host_gate_enter(&pair_gate);
			pp->obj = c ? kmem_cache_alloc(c, GFP_KERNEL)
				    : kmalloc(pp->size[k], GFP_KERNEL);
			if (!pp->obj)
				w->alloc_fail++;
		}
		pair_sync(pp, &sense);
		if (pp->obj)
			df_free(pp, round, pp->obj);
		pair_sync(pp, &sense);
		if (w->leader && pp->obj) {
			/* Both frees are done: exactly one report each. */
			unsigned long want = round / 2 + 1;
			unsigned long got =
				__atomic_load_n(&rep.per_cache[pp->rep_idx[k]],
						__ATOMIC_RELAXED);

			if (got != want && !pp->mismatches++)
				pp->first_bad = round;
		}
		if (w->leader && (round % PAIR_BATCH == PAIR_BATCH - 1 ||
				  round + 1 == pp->rounds))
			host_gate_leave(&pair_gate);
		/* The follower read obj before the second sync, so the
		 * leader may write the next one now. */
	}
	return NULL;
}

/*
 * Scenario: two pairs of threads; in each round the threads of a pair
 * free the same object at the same moment. Pair 0 alternates a plain
 * cache and one with F, Z, P and U; pair 1 alternates kfree() of
 * kmalloc(96) and kmalloc(5000) objects. Each pair's slabs hold another
 * object throughout, so none is released between the two frees. Expect
 * exactly one "double free" report per round, naming the cache, never
 * two frees (objects in use back to the start), slab_check() clean.
 */
static void smp_double_free(struct ktest *t)
{
	unsigned long rounds = ktest_host_count("SMP_SLAB_ROUNDS", DF_ROUNDS);
	struct kmem_cache *plain = kmem_cache_create("smp-df", 64, 0, 0, NULL);
	struct kmem_cache *dbg =
		kmem_cache_create("smp-df-dbg", 64, 0, SLAB_DEBUG_FLAGS, NULL);
	struct kmem_cache *k96 = kmalloc_caches[kmalloc_index(96)];
	struct kmem_cache *k5k = kmalloc_caches[kmalloc_index(5000)];
	unsigned long k96_0, k5k_0, spin0 = spin_bug_count();
	struct pair pairs[2] = {
		{ .rounds = rounds,
		  .cache = { plain, dbg },
		  .rep_idx = { 0, 1 } },
		{ .rounds = rounds,
		  .cache = { NULL, NULL },
		  .size = { 96, 5000 },
		  .rep_idx = { 2, 3 } },
	};
	struct df_worker w[4] = { 0 };
	unsigned int ncpu;
	void *hold[4];

	KTEST_ASSERT(t, plain && dbg);
	k96_0 = info_of(k96).active_objs;
	k5k_0 = info_of(k5k).active_objs;
	hold[0] = kmem_cache_alloc(plain, 0);
	hold[1] = kmem_cache_alloc(dbg, 0);
	hold[2] = kmalloc(96, 0);
	hold[3] = kmalloc(5000, 0);
	KTEST_ASSERT(t, hold[0] && hold[1] && hold[2] && hold[3]);
	rep.names[0] = "smp-df";
	rep.names[1] = "smp-df-dbg";
	rep.names[2] = k96->name;
	rep.names[3] = k5k->name;

	run_ms = now_ms();
	ncpu = host_test_cpus();
	/* A pair's threads on two CPUs; one pair per two CPUs at a time. */
	host_gate_init(&pair_gate, MIN(2u, MAX(1u, ncpu / 2)));
	pthread_barrier_init(&start_line, NULL, 4);
	for (int i = 0; i < 4; i++) {
		w[i].pair = &pairs[i / 2];
		w[i].leader = (i & 1) == 0;
		w[i].cpu = (unsigned int)i % ncpu;
		pthread_create(&w[i].thread, NULL, df_thread, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start_line);
	host_gate_destroy(&pair_gate);
	run_ms = now_ms() - run_ms;

	for (int i = 0; i < 4; i++)
		KTEST_EXPECT_EQ(t, w[i].alloc_fail, 0);
	for (int i = 0; i < 2; i++) {
		if (pairs[i].mismatches)
			ktest_info(t, "pair %d: first mismatch in round %lu", i,
				   pairs[i].first_bad);
		KTEST_EXPECT_EQ(t, pairs[i].mismatches, 0);
	}
	ktest_info(t, "%lu rounds per pair, %lu double frees reported, %lu ms",
		   rounds, rep.double_frees, run_ms);
	for (int i = 0; i < 4; i++) /* even rounds, then odd */
		KTEST_EXPECT_EQ(t, rep.per_cache[i],
				(i & 1) ? rounds / 2 : (rounds + 1) / 2);
	KTEST_EXPECT_EQ(t, rep.count, 2 * rounds);
	KTEST_EXPECT_EQ(t, rep.double_frees, 2 * rounds);
	KTEST_EXPECT_EQ(t, info_of(plain).active_objs, 1);
	KTEST_EXPECT_EQ(t, info_of(dbg).active_objs, 1);
	KTEST_EXPECT_EQ(t, info_of(k96).active_objs, k96_0 + 1);
	KTEST_EXPECT_EQ(t, info_of(k5k).active_objs, k5k_0 + 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(plain, hold[0]);
	kmem_cache_free(dbg, hold[1]);
	kfree(hold[2]);
	kfree(hold[3]);
	KTEST_EXPECT_EQ(t, info_of(k96).active_objs, k96_0);
	KTEST_EXPECT_EQ(t, info_of(k5k).active_objs, k5k_0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(plain), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(dbg), 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
	rep_reset();
}

/* ------------------------------ (d) create and destroy while allocating */

#define CHURN_OBJS_MAX 48
#define CHURN_EVERY 512 /* allocator threads' ops between list walks */

static void churn_ctor(void *p)
{
	*(uint64_t *)p = CTOR_MAGIC;
}

/* Threads 0 and 1: make a cache, use it, destroy it, again and again. */
static void churn_caches(struct worker *w)
{
	static const unsigned int flag_sets[] = { 0, SLAB_HWCACHE_ALIGN,
						  SLAB_DEBUG_FLAGS, SLAB_POISON,
						  SLAB_RED_ZONE |
							  SLAB_STORE_USER };
	void *objs[CHURN_OBJS_MAX];
	struct rand_state r;
	unsigned long i = 0;

	rand_seed(&r, 0xd00d + w->id);
	while (w->ops < w->target) {
		char name[SLAB_NAME_MAX];
		size_t size = 8 + rand_below(&r, 2048);
		unsigned int flags =
			flag_sets[rand_below(&r, ARRAY_SIZE(flag_sets))];
		bool ctor = rand_below(&r, 2);
		unsigned int n =
			1 + (unsigned int)rand_below(&r, CHURN_OBJS_MAX);
		struct kmem_cache *c;

		snprintf(name, sizeof(name), "churn-%u-%lu", w->id, i++ % 64);
		c = kmem_cache_create(name, size, 0, flags,
				      ctor ? churn_ctor : NULL);
		if (!c) {
			w->alloc_fail++;
			break;
		}
		w->ops++;
		for (unsigned int k = 0; k < n; k++) {
			objs[k] = kmem_cache_alloc(c, GFP_KERNEL);
			if (!objs[k]) {
				w->alloc_fail++;
				n = k;
				break;
			}
			if (ctor && *(uint64_t *)objs[k] != CTOR_MAGIC)
				w->corrupt++;
			memset((char *)objs[k] + 8, 0x5a, size - 8);
			w->ops++;
		}
		for (unsigned int k = 0; k < n; k++) {
			kmem_cache_free(c, objs[k]);
			w->ops++;
		}
		if (kmem_cache_destroy(c) != 0)
			w->other_fail++;
		w->ops++;
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
	}
}

/* Threads 2 and 3: kmalloc and a shared cache, walking the list too. */
static void churn_allocs(struct worker *w)
{
	void *local[LOCAL_MAX];
	unsigned int n = 0;
	struct rand_state r;

	rand_seed(&r, 0xd1ce + w->id);
	while (w->ops < w->target) {
		unsigned int x = (unsigned int)rand_below(&r, 100);

		if (n == 0 || (n < LOCAL_MAX && x < 50)) {
			size_t size = storm_size(&r);
			void *p = kmalloc(size, GFP_KERNEL);

			if (!p) {
				w->alloc_fail++;
				break;
			}
			km_fill(w, p, size);
			local[n++] = p;
			w->ops++;
		} else {
			free_step(w, &r, local, &n, x, km_release);
		}
		if (w->ops % CHURN_EVERY == 0) {
			if (w->id == 2)
				kmem_reap();
			else if (slab_check() != 0)
				w->check_fail++;
			else
				slabinfo_print();
		}
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
	}
	while (n)
		km_release(w, local[--n]);
}

static void *churn_worker(void *arg)
{
	struct worker *w = arg;

	worker_start(w);
	if (w->id < 2)
		churn_caches(w);
	else
		churn_allocs(w);
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: two threads create caches of random sizes and flags (some
 * with a constructor, some with debugging), allocate and free a few
 * objects and destroy them, over and over; two others kmalloc and kfree
 * with cross-thread frees, one reaping and the other running
 * slab_check() and slabinfo meanwhile. Expect every create to succeed
 * and every destroy to return 0, no report, slab_check() clean, the
 * same caches listed afterwards, and every page either free or held by
 * a cache as before (after kmem_reap()).
 */
static void smp_create_destroy(struct ktest *t)
{
	struct worker w[NTHREADS] = { 0 };
	unsigned long caches0, pages0, caches1, pages1, free0, ops, frees,
		cross;
	unsigned long spin0 = spin_bug_count();

	kmem_reap();
	slab_census(&caches0, &pages0);
	free0 = buddy_free_pages();
	/* slabinfo from thread 3 is captured, not shown. */
	capture_start(NULL);
	run_workers(w, NTHREADS, churn_worker, storm_ops(CHURN_OPS));
	capture_stop();
	drain_inboxes(drain_km, &w[2]);
	expect_clean_workers(t, w, NTHREADS);
	ops = sum_ops(w, NTHREADS, &frees, &cross);
	ktest_info(t,
		   "%lu operations, %lu kfrees, %lu by another thread, %lu ms",
		   ops, frees, cross, run_ms);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_reap();
	slab_census(&caches1, &pages1);
	KTEST_EXPECT_EQ(t, caches1, caches0);
	KTEST_EXPECT_EQ(t, buddy_free_pages() + pages1, free0 + pages0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
}

static const struct ktest_case smp_slab_cases[] = {
	KTEST_CASE(smp_cache_storm),
	KTEST_CASE(smp_kmalloc_storm),
	KTEST_CASE(smp_double_free),
	KTEST_CASE(smp_create_destroy),
	KTEST_END,
};

static const struct ktest_suite smp_slab_suite = {
	.name = "smp_slab",
	.cases = smp_slab_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&smp_slab_suite)
