// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/fault_inject.c: the parser of
 * "<interval>,<probability>,<space>,<times>" and the exact meaning of
 * each field in fault_should_fail(), after Linux's should_fail_ex(); and
 * of mm/fail_alloc.c's filters.
 */
#include "lib/errno.h"
#include "lib/fault_inject.h"
#include "lib/tests/host_ktest.h"
#include "mm/fail_alloc.h"

static struct fault_attr attr_from(const char *s)
{
	struct fault_attr a = FAULT_ATTR_INIT("test");

	fault_attr_parse(&a, s, NULL);
	fault_attr_seed(&a, 1);
	return a;
}

/* Scenario: valid strings. Expect each field read, times -1 allowed,
 * configured set and counters reset. */
static void parse_valid(struct ktest *t)
{
	struct fault_attr a = FAULT_ATTR_INIT("test");
	const char *why = NULL;

	KTEST_EXPECT_EQ(t, fault_attr_parse(&a, "10,100,0,-1", &why), 0);
	KTEST_EXPECT(t, a.configured);
	KTEST_EXPECT_EQ(t, a.interval, 10);
	KTEST_EXPECT_EQ(t, a.probability, 100);
	KTEST_EXPECT_EQ(t, a.space, 0);
	KTEST_EXPECT_EQ(t, a.times, -1);
	KTEST_EXPECT(t, why == NULL);
	KTEST_EXPECT_EQ(t, fault_attr_parse(&a, "0,5,4096,3", &why), 0);
	KTEST_EXPECT_EQ(t, a.interval, 0);
	KTEST_EXPECT_EQ(t, a.probability, 5);
	KTEST_EXPECT_EQ(t, a.space, 4096);
	KTEST_EXPECT_EQ(t, a.times, 3);
	KTEST_EXPECT_EQ(t, fault_attr_parse(&a, "1,0,-0,0", &why), 0);
	KTEST_EXPECT_EQ(t, a.times, 0);
}

/* Scenario: malformed strings. Expect -EINVAL, a reason naming the
 * problem, and the attr left as it was. */
static void parse_errors(struct ktest *t)
{
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "expected <interval>,<probability>,<space>,<times>" },
		{ "1,2,3",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,2,3,4,5",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,,3,4",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,x,3,4",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,2,3,4 ",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "-1,2,3,4",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,-2,3,4",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,2,3,99999999999999999999",
		  "expected <interval>,<probability>,<space>,<times>" },
		{ "1,101,0,-1", "probability above 100" },
		{ "1,10,-5,-1", "space is negative" },
		{ "1,10,0,-2", "times below -1" },
	};
	struct fault_attr a = FAULT_ATTR_INIT("test");

	KTEST_EXPECT_EQ(t, fault_attr_parse(&a, "7,50,8,9", NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *why = NULL;

		KTEST_EXPECT_EQ(t, fault_attr_parse(&a, bad[i].s, &why),
				-EINVAL);
		KTEST_EXPECT_STREQ(t, why, bad[i].why);
	}
	KTEST_EXPECT_EQ(t, fault_attr_parse(&a, NULL, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, a.interval, 7);
	KTEST_EXPECT_EQ(t, a.probability, 50);
	KTEST_EXPECT_EQ(t, a.space, 8);
	KTEST_EXPECT_EQ(t, a.times, 9);
}

/* Scenario: probability 0 and an unconfigured attr. Expect no failure
 * and no call counted. */
static void probability_zero(struct ktest *t)
{
	struct fault_attr a = attr_from("1,0,0,-1");
	struct fault_attr fresh = FAULT_ATTR_INIT("fresh");

	for (int i = 0; i < 1000; i++) {
		KTEST_EXPECT(t, !fault_should_fail(&a, 1));
		KTEST_EXPECT(t, !fault_should_fail(&fresh, 1));
	}
	KTEST_EXPECT_EQ(t, a.calls, 0);
	KTEST_EXPECT_EQ(t, fresh.calls, 0);
}

/* Scenario: probability 100 with interval 1, then interval 3. Expect
 * every call to fail, then exactly every third. */
static void interval_exact(struct ktest *t)
{
	struct fault_attr a = attr_from("1,100,0,-1");
	struct fault_attr b = attr_from("3,100,0,-1");

	for (int i = 1; i <= 30; i++) {
		KTEST_EXPECT(t, fault_should_fail(&a, 1));
		KTEST_EXPECT_EQ(t, fault_should_fail(&b, 1), i % 3 == 0);
	}
	KTEST_EXPECT_EQ(t, a.injected, 30);
	KTEST_EXPECT_EQ(t, b.injected, 10);
	KTEST_EXPECT_EQ(t, b.calls, 30);
}

/* Scenario: times 4 at probability 100. Expect 4 failures, then none;
 * times reaches 0 and stays there. */
static void times_limit(struct ktest *t)
{
	struct fault_attr a = attr_from("1,100,0,4");
	int fails = 0;

	for (int i = 0; i < 20; i++)
		fails += fault_should_fail(&a, 1);
	KTEST_EXPECT_EQ(t, fails, 4);
	KTEST_EXPECT_EQ(t, a.times, 0);
	KTEST_EXPECT_EQ(t, a.injected, 4);
	KTEST_EXPECT_EQ(t, a.calls, 20);
}

/* Scenario: space 100 at probability 100, calls of size 30. Expect the
 * first three through (space 100 -> 70 -> 40 -> 10), then failures:
 * space is taken only while it is larger than the size (Linux's "space
 * > size"), so at 10 it stays 10. Space equal to size fails too. */
static void space_budget(struct ktest *t)
{
	struct fault_attr a = attr_from("1,100,100,-1");
	struct fault_attr b = attr_from("1,100,30,-1");

	KTEST_EXPECT(t, !fault_should_fail(&a, 30));
	KTEST_EXPECT(t, !fault_should_fail(&a, 30));
	KTEST_EXPECT(t, !fault_should_fail(&a, 30));
	KTEST_EXPECT_EQ(t, a.space, 10);
	KTEST_EXPECT(t, fault_should_fail(&a, 30));
	KTEST_EXPECT_EQ(t, a.space, 10);
	KTEST_EXPECT(t, !fault_should_fail(&a, 1)); /* 10 > 1: taken */
	KTEST_EXPECT_EQ(t, a.space, 9);
	KTEST_EXPECT(t, fault_should_fail(&b, 30));
}

/* Scenario: times 0 with space left. Expect no failure and the space
 * untouched (times is tested before space, as in Linux). Then interval
 * 2 after space: calls that space lets through are not counted. */
static void field_order(struct ktest *t)
{
	struct fault_attr a = attr_from("1,100,50,0");
	struct fault_attr b = attr_from("2,100,20,-1");

	KTEST_EXPECT(t, !fault_should_fail(&a, 10));
	KTEST_EXPECT_EQ(t, a.space, 50);
	/* b: the first call takes 10 of the space (20 > 10); at 10 the
	 * space is no longer larger than the size, so the calls are
	 * counted from the second on: 1, 2, 3, 4. */
	KTEST_EXPECT(t, !fault_should_fail(&b, 10));
	KTEST_EXPECT_EQ(t, b.space, 10);
	KTEST_EXPECT(t, !fault_should_fail(&b, 10)); /* count 1 */
	KTEST_EXPECT(t, fault_should_fail(&b, 10)); /* count 2 */
	KTEST_EXPECT(t, !fault_should_fail(&b, 10));
	KTEST_EXPECT(t, fault_should_fail(&b, 10));
	KTEST_EXPECT_EQ(t, b.space, 10);
	KTEST_EXPECT_EQ(t, b.count, 4);
}

/* Scenario: probability 10 % over 100,000 calls, twice with the same
 * seed and once with another. Expect about 10 % failures (within 1 %),
 * the same sequence for the same seed, a different one otherwise. */
static void probability_and_seed(struct ktest *t)
{
	struct fault_attr a = attr_from("1,10,0,-1");
	struct fault_attr b = attr_from("1,10,0,-1");
	struct fault_attr c = attr_from("1,10,0,-1");
	unsigned long same = 0, n = 100000;

	fault_attr_seed(&c, 2);
	for (unsigned long i = 0; i < n; i++) {
		bool fa = fault_should_fail(&a, 1);

		same += fa == fault_should_fail(&b, 1);
		(void)fault_should_fail(&c, 1);
	}
	KTEST_EXPECT_EQ(t, same, n);
	KTEST_EXPECT_EQ(t, a.injected, b.injected);
	KTEST_EXPECT_NE(t, a.injected, c.injected);
	KTEST_EXPECT_GE(t, a.injected, 9000);
	KTEST_EXPECT_LE(t, a.injected, 11000);
}

/* Scenario: mm/fail_alloc.c's filters with probability 100. Expect
 * nothing failed until armed; min_order and ignore_gfp_wait spare what
 * they name and fail the rest; sizes are 2^order pages and the object
 * size in bytes. */
static void alloc_filters(struct ktest *t)
{
	/* Parsing seeds the PRNG: an unseeded attr must not hang. */
	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,0,-1", NULL), 0);
	KTEST_ASSERT_EQ(t, fault_attr_parse(&failslab, "1,100,0,-1", NULL), 0);
	KTEST_EXPECT(t, !should_fail_alloc_page(GFP_KERNEL, 0));
	KTEST_EXPECT(t, !should_failslab(64, GFP_KERNEL));
	fail_alloc_arm(true);
	KTEST_EXPECT_EQ(t, fail_alloc_armed, FAIL_ALLOC_PAGE | FAIL_ALLOC_SLAB);
	KTEST_EXPECT(t, should_fail_alloc_page(GFP_KERNEL, 0));
	KTEST_EXPECT(t, should_failslab(64, GFP_KERNEL));
	fail_alloc_filters.page_min_order = 2;
	fail_alloc_filters.page_ignore_gfp_wait = true;
	fail_alloc_filters.slab_ignore_gfp_wait = true;
	KTEST_EXPECT(t, !should_fail_alloc_page(GFP_ATOMIC, 1));
	KTEST_EXPECT(t, should_fail_alloc_page(GFP_ATOMIC, 2));
	KTEST_EXPECT(t, !should_fail_alloc_page(GFP_KERNEL, 3));
	KTEST_EXPECT(t, !should_failslab(64, GFP_KERNEL));
	KTEST_EXPECT(t, should_failslab(64, GFP_ATOMIC));
	/* space 8 pages: an order-2 call (4 pages) is let through. */
	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,8,-1", NULL), 0);
	KTEST_EXPECT(t, !should_fail_alloc_page(GFP_ATOMIC, 2));
	KTEST_EXPECT_EQ(t, fail_page_alloc.space, 4);
	fail_alloc_arm(false);
	KTEST_EXPECT_EQ(t, fail_alloc_armed, 0);
	KTEST_EXPECT(t, !should_failslab(64, GFP_ATOMIC));
	fail_alloc_filters = (struct fail_alloc_filters){ 0 };
}

/* Scenario: both attributes armed, then held (a self-test whose subject
 * is not an allocator), then restored. Expect nothing failed while
 * held, the armed bits returned by the hold, and failures again after
 * the restore. */
static void hold_and_restore(struct ktest *t)
{
	unsigned int armed;

	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,0,-1", NULL), 0);
	KTEST_ASSERT_EQ(t, fault_attr_parse(&failslab, "1,100,0,-1", NULL), 0);
	fail_alloc_arm(true);
	armed = fail_alloc_hold();
	KTEST_EXPECT_EQ(t, armed, FAIL_ALLOC_PAGE | FAIL_ALLOC_SLAB);
	KTEST_EXPECT_EQ(t, fail_alloc_armed, 0);
	KTEST_EXPECT(t, !should_fail_alloc_page(GFP_KERNEL, 0));
	KTEST_EXPECT(t, !should_failslab(64, GFP_KERNEL));
	fail_alloc_restore(armed);
	KTEST_EXPECT(t, should_fail_alloc_page(GFP_KERNEL, 0));
	KTEST_EXPECT(t, should_failslab(64, GFP_KERNEL));
	fail_alloc_arm(false);
}

static const struct ktest_case fault_inject_cases[] = {
	KTEST_CASE(parse_valid),
	KTEST_CASE(parse_errors),
	KTEST_CASE(probability_zero),
	KTEST_CASE(interval_exact),
	KTEST_CASE(times_limit),
	KTEST_CASE(space_budget),
	KTEST_CASE(field_order),
	KTEST_CASE(probability_and_seed),
	KTEST_CASE(alloc_filters),
	KTEST_CASE(hold_and_restore),
	KTEST_END,
};
static const struct ktest_suite fault_inject_suite = { "fault_inject",
						       fault_inject_cases, NULL,
						       NULL };

KTEST_HOST_MAIN(&fault_inject_suite)
