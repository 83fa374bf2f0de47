// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ticket spinlocks with always-on debug checks (see lib/spinlock.h for
 * the design and the exact BUG lines).
 *
 * Memory ordering, per atomic:
 *  - next: fetch-add, relaxed. A ticket number orders nothing by itself;
 *    the acquire is the load of owner that sees our ticket.
 *  - owner: loaded with acquire while waiting, so the critical section
 *    cannot start before the previous holder's release store; stored
 *    with release in unlock, so the section's writes are visible to the
 *    next holder before it sees its ticket.
 *  - holder, reported: relaxed atomics. They only feed the debug checks
 *    and reports; holder is written by the holder alone (after acquire,
 *    before release), and a stale read by a waiter can at worst name the
 *    previous holder in a "held too long" line.
 *  - trylock: loads owner with acquire, then compare-and-swaps next from
 *    that value. The acquire pairs with the release store of owner by
 *    the last unlock, exactly as a waiter's load does: next is only ever
 *    changed by relaxed fetch-adds, so the CAS's own acquire alone would
 *    order nothing after the previous critical section. It succeeds only
 *    when next == owner, i.e. the lock was free and nobody waits, so it
 *    never jumps the queue.
 */
#include "lib/spinlock.h"

#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"

static unsigned long spin_bugs;

static void spin_report(const spinlock_t *l, const char *what,
			unsigned long other)
{
	char line[160];
	int n;

	__atomic_fetch_add(&spin_bugs, 1, __ATOMIC_RELAXED);
	if (other != SPIN_NO_HOLDER)
		n = fmt_snprintf(line, sizeof(line),
				 "BUG: spinlock %s: %s %lu on hart %lu\n",
				 l->name ? l->name : "?", what, other,
				 cpu_hartid());
	else
		n = fmt_snprintf(line, sizeof(line),
				 "BUG: spinlock %s: %s on hart %lu\n",
				 l->name ? l->name : "?", what, cpu_hartid());
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	/* printk takes printk_lock: never from inside a check on it. */
	printk_emit(line, (size_t)n, l == &printk_lock);
}

unsigned long spin_bug_count(void)
{
	return __atomic_load_n(&spin_bugs, __ATOMIC_RELAXED);
}

void spin_lock_init(spinlock_t *l, const char *name)
{
	l->next = 0;
	l->owner = 0;
	l->holder = SPIN_NO_HOLDER;
	l->name = name;
	l->reported = 0;
}

static unsigned long holder_of(const spinlock_t *l)
{
	return __atomic_load_n(&l->holder, __ATOMIC_RELAXED);
}

/*
 * holder may read SPIN_NO_HOLDER although the lock is held (a holder
 * between its acquire and its store of holder, or a lock re-initialised
 * under its waiters): say so instead of printing an empty hart id.
 */
static void __attribute__((noinline)) report_held_too_long(const spinlock_t *l)
{
	unsigned long h = holder_of(l);

	if (h == SPIN_NO_HOLDER)
		spin_report(l, "held too long by an unrecorded holder",
			    SPIN_NO_HOLDER);
	else
		spin_report(l, "held too long by hart", h);
}

void spin_lock_recursion(spinlock_t *l)
{
	spin_report(l, "recursion", SPIN_NO_HOLDER);
	panic("spin_lock: recursive lock of %s on hart %lu",
	      l->name ? l->name : "?", cpu_hartid());
}

void spin_lock_wait(spinlock_t *l, uint32_t ticket)
{
	unsigned long spins = 0;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		/*
		 * Spin briefly, then yield: with more harts than real CPUs
		 * (QEMU on a small host) the hart holding the next ticket
		 * may be waiting to run, and everyone behind it with it.
		 */
		if ((++spins & (SPIN_YIELD_EVERY - 1)) == 0)
			cpu_yield();
		else
			cpu_relax();
		/* The holder may be a hart a panic stopped: stop too. */
		if ((spins & 0xfff) == 0 && panic_in_progress())
			panic_check_park();
		if (unlikely(spins == SPIN_BOUND) &&
		    !__atomic_exchange_n(&l->reported, 1, __ATOMIC_RELAXED))
			report_held_too_long(l);
	}
}

void spin_lock_finish(spinlock_t *l, uint32_t ticket)
{
	spin_lock_wait(l, ticket);
	__atomic_store_n(&l->holder, cpu_hartid(), __ATOMIC_RELAXED);
}

bool spin_trylock(spinlock_t *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint32_t expect = owner;

	if (!__atomic_compare_exchange_n(&l->next, &expect, owner + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&l->holder, cpu_hartid(), __ATOMIC_RELAXED);
	return true;
}

void spin_unlock_bad(spinlock_t *l)
{
	unsigned long h = holder_of(l);

	if (h == SPIN_NO_HOLDER)
		spin_report(l, "unlock of a lock not held", SPIN_NO_HOLDER);
	else
		spin_report(l, "unlock of a lock held by hart", h);
}

bool spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

bool spin_is_held(const spinlock_t *l)
{
	return holder_of(l) == cpu_hartid();
}
