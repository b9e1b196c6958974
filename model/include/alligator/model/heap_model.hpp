// alligator::model::HeapModel: an executable reading of allocator/README.md.
//
// The model does not allocate. For each heap call it is told what the real heap did (an
// Outcome: the returned address, how many wasm pages the memory now has, how many grows were
// refused, which error was reported) and answers whether the README allows it. When it does, the
// model moves to the state the observation implies: the README leaves some choices to the
// allocator (which free Segment, which fitting free span, which spare span of the right length,
// which partial MiniPage becomes current), so the model learns them from the result instead of
// predicting them. Everything the README fixes (class, MiniPage, whether and how much memory
// grows, retiring, coalescing, spare spans, in-place reallocation, errors) is predicted and
// checked.
//
// State, all in plain std containers:
//   spans       every slot's span (span_map.hpp)
//   MiniPages   by first slot (a MiniPage spans k_c slots, spans of kind mini_page in the span
//               map): class, live Segments (std::set), and whether Segments must still come in
//               address order (a fresh MiniPage nobody has freed into)
//   current     per class, the current MiniPage, if any
//   partial     per class, the set of non-current MiniPages with a free Segment
//   spares      per class, the empty non-current MiniPages it keeps (at most kSpares)
//   spare spans per length (9 to 16 slots), the freed large blocks kept whole (at most
//               kSpareSpans); spans of kind spare in the span map
//   memory      origin (the first byte the memory gave), wasm pages, maximum, refusals pending
//
// Addresses are absolute (std::uintptr_t); slot s starts at origin + 2048 s.
//
// The 4 GiB address space (README, "The 4 GiB address space"):
//   - a request of 4 GiB or more (size / 2048 >= 2^21), or whose aligned span needs more than
//     2^21 slots, fails at once: nothing retires, no grow is attempted;
//   - an ask for pages that would take the heap past 2^21 slots is not made: when p_min would,
//     the heap asks for p_k only; when p_k would, the call fails after retiring, and a pending
//     refusal stays pending.
// Growth, as the memory source sees it ("Growth"): the heap asks for p = max(p_k, p_min) pages
// and, if p > p_k is refused (or passes the memory's maximum), asks once more for p_k. Every
// ask the memory sees uses up one refusal of refuse_next_grows() and counts as refused; an ask
// past the maximum fails without counting (SimulatedMemory::grow).
// Reallocation: a block whose growth in place is refused (or hits the maximum) moves like any
// other reallocation, retiring and growing again like any allocation ("Reallocation").
#pragma once

#include <alligator/model/size_classes.hpp>
#include <alligator/model/span_map.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace alligator::model {

// What the heap reports to its error handler ("Errors").
enum class Error { none, invalid_pointer, double_free, size_mismatch };
const char* to_string(Error error);

// What one heap call did, as the caller observed it.
struct Outcome {
  std::uintptr_t result = 0;  // the returned block; 0 for null (and for calls returning nothing)
  std::uintptr_t base = 0;    // the memory source's first byte after the call (0: never grown)
  std::size_t pages = 0;      // wasm pages the memory source has handed out after the call
  std::size_t refused = 0;    // grows the memory source refused during the call
  Error error = Error::none;  // the error reported during the call, if any
};

struct Verdict {
  std::string problem;  // empty when the call was legal
  bool ok() const { return problem.empty(); }
};

struct MiniPage {
  std::size_t size_class = 0;
  std::set<std::size_t> live;   // Segments handed out
  bool address_order = false;   // fresh and not freed into: the next Segment is the lowest free
};

struct ModelStats {
  std::size_t wasm_pages = 0;
  std::size_t metadata_bytes = 0;
  std::size_t mini_pages = 0;
  std::size_t large_blocks = 0;
  std::size_t live_blocks = 0;
  std::size_t bytes_in_use = 0;
  std::size_t free_bytes = 0;
  std::vector<std::size_t> blocks_per_class;
  std::vector<std::size_t> mini_pages_per_class;
};

// A live block as the model knows it.
struct ModelBlock {
  std::uintptr_t start = 0;
  std::size_t usable = 0;                // class size, or 2048 per slot
  std::optional<std::size_t> size_class; // small blocks
  std::size_t first_slot = 0;            // the MiniPage's or the large block's first slot
  std::size_t segment = 0;               // small blocks
};

// Empty MiniPages a class keeps at most (README, "Small blocks").
inline constexpr std::size_t kSpares = 4;
// Spare spans: freed large blocks of kSpareSpanMinSlots to kSpareSpanMaxSlots slots, at most
// kSpareSpans of each length (README, "Spare spans").
inline constexpr std::size_t kSpareSpanMinSlots = 9;
inline constexpr std::size_t kSpareSpanMaxSlots = 16;
inline constexpr std::size_t kSpareSpans = 4;

class HeapModel {
 public:
  // A heap over a fresh memory of at most `max_bytes` (rounded up to wasm pages), on a target
  // whose alignof(max_align_t) is `max_align`.
  explicit HeapModel(std::size_t max_bytes, std::size_t max_align = alignof(std::max_align_t));

  // Heap calls. Each checks `seen` against the README and, when legal, updates the model.
  Verdict allocate(std::size_t size, std::size_t alignment, const Outcome& seen);
  Verdict deallocate(std::uintptr_t pointer, const Outcome& seen);
  Verdict deallocate_sized(std::uintptr_t pointer, std::size_t size, std::size_t alignment,
                           const Outcome& seen);
  Verdict reallocate(std::uintptr_t pointer, std::size_t size, std::size_t alignment,
                     const Outcome& seen);
  // usable_size(pointer) returned `usable`.
  Verdict usable_size(std::uintptr_t pointer, std::size_t usable, const Outcome& seen);
  // trim() returned `trimmed` ("Trimming"): it retires, and says whether anything retired.
  Verdict trim(bool trimmed, const Outcome& seen);
  // The memory source will refuse its next `count` grows (SimulatedMemory::refuse_next_grows).
  void refuse_next_grows(std::size_t count) { refusals_ = count; }

  // Queries.
  const SizeClasses& classes() const { return classes_; }
  const SpanMap& span_map() const { return spans_; }
  const std::map<std::size_t, MiniPage>& mini_pages() const { return mini_pages_; }
  std::optional<std::size_t> current(std::size_t size_class) const {
    return current_.at(size_class);
  }
  const std::set<std::size_t>& spares(std::size_t size_class) const {
    return spares_.at(size_class);
  }
  const std::set<std::size_t>& partial(std::size_t size_class) const {
    return partial_.at(size_class);
  }
  // The first slots of the spare spans of `slots` slots (slots <= kSpareSpanMaxSlots).
  const std::set<std::size_t>& spare_spans(std::size_t slots) const {
    return spare_spans_.at(slots);
  }
  std::set<std::size_t> free_segments(std::size_t mini_page_slot) const;
  std::uintptr_t origin() const { return origin_; }
  std::size_t pages() const { return pages_; }
  std::size_t max_pages() const { return max_pages_; }
  std::size_t refusals_pending() const { return refusals_; }
  std::uintptr_t slot_address(std::size_t slot) const { return origin_ + slot * kSlotBytes; }
  // The slots from the memory's first byte to the next page boundary, which the first growth
  // takes with its pages (0 before it, or when the memory begins on a page).
  std::size_t lead_slots() const {
    return (kWasmPageBytes - origin_ % kWasmPageBytes) % kWasmPageBytes / kSlotBytes;
  }
  std::optional<std::size_t> slot_of(std::uintptr_t address) const;
  // MiniPages and spare spans retiring has freed so far (for the suites' event counts).
  std::size_t retired_mini_pages() const { return retired_mini_pages_; }
  std::size_t retired_spare_spans() const { return retired_spare_spans_; }
  // Growths granted at p = p_min > p_k, and growths granted at p_k after p > p_k was refused.
  std::size_t generous_growths() const { return generous_growths_; }
  std::size_t exact_retries() const { return exact_retries_; }

  // The live block starting at `pointer`, if any.
  std::optional<ModelBlock> block_at(std::uintptr_t pointer) const;
  // The error a call on `pointer` must report ("Errors"): none (an empty set) for a live
  // block's start; double_free for a freed Segment of a MiniPage or the head of a free span or
  // of a spare span; invalid_pointer otherwise.
  std::set<Error> errors_for(std::uintptr_t pointer) const;
  ModelStats stats() const;

  // The model's own invariants (a bug in the model, not in the heap, if any fails).
  std::vector<std::string> check_invariants() const;
  // Spans, MiniPages and lists, for failure messages.
  std::string describe() const;

 private:
  struct Call;

  // One call's work, shared by the public operations. Each records problems in `call`.
  void allocate_block(std::size_t size, std::size_t alignment, Call& call);
  void allocate_small(std::size_t size, std::size_t size_class, Call& call);
  void allocate_large(std::size_t size, std::size_t alignment, Call& call);
  void take_segment(std::size_t slot, Call& call);
  // "Taking k slots": retires and grows as the README says; returns the free span the heap took
  // from (checked against the result), or nothing when memory could not grow (or the call
  // failed).
  std::optional<std::size_t> take_slots(std::size_t slots, Call& call);
  // "The pool": a bitmap record for a new MiniPage, growing the pool by one slot when none is
  // free; false when that needed memory that could not grow.
  bool take_bitmap_record(Call& call);
  // "Growth": asks for max(p_k, p_min) pages, then p_k; true when the top free span now has
  // `slots` slots.
  bool grow(std::size_t slots, Call& call);
  // One ask to the memory source for `pages` pages; true when it gave them.
  bool ask_memory(std::size_t pages, Call& call);
  // "Retiring": spare and empty current MiniPages and spare spans are freed as spans.
  void retire();
  // A MiniPage's k_c slots are freed as one span (and coalesce); its bitmap record goes back.
  void release_mini_page(std::size_t slot);
  void free_block(const ModelBlock& block);
  void free_segment(std::size_t slot, std::size_t segment);
  void reallocate_large(const ModelBlock& block, std::size_t size, std::size_t alignment,
                        Call& call);
  void move_block(const ModelBlock& block, std::size_t size, std::size_t alignment, Call& call);
  Verdict finish(Call& call) const;
  std::string where(std::uintptr_t address) const;

  SizeClasses classes_;
  SpanMap spans_;
  std::map<std::size_t, MiniPage> mini_pages_;          // by first slot
  std::vector<std::optional<std::size_t>> current_;     // by class
  std::vector<std::set<std::size_t>> spares_;           // by class
  std::vector<std::set<std::size_t>> partial_;          // by class
  std::vector<std::set<std::size_t>> spare_spans_;      // by length, 0 to kSpareSpanMaxSlots
  std::uintptr_t origin_ = 0;
  std::size_t pages_ = 0;
  std::size_t max_pages_ = 0;
  std::size_t refusals_ = 0;
  std::size_t retired_mini_pages_ = 0;
  std::size_t retired_spare_spans_ = 0;
  std::size_t generous_growths_ = 0;
  std::size_t exact_retries_ = 0;
};

}  // namespace alligator::model
