#!/usr/bin/env python3
"""Check mxray's layering from its #include lines.

Every C file under dissectors/ and analyzer/ belongs to a layer: its folder
(analyzer/main.c is the top).  The layers, lowest first:

    dissectors  pure parsers: bytes to events, no I/O, no globals
    base        containers, arenas, text buffers, the heap set-up
    capture     files, live interfaces, link layers, IPv4 defragmentation
    model       the session record and timeline, DNS transactions
    flow        the engine: packet dispatch, flow tables, TCP reassembly
    diagnose    correlation, delivery groups, findings
    report      text, json, ndjson
    run         the layers wired into one pipeline (main, fuzz targets)
    main        analyzer/main.c: the command line

A file may include its own layer and lower ones, never a higher one.  Two
files of one module (foo.c, foo.h, a private foo_int.h) are one node of the
include graph; the
graph must have no cycle.  Prints each violation on one line and exits 1 if
there is any; prints the layers and module counts otherwise.

With --sizes it also prints the longest files and functions (a function
is a line "{" to the next line "}", as this tree's style writes them).

Usage: scripts/check_layers.py [--root DIR] [--graph] [--sizes]
"""
import argparse
import os
import re
import sys

LAYERS = ["dissectors", "base", "capture", "model", "flow", "diagnose",
          "report", "run", "main"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    parts = rel.split("/")
    if parts[0] == "dissectors":
        return "dissectors"
    if parts == ["analyzer", "main.c"]:
        return "main"
    if parts[0] == "analyzer" and len(parts) == 3 and parts[1] in LAYERS:
        return parts[1]
    return None


def module_of(rel):
    """foo.c and foo.h are module foo; a private header foo_int.h too."""
    base = os.path.splitext(rel)[0]
    return base[:-4] if base.endswith("_int") else base


def sources(root):
    out = []
    for top in ("dissectors", "analyzer"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h", ".def")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def resolve(root, rel, name):
    """The file an #include "name" in rel finds: next to it, else under
    one of the include roots (-Idissectors -Ianalyzer)."""
    for base in (os.path.dirname(rel), "dissectors", "analyzer"):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def find_cycle(graph):
    """One cycle of the module graph as a list, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                c = visit(n)
                if c:
                    return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            c = visit(m)
            if c:
                return c
    return None


def sizes(root, files, top=3):
    """The longest files and functions, longest first."""
    flen, funcs = [], []
    for rel in files:
        if not rel.endswith((".c", ".h")):
            continue
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            lines = f.read().split("\n")
        flen.append((len(lines) - 1, rel))
        i = 0
        while i < len(lines):
            if lines[i] == "{":
                j = i - 1
                while j > 0 and "(" not in lines[j]:
                    j -= 1
                name = re.findall(r"(\w+)\s*\(", lines[j])
                k = i
                while k < len(lines) and lines[k] != "}":
                    k += 1
                funcs.append((k - i + 1, f"{rel} {name[0] if name else '?'}"))
                i = k
            i += 1
    for what, v in (("file", flen), ("function", funcs)):
        for n, where in sorted(v, reverse=True)[:top]:
            print(f"longest {what}: {n} lines, {where}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    ap.add_argument("--graph", action="store_true",
                    help="print the module graph too")
    ap.add_argument("--sizes", action="store_true",
                    help="print the longest files and functions too")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    errors, graph, counts = [], {}, {}

    for rel in sources(root):
        layer = layer_of(rel)
        if layer is None:
            errors.append(f"{rel}: not in a layer folder "
                          f"(analyzer/<{'|'.join(LAYERS[1:-1])}>/ or "
                          "dissectors/)")
            continue
        counts[layer] = counts.get(layer, 0) + (rel.endswith(".c"))
        mod = module_of(rel)
        graph.setdefault(mod, set())
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            dep = resolve(root, rel, name)
            if dep is None:
                errors.append(f'{rel}: #include "{name}" names no file of '
                              "the tree")
                continue
            dl = layer_of(dep)
            if dl and LAYERS.index(dl) > LAYERS.index(layer):
                errors.append(f"{rel} ({layer}) includes {dep} ({dl}), a "
                              "higher layer")
            if module_of(dep) != mod:
                graph[mod].add(module_of(dep))

    cycle = find_cycle(graph)
    if cycle:
        errors.append("include cycle: " + " -> ".join(cycle))
    if args.sizes:
        sizes(root, sources(root))
    if args.graph:
        for m in sorted(graph):
            print(f"{m}: {' '.join(sorted(graph[m]))}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print("layers ok: " + ", ".join(f"{l} {counts.get(l, 0)}"
                                    for l in LAYERS) +
          f" .c files; {len(graph)} modules, no include cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
