/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host tests' half of mm/arch.h's inline PTE encoding and one-page
 * fence, and whether a shootdown is local (found as <asm/mmu.h> on the
 * host include path): each forwards
 * to mm/tests/host_arch.c, which checks its arguments, encodes PTEs with
 * the target's own lib/riscv_pte.h (included below, so host tests check the
 * bits the kernel writes) and counts the fences.
 */
#ifndef ASM_MMU_H
#define ASM_MMU_H

#ifndef MM_ARCH_H
#error "include mm/arch.h, not <asm/mmu.h>"
#endif

#include "lib/riscv_pte.h"

/*
 * The memory-type scheme host_pte_leaf() uses and its table of leaf bits
 * (as on the target): Svpbmt unless a test sets another with
 * host_arch_set_mattr() (mm/tests/test_pte.c checks each). Set it only
 * while no other thread maps.
 */
extern struct riscv_pte_mattr pte_mattr;
extern pte_t pte_leaf_bits[RISCV_PTE_PROT_VALUES];
void host_arch_set_mattr(const struct riscv_pte_mattr *m);

pte_t host_pte_leaf(paddr_t pa, unsigned int prot);
pte_t host_pte_leaf_bits(unsigned int prot);
pte_t host_pte_leaf_of(paddr_t pa, pte_t bits);
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

static inline pte_t arch_pte_leaf_bits(unsigned int prot)
{
	return host_pte_leaf_bits(prot);
}

static inline pte_t arch_pte_leaf_of(paddr_t pa, pte_t bits)
{
	return host_pte_leaf_of(pa, bits);
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

/*
 * False unless a test sets host_arch_tlb_local (host_arch_tlb_reset()
 * clears it): the host tests see every shootdown as one, as with
 * several harts online.
 */
extern bool host_arch_tlb_local;

static inline bool arch_tlb_is_local(void)
{
	return __atomic_load_n(&host_arch_tlb_local, __ATOMIC_RELAXED);
}

#endif /* ASM_MMU_H */
