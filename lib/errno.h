/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one list of error codes. Functions that can fail return 0 or the
 * negative of one of these; allocators return NULL instead.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

enum {
	EOK = 0,
	EPERM = 1, /* operation not permitted */
	ENOENT = 2, /* no such node, property or entry */
	EIO = 5, /* device did not respond */
	E2BIG = 7, /* argument list or blob too large */
	ENOMEM = 12, /* out of memory */
	EFAULT = 14, /* bad address */
	EBUSY = 16, /* resource in use */
	EEXIST = 17, /* already mapped or already present */
	ENODEV = 19, /* device disabled (status not "okay") */
	EINVAL = 22, /* invalid argument */
	ENOSPC = 28, /* no room left in a table */
	ERANGE = 34, /* value out of range */
	ENOSYS = 38, /* not implemented by this platform */
	EOVERFLOW = 75, /* arithmetic overflow */

	/* Flattened device tree errors (one per kind of malformation). */
	EFDT_BASE = 100,
	EFDT_TRUNCATED = 100, /* blob or header shorter than it claims */
	EFDT_BADMAGIC = 101, /* header magic is not 0xd00dfeed */
	EFDT_BADVERSION = 102, /* version/last_comp_version not 16 or 17 */
	EFDT_BADLAYOUT = 103, /* blocks overlap, are misaligned or outside */
	EFDT_TOOBIG = 104, /* totalsize above FDT_MAX_SIZE */
	EFDT_BADOFFSET = 105, /* offset outside the structure block */
	EFDT_BADSTRUCTURE = 106, /* bad tag sequence, unterminated name */
	EFDT_BADSTRING = 107, /* string offset outside strings block */
	EFDT_BADNCELLS = 108, /* #address-cells / #size-cells invalid */
	EFDT_BADVALUE = 109, /* property length wrong for its meaning */
	EFDT_NOTFOUND = 110, /* node or property absent */
	EFDT_BADPATH = 111, /* malformed path */
	EFDT_BADPHANDLE = 112, /* phandle missing or out of range */
	EFDT_BADMEMRSV = 113, /* memory reservation block unterminated */
	EFDT_END = 114,
};

/* Short, stable description of an error code (positive or negative).
 * Named apart from the C library's strerror() so host tests link both. */
const char *errno_name(int err);

#endif /* LIB_ERRNO_H */
