// MallocFamily (malloc_family.hpp) over a fresh simulated heap: every edge case documented at the
// top of malloc_family.hpp, errno included ("errno is set only where noted", so elsewhere it is
// checked to stay untouched), and out-of-memory paths through the simulated maximum.
#include "heap_test_support.hpp"

#include <alligator/heap.hpp>
#include <alligator/malloc_family.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace alligator::testing {
namespace {

constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
constexpr int kUntouched = 12345;  // an errno value no call below sets

class MallocFamilyTest : public HeapFixture {
 protected:
  MallocFamilyTest() : HeapFixture(std::size_t{4} << 20), c(heap.core()) {}

  bool all_bytes_are(const void* block, std::size_t bytes, unsigned char value) {
    const auto* in = static_cast<const unsigned char*>(block);
    for (std::size_t i = 0; i < bytes; ++i) {
      if (in[i] != value) return false;
    }
    return true;
  }

  MallocFamily c;
};

// --- malloc, free --------------------------------------------------------------------------------

TEST_F(MallocFamilyTest, MallocZeroGivesUniqueFreeableBlocks) {
  errno = kUntouched;
  void* a = c.malloc(0);
  void* b = c.malloc(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(errno, kUntouched);
  c.free(a);
  c.free(b);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, MallocGivesAlignedUsableBlocks) {
  for (std::size_t size : {1, 7, 8, 16, 100, 2048, 2049, 16384, 16385, 100000}) {
    void* block = c.malloc(size);
    ASSERT_NE(block, nullptr) << size;
    EXPECT_TRUE(aligned(block, natural_alignment_of(size))) << size;
    EXPECT_GE(c.malloc_usable_size(block), size);
    std::memset(block, 0x5A, c.malloc_usable_size(block));
    c.free(block);
  }
}

TEST_F(MallocFamilyTest, FreeNullDoesNothing) {
  c.malloc(10);
  HeapStats before = heap.stats();
  errno = kUntouched;
  c.free(nullptr);
  EXPECT_EQ(errno, kUntouched);
  EXPECT_EQ(heap.stats().live_blocks, before.live_blocks);
}

TEST_F(MallocFamilyTest, MallocOutOfMemorySetsEnomem) {
  memory.refuse_next_grows(1);
  errno = 0;
  EXPECT_EQ(c.malloc(250), nullptr);  // class 256, one slot: no large block to fall back on
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.malloc(std::size_t{8} << 20), nullptr);  // beyond the 4 MiB maximum
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.malloc(kMax), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = kUntouched;
  void* block = c.malloc(100);  // the refusal is spent
  EXPECT_NE(block, nullptr);
  EXPECT_EQ(errno, kUntouched);
}

TEST_F(MallocFamilyTest, MallocUsableSize) {
  EXPECT_EQ(c.malloc_usable_size(nullptr), 0U);
  void* small = c.malloc(200);
  void* medium = c.malloc(5000);
  void* large = c.malloc(20000);
  EXPECT_EQ(c.malloc_usable_size(small), expected_usable(200));
  EXPECT_EQ(c.malloc_usable_size(medium), expected_usable(5000));
  EXPECT_EQ(c.malloc_usable_size(large), expected_usable(20000));
  // Known answers: the 208-byte class, the 5120-byte medium class, 10 whole slots.
  EXPECT_EQ(c.malloc_usable_size(small), 208U);
  EXPECT_EQ(c.malloc_usable_size(medium), 5120U);
  EXPECT_EQ(c.malloc_usable_size(large), 10 * kSlot);
  EXPECT_EQ(heap.stats().large_blocks, 1U);
}

// --- calloc --------------------------------------------------------------------------------------

TEST_F(MallocFamilyTest, CallocZeroesReusedSmallMemory) {
  void* dirty = c.malloc(200);
  ASSERT_NE(dirty, nullptr);
  std::memset(dirty, 0xAB, c.malloc_usable_size(dirty));
  c.free(dirty);
  void* zeroed = c.calloc(25, 8);
  ASSERT_EQ(zeroed, dirty) << "the test needs the freed block back";
  EXPECT_TRUE(all_bytes_are(zeroed, 200, 0));
}

TEST_F(MallocFamilyTest, CallocZeroesReusedLargeMemory) {
  void* dirty = c.malloc(20000);
  ASSERT_NE(dirty, nullptr);
  std::memset(dirty, 0xCD, c.malloc_usable_size(dirty));
  c.free(dirty);
  void* zeroed = c.calloc(4, 5000);
  ASSERT_EQ(zeroed, dirty) << "the test needs the freed block back";
  EXPECT_TRUE(all_bytes_are(zeroed, 20000, 0));
}

TEST_F(MallocFamilyTest, CallocOverflowIsEnomem) {
  const std::size_t half = kMax / 2 + 1;
  struct Case {
    std::size_t count, size;
  };
  for (Case overflow : {Case{kMax, 2}, Case{2, kMax}, Case{half, 2}, Case{2, half}, Case{kMax, kMax},
                        Case{std::size_t{1} << (sizeof(std::size_t) * 4),
                             std::size_t{1} << (sizeof(std::size_t) * 4)}}) {
    errno = 0;
    EXPECT_EQ(c.calloc(overflow.count, overflow.size), nullptr)
        << overflow.count << " x " << overflow.size;
    EXPECT_EQ(errno, ENOMEM);
  }
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, CallocOfZeroElementsIsAUniqueBlock) {
  void* a = c.calloc(0, 16);
  void* b = c.calloc(16, 0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a, b);
  c.free(a);
  c.free(b);
}

TEST_F(MallocFamilyTest, CallocOutOfMemoryIsEnomem) {
  errno = 0;
  EXPECT_EQ(c.calloc(1024, 8 * 1024), nullptr);  // 8 MiB > 4 MiB maximum, no overflow
  EXPECT_EQ(errno, ENOMEM);
}

// --- realloc -------------------------------------------------------------------------------------

TEST_F(MallocFamilyTest, ReallocNullIsMalloc) {
  errno = kUntouched;
  void* block = c.realloc(nullptr, 300);
  ASSERT_NE(block, nullptr);
  EXPECT_GE(c.malloc_usable_size(block), 300U);
  EXPECT_EQ(errno, kUntouched);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  void* zero = c.realloc(nullptr, 0);  // malloc(0): a unique block
  EXPECT_NE(zero, nullptr);
}

TEST_F(MallocFamilyTest, ReallocToZeroFreesAndReturnsNull) {
  void* small = c.malloc(100);
  void* large = c.malloc(100000);
  ASSERT_TRUE(small && large);
  errno = kUntouched;
  EXPECT_EQ(c.realloc(small, 0), nullptr);
  EXPECT_EQ(c.realloc(large, 0), nullptr);
  EXPECT_EQ(errno, kUntouched) << "realloc(p, 0) is not an error";
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, ReallocGrowsAndShrinksKeepingContents) {
  auto* block = static_cast<unsigned char*>(c.malloc(50));
  ASSERT_NE(block, nullptr);
  fill(block, 50, 21);
  for (std::size_t size : {60, 500, 2048, 3000, 70000, 200000, 70000, 5000, 20000, 1000, 40}) {
    std::size_t kept = std::min<std::size_t>(size, 40);
    block = static_cast<unsigned char*>(c.realloc(block, size));
    ASSERT_NE(block, nullptr) << size;
    EXPECT_GE(c.malloc_usable_size(block), size);
    ASSERT_EQ(first_mismatch(block, kept, 21), kept) << "after realloc to " << size;
  }
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  c.free(block);
}

TEST_F(MallocFamilyTest, ReallocFailureKeepsTheBlockAndSetsEnomem) {
  void* block = c.malloc(20000);
  ASSERT_NE(block, nullptr);
  fill(block, 20000, 22);
  errno = 0;
  EXPECT_EQ(c.realloc(block, std::size_t{8} << 20), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(first_mismatch(block, 20000, 22), 20000U);
  EXPECT_EQ(c.malloc_usable_size(block), expected_usable(20000));
  memory.refuse_next_grows(100);
  errno = 0;
  EXPECT_EQ(c.realloc(block, 1 << 20), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.realloc(block, kMax), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(first_mismatch(block, 20000, 22), 20000U);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  c.free(block);  // still a live, freeable block
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

// A bad pointer is the caller's error, not memory running out: with an error handler that
// returns, realloc diagnoses it, returns NULL and leaves errno alone (issue 17).
TEST_F(MallocFamilyTest, ReallocOfABadPointerIsDiagnosedWithoutEnomem) {
  std::vector<Reported> reported;
  heap.set_error_handler(&record_report, &reported);
  void* small = c.malloc(100);
  void* large = c.malloc(20000);
  void* kept = c.malloc(300);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(large, nullptr);
  ASSERT_NE(kept, nullptr);
  fill(kept, 300, 25);
  c.free(small);
  c.free(large);
  int on_stack = 0;
  struct Case {
    void* pointer;
    HeapError error;
    const char* what;
  };
  const Case cases[] = {
      {small, HeapError::double_free, "a freed small block"},
      {large, HeapError::double_free, "a freed large block"},
      {&on_stack, HeapError::invalid_pointer, "a pointer the heap never gave"},
      {static_cast<char*>(kept) + 8, HeapError::invalid_pointer, "a pointer inside a live block"},
  };
  for (const Case& bad : cases) {
    reported.clear();
    errno = kUntouched;
    EXPECT_EQ(c.realloc(bad.pointer, 5000), nullptr) << bad.what;
    EXPECT_EQ(errno, kUntouched) << bad.what << ": errno changed";
    ASSERT_EQ(reported.size(), 1U) << bad.what << ": reported once";
    EXPECT_EQ(reported[0].error, bad.error) << bad.what;
    EXPECT_EQ(reported[0].pointer, bad.pointer) << bad.what;
    errno = kUntouched;
    EXPECT_EQ(c.reallocarray(bad.pointer, 10, 30), nullptr) << bad.what;
    EXPECT_EQ(errno, kUntouched) << bad.what << ": reallocarray changed errno";
  }
  EXPECT_EQ(first_mismatch(kept, 300, 25), 300U);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  heap.set_error_handler(&fail_on_error);
  c.free(kept);
}

// --- reallocarray --------------------------------------------------------------------------------

TEST_F(MallocFamilyTest, ReallocarrayIsReallocOfTheProduct) {
  void* block = c.reallocarray(nullptr, 10, 30);
  ASSERT_NE(block, nullptr);
  EXPECT_GE(c.malloc_usable_size(block), 300U);
  fill(block, 300, 23);
  block = c.reallocarray(block, 100, 30);
  ASSERT_NE(block, nullptr);
  EXPECT_GE(c.malloc_usable_size(block), 3000U);
  EXPECT_EQ(first_mismatch(block, 300, 23), 300U);
  EXPECT_EQ(c.reallocarray(block, 0, 30), nullptr);  // realloc(p, 0): freed
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, ReallocarrayOverflowIsEnomemAndKeepsTheBlock) {
  void* block = c.malloc(64);
  ASSERT_NE(block, nullptr);
  fill(block, 64, 24);
  const std::size_t half = kMax / 2 + 1;
  errno = 0;
  EXPECT_EQ(c.reallocarray(block, half, 2), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.reallocarray(block, 3, kMax / 2), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.reallocarray(nullptr, kMax, kMax), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(first_mismatch(block, 64, 24), 64U);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  c.free(block);
}

// --- aligned_alloc, memalign, posix_memalign -----------------------------------------------------

TEST_F(MallocFamilyTest, AlignedAllocRejectsNonPowersOfTwo) {
  for (std::size_t alignment : {std::size_t{0}, std::size_t{3}, std::size_t{6}, std::size_t{24},
                                std::size_t{100}, kMax}) {
    errno = 0;
    EXPECT_EQ(c.aligned_alloc(alignment, 64), nullptr) << alignment;
    EXPECT_EQ(errno, EINVAL) << alignment;
    errno = 0;
    EXPECT_EQ(c.memalign(alignment, 64), nullptr) << alignment;
    EXPECT_EQ(errno, EINVAL) << alignment;
  }
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, AlignedAllocAcceptsEveryPowerOfTwo) {
  errno = kUntouched;
  void* one = c.aligned_alloc(1, 64);  // 1 is a power of two
  ASSERT_NE(one, nullptr);
  EXPECT_GE(c.malloc_usable_size(one), 64U);
  EXPECT_TRUE(aligned(one, natural_alignment_of(64)));
  for (std::size_t alignment = 1; alignment <= 65536; alignment *= 2) {
    void* block = c.aligned_alloc(alignment, 100);
    ASSERT_NE(block, nullptr) << alignment;
    EXPECT_TRUE(aligned(block, alignment)) << alignment;
    void* other = c.memalign(alignment, 3000);
    ASSERT_NE(other, nullptr) << alignment;
    EXPECT_TRUE(aligned(other, alignment)) << alignment;
    c.free(block);
    c.free(other);
  }
  EXPECT_EQ(errno, kUntouched);
}

TEST_F(MallocFamilyTest, AlignedAllocOutOfMemoryIsEnomem) {
  memory.refuse_next_grows(1);
  errno = 0;
  EXPECT_EQ(c.aligned_alloc(64, 64), nullptr);
  EXPECT_EQ(errno, ENOMEM);
}

TEST_F(MallocFamilyTest, PosixMemalignRejectsBadAlignmentsAndLeavesTheResult) {
  const std::size_t pointer = sizeof(void*);
  for (std::size_t alignment : {std::size_t{0}, std::size_t{1}, std::size_t{2}, pointer / 2,
                                pointer - 1, pointer + 1, 3 * pointer, std::size_t{24}, kMax}) {
    int sentinel = 0;
    void* result = &sentinel;
    errno = kUntouched;
    EXPECT_EQ(c.posix_memalign(&result, alignment, 64), EINVAL) << alignment;
    EXPECT_EQ(result, &sentinel) << alignment;
    EXPECT_EQ(errno, kUntouched) << alignment;
  }
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(MallocFamilyTest, PosixMemalignSucceedsForPowerOfTwoMultiplesOfAPointer) {
  for (std::size_t alignment = sizeof(void*); alignment <= 65536; alignment *= 2) {
    void* result = nullptr;
    errno = kUntouched;
    ASSERT_EQ(c.posix_memalign(&result, alignment, 200), 0) << alignment;
    ASSERT_NE(result, nullptr);
    EXPECT_TRUE(aligned(result, alignment)) << alignment;
    EXPECT_GE(c.malloc_usable_size(result), 200U);
    EXPECT_EQ(errno, kUntouched);
    c.free(result);
  }
  void* zero = nullptr;
  EXPECT_EQ(c.posix_memalign(&zero, 16, 0), 0);
  EXPECT_NE(zero, nullptr);
}

TEST_F(MallocFamilyTest, PosixMemalignOutOfMemoryIsEnomemAndLeavesTheResult) {
  int sentinel = 0;
  void* result = &sentinel;
  memory.refuse_next_grows(1);
  EXPECT_EQ(c.posix_memalign(&result, 64, 64), ENOMEM);
  EXPECT_EQ(result, &sentinel);
  EXPECT_EQ(c.posix_memalign(&result, 64, std::size_t{8} << 20), ENOMEM);
  EXPECT_EQ(result, &sentinel);
}

// --- valloc, pvalloc -----------------------------------------------------------------------------

TEST_F(MallocFamilyTest, VallocAlignsToTheWasmPage) {
  for (std::size_t size : {0, 1, 100, 5000, 65536, 70000}) {
    void* block = c.valloc(size);
    ASSERT_NE(block, nullptr) << size;
    EXPECT_TRUE(aligned(block, 65536)) << size;
    EXPECT_GE(c.malloc_usable_size(block), size);
    c.free(block);
  }
}

// pvalloc asks for its size rounded up to whole wasm pages, and no more: each rounded size is a
// whole number of 2 KiB slots, so the block's usable size is exactly that (scripts/mutants seed
// 48: rounding with `+ 65536` instead of `+ 65535` gave a size of whole pages one page more,
// and passed while the test only asked for at least the rounded size).
TEST_F(MallocFamilyTest, PvallocRoundsUpToWholePages) {
  struct Case {
    std::size_t size, rounded;
  };
  for (Case p : {Case{1, 65536}, Case{65535, 65536}, Case{65536, 65536}, Case{65537, 131072},
                 Case{200000, 262144}}) {
    void* block = c.pvalloc(p.size);
    ASSERT_NE(block, nullptr) << p.size;
    EXPECT_TRUE(aligned(block, 65536)) << p.size;
    EXPECT_EQ(c.malloc_usable_size(block), p.rounded) << p.size;
    std::memset(block, 0x11, p.rounded);  // the whole rounded size is the caller's
    c.free(block);
  }
  void* zero = c.pvalloc(0);
  ASSERT_NE(zero, nullptr);
  EXPECT_TRUE(aligned(zero, 65536));
  EXPECT_EQ(c.malloc_usable_size(zero), 65536U);
  c.free(zero);
}

TEST_F(MallocFamilyTest, PvallocOverflowAndOutOfMemoryAreEnomem) {
  errno = 0;
  EXPECT_EQ(c.pvalloc(kMax), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.pvalloc(kMax - 65535), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
  EXPECT_EQ(c.valloc(std::size_t{8} << 20), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

// --- diagnosed misuse ----------------------------------------------------------------------------

#if GTEST_HAS_DEATH_TEST
// The default handler aborts, naming the very pointer freed (diagnosis_in_child forks, so the
// child's addresses are the parent's).
TEST(MallocFamilyDeathTest, FreeOfAForeignPointerAbortsNamingIt) {
  SimulatedMemory memory(std::size_t{1} << 20);
  Heap heap(memory);
  MallocFamily c(heap.core());
  c.malloc(16);
  int local = 0;
  EXPECT_EQ(diagnosis_in_child([&] { c.free(&local); }),
            diagnosis_text(to_string(HeapError::invalid_pointer), &local));
}

TEST(MallocFamilyDeathTest, DoubleFreeAbortsNamingTheBlock) {
  SimulatedMemory memory(std::size_t{1} << 20);
  Heap heap(memory);
  MallocFamily c(heap.core());
  void* block = c.malloc(16);
  c.malloc(16);
  c.free(block);
  EXPECT_EQ(diagnosis_in_child([&] { c.free(block); }),
            diagnosis_text(to_string(HeapError::double_free), block));
}
#endif

}  // namespace
}  // namespace alligator::testing
