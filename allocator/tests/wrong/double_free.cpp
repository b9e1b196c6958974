// Frees a block twice. Alligator diagnoses it ("alligator: double free at 0x...") and aborts;
// memcheck reports the same free as an "Invalid free()" of a block it saw freed (the spacer
// keeps other blocks out of the description: wrong.hpp).
#include "wrong.hpp"

int main() {
  unsigned char* spacer;
  unsigned char* block = wrong::alligator_malloc_after_spacer(32, &spacer);
  std::free(block);
  std::free(spacer);
  wrong::announced_free(block);  // the error
  return 0;
}
