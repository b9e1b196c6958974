// A broken promise inside the model (a caller misusing SpanMap, an unknown max_align_t): a bug
// in the model or its caller, never in the heap. Aborts with the reason; no exceptions, so the
// model builds where there are none (wasm32-wasi's libc++).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace alligator::model {

[[noreturn]] inline void model_bug(const char* what) {
  std::fprintf(stderr, "alligator model: %s\n", what);
  std::abort();
}

}  // namespace alligator::model
