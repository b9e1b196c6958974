// The property suites' main: GoogleTest, plus a line per test saying how many heap operations
// it executed (every case, shrinking included), which CI reads to see the suites did real work.
// With ALLIGATOR_PROPERTY_MIN_OPERATIONS=N in the environment, a test that executed fewer than N
// operations fails the run: the i686 suites under Valgrind must reach 100,000 between them.
#include "commands.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

bool too_few_operations = false;

class OperationCounter : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override {
    alligator::properties::property_operations() = 0;
    start_ = std::chrono::steady_clock::now();
  }
  void OnTestEnd(const ::testing::TestInfo& test) override {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
    std::size_t operations = alligator::properties::property_operations();
    std::printf("property operations: %zu (%s.%s, %.1f s)\n", operations,
                test.test_suite_name(), test.name(), took.count());
    if (const char* minimum = std::getenv("ALLIGATOR_PROPERTY_MIN_OPERATIONS");
        minimum != nullptr && !test.result()->Skipped() &&
        operations < std::strtoull(minimum, nullptr, 10)) {
      std::printf("FAILED: %s.%s executed %zu operations, fewer than the minimum %s\n",
                  test.test_suite_name(), test.name(), operations, minimum);
      too_few_operations = true;
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
  return result != 0 ? result : (too_few_operations ? 1 : 0);
}
