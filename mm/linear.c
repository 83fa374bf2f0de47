// SPDX-License-Identifier: BSD-2-Clause
/*
 * The linear-map offset (mm/linear.h). Set once at boot by the kernel
 * before anything calls phys_to_virt(); host tests point it at their
 * stand-in for physical memory.
 */
#include "mm/linear.h"

uint64_t va_pa_offset;
