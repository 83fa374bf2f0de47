// SPDX-License-Identifier: BSD-2-Clause
/*
 * Early page tables, built while the MMU is still off.
 *
 * Runs at the physical load address, so this file must stay position
 * independent: only pc-relative references (the medany code model gives
 * auipc-based addressing), no switch jump tables (built with
 * -fno-jump-tables), no pointers stored in data, no calls outside this
 * file except to functions that obey the same rules.
 *
 * The tables map only:
 *   KERNEL_VA + off -> load_pa + off   for the image, 4 KiB pages, W^X
 *                                       (text RX, rodata R, data/bss RW,
 *                                       the two stack guard pages absent)
 *   FDT_VA .. +4 MiB -> the 2 MiB-aligned region holding the blob, R
 * Both live under root entry 510, in one level-1 table. Later,
 * kspace_init() builds the final tables and these are abandoned.
 *
 * Invariants: I1 the image fits EARLY_PTE_TABLES * 2 MiB; I2 no leaf is
 * both writable and executable; I3 every entry is made by <asm/mmu.h>'s
 * encoding, as the final tables' are (memory-type scheme: none, or
 * T-Head MAE on a T-Head core).
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "mm/arch.h"
#include "mm/layout.h"

#define EARLY_PTE_TABLES 4

uint64_t early_pgd[512] __aligned(4096);
static uint64_t early_pmd[512] __aligned(4096);
static uint64_t early_pte[EARLY_PTE_TABLES][512] __aligned(4096);

extern char _trap_stack_guard[], _trap_stack_guard_end[];

uint64_t early_vm_setup(uint64_t fdt_pa);
void early_trap(const uint64_t *regs);

/* The blob's physical address as the firmware passed it (head.S). */
extern uint64_t early_fdt_pa;
__noreturn void early_no_mmu(uint64_t fdt_pa, uint64_t wrote, uint64_t read);

static inline void sbi_putc_early(char c)
{
	register unsigned long a0 __asm__("a0") = (unsigned char)c;
	register unsigned long a7 __asm__("a7") = 1; /* legacy putchar */

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
}

static void early_puts(const char *s)
{
	while (*s)
		sbi_putc_early(*s++);
}

static void early_puthex(uint64_t v)
{
	early_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		sbi_putc_early("0123456789abcdef"[(v >> i) & 0xf]);
}

/* SBI SRST shutdown with reason "system failure"; never returns. */
static __noreturn void early_srst(void)
{
	register unsigned long a0 __asm__("a0") = 0;
	register unsigned long a1 __asm__("a1") = 1;
	register unsigned long a6 __asm__("a6") = 0;
	register unsigned long a7 __asm__("a7") = 0x53525354; /* SRST */

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * Power off with the panic status: through the sifive,test device when
 * the tree names one (QEMU's SBI reset always exits 0), else SBI SRST
 * with reason "system failure". Never returns.
 */
static __noreturn void early_shutdown(void)
{
	uint64_t test =
		arch_fdt_find_test_device((const void *)(uintptr_t)early_fdt_pa,
					  early_fdt_pa ? 0xffffffffu : 0);

	if (test != ARCH_NO_TEST_DEVICE)
		*(volatile uint32_t *)(uintptr_t)test = 0x3333u | (2u << 16);
	early_srst();
}

static __noreturn void early_fail(const char *what, uint64_t val)
{
	early_puts("\npanic: early boot: ");
	early_puts(what);
	early_puts(" ");
	early_puthex(val);
	early_puts("\n");
	early_shutdown();
}

/*
 * Leaves and table pointers use the kernel's one encoding (<asm/mmu.h>)
 * with the memory-type scheme as it is before the device tree is read
 * (I3): none, so no memory-type bits, which under Svpbmt is PMA, the
 * right type for RAM; or T-Head MAE when the firmware's ids say so
 * (early_probe_mattr).
 */
static uint64_t leaf(uint64_t pa, unsigned int prot)
{
	return arch_pte_leaf(pa, prot | PROT_GLOBAL);
}

static uint64_t table(const void *pa)
{
	return arch_pte_table((uintptr_t)pa);
}

/* SBI base extension call fid (no arguments): 0 and *value, or error. */
static long early_sbi_base(unsigned long fid, unsigned long *value)
{
	register unsigned long a0 __asm__("a0") = 0;
	register unsigned long a1 __asm__("a1") = 0;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = 0x10; /* BASE */

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	*value = a1;
	return (long)a0;
}

#define SBI_BASE_MVENDORID 4
#define SBI_BASE_MARCHID 5
#define SBI_BASE_MIMPID 6
#define THEAD_MVENDORID 0x5b7

/*
 * A T-Head core with MAE on (the C906 and C910; Linux's errata_probe_mae
 * test: vendor T-Head, marchid and mimpid 0) maps memory strongly
 * ordered and uncached unless the PTE says otherwise. Running the image
 * that way would also bypass lines the MMU-off code (bss clearing, these
 * tables) left in the cache, so such a core gets the MAE scheme from the
 * first mapping on, as Linux's early alternatives give it. The device
 * tree decides for the final tables (kernel/cpufeature.c), which warns
 * when it disagrees.
 */
static void early_probe_mattr(void)
{
	unsigned long vendor, arch, imp;

	if (early_sbi_base(SBI_BASE_MVENDORID, &vendor) ||
	    vendor != THEAD_MVENDORID ||
	    early_sbi_base(SBI_BASE_MARCHID, &arch) || arch ||
	    early_sbi_base(SBI_BASE_MIMPID, &imp) || imp)
		return;
	pte_mattr = riscv_pte_mattr_of(RISCV_MATTR_THEAD_MAE);
	riscv_pte_leaf_table_fill(pte_leaf_bits, &pte_mattr);
	arch_boot_mattr = RISCV_MATTR_THEAD_MAE;
}

uint64_t early_vm_setup(uint64_t fdt_pa)
{
	uintptr_t load = (uintptr_t)_start;
	uint64_t size = (uintptr_t)_end - load;
	uint64_t text = (uintptr_t)_etext - load;
	uint64_t rodata = (uintptr_t)_erodata - load;
	uint64_t g1 = (uintptr_t)_stack_guard - load;
	uint64_t g2 = (uintptr_t)_trap_stack_guard - load;

	if (load & 0xfff)
		early_fail("image not page-aligned at", load);
	if (size > EARLY_PTE_TABLES * SZ_2M) /* I1 */
		early_fail("image too large:", size);
	early_probe_mattr();
	early_pgd[(KERNEL_VA >> 30) & 511] = table(early_pmd);
	for (int i = 0; i < EARLY_PTE_TABLES; i++)
		early_pmd[i] = table(early_pte[i]);
	for (uint64_t off = 0; off < size; off += 4096) {
		unsigned int prot;

		if (off == g1 || off == g2)
			continue; /* guard pages stay unmapped */
		if (off < text)
			prot = PROT_RX;
		else if (off < rodata)
			prot = PROT_READ;
		else
			prot = PROT_RW; /* I2 */
		early_pte[off >> 21][(off >> 12) & 511] =
			leaf(load + off, prot);
	}
	if (fdt_pa) {
		uint64_t base = fdt_pa & ~(SZ_2M - 1);

		early_pmd[(FDT_VA >> 21) & 511] = leaf(base, PROT_READ);
		early_pmd[((FDT_VA >> 21) + 1) & 511] =
			leaf(base + SZ_2M, PROT_READ);
	}
	return SATP_MODE_SV39 | ((uintptr_t)early_pgd >> 12);
}

/* Big-endian 32-bit load from the blob (the MMU is off: physical). */
static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static bool early_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Does the string list [s, s + len) hold "sifive,test0" or "...1"? */
static bool early_is_test_compat(const char *s, uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		const char *c = s + i;
		uint32_t n = 0;

		while (i + n < len && c[n])
			n++;
		if (i + n == len)
			return false; /* unterminated */
		if (early_streq(c, "sifive,test0") ||
		    early_streq(c, "sifive,test1"))
			return true;
		i += n + 1;
	}
	return false;
}

/*
 * The physical address of the first sifive,test node's register in the
 * blob b, or ARCH_NO_TEST_DEVICE (not 0: physical address 0 may hold a
 * device, or RAM). A minimal walk for where the kernel's own reader
 * cannot run (no MMU) or refused the blob (too big): every offset is
 * checked against the blob's size, clamped to the limit bytes readable
 * at b; anything unexpected gives ARCH_NO_TEST_DEVICE. Position
 * independent (kernel/arch.h).
 */
uint64_t arch_fdt_find_test_device(const void *blob, uint64_t limit)
{
	const uint8_t *b = blob;
	uint32_t total, off, end, strs, strsz, acells[8] = { 2, 2 };
	bool is_test = false, has_reg = false;
	uint64_t reg = 0;
	int depth = 0;

	if (!b || ((uintptr_t)b & 3) || limit < 40 || be32(b) != 0xd00dfeedu)
		return ARCH_NO_TEST_DEVICE;
	total = be32(b + 4);
	if (total > limit)
		total = (uint32_t)(limit < 0xffffffffu ? limit : 0xffffffffu);
	off = be32(b + 8);
	strs = be32(b + 12);
	strsz = be32(b + 32);
	end = off + be32(b + 36);
	if (total < 40 || off > total || end < off || end > total ||
	    strs > total || strsz > total - strs)
		return ARCH_NO_TEST_DEVICE;
	while (off + 4 <= end) {
		uint32_t tag = be32(b + off);

		off += 4;
		if (tag == 1) { /* FDT_BEGIN_NODE */
			while (off < end && b[off])
				off++;
			off = (off + 4) & ~3u;
			if (++depth >= 8)
				return ARCH_NO_TEST_DEVICE;
			acells[depth] = 2;
			is_test = has_reg = false;
		} else if (tag == 2) { /* FDT_END_NODE */
			if (--depth < 0)
				return ARCH_NO_TEST_DEVICE;
		} else if (tag == 3) { /* FDT_PROP */
			uint32_t len, name;
			const uint8_t *v;
			const char *pn;

			if (off + 8 > end)
				return ARCH_NO_TEST_DEVICE;
			len = be32(b + off);
			name = be32(b + off + 4);
			off += 8;
			if (len > end - off || name >= strsz)
				return ARCH_NO_TEST_DEVICE;
			v = b + off;
			pn = (const char *)b + strs + name;
			off = (off + len + 3) & ~3u;
			if (early_streq(pn, "#address-cells") && len == 4)
				acells[depth] = be32(v);
			else if (early_streq(pn, "compatible"))
				is_test = early_is_test_compat((const char *)v,
							       len);
			else if (early_streq(pn, "reg") && depth > 0 &&
				 acells[depth - 1] >= 1 &&
				 acells[depth - 1] <= 2 &&
				 len >= 4 * acells[depth - 1]) {
				reg = be32(v);
				if (acells[depth - 1] == 2)
					reg = (reg << 32) | be32(v + 4);
				has_reg = true;
			}
			if (is_test && has_reg)
				return reg;
		} else if (tag == 9) { /* FDT_END */
			return ARCH_NO_TEST_DEVICE;
		} else if (tag != 4) { /* not FDT_NOP */
			return ARCH_NO_TEST_DEVICE;
		}
	}
	return ARCH_NO_TEST_DEVICE;
}

/*
 * head.S wrote the Sv39 satp value and read back something else: this
 * hart has no Sv39 (no MMU, or a smaller mode set). The kernel is linked
 * at KERNEL_VA and cannot run; say so and leave with the panic status
 * through the sifive,test device when the tree has one (the SBI reset
 * reports success on QEMU), else through SBI.
 */
__noreturn void early_no_mmu(uint64_t fdt_pa, uint64_t wrote, uint64_t read)
{
	early_puts("\npanic: mmu: Sv39 not supported by this hart (satp "
		   "wrote ");
	early_puthex(wrote);
	early_puts(", read back ");
	early_puthex(read);
	early_puts(")\n");
	early_shutdown();
}

static const char *early_cause_name(uint64_t cause)
{
	switch (cause) {
	case 0:
		return "instruction address misaligned";
	case 1:
		return "fetch access fault";
	case 2:
		return "illegal instruction";
	case 3:
		return "breakpoint";
	case 4:
		return "load address misaligned";
	case 5:
		return "load access fault";
	case 6:
		return "store address misaligned";
	case 7:
		return "store access fault";
	case 8:
		return "environment call";
	case 12:
		return "fetch page fault";
	case 13:
		return "load page fault";
	case 15:
		return "store page fault";
	default:
		return (cause >> 63) ? "interrupt" : "exception";
	}
}

/*
 * The fault report of kernel/trap.c, as far as it can be made with the
 * MMU off and nothing set up: no printk (its console may not exist), no
 * symbols, no page tables. Same line forms, so the harness and a reader
 * parse it the same way; addresses are physical.
 */
void early_trap(const uint64_t *regs)
{
	/* Register names, 4 bytes each: no pointers in data (see top). */
	static const char names[] = "zeroraspgptpt0t1t2s0s1a0a1a2a3a4a5a6a7"
				    "s2s3s4s5s6s7s8s9s10s11t3t4t5t6";
	static const unsigned char len[32] = { 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
					       2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
					       2, 2, 2, 2, 3, 3, 2, 2, 2, 2 };
	uint64_t cause = csr_read(scause), epc = csr_read(sepc);
	uint64_t load = (uintptr_t)_start, end = (uintptr_t)_end;
	unsigned int at = 0;

	early_puts("\nfault: trap before the MMU was on: ");
	early_puts(early_cause_name(cause));
	early_puts(" (scause ");
	early_puthex(cause);
	early_puts(") at ");
	early_puthex(csr_read(stval));
	early_puts(" (sepc ");
	early_puthex(epc);
	early_puts(")\nfault: address is physical (no page tables yet)\n");
	early_puts("fault: sepc is in ");
	if (epc >= load && epc < end) {
		early_puts("the kernel image at offset ");
		early_puthex(epc - load);
		early_puts(" (link address ");
		early_puthex(epc - load + KERNEL_VA);
		early_puts(")\n");
	} else {
		early_puts("no part of the kernel image\n");
	}
	early_puts("regs: sepc ");
	early_puthex(epc);
	early_puts(" sstatus ");
	early_puthex(csr_read(sstatus));
	for (int i = 0; i < 32; i++) {
		unsigned int n = len[i];

		if (i == 0) {
			at += n;
			continue; /* x0: the lines start at ra, as trap.c's */
		}
		if ((i - 1) % 4 == 0)
			early_puts("\nregs:");
		sbi_putc_early(' ');
		for (unsigned int k = 0; k < 4; k++)
			sbi_putc_early(k < n ? names[at + k] : ' ');
		at += n;
		sbi_putc_early(' ');
		early_puthex(regs[i]);
	}
	early_puts("\n");
	early_shutdown();
}
