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
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_call4(unsigned long ext, unsigned long fid,
			       unsigned long arg0, unsigned long arg1,
			       unsigned long arg2, unsigned long arg3)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a3), "r"(a6), "r"(a7)
			 : "memory");
	return (struct sbiret){ (long)a0, (long)a1 };
}

static struct sbiret sbi_call(unsigned long ext, unsigned long fid,
			      unsigned long arg0, unsigned long arg1,
			      unsigned long arg2)
{
	return sbi_call4(ext, fid, arg0, arg1, arg2, 0);
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
			sbi.has_time =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0)
					.value != 0;
			sbi.has_hsm =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_HSM, 0, 0)
					.value != 0;
			sbi.has_ipi =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_IPI, 0, 0)
					.value != 0;
			sbi.has_rfence =
				sbi_call(SBI_EXT_BASE, 3, SBI_EXT_RFENCE, 0, 0)
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

int sbi_console_getchar(void)
{
	/* Legacy extension 0x02: the byte in a0, or -1 when none waits. */
	long c = sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).error;

	return c >= 0 && c <= 255 ? (int)c : -1;
}

long sbi_set_timer(uint64_t when)
{
	if (!sbi_probed)
		sbi_probe(NULL);
	if (sbi.has_time)
		return sbi_call(SBI_EXT_TIME, 0, when, 0, 0).error;
	return -2; /* SBI_ERR_NOT_SUPPORTED */
}

long sbi_hart_start(unsigned long hartid, uint64_t start_pa, uint64_t opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque).error;
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0).error;
}

long sbi_remote_sfence_vma(unsigned long hart_mask,
			   unsigned long hart_mask_base, unsigned long start,
			   unsigned long size)
{
	return sbi_call4(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start,
			 size)
		.error;
}

const char *sbi_error_name(long err)
{
	static const char *const names[] = {
		"success",	     "failed",		"not supported",
		"invalid param",     "denied",		"invalid address",
		"already available", "already started", "already stopped",
	};

	if (err <= 0 && -err < (long)(sizeof(names) / sizeof(names[0])))
		return names[-err];
	return "unknown error";
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
