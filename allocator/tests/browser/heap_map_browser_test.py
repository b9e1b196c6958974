#!/usr/bin/env python3
"""The heap map in a real browser: headless Chromium opens the maps heap_map_sample writes.

    heap_map_browser_test.py CHROMIUM HEAP_MAP_SAMPLE OUT_DIR

For each sample (mixed: slot by slot; big: a 1 GiB heap in aggregated cells) it checks that the
page renders without a console message or script error, and that the regions Chromium laid out
add up to the heap the sample reported (the page's self-check element, read back from the DOM
that `--dump-dom` prints after the page's script ran, must say "ok" with exactly that many
bytes); it saves a screenshot beside the map. Then it proves the check bites: a copy of a map
with one region's size changed must fail its self-check. Exit 0 when all holds.
"""
import os
import re
import subprocess
import sys
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]  # root needs no-sandbox


def chromium(binary, args, timeout=120):
    start = time.time()
    run = subprocess.run([binary] + FLAGS + args, capture_output=True, text=True, timeout=timeout)
    return run, time.time() - start


def self_check(binary, html):
    """Returns (attributes of the self-check element, console lines, seconds)."""
    run, seconds = chromium(binary, ["--enable-logging=stderr", "--v=0", "--dump-dom",
                                     "file://" + os.path.abspath(html)])
    if run.returncode != 0:
        sys.exit("FAIL: chromium exited %d: %s" % (run.returncode, run.stderr[-2000:]))
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    found = re.search(r'<output id="self-check"([^>]*)>([^<]*)</output>', run.stdout)
    if not found:
        sys.exit("FAIL: %s: no self-check element in the DOM" % html)
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', found.group(1)))
    attributes["text"] = found.group(2)
    return attributes, console, seconds


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, sample, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    failures = 0
    maps = {}
    for workload in ("mixed", "big"):
        html = os.path.join(out_dir, "heap_map_%s.html" % workload)
        run = subprocess.run([sample, html, workload], capture_output=True, text=True, timeout=120)
        heap = re.search(r"^heap_bytes (\d+)$", run.stdout, re.M)
        if run.returncode != 0 or not heap:
            sys.exit("FAIL: heap_map_sample %s: exit %d: %s" % (workload, run.returncode,
                                                               run.stdout + run.stderr))
        heap_bytes = int(heap.group(1))
        maps[workload] = html
        attributes, console, seconds = self_check(binary, html)
        print("%s: %d bytes of HTML, heap %d bytes; chromium %.1f s: %s" % (
            workload, os.path.getsize(html), heap_bytes, seconds, attributes["text"]))
        for line in console:
            print("FAIL: %s: console: %s" % (workload, line))
            failures += 1
        if attributes.get("data-status") != "ok":
            print("FAIL: %s: self-check status %r" % (workload, attributes.get("data-status")))
            failures += 1
        if attributes.get("data-drawn-bytes") != str(heap_bytes):
            print("FAIL: %s: drawn %s bytes, the heap has %d" % (
                workload, attributes.get("data-drawn-bytes"), heap_bytes))
            failures += 1
        png = os.path.join(out_dir, "heap_map_%s.png" % workload)
        if os.path.exists(png):
            os.remove(png)
        run, seconds = chromium(binary, ["--window-size=1250,1000", "--screenshot=" + png,
                                         "file://" + os.path.abspath(html)])
        with open(png, "rb") if os.path.exists(png) else open(os.devnull, "rb") as file:
            signature = file.read(8)
        if run.returncode != 0 or signature != b"\x89PNG\r\n\x1a\n":
            print("FAIL: %s: no screenshot (exit %d)" % (workload, run.returncode))
            failures += 1
        else:
            print("%s: screenshot %s, %d bytes (%.1f s)" % (workload, png, os.path.getsize(png),
                                                            seconds))

    # The check must bite: one region 2 KiB too big no longer adds up.
    with open(maps["mixed"]) as file:
        page = file.read()
    tampered = re.sub(r'data-bytes="(\d+)"', lambda m: 'data-bytes="%d"' % (int(m.group(1)) + 2048),
                      page, count=1)
    broken = os.path.join(out_dir, "heap_map_tampered.html")
    with open(broken, "w") as file:
        file.write(tampered)
    attributes, console, _ = self_check(binary, broken)
    if tampered == page or attributes.get("data-status") != "mismatch":
        print("FAIL: a map whose regions do not add up passed its self-check: %r" % attributes)
        failures += 1
    else:
        print("tampered map: %s" % attributes["text"])
    if failures:
        sys.exit("%d failure(s)" % failures)
    print("heap maps render in Chromium and add up")


if __name__ == "__main__":
    main()
