# SPDX-License-Identifier: BSD-2-Clause
"""Console input, interrupts and idle (issue 12): a person at `make run`
types at the kernel. These tests do the same through a pseudo-terminal
(pexpect), on each console the kernel drives: QEMU virt's ns16550a and
sifive_u's sifive,uart0 by interrupt through the PLIC, a DesignWare
description and a tree without a PLIC (polling the UART's registers),
and spike, whose console is the firmware's (polling SBI getchar).

Bytes are typed one at a time with a short pause, as a person types:
QEMU's HTIF console (spike) holds a single byte, so a burst would lose
all but the last before the firmware is asked for one."""

import os
import re
import time

import pexpect
import pytest

import qemu

# Escaped as the kernel prints it (%pE): control bytes as \xNN.
LINE = "hello, wfi\x01\x7f"
LINE_ESCAPED = r"hello, wfi\x01\x7f"
TYPE_DELAY = 0.05


class Session:
    """One QEMU run on a pseudo-terminal, its output logged whole."""

    def __init__(self, name, timeout=120, **kw):
        args = qemu.qemu_args(**kw)
        os.makedirs(qemu.LOGS, exist_ok=True)
        self.log_path = os.path.join(qemu.LOGS, qemu._safe(name) + ".log")
        self.log = open(self.log_path, "wb")
        self.log.write(("$ " + " ".join(args) + "\n").encode())
        self.child = pexpect.spawn(args[0], args[1:], timeout=timeout,
                                   logfile=self.log)
        self.child.delaybeforesend = None

    def expect(self, pattern):
        """Wait for regex `pattern`; returns the match."""
        try:
            self.child.expect(pattern.encode())
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self.close()
            raise AssertionError(
                f"{pattern!r} not seen ({type(e).__name__}); log: "
                f"{self.log_path}") from None
        return self.child.match

    def type(self, text, delay=TYPE_DELAY):
        for ch in text:
            self.child.send(ch.encode("latin-1"))
            time.sleep(delay)

    def wait_status(self):
        """Wait for QEMU to exit; its exit status."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        self.log.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.log.close()


def read_log(s):
    with open(s.log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def echo_line(name, mode, end=r"\d+ passed, \d+ failed", **kw):
    """Boot selftest=input, wait for its ready line, type LINE and Enter,
    and check that the kernel received exactly those bytes."""
    s = Session(name, bootargs="selftest=input", **kw)
    s.expect(rf"input: ready, type a line \(by {mode}\)")
    s.type(LINE + "\r")
    m = s.expect(r"input: received (\d+) bytes '([^'\r\n]*)'")
    assert int(m.group(1)) == len(LINE), s.log_path
    assert m.group(2).decode() == LINE_ESCAPED, s.log_path
    s.expect(r"ok 1 input_echo_line")
    s.expect(end)
    return s


def test_virt_input_by_interrupt():
    """Scenario: QEMU virt, 2 harts, selftest=input; type a line with
    control bytes. Expect input by interrupt through the PLIC (irq 10,
    the boot hart's S-mode context: 2 * hart + 1 on virt, and OpenSBI
    may boot either hart), the line back escaped, status 0."""
    s = echo_line("virt-input-irq", "interrupt", mem="256M", smp=2)
    assert s.wait_status() == 0, s.log_path
    log = read_log(s)
    m = re.search(r"plic: sifive,plic-1\.0\.0 at 0xc000000, 96 sources, "
                  r"hart (\d+) context (\d+)", log)
    assert m, s.log_path
    assert int(m.group(2)) == 2 * int(m.group(1)) + 1, s.log_path
    assert re.search(r"console: input by interrupt \(plic irq 10\)", log)


def test_sifive_u_input_by_interrupt():
    """Scenario: QEMU sifive_u (boot hart 1, sifive,uart0 at irq 4; hart 1's
    S-mode context is 2 after hart 0's M-mode one). Expect input by
    interrupt and the line back; the machine cannot power off, so the run
    ends at the halting line."""
    s = echo_line("sifive_u-input-irq", "interrupt",
                  end=r"halting \(status 0\)", machine="sifive_u",
                  mem="1G", smp=2)
    s.close()
    log = read_log(s)
    assert re.search(r"console: input by interrupt \(plic irq 4\)", log)
    assert re.search(r"plic: .* hart 1 context 2", log)


def test_spike_input_by_polling():
    """Scenario: spike, whose console is the SBI's (HTIF): no UART, no
    PLIC. Expect one line saying input is polled through SBI getchar (or
    DBCN read on newer firmware) and the line back, status 0."""
    s = echo_line("spike-input-poll", "polling", machine="spike",
                  mem="256M")
    assert s.wait_status() == 0, s.log_path
    log = read_log(s)
    assert re.search(r"console: input by polling \(SBI (getchar|DBCN "
                     r"read)\)", log)


@pytest.mark.parametrize("tree,line,mode", [
    ("virt-dw-uart", r"console: input by interrupt \(plic irq 10\)",
     "interrupt"),
    ("virt-uart-no-plic",
     r"console: input by polling \(ns16550a registers: no PLIC\)",
     "polling"),
])
def test_input_from_tree(tree, line, mode):
    """Scenario: a DesignWare UART whose interrupt is given by
    interrupts-extended, and a 16550 in a tree without a PLIC. Expect
    input by interrupt and by polling the UART, each saying so in one
    line, and the typed line back, status 0."""
    s = echo_line(f"input-{tree}", mode, mem="128M", smp=1,
                  dtb=qemu.dtb(tree))
    assert s.wait_status() == 0, s.log_path
    log = read_log(s)
    assert re.search(line, log), s.log_path
    if tree == "virt-dw-uart":
        assert re.search(r"boot: console snps,dw-apb-uart at 0x10000000",
                         log), s.log_path


def test_idle_boot_line_and_typing():
    """Scenario: `make run` as a new user has it: no boot arguments. Expect
    'boot: ready after <N> instructions, <T> us' with T > 0, the memory
    console's prompt, a typed line reaching it (the unknown command is
    answered), and the kernel staying up (sleeping in wfi between
    keystrokes): no fault, no panic."""
    s = Session("idle-typing", mem="256M", smp=4)
    m = s.expect(r"boot: ready after (\d+) instructions, (\d+) us\r")
    assert int(m.group(2)) > 0
    s.expect(r"boot: console ready")
    s.expect(r"mm> ")
    s.type("typed\r")
    s.expect(r"error: unknown command 'typed' \(try help\)")
    time.sleep(1)
    try:
        s.child.expect([rb"fault:", rb"panic:", rb"trap:"], timeout=2)
        bad = s.child.after
    except pexpect.TIMEOUT:
        bad = None
    alive = s.child.isalive()
    s.close()
    assert bad is None, (bad, s.log_path)
    assert alive, s.log_path


def test_fault_in_interrupt_handler(boot):
    """Scenario: crash=irq_fault: a timer function reads address 0. Expect
    the fault report with a line saying it happened in the timer
    interrupt's handler, then status 2."""
    r = boot(mem="256M", bootargs="crash=irq_fault", timeout=120)
    assert r.grep(r"^fault: load page fault at 0x0000000000000000 "), r.log
    assert r.grep(r"^fault: in an interrupt handler \(timer interrupt\)$"), \
        r.log
    assert r.status == 2, r.log
