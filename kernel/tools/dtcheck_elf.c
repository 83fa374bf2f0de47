// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel image's size for dtcheck: _end - _start from the symbol
 * table of build/kernel.elf (ELF64, little-endian, as the RISC-V
 * toolchain writes it). The file is untrusted in the way a blob is:
 * every table is checked to lie inside the file before it is read.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/tools/dtcheck.h"

/* True when [off, off + n * size) lies inside a file of len bytes. */
static bool inside(size_t len, uint64_t off, uint64_t n, uint64_t size)
{
	return size != 0 && off <= len && n <= (len - off) / size;
}

static int fail(char *err, size_t len, const char *path, const char *why)
{
	snprintf(err, len, "%s: %s", path, why);
	return -1;
}

static int find_symbols(const unsigned char *f, size_t len, uint64_t *start,
			uint64_t *end)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
	bool have_start = false, have_end = false;

	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *strtab;
		const Elf64_Sym *sym;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		strtab = &sh[sh[i].sh_link];
		if (!inside(len, sh[i].sh_offset,
			    sh[i].sh_size / sizeof(Elf64_Sym),
			    sizeof(Elf64_Sym)) ||
		    !inside(len, strtab->sh_offset, strtab->sh_size, 1))
			return -1;
		sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
		for (uint64_t k = 0; k < sh[i].sh_size / sizeof(*sym); k++) {
			const char *name = (const char *)f + strtab->sh_offset +
					   sym[k].st_name;

			if (sym[k].st_name >= strtab->sh_size ||
			    !memchr(name, '\0',
				    strtab->sh_size - sym[k].st_name))
				continue;
			if (strcmp(name, "_start") == 0) {
				*start = sym[k].st_value;
				have_start = true;
			} else if (strcmp(name, "_end") == 0) {
				*end = sym[k].st_value;
				have_end = true;
			}
		}
	}
	return have_start && have_end ? 0 : -1;
}

int dtcheck_elf_image_size(const char *path, uint64_t *size, char *err,
			   size_t len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *f = NULL;
	uint64_t start = 0, end = 0;
	const Elf64_Ehdr *eh;
	long n;
	int ret = -1;

	if (!fp)
		return fail(err, len, path, "cannot open");
	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		return fail(err, len, path, "cannot read");
	}
	f = malloc((size_t)n + 1);
	if (!f || fread(f, 1, (size_t)n, fp) != (size_t)n) {
		ret = fail(err, len, path, "cannot read");
		goto out;
	}
	eh = (const Elf64_Ehdr *)f;
	if ((size_t)n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !inside((size_t)n, eh->e_shoff, eh->e_shnum, sizeof(Elf64_Shdr))) {
		ret = fail(err, len, path, "not a little-endian ELF64 file");
		goto out;
	}
	if (find_symbols(f, (size_t)n, &start, &end) || end <= start) {
		ret = fail(err, len, path,
			   "no usable _start and _end symbols (stripped?)");
		goto out;
	}
	*size = end - start;
	ret = 0;
out:
	free(f);
	fclose(fp);
	return ret;
}
