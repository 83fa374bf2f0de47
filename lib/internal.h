/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Declarations shared between the files of lib/ and nothing else. Code
 * outside lib/ uses the public headers (lib/<stem>.h) only.
 */
#ifndef LIB_INTERNAL_H
#define LIB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/fdt.h"

/* ======================================================================
 * Device-tree reader: shared by lib/fdt.c and lib/fdt_ro.c
 * ======================================================================
 *
 * lib/fdt.c validates the blob and owns every read of raw bytes; its
 * theory of operation lists the invariants I1..I5 that hold for a struct
 * fdt filled by a successful fdt_open(). lib/fdt_ro.c answers queries
 * through the three readers below and never indexes fdt->blob itself,
 * except for the memory reservation block, whose placement I1 bounds.
 * The readers rely on I1 and I3 only (not on I4 or I5), so a caller's
 * bad offset gives an error or a wrong answer, never an out-of-range read.
 */

/* Structure block tokens (devicetree specification 5.4.1). */
enum {
	FDT_TOKEN_BEGIN_NODE = 0x1,
	FDT_TOKEN_END_NODE = 0x2,
	FDT_TOKEN_PROP = 0x3,
	FDT_TOKEN_NOP = 0x4,
	FDT_TOKEN_END = 0x9,
};

#define FDT_TOKEN_SIZE 4u
#define FDT_RSV_ENTRY_SIZE 16u

/* One decoded token. */
struct fdt_token {
	uint32_t tag;
	uint32_t next; /* offset of the token after this one */
	const char *name; /* BEGIN_NODE: the node's name */
	uint32_t name_len; /* BEGIN_NODE: strlen(name) */
	uint32_t nameoff; /* PROP: name offset in the strings block */
	uint32_t len; /* PROP: value length */
	const uint8_t *data; /* PROP: value */
};

/*
 * Decode the token at structure-block offset `off` into *tk. Errors:
 * -EFDT_BADOFFSET (offset negative, misaligned or outside the block;
 * property header or value past the block), -EFDT_BADSTRUCTURE (unknown
 * tag, node name unterminated).
 */
int fdt_token_read(const struct fdt *fdt, int off, struct fdt_token *tk);

/*
 * The string at `nameoff` in the strings block, with its length in
 * *lenp (if non-NULL); NULL if it does not start and end inside the block.
 */
const char *fdt_string_at(const struct fdt *fdt, uint32_t nameoff,
			  size_t *lenp);

/*
 * Read the token at `node` and insist that it begins a node. Errors:
 * -EFDT_BADOFFSET (anything but a readable BEGIN_NODE there).
 */
int fdt_node_read(const struct fdt *fdt, int node, struct fdt_token *tk);

#endif /* LIB_INTERNAL_H */
