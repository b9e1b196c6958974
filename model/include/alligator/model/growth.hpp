// How many wasm pages a growth asks for, from allocator/README.md "Growth":
//
//   With t = the top free span's length (0 if none), M(top) = 32 + L(top) the table's length,
//   L(top) = B + R(top) (the pool's B slots and R(top) = ceil(top / 128) slots of records),
//   growing by p wasm pages (32 slots each) leaves a top free span of
//   t + M(top) + 32p - M(top + 32p) slots (growth leaves B as it is). The heap asks for
//   p = max(p_k, p_min) pages: p_k the fewest with t + M(top) + 32p - M(top + 32p) >= k, and
//   p_min = ceil(L(top) / 32). If the memory source refuses p > p_k pages, the heap asks once
//   more for p_k. The first growth (top = 0) has no table to move and also makes slot 0; the
//   pool is then empty: p_k is the fewest with 32p - 1 - M(32p) >= k.
//
// Reallocation grows memory under a block by the same rule, with k the slots the block is
// missing and t the free span after it (the top free span, or none). The pool grows memory by
// the same rule with k = 1 ("Metadata out of band", "The pool").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace alligator::model {

struct GrowthPlan {
  std::size_t pages = 0;        // p = max(p_k, p_min): what the heap asks for first
  std::size_t exact_pages = 0;  // p_k: what it asks for once more when p > p_k is refused
};

// The top free span's length after growing a heap of `top` slots, whose top free span has
// `top_free` slots and a pool of `pool` slots, by `pages` wasm pages:
// t + M(top) + 32p - M(top + 32p), or at the first growth (top = 0, no pool)
// 32p - 1 - M(32p). Signed: a first growth of one page leaves less than nothing (32 - 1 - 33).
std::int64_t top_free_after_growth(std::size_t top, std::size_t top_free, std::size_t pool,
                                   std::size_t pages);

// p_min = ceil(L(top) / 32): a growth is at least as long as the pool and records it moves.
std::size_t min_growth_pages(std::size_t top, std::size_t pool);

// The pages a growth asks for, for a top free span of at least `slots` slots afterwards; nothing
// if no p_k <= `page_limit` gives one. `pages` may exceed page_limit (p_min can); the caller
// decides whether to ask for it.
std::optional<GrowthPlan> plan_growth(std::size_t top, std::size_t top_free, std::size_t pool,
                                      std::size_t slots, std::size_t page_limit);

}  // namespace alligator::model
