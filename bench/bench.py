#!/usr/bin/env python3
"""Alligator's benchmarks: builds every workload with four allocators, runs them interleaved,
and writes medians, ratios to dlmalloc and a plot.

Run through scripts/bench (which checks the tools first):

    scripts/bench            full run, about 10-15 minutes; writes bench/results/latest.*
    scripts/bench --quick    smaller workloads, 3 repetitions, under 3 minutes on 2 cores;
                             writes bench/work/results-quick/latest.* (git-ignored)

Wasm runs under `node --no-liftoff` (V8 compiles each function with TurboFan when it is first
called, never with Liftoff; see NODE_FLAGS), so timed parts measure no tier-up.

Allocators (each workload program is compiled once and linked four ways, same flags):
    dlmalloc   Emscripten's default, -sMALLOC=dlmalloc
    emmalloc   Emscripten's small allocator, -sMALLOC=emmalloc
    alligator  -sMALLOC=none + Alligator's sources compiled here (+ new_delete.cpp)
    bump       -sMALLOC=none + bench/bump_allocator.c: never frees, the speed limit

Native figures (latency_*, steps_flatness) come from bench/native/native_bench.cpp built with
g++ -m32 -O2 against Alligator's Heap and Emscripten's own dlmalloc.c and emmalloc.c compiled
from /usr/share/emscripten/system/lib (the bump allocator has none), all three over the same
simulated memory (bench/native/native_shim.c). On a kernel without 32-bit support (32-bit
programs then run under qemu-i386) they are n/a, and a note says why.

Only the Python standard library is used. Builds are cached in bench/work/: a step reruns only
when its command or one of its inputs changed.
"""

import argparse
import array
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import paired
import real_programs
import threads_bench

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work")
EMSCRIPTEN_LIB = "/usr/share/emscripten/system/lib"

ALLOCATORS = ["dlmalloc", "emmalloc", "alligator", "bump"]

# Alligator's sources, compiled by this script for wasm (no CMake): the allocator, the
# process-wide heap, the malloc family, Emscripten's memory shim and operator new/delete.
ALLIGATOR_WASM_SOURCES = [
    "allocator/src/heap_core.cpp",
    "allocator/src/small_path.cpp",
    "allocator/src/span_heap.cpp",
    "allocator/src/bitmap_pool.cpp",
    "allocator/src/growth.cpp",
    "allocator/src/introspection.cpp",
    "allocator/src/malloc_family.cpp",
    "allocator/src/global_heap.cpp",
    "allocator/src/thread_cache.cpp",
    "allocator/src/c_api.cpp",
    "allocator/src/new_delete.cpp",
    "shim/src/emscripten_memory.cpp",
]
# Linked only into the heap-map builds of the memory workloads (draw_heap_maps).
HEAP_MAP_SOURCES = ["allocator/src/heap_map.cpp", "allocator/src/c_api_heap_map.cpp"]
# Natively only the heap itself, over native_shim.c's simulated wasm memory (no malloc exports).
ALLIGATOR_NATIVE_SOURCES = [
    "allocator/src/heap_core.cpp",
    "allocator/src/small_path.cpp",
    "allocator/src/span_heap.cpp",
    "allocator/src/bitmap_pool.cpp",
    "allocator/src/growth.cpp",
    "allocator/src/introspection.cpp",
]
ALLIGATOR_INCLUDES = ["-I" + os.path.join(ROOT, "allocator/include"),
                      "-I" + os.path.join(ROOT, "shim/include")]

# Every build that runs names its program ./this.program (bench/fixed_program_name.js says why).
FIXED_PROGRAM_NAME = os.path.join(BENCH, "fixed_program_name.js")
FIXED_NAME_FLAGS = ["--pre-js", FIXED_PROGRAM_NAME]
# Link flags shared by every timed wasm workload, whatever the allocator.
RUN_LINK_FLAGS = ["-sALLOW_MEMORY_GROWTH=1", "-sMAXIMUM_MEMORY=2GB",
                  "-sWASM_ASYNC_COMPILATION=0", "-sEXIT_RUNTIME=1"] + FIXED_NAME_FLAGS
# The memory rows' builds: memory grows to exactly what the allocator asks for (whole 64 KiB
# pages). By default Emscripten grows by at least 20% of its size at a time, which rounds each
# allocator's figure up by a different 0-20% depending on where its last growth landed: two
# allocators 10% apart could show the same figure, or one 1% apart show 20%.
EXACT_GROWTH_FLAGS = ["-sMEMORY_GROWTH_GEOMETRIC_STEP=0"]

# The workloads. "program": bench/<program>.cpp; "unit"; "higher": higher is better.
WORKLOADS = {
    "random_actions": dict(program="random_actions", unit="actions/us", higher=True),
    "small_churn": dict(program="small_churn", unit="ops/us", higher=True),
    "binary_trees": dict(program="binary_trees", unit="trees/s", higher=True),
    "containers": dict(program="containers", unit="ops/s", higher=True),
    "heap_efficiency": dict(program="heap_efficiency", unit="ratio", higher=True),
    "code_size_o2": dict(unit="bytes", higher=False),
    "code_size_oz": dict(unit="bytes", higher=False),
    "latency_p50": dict(unit="cycles", higher=False),
    "latency_p99": dict(unit="cycles", higher=False),
    "latency_max": dict(unit="cycles", higher=False),
    "steps_flatness": dict(unit="ratio", higher=False),
}
WORKLOADS.update(threads_bench.WORKLOADS)  # threads_* rows: bench/threads_bench.py
TIMED = ["random_actions", "small_churn", "binary_trees", "containers", "heap_efficiency"]
# heap_efficiency runs with the timed rows but is deterministic: its samples carry no noise.
DETERMINISTIC = {"heap_efficiency"}


def register_real_workloads():
    """The patterns of real programs (bench/ast_rewrite.cpp, producer_consumer.cpp,
    realloc_strings.cpp) and the real programs themselves (bench/real_programs.py), placed
    after the first timed workloads in the tables."""
    rows = {
        "ast_rewrite": dict(program="ast_rewrite", unit="nodes/us", higher=True),
        "producer_consumer": dict(program="producer_consumer", unit="messages/us", higher=True),
        "realloc_strings": dict(program="realloc_strings", unit="appends/us", higher=True),
    }
    rows.update(real_programs.WORKLOAD_ROWS)
    ordered = {}
    for workload, spec in WORKLOADS.items():
        ordered[workload] = spec
        if workload == TIMED[-1]:
            ordered.update(rows)
    WORKLOADS.clear()
    WORKLOADS.update(ordered)
    TIMED.extend(["ast_rewrite", "producer_consumer", "realloc_strings"] +
                 list(real_programs.PROGRAMS))


register_real_workloads()
NOISY = [w for w in TIMED if w not in DETERMINISTIC] + [
    "threads_%d" % n for n in threads_bench.THREAD_COUNTS]
NATIVE_ALLOCATORS = ["dlmalloc", "emmalloc", "alligator"]

HEAP_EFFICIENCY_LINK_FLAGS = ["-sALLOW_MEMORY_GROWTH=1", "-sINITIAL_MEMORY=2MB",
                              "-sMAXIMUM_MEMORY=64MB", "-sTOTAL_STACK=64KB",
                              "-sWASM_ASYNC_COMPILATION=0", "-sEXIT_RUNTIME=1"] + FIXED_NAME_FLAGS
CODE_SIZE_LINK_FLAGS = ["-sALLOW_MEMORY_GROWTH=1"]

LATENCY_LIVE = 10000
STEPS_SMALL, STEPS_LARGE, STEPS_OPERATIONS = 1000, 1000000, 100000

# The project's targets for Alligator, as ratios to dlmalloc in the same run.
TARGETS = [
    ("random_actions", ">=", 2.0), ("small_churn", ">=", 2.5), ("binary_trees", ">=", 1.3),
    ("containers", ">=", 1.3), ("heap_efficiency", ">=", 1.0), ("latency_p99", "<=", 0.5),
    # The real-program issue's goals: 1.5x on the AST style, never slower on the other
    # patterns, 1.1x faster on real programs (time ratio <= 1 / 1.1), never more memory.
    ("ast_rewrite", ">=", 1.5), ("producer_consumer", ">=", 1.0), ("realloc_strings", ">=", 1.0),
    ("sqlite", "<=", 0.909), ("tree_sitter", "<=", 0.909),
    ("sqlite_memory", "<=", 1.0), ("tree_sitter_memory", "<=", 1.0),
] + threads_bench.TARGETS


def log(message):
    print(message, file=sys.stderr, flush=True)


def emscripten_env():
    env = dict(os.environ)
    env.setdefault("NODE_PATH", "/usr/share/nodejs")  # emcc's JS optimizer needs Debian's acorn
    return env


def first_line(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=emscripten_env())
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def toolchain_versions():
    """The tools' versions: reported, and the salt of every build step's digest."""
    return {
        "emcc": first_line(["emcc", "--version"]),
        "node": first_line(["node", "--version"]),
        "g++": first_line(["g++", "--version"]),
        "valgrind": first_line(["valgrind", "--version"]),
    }


# ----------------------------------------------------------------------------------------------
# Builds


class Step:
    """One command that makes `output` from `inputs` (files whose contents matter)."""

    def __init__(self, output, command, inputs, env=None):
        self.output, self.command, self.inputs, self.env = output, command, inputs, env

    def digest(self, salt):
        hasher = hashlib.sha256(salt.encode())
        hasher.update("\0".join(self.command).encode())
        for path in sorted(set(self.inputs)):
            hasher.update(path.encode())
            with open(path, "rb") as file:
                hasher.update(file.read())
        return hasher.hexdigest()

    def run(self, salt):
        stamp = self.output + ".stamp"
        digest = self.digest(salt)
        if os.path.exists(self.output) and os.path.exists(stamp):
            with open(stamp) as file:
                if file.read() == digest:
                    return False
        os.makedirs(os.path.dirname(self.output), exist_ok=True)
        result = subprocess.run(self.command, capture_output=True, text=True, env=self.env)
        if result.returncode != 0 or not os.path.exists(self.output):
            raise RuntimeError("build failed: %s\n%s%s" % (" ".join(self.command), result.stdout,
                                                           result.stderr))
        with open(stamp, "w") as file:
            file.write(digest)
        return True


def headers(*directories):
    found = []
    for directory in directories:
        for base, _, files in os.walk(os.path.join(ROOT, directory)):
            found += [os.path.join(base, name) for name in files
                      if name.endswith((".h", ".hpp"))]
    return found


def run_steps(steps, salt, jobs, label):
    built = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(step.run, salt): step for step in steps}
        done = 0
        for future in concurrent.futures.as_completed(futures):
            done += 1
            built += bool(future.result())
            log("  build %-8s [%3d/%3d] %s" % (label, done, len(steps),
                                                os.path.relpath(futures[future].output, ROOT)))
    return built


def wasm_builds(jobs, unavailable=()):
    """Compiles everything for wasm; returns {(program, allocator, opt): path of .js}. The real
    programs named in `unavailable` (their packages could not be fetched) are left out."""
    env = emscripten_env()
    em_headers = headers("allocator/include", "shim/include", "allocator/src") + [
        os.path.join(BENCH, "common.hpp")]
    objects, links, outputs = [], [], {}
    programs = [WORKLOADS[w]["program"] for w in TIMED
                if w not in real_programs.PROGRAMS] + ["code_size"] + PEAKS
    for opt in ["O2", "Oz"]:
        obj_dir = os.path.join(WORK, "obj-" + opt)
        # Workload programs: compiled once, linked with each allocator.
        wanted = programs if opt == "O2" else ["code_size"]
        for program in wanted:
            source = os.path.join(BENCH, program + ".cpp")
            # -fno-builtin where the compiler would otherwise delete malloc/free pairs whose
            # blocks do not escape (code_size) or loops that only allocate (heap_efficiency).
            extra = (["-fno-builtin"] if program in ("heap_efficiency", "code_size") or
                     program in PEAKS else [])
            objects.append(Step(os.path.join(obj_dir, program + ".o"),
                                ["em++", "-" + opt, "-std=c++20"] + extra +
                                ["-c", source, "-o", os.path.join(obj_dir, program + ".o")],
                                [source] + em_headers, env))
        alligator_objects, map_objects = [], []
        for source in ALLIGATOR_WASM_SOURCES + (HEAP_MAP_SOURCES if opt == "O2" else []):
            output = os.path.join(obj_dir, "alligator",
                                  os.path.basename(source).replace(".cpp", ".o"))
            (map_objects if source in HEAP_MAP_SOURCES else alligator_objects).append(output)
            objects.append(Step(output, ["em++", "-" + opt, "-std=c++20"] + ALLIGATOR_INCLUDES +
                                ["-c", os.path.join(ROOT, source), "-o", output],
                                [os.path.join(ROOT, source)] + em_headers, env))
        bump_object = os.path.join(obj_dir, "bump_allocator.o")
        bump_source = os.path.join(BENCH, "bump_allocator.c")
        objects.append(Step(bump_object, ["emcc", "-" + opt, "-c", bump_source, "-o", bump_object],
                            [bump_source], env))
        allocator_args = {
            "dlmalloc": ["-sMALLOC=dlmalloc"],
            "emmalloc": ["-sMALLOC=emmalloc"],
            "alligator": ["-sMALLOC=none"] + alligator_objects,
            "bump": ["-sMALLOC=none", bump_object],
        }
        allocator_inputs = {"dlmalloc": [], "emmalloc": [], "alligator": alligator_objects,
                            "bump": [bump_object]}
        for program in wanted:
            if program == "code_size":
                flags = CODE_SIZE_LINK_FLAGS
            elif program == "heap_efficiency":
                flags = HEAP_EFFICIENCY_LINK_FLAGS
            elif program in PEAKS:
                flags = RUN_LINK_FLAGS + EXACT_GROWTH_FLAGS
            else:
                flags = RUN_LINK_FLAGS
            program_object = os.path.join(obj_dir, program + ".o")
            for allocator in ALLOCATORS:
                output = os.path.join(WORK, "wasm-" + opt, "%s.%s.js" % (program, allocator))
                links.append(Step(output, ["em++", "-" + opt, program_object] +
                                  allocator_args[allocator] + flags + ["-o", output],
                                  [program_object] + allocator_inputs[allocator], env))
                outputs[(program, allocator, opt)] = output
        if opt == "O2":
            # Alligator with its growth observed (bench/growth_breakdown.cpp), for the builds
            # that explain the memory rows; never linked into a measured build.
            observed_shim = os.path.join(obj_dir, "alligator-observed", "emscripten_memory.o")
            shim_source = os.path.join(ROOT, "shim/src/emscripten_memory.cpp")
            objects.append(Step(observed_shim, ["em++", "-O2", "-std=c++20"] +
                                ALLIGATOR_INCLUDES + ["-DALLIGATOR_GROWTH_OBSERVER", "-c",
                                                      shim_source, "-o", observed_shim],
                                [shim_source] + em_headers, env))
            breakdown_source = os.path.join(BENCH, "growth_breakdown.cpp")
            breakdown_object = os.path.join(obj_dir, "growth_breakdown.o")
            objects.append(Step(breakdown_object, ["em++", "-O2", "-std=c++20"] +
                                ALLIGATOR_INCLUDES + ["-c", breakdown_source, "-o",
                                                      breakdown_object],
                                [breakdown_source] + em_headers, env))
            observed_objects = [o for o in alligator_objects
                                if not o.endswith("emscripten_memory.o")] + [
                                    observed_shim, breakdown_object]
            real_program_builds(obj_dir, allocator_args, allocator_inputs, unavailable, env,
                                objects, links, outputs, observed_objects)

            # The peak rows observed, as the measured builds link them but for the observer.
            for program in PEAKS:
                inputs = [os.path.join(obj_dir, program + ".o")] + observed_objects
                output = os.path.join(WORK, "wasm-O2", program + ".alligator-observed.js")
                links.append(Step(output, ["em++", "-O2"] + inputs + ["-sMALLOC=none"] +
                                  RUN_LINK_FLAGS + EXACT_GROWTH_FLAGS + ["-o", output], inputs,
                                  env))
                outputs[(program, "alligator-observed", "exact")] = output

            # The memory workloads once more with Alligator and its heap map, which the
            # measured link leaves out (the map's text would take linear memory): draw_heap_maps.
            for program in MAPPED:
                flags = (HEAP_EFFICIENCY_LINK_FLAGS if program == "heap_efficiency" else
                         RUN_LINK_FLAGS + EXACT_GROWTH_FLAGS)
                inputs = [os.path.join(obj_dir, program + ".o")] + alligator_objects + map_objects
                output = os.path.join(WORK, "wasm-O2", program + ".alligator-map.js")
                links.append(Step(output, ["em++", "-O2"] + inputs + ["-sMALLOC=none"] + flags +
                                  ["-sNODERAWFS=1", "-o", output], inputs, env))
                outputs[(program, "alligator-map", opt)] = output
    return objects, links, outputs


def real_program_builds(obj_dir, allocator_args, allocator_inputs, unavailable, env, objects,
                        links, outputs, observed_objects):
    """The real programs (bench/real_programs.py): their objects compiled once, linked with each
    allocator with the timed workloads' flags plus the program's own (real_programs.link_flags:
    a small initial memory, and the file system to read its input); once more with exact
    growth for the memory rows (key (name, allocator, "exact")); and with Alligator's growth
    observed, for memory_breakdowns (key (name, "alligator-observed", "exact"))."""
    for program in real_programs.PROGRAMS:
        if program in unavailable:
            continue
        steps = real_programs.builds(program, obj_dir, "O2")
        objects += [Step(output, command, inputs, env) for output, command, inputs in steps]
        program_objects = [output for output, _, _ in steps]
        name = WORKLOADS[program]["program"]
        for allocator in ALLOCATORS:
            output = os.path.join(WORK, "wasm-O2", "%s.%s.js" % (name, allocator))
            links.append(Step(output, ["em++", "-O2"] + program_objects +
                              allocator_args[allocator] + RUN_LINK_FLAGS +
                              real_programs.link_flags(program) + ["-o", output],
                              program_objects + allocator_inputs[allocator], env))
            outputs[(name, allocator, "O2")] = output
            exact = os.path.join(WORK, "wasm-O2", "%s.%s.exact.js" % (name, allocator))
            links.append(Step(exact, ["em++", "-O2"] + program_objects +
                              allocator_args[allocator] + RUN_LINK_FLAGS + EXACT_GROWTH_FLAGS +
                              real_programs.link_flags(program) + ["-o", exact],
                              program_objects + allocator_inputs[allocator], env))
            outputs[(name, allocator, "exact")] = exact
        observed = os.path.join(WORK, "wasm-O2", "%s.alligator-observed.js" % name)
        links.append(Step(observed, ["em++", "-O2"] + program_objects + ["-sMALLOC=none"] +
                          observed_objects + RUN_LINK_FLAGS + EXACT_GROWTH_FLAGS +
                          real_programs.link_flags(program) + ["-o", observed],
                          program_objects + observed_objects, env))
        outputs[(name, "alligator-observed", "exact")] = observed


def native_builds():
    """Compiles the native i686 measurement programs; returns {allocator: executable}."""
    native_dir = os.path.join(WORK, "native")
    native_include = os.path.join(BENCH, "native", "include")
    shim_header = os.path.join(native_include, "emscripten", "heap.h")
    bench_source = os.path.join(BENCH, "native", "native_bench.cpp")
    shim_source = os.path.join(BENCH, "native", "native_shim.c")
    all_headers = headers("allocator/include", "shim/include", "allocator/src",
                          "bench/native/include")
    objects, links, outputs = [], [], {}
    # Emscripten's allocators as Emscripten configures them (system_libs.py: -fno-builtin
    # -DNDEBUG at -O2; dlmalloc.c's __EMSCRIPTEN__ block: no mmap, no trimming, 8-byte
    # alignment, no stats, ABORT unreachable, 4 KiB pages), over native_shim.c's sbrk.
    emscripten_cflags = ["gcc", "-m32", "-O2", "-w", "-fno-builtin", "-DNDEBUG"]
    dlmalloc = os.path.join(EMSCRIPTEN_LIB, "dlmalloc.c")
    dlmalloc_object = os.path.join(native_dir, "dlmalloc.o")
    objects.append(Step(dlmalloc_object, emscripten_cflags + [
        "-DUSE_DL_PREFIX", "-DHAVE_MMAP=0", "-DMORECORE=bench_sim_sbrk",
        "-DMORECORE_CANNOT_TRIM=1", "-DUSE_LOCKS=0", "-DMALLOC_ALIGNMENT=8",
        "-DNO_MALLOC_STATS=1", "-DABORT=__builtin_unreachable()", "-Dmalloc_getpagesize=4096",
        "-include", shim_header, "-c", dlmalloc, "-o", dlmalloc_object],
        [dlmalloc, shim_header]))
    # emmalloc.c defines the standard names (weak) and __libc_* aliases: renamed here so the
    # native program keeps glibc's malloc; the benchmark calls emmalloc_malloc/emmalloc_free.
    renames = ["malloc", "free", "calloc", "realloc", "memalign", "aligned_alloc",
               "posix_memalign", "malloc_usable_size", "mallinfo", "malloc_trim",
               "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc"]
    emmalloc = os.path.join(EMSCRIPTEN_LIB, "emmalloc.c")
    emmalloc_object = os.path.join(native_dir, "emmalloc.o")
    objects.append(Step(emmalloc_object, emscripten_cflags + [
        "-I" + native_include, "-Dsbrk=bench_sim_sbrk"] +
        ["-D%s=emmalloc_native_%s" % (name, name) for name in renames] +
        ["-c", emmalloc, "-o", emmalloc_object], [emmalloc] + all_headers))
    shim_object = os.path.join(native_dir, "native_shim.o")
    objects.append(Step(shim_object, ["gcc", "-m32", "-O2", "-I" + native_include, "-c",
                                      shim_source, "-o", shim_object],
                        [shim_source] + all_headers))
    alligator_objects = []
    for source in ALLIGATOR_NATIVE_SOURCES:
        output = os.path.join(native_dir, "alligator",
                              os.path.basename(source).replace(".cpp", ".o"))
        alligator_objects.append(output)
        objects.append(Step(output, ["g++", "-m32", "-O2", "-std=c++20"] + ALLIGATOR_INCLUDES +
                            ["-c", os.path.join(ROOT, source), "-o", output],
                            [os.path.join(ROOT, source)] + all_headers))
    per_allocator = {
        # One simulated memory for all three (native_shim.c): native_bench.cpp says why.
        "alligator": (["-DBENCH_ALLIGATOR"] + ALLIGATOR_INCLUDES,
                      alligator_objects + [shim_object]),
        "dlmalloc": (["-DBENCH_DLMALLOC"], [dlmalloc_object, shim_object]),
        "emmalloc": (["-DBENCH_EMMALLOC"], [emmalloc_object, shim_object]),
    }
    for allocator, (defines, objs) in per_allocator.items():
        output = os.path.join(native_dir, "native_bench." + allocator)
        links.append(Step(output, ["g++", "-m32", "-O2", "-std=c++20"] + defines +
                          [bench_source] + objs + ["-o", output],
                          [bench_source] + objs + all_headers))
        outputs[allocator] = output
    return objects, links, outputs


# ----------------------------------------------------------------------------------------------
# Runs


class Problems:
    def __init__(self):
        self.items = []

    def add(self, message):
        log("  PROBLEM: " + message)
        self.items.append(message)


def raise_priority():
    """Timed runs ask for nice -10 (granted to root only): background load then disturbs them
    less. The same for every allocator; ignored when not permitted."""
    try:
        os.nice(-10)
    except OSError:
        pass


# --no-liftoff: V8 compiles each wasm function with TurboFan when it is first called (lazily, as
# by default) and never with Liftoff, so no function is swapped for faster code mid-run; the
# programs' untimed warm-ups make most of those first calls. With V8's default tiering (Liftoff
# first, TurboFan later in the background for functions that turn hot) the timed parts also
# measured when each hot function was swapped in, which no allocator controls (README.md,
# Benchmarks). --v8-tiering removes the flag here, for comparison (malloc_share.py reads this
# list too).
NODE_FLAGS = ["--no-experimental-fetch", "--no-liftoff"]


def run_wasm(js, mode, timeout, arguments=()):
    command = ["node"] + NODE_FLAGS + [js, mode] + list(arguments)
    start = time.time()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                cwd=os.path.dirname(js), preexec_fn=raise_priority)
    except subprocess.TimeoutExpired:
        return dict(status="timeout", seconds=time.time() - start, output="")
    output = result.stdout + result.stderr
    found = re.search(r"^RESULT (\S+)$", result.stdout, re.M)
    check = re.search(r"^CHECK (\S+)$", result.stdout, re.M)
    memory = re.search(r"^MEMORY (\d+)$", result.stdout, re.M)  # real programs only
    if result.returncode == 0 and found:
        status = "ok"
    elif result.returncode == 2 or re.search(r"^OOM", result.stdout, re.M):
        status = "oom"
    else:
        status = "crash (exit %d)" % result.returncode
    return dict(status=status, seconds=time.time() - start, output=output,
                value=float(found.group(1)) if found and status == "ok" else None,
                check=check.group(1) if check else None,
                memory=int(memory.group(1)) if memory and status == "ok" else None)


def draw_heap_maps(wasm, mode, out_dir, problems, extra_info):
    """Alligator's heap after each memory workload (heap_efficiency: at its first failure; the
    peak_* rows: at their end), as heap maps beside the plot."""
    os.makedirs(out_dir, exist_ok=True)
    drawn = []
    for program in MAPPED:
        js = wasm[(program, "alligator-map", "O2")]
        path = os.path.join(out_dir, program + "_alligator.html")
        run = subprocess.run(["node", "--no-experimental-fetch", js, mode, path],
                             capture_output=True, text=True, timeout=900,
                             cwd=os.path.dirname(js))
        if run.returncode != 0 or not os.path.exists(path):
            problems.add("heap map of %s under alligator: exit %d: %s" % (
                program, run.returncode, (run.stdout + run.stderr)[-800:]))
            continue
        drawn.append("[%s](%s)" % (program, os.path.basename(path)))
        log("bench: drew Alligator's heap after %s: %s" % (program, os.path.relpath(path, ROOT)))
    if drawn:
        extra_info.setdefault("notes", []).append(
            "Alligator's heap drawn after each memory workload (heap_efficiency at its first "
            "failure, the peak rows at their end; open them in a browser): " + ", ".join(drawn) +
            ".")


def parse_breakdown(output):
    """The growth observer's line in a run's output, or None when there is none or it does not
    parse."""
    found = re.search(r"^GROWTH_BREAKDOWN (\{.*\})$", output, re.M)
    try:
        return json.loads(found.group(1)) if found else None
    except ValueError:
        return None


def memory_breakdowns(wasm, mode, unavailable, results, problems):
    """Where Alligator's memory was at its last growth, for each memory row
    (bench/growth_breakdown.cpp), from builds like the measured ones but with the growth
    observed (the peak rows with their own seed). {row: breakdown, with the row's bytes}."""
    found = {}
    rows = {**{row: row for row in PEAKS},
            **{program + "_memory": program for program in real_programs.PROGRAMS}}
    for row, program in rows.items():
        if program in unavailable:
            continue
        real = program in real_programs.PROGRAMS
        name = WORKLOADS[program]["program"] if real else program
        run = run_wasm(wasm[(name, "alligator-observed", "exact")], mode, 900,
                       real_programs.run_arguments(program) if real else ())
        breakdown = parse_breakdown(run["output"]) if run["status"] == "ok" else None
        if breakdown is None:
            problems.add("memory breakdown of %s: %s; output: %s" % (
                row, "no GROWTH_BREAKDOWN line" if run["status"] == "ok" else run["status"],
                run["output"][-800:].strip()))
            continue
        problem = breakdown_problem(breakdown)
        if problem:
            problems.add("memory breakdown of %s: %s" % (row, problem))
        breakdown["row_alligator"] = results[row].get("alligator")
        breakdown["row_dlmalloc"] = results[row].get("dlmalloc")
        found[row] = breakdown
    return found


# Columns of the breakdown table: (key, heading), in KiB; their sum is memory_at_exit.
BREAKDOWN_COLUMNS = [
    ("below_heap", "below the heap (data, stack)"),
    ("start_alignment", "__heap_base to the heap's start"),
    ("live_segments", "live Segments"), ("large_blocks", "large blocks"),
    ("free_segments", "free Segments"), ("mini_page_ends", "MiniPage ends"),
    ("free_spans", "free spans"), ("spare_spans", "spare spans"),
    ("metadata", "metadata (slot 0, apron, pool, records)"), ("grown", "the last growth"),
]


# What a heap walk finds, span by span: together, the heap.
HEAP_PARTS = ["live_segments", "large_blocks", "free_segments", "mini_page_ends", "free_spans",
              "spare_spans", "metadata"]


def breakdown_problem(breakdown):
    """Why a breakdown does not account for the memory at exit, or None: the walk's parts must
    make up the heap, and below_heap + start_alignment + heap + grown the memory."""
    if breakdown.get("unreadable_mini_pages"):
        return "%d MiniPage(s) the walk could not read" % breakdown["unreadable_mini_pages"]
    parts = sum(breakdown[key] for key in HEAP_PARTS)
    if parts != breakdown["heap"]:
        return "its parts add up to %d bytes, the heap walked is %d" % (parts, breakdown["heap"])
    total = sum(breakdown[key] for key in ("below_heap", "start_alignment", "heap", "grown"))
    if total != breakdown["memory_at_exit"]:
        return "below the heap, the heap and the last growth add up to %d bytes, the memory at " \
               "exit is %d" % (total, breakdown["memory_at_exit"])
    return None


def kib(count):
    return "{:,.0f}".format(count / 1024.0)


def breakdown_lines(breakdowns):
    lines = ["", "## Where Alligator's memory is at its last growth", "",
             "Second builds of the memory rows (Alligator, exact growth) with the growth observed "
             "(bench/growth_breakdown.cpp): at the last growth, before the heap takes the new "
             "pages, its spans are walked. The memory at the end is what lies below the heap, "
             "the gap from __heap_base to the heap's first byte, the heap at that moment and the "
             "pages the growth added, in KiB (each rounded). Live Segments count at their class "
             "size (the requests' own sizes are not known here); top classes: class size x live "
             "Segments. The peak rows show their own seed (the rows of peak_large_set and "
             "peak_mixed_lifetimes are six-seed means), and a build differs from the measured "
             "one by the observer's code and data, which can move the heap's start.", "",
             "| row | memory (this build) | row: alligator / dlmalloc | " +
             " | ".join(heading for _, heading in BREAKDOWN_COLUMNS) +
             " | free spans (count) | growths | top classes |",
             "|---|--:|--:|" + "--:|" * len(BREAKDOWN_COLUMNS) + "--:|--:|---|"]
    for row, b in breakdowns.items():
        ratio_text = ("%.3f" % (b["row_alligator"] / b["row_dlmalloc"])
                      if b.get("row_alligator") and b.get("row_dlmalloc") else "n/a")
        lines.append("| %s | %s | %s | %s | %d | %d | %s |" % (
            row, kib(b["memory_at_exit"]), ratio_text,
            " | ".join(kib(b[key]) for key, _ in BREAKDOWN_COLUMNS),
            b["free_span_count"], b["growths"],
            ", ".join("%d x %d" % (size, count) for size, count in b["top_classes"])))
    return lines


def run_native_latency(executable, operations, samples_path, timeout):
    result = subprocess.run([executable, "latency", str(LATENCY_LIVE), str(operations),
                             samples_path], capture_output=True, text=True, timeout=timeout,
                            preexec_fn=raise_priority)
    found = re.search(r"^LATENCY (\d+) (\d+) (\d+) (\d+) ([\d.]+)$", result.stdout, re.M)
    if result.returncode != 0 or not found:
        return dict(status="crash (exit %d)" % result.returncode,
                    output=result.stdout + result.stderr)
    p50, p99, peak, overhead = (int(x) for x in found.groups()[:4])
    step = float(found.group(5))
    return dict(status="ok", p50=p50, p99=p99, max=peak, overhead=overhead, step=step)


def callgrind_steps(executable, live, out_file):
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
               "--callgrind-out-file=" + out_file, executable, "steps", str(live),
               str(STEPS_OPERATIONS)]
    result = subprocess.run(command, capture_output=True, text=True)
    totals = None
    if result.returncode == 0 and os.path.exists(out_file):
        with open(out_file) as file:
            found = re.search(r"^totals: (\d+)", file.read(), re.M)
            totals = int(found.group(1)) if found else None
    if totals is None:
        raise RuntimeError("callgrind run failed: %s\n%s%s" % (" ".join(command), result.stdout,
                                                               result.stderr[-3000:]))
    return totals / STEPS_OPERATIONS


def native_unavailable():
    """Why the native i686 figures cannot be measured on this machine, or None. On a kernel
    without 32-bit support scripts/setup has qemu-i386 run 32-bit programs (binfmt_misc): their
    timings would be the emulator's, and Callgrind's x86 tool does not start under it."""
    try:
        with open("/proc/sys/fs/binfmt_misc/qemu-i386") as file:
            if file.readline().strip() == "enabled":
                return ("this machine runs 32-bit programs only under qemu-i386, which would time "
                        "the emulator: latency and steps_flatness are n/a")
    except OSError:
        pass
    return None


def measure_steps(native, jobs, problems):
    """Instructions per alloc+free pair at 10^3 and 10^6 live blocks, under Callgrind."""
    out_dir = os.path.join(WORK, "callgrind")
    os.makedirs(out_dir, exist_ok=True)
    tasks = [(allocator, live) for allocator in NATIVE_ALLOCATORS
             for live in (STEPS_SMALL, STEPS_LARGE)]
    per_op = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(callgrind_steps, native[a], live,
                               os.path.join(out_dir, "%s.%d.out" % (a, live))): (a, live)
                   for a, live in tasks}
        for future in concurrent.futures.as_completed(futures):
            allocator, live = futures[future]
            try:
                per_op[(allocator, live)] = future.result()
                log("  steps    %-9s live %-7d %.1f instructions per alloc+free pair"
                    % (allocator, live, per_op[(allocator, live)]))
            except RuntimeError as error:
                problems.add("steps_flatness %s live %d: %s" % (allocator, live, error))
    flatness, detail = {}, {}
    for allocator in NATIVE_ALLOCATORS:
        small, large = per_op.get((allocator, STEPS_SMALL)), per_op.get((allocator, STEPS_LARGE))
        detail[allocator] = {"live_%d" % STEPS_SMALL: small, "live_%d" % STEPS_LARGE: large}
        flatness[allocator] = round(large / small, 4) if small and large else None
    return flatness, detail


def per_pair_percentiles(paths):
    """p50, p99 and max of each pair's median over the runs (the runs replay one sequence)."""
    runs = []
    for path in paths:
        samples = array.array("I")
        with open(path, "rb") as file:
            samples.frombytes(file.read())
        runs.append(samples)
    if not runs or len({len(r) for r in runs}) != 1:
        return None
    middle = len(runs) // 2
    if len(runs) == 1:
        merged = sorted(runs[0])
    elif len(runs) % 2 == 1:
        merged = sorted(sorted(column)[middle] for column in zip(*runs))
    else:
        merged = sorted((lambda c: (c[middle - 1] + c[middle]) / 2)(sorted(column))
                        for column in zip(*runs))
    pick = lambda p: merged[min(len(merged) - 1, int(p * len(merged)))]
    return {"p50": pick(0.50), "p99": pick(0.99), "max": merged[-1]}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def rounded(value):
    if value is None:
        return None
    if value == 0:
        return 0
    digits = max(0, 4 - len(str(int(abs(value)))))
    result = round(value, digits)
    return int(result) if digits == 0 else result


# ----------------------------------------------------------------------------------------------
# Reports


def ratio(workload, allocator, results):
    value, base = results[workload].get(allocator), results[workload].get("dlmalloc")
    if value is None or not base:
        return None
    return value / base


def advantage(workload, allocator, results):
    """How many times better than dlmalloc (> 1: better), whichever way the metric points."""
    value, base = results[workload].get(allocator), results[workload].get("dlmalloc")
    if value is None or base is None or value == 0 or base == 0:
        return None
    return value / base if WORKLOADS[workload]["higher"] else base / value


def fmt(value, unit=None):
    if value is None:
        return "n/a"
    if isinstance(value, int) or (unit in ("bytes", "cycles") and float(value).is_integer()):
        return "{:,}".format(int(value))
    if abs(value) >= 1000:
        return "{:,.0f}".format(value)
    return "{:.3g}".format(value) if abs(value) < 10 else "{:.1f}".format(value)


def noise_rows(samples):
    """{workload: {allocator: paired.summary}} for the rows whose runs are timed (heap_efficiency
    is run with them but is deterministic): each repetition's advantage over dlmalloc, and how
    far their median can be trusted (bench/paired.py)."""
    rows = {}
    for workload in NOISY:
        per_allocator = samples.get(workload, {})
        base, higher = per_allocator.get("dlmalloc", []), WORKLOADS[workload]["higher"]
        rows[workload] = {a: paired.summary(base, per_allocator.get(a, []), higher)
                          for a in ALLOCATORS[1:]}
    return rows


NOT_SHOWN = paired.NOT_SHOWN


def never_worse_status(noise):
    """The real-program issue's first goal: no timed wasm row worse than dlmalloc beyond the
    noise measured in the same run (the native latency rows are single figures, no pairs).
    Missed when a row is worse beyond noise; NOT_SHOWN when none is but some row's median
    advantage is below 1 (the run cannot tell it from noise, which does not make it as fast);
    n/a when some row has no verdict (too few repetitions, or no runs). In latest.json "met" is
    then true, false, "not shown" or null: a consumer must not test it for truth."""
    alligator = {w: row.get("alligator") for w, row in noise.items()}

    def describe(workload):
        row = alligator[workload]
        return "%s %.3f (%d of %d worse)" % (workload, row["median"], row["worse"],
                                             row["better"] + row["worse"])

    worse = [w for w, row in alligator.items() if row and row["verdict"] == "worse"]
    below = [w for w, row in alligator.items()
             if row and row["verdict"] == "within noise" and row["median"] < 1]
    undecided = [w for w, row in alligator.items()
                 if not row or row["verdict"] == paired.TOO_FEW]
    parts = ["worse beyond noise: " + (", ".join(map(describe, worse)) or "none")]
    if below:
        parts.append("median below 1 within noise: " + ", ".join(map(describe, below)))
    if undecided:
        parts.append("no verdict: " + ", ".join(undecided))
    if worse:
        met = False
    elif undecided or not alligator:
        met = None
    else:
        met = NOT_SHOWN if below else True
    return ("every timed wasm row: alligator not worse than dlmalloc beyond noise",
            "; ".join(parts), met)


def target_entry(target, measured, met):
    """One target as latest.json gives it: met is true, false, null (n/a) or "not shown"."""
    return {"target": target, "measured": measured,
            "met": met if met is None or met == NOT_SHOWN else bool(met)}


def targets_status(results, native_missing, noise):
    """(target, measured, met) rows; met is None (n/a) for a native figure this machine cannot
    measure, which is neither met nor missed, and NOT_SHOWN for the never-worse row when the
    run cannot tell (never_worse_status)."""
    rows = []
    for workload, op, goal in TARGETS:
        value = ratio(workload, "alligator", results)
        met = value is not None and (value >= goal if op == ">=" else value <= goal)
        if native_missing and workload.startswith("latency_"):
            met = None
        rows.append(("%s: alligator / dlmalloc %s %g" % (workload, op, goal),
                     PEAK_FAILURES.get((workload, "alligator"), "n/a") if value is None
                     else "%.3g" % value, met))
    rows.append(never_worse_status(noise))
    size = results["code_size_oz"]
    alligator_size, emmalloc_size = size.get("alligator"), size.get("emmalloc")
    met = None not in (alligator_size, emmalloc_size) and alligator_size <= emmalloc_size
    rows.append(("code_size_oz: alligator <= emmalloc (%s bytes), aim 1,536" %
                 fmt(emmalloc_size, "bytes"), fmt(alligator_size, "bytes"), met))
    flat = results["steps_flatness"].get("alligator")
    rows.append(("steps_flatness: alligator <= 1.05", fmt(flat),
                 None if native_missing else flat is not None and flat <= 1.05))
    return rows


def write_plot(results, out_dir, title):
    """Grouped bars on a log scale: each allocator's advantage over dlmalloc, per workload."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return "gnuplot not found: no plot"
    keys = list(WORKLOADS)
    table = {(w, a): advantage(w, a, results) for w in keys for a in ALLOCATORS}
    values = [v for v in table.values() if v is not None]
    low = min(values + [1.0]) / 1.5
    high = max(values + [1.0]) * 1.6
    width = 0.19
    data_path = os.path.join(WORK, "plot.dat")
    with open(data_path, "w") as file:
        for slot, allocator in enumerate(ALLOCATORS):
            file.write("# %s: x value x_low x_high y_low y_high\n" % allocator)
            for index, workload in enumerate(keys):
                value = table[(workload, allocator)]
                x = index + (slot - 1.5) * (width + 0.01)
                if value is None:
                    file.write("%.3f NaN NaN NaN NaN NaN\n" % x)
                else:
                    file.write("%.3f %.5g %.3f %.3f %.5g %.5g\n" % (
                        x, value, x - width / 2, x + width / 2, low, value))
            file.write("\n\n")
    xtics = ", ".join('"%s%s" %d' % (w, "" if WORKLOADS[w]["higher"] else " *", i)
                      for i, w in enumerate(keys))
    colors = ["#9a9a9a", "#1f77b4", "#2ca02c", "#ff7f0e"]
    plots = []
    for slot, allocator in enumerate(ALLOCATORS):
        plots.append("'%s' index %d using 1:2:3:4:5:6 with boxxyerror fillstyle solid 0.9 "
                     "border lc rgb '#404040' lc rgb '%s' title '%s'"
                     % (data_path, slot, colors[slot], allocator))
    for slot, allocator in enumerate(ALLOCATORS[1:], start=1):
        plots.append("'%s' index %d using 1:($2 * 1.06):(sprintf('%%.2f', $2)) with labels "
                     "font ',7' rotate by 90 left notitle" % (data_path, slot))
    script = "\n".join([
        "set terminal svg size 1200,600 dynamic noenhanced font 'Helvetica,12' "
        "background '#ffffff'",
        "set output '%s'" % os.path.join(out_dir, "latest.svg"),
        "set title \"%s\"" % title.replace('"', "'"),
        "set logscale y 2",
        "set yrange [%g:%g]" % (low, high * 1.3),
        "set xrange [-0.6:%g]" % (len(keys) - 0.4),
        "set ylabel 'times better than dlmalloc (log scale)'",
        "set xtics (%s) rotate by -35 font ',11' nomirror" % xtics,
        "set ytics (0.0625, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32) nomirror",
        "set grid ytics lc rgb '#e0e0e0'",
        "set key at screen 0.5, screen 0.075 center horizontal",
        "set datafile missing 'NaN'",
        "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb '#000000' front",
        "set label 'Above the line: better than dlmalloc. * lower-is-better figure, plotted as "
        "dlmalloc / value. Missing bar: n/a.' at screen 0.5, screen 0.025 center font ',10'",
        "set bmargin 11",
        "plot " + ", \\\n     ".join(plots),
    ])
    script_path = os.path.join(WORK, "plot.gp")
    with open(script_path, "w") as file:
        file.write(script + "\n")
    result = subprocess.run([gnuplot, script_path], capture_output=True, text=True)
    if result.returncode != 0:
        return "gnuplot failed: " + result.stderr
    return None


def unavailable_reason(workload, extra):
    """Why a real program's rows have no figures (its package could not be fetched), or None."""
    program = workload[:-len("_memory")] if workload.endswith("_memory") else workload
    return extra.get("unavailable", {}).get(program)


def write_reports(results, extra, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    steps = [s for runs in extra["latency_per_run"].values() for s in runs.get("step", [])]
    if steps and statistics.median(steps) > 1:
        extra.setdefault("notes", []).append(
            "This machine's TSC advanced in steps of about %g ticks (measured by each latency "
            "run from its empty measurements): the latency figures have that resolution."
            % statistics.median(steps))
    document = {"workloads": {}}
    for workload, spec in WORKLOADS.items():
        entry = {"unit": spec["unit"]}
        for allocator in ALLOCATORS:
            entry[allocator] = rounded(results[workload].get(allocator))
        reason = unavailable_reason(workload, extra)
        if reason:
            entry["unavailable"] = reason
        document["workloads"][workload] = entry
    document.update(extra)
    document["higher_is_better"] = {w: s["higher"] for w, s in WORKLOADS.items()}
    document["ratios_to_dlmalloc"] = {
        w: {a: (None if ratio(w, a, results) is None else round(ratio(w, a, results), 4))
            for a in ALLOCATORS} for w in WORKLOADS}
    noise = noise_rows(extra["samples"])
    document["paired_advantages"] = noise
    targets = targets_status(results, extra.get("native_unavailable"), noise)
    targets.append(threads_bench.speedup_target(extra["samples"]))
    document["targets"] = [target_entry(t, m, ok) for t, m, ok in targets]
    with open(os.path.join(out_dir, "latest.json"), "w") as file:
        json.dump(document, file, indent=2)
        file.write("\n")

    machine = extra["machine"]
    title = "Alligator vs Emscripten's allocators (%s run, %s)" % (extra["mode"], extra["date"])
    plot_problem = write_plot(results, out_dir, title)
    if plot_problem:
        extra["problems"].append(plot_problem)

    lines = ["# Benchmark results", "",
             "Written by `scripts/bench%s` on %s (%d repetitions, medians)." % (
                 " --quick" if extra["mode"] == "quick" else "", extra["date"],
                 extra["repetitions"]), "",
             "- Alligator: commit %s" % extra["commit"],
             "- Machine: %d CPUs, %s, %s" % (machine["nproc"], machine["cpu"], machine["os"]),
             "- Compilers: %s; native: %s" % (extra["compilers"]["emcc"],
                                              extra["compilers"]["g++"]),
             "- Runtime: Node %s (`node %s`); %s" % (
                 extra["compilers"]["node"], " ".join(extra.get("node_flags", [])),
                 extra["compilers"]["valgrind"]),
             "- Run time: %.0f s (builds included); load average (1 min) %.1f at the start, "
             "%.1f at the end" % (extra["seconds"], extra["load_average"]["start"][0],
                                  extra["load_average"]["end"][0]), "",
             "## Medians", "",
             "| workload | unit | better | dlmalloc | emmalloc | alligator | bump "
             "| alligator / dlmalloc |",
             "|---|---|---|--:|--:|--:|--:|--:|"]
    for workload, spec in WORKLOADS.items():
        alligator_ratio = ratio(workload, "alligator", results)
        reason = unavailable_reason(workload, extra)
        if reason:
            lines.append("| %s | %s | %s | unavailable: %s |||||" % (
                workload, spec["unit"], "higher" if spec["higher"] else "lower", reason))
            continue
        lines.append("| %s | %s | %s | %s | %s |" % (
            workload, spec["unit"], "higher" if spec["higher"] else "lower",
            " | ".join(fmt(results[workload].get(a), spec["unit"]) for a in ALLOCATORS),
            "n/a" if alligator_ratio is None else "%.2f" % alligator_ratio))
    lines += ["", "## Ratios to dlmalloc (value / dlmalloc's value)", "",
              "| workload | better | emmalloc | alligator | bump |", "|---|---|--:|--:|--:|"]
    for workload, spec in WORKLOADS.items():
        cells = []
        for allocator in ALLOCATORS[1:]:
            value = ratio(workload, allocator, results)
            cells.append("n/a" if value is None else "%.2f" % value)
        lines.append("| %s | %s | %s |" % (workload, "higher" if spec["higher"] else "lower",
                                          " | ".join(cells)))
    if extra.get("memory_breakdown"):
        lines += breakdown_lines(extra["memory_breakdown"])
    lines += ["", "## Noise: Alligator against dlmalloc, repetition by repetition", "",
              "Each repetition runs the allocators back to back, so each gives one advantage "
              "over dlmalloc (above 1: better; dlmalloc's time / Alligator's for times). The "
              "interval is a distribution-free confidence interval for their median (order "
              "statistics; coverage as given); a row is better or worse than dlmalloc only when "
              "the whole interval lies on that side of 1 (bench/paired.py).", "",
              "| workload | median advantage | interval | coverage | repetitions better / worse "
              "| verdict |", "|---|--:|--:|--:|--:|---|"]
    for workload, per_allocator in noise.items():
        row = per_allocator.get("alligator")
        if row is None:
            lines.append("| %s | n/a | | | | |" % workload)
            continue
        lines.append("| %s | %.3f | %.3f to %.3f | %.1f%% | %d / %d | %s |" % (
            workload, row["median"], row["low"], row["high"], 100 * row["coverage"],
            row["better"], row["worse"], row["verdict"]))
    lines += ["", "## Targets (Alligator, this run)", "", "| target | measured | met |",
              "|---|--:|:-:|"]
    for target, measured, met in targets:
        lines.append("| %s | %s | %s |" % (
            target, measured, "n/a" if met is None else "**%s**" % met if met == NOT_SHOWN
            else "yes" if met else "**no**"))
    lines += ["", "## Plot", "",
              "![Times better than dlmalloc, per workload and allocator](latest.svg)", "",
              "Each bar is an allocator's advantage over dlmalloc on a log scale: value / "
              "dlmalloc for higher-is-better figures, dlmalloc / value for lower-is-better ones "
              "(marked *), so a bar above the line at 1 is always better than dlmalloc. "
              "Missing bars are n/a (bump: out of memory, no native build, or zero code).", "",
              "## How each figure is measured", ""]
    lines += ["- " + line for line in METHOD]
    lines += ["", "## Problems seen in this run", ""]
    lines += ["- " + p.replace("\n", " ") for p in extra["problems"]] or ["None."]
    if extra.get("notes"):
        lines += ["", "## Notes", ""] + ["- " + n for n in extra["notes"]]
    with open(os.path.join(out_dir, "latest.md"), "w") as file:
        file.write("\n".join(lines) + "\n")


METHOD = [
    "Every wasm workload (bench/*.cpp) is compiled once with `em++ -O2 -std=c++20` and linked "
    "four ways with the same flags (`-sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB "
    "-sWASM_ASYNC_COMPILATION=0 -sEXIT_RUNTIME=1`, and `--pre-js bench/fixed_program_name.js`, "
    "which names every program ./this.program: Emscripten otherwise passes the script's "
    "absolute path, which startup code copies into a malloc'd block, so the checkout's path "
    "and the allocator's name changed the allocations; Alligator's sqlite_memory took 297, "
    "299 or 301 pages as the name's length went from 1 to 121 characters, dlmalloc's 278 "
    "throughout): `-sMALLOC=dlmalloc`, `-sMALLOC=emmalloc`, "
    "`-sMALLOC=none` + Alligator's sources (compiled with `em++ -O2 -std=c++20`, new_delete.cpp "
    "included) and `-sMALLOC=none` + bench/bump_allocator.c. Runs go under Node with "
    "`--no-liftoff` (V8 compiles each wasm function with TurboFan on its first call, never with "
    "Liftoff, so no function is swapped for faster code while it is timed: with V8's default "
    "tiering, quick runs of the real "
    "programs measured mostly when their hot functions were swapped to TurboFan, 355-455 ms "
    "against 135-189 ms for sqlite under dlmalloc on 2026-12-06; `scripts/bench --v8-tiering` "
    "measures that way), interleaved "
    "(dlmalloc, emmalloc, alligator, bump for each workload, then the next repetition); each "
    "program draws its operations from a fixed-seed PRNG (timed runs ask for nice -10, "
    "granted to root, so that background load disturbs them less), warms up on a tenth of the work, "
    "times only the measured part with emscripten_get_now(), and checks its blocks' contents "
    "and alignment. A program's digest (CHECK) must be the same under every allocator.",
    "Noise: the tables' medians are per allocator; the noise section pairs the runs of one "
    "repetition instead (they ran back to back) and gives, per timed row, the median of those "
    "paired advantages over dlmalloc with a distribution-free confidence interval for it: the "
    "sorted advantages' k-th lowest and k-th highest, for the largest k whose coverage 1 - 2 "
    "P(Bin(n, 1/2) < k) is at least 90% (n = 7: the lowest and highest, 98.4%; fewer than five "
    "repetitions reach no 90% interval, and their rows get no verdict). A row is worse than "
    "dlmalloc only when the whole interval is below 1. latest.json: paired_advantages.",
    "random_actions: a pool of 256 slots; a random slot is allocated if empty, else freed (2/3) "
    "or reallocated (1/3); sizes uniform 1..10000, alignment 8 << (tz/2) of a random 16-bit "
    "number (posix_memalign above 8). Actions per microsecond.",
    "small_churn: 10^4 live blocks of 1..2048 bytes, a random one freed and replaced per step; "
    "the free and the malloc count as one operation each.",
    "binary_trees: the Benchmarks Game program with new/delete (depth 16 quick, 18 full); trees "
    "built per second over all depths.",
    "containers: std::map<std::string, std::vector<int>> inserts/appends, lookups, erases and "
    "string building over 4096 keys; operations per second.",
    "heap_efficiency: built with `-sINITIAL_MEMORY=2MB -sMAXIMUM_MEMORY=64MB "
    "-sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=64KB -fno-builtin`; allocates (half 1..256 bytes, "
    "half 1..10000) and frees a random live block one step in three, until malloc first "
    "returns NULL. Ratio = bytes requested by the live blocks / (emscripten_get_heap_size() "
    "at the failure - &__heap_base), the memory the allocator had. Deterministic.",
    "code_size_o2, code_size_oz: size of bench/code_size.cpp's .wasm (malloc, calloc, realloc, "
    "free, new, delete, printf) built at -O2 / -Oz with each allocator minus its size with the "
    "bump allocator (the bump allocator's own few hundred bytes are in the baseline).",
    "latency_p50/p99/max: native i686 (`g++ -m32 -O2`) over one simulated wasm memory "
    "(bench/native/native_shim.c: address space mapped up front, so growing makes no system "
    "call): Alligator's Heap, growing through the shim's sbrk in whole 64 KiB pages (since "
    "2026-12-07; before, its own SimulatedMemory, which makes an mprotect call at each growth), "
    "and Emscripten's dlmalloc.c and emmalloc.c compiled from /usr/share/emscripten/system/lib "
    "with Emscripten's settings over the same sbrk. "
    "10^4 live blocks (sizes 90% 1..256, 9% 257..2048, 1% 2049..16384), "
    "each pair frees a random one and allocates a new one; TSC ticks (lfence-fenced rdtsc) per "
    "pair minus the timer's own median overhead. Every run replays the same sequence, so each "
    "pair's figure is its median over the runs (this removes the interrupts and preemptions "
    "that hit single runs and would otherwise be the max); p50, p99 and max are taken over "
    "those per-pair medians. Each run's own percentiles are in latest.json (latency_per_run).",
    "steps_flatness: the same native programs under `valgrind --tool=callgrind` (collection "
    "switched on only around the measured pairs): instructions per alloc+free pair with 10^6 "
    "live blocks divided by the same with 10^3 (after max(live, 10^5) warm-up pairs, 10^5 "
    "pairs counted). Instruction counts are exact and repeatable, so one run each.",
    "ast_rewrite: random expression trees (200..2000 polymorphic nodes of 12-32 bytes, calls "
    "with a std::vector of arguments and a std::string name) rebuilt by three rewriting passes "
    "that delete the old tree as they go, evaluated and deleted; 6000 rounds quick, 20000 full. "
    "Nodes allocated per microsecond.",
    "producer_consumer: messages (70% 16..256 bytes, 25% ..4096, 5% ..65536) produced in bursts "
    "into 8 queues by random key and consumed in bursts from random queues (checked, freed; one "
    "in four answered with a new message on the next queue), the backlog swinging between 1000 "
    "and 20,000. Messages produced and consumed per microsecond.",
    "realloc_strings: 256 strings grow side by side by pieces of 1..48 bytes, half by realloc to "
    "the exact length, half by doubling their capacity, up to a target (80% 32..1024 bytes, 18% "
    "..16 KiB, 2% ..64 KiB), then are checked and freed. Appends per microsecond.",
] + real_programs.METHOD + threads_bench.METHOD


# ----------------------------------------------------------------------------------------------
# Peak memory (issue 17): bench/peak_*.cpp, each linked like the timed workloads (the same
# RUN_LINK_FLAGS, -fno-builtin), run once per allocator (deterministic: the figure is a memory
# size, not a time). A NULL is a result: "out of memory at ...", in the targets table and notes.

PEAKS = ["peak_regrown_buffer", "peak_regrown_realloc", "peak_alternating_large",
         "peak_large_set", "peak_mixed_lifetimes"]
# The workloads whose heap bench draws with Alligator (draw_heap_maps).
MAPPED = ["heap_efficiency"] + PEAKS
PEAK_FAILURES = {}  # (workload, allocator): "out of memory at <request, step, memory>"
# The peak rows whose programs draw their steps at random run six seeds (their own first), and
# the row is the mean. One seed's end state follows where a few blocks happened to land: on
# 2026-12-06 versions of the allocator whose six-seed means were within 1% of each other moved
# single seeds of peak_mixed_lifetimes by up to 5% either way.
_MORE_SEEDS = ["0x5EED111", "0x5EED222", "0x5EED333", "0x5EED444", "0x5EED555"]
PEAK_SEEDS = {"peak_large_set": ["0x5EED0017"] + _MORE_SEEDS,
              "peak_mixed_lifetimes": ["0x5EED0018"] + _MORE_SEEDS}
for _peak in PEAKS:
    WORKLOADS[_peak] = dict(program=_peak, unit="bytes", higher=False)
    TARGETS.append((_peak, "<=", 1.0))
METHOD.append(
    "peak_*: the wasm memory size (emscripten_get_heap_size()) when the program ends, linked "
    "like the timed workloads (`-sMAXIMUM_MEMORY=2GB`, -fno-builtin), one run per allocator "
    "(deterministic). peak_regrown_buffer: `for (n = 8 MiB; n <= 200 MiB; n += 4 MiB) "
    "{ free(p); p = malloc(n); memset(p, 1, n); }`; peak_regrown_realloc: the same with "
    "`p = realloc(p, n)`; peak_alternating_large: malloc, memset and free 20, 24, ... 100 MiB; "
    "peak_large_set: 20 live blocks of 1..32 MiB, a random one replaced 400 times; "
    "peak_mixed_lifetimes: pools of small (1..256 B, 20000), medium (257 B..64 KiB, 2000) and "
    "large (64 KiB..4 MiB, 40) blocks, random frees, 400000 steps. These two draw their steps "
    "at random: each runs with its own seed and five more (0x5EED111 to 0x5EED555, the same "
    "for every allocator), and the row is the mean of the six end sizes (each seed's figure is "
    "in latest.json, peak_seed_values; before 2026-12-06 these rows ran the first seed alone). "
    "A NULL is reported as "
    "\"out of memory at\" the failing request (n/a in the tables, named in the targets and notes). "
    "Linked with `%s`, so that memory grows to exactly what the allocator asks for: by default "
    "Emscripten grows memory by at least 20%% of its size at a time, which rounds each "
    "allocator's figure up by a different 0-20%% (before 2026-12-05 these rows were measured "
    "that way, and allocators often ended on the same size)." % " ".join(EXACT_GROWTH_FLAGS))


def measure_real_memory(wasm, mode, results, unavailable, problems):
    """The real programs' memory rows: their exact-growth builds, one run per allocator."""
    for program in real_programs.PROGRAMS:
        if program in unavailable:
            continue
        name = WORKLOADS[program]["program"]
        for allocator in ALLOCATORS:
            run = run_wasm(wasm[(name, allocator, "exact")], mode, 900,
                           real_programs.run_arguments(program))
            if run["status"] == "ok" and run["memory"] is not None:
                results[program + "_memory"][allocator] = run["memory"]
                log("  %-22s %-9s %s bytes (%.1f s)" % (program + "_memory", allocator,
                                                        fmt(run["memory"], "bytes"),
                                                        run["seconds"]))
            else:
                problems.add("%s_memory under %s: %s; output: %s" % (
                    program, allocator, run["status"], run["output"][-800:].strip()))


def measure_peaks(wasm, mode, results, notes, problems, seed_values):
    """Each peak row, one run per allocator (and per seed in PEAK_SEEDS: the row is their mean,
    every seed's figure goes to seed_values)."""
    for workload in PEAKS:
        seeds = PEAK_SEEDS.get(workload, [None])
        for allocator in ALLOCATORS:
            values = []
            for seed in seeds:
                run = run_wasm(wasm[(workload, allocator, "O2")], mode, 900,
                               ["seed=" + seed] if seed else [])
                label = workload + (" seed=" + seed if seed else "")
                if run["status"] == "ok":
                    values.append(run["value"])
                    log("  %-22s %-9s %s bytes (%.1f s)" % (label, allocator,
                                                            fmt(run["value"], "bytes"),
                                                            run["seconds"]))
                    continue
                if run["status"] == "oom":
                    found = re.search(r"^OOM (.*)$", run["output"], re.M)
                    failure = ("out of memory at " +
                               (found.group(1) if found else "an unknown request") +
                               (" (seed %s)" % seed if seed else ""))
                    PEAK_FAILURES[(workload, allocator)] = failure
                    notes.append("%s under %s: %s" % (workload, allocator, failure))
                    log("  %-22s %-9s %s (%.1f s)" % (label, allocator, failure, run["seconds"]))
                else:
                    problems.add("%s under %s: %s; output: %s" % (
                        label, allocator, run["status"], run["output"][-800:].strip()))
                break
            if len(values) == len(seeds):
                results[workload][allocator] = sum(values) / len(values)
            if seeds != [None]:
                seed_values.setdefault(workload, {"seeds": seeds})[allocator] = values


# ----------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small workloads and 3 repetitions (under 3 minutes)")
    parser.add_argument("--repetitions", type=int, help="repetitions (default 3 quick, 7 full)")
    parser.add_argument("--v8-tiering", action="store_true",
                        help="run wasm with V8's default tiering (Liftoff, then TurboFan) "
                        "instead of --no-liftoff")
    parser.add_argument("--output", help="directory for latest.{md,json,svg} (default "
                        "bench/results, or bench/work/results-quick with --quick)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="parallel builds and Callgrind runs (default: nproc)")
    args = parser.parse_args()
    if args.v8_tiering:
        NODE_FLAGS.remove("--no-liftoff")
    mode = "quick" if args.quick else "full"
    repetitions = args.repetitions or (3 if args.quick else 7)
    out_dir = args.output or (os.path.join(WORK, "results-quick") if args.quick
                              else os.path.join(BENCH, "results"))
    started = time.time()
    problems = Problems()
    load_start = os.getloadavg()
    if load_start[0] > 0.5 * (os.cpu_count() or 1):
        log("bench: warning: load average %.1f on %d CPUs: other processes will disturb the "
            "timings" % (load_start[0], os.cpu_count() or 1))

    compilers = toolchain_versions()
    with open(FIXED_PROGRAM_NAME, "rb") as file:  # in link commands, not in their inputs
        salt = json.dumps(compilers, sort_keys=True) + hashlib.sha256(file.read()).hexdigest()
    log("bench: %s run, %d repetitions; building into %s" % (mode, repetitions,
                                                             os.path.relpath(WORK, ROOT)))
    unavailable = real_programs.prepare(log)
    for program, reason in unavailable.items():
        log("bench: %s unavailable: %s" % (program, reason))
    wasm_objects, wasm_links, wasm = wasm_builds(args.jobs, unavailable)
    native_objects, native_links, native = native_builds()
    thread_objects, thread_links, thread_programs = threads_bench.builds(
        BENCH, WORK, [os.path.join(ROOT, s) for s in ALLIGATOR_WASM_SOURCES], ALLIGATOR_INCLUDES,
        headers("allocator/include", "shim/include", "allocator/src") +
        [os.path.join(BENCH, "common.hpp")], Step, emscripten_env())
    built = run_steps(wasm_objects + native_objects + thread_objects, salt, args.jobs, "compile")
    built += run_steps(wasm_links + native_links + thread_links, salt, args.jobs, "link")
    log("bench: builds ready (%d steps rebuilt, %.0f s)" % (built, time.time() - started))

    results = {w: {} for w in WORKLOADS}
    extra_info = {"notes": ["%s unavailable: %s" % item for item in unavailable.items()]}

    # Code size: deterministic, from the files; check that each program runs.
    for key, opt in (("code_size_o2", "O2"), ("code_size_oz", "Oz")):
        sizes = {a: os.path.getsize(wasm[("code_size", a, opt)].replace(".js", ".wasm"))
                 for a in ALLOCATORS}
        extra_info["wasm_bytes_" + opt] = sizes
        for allocator in ALLOCATORS:
            results[key][allocator] = sizes[allocator] - sizes["bump"]
            command = ["node", "--no-experimental-fetch", wasm[("code_size", allocator, opt)]]
            run = subprocess.run(command, capture_output=True, text=True, timeout=60)
            if run.returncode != 0 or run.stdout.strip() != "4":
                problems.add("code_size %s %s: exit %d, output %r" % (
                    opt, allocator, run.returncode, (run.stdout + run.stderr)[-500:]))
        log("  %s: %s" % (key, ", ".join("%s %d" % (a, results[key][a]) for a in ALLOCATORS)))

    log("bench: peak memory, one run per allocator (and seed, PEAK_SEEDS)")
    measure_peaks(wasm, mode, results, extra_info.setdefault("notes", []), problems,
                  extra_info.setdefault("peak_seed_values", {}))
    measure_real_memory(wasm, mode, results, unavailable, problems)

    # Instruction counts under Callgrind: exact, so they may run in parallel.
    log("bench: steps_flatness under Callgrind (%d and %d live blocks)" % (STEPS_SMALL,
                                                                          STEPS_LARGE))
    native_missing = native_unavailable()
    if native_missing:
        log("bench: " + native_missing)
        extra_info["notes"].append(native_missing)
        flatness = {a: None for a in NATIVE_ALLOCATORS}
        steps_detail = {}
    else:
        flatness, steps_detail = measure_steps(native, args.jobs, problems)
    for allocator in NATIVE_ALLOCATORS:
        results["steps_flatness"][allocator] = flatness[allocator]
    results["steps_flatness"]["bump"] = None

    # Timed runs, one at a time, interleaved.
    latency_operations = 200000 if args.quick else 1000000
    samples = {w: {a: [] for a in ALLOCATORS} for w in TIMED}
    latency_samples = {a: {"p50": [], "p99": [], "max": [], "overhead": [], "step": []}
                       for a in NATIVE_ALLOCATORS}
    latency_files = {a: [] for a in NATIVE_ALLOCATORS}
    checks = {w: {} for w in TIMED}
    skip = set()  # (workload, allocator) that ran out of memory or failed: not rerun
    memory_samples = {w: {a: [] for a in ALLOCATORS} for w in real_programs.PROGRAMS}
    native_timed = [] if native_missing else NATIVE_ALLOCATORS
    per_rep = len(TIMED) * len(ALLOCATORS) + len(native_timed)
    total, count = repetitions * per_rep, 0
    log("bench: %d timed runs (%d repetitions x %d)" % (total, repetitions, per_rep))
    for rep in range(repetitions):
        for workload in TIMED:
            program = WORKLOADS[workload]["program"]
            for allocator in ALLOCATORS:
                count += 1
                prefix = "  [%3d/%3d] rep %d/%d %-15s %-9s" % (count, total, rep + 1,
                                                              repetitions, workload, allocator)
                if workload in unavailable:
                    log(prefix + " unavailable")
                    continue
                if (workload, allocator) in skip:
                    log(prefix + " skipped (failed before)")
                    continue
                run = run_wasm(wasm[(program, allocator, "O2")], mode, 900,
                               real_programs.run_arguments(workload)
                               if workload in real_programs.PROGRAMS else ())
                if run["status"] == "ok":
                    samples[workload][allocator].append(run["value"])
                    if workload in memory_samples:
                        memory_samples[workload][allocator].append(run["memory"])
                    checks[workload].setdefault(allocator, set()).add(run["check"])
                    log(prefix + " %10s %-10s (%.1f s)" % (fmt(run["value"]),
                                                           WORKLOADS[workload]["unit"],
                                                           run["seconds"]))
                    continue
                skip.add((workload, allocator))
                log(prefix + " %s (%.1f s)" % (run["status"], run["seconds"]))
                if run["status"] == "oom" and allocator == "bump":
                    extra_info.setdefault("notes", []).append(
                        "bump ran out of memory in %s: reported as n/a" % workload)
                else:
                    problems.add("%s under %s: %s; output: %s" % (
                        workload, allocator, run["status"], run["output"][-800:].strip()))
        for allocator in native_timed:
            count += 1
            prefix = "  [%3d/%3d] rep %d/%d %-15s %-9s" % (count, total, rep + 1, repetitions,
                                                          "latency", allocator)
            start = time.time()
            samples_path = os.path.join(WORK, "latency", "%s.%d.u32" % (allocator, rep))
            os.makedirs(os.path.dirname(samples_path), exist_ok=True)
            run = run_native_latency(native[allocator], latency_operations, samples_path, 600)
            if run["status"] != "ok":
                problems.add("latency under %s: %s; output: %s" % (allocator, run["status"],
                                                                  run["output"][-800:]))
                continue
            for key in ("p50", "p99", "max", "overhead", "step"):
                latency_samples[allocator][key].append(run[key])
            latency_files[allocator].append(samples_path)
            log(prefix + " p50 %d p99 %d max %d cycles (%.1f s)" % (
                run["p50"], run["p99"], run["max"], time.time() - start))

    thread_samples = threads_bench.measure(thread_programs, mode, repetitions, run_wasm, results,
                                           problems, log)


    draw_heap_maps(wasm, mode, out_dir, problems, extra_info)
    extra_info["memory_breakdown"] = memory_breakdowns(wasm, mode, unavailable, results,
                                                       problems)
    for workload in TIMED:
        for allocator in ALLOCATORS:
            results[workload][allocator] = median(samples[workload][allocator])
        digests = {a: sorted(c) for a, c in checks[workload].items()}
        distinct = {tuple(d) for d in digests.values()}
        if len(distinct) > 1 and workload != "heap_efficiency":
            problems.add("%s: different CHECK digests per allocator: %s" % (workload, digests))
    # What the timed builds (Emscripten's default growth) ended with, beside the exact rows.
    for workload, per_allocator in memory_samples.items():
        if all(not values for values in per_allocator.values()):
            continue
        extra_info.setdefault("notes", []).append(
            "%s_memory with Emscripten's default growth (the timed runs' builds, median): %s" % (
                workload, ", ".join("%s %s" % (a, fmt(median(v), "bytes") if v else "n/a")
                                    for a, v in per_allocator.items())))
    for allocator in NATIVE_ALLOCATORS:
        merged = per_pair_percentiles(latency_files[allocator])
        for key in ("p50", "p99", "max"):
            results["latency_" + key][allocator] = merged[key] if merged else None
    for key in ("p50", "p99", "max"):
        results["latency_" + key]["bump"] = None

    now = datetime.datetime.now(datetime.timezone.utc)
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as file:
            found = re.search(r"^model name\s*:\s*(.+)$", file.read(), re.M)
            cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    commit = first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--",
                            "allocator/src", "allocator/include", "shim/src", "shim/include"],
                           capture_output=True, text=True).stdout.strip()
    extra = {
        "native_unavailable": native_missing,
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (with uncommitted changes to the allocator's sources)" if dirty else ""),
        "mode": mode,
        "repetitions": repetitions,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu,
                    "os": first_line(["uname", "-sr"])},
        "compilers": compilers,
        "node_flags": NODE_FLAGS,
        "samples": {**{w: samples[w] for w in TIMED}, **thread_samples},
        "memory_samples": memory_samples,
        "peak_seed_values": extra_info.get("peak_seed_values", {}),
        "memory_breakdown": extra_info.get("memory_breakdown", {}),
        "unavailable": unavailable,
        "packages": real_programs.PACKAGES,
        "latency_per_run": latency_samples,
        "steps_instructions_per_pair": steps_detail,
        "code_size_wasm_bytes": {"O2": extra_info["wasm_bytes_O2"],
                                 "Oz": extra_info["wasm_bytes_Oz"]},
        "problems": problems.items,
        "notes": extra_info.get("notes", []),
        "seconds": round(time.time() - started, 1),
        "load_average": {"start": [round(x, 2) for x in load_start],
                         "end": [round(x, 2) for x in os.getloadavg()]},
    }
    write_reports(results, extra, out_dir)
    log("bench: done in %.0f s; wrote %s/latest.{md,json,svg}" % (
        time.time() - started, os.path.relpath(out_dir, ROOT)))
    with open(os.path.join(out_dir, "latest.md")) as file:
        report = file.read()
    print(report[report.index("## Medians"):report.index("## Plot")])
    if problems.items:
        log("bench: %d problem(s), listed in latest.md" % len(problems.items))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
