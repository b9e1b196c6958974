// For the test programs that are not GoogleTest (they run as users' programs do: exports/, wasm/):
// check() reports a failed expectation on stderr as "FAIL: ..." (the tests' FAIL_REGULAR_EXPRESSION)
// and counts it in `failures`. heap_is_valid() runs the heap's validator through the C API and
// prints its first problem.
#pragma once

#include <alligator/alligator.h>

#include <cstddef>
#include <cstdio>

namespace program_checks {

inline int failures = 0;

inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

inline bool heap_is_valid() {
  char message[256];
  std::size_t problems = alligator_validate(message, sizeof message);
  if (problems != 0) {
    std::fprintf(stderr, "alligator_validate: %zu problems: %s\n", problems, message);
  }
  return problems == 0;
}

}  // namespace program_checks
