# SPDX-License-Identifier: BSD-2-Clause
# lib/: freestanding helpers and the device-tree reader.
lib-srcs := $(sort $(wildcard lib/*.c))
# On the host the C library supplies these.
lib-host-exclude := lib/string.c
