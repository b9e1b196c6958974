// The commands' constructors: where each draws its arguments from the Plan through the
// generators (kept out of the suites' translation units, which only instantiate RapidCheck's
// state machinery).
#include "commands.hpp"
#include "generators.hpp"

namespace alligator::properties {

std::size_t generate_memory_bytes(const Profile& profile) {
  return *generators::memory_bytes(profile.max_pages, profile.min_pages);
}

// Draws a live id (shrinking towards the oldest), or discards the command when nothing is live.
std::uint32_t pick_live(const Plan& plan) {
  if (plan.live.empty()) RC_DISCARD("no live block");
  return plan.live[*rc::gen::inRange<std::size_t>(0, plan.live.size())].id;
}

Malloc::Malloc(const Plan& plan) {
  op.code = OpCode::malloc;
  op.id = plan.next_id;
  op.size = Size::of(*generators::any_size(plan.profile.large_weight));
}

MallocMiB::MallocMiB(const Plan& plan) : Malloc(plan) {
  const std::size_t slots = *rc::gen::inRange<std::size_t>(512, 2049);
  op.size = Size::of(slots * model::kSlotBytes + 1 - *rc::gen::inRange<std::size_t>(0, 3));
}

MallocTheRest::MallocTheRest(const Plan& plan) : Malloc(plan) {
  std::size_t live = 0;
  for (const PlannedBlock& block : plan.live) live += block.size;
  const std::size_t room = plan.memory_bytes - plan.memory_bytes / 64;
  const std::size_t spare = *rc::gen::inRange<std::size_t>(0, 4) * model::kWasmPageBytes;
  if (live + spare + (std::size_t{1} << 20) > room) RC_DISCARD("the memory is nearly full");
  op.size = Size::of(room - live - spare);
}

MallocRange::MallocRange(const Plan& plan) {
  const model::SizeClasses& classes = generators::target_classes();
  // Mostly classes of at most a slot, as class_edge_size: the medium classes above hold 1 to 8
  // Segments a MiniPage, so ranges of them are short.
  std::size_t size = *rc::gen::weightedOneOf<std::size_t>({
      {3, rc::gen::elementOf(generators::class_sizes_up_to_a_slot())},
      {1, rc::gen::elementOf(generators::class_sizes_above_a_slot())},
  });
  std::size_t per_mini_page = classes.segments(*classes.class_of_size(size));
  std::size_t count = *rc::gen::weightedOneOf<std::size_t>({
      {3, rc::gen::element(per_mini_page, per_mini_page + 1, per_mini_page - 1 + (per_mini_page == 1))},
      {1, rc::gen::inRange<std::size_t>(2, 2 * per_mini_page + 3)},
  });
  op.code = OpCode::malloc_range;
  op.id = plan.next_id;
  op.last = plan.next_id + static_cast<std::uint32_t>(count < 2 ? 1 : count - 1);
  op.size = Size::of(size - *rc::gen::element<std::size_t>(0, 1, size / 2));
}

Calloc::Calloc(const Plan& plan) {
  op.code = OpCode::calloc;
  op.id = plan.next_id;
  op.count = Size::of(*rc::gen::inRange<std::size_t>(0, 40));
  op.size = Size::of(*rc::gen::inRange<std::size_t>(0, 2 + 200 * (1 + plan.profile.large_weight)));
}

ReallocNull::ReallocNull(const Plan& plan) {
  op.code = OpCode::realloc_null;
  op.id = plan.next_id;
  op.size = Size::of(*generators::any_size(plan.profile.large_weight));
}

AlignedAlloc::AlignedAlloc(const Plan& plan) {
  op.code = *rc::gen::element(OpCode::aligned_alloc, OpCode::posix_memalign);
  op.id = plan.next_id;
  op.alignment = *generators::alignment();
  op.size = Size::of(*generators::any_size(plan.profile.large_weight));
}

New::New(const Plan& plan) {
  op.code = OpCode::new_block;
  op.id = plan.next_id;
  op.size = Size::of(*generators::any_size(plan.profile.large_weight));
  op.alignment = *generators::alignment();
}

namespace {

// A new size for a live block of `old` bytes: around its size, its class's half, growths,
// anything, or 0.
std::size_t reallocation_size(const Plan& plan, std::size_t old) {
  const model::SizeClasses& classes = generators::target_classes();
  // A small block's class size: shrinking to half of it and less is where it stops staying.
  std::size_t class_bytes = old <= model::kLargestSmallBytes
                                ? classes.size(*classes.class_for(old, 1))
                                : 2 * old;
  return *rc::gen::weightedOneOf<std::size_t>({
      {2, rc::gen::just(old + 1)},
      {2, rc::gen::inRange<std::size_t>(old / 2, old + 2)},          // shrink, same class
      {2, rc::gen::inRange<std::size_t>(class_bytes / 2 - 1, class_bytes / 2 + 2)},  // half
      {3, generators::any_size(plan.profile.large_weight)},
      {2, rc::gen::inRange<std::size_t>(old, 2 * old + 4097)},       // grow
      {1, rc::gen::just<std::size_t>(0)},                            // frees
  });
}

}  // namespace

Realloc::Realloc(const Plan& plan) {
  op.code = OpCode::realloc;
  op.id = pick_live(plan);
  op.size = Size::of(reallocation_size(plan, plan.find(op.id)->size));
}

Reallocate::Reallocate(const Plan& plan) {
  op.code = OpCode::reallocate;
  op.id = pick_live(plan);
  const PlannedBlock& block = *plan.find(op.id);
  // A third of the time the block's own alignment (so that it may stay), else any.
  op.alignment = *rc::gen::weightedOneOf<std::size_t>({
      {1, rc::gen::just(block.alignment)},
      {2, generators::alignment()},
  });
  op.size = Size::of(reallocation_size(plan, block.size));
}

ReallocNewest::ReallocNewest(const Plan& plan) {
  if (plan.live.empty()) RC_DISCARD("no live block");
  op.code = OpCode::realloc;
  op.id = plan.live.back().id;
  const std::size_t old = std::max<std::size_t>(plan.live.back().size, model::kSlotBytes + 1);
  op.size = Size::of(old + *rc::gen::inRange<std::size_t>(1, 48) * model::kSlotBytes);
}

Free::Free(const Plan& plan) {
  op.code = OpCode::free;
  op.id = pick_live(plan);
}

FreeRange::FreeRange(const Plan& plan) {
  op.code = OpCode::free_range;
  std::uint32_t a = pick_live(plan);
  std::uint32_t b = pick_live(plan);
  if (a == b) RC_DISCARD("a range of one block");
  op.id = a;
  op.last = b;
  op.step = *rc::gen::element<std::uint32_t>(1, 1, 2, 3);
}

Delete::Delete(const Plan& plan) {
  op.code = OpCode::delete_block;
  op.id = pick_live(plan);
  const PlannedBlock& block = *plan.find(op.id);
  op.size = Size::of(block.size);
  op.alignment = block.alignment;
}

DeleteMismatch::DeleteMismatch(const Plan& plan) {
  op.code = OpCode::delete_block;
  op.id = pick_live(plan);
  const PlannedBlock& block = *plan.find(op.id);
  bool by_size = *rc::gen::arbitrary<bool>();
  op.size = Size::of(by_size ? block.size + 2 * model::kSlotBytes + block.size : block.size);
  op.alignment = by_size ? 1 : 131072;
}

FreeInterior::FreeInterior(const Plan& plan) {
  op.code = OpCode::free_interior;
  op.id = pick_live(plan);
  std::size_t size = plan.find(op.id)->size;
  op.offset = *rc::gen::inRange<std::size_t>(1, size > 8 ? size : 8);
}

FreeHeapAddress::FreeHeapAddress(const Plan&) {
  op.code = OpCode::free_heap;
  op.offset = *rc::gen::weightedOneOf<std::uint64_t>({
      {2, rc::gen::map(rc::gen::inRange<std::uint64_t>(0, 128), [](std::uint64_t slot) { return slot * 2048; })},
      {2, rc::gen::inRange<std::uint64_t>(0, 2048)},  // slot 0, the reserved metadata span
      {1, rc::gen::inRange<std::uint64_t>(0, 8u << 20)},
      // Below the memory's base: foreign memory the heap must leave untouched.
      {1, rc::gen::map(rc::gen::inRange<std::uint64_t>(1, 1u << 20),
                       [](std::uint64_t below) { return 0 - below; })},
  });
}

FreeAgain::FreeAgain(const Plan& plan) {
  if (plan.freed.empty()) RC_DISCARD("nothing freed yet");
  op.code = OpCode::free_again;
  op.id = *rc::gen::elementOf(plan.freed);
}

HugeMalloc::HugeMalloc(const Plan& plan) {
  op.code = *rc::gen::element(OpCode::malloc, OpCode::aligned_alloc, OpCode::new_block,
                              OpCode::realloc_null);
  op.id = plan.next_id;
  op.size = *generators::huge_size();
  if (op.code == OpCode::aligned_alloc || op.code == OpCode::new_block) {
    op.alignment = *generators::alignment();
  }
}

HugeRealloc::HugeRealloc(const Plan& plan) {
  op.code = OpCode::realloc;
  op.id = pick_live(plan);
  op.size = *generators::huge_size();
}

CallocOverflow::CallocOverflow(const Plan& plan) {
  auto arguments = *generators::overflowing_calloc();
  op.code = OpCode::calloc;
  op.id = plan.next_id;
  op.count = arguments.count;
  op.size = arguments.size;
}

BadAlignment::BadAlignment(const Plan& plan) {
  op.code = *rc::gen::element(OpCode::aligned_alloc, OpCode::posix_memalign);
  op.id = plan.next_id;
  op.alignment = *generators::bad_alignment();
  op.size = Size::of(*generators::small_size());
}

Fill::Fill(const Plan& plan) {
  op.code = OpCode::fill;
  op.id = pick_live(plan);
}

Usable::Usable(const Plan& plan) {
  if (plan.live.empty() || *rc::gen::inRange(0, 8) == 0) {
    op.code = OpCode::usable_null;
  } else {
    op.code = OpCode::usable;
    op.id = pick_live(plan);
  }
}

RefuseGrows::RefuseGrows(const Plan&) {
  op.code = OpCode::refuse_grows;
  op.grows = *rc::gen::inRange<std::uint64_t>(1, 4);
}

RefuseOneGrow::RefuseOneGrow(const Plan&) {
  op.code = OpCode::refuse_grows;
  op.grows = 1;
}

Trim::Trim(const Plan&) { op.code = OpCode::trim; }

}  // namespace alligator::properties
