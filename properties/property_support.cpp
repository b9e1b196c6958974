// The suites' shared plumbing: the operation and event counters and the Sut's failure path
// (trace file, message).
#include "commands.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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

void Sut::run(const Operation& operation) {
  StepVerdict verdict = executor_.run(operation);
  if (verdict.ok) return;
  std::string trace = format(executor_.trace());
  std::string path = failure_path();
  {
    std::ofstream file(path);
    file << "# " << verdict.message.substr(0, verdict.message.find('\n')) << "\n"
         << "# replay: scripts/replay " << path << "\n"
         << trace;
  }
  RC_FAIL(verdict.message + "\nThe sequence as a trace (written to " + path + "):\n" + trace);
}

}  // namespace alligator::properties
