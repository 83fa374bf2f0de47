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
 *  - trylock: a compare-and-swap of next from the owner value it read,
 *    acquire on success. It succeeds only when next == owner, i.e. the
 *    lock was free and nobody waits, so it never jumps the queue.
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

void spin_lock(spinlock_t *l)
{
	unsigned long me = cpu_hartid();
	unsigned long spins = 0;
	uint32_t ticket;

	if (unlikely(holder_of(l) == me)) {
		spin_report(l, "recursion", SPIN_NO_HOLDER);
		panic("spin_lock: recursive lock of %s on hart %lu",
		      l->name ? l->name : "?", me);
	}
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		cpu_relax();
		if (unlikely(++spins == SPIN_BOUND) &&
		    !__atomic_exchange_n(&l->reported, 1, __ATOMIC_RELAXED))
			spin_report(l, "held too long by hart", holder_of(l));
	}
	__atomic_store_n(&l->holder, me, __ATOMIC_RELAXED);
}

bool spin_trylock(spinlock_t *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expect = owner;

	if (!__atomic_compare_exchange_n(&l->next, &expect, owner + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&l->holder, cpu_hartid(), __ATOMIC_RELAXED);
	return true;
}

void spin_unlock(spinlock_t *l)
{
	unsigned long me = cpu_hartid();
	unsigned long h = holder_of(l);

	if (unlikely(h != me)) {
		if (h == SPIN_NO_HOLDER)
			spin_report(l, "unlock of a lock not held",
				    SPIN_NO_HOLDER);
		else
			spin_report(l, "unlock of a lock held by hart", h);
		return;
	}
	__atomic_store_n(&l->holder, SPIN_NO_HOLDER, __ATOMIC_RELAXED);
	/* Only the holder writes owner: a plain read of it is exact. */
	__atomic_store_n(&l->owner,
			 __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
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
