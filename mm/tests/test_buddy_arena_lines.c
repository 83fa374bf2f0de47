// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the lines a buddy arena prints (mm/buddy_arena.c):
 * buddy_arena_print()'s one-line summary (sizes in their largest whole
 * unit, plain bytes when a size is not a multiple of 1 KiB, "none" when
 * nothing is free) and the split and merge lines of an arena with
 * tracing on. Output is captured (lib/tests/host_capture.h) and
 * compared exactly.
 */
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy_arena.h"

#define KIB 1024UL
#define BASE 0x100000UL

static struct buddy_arena arena;
static struct buddy_arena_block meta[64];

/*
 * Scenario: a binary arena of 64 KiB in 4 KiB units, printed whole,
 * after one 4 KiB allocation, and with everything allocated; then an
 * arena of 3000-byte units.
 * Expect "free 64K x 1"; the four blocks the split left, largest
 * first; "free none"; sizes in bytes ("12000 x 1 3000 x 1").
 */
static void print_line(struct ktest *t)
{
	uintptr_t a;

	KTEST_ASSERT_EQ(t,
			buddy_arena_init(&arena, "lines", BASE, 64 * KIB,
					 4 * KIB, BUDDY_POLICY_BINARY, meta,
					 sizeof(meta)),
			0);
	capture_start(NULL);
	buddy_arena_print(&arena);
	a = buddy_arena_alloc(&arena, 4 * KIB, NULL);
	buddy_arena_print(&arena);
	capture_stop();
	KTEST_EXPECT_EQ(t, a, BASE);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "buddy arena lines: binary, free 64K x 1\n"
			   "buddy arena lines: binary, free 32K x 1 16K x 1 "
			   "8K x 1 4K x 1\n");
	while (buddy_arena_alloc(&arena, 4 * KIB, NULL))
		;
	capture_start(NULL);
	buddy_arena_print(&arena);
	capture_stop();
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "buddy arena lines: binary, free none\n");

	KTEST_ASSERT_EQ(t,
			buddy_arena_init(&arena, "odd", BASE, 15000, 3000,
					 BUDDY_POLICY_BINARY, meta,
					 sizeof(meta)),
			0);
	capture_start(NULL);
	buddy_arena_print(&arena);
	capture_stop();
	KTEST_EXPECT_STREQ(
		t, capture_text(),
		"buddy arena odd: binary, free 12000 x 1 3000 x 1\n");
	KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
}

/*
 * Scenario: a traced binary arena of 16 KiB in 4 KiB units: one 4 KiB
 * block allocated, then freed.
 * Expect two split lines (16K into 8K + 8K, then 8K into 4K + 4K, both
 * at the base), then the two merges back, smallest first.
 */
static void trace_lines(struct ktest *t)
{
	uintptr_t a;

	KTEST_ASSERT_EQ(t,
			buddy_arena_init(&arena, "traced", BASE, 16 * KIB,
					 4 * KIB, BUDDY_POLICY_BINARY, meta,
					 sizeof(meta)),
			0);
	arena.trace = true;
	capture_start(NULL);
	a = buddy_arena_alloc(&arena, 4 * KIB, NULL);
	KTEST_EXPECT_EQ(t, buddy_arena_free(&arena, a), 0);
	capture_stop();
	KTEST_EXPECT_EQ(t, a, BASE);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "buddy: split 16K at 0x100000 -> 8K + 8K\n"
			   "buddy: split 8K at 0x100000 -> 4K + 4K\n"
			   "buddy: merge 4K + 4K at 0x100000 -> 8K\n"
			   "buddy: merge 8K + 8K at 0x100000 -> 16K\n");
	KTEST_EXPECT_EQ(t, buddy_arena_check(&arena, true), 0);
}

static const struct ktest_case arena_lines_cases[] = {
	KTEST_CASE(print_line),
	KTEST_CASE(trace_lines),
	KTEST_END,
};
static const struct ktest_suite arena_lines_suite = { "buddy_arena_lines",
						      arena_lines_cases, NULL,
						      NULL };

KTEST_HOST_MAIN(&arena_lines_suite)
