# SPDX-License-Identifier: BSD-2-Clause
"""What the mm helpers share: reading the kernel through gdb.

Struct layouts, field offsets, array sizes and enum values come from the
kernel's DWARF (gdb.lookup_type, gdb.parse_and_eval), so the helpers
follow the structures when they change. Preprocessor constants are not
in DWARF at -g, so the few the helpers need (page flag bits, vmalloc
area flags, the magazine lock value, the PTE bits) are read from the
headers and sources of the tree this file lives in, by name: a constant
that is missing or not a plain number is an error that names it, never
a silent guess. The tree must be the one the ELF was built from (as for
`make gdb`).
"""

import os
import re

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Longest list the walkers follow before calling it corrupt (a cycle).
LIST_LIMIT = 1 << 22

_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+(.*?)\s*(?:/\*.*)?$")
_CAST = re.compile(r"\(\s*(?:u?int\d+_t|uintptr_t|unsigned long|long)\s*\)")
_SUFFIX = re.compile(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b")
_cache = {}


def _eval_define(text, known):
    """A #define body of numbers, names already read, casts, ( ) | << ~ -;
    None if it is anything else."""
    expr = _SUFFIX.sub(r"\1", _CAST.sub("", text))
    for name in sorted(set(re.findall(r"\b[A-Za-z_]\w*", expr)), key=len,
                       reverse=True):
        if name not in known:
            return None
        expr = re.sub(r"\b%s\b" % name, "(%d)" % known[name], expr)
    if not re.fullmatch(r"[0-9a-fA-FxX()|&<>~+\- ]*", expr):
        return None
    try:
        return int(eval(expr, {"__builtins__": {}}))  # digits and operators
    except (SyntaxError, TypeError, ValueError):
        return None


def defines(relpath):
    """{name: value} of the numeric #defines in ROOT/relpath."""
    if relpath in _cache:
        return _cache[relpath]
    path = os.path.join(ROOT, relpath)
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        raise gdb.GdbError(f"mm: cannot read {path} for its constants ({e});"
                           " source the helpers from the kernel's tree")
    known = {}
    for line in lines:
        m = _DEFINE.match(line)
        if m and "(" not in m.group(1):
            v = _eval_define(m.group(2), known)
            if v is not None:
                known[m.group(1)] = v
    _cache[relpath] = known
    return known


def const(relpath, name):
    """One numeric #define of ROOT/relpath, or a GdbError naming it."""
    d = defines(relpath)
    if name not in d:
        raise gdb.GdbError(f"mm: no numeric #define {name} in {relpath}")
    return d[name]


def prefixed(relpath, prefix):
    """[(name, value)] of the #defines whose name starts with prefix, in
    value order (e.g. the PG_ page flags)."""
    found = [(n, v) for n, v in defines(relpath).items()
             if n.startswith(prefix)]
    if not found:
        raise gdb.GdbError(f"mm: no {prefix}* constants in {relpath}")
    return sorted(found, key=lambda nv: nv[1])


def flag_names(value, flags, strip=""):
    """'a|b|0x100' for the bits of value named in flags [(name, bit)]."""
    names, rest = [], value
    for name, bit in flags:
        if bit and value & bit == bit:
            names.append(name[len(strip):] if name.startswith(strip)
                         else name)
            rest &= ~bit
    if rest:
        names.append(hex(rest))
    return "|".join(names) if names else "0"


# ------------------------------------------------------------ gdb values

def readable(fn):
    """Wrap a command's invoke: a read the target refuses becomes one
    message saying why that usually happens, not a Python traceback."""
    def invoke(self, arg, from_tty):
        try:
            return fn(self, arg, from_tty)
        except gdb.MemoryError as e:
            raise gdb.GdbError(
                f"mm: {e}: the kernel's virtual addresses are readable "
                "only once it runs on its own page tables (stop it after "
                "'boot: ready', e.g. at 'halted'), on a hart in S-mode")
    invoke.__doc__ = fn.__doc__
    return invoke


def ev(expr):
    """gdb.parse_and_eval with a message that says what was wanted."""
    try:
        return gdb.parse_and_eval(expr)
    except gdb.error as e:
        raise gdb.GdbError(f"mm: cannot evaluate '{expr}': {e} (is "
                           "build/kernel.elf loaded, with debug info?)")


def typ(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error as e:
        raise gdb.GdbError(f"mm: no type '{name}' in the kernel's debug "
                           f"info: {e}")


def offset_of(struct_type, member):
    """Byte offset of member (a direct field) in struct_type."""
    for f in struct_type.strip_typedefs().fields():
        if f.name == member:
            return f.bitpos // 8
    raise gdb.GdbError(f"mm: {struct_type} has no field '{member}'")


def at(addr, struct_type):
    """The object of struct_type at addr (lazy: read when used)."""
    return gdb.Value(addr).cast(struct_type.pointer()).dereference()


def fetched(value):
    """value read from the target in one transfer."""
    value.fetch_lazy()
    return value


def list_entries(head, struct_type, member):
    """Addresses of the struct_type objects on the list at head (a struct
    list_head value), linked through member, in list order. Stops with
    an error on a NULL link or past LIST_LIMIT entries (a cycle)."""
    off = offset_of(struct_type, member)
    start = int(head.address)
    node = int(head["next"])
    lh = typ("struct list_head")
    out = []
    while node != start:
        if node == 0:
            raise gdb.GdbError(f"mm: NULL link in the list at 0x{start:x}")
        if len(out) >= LIST_LIMIT:
            raise gdb.GdbError(f"mm: list at 0x{start:x} has more than "
                               f"{LIST_LIMIT} entries: corrupt (a cycle?)")
        out.append(node - off)
        node = int(at(node, lh)["next"])
    return out


def read_u64(addr):
    """8 bytes at a virtual address, little-endian (RISC-V)."""
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), "little")


def cstring(ptr, limit=64):
    if int(ptr) == 0:
        return "(null)"
    return ptr.string(length=-1)[:limit] if limit else ptr.string()


def array_len(value):
    lo, hi = value.type.strip_typedefs().range()
    return hi - lo + 1


def to_int(arg, what):
    """A gdb expression given to a command, as an integer."""
    if not arg.strip():
        raise gdb.GdbError(f"mm: {what} missing")
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise gdb.GdbError(f"mm: bad {what} '{arg}': {e}")
    code = v.type.strip_typedefs().code
    if code in (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY):
        v = v.address  # a function or array names its address, as in C
    try:
        return v, int(v)
    except gdb.error as e:
        raise gdb.GdbError(f"mm: {what} '{arg}' is not a number or an "
                           f"address ({v.type}): {e}")
