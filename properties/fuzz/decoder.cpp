// The decoder and its inverse. Each argument kind has a literal form (what encode() writes)
// and shaped forms that put a random byte on an interesting value: the edges of the size
// classes, the small/large boundary, whole MiniPages and wasm pages, multi-MiB blocks,
// SIZE_MAX, alignments up to 64 KiB and invalid ones. The memory maxima are small enough that
// out-of-memory is common.
#include "decoder.hpp"

#include <alligator/model/size_classes.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

namespace alligator::properties::fuzz {
namespace {

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr std::size_t kSmallMax = 16384;  // the largest small request (allocator/README.md)
constexpr std::array<std::size_t, 8> kMemories = {256 * KiB, 512 * KiB, 1 * MiB, 2 * MiB,
                                                  4 * MiB,   8 * MiB,   16 * MiB, 32 * MiB};
constexpr std::uint8_t kMemoryLiteral = 255;

// 32 entries: the common operations appear more than once.
constexpr std::array<OpCode, 32> kOperationTable = {
    OpCode::malloc,        OpCode::malloc,         OpCode::malloc,        OpCode::malloc,
    OpCode::free,          OpCode::free,           OpCode::free,          OpCode::free,
    OpCode::malloc_range,  OpCode::malloc_range,   OpCode::free_range,    OpCode::trim,
    OpCode::calloc,        OpCode::realloc,        OpCode::realloc,       OpCode::realloc_null,
    OpCode::aligned_alloc, OpCode::reallocate,     OpCode::posix_memalign, OpCode::memalign,
    OpCode::new_block,     OpCode::new_block,      OpCode::delete_block,  OpCode::delete_block,
    OpCode::free_interior, OpCode::free_heap,      OpCode::free_null,     OpCode::free_again,
    OpCode::fill,          OpCode::usable,         OpCode::usable_null,   OpCode::refuse_grows};

enum SizeKind : std::uint8_t {
  kSizeLiteral, kSizeTiny, kSizeClassEdge, kSizeSmallLarge, kSizeMedium, kSizePageEdge,
  kSizeMultiMiB, kSizeFromMax};
constexpr std::array<std::uint64_t, 8> kDivisors = {1, 1, 2, 4, 8, 16, 256, 65536};
constexpr std::array<std::int64_t, 8> kDeltas = {-4096, -2048, -64, -16, -1, 0, 1, 16};
constexpr std::uint8_t kFromMaxLiteral = 128;  // a from-max byte at or above: literal form

constexpr std::uint8_t kCountAnySize = 192;  // a calloc count byte at or above: a size follows

constexpr std::uint8_t kAlignmentLiteral = 28;
constexpr std::array<std::uint64_t, 3> kHugeAlignments = {1u << 20, 1ull << 31, 1ull << 40};
constexpr std::array<std::uint64_t, 8> kBadAlignments = {0, 3, 6, 24, 48, 100, 65535, 65537};

const std::vector<std::size_t>& class_sizes() {
  static const model::SizeClasses classes;
  return classes.sizes();
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::uint64_t little(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= std::uint64_t{byte()} << (8 * i);
    return value;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// `base` plus a small signed offset taken from the selector's high bits (0..31 -> -4..+4 or so).
Size near(std::size_t base, std::uint8_t selector, int spread) {
  const std::int64_t offset = static_cast<std::int64_t>(selector >> 3) % (2 * spread + 1) - spread;
  const std::int64_t value = static_cast<std::int64_t>(base) + offset;
  return Size::of(value < 0 ? 0 : static_cast<std::uint64_t>(value));
}

Size read_size(Reader& in) {
  const std::uint8_t selector = in.byte();
  switch (selector % 8) {
    case kSizeLiteral: return Size::of(in.little(4));
    case kSizeTiny: return Size::of(in.byte());
    case kSizeClassEdge: {
      const auto& sizes = class_sizes();
      return near(sizes[in.byte() % sizes.size()], selector, 2);
    }
    case kSizeSmallLarge:
      return Size::of(kSmallMax + static_cast<std::int8_t>(in.byte()));
    case kSizeMedium: return near((in.little(2) % 1024 + 1) * 2048, selector, 4);
    case kSizePageEdge: return near((in.byte() % 64 + 1) * 64 * KiB, selector, 4);
    case kSizeMultiMiB: return near((in.byte() % 12 + 1) * MiB, selector, 8);
    default: {
      const std::uint8_t form = in.byte();
      if (form >= kFromMaxLiteral) {
        const std::uint64_t divisor = std::max<std::uint64_t>(in.byte(), 1);
        return Size::max(divisor, static_cast<std::int32_t>(in.little(4)));
      }
      return Size::max(kDivisors[form % 8], kDeltas[(selector >> 3) % 8]);
    }
  }
}

// A calloc's count: mostly a few elements, as programs ask for, so that the product is a block
// the heap can hold about as often as its size alone is; otherwise any size, which keeps counts
// that overflow the product reachable.
Size read_count(Reader& in) {
  const std::uint8_t form = in.byte();
  if (form < kCountAnySize) return Size::of(form % 64 + 1);
  return read_size(in);
}

std::uint64_t read_alignment(Reader& in) {
  const std::uint8_t kind = in.byte() % 32;
  if (kind <= 16) return std::uint64_t{1} << kind;
  if (kind < 20) return kHugeAlignments[kind - 17];
  if (kind < kAlignmentLiteral) return kBadAlignments[kind - 20];
  return in.little(8);
}

struct Made {
  Size size;
  std::uint64_t alignment = 1;
};

class Decoder {
 public:
  explicit Decoder(Reader& in) : in_(in) {}

  Trace run() {
    Trace trace;
    const std::uint8_t header = in_.byte();
    trace.memory_bytes = header < 248 ? kMemories[header % kMemories.size()]
                                      : std::clamp<std::uint64_t>(in_.little(4), 64 * KiB, kMemories.back());
    while (!in_.done() && trace.operations.size() < kMaxOperations) {
      trace.operations.push_back(operation());
    }
    return trace;
  }

 private:
  std::uint32_t make(const Size& size, std::uint64_t alignment) {
    made_[next_] = Made{size, alignment};
    return next_++;
  }
  // The r-th most recent id made (0: the latest); b1 when nothing was made (a skipped step).
  std::uint32_t block() {
    std::uint32_t back = in_.byte();
    if (back == 255) back = static_cast<std::uint32_t>(in_.little(2));
    const std::uint32_t made = next_ - 1;
    return made == 0 ? 1 : next_ - 1 - back % made;
  }

  Operation operation() {
    Operation op;
    op.code = kOperationTable[in_.byte() % kOperationTable.size()];
    switch (op.code) {
      case OpCode::malloc:
      case OpCode::realloc_null:
        op.size = read_size(in_);
        op.id = make(op.size, 1);
        break;
      case OpCode::malloc_range: {
        const std::uint8_t shape = in_.byte();
        const std::uint32_t count = shape % 64 + 2;
        op.size = read_size(in_);
        const bool downwards = shape >= 128;
        const std::uint32_t first = next_;
        for (std::uint32_t i = 0; i < count; ++i) make(op.size, 1);
        op.id = downwards ? first + count - 1 : first;
        op.last = downwards ? first : first + count - 1;
        break;
      }
      case OpCode::calloc: {
        op.count = read_count(in_);
        op.size = read_size(in_);
        const std::size_t count = op.count.resolve(), each = op.size.resolve();
        const bool overflows = each != 0 && count > std::numeric_limits<std::size_t>::max() / each;
        op.id = make(Size::of(overflows ? 0 : count * each), 1);
        break;
      }
      case OpCode::realloc:
        op.id = block();
        op.size = read_size(in_);
        made_[op.id] = Made{op.size, 1};
        break;
      case OpCode::reallocate:
        op.id = block();
        op.alignment = read_alignment(in_);
        op.size = read_size(in_);
        made_[op.id] = Made{op.size, op.alignment};
        break;
      case OpCode::aligned_alloc:
      case OpCode::posix_memalign:
      case OpCode::memalign:
      case OpCode::new_block:
        op.alignment = read_alignment(in_);
        op.size = read_size(in_);
        op.id = make(op.size, op.alignment);
        break;
      case OpCode::delete_block: {
        op.id = block();
        // Mostly the size and alignment the block was made with; else any (size_mismatch).
        if (in_.byte() % 4 != 0 && made_.count(op.id)) {
          op.size = made_[op.id].size;
          op.alignment = made_[op.id].alignment;
        } else {
          op.size = read_size(in_);
          op.alignment = read_alignment(in_);
        }
        break;
      }
      case OpCode::free:
      case OpCode::free_again:
      case OpCode::fill:
      case OpCode::usable:
        op.id = block();
        break;
      case OpCode::free_range:
        op.id = block();
        op.last = block();
        op.step = in_.byte() % 4 + 1;
        break;
      case OpCode::free_interior:
        op.id = block();
        op.offset = in_.little(2) % 65535 + 1;  // offset 0 is the block itself
        break;
      case OpCode::free_heap: {
        // 0-127: within 1 MiB of the base, 128-239: any offset, 240-255: below the base.
        const std::uint8_t form = in_.byte();
        op.offset = form < 128   ? in_.little(2) * 16
                    : form < 240 ? in_.little(4)
                                 : 0 - std::max<std::uint64_t>(in_.little(4), 1);
        break;
      }
      case OpCode::refuse_grows: op.grows = in_.byte() % 8 + 1; break;
      case OpCode::free_null:
      case OpCode::usable_null:
      case OpCode::trim:
      case OpCode::expect: break;  // never drawn, not in the opcode table
    }
    return op;
  }

  Reader& in_;
  std::uint32_t next_ = 1;
  std::map<std::uint32_t, Made> made_;
};

class Encoder {
 public:
  std::vector<std::uint8_t> run(const Trace& trace) {
    const auto memory = std::find(kMemories.begin(), kMemories.end(), trace.memory_bytes);
    if (memory != kMemories.end()) {
      out_.push_back(static_cast<std::uint8_t>(memory - kMemories.begin()));
    } else {
      out_.push_back(kMemoryLiteral);
      little(std::min<std::uint64_t>(trace.memory_bytes, 0xffffffff), 4);
    }
    for (const Operation& op : trace.operations) operation(op);
    return std::move(out_);
  }

 private:
  void byte(std::uint8_t value) { out_.push_back(value); }
  void little(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) byte(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void code(OpCode code) {
    byte(static_cast<std::uint8_t>(
        std::find(kOperationTable.begin(), kOperationTable.end(), code) - kOperationTable.begin()));
  }
  void size(const Size& size) {
    if (!size.from_max) {
      byte(kSizeLiteral);
      little(std::min<std::uint64_t>(size.value, 0xffffffff), 4);
      return;
    }
    byte(kSizeFromMax);
    byte(kFromMaxLiteral);
    byte(static_cast<std::uint8_t>(std::clamp<std::uint64_t>(size.divisor, 1, 255)));
    little(static_cast<std::uint32_t>(static_cast<std::int32_t>(size.delta)), 4);
  }
  void alignment(std::uint64_t value) {
    byte(kAlignmentLiteral);
    little(value, 8);
  }
  std::uint32_t make(std::uint32_t trace_id) { return ids_[trace_id] = next_++; }
  bool known(std::uint32_t trace_id) const { return ids_.count(trace_id) != 0; }
  // A reference to a trace id made earlier (operations on other ids are skipped steps: they
  // are left out).
  void block(std::uint32_t trace_id) { decoded_block(ids_.at(trace_id)); }
  void decoded_block(std::uint32_t id) {
    const std::uint32_t back = next_ - 1 - id;
    if (back < 255) {
      byte(static_cast<std::uint8_t>(back));
    } else {
      byte(255);
      little(back, 2);
    }
  }

  void operation(const Operation& op) {
    const bool names_a_block = op.code == OpCode::realloc || op.code == OpCode::reallocate ||
                               op.code == OpCode::delete_block ||
                               op.code == OpCode::free || op.code == OpCode::free_again ||
                               op.code == OpCode::fill || op.code == OpCode::usable ||
                               op.code == OpCode::free_interior;
    if (names_a_block && !known(op.id)) return;
    switch (op.code) {
      case OpCode::malloc:
      case OpCode::realloc_null:
        code(op.code);
        size(op.size);
        make(op.id);
        return;
      case OpCode::malloc_range: {
        // Runs of at most 65 ids, in the range's order (the decoder numbers a downward run
        // from its top).
        std::vector<std::uint32_t> ids = op.range();
        const bool downwards = op.id > op.last;
        for (std::size_t start = 0; start < ids.size(); start += 65) {
          const std::size_t count = std::min<std::size_t>(65, ids.size() - start);
          if (count == 1 || op.step != 1) {
            for (std::size_t i = start; i < start + count; ++i) {
              code(OpCode::malloc);
              size(op.size);
              make(ids[i]);
            }
            continue;
          }
          code(OpCode::malloc_range);
          byte(static_cast<std::uint8_t>((count - 2) | (downwards ? 128 : 0)));
          size(op.size);
          const std::uint32_t first = next_;
          for (std::size_t i = 0; i < count; ++i) {
            ids_[ids[start + i]] = downwards ? first + static_cast<std::uint32_t>(count - 1 - i)
                                             : first + static_cast<std::uint32_t>(i);
          }
          next_ += static_cast<std::uint32_t>(count);
        }
        return;
      }
      case OpCode::calloc:
        code(op.code);
        byte(kCountAnySize);
        size(op.count);
        size(op.size);
        make(op.id);
        return;
      case OpCode::realloc:
        code(op.code);
        block(op.id);
        size(op.size);
        return;
      case OpCode::reallocate:
        code(op.code);
        block(op.id);
        alignment(op.alignment);
        size(op.size);
        return;
      case OpCode::aligned_alloc:
      case OpCode::posix_memalign:
      case OpCode::memalign:
      case OpCode::new_block:
        code(op.code);
        alignment(op.alignment);
        size(op.size);
        make(op.id);
        return;
      case OpCode::delete_block:
        code(op.code);
        block(op.id);
        byte(0);  // explicit size and alignment
        size(op.size);
        alignment(op.alignment);
        return;
      case OpCode::free:
      case OpCode::free_again:
      case OpCode::fill:
      case OpCode::usable:
        code(op.code);
        block(op.id);
        return;
      case OpCode::free_range: {
        // The range's ids as renumbered, in order, cut into runs of equal strides of 1 to 4
        // (what a decoded range can express); a run of one is a plain free.
        std::vector<std::uint32_t> ids;
        for (std::uint32_t id : op.range()) {
          if (known(id)) ids.push_back(ids_.at(id));
        }
        for (std::size_t start = 0; start < ids.size();) {
          std::size_t end = start + 1;
          const std::int64_t stride =
              end < ids.size() ? std::int64_t{ids[end]} - std::int64_t{ids[start]} : 0;
          if (stride != 0 && stride >= -4 && stride <= 4) {
            while (end < ids.size() && std::int64_t{ids[end]} - std::int64_t{ids[end - 1]} == stride) {
              ++end;
            }
          }
          if (end - start == 1) {
            code(OpCode::free);
            decoded_block(ids[start]);
          } else {
            code(OpCode::free_range);
            decoded_block(ids[start]);
            decoded_block(ids[end - 1]);
            byte(static_cast<std::uint8_t>((stride < 0 ? -stride : stride) - 1));
          }
          start = end;
        }
        return;
      }
      case OpCode::free_interior:
        code(op.code);
        block(op.id);
        little(std::clamp<std::uint64_t>(op.offset, 1, 65535) - 1, 2);
        return;
      case OpCode::free_heap:
        code(op.code);
        if (op.offset > std::numeric_limits<std::int64_t>::max()) {  // below the base
          byte(240);
          little(std::min<std::uint64_t>(0 - op.offset, 0xffffffff), 4);
        } else {
          byte(128);
          little(std::min<std::uint64_t>(op.offset, 0xffffffff), 4);
        }
        return;
      case OpCode::refuse_grows:
        code(op.code);
        byte(static_cast<std::uint8_t>(std::clamp<std::uint64_t>(op.grows, 1, 8) - 1));
        return;
      case OpCode::free_null:
      case OpCode::usable_null:
      case OpCode::trim:
        code(op.code);
        return;
      case OpCode::expect: return;  // an assertion, not an operation: the bytes drop it
    }
  }

  std::vector<std::uint8_t> out_;
  std::map<std::uint32_t, std::uint32_t> ids_;  // trace id -> decoded id
  std::uint32_t next_ = 1;
};

}  // namespace

Trace decode(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  return Decoder(in).run();
}

std::vector<std::uint8_t> encode(const Trace& trace) { return Encoder().run(trace); }

}  // namespace alligator::properties::fuzz
