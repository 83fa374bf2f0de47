/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMP: finding harts in the device tree, starting them with SBI HSM,
 * IPIs, cross-hart calls, TLB shootdown and stopping harts on panic.
 * kernel/smp.c states the design and the contract lines.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "kernel/percpu.h"
#include "lib/fdt.h"

/*
 * Fill in the boot hart's per-hart area (head.S already points tp at
 * it and set its hart id) and install the panic hooks. Called first
 * thing in kernel_main.
 */
void smp_init_boot_cpu(unsigned long hartid);

/*
 * Discover the harts in fdt's /cpus and start every usable one (at most
 * maxcpus in all, counting the boot hart; 0 means no limit), printing
 * the "smp:" contract lines. Needs vmalloc (stacks). Never fails: on a
 * bad tree or firmware the boot hart goes on alone.
 */
void smp_boot_secondaries(const struct fdt *fdt, unsigned int maxcpus);

/* Harts online, the boot hart included (1 before smp_boot_secondaries). */
unsigned int smp_num_online(void);
/* Hart id of logical CPU cpu (which must be online). */
unsigned long smp_cpu_hartid(unsigned int cpu);

/*
 * Run fn(arg) on logical CPU cpu (the caller's own included) and wait
 * for it to finish. -EINVAL if cpu is not online.
 */
int smp_call_on(unsigned int cpu, smp_call_fn fn, void *arg);
/*
 * Run fn(arg) on every online hart at once, the caller's included (it
 * runs its own share last), and wait for all of them.
 */
void smp_call_all(smp_call_fn fn, void *arg);

/*
 * mm/arch.h's arch_call_each_cpu(): run fn(arg) on every online hart,
 * the caller's included, from the IPI handler or a wait loop, with
 * interrupts off, and wait for all of them (kernel/smp.c states the
 * protocol). fn must take no lock, allocate nothing and print nothing.
 */
void smp_call_each_cpu(smp_call_fn fn, void *arg);

/*
 * Invalidate [va, va + size) (TLB_FLUSH_ALL: everything) in the TLB of
 * every online hart: a local sfence.vma here, then either an IPI to the
 * other harts, which fence and acknowledge (default), or one SBI RFENCE
 * remote_sfence_vma call per 64-hart-id window (shootdown=sbi). Returns
 * when all of them have fenced.
 */
void smp_tlb_shootdown(uintptr_t va, size_t size);
/* For tests: shootdowns that reached other harts since boot. */
unsigned long smp_shootdown_count(void);
/*
 * Boot argument shootdown=ipi (default) or shootdown=sbi; anything else
 * warns and keeps ipi. smp_shootdown_method() names the one in use.
 */
void smp_set_shootdown_method(const char *how);
const char *smp_shootdown_method(void);

/* Raise an IPI on logical CPU cpu (it wakes from wfi). */
void smp_send_ipi(unsigned int cpu);

/* Software-interrupt handler (arch trap code calls it on an IPI). */
void smp_handle_ipi(void);

/*
 * For fault reports: if va is in a hart's stack or its guard page, write
 * what it is and return true.
 */
bool smp_describe(uintptr_t va, char *buf, size_t len);

#endif /* KERNEL_SMP_H */
