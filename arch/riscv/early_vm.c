// SPDX-License-Identifier: BSD-2-Clause
/*
 * Early page tables, built while the MMU is still off.
 *
 * Runs at the physical load address, so this file must stay position
 * independent: only pc-relative references (the medany code model gives
 * auipc-based addressing), no switch jump tables (built with
 * -fno-jump-tables), no pointers stored in data, no calls outside this
 * file except to functions that obey the same rules.
 *
 * The tables map only:
 *   KERNEL_VA + off -> load_pa + off   for the image, 4 KiB pages, W^X
 *                                       (text RX, rodata R, data/bss RW,
 *                                       the two stack guard pages absent)
 *   FDT_VA .. +4 MiB -> the 2 MiB-aligned region holding the blob, R
 * Both live under root entry 510, in one level-1 table. Later,
 * kspace_init() builds the final tables and these are abandoned.
 *
 * Invariants: I1 the image fits EARLY_PTE_TABLES * 2 MiB; I2 no leaf is
 * both writable and executable.
 */
#include <stdint.h>

#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "mm/arch.h"
#include "mm/layout.h"

#define EARLY_PTE_TABLES 4

uint64_t early_pgd[512] __aligned(4096);
static uint64_t early_pmd[512] __aligned(4096);
static uint64_t early_pte[EARLY_PTE_TABLES][512] __aligned(4096);

extern char _trap_stack_guard[], _trap_stack_guard_end[];

uint64_t early_vm_setup(uint64_t fdt_pa);
void early_trap(void);

static inline void sbi_putc_early(char c)
{
	register unsigned long a0 __asm__("a0") = (unsigned char)c;
	register unsigned long a7 __asm__("a7") = 1; /* legacy putchar */

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
}

static void early_puts(const char *s)
{
	while (*s)
		sbi_putc_early(*s++);
}

static void early_puthex(uint64_t v)
{
	early_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		sbi_putc_early("0123456789abcdef"[(v >> i) & 0xf]);
}

static __noreturn void early_fail(const char *what, uint64_t val)
{
	register unsigned long a0 __asm__("a0") = 0;
	register unsigned long a1 __asm__("a1") = 1;
	register unsigned long a6 __asm__("a6") = 0;
	register unsigned long a7 __asm__("a7") = 0x53525354; /* SRST */

	early_puts("\npanic: early boot: ");
	early_puts(what);
	early_puts(" ");
	early_puthex(val);
	early_puts("\n");
	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

static uint64_t leaf(uint64_t pa, uint64_t bits)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | bits | PTE_V | PTE_A | PTE_D |
	       PTE_G;
}

static uint64_t table(const void *pa)
{
	return (((uintptr_t)pa >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

uint64_t early_vm_setup(uint64_t fdt_pa)
{
	uintptr_t load = (uintptr_t)_start;
	uint64_t size = (uintptr_t)_end - load;
	uint64_t text = (uintptr_t)_etext - load;
	uint64_t rodata = (uintptr_t)_erodata - load;
	uint64_t g1 = (uintptr_t)_stack_guard - load;
	uint64_t g2 = (uintptr_t)_trap_stack_guard - load;

	if (load & 0xfff)
		early_fail("image not page-aligned at", load);
	if (size > EARLY_PTE_TABLES * SZ_2M) /* I1 */
		early_fail("image too large:", size);
	early_pgd[(KERNEL_VA >> 30) & 511] = table(early_pmd);
	for (int i = 0; i < EARLY_PTE_TABLES; i++)
		early_pmd[i] = table(early_pte[i]);
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t bits;

		if (off == g1 || off == g2)
			continue; /* guard pages stay unmapped */
		if (off < text)
			bits = PTE_R | PTE_X;
		else if (off < rodata)
			bits = PTE_R;
		else
			bits = PTE_R | PTE_W; /* I2 */
		early_pte[off >> 21][(off >> 12) & 511] =
			leaf(load + off, bits);
	}
	if (fdt_pa) {
		uint64_t base = fdt_pa & ~(SZ_2M - 1);

		early_pmd[(FDT_VA >> 21) & 511] = leaf(base, PTE_R);
		early_pmd[((FDT_VA >> 21) + 1) & 511] =
			leaf(base + SZ_2M, PTE_R);
	}
	return SATP_MODE_SV39 | ((uintptr_t)early_pgd >> 12);
}

void early_trap(void)
{
	early_puts("\ntrap before the MMU was on: scause ");
	early_puthex(csr_read(scause));
	early_puts(" sepc ");
	early_puthex(csr_read(sepc));
	early_puts(" stval ");
	early_puthex(csr_read(stval));
	early_fail("unexpected trap", csr_read(scause));
}
