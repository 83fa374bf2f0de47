// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the ISA string parser (lib/riscv_isa.c): every form of
 * riscv,isa the ISA manual's naming chapter allows, the older forms real
 * trees carry, the riscv,isa-base plus riscv,isa-extensions form, and
 * malformed strings, each refused with its own reason and offset.
 */
#include "lib/errno.h"
#include "lib/kernel.h"
#include "lib/riscv_isa.h"
#include "lib/tests/host_ktest.h"

#define L(c) RISCV_ISA_LETTER(c)
#define B(e) RISCV_ISA_BIT(RISCV_ISA_EXT_##e)
#define IMAC (L('i') | L('m') | L('a') | L('c'))
#define ZI (B(ZICSR) | B(ZIFENCEI))

struct good {
	const char *s;
	unsigned int xlen;
	uint64_t ext;
	bool modes_named, mode_s;
};

/* Scenario: well-formed riscv,isa strings: plain letters, g, versions
 * on letters and on long names, long names with and without '_', upper
 * case, unknown names, the P extension after a major version, rv32 and
 * rv128, and QEMU 7.2's string. Expect each parsed to exactly the
 * extension bits listed (i and g imply zicsr and zifencei). */
static void isa_parses_every_allowed_form(struct ktest *t)
{
	static const struct good cases[] = {
		{ "rv64imac", 64, IMAC | ZI, false, false },
		{ "rv64imafdc", 64, IMAC | L('f') | L('d') | ZI, false, false },
		{ "rv64gc", 64, IMAC | L('f') | L('d') | ZI, false, false },
		{ "rv64g", 64, L('i') | L('m') | L('a') | L('f') | L('d') | ZI,
		  false, false },
		{ "rv64i2p1_m2p0_a2p1_c2p0", 64, IMAC | ZI, false, false },
		{ "rv64i2p1m2p0a2p1c2p0", 64, IMAC | ZI, false, false },
		{ "rv64i2_m2_a2_c2", 64, IMAC | ZI, false, false },
		{ "rv64imac_zicsr2p0_zifencei2p0", 64, IMAC | ZI, false,
		  false },
		{ "rv64imaczicbom", 64, IMAC | ZI | B(ZICBOM), false, false },
		{ "rv64imac_svpbmt", 64, IMAC | ZI | B(SVPBMT), false, false },
		{ "rv64imac_sstc_svnapot_svinval_svadu", 64,
		  IMAC | ZI | B(SSTC) | B(SVNAPOT) | B(SVINVAL) | B(SVADU),
		  false, false },
		{ "RV64IMAC_SVPBMT", 64, IMAC | ZI | B(SVPBMT), false, false },
		{ "rv64imac_xtheadba_zba1p0_svpbmt", 64, IMAC | ZI | B(SVPBMT),
		  false, false },
		{ "rv64imac_zicboz_zihintpause", 64,
		  IMAC | ZI | B(ZICBOZ) | B(ZIHINTPAUSE), false, false },
		{ "rv64ip", 64, L('i') | L('p') | ZI, false, false },
		{ "rv64i2p", 64, L('i') | L('p') | ZI, false, false },
		{ "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
		  64,
		  IMAC | L('f') | L('d') | L('h') | ZI | B(ZIHINTPAUSE) |
			  B(SSTC),
		  false, false },
		{ "rv32imac", 32, IMAC | ZI, false, false },
		{ "rv128i", 128, L('i') | ZI, false, false },
		{ "rv64e", 64, L('e'), false, false },
		{ "rv64imafdcsu", 64, IMAC | L('f') | L('d') | ZI, true, true },
		{ "rv64imacu", 64, IMAC | ZI, true, false },
		{ "rv64imacs", 64, IMAC | ZI, true, true },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct good *c = &cases[i];
		struct riscv_isa isa;

		KTEST_EXPECT_EQ(t, riscv_isa_parse(c->s, &isa), 0);
		if (isa.error)
			ktest_info(t, "%s: %s at %zu", c->s, isa.error,
				   isa.error_at);
		KTEST_EXPECT_EQ(t, isa.xlen, c->xlen);
		KTEST_EXPECT_EQ(t, isa.ext, c->ext);
		KTEST_EXPECT_EQ(t, isa.modes_named, c->modes_named);
		KTEST_EXPECT_EQ(t, isa.mode_s, c->mode_s);
	}
}

struct bad {
	const char *s;
	const char *error;
	size_t at;
};

/* Scenario: malformed riscv,isa strings. Expect -EINVAL, the reason
 * and the offset of the offending byte for each, and no bits kept. */
static void isa_refuses_malformed(struct ktest *t)
{
	static const struct bad cases[] = {
		{ "", "does not start with rv", 0 },
		{ "imac", "does not start with rv", 0 },
		{ "rv", "XLEN is not 32, 64 or 128", 2 },
		{ "rv65imac", "XLEN is not 32, 64 or 128", 2 },
		{ "rv640imac", "XLEN is not 32, 64 or 128", 2 },
		{ "rv64", "base is not i, e or g", 4 },
		{ "rv64mac", "base is not i, e or g", 4 },
		{ "rv64imac__zicsr", "empty extension name", 9 },
		{ "rv64imac_", "empty extension name", 9 },
		{ "rv64ima-c", "unexpected character", 7 },
		{ "rv64imac_zi-csr", "unexpected character", 11 },
		{ "rv64imac zicsr", "unexpected character", 8 },
		{ "rv64imac_2p0", "version number without an extension", 9 },
		{ "rv64imac_z", "multi-letter extension without a name", 9 },
		{ "rv64imac_x2p0", "multi-letter extension without a name", 9 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bad *c = &cases[i];
		struct riscv_isa isa;

		KTEST_EXPECT_EQ(t, riscv_isa_parse(c->s, &isa), -EINVAL);
		KTEST_EXPECT_STREQ(t, isa.error ? isa.error : "(none)",
				   c->error);
		KTEST_EXPECT_EQ(t, isa.error_at, c->at);
	}
}

/* Scenario: the riscv,isa-base and riscv,isa-extensions form. Expect
 * the four bases accepted and nothing else (no g, no upper case, no
 * letters after the base), list names matched exactly (single letters,
 * known long names, unknown ones ignored), and bad names refused. */
static void isa_base_and_names(struct ktest *t)
{
	static const char *const bad_bases[] = {
		"rv64imac", "rv64g", "RV64I", "rv128i", "rv64", "rv64i2p1"
	};
	struct riscv_isa isa;

	KTEST_EXPECT_EQ(t, riscv_isa_parse_base("rv64i", &isa), 0);
	KTEST_EXPECT_EQ(t, isa.xlen, 64);
	KTEST_EXPECT_EQ(t, isa.ext, L('i'));
	KTEST_EXPECT_EQ(t, riscv_isa_parse_base("rv32e", &isa), 0);
	KTEST_EXPECT_EQ(t, isa.xlen, 32);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_bases); i++) {
		KTEST_EXPECT_EQ(t, riscv_isa_parse_base(bad_bases[i], &isa),
				-EINVAL);
		KTEST_EXPECT_EQ(t, isa.xlen, 0);
	}

	riscv_isa_parse_base("rv64i", &isa);
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "m", 1), 0);
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "svpbmt", 6), 0);
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "zfoo", 4), 0);
	KTEST_EXPECT_EQ(t, isa.ext, L('i') | L('m') | B(SVPBMT));
	/* Only the first len bytes count. */
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "sstcXYZ", 4), 0);
	KTEST_EXPECT_EQ(t, isa.ext & B(SSTC), B(SSTC));
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "", 0), -EINVAL);
	KTEST_EXPECT_STREQ(t, isa.error, "empty extension name");
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "Zicsr", 5), -EINVAL);
	KTEST_EXPECT_EQ(t, isa.error_at, 0);
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "zi_csr", 6), -EINVAL);
	KTEST_EXPECT_EQ(t, isa.error_at, 2);
	KTEST_EXPECT_EQ(t, riscv_isa_add_name(&isa, "svPbmt", 6), -EINVAL);
}

/* Scenario: choosing the memory-attribute scheme from an extension set.
 * Expect Svpbmt first, MAE without it, none with neither, and the three
 * names. */
static void isa_mattr_choice(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(IMAC), RISCV_MATTR_NONE);
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(IMAC | B(SVPBMT)),
			RISCV_MATTR_SVPBMT);
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(IMAC | B(XTHEADMAE)),
			RISCV_MATTR_THEAD_MAE);
	KTEST_EXPECT_EQ(t, riscv_mattr_choose(B(SVPBMT) | B(XTHEADMAE)),
			RISCV_MATTR_SVPBMT);
	KTEST_EXPECT_STREQ(t, riscv_mattr_name(RISCV_MATTR_NONE), "none");
	KTEST_EXPECT_STREQ(t, riscv_mattr_name(RISCV_MATTR_SVPBMT), "svpbmt");
	KTEST_EXPECT_STREQ(t, riscv_mattr_name(RISCV_MATTR_THEAD_MAE),
			   "thead-mae");
	KTEST_EXPECT_STREQ(t, riscv_isa_ext_name(RISCV_ISA_EXT_SVPBMT),
			   "svpbmt");
	KTEST_EXPECT(t, riscv_isa_ext_name(RISCV_ISA_EXT_XTHEADMAE) == NULL);
	KTEST_EXPECT(t, riscv_isa_ext_name(RISCV_ISA_EXT_COUNT) == NULL);
}

static const struct ktest_case riscv_isa_cases[] = {
	KTEST_CASE(isa_parses_every_allowed_form),
	KTEST_CASE(isa_refuses_malformed),
	KTEST_CASE(isa_base_and_names),
	KTEST_CASE(isa_mattr_choice),
	KTEST_END,
};

static const struct ktest_suite riscv_isa_suite = { "riscv_isa",
						    riscv_isa_cases, NULL,
						    NULL };

KTEST_HOST_MAIN(&riscv_isa_suite)
