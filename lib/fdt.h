/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bounds-checked reader of the flattened device tree (DTB, devicetree
 * specification v0.4 chapter 5). The blob is untrusted: fdt_open() checks
 * the header and walks the whole structure block once; every accessor
 * still checks each offset for range and wraparound, so a reader never
 * touches a byte outside [blob, blob + totalsize).
 *
 * Offsets: a node or property is named by its byte offset inside the
 * structure block (the root node is at offset 0), like libfdt. Functions
 * returning an offset return a negative error code instead on failure.
 * All names here are distinct from libfdt's so both link into one test.
 *
 * Every function taking a struct fdt expects one filled by a successful
 * fdt_open(); on a zeroed struct (what a failed fdt_open() leaves) every
 * accessor fails cleanly with a negative error.
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/errno.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
/* Largest blob accepted. Linux caps it the same way (MAX_FDT_SIZE). */
#define FDT_MAX_SIZE (2u * 1024 * 1024)
/* Deepest node nesting accepted. */
#define FDT_MAX_DEPTH 64

struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t version;
	uint32_t last_comp_version;
	uint32_t boot_cpuid_phys;
	uint32_t off_mem_rsvmap;
	uint32_t off_dt_struct;
	uint32_t size_dt_struct;
	uint32_t off_dt_strings;
	uint32_t size_dt_strings;
};

/* Big-endian loads from an arbitrary (possibly unaligned) pointer. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
/* Read `cells` (0..2) big-endian cells as one number; 0 for other counts. */
uint64_t fdt_cells_read(const void *p, int cells);

/*
 * Peek at the header's totalsize without validating anything else.
 * Returns 0 and sets *size, or -EFDT_TRUNCATED when avail < 8,
 * -EFDT_BADMAGIC when the magic is wrong.
 */
int fdt_peek_size(const void *blob, size_t avail, uint32_t *size);

/*
 * Validate `blob` (of which `avail` bytes may be read) and fill *fdt.
 * On failure *fdt is zeroed. Versions 16 and 17 are read (and later ones
 * whose last_comp_version is at most 17); a version 16 header has no
 * size_dt_struct, so the structure block runs to its FDT_END token.
 * Beyond the bounds checks, the structure block must be exactly one root
 * node at offset 0 with an empty name, properties before subnodes, and
 * FDT_END right after the root's END_NODE (for version 17, as the last
 * token of size_dt_struct). FDT_NOP may appear anywhere inside the root.
 * Errors: -EINVAL (fdt or blob NULL),
 * -EFDT_TRUNCATED (avail too small for the header or totalsize),
 * -EFDT_BADMAGIC, -EFDT_BADVERSION (version < 16 or last_comp_version > 17),
 * -EFDT_TOOBIG (totalsize > FDT_MAX_SIZE), -EFDT_BADLAYOUT (a block
 * outside totalsize, overflowing, misaligned or overlapping the header),
 * -EFDT_BADMEMRSV (reservation block not terminated inside the blob),
 * -EFDT_BADSTRUCTURE / -EFDT_BADSTRING / -EFDT_BADOFFSET from the walk
 * of the structure block (bad tags, unbalanced nodes, names or property
 * names unterminated, property data past the block, depth > FDT_MAX_DEPTH).
 */
int fdt_open(struct fdt *fdt, const void *blob, size_t avail);

/* Nodes -----------------------------------------------------------------*/

/* Offset of the root node (0), or a negative error. */
int fdt_root(const struct fdt *fdt);

/*
 * Next node in document order after `node`; node == -1 starts the walk
 * and returns the root (adjusting depth by +1). If depth is non-NULL it is
 * adjusted by the nesting change (+1 into a child, 0 sibling, -n up).
 * Returns -EFDT_NOTFOUND after the last node; -EFDT_BADOFFSET when node
 * is not a node's offset (or another negative number than -1).
 */
int fdt_node_next(const struct fdt *fdt, int node, int *depth);
/* First child / next sibling; -EFDT_NOTFOUND when there is none. */
int fdt_node_first_child(const struct fdt *fdt, int node);
int fdt_node_next_sibling(const struct fdt *fdt, int node);
/* Parent of `node` (a walk from the root); -EFDT_NOTFOUND for the root. */
int fdt_node_parent(const struct fdt *fdt, int node);

/*
 * Node name including unit address ("" for the root); *lenp (if non-NULL)
 * its length. On a bad offset returns NULL and stores -EFDT_BADOFFSET in
 * *lenp.
 */
const char *fdt_node_name(const struct fdt *fdt, int node, int *lenp);

/*
 * Child of `parent` called name[0..len). A name without '@' also matches a
 * child with a unit address ("memory" matches "memory@80000000").
 */
int fdt_node_child(const struct fdt *fdt, int parent, const char *name,
		   size_t len);

/*
 * Node at an absolute path "/a/b@1"; path may be cut at `len` bytes (so
 * "serial0:115200" can be looked up with len = 7). A path without a
 * leading '/' is an alias resolved through /aliases. Errors:
 * -EFDT_BADPATH, -EFDT_NOTFOUND.
 */
int fdt_node_by_path(const struct fdt *fdt, const char *path, size_t len);

/* Next node after `after` (-1 to start) whose compatible list has compat. */
int fdt_node_by_compatible(const struct fdt *fdt, int after,
			   const char *compat);
/*
 * Node whose "phandle" (or "linux,phandle") is ph. Errors:
 * -EFDT_BADPHANDLE (ph is 0 or 0xffffffff), -EFDT_NOTFOUND.
 */
int fdt_node_by_phandle(const struct fdt *fdt, uint32_t ph);
/*
 * The node's phandle: its one-cell "phandle" property, else its one-cell
 * "linux,phandle"; 0 when it has neither (or the offset is bad).
 */
uint32_t fdt_node_phandle(const struct fdt *fdt, int node);

/* True if the compatible string list of `node` contains compat. */
bool fdt_node_is_compatible(const struct fdt *fdt, int node,
			    const char *compat);
/* True unless status is present and is neither "okay" nor "ok". */
bool fdt_node_is_enabled(const struct fdt *fdt, int node);

/* Properties ------------------------------------------------------------*/

/*
 * Value of property `name` of `node`; *lenp (if non-NULL) gets its length.
 * On failure returns NULL and stores the negative error in *lenp
 * (-EFDT_NOTFOUND when absent).
 */
const void *fdt_prop_get(const struct fdt *fdt, int node, const char *name,
			 int *lenp);
/* Iterate properties: first / next property offset, -EFDT_NOTFOUND at end. */
int fdt_prop_first(const struct fdt *fdt, int node);
int fdt_prop_next(const struct fdt *fdt, int prop);
/* Name and value of the property at offset `prop`. */
const void *fdt_prop_by_offset(const struct fdt *fdt, int prop,
			       const char **name, int *lenp);

/* A NUL-terminated string property, or NULL (absent or unterminated). */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);
/*
 * A one-cell property. Errors: -EFDT_NOTFOUND, -EFDT_BADVALUE (length not
 * 4).
 */
int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *out);
/*
 * True if the string list value[0..len) contains str. Only strings
 * NUL-terminated inside the list count; nothing past list[len - 1] is
 * read. (Not fdt_stringlist_contains: that is libfdt's symbol.)
 */
bool fdt_strlist_contains(const char *list, int len, const char *str);

/* Addresses -------------------------------------------------------------*/

/*
 * #address-cells and #size-cells that `node` declares for its children
 * (defaults 2 and 1 when absent). Accepted: address 1..2, size 0..2;
 * otherwise -EFDT_BADNCELLS.
 */
int fdt_cells(const struct fdt *fdt, int node, int *addr_cells,
	      int *size_cells);

/*
 * Number of (address, size) entries in the node's reg, decoded like
 * fdt_reg_get(); -EFDT_NOTFOUND when there is no reg.
 */
int fdt_reg_count(const struct fdt *fdt, int node);
/*
 * Entry idx of the node's reg, decoded with its parent's cell sizes (the
 * root, which has no parent, with the defaults 2 and 1). addr and size
 * may be NULL. Errors: -EFDT_NOTFOUND (no reg or idx past the end), -EFDT_BADVALUE
 * (length not a multiple of the entry size), -EFDT_BADNCELLS.
 */
int fdt_reg_get(const struct fdt *fdt, int node, int idx, uint64_t *addr,
		uint64_t *size);

/* Memory reservation block -----------------------------------------------*/

/*
 * Number of entries before the terminating entry. The specification
 * writes the terminator as (0, 0); like libfdt and Linux, the first entry
 * with size 0 ends the block. Errors: -EFDT_BADMEMRSV.
 */
int fdt_rsv_count(const struct fdt *fdt);
/* Entry idx; -EFDT_NOTFOUND past the end. */
int fdt_rsv_get(const struct fdt *fdt, int idx, uint64_t *addr, uint64_t *size);

#endif /* LIB_FDT_H */
