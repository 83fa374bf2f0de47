/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What kernel/ needs from the CPU and firmware; arch/riscv/ implements
 * it. (Includes point arch -> kernel, so the declarations live here.)
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kernel.h"
#include "lib/riscv_isa.h"

/* Registers saved on a trap, in x1..x31 order, then the CSRs. */
struct trap_frame {
	uint64_t regs[32]; /* regs[0] unused (x0); regs[2] is sp at trap */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};

/* Cause classes the fault reporter distinguishes. */
enum trap_kind {
	TRAP_LOAD_PAGE_FAULT,
	TRAP_STORE_PAGE_FAULT,
	TRAP_FETCH_PAGE_FAULT,
	TRAP_LOAD_ACCESS_FAULT,
	TRAP_STORE_ACCESS_FAULT,
	TRAP_FETCH_ACCESS_FAULT,
	TRAP_OTHER,
};
enum trap_kind arch_trap_kind(const struct trap_frame *tf);
/* Name of scause ("illegal instruction", ...). */
const char *arch_trap_name(uint64_t scause);
/* ABI names of the 32 integer registers ("zero", "ra", "sp", ...). */
extern const char *const arch_reg_names[32];

/* Called by arch code for every trap; never returns for fatal ones. */
void trap_handle(struct trap_frame *tf);

/* Interrupt sources the arch layer tells apart (scause). */
enum irq_kind {
	IRQ_KIND_IPI, /* supervisor software interrupt */
	IRQ_KIND_TIMER, /* supervisor timer */
	IRQ_KIND_EXTERNAL, /* supervisor external: the PLIC */
	IRQ_KIND_OTHER, /* any other cause (reported, then ignored) */
};
/*
 * kernel/irq.c: handle one interrupt. Called by arch code with
 * interrupts off, on the trap stack, for every trap whose cause is an
 * interrupt; it returns to the interrupted code.
 */
void irq_handle(enum irq_kind kind, struct trap_frame *tf);

/* Instructions retired (rdinstret). */
uint64_t arch_instret(void);
/* Instret sampled at kernel entry. */
extern uint64_t arch_boot_instret;
/* The time CSR (rdtime): timebase ticks since an arbitrary origin. */
uint64_t arch_time(void);
/* rdtime sampled at kernel entry, with arch_boot_instret. */
extern uint64_t arch_boot_time;

/*
 * The supervisor timer. arch_timer_probe() picks the method once, on
 * the boot hart: Sstc (stimecmp, when `sstc` is true because the ISA
 * string lists it, and reading stimecmp does not trap: the firmware
 * must have set menvcfg.STCE) or the SBI TIME extension; it returns
 * false when there is neither. arch_timer_set() programs this hart's
 * compare value (timebase ticks; ~0: no interrupt), which also clears a
 * pending timer interrupt whose time has not come.
 */
bool arch_timer_probe(bool sstc);
const char *arch_timer_method(void); /* "Sstc", "SBI TIME" or "none" */
void arch_timer_set(uint64_t when);
/* Take timer / external interrupts on this hart (sie.STIE, sie.SEIE). */
void arch_timer_irq_enable(void);
void arch_external_irq_enable(void);
/* Interrupts on (sstatus.SIE): the idle loop and console_getc wait. */
void arch_irq_enable(void);
/* Physical address the image was loaded at. */
extern uint64_t arch_boot_image_pa;
/*
 * The register address of the first sifive,test node in the blob at
 * `blob` (limit bytes readable), or ARCH_NO_TEST_DEVICE (physical 0 is
 * an address like any other): a minimal walk that needs neither the
 * MMU nor a blob the device-tree reader accepts, for reporting a
 * panic's status when the reader refused the blob.
 */
#define ARCH_NO_TEST_DEVICE (~0ULL)
uint64_t arch_fdt_find_test_device(const void *blob, uint64_t limit);

/*
 * The flag bits of a page-table entry, highest first, a letter for each
 * set bit and '-' for a clear one: Sv39's D A G U X W R V, so a kernel
 * RW leaf reads "DAG--WRV" and a table pointer "-------V". buf needs 9
 * bytes for all eight (shorter: cut, always NUL-terminated).
 */
void arch_pte_flags_str(uint64_t pte, char *buf, size_t len);

/*
 * Wait for an interrupt (idle loop body). With interrupts off it still
 * returns when an enabled interrupt becomes pending, which is then taken
 * when they are turned on again: check, then sleep, without a lost
 * wake-up.
 */
void arch_idle(void);
/*
 * Sleep about `ticks` of the timebase (or less: an IPI wakes it and is
 * served), interrupts off meanwhile. cpu_yield() is arch_nap(100).
 */
void arch_nap(uint64_t ticks);

/* Take software interrupts (IPIs) on this hart: sie.SSIE, sstatus.SIE. */
void arch_ipi_enable(void);
/* Acknowledge a software interrupt: clear sip.SSIP. */
void arch_ipi_clear(void);
/*
 * Use memory-type scheme m in every leaf made from now on (PROT_DEVICE
 * and normal memory; lib/riscv_pte.h). Boot hart, before
 * the final page tables and any ioremap(); the early page tables were
 * made with arch_boot_mattr. A second call panics.
 */
void arch_set_mattr(enum riscv_mattr m);
/*
 * The scheme the early page tables were built with, before the device
 * tree was read: RISCV_MATTR_THEAD_MAE when the SBI's mvendorid,
 * marchid and mimpid are T-Head's C906/C910 ones, else none.
 */
extern enum riscv_mattr arch_boot_mattr;

/* This hart's satp (secondaries start with the boot hart's). */
unsigned long arch_kernel_satp(void);

/* SBI services. */
struct sbi_info {
	unsigned long spec_version;
	unsigned long impl_id;
	unsigned long impl_version;
	bool has_dbcn;
	bool has_srst;
	bool has_legacy_putchar;
	bool has_legacy_getchar;
	bool has_time; /* sbi_set_timer */
	bool has_hsm; /* hart state management: starting harts */
	bool has_ipi; /* sbi_send_ipi */
	bool has_rfence; /* remote sfence.vma */
};
void sbi_probe(struct sbi_info *info);
/* Console write through DBCN if present, legacy putchar otherwise. */
void sbi_console_write(const char *s, size_t len);
/*
 * Console read of one byte: through DBCN's console_read when present,
 * else the legacy getchar. Returns the byte (0..255), -1 when none is
 * waiting, or -ENOSYS when the firmware has neither. *how (if non-NULL)
 * names the method: "SBI DBCN read" or "SBI getchar".
 */
int sbi_console_getc(const char **how);
/*
 * System reset: shutdown with reason (0 none, 1 system failure) through
 * SRST, or the legacy call. Returns only if the firmware cannot do it.
 */
void sbi_shutdown(unsigned int failure);

/*
 * SBI v0.2+ extensions for SMP; each returns the SBI error (0 on success,
 * negative SBI_ERR_* otherwise; sbi_error_name() spells it).
 * sbi_hart_start: start hartid at physical start_pa in S-mode with the
 * MMU off, a0 = hartid, a1 = opaque. sbi_hart_status: the HSM state
 * (0 started, 1 stopped, 2 start pending, ...) or an error.
 * sbi_send_ipi: a supervisor software interrupt to each hart in
 * hart_mask (bit i is hart hart_mask_base + i). sbi_remote_sfence_vma:
 * sfence.vma over [start, start + size) on those harts (size -1: all),
 * returning once they have all done it.
 */
long sbi_hart_start(unsigned long hartid, uint64_t start_pa, uint64_t opaque);
/* Program this hart's timer (time CSR units); ~0: no interrupt. */
long sbi_set_timer(uint64_t when);
long sbi_hart_status(unsigned long hartid);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_remote_sfence_vma(unsigned long hart_mask,
			   unsigned long hart_mask_base, unsigned long start,
			   unsigned long size);
const char *sbi_error_name(long err);

/* Secondary harts' physical entry point (head.S). */
extern char _secondary_start[];
/*
 * The entry slot (head.S, .data): a hart that arrives at the image entry
 * after the boot hart waits until smp_entry_hartid is its id, then
 * starts with the per-hart area at physical smp_entry_percpu_pa.
 */
extern unsigned long smp_entry_hartid, smp_entry_percpu_pa;

/* Uncached MMIO accessors (with the ordering fences the CPU needs). */
void mmio_write8(volatile void *addr, uint8_t v);
void mmio_write16(volatile void *addr, uint16_t v);
void mmio_write32(volatile void *addr, uint32_t v);
uint8_t mmio_read8(const volatile void *addr);
uint16_t mmio_read16(const volatile void *addr);
uint32_t mmio_read32(const volatile void *addr);

/*
 * Fault-tolerant probe: read one byte at addr; returns 0 and stores it,
 * or -EFAULT if the access faulted (the trap handler resumes instead of
 * reporting). For self-tests of guard pages and W^X.
 */
int arch_probe_read(const volatile void *addr, uint8_t *out);
int arch_probe_write(volatile void *addr, uint8_t v);

/* Linker-provided image boundaries (virtual). */
extern char _start[], _etext[], _srodata[], _erodata[], _sdata[], _end[];
extern char _stack_guard[], _stack_guard_end[], _boot_stack_top[];
extern char _sbss[], _ebss[];

#endif /* KERNEL_ARCH_H */
