// wasm_icount_calls: the malloc/free calls whose wasm instructions bench/wasm_icount.py counts,
// in phases marked for bench/wasm_icount_hook.js. Sizes and indices are drawn before each phase
// (in phase "setup"), so a phase holds only the calls and the loop around them.
//   fill          4096 malloc, sizes uniform in 1..256, into an empty heap
//   free_all      free of the 4096 in random order
//   refill        4096 malloc again, into the freed memory
//   churn_free    rounds of 256 free of random live blocks (4096 live before each round)
//   churn_malloc  the 256 malloc that replace them
//   new_free / new_alloc   the same churn with operator new[] / delete[] of char
#include <emscripten.h>

#include <cstdint>
#include <cstdlib>

#include "common.hpp"

namespace {

constexpr int kLive = 4096;
constexpr int kRound = 256;
constexpr int kRounds = 200;

void* live[kLive];
std::uint32_t sizes[kLive];
int order[kLive];

void mark(int phase) { EM_ASM({ if (globalThis.__icount_mark) globalThis.__icount_mark($0); }, phase); }

enum Phase { kSetup, kFill, kFreeAll, kRefill, kChurnFree, kChurnMalloc, kNewFree, kNewAlloc };

void draw(Rng& rng, int count) {
  for (int i = 0; i < count; ++i) sizes[i] = rng.range(1, 256);
  for (int i = 0; i < kLive; ++i) order[i] = i;
  for (int i = kLive - 1; i > 0; --i) {
    int j = static_cast<int>(rng.next32() % static_cast<std::uint32_t>(i + 1));
    int t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

void churn(Rng& rng, bool with_new) {
  for (int round = 0; round < kRounds; ++round) {
    mark(kSetup);
    draw(rng, kRound);
    mark(with_new ? kNewFree : kChurnFree);
    for (int i = 0; i < kRound; ++i) {
      if (with_new) {
        delete[] static_cast<char*>(live[order[i]]);
      } else {
        std::free(live[order[i]]);
      }
    }
    mark(with_new ? kNewAlloc : kChurnMalloc);
    for (int i = 0; i < kRound; ++i) {
      void* p = with_new ? new char[sizes[i]] : std::malloc(sizes[i]);
      *static_cast<volatile char*>(p) = 1;
      live[order[i]] = p;
    }
  }
}

}  // namespace

int main() {
  Rng rng(0x5EED0013);
  mark(kSetup);
  draw(rng, kLive);
  mark(kFill);
  for (int i = 0; i < kLive; ++i) {
    live[i] = std::malloc(sizes[i]);
    *static_cast<volatile char*>(live[i]) = 1;
  }
  mark(kSetup);
  draw(rng, kLive);
  mark(kFreeAll);
  for (int i = 0; i < kLive; ++i) std::free(live[order[i]]);
  mark(kSetup);
  draw(rng, kLive);
  mark(kRefill);
  for (int i = 0; i < kLive; ++i) {
    live[i] = std::malloc(sizes[i]);
    *static_cast<volatile char*>(live[i]) = 1;
  }
  churn(rng, false);
  mark(kSetup);
  for (int i = 0; i < kLive; ++i) std::free(live[i]);
  for (int i = 0; i < kLive; ++i) live[i] = new char[16];
  churn(rng, true);
  mark(kSetup);
  for (int i = 0; i < kLive; ++i) delete[] static_cast<char*>(live[i]);
  return 0;
}
