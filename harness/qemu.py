# SPDX-License-Identifier: BSD-2-Clause
"""Boot the kernel in QEMU and capture its UART output.

Every run has a hard timeout, keeps its full log under build/logs/, and
fails clearly when QEMU cannot start. Exit statuses come from the
sifive,test device (0 pass, 1 test failure, 2 panic)."""

import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
LOGS = os.path.join(BUILD, "logs")
QEMU = os.environ.get("QEMU", "qemu-system-riscv64")
OPENSBI = os.environ.get(
    "OPENSBI", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
KERNEL = os.path.join(BUILD, "kernel.elf")
IMAGE = os.path.join(BUILD, "Image")
DTB_DIR = os.path.join(BUILD, "dts")
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


class QemuError(Exception):
    pass


@dataclass
class Run:
    args: list
    log: str
    status: int | None   # None: killed (timeout or stop pattern)
    timed_out: bool
    log_path: str

    def lines(self):
        return [l.rstrip("\r") for l in self.log.splitlines()]

    def grep(self, pattern):
        rx = re.compile(pattern)
        return [l for l in self.lines() if rx.search(l)]


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name)[:150]


def qemu_args(machine="virt", mem="256M", smp=1, bootargs=None, dtb=None,
              kernel=KERNEL, bios=OPENSBI, extra=()):
    args = [QEMU, "-M", machine, "-m", str(mem), "-smp", str(smp),
            "-display", "none", "-serial", "stdio", "-monitor", "none",
            "-bios", bios, "-kernel", kernel, "-no-reboot"]
    if bootargs is not None:
        args += ["-append", bootargs]
    if dtb is not None:
        args += ["-dtb", dtb]
    return args + list(extra)


def run(name, args, timeout=60, until=None, send=None):
    """Run QEMU with args, collecting output until it exits, `timeout`
    seconds pass, or regex `until` appears. `send` is a list of
    (regex, text) pairs: when regex appears, text is written to stdin."""
    if shutil.which(args[0]) is None:
        raise QemuError(f"{args[0]} not found: run 'make deps'")
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, _safe(name) + ".log")
    try:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        raise QemuError(f"QEMU did not start: {e}") from e
    out = bytearray()
    deadline = time.monotonic() + timeout
    timed_out = stopped = False
    until_rx = re.compile(until.encode()) if until else None
    pending = [(re.compile(r.encode()), t) for r, t in (send or [])]
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
            if pending and pending[0][0].search(out):
                proc.stdin.write(pending.pop(0)[1].encode())
                proc.stdin.flush()
            if until_rx and until_rx.search(out):
                stopped = True
                break
        elif proc.poll() is not None:
            break
    if timed_out or stopped:
        proc.kill()
    try:
        status = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = proc.wait()
    if timed_out or stopped:
        status = None
    text = out.decode("utf-8", "replace")
    with open(log_path, "w") as f:
        f.write("$ " + " ".join(args) + "\n")
        f.write(text)
        f.write(f"\n[status {status}{' timeout' if timed_out else ''}]\n")
    if "qemu-system-riscv64:" in text and status not in (0, 1, 2) \
            and not stopped and not timed_out:
        raise QemuError(f"QEMU failed to start: {text.strip()[-500:]}")
    return Run(args, text, status, timed_out, log_path)


def boot(name, timeout=60, until=None, send=None, **kw):
    """Boot the kernel: machine, mem, smp, bootargs, dtb, kernel, bios,
    extra (list of further QEMU options)."""
    return run(name, qemu_args(**kw), timeout=timeout, until=until,
               send=send)


def dtb(name):
    path = os.path.join(DTB_DIR, name + ".dtb")
    if not os.path.exists(path):
        raise QemuError(f"{path} missing: run 'make dtbs'")
    return path
