/* Edge counting for coverage comparisons (properties/README.md, "Fuzzing"): link this object
 * into a program whose allocator sources are compiled with
 * -fsanitize-coverage=inline-8bit-counters and an allowlist of allocator/src, and at exit it
 * prints "edges: N of M" (counters hit, counters instrumented). The same count for the
 * RapidCheck suites and for the fuzzers' corpus replayed by alligator_fuzz_trace run, so the two
 * are measured the same way. Not part of any build by default.
 */
#include <stdio.h>
#include <stdlib.h>

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
