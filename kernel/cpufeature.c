// SPDX-License-Identifier: BSD-2-Clause
/*
 * CPU and ISA discovery for the kernel as a whole (Linux's
 * arch/riscv/kernel/cpufeature.c in spirit).
 *
 * Theory of operation
 * -------------------
 * cpufeature_init() runs once on the boot hart, right after the device
 * tree is opened and before anything is mapped with PROT_DEVICE. It
 * scans /cpus (lib/fdt_cpus.c), intersects the extensions of every
 * usable hart with the boot hart's (fdt_cpus_common_ext: a hart the
 * SMP bring-up may start must honour every PTE the kernel writes, as
 * Linux requires of Svpbmt and its T-Head errata), and fixes the
 * memory-attribute scheme with arch_set_mattr():
 *
 *   every such hart has Svpbmt           -> svpbmt   (PBMT=IO for MMIO)
 *   every such hart is a T-Head C906/C910 -> thead-mae (SO|SH for MMIO,
 *                                            C|B|SH for memory)
 *   otherwise                            -> none     (normal PTEs)
 *
 * cpufeature_report() prints, once the console is up:
 *
 *   cpu: hart <id> isa <isa> mmu <sv39|sv48|sv57|none> (<verdict>)
 *   cpu: warning: hart <id>: <why its ISA was refused>; skipped
 *   cpu: memory attributes <none|svpbmt|thead-mae>[ (<x> not on every hart)]
 *
 * and refuses to go on when the tree says the boot hart has no MMU
 * (mmu-type absent or "riscv,none", or ISA letters naming U-mode but not
 * S-mode): the kernel only got this far because the CPU does have one,
 * but the tree is the porter's statement of what the hardware is, and a
 * kernel that quietly contradicts it would hide a wrong tree. The panic
 * reads like head.S's satp check: "mmu: Sv39 not supported by this
 * hart (device tree: ...)", status 2.
 *
 * Other verdicts on the boot hart (disabled, a malformed ISA) are only
 * printed: the kernel is already running on that hart.
 *
 * The early page tables were built before the tree could be read, with
 * T-Head MAE when the SBI's vendor, architecture and implementation ids
 * are T-Head's (arch_boot_mattr, arch/riscv/early_vm.c); when the tree
 * says otherwise, the tree wins and one warning says so:
 *
 *   cpu: warning: the firmware's ids say <s>, the device tree <s>: using
 *     the device tree's                                      (one line)
 *
 * Locking: boot hart only, before other harts start; read-only after.
 */
#include "kernel/cpufeature.h"

#include "kernel/arch.h"
#include "lib/fdt_cpus.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"

static struct fdt_cpu scan[FDT_CPUS_MAX];
static int nscan;
static const struct fdt *cpu_fdt;
static unsigned long boot_hart;
static uint64_t common_ext, any_ext;
static enum riscv_mattr mattr;

void cpufeature_init(const struct fdt *fdt, unsigned long boot_hartid)
{
	int n = fdt_cpus_scan(fdt, scan, FDT_CPUS_MAX);

	cpu_fdt = fdt;
	boot_hart = boot_hartid;
	nscan = n < 0 ? 0 : n > FDT_CPUS_MAX ? FDT_CPUS_MAX : n;
	common_ext = fdt_cpus_common_ext(scan, nscan, boot_hartid, &any_ext);
	mattr = riscv_mattr_choose(common_ext);
	arch_set_mattr(mattr);
}

enum riscv_mattr cpufeature_mattr(void)
{
	return mattr;
}

uint64_t cpufeature_common_ext(void)
{
	return common_ext;
}

static void boot_hart_needs_mmu(const struct fdt_cpu *c)
{
	const char *t = fdt_prop_string(cpu_fdt, c->node, "mmu-type");

	if (strcmp(c->mmu, "none") != 0)
		panic("mmu: Sv39 not supported by this hart (device tree: "
		      "hart %lu riscv,isa names U-mode but not S-mode)",
		      boot_hart);
	if (t)
		panic("mmu: Sv39 not supported by this hart (device tree: "
		      "hart %lu has mmu-type \"%pE\")",
		      boot_hart, t);
	panic("mmu: Sv39 not supported by this hart (device tree: hart %lu "
	      "has no mmu-type)",
	      boot_hart);
}

void cpufeature_report(void)
{
	char line[FDT_CPU_ISA_MAX * 4 + 96];
	const struct fdt_cpu *boot = NULL;

	for (int i = 0; i < nscan; i++) {
		const struct fdt_cpu *c = &scan[i];

		fdt_cpu_line(c, line, sizeof(line));
		printk("%s\n", line);
		if (fdt_cpu_warning_line(c, line, sizeof(line)))
			printk("%s\n", line);
		if (c->verdict != FDT_CPU_NO_REG &&
		    c->verdict != FDT_CPU_DUPLICATE && c->hartid == boot_hart)
			boot = c;
	}
	fdt_cpus_mattr_line(common_ext, any_ext, line, sizeof(line));
	printk("%s\n", line);
	if (arch_boot_mattr != mattr)
		printk("cpu: warning: the firmware's ids say %s, the device "
		       "tree %s: using the device tree's\n",
		       riscv_mattr_name(arch_boot_mattr),
		       riscv_mattr_name(mattr));
	if (boot && (strcmp(boot->mmu, "none") == 0 ||
		     (boot->parsed.modes_named && !boot->parsed.mode_s)))
		boot_hart_needs_mmu(boot);
}
