// Writes one byte past a large block of exactly three 2 KiB slots, into the free span that
// follows it. memcheck: "Invalid write", "0 bytes after a block of size 6144".
#include "wrong.hpp"

int main() {
  unsigned char* block = wrong::alligator_malloc(6144);
  wrong::require_free_after(block);
  block[6144] = 1;  // the error
  std::free(block);
  return 0;
}
