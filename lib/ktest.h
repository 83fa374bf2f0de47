/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ktest: a small unit-test framework that prints KTAP version 1, the
 * Linux kernel's test output format. The same code runs the in-kernel
 * self-tests (selftest=...) and the host unit tests, so both print:
 *
 *   KTAP version 1
 *   1..2                          <- number of suites
 *       KTAP version 1
 *       # Subtest: buddy
 *       1..3                      <- cases in this suite
 *       ok 1 split_25k
 *       not ok 2 coalesce
 *       # coalesce: mm/tests/x.c:42: expected a == b (0x1 vs 0x2)
 *       ok 3 zeroed # SKIP needs 4 GiB
 *   ok 1 buddy                    <- suite result
 *   ...
 *   7 passed, 1 failed            <- plain summary line (cases)
 *
 * A case fails when any KTEST_EXPECT* inside it fails; KTEST_ASSERT*
 * also returns from the case at once. Skipped cases count as neither.
 * Each case should begin with a comment: its scenario and "Expect ...".
 */
#ifndef LIB_KTEST_H
#define LIB_KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kernel.h"

struct ktest {
	const char *name; /* current case */
	int failures; /* EXPECT failures in this case */
	bool skipped;
	const char *skip_reason;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases; /* terminated by { NULL, NULL } */
	int (*init)(void); /* optional; non-zero skips the suite */
	void (*exit)(void); /* optional */
};

struct ktest_totals {
	unsigned int passed, failed, skipped;
};

#define KTEST_CASE(fn)                                                         \
	{                                                                      \
#fn, fn                                                        \
	}
#define KTEST_END                                                              \
	{                                                                      \
		NULL, NULL                                                     \
	}

/* Record a failure with a formatted diagnostic (printed as "# ..."). */
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...) __printf(4, 5);
/* Mark the current case skipped (call, then return). */
void ktest_skip(struct ktest *t, const char *reason);
/* Print a diagnostic line "# ..." inside the current case. */
void ktest_info(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KTEST_EXPECT(t, cond)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			ktest_fail(t, __FILE__, __LINE__, "expected %s",       \
				   #cond);                                     \
	} while (0)

#define KTEST_EXPECT_OP(t, a, op, b)                                           \
	({                                                                     \
		unsigned long long _ka = (unsigned long long)(a);              \
		unsigned long long _kb = (unsigned long long)(b);              \
		bool _ok = _ka op _kb;                                         \
		if (!_ok)                                                      \
			ktest_fail(t, __FILE__, __LINE__,                      \
				   "expected %s %s %s (0x%llx vs 0x%llx)", #a, \
				   #op, #b, _ka, _kb);                         \
		_ok;                                                           \
	})

#define KTEST_EXPECT_EQ(t, a, b) ((void)KTEST_EXPECT_OP(t, a, ==, b))
#define KTEST_EXPECT_NE(t, a, b) ((void)KTEST_EXPECT_OP(t, a, !=, b))
#define KTEST_EXPECT_LE(t, a, b) ((void)KTEST_EXPECT_OP(t, a, <=, b))
#define KTEST_EXPECT_LT(t, a, b) ((void)KTEST_EXPECT_OP(t, a, <, b))
#define KTEST_EXPECT_GE(t, a, b) ((void)KTEST_EXPECT_OP(t, a, >=, b))
#define KTEST_EXPECT_GT(t, a, b) ((void)KTEST_EXPECT_OP(t, a, >, b))
#define KTEST_EXPECT_STREQ(t, a, b)                                            \
	do {                                                                   \
		const char *_sa = (a), *_sb = (b);                             \
		if (!ktest_streq(_sa, _sb))                                    \
			ktest_fail(t, __FILE__, __LINE__,                      \
				   "expected %s == %s (\"%s\" vs \"%s\")", #a, \
				   #b, _sa ? _sa : "(null)",                   \
				   _sb ? _sb : "(null)");                      \
	} while (0)

/* Fail and leave the case at once. */
#define KTEST_ASSERT(t, cond)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s",      \
				   #cond);                                     \
			return;                                                \
		}                                                              \
	} while (0)
#define KTEST_ASSERT_OP(t, a, op, b)                                           \
	do {                                                                   \
		if (!KTEST_EXPECT_OP(t, a, op, b))                             \
			return;                                                \
	} while (0)
#define KTEST_ASSERT_EQ(t, a, b) KTEST_ASSERT_OP(t, a, ==, b)

/*
 * Fail and jump to label at once: the case's cleanup, for a case that
 * holds memory when the check fails (under fault injection any
 * allocation may fail, and a case must not leak when it does).
 */
#define KTEST_ASSERT_GOTO(t, cond, label)                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s",      \
				   #cond);                                     \
			goto label;                                            \
		}                                                              \
	} while (0)
#define KTEST_ASSERT_EQ_GOTO(t, a, b, label)                                   \
	do {                                                                   \
		if (!KTEST_EXPECT_OP(t, a, ==, b))                             \
			goto label;                                            \
	} while (0)
#define KTEST_ASSERT_NOT_NULL(t, p) KTEST_ASSERT(t, (p) != NULL)

bool ktest_streq(const char *a, const char *b);

/*
 * Optional hooks around every suite ktest_run() runs: before() ahead of
 * the suite's init, after() once its exit has run (skipped suites too).
 * after() returns the number of problems it found (and printed); a
 * non-zero count marks the suite "not ok" and counts one failed case.
 * The self-test runner uses them to check that each suite gives back
 * every page and object it took (kernel/selftest.c). NULL removes them.
 */
struct ktest_suite_hooks {
	void (*before)(const struct ktest_suite *s);
	unsigned int (*after)(const struct ktest_suite *s);
};
void ktest_set_suite_hooks(const struct ktest_suite_hooks *hooks);

/*
 * Run suites in order and print the full KTAP document followed by the
 * "N passed, N failed" line. `only` selects suites by comma-separated
 * name ("all" or NULL runs every suite); unknown names in `only` are
 * reported as a failed, empty suite. Returns 0 when nothing failed.
 */
int ktest_run(const struct ktest_suite *const *suites, size_t nsuites,
	      const char *only, struct ktest_totals *totals);

/* True if `name` appears in the comma-separated list (or list is "all"). */
bool ktest_selected(const char *list, const char *name);

#endif /* LIB_KTEST_H */
