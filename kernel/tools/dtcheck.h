/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dtcheck, the host tool that prints what the kernel would decide from
 * a device tree (kernel/tools/dtcheck.c explains the checks).
 */
#ifndef TOOLS_DTCHECK_H
#define TOOLS_DTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dtcheck_opts {
	const char *name; /* the blob's file name, for the first line */
	uint64_t image_size; /* bytes from _start to _end */
	const char *image_from; /* where image_size came from */
	uint64_t load; /* physical load address, when have_load */
	bool have_load;
	uint64_t fdt_pa; /* the blob's physical address, when have_fdt_pa */
	bool have_fdt_pa;
};

/*
 * Check blob[0..size) and print the report on stdout. Returns 0 when
 * there is no problem, 1 otherwise (a malformed blob is a problem).
 */
int dtcheck_run(const void *blob, size_t size, const struct dtcheck_opts *o);

/*
 * The kernel image's size, _end - _start, from the ELF64 symbol table
 * of path. Returns 0, or -1 with a message in err[0..len) (file
 * unreadable, not an ELF64 file, no symbol table, symbols missing, or
 * _end not above _start).
 */
int dtcheck_elf_image_size(const char *path, uint64_t *size, char *err,
			   size_t len);

#endif /* TOOLS_DTCHECK_H */
