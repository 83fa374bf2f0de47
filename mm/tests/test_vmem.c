// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/vmem.c: the arena is checked against a model (one
 * owner id per quantum) and vmem_check() runs after every step.
 */
#include <stdlib.h>

#include "lib/errno.h"
#include "lib/rand.h"
#include "lib/string.h"
#include "lib/tests/host_ktest.h"
#include "mm/vmem.h"

#define Q 0x1000UL
#define BASE 0x40000000UL

static struct vmem_seg seed[256];

static const struct vmem_seg_source seed_only = { seed, ARRAY_SIZE(seed), NULL,
						  NULL, NULL };

/* Refill from the C heap, counting chunks still out. */
static int chunks_out;
static int refill_limit = -1; /* chunks to hand out before failing */

static void *host_refill(void *ctx)
{
	void *p;

	(void)ctx;
	if (refill_limit == 0)
		return NULL;
	if (refill_limit > 0)
		refill_limit--;
	p = aligned_alloc(VMEM_REFILL_SIZE, VMEM_REFILL_SIZE);
	if (p)
		chunks_out++;
	return p;
}

static void host_release(void *ctx, void *mem)
{
	(void)ctx;
	chunks_out--;
	free(mem);
}

static struct vmem_seg small_seed[4];
static const struct vmem_seg_source refilling = {
	small_seed, ARRAY_SIZE(small_seed), host_refill, host_release, NULL
};

/* ------------------------------------------------------------- model */

#define MODEL_MAXQ 4096
#define MODEL_MAXLIVE 2048

struct model {
	vaddr_t base;
	size_t nq;
	int owner[MODEL_MAXQ]; /* 0: free, else live allocation id */
	struct {
		vaddr_t addr;
		size_t size;
		int id;
	} live[MODEL_MAXLIVE];
	int nlive;
	int next_id;
};

static struct model m;

static void model_init(vaddr_t base, size_t nq)
{
	memset(&m, 0, sizeof(m));
	m.base = base;
	m.nq = nq;
	m.next_id = 1;
}

static size_t qidx(vaddr_t a)
{
	return (a - m.base) / Q;
}

static bool model_range_free(vaddr_t a, size_t size)
{
	for (size_t i = qidx(a); i < qidx(a + size); i++)
		if (m.owner[i])
			return false;
	return true;
}

static void model_alloc(vaddr_t a, size_t size)
{
	int id = m.next_id++;

	for (size_t i = qidx(a); i < qidx(a + size); i++)
		m.owner[i] = id;
	m.live[m.nlive].addr = a;
	m.live[m.nlive].size = size;
	m.live[m.nlive].id = id;
	m.nlive++;
}

static void model_free(int k)
{
	for (size_t i = qidx(m.live[k].addr);
	     i < qidx(m.live[k].addr + m.live[k].size); i++)
		m.owner[i] = 0;
	m.live[k] = m.live[--m.nlive];
}

/* Longest run of free quanta. */
static size_t model_longest_free(void)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < m.nq; i++) {
		run = m.owner[i] ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best * Q;
}

struct walk_ctx {
	int errors;
	int nalloc;
	int nfree;
	vaddr_t next;
};

static int compare_seg(void *arg, vaddr_t start, size_t size, bool allocated,
		       void *priv)
{
	struct walk_ctx *w = arg;

	(void)priv;
	if (start != w->next)
		w->errors++;
	w->next = start + size;
	if (!allocated) {
		w->nfree++;
		if (!model_range_free(start, size))
			w->errors++;
		return 0;
	}
	w->nalloc++;
	for (int k = 0; k < m.nlive; k++)
		if (m.live[k].addr == start)
			return m.live[k].size == size ? 0 : (w->errors++, 0);
	w->errors++;
	return 0;
}

/* The arena agrees with the model and with its own invariants. */
static void expect_consistent(struct ktest *t, struct vmem *vm)
{
	struct walk_ctx w = { 0, 0, 0, m.base };

	KTEST_EXPECT_EQ(t, vmem_check(vm), 0);
	vmem_walk(vm, VMEM_WALK_ALL, compare_seg, &w);
	KTEST_EXPECT_EQ(t, w.errors, 0);
	KTEST_EXPECT_EQ(t, w.nalloc, m.nlive);
	KTEST_EXPECT_EQ(t, w.next, m.base + m.nq * Q);
}

static int count_free(void *arg, vaddr_t start, size_t size, bool allocated,
		      void *priv)
{
	(void)start, (void)size, (void)priv, (void)allocated;
	(*(int *)arg)++;
	return 0;
}

struct find_free {
	vaddr_t start;
	size_t size;
};

static int match_free(void *arg, vaddr_t start, size_t size, bool allocated,
		      void *priv)
{
	struct find_free *f = arg;

	(void)allocated, (void)priv;
	return start == f->start && size == f->size;
}

/* Is [start, start + size) exactly one free segment? */
static bool has_free_seg(struct vmem *vm, vaddr_t start, size_t size)
{
	struct find_free f = { start, size };

	return vmem_walk(vm, VMEM_WALK_FREE, match_free, &f) == 1;
}

static int nr_free_segs(struct vmem *vm)
{
	int n = 0;

	vmem_walk(vm, VMEM_WALK_FREE, count_free, &n);
	return n;
}

/* ------------------------------------------------------------- cases */

/* Scenario: vmem_init with bad geometry or no descriptors. Expect -EINVAL
 * or -ENOMEM and an arena that refuses every operation. */
static void init_errors(struct ktest *t)
{
	struct vmem vm;
	const struct vmem_seg_source none = { 0 };
	vaddr_t a;

	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", BASE, 16 * Q, 3000, &seed_only),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", BASE + 1, 16 * Q, Q, &seed_only),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", BASE, 16 * Q + 8, Q, &seed_only),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", BASE, 0, Q, &seed_only),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", -16 * Q, 32 * Q, Q, &seed_only),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmem_init(&vm, "t", BASE, 16 * Q, Q, &none),
			-ENOMEM);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, BASE, NULL, NULL, NULL), -ENOENT);
}

/* Scenario: one allocation and its free in a fresh arena. Expect the base
 * address, the rounded size back from vmem_free, and a single free
 * segment covering the arena again. */
static void alloc_free_basic(struct ktest *t)
{
	struct vmem vm;
	struct vmem_stats st;
	vaddr_t a, start;
	size_t size;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "basic", BASE, 64 * Q, Q, &seed_only),
			0);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 3 * Q - 5, 0, &a), 0);
	KTEST_EXPECT_EQ(t, a, BASE);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, a + 2 * Q + 7, &start, &size, NULL),
			0);
	KTEST_EXPECT_EQ(t, start, BASE);
	KTEST_EXPECT_EQ(t, size, 3 * Q);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, a, &size), 0);
	KTEST_EXPECT_EQ(t, size, 3 * Q);
	vmem_get_stats(&vm, &st);
	KTEST_EXPECT_EQ(t, st.nr_free, 1);
	KTEST_EXPECT_EQ(t, st.nr_alloc, 0);
	KTEST_EXPECT_EQ(t, st.free_bytes, 64 * Q);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 0, 0, &a), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 3 * Q, &a), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 65 * Q, 0, &a), -ENOMEM);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
}

/* Scenario: allocations with alignments from one quantum to 64 quanta,
 * including an arena whose base is not aligned to them. Expect every
 * address aligned, within the arena, and no overlap (model). */
static void alignment(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a;

	model_init(BASE + Q, 1024);
	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "align", BASE + Q, 1024 * Q, Q, &seed_only),
		0);
	for (unsigned int sh = 0; sh <= 6; sh++) {
		size_t align = Q << sh;

		KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, align, &a), 0);
		KTEST_EXPECT(t, IS_ALIGNED(a, align));
		KTEST_EXPECT(t, model_range_free(a, Q));
		model_alloc(a, Q);
		expect_consistent(t, &vm);
	}
	/* An alignment larger than the arena cannot be met. */
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, Q << 20, &a), -ENOMEM);
	expect_consistent(t, &vm);
}

/* Scenario: the only free space is a 6-quantum hole and 5 quanta are
 * asked for, which instant fit (it wants a segment of 8 or more) cannot
 * promise. Expect the bounded fallback scan to find the hole. */
static void xfit_fallback(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a, b, c, d;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "xfit", BASE, 16 * Q, Q, &seed_only),
			0);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 2 * Q, 0, &a), 0);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 6 * Q, 0, &b), 0);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 8 * Q, 0, &c), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 5 * Q, 0, &d), 0);
	KTEST_EXPECT_EQ(t, d, b);
	/* 1 quantum left at b + 5Q; 2 quanta aligned to 2 cannot fit. */
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 2 * Q, 2 * Q, &d), -ENOMEM);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &d), 0);
	KTEST_EXPECT_EQ(t, d, b + 5 * Q);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
}

/* Scenario: X A B C D allocated back to back; A, B and C freed in each of
 * the 6 orders (X and D stay). Expect after the third free exactly one free
 * segment [A, C end) between X and D, and the same again at the arena's
 * edges without X and D. */
static void merge_every_order(struct ktest *t)
{
	static const int perm[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

	for (int edge = 0; edge < 2; edge++) {
		for (int p = 0; p < 6; p++) {
			struct vmem vm;
			vaddr_t x = 0, d = 0, abc[3], start;
			size_t size;

			KTEST_ASSERT_EQ(t,
					vmem_init(&vm, "merge", BASE,
						  edge ? 6 * Q : 64 * Q, Q,
						  &seed_only),
					0);
			if (!edge)
				KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &x),
						0);
			KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &abc[0]), 0);
			KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 2 * Q, 0, &abc[1]),
					0);
			KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 3 * Q, 0, &abc[2]),
					0);
			if (!edge)
				KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &d),
						0);
			for (int k = 0; k < 3; k++) {
				KTEST_EXPECT_EQ(
					t,
					vmem_free(&vm, abc[perm[p][k]], NULL),
					0);
				KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
			}
			KTEST_EXPECT_EQ(t, nr_free_segs(&vm), edge ? 1 : 2);
			KTEST_EXPECT(t, has_free_seg(&vm, abc[0], 6 * Q));
			/* The merged hole is allocatable as one piece. */
			KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 4 * Q, 0, &start),
					0);
			KTEST_EXPECT_EQ(t, start, abc[0]);
			KTEST_EXPECT_EQ(t, vmem_free(&vm, start, &size), 0);
			KTEST_EXPECT_EQ(t, size, 4 * Q);
			KTEST_EXPECT(t, has_free_seg(&vm, abc[0], 6 * Q));
			if (!edge) {
				KTEST_EXPECT_EQ(
					t,
					vmem_lookup(&vm, x, NULL, NULL, NULL),
					0);
				KTEST_EXPECT_EQ(
					t,
					vmem_lookup(&vm, d, NULL, NULL, NULL),
					0);
				KTEST_EXPECT_EQ(t, vmem_free(&vm, x, NULL), 0);
				KTEST_EXPECT_EQ(t, vmem_free(&vm, d, NULL), 0);
			}
			KTEST_EXPECT_EQ(t, nr_free_segs(&vm), 1);
			KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
		}
	}
}

/* Scenario: frees of an address inside a segment, of free space, outside
 * the arena, and a double free. Expect -EINVAL each time with the arena
 * unchanged (same counters, model agrees, check clean). */
static void bad_free_refused(struct ktest *t)
{
	struct vmem vm;
	struct vmem_stats before, after;
	vaddr_t a, b;

	model_init(BASE, 64);
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "bad", BASE, 64 * Q, Q, &seed_only),
			0);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 4 * Q, 0, &a), 0);
	model_alloc(a, 4 * Q);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, 4 * Q, 0, &b), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), 0);
	vmem_get_stats(&vm, &before);

	KTEST_EXPECT_EQ(t, vmem_free(&vm, a + Q, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, a + 1, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), -EINVAL); /* double */
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE + 40 * Q, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE - Q, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE + 64 * Q, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_set_priv(&vm, a + Q, NULL), -EINVAL);

	vmem_get_stats(&vm, &after);
	KTEST_EXPECT(t, memcmp(&before, &after, sizeof(before)) == 0);
	expect_consistent(t, &vm);
}

/* Scenario: lookups of every quantum of an arena with allocated and free
 * segments and owner pointers. Expect the containing allocated segment
 * and its pointer, -ENOENT for free space and outside the arena. */
static void lookup_containing(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a[8], start;
	size_t size;
	void *priv;

	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "lookup", BASE, 64 * Q, Q, &seed_only), 0);
	for (int i = 0; i < 8; i++)
		KTEST_ASSERT_EQ(
			t, vmem_xalloc(&vm, (i + 1) * Q, 0, &a[i], &a[i]), 0);
	for (int i = 0; i < 8; i += 2)
		KTEST_EXPECT_EQ(t, vmem_free(&vm, a[i], NULL), 0);
	for (int i = 1; i < 8; i += 2) {
		for (size_t off = 0; off < (i + 1) * Q; off += Q / 2) {
			KTEST_ASSERT_EQ(t,
					vmem_lookup(&vm, a[i] + off, &start,
						    &size, &priv),
					0);
			KTEST_EXPECT_EQ(t, start, a[i]);
			KTEST_EXPECT_EQ(t, size, (i + 1) * Q);
			KTEST_EXPECT(t, priv == &a[i]);
		}
		KTEST_EXPECT_EQ(t, vmem_lookup(&vm, a[i - 1], NULL, NULL, NULL),
				-ENOENT);
	}
	KTEST_EXPECT_EQ(t, vmem_set_priv(&vm, a[1], &vm), 0);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, a[1], NULL, NULL, &priv), 0);
	KTEST_EXPECT(t, priv == &vm);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, BASE - 1, NULL, NULL, NULL),
			-ENOENT);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, BASE + 64 * Q, NULL, NULL, NULL),
			-ENOENT);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
}

/* Scenario: an arena of 512 quanta filled one quantum at a time. Expect
 * exactly 512 successes, then -ENOMEM with the arena intact; a freed
 * quantum is the next one handed out. */
static void exhaust_space(struct ktest *t)
{
	struct vmem vm;
	struct vmem_stats st;
	vaddr_t a;
	int n = 0;

	model_init(BASE, 512);
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "full", BASE, 512 * Q, Q, &refilling),
			0);
	while (vmem_alloc(&vm, Q, 0, &a) == 0) {
		KTEST_ASSERT(t, n < 512);
		KTEST_ASSERT(t, model_range_free(a, Q));
		model_alloc(a, Q);
		n++;
	}
	KTEST_EXPECT_EQ(t, n, 512);
	vmem_get_stats(&vm, &st);
	KTEST_EXPECT_EQ(t, st.alloc_fail, 1);
	KTEST_EXPECT_EQ(t, st.nr_free, 0);
	expect_consistent(t, &vm);
	a = m.live[100].addr;
	KTEST_EXPECT_EQ(t, vmem_free(&vm, a, NULL), 0);
	model_free(100);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 2 * Q, 0, &a), -ENOMEM);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	model_alloc(a, Q);
	expect_consistent(t, &vm);
	vmem_destroy(&vm);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
}

/* Scenario: 8 seed descriptors and no refill; allocations that each split
 * off a tail until descriptors run out. Expect -ENOMEM exactly when a
 * split needs a descriptor that is not there, the arena unchanged by the
 * failure, an exact-fit allocation (no split) still succeeding, and
 * frees giving descriptors back. */
static void exhaust_descriptors(struct ktest *t)
{
	static struct vmem_seg few[8];
	const struct vmem_seg_source src = { few, ARRAY_SIZE(few), NULL, NULL,
					     NULL };
	struct vmem vm;
	struct vmem_stats before, after;
	vaddr_t a, hole;
	int n = 0;

	model_init(BASE, 64);
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "desc", BASE, 64 * Q, Q, &src), 0);
	while (vmem_alloc(&vm, Q, 0, &a) == 0) {
		model_alloc(a, Q);
		n++;
		KTEST_ASSERT(t, n <= 8);
	}
	/* 7 allocated + 1 free tail = 8 descriptors. */
	KTEST_EXPECT_EQ(t, n, 7);
	expect_consistent(t, &vm);
	/* A hole between allocated neighbours keeps its own descriptor. */
	hole = m.live[3].addr;
	KTEST_EXPECT_EQ(t, vmem_free(&vm, hole, NULL), 0);
	model_free(3);
	vmem_get_stats(&vm, &before);
	KTEST_EXPECT_EQ(t, before.nr_spare, 0);
	/* The tail needs a split: refused, nothing changed. */
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, 2 * Q, 0, &a), -ENOMEM);
	vmem_get_stats(&vm, &after);
	KTEST_EXPECT_EQ(t, after.alloc_fail, before.alloc_fail + 1);
	after.alloc_fail = before.alloc_fail;
	KTEST_EXPECT(t, memcmp(&before, &after, sizeof(before)) == 0);
	expect_consistent(t, &vm);
	/* The 1-quantum hole fits exactly: no split, no descriptor. */
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	KTEST_EXPECT_EQ(t, a, hole);
	model_alloc(a, Q);
	/* Freeing two neighbours merges them and frees a descriptor. */
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE, NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE + Q, NULL), 0);
	for (int k = m.nlive - 1; k >= 0; k--)
		if (m.live[k].addr < BASE + 2 * Q)
			model_free(k);
	vmem_get_stats(&vm, &after);
	KTEST_EXPECT_EQ(t, after.nr_spare, 1);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	model_alloc(a, Q);
	expect_consistent(t, &vm);
}

/* Scenario: a refill callback that supplies 3 chunks then fails, and
 * allocations that fragment the arena (every other quantum freed).
 * Expect refills to be used, -ENOMEM once they stop with the arena
 * consistent, and vmem_destroy to give every chunk back. */
static void refill_and_destroy(struct ktest *t)
{
	struct vmem vm;
	struct vmem_stats st;
	vaddr_t a;
	int n = 0;

	chunks_out = 0;
	refill_limit = 3;
	model_init(BASE, 4096);
	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "refill", BASE, 4096 * Q, Q, &refilling), 0);
	while (vmem_alloc(&vm, Q, 0, &a) == 0) {
		model_alloc(a, Q);
		KTEST_ASSERT(t, ++n <= 4096);
	}
	vmem_get_stats(&vm, &st);
	KTEST_EXPECT_EQ(t, st.nr_refill, 3);
	KTEST_EXPECT_EQ(t, chunks_out, 3);
	KTEST_EXPECT_EQ(t, (size_t)n + 1, st.nr_desc);
	KTEST_EXPECT_LT(t, n, 4096);
	expect_consistent(t, &vm);
	vmem_destroy(&vm);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
	refill_limit = -1;
}

/* Scenario: 30000 random operations (sizes 1..80 quanta, alignments 1..32
 * quanta, frees of random live segments, bad frees, lookups) on a
 * 4096-quantum arena with refilled descriptors. Expect the arena to agree
 * with the model after every step, every bad free refused, and a failure
 * only when no free segment is large enough for instant fit's guarantee
 * (at least size + align - quantum rounded up to a power of two). */
static void random_against_model(struct ktest *t)
{
	struct vmem vm;
	struct rand_state r;
	vaddr_t a, start;
	size_t size;
	int fails = 0, allocs = 0, missed = 0;

	rand_seed(&r, 0x766d656dULL);
	chunks_out = 0;
	model_init(BASE, 4096);
	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "random", BASE, 4096 * Q, Q, &refilling), 0);
	for (int step = 0; step < 30000 && !t->failures; step++) {
		uint64_t op = rand_below(&r, 100);

		if (op < 50 && m.nlive < MODEL_MAXLIVE) {
			size_t sz = (rand_below(&r, 4) ? rand_below(&r, 8)
						       : rand_below(&r, 80)) +
				    1;
			size_t al = Q << rand_below(&r, 6);
			int ret;

			sz = sz * Q - rand_below(&r, Q); /* not rounded */
			ret = vmem_alloc(&vm, sz, al, &a);
			sz = ALIGN_UP(sz, Q);
			if (ret == 0) {
				KTEST_ASSERT(t, IS_ALIGNED(a, al));
				KTEST_ASSERT(t,
					     a >= BASE &&
						     a + sz <= BASE + 4096 * Q);
				KTEST_ASSERT(t, model_range_free(a, sz));
				model_alloc(a, sz);
				allocs++;
			} else {
				/* Instant fit guarantees lists >= 2^k. */
				size_t sure = 1UL << order_base_2(sz + al - Q);

				KTEST_ASSERT_EQ(t, ret, -ENOMEM);
				KTEST_ASSERT(t, model_longest_free() < sure);
				if (model_longest_free() >= sz + al - Q)
					missed++;
				fails++;
			}
		} else if (op < 90 && m.nlive) {
			int k = rand_below(&r, m.nlive);

			KTEST_ASSERT_EQ(
				t, vmem_free(&vm, m.live[k].addr, &size), 0);
			KTEST_ASSERT_EQ(t, size, m.live[k].size);
			model_free(k);
		} else if (op < 95) {
			/* A bad free: inside a live segment or free space. */
			a = BASE + rand_below(&r, 4096) * Q;
			if (m.owner[qidx(a)]) {
				int k;

				for (k = 0; m.live[k].id != m.owner[qidx(a)];
				     k++)
					;
				if (m.live[k].addr == a)
					continue;
			}
			KTEST_ASSERT_EQ(t, vmem_free(&vm, a, NULL), -EINVAL);
		} else {
			a = BASE + rand_below(&r, 4096 * Q);
			int ret = vmem_lookup(&vm, a, &start, &size, NULL);

			if (!m.owner[qidx(a)]) {
				KTEST_EXPECT_EQ(t, ret, -ENOENT);
			} else {
				KTEST_ASSERT_EQ(t, ret, 0);
				KTEST_EXPECT(t, a >= start && a < start + size);
				KTEST_EXPECT_EQ(t, m.owner[qidx(start)],
						m.owner[qidx(a)]);
			}
		}
		expect_consistent(t, &vm);
	}
	ktest_info(t,
		   "%d allocations, %d refused (%d with a fit not found), "
		   "%d live",
		   allocs, fails, missed, m.nlive);
	KTEST_EXPECT_GT(t, allocs, 5000);
	KTEST_EXPECT_GT(t, fails, 0);
	while (m.nlive) {
		KTEST_EXPECT_EQ(t, vmem_free(&vm, m.live[0].addr, NULL), 0);
		model_free(0);
	}
	KTEST_EXPECT_EQ(t, nr_free_segs(&vm), 1);
	expect_consistent(t, &vm);
	vmem_destroy(&vm);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
}

/* Scenario: 20000 segments allocated, then freed in an interleaved order.
 * Expect the red-black tree to stay valid (vmem_check) and every segment
 * found by lookup while the tree is large. */
static void large_tree(struct ktest *t)
{
	enum { N = 20000 };
	static vaddr_t addr[N];
	struct vmem vm;

	chunks_out = 0;
	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "tree", BASE, 2 * N * Q, Q, &refilling), 0);
	for (int i = 0; i < N; i++)
		KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &addr[i]), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	for (int i = 0; i < N; i += 3)
		KTEST_EXPECT_EQ(t, vmem_free(&vm, addr[i], NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	for (int i = 0; i < N; i++) {
		vaddr_t s;
		int ret = vmem_lookup(&vm, addr[i], &s, NULL, NULL);

		KTEST_EXPECT_EQ(t, ret, i % 3 ? 0 : -ENOENT);
		if (ret)
			continue;
		KTEST_EXPECT_EQ(t, s, addr[i]);
	}
	for (int i = N - 1; i >= 0; i--)
		if (i % 3)
			KTEST_EXPECT_EQ(t, vmem_free(&vm, addr[i], NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	KTEST_EXPECT_EQ(t, nr_free_segs(&vm), 1);
	vmem_destroy(&vm);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
}

static int stop_at_second(void *arg, vaddr_t start, size_t size, bool allocated,
			  void *priv)
{
	int *n = arg;

	(void)start, (void)size, (void)allocated, (void)priv;
	return ++*n == 2 ? 42 : 0;
}

/* Scenario: vmem_walk with a callback that stops at the second segment,
 * and walks of one kind. Expect 42 returned after two calls, and the
 * allocated/free counts of the arena. */
static void walk_kinds_and_stop(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a;
	int n = 0;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "walk", BASE, 64 * Q, Q, &seed_only),
			0);
	for (int i = 0; i < 5; i++)
		KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE + Q, NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_walk(&vm, VMEM_WALK_ALL, stop_at_second, &n),
			42);
	KTEST_EXPECT_EQ(t, n, 2);
	n = 0;
	vmem_walk(&vm, VMEM_WALK_ALLOC, count_free, &n);
	KTEST_EXPECT_EQ(t, n, 4);
	KTEST_EXPECT_EQ(t, nr_free_segs(&vm), 2);
}

/* Scenario: deliberate corruption of a colour, the free bitmap, a segment
 * bound and a counter. Expect vmem_check to report each (non-zero count)
 * without crashing, and 0 again once repaired. */
static void check_detects_corruption(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a;
	struct vmem_seg *s;

	KTEST_ASSERT_EQ(
		t, vmem_init(&vm, "corrupt", BASE, 64 * Q, Q, &seed_only), 0);
	for (int i = 0; i < 6; i++)
		KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	KTEST_ASSERT_EQ(t, vmem_check(&vm), 0);

	vm.root.node->red = true;
	KTEST_EXPECT_GT(t, vmem_check(&vm), 0);
	vm.root.node->red = false;

	vm.freemap ^= 1;
	KTEST_EXPECT_GT(t, vmem_check(&vm), 0);
	vm.freemap ^= 1;

	s = container_of(vm.root.node->left, struct vmem_seg, rb);
	s->end += Q;
	KTEST_EXPECT_GT(t, vmem_check(&vm), 0);
	s->end -= Q;

	vm.st.nr_spare++;
	KTEST_EXPECT_GT(t, vmem_check(&vm), 0);
	vm.st.nr_spare--;

	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
}

/* What the callbacks saw of the arena lock. */
static struct vmem *held_arena;
static int held_in_refill, held_in_walk, refills_seen;

static void *held_refill(void *ctx)
{
	(void)ctx;
	refills_seen++;
	held_in_refill += vmem_lock_is_held(held_arena);
	return host_refill(NULL);
}

static int held_walk(void *arg, vaddr_t start, size_t size, bool allocated,
		     void *priv)
{
	(void)arg, (void)start, (void)size, (void)allocated, (void)priv;
	held_in_walk += vmem_lock_is_held(held_arena);
	return 0;
}

/* Scenario: an arena with a 4-descriptor seed that must refill, walked,
 * then destroyed and used again. Expect the refill and walk callbacks to
 * run with the arena lock held (each time), the lock free between calls,
 * and after vmem_destroy every call refused (-EINVAL, -ENOENT, a check
 * failure) without hanging on the lock, then a fresh vmem_init usable. */
static void lock_held_in_callbacks(struct ktest *t)
{
	struct vmem vm;
	const struct vmem_seg_source src = { small_seed, ARRAY_SIZE(small_seed),
					     held_refill, host_release, NULL };
	vaddr_t a;
	int segs;

	held_arena = &vm;
	held_in_refill = held_in_walk = refills_seen = 0;
	chunks_out = 0;
	refill_limit = -1;
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "locked", BASE, 64 * Q, Q, &src), 0);
	KTEST_EXPECT(t, !vmem_lock_is_held(&vm));
	for (int i = 0; i < 20; i++)
		KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 2 * Q, &a), 0);
	KTEST_EXPECT_GT(t, refills_seen, 0);
	KTEST_EXPECT_EQ(t, held_in_refill, refills_seen);
	segs = vmem_walk(&vm, VMEM_WALK_ALL, held_walk, NULL);
	KTEST_EXPECT_EQ(t, segs, 0);
	KTEST_EXPECT_GE(t, held_in_walk, 20);
	KTEST_EXPECT(t, !vmem_lock_is_held(&vm));
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	vmem_destroy(&vm);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
	KTEST_EXPECT(t, !vmem_lock_is_held(&vm));
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, BASE, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, BASE, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_GT(t, vmem_check(&vm), 0);
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "again", BASE, 64 * Q, Q, &seed_only),
			0);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
}

static const struct ktest_case vmem_cases[] = {
	KTEST_CASE(init_errors),
	KTEST_CASE(alloc_free_basic),
	KTEST_CASE(alignment),
	KTEST_CASE(xfit_fallback),
	KTEST_CASE(merge_every_order),
	KTEST_CASE(bad_free_refused),
	KTEST_CASE(lookup_containing),
	KTEST_CASE(exhaust_space),
	KTEST_CASE(exhaust_descriptors),
	KTEST_CASE(refill_and_destroy),
	KTEST_CASE(random_against_model),
	KTEST_CASE(large_tree),
	KTEST_CASE(walk_kinds_and_stop),
	KTEST_CASE(check_detects_corruption),
	KTEST_CASE(lock_held_in_callbacks),
	KTEST_END,
};
static const struct ktest_suite vmem_suite = { "vmem", vmem_cases, NULL, NULL };

KTEST_HOST_MAIN(&vmem_suite)
