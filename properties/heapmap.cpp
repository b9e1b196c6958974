// alligator_heapmap TRACE [--step N] [--out FILE]: replays a trace (trace.hpp) with the executor,
// as alligator_replay does, and draws the heap as a heap map (alligator/heap_map.hpp) at the end,
// after step N, or after the first step where allocator and model disagree, so a shrunk failing
// trace can be looked at.
//   exit 0  the map was written (the trace agreed up to the step drawn)
//   exit 1  the map was written, drawing the heap after a step that diverged (printed)
//   exit 2  bad usage, an unreadable trace, or the map could not be written
// The default FILE is the trace's name with .html for .trace, in the current directory.
#include <alligator/heap.hpp>
#include <alligator/heap_map.hpp>
#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  using namespace alligator::properties;
  const char* path = nullptr;
  const char* out_path = nullptr;
  long long step = -1;
  bool usage = false;
  for (int i = 1; i < argc && !usage; ++i) {
    if (std::strcmp(argv[i], "--step") == 0 && i + 1 < argc) {
      char* end = nullptr;
      step = std::strtoll(argv[++i], &end, 10);
      usage = *end != '\0' || step < 0;
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out_path = argv[++i];
    } else if (argv[i][0] == '-' || path != nullptr) {
      usage = true;
    } else {
      path = argv[i];
    }
  }
  if (usage || path == nullptr) {
    std::fprintf(stderr, "usage: alligator_heapmap TRACE [--step N] [--out FILE]\n");
    return 2;
  }
  std::string problem;
  auto trace = read_trace_file(path, problem);
  if (!trace) {
    std::fprintf(stderr, "alligator_heapmap: %s\n", problem.c_str());
    return 2;
  }
  const std::size_t total = trace->operations.size();
  if (step > static_cast<long long>(total)) {
    std::fprintf(stderr, "alligator_heapmap: --step %lld: the trace has %zu steps\n", step, total);
    return 2;
  }
  std::string name = path;
  name = name.substr(name.find_last_of('/') + 1);
  std::string output = out_path != nullptr ? out_path : name.substr(0, name.rfind(".trace")) + ".html";

  Executor executor(trace->memory_bytes);
  const std::size_t last = step < 0 ? total : static_cast<std::size_t>(step);
  std::size_t done = 0;
  bool diverged = false;
  for (; done < last && !diverged; ++done) {
    StepVerdict verdict = executor.run(trace->operations[done]);
    if (!verdict.ok) {
      std::printf("%s:%zu: diverged at %s\n%s", path, trace->lines[done],
                  format(trace->operations[done]).c_str(), verdict.message.c_str());
      diverged = true;
    }
  }
  std::string title = name + ": heap after step " + std::to_string(done) + " of " +
                      std::to_string(total);
  if (done > 0) {
    title += " (line " + std::to_string(trace->lines[done - 1]) + ": " +
             format(trace->operations[done - 1]) + (diverged ? ", diverged)" : ")");
  }
  std::FILE* file = std::fopen(output.c_str(), "w");
  if (file == nullptr) {
    std::fprintf(stderr, "alligator_heapmap: cannot write %s\n", output.c_str());
    return 2;
  }
  bool written = alligator::write_heap_map(executor.heap(), file, title.c_str());
  written = std::fclose(file) == 0 && written;
  if (!written) {
    std::fprintf(stderr, "alligator_heapmap: writing %s failed\n", output.c_str());
    return 2;
  }
  alligator::HeapStats stats = executor.heap().stats();
  std::printf("%s: wrote %s: %s; %zu wasm pages, %zu live blocks, %zu bytes in use, %zu free\n",
              path, output.c_str(), title.c_str(), stats.wasm_pages, stats.live_blocks,
              stats.bytes_in_use, stats.free_bytes);
  return diverged ? 1 : 0;
}
