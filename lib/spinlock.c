// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ticket spinlocks with always-on debug checks (see lib/spinlock.h for
 * the design and the exact BUG lines).
 *
 * Memory ordering, per atomic:
 *  - word: the locker's fetch-add of one ticket, acquire. When the
 *    owner half it returns is its ticket, that read is of the release
 *    add to owner by the last unlock (or of the initial value), so the
 *    critical section cannot start before the previous one's writes are
 *    visible. Wrapping: each half counts modulo 2^32; a carry out of
 *    next leaves the doubleword, one out of owner leaves its word.
 *  - owner (the word's low 32 bits): loaded with acquire while waiting,
 *    for the same reason; added to with release (amoadd.w.rl on
 *    RISC-V, cpu_add_release_u32) by the holder alone. The lock's
 *    doubleword AMO and the unlock's word AMO are of different sizes at
 *    the same address: RVWMO orders mixed-size accesses as any others
 *    (and an .rl AMO followed by an .aq AMO is ordered, both being
 *    RCsc), and ThreadSanitizer keys synchronisation by address.
 *  - holder, reported: relaxed atomics. They only feed the debug checks
 *    and reports; holder is written by the holder alone (after acquire,
 *    before release), and a stale read by a waiter can at worst name the
 *    previous holder in a "held too long" line. A hart's own reads of
 *    holder are exact (coherence): holder == its cpu_self() exactly
 *    while it holds the lock, which is what the recursion and unlock
 *    checks rely on. A report turns holder into a hart id with
 *    cpu_self_hartid().
 *  - trylock: loads the word, and when owner == next compare-and-swaps
 *    it to next + 1 with acquire. The CAS reads owner too, so it
 *    succeeds only when the lock was free and nobody waits (it never
 *    jumps the queue), and its acquire pairs with the last unlock's
 *    release add to owner.
 *  - recursion: the extra ticket is taken back with a CAS of the word
 *    only when it is still the last one (nobody queued behind it);
 *    either way the hart then panics.
 */
#include "lib/spinlock.h"

#include "lib/assert.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"

/* Every hart may queue at once: tickets must not wrap among waiters. */
STATIC_ASSERT(NR_CPUS < (1UL << 32));

static unsigned long spin_bugs;
#ifdef HOST_TEST
unsigned long spin_bound = 1UL << 27; /* SPIN_BOUND (lib/spinlock.h) */
#endif

/* other: the holder involved (a cpu_self() value), or SPIN_NO_HOLDER. */
static void spin_report(const spinlock_t *l, const char *what,
			unsigned long other)
{
	char line[160];
	int n;

	__atomic_fetch_add(&spin_bugs, 1, __ATOMIC_RELAXED);
	if (other != SPIN_NO_HOLDER)
		n = fmt_snprintf(line, sizeof(line),
				 "BUG: spinlock %s: %s %lu on hart %lu\n",
				 l->name ? l->name : "?", what,
				 cpu_self_hartid(other), cpu_hartid());
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
	l->word = 0;
	l->reported = 0;
	l->holder = SPIN_NO_HOLDER;
	l->name = name;
}

/*
 * holder may read SPIN_NO_HOLDER although the lock is held (a holder
 * between its acquire and its store of holder, or a lock re-initialised
 * under its waiters): say so instead of printing an empty hart id.
 */
static void __attribute__((noinline)) report_held_too_long(const spinlock_t *l)
{
	unsigned long h = spin_holder(l);

	if (h == SPIN_NO_HOLDER)
		spin_report(l, "held too long by an unrecorded holder",
			    SPIN_NO_HOLDER);
	else
		spin_report(l, "held too long by hart", h);
}

/*
 * This hart took ticket while already holding l. Give the ticket back
 * if it is still the last one taken (so the lock stays held once, as
 * before the call), report and panic.
 */
static void __noreturn spin_lock_recursion(spinlock_t *l, uint32_t ticket)
{
	uint64_t word = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	while ((uint32_t)(word >> 32) == (uint32_t)(ticket + 1) &&
	       !__atomic_compare_exchange_n(&l->word, &word,
					    word - SPIN_TICKET_ONE, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	spin_report(l, "recursion", SPIN_NO_HOLDER);
	panic("spin_lock: recursive lock of %s on hart %lu",
	      l->name ? l->name : "?", cpu_hartid());
}

static void spin_lock_wait(spinlock_t *l, uint32_t ticket)
{
	unsigned long spins = 0;

	while (__atomic_load_n(&l->half.owner, __ATOMIC_ACQUIRE) != ticket) {
		/*
		 * Spin briefly, then yield: with more harts than real CPUs
		 * (QEMU on a small host) the hart holding the next ticket
		 * may be waiting to run, and everyone behind it with it.
		 * cpu_yield() also serves requests from other harts (TLB
		 * shootdowns, per-hart cache calls, stop), whose senders
		 * may hold what we wait for.
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
	unsigned long me = cpu_self();

	if (unlikely(spin_holder(l) == me))
		spin_lock_recursion(l, ticket);
	spin_lock_wait(l, ticket);
	spin_set_holder(l, me);
}

bool spin_trylock(spinlock_t *l)
{
	uint64_t word = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if ((uint32_t)(word >> 32) != (uint32_t)word)
		return false;
	if (!__atomic_compare_exchange_n(&l->word, &word,
					 word + SPIN_TICKET_ONE, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	spin_set_holder(l, cpu_self());
	return true;
}

void spin_unlock_bad(spinlock_t *l)
{
	unsigned long h = spin_holder(l);

	if (h == SPIN_NO_HOLDER)
		spin_report(l, "unlock of a lock not held", SPIN_NO_HOLDER);
	else
		spin_report(l, "unlock of a lock held by hart", h);
}

bool spin_is_locked(const spinlock_t *l)
{
	uint64_t word = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	return (uint32_t)(word >> 32) != (uint32_t)word;
}
