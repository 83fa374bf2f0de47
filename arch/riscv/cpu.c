// SPDX-License-Identifier: BSD-2-Clause
/* Small CPU services for kernel/: instret, idle, MMIO accessors. */
#include "kernel/arch.h"

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
