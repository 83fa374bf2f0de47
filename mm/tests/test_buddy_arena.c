// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/buddy_policy.c and mm/buddy_arena.c: the size series
 * of each policy, the seeds' walk-throughs checked free list by free
 * list, every misuse case, and a long random run per policy against a
 * model with buddy_arena_check() after every operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/rand.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy_arena.h"

#define KIB 1024UL

static struct buddy_arena arena;
static struct buddy_arena_block meta[1u << 16];

static void arena_make(struct ktest *t, enum buddy_policy_id p, uint64_t size,
		       uint64_t unit)
{
	KTEST_ASSERT_EQ(t,
			buddy_arena_init(&arena, "test", 0x100000, size, unit,
					 p, meta, sizeof(meta)),
			0);
}

/* The free blocks, in address order, as "size@offset ..." in KiB. */
static const char *free_str(void)
{
	static char buf[512];
	uint64_t sizes[64];
	uintptr_t addrs[64];
	unsigned int n = buddy_arena_free_blocks(&arena, sizes, addrs, 64);
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && i < 64; i++)
		at += (size_t)snprintf(
			buf + at, sizeof(buf) - at, "%s%lu@%lu", i ? " " : "",
			(unsigned long)(sizes[i] / KIB),
			(unsigned long)((addrs[i] - arena.base) / KIB));
	return buf;
}

#define EXPECT_FREE(t, want)                                                   \
	do {                                                                   \
		const char *got_ = free_str();                                 \
		KTEST_EXPECT(t, strcmp(got_, want) == 0);                      \
		if (strcmp(got_, want))                                        \
			printf("    # free lists '%s', expected '%s'\n", got_, \
			       want);                                          \
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);        \
	} while (0)

static void policy_series(struct ktest *t)
{
	static const uint64_t fib[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89 };
	static const uint64_t two3[] = { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 };
	struct buddy_policy p;

	KTEST_ASSERT_EQ(t, buddy_policy_build(&p, BUDDY_POLICY_BINARY, 1000),
			0);
	KTEST_EXPECT_EQ(t, p.nr_classes, 10); /* 1 .. 512 */
	for (unsigned int c = 0; c < p.nr_classes; c++)
		KTEST_EXPECT_EQ(t, p.size[c], 1ULL << c);
	KTEST_ASSERT_EQ(t, buddy_policy_build(&p, BUDDY_POLICY_FIBONACCI, 89),
			0);
	KTEST_EXPECT_EQ(t, p.nr_classes, ARRAY_SIZE(fib));
	for (unsigned int c = 0; c < ARRAY_SIZE(fib); c++)
		KTEST_EXPECT_EQ(t, p.size[c], fib[c]);
	for (int id = BUDDY_POLICY_WEIGHTED; id <= BUDDY_POLICY_TERTIARY;
	     id++) {
		KTEST_ASSERT_EQ(t, buddy_policy_build(&p, id, 32), 0);
		KTEST_EXPECT_EQ(t, p.nr_classes, ARRAY_SIZE(two3));
		for (unsigned int c = 0; c < ARRAY_SIZE(two3); c++)
			KTEST_EXPECT_EQ(t, p.size[c], two3[c]);
		/* 16 splits 12 + 4; tertiary may also halve it. */
		KTEST_EXPECT_EQ(t, p.split[7][0].left, 6);
		KTEST_EXPECT_EQ(t, p.split[7][0].right, 3);
		KTEST_EXPECT_EQ(t, p.nr_splits[7],
				id == BUDDY_POLICY_TERTIARY ? 2 : 1);
		/* 12 splits 8 + 4. */
		KTEST_EXPECT_EQ(t, p.size[p.split[6][0].left], 8);
		KTEST_EXPECT_EQ(t, p.size[p.split[6][0].right], 4);
	}
	KTEST_EXPECT_EQ(t, buddy_policy_lookup("fibonacci"),
			BUDDY_POLICY_FIBONACCI);
	KTEST_EXPECT_EQ(t, buddy_policy_lookup("quaternary"), -EINVAL);
	KTEST_EXPECT_EQ(t, buddy_policy_build(&p, BUDDY_NR_POLICIES, 8),
			-EINVAL);
	KTEST_EXPECT_EQ(t, buddy_policy_build(&p, BUDDY_POLICY_BINARY, 0),
			-EINVAL);
	/* Every policy up to 2^40 units: sums and parents agree (I2, I3). */
	for (int id = 0; id < BUDDY_NR_POLICIES; id++) {
		KTEST_ASSERT_EQ(t, buddy_policy_build(&p, id, 1ULL << 40), 0);
		for (unsigned int c = 1; c < p.nr_classes; c++) {
			KTEST_EXPECT_GE(t, p.nr_splits[c], 1);
			for (unsigned int i = 0; i < p.nr_splits[c]; i++) {
				const struct buddy_split *s = &p.split[c][i];

				KTEST_EXPECT_EQ(
					t, p.size[s->left] + p.size[s->right],
					p.size[c]);
				KTEST_EXPECT_EQ(
					t, p.parent[s->kind][0][s->left], c);
				KTEST_EXPECT_EQ(
					t, p.parent[s->kind][1][s->right], c);
			}
		}
	}
}

/*
 * Scenario (the seeds' example): a 256 KiB arena of 1 KiB units, binary.
 * A 25 KiB request splits 256 into 128 + 128, then 64 + 64, then
 * 32 + 32, and gets a 32 KiB block. Expect those free lists after it,
 * and that freeing it coalesces back to one 256 KiB block.
 */
static void seeds_25k(struct ktest *t)
{
	uint64_t got = 0;
	uintptr_t p;

	arena_make(t, BUDDY_POLICY_BINARY, 256 * KIB, KIB);
	EXPECT_FREE(t, "256@0");
	p = buddy_arena_alloc(&arena, 25 * KIB, &got);
	KTEST_EXPECT_EQ(t, p, arena.base);
	KTEST_EXPECT_EQ(t, got, 32 * KIB);
	KTEST_EXPECT_EQ(t, arena.splits, 3);
	EXPECT_FREE(t, "32@32 64@64 128@128");
	KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p), 0);
	KTEST_EXPECT_EQ(t, arena.merges, 3);
	EXPECT_FREE(t, "256@0");
}

/*
 * Scenario: a 36 KiB request on the same arena under each policy.
 * Expect binary 64 KiB; Fibonacci 55 KiB (1, 2, 3, 5, ... 34, 55); the
 * weighted and tertiary systems 48 KiB (3 * 16). Every policy gives the
 * arena back whole after the free.
 */
static void seeds_36k(struct ktest *t)
{
	static const uint64_t want[BUDDY_NR_POLICIES] = { 64, 55, 48, 48 };

	for (int id = 0; id < BUDDY_NR_POLICIES; id++) {
		uint64_t got = 0;
		unsigned int before;
		uintptr_t p;

		arena_make(t, id, 256 * KIB, KIB);
		before = buddy_arena_free_blocks(&arena, NULL, NULL, 0);
		p = buddy_arena_alloc(&arena, 36 * KIB, &got);
		KTEST_EXPECT_NE(t, p, 0);
		KTEST_EXPECT_EQ(t, got, want[id] * KIB);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p), 0);
		KTEST_EXPECT_EQ(t,
				buddy_arena_free_blocks(&arena, NULL, NULL, 0),
				before);
		KTEST_EXPECT_EQ(t, arena.free_units, arena.nr_units);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
	}
}

/*
 * Scenario (the lecture's "buddy system in action"): 1024 KiB, 64 KiB
 * minimum block, binary. Requests of 37, 67, 7, 112 and 150 KiB get
 * 64, 128, 64, 128 and 256 KiB blocks; after each, the free lists are
 * exactly the ones drawn. Then frees in the lecture's order coalesce
 * back to one 1024 KiB block.
 */
static void lecture(struct ktest *t)
{
	static const struct {
		uint64_t kib, got;
		const char *after;
	} req[] = {
		{ 37, 64, "64@64 128@128 256@256 512@512" },
		{ 67, 128, "64@64 256@256 512@512" },
		{ 7, 64, "256@256 512@512" },
		{ 112, 128, "128@384 512@512" },
		{ 150, 256, "128@384 256@768" },
	};
	static const struct {
		unsigned int which;
		const char *after;
	} rel[] = {
		{ 1, "128@128 128@384 256@768" }, /* B (67 KiB) */
		{ 0, "64@0 128@128 128@384 256@768" }, /* A */
		{ 2, "256@0 128@384 256@768" }, /* C: 64+64, 128+128 */
		{ 4, "256@0 128@384 512@512" }, /* E: 256+256 */
		{ 3, "1024@0" }, /* D: everything */
	};
	uintptr_t p[5];

	arena_make(t, BUDDY_POLICY_BINARY, 1024 * KIB, 64 * KIB);
	for (unsigned int i = 0; i < ARRAY_SIZE(req); i++) {
		uint64_t got = 0;

		p[i] = buddy_arena_alloc(&arena, req[i].kib * KIB, &got);
		KTEST_EXPECT_NE(t, p[i], 0);
		KTEST_EXPECT_EQ(t, got, req[i].got * KIB);
		EXPECT_FREE(t, req[i].after);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(rel); i++) {
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p[rel[i].which]),
				0);
		EXPECT_FREE(t, rel[i].after);
	}
}

/*
 * Scenario: misuse. Expect each bad free refused with -EINVAL, counted
 * in bugs, and the arena unchanged: outside the arena, inside a block,
 * not unit-aligned, a double free, a free block's address.
 */
static void misuse(struct ktest *t)
{
	for (int id = 0; id < BUDDY_NR_POLICIES; id++) {
		uintptr_t p, q;

		arena_make(t, id, 256 * KIB, KIB);
		p = buddy_arena_alloc(&arena, 10 * KIB, NULL);
		q = buddy_arena_alloc(&arena, 3 * KIB, NULL);
		KTEST_ASSERT(t, p != 0);
		KTEST_ASSERT(t, q != 0);
		const char *before = strdup(free_str());

		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, arena.base - KIB),
				-EINVAL);
		KTEST_EXPECT_EQ(
			t, buddy_arena_free(&arena, arena.base + 256 * KIB),
			-EINVAL);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p + KIB), -EINVAL);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p + 1), -EINVAL);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p), 0);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, p), -EINVAL);
		KTEST_EXPECT_EQ(t, arena.bugs, 5);
		KTEST_EXPECT_EQ(t, buddy_arena_block_bytes(&arena, p), 0);
		KTEST_EXPECT_NE(t, buddy_arena_block_bytes(&arena, q), 0);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, q), 0);
		KTEST_EXPECT_EQ(t, arena.free_units, arena.nr_units);
		free((void *)before);
		/* Too large: nothing handed out, nothing changed. */
		KTEST_EXPECT_EQ(t, buddy_arena_alloc(&arena, 257 * KIB, NULL),
				0);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
	}
	KTEST_EXPECT_EQ(t,
			buddy_arena_init(&arena, "x", 0, 4 * KIB, 0,
					 BUDDY_POLICY_BINARY, meta,
					 sizeof(meta)),
			-EINVAL);
	KTEST_EXPECT_EQ(t,
			buddy_arena_init(&arena, "x", 0, 100, KIB,
					 BUDDY_POLICY_BINARY, meta,
					 sizeof(meta)),
			-EINVAL);
	KTEST_EXPECT_EQ(t,
			buddy_arena_init(&arena, "x", 0, 4 * KIB, KIB,
					 BUDDY_POLICY_BINARY, meta, 8),
			-EINVAL);
	KTEST_EXPECT_EQ(t,
			buddy_arena_init(&arena, "x", UINTPTR_MAX - KIB,
					 4 * KIB, KIB, BUDDY_POLICY_BINARY,
					 meta, sizeof(meta)),
			-EINVAL);
}

/*
 * Scenario: the checker itself. Expect it to find a free-list count
 * that is off (I2), a damaged tiling (I1) and two free buddies left
 * unmerged (I4), each on a copy of a consistent arena.
 */
static void checker_finds_damage(struct ktest *t)
{
	uintptr_t p, q;
	uint32_t u;

	arena_make(t, BUDDY_POLICY_FIBONACCI, 100 * KIB, KIB);
	p = buddy_arena_alloc(&arena, 5 * KIB, NULL);
	q = buddy_arena_alloc(&arena, 3 * KIB, NULL);
	KTEST_ASSERT_EQ(t, buddy_arena_check(&arena, false), 0);
	arena.nr_free[2]++;
	KTEST_EXPECT_GT(t, buddy_arena_check(&arena, false), 0);
	arena.nr_free[2]--;
	u = (uint32_t)((p - arena.base) / KIB);
	meta[u + 1].cls = 0;
	KTEST_EXPECT_GT(t, buddy_arena_check(&arena, false), 0);
	meta[u + 1].cls = BUDDY_CLASS_NONE;
	KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, false), 0);
	/* Mark q free by hand without merging: I4 (and I2) must fire. */
	u = (uint32_t)((q - arena.base) / KIB);
	meta[u].tag |= 1;
	KTEST_EXPECT_GT(t, buddy_arena_check(&arena, false), 0);
	meta[u].tag &= (uint8_t)~1u;
	KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, false), 0);
}

/*
 * Scenario: per policy, random allocations (log-uniform sizes) and
 * frees against a model that knows every live block. Expect each block
 * at least as large as asked and no larger than the smallest class that
 * fits, no two live blocks overlapping (checked through a fill pattern
 * in a shadow of the arena), the checker clean after every operation,
 * and, once everything is freed, the very blocks init made: every
 * merge found its buddy, however deep the splits went.
 */
#define RAND_UNITS 4096
static void random_against_model(struct ktest *t)
{
	unsigned long ops = ktest_host_count("ARENA_OPS", 1000000);
	static uint16_t shadow[RAND_UNITS];
	static char initial[512];

	for (int id = 0; id < BUDDY_NR_POLICIES; id++) {
		struct {
			uintptr_t addr;
			uint64_t bytes, got;
		} live[512];
		unsigned int nlive = 0, bad = 0;
		struct rand_state r;

		rand_seed(&r, 0x5eed + (uint64_t)id);
		arena_make(t, id, RAND_UNITS * 16, 16);
		snprintf(initial, sizeof(initial), "%s", free_str());
		memset(shadow, 0, sizeof(shadow));
		for (unsigned long op = 0; op < ops && !bad; op++) {
			bool do_alloc =
				nlive == 0 || (nlive < ARRAY_SIZE(live) &&
					       rand_below(&r, 100) < 55);

			if (do_alloc) {
				uint64_t bytes = 1 +
						 rand_below(&r,
							    16ULL << rand_below(
								    &r, 10)),
					 got = 0;
				uintptr_t a =
					buddy_arena_alloc(&arena, bytes, &got);
				unsigned int want = buddy_policy_class_for(
					&arena.policy, (bytes + 15) / 16);

				if (!a)
					continue;
				bad += got < bytes ||
				       got != arena.policy.size[want] * 16;
				for (uint64_t u = 0; u < got / 16; u++) {
					uint64_t i = (a - arena.base) / 16 + u;

					bad += shadow[i] != 0;
					shadow[i] = (uint16_t)(nlive + 1);
				}
				live[nlive].addr = a;
				live[nlive].bytes = bytes;
				live[nlive++].got = got;
			} else {
				unsigned int k =
					(unsigned int)rand_below(&r, nlive);

				for (uint64_t u = 0; u < live[k].got / 16;
				     u++) {
					uint64_t i =
						(live[k].addr - arena.base) /
							16 +
						u;

					bad += shadow[i] != k + 1;
					shadow[i] = 0;
				}
				bad += buddy_arena_free(&arena, live[k].addr) !=
				       0;
				live[k] = live[--nlive];
				/* keep shadow tags equal to index + 1 */
				if (k < nlive)
					for (uint64_t u = 0;
					     u < live[k].got / 16; u++)
						shadow[(live[k].addr -
							arena.base) /
							       16 +
						       u] = (uint16_t)(k + 1);
			}
			bad += buddy_arena_check(&arena, bad == 0) != 0;
		}
		while (nlive)
			bad += buddy_arena_free(&arena, live[--nlive].addr) !=
			       0;
		KTEST_EXPECT_EQ(t, bad, 0);
		/* Every free merged all the way: the initial tiling again. */
		KTEST_EXPECT(t, strcmp(free_str(), initial) == 0);
		KTEST_EXPECT_EQ(t, arena.free_units, arena.nr_units);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
		KTEST_EXPECT_EQ(t, arena.bugs, 0);
		printf("    # %s: %lu operations, %lu splits, %lu merges\n",
		       arena.policy.name, ops, arena.splits, arena.merges);
	}
}

static const struct ktest_case arena_cases[] = {
	KTEST_CASE(policy_series),
	KTEST_CASE(seeds_25k),
	KTEST_CASE(seeds_36k),
	KTEST_CASE(lecture),
	KTEST_CASE(misuse),
	KTEST_CASE(checker_finds_damage),
	KTEST_CASE(random_against_model),
	KTEST_END,
};
static const struct ktest_suite arena_suite = { "buddy_arena", arena_cases,
						NULL, NULL };

KTEST_HOST_MAIN(&arena_suite)
