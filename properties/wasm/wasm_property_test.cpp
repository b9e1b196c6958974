// alligator_wasm_properties: the property suites with their sequences run inside wasm (issue 6).
//
// RapidCheck runs natively (it has no wasm build): each case generates a whole command sequence
// from the suites' own commands (commands.hpp) against their Plan, without running it, formats
// it as a trace (the wire format) and sends it to one long-lived `node alligator_trace_server.js`
// (wasm32-wasi: `node cmake/run-wasi.mjs alligator_trace_server.wasm`;
// properties/wasm/trace_server.cpp), which runs it on a fresh heap and model inside wasm and
// answers with a verdict. The property asserts on that verdict, so RapidCheck shrinks the
// sequence on wasm's verdicts: every shrink step is run in wasm too.
//
//   alligator_wasm_properties --server PATH.js [--launcher RUNNER.mjs] [--max-align N]
//                             [--planted] [gtest options]
//     --server    the trace server: an Emscripten build (PATH.js), or with --launcher a
//                 wasm32-wasi module (PATH.wasm) that node runs through RUNNER.mjs
//                 (cmake/run-wasi.mjs)
//     --max-align the server's alignof(max_align_t), whose class table the commands' sizes
//                 are drawn from: 8 (Emscripten, the default) or 16 (wasm32-wasi)
//     default     Wasm.CommandsDrawTheServersClassSizes, and
//                 Wasm.EverythingAgreesWithTheModel and Wasm.GrowthAgreesWithTheModel (the
//                 host's suites' command lists and profiles: commands.hpp) must hold; each
//                 prints `property operations: N` and `property events: ...`, N = heap
//                 operations the wasm side executed (the sum over verdicts), which must reach
//                 --min-operations M (default 0), and the rare events' counts, which must reach
//                 --min-events event:N,event:N (as ALLIGATOR_PROPERTY_MIN_EVENTS on the host);
//                 run one suite with --gtest_filter
//     --planted   WasmPlanted.IsFoundAndShrunk: PATH.js is a server built with a planted bug;
//                 the property must fail and shrink to at most 6 commands
//     --failure-trace FILE   writes the shrunk failing trace there (planted mode), for
//                 check_wasm_mutant.cmake to replay on the planted and the real server
//     --without-case-end     (planted mode) cases end without `expect nothing_lost`, so that a
//                 mutant the end also catches is proved caught by the per-step checks
// Case count and sequence length: RC_PARAMS (max_success, max_size), set by CMakeLists.txt.
#include "../commands.hpp"
#include "../generators.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace alligator::properties {
namespace {

std::string server_path;
std::string launcher_path;  // --launcher: node runs it with the server as its argument
bool planted_mode = false;
bool case_end = true;  // --without-case-end clears it
std::string failure_trace_path;
std::size_t min_operations = 0;
std::string min_events;

// The Node process running the trace server: started on the first request, kept for the run.
class TraceServer {
 public:
  ~TraceServer() { stop(); }

  // Sends one trace, returns the verdict line (an "unreachable ..." line if Node died).
  std::string request(const std::string& trace) {
    if (pid_ <= 0 && !start()) return "unreachable: cannot start node " + server_path;
    std::string message = trace;
    if (message.empty() || message.back() != '\n') message += '\n';
    message += "end\n";
    if (std::fwrite(message.data(), 1, message.size(), to_) != message.size() ||
        std::fflush(to_) != 0) {
      stop();
      return "unreachable: the trace server stopped reading (" + server_path + ")";
    }
    std::string line;
    int c;
    while ((c = std::fgetc(from_)) != EOF && c != '\n') line += static_cast<char>(c);
    if (c == EOF) {
      stop();
      return "unreachable: the trace server exited without a verdict (" + server_path + ")";
    }
    return line;
  }

 private:
  bool start() {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[0]); close(in[1]); close(out[0]); close(out[1]);
      if (launcher_path.empty()) {
        execlp("node", "node", "--no-experimental-fetch", server_path.c_str(), (char*)nullptr);
      } else {
        execlp("node", "node", "--no-experimental-fetch", launcher_path.c_str(),
               server_path.c_str(), (char*)nullptr);
      }
      std::perror("alligator_wasm_properties: exec node");
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
    return to_ != nullptr && from_ != nullptr;
  }
  void stop() {
    if (to_) std::fclose(to_);
    if (from_) std::fclose(from_);
    to_ = from_ = nullptr;
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  std::FILE* to_ = nullptr;
  std::FILE* from_ = nullptr;
};

TraceServer& server() {
  static TraceServer instance;
  return instance;
}

// The running suite's, reset by run_suite: summed over verdicts, shrinking included.
std::size_t wasm_operations = 0;
EventCounts wasm_events{};
std::size_t cases = 0;
std::size_t last_failure_commands = 0;  // the last failing case: after shrinking, the shrunk one
std::string last_failure_trace;

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
      out += text[i] == 'n' ? '\n' : text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

struct Agreement {
  std::size_t operations = 0;  // the case's so far
  std::size_t free_slots = 0;
  EventCounts events{};        // the case's so far
};

// "ok <operations> <free slots> <kEventCount event counts>", or false.
bool parse_ok(const std::string& verdict, Agreement& agreement) {
  std::istringstream fields(verdict);
  std::string ok;
  if (!(fields >> ok >> agreement.operations >> agreement.free_slots) || ok != "ok") return false;
  for (std::size_t& count : agreement.events) {
    if (!(fields >> count)) return false;
  }
  std::string extra;
  return !(fields >> extra);
}

// A verdict: "ok ..." (parse_ok) or "fail <step> <operations> <message>", whose counts are the
// case's totals (`counted` of them already in wasm_operations and wasm_events); anything else
// fails the case as unreachable. A failing case's events are not counted (its verdict carries
// none): they matter only to a suite that has failed already.
Agreement expect_agreement(const std::string& verdict, const std::string& text,
                           std::size_t commands, const Agreement& counted = {}) {
  Agreement agreement;
  if (parse_ok(verdict, agreement)) {
    wasm_operations += agreement.operations - counted.operations;
    for (std::size_t i = 0; i < kEventCount; ++i) {
      wasm_events[i] += agreement.events[i] - counted.events[i];
    }
    return agreement;
  }
  unsigned long long operations = 0;
  unsigned long long step = 0;
  int consumed = 0;
  if (std::sscanf(verdict.c_str(), "fail %llu %llu %n", &step, &operations, &consumed) == 2) {
    wasm_operations += operations - counted.operations;
    last_failure_commands = commands;
    last_failure_trace = text;
    RC_FAIL("inside wasm, step " + std::to_string(step) + " diverged:\n" +
            unescape(verdict.substr(static_cast<std::size_t>(consumed))) +
            "\nThe sequence as a trace (replay: scripts/replay FILE --target wasm):\n" + text);
  }
  RC_FAIL("no verdict from the wasm trace server: " + verdict + "\nThe trace sent:\n" + text);
}

// One case: a generated sequence of `Commands...`, run in wasm, asserted on wasm's verdict, then
// ended as the host's cases are (check_sequence, Sut::check_nothing_lost): `expect nothing_lost`
// with the sequence, and the `expect no_growth` lines its free span calls for as a continuation.
template <class... Commands>
void check_sequence_in_wasm(CommandList<Commands...>, Profile profile) {
  const std::size_t memory_bytes = generate_memory_bytes(profile);
  Plan initial;
  initial.profile = profile;
  initial.memory_bytes = memory_bytes;
  auto commands = *rc::state::gen::commands(
      initial, rc::state::gen::execOneOfWithArgs<Commands...>());
  Trace trace;
  trace.memory_bytes = memory_bytes;
  for (const auto& command : commands) {
    const auto* operation = dynamic_cast<const OperationCommand*>(command.get());
    RC_ASSERT(operation != nullptr);
    trace.operations.push_back(operation->op);
  }
  if (case_end) trace.operations.push_back(nothing_lost_check());
  std::string text = format(trace);
  ++cases;
  const Agreement sequence = expect_agreement(server().request(text), text, commands.size());
  const std::vector<Operation> requests = no_growth_requests(sequence.free_slots);
  if (requests.empty()) return;
  std::string continuation;
  for (const Operation& request : requests) continuation += format(request) + "\n";
  text += continuation;
  expect_agreement(server().request("continue\n" + continuation), text, commands.size(),
                   sequence);
}

void everything() {
  check_sequence_in_wasm(EverythingCommands{}, kEverythingProfile);
}

void growth() {
  check_sequence_in_wasm(GrowthCommands{}, kGrowthProfile);
}

// The sizes the commands draw sit at the server's class edges, since main set the target
// (--max-align) before anything was generated: Emscripten's alignof(max_align_t) is 8, whose
// classes 24, 40, ... a 16-byte table (this host's, wasm32-wasi's) lacks.
TEST(Wasm, CommandsDrawTheServersClassSizes) {
  const auto& sizes = generators::class_sizes();
  const bool eight = generators::target_max_align() == 8;
  EXPECT_EQ(std::find(sizes.begin(), sizes.end(), 24U) != sizes.end(), eight);
  EXPECT_EQ(std::find(sizes.begin(), sizes.end(), 40U) != sizes.end(), eight);
  EXPECT_NE(std::find(sizes.begin(), sizes.end(), 128U), sizes.end());
}

// One suite inside wasm, held to --min-operations and --min-events.
void run_suite(const char* description, void (*suite)()) {
  wasm_operations = 0;
  wasm_events = {};
  cases = 0;
  auto start = std::chrono::steady_clock::now();
  bool held = rc::check(description, suite);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("property operations: %zu (inside wasm: %zu cases, %.1f s)\n", wasm_operations,
              cases, took.count());
  print_events(wasm_events);
  std::fflush(stdout);
  EXPECT_TRUE(held);
  EXPECT_GE(wasm_operations, min_operations) << "too few operations ran inside wasm";
  for (const std::string& failure : events_below_floors(min_events, wasm_events)) {
    ADD_FAILURE() << "inside wasm, the suite " << failure;
  }
}

TEST(Wasm, EverythingAgreesWithTheModel) {
  if (planted_mode) GTEST_SKIP() << "--planted runs WasmPlanted only";
  run_suite("every command, run inside wasm, agrees with the model", everything);
}

TEST(Wasm, GrowthAgreesWithTheModel) {
  if (planted_mode) GTEST_SKIP() << "--planted runs WasmPlanted only";
  run_suite("large heaps' growth, run inside wasm, agrees with the model", growth);
}

// The server was built with a planted bug: the crossing runner must find it and shrink it.
TEST(WasmPlanted, IsFoundAndShrunk) {
  if (!planted_mode) GTEST_SKIP() << "needs --planted and a planted server";
  bool held = rc::check("the planted bug is found inside wasm", everything);
  std::printf("property operations: %zu (inside wasm, planted server: %zu cases)\n",
              wasm_operations, cases);
  std::printf("planted bug shrunk to %zu commands:\n%s", last_failure_commands,
              last_failure_trace.c_str());
  std::fflush(stdout);
  EXPECT_FALSE(held) << "the planted bug was not found";
  EXPECT_GT(last_failure_commands, 0u);
  EXPECT_LE(last_failure_commands, 6u) << "the planted bug did not shrink to <= 6 commands";
  if (!failure_trace_path.empty() && !last_failure_trace.empty()) {
    std::FILE* file = std::fopen(failure_trace_path.c_str(), "w");
    ASSERT_NE(file, nullptr) << "cannot write " << failure_trace_path;
    std::fputs(last_failure_trace.c_str(), file);
    std::fclose(file);
  }
}

}  // namespace
}  // namespace alligator::properties

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // The commands run on a wasm32 heap: sizes at its class edges (--max-align), not this host's.
  alligator::properties::generators::target_max_align() = 8;
  using alligator::properties::planted_mode;
  using alligator::properties::server_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
      server_path = argv[++i];
    } else if (std::strcmp(argv[i], "--max-align") == 0 && i + 1 < argc) {
      char* end = nullptr;
      const std::size_t align = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0' || (align != 8 && align != 16)) {
        std::fprintf(stderr, "alligator_wasm_properties: --max-align must be 8 or 16\n");
        return 2;
      }
      alligator::properties::generators::target_max_align() = align;
    } else if (std::strcmp(argv[i], "--launcher") == 0 && i + 1 < argc) {
      alligator::properties::launcher_path = argv[++i];
    } else if (std::strcmp(argv[i], "--min-operations") == 0 && i + 1 < argc) {
      alligator::properties::min_operations = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--min-events") == 0 && i + 1 < argc) {
      alligator::properties::min_events = argv[++i];
    } else if (std::strcmp(argv[i], "--planted") == 0) {
      planted_mode = true;
    } else if (std::strcmp(argv[i], "--without-case-end") == 0) {
      alligator::properties::case_end = false;
    } else if (std::strcmp(argv[i], "--failure-trace") == 0 && i + 1 < argc) {
      alligator::properties::failure_trace_path = argv[++i];
    } else {
      std::fprintf(stderr, "alligator_wasm_properties: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (!alligator::properties::case_end && !planted_mode) {
    std::fprintf(stderr, "alligator_wasm_properties: --without-case-end needs --planted\n");
    return 2;
  }
  struct stat info;
  if (server_path.empty() || stat(server_path.c_str(), &info) != 0) {
    std::fprintf(stderr,
                 "alligator_wasm_properties: FAILED: no wasm trace server at '%s'.\n"
                 "Build it with the wasm or wasi preset first: cmake --preset wasm && "
                 "cmake --build --preset wasm --target alligator_trace_server\n",
                 server_path.c_str());
    return 1;
  }
  const std::string& launcher_path = alligator::properties::launcher_path;
  if (!launcher_path.empty() && stat(launcher_path.c_str(), &info) != 0) {
    std::fprintf(stderr, "alligator_wasm_properties: FAILED: no launcher at '%s'\n",
                 launcher_path.c_str());
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  return RUN_ALL_TESTS();
}
