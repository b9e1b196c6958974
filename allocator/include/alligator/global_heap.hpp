// The process-wide heap behind liballigator's malloc and the opt-in operator new/delete.
// It exists before any static constructor runs (constant-initialized) and is never destroyed,
// so malloc works from the first static constructor to the last static destructor.
#pragma once

#include <alligator/heap.hpp>
#include <alligator/shim/default_memory.hpp>

#include <utility>

namespace alligator {
namespace detail {

// Storage whose destructor never runs: the heap must outlive every static destructor.
template <class T>
union NeverDestroyed {
  template <class... Arguments>
  explicit constexpr NeverDestroyed(Arguments&&... arguments)
      : value(std::forward<Arguments>(arguments)...) {}
  ~NeverDestroyed() {}
  T value;
};

// Defined in allocator/src/global_heap.cpp; reached inline so malloc costs no extra call.
extern constinit NeverDestroyed<Heap<DefaultMemory>> process_heap;

}  // namespace detail

inline Heap<DefaultMemory>& global_heap() { return detail::process_heap.value; }

}  // namespace alligator
