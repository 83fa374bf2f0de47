// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=fdt: the device-tree reader on the live tree the firmware
 * handed over (kernel_fdt()), after OpenSBI's fix-ups. The host tests
 * cover malformed blobs; this suite checks that the real one reads as
 * QEMU virt describes it: header, root cells, /chosen, memory, cpus,
 * the console node, every node and property, phandles.
 */
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/selftest.h"
#include "lib/fdt.h"
#include "lib/string.h"

static const struct fdt *live;

/* The selected console node: stdout-path cut at ':'. */
static int stdout_node(void)
{
	int chosen = fdt_node_by_path(live, "/chosen", 7);
	const char *path = fdt_prop_string(live, chosen, "stdout-path");
	const char *colon;

	if (!path)
		return -EFDT_NOTFOUND;
	colon = strchr(path, ':');
	return fdt_node_by_path(live, path,
				colon ? (size_t)(colon - path) : strlen(path));
}

/* Parse the hex unit address after '@' in name[0..len); false if none. */
static bool unit_address(const char *name, int len, uint64_t *out)
{
	const char *at = name;
	uint64_t v = 0;
	int digits = 0;

	while (at < name + len && *at != '@')
		at++;
	if (at == name + len)
		return false;
	for (const char *p = at + 1; p < name + len; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return digits > 0 && digits <= 16;
}

/* Scenario: the blob header as fdt_open() recorded it. Expect version
 * 16 or later with last_comp_version <= 17, a size within limits, and
 * a second fdt_open() of the same bytes giving the same geometry. */
static void fdt_header_sane(struct ktest *t)
{
	struct fdt again;
	uint32_t size = 0;

	KTEST_EXPECT_GE(t, live->version, 16);
	KTEST_EXPECT_LE(t, live->last_comp_version, 17);
	KTEST_EXPECT_GE(t, live->totalsize, FDT_HEADER_SIZE);
	KTEST_EXPECT_LE(t, live->totalsize, FDT_MAX_SIZE);
	KTEST_EXPECT_EQ(t, fdt_peek_size(live->blob, live->totalsize, &size),
			0);
	KTEST_EXPECT_EQ(t, size, live->totalsize);
	KTEST_ASSERT_EQ(t, fdt_open(&again, live->blob, live->totalsize), 0);
	KTEST_EXPECT_EQ(t, again.off_dt_struct, live->off_dt_struct);
	KTEST_EXPECT_EQ(t, again.size_dt_struct, live->size_dt_struct);
	KTEST_EXPECT_EQ(t, again.off_dt_strings, live->off_dt_strings);
	KTEST_EXPECT_EQ(t, again.size_dt_strings, live->size_dt_strings);
	KTEST_EXPECT_EQ(t, fdt_rsv_count(live) >= 0, 1);
	ktest_info(t, "version %u, %u bytes, %d memreserve entries",
		   live->version, live->totalsize, fdt_rsv_count(live));
}

/* Scenario: the root node. Expect offset 0, an empty name, explicit
 * #address-cells and #size-cells (QEMU virt: 2 and 2) that fdt_cells()
 * accepts, and a compatible string. */
static void fdt_root_cells(struct ktest *t)
{
	int root = fdt_root(live), len = -1, ac = 0, sc = 0;
	uint32_t v;

	KTEST_ASSERT_EQ(t, root, 0);
	KTEST_EXPECT_STREQ(t, fdt_node_name(live, root, &len), "");
	KTEST_EXPECT_EQ(t, len, 0);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(live, root, "#address-cells", &v), 0);
	KTEST_EXPECT(t, v >= 1 && v <= 2);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(live, root, "#size-cells", &v), 0);
	KTEST_EXPECT_EQ(t, fdt_cells(live, root, &ac, &sc), 0);
	KTEST_EXPECT(t, ac >= 1 && sc >= 1);
	KTEST_EXPECT(t, fdt_prop_string(live, root, "compatible") != NULL);
	KTEST_EXPECT_EQ(t, fdt_node_parent(live, root), -EFDT_NOTFOUND);
}

/* Scenario: /chosen and its bootargs (this run was selected through
 * them). Expect a terminated string containing "selftest=". Skipped
 * when the run comes from the memory console's `selftest` instead. */
static void fdt_chosen_bootargs(struct ktest *t)
{
	int chosen = fdt_node_by_path(live, "/chosen", 7);
	const char *args;
	bool found = false;

	if (!cmdline_get("selftest")) {
		ktest_skip(t, "not selected by selftest= (memory console)");
		return;
	}
	KTEST_ASSERT(t, chosen > 0);
	args = fdt_prop_string(live, chosen, "bootargs");
	KTEST_ASSERT_NOT_NULL(t, args);
	for (const char *p = args; *p && !found; p++)
		found = strncmp(p, "selftest=", 9) == 0;
	KTEST_EXPECT(t, found);
	ktest_info(t, "bootargs \"%pE\"", args);
}

/* Scenario: the memory nodes (children of / with device_type "memory").
 * Expect at least one enabled, each with whole reg entries that do not
 * wrap, and at least one entry of non-zero size. A zero-size entry is
 * reported, not failed: the memory map warns about it and ignores it
 * (dts/virt-multi-reg.dts has one on purpose). */
static void fdt_memory_nodes(struct ktest *t)
{
	int node, nodes = 0, sized = 0;

	for (node = fdt_node_first_child(live, 0); node >= 0;
	     node = fdt_node_next_sibling(live, node)) {
		const char *type = fdt_prop_string(live, node, "device_type");
		int n;

		if (!type || strcmp(type, "memory") != 0 ||
		    !fdt_node_is_enabled(live, node))
			continue;
		nodes++;
		n = fdt_reg_count(live, node);
		KTEST_EXPECT_GE(t, n, 1);
		for (int i = 0; i < n; i++) {
			uint64_t base = 0, size = 0;

			KTEST_EXPECT_EQ(
				t, fdt_reg_get(live, node, i, &base, &size), 0);
			sized += size != 0;
			KTEST_EXPECT_GE(t, base + size, base);
			ktest_info(t, "%pE reg[%d] 0x%016lx size 0x%lx%s",
				   fdt_node_name(live, node, NULL), i,
				   (unsigned long)base, (unsigned long)size,
				   size ? "" : " (empty: ignored)");
		}
	}
	KTEST_EXPECT_EQ(t, node, -EFDT_NOTFOUND);
	KTEST_EXPECT_GE(t, nodes, 1);
	KTEST_EXPECT_GE(t, sized, 1);
}

/* Scenario: /cpus. Expect a non-zero one-cell timebase-frequency and
 * at least one cpu child with reg decoded by /cpus' 1/0 cells. */
static void fdt_cpus_timebase(struct ktest *t)
{
	int cpus = fdt_node_by_path(live, "/cpus", 5), cpu, ac, sc;
	uint32_t tb = 0;
	uint64_t hart = ~0ull, size = ~0ull;

	KTEST_ASSERT(t, cpus > 0);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(live, cpus, "timebase-frequency", &tb),
			0);
	KTEST_EXPECT_NE(t, tb, 0);
	KTEST_EXPECT_EQ(t, fdt_cells(live, cpus, &ac, &sc), 0);
	KTEST_EXPECT(t, ac == 1 && sc == 0);
	cpu = fdt_node_child(live, cpus, "cpu", 3);
	KTEST_ASSERT(t, cpu > 0);
	KTEST_EXPECT_EQ(t, fdt_reg_get(live, cpu, 0, &hart, &size), 0);
	KTEST_EXPECT_EQ(t, size, 0);
	KTEST_EXPECT_LT(t, hart, 4096);
	KTEST_EXPECT(t, fdt_node_is_compatible(live, cpu, "riscv"));
	ktest_info(t, "timebase %u Hz, first hart %lu", tb,
		   (unsigned long)hart);
}

/* Scenario: /chosen/stdout-path, alias or absolute, options cut at ':'.
 * Expect it to name an enabled node with a compatible string; skipped
 * when the tree has no usable one (boot then used the SBI console). */
static void fdt_stdout_path(struct ktest *t)
{
	int node = stdout_node();

	if (node < 0) {
		ktest_skip(t, "no stdout-path naming a node in this tree");
		return;
	}
	if (!fdt_node_is_enabled(live, node)) {
		ktest_skip(t, "stdout-path names a disabled node");
		return;
	}
	KTEST_EXPECT(t, fdt_node_is_enabled(live, node));
	KTEST_EXPECT(t, fdt_prop_string(live, node, "compatible") != NULL);
	ktest_info(t, "console node %pE", fdt_node_name(live, node, NULL));
}

/* Scenario: the console node's reg. Expect one entry of non-zero size
 * whose address equals the unit address in the node's name (virt:
 * serial@10000000), when the name has one. */
static void fdt_uart_reg(struct ktest *t)
{
	int node = stdout_node(), len;
	uint64_t base = 0, size = 0, unit = 1;
	const char *name;

	if (node < 0)
		node = fdt_node_by_compatible(live, -1, "ns16550a");
	if (node < 0) {
		ktest_skip(t, "no stdout-path node and no ns16550a UART");
		return;
	}
	name = fdt_node_name(live, node, &len);
	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_ASSERT_EQ(t, fdt_reg_get(live, node, 0, &base, &size), 0);
	KTEST_EXPECT_NE(t, size, 0);
	if (!memchr(name, '@', (size_t)len)) {
		/* spike's console is "/htif": no unit address to compare */
		ktest_info(t, "%pE has no unit address", name);
		return;
	}
	KTEST_EXPECT(t, unit_address(name, len, &unit));
	KTEST_EXPECT_EQ(t, base, unit);
}

/* Scenario: walk every node from the root. Expect each name and every
 * property readable, each node's parent the one the walk's depth says,
 * the walk to end with -EFDT_NOTFOUND at depth 0, more than 5 nodes. */
static void fdt_walk_all(struct ktest *t)
{
	int stack[FDT_MAX_DEPTH];
	int node = -1, depth = 0, nodes = 0, props = 0;

	for (;;) {
		int prop, len;

		node = fdt_node_next(live, node, &depth);
		if (node < 0)
			break;
		KTEST_ASSERT(t, depth >= 1 && depth <= FDT_MAX_DEPTH);
		stack[depth - 1] = node;
		nodes++;
		KTEST_EXPECT(t, fdt_node_name(live, node, &len) != NULL);
		KTEST_EXPECT_EQ(t, fdt_node_parent(live, node),
				depth > 1 ? stack[depth - 2] : -EFDT_NOTFOUND);
		for (prop = fdt_prop_first(live, node); prop >= 0;
		     prop = fdt_prop_next(live, prop)) {
			const char *pname = NULL;

			props++;
			KTEST_EXPECT(t, fdt_prop_by_offset(live, prop, &pname,
							   &len) != NULL);
			KTEST_EXPECT(t, pname && len >= 0);
		}
		KTEST_EXPECT_EQ(t, prop, -EFDT_NOTFOUND);
	}
	KTEST_EXPECT_EQ(t, node, -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, depth, 0);
	KTEST_EXPECT_GT(t, nodes, 5);
	ktest_info(t, "%d nodes, %d properties", nodes, props);
}

/* Scenario: every phandle in the tree, and the poweroff node's regmap.
 * Expect each phandle to lead back to its node, and regmap (if any) to
 * a syscon node. */
static void fdt_phandles(struct ktest *t)
{
	int node = -1, n = 0, po;
	uint32_t ph;

	while ((node = fdt_node_next(live, node, NULL)) >= 0) {
		ph = fdt_node_phandle(live, node);
		if (!ph)
			continue;
		n++;
		KTEST_EXPECT_EQ(t, fdt_node_by_phandle(live, ph), node);
	}
	KTEST_EXPECT_GT(t, n, 0);
	po = fdt_node_by_compatible(live, -1, "syscon-poweroff");
	if (po >= 0 && fdt_prop_u32(live, po, "regmap", &ph) == 0)
		KTEST_EXPECT(t, fdt_node_is_compatible(
					live, fdt_node_by_phandle(live, ph),
					"syscon"));
}

static int fdt_suite_init(void)
{
	live = kernel_fdt();
	return live ? 0 : -EFDT_NOTFOUND;
}

static const struct ktest_case fdt_cases[] = {
	KTEST_CASE(fdt_header_sane),	 KTEST_CASE(fdt_root_cells),
	KTEST_CASE(fdt_chosen_bootargs), KTEST_CASE(fdt_memory_nodes),
	KTEST_CASE(fdt_cpus_timebase),	 KTEST_CASE(fdt_stdout_path),
	KTEST_CASE(fdt_uart_reg),	 KTEST_CASE(fdt_walk_all),
	KTEST_CASE(fdt_phandles),	 KTEST_END,
};

static const struct ktest_suite fdt_suite = {
	.name = "fdt",
	.cases = fdt_cases,
	.init = fdt_suite_init,
};

KTEST_SUITE_REGISTER(fdt_suite, 10);
