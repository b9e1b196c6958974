#include <alligator/properties/policy_free.hpp>

#include <algorithm>
#include <limits>

namespace alligator::properties::policy_free {
namespace {

constexpr std::size_t kSlotBytes = 2048;
constexpr std::size_t kPageBytes = 65536;
// A small request (allocator/README.md, "Size classes") may need a new MiniPage, which spans up
// to 16 slots whatever its class; refine_small_request narrows that to the span its result took.
constexpr std::size_t kLargestSmallBytes = 16384;
constexpr std::size_t kMostMiniPageSlots = 16;
// The table's records for a heap of `top` slots: 16 bytes a slot, in whole slots
// (allocator/README.md, R(top)).
std::size_t record_slots(std::size_t top) {
  constexpr std::size_t kSlotsPerRecordSlot = kSlotBytes / 16;
  return (top + kSlotsPerRecordSlot - 1) / kSlotsPerRecordSlot;
}

struct Run {
  std::size_t first = 0;
  std::size_t slots = 0;
};

}  // namespace

bool is_small(std::size_t size, std::size_t alignment) {
  return size <= kLargestSmallBytes && alignment <= kSlotBytes;
}

void refine_small_request(Request& request, const std::vector<Span>& after) {
  if (!request.small_result_slot) return;
  const std::size_t slot = *request.small_result_slot;
  for (const Span& span : after) {
    if (span.first <= slot && slot < span.first + span.slots) {
      request.slots = span.slots;
      return;
    }
  }
}

std::size_t slots_for(std::size_t size, std::size_t alignment) {
  if (is_small(size, alignment)) return kMostMiniPageSlots;
  std::size_t slots = size / kSlotBytes + (size % kSlotBytes != 0 ? 1 : 0);
  if (slots == 0) slots = 1;
  if (alignment > kSlotBytes) {
    const std::size_t padding = alignment / kSlotBytes - 1;
    slots = slots > std::numeric_limits<std::size_t>::max() - padding
                ? std::numeric_limits<std::size_t>::max()
                : slots + padding;
  }
  return slots;
}

std::string check_growth(const Shape& before, std::size_t pages_after, std::size_t metadata_after,
                         const std::optional<Request>& request) {
  if (pages_after == before.pages) return {};
  const std::string grew = "policy-free: the heap grew from " + std::to_string(before.pages) +
                           " to " + std::to_string(pages_after) + " wasm page(s)";
  if (pages_after < before.pages) return grew + ": memory never shrinks";
  if (!request) return grew + " in a call that requests no memory";
  if (!request->succeeded) return grew + ", yet the request failed";
  const bool in_place = request->in_place_first.has_value();
  const std::size_t need = request->slots;
  const std::string what = grew + " for a request of " + std::to_string(need) + " slot(s)";

  // Runs of free spans (and kept memory, unless in place), and the one growth extends.
  auto joins = [in_place](const Span& span) {
    return span.kind == Kind::free || (!in_place && span.kind == Kind::kept);
  };
  // The table is the last span; the run just below it is the top run.
  std::size_t top = 0;
  // The top run's first span (the table's index when there is no top run; 0 before the first
  // growth, when the heap has no spans).
  std::size_t top_index = before.spans.empty() ? 0 : before.spans.size() - 1;
  for (; top_index > 1 && joins(before.spans[top_index - 1]); --top_index) {
    top += before.spans[top_index - 1].slots;
  }
  // Metadata lives in the table, which lengthens only into the top run: the slots the table
  // grew by beyond its new pages' records (a new MiniPage's bitmap record, when the pool is
  // full) come out of the top run, and when it is shorter, only growth can give them.
  // The heap's slots come from the walk (the table is its last span), which counts the slots a
  // first growth takes before its pages; a growth adds whole pages. (A first growth's own
  // records need no such count: its table starts from nothing, longer than any top run.)
  const std::size_t top_before =
      before.spans.empty() ? 0 : before.spans.back().first + before.spans.back().slots;
  const std::size_t top_after =
      top_before + (pages_after - before.pages) * (kPageBytes / kSlotBytes);
  const std::size_t new_records = (record_slots(top_after) - record_slots(top_before)) * kSlotBytes;
  const std::size_t table_extra = metadata_after > before.metadata_bytes + new_records
                                      ? (metadata_after - before.metadata_bytes - new_records) /
                                            kSlotBytes
                                      : 0;
  const bool table_needs_growth = table_extra > top;
  const std::size_t top_left = table_needs_growth ? 0 : top - table_extra;

  Run longest, current;
  std::size_t block_slots = 0;
  std::size_t after_block = 0;  // in place: the free span right after the block
  for (std::size_t i = 0; i < before.spans.size(); ++i) {
    const Span& span = before.spans[i];
    if (joins(span) && i < top_index) {
      if (current.slots == 0 || current.first + current.slots != span.first) {
        current = Run{span.first, 0};
      }
      current.slots += span.slots;
      if (current.slots > longest.slots) longest = current;
    } else {
      current = Run{};
    }
    if (in_place && span.first == *request->in_place_first) {
      block_slots = span.slots;
      if (i + 1 < before.spans.size() && before.spans[i + 1].kind == Kind::free) {
        after_block = before.spans[i + 1].slots;
      }
    }
  }
  if (top_left > longest.slots) longest = Run{before.spans[top_index].first, top_left};
  if (in_place && block_slots == 0) return what + " in place, but no span starts at its block";

  if (!table_needs_growth && longest.slots >= need + need / 32) {
    return what + (in_place ? " in place" : "") + ", but the " +
           (in_place ? "free span" : "run of free and kept spans") + " at slot " +
           std::to_string(longest.first) + " holds " + std::to_string(longest.slots) +
           " slots and could serve it";
  }
  const std::size_t missing = in_place ? (need > block_slots ? need - block_slots : 0) : need;
  const std::size_t extended = in_place ? after_block : top_left;
  if (!table_needs_growth && extended >= missing) {
    return what + (in_place ? ": the free span after the block" : ": the top run") + " holds " +
           std::to_string(extended) + " slots, the " + std::to_string(missing) + " needed";
  }
  // The page bound.
  const std::size_t grown = (pages_after - before.pages) * kPageBytes;
  const std::size_t added = metadata_after > before.metadata_bytes
                                ? metadata_after - before.metadata_bytes
                                : 0;
  const std::size_t short_by = missing > extended ? missing - extended : 0;
  const std::size_t enough = short_by * kSlotBytes + added;
  const std::size_t bound = std::max(enough, before.metadata_bytes) + kPageBytes;
  if (grown >= bound) {
    return what + ": " + std::to_string(grown) + " bytes, but " + std::to_string(short_by) +
           " missing slot(s) and " + std::to_string(added) + " bytes of new metadata (or the " +
           std::to_string(before.metadata_bytes) + " bytes of metadata moved) allow less than " +
           std::to_string(bound);
  }
  return {};
}

}  // namespace alligator::properties::policy_free
