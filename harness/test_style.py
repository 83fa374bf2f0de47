# SPDX-License-Identifier: BSD-2-Clause
"""House-style checks that are cheap to automate: an SPDX line at the top
of every source file, clang-format clean (Linux style), and includes
pointing one way (arch/riscv -> kernel -> mm -> lib)."""

import re
import shutil
import subprocess

import pytest

import qemu

LAYER = {"lib": 0, "mm": 1, "kernel": 2, "arch": 3}


def tracked(*patterns):
    out = subprocess.run(["git", "ls-files", *patterns], cwd=qemu.ROOT,
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_spdx_everywhere():
    """Scenario: every C, header, assembly, Python, linker, make and dts
    source. Expect an SPDX-License-Identifier in its first two lines."""
    missing = []
    for f in tracked("*.c", "*.h", "*.S", "*.py", "*.ld", "*.mk", "*.dts",
                     "Makefile", ".ci/run", "*.sh"):
        with open(f"{qemu.ROOT}/{f}") as fh:
            head = fh.readline() + fh.readline()
        if "SPDX-License-Identifier" not in head:
            missing.append(f)
    assert not missing


def test_clang_format_clean():
    """Scenario: `make format`. Expect no formatting differences."""
    if shutil.which("clang-format") is None:
        pytest.skip("clang-format not installed")
    r = subprocess.run(["make", "-s", "format"], cwd=qemu.ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]


def test_includes_point_one_way():
    """Scenario: every #include "dir/..." in lib/, mm/, kernel/, arch/.
    Expect no include of a higher layer, and nothing outside arch/riscv
    including an arch/riscv header."""
    bad = []
    for f in tracked("*.c", "*.h"):
        top = f.split("/")[0]
        if top not in LAYER:
            continue
        for n, line in enumerate(open(f"{qemu.ROOT}/{f}"), 1):
            m = re.match(r'#include "([a-z]+)/', line)
            if m and m.group(1) in LAYER and \
                    LAYER[m.group(1)] > LAYER[top]:
                bad.append(f"{f}:{n}: {line.strip()}")
    assert not bad


# The seam headers and the one asm/ header each may include.
ASM_GATEWAYS = {"lib/cpu.h": "<asm/cpu.h>", "mm/arch.h": "<asm/mmu.h>",
                "lib/cmpxchg.h": "<asm/cmpxchg.h>"}


def test_asm_headers_only_through_lib_cpu():
    """Scenario: every #include <asm/...> in the tree. The target's inline
    CPU helpers and PTE encoding come from arch/riscv/include/asm/ (the
    host's from lib/tests/include/asm/ and mm/tests/include/asm/), found
    on each build's include path like Linux's asm/ headers. Expect
    lib/cpu.h (<asm/cpu.h>), lib/cmpxchg.h (<asm/cmpxchg.h>) and
    mm/arch.h (<asm/mmu.h>) to be the only files outside arch/riscv that
    include one, so each interface stays in its seam header and the CPU
    knowledge in arch/."""
    bad = []
    for f in tracked("*.c", "*.h", "*.S"):
        if f.startswith("arch/riscv/"):
            continue
        for n, line in enumerate(open(f"{qemu.ROOT}/{f}"), 1):
            m = re.match(r"#include (<asm/[^>]*>)", line)
            if m and ASM_GATEWAYS.get(f) != m.group(1):
                bad.append(f"{f}:{n}: {line.strip()}")
    assert not bad
