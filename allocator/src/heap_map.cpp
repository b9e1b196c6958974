// The heap map writer (alligator/heap_map.hpp): HTML with one inline SVG, from walk() and stats().
//
// Two walks. The first sums the heap up (totals, largest free run, classes) and fingerprints it;
// the second draws it and fingerprints it again. Drawing streams: spans arrive in address order,
// are cut into cells of `slots_per_cell` slots on rows of fixed address space, and adjacent cells
// that look the same and belong together (one span, or uniform aggregates) become one <rect>. Nothing
// here allocates: text goes through a fixed buffer to the caller's write function, and all state
// is a few fixed-size structs on the stack.
//
// Assumptions: the walk reports spans in address order, contiguous from the heap's first byte,
// each a whole number of 2 KiB slots (allocator/README.md, "Observable state"). A gap ends the
// drawing's accuracy, so it is reported on the page and fails the map.
#include <alligator/heap_map.hpp>
#include <alligator/shim/memory_source.hpp>
#include <alligator/size_classes.hpp>

#include "cold_code.hpp"

#include <cstdint>
#include <cstring>

ALLIGATOR_MINSIZE_BEGIN
namespace alligator {
namespace {

constexpr std::uint64_t kSlotBytes = kMiniPageSize;
constexpr std::uint64_t kSlotsPerWasmPage = kWasmPageSize / kMiniPageSize;
constexpr unsigned kRowWidthPx = 1024;
constexpr std::uint64_t kMaxCells = 16384;  // at most 64 rows of 256 cells
constexpr std::uint64_t kWideCellSlots = 2048;  // heaps up to 4 MiB get 8-px cells, 128 a row
constexpr unsigned kRowPx = 18;
constexpr unsigned kRowGap = 6;
constexpr unsigned kLeftPx = 150;  // row labels
constexpr unsigned kTopPx = 30;    // the wasm-page scale

// What a slot holds, as drawn. `kept` is memory the heap holds for reuse without it being free:
// spare spans and spare MiniPages.
enum Category : unsigned { kMetadata, kFree, kKept, kLarge, kMini, kForeign, kCategories };
const char* const kCategoryNames[kCategories] = {"metadata", "free", "kept", "large blocks",
                                                 "MiniPages", "foreign"};
const char* const kCategoryCss[kCategories] = {"m", "f", "k", "l", "p", "x"};

Category category_of(const SpanView& span) {
  switch (span.kind) {
    case SpanKind::metadata: return kMetadata;
    case SpanKind::free: return kFree;
    case SpanKind::spare: return kKept;
    case SpanKind::large: return kLarge;
    case SpanKind::mini_page: return span.spare ? kKept : kMini;
    default: return kForeign;
  }
}

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
  hash ^= value + 0x9E3779B97F4A7C15ull + (hash << 6) + (hash >> 2);
  return hash * 0xFF51AFD7ED558CCDull;
}

std::uint64_t fingerprint(std::uint64_t hash, const SpanView& span) {
  hash = mix(hash, static_cast<std::uint64_t>(span.kind));
  hash = mix(hash, reinterpret_cast<std::uintptr_t>(span.start));
  hash = mix(hash, span.bytes);
  hash = mix(hash, span.size_class);
  hash = mix(hash, span.live_segments);
  hash = mix(hash, (span.current ? 1u : 0u) | (span.spare ? 2u : 0u) | (span.owned ? 4u : 0u));
  for (std::uint64_t word : span.bitmap) hash = mix(hash, word);
  return hash;
}

// Text output through a fixed buffer.
class Out {
 public:
  Out(HeapMapWrite write, void* context) : write_(write), context_(context) {}

  Out& operator<<(const char* text) { return put(text, std::strlen(text)); }
  Out& put(const char* text, std::size_t length) {
    while (length > 0) {
      if (used_ == sizeof buffer_) flush();
      std::size_t piece = sizeof buffer_ - used_;
      if (piece > length) piece = length;
      std::memcpy(buffer_ + used_, text, piece);
      used_ += piece;
      text += piece;
      length -= piece;
    }
    return *this;
  }
  Out& number(std::uint64_t value) {
    char text[20];  // 2^64 - 1 has 20 digits
    std::size_t first = sizeof text;
    do {
      text[--first] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    return put(text + first, sizeof text - first);
  }
  // Thousands separated, for reading: 1,234,567.
  Out& grouped(std::uint64_t value) {
    if (value >= 1000) {
      grouped(value / 1000);
      std::uint64_t rest = value % 1000;
      char text[4] = {',', static_cast<char>('0' + rest / 100),
                      static_cast<char>('0' + rest / 10 % 10), static_cast<char>('0' + rest % 10)};
      return put(text, 4);
    }
    return number(value);
  }
  Out& hex(std::uint64_t value) {
    char text[18] = {'0', 'x'};
    std::size_t n = 2;
    for (int shift = value > 0xFFFFFFFFull ? 60 : 28; shift >= 0; shift -= 4) {
      text[n++] = "0123456789abcdef"[(value >> shift) & 15];
    }
    return put(text, n);
  }
  // Thousandths as a decimal, its fraction only when there is one: 12, 12.375
  Out& thousandths(std::uint64_t value) {
    number(value / 1000);
    if (value % 1000 == 0) return *this;
    char fraction[4] = {'.', static_cast<char>('0' + value / 100 % 10),
                        static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
    return put(fraction, 4);
  }
  // One decimal: 12.5
  Out& tenths(std::uint64_t tenths) {
    number(tenths / 10);
    char text[2] = {'.', static_cast<char>('0' + tenths % 10)};
    return put(text, 2);
  }
  Out& percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) return *this << "-";
    return tenths((part * 1000 + whole / 2) / whole) << "%";
  }
  Out& bytes(std::uint64_t value) {
    static const char* const units[] = {" KiB", " MiB", " GiB"};
    if (value < 1024) return number(value) << " B";
    std::uint64_t scale = 1024;
    unsigned unit = 0;
    while (unit < 2 && value >= scale * 1024) {
      scale *= 1024;
      ++unit;
    }
    return tenths((value * 10 + scale / 2) / scale) << units[unit];
  }
  // Text from outside (the title): escaped for HTML.
  Out& escaped(const char* text) {
    for (; *text != '\0'; ++text) {
      switch (*text) {
        case '<': *this << "&lt;"; break;
        case '>': *this << "&gt;"; break;
        case '&': *this << "&amp;"; break;
        case '"': *this << "&quot;"; break;
        default: put(text, 1);
      }
    }
    return *this;
  }

  void flush() {
    if (used_ > 0 && ok_) ok_ = write_(buffer_, used_, context_);
    used_ = 0;
  }
  bool ok() const { return ok_; }

 private:
  HeapMapWrite write_;
  void* context_;
  bool ok_ = true;
  std::size_t used_ = 0;
  char buffer_[2048];
};

// The first walk's totals.
struct Summary {
  std::uintptr_t base = 0;
  std::uint64_t slots = 0;
  std::uint64_t spans = 0;
  bool contiguous = true;
  std::uint64_t fingerprint = 0;
  std::uint64_t bytes[kCategories] = {};
  std::uint64_t count[kCategories] = {};
  std::uint64_t largest_free = 0;
  std::uint64_t largest_large = 0;
  std::uint64_t spare_span_bytes = 0, spare_spans = 0;
  std::uint64_t spare_pages = 0;
  std::uint64_t spare_page_bytes = 0;  // MiniPages span k_c slots
  std::uint64_t small_in_use = 0;  // class size x live Segments
  std::uint64_t pages_per_class[kClassCount] = {};
  std::uint64_t live_per_class[kClassCount] = {};
  std::uint64_t segments_per_class[kClassCount] = {};
  std::uint64_t spare_per_class[kClassCount] = {};

  void add(const SpanView& span) {
    auto start = reinterpret_cast<std::uintptr_t>(span.start);
    if (spans == 0) base = start;
    if (start != base + slots * kSlotBytes) contiguous = false;
    ++spans;
    slots += span.bytes / kSlotBytes;
    fingerprint = ::alligator::fingerprint(fingerprint, span);
    Category category = category_of(span);
    bytes[category] += span.bytes;
    ++count[category];
    if (span.kind == SpanKind::free && span.bytes > largest_free) largest_free = span.bytes;
    if (span.kind == SpanKind::large && span.bytes > largest_large) largest_large = span.bytes;
    if (span.kind == SpanKind::spare) {
      spare_span_bytes += span.bytes;
      ++spare_spans;
    }
    if (span.kind == SpanKind::mini_page && span.size_class < kClassCount) {
      ++pages_per_class[span.size_class];
      live_per_class[span.size_class] += span.live_segments;
      segments_per_class[span.size_class] += span.segments;
      small_in_use += std::uint64_t{span.live_segments} * class_size(span.size_class);
      if (span.spare) {
        ++spare_pages;
        spare_page_bytes += span.bytes;
        ++spare_per_class[span.size_class];
      }
    }
  }

  // The wasm page a slot lies in, counting the page the heap began in as 0: the heap may begin
  // inside a page (at a program's __heap_base), so its slots and pages do not line up.
  std::uint64_t wasm_page_of(std::uint64_t slot) const {
    return (base % kWasmPageSize + slot * kSlotBytes) / kWasmPageSize;
  }
};

// Where cells go: rows of `columns` cells of `slots_per_cell` slots, `cell_px` wide.
struct Geometry {
  explicit Geometry(std::uint64_t slots) {
    if (slots <= kWideCellSlots) {
      columns = 128;
      cell_px = 8;
    }
    while ((slots + slots_per_cell - 1) / slots_per_cell > kMaxCells) slots_per_cell *= 2;
    cells = (slots + slots_per_cell - 1) / slots_per_cell;
    rows = static_cast<unsigned>((cells + columns - 1) / columns);
  }
  std::uint64_t row_slots() const { return columns * slots_per_cell; }
  unsigned row_y(unsigned row) const { return kTopPx + row * (kRowPx + kRowGap); }

  std::uint64_t slots_per_cell = 1;
  unsigned columns = kRowWidthPx / 4;
  unsigned cell_px = 4;
  std::uint64_t cells = 0;
  unsigned rows = 0;
};

// Colours: one hue per class (red to magenta), lighter when emptier.
unsigned class_hue(unsigned size_class) { return size_class * 300 / (kClassCount - 1); }
unsigned shade_lightness(unsigned shade) { return 80 - shade * 45 / 10; }  // shade 0..10: empty..full

// One cell of the drawing: `slots` slots from `first`, and what they hold.
struct Cell {
  std::uint64_t first = 0;
  std::uint64_t slots = 0;
  std::uint64_t filled = 0;  // slots accounted so far
  std::uint64_t count[kCategories] = {};
  std::uint64_t spans_started = 0;
  // MiniPages (not kept):
  std::uint64_t pages = 0, live = 0, segments = 0, live_bytes = 0, fullness_permille = 0;
  std::uint32_t pages_per_class[kClassCount] = {};
  // When one span covers the whole cell: that span.
  bool single = false;
  SpanView span;
  std::uint64_t span_first = 0, span_slots = 0;
  // A MiniPage that began in the cell before: counted there too, so a merge counts it once.
  bool carries_page = false;
  SpanView carried;

  void add(const SpanView& whole, std::uint64_t whole_first, std::uint64_t slots_here) {
    Category category = category_of(whole);
    if (filled == 0 && slots_here == slots) {
      single = true;
      span = whole;
      span_first = whole_first;
      span_slots = whole.bytes / kSlotBytes;
    }
    if (whole_first >= first) ++spans_started;
    count[category] += slots_here;
    filled += slots_here;
    if (category == kMini && whole.size_class < kClassCount && whole.segments > 0) {
      count_page(whole, 1);
      if (whole_first < first) {
        carries_page = true;
        carried = whole;
      }
    }
  }
  // Adds (sign 1) or removes (-1) a MiniPage's share of the sums.
  void count_page(const SpanView& page, int sign) {
    auto signed_add = [sign](std::uint64_t& sum, std::uint64_t value) {
      sum = sign > 0 ? sum + value : sum - value;
    };
    signed_add(pages, 1);
    signed_add(live, page.live_segments);
    signed_add(segments, page.segments);
    signed_add(live_bytes, std::uint64_t{page.live_segments} * class_size(page.size_class));
    signed_add(fullness_permille, std::uint64_t{page.live_segments} * 1000 / page.segments);
    pages_per_class[page.size_class] = static_cast<std::uint32_t>(
        sign > 0 ? pages_per_class[page.size_class] + 1 : pages_per_class[page.size_class] - 1);
  }
  void merge(const Cell& other) {
    slots += other.slots;
    filled += other.filled;
    for (unsigned c = 0; c < kCategories; ++c) count[c] += other.count[c];
    spans_started += other.spans_started;
    pages += other.pages;
    live += other.live;
    segments += other.segments;
    live_bytes += other.live_bytes;
    fullness_permille += other.fullness_permille;
    for (unsigned c = 0; c < kClassCount; ++c) pages_per_class[c] += other.pages_per_class[c];
    // `other` follows this range, so a MiniPage it carries in is this range's last one.
    if (other.carries_page) count_page(other.carried, -1);
  }
};

// How a cell is drawn; cells that look alike may share one rect.
struct Look {
  Category category = kFree;
  unsigned size_class = 0;
  unsigned shade = 0;
  bool operator==(const Look&) const = default;
};

Look look_of(const Cell& cell) {
  // What fills most of the cell; ties go to what is rarer to see (blocks over free memory).
  static const Category order[kCategories] = {kLarge, kMini, kKept, kMetadata, kForeign, kFree};
  Look look;
  std::uint64_t best = 0;
  for (Category c : order) {
    if (cell.count[c] > best) {
      best = cell.count[c];
      look.category = c;
    }
  }
  if (look.category == kMini && cell.pages > 0) {
    unsigned top = 0;
    for (unsigned c = 1; c < kClassCount; ++c) {
      if (cell.pages_per_class[c] > cell.pages_per_class[top]) top = c;
    }
    look.size_class = top;
    look.shade = static_cast<unsigned>((cell.fullness_permille / cell.pages + 50) / 100);
  }
  return look;
}

// A cell holding one kind of thing only (one class, for MiniPages): such cells may merge.
bool uniform(const Cell& cell, const Look& look) {
  if (cell.count[look.category] != cell.slots) return false;
  return look.category != kMini || cell.pages_per_class[look.size_class] == cell.pages;
}

class Drawer {
 public:
  Drawer(Out& out, const Summary& summary, const Geometry& geometry)
      : out_(out), summary_(summary), geometry_(geometry), slots_per_cell_(geometry.slots_per_cell) {}

  void add(const SpanView& span) {
    fingerprint_ = ::alligator::fingerprint(fingerprint_, span);
    auto start = reinterpret_cast<std::uintptr_t>(span.start);
    std::uint64_t first = (start - summary_.base) / kSlotBytes;
    std::uint64_t slots = span.bytes / kSlotBytes;
    if (start != summary_.base + next_ * kSlotBytes || first + slots > summary_.slots) {
      broken_ = true;  // not the heap the summary saw: stop drawing, report
      return;
    }
    std::uint64_t done = 0;
    while (done < slots && !broken_) {
      if (cell_.filled == cell_.slots) open_cell(first + done);
      std::uint64_t here = cell_.slots - cell_.filled;
      if (here > slots - done) here = slots - done;
      cell_.add(span, first, here);
      done += here;
      if (cell_.filled == cell_.slots) close_cell();
    }
    next_ = first + slots;
  }
  // Call after the walk.
  void finish() {
    if (cell_.filled != cell_.slots) broken_ = true;
    flush_rect();
  }
  std::uint64_t fingerprint() const { return fingerprint_; }
  bool broken() const { return broken_ || next_ != summary_.slots; }

 private:
  void open_cell(std::uint64_t first) {
    cell_ = Cell{};
    cell_.first = first;
    cell_.slots = summary_.slots - first < slots_per_cell_ ? summary_.slots - first : slots_per_cell_;
  }

  void close_cell() {
    std::uint64_t index = cell_.first / slots_per_cell_;
    auto row = static_cast<unsigned>(index / geometry_.columns);
    auto column = static_cast<unsigned>(index % geometry_.columns);
    Look look = look_of(cell_);
    bool joins = rect_active_ && rect_row_ == row && look == rect_look_ &&
                 (cell_.single ? rect_.single && rect_.span_first == cell_.span_first
                               : !rect_.single && uniform(cell_, look) && uniform(rect_, look));
    if (joins) {
      rect_.merge(cell_);
      rect_width_ += width_of(cell_);
      return;
    }
    flush_rect();
    rect_active_ = true;
    rect_ = cell_;
    rect_row_ = row;
    rect_x_ = column * geometry_.cell_px;
    rect_width_ = width_of(cell_);
    rect_look_ = look;
  }

  // A cell's width in px as a decimal with three places (a partial last cell is narrower).
  std::uint64_t width_of(const Cell& cell) const {
    return cell.slots * geometry_.cell_px * 1000 / slots_per_cell_;
  }

  void flush_rect() {
    if (!rect_active_) return;
    rect_active_ = false;
    const Cell& r = rect_;
    out_ << "<rect x=\"";
    out_.number(kLeftPx + rect_x_) << "\" y=\"";
    out_.number(geometry_.row_y(rect_row_)) << "\" width=\"";
    out_.thousandths(rect_width_) << "\" height=\"";
    out_.number(kRowPx) << "\" class=\"" << kCategoryCss[rect_look_.category];
    if (r.single) out_ << " s";
    out_ << "\"";
    if (rect_look_.category == kMini) {
      out_ << " fill=\"hsl(";
      out_.number(class_hue(rect_look_.size_class)) << ",70%,";
      out_.number(shade_lightness(rect_look_.shade)) << "%)\"";
    }
    out_ << " data-bytes=\"";
    out_.number(r.slots * kSlotBytes) << "\"><title>";
    describe(r);
    out_ << "</title></rect>\n";
  }

  void address_range(std::uint64_t first, std::uint64_t slots) {
    out_.hex(summary_.base + first * kSlotBytes) << "-";
    out_.hex(summary_.base + (first + slots) * kSlotBytes - 1) << " (heap+";
    out_.hex(first * kSlotBytes) << ", wasm page ";
    out_.number(summary_.wasm_page_of(first)) << "): ";
    out_.bytes(slots * kSlotBytes);
  }

  void describe(const Cell& r) {
    if (r.single) {
      const SpanView& s = r.span;
      switch (category_of(s)) {
        case kMetadata:
          out_ << "metadata (slot 0, or the table: apron, MiniPages' bitmaps, slot records)";
          break;
        case kFree: out_ << "free run"; break;
        case kLarge: out_ << "large block"; break;
        case kForeign: out_ << "foreign memory"; break;
        case kKept:
          out_ << (s.kind == SpanKind::spare ? "kept: spare span (a freed large block kept for "
                                               "reuse)"
                                             : "kept: spare MiniPage of class ");
          if (s.kind == SpanKind::mini_page) out_.number(class_size(s.size_class)) << " (empty)";
          break;
        case kMini:
          out_ << "MiniPage, class ";
          out_.number(class_size(s.size_class)) << " bytes: ";
          out_.number(s.live_segments) << " of ";
          out_.number(s.segments) << " Segments live (";
          out_.percent(s.live_segments, s.segments) << ")";
          if (s.current) out_ << ", current";
          if (s.owned) out_ << ", a thread cache's";
          break;
        default: break;
      }
      out_ << "\n";
      address_range(r.span_first, r.span_slots);
      out_ << " (";
      out_.grouped(r.span_slots) << (r.span_slots == 1 ? " slot)" : " slots)");
      if (r.span_slots != r.slots) {
        out_ << "\nthis part: ";
        address_range(r.first, r.slots);
      }
      return;
    }
    address_range(r.first, r.slots);
    out_ << ", ";
    out_.grouped(r.spans_started) << " span(s) start here";
    for (unsigned c = 0; c < kCategories; ++c) {
      if (r.count[c] == 0) continue;
      out_ << "\n" << kCategoryNames[c] << ": ";
      out_.bytes(r.count[c] * kSlotBytes) << " (";
      out_.percent(r.count[c], r.slots) << ")";
      if (c == kMini && r.pages > 0) {
        out_ << ", ";
        out_.grouped(r.pages) << " MiniPages, ";
        out_.grouped(r.live) << " of ";
        out_.grouped(r.segments) << " Segments live (";
        out_.percent(r.live, r.segments) << "), ";
        out_.bytes(r.live_bytes) << " in use; classes";
        for (unsigned k = 0; k < kClassCount; ++k) {
          if (r.pages_per_class[k] == 0) continue;
          out_ << " ";
          out_.number(class_size(k)) << "x";
          out_.number(r.pages_per_class[k]);
        }
      }
    }
  }

  Out& out_;
  const Summary& summary_;
  const Geometry& geometry_;
  std::uint64_t slots_per_cell_;
  std::uint64_t next_ = 0;  // the slot the next span must start at
  std::uint64_t fingerprint_ = 0;
  bool broken_ = false;
  Cell cell_;
  bool rect_active_ = false;
  Cell rect_;
  unsigned rect_row_ = 0, rect_x_ = 0;
  std::uint64_t rect_width_ = 0;  // px x 1000
  Look rect_look_;
};

const char kHead[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<script>window.mapErrors=[];window.onerror=function(m){window.mapErrors.push(String(m));}"
    "</script>\n<style>\n"
    "body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}\n"
    "h1{font-size:18px;margin:0 0 8px}p{margin:4px 0}.glance{font-size:14px;margin:8px 0}\n"
    "table{border-collapse:collapse;margin:4px 0 10px}\n"
    "td,th{padding:1px 8px;text-align:right;border-bottom:1px solid #eee}\n"
    "th:first-child,td:first-child,td:last-child{text-align:left}\n"
    ".cols{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start}\n"
    ".legend{font-size:12px}.legend span.sw{display:inline-block;width:11px;height:11px;"
    "margin:0 2px 0 6px;"
    "vertical-align:middle;border:1px solid #bbb}\n"
    "svg text{font:11px monospace;fill:#444}\n"
    "rect.m{fill:#1b1b1b}rect.f{fill:#fbfbfb}rect.k{fill:url(#kept)}rect.l{fill:#50657d}"
    "rect.x{fill:#9e9e9e}\n"
    "rect.s{stroke:#fff;stroke-width:.5}rect.f.s{stroke:none}\n"
    "rect:hover{stroke:#000;stroke-width:1.5}\n"
    ".rowbg{fill:#fbfbfb;stroke:#ccc;stroke-width:.5}\n"
    ".tick{stroke:#888;stroke-width:.5;stroke-dasharray:2 3;pointer-events:none}\n"
    "#self-check[data-status=ok]{color:#2a7a2a}#self-check[data-status=mismatch]{color:#b00}\n"
    "</style>\n";

const char kScript[] =
    "<script>\n"
    "// Self-check: the regions drawn add up to the heap, by their attributes and as rendered.\n"
    "(function(){\n"
    "var svg=document.getElementById('heap'),out=document.getElementById('self-check');\n"
    "var heap=Number(svg.dataset.heapBytes),perPx=Number(svg.dataset.bytesPerPx);\n"
    "var listed=0,drawn=0,off=0,rects=svg.querySelectorAll('rect[data-bytes]');\n"
    "rects.forEach(function(r){var b=Number(r.dataset.bytes),w=r.getBBox().width*perPx;\n"
    "listed+=b;drawn+=Math.round(w/2048)*2048;if(Math.abs(w-b)>perPx/2)off++;});\n"
    "var ok=listed===heap&&drawn===heap&&off===0&&window.mapErrors.length===0;\n"
    "out.dataset.drawnBytes=drawn;out.dataset.rects=rects.length;"
    "out.dataset.status=ok?'ok':'mismatch';\n"
    "out.textContent='self-check: '+rects.length+' regions drawn, '+drawn+' bytes of '+heap+"
    "(ok?': they add up':': MISMATCH'+(off?' ('+off+' regions drawn at the wrong width)':'')+"
    "(window.mapErrors.length?' '+window.mapErrors.join('; '):''));\n"
    "})();\n</script>\n";

void legend(Out& out) {
  out << "<div class=\"legend\"><b>Legend</b>"
         "<span class=\"sw\" style=\"background:#1b1b1b\"></span>metadata"
         "<span class=\"sw\" style=\"background:#fbfbfb\"></span>free"
         "<span class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#e09a00 0 2px,"
         "#fde7b0 2px 5px)\"></span>kept (spare spans, spare MiniPages)"
         "<span class=\"sw\" style=\"background:#50657d\"></span>large block"
         "<span class=\"sw\" style=\"background:#9e9e9e\"></span>foreign"
         "<br>MiniPages, one hue per class (bytes), darker when fuller: empty"
         "<span class=\"sw\" style=\"background:linear-gradient(90deg,hsl(0,70%,80%),"
         "hsl(0,70%,35%))\"></span>full; classes:";
  for (unsigned c = 0; c < kClassCount; ++c) {
    out << "<span class=\"sw\" style=\"background:hsl(";
    out.number(class_hue(c)) << ",70%,50%)\"></span>";
    out.number(class_size(c));
  }
  out << "</div>\n";
}

// One line above the map: where the memory is.
void at_a_glance(Out& out, const Summary& s, const HeapStats& stats) {
  const std::uint64_t heap = s.slots * kSlotBytes;
  out << "<p class=\"glance\"><b>In use</b> ";
  out.bytes(stats.bytes_in_use) << " (";
  out.percent(stats.bytes_in_use, heap) << ") &middot; <b>free</b> ";
  out.bytes(s.bytes[kFree]) << " in ";
  out.grouped(s.count[kFree]) << " runs, the largest ";
  out.bytes(s.largest_free) << " &middot; <b>kept</b> ";
  out.bytes(s.bytes[kKept]) << " &middot; <b>metadata</b> ";
  out.bytes(s.bytes[kMetadata]) << " (";
  out.percent(s.bytes[kMetadata], heap) << ") &middot; MiniPages ";
  out.bytes(s.bytes[kMini]) << ", ";
  out.percent(s.small_in_use, s.bytes[kMini]) << " in use</p>\n";
}

void summary_tables(Out& out, const Summary& s, const HeapStats& stats) {
  const std::uint64_t heap = s.slots * kSlotBytes;
  auto row = [&](const char* name, std::uint64_t bytes, const char* note) -> Out& {
    out << "<tr><td>" << name << "</td><td>";
    out.bytes(bytes) << "</td><td>";
    out.percent(bytes, heap) << "</td><td>" << note;
    return out;
  };
  out << "<div class=\"cols\" style=\"margin-top:12px\"><div><b>Heap</b><table>"
         "<tr><th></th><th>bytes</th><th>of heap</th><th></th></tr>\n";
  row("heap", heap, "");
  out.grouped(stats.wasm_pages) << " wasm pages taken, ";
  out.grouped(s.slots) << " slots of 2 KiB, from ";
  out.hex(s.base) << "</td></tr>\n";
  row("in use", stats.bytes_in_use, "");
  out.grouped(stats.live_blocks) << " live blocks: ";
  out.bytes(s.small_in_use) << " small, ";
  out.bytes(stats.bytes_in_use - s.small_in_use) << " in ";
  out.grouped(stats.large_blocks) << " large</td></tr>\n";
  row("MiniPages", s.bytes[kMini], "");
  out.grouped(s.count[kMini]) << " in use or current, ";
  out.bytes(s.bytes[kMini] + s.spare_page_bytes - s.small_in_use)
      << " of all MiniPages not in use (free Segments, rounding)</td></tr>\n";
  row("large blocks", s.bytes[kLarge], "");
  out.grouped(s.count[kLarge]) << ", largest ";
  out.bytes(s.largest_large) << "</td></tr>\n";
  row("free", s.bytes[kFree], "");
  out.grouped(s.count[kFree]) << " runs; largest run ";
  out.bytes(s.largest_free) << " = ";
  out.percent(s.largest_free, s.bytes[kFree]) << " of free</td></tr>\n";
  row("kept", s.bytes[kKept], "");
  out.grouped(s.spare_spans) << " spare spans (";
  out.bytes(s.spare_span_bytes) << "), ";
  out.grouped(s.spare_pages) << " spare MiniPages</td></tr>\n";
  row("metadata", s.bytes[kMetadata], "");
  out << "in ";
  out.grouped(s.count[kMetadata]) << " span(s)</td></tr>\n";
  if (s.bytes[kForeign] != 0) row("foreign", s.bytes[kForeign], "</td></tr>\n");
  out << "</table></div>\n<div><b>Blocks per class</b><table><tr><th>class</th><th>blocks</th>"
         "<th>MiniPages</th><th>spare</th><th>full</th><th>in use</th></tr>\n";
  for (unsigned c = 0; c < kClassCount; ++c) {
    if (s.pages_per_class[c] == 0) continue;
    out << "<tr><td>";
    out.number(class_size(c)) << "</td><td>";
    out.grouped(s.live_per_class[c]) << "</td><td>";
    out.grouped(s.pages_per_class[c]) << "</td><td>";
    out.grouped(s.spare_per_class[c]) << "</td><td>";
    out.percent(s.live_per_class[c], s.segments_per_class[c]) << "</td><td>";
    out.bytes(s.live_per_class[c] * class_size(c)) << "</td></tr>\n";
  }
  out << "</table></div></div>\n";
}

// Row labels and the wasm-page scale: ticks every `step` wasm pages along each row.
void scale(Out& out, const Geometry& g, const Summary& summary) {
  const std::uint64_t pages_per_row = g.row_slots() / kSlotsPerWasmPage;
  std::uint64_t step = 1;
  while (pages_per_row / step > 16) step *= 2;
  const std::uint64_t px_per_page = kSlotsPerWasmPage * g.cell_px / g.slots_per_cell;
  out << "<text x=\"0\" y=\"12\">wasm page, +offset</text>\n";
  for (std::uint64_t page = 0; page <= pages_per_row; page += step) {
    const std::uint64_t x = kLeftPx + page * px_per_page;
    out << "<text x=\"";
    out.number(x) << "\" y=\"";
    out.number(kTopPx - 8) << "\" text-anchor=\"middle\">+";
    out.number(page) << "</text><line class=\"tick\" x1=\"";
    out.number(x) << "\" x2=\"";
    out.number(x) << "\" y1=\"";
    out.number(kTopPx - 4) << "\" y2=\"";
    out.number(g.row_y(g.rows) - kRowGap) << "\"/>\n";
  }
  for (unsigned row = 0; row < g.rows; ++row) {
    const std::uint64_t first = row * g.row_slots();
    out << "<text x=\"0\" y=\"";
    out.number(g.row_y(row) + 13) << "\">p";
    out.number(summary.wasm_page_of(first)) << " +";
    out.hex(first * kSlotBytes) << "</text>\n";
  }
}

}  // namespace

bool write_heap_map(const HeapMapSource& source, HeapMapWrite write, void* context,
                    const char* title) {
  Out out(write, context);
  out << kHead << "<title>";
  out.escaped(title != nullptr ? title : "Alligator heap map") << "</title></head><body>\n";
  // Hand the head over before the first walk: a writer that allocates on first use (stdio's
  // buffer) does it now, outside the picture.
  out.flush();

  Summary summary;
  const HeapStats stats = source.stats(source.heap);
  source.walk(
      source.heap, [](const SpanView& span, void* s) { static_cast<Summary*>(s)->add(span); },
      &summary);
  const std::uint64_t heap = summary.slots * kSlotBytes;
  const Geometry g(summary.slots);

  out << "<h1>";
  out.escaped(title != nullptr ? title : "Alligator heap map") << "</h1>\n<p>";
  out.bytes(heap) << " of heap in ";
  out.grouped(summary.spans) << " spans, drawn in address order on rows of ";
  out.bytes(g.row_slots() * kSlotBytes) << " (";
  out.grouped(g.row_slots() / kSlotsPerWasmPage) << " wasm pages); one cell = ";
  out.bytes(g.slots_per_cell * kSlotBytes);
  out << (g.slots_per_cell == 1 ? " (one slot: a MiniPage of k slots is k cells)"
                              : ", coloured by what fills most of it")
      << ". Hover over a region for its details. <output id=\"self-check\">self-check: the "
         "script did not run</output></p>\n";
  // The heap is its wasm pages plus, at most, the rest of the page its memory began in.
  if (!summary.contiguous || heap / kWasmPageSize != stats.wasm_pages) {
    out << "<p style=\"color:#b00\">The walk covers ";
    out.grouped(heap) << " bytes in ";
    out << (summary.contiguous ? "one run" : "runs with gaps") << "; stats() reports ";
    out.grouped(stats.wasm_pages) << " wasm pages.</p>\n";
  }
  at_a_glance(out, summary, stats);
  legend(out);

  const unsigned width = kLeftPx + kRowWidthPx + 20;
  const unsigned height = g.row_y(g.rows) + 10;
  out << "<svg id=\"heap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"";
  out.number(width) << "\" height=\"";
  out.number(height) << "\" data-heap-bytes=\"";
  out.number(heap) << "\" data-bytes-per-px=\"";
  out.number(g.slots_per_cell * kSlotBytes / g.cell_px) << "\" data-slots-per-cell=\"";
  out.number(g.slots_per_cell)
      << "\">\n<defs><pattern id=\"kept\" width=\"5\" height=\"5\" "
         "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"5\" "
         "height=\"5\" fill=\"#fde7b0\"/><rect width=\"2\" height=\"5\" fill=\"#e09a00\"/>"
         "</pattern></defs>\n";
  for (unsigned row = 0; row < g.rows; ++row) {
    // As wide as the row's slots: a partial last cell is narrower, as its region is.
    const std::uint64_t row_slots =
        row + 1 < g.rows ? g.row_slots() : summary.slots - std::uint64_t{row} * g.row_slots();
    out << "<rect class=\"rowbg\" x=\"";
    out.number(kLeftPx) << "\" y=\"";
    out.number(g.row_y(row)) << "\" width=\"";
    out.thousandths(row_slots * g.cell_px * 1000 / g.slots_per_cell) << "\" height=\"";
    out.number(kRowPx) << "\"/>\n";
  }

  Drawer drawer(out, summary, g);
  source.walk(
      source.heap, [](const SpanView& span, void* d) { static_cast<Drawer*>(d)->add(span); },
      &drawer);
  drawer.finish();
  scale(out, g, summary);
  out << "</svg>\n";
  const bool same = !drawer.broken() && drawer.fingerprint() == summary.fingerprint;
  if (!same) {
    out << "<p style=\"color:#b00\">The heap changed while it was drawn (the output allocated "
           "from it?): this map is not one moment of the heap.</p>\n";
  }
  summary_tables(out, summary, stats);
  out << kScript << "</body></html>\n";
  out.flush();
  return out.ok() && same;
}

bool write_heap_map(const HeapMapSource& source, std::FILE* file, const char* title) {
  auto write = [](const char* text, std::size_t length, void* f) {
    return std::fwrite(text, 1, length, static_cast<std::FILE*>(f)) == length;
  };
  bool written = write_heap_map(source, write, file, title);
  return std::fflush(file) == 0 && written;
}

}  // namespace alligator
ALLIGATOR_MINSIZE_END
