// SPDX-License-Identifier: BSD-2-Clause
/* Small CPU services for kernel/: instret, idle, MMIO accessors. */
#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "kernel/percpu.h"

uint64_t arch_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

void arch_idle(void)
{
	__asm__ volatile("wfi");
}

/* Device accesses: fence around them like Linux's readX/writeX. */
void mmio_write8(volatile void *addr, uint8_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint8_t *)addr = v;
}

void mmio_write16(volatile void *addr, uint16_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint16_t *)addr = v;
}

void mmio_write32(volatile void *addr, uint32_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint32_t *)addr = v;
}

uint8_t mmio_read8(const volatile void *addr)
{
	uint8_t v = *(const volatile uint8_t *)addr;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

uint16_t mmio_read16(const volatile void *addr)
{
	uint16_t v = *(const volatile uint16_t *)addr;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

uint32_t mmio_read32(const volatile void *addr)
{
	uint32_t v = *(const volatile uint32_t *)addr;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

/* ---------------------------------------------- lib/cpu.h and per-hart */

/*
 * tp holds the per-hart area (kernel/percpu.h) once the MMU is on; it is
 * zero before that, when only the boot hart runs.
 */
struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("mv %0, tp" : "=r"(p));
	return p;
}

unsigned int cpu_id(void)
{
	struct percpu *p = this_cpu();

	return p ? p->cpu : 0;
}

unsigned long cpu_hartid(void)
{
	struct percpu *p = this_cpu();

	return p ? p->hartid : 0;
}

unsigned long cpu_irq_save(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, sstatus, %1"
			 : "=r"(old)
			 : "i"(SSTATUS_SIE)
			 : "memory");
	return old & SSTATUS_SIE;
}

void cpu_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		__asm__ volatile("csrsi sstatus, %0" ::"i"(SSTATUS_SIE)
				 : "memory");
}

void cpu_relax(void)
{
	/* Zihintpause "pause" (a hint: a plain fence on older cores). */
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}
