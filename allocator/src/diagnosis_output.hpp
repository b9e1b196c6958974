// Writing a diagnosis to stderr wherever the heap fails: without allocating, since the failure
// path must not depend on the heap that failed, and possibly under the process heap's lock.
// On a worker of a -pthread Emscripten program write() is proxied to the main thread, and
// Emscripten's first proxied call mallocs its call queue: under the heap's lock that call never
// returned, and the program hung instead of aborting (threads/worker_diagnosis). Emscripten's
// err() hook writes from the worker itself.
#pragma once

#include <cstddef>

#if defined(__EMSCRIPTEN_PTHREADS__)
#include <emscripten/console.h>
#else
#include <unistd.h>
#endif

namespace alligator::detail {

// `text` holds `length` bytes, the last a newline.
inline void write_diagnosis_line(const char* text, std::size_t length) {
#if defined(__EMSCRIPTEN_PTHREADS__)
  char line[256];  // err() takes a C string and adds the newline itself
  std::size_t shown = length - 1 < sizeof line - 1 ? length - 1 : sizeof line - 1;
  for (std::size_t i = 0; i < shown; ++i) line[i] = text[i];
  line[shown] = '\0';
  _emscripten_err(line);
#else
  (void)!write(2, text, length);
#endif
}

}  // namespace alligator::detail
