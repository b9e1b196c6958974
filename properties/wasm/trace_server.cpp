// alligator_trace_server: the wasm side of the property suites' crossing into wasm (issue 6).
// A long-lived program (run under Node) that reads traces from stdin, runs each on a fresh heap
// and model through the executor, and answers each with one verdict line on stdout:
//
//   request   a trace in the trace format (properties/README.md), then a line `end`; or a line
//             `continue`, operations, then `end`: they run on after the last request's steps,
//             on its heap (a property case's `expect no_growth` lines, whose sizes depend on
//             the free span that the case's `expect nothing_lost` found)
//   verdict   ok <operations> <free slots> <events>  every step agreed
//             fail <step> <operations> <message>     step (1-based, over the whole case) diverged
//             error <line> <message>                 the trace could not be parsed
//
// <operations> is what the executor ran (Executor::operations(), the case's total), <free slots>
// the free span `expect nothing_lost` found (Executor::released_free_slots(); 0 if it did not
// run), <events> the case's count of each rare event (Executor::events()), kEventCount numbers
// in executor.hpp's Event order (the runner is built from the same header). The message's
// newlines and backslashes are escaped as \n and \\, so a verdict is one line. End of input
// ends the program.
// Built for Emscripten with -sNODERAWFS=1, so stdin and stdout are Node's real file descriptors
// and reads block synchronously, and for wasm32-wasi, run by cmake/run-wasi.mjs (node:wasi reads
// an empty pipe as EAGAIN: next_char polls); it builds and runs natively too.
#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <poll.h>

// The runner draws sizes from the class table of the alignment it is given (--max-align); the
// build passes this server the same number, so a server whose table is another fails to build.
#if defined(ALLIGATOR_RUNNER_MAX_ALIGN)
static_assert(alignof(std::max_align_t) == ALLIGATOR_RUNNER_MAX_ALIGN,
              "the runner's --max-align is not this target's alignof(max_align_t)");
#elif defined(__wasm__)
#error "a wasm trace server needs ALLIGATOR_RUNNER_MAX_ALIGN (properties/wasm/CMakeLists.txt)"
#endif

namespace {

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The next byte of stdin, EOF at its end. node:wasi reads a pipe without blocking: an empty one
// fails with EAGAIN (the server would stop after its first request), so poll() waits for more.
// A poll that fails ends the input too: the runner then reports the server gone, never a spin.
int next_char() {
  for (;;) {
    errno = 0;
    const int c = std::getchar();
    if (c != EOF || errno != EAGAIN) return c;
    std::clearerr(stdin);
    pollfd input{0, POLLIN, 0};
    if (poll(&input, 1, -1) < 0 && errno != EINTR) return EOF;
    if ((input.revents & (POLLERR | POLLNVAL)) != 0) return EOF;
  }
}

// One line without its newline; false at end of input with nothing read.
bool read_line(std::string& line) {
  line.clear();
  int c;
  while ((c = next_char()) != EOF) {
    if (c == '\n') return true;
    line += static_cast<char>(c);
  }
  return !line.empty();
}

// The last request's executor, kept while every step agreed, for a `continue` request.
std::unique_ptr<alligator::properties::Executor> kept;
std::size_t kept_memory_bytes = 0;
std::size_t kept_steps = 0;

std::string run(const std::string& text) {
  using namespace alligator::properties;
  const bool continues = text.rfind("continue\n", 0) == 0;
  if (continues && !kept) return "error 1 `continue` follows no request that agreed";
  // A continuation has no header of its own: it takes the kept heap's.
  const std::string trace_text =
      continues ? "memory " + std::to_string(kept_memory_bytes) + "\n" +
                      text.substr(std::strlen("continue\n"))
                : text;
  ParseError error;
  auto trace = parse_trace(trace_text, error);
  if (!trace) {
    kept.reset();
    return "error " + std::to_string(error.line) + " " + escape(error.message);
  }
  if (!continues) {
    kept = std::make_unique<Executor>(trace->memory_bytes);
    kept_memory_bytes = trace->memory_bytes;
    kept_steps = 0;
  }
  for (const Operation& operation : trace->operations) {
    StepVerdict verdict = kept->run(operation);
    ++kept_steps;
    if (!verdict.ok) {
      const std::size_t operations = kept->operations();
      kept.reset();
      return "fail " + std::to_string(kept_steps) + " " + std::to_string(operations) + " " +
             escape(verdict.message);
    }
  }
  std::string verdict = "ok " + std::to_string(kept->operations()) + " " +
                        std::to_string(kept->released_free_slots());
  for (std::size_t count : kept->events()) verdict += " " + std::to_string(count);
  return verdict;
}

}  // namespace

int main() {
  std::string text;
  std::string line;
  while (read_line(line)) {
    if (line != "end") {
      text += line;
      text += '\n';
      continue;
    }
    std::string verdict = run(text);
    std::fputs(verdict.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    text.clear();
  }
  return 0;
}
