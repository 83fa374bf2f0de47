// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/parse.c: decimal and hexadecimal numbers, size
 * suffixes, and every kind of bad input the console can be given.
 */
#include <stdint.h>

#include "lib/errno.h"
#include "lib/kernel.h"
#include "lib/parse.h"
#include "lib/tests/host_ktest.h"

/* Scenario: well-formed numbers. Expect their values. */
static void parse_numbers(struct ktest *t)
{
	uint64_t v = 1;

	KTEST_EXPECT_EQ(t, parse_u64("0", &v), 0);
	KTEST_EXPECT_EQ(t, v, 0);
	KTEST_EXPECT_EQ(t, parse_u64("4096", &v), 0);
	KTEST_EXPECT_EQ(t, v, 4096);
	KTEST_EXPECT_EQ(t, parse_u64("0x7fAb", &v), 0);
	KTEST_EXPECT_EQ(t, v, 0x7fab);
	KTEST_EXPECT_EQ(t, parse_u64("0X10", &v), 0);
	KTEST_EXPECT_EQ(t, v, 16);
	KTEST_EXPECT_EQ(t, parse_u64("18446744073709551615", &v), 0);
	KTEST_EXPECT_EQ(t, v, UINT64_MAX);
	KTEST_EXPECT_EQ(t, parse_u64("0xffffffffffffffff", &v), 0);
	KTEST_EXPECT_EQ(t, v, UINT64_MAX);
	KTEST_EXPECT_EQ(t, parse_u64("007", &v), 0); /* decimal, not octal */
	KTEST_EXPECT_EQ(t, v, 7);
}

/* Scenario: malformed and overflowing numbers. Expect -EINVAL or
 * -ERANGE, and the output left alone. */
static void parse_bad_numbers(struct ktest *t)
{
	static const char *const bad[] = { "",	  "0x",	 "x1", "12a", "-1",
					   "+1",  " 1",	 "1 ", "0xg", "1K",
					   "0x-", "1.5", "ab" };
	uint64_t v = 42;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		KTEST_EXPECT_EQ(t, parse_u64(bad[i], &v), -EINVAL);
	KTEST_EXPECT_EQ(t, parse_u64(NULL, &v), -EINVAL);
	KTEST_EXPECT_EQ(t, parse_u64("18446744073709551616", &v), -ERANGE);
	KTEST_EXPECT_EQ(t, parse_u64("0x10000000000000000", &v), -ERANGE);
	KTEST_EXPECT_EQ(t, parse_u64("99999999999999999999999", &v), -ERANGE);
	KTEST_EXPECT_EQ(t, v, 42);
}

/* Scenario: sizes with and without K, M, G (either case), in decimal
 * and hex. Expect powers of 1024; a hex digit B..F is not a suffix. */
static void parse_sizes(struct ktest *t)
{
	uint64_t v = 0;

	KTEST_EXPECT_EQ(t, parse_size("100", &v), 0);
	KTEST_EXPECT_EQ(t, v, 100);
	KTEST_EXPECT_EQ(t, parse_size("4K", &v), 0);
	KTEST_EXPECT_EQ(t, v, 4096);
	KTEST_EXPECT_EQ(t, parse_size("4k", &v), 0);
	KTEST_EXPECT_EQ(t, v, 4096);
	KTEST_EXPECT_EQ(t, parse_size("2M", &v), 0);
	KTEST_EXPECT_EQ(t, v, 2UL << 20);
	KTEST_EXPECT_EQ(t, parse_size("1g", &v), 0);
	KTEST_EXPECT_EQ(t, v, 1UL << 30);
	KTEST_EXPECT_EQ(t, parse_size("0x10K", &v), 0);
	KTEST_EXPECT_EQ(t, v, 16 << 10);
	KTEST_EXPECT_EQ(t, parse_size("0x1b", &v), 0);
	KTEST_EXPECT_EQ(t, v, 0x1b);
	KTEST_EXPECT_EQ(t, parse_size("16777215G", &v), 0);
	KTEST_EXPECT_EQ(t, v, 16777215ULL << 30);
}

/* Scenario: bad sizes. Expect -EINVAL for a suffix alone, two suffixes,
 * an unknown suffix; -ERANGE when the suffix overflows. */
static void parse_bad_sizes(struct ktest *t)
{
	static const char *const bad[] = { "K",	  "KK", "4KK", "4T", "4 K",
					   "0xK", "",	"4KB", "-4K" };
	uint64_t v = 9;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		KTEST_EXPECT_EQ(t, parse_size(bad[i], &v), -EINVAL);
	KTEST_EXPECT_EQ(t, parse_size("17179869184G", &v), -ERANGE);
	KTEST_EXPECT_EQ(t, parse_size("0xffffffffffffffffK", &v), -ERANGE);
	KTEST_EXPECT_EQ(t, v, 9);
}

static const struct ktest_case parse_cases[] = {
	KTEST_CASE(parse_numbers),
	KTEST_CASE(parse_bad_numbers),
	KTEST_CASE(parse_sizes),
	KTEST_CASE(parse_bad_sizes),
	KTEST_END,
};
static const struct ktest_suite parse_suite = { "parse", parse_cases, NULL,
						NULL };

KTEST_HOST_MAIN(&parse_suite)
