// alligator_replay TRACE [--verbose]: runs a trace (trace.hpp) against the allocator and the
// reference model and reports the first step where they diverge.
//   exit 0  every step agreed
//   exit 1  a step diverged (its line, the operation, what differs, the model's state)
//   exit 2  the trace could not be read
// Plain C++: the wasm build reads the host's files through Node (-sNODERAWFS=1).
#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  using namespace alligator::properties;
  const char* path = nullptr;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--verbose") == 0) {
      verbose = true;
    } else if (path == nullptr) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: alligator_replay TRACE [--verbose]\n");
    return 2;
  }
  std::string problem;
  auto trace = read_trace_file(path, problem);
  if (!trace) {
    std::fprintf(stderr, "alligator_replay: %s\n", problem.c_str());
    return 2;
  }
  if (!executor_validates()) {
    std::fprintf(stderr, "alligator_replay: validate() is off (ALLIGATOR_EXECUTOR_NO_VALIDATE)\n");
  }
  Executor executor(trace->memory_bytes);
  for (std::size_t i = 0; i < trace->operations.size(); ++i) {
    const Operation& operation = trace->operations[i];
    StepVerdict verdict = executor.run(operation);
    if (verbose) {
      std::printf("%s:%zu: %-32s -> %s\n", path, trace->lines[i], format(operation).c_str(),
                  verdict.note.c_str());
    }
    if (!verdict.ok) {
      std::printf("%s:%zu: diverged at %s\n%s", path, trace->lines[i], format(operation).c_str(),
                  verdict.message.c_str());
      return 1;
    }
  }
  std::printf("%s: %zu steps, %zu heap operations, allocator and model agree\n", path,
              trace->operations.size(), executor.operations());
  return 0;
}
