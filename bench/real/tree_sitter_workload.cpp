// tree_sitter: the tree-sitter C runtime (npm package tree-sitter, vendor/tree-sitter/lib) with
// the JavaScript grammar (npm package tree-sitter-javascript), both fetched by
// bench/real_programs.py, parsing a large JavaScript source, re-parsing it incrementally after
// edits, and walking every node with a TreeCursor.
//
// argv[2...] name real JavaScript files from the fetched packages (read through NODERAWFS); the
// source is their concatenation repeated 3 times (quick, about 180 KB) or 12 (full, about 700 KB).
// The program parses it, walks the tree, then applies a fixed-seed sequence of 30 (quick) or 120
// (full) edits that keep the code valid (an identifier renamed, a statement inserted or deleted),
// each followed by ts_tree_edit, an incremental parse that reuses the old tree,
// ts_tree_get_changed_ranges and the old tree's deletion; every 30th edit walks the new tree.
// At the end the edited source is also parsed from scratch and walked. tree-sitter allocates
// through malloc/calloc/realloc/free (its default allocator).
//
// RESULT: milliseconds for the whole workload (lower is better), after an untimed warm-up on one
//         copy of the source with 6 edits.
// CHECK:  FNV-1a digest of the node counts per symbol of every walk, each tree's error flag and
//         the changed ranges.
// MEMORY: the wasm memory's size at the end (it never shrinks: the peak), in bytes.
#include "real_program.hpp"
#include "tree_sitter/api.h"

#include <string>
#include <vector>

extern "C" const TSLanguage* tree_sitter_javascript();

namespace {

Digest digest;

// Visits every node, depth first, and mixes the count of nodes per symbol into the digest.
void walk(TSTree* tree, std::vector<std::uint32_t>& counts) {
  counts.assign(counts.size(), 0);
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  std::uint64_t nodes = 0, named = 0;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    ++nodes;
    named += ts_node_is_named(node);
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol < counts.size()) ++counts[symbol];
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        digest.mix(counts.data(), counts.size() * sizeof counts[0]);
        digest.mix_value(nodes);
        digest.mix_value(named);
        digest.mix_value(ts_node_has_error(ts_tree_root_node(tree)));
        return;
      }
    }
  }
}

TSPoint advance(TSPoint point, const std::string& inserted) {
  for (char c : inserted) {
    if (c == '\n') {
      ++point.row;
      point.column = 0;
    } else {
      ++point.column;
    }
  }
  return point;
}

bool is_statement(TSNode node) {
  TSNode parent = ts_node_parent(node);
  if (ts_node_is_null(parent) || !ts_node_is_named(node)) return false;
  const char* type = ts_node_type(parent);
  return std::strcmp(type, "statement_block") == 0 || std::strcmp(type, "program") == 0;
}

// Applies one random edit to `text` that keeps it valid JavaScript, the kind an editor makes
// (so that re-parsing exercises tree reuse, not error recovery): an identifier renamed, a
// statement inserted before another, or a statement deleted. Returns the edit as tree-sitter
// describes it.
TSInputEdit edit(std::string& text, TSTree* tree, Rng& rng, std::uint32_t index) {
  auto offset = static_cast<std::uint32_t>(rng.next() % text.size());
  TSNode node = ts_node_descendant_for_byte_range(ts_tree_root_node(tree), offset, offset);
  std::uint32_t kind = rng.next32() % 3;
  TSInputEdit change{};
  if (kind == 0 && std::strcmp(ts_node_type(node), "identifier") == 0) {
    std::string suffix = "_r" + std::to_string(index);
    change.start_byte = ts_node_end_byte(node);
    change.start_point = ts_node_end_point(node);
    text.insert(change.start_byte, suffix);
    change.old_end_byte = change.start_byte;
    change.old_end_point = change.start_point;
    change.new_end_byte = change.start_byte + static_cast<std::uint32_t>(suffix.size());
    change.new_end_point = advance(change.start_point, suffix);
    return change;
  }
  while (!ts_node_is_null(node) && !is_statement(node)) node = ts_node_parent(node);
  if (ts_node_is_null(node)) node = ts_node_named_child(ts_tree_root_node(tree), 0);
  change.start_byte = ts_node_start_byte(node);
  change.start_point = ts_node_start_point(node);
  if (kind == 2 && ts_node_named_child_count(ts_node_parent(node)) > 1) {
    change.old_end_byte = ts_node_end_byte(node);
    change.old_end_point = ts_node_end_point(node);
    text.erase(change.start_byte, change.old_end_byte - change.start_byte);
    change.new_end_byte = change.start_byte;
    change.new_end_point = change.start_point;
  } else {
    std::string statement = "edited" + std::to_string(index) + "([" +
                            std::to_string(rng.next32() % 1000) + ", {key: 'v" +
                            std::to_string(index) + "', f: (x) => x * 2}]);\n";
    text.insert(change.start_byte, statement);
    change.old_end_byte = change.start_byte;
    change.old_end_point = change.start_point;
    change.new_end_byte = change.start_byte + static_cast<std::uint32_t>(statement.size());
    change.new_end_point = advance(change.start_point, statement);
  }
  return change;
}

std::string read_file(const char* path) {
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) {
    std::printf("cannot open %s\n", path);
    std::exit(4);
  }
  std::string text;
  char buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
  std::fclose(file);
  return text;
}

TSTree* parse(TSParser* parser, TSTree* old_tree, const std::string& text) {
  TSTree* tree = ts_parser_parse_string(parser, old_tree, text.data(),
                                        static_cast<std::uint32_t>(text.size()));
  if (tree == nullptr) out_of_memory("ts_parser_parse_string");
  return tree;
}

void workload(std::string text, std::uint32_t edits) {
  TSParser* parser = ts_parser_new();
  const TSLanguage* language = tree_sitter_javascript();
  if (!ts_parser_set_language(parser, language)) {
    std::printf("tree-sitter rejected the JavaScript grammar's ABI version\n");
    std::exit(4);
  }
  std::vector<std::uint32_t> counts(ts_language_symbol_count(language));
  TSTree* tree = parse(parser, nullptr, text);
  if (ts_node_has_error(ts_tree_root_node(tree))) {
    // The edits keep valid code valid; a source with errors would time error recovery.
    std::printf("the JavaScript source has syntax errors\n");
    std::exit(4);
  }
  walk(tree, counts);
  Rng rng(0x5EED0011);
  for (std::uint32_t i = 0; i < edits; ++i) {
    TSInputEdit change = edit(text, tree, rng, i);
    ts_tree_edit(tree, &change);
    TSTree* edited = parse(parser, tree, text);
    std::uint32_t ranges = 0;
    TSRange* changed = ts_tree_get_changed_ranges(tree, edited, &ranges);
    digest.mix_value(ranges);
    for (std::uint32_t r = 0; r < ranges; ++r) {
      digest.mix_value(changed[r].start_byte);
      digest.mix_value(changed[r].end_byte);
    }
    std::free(changed);
    ts_tree_delete(tree);
    tree = edited;
    if (i % 30 == 29) walk(tree, counts);
  }
  walk(tree, counts);
  ts_tree_delete(tree);
  ts_parser_reset(parser);
  TSTree* fresh = parse(parser, nullptr, text);
  walk(fresh, counts);
  ts_tree_delete(fresh);
  ts_parser_delete(parser);
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  if (argc < 3) {
    std::printf("usage: tree_sitter_workload quick|full FILE.js...\n");
    return 4;
  }
  std::string unit;
  for (int i = 2; i < argc; ++i) unit += read_file(argv[i]);
  std::string text;
  for (int copy = 0; copy < (full ? 12 : 3); ++copy) text += unit;
  // Warm-up, untimed: one copy with a few edits, so that Node has compiled the parser's code.
  workload(unit, 6);
  double start = now_us();
  workload(std::move(text), full ? 120 : 30);
  double elapsed = now_us() - start;
  print_real_result(elapsed / 1000.0, digest);
  return 0;
}
