/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Spinlocks: a fair ticket lock with always-on debug checks, written in
 * GCC's C11-style __atomic builtins so that the same code is the target's
 * lock (RISC-V A extension: amoadd.w, lr/sc) and the host tests' lock
 * (x86-64 or any host, checked by ThreadSanitizer).
 *
 *   next  : the ticket the next locker takes (fetch-and-add)
 *   owner : the ticket being served; the lock is free when owner == next
 *
 * A locker takes ticket t = next++ and spins until owner == t, so harts
 * get the lock in the order they asked for it (no starvation). Unlock is
 * owner++ with release ordering; lock acquires with acquire ordering, so
 * everything written in a critical section is visible to the next
 * holder.
 *
 * Debug checks (always on; each prints one line)
 *   BUG: spinlock <name>: recursion on hart <id>            -> panic
 *       (the hart already holds it: it would spin forever)
 *   BUG: spinlock <name>: unlock of a lock not held on hart <id>
 *   BUG: spinlock <name>: unlock of a lock held by hart <h> on hart <id>
 *       (both refused: the lock is left as it was)
 *   BUG: spinlock <name>: held too long by hart <h> on hart <id>
 *       (a waiter spun SPIN_BOUND times; reported once per lock, and
 *       the waiter keeps waiting; "by an unrecorded holder" when no
 *       holder is recorded)
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdint.h>

#include "lib/cpu.h"
#include "lib/kernel.h"

/* Spins before a waiter reports the holder as stuck (once per lock). */
#define SPIN_BOUND (1UL << 27)
/* A waiter yields (cpu_yield) once every this many spins. */
#define SPIN_YIELD_EVERY 256
#define SPIN_NO_HOLDER (~0UL)

typedef struct spinlock {
	uint32_t next; /* ticket for the next locker */
	uint32_t owner; /* ticket now served */
	unsigned long holder; /* hart id of the holder, SPIN_NO_HOLDER */
	const char *name;
	uint32_t reported; /* "held too long" printed already */
} spinlock_t;

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.next = 0, .owner = 0, .holder = SPIN_NO_HOLDER, .name = (n),  \
		.reported = 0                                                  \
	}
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

/* Initialise (unlocked); name is kept, not copied, and printed in BUGs. */
void spin_lock_init(spinlock_t *l, const char *name);

/* Out-of-line halves of the inline functions below. */
void spin_lock_recursion(spinlock_t *l) __noreturn;
void spin_lock_wait(spinlock_t *l, uint32_t ticket);
void spin_unlock_bad(spinlock_t *l);

/*
 * spin_lock() in two halves, for fast paths that must make no call (on
 * RISC-V a call that returns costs the caller a stack frame and its
 * saved registers on every run, not only when the call is made):
 * spin_lock_begin() checks for recursion and takes a ticket, and
 * returns true when the lock is now held. When it returns false the
 * caller must, out of its fast path, call spin_lock_finish() with the
 * ticket, which waits its turn and then holds the lock.
 */
static inline bool spin_lock_begin(spinlock_t *l, uint32_t *ticket)
{
	unsigned long me = cpu_hartid();

	if (unlikely(__atomic_load_n(&l->holder, __ATOMIC_RELAXED) == me))
		spin_lock_recursion(l);
	*ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != *ticket))
		return false;
	__atomic_store_n(&l->holder, me, __ATOMIC_RELAXED);
	return true;
}

void spin_lock_finish(spinlock_t *l, uint32_t ticket);

/*
 * Take the lock, spinning in ticket order (lib/spinlock.c argues the
 * memory ordering). Inline: an uncontended lock is a load, a fetch-add,
 * a load-acquire and a store; waiting is out of line.
 */
static inline void spin_lock(spinlock_t *l)
{
	uint32_t ticket;

	if (unlikely(!spin_lock_begin(l, &ticket)))
		spin_lock_finish(l, ticket);
}

/* Take it only if free right now; returns true when taken. */
bool spin_trylock(spinlock_t *l);

/*
 * spin_unlock() for fast paths (see spin_lock_begin): release the lock
 * and return true when this hart holds it; otherwise change nothing and
 * return false, and the caller calls spin_unlock() out of its fast path
 * for the BUG line.
 */
static inline bool spin_unlock_if_held(spinlock_t *l)
{
	if (unlikely(__atomic_load_n(&l->holder, __ATOMIC_RELAXED) !=
		     cpu_hartid()))
		return false;
	__atomic_store_n(&l->holder, SPIN_NO_HOLDER, __ATOMIC_RELAXED);
	/* Only the holder writes owner: a relaxed read of it is exact. */
	__atomic_store_n(&l->owner,
			 __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
	return true;
}

/* Release it (refused, with a BUG line, unless this hart holds it). */
static inline void spin_unlock(spinlock_t *l)
{
	if (unlikely(!spin_unlock_if_held(l)))
		spin_unlock_bad(l);
}

/* The same with interrupts off on this hart while the lock is held. */
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = cpu_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	cpu_irq_restore(flags);
}

static inline bool spin_trylock_irqsave(spinlock_t *l, unsigned long *flags)
{
	*flags = cpu_irq_save();
	if (spin_trylock(l))
		return true;
	cpu_irq_restore(*flags);
	return false;
}

/* True when some hart holds l (a snapshot). */
bool spin_is_locked(const spinlock_t *l);
/* True when the calling hart holds l: for ASSERTs of lock rules. */
bool spin_is_held(const spinlock_t *l);

/* Debug-check failures reported since boot (tests compare it). */
unsigned long spin_bug_count(void);

#endif /* LIB_SPINLOCK_H */
