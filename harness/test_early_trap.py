# SPDX-License-Identifier: BSD-2-Clause
"""The earliest trap: a fault while the MMU is still off (issue 13,
defect 7: the reporter must work from the first trap on, with only what
exists then). Nothing the kernel reads can cause such a fault, so the
test makes one: gdb stops the boot hart at early_vm_setup (physical
address, MMU off) and sends it to address 0. The kernel must print the
fault report in its usual line forms, with every register, and power
off with the panic status 2 through the device tree's sifive,test
device (the SBI reset would exit 0)."""
import os
import re
import shutil
import socket
import subprocess
import threading

import pytest

import qemu

GDB = "gdb-multiarch"
KERNEL_VA = 0xffffffff80000000


def _load_pa():
    """Physical address the ELF's first LOAD segment is loaded at."""
    out = subprocess.run(["riscv64-unknown-elf-readelf", "-lW", qemu.KERNEL],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            return int(f[3], 16) - (int(f[2], 16) - KERNEL_VA)
    raise AssertionError("no LOAD segment in kernel.elf")


def _symbol(name):
    out = subprocess.run(["riscv64-unknown-elf-nm", qemu.KERNEL],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    raise AssertionError(f"{name} not in kernel.elf")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which(GDB) is None, reason="needs gdb-multiarch")
def test_fault_before_mmu_full_report():
    pa = _symbol("early_vm_setup") - KERNEL_VA + _load_pa()
    port = _free_port()
    gdb_out = {}

    def drive():
        gdb_out["r"] = subprocess.run(
            [GDB, "-nx", "-batch", "-ex", "set architecture riscv:rv64",
             "-ex", "set remotetimeout 20",
             "-ex", f"target remote 127.0.0.1:{port}",
             "-ex", f"hbreak *{pa:#x}", "-ex", "continue",
             "-ex", "set $pc = 0", "-ex", "detach"],
            capture_output=True, text=True, timeout=60)

    t = threading.Timer(1.0, drive)
    t.start()
    r = qemu.boot("early_trap", mem="64M", timeout=90,
                  extra=["-S", "-gdb", f"tcp:127.0.0.1:{port}"])
    t.join()
    g = gdb_out.get("r")
    assert g is not None and f"{pa:x}" in g.stdout + g.stderr, (g, r.log)
    assert r.grep(r"^fault: trap before the MMU was on: fetch access fault "
                  r"\(scause 0x0000000000000001\) at 0x0000000000000000 "
                  r"\(sepc 0x0000000000000000\)$"), r.log
    assert r.grep(r"^fault: address is physical \(no page tables yet\)$"), \
        r.log
    assert r.grep(r"^fault: sepc is in no part of the kernel image$"), r.log
    assert r.grep(r"^regs: sepc 0x0{16} sstatus 0x[0-9a-f]{16}$"), r.log
    regs = r.grep(r"^regs: ra ")
    assert regs, r.log
    # All 31 registers, in trap.c's layout: 8 lines of up to 4.
    names = re.findall(r" (\w+) +0x[0-9a-f]{16}",
                       "\n".join(r.grep(r"^regs: (?!sepc)")))
    assert len(names) == 31 and names[0] == "ra" and names[-1] == "t6", \
        r.log
    # The interrupted code's ra points into the image (its caller, head.S).
    ra = int(re.search(r"ra +0x([0-9a-f]{16})", regs[0]).group(1), 16)
    assert _load_pa() <= ra < _load_pa() + os.path.getsize(qemu.IMAGE), \
        r.log
    assert not r.grep(r"nested trap"), r.log
    assert r.status == 2, r.log
