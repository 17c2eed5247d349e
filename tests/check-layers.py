#!/usr/bin/env python3
"""The import check of ARCHITECTURE.md: every `crate::` (or `super::` that
leaves a top-level module) reference in core/src must follow the arrows of
the fenced ```layers block there, which is the only copy of the table.

Checked by top-level module of the library (`core/src/<module>.rs` or
`core/src/<module>/**`), so new files inside a module need no change here; a
new top-level module fails until ARCHITECTURE.md gives it a row. Names the
crate root re-exports (`crate::Policy`, `crate::Error`, ...) count as the
module they come from, read from `core/src/lib.rs`. Comments, doc links and
string contents are not imports and are skipped. `lib.rs` (the root, which
assembles the public API) and `bin/` (its own crate, which sees only `kam::`)
are not checked by arrows.

Also checks that the bindings only translate: `bindings-python` and
`bindings-wasm` neither depend on nor name `rhai`, so no binding runs a
script or builds an engine of its own.

Usage: tests/check-layers.py [REPO_ROOT]. Exit 0 clean, 1 on a violation
(each printed as `file:line: from -> to (path)`), 2 if the table is unreadable.
Python 3.8+, standard library only.
"""

import re
import sys
from pathlib import Path

# References the arrows forbid that wait on work elsewhere: (file, "from -> to",
# why). Each entry is a debt to pay, not a rule; an entry that no longer
# matches anything fails the check, so the list cannot go stale.
KNOWN_EXCEPTIONS = []

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
SRC = ROOT / "core" / "src"
BINDINGS = ["bindings-python", "bindings-wasm"]


def fail_table(msg):
    print(f"check-layers: ARCHITECTURE.md: {msg}", file=sys.stderr)
    sys.exit(2)


def read_arrows():
    """{module: set of modules it may import}, from the ```layers block."""
    path = ROOT / "ARCHITECTURE.md"
    if not path.is_file():
        fail_table("missing")
    m = re.search(r"^```layers[ \t]*\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)
    if not m:
        fail_table("no ```layers block")
    arrows = {}
    for n, line in enumerate(m.group(1).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        module, sep, targets = line.partition("->")
        module = module.strip()
        if not sep or not re.fullmatch(r"\w+", module):
            fail_table(f"layers block line {n}: want `module -> module module ...`: {line!r}")
        if module in arrows:
            fail_table(f"layers block: `{module}` has two rows")
        arrows[module] = set(targets.split())
    for module, targets in arrows.items():
        for t in targets:
            if t not in arrows:
                fail_table(f"layers block: `{module} -> {t}`, but `{t}` has no row")
    return arrows


def blank(src):
    """`src` with comments and the insides of string and char literals turned
    into spaces (newlines kept), so offsets and line numbers stay valid."""
    out = list(src)
    i, n = 0, len(src)

    def wipe(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = src[i]
        prev_ident = i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_")
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            wipe(i, j)
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            wipe(i, j)
            i = j
        elif c in "rb" and not prev_ident and re.match(r"b?r#*\"", src[i:]):
            m = re.match(r"b?r(#*)\"", src[i:])
            end = src.find('"' + m.group(1), i + m.end())
            j = n if end < 0 else end + 1 + len(m.group(1))
            wipe(i, j)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            wipe(i, j + 1)
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}'), not a lifetime ('a).
            m = re.match(r"'(\\(u\{[0-9a-fA-F]+\}|x..|.)|[^\\'])'", src[i:])
            if m:
                wipe(i, i + m.end())
                i += m.end()
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


TOKEN = re.compile(r"\$?[A-Za-z_]\w*|::|[{},*;]")


def use_paths(body, offset):
    """Expands a use tree (`crate::{a, b::{self, C}}`) into (segments, offset) leaves."""
    toks = [(m.group(), offset + m.start()) for m in TOKEN.finditer(body)]
    pos = 0

    def tree(prefix):
        nonlocal pos
        leaves = []
        path = list(prefix)
        last = offset
        while pos < len(toks):
            t, at = toks[pos]
            if t == "{":
                pos += 1
                while pos < len(toks) and toks[pos][0] != "}":
                    leaves += tree(path)
                    if pos < len(toks) and toks[pos][0] == ",":
                        pos += 1
                pos += 1
                return leaves
            if t in (",", "}"):
                break
            if t == "::":
                pos += 1
                continue
            if t == "as":
                pos += 2
                continue
            path.append(t)
            last = at
            pos += 1
        if len(path) > len(prefix):
            leaves.append((path, last))
        return leaves

    return tree([])


def module_of(path):
    """core/src/a/b.rs -> [a, b]; core/src/a/mod.rs -> [a]; core/src/lib.rs -> []."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts and parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def inline_modules(text):
    """For each offset, the inline `mod x { ... }` names enclosing it: a sorted
    list of (start, end, name)."""
    spans, stack, depth = [], [], 0
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{|[{}]", text):
        if m.group(1):
            depth += 1
            stack.append((m.group(1), m.start(), depth))
        elif m.group() == "{":
            depth += 1
        else:
            if stack and stack[-1][2] == depth:
                name, start, _ = stack.pop()
                spans.append((start, m.end(), name))
            depth -= 1
    return spans


def resolve(segments, current):
    """Absolute path (from the crate root) of a crate/super/self path, or None."""
    segs = [s.lstrip("$") for s in segments]
    if segs[0] == "crate":
        base, rest = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(current)
        rest = segs
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                if not base:
                    return None
                base.pop()
            rest = rest[1:]
    else:
        return None
    rest = [s for s in rest if s != "self"]
    return base + rest


def root_items(lib_text):
    """Top-level modules declared in lib.rs, and {re-exported name: module}."""
    text = blank(lib_text)
    modules = set(re.findall(r"\bmod\s+(\w+)\s*;", text))
    reexports = {}
    for m in re.finditer(r"\bpub\s+use\s+([^;]*);", text):
        for segs, _ in use_paths(m.group(1), m.start(1)):
            if segs and segs[0] in modules:
                reexports[segs[-1]] = segs[0]
    return modules, reexports


def check_core(arrows):
    modules, reexports = root_items((SRC / "lib.rs").read_text(encoding="utf-8"))
    violations = []
    for path in sorted(SRC.rglob("*.rs")):
        rel = path.relative_to(ROOT).as_posix()
        file_module = module_of(path)
        if not file_module or file_module[0] == "bin":
            continue
        layer = file_module[0]
        if layer not in arrows:
            violations.append((rel, 1, f"module `{layer}` has no row in ARCHITECTURE.md's layers block"))
            continue
        text = blank(path.read_text(encoding="utf-8"))
        lines = [0] + [m.end() for m in re.finditer("\n", text)]
        spans = inline_modules(text)

        refs = []
        for m in re.finditer(r"\buse\s+([^;]*);", text):
            refs += use_paths(m.group(1), m.start(1))
        code = re.sub(r"\buse\s+[^;]*;", lambda m: " " * len(m.group()), text)
        for m in re.finditer(r"(?<![\w$])\$?(?:crate|super)(?:\s*::\s*\$?[A-Za-z_]\w*)+", code):
            refs.append(([s.strip() for s in m.group().split("::")], m.start()))

        for segs, at in refs:
            inline = [name for start, end, name in sorted(spans) if start <= at < end]
            target_path = resolve(segs, file_module + inline)
            if not target_path:
                continue
            head = target_path[0]
            if head == "*":
                target = "the crate root (a glob)"
            elif head in modules:
                target = head
            elif head in reexports:
                target = reexports[head]
            else:
                continue  # an item of lib.rs itself
            if target == layer or target in arrows[layer]:
                continue
            line = next(k for k in range(len(lines) - 1, -1, -1) if lines[k] <= at) + 1
            shown = "::".join(segs)
            violations.append((rel, line, f"{layer} -> {target} ({shown}) is against the arrows"))
    return violations


def check_bindings():
    violations = []
    for crate in BINDINGS:
        manifest = ROOT / crate / "Cargo.toml"
        section = ""
        for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("["):
                section = line.strip()
            elif "dependencies" in section and re.match(r"\s*rhai\b", line):
                violations.append((f"{crate}/Cargo.toml", n, "a binding depends on rhai: bindings only translate, kam runs the scripts"))
        for path in sorted((ROOT / crate / "src").rglob("*.rs")):
            text = blank(path.read_text(encoding="utf-8"))
            for m in re.finditer(r"\brhai::", text):
                line = text.count("\n", 0, m.start()) + 1
                violations.append((path.relative_to(ROOT).as_posix(), line, "a binding names rhai: bindings only translate, kam runs the scripts"))
    return violations


def main():
    arrows = read_arrows()
    found = check_core(arrows) + check_bindings()
    bad = []
    used = set()
    for rel, line, message in found:
        key = next((i for i, (f, arrow, _) in enumerate(KNOWN_EXCEPTIONS)
                    if f == rel and f" {arrow} " in f" {message} "), None)
        if key is None:
            bad.append(f"{rel}:{line}: {message}")
        else:
            used.add(key)
    for i, (f, arrow, why) in enumerate(KNOWN_EXCEPTIONS):
        if i not in used:
            bad.append(f"{f}: known exception `{arrow}` ({why}) no longer occurs: remove it from tests/check-layers.py")
    for b in bad:
        print(b)
    if bad:
        print(f"check-layers: {len(bad)} reference(s) against ARCHITECTURE.md", file=sys.stderr)
        return 1
    print("check-layers: every import in core/src follows ARCHITECTURE.md; the bindings do not touch rhai")
    return 0


if __name__ == "__main__":
    sys.exit(main())
