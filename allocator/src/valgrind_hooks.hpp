// Tells Valgrind's memcheck about Alligator's blocks (build option ALLIGATOR_VALGRIND).
//
// Without these, memcheck sees the heap as one big mapping and catches nothing inside it. With
// them: a block is MALLOCLIKE from allocation to free (its usable size: what malloc_usable_size
// promises may be written), FREELIKE after; in-place reallocation is RESIZEINPLACE; free
// Segments, free spans, the apron and pages not yet handed out are NOACCESS; the table is
// accessible only while the allocator itself runs (MetadataAccess), so a stray user write into
// it is reported. Otherwise every hook compiles to nothing, and on wasm32 there is no Valgrind.
#pragma once

#include <cstddef>

#if defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND && !defined(__wasm__)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#define ALLIGATOR_VALGRIND_HOOKS 1
#else
#define ALLIGATOR_VALGRIND_HOOKS 0
#endif

namespace alligator::detail::valgrind {

#if ALLIGATOR_VALGRIND_HOOKS
inline void block_allocated(const void* block, std::size_t bytes) {
  VALGRIND_MALLOCLIKE_BLOCK(block, bytes, 0, 0);
}
inline void block_freed(const void* block) { VALGRIND_FREELIKE_BLOCK(block, 0); }
// A free the heap rejects: `pointer` is no live block's start, so memcheck reports an "Invalid
// free()" with the caller's stack and what it knows of the address (freed where, inside which
// block), and changes nothing.
inline void rejected_free(const void* pointer) { VALGRIND_FREELIKE_BLOCK(pointer, 0); }
inline void block_resized(const void* block, std::size_t old_bytes, std::size_t new_bytes) {
  VALGRIND_RESIZEINPLACE_BLOCK(block, old_bytes, new_bytes, 0);
}
inline void no_access(const void* start, std::size_t bytes) {
  VALGRIND_MAKE_MEM_NOACCESS(start, bytes);
}
inline void defined(const void* start, std::size_t bytes) {
  VALGRIND_MAKE_MEM_DEFINED(start, bytes);
}
#else
inline void block_allocated(const void*, std::size_t) {}
inline void block_freed(const void*) {}
inline void rejected_free(const void*) {}
inline void block_resized(const void*, std::size_t, std::size_t) {}
inline void no_access(const void*, std::size_t) {}
inline void defined(const void*, std::size_t) {}
#endif

}  // namespace alligator::detail::valgrind

#include <alligator/detail/heap_core.hpp>

namespace alligator::detail {

#if ALLIGATOR_VALGRIND_HOOKS
inline HeapCore::MetadataAccess::MetadataAccess(const HeapCore& heap) : heap_(heap) {
  if (heap_.metadata_access_depth_++ == 0) heap_.set_metadata_access(true);
}
inline HeapCore::MetadataAccess::~MetadataAccess() {
  if (--heap_.metadata_access_depth_ == 0) heap_.set_metadata_access(false);
}
inline void HeapCore::set_metadata_access(bool open) const {
  if (spans_.table() == nullptr) return;
  // The bitmap pool and the records: the apron stays closed.
  const std::byte* first = spans_.pool_first();
  std::size_t bytes = spans_.pool_and_record_bytes();
  if (open) {
    valgrind::defined(first, bytes);
  } else {
    valgrind::no_access(first, bytes);
  }
}
#else
inline HeapCore::MetadataAccess::MetadataAccess(const HeapCore& heap) : heap_(heap) {}
inline HeapCore::MetadataAccess::~MetadataAccess() {}
inline void HeapCore::set_metadata_access(bool) const {}
#endif

}  // namespace alligator::detail
