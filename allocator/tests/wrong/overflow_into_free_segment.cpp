// Writes one byte past a block whose size is exactly its class's (672: three Segments per
// MiniPage), into the next Segment, which is free. memcheck: "Invalid write", "0 bytes after a
// block of size 672".
#include "wrong.hpp"

int main() {
  unsigned char* block = wrong::alligator_malloc(672);
  wrong::require_free_after(block);
  block[672] = 1;  // the error
  std::free(block);
  return 0;
}
