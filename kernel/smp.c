// SPDX-License-Identifier: BSD-2-Clause
/* SMP (see kernel/smp.h): being written. */
#include "kernel/smp.h"

#include "lib/errno.h"
#include "mm/arch.h"

static struct percpu boot_cpu;

void smp_init_boot_cpu(unsigned long hartid)
{
	boot_cpu.cpu = 0;
	boot_cpu.hartid = hartid;
	boot_cpu.online = 1;
	__asm__ volatile("mv tp, %0" ::"r"(&boot_cpu));
}

unsigned int smp_num_online(void)
{
	return 1;
}

void smp_tlb_shootdown(uintptr_t va, size_t size)
{
	if (size == TLB_FLUSH_ALL || size > 64 * PAGE_SIZE) {
		arch_tlb_flush_all();
		return;
	}
	for (uintptr_t off = 0; off < size; off += PAGE_SIZE)
		arch_tlb_flush_page(va + off);
}
