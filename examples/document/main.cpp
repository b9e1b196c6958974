// A real program on the standard library's containers: builds a document of tens of thousands of
// records (a JSON-like tree of std::map, std::string and std::vector), serializes it to JSON,
// parses the text back, checks that the copy equals the original, mutates it (deletes, edits,
// grows lists, renames keys), builds a tag index, serializes again and prints a summary with
// checksums. Every step is deterministic, so the output depends only on the program, never on the
// allocator: ctest builds it twice (the target's own malloc, and Alligator's with
// alligator_new_delete) and compares the two outputs byte for byte.
//
// Built with ALLIGATOR_DOCUMENT_STATS, it also prints Alligator's stats to stderr (not compared)
// at its peak, proving Alligator served the allocations.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(ALLIGATOR_DOCUMENT_STATS)
#include <alligator/alligator.h>
#endif

namespace {

struct Value {
  enum class Kind { kNull, kBool, kInt, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, std::unique_ptr<Value>> object;

  static Value of(bool b) {
    Value v;
    v.kind = Kind::kBool;
    v.boolean = b;
    return v;
  }
  static Value of(std::int64_t i) {
    Value v;
    v.kind = Kind::kInt;
    v.integer = i;
    return v;
  }
  static Value of(std::string s) {
    Value v;
    v.kind = Kind::kString;
    v.string = std::move(s);
    return v;
  }
  static Value new_array() {
    Value v;
    v.kind = Kind::kArray;
    return v;
  }
  static Value new_object() {
    Value v;
    v.kind = Kind::kObject;
    return v;
  }
  Value& set(std::string key, Value value) {
    auto& slot = object[std::move(key)];
    slot = std::make_unique<Value>(std::move(value));
    return *slot;
  }
  Value* get(const std::string& key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : it->second.get();
  }
};

bool equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kNull: return true;
    case Value::Kind::kBool: return a.boolean == b.boolean;
    case Value::Kind::kInt: return a.integer == b.integer;
    case Value::Kind::kString: return a.string == b.string;
    case Value::Kind::kArray:
      if (a.array.size() != b.array.size()) return false;
      for (std::size_t i = 0; i < a.array.size(); ++i) {
        if (!equal(a.array[i], b.array[i])) return false;
      }
      return true;
    case Value::Kind::kObject: {
      if (a.object.size() != b.object.size()) return false;
      auto ia = a.object.begin();
      for (auto ib = b.object.begin(); ib != b.object.end(); ++ia, ++ib) {
        if (ia->first != ib->first || !equal(*ia->second, *ib->second)) return false;
      }
      return true;
    }
  }
  return false;
}

// --- serializing ---------------------------------------------------------------------------

void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void write(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull: out += "null"; break;
    case Value::Kind::kBool: out += v.boolean ? "true" : "false"; break;
    case Value::Kind::kInt: out += std::to_string(v.integer); break;
    case Value::Kind::kString: write_string(out, v.string); break;
    case Value::Kind::kArray: {
      out += '[';
      bool first = true;
      for (const Value& item : v.array) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      break;
    }
    case Value::Kind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.object) {
        if (!first) out += ',';
        first = false;
        write_string(out, key);
        out += ':';
        write(out, *item);
      }
      out += '}';
      break;
    }
  }
}

// --- parsing (the JSON this program writes; exits on anything else) ------------------------

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Value parse_document() {
    Value v = parse_value();
    if (position_ != text_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "document: parse error at %zu: %s\n", position_, what);
    std::exit(EXIT_FAILURE);
  }
  char peek() { return position_ < text_.size() ? text_[position_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail("unexpected character");
    ++position_;
  }
  bool consume(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  Value parse_value() {
    char c = peek();
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return Value::of(parse_string());
    if (c == '-' || (c >= '0' && c <= '9')) return parse_integer();
    if (consume("true")) return Value::of(true);
    if (consume("false")) return Value::of(false);
    if (consume("null")) return Value();
    fail("unexpected value");
  }

  Value parse_integer() {
    bool negative = peek() == '-';
    if (negative) ++position_;
    std::int64_t magnitude = 0;
    std::size_t digits = 0;
    while (peek() >= '0' && peek() <= '9') {
      magnitude = magnitude * 10 + (text_[position_++] - '0');
      ++digits;
    }
    if (digits == 0) fail("expected digits");
    return Value::of(negative ? -magnitude : magnitude);
  }

  std::string parse_string() {
    expect('"');
    std::string s;
    for (;;) {
      if (position_ >= text_.size()) fail("unterminated string");
      char c = text_[position_++];
      if (c == '"') return s;
      if (c != '\\') {
        s += c;
        continue;
      }
      char escaped = peek();
      ++position_;
      switch (escaped) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case 'n': s += '\n'; break;
        case 't': s += '\t'; break;
        case 'u': {
          if (position_ + 4 > text_.size()) fail("short \\u escape");
          s += static_cast<char>(std::strtol(std::string(text_.substr(position_, 4)).c_str(),
                                             nullptr, 16));
          position_ += 4;
          break;
        }
        default: fail("unknown escape");
      }
    }
  }

  Value parse_array() {
    expect('[');
    Value v = Value::new_array();
    if (peek() == ']') {
      ++position_;
      return v;
    }
    for (;;) {
      v.array.push_back(parse_value());
      if (peek() == ']') break;
      expect(',');
    }
    ++position_;
    return v;
  }

  Value parse_object() {
    expect('{');
    Value v = Value::new_object();
    if (peek() == '}') {
      ++position_;
      return v;
    }
    for (;;) {
      std::string key = parse_string();
      expect(':');
      v.set(std::move(key), parse_value());
      if (peek() == '}') break;
      expect(',');
    }
    ++position_;
    return v;
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

// --- building and changing the document ----------------------------------------------------

// xorshift64*: the same numbers on every target.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

const char* const kSyllables[] = {"ka", "lo", "mi", "ter", "zu", "an", "bel", "sor",
                                  "vi", "qua", "ne", "ru", "dax", "ple", "om", "fi"};

std::string word(Random& random, std::size_t syllables) {
  std::string w;
  for (std::size_t i = 0; i < syllables; ++i) w += kSyllables[random.below(16)];
  return w;
}

constexpr std::int64_t kRecords = 20000;

Value build(Random& random) {
  Value root = Value::new_object();
  root.set("title", Value::of(std::string("Alligator's document \"store\"\n\twith escapes")));
  root.set("version", Value::of(std::int64_t{3}));
  Value& records = root.set("records", Value::new_array());
  for (std::int64_t id = 0; id < kRecords; ++id) {
    Value record = Value::new_object();
    record.set("id", Value::of(id));
    record.set("name", Value::of(word(random, 2 + random.below(6))));
    record.set("score", Value::of(static_cast<std::int64_t>(random.below(2000001)) - 1000000));
    record.set("active", Value::of(random.below(3) != 0));
    Value tags = Value::new_array();
    for (std::uint64_t t = 0, n = 1 + random.below(6); t < n; ++t) {
      tags.array.push_back(Value::of(word(random, 1 + random.below(2))));
    }
    record.set("tags", std::move(tags));
    Value address = Value::new_object();
    address.set("city", Value::of(word(random, 3)));
    address.set("street", Value::of(word(random, 4) + " " + std::to_string(random.below(999))));
    if (random.below(4) == 0) address.set("note", Value());
    record.set("address", std::move(address));
    Value history = Value::new_array();
    for (std::uint64_t h = 0, n = random.below(20); h < n; ++h) {
      history.array.push_back(Value::of(static_cast<std::int64_t>(random.below(100000))));
    }
    record.set("history", std::move(history));
    records.array.push_back(std::move(record));
  }
  return root;
}

void mutate(Value& root, Random& random) {
  std::vector<Value>& records = root.get("records")->array;
  // Delete every seventh record (moves every later one: a vector's erase shuffles memory).
  std::vector<Value> kept;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i % 7 != 3) kept.push_back(std::move(records[i]));
  }
  records = std::move(kept);
  for (std::size_t i = 0; i < records.size(); ++i) {
    Value& record = records[i];
    if (i % 3 == 0) record.get("tags")->array.push_back(Value::of(word(random, 3)));
    if (i % 5 == 0) {
      auto& history = record.get("history")->array;
      for (int h = 0; h < 25; ++h) history.push_back(Value::of(static_cast<std::int64_t>(h * 11)));
    }
    if (i % 11 == 0) {  // rename a key: erase and re-insert under another name
      auto node = record.object.extract("name");
      node.key() = "full_name";
      node.mapped()->string += " " + word(random, 2);
      record.object.insert(std::move(node));
    }
    if (i % 13 == 0) record.object.erase("address");
    Value* score = record.get("score");
    score->integer = score->integer / 2 + static_cast<std::int64_t>(i);
  }
  root.get("version")->integer += 1;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void print_alligator_stats([[maybe_unused]] const char* when) {
#if defined(ALLIGATOR_DOCUMENT_STATS)
  alligator_stats stats{};
  alligator_get_stats(&stats);
  std::fprintf(stderr,
               "alligator (%s): %zu live blocks, %zu bytes in use, %zu MiniPages, %zu large "
               "blocks, %zu wasm pages\n",
               when, stats.live_blocks, stats.bytes_in_use, stats.mini_pages,
               stats.large_blocks, stats.wasm_pages);
#endif
}

}  // namespace

int main() {
  Random random(20240601);
  Value original = build(random);
  std::string text;
  write(text, original);
  std::printf("built %lld records; JSON %zu bytes, fnv1a %016llx\n",
              static_cast<long long>(kRecords), text.size(),
              static_cast<unsigned long long>(fnv1a(text)));

  Value parsed = Parser(text).parse_document();
  bool same = equal(original, parsed);
  std::printf("parsed back: %s\n", same ? "equal to the original" : "DIFFERENT");
  print_alligator_stats("two documents live");
  if (!same) return EXIT_FAILURE;
  original = Value();  // free the first tree

  mutate(parsed, random);
  std::string mutated;
  write(mutated, parsed);
  std::printf("mutated: %zu records; JSON %zu bytes, fnv1a %016llx\n",
              parsed.get("records")->array.size(), mutated.size(),
              static_cast<unsigned long long>(fnv1a(mutated)));

  // An index: tag -> ids of the records that carry it.
  std::map<std::string, std::vector<std::int64_t>> by_tag;
  std::int64_t score_sum = 0, active = 0, history_items = 0;
  for (Value& record : parsed.get("records")->array) {
    std::int64_t id = record.get("id")->integer;
    for (const Value& tag : record.get("tags")->array) by_tag[tag.string].push_back(id);
    score_sum += record.get("score")->integer;
    active += record.get("active")->boolean ? 1 : 0;
    history_items += static_cast<std::int64_t>(record.get("history")->array.size());
  }
  std::printf("index: %zu distinct tags; score sum %lld; active %lld; history items %lld\n",
              by_tag.size(), static_cast<long long>(score_sum), static_cast<long long>(active),
              static_cast<long long>(history_items));
  std::vector<std::pair<std::size_t, std::string>> popular;
  for (const auto& [tag, ids] : by_tag) popular.emplace_back(ids.size(), tag);
  std::stable_sort(popular.begin(), popular.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < 5 && i < popular.size(); ++i) {
    std::printf("  tag %-10s %zu records\n", popular[i].second.c_str(), popular[i].first);
  }

  // Round trip once more, after the mutations.
  Value reparsed = Parser(mutated).parse_document();
  std::string again;
  write(again, reparsed);
  std::printf("mutated round trip: %s\n", again == mutated ? "identical" : "DIFFERENT");
  print_alligator_stats("end");
  return again == mutated ? EXIT_SUCCESS : EXIT_FAILURE;
}
