// Reading and writing the trace format (trace.hpp). Parsing is strict: a line that does not
// read back exactly as it is formatted is an error, so a hand-written trace cannot mean
// something other than what it says.
#include <alligator/properties/trace.hpp>

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

namespace alligator::properties {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> tokens;
  for (std::string token; in >> token;) tokens.push_back(token);
  return tokens;
}

bool parse_number(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.size() > 20) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

bool parse_size(const std::string& text, Size& size) {
  if (text.rfind("max", 0) != 0) {
    size = Size{};
    return parse_number(text, size.value);
  }
  size = Size::max();
  std::string rest = text.substr(3);
  if (!rest.empty() && rest[0] == '/') {
    std::size_t end = rest.find_first_of("+-");
    if (!parse_number(rest.substr(1, end == std::string::npos ? std::string::npos : end - 1),
                      size.divisor) ||
        size.divisor == 0) {
      return false;
    }
    rest = end == std::string::npos ? "" : rest.substr(end);
  }
  if (!rest.empty()) {
    std::uint64_t magnitude = 0;
    if ((rest[0] != '+' && rest[0] != '-') || !parse_number(rest.substr(1), magnitude) ||
        magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return false;
    }
    size.delta = rest[0] == '-' ? -static_cast<std::int64_t>(magnitude)
                                : static_cast<std::int64_t>(magnitude);
  }
  return true;
}

bool parse_id(const std::string& text, std::uint32_t& id) {
  std::uint64_t value = 0;
  if (text.size() < 2 || text[0] != 'b' || !parse_number(text.substr(1), value) || value == 0 ||
      value > std::numeric_limits<std::uint32_t>::max()) {
    return false;
  }
  id = static_cast<std::uint32_t>(value);
  return true;
}

// "bN" or "bN..bM".
bool parse_ids(const std::string& text, std::uint32_t& first, std::optional<std::uint32_t>& last) {
  std::size_t dots = text.find("..");
  if (dots == std::string::npos) {
    last.reset();
    return parse_id(text, first);
  }
  std::uint32_t end = 0;
  if (!parse_id(text.substr(0, dots), first) || !parse_id(text.substr(dots + 2), end)) {
    return false;
  }
  last = end;
  return true;
}

std::string id_text(std::uint32_t id) { return "b" + std::to_string(id); }

std::string range_text(const Operation& operation) {
  return id_text(operation.id) + ".." + id_text(operation.last);
}

}  // namespace

std::size_t Size::resolve() const {
  if (!from_max) {
    return value > std::numeric_limits<std::size_t>::max()
               ? std::numeric_limits<std::size_t>::max()
               : static_cast<std::size_t>(value);
  }
  std::size_t base = std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(divisor);
  if (delta < 0) {
    auto down = static_cast<std::uint64_t>(-delta);
    return down > base ? 0 : base - static_cast<std::size_t>(down);
  }
  auto up = static_cast<std::uint64_t>(delta);
  std::size_t room = std::numeric_limits<std::size_t>::max() - base;
  return up > room ? std::numeric_limits<std::size_t>::max() : base + static_cast<std::size_t>(up);
}

std::string Size::text() const {
  if (!from_max) return std::to_string(value);
  std::string text = "max";
  if (divisor != 1) text += "/" + std::to_string(divisor);
  if (delta > 0) text += "+" + std::to_string(delta);
  if (delta < 0) text += "-" + std::to_string(-delta);
  return text;
}

std::vector<std::uint32_t> Operation::range() const {
  std::vector<std::uint32_t> ids;
  std::uint32_t stride = step == 0 ? 1 : step;
  if (id <= last) {
    for (std::uint64_t each = id; each <= last; each += stride) {
      ids.push_back(static_cast<std::uint32_t>(each));
    }
  } else {
    for (std::int64_t each = id; each >= static_cast<std::int64_t>(last); each -= stride) {
      ids.push_back(static_cast<std::uint32_t>(each));
    }
  }
  return ids;
}

std::string format(const Operation& op) {
  switch (op.code) {
    case OpCode::malloc: return id_text(op.id) + " = malloc " + op.size.text();
    case OpCode::malloc_range: return range_text(op) + " = malloc " + op.size.text();
    case OpCode::calloc:
      return id_text(op.id) + " = calloc " + op.count.text() + " " + op.size.text();
    case OpCode::realloc: return "realloc " + id_text(op.id) + " " + op.size.text();
    case OpCode::realloc_null: return id_text(op.id) + " = realloc null " + op.size.text();
    case OpCode::reallocate:
      return "reallocate " + id_text(op.id) + " " + op.size.text() + " " +
             std::to_string(op.alignment);
    case OpCode::aligned_alloc:
      return id_text(op.id) + " = aligned_alloc " + std::to_string(op.alignment) + " " +
             op.size.text();
    case OpCode::posix_memalign:
      return id_text(op.id) + " = posix_memalign " + std::to_string(op.alignment) + " " +
             op.size.text();
    case OpCode::memalign:
      return id_text(op.id) + " = memalign " + std::to_string(op.alignment) + " " +
             op.size.text();
    case OpCode::new_block:
      return id_text(op.id) + " = new " + op.size.text() + " " + std::to_string(op.alignment);
    case OpCode::delete_block:
      return "delete " + id_text(op.id) + " " + op.size.text() + " " +
             std::to_string(op.alignment);
    case OpCode::free: return "free " + id_text(op.id);
    case OpCode::free_range:
      return "free " + range_text(op) + (op.step > 1 ? " step " + std::to_string(op.step) : "");
    case OpCode::free_interior: return "free " + id_text(op.id) + "+" + std::to_string(op.offset);
    case OpCode::free_heap:
      return op.offset > std::numeric_limits<std::int64_t>::max()
                 ? "free heap-" + std::to_string(0 - op.offset)
                 : "free heap+" + std::to_string(op.offset);
    case OpCode::free_null: return "free null";
    case OpCode::free_again: return "free_again " + id_text(op.id);
    case OpCode::fill: return "fill " + id_text(op.id);
    case OpCode::usable: return "usable " + id_text(op.id);
    case OpCode::usable_null: return "usable null";
    case OpCode::refuse_grows: return "refuse_grows " + std::to_string(op.grows);
    case OpCode::trim: return "trim";
    case OpCode::expect:
      switch (op.expect) {
        case Expect::same: return "expect " + id_text(op.id) + " == " + id_text(op.last);
        case Expect::differ: return "expect " + id_text(op.id) + " != " + id_text(op.last);
        case Expect::null: return "expect " + id_text(op.id) + " null";
        case Expect::live: return "expect " + id_text(op.id) + " live";
        case Expect::pages: return "expect pages " + std::to_string(op.grows);
        case Expect::nothing_lost: return "expect nothing_lost";
        case Expect::no_growth: return "expect no_growth " + op.size.text();
      }
      return "?";
  }
  return "?";
}

std::optional<Operation> parse_operation(const std::string& line, std::string& error) {
  auto tokens = split(line);
  Operation op;
  auto fail = [&](const std::string& why) -> std::optional<Operation> {
    error = why;
    return std::nullopt;
  };
  if (tokens.empty()) return fail("empty operation");
  auto need = [&](std::size_t count) { return tokens.size() == count; };

  if (tokens.size() >= 3 && tokens[1] == "=") {
    std::optional<std::uint32_t> last;
    if (!parse_ids(tokens[0], op.id, last)) return fail("bad block id '" + tokens[0] + "'");
    const std::string& name = tokens[2];
    if (last && name != "malloc") return fail("only malloc takes a range of ids");
    if (name == "malloc" && need(4)) {
      op.code = last ? OpCode::malloc_range : OpCode::malloc;
      op.last = last.value_or(0);
      if (!parse_size(tokens[3], op.size)) return fail("bad size '" + tokens[3] + "'");
    } else if (name == "calloc" && need(5)) {
      op.code = OpCode::calloc;
      if (!parse_size(tokens[3], op.count) || !parse_size(tokens[4], op.size)) {
        return fail("bad calloc sizes");
      }
    } else if (name == "realloc" && need(5) && tokens[3] == "null") {
      op.code = OpCode::realloc_null;
      if (!parse_size(tokens[4], op.size)) return fail("bad size '" + tokens[4] + "'");
    } else if ((name == "aligned_alloc" || name == "posix_memalign" || name == "memalign") &&
               need(5)) {
      op.code = name == "aligned_alloc"    ? OpCode::aligned_alloc
                : name == "posix_memalign" ? OpCode::posix_memalign
                                           : OpCode::memalign;
      if (!parse_number(tokens[3], op.alignment) || !parse_size(tokens[4], op.size)) {
        return fail("bad alignment or size");
      }
    } else if (name == "new" && need(5)) {
      op.code = OpCode::new_block;
      if (!parse_size(tokens[3], op.size) || !parse_number(tokens[4], op.alignment)) {
        return fail("bad size or alignment");
      }
    } else {
      return fail("unknown allocation '" + line + "'");
    }
  } else if (tokens[0] == "realloc" && need(3)) {
    op.code = OpCode::realloc;
    if (!parse_id(tokens[1], op.id) || !parse_size(tokens[2], op.size)) {
      return fail("bad realloc arguments");
    }
  } else if (tokens[0] == "reallocate" && need(4)) {
    op.code = OpCode::reallocate;
    if (!parse_id(tokens[1], op.id) || !parse_size(tokens[2], op.size) ||
        !parse_number(tokens[3], op.alignment)) {
      return fail("bad reallocate arguments");
    }
  } else if (tokens[0] == "delete" && need(4)) {
    op.code = OpCode::delete_block;
    if (!parse_id(tokens[1], op.id) || !parse_size(tokens[2], op.size) ||
        !parse_number(tokens[3], op.alignment)) {
      return fail("bad delete arguments");
    }
  } else if (tokens[0] == "free" && (need(2) || need(4))) {
    const std::string& what = tokens[1];
    std::size_t plus = what.find('+');
    std::optional<std::uint32_t> last;
    if (need(4)) {
      std::uint64_t step = 0;
      if (tokens[2] != "step" || !parse_number(tokens[3], step) || step == 0 ||
          step > std::numeric_limits<std::uint32_t>::max() || !parse_ids(what, op.id, last) ||
          !last) {
        return fail("bad 'free bN..bM step S'");
      }
      op.code = OpCode::free_range;
      op.last = *last;
      op.step = static_cast<std::uint32_t>(step);
    } else if (what == "null") {
      op.code = OpCode::free_null;
    } else if (what.rfind("heap-", 0) == 0) {
      std::uint64_t below = 0;
      if (!parse_number(what.substr(5), below) || below == 0 ||
          below > std::uint64_t{1} << 62) {
        return fail("bad offset");
      }
      op.code = OpCode::free_heap;
      op.offset = 0 - below;
    } else if (plus != std::string::npos) {
      if (!parse_number(what.substr(plus + 1), op.offset)) return fail("bad offset");
      if (what.substr(0, plus) == "heap") {
        op.code = OpCode::free_heap;
      } else if (parse_id(what.substr(0, plus), op.id) && op.offset > 0) {
        op.code = OpCode::free_interior;
      } else {
        return fail("bad pointer '" + what + "'");
      }
    } else if (parse_ids(what, op.id, last)) {
      op.code = last ? OpCode::free_range : OpCode::free;
      op.last = last.value_or(0);
    } else {
      return fail("bad pointer '" + what + "'");
    }
  } else if ((tokens[0] == "free_again" || tokens[0] == "fill") && need(2)) {
    op.code = tokens[0] == "fill" ? OpCode::fill : OpCode::free_again;
    if (!parse_id(tokens[1], op.id)) return fail("bad block id '" + tokens[1] + "'");
  } else if (tokens[0] == "usable" && need(2)) {
    if (tokens[1] == "null") {
      op.code = OpCode::usable_null;
    } else {
      op.code = OpCode::usable;
      if (!parse_id(tokens[1], op.id)) return fail("bad block id '" + tokens[1] + "'");
    }
  } else if (tokens[0] == "trim" && need(1)) {
    op.code = OpCode::trim;
  } else if (tokens[0] == "refuse_grows" && need(2)) {
    op.code = OpCode::refuse_grows;
    if (!parse_number(tokens[1], op.grows)) return fail("bad count '" + tokens[1] + "'");
  } else if (tokens[0] == "expect" && (need(2) || need(3) || need(4))) {
    op.code = OpCode::expect;
    if (need(2) && tokens[1] == "nothing_lost") {
      op.expect = Expect::nothing_lost;
    } else if (need(3) && tokens[1] == "no_growth") {
      op.expect = Expect::no_growth;
      if (!parse_size(tokens[2], op.size)) return fail("bad size '" + tokens[2] + "'");
    } else if (need(3) && tokens[1] == "pages") {
      op.expect = Expect::pages;
      if (!parse_number(tokens[2], op.grows)) return fail("bad page count '" + tokens[2] + "'");
    } else if (need(3) && (tokens[2] == "null" || tokens[2] == "live")) {
      op.expect = tokens[2] == "null" ? Expect::null : Expect::live;
      if (!parse_id(tokens[1], op.id)) return fail("bad block id '" + tokens[1] + "'");
    } else if (need(4) && (tokens[2] == "==" || tokens[2] == "!=")) {
      op.expect = tokens[2] == "==" ? Expect::same : Expect::differ;
      if (!parse_id(tokens[1], op.id) || !parse_id(tokens[3], op.last)) {
        return fail("bad block ids in '" + line + "'");
      }
    } else {
      return fail("unknown expectation '" + line + "'");
    }
  } else {
    return fail("unknown operation '" + line + "'");
  }
  if (format(op) != [&] {
        std::string joined;
        for (const auto& token : tokens) joined += (joined.empty() ? "" : " ") + token;
        return joined;
      }()) {
    return fail("not in canonical form (expected '" + format(op) + "')");
  }
  return op;
}

std::optional<Trace> parse_trace(const std::string& text, ParseError& error) {
  Trace trace;
  bool have_memory = false;
  std::istringstream in(text);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto tokens = split(line);
    if (tokens.empty()) continue;
    if (!have_memory) {
      std::uint64_t bytes = 0;
      if (tokens.size() != 2 || tokens[0] != "memory" || !parse_number(tokens[1], bytes) ||
          bytes == 0) {
        error = {number, "the first line must be 'memory BYTES'"};
        return std::nullopt;
      }
      trace.memory_bytes = static_cast<std::size_t>(bytes);
      have_memory = true;
      continue;
    }
    std::string message;
    auto operation = parse_operation(line, message);
    if (!operation) {
      error = {number, message};
      return std::nullopt;
    }
    trace.operations.push_back(*operation);
    trace.lines.push_back(number);
  }
  if (!have_memory) {
    error = {number, "no 'memory BYTES' header"};
    return std::nullopt;
  }
  return trace;
}

std::string format(const Trace& trace) {
  std::string text = "memory " + std::to_string(trace.memory_bytes) + "\n";
  for (const auto& operation : trace.operations) text += format(operation) + "\n";
  return text;
}

std::optional<Trace> read_trace_file(const std::string& path, std::string& problem) {
  std::ifstream file(path);
  if (!file) {
    problem = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream text;
  text << file.rdbuf();
  ParseError error;
  auto trace = parse_trace(text.str(), error);
  if (!trace) problem = path + ":" + std::to_string(error.line) + ": " + error.message;
  return trace;
}

}  // namespace alligator::properties
