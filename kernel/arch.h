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

/* Instructions retired (rdinstret). */
uint64_t arch_instret(void);
/* Instret sampled at kernel entry. */
extern uint64_t arch_boot_instret;
/* Physical address the image was loaded at. */
extern uint64_t arch_boot_image_pa;
/*
 * The register address of the first sifive,test node in the blob at
 * `blob` (limit bytes readable), or 0: a minimal walk that needs neither
 * the MMU nor a blob the device-tree reader accepts, for reporting a
 * panic's status when the reader refused the blob.
 */
uint64_t arch_fdt_find_test_device(const void *blob, uint64_t limit);

/* Wait for an interrupt (idle loop body). */
void arch_idle(void);

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
	bool has_time; /* sbi_set_timer */
	bool has_hsm; /* hart state management: starting harts */
	bool has_ipi; /* sbi_send_ipi */
	bool has_rfence; /* remote sfence.vma */
};
void sbi_probe(struct sbi_info *info);
/* Console write through DBCN if present, legacy putchar otherwise. */
void sbi_console_write(const char *s, size_t len);
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
