// SPDX-License-Identifier: BSD-2-Clause
/*
 * The mm/arch.h seam for RISC-V Sv39: PTE encoding, sfence.vma, satp.
 *
 *   63    54 53        10 9   8 7 6 5 4 3 2 1 0
 *  +--------+------------+-----+-+-+-+-+-+-+-+-+
 *  |reserved|    PPN     | RSW |D|A|G|U|X|W|R|V|
 *  +--------+------------+-----+-+-+-+-+-+-+-+-+
 *
 * Leaves are created with A and D already set, so hardware without
 * A/D updating never takes a fault to set them.
 */
#include "arch/riscv/csr.h"
#include "kernel/smp.h"
#include "mm/arch.h"

pte_t arch_pte_leaf(paddr_t pa, unsigned int prot)
{
	pte_t pte = ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_A | PTE_D;

	if (prot & PROT_READ)
		pte |= PTE_R;
	if (prot & PROT_WRITE)
		pte |= PTE_W | PTE_R;
	if (prot & PROT_EXEC)
		pte |= PTE_X;
	if (prot & PROT_GLOBAL)
		pte |= PTE_G;
	return pte;
}

pte_t arch_pte_table(paddr_t pa)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

bool arch_pte_is_valid(pte_t pte)
{
	return pte & PTE_V;
}

bool arch_pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

paddr_t arch_pte_paddr(pte_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & ((1UL << 44) - 1)) << 12;
}

unsigned int arch_pte_prot(pte_t pte)
{
	unsigned int prot = 0;

	if (pte & PTE_R)
		prot |= PROT_READ;
	if (pte & PTE_W)
		prot |= PROT_WRITE;
	if (pte & PTE_X)
		prot |= PROT_EXEC;
	if (pte & PTE_G)
		prot |= PROT_GLOBAL;
	return prot;
}

void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
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
	return (csr_read(satp) & ((1UL << 44) - 1)) << 12;
}

void arch_tlb_shootdown(vaddr_t va, size_t size)
{
	smp_tlb_shootdown(va, size);
}
