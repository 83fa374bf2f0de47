# SPDX-License-Identifier: BSD-2-Clause
"""`make deps` (harness/deps.sh) installs without Recommends and pulls in
no graphical QEMU front-end.

Debian 12's qemu-system-misc only *recommends* qemu-system-gui (GTK,
SDL, VTE, GStreamer plugins); with --no-install-recommends none of that
comes. What a fresh machine would get is simulated with apt-get -s
against an empty package database, so the answer does not depend on
what this machine has installed already."""

import os
import re
import shutil
import subprocess

import pytest

import qemu

DEPS = os.path.join(qemu.ROOT, "harness", "deps.sh")
# Graphical front-ends and what only they pull (from qemu-system-gui's
# and the toolkits' own Depends in Debian 12).
GUI = re.compile(r"^(qemu-system-gui|libgtk-3-0|libgtk-3-bin|libsdl2-2\.0-0|"
                 r"libvte-2\.91-0|gstreamer1\.0-plugins-\w+|gstreamer1\.0-x|"
                 r"gstreamer1\.0-libav|libgl1-mesa-dri)$")


def script():
    return open(DEPS).read()


def packages():
    m = re.search(r'^PKGS="([^"]*)"', script(), re.M)
    assert m, "no PKGS=\"...\" list in harness/deps.sh"
    return m.group(1).split()


def apt_install_command():
    m = re.search(r'^APT_INSTALL="([^"]*)"', script(), re.M)
    assert m, "no APT_INSTALL=\"...\" in harness/deps.sh"
    return m.group(1).split()


def test_deps_apt_line_has_no_recommends_and_no_gui():
    """Scenario: harness/deps.sh as written. Expect its one apt-get
    install command to carry --no-install-recommends, every install to go
    through it, and no GUI package in its list."""
    cmd = apt_install_command()
    assert cmd[:2] == ["apt-get", "install"], cmd
    assert "--no-install-recommends" in cmd
    body = script()
    direct = [l for l in body.splitlines()
              if re.search(r"\bapt-get\s+install\b", l)
              and not l.startswith("APT_INSTALL=")]
    assert not direct, direct
    assert body.count("$APT_INSTALL") >= 2  # the install and the hint
    assert not [p for p in packages() if GUI.match(p)]


def test_deps_hint_for_non_root(tmp_path):
    """Scenario: deps.sh run by a user who is not root, with every package
    missing (dpkg-query and id stubbed in PATH). Expect status 1 and a
    printed command that installs without Recommends, naming each
    package."""
    for name, body in [("id", "echo 1000"), ("dpkg-query", "exit 1")]:
        stub = tmp_path / name
        stub.write_text(f"#!/bin/sh\n{body}\n")
        stub.chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
    p = subprocess.run(["sh", DEPS], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1, p.stdout + p.stderr
    hint = [l for l in p.stdout.splitlines()
            if l.startswith("deps: run as root: ")]
    assert len(hint) == 1, p.stdout
    assert "apt-get install -y -q --no-install-recommends " in hint[0]
    assert hint[0].split()[-len(packages()):] == packages()


def simulate(flags, tmp_path):
    """Package names apt would install on an empty system, or None when
    apt cannot tell (no apt-get, no package lists)."""
    status = tmp_path / "status"
    status.write_text("")
    args = ["apt-get", "-s", "-o", f"Dir::State::status={status}",
            "install", *flags, *packages()]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return None, p.stdout[-1500:] + p.stderr[-1500:]
    return [l.split()[1] for l in p.stdout.splitlines()
            if l.startswith("Inst ")], ""


def test_deps_fresh_install_pulls_no_gui(tmp_path):
    """Scenario: what `make deps` would install on a machine with nothing
    installed (apt-get -s against an empty dpkg status), with the
    script's own flags, and, as the control, with Recommends. Expect no
    graphical front-end in the first; qemu-system-gui in the control, so
    the check can see one."""
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get not available")
    flags = [f for f in apt_install_command()[2:] if f.startswith("--")]
    got, err = simulate(flags, tmp_path)
    if got is None:
        pytest.skip(f"apt cannot resolve the packages (apt-get update "
                    f"not run?): {err}")
    control, _ = simulate(["--install-recommends"], tmp_path)
    assert control and "qemu-system-gui" in control
    assert "qemu-system-misc" in got
    assert [p for p in got if GUI.match(p)] == []
    assert len(got) < len(control)
