// Loses the only pointer to a block. memcheck's leak check: "definitely lost", allocated here.
#include "wrong.hpp"

namespace {
[[gnu::noinline]] void lose_a_block() {
  unsigned char* block = wrong::alligator_malloc(96);
  block[0] = 1;
}  // the error: the pointer dies here
}  // namespace

int main() {
  lose_a_block();
  return 0;
}
