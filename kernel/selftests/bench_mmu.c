// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench=vmalloc (group shared with vmalloc's own figures): guest
 * instructions for one-page map and unmap on the live kernel table.
 *
 *   mmu.map_page    pt_map_page() of one 4 KiB page whose page-table
 *                   pages exist, including the table lock and the
 *                   local sfence.vma
 *   mmu.unmap_page  pt_unmap_page() of that page, including the table
 *                   lock and the arch_tlb_shootdown() of the page on
 *                   every online hart; the table stays (a neighbour
 *                   page is mapped)
 *
 * The page is in the scratch gigabyte at VMALLOC_END - 1 GiB that the
 * mmu self-test also uses and vmalloc never touches. Each figure is the
 * mean over BENCH_MMU_ROUNDS calls, each bracketed by bench_instret()
 * reads whose own cost (measured back to back) is subtracted.
 */
#include "kernel/bench.h"
#include "lib/printk.h"
#include "mm/kspace.h"
#include "mm/layout.h"
#include "mm/pgtable.h"

#define BENCH_MMU_ROUNDS 1000
#define BENCH_MMU_VA (MMU_SCRATCH_START + 8 * SZ_2M)
#define BENCH_MMU_PROT (PROT_RW | PROT_GLOBAL)

static void bench_mmu(void)
{
	struct pgtable *pt = kspace_pgtable();
	const struct pt_alloc *alloc = kspace_pt_alloc();
	const vaddr_t va = BENCH_MMU_VA, neighbour = BENCH_MMU_VA + PAGE_SIZE;
	uint64_t map = 0, unmap = 0, empty = 0, a, b, c;
	paddr_t frame = alloc->alloc(alloc->ctx);
	int err = 0;

	if (frame == PADDR_INVALID) {
		printk("bench: warning: mmu: no frame\n");
		return;
	}
	/* Prefault: the neighbour brings in the L1 and L0 tables. */
	err = pt_map_page(pt, neighbour, frame, BENCH_MMU_PROT);
	for (int i = 0; i < BENCH_MMU_ROUNDS && !err; i++) {
		a = bench_instret();
		b = bench_instret();
		empty += b - a;
		a = bench_instret();
		err = pt_map_page(pt, va, frame, BENCH_MMU_PROT);
		b = bench_instret();
		err |= pt_unmap_page(pt, va);
		c = bench_instret();
		map += b - a;
		unmap += c - b;
	}
	pt_unmap(pt, va, 2 * PAGE_SIZE);
	if (alloc->free)
		alloc->free(alloc->ctx, frame);
	if (err) {
		printk("bench: warning: mmu: map/unmap failed (%d)\n", err);
		return;
	}
	bench_report("mmu.map_page", (map - empty) / BENCH_MMU_ROUNDS,
		     "instructions");
	bench_report("mmu.unmap_page", (unmap - empty) / BENCH_MMU_ROUNDS,
		     "instructions");
}

BENCH_REGISTER("vmalloc", bench_mmu);
