"""The threads_* rows of scripts/bench: bench/threads.cpp built with -pthread, run in 1, 2 and 4
threads for dlmalloc, emmalloc and Alligator; in the bump column, the same program calling no
allocator in its timed steps (the machine's own limit).

bench.py registers this module: its WORKLOADS, TARGETS and METHOD join bench.py's, builds()
adds its build steps and measure() its timed runs (after bench.py's own, interleaved per
repetition). Kept apart so that the threads rows are one file to read.
"""

import os
import statistics

import paired

THREAD_COUNTS = [1, 2, 4]
ALLOCATORS = ["dlmalloc", "emmalloc", "alligator", "bump"]

WORKLOADS = {"threads_%d" % n: dict(unit="ops/us", higher=True) for n in THREAD_COUNTS}
WORKLOADS["threads_speedup_2"] = dict(unit="ratio", higher=True)

# The goals for Alligator: 2 threads at least twice dlmalloc's throughput, and at least
# 1.7 times its own on one thread (speedup_target).
TARGETS = [("threads_2", ">=", 2.0)]
SPEEDUP_GOAL = 1.7
# More one- and two-thread pairs of Alligator and of the bump column, run alternately after the
# repetitions, for the speedup target alone: with the rows' 7 repetitions its interval runs from
# the lowest pair to the highest, which on this machine even the bump column's pairs straddle.
# Not in the threads_* medians, whose repetitions every allocator shares.
SPEEDUP_EXTRA_PAIRS = {"quick": 7, "full": 33}
SPEEDUP_ALLOCATORS = ["alligator", "bump"]

# Every program is the same: a pool of 4 workers started with the module, so the run times no
# thread creation; memory may grow as in the other timed workloads.
LINK_FLAGS = ["-pthread", "-sPTHREAD_POOL_SIZE=4", "-sALLOW_MEMORY_GROWTH=1",
              "-sMAXIMUM_MEMORY=2GB", "-sWASM_ASYNC_COMPILATION=0", "-sEXIT_RUNTIME=1",
              "--pre-js", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "fixed_program_name.js")]
# As the report shows them: the checkout's path left out.
SHOWN_LINK_FLAGS = LINK_FLAGS[:-1] + ["bench/fixed_program_name.js"]

METHOD = [
    "threads_1, threads_2, threads_4: bench/threads.cpp compiled with `em++ -O2 -std=c++20 "
    "-pthread` and linked with `%s` and `-sMALLOC=dlmalloc` (its -pthread build takes a lock), "
    "`-sMALLOC=emmalloc` (a spinlock) or `-sMALLOC=none` + Alligator's sources compiled with "
    "-pthread (per-thread caches in front of a process-wide lock, allocator/src/thread_cache.hpp). "
    "Each of N threads "
    "churns its own 1000 live blocks of 1..512 bytes (free a random one, allocate a new one), "
    "the same number of steps per thread (4x10^5 quick, 2x10^6 full); operations per "
    "microsecond over all threads, timed on the main thread from releasing the workers to the "
    "last join. threads_speedup_2: the median, over pairs of runs seconds apart, of threads_2 / "
    "threads_1 of the same allocator (each repetition's pair; Alligator and the bump column also "
    "the extra pairs below); this "
    "machine has %d CPUs, shared with whatever else runs. The bump column of these rows is no "
    "allocator at all: the same program built with THREADS_WITHOUT_ALLOCATOR, whose steps reuse "
    "each entry's block in place, so its threads_speedup_2 is the most this machine gives any "
    "allocator." % (" ".join(SHOWN_LINK_FLAGS), os.cpu_count() or 0),
    "The threads_speedup_2 target is judged pair by pair: each repetition's threads_2 / "
    "threads_1 of Alligator, then those of %d more pairs (%d in quick runs) of one- and "
    "two-thread runs of Alligator and of the bump column, run alternately after the "
    "repetitions and counted in no other row; the bump column's pairs, judged the same way, "
    "show what the machine allowed." % (SPEEDUP_EXTRA_PAIRS["full"], SPEEDUP_EXTRA_PAIRS["quick"]),
]


def builds(bench_dir, work_dir, alligator_sources, includes, headers, step, env):
    """Build steps (objects, links) and {(allocator, "O2"): .js} for the threads program."""
    obj_dir = os.path.join(work_dir, "obj-threads")
    source = os.path.join(bench_dir, "threads.cpp")
    program_object = os.path.join(obj_dir, "threads.o")
    compile_flags = ["em++", "-O2", "-std=c++20", "-pthread"]
    objects = [step(program_object, compile_flags + ["-c", source, "-o", program_object],
                    [source] + headers, env)]
    # The bump column: no allocator calls in the timed steps (bench/threads.cpp says why).
    bare_object = os.path.join(obj_dir, "threads_without_allocator.o")
    objects.append(step(bare_object, compile_flags + ["-DTHREADS_WITHOUT_ALLOCATOR", "-c", source,
                                                      "-o", bare_object], [source] + headers, env))
    alligator_objects = []
    for path in alligator_sources:
        output = os.path.join(obj_dir, "alligator", os.path.basename(path).replace(".cpp", ".o"))
        alligator_objects.append(output)
        objects.append(step(output, compile_flags + includes + ["-c", path, "-o", output],
                            [path] + headers, env))
    allocator_args = {"dlmalloc": ["-sMALLOC=dlmalloc"], "emmalloc": ["-sMALLOC=emmalloc"],
                      "alligator": ["-sMALLOC=none"] + alligator_objects,
                      "bump": ["-sMALLOC=dlmalloc"]}
    links, outputs = [], {}
    for allocator in ALLOCATORS:
        output = os.path.join(work_dir, "wasm-threads", "threads.%s.js" % allocator)
        program = bare_object if allocator == "bump" else program_object
        inputs = [program] + (alligator_objects if allocator == "alligator" else [])
        links.append(step(output, ["em++", "-O2", program] + allocator_args[allocator] +
                          LINK_FLAGS + ["-o", output], inputs, env))
        outputs[allocator] = output
    return objects, links, outputs


def measure(programs, mode, repetitions, run_wasm, results, problems, log):
    """Timed runs, interleaved (each repetition: every thread count, every allocator); fills
    results[threads_*] with medians and returns the samples."""
    samples = {"threads_%d" % n: {a: [] for a in ALLOCATORS} for n in THREAD_COUNTS}
    failed = set()
    for rep in range(repetitions):
        for threads in THREAD_COUNTS:
            workload = "threads_%d" % threads
            for allocator in ALLOCATORS:
                if (workload, allocator) in failed:
                    continue
                run = run_wasm(programs[allocator], "%s:%d" % (mode, threads), 600)
                prefix = "  threads  rep %d/%d %d thread(s) %-9s" % (rep + 1, repetitions,
                                                                   threads, allocator)
                if run["status"] != "ok":
                    failed.add((workload, allocator))
                    problems.add("%s under %s: %s; output: %s" % (
                        workload, allocator, run["status"], run["output"][-800:].strip()))
                    continue
                samples[workload][allocator].append(run["value"])
                log(prefix + " %8.3g ops/us (%.1f s)" % (run["value"], run["seconds"]))
    for workload, per_allocator in samples.items():
        for allocator, values in per_allocator.items():
            results[workload][allocator] = statistics.median(values) if values else None
    extra = {"speedup_extra_%d" % n: {a: [] for a in SPEEDUP_ALLOCATORS} for n in (1, 2)}
    pairs = SPEEDUP_EXTRA_PAIRS.get(mode, 0)
    for pair in range(pairs):
        for allocator in SPEEDUP_ALLOCATORS:
            if any((w, allocator) in failed for w in ("threads_1", "threads_2")):
                continue
            runs = [run_wasm(programs[allocator], "%s:%d" % (mode, n), 600) for n in (1, 2)]
            if any(run["status"] != "ok" for run in runs):
                failed.add(("threads_1", allocator))
                problems.add("speedup pair under %s: %s" % (allocator, "; ".join(
                    "%s %s" % (run["status"], run["output"][-400:].strip()) for run in runs)))
                continue
            for n, run in zip((1, 2), runs):
                extra["speedup_extra_%d" % n][allocator].append(run["value"])
            log("  threads  speedup pair %d/%d %-9s %.3g and %.3g ops/us" % (
                pair + 1, pairs, allocator, runs[0]["value"], runs[1]["value"]))
    samples.update(extra)
    results["threads_speedup_2"].update(speedup_row(samples))
    return samples


def speedup_row(samples):
    """threads_speedup_2 per allocator: the median of its pairs' threads_2 / threads_1
    (speedup_pairs), None without a pair. A ratio of the two medians would pair runs minutes
    apart, and this machine's speed moves by up to 1.7x within minutes."""
    row = {}
    for allocator in ALLOCATORS:
        speedups = speedup_pairs(samples, allocator)
        row[allocator] = statistics.median(speedups) if speedups else None
    return row


def speedup_pairs(samples, allocator):
    """Each pair's threads_2 / threads_1 for `allocator`: the repetitions', then the extra
    pairs' (SPEEDUP_EXTRA_PAIRS)."""
    def runs(n):
        return [value for key in ("threads_%d" % n, "speedup_extra_%d" % n)
                for value in samples.get(key, {}).get(allocator, [])]
    return paired.advantages(runs(1), runs(2), True)


def speedup_target(samples):
    """(target, measured, met) for the speedup goal, from each repetition's and extra pair's
    threads_2 / threads_1 of Alligator (its two runs are seconds apart) and the order-statistic
    interval of their median (bench/paired.py): met when the whole interval is at or above the
    goal, missed when it is below, paired.NOT_SHOWN when it straddles the goal, None (n/a) with
    too few repetitions for the interval's coverage. threads_speedup_2's own figure is the
    median of the same pairs (speedup_row). The measured text adds the bump column's median and
    interval, judged the same way, when it ran: the most this machine gave any allocator."""
    speedups = speedup_pairs(samples, "alligator")
    target = "threads_speedup_2: alligator >= %g, pair by pair" % SPEEDUP_GOAL
    interval = paired.median_interval(speedups)
    if interval is None:
        return target, "n/a", None
    low, high, coverage = interval
    measured = "%d pairs: median %.2f, interval %.2f to %.2f (%.1f%%)" % (
        len(speedups), statistics.median(speedups), low, high, 100 * coverage)
    # The same figures with no allocator (the bump column): what the machine allowed in this
    # run, which the goal cannot be judged above.
    machine = speedup_pairs(samples, "bump")
    machine_interval = paired.median_interval(machine)
    if machine_interval is not None:
        measured += "; no allocator: median %.2f, interval %.2f to %.2f" % (
            statistics.median(machine), machine_interval[0], machine_interval[1])
    if coverage < paired.COVERAGE:
        met = None
    elif low >= SPEEDUP_GOAL:
        met = True
    elif high < SPEEDUP_GOAL:
        met = False
    else:
        met = paired.NOT_SHOWN
    return target, measured, met
