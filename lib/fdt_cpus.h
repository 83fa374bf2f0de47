/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harts a device tree describes under /cpus, and whether the kernel
 * can run on each. Portable (the kernel's SMP bring-up and host tests
 * use it); lib/fdt_cpus.c states the rules.
 */
#ifndef LIB_FDT_CPUS_H
#define LIB_FDT_CPUS_H

#include "lib/fdt.h"

/* Largest hart id accepted (SBI hart masks; OpenSBI's limit is lower). */
#define FDT_CPU_HARTID_MAX 4095u
#define FDT_CPU_ISA_MAX 96 /* bytes kept of the ISA string, with NUL */
#define FDT_CPUS_MAX 128 /* cpu nodes looked at; more are reported */

enum fdt_cpu_verdict {
	FDT_CPU_USABLE, /* enabled, rv64 with S-mode and an Sv39 MMU */
	FDT_CPU_NO_REG, /* no reg, or reg unreadable: no hart id */
	FDT_CPU_BAD_HARTID, /* hart id above FDT_CPU_HARTID_MAX */
	FDT_CPU_DUPLICATE, /* hart id of an earlier cpu node */
	FDT_CPU_DISABLED, /* status other than "okay" */
	FDT_CPU_NO_MMU, /* mmu-type absent/"riscv,none", or no S-mode */
	FDT_CPU_NOT_RV64, /* the ISA string is not rv64 */
};

struct fdt_cpu {
	int node; /* offset of the cpu node */
	uint64_t hartid; /* reg (valid unless NO_REG) */
	enum fdt_cpu_verdict verdict;
	const char *mmu; /* "sv39", "sv48", "sv57" or "none" */
	char isa[FDT_CPU_ISA_MAX]; /* "rv64imac_zicsr", or "" if none */
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

#endif /* LIB_FDT_CPUS_H */
