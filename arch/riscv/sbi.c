// SPDX-License-Identifier: BSD-2-Clause
/*
 * SBI calls (RISC-V SBI specification v2.0): base-extension probing,
 * console (DBCN when the firmware has it, the legacy putchar otherwise)
 * and system reset (SRST).
 */
#include "kernel/arch.h"
#include "mm/layout.h"
#include "mm/linear.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE 0x10
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_call(unsigned long ext, unsigned long fid,
			      unsigned long arg0, unsigned long arg1,
			      unsigned long arg2)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a6), "r"(a7)
			 : "memory");
	return (struct sbiret){ (long)a0, (long)a1 };
}

static struct sbi_info sbi;
static bool sbi_probed;

void sbi_probe(struct sbi_info *info)
{
	if (!sbi_probed) {
		struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);

		sbi.spec_version = r.error ? 0 : (unsigned long)r.value;
		if (sbi.spec_version) {
			sbi.impl_id = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0).value;
			sbi.impl_version =
				sbi_call(SBI_EXT_BASE, 2, 0, 0, 0).value;
			sbi.has_dbcn =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0)
					.value != 0;
			sbi.has_srst =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0)
					.value != 0;
			sbi.has_legacy_putchar =
				sbi_call(SBI_EXT_BASE, 3,
					 SBI_EXT_LEGACY_PUTCHAR, 0, 0)
					.value != 0;
		} else {
			sbi.has_legacy_putchar = true; /* SBI v0.1 */
		}
		sbi_probed = true;
	}
	if (info)
		*info = sbi;
}

void sbi_console_write(const char *s, size_t len)
{
	if (!sbi_probed)
		sbi_probe(NULL);
	if (sbi.has_dbcn) {
		/* DBCN takes a physical address, which only the linear map
		 * gives us; other strings go byte by byte. */
		uintptr_t va = (uintptr_t)s;

		if (va_pa_offset && va >= PAGE_OFFSET && va < LINEAR_END) {
			while (len) {
				struct sbiret r =
					sbi_call(SBI_EXT_DBCN, 0, len,
						 va - va_pa_offset, 0);

				if (r.error || r.value <= 0)
					break;
				len -= (size_t)r.value;
				va += (size_t)r.value;
			}
			if (!len)
				return;
			s = (const char *)va;
		}
		for (size_t i = 0; i < len; i++)
			sbi_call(SBI_EXT_DBCN, 2, (unsigned char)s[i], 0, 0);
		return;
	}
	for (size_t i = 0; i < len; i++)
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)s[i], 0, 0);
}

void sbi_shutdown(unsigned int failure)
{
	if (!sbi_probed)
		sbi_probe(NULL);
	if (sbi.has_srst)
		sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0);
	else
		sbi_call(0x08, 0, 0, 0, 0); /* legacy shutdown */
}
