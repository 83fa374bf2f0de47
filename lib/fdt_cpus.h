/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harts a device tree describes under /cpus, and whether the kernel
 * can run on each. Portable (the kernel's SMP bring-up and host tests
 * use it); lib/fdt_cpus.c states the rules.
 */
#ifndef LIB_FDT_CPUS_H
#define LIB_FDT_CPUS_H

#include "lib/fdt.h"
#include "lib/riscv_isa.h"

/* Largest hart id accepted (SBI hart masks; OpenSBI's limit is lower). */
#define FDT_CPU_HARTID_MAX 4095u
#define FDT_CPU_ISA_MAX 128 /* bytes kept of the ISA string, with NUL */
#define FDT_CPU_WARNING_MAX 128 /* bytes of an ISA warning, with NUL */
#define FDT_CPUS_MAX 128 /* cpu nodes looked at; more are reported */

enum fdt_cpu_verdict {
	FDT_CPU_USABLE, /* enabled, rv64 with S-mode and an Sv39 MMU */
	FDT_CPU_NO_REG, /* no reg, or reg unreadable: no hart id */
	FDT_CPU_BAD_HARTID, /* hart id above FDT_CPU_HARTID_MAX */
	FDT_CPU_DUPLICATE, /* hart id of an earlier cpu node */
	FDT_CPU_DISABLED, /* status other than "okay" */
	FDT_CPU_NO_MMU, /* mmu-type absent/"riscv,none", or no S-mode */
	FDT_CPU_NOT_RV64, /* the ISA string is not rv64 */
	FDT_CPU_BAD_ISA, /* the ISA string is malformed (see warning) */
	FDT_CPU_ISA_LACKS, /* the ISA lacks i, m, a or c (the kernel's) */
};

struct fdt_cpu {
	int node; /* offset of the cpu node */
	uint64_t hartid; /* reg (valid unless NO_REG) */
	enum fdt_cpu_verdict verdict;
	const char *mmu; /* "sv39", "sv48", "sv57" or "none" */
	/*
	 * riscv,isa as written, or riscv,isa-base with the
	 * riscv,isa-extensions entries appended (letters, then '_' and
	 * each longer name); "" if the node has neither. Cut at
	 * FDT_CPU_ISA_MAX - 1 bytes (isa_cut set); parsed whole.
	 */
	char isa[FDT_CPU_ISA_MAX];
	bool isa_cut;
	/*
	 * What the ISA says (lib/riscv_isa.h). parsed.ext also has
	 * RISCV_ISA_EXT_XTHEADMAE when compatible lists "thead,c906" or
	 * "thead,c910". All zero when there is no ISA or it is malformed.
	 */
	struct riscv_isa parsed;
	/* "" or why the ISA was refused, device-tree text escaped (%pE). */
	char warning[FDT_CPU_WARNING_MAX];
};

/*
 * Fill cpus[0 .. max) with the cpu nodes of /cpus (children whose
 * device_type is "cpu", or, without device_type, named "cpu@..."), in
 * tree order, each with its verdict. Returns the number of cpu nodes
 * found (which may exceed max: only max are stored), or a negative
 * error: -EFDT_NOTFOUND (no /cpus node), -EFDT_BADNCELLS (/cpus cell
 * sizes unusable), or an error from walking the tree.
 */
int fdt_cpus_scan(const struct fdt *fdt, struct fdt_cpu *cpus, int max);

/* A short phrase for a verdict ("disabled", "no MMU", ...). */
const char *fdt_cpu_verdict_name(enum fdt_cpu_verdict v);

/*
 * The contract line for one cpu node, without the newline, into buf
 * (always NUL-terminated when size > 0):
 *   cpu: hart <id> isa <isa> mmu <sv39|sv48|sv57|none> (<verdict>)
 * <id> is "?" without a reg, <isa> "none" without an ISA property (and
 * ends in "..." when cut), <verdict> fdt_cpu_verdict_name(). Returns the
 * length the whole line has (as fmt_snprintf).
 */
int fdt_cpu_line(const struct fdt_cpu *c, char *buf, size_t size);

/*
 * The warning line for a cpu node whose ISA was refused, without the
 * newline:
 *   cpu: warning: hart <id>: <what is wrong>; skipped
 * Returns its length, or 0 (buf left empty) when the node has none.
 */
int fdt_cpu_warning_line(const struct fdt_cpu *c, char *buf, size_t size);

/*
 * The extensions the kernel may use on these harts: the intersection of
 * parsed.ext over every usable hart and the boot hart (whatever its
 * verdict: it runs the kernel). 0 when the boot hart is not among them.
 * *any, if non-NULL, gets the union, to tell "no hart has it" from
 * "not every hart has it".
 */
uint64_t fdt_cpus_common_ext(const struct fdt_cpu *cpus, int n,
			     uint64_t boot_hartid, uint64_t *any);

/*
 * The memory-attribute line, without the newline:
 *   cpu: memory attributes <none|svpbmt|thead-mae>
 * followed, when it is "none" but some hart has Svpbmt or MAE, by
 * " (svpbmt not on every hart)" or " (thead-mae not on every hart)".
 * common and any as from fdt_cpus_common_ext().
 */
int fdt_cpus_mattr_line(uint64_t common, uint64_t any, char *buf, size_t size);

#endif /* LIB_FDT_CPUS_H */
