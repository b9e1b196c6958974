// Writes one byte past a block whose size is exactly its class's (256: eight Segments per
// one-slot MiniPage), into the next Segment, which is free. memcheck: "Invalid write", "0 bytes
// after a block of size 256".
#include "wrong.hpp"

int main() {
  unsigned char* block = wrong::alligator_malloc(256);
  wrong::require_free_after(block);
  block[256] = 1;  // the error
  std::free(block);
  return 0;
}
