// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hart discovery from /cpus (devicetree specification v0.4 section 3.7,
 * and Linux's Documentation/devicetree/bindings/riscv/cpus.yaml).
 *
 * A cpu node is usable when, in this order of checks (the first that
 * fails is its verdict):
 *  1. it has a reg, read with /cpus' #address-cells: the hart id;
 *  2. the id is at most FDT_CPU_HARTID_MAX and no earlier node has it;
 *  3. the ISA string, when present, is rv64; it comes from riscv,isa, or
 *     from riscv,isa-base plus the riscv,isa-extensions string list
 *     (single letters appended, longer names joined with '_');
 *  4. it has an MMU that can do Sv39: mmu-type is riscv,sv39, riscv,sv48
 *     or riscv,sv57 (the privileged spec requires Sv48 and Sv57 harts
 *     to support Sv39 too). mmu-type absent or "riscv,none" means no
 *     MMU (the E51 monitor core of the FU540 and PolarFire SoCs). An ISA
 *     string whose single-letter part names privilege modes ('u') but
 *     not 's' also means no MMU. (QEMU 7.2 and current Linux trees name
 *     no modes at all, so the letter test applies only to older trees,
 *     such as "rv64imafdcsu".)
 *  5. status is absent or "okay" (fdt_node_is_enabled). It comes last
 *     because firmware disables the harts it cannot hand to the kernel:
 *     OpenSBI marks an E51 "disabled", and "no MMU" says more.
 *
 * Everything read from the tree is bounds checked by the fdt reader;
 * the ISA copy is cut at FDT_CPU_ISA_MAX - 1 bytes. No allocation, no
 * global state: safe to call from any hart, and from host tools.
 */
#include "lib/fdt_cpus.h"

#include "lib/string.h"

static const char *const verdict_names[] = {
	[FDT_CPU_USABLE] = "usable",
	[FDT_CPU_NO_REG] = "no reg",
	[FDT_CPU_BAD_HARTID] = "hart id above the limit",
	[FDT_CPU_DUPLICATE] = "duplicate hart id",
	[FDT_CPU_DISABLED] = "disabled",
	[FDT_CPU_NO_MMU] = "no MMU",
	[FDT_CPU_NOT_RV64] = "not rv64",
};

const char *fdt_cpu_verdict_name(enum fdt_cpu_verdict v)
{
	if ((unsigned int)v < sizeof(verdict_names) / sizeof(verdict_names[0]))
		return verdict_names[v];
	return "?";
}

static void isa_append(char *isa, size_t *len, const char *s, size_t n)
{
	while (n-- && *len + 1 < FDT_CPU_ISA_MAX)
		isa[(*len)++] = *s++;
	isa[*len] = '\0';
}

/* The ISA string of a cpu node into isa ("" when it has none). */
static void read_isa(const struct fdt *fdt, int node, char *isa)
{
	const char *s = fdt_prop_string(fdt, node, "riscv,isa");
	const char *ext;
	size_t len = 0;
	int elen;

	isa[0] = '\0';
	if (s) {
		isa_append(isa, &len, s, strlen(s));
		return;
	}
	s = fdt_prop_string(fdt, node, "riscv,isa-base");
	if (!s)
		return;
	isa_append(isa, &len, s, strlen(s));
	ext = fdt_prop_get(fdt, node, "riscv,isa-extensions", &elen);
	if (!ext || elen <= 0)
		return;
	/* Single letters first (after the base), then the long names. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < elen;) {
			const char *e = ext + i;
			size_t n = 0;

			while (i + (int)n < elen && e[n])
				n++;
			if (i + (int)n == elen)
				break; /* unterminated tail: ignored */
			if (pass == 0 && n == 1 &&
			    !strchr(isa + (len < 4 ? len : 4), e[0]))
				isa_append(isa, &len, e, 1);
			else if (pass == 1 && n > 1) {
				isa_append(isa, &len, "_", 1);
				isa_append(isa, &len, e, n);
			}
			i += (int)n + 1;
		}
	}
}

static bool isa_names_modes_without_s(const char *isa)
{
	bool u = false, s = false;

	if (strlen(isa) < 4)
		return false;
	for (const char *p = isa + 4; *p && *p != '_'; p++) {
		u |= *p == 'u';
		s |= *p == 's';
	}
	return u && !s;
}

static const char *read_mmu(const struct fdt *fdt, int node)
{
	static const char *const types[] = { "sv39", "sv48", "sv57" };
	const char *t = fdt_prop_string(fdt, node, "mmu-type");

	if (!t || strncmp(t, "riscv,", 6) != 0)
		return "none";
	for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t + 6, types[i]) == 0)
			return types[i];
	return "none";
}

static bool is_cpu_node(const struct fdt *fdt, int node)
{
	const char *dt = fdt_prop_string(fdt, node, "device_type");
	const char *name;
	int len;

	if (dt)
		return strcmp(dt, "cpu") == 0;
	name = fdt_node_name(fdt, node, &len);
	return name && len >= 4 && strncmp(name, "cpu@", 4) == 0;
}

static enum fdt_cpu_verdict judge(const struct fdt *fdt, struct fdt_cpu *c,
				  const struct fdt_cpu *earlier, int nearlier)
{
	uint64_t id;

	if (fdt_reg_get(fdt, c->node, 0, &id, NULL) < 0)
		return FDT_CPU_NO_REG;
	c->hartid = id;
	if (id > FDT_CPU_HARTID_MAX)
		return FDT_CPU_BAD_HARTID;
	for (int i = 0; i < nearlier; i++)
		if (earlier[i].verdict != FDT_CPU_NO_REG &&
		    earlier[i].hartid == id)
			return FDT_CPU_DUPLICATE;
	if (c->isa[0] && strncmp(c->isa, "rv64", 4) != 0)
		return FDT_CPU_NOT_RV64;
	if (strcmp(c->mmu, "none") == 0 || isa_names_modes_without_s(c->isa))
		return FDT_CPU_NO_MMU;
	if (!fdt_node_is_enabled(fdt, c->node))
		return FDT_CPU_DISABLED;
	return FDT_CPU_USABLE;
}

int fdt_cpus_scan(const struct fdt *fdt, struct fdt_cpu *cpus, int max)
{
	int parent = fdt_node_by_path(fdt, "/cpus", 5);
	int ac, sc, err, n = 0;

	if (parent < 0)
		return parent;
	err = fdt_cells(fdt, parent, &ac, &sc);
	if (err)
		return err;
	for (int node = fdt_node_first_child(fdt, parent); node >= 0;
	     node = fdt_node_next_sibling(fdt, node)) {
		struct fdt_cpu c = { .node = node, .hartid = 0 };

		if (!is_cpu_node(fdt, node))
			continue;
		read_isa(fdt, node, c.isa);
		c.mmu = read_mmu(fdt, node);
		c.verdict = judge(fdt, &c, cpus, n < max ? n : max);
		if (n < max)
			cpus[n] = c;
		n++;
	}
	return n;
}
