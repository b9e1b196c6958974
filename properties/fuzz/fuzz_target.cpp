// The fuzz target both engines build: libFuzzer links it with -fsanitize=fuzzer, AFL++ with
// afl-clang-fast's -fsanitize=fuzzer (its libFuzzer-compatible driver). Each input is decoded to
// a trace and run by the executor, whose checks (model agreement, contents, overlap, walk,
// stats, validate()) run after every operation; a divergence prints the trace and aborts, which
// both engines record as a crash. scripts/fuzz turns the crashing input back into a trace.
#include "decoder.hpp"

#include <alligator/properties/executor.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alligator::properties;
  const Trace trace = fuzz::decode(data, size);
  Executor executor(trace.memory_bytes);
  for (const Operation& operation : trace.operations) {
    const StepVerdict verdict = executor.run(operation);
    if (!verdict.ok) {
      std::fprintf(stderr, "alligator fuzz: allocator and model diverged\n%s\ntrace:\n%s",
                   verdict.message.c_str(), format(executor.trace()).c_str());
      std::abort();
    }
  }
  return 0;
}
