// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of hart discovery (lib/fdt_cpus.c) on device trees built in
 * memory with libfdt's sequential-write API: each test describes a /cpus
 * node and checks the verdict the kernel's SMP bring-up will act on.
 * Trees QEMU and OpenSBI cannot boot (no /cpus, a cpu without reg) are
 * covered here rather than in the QEMU harness.
 */
#include <libfdt.h>
/* lib/fdt.h has its own FDT_MAGIC (same value). */
#undef FDT_MAGIC
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fdt.h"
#include "lib/fdt_cpus.h"
#include "lib/kernel.h"
#include "lib/tests/host_ktest.h"

#define BLOB_SIZE 8192

/* One cpu node: NULL strings and negative reg mean "property absent". */
struct cpu_desc {
	const char *name;
	long long reg;
	const char *status;
	const char *isa;
	const char *isa_base;
	const char *isa_ext; /* '|'-separated extension list */
	const char *mmu;
	const char *device_type; /* NULL: "cpu" */
	const char *compat; /* '|'-separated compatible list, or NULL */
};

static uint8_t blob[BLOB_SIZE];

static void prop_strlist(void *fdt, const char *name, const char *list)
{
	char buf[256];
	size_t n = strlen(list);

	memcpy(buf, list, n + 1);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	fdt_property(fdt, name, buf, (int)n + 1);
}

/* Build a tree with /cpus (unless !with_cpus) holding the n cpus. */
static struct fdt build(const struct cpu_desc *cpus, int n, bool with_cpus,
			int addr_cells)
{
	struct fdt f;

	fdt_create(blob, sizeof(blob));
	fdt_finish_reservemap(blob);
	fdt_begin_node(blob, "");
	fdt_property_u32(blob, "#address-cells", 2);
	fdt_property_u32(blob, "#size-cells", 2);
	if (with_cpus) {
		fdt_begin_node(blob, "cpus");
		fdt_property_u32(blob, "#address-cells", addr_cells);
		fdt_property_u32(blob, "#size-cells", 0);
		fdt_property_u32(blob, "timebase-frequency", 10000000);
		for (int i = 0; i < n; i++) {
			const struct cpu_desc *c = &cpus[i];

			fdt_begin_node(blob, c->name);
			fdt_property_string(blob, "device_type",
					    c->device_type ? c->device_type
							   : "cpu");
			if (c->reg >= 0 && addr_cells == 1)
				fdt_property_u32(blob, "reg", (uint32_t)c->reg);
			else if (c->reg >= 0)
				fdt_property_u64(blob, "reg", (uint64_t)c->reg);
			if (c->status)
				fdt_property_string(blob, "status", c->status);
			if (c->compat)
				prop_strlist(blob, "compatible", c->compat);
			if (c->isa)
				fdt_property_string(blob, "riscv,isa", c->isa);
			if (c->isa_base)
				fdt_property_string(blob, "riscv,isa-base",
						    c->isa_base);
			if (c->isa_ext)
				prop_strlist(blob, "riscv,isa-extensions",
					     c->isa_ext);
			if (c->mmu)
				fdt_property_string(blob, "mmu-type", c->mmu);
			fdt_end_node(blob);
		}
		fdt_end_node(blob);
	}
	fdt_end_node(blob);
	fdt_finish(blob);
	memset(&f, 0, sizeof(f));
	if (fdt_open(&f, blob, sizeof(blob)))
		abort();
	return f;
}

#define QEMU_ISA "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"

/* Scenario: QEMU virt's /cpus with four harts (riscv,isa without mode
 * letters, mmu-type riscv,sv48). Expect four usable harts 0..3 with mmu
 * "sv48" and the ISA string copied. */
static void cpus_qemu_virt(struct ktest *t)
{
	struct cpu_desc d[4];
	struct fdt_cpu out[8];
	struct fdt f;

	for (int i = 0; i < 4; i++) {
		static char names[4][16];

		snprintf(names[i], sizeof(names[i]), "cpu@%d", i);
		d[i] = (struct cpu_desc){ names[i],	i,    "okay",
					  QEMU_ISA,	NULL, NULL,
					  "riscv,sv48", NULL, NULL };
	}
	f = build(d, 4, true, 1);
	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 8) == 4);
	for (int i = 0; i < 4; i++) {
		KTEST_EXPECT_EQ(t, out[i].verdict, FDT_CPU_USABLE);
		KTEST_EXPECT_EQ(t, out[i].hartid, i);
		KTEST_EXPECT_STREQ(t, out[i].mmu, "sv48");
		KTEST_EXPECT_STREQ(t, out[i].isa, QEMU_ISA);
	}
}

/* Scenario: sifive_u / Icicle Kit shape: hart 0 is an E51 monitor core
 * (rv64imac, no mmu-type; OpenSBI also marks it "disabled"), harts 1..
 * are U54s with riscv,sv39. Expect hart 0 "no MMU" (the more telling
 * reason), the U54 usable, and mmu-type riscv,none also "no MMU". */
static void cpus_monitor_core_has_no_mmu(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, "disabled", "rv64imac_zicsr_zifencei", NULL, NULL,
		  NULL, NULL, NULL },
		{ "cpu@1", 1, "okay", "rv64imafdc_zicsr_zifencei", NULL, NULL,
		  "riscv,sv39", NULL, NULL },
		{ "cpu@2", 2, "okay", "rv64imafdc", NULL, NULL, "riscv,none",
		  NULL, NULL },
	};
	struct fdt_cpu out[4];
	struct fdt f = build(d, 3, true, 1);

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 4) == 3);
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_NO_MMU);
	KTEST_EXPECT_STREQ(t, out[0].mmu, "none");
	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_USABLE);
	KTEST_EXPECT_STREQ(t, out[1].mmu, "sv39");
	KTEST_EXPECT_EQ(t, out[2].verdict, FDT_CPU_NO_MMU);
	KTEST_EXPECT_STREQ(t, fdt_cpu_verdict_name(FDT_CPU_NO_MMU), "no MMU");
}

/* Scenario: an older tree names the modes in riscv,isa: "rv64imafdcsu"
 * has S-mode, "rv64imacu" only U-mode (both with an mmu-type). Expect
 * the first usable, the second "no MMU". */
static void cpus_isa_mode_letters(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, NULL, "rv64imafdcsu", NULL, NULL, "riscv,sv39",
		  NULL, NULL },
		{ "cpu@1", 1, NULL, "rv64imacu", NULL, NULL, "riscv,sv39", NULL,
		  NULL },
	};
	struct fdt_cpu out[2];
	struct fdt f = build(d, 2, true, 1);

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 2) == 2);
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_USABLE);
	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_NO_MMU);
}

/* Scenario: a current binding: riscv,isa-base "rv64i" plus the
 * riscv,isa-extensions list (no riscv,isa). Expect the single letters
 * appended and the long names joined with '_', and the hart usable. */
static void cpus_isa_base_and_extensions(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, "okay", NULL, "rv64i", "i|m|a|f|d|c|zicsr|svpbmt",
		  "riscv,sv39", NULL, NULL },
	};
	struct fdt_cpu out[1];
	struct fdt f = build(d, 1, true, 1);

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 1) == 1);
	KTEST_EXPECT_STREQ(t, out[0].isa, "rv64imafdc_zicsr_svpbmt");
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_USABLE);
}

/* Scenario: malformed and unusable cpu nodes: no reg, a hart id above
 * FDT_CPU_HARTID_MAX, a duplicate id, status "disabled", an rv32 ISA,
 * and a non-cpu child (a cpu-map). Expect one verdict each, the non-cpu
 * child ignored, and the hart ids read where there is a reg. */
static void cpus_bad_nodes(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, "okay", QEMU_ISA, NULL, NULL, "riscv,sv48", NULL,
		  NULL },
		{ "cpu@1", -1, "okay", QEMU_ISA, NULL, NULL, "riscv,sv48", NULL,
		  NULL },
		{ "cpu@1388", 5000, "okay", QEMU_ISA, NULL, NULL, "riscv,sv48",
		  NULL, NULL },
		{ "cpu@0dup", 0, "okay", QEMU_ISA, NULL, NULL, "riscv,sv48",
		  NULL, NULL },
		{ "cpu@2", 2, "disabled", QEMU_ISA, NULL, NULL, "riscv,sv48",
		  NULL, NULL },
		{ "cpu@3", 3, "okay", "rv32imac", NULL, NULL, "riscv,sv32",
		  NULL, NULL },
		{ "cpu-map", -1, NULL, NULL, NULL, NULL, NULL, "cpu-map",
		  NULL },
	};
	struct fdt_cpu out[8];
	struct fdt f = build(d, ARRAY_SIZE(d), true, 1);

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 8) == 6);
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_USABLE);
	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_NO_REG);
	KTEST_EXPECT_EQ(t, out[2].verdict, FDT_CPU_BAD_HARTID);
	KTEST_EXPECT_EQ(t, out[2].hartid, 5000);
	KTEST_EXPECT_EQ(t, out[3].verdict, FDT_CPU_DUPLICATE);
	KTEST_EXPECT_EQ(t, out[4].verdict, FDT_CPU_DISABLED);
	KTEST_EXPECT_EQ(t, out[5].verdict, FDT_CPU_NOT_RV64);
}

/* Scenario: /cpus with #address-cells = <2> and a 64-bit hart id, and a
 * tree with more cpu nodes than the caller's array. Expect the 64-bit id
 * read (and refused as above the limit) and the full count returned
 * while only `max` entries are written. */
static void cpus_cells_and_overflow(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 7, "okay", QEMU_ISA, NULL, NULL, "riscv,sv39", NULL,
		  NULL },
		{ "cpu@1", 0x100000001LL, "okay", QEMU_ISA, NULL, NULL,
		  "riscv,sv39", NULL, NULL },
		{ "cpu@2", 2, "okay", QEMU_ISA, NULL, NULL, "riscv,sv39", NULL,
		  NULL },
	};
	struct fdt_cpu out[2];
	struct fdt f = build(d, 3, true, 2);

	memset(out, 0x5a, sizeof(out));
	KTEST_EXPECT_EQ(t, fdt_cpus_scan(&f, out, 2), 3);
	KTEST_EXPECT_EQ(t, out[0].hartid, 7);
	KTEST_EXPECT_EQ(t, out[1].hartid, 0x100000001ULL);
	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_BAD_HARTID);
}

/* Scenario: a tree with no /cpus node at all. Expect -EFDT_NOTFOUND,
 * which the kernel turns into one warning and a boot on the boot hart. */
static void cpus_missing(struct ktest *t)
{
	struct fdt_cpu out[1];
	struct fdt f = build(NULL, 0, false, 1);

	KTEST_EXPECT_EQ(t, fdt_cpus_scan(&f, out, 1), -EFDT_NOTFOUND);
}

/* Scenario: both ISA forms in one node, riscv,isa-base without its list,
 * a bad list entry, a malformed riscv,isa, an ISA without a, an E base.
 * Expect the base + list form to win (as in Linux), each malformed one
 * "bad ISA string" with a warning line naming the property, the value
 * and the byte, and the others "ISA lacks imac". */
static void cpus_isa_precedence_and_refusals(struct ktest *t)
{
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, "okay", "rv64imac", "rv64i", "i|m|a|c|svpbmt",
		  "riscv,sv39", NULL, NULL },
		{ "cpu@1", 1, "okay", "rv64imac", "rv64i", NULL, "riscv,sv39",
		  NULL, NULL },
		{ "cpu@2", 2, "okay", NULL, "rv64i", "i|m|a|c|Zicsr",
		  "riscv,sv39", NULL, NULL },
		{ "cpu@3", 3, "okay", "rv64imac__zicsr", NULL, NULL,
		  "riscv,sv39", NULL, NULL },
		{ "cpu@4", 4, "okay", "rv64imc", NULL, NULL, "riscv,sv39", NULL,
		  NULL },
		{ "cpu@5", 5, "okay", "rv64emac", NULL, NULL, "riscv,sv39",
		  NULL, NULL },
	};
	struct fdt_cpu out[6];
	struct fdt f = build(d, ARRAY_SIZE(d), true, 1);
	char line[256];

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 6) == 6);
	KTEST_EXPECT_STREQ(t, out[0].isa, "rv64imac_svpbmt");
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_USABLE);
	KTEST_EXPECT(t,
		     out[0].parsed.ext & RISCV_ISA_BIT(RISCV_ISA_EXT_SVPBMT));
	KTEST_EXPECT_EQ(t, fdt_cpu_warning_line(&out[0], line, sizeof(line)),
			0);
	KTEST_EXPECT_STREQ(t, line, "");

	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_BAD_ISA);
	fdt_cpu_warning_line(&out[1], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: warning: hart 1: riscv,isa-base: present "
			   "without riscv,isa-extensions; skipped");
	KTEST_EXPECT_EQ(t, out[2].verdict, FDT_CPU_BAD_ISA);
	fdt_cpu_warning_line(&out[2], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: warning: hart 2: riscv,isa-extensions entry "
			   "'Zicsr': extension name does not start with a "
			   "lower-case letter at byte 0; skipped");
	KTEST_EXPECT_EQ(t, out[3].verdict, FDT_CPU_BAD_ISA);
	KTEST_EXPECT_EQ(t, out[3].parsed.ext, 0);
	fdt_cpu_warning_line(&out[3], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: warning: hart 3: riscv,isa 'rv64imac__zicsr': "
			   "empty extension name at byte 9; skipped");
	fdt_cpu_line(&out[3], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: hart 3 isa rv64imac__zicsr mmu sv39 (bad ISA "
			   "string)");
	KTEST_EXPECT_EQ(t, out[4].verdict, FDT_CPU_ISA_LACKS);
	KTEST_EXPECT_EQ(t, out[5].verdict, FDT_CPU_ISA_LACKS);
	KTEST_EXPECT_STREQ(t, fdt_cpu_verdict_name(FDT_CPU_ISA_LACKS),
			   "ISA lacks imac");
}

/* Scenario: riscv,isa-base that is no base ISA, and
 * riscv,isa-extensions whose last entry lacks its NUL (written raw);
 * then a verdict number past the table. Expect both harts refused as
 * "bad ISA string" with the warning naming the property and the fault,
 * and "?" for the unknown verdict. */
static void cpus_isa_list_malformed(struct ktest *t)
{
	struct fdt_cpu out[2];
	char line[256];
	struct fdt f;

	fdt_create(blob, sizeof(blob));
	fdt_finish_reservemap(blob);
	fdt_begin_node(blob, "");
	fdt_begin_node(blob, "cpus");
	fdt_property_u32(blob, "#address-cells", 1);
	fdt_property_u32(blob, "#size-cells", 0);
	fdt_begin_node(blob, "cpu@0");
	fdt_property_string(blob, "device_type", "cpu");
	fdt_property_u32(blob, "reg", 0);
	fdt_property_string(blob, "riscv,isa-base", "rv64q");
	fdt_property(blob, "riscv,isa-extensions", "i", 2);
	fdt_property_string(blob, "mmu-type", "riscv,sv39");
	fdt_end_node(blob);
	fdt_begin_node(blob, "cpu@1");
	fdt_property_string(blob, "device_type", "cpu");
	fdt_property_u32(blob, "reg", 1);
	fdt_property_string(blob, "riscv,isa-base", "rv64i");
	fdt_property(blob, "riscv,isa-extensions", "i\0m", 3);
	fdt_property_string(blob, "mmu-type", "riscv,sv39");
	fdt_end_node(blob);
	fdt_end_node(blob);
	fdt_end_node(blob);
	fdt_finish(blob);
	KTEST_ASSERT_EQ(t, fdt_open(&f, blob, sizeof(blob)), 0);

	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 2) == 2);
	KTEST_EXPECT_EQ(t, out[0].verdict, FDT_CPU_BAD_ISA);
	fdt_cpu_warning_line(&out[0], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: warning: hart 0: riscv,isa-base 'rv64q': is "
			   "not rv32i, rv32e, rv64i or rv64e at byte 0; "
			   "skipped");
	KTEST_EXPECT_EQ(t, out[1].verdict, FDT_CPU_BAD_ISA);
	fdt_cpu_warning_line(&out[1], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: warning: hart 1: riscv,isa-extensions: last "
			   "entry not NUL-terminated; skipped");
	KTEST_EXPECT_STREQ(t, fdt_cpu_verdict_name((enum fdt_cpu_verdict)99),
			   "?");
}

/* Scenario: the contract lines of QEMU-like, monitor, ISA-less, reg-less
 * and over-long cpu nodes, and an ISA string with a newline in it.
 * Expect exactly the documented forms, "?" for no reg, "none" for no
 * ISA, a cut ISA ending in "...", and the newline escaped. */
static void cpus_contract_lines(struct ktest *t)
{
	static char longisa[200];
	const struct cpu_desc d[] = {
		{ "cpu@0", 0, "okay", "rv64imafdc_zicsr", NULL, NULL,
		  "riscv,sv48", NULL, NULL },
		{ "cpu@1", 1, "okay", "rv64imac", NULL, NULL, "riscv,none",
		  NULL, NULL },
		{ "cpu@2", 2, "okay", NULL, NULL, NULL, "riscv,sv39", NULL,
		  NULL },
		{ "cpu@3", -1, "okay", "rv64imac", NULL, NULL, "riscv,sv39",
		  NULL, NULL },
		{ "cpu@4", 4, "okay", longisa, NULL, NULL, "riscv,sv57", NULL,
		  NULL },
		{ "cpu@5", 5, "okay", "rv64imac\n_x", NULL, NULL, "riscv,sv39",
		  NULL, NULL },
	};
	struct fdt_cpu out[6];
	struct fdt f;
	char line[400];

	strcpy(longisa, "rv64imac");
	while (strlen(longisa) < 180)
		strcat(longisa, "_zicsr");
	f = build(d, ARRAY_SIZE(d), true, 1);
	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 6) == 6);
	fdt_cpu_line(&out[0], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: hart 0 isa rv64imafdc_zicsr mmu sv48 "
			   "(usable)");
	fdt_cpu_line(&out[1], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: hart 1 isa rv64imac mmu none (no MMU)");
	fdt_cpu_line(&out[2], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line, "cpu: hart 2 isa none mmu sv39 (usable)");
	fdt_cpu_line(&out[3], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: hart ? isa rv64imac mmu sv39 (no reg)");
	KTEST_EXPECT(t, out[4].isa_cut);
	KTEST_EXPECT_EQ(t, out[4].verdict, FDT_CPU_USABLE);
	KTEST_EXPECT_EQ(t, strlen(out[4].isa), FDT_CPU_ISA_MAX - 1);
	fdt_cpu_line(&out[4], line, sizeof(line));
	KTEST_EXPECT(t, strncmp(out[4].isa, longisa, FDT_CPU_ISA_MAX - 1) == 0);
	KTEST_EXPECT(t, strstr(line, "_zics... mmu sv57 (usable)") != NULL);
	KTEST_EXPECT_EQ(t, out[5].verdict, FDT_CPU_BAD_ISA);
	fdt_cpu_line(&out[5], line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: hart 5 isa rv64imac\\x0a_x mmu sv39 (bad ISA "
			   "string)");
}

/* Scenario: the memory-attribute choice over several harts: all with
 * svpbmt; one usable hart without; the hart without it disabled (not
 * counted); T-Head C906/C910 compatibles; a boot hart missing from the
 * list. Expect the intersection over usable harts and the boot hart,
 * and the documented line for each case. */
static void cpus_memory_attributes(struct ktest *t)
{
	const char *pb = "rv64imac_svpbmt";
	struct cpu_desc d[] = {
		{ "cpu@0", 0, "okay", pb, NULL, NULL, "riscv,sv39", NULL,
		  NULL },
		{ "cpu@1", 1, "okay", pb, NULL, NULL, "riscv,sv39", NULL,
		  NULL },
		{ "cpu@2", 2, "okay", "rv64imac", NULL, NULL, "riscv,none",
		  NULL, NULL },
	};
	struct fdt_cpu out[3];
	struct fdt f = build(d, 3, true, 1);
	uint64_t common, any;
	char line[128];

	/* Hart 2 has no MMU: not started, not counted. */
	KTEST_ASSERT(t, fdt_cpus_scan(&f, out, 3) == 3);
	common = fdt_cpus_common_ext(out, 3, 0, &any);
	fdt_cpus_mattr_line(common, any, line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line, "cpu: memory attributes svpbmt");
	/* The boot hart counts whatever its verdict. */
	common = fdt_cpus_common_ext(out, 3, 2, &any);
	fdt_cpus_mattr_line(common, any, line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: memory attributes none (svpbmt not on every "
			   "hart)");
	/* A boot hart not in /cpus: nothing is known of it. */
	KTEST_EXPECT_EQ(t, fdt_cpus_common_ext(out, 3, 9, NULL), 0);

	/* A usable hart without svpbmt. */
	d[2].mmu = "riscv,sv39";
	f = build(d, 3, true, 1);
	fdt_cpus_scan(&f, out, 3);
	common = fdt_cpus_common_ext(out, 3, 0, &any);
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(common), RISCV_MATTR_NONE);
	/* ... disabled, so never started. */
	d[2].status = "disabled";
	f = build(d, 3, true, 1);
	fdt_cpus_scan(&f, out, 3);
	common = fdt_cpus_common_ext(out, 3, 0, &any);
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(common), RISCV_MATTR_SVPBMT);

	/* T-Head: Allwinner D1 (C906) and TH1520 (C910) compatibles. */
	for (int i = 0; i < 3; i++) {
		d[i].isa = "rv64imafdc";
		d[i].status = "okay";
		d[i].compat = i ? "thead,c910|riscv" : "thead,c906|riscv";
	}
	f = build(d, 3, true, 1);
	fdt_cpus_scan(&f, out, 3);
	common = fdt_cpus_common_ext(out, 3, 1, &any);
	fdt_cpus_mattr_line(common, any, line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line, "cpu: memory attributes thead-mae");
	d[2].compat = "sifive,u74|riscv";
	f = build(d, 3, true, 1);
	fdt_cpus_scan(&f, out, 3);
	common = fdt_cpus_common_ext(out, 3, 1, &any);
	fdt_cpus_mattr_line(common, any, line, sizeof(line));
	KTEST_EXPECT_STREQ(t, line,
			   "cpu: memory attributes none (thead-mae not on "
			   "every hart)");
}

static const struct ktest_case fdt_cpus_cases[] = {
	KTEST_CASE(cpus_qemu_virt),
	KTEST_CASE(cpus_monitor_core_has_no_mmu),
	KTEST_CASE(cpus_isa_mode_letters),
	KTEST_CASE(cpus_isa_base_and_extensions),
	KTEST_CASE(cpus_bad_nodes),
	KTEST_CASE(cpus_cells_and_overflow),
	KTEST_CASE(cpus_missing),
	KTEST_CASE(cpus_isa_precedence_and_refusals),
	KTEST_CASE(cpus_isa_list_malformed),
	KTEST_CASE(cpus_contract_lines),
	KTEST_CASE(cpus_memory_attributes),
	KTEST_END,
};

static const struct ktest_suite fdt_cpus_suite = { "fdt_cpus", fdt_cpus_cases,
						   NULL, NULL };

KTEST_HOST_MAIN(&fdt_cpus_suite)
