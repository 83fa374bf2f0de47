# SPDX-License-Identifier: BSD-2-Clause
"""`make plots` (harness/plots.py): the PNG files it writes are real.

A PNG is checked by hand (no image library needed): the 8-byte
signature, an IHDR chunk first with a correct CRC, dimensions of a plot
(between 200 and 4000 pixels a side), an IDAT chunk, IEND last, and a
size of a drawn figure rather than a blank canvas."""

import os
import struct
import subprocess
import zlib

import qemu

PLOTS = os.path.join(qemu.BUILD, "plots")
EXPECTED = ["bench.png", "buddyinfo-DMA32.png", "buddyinfo-Normal.png",
            "fragmentation.png"]
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_problems(path):
    """[] for a plausible PNG plot, else what is wrong with it."""
    data = open(path, "rb").read()
    if not data.startswith(SIGNATURE):
        return ["no PNG signature"]
    chunks, pos = [], len(SIGNATURE)
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if pos + 12 + length > len(data):
            return [f"chunk {kind!r} at {pos} runs past the end"]
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(kind + body) != crc:
            return [f"chunk {kind!r} at {pos}: bad CRC"]
        chunks.append((kind, body))
        pos += 12 + length
    kinds = [k for k, _ in chunks]
    bad = []
    if not kinds or kinds[0] != b"IHDR" or len(chunks[0][1]) != 13:
        return ["IHDR is not the first chunk"]
    w, h = struct.unpack(">II", chunks[0][1][:8])
    if not (200 <= w <= 4000 and 200 <= h <= 4000):
        bad.append(f"implausible size {w}x{h}")
    if b"IDAT" not in kinds or kinds[-1] != b"IEND" or pos != len(data):
        bad.append(f"chunks {kinds}, {len(data) - pos} bytes after IEND")
    if len(data) < 8000:
        bad.append(f"only {len(data)} bytes: a blank figure?")
    return bad


def test_png_checker_rejects_bad_files(tmp_path):
    """Scenario: a text file, a PNG cut short, and one with a corrupted
    byte. Expect each refused with a reason (so the real check below can
    fail)."""
    good = os.path.join(os.path.dirname(__file__), "images", "bench.png")
    data = open(good, "rb").read()
    assert png_problems(good) == []
    for name, blob in [("text", b"not a png"), ("cut", data[:5000]),
                       ("flip", data[:40] + bytes([data[40] ^ 1])
                        + data[41:])]:
        p = tmp_path / name
        p.write_bytes(blob)
        assert png_problems(str(p)), name


def test_make_plots_writes_pngs():
    """Scenario: `make plots` from scratch (old PNGs removed). Expect
    bench.png and one buddyinfo-<zone>.png per zone of the 3 GiB machine,
    and the buddy policies' fragmentation, each a valid PNG of plausible
    size."""
    for f in EXPECTED:
        if os.path.exists(os.path.join(PLOTS, f)):
            os.remove(os.path.join(PLOTS, f))
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-s", "plots"], cwd=qemu.ROOT, env=env,
                       capture_output=True, text=True, timeout=1200)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    for f in EXPECTED:
        path = os.path.join(PLOTS, f)
        assert os.path.exists(path), p.stdout
        assert png_problems(path) == [], (f, png_problems(path))
