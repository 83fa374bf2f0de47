// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=lib: the freestanding library as the kernel runs it (the
 * target's own memcpy/memset/string functions, which the host tests
 * cannot reach because the host uses its C library).
 */
#include "kernel/selftest.h"
#include "lib/fmt.h"
#include "lib/list.h"
#include "lib/rand.h"
#include "lib/string.h"

/* Scenario: memcpy/memmove/memset at every alignment and length up to 40.
 * Expect byte-exact results and untouched neighbours. */
static void lib_mem_alignment(struct ktest *t)
{
	static uint8_t src[64], dst[80];

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (unsigned int so = 0; so < 8; so++) {
		for (unsigned int dof = 0; dof < 8; dof++) {
			for (unsigned int n = 0; n <= 40; n++) {
				memset(dst, 0xee, sizeof(dst));
				memcpy(dst + dof + 8, src + so, n);
				KTEST_ASSERT(t, memcmp(dst + dof + 8, src + so,
						       n) == 0);
				KTEST_ASSERT(t, dst[dof + 7] == 0xee);
				KTEST_ASSERT(t, dst[dof + 8 + n] == 0xee);
			}
		}
	}
	memset(dst, 0, sizeof(dst));
	memset(dst + 3, 0xab, 37);
	KTEST_EXPECT_EQ(t, dst[2], 0);
	KTEST_EXPECT_EQ(t, dst[3], 0xab);
	KTEST_EXPECT_EQ(t, dst[39], 0xab);
	KTEST_EXPECT_EQ(t, dst[40], 0);
}

/* Scenario: overlapping memmove both ways. Expect a correct copy. */
static void lib_memmove_overlap(struct ktest *t)
{
	char b[32] = "0123456789abcdefghij";

	memmove(b + 2, b, 10);
	KTEST_EXPECT(t, memcmp(b, "010123456789c", 13) == 0);
	memmove(b, b + 2, 10);
	KTEST_EXPECT(t, memcmp(b, "0123456789", 10) == 0);
}

/* Scenario: string functions on edge cases. Expect C semantics. */
static void lib_strings(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, strlen(""), 0);
	KTEST_EXPECT_EQ(t, strlen("abc"), 3);
	KTEST_EXPECT_EQ(t, strnlen("abcdef", 4), 4);
	KTEST_EXPECT(t, strcmp("abc", "abd") < 0);
	KTEST_EXPECT(t, strcmp("b", "abc") > 0);
	KTEST_EXPECT_EQ(t, strncmp("abcx", "abcy", 3), 0);
	KTEST_EXPECT(t, strchr("a:b", ':') != NULL);
	KTEST_EXPECT(t, strchr("ab", ':') == NULL);
	KTEST_EXPECT_STREQ(t, strrchr("a/b/c", '/'), "/c");
}

/* Scenario: formatting as used by the contract lines. Expect exact text. */
static void lib_format(struct ktest *t)
{
	char b[96];

	fmt_snprintf(b, sizeof(b), "[mem 0x%016lx-0x%016lx]", 0x80000000UL,
		     0x8fffffffUL);
	KTEST_EXPECT_STREQ(t, b, "[mem 0x0000000080000000-0x000000008fffffff]");
	fmt_snprintf(b, sizeof(b), "%d|%5u|%-4s|%x", -7, 42U, "ab", 0xbeefU);
	KTEST_EXPECT_STREQ(t, b, "-7|   42|ab  |beef");
	KTEST_EXPECT_EQ(t, fmt_snprintf(b, 4, "%s", "truncated"), 9);
	KTEST_EXPECT_STREQ(t, b, "tru");
}

/* Scenario: list add/del/move. Expect order and emptiness to follow. */
static void lib_list(struct ktest *t)
{
	struct item {
		int v;
		struct list_head link;
	} items[3] = { { 1, { 0, 0 } }, { 2, { 0, 0 } }, { 3, { 0, 0 } } };
	struct list_head head, *pos;
	int sum = 0, first;

	INIT_LIST_HEAD(&head);
	KTEST_EXPECT(t, list_empty(&head));
	for (int i = 0; i < 3; i++)
		list_add_tail(&items[i].link, &head);
	list_for_each (pos, &head)
		sum = sum * 10 + list_entry(pos, struct item, link)->v;
	KTEST_EXPECT_EQ(t, sum, 123);
	list_move(&items[2].link, &head);
	first = list_first_entry(&head, struct item, link)->v;
	KTEST_EXPECT_EQ(t, first, 3);
	for (int i = 0; i < 3; i++)
		list_del(&items[i].link);
	KTEST_EXPECT(t, list_empty(&head));
}

/* Scenario: the PRNG is deterministic for a seed. Expect equal streams. */
static void lib_rand_repeatable(struct ktest *t)
{
	struct rand_state a, b;

	rand_seed(&a, 42);
	rand_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		KTEST_ASSERT(t, rand_next(&a) == rand_next(&b));
	KTEST_EXPECT_LT(t, rand_below(&a, 7), 7);
}

/* Scenario: suite selection lists. Expect exact-name matching. */
static void lib_ktest_selection(struct ktest *t)
{
	KTEST_EXPECT(t, ktest_selected("all", "mmu"));
	KTEST_EXPECT(t, ktest_selected("fdt,mmu", "mmu"));
	KTEST_EXPECT(t, !ktest_selected("fdt,mmux", "mmu"));
	KTEST_EXPECT(t, !ktest_selected("slab", "kmalloc"));
}

static const struct ktest_case lib_cases[] = {
	KTEST_CASE(lib_mem_alignment),
	KTEST_CASE(lib_memmove_overlap),
	KTEST_CASE(lib_strings),
	KTEST_CASE(lib_format),
	KTEST_CASE(lib_list),
	KTEST_CASE(lib_rand_repeatable),
	KTEST_CASE(lib_ktest_selection),
	KTEST_END,
};

static const struct ktest_suite lib_suite = { "lib", lib_cases, NULL, NULL };
KTEST_SUITE_REGISTER(lib_suite, 20);
