#!/usr/bin/env python3
"""Exact counts of executed wasm instructions, per function, for an Emscripten build.

    python3 bench/wasm_icount.py [--segments N] [--root CHECKOUT]  # build, count, report
    python3 bench/wasm_icount.py instrument IN.wasm OUT.wasm [REGEX]

The report: bench/wasm_icount_calls.cpp (malloc/free per call, by phase) and the workloads
small_churn, binary_trees and ast_rewrite (quick mode, whole-program totals), each linked with dlmalloc, emmalloc
and Alligator as bench.py links them (em++ -O2, RUN_LINK_FLAGS, -sMALLOC=none + Alligator's
sources), plus --profiling-funcs for the names. Work files in bench/work/icount/. With
--segments N, the N segments of Alligator's functions that execute the most instructions in
the calls program, with their offsets in the code section (the addresses `llvm-objdump-14 -d` prints).

rewrites a module so that every defined function counts, in two exported mutable i64 globals,
how many times it was entered (`__ie<i>`) and how many wasm instructions it executed itself
(`__ic<i>`, callees not included). Each straight-line segment of a body (from the function
start, a loop, if, else, end or the fall-through of a br_if, to the next of those or to the first
br/br_table/return/unreachable) adds its instruction count once when it starts; the structural
opcodes block/loop/end/else and nop are not counted (they execute nothing in V8's code).
bench/wasm_icount_hook.js, preloaded into Node, reads the globals. The counts are
deterministic: they depend on the program and its inputs, not on the machine or its load.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import bench
import malloc_share


def uleb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def skip_leb(data, pos):
    while data[pos] & 0x80:
        pos += 1
    return pos + 1


def enc_uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def enc_sleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def name(data, pos):
    length, pos = uleb(data, pos)
    return data[pos:pos + length].decode("utf-8", "replace"), pos + length


def skip_blocktype(data, pos):
    if data[pos] == 0x40 or data[pos] in (0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F):
        return pos + 1
    return skip_leb(data, pos)  # a type index (s33)


def decode(code, pos, end):
    """Yields (opcode, start, next) for each instruction of an expression."""
    while pos < end:
        start, op = pos, code[pos]
        pos += 1
        if op in (0x02, 0x03, 0x04):
            pos = skip_blocktype(code, pos)
        elif op in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2):
            pos = skip_leb(code, pos)
        elif op == 0x0E:
            count, pos = uleb(code, pos)
            for _ in range(count + 1):
                pos = skip_leb(code, pos)
        elif op == 0x11:
            pos = skip_leb(code, skip_leb(code, pos))
        elif op == 0x1C:
            count, pos = uleb(code, pos)
            pos += count
        elif 0x28 <= op <= 0x3E:
            pos = skip_leb(code, skip_leb(code, pos))
        elif op in (0x3F, 0x40, 0xD0):
            pos += 1
        elif op in (0x41, 0x42):
            pos = skip_leb(code, pos)
        elif op == 0x43:
            pos += 4
        elif op == 0x44:
            pos += 8
        elif op == 0xFC:
            sub, pos = uleb(code, pos)
            if sub == 8:
                pos = skip_leb(code, pos) + 1
            elif sub in (9, 13, 15, 16, 17):
                pos = skip_leb(code, pos)
            elif sub in (12, 14):
                pos = skip_leb(code, skip_leb(code, pos))
            elif sub == 10:
                pos += 2
            elif sub == 11:
                pos += 1
            elif sub > 17:
                raise ValueError("0xFC %d not handled" % sub)
        elif op == 0xFD:
            raise ValueError("SIMD not handled")
        elif not (op in (0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4):
            raise ValueError("opcode 0x%02x not handled" % op)
        yield op, start, pos


STRUCTURAL = (0x01, 0x02, 0x03, 0x05, 0x0B)  # nop block loop else end: not counted
STARTS_AFTER = (0x03, 0x04, 0x05, 0x0B, 0x0D)  # loop if else end br_if: a new segment follows
STOPS = (0x00, 0x0C, 0x0E, 0x0F)  # unreachable br br_table return: what follows is dead


def add(global_index, amount):
    return (b"\x23" + enc_uleb(global_index) + b"\x42" + enc_sleb(amount) + b"\x7C" +
            b"\x24" + enc_uleb(global_index))


def instrument_body(body, count_global, entry_global, segment_globals=None, offset=0):
    """Returns the instrumented body (size included). With segment_globals (a list to extend
    with (global index, file offset of the segment's first instruction, instructions)), each
    segment also counts its own entries in a new global numbered from segment_globals' base."""
    pos = 0
    groups, pos = uleb(body, pos)
    for _ in range(groups):
        pos = skip_leb(body, pos)
        pos += 1
    locals_end = pos
    instructions = list(decode(body, pos, len(body)))
    # Segment starts: the body's start and after each STARTS_AFTER opcode (not the final end).
    counts = {}  # instruction index where a segment starts -> its count
    current, dead = 0, False
    counts[0] = 0
    for i, (op, _, _) in enumerate(instructions):
        if not dead and op not in STRUCTURAL:
            counts[current] += 1
        if op in STOPS:
            dead = True
        if op in STARTS_AFTER and i + 1 < len(instructions):
            # A segment that starts in dead code is never reached, so its counter never runs.
            current, dead = i + 1, False
            counts[current] = 0
    out = bytearray(body[:locals_end])
    out += add(entry_global, 1)
    for i, (op, start, end) in enumerate(instructions):
        if counts.get(i):
            out += add(count_global, counts[i])
            if segment_globals is not None:
                index = segment_globals[0] + len(segment_globals[1])
                segment_globals[1].append((index, offset + start, counts[i]))
                out += add(index, 1)
        out += body[start:end]
    return bytes(enc_uleb(len(out))) + bytes(out)


def instrument(source, target, segments_of=None):
    """Instruments every defined function; those whose name matches the regex segments_of also
    count each segment. Writes target and target.meta.json (function names, segments)."""
    data = open(source, "rb").read()
    assert data[:8] == b"\0asm\1\0\0\0"
    sections = []
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, body_pos = uleb(data, pos + 1)
        sections.append([sid, data[body_pos:body_pos + size], body_pos])
        pos = body_pos + size
    imported_functions = imported_globals = 0
    defined_globals = 0
    names = {}
    for sid, body, _ in sections:
        if sid == 2:
            count, p = uleb(body, 0)
            for _ in range(count):
                _, p = name(body, p)
                _, p = name(body, p)
                kind = body[p]
                p += 1
                if kind == 0:
                    p = skip_leb(body, p)
                    imported_functions += 1
                elif kind == 1:
                    p += 1
                    flags = body[p]
                    p = skip_leb(body, p + 1)
                    if flags & 1:
                        p = skip_leb(body, p)
                elif kind == 2:
                    flags = body[p]
                    p = skip_leb(body, p + 1)
                    if flags & 1:
                        p = skip_leb(body, p)
                elif kind == 3:
                    p += 2
                    imported_globals += 1
        elif sid == 6:
            defined_globals, _ = uleb(body, 0)
        elif sid == 0:
            section_name, p = name(body, 0)
            if section_name == "name":
                while p < len(body):
                    sub = body[p]
                    size, p = uleb(body, p + 1)
                    if sub == 1:
                        q = p
                        count, q = uleb(body, q)
                        for _ in range(count):
                            index, q = uleb(body, q)
                            names[index], q = name(body, q)
                    p += size
    code = next(body for sid, body, _ in sections if sid == 10)
    functions, p = uleb(code, 0)
    first_new = imported_globals + defined_globals
    function_name = lambda f: names.get(imported_functions + f, "f%d" % (imported_functions + f))
    segments = [first_new + 2 * functions, []]
    new_code = bytearray(enc_uleb(functions))
    segment_function = []
    for f in range(functions):
        size, p = uleb(code, p)
        wanted = segments_of is not None and re.search(segments_of, function_name(f))
        before = len(segments[1])
        new_code += instrument_body(code[p:p + size], first_new + 2 * f, first_new + 2 * f + 1,
                                    segments if wanted else None, p)
        segment_function += [f] * (len(segments[1]) - before)
        p += size
    added = 2 * functions + len(segments[1])
    new_globals = b"".join(b"\x7E\x01\x42\x00\x0B" for _ in range(added))
    export_names = [b"__ic%d" % f if k == 0 else b"__ie%d" % f
                    for f in range(functions) for k in (0, 1)]
    export_names += [b"__is%d" % k for k in range(len(segments[1]))]
    new_exports = b"".join(enc_uleb(len(n)) + n + b"\x03" + enc_uleb(first_new + i)
                           for i, n in enumerate(export_names))
    out_sections = []
    have_globals = any(sid == 6 for sid, _, _ in sections)
    for sid, body, _ in sections:
        if sid == 6:
            count, p = uleb(body, 0)
            body = enc_uleb(count + added) + body[p:] + new_globals
        elif sid == 7:
            count, p = uleb(body, 0)
            body = enc_uleb(count + added) + body[p:] + new_exports
        elif sid == 10:
            body = bytes(new_code)
        if sid == 7 and not have_globals:
            out_sections.append((6, enc_uleb(added) + new_globals))
        out_sections.append((sid, body))
    with open(target, "wb") as out:
        out.write(data[:8])
        for sid, body in out_sections:
            out.write(bytes([sid]) + enc_uleb(len(body)) + body)
    meta = {"functions": {str(f): function_name(f) for f in range(functions)},
            "segments": {str(k): [segment_function[k], offset, count]
                         for k, (_, offset, count) in enumerate(segments[1])}}
    with open(target + ".meta.json", "w") as out:
        json.dump(meta, out)


BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work", "icount")
PROGRAMS = ["wasm_icount_calls", "small_churn", "binary_trees", "ast_rewrite"]
ALLOCATORS = ["dlmalloc", "emmalloc", "alligator"]
# wasm_icount_calls' phases (its enum Phase) and the calls each makes.
PHASES = {"1": ("fill (malloc)", 4096), "2": ("free_all (free)", 4096),
          "3": ("refill (malloc)", 4096), "4": ("churn free", 51200),
          "5": ("churn malloc", 51200), "6": ("churn delete[]", 51200),
          "7": ("churn new[]", 51200)}


def build(command, output, inputs):
    if os.path.exists(output) and all(os.path.getmtime(i) <= os.path.getmtime(output)
                                      for i in inputs):
        return
    print("  " + " ".join(command[:3]) + " ... " + os.path.basename(output), file=sys.stderr)
    subprocess.run(command, check=True, env=bench.emscripten_env())


def build_all(root=ROOT):
    """Compiles Alligator from `root` (another checkout, to compare a change) and links."""
    obj = os.path.join(WORK, "obj")
    os.makedirs(obj, exist_ok=True)
    headers = bench.headers(os.path.join(root, "allocator"), os.path.join(root, "shim"))
    includes = ["-I" + os.path.join(root, "allocator/include"),
                "-I" + os.path.join(root, "shim/include")]
    alligator = []
    for source in bench.ALLIGATOR_WASM_SOURCES:
        output = os.path.join(obj, os.path.basename(source).replace(".cpp", ".o"))
        build(["em++", "-O2", "-std=c++20"] + includes +
              ["-c", os.path.join(root, source), "-o", output], output,
              [os.path.join(root, source)] + headers)
        alligator.append(output)
    links = {}
    for program in PROGRAMS:
        source = os.path.join(BENCH, program + ".cpp")
        output = os.path.join(obj, program + ".o")
        build(["em++", "-O2", "-std=c++20", "-c", source, "-o", output], output,
              [source, os.path.join(BENCH, "common.hpp")])
        for allocator in ALLOCATORS:
            js = os.path.join(WORK, "%s.%s.js" % (program, allocator))
            args = ["-sMALLOC=" + allocator] if allocator != "alligator" else \
                ["-sMALLOC=none"] + alligator
            wasm = js[:-3] + ".wasm"
            plain = js[:-3] + ".plain.wasm"  # the module as linked, for llvm-objdump-14 -d
            if not os.path.exists(plain) and os.path.exists(js):
                os.remove(js)
            build(["em++", "-O2", "--profiling-funcs", output] + args + bench.RUN_LINK_FLAGS +
                  ["-o", js], js, [output] + (alligator if allocator == "alligator" else []))
            if b"__ic0" not in open(wasm, "rb").read():  # freshly linked
                os.replace(wasm, plain)
                instrument(plain, wasm, ALLOCATOR_REGEX[allocator])
            links[program, allocator] = js
    return links


def allocator_regex(allocator):
    return "(%s)|(%s)" % (malloc_share.ALLOCATOR_FUNCTIONS[allocator], malloc_share.COMMON)


ALLOCATOR_REGEX = {a: allocator_regex(a) for a in ALLOCATORS}


def run(js):
    out = js[:-3] + ".counts.json"
    env = dict(os.environ, ICOUNT_OUT=out)
    subprocess.run(["node", "--no-experimental-fetch", "-r",
                    os.path.join(BENCH, "wasm_icount_hook.js"), js],
                   check=True, env=env, stdout=subprocess.DEVNULL, cwd=os.path.dirname(js))
    meta = json.load(open(js[:-3] + ".wasm.meta.json"))
    return json.load(open(out)), meta


def allocator_split(bucket, meta, allocator):
    """(instructions in allocator functions, all instructions, {function: instructions})."""
    pattern = re.compile(ALLOCATOR_REGEX[allocator])
    mine, total, per_function = 0, 0, {}
    for key, value in bucket.items():
        if key[0] != "c":
            continue
        total += value
        name = meta["functions"][key[1:]]
        if pattern.search(name):
            mine += value
            per_function[name] = value
    return mine, total, per_function


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=0)
    parser.add_argument("--root", default=ROOT,
                        help="the checkout whose Alligator is measured (work files then go to "
                             "bench/work/icount-<its directory name>/)")
    args = parser.parse_args()
    global WORK
    if os.path.realpath(args.root) != os.path.realpath(ROOT):
        WORK = WORK + "-" + os.path.basename(os.path.realpath(args.root))
    links = build_all(args.root)
    print("## Allocator wasm instructions per call (bench/wasm_icount_calls.cpp, 4096 live, "
          "sizes 1..256)\n")
    print("| phase | calls | " + " | ".join(ALLOCATORS) + " | Alligator's functions |")
    print("|---|---:|" + "---:|" * len(ALLOCATORS) + "---|")
    results = {a: run(links["wasm_icount_calls", a]) for a in ALLOCATORS}
    for phase, (label, calls) in PHASES.items():
        cells, detail = [], ""
        for allocator in ALLOCATORS:
            counts, meta = results[allocator]
            mine, _, per_function = allocator_split(counts.get(phase, {}), meta, allocator)
            cells.append("%.1f" % (mine / calls))
            if allocator == "alligator":
                detail = ", ".join("%s %.1f" % (re.sub(r"\(.*|alligator::detail::", "", n),
                                                v / calls)
                                   for n, v in sorted(per_function.items(), key=lambda i: -i[1])
                                   if v / calls >= 0.5)
        print("| %s | %d | %s | %s |" % (label, calls, " | ".join(cells), detail))
    print("\n## Whole workloads (quick mode): all wasm instructions executed, and the part in "
          "allocator functions not inlined into the program (wasm-opt inlines one-caller "
          "functions, e.g. dlmalloc into binary_trees' make())\n")
    print("| workload | " + " | ".join(ALLOCATORS) + " | alligator / dlmalloc |")
    print("|---|" + "---:|" * len(ALLOCATORS) + "---:|")
    for program in PROGRAMS[1:]:
        cells, totals = [], {}
        for allocator in ALLOCATORS:
            counts, meta = run(links[program, allocator])
            bucket = {}
            for phase in counts.values():
                for key, value in phase.items():
                    bucket[key] = bucket.get(key, 0) + value
            mine, total, _ = allocator_split(bucket, meta, allocator)
            totals[allocator] = total
            cells.append("%.1fM (allocator %.1fM)" % (total / 1e6, mine / 1e6))
        print("| %s | %s | %.3f |" % (program, " | ".join(cells),
                                       totals["alligator"] / totals["dlmalloc"]))
    if args.segments:
        counts, meta = results["alligator"]
        print("\n## Alligator's hottest segments in the calls program (all phases)\n")
        print("| function | code offset | instructions | entries | instructions x entries |")
        print("|---|---:|---:|---:|---:|")
        entries = {}
        for phase, bucket in counts.items():
            for key, value in bucket.items():
                if key[0] == "s" and phase in PHASES:
                    entries[key[1:]] = entries.get(key[1:], 0) + value
        rows = sorted(entries.items(), key=lambda i: -i[1] * meta["segments"][i[0]][2])
        for k, n in rows[:args.segments]:
            f, offset, size = meta["segments"][k]
            print("| %s | 0x%x | %d | %d | %d |" % (
                meta["functions"][str(f)][:60], offset, size, n, n * size))


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "instrument":
        instrument(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    else:
        main()
