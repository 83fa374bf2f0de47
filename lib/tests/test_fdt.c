// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/fdt.c on blobs built in memory by a tiny builder, so
 * that every malformation can be made on purpose: each -EFDT_* code of
 * fdt_open(), every accessor, cells, aliases, reg decoding and the
 * memory reservation block. Blobs that must be rejected are also opened
 * from a heap copy of exactly the bytes offered, so ASan catches any
 * read past `avail`. (test_fdt_libfdt.c compares against libfdt.)
 */
#include <stdarg.h>
#include <stdlib.h>
#include "lib/string.h"

#include "lib/fdt.h"
#include "lib/kernel.h"
#include "lib/tests/host_ktest.h"

/* Header field offsets (devicetree specification 5.2). */
enum {
	H_MAGIC = 0,
	H_TOTALSIZE = 4,
	H_OFF_STRUCT = 8,
	H_OFF_STRINGS = 12,
	H_OFF_RSV = 16,
	H_VERSION = 20,
	H_LAST_COMP = 24,
	H_CPUID = 28,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36,
};

enum { T_BEGIN = 1, T_END_NODE = 2, T_PROP = 3, T_NOP = 4, T_END = 9 };

/* ---------------------------------------------------------------- builder */

struct bld {
	uint8_t st[8192]; /* structure block */
	size_t slen;
	char strs[2048]; /* strings block */
	size_t strslen;
	uint64_t rsv[8][2];
	int nrsv;
	uint8_t out[16384]; /* the assembled blob */
	size_t size;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

static void b_init(struct bld *b)
{
	memset(b, 0, sizeof(*b));
}

static void b_tag(struct bld *b, uint32_t v)
{
	put32(b->st + b->slen, v);
	b->slen += 4;
}

static void b_pad(struct bld *b)
{
	while (b->slen % 4)
		b->st[b->slen++] = 0;
}

static void b_begin(struct bld *b, const char *name)
{
	size_t n = strlen(name) + 1;

	b_tag(b, T_BEGIN);
	memcpy(b->st + b->slen, name, n);
	b->slen += n;
	b_pad(b);
}

static void b_end(struct bld *b)
{
	b_tag(b, T_END_NODE);
}

static void b_nop(struct bld *b)
{
	b_tag(b, T_NOP);
}

static uint32_t b_string(struct bld *b, const char *name)
{
	size_t off = 0, n = strlen(name) + 1;

	while (off < b->strslen) {
		if (strcmp(b->strs + off, name) == 0)
			return (uint32_t)off;
		off += strlen(b->strs + off) + 1;
	}
	memcpy(b->strs + b->strslen, name, n);
	b->strslen += n;
	return (uint32_t)off;
}

/* A property; returns its offset in the structure block. */
static int b_prop(struct bld *b, const char *name, const void *v, size_t len)
{
	int off = (int)b->slen;

	b_tag(b, T_PROP);
	b_tag(b, (uint32_t)len);
	b_tag(b, b_string(b, name));
	memcpy(b->st + b->slen, v, len);
	b->slen += len;
	b_pad(b);
	return off;
}

/* A string property, NUL included (string lists go through b_prop). */
static void b_str(struct bld *b, const char *name, const char *s)
{
	b_prop(b, name, s, strlen(s) + 1);
}

static void b_cells(struct bld *b, const char *name, int n, ...)
{
	uint8_t v[64];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	b_prop(b, name, v, 4 * (size_t)n);
}

static void b_rsv(struct bld *b, uint64_t addr, uint64_t size)
{
	b->rsv[b->nrsv][0] = addr;
	b->rsv[b->nrsv][1] = size;
	b->nrsv++;
}

/*
 * Lay out header (40 bytes), reservation block, structure block and
 * strings block, in that order, into b->out.
 */
static void b_assemble(struct bld *b, uint32_t version)
{
	size_t rsv = 40, st, strs;

	memset(b->out, 0, sizeof(b->out));
	for (int i = 0; i < b->nrsv; i++) {
		put64(b->out + rsv + 16 * i, b->rsv[i][0]);
		put64(b->out + rsv + 16 * i + 8, b->rsv[i][1]);
	}
	st = rsv + 16 * ((size_t)b->nrsv + 1);
	memcpy(b->out + st, b->st, b->slen);
	strs = st + b->slen;
	memcpy(b->out + strs, b->strs, b->strslen);
	b->size = strs + b->strslen;

	put32(b->out + H_MAGIC, FDT_MAGIC);
	put32(b->out + H_TOTALSIZE, (uint32_t)b->size);
	put32(b->out + H_OFF_STRUCT, (uint32_t)st);
	put32(b->out + H_OFF_STRINGS, (uint32_t)strs);
	put32(b->out + H_OFF_RSV, (uint32_t)rsv);
	put32(b->out + H_VERSION, version);
	put32(b->out + H_LAST_COMP, 16);
	put32(b->out + H_SIZE_STRINGS, (uint32_t)b->strslen);
	if (version >= 17)
		put32(b->out + H_SIZE_STRUCT, (uint32_t)b->slen);
}

/* End the structure block with FDT_END and assemble a version 17 blob. */
static void b_finish(struct bld *b)
{
	b_tag(b, T_END);
	b_assemble(b, 17);
}

static void b_set(struct bld *b, size_t field, uint32_t v)
{
	put32(b->out + field, v);
}

/* fdt_open() on an exact-size heap copy of the first `avail` bytes. */
static int open_copy(const void *blob, size_t avail)
{
	struct fdt f;
	void *copy = malloc(avail ? avail : 1);
	int err;

	memcpy(copy, blob, avail);
	err = fdt_open(&f, copy, avail);
	free(copy);
	return err;
}

static int b_open(struct bld *b)
{
	return open_copy(b->out, b->size);
}

/* The smallest valid tree: an empty root. */
static void build_minimal(struct bld *b)
{
	b_init(b);
	b_begin(b, "");
	b_end(b);
	b_finish(b);
}

/*
 * The tree most accessor tests read:
 *
 * / { #address-cells = <2>; #size-cells = <2>; compatible, model;
 *     aliases { serial0 = "/soc/serial@10000000"; rel = "soc";
 *               unterm = "/soc" (no NUL); cpu = "/cpus"; }
 *     chosen { stdout-path = "serial0:115200n8"; bootargs; }
 *     cpus (1/0) { cpu@0 (phandle 1), cpu@1 (linux,phandle 2, disabled) }
 *     memory@80000000 { two reg entries }   memory { no reg }
 *     soc (1/1) { serial@10000000 { sub {} }  test@100000 (phandle 4)
 *                 badreg@0 (3 cells of reg) }
 *     weird (#address-cells 3) { child@0 }
 *     nocells (#size-cells 8 bytes) { c }
 * }
 * memreserve: (0x87000000, 0x100000), (0, 0x1000)
 */
static void build_sample(struct bld *b)
{
	b_init(b);
	b_rsv(b, 0x87000000, 0x100000);
	b_rsv(b, 0, 0x1000);
	b_begin(b, "");
	b_cells(b, "#address-cells", 1, 2);
	b_cells(b, "#size-cells", 1, 2);
	b_prop(b, "compatible", "acme,board\0acme,soc", 20);
	b_str(b, "model", "sample");
	b_begin(b, "aliases");
	b_str(b, "serial0", "/soc/serial@10000000");
	b_str(b, "rel", "soc");
	b_prop(b, "unterm", "/soc", 4);
	b_str(b, "cpu", "/cpus");
	b_end(b);
	b_begin(b, "chosen");
	b_str(b, "stdout-path", "serial0:115200n8");
	b_str(b, "bootargs", "console=ttyS0");
	b_end(b);
	b_begin(b, "cpus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 0);
	b_cells(b, "timebase-frequency", 1, 10000000);
	b_begin(b, "cpu@0");
	b_cells(b, "reg", 1, 0);
	b_nop(b);
	b_cells(b, "phandle", 1, 1);
	b_str(b, "compatible", "riscv");
	b_str(b, "status", "okay");
	b_end(b);
	b_begin(b, "cpu@1");
	b_cells(b, "reg", 1, 1);
	b_cells(b, "linux,phandle", 1, 2);
	b_str(b, "status", "disabled");
	b_end(b);
	b_end(b);
	b_begin(b, "memory@80000000");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 8, 0, 0x80000000, 0, 0x4000000, 0, 0x88000000, 0,
		0x4000000);
	b_end(b);
	b_begin(b, "memory");
	b_str(b, "device_type", "memory");
	b_end(b);
	b_begin(b, "soc");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_str(b, "compatible", "simple-bus");
	b_prop(b, "ranges", "", 0);
	b_begin(b, "serial@10000000");
	b_str(b, "compatible", "ns16550a");
	b_cells(b, "reg", 2, 0x10000000, 0x100);
	b_begin(b, "sub");
	b_end(b);
	b_end(b);
	b_nop(b);
	b_begin(b, "test@100000");
	b_prop(b, "compatible", "sifive,test1\0sifive,test0\0syscon", 33);
	b_cells(b, "reg", 2, 0x100000, 0x1000);
	b_cells(b, "phandle", 1, 4);
	b_end(b);
	b_begin(b, "badreg@0");
	b_cells(b, "reg", 3, 1, 2, 3);
	b_end(b);
	b_end(b);
	b_begin(b, "weird");
	b_cells(b, "#address-cells", 1, 3);
	b_begin(b, "child@0");
	b_cells(b, "reg", 4, 0, 0, 0, 0);
	b_end(b);
	b_end(b);
	b_begin(b, "nocells");
	b_cells(b, "#size-cells", 2, 0, 0);
	b_begin(b, "c");
	b_cells(b, "reg", 1, 1);
	b_end(b);
	b_end(b);
	b_end(b);
	b_finish(b);
}

static struct bld sample;
static struct fdt sfdt;

/* Open the sample tree into sfdt; the builder's buffer stays alive. */
static int sample_open(void)
{
	build_sample(&sample);
	return fdt_open(&sfdt, sample.out, sample.size);
}

static int path(const char *p)
{
	return fdt_node_by_path(&sfdt, p, strlen(p));
}

static const char *name_of(int node)
{
	return fdt_node_name(&sfdt, node, NULL);
}

/* ------------------------------------------------------------ fdt_open */

/* Scenario: an empty root and the sample tree. Expect both open, the
 * header fields copied, the structure block sized exactly. */
static void open_valid(struct ktest *t)
{
	struct bld b;
	struct fdt f;

	build_minimal(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, f.totalsize, b.size);
	KTEST_EXPECT_EQ(t, f.version, 17);
	KTEST_EXPECT_EQ(t, f.last_comp_version, 16);
	KTEST_EXPECT_EQ(t, f.off_mem_rsvmap, 40);
	KTEST_EXPECT_EQ(t, f.off_dt_struct, 56);
	KTEST_EXPECT_EQ(t, f.size_dt_struct, 16);
	KTEST_EXPECT_EQ(t, f.size_dt_strings, 0);
	KTEST_EXPECT_EQ(t, fdt_root(&f), 0);
	KTEST_EXPECT_EQ(t, b_open(&b), 0);

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	KTEST_EXPECT_EQ(t, sfdt.size_dt_struct, sample.slen);
	KTEST_EXPECT_EQ(t, sfdt.size_dt_strings, sample.strslen);
	KTEST_EXPECT_EQ(t, b_open(&sample), 0);
}

/* Scenario: NULL arguments, and accessors on what a failed open leaves.
 * Expect -EINVAL, a zeroed struct, and clean errors from every accessor. */
static void open_null_and_failed(struct ktest *t)
{
	struct bld b;
	struct fdt f;
	uint64_t a, s;
	int len = 0;

	build_minimal(&b);
	KTEST_EXPECT_EQ(t, fdt_open(NULL, b.out, b.size), -EINVAL);
	KTEST_EXPECT_EQ(t, fdt_open(&f, NULL, b.size), -EINVAL);
	b_set(&b, H_MAGIC, 0);
	memset(&f, 0xa5, sizeof(f));
	KTEST_EXPECT_EQ(t, fdt_open(&f, b.out, b.size), -EFDT_BADMAGIC);
	KTEST_EXPECT(t, f.blob == NULL && f.totalsize == 0);
	KTEST_EXPECT_EQ(t, fdt_root(&f), -EFDT_BADOFFSET);
	KTEST_EXPECT_EQ(t, fdt_node_next(&f, -1, NULL), -EFDT_BADOFFSET);
	KTEST_EXPECT(t, fdt_node_name(&f, 0, &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -EFDT_BADOFFSET);
	KTEST_EXPECT(t, fdt_prop_get(&f, 0, "x", NULL) == NULL);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&f, "/", 1), -EFDT_BADOFFSET);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&f, 0, 0, &a, &s), -EFDT_BADOFFSET);
	KTEST_EXPECT_EQ(t, fdt_rsv_count(&f), -EFDT_BADMEMRSV);
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&f, 1), -EFDT_BADOFFSET);
}

/* Scenario: fewer bytes than the header or totalsize, and totalsize
 * smaller than a header. Expect -EFDT_TRUNCATED each time, no read past
 * the bytes offered (heap copies, ASan). */
static void open_truncated(struct ktest *t)
{
	struct bld b;

	build_minimal(&b);
	for (size_t n = 0; n < b.size; n++)
		KTEST_EXPECT_EQ(t, open_copy(b.out, n), -EFDT_TRUNCATED);
	b_set(&b, H_TOTALSIZE, 39);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_TRUNCATED);
	b_set(&b, H_TOTALSIZE, (uint32_t)b.size + 1);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_TRUNCATED);
}

/* Scenario: magic wrong by one bit, and byte-swapped. Expect
 * -EFDT_BADMAGIC from fdt_open and fdt_peek_size. */
static void open_badmagic(struct ktest *t)
{
	struct bld b;
	uint32_t size = 0;

	build_minimal(&b);
	KTEST_EXPECT_EQ(t, fdt_peek_size(b.out, b.size, &size), 0);
	KTEST_EXPECT_EQ(t, size, b.size);
	KTEST_EXPECT_EQ(t, fdt_peek_size(b.out, 7, &size), -EFDT_TRUNCATED);
	b_set(&b, H_MAGIC, FDT_MAGIC ^ 1);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADMAGIC);
	KTEST_EXPECT_EQ(t, fdt_peek_size(b.out, b.size, &size), -EFDT_BADMAGIC);
	b_set(&b, H_MAGIC, 0xedfe0dd0);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADMAGIC);
}

/* Scenario: versions around the accepted 16..17. Expect 15, a
 * last_comp_version of 18 and last_comp above version rejected with
 * -EFDT_BADVERSION; version 18 compatible with 16 accepted. */
static void open_badversion(struct ktest *t)
{
	struct bld b;

	build_minimal(&b);
	b_set(&b, H_VERSION, 15);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADVERSION);
	b_set(&b, H_VERSION, 1);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADVERSION);
	b_set(&b, H_VERSION, 17);
	b_set(&b, H_LAST_COMP, 18);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADVERSION);
	b_set(&b, H_VERSION, 16);
	b_set(&b, H_LAST_COMP, 17);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADVERSION);
	b_set(&b, H_VERSION, 18);
	b_set(&b, H_LAST_COMP, 16);
	KTEST_EXPECT_EQ(t, b_open(&b), 0);
	b_set(&b, H_VERSION, 0xffffffff);
	b_set(&b, H_LAST_COMP, 17);
	KTEST_EXPECT_EQ(t, b_open(&b), 0);
}

/* Scenario: totalsize just above FDT_MAX_SIZE, and huge. Expect
 * -EFDT_TOOBIG even though fewer bytes are available. */
static void open_toobig(struct ktest *t)
{
	struct bld b;

	build_minimal(&b);
	b_set(&b, H_TOTALSIZE, FDT_MAX_SIZE + 1);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_TOOBIG);
	b_set(&b, H_TOTALSIZE, 0xffffffff);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_TOOBIG);
	b_set(&b, H_TOTALSIZE, FDT_MAX_SIZE);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_TRUNCATED);
}

/* Scenario: each block moved into the header, past the end, misaligned,
 * or with a size whose sum wraps 32 bits. Expect -EFDT_BADLAYOUT. */
static void open_badlayout(struct ktest *t)
{
	static const struct {
		size_t field;
		uint32_t v;
	} bad[] = {
		{ H_OFF_RSV, 0 },
		{ H_OFF_RSV, 32 },
		{ H_OFF_RSV, 44 },
		{ H_OFF_RSV, 0x10000 },
		{ H_OFF_RSV, 0xfffffff8 },
		{ H_OFF_STRUCT, 36 },
		{ H_OFF_STRUCT, 58 },
		{ H_OFF_STRUCT, 0x10000 },
		{ H_OFF_STRUCT, 0xfffffffc },
		{ H_SIZE_STRUCT, 0xffffffff },
		{ H_SIZE_STRUCT, 0xffffffc8 },
		{ H_SIZE_STRUCT, 1000 },
		{ H_OFF_STRINGS, 8 },
		{ H_OFF_STRINGS, 0xffffffff },
		{ H_SIZE_STRINGS, 0xffffffff },
		{ H_SIZE_STRINGS, 1 },
	};
	struct bld b;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int err;

		build_minimal(&b);
		b_set(&b, bad[i].field, bad[i].v);
		err = b_open(&b);
		if (err != -EFDT_BADLAYOUT)
			ktest_fail(t, __FILE__, __LINE__,
				   "field %zu = 0x%x: got %d", bad[i].field,
				   bad[i].v, err);
	}
}

/* Scenario: the reservation block runs to the end of the blob without a
 * size-0 entry. Expect -EFDT_BADMEMRSV. */
static void open_badmemrsv(struct ktest *t)
{
	struct bld b;

	build_minimal(&b);
	/* The last 8-aligned slot leaves 16 bytes: struct END + padding. */
	b_set(&b, H_OFF_RSV, (uint32_t)b.size - 8);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADMEMRSV);
	build_minimal(&b);
	put64(b.out + 48, 1); /* terminator's size */
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADMEMRSV);
	b_set(&b, H_OFF_RSV, 48);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADMEMRSV);
}

/* Structure-block cases: a builder body, then the expected error. */
static int open_struct(void (*body)(struct bld *b), uint32_t version)
{
	struct bld b;

	b_init(&b);
	body(&b);
	b_assemble(&b, version);
	return b_open(&b);
}

static void s_no_end(struct bld *b)
{
	b_begin(b, "");
	b_end(b);
}

static void s_unclosed(struct bld *b)
{
	b_begin(b, "");
	b_begin(b, "a");
	b_end(b);
	b_tag(b, T_END);
}

static void s_extra_end_node(struct bld *b)
{
	b_begin(b, "");
	b_end(b);
	b_end(b);
	b_tag(b, T_END);
}

static void s_bad_tag(struct bld *b)
{
	b_begin(b, "");
	b_tag(b, 5);
	b_end(b);
	b_tag(b, T_END);
}

static void s_two_roots(struct bld *b)
{
	b_begin(b, "");
	b_end(b);
	b_begin(b, "");
	b_end(b);
	b_tag(b, T_END);
}

static void s_no_root(struct bld *b)
{
	b_tag(b, T_END);
}

static void s_root_named(struct bld *b)
{
	b_begin(b, "root");
	b_end(b);
	b_tag(b, T_END);
}

static void s_nop_first(struct bld *b)
{
	b_nop(b);
	s_no_end(b);
	b_tag(b, T_END);
}

static void s_prop_first(struct bld *b)
{
	b_cells(b, "x", 1, 1);
	s_no_end(b);
	b_tag(b, T_END);
}

static void s_prop_after_child(struct bld *b)
{
	b_begin(b, "");
	b_begin(b, "a");
	b_end(b);
	b_cells(b, "x", 1, 1);
	b_end(b);
	b_tag(b, T_END);
}

static void s_prop_after_child_nop(struct bld *b)
{
	b_begin(b, "");
	b_begin(b, "a");
	b_end(b);
	b_nop(b);
	b_cells(b, "x", 1, 1);
	b_end(b);
	b_tag(b, T_END);
}

static void s_prop_after_root(struct bld *b)
{
	s_no_end(b);
	b_cells(b, "x", 1, 1);
	b_tag(b, T_END);
}

static void s_trailing(struct bld *b)
{
	s_no_end(b);
	b_tag(b, T_END);
	b_nop(b);
}

static void s_nop_after_root(struct bld *b)
{
	s_no_end(b);
	b_nop(b);
	b_tag(b, T_END);
}

static void s_nops(struct bld *b)
{
	b_begin(b, "");
	b_nop(b);
	b_cells(b, "x", 1, 1);
	b_nop(b);
	b_begin(b, "a");
	b_nop(b);
	b_end(b);
	b_nop(b);
	b_nop(b);
	b_end(b);
	b_tag(b, T_END);
}

static void s_depth(struct bld *b, int depth)
{
	for (int i = 0; i < depth; i++)
		b_begin(b, i ? "n" : "");
	for (int i = 0; i < depth; i++)
		b_end(b);
	b_tag(b, T_END);
}

static void s_depth_max(struct bld *b)
{
	s_depth(b, FDT_MAX_DEPTH);
}

static void s_depth_over(struct bld *b)
{
	s_depth(b, FDT_MAX_DEPTH + 1);
}

static void s_name_unterminated(struct bld *b)
{
	b_begin(b, "");
	b_tag(b, T_BEGIN);
	memcpy(b->st + b->slen, "abcdefgh", 8);
	b->slen += 8;
}

static void s_prop_too_long(struct bld *b)
{
	int off;

	b_begin(b, "");
	off = b_prop(b, "x", "abcd", 4);
	b_end(b);
	b_tag(b, T_END);
	put32(b->st + off + 4, 13); /* 4 of value + END_NODE + END + 1 */
}

static void s_prop_len_huge(struct bld *b)
{
	int off;

	s_prop_too_long(b);
	off = 8;
	put32(b->st + off + 4, 0xfffffff8);
}

static void s_prop_header_cut(struct bld *b)
{
	b_begin(b, "");
	b_tag(b, T_PROP);
	b_tag(b, 0);
}

static void s_nameoff_out(struct bld *b)
{
	int off;

	b_begin(b, "");
	off = b_prop(b, "x", "", 0);
	b_end(b);
	b_tag(b, T_END);
	put32(b->st + off + 8, 2); /* strings block is "x\0" */
}

static void s_nameoff_huge(struct bld *b)
{
	int off;

	b_begin(b, "");
	off = b_prop(b, "x", "", 0);
	b_end(b);
	b_tag(b, T_END);
	put32(b->st + off + 8, 0xffffffff);
}

static void s_name_noterm(struct bld *b)
{
	b_begin(b, "");
	b_prop(b, "xy", "", 0);
	b_end(b);
	b_tag(b, T_END);
	b->strslen--; /* drop the NUL of the only string */
}

static void s_empty(struct bld *b)
{
}

/* Scenario: each way a structure block can be malformed. Expect the
 * specific error for each; NOPs anywhere inside the root and exactly
 * FDT_MAX_DEPTH levels accepted. */
static void open_structure(struct ktest *t)
{
	static const struct {
		const char *what;
		void (*body)(struct bld *b);
		int err;
	} cases[] = {
		{ "no END", s_no_end, -EFDT_BADSTRUCTURE },
		{ "unclosed node", s_unclosed, -EFDT_BADSTRUCTURE },
		{ "extra END_NODE", s_extra_end_node, -EFDT_BADSTRUCTURE },
		{ "unknown tag", s_bad_tag, -EFDT_BADSTRUCTURE },
		{ "two roots", s_two_roots, -EFDT_BADSTRUCTURE },
		{ "no root", s_no_root, -EFDT_BADSTRUCTURE },
		{ "root with a name", s_root_named, -EFDT_BADSTRUCTURE },
		{ "NOP before root", s_nop_first, -EFDT_BADSTRUCTURE },
		{ "PROP before root", s_prop_first, -EFDT_BADSTRUCTURE },
		{ "PROP after subnode", s_prop_after_child,
		  -EFDT_BADSTRUCTURE },
		{ "PROP after subnode, NOP", s_prop_after_child_nop,
		  -EFDT_BADSTRUCTURE },
		{ "PROP after root", s_prop_after_root, -EFDT_BADSTRUCTURE },
		{ "NOP after root", s_nop_after_root, -EFDT_BADSTRUCTURE },
		{ "bytes after END", s_trailing, -EFDT_BADSTRUCTURE },
		{ "NOPs", s_nops, 0 },
		{ "depth 64", s_depth_max, 0 },
		{ "depth 65", s_depth_over, -EFDT_BADSTRUCTURE },
		{ "name unterminated", s_name_unterminated,
		  -EFDT_BADSTRUCTURE },
		{ "value past block", s_prop_too_long, -EFDT_BADOFFSET },
		{ "value length wraps", s_prop_len_huge, -EFDT_BADOFFSET },
		{ "property header cut", s_prop_header_cut, -EFDT_BADOFFSET },
		{ "nameoff past strings", s_nameoff_out, -EFDT_BADSTRING },
		{ "nameoff huge", s_nameoff_huge, -EFDT_BADSTRING },
		{ "name unterminated in strings", s_name_noterm,
		  -EFDT_BADSTRING },
		{ "empty block", s_empty, -EFDT_BADSTRUCTURE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = open_struct(cases[i].body, 17);

		if (err != cases[i].err)
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: got %d, expected %d", cases[i].what,
				   err, cases[i].err);
	}
}

/* Scenario: version 16 blobs (no size_dt_struct; header 36 bytes).
 * Expect the structure block sized from FDT_END (strings after it are
 * not part of it), blocks allowed from offset 36, bytes after END
 * accepted since the block has no declared size. */
static void open_version16(struct ktest *t)
{
	struct bld b;
	struct fdt f;

	build_sample(&b);
	b_assemble(&b, 16);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, f.size_dt_struct, b.slen);
	KTEST_EXPECT_EQ(t, f.version, 16);
	KTEST_EXPECT_EQ(t, b_open(&b), 0);
	KTEST_EXPECT_EQ(t, open_struct(s_trailing, 16), 0);
	KTEST_EXPECT_EQ(t, open_struct(s_no_end, 16), -EFDT_BADSTRUCTURE);

	/* Move the structure block to offset 36 (legal only in v16). */
	build_minimal(&b);
	b_assemble(&b, 16);
	memmove(b.out + 36, b.out + 56, b.size - 56);
	b_set(&b, H_OFF_STRUCT, 36);
	b_set(&b, H_OFF_STRINGS, 36 + 16);
	b_set(&b, H_OFF_RSV, 56);
	put64(b.out + 56, 0);
	put64(b.out + 64, 0);
	b.size = 72;
	b_set(&b, H_TOTALSIZE, 72);
	KTEST_EXPECT_EQ(t, b_open(&b), 0);
	b_set(&b, H_VERSION, 17);
	b_set(&b, H_SIZE_STRUCT, 16);
	KTEST_EXPECT_EQ(t, b_open(&b), -EFDT_BADLAYOUT);
}

/* Scenario: every truncation of the sample tree, both with avail cut
 * and with totalsize rewritten to the cut. Expect every one rejected
 * (never a read past the copy: ASan), the full blob accepted. */
static void open_every_truncation(struct ktest *t)
{
	struct bld b;
	unsigned int bad = 0;

	build_sample(&b);
	for (size_t n = 0; n < b.size; n++) {
		int err = open_copy(b.out, n);

		if (err == 0)
			bad++;
		if (n >= 40) {
			uint8_t save[4];

			memcpy(save, b.out + H_TOTALSIZE, 4);
			b_set(&b, H_TOTALSIZE, (uint32_t)n);
			if (open_copy(b.out, n) == 0)
				bad++;
			memcpy(b.out + H_TOTALSIZE, save, 4);
		}
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, open_copy(b.out, b.size), 0);
}

/* ---------------------------------------------------------------- nodes */

/* Scenario: walk the sample tree with fdt_node_next from -1. Expect the
 * nodes in document order with their depths, then -EFDT_NOTFOUND. */
static void node_walk(struct ktest *t)
{
	static const struct {
		const char *name;
		int depth;
	} want[] = {
		{ "", 1 },
		{ "aliases", 2 },
		{ "chosen", 2 },
		{ "cpus", 2 },
		{ "cpu@0", 3 },
		{ "cpu@1", 3 },
		{ "memory@80000000", 2 },
		{ "memory", 2 },
		{ "soc", 2 },
		{ "serial@10000000", 3 },
		{ "sub", 4 },
		{ "test@100000", 3 },
		{ "badreg@0", 3 },
		{ "weird", 2 },
		{ "child@0", 3 },
		{ "nocells", 2 },
		{ "c", 3 },
	};
	int node = -1, depth = 0;
	size_t i;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		node = fdt_node_next(&sfdt, node, &depth);
		KTEST_ASSERT(t, node >= 0);
		KTEST_EXPECT_STREQ(t, name_of(node), want[i].name);
		KTEST_EXPECT_EQ(t, depth, want[i].depth);
	}
	KTEST_EXPECT_EQ(t, fdt_node_next(&sfdt, node, &depth), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, depth, 0);
	KTEST_EXPECT_EQ(t, fdt_node_next(&sfdt, node, NULL), -EFDT_NOTFOUND);
}

/* Scenario: children, siblings and parents. Expect first_child /
 * next_sibling to list exactly the direct children, NOPs between
 * siblings skipped, parent the inverse, root's parent -EFDT_NOTFOUND. */
static void node_family(struct ktest *t)
{
	int root, soc, n, len;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	root = fdt_root(&sfdt);
	KTEST_EXPECT_EQ(t, root, 0);
	KTEST_EXPECT_STREQ(t, fdt_node_name(&sfdt, root, &len), "");
	KTEST_EXPECT_EQ(t, len, 0);
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, root), -EFDT_NOTFOUND);

	soc = path("/soc");
	KTEST_ASSERT(t, soc > 0);
	n = fdt_node_first_child(&sfdt, soc);
	KTEST_EXPECT_STREQ(t, name_of(n), "serial@10000000");
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, n), soc);
	KTEST_EXPECT_STREQ(t, name_of(fdt_node_first_child(&sfdt, n)), "sub");
	n = fdt_node_next_sibling(&sfdt, n);
	KTEST_EXPECT_STREQ(t, name_of(n), "test@100000");
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, n), soc);
	KTEST_EXPECT_EQ(t, fdt_node_first_child(&sfdt, n), -EFDT_NOTFOUND);
	n = fdt_node_next_sibling(&sfdt, n);
	KTEST_EXPECT_STREQ(t, name_of(n), "badreg@0");
	KTEST_EXPECT_EQ(t, fdt_node_next_sibling(&sfdt, n), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_next_sibling(&sfdt, root), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, path("/soc/serial/sub")),
			path("/soc/serial@10000000"));
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, soc), root);
}

/* Scenario: fdt_node_child by full name and by name without unit
 * address. Expect "memory" to match "memory@80000000" first (document
 * order), "memory@80000000" exact, "memory@8" nothing, length cuts
 * respected. */
static void node_child(struct ktest *t)
{
	int root;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	root = fdt_root(&sfdt);
	KTEST_EXPECT_STREQ(t, name_of(fdt_node_child(&sfdt, root, "memory", 6)),
			   "memory@80000000");
	KTEST_EXPECT_STREQ(
		t, name_of(fdt_node_child(&sfdt, root, "memory@80000000", 15)),
		"memory@80000000");
	KTEST_EXPECT_EQ(t, fdt_node_child(&sfdt, root, "memory@8", 8),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_STREQ(t, name_of(fdt_node_child(&sfdt, root, "socks", 3)),
			   "soc");
	KTEST_EXPECT_EQ(t, fdt_node_child(&sfdt, root, "so", 2),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_child(&sfdt, root, NULL, 0), -EINVAL);
}

/* Scenario: children "a,b", "ab", "a@1", "a" in that order. Expect "a"
 * to match "a@1" (only '@' starts a unit address), "a@1" itself, and
 * "a," nothing. */
static void node_child_unit(struct ktest *t)
{
	struct bld b;
	struct fdt f;

	b_init(&b);
	b_begin(&b, "");
	b_begin(&b, "a,b");
	b_end(&b);
	b_begin(&b, "ab");
	b_end(&b);
	b_begin(&b, "a@1");
	b_end(&b);
	b_begin(&b, "a");
	b_end(&b);
	b_end(&b);
	b_finish(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_STREQ(
		t, fdt_node_name(&f, fdt_node_child(&f, 0, "a", 1), NULL),
		"a@1");
	KTEST_EXPECT_STREQ(
		t, fdt_node_name(&f, fdt_node_child(&f, 0, "a@1", 3), NULL),
		"a@1");
	KTEST_EXPECT_EQ(t, fdt_node_child(&f, 0, "a,", 2), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_child(&f, 0, "a@", 2), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&f, "/a/", 3),
			fdt_node_child(&f, 0, "a@1", 3));
}

/* Scenario: absolute paths, repeated and trailing slashes, cut lengths,
 * aliases (alone, with a rest, bad values). Expect the libfdt-compatible
 * results: -EFDT_BADPATH for malformed input and bad alias values,
 * -EFDT_NOTFOUND for absent nodes and aliases. */
static void node_by_path(struct ktest *t)
{
	const char *stdout_path;
	int serial;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	serial = path("/soc/serial@10000000");
	KTEST_ASSERT(t, serial > 0);
	KTEST_EXPECT_EQ(t, path("/"), 0);
	KTEST_EXPECT_EQ(t, path("//soc//serial@10000000/"), serial);
	KTEST_EXPECT_EQ(t, path("/soc/serial"), serial);
	KTEST_EXPECT_STREQ(t, name_of(path("/soc/serial/sub")), "sub");
	KTEST_EXPECT_EQ(t, path("/soc/nothing"), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, path(""), -EFDT_BADPATH);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&sfdt, NULL, 3), -EFDT_BADPATH);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&sfdt, "/soc", 0), -EFDT_BADPATH);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&sfdt, "/socxyz", 4), path("/soc"));
	/* len past the NUL stops at the NUL */
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&sfdt, "/soc", 100), path("/soc"));

	KTEST_EXPECT_EQ(t, path("serial0"), serial);
	KTEST_EXPECT_STREQ(t, name_of(path("serial0/sub")), "sub");
	KTEST_EXPECT_STREQ(t, name_of(path("cpu/cpu@1")), "cpu@1");
	KTEST_EXPECT_EQ(t, path("rel"), -EFDT_BADPATH);
	KTEST_EXPECT_EQ(t, path("unterm"), -EFDT_BADPATH);
	KTEST_EXPECT_EQ(t, path("serial1"), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, path("serial0/none"), -EFDT_NOTFOUND);

	stdout_path = fdt_prop_string(&sfdt, path("/chosen"), "stdout-path");
	KTEST_ASSERT_NOT_NULL(t, stdout_path);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&sfdt, stdout_path, 7), serial);
	KTEST_EXPECT_EQ(t, path(stdout_path), -EFDT_NOTFOUND);
}

/* Scenario: a tree without /aliases. Expect an alias lookup to give
 * -EFDT_NOTFOUND. */
static void node_no_aliases(struct ktest *t)
{
	struct bld b;
	struct fdt f;

	build_minimal(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&f, "serial0", 7), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_by_path(&f, "/", 1), 0);
}

/* Scenario: compatible lists with several strings, iteration over all
 * matches, phandle lookups by "phandle" and "linux,phandle". Expect
 * every match in document order and the documented errors. */
static void node_compat_phandle(struct ktest *t)
{
	int n;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	KTEST_EXPECT(t, fdt_node_is_compatible(&sfdt, 0, "acme,soc"));
	KTEST_EXPECT(t, fdt_node_is_compatible(&sfdt, 0, "acme,board"));
	KTEST_EXPECT(t, !fdt_node_is_compatible(&sfdt, 0, "acme"));
	KTEST_EXPECT(t, !fdt_node_is_compatible(&sfdt, path("/cpus"), "x"));

	n = fdt_node_by_compatible(&sfdt, -1, "syscon");
	KTEST_EXPECT_STREQ(t, name_of(n), "test@100000");
	KTEST_EXPECT_EQ(t, fdt_node_by_compatible(&sfdt, n, "syscon"),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_by_compatible(&sfdt, -1, "acme,soc"), 0);
	KTEST_EXPECT_EQ(t, fdt_node_by_compatible(&sfdt, 0, "acme,soc"),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_by_compatible(&sfdt, 3, "riscv"),
			-EFDT_BADOFFSET);

	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, 1), path("/cpus/cpu@0"));
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, 2), path("/cpus/cpu@1"));
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, 4),
			path("/soc/test@100000"));
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, 3), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, 0), -EFDT_BADPHANDLE);
	KTEST_EXPECT_EQ(t, fdt_node_by_phandle(&sfdt, ~0u), -EFDT_BADPHANDLE);
	KTEST_EXPECT_EQ(t, fdt_node_phandle(&sfdt, path("/cpus/cpu@1")), 2);
	KTEST_EXPECT_EQ(t, fdt_node_phandle(&sfdt, 0), 0);
	KTEST_EXPECT_EQ(t, fdt_node_phandle(&sfdt, 1), 0);
}

/* Scenario: status absent, "okay", "ok", "disabled", unterminated or
 * longer values. Expect enabled only for absent, "okay" and "ok". */
static void node_enabled(struct ktest *t)
{
	static const struct {
		const char *v;
		size_t len;
		bool enabled;
	} cases[] = {
		{ "okay", 5, true },	  { "ok", 3, true },
		{ "disabled", 9, false }, { "okay", 4, false },
		{ "okayx", 6, false },	  { "", 0, false },
		{ "ok\0ay", 6, false },	  { "fail", 5, false },
	};

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	KTEST_EXPECT(t, fdt_node_is_enabled(&sfdt, path("/soc")));
	KTEST_EXPECT(t, fdt_node_is_enabled(&sfdt, path("/cpus/cpu@0")));
	KTEST_EXPECT(t, !fdt_node_is_enabled(&sfdt, path("/cpus/cpu@1")));
	KTEST_EXPECT(t, !fdt_node_is_enabled(&sfdt, 3));

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bld b;
		struct fdt f;

		b_init(&b);
		b_begin(&b, "");
		b_prop(&b, "status", cases[i].v, cases[i].len);
		b_end(&b);
		b_finish(&b);
		KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
		if (fdt_node_is_enabled(&f, 0) != cases[i].enabled)
			ktest_fail(t, __FILE__, __LINE__, "status case %zu", i);
	}
}

/* ----------------------------------------------------------- properties */

/* Scenario: property lookup and iteration on the sample tree, with a
 * NOP between two properties of cpu@0. Expect values and lengths as
 * built, NOTFOUND for absent names, iteration skipping the NOP. */
static void prop_access(struct ktest *t)
{
	static const char *const cpu0[] = { "reg", "phandle", "compatible",
					    "status" };
	const char *name;
	const uint8_t *v;
	int cpu, prop, len, i = 0;
	uint32_t u;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	cpu = path("/cpus/cpu@0");
	v = fdt_prop_get(&sfdt, cpu, "reg", &len);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, len, 4);
	KTEST_EXPECT_EQ(t, fdt_be32(v), 0);
	KTEST_EXPECT(t, fdt_prop_get(&sfdt, cpu, "re", &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -EFDT_NOTFOUND);
	KTEST_EXPECT(t, fdt_prop_get(&sfdt, cpu, NULL, &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -EINVAL);
	KTEST_EXPECT(t, fdt_prop_get(&sfdt, path("/soc"), "ranges", &len));
	KTEST_EXPECT_EQ(t, len, 0);
	KTEST_EXPECT(t, fdt_prop_get(&sfdt, 2, "reg", &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -EFDT_BADOFFSET);

	for (prop = fdt_prop_first(&sfdt, cpu); prop >= 0;
	     prop = fdt_prop_next(&sfdt, prop), i++) {
		v = fdt_prop_by_offset(&sfdt, prop, &name, &len);
		KTEST_ASSERT_NOT_NULL(t, v);
		KTEST_ASSERT(t, i < (int)ARRAY_SIZE(cpu0));
		KTEST_EXPECT_STREQ(t, name, cpu0[i]);
	}
	KTEST_EXPECT_EQ(t, prop, -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, i, 4);
	KTEST_EXPECT_EQ(t, fdt_prop_first(&sfdt, path("/soc/serial/sub")),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_prop_next(&sfdt, cpu), -EFDT_BADOFFSET);
	KTEST_EXPECT(t, fdt_prop_by_offset(&sfdt, cpu, &name, &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -EFDT_BADOFFSET);

	KTEST_EXPECT_STREQ(t, fdt_prop_string(&sfdt, 0, "model"), "sample");
	KTEST_EXPECT(t, fdt_prop_string(&sfdt, path("/aliases"), "unterm") ==
				NULL);
	KTEST_EXPECT(t, fdt_prop_string(&sfdt, path("/soc"), "ranges") == NULL);
	KTEST_EXPECT(t, fdt_prop_string(&sfdt, 0, "nothing") == NULL);
	KTEST_EXPECT_EQ(
		t, fdt_prop_u32(&sfdt, path("/cpus"), "timebase-frequency", &u),
		0);
	KTEST_EXPECT_EQ(t, u, 10000000);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(&sfdt, 0, "model", &u), -EFDT_BADVALUE);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(&sfdt, 0, "nothing", &u),
			-EFDT_NOTFOUND);
}

/* Scenario: string lists at their edges. Expect matches only on whole,
 * NUL-terminated entries and no read past len (an unterminated last
 * entry equal to the string does not match). */
static void prop_strlist(struct ktest *t)
{
	static const char list[] = "ab\0cde\0f";
	char *heap = malloc(3);

	KTEST_EXPECT(t, fdt_strlist_contains(list, 9, "ab"));
	KTEST_EXPECT(t, fdt_strlist_contains(list, 9, "cde"));
	KTEST_EXPECT(t, fdt_strlist_contains(list, 9, "f"));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, 8, "f"));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, 9, "c"));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, 9, "cdef"));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, 9, ""));
	KTEST_EXPECT(t, fdt_strlist_contains("\0a", 3, ""));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, 0, "ab"));
	KTEST_EXPECT(t, !fdt_strlist_contains(list, -1, "ab"));
	KTEST_EXPECT(t, !fdt_strlist_contains(NULL, 3, "ab"));
	memcpy(heap, "abc", 3); /* exactly 3 bytes, no NUL: ASan guards */
	KTEST_EXPECT(t, !fdt_strlist_contains(heap, 3, "abc"));
	free(heap);
}

/* ------------------------------------------------------------ addresses */

/* Scenario: #address-cells/#size-cells present, absent, out of range,
 * wrong length. Expect defaults 2/1, accepted 1..2 / 0..2, otherwise
 * -EFDT_BADNCELLS. */
static void cells(struct ktest *t)
{
	int ac = -1, sc = -1;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, 0, &ac, &sc), 0);
	KTEST_EXPECT(t, ac == 2 && sc == 2);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, path("/cpus"), &ac, &sc), 0);
	KTEST_EXPECT(t, ac == 1 && sc == 0);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, path("/chosen"), &ac, &sc), 0);
	KTEST_EXPECT(t, ac == 2 && sc == 1);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, path("/weird"), &ac, &sc),
			-EFDT_BADNCELLS);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, path("/nocells"), NULL, NULL),
			-EFDT_BADNCELLS);
	KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, 1, &ac, &sc), -EFDT_BADOFFSET);

	for (uint32_t a = 0; a <= 3; a++) {
		for (uint32_t s = 0; s <= 3; s++) {
			struct bld b;
			struct fdt f;
			int want = (a >= 1 && a <= 2 && s <= 2)
					   ? 0
					   : -EFDT_BADNCELLS;

			b_init(&b);
			b_begin(&b, "");
			b_cells(&b, "#address-cells", 1, a);
			b_cells(&b, "#size-cells", 1, s);
			b_end(&b);
			b_finish(&b);
			KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
			KTEST_EXPECT_EQ(t, fdt_cells(&f, 0, &ac, &sc), want);
		}
	}
}

/* Scenario: reg decoded with the parent's cells (2/2 root, 1/1 soc, 1/0
 * cpus), a length that is not a multiple of an entry, a parent with bad
 * cells, no reg, the root itself. Expect each entry exact and the
 * documented errors. */
static void reg_decode(struct ktest *t)
{
	uint64_t a = 1, s = 1;
	int mem;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	mem = path("/memory@80000000");
	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, mem), 2);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, mem, 0, &a, &s), 0);
	KTEST_EXPECT(t, a == 0x80000000 && s == 0x4000000);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, mem, 1, &a, &s), 0);
	KTEST_EXPECT(t, a == 0x88000000 && s == 0x4000000);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, mem, 1, NULL, NULL), 0);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, mem, 2, &a, &s), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, mem, -1, &a, &s), -EFDT_NOTFOUND);

	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, path("/soc/serial"), 0, &a, &s),
			0);
	KTEST_EXPECT(t, a == 0x10000000 && s == 0x100);
	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, path("/cpus/cpu@1")), 1);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, path("/cpus/cpu@1"), 0, &a, &s),
			0);
	KTEST_EXPECT(t, a == 1 && s == 0);

	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, path("/soc/badreg@0")),
			-EFDT_BADVALUE);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, path("/soc/badreg"), 0, &a, &s),
			-EFDT_BADVALUE);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&sfdt, path("/weird/child"), 0, &a, &s),
			-EFDT_BADNCELLS);
	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, path("/nocells/c")),
			-EFDT_BADNCELLS);
	/* "/memory" finds memory@80000000 first; the plain one follows. */
	KTEST_EXPECT_EQ(t, path("/memory"), mem);
	KTEST_EXPECT_EQ(t,
			fdt_reg_count(&sfdt, fdt_node_next_sibling(&sfdt, mem)),
			-EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, 0), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, 5), -EFDT_BADOFFSET);
}

/* Scenario: reg on the root (no parent) and one-cell addresses above 4G
 * impossible. Expect the root's reg decoded with defaults 2/1. */
static void reg_root(struct ktest *t)
{
	struct bld b;
	struct fdt f;
	uint64_t a, s;

	b_init(&b);
	b_begin(&b, "");
	b_cells(&b, "reg", 3, 1, 2, 3);
	b_end(&b);
	b_finish(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, fdt_reg_get(&f, 0, 0, &a, &s), 0);
	KTEST_EXPECT_EQ(t, a, 0x100000002ull);
	KTEST_EXPECT_EQ(t, s, 3);
}

/* ------------------------------------------------------------- memrsv */

/* Scenario: two entries (one at address 0), an entry of size 0 but
 * non-zero address, none at all. Expect the entries in order, the
 * size-0 entry ending the block, -EFDT_NOTFOUND past the end. */
static void memrsv(struct ktest *t)
{
	struct bld b;
	struct fdt f;
	uint64_t a = 1, s = 1;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	KTEST_EXPECT_EQ(t, fdt_rsv_count(&sfdt), 2);
	KTEST_EXPECT_EQ(t, fdt_rsv_get(&sfdt, 0, &a, &s), 0);
	KTEST_EXPECT(t, a == 0x87000000 && s == 0x100000);
	KTEST_EXPECT_EQ(t, fdt_rsv_get(&sfdt, 1, &a, &s), 0);
	KTEST_EXPECT(t, a == 0 && s == 0x1000);
	KTEST_EXPECT_EQ(t, fdt_rsv_get(&sfdt, 2, &a, &s), -EFDT_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_rsv_get(&sfdt, -1, &a, &s), -EFDT_NOTFOUND);

	b_init(&b);
	b_rsv(&b, 0x1000, 0x1000);
	b_rsv(&b, 0x5000, 0);
	b_rsv(&b, 0x6000, 0x1000);
	b_begin(&b, "");
	b_end(&b);
	b_finish(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, fdt_rsv_count(&f), 1);
	KTEST_EXPECT_EQ(t, fdt_rsv_get(&f, 1, &a, &s), -EFDT_NOTFOUND);

	build_minimal(&b);
	KTEST_ASSERT_EQ(t, fdt_open(&f, b.out, b.size), 0);
	KTEST_EXPECT_EQ(t, fdt_rsv_count(&f), 0);
}

/* ---------------------------------------------------------- bad offsets */

/* Scenario: accessors given offsets that are negative, misaligned, past
 * the block, or on a property / inside a value. Expect -EFDT_BADOFFSET
 * (or a clean NULL), never a crash. */
static void bad_offsets(struct ktest *t)
{
	static const int offs[] = { -2, -100, 1, 2, 3, 0x7ffffffc, 0x10000 };
	int prop, len;

	KTEST_ASSERT_EQ(t, sample_open(), 0);
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		int o = offs[i];

		KTEST_EXPECT_EQ(t, fdt_node_next(&sfdt, o, NULL),
				-EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_node_first_child(&sfdt, o),
				-EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_node_next_sibling(&sfdt, o),
				-EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, o), -EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_prop_first(&sfdt, o), -EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_prop_next(&sfdt, o), -EFDT_BADOFFSET);
		KTEST_EXPECT(t, fdt_node_name(&sfdt, o, &len) == NULL);
		KTEST_EXPECT_EQ(t, len, -EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_reg_count(&sfdt, o), -EFDT_BADOFFSET);
		KTEST_EXPECT_EQ(t, fdt_cells(&sfdt, o, NULL, NULL),
				-EFDT_BADOFFSET);
	}
	prop = fdt_prop_first(&sfdt, 0);
	KTEST_ASSERT(t, prop > 0);
	KTEST_EXPECT_EQ(t, fdt_node_first_child(&sfdt, prop), -EFDT_BADOFFSET);
	KTEST_EXPECT_EQ(t, fdt_node_parent(&sfdt, prop), -EFDT_BADOFFSET);
	/* Every aligned offset in the block: no crash, no hang. */
	for (int o = 0; o < (int)sfdt.size_dt_struct + 8; o += 4) {
		uint64_t a, s;

		fdt_node_parent(&sfdt, o);
		fdt_node_next_sibling(&sfdt, o);
		fdt_reg_get(&sfdt, o, 0, &a, &s);
		fdt_prop_string(&sfdt, o, "compatible");
		fdt_prop_by_offset(&sfdt, o, NULL, NULL);
	}
}

/* Scenario: byte loads and cell reads. Expect big-endian values from
 * unaligned pointers, 0 for cell counts outside 0..2. */
static void be_loads(struct ktest *t)
{
	static const uint8_t b[] = { 0xff, 0x01, 0x02, 0x03, 0x04,
				     0x05, 0x06, 0x07, 0x08 };

	KTEST_EXPECT_EQ(t, fdt_be32(b + 1), 0x01020304);
	KTEST_EXPECT_EQ(t, fdt_be64(b + 1), 0x0102030405060708ull);
	KTEST_EXPECT_EQ(t, fdt_cells_read(b + 1, 0), 0);
	KTEST_EXPECT_EQ(t, fdt_cells_read(b + 1, 1), 0x01020304);
	KTEST_EXPECT_EQ(t, fdt_cells_read(b + 1, 2), 0x0102030405060708ull);
	KTEST_EXPECT_EQ(t, fdt_cells_read(b + 1, 3), 0);
	KTEST_EXPECT_EQ(t, fdt_be32(b), 0xff010203);
}

static const struct ktest_case fdt_cases[] = {
	KTEST_CASE(open_valid),
	KTEST_CASE(open_null_and_failed),
	KTEST_CASE(open_truncated),
	KTEST_CASE(open_badmagic),
	KTEST_CASE(open_badversion),
	KTEST_CASE(open_toobig),
	KTEST_CASE(open_badlayout),
	KTEST_CASE(open_badmemrsv),
	KTEST_CASE(open_structure),
	KTEST_CASE(open_version16),
	KTEST_CASE(open_every_truncation),
	KTEST_CASE(node_walk),
	KTEST_CASE(node_family),
	KTEST_CASE(node_child),
	KTEST_CASE(node_child_unit),
	KTEST_CASE(node_by_path),
	KTEST_CASE(node_no_aliases),
	KTEST_CASE(node_compat_phandle),
	KTEST_CASE(node_enabled),
	KTEST_CASE(prop_access),
	KTEST_CASE(prop_strlist),
	KTEST_CASE(cells),
	KTEST_CASE(reg_decode),
	KTEST_CASE(reg_root),
	KTEST_CASE(memrsv),
	KTEST_CASE(bad_offsets),
	KTEST_CASE(be_loads),
	KTEST_END,
};

static const struct ktest_suite fdt_suite = { "fdt", fdt_cases, NULL, NULL };

KTEST_HOST_MAIN(&fdt_suite)
