// binary_trees: the Computer Language Benchmarks Game's binary-trees, with plain new/delete.
//
// A stretch tree of depth max+1, a long-lived tree of depth max, then for depth d = 4, 6, ...,
// max: 2^(max - d + 4) trees of depth d, each built, checked (its nodes counted) and deleted.
// Depth 16 (quick) or 18 (full).
//
// RESULT: trees built per second, all depths together (higher is better).
#include "common.hpp"

namespace {

struct Node {
  Node* left;
  Node* right;
};

Node* make(int depth) {
  Node* node = new Node;
  if (depth > 0) {
    node->left = make(depth - 1);
    node->right = make(depth - 1);
  } else {
    node->left = node->right = nullptr;
  }
  return node;
}

std::uint64_t check(const Node* node) {
  return node->left == nullptr ? 1 : 1 + check(node->left) + check(node->right);
}

void destroy(Node* node) {
  if (node->left != nullptr) {
    destroy(node->left);
    destroy(node->right);
  }
  delete node;
}

// One benchmark; returns the number of trees built and adds the checks to `digest`.
std::uint64_t run(int max_depth, std::uint64_t& digest, bool verbose) {
  std::uint64_t trees = 0;
  {
    Node* stretch = make(max_depth + 1);
    std::uint64_t nodes = check(stretch);
    if (verbose) std::printf("stretch tree of depth %d\t check: %llu\n", max_depth + 1,
                             static_cast<unsigned long long>(nodes));
    digest += nodes;
    destroy(stretch);
    ++trees;
  }
  Node* long_lived = make(max_depth);
  ++trees;
  for (int depth = 4; depth <= max_depth; depth += 2) {
    std::uint64_t iterations = std::uint64_t{1} << (max_depth - depth + 4);
    std::uint64_t nodes = 0;
    for (std::uint64_t i = 0; i < iterations; ++i) {
      Node* tree = make(depth);
      nodes += check(tree);
      destroy(tree);
    }
    trees += iterations;
    if (verbose) std::printf("%llu\t trees of depth %d\t check: %llu\n",
                             static_cast<unsigned long long>(iterations), depth,
                             static_cast<unsigned long long>(nodes));
    std::uint64_t expected = iterations * ((std::uint64_t{2} << depth) - 1);
    if (nodes != expected) corrupt("wrong node count", nullptr);
    digest += nodes;
  }
  std::uint64_t nodes = check(long_lived);
  if (verbose) std::printf("long lived tree of depth %d\t check: %llu\n", max_depth,
                           static_cast<unsigned long long>(nodes));
  digest += nodes;
  destroy(long_lived);
  return trees;
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  int max_depth = full ? 18 : 16;
  report_new_failures();
  std::uint64_t warm_digest = 0;
  run(10, warm_digest, false);  // warm-up: JIT tier-up
  std::uint64_t digest = 0;
  double start = now_us();
  std::uint64_t trees = run(max_depth, digest, true);
  double elapsed = now_us() - start;
  print_result(static_cast<double>(trees) / (elapsed / 1e6), digest);
  return 0;
}
