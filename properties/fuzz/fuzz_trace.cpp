// alligator_fuzz_trace: the fuzzers' bytes <-> traces, and the trace-level reducer.
//   decode INPUT              the trace an input decodes to, on stdout
//   encode TRACE OUTPUT       the bytes of a trace (seeds the corpus from properties/traces/)
//   reduce TRACE OUTPUT       drops operations while the trace still fails, writes the result
//   dictionary                the decoder's interesting tokens, as a libFuzzer/AFL++ dictionary
//   run INPUT...              decodes and runs each input (coverage measurements); exit 1 if
//                             one fails
// Built against the allocator it checks (the real one, or a planted mutant's copy).
// Exit status: 0 done (reduce: the result still fails), 1 a failure where none was expected or
// none where one was (reduce), 2 bad usage or unreadable input.
#include "decoder.hpp"

#include <alligator/model/size_classes.hpp>
#include <alligator/properties/executor.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace alligator::properties;

std::optional<std::string> read_file(const char* path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool write_file(const char* path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary);
  file << bytes;
  return static_cast<bool>(file);
}

std::optional<Trace> read_trace(const char* path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  ParseError error;
  auto trace = parse_trace(*text, error);
  if (!trace) std::fprintf(stderr, "%s:%zu: %s\n", path, error.line, error.message.c_str());
  return trace;
}

// Runs the trace; true when a step diverges.
bool diverges(const Trace& trace) {
  Executor executor(trace.memory_bytes);
  for (const Operation& operation : trace.operations) {
    if (!executor.run(operation).ok) return true;
  }
  return false;
}

// The reducer's test, in a child process: a failure may be a crash (a sanitizer's abort, a
// segfault in a broken heap), which must not end the reducer.
bool fails(const Trace& trace) {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    // Quiet: the sanitizers' reports of expected crashes are noise here.
    std::freopen("/dev/null", "w", stderr);
    _exit(diverges(trace) ? 1 : 0);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) return false;
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Drops chunks of operations (halves, quarters, ... single ones) while the trace still fails,
// until no single operation can go.
Trace reduce(Trace trace) {
  trace.lines.clear();
  std::size_t chunk = trace.operations.size() / 2;
  if (chunk == 0) chunk = 1;
  while (true) {
    bool removed = false;
    for (std::size_t start = 0; start < trace.operations.size();) {
      Trace candidate = trace;
      const std::size_t end = std::min(start + chunk, candidate.operations.size());
      candidate.operations.erase(candidate.operations.begin() + static_cast<std::ptrdiff_t>(start),
                                 candidate.operations.begin() + static_cast<std::ptrdiff_t>(end));
      if (fails(candidate)) {
        trace = std::move(candidate);
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (chunk > 1) {
      chunk /= 2;
    } else if (!removed) {
      return trace;
    }
  }
}

// libFuzzer / AFL++ dictionary syntax: name="\xNN..."
std::string token(const std::vector<std::uint8_t>& bytes) {
  std::string text = "\"";
  char hex[8];
  for (std::uint8_t byte : bytes) {
    std::snprintf(hex, sizeof hex, "\\x%02x", byte);
    text += hex;
  }
  return text + "\"";
}

// Tokens: the encoded form of single operations at the decoder's interesting sizes, so a
// mutation can splice a literal class edge, boundary or alignment into any input.
void dictionary() {
  std::vector<std::uint64_t> sizes = {0, 1, 2047, 2048, 2049, 65535, 65536, 65537, 1 << 20};
  const alligator::model::SizeClasses classes;
  for (std::size_t size : classes.sizes()) {
    sizes.insert(sizes.end(), {size - 1, size, size + 1});
  }
  int n = 0;
  for (std::uint64_t size : sizes) {
    Trace trace;
    trace.memory_bytes = 1 << 20;
    Operation op;
    op.code = OpCode::malloc;
    op.id = 1;
    op.size = Size::of(size);
    trace.operations = {op};
    auto bytes = fuzz::encode(trace);
    bytes.erase(bytes.begin());  // the header
    std::printf("malloc_%d=%s\n", n++, token(bytes).c_str());
  }
  for (int shift = 0; shift <= 16; ++shift) {
    Trace trace;
    trace.memory_bytes = 1 << 20;
    Operation op;
    op.code = OpCode::aligned_alloc;
    op.id = 1;
    op.alignment = std::uint64_t{1} << shift;
    op.size = Size::of(std::uint64_t{1} << shift);
    trace.operations = {op};
    auto bytes = fuzz::encode(trace);
    bytes.erase(bytes.begin());
    std::printf("aligned_%d=%s\n", shift, token(bytes).c_str());
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: alligator_fuzz_trace decode INPUT | encode TRACE OUTPUT | "
               "reduce TRACE OUTPUT | dictionary | run INPUT...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  if (command == "decode" && argc == 3) {
    auto bytes = read_file(argv[2]);
    if (!bytes) return usage();
    const Trace trace = fuzz::decode(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
    std::fputs(format(trace).c_str(), stdout);
    return 0;
  }
  if (command == "encode" && argc == 4) {
    auto trace = read_trace(argv[2]);
    if (!trace) return 2;
    const auto bytes = fuzz::encode(*trace);
    return write_file(argv[3], std::string(bytes.begin(), bytes.end())) ? 0 : 2;
  }
  if (command == "reduce" && argc == 4) {
    auto trace = read_trace(argv[2]);
    if (!trace) return 2;
    if (!fails(*trace)) {
      std::fprintf(stderr, "alligator_fuzz_trace: %s does not fail: nothing to reduce\n", argv[2]);
      return 1;
    }
    const std::size_t before = trace->operations.size();
    const Trace reduced = reduce(*trace);
    std::printf("reduced %zu operations to %zu\n", before, reduced.operations.size());
    return write_file(argv[3], format(reduced)) ? 0 : 2;
  }
  if (command == "dictionary" && argc == 2) {
    dictionary();
    return 0;
  }
  if (command == "run" && argc >= 3) {
    int failed = 0;
    for (int i = 2; i < argc; ++i) {
      auto bytes = read_file(argv[i]);
      if (!bytes) return usage();
      const Trace trace = fuzz::decode(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
      if (diverges(trace)) {
        std::printf("%s: diverges\n", argv[i]);
        failed = 1;
      }
    }
    std::printf("ran %d inputs\n", argc - 2);
    return failed;
  }
  return usage();
}
