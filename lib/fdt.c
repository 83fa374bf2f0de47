// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flattened device tree reader (lib/fdt.h).
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
 * Accessors do not rely on I4 and I5 for memory safety: every token is
 * read through token_read(), which checks offset, alignment and each
 * length against I1 and I3 with 64-bit arithmetic, so nothing wraps and
 * no read leaves [blob, blob + totalsize). A caller's offset that lands
 * inside a property value instead of on a token gives a wrong answer or
 * an error, never an out-of-range read (libfdt's contract too). Walks
 * only move forward, so they end.
 *
 * Locking: none needed. There are no globals and struct fdt is read-only
 * after fdt_open(), so any number of readers may share one.
 *
 * Failure modes: every error is a specific negative -EFDT_* code (or
 * -EINVAL for NULL arguments); nothing here panics or prints.
 */
#include "lib/fdt.h"

#include "lib/string.h"

/* Structure block tokens (devicetree specification 5.4.1). */
enum {
	FDT_TOKEN_BEGIN_NODE = 0x1,
	FDT_TOKEN_END_NODE = 0x2,
	FDT_TOKEN_PROP = 0x3,
	FDT_TOKEN_NOP = 0x4,
	FDT_TOKEN_END = 0x9,
};

#define FDT_TOKEN_SIZE 4u
#define FDT_V16_HEADER_SIZE 36u
#define FDT_RSV_ENTRY_SIZE 16u

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

/* One decoded token. */
struct token {
	uint32_t tag;
	uint32_t next; /* offset of the token after this one */
	const char *name; /* BEGIN_NODE: the node's name */
	uint32_t name_len; /* BEGIN_NODE: strlen(name) */
	uint32_t nameoff; /* PROP: name offset in the strings block */
	uint32_t len; /* PROP: value length */
	const uint8_t *data; /* PROP: value */
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
 * Decode the token at `off`. Errors: -EFDT_BADOFFSET (offset negative,
 * misaligned or outside the block; property header or value past the
 * block), -EFDT_BADSTRUCTURE (unknown tag, node name unterminated).
 */
static int token_read(const struct fdt *fdt, int off, struct token *tk)
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
static const char *string_at(const struct fdt *fdt, uint32_t nameoff,
			     size_t *lenp)
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
static int node_read(const struct fdt *fdt, int node, struct token *tk)
{
	int err = token_read(fdt, node, tk);

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
	struct token tk;

	for (;;) {
		if ((uint64_t)off + FDT_TOKEN_SIZE > f->size_dt_struct)
			return -EFDT_BADSTRUCTURE; /* no FDT_END */
		err = token_read(f, off, &tk);
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
			if (!string_at(f, tk.nameoff, NULL))
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
	struct fdt f = {0};
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
	struct token tk;
	int err = node_read(fdt, 0, &tk);

	return err ? err : 0;
}

int fdt_node_next(const struct fdt *fdt, int node, int *depth)
{
	struct token tk;
	int off, d = 0, err;

	if (node == -1) {
		err = fdt_root(fdt);
		if (err == 0 && depth)
			(*depth)++;
		return err;
	}
	err = node_read(fdt, node, &tk);
	if (err)
		return err;
	for (off = (int)tk.next;; off = (int)tk.next) {
		err = token_read(fdt, off, &tk);
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
	struct token tk;
	int off, err;

	err = node_read(fdt, node, &tk);
	if (err)
		return err;
	for (off = (int)tk.next;; off = (int)tk.next) {
		err = token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_BEGIN_NODE)
			return off;
		if (tk.tag == FDT_TOKEN_END_NODE || tk.tag == FDT_TOKEN_END)
			return -EFDT_NOTFOUND;
	}
}

/* Offset just after the END_NODE closing `node`. */
static int node_end(const struct fdt *fdt, int node)
{
	struct token tk;
	int off = node, d = 0, err;

	err = node_read(fdt, node, &tk);
	if (err)
		return err;
	for (;; off = (int)tk.next) {
		err = token_read(fdt, off, &tk);
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
	struct token tk;
	int off, err;

	for (off = node_end(fdt, node); off >= 0; off = (int)tk.next) {
		err = token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_BEGIN_NODE)
			return off;
		if (tk.tag != FDT_TOKEN_NOP)
			return -EFDT_NOTFOUND;
	}
	return off;
}

int fdt_node_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int off = -1, depth = 0;
	struct token tk;
	int err = node_read(fdt, node, &tk);

	if (err)
		return err;
	for (;;) {
		off = fdt_node_next(fdt, off, &depth);
		if (off < 0)
			return off == -EFDT_NOTFOUND ? -EFDT_BADOFFSET : off;
		if (depth < 1 || depth > FDT_MAX_DEPTH)
			return -EFDT_BADSTRUCTURE;
		stack[depth - 1] = off;
		if (off == node)
			return depth > 1 ? stack[depth - 2] : -EFDT_NOTFOUND;
		if (off > node)
			return -EFDT_BADOFFSET; /* not a node start */
	}
}

const char *fdt_node_name(const struct fdt *fdt, int node, int *lenp)
{
	struct token tk;
	int err = node_read(fdt, node, &tk);

	if (err) {
		if (lenp)
			*lenp = err;
		return NULL;
	}
	if (lenp)
		*lenp = (int)tk.name_len;
	return tk.name;
}

static bool has_char(const char *s, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return true;
	return false;
}

int fdt_node_child(const struct fdt *fdt, int parent, const char *name,
		   size_t len)
{
	bool unit;
	int child;

	if (!name)
		return -EINVAL;
	unit = has_char(name, len, '@');
	for (child = fdt_node_first_child(fdt, parent); child >= 0;
	     child = fdt_node_next_sibling(fdt, child)) {
		int clen;
		const char *cname = fdt_node_name(fdt, child, &clen);

		if (!cname)
			return clen;
		if ((size_t)clen < len || memcmp(cname, name, len) != 0)
			continue;
		if ((size_t)clen == len || (!unit && cname[len] == '@'))
			return child;
	}
	return child;
}

/* Follow the components of p[0..end) from `node`; '/' runs separate. */
static int path_walk(const struct fdt *fdt, int node, const char *p,
		     const char *end)
{
	while (p < end) {
		const char *q;

		if (*p == '/') {
			p++;
			continue;
		}
		for (q = p; q < end && *q != '/'; q++)
			;
		node = fdt_node_child(fdt, node, p, (size_t)(q - p));
		if (node < 0)
			return node;
		p = q;
	}
	return node;
}

/* Property called name[0..namelen) of `node`. */
static const void *prop_find(const struct fdt *fdt, int node, const char *name,
			     size_t namelen, int *lenp)
{
	struct token tk;
	const char *s;
	size_t n;
	int off;

	for (off = fdt_prop_first(fdt, node); off >= 0;
	     off = fdt_prop_next(fdt, off)) {
		token_read(fdt, off, &tk); /* a PROP: checked just now */
		s = string_at(fdt, tk.nameoff, &n);
		if (!s) {
			off = -EFDT_BADSTRING;
			break;
		}
		if (n == namelen && memcmp(s, name, n) == 0) {
			if (lenp)
				*lenp = (int)tk.len;
			return tk.data;
		}
	}
	if (lenp)
		*lenp = off;
	return NULL;
}

/* Value of alias name[0..len): an absolute path, NUL-terminated. */
static const char *alias_path(const struct fdt *fdt, const char *name,
			      size_t len, int *err)
{
	int aliases = fdt_node_child(fdt, 0, "aliases", 7);
	const char *v;
	int vlen;

	if (aliases < 0) {
		*err = aliases;
		return NULL;
	}
	v = prop_find(fdt, aliases, name, len, &vlen);
	if (!v) {
		*err = vlen;
		return NULL;
	}
	if (vlen < 2 || v[0] != '/' ||
	    strnlen(v, (size_t)vlen) != (size_t)vlen - 1) {
		*err = -EFDT_BADPATH;
		return NULL;
	}
	return v;
}

int fdt_node_by_path(const struct fdt *fdt, const char *path, size_t len)
{
	const char *end, *q, *target;
	int node, err;

	if (!path)
		return -EFDT_BADPATH;
	len = strnlen(path, len);
	if (len == 0)
		return -EFDT_BADPATH;
	end = path + len;
	node = fdt_root(fdt);
	if (node < 0)
		return node;
	if (*path == '/')
		return path_walk(fdt, node, path, end);

	for (q = path; q < end && *q != '/'; q++)
		;
	target = alias_path(fdt, path, (size_t)(q - path), &err);
	if (!target)
		return err;
	node = path_walk(fdt, node, target, target + strlen(target));
	if (node < 0)
		return node;
	return path_walk(fdt, node, q, end);
}

int fdt_node_by_compatible(const struct fdt *fdt, int after, const char *compat)
{
	int node = after;

	for (;;) {
		node = fdt_node_next(fdt, node, NULL);
		if (node < 0 || fdt_node_is_compatible(fdt, node, compat))
			return node;
	}
}

uint32_t fdt_node_phandle(const struct fdt *fdt, int node)
{
	uint32_t ph = 0;

	if (fdt_prop_u32(fdt, node, "phandle", &ph) == 0)
		return ph;
	if (fdt_prop_u32(fdt, node, "linux,phandle", &ph) == 0)
		return ph;
	return 0;
}

int fdt_node_by_phandle(const struct fdt *fdt, uint32_t ph)
{
	int node = -1;

	if (ph == 0 || ph == 0xffffffffu)
		return -EFDT_BADPHANDLE;
	for (;;) {
		node = fdt_node_next(fdt, node, NULL);
		if (node < 0 || fdt_node_phandle(fdt, node) == ph)
			return node;
	}
}

bool fdt_node_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	int len;
	const char *list = fdt_prop_get(fdt, node, "compatible", &len);

	return list && fdt_strlist_contains(list, len, compat);
}

bool fdt_node_is_enabled(const struct fdt *fdt, int node)
{
	int len;
	const char *s = fdt_prop_get(fdt, node, "status", &len);

	if (!s)
		return len == -EFDT_NOTFOUND;
	return (len == 5 && memcmp(s, "okay", 5) == 0) ||
	       (len == 3 && memcmp(s, "ok", 3) == 0);
}

/* ------------------------------------------------------------ properties */

const void *fdt_prop_get(const struct fdt *fdt, int node, const char *name,
			 int *lenp)
{
	if (!name) {
		if (lenp)
			*lenp = -EINVAL;
		return NULL;
	}
	return prop_find(fdt, node, name, strlen(name), lenp);
}

/* First PROP at or after `off` skipping NOPs; -EFDT_NOTFOUND otherwise. */
static int prop_skip_to(const struct fdt *fdt, int off)
{
	struct token tk;
	int err;

	for (;; off = (int)tk.next) {
		err = token_read(fdt, off, &tk);
		if (err)
			return err;
		if (tk.tag == FDT_TOKEN_PROP)
			return off;
		if (tk.tag != FDT_TOKEN_NOP)
			return -EFDT_NOTFOUND;
	}
}

int fdt_prop_first(const struct fdt *fdt, int node)
{
	struct token tk;
	int err = node_read(fdt, node, &tk);

	return err ? err : prop_skip_to(fdt, (int)tk.next);
}

int fdt_prop_next(const struct fdt *fdt, int prop)
{
	struct token tk;
	int err = token_read(fdt, prop, &tk);

	if (err || tk.tag != FDT_TOKEN_PROP)
		return -EFDT_BADOFFSET;
	return prop_skip_to(fdt, (int)tk.next);
}

const void *fdt_prop_by_offset(const struct fdt *fdt, int prop,
			       const char **name, int *lenp)
{
	struct token tk;
	const char *s;
	int err = token_read(fdt, prop, &tk);

	if (err || tk.tag != FDT_TOKEN_PROP) {
		err = -EFDT_BADOFFSET;
		goto fail;
	}
	s = string_at(fdt, tk.nameoff, NULL);
	if (!s) {
		err = -EFDT_BADSTRING;
		goto fail;
	}
	if (name)
		*name = s;
	if (lenp)
		*lenp = (int)tk.len;
	return tk.data;

fail:
	if (lenp)
		*lenp = err;
	return NULL;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_prop_get(fdt, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *out)
{
	int len;
	const void *v = fdt_prop_get(fdt, node, name, &len);

	if (!v)
		return len;
	if (len != 4)
		return -EFDT_BADVALUE;
	if (out)
		*out = fdt_be32(v);
	return 0;
}

bool fdt_strlist_contains(const char *list, int len, const char *str)
{
	size_t n;

	if (!list || !str || len <= 0)
		return false;
	n = strlen(str);
	while (len > 0) {
		size_t l = strnlen(list, (size_t)len);

		if (l == (size_t)len)
			return false; /* unterminated tail */
		if (l == n && memcmp(list, str, n) == 0)
			return true;
		list += l + 1;
		len -= (int)(l + 1);
	}
	return false;
}

/* ------------------------------------------------------------- addresses */

/* A one-cell "#...-cells" property, or `dflt` when absent. */
static int cells_prop(const struct fdt *fdt, int node, const char *name,
		      uint32_t dflt, uint32_t *out)
{
	int err = fdt_prop_u32(fdt, node, name, out);

	if (err == -EFDT_NOTFOUND) {
		*out = dflt;
		return 0;
	}
	return err == -EFDT_BADVALUE ? -EFDT_BADNCELLS : err;
}

int fdt_cells(const struct fdt *fdt, int node, int *addr_cells, int *size_cells)
{
	uint32_t ac, sc;
	int err;

	err = cells_prop(fdt, node, "#address-cells", 2, &ac);
	if (err)
		return err;
	err = cells_prop(fdt, node, "#size-cells", 1, &sc);
	if (err)
		return err;
	if (ac < 1 || ac > 2 || sc > 2)
		return -EFDT_BADNCELLS;
	if (addr_cells)
		*addr_cells = (int)ac;
	if (size_cells)
		*size_cells = (int)sc;
	return 0;
}

/* The node's reg value, its parent's cell sizes and the entry count. */
static int reg_layout(const struct fdt *fdt, int node, const uint8_t **reg,
		      int *ac, int *sc)
{
	int parent, len, entry, err;

	parent = fdt_node_parent(fdt, node);
	if (parent == -EFDT_NOTFOUND) {
		*ac = 2; /* the root: nothing above it declares cells */
		*sc = 1;
	} else if (parent < 0) {
		return parent;
	} else {
		err = fdt_cells(fdt, parent, ac, sc);
		if (err)
			return err;
	}
	*reg = fdt_prop_get(fdt, node, "reg", &len);
	if (!*reg)
		return len;
	entry = (*ac + *sc) * 4;
	if (len % entry)
		return -EFDT_BADVALUE;
	return len / entry;
}

int fdt_reg_count(const struct fdt *fdt, int node)
{
	const uint8_t *reg;
	int ac, sc;

	return reg_layout(fdt, node, &reg, &ac, &sc);
}

int fdt_reg_get(const struct fdt *fdt, int node, int idx, uint64_t *addr,
		uint64_t *size)
{
	const uint8_t *reg;
	int ac, sc, n;

	n = reg_layout(fdt, node, &reg, &ac, &sc);
	if (n < 0)
		return n;
	if (idx < 0 || idx >= n)
		return -EFDT_NOTFOUND;
	reg += (size_t)idx * (size_t)(ac + sc) * 4;
	if (addr)
		*addr = fdt_cells_read(reg, ac);
	if (size)
		*size = fdt_cells_read(reg + ac * 4, sc);
	return 0;
}

/* ------------------------------------------------------ memory reservation */

/* Entry idx, or NULL past the terminator (*err says which way). */
static const uint8_t *rsv_entry(const struct fdt *fdt, int idx, int *err)
{
	uint64_t off = fdt->off_mem_rsvmap;

	for (int i = 0;; i++, off += FDT_RSV_ENTRY_SIZE) {
		if (!fdt->blob || off + FDT_RSV_ENTRY_SIZE > fdt->totalsize) {
			*err = -EFDT_BADMEMRSV;
			return NULL;
		}
		if (fdt_be64(fdt->blob + off + 8) == 0) {
			*err = i;
			return NULL;
		}
		if (i == idx)
			return fdt->blob + off;
	}
}

int fdt_rsv_count(const struct fdt *fdt)
{
	int n;

	rsv_entry(fdt, -1, &n);
	return n;
}

int fdt_rsv_get(const struct fdt *fdt, int idx, uint64_t *addr, uint64_t *size)
{
	const uint8_t *e;
	int err;

	if (idx < 0)
		return -EFDT_NOTFOUND;
	e = rsv_entry(fdt, idx, &err);
	if (!e)
		return err < 0 ? err : -EFDT_NOTFOUND;
	if (addr)
		*addr = fdt_be64(e);
	if (size)
		*size = fdt_be64(e + 8);
	return 0;
}
