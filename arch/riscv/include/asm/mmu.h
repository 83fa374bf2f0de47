/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target's inline half of mm/arch.h (found as <asm/mmu.h> on the
 * target's include path; the host tests have their own in
 * mm/tests/include/asm/mmu.h): the Sv39 PTE encoding, the local
 * one-page fence and the test for "this hart is the only one online",
 * inline so that the page-table fast paths make no call for them.
 *
 * The encoding itself is lib/riscv_pte.h (plain C, shared with the host
 * tests); here it is bound to pte_mattr, the memory-type scheme the
 * kernel chose at boot from the device tree (arch_set_mattr(), before
 * the final page tables are built; "none" until then, which is what the
 * early page tables of arch/riscv/early_vm.c get). A leaf is the PPN
 * ORed with one entry of pte_leaf_bits[], the scheme's bits for each
 * PROT_* value (riscv_pte_leaf_table_fill): the scheme is data, not a branch,
 * and the lookup replaces the shifts that built R/W/X/G.
 */
#ifndef ASM_MMU_H
#define ASM_MMU_H

#ifndef MM_ARCH_H
#error "include mm/arch.h, not <asm/mmu.h>"
#endif

#include "lib/riscv_pte.h"

/*
 * The scheme in use and its leaf bits per PROT_* value (arch/riscv/mmu.c);
 * written once, at boot, before other harts run.
 */
extern struct riscv_pte_mattr pte_mattr;
extern pte_t pte_leaf_bits[RISCV_PTE_PROT_VALUES];

static inline pte_t arch_pte_leaf(paddr_t pa, unsigned int prot)
{
	return riscv_pte_leaf_fast(pa, prot, pte_leaf_bits);
}

/* prot below RISCV_PTE_PROT_VALUES; 0 when no leaf may have it. */
static inline pte_t arch_pte_leaf_bits(unsigned int prot)
{
	return pte_leaf_bits[prot];
}

static inline pte_t arch_pte_leaf_of(paddr_t pa, pte_t bits)
{
	return riscv_pte_leaf_of(pa, bits);
}

static inline pte_t arch_pte_table(paddr_t pa)
{
	return riscv_pte_table(pa);
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
	return riscv_pte_paddr(pte);
}

static inline unsigned int arch_pte_prot(pte_t pte)
{
	return riscv_pte_prot(pte, &pte_mattr);
}

static inline void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

/*
 * Harts online (kernel/smp.c). It only grows: the boot hart counts each
 * hart it starts once that hart is up, and unmaps nothing while it
 * waits. With one, a shootdown is this hart's own fence:
 * smp_tlb_shootdown() makes the same test.
 *
 * A relaxed load (one lw, where an acquire load is lw and a full fence)
 * is enough. Only the boot hart writes nr_online, and while it reads 1
 * it is the only hart counted, so a 1 read on it is its own latest
 * store (RVWMO's load value axiom: a load returns the latest store to
 * the address in global memory order or in its own program order).
 * Nothing is read under the value: an answer of 1 leads to one local
 * sfence.vma, any other to smp_tlb_shootdown(), which loads the count
 * again with acquire before it reads the harts' state. The acquire
 * ordered only what follows the load, so it never held the PTE store
 * before it back: a hart counted meanwhile is covered, as before, by
 * the boot hart unmapping nothing while it brings a hart up.
 */
extern unsigned int nr_online;

static inline bool arch_tlb_is_local(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_RELAXED) == 1;
}

#endif /* ASM_MMU_H */
