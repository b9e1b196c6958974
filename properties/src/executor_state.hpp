// The executor's insides, shared by executor.cpp (operations) and heap_checks.cpp (the checks
// run after every operation).
#pragma once

#include <alligator/heap.hpp>
#include <alligator/malloc_family.hpp>
#include <alligator/properties/executor.hpp>
#include <alligator/properties/policy_free.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace alligator::properties {

// A live or freed block named by an id.
struct TrackedBlock {
  std::uintptr_t address = 0;  // the latest address (kept after free, for free_again)
  std::size_t usable = 0;
  std::size_t phase = 0;       // its pattern
  bool live = false;
};

// One span as compared: walk() and the model both become lists of these.
struct SpanRecord {
  int kind = 0;  // model::SpanKind, or -1 for a kind the model does not know
  std::size_t first = 0;
  std::size_t slots = 0;
  std::size_t class_size = 0;
  std::size_t segments = 0;
  std::size_t live = 0;
  bool current = false;
  bool spare = false;
  std::array<std::uint64_t, 4> bitmap{};

  bool operator==(const SpanRecord&) const = default;
};

struct Executor::State {
  explicit State(std::size_t memory_bytes);

  SimulatedMemory memory;
  Heap<SimulatedMemory> heap;
  MallocFamily family;
  model::HeapModel model;
  std::map<std::uint32_t, TrackedBlock> blocks;       // every id ever given an address
  struct LiveBlock {
    std::uint32_t id;
    const TrackedBlock* block;  // in `blocks` (std::map nodes stay put)
  };
  std::map<std::uintptr_t, LiveBlock> live;            // live blocks by address
  std::vector<std::pair<HeapError, const void*>> errors;  // reported during the current call
  std::size_t next_phase = 1;
  std::vector<SpanRecord> walked, expected;            // scratch for the checks
  std::vector<std::uintptr_t> touched;  // blocks this step made, moved or freed (by address)
  std::uintptr_t sweep_from = 0;        // where the next full read of live blocks starts
  EventCounts events{};
  void count(Event event) { ++events[static_cast<std::size_t>(event)]; }
  // The heap as the previous check left it (the state before the current call).
  std::size_t pages_before = 0;
  std::size_t metadata_before = 0;
  std::vector<SpanRecord> walked_before;  // the previous check's walk
  // What the current call requested, for the policy-free growth check (policy_free.hpp); set
  // by the operation once it knows the result, consumed by check_heap.
  std::optional<policy_free::Request> request;
  std::size_t retired_mini_pages_before = 0;
  std::size_t retired_spare_spans_before = 0;
  std::size_t generous_growths_before = 0;
  std::size_t exact_retries_before = 0;

  // Checks (heap_checks.cpp). Each returns a problem, or an empty string.
  // Everything after an operation; `fingerprint`, when given, is the walk the heap must still
  // have (taken before the operation's own writes into blocks).
  std::string check_heap(std::optional<std::uint64_t> fingerprint);
  std::uint64_t walk_fingerprint() const;
  std::string describe_heap() const;  // the heap's walk, for failure messages

  // Live blocks' contents: each step reads every block's first and last kEdgeBytes (all of a
  // small block), the blocks at and beside the addresses the step touched in full, and
  // kSweepBytes more in full, resuming where the previous step stopped; so every byte of every
  // live block is read within a few steps, and per-step cost stays flat as blocks grow.
  static constexpr std::size_t kEdgeBytes = 64;
  static constexpr std::size_t kSweepBytes = 64 * 1024;
  std::string check_contents();
  static std::string check_block(const LiveBlock& live_block, std::size_t from, std::size_t to);
};

}  // namespace alligator::properties
