// The model's picture of the heap as slots: every slot from 0 to the top belongs to exactly one
// span (free, MiniPage, large block, spare span or metadata), kept in a std::map by first slot.
//
// From allocator/README.md, "Glossary", "Spans and large blocks" and "Metadata out of band":
//   - slot 0 is a one-slot metadata span, and the heap's last span is the table (metadata):
//     M(top) = 32 + B + R(top) slots, apron, bitmap pool, records; no other span is metadata;
//   - the top free span is the free span that ends where the table begins, if there is one;
//   - taking k slots takes the low end of a free span of at least k' slots (k' = good_fit(k)),
//     failing that the top free span if it has at least k slots;
//   - freeing merges with the free spans just before and after, so no two free spans are ever
//     adjacent;
//   - a spare span is used, not free: no search sees it and nothing merges with it;
//   - growth puts the new slots after the table, moves the table to the new end, and the slots
//     it left join the top free span (the first growth makes slot 0, the free span, the table);
//   - the bitmap pool grows by one slot taken from the top end of the top free span: the table
//     starts one slot lower ("Metadata out of band", "The pool").
// Nothing here decides what is legal for an operation; heap_model.cpp does, using these pieces.
#pragma once

#include <alligator/model/geometry.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace alligator::model {

enum class SpanKind { free, mini_page, large, metadata, spare };
const char* to_string(SpanKind kind);

struct Span {
  SpanKind kind = SpanKind::free;
  std::size_t slots = 0;
};

// k' of the README: k for k < 64, else k rounded up to a multiple of 2^(floor(log2 k) - 5).
// The span bins guarantee a fit only from k' slots up.
std::size_t good_fit(std::size_t slots);

class SpanMap {
 public:
  using Spans = std::map<std::size_t, Span>;

  const Spans& spans() const { return spans_; }
  std::size_t top() const { return top_; }  // one past the last slot the heap owns

  // The first slot of the span holding `slot`, if slot < top.
  std::optional<std::size_t> span_holding(std::size_t slot) const;
  const Span& at(std::size_t first) const { return spans_.at(first); }
  bool is_free(std::size_t first) const;

  // B: the bitmap pool's slots (64 bitmap records each).
  std::size_t pool_slots() const { return pool_; }
  // The table's first slot, top - M(top) (the apron's first slot); 0 before the first growth.
  std::size_t table_start() const;
  // The top free span (the free span that ends where the table begins), if any, and its length
  // (0 if none).
  std::optional<std::size_t> top_free_span() const;
  std::size_t top_free_slots() const;

  // Free spans of at least good_fit(slots) slots: what the span bins may return.
  std::vector<std::size_t> good_fits(std::size_t slots) const;
  // The spans "Taking k slots" may take `slots` from before retiring or growing: the good fits,
  // or else the top free span if it holds `slots`. Empty: the heap must retire, then grow.
  std::vector<std::size_t> takeable(std::size_t slots) const;

  // Turns [first, first + slots), which must lie inside one free span, into a span of `kind`;
  // the free pieces before and after stay free.
  void carve(std::size_t first, std::size_t slots, SpanKind kind);
  // Frees [first, first + slots) (which must be one whole non-free span, or the tail of one),
  // merging it with free neighbours.
  void release(std::size_t first, std::size_t slots);
  // Gives the non-free span at `first` another non-free kind (a large block kept as a spare
  // span, a spare span taken as a block): nothing splits or merges.
  void retag(std::size_t first, SpanKind kind);
  // Shortens the non-free span at `first` to `slots`, freeing its tail.
  void shrink(std::size_t first, std::size_t slots);
  // Lengthens the non-free span at `first` by `extra` slots taken from the low end of the free
  // span right after it.
  void extend(std::size_t first, std::size_t extra);
  // Growth by `slots` slots (whole wasm pages): the table moves to the new end and every slot
  // between the top free span's start (or the old table's) and the new table is one free span.
  // The first growth lays out slot 0, a free span and the table.
  void grow(std::size_t slots);
  // The pool takes the last slot of the top free span (which must exist): the table grows down
  // by one slot.
  void grow_pool();

  // Self-check of the map's own invariants (contiguous cover, no adjacent free spans, slot 0
  // and the table the only metadata).
  std::vector<std::string> check() const;

 private:
  Spans spans_;
  std::size_t top_ = 0;
  std::size_t pool_ = 0;
};

}  // namespace alligator::model
