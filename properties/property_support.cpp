// The suites' shared plumbing: the operation and event counters, the Sut's failure path
// (trace file, message) and the policy-free end of every case.
#include "commands.hpp"
#include "generators.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef ALLIGATOR_PROPERTY_FAILURES_DIR
#define ALLIGATOR_PROPERTY_FAILURES_DIR "properties/failures"
#endif

namespace alligator::properties {
namespace {

// ALLIGATOR_PROPERTY_FAILURES, else the build tree's properties/failures/.
std::string failure_path() {
  const char* from_environment = std::getenv("ALLIGATOR_PROPERTY_FAILURES");
  std::string directory = from_environment != nullptr && *from_environment != '\0'
                              ? from_environment
                              : ALLIGATOR_PROPERTY_FAILURES_DIR;
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = test != nullptr
                         ? std::string(test->test_suite_name()) + "." + test->name()
                         : std::string("property");
  return directory + "/" + name + ".trace";
}

}  // namespace

std::size_t& property_operations() {
  static std::size_t count = 0;
  return count;
}

EventCounts& property_events() {
  static EventCounts counts{};
  return counts;
}

void print_events(const EventCounts& events) {
  std::printf("property events:");
  for (std::size_t i = 0; i < kEventCount; ++i) {
    std::printf(" %s %zu", to_string(static_cast<Event>(i)), events[i]);
  }
  std::printf("\n");
}

std::vector<std::string> events_below_floors(const std::string& floors,
                                             const EventCounts& events) {
  std::vector<std::string> failures;
  std::istringstream list(floors);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.empty()) continue;
    const auto colon = item.find(':');
    const std::string name = item.substr(0, colon);
    std::size_t index = kEventCount;
    for (std::size_t i = 0; i < kEventCount; ++i) {
      if (name == to_string(static_cast<Event>(i))) index = i;
    }
    if (colon == std::string::npos || index == kEventCount) {
      failures.push_back("has an event floor that names no event: '" + item + "'");
      continue;
    }
    const char* digits = item.c_str() + colon + 1;
    char* end = nullptr;
    const std::size_t floor = std::strtoull(digits, &end, 10);
    if (end == digits || *end != '\0') {  // no number, or more after it: a floor that could not fail
      failures.push_back("has an event floor that is not a number: '" + item + "'");
      continue;
    }
    if (events[index] < floor) {
      failures.push_back("reached the rare event " + name + " " + std::to_string(events[index]) +
                         " times, fewer than its floor " + std::to_string(floor));
    }
  }
  return failures;
}

namespace {

[[noreturn]] void fail_with_trace(const std::string& message, const Executor& executor) {
  std::string trace = format(executor.trace());
  std::string path = failure_path();
  {
    std::ofstream file(path);
    file << "# " << message.substr(0, message.find('\n')) << "\n"
         << "# replay: scripts/replay " << path << "\n"
         << trace;
  }
  RC_FAIL(message + "\nThe sequence as a trace (written to " + path + "):\n" + trace);
}

}  // namespace

void Sut::run(const Operation& operation) {
  StepVerdict verdict = executor_.run(operation);
  if (!verdict.ok) fail_with_trace(verdict.message, executor_);
}

// Run as trace lines (`expect nothing_lost`, `expect no_growth N`), so a failure here is
// written with the rest of the trace and replays like any other step.
void Sut::check_nothing_lost() {
  run(nothing_lost_check());
  for (const Operation& request : no_growth_requests(executor_.released_free_slots())) {
    run(request);
  }
}

Operation nothing_lost_check() {
  Operation end;
  end.code = OpCode::expect;
  end.expect = Expect::nothing_lost;
  return end;
}

std::vector<Operation> no_growth_requests(std::size_t free_slots) {
  std::vector<Operation> requests;
  if (free_slots == 0) return requests;
  // Any one request no larger than the free span: one of any size up to it, one small.
  const std::size_t bytes = free_slots * model::kSlotBytes;
  for (std::size_t size : {*rc::gen::inRange<std::size_t>(1, bytes + 1),
                           *generators::small_size()}) {
    Operation request;
    request.code = OpCode::expect;
    request.expect = Expect::no_growth;
    request.size = Size::of(size);
    requests.push_back(request);
  }
  return requests;
}

}  // namespace alligator::properties
