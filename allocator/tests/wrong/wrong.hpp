// What every deliberately wrong program shares: a malloc that proves Alligator served the block
// (so memcheck's verdict is about Alligator's client requests, not about memcheck's own malloc
// or the C library's), and a look at the memory right after a block.
//
// Messages go to stderr, which is unbuffered: printing allocates nothing.
#pragma once

#include <alligator/global_heap.hpp>
#include <alligator/size_classes.hpp>

#include <cstdio>
#include <cstdlib>
#include <malloc.h>

namespace wrong {

// malloc(size), or exit status 2 unless Alligator's global heap owns the block and counts one
// more live block than before.
inline unsigned char* alligator_malloc(std::size_t size) {
  auto& heap = alligator::global_heap();
  std::size_t live_before = heap.stats().live_blocks;
  auto* block = static_cast<unsigned char*>(std::malloc(size));
  if (block == nullptr || !heap.owns(block) || heap.stats().live_blocks != live_before + 1) {
    std::fprintf(stderr, "wrong: malloc(%zu) was NOT served by Alligator\n", size);
    std::exit(2);
  }
  std::fprintf(stderr, "wrong: malloc(%zu) served by Alligator at %p (%zu usable bytes)\n", size,
               static_cast<void*>(block), malloc_usable_size(block));
  return block;
}

// memcheck describes a bad address by the first block it finds that holds the address or ends
// up to a red zone (16 bytes, end included) before it: live blocks first, then freed ones, oldest
// first. Alligator's blocks touch, so an address at the start of a block that follows a live one
// is described as "0 bytes after" that one. For an exact description a program takes a spacer of
// at least 32 bytes right before its block, and frees the spacer after the block and before the
// error: then no other block is near the address. Exit status 3 if the spacer is not right
// before the block.
inline unsigned char* alligator_malloc_after_spacer(std::size_t size, unsigned char** spacer) {
  *spacer = alligator_malloc(size);
  unsigned char* block = alligator_malloc(size);
  if (*spacer + malloc_usable_size(*spacer) != block) {
    std::fprintf(stderr, "wrong: the spacer is not right before the block\n");
    std::exit(3);
  }
  return block;
}

// Whether the byte just past `block`'s usable size is free heap memory: in a free Segment of
// the same MiniPage, or in a free span. Exit status 3 otherwise (an overflow there would land in
// a live block, which memcheck rightly allows).
inline void require_free_after(const unsigned char* block) {
  const auto* past = reinterpret_cast<const std::byte*>(block + malloc_usable_size(
                                                                   const_cast<unsigned char*>(block)));
  bool free_after = false;
  alligator::global_heap().walk([&](const alligator::SpanView& span) {
    if (past < span.start || past >= span.start + span.bytes) return;
    if (span.kind == alligator::SpanKind::free) free_after = true;
    if (span.kind == alligator::SpanKind::mini_page) {
      std::size_t segment = static_cast<std::size_t>(past - span.start) /
                            alligator::class_size(span.size_class);
      free_after = segment >= span.segments || !((span.bitmap[segment / 64] >> (segment % 64)) & 1U);
    }
  });
  if (!free_after) {
    std::fprintf(stderr, "wrong: the memory after %p is not free\n", static_cast<const void*>(block));
    std::exit(3);
  }
  std::fprintf(stderr, "wrong: the memory after the block is free\n");
}

// free(pointer), announced first, so the test can compare the address Alligator's diagnosis
// prints ("alligator: double free at 0x...") with the pointer itself.
inline void announced_free(void* pointer) {
  std::fprintf(stderr, "wrong: freeing %p\n", pointer);
  std::free(pointer);
}

}  // namespace wrong
