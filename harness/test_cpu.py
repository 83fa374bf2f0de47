# SPDX-License-Identifier: BSD-2-Clause
"""CPU and ISA discovery (kernel/cpufeature.c, lib/fdt_cpus.c): the
'cpu:' contract lines, the boot hart whose device tree denies it an
MMU, and the Svpbmt memory attributes on a QEMU CPU that has them.
T-Head MAE cannot run in QEMU: mm/tests/test_pte.c and
lib/tests/test_fdt_cpus.c cover it on the host."""

import re

import qemu

CPU = re.compile(r"^cpu: hart (\S+) isa (\S+) mmu (\S+) \((.+)\)$")


def cpu_lines(r):
    return {m.group(1): m.groups()[1:] for l in r.lines()
            if (m := CPU.match(l))}


def first(r, pattern):
    return next(i for i, l in enumerate(r.lines()) if re.match(pattern, l))


def test_cpu_lines_virt_smp4(boot):
    """Scenario: virt -smp 4. Expect one 'cpu: hart' line per hart with
    QEMU's riscv,isa, mmu sv48 and (usable), then 'cpu: memory
    attributes none' (QEMU 7.2's default CPU has no Svpbmt), all before
    the SMP lines, and status 0."""
    r = boot(smp=4, bootargs="selftest=lib", timeout=120)
    cpus = cpu_lines(r)
    assert sorted(cpus) == ["0", "1", "2", "3"], r.log
    for isa, mmu, verdict in cpus.values():
        assert isa.startswith("rv64imafdc") and "svpbmt" not in isa
        assert (mmu, verdict) == ("sv48", "usable"), r.log
    assert r.grep(r"^cpu: memory attributes none$"), r.log
    assert first(r, r"^cpu: memory") < first(r, r"^smp: hart"), r.log
    assert not r.grep(r"^cpu: warning"), r.log
    assert r.status == 0


def test_cpu_lines_mixed_tree(boot):
    """Scenario: dts/virt-cpus-mixed.dts on -smp 2: two real harts (one
    described by riscv,isa-base + riscv,isa-extensions), a monitor hart
    with mmu-type riscv,none and a hart whose riscv,isa has an empty
    extension name. Expect the four cpu lines with their verdicts, one
    warning naming the property, the string and the byte, the two bad
    harts skipped by SMP with the same reasons, and status 0."""
    r = boot(mem="128M", smp=2, dtb=qemu.dtb("virt-cpus-mixed"),
             bootargs="selftest=lib", timeout=120)
    isa = "rv64imafdc_zicsr_zifencei"
    assert cpu_lines(r) == {
        "0": (isa, "sv48", "usable"),
        "1": (isa, "sv48", "usable"),
        "2": ("rv64imac_zicsr_zifencei", "none", "no MMU"),
        "3": ("rv64imafdc__zicsr", "sv39", "bad ISA string"),
    }, r.log
    assert r.grep(r"^cpu: warning: hart 3: riscv,isa 'rv64imafdc__zicsr': "
                  r"empty extension name at byte 11; skipped$"), r.log
    assert r.grep(r"^cpu: memory attributes none$"), r.log
    assert r.grep(r"^smp: hart 2 skipped: no MMU$"), r.log
    assert r.grep(r"^smp: hart 3 skipped: bad ISA string$"), r.log
    assert r.grep(r"^smp: 2 harts online$"), r.log
    assert r.status == 0


def test_boot_hart_without_mmu_in_tree(boot):
    """Scenario: dts/virt-boot-hart-nommu.dts: the boot hart's node says
    mmu-type "riscv,none" while QEMU's CPU has an MMU. Expect the cpu
    line, then the Sv39 panic naming the device tree as the last line,
    and status 2 (the tree is believed, as Linux believes it)."""
    r = boot(mem="32M", smp=1, dtb=qemu.dtb("virt-boot-hart-nommu"),
             bootargs="selftest=lib", timeout=60)
    assert r.grep(r"^cpu: hart 0 isa rv64imafdc_zicsr_zifencei mmu none "
                  r"\(no MMU\)$"), r.log
    lines = [l for l in r.lines() if l.strip()]
    assert lines[-1] == ('panic: mmu: Sv39 not supported by this hart '
                         '(device tree: hart 0 has mmu-type "riscv,none")'), \
        r.log
    assert not r.grep(r"^KTAP"), r.log
    assert r.status == 2


def test_svpbmt_device_memory(boot):
    """Scenario: -cpu rv64,svpbmt=on -smp 2 (QEMU then lists svpbmt in
    riscv,isa), selftest=mmu,vmalloc,smp. Expect 'cpu: memory attributes
    svpbmt', every hart online, and the suites passing, among them
    mmu_device_memory_type, which finds PBMT=IO on the UART's mapping
    (QEMU faults on PBMT bits when Svpbmt is off, so the plain runs
    also show that the kernel emits none without it)."""
    r = boot(smp=2, bootargs="selftest=mmu,vmalloc,smp", timeout=180,
             extra=["-cpu", "rv64,svpbmt=on"])
    cpus = cpu_lines(r)
    assert len(cpus) == 2 and all("_svpbmt" in c[0] for c in cpus.values())
    assert r.grep(r"^cpu: memory attributes svpbmt$"), r.log
    assert r.grep(r"^smp: 2 harts online$"), r.log
    assert r.grep(r"^    ok \d+ mmu_device_memory_type$"), r.log
    assert r.grep(r"^\d+ passed, 0 failed$"), r.log
    assert r.status == 0
