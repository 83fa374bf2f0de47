// SPDX-License-Identifier: BSD-2-Clause
/* CPU gates for the host concurrency tests (see host_smp.h). */
#define _GNU_SOURCE /* CPU affinity */
#include "mm/tests/host_smp.h"

#include <sched.h>

#include "lib/kernel.h"

#define HOST_GATE_CPUS 64U

static struct host_gate cpu_gate[HOST_GATE_CPUS];
static unsigned int nr_gates;
static cpu_set_t test_cpus; /* the CPUs this process may use */

void host_gate_init(struct host_gate *g, unsigned int slots)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->next = 0;
	g->admitted = slots ? slots : 1;
}

void host_gate_destroy(struct host_gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

void host_gate_enter(struct host_gate *g)
{
	unsigned long me;

	pthread_mutex_lock(&g->mu);
	me = g->next++;
	while (me >= g->admitted)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

void host_gate_leave(struct host_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->admitted++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

unsigned int host_test_cpus(void)
{
	if (sched_getaffinity(0, sizeof(test_cpus), &test_cpus) != 0) {
		CPU_ZERO(&test_cpus);
		return 1;
	}
	return CPU_COUNT(&test_cpus) > 0 ? (unsigned int)CPU_COUNT(&test_cpus)
					 : 1;
}

void host_pin_to_cpu(unsigned int n)
{
	cpu_set_t one;

	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &test_cpus) || n--)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
		return;
	}
}

unsigned int host_cpus_begin(unsigned int nthreads)
{
	nr_gates = MIN(MIN(nthreads, host_test_cpus()), HOST_GATE_CPUS);
	if (!nr_gates)
		nr_gates = 1;
	for (unsigned int i = 0; i < nr_gates; i++)
		host_gate_init(&cpu_gate[i], 1);
	return nr_gates;
}

void host_cpus_end(void)
{
	for (unsigned int i = 0; i < nr_gates; i++)
		host_gate_destroy(&cpu_gate[i]);
	nr_gates = 0;
}

void host_cpu_enter(unsigned int cpu)
{
	host_pin_to_cpu(cpu);
	host_gate_enter(&cpu_gate[cpu]);
}

void host_cpu_turn(unsigned int cpu)
{
	host_gate_leave(&cpu_gate[cpu]);
	host_gate_enter(&cpu_gate[cpu]);
}

void host_cpu_leave(unsigned int cpu)
{
	host_gate_leave(&cpu_gate[cpu]);
}

void host_cpu_turn_every(unsigned int cpu, unsigned long ops,
			 unsigned long *last)
{
	if (ops - *last < HOST_GATE_BATCH)
		return;
	*last = ops;
	host_cpu_turn(cpu);
}
