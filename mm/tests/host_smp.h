/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CPU gates for the host concurrency tests (mm/tests/test_smp_*.c).
 *
 * lib's spinlocks are ticket locks that yield only now and then
 * (SPIN_YIELD_EVERY spins), which suits the target, where a hart holding
 * or awaiting a lock is not preempted. On the host a thread that holds
 * the lock, or the next ticket, may be descheduled, and every waiter
 * queues behind it until it runs again: a lock convoy. With four workers
 * on two CPUs the kmem_cache storm ran ten times slower; beside one busy
 * process (a QEMU run of the harness) the vmalloc storm, 4 s alone, did
 * not finish in 200 s, since a waiter's sched_yield() hands its CPU to
 * the busy process for a whole time slice, once per lock handoff.
 *
 * So the tests behave like harts: each worker is pinned to one of the
 * CPUs the process may use, and only one worker per CPU runs allocator
 * code at a time. Workers sharing a CPU take turns at that CPU's fair
 * (FIFO) gate every batch of operations; workers on different CPUs race
 * freely. A gate orders only one worker's batch before the next
 * worker's on the same CPU.
 */
#ifndef MM_TESTS_HOST_SMP_H
#define MM_TESTS_HOST_SMP_H

#include <pthread.h>

/* A FIFO gate that admits `slots` threads at a time. */
struct host_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long next; /* tickets handed out */
	unsigned long admitted; /* tickets below this may run */
};

void host_gate_init(struct host_gate *g, unsigned int slots);
void host_gate_destroy(struct host_gate *g);
void host_gate_enter(struct host_gate *g);
void host_gate_leave(struct host_gate *g);

/* The number of CPUs this process may use (at least 1). */
unsigned int host_test_cpus(void);
/* Pin the calling thread to the n-th of those CPUs (best effort). */
void host_pin_to_cpu(unsigned int n);

/*
 * Per-CPU gates for nthreads workers: host_cpus_begin() returns the
 * number of CPUs used (min(nthreads, host_test_cpus())); worker i runs
 * on CPU i % that. A worker calls host_cpu_enter(cpu) once (pins it and
 * waits for its first turn), host_cpu_turn(cpu) between batches and
 * host_cpu_leave(cpu) when done; host_cpus_end() after the joins.
 */
unsigned int host_cpus_begin(unsigned int nthreads);
void host_cpus_end(void);
void host_cpu_enter(unsigned int cpu);
void host_cpu_turn(unsigned int cpu);
void host_cpu_leave(unsigned int cpu);

/* Operations a worker runs between turns at its CPU's gate. */
#define HOST_GATE_BATCH 256UL

/*
 * host_cpu_turn() once every HOST_GATE_BATCH operations: ops is the
 * worker's count so far, *last the count at its previous turn.
 */
void host_cpu_turn_every(unsigned int cpu, unsigned long ops,
			 unsigned long *last);

#endif
