# SPDX-License-Identifier: BSD-2-Clause
# mm/: portable memory management (also built for the host).
mm-srcs := $(sort $(wildcard mm/*.c))
# Boot-time glue that only makes sense with a live MMU: exercised by the
# in-kernel mmu self-test and the QEMU harness instead.
mm-host-exclude := mm/kspace.c
