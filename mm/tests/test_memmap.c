// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/memmap.c. Each case writes its device tree as dts
 * text and compiles it with dtc (skipped if dtc is missing), so the
 * scenario reads as a tree. printk output is captured to check the
 * warning lines and the exact memmap_print() contract lines;
 * memmap_check() runs after every successful memmap_from_fdt(). The
 * last case checks the dts/ files against the output their header
 * comments promise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/string.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/memmap.h"

/* ------------------------------------------------------------- helpers */

/* Compiled blob of the last dts_open(), and its reader. */
static uint8_t blob[65536];
static struct fdt fdt;

/*
 * Compile `src` with dtc and open it. Returns 0, a negative fdt_open()
 * error, or 1 when dtc is unavailable (the caller skips).
 */
static int dts_open(const char *src)
{
	char in[] = "/tmp/memmap-dts-XXXXXX", out[64], cmd[256];
	int fd = mkstemp(in);
	size_t n = 0;
	FILE *fp;

	if (fd < 0)
		return 1;
	if (write(fd, src, strlen(src)) != (ssize_t)strlen(src)) {
		close(fd);
		unlink(in);
		return 1;
	}
	close(fd);
	snprintf(out, sizeof(out), "%s.dtb", in);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s 2>&1", out,
		 in);
	if (system(cmd) == 0 && (fp = fopen(out, "rb"))) {
		n = fread(blob, 1, sizeof(blob), fp);
		fclose(fp);
	}
	unlink(in);
	unlink(out);
	if (n == 0)
		return 1;
	return fdt_open(&fdt, blob, n);
}

/* Build the map from `src` with printk captured; 1 when dtc is missing. */
static int map_from(struct memmap *map, const char *src)
{
	int err = dts_open(src);

	if (err)
		return err;
	capture_start(NULL);
	err = memmap_from_fdt(map, &fdt);
	if (err == 0 && memmap_check(map) != 0)
		err = -EINVAL;
	capture_stop();
	return err;
}

#define MAP_FROM(t, map, src, want)                                            \
	do {                                                                   \
		int _e = map_from(map, src);                                   \
		if (_e == 1) {                                                 \
			ktest_skip(t, "dtc not available");                    \
			return;                                                \
		}                                                              \
		KTEST_ASSERT_EQ(t, _e, want);                                  \
	} while (0)

#define ROOT_START "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"

static bool usable_is(const struct memmap *map, unsigned int i, paddr_t s,
		      paddr_t e)
{
	return i < map->nr_usable && map->usable[i].start == s &&
	       map->usable[i].end == e;
}

/* -------------------------------------------------------------- usable */

/* Scenario: two memory nodes in reverse address order with a hole.
 * Expect two sorted ranges, no warning, 128 MiB in total. */
static void two_banks(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@88000000 { device_type = \"memory\";"
			    " reg = <0 0x88000000 0 0x4000000>; };\n"
			    "memory@80000000 { device_type = \"memory\";"
			    " reg = <0 0x80000000 0 0x4000000>; };\n"
			    "};",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 2);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x84000000));
	KTEST_EXPECT(t, usable_is(&map, 1, 0x88000000, 0x8c000000));
	KTEST_EXPECT_EQ(t, map.warnings, 0);
	KTEST_EXPECT_EQ(t, capture_count_lines("memory: warning: "), 0);
	KTEST_EXPECT_EQ(t, memmap_usable_bytes(&map), 0x8000000);
	KTEST_EXPECT_EQ(t, map.nr_reserved, 0);
}

/* Scenario: ranges that overlap, adjoin, contain one another and one
 * that bridges two existing ranges. Expect a single merged range and one
 * warning per merge, saying overlap or adjacency. */
static void merges(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\"; reg ="
			    " <0 0x80000000 0 0x1000000>," /* A [80, 81) */
			    " <0 0x83000000 0 0x1000000>," /* B [83, 84) */
			    " <0 0x80800000 0 0x1000000>," /* overlaps A */
			    " <0 0x84000000 0 0x1000000>," /* adjoins B */
			    " <0 0x83100000 0 0x100000>," /* inside B */
			    " <0 0x81000000 0 0x2000000>;" /* bridges A and B */
			    " }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x85000000));
	KTEST_EXPECT_EQ(t, map.warnings, 4);
	KTEST_EXPECT_EQ(
		t, capture_count_lines("memory: warning: memory@0: [mem "), 4);
	KTEST_EXPECT(t,
		     capture_has_line(
			     "memory: warning: memory@0: [mem "
			     "0x0000000080800000-0x00000000817fffff] overlaps "
			     "[mem 0x0000000080000000-0x0000000080ffffff], "
			     "merged into [mem "
			     "0x0000000080000000-0x00000000817fffff]"));
	KTEST_EXPECT(t,
		     capture_has_line(
			     "memory: warning: memory@0: [mem "
			     "0x0000000084000000-0x0000000084ffffff] adjoins "
			     "[mem 0x0000000083000000-0x0000000083ffffff], "
			     "merged into [mem "
			     "0x0000000083000000-0x0000000084ffffff]"));
	KTEST_EXPECT(t,
		     capture_has_line(
			     "memory: warning: memory@0: [mem "
			     "0x0000000081000000-0x0000000082ffffff] overlaps "
			     "[mem 0x0000000080000000-0x0000000084ffffff], "
			     "merged into [mem "
			     "0x0000000080000000-0x0000000084ffffff]"));
}

/* Scenario: unaligned start, unaligned end, both, a sub-page range, a
 * range straddling one page boundary without a whole page, a zero-size
 * entry. Expect trimming inwards with one warning each, the rest
 * ignored with a warning. */
static void trims(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\"; reg ="
			    " <0 0x80000800 0 0xff800>," /* start */
			    " <0 0x90000000 0 0x1000800>," /* end */
			    " <0 0xa0000001 0 0x2000>," /* both */
			    " <0 0xb0000000 0 0x800>," /* sub-page */
			    " <0 0xb0001800 0 0x1000>," /* across a boundary */
			    " <0 0xc0000000 0 0>;" /* empty */
			    " }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 3);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80001000, 0x80100000));
	KTEST_EXPECT(t, usable_is(&map, 1, 0x90000000, 0x91000000));
	KTEST_EXPECT(t, usable_is(&map, 2, 0xa0001000, 0xa0002000));
	KTEST_EXPECT_EQ(t, map.warnings, 6);
	KTEST_EXPECT_EQ(t, capture_count_lines("memory: warning: "), 6);
	KTEST_EXPECT(t, capture_has_line(
				"memory: warning: memory@0: [mem "
				"0x0000000080000800-0x00000000800fffff] not "
				"page-aligned, trimmed to [mem "
				"0x0000000080001000-0x00000000800fffff]"));
	KTEST_EXPECT(
		t, capture_has_line("memory: warning: memory@0: reg[5] at "
				    "0x00000000c0000000 has size 0, ignored"));
	KTEST_EXPECT(t,
		     capture_has_line("memory: warning: memory@0: [mem "
				      "0x00000000b0000000-0x00000000b00007ff] "
				      "holds no whole page, ignored"));
}

/* Scenario: a disabled memory node, an "okay" one, one named "ram" with
 * device_type memory, a "memory" node without device_type, and a memory
 * node without reg. Expect only the enabled device_type nodes used, the
 * disabled one silently, a warning for the missing reg. */
static void node_selection(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START
		 "memory@80000000 { device_type = \"memory\";"
		 " reg = <0 0x80000000 0 0x100000>; status = \"disabled\"; };"
		 "memory@81000000 { device_type = \"memory\";"
		 " reg = <0 0x81000000 0 0x100000>; status = \"okay\"; };"
		 "ram@82000000 { device_type = \"memory\";"
		 " reg = <0 0x82000000 0 0x100000>; };"
		 "memory@83000000 { reg = <0 0x83000000 0 0x100000>; };"
		 "memory@84000000 { device_type = \"memory\"; };"
		 "soc { memory@85000000 { device_type = \"memory\";"
		 " reg = <0 0x85000000 0 0x100000>; }; };"
		 "};",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 2);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x81000000, 0x81100000));
	KTEST_EXPECT(t, usable_is(&map, 1, 0x82000000, 0x82100000));
	KTEST_EXPECT_EQ(t, map.warnings, 1);
	KTEST_EXPECT(
		t, capture_has_line("memory: warning: memory@84000000: no reg, "
				    "ignored"));
}

/* Scenario: one-cell addresses at the root (#address-cells = 1,
 * #size-cells = 1), and an entry wrapping past 2^64 with two cells.
 * Expect the decoding to follow the root's cells and the wrapping entry
 * ignored with a warning. */
static void cells_and_wrap(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;"
		 " memory@80000000 { device_type = \"memory\";"
		 " reg = <0x80000000 0x1000000>; }; };",
		 0);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x81000000));

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\"; reg ="
			    " <0xffffffff 0xfffff000 0 0x2000>,"
			    " <0 0x80000000 0 0x1000>; }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT_EQ(t, map.warnings, 1);
	KTEST_EXPECT_EQ(
		t,
		capture_count_lines("memory: warning: memory@0: reg[0] at "
				    "0xfffffffffffff000 size 0x2000 runs "
				    "past"),
		1);
}

/* Scenario: no memory node; only a disabled one; only a sub-page one.
 * Expect -EFDT_NOTFOUND each time. */
static void no_memory(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map, ROOT_START "chosen { }; };", -EFDT_NOTFOUND);
	MAP_FROM(t, &map,
		 ROOT_START
		 "memory@0 { device_type = \"memory\";"
		 " reg = <0 0 0 0x100000>; status = \"disabled\"; }; };",
		 -EFDT_NOTFOUND);
	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\";"
			    " reg = <0 0x800 0 0x800>; }; };",
		 -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, map.warnings, 1);
}

/* Scenario: malformed reg on a memory node (length not a multiple of
 * an entry) and on a reserved-memory child; bad #size-cells. Expect the
 * reader's error returned, not a guess. */
static void malformed_reg(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\";"
			    " reg = <0 0x80000000 0>; }; };",
		 -EFDT_BADVALUE);
	MAP_FROM(t, &map,
		 "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <3>;"
		 " memory@0 { device_type = \"memory\";"
		 " reg = <0 0x80000000 0 0 0x1000>; }; };",
		 -EFDT_BADNCELLS);
	MAP_FROM(t, &map,
		 ROOT_START
		 "memory@0 { device_type = \"memory\";"
		 " reg = <0 0x80000000 0 0x1000000>; };"
		 " reserved-memory { #address-cells = <2>; #size-cells = <2>;"
		 " ranges; bad@0 { reg = <0 0x80000000 0>; }; }; };",
		 -EFDT_BADVALUE);
}

/* Scenario: RAM ending at the last page of the address space (the
 * issue's <0xffffffff 0xc0000000 0x0 0x3ffff000>), RAM crossing 2^56 and
 * ordinary RAM. Expect the first dropped and the second cut at 2^56,
 * each with a warning, so no usable end exceeds PADDR_LIMIT (I2); with
 * only the top range, -EFDT_NOTFOUND (the kernel's "panic: device
 * tree: no usable memory"). */
static void above_mmu_limit(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\"; reg ="
			    " <0xffffffff 0xc0000000 0x0 0x3ffff000>,"
			    " <0x00ffffff 0xc0000000 0x0 0x80000000>,"
			    " <0 0x80000000 0 0x1000000>; }; };",
		 0);
	KTEST_ASSERT_EQ(t, map.nr_usable, 2);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x81000000));
	KTEST_EXPECT(t, usable_is(&map, 1, 0xffffffc0000000, PADDR_LIMIT));
	KTEST_EXPECT_EQ(t, map.warnings, 2);
	KTEST_EXPECT(t,
		     capture_has_line("memory: warning: memory@0: [mem "
				      "0xffffffffc0000000-0xffffffffffffefff] "
				      "above the MMU's 56-bit physical address "
				      "limit, ignored"));
	KTEST_EXPECT(
		t, capture_has_line("memory: warning: memory@0: [mem "
				    "0x00ffffffc0000000-0x010000003fffffff] "
				    "crosses the MMU's 56-bit physical address "
				    "limit, trimmed to [mem "
				    "0x00ffffffc0000000-0x00ffffffffffffff]"));
	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\"; reg ="
			    " <0xffffffff 0xc0000000 0x0 0x3ffff000>; }; };",
		 -EFDT_NOTFOUND);
}

/* Scenario: QEMU's NUMA tree for -m 2G with two 1 GiB nodes:
 * memory@80000000 (numa-node-id 0) and memory@c0000000 (numa-node-id 1),
 * adjacent; then two adjacent memory nodes without numa-node-id. Expect
 * no warning either time and one printed usable line each time; the
 * NUMA ranges are kept apart with their nids, the others merged. */
static void numa_adjacent_nodes(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@c0000000 { numa-node-id = <1>;"
			    " device_type = \"memory\";"
			    " reg = <0 0xc0000000 0 0x40000000>; };"
			    "memory@80000000 { numa-node-id = <0>;"
			    " device_type = \"memory\";"
			    " reg = <0 0x80000000 0 0x40000000>; }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.warnings, 0);
	KTEST_ASSERT_EQ(t, map.nr_usable, 2);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0xc0000000));
	KTEST_EXPECT(t, usable_is(&map, 1, 0xc0000000, 0x100000000));
	KTEST_EXPECT_EQ(t, map.usable[0].nid, 0);
	KTEST_EXPECT_EQ(t, map.usable[1].nid, 1);
	capture_start(NULL);
	memmap_print(&map);
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count_lines("memory: usable "), 1);
	KTEST_EXPECT(
		t, capture_has_line("memory: usable [mem "
				    "0x0000000080000000-0x00000000ffffffff]"));

	MAP_FROM(t, &map,
		 ROOT_START "memory@80000000 { device_type = \"memory\";"
			    " reg = <0 0x80000000 0 0x40000000>; };"
			    "memory@c0000000 { device_type = \"memory\";"
			    " reg = <0 0xc0000000 0 0x40000000>; }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.warnings, 0);
	KTEST_ASSERT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x100000000));
	KTEST_EXPECT_EQ(t, map.usable[0].nid, MEMMAP_NID_NONE);
}

/* Scenario: 33 disjoint ranges (one more than fits), then 70
 * /reserved-memory children. Expect -ENOSPC with the tree's count in
 * wanted_usable (33) or wanted_reserved (70); with 32 ranges all kept. */
static void too_many_ranges(struct ktest *t)
{
	char src[4096];
	struct memmap map;
	int len;

	for (int total = 32; total <= 33; total++) {
		len = snprintf(src, sizeof(src),
			       ROOT_START "memory@0 { device_type = "
					  "\"memory\"; reg = ");
		for (int i = 0; i < total; i++)
			len += snprintf(src + len, sizeof(src) - (size_t)len,
					"%s<0 0x%x 0 0x1000>", i ? ", " : "",
					0x80000000u + 0x2000u * (unsigned)i);
		snprintf(src + len, sizeof(src) - (size_t)len, "; }; };");
		MAP_FROM(t, &map, src, total == 32 ? 0 : -ENOSPC);
		KTEST_EXPECT_EQ(t, map.wanted_usable, total == 32 ? 0 : 33);
		KTEST_EXPECT_EQ(t, map.wanted_reserved, 0);
	}
	/* 70 reserved-memory children: the count reaches the caller. */
	len = snprintf(src, sizeof(src),
		       ROOT_START "memory@0 { device_type = \"memory\";"
				  " reg = <0 0x80000000 0 0x1000000>; };"
				  " reserved-memory { #address-cells = <2>;"
				  " #size-cells = <2>; ranges;");
	for (int i = 0; i < 70; i++)
		len += snprintf(src + len, sizeof(src) - (size_t)len,
				" r%d { reg = <0 0x%x 0 0x1000>; };", i,
				0x80000000u + 0x2000u * (unsigned)i);
	snprintf(src + len, sizeof(src) - (size_t)len, " }; };");
	MAP_FROM(t, &map, src, -ENOSPC);
	KTEST_EXPECT_EQ(t, map.wanted_reserved, 70);
	KTEST_EXPECT_EQ(t, map.wanted_usable, 0);
}

/* ------------------------------------------------------------ reserved */

/* Scenario: /reserved-memory with 1/1 cells (the root has 2/2), a no-map
 * child, a plain child with two reg entries, an unaligned child, a
 * disabled child, a dynamic child (size only), and two memreserve
 * entries. Expect reserved regions in the order found, named by node,
 * widened to pages, no-map kept, memreserve entries last. */
static void reserved_memory(struct ktest *t)
{
	struct memmap map;
	const struct memmap_reserved *r = map.reserved_init;

	MAP_FROM(t, &map,
		 "/dts-v1/;\n"
		 "/memreserve/ 0x87000000 0x100000;\n"
		 "/memreserve/ 0x88000800 0x800;\n"
		 "/ { #address-cells = <2>; #size-cells = <2>;\n"
		 "memory@80000000 { device_type = \"memory\";"
		 " reg = <0 0x80000000 0 0x10000000>; };"
		 "reserved-memory { #address-cells = <1>; #size-cells = <1>;"
		 " ranges;"
		 " secure@86000000 { reg = <0x86000000 0x100000>; no-map; };"
		 " shared@87000000 { reg = <0x87000000 0x200000>,"
		 "  <0x89000000 0x1000>; };"
		 " odd@8a000800 { reg = <0x8a000800 0x1000>; };"
		 " off@8b000000 { reg = <0x8b000000 0x1000>;"
		 "  status = \"disabled\"; };"
		 " pool { size = <0x100000>; };"
		 " }; };",
		 0);
	KTEST_ASSERT_EQ(t, map.nr_reserved, 6);
	KTEST_EXPECT_STREQ(t, r[0].name, "secure@86000000");
	KTEST_EXPECT(t, r[0].start == 0x86000000 && r[0].end == 0x86100000);
	KTEST_EXPECT(t, r[0].no_map);
	KTEST_EXPECT_STREQ(t, r[1].name, "shared@87000000");
	KTEST_EXPECT(t, r[1].start == 0x87000000 && r[1].end == 0x87200000);
	KTEST_EXPECT(t, !r[1].no_map);
	KTEST_EXPECT_STREQ(t, r[2].name, "shared@87000000");
	KTEST_EXPECT(t, r[2].start == 0x89000000 && r[2].end == 0x89001000);
	KTEST_EXPECT_STREQ(t, r[3].name, "odd@8a000800");
	KTEST_EXPECT(t, r[3].start == 0x8a000000 && r[3].end == 0x8a002000);
	KTEST_EXPECT_STREQ(t, r[4].name, "memreserve");
	KTEST_EXPECT(t, r[4].start == 0x87000000 && r[4].end == 0x87100000);
	KTEST_EXPECT_STREQ(t, r[5].name, "memreserve");
	KTEST_EXPECT(t, r[5].start == 0x88000000 && r[5].end == 0x88001000);
	KTEST_EXPECT_EQ(t, map.warnings, 1);
	KTEST_EXPECT(t,
		     capture_has_line("memory: warning: reserved-memory/pool: "
				      "dynamic (size, no reg) not supported, "
				      "ignored"));
	/* Reserved regions do not change usable RAM. */
	KTEST_EXPECT(t, usable_is(&map, 0, 0x80000000, 0x90000000));
}

/* Scenario: /reserved-memory declares 1/1 cells (root 2/2) and OpenSBI
 * has added mmode_resv0@80000000 with a 2/2-cell reg; a second child's
 * unit address disagrees with its reg under every reading. Expect the
 * parent's reading kept (as Linux), a warning for each disagreement,
 * and the firmware's [0x80000000, 0x80040000) reserved as well. */
static void reserved_cells_mismatch(struct ktest *t)
{
	struct memmap map;
	const struct memmap_reserved *r = map.reserved_init;

	MAP_FROM(t, &map,
		 ROOT_START "memory@80000000 { device_type = \"memory\";"
			    " reg = <0 0x80000000 0 0x10000000>; };"
			    "reserved-memory { #address-cells = <1>;"
			    " #size-cells = <1>; ranges;"
			    " mmode_resv0@80000000 {"
			    "  reg = <0 0x80000000 0 0x40000>; };"
			    " stale@88000000 { reg = <0x88100000 0x1000>; };"
			    " good@87000000 { reg = <0x87000000 0x1000>; };"
			    " }; };",
		 0);
	KTEST_ASSERT_EQ(t, map.nr_reserved, 5);
	KTEST_EXPECT(t, r[0].start == 0 && r[0].end == 0x80000000);
	KTEST_EXPECT(t, r[1].start == 0 && r[1].end == 0x40000);
	KTEST_EXPECT_STREQ(t, r[2].name, "mmode_resv0@80000000");
	KTEST_EXPECT(t, r[2].start == 0x80000000 && r[2].end == 0x80040000);
	KTEST_EXPECT(t, r[3].start == 0x88100000 && r[3].end == 0x88101000);
	KTEST_EXPECT(t, r[4].start == 0x87000000 && r[4].end == 0x87001000);
	KTEST_EXPECT_EQ(t, map.warnings, 3);
	KTEST_EXPECT(t, capture_has_line(
				"memory: warning: reserved-memory/"
				"mmode_resv0@80000000: reg[0] at "
				"0x0000000000000000 disagrees with the unit "
				"address 0x0000000080000000"));
	KTEST_EXPECT(t, capture_has_line(
				"memory: warning: reserved-memory/"
				"mmode_resv0@80000000: reg[0] read with the "
				"root's 2/2 cells matches the unit address: "
				"also reserving [mem "
				"0x0000000080000000-0x000000008003ffff]"));
	KTEST_EXPECT(t, capture_has_line(
				"memory: warning: reserved-memory/"
				"stale@88000000: reg[0] at "
				"0x0000000088100000 disagrees with the unit "
				"address 0x0000000088000000"));
}

/* Scenario: /chosen names an initrd with 32-bit values (as QEMU writes
 * them), with 64-bit values above 4 GiB, inverted, outside RAM, and with
 * a 2-byte value. Expect the first two reserved as "initrd", widened to
 * pages, and one warning (nothing reserved) for each of the others. */
static void initrd(struct ktest *t)
{
	static const char *const tail[] = {
		"linux,initrd-start = <0x88200000>;"
		" linux,initrd-end = <0x882186a0>;",
		"linux,initrd-start = /bits/ 64 <0x100000800>;"
		" linux,initrd-end = /bits/ 64 <0x100002000>;",
		"linux,initrd-start = <0x88200000>;"
		" linux,initrd-end = <0x88100000>;",
		"linux,initrd-start = <0x70000000>;"
		" linux,initrd-end = <0x70001000>;",
		"linux,initrd-start = /bits/ 16 <0x8820>;"
		" linux,initrd-end = <0x88300000>;",
	};
	static const char *const warning[] = {
		NULL,
		NULL,
		"memory: warning: chosen: initrd end 0x0000000088100000 below "
		"its start 0x0000000088200000, ignored",
		"memory: warning: chosen: initrd [mem "
		"0x0000000070000000-0x0000000070000fff] is not inside usable "
		"RAM, ignored",
		"memory: warning: chosen: linux,initrd-start/-end missing or "
		"not 4 or 8 bytes long, initrd ignored",
	};
	static const paddr_t want[][2] = { { 0x88200000, 0x88219000 },
					   { 0x100000000, 0x100002000 } };
	char src[1024];
	struct memmap map;
	paddr_t s, e;

	for (unsigned int i = 0; i < ARRAY_SIZE(tail); i++) {
		snprintf(src, sizeof(src),
			 ROOT_START "chosen { %s };\n"
				    "memory@80000000 { device_type = "
				    "\"memory\"; reg = <0 0x80000000 0 "
				    "0x10000000>, <1 0 0 0x10000000>; }; };",
			 tail[i]);
		MAP_FROM(t, &map, src, 0);
		if (!warning[i]) {
			KTEST_EXPECT_EQ(t, map.warnings, 0);
			KTEST_ASSERT_EQ(t, map.nr_reserved, 1);
			KTEST_EXPECT_STREQ(t, map.reserved[0].name, "initrd");
			KTEST_EXPECT_EQ(t, map.reserved[0].start, want[i][0]);
			KTEST_EXPECT_EQ(t, map.reserved[0].end, want[i][1]);
		} else {
			KTEST_EXPECT_EQ(t, map.nr_reserved, 0);
			KTEST_EXPECT_EQ(t, map.warnings, 1);
			KTEST_EXPECT(t, capture_has_line(warning[i]));
		}
	}
	/* The parser alone: both widths, and neither property present. */
	KTEST_EXPECT_EQ(t, memmap_initrd_from_fdt(&fdt, &s, &e),
			-EFDT_BADVALUE);
	MAP_FROM(t, &map,
		 ROOT_START "chosen { }; memory@0 { device_type = "
			    "\"memory\"; reg = <0 0x80000000 0 "
			    "0x1000000>; }; };",
		 0);
	KTEST_EXPECT_EQ(t, memmap_initrd_from_fdt(&fdt, &s, &e),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, map.nr_reserved, 0);
}

/* Scenario: a tree without /reserved-memory or memreserve entries.
 * Expect no reserved regions. */
static void no_reserved(struct ktest *t)
{
	struct memmap map;

	MAP_FROM(t, &map,
		 ROOT_START "memory@0 { device_type = \"memory\";"
			    " reg = <0 0x80000000 0 0x1000000>; }; };",
		 0);
	KTEST_EXPECT_EQ(t, map.nr_reserved, 0);
}

/* Scenario: memmap_add_reserved on its own: empty and inverted ranges,
 * an end past the last page, unaligned edges, a long name, a NULL name,
 * a full table. Expect -EINVAL, outward clipping, truncated names and
 * -ENOSPC after MEMMAP_INIT_RESERVED entries. */
static void add_reserved(struct ktest *t)
{
	static struct memmap map;
	const char *long_name = "a-very-long-reserved-region-name@80000000";

	memmap_init(&map);
	KTEST_EXPECT_EQ(t, memmap_add_reserved(&map, 5, 5, false, "x"),
			-EINVAL);
	KTEST_EXPECT_EQ(t, memmap_add_reserved(&map, 6, 5, false, "x"),
			-EINVAL);
	KTEST_EXPECT_EQ(t, memmap_add_reserved(&map, 0, ~0ull, false, "x"),
			-EINVAL);
	KTEST_EXPECT_EQ(t, map.nr_reserved, 0);
	KTEST_ASSERT_EQ(t,
			memmap_add_reserved(&map, 0x80000801, 0x80001001, true,
					    long_name),
			0);
	KTEST_EXPECT_EQ(t, map.reserved[0].start, 0x80000000);
	KTEST_EXPECT_EQ(t, map.reserved[0].end, 0x80002000);
	KTEST_EXPECT(t, map.reserved[0].no_map);
	KTEST_EXPECT_EQ(t, strlen(map.reserved[0].name), MEMMAP_NAME_LEN - 1);
	KTEST_EXPECT(t, strncmp(map.reserved[0].name, long_name,
				MEMMAP_NAME_LEN - 1) == 0);
	KTEST_ASSERT_EQ(t, memmap_add_reserved(&map, 0, 1, false, NULL), 0);
	KTEST_EXPECT_STREQ(t, map.reserved[1].name, "");
	while (map.nr_reserved < MEMMAP_INIT_RESERVED)
		KTEST_ASSERT_EQ(t,
				memmap_add_reserved(&map, 0x1000, 0x2000, false,
						    "fill"),
				0);
	KTEST_EXPECT_EQ(t,
			memmap_add_reserved(&map, 0x1000, 0x2000, false,
					    "one too many"),
			-ENOSPC);
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
}

/* Scenario: print a map with two usable ranges and a reserved region.
 * Expect exactly the contract lines, inclusive ends, in that order. */
static void print_contract(struct ktest *t)
{
	struct memmap map;

	memmap_init(&map);
	map.usable[0] = (struct memmap_range){ 0x80000000, 0x84000000, 0 };
	map.usable[1] = (struct memmap_range){ 0x88000000, 0x8c000000, 0 };
	map.nr_usable = 2;
	memmap_add_reserved(&map, 0x80000000, 0x80080000, true,
			    "mmode_resources@80000000");
	capture_start(NULL);
	memmap_print(&map);
	capture_stop();
	KTEST_EXPECT_STREQ(
		t, capture_text(),
		"memory: usable [mem 0x0000000080000000-0x0000000083ffffff]\n"
		"memory: usable [mem 0x0000000088000000-0x000000008bffffff]\n"
		"memory: reserved [mem 0x0000000080000000-0x000000008007ffff]"
		" mmode_resources@80000000\n");
	KTEST_EXPECT_EQ(t, memmap_usable_bytes(&map), 0x8000000);
}

/* Scenario: maps that break each invariant. Expect memmap_check() to
 * count every violation (and 0 for a good map). */
static void check_catches(struct ktest *t)
{
	struct memmap map;
	capture_start(NULL);

	memmap_init(&map);
	map.usable[0] = (struct memmap_range){ 0x2000, 0x3000, 0 };
	map.usable[1] =
		(struct memmap_range){ 0x3000, 0x4000, 0 }; /* adjacent */
	map.usable[2] =
		(struct memmap_range){ 0x5000, 0x5800, 0 }; /* unaligned */
	map.usable[3] =
		(struct memmap_range){ 0x1000, 0x1000, 0 }; /* empty, order */
	map.nr_usable = 4;
	KTEST_EXPECT_EQ(t, memmap_check(&map), 4);
	map.nr_usable = 1;
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
	map.nr_reserved = 1;
	map.reserved[0].start = 0x1000;
	map.reserved[0].end = 0x1000;
	KTEST_EXPECT_EQ(t, memmap_check(&map), 1);
	map.nr_usable = MEMMAP_INIT_USABLE + 1;
	KTEST_EXPECT_EQ(t, memmap_check(&map), 1);
	capture_stop();
}

/* --------------------------------------------------------- dts/ files */

static bool load_dtb(const char *dir, const char *name)
{
	char path[1200];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.dtb", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return false;
	n = fread(blob, 1, sizeof(blob), fp);
	fclose(fp);
	return n > 0 && fdt_open(&fdt, blob, n) == 0;
}

/* $FDT_DTB_DIR, else $(BUILD)/dts next to this binary. */
static bool dtb_dir(char *dir, size_t size)
{
	const char *env = getenv("FDT_DTB_DIR");
	struct stat st;
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(dir, size, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", dir, size - 1);
	if (n <= 0)
		return false;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	/* $(BUILD)/host/mm/tests/test_memmap -> $(BUILD)/dts */
	snprintf(slash, size - (size_t)(slash - dir), "/../../../dts");
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Scenario: the dts/ files as built by `make dtbs`. Expect what each
 * file's header comment promises: usable ranges, named reserved
 * regions, warning counts, no memory for virt-nomemory. */
static void dts_files(struct ktest *t)
{
	static const struct {
		const char *name;
		int err;
		unsigned int warnings, nr_usable;
		struct prange usable[4];
		const char *reserved; /* name of a reserved region, or NULL */
		struct prange rsv;
	} files[] = {
		{ .name = "virt-two-banks",
		  .nr_usable = 2,
		  .usable = { { 0x80000000, 0x84000000 },
			      { 0x88000000, 0x8c000000 } } },
		{ .name = "virt-reserved-nomap",
		  .nr_usable = 1,
		  .usable = { { 0x80000000, 0x90000000 } },
		  .reserved = "secure@86000000",
		  .rsv = { 0x86000000, 0x86100000 } },
		{ .name = "virt-memreserve",
		  .nr_usable = 1,
		  .usable = { { 0x80000000, 0x90000000 } },
		  .reserved = "memreserve",
		  .rsv = { 0x87000000, 0x87100000 } },
		{ .name = "virt-32m",
		  .nr_usable = 1,
		  .usable = { { 0x80000000, 0x82000000 } } },
		{ .name = "virt-nomemory", .err = -EFDT_NOTFOUND },
		{ .name = "virt-top-of-space", .err = -EFDT_NOTFOUND },
		{ .name = "virt-multi-reg",
		  .warnings = 5,
		  .nr_usable = 4,
		  .usable = { { 0x80000000, 0x84000000 },
			      { 0x86001000, 0x88000000 },
			      { 0x8a000000, 0x8b000000 },
			      { 0x8e000000, 0x8f000000 } } },
		{ .name = "virt-resmem-cells",
		  .warnings = 1, /* stale@88000000 (no OpenSBI child yet) */
		  .nr_usable = 1,
		  .usable = { { 0x80000000, 0x90000000 } },
		  .reserved = "stale@88000000",
		  .rsv = { 0x88100000, 0x88101000 } },
	};
	char dir[1024];
	struct memmap map;

	if (!dtb_dir(dir, sizeof(dir))) {
		ktest_skip(t, "no dtb directory (FDT_DTB_DIR, build/dts)");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int err;

		if (!load_dtb(dir, files[i].name)) {
			ktest_fail(t, __FILE__, __LINE__, "%s/%s.dtb: missing",
				   dir, files[i].name);
			continue;
		}
		capture_start(NULL);
		err = memmap_from_fdt(&map, &fdt);
		capture_stop();
		KTEST_EXPECT_EQ(t, err, files[i].err);
		if (err)
			continue;
		KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
		KTEST_EXPECT_EQ(t, map.warnings, files[i].warnings);
		KTEST_EXPECT_EQ(t, map.nr_usable, files[i].nr_usable);
		for (unsigned int k = 0; k < files[i].nr_usable; k++)
			if (!usable_is(&map, k, files[i].usable[k].start,
				       files[i].usable[k].end))
				ktest_fail(t, __FILE__, __LINE__,
					   "%s: usable[%u] wrong",
					   files[i].name, k);
		if (files[i].reserved) {
			bool found = false;

			for (unsigned int k = 0; k < map.nr_reserved; k++)
				found |=
					!strcmp(map.reserved[k].name,
						files[i].reserved) &&
					map.reserved[k].start ==
						files[i].rsv.start &&
					map.reserved[k].end == files[i].rsv.end;
			if (!found)
				ktest_fail(t, __FILE__, __LINE__,
					   "%s: reserved %s missing",
					   files[i].name, files[i].reserved);
		}
	}
}

static const struct ktest_case memmap_cases[] = {
	KTEST_CASE(two_banks),
	KTEST_CASE(merges),
	KTEST_CASE(trims),
	KTEST_CASE(node_selection),
	KTEST_CASE(cells_and_wrap),
	KTEST_CASE(no_memory),
	KTEST_CASE(malformed_reg),
	KTEST_CASE(too_many_ranges),
	KTEST_CASE(above_mmu_limit),
	KTEST_CASE(numa_adjacent_nodes),
	KTEST_CASE(reserved_memory),
	KTEST_CASE(no_reserved),
	KTEST_CASE(initrd),
	KTEST_CASE(reserved_cells_mismatch),
	KTEST_CASE(add_reserved),
	KTEST_CASE(print_contract),
	KTEST_CASE(check_catches),
	KTEST_CASE(dts_files),
	KTEST_END,
};

static const struct ktest_suite memmap_suite = { "memmap", memmap_cases, NULL,
						 NULL };

KTEST_HOST_MAIN(&memmap_suite)
