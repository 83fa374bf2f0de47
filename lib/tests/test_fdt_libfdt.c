// SPDX-License-Identifier: BSD-2-Clause
/*
 * Differential test: lib/fdt.c against dtc's libfdt (1.6.x, -lfdt).
 *
 * Inputs: (a) every blob in a dtb directory: argv[1] if it is a
 * directory, else $FDT_DTB_DIR, else $(BUILD)/dts next to this binary
 * (what `make dtbs` writes), else the .dts files in dts/ compiled with
 * dtc into a temporary directory; (b) random trees written with libfdt's
 * sequential-write and read-write APIs (so the test stands alone); and
 * (c) systematically corrupted variants of all of them: every
 * truncation, header fields set to edge values (in version 17 and 16),
 * every property length and name offset set to edge values, every tag
 * replaced, random byte changes in the structure and strings blocks and
 * the reservation block.
 *
 * Verdict: ours accepts iff fdt_check_full(blob, bufsize) == 0, except
 * where our policy is deliberately stricter. Those differences are
 * decided by policy_violation() below, with libfdt's own token walker,
 * counted, and reported at the end; for each one ours must reject with
 * the stated error:
 *
 *  P1 version < 16 (libfdt reads 2..17)             -EFDT_BADVERSION
 *  P2 totalsize > FDT_MAX_SIZE                      -EFDT_TOOBIG
 *  P3 off_mem_rsvmap not 8-aligned or off_dt_struct
 *     not 4-aligned (libfdt copes with both)        -EFDT_BADLAYOUT
 *  P4 structure shape: the first token is not the root's BEGIN_NODE
 *     (a NOP or PROP first, or an empty tree), or a PROP not directly
 *     after its node's BEGIN_NODE or another PROP (NOPs aside), i.e.
 *     after a subnode                               -EFDT_BADSTRUCTURE
 *  P5 more than FDT_MAX_DEPTH nested nodes          -EFDT_BADSTRUCTURE
 *  P6 version 17: bytes after FDT_END inside size_dt_struct
 *                                                   -EFDT_BADSTRUCTURE
 *  P7 version 16: a property name not NUL-terminated inside
 *     size_dt_strings (libfdt bounds it by totalsize) -EFDT_BADSTRING
 *  P8 a property length that runs past the structure block but that
 *     libfdt's 32-bit offset arithmetic folds back into it: for
 *     0xfffffffd..0xffffffff fdt_next_tag() goes on right after the
 *     property header (for 0xfffffff9..0xfffffffc at its name offset
 *     word), so libfdt accepts a property of "length -1" -EFDT_BADOFFSET
 *
 * And two libfdt 1.6.1 bugs kept out of the way (libfdt_hazard()): for a
 * property length of 0xfffffff4 fdt_check_full() never returns, and for
 * a version 2..15 blob whose top-level node name has no '/' it
 * dereferences NULL. Such blobs are not given to libfdt; ours must
 * reject them (-EFDT_BADOFFSET / -EFDT_BADVERSION).
 *
 * On blobs both accept, every node is walked with both and compared:
 * offsets, depths, names (same pointers), parents, first child / next
 * sibling, child lookup by name with and without unit address, every
 * property (offset, name, length, value pointer, lookup by name),
 * phandle and its lookup, compatible matching and lookup (against
 * fdt_stringlist_search, which reads only inside the property), reg
 * decoding (cells from fdt_address_cells / fdt_size_cells of the
 * parent), path lookup of every node's fdt_get_path (also with a
 * ":options" suffix cut off), aliases, stdout-path, and the memory
 * reservation block.
 *
 * Things not compared, because libfdt misbehaves on them: alias values
 * that are not absolute paths (libfdt recurses into them, forever for
 * an alias naming itself) and unterminated alias values (libfdt reads
 * past the property); ours must return -EFDT_BADPATH for both.
 */
#include <libfdt.h>
/* lib/fdt.h has its own FDT_MAGIC (same value). */
#undef FDT_MAGIC
#include "lib/fdt.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/kernel.h"
#include "lib/rand.h"
#include "lib/tests/host_ktest.h"

#define MAX_BLOBS 64
#define MAX_REPORTS 30
#define RANDOM_EDITS_PER_BLOB 2500
#define GENERATED_TREES 60
#define GEN_BUF_SIZE 65536

enum policy {
	P_NONE,
	P1_VERSION,
	P2_SIZE,
	P3_ALIGN,
	P4_SHAPE,
	P5_DEPTH,
	P6_END_LAST,
	P7_V16_STRINGS,
	P8_PROP_LEN_WRAP,
	P_COUNT
};

static const char *const policy_names[P_COUNT] = {
	"none",
	"P1 version<16",
	"P2 too big",
	"P3 alignment",
	"P4 shape",
	"P5 depth",
	"P6 END not last",
	"P7 v16 strings",
	"P8 property length wraps",
};

static const int policy_errors[P_COUNT] = {
	0,
	-EFDT_BADVERSION,
	-EFDT_TOOBIG,
	-EFDT_BADLAYOUT,
	-EFDT_BADSTRUCTURE,
	-EFDT_BADSTRUCTURE,
	-EFDT_BADSTRUCTURE,
	-EFDT_BADSTRING,
	-EFDT_BADOFFSET,
};

/* One input blob (pristine). */
struct blob {
	char name[260];
	uint8_t *data;
	size_t size;
};

/* Running state of a differential run. */
struct diff {
	struct ktest *t;
	const char *blob; /* name of the blob being varied */
	char what[128]; /* the current variation */
	unsigned long checked, both_ok, both_bad, mismatches;
	unsigned long policy[P_COUNT];
	unsigned long nodes, props;
	unsigned long libfdt_hangs; /* blobs kept from libfdt (hazards) */
};

/* Totals over the whole run, printed by the last case. */
static struct {
	unsigned long checked, both_ok, both_bad, mismatches;
	unsigned long policy[P_COUNT];
	unsigned long nodes, props, libfdt_hangs;
	unsigned int dtbs, generated;
} total;

static struct blob dtbs[MAX_BLOBS];
static unsigned int nr_dtbs;
static char dtb_source[1300];

/* ------------------------------------------------------------ reporting */

static void __printf(2, 3) mismatch(struct diff *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	d->mismatches++;
	if (d->mismatches > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ktest_fail(d->t, __FILE__, __LINE__, "%s [%s]: %s", d->blob, d->what,
		   msg);
}

#define SAME(d, ours, theirs, ...)                                             \
	do {                                                                   \
		long long _o = (long long)(ours), _l = (long long)(theirs);    \
		if (_o != _l)                                                  \
			mismatch(d, "%s: ours %lld, libfdt %lld (%s)", #ours,  \
				 _o, _l, __VA_ARGS__);                         \
	} while (0)

/* Both negative, or both the same offset. */
#define SAME_OFF(d, ours, theirs, ...)                                         \
	do {                                                                   \
		int _o = (ours), _l = (theirs);                                \
		if ((_o >= 0 || _l >= 0) && _o != _l)                          \
			mismatch(d, "%s: ours %d, libfdt %d (%s)", #ours, _o,  \
				 _l, __VA_ARGS__);                             \
	} while (0)

static void diff_start(struct diff *d, struct ktest *t)
{
	memset(d, 0, sizeof(*d));
	d->t = t;
}

static void diff_end(struct diff *d)
{
	total.checked += d->checked;
	total.both_ok += d->both_ok;
	total.both_bad += d->both_bad;
	total.mismatches += d->mismatches;
	total.nodes += d->nodes;
	total.props += d->props;
	total.libfdt_hangs += d->libfdt_hangs;
	for (int i = 0; i < P_COUNT; i++)
		total.policy[i] += d->policy[i];
	ktest_info(d->t,
		   "%lu blobs: %lu accepted by both, %lu rejected by both, "
		   "%lu by policy, %lu mismatches; %lu nodes compared",
		   d->checked, d->both_ok, d->both_bad,
		   d->checked - d->both_ok - d->both_bad - d->mismatches -
			   d->libfdt_hangs,
		   d->mismatches, d->nodes);
}

/* ------------------------------------------------------- policy oracle */

/* Big-endian word at b + off (byte loads: offsets may be unaligned). */
static uint32_t hdr32(const uint8_t *b, size_t off)
{
	b += off;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/*
 * Which of our stricter rules (P1..P7) a blob that fdt_check_full()
 * accepted breaks, or P_NONE. Uses libfdt's fdt_next_tag(), which is safe
 * on a blob fdt_check_full() accepted.
 */
static enum policy policy_violation(const void *blob)
{
	const uint8_t *b = blob;
	uint32_t version = fdt_version(blob);
	const char *strings = (const char *)b + fdt_off_dt_strings(blob);
	uint32_t strings_size = fdt_size_dt_strings(blob);
	uint32_t st = fdt_off_dt_struct(blob);
	uint64_t st_size = version >= 17 ? fdt_size_dt_struct(blob)
					 : fdt_totalsize(blob) - st;
	uint32_t prev = 0;
	int off = 0, next, depth = 0;

	if (version < 16)
		return P1_VERSION;
	if (fdt_totalsize(blob) > FDT_MAX_SIZE)
		return P2_SIZE;
	if (fdt_off_mem_rsvmap(blob) % 8 || fdt_off_dt_struct(blob) % 4)
		return P3_ALIGN;
	for (;; off = next) {
		uint32_t tag = fdt_next_tag(blob, off, &next);

		if (off == 0 && tag != FDT_BEGIN_NODE)
			return P4_SHAPE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (++depth > FDT_MAX_DEPTH)
				return P5_DEPTH;
			break;
		case FDT_END_NODE:
			depth--;
			break;
		case FDT_PROP: {
			uint32_t len = hdr32(b, st + (uint32_t)off + 4);
			uint32_t nameoff = hdr32(b, st + (uint32_t)off + 8);

			/* Same order of checks as fdt_open()'s walk. */
			if ((uint64_t)off + 12 + len > st_size)
				return P8_PROP_LEN_WRAP;
			if (prev != FDT_BEGIN_NODE && prev != FDT_PROP)
				return P4_SHAPE;
			if (version < 17 && (nameoff >= strings_size ||
					     !memchr(strings + nameoff, 0,
						     strings_size - nameoff)))
				return P7_V16_STRINGS;
			break;
		}
		case FDT_END:
			if (version >= 17 &&
			    (uint32_t)next != fdt_size_dt_struct(blob))
				return P6_END_LAST;
			return P_NONE;
		}
		if (tag != FDT_NOP)
			prev = tag;
	}
}

/*
 * libfdt 1.6.1's fdt_check_full() never returns when its token walk meets
 * a PROP of length 0xfffffff4: fdt_next_tag() adds 12 + len in 32 bits
 * and hands back the PROP's own offset as the next one. Walk the tokens
 * exactly as libfdt would (same bounds, same order) and say whether it
 * would meet one.
 */
static bool libfdt_would_hang(const uint8_t *b, size_t size)
{
	uint32_t tsize, st, version;
	uint64_t limit, off = 0;

	if (size < 40 || hdr32(b, 0) != 0xd00dfeed)
		return false;
	tsize = hdr32(b, 4);
	st = hdr32(b, 8);
	version = hdr32(b, 20);
	if (tsize > size || st > tsize)
		return false;
	limit = tsize - st;
	if (version >= 17 && hdr32(b, 36) < limit)
		limit = hdr32(b, 36);
	b += st;
	for (;;) {
		uint32_t len;

		if (off + 4 > limit)
			return false;
		switch (hdr32(b, off)) {
		case FDT_BEGIN_NODE:
			off += 4;
			while (off < limit && b[off])
				off++;
			if (off >= limit)
				return false;
			off++;
			break;
		case FDT_PROP:
			if (off + 12 > limit)
				return false;
			len = hdr32(b, off + 4);
			if (len == 0xfffffff4)
				return true;
			off += 12 + (uint64_t)len;
			if (off > limit)
				return false;
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			off += 4;
			break;
		default:
			return false;
		}
		off = (off + 3) & ~3ull;
	}
}

/*
 * Why libfdt must not see this blob, or NULL: see the top of the file.
 * For versions 2..15 fdt_get_name() wants a '/' in the name and returns
 * NULL otherwise, which fdt_check_full() dereferences.
 */
static const char *libfdt_hazard(const uint8_t *b, size_t size)
{
	if (size >= 40 && hdr32(b, 0) == 0xd00dfeed && hdr32(b, 20) < 16)
		return "version < 16";
	if (libfdt_would_hang(b, size))
		return "PROP length 0xfffffff4";
	return NULL;
}

/* ---------------------------------------------------------- comparison */

static bool cells_ok(int ac, int sc)
{
	return ac >= 1 && ac <= 2 && sc >= 0 && sc <= 2;
}

static uint64_t be_cells(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | hdr32(p, 4 * (size_t)i);
	return v;
}

/* reg of `node`: libfdt's cells of the parent and raw value vs ours. */
static void compare_reg(struct diff *d, const void *blob, const struct fdt *f,
			int node)
{
	int parent = fdt_parent_offset(blob, node);
	int lac = 2, lsc = 1, ac, sc, len, n, count;
	const uint8_t *reg;

	if (parent >= 0) {
		lac = fdt_address_cells(blob, parent);
		lsc = fdt_size_cells(blob, parent);
		if (!cells_ok(lac, lsc)) {
			if (fdt_cells(f, parent, &ac, &sc) == 0)
				mismatch(d,
					 "node %d: ours accepts cells %d/%d,"
					 " libfdt says %d/%d",
					 node, ac, sc, lac, lsc);
			if (fdt_reg_count(f, node) != -EFDT_BADNCELLS)
				mismatch(d,
					 "node %d: reg_count %d with bad "
					 "cells",
					 node, fdt_reg_count(f, node));
			return;
		}
		if (fdt_cells(f, parent, &ac, &sc) != 0 || ac != lac ||
		    sc != lsc)
			mismatch(d, "node %d: cells ours %d/%d libfdt %d/%d",
				 parent, ac, sc, lac, lsc);
	}
	count = fdt_reg_count(f, node);
	reg = fdt_getprop(blob, node, "reg", &len);
	if (!reg) {
		SAME(d, count, -EFDT_NOTFOUND, "no reg");
		return;
	}
	if (len % ((lac + lsc) * 4)) {
		SAME(d, count, -EFDT_BADVALUE, "reg length");
		return;
	}
	n = len / ((lac + lsc) * 4);
	SAME(d, count, n, "reg entries");
	for (int i = 0; i < n; i++) {
		uint64_t a = ~0ull, s = ~0ull;
		const uint8_t *e = reg + i * (lac + lsc) * 4;

		SAME(d, fdt_reg_get(f, node, i, &a, &s), 0, "reg_get");
		SAME(d, a, be_cells(e, lac), "reg address");
		SAME(d, s, be_cells(e + lac * 4, lsc), "reg size");
	}
	SAME(d, fdt_reg_get(f, node, n, NULL, NULL), -EFDT_NOTFOUND, "past");
}

/* Every property of `node`, in order, by offset and by name. */
static void compare_props(struct diff *d, const void *blob, const struct fdt *f,
			  int node)
{
	int lp = fdt_first_property_offset(blob, node);
	int op = fdt_prop_first(f, node);

	for (; lp >= 0 && op >= 0; lp = fdt_next_property_offset(blob, lp),
				   op = fdt_prop_next(f, op)) {
		const char *lname = NULL, *oname = NULL;
		int llen = -1, olen = -2, glen = -3;
		const void *lv = fdt_getprop_by_offset(blob, lp, &lname, &llen);
		const void *ov = fdt_prop_by_offset(f, op, &oname, &olen);

		d->props++;
		SAME(d, op, lp, "property offset");
		if (!lv) {
			mismatch(d, "libfdt cannot read property %d", lp);
			continue;
		}
		if (ov != lv || oname != lname || olen != llen)
			mismatch(d,
				 "property %d: ours %p %p %d libfdt %p %p %d",
				 lp, ov, (const void *)oname, olen, lv,
				 (const void *)lname, llen);
		lv = fdt_getprop(blob, node, lname, &llen);
		ov = fdt_prop_get(f, node, lname, &glen);
		if (ov != lv || glen != llen)
			mismatch(d, "get \"%s\": ours %p/%d libfdt %p/%d",
				 lname, ov, glen, lv, llen);
	}
	if (lp != -FDT_ERR_NOTFOUND || op != -EFDT_NOTFOUND)
		mismatch(d, "node %d: property lists end %d vs %d", node, op,
			 lp);
}

/* Compatible strings of `node`: matching and lookup from the start. */
static void compare_compat(struct diff *d, const void *blob,
			   const struct fdt *f, int node)
{
	int len, used = 0;
	const char *list = fdt_getprop(blob, node, "compatible", &len);

	for (int i = 0; list && i < len && used < 3; used++) {
		const char *s = list + i;
		size_t n = strnlen(s, (size_t)(len - i));
		int lfirst, ofirst;

		if (n == (size_t)(len - i))
			break; /* unterminated tail */
		SAME(d, fdt_node_is_compatible(f, node, s),
		     fdt_stringlist_search(blob, node, "compatible", s) >= 0,
		     s);
		ofirst = fdt_node_by_compatible(f, -1, s);
		for (lfirst = fdt_next_node(blob, -1, NULL); lfirst >= 0;
		     lfirst = fdt_next_node(blob, lfirst, NULL))
			if (fdt_stringlist_search(blob, lfirst, "compatible",
						  s) >= 0)
				break;
		SAME_OFF(d, ofirst, lfirst, s);
		i += (int)n + 1;
	}
}

/* Children of `node`: iteration and lookup by (short) name. */
static void compare_children(struct diff *d, const void *blob,
			     const struct fdt *f, int node)
{
	int lc = fdt_first_subnode(blob, node);
	int oc = fdt_node_first_child(f, node);

	for (; lc >= 0 && oc >= 0; lc = fdt_next_subnode(blob, lc),
				   oc = fdt_node_next_sibling(f, oc)) {
		int len;
		const char *name = fdt_get_name(blob, lc, &len);
		const char *at;

		SAME(d, oc, lc, "child offset");
		if (!name)
			continue;
		SAME_OFF(d, fdt_node_child(f, node, name, (size_t)len),
			 fdt_subnode_offset_namelen(blob, node, name, len),
			 name);
		at = memchr(name, '@', (size_t)len);
		if (at)
			SAME_OFF(d,
				 fdt_node_child(f, node, name,
						(size_t)(at - name)),
				 fdt_subnode_offset_namelen(blob, node, name,
							    (int)(at - name)),
				 name);
	}
	SAME_OFF(d, oc, lc, "end of children");
}

/* Lookup of the node's own path, plain and with ":opts" cut off. */
static void compare_path(struct diff *d, const void *blob, const struct fdt *f,
			 int node)
{
	char path[1100];
	size_t n;

	if (fdt_get_path(blob, node, path, 1024) != 0)
		return;
	n = strlen(path);
	SAME_OFF(d, fdt_node_by_path(f, path, n), fdt_path_offset(blob, path),
		 path);
	strcpy(path + n, ":115200n8");
	SAME_OFF(d, fdt_node_by_path(f, path, n),
		 fdt_path_offset_namelen(blob, path, (int)n), path);
}

/* An alias value libfdt can be trusted with: absolute, terminated. */
static bool alias_safe(const char *v, int len)
{
	return v && len >= 2 && v[0] == '/' && v[len - 1] == '\0' &&
	       strlen(v) == (size_t)len - 1;
}

static void compare_aliases(struct diff *d, const void *blob,
			    const struct fdt *f)
{
	int la = fdt_path_offset(blob, "/aliases"), p;

	SAME_OFF(d, fdt_node_by_path(f, "/aliases", 8), la, "/aliases");
	if (la < 0)
		return;
	for (p = fdt_first_property_offset(blob, la); p >= 0;
	     p = fdt_next_property_offset(blob, p)) {
		const char *name;
		int len;
		const char *v = fdt_getprop_by_offset(blob, p, &name, &len);
		size_t n = name ? strlen(name) : 0;
		int ours;

		if (!v || n == 0 || memchr(name, '/', n))
			continue;
		ours = fdt_node_by_path(f, name, n);
		if (alias_safe(v, len))
			SAME_OFF(d, ours, fdt_path_offset(blob, name), name);
		else if (ours != -EFDT_BADPATH)
			mismatch(d, "alias %s (bad value): ours %d", name,
				 ours);
	}
}

static void compare_chosen(struct diff *d, const void *blob,
			   const struct fdt *f)
{
	int chosen = fdt_path_offset(blob, "/chosen"), len, cut;
	const char *sp;

	SAME_OFF(d, fdt_node_by_path(f, "/chosen", 7), chosen, "/chosen");
	if (chosen < 0)
		return;
	sp = fdt_getprop(blob, chosen, "stdout-path", &len);
	if (!sp || len < 1 || sp[len - 1] != '\0')
		return;
	cut = (int)strcspn(sp, ":");
	if (cut == 0)
		return;
	if (sp[0] != '/') {
		const char *slash = memchr(sp, '/', (size_t)cut);
		int aliases = fdt_path_offset(blob, "/aliases"), alen = 0;
		const char *v = NULL;

		if (aliases >= 0)
			v = fdt_getprop_namelen(blob, aliases, sp,
						slash ? (int)(slash - sp) : cut,
						&alen);
		if (!alias_safe(v, alen)) {
			if (fdt_node_by_path(f, sp, (size_t)cut) >= 0)
				mismatch(d,
					 "stdout-path %s: ours resolves a "
					 "bad alias",
					 sp);
			return;
		}
	}
	SAME_OFF(d, fdt_node_by_path(f, sp, (size_t)cut),
		 fdt_path_offset_namelen(blob, sp, cut), sp);
}

static void compare_memrsv(struct diff *d, const void *blob,
			   const struct fdt *f)
{
	int n = fdt_num_mem_rsv(blob);

	SAME(d, fdt_rsv_count(f), n, "memrsv count");
	for (int i = 0; i < n; i++) {
		uint64_t la, ls, oa = 0, os = 0;

		fdt_get_mem_rsv(blob, i, &la, &ls);
		SAME(d, fdt_rsv_get(f, i, &oa, &os), 0, "rsv_get");
		SAME(d, oa, la, "rsv address");
		SAME(d, os, ls, "rsv size");
	}
	SAME(d, fdt_rsv_get(f, n, NULL, NULL), -EFDT_NOTFOUND, "rsv end");
}

static bool status_enabled(const void *blob, int node)
{
	int len;
	const char *s = fdt_getprop(blob, node, "status", &len);

	if (!s)
		return true;
	return (len == 5 && !memcmp(s, "okay", 5)) ||
	       (len == 3 && !memcmp(s, "ok", 3));
}

/* Walk every node with both readers and compare everything about it. */
static void compare_trees(struct diff *d, const void *blob, const struct fdt *f,
			  bool deep)
{
	int ldepth = 0, odepth = 0;
	int ln = fdt_next_node(blob, -1, &ldepth);
	int on = fdt_node_next(f, -1, &odepth);

	compare_memrsv(d, blob, f);
	for (; ln >= 0 && on >= 0; ln = fdt_next_node(blob, ln, &ldepth),
				   on = fdt_node_next(f, on, &odepth)) {
		int llen, olen;
		const char *lname = fdt_get_name(blob, ln, &llen);
		const char *oname = fdt_node_name(f, on, &olen);
		uint32_t ph = fdt_get_phandle(blob, ln);

		d->nodes++;
		SAME(d, on, ln, "node offset");
		SAME(d, odepth, ldepth, "depth");
		if (oname != lname || olen != llen)
			mismatch(d, "node %d name %p/%d vs %p/%d", ln,
				 (const void *)oname, olen, (const void *)lname,
				 llen);
		SAME_OFF(d, fdt_node_parent(f, ln), fdt_parent_offset(blob, ln),
			 "parent");
		SAME(d, fdt_node_phandle(f, ln), ph, "phandle");
		if (ph != 0 && ph != ~0u)
			SAME_OFF(d, fdt_node_by_phandle(f, ph),
				 fdt_node_offset_by_phandle(blob, ph),
				 "phandle lookup");
		SAME(d, fdt_node_is_enabled(f, ln), status_enabled(blob, ln),
		     "status");
		compare_props(d, blob, f, ln);
		compare_children(d, blob, f, ln);
		compare_reg(d, blob, f, ln);
		if (deep) {
			compare_compat(d, blob, f, ln);
			compare_path(d, blob, f, ln);
		}
	}
	if (ln != -FDT_ERR_NOTFOUND || on != -EFDT_NOTFOUND)
		mismatch(d, "walks end differently: ours %d libfdt %d", on, ln);
	if (deep) {
		compare_aliases(d, blob, f);
		compare_chosen(d, blob, f);
	}
}

/*
 * One blob of `size` bytes: copy it to an exact-size heap buffer (ASan
 * catches reads past it), get both verdicts, check they agree up to
 * policy, and compare the trees when both accept.
 */
static void check_blob(struct diff *d, const uint8_t *bytes, size_t size,
		       bool deep)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct fdt f;
	int lerr, oerr;
	enum policy p = P_NONE;
	const char *hazard;

	memcpy(buf, bytes, size);
	d->checked++;
	hazard = libfdt_hazard(buf, size);
	if (hazard) {
		d->libfdt_hangs++;
		if (fdt_open(&f, buf, size) == 0)
			mismatch(d, "ours accepts: %s", hazard);
		free(buf);
		return;
	}
	lerr = fdt_check_full(buf, size);
	oerr = fdt_open(&f, buf, size);
	if (lerr == 0)
		p = policy_violation(buf);

	if (lerr != 0) {
		if (oerr == 0)
			mismatch(d, "ours accepts, libfdt: %s",
				 fdt_strerror(lerr));
		else if (lerr == -FDT_ERR_BADMAGIC && oerr != -EFDT_BADMAGIC &&
			 oerr != -EFDT_TRUNCATED)
			mismatch(d, "bad magic: ours %d", oerr);
		else
			d->both_bad++;
	} else if (p != P_NONE) {
		d->policy[p]++;
		if (oerr != policy_errors[p])
			mismatch(d, "%s: ours %d, expected %d", policy_names[p],
				 oerr, policy_errors[p]);
	} else if (oerr != 0) {
		mismatch(d, "ours rejects with %d, libfdt accepts", oerr);
	} else {
		d->both_ok++;
		compare_trees(d, buf, &f, deep);
	}
	free(buf);
}

/* ------------------------------------------------------------ variants */

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* check_blob() on a copy with the 32-bit field at `off` set to v. */
static void check_with32(struct diff *d, const struct blob *b, size_t off,
			 uint32_t v)
{
	uint8_t *copy = malloc(b->size);

	memcpy(copy, b->data, b->size);
	set32(copy + off, v);
	check_blob(d, copy, b->size, false);
	free(copy);
}

static const char *const field_names[10] = {
	"magic",	   "totalsize",	     "off_dt_struct", "off_dt_strings",
	"off_rsv",	   "version",	     "last_comp",     "boot_cpuid",
	"size_dt_strings", "size_dt_struct",
};

/* Header fields set to edge values, in version 17 and relabelled 16. */
static void vary_header(struct diff *d, const struct blob *b)
{
	uint8_t *v16 = malloc(b->size);
	struct blob b16 = { "", v16, b->size };

	memcpy(v16, b->data, b->size);
	set32(v16 + 20, 16);
	set32(v16 + 24, 16);
	for (int pass = 0; pass < 2; pass++) {
		const struct blob *src = pass ? &b16 : b;

		for (size_t fld = 0; fld < 10; fld++) {
			uint32_t orig = hdr32(src->data, fld * 4);
			uint32_t n = (uint32_t)src->size;
			const uint32_t vals[] = { 0,
						  1,
						  2,
						  3,
						  4,
						  7,
						  8,
						  15,
						  16,
						  17,
						  18,
						  27,
						  28,
						  32,
						  35,
						  36,
						  39,
						  40,
						  41,
						  44,
						  48,
						  56,
						  64,
						  orig - 16,
						  orig - 8,
						  orig - 4,
						  orig - 1,
						  orig + 1,
						  orig + 4,
						  orig + 8,
						  orig + 16,
						  n - 16,
						  n - 8,
						  n - 4,
						  n - 1,
						  n,
						  n + 1,
						  n + 4,
						  0x7fffffff,
						  0x80000000,
						  0xfffffff0,
						  0xfffffffc,
						  0xffffffff,
						  FDT_MAX_SIZE,
						  FDT_MAX_SIZE + 1,
						  orig ^ 0x80000000,
						  orig * 2,
						  orig / 2 };

			for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
				snprintf(d->what, sizeof(d->what),
					 "v%d %s = 0x%x", pass ? 16 : 17,
					 field_names[fld], vals[i]);
				check_with32(d, src, fld * 4, vals[i]);
			}
		}
	}
	free(v16);
}

/* Every truncation: avail cut, and totalsize rewritten to the cut. */
static void vary_truncation(struct diff *d, const struct blob *b)
{
	uint8_t *copy = malloc(b->size + 64);

	for (size_t n = 0; n < b->size; n++) {
		snprintf(d->what, sizeof(d->what), "avail %zu", n);
		check_blob(d, b->data, n, false);
		if (n < 8)
			continue;
		memcpy(copy, b->data, n);
		set32(copy + 4, (uint32_t)n);
		snprintf(d->what, sizeof(d->what), "totalsize %zu", n);
		check_blob(d, copy, n, false);
	}
	/* Longer buffers: trailing bytes inside and outside totalsize. */
	for (size_t extra = 1; extra <= 64; extra += 7) {
		memcpy(copy, b->data, b->size);
		memset(copy + b->size, 0xa5, extra);
		snprintf(d->what, sizeof(d->what), "avail +%zu", extra);
		check_blob(d, copy, b->size + extra, false);
		set32(copy + 4, (uint32_t)(b->size + extra));
		snprintf(d->what, sizeof(d->what), "totalsize +%zu", extra);
		check_blob(d, copy, b->size + extra, false);
	}
	free(copy);
}

/* Every token: tag replaced; PROPs: len and nameoff set to edge values. */
static void vary_tokens(struct diff *d, const struct blob *b)
{
	static const uint32_t tags[] = { 0, 1, 2, 3,	  4,
					 5, 8, 9, 0x0100, 0xffffffff };
	const void *blob = b->data;
	uint32_t st = fdt_off_dt_struct(blob);
	uint32_t size_st = fdt_size_dt_struct(blob);
	uint32_t size_str = fdt_size_dt_strings(blob);
	int off = 0, next;

	for (;; off = next) {
		uint32_t tag = fdt_next_tag(blob, off, &next);

		if (next < 0)
			break;
		for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
			snprintf(d->what, sizeof(d->what), "tag@%d = 0x%x", off,
				 tags[i]);
			check_with32(d, b, st + (uint32_t)off, tags[i]);
		}
		if (tag == FDT_PROP) {
			uint32_t len = hdr32(b->data, st + (uint32_t)off + 4);
			uint32_t nameoff = hdr32(b->data, st + off + 8);
			uint32_t room = size_st - (uint32_t)off - 12;
			const uint32_t lens[] = {
				0,	    len - 1,	len + 1,    len + 3,
				len + 4,    len + 8,	room,	    room + 1,
				room - 4,   room - 8,	0x7fffffff, 0x80000000,
				0xfffffff4, 0xfffffff8, 0xffffffff, len * 2
			};
			const uint32_t names[] = {
				size_str - 1, size_str,	   size_str + 1,
				nameoff + 1,  nameoff - 1, 0x7fffffff,
				0x80000000,   0xffffffff,  0
			};

			for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
				snprintf(d->what, sizeof(d->what),
					 "len@%d = 0x%x", off, lens[i]);
				check_with32(d, b, st + off + 4, lens[i]);
			}
			for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
				snprintf(d->what, sizeof(d->what),
					 "nameoff@%d = 0x%x", off, names[i]);
				check_with32(d, b, st + off + 8, names[i]);
			}
		}
		if (tag == FDT_BEGIN_NODE) {
			/* Remove the name's NUL. */
			const char *name = (const char *)b->data + st + off + 4;
			uint8_t *copy = malloc(b->size);

			memcpy(copy, b->data, b->size);
			copy[st + off + 4 + strlen(name)] = 'x';
			snprintf(d->what, sizeof(d->what), "name@%d unended",
				 off);
			check_blob(d, copy, b->size, false);
			free(copy);
		}
		if (tag == FDT_END)
			break;
	}
}

/* Random byte edits in the structure, strings and reservation blocks. */
static void vary_random(struct diff *d, const struct blob *b, uint64_t seed,
			unsigned int edits)
{
	const void *blob = b->data;
	uint32_t st = fdt_off_dt_struct(blob), str = fdt_off_dt_strings(blob);
	uint32_t st_end = st + fdt_size_dt_struct(blob);
	uint32_t str_end = str + fdt_size_dt_strings(blob);
	uint32_t rsv = fdt_off_mem_rsvmap(blob);
	uint8_t *copy = malloc(b->size);
	struct rand_state r;

	rand_seed(&r, seed);
	for (unsigned int i = 0; i < edits; i++) {
		unsigned int n = 1 + (unsigned int)rand_below(&r, 3);
		uint32_t lo = st, hi = st_end;

		switch (rand_below(&r, 8)) {
		case 0:
		case 1:
			lo = str;
			hi = str_end;
			break;
		case 2:
			if (rsv + 16 <= st) {
				lo = rsv;
				hi = st;
			}
			break;
		}
		if (hi <= lo)
			continue;
		memcpy(copy, b->data, b->size);
		for (unsigned int k = 0; k < n; k++) {
			uint32_t pos = lo + (uint32_t)rand_below(&r, hi - lo);

			switch (rand_below(&r, 4)) {
			case 0:
				copy[pos] ^= 1u << rand_below(&r, 8);
				break;
			case 1:
				copy[pos] = 0;
				break;
			case 2:
				copy[pos] = (uint8_t)rand_next(&r);
				break;
			default:
				copy[pos] = (uint8_t)(copy[pos] + 1);
				break;
			}
		}
		snprintf(d->what, sizeof(d->what), "random edit %u (seed %llu)",
			 i, (unsigned long long)seed);
		check_blob(d, copy, b->size, i % 8 == 0);
	}
	free(copy);
}

static void vary_all(struct diff *d, const struct blob *b, uint64_t seed,
		     unsigned int edits)
{
	d->blob = b->name;
	vary_truncation(d, b);
	vary_header(d, b);
	vary_tokens(d, b);
	vary_random(d, b, seed, edits);
}

/* --------------------------------------------------------- blob sources */

static bool read_file(const char *path, struct blob *b)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return false;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b->data = n > 0 ? malloc((size_t)n) : NULL;
	if (!b->data || fread(b->data, 1, (size_t)n, fp) != (size_t)n) {
		free(b->data);
		fclose(fp);
		return false;
	}
	fclose(fp);
	b->size = (size_t)n;
	return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Load every *.dtb in dir; returns how many. */
static unsigned int load_dir(const char *dir)
{
	struct dirent *e;
	unsigned int n = 0;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((e = readdir(dp)) && nr_dtbs < MAX_BLOBS) {
		char path[1024];
		struct blob *b = &dtbs[nr_dtbs];

		if (!has_suffix(e->d_name, ".dtb"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(b->name, sizeof(b->name), "%s", e->d_name);
		if (read_file(path, b)) {
			nr_dtbs++;
			n++;
		}
	}
	closedir(dp);
	return n;
}

/* Compile dts_dir/<*.dts> with dtc into a temporary directory. */
static unsigned int compile_dts(const char *dts_dir)
{
	char tmp[] = "/tmp/fdt-diff-XXXXXX";
	char cmd[4096];
	unsigned int n;

	if (!is_dir(dts_dir) || !mkdtemp(tmp))
		return 0;
	snprintf(cmd, sizeof(cmd),
		 "for f in '%s'/*.dts; do dtc -q -I dts -O dtb "
		 "-o '%s'/\"$(basename \"$f\" .dts)\".dtb \"$f\" || exit 1; "
		 "done 2>/dev/null",
		 dts_dir, tmp);
	if (system(cmd) != 0)
		return 0;
	n = load_dir(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return n;
	return n;
}

/* Directory of this executable, e.g. build/host/lib/tests. */
static bool exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

static void find_dtbs(const char *argdir)
{
	char dir[1024], path[1200];
	const char *env = getenv("FDT_DTB_DIR");

	if (argdir && load_dir(argdir)) {
		snprintf(dtb_source, sizeof(dtb_source), "argv: %s", argdir);
		return;
	}
	if (env && load_dir(env)) {
		snprintf(dtb_source, sizeof(dtb_source), "FDT_DTB_DIR=%s", env);
		return;
	}
	if (exe_dir(dir, sizeof(dir))) {
		/* $(BUILD)/host/lib/tests -> $(BUILD)/dts, repo/dts */
		snprintf(path, sizeof(path), "%s/../../../dts", dir);
		if (load_dir(path)) {
			snprintf(dtb_source, sizeof(dtb_source), "%s", path);
			return;
		}
		snprintf(path, sizeof(path), "%s/../../../../dts", dir);
		if (compile_dts(path)) {
			snprintf(dtb_source, sizeof(dtb_source),
				 "dtc on %s/*.dts", path);
			return;
		}
	}
	if (compile_dts("dts"))
		snprintf(dtb_source, sizeof(dtb_source), "dtc on ./dts/*.dts");
}

/* ----------------------------------------------------- generated trees */

static const char *const node_names[] = {
	"cpu@0",
	"memory@80000000",
	"memory",
	"soc",
	"serial@10000000",
	"node",
	"a@1",
	"a@2",
	"a",
	"x@ff",
	"b@1,2",
	"reserved-memory",
	"chosen",
	"cpus",
	"test@100000",
	"",
	"weird:name",
	"a@",
	"@1",
	"long-node-name@deadbeef",
	"a,b",
	"b,c@3",
};

static const char *const compat_names[] = {
	"ns16550a", "sifive,test0", "syscon", "riscv", "simple-bus", "",
};

/* A property whose value is n big-endian cells. */
static void gen_cells(void *fdt, const char *name, int n, struct rand_state *r)
{
	fdt32_t v[32];

	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32((uint32_t)rand_next(r));
	fdt_property(fdt, name, v, (int)sizeof(v[0]) * n);
}

static void gen_node(void *fdt, struct rand_state *r, int depth, int pac,
		     int psc, uint32_t *phandle)
{
	int ac = 2, sc = 1, kids;

	if (rand_below(r, 3) == 0) {
		ac = (int)rand_below(r, 4);
		fdt_property_u32(fdt, "#address-cells", (uint32_t)ac);
	}
	if (rand_below(r, 3) == 0) {
		sc = (int)rand_below(r, 4);
		fdt_property_u32(fdt, "#size-cells", (uint32_t)sc);
	}
	if (rand_below(r, 2))
		gen_cells(fdt, "reg",
			  (pac + psc) * (int)rand_below(r, 4) +
				  (rand_below(r, 8) == 0 ? 1 : 0),
			  r);
	if (rand_below(r, 2)) {
		char list[128];
		int len = 0;

		for (int i = (int)rand_below(r, 3); i >= 0; i--) {
			const char *c = compat_names[rand_below(
				r, ARRAY_SIZE(compat_names))];

			strcpy(list + len, c);
			len += (int)strlen(c) + 1;
		}
		fdt_property(fdt, "compatible", list, len);
	}
	switch (rand_below(r, 6)) {
	case 0:
		fdt_property_u32(fdt, "phandle", ++*phandle);
		break;
	case 1:
		fdt_property_u32(fdt, "linux,phandle", ++*phandle);
		break;
	case 2:
		fdt_property_u32(fdt, "phandle", *phandle); /* duplicate */
		break;
	case 3:
		fdt_property_u64(fdt, "phandle", ++*phandle); /* wrong size */
		break;
	}
	switch (rand_below(r, 5)) {
	case 0:
		fdt_property_string(fdt, "status", "okay");
		break;
	case 1:
		fdt_property_string(fdt, "status", "disabled");
		break;
	case 2:
		fdt_property(fdt, "status", "ok", 2);
		break;
	}
	if (rand_below(r, 4) == 0)
		fdt_property_string(fdt, "device_type", "memory");
	if (rand_below(r, 3) == 0)
		gen_cells(fdt, "data", (int)rand_below(r, 9), r);
	if (rand_below(r, 4) == 0)
		fdt_property(fdt, "empty", NULL, 0);

	kids = depth < 5 ? (int)rand_below(r, depth < 2 ? 6 : 3) : 0;
	for (int i = 0; i < kids; i++) {
		fdt_begin_node(
			fdt, node_names[rand_below(r, ARRAY_SIZE(node_names))]);
		gen_node(fdt, r, depth + 1, ac, sc, phandle);
		fdt_end_node(fdt);
	}
}

/*
 * A random tree: reservation entries, nested nodes with random cells,
 * reg, compatible, phandles and status; then (read-write API) /aliases
 * pointing at random nodes, /chosen/stdout-path, and a NOPed property
 * and node. Returns the packed size, or 0.
 */
static size_t gen_tree(uint8_t *out, size_t size, struct rand_state *r)
{
	static uint8_t sw[GEN_BUF_SIZE];
	uint32_t phandle = 0;
	int nodes = 0, node, aliases, chosen;

	fdt_create(sw, sizeof(sw));
	for (int i = (int)rand_below(r, 4); i > 0; i--)
		fdt_add_reservemap_entry(sw, rand_next(r),
					 1 + rand_below(r, 1u << 30));
	fdt_finish_reservemap(sw);
	fdt_begin_node(sw, "");
	gen_node(sw, r, 1, 2, 1, &phandle);
	fdt_end_node(sw);
	if (fdt_finish(sw) || fdt_open_into(sw, out, (int)size))
		return 0;

	for (node = fdt_next_node(out, -1, NULL); node >= 0;
	     node = fdt_next_node(out, node, NULL))
		nodes++;
	aliases = fdt_add_subnode(out, 0, "aliases");
	if (aliases < 0)
		aliases = fdt_path_offset(out, "/aliases");
	for (int i = 0; aliases >= 0 && i < 4; i++) {
		char path[512], name[24];
		int target = fdt_next_node(out, -1, NULL);

		for (int k = (int)rand_below(r, (uint64_t)nodes); k > 0; k--)
			target = fdt_next_node(out, target, NULL);
		if (target < 0 || fdt_get_path(out, target, path, 512))
			continue;
		snprintf(name, sizeof(name), "alias%d", i);
		fdt_setprop_string(out, aliases, name, path);
		aliases = fdt_path_offset(out, "/aliases");
	}
	if (aliases >= 0) {
		fdt_setprop_string(out, aliases, "rel", "soc");
		fdt_setprop(out, aliases, "unterm", "/soc", 4);
	}
	chosen = fdt_add_subnode(out, 0, "chosen");
	if (chosen < 0)
		chosen = fdt_path_offset(out, "/chosen");
	if (chosen >= 0) {
		/* (fdt_setprop_string() evaluates its argument twice) */
		const char *sp =
			rand_below(r, 2) ? "alias0:115200n8" : "/soc:9600";

		fdt_setprop_string(out, chosen, "stdout-path", sp);
	}
	if (rand_below(r, 2)) {
		const char *pname = NULL;
		int prop;

		node = fdt_next_node(out, 0, NULL);
		prop = node >= 0 ? fdt_first_property_offset(out, node) : -1;
		if (prop >= 0 && fdt_getprop_by_offset(out, prop, &pname, NULL))
			fdt_nop_property(out, node, pname);
	}
	if (rand_below(r, 3) == 0) {
		node = fdt_next_node(out, fdt_next_node(out, 0, NULL), NULL);
		if (node > 0)
			fdt_nop_node(out, node);
	}
	if (fdt_pack(out))
		return 0;
	return fdt_totalsize(out);
}

/* A chain of `depth` nested nodes, root included. */
static size_t gen_chain(uint8_t *out, size_t size, int depth)
{
	fdt_create(out, (int)size);
	fdt_finish_reservemap(out);
	for (int i = 0; i < depth; i++) {
		fdt_begin_node(out, i ? "n" : "");
		fdt_property_u32(out, "level", (uint32_t)i);
	}
	for (int i = 0; i < depth; i++)
		fdt_end_node(out);
	if (fdt_finish(out))
		return 0;
	return fdt_totalsize(out);
}

/* ---------------------------------------------------------------- cases */

/* Scenario: each dtb from dts/ (or $FDT_DTB_DIR), as compiled and
 * relabelled version 16. Expect both readers to accept and agree on
 * every node, property, lookup and reservation. */
static void dtbs_agree(struct ktest *t)
{
	struct diff d;

	if (!nr_dtbs) {
		ktest_skip(t, "no dtbs found (FDT_DTB_DIR, build/dts, dts/)");
		return;
	}
	ktest_info(t, "%u dtbs from %s", nr_dtbs, dtb_source);
	diff_start(&d, t);
	for (unsigned int i = 0; i < nr_dtbs; i++) {
		uint8_t *v16 = malloc(dtbs[i].size);

		d.blob = dtbs[i].name;
		snprintf(d.what, sizeof(d.what), "as compiled");
		check_blob(&d, dtbs[i].data, dtbs[i].size, true);
		KTEST_EXPECT_EQ(t, d.both_ok, 2 * i + 1);
		memcpy(v16, dtbs[i].data, dtbs[i].size);
		set32(v16 + 20, 16);
		set32(v16 + 24, 16);
		snprintf(d.what, sizeof(d.what), "relabelled v16");
		check_blob(&d, v16, dtbs[i].size, true);
		KTEST_EXPECT_EQ(t, d.both_ok, 2 * i + 2);
		free(v16);
	}
	total.dtbs = nr_dtbs;
	diff_end(&d);
	KTEST_EXPECT_EQ(t, d.mismatches, 0);
}

/* Scenario: systematic corruptions of every dtb. Expect the verdicts to
 * agree up to the documented policy differences, and identical trees
 * whenever both accept. */
static void dtbs_corrupted_agree(struct ktest *t)
{
	struct diff d;

	if (!nr_dtbs) {
		ktest_skip(t, "no dtbs found");
		return;
	}
	diff_start(&d, t);
	for (unsigned int i = 0; i < nr_dtbs; i++)
		vary_all(&d, &dtbs[i], 1000 + i, RANDOM_EDITS_PER_BLOB);
	diff_end(&d);
	KTEST_EXPECT_EQ(t, d.mismatches, 0);
	KTEST_EXPECT_GT(t, d.both_ok, 100);
	KTEST_EXPECT_GT(t, d.both_bad, 1000);
}

/* Scenario: random trees written by libfdt (cells 0..3, bad reg lengths,
 * duplicate and wrong-size phandles, aliases, NOPed properties and
 * nodes, odd names), and lightly corrupted copies. Expect agreement. */
static void generated_agree(struct ktest *t)
{
	static uint8_t buf[GEN_BUF_SIZE];
	struct rand_state r;
	struct diff d;
	struct blob b;

	diff_start(&d, t);
	rand_seed(&r, 20240601);
	for (unsigned int i = 0; i < GENERATED_TREES; i++) {
		size_t n = gen_tree(buf, sizeof(buf), &r);

		KTEST_ASSERT(t, n > 0);
		snprintf(b.name, sizeof(b.name), "generated #%u", i);
		b.data = buf;
		b.size = n;
		d.blob = b.name;
		snprintf(d.what, sizeof(d.what), "as generated");
		check_blob(&d, buf, n, true);
		vary_random(&d, &b, i, 150);
		if (i % 10 == 0)
			vary_tokens(&d, &b);
		total.generated++;
	}
	diff_end(&d);
	KTEST_EXPECT_EQ(t, d.mismatches, 0);
}

/* Scenario: chains of nodes around FDT_MAX_DEPTH. Expect 64 accepted by
 * both; 65 and 100 accepted by libfdt, rejected by us (P5). */
static void depth_limit(struct ktest *t)
{
	static uint8_t buf[GEN_BUF_SIZE];
	static const int depths[] = { 1, 2, 63, 64, 65, 100 };
	struct diff d;

	diff_start(&d, t);
	d.blob = "chain";
	for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
		size_t n = gen_chain(buf, sizeof(buf), depths[i]);

		KTEST_ASSERT(t, n > 0);
		snprintf(d.what, sizeof(d.what), "depth %d", depths[i]);
		check_blob(&d, buf, n, true);
	}
	KTEST_EXPECT_EQ(t, d.both_ok, 4);
	KTEST_EXPECT_EQ(t, d.policy[P5_DEPTH], 2);
	diff_end(&d);
	KTEST_EXPECT_EQ(t, d.mismatches, 0);
}

/*
 * Hand-made blob: header, an empty reservation block at `rsv`, the
 * tokens at `st` (the bytes between stay zero), strings "p".
 */
static size_t policy_blob(uint8_t *out, const uint32_t *tokens, int n,
			  uint32_t version, uint32_t st, uint32_t rsv)
{
	static const char strings[] = "p";
	uint32_t size_st = 4 * (uint32_t)n;
	uint32_t str = st + size_st;

	memset(out, 0, 256);
	for (int i = 0; i < n; i++)
		set32(out + st + 4 * i, tokens[i]);
	memcpy(out + str, strings, sizeof(strings));
	set32(out, 0xd00dfeed);
	set32(out + 4, str + (uint32_t)sizeof(strings));
	set32(out + 8, st);
	set32(out + 12, str);
	set32(out + 16, rsv);
	set32(out + 20, version);
	set32(out + 24, version < 16 ? version : 16);
	set32(out + 32, sizeof(strings));
	set32(out + 36, size_st);
	return str + sizeof(strings);
}

/* A tree of 2 MiB + 4 KiB, one big property: fine for libfdt, P2. */
static size_t big_blob(uint8_t **out)
{
	size_t size = FDT_MAX_SIZE + 8192;
	uint8_t *buf = calloc(1, size);
	void *val;

	fdt_create(buf, (int)size);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_property_placeholder(buf, "big", FDT_MAX_SIZE + 4096 - 256, &val);
	fdt_end_node(buf);
	fdt_finish(buf);
	*out = buf;
	return fdt_totalsize(buf);
}

/* Scenario: one blob per documented policy difference (P1..P7). Expect
 * libfdt's fdt_check_full() to accept each and ours to reject it with
 * the documented error: the differences are real and deliberate. */
static void policy_cases(struct ktest *t)
{
	/* BEGIN_NODE "" is 0x1 0x0; PROP len 0 nameoff 0 is 0x3 0x0 0x0. */
	static const struct {
		const char *what;
		enum policy p;
		uint32_t version, st, rsv;
		uint32_t tok[16];
		int n;
		size_t field;
		uint32_t value;
	} cases[] = {
		{ "version 15",
		  P1_VERSION,
		  15,
		  56,
		  40,
		  { 1, 0x2f000000, 2, 9 },
		  4,
		  0,
		  0 },
		{ "version 2",
		  P1_VERSION,
		  2,
		  56,
		  40,
		  { 1, 0x2f000000, 2, 9 },
		  4,
		  0,
		  0 },
		{ "struct misaligned",
		  P3_ALIGN,
		  17,
		  58,
		  40,
		  { 1, 0, 2, 9 },
		  4,
		  0,
		  0 },
		{ "rsvmap misaligned",
		  P3_ALIGN,
		  17,
		  64,
		  44,
		  { 1, 0, 2, 9 },
		  4,
		  0,
		  0 },
		{ "NOP before root",
		  P4_SHAPE,
		  17,
		  56,
		  40,
		  { 4, 1, 0, 2, 9 },
		  5,
		  0,
		  0 },
		{ "PROP before root",
		  P4_SHAPE,
		  17,
		  56,
		  40,
		  { 3, 0, 0, 1, 0, 2, 9 },
		  7,
		  0,
		  0 },
		{ "empty tree", P4_SHAPE, 17, 56, 40, { 9 }, 1, 0, 0 },
		{ "PROP after subnode",
		  P4_SHAPE,
		  17,
		  56,
		  40,
		  { 1, 0, 1, 0x61000000, 2, 3, 0, 0, 2, 9 },
		  10,
		  0,
		  0 },
		{ "NOP after END",
		  P6_END_LAST,
		  17,
		  56,
		  40,
		  { 1, 0, 2, 9, 4 },
		  5,
		  0,
		  0 },
		{ "v16 name past size_dt_strings",
		  P7_V16_STRINGS,
		  16,
		  56,
		  40,
		  { 1, 0, 3, 0, 0, 2, 9 },
		  7,
		  32,
		  0 },
		{ "PROP length 0xffffffff",
		  P8_PROP_LEN_WRAP,
		  17,
		  56,
		  40,
		  { 1, 0, 3, 0xffffffff, 0, 2, 9 },
		  7,
		  0,
		  0 },
		{ "PROP length 0xfffffffd",
		  P8_PROP_LEN_WRAP,
		  17,
		  56,
		  40,
		  { 1, 0, 3, 0xfffffffd, 0, 2, 9 },
		  7,
		  0,
		  0 },
	};
	uint8_t buf[256], *big;
	struct diff d;
	struct fdt f;
	size_t n;
	int err;

	diff_start(&d, t);
	d.blob = "policy";
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		n = policy_blob(buf, cases[i].tok, cases[i].n, cases[i].version,
				cases[i].st, cases[i].rsv);
		if (cases[i].field)
			set32(buf + cases[i].field, cases[i].value);
		err = fdt_check_full(buf, n);
		if (err != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: libfdt rejects (%s)", cases[i].what,
				   fdt_strerror(err));
			continue;
		}
		if (policy_violation(buf) != cases[i].p)
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: classified as %s, not %s",
				   cases[i].what,
				   policy_names[policy_violation(buf)],
				   policy_names[cases[i].p]);
		err = fdt_open(&f, buf, n);
		if (err != policy_errors[cases[i].p])
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: ours %d, expected %d", cases[i].what,
				   err, policy_errors[cases[i].p]);
		total.policy[cases[i].p]++;
	}

	n = big_blob(&big);
	snprintf(d.what, sizeof(d.what), "totalsize %zu", n);
	KTEST_EXPECT_EQ(t, fdt_check_full(big, n), 0);
	check_blob(&d, big, n, false);
	KTEST_EXPECT_EQ(t, d.policy[P2_SIZE], 1);
	free(big);
	KTEST_EXPECT_EQ(t, d.mismatches, 0);
	diff_end(&d);
}

/* Scenario: the whole run. Expect tens of thousands of blobs checked,
 * no mismatch; print the per-policy counts. */
static void summary(struct ktest *t)
{
	for (int i = 1; i < P_COUNT; i++)
		ktest_info(t,
			   "%s: %lu blobs accepted by libfdt, by policy "
			   "not by us",
			   policy_names[i], total.policy[i]);
	ktest_info(t, "kept from libfdt (it would hang or crash): %lu",
		   total.libfdt_hangs);
	ktest_info(t,
		   "total: %lu blobs (%u dtbs, %u generated trees), %lu "
		   "accepted by both (%lu nodes, %lu properties compared), "
		   "%lu rejected by both, %lu mismatches",
		   total.checked, total.dtbs, total.generated, total.both_ok,
		   total.nodes, total.props, total.both_bad, total.mismatches);
	KTEST_EXPECT_EQ(t, total.mismatches, 0);
	KTEST_EXPECT_GT(t, total.checked, 10000);
}

static const struct ktest_case fdt_libfdt_cases[] = {
	KTEST_CASE(dtbs_agree),
	KTEST_CASE(dtbs_corrupted_agree),
	KTEST_CASE(generated_agree),
	KTEST_CASE(depth_limit),
	KTEST_CASE(policy_cases),
	KTEST_CASE(summary),
	KTEST_END,
};

static const struct ktest_suite fdt_libfdt_suite = { "fdt_libfdt",
						     fdt_libfdt_cases, NULL,
						     NULL };

/*
 * argv[1], if it is a directory, names the dtbs and is removed before
 * ktest sees argv (where argv[1] selects suites).
 */
int main(int argc, char **argv)
{
	static const struct ktest_suite *const suites[] = { &fdt_libfdt_suite };
	const char *dir = NULL;

	if (argc > 1 && is_dir(argv[1])) {
		dir = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	find_dtbs(dir);
	return ktest_host_main(suites, ARRAY_SIZE(suites), argc, argv);
}
