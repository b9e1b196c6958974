#include <alligator/model/span_map.hpp>

#include "model_bug.hpp"

#include <algorithm>

namespace alligator::model {

const char* to_string(SpanKind kind) {
  switch (kind) {
    case SpanKind::free: return "free";
    case SpanKind::mini_page: return "MiniPage";
    case SpanKind::large: return "large block";
    case SpanKind::metadata: return "metadata";
    case SpanKind::spare: return "spare span";
  }
  return "?";
}

std::size_t good_fit(std::size_t slots) {
  if (slots < 64) return slots;
  std::size_t log2 = 0;
  while ((slots >> log2) > 1) ++log2;  // floor(log2 slots)
  std::size_t step = std::size_t{1} << (log2 - 5);
  std::size_t steps = slots / step + (slots % step != 0 ? 1 : 0);
  return steps * step;  // no overflow: slots < 2^(log2 + 1) and step divides 2^(log2 + 1)
}

std::optional<std::size_t> SpanMap::span_holding(std::size_t slot) const {
  if (slot >= top_) return std::nullopt;
  auto after = spans_.upper_bound(slot);
  if (after == spans_.begin()) return std::nullopt;
  return std::prev(after)->first;
}

bool SpanMap::is_free(std::size_t first) const {
  auto it = spans_.find(first);
  return it != spans_.end() && it->second.kind == SpanKind::free;
}

std::size_t SpanMap::table_start() const { return top_ == 0 ? 0 : top_ - table_slots(top_, pool_); }

std::optional<std::size_t> SpanMap::top_free_span() const {
  if (top_ == 0) return std::nullopt;
  std::size_t below_table = *span_holding(table_start() - 1);  // slot 0 at least lies below
  if (spans_.at(below_table).kind != SpanKind::free) return std::nullopt;
  return below_table;
}

std::size_t SpanMap::top_free_slots() const {
  auto top_free = top_free_span();
  return top_free ? spans_.at(*top_free).slots : 0;
}

std::vector<std::size_t> SpanMap::good_fits(std::size_t slots) const {
  std::vector<std::size_t> fits;
  std::size_t wanted = good_fit(slots);
  for (const auto& [first, span] : spans_) {
    if (span.kind == SpanKind::free && span.slots >= wanted) fits.push_back(first);
  }
  return fits;
}

std::vector<std::size_t> SpanMap::takeable(std::size_t slots) const {
  auto fits = good_fits(slots);
  if (!fits.empty()) return fits;
  auto top_free = top_free_span();
  if (top_free && spans_.at(*top_free).slots >= slots) return {*top_free};
  return {};
}

void SpanMap::carve(std::size_t first, std::size_t slots, SpanKind kind) {
  auto holder = span_holding(first);
  if (!holder || spans_.at(*holder).kind != SpanKind::free ||
      first + slots > *holder + spans_.at(*holder).slots || slots == 0) {
    model_bug("SpanMap::carve: not inside one free span");
  }
  std::size_t span_first = *holder;
  std::size_t span_end = span_first + spans_.at(span_first).slots;
  spans_.erase(span_first);
  if (span_first < first) spans_[span_first] = Span{SpanKind::free, first - span_first};
  spans_[first] = Span{kind, slots};
  if (first + slots < span_end) spans_[first + slots] = Span{SpanKind::free, span_end - first - slots};
}

void SpanMap::release(std::size_t first, std::size_t slots) {
  // The slots are a whole used span, or the tail of one (a large block shrinking).
  auto holder = span_holding(first);
  if (!holder || spans_.at(*holder).kind == SpanKind::free || slots == 0 ||
      first + slots != *holder + spans_.at(*holder).slots) {
    model_bug("SpanMap::release: not a used span or its tail");
  }
  if (*holder == first) {
    spans_.erase(first);
  } else {
    spans_.at(*holder).slots = first - *holder;
  }
  std::size_t start = first;
  std::size_t end = first + slots;
  if (first > 0) {
    std::size_t before = *span_holding(first - 1);
    if (spans_.at(before).kind == SpanKind::free) {
      start = before;
      spans_.erase(before);
    }
  }
  if (auto after = spans_.find(end); after != spans_.end() && after->second.kind == SpanKind::free) {
    end += after->second.slots;
    spans_.erase(after);
  }
  spans_[start] = Span{SpanKind::free, end - start};
}

void SpanMap::retag(std::size_t first, SpanKind kind) {
  auto span = spans_.find(first);
  if (span == spans_.end() || span->second.kind == SpanKind::free || kind == SpanKind::free) {
    model_bug("SpanMap::retag: only a used span takes another used kind");
  }
  span->second.kind = kind;
}

void SpanMap::shrink(std::size_t first, std::size_t slots) {
  const Span& span = spans_.at(first);
  if (span.kind == SpanKind::free || slots == 0 || slots > span.slots) {
    model_bug("SpanMap::shrink: bad span or length");
  }
  if (slots < span.slots) release(first + slots, span.slots - slots);
}

void SpanMap::extend(std::size_t first, std::size_t extra) {
  Span& span = spans_.at(first);
  std::size_t next = first + span.slots;
  auto after = spans_.find(next);
  if (after == spans_.end() || after->second.kind != SpanKind::free ||
      after->second.slots < extra) {
    model_bug("SpanMap::extend: no free span long enough after the block");
  }
  std::size_t rest = after->second.slots - extra;
  spans_.erase(after);
  if (rest > 0) spans_[next + extra] = Span{SpanKind::free, rest};
  span.slots += extra;
}

void SpanMap::grow(std::size_t slots) {
  // Whole pages; the first growth may add the rest of the page the memory begins in.
  if (slots == 0 || (top_ != 0 && slots % kSlotsPerWasmPage != 0)) {
    model_bug("SpanMap::grow: not whole pages");
  }
  if (top_ == 0) {
    // Slot 0, then the free span, then the table at the end.
    const std::size_t table = slots - std::min(slots, table_slots(slots, pool_));
    if (table <= kReservedSlots) model_bug("SpanMap::grow: the first growth leaves no free slot");
    top_ = slots;
    spans_[0] = Span{SpanKind::metadata, kReservedSlots};
    spans_[kReservedSlots] = Span{SpanKind::free, table - kReservedSlots};
    spans_[table] = Span{SpanKind::metadata, table_slots(top_, pool_)};
    return;
  }
  const std::size_t old_table = table_start();
  auto table = spans_.find(old_table);
  if (table == spans_.end() || table->second.kind != SpanKind::metadata ||
      table->second.slots != table_slots(top_, pool_)) {
    model_bug("SpanMap::grow: the table is not the last span");
  }
  // The old table's slots and the new ones join the top free span (or start one there).
  const std::size_t free_start = top_free_span().value_or(old_table);
  spans_.erase(old_table);
  spans_.erase(free_start);
  top_ += slots;
  const std::size_t new_table = table_start();
  if (new_table <= free_start) model_bug("SpanMap::grow: the table outgrew the growth");
  spans_[free_start] = Span{SpanKind::free, new_table - free_start};
  spans_[new_table] = Span{SpanKind::metadata, table_slots(top_, pool_)};
}

void SpanMap::grow_pool() {
  auto top_free = top_free_span();
  if (!top_free) model_bug("SpanMap::grow_pool: no top free span");
  const std::size_t old_table = table_start();
  if (spans_.at(*top_free).slots == 1) {
    spans_.erase(*top_free);
  } else {
    spans_.at(*top_free).slots -= 1;
  }
  spans_.erase(old_table);
  ++pool_;
  spans_[table_start()] = Span{SpanKind::metadata, table_slots(top_, pool_)};
}

std::vector<std::string> SpanMap::check() const {
  std::vector<std::string> problems;
  std::size_t expected = 0;
  bool previous_free = false;
  for (const auto& [first, span] : spans_) {
    if (first != expected) {
      problems.push_back("span map: gap or overlap at slot " + std::to_string(first));
    }
    if (span.slots == 0) problems.push_back("span map: empty span at " + std::to_string(first));
    if (span.kind == SpanKind::free && previous_free) {
      problems.push_back("span map: adjacent free spans at " + std::to_string(first));
    }
    if (span.kind == SpanKind::mini_page && span.slots > kMaxMiniPageSlots) {
      problems.push_back("span map: MiniPage of more than 16 slots at " + std::to_string(first));
    }
    previous_free = span.kind == SpanKind::free;
    expected = first + span.slots;
  }
  if (expected != top_) problems.push_back("span map: spans end below the top");
  // Metadata: slot 0 (one slot) and the table (the last span, M(top) slots), nothing else.
  for (const auto& [first, span] : spans_) {
    if (span.kind != SpanKind::metadata) continue;
    bool reserved = first == 0 && span.slots == kReservedSlots;
    bool table = first == table_start() && span.slots == table_slots(top_, pool_);
    if (!reserved && !table) {
      problems.push_back("span map: metadata span at slot " + std::to_string(first) + " of " +
                         std::to_string(span.slots) + " slots is neither slot 0 nor the table");
    }
  }
  if (top_ > 0) {
    if (!spans_.count(0) || spans_.at(0).kind != SpanKind::metadata) {
      problems.push_back("span map: slot 0 is not metadata");
    }
    if (!spans_.count(table_start()) || spans_.at(table_start()).kind != SpanKind::metadata) {
      problems.push_back("span map: no table at slot " + std::to_string(table_start()));
    }
  }
  return problems;
}

}  // namespace alligator::model
