// Writes a block after freeing it. memcheck: "Invalid write", the address "inside a block ...
// free'd" (the spacer keeps other blocks out of the description: wrong.hpp).
#include "wrong.hpp"

int main() {
  unsigned char* spacer;
  unsigned char* block = wrong::alligator_malloc_after_spacer(32, &spacer);
  std::free(block);
  std::free(spacer);
  *static_cast<volatile unsigned char*>(block) = 1;  // the error
  return 0;
}
