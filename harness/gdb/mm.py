# SPDX-License-Identifier: BSD-2-Clause
"""gdb helpers for the kernel's memory subsystem. `make gdb` sources this
file; by hand: `source harness/gdb/mm.py` in gdb-multiarch with
build/kernel.elf loaded.

  mm-meminfo          the "meminfo:" line
  mm-buddyinfo        the "buddyinfo:" lines, one per zone
  mm-slabinfo         the "slabinfo:" lines, one per cache
  mm-vmallocinfo      the "vmallocinfo:" lines, one per area, and totals
  mm-page <pfn|addr>  a page descriptor decoded (also -p <phys addr>)
  mm-walk <va>        the Sv39 walk of va from this hart's satp

They read the kernel's globals by symbol and type through gdb's Python
API (no hard-coded offsets) and count exactly as the kernel's own
printing functions do, so on a stopped kernel (boot with `halt`) their
lines equal the ones the kernel printed. harness/test_gdb.py checks that.
"""

import os
import sys

import gdb

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import mm_info  # noqa: E402
import mm_page  # noqa: E402
import mm_walk  # noqa: E402

mm_info.register()
mm_page.register()
mm_walk.register()
gdb.write("mm: helpers loaded: mm-meminfo mm-buddyinfo mm-slabinfo "
          "mm-vmallocinfo mm-page mm-walk (help <name>)\n")
