// Shared by the heap-level unit tests: a fixture owning a simulated wasm memory with a small
// maximum and a Heap over it (validated after every test), and helpers that state expectations
// from the specification (allocator/README.md), not from the allocator's own code.
#pragma once

#include <alligator/heap.hpp>
#include <alligator/shim/simulated_memory.hpp>
#include <alligator/size_classes.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#if GTEST_HAS_DEATH_TEST
#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace alligator::testing {

inline constexpr std::size_t kSlot = 2048;
inline constexpr std::size_t kPage = 65536;
inline constexpr std::size_t kSlotsPerPage = kPage / kSlot;

// The metadata layout of the specification ("Metadata out of band", "Growth"): slot 0 is a
// one-slot metadata span, and the heap's last span is the table: a 32-slot apron (one wasm page),
// the bitmap pool (B slots of 32-byte bitmap records, 64 to a slot, one per MiniPage) and
// R(top) = ceil(top / 128) slots of 16-byte records, one per slot of the heap.
inline constexpr std::size_t kApronSlots = 32;
inline constexpr std::size_t kBitmapsPerPoolSlot = 64;
inline constexpr std::size_t record_slots(std::size_t top) { return (top + 127) / 128; }
inline constexpr std::size_t table_slots(std::size_t top, std::size_t pool = 0) {
  return kApronSlots + pool + record_slots(top);
}
// stats().metadata_bytes of a heap of `top` slots and a pool of `pool` slots: slot 0 and the
// table.
inline constexpr std::size_t metadata_bytes_for(std::size_t top, std::size_t pool = 0) {
  return (1 + table_slots(top, pool)) * kSlot;
}

// Every message of a validation report, for a failure's output.
inline std::string describe(const ValidationReport& report) {
  std::ostringstream out;
  out << report.problems << " problem(s)";
  std::size_t shown = std::min<std::size_t>(report.problems, ValidationReport::kMaxMessages);
  for (std::size_t i = 0; i < shown; ++i) out << "\n  " << report.messages[i];
  return out.str();
}

template <class H>
::testing::AssertionResult heap_is_valid(const H& heap) {
  ValidationReport report = heap.validate();
  if (report.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << describe(report);
}

// The spec's alignment rule: min(alignof(max_align_t), largest power of two <= max(size, 1)).
inline std::size_t natural_alignment_of(std::size_t size) {
  return std::min<std::size_t>(alignof(std::max_align_t), std::bit_floor(std::max<std::size_t>(size, 1)));
}

inline bool aligned(const void* pointer, std::size_t alignment) {
  return reinterpret_cast<std::uintptr_t>(pointer) % alignment == 0;
}

// The largest request a Segment serves ("Size classes": n <= 16384 with alignment <= 2048).
inline constexpr std::size_t kLargestSmall = 16384;

// The slots k_c of a MiniPage of class size `class_bytes`, from the spec's definition and
// independently of mini_page_slots(): among 1 to 16 slots holding at most 128 Segments, the
// fewest that leave the least share of their bytes unused, the shares compared in floating point
// over every candidate; class 8 takes one slot.
inline std::size_t mini_page_slots_of(std::size_t class_bytes) {
  if (class_bytes == 8) return 1;
  std::size_t best = 0;
  double best_share = 2.0;
  for (std::size_t slots = 1; slots <= 16; ++slots) {
    const std::size_t bytes = slots * kSlot;
    if (bytes / class_bytes > 128) continue;
    const double share =
        static_cast<double>(bytes % class_bytes) / static_cast<double>(bytes);
    if (share < best_share) {
      best = slots;
      best_share = share;
    }
  }
  return best;
}
// Its Segments: floor(2048 k_c / s).
inline std::size_t segments_of(std::size_t class_bytes) {
  return mini_page_slots_of(class_bytes) * kSlot / class_bytes;
}

// The usable size the spec gives a request: a Segment of the smallest class >= max(size, 1) whose
// size is a multiple of `alignment`, or whole 2 KiB slots for large requests.
inline std::size_t expected_usable(std::size_t size, std::size_t alignment = 1) {
  if (size <= kLargestSmall && alignment <= 2048) {
    for (std::size_t class_bytes : kClassSizes) {
      if (class_bytes >= size && class_bytes % alignment == 0) return class_bytes;
    }
    return 0;  // unreachable: 16384 is a multiple of every alignment <= 2048
  }
  std::size_t slots = (size + kSlot - 1) / kSlot;
  return std::max<std::size_t>(slots, 1) * kSlot;
}

// A byte pattern that differs per block and per offset, so overlaps and lost copies show.
inline unsigned char pattern_byte(std::size_t seed, std::size_t offset) {
  return static_cast<unsigned char>((seed * 131 + offset * 7 + (offset >> 8)) & 0xFF);
}
inline void fill(void* block, std::size_t bytes, std::size_t seed) {
  auto* bytes_out = static_cast<unsigned char*>(block);
  for (std::size_t i = 0; i < bytes; ++i) bytes_out[i] = pattern_byte(seed, i);
}
// Index of the first byte that differs from the pattern, or `bytes` when all match.
inline std::size_t first_mismatch(const void* block, std::size_t bytes, std::size_t seed) {
  const auto* bytes_in = static_cast<const unsigned char*>(block);
  for (std::size_t i = 0; i < bytes; ++i) {
    if (bytes_in[i] != pattern_byte(seed, i)) return i;
  }
  return bytes;
}

// xorshift64: deterministic, so a failure reproduces on every target.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(next() % bound); }
};

struct Live {
  void* pointer;
  std::size_t bytes;  // usable bytes
};

// No two live blocks overlap.
inline ::testing::AssertionResult disjoint(std::vector<Live> blocks) {
  std::sort(blocks.begin(), blocks.end(), [](const Live& a, const Live& b) {
    return std::less<>()(a.pointer, b.pointer);
  });
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    auto end_of_previous =
        reinterpret_cast<std::uintptr_t>(blocks[i - 1].pointer) + blocks[i - 1].bytes;
    if (reinterpret_cast<std::uintptr_t>(blocks[i].pointer) < end_of_previous) {
      return ::testing::AssertionFailure()
             << "block " << blocks[i].pointer << " overlaps " << blocks[i - 1].pointer << " ("
             << blocks[i - 1].bytes << " bytes)";
    }
  }
  return ::testing::AssertionSuccess();
}

template <class H>
std::vector<SpanView> spans_of(const H& heap) {
  std::vector<SpanView> spans;
  heap.walk([&](const SpanView& span) { spans.push_back(span); });
  return spans;
}

inline const char* kind_name(SpanKind kind) {
  switch (kind) {
    case SpanKind::none: return "none";
    case SpanKind::free: return "free";
    case SpanKind::mini_page: return "mini_page";
    case SpanKind::large: return "large";
    case SpanKind::metadata: return "metadata";
    case SpanKind::foreign: return "foreign";
    case SpanKind::spare: return "spare";
  }
  return "?";
}

// The walk as text, slot numbers relative to `base`: "metadata 0+1, free 1+29, metadata 30+34".
template <class H>
std::string layout(const H& heap, const std::byte* base) {
  std::ostringstream out;
  bool first = true;
  for (const SpanView& span : spans_of(heap)) {
    if (!first) out << ", ";
    first = false;
    out << kind_name(span.kind) << " " << (span.start - base) / kSlot << "+" << span.bytes / kSlot;
  }
  return out.str();
}

// Slot index of `pointer` from `base`, the start of the heap.
inline std::size_t slot_index(const std::byte* base, const void* pointer) {
  return static_cast<std::size_t>(static_cast<const std::byte*>(pointer) - base) / kSlot;
}

// Where the spec puts the table of a heap whose pool has `pool` slots: its last
// table_slots(top, pool) slots.
template <class H>
const std::byte* table_start(const H& heap, std::size_t pool = 0) {
  std::size_t top = heap.stats().wasm_pages * kSlotsPerPage;
  return heap.end() - table_slots(top, pool) * kSlot;
}

#if GTEST_HAS_DEATH_TEST
// What the default handler writes for `call`, run in a forked child (which shares the parent's
// addresses, so the diagnosis can be compared with the parent's pointer); empty unless the child
// died by SIGABRT.
template <typename Call>
std::string diagnosis_in_child(Call call) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return "pipe failed";
  pid_t child = fork();
  if (child == 0) {
    dup2(pipe_ends[1], 2);
    call();
    _exit(0);
  }
  close(pipe_ends[1]);
  std::string text;
  char buffer[256];
  for (ssize_t got; (got = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  // Under qemu-i386 (i686 tests on a kernel without 32-bit support) the emulator reports the
  // abort itself, on a line of its own after the heap's: that line is not the heap's.
  const std::size_t note = text.find("\nqemu: uncaught target signal 6");
  if (note != std::string::npos) text.erase(note + 1);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? text : "";
}

// The default handler's diagnosis of `pointer`, its address in full width.
inline std::string diagnosis_text(const char* error, const void* pointer) {
  char address[2 * sizeof(std::uintptr_t) + 1];
  std::snprintf(address, sizeof address, "%0*jx", static_cast<int>(2 * sizeof(std::uintptr_t)),
                static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(pointer)));
  return std::string("alligator: ") + error + " at 0x" + address + "\n";
}
#endif

// An error handler that keeps what the heap reports (instead of failing the test), for pointers
// that must be rejected: heap.set_error_handler(&record_report, &reports).
struct Reported {
  HeapError error;
  const void* pointer;
};
inline void record_report(HeapError error, const void* pointer, void* reports) {
  static_cast<std::vector<Reported>*>(reports)->push_back({error, pointer});
}

// A fixture: a simulated memory of `bytes` at most and a fresh heap over it, checked by
// validate() after each test. An error the heap reports fails the test (instead of the default
// handler's abort, which would end the whole test binary).
class HeapFixture : public ::testing::Test {
 protected:
  explicit HeapFixture(std::size_t bytes) : memory(bytes), heap(memory) {
    heap.set_error_handler(&fail_on_error);
  }

  static void fail_on_error(HeapError error, const void* pointer, void*) {
    ADD_FAILURE() << "the heap reported " << to_string(error) << " at " << pointer;
  }
  void TearDown() override { EXPECT_TRUE(heap_is_valid(heap)) << "after the test"; }

  // Grows the heap with a large block of `slots` slots, freed at once, so a free span of at
  // least that many slots lies at its top: tests of MiniPages of several slots then know where
  // they go without following growth.
  void grow_first(std::size_t slots) {
    void* block = heap.allocate(slots * kSlot);
    ASSERT_NE(block, nullptr);
    heap.deallocate(block);
  }

  // Slot index of `pointer` from the start of the heap.
  std::size_t slot_of(const void* pointer) const {
    return slot_index(memory.base(), pointer);
  }

  SimulatedMemory memory;
  Heap<SimulatedMemory> heap;
};

}  // namespace alligator::testing
