// Reads a block after freeing it. memcheck: "Invalid read", the address "inside a block ...
// free'd" (the spacer keeps other blocks out of the description: wrong.hpp).
#include "wrong.hpp"

int main() {
  unsigned char* spacer;
  unsigned char* block = wrong::alligator_malloc_after_spacer(32, &spacer);
  block[0] = 1;
  std::free(block);
  std::free(spacer);
  volatile unsigned char read = block[0];  // the error
  return read == 42;
}
