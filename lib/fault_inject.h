/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault injection, with the syntax and meaning of Linux's
 * (Documentation/fault-injection/fault-injection.rst, lib/fault-inject.c).
 *
 * A fault_attr decides, call by call, whether an operation that could
 * fail should be made to fail. It is configured by one string,
 *
 *   <interval>,<probability>,<space>,<times>
 *
 * and fault_should_fail(attr, size) applies the fields in Linux's order:
 *
 *   1. probability 0: never fail (and nothing is counted);
 *   2. times 0: the failure budget is used up, never fail again;
 *   3. space > size: let the call through and take size from space
 *      (a budget of units, bytes or pages as the caller decides, that
 *      is consumed before any failure may happen);
 *   4. interval > 1: count the call; fail only when the count is a
 *      multiple of interval (0 and 1 mean every call is a candidate);
 *   5. fail with probability percent (a uniform draw in [0, 100) from
 *      the attr's own seeded PRNG, lib/rand.h);
 *   6. on failure, times is decremented unless it is -1 (no limit).
 *
 * The PRNG is deterministic: the same seed and the same sequence of
 * calls give the same failures. Each attr has a lock (a leaf: nothing is
 * taken under it), so any hart may call fault_should_fail() at any time;
 * with several harts the sequence depends on their interleaving.
 *
 * The callers (mm/fail_alloc.c) test a read-mostly flag first and call
 * in here only when injection is armed.
 */
#ifndef LIB_FAULT_INJECT_H
#define LIB_FAULT_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/rand.h"
#include "lib/spinlock.h"

struct fault_attr {
	const char *name; /* printed: "fail_page_alloc", "failslab" */
	bool configured; /* a valid string was given */
	/* The four fields; space and times change as calls consume them. */
	unsigned long interval;
	unsigned long probability; /* percent, 0..100 */
	unsigned long space; /* units let through before failures start */
	long times; /* failures left; -1: no limit */
	/* State and counters; lock. */
	unsigned long count; /* candidates seen (the interval counter) */
	unsigned long calls; /* calls with probability > 0 */
	unsigned long injected; /* failures returned */
	struct rand_state rng;
	spinlock_t lock;
};

#define FAULT_ATTR_INIT(n)                                                     \
	{                                                                      \
		.name = (n), .configured = false, .interval = 1,               \
		.probability = 0, .space = 0, .times = -1,                     \
		.lock = SPINLOCK_INIT(n)                                       \
	}

/*
 * Parse "<interval>,<probability>,<space>,<times>" (decimal; times may
 * be -1) into a, reset its counters, seed its PRNG with
 * FAULT_ATTR_DEFAULT_SEED, and mark it configured. On error a
 * is unchanged, *why (if why is non-NULL) names the problem, and the
 * return is -EINVAL:
 *   "expected <interval>,<probability>,<space>,<times>" (not four
 *   comma-separated numbers, or a field that is not a number or
 *   overflows), "probability above 100", "space is negative",
 *   "times below -1".
 */
int fault_attr_parse(struct fault_attr *a, const char *s, const char **why);

/* The seed fault_attr_parse() gives the PRNG until fault_attr_seed(). */
#define FAULT_ATTR_DEFAULT_SEED 1

/* Seed a's PRNG (lib/rand.h); the same seed repeats the same draws. */
void fault_attr_seed(struct fault_attr *a, uint64_t seed);

/*
 * Decide one call of the given size (see the top of this file). True:
 * the caller must fail the operation. Counts the call and the failure.
 */
bool fault_should_fail(struct fault_attr *a, unsigned long size);

/* Counters, read under the lock. */
struct fault_attr_stats {
	unsigned long calls, injected;
};
void fault_attr_stats(struct fault_attr *a, struct fault_attr_stats *st);

#endif /* LIB_FAULT_INJECT_H */
