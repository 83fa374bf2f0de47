# SPDX-License-Identifier: BSD-2-Clause
# mm/: portable memory management (also built for the host).
mm-srcs := $(sort $(wildcard mm/*.c))
