// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host benchmark of the project's allocators beside four user-space
 * mallocs (make host-bench; harness/host_bench.py drives it).
 *
 * What runs: mm/ and lib/ built like a release kernel (-O2, no DEBUG, no
 * sanitizers) over fake physical memory and the real buddy allocator
 * (mm/tests/host_arch.h), through the public API only: kmalloc/kfree for
 * objects, alloc_pages/__free_pages for pages. The peers are glibc's
 * malloc (the process's own) and jemalloc, mimalloc and tcmalloc loaded
 * with dlopen(RTLD_LOCAL), so none of them becomes the process's
 * malloc (mm/tests/bench_peers.c: how they are loaded and checked, and
 * what each one's memory figure counts).
 *
 * Workloads (every figure is per alloc+free pair):
 *
 *   pair64        malloc(64) + free, no other object of the class live
 *   pair64_held   the same with one 64-byte object kept live
 *   batch_lifo    1,000 x 64 B allocated, then freed newest first
 *   batch_random  1,000 x 64 B allocated, then freed in a random order
 *   mixed         sizes log-uniform in [8, 4096], random alloc/free
 *                 around 10,000 live objects (sequence drawn beforehand)
 *   page0         project: alloc_pages(GFP_KERNEL, 0) + __free_pages;
 *                 peers: aligned_alloc(4096, 4096) + free (approximation)
 *   xthread       64 B objects allocated on one thread and freed on
 *                 another (threads stand in for harts, lib/tests/host_cpu.c)
 *
 * Each workload is written once, as an always-inline function of a
 * struct bench_alloc, and instantiated three times: with the project's
 * operations (a static const table, so kmalloc's inline fast path is
 * inlined as in kernel code: constant sizes where the workload has
 * them), with a peer's table (indirect calls into the library, as a
 * program calls malloc through the PLT), and with the null allocator
 * (no allocator at all: the loop's own cost, subtracted from the
 * instruction counts).
 *
 * Output (parsed by harness/host_bench.py):
 *   machine: <CPU model>; <ns of an atomic swap and of a plain
 *            load and store of one word>
 *   peer: <name> <what was checked>
 *   time: <workload> <allocator> <repeat> <ns per pair>
 *   memory: <allocator> <taken bytes> <requested bytes>
 * The memory line comes from one untimed mixed run per allocator before
 * everything else: the average, over MEMORY_SAMPLES points, of the
 * growth of what the allocator holds (bench_alloc.taken; the project:
 * pages taken from the buddy allocator) since just before the run, and
 * of the bytes requested by the live objects at those points.
 * With --callgrind, each measured loop runs once under callgrind with
 * collection on only around the loop, and its cost is dumped under the
 * name "<workload> <allocator> <pairs>".
 *
 * Single-threaded except xthread, whose two threads meet only through
 * a single-producer single-consumer ring (acquire/release indices).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/callgrind.h>

#include "lib/cpu.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/gfp.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/tests/bench_host.h"
#include "mm/tests/host_arch.h"
#include "mm/tests/host_smp.h"

/*
 * Two whole 128 MiB sections of RAM (mm/buddy.h), as on QEMU virt and
 * the boards: a RAM smaller than a section would send every
 * virt_to_page() of kfree() to the out-of-line range search.
 */
#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (256UL << 20)

#define BATCH_OBJS 1000
#define MIXED_LIVE 10000
#define MIXED_MIN_SIZE 8
#define MIXED_MAX_SIZE 4096
#define MEMORY_SAMPLES 16
#define XT_BATCH 32 /* pointers handed over at a time */
#define XT_SLOTS 64 /* ring slots of XT_BATCH pointers */
#define XT_SPINS 256 /* spins before a yield while waiting */

#define BENCH_INLINE static inline __attribute__((always_inline))
#define BENCH_NOINLINE __attribute__((noinline))

/* ---------------------------------------------------------- allocators */

static BENCH_NOINLINE void die_oom(const char *who)
{
	bench_die("%s: allocation failed", who);
}

/* The project: kmalloc for objects, the buddy allocator for pages. */
BENCH_INLINE void *project_malloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

BENCH_INLINE void project_free(void *p)
{
	kfree(p);
}

BENCH_INLINE void *project_page_alloc(size_t align, size_t size)
{
	return alloc_pages(GFP_KERNEL, 0);
}

BENCH_INLINE void project_page_free(void *page)
{
	__free_pages(page, 0);
}

static uint64_t project_free_pages0;

/* Pages taken from the buddy allocator since start-up, in bytes. */
static size_t project_taken(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return (project_free_pages0 - st.free) * PAGE_SIZE;
}

static const struct bench_alloc project_ops = {
	.name = "project",
	.malloc = project_malloc,
	.free = project_free,
	.page_alloc = project_page_alloc,
	.page_free = project_page_free,
	.taken = project_taken,
};

/* No allocator: hands out one static buffer; the loop's own cost. */
static char null_buf[2 * 4096] __attribute__((aligned(4096)));

BENCH_INLINE void *null_malloc(size_t size)
{
	void *p = null_buf;

	__asm__ volatile("" : "+r"(p) : "r"(size));
	return p;
}

BENCH_INLINE void null_free(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

BENCH_INLINE void *null_page_alloc(size_t align, size_t size)
{
	return null_malloc(4096);
}

static const struct bench_alloc null_ops = {
	.name = "null",
	.malloc = null_malloc,
	.free = null_free,
	.page_alloc = null_page_alloc,
	.page_free = null_free,
	.taken = NULL,
};

/* ------------------------------------------------------------ measuring */

static bool use_callgrind;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * "machine:" line: the CPU model, and what one atomic exchange of a
 * word costs next to a plain load and store of it (each in a loop of
 * its own, ns per iteration). The project's frees claim each object and
 * page with one atomic read-modify-write (mm/slab.h, mm/buddy_fast.h),
 * which the peers' frees do not do; on x86-64 that is a locked
 * instruction, whose cost differs several-fold between machines.
 */
static void machine_line(void)
{
	enum { N = 10000000 };
	static uint64_t word;
	char model[128] = "unknown", line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	uint64_t t0, t1, t2, sum = 0;
	int family = -1, number = -1;

	/* The first CPU's "cpu family", "model" and "model name". */
	while (f && fgets(line, sizeof(line), f) && line[0] != '\n') {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		if (!strncmp(line, "model name", 10)) {
			snprintf(model, sizeof(model), "%s", v + 2);
			model[strcspn(model, "\n")] = '\0';
		} else if (!strncmp(line, "cpu family", 10)) {
			family = atoi(v + 1);
		} else if (!strncmp(line, "model\t", 6)) {
			number = atoi(v + 1);
		}
	}
	if (f)
		fclose(f);
	t0 = now_ns();
	for (uint64_t i = 0; i < N; i++)
		sum += __atomic_exchange_n(&word, i, __ATOMIC_RELAXED);
	t1 = now_ns();
	for (uint64_t i = 0; i < N; i++) {
		sum += __atomic_load_n(&word, __ATOMIC_RELAXED);
		__atomic_store_n(&word, i, __ATOMIC_RELAXED);
		__asm__ volatile("" : "+r"(sum));
	}
	t2 = now_ns();
	printf("machine: %s (family %d, model %d, %d cpus); atomic swap "
	       "%.1f ns, plain load and store %.1f ns\n",
	       model, family, number, host_test_cpus(), (double)(t1 - t0) / N,
	       (double)(t2 - t1) / N);
	if (sum == 1) /* keep the loops */
		printf("\n");
}

/* Around the measured loop only; callgrind counts nothing else. */
BENCH_INLINE void measure_begin(void)
{
	if (use_callgrind)
		CALLGRIND_TOGGLE_COLLECT;
}

BENCH_INLINE void measure_end(void)
{
	if (use_callgrind)
		CALLGRIND_TOGGLE_COLLECT;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Log-uniform integer size in [MIXED_MIN_SIZE, MIXED_MAX_SIZE]. */
static uint32_t rng_size(void)
{
	double lo = __builtin_log(MIXED_MIN_SIZE);
	double hi = __builtin_log(MIXED_MAX_SIZE + 1);
	double u = (double)(rng_next() >> 11) / (double)(1ULL << 53);
	uint32_t s = (uint32_t)__builtin_exp(lo + u * (hi - lo));

	return s > MIXED_MAX_SIZE ? MIXED_MAX_SIZE : s;
}

/* The workloads' inputs, drawn once so every allocator sees the same. */
struct wl_args {
	unsigned long pairs; /* pair64, pair64_held, page0, xthread */
	unsigned long rounds; /* batch_*: rounds of BATCH_OBJS */
	void **slots; /* BATCH_OBJS, or MIXED_LIVE * 2 for mixed */
	uint32_t *live_size; /* mixed: requested size per slot */
	uint16_t perm[BATCH_OBJS]; /* batch_random: free order */
	/* mixed: warm-up sizes, then ops (size, or 0 and a random r) */
	uint32_t warm[MIXED_LIVE];
	unsigned long nops;
	uint32_t *op_size;
	uint32_t *op_r;
	unsigned long mixed_pairs; /* (allocs + frees) / 2 in the ops */
	/* mixed memory pass: called every sample_every ops when set */
	unsigned long sample_every;
	void (*sample)(const struct bench_alloc *a, size_t requested);
};

#define CHECK(a, p)                                                            \
	do {                                                                   \
		if (__builtin_expect(!(p), 0))                                 \
			die_oom((a)->name);                                    \
	} while (0)

/*
 * Every loop runs as BENCH_SLICES equal slices, each timed on its own;
 * a run's figure is the median slice times BENCH_SLICES, so a slice in
 * which the scheduler took the CPU away (the host is shared) does not
 * count. The counts are multiples of BENCH_SLICES (args_create).
 */
#define BENCH_SLICES 16

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

static uint64_t slices_total(uint64_t *d)
{
	qsort(d, BENCH_SLICES, sizeof(*d), cmp_u64);
	return (d[BENCH_SLICES / 2 - 1] + d[BENCH_SLICES / 2]) / 2 *
	       BENCH_SLICES;
}

BENCH_INLINE uint64_t wl_pair64(const struct bench_alloc *a, struct wl_args *w)
{
	unsigned long per = w->pairs / BENCH_SLICES;
	uint64_t d[BENCH_SLICES];

	measure_begin();
	for (unsigned int k = 0; k < BENCH_SLICES; k++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < per; i++) {
			void *p = a->malloc(64);

			CHECK(a, p);
			a->free(p);
		}
		d[k] = now_ns() - t0;
	}
	measure_end();
	return slices_total(d);
}

BENCH_INLINE uint64_t wl_pair64_held(const struct bench_alloc *a,
				     struct wl_args *w)
{
	void *held = a->malloc(64);
	uint64_t t;

	CHECK(a, held);
	t = wl_pair64(a, w);
	a->free(held);
	return t;
}

BENCH_INLINE uint64_t wl_batch(const struct bench_alloc *a, struct wl_args *w,
			       bool lifo)
{
	unsigned long per = w->rounds / BENCH_SLICES;
	void **s = w->slots;
	uint64_t d[BENCH_SLICES];

	measure_begin();
	for (unsigned int k = 0; k < BENCH_SLICES; k++) {
		uint64_t t0 = now_ns();

		for (unsigned long r = 0; r < per; r++) {
			for (unsigned int i = 0; i < BATCH_OBJS; i++) {
				s[i] = a->malloc(64);
				CHECK(a, s[i]);
			}
			if (lifo) {
				for (unsigned int i = BATCH_OBJS; i-- > 0;)
					a->free(s[i]);
			} else {
				for (unsigned int i = 0; i < BATCH_OBJS; i++)
					a->free(s[w->perm[i]]);
			}
		}
		d[k] = now_ns() - t0;
	}
	measure_end();
	return slices_total(d);
}

BENCH_INLINE uint64_t wl_batch_lifo(const struct bench_alloc *a,
				    struct wl_args *w)
{
	return wl_batch(a, w, true);
}

BENCH_INLINE uint64_t wl_batch_random(const struct bench_alloc *a,
				      struct wl_args *w)
{
	return wl_batch(a, w, false);
}

BENCH_INLINE uint64_t wl_mixed(const struct bench_alloc *a, struct wl_args *w)
{
	unsigned long per = w->nops / BENCH_SLICES, i = 0;
	void **s = w->slots;
	uint32_t *sz = w->live_size;
	unsigned long live = 0;
	size_t requested = 0;
	uint64_t d[BENCH_SLICES];

	for (unsigned int j = 0; j < MIXED_LIVE; j++) {
		s[live] = a->malloc(w->warm[j]);
		CHECK(a, s[live]);
		sz[live++] = w->warm[j];
		requested += w->warm[j];
	}
	measure_begin();
	for (unsigned int k = 0; k < BENCH_SLICES; k++) {
		uint64_t t0 = now_ns();

		for (unsigned long end = i + per; i < end; i++) {
			uint32_t size = w->op_size[i];

			if (size) {
				s[live] = a->malloc(size);
				CHECK(a, s[live]);
				sz[live++] = size;
				requested += size;
			} else {
				/* victim: r * live / 2^32, uniform */
				unsigned long v =
					(unsigned long)(((uint64_t)w->op_r[i] *
							 live) >>
							32);

				a->free(s[v]);
				requested -= sz[v];
				s[v] = s[--live];
				sz[v] = sz[live];
			}
			if (w->sample_every && (i + 1) % w->sample_every == 0)
				w->sample(a, requested);
		}
		d[k] = now_ns() - t0;
	}
	measure_end();
	while (live)
		a->free(s[--live]);
	return slices_total(d);
}

BENCH_INLINE uint64_t wl_page0(const struct bench_alloc *a, struct wl_args *w)
{
	unsigned long per = w->pairs / BENCH_SLICES;
	uint64_t d[BENCH_SLICES];

	measure_begin();
	for (unsigned int k = 0; k < BENCH_SLICES; k++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < per; i++) {
			void *p = a->page_alloc(4096, 4096);

			CHECK(a, p);
			a->page_free(p);
		}
		d[k] = now_ns() - t0;
	}
	measure_end();
	return slices_total(d);
}

/*
 * xthread: a ring of XT_SLOTS batches. The producer fills the batch at
 * head % XT_SLOTS and publishes head (release); the consumer reads head
 * (acquire), frees the batch and publishes tail (release), which the
 * producer reads (acquire) before reusing the slot.
 */
struct xt_ring {
	unsigned long head __attribute__((aligned(64)));
	unsigned long tail __attribute__((aligned(64)));
	unsigned long batches; /* a multiple of BENCH_SLICES */
	uint64_t t_start; /* producer, before its first batch */
	uint64_t t_slice[BENCH_SLICES]; /* consumer, after each slice */
	pthread_barrier_t go;
	void *slot[XT_SLOTS][XT_BATCH] __attribute__((aligned(64)));
};

static bool xt_pin;

static void xt_wait(void)
{
	static __thread unsigned int spins;

	if (!use_callgrind && ++spins < XT_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	spins = 0;
	sched_yield();
}

BENCH_INLINE void xt_produce(const struct bench_alloc *a, struct xt_ring *x)
{
	if (xt_pin)
		host_pin_to_cpu(0);
	host_cpu_attach(); /* take a hart number before the clock starts */
	pthread_barrier_wait(&x->go);
	measure_begin();
	x->t_start = now_ns();
	for (unsigned long b = 0; b < x->batches; b++) {
		void **slot = x->slot[b % XT_SLOTS];

		while (b - __atomic_load_n(&x->tail, __ATOMIC_ACQUIRE) >=
		       XT_SLOTS)
			xt_wait();
		for (unsigned int i = 0; i < XT_BATCH; i++) {
			slot[i] = a->malloc(64);
			CHECK(a, slot[i]);
		}
		__atomic_store_n(&x->head, b + 1, __ATOMIC_RELEASE);
	}
	measure_end();
}

BENCH_INLINE void xt_consume(const struct bench_alloc *a, struct xt_ring *x)
{
	if (xt_pin)
		host_pin_to_cpu(1);
	host_cpu_attach();
	pthread_barrier_wait(&x->go);
	measure_begin();
	for (unsigned long b = 0; b < x->batches; b++) {
		void **slot = x->slot[b % XT_SLOTS];

		while (__atomic_load_n(&x->head, __ATOMIC_ACQUIRE) <= b)
			xt_wait();
		for (unsigned int i = 0; i < XT_BATCH; i++)
			a->free(slot[i]);
		__atomic_store_n(&x->tail, b + 1, __ATOMIC_RELEASE);
		if ((b + 1) % (x->batches / BENCH_SLICES) == 0)
			x->t_slice[b / (x->batches / BENCH_SLICES)] = now_ns();
	}
	measure_end();
}

/* The generic ring driver; producer/consumer are instantiated below. */
static uint64_t xt_run(struct wl_args *w, void *(*prod)(void *),
		       void *(*cons)(void *))
{
	static struct xt_ring x;
	uint64_t d[BENCH_SLICES];
	pthread_t tp, tc;

	memset(&x, 0, sizeof(x));
	x.batches = w->pairs / XT_BATCH; /* a multiple of BENCH_SLICES */
	pthread_barrier_init(&x.go, NULL, 2);
	if (pthread_create(&tp, NULL, prod, &x) ||
	    pthread_create(&tc, NULL, cons, &x))
		bench_die("%s: pthread_create failed", "xthread");
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	pthread_barrier_destroy(&x.go);
	for (unsigned int k = 0; k < BENCH_SLICES; k++)
		d[k] = x.t_slice[k] - (k ? x.t_slice[k - 1] : x.t_start);
	return slices_total(d);
}

static const struct bench_alloc *xt_peer;

static void *xt_prod_project(void *x)
{
	xt_produce(&project_ops, x);
	return NULL;
}

static void *xt_cons_project(void *x)
{
	xt_consume(&project_ops, x);
	return NULL;
}

static void *xt_prod_null(void *x)
{
	xt_produce(&null_ops, x);
	return NULL;
}

static void *xt_cons_null(void *x)
{
	xt_consume(&null_ops, x);
	return NULL;
}

static void *xt_prod_peer(void *x)
{
	xt_produce(xt_peer, x);
	return NULL;
}

static void *xt_cons_peer(void *x)
{
	xt_consume(xt_peer, x);
	return NULL;
}

BENCH_INLINE uint64_t wl_xthread(const struct bench_alloc *a, struct wl_args *w)
{
	if (a == &project_ops)
		return xt_run(w, xt_prod_project, xt_cons_project);
	if (a == &null_ops)
		return xt_run(w, xt_prod_null, xt_cons_null);
	xt_peer = a;
	return xt_run(w, xt_prod_peer, xt_cons_peer);
}

struct workload {
	const char *name;
	uint64_t (*project)(struct wl_args *w);
	uint64_t (*null)(struct wl_args *w);
	uint64_t (*peer)(const struct bench_alloc *a, struct wl_args *w);
	unsigned long (*pairs)(const struct wl_args *w);
};

static unsigned long pairs_simple(const struct wl_args *w)
{
	return w->pairs;
}

static unsigned long pairs_batch(const struct wl_args *w)
{
	return w->rounds * BATCH_OBJS;
}

static unsigned long pairs_mixed(const struct wl_args *w)
{
	return w->mixed_pairs;
}

/*
 * Three copies of workload wl_<n>: project inlined, null inlined, peers
 * through pointers; and its entry for the table.
 */
#define INSTANTIATE(n, count)                                                  \
	static BENCH_NOINLINE uint64_t wl_##n##_project(struct wl_args *w)     \
	{                                                                      \
		return wl_##n(&project_ops, w);                                \
	}                                                                      \
	static BENCH_NOINLINE uint64_t wl_##n##_null(struct wl_args *w)        \
	{                                                                      \
		return wl_##n(&null_ops, w);                                   \
	}                                                                      \
	static BENCH_NOINLINE uint64_t wl_##n##_peer(                          \
		const struct bench_alloc *a, struct wl_args *w)                \
	{                                                                      \
		return wl_##n(a, w);                                           \
	}                                                                      \
	static const struct workload wl_##n##_desc = {                         \
		.name = #n,                                                    \
		.project = wl_##n##_project,                                   \
		.null = wl_##n##_null,                                         \
		.peer = wl_##n##_peer,                                         \
		.pairs = count,                                                \
	};

INSTANTIATE(pair64, pairs_simple)
INSTANTIATE(pair64_held, pairs_simple)
INSTANTIATE(batch_lifo, pairs_batch)
INSTANTIATE(batch_random, pairs_batch)
INSTANTIATE(mixed, pairs_mixed)
INSTANTIATE(page0, pairs_simple)
INSTANTIATE(xthread, pairs_simple)

/* In the order harness/host_bench.py prints them. */
static const struct workload *const workloads[] = {
	&wl_pair64_desc,       &wl_pair64_held_desc, &wl_batch_lifo_desc,
	&wl_batch_random_desc, &wl_mixed_desc,	     &wl_page0_desc,
	&wl_xthread_desc,
};
#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

#define NR_ALLOCS (1 + BENCH_NR_PEERS)
static const struct bench_alloc *allocs[NR_ALLOCS];

/* Run workload k once for allocator a; nanoseconds for all pairs. */
static uint64_t run_one(const struct workload *k, const struct bench_alloc *a,
			struct wl_args *w)
{
	if (a == &project_ops)
		return k->project(w);
	if (a == &null_ops)
		return k->null(w);
	return k->peer(a, w);
}

/* ----------------------------------------------------------- set-up */

/* n rounded down to a multiple of BENCH_SLICES, at least BENCH_SLICES. */
static unsigned long slices_multiple(unsigned long n)
{
	n = n / BENCH_SLICES * BENCH_SLICES;
	return n ? n : BENCH_SLICES;
}

static struct wl_args *args_create(unsigned long scale_pct)
{
	struct wl_args *w = calloc(1, sizeof(*w));
	unsigned long live = MIXED_LIVE, allocs_n = 0, frees_n = 0;

	if (!w)
		bench_die("%s", "no memory for the arguments");
	/* xthread hands over XT_BATCH at a time: a multiple of both */
	w->pairs =
		slices_multiple(262144 * scale_pct / 100 / XT_BATCH) * XT_BATCH;
	w->rounds = slices_multiple(256 * scale_pct / 100);
	w->nops = slices_multiple(262144 * scale_pct / 100);
	w->slots = calloc(2 * MIXED_LIVE, sizeof(void *));
	w->live_size = calloc(2 * MIXED_LIVE, sizeof(uint32_t));
	w->op_size = calloc(w->nops, sizeof(uint32_t));
	w->op_r = calloc(w->nops, sizeof(uint32_t));
	if (!w->slots || !w->live_size || !w->op_size || !w->op_r)
		bench_die("%s", "no memory for the arguments");
	for (unsigned int i = 0; i < BATCH_OBJS; i++)
		w->perm[i] = i;
	for (unsigned int i = BATCH_OBJS - 1; i > 0; i--) {
		unsigned int j = rng_below(i + 1);
		uint16_t t = w->perm[i];

		w->perm[i] = w->perm[j];
		w->perm[j] = t;
	}
	for (unsigned int i = 0; i < MIXED_LIVE; i++)
		w->warm[i] = rng_size();
	/* A random walk of the live count, held within 10 % of MIXED_LIVE. */
	for (unsigned long i = 0; i < w->nops; i++) {
		bool alloc;

		if (live <= MIXED_LIVE * 9 / 10)
			alloc = true;
		else if (live >= MIXED_LIVE * 11 / 10)
			alloc = false;
		else
			alloc = rng_next() >> 63;
		if (alloc) {
			w->op_size[i] = rng_size();
			live++;
			allocs_n++;
		} else {
			w->op_r[i] = (uint32_t)(rng_next() >> 32);
			live--;
			frees_n++;
		}
	}
	w->mixed_pairs = (allocs_n + frees_n) / 2;
	if (!w->mixed_pairs)
		w->mixed_pairs = 1;
	return w;
}

/* ------------------------------------------------------ memory pass */

static size_t mem_base;
static double mem_taken_sum, mem_req_sum;

static void mem_sample(const struct bench_alloc *a, size_t requested)
{
	size_t t = a->taken();

	mem_taken_sum += (double)(t > mem_base ? t - mem_base : 0);
	mem_req_sum += (double)requested;
}

/*
 * mixed once per allocator before anything else runs, sampling what it
 * holds MEMORY_SAMPLES times: the growth of a->taken() since just
 * before the run, beside the bytes requested by live objects at that
 * moment. Prints the averages of both.
 */
static void memory_pass(struct wl_args *w)
{
	w->sample_every = w->nops / MEMORY_SAMPLES;
	if (!w->sample_every)
		w->sample_every = 1;
	w->sample = mem_sample;
	for (unsigned int i = 0; i < NR_ALLOCS; i++) {
		const struct bench_alloc *a = allocs[i];
		unsigned long n = w->nops / w->sample_every;

		mem_taken_sum = mem_req_sum = 0;
		mem_base = a->taken();
		wl_mixed_peer(a, w); /* project too: untimed */
		printf("memory: %s %.0f %.0f\n", a->name, mem_taken_sum / n,
		       mem_req_sum / n);
	}
	w->sample_every = 0;
	w->sample = NULL;
}

/* ----------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_host [--repeats N] [--scale PCT] [--callgrind]\n"
		"  --repeats N   timed rounds, allocators interleaved (11)\n"
		"  --scale PCT   operation counts in percent of the default\n"
		"  --callgrind   one run of every loop for callgrind, dumped "
		"as\n"
		"                \"<workload> <allocator> <pairs>\"\n");
	exit(2);
}

/*
 * jemalloc's TLS is initial-exec: dlopen needs room in the static TLS
 * block, which glibc sizes at start-up from a tunable. Re-run ourselves
 * with it set (not under valgrind, which would not follow the exec).
 */
#define BENCH_TLS_TUNABLE "glibc.rtld.optional_static_tls=16384"

static void ensure_static_tls(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	char buf[512];

	if ((t && strstr(t, "optional_static_tls")) || RUNNING_ON_VALGRIND)
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", t ? t : "", t ? ":" : "",
		 BENCH_TLS_TUNABLE);
	setenv("GLIBC_TUNABLES", buf, 1);
	execv("/proc/self/exe", argv);
	perror("bench_host: re-exec with GLIBC_TUNABLES");
}

static void host_sink(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

int main(int argc, char **argv)
{
	unsigned long repeats = 11, scale = 100;
	struct wl_args *w;
	struct buddy_stats st;

	ensure_static_tls(argv);
	host_cpu_attach();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
			repeats = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--callgrind"))
			use_callgrind = true;
		else
			usage();
	}
	if (!repeats || !scale)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printk_set_sink(host_sink);

	bench_peers_init();
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0x5eed5eed5eed5eedULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	buddy_stats(&st);
	project_free_pages0 = st.free;
	allocs[0] = &project_ops;
	for (unsigned int i = 0; i < BENCH_NR_PEERS; i++)
		allocs[1 + i] = bench_peers[i];
	/* BENCH_PIN=0: let the scheduler place the xthread threads. */
	xt_pin = host_test_cpus() >= 2 &&
		 !(getenv("BENCH_PIN") && !strcmp(getenv("BENCH_PIN"), "0"));

	w = args_create(scale);
	if (!use_callgrind) {
		machine_line();
		memory_pass(w);
	}

	/*
	 * Under callgrind: each loop once after a warm-up run, plus the null
	 * allocator's loop; else `repeats` rounds, each running every
	 * workload for every allocator (order rotated per round) after a
	 * short warm-up of the same loop.
	 */
	for (unsigned long r = 0; r < (use_callgrind ? 1 : repeats); r++) {
		for (unsigned int k = 0; k < NR_WORKLOADS; k++) {
			const struct workload *wl = workloads[k];
			unsigned long pairs = wl->pairs(w);

			for (unsigned int j = 0; j <= NR_ALLOCS; j++) {
				const struct bench_alloc *a;
				bool cg = use_callgrind;
				uint64_t ns;
				char label[96];

				if (j == NR_ALLOCS) {
					if (!cg)
						break;
					a = &null_ops;
				} else {
					a = allocs[(j + r) % NR_ALLOCS];
				}
				use_callgrind =
					false; /* warm-up: not counted */
				run_one(wl, a, w);
				use_callgrind = cg;
				if (cg)
					CALLGRIND_ZERO_STATS;
				ns = run_one(wl, a, w);
				if (cg) {
					snprintf(label, sizeof(label),
						 "%s %s %lu", wl->name, a->name,
						 pairs);
					CALLGRIND_DUMP_STATS_AT(label);
				}
				printf("time: %s %s %lu %.2f\n", wl->name,
				       a->name, r, (double)ns / pairs);
			}
		}
	}
	if (slab_check() || buddy_check())
		bench_die("%s", "allocator check failed after the run");
	return 0;
}
