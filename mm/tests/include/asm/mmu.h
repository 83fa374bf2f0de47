/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host tests' half of mm/arch.h's inline PTE encoding and one-page
 * fence (found as <asm/mmu.h> on the host include path): each forwards
 * to mm/tests/host_arch.c, which encodes PTEs as Sv39 does, checks its
 * arguments and counts the fences.
 */
#ifndef ASM_MMU_H
#define ASM_MMU_H

#ifndef MM_ARCH_H
#error "include mm/arch.h, not <asm/mmu.h>"
#endif

pte_t host_pte_leaf(paddr_t pa, unsigned int prot);
pte_t host_pte_table(paddr_t pa);
bool host_pte_is_valid(pte_t pte);
bool host_pte_is_leaf(pte_t pte);
paddr_t host_pte_paddr(pte_t pte);
unsigned int host_pte_prot(pte_t pte);
void host_tlb_flush_page(vaddr_t va);

static inline pte_t arch_pte_leaf(paddr_t pa, unsigned int prot)
{
	return host_pte_leaf(pa, prot);
}

static inline pte_t arch_pte_table(paddr_t pa)
{
	return host_pte_table(pa);
}

static inline bool arch_pte_is_valid(pte_t pte)
{
	return host_pte_is_valid(pte);
}

static inline bool arch_pte_is_leaf(pte_t pte)
{
	return host_pte_is_leaf(pte);
}

static inline paddr_t arch_pte_paddr(pte_t pte)
{
	return host_pte_paddr(pte);
}

static inline unsigned int arch_pte_prot(pte_t pte)
{
	return host_pte_prot(pte);
}

static inline void arch_tlb_flush_page(vaddr_t va)
{
	host_tlb_flush_page(va);
}

#endif /* ASM_MMU_H */
