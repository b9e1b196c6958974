// How the heap grows (issue 17), over a simulated wasm memory: the shapes of
// allocator/tests/wasm/memory_growth.cpp, on every target. New pages must extend the free memory
// at the top, a block at the top must grow in place, and freed large blocks must merge with what
// surrounds them, so memory stays near what is live:
//   - a regrown buffer (free + malloc, or realloc, each step larger) completes under a maximum
//     of about 2.5 x its largest size;
//   - a buffer grown by realloc in 64 KiB steps reaches at least 58 MiB of a 64 MiB maximum;
//   - alternating large blocks (allocate, free, allocate a larger one) keep memory under
//     1.1 x the largest block + 1 MiB.
// The wasm programs use 8..200 MiB under 512 MiB; here the regrown buffer and the alternating
// blocks are a quarter of that (2..50 MiB under 128 MiB, 5..25 MiB), so that runs under
// Valgrind or qemu-i386 and the wasm builds of this test (whose simulated memory is a block of
// their own heap) stay small. Blocks are marked at their first and last byte only: the layout is what is
// tested, and whole-block writes would only cost time. Each test prints what it measured.
#include "heap_test_support.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>

namespace alligator::testing {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

double mib(std::size_t bytes) { return static_cast<double>(bytes) / static_cast<double>(kMiB); }

class MemoryGrowthTest : public ::testing::Test {
 protected:
  // A fresh memory of `maximum` bytes and a heap over it; a reported error fails the test.
  struct Fixture {
    explicit Fixture(std::size_t maximum) : memory(maximum), heap(memory) {
      heap.set_error_handler([](HeapError error, const void* pointer, void*) {
        ADD_FAILURE() << "the heap reported " << to_string(error) << " at " << pointer;
      });
    }
    std::size_t memory_bytes() const { return memory.pages() * kPage; }
    SimulatedMemory memory;
    Heap<SimulatedMemory> heap;
  };

  static void mark(void* block, std::size_t bytes, unsigned char tag) {
    auto* out = static_cast<unsigned char*>(block);
    out[0] = tag;
    out[bytes - 1] = static_cast<unsigned char>(tag ^ 0x5A);
  }
  static bool marked(const void* block, std::size_t bytes, unsigned char tag) {
    const auto* in = static_cast<const unsigned char*>(block);
    return in[0] == tag && in[bytes - 1] == static_cast<unsigned char>(tag ^ 0x5A);
  }

  // free + allocate (or reallocate) from `first` to `last` in `step`s; true if every step was
  // served. Prints where it failed or the memory at the end.
  static bool regrow(bool use_realloc, std::size_t first, std::size_t last, std::size_t step,
                     std::size_t maximum) {
    Fixture f(maximum);
    const char* call = use_realloc ? "reallocate" : "allocate";
    void* buffer = nullptr;
    std::size_t kept = 0;
    for (std::size_t n = first; n <= last; n += step) {
      void* next;
      if (use_realloc) {
        next = f.heap.reallocate(buffer, n);
      } else {
        f.heap.deallocate(buffer);
        buffer = nullptr;
        next = f.heap.allocate(n);
      }
      if (next == nullptr) {
        std::printf("%s(%.0f MiB) returned nullptr with memory at %.1f MiB of %.0f MiB\n", call,
                    mib(n), mib(f.memory_bytes()), mib(maximum));
        std::fflush(stdout);
        f.heap.deallocate(buffer);
        return false;
      }
      if (use_realloc && kept != 0) {
        EXPECT_TRUE(marked(next, kept, static_cast<unsigned char>(kept / step)))
            << "reallocate to " << n << " lost the contents";
      }
      buffer = next;
      kept = n;
      mark(buffer, n, static_cast<unsigned char>(n / step));
    }
    std::printf("%s %.0f..%.0f MiB: memory at the end %.1f MiB of %.0f MiB\n", call, mib(first),
                mib(last), mib(f.memory_bytes()), mib(maximum));
    EXPECT_TRUE(heap_is_valid(f.heap));
    f.heap.deallocate(buffer);
    return true;
  }
};

TEST_F(MemoryGrowthTest, RegrownBufferWithAllocateCompletes) {
  EXPECT_TRUE(regrow(false, 2 * kMiB, 50 * kMiB, kMiB, 128 * kMiB));
}

TEST_F(MemoryGrowthTest, RegrownBufferWithReallocateCompletes) {
  EXPECT_TRUE(regrow(true, 2 * kMiB, 50 * kMiB, kMiB, 128 * kMiB));
}

TEST_F(MemoryGrowthTest, ReallocateIn64KiBStepsReachesNearTheMaximum) {
  Fixture f(64 * kMiB);
  auto* buffer = static_cast<unsigned char*>(nullptr);
  std::size_t size = 0;
  for (;;) {
    auto* next = static_cast<unsigned char*>(f.heap.reallocate(buffer, size + kPage));
    if (next == nullptr) break;
    buffer = next;
    buffer[size] = static_cast<unsigned char>(size / kPage);  // one byte per step, checked below
    size += kPage;
  }
  HeapStats stats = f.heap.stats();
  std::printf("reallocate in 64 KiB steps reached %zu bytes (%.1f MiB); memory %.1f MiB of 64, "
              "%.1f MiB free in the heap\n",
              size, mib(size), mib(f.memory_bytes()), mib(stats.free_bytes));
  EXPECT_GE(size, 58 * kMiB);
  for (std::size_t offset = 0; offset < size; offset += kPage) {
    ASSERT_EQ(buffer[offset], static_cast<unsigned char>(offset / kPage)) << "at " << offset;
  }
  EXPECT_TRUE(heap_is_valid(f.heap));
  f.heap.deallocate(buffer);
}

TEST_F(MemoryGrowthTest, AlternatingLargeBlocksStayNearTheLargest) {
  Fixture f(128 * kMiB);
  std::size_t first_over = 0;  // the first size after which memory exceeded its bound
  for (std::size_t n = 5 * kMiB; n <= 25 * kMiB; n += kMiB) {
    void* block = f.heap.allocate(n);
    std::size_t bound = n + n / 10 + kMiB;  // this block is the largest so far
    std::printf("allocate(%.0f MiB): memory %.1f MiB (bound %.1f MiB)%s\n", mib(n),
                mib(f.memory_bytes()), mib(bound), block == nullptr ? ", nullptr" : "");
    ASSERT_NE(block, nullptr) << "allocate(" << n << ") with memory at " << f.memory_bytes();
    mark(block, n, static_cast<unsigned char>(n / kMiB));
    if (f.memory_bytes() > bound && first_over == 0) first_over = n;
    f.heap.deallocate(block);
  }
  EXPECT_EQ(first_over, 0U) << "memory exceeded 1.1 x the largest block + 1 MiB after allocate("
                            << first_over << ")";
  EXPECT_TRUE(heap_is_valid(f.heap));
}

}  // namespace
}  // namespace alligator::testing
