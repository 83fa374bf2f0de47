/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target's inline half of mm/arch.h (found as <asm/mmu.h> on the
 * target's include path; the host tests have their own in
 * mm/tests/include/asm/mmu.h): the Sv39 PTE encoding and the local
 * one-page fence, inline so that the page-table fast paths make no call
 * for them.
 *
 *   63    54 53        10 9   8 7 6 5 4 3 2 1 0
 *  +--------+------------+-----+-+-+-+-+-+-+-+-+
 *  |reserved|    PPN     | RSW |D|A|G|U|X|W|R|V|
 *  +--------+------------+-----+-+-+-+-+-+-+-+-+
 *
 * Leaves are created with A and D already set, so hardware without
 * A/D updating never takes a fault to set them. PROT_* bits map onto
 * R, W, X and G by shifts (no branches):
 *
 *   PROT_READ  0x1 -> R (bit 1)     PROT_EXEC   0x4 -> X (bit 3)
 *   PROT_WRITE 0x2 -> W (bit 2), R  PROT_GLOBAL 0x8 -> G (bit 5)
 *
 * PROT_DEVICE has no encoding here (QEMU virt has no Svpbmt): it is
 * dropped, and arch_pte_prot never reports it.
 */
#ifndef ASM_MMU_H
#define ASM_MMU_H

#ifndef MM_ARCH_H
#error "include mm/arch.h, not <asm/mmu.h>"
#endif

/* Sv39 PTE bits. */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_BITS 44

static inline pte_t arch_pte_leaf(paddr_t pa, unsigned int prot)
{
	pte_t p = prot;

	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_A | PTE_D |
	       ((p & 0x7) << 1) | (p & 0x2) | ((p & 0x8) << 2);
}

static inline pte_t arch_pte_table(paddr_t pa)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static inline bool arch_pte_is_valid(pte_t pte)
{
	return pte & PTE_V;
}

static inline bool arch_pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

static inline paddr_t arch_pte_paddr(pte_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & ((1UL << PTE_PPN_BITS) - 1)) << 12;
}

static inline unsigned int arch_pte_prot(pte_t pte)
{
	return (unsigned int)(((pte >> 1) & 0x7) | ((pte >> 2) & 0x8));
}

static inline void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

#endif /* ASM_MMU_H */
