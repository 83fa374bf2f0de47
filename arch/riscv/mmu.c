// SPDX-License-Identifier: BSD-2-Clause
/*
 * The out-of-line half of the mm/arch.h seam for RISC-V Sv39: full
 * fences, satp and the shootdown. The PTE encoding and the one-page
 * fence are inline in <asm/mmu.h> (arch/riscv/include/asm/mmu.h).
 */
#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "kernel/smp.h"
#include "lib/assert.h"
#include "lib/panic.h"
#include "mm/arch.h"

/*
 * The memory-type scheme of every leaf (<asm/mmu.h>): none until the
 * boot hart has read the device tree, then fixed for good. Read on
 * every map; written once, before other harts run.
 */
STATIC_ASSERT(PROT_READ == RISCV_PTE_PROT_READ &&
	      PROT_WRITE == RISCV_PTE_PROT_WRITE &&
	      PROT_EXEC == RISCV_PTE_PROT_EXEC &&
	      PROT_GLOBAL == RISCV_PTE_PROT_GLOBAL &&
	      PROT_DEVICE == RISCV_PTE_PROT_DEVICE);

struct riscv_pte_mattr pte_mattr = RISCV_PTE_MATTR_NONE;
pte_t pte_leaf_bits[RISCV_PTE_PROT_VALUES] = RISCV_PTE_LEAF_TABLE_NONE;
/* The scheme of the early page tables (arch/riscv/early_vm.c). */
enum riscv_mattr arch_boot_mattr = RISCV_MATTR_NONE;

void arch_set_mattr(enum riscv_mattr m)
{
	static bool set;

	if (set || (unsigned int)m > RISCV_MATTR_THEAD_MAE)
		panic("arch_set_mattr: scheme %d %s", (int)m,
		      set ? "after the scheme was fixed" : "unknown");
	set = true;
	pte_mattr = riscv_pte_mattr_of(m);
	riscv_pte_leaf_table_fill(pte_leaf_bits, &pte_mattr);
}

void arch_tlb_flush_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

paddr_t arch_set_root(paddr_t root)
{
	paddr_t old = arch_get_root();

	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, SATP_MODE_SV39 | (root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	return old;
}

paddr_t arch_get_root(void)
{
	return (csr_read(satp) & ((1UL << PTE_PPN_BITS) - 1)) << 12;
}

void arch_tlb_shootdown(vaddr_t va, size_t size)
{
	smp_tlb_shootdown(va, size);
}

void arch_call_each_cpu(void (*fn)(void *arg), void *arg)
{
	smp_call_each_cpu(fn, arg);
}

void arch_pte_flags_str(uint64_t pte, char *buf, size_t len)
{
	static const char letters[] = "DAGUXWRV"; /* bit 7 down to bit 0 */
	size_t i;

	if (!len)
		return;
	for (i = 0; i < 8 && i + 1 < len; i++)
		buf[i] = pte & (1UL << (7 - i)) ? letters[i] : '-';
	buf[i] = '\0';
}
