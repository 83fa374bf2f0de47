/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Spinlocks: a fair ticket lock with always-on debug checks, written in
 * GCC's C11-style __atomic builtins so that the same code is the target's
 * lock (RISC-V A extension: amoadd.d.aq to lock, amoadd.w.rl to unlock)
 * and the host tests' lock (x86-64 or any host, checked by
 * ThreadSanitizer).
 *
 *   word  63           32 31            0
 *        +---------------+---------------+
 *        |     next      |     owner     |    holder: cpu_self() of the
 *        +---------------+---------------+            holder, 0 when free
 *
 *   next  : the ticket the next locker takes
 *   owner : the ticket being served; the lock is free when owner == next
 *
 * A locker takes ticket t with one fetch-and-add of 1 << 32 on the whole
 * doubleword (acquire), which also returns the owner at that instant:
 * when owner == t the lock is held at once, otherwise the locker spins
 * until owner == t, so harts get the lock in the order they asked for
 * it (no starvation). Unlock is one fetch-and-add of 1 on the owner word
 * alone, with release ordering (only the holder writes owner). Each
 * half is the whole of what its own atomic adds to (next the top of the
 * doubleword, owner a word of its own), so a carry out of either falls
 * off and both wrap at 2^32 independently (NR_CPUS is far below). This
 * is Linux's RISC-V ticket lock with halves of 32 bits instead of 16:
 * 16-bit halves would need a halfword store to release (RISC-V has no
 * halfword AMO, and an add of 1 to a 32-bit word would carry from owner
 * into next), a load, an add, a fence and the store, where this is one
 * AMO. The holder is one plain store after the acquire and one before
 * the release; it feeds the checks below, spin_is_held() and the
 * reports. It is cpu_self() (lib/cpu.h), which on the target is tp
 * itself, not the hart id a load through tp would give: the lock stores
 * tp, the unlock compares with tp and stores zero.
 *
 * Uncontended, spin_lock() + spin_unlock() are 7 + 5 instructions on
 * RISC-V (li, slli, amoadd.d.aq, srai, sext.w, bne, sd tp; ld, bne,
 * sd zero, li, amoadd.w.rl).
 * Interrupts and the cross-hart requests a waiter must serve: see
 * spin_lock_irqsave() and lib/spinlock.c's wait loop.
 *
 * Debug checks (always on; each prints one line)
 *   BUG: spinlock <name>: recursion on hart <id>            -> panic
 *       (the hart already holds it: it would spin forever. Checked
 *       when the ticket is not served at once, which a recursion never
 *       is: holder is this hart's cpu_self() exactly when this hart
 *       holds the lock. The ticket it took is handed back if nobody
 *       queued behind it, so the lock stays held once)
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

/*
 * Spins before a waiter reports the holder as stuck (once per lock). The
 * host tests read it from a variable, so that the test of the report
 * can lower it: on a loaded 2-CPU host, 2^27 spins that yield every
 * SPIN_YIELD_EVERY can take minutes.
 */
#ifdef HOST_TEST
extern unsigned long spin_bound;
#define SPIN_BOUND spin_bound
#else
#define SPIN_BOUND (1UL << 27)
#endif
/* A waiter yields (cpu_yield) once every this many spins. */
#define SPIN_YIELD_EVERY 256
/* holder of a lock nobody holds (cpu_self() is never 0). */
#define SPIN_NO_HOLDER 0UL
/* What a locker adds to the word: one ticket, in its upper half. */
#define SPIN_TICKET_ONE (1ULL << 32)

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "spinlock_t: owner must be the low half of word (little-endian)"
#endif

typedef struct spinlock {
	union {
		uint64_t word; /* owner | next << 32: what a locker adds to */
		struct {
			uint32_t owner; /* ticket now served (holder adds 1) */
			uint32_t next; /* ticket for the next locker */
		} half;
	};
	unsigned long holder; /* cpu_self() of the holder, SPIN_NO_HOLDER */
	const char *name;
	uint32_t reported; /* "held too long" printed already */
} spinlock_t;

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.word = 0, .holder = SPIN_NO_HOLDER, .name = (n),              \
		.reported = 0                                                  \
	}
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

/*
 * holder is read by other harts (reports, spin_is_held) while its own
 * hart writes it: a relaxed atomic. GCC 12 compiles a relaxed
 * __atomic_store_n on RISC-V to an amoswap (an address computation and
 * a read-modify-write), so the target uses a volatile store, one plain
 * sd, single-copy atomic for an aligned doubleword (RVWMO), as Linux's
 * WRITE_ONCE; the host keeps the C11 atomic, which ThreadSanitizer
 * understands (mm/buddy_internal.h does the same for its words).
 */
static inline void spin_set_holder(spinlock_t *l, unsigned long self)
{
#ifdef HOST_TEST
	__atomic_store_n(&l->holder, self, __ATOMIC_RELAXED);
#else
	*(volatile unsigned long *)&l->holder = self;
#endif
}

static inline unsigned long spin_holder(const spinlock_t *l)
{
	return __atomic_load_n(&l->holder, __ATOMIC_RELAXED);
}

/* Initialise (unlocked); name is kept, not copied, and printed in BUGs. */
void spin_lock_init(spinlock_t *l, const char *name);

/* Out-of-line half of the inline unlock below: the BUG line. */
void spin_unlock_bad(spinlock_t *l);

/*
 * spin_lock() in two halves, for fast paths that must make no call (on
 * RISC-V a call that returns costs the caller a stack frame and its
 * saved registers on every run, not only when the call is made):
 * spin_lock_begin() takes a ticket and returns true when it was served
 * at once: the lock is now held. When it returns false the caller
 * must, out of its fast path, call spin_lock_finish() with the ticket,
 * which checks for recursion, waits its turn and then holds the lock.
 */
static inline bool spin_lock_begin(spinlock_t *l, uint32_t *ticket)
{
	/* Acquire: pairs with the release add to owner by the unlock. */
	uint64_t old =
		__atomic_fetch_add(&l->word, SPIN_TICKET_ONE, __ATOMIC_ACQUIRE);

	*ticket = (uint32_t)(old >> 32);
	if (unlikely((uint32_t)(old >> 32) != (uint32_t)old))
		return false;
	spin_set_holder(l, cpu_self());
	return true;
}

void spin_lock_finish(spinlock_t *l, uint32_t ticket);

/*
 * Take the lock, spinning in ticket order (lib/spinlock.c argues the
 * memory ordering). Inline: an uncontended lock is one fetch-add, the
 * compare of its halves and the store of holder; waiting is out of
 * line.
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
	if (unlikely(spin_holder(l) != cpu_self()))
		return false;
	spin_set_holder(l, SPIN_NO_HOLDER);
	/*
	 * Release: orders the section's accesses and the holder store
	 * before the next holder's acquire sees its ticket served. Only
	 * the holder writes owner, and the add touches owner's word
	 * alone: next, which lockers add to meanwhile, is not written.
	 */
	cpu_add_release_u32(&l->half.owner, 1);
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
/*
 * True when the calling hart holds l: for ASSERTs of lock rules. Inline:
 * one load and a compare (a hart's own reads of holder are exact).
 */
static inline bool spin_is_held(const spinlock_t *l)
{
	return spin_holder(l) == cpu_self();
}

/* Debug-check failures reported since boot (tests compare it). */
unsigned long spin_bug_count(void);

#endif /* LIB_SPINLOCK_H */
