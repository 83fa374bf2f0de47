// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=mmu: mm/pgtable.c on the live kernel tables, with the MMU on.
 * Mappings go in a scratch gigabyte at the top of the vmalloc range,
 * which vmalloc leaves alone (its arena ends 1 GiB before VMALLOC_END):
 *
 *   VMALLOC_END - 1 GiB  +---------------------------+ MMU_SCRATCH
 *                        | this suite's mappings     |
 *   VMALLOC_END          +---------------------------+
 *
 * Frames come from the kernel's page-table page allocator (zeroed
 * pages). Every case unmaps the whole scratch range before it returns,
 * so a failing case leaves nothing behind. Accesses that must fault go
 * through arch_probe_read()/arch_probe_write(), whose faults resume with
 * -EFAULT instead of ending the run. The kernel table is shared by all
 * harts; every pt_* call takes its lock, and unmaps end with one
 * arch_tlb_shootdown() (mm/pgtable.h), which the faults after an unmap
 * observe on this hart.
 */
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/cpufeature.h"
#include "kernel/selftest.h"
#include "lib/errno.h"
#include "mm/kspace.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/pgtable.h"

#define MMU_SCRATCH MMU_SCRATCH_START /* mm/layout.h */
#define MMU_PROT (PROT_RW | PROT_GLOBAL)

static struct pgtable *kpt;
static const struct pt_alloc *kalloc;

static paddr_t frame_alloc(void)
{
	return kalloc->alloc(kalloc->ctx);
}

static void frame_free(paddr_t pa)
{
	/* The boot allocator cannot free: the page is simply kept. */
	if (pa != PADDR_INVALID && kalloc->free)
		kalloc->free(kalloc->ctx, pa);
}

static void scratch_clear(void)
{
	pt_unmap(kpt, MMU_SCRATCH, MMU_SCRATCH_SIZE);
}

static volatile uint64_t *scratch_word(vaddr_t va)
{
	return (volatile uint64_t *)(uintptr_t)va;
}

/* The physical 2 MiB block holding the kernel's text (always RAM). */
static paddr_t kernel_text_block(void)
{
	paddr_t pa = PADDR_INVALID;

	pt_lookup(kpt, (vaddr_t)(uintptr_t)&kernel_text_block, &pa, NULL, NULL);
	return pa == PADDR_INVALID ? pa : ALIGN_DOWN(pa, SZ_2M);
}

/*
 * Scenario: map a fresh frame at the scratch address and write through
 * the new mapping, then through the linear map. Expect each write read
 * back through the other alias (same physical page), and the frame
 * zeroed to begin with.
 */
static void mmu_map_write_read(struct ktest *t)
{
	paddr_t pa = frame_alloc();
	volatile uint64_t *scratch = scratch_word(MMU_SCRATCH + 0x100);
	volatile uint64_t *linear = phys_to_virt(pa + 0x100);

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH, pa, MMU_PROT), 0);
	if (!t->failures) {
		KTEST_EXPECT_EQ(t, *scratch, 0);
		*scratch = 0x5ca7c4ed0badf00dUL;
		KTEST_EXPECT_EQ(t, *linear, 0x5ca7c4ed0badf00dUL);
		*linear = 0x1234567890abcdefUL;
		KTEST_EXPECT_EQ(t, *scratch, 0x1234567890abcdefUL);
	}
	scratch_clear();
	frame_free(pa);
}

/*
 * Scenario: look up an address inside a page just mapped. Expect the
 * frame plus the offset, RW and global, a 4 KiB leaf.
 */
static void mmu_lookup_reports(struct ktest *t)
{
	paddr_t pa = frame_alloc(), got = 0;
	unsigned int prot = 0;
	size_t size = 0;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH + SZ_4K, pa, MMU_PROT),
			0);
	KTEST_EXPECT_EQ(
		t,
		pt_lookup(kpt, MMU_SCRATCH + SZ_4K + 0x123, &got, &prot, &size),
		0);
	KTEST_EXPECT_EQ(t, got, pa + 0x123);
	KTEST_EXPECT_EQ(t, prot, MMU_PROT);
	KTEST_EXPECT_EQ(t, size, SZ_4K);
	scratch_clear();
	frame_free(pa);
}

/*
 * Scenario: map a page, then try to map it again alone and as part of a
 * larger range. Expect -EEXIST both times, the original translation
 * intact and no table page gained or lost.
 */
static void mmu_remap_refused(struct ktest *t)
{
	paddr_t pa = frame_alloc(), got = 0;
	size_t tables;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH + SZ_2M, pa, MMU_PROT),
			0);
	tables = kpt->table_pages;
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH + SZ_2M, pa, PROT_READ),
			-EEXIST);
	KTEST_EXPECT_EQ(t,
			pt_map(kpt, MMU_SCRATCH + SZ_2M - 2 * SZ_4K, pa,
			       4 * SZ_4K, PROT_READ),
			-EEXIST);
	KTEST_EXPECT_EQ(t, kpt->table_pages, tables);
	KTEST_EXPECT_EQ(
		t, pt_lookup(kpt, MMU_SCRATCH + SZ_2M, &got, NULL, NULL), 0);
	KTEST_EXPECT_EQ(t, got, pa);
	KTEST_EXPECT_EQ(
		t,
		pt_lookup(kpt, MMU_SCRATCH + SZ_2M - SZ_4K, NULL, NULL, NULL),
		-ENOENT);
	scratch_clear();
	frame_free(pa);
}

/*
 * Scenario: map a page, unmap it, unmap it again. Expect lookup -ENOENT
 * after the first unmap and pt_unmap_page -ENOENT the second time.
 */
static void mmu_unmap_then_enoent(struct ktest *t)
{
	paddr_t pa = frame_alloc();

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH, pa, MMU_PROT), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_page(kpt, MMU_SCRATCH), 0);
	KTEST_EXPECT_EQ(t, pt_lookup(kpt, MMU_SCRATCH, NULL, NULL, NULL),
			-ENOENT);
	KTEST_EXPECT_EQ(t, pt_unmap_page(kpt, MMU_SCRATCH), -ENOENT);
	scratch_clear();
	frame_free(pa);
}

/*
 * Scenario: map the 2 MiB block holding the kernel text read-only at a
 * 2 MiB-aligned scratch address, read a word of this function through
 * it, then unmap one page 1 MiB away. Expect a single 2 MiB leaf that
 * reads the same bytes as the kernel's own mapping; after the partial
 * unmap the hole is -ENOENT, its neighbour keeps its translation, and
 * the function's word still reads correctly through a 4 KiB leaf.
 */
static void mmu_2m_leaf_and_split(struct ktest *t)
{
	const vaddr_t va = MMU_SCRATCH + 4 * SZ_2M;
	paddr_t block = kernel_text_block();
	vaddr_t self = (vaddr_t)(uintptr_t)&mmu_2m_leaf_and_split;
	paddr_t self_pa = 0, got = 0;
	vaddr_t alias, hole, nb;
	size_t size = 0;

	KTEST_ASSERT(t, block != PADDR_INVALID);
	KTEST_ASSERT_EQ(t, pt_lookup(kpt, self, &self_pa, NULL, NULL), 0);
	alias = va + (self_pa - block);
	/* A table page may be short: nothing is mapped then. */
	KTEST_ASSERT_EQ_GOTO(t, pt_map(kpt, va, block, SZ_2M, PROT_READ), 0,
			     out);
	KTEST_ASSERT_EQ_GOTO(t, pt_lookup(kpt, alias, NULL, NULL, &size), 0,
			     out);
	KTEST_EXPECT_EQ(t, size, SZ_2M);
	KTEST_EXPECT_EQ(t, *(volatile uint32_t *)alias,
			*(volatile uint32_t *)self);

	/* A page 1 MiB (mod 2 MiB) away from this function's own page. */
	hole = va +
	       ((ALIGN_DOWN(self_pa - block, SZ_4K) + SZ_1M) & (SZ_2M - 1));
	nb = hole - va >= SZ_4K ? hole - SZ_4K : hole + SZ_4K;
	/* The split needs a table page: without one nothing changes. */
	KTEST_ASSERT_EQ_GOTO(t, pt_unmap(kpt, hole, SZ_4K), 0, out);
	KTEST_EXPECT_EQ(t, pt_lookup(kpt, hole, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, pt_lookup(kpt, nb, &got, NULL, &size), 0);
	KTEST_EXPECT_EQ(t, got, block + (nb - va));
	KTEST_EXPECT_EQ(t, size, SZ_4K);
	KTEST_EXPECT_EQ(t, pt_lookup(kpt, alias, NULL, NULL, &size), 0);
	KTEST_EXPECT_EQ(t, size, SZ_4K);
	/* Read through the split tables: the live MMU must agree. */
	KTEST_EXPECT_EQ(t, *(volatile uint32_t *)alias,
			*(volatile uint32_t *)self);
out:
	scratch_clear();
}

/*
 * Scenario: map a page RW, write, protect it read-only. Expect lookup
 * to show READ (still global) without WRITE, and the data still
 * readable through it.
 */
static void mmu_protect_readonly(struct ktest *t)
{
	paddr_t pa = frame_alloc();
	unsigned int prot = 0;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH, pa, MMU_PROT), 0);
	if (!t->failures)
		*scratch_word(MMU_SCRATCH) = 0xfeedfacecafebeefUL;
	KTEST_EXPECT_EQ(
		t, pt_protect(kpt, MMU_SCRATCH, SZ_4K, PROT_READ | PROT_GLOBAL),
		0);
	KTEST_EXPECT_EQ(t, pt_lookup(kpt, MMU_SCRATCH, NULL, &prot, NULL), 0);
	KTEST_EXPECT_EQ(t, prot, PROT_READ | PROT_GLOBAL);
	if (!t->failures)
		KTEST_EXPECT_EQ(t, *scratch_word(MMU_SCRATCH),
				0xfeedfacecafebeefUL);
	scratch_clear();
	frame_free(pa);
}

static const uint64_t mmu_rodata_word = 0x0123456789abcdefUL;

/*
 * Scenario: look up this function and a constant. Expect kernel text
 * READ+EXEC without WRITE, read-only data READ only (W^X).
 */
static void mmu_kernel_image_wx(struct ktest *t)
{
	unsigned int prot = 0;

	KTEST_ASSERT_EQ(t,
			pt_lookup(kpt, (vaddr_t)(uintptr_t)&mmu_kernel_image_wx,
				  NULL, &prot, NULL),
			0);
	KTEST_EXPECT(t, prot & PROT_READ);
	KTEST_EXPECT(t, prot & PROT_EXEC);
	KTEST_EXPECT(t, !(prot & PROT_WRITE));
	KTEST_ASSERT_EQ(t,
			pt_lookup(kpt, (vaddr_t)(uintptr_t)&mmu_rodata_word,
				  NULL, &prot, NULL),
			0);
	KTEST_EXPECT(t, prot & PROT_READ);
	KTEST_EXPECT(t, !(prot & (PROT_WRITE | PROT_EXEC)));
}

/*
 * Scenario: look up the linear-map address of a RAM page. Expect it
 * mapped to that page, READ+WRITE without EXEC.
 */
static void mmu_linear_map_rw_nx(struct ktest *t)
{
	paddr_t pa = frame_alloc(), got = 0;
	unsigned int prot = 0;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t,
			pt_lookup(kpt, (vaddr_t)(uintptr_t)phys_to_virt(pa),
				  &got, &prot, NULL),
			0);
	KTEST_EXPECT_EQ(t, got, pa);
	KTEST_EXPECT(t, prot & PROT_READ);
	KTEST_EXPECT(t, prot & PROT_WRITE);
	KTEST_EXPECT(t, !(prot & PROT_EXEC));
	frame_free(pa);
}

/*
 * Scenario: look up the console UART's ioremap() page and a linear-map
 * RAM page. Expect the UART's leaf to read back PROT_DEVICE exactly when
 * the boot chose a memory-attribute scheme (cpu: memory attributes
 * svpbmt or thead-mae: the PTE carries PBMT=IO or SO|SH), RAM never to,
 * and the UART to be usable through it (this line is printed through
 * it; QEMU faults on PBMT bits when the CPU lacks Svpbmt).
 */
static void mmu_device_memory_type(struct ktest *t)
{
	unsigned int want =
		cpufeature_mattr() != RISCV_MATTR_NONE ? PROT_DEVICE : 0;
	void *uart = console_uart_base();
	paddr_t pa = frame_alloc();
	unsigned int prot = 0;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t,
			pt_lookup(kpt, (vaddr_t)(uintptr_t)phys_to_virt(pa),
				  NULL, &prot, NULL),
			0);
	KTEST_EXPECT_EQ(t, prot & PROT_DEVICE, 0);
	frame_free(pa);
	if (!uart) {
		ktest_skip(t, "no UART mapped (SBI console)");
		return;
	}
	KTEST_EXPECT_EQ(
		t, pt_lookup(kpt, (vaddr_t)(uintptr_t)uart, NULL, &prot, NULL),
		0);
	KTEST_EXPECT_EQ(t, prot & PROT_DEVICE, want);
	KTEST_EXPECT_EQ(t, prot & PROT_RW, PROT_RW);
	ktest_info(t, "memory attributes %s",
		   riscv_mattr_name(cpufeature_mattr()));
}

/*
 * Scenario: map pages in two different 2 MiB regions of the empty
 * scratch gigabyte, then unmap them. Expect three new table pages (one
 * L1, two L0) while mapped, the count back where it was afterwards, and
 * pt_check() clean on the live tables before and after.
 */
static void mmu_tables_freed(struct ktest *t)
{
	paddr_t pa = frame_alloc();
	size_t before = kpt->table_pages;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_EXPECT_EQ(t, pt_check(kpt), 0);
	KTEST_EXPECT_EQ(t, pt_map_page(kpt, MMU_SCRATCH, pa, PROT_READ), 0);
	KTEST_EXPECT_EQ(
		t, pt_map_page(kpt, MMU_SCRATCH + SZ_1G - SZ_4K, pa, PROT_READ),
		0);
	KTEST_EXPECT_EQ(t, kpt->table_pages, before + 3);
	KTEST_EXPECT_EQ(t, pt_unmap_page(kpt, MMU_SCRATCH), 0);
	KTEST_EXPECT_EQ(t, kpt->table_pages, before + 2);
	KTEST_EXPECT_EQ(t, pt_unmap(kpt, MMU_SCRATCH + SZ_1G - SZ_4K, SZ_4K),
			0);
	KTEST_EXPECT_EQ(t, kpt->table_pages, before);
	KTEST_EXPECT_EQ(t, pt_check(kpt), 0);
	scratch_clear();
	frame_free(pa);
}

/* Skip the suite unless the live tables exist and the scratch is free. */
static int mmu_suite_init(void)
{
	kpt = kspace_pgtable();
	kalloc = kspace_pt_alloc();
	if (!kpt || !kalloc || kpt->root == PADDR_INVALID)
		return -ENOENT;
	for (vaddr_t va = MMU_SCRATCH; va - MMU_SCRATCH < MMU_SCRATCH_SIZE;
	     va += SZ_2M)
		if (pt_lookup(kpt, va, NULL, NULL, NULL) != -ENOENT)
			return -EBUSY;
	return 0;
}

static void mmu_suite_exit(void)
{
	scratch_clear();
}

/*
 * Scenario: probe accesses the tables forbid: a page just unmapped, a page
 * just made read-only (written), the boot stack's guard page, NULL, and
 * kernel text and rodata (written with the byte already there, so a
 * broken W^X changes nothing). Expect each to fault (-EFAULT) now, i.e.
 * the hardware sees the change (TLB fenced), while the allowed reads of
 * the read-only page still succeed.
 */
static void mmu_hardware_enforces(struct ktest *t)
{
	paddr_t pa = frame_alloc();
	volatile uint8_t *text =
		(volatile uint8_t *)(uintptr_t)&mmu_kernel_image_wx;
	volatile uint8_t *ro = (volatile uint8_t *)(uintptr_t)&mmu_rodata_word;
	volatile uint8_t *scratch = (volatile uint8_t *)(uintptr_t)MMU_SCRATCH;
	uint8_t v = 0;

	KTEST_ASSERT(t, pa != PADDR_INVALID);
	KTEST_ASSERT_EQ_GOTO(t, pt_map_page(kpt, MMU_SCRATCH, pa, MMU_PROT), 0,
			     out);
	KTEST_EXPECT_EQ(t, arch_probe_write(scratch, 0x5a), 0);
	KTEST_EXPECT_EQ(
		t, pt_protect(kpt, MMU_SCRATCH, SZ_4K, PROT_READ | PROT_GLOBAL),
		0);
	KTEST_EXPECT_EQ(t, arch_probe_write(scratch, 0xa5), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read(scratch, &v), 0);
	KTEST_EXPECT_EQ(t, v, 0x5a);
	KTEST_EXPECT_EQ(t, pt_unmap_page(kpt, MMU_SCRATCH), 0);
	KTEST_EXPECT_EQ(t, arch_probe_read(scratch, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read((const uint8_t *)_stack_guard, &v),
			-EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read(NULL, &v), -EFAULT);
	KTEST_ASSERT_EQ(t, arch_probe_read(text, &v), 0);
	KTEST_EXPECT_EQ(t, arch_probe_write(text, v), -EFAULT);
	KTEST_ASSERT_EQ(t, arch_probe_read(ro, &v), 0);
	KTEST_EXPECT_EQ(t, arch_probe_write(ro, v), -EFAULT);
out:
	scratch_clear();
	frame_free(pa);
}

/*
 * Scenario: three fresh frames mapped with one pt_map_pages() call at
 * consecutive scratch pages, written through the mapping and read back
 * through the linear map; then both pages of a 2-page mapping that the
 * MMU has just used are unmapped through one gather. Expect the frames
 * mapped in order, and after pt_gather_finish (one shootdown on every
 * hart) both pages to fault and the table count back where it was.
 */
static void mmu_map_pages_and_gather(struct ktest *t)
{
	paddr_t pa[3];
	size_t before = kpt->table_pages;
	struct pt_gather g;
	uint8_t v = 0;

	for (int i = 0; i < 3; i++)
		pa[i] = frame_alloc();
	for (int i = 0; i < 3; i++)
		KTEST_ASSERT_GOTO(t, pa[i] != PADDR_INVALID, out);
	KTEST_ASSERT_EQ_GOTO(t, pt_map_pages(kpt, MMU_SCRATCH, pa, 3, MMU_PROT),
			     0, out);
	for (int i = 0; i < 3 && !t->failures; i++) {
		*scratch_word(MMU_SCRATCH + i * SZ_4K + 8) = 0x700d0000UL + i;
		KTEST_EXPECT_EQ(t,
				*(volatile uint64_t *)phys_to_virt(pa[i] + 8),
				0x700d0000UL + i);
	}
	KTEST_EXPECT_EQ(
		t, pt_map_pages(kpt, MMU_SCRATCH + 2 * SZ_4K, pa, 2, MMU_PROT),
		-EEXIST);
	KTEST_EXPECT_EQ(
		t, pt_lookup(kpt, MMU_SCRATCH + 3 * SZ_4K, NULL, NULL, NULL),
		-ENOENT);
	KTEST_EXPECT_EQ(t, pt_unmap(kpt, MMU_SCRATCH + 2 * SZ_4K, SZ_4K), 0);

	/* The MMU has cached both pages now. */
	KTEST_EXPECT_EQ(t, arch_probe_read(scratch_word(MMU_SCRATCH), &v), 0);
	KTEST_EXPECT_EQ(
		t, arch_probe_read(scratch_word(MMU_SCRATCH + SZ_4K), &v), 0);
	pt_gather_init(&g, kpt);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, MMU_SCRATCH, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, MMU_SCRATCH + SZ_4K, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, g.nr_tables, 2);
	pt_gather_finish(&g);
	KTEST_EXPECT_EQ(t, arch_probe_read(scratch_word(MMU_SCRATCH), &v),
			-EFAULT);
	KTEST_EXPECT_EQ(t,
			arch_probe_read(scratch_word(MMU_SCRATCH + SZ_4K), &v),
			-EFAULT);
	KTEST_EXPECT_EQ(t, kpt->table_pages, before);
	KTEST_EXPECT_EQ(t, pt_check(kpt), 0);
out:
	scratch_clear();
	for (int i = 0; i < 3; i++)
		frame_free(pa[i]);
}

static const struct ktest_case mmu_cases[] = {
	KTEST_CASE(mmu_map_write_read),
	KTEST_CASE(mmu_lookup_reports),
	KTEST_CASE(mmu_remap_refused),
	KTEST_CASE(mmu_unmap_then_enoent),
	KTEST_CASE(mmu_2m_leaf_and_split),
	KTEST_CASE(mmu_protect_readonly),
	KTEST_CASE(mmu_kernel_image_wx),
	KTEST_CASE(mmu_linear_map_rw_nx),
	KTEST_CASE(mmu_tables_freed),
	KTEST_CASE(mmu_hardware_enforces),
	KTEST_CASE(mmu_map_pages_and_gather),
	KTEST_CASE(mmu_device_memory_type),
	KTEST_END,
};

static const struct ktest_suite mmu_suite = {
	.name = "mmu",
	.cases = mmu_cases,
	.init = mmu_suite_init,
	.exit = mmu_suite_exit,
};

KTEST_SUITE_REGISTER(mmu_suite, 30);
