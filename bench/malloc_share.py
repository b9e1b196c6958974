#!/usr/bin/env python3
"""How much of a workload's wasm time goes to the allocator, from a V8 CPU profile.

    NODE_PATH=/usr/share/nodejs python3 bench/malloc_share.py [--allocator A] [--full]
                                                            [WORKLOAD ...]

Links each workload (default: the real programs) with one allocator (default dlmalloc) as
bench.py does, plus --profiling-funcs so that the wasm functions keep their names, runs it
under `node --cpu-prof` (one sample every 100 us; with bench.py's Node flags, so every function
runs TurboFan code) and, of the samples taken inside the program's
main, sums those whose innermost frame is an allocator function: the share of the program's
time that any allocator could save (realloc's copies, in memcpy, are not counted). Objects
come from bench.py's cache in bench/work/ (built here if missing); outputs go to
bench/work/profile/. The figure is sampled, so indicative (a few % of noise on a busy machine).
"""

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys

import bench
import real_programs

# The allocator's own functions (what a drop-in replaces), per allocator. Emscripten's dlmalloc
# keeps dlmalloc/dlfree/... plus static helpers that the optimizer did not inline; Alligator's
# are in namespace alligator and the malloc family; operator new/delete forward to malloc.
ALLOCATOR_FUNCTIONS = {
    "dlmalloc": r"^(dl\w+|sys_alloc|sys_trim|tmalloc_\w+|prepend_alloc|add_segment|"
                r"try_realloc_chunk|dispose_chunk|init_top|init_bins|internal_\w+|sbrk|"
                r"emscripten_builtin_\w+)$",
    "emmalloc": r"^(emmalloc_\w+|\w*emmalloc\w*|sbrk|claim_more_memory|"
                r"attempt_allocate|allocate_memory|create_memory_region|prepend_to_free_list|"
                r"unlink_from_free_list|link_to_free_list|compute_free_list_bucket|"
                r"emscripten_builtin_\w+)$",
    # new_delete.cpp's helpers (operator new's inlined fast path lands in allocate_or_handle).
    "alligator": r"(alligator|^__libc_\w+$|^emscripten_builtin_\w+$|"
                 r"^\(anonymous namespace\)::(allocate_or_handle|allocate_nothrow|release)\()",
    "bump": r"^(bump_\w+)$",
}
# The C entry points and C++ operators, whichever allocator is linked.
COMMON = r"^(malloc|free|calloc|realloc|posix_memalign|memalign|aligned_alloc|" \
         r"malloc_usable_size|operator new.*|operator delete.*|_Znw\w+|_Zdl\w+|_Zna\w+|_Zda\w+)$"


def link(workload, allocator):
    """Links `workload` with `allocator` and names kept; returns the .js path."""
    objects, _, _ = bench.wasm_builds(2)
    salt = json.dumps(bench.toolchain_versions(), sort_keys=True)
    obj_dir = os.path.join(bench.WORK, "obj-O2")
    if workload in real_programs.PROGRAMS:
        wanted = [o for o, _, _ in real_programs.builds(workload, obj_dir, "O2")]
        flags = real_programs.link_flags(workload)
    else:
        wanted = [os.path.join(obj_dir, bench.WORKLOADS[workload]["program"] + ".o")]
        flags = []
    allocator_objects = {
        "alligator": sorted(glob.glob(os.path.join(obj_dir, "alligator", "*.o"))),
        "bump": [os.path.join(obj_dir, "bump_allocator.o")],
    }.get(allocator, [])
    needed = [s for s in objects if s.output in wanted or s.output.startswith(
        os.path.join(obj_dir, "alligator")) or s.output.endswith("bump_allocator.o")]
    bench.run_steps(needed, salt, 2, "compile")
    malloc = "-sMALLOC=" + (allocator if allocator in ("dlmalloc", "emmalloc") else "none")
    output = os.path.join(bench.WORK, "profile", "%s.%s.js" % (workload, allocator))
    os.makedirs(os.path.dirname(output), exist_ok=True)
    command = (["em++", "-O2", "--profiling-funcs"] + wanted + allocator_objects + [malloc] +
               bench.RUN_LINK_FLAGS + flags + ["-o", output])
    subprocess.run(command, check=True, env=bench.emscripten_env())
    return output


def profile(js, workload, mode):
    directory = os.path.join(os.path.dirname(js), "cpuprofile-" + os.path.basename(js))
    os.makedirs(directory, exist_ok=True)
    for old in glob.glob(os.path.join(directory, "*.cpuprofile")):
        os.remove(old)
    arguments = (real_programs.run_arguments(workload)
                 if workload in real_programs.PROGRAMS else [])
    run = subprocess.run(["node", "--cpu-prof", "--cpu-prof-interval", "100",
                          "--cpu-prof-dir", directory] + bench.NODE_FLAGS + [js, mode] +
                         arguments, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("%s failed: %s" % (js, run.stdout + run.stderr))
    (path,) = glob.glob(os.path.join(directory, "*.cpuprofile"))
    with open(path) as file:
        return json.load(file), run.stdout


def shares(document, allocator):
    """Self samples per function name within the program's main (Node's start-up and the
    module's compilation left out), and those of the allocator's functions."""
    mine = re.compile(ALLOCATOR_FUNCTIONS[allocator])
    common = re.compile(COMMON)
    nodes = {node["id"]: node for node in document["nodes"]}
    under_main = set()
    pending = [n["id"] for n in document["nodes"] if n["callFrame"]["functionName"] == "main"]
    while pending:
        node_id = pending.pop()
        if node_id not in under_main:
            under_main.add(node_id)
            pending += nodes[node_id].get("children", [])
    per_function = collections.Counter()
    for node_id in under_main:
        node = nodes[node_id]
        per_function[node["callFrame"]["functionName"] or "(anonymous)"] += node["hitCount"]
    busy = sum(per_function.values())
    in_allocator = {f: n for f, n in per_function.items() if mine.search(f) or common.match(f)}
    return busy, in_allocator, per_function


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", default=list(real_programs.PROGRAMS))
    parser.add_argument("--allocator", default="dlmalloc", choices=bench.ALLOCATORS)
    parser.add_argument("--full", action="store_true", help="the full run's sizes")
    args = parser.parse_args()
    unavailable = real_programs.prepare(bench.log)
    for workload in args.workloads:
        if workload in unavailable:
            print("%s: unavailable: %s" % (workload, unavailable[workload]))
            continue
        js = link(workload, args.allocator)
        document, output = profile(js, workload, "full" if args.full else "quick")
        busy, in_allocator, per_function = shares(document, args.allocator)
        total = sum(in_allocator.values())
        print("%s under %s: %.1f%% of %d samples in main in the allocator (%s)" % (
            workload, args.allocator, 100.0 * total / busy, busy,
            ", ".join("%s %.1f%%" % (f, 100.0 * n / busy) for f, n in
                      sorted(in_allocator.items(), key=lambda item: -item[1])[:6])))
        print("  top functions: " + ", ".join(
            "%s %.1f%%" % (f, 100.0 * n / busy) for f, n in per_function.most_common(8)))
        print("  " + " ".join(output.split()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
