/* SPDX-License-Identifier: BSD-2-Clause */
/* Supervisor CSRs and their bits (RISC-V privileged spec v1.12). */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#define SSTATUS_SIE (1UL << 1)
/* sie/sip bit of the supervisor software interrupt (IPIs). */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
/* scause interrupt codes (with CAUSE_INTERRUPT) of the S-mode sources. */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
/* Sstc: the supervisor timer compare register. */
#define CSR_STIMECMP 0x14d
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SUM (1UL << 18)

#define SATP_MODE_SV39 (8UL << 60)

#define CAUSE_INTERRUPT (1UL << 63)
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

/* Sv39 PTE bits (PTE_V, ...): <asm/mmu.h>, through mm/arch.h. */

#ifndef __ASSEMBLY__
#define csr_read(csr)                                                          \
	({                                                                     \
		unsigned long _v;                                              \
		__asm__ volatile("csrr %0, " #csr : "=r"(_v)::"memory");       \
		_v;                                                            \
	})
#define csr_write(csr, val)                                                    \
	__asm__ volatile("csrw " #csr ", %0" ::"rK"((unsigned long)(val))      \
			 : "memory")
#endif

#endif /* ARCH_RISCV_CSR_H */
