// For the test programs that are not GoogleTest (they run as users' programs do: exports/, wasm/):
// check() reports a failed expectation on stderr as "FAIL: ..." (the tests' FAIL_REGULAR_EXPRESSION)
// and counts it in `failures`.
#pragma once

#include <cstdio>

namespace program_checks {

inline int failures = 0;

inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

}  // namespace program_checks
