#include <alligator/model/geometry.hpp>
#include <alligator/model/growth.hpp>

#include <algorithm>

namespace alligator::model {

std::int64_t top_free_after_growth(std::size_t top, std::size_t top_free, std::size_t pool,
                                   std::size_t pages) {
  const auto grown = static_cast<std::int64_t>(pages * kSlotsPerWasmPage);
  if (top == 0) pool = 0;
  const auto after = static_cast<std::int64_t>(table_slots(top + pages * kSlotsPerWasmPage, pool));
  if (top == 0) return grown - static_cast<std::int64_t>(kReservedSlots) - after;
  return static_cast<std::int64_t>(top_free) + static_cast<std::int64_t>(table_slots(top, pool)) +
         grown - after;
}

std::size_t min_growth_pages(std::size_t top, std::size_t pool) {
  return (copied_slots(top, pool) + kSlotsPerWasmPage - 1) / kSlotsPerWasmPage;
}

std::optional<GrowthPlan> plan_growth(std::size_t top, std::size_t top_free, std::size_t pool,
                                      std::size_t slots, std::size_t page_limit) {
  // The table never shrinks, so p pages leave at most t + 32p slots: no p below (k - t) / 32
  // can do. Starting there only skips pages that cannot fit.
  std::size_t pages = 1;
  if (slots > top_free) {
    pages = std::max<std::size_t>(1, (slots - top_free) / kSlotsPerWasmPage);
  }
  for (; pages <= page_limit; ++pages) {
    if (top_free_after_growth(top, top_free, pool, pages) >= static_cast<std::int64_t>(slots)) {
      return GrowthPlan{std::max(pages, min_growth_pages(top, pool)), pages};
    }
  }
  return std::nullopt;
}

}  // namespace alligator::model
