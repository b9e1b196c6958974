// alligator_trace_server: the wasm side of the property suites' crossing into wasm (issue 6).
// A long-lived program (run under Node) that reads traces from stdin, runs each on a fresh heap
// and model through the executor, and answers each with one verdict line on stdout:
//
//   request   a trace in the trace format (properties/README.md), then a line `end`
//   verdict   ok <operations>                       every step agreed
//             fail <step> <operations> <message>    step (1-based) diverged
//             error <line> <message>                the trace could not be parsed
//
// <operations> is what the executor ran (Executor::operations()). The message's newlines and
// backslashes are escaped as \n and \\, so a verdict is one line. End of input ends the program.
// Built for Emscripten with -sNODERAWFS=1, so stdin and stdout are Node's real file descriptors
// and reads block synchronously; it builds and runs natively too.
#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <cstdio>
#include <string>

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

// One line without its newline; false at end of input with nothing read.
bool read_line(std::string& line) {
  line.clear();
  int c;
  while ((c = std::getchar()) != EOF) {
    if (c == '\n') return true;
    line += static_cast<char>(c);
  }
  return !line.empty();
}

std::string run(const std::string& text) {
  using namespace alligator::properties;
  ParseError error;
  auto trace = parse_trace(text, error);
  if (!trace) return "error " + std::to_string(error.line) + " " + escape(error.message);
  Executor executor(trace->memory_bytes);
  for (std::size_t i = 0; i < trace->operations.size(); ++i) {
    StepVerdict verdict = executor.run(trace->operations[i]);
    if (!verdict.ok) {
      return "fail " + std::to_string(i + 1) + " " + std::to_string(executor.operations()) + " " +
             escape(verdict.message);
    }
  }
  return "ok " + std::to_string(executor.operations());
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
