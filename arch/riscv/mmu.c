// SPDX-License-Identifier: BSD-2-Clause
/*
 * The out-of-line half of the mm/arch.h seam for RISC-V Sv39: full
 * fences, satp and the shootdown. The PTE encoding and the one-page
 * fence are inline in <asm/mmu.h> (arch/riscv/include/asm/mmu.h).
 */
#include "arch/riscv/csr.h"
#include "kernel/smp.h"
#include "mm/arch.h"

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
