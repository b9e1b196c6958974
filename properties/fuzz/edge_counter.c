/* Edge counting for coverage comparisons (properties/README.md, "Fuzzing"): link this object
 * into a program whose allocator sources are compiled with
 * -fsanitize-coverage=inline-8bit-counters and an allowlist of allocator/src, and at exit it
 * prints "edges: N of M" (counters hit, counters instrumented). With ALLIGATOR_EDGE_FILE set, the
 * hits are also merged into that file (one byte per counter), and the union is printed, so
 * several runs (one per suite) add up. The same count for the RapidCheck suites and for the
 * fuzzers' corpus replayed by `alligator_fuzz_trace run`, so the two are measured the same way.
 * Not part of any build by default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxModules = 64 };
static unsigned char* starts[kMaxModules];
static unsigned char* ends[kMaxModules];
static int modules;

static void report(void) {
  size_t hit = 0, total = 0;
  for (int m = 0; m < modules; ++m) {
    for (unsigned char* counter = starts[m]; counter < ends[m]; ++counter) {
      total++;
      hit += *counter != 0;
    }
  }
  fprintf(stderr, "edges: %zu of %zu\n", hit, total);
  const char* path = getenv("ALLIGATOR_EDGE_FILE");
  if (!path || total == 0) return;
  unsigned char* seen = calloc(total, 1);
  FILE* file = fopen(path, "rb");
  if (file) {
    if (fread(seen, 1, total, file) != total) memset(seen, 0, total);
    fclose(file);
  }
  size_t at = 0, union_hits = 0;
  for (int m = 0; m < modules; ++m) {
    for (unsigned char* counter = starts[m]; counter < ends[m]; ++counter, ++at) {
      seen[at] |= *counter != 0;
      union_hits += seen[at];
    }
  }
  file = fopen(path, "wb");
  if (file) {
    fwrite(seen, 1, total, file);
    fclose(file);
  }
  free(seen);
  fprintf(stderr, "edges (union in %s): %zu of %zu\n", path, union_hits, total);
}

void __sanitizer_cov_8bit_counters_init(unsigned char* start, unsigned char* end) {
  if (start == end || modules == kMaxModules) return;
  for (int m = 0; m < modules; ++m) {
    if (starts[m] == start) return;
  }
  if (modules == 0) atexit(report);
  starts[modules] = start;
  ends[modules] = end;
  modules++;
}
