// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flattened device tree reader (lib/fdt.h), part 1: trusting the bytes.
 * This file validates the blob, reads tokens and strings out of it and
 * walks the structure block from node to node; the queries built on
 * those (paths, compatible, phandles, properties, cells, reg and the
 * memory reservation block) are in lib/fdt_ro.c. The two share the
 * token readers through lib/internal.h.
 *
 * Theory of operation
 * -------------------
 * A DTB is one buffer of `totalsize` bytes holding four blocks:
 *
 *   0               header: 40 bytes (36 in version 16, no size_dt_struct)
 *   off_mem_rsvmap  be64 (address, size) pairs, ended by a size of 0
 *   off_dt_struct   tokens, each 4-aligned (offsets below are relative to
 *                   the block, the root node at 0):
 *                     BEGIN_NODE name '\0' pad   PROP len nameoff value pad
 *                     END_NODE   NOP   END
 *   off_dt_strings  property names, each NUL-terminated
 *
 * The blob is untrusted. fdt_open() is the one place that checks it as a
 * whole: the header, each block's placement, the reservation block's
 * terminator, and every token of the structure block in one walk. Only
 * then does it fill struct fdt, whose fields are the validated geometry.
 * After a successful fdt_open() these invariants hold:
 *
 *  I1  [off_mem_rsvmap, +16 * (entries + 1)), [off_dt_struct,
 *      +size_dt_struct) and [off_dt_strings, +size_dt_strings) lie inside
 *      [hdr, totalsize), hdr being the header size, and totalsize is at
 *      most FDT_MAX_SIZE, so every offset fits an int with room to spare.
 *  I2  off_mem_rsvmap is 8-aligned, off_dt_struct 4-aligned.
 *  I3  The structure block ends right after its FDT_END token (for
 *      version 16 size_dt_struct is set so; version 17 must say so).
 *  I4  The structure block is: one BEGIN_NODE at offset 0 (the root,
 *      with an empty name); inside each node its PROPs, then its
 *      subnodes; properly nested with at most FDT_MAX_DEPTH open nodes;
 *      FDT_END right after the root's END_NODE. NOPs may appear between
 *      any two tokens inside the root.
 *  I5  Every node name is NUL-terminated inside the structure block,
 *      every property value lies inside it, and every property's nameoff
 *      names a NUL-terminated string inside the strings block.
 *
 * Accessors (here and in lib/fdt_ro.c) do not rely on I4 and I5 for
 * memory safety: every token is read through fdt_token_read(), every
 * property name through fdt_string_at(), which check offset, alignment
 * and each length against I1 and I3 with 64-bit arithmetic, so nothing
 * wraps and no read leaves [blob, blob + totalsize). A caller's offset
 * that lands inside a property value instead of on a token gives a wrong
 * answer or an error, never an out-of-range read (libfdt's contract
 * too). Walks only move forward, so they end.
 *
 * Locking: none needed. There are no globals and struct fdt is read-only
 * after fdt_open(), so any number of readers may share one.
 *
 * Failure modes: every error is a specific negative -EFDT_* code (or
 * -EINVAL for NULL arguments); nothing here panics or prints.
 */
#include "lib/fdt.h"

#include "lib/internal.h"
#include "lib/string.h"

#define FDT_V16_HEADER_SIZE 36u

/* Header field byte offsets. */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_DT_STRUCT = 8,
	HDR_OFF_DT_STRINGS = 12,
	HDR_OFF_MEM_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP_VERSION = 24,
	HDR_BOOT_CPUID_PHYS = 28,
	HDR_SIZE_DT_STRINGS = 32,
	HDR_SIZE_DT_STRUCT = 36,
};

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

uint64_t fdt_cells_read(const void *p, int cells)
{
	switch (cells) {
	case 1:
		return fdt_be32(p);
	case 2:
		return fdt_be64(p);
	default:
		return 0;
	}
}

/* --------------------------------------------------------- token readers */

/* Pointer to [off, off + len) of the structure block, NULL if outside. */
static const uint8_t *struct_at(const struct fdt *fdt, uint64_t off,
				uint64_t len)
{
	if (!fdt->blob || off > fdt->size_dt_struct ||
	    len > fdt->size_dt_struct - off)
		return NULL;
	return fdt->blob + fdt->off_dt_struct + off;
}

/*
 * Decode the token at `off` (lib/internal.h). The only place that reads a
 * token's bytes: each length is checked against I1 and I3 before use.
 */
int fdt_token_read(const struct fdt *fdt, int off, struct fdt_token *tk)
{
	const uint8_t *p;
	uint64_t end;

	if (off < 0 || off % FDT_TOKEN_SIZE)
		return -EFDT_BADOFFSET;
	p = struct_at(fdt, (uint64_t)off, FDT_TOKEN_SIZE);
	if (!p)
		return -EFDT_BADOFFSET;
	tk->tag = fdt_be32(p);
	end = (uint64_t)off + FDT_TOKEN_SIZE;

	switch (tk->tag) {
	case FDT_TOKEN_BEGIN_NODE: {
		uint64_t room = fdt->size_dt_struct - end;
		const char *name = (const char *)p + FDT_TOKEN_SIZE;
		size_t n = strnlen(name, room);

		if (n == room)
			return -EFDT_BADSTRUCTURE;
		tk->name = name;
		tk->name_len = (uint32_t)n;
		end += n + 1;
		break;
	}
	case FDT_TOKEN_PROP:
		p = struct_at(fdt, end, 8);
		if (!p)
			return -EFDT_BADOFFSET;
		tk->len = fdt_be32(p);
		tk->nameoff = fdt_be32(p + 4);
		tk->data = p + 8;
		end += 8;
		if (tk->len > fdt->size_dt_struct - end)
			return -EFDT_BADOFFSET;
		end += tk->len;
		break;
	case FDT_TOKEN_END_NODE:
	case FDT_TOKEN_NOP:
	case FDT_TOKEN_END:
		break;
	default:
		return -EFDT_BADSTRUCTURE;
	}
	/* end <= size_dt_struct <= FDT_MAX_SIZE (I1): no overflow. */
	tk->next = (uint32_t)((end + FDT_TOKEN_SIZE - 1) & ~3ull);
	return 0;
}

/* The string at `nameoff` in the strings block, NULL if not inside it. */
const char *fdt_string_at(const struct fdt *fdt, uint32_t nameoff, size_t *lenp)
{
	const char *s;
	size_t room, n;

	if (!fdt->blob || nameoff >= fdt->size_dt_strings)
		return NULL;
	room = fdt->size_dt_strings - nameoff;
	s = (const char *)fdt->blob + fdt->off_dt_strings + nameoff;
	n = strnlen(s, room);
	if (n == room)
		return NULL;
	if (lenp)
		*lenp = n;
	return s;
}

/* Read the token at `node` and insist that it begins a node. */
int fdt_node_read(const struct fdt *fdt, int node, struct fdt_token *tk)
{
	int err = fdt_token_read(fdt, node, tk);

	if (err)
		return err == -EFDT_BADSTRUCTURE ? -EFDT_BADOFFSET : err;
	return tk->tag == FDT_TOKEN_BEGIN_NODE ? 0 : -EFDT_BADOFFSET;
}

/* ------------------------------------------------------------ validation */

int fdt_peek_size(const void *blob, size_t avail, uint32_t *size)
{
	if (!blob || avail < 8)
		return -EFDT_TRUNCATED;
	if (fdt_be32((const uint8_t *)blob + HDR_MAGIC) != FDT_MAGIC)
		return -EFDT_BADMAGIC;
	if (size)
		*size = fdt_be32((const uint8_t *)blob + HDR_TOTALSIZE);
	return 0;
}

/* Header fields, then the placement of each block (I1, I2). */
static int check_header(struct fdt *f, const uint8_t *b, size_t avail)
{
	uint32_t hdr;
	int err;

	err = fdt_peek_size(b, avail, &f->totalsize);
	if (err)
		return err;
	if (f->totalsize > FDT_MAX_SIZE)
		return -EFDT_TOOBIG;
	if (f->totalsize > avail || f->totalsize < FDT_HEADER_SIZE)
		return -EFDT_TRUNCATED;

	f->version = fdt_be32(b + HDR_VERSION);
	f->last_comp_version = fdt_be32(b + HDR_LAST_COMP_VERSION);
	if (f->version < 16 || f->last_comp_version > 17 ||
	    f->last_comp_version > f->version)
		return -EFDT_BADVERSION;
	hdr = f->version >= 17 ? FDT_HEADER_SIZE : FDT_V16_HEADER_SIZE;

	f->boot_cpuid_phys = fdt_be32(b + HDR_BOOT_CPUID_PHYS);
	f->off_mem_rsvmap = fdt_be32(b + HDR_OFF_MEM_RSVMAP);
	f->off_dt_struct = fdt_be32(b + HDR_OFF_DT_STRUCT);
	f->off_dt_strings = fdt_be32(b + HDR_OFF_DT_STRINGS);
	f->size_dt_strings = fdt_be32(b + HDR_SIZE_DT_STRINGS);

	if (f->off_mem_rsvmap < hdr || f->off_mem_rsvmap % 8 ||
	    f->off_mem_rsvmap > f->totalsize)
		return -EFDT_BADLAYOUT;
	if (f->off_dt_struct < hdr || f->off_dt_struct % FDT_TOKEN_SIZE ||
	    f->off_dt_struct > f->totalsize)
		return -EFDT_BADLAYOUT;
	if (f->version >= 17)
		f->size_dt_struct = fdt_be32(b + HDR_SIZE_DT_STRUCT);
	else
		f->size_dt_struct = f->totalsize - f->off_dt_struct;
	if ((uint64_t)f->off_dt_struct + f->size_dt_struct > f->totalsize)
		return -EFDT_BADLAYOUT;
	if (f->off_dt_strings < hdr ||
	    (uint64_t)f->off_dt_strings + f->size_dt_strings > f->totalsize)
		return -EFDT_BADLAYOUT;
	return 0;
}

/* The reservation block must end inside the blob (I1). */
static int check_memrsv(const struct fdt *f)
{
	uint64_t off;

	for (off = f->off_mem_rsvmap;; off += FDT_RSV_ENTRY_SIZE) {
		if (off + FDT_RSV_ENTRY_SIZE > f->totalsize)
			return -EFDT_BADMEMRSV;
		if (fdt_be64(f->blob + off + 8) == 0)
			return 0;
	}
}

/*
 * Walk every token once (I3, I4, I5). `prev` is the last token that was
 * not a NOP: a PROP may only follow BEGIN_NODE or another PROP, which
 * keeps properties before subnodes. Depth 0 is only seen at offset 0
 * and right after the root's END_NODE, where only FDT_END may follow
 * (libfdt's fdt_check_full() has the same rule).
 */
static int check_structure(struct fdt *f)
{
	uint32_t prev = 0;
	int depth = 0, off = 0, err;
	struct fdt_token tk;

	for (;;) {
		if ((uint64_t)off + FDT_TOKEN_SIZE > f->size_dt_struct)
			return -EFDT_BADSTRUCTURE; /* no FDT_END */
		err = fdt_token_read(f, off, &tk);
		if (err)
			return err;
		if (off == 0 && (tk.tag != FDT_TOKEN_BEGIN_NODE || tk.name_len))
			return -EFDT_BADSTRUCTURE; /* root not first, or named */
		if (off != 0 && depth == 0 && tk.tag != FDT_TOKEN_END)
			return -EFDT_BADSTRUCTURE; /* anything after the root */

		switch (tk.tag) {
		case FDT_TOKEN_BEGIN_NODE:
			if (++depth > FDT_MAX_DEPTH)
				return -EFDT_BADSTRUCTURE;
			break;
		case FDT_TOKEN_END_NODE:
			depth--; /* >= 0: at depth 0 only END gets here */
			break;
		case FDT_TOKEN_PROP:
			if (prev != FDT_TOKEN_BEGIN_NODE &&
			    prev != FDT_TOKEN_PROP)
				return -EFDT_BADSTRUCTURE;
			if (!fdt_string_at(f, tk.nameoff, NULL))
				return -EFDT_BADSTRING;
			break;
		case FDT_TOKEN_NOP:
			break;
		case FDT_TOKEN_END:
			if (depth != 0)
				return -EFDT_BADSTRUCTURE;
			if (f->version < 17)
				f->size_dt_struct = tk.next;
			else if (tk.next != f->size_dt_struct)
				return -EFDT_BADSTRUCTURE; /* bytes after END */
			return 0;
		}
		if (tk.tag != FDT_TOKEN_NOP)
			prev = tk.tag;
		off = (int)tk.next;
	}
}

int fdt_open(struct fdt *fdt, const void *blob, size_t avail)
{
	struct fdt f = { 0 };
	int err;

	if (!fdt)
		return -EINVAL;
	memset(fdt, 0, sizeof(*fdt));
	if (!blob)
		return -EINVAL;
	f.blob = blob;
	err = check_header(&f, blob, avail);
	if (err)
		return err;
	err = check_memrsv(&f);
	if (err)
		return err;
	err = check_structure(&f);
	if (err)
		return err;
	*fdt = f;
	return 0;
}

/* ----------------------------------------------------------------- nodes */

int fdt_root(const struct fdt *fdt)
{
	struct fdt_token tk;
	int err = fdt_node_read(fdt, 0, &tk);

	return err ? err : 0;
}

int fdt_node_next(const struct fdt *fdt, int node, int *depth)
{
	struct fdt_token tk;
	int off, d = 0, err;

	if (node == -1) {
		err = fdt_root(fdt);
		if (err == 0 && depth)
			(*depth)++;
		return err;
	}
	err = fdt_node_read(fdt, node, &tk);
	if (err)
		return err;
	for (off = (int)tk.next;; off = (int)tk.next) {
		err = fdt_token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_BEGIN_NODE) {
			if (depth)
				*depth += d + 1;
			return off;
		}
		if (tk.tag == FDT_TOKEN_END_NODE)
			d--;
		if (tk.tag == FDT_TOKEN_END) {
			if (depth)
				*depth += d;
			return -EFDT_NOTFOUND;
		}
	}
}

int fdt_node_first_child(const struct fdt *fdt, int node)
{
	int d = 0, next;

	if (node < 0) /* fdt_node_next() would read -1 as "the root" */
		return -EFDT_BADOFFSET;
	next = fdt_node_next(fdt, node, &d);
	/* The next node in document order is a child iff it is one deeper. */
	if (next >= 0 && d != 1)
		return -EFDT_NOTFOUND;
	return next;
}

/* Offset just after the END_NODE closing `node`. */
static int node_end(const struct fdt *fdt, int node)
{
	struct fdt_token tk;
	int off = node, d = 0, err;

	err = fdt_node_read(fdt, node, &tk);
	if (err)
		return err;
	for (;; off = (int)tk.next) {
		err = fdt_token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_BEGIN_NODE)
			d++;
		else if (tk.tag == FDT_TOKEN_END_NODE && --d == 0)
			return (int)tk.next;
		else if (tk.tag == FDT_TOKEN_END)
			return -EFDT_BADSTRUCTURE;
	}
}

int fdt_node_next_sibling(const struct fdt *fdt, int node)
{
	struct fdt_token tk;
	int off, err;

	for (off = node_end(fdt, node); off >= 0; off = (int)tk.next) {
		err = fdt_token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_BEGIN_NODE)
			return off;
		if (tk.tag != FDT_TOKEN_NOP)
			return -EFDT_NOTFOUND;
	}
	return off;
}
