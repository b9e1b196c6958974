// The checks run after every operation: the heap's walk, current MiniPages, stats and validator
// against the model, and every live block's contents and extent.
#include "executor_state.hpp"
#include "pattern.hpp"

#include <alligator/size_classes.hpp>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace alligator::properties {
namespace {

int kind_of(SpanKind kind) {
  switch (kind) {
    case SpanKind::free: return static_cast<int>(model::SpanKind::free);
    case SpanKind::mini_page: return static_cast<int>(model::SpanKind::mini_page);
    case SpanKind::large: return static_cast<int>(model::SpanKind::large);
    case SpanKind::metadata: return static_cast<int>(model::SpanKind::metadata);
    case SpanKind::spare: return static_cast<int>(model::SpanKind::spare);
    default: return -1;
  }
}

std::string describe(const SpanRecord& span) {
  std::ostringstream out;
  out << "slot " << span.first << " +" << span.slots << " ";
  if (span.kind < 0) {
    out << "(unknown kind)";
  } else {
    out << model::to_string(static_cast<model::SpanKind>(span.kind));
  }
  if (span.kind == static_cast<int>(model::SpanKind::mini_page)) {
    out << " class size " << span.class_size << ", " << span.live << "/" << span.segments
        << " live" << (span.current ? ", current" : "") << (span.spare ? ", spare" : "")
        << ", bitmap";
    for (int word = 3; word >= 0; --word) {
      out << " " << std::hex << span.bitmap[static_cast<std::size_t>(word)] << std::dec;
    }
  }
  return out.str();
}

// How the policy-free tier sees a span: only walk()'s kind, spare flag and live count.
policy_free::Kind policy_free_kind(const SpanRecord& span) {
  switch (span.kind) {
    case static_cast<int>(model::SpanKind::free): return policy_free::Kind::free;
    case static_cast<int>(model::SpanKind::spare): return policy_free::Kind::kept;
    case static_cast<int>(model::SpanKind::metadata): return policy_free::Kind::metadata;
    case static_cast<int>(model::SpanKind::mini_page):
      return span.spare || (span.current && span.live == 0) ? policy_free::Kind::kept
                                                             : policy_free::Kind::busy;
    default: return policy_free::Kind::busy;
  }
}

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
  hash ^= value + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return hash;
}

}  // namespace

bool executor_validates() {
  static const bool validates = [] {
    const char* off = std::getenv("ALLIGATOR_EXECUTOR_NO_VALIDATE");
    return off == nullptr || *off == '\0' || std::strcmp(off, "0") == 0;
  }();
  return validates;
}

std::uint64_t Executor::State::walk_fingerprint() const {
  std::uint64_t hash = 0;
  heap.walk([&](const SpanView& span) {
    hash = mix(hash, static_cast<std::uint64_t>(span.kind));
    hash = mix(hash, reinterpret_cast<std::uintptr_t>(span.start));
    hash = mix(hash, span.bytes);
    if (span.kind == SpanKind::mini_page) {
      hash = mix(hash, span.size_class);
      hash = mix(hash, span.segments);
      hash = mix(hash, span.live_segments);
      hash = mix(hash, span.current);
      hash = mix(hash, span.spare);
      for (std::uint64_t word : span.bitmap) hash = mix(hash, word);
    }
  });
  return hash;
}

std::string Executor::State::describe_heap() const {
  const auto base = reinterpret_cast<std::uintptr_t>(memory.base());
  std::ostringstream out;
  out << "heap: " << memory.pages() << " wasm page(s)\n";
  heap.walk([&](const SpanView& span) {
    SpanRecord record;
    record.kind = kind_of(span.kind);
    record.first = (reinterpret_cast<std::uintptr_t>(span.start) - base) / model::kSlotBytes;
    record.slots = span.bytes / model::kSlotBytes;
    if (span.kind == SpanKind::mini_page) {
      record.class_size = span.size_class < kClassCount ? class_size(span.size_class) : 0;
      record.segments = span.segments;
      record.live = span.live_segments;
      record.current = span.current;
      record.spare = span.spare;
      record.bitmap = span.bitmap;
    }
    out << "  " << describe(record) << "\n";
  });
  return out.str();
}

std::string Executor::State::check_heap(std::optional<std::uint64_t> fingerprint) {
  const auto base = reinterpret_cast<std::uintptr_t>(memory.base());
  const model::SizeClasses& classes = model.classes();

  // The class tables: the allocator's must be the README's.
  if (classes.count() != kClassCount) {
    return "the allocator has " + std::to_string(kClassCount) + " size classes, the README " +
           std::to_string(classes.count());
  }
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (class_size(c) != classes.size(c)) {
      return "size class " + std::to_string(c) + " is " + std::to_string(class_size(c)) +
             " bytes in the allocator, " + std::to_string(classes.size(c)) + " in the README";
    }
  }

  // The walk, span by span.
  walked.clear();
  std::uint64_t hash = 0;
  std::string odd;
  heap.walk([&](const SpanView& span) {
    hash = mix(hash, static_cast<std::uint64_t>(span.kind));
    hash = mix(hash, reinterpret_cast<std::uintptr_t>(span.start));
    hash = mix(hash, span.bytes);
    SpanRecord record;
    record.kind = kind_of(span.kind);
    auto start = reinterpret_cast<std::uintptr_t>(span.start);
    if (odd.empty() && (start < base || (start - base) % model::kSlotBytes != 0 ||
                        span.bytes % model::kSlotBytes != 0)) {
      odd = "the walk reports a span at " + std::to_string(start - base) + " of " +
            std::to_string(span.bytes) + " bytes, not whole slots";
    }
    record.first = (start - base) / model::kSlotBytes;
    record.slots = span.bytes / model::kSlotBytes;
    if (span.kind == SpanKind::mini_page) {
      hash = mix(hash, span.size_class);
      hash = mix(hash, span.segments);
      hash = mix(hash, span.live_segments);
      hash = mix(hash, span.current);
      hash = mix(hash, span.spare);
      record.class_size = span.size_class < kClassCount ? class_size(span.size_class) : 0;
      record.segments = span.segments;
      record.live = span.live_segments;
      record.current = span.current;
      record.spare = span.spare;
      for (std::size_t word = 0; word < 4; ++word) {
        hash = mix(hash, span.bitmap[word]);
        record.bitmap[word] = span.bitmap[word];
      }
    }
    walked.push_back(record);
  });
  if (fingerprint && *fingerprint != hash) {
    return "writing a block's whole usable size changed the heap's state (its walk)";
  }
  if (!odd.empty()) return odd;

  expected.clear();
  for (const auto& [first, span] : model.span_map().spans()) {
    SpanRecord record;
    record.kind = static_cast<int>(span.kind);
    record.first = first;
    record.slots = span.slots;
    if (span.kind == model::SpanKind::mini_page) {
      const model::MiniPage& page = model.mini_pages().at(first);
      record.class_size = classes.size(page.size_class);
      record.segments = classes.segments(page.size_class);
      record.live = page.live.size();
      record.current = model.current(page.size_class) == first;
      record.spare = model.spares(page.size_class).count(first) != 0;
      for (std::size_t segment : page.live) record.bitmap[segment / 64] |= std::uint64_t{1} << (segment % 64);
    }
    expected.push_back(record);
  }
  // Span by span, metadata too: slot 0 and the table are one span each.
  for (std::size_t i = 0; i < walked.size() || i < expected.size(); ++i) {
    if (i >= walked.size()) return "the walk ends early; the model has " + describe(expected[i]);
    if (i >= expected.size()) return "the walk has more spans than the model: " + describe(walked[i]);
    if (!(walked[i] == expected[i])) {
      return "the walk differs from the model: the heap has " + describe(walked[i]) +
             ", the model " + describe(expected[i]);
    }
  }

  // Current MiniPages (which Segment of one a class hands out next is the bitmap's to say,
  // and the walk compares every bitmap with the model).
  for (std::size_t c = 0; c < kClassCount; ++c) {
    auto current = model.current(c);
    const std::byte* heap_current = heap.core().current_mini_page(c);
    auto expected_current = current ? model.slot_address(*current) : 0;
    if (reinterpret_cast<std::uintptr_t>(heap_current) != expected_current) {
      // (Named only here: built for every class at every step, the names took 28% of a
      // suite's instructions under Callgrind.)
      return "class " + std::to_string(c) + " (" + std::to_string(class_size(c)) +
             " bytes): the heap's current MiniPage is " +
             (heap_current ? "slot " + std::to_string((reinterpret_cast<std::uintptr_t>(heap_current) - base) / model::kSlotBytes)
                           : std::string("none")) +
             ", the model's " + (current ? "slot " + std::to_string(*current) : std::string("none"));
    }
  }

  // Statistics.
  HeapStats stats = heap.stats();
  // Rare events the model and the memory show: the table moved, retiring freed kept memory.
  if (stats.wasm_pages > pages_before && pages_before > 0) count(Event::table_moved);
  if (model.retired_mini_pages() > retired_mini_pages_before) count(Event::retired_mini_pages);
  if (model.retired_spare_spans() > retired_spare_spans_before) count(Event::retired_spare_spans);
  if (model.generous_growths() > generous_growths_before) count(Event::generous_growth);
  if (model.exact_retries() > exact_retries_before) count(Event::exact_retry);
  if (stats.wasm_pages != pages_before) {
    // The policy-free tier: growth only when nothing free could serve, within a page bound.
    policy_free::Shape shape;
    shape.pages = pages_before;
    shape.metadata_bytes = metadata_before;
    for (const SpanRecord& span : walked_before) {
      shape.spans.push_back(policy_free::Span{policy_free_kind(span), span.first, span.slots});
    }
    if (request) {
      std::vector<policy_free::Span> after;
      for (const SpanRecord& span : walked) {
        after.push_back(policy_free::Span{policy_free_kind(span), span.first, span.slots});
      }
      policy_free::refine_small_request(*request, after);
    }
    if (auto problem = policy_free::check_growth(shape, stats.wasm_pages, stats.metadata_bytes,
                                                 request);
        !problem.empty()) {
      return problem;
    }
  }
  request.reset();
  walked_before.swap(walked);
  metadata_before = stats.metadata_bytes;
  pages_before = stats.wasm_pages;
  retired_mini_pages_before = model.retired_mini_pages();
  retired_spare_spans_before = model.retired_spare_spans();
  generous_growths_before = model.generous_growths();
  exact_retries_before = model.exact_retries();
  model::ModelStats want = model.stats();
  auto compare = [](const char* field, std::size_t have, std::size_t expected_value) {
    return have == expected_value ? std::string()
                                  : std::string("stats().") + field + " is " + std::to_string(have) +
                                        ", the model says " + std::to_string(expected_value);
  };
  for (std::string problem :
       {compare("wasm_pages", stats.wasm_pages, want.wasm_pages),
        compare("metadata_bytes", stats.metadata_bytes, want.metadata_bytes),
        compare("mini_pages", stats.mini_pages, want.mini_pages),
        compare("large_blocks", stats.large_blocks, want.large_blocks),
        compare("live_blocks", stats.live_blocks, want.live_blocks),
        compare("bytes_in_use", stats.bytes_in_use, want.bytes_in_use),
        compare("free_bytes", stats.free_bytes, want.free_bytes)}) {
    if (!problem.empty()) return problem;
  }
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (stats.blocks_per_class[c] != want.blocks_per_class[c] ||
        stats.mini_pages_per_class[c] != want.mini_pages_per_class[c]) {
      return "stats() for class " + std::to_string(c) + ": " +
             std::to_string(stats.blocks_per_class[c]) + " blocks in " +
             std::to_string(stats.mini_pages_per_class[c]) + " MiniPages, the model says " +
             std::to_string(want.blocks_per_class[c]) + " in " +
             std::to_string(want.mini_pages_per_class[c]);
    }
  }
  if (live.size() != want.live_blocks) {
    return "the executor holds " + std::to_string(live.size()) + " live blocks, the model " +
           std::to_string(want.live_blocks);
  }

  if (auto problem = check_contents(); !problem.empty()) return problem;

  if (!executor_validates()) return {};
  ValidationReport report = heap.validate();
  if (!report.ok()) {
    std::string text = "validate() found " + std::to_string(report.problems) + " problem(s):";
    for (std::size_t i = 0; i < report.problems && i < ValidationReport::kMaxMessages; ++i) {
      text += std::string(" [") + report.messages[i] + "]";
    }
    return text;
  }
  return {};
}

std::string Executor::State::check_block(const LiveBlock& live_block, std::size_t from,
                                         std::size_t to) {
  const TrackedBlock& block = *live_block.block;
  if (auto at = Pattern::first_difference(reinterpret_cast<const std::byte*>(block.address) + from,
                                          to - from, block.phase + from)) {
    return "b" + std::to_string(live_block.id) + " changed at byte " + std::to_string(from + *at) +
           " of " + std::to_string(block.usable) + " though nobody wrote to it";
  }
  return {};
}

std::string Executor::State::check_contents() {
  // Every live block: apart from the one before it, and its first and last bytes intact (all of
  // it when small).
  std::uintptr_t previous_end = 0;
  for (const auto& [address, entry] : live) {
    const std::size_t usable = entry.block->usable;
    if (address < previous_end) {
      return "b" + std::to_string(entry.id) + " overlaps the live block before it";
    }
    previous_end = address + usable;
    std::string problem = usable <= 2 * kEdgeBytes ? check_block(entry, 0, usable)
                                                   : check_block(entry, 0, kEdgeBytes);
    if (problem.empty() && usable > 2 * kEdgeBytes) {
      problem = check_block(entry, usable - kEdgeBytes, usable);
    }
    if (!problem.empty()) return problem;
  }
  // In full: the blocks at and beside every address this step allocated, moved or freed.
  for (std::uintptr_t address : touched) {
    auto at = live.lower_bound(address);
    auto check_whole = [](const LiveBlock& entry) { return check_block(entry, 0, entry.block->usable); };
    if (at != live.end()) {
      if (auto problem = check_whole(at->second); !problem.empty()) return problem;
      if (at->first == address && std::next(at) != live.end()) {
        if (auto problem = check_whole(std::next(at)->second); !problem.empty()) return problem;
      }
    }
    if (at != live.begin()) {
      if (auto problem = check_whole(std::prev(at)->second); !problem.empty()) return problem;
    }
  }
  touched.clear();
  // In full, the rest: a sweep that resumes where the last step stopped.
  std::size_t budget = kSweepBytes;
  auto it = live.lower_bound(sweep_from);
  for (std::size_t visited = 0; visited < live.size() && budget > 0; ++visited) {
    if (it == live.end()) it = live.begin();
    const std::size_t usable = it->second.block->usable;
    if (auto problem = check_block(it->second, 0, usable); !problem.empty()) return problem;
    budget = usable < budget ? budget - usable : 0;
    ++it;
    sweep_from = it == live.end() ? 0 : it->first;
  }
  return {};
}

}  // namespace alligator::properties
