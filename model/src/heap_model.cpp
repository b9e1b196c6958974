// Each public operation builds a Call, walks the README's rules for that operation, checks the
// observed result at every point where the README leaves the heap a choice (or none), updates
// the model, and finally compares what every call must agree on: wasm pages, refused grows,
// the reported error, the memory's origin.
#include <alligator/model/growth.hpp>
#include <alligator/model/heap_model.hpp>

#include <algorithm>
#include <sstream>

namespace alligator::model {
namespace {

std::string hex(std::uintptr_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

std::string list(const std::vector<std::size_t>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size() && i < 8; ++i) out << (i ? ", " : "") << values[i];
  if (values.size() > 8) out << ", ... (" << values.size() << " in all)";
  return out.str();
}

// Slots a large block of `size` bytes takes: max(1, ceil(size / 2048)), without overflow.
std::size_t slots_for(std::size_t size) {
  std::size_t slots = size / kSlotBytes + (size % kSlotBytes != 0 ? 1 : 0);
  return slots == 0 ? 1 : slots;
}

// "A request is large when n > 16384 or its alignment is > 2048."
bool is_large_request(std::size_t size, std::size_t alignment) {
  return size > kLargestSmallBytes || alignment > kLargestSmallAlignment;
}

// The lengths a freed large block may be kept at as a spare span ("Spare spans").
bool spare_span_length(std::size_t slots) {
  return slots >= kSpareSpanMinSlots && slots <= kSpareSpanMaxSlots;
}

// 4 GiB or more: no wasm32 heap can hold it.
bool beyond_address_space(std::size_t size) { return size / kSlotBytes >= kAddressSpaceSlots; }

}  // namespace

const char* to_string(Error error) {
  switch (error) {
    case Error::none: return "no error";
    case Error::invalid_pointer: return "invalid_pointer";
    case Error::double_free: return "double_free";
    case Error::size_mismatch: return "size_mismatch";
  }
  return "?";
}

struct HeapModel::Call {
  explicit Call(const Outcome& outcome) : seen(outcome) {}

  const Outcome& seen;
  std::size_t refused = 0;                // grows the model expects refused
  std::set<Error> errors{Error::none};    // what the call may report
  std::string problem;

  void fail(std::string text) {
    if (problem.empty()) problem = std::move(text);
  }
  bool failed() const { return !problem.empty(); }
};

HeapModel::HeapModel(std::size_t max_bytes, std::size_t max_align)
    : classes_(max_align),
      current_(classes_.count()),
      spares_(classes_.count()),
      partial_(classes_.count()),
      spare_spans_(kSpareSpanMaxSlots + 1),
      max_pages_(max_bytes / kWasmPageBytes + (max_bytes % kWasmPageBytes != 0 ? 1 : 0)) {}

// ---------------------------------------------------------------------------------------------
// Public operations

Verdict HeapModel::allocate(std::size_t size, std::size_t alignment, const Outcome& seen) {
  Call call(seen);
  allocate_block(size, alignment, call);
  return finish(call);
}

Verdict HeapModel::deallocate(std::uintptr_t pointer, const Outcome& seen) {
  Call call(seen);
  if (pointer != 0) {
    auto errors = errors_for(pointer);
    if (errors.empty()) {
      free_block(*block_at(pointer));
    } else {
      call.errors = errors;
    }
  }
  return finish(call);
}

Verdict HeapModel::deallocate_sized(std::uintptr_t pointer, std::size_t size,
                                    std::size_t alignment, const Outcome& seen) {
  Call call(seen);
  if (pointer != 0) {
    auto errors = errors_for(pointer);
    if (!errors.empty()) {
      call.errors = errors;
    } else {
      ModelBlock block = *block_at(pointer);
      if (size > block.usable || !is_power_of_two(alignment) || pointer % alignment != 0) {
        call.errors = {Error::size_mismatch};
      } else {
        free_block(block);
      }
    }
  }
  return finish(call);
}

Verdict HeapModel::usable_size(std::uintptr_t pointer, std::size_t usable, const Outcome& seen) {
  Call call(seen);
  std::size_t expected = 0;
  if (pointer != 0) {
    auto errors = errors_for(pointer);
    if (errors.empty()) {
      expected = block_at(pointer)->usable;
    } else {
      call.errors = errors;
    }
  }
  if (usable != expected) {
    call.fail("usable size of " + where(pointer) + " is " + std::to_string(usable) +
              ", the model says " + std::to_string(expected));
  }
  return finish(call);
}

Verdict HeapModel::trim(bool trimmed, const Outcome& seen) {
  Call call(seen);
  const std::size_t before = retired_mini_pages_ + retired_spare_spans_;
  retire();
  const bool expected = retired_mini_pages_ + retired_spare_spans_ != before;
  if (trimmed != expected) {
    call.fail(std::string("trim returned ") + (trimmed ? "true" : "false") + ", the model says " +
              (expected ? "true" : "false"));
  }
  return finish(call);
}

Verdict HeapModel::reallocate(std::uintptr_t pointer, std::size_t size, std::size_t alignment,
                              const Outcome& seen) {
  Call call(seen);
  auto expect_result = [&](std::uintptr_t expected, const char* why) {
    if (seen.result != expected) {
      call.fail("reallocate returned " + where(seen.result) + ", expected " + where(expected) +
                " (" + why + ")");
    }
  };
  if (pointer == 0) {
    allocate_block(size, alignment, call);
    return finish(call);
  }
  auto errors = errors_for(pointer);
  if (!errors.empty()) {
    call.errors = errors;
    expect_result(0, "not a live block: null and an error");
    return finish(call);
  }
  ModelBlock block = *block_at(pointer);
  if (size == 0) {
    free_block(block);
    expect_result(0, "size 0 frees the block and returns null");
  } else if (!is_power_of_two(alignment)) {
    expect_result(0, "alignment not a power of two");
  } else if (beyond_address_space(size)) {
    expect_result(0, "4 GiB or more fails at once, the block untouched");
  } else if (block.size_class) {
    const auto wanted = classes_.class_for(size, alignment);
    if (wanted == block.size_class) {
      expect_result(pointer, "a small block stays in place when the size maps to its class");
    } else if (wanted && pointer % alignment == 0 && size <= block.usable &&
               2 * size >= block.usable) {
      expect_result(pointer, "a small block shrunk by at most half stays in place");
    } else {
      move_block(block, size, alignment, call);
    }
  } else {
    reallocate_large(block, size, alignment, call);
  }
  return finish(call);
}

// ---------------------------------------------------------------------------------------------
// Small blocks

void HeapModel::allocate_block(std::size_t size, std::size_t alignment, Call& call) {
  if (!is_power_of_two(alignment)) {
    if (call.seen.result != 0) call.fail("alignment " + std::to_string(alignment) +
                                         " is not a power of two: the result must be null");
    return;
  }
  if (auto size_class = classes_.class_for(size, alignment)) {
    allocate_small(size, *size_class, call);
  } else if (beyond_address_space(size)) {
    if (call.seen.result != 0) call.fail("a request of 4 GiB or more must fail at once");
  } else {
    allocate_large(size, alignment, call);
  }
}

void HeapModel::allocate_small(std::size_t size, std::size_t size_class, Call& call) {
  const std::uintptr_t result = call.seen.result;
  const std::string what = "class " + std::to_string(size_class) + " (" +
                           std::to_string(classes_.size(size_class)) + " bytes)";
  auto& current = current_.at(size_class);
  if (current && mini_pages_.at(*current).live.size() < classes_.segments(size_class)) {
    take_segment(*current, call);
    return;
  }
  auto& partial = partial_.at(size_class);
  if (!partial.empty()) {
    // The result may lie in any of the MiniPage's k_c slots: the MiniPage is the span holding it.
    auto in_slot = result == 0 ? std::nullopt : slot_of(result);
    auto slot = in_slot ? spans_.span_holding(*in_slot) : std::nullopt;
    if (!slot || partial.count(*slot) == 0) {
      call.fail(what + ": the current MiniPage is " + (current ? "full" : "missing") +
                ", so one of the partial MiniPages at slots " +
                list({partial.begin(), partial.end()}) + " must become current; the heap returned " +
                where(result));
      return;
    }
    partial.erase(*slot);
    current = *slot;
    mini_pages_.at(*slot).address_order = false;
    take_segment(*slot, call);
    return;
  }
  auto& spares = spares_.at(size_class);
  if (!spares.empty()) {
    // A spare is empty: the one the heap chose becomes current and, like a fresh MiniPage, hands
    // out its Segment 0.
    auto slot = slot_of(result);
    if (result == 0 || !slot || spares.count(*slot) == 0 || result != slot_address(*slot)) {
      call.fail(what + ": the current MiniPage is " + (current ? "full" : "missing") +
                " and no MiniPage is partial, so Segment 0 of one of the spares at slots " +
                list({spares.begin(), spares.end()}) + " must be the result; the heap returned " +
                where(result));
      return;
    }
    spares.erase(*slot);
    current = *slot;
    mini_pages_.at(*slot).address_order = true;
    take_segment(*slot, call);
    return;
  }
  // A new MiniPage takes a bitmap record, then its k_c slots, and either may grow the heap.
  // "When no MiniPage can be made because memory cannot grow ..., a class of k_c > 1 slots
  // serves the request of n bytes as a large block of ceil(n / 2048) slots instead ...; a class
  // of one slot fails (nullptr)."
  const std::size_t slots = classes_.slots(size_class);
  auto no_mini_page = [&](const std::string& why) {
    if (slots > 1) {
      allocate_large(size, 1, call);
    } else if (result != 0) {
      call.fail(what + ": " + why + ", yet the heap returned " + where(result));
    }
  };
  if (!take_bitmap_record(call)) {
    if (call.failed()) return;
    no_mini_page("the bitmap pool is full, has no top free span to take and memory cannot grow");
    return;
  }
  // A new MiniPage takes its k_c slots by the search of "Taking k slots" (never from a spare
  // span), at the low end of the span found. (A record taken for it goes back to the pool when
  // it is not made: the model counts records by MiniPages, so there is nothing to undo.)
  auto span = take_slots(slots, call);
  if (call.failed()) return;
  if (!span) {
    no_mini_page("no free span of " + std::to_string(slots) +
                 " slot(s) for a new MiniPage and memory cannot grow");
    return;
  }
  if (result != slot_address(*span)) {
    call.fail(what + ": a new MiniPage of " + std::to_string(slots) + " slot(s) takes the low " +
              "end of the free span at slot " + std::to_string(*span) + " and hands out Segment " +
              "0 first, the heap returned " + where(result));
    return;
  }
  spans_.carve(*span, slots, SpanKind::mini_page);
  mini_pages_[*span] = MiniPage{size_class, {}, true};
  current = *span;
  take_segment(*span, call);
}

// "The pool": every MiniPage owns one of the pool's 64 B bitmap records, so a new one needs the
// pool to have more records than there are MiniPages; else the pool grows by one slot (the top
// free span's last, after retiring when there is none, after growth when there still is none).
bool HeapModel::take_bitmap_record(Call& call) {
  auto has_free_record = [&] {
    return mini_pages_.size() < kBitmapsPerPoolSlot * spans_.pool_slots();
  };
  if (has_free_record()) return true;
  if (spans_.top_free_slots() == 0) {
    retire();
    if (has_free_record()) return true;
  }
  if (spans_.top_free_slots() == 0 && !grow(1, call)) return false;
  spans_.grow_pool();
  return true;
}

void HeapModel::take_segment(std::size_t slot, Call& call) {
  MiniPage& page = mini_pages_.at(slot);
  const std::uintptr_t result = call.seen.result;
  const std::size_t size = classes_.size(page.size_class);
  const std::size_t bytes = classes_.slots(page.size_class) * kSlotBytes;  // the MiniPage's
  const std::string what = "class " + std::to_string(page.size_class) + " (" +
                           std::to_string(size) + " bytes) must be served from its MiniPage at " +
                           where(slot_address(slot));
  if (result < slot_address(slot) || result >= slot_address(slot) + bytes) {
    call.fail(what + ", the heap returned " + where(result));
    return;
  }
  std::size_t offset = result - slot_address(slot);
  std::size_t segment = offset / size;
  if (offset % size != 0 || segment >= classes_.segments(page.size_class)) {
    call.fail(what + ", but " + where(result) + " is not the start of a Segment");
    return;
  }
  if (page.live.count(segment) != 0) {
    call.fail(what + ", but Segment " + std::to_string(segment) + " at " + where(result) +
              " is already live");
    return;
  }
  if (page.address_order) {
    std::size_t lowest = 0;
    while (page.live.count(lowest) != 0) ++lowest;
    if (segment != lowest) {
      call.fail(what + ": a fresh MiniPage hands out Segments in address order, so Segment " +
                std::to_string(lowest) + ", not " + std::to_string(segment));
      return;
    }
  }
  page.live.insert(segment);
}

void HeapModel::free_segment(std::size_t slot, std::size_t segment) {
  MiniPage& page = mini_pages_.at(slot);
  const std::size_t size_class = page.size_class;
  bool was_full = page.live.size() == classes_.segments(size_class);
  page.live.erase(segment);
  if (current_.at(size_class) == slot) {
    page.address_order = false;  // a current MiniPage stays current, even empty
    return;
  }
  if (page.live.empty()) {
    partial_.at(size_class).erase(slot);
    auto& spares = spares_.at(size_class);
    if (spares.size() < kSpares) {
      spares.insert(slot);
      return;
    }
    release_mini_page(slot);
    return;
  }
  if (!was_full) return;
  auto& current = current_.at(size_class);
  if (!current || mini_pages_.at(*current).live.size() == classes_.segments(size_class)) {
    current = slot;  // the current MiniPage is full (or missing): this one takes its place
    page.address_order = false;
    return;
  }
  partial_.at(size_class).insert(slot);
}

void HeapModel::retire() {
  for (auto& spares : spares_) {
    for (std::size_t slot : spares) {
      release_mini_page(slot);
      ++retired_mini_pages_;
    }
    spares.clear();
  }
  for (auto& current : current_) {
    if (current && mini_pages_.at(*current).live.empty()) {
      release_mini_page(*current);
      current.reset();
      ++retired_mini_pages_;
    }
  }
  for (auto& spare_spans : spare_spans_) {
    for (std::size_t first : spare_spans) {
      spans_.release(first, spans_.at(first).slots);
      ++retired_spare_spans_;
    }
    spare_spans.clear();
  }
}

// "its slots are freed as a span (and coalesce)": all k_c of them, at once. Its bitmap record
// goes back to the pool (the model counts records by MiniPages).
void HeapModel::release_mini_page(std::size_t slot) {
  const std::size_t slots = classes_.slots(mini_pages_.at(slot).size_class);
  mini_pages_.erase(slot);
  spans_.release(slot, slots);
}

// ---------------------------------------------------------------------------------------------
// Spans, large blocks, growth

std::optional<std::size_t> HeapModel::take_slots(std::size_t slots, Call& call) {
  auto spans = spans_.takeable(slots);
  if (spans.empty()) {
    retire();
    spans = spans_.takeable(slots);
  }
  if (spans.empty()) {
    if (!grow(slots, call)) return std::nullopt;
    spans = spans_.takeable(slots);
    if (spans.empty()) {
      call.fail("model: growth left no span of " + std::to_string(slots) + " slots");
      return std::nullopt;
    }
  }
  const std::uintptr_t result = call.seen.result;
  std::string legal = "free span(s) at slot " + list(spans) + " can take " +
                      std::to_string(slots) + " slot(s)";
  if (result == 0) {
    call.fail("the heap returned null, but " + legal);
    return std::nullopt;
  }
  auto slot = slot_of(result);
  auto holder = slot ? spans_.span_holding(*slot) : std::nullopt;
  if (!holder || std::find(spans.begin(), spans.end(), *holder) == spans.end()) {
    call.fail("the heap returned " + where(result) + ", but only " + legal +
              " (good fit: " + std::to_string(good_fit(slots)) + " slots, else the top free span)");
    return std::nullopt;
  }
  return *holder;
}

bool HeapModel::grow(std::size_t slots, Call& call) {
  // Past the address space no ask is made (README, "The 4 GiB address space"), also for a heap
  // whose first growth's lead took it past 2^21 slots.
  const std::size_t top = spans_.top();
  const std::size_t page_limit =
      top >= kAddressSpaceSlots ? 0 : (kAddressSpaceSlots - top) / kSlotsPerWasmPage;
  auto plan = plan_growth(spans_.top(), spans_.top_free_slots(), spans_.pool_slots(), slots,
                          page_limit);
  if (!plan) return false;
  // "The heap asks for p = max(p_k, p_min) pages ... If the memory source refuses p > p_k
  // pages, the heap asks once more for p_k." When p = p_k, that first ask is the only one.
  std::size_t pages = plan->pages <= page_limit ? plan->pages : plan->exact_pages;
  bool granted = ask_memory(pages, call);
  if (granted && pages > plan->exact_pages) ++generous_growths_;
  if (!granted && !call.failed() && pages > plan->exact_pages) {
    pages = plan->exact_pages;
    granted = ask_memory(pages, call);
    if (granted) ++exact_retries_;
  }
  if (!granted) return false;
  // "The first growth also takes the rest of the wasm page the memory begins in."
  spans_.grow(pages * kSlotsPerWasmPage + (spans_.top() == 0 ? lead_slots() : 0));
  return true;
}

bool HeapModel::ask_memory(std::size_t pages, Call& call) {
  if (refusals_ > 0) {  // refuse_next_grows: every ask the memory sees uses one up
    --refusals_;
    ++call.refused;
    return false;
  }
  if (pages > max_pages_ - pages_) return false;  // the memory's maximum: no refusal counted
  if (pages_ == 0) {
    if (call.seen.base == 0 || call.seen.base % kSlotBytes != 0) {
      call.fail("the heap must grow by " + std::to_string(pages) +
                " wasm page(s), but the memory has no 2 KiB-aligned base");
      return false;
    }
    origin_ = call.seen.base;
  }
  pages_ += pages;
  return true;
}

void HeapModel::allocate_large(std::size_t size, std::size_t alignment, Call& call) {
  const std::size_t slots = slots_for(size);
  const std::size_t padding = alignment > kSlotBytes ? alignment / kSlotBytes - 1 : 0;
  if (padding > kAddressSpaceSlots || slots + padding > kAddressSpaceSlots) {
    if (call.seen.result != 0) call.fail("a span beyond the 4 GiB address space must fail at once");
    return;
  }
  if (padding == 0 && spare_span_length(slots) && !spare_spans_.at(slots).empty()) {
    // A spare span of this length comes first; the README names the one kept last, the model
    // accepts any.
    auto& spare_spans = spare_spans_.at(slots);
    auto first = slot_of(call.seen.result);
    if (!first || spare_spans.count(*first) == 0 || call.seen.result != slot_address(*first)) {
      call.fail("a large block of " + std::to_string(slots) + " slots takes one of the spare " +
                "spans of that length at slots " + list({spare_spans.begin(), spare_spans.end()}) +
                ", the heap returned " + where(call.seen.result));
      return;
    }
    spare_spans.erase(*first);
    spans_.retag(*first, SpanKind::large);
    return;
  }
  auto span = take_slots(slots + padding, call);
  if (call.failed()) return;
  if (!span) {
    if (call.seen.result != 0) {
      call.fail("no free span of " + std::to_string(slots + padding) +
                " slots and memory cannot grow, yet the heap returned " +
                where(call.seen.result));
    }
    return;
  }
  std::uintptr_t low = slot_address(*span);
  std::uintptr_t expected = (low + alignment - 1) / alignment * alignment;
  if (call.seen.result != expected) {
    call.fail("a large block of " + std::to_string(slots) + " slot(s) aligned to " +
              std::to_string(alignment) + " comes from the low end of the free span at slot " +
              std::to_string(*span) + ": expected " + where(expected) + ", the heap returned " +
              where(call.seen.result));
    return;
  }
  spans_.carve(*slot_of(expected), slots, SpanKind::large);
}

void HeapModel::free_block(const ModelBlock& block) {
  if (block.size_class) {
    free_segment(block.first_slot, block.segment);
    return;
  }
  const std::size_t slots = spans_.at(block.first_slot).slots;
  if (spare_span_length(slots) && spare_spans_.at(slots).size() < kSpareSpans) {
    spare_spans_.at(slots).insert(block.first_slot);
    spans_.retag(block.first_slot, SpanKind::spare);
    return;
  }
  spans_.release(block.first_slot, slots);
}

void HeapModel::move_block(const ModelBlock& block, std::size_t size, std::size_t alignment,
                           Call& call) {
  allocate_block(size, alignment, call);
  if (call.failed() || call.seen.result == 0) return;  // no memory: the old block stays
  free_block(block);
}

void HeapModel::reallocate_large(const ModelBlock& block, std::size_t size,
                                 std::size_t alignment, Call& call) {
  const std::uintptr_t pointer = block.start;
  auto in_place = [&](const char* why) {
    if (call.seen.result != pointer) {
      call.fail("reallocate returned " + where(call.seen.result) + ", expected the block to " +
                why + " in place at " + where(pointer));
      return false;
    }
    return true;
  };
  if (!is_large_request(size, alignment) || pointer % alignment != 0) {
    move_block(block, size, alignment, call);
    return;
  }
  const std::size_t first = block.first_slot;
  const std::size_t old_slots = block.usable / kSlotBytes;
  const std::size_t slots = slots_for(size);
  if (slots <= old_slots) {
    if (in_place("shrink") && slots < old_slots) spans_.shrink(first, slots);
    return;
  }
  const std::size_t extra = slots - old_slots;
  const std::size_t next = first + old_slots;
  const bool next_free = spans_.is_free(next);
  const std::size_t next_slots = next_free ? spans_.at(next).slots : 0;
  if (next_slots >= extra) {
    if (in_place("grow into the free span after it")) spans_.extend(first, extra);
    return;
  }
  // The block is followed by the top free span, or ends where the table begins.
  const std::size_t table = spans_.table_start();
  const bool at_top = next == table || (next_free && next + next_slots == table);
  if (!at_top || !spans_.good_fits(slots).empty()) {
    move_block(block, size, alignment, call);
    return;
  }
  // Memory grows under the block (k = the missing slots, t = the free span after it, which is
  // the top free span or none) and the block grows in place. Refused, or at the maximum: the
  // block moves like any other reallocation.
  if (!grow(extra, call)) {
    if (!call.failed()) move_block(block, size, alignment, call);
    return;
  }
  if (in_place("grow (memory grew under it)")) spans_.extend(first, extra);
}

// ---------------------------------------------------------------------------------------------
// Checks common to every call

Verdict HeapModel::finish(Call& call) const {
  const Outcome& seen = call.seen;
  if (!call.failed() && seen.pages != pages_) {
    call.fail("the memory has " + std::to_string(seen.pages) + " wasm page(s), the model " +
              "expects " + std::to_string(pages_) + " (grow only when nothing free fits, by " +
              "the fewest pages)");
  }
  if (!call.failed() && seen.refused != call.refused) {
    call.fail(std::to_string(seen.refused) + " grow(s) were refused, the model expects " +
              std::to_string(call.refused));
  }
  if (!call.failed() && call.errors.count(seen.error) == 0) {
    std::string allowed;
    for (Error error : call.errors) allowed += std::string(allowed.empty() ? "" : " or ") + to_string(error);
    call.fail(std::string("the heap reported ") + to_string(seen.error) + ", expected " + allowed);
  }
  if (!call.failed() && pages_ > 0 && seen.base != origin_) {
    call.fail("the memory's base moved from " + hex(origin_) + " to " + hex(seen.base));
  }
  return Verdict{call.problem};
}

// ---------------------------------------------------------------------------------------------
// Queries

std::optional<std::size_t> HeapModel::slot_of(std::uintptr_t address) const {
  if (origin_ == 0 || address < origin_) return std::nullopt;
  std::uintptr_t slot = (address - origin_) / kSlotBytes;
  if (slot >= spans_.top()) return std::nullopt;
  return static_cast<std::size_t>(slot);
}

std::set<std::size_t> HeapModel::free_segments(std::size_t mini_page_slot) const {
  const MiniPage& page = mini_pages_.at(mini_page_slot);
  std::set<std::size_t> free;
  for (std::size_t segment = 0; segment < classes_.segments(page.size_class); ++segment) {
    if (page.live.count(segment) == 0) free.insert(segment);
  }
  return free;
}

std::set<Error> HeapModel::errors_for(std::uintptr_t pointer) const {
  auto slot = slot_of(pointer);
  if (!slot) return {Error::invalid_pointer};
  std::size_t first = *spans_.span_holding(*slot);
  std::uintptr_t offset = pointer - slot_address(first);
  switch (spans_.at(first).kind) {
    case SpanKind::free:
      // The head of a free span reads as a freed block; anything else in it cannot be told
      // from a pointer that never was one.
      if (offset == 0) return {Error::double_free};
      return {Error::invalid_pointer};
    case SpanKind::spare:
      // A spare span's head is a freed large block's start.
      if (offset == 0) return {Error::double_free};
      return {Error::invalid_pointer};
    case SpanKind::metadata:
      return {Error::invalid_pointer};
    case SpanKind::large:
      if (offset == 0) return {};
      return {Error::invalid_pointer};
    case SpanKind::mini_page: {
      // Every slot of a MiniPage leads to it: the offset counts from its first slot.
      const MiniPage& page = mini_pages_.at(first);
      std::size_t size = classes_.size(page.size_class);
      if (offset % size != 0 || offset / size >= classes_.segments(page.size_class)) {
        return {Error::invalid_pointer};
      }
      if (page.live.count(offset / size) != 0) return {};
      return {Error::double_free};
    }
  }
  return {Error::invalid_pointer};
}

std::optional<ModelBlock> HeapModel::block_at(std::uintptr_t pointer) const {
  if (!errors_for(pointer).empty()) return std::nullopt;
  std::size_t first = *spans_.span_holding(*slot_of(pointer));
  ModelBlock block;
  block.start = pointer;
  block.first_slot = first;
  if (spans_.at(first).kind == SpanKind::large) {
    block.usable = spans_.at(first).slots * kSlotBytes;
  } else {
    const MiniPage& page = mini_pages_.at(first);
    block.size_class = page.size_class;
    block.usable = classes_.size(page.size_class);
    block.segment = (pointer - slot_address(first)) / block.usable;
  }
  return block;
}

ModelStats HeapModel::stats() const {
  ModelStats stats;
  stats.wasm_pages = pages_;
  stats.blocks_per_class.assign(classes_.count(), 0);
  stats.mini_pages_per_class.assign(classes_.count(), 0);
  for (const auto& [first, span] : spans_.spans()) {
    switch (span.kind) {
      case SpanKind::free:
      case SpanKind::spare: stats.free_bytes += span.slots * kSlotBytes; break;
      case SpanKind::metadata: stats.metadata_bytes += span.slots * kSlotBytes; break;
      case SpanKind::large:
        ++stats.large_blocks;
        ++stats.live_blocks;
        stats.bytes_in_use += span.slots * kSlotBytes;
        break;
      case SpanKind::mini_page: {
        const MiniPage& page = mini_pages_.at(first);
        ++stats.mini_pages;
        ++stats.mini_pages_per_class[page.size_class];
        stats.live_blocks += page.live.size();
        stats.blocks_per_class[page.size_class] += page.live.size();
        stats.bytes_in_use += page.live.size() * classes_.size(page.size_class);
        break;
      }
    }
  }
  return stats;
}

std::vector<std::string> HeapModel::check_invariants() const {
  std::vector<std::string> problems = spans_.check();
  if (mini_pages_.size() > kBitmapsPerPoolSlot * spans_.pool_slots()) {
    problems.push_back("model: " + std::to_string(mini_pages_.size()) + " MiniPages, but " +
                       std::to_string(kBitmapsPerPoolSlot * spans_.pool_slots()) +
                       " bitmap records in the pool");
  }
  for (const auto& [first, span] : spans_.spans()) {
    if (span.kind == SpanKind::mini_page && mini_pages_.count(first) == 0) {
      problems.push_back("model: MiniPage span at " + std::to_string(first) + " has no record");
    } else if (span.kind == SpanKind::mini_page &&
               span.slots != classes_.slots(mini_pages_.at(first).size_class)) {
      problems.push_back("model: MiniPage span at " + std::to_string(first) + " of " +
                         std::to_string(span.slots) + " slots, not k_c");
    }
    if (span.kind == SpanKind::spare &&
        (span.slots > kSpareSpanMaxSlots || spare_spans_[span.slots].count(first) == 0)) {
      problems.push_back("model: spare span at " + std::to_string(first) + " not on its list");
    }
  }
  for (const auto& [slot, page] : mini_pages_) {
    if (!spans_.spans().count(slot) || spans_.at(slot).kind != SpanKind::mini_page) {
      problems.push_back("model: MiniPage record at " + std::to_string(slot) + " has no span");
      continue;
    }
    bool is_current = current_.at(page.size_class) == slot;
    bool is_spare = spares_.at(page.size_class).count(slot) != 0;
    bool is_partial = partial_.at(page.size_class).count(slot) != 0;
    bool full = page.live.size() == classes_.segments(page.size_class);
    if (is_current && is_partial) problems.push_back("model: MiniPage both current and partial");
    if (is_spare && (is_current || is_partial || !page.live.empty())) {
      problems.push_back("model: spare MiniPage " + std::to_string(slot) + " in use or listed");
    }
    if (!is_current && !is_spare && page.live.empty()) {
      problems.push_back("model: empty MiniPage " + std::to_string(slot) + " kept");
    }
    if (!is_current && !is_spare && !is_partial && !full) {
      problems.push_back("model: MiniPage " + std::to_string(slot) +
                         " with a free Segment on no list");
    }
    if (is_partial && full) problems.push_back("model: full MiniPage on a partial list");
  }
  for (std::size_t c = 0; c < classes_.count(); ++c) {
    if (current_[c] && (!mini_pages_.count(*current_[c]) ||
                        mini_pages_.at(*current_[c]).size_class != c)) {
      problems.push_back("model: class " + std::to_string(c) + " has a bad current MiniPage");
    }
    if (spares_[c].size() > kSpares) {
      problems.push_back("model: class " + std::to_string(c) + " has too many spares");
    }
    for (std::size_t slot : spares_[c]) {
      if (!mini_pages_.count(slot) || mini_pages_.at(slot).size_class != c) {
        problems.push_back("model: class " + std::to_string(c) + " has a bad spare MiniPage");
      }
    }
    for (std::size_t slot : partial_[c]) {
      if (!mini_pages_.count(slot) || mini_pages_.at(slot).size_class != c) {
        problems.push_back("model: class " + std::to_string(c) + " has a bad partial MiniPage");
      }
    }
  }
  for (std::size_t slots = 0; slots <= kSpareSpanMaxSlots; ++slots) {
    const auto& spare_spans = spare_spans_[slots];
    if (spare_spans.size() > (spare_span_length(slots) ? kSpareSpans : 0)) {
      problems.push_back("model: too many spare spans of " + std::to_string(slots) + " slots");
    }
    for (std::size_t first : spare_spans) {
      if (!spans_.spans().count(first) || spans_.at(first).kind != SpanKind::spare ||
          spans_.at(first).slots != slots) {
        problems.push_back("model: spare span record at " + std::to_string(first) +
                           " has no spare span of " + std::to_string(slots) + " slots");
      }
    }
  }
  if (spans_.top() != pages_ * kSlotsPerWasmPage + lead_slots()) {
    problems.push_back("model: top != pages (and the first page's lead)");
  }
  return problems;
}

std::string HeapModel::where(std::uintptr_t address) const {
  if (address == 0) return "null";
  if (origin_ == 0 || address < origin_) return hex(address);
  std::uintptr_t offset = address - origin_;
  std::ostringstream out;
  out << "heap+" << offset << " (slot " << offset / kSlotBytes;
  if (offset % kSlotBytes != 0) out << " +" << offset % kSlotBytes;
  if (auto slot = slot_of(address)) {
    std::size_t first = *spans_.span_holding(*slot);
    out << ", in the " << to_string(spans_.at(first).kind) << " span at slot " << first;
    if (auto page = mini_pages_.find(first); page != mini_pages_.end()) {
      out << " of class " << page->second.size_class << " ("
          << classes_.size(page->second.size_class) << " bytes)";
    }
  } else {
    out << ", past the top";
  }
  out << ")";
  return out.str();
}

std::string HeapModel::describe() const {
  std::ostringstream out;
  out << "model: " << pages_ << " wasm page(s) of " << max_pages_ << ", top slot "
      << spans_.top() << ", " << refusals_ << " refusal(s) pending\n";
  for (const auto& [first, span] : spans_.spans()) {
    out << "  slot " << first << " +" << span.slots << " " << to_string(span.kind);
    if (span.kind == SpanKind::metadata) {
      if (first == 0) {
        out << " (slot 0, reserved)";
      } else {
        out << " (the table: apron " << kApronSlots << " + bitmap pool " << spans_.pool_slots()
            << " + records " << record_slots(spans_.top()) << ")";
      }
    } else if (span.kind == SpanKind::free && spans_.top_free_span() == first) {
      out << " (top free span)";
    }
    if (auto page = mini_pages_.find(first); page != mini_pages_.end()) {
      std::size_t c = page->second.size_class;
      out << " class " << c << " (" << classes_.size(c) << " bytes) live "
          << page->second.live.size() << "/" << classes_.segments(c) << " in "
          << classes_.slots(c) << " slot(s)";
      if (current_[c] == first) out << " current";
      if (spares_[c].count(first)) out << " spare";
      if (partial_[c].count(first)) out << " partial";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace alligator::model
