// The property suites' main: GoogleTest, plus a line per test saying how many heap operations
// it executed (every case, shrinking included) and how often each rare event happened, which CI
// reads to see the suites did real work.
// With ALLIGATOR_PROPERTY_MIN_OPERATIONS=N in the environment, a test that executed fewer than N
// operations fails the run; with ALLIGATOR_PROPERTY_MIN_EVENTS=event:N,event:N (names as in
// executor.hpp's Event), a test whose cases reached an event fewer than N times fails, naming
// it: a generator change that stops producing the event then fails the suite.
#include "commands.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool too_few = false;

class OperationCounter : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override {
    alligator::properties::property_operations() = 0;
    alligator::properties::property_events() = {};
    start_ = std::chrono::steady_clock::now();
  }
  void OnTestEnd(const ::testing::TestInfo& test) override {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
    std::size_t operations = alligator::properties::property_operations();
    const auto& events = alligator::properties::property_events();
    std::printf("property operations: %zu (%s.%s, %.1f s)\n", operations,
                test.test_suite_name(), test.name(), took.count());
    alligator::properties::print_events(events);
    if (test.result()->Skipped()) return;
    if (const char* minimum = std::getenv("ALLIGATOR_PROPERTY_MIN_OPERATIONS");
        minimum != nullptr && operations < std::strtoull(minimum, nullptr, 10)) {
      std::printf("FAILED: %s.%s executed %zu operations, fewer than the minimum %s\n",
                  test.test_suite_name(), test.name(), operations, minimum);
      too_few = true;
    }
    if (const char* floors = std::getenv("ALLIGATOR_PROPERTY_MIN_EVENTS")) {
      for (const std::string& failure :
           alligator::properties::events_below_floors(floors, events)) {
        std::printf("FAILED: %s.%s %s\n", test.test_suite_name(), test.name(), failure.c_str());
        too_few = true;
      }
    }
    std::fflush(stdout);
  }

  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!alligator::properties::executor_validates()) {
    std::printf("property suites: validate() is off (ALLIGATOR_EXECUTOR_NO_VALIDATE)\n");
  }
  ::testing::UnitTest::GetInstance()->listeners().Append(new OperationCounter);
  int result = RUN_ALL_TESTS();
  return result != 0 ? result : (too_few ? 1 : 0);
}
