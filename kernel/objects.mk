# SPDX-License-Identifier: BSD-2-Clause
# kernel/: boot sequence, console, runners; selftests/ holds KTAP suites
# and benchmarks that run in the guest.
kernel-srcs := $(sort $(wildcard kernel/*.c kernel/selftests/*.c))
