// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fault injection decisions (see lib/fault_inject.h for the fields and
 * the order they are applied in, after Linux's should_fail_ex()).
 *
 * Invariants
 *   I1  probability <= 100; times >= -1.
 *   I2  injected <= calls; when times started at t >= 0, injected <= t.
 *
 * Locking: a->lock, a leaf, guards everything but name and configured
 * (written by fault_attr_parse() before injection is armed). Taken with
 * interrupts off, since the page allocator calls in with them on or off.
 */
#include "lib/fault_inject.h"

#include "lib/errno.h"

static const char *const bad_syntax =
	"expected <interval>,<probability>,<space>,<times>";

/*
 * One decimal field ending at ',' or the end of the string: *p is moved
 * past it (and its comma). A leading '-' is accepted and reported in
 * *neg. Returns false for an empty field, a non-digit or an overflow.
 */
static bool parse_field(const char **p, unsigned long *v, bool *neg, bool last)
{
	const char *s = *p;
	unsigned long n = 0;

	*neg = *s == '-';
	if (*neg)
		s++;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (n > (~0UL - d) / 10)
			return false;
		n = n * 10 + d;
	}
	if (last ? *s != '\0' : *s != ',')
		return false;
	*p = last ? s : s + 1;
	*v = n;
	return true;
}

int fault_attr_parse(struct fault_attr *a, const char *s, const char **why)
{
	unsigned long f[4];
	bool neg[4];
	const char *p = s;
	const char *err = NULL;
	unsigned long irq;

	for (int i = 0; i < 4 && !err; i++)
		if (!p || !parse_field(&p, &f[i], &neg[i], i == 3))
			err = bad_syntax;
	if (!err && (neg[0] || neg[1]))
		err = bad_syntax;
	if (!err && f[1] > 100)
		err = "probability above 100";
	if (!err && neg[2] && f[2] != 0)
		err = "space is negative";
	if (!err && (neg[3] && f[3] > 1))
		err = "times below -1";
	if (!err && !neg[3] && f[3] > (unsigned long)INT64_MAX)
		err = bad_syntax;
	if (err) {
		if (why)
			*why = err;
		return -EINVAL;
	}
	irq = spin_lock_irqsave(&a->lock);
	a->interval = f[0];
	a->probability = f[1];
	a->space = f[2];
	a->times = neg[3] ? -(long)f[3] : (long)f[3];
	a->count = 0;
	a->calls = 0;
	a->injected = 0;
	/* An all-zero xoshiro state draws 0 for ever: never leave it so. */
	rand_seed(&a->rng, FAULT_ATTR_DEFAULT_SEED);
	a->configured = true;
	spin_unlock_irqrestore(&a->lock, irq);
	return 0;
}

void fault_attr_seed(struct fault_attr *a, uint64_t seed)
{
	unsigned long irq = spin_lock_irqsave(&a->lock);

	rand_seed(&a->rng, seed);
	spin_unlock_irqrestore(&a->lock, irq);
}

bool fault_should_fail(struct fault_attr *a, unsigned long size)
{
	bool fail = false;
	unsigned long irq;

	if (__atomic_load_n(&a->probability, __ATOMIC_RELAXED) == 0)
		return false;
	irq = spin_lock_irqsave(&a->lock);
	a->calls++;
	if (a->times == 0)
		goto out;
	if (a->space > size) {
		a->space -= size;
		goto out;
	}
	if (a->interval > 1 && ++a->count % a->interval)
		goto out;
	if (a->probability <= rand_below(&a->rng, 100))
		goto out;
	if (a->times != -1)
		a->times--;
	a->injected++;
	fail = true;
out:
	spin_unlock_irqrestore(&a->lock, irq);
	return fail;
}

void fault_attr_stats(struct fault_attr *a, struct fault_attr_stats *st)
{
	unsigned long irq = spin_lock_irqsave(&a->lock);

	st->calls = a->calls;
	st->injected = a->injected;
	spin_unlock_irqrestore(&a->lock, irq);
}
