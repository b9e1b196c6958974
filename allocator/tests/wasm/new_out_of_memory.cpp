// operator new at the memory limit under Emscripten (default settings: exception catching off),
// with -sMALLOC=none, liballigator and liballigator_new_delete, memory growing to a small
// -sMAXIMUM_MEMORY:
//   (no argument)  nothrow new returns nullptr when memory is exhausted (it must not abort);
//                  a new-handler that frees memory lets plain new succeed, and is called once;
//                  everything freed, the same count fits again. Prints "new_out_of_memory: passed".
//   abort          plain new with no handler, once memory is exhausted, aborts (Emscripten's own
//                  operator new does the same; bad_alloc cannot be caught in this build).
#include "../new_at_the_limit.hpp"
#include "../program_checks.hpp"
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <new>

using program_checks::check;
using program_checks::failures;

namespace {

constexpr std::size_t kBlock = 64 * 1024;

}  // namespace

using namespace new_at_the_limit;

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "abort") == 0) {
    std::printf("new_out_of_memory: plain new until memory runs out\n");
    std::fflush(stdout);
    for (std::size_t i = 0; i < kMaxBlocks; ++i) {
      blocks[i] = new char[kBlock];
      if (blocks[i] == nullptr) {
        std::printf("FAIL: plain new returned nullptr\n");
        return 1;
      }
      std::memset(blocks[i], 0x5A, kBlock);
    }
    std::printf("FAIL: plain new never ran out of memory\n");
    return 1;
  }

  std::size_t count = fill_nothrow(kBlock, true);
  std::printf("nothrow new: %zu blocks of %zu bytes, then nullptr\n", count, kBlock);
  check(count > 0 && count < kMaxBlocks, "nothrow new ran out of memory and returned nullptr");

  // The last block becomes the handler's reserve: plain new fails once, the handler frees the
  // reserve, the retry succeeds.
  reserve = blocks[--count];
  std::set_new_handler(free_the_reserve);
  char* block = new char[kBlock];
  check(block != nullptr && handler_calls == 1, "the new-handler ran once and new succeeded");
  check(reserve == nullptr, "the handler freed its reserve");
  block[0] = 1;
  delete[] block;

  release(count);
  std::size_t again = fill_nothrow(kBlock, true);
  check(again == count + 1, "everything freed, the same number of blocks fits again");
  release(again);

  if (failures == 0) std::printf("new_out_of_memory: passed\n");
  return failures == 0 ? 0 : 1;
}
