/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam through which mm/ sees the CPU. arch/riscv/ implements it for
 * the target; mm/tests/host_arch.c implements it for host tests. mm/
 * knows the shape of the translation tree (3 levels of 512 entries,
 * 4 KiB pages: Sv39), but not how a PTE is encoded or how the TLB and
 * the root pointer are managed.
 */
#ifndef MM_ARCH_H
#define MM_ARCH_H

#include "mm/types.h"

typedef uint64_t pte_t;

/* Portable permission bits for leaf mappings. */
#define PROT_READ 0x1u
#define PROT_WRITE 0x2u
#define PROT_EXEC 0x4u
#define PROT_GLOBAL 0x8u /* same in every address space */
#define PROT_DEVICE 0x10u /* MMIO: uncached, strongly ordered if possible */
#define PROT_RW (PROT_READ | PROT_WRITE)
#define PROT_RX (PROT_READ | PROT_EXEC)

/*
 * The PTE encoding and the local one-page fence are inline, from the
 * architecture's <asm/mmu.h> (arch/riscv/include/ on the target,
 * mm/tests/include/ on the host), so the page-table fast paths make no
 * call for them. Each provides:
 *
 *   pte_t arch_pte_leaf(paddr_t pa, unsigned int prot)
 *       a valid leaf mapping pa with prot (prot has READ or EXEC)
 *   pte_t arch_pte_leaf_bits(unsigned int prot)
 *       for prot below 32 (the PROT_* bits): the bits of a leaf with
 *       prot other than its address, or 0 when no leaf may have prot
 *       (neither READ nor EXEC, or WRITE without READ): one table load
 *       that is also the permission test (pt_map_page)
 *   pte_t arch_pte_leaf_of(paddr_t pa, pte_t bits)
 *       the leaf mapping pa (page-aligned, below 2^56) with non-zero
 *       bits from arch_pte_leaf_bits(): arch_pte_leaf(pa, prot)
 *   pte_t arch_pte_table(paddr_t pa)
 *       a valid pointer to the next-level table at pa
 *   bool arch_pte_is_valid(pte_t pte)
 *   bool arch_pte_is_leaf(pte_t pte)       valid and a leaf
 *   paddr_t arch_pte_paddr(pte_t pte)
 *   unsigned int arch_pte_prot(pte_t pte)  PROT_* of a leaf
 *   void arch_tlb_flush_page(vaddr_t va)   this hart, one page
 *   bool arch_tlb_is_local(void)           true when this hart is the
 *       only one that can hold translations, so that
 *       arch_tlb_shootdown() of one page is arch_tlb_flush_page()
 *
 * This hart only: invalidate cached translations of one page
 * (arch_tlb_flush_page), or of everything (arch_tlb_flush_all). Enough
 * after a map (the calling hart may hold a cached not-valid entry;
 * another hart that does takes a spurious fault, which the kernel's
 * fault path retries after a local fence) and at boot, before other
 * harts run.
 */
#include <asm/mmu.h>

void arch_tlb_flush_all(void);

/*
 * Every online hart: invalidate cached translations of [va, va + size)
 * after an unmap or a protection change (a leaf at va covers its whole
 * superpage), or of everything when size is TLB_FLUSH_ALL, which is what
 * an unlinked table pointer needs. Returns when every hart has fenced,
 * so the range and any frame or table page it mapped may be reused.
 * The arguments match SBI RFENCE's start_addr and size.
 */
#define TLB_FLUSH_ALL ((size_t)-1)
void arch_tlb_shootdown(vaddr_t va, size_t size);

/*
 * Cross-hart calls for the per-hart caches (mm/buddy_pcp.c; the slab
 * magazines may use the same): run fn(arg) once on every online hart,
 * the caller's included (inside fn, cpu_id() is the hart it runs on),
 * and return when every hart has run it. Offline and parked harts are
 * skipped; with one hart online it is a plain call. Requests from
 * several harts are served one at a time.
 *
 * fn runs with interrupts off at a point where its hart is in none of
 * its own per-hart cache paths: from the IPI's interrupt handler, or
 * from a wait loop (a spinlock's, a cross call's or a shootdown's),
 * whose callers keep no copy of per-hart cache state across the wait.
 * So fn may read and change its hart's caches as their owner does, but
 * it must take no lock, never allocate and never print: it only moves
 * per-hart state to where the caller will find it (a hand-off list in
 * arg, say). The caller then does the real work, under the allocators'
 * locks, back in its own context.
 *
 * No deadlock: fn takes nothing, so it always finishes; a target that
 * waits, even for a lock the caller holds and with interrupts off,
 * serves the request inside its wait loop; a hart that wants to make a
 * request while another is in flight waits for its turn in such a
 * loop, serving the one in flight. The caller may hold locks, but its
 * own share of fn runs where it calls, so it must not be inside one of
 * its own per-hart cache paths either (mm calls it with interrupts on,
 * or from code that is in none).
 */
void arch_call_each_cpu(void (*fn)(void *arg), void *arg);

/* Make the table at root the active translation root; return old root. */
paddr_t arch_set_root(paddr_t root);
paddr_t arch_get_root(void);

#endif /* MM_ARCH_H */
