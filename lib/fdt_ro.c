// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flattened device tree reader (lib/fdt.h), part 2: the read-only
 * queries. Everything here is built on the token readers and the node
 * walk of lib/fdt.c (shared through lib/internal.h), which own the
 * checks on raw bytes.
 *
 * Theory of operation
 * -------------------
 * Nodes and properties are named by their offsets in the structure
 * block, as in lib/fdt.h. A query is a forward walk from a known node:
 *
 *   parent        walk from the root with a stack of open nodes
 *   path, alias   child by child from the root (/aliases gives the path)
 *   compatible,   every node in document order until one matches
 *   phandle
 *   properties    the PROP tokens right after a node's BEGIN_NODE, NOPs
 *                 skipped; names looked up in the strings block
 *   cells, reg    the parent's #address-cells/#size-cells, then the
 *                 node's reg split into (address, size) entries
 *   memrsv        the reservation block's entries up to the first with
 *                 size 0
 *
 * Invariants: the ones lib/fdt.c lists as I1..I5 for a struct fdt filled
 * by fdt_open(). Memory safety needs only I1 and I3: tokens and names are
 * read through fdt_token_read() and fdt_string_at(), and the only direct
 * read of the blob, rsv_entry(), checks each entry against totalsize
 * itself (I1 bounds the reservation block). I4 and I5 only make answers
 * meaningful; with a bad caller offset a query fails with -EFDT_BADOFFSET
 * or answers wrongly, never reads out of range. Walks only move forward,
 * and fdt_node_parent() keeps at most FDT_MAX_DEPTH open nodes (I4),
 * failing with -EFDT_BADSTRUCTURE rather than overflow its stack.
 *
 * Locking: none needed; no globals, and struct fdt is read-only.
 *
 * Failure modes: every error is a specific negative -EFDT_* code (or
 * -EINVAL for NULL arguments); nothing here panics or prints.
 */
#include "lib/fdt.h"

#include "lib/internal.h"
#include "lib/string.h"

/* ----------------------------------------------------------------- nodes */
int fdt_node_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int off = -1, depth = 0;
	struct fdt_token tk;
	int err = fdt_node_read(fdt, node, &tk);

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
	struct fdt_token tk;
	int err = fdt_node_read(fdt, node, &tk);

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
	struct fdt_token tk;
	const char *s;
	size_t n;
	int off;

	for (off = fdt_prop_first(fdt, node); off >= 0;
	     off = fdt_prop_next(fdt, off)) {
		fdt_token_read(fdt, off, &tk); /* a PROP: checked just now */
		s = fdt_string_at(fdt, tk.nameoff, &n);
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
	struct fdt_token tk;
	int err;

	for (;; off = (int)tk.next) {
		err = fdt_token_read(fdt, off, &tk);
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
	struct fdt_token tk;
	int err = fdt_node_read(fdt, node, &tk);

	return err ? err : prop_skip_to(fdt, (int)tk.next);
}

int fdt_prop_next(const struct fdt *fdt, int prop)
{
	struct fdt_token tk;
	int err = fdt_token_read(fdt, prop, &tk);

	if (err || tk.tag != FDT_TOKEN_PROP)
		return -EFDT_BADOFFSET;
	return prop_skip_to(fdt, (int)tk.next);
}

const void *fdt_prop_by_offset(const struct fdt *fdt, int prop,
			       const char **name, int *lenp)
{
	struct fdt_token tk;
	const char *s;
	int err = fdt_token_read(fdt, prop, &tk);

	if (err || tk.tag != FDT_TOKEN_PROP) {
		err = -EFDT_BADOFFSET;
		goto fail;
	}
	s = fdt_string_at(fdt, tk.nameoff, NULL);
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
	/*
	 * Set whenever cells_prop() returns 0; the zeros only quiet GCC 12's
	 * -Wmaybe-uninitialized, which cannot see that across files.
	 */
	uint32_t ac = 0, sc = 0;
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
