// SPDX-License-Identifier: BSD-2-Clause
/* Names of the error codes in lib/errno.h. */
#include "lib/errno.h"

const char *errno_name(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EOK:
		return "success";
	case EPERM:
		return "operation not permitted";
	case ENOENT:
		return "not found";
	case EIO:
		return "i/o error";
	case E2BIG:
		return "too big";
	case ENOMEM:
		return "out of memory";
	case EFAULT:
		return "bad address";
	case EBUSY:
		return "busy";
	case EEXIST:
		return "already exists";
	case ENODEV:
		return "device disabled";
	case EINVAL:
		return "invalid argument";
	case ENOSPC:
		return "no space left";
	case ERANGE:
		return "out of range";
	case ENOSYS:
		return "not implemented";
	case EOVERFLOW:
		return "overflow";
	case EFDT_TRUNCATED:
		return "truncated blob";
	case EFDT_BADMAGIC:
		return "bad magic";
	case EFDT_BADVERSION:
		return "unsupported version";
	case EFDT_BADLAYOUT:
		return "bad block layout";
	case EFDT_TOOBIG:
		return "blob too big";
	case EFDT_BADOFFSET:
		return "bad offset";
	case EFDT_BADSTRUCTURE:
		return "bad structure block";
	case EFDT_BADSTRING:
		return "bad string offset";
	case EFDT_BADNCELLS:
		return "bad #address-cells or #size-cells";
	case EFDT_BADVALUE:
		return "bad property value";
	case EFDT_NOTFOUND:
		return "not found";
	case EFDT_BADPATH:
		return "bad path";
	case EFDT_BADPHANDLE:
		return "bad phandle";
	case EFDT_BADMEMRSV:
		return "bad memory reservation block";
	default:
		return "unknown error";
	}
}
