// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the device-tree reader (lib/fdt.c, lib/fdt_ro.c)
 * and the memory map built from it (mm/memmap.c). Built and run by
 * `make fuzz` (FUZZ_SECONDS), seeded with the blobs compiled from dts/.
 *
 * Scenario: each input is copied into a heap buffer of exactly its size
 * and offered to fdt_open() with avail = size, so ASan flags any read
 * past what the caller said it had. A rejected blob must leave a zeroed
 * struct fdt on which every accessor fails. An accepted one is walked
 * with every accessor of lib/fdt.h, at real offsets and at arbitrary
 * ones, fed to memmap_from_fdt(), and its /cpus scanned with
 * fdt_cpus_scan() (ISA strings through lib/riscv_isa.c) and printed
 * with the "cpu:" line formatters.
 *
 * Expect: no sanitizer report, no hang, and every contract check below
 * holding (a failed check prints what it saw and aborts, which libFuzzer
 * records as a crash). Set FUZZ_FDT_VERBOSE=1 to see printk output
 * (memmap warnings, panics) when replaying an input.
 *
 * Per-input work is capped (FUZZ_*_MAX) where an accessor is linear in
 * the blob, so quadratic walks stay fast on 64 KiB inputs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/fdt.h"
#include "lib/fdt_cpus.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/memmap.h"

#define FUZZ_NODES_MAX 128 /* nodes given the full per-node treatment */
#define FUZZ_REG_MAX 64 /* reg entries decoded per node */
#define FUZZ_PHANDLES_MAX 64 /* phandles looked up again by value */
#define FUZZ_RSV_MAX 256 /* reservation entries read */
#define FUZZ_OFFSETS_MAX 2048 /* arbitrary offsets tried */
#define FUZZ_PATH_SIZE 512 /* longest path rebuilt from node names */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, fmt, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"fuzz_fdt: %s:%d: CHECK(%s) failed: " fmt      \
				"\n",                                          \
				__func__, __LINE__, #cond, ##__VA_ARGS__);     \
			abort();                                               \
		}                                                              \
	} while (0)

/* Keeps the compiler from dropping reads whose only purpose is ASan's. */
static volatile unsigned int fuzz_sink;

static void touch(const void *p, size_t len)
{
	const uint8_t *b = p;
	unsigned int sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	fuzz_sink += sum;
}

static void stderr_sink(const char *s, size_t len)
{
	fwrite(s, 1, len, stderr);
}

static void fuzz_panic(void)
{
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	printk_set_sink(getenv("FUZZ_FDT_VERBOSE") ? stderr_sink : NULL);
	panic_set_hook(fuzz_panic);
	return 0;
}

/* A node name (or NULL with the error in *lenp) checked for its contract. */
static const char *check_name(const struct fdt *fdt, int node, int *lenp)
{
	const char *name = fdt_node_name(fdt, node, lenp);

	if (!name) {
		CHECK(*lenp < 0, "node %d: NULL name, len %d", node, *lenp);
		return NULL;
	}
	CHECK(*lenp >= 0 && strlen(name) == (size_t)*lenp, "node %d len %d",
	      node, *lenp);
	return name;
}

/* A rejected blob leaves a zeroed struct on which everything fails. */
static void check_rejected(const struct fdt *fdt)
{
	static const struct fdt zero;
	uint64_t a, s;
	int len;

	CHECK(memcmp(fdt, &zero, sizeof(zero)) == 0, "struct fdt not zeroed");
	CHECK(fdt_root(fdt) < 0, "root on zeroed fdt");
	CHECK(fdt_node_next(fdt, -1, NULL) < 0, "walk on zeroed fdt");
	CHECK(fdt_node_by_path(fdt, "/", 1) < 0, "path on zeroed fdt");
	CHECK(fdt_prop_get(fdt, 0, "reg", &len) == NULL && len < 0,
	      "prop on zeroed fdt");
	CHECK(fdt_rsv_count(fdt) < 0, "rsv count on zeroed fdt");
	CHECK(fdt_rsv_get(fdt, 0, &a, &s) < 0, "rsv get on zeroed fdt");
}

/* Every property of `node`, by offset and again by name. */
static void check_props(const struct fdt *fdt, int node)
{
	int prop, last = node;

	for (prop = fdt_prop_first(fdt, node); prop >= 0;
	     prop = fdt_prop_next(fdt, prop)) {
		const char *name = NULL, *s;
		const void *v, *v2;
		int len, len2;
		uint32_t u;

		CHECK(prop > last, "prop %d after %d", prop, last);
		last = prop;
		v = fdt_prop_by_offset(fdt, prop, &name, &len);
		CHECK(v && name && len >= 0, "prop %d: v %p name %p len %d",
		      prop, v, (const void *)name, len);
		touch(v, (size_t)len);
		touch(name, strlen(name) + 1);

		/* By name: the first property so called, maybe not this one. */
		v2 = fdt_prop_get(fdt, node, name, &len2);
		CHECK(v2 && len2 >= 0, "node %d prop '%s': get %d", node, name,
		      len2);
		s = fdt_prop_string(fdt, node, name);
		if (s)
			CHECK(len2 >= 1 && s[len2 - 1] == '\0', "string '%s'",
			      name);
		if (fdt_prop_u32(fdt, node, name, &u) == 0)
			CHECK(len2 == 4, "u32 '%s' len %d", name, len2);
		fuzz_sink += fdt_strlist_contains(v, len, "memory");
	}
	CHECK(prop == -EFDT_NOTFOUND, "node %d: prop walk ended with %d", node,
	      prop);
}

/* Cells and reg of `node`: every entry, then the ends. */
static void check_reg(const struct fdt *fdt, int node)
{
	uint64_t addr, size;
	int ac, sc, n, err;

	err = fdt_cells(fdt, node, &ac, &sc);
	if (err == 0)
		CHECK(ac >= 1 && ac <= 2 && sc >= 0 && sc <= 2, "cells %d %d",
		      ac, sc);
	else
		CHECK(err < 0, "fdt_cells %d", err);

	n = fdt_reg_count(fdt, node);
	if (n < 0) {
		CHECK(fdt_reg_get(fdt, node, 0, &addr, &size) == n,
		      "node %d: reg_get disagrees with reg_count %d", node, n);
		return;
	}
	for (int i = 0; i < n && i < FUZZ_REG_MAX; i++) {
		err = fdt_reg_get(fdt, node, i, &addr, &size);
		CHECK(err == 0, "node %d reg[%d]/%d: %d", node, i, n, err);
	}
	CHECK(fdt_reg_get(fdt, node, n, NULL, NULL) == -EFDT_NOTFOUND,
	      "node %d: reg[%d] past the end", node, n);
	CHECK(fdt_reg_get(fdt, node, -1, NULL, NULL) == -EFDT_NOTFOUND,
	      "node %d: reg[-1]", node);
}

/* Children and siblings agree with the document-order walk. */
static void check_family(const struct fdt *fdt, int node)
{
	int child = fdt_node_first_child(fdt, node), next;

	if (child >= 0) {
		CHECK(child > node, "child %d of %d", child, node);
		CHECK(fdt_node_parent(fdt, child) == node, "parent of %d",
		      child);
	} else {
		CHECK(child == -EFDT_NOTFOUND, "first child of %d: %d", node,
		      child);
	}
	next = fdt_node_next_sibling(fdt, node);
	if (next >= 0)
		CHECK(next > node && fdt_node_parent(fdt, next) ==
					     fdt_node_parent(fdt, node),
		      "sibling %d of %d", next, node);
	else
		CHECK(next == -EFDT_NOTFOUND, "sibling of %d: %d", node, next);
}

/* The path to a node is found (maybe a same-named twin), never misread. */
static void check_path(const struct fdt *fdt, const char *path, size_t len)
{
	int node = fdt_node_by_path(fdt, path, len), nlen;

	if (node >= 0)
		CHECK(check_name(fdt, node, &nlen) != NULL, "path %.*s -> %d",
		      (int)len, path, node);
}

/* Every alias in /aliases, resolved. */
static void check_aliases(const struct fdt *fdt)
{
	int aliases = fdt_node_by_path(fdt, "/aliases", 8), prop;

	if (aliases < 0)
		return;
	for (prop = fdt_prop_first(fdt, aliases); prop >= 0;
	     prop = fdt_prop_next(fdt, prop)) {
		const char *name;
		int len;

		if (fdt_prop_by_offset(fdt, prop, &name, &len))
			check_path(fdt, name, strlen(name));
	}
}

/* Accessors at offsets that need not be nodes or properties. */
static void check_any_offsets(const struct fdt *fdt)
{
	int end = (int)fdt->size_dt_struct + 8, step, len;

	step = end / FUZZ_OFFSETS_MAX + 1;
	for (int off = -8; off < end; off += step) {
		const char *name;
		const void *v;

		if (check_name(fdt, off, &len))
			fuzz_sink += fdt_node_first_child(fdt, off);
		v = fdt_prop_by_offset(fdt, off, &name, &len);
		if (v) {
			touch(v, (size_t)len);
			touch(name, strlen(name) + 1);
		}
		fuzz_sink += fdt_prop_next(fdt, off);
		fuzz_sink += fdt_prop_first(fdt, off);
	}
}

static void check_rsv(const struct fdt *fdt)
{
	uint64_t addr, size;
	int n = fdt_rsv_count(fdt), err;

	CHECK(n >= 0, "rsv count %d on an opened blob", n);
	for (int i = 0; i < n && i < FUZZ_RSV_MAX; i++) {
		err = fdt_rsv_get(fdt, i, &addr, &size);
		CHECK(err == 0 && size != 0, "rsv[%d]/%d: %d", i, n, err);
	}
	if (n <= FUZZ_RSV_MAX)
		CHECK(fdt_rsv_get(fdt, n, &addr, &size) == -EFDT_NOTFOUND,
		      "rsv[%d] past the end", n);
	CHECK(fdt_rsv_get(fdt, -1, &addr, &size) == -EFDT_NOTFOUND, "rsv[-1]");
}

static void check_memmap(const struct fdt *fdt)
{
	static struct memmap map;
	int err = memmap_from_fdt(&map, fdt), bad;

	bad = memmap_check(&map);
	CHECK(bad == 0, "memmap_check: %d violations (memmap_from_fdt %d)", bad,
	      err);
	if (err == 0) {
		CHECK(map.nr_usable > 0, "no usable range");
		memmap_print(&map);
		fuzz_sink += (unsigned int)memmap_usable_bytes(&map);
	}
}

/*
 * The mm/ and lib/ boot decisions dtcheck shares with the kernel: the
 * memory map with the kernel's own reservations and the linear-map fit,
 * hart discovery. Each must fail cleanly or keep its contract. (The
 * console and poweroff choices live in kernel/: dtcheck's own test
 * feeds them malformed blobs, harness/test_dtcheck.py.)
 */
static void check_boot_decisions(const struct fdt *fdt)
{
	static struct memmap map;
	static struct fdt_cpu cpus[FDT_CPUS_MAX];
	const struct memmap_boot own = { 0x80000000, fdt->totalsize, 0x80200000,
					 0x100000 };
	char why[192];
	uint64_t dropped;
	int err = memmap_boot_setup(&map, fdt, &own, why, sizeof(why)), n;

	if (err == 0) {
		paddr_t base =
			memmap_fit_linear(&map, LINEAR_MAX_SIZE, &dropped);

		CHECK(memmap_check(&map) == 0, "after memmap_fit_linear");
		for (unsigned int i = 0; i < map.nr_usable; i++)
			CHECK(map.usable[i].end - base <= LINEAR_MAX_SIZE,
			      "usable[%u] past the linear map", i);
	} else {
		CHECK(err < 0 && why[0], "memmap_boot_setup %d, no message",
		      err);
	}
	n = fdt_cpus_scan(fdt, cpus, FDT_CPUS_MAX);
	for (int i = 0; i < n && i < FDT_CPUS_MAX; i++) {
		CHECK(cpus[i].verdict != FDT_CPU_USABLE ||
			      cpus[i].hartid <= FDT_CPU_HARTID_MAX,
		      "usable hart id %lu", (unsigned long)cpus[i].hartid);
		touch(cpus[i].isa, strnlen(cpus[i].isa, FDT_CPU_ISA_MAX));
	}
}

static void check_cpus(const struct fdt *fdt)
{
	static struct fdt_cpu cpus[FDT_CPUS_MAX];
	char line[FDT_CPU_ISA_MAX * 4 + 96];
	int n = fdt_cpus_scan(fdt, cpus, FDT_CPUS_MAX);
	uint64_t common, any;

	if (n < 0)
		return;
	n = n < FDT_CPUS_MAX ? n : FDT_CPUS_MAX;
	for (int i = 0; i < n; i++) {
		int len = fdt_cpu_line(&cpus[i], line, sizeof(line));

		CHECK(len > 0 && (size_t)len < sizeof(line) &&
			      strlen(line) == (size_t)len,
		      "cpu line %d of %zu", len, sizeof(line));
		CHECK(strlen(cpus[i].isa) < FDT_CPU_ISA_MAX, "isa copy");
		fdt_cpu_warning_line(&cpus[i], line, sizeof(line));
		CHECK(!cpus[i].warning[0] ||
			      cpus[i].verdict == FDT_CPU_BAD_ISA ||
			      cpus[i].verdict == FDT_CPU_NO_REG ||
			      cpus[i].verdict == FDT_CPU_BAD_HARTID ||
			      cpus[i].verdict == FDT_CPU_DUPLICATE,
		      "warning '%s' with verdict %d", cpus[i].warning,
		      cpus[i].verdict);
	}
	common = fdt_cpus_common_ext(cpus, n, 0, &any);
	CHECK((common & ~any) == 0, "common %#llx any %#llx",
	      (unsigned long long)common, (unsigned long long)any);
	fdt_cpus_mattr_line(common, any, line, sizeof(line));
}

static void check_tree(const struct fdt *fdt)
{
	/* stack[d - 1]: the open node at depth d; names for paths. */
	int stack[FDT_MAX_DEPTH];
	uint32_t phandles[FUZZ_PHANDLES_MAX];
	const char *compat = NULL;
	char path[FUZZ_PATH_SIZE];
	size_t plen[FDT_MAX_DEPTH + 1] = { 0 };
	int node, depth = 0, count = 0, nph = 0, len;

	CHECK(fdt_root(fdt) == 0, "root %d", fdt_root(fdt));
	for (node = fdt_node_next(fdt, -1, &depth); node >= 0;
	     node = fdt_node_next(fdt, node, &depth), count++) {
		const char *name = check_name(fdt, node, &len);
		bool heavy = count < FUZZ_NODES_MAX;
		uint32_t ph;

		CHECK(name, "walked node %d has no name (%d)", node, len);
		CHECK(depth >= 1 && depth <= FDT_MAX_DEPTH, "node %d depth %d",
		      node, depth);
		CHECK((node == 0) == (depth == 1), "node %d depth %d", node,
		      depth);
		stack[depth - 1] = node;
		if (!heavy)
			continue;

		/* Rebuild "/a/b@1" from the names on the stack. */
		plen[depth] = plen[depth - 1];
		if (depth > 1 && plen[depth] + len + 2 < sizeof(path)) {
			path[plen[depth]++] = '/';
			memcpy(path + plen[depth], name, (size_t)len);
			plen[depth] += (size_t)len;
			check_path(fdt, path, plen[depth]);
		}

		CHECK(fdt_node_parent(fdt, node) ==
			      (depth > 1 ? stack[depth - 2] : -EFDT_NOTFOUND),
		      "parent of %d at depth %d: %d", node, depth,
		      fdt_node_parent(fdt, node));
		check_family(fdt, node);
		check_props(fdt, node);
		check_reg(fdt, node);
		fuzz_sink += fdt_node_is_enabled(fdt, node);
		if (!compat)
			compat = fdt_prop_string(fdt, node, "compatible");
		ph = fdt_node_phandle(fdt, node);
		if (ph && nph < FUZZ_PHANDLES_MAX)
			phandles[nph++] = ph;
	}
	CHECK(node == -EFDT_NOTFOUND, "walk ended with %d", node);
	CHECK(depth == 0, "walk ended at depth %d", depth);

	for (int i = 0; i < nph; i++) {
		node = fdt_node_by_phandle(fdt, phandles[i]);
		if (phandles[i] == 0xffffffffu)
			CHECK(node == -EFDT_BADPHANDLE, "phandle -1: %d", node);
		else
			CHECK(node >= 0 && fdt_node_phandle(fdt, node) ==
						   phandles[i],
			      "phandle 0x%x: %d", phandles[i], node);
	}
	CHECK(fdt_node_by_phandle(fdt, 0) == -EFDT_BADPHANDLE, "phandle 0");

	if (compat) {
		count = 0;
		for (node = fdt_node_by_compatible(fdt, -1, compat);
		     node >= 0 && count < FUZZ_NODES_MAX;
		     node = fdt_node_by_compatible(fdt, node, compat), count++)
			CHECK(fdt_node_is_compatible(fdt, node, compat),
			      "node %d not compatible with '%s'", node, compat);
	}
	fuzz_sink += fdt_node_by_compatible(fdt, -1, "riscv-virtio");

	CHECK(fdt_node_by_path(fdt, "/", 1) == 0, "path /");
	check_path(fdt, "/chosen", 7);
	check_path(fdt, "/memory", 7);
	check_path(fdt, "/chosen", 4); /* cut: "/chosen" */
	check_path(fdt, "serial0", 7);
	check_path(fdt, "serial0:115200", 7);
	check_path(fdt, "serial0/x", 9);
	check_aliases(fdt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *blob = malloc(size ? size : 1);
	struct fdt fdt;
	uint32_t total;
	int err;

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	fuzz_sink += fdt_peek_size(blob, size, &total);

	err = fdt_open(&fdt, blob, size);
	if (err) {
		CHECK(err < 0, "fdt_open returned %d", err);
		check_rejected(&fdt);
		goto out;
	}
	CHECK(fdt.totalsize <= size && fdt.totalsize <= FDT_MAX_SIZE,
	      "totalsize %u of %zu", fdt.totalsize, size);
	check_tree(&fdt);
	check_any_offsets(&fdt);
	check_rsv(&fdt);
	check_memmap(&fdt);
	check_boot_decisions(&fdt);
	check_cpus(&fdt);
out:
	free(blob);
	return 0;
}
