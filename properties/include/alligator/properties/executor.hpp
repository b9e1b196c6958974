// The executor: runs trace operations on a real heap and on the reference model side by side,
// and after every operation checks that they agree. It is the property suites' system under
// test, alligator_replay's engine, and (being plain C++ without RapidCheck) what runs sequences
// inside wasm.
//
// One Executor is one fresh heap: a SimulatedMemory of the trace's maximum, a Heap over it, the
// MallocFamily over that heap (so C semantics are what is tested), and a model::HeapModel.
// After each operation it checks, and reports the first failure as a step verdict:
//   - the result is legal for the model (class, MiniPage, Segment, span, alignment, growth by
//     exactly the pages the README prescribes, refused grows, the error reported);
//   - the C contract: errno, posix_memalign's return code, calloc's zeroes, alignment;
//   - no two live blocks overlap; every live block still holds its pattern; realloc kept the
//     prefix;
//   - writing a block's whole usable size does not change the heap (walk before and after);
//   - heap.walk() equals the model span by span, MiniPage bitmaps and `current` included;
//   - each class's current MiniPage is the model's;
//   - stats() equals the model's; validate() is clean (unless switched off, below);
//   - the policy-free tier (policy_free.hpp): growth only when nothing free could serve the
//     request, within a page bound, read from walk() and stats() alone.
#pragma once

#include <alligator/model/heap_model.hpp>
#include <alligator/properties/trace.hpp>
#include <alligator/shim/memory_source.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

// Declared, not defined: what includes this header (the RapidCheck suites, the tools) compiles
// none of the allocator's inline code, so only the executor's own files (src/, which include
// alligator/heap.hpp) must see the headers of the allocator they check. A planted mutant in a
// header then rebuilds the executor, not the suites (properties/planted/).
namespace alligator {
template <MemorySource Memory>
class Heap;
}  // namespace alligator

namespace alligator::properties {

// Rare events the executor counts, so a suite can require that its generators still reach them
// (properties/CMakeLists.txt gives each suite floors). Each counts once per heap call.
enum class Event : std::size_t {
  table_moved,          // a growth of a heap that had a table already: the table moved
  grew_in_place,        // realloc grew a block in place by growing memory under it
  shrank_in_place,      // realloc kept a small block for a size of a smaller class
  retired_mini_pages,   // retiring freed spare or empty current MiniPages
  retired_spare_spans,  // retiring freed spare spans
  out_of_memory,        // a request the address space could hold returned null
  aligned_above_2k,     // a block with alignment above 2048 was handed out
  double_free,          // reported as double_free
  invalid_pointer,      // reported as invalid_pointer
  size_mismatch,        // reported as size_mismatch
  bad_alignment,        // aligned_alloc or posix_memalign refused an alignment (EINVAL)
  calloc_overflow,      // calloc whose count * size overflows
  size_max,             // a request sized relative to SIZE_MAX failed
  generous_growth,      // a growth got p_min pages, more than the request needed (p_k)
  exact_retry,          // a growth refused p_min pages got p_k on its second ask
};
inline constexpr std::size_t kEventCount = 15;
using EventCounts = std::array<std::size_t, kEventCount>;
const char* to_string(Event event);

struct StepVerdict {
  bool ok = true;
  std::string message;  // what went wrong, with the operation and the heap's state
  std::string note;     // what the step did, e.g. "heap+24576, usable 64", "null", "skipped"
};

// Whether executors call validate() after each operation: yes, unless the environment has
// ALLIGATOR_EXECUTOR_NO_VALIDATE set (to anything but empty or 0), read once. Without it, only
// the model and the executor's own checks remain: the planted mutants' no_validate tests use it
// to prove the model, not the allocator's own validator, catches them.
bool executor_validates();

class Executor {
 public:
  // `memory_bytes`: the memory's maximum in whole wasm pages, plus (the rest, below 64 KiB)
  // how far before a page boundary its first byte lies, as a program's __heap_base may: the
  // first growth takes those bytes too (shim/include/alligator/shim/memory_source.hpp).
  explicit Executor(std::size_t memory_bytes);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs one operation (appending it to history()) and checks everything. After a failed step
  // the executor refuses to run more.
  StepVerdict run(const Operation& operation);

  std::size_t memory_bytes() const { return memory_bytes_; }
  // Operations executed: each allocation or free of a range counts once per block; skipped
  // operations (naming a block that is not live) do not count.
  std::size_t operations() const { return operations_; }
  const EventCounts& events() const;
  const std::vector<Operation>& history() const { return history_; }
  Trace trace() const;  // memory header + history: the failing sequence, ready to replay
  const model::HeapModel& model() const;
  const Heap<SimulatedMemory>& heap() const;  // to look at (walk, stats), e.g. for a heap map
  bool block_live(std::uint32_t id) const;
  std::vector<std::uint32_t> live_ids() const;
  std::uint32_t unused_id() const;  // above every id a block was ever given

  // The policy-free end of a case ("nothing lost", policy_free.hpp): frees every live block
  // straight through the heap, without the model (the executor runs nothing afterwards), then
  // checks from walk() and stats() alone that a request for every slot between slot 0 and the
  // table succeeds without growth (retiring kept memory first) and that, freed, those slots are
  // one free span. Returns a problem, or empty; `free_slots` is that span's length (0 when the
  // heap never grew).
  std::string release_all(std::size_t& free_slots);
  // After `expect nothing_lost` ran (trace.hpp): the free span's length release_all found.
  std::size_t released_free_slots() const { return free_slots_; }
  // After release_all: a request of `size` bytes succeeds without growth, and is freed again.
  std::string request_without_growth(std::size_t size);

  struct State;  // the heap, the model and the executor's records (src/executor_state.hpp)

 private:
  std::size_t memory_bytes_;
  std::size_t operations_ = 0;
  std::vector<Operation> history_;
  bool failed_ = false;
  bool released_ = false;  // release_all ran: the model no longer follows the heap
  std::size_t free_slots_ = 0;  // release_all's free span, for `expect no_growth`
  std::unique_ptr<State> state_;
};

}  // namespace alligator::properties
