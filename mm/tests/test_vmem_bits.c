// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the bit scans behind vmem's instant fit
 * (mm/vmem_internal.h): highbit() (floor(log2)) picks a size's free
 * list, lowbit() (a de Bruijn count of trailing zeros) the lowest
 * non-empty list in the free-list bitmap. Both replace count
 * instructions the target lacks (no Zbb), so each is checked against the
 * compiler's builtins on every single-bit value and on random values.
 */
#include "lib/rand.h"
#include "lib/tests/host_ktest.h"
#include "mm/vmem_internal.h"

/*
 * Scenario: for every bit i, the value 1 << i alone, with every bit
 * above it set, and with every bit below it set. Expect lowbit to give
 * i for the first two and highbit i for the first and third.
 */
static void bits_every_position(struct ktest *t)
{
	for (unsigned int i = 0; i < 64; i++) {
		uint64_t bit = 1ULL << i;

		KTEST_EXPECT_EQ(t, lowbit(bit), i);
		KTEST_EXPECT_EQ(t, lowbit(~(bit - 1)), i);
		KTEST_EXPECT_EQ(t, highbit(bit), i);
		KTEST_EXPECT_EQ(t, highbit(bit | (bit - 1)), i);
	}
}

/*
 * Scenario: 100,000 random non-zero values, shifted right by a random
 * amount so that every magnitude occurs. Expect lowbit and highbit to
 * equal __builtin_ctzll and 63 - __builtin_clzll.
 */
static void bits_match_builtins(struct ktest *t)
{
	struct rand_state rs;

	rand_seed(&rs, 0xb175);
	for (int n = 0; n < 100000 && t->failures == 0; n++) {
		uint64_t x = rand_next(&rs) >> rand_below(&rs, 64);

		if (x == 0)
			continue;
		KTEST_EXPECT_EQ(t, lowbit(x), (unsigned int)__builtin_ctzll(x));
		KTEST_EXPECT_EQ(t, highbit(x),
				63 - (unsigned int)__builtin_clzll(x));
	}
}

static const struct ktest_case vmem_bits_cases[] = {
	KTEST_CASE(bits_every_position),
	KTEST_CASE(bits_match_builtins),
	KTEST_END,
};

static const struct ktest_suite vmem_bits_suite = {
	.name = "vmem_bits",
	.cases = vmem_bits_cases,
};

KTEST_HOST_MAIN(&vmem_bits_suite);
