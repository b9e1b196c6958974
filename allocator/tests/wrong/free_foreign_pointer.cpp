// Frees a pointer Alligator never returned, outside its heap: a static array. Alligator diagnoses
// an invalid pointer and aborts; memcheck reports an "Invalid free()" of a data symbol.
#include "wrong.hpp"

namespace {
unsigned char foreign[16];
}

int main() {
  std::free(wrong::alligator_malloc(16));  // Alligator is the program's malloc
  wrong::announced_free(foreign);           // the error
  return 0;
}
