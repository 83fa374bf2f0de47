// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the vmem fast paths (mm/vmem.c): the tree insert beside
 * a segment's allocated neighbours on the address list (no descent),
 * the hint that vmem_lookup and vmem_free try before the tree, and an
 * arena serialised by its user's lock (vmem_set_outer_lock).
 * vmem_check() runs after every step; its I4 (the tree holds exactly
 * the allocated segments, in address order) fails if a segment is
 * linked in the wrong place.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/tests/host_ktest.h"
#include "mm/vmem.h"

#define Q 0x1000UL
#define BASE 0x40000000UL

static struct vmem_seg seed[64];
static const struct vmem_seg_source seed_only = { seed, ARRAY_SIZE(seed), NULL,
						  NULL, NULL };

/* Every range of a[0..n) with a non-zero entry is found at its last
 * byte with its own slot as owner. */
static void expect_found(struct ktest *t, const struct vmem *vm,
			 const vaddr_t *a, const size_t *len, int n)
{
	void *priv;

	for (int i = 0; i < n; i++) {
		if (!a[i])
			continue;
		KTEST_EXPECT_EQ(
			t,
			vmem_lookup(vm, a[i] + len[i] - 1, NULL, NULL, &priv),
			0);
		KTEST_EXPECT(t, priv == &a[i]);
	}
}

/* Scenario: into an empty tree, then sixteen one-quantum ranges upwards
 * (each linked as the right child of the one before), then a[0] and
 * the odd ones freed and eight taken again: LIFO hands back the holes,
 * each between two allocated segments (the lower's right link or the
 * higher's left link) and the lowest with none below it. Expect the
 * holes reused, every range found by vmem_lookup and vmem_check clean
 * after every step. */
static void insert_beside_neighbours(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a[16], old[16];
	size_t len[16];

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "ins", BASE, 64 * Q, Q, &seed_only),
			0);
	for (int i = 0; i < 16; i++) {
		len[i] = Q;
		KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, Q, 0, &a[i], &a[i]), 0);
		KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
		if (i)
			KTEST_EXPECT_GT(t, a[i], a[i - 1]);
	}
	expect_found(t, &vm, a, len, 16);
	memcpy(old, a, sizeof(a));
	for (int i = 0; i < 16; i++) {
		if (i && !(i & 1))
			continue;
		KTEST_EXPECT_EQ(t, vmem_free(&vm, a[i], NULL), 0);
		a[i] = 0;
	}
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	for (int i = 0; i < 16; i++) {
		if (a[i])
			continue;
		KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, Q, 0, &a[i], &a[i]), 0);
		KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
		expect_found(t, &vm, a, len, 16);
	}
	for (int i = 0; i < 16; i++)
		KTEST_EXPECT_EQ(t, vmem_free(&vm, old[i], NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	vmem_destroy(&vm);
}

/* Scenario: 400 pseudo-random steps over 24 slots in an arena of 128
 * quanta: an empty slot takes a range of 1 to 3 quanta, a full one is
 * freed, so new segments land at the bottom, the top and in holes of
 * every kind, with the tree rebalanced in between. Expect every
 * allocation to succeed, every range found and vmem_check clean after
 * every step. */
static void insert_random(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a[24] = { 0 };
	size_t len[24];
	uint32_t x = 12345;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "rnd", BASE, 128 * Q, Q, &seed_only),
			0);
	for (int step = 0; step < 400; step++) {
		int i;

		x = x * 1103515245u + 12345u;
		i = (int)((x >> 16) % 24);
		if (a[i]) {
			KTEST_EXPECT_EQ(t, vmem_free(&vm, a[i], NULL), 0);
			a[i] = 0;
		} else {
			len[i] = (1 + (x >> 8) % 3) * Q;
			KTEST_ASSERT_EQ(
				t, vmem_xalloc(&vm, len[i], 0, &a[i], &a[i]),
				0);
		}
		KTEST_ASSERT_EQ(t, vmem_check(&vm), 0);
	}
	expect_found(t, &vm, a, len, 24);
	vmem_destroy(&vm);
}

/* Scenario: the hint (the segment the last allocation returned) goes
 * stale twice: its range is freed next to the free tail (the descriptor
 * retired as a spare), and, between two allocated ranges, freed on its
 * own (the descriptor stays, marked free, with the same bounds). Expect
 * vmem_lookup of the old addresses to answer -ENOENT and vmem_free
 * -EINVAL both times (the hint is used only for an allocated segment
 * holding the address), the neighbours still found, and vmem_check
 * clean. */
static void stale_hint_ignored(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a, b, c, d;
	void *priv;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "hint", BASE, 64 * Q, Q, &seed_only),
			0);
	KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, 2 * Q, 0, &a, &a), 0);
	KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, 2 * Q, 0, &b, &b), 0);
	KTEST_EXPECT(t, vm.hint != NULL && vm.hint->start == b);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, b, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, b + Q, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);

	/* a, b, c allocated; b freed alone stays a free segment. The next
	 * one-quantum-pair request takes b's range back (exact fit, same
	 * descriptor, now the hint), and is freed again. */
	KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, 2 * Q, 0, &b, &b), 0);
	KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, 2 * Q, 0, &c, &c), 0);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, b, NULL), 0);
	KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, 2 * Q, 0, &d, &d), 0);
	KTEST_EXPECT_EQ(t, d, b);
	KTEST_EXPECT(t, vm.hint != NULL && vm.hint->start == d);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, d, NULL), 0);
	KTEST_EXPECT(t, vm.hint != NULL && vm.hint->start == d);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, d + 1, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, vmem_free(&vm, d, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, a + 2 * Q - 1, NULL, NULL, &priv),
			0);
	KTEST_EXPECT(t, priv == &a);
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, c, NULL, NULL, &priv), 0);
	KTEST_EXPECT(t, priv == &c);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	vmem_destroy(&vm);
}

/* What the refill callback saw of the locks. */
static struct vmem *outer_arena;
static spinlock_t outer = SPINLOCK_INIT("outer");
static int refills, outer_held_in_refill, own_held_in_refill;
static struct vmem_seg tiny_seed[2];
static char chunk_mem[4][VMEM_REFILL_SIZE] __attribute__((aligned(8)));

static void *outer_refill(void *ctx)
{
	(void)ctx;
	outer_held_in_refill += vmem_lock_is_held(outer_arena);
	own_held_in_refill += spin_is_held(&outer_arena->lock);
	return refills < 4 ? chunk_mem[refills++] : NULL;
}

/* Scenario: an arena serialised by an outer lock (vmem_set_outer_lock),
 * which needs refills; the setter given NULL or an uninitialised arena.
 * Expect -EINVAL for the bad calls; with the outer lock held, every
 * call works, the refill callback runs with the outer lock held and
 * the arena's own lock never taken, vmem_lock_is_held follows the outer
 * lock, and vmem_check is clean. */
static void outer_lock_serialises(struct ktest *t)
{
	const struct vmem_seg_source src = { tiny_seed, ARRAY_SIZE(tiny_seed),
					     outer_refill, NULL, NULL };
	struct vmem vm;
	vaddr_t a[12];
	void *priv;

	memset(&vm, 0, sizeof(vm));
	KTEST_EXPECT_EQ(t, vmem_set_outer_lock(&vm, &outer), -EINVAL);
	KTEST_ASSERT_EQ(t, vmem_init(&vm, "outer", BASE, 64 * Q, Q, &src), 0);
	KTEST_EXPECT_EQ(t, vmem_set_outer_lock(&vm, NULL), -EINVAL);
	KTEST_ASSERT_EQ(t, vmem_set_outer_lock(&vm, &outer), 0);
	outer_arena = &vm;
	refills = outer_held_in_refill = own_held_in_refill = 0;

	KTEST_EXPECT(t, !vmem_lock_is_held(&vm));
	spin_lock(&outer);
	KTEST_EXPECT(t, vmem_lock_is_held(&vm));
	for (int i = 0; i < 12; i++)
		KTEST_ASSERT_EQ(t, vmem_xalloc(&vm, Q, 2 * Q, &a[i], &a[i]), 0);
	KTEST_EXPECT_GT(t, refills, 0);
	KTEST_EXPECT_EQ(t, outer_held_in_refill, refills);
	KTEST_EXPECT_EQ(t, own_held_in_refill, 0);
	KTEST_EXPECT(t, !spin_is_held(&vm.lock));
	KTEST_EXPECT_EQ(t, vmem_lookup(&vm, a[5] + 1, NULL, NULL, &priv), 0);
	KTEST_EXPECT(t, priv == &a[5]);
	KTEST_EXPECT_EQ(t, vmem_set_priv(&vm, a[5], NULL), 0);
	for (int i = 0; i < 12; i += 2)
		KTEST_EXPECT_EQ(t, vmem_free(&vm, a[i], NULL), 0);
	KTEST_EXPECT_EQ(t, vmem_check(&vm), 0);
	spin_unlock(&outer);
	KTEST_EXPECT(t, !vmem_lock_is_held(&vm));
	KTEST_EXPECT(t, !spin_is_locked(&vm.lock));
	vmem_destroy(&vm);
	KTEST_EXPECT(t, vm.outer == NULL);
}

/* Scenario: a child process calls vmem_alloc on an arena with an outer
 * lock without holding it. Expect the child to die by panic() (abort)
 * rather than touch the arena unserialised. */
static void outer_lock_missing_panics(struct ktest *t)
{
	struct vmem vm;
	vaddr_t a;
	pid_t pid;
	int status = 0;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "outer", BASE, 64 * Q, Q, &seed_only),
			0);
	KTEST_ASSERT_EQ(t, vmem_set_outer_lock(&vm, &outer), 0);
	fflush(stdout);
	pid = fork();
	KTEST_ASSERT(t, pid >= 0);
	if (pid == 0) {
		/* The panic line goes to the child's stdout: keep it quiet. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(2);
		(void)vmem_alloc(&vm, Q, 0, &a);
		_exit(0);
	}
	KTEST_ASSERT_EQ(t, waitpid(pid, &status, 0), pid);
	KTEST_EXPECT(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	spin_lock(&outer);
	KTEST_EXPECT_EQ(t, vmem_alloc(&vm, Q, 0, &a), 0);
	spin_unlock(&outer);
	vmem_destroy(&vm);
}

static const struct ktest_case vmem_fast_cases[] = {
	KTEST_CASE(insert_beside_neighbours),
	KTEST_CASE(insert_random),
	KTEST_CASE(stale_hint_ignored),
	KTEST_CASE(outer_lock_serialises),
	KTEST_CASE(outer_lock_missing_panics),
	KTEST_END,
};
static const struct ktest_suite vmem_fast_suite = { "vmem_fast",
						    vmem_fast_cases, NULL,
						    NULL };

KTEST_HOST_MAIN(&vmem_fast_suite)
