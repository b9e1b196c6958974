// The policy-free tier: checks that hold whatever the placement rules are, so that a wrong rule
// written the same way in allocator/README.md, the model and the allocator still fails them. They
// read only what walk() and stats() show and the request made; never the model.
//   - Growth only when nothing free could serve the request: a call grows the heap only when it
//     requests memory, succeeds, and no run of free spans (kept memory counted as free, since
//     retiring frees it first) holds the request's slots (a small request's: the span holding its
//     result after the call, read from the walk); runs less than 1/32 longer than the
//     request may be passed over (a good-fit search rounds up). The top run, which growth
//     extends, must be shorter than the request. A realloc growing in place does not retire: its
//     runs are free spans only, and the free span after the block must be shorter than the slots
//     it is missing. Metadata lives in the table, which lengthens only into the top run: when the
//     table grew by whole slots beyond the new pages' records (a MiniPage's bitmap record, when
//     the pool is full) and the top run is shorter, the growth is the table's and is allowed.
//   - Within a page bound: a growth of G bytes is shorter than one wasm page more than the larger
//     of (the slots missing from the top run, plus the metadata the growth added) and the
//     metadata the heap had: enough for the request and the table, or no longer than the
//     descriptors it moves.
// The end of every property case adds the other half ("nothing lost", Executor::release_all).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace alligator::properties::policy_free {

enum class Kind { free, kept, busy, metadata };  // kept: spare MiniPage, empty current, spare span

struct Span {
  Kind kind = Kind::busy;
  std::size_t first = 0;
  std::size_t slots = 0;
};

// The heap before a call: its walk, wasm pages and stats().metadata_bytes.
struct Shape {
  std::vector<Span> spans;  // address order
  std::size_t pages = 0;
  std::size_t metadata_bytes = 0;
};

struct Request {
  std::size_t slots = 0;  // slots_for(size, alignment): any run this long can serve it
  bool succeeded = false;
  // realloc that kept its address: the block's first slot (its length is in the Shape)
  std::optional<std::size_t> in_place_first;
  // A small request that succeeded: its result's slot (refine_small_request).
  std::optional<std::size_t> small_result_slot;
};

// Whether a request is small (size <= 16384, alignment <= 2048): served by a MiniPage.
bool is_small(std::size_t size, std::size_t alignment);

// A small request needs the span that holds its result after the call (a MiniPage of whatever
// length, or a large block when no MiniPage could be made): `slots` becomes that span's length,
// read from the walk after the call, in place of the 16 any MiniPage fits in.
void refine_small_request(Request& request, const std::vector<Span>& after);

// Slots that surely hold a request: 16 for a small one (size <= 16384, alignment <= 2048: a
// MiniPage spans at most 16 slots), else ceil(size / 2048), plus alignment / 2048 - 1 when the
// alignment is above 2048 (saturating).
std::size_t slots_for(std::size_t size, std::size_t alignment);

// After a call that left the memory at `pages_after` pages and `metadata_after` bytes of
// metadata: a problem, or empty. `request` is empty for a call that requests no memory.
std::string check_growth(const Shape& before, std::size_t pages_after, std::size_t metadata_after,
                         const std::optional<Request>& request);

}  // namespace alligator::properties::policy_free
