# SPDX-License-Identifier: BSD-2-Clause
"""mm-page: one struct page (mm/page.h) decoded.

The descriptor of a pfn is found the way the buddy allocator keeps
them: buddy_ranges[r] holds [start_pfn, start_pfn + nr_pages) with its
own array map[] (holes between banks have none). The page's state comes
from the flags the allocator owns (PG_buddy, PG_reserved, PG_head,
PG_pcp; mm/page.h says who sets which) and, for a page that has none of
them, from the block that covers it, found by looking at the heads its
pfn would have at each order (I8: every managed page lies in exactly
one block). The owner's flags add what owns an allocated block: a slab
(page->slab, its cache and state), a large kmalloc, a vmalloc frame
(page->private is its area). The free poisons (I9, I11) are checked.
"""

import gdb

import mm_defs as d
import mm_info
import mm_walk

PAGE_H = "mm/page.h"
BUDDY_INTERNAL_H = "mm/buddy_internal.h"
SLAB_INTERNAL_H = "mm/slab_internal.h"
LAYOUT_H = "mm/layout.h"


def ranges():
    """[(index, start_pfn, nr_pages, map address, zone index)]."""
    buddy = d.ev("buddy")
    zones0 = int(buddy["zones"].address)
    zone_size = d.typ("struct zone").sizeof
    rs = d.fetched(d.ev("buddy_ranges"))
    out = []
    for i in range(int(buddy["nr_ranges"])):
        r = rs[i]
        out.append((i, int(r["start_pfn"]), int(r["nr_pages"]),
                    int(r["map"]), (int(r["zone"]) - zones0) // zone_size))
    return out


def descriptor(pfn):
    """(page address, range tuple) of pfn, or (None, None) if not RAM."""
    size = d.typ("struct page").sizeof
    for r in ranges():
        if r[1] <= pfn < r[1] + r[2]:
            return r[3] + (pfn - r[1]) * size, r
    return None, None


def pfn_of_descriptor(addr):
    size = d.typ("struct page").sizeof
    for r in ranges():
        if r[3] <= addr < r[3] + r[2] * size:
            if (addr - r[3]) % size:
                raise gdb.GdbError(f"mm-page: 0x{addr:x} is inside a "
                                   "descriptor, not at its start")
            return r[1] + (addr - r[3]) // size
    raise gdb.GdbError(f"mm-page: 0x{addr:x} is not in any range's "
                       "descriptor array (buddy_ranges[].map)")


def resolve(arg):
    """pfn named by the command's argument, and how it was read."""
    argv = gdb.string_to_argv(arg)
    if argv and argv[0] in ("-p", "--phys"):
        _, pa = d.to_int(" ".join(argv[1:]), "physical address")
        return pa >> 12, f"pa 0x{pa:x}"
    v, n = d.to_int(arg, "pfn or address")
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR and \
            t.target().strip_typedefs().tag == "page":
        return pfn_of_descriptor(n), f"descriptor 0x{n:x}"
    n &= (1 << 64) - 1
    if not n >> 63:
        return n, f"pfn 0x{n:x}"
    lo, hi = d.const(LAYOUT_H, "PAGE_OFFSET"), d.const(LAYOUT_H, "LINEAR_END")
    if lo <= n < hi:
        pa = (n - int(d.ev("va_pa_offset"))) & ((1 << 64) - 1)
        return pa >> 12, f"linear-map va 0x{n:x}"
    return mm_walk.translate(n) >> 12, f"va 0x{n:x} (by the page tables)"


def _kind():
    """What page->order holds: an order under binary, else a size class."""
    return "order" if bool(d.ev("buddy")["binary"]) else "class"


def _pages(cls):
    """Pages of a block of size class cls (binary: order cls)."""
    pages = mm_info.class_pages()
    n = pages[cls] if cls < len(pages) else 0
    return "1 page" if n == 1 else f"{n} pages"


def _enum_name(type_name, value):
    for f in d.typ(type_name).fields():
        if f.enumval == value:
            return f.name
    return str(value)


def _poison(page, name):
    want = d.const(BUDDY_INTERNAL_H, name)
    got = int(page["private"]) & ((1 << 64) - 1)
    return "poison intact" if got == want else \
        f"POISON OVERWRITTEN: private 0x{got:x}, want 0x{want:x} ({name})"


def _pcp_position(page_addr, zone):
    """'cpu N, position k of count' of a page on a per-hart list."""
    page_t = d.typ("struct page")
    for cpu, h in mm_info.pcp_harts():
        lst = h["zone"][zone]
        if int(lst["count"]) == 0:
            continue
        # The LIFO stack through page->pcp_next, top first.
        pages, p = [], int(lst["top"])
        while p and len(pages) <= int(lst["count"]):
            pages.append(p)
            p = int(d.at(p, page_t)["pcp_next"])
        if page_addr in pages:
            return (f"on cpu {cpu}'s list, position {pages.index(page_addr)}"
                    f" of {int(lst['count'])} (0 is handed out next)")
    return "ON NO per-hart list (I11 violated)"


def _slab(page):
    s = page["slab"].dereference()
    cache = s["cache"].dereference()
    magic = d.const(SLAB_INTERNAL_H, "KMEM_SLAB_MAGIC")
    ok = "" if int(s["magic"]) == magic else \
        f", BAD MAGIC 0x{int(s['magic']):x}"
    return (f"slab 0x{int(page['slab']):x} of cache "
            f"'{cache['name'].string(length=-1).split(chr(0))[0]}' "
            f"({_enum_name('enum kmem_slab_state', int(s['state']))}, "
            f"inuse {int(s['inuse'])} of {int(cache['objs_per_slab'])}, "
            f"objects from 0x{int(s['objs']):x}{ok})")


def _owner(page, flags, fl):
    """What the owner's flags say, or ''."""
    if flags & fl["PG_slab"]:
        return _slab(page)
    if flags & fl["PG_large"]:
        return "large kmalloc (kfree() frees the whole block)"
    if flags & fl["PG_vmalloc"]:
        area = int(page["private"]) & ((1 << 64) - 1)
        for a, _ in mm_info.vmalloc_areas():
            if int(a["addr"]) == area:
                last = area + int(a["size"]) - 1
                return (f"vmalloc frame of the area [0x{area:x}-0x{last:x}]"
                        f" ({int(a['nr_pages'])} pages, caller "
                        f"0x{int(a['caller']):x})")
        return f"vmalloc frame of area 0x{area:x} (no such published area)"
    return ""


def _covering_block(pfn, rng, fl):
    """(head pfn, class, 'free'|'allocated') of the block holding pfn.
    Binary: the aligned heads at each order; other policies: the nearest
    head below (blocks tile the range, I8), as buddy_find_container_class
    does."""
    page_t = d.typ("struct page")
    pages = mm_info.class_pages()
    heads = fl["PG_buddy"] | fl["PG_head"]

    def head_at(head):
        hp = d.at(rng[3] + (head - rng[1]) * page_t.sizeof, page_t)
        return int(hp["flags"]), int(hp["order"])

    if bool(d.ev("buddy")["binary"]):
        for o in range(1, len(pages)):
            head = pfn & ~((1 << o) - 1)
            if head < rng[1]:
                break
            hf, ho = head_at(head)
            if hf & heads and o <= ho < len(pages) and pfn < head + pages[ho]:
                return head, ho, "free" if hf & fl["PG_buddy"] else \
                    "allocated"
        return None
    head = pfn
    while head > rng[1] and pfn - head < pages[-1]:
        head -= 1
        hf, ho = head_at(head)
        if hf & (fl["PG_reserved"] | fl["PG_pcp"]):
            return None
        if hf & heads:
            if ho < len(pages) and pfn < head + pages[ho]:
                return head, ho, "free" if hf & fl["PG_buddy"] else \
                    "allocated"
            return None
    return None


def describe(pfn):
    addr, rng = descriptor(pfn)
    if addr is None:
        known = ", ".join(f"[0x{r[1]:x}-0x{r[1] + r[2] - 1:x}]"
                          for r in ranges())
        raise gdb.GdbError(f"mm-page: pfn 0x{pfn:x} is not RAM the buddy "
                           f"allocator describes (ranges: {known})")
    flag_list = d.prefixed(PAGE_H, "PG_")
    fl = dict(flag_list)
    page = d.fetched(d.at(addr, d.typ("struct page")))
    flags, order = int(page["flags"]), int(page["order"])
    zones = d.ev("buddy")["zones"]
    zone = int(page["zone"])
    off = int(d.ev("va_pa_offset"))
    names = d.flag_names(flags, flag_list, "PG_")
    out = [f"page: pfn 0x{pfn:x} pa 0x{pfn << 12:016x} va "
           f"0x{((pfn << 12) + off) & ((1 << 64) - 1):016x} descriptor "
           f"0x{addr:x}",
           f"  zone {d.cstring(zones[zone]['name'])} (page->zone {zone}),"
           f" range {rng[0]} [pfn 0x{rng[1]:x}-0x{rng[1] + rng[2] - 1:x}]"
           f" (page->range {int(page['range'])})",
           f"  flags 0x{flags:x} ({names}) {_kind()} {order}"]
    if int(page["range"]) != rng[0] or zone != rng[4]:
        out.append("  DESCRIPTOR DISAGREES with its range (I2 violated)")
    if flags & fl["PG_reserved"]:
        state = "reserved: never handed to the buddy allocator"
    elif flags & fl["PG_buddy"]:
        state = (f"free block head, {_kind()} {order} ({_pages(order)}) on "
                 f"free_area[{order}]; "
                 f"{_poison(page, 'BUDDY_FREE_POISON')}")
    elif flags & fl["PG_pcp"]:
        state = (f"free, cached {_pcp_position(addr, zone)}; "
                 f"{_poison(page, 'BUDDY_PCP_POISON')}")
    elif flags & fl["PG_head"]:
        state = (f"allocated block head, {_kind()} {order} "
                 f"({_pages(order)})")
    else:
        blk = _covering_block(pfn, rng, fl)
        state = (f"page {pfn - blk[0]} of the {blk[2]} block at pfn "
                 f"0x{blk[0]:x}, {_kind()} {blk[1]}") if blk else \
            "in no block: no head covers it (I8 violated?)"
    out.append("  state: " + state)
    owner = _owner(page, flags, fl)
    if owner:
        out.append("  owner: " + owner)
    elif flags & fl["PG_head"]:
        level = mm_walk.table_pages().get(pfn << 12)
        if level is not None:
            out.append(f"  owner: the level-{level} page table of the tree "
                       f"in satp ({int(page['pt_used'])} valid entries, "
                       "pt_used)")
        else:
            out.append("  owner: no owner flag and not a table of the tree "
                       "in satp (a kernel buffer, another tree's table...);"
                       f" private 0x{int(page['private']):x}")
    out.append(f"  lru next 0x{int(page['lru']['next']):x} prev "
               f"0x{int(page['lru']['prev']):x}")
    return out


class MmPage(gdb.Command):
    """Decode the page descriptor of a page: mm-page <pfn|addr>.
The argument is a gdb expression: a number below 2^63 is a pfn; a kernel
virtual address is translated (linear map directly, vmalloc, image and
others by walking the page tables); a 'struct page *' is that
descriptor; 'mm-page -p <pa>' takes a physical address. Prints the pfn,
addresses, zone and range, flags by name, the allocator's state (free
block, per-hart list and position, allocated head, or the block the page
lies in), poison checks, and the owner (slab and cache, large kmalloc,
vmalloc area)."""

    def __init__(self):
        super().__init__("mm-page", gdb.COMMAND_DATA)

    @d.readable
    def invoke(self, arg, from_tty):
        pfn, how = resolve(arg)
        out = describe(pfn)
        out[0] += f" (from {how})"
        for line in out:
            gdb.write(line + "\n")


def register():
    MmPage()
