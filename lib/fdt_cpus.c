// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hart discovery from /cpus (devicetree specification v0.4 section 3.7,
 * and Linux's Documentation/devicetree/bindings/riscv/cpus.yaml).
 *
 * A cpu node is usable when, in this order of checks (the first that
 * fails is its verdict):
 *  1. it has a reg, read with /cpus' #address-cells: the hart id;
 *  2. the id is at most FDT_CPU_HARTID_MAX and no earlier node has it;
 *  3. the ISA, when the node has one, parses (lib/riscv_isa.c; refused:
 *     "bad ISA string", with the reason in warning), is rv64 and has
 *     i, m, a and c, the letters the kernel is built for. It comes
 *     from riscv,isa-base plus the riscv,isa-extensions string list when
 *     riscv,isa-base is present (that form takes precedence, as in
 *     Linux; riscv,isa-base without the list is malformed), else from
 *     riscv,isa. A node with neither makes no claim and passes;
 *  4. it has an MMU that can do Sv39: mmu-type is riscv,sv39, riscv,sv48
 *     or riscv,sv57 (the privileged spec requires Sv48 and Sv57 harts
 *     to support Sv39 too). mmu-type absent or "riscv,none" means no
 *     MMU (the E51 monitor core of the FU540 and PolarFire SoCs). An ISA
 *     string that names privilege modes as letters ('u') but not 's'
 *     also means no MMU. (QEMU 7.2 and current Linux trees name no
 *     modes at all, so the letter test applies only to older trees,
 *     such as "rv64imafdcsu".)
 *  5. status is absent or "okay" (fdt_node_is_enabled). It comes last
 *     because firmware disables the harts it cannot hand to the kernel:
 *     OpenSBI marks an E51 "disabled", and "no MMU" says more.
 *
 * A compatible of "thead,c906" or "thead,c910" adds the T-Head memory
 * attribute extension (RISCV_ISA_EXT_XTHEADMAE) to parsed.ext: those
 * cores have MAE, which the firmware enables (mxstatus.MAEE); Linux keys
 * the same errata on the T-Head vendor id.
 *
 * Everything read from the tree is bounds checked by the fdt reader;
 * the ISA copy is cut at FDT_CPU_ISA_MAX - 1 bytes, the ISA itself is
 * parsed whole. No allocation, no global state: safe to call from any
 * hart, and from host tools; the line formatters are the kernel's and
 * the host tools' one spelling of the "cpu:" lines.
 */
#include "lib/fdt_cpus.h"

#include "lib/fmt.h"
#include "lib/string.h"

static const char *const verdict_names[] = {
	[FDT_CPU_USABLE] = "usable",
	[FDT_CPU_NO_REG] = "no reg",
	[FDT_CPU_BAD_HARTID] = "hart id above the limit",
	[FDT_CPU_DUPLICATE] = "duplicate hart id",
	[FDT_CPU_DISABLED] = "disabled",
	[FDT_CPU_NO_MMU] = "no MMU",
	[FDT_CPU_NOT_RV64] = "not rv64",
	[FDT_CPU_BAD_ISA] = "bad ISA string",
	[FDT_CPU_ISA_LACKS] = "ISA lacks imac",
};

const char *fdt_cpu_verdict_name(enum fdt_cpu_verdict v)
{
	if ((unsigned int)v < sizeof(verdict_names) / sizeof(verdict_names[0]))
		return verdict_names[v];
	return "?";
}

static void isa_append(struct fdt_cpu *c, size_t *len, const char *s, size_t n)
{
	while (n--) {
		if (*len + 1 >= FDT_CPU_ISA_MAX) {
			c->isa_cut = true;
			break;
		}
		c->isa[(*len)++] = *s++;
	}
	c->isa[*len] = '\0';
}

static void isa_refuse(struct fdt_cpu *c, const char *prop, const char *value,
		       const char *what, size_t at)
{
	if (value)
		fmt_snprintf(c->warning, sizeof(c->warning),
			     "%s '%pE': %s at byte %zu", prop, value, what, at);
	else
		fmt_snprintf(c->warning, sizeof(c->warning), "%s: %s", prop,
			     what);
	c->parsed = (struct riscv_isa){ 0 };
}

/*
 * riscv,isa-base plus riscv,isa-extensions: the printable string in
 * c->isa, the extensions in c->parsed; false (and c->warning) if either
 * property is malformed.
 */
static bool read_isa_list(const struct fdt *fdt, int node, const char *base,
			  struct fdt_cpu *c)
{
	const char *ext;
	size_t len = 0;
	int elen;

	isa_append(c, &len, base, strlen(base));
	if (riscv_isa_parse_base(base, &c->parsed)) {
		isa_refuse(c, "riscv,isa-base", base, c->parsed.error, 0);
		return false;
	}
	ext = fdt_prop_get(fdt, node, "riscv,isa-extensions", &elen);
	if (!ext || elen <= 0) {
		isa_refuse(c, "riscv,isa-base", NULL,
			   "present without riscv,isa-extensions", 0);
		return false;
	}
	if (ext[elen - 1] != '\0') {
		isa_refuse(c, "riscv,isa-extensions", NULL,
			   "last entry not NUL-terminated", 0);
		return false;
	}
	/* Single letters first (after the base), then the long names. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < elen;) {
			const char *e = ext + i;
			size_t n = strlen(e);

			if (pass == 0 &&
			    riscv_isa_add_name(&c->parsed, e, n) < 0) {
				isa_refuse(c, "riscv,isa-extensions entry", e,
					   c->parsed.error, c->parsed.error_at);
				return false;
			}
			if (pass == 0 && n == 1 && !strchr(c->isa + 4, e[0]))
				isa_append(c, &len, e, 1);
			else if (pass == 1 && n > 1) {
				isa_append(c, &len, "_", 1);
				isa_append(c, &len, e, n);
			}
			i += (int)n + 1;
		}
	}
	return true;
}

/*
 * The ISA of a cpu node into c->isa (the printable string) and
 * c->parsed; c->warning when it is malformed. Returns false then.
 */
static bool read_isa(const struct fdt *fdt, int node, struct fdt_cpu *c)
{
	const char *base = fdt_prop_string(fdt, node, "riscv,isa-base");
	const char *s;
	size_t len = 0;

	c->isa[0] = '\0';
	if (base)
		return read_isa_list(fdt, node, base, c);
	s = fdt_prop_string(fdt, node, "riscv,isa");
	if (!s)
		return true;
	isa_append(c, &len, s, strlen(s));
	if (riscv_isa_parse(s, &c->parsed)) {
		isa_refuse(c, "riscv,isa", s, c->parsed.error,
			   c->parsed.error_at);
		return false;
	}
	return true;
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
				  const struct fdt_cpu *earlier, int nearlier,
				  bool isa_ok)
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
	if (!isa_ok)
		return FDT_CPU_BAD_ISA;
	if (c->isa[0] && c->parsed.xlen != 64)
		return FDT_CPU_NOT_RV64;
	if (c->isa[0] && (c->parsed.ext & RISCV_ISA_KERNEL_LETTERS) !=
				 RISCV_ISA_KERNEL_LETTERS)
		return FDT_CPU_ISA_LACKS;
	if (strcmp(c->mmu, "none") == 0 ||
	    (c->parsed.modes_named && !c->parsed.mode_s))
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
		bool isa_ok;

		if (!is_cpu_node(fdt, node))
			continue;
		isa_ok = read_isa(fdt, node, &c);
		if (fdt_node_is_compatible(fdt, node, "thead,c906") ||
		    fdt_node_is_compatible(fdt, node, "thead,c910"))
			c.parsed.ext |= RISCV_ISA_BIT(RISCV_ISA_EXT_XTHEADMAE);
		c.mmu = read_mmu(fdt, node);
		c.verdict = judge(fdt, &c, cpus, n < max ? n : max, isa_ok);
		if (n < max)
			cpus[n] = c;
		n++;
	}
	return n;
}

int fdt_cpu_line(const struct fdt_cpu *c, char *buf, size_t size)
{
	char id[24];

	if (c->verdict == FDT_CPU_NO_REG)
		fmt_snprintf(id, sizeof(id), "?");
	else
		fmt_snprintf(id, sizeof(id), "%lu", (unsigned long)c->hartid);
	return fmt_snprintf(buf, size, "cpu: hart %s isa %pE%s mmu %s (%s)", id,
			    c->isa[0] ? c->isa : "none",
			    c->isa_cut ? "..." : "", c->mmu,
			    fdt_cpu_verdict_name(c->verdict));
}

int fdt_cpu_warning_line(const struct fdt_cpu *c, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!c->warning[0])
		return 0;
	if (c->verdict == FDT_CPU_NO_REG)
		return fmt_snprintf(buf, size, "cpu: warning: hart ?: %s",
				    c->warning);
	return fmt_snprintf(buf, size, "cpu: warning: hart %lu: %s%s",
			    (unsigned long)c->hartid, c->warning,
			    c->verdict == FDT_CPU_BAD_ISA ? "; skipped" : "");
}

uint64_t fdt_cpus_common_ext(const struct fdt_cpu *cpus, int n,
			     uint64_t boot_hartid, uint64_t *any)
{
	uint64_t common = ~0ULL, some = 0;
	bool boot_seen = false;

	for (int i = 0; i < n; i++) {
		const struct fdt_cpu *c = &cpus[i];
		bool boot = c->verdict != FDT_CPU_NO_REG &&
			    c->verdict != FDT_CPU_DUPLICATE &&
			    c->hartid == boot_hartid;

		if (!boot && c->verdict != FDT_CPU_USABLE)
			continue;
		boot_seen |= boot;
		common &= c->parsed.ext;
		some |= c->parsed.ext;
	}
	if (any)
		*any = some;
	return boot_seen ? common : 0;
}

int fdt_cpus_mattr_line(uint64_t common, uint64_t any, char *buf, size_t size)
{
	enum riscv_mattr m = riscv_mattr_choose(common);
	enum riscv_mattr partial = riscv_mattr_choose(any);

	if (m == RISCV_MATTR_NONE && partial != RISCV_MATTR_NONE)
		return fmt_snprintf(buf, size,
				    "cpu: memory attributes none (%s not on "
				    "every hart)",
				    riscv_mattr_name(partial));
	return fmt_snprintf(buf, size, "cpu: memory attributes %s",
			    riscv_mattr_name(m));
}
