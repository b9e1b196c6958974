// Policy-free: whatever the generators did, freeing every block loses no memory. The rules of
// placement (good fit, spares, spare spans, where the table sits) may change; this must not:
// once every block is freed, a request no larger than the free memory between slot 0 and the
// table succeeds without the heap growing (allocator/README.md, "Freeing": retiring comes before
// growth, and every slot between slot 0 and the table is then one free span).
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {
namespace {

// Frees every live block through the executor, so the model follows.
void free_everything(Executor& executor) {
  for (std::uint32_t id : executor.live_ids()) {
    Operation free_block;
    free_block.code = OpCode::free;
    free_block.id = id;
    StepVerdict verdict = executor.run(free_block);
    RC_ASSERT(verdict.ok);
  }
}

// The largest request the heap must serve without growing once everything is free.
std::size_t free_between_slot_0_and_the_table(const model::HeapModel& model) {
  std::size_t table = model.span_map().table_start();
  return table > 1 ? (table - 1) * model::kSlotBytes : 0;
}

}  // namespace

RC_GTEST_PROP(NothingLost, FreeingEverythingServesAnyRequestWithoutGrowth, ()) {
  const std::size_t memory_bytes = generate_memory_bytes(Profile{4, 96});
  Plan initial;
  initial.profile = Profile{4, 96};
  Sut sut(memory_bytes);
  rc::state::check(initial, sut,
                   rc::state::gen::execOneOfWithArgs<Malloc, Malloc, MallocRange, Calloc,
                                                     AlignedAlloc, New, Realloc, Realloc, Free,
                                                     FreeRange, Delete>());
  Executor& executor = sut.executor();
  free_everything(executor);
  const std::size_t pages = executor.model().pages();
  const std::size_t total = free_between_slot_0_and_the_table(executor.model());
  RC_TAG(pages == 0 ? "never grew" : "grew");
  if (total == 0) return;
  // One request of any size up to the total, then the total itself: neither may grow the heap.
  const std::size_t size = *rc::gen::inRange<std::size_t>(1, total + 1);
  std::uint32_t id = executor.unused_id();
  for (std::size_t request : {size, total}) {
    Operation malloc_block;
    malloc_block.code = OpCode::malloc;
    malloc_block.id = id;
    malloc_block.size = Size::of(request);
    StepVerdict verdict = executor.run(malloc_block);
    RC_ASSERT(verdict.ok);
    RC_ASSERT(executor.block_live(id));
    RC_ASSERT(executor.model().pages() == pages);
    Operation free_block;
    free_block.code = OpCode::free;
    free_block.id = id;
    RC_ASSERT(executor.run(free_block).ok);
    ++id;
  }
}

}  // namespace alligator::properties
