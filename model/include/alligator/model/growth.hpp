// How many wasm pages a growth takes, from allocator/README.md "Growth":
//
//   The heap grows by the fewest wasm pages p (32 slots each) such that a free span of k slots
//   exists afterwards. With t = free slots at the top and m = 12 x (groups the new pages reach
//   for the first time): p is the smallest count with t + 32p >= k when m = 0, or 32p - m >= k
//   when m > 0.
//
// Reallocation grows "under" a large block at the top, where the span that must exist is the
// block's missing tail (when the new pages extend the top) or the whole block (when metadata
// comes first and the block must move), so the two targets are separate arguments.
#pragma once

#include <cstddef>
#include <optional>

namespace alligator::model {

struct GrowthPlan {
  std::size_t pages = 0;           // wasm pages to take
  std::size_t metadata_slots = 0;  // m: descriptor blocks placed first in the new pages
};

// The smallest plan of at most `page_limit` pages; nothing if none fits within the limit.
//   top_slot      one past the heap's last slot before growing
//   top_free      t, the free slots at the top (0 if the top slot is in use)
//   on_top        slots needed when the new pages extend the top free span (m = 0)
//   alone         slots needed in the new free span after metadata (m > 0)
std::optional<GrowthPlan> plan_growth(std::size_t top_slot, std::size_t top_free,
                                      std::size_t on_top, std::size_t alone,
                                      std::size_t page_limit);

// Groups of 512 slots that hold at least one of the slots below `top_slot`.
std::size_t groups_reached(std::size_t top_slot);

}  // namespace alligator::model
