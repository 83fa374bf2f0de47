// SPDX-License-Identifier: BSD-2-Clause
/*
 * RISC-V ISA strings (the unprivileged ISA manual's "ISA Extension
 * Naming Conventions" chapter; Linux's Documentation/devicetree/bindings/
 * riscv/cpus.yaml and extensions.yaml for the device-tree forms).
 *
 * Theory of operation
 * -------------------
 * A riscv,isa string is read left to right:
 *
 *   rv64 i 2p1 m a f d c _ zicsr2p0 _ zifencei _ svpbmt
 *   ^^^^ ^ ^^^ ^^^^^^^^^ ^ ^^^^^^^^ ...
 *   XLEN | ver single     multi-letter extensions, each to the next '_'
 *        base (i, e or g)
 *
 *  1. "rv" and the XLEN (32, 64 or 128); case does not matter anywhere.
 *  2. The base letter: i, e, or g (= imafd_zicsr_zifencei).
 *  3. Single letters, each with an optional version: digits, then 'p'
 *     and digits when a digit follows the 'p' ("2p" then a letter is a
 *     major version and the P extension). '_' may separate letters.
 *  4. s, x or z starts a multi-letter extension that runs to the next
 *     '_' or the end; a trailing version is cut off its name. The old
 *     privilege-mode letters are the exception, as in Linux: 's' right
 *     after a letter (not after '_') and followed by 'u' or the end, and
 *     a lone 'u', name modes (modes_named, mode_s), not extensions.
 *  5. Known names set their bit in ext; unknown ones are skipped, as
 *     Linux skips them, so a newer tree still parses.
 *
 * Refused, with error and error_at: a missing "rv", an XLEN other than
 * 32/64/128, a base other than i/e/g, any byte but letters, digits and
 * '_', an empty extension ("__", a trailing '_'), a version with no
 * extension before it, and a multi-letter prefix with no name ("_z").
 * The order of the letters is not checked (Linux does not either).
 *
 * The riscv,isa-base plus riscv,isa-extensions form (the current binding)
 * is stricter: the base is exactly rv32i/rv32e/rv64i/rv64e and each list
 * entry a lower-case name matched exactly, as Linux matches it.
 *
 * No state, no allocation: safe anywhere, on any hart or host.
 */
#include "lib/riscv_isa.h"

#include "lib/errno.h"
#include "lib/kernel.h"
#include "lib/string.h"

static const char *const ext_names[RISCV_ISA_EXT_COUNT] = {
	[RISCV_ISA_EXT_ZICSR] = "zicsr",
	[RISCV_ISA_EXT_ZIFENCEI] = "zifencei",
	[RISCV_ISA_EXT_ZICBOM] = "zicbom",
	[RISCV_ISA_EXT_ZICBOZ] = "zicboz",
	[RISCV_ISA_EXT_ZIHINTPAUSE] = "zihintpause",
	[RISCV_ISA_EXT_SSTC] = "sstc",
	[RISCV_ISA_EXT_SVADU] = "svadu",
	[RISCV_ISA_EXT_SVINVAL] = "svinval",
	[RISCV_ISA_EXT_SVNAPOT] = "svnapot",
	[RISCV_ISA_EXT_SVPBMT] = "svpbmt",
	[RISCV_ISA_EXT_XTHEADMAE] = NULL, /* from compatible, never a name */
};

#define ISA_G_BITS                                                             \
	(RISCV_ISA_LETTER('i') | RISCV_ISA_LETTER('m') |                       \
	 RISCV_ISA_LETTER('a') | RISCV_ISA_LETTER('f') |                       \
	 RISCV_ISA_LETTER('d') | RISCV_ISA_BIT(RISCV_ISA_EXT_ZICSR) |          \
	 RISCV_ISA_BIT(RISCV_ISA_EXT_ZIFENCEI))
#define ISA_I_BITS                                                             \
	(RISCV_ISA_LETTER('i') | RISCV_ISA_BIT(RISCV_ISA_EXT_ZICSR) |          \
	 RISCV_ISA_BIT(RISCV_ISA_EXT_ZIFENCEI))

const char *riscv_isa_ext_name(enum riscv_isa_ext e)
{
	return (unsigned int)e < RISCV_ISA_EXT_COUNT ? ext_names[e] : NULL;
}

enum riscv_mattr riscv_mattr_choose(uint64_t ext)
{
	if (ext & RISCV_ISA_BIT(RISCV_ISA_EXT_SVPBMT))
		return RISCV_MATTR_SVPBMT;
	if (ext & RISCV_ISA_BIT(RISCV_ISA_EXT_XTHEADMAE))
		return RISCV_MATTR_THEAD_MAE;
	return RISCV_MATTR_NONE;
}

const char *riscv_mattr_name(enum riscv_mattr m)
{
	switch (m) {
	case RISCV_MATTR_SVPBMT:
		return "svpbmt";
	case RISCV_MATTR_THEAD_MAE:
		return "thead-mae";
	default:
		return "none";
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_letter(char c)
{
	c = lower(c);
	return c >= 'a' && c <= 'z';
}

static int fail(struct riscv_isa *isa, const char *what, size_t at)
{
	isa->error = what;
	isa->error_at = at;
	return -EINVAL;
}

/* Case-insensitive: is s[0 .. n) the known name ext_names[e]? */
static bool name_is(const char *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && name[i]; i++)
		if (lower(s[i]) != name[i])
			return false;
	return i == n && !name[i];
}

static void add_multi(struct riscv_isa *isa, const char *s, size_t n)
{
	for (unsigned int e = 0; e < RISCV_ISA_EXT_COUNT; e++)
		if (ext_names[e] && name_is(s, n, ext_names[e]))
			isa->ext |= RISCV_ISA_BIT(e);
}

static void add_letter(struct riscv_isa *isa, char c)
{
	if (c == 'g')
		isa->ext |= ISA_G_BITS;
	else if (c == 'i')
		isa->ext |= ISA_I_BITS;
	else
		isa->ext |= RISCV_ISA_LETTER(c);
}

/* "2", "2p1": the length of a version number at s (0 if none). */
static size_t version_len(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	if (n && lower(s[n]) == 'p' && is_digit(s[n + 1])) {
		n++;
		while (is_digit(s[n]))
			n++;
	}
	return n;
}

/* "rv64": the XLEN, and the length consumed in *n; 0 if not one. */
static unsigned int parse_xlen(const char *s, size_t *n)
{
	static const struct {
		char digits[4];
		unsigned int xlen;
	} xlens[] = { { "32", 32 }, { "64", 64 }, { "128", 128 } };

	if (lower(s[0]) != 'r' || lower(s[1]) != 'v')
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(xlens); i++) {
		size_t len = strlen(xlens[i].digits);

		if (strncmp(s + 2, xlens[i].digits, len) == 0 &&
		    !is_digit(s[2 + len])) {
			*n = 2 + len;
			return xlens[i].xlen;
		}
	}
	return 0;
}

/*
 * A multi-letter extension at s[0 .. n) (no '_' inside): letters and
 * digits only, a name left after cutting the version.
 */
static int parse_multi(struct riscv_isa *isa, const char *s, size_t n,
		       size_t at)
{
	size_t name = n;

	for (size_t i = 0; i < n; i++)
		if (!is_letter(s[i]) && !is_digit(s[i]))
			return fail(isa, "unexpected character", at + i);
	/* Cut a trailing version: digits, or digits 'p' digits. */
	while (name > 1 && is_digit(s[name - 1]))
		name--;
	if (name < n && name > 2 && lower(s[name - 1]) == 'p' &&
	    is_digit(s[name - 2])) {
		name--;
		while (name > 1 && is_digit(s[name - 1]))
			name--;
	}
	if (name < 2)
		return fail(isa, "multi-letter extension without a name", at);
	add_multi(isa, s, name);
	return 0;
}

int riscv_isa_parse(const char *s, struct riscv_isa *isa)
{
	size_t i;
	char base;

	*isa = (struct riscv_isa){ 0 };
	isa->xlen = parse_xlen(s, &i);
	if (!isa->xlen)
		return fail(isa,
			    lower(s[0]) == 'r' && lower(s[1]) == 'v'
				    ? "XLEN is not 32, 64 or 128"
				    : "does not start with rv",
			    lower(s[0]) == 'r' && lower(s[1]) == 'v' ? 2 : 0);
	base = lower(s[i]);
	if (base != 'i' && base != 'e' && base != 'g')
		return fail(isa, "base is not i, e or g", i);
	add_letter(isa, base);
	i++;
	i += version_len(s + i);
	while (s[i]) {
		char c = lower(s[i]);
		bool after_sep = s[i - 1] == '_';

		if (c == '_') {
			if (s[i + 1] == '_' || !s[i + 1])
				return fail(isa, "empty extension name", i + 1);
			i++;
			continue;
		}
		if (is_digit(c))
			return fail(isa, "version number without an extension",
				    i);
		if (!is_letter(c))
			return fail(isa, "unexpected character", i);
		if (c == 's' && !after_sep &&
		    (lower(s[i + 1]) == 'u' || !s[i + 1] || s[i + 1] == '_')) {
			/* "...csu": the S and U privilege modes. */
			isa->modes_named = isa->mode_s = true;
			i++;
			continue;
		}
		if (c == 's' || c == 'x' || c == 'z') {
			size_t n = 0;
			int err;

			while (s[i + n] && s[i + n] != '_')
				n++;
			err = parse_multi(isa, s + i, n, i);
			if (err)
				return err;
			i += n;
			continue;
		}
		if (c == 'u')
			isa->modes_named = true;
		else
			add_letter(isa, c);
		i++;
		i += version_len(s + i);
	}
	return 0;
}

int riscv_isa_parse_base(const char *s, struct riscv_isa *isa)
{
	size_t n;

	*isa = (struct riscv_isa){ 0 };
	isa->xlen = parse_xlen(s, &n);
	if (!isa->xlen || isa->xlen == 128 || strncmp(s, "rv", 2) != 0 ||
	    (s[n] != 'i' && s[n] != 'e') || s[n + 1]) {
		isa->xlen = 0;
		return fail(isa, "is not rv32i, rv32e, rv64i or rv64e", 0);
	}
	isa->ext |= RISCV_ISA_LETTER(s[n]);
	return 0;
}

int riscv_isa_add_name(struct riscv_isa *isa, const char *name, size_t len)
{
	if (len == 0)
		return fail(isa, "empty extension name", 0);
	if (name[0] < 'a' || name[0] > 'z')
		return fail(isa,
			    "extension name does not start with a "
			    "lower-case letter",
			    0);
	for (size_t i = 1; i < len; i++)
		if ((name[i] < 'a' || name[i] > 'z') && !is_digit(name[i]))
			return fail(isa,
				    "extension name has a byte other than a-z "
				    "and 0-9",
				    i);
	if (len == 1)
		isa->ext |= RISCV_ISA_LETTER(name[0]);
	else
		add_multi(isa, name, len);
	return 0;
}
