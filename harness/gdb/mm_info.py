# SPDX-License-Identifier: BSD-2-Clause
"""mm-meminfo, mm-buddyinfo, mm-slabinfo, mm-vmallocinfo: the kernel's
own introspection lines, computed from its structures through gdb.

Each command prints its lines in exactly the kernel's format (README,
"Output contract"), so they can be compared with the UART, and counts
what the kernel counts:

  buddyinfo  per zone with present pages: free_area[c].nr_free for each
             size class (binary: order), then pcp = the sum of count over every hart's list
             of that zone (buddy_pcp_harts[cpu]->zone[z]), as
             buddy_zone_pcp_pages() does;
  meminfo    present and managed summed over the zones; free = the free
             lists' pages (nr_free << o) plus the per-hart lists'; pcp
             the latter alone (buddy_stats());
  slabinfo   every cache on slab_caches in list order, each slab on its
             four state lists: active = sum of inuse less the objects
             in the harts' magazines ((top & 255) / 8 + prev_n each)
             and the depot (depot_n x mag_rounds), total = objs_per_slab per
             slab (not for the dead cache), pages = 2^order of each
             slab's head page (kmem_cache_info());
  vmallocinfo the arena's allocated segments in address order, each
             one's vm_area unless it is still being built, then the
             totals line (vmalloc_state.st, metadata = the arena's
             refill chunks plus the descriptor pool's pages)
             (vmallocinfo_print()).

The kernel takes its locks for these; gdb reads a stopped machine, so
the figures are one instant when every hart is stopped (after `halt`,
or at any gdb stop outside the allocators).
"""

import gdb

import mm_defs as d

VMALLOC_H = "mm/vmalloc_internal.h"


# ----------------------------------------------------------------- buddy

def _zones():
    """[(index, zone value)] of the zones with present pages."""
    buddy = d.ev("buddy")
    zones = buddy["zones"]
    return [(z, d.fetched(zones[z])) for z in range(d.array_len(zones))
            if int(zones[z]["present_pages"])]


def pcp_harts():
    """[(cpu, struct buddy_pcp_hart value)] of every hart whose lists are
    attached (buddy_pcp_harts[cpu] not NULL: they live in the hart's
    per-hart area, mm/buddy_fast.h)."""
    harts = d.fetched(d.ev("buddy_pcp_harts"))
    return [(cpu, harts[cpu].dereference())
            for cpu in range(d.array_len(harts)) if int(harts[cpu])]


def _pcp_counts():
    """{zone index: pages on its per-hart lists, all harts}."""
    counts = {}
    for _, h in pcp_harts():
        lists = h["zone"]
        for z in range(d.array_len(lists)):
            counts[z] = counts.get(z, 0) + int(lists[z]["count"])
    return counts


def class_pages():
    """Pages of each size class of the policy in force (buddy=; binary:
    class k is order k, 2^k pages), as buddy.class_pages[] holds them."""
    b = d.ev("buddy")
    return [int(b["class_pages"][c]) for c in range(int(b["nr_classes"]))]


def buddyinfo_lines():
    pcp = _pcp_counts()
    ncls = len(class_pages())
    out = []
    for z, zone in _zones():
        area = zone["free_area"]
        nr = [int(area[c]["nr_free"]) for c in range(ncls)]
        out.append("buddyinfo: zone %s %s pcp=%d" % (
            d.cstring(zone["name"]), " ".join(map(str, nr)),
            pcp.get(z, 0)))
    return out


def meminfo_line():
    zones = d.ev("buddy")["zones"]
    pcp = _pcp_counts()
    present = managed = free = cached = 0
    for z in range(d.array_len(zones)):
        zone = d.fetched(zones[z])
        present += int(zone["present_pages"])
        managed += int(zone["managed_pages"])
        area = zone["free_area"]
        free += sum(int(area[c]["nr_free"]) * pages
                    for c, pages in enumerate(class_pages()))
        cached += pcp.get(z, 0)
    return "meminfo: present=%d managed=%d free=%d pcp=%d" % (
        present, managed, free + cached, cached)


# ------------------------------------------------------------------ slab

def _magazine_objects(cache):
    """kmem_cpu_cached(): each hart's rounds, in its loaded magazine (the
    low 8 bits of top / 8: magazines are 256-byte aligned, and a hart
    with none points at an empty aligned array) and its previous one
    (prev_n), and the depot's full magazines. cpu[0], the stand-in the
    fast paths use while failslab is armed, never holds any."""
    cpus = cache["cpu"]
    n = 0
    for i in range(d.array_len(cpus)):
        pc = cpus[i]
        n += (int(pc["top"]) & 255) // 8 + int(pc["prev_n"])
    return n + int(cache["depot_n"]) * int(cache["mag_rounds"])


def cache_info(addr):
    """kmem_cache_info() of the cache at addr, as a dict."""
    cache_t = d.typ("struct kmem_cache")
    slab_t = d.typ("struct kmem_slab")
    c = d.fetched(d.at(addr, cache_t))
    dead = int(d.ev("&slab_dead_cache"))
    lists = c["lists"]
    info = dict(name=c["name"].string(length=-1).split("\0")[0],
                object_size=int(c["object_size"]), size=int(c["size"]),
                perslab=int(c["objs_per_slab"]), order=int(c["order"]),
                active=0, total=0, pages=0, slabs=[])
    for st in range(d.array_len(lists)):
        slabs = d.list_entries(lists[st], slab_t, "list")
        info["slabs"].append(len(slabs))
        for s in slabs:
            slab = d.at(s, slab_t)
            info["active"] += int(slab["inuse"])
            info["pages"] += class_pages()[
                int(slab["page"].dereference()["order"])]
            if addr != dead:
                info["total"] += info["perslab"]
    info["cached"] = _magazine_objects(c)
    info["active"] -= min(info["cached"], info["active"])
    return info


def slabinfo_lines():
    head = d.ev("slab_caches")
    out = ["slabinfo: %-18s %7s %6s %8s %8s %7s %5s %6s %7s %6s %5s %7s" % (
        "name", "objsize", "size", "active", "total", "perslab", "order",
        "full", "partial", "empty", "quar", "pages")]
    full, partial, empty, quar = (int(d.ev(n)) for n in (
        "KMEM_SLAB_FULL", "KMEM_SLAB_PARTIAL", "KMEM_SLAB_EMPTY",
        "KMEM_SLAB_QUARANTINED"))
    for c in d.list_entries(head, d.typ("struct kmem_cache"), "caches"):
        i = cache_info(c)
        n = i["slabs"]
        out.append("slabinfo: %-18s %7d %6d %8d %8d %7d %5d %6d %7d %6d "
                   "%5d %7d" % (i["name"], i["object_size"], i["size"],
                                i["active"], i["total"], i["perslab"],
                                i["order"], n[full], n[partial], n[empty],
                                n[quar], i["pages"]))
    return out


# --------------------------------------------------------------- vmalloc

def vmalloc_areas():
    """[(vm_area value, seg start)] of the published areas, address
    order (what vmallocinfo_print() walks)."""
    vm = d.ev("vmalloc_state")
    if not bool(vm["ready"]):
        return []
    seg_t = d.typ("struct vmem_seg")
    area_t = d.typ("struct vm_area")
    alloc = int(d.ev("VMEM_SEG_ALLOC"))
    building = d.const(VMALLOC_H, "VM_BUILDING")
    out = []
    for s in d.list_entries(vm["arena"]["segs"], seg_t, "alink"):
        seg = d.fetched(d.at(s, seg_t))
        if int(seg["type"]) != alloc:
            continue
        a = d.fetched(d.at(int(seg["priv"]), area_t))
        if int(a["flags"]) & building:
            continue
        out.append((a, int(seg["start"])))
    return out


def vmallocinfo_lines():
    vm = d.ev("vmalloc_state")
    vmap = d.const(VMALLOC_H, "VM_MAP")
    lazy = d.const(VMALLOC_H, "VM_LAZY")
    out = []
    for a, _ in vmalloc_areas():
        addr, size = int(a["addr"]), int(a["size"])
        flags = int(a["flags"])
        line = "vmallocinfo: [0x%016x-0x%016x] size %d pages %d caller " \
            "0x%x %s" % (addr, addr + size - 1, size, int(a["nr_pages"]),
                         int(a["caller"]),
                         "vmap" if flags & vmap else "vmalloc")
        if flags & lazy:
            line += " lazily freed by 0x%x" % int(a["freer"])
        out.append(line)
    st = vm["st"]
    meta = int(vm["arena"]["st"]["nr_refill"]) + int(vm["pool_npages"]) \
        if bool(vm["ready"]) else 0
    out.append("vmallocinfo: %d areas, %d pages, %d vmap pages, %d metadata "
               "pages, lazily freed %d areas %d pages %d table pages" % (
                   int(st["nr_areas"]), int(st["nr_pages"]),
                   int(st["vmap_pages"]), meta, int(st["lazy_areas"]),
                   int(st["lazy_pages"]), int(vm["gather"]["nr_tables"])))
    return out


# -------------------------------------------------------------- commands

class _Lines(gdb.Command):
    """Base: a command without arguments that prints lines."""

    def __init__(self, name, fn):
        super().__init__(name, gdb.COMMAND_DATA)
        self._fn = fn

    @d.readable
    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError(f"{self._command}: takes no arguments")
        for line in self._fn():
            gdb.write(line + "\n")


class MmMeminfo(_Lines):
    """Print the kernel's "meminfo:" line from its zones and per-hart lists:
present, managed, free (per-hart lists included) and pcp pages."""

    def __init__(self):
        self._command = "mm-meminfo"
        super().__init__(self._command, lambda: [meminfo_line()])


class MmBuddyinfo(_Lines):
    """Print one "buddyinfo: zone <name> <n0> ... <nMAX> pcp=<n>" line per
zone with memory: free blocks of each order, pages on per-hart lists."""

    def __init__(self):
        self._command = "mm-buddyinfo"
        super().__init__(self._command, buddyinfo_lines)


class MmSlabinfo(_Lines):
    """Print the kernel's "slabinfo:" lines: every slab cache, objects in the
harts' magazines counted as free, as slabinfo_print() does."""

    def __init__(self):
        self._command = "mm-slabinfo"
        super().__init__(self._command, slabinfo_lines)


class MmVmallocinfo(_Lines):
    """Print the kernel's "vmallocinfo:" lines: every published vmalloc or
vmap area in address order, then the totals line."""

    def __init__(self):
        self._command = "mm-vmallocinfo"
        super().__init__(self._command, vmallocinfo_lines)


def register():
    MmMeminfo()
    MmBuddyinfo()
    MmSlabinfo()
    MmVmallocinfo()
