// ast_rewrite: many short-lived small objects, the way a compiler's or an interpreter's
// expression trees live.
//
// Each round builds a random expression tree (about 200..2000 nodes) of polymorphic nodes made
// with new (wasm32 sizes): numbers, variables and unary operators (12 bytes), binary operators
// (16), calls (32) whose arguments live in a std::vector (1..6 of them) and whose name is a
// std::string, beyond libc++'s short-string buffer when it is long. Then three rewriting passes
// each build a new tree from the old one and delete the old one as they go (constant folding,
// strength reduction, and a pass that renames calls), and the result is evaluated for 4
// variable assignments and deleted. Only the current tree is live: nearly every block dies within one
// round, and blocks of several sizes interleave.
//
// RESULT: nodes allocated per microsecond, all passes together (higher is better).
// CHECK:  the sum of the evaluations and the node counts.
#include "common.hpp"

#include <string>
#include <vector>

namespace {

std::uint64_t nodes_made = 0;

// A kind tag, as compilers' ASTs have (LLVM's isa<>/dyn_cast<>), rather than dynamic_cast,
// whose type_info walks would take most of the time.
enum class Kind : std::uint8_t { kNumber, kVariable, kUnary, kBinary, kCall };

struct Node {
  explicit Node(Kind k) : kind(k) { ++nodes_made; }
  virtual ~Node() = default;
  virtual std::uint32_t eval(const std::uint32_t* vars) const = 0;
  Kind kind;
};

template <typename T>
T* as(Node* node) {
  return node->kind == T::kKind ? static_cast<T*>(node) : nullptr;
}

struct Number final : Node {
  static constexpr Kind kKind = Kind::kNumber;
  explicit Number(std::uint32_t v) : Node(kKind), value(v) {}
  std::uint32_t eval(const std::uint32_t*) const override { return value; }
  std::uint32_t value;
};

struct Variable final : Node {
  static constexpr Kind kKind = Kind::kVariable;
  explicit Variable(std::uint32_t i) : Node(kKind), index(i) {}
  std::uint32_t eval(const std::uint32_t* vars) const override { return vars[index]; }
  std::uint32_t index;
};

struct Unary final : Node {
  static constexpr Kind kKind = Kind::kUnary;
  Unary(char o, Node* a) : Node(kKind), op(o), operand(a) {}
  ~Unary() override { delete operand; }
  std::uint32_t eval(const std::uint32_t* vars) const override {
    std::uint32_t a = operand->eval(vars);
    return op == '-' ? 0u - a : ~a;
  }
  char op;
  Node* operand;
};

struct Binary final : Node {
  static constexpr Kind kKind = Kind::kBinary;
  Binary(char o, Node* l, Node* r) : Node(kKind), op(o), left(l), right(r) {}
  ~Binary() override {
    delete left;
    delete right;
  }
  static std::uint32_t apply(char op, std::uint32_t a, std::uint32_t b) {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '^': return a ^ b;
      default: return a << (b & 31);  // '<'
    }
  }
  std::uint32_t eval(const std::uint32_t* vars) const override {
    return apply(op, left->eval(vars), right->eval(vars));
  }
  char op;
  Node* left;
  Node* right;
};

struct Call final : Node {
  static constexpr Kind kKind = Kind::kCall;
  Call(std::string n, std::vector<Node*> a) : Node(kKind), name(std::move(n)), args(std::move(a)) {}
  ~Call() override {
    for (Node* arg : args) delete arg;
  }
  std::uint32_t eval(const std::uint32_t* vars) const override {
    std::uint32_t result = static_cast<std::uint32_t>(name.size());
    for (Node* arg : args) result = result * 31 + arg->eval(vars);
    return result;
  }
  std::string name;
  std::vector<Node*> args;
};

const char* const kNames[] = {"min", "max", "clamp", "hash_combine_values", "sum",
                              "interpolate_linear", "abs", "select_first_nonzero"};

Node* build(Rng& rng, int depth) {
  std::uint32_t pick = rng.next32() % 16;
  if (depth == 0 || pick < 3) {
    return pick % 2 == 0 ? static_cast<Node*>(new Number(rng.next32() % 100))
                         : new Variable(rng.next32() % 4);
  }
  if (pick < 5) return new Unary(pick == 3 ? '-' : '~', build(rng, depth - 1));
  if (pick < 14) {
    static const char kOps[] = {'+', '-', '*', '^', '<'};
    Node* left = build(rng, depth - 1);
    return new Binary(kOps[rng.next32() % 5], left, build(rng, depth - 1));
  }
  std::vector<Node*> args;
  for (std::uint32_t n = rng.range(1, 6); n > 0; --n) {
    args.push_back(build(rng, depth < 2 ? 0 : depth - 2));
  }
  return new Call(kNames[rng.next32() % 8], std::move(args));
}

// A pass rebuilds the tree bottom-up and deletes each old node once its replacement is made.
template <typename Rewrite>
Node* rebuild(Node* node, Rewrite& rewrite) {
  if (auto* unary = as<Unary>(node)) {
    Node* operand = rebuild(unary->operand, rewrite);
    char op = unary->op;
    unary->operand = nullptr;
    delete unary;
    return rewrite.unary(op, operand);
  }
  if (auto* binary = as<Binary>(node)) {
    Node* left = rebuild(binary->left, rewrite);
    Node* right = rebuild(binary->right, rewrite);
    char op = binary->op;
    binary->left = binary->right = nullptr;
    delete binary;
    return rewrite.binary(op, left, right);
  }
  if (auto* call = as<Call>(node)) {
    std::vector<Node*> args;
    for (Node*& arg : call->args) {
      args.push_back(rebuild(arg, rewrite));
      arg = nullptr;
    }
    std::string name = std::move(call->name);
    call->args.clear();
    delete call;
    return rewrite.call(std::move(name), std::move(args));
  }
  if (auto* number = as<Number>(node)) {
    std::uint32_t value = number->value;
    delete number;
    return new Number(value);
  }
  auto* variable = static_cast<Variable*>(node);
  std::uint32_t index = variable->index;
  delete variable;
  return new Variable(index);
}

struct Identity {
  Node* unary(char op, Node* a) { return new Unary(op, a); }
  Node* binary(char op, Node* l, Node* r) { return new Binary(op, l, r); }
  Node* call(std::string name, std::vector<Node*> args) {
    return new Call(std::move(name), std::move(args));
  }
};

struct FoldConstants : Identity {
  static const Number* constant(Node* node) { return as<Number>(node); }
  Node* unary(char op, Node* a) {
    if (const Number* n = constant(a)) {
      std::uint32_t value = op == '-' ? 0u - n->value : ~n->value;
      delete a;
      return new Number(value);
    }
    return new Unary(op, a);
  }
  Node* binary(char op, Node* l, Node* r) {
    const Number* a = constant(l);
    const Number* b = constant(r);
    if (a != nullptr && b != nullptr) {
      std::uint32_t value = Binary::apply(op, a->value, b->value);
      delete l;
      delete r;
      return new Number(value);
    }
    return new Binary(op, l, r);
  }
};

// x * 2^k becomes x << k; x * 0 keeps its shape (the other side may be a variable).
struct ReduceStrength : Identity {
  Node* binary(char op, Node* l, Node* r) {
    auto* n = as<Number>(r);
    if (op == '*' && n != nullptr && n->value != 0 && (n->value & (n->value - 1)) == 0) {
      std::uint32_t shift = static_cast<std::uint32_t>(__builtin_ctz(n->value));
      delete r;
      return new Binary('<', l, new Number(shift));
    }
    return new Binary(op, l, r);
  }
};

struct RenameCalls : Identity {
  Node* call(std::string name, std::vector<Node*> args) {
    return new Call(name + "_v2", std::move(args));
  }
};

std::uint64_t digest = 0;

void round(Rng& rng) {
  Node* tree = build(rng, static_cast<int>(rng.range(8, 11)));
  FoldConstants fold;
  ReduceStrength reduce;
  RenameCalls rename;
  tree = rebuild(tree, fold);
  tree = rebuild(tree, reduce);
  tree = rebuild(tree, rename);
  for (std::uint32_t i = 0; i < 4; ++i) {
    std::uint32_t vars[4] = {i, i * 7 + 1, 0x9E37u ^ i, 12345u * i};
    digest = digest * 1099511628211ull + tree->eval(vars);
  }
  delete tree;
}

}  // namespace

int main(int argc, char** argv) {
  report_new_failures();
  bool full = full_run(argc, argv);
  std::uint32_t rounds = full ? 20000 : 6000;
  Rng rng(0x5EED0012);
  for (std::uint32_t i = 0; i < rounds / 10; ++i) round(rng);  // warm-up
  std::uint64_t before = nodes_made;
  double start = now_us();
  for (std::uint32_t i = 0; i < rounds; ++i) round(rng);
  double elapsed = now_us() - start;
  std::uint64_t made = nodes_made - before;
  print_result(static_cast<double>(made) / elapsed, digest + made);
  return 0;
}
