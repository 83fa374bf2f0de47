// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/spinlock.c. POSIX threads stand in for harts
 * (lib/tests/host_cpu.c gives each thread its own cpu_id() and hart id;
 * the main thread is hart 0). printk output is captured to check the
 * exact BUG lines of the debug checks.
 *
 * A ticket lock hands the lock to the waiter whose ticket is next, even
 * when the host scheduler has preempted that thread: every later waiter
 * then spins until it runs again, and with more runnable threads than
 * CPUs this collapses (measured on a 2-CPU host: 4 threads doing
 * 1,000,000 increments took over 120 s, 2 threads 0.07 s). Harts are
 * never preempted, so this is a property of the host, not of the lock:
 * the counter cases wait until the lock looks free before taking it
 * (polite_wait()), so a thread is queued only for the moment it takes
 * to get the lock. The FIFO case here needs real queues and has only a
 * handful of hand-overs.
 *
 * The counter cases (n threads adding under the lock, exact total) are
 * in mm/tests/test_smp_buddy.c, which is also built under
 * ThreadSanitizer, so TSan checks the lock's own memory ordering.
 *
 * The "held too long" case needs a waiter to spin SPIN_BOUND times. The
 * kernel's 2^27 took about 3.5 s on the idle 2-CPU development host,
 * but minutes under a loaded `make test` (the waiters yield every 256
 * spins), so the case lowers the host builds' bound (spin_bound) to
 * 2^20 for its run and puts it back.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/panic.h"
#include "lib/spinlock.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"

#define MAX_THREADS 8
#define FIFO_WAITERS 6

/* ------------------------------------------------------------ helpers */

/* Spin (yielding) until *p == want. */
static void wait_for(const int *p, int want)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want)
		sched_yield();
}

/* Tickets taken but not yet served: holders plus waiters. */
static uint32_t queued(const spinlock_t *l)
{
	uint64_t word = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	return (uint32_t)((word >> 32) - word);
}

static void wait_queued(const spinlock_t *l, uint32_t n)
{
	while (queued(l) != n)
		sched_yield();
}

static void start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	if (pthread_create(th, NULL, fn, arg)) {
		fprintf(stderr, "test_spinlock: pthread_create failed\n");
		abort();
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -------------------------------------------------------- trylock case */

static spinlock_t try_lock;
static int try_state; /* handshake: 1 holds/queued, 2 may release, 3 done */
static bool try_waiter_trylock_ok;

static void *try_holder(void *arg)
{
	spin_lock(&try_lock);
	__atomic_store_n(&try_state, 1, __ATOMIC_RELEASE);
	wait_for(&try_state, 2);
	spin_unlock(&try_lock);
	__atomic_store_n(&try_state, 3, __ATOMIC_RELEASE);
	return NULL;
}

/* Queues behind the main thread, holds, checks trylock on its own lock. */
static void *try_waiter(void *arg)
{
	spin_lock(&try_lock);
	__atomic_store_n(&try_state, 1, __ATOMIC_RELEASE);
	try_waiter_trylock_ok = spin_trylock(&try_lock);
	wait_for(&try_state, 2);
	spin_unlock(&try_lock);
	return NULL;
}

/*
 * Scenario: spin_trylock on a free lock, on a lock another thread holds,
 * on a lock the caller holds, and right after the main thread unlocks a
 * lock another thread is queued on. Expect true, false, false, false
 * (the queued waiter is served first: no queue jumping), true again
 * once the waiter has released it, and no BUG line.
 */
static void trylock_rules(struct ktest *t)
{
	unsigned long bugs = spin_bug_count();
	unsigned long flags;
	pthread_t th;

	spin_lock_init(&try_lock, "try_lock");
	KTEST_EXPECT(t, spin_trylock(&try_lock));
	KTEST_EXPECT(t, spin_is_held(&try_lock));
	KTEST_EXPECT(t, !spin_trylock(&try_lock)); /* own lock: no report */
	spin_unlock(&try_lock);
	KTEST_EXPECT(t, !spin_is_locked(&try_lock));

	/* Held by another thread. */
	try_state = 0;
	start(&th, try_holder, NULL);
	wait_for(&try_state, 1);
	KTEST_EXPECT(t, !spin_trylock(&try_lock));
	KTEST_EXPECT(t, !spin_trylock_irqsave(&try_lock, &flags));
	KTEST_EXPECT(t, !spin_is_held(&try_lock));
	__atomic_store_n(&try_state, 2, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	KTEST_EXPECT(t, spin_trylock_irqsave(&try_lock, &flags));

	/* The main thread holds it and a waiter queues behind. */
	try_state = 0;
	start(&th, try_waiter, NULL);
	wait_queued(&try_lock, 2);
	spin_unlock_irqrestore(&try_lock, flags);
	/* Now the waiter's ticket is served, whether it noticed or not. */
	KTEST_EXPECT(t, !spin_trylock(&try_lock));
	wait_for(&try_state, 1);
	KTEST_EXPECT(t, !spin_trylock(&try_lock));
	__atomic_store_n(&try_state, 2, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	KTEST_EXPECT(t, !try_waiter_trylock_ok);
	KTEST_EXPECT(t, spin_trylock(&try_lock));
	spin_unlock(&try_lock);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
}

/* ----------------------------------------------------------- FIFO case */

static spinlock_t fifo_lock;
static int fifo_order[FIFO_WAITERS];
static int fifo_n; /* under fifo_lock */

static void *fifo_waiter(void *arg)
{
	spin_lock(&fifo_lock);
	fifo_order[fifo_n++] = (int)(intptr_t)arg;
	spin_unlock(&fifo_lock);
	return NULL;
}

/*
 * Scenario: the main thread holds a lock; waiters 0..5 start one at a
 * time, each after the previous one has taken its ticket; the main
 * thread then unlocks. Expect the waiters to get the lock in the order
 * they queued, 0..5 (ticket order), whatever the scheduler does.
 */
static void fifo_ticket_order(struct ktest *t)
{
	pthread_t th[FIFO_WAITERS];

	spin_lock_init(&fifo_lock, "fifo_lock");
	fifo_n = 0;
	spin_lock(&fifo_lock);
	for (int i = 0; i < FIFO_WAITERS; i++) {
		start(&th[i], fifo_waiter, (void *)(intptr_t)i);
		wait_queued(&fifo_lock, (uint32_t)i + 2);
	}
	spin_unlock(&fifo_lock);
	for (int i = 0; i < FIFO_WAITERS; i++)
		pthread_join(th[i], NULL);
	KTEST_ASSERT_EQ(t, fifo_n, FIFO_WAITERS);
	for (int i = 0; i < FIFO_WAITERS; i++)
		KTEST_EXPECT_EQ(t, fifo_order[i], i);
}

/* --------------------------------------------------- ticket wraparound */

static spinlock_t wrap_lock;
static int wrap_state; /* 1 once the waiter has held the lock */

static void *wrap_waiter(void *arg)
{
	spin_lock(&wrap_lock);
	__atomic_store_n(&wrap_state, 1, __ATOMIC_RELEASE);
	spin_unlock(&wrap_lock);
	return NULL;
}

/*
 * Scenario: a lock whose tickets are about to wrap (owner = next =
 * 2^32 - 2, set through the word as 2^32 - 2 earlier lock/unlock pairs
 * would leave it) is taken and released four times, then taken while a
 * second thread queues across the wrap (its ticket is 0) and released.
 * Expect every lock to be held at once, the halves to wrap to 2 and 0
 * independently (no carry out of owner into next when the unlock adds
 * to owner's word, none out of next anywhere), trylock to refuse only
 * while held, the waiter to be served, and no BUG line.
 */
static void ticket_wraparound(struct ktest *t)
{
	const uint64_t top = 0xfffffffeULL << 32 | 0xfffffffeULL;
	unsigned long bugs = spin_bug_count();
	pthread_t th;

	spin_lock_init(&wrap_lock, "wrap_lock");
	wrap_lock.word = top;
	for (int i = 0; i < 4; i++) {
		spin_lock(&wrap_lock);
		KTEST_EXPECT(t, spin_is_held(&wrap_lock));
		KTEST_EXPECT(t, !spin_trylock(&wrap_lock));
		spin_unlock(&wrap_lock);
		KTEST_EXPECT(t, !spin_is_locked(&wrap_lock));
	}
	KTEST_EXPECT_EQ(t, wrap_lock.word, 2ULL << 32 | 2ULL);

	wrap_lock.word = top;
	spin_lock(&wrap_lock); /* ticket 2^32 - 2; the waiter gets - 1 */
	spin_unlock(&wrap_lock);
	spin_lock(&wrap_lock); /* ticket 2^32 - 1; the waiter gets 0 */
	wrap_state = 0;
	start(&th, wrap_waiter, NULL);
	wait_queued(&wrap_lock, 2);
	KTEST_EXPECT_EQ(t, wrap_lock.half.next, 1);
	KTEST_EXPECT_EQ(t, wrap_lock.half.owner, 0xffffffffU);
	spin_unlock(&wrap_lock);
	pthread_join(th, NULL);
	KTEST_EXPECT_EQ(t, wrap_state, 1);
	KTEST_EXPECT_EQ(t, wrap_lock.word, 1ULL << 32 | 1ULL);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
}

/* ------------------------------------------------------------- irqsave */

/*
 * Scenario: two locks taken with spin_lock_irqsave, nested, released in
 * reverse order with spin_unlock_irqrestore; trylock_irqsave on a free
 * and on a held lock. Expect each lock held exactly while it should be,
 * the flags handed back, and no BUG.
 */
static void irqsave_nests(struct ktest *t)
{
	static DEFINE_SPINLOCK(outer);
	static DEFINE_SPINLOCK(inner);
	unsigned long bugs = spin_bug_count();
	unsigned long f1, f2, f3;

	f1 = spin_lock_irqsave(&outer);
	f2 = spin_lock_irqsave(&inner);
	KTEST_EXPECT(t, spin_is_held(&outer) && spin_is_held(&inner));
	KTEST_EXPECT(t, !spin_trylock_irqsave(&inner, &f3));
	spin_unlock_irqrestore(&inner, f2);
	KTEST_EXPECT(t, spin_is_held(&outer) && !spin_is_locked(&inner));
	KTEST_EXPECT(t, spin_trylock_irqsave(&inner, &f3));
	spin_unlock_irqrestore(&inner, f3);
	spin_unlock_irqrestore(&outer, f1);
	KTEST_EXPECT(t, !spin_is_locked(&outer) && !spin_is_locked(&inner));
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
}

/* --------------------------------------------------------- debug checks */

/*
 * Scenario: spin_unlock of a lock nobody holds. Expect exactly one
 * "BUG: spinlock dbg_lock: unlock of a lock not held on hart 0" line,
 * the BUG count up by one, and the lock still usable afterwards.
 */
static void unlock_not_held(struct ktest *t)
{
	static DEFINE_SPINLOCK(dbg_lock);
	unsigned long bugs = spin_bug_count();

	capture_start(capture_pass_all);
	spin_unlock(&dbg_lock);
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("BUG: "), 1);
	KTEST_EXPECT_EQ(
		t,
		capture_count("BUG: spinlock dbg_lock: unlock of a lock "
			      "not held on hart 0\n"),
		1);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
	KTEST_EXPECT(t, !spin_is_locked(&dbg_lock));
	spin_lock(&dbg_lock);
	KTEST_EXPECT(t, spin_is_held(&dbg_lock));
	spin_unlock(&dbg_lock);
	KTEST_EXPECT(t, spin_trylock(&dbg_lock));
	spin_unlock(&dbg_lock);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
}

/*
 * Scenario: a lock taken and released, then released again; then the
 * fast-path halves: spin_unlock_if_held() of a free lock, and
 * spin_lock_begin() of a free lock followed by spin_unlock_if_held().
 * Expect the second release to print one "unlock of a lock not held on
 * hart 0" line and leave the ticket word as it was (the holder record
 * is cleared by the first release, so a stale one cannot pass), the
 * fast unlock of a free lock to return false without changing the word
 * or printing (its caller reports), and the fast pair to hold the lock
 * at once (ticket 2, the word's halves moving 2 -> 3).
 */
static void double_unlock_and_fast_halves(struct ktest *t)
{
	static DEFINE_SPINLOCK(twice_lock);
	unsigned long bugs = spin_bug_count();
	uint64_t word;
	uint32_t ticket = ~0u;

	spin_lock(&twice_lock);
	spin_unlock(&twice_lock);
	word = twice_lock.word;
	KTEST_EXPECT_EQ(t, word, 1ULL << 32 | 1ULL);
	capture_start(capture_pass_all);
	spin_unlock(&twice_lock);
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("BUG: "), 1);
	KTEST_EXPECT_EQ(
		t,
		capture_count("BUG: spinlock twice_lock: unlock of a lock "
			      "not held on hart 0\n"),
		1);
	KTEST_EXPECT_EQ(t, twice_lock.word, word);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);

	capture_start(capture_pass_all);
	KTEST_EXPECT(t, !spin_unlock_if_held(&twice_lock));
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_len(), 0);
	KTEST_EXPECT_EQ(t, twice_lock.word, word);

	spin_unlock(&twice_lock); /* another reported refusal */
	spin_lock(&twice_lock);
	spin_unlock(&twice_lock);
	KTEST_EXPECT(t, spin_lock_begin(&twice_lock, &ticket));
	KTEST_EXPECT_EQ(t, ticket, 2);
	KTEST_EXPECT(t, spin_is_held(&twice_lock));
	KTEST_EXPECT(t, spin_unlock_if_held(&twice_lock));
	KTEST_EXPECT_EQ(t, twice_lock.word, 3ULL << 32 | 3ULL);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 2);
}

static spinlock_t other_lock;
static int other_state;
static unsigned long other_hart;

static void *other_holder(void *arg)
{
	spin_lock(&other_lock);
	other_hart = cpu_hartid();
	__atomic_store_n(&other_state, 1, __ATOMIC_RELEASE);
	wait_for(&other_state, 2);
	spin_unlock(&other_lock);
	return NULL;
}

/*
 * Scenario: the main thread unlocks a lock another thread holds.
 * Expect one "BUG: spinlock other_lock: unlock of a lock held by hart
 * <h> on hart 0" line naming the holder, the lock still held, and the
 * holder's own unlock then working without a report.
 */
static void unlock_held_by_other(struct ktest *t)
{
	unsigned long bugs = spin_bug_count();
	char want[128];
	pthread_t th;

	spin_lock_init(&other_lock, "other_lock");
	other_state = 0;
	start(&th, other_holder, NULL);
	wait_for(&other_state, 1);
	capture_start(capture_pass_all);
	spin_unlock(&other_lock);
	KTEST_EXPECT(t, spin_is_locked(&other_lock));
	__atomic_store_n(&other_state, 2, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	capture_stop();
	snprintf(want, sizeof(want),
		 "BUG: spinlock other_lock: unlock of a lock held by hart %lu "
		 "on hart 0\n",
		 other_hart);
	KTEST_EXPECT_NE(t, other_hart, 0);
	KTEST_EXPECT_EQ(t, capture_count("BUG: "), 1);
	KTEST_EXPECT_EQ(t, capture_count(want), 1);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
	KTEST_EXPECT(t, !spin_is_locked(&other_lock));
}

static spinlock_t slow_lock;
static int slow_state; /* 1 once the holder holds */
static unsigned long slow_holder_hart;
static unsigned long slow_bugs_before;
static int slow_waiters_done;

static void *slow_holder(void *arg)
{
	double t0;

	spin_lock(&slow_lock);
	slow_holder_hart = cpu_hartid();
	__atomic_store_n(&slow_state, 1, __ATOMIC_RELEASE);
	/*
	 * Hold until the first report, then a quarter as long again: the
	 * second waiter queued a moment after the first and spins at about
	 * the same rate, so it passes SPIN_BOUND too before the release.
	 */
	t0 = now();
	while (spin_bug_count() == slow_bugs_before && now() - t0 < 120)
		usleep(10000);
	usleep((useconds_t)((now() - t0) / 4 * 1e6));
	spin_unlock(&slow_lock);
	return NULL;
}

static void *slow_waiter(void *arg)
{
	spin_lock(&slow_lock);
	spin_unlock(&slow_lock);
	__atomic_fetch_add(&slow_waiters_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Scenario: one thread holds a lock while two others wait on it for
 * more than SPIN_BOUND spins each (the holder keeps it until the first
 * report, then a quarter as long again). Expect exactly one "BUG: spinlock
 * slow_lock: held too long by hart <holder> on hart <waiter>" line (once
 * per lock, not per waiter), both waiters then getting the lock, and
 * the lock free at the end.
 */
static void held_too_long_once(struct ktest *t)
{
	unsigned long bugs = spin_bug_count();
	pthread_t holder, w[2];
	double t0 = now();
	char want[96];

	spin_bound = 1UL << 20;
	spin_lock_init(&slow_lock, "slow_lock");
	slow_state = 0;
	slow_waiters_done = 0;
	slow_bugs_before = bugs;
	capture_start(capture_pass_all);
	start(&holder, slow_holder, NULL);
	wait_for(&slow_state, 1);
	start(&w[0], slow_waiter, NULL);
	wait_queued(&slow_lock, 2);
	start(&w[1], slow_waiter, NULL);
	pthread_join(holder, NULL);
	pthread_join(w[0], NULL);
	pthread_join(w[1], NULL);
	capture_stop();
	spin_bound = 1UL << 27;
	ktest_info(t, "held for %lu ms in all",
		   (unsigned long)((now() - t0) * 1000));
	snprintf(want, sizeof(want),
		 "BUG: spinlock slow_lock: held too long by hart %lu on hart ",
		 slow_holder_hart);
	KTEST_EXPECT_EQ(t, capture_count("held too long"), 1);
	KTEST_EXPECT_EQ(t, capture_count(want), 1);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
	KTEST_EXPECT_EQ(t, slow_waiters_done, 2);
	KTEST_EXPECT(t, !spin_is_locked(&slow_lock));
}

static jmp_buf panic_jump;

static void panic_jump_hook(void)
{
	longjmp(panic_jump, 1);
}

static void panic_abort_hook(void)
{
	fflush(stdout);
	abort();
}

/*
 * Scenario: a thread takes a lock it already holds (run last: the panic
 * it causes stays in progress for the rest of the process). Expect one
 * "BUG: spinlock rec_lock: recursion on hart 0" line, then a panic
 * (caught here by a hook that longjmps back), with the ticket it took
 * handed back (nobody queued behind it): the lock is still held once,
 * and one unlock frees it.
 */
static void recursion_panics(struct ktest *t)
{
	static DEFINE_SPINLOCK(rec_lock);
	volatile bool panicked = false;
	unsigned long bugs = spin_bug_count();

	spin_lock(&rec_lock);
	capture_start(capture_pass_all);
	panic_set_hook(panic_jump_hook);
	if (setjmp(panic_jump) == 0)
		spin_lock(&rec_lock);
	else
		panicked = true;
	panic_set_hook(panic_abort_hook);
	capture_stop();
	KTEST_EXPECT(t, panicked);
	KTEST_EXPECT_EQ(
		t,
		capture_count("BUG: spinlock rec_lock: recursion on hart "
			      "0\n"),
		1);
	KTEST_EXPECT_EQ(t,
			capture_count("panic: spin_lock: recursive lock of "
				      "rec_lock on hart 0"),
			1);
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
	KTEST_EXPECT_EQ(t, queued(&rec_lock), 1);
	KTEST_EXPECT(t, spin_is_held(&rec_lock));
	spin_unlock(&rec_lock);
	KTEST_EXPECT(t, !spin_is_locked(&rec_lock));
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs + 1);
}

/* recursion_panics last: its panic stays in progress. */
static const struct ktest_case spinlock_cases[] = {
	KTEST_CASE(trylock_rules),
	KTEST_CASE(fifo_ticket_order),
	KTEST_CASE(ticket_wraparound),
	KTEST_CASE(irqsave_nests),
	KTEST_CASE(unlock_not_held),
	KTEST_CASE(double_unlock_and_fast_halves),
	KTEST_CASE(unlock_held_by_other),
	KTEST_CASE(held_too_long_once),
	KTEST_CASE(recursion_panics),
	KTEST_END,
};

static const struct ktest_suite spinlock_suite = { "spinlock", spinlock_cases,
						   NULL, NULL };

KTEST_HOST_MAIN(&spinlock_suite)
