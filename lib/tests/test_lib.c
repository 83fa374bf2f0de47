// SPDX-License-Identifier: BSD-2-Clause
/* Host tests of lib/: formatting against the C library, PRNG, ktest. */
#include <stdio.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/kernel.h"
#include "lib/rand.h"
#include "lib/tests/host_ktest.h"

#define CHECK_FMT(t, ...)                                                      \
	do {                                                                   \
		char a[128], b[128];                                           \
		int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);              \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                  \
		KTEST_EXPECT_EQ(t, na, nb);                                    \
		KTEST_EXPECT_STREQ(t, a, b);                                   \
	} while (0)

/* Scenario: common conversions. Expect output identical to glibc's. */
static void fmt_matches_libc(struct ktest *t)
{
	CHECK_FMT(t, "%d %i %u", -42, 7, 3000000000u);
	CHECK_FMT(t, "%ld %lu %lx", -1L, ~0UL, 0xdeadbeefUL);
	CHECK_FMT(t, "%016lx|%-8x|%8x|%08x", 0x1234UL, 0xab, 0xab, 0xab);
	CHECK_FMT(t, "%s|%10s|%-10s|%.3s", "abc", "r", "l", "truncate");
	CHECK_FMT(t, "%c%c %%", 'o', 'k');
	CHECK_FMT(t, "%#x %#o %X %llx", 255, 8, 0xbeef, 0x1ULL << 63);
	CHECK_FMT(t, "%zu %5.3d %+d % d", (size_t)99, 7, 5, 5);
	CHECK_FMT(t, "%hhd %hd %lld", 300, 70000, -9223372036854775807LL - 1);
	CHECK_FMT(t, "%*d|%-*d|%.*s", 5, 1, 4, 2, 2, "xyz");
}

/* Scenario: output longer than the buffer. Expect truncation with NUL and
 * the full length returned. */
static void fmt_truncates(struct ktest *t)
{
	char b[8];

	KTEST_EXPECT_EQ(t, fmt_snprintf(b, sizeof(b), "%s", "0123456789"), 10);
	KTEST_EXPECT_STREQ(t, b, "0123456");
	KTEST_EXPECT_EQ(t, fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Scenario: %p. Expect 0x and 16 hex digits. */
static void fmt_pointer(struct ktest *t)
{
	char b[32];

	fmt_snprintf(b, sizeof(b), "%p", (void *)0x80200000UL);
	KTEST_EXPECT_STREQ(t, b, "0x0000000080200000");
}

/* Scenario: %pE on text with a newline, a carriage return, an escape
 * sequence, a DEL and a high byte. Expect each of them as \xNN, printable
 * bytes unchanged, NULL as "(null)", truncation mid-escape, and the
 * return value counting the escaped length. */
static void fmt_escaped(struct ktest *t)
{
	char b[96];

	KTEST_EXPECT_EQ(t,
			fmt_snprintf(b, sizeof(b), "'%pE'",
				     "a b\npanic: x\r\x1b[2K\x7f\xff~"),
			37);
	KTEST_EXPECT_STREQ(t, b, "'a b\\x0apanic: x\\x0d\\x1b[2K\\x7f\\xff~'");
	fmt_snprintf(b, sizeof(b), "%pE", (const char *)NULL);
	KTEST_EXPECT_STREQ(t, b, "(null)");
	KTEST_EXPECT_EQ(t, fmt_snprintf(b, 4, "%pE", "\t"), 4);
	KTEST_EXPECT_STREQ(t, b, "\\x0");
}

/* Scenario: rand_below over a small bound. Expect every value hit and
 * none out of range. */
static void rand_covers_range(struct ktest *t)
{
	struct rand_state r;
	int seen[10] = { 0 };

	rand_seed(&r, 1);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = rand_below(&r, 10);

		KTEST_ASSERT(t, v < 10);
		seen[v]++;
	}
	for (int i = 0; i < 10; i++)
		KTEST_EXPECT_GT(t, seen[i], 800);
}

/* Scenario: bit helpers. Expect exact values at the edges. */
static void kernel_helpers(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, order_base_2(1), 0);
	KTEST_EXPECT_EQ(t, order_base_2(7), 3);
	KTEST_EXPECT_EQ(t, order_base_2(8), 3);
	KTEST_EXPECT_EQ(t, ilog2_u64(1ULL << 40), 40);
	KTEST_EXPECT_EQ(t, ALIGN_UP(0x1001UL, 0x1000UL), 0x2000UL);
	KTEST_EXPECT_EQ(t, ALIGN_DOWN(0x1fffUL, 0x1000UL), 0x1000UL);
	KTEST_EXPECT(t, is_power_of_2(4096) && !is_power_of_2(0));
}

/*
 * Scenario: errno_name() of every code in lib/errno.h, negated and not,
 * and of codes that are not in it. Expect a name for each code (none is
 * "unknown error"), the same for -err and err, names that differ but
 * for ENOENT and EFDT_NOTFOUND (both "not found"), and "unknown error"
 * for the gaps.
 */
static void errno_names(struct ktest *t)
{
	static const int codes[] = {
		EOK,	EPERM,	ENOENT, EIO,	E2BIG,	ENOMEM, EFAULT,	  EBUSY,
		EEXIST, ENODEV, EINVAL, ENOSPC, ERANGE, ENOSYS, EOVERFLOW
	};
	const size_t n = ARRAY_SIZE(codes);
	const char *names[ARRAY_SIZE(codes) + EFDT_END - EFDT_BASE];
	size_t k = 0, same = 0;

	for (size_t i = 0; i < n; i++)
		names[k++] = errno_name(codes[i]);
	for (int e = EFDT_BASE; e < EFDT_END; e++)
		names[k++] = errno_name(e);
	for (size_t i = 0; i < k; i++) {
		int e = i < n ? codes[i] : EFDT_BASE + (int)(i - n);

		KTEST_EXPECT(t, strcmp(names[i], "unknown error") != 0);
		KTEST_EXPECT_STREQ(t, errno_name(-e), names[i]);
		for (size_t j = i + 1; j < k; j++)
			same += strcmp(names[i], names[j]) == 0;
	}
	KTEST_EXPECT_EQ(t, same, 1);
	KTEST_EXPECT_STREQ(t, errno_name(ENOENT), errno_name(EFDT_NOTFOUND));
	KTEST_EXPECT_STREQ(t, errno_name(3), "unknown error");
	KTEST_EXPECT_STREQ(t, errno_name(EFDT_END), "unknown error");
	KTEST_EXPECT_STREQ(t, errno_name(-99), "unknown error");
}

static const struct ktest_case lib_cases[] = {
	KTEST_CASE(fmt_matches_libc),  KTEST_CASE(fmt_truncates),
	KTEST_CASE(fmt_pointer),       KTEST_CASE(fmt_escaped),
	KTEST_CASE(rand_covers_range), KTEST_CASE(kernel_helpers),
	KTEST_CASE(errno_names),       KTEST_END,
};
static const struct ktest_suite lib_suite = { "lib", lib_cases, NULL, NULL };

KTEST_HOST_MAIN(&lib_suite)
