// operator new at the end of memory on hosts, where the process heap is a simulated wasm memory
// of 4 GiB (1 GiB on i686); allocator/tests/wasm/new_out_of_memory.cpp does the same in wasm.
// Nothrow new, like plain new, calls the new-handler and retries: a handler that frees memory
// lets it succeed, after one call; a handler that throws bad_alloc makes nothrow new return
// nullptr and plain new throw; with no handler nothrow new returns nullptr. A retry loop that
// never called its handler would spin forever: an alarm turns that into a failure.
#include "../new_at_the_limit.hpp"
#include "../program_checks.hpp"
#include <alligator/shim/default_memory.hpp>

#include <unistd.h>

#if ALLIGATOR_VALGRIND
#include <valgrind/valgrind.h>
#endif

#include <cstddef>
#include <cstdio>
#include <new>

using program_checks::check;
using program_checks::failures;

namespace {

constexpr std::size_t kBlock = alligator::kDefaultSimulatedMemoryBytes / 8;
// Stores of new's results: a block that escapes cannot be elided with its delete (GCC elides a
// new/delete pair whose pointer goes nowhere else, and the handler would never run).
char* volatile escaped;

void throw_bad_alloc() {
  ++new_at_the_limit::handler_calls;
  throw std::bad_alloc();
}

}  // namespace

using namespace new_at_the_limit;

int main() {
  // SIGALRM ends a new that loops without calling its handler. Memcheck takes about 15 s to
  // fill the 4 GiB twice over, so it gets more time.
#if ALLIGATOR_VALGRIND
  alarm(RUNNING_ON_VALGRIND ? 120 : 30);
#else
  alarm(30);
#endif

  std::size_t count = fill_nothrow(kBlock, false);
  check(count > 0 && count < kMaxBlocks, "nothrow new without a handler returned nullptr");

  reserve = blocks[--count];
  std::set_new_handler(free_the_reserve);
  char* block = new (std::nothrow) char[kBlock];
  check(block != nullptr && handler_calls == 1,
        "nothrow new called the new-handler once, which freed memory, and succeeded");
  check(reserve == nullptr, "the handler freed its reserve");

  reserve = block;
  handler_calls = 0;
  std::set_new_handler(free_the_reserve);
  block = new char[kBlock];
  escaped = block;
  check(handler_calls == 1, "plain new called the new-handler once, which freed memory");

  handler_calls = 0;
  std::set_new_handler(throw_bad_alloc);
  check(new (std::nothrow) char[kBlock] == nullptr && handler_calls == 1,
        "nothrow new returned nullptr when the handler threw bad_alloc");
  handler_calls = 0;
  bool threw = false;
  try {
    escaped = new char[kBlock];
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  check(threw && handler_calls == 1, "plain new let the handler's bad_alloc through");
  std::set_new_handler(nullptr);

  delete[] block;
  release(count);
  std::size_t again = fill_nothrow(kBlock, false);
  check(again == count + 1, "everything freed, the same number of blocks fits again");
  release(again);

  if (failures == 0) std::printf("new_handler: passed\n");
  return failures == 0 ? 0 : 1;
}
