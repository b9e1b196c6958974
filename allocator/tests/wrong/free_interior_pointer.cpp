// Frees a pointer Alligator never returned: 8 bytes into a live block. Alligator diagnoses an
// invalid pointer and aborts; memcheck reports an "Invalid free()" inside a block it knows (the
// spacer keeps other blocks out of the description: wrong.hpp).
#include "wrong.hpp"

int main() {
  unsigned char* spacer;
  unsigned char* block = wrong::alligator_malloc_after_spacer(32, &spacer);
  std::free(spacer);
  wrong::announced_free(block + 8);  // the error
  return 0;
}
