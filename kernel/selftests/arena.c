// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=arena: the buddy systems of mm/buddy_policy.c on real memory,
 * through mm/buddy_arena.c, with the walk-throughs a reader knows:
 *
 * - the seeds' example: a 256 KiB arena of 1 KiB units; a 25 KiB request
 *   splits 256 into 128 + 128, 64 + 64 and 32 + 32 and gets 32 KiB; its
 *   free coalesces back to 256 KiB; a 36 KiB request under every policy;
 * - the lecture's "buddy system in action": 1024 KiB, 64 KiB minimum,
 *   requests of 37, 67, 7, 112 and 150 KiB, the free lists after each
 *   step, then everything freed back to one block; and the same requests
 *   under the other policies, reported.
 *
 * Each arena prints its free lists ("buddy arena ...: ...") after every
 * step; with the boot argument buddy_trace, every split and merge also
 * prints a "buddy: split ..." or "buddy: merge ..." line.
 */
#include "kernel/cmdline.h"
#include "kernel/selftest.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_arena.h"
#include "mm/kmalloc.h"

#define KIB 1024UL

struct arena_env {
	struct buddy_arena a;
	struct page *mem;
	unsigned int order;
	void *meta;
};

/* An arena over 2^order pages of real memory; false if memory is short. */
static bool env_make(struct ktest *t, struct arena_env *e, const char *name,
		     unsigned int order, uint64_t unit,
		     enum buddy_policy_id policy)
{
	uint64_t size = PAGE_SIZE << order;
	size_t mb = buddy_arena_meta_bytes(size, unit);
	int err;

	e->order = order;
	e->mem = alloc_pages(GFP_KERNEL, order);
	e->meta = kmalloc(mb, GFP_KERNEL);
	if (!e->mem || !e->meta) {
		ktest_skip(t, "memory is short");
		return false;
	}
	err = buddy_arena_init(&e->a, name, (uintptr_t)page_address(e->mem),
			       size, unit, policy, e->meta, mb);
	KTEST_EXPECT_EQ(t, err, 0);
	if (err)
		return false;
	e->a.trace = cmdline_has("buddy_trace");
	return true;
}

static void env_done(struct arena_env *e)
{
	if (e->mem)
		__free_pages(e->mem, e->order);
	kfree(e->meta);
	e->mem = NULL;
	e->meta = NULL;
}

/* The free blocks in address order, "size@offset" in KiB. */
static const char *free_str(const struct buddy_arena *a, char *buf, size_t len)
{
	uint64_t sizes[32];
	uintptr_t addrs[32];
	unsigned int n = buddy_arena_free_blocks(a, sizes, addrs, 32);
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && i < 32 && at < len; i++)
		at += (size_t)fmt_snprintf(
			buf + at, len - at, "%s%lu@%lu", i ? " " : "",
			(unsigned long)(sizes[i] / KIB),
			(unsigned long)((addrs[i] - a->base) / KIB));
	return buf;
}

static void expect_free(struct ktest *t, const struct buddy_arena *a,
			const char *want)
{
	char got[256];

	buddy_arena_print(a);
	free_str(a, got, sizeof(got));
	KTEST_EXPECT_STREQ(t, got, want);
	KTEST_EXPECT_EQ(t, buddy_arena_check(a, true), 0);
}

/* Scenario: the seeds' 25 KiB request, binary. Expect three splits, a
 * 32 KiB block at the arena's start, free lists 32, 64, 128, and the
 * whole 256 KiB back after the free, by three merges. */
static void arena_seeds_25k(struct ktest *t)
{
	struct arena_env e = { 0 };
	uint64_t got = 0;
	uintptr_t p;

	if (!env_make(t, &e, "seeds", 6, KIB, BUDDY_POLICY_BINARY))
		goto out;
	expect_free(t, &e.a, "256@0");
	p = buddy_arena_alloc(&e.a, 25 * KIB, &got);
	KTEST_EXPECT_EQ(t, p, e.a.base);
	KTEST_EXPECT_EQ(t, got, 32 * KIB);
	KTEST_EXPECT_EQ(t, e.a.splits, 3);
	memset((void *)p, 0x5a, got); /* it is real memory, ours now */
	expect_free(t, &e.a, "32@32 64@64 128@128");
	KTEST_EXPECT_EQ(t, buddy_arena_free(&e.a, p), 0);
	KTEST_EXPECT_EQ(t, e.a.merges, 3);
	expect_free(t, &e.a, "256@0");
out:
	env_done(&e);
}

/* Scenario: a 36 KiB request under each policy on the same arena.
 * Expect binary 64 KiB, Fibonacci 55 KiB, weighted and tertiary 48 KiB,
 * and every arena whole again after the free. */
static void arena_seeds_36k(struct ktest *t)
{
	static const uint64_t want[BUDDY_NR_POLICIES] = { 64, 55, 48, 48 };

	for (int id = 0; id < BUDDY_NR_POLICIES; id++) {
		struct arena_env e = { 0 };
		uint64_t got = 0;
		uintptr_t p;

		if (!env_make(t, &e, buddy_policy_name(id), 6, KIB, id)) {
			env_done(&e);
			return;
		}
		p = buddy_arena_alloc(&e.a, 36 * KIB, &got);
		KTEST_EXPECT_NE(t, p, 0);
		KTEST_EXPECT_EQ(t, got, want[id] * KIB);
		ktest_info(t, "36 KiB request, %s: %lu KiB block",
			   buddy_policy_name(id), (unsigned long)(got / KIB));
		buddy_arena_print(&e.a);
		KTEST_EXPECT_EQ(t, buddy_arena_free(&e.a, p), 0);
		KTEST_EXPECT_EQ(t, e.a.free_units, e.a.nr_units);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&e.a, true), 0);
		env_done(&e);
	}
}

static const uint64_t lecture_kib[] = { 37, 67, 7, 112, 150 };

/* Scenario: the lecture's walk-through, binary, 1024 KiB in 64 KiB
 * units. Expect the blocks and free lists it draws after each request
 * and after each free, ending with one 1024 KiB block. */
static void arena_lecture(struct ktest *t)
{
	static const uint64_t got_kib[] = { 64, 128, 64, 128, 256 };
	static const char *const after_alloc[] = {
		"64@64 128@128 256@256 512@512",
		"64@64 256@256 512@512",
		"256@256 512@512",
		"128@384 512@512",
		"128@384 256@768",
	};
	static const struct {
		unsigned int which;
		const char *after;
	} rel[] = {
		{ 1, "128@128 128@384 256@768" },
		{ 0, "64@0 128@128 128@384 256@768" },
		{ 2, "256@0 128@384 256@768" },
		{ 4, "256@0 128@384 512@512" },
		{ 3, "1024@0" },
	};
	struct arena_env e = { 0 };
	uintptr_t p[ARRAY_SIZE(lecture_kib)];

	if (!env_make(t, &e, "lecture", 8, 64 * KIB, BUDDY_POLICY_BINARY))
		goto out;
	for (unsigned int i = 0; i < ARRAY_SIZE(lecture_kib); i++) {
		uint64_t got = 0;

		p[i] = buddy_arena_alloc(&e.a, lecture_kib[i] * KIB, &got);
		KTEST_EXPECT_NE(t, p[i], 0);
		KTEST_EXPECT_EQ(t, got, got_kib[i] * KIB);
		expect_free(t, &e.a, after_alloc[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(rel); i++) {
		KTEST_EXPECT_EQ(t, buddy_arena_free(&e.a, p[rel[i].which]), 0);
		expect_free(t, &e.a, rel[i].after);
	}
out:
	env_done(&e);
}

/* Scenario: the lecture's requests under the other policies. Expect
 * each request met, blocks at least as large as asked, the checker
 * clean after every step and the arena whole at the end; the blocks
 * each policy gives are reported. */
static void arena_lecture_policies(struct ktest *t)
{
	for (int id = BUDDY_POLICY_FIBONACCI; id < BUDDY_NR_POLICIES; id++) {
		struct arena_env e = { 0 };
		uintptr_t p[ARRAY_SIZE(lecture_kib)];
		char line[128];
		size_t at = 0;

		if (!env_make(t, &e, buddy_policy_name(id), 8, 64 * KIB, id)) {
			env_done(&e);
			return;
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(lecture_kib); i++) {
			uint64_t got = 0;

			p[i] = buddy_arena_alloc(&e.a, lecture_kib[i] * KIB,
						 &got);
			KTEST_EXPECT_NE(t, p[i], 0);
			KTEST_EXPECT_GE(t, got, lecture_kib[i] * KIB);
			KTEST_EXPECT_EQ(t, buddy_arena_check(&e.a, true), 0);
			at += (size_t)fmt_snprintf(
				line + at, sizeof(line) - at, " %lu->%lu",
				(unsigned long)lecture_kib[i],
				(unsigned long)(got / KIB));
		}
		ktest_info(t, "lecture, %s (KiB asked->given):%s",
			   buddy_policy_name(id), line);
		buddy_arena_print(&e.a);
		for (unsigned int i = 0; i < ARRAY_SIZE(lecture_kib); i++)
			KTEST_EXPECT_EQ(t, buddy_arena_free(&e.a, p[i]), 0);
		KTEST_EXPECT_EQ(t, e.a.free_units, e.a.nr_units);
		KTEST_EXPECT_EQ(t, buddy_arena_check(&e.a, true), 0);
		env_done(&e);
	}
}

static const struct ktest_case arena_cases[] = {
	KTEST_CASE(arena_seeds_25k),
	KTEST_CASE(arena_seeds_36k),
	KTEST_CASE(arena_lecture),
	KTEST_CASE(arena_lecture_policies),
	KTEST_END,
};

static const struct ktest_suite arena_suite = { "arena", arena_cases, NULL,
						NULL };
KTEST_SUITE_REGISTER(arena_suite, 45);
