# SPDX-License-Identifier: BSD-2-Clause
"""dtcheck (kernel/tools/dtcheck.c, built with ASan and UBSan by `make
host-tests`) on every device tree the project has: each board tree in
dts/boards/ must pass and print exactly its checked-in expected output;
the QEMU layouts in dts/ must print theirs (some have problems on
purpose); and no blob, however malformed, may crash it.

Expected outputs live in harness/dtcheck/<tree>.out (boards under
boards/). After a deliberate change, regenerate them with
    DTCHECK_UPDATE=1 /usr/bin/python3 -m pytest harness/test_dtcheck.py
and review the diff. The runs pass --image-size 2M, so that the
expected "kernel image" line does not move with every kernel change;
test_real_image_fits checks that the real image is no larger."""

import glob
import os
import random
import re
import subprocess

import pytest

import qemu

DTCHECK = os.path.join(qemu.BUILD, "host", "kernel", "tools", "dtcheck")
EXPECTED = os.path.join(os.path.dirname(__file__), "dtcheck")
IMAGE_SIZE = 0x200000
LAST_LINE = re.compile(r"^dtcheck: (ok|[1-9][0-9]* problems?)$")
# A sanitizer report exits with these, never with dtcheck's 0, 1 or 2.
ENV = dict(os.environ, ASAN_OPTIONS="exitcode=66:detect_leaks=1",
           UBSAN_OPTIONS="exitcode=67:print_stacktrace=1")


def trees(pattern):
    return sorted(os.path.splitext(os.path.relpath(p, "dts"))[0]
                  for p in glob.glob(os.path.join(qemu.ROOT, "dts", pattern)))


BOARDS = trees("boards/*.dts")
LAYOUTS = trees("*.dts")


def dtcheck(*args, timeout=60):
    """Run dtcheck; (stdout, stderr, exit status)."""
    if not os.access(DTCHECK, os.X_OK):
        pytest.fail(f"{DTCHECK} missing: run 'make host-tests'")
    p = subprocess.run([DTCHECK, *args], cwd=qemu.ROOT, env=ENV,
                       timeout=timeout, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return (p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), p.returncode)


def blob(tree):
    path = os.path.join(qemu.DTB_DIR, tree + ".dtb")
    if not os.path.exists(path):
        pytest.fail(f"{path} missing: run 'make dtbs'")
    return path


def check_expected(tree, out):
    path = os.path.join(EXPECTED, tree + ".out")
    if os.environ.get("DTCHECK_UPDATE") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(out)
        return
    if not os.path.exists(path):
        pytest.fail(f"no expected output {path}: run DTCHECK_UPDATE=1 "
                    f"/usr/bin/python3 -m pytest harness/test_dtcheck.py "
                    f"and review it")
    with open(path) as f:
        want = f.read()
    assert out == want, f"dtcheck output of {tree} differs from {path}"


def assert_sane(out, err, status, what):
    """Exit 0 or 1, a final verdict line, no sanitizer report."""
    assert status in (0, 1), f"{what}: exit {status}\n{err[-3000:]}"
    assert "Sanitizer" not in err and "runtime error" not in err, \
        f"{what}: {err[-3000:]}"
    lines = out.splitlines()
    assert lines and LAST_LINE.match(lines[-1]), f"{what}: {out[-500:]}"
    assert (status == 0) == (lines[-1] == "dtcheck: ok"), what


@pytest.mark.parametrize("tree", BOARDS)
def test_board(tree):
    # Scenario: a board tree written from the board's documentation.
    # Expect: no problem (exit 0), and the output checked in for it.
    out, err, status = dtcheck("--image-size", str(IMAGE_SIZE), blob(tree))
    assert_sane(out, err, status, tree)
    assert status == 0, out
    check_expected(tree, out)


@pytest.mark.parametrize("tree", LAYOUTS)
def test_layout(tree):
    # Scenario: the QEMU layouts in dts/ (two of them have no usable
    # console on purpose, two no usable RAM). Expect: their checked-in
    # output, each problem named.
    out, err, status = dtcheck("--image-size", str(IMAGE_SIZE), blob(tree))
    assert_sane(out, err, status, tree)
    check_expected(tree, out)


def test_boards_cover_issue_14():
    # Scenario: the boards issue 14 names. Expect: a tree for each (the
    # Icicle Kit's comes with its own QEMU work).
    for board in ("visionfive2", "hifive-unmatched", "d1-nezha",
                  "lichee-pi-4a", "bananapi-f3"):
        assert "boards/" + board in BOARDS


def test_real_image_fits():
    # Scenario: dtcheck reads the image size from build/kernel.elf.
    # Expect: _end - _start is found and is at most the 2 MiB the
    # expected outputs assume.
    out, err, status = dtcheck("--kernel", qemu.KERNEL,
                               blob("boards/visionfive2"))
    m = re.search(r"^dtcheck: kernel image 0x([0-9a-f]+) bytes", out, re.M)
    assert status == 0 and m, out + err
    assert 0 < int(m.group(1), 16) <= IMAGE_SIZE


def test_load_option():
    # Scenario: --load puts the image over OpenSBI's reservation, then
    # at an address that is not 2 MiB-aligned, then outside RAM.
    # Expect: one problem each, named, exit 1.
    vf2 = blob("boards/visionfive2")
    out, _, status = dtcheck("--image-size", "1M", "--load", "0x40000000",
                             vf2)
    assert status == 1
    assert "overlaps reserved [mem 0x0000000040000000-0x000000004007ffff]" \
        " opensbi@40000000" in out
    out, _, status = dtcheck("--image-size", "1M", "--load", "0x40201000",
                             vf2)
    assert status == 1 and "is not 2 MiB-aligned" in out
    out, _, status = dtcheck("--image-size", "1M", "--load", "0x20000000",
                             vf2)
    assert status == 1 and "is not inside usable RAM" in out


def test_fdt_addr_reserved():
    # Scenario: --fdt-addr names where the firmware put the blob.
    # Expect: the kernel's "device tree blob" reservation line.
    out, _, status = dtcheck("--image-size", "1M", "--fdt-addr",
                             "0x48000000", blob("boards/visionfive2"))
    assert status == 0
    assert re.search(r"^memory: reserved \[mem 0x0000000048000000-"
                     r"0x0000000048000fff\] device tree blob$", out, re.M)


def test_bad_arguments():
    # Scenario: a missing file, an unknown option, a bad number, an
    # empty image, a kernel ELF that is not one, no file. Expect: a
    # message on stderr, exit 2.
    for args in (["/nonexistent.dtb"], ["--bogus", "x.dtb"],
                 ["--load", "12zz", blob("boards/visionfive2")],
                 ["--image-size", "0", blob("boards/visionfive2")],
                 ["--kernel", blob("boards/visionfive2"),
                  blob("boards/visionfive2")], []):
        out, err, status = dtcheck(*args)
        assert status == 2, args
        assert err.strip(), args


def mutations(data, rng, count):
    """Truncations, bit flips and overwritten header words of data."""
    n = len(data)
    for cut in sorted({0, 4, 8, 39, 40, 41, n // 2, n - 1} |
                      {rng.randrange(n) for _ in range(count)}):
        yield data[:cut]
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(n)] ^= 1 << rng.randrange(8)
        yield bytes(b)
    for _ in range(count // 2):
        b = bytearray(data)
        off = rng.randrange(0, 40, 4)
        b[off:off + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0",
                                     rng.randbytes(4)])
        yield bytes(b)


def test_malformed_blobs(tmp_path):
    # Scenario: every compiled tree, each truncated, bit-flipped and
    # with header words overwritten (seeded, so a failure repeats), and
    # every blob of the device-tree fuzzer's checked-in seed corpus
    # (mm/tests/corpus/fdt) and of its latest run (when `make fuzz` has
    # run) as it is. Expect: never a crash or sanitizer report; exit 0
    # or 1 with a verdict line, and a blob the reader refuses is a
    # problem.
    seeds = sorted(glob.glob(os.path.join(qemu.DTB_DIR, "**", "*.dtb"),
                             recursive=True))
    corpus = sorted(glob.glob(os.path.join(qemu.ROOT, "mm", "tests",
                                           "corpus", "fdt", "*")))
    assert corpus, "no checked-in fdt corpus"
    corpus += sorted(glob.glob(os.path.join(qemu.BUILD, "fuzz", "corpus",
                                            "fdt", "*")))[:200]
    corpus = [c for c in corpus if os.path.isfile(c)]
    assert seeds, "no compiled trees: run 'make dtbs'"
    rng = random.Random(14)
    path = tmp_path / "m.dtb"
    runs = 0
    for src in seeds + corpus:
        with open(src, "rb") as f:
            data = f.read()
        variants = [data] if src in corpus else \
            mutations(data, rng, 6) if data else []
        for v in variants:
            path.write_bytes(v)
            out, err, status = dtcheck("--image-size", "1M", str(path))
            assert_sane(out, err, status, f"{src} variant {runs}")
            if len(v) < 40:
                assert status == 1 and "blob is unreadable" in out
            runs += 1
    assert runs > 100


TEMPLATE = """/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	chosen { stdout-path = "/soc/serial@%(uart)x"; };
	memory@80000000 {
		device_type = "memory";
		reg = <0x0 0x80000000 0x0 0x10000000>;
	};
	%(cpus)s
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		serial@%(uart)x {
			compatible = "%(compat)s";
			reg = <%(uart_hi)#x %(uart_lo)#x 0x0 0x100>;
		};
	};
};
"""
GOOD_CPUS = """cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu@0 {
			device_type = "cpu";
			reg = <0>;
			riscv,isa = "rv64imac";
			mmu-type = "%s";
		};
	};"""


def tree(tmp_path, uart=0x10000000, compat="ns16550a",
         cpus=GOOD_CPUS % "riscv,sv39"):
    src = tmp_path / "t.dts"
    src.write_text(TEMPLATE % dict(uart=uart, uart_hi=uart >> 32,
                                   uart_lo=uart & 0xffffffff,
                                   compat=compat, cpus=cpus))
    out = tmp_path / "t.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out),
                    str(src)], check=True)
    return str(out)


@pytest.mark.parametrize("kw,problem", [
    (dict(), None),
    (dict(compat="arm,pl011"),
     "no usable console UART (not implemented)"),
    (dict(uart=0x100000000000000),
     "console UART at 0x100000000000000 is beyond the 56-bit physical "
     "address limit"),
    (dict(cpus=GOOD_CPUS % "riscv,none"),
     "no hart the kernel can run on"),
    (dict(cpus=""), "no usable /cpus (not found)"),
])
def test_problems_named(tmp_path, kw, problem):
    # Scenario: one tree, right, then with one thing wrong at a time: a
    # console without a driver, a UART beyond Sv39's physical reach, a
    # hart without an MMU, no /cpus. Expect: exit 0 for the right one;
    # otherwise exactly one "dtcheck: problem:" line naming it, exit 1.
    out, err, status = dtcheck("--image-size", "1M", tree(tmp_path, **kw))
    assert_sane(out, err, status, str(kw))
    problems = [ln for ln in out.splitlines()
                if ln.startswith("dtcheck: problem: ")]
    if problem is None:
        assert status == 0 and not problems, out
    else:
        assert status == 1 and len(problems) == 1, out
        assert problem in problems[0], out
