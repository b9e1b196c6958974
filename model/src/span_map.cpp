#include <alligator/model/span_map.hpp>

#include "model_bug.hpp"


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

std::optional<std::size_t> SpanMap::free_span_at_top() const {
  if (spans_.empty()) return std::nullopt;
  auto last = std::prev(spans_.end());
  if (last->second.kind != SpanKind::free) return std::nullopt;
  return last->first;
}

std::size_t SpanMap::free_slots_at_top() const {
  auto top = free_span_at_top();
  return top ? spans_.at(*top).slots : 0;
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
  auto top = free_span_at_top();
  if (top && spans_.at(*top).slots >= slots) return {*top};
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

void SpanMap::grow(std::size_t slots, std::size_t metadata) {
  if (metadata >= slots) model_bug("SpanMap::grow: no free slot after metadata");
  std::size_t old_top = top_;
  top_ += slots;
  if (metadata == 0) {
    auto top_free = free_span_at_top();
    if (top_free) {
      spans_.at(*top_free).slots += slots;
    } else {
      spans_[old_top] = Span{SpanKind::free, slots};
    }
    return;
  }
  // One metadata span per group reached; the README only fixes their total length.
  for (std::size_t done = 0; done < metadata; done += kMetadataSlotsPerGroup) {
    spans_[old_top + done] = Span{SpanKind::metadata, kMetadataSlotsPerGroup};
  }
  spans_[old_top + metadata] = Span{SpanKind::free, slots - metadata};
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
    if (span.kind == SpanKind::mini_page && span.slots != 1) {
      problems.push_back("span map: MiniPage of several slots at " + std::to_string(first));
    }
    previous_free = span.kind == SpanKind::free;
    expected = first + span.slots;
  }
  if (expected != top_) problems.push_back("span map: spans end below the top");
  return problems;
}

}  // namespace alligator::model
