#include <alligator/model/geometry.hpp>
#include <alligator/model/growth.hpp>

namespace alligator::model {

std::size_t groups_reached(std::size_t top_slot) {
  return top_slot / kSlotsPerGroup + (top_slot % kSlotsPerGroup != 0 ? 1 : 0);
}

std::optional<GrowthPlan> plan_growth(std::size_t top_slot, std::size_t top_free,
                                      std::size_t on_top, std::size_t alone,
                                      std::size_t page_limit) {
  std::size_t groups_before = groups_reached(top_slot);
  for (std::size_t pages = 1; pages <= page_limit; ++pages) {
    std::size_t new_slots = pages * kSlotsPerWasmPage;
    std::size_t metadata =
        kMetadataSlotsPerGroup * (groups_reached(top_slot + new_slots) - groups_before);
    bool fits = metadata == 0 ? top_free + new_slots >= on_top
                              : new_slots > metadata && new_slots - metadata >= alone;
    if (fits) return GrowthPlan{pages, metadata};
  }
  return std::nullopt;
}

}  // namespace alligator::model
