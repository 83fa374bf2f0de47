// SPDX-License-Identifier: BSD-2-Clause
/*
 * Small CPU services for kernel/: instret and time, the supervisor timer
 * (Sstc or SBI TIME), interrupt enables, idle, MMIO accessors.
 */
#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "lib/cpu.h"

uint64_t arch_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

uint64_t arch_time(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

void arch_idle(void)
{
	__asm__ volatile("wfi");
}

void arch_irq_enable(void)
{
	__asm__ volatile("csrsi sstatus, %0" ::"i"(SSTATUS_SIE) : "memory");
}

/* ---------------------------------------------------------------- timer */

int arch_probe_stimecmp(void); /* trap_entry.S */

static enum { TIMER_NONE, TIMER_SSTC, TIMER_SBI } timer_method;

bool arch_timer_probe(bool sstc)
{
	struct sbi_info sbi;

	sbi_probe(&sbi);
	if (sstc && arch_probe_stimecmp() == 0)
		timer_method = TIMER_SSTC;
	else if (sbi.has_time)
		timer_method = TIMER_SBI;
	else
		timer_method = TIMER_NONE;
	return timer_method != TIMER_NONE;
}

const char *arch_timer_method(void)
{
	static const char *const names[] = { "none", "Sstc", "SBI TIME" };

	return names[timer_method];
}

void arch_timer_set(uint64_t when)
{
	if (timer_method == TIMER_SSTC)
		__asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(when)
				 : "memory");
	else
		sbi_set_timer(when);
}

void arch_timer_irq_enable(void)
{
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE) : "memory");
}

void arch_external_irq_enable(void)
{
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_SEIE) : "memory");
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

struct percpu *this_cpu(void)
{
	return __builtin_thread_pointer();
}

/*
 * Short sleep for a waiting hart (lib/cpu.h): with interrupts off, let
 * the timer wake wfi CPU_YIELD_TICKS of the timebase from now (or at
 * this hart's own timer deadline, if that is sooner), then program the
 * hart's deadline again (kernel/timer.c; none: no interrupt). On QEMU
 * this hands the host CPU (or, under -icount, the round-robin turn) to
 * another virtual hart instead of spinning out a whole time slice while
 * the lock holder waits to run. A deadline that passes meanwhile leaves
 * its interrupt pending, taken when the caller turns interrupts on.
 */
#define CPU_YIELD_TICKS 100 /* 10 us at QEMU virt's 10 MHz timebase */

void cpu_yield(void)
{
	arch_nap(CPU_YIELD_TICKS);
}

void arch_nap(uint64_t ticks)
{
	unsigned long flags = cpu_irq_save();
	uint64_t deadline = this_cpu()->timer_next;
	uint64_t wake = csr_read(time) + CPU_YIELD_TICKS;

	if (timer_method != TIMER_NONE) {
		unsigned long sie = csr_read(sie);

		arch_timer_set(deadline && deadline < wake ? deadline : wake);
		__asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE) : "memory");
		__asm__ volatile("wfi");
		if (!(sie & SIE_STIE))
			__asm__ volatile("csrc sie, %0" ::"r"(SIE_STIE)
					 : "memory");
		arch_timer_set(deadline ? deadline : ~0ULL);
	}
	/*
	 * An IPI (TLB shootdown, stop) may have woken us with interrupts
	 * off: serve it here, or its sender would wait for us while we
	 * wait for something it holds.
	 */
	if (csr_read(sip) & SIE_SSIE) {
		arch_ipi_clear();
		smp_handle_ipi();
	}
	cpu_irq_restore(flags);
}

void arch_ipi_enable(void)
{
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_SSIE) : "memory");
	__asm__ volatile("csrsi sstatus, %0" ::"i"(SSTATUS_SIE) : "memory");
}

void arch_ipi_clear(void)
{
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE) : "memory");
}

unsigned long arch_kernel_satp(void)
{
	return csr_read(satp);
}
