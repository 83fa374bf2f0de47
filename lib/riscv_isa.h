/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RISC-V ISA strings: what a hart's device-tree node says it implements.
 * Portable (no CPU access): the kernel's hart discovery, host tests and
 * host tools parse the same way. lib/riscv_isa.c states the grammar.
 */
#ifndef LIB_RISCV_ISA_H
#define LIB_RISCV_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bit numbers in struct riscv_isa.ext: 0..25 are the single-letter
 * extensions 'a'..'z' (RISCV_ISA_LETTER), then the multi-letter ones the
 * kernel knows by name. Unknown names are accepted and not recorded.
 */
enum riscv_isa_ext {
	RISCV_ISA_EXT_ZICSR = 26,
	RISCV_ISA_EXT_ZIFENCEI,
	RISCV_ISA_EXT_ZICBOM,
	RISCV_ISA_EXT_ZICBOZ,
	RISCV_ISA_EXT_ZIHINTPAUSE,
	RISCV_ISA_EXT_SSTC,
	RISCV_ISA_EXT_SVADU,
	RISCV_ISA_EXT_SVINVAL,
	RISCV_ISA_EXT_SVNAPOT,
	RISCV_ISA_EXT_SVPBMT,
	/*
	 * Not an ISA string name: T-Head's memory attribute extension
	 * (MAE), set by lib/fdt_cpus.c from a "thead,c906"/"thead,c910"
	 * compatible. Listed here so one bitmap holds every feature.
	 */
	RISCV_ISA_EXT_XTHEADMAE,
	RISCV_ISA_EXT_COUNT
};

#define RISCV_ISA_BIT(e) (1ULL << (e))
#define RISCV_ISA_LETTER(c) (1ULL << ((c) - 'a'))
/* The letters the kernel is built for (-march=rv64imac). */
#define RISCV_ISA_KERNEL_LETTERS                                               \
	(RISCV_ISA_LETTER('i') | RISCV_ISA_LETTER('m') |                       \
	 RISCV_ISA_LETTER('a') | RISCV_ISA_LETTER('c'))

struct riscv_isa {
	unsigned int xlen; /* 32, 64 or 128 */
	uint64_t ext; /* RISCV_ISA_BIT / RISCV_ISA_LETTER of each extension */
	/*
	 * Older strings name privilege modes as letters ("rv64imafdcsu"):
	 * modes_named is set when 's' or 'u' appeared that way, mode_s when
	 * S-mode was among them.
	 */
	bool modes_named;
	bool mode_s;
	const char *error; /* NULL, or what is wrong (a static phrase) */
	size_t error_at; /* byte offset of the problem in the input */
};

/*
 * How device memory is told apart in page-table entries, chosen at boot
 * from the extensions every hart has (riscv_mattr_choose): Svpbmt's
 * PBMT=IO, T-Head's MAE encoding, or nothing (normal PTEs; the physical
 * memory attributes alone decide). lib/riscv_pte.h has the
 * bits.
 */
enum riscv_mattr {
	RISCV_MATTR_NONE,
	RISCV_MATTR_SVPBMT,
	RISCV_MATTR_THEAD_MAE,
};

/* Svpbmt when ext has it, else MAE when ext has it, else none. */
enum riscv_mattr riscv_mattr_choose(uint64_t ext);
/* "none", "svpbmt", "thead-mae". */
const char *riscv_mattr_name(enum riscv_mattr m);

/*
 * Parse a riscv,isa string (case-insensitive, as the ISA manual says):
 *   rv<32|64|128><i|e|g>[version][letter[version]]...[_<ext>]...
 * where a multi-letter <ext> starts with s, x or z and runs to the next
 * '_' (the first may follow the letters without one), and a version is
 * digits with an optional p and minor digits ("i2p1", "zicsr2p0").
 * 'g' stands for imafd plus zicsr and zifencei; 'i' also implies zicsr
 * and zifencei, which were part of it before the 2019 split (Linux does
 * the same). Returns 0, or -EINVAL with isa->error and isa->error_at set.
 */
int riscv_isa_parse(const char *s, struct riscv_isa *isa);

/*
 * Parse a riscv,isa-base string: exactly rv32i, rv32e, rv64i or rv64e
 * (the binding's pattern), lower case. Sets xlen and the base letter;
 * extensions come from riscv_isa_add_name(). Returns 0 or -EINVAL (with
 * isa->error set).
 */
int riscv_isa_parse_base(const char *s, struct riscv_isa *isa);

/*
 * Record one riscv,isa-extensions entry: a lower-case name of letters
 * and digits starting with a letter ("m", "zicsr", "svpbmt"); matched
 * exactly, as Linux does. Unknown names are accepted and ignored.
 * Returns 0 or -EINVAL (empty, upper case or another character; error
 * and error_at, the offset in name, set).
 */
int riscv_isa_add_name(struct riscv_isa *isa, const char *name, size_t len);

/* The name of a multi-letter extension bit ("svpbmt"), or NULL. */
const char *riscv_isa_ext_name(enum riscv_isa_ext e);

#endif /* LIB_RISCV_ISA_H */
